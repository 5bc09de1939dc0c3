"""Outputs that explain themselves: one definition per KPI, tidy dtypes, intervals in range."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim import load_scenario, run
from sim.core.vocabulary import CAUSES
from sim.outputs.files import interval, write_csv
from sim.outputs.kpis import KPI_DEFINITIONS, KPI_NAMES, kpi_definitions, kpis
from sim.outputs.reference import markdown

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["horizon_days=20", "market.population=1000", "market.initial_customers=200"]


@pytest.fixture(scope="module")
def result():
    return run(load_scenario(ROOT / "scenarios" / "baseline.yaml", SMALL, seed=3, replications=2))


def test_every_kpi_has_one_definition() -> None:
    assert list(KPI_DEFINITIONS) == list(KPI_NAMES) or set(KPI_DEFINITIONS) == set(KPI_NAMES)
    labels = [d.label for d in KPI_DEFINITIONS.values()]
    assert len(set(labels)) == len(labels), "labels must be unique"
    for name, d in KPI_DEFINITIONS.items():
        assert d.better in ("higher", "lower", "neither"), name
        assert d.label and d.unit and d.definition, name
        assert d.low < d.high, name
    assert kpi_definitions("USD")["revenue"] == {
        "label": "revenue", "unit": "USD", "definition": KPI_DEFINITIONS["revenue"].definition, "better": "higher"}


def test_docs_kpis_md_is_generated_from_the_definitions() -> None:
    text = (ROOT / "docs" / "KPIS.md").read_text(encoding="utf-8")
    assert text == markdown(), "docs/KPIS.md is stale: run .venv/bin/python -m sim.outputs.reference > docs/KPIS.md"


def test_intervals_are_clipped_to_the_natural_range() -> None:
    mean, lo, hi, _ = interval("abandonment_rate", [0.0, 0.01])  # a raw t interval reaches below 0
    assert (lo, hi) == (0.0, pytest.approx(hi)) and 0 <= mean <= hi <= 1
    mean, lo, hi, _ = interval("perfect_order_rate", [0.99, 1.0])
    assert hi == 1.0 and lo < mean
    assert interval("churned_total", [0.0, 3.0])[1] == 0.0
    assert interval("profit", [-5.0, 3.0])[1] < -5.0  # money may be negative: not clipped
    assert np.isnan(interval("profit", [1.0])[1])


@settings(max_examples=300, deadline=None)
@given(
    name=st.sampled_from(KPI_NAMES),
    values=st.lists(st.one_of(st.floats(-1e6, 1e6), st.just(math.nan)), min_size=0, max_size=12),
)
def test_no_clipped_interval_is_ever_inverted(name: str, values: list[float]) -> None:
    """Whatever the values — outside the KPI's range too (utilisation once came out at 1.01) —
    the cut interval has lo <= hi, and n counts the replications that define the KPI."""
    mean, lo, hi, n = interval(name, values)
    assert n == sum(math.isfinite(v) for v in values)
    if math.isfinite(lo):
        assert lo <= hi


def test_a_kpi_undefined_in_some_replications_is_summarised_over_the_others() -> None:
    mean, lo, hi, n = interval("mean_time_to_abandon_minutes", [2.0, math.nan, 4.0, 3.0])
    assert (mean, n) == (3.0, 3) and lo < 3.0 < hi
    assert interval("mean_time_to_abandon_minutes", [math.nan, math.nan])[3] == 0
    assert math.isnan(interval("mean_time_to_abandon_minutes", [math.nan, math.nan])[0])


def test_tables_have_tidy_dtypes(result) -> None:
    kpis = result.kpis()
    for name in KPI_NAMES:
        if KPI_DEFINITIONS[name].integer:
            assert pd.api.types.is_integer_dtype(kpis[name]), name
        else:
            assert pd.api.types.is_float_dtype(kpis[name]), name
    ts = result.timeseries()
    for name in ("replication", "day", "customers_active", "orders", "contacts", "agents",
                 *(f"churned_{c}" for c in CAUSES)):
        assert ts[name].dtype == np.int64, name
    assert ts["revenue"].dtype == np.float64
    churn = result.churn_events()
    assert isinstance(churn["cause"].dtype, pd.CategoricalDtype)
    assert list(churn["cause"].cat.categories) == list(CAUSES)
    assert churn["replication"].dtype == np.int64 and churn["customer"].dtype == np.int64


def test_kpis_from_a_later_day_start_from_that_day() -> None:
    """kpis(from_day=k): customers_start is the customers at the end of day k - 1 (not those of
    day 0), and the start cohort's share lost, which follows day 0's customers, is undefined."""
    from sim.model.replication import run_replication
    from sim.scenario.schema import Scenario

    sc = Scenario.model_validate({"horizon_days": 400, "warmup_days": 0,
                                  "market": {"population": 600, "initial_customers": 120}})
    result = run_replication(sc, 0)
    whole, later = kpis(result, sc), kpis(result, sc, from_day=30)
    active = result.daily["active_level1"] + result.daily["active_level2"] + result.daily["active_level3"]
    assert whole["customers_start"] == result.customers_start == 120
    assert later["customers_start"] == active[29]
    assert not math.isnan(whole["start_cohort_lost_first_year"])
    assert math.isnan(later["start_cohort_lost_first_year"])
    assert later["customers_end"] == whole["customers_end"]



def _csv(frame: pd.DataFrame) -> tuple[str, str]:
    """``frame`` written by pandas and by :func:`write_csv`."""
    mine = io.StringIO(newline="")
    write_csv(frame, mine)
    return frame.to_csv(index=False, lineterminator="\n"), mine.getvalue()


def test_the_tables_are_written_as_pandas_writes_them(result) -> None:
    for table in (result.timeseries(), result.churn_events(), result.desk_by_hour(), result.kpis()):
        theirs, mine = _csv(table)
        assert mine == theirs


_FLOATS = st.floats(allow_nan=True, allow_infinity=True, width=64) | st.sampled_from([-0.0, 1e16, 1e-5, 1e-4, 0.1])


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_FLOATS, st.none() | st.integers(-2**62, 2**62), st.integers(-2**62, 2**62),
                               st.booleans(), st.none() | st.sampled_from(["a", "b,c", 'say "x"', "two\nlines"]),
                               st.none() | st.text(max_size=5), _FLOATS.map(lambda v: v if v == v else None)),
                     max_size=30))
def test_write_csv_gives_pandas_bytes_for_every_kind_of_column(rows: list[tuple[Any, ...]]) -> None:
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    frame = pd.DataFrame({
        "float": np.array(columns[0], dtype=float),
        "nullable int": pd.array(list(columns[1]), dtype="Int64"),
        "int": np.array(columns[2], dtype=np.int64),
        "bool": np.array(columns[3], dtype=bool),
        "category": pd.Categorical(list(columns[4]), categories=["a", "b,c", 'say "x"', "two\nlines"]),
        "text": pd.Series(list(columns[5]), dtype=object),
        "object float": pd.Series(list(columns[6]), dtype=object),
    })
    theirs, mine = _csv(frame)
    assert mine == theirs
