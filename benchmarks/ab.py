#!/usr/bin/env python3
"""CPU seconds of one baseline replication on two checkouts, alternating, as per-round ratios.

On a shared machine a single timing says little; two commits timed in turn, a fresh process
each, and compared round by round say more (the median of B / A). Each run builds the shipped
baseline at PEOPLE people with warm-up 0 and DAYS measured days (``sim.bench.sizes.scaled``)
and times ``Model.run()`` with ``time.process_time()``::

    git worktree add --detach /tmp/old <commit>
    .venv/bin/python benchmarks/ab.py /tmp/old . --people 15000 --days 730 --rounds 6

Both checkouts run with this interpreter (the numba kernels are compiled once per checkout,
on its first run, before the rounds start).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ONE_RUN = """
import sys, time
from pathlib import Path
from sim.bench.sizes import scaled
from sim.model.replication import Model
from sim.scenario.loader import load_scenario
people, days = int(sys.argv[1]), int(sys.argv[2])
scenario = scaled(load_scenario(Path("scenarios/baseline.yaml")), people, days)
model = Model(scenario, 0)
start = time.process_time()
model.run()
print(time.process_time() - start)
"""


def run(tree: Path, people: int, days: int) -> float:
    env = {"PYTHONPATH": str(tree), "PATH": "/usr/bin:/bin", "OPENBLAS_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", ONE_RUN, str(people), str(days)], cwd=tree, env=env,
                         check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", type=Path, help="the first checkout (the old one, say)")
    parser.add_argument("b", type=Path, help="the second checkout")
    parser.add_argument("--people", type=int, default=15_000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--rounds", type=int, default=6)
    args = parser.parse_args()
    a, b = args.a.resolve(), args.b.resolve()
    for tree in (a, b):  # compile (or load) each checkout's kernels before timing
        run(tree, 300, 1)
    ratios = []
    print(f"{'round':>5} {'A s':>8} {'B s':>8} {'B / A':>7}")
    for round_ in range(1, args.rounds + 1):
        ta, tb = run(a, args.people, args.days), run(b, args.people, args.days)
        ratios.append(tb / ta)
        print(f"{round_:>5} {ta:8.3f} {tb:8.3f} {tb / ta:7.3f}", flush=True)
    print(f"median B / A: {statistics.median(ratios):.3f} (range {min(ratios):.3f}-{max(ratios):.3f})")


if __name__ == "__main__":
    main()
