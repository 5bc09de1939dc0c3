#!/usr/bin/env python3
"""One replication of the baseline, for counting its instructions with callgrind.

Wall-clock time on a shared machine cannot show a change under ~10 %; an instruction count can
(to about ±1 %). Run this under valgrind twice — with the days of the run, and with 0 (build
only) — and subtract, to get the run's own count; it prints a hash of every array of the
result, which must stay the same when a change is meant to move no number::

    OPENBLAS_NUM_THREADS=1 PYTHONHASHSEED=0 PYTHONPATH=. valgrind --tool=callgrind \\
        --callgrind-out-file=cg.out .venv/bin/python benchmarks/instructions.py 75
    # ... and the same with 0; `callgrind_annotate cg.out | head` shows where they go

The baseline (scenarios/baseline.yaml) at its 15,000 people, warm-up 0, replication 0.

The compiled kernels come from numba's cache on disk, one entry per processor: under valgrind
the processor is valgrind's, so the first run of a checkout under valgrind compiles them, and its
count includes the compiling (a 75-day run: 20,893 M instead of 5,569 M). The script says so on
stderr when it happens: run it again, and count that run.

Compare hashes taken the same way: under valgrind and natively they can differ for the same
code (on 2026-12-07, 300 days: f77f95cb15c52af6 under valgrind, 36a30a155510a94e natively, at
both ends of that day's changes; 75 days: 6ed27ddb3d0ede15 both ways). Natively, the kernels
compiled for a generic processor (``NUMBA_CPU_NAME=generic``) and the Python draws alone
(``CHURN_SIM_COMPILED=0``) give the native hash too: the difference is valgrind's, whose
emulation of the processor's floating point is not exact in every case (a last place somewhere
after day 75, which then grows), not the code's. Each gives the same hash run after run.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from sim.bench.sizes import scaled
from sim.model import compiled
from sim.model.replication import Model
from sim.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    days = int(sys.argv[1]) if len(sys.argv) > 1 else 90
    scenario = scaled(load_scenario(ROOT / "scenarios" / "baseline.yaml"), 15_000, max(days, 1))
    model = Model(scenario, 0)
    compiled_now = sum(sum(getattr(compiled, name).stats.cache_misses.values()) for name in compiled._SIGNATURES
                       if hasattr(getattr(compiled, name), "stats"))
    if compiled_now:
        print(f"numba compiled {compiled_now} kernel(s) in this run, not from its cache: the count includes "
              "compiling them; run again", file=sys.stderr)
    if days <= 0:
        return
    result = model.run()
    digest = hashlib.sha256()
    for table in (result.daily, result.churn, result.hourly):
        for name in sorted(table):
            digest.update(name.encode())
            digest.update(table[name].tobytes())
    print(digest.hexdigest()[:16], "orders:", int(result.daily["orders"].sum()))


if __name__ == "__main__":
    main()
