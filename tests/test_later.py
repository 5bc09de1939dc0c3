"""sim.core.later: events due after today wait in day buckets, and fire as Timeouts would."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
import simpy
from simpy.events import NORMAL

import sim.core.world as world
from sim.bench.sizes import scaled
from sim.core.later import Later, buckets_per_day
from sim.core.recorder import ReplicationResult
from sim.model.replication import Model
from sim.scenario import load_scenario

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def _fired(schedule_through_later: bool, seed: int, per_day: int = 1) -> list[tuple[float, int]]:
    """Events at random times over 30 days, some made by other events as they fire (as a clock
    event makes the next): when each fired and which it was."""
    rng = random.Random(seed)
    env = simpy.Environment()
    later = Later(env, per_day)
    log: list[tuple[float, int]] = []

    def fire(event: simpy.Event) -> None:
        number, children = event.value
        log.append((env.now, number))
        for child in range(children):
            schedule(rng.expovariate(0.7), number * 10 + child, 0)

    def schedule(delay: float, number: int, children: int) -> None:
        if schedule_through_later:
            later.at(env.now + delay, (number, children), fire)
        else:
            timeout = simpy.Timeout(env, delay, (number, children))
            timeout.callbacks.append(fire)

    for number in range(200):
        schedule(rng.uniform(0.0, 30.0), number, rng.randrange(3))
    env.run(until=40)
    return log


@pytest.mark.parametrize("per_day", [1, 8, 1024])
def test_events_fire_at_the_times_and_in_the_order_timeouts_would(per_day: int) -> None:
    for seed in range(3):
        through_later = _fired(True, seed, per_day)
        assert through_later == _fired(False, seed)  # the same floats, the same order
        assert len(through_later) > 300


def test_buckets_per_day_are_powers_of_two_about_one_per_25000_people() -> None:
    assert [buckets_per_day(n) for n in (0, 1, 15_000, 25_000, 25_001, 100_000, 1_000_000)] == [1, 1, 1, 1, 2, 4, 64]
    with pytest.raises(ValueError, match="power of two"):
        Later(simpy.Environment(), 3)


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


def test_only_todays_events_are_in_simpys_heap() -> None:
    env = simpy.Environment()
    later = Later(env)
    fired: list[float] = []
    for day in range(100):
        for k in range(10):
            later.at(day + (k + 0.5) / 10, None, lambda event: fired.append(env.now))
    assert len(env._queue) == 10 + 1  # day 0's events and the opening of day 1
    assert later.pending() == 990
    env.run(until=50.0)
    assert len(fired) == 500 and fired == sorted(fired)
    assert len(env._queue) <= 10 + 1
    assert later.pending() == 500


def test_an_event_for_later_today_goes_onto_the_heap_at_once() -> None:
    env = simpy.Environment()
    later = Later(env)
    env.run(until=3.25)
    fired: list[float] = []
    later.at(3.75, None, lambda event: fired.append(env.now))  # later today
    later.at(4.0, None, lambda event: fired.append(env.now))  # the first instant of tomorrow
    assert later.pending() == 1
    env.run(until=5)
    assert fired == [3.75, 4.0]


def test_the_simpy_internals_it_uses_are_what_schedule_uses() -> None:
    """Later pushes (time, NORMAL, next(eid), event) onto env._queue, as Environment.schedule
    does: check that the installed SimPy still keeps its queue so."""
    env = simpy.Environment(initial_time=0.25)
    eid_before = next(env._eid)
    timeout = simpy.Timeout(env, 0.5)
    (entry,) = env._queue
    assert entry[0] == 0.25 + 0.5 and entry[1] == NORMAL and entry[2] > eid_before and entry[3] is timeout
