"""Running a comparison: the baseline and every alternative, on the same seed and replication
numbers (so replication i of each is paired), then their paired differences and economics
(:mod:`sim.outputs.comparison_results`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.experiments.runner import Progress, run
from sim.outputs.comparison_results import compare_results
from sim.outputs.tables import RunResult
from sim.scenario.comparison import Comparison


def run_comparison(
    comparison: Comparison, *, workers: int = 1, on_progress: Progress | None = None
) -> tuple[dict[str, RunResult], dict[str, Any]]:
    """Every scenario's runs, by name (the baseline first), and the "comparison" section."""
    scenarios = [comparison.baseline, *comparison.alternatives]
    total = sum(s.replications for s in scenarios)
    results: dict[str, RunResult] = {}
    done = 0
    for scenario in scenarios:
        results[scenario.name] = run(scenario, workers=workers, on_progress=_offset(on_progress, done, total))
        done += scenario.replications
    base = results[comparison.baseline.name]
    section = compare_results(base, [results[a.name] for a in comparison.alternatives])
    return results, section


def _offset(on_progress: Progress | None, before: int, total: int) -> Progress | None:
    if on_progress is None:
        return None
    report: Callable[[float, int], None] = on_progress

    def shifted(done: float, _: int) -> None:
        report(before + done, total)

    return shifted
