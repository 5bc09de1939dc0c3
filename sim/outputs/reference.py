"""The KPI reference, ``docs/KPIS.md``, written from :data:`sim.outputs.kpi_definitions.KPI_DEFINITIONS`.

The same table gives the terminal its labels and summary.json its ``kpi_definitions``;
a test fails when the checked-in file is stale. Regenerate it with::

    .venv/bin/python -m sim.outputs.reference > docs/KPIS.md
"""

from __future__ import annotations

import math
import sys

from sim.outputs.kpi_definitions import CURRENCY, KPI_DEFINITIONS, KPI_NAMES


def _range(low: float, high: float) -> str:
    if math.isinf(low) and math.isinf(high):
        return "any"
    lo = "−∞" if math.isinf(low) else f"{low:g}"
    hi = "∞" if math.isinf(high) else f"{high:g}"
    return f"[{lo}, {hi}]" if not math.isinf(high) else f"[{lo}, ∞)"


def markdown() -> str:
    """docs/KPIS.md: one row per KPI of summary.json, in its order."""
    lines = [
        "# KPIs",
        "",
        "<!-- Generated from sim/outputs/kpi_definitions.py (KPI_DEFINITIONS) by `python -m sim.outputs.reference`; do not edit. -->",
        "",
        "Every KPI of `summary.json` and `kpis.csv`, in their order. Counts are totals over the",
        "horizon and whole numbers; \"active\" is the end-of-day snapshot. *Better* is the direction",
        "a comparison counts as an improvement (`neither`: no direction is good in itself). Money is",
        "in the scenario's `economics.currency` (shown as *currency*). *Range* is the KPI's natural",
        "range: a 95 % interval is cut to it (a Student-t interval of a share near 0 or 1 can",
        "otherwise reach past it). A ratio with nothing to divide by in a replication (0/0) is",
        "undefined: `null` in summary.json, an empty cell in the CSV files.",
        "",
        "| KPI | label | unit | better | range | definition |",
        "|---|---|---|---|---|---|",
    ]
    for name in KPI_NAMES:
        d = KPI_DEFINITIONS[name]
        unit = d.unit.replace(CURRENCY, "currency")
        kind = f"{_range(d.low, d.high)}{', whole' if d.integer else ''}"
        lines.append(f"| `{name}` | {d.label} | {unit} | {d.better} | {kind} | {d.definition} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
