#!/usr/bin/env python3
"""What a mechanism could save at most: a run of the baseline with part of the order chain cut out.

Before moving a mechanism to daily NumPy batches it helps to know how much of a run it is.
This script times one replication of the baseline (15,000 people, warm-up 0) three ways, in
fresh processes, alternating, CPU seconds of ``Model.run``:

* ``normal`` — the model as it is, every event handled in Python (``sim.model.customers.CHAIN``
  off: the compiled chain would step repeat orders out of the cuts' reach);
* ``no-deliveries`` — repeat orders placed as usual (draws, counters, loyalty) but their
  deliveries never scheduled, so nothing follows from them;
* ``no-orders`` — repeat orders reduced to their bookkeeping (the order count and loyalty's
  ``on_order``): no draws, no counters, no delivery.

``normal − no-deliveries`` bounds what deliveries and everything they set off cost (scoring,
experiences, tellings, joins, episodes, the desk's contacts about them); ``no-deliveries −
no-orders`` what placing an order costs. Bounds, not a breakdown: without deliveries there are
no experiences, hence fewer tellings and fewer joiners, and fewer customers to simulate (the
script prints the customer-days of each, and the cost of one). The numbers of the cut runs
mean nothing; only their time does::

    PYTHONPATH=. .venv/bin/python benchmarks/upper_bounds.py [ROUNDS] [DAYS]
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODES = ("normal", "no-deliveries", "no-orders")


def one(mode: str, days: int) -> tuple[float, float]:
    """CPU seconds of the run, and its customer-days."""
    from sim.bench.measure import customer_days
    from sim.bench.sizes import scaled
    from sim.model import customers as customers_module
    from sim.model.replication import Model
    from sim.scenario.loader import load_scenario

    # Every order in Python, where it can be cut (sim.model.chain steps repeat orders compiled, out
    # of reach of the patches below): these bounds are of the events as Python handles them.
    customers_module.CHAIN = False
    model = Model(scaled(load_scenario(ROOT / "scenarios" / "baseline.yaml"), 15_000, days), 0)
    fulfilment, people = model.fulfilment, model.world.people
    place = fulfilment.place_order

    def no_delivery(person: int, initial: bool) -> None:
        if initial:
            place(person, initial)
            return
        schedule, fulfilment._at = fulfilment._at, lambda *args: None  # type: ignore[assignment]  # dropped
        try:
            place(person, initial)
        finally:
            fulfilment._at = schedule

    def bookkeeping_only(person: int, initial: bool) -> None:
        if initial:
            place(person, initial)
            return
        people.orders[person] += 1
        model.loyalty.on_order(person)

    if mode == "no-deliveries":
        model.customers._place_order = no_delivery
    elif mode == "no-orders":
        model.customers._place_order = bookkeeping_only
    start = time.process_time()
    daily = model.run().daily
    seconds = time.process_time() - start
    return seconds, customer_days(daily)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--one":
        print(*one(sys.argv[2], int(sys.argv[3])))
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    days = int(sys.argv[2]) if len(sys.argv) > 2 else 365
    seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
    customer_days: dict[str, float] = {}
    for _ in range(rounds):
        for mode in MODES:
            out = subprocess.run([sys.executable, __file__, "--one", mode, str(days)], check=True,
                                 capture_output=True, text=True, cwd=ROOT).stdout
            cpu, days_alive = map(float, out.split())
            seconds[mode].append(cpu)
            customer_days[mode] = days_alive
    normal = statistics.median(seconds["normal"])
    for mode in MODES:
        median = statistics.median(seconds[mode])
        print(f"{mode:>14}: {median:6.3f} CPU s (median of {rounds}; "
              f"{min(seconds[mode]):.3f}–{max(seconds[mode]):.3f}), {median / normal:6.1%} of normal; "
              f"{customer_days[mode]:,.0f} customer-days, {median / customer_days[mode] * 1e9:,.0f} ns each")


if __name__ == "__main__":
    main()
