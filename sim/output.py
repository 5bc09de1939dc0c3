"""Writing a run's output folder, atomically.

The folder holds:

* ``summary.json`` — schema 1: scenario, seed, replications, horizon, version, the
  command and the environment (Python and library versions) that produced it and, per
  KPI, the mean, a 95 % Student-t interval and the value of every replication;
* ``kpis.csv`` — the same KPIs, one row per replication;
* ``timeseries.csv`` — one row per replication and day;
* ``churn_events.csv`` — one row per churn, with its cause;
* ``scenario.resolved.yaml`` — the scenario exactly as run (after extends, changes and
  ``--set``), with seed and version: run it again to get the same numbers.

All files are first written into a fresh temporary folder beside the output folder;
only when every one of them is complete are they renamed into place, one rename each
(atomic on one file system), ``summary.json`` last. So a failed or interrupted run
never leaves a half-written file, or a mix of old and new files, over an earlier
result.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.runner import RunResult
from sim.scenario import dump_resolved
from sim.stats import mean_ci
from sim.version import environment

SCHEMA = 1


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def summary(result: RunResult, version: str, command: list[str] | None = None) -> dict[str, Any]:
    """The machine-readable summary (``summary.json``) of a run."""
    frame = result.kpis()
    kpis: dict[str, Any] = {}
    for name in frame.columns[1:]:
        values = [float(v) for v in frame[name]]
        if all(math.isfinite(v) for v in values):
            mean, lo, hi = mean_ci(values)
            if len(values) == 1:
                lo = hi = math.nan
        else:
            mean = lo = hi = math.nan
        kpis[name] = {
            "mean": _finite(mean),
            "ci95": [_finite(lo), _finite(hi)],
            "values": [_finite(v) for v in values],
        }
    sc = result.scenario
    return {
        "schema": SCHEMA,
        "scenario": sc.name,
        "seed": sc.seed,
        "replications": len(result.replications),
        "horizon_days": sc.horizon_days,
        "version": version,
        "command": command,
        "environment": environment(),
        "kpis": kpis,
    }


def write_outputs(result: RunResult, out: Path, version: str, command: list[str] | None = None) -> Path:
    """Write the output folder ``out`` (created if needed); returns it."""
    out.mkdir(parents=True, exist_ok=True)
    resolved = dump_resolved(result.scenario, version=version)
    data = summary(result, version, command)
    writers: dict[str, Callable[[Any], Any]] = {
        "scenario.resolved.yaml": lambda f: f.write(resolved),
        "timeseries.csv": lambda f: result.timeseries().to_csv(f, index=False),
        "churn_events.csv": lambda f: result.churn_events().to_csv(f, index=False),
        "kpis.csv": lambda f: result.kpis().to_csv(f, index=False),
        "summary.json": lambda f: json.dump(data, f, indent=2, allow_nan=False),
    }
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as tmp:
        for name, write in writers.items():
            with open(Path(tmp) / name, "w", encoding="utf-8", newline="") as f:
                write(f)
        for name in writers:  # summary.json last
            os.replace(Path(tmp) / name, out / name)
    return out
