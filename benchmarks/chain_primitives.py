#!/usr/bin/env python3
"""What the pieces of the compiled chain cost (``sim.model.chain``; docs/PERFORMANCE.md): a call
into numba with the state in one argument, an event stepped on the chain's heap, an event handed
back to Python, against an event on a heap of tuples as ``sim.core.later`` has it.

The chain moves the customers' clock events and deliveries onto a heap a kernel steps, handing
back to Python the events it cannot finish (a question, a promotion, a delivery with a
telling...). Whether that pays depends on these costs, measured here with the chain's own kernels
on a small state of theirs (``chain.toy_state``: 3,000 people, deliveries at random times) — so
the figures are of the mechanisms, not of the model::

    PYTHONPATH=. .venv/bin/python benchmarks/chain_primitives.py [EVENTS]

Prints ns per call or per event (medians of 5 rounds, ``time.perf_counter``):

* ``call, state in a structref`` — a kernel of the chain's taking its state, one
  ``numba.experimental.structref`` (cacheable on disk, unlike a jitclass, whose kernels numba
  compiles again in every process);
* ``call, 12 arrays`` — a kernel taking twelve arrays, as the draws' kernels take people's
  columns one argument each;
* ``quiet delivery in the kernel`` — popped, felt, counted, all compiled (``chain._delivered``);
* ``event handed back`` — a clock event the kernel pops and returns to Python (``chain.run``: on
  the toy state every clock event that is not an order is a cause of leaving that fires), which
  pushes its successor through another call (``push_clock``): the round trip of every event the
  kernel cannot finish;
* ``event on a heap of tuples`` — the other way: a ``(time, priority, id, callback, value)``
  tuple pushed and popped with :mod:`heapq`, ids from ``itertools.count``, two counters in Python.

Calls go past numba's dispatcher (the entry point of the one compiled signature, as
``sim.model.compiled.direct`` does). Nothing is asserted.
"""

from __future__ import annotations

import heapq
import itertools
import math
import statistics
import sys
import time
from typing import Any

import numpy as np
from numba import njit

from sim.core.world import CUSTOMER
from sim.model import compiled

PEOPLE = 3_000  # about the shipped baseline's customers
ROUNDS = 5
BUDGET = 1 << 62


@njit(cache=True)
def nothing_arrays(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11):
    return a0[0]


def per_call(function: Any, args: Any, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function(*args)
    return (time.perf_counter() - start) / calls * 1e9


def state() -> Any:
    """3,000 customers at level 1, on a state whose parameters make every perfect delivery a
    quiet one (felt happy, told by nobody: the chances of telling are 0)."""
    from sim.model import chain
    return chain.toy_state(PEOPLE, status=np.full(PEOPLE, CUSTOMER, np.int8))


def deliver(k: Any, s: Any, time: float, person: int, perfect: bool) -> None:
    k.push_delivery(s, time, person, 0.0, person + 1, 10.0, perfect, 0.0, True, True, True, True, 0.5)


def in_kernel(events: int) -> float:
    """Quiet deliveries stepped by one run a batch of 3,000 (a heap of a few thousand, as a run's;
    all on day 0 or 1: the toy state counts two days)."""
    from sim.model import chain
    k, s = chain.kernels(), state()
    u = np.random.default_rng(1).random(PEOPLE).tolist()
    seconds = 0.0
    for _ in range(max(1, events // PEOPLE)):
        for person, v in enumerate(u):
            deliver(k, s, v * 1.9, person, True)
        start = time.perf_counter()
        kind = k.run(s, math.inf, 0, 0, BUDGET)[0]
        seconds += time.perf_counter() - start
        assert kind == chain.NOTHING and k.waiting(s) == 0  # every one stepped in the kernel
    return seconds / (max(1, events // PEOPLE) * PEOPLE) * 1e9


def handed_back(events: int) -> float:
    """Clock events that are causes of leaving (the toy state's picks make none an order): each
    handed back, its successor pushed."""
    from sim.model import chain
    k = chain.kernels()
    s = chain.toy_state(PEOPLE, status=np.full(PEOPLE, CUSTOMER, np.int8), pick=0.99)
    u = np.random.default_rng(2).random(4096).tolist()
    for person in range(PEOPLE):
        k.push_clock(s, person, u[person] * 2.0)
    run, push = k.run, k.push_clock
    start = time.perf_counter()
    for i in range(events):
        kind, t, eid, person, slot = run(s, math.inf, 0, 0, BUDGET)
        assert kind == chain.CLOCK
        push(s, person, t + 1.0 + u[i & 4095])
    return (time.perf_counter() - start) / events * 1e9


def tuples(events: int) -> float:
    """The other way (sim.core.later): a heap of (time, priority, id, callback, value) tuples."""
    u = np.random.default_rng(1).random(4096).tolist()
    ids = itertools.count()
    soon: list[tuple[float, int, int, None, int]] = []
    for person in range(PEOPLE):
        heapq.heappush(soon, (u[person] * 2.0, 1, next(ids), None, person))
    count, total = [0.0] * PEOPLE, [0.0] * PEOPLE
    start = time.perf_counter()
    for i in range(events):
        t, _, _, _, person = heapq.heappop(soon)
        count[person] += 1.0
        total[person] += t
        heapq.heappush(soon, (t + 1.0 + u[i & 4095], 1, next(ids), None, person))
    return (time.perf_counter() - start) / events * 1e9


def main() -> None:
    if not compiled.ready():
        sys.exit("the chain needs numba (CHURN_SIM_COMPILED=0, or numba missing)")
    from sim.model import chain
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    k, s = chain.kernels(), state()
    arrays = [np.zeros(4) for _ in range(12)]
    nothing_arrays(*arrays)
    twelve = compiled.direct(nothing_arrays)
    rows = {
        "call, state in a structref": lambda: per_call(k.waiting, (s,), events),
        "call, 12 arrays": lambda: per_call(twelve, arrays, events),
        "quiet delivery in the kernel": lambda: in_kernel(events),
        "event handed back": lambda: handed_back(events),
        "event on a heap of tuples": lambda: tuples(events),
    }
    results: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(ROUNDS):  # interleaved, so that a busy moment touches every row alike
        for name, measure in rows.items():
            results[name].append(measure())
    print(f"{events:,} calls or events a round, {ROUNDS} rounds, {PEOPLE:,} people")
    for name, values in results.items():
        print(f"{name:30} {statistics.median(values):7.0f} ns  ({min(values):.0f}-{max(values):.0f})")


if __name__ == "__main__":
    main()
