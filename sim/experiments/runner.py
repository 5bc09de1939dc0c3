"""Running replications: in this process or on local worker processes.

Replication *i* is a pure function of (scenario, i) (:func:`sim.model.replication.run_replication`),
so the results are identical whichever process runs it and in whatever order; the
runner only collects them back in index order. Progress is reported through a callback
(``on_progress(done, total)``, where ``done`` counts finished replications and, when
running in this process, fractions of the current one), never printed here.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed

from sim.core.recorder import ReplicationResult
from sim.model.replication import run_replication
from sim.outputs.tables import RunResult
from sim.scenario.schema import Scenario

Progress = Callable[[float, int], None]


def _end_quietly_on_interrupt() -> None:
    """In a worker: Ctrl-C (SIGINT, sent to the whole process group) ends the worker at once and
    silently; the main process reports the interruption, once. Workers start with SIGINT
    blocked (see :func:`run`), so one that arrives while a worker is still starting waits for
    this handler instead of printing a traceback."""
    signal.signal(signal.SIGINT, lambda signum, frame: os._exit(128 + signum))
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _one(args: tuple[Scenario, int]) -> ReplicationResult:
    scenario, index = args
    return run_replication(scenario, index)


def run(scenario: Scenario, *, workers: int = 1, on_progress: Progress | None = None) -> RunResult:
    """Run ``scenario.replications`` replications of ``scenario``."""
    total = scenario.replications
    results: list[ReplicationResult | None] = [None] * total
    if workers <= 1 or total == 1:
        horizon = scenario.warmup_days + scenario.horizon_days  # days simulated
        for i in range(total):
            on_day = None
            if on_progress is not None:
                def on_day(day: int, i: int = i, report: Progress = on_progress) -> None:
                    report(i + (day + 1) / horizon, total)
            results[i] = run_replication(scenario, i, on_day)
    else:
        with ProcessPoolExecutor(max_workers=min(workers, total), initializer=_end_quietly_on_interrupt) as pool:
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # inherited by the workers
            try:
                futures = {pool.submit(_one, (scenario, i)): i for i in range(total)}
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a Ctrl-C meanwhile is raised here
            for done, future in enumerate(as_completed(futures), start=1):
                results[futures[future]] = future.result()
                if on_progress:
                    on_progress(done, total)
    return RunResult(scenario, [r for r in results if r is not None])
