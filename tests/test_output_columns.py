"""Every column of every output table is declared with its unit and meaning (sim/outputs/columns.py),
and docs/OUTPUTS.md, generated from the declarations, is up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario, run
from sim.outputs.columns import TABLES, markdown
from sim.outputs.tables import RunResult

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small() -> RunResult:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", [
        "market.population=1500", "market.initial_customers=300", "horizon_days=60", "warmup_days=0"],
        replications=1)
    return run(scenario)


def test_every_column_written_is_declared_in_order(small: RunResult) -> None:
    frames = {"timeseries.csv": small.timeseries(), "churn_events.csv": small.churn_events(),
              "desk_by_hour.csv": small.desk_by_hour()}
    assert set(frames) == set(TABLES)
    for file, frame in frames.items():
        assert list(frame.columns) == [name for name, _, _ in TABLES[file]], file
    for file, columns in TABLES.items():
        for name, unit, meaning in columns:
            assert unit and len(meaning) > 10, (file, name)


def test_docs_outputs_md_is_generated_from_the_declarations() -> None:
    text = (ROOT / "docs" / "OUTPUTS.md").read_text(encoding="utf-8")
    assert text == markdown(), "docs/OUTPUTS.md is stale: run .venv/bin/python -m sim.outputs.columns > docs/OUTPUTS.md"
