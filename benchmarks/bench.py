#!/usr/bin/env python3
"""Benchmark: the full model against a bare SimPy yardstick, as ratios from one run.

Wall-clock times depend on the machine; ratios measured in the same process, minutes
apart, mostly do not. So this script times, side by side:

* the **skeleton**: a bare SimPy model with one process per customer, each waiting
  exponential times at the same per-customer event rate as the model's customer clock
  and doing nothing else — the yardstick of the performance targets;
* the **model**: one replication of a scenario (default: the baseline), the same
  customers and days;

and reports the cost per customer-day of each, their ratio, how the model's cost per
customer-day scales with market size, and memory per person (tracemalloc peak during
model construction). Nothing here asserts a time: it reports.

Usage:  .venv/bin/python benchmarks/bench.py [--scenario FILE] [--days D] [--scale 1 5]
"""

from __future__ import annotations

import argparse
import gc
import random
import time
import tracemalloc
from pathlib import Path

import simpy

from sim import load_scenario
from sim.engine import Model
from sim.world import DAYS_PER_MONTH, DAYS_PER_YEAR

ROOT = Path(__file__).resolve().parent.parent


def skeleton(customers: int, days: int, rate_per_day: float, seed: int = 1) -> float:
    """Seconds for a bare process-per-customer SimPy model."""
    rng = random.Random(seed)
    env = simpy.Environment()

    def customer(env: simpy.Environment):
        while True:
            yield env.timeout(rng.expovariate(rate_per_day))

    start = time.perf_counter()
    for _ in range(customers):
        env.process(customer(env))
    env.run(until=days)
    return time.perf_counter() - start


def model_seconds(scenario) -> tuple[float, float]:
    """Seconds to build and run one replication; mean active customers."""
    start = time.perf_counter()
    model = Model(scenario, 0)
    result = model.run()
    seconds = time.perf_counter() - start
    d = result.daily
    active = (d["active_level1"] + d["active_level2"] + d["active_level3"]).mean()
    return seconds, float(active)


def memory_per_person(scenario) -> float:
    gc.collect()
    tracemalloc.start()
    model = Model(scenario, 0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del model
    return peak / scenario.market.population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--days", type=int, default=120, help="simulated days per timing")
    parser.add_argument("--scale", type=float, nargs=2, default=(1.0, 5.0),
                        help="two market-size multipliers for the scaling ratio")
    args = parser.parse_args()

    base = load_scenario(args.scenario)
    rows = []
    for factor in args.scale:
        m = base.market
        scenario = base.model_copy(update={
            "horizon_days": args.days,
            "market": m.model_copy(update={
                "population": int(m.population * factor),
                "initial_customers": int(m.initial_customers * factor),
            }),
        })
        c = scenario.customers
        a = scenario.attrition
        rate = (
            c.orders_per_month.mean / DAYS_PER_MONTH
            + c.questions_per_month / DAYS_PER_MONTH
            + (a.died_per_year + a.moved_away_per_year + a.competition_per_year
               + a.poor_service_per_year.at_zero_satisfaction) / DAYS_PER_YEAR
        )
        model_s, active = model_seconds(scenario)
        skel_s = skeleton(int(active), args.days, rate)
        customer_days = active * args.days
        rows.append((factor, scenario.market.population, active, skel_s, model_s, customer_days))

    print(f"{'scale':>6} {'people':>9} {'customers':>10} {'skeleton ns/cd':>15} {'model ns/cd':>12} {'model/skeleton':>15}")
    for factor, people, active, skel_s, model_s, cd in rows:
        print(f"{factor:>6g} {people:>9,} {active:>10,.0f} {skel_s / cd * 1e9:>15,.0f} "
              f"{model_s / cd * 1e9:>12,.0f} {model_s / skel_s:>15.2f}")
    per_cd = [r[4] / r[5] for r in rows]
    print(f"model cost per customer-day, scale {args.scale[1]:g} vs {args.scale[0]:g}: "
          f"{per_cd[-1] / per_cd[0]:.2f}x")
    print(f"memory per person at scale {args.scale[0]:g}: {memory_per_person(base):,.0f} bytes "
          "(tracemalloc peak while building the model, network included)")


if __name__ == "__main__":
    main()
