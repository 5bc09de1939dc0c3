"""sim.core.later: events due after today wait in buckets, are stepped from a heap of their
own beside SimPy's, and fire as Timeouts would, ties included."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import simpy
from simpy.events import NORMAL

import sim.core.world as world
from sim.bench.sizes import scaled
from sim.core.later import VALUE, Entry, Environment, Later, buckets_per_day
from sim.core.recorder import ReplicationResult
from sim.model.replication import Model
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def _fired(through_later: bool, seed: int, per_day: int = 1, grid: float = 0.0) -> list[tuple[float, str, int]]:
    """Events at random times over 30 days, some made by other events as they fire (as a clock
    event makes the next), beside SimPy processes that wait on timeouts and start others (an
    urgent event each): what fired when, in what order. With ``through_later`` the first kind
    goes through Later, else every event is a Timeout. ``grid`` > 0 puts every time on
    multiples of it (exact floats: many ties of time, some at a bucket's start)."""
    rng = random.Random(seed)
    env = Environment()
    later = Later(env, per_day)
    log: list[tuple[float, str, int]] = []

    def delay() -> float:
        d = rng.expovariate(0.7)
        return round(d / grid) * grid if grid else d

    def fire(value: tuple[int, int]) -> None:
        number, children = value
        log.append((env.now, "event", number))
        for child in range(children):
            schedule(delay(), number * 10 + child, 0)
        if number % 7 == 0:
            env.process(worker(number, 2))

    def schedule(wait: float, number: int, children: int) -> None:
        if through_later:
            later.at(env.now + wait, (number, children), lambda entry: fire(entry[VALUE]))
        else:
            simpy.Timeout(env, wait, (number, children)).callbacks.append(lambda event: fire(event.value))

    def worker(number: int, rounds: int) -> simpy.events.ProcessGenerator:
        log.append((env.now, "worker starts", number))
        for _ in range(rounds):
            yield env.timeout(delay())
            log.append((env.now, "worker wakes", number))

    for number in range(200):
        start = rng.uniform(0.0, 30.0)
        schedule(round(start / grid) * grid if grid else start, number, rng.randrange(3))
    env.process(worker(-1, 40))
    env.run(until=40)
    return log


@pytest.mark.parametrize("per_day", [1, 8, 1024])
@pytest.mark.parametrize("grid", [0.0, 0.25])
def test_events_fire_at_the_times_and_in_the_order_timeouts_would(per_day: int, grid: float) -> None:
    for seed in range(3):
        through_later = _fired(True, seed, per_day, grid)
        assert through_later == _fired(False, seed, per_day, grid)  # the same floats, the same order
        assert sum(kind == "event" for _, kind, _ in through_later) > 300
        assert sum(kind == "worker wakes" for _, kind, _ in through_later) > 40
        if grid:  # the grid makes ties, within a heap and across the two, some at a bucket's start
            times = [time for time, _, _ in through_later]
            assert len(set(times)) < len(times) - 100
            assert sum(time == int(time) for time in times) > 20


def test_buckets_per_day_are_powers_of_two_about_one_per_2000_people() -> None:
    assert [buckets_per_day(n) for n in (0, 1, 2_000, 2_001, 15_000, 100_000, 1_000_000)] == [1, 1, 1, 2, 8, 64, 512]
    with pytest.raises(ValueError, match="power of two"):
        Later(Environment(), 3)


def test_a_model_runs_the_same_whatever_its_buckets(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small market with one bucket a day and with 16: every array of the result the same."""
    scenario = scaled(load_scenario(BASELINE), 2_000, 40)

    def result(per_day: int) -> ReplicationResult:
        monkeypatch.setattr(world, "buckets_per_day", lambda population: per_day)
        return Model(scenario, 0).run()

    one, sixteen = result(1), result(16)
    for table in ("daily", "churn", "hourly"):
        a, b = getattr(one, table), getattr(sixteen, table)
        assert a.keys() == b.keys()
        for name in a:
            assert np.array_equal(a[name], b[name], equal_nan=True), (table, name)


def test_only_todays_events_are_on_the_heap() -> None:
    env = Environment()
    later = Later(env)
    fired: list[float] = []
    for day in range(100):
        for k in range(10):
            later.at(day + (k + 0.5) / 10, None, lambda entry: fired.append(env.now))
    assert len(env._soon) == 10 + 1 and not env._queue  # day 0's events and the opening of day 1
    assert later.pending() == 990
    env.run(until=50.0)
    assert len(fired) == 500 and fired == sorted(fired)
    assert len(env._soon) <= 10 + 1
    assert later.pending() == 500


def test_an_event_for_later_today_goes_onto_the_heap_at_once() -> None:
    env = Environment()
    later = Later(env)
    env.run(until=3.25)
    fired: list[float] = []
    later.at(3.75, None, lambda entry: fired.append(env.now))  # later today
    later.at(4.0, None, lambda entry: fired.append(env.now))  # the first instant of tomorrow
    assert later.pending() == 1
    env.run(until=5)
    assert fired == [3.75, 4.0]


def test_an_entry_is_returned_carries_its_value_and_is_what_its_callback_gets() -> None:
    env = Environment()
    later = Later(env)
    got: list[Entry] = []
    today, tomorrow = later.at(0.5, "a", got.append), later.at(1.5, "b", got.append)
    assert today[0] == 0.5 and today[1] == NORMAL and today[VALUE] == "a" and tomorrow[VALUE] == "b"
    assert today[2] < tomorrow[2]  # ids in the order of scheduling
    env.run(until=2)
    assert got[0] is today and got[1] is tomorrow


def test_the_environment_peeks_at_both_heaps_and_runs_out_as_simpys_does() -> None:
    env = Environment()
    assert env.peek() == float("inf")
    env.run()  # nothing scheduled: returns, as SimPy's
    later = Later(env)
    later.at(0.5, None, lambda entry: None)
    simpy.Timeout(env, 0.75)
    assert env.peek() == 0.5
    env.step()  # the entry at 0.5
    assert env.now == 0.5 and env.peek() == 0.75
    env.step()  # the timeout
    assert env.now == 0.75 and env.peek() == 1.0  # the opening of the next day's bucket
    with pytest.raises(TypeError, match="sim.core.later.Environment"):
        Later(simpy.Environment())  # type: ignore[arg-type]  # the error tested


def test_an_error_in_a_callback_reaches_the_caller_of_run() -> None:
    env = Environment()
    later = Later(env)

    def fail(entry: Entry) -> None:
        raise RuntimeError("boom")

    later.at(0.5, None, fail)
    with pytest.raises(RuntimeError, match="boom"):
        env.run(until=1)
    assert env.now == 0.5


def test_the_simpy_internals_it_uses_are_what_schedule_and_step_use() -> None:
    """Later makes (time, NORMAL, next(eid), ...) as Environment.schedule makes its queue's
    entries, and the environment steps by setting ``_now``: check that the installed SimPy
    still keeps its queue and clock so."""
    env = simpy.Environment(initial_time=0.25)
    eid_before = next(env._eid)
    timeout = simpy.Timeout(env, 0.5)
    (entry,) = env._queue
    assert entry[0] == 0.25 + 0.5 and entry[1] == NORMAL and entry[2] > eid_before and entry[3] is timeout
    env.step()
    assert env._now == env.now == 0.75
    env._now = 2.5
    assert env.now == 2.5


def test_the_clock_is_one_value_whether_simpy_or_later_sets_it() -> None:
    """The environment keeps ``now`` as a plain attribute; SimPy's code sets and reads ``_now``."""
    env = Environment(initial_time=0.25)
    later = Later(env)
    simpy.Timeout(env, 0.5)  # scheduled by SimPy from _now: at 0.75
    seen: list[float] = []
    later.at(0.5, None, lambda entry: seen.append(env.now))
    env.run(until=0.8)
    assert seen == [0.5] and env.now == env._now == 0.8
    env._now = 2.5  # as SimPy's step sets it
    assert env.now == 2.5
