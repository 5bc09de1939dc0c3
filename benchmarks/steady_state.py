#!/usr/bin/env python3
"""Steady state: where a scenario's market settles, year by year, over a long run.

Runs replications of a scenario (default: the baseline) from its initial state for
``--years`` simulated years, and prints, at the end of each year, the mean over
replications of: customers, former customers, prospects, the loyalty mix, and the mean
complaints remembered by non-customers. This is how the baseline's initial state was
chosen (docs/MODEL.md §5): start it where these numbers settle, and the warm-up only has
to settle what the initial state does not set. Nothing here asserts anything.

Usage:  .venv/bin/python benchmarks/steady_state.py [--years 10] [-n 4] [--workers 2]
            [--scenario FILE] [--set PATH=VALUE ...]

Example, the long run behind the baseline's initial state (one replication, 30 years, from
a start with no former customers and no complaints):

    .venv/bin/python benchmarks/steady_state.py --years 30 -n 1 \\
        --set market.initial_customers=3000 --set market.initial_former_share=0 \\
        --set market.initial_complaints_remembered=0
"""

from __future__ import annotations

import argparse
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from sim import load_scenario
from sim.core.calendar import DAYS_PER_YEAR
from sim.core.world import FORMER, PROSPECT
from sim.model.replication import Model
from sim.scenario import ScenarioError
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
COLUMNS = ("customers", "former", "prospects", "level1", "level2", "level3", "remembered")


def yearly(job: tuple[Scenario, int, int]) -> np.ndarray:
    """One replication's state at the end of each simulated year (rows: years; columns: COLUMNS)."""
    scenario, replication, years = job
    model = Model(scenario, replication)
    env, world, people = model.world.env, model.world, model.world.people
    half_life = scenario.acquisition.complaint_memory_half_life_days
    rows = []
    for year in range(1, years + 1):
        env.run(until=year * DAYS_PER_YEAR)
        status = people.view("status")
        customers = sum(world.level_counts)
        age = env.now - people.view("memory_day")
        memory = people.view("complaint_memory") * 2.0 ** (-age / half_life)
        others = status != 1
        rows.append((customers, (status == FORMER).sum(), (status == PROSPECT).sum(),
                     *(world.level_counts[n] / max(customers, 1) for n in (1, 2, 3)),
                     memory[others].mean() if others.any() else 0.0))
    return np.array(rows, dtype=float)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--replications", "-n", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--set", action="append", default=[], metavar="PATH=VALUE",
                        help="change the scenario, e.g. market.initial_former_share=0")
    args = parser.parse_args()
    base = load_scenario(args.scenario, args.set)
    # The whole run is simulated from day 0: no warm-up is dropped here.
    scenario = base.model_copy(update={"warmup_days": 0, "horizon_days": int(args.years * DAYS_PER_YEAR) + 1})
    jobs = [(scenario, i, args.years) for i in range(args.replications)]
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        runs = np.stack(list(pool.map(yearly, jobs)))
    mean = runs.mean(axis=0)
    print(f"{args.scenario.name} {' '.join(args.set)}: {args.replications} replication(s), means at each year's end")
    print(f"{'year':>4} {'customers':>10} {'former':>8} {'prospects':>10} {'level1':>7} {'level2':>7} {'level3':>7}"
          f" {'remembered':>11}")
    for year, row in enumerate(mean, start=1):
        c, f, p, l1, l2, l3, m = row
        print(f"{year:>4} {c:>10,.0f} {f:>8,.0f} {p:>10,.0f} {l1:>7.3f} {l2:>7.3f} {l3:>7.3f} {m:>11.2f}")


if __name__ == "__main__":
    try:
        main()
    except ScenarioError as err:  # a bad --set or scenario: its lines, as run_sim.py says them
        raise SystemExit(str(err)) from None
