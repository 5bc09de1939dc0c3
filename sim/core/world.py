"""The shared state of one replication: the clock, the people, the random draws.

A :class:`World` is what every mechanism module works on. People (prospects and
customers alike) are rows in compact typed arrays (``array.array``: eight bytes a
float, scalar access without NumPy's per-element overhead, and zero-copy NumPy views
for the daily snapshot), not an object or a process each. Random numbers are computed
from who they are for and why (:mod:`sim.core.rng`): each mechanism has its named
:class:`~sim.core.rng.Draws`.

Mechanisms read their parameters in ``refresh()``, from ``world.scenario``; a change
of scenario mid-run (an investment starting on day D) replaces ``world.scenario`` and
calls ``refresh()`` on each of them.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from sim.core.later import Environment, Later, buckets_per_day
from sim.core.memory import zeros
from sim.core.recorder import Recorder
from sim.core.rng import Draws, generator
from sim.scenario.schema import Scenario

# People's status: a former customer may be won back; one who died or moved away is gone, and
# a new prospect holds their slot (sim.model.turnover).
PROSPECT, CUSTOMER, FORMER = 0, 1, 2

# A person's draw key (sim.core.rng): its slot n is their n-th clock event (waiting time and pick,
# one pair); its children, in disjoint ranges of tags, are their k-th order and the question
# raised by their n-th clock event.
ORDER_TAGS = 1 << 32
QUESTION_TAGS = 2 << 32

class People:
    """State of every person in the market, one slot per person, in typed arrays."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.status = zeros("b", size)
        self.level = zeros("b", size)
        self.satisfaction = zeros("d", size)
        self.expectation = zeros("d", size)
        self.order_rate = zeros("d", size)  # orders per day
        self.propensity = zeros("d", size)  # multiplier on time-based hazards
        self.clock_rate = zeros("d", size)  # rate of the pending customer clock
        self.key = zeros("Q", size)  # the person's draw key (sim.core.rng)
        self.generation = zeros("i", size)  # people who held the slot before (sim.model.turnover)
        self.clock_events = zeros("i", size)  # clock events drawn so far
        self.complaint_memory = zeros("d", size)  # complaints remembered, as of memory_day
        self.memory_day = zeros("d", size)
        self.left = zeros("d", size)  # when a former customer left
        self.joined = zeros("d", size)
        self.orders = zeros("i", size)
        self.level_orders = zeros("i", size)
        self.happy_streak = zeros("i", size)
        self.revenue = zeros("d", size)

    def view(self, name: str) -> np.ndarray:
        """A zero-copy NumPy view of one state array."""
        arr = getattr(self, name)
        dtype = {"b": np.int8, "i": np.int32, "d": np.float64, "Q": np.uint64}[arr.typecode]
        return np.frombuffer(arr, dtype=dtype)


class Component(Protocol):
    def refresh(self) -> None: ...


class World:
    """Everything one replication shares: clock, scenario, people, draws, recorder."""

    def __init__(self, scenario: Scenario, replication: int, seed: int) -> None:
        self.scenario = scenario
        self.replication = replication
        self.seed = seed
        self.env = Environment()  # SimPy's, stepping Later's events too
        # The customers' clocks, the deliveries and the desk's timers: events without event objects,
        # stepped by env beside SimPy's; those due after the current day (or part of a day in a
        # large market) wait in its buckets.
        self.later = Later(self.env, buckets_per_day(scenario.market.population))
        # Each mechanism's draws, by name, created on first use (see sim.core.rng).
        self._draws: dict[str, Draws] = {}
        self.people = People(scenario.market.population)
        # The calendar: the simulation clock starts with the warm-up; day d of the measured
        # window is simulated day warmup + d (whole weeks, so both start on a Monday).
        self.warmup = scenario.warmup_days
        self.record = Recorder(scenario.warmup_days + scenario.horizon_days)
        # The customers active on day 0 of the measured window, and everyone's orders, revenue and
        # generation then (set when it starts).
        self.start_cohort: np.ndarray | None = None
        self._window_start: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        # Active customers at each loyalty level (index 1..3), kept up to date (an array: the
        # compiled chain, sim.model.chain, moves customers between levels too).
        self.level_counts = np.zeros(4, dtype=np.int64)

    def draws(self, name: str) -> Draws:
        """The named mechanism's draws (their numbers depend only on the name, who and why)."""
        if name not in self._draws:
            self._draws[name] = Draws(self.seed, self.replication, name)
        return self._draws[name]

    def generator(self, name: str) -> np.random.Generator:
        """A NumPy generator for vectorised draws while the replication is built."""
        return generator(self.seed, self.replication, name)

    def open_window(self) -> None:
        """Day 0 of the measured window: note who the customers are and what everyone has
        ordered so far, so that churn events can count the window's orders and revenue alone."""
        people = self.people
        self.start_cohort = people.view("status") == CUSTOMER
        self._window_start = (people.view("orders").copy(), people.view("revenue").copy(),
                              people.view("generation").copy())

    def at_window_start(self, person: int) -> tuple[int, float]:
        """The person's orders and revenue on day 0 of the window (0 before it opens, and for
        someone who took the slot since)."""
        if self._window_start is None:
            return 0, 0.0
        orders, revenue, generation = self._window_start
        if generation[person] != self.people.generation[person]:
            return 0, 0.0
        return int(orders[person]), float(revenue[person])

    def day(self) -> int:
        return int(self.env.now)
