#!/usr/bin/env python3
"""How often would stepping the customer chain in daily batches change what an event sees?

Issue 19's plan for a several-times cheaper model steps the customer chain (clock events,
orders, deliveries) in daily NumPy batches: every chain event of day d handled together, from
the state at the start of the day. That reads one event's inputs stale only when the same
customer had another chain event earlier that day (a delivery that changed their level or
satisfaction, say). This counts, in one replication, the clock events and deliveries of a
customer that come after another chain event of the same customer on the same day.

    PYTHONPATH=. .venv/bin/python benchmarks/same_day.py [--days 365] [--people 15000]
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.bench.sizes import scaled
from sim.core.later import VALUE, Entry
from sim.core.world import CUSTOMER
from sim.model import customers as customers_module
from sim.model.customers import Customers
from sim.model.fulfilment import Fulfilment
from sim.model.replication import Model
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--people", type=int, default=15_000)
    args = parser.parse_args()
    scenario = scaled(load_scenario(ROOT / "scenarios" / "baseline.yaml"), args.people, args.days)
    events: Counter[str] = Counter()
    after_another: Counter[str] = Counter()
    last_day: dict[int, int] = {}
    model: Model | None = None

    def counted(kind: str, handler: Callable[[Any, Entry], None]) -> Callable[[Any, Entry], None]:
        def wrapper(self: Any, event: Entry) -> None:
            assert model is not None
            value = event[VALUE]  # a clock event's person, or a delivery's (person, placed, ...)
            person, day = value if isinstance(value, int) else value[0], int(model.world.env.now)
            if model.world.people.status[person] == CUSTOMER:
                events[kind] += 1
                after_another[kind] += last_day.get(person) == day
                last_day[person] = day
            handler(self, event)
        return wrapper

    # Patched on the classes before the model is built, so every event's callback is counted; every
    # clock event and delivery in Python (sim.model.chain would step repeat orders out of sight).
    customers_module.CHAIN = False
    Customers._on_clock = counted("clock events", Customers._on_clock)  # type: ignore[method-assign,assignment]
    Fulfilment._deliver = counted("deliveries", Fulfilment._deliver)  # type: ignore[method-assign,assignment]
    model = Model(scenario, 0)
    model.run()
    for kind, n in events.items():
        k = after_another[kind]
        print(f"{kind}: {n:,}, after another chain event of the same customer that day: {k:,} ({k / n:.1%})")


if __name__ == "__main__":
    main()
