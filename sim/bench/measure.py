"""The measurements: the model beside the skeleton, memory, replications on workers.

**Model and skeleton.** For each market size, a few rounds; each round builds the model
(timed apart: ``build_seconds``) and runs it (``Model.run``: the warm-up is 0, so all of it
is the measured window), and runs the skeleton (:mod:`sim.bench.skeleton`) with as many
customers alive as the model's mean over the window. The two alternate which goes first from
one round to the next, so a slow spell of the machine falls on both alike; the ratio is taken
per round and its median reported. A customer-day is one customer alive for one day, the
model's customers counted by its daily snapshot (customers at each day's end, by loyalty
level). ``ns_per_customer_day`` divides the run's seconds (building excluded) by them.
Events are counted from SimPy's event-id counter and queue (:func:`sim.bench.skeleton.event_count`):
the events ``env.run`` processed, in the model as in the skeleton.

**Memory**: one fresh process per size (:mod:`sim.bench.footprint`).

**Experiments**: replications of the shipped baseline through
:func:`sim.experiments.runner.run_many` on 1 worker (this process) and on 2 local worker
processes, in interleaved rounds (the speed-up per round, its median reported), and, if Dask is installed, once on a 2-worker Dask LocalCluster bound to 127.0.0.1; the
time to write the 1-worker run's output files (:func:`sim.outputs.files.write_outputs`) beside
its replications'; and the shipped comparison through the command line, as a user runs it.

**Many replications** (:func:`speedup_long`): the same speed-up at 30 replications, where the
pool's fixed costs weigh less.

**Two at once** (:func:`concurrency`): how much longer a replication takes while another runs
on the other core, timed inside two worker processes started once, so that none of a run's
start, results' return or shutdown is in it. What separates the 2-worker speed-up from 2 is
that (the machine's: shared caches, memory, clock) and, in the rest, the pool's fixed costs.
"""

from __future__ import annotations

import gc
import json
import math
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from sim.bench import skeleton
from sim.bench.sizes import scaled
from sim.core.version import full_version
from sim.experiments.runner import dask_available, run_many
from sim.model.replication import Model, run_replication
from sim.outputs.files import write_outputs
from sim.outputs.tables import RunResult
from sim.scenario.schema import Scenario

Say = Callable[[str], None]


def load() -> list[float] | None:
    """The machine's load averages over 1, 5 and 15 minutes (None where not available)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def spread(values: Sequence[float]) -> dict[str, float]:
    """Median and range."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


@contextmanager
def collections_timed() -> Iterator[list[float]]:
    """The seconds Python's cyclic garbage collector spends collecting within the block, in the
    list's one element (``gc.callbacks``). A collection walks every live object it tracks: at
    1 M people, the model's events, values and callbacks."""
    spent, began = [0.0], [0.0]

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            began[0] = time.perf_counter()
        else:
            spent[0] += time.perf_counter() - began[0]

    gc.callbacks.append(note)
    try:
        yield spent
    finally:
        gc.callbacks.remove(note)


def customer_days(daily: dict[str, np.ndarray]) -> float:
    """A run's customer-days: the customers at each day's end (by loyalty level), summed."""
    return float((daily["active_level1"] + daily["active_level2"] + daily["active_level3"]).sum())


def model_once(scenario: Scenario) -> dict[str, Any]:
    """Build and run one replication (number 0); its timings, events and customer-days."""
    gc.collect()
    start = time.perf_counter()
    model = Model(scenario, 0)
    build = time.perf_counter() - start
    env = model.world.env
    before = skeleton.event_count(env)
    with collections_timed() as collector:
        start = time.perf_counter()
        result = model.run()
        seconds = time.perf_counter() - start
    after = skeleton.event_count(env)
    days = customer_days(result.daily)
    del model, result
    return {
        "build_seconds": build,
        "seconds": seconds,
        "collector_seconds": collector[0],  # of `seconds`: Python's cyclic collector (gc.callbacks)
        "events": after - before if before is not None and after is not None else None,
        "customer_days": days,
        "customers_alive": days / scenario.horizon_days,
    }


SKELETON_MIN_SECONDS = 0.3  # a skeleton run shorter than this is repeated (other seeds) and summed


def skeleton_once(customers: int, days: int, rates: skeleton.Rates, seed: int) -> dict[str, Any]:
    """The skeleton at ``customers`` alive for ``days`` days; repeated with other seeds, and
    the times and customer-days summed, until it has run :data:`SKELETON_MIN_SECONDS` (at
    most 50 times): at the shipped size one run takes a few tens of milliseconds, too short
    to time against a machine's noise."""
    total: dict[str, Any] = {"seconds": 0.0, "build_seconds": 0.0, "events": 0, "customer_days": 0.0,
                             "orders": 0, "contacts": 0, "leavers": 0, "repeats": 0}
    gc.collect()
    while total["seconds"] < SKELETON_MIN_SECONDS and total["repeats"] < 50:
        t = skeleton.run(customers, days, rates, seed * 1000 + total["repeats"])
        total["seconds"] += t.seconds
        total["build_seconds"] += t.build_seconds
        total["events"] = None if t.events is None or total["events"] is None else total["events"] + t.events
        total["customer_days"] += t.customer_days
        total["orders"] += t.orders
        total["contacts"] += t.contacts
        total["leavers"] += t.leavers
        total["repeats"] += 1
    return total


def _per_cd(run: dict[str, Any]) -> tuple[float, float | None]:
    ns = run["seconds"] / run["customer_days"] * 1e9
    events = run["events"] / run["customer_days"] if run["events"] is not None else None
    return ns, events


def model_vs_skeleton(base: Scenario, people: int, days: int, rounds: int, say: Say,
                      beside: tuple[int, ...] = ()) -> dict[str, Any]:
    """The model and the skeleton at one size, ``rounds`` rounds interleaved.

    With ``beside`` (smaller sizes), each round also runs the model and the skeleton at each of
    them just before and just after this size's pair, and the row gains ``beside``, a summary a
    size in that order: the ratio of this size's cost per customer-day to the smaller one's, per
    round (against the mean of the two beside it), median and range. A ratio between sizes taken
    from medians of rounds run minutes apart carries the machine's drift between them; taken
    within each round it does not."""
    scenario = scaled(base, people, days)
    rates = skeleton.rates(scenario)
    smalls = [_Beside(base, size, days) for size in beside]
    load_before = load()
    models: list[dict[str, Any]] = []
    skeletons: list[dict[str, Any]] = []
    customers: int | None = None
    for r in range(rounds):
        say(f"  {people:,} people, round {r + 1}/{rounds}"
            + (f", {' and '.join(f'{size:,}' for size in beside)} beside it" if beside else ""))
        for small in smalls:
            small.once(seed=r + 1)
        if customers is None or r % 2 == 0:
            m = model_once(scenario)
            customers = max(1, round(m["customers_alive"]))
            s = skeleton_once(customers, days, rates, seed=r + 1)
        else:  # the skeleton first: it needs only the customers alive, known from round 1
            s = skeleton_once(customers, days, rates, seed=r + 1)
            m = model_once(scenario)
        models.append(m)
        skeletons.append(s)
        for small in reversed(smalls):
            small.once(seed=r + 1)
    model_ns = [_per_cd(m)[0] for m in models]
    skel_ns = [_per_cd(s)[0] for s in skeletons]
    ratios = [a / b for a, b in zip(model_ns, skel_ns, strict=True)]
    model_events = _per_cd(models[0])[1]
    skel_events = [e for e in (_per_cd(s)[1] for s in skeletons) if e is not None]
    return {
        "people": people,
        "initial_customers": scenario.market.initial_customers,
        "days": days,
        "rounds": rounds,
        "customers_alive": models[0]["customers_alive"],
        "model_ns_per_customer_day": spread(model_ns),
        "skeleton_ns_per_customer_day": spread(skel_ns),
        "ratio_to_skeleton": spread(ratios),
        "model_events_per_customer_day": model_events,  # the same in every round (same seed)
        "skeleton_events_per_customer_day": statistics.median(skel_events) if skel_events else None,
        "build_seconds": spread([m["build_seconds"] for m in models]),
        "collector_share": spread([m["collector_seconds"] / m["seconds"] for m in models]),
        "load_before": load_before,
        "load_after": load(),
        "model_rounds": models,
        "skeleton_rounds": skeletons,
        **({"beside": [small.summary(models, skeletons) for small in smalls]} if smalls else {}),
    }


class _Beside:
    """The smaller market run beside each round of a larger one (:func:`model_vs_skeleton`)."""

    def __init__(self, base: Scenario, people: int, days: int) -> None:
        self.people = people
        self.scenario = scaled(base, people, days)
        self.days = days
        self.rates = skeleton.rates(self.scenario)
        self.models: list[dict[str, Any]] = []
        self.skeletons: list[dict[str, Any]] = []

    def once(self, seed: int) -> None:
        m = model_once(self.scenario)
        self.models.append(m)
        self.skeletons.append(skeleton_once(max(1, round(m["customers_alive"])), self.days, self.rates, seed))

    def summary(self, models: list[dict[str, Any]], skeletons: list[dict[str, Any]]) -> dict[str, Any]:
        """Per round: the larger market's ns per customer-day over the mean of the two smaller
        runs beside it (before and after), for the model and for the skeleton."""
        def ratios(large: list[dict[str, Any]], small: list[dict[str, Any]]) -> list[float]:
            return [_per_cd(big)[0] / ((_per_cd(a)[0] + _per_cd(b)[0]) / 2)
                    for big, a, b in zip(large, small[0::2], small[1::2], strict=True)]
        return {
            "people": self.people,
            "model_ratio": spread(ratios(models, self.models)),
            "skeleton_ratio": spread(ratios(skeletons, self.skeletons)),
            "model_rounds": self.models,
            "skeleton_rounds": self.skeletons,
        }


def footprint(scenario_path: Path, people: int, days: int) -> dict[str, Any]:
    """Memory of one replication at ``people``, in a fresh process (:mod:`sim.bench.footprint`)."""
    out = subprocess.run(
        [sys.executable, "-m", "sim.bench.footprint", str(scenario_path), str(people), str(days)],
        capture_output=True, text=True, check=True, env=_child_env(),
    ).stdout
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _child_env() -> dict[str, str]:
    """This process's environment, with this ``sim`` package first on the path of a child."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def experiments(scenario: Scenario, dask: bool, say: Say, rounds: int = 1) -> dict[str, Any]:
    """``scenario.replications`` replications on 1 worker and on 2, in ``rounds`` rounds that
    alternate which goes first (so a slow spell of the machine falls on both alike), the
    speed-up taken per round and its median reported; then a replication alone and two at once
    (:func:`concurrency`, 2 × ``rounds`` − 1 rounds, at least 3) and what of the 2-worker run that
    leaves to the pool (``workers_2_fixed_seconds``); then (if ``dask`` and installed) once on
    a 2-worker Dask LocalCluster, against the 1-worker median; and the time to write each 1-worker
    run's files (its median, and the median share of the writing in a round's run plus writing)."""
    n = scenario.replications
    out: dict[str, Any] = {"replications": n, "rounds": rounds, "load_before": load()}
    writes: list[float] = []  # writing each 1-worker round's folder

    def write(result: RunResult) -> None:
        # SciPy's statistics (the summary's intervals) are imported when first needed
        # (sim.outputs.stats), ~0.5 s: imported before the clock starts, as a command's start did
        # before, so that write_share times the writing alone.
        import scipy.stats  # noqa: F401

        with tempfile.TemporaryDirectory(prefix="churn-sim-bench-") as tmp:
            start = time.perf_counter()
            write_outputs(result, Path(tmp) / "run", full_version())
            writes.append(time.perf_counter() - start)

    one, two = _on_1_and_2_workers(scenario, rounds, say, write)
    ratios = [a / b for a, b in zip(one, two, strict=True)]
    out["write_outputs_seconds"] = statistics.median(writes)
    out["write_share_rounds"] = shares = [w / (t + w) for t, w in zip(one, writes, strict=True)]
    out["write_share"] = statistics.median(shares)
    out["seconds_workers_1"] = t1 = statistics.median(one)
    out["seconds_workers_2"] = statistics.median(two)
    out["speedup_workers_2"] = statistics.median(ratios)
    out["speedup_workers_2_rounds"] = ratios
    out["seconds_workers_1_rounds"], out["seconds_workers_2_rounds"] = one, two
    # (more rounds than the speed-up's: a round is two replications, and one replication's seconds
    # vary by ±5 %; one round of --quick read 0.95)
    out["concurrency"] = two_at_once = concurrency(scenario, max(3, 2 * rounds - 1), say)
    # The 2-worker run's seconds beyond its replications' at the measured slowdown (the most a
    # worker runs, at the 1-worker run's seconds a replication): the pool's start, the results'
    # return and its shutdown, and whatever noise the medians keep.
    out["workers_2_fixed_seconds"] = (statistics.median(two) - math.ceil(n / 2) * (t1 / n)
                                      * two_at_once["slowdown"]["median"])
    out["seconds_dask_2"] = out["speedup_dask_2"] = None
    if dask and dask_available():
        say(f"  {n} replications on a 2-worker Dask LocalCluster (its start included)")
        start = time.perf_counter()
        run_many([scenario], workers=2, dask="local")
        out["seconds_dask_2"] = td = time.perf_counter() - start
        out["speedup_dask_2"] = t1 / td
    out["dask_available"] = dask_available()
    out["load_after"] = load()
    return out


def _on_1_and_2_workers(scenario: Scenario, rounds: int, say: Say,
                        after_one: Callable[[RunResult], None] | None = None) -> tuple[list[float], list[float]]:
    """The seconds of ``scenario``'s replications on 1 worker and on 2, a pair each round, the
    rounds alternating which goes first (so a slow spell of the machine falls on both alike);
    ``after_one`` given each 1-worker run's result, outside the timing."""
    n = scenario.replications
    one: list[float] = []
    two: list[float] = []
    for k in range(rounds):
        for workers in ((1, 2) if k % 2 == 0 else (2, 1)):
            say(f"  {n} replications on {workers} worker{'s' if workers > 1 else ''} (round {k + 1} of {rounds})")
            start = time.perf_counter()
            result = run_many([scenario], workers=workers)[0]
            (one if workers == 1 else two).append(time.perf_counter() - start)
            if workers == 1 and after_one is not None:
                after_one(result)
            del result
    return one, two


def speedup_long(scenario: Scenario, rounds: int, say: Say) -> dict[str, Any]:
    """``scenario.replications`` replications (many: 30 in a full run) on 1 worker and on 2, in
    ``rounds`` rounds alternating which goes first, the speed-up per round and its median: the
    figure :func:`experiments` measures on a few replications, at the count an analyst runs for
    a decision, where the pool's fixed costs (its start, the results' return, its end: ~40 ms)
    weigh a fifth as much."""
    one, two = _on_1_and_2_workers(scenario, rounds, say)
    ratios = [a / b for a, b in zip(one, two, strict=True)]
    return {"replications": scenario.replications, "rounds": rounds, "seconds_workers_1_rounds": one, "seconds_workers_2_rounds": two,
            "speedup_rounds": ratios, "speedup": statistics.median(ratios)}


def _replication_timed(args: tuple[Scenario, int]) -> float:
    """Replication ``args[1]`` of ``args[0]``, timed (in a worker)."""
    scenario, index = args
    start = time.perf_counter()
    run_replication(scenario, index)
    return time.perf_counter() - start


_pair: Any = None  # in a worker of concurrency(): the barrier both members of a pair wait at


def _join_pair(barrier: Any) -> None:
    global _pair
    _pair = barrier


def _pair_member(args: tuple[Scenario, int]) -> float:
    """:func:`_replication_timed` once the other worker has its own too: the two start together,
    and one worker cannot take both."""
    _pair.wait(timeout=PAIR_SECONDS)
    return _replication_timed(args)


PAIR_SECONDS = 60.0  # how long a worker waits for the other to start its half of a pair


def concurrency(scenario: Scenario, rounds: int, say: Say) -> dict[str, Any]:
    """How much longer a replication of ``scenario`` takes while another runs on the other core.

    Two worker processes, started once (forked: the compiled kernels come with them) and each
    given a replication first; then, in each of ``rounds`` rounds, replication *k* alone on one of
    them, and the same replication on both at once (they start together at a barrier). The
    round's slowdown: the pair's mean seconds over the lone one's; its median reported
    (``slowdown``). Timed inside the workers: nothing of a pool's start, of results sent back or
    of its shutdown is in it."""
    say(f"  a replication alone, then two at once, on two workers ({rounds} round{'s' if rounds > 1 else ''})")
    context = multiprocessing.get_context()
    alone: list[float] = []
    beside: list[float] = []
    slowdown: list[float] = []
    with ProcessPoolExecutor(2, mp_context=context, initializer=_join_pair,
                             initargs=(context.Barrier(2),)) as pool:
        list(pool.map(_pair_member, [(scenario, 0), (scenario, 1)]))  # one each, first
        for k in range(rounds):
            lone = pool.submit(_replication_timed, (scenario, k)).result()
            a, b = pool.map(_pair_member, [(scenario, k), (scenario, k)])
            alone.append(lone)
            beside += [a, b]
            slowdown.append((a + b) / 2 / lone)
    return {"rounds": rounds, "seconds_alone": alone, "seconds_beside": beside,
            "slowdown_rounds": slowdown, "slowdown": spread(slowdown)}


def comparison(path: Path, replications: int, workers: int, say: Say) -> dict[str, Any]:
    """The shipped comparison through the command line (``run_sim.py compare``), as a user
    runs it: wall time of the whole command, report included, output in a temporary folder."""
    say(f"  {path.name}: {replications} replications on {workers} workers (the longest step)")
    load_before = load()
    with tempfile.TemporaryDirectory(prefix="churn-sim-bench-") as tmp:
        command = [sys.executable, "-c", "import sys; from sim.cli import main; sys.exit(main())",
                   "compare", str(path), "-n", str(replications), "--workers", str(workers),
                   "--out", str(Path(tmp) / "comparison"), "--quiet"]
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True, text=True, env=_child_env())
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "replications": replications, "workers": workers,
            "command": ["run_sim.py", *command[3:-3], "--quiet"], "load_before": load_before, "load_after": load()}
