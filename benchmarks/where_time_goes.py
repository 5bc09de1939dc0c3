#!/usr/bin/env python3
"""Where a run's time goes, by the kind of event that spends it: timers around the handlers.

With the compiled chain (``sim/model/chain.py``) most of a customer's events never reach
Python, and cProfile, which charges every Python call and no compiled one, no longer shows the
shares of a run. This script times one replication of the baseline (warm-up 0, ``PEOPLE``
people, ``DAYS`` days) with a wall-clock timer around each entry into the model's work:

* ``chain.run`` — the compiled chain stepping its events (orders, questions, null clock events,
  deliveries and their episodes, the desk's events, tellings);
* ``handed back: …`` — what the chain hands back to Python, by kind: a clock event (a cause of
  leaving that fires), a follow-up (the listeners of a telling who join or leave, a customer who
  leaves after an episode, then what comes next: an agent's next contact, a disappointing
  product);
* ``SimPy: …`` — SimPy's own events, by what they resume (the daily snapshot, the desk's
  shifts and agents called in, turnover, advertising).

What is left of the total is the event loop itself (``Environment._steps_chain``: choosing the
next event among the three heaps, the buckets' openings) and the timers' own cost (~0.1 µs a
timed call). Each figure includes what its handler calls, so they add up to the whole less
that remainder. Nothing is asserted; a run's numbers are not changed (only its time is
measured, and a timer moves nothing)::

    PYTHONPATH=. .venv/bin/python benchmarks/where_time_goes.py [PEOPLE] [DAYS]

Needs numba (the chain); with ``CHURN_SIM_COMPILED=0`` there is no chain to time.
"""

from __future__ import annotations

import collections
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import simpy

from sim.bench.sizes import scaled
from sim.core.later import Environment
from sim.model.replication import Model
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent
KINDS = {0: "clock event (a departure)", 9: "follow-up (joins, departures)"}


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 15_000
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    scenario = scaled(load_scenario(ROOT / "scenarios" / "baseline.yaml"), people, days)
    model = Model(scenario, 0)
    chain = model.customers.chain
    if chain is None:
        sys.exit("no compiled chain (numba missing, or CHURN_SIM_COMPILED=0): nothing to time")
    seconds: collections.defaultdict[str, float] = collections.defaultdict(float)
    calls: collections.Counter[str] = collections.Counter()
    clock = time.perf_counter

    def timed(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any) -> Any:
            start = clock()
            result = function(*args)
            seconds[name] += clock() - start
            calls[name] += 1
            return result
        return wrapper

    chain.run = timed("chain.run", chain.run)
    handle = chain.handle

    def handed_back(kind: int, eid: int, person: int, slot: int) -> None:
        name = "handed back: " + KINDS[kind]
        start = clock()
        handle(kind, eid, person, slot)
        seconds[name] += clock() - start
        calls[name] += 1

    chain.handle = handed_back
    simpy_step = simpy.Environment.step

    def step(env: simpy.Environment) -> None:
        event = env._queue[0][3]
        name = "SimPy: " + ", ".join(_what(callback) for callback in event.callbacks or ())
        start = clock()
        simpy_step(env)
        seconds[name] += clock() - start
        calls[name] += 1

    simpy.Environment.step = step  # type: ignore[method-assign,assignment]  # what Environment._steps_chain calls
    try:
        start = clock()
        model.run()
        total = clock() - start
    finally:
        simpy.Environment.step = simpy_step  # type: ignore[method-assign]
    assert isinstance(model.world.env, Environment)
    print(f"{people:,} people, {days} days, warm-up 0: Model.run {total:.3f} s (wall clock, with the timers)")
    print(f"{'where':<52} {'seconds':>8} {'share':>7} {'calls':>8} {'µs a call':>10}")
    for name, spent in sorted(seconds.items(), key=lambda item: -item[1]):
        print(f"{name[:52]:<52} {spent:8.3f} {spent / total:7.1%} {calls[name]:8,} {spent / calls[name] * 1e6:10.2f}")
    rest = total - sum(seconds.values())
    print(f"{'the rest: the event loop, the timers':<52} {rest:8.3f} {rest / total:7.1%}")


def _what(callback: Any) -> str:
    """A SimPy callback's name: the generator a process resumes, or the function's own."""
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, simpy.events.Process):
        return owner._generator.__qualname__  # type: ignore[attr-defined]
    return str(getattr(callback, "__qualname__", type(callback).__name__))


if __name__ == "__main__":
    main()
