"""One replication: build the world, wire the mechanisms, run, collect.

:func:`run_replication` is a pure function of (scenario, replication index): the seed
comes from the scenario, every random number from (seed, replication, mechanism, who, why),
and the result is plain picklable data. So a replication gives the same numbers in any
process, on any worker, in any order — which is what parallel runs and paired
comparisons need.

The stages, in order: draw the population; build the social network; create the
mechanisms and connect them; seed the initial customers; start the daily snapshot;
run SimPy until the horizon; hand back the recorder's result.

A run may switch to another scenario on given days (``changes``): an investment that
starts on day 90 takes effect on day 90. Each mechanism re-reads its parameters
(``refresh``), the desk hires or lets go agents, and the pending events of the customers'
and advertising clocks whose rates changed keep their slots and have their time left
rescaled to the new rate (nothing else changes: applying the identical scenario changes
nothing). What is drawn once at the start — the
market, the network, people's traits, the seed and the horizon — cannot change.

A run can also be taken in phases: :meth:`Model.start` schedules its processes,
:meth:`Model.run_until_window` runs the warm-up and pauses, :meth:`Model.finish` runs the
rest under a scenario and its changes. They schedule the same events in the same order as
:meth:`Model.run`, so a comparison's scenarios can share one warm-up and carry on from copies
of it (:mod:`sim.experiments.shared_warmup`) with the numbers of a run from the start.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import simpy
from simpy.core import StopSimulation

from sim.core.recorder import Daily, ReplicationResult
from sim.core.world import CUSTOMER, Component, World
from sim.model import compiled
from sim.model.attrition import Attrition
from sim.model.customers import Customers
from sim.model.desk import Desk
from sim.model.episodes import Episodes
from sim.model.fulfilment import Fulfilment
from sim.model.loyalty import Loyalty
from sim.model.market import Advertising, Joining, draw_population, seed_customers
from sim.model.network import SocialNetwork
from sim.model.satisfaction import Satisfaction
from sim.model.turnover import Turnover
from sim.model.word_of_mouth import WordOfMouth
from sim.scenario import investments
from sim.scenario.schema import Scenario

DayCallback = Callable[[int], None]

def check_change(current: Scenario, new: Scenario) -> None:
    """Raise ``ValueError`` if ``new`` differs from ``current`` in what is fixed at the start
    (:data:`sim.scenario.investments.FIXED_AT_START`)."""
    fixed = investments.fixed_differences(current.model_dump(), new.model_dump())
    if fixed:
        raise ValueError(
            "these parameters are fixed when a replication starts and cannot change mid-run: "
            + ", ".join(fixed)
        )


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (if it runs) for the block.

    Building a model creates objects that all live on — a clock event, its value and its
    callbacks per initial customer — and no cyclic garbage; the collector would only scan them
    again and again as they pile up (~1 s, 15 % of building 1 M people). Refcounting still frees
    the build's temporaries. Nothing is frozen (``gc.freeze``): a frozen model's reference cycles
    would outlive it in a worker that runs replication after replication."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


RUN_COLLECTION_THRESHOLD = 100_000  # gen-0 threshold of the cyclic collector while a replication runs


@contextmanager
def collector_relaxed() -> Iterator[None]:
    """Let Python's cyclic garbage collector run rarely while a replication runs.

    A run makes no cyclic garbage (a collection at the end of a 30-day run of 1 M people finds
    9 objects), but it keeps hundreds of thousands of live events, their values and callbacks,
    which every automatic collection walks again, the more often the larger the market: with
    CPython's default gen-0 threshold of 700, the collector took 4.4 of the 14.0 CPU seconds of
    a 30-day run of 1 M people (261 collections, gc.callbacks), and 0.03 of 1.3 s at the shipped
    15,000. With a gen-0 threshold of 100,000 from the start of the run to the end of collecting
    its result it runs once or twice (0.6 s, the collection when the threshold is restored) and
    the run takes 9.6 s; at 15,000 people nothing changes. The collector stays on, so memory
    stays bounded should a cycle ever appear. No number changes, only when memory is reclaimed.
    """
    old = gc.get_threshold()
    gc.set_threshold(max(old[0], RUN_COLLECTION_THRESHOLD), *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)


class Model:
    """All mechanisms of one replication, wired together."""

    def __init__(self, scenario: Scenario, replication: int) -> None:
        with collector_paused():
            self._build(scenario, replication)

    def _build(self, scenario: Scenario, replication: int) -> None:
        world = World(scenario, replication, scenario.seed)
        self.world = world
        draw_population(world)
        network = SocialNetwork(
            scenario.market.network, scenario.market.population, world.generator("network")
        )
        self.attrition = Attrition(world)
        self.loyalty = Loyalty(world)
        self.customers = Customers(world)
        self.fulfilment = Fulfilment(world)
        self.desk = Desk(world)
        self.episodes = Episodes(world)
        self.satisfaction = Satisfaction(world)
        self.word_of_mouth = WordOfMouth(world, network)
        self.joining = Joining(world, self.customers)
        self.network = network
        self.customers.connect(self.fulfilment, self.desk, self.attrition)
        self.loyalty.connect(self.customers)
        self.fulfilment.connect(self.loyalty, self.satisfaction, self.episodes)
        self.desk.connect(self.satisfaction, self.episodes)
        self.episodes.connect(self.satisfaction, self.desk, self.attrition)
        self.satisfaction.connect(self.loyalty, self.word_of_mouth)
        self.word_of_mouth.connect(self.attrition, self.joining)
        self.customers.use_chain(self.fulfilment, self.satisfaction, self.loyalty, self.word_of_mouth)
        seed_customers(world, self.customers)
        self.turnover = Turnover(world, self.customers, self.attrition)
        self.attrition.connect(self.turnover)
        self.customers_start = 0  # customers active on day 0 of the measured window
        self.advertising = Advertising(world, self.customers, self.joining)
        # The daily snapshot's customers' satisfaction gathered by a kernel into a buffer kept
        # for the run (compiled.customers_satisfaction), else by NumPy's compress.
        self._gather = compiled.direct(compiled.customers_satisfaction) if compiled.ready() else None
        self._gathered = np.empty(world.people.size if self._gather is not None else 0)
        if world.warmup == 0:
            self._start_window()

    def components(self) -> list[Component]:
        return [
            self.attrition, self.loyalty, self.customers, self.fulfilment,
            self.desk, self.episodes, self.satisfaction, self.word_of_mouth, self.joining, self.advertising,
            self.turnover,
        ]

    def apply(self, scenario: Scenario) -> None:
        """Carry on under ``scenario`` from now (e.g. an investment taking effect today)."""
        check_change(self.world.scenario, scenario)
        self.world.scenario = scenario
        for component in self.components():
            component.refresh()
        self.customers.redraw_changed_clocks()

    # A run in phases. run() = start() + finish(); a comparison's alternatives, which share
    # their warm-up, run start() + run_until_window() once and finish() in a copy of the
    # process each (sim/experiments/shared_warmup.py). The phases schedule exactly what the
    # single call scheduled, in the same order, so an event's place in SimPy's queue — by
    # (time, priority, order of scheduling) — is the same either way; what a phase adds (the
    # pause, a wait for a change that a scenario does not make) does nothing when it fires, and
    # an event that does nothing moves no other event's place relative to the rest.

    def start(self, first_changes: Sequence[float] = ()) -> None:
        """Schedule the processes of a run: the window's opening, a wait for each time in
        ``first_changes`` (the time, warm-up included, of a scenario's first change of
        scenario: :meth:`finish` carries on from the wait whose time is its own first
        change's) and the daily snapshot. In the order a run has always scheduled them, the
        waits in the place of the one process that made the changes."""
        world = self.world
        self._on_day: DayCallback | None = None
        self._plan: list[tuple[float, Scenario]] = []
        self._waits = sorted(set(first_changes))
        self._paused = False
        if world.warmup > 0:
            world.env.process(self._window_opens())
        for time in self._waits:
            world.env.process(self._first_change(time))
        world.env.process(self._daily())

    def run_until_window(self, on_day: DayCallback | None = None) -> None:
        """Run the warm-up, after :meth:`start`: stop at the start of day 0 of the measured
        window, before anything of that day has happened (the window's opening included), with
        the end of the run already scheduled where a whole run schedules it. Only with a
        warm-up."""
        world = self.world
        if world.warmup <= 0:
            raise ValueError("no warm-up to run")
        self._on_day = on_day
        pause = world.env.timeout(world.warmup)  # the first of its time: scheduled before any other
        pause.callbacks.append(StopSimulation.callback)
        with collector_relaxed():
            world.env.run(until=world.warmup + world.scenario.horizon_days)  # returns at the pause
        self._paused = True

    def finish(
        self, scenario: Scenario, changes: Sequence[tuple[float, Scenario]], on_day: DayCallback | None = None
    ) -> ReplicationResult:
        """Run (the rest of) the replication under ``scenario``, switching to each
        ``(day, scenario)`` of ``changes`` on its day of the measured window, and collect it.

        ``scenario`` replaces the one the model was built with: the caller vouches that the two
        act the same until now (in a comparison, they differ in their names and investments
        only, and no investment acts before the measured window). The first of ``changes``
        must be due at one of the times given to :meth:`start`."""
        world = self.world
        plan = sorted(changes, key=lambda change: change[0])
        for _, changed in plan:  # fail before running, not on the day
            check_change(scenario, changed)
        if plan and world.warmup + plan[0][0] not in self._waits:
            raise ValueError(f"no wait scheduled for the first change, on day {plan[0][0]}")
        world.scenario = scenario
        self._plan = plan
        self._on_day = on_day
        end = world.warmup + world.scenario.horizon_days
        with collector_relaxed():
            if self._paused:
                world.env.run()  # until the end, scheduled by run_until_window
            else:
                world.env.run(until=end)
            self._snapshot(end - 1, on_day)
            return world.record.result(world.replication, world.seed, self.customers_start, world.warmup)

    def _first_change(self, time: float) -> Generator[simpy.Event, object, None]:
        """Wait for ``time``, then make the changes if the first is due then."""
        env = self.world.env
        if time > env.now:
            yield env.timeout(time - env.now)
        if self._plan and self.world.warmup + self._plan[0][0] == time:
            yield from self._changes(self._plan)

    def _changes(self, changes: Sequence[tuple[float, Scenario]]) -> Generator[simpy.Event, object, None]:
        env = self.world.env
        for measured_day, scenario in changes:  # in day order
            day = self.world.warmup + measured_day  # days count from the measured window's first
            if day > env.now:
                yield env.timeout(day - env.now)
            yield env.timeout(0)  # after the previous day's snapshot, which is due now too
            self.apply(scenario)

    def run(
        self, on_day: DayCallback | None = None, changes: Sequence[tuple[float, Scenario]] = ()
    ) -> ReplicationResult:
        """Run the warm-up and the measured window, switching to each ``(day, scenario)`` of
        ``changes`` on its day of the measured window; without ``changes``, those of the
        scenario's own investments (:func:`sim.scenario.investments.schedule`)."""
        world = self.world
        if not changes:
            changes = investments.schedule(world.scenario)
        first = [world.warmup + min(day for day, _ in changes)] if changes else []
        self.start(first)
        return self.finish(world.scenario, changes, on_day)

    def _window_opens(self) -> Generator[simpy.Event, object, None]:
        yield self.world.env.timeout(self.world.warmup)
        self._start_window()

    def _start_window(self) -> None:
        """Day 0 of the measured window: who the customers are now."""
        world = self.world
        world.open_window()
        self.customers_start = int(world.level_counts.sum())

    def _daily(self) -> Generator[simpy.Event, object, None]:
        """End-of-day snapshot: customers by level, mean satisfaction, agents."""
        env = self.world.env
        for day in range(self.world.warmup + self.world.scenario.horizon_days - 1):
            yield env.timeout(day + 1 - env.now)
            self._snapshot(day, self._on_day)

    def _snapshot(self, day: int, on_day: DayCallback | None) -> None:
        world = self.world
        daily = world.record.daily
        counts = world.level_counts
        daily[Daily.ACTIVE_LEVEL1][day] = int(counts[1])
        daily[Daily.ACTIVE_LEVEL2][day] = int(counts[2])
        daily[Daily.ACTIVE_LEVEL3][day] = int(counts[3])
        # The customers' satisfaction in slot order (compress: what [mask] selects, in half the
        # time; the kernel in half compress's, the same values in the same order)
        status, satisfaction = world.people.view("status"), world.people.view("satisfaction")
        if self._gather is not None:
            satisfaction = self._gathered[:self._gather(status, satisfaction, self._gathered)]
        else:
            satisfaction = satisfaction.compress(status == CUSTOMER)
        mean = satisfaction.mean() if satisfaction.size else np.nan
        daily[Daily.MEAN_SATISFACTION][day] = float(mean)
        daily[Daily.AGENTS][day] = self.desk.agents_employed
        if on_day is not None:
            on_day(day)


def run_replication(
    scenario: Scenario,
    replication: int,
    on_day: DayCallback | None = None,
    changes: Sequence[tuple[float, Scenario]] = (),
) -> ReplicationResult:
    """Run replication ``replication`` of ``scenario`` (seeded by ``scenario.seed``),
    switching to each ``(day, scenario)`` of ``changes`` on its day."""
    return Model(scenario, replication).run(on_day, changes)
