"""Running replications: in this process, on local worker processes or on Dask.

Replication *i* is a pure function of (scenario, i) (:func:`sim.model.replication.run_replication`),
so the results are identical whichever process or machine runs it and in whatever order; the
runner only collects them back in order. :func:`run_many` runs the replications of several
scenarios as one set of tasks, (scenario, replication) pairs, on one executor; :func:`run` is
one scenario. Progress is reported through a callback (``on_progress(done, total)``, over all
the tasks, where ``done`` counts finished replications and the fractions done of those under
way, by the days simulated: in this process or on local workers, which count them in shared
memory; on Dask, finished replications only), never printed here.

A comparison's scenarios share their warm-up (:mod:`sim.experiments.shared_warmup`): the
replications of one number whose warm-ups are the same (the baseline and its investment
alternatives) run as one task, the warm-up simulated once and continued by each scenario —
unless on Dask, whose workers are threaded and may not copy themselves. The results are the
same as running each from the start; a task then finishes several (scenario, replication)
pairs, each checkpointed as it finishes (on a worker, by the worker: a run stopped meanwhile
keeps it) and counted in the progress.

Checkpoints: given a folder, every finished replication is written there at once, atomically
(a temporary file renamed into place), named by its scenario's :func:`fingerprint` and its
number; a run given the same folder loads the replications found there instead of running them
again, and ignores (never deletes) those of any other scenario.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import pickle
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

from sim.core.recorder import ReplicationResult
from sim.core.version import full_version
from sim.experiments import shared_warmup
from sim.model.replication import run_replication
from sim.outputs.tables import RunResult
from sim.scenario.schema import Scenario

Progress = Callable[[float, int], None]
Task = tuple[int, int]  # (scenario index, replication)
Unit = tuple[Task, ...]  # tasks run as one: one replication of scenarios sharing a warm-up (or one task)


class Finished(Protocol):
    """Hands a finished replication to the run (``saved``: its checkpoint is written already)."""

    def __call__(self, task: Task, result: ReplicationResult, saved: bool = False) -> None: ...


DASK_INSTALL = "pip install -e '.[dask]'"
CHECKPOINT_SUFFIX = ".pickle"
POLL_SECONDS = 0.1  # how soon a run waiting for replications acts on a signal
WORKER_PRELOAD = "sim.experiments.dask_worker"  # makes a LocalCluster's workers ignore Ctrl-C


class Interrupted(KeyboardInterrupt):
    """A run stopped by a signal: Ctrl-C (SIGINT) or SIGTERM; ``signum`` says which. A
    KeyboardInterrupt, so whatever stops on Ctrl-C stops on it too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)  # in args: SimPy re-raises a process's exception as type(e)(*e.args)
        self.signum = signum


class ExecutorError(Exception):
    """The executor asked for cannot be used: Dask is not installed, or its scheduler cannot be
    reached."""


STOPPING = (signal.SIGINT, signal.SIGTERM)


# ------------------------------------------------------------------ checkpoints


def fingerprint(scenario: Scenario) -> str:
    """SHA-256 of what a replication's result depends on: the scenario's resolved content (all
    but the number of replications, which changes none of them) and the code's version."""
    content = scenario.model_dump_json(exclude={"replications"})
    return hashlib.sha256(f"{full_version()}\n{content}".encode()).hexdigest()


class Checkpoints:
    """A folder of finished replications, one pickle each, named ``<fingerprint>-<i>.pickle``.
    Pickles run code when loaded: a checkpoint folder is trusted like the scenario file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, fingerprint: str, index: int) -> Path:
        return self.folder / f"{fingerprint}-{index}{CHECKPOINT_SUFFIX}"

    def load(self, fingerprint: str, index: int) -> ReplicationResult | None:
        """The replication checkpointed, or None when there is none (or none readable: it is
        then run again and its checkpoint rewritten)."""
        try:
            with open(self.path(fingerprint, index), "rb") as f:
                saved = pickle.load(f)
        except FileNotFoundError:
            return None
        except Exception:  # a damaged checkpoint is run again
            return None
        if (not isinstance(saved, dict) or saved.get("fingerprint") != fingerprint
                or saved.get("replication") != index or not isinstance(saved.get("result"), ReplicationResult)):
            return None
        result: ReplicationResult = saved["result"]
        return result

    def save(self, fingerprint: str, index: int, result: ReplicationResult) -> None:
        """Write one checkpoint atomically: a temporary file in the folder, renamed into place."""
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "wb") as f:
                pickle.dump({"fingerprint": fingerprint, "replication": index, "result": result}, f,
                            protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path(fingerprint, index))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def files(self) -> list[Path]:
        """Every checkpoint in the folder, of whatever scenario."""
        if not self.folder.is_dir():
            return []
        return sorted(p for p in self.folder.iterdir() if p.name.endswith(CHECKPOINT_SUFFIX))

    def of(self, fingerprints: set[str]) -> list[Path]:
        """The checkpoints of these scenarios (by fingerprint)."""
        return [p for p in self.files() if p.name.rsplit("-", 1)[0] in fingerprints]


# ------------------------------------------------------------------ running


def run(
    scenario: Scenario,
    *,
    workers: int = 1,
    dask: str | None = None,
    checkpoints: Path | None = None,
    on_progress: Progress | None = None,
) -> RunResult:
    """Run ``scenario.replications`` replications of ``scenario`` (see :func:`run_many`)."""
    return run_many([scenario], workers=workers, dask=dask, checkpoints=checkpoints, on_progress=on_progress)[0]


def run_many(
    scenarios: Sequence[Scenario],
    *,
    workers: int = 1,
    dask: str | None = None,
    checkpoints: Path | None = None,
    on_progress: Progress | None = None,
) -> list[RunResult]:
    """Run every scenario's replications, as one set of tasks, and return one result per
    scenario, in order; the numbers are identical whatever the executor and ``workers``.

    ``workers``: processes (1: this one; with ``dask="local"``, Dask's workers). ``dask``:
    None (local processes), ``"local"`` (a Dask LocalCluster on 127.0.0.1, closed after) or a
    scheduler's address ``"tcp://host:port"``. ``checkpoints``: a folder where each finished
    replication is saved and from which those already saved are loaded instead of run.
    """
    scenarios = list(scenarios)
    tasks = [(s, i) for s, scenario in enumerate(scenarios) for i in range(scenario.replications)]
    total = len(tasks)
    results: dict[Task, ReplicationResult] = {}
    store = Checkpoints(checkpoints) if checkpoints is not None else None
    prints = [fingerprint(scenario) for scenario in scenarios] if store is not None else []
    if store is not None:
        for s, i in tasks:
            loaded = store.load(prints[s], i)
            if loaded is not None:
                results[(s, i)] = loaded
        if results and on_progress is not None:
            on_progress(len(results), total)
    todo = [task for task in tasks if task not in results]
    # Of each unit under way, the replications' worth of days it has simulated beyond those of
    # its replications already finished (see _UnderWay); reported with the finished ones.
    under_way: dict[Unit, float] = {}
    shown = [-1.0]

    def report() -> None:
        done = len(results) + sum(under_way.values())
        if on_progress is not None and done != shown[0]:
            shown[0] = done
            on_progress(done, total)

    def finished(task: Task, result: ReplicationResult, saved: bool = False) -> None:
        if store is not None and not saved:
            store.save(prints[task[0]], task[1], result)
        results[task] = result
        report()

    if not todo:
        pass
    elif dask is not None:
        _run_on_dask(scenarios, todo, dask, max(workers, 1), finished)
    else:
        units = _units(scenarios, todo, max(workers, 1))
        progress = _UnderWay(scenarios, under_way, report) if on_progress is not None else None
        if workers <= 1 or len(units) == 1:
            _run_here(scenarios, units, finished, progress)
        else:
            saves: list[Saves] = ([(checkpoints, [prints[s] for s, _ in unit]) for unit in units]
                                  if checkpoints is not None else [])
            _run_on_workers(scenarios, units, min(workers, len(units)), finished, progress, saves)
    return [RunResult(scenario, [results[(s, i)] for i in range(scenario.replications)])
            for s, scenario in enumerate(scenarios)]


def _units(scenarios: list[Scenario], todo: list[Task], workers: int) -> list[Unit]:
    """The tasks to run, as units: the tasks of one replication whose scenarios share their
    warm-up (:func:`shared_warmup.warmup_key`) together, split in as many parts as keep
    ``workers`` busy (:func:`shared_warmup.chunks`); every other task alone. In the order of
    ``todo`` (by its first task)."""
    keys = [shared_warmup.warmup_key(scenario) for scenario in scenarios]
    together: dict[tuple[str, int], list[Task]] = {}
    units: list[list[Task]] = []
    for s, i in todo:
        key = keys[s]
        if key is None:
            units.append([(s, i)])
        elif (key, i) in together:
            together[(key, i)].append((s, i))
        else:
            together[(key, i)] = [(s, i)]
            units.append(together[(key, i)])
    shared = [unit for unit in units if len(unit) > 1]
    if not shared:
        return [tuple(unit) for unit in units]
    first = scenarios[shared[0][0][0]]
    parts = shared_warmup.chunks(max(map(len, shared)), len(shared), workers, first.warmup_days,
                                 first.horizon_days)
    out: list[Unit] = []
    for unit in units:
        n = min(parts, len(unit))
        sizes = [len(unit) // n + (1 if j < len(unit) % n else 0) for j in range(n)]
        starts = [sum(sizes[:j]) for j in range(n)]
        out.extend(tuple(unit[a:a + size]) for a, size in zip(starts, sizes, strict=True))
    return out


class _UnderWay:
    """The progress of the units under way, in replications: a unit of n replications that has
    simulated d of its D days (:func:`_unit_days`) has done n·d/D replications' worth, of which
    those of its replications already finished are counted as such; the rest is its share here,
    never negative (a unit's first replication finishes after its warm-up and window, more than
    its share of the days)."""

    def __init__(self, scenarios: list[Scenario], shares: dict[Unit, float], report: Callable[[], None]) -> None:
        self.scenarios = scenarios
        self.shares = shares
        self.report = report

    def put(self, unit: Unit, days: int, finished: int = 0) -> None:
        """``unit`` has simulated ``days`` days and finished ``finished`` of its replications."""
        done = len(unit) * min(days / _unit_days(self.scenarios, unit), 1.0)
        self.shares[unit] = max(done - finished, 0.0)

    def set(self, unit: Unit, days: int, finished: int = 0) -> None:
        """:meth:`put`, and report the progress."""
        self.put(unit, days, finished)
        self.report()

    def ended(self, unit: Unit, finished: int) -> None:
        """``unit`` has simulated all its days and finished ``finished`` of its replications (as
        its results are counted, one by one: the progress does not move back)."""
        self.shares[unit] = len(unit) - finished

    def end(self, unit: Unit) -> None:
        """``unit`` has finished (its replications are counted as such)."""
        self.shares.pop(unit, None)


def _unit_days(scenarios: Sequence[Scenario], unit: Unit) -> int:
    """The days a unit tells (``on_day``): a lone scenario's warm-up and window; of several
    sharing a warm-up, the warm-up's once but for its last day, and each scenario's window with
    that day (a day is told at its end, which is where each scenario carries on from)."""
    first = scenarios[unit[0][0]]
    if len(unit) == 1:
        return max(first.warmup_days + first.horizon_days, 1)
    return first.warmup_days - 1 + sum(scenarios[s].horizon_days + 1 for s, _ in unit)


def _run_here(scenarios: list[Scenario], units: list[Unit], finished: Finished, progress: _UnderWay | None) -> None:
    """The replications in this process, one unit after the other (:func:`_run_unit_here`)."""
    for unit in units:
        _run_unit_here(scenarios, unit, finished, progress)


def _run_unit_here(scenarios: list[Scenario], unit: Unit, finished: Finished, progress: _UnderWay | None) -> None:
    """A unit in this process, its progress reported day by day (the days simulated for it, in
    this process or in the copies that share its warm-up). A unit of one scenario is simply run;
    of several, they share its warm-up."""
    days = ended = 0

    def on_day(day: int) -> None:
        nonlocal days
        days += 1
        if progress is not None:
            progress.set(unit, days, ended)

    def each(k: int, result: ReplicationResult) -> None:
        nonlocal ended
        ended += 1
        if progress is not None:
            progress.put(unit, days, ended)
        finished(unit[k], result)

    shared_warmup.run_group([scenarios[s] for s, _ in unit], unit[0][1], each,
                            on_day if progress is not None else None)
    if progress is not None:
        progress.end(unit)


def _end_quietly_on_interrupt(stopped: Any) -> None:
    """In a worker: Ctrl-C (SIGINT, sent to the whole process group) or SIGTERM ends the worker
    at once and silently, noting the signal in ``stopped`` (shared with the main process, which
    reports the interruption, once). Workers start with both signals blocked (see
    :func:`_run_on_workers`), so one that arrives while a worker is still starting waits for
    this handler instead of printing a traceback."""

    def end(signum: int, frame: object) -> None:
        stopped.value = signum
        os._exit(128 + signum)

    for signum in STOPPING:
        signal.signal(signum, end)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPPING)


# In a worker: the days each unit has simulated (None if no progress is asked for), shared with
# the main process, which reads them (_run_on_workers); a unit's count is written by one process.
_days: Any = None


def _start_worker(stopped: Any, days: Any) -> None:
    global _days
    _days = days
    _end_quietly_on_interrupt(stopped)


def _count_day(slot: int) -> Callable[[int], None]:
    days = _days

    def on_day(day: int) -> None:
        days[slot] += 1

    return on_day


Saves = tuple[Path, list[str]] | None  # a unit's checkpoint folder and its scenarios' fingerprints


def _unit(args: tuple[list[Scenario], int, int, Saves]) -> list[ReplicationResult]:
    """A unit's replications in a worker: one scenario's, or several sharing their warm-up; its
    days simulated counted in slot ``args[2]`` of the shared counts, if any; each replication's
    checkpoint written as it finishes, given a folder (``args[3]``), so that an interrupted run
    keeps the scenarios its units under way had finished."""
    scenarios, index, slot, saves = args
    on_result = None
    if saves is not None:
        store, prints = Checkpoints(saves[0]), saves[1]

        def on_result(k: int, result: ReplicationResult) -> None:
            store.save(prints[k], index, result)

    return shared_warmup.run_group(scenarios, index, on_result, _count_day(slot) if _days is not None else None)


def _run_on_workers(scenarios: list[Scenario], units: list[Unit], workers: int, finished: Finished,
                    progress: _UnderWay | None = None, saves: Sequence[Saves] = ()) -> None:
    """Replications on ``workers`` local processes, a unit each, handed to ``finished`` as
    their unit ends (checkpointed by the worker as each finishes, given ``saves``, one a unit);
    the units' progress read, between two waits, from the days each has simulated, which the
    workers count in shared memory.

    An interruption must end the run as one, however the signal and the pool's own
    bookkeeping interleave: Ctrl-C reaches the workers too (one process group), and a worker
    that ends on it can make the pool report itself broken (BrokenProcessPool) before this
    process has handled its own copy of the signal. So a worker that ends on a signal notes it
    in ``stopped``, and a broken pool with such a note is an :class:`Interrupted`. On any
    interruption the replications not yet started are cancelled and the workers still
    running (a signal sent to this process alone does not reach them) are ended, so the run
    stops at once and leaves no process behind.

    While it waits, this process notes a signal rather than raising it (:func:`_signals_noted`)
    and raises it between two waits: raised inside the pool's bookkeeping, it could leave a
    future's lock held, and the pool's own thread, blocked on it, would never let the pool shut
    down.
    """
    context = multiprocessing.get_context()
    stopped = context.RawValue("i", 0)  # set by a worker that ends on a signal
    days = context.RawArray("q", len(units)) if progress is not None else None  # by unit: see _unit
    pool: ProcessPoolExecutor | None = None
    try:
        with _signals_noted() as caught:
            blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOPPING)  # inherited by the workers
            broken = False
            try:
                pool = ProcessPoolExecutor(max_workers=workers, mp_context=context,
                                           initializer=_start_worker, initargs=(stopped, days))
                futures: dict[Future[Any], Unit] = {}
                slots: dict[Future[Any], int] = {}  # the unit's place in ``days``
                for slot, unit in enumerate(units):
                    save = saves[slot] if saves else None
                    future = pool.submit(_unit, ([scenarios[s] for s, _ in unit], unit[0][1], slot, save))
                    futures[future], slots[future] = unit, slot
            except BrokenProcessPool:
                # A worker started by an early submit ended on a signal sent to the whole group
                # while this process, its signals blocked, was still submitting.
                broken = True
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, blocked)  # a signal meanwhile is noted here
            if broken:
                if stopped.value or caught:
                    raise Interrupted(stopped.value or caught[0])
                raise BrokenProcessPool("a worker process ended while the replications were being submitted")
            pending = set(futures)
            while pending:
                if caught:
                    raise Interrupted(caught[0])
                done, pending = wait(pending, timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    try:
                        result = future.result()
                    except BrokenProcessPool:
                        if stopped.value or caught:
                            raise Interrupted(stopped.value or caught[0]) from None
                        raise
                    unit = futures[future]
                    for k, (task, one) in enumerate(zip(unit, result, strict=True)):
                        if progress is not None:
                            progress.ended(unit, k + 1)
                        finished(task, one, saved=bool(saves))
                    if progress is not None:
                        progress.end(unit)
                if progress is not None and days is not None:
                    for future in pending:
                        slot = slots[future]
                        if days[slot]:  # under way
                            progress.put(futures[future], days[slot])
                    progress.report()
        if pool is not None:
            pool.shutdown()
    except BaseException:
        if pool is not None:
            _stop(pool)
        raise


@contextmanager
def _signals_noted() -> Iterator[list[int]]:
    """Inside, SIGINT and SIGTERM are noted in the list yielded instead of raised (for the
    caller to raise where it is safe to); outside the main thread, where no handler can be
    set, they are left as they are."""
    caught: list[int] = []
    if threading.current_thread() is not threading.main_thread():
        yield caught
        return

    def note(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {signum: signal.signal(signum, note) for signum in STOPPING}
    try:
        yield caught
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


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


# ------------------------------------------------------------------ Dask


def dask_available() -> bool:
    """Whether ``dask.distributed`` can be imported (the ``dask`` extra)."""
    try:
        import distributed  # noqa: F401
    except ImportError:
        return False
    return True


def _replicate(scenario: Scenario, index: int) -> ReplicationResult:
    return run_replication(scenario, index)


@contextmanager
def _quiet(logger: str) -> Iterator[None]:
    """Only errors from ``logger``: Dask's notes on workers closing at the end of a run (or
    ended by a signal) are no news."""
    log = logging.getLogger(logger)
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


@contextmanager
def _starting_workers() -> Iterator[None]:
    """While a LocalCluster starts: SIGINT ignored, SIGTERM noted and raised (as
    :class:`Interrupted`) on leaving, whatever the start came to.

    Its workers are spawned (a fresh interpreter each), so they inherit neither a handler nor a
    blocked signal, only an ignored one: ignored from their first instruction, a Ctrl-C sent to
    the whole process group cannot end one half started with a traceback. It cannot be noted
    here at the same time (the disposition is the process's), so a Ctrl-C in these few seconds
    is lost; once the cluster is up, it stops the run."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def note(signum: int, frame: object) -> None:
        caught.append(signum)

    previous = {signal.SIGINT: signal.signal(signal.SIGINT, signal.SIG_IGN),
                signal.SIGTERM: signal.signal(signal.SIGTERM, note)}
    try:
        yield
    except Exception:
        if not caught:
            raise
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if caught:
            raise Interrupted(caught[0])


def _run_on_dask(scenarios: list[Scenario], todo: list[Task], address: str, workers: int,
                 finished: Finished) -> None:
    """Replications on Dask: a LocalCluster of ``workers`` processes on 127.0.0.1 started for
    the run (``address == "local"``) or the scheduler at ``address``; each handed to
    ``finished`` as it ends. Ctrl-C (or SIGTERM) cancels what is left, closes the client and,
    if started here, the cluster: the cluster's workers ignore SIGINT (:func:`_starting_workers`;
    one restarted later, by :mod:`sim.experiments.dask_worker`), so a Ctrl-C sent to the whole
    process group stops this process alone, which closes them."""
    if not dask_available():
        raise ExecutorError(f"Dask is not installed: {DASK_INSTALL}")
    import distributed

    with _quiet("distributed"):
        cluster: Any = None
        client: Any = None
        futures: dict[Any, Task] = {}
        try:
            if address == "local":
                with _starting_workers():
                    cluster = distributed.LocalCluster(
                        n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, silence_logs=logging.ERROR, preload=[WORKER_PRELOAD],
                    )
                    client = distributed.Client(cluster)
            else:
                try:
                    client = distributed.Client(address, timeout="10s")
                except (OSError, TimeoutError) as err:
                    raise ExecutorError(f"cannot reach the Dask scheduler at {address}: {err}") from None
            run_id = uuid.uuid4().hex[:12]
            futures = {client.submit(_replicate, scenarios[s], i, key=f"churn-sim-{run_id}-{s}-{i}", pure=False): (s, i)
                       for s, i in todo}
            with _signals_noted() as caught:  # raised between waits, never inside Dask's bookkeeping
                completed = distributed.as_completed(futures, with_results=True)
                while not completed.is_empty():
                    if caught:
                        raise Interrupted(caught[0])
                    batch = completed.next_batch(block=False)
                    if not batch:
                        time.sleep(POLL_SECONDS)
                    for future, result in batch:
                        finished(futures[future], result)
        finally:
            if client is not None:
                if futures:
                    try:
                        client.cancel(list(futures))
                    except Exception:  # closing anyway
                        pass
                client.close()
            if cluster is not None:
                cluster.close()
