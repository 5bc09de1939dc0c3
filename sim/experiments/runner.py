"""Running replications: in this process or on local worker processes.

Replication *i* is a pure function of (scenario, i) (:func:`sim.model.replication.run_replication`),
so the results are identical whichever process runs it and in whatever order; the
runner only collects them back in index order. Progress is reported through a callback
(``on_progress(done, total)``, where ``done`` counts finished replications and, when
running in this process, fractions of the current one), never printed here.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from sim.core.recorder import ReplicationResult
from sim.model.replication import run_replication
from sim.outputs.tables import RunResult
from sim.scenario.schema import Scenario

Progress = Callable[[float, int], None]


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal: Ctrl-C (SIGINT) or SIGTERM; ``signum`` says which. A
    KeyboardInterrupt, so whatever stops on Ctrl-C stops on it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)  # in args: SimPy re-raises a process's exception as type(e)(*e.args)
        self.signum = signum


STOPPING = (signal.SIGINT, signal.SIGTERM)


def _end_quietly_on_interrupt(stopped: Any) -> None:
    """In a worker: Ctrl-C (SIGINT, sent to the whole process group) or SIGTERM ends the worker
    at once and silently, noting the signal in ``stopped`` (shared with the main process, which
    reports the interruption, once). Workers start with both signals blocked (see :func:`run`),
    so one that arrives while a worker is still starting waits for this handler instead of
    printing a traceback."""

    def end(signum: int, frame: object) -> None:
        stopped.value = signum
        os._exit(128 + signum)

    for signum in STOPPING:
        signal.signal(signum, end)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


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
        _run_on_workers(scenario, min(workers, total), results, on_progress)
    return RunResult(scenario, [r for r in results if r is not None])


def _run_on_workers(
    scenario: Scenario, workers: int, results: list[ReplicationResult | None], on_progress: Progress | None
) -> None:
    """Replications on ``workers`` local processes, into ``results``.

    An interruption must end the run as one, however the signal and the pool's own
    bookkeeping interleave: Ctrl-C reaches the workers too (one process group), and a worker
    that ends on it can make the pool report itself broken (BrokenProcessPool) before this
    process has handled its own copy of the signal. So a worker that ends on a signal notes it
    in ``stopped``, and a broken pool with such a note is an :class:`Interrupted`. On any
    interruption the replications not yet started are cancelled and the workers still
    running (a signal sent to this process alone does not reach them) are ended, so the run
    stops at once and leaves no process behind.
    """
    context = multiprocessing.get_context()
    stopped = context.RawValue("i", 0)  # set by a worker that ends on a signal
    pool: ProcessPoolExecutor | None = None
    try:
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)  # inherited by the workers
        try:
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                       initializer=_end_quietly_on_interrupt, initargs=(stopped,))
            futures = {pool.submit(_one, (scenario, i)): i for i in range(len(results))}
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a signal meanwhile is raised here
        for done, future in enumerate(as_completed(futures), start=1):
            try:
                results[futures[future]] = future.result()
            except BrokenProcessPool:
                if stopped.value:
                    raise Interrupted(stopped.value) from None
                raise
            if on_progress:
                on_progress(done, len(results))
        pool.shutdown()
    except BaseException:
        if pool is not None:
            _stop(pool)
        raise


def _stop(pool: ProcessPoolExecutor) -> None:
    """End the workers and wait until they are gone, then shut the pool down.

    The workers first: a pool told to shut down while its workers are still alive can wait
    forever on its queue to them once they die; with them gone it finds itself broken and
    cleans up at once."""
    processes = tuple((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        if process.is_alive():
            process.terminate()  # SIGTERM: the worker's handler ends it at once
    for process in processes:
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join()
    pool.shutdown(wait=True, cancel_futures=True)
