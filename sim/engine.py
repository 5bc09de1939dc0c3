"""One replication: build the world, wire the mechanisms, run, collect.

:func:`run_replication` is a pure function of (scenario, replication index): the seed
comes from the scenario, the random streams from (seed, replication, mechanism name),
and the result is plain picklable data. So a replication gives the same numbers in any
process, on any worker, in any order — which is what parallel runs and paired
comparisons need.

The stages, in order: draw the population; build the social network; create the
mechanisms and connect them; seed the initial customers; start the daily snapshot;
run SimPy until the horizon; hand back the recorder's result.
"""

from __future__ import annotations

from collections.abc import Callable, Generator

import numpy as np
import simpy

from sim.attrition import Attrition
from sim.customers import Customers
from sim.desk import Desk
from sim.fulfilment import Fulfilment
from sim.loyalty import Loyalty
from sim.market import Advertising, draw_population, seed_customers
from sim.network import SocialNetwork
from sim.recorder import ReplicationResult
from sim.satisfaction import Satisfaction
from sim.scenario.schema import Scenario
from sim.word_of_mouth import WordOfMouth
from sim.world import CUSTOMER, World

DayCallback = Callable[[int], None]


class Model:
    """All mechanisms of one replication, wired together."""

    def __init__(self, scenario: Scenario, replication: int) -> None:
        world = World(scenario, replication, scenario.seed)
        self.world = world
        draw_population(world)
        network = SocialNetwork(
            scenario.market.network, scenario.market.population, world.stream("network").generator
        )
        self.attrition = Attrition(world)
        self.loyalty = Loyalty(world)
        self.customers = Customers(world)
        self.fulfilment = Fulfilment(world)
        self.desk = Desk(world)
        self.satisfaction = Satisfaction(world)
        self.word_of_mouth = WordOfMouth(world, network)
        self.network = network
        self.customers.connect(self.fulfilment, self.desk, self.attrition)
        self.fulfilment.connect(self.loyalty, self.satisfaction, self.desk)
        self.desk.connect(self.satisfaction, self.attrition)
        self.satisfaction.connect(self.loyalty, self.word_of_mouth, self.desk, self.attrition)
        self.word_of_mouth.connect(self.customers, self.attrition)
        seed_customers(world, self.customers)
        self.customers_start = sum(world.level_counts)
        self.advertising = Advertising(world, self.customers)

    def components(self) -> list[object]:
        return [
            self.attrition, self.loyalty, self.customers, self.fulfilment,
            self.desk, self.satisfaction, self.word_of_mouth, self.advertising,
        ]

    def run(self, on_day: DayCallback | None = None) -> ReplicationResult:
        world = self.world
        world.env.process(self._daily(on_day))
        world.env.run(until=world.scenario.horizon_days)
        self._snapshot(world.scenario.horizon_days - 1, on_day)
        return world.record.result(world.replication, world.seed, self.customers_start)

    def _daily(self, on_day: DayCallback | None) -> Generator[simpy.Event, object, None]:
        """End-of-day snapshot: customers by level, mean satisfaction, agents."""
        env = self.world.env
        for day in range(self.world.scenario.horizon_days - 1):
            yield env.timeout(day + 1 - env.now)
            self._snapshot(day, on_day)

    def _snapshot(self, day: int, on_day: DayCallback | None) -> None:
        world = self.world
        daily = world.record.daily
        counts = world.level_counts
        daily["active_level1"][day] = counts[1]
        daily["active_level2"][day] = counts[2]
        daily["active_level3"][day] = counts[3]
        active = world.people.view("status") == CUSTOMER
        mean = world.people.view("satisfaction")[active].mean() if active.any() else np.nan
        daily["mean_satisfaction"][day] = float(mean)
        daily["agents"][day] = self.desk.agents
        if on_day is not None:
            on_day(day)


def run_replication(scenario: Scenario, replication: int, on_day: DayCallback | None = None) -> ReplicationResult:
    """Run replication ``replication`` of ``scenario`` (seeded by ``scenario.seed``)."""
    return Model(scenario, replication).run(on_day)
