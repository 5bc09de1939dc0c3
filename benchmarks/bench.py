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
        .venv/bin/python benchmarks/bench.py --footprint [--days D] [--scale 1 10]

``--footprint`` instead runs one replication at each scale in a fresh process and reports its
peak resident memory and its seconds per person-day: the constants of the size guard in
``sim/experiments/sizing.py``.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import simpy

from sim import load_scenario
from sim.bench.sizes import scaled
from sim.core.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.model.replication import Model
from sim.scenario import ScenarioError

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


FOOTPRINT = """
import json, resource, sys, time
from sim import load_scenario
from sim.bench.sizes import scaled
from sim.model.replication import Model
path, days, factor = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
base = load_scenario(path)
sc = scaled(base, int(base.market.population * factor), days)
start = time.perf_counter()
Model(sc, 0).run()
print(json.dumps({"people": sc.market.population, "seconds": time.perf_counter() - start,
                  "rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def footprint(path: Path, days: int, scales: tuple[float, float]) -> None:
    """Peak RSS and time of one replication, each scale in a fresh process; a linear fit."""
    rows = []
    for factor in scales:
        out = subprocess.run([sys.executable, "-c", FOOTPRINT, str(path), str(days), str(factor)],
                             capture_output=True, text=True, check=True, cwd=ROOT).stdout
        rows.append(json.loads(out.strip().splitlines()[-1]))
    print(f"{'people':>9} {'peak RSS MB':>12} {'s per 1e6 person-days':>22}")
    for r in rows:
        print(f"{r['people']:>9,} {r['rss_bytes'] / 1e6:>12,.0f} {r['seconds'] / (r['people'] * days) * 1e6:>22.3f}")
    (a, b) = rows
    per_person = (b["rss_bytes"] - a["rss_bytes"]) / (b["people"] - a["people"])
    print(f"memory: {a['rss_bytes'] - per_person * a['people']:,.0f} bytes + {per_person:,.0f} bytes per person")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--days", type=int, default=120, help="simulated days per timing")
    parser.add_argument("--scale", type=float, nargs=2, default=(1.0, 5.0),
                        help="two market-size multipliers for the scaling ratio")
    parser.add_argument("--footprint", action="store_true",
                        help="peak memory and time per person-day of one replication, per scale")
    args = parser.parse_args()
    if args.footprint:
        footprint(args.scenario, args.days, tuple(args.scale))
        return

    base = load_scenario(args.scenario)
    rows = []
    for factor in args.scale:
        # Warm-up 0 (the per-day cost of the model, not of its warm-up); customers and agents in proportion.
        scenario = scaled(base, int(base.market.population * factor), args.days)
        c = scenario.customers
        a = scenario.attrition
        rate = (
            c.orders_per_month.mean / DAYS_PER_MONTH
            + c.questions_per_month / DAYS_PER_MONTH
            + (a.died_per_year + a.competition_per_year  # the clock's bound (moving away is the turnover)
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
    try:
        main()
    except ScenarioError as err:  # a bad --scenario: its lines, as run_sim.py says them
        raise SystemExit(str(err)) from None
