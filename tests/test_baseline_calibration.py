"""The shipped baseline is calibrated to the sources: churn-cause mix and word of mouth.

The cause mix is a calibration target (the issue asks for each cause's mean share within
3 percentage points of the sources'), not a theorem; the mean number told per teller is
exact in expectation (the mean of the configured range), so it is checked with a 99 %
interval that must contain it and be narrow.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario, run
from sim.stats import mean_ci

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
def baseline_kpis():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", replications=6)
    return run(scenario, workers=2).kpis()


@pytest.mark.slow
@pytest.mark.parametrize("cause", list(SOURCES_MIX))
def test_churn_cause_mix_near_the_sources(baseline_kpis, cause):
    share = baseline_kpis[f"share_churn_{cause}"].mean()
    assert abs(share - SOURCES_MIX[cause]) <= 0.03, (
        f"{cause}: simulated share {share:.3f}, sources {SOURCES_MIX[cause]:.2f}"
    )


@pytest.mark.slow
@pytest.mark.parametrize(("kpi", "expected", "ceiling"), [
    ("mean_told_by_happy", 4.5, 0.05),
    ("mean_told_by_unhappy", 15.0, 0.25),
])
def test_people_told_per_teller(baseline_kpis, kpi, expected, ceiling):
    mean, lo, hi = mean_ci(list(baseline_kpis[kpi]), 0.99)
    assert lo <= expected <= hi, f"{kpi}: 99% interval [{lo:.3f}, {hi:.3f}] misses {expected}"
    assert hi - mean <= ceiling, f"{kpi}: interval half-width {hi - mean:.3f} above {ceiling}"
