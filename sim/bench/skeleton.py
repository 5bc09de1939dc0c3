"""The yardstick: a bare SimPy process-per-customer model of the same workload.

Each customer is one SimPy process that loops on ``yield env.timeout(Exp(total rate))`` and
then chooses, at the baseline's relative rates, between an order, a contact and leaving;
an order or a contact does nothing more, and a customer who leaves ends its process and
starts a new one in its place (someone joins), so the customers alive stay constant. That is
the least any process-per-customer SimPy model of this workload must do: the harness divides
the model's cost per customer-day by this one's (``ratio_to_skeleton``).

The rates are those of a level-1 customer of the scenario (per day):

* orders: ``customers.orders_per_month.mean / DAYS_PER_MONTH``;
* contacts: ``customers.questions_per_month / DAYS_PER_MONTH``;
* leaving: the attrition hazards ``(died_per_year + competition_per_year +
  poor_service_per_year.at_zero_satisfaction) / DAYS_PER_YEAR`` — the bound at which the
  model's customer clock ticks (the poor-service hazard at its highest; the model thins it by
  satisfaction). Moving away is the market's turnover, not a customer's clock.

The same numbers as ``benchmarks/bench.py``'s skeleton, which has no choice step.
"""

from __future__ import annotations

import random
import time
from collections.abc import Generator
from dataclasses import dataclass

import simpy

from sim.core.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.scenario.schema import Scenario


@dataclass(frozen=True)
class Rates:
    """A skeleton customer's event rates, per day."""

    order: float
    contact: float
    leave: float

    @property
    def total(self) -> float:
        return self.order + self.contact + self.leave


def rates(scenario: Scenario) -> Rates:
    """The skeleton's rates, read from the scenario (see the module docstring)."""
    c = scenario.customers
    a = scenario.attrition
    return Rates(
        order=c.orders_per_month.mean / DAYS_PER_MONTH,
        contact=c.questions_per_month / DAYS_PER_MONTH,
        leave=(a.died_per_year + a.competition_per_year + a.poor_service_per_year.at_zero_satisfaction)
        / DAYS_PER_YEAR,
    )


def event_count(env: simpy.Environment) -> int | None:
    """Events processed so far in ``env``, read from SimPy's internals without touching them:
    the event-id counter (``env._eid``, an ``itertools.count`` in SimPy 4: every event
    scheduled takes the next id) less the events still in the queue (``env._queue``). The
    difference of two readings is the events processed between them. With the model's
    environment (:class:`sim.core.later.Environment`), also less the events it keeps beside the
    queue (``waiting()``): they take their ids when scheduled too. None if SimPy keeps
    either otherwise. (Wrapping ``env.step`` would count the same but add a call per event to
    the very time being measured.)"""
    counter = getattr(env, "_eid", None)
    queue = getattr(env, "_queue", None)
    if counter is None or queue is None:
        return None
    try:
        scheduled = int(counter.__reduce__()[1][0])
    except (AttributeError, IndexError, TypeError, ValueError):
        return None
    waiting = getattr(env, "waiting", None)  # sim.core.later.Environment's events beside the queue
    return scheduled - len(queue) - (waiting() if waiting is not None else 0)


@dataclass(frozen=True)
class Timing:
    """One timed run: seconds of ``env.run`` (building excluded), events processed by it,
    and what was counted."""

    seconds: float
    build_seconds: float
    events: int | None
    customers: int
    days: int
    orders: int
    contacts: int
    leavers: int

    @property
    def customer_days(self) -> float:
        return self.customers * self.days


def run(customers: int, days: int, r: Rates, seed: int = 1) -> Timing:
    """Run the skeleton: ``customers`` alive throughout, ``days`` days."""
    rng = random.Random(seed)
    expovariate = rng.expovariate
    uniform = rng.random
    total = r.total
    order_share = r.order / total
    contact_share = (r.order + r.contact) / total
    env = simpy.Environment()
    timeout = env.timeout
    counts = [0, 0, 0]  # orders, contacts, leavers

    def customer() -> Generator[simpy.Event, object, None]:
        while True:
            yield timeout(expovariate(total))
            u = uniform()
            if u < order_share:
                counts[0] += 1
            elif u < contact_share:
                counts[1] += 1
            else:
                counts[2] += 1
                env.process(customer())  # someone joins in the leaver's place
                return

    start = time.perf_counter()
    for _ in range(customers):
        env.process(customer())
    built = time.perf_counter()
    before = event_count(env)
    env.run(until=days)
    seconds = time.perf_counter() - built
    after = event_count(env)
    events = after - before if before is not None and after is not None else None
    return Timing(seconds, built - start, events, customers, days, *counts)
