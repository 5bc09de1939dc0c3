"""Building a market: seconds and peak memory per person, each size in a fresh process.

    .venv/bin/python benchmarks/building.py [--scale 1 66.7] [--days 30] [--rounds 1] [--stages]

The baseline scenario with ``population`` and ``initial_customers`` scaled, no warm-up: per
scale, a fresh process builds one replication's model (``Model``), then runs ``--days`` days.
It reports the wall and CPU seconds of building and the peak resident memory (VmHWM) over
the memory after the imports, per person, once built and once run. With ``--rounds`` > 1 the
scales alternate round by round (the machine's load then spreads over all of them). With
``--stages`` it also reports the CPU seconds of each stage of building: the world (its state
arrays), the people's traits (``draw_population``), the social network and the initial customers
(``seed_customers``); the rest (the mechanisms' constructors) is "other".
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

from sim import load_scenario
from sim.scenario import ScenarioError

ROOT = Path(__file__).resolve().parent.parent

MEASURE = """
import gc, json, sys, time
from sim import load_scenario
import sim.model.replication as replication
stages = {}
def timed(name, build):
    def run(*args):
        cpu = time.process_time()
        try:
            return build(*args)
        finally:
            stages[name] = stages.get(name, 0.0) + time.process_time() - cpu
    return run
for name, attr in [("world", "World"), ("traits", "draw_population"), ("network", "SocialNetwork"),
                   ("customers", "seed_customers")]:
    setattr(replication, attr, timed(name, getattr(replication, attr)))
def hwm_rss():
    got = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, value = line.split(":", 1)
            if key in ("VmHWM", "VmRSS"):
                got[key] = int(value.split()[0]) * 1024
    return got["VmHWM"], got["VmRSS"]
path, days, factor = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
base = load_scenario(path)
m = base.market
sc = base.model_copy(update={"horizon_days": days, "warmup_days": 0, "market": m.model_copy(update={
    "population": int(m.population * factor), "initial_customers": int(m.initial_customers * factor)})})
gc.collect()
_, imports = hwm_rss()
wall, cpu = time.perf_counter(), time.process_time()
model = replication.Model(sc, 0)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
built, _ = hwm_rss()
model.run()
run, _ = hwm_rss()
stages["other"] = cpu - sum(stages.values())
print(json.dumps({"people": sc.market.population, "wall": wall, "cpu": cpu,
                  "built": built - imports, "run": run - imports, **{"cpu " + k: v for k, v in stages.items()}}))
"""


def measure(path: Path, days: int, factor: float) -> dict[str, float]:
    out = subprocess.run([sys.executable, "-c", MEASURE, str(path), str(days), str(factor)],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml")
    parser.add_argument("--days", type=int, default=30, help="days run after building")
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0, 66.7],
                        help="market-size multipliers of the scenario")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--stages", action="store_true", help="also the CPU seconds of each stage of building")
    args = parser.parse_args()
    load_scenario(args.scenario)  # a bad one said here, in its lines, not from the measuring process
    rows: dict[float, list[dict[str, float]]] = {f: [] for f in args.scale}
    for _ in range(args.rounds):
        for factor in args.scale:
            rows[factor].append(measure(args.scenario, args.days, factor))
    print(f"{'people':>10} {'build s':>8} {'build CPU s':>12} {'peak B/person built':>20} "
          f"{'peak B/person run':>18}   (medians of {args.rounds})")
    for runs in rows.values():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        people = med["people"]
        print(f"{people:>10,.0f} {med['wall']:>8.2f} {med['cpu']:>12.2f} {med['built'] / people:>20,.0f} "
              f"{med['run'] / people:>18,.0f}")
        if args.stages:
            print(" " * 10 + "  CPU s: " + ", ".join(f"{k[4:]} {v:.2f}" for k, v in med.items() if k.startswith("cpu ")))


if __name__ == "__main__":
    try:
        main()
    except ScenarioError as err:  # a bad --scenario: its lines, as run_sim.py says them
        raise SystemExit(str(err)) from None
