"""The shipped baseline is a steady state, calibrated to the sources over its measured window.

One run of the shipped baseline, 10 replications (its warm-up, then three measured years):

* **Steady state**: the mean over replications of the customers active at the end of each
  measured year stays within ±3 % of the measured window's mean, and each loyalty level's
  share within ±3 percentage points of its window mean. How far from failing: on 20
  replications (``run(load_scenario("scenarios/baseline.yaml", replications=20))``) the
  per-replication spread of each year-end's deviation was at most 1.0 % (customers) and
  0.9 points (shares), so the 10-replication means have a standard error of about 0.3 %
  and 0.3 points; the largest mean deviation seen was −1.0 % (the slow thinning of the
  prospects who never bought) and 0.5 points: both more than 6 standard errors inside
  the bounds.
* **Cause mix**: a calibration target (each cause's mean share within 3 points of the
  sources'), not a theorem.
* **People told per teller**: exact in expectation (the mean of the configured range), so
  checked with a 99 % interval that must contain it and be narrow.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim import load_scenario, run
from sim.outputs.stats import mean_ci

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
SOURCES_MIX = {
    "poor_service": 0.68,
    "product_dissatisfaction": 0.14,
    "competition": 0.09,
    "friends_influence": 0.05,
    "moved_away": 0.03,
    "died": 0.01,
}


@pytest.fixture(scope="module")
def baseline() -> tuple[pd.DataFrame, pd.DataFrame, int]:
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", replications=10)
    result = run(scenario, workers=2)
    return result.kpis(), result.timeseries(), scenario.horizon_days


def year_ends(horizon_days: int) -> list[int]:
    return list(range(364, horizon_days, 365))


def test_the_baseline_measures_three_years_after_a_warm_up(baseline) -> None:
    _, series, horizon = baseline
    assert horizon == 3 * 365 and len(year_ends(horizon)) == 3
    assert load_scenario(ROOT / "scenarios" / "baseline.yaml").warmup_days > 0
    assert series["day"].min() == 0  # warm-up rows are not written


def test_customers_hold_steady_year_by_year(baseline) -> None:
    _, series, horizon = baseline
    window = series["customers_active"].mean()
    for day in year_ends(horizon):
        end = series.loc[series["day"] == day, "customers_active"].mean()
        assert abs(end / window - 1) <= 0.03, f"day {day}: {end:.0f} customers, window mean {window:.0f}"


@pytest.mark.parametrize("level", [1, 2, 3])
def test_the_loyalty_mix_holds_steady_year_by_year(baseline, level: int) -> None:
    _, series, horizon = baseline
    share = series[f"active_level{level}"] / series["customers_active"]
    window = share.mean()
    for day in year_ends(horizon):
        end = share[series["day"] == day].mean()
        assert abs(end - window) <= 0.03, f"level {level}, day {day}: share {end:.3f}, window mean {window:.3f}"


@pytest.mark.parametrize("cause", list(SOURCES_MIX))
def test_churn_cause_mix_near_the_sources(baseline, cause: str) -> None:
    share = baseline[0][f"share_churn_{cause}"].mean()
    assert abs(share - SOURCES_MIX[cause]) <= 0.03, (
        f"{cause}: simulated share {share:.3f}, sources {SOURCES_MIX[cause]:.2f}"
    )


@pytest.mark.parametrize(("kpi", "expected", "ceiling"), [
    ("mean_told_by_happy", 4.5, 0.05),
    ("mean_told_by_unhappy", 15.0, 0.25),
])
def test_people_told_per_teller(baseline, kpi: str, expected: float, ceiling: float) -> None:
    mean, lo, hi = mean_ci(list(baseline[0][kpi]), 0.99)
    assert lo <= expected <= hi, f"{kpi}: 99% interval [{lo:.3f}, {hi:.3f}] misses {expected}"
    assert hi - mean <= ceiling, f"{kpi}: interval half-width {hi - mean:.3f} above {ceiling}"
