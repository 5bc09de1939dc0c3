"""A comparison's shared warm-up: simulated once per replication, continued by every scenario.

Every alternative of a comparison is the baseline plus investments, and an investment acts
from a day of the measured window, never before (:mod:`sim.scenario.investments`). On common
random numbers, replication *i* of every such scenario therefore simulates the same warm-up,
event for event, as replication *i* of the baseline: only after it do they part. Replication
*i* of a group of them is run here as one task: the model is built and run to the end of the
warm-up once, then each scenario carries on from that state through its measured window. With
the shipped baseline (364 days of warm-up, 1,095 measured) and eight scenarios, that is 364 +
8 × 1,095 days simulated instead of 8 × 1,459, about a fifth less.

The state cannot be saved and restored: it holds SimPy's processes, live generators, which
can be neither pickled nor copied. So it is copied whole by ``os.fork()``: for each scenario
but the last, a child process (a copy of this one, the model paused at the end of the warm-up)
runs the measured window and sends its :class:`~sim.core.recorder.ReplicationResult` back,
pickled, through a pipe (after a record of each day simulated, for the progress), while this
process waits (one process at work, so ``--workers`` still counts the processes at work); the
last scenario is run by this process itself.

The carried-over run is identical to a run from the start (tests/test_shared_warmup.py
compares every array of every result, and the comparison section), because:

- what a scenario's warm-up depends on is the same: everything but its name, description,
  version, investments and number of replications (:func:`warmup_key`), nothing of which the
  model reads before the first investment acts; scenarios that differ in anything else (an
  "alternative world", allowed by ``--allow-warmup-changes``) get warm-ups of their own;
- SimPy runs the events due at the same time by priority and then in the order they were
  scheduled. The warm-up schedules, in the place where a run from the start schedules the one
  process that makes a scenario's changes, one wait for each distinct first-change day of the
  group (:meth:`sim.model.replication.Model.start`); each scenario's changes then continue from
  the wait of its own first day, which holds the place in the queue its process would have
  held. Waits of other scenarios and the pause at the end of the warm-up are events that do
  nothing, and an event that does nothing moves no other event's place relative to the rest.

Where this cannot be done, the scenarios are run from the start, one after the other, as
before: without ``os.fork`` (not on Windows), without the memory for a copy of the process
(:func:`room_for_a_copy`), in a process running other threads (a child of a
threaded process gets copies of locks that other threads may hold; the command line's
progress bar runs without tqdm's monitor thread for this reason), when the fork fails, or when a child fails (the scenario is then run again here from
the start, so a genuine error is raised here, with its traceback). The runner does not use it
on Dask (:mod:`sim.experiments.runner`): a Dask worker is threaded.
"""

from __future__ import annotations

import math
import os
import pickle
import signal
import time
from collections.abc import Callable, Sequence

from sim.core.processes import can_fork
from sim.core.recorder import ReplicationResult
from sim.experiments import sizing
from sim.model.replication import DayCallback, Model, run_replication
from sim.scenario import investments
from sim.scenario.schema import Scenario

# What two scenarios sharing a warm-up may differ in: what the model does not read before the
# first investment acts (the investments act from their start day of the measured window on).
NOT_IN_THE_WARMUP = frozenset({"name", "description", "version", "investments", "replications"})

Done = Callable[[int, ReplicationResult], None]  # (index in the group, its result)


def warmup_key(scenario: Scenario) -> str | None:
    """What a replication's warm-up depends on (scenarios with equal keys share it), or None
    when it has no warm-up to share."""
    if scenario.warmup_days <= 0:
        return None
    return scenario.model_dump_json(exclude=set(NOT_IN_THE_WARMUP))


def room_for_a_copy() -> bool:
    """Whether the memory available would hold a whole copy of this process. A child shares
    its parent's pages until it writes one (a child of the baseline's 15,000-person market,
    a year of window, wrote about 12 MB of its 120 MB resident), but what it writes grows with
    the market and Python writes an object's reference count whenever it reads it: asking for
    room for the whole is the safe side. Without it, the scenarios run from the start instead.
    True where either figure is unknown."""
    available = sizing.available_memory()
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            resident = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return True
    return available is None or available >= resident


def chunks(size: int, groups: int, workers: int, warmup: int, horizon: int) -> int:
    """Into how many parts to split each of ``groups`` groups of ``size`` scenarios sharing a
    warm-up, on ``workers`` processes: the fewest parts for the shortest run, by days simulated
    (a part: one warm-up and its scenarios' measured windows; parts of equal size run in rounds
    of ``workers``). One part each when there are enough groups to keep every worker busy;
    more when there are fewer groups than workers (a single replication of a comparison on
    two workers runs as two halves, each with its warm-up)."""
    best, best_days = 1, math.inf
    for parts in range(1, size + 1):
        days = math.ceil(groups * parts / max(workers, 1)) * (warmup + math.ceil(size / parts) * horizon)
        if days < best_days:
            best, best_days = parts, days
    return best


def run_group(
    scenarios: Sequence[Scenario],
    replication: int,
    on_result: Done | None = None,
    on_day: DayCallback | None = None,
) -> list[ReplicationResult]:
    """Replication ``replication`` of each of ``scenarios``, in order, sharing one warm-up.

    Two or more scenarios must have equal :func:`warmup_key` (else ``ValueError``); a lone
    scenario is simply run, warm-up or not. ``on_result(k, result)`` is called as each one's
    result is ready; ``on_day(day)`` on the days simulated in this process (the warm-up, the
    last scenario's window, whatever runs from the start, and, passed back as they are simulated,
    the days of the windows run in copies): once for each day simulated for the group, in order
    within each scenario."""
    scenarios = list(scenarios)
    keys = {warmup_key(s) for s in scenarios}
    if len(scenarios) > 1 and (len(keys) != 1 or None in keys):
        raise ValueError("the scenarios of a shared warm-up must have one, and the same, warm-up")
    results: list[ReplicationResult] = []

    def done(result: ReplicationResult) -> None:
        results.append(result)
        if on_result is not None:
            on_result(len(results) - 1, result)

    if len(scenarios) == 1 or not can_fork():
        for scenario in scenarios:
            done(run_replication(scenario, replication, on_day))
        return results
    warmup = scenarios[0].warmup_days
    plans = [investments.schedule(s) for s in scenarios]
    model = Model(scenarios[0], replication)
    model.start([warmup + min(day for day, _ in plan) for plan in plans if plan])
    model.run_until_window(on_day)
    for k, (scenario, plan) in enumerate(zip(scenarios, plans, strict=True)):
        if k < len(scenarios) - 1:
            result = _in_a_copy(model, scenario, plan, on_day) if room_for_a_copy() else None
            done(result if result is not None else run_replication(scenario, replication, on_day))
        else:
            done(model.finish(scenario, plan, on_day))  # the last one in this process
    return results


# What a copy writes to its pipe: a record for each day it simulates (when asked), the mark and
# the day's number, sent a tenth of a second's worth at a time (this process wakes to read them:
# ~13 µs of its time a day, sent one by one); then the result's mark and the result, pickled.
_DAY, _RESULT = b".", b"!"
_DAY_SIZE = 5  # the mark and the day as 4 bytes
_SEND_SECONDS = 0.1


def _in_a_copy(model: Model, scenario: Scenario, plan: Sequence[tuple[float, Scenario]],
               on_day: DayCallback | None = None) -> ReplicationResult | None:
    """``model.finish(scenario, plan)`` in a copy of this process, leaving ``model`` as it is;
    None if that failed (the fork, or the child). ``on_day(day)`` is called here for each day
    the copy simulates, as it simulates them."""
    read, write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: whatever happens, it ends here and never returns into the caller
        code = 1
        try:
            os.close(read)
            parent = os.getppid()
            tell = on_day is not None
            days = bytearray()  # the days' records not yet sent
            sent = time.monotonic()

            def orphaned(day: int) -> None:  # its parent ended (e.g. a worker stopped): end too
                nonlocal sent
                if os.getppid() != parent:
                    os._exit(1)
                if tell:
                    days.extend(_DAY + day.to_bytes(4, "little"))
                    if time.monotonic() - sent >= _SEND_SECONDS:
                        _send(write, days)
                        sent = time.monotonic()

            result = model.finish(scenario, plan, orphaned)
            _send(write, days + _RESULT)
            with os.fdopen(write, "wb") as out:
                pickle.dump(result, out, protocol=pickle.HIGHEST_PROTOCOL)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    try:
        data = _received(read, on_day)
    except BaseException:  # e.g. Ctrl-C: the child goes too
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        raise
    _, status = os.waitpid(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or not data:
        return None
    result = pickle.loads(data)
    return result if isinstance(result, ReplicationResult) else None


def _send(write: int, data: bytearray) -> None:
    """Write all of ``data`` to the pipe ``write`` (a write may take part of it), and clear it."""
    view = memoryview(data)
    while view:
        view = view[os.write(write, view):]
    view.release()
    data.clear()


def _received(read: int, on_day: DayCallback | None) -> bytes:
    """What a copy sends through the pipe ``read`` (closed here), to its end: ``on_day(day)`` for
    each day's record, then the pickled result after its mark, returned (empty if it never came)."""
    data = bytearray()
    result = False
    with os.fdopen(read, "rb", buffering=0) as pipe:
        while chunk := pipe.read(1 << 16):
            data += chunk
            if result:
                continue
            at = 0  # the days' records, as far as they came whole
            while len(data) - at >= _DAY_SIZE and data[at:at + 1] == _DAY:
                if on_day is not None:
                    on_day(int.from_bytes(data[at + 1:at + _DAY_SIZE], "little"))
                at += _DAY_SIZE
            if data[at:at + 1] == _RESULT:
                result = True
                at += 1
            del data[:at]
    return bytes(data) if result else b""
