"""Memory of one replication, in a fresh process: ``python -m sim.bench.footprint SCENARIO PEOPLE DAYS``.

Prints one line of JSON. The interpreter's floor is its resident memory (RSS) once the
model's modules are imported and its compiled kernels loaded (:func:`sim.model.compiled.ready`
and :func:`sim.model.chain.kernels`, which a process's first model would otherwise call: numba's
~100 MB are a cost of the process,
not of its people, and are reported apart as ``compiled_kernels_bytes``); then the peak RSS (``VmHWM`` in ``/proc/self/status``, else
``getrusage``'s ``ru_maxrss``) is read after building the model and again after running it,
so building and running are told apart. A fresh process per size, because a process's peak
never comes down: in the harness's own process it would be the largest size's.
"""

from __future__ import annotations

import gc
import json
import resource
import sys
import time
from pathlib import Path

from sim.bench.sizes import scaled
from sim.model import compiled
from sim.model.replication import Model
from sim.scenario import load_scenario


def _status(field: str) -> int | None:
    """A ``/proc/self/status`` field in bytes (Linux), or None."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def rss() -> int | None:
    """Resident memory now, in bytes (None where /proc is not available)."""
    return _status("VmRSS")


def peak_rss() -> int:
    """The process's peak resident memory so far, in bytes."""
    peak = _status("VmHWM")
    if peak is not None:
        return peak
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return maxrss if sys.platform == "darwin" else maxrss * 1024  # bytes on macOS, KiB elsewhere


def measure(scenario_path: Path, people: int, days: int) -> dict[str, float | int | None]:
    scenario = scaled(load_scenario(scenario_path), people, days)
    gc.collect()
    before_kernels = rss()
    if compiled.ready():  # the chain's kernels too: a model's first build would load them (~9 MB)
        from sim.model import chain

        chain.kernels()
    floor = rss()
    floor_peak = peak_rss()
    if floor is None:
        floor = floor_peak
    start = time.perf_counter()
    model = Model(scenario, 0)
    build_seconds = time.perf_counter() - start
    after_build = peak_rss()
    start = time.perf_counter()
    model.run()
    run_seconds = time.perf_counter() - start
    after_run = peak_rss()
    n = scenario.market.population
    return {
        "people": n,
        "days": days,
        "floor_rss_bytes": floor,
        "compiled_kernels_bytes": floor - before_kernels if floor is not None and before_kernels is not None else None,
        "peak_after_imports_bytes": floor_peak,
        "peak_after_build_bytes": after_build,
        "peak_after_run_bytes": after_run,
        "build_bytes_per_person": (after_build - floor) / n,
        "bytes_per_person": (after_run - floor) / n,
        "build_seconds": build_seconds,
        "run_seconds": run_seconds,
    }


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 3:
        sys.stderr.write(__doc__.splitlines()[0] + "\n")
        return 2
    result = measure(Path(args[0]), int(args[1]), int(args[2]))
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
