"""Running a comparison: the baseline and every alternative, on the same seed and replication
numbers (so replication i of each is paired), then their paired differences and economics
(:mod:`sim.outputs.comparison_results`).

The scenarios run as one set of tasks (:func:`sim.experiments.runner.run_many`). An
alternative differs from the baseline by investments that act from the measured window on, so
replication i of the baseline and of its alternatives share their warm-up: it is simulated
once per replication and each scenario carries on from a copy of it
(:mod:`sim.experiments.shared_warmup`), with the numbers of running each from the start.

With a ``precision`` (money), replications are added in fixed batches until every
alternative's NPV interval has a half-width at most that, or a cap is reached: where it stops
depends on the results alone, never on the number of workers or the executor (a replication is
the same wherever it runs, and the batches are fixed). Finished replications are kept in a
checkpoint folder (a temporary one if none is given), so a batch adds replications and never
recomputes the earlier ones.
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.experiments.runner import Progress, run_many
from sim.outputs.comparison_results import compare_results
from sim.outputs.tables import RunResult
from sim.scenario.comparison import Comparison
from sim.scenario.schema import Scenario

BATCH = 10  # replications added at a time when aiming at a precision
MAX_REPLICATIONS = 200  # the cap when aiming at a precision


@dataclass(frozen=True)
class Precision:
    """Replications until every alternative's NPV half-width is at most ``half_width``."""

    half_width: float
    batch: int = BATCH
    cap: int = MAX_REPLICATIONS


def run_comparison(
    comparison: Comparison,
    *,
    workers: int = 1,
    dask: str | None = None,
    checkpoints: Path | None = None,
    on_progress: Progress | None = None,
    precision: Precision | None = None,
) -> tuple[dict[str, RunResult], dict[str, Any]]:
    """Every scenario's runs, by name (the baseline first), and the "comparison" section."""
    scenarios = [comparison.baseline, *comparison.alternatives]
    if precision is None:
        return _once(comparison, scenarios, workers, dask, checkpoints, on_progress)
    if checkpoints is None:
        with tempfile.TemporaryDirectory(prefix="churn-sim-compare-") as tmp:
            return _until_precise(comparison, scenarios, precision, workers, dask, Path(tmp), on_progress)
    return _until_precise(comparison, scenarios, precision, workers, dask, checkpoints, on_progress)


def _once(comparison: Comparison, scenarios: list[Scenario], workers: int, dask: str | None,
          checkpoints: Path | None, on_progress: Progress | None) -> tuple[dict[str, RunResult], dict[str, Any]]:
    runs = run_many(scenarios, workers=workers, dask=dask, checkpoints=checkpoints, on_progress=on_progress)
    results = {s.name: r for s, r in zip(scenarios, runs, strict=True)}
    section = compare_results(results[comparison.baseline.name],
                              [results[a.name] for a in comparison.alternatives])
    return results, section


def half_widths(section: dict[str, Any]) -> dict[str, float]:
    """Each alternative's NPV half-width (inf without an interval)."""
    out = {}
    for name, alt in section["alternatives"].items():
        ci = alt["economics"]["npv"].get("ci95")
        out[name] = (ci[1] - ci[0]) / 2 if ci and None not in ci else math.inf
    return out


def _until_precise(comparison: Comparison, scenarios: list[Scenario], precision: Precision, workers: int,
                   dask: str | None, checkpoints: Path,
                   on_progress: Progress | None) -> tuple[dict[str, RunResult], dict[str, Any]]:
    n = min(max(precision.batch, 2), precision.cap)
    while True:
        batch = [s.model_copy(update={"replications": n}) for s in scenarios]
        results, section = _once(comparison, batch, workers, dask, checkpoints, on_progress)
        widths = half_widths(section)
        widest = max(widths.values())
        if widest <= precision.half_width:
            reason = f"every NPV half-width is at most {precision.half_width:,.0f}"
        elif n >= precision.cap:
            reason = (f"the cap of {precision.cap} replications was reached with the widest NPV half-width "
                      f"{widest:,.0f} ({max(widths, key=lambda k: widths[k])})")
        else:
            n = min(n + precision.batch, precision.cap)
            continue
        section["stopping"] = {"precision": precision.half_width, "batch": precision.batch, "cap": precision.cap,
                               "replications": n, "reason": reason,
                               "npv_half_widths": {k: (v if math.isfinite(v) else None) for k, v in widths.items()}}
        return results, section

