"""The calendar: a warm-up simulated and counted in nothing, every day number from the window's day 0.

A warm-up only renumbers: a run with ``warmup_days`` W and ``horizon_days`` H is the same
simulation as one with no warm-up and H + W days, seen from day W on — the same seed, the
same draws, the same events. So these tests compare the two exactly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.core.recorder import CHURN_FIELDS, ReplicationResult
from sim.model.replication import run_replication
from sim.outputs.kpis import kpis
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
W, H = 28, 35


def small(warmup: int, horizon: int, **sections: Any) -> Scenario:
    return Scenario.model_validate({
        "seed": 5, "warmup_days": warmup, "horizon_days": horizon,
        "market": {"population": 3000, "initial_customers": 600}, **sections,
    })


def assert_window_is_the_tail(windowed: ReplicationResult, long: ReplicationResult) -> None:
    for name, values in windowed.daily.items():
        assert np.array_equal(values, long.daily[name][W:]), name
    assert np.array_equal(windowed.hourly["offered"], long.hourly["offered"][24 * W:])
    later = long.churn["day"] >= W
    for name in CHURN_FIELDS:
        if name in ("in_start_cohort", "orders_in_window", "revenue_in_window"):
            continue  # the long run's cohort and window start on its day 0
        expected = long.churn[name][later] - (W if name in ("day", "joined_day") else 0)
        assert np.array_equal(windowed.churn[name], expected), name


@pytest.fixture(scope="module")
def pair() -> tuple[ReplicationResult, ReplicationResult]:
    return run_replication(small(W, H), 0), run_replication(small(0, W + H), 0)


def test_a_warm_up_only_renumbers_the_days(pair: tuple[ReplicationResult, ReplicationResult]) -> None:
    windowed, long = pair
    assert windowed.horizon_days == H and all(v.size == H for v in windowed.daily.values())
    assert_window_is_the_tail(windowed, long)


def test_customers_at_start_are_those_active_on_day_0_of_the_window(
    pair: tuple[ReplicationResult, ReplicationResult],
) -> None:
    windowed, long = pair
    d = long.daily
    assert windowed.customers_start == d["active_level1"][W - 1] + d["active_level2"][W - 1] + d["active_level3"][W - 1]
    assert kpis(windowed, small(W, H))["customers_start"] == windowed.customers_start


def test_churn_events_mark_the_customers_of_day_0(pair: tuple[ReplicationResult, ReplicationResult]) -> None:
    windowed, _ = pair
    c = windowed.churn
    cohort = c["in_start_cohort"] == 1
    assert 0 < cohort.sum() <= windowed.customers_start
    assert (c["tenure_days"][cohort] >= c["day"][cohort] - 1e-9).all()  # joined by day 0
    assert (c["tenure_days"][~cohort] < c["day"][~cohort] + 1e-9).all()  # joined since
    assert np.allclose(c["day"] - c["joined_day"], c["tenure_days"])
    assert (c["joined_day"][cohort] <= 0).all() and (c["joined_day"] < 0).any()  # before the window


def test_churn_events_count_the_window_s_own_orders_and_revenue(
    pair: tuple[ReplicationResult, ReplicationResult],
) -> None:
    """orders and lifetime_revenue include the warm-up; orders_in_window and revenue_in_window
    do not: together over the churned they are at most the window's orders and revenue."""
    windowed = pair[0]
    c = windowed.churn
    assert (c["orders_in_window"] <= c["orders"]).all() and (c["orders_in_window"] >= 0).all()
    assert (c["revenue_in_window"] <= c["lifetime_revenue"] + 1e-9).all()
    assert (c["orders_in_window"] < c["orders"]).any()  # some ordered in the warm-up
    assert c["orders_in_window"].sum() <= windowed.daily["orders"].sum()
    assert c["revenue_in_window"].sum() <= windowed.daily["revenue"].sum() + 1e-6
    long = pair[1].churn  # no warm-up: the window is the whole run
    assert np.array_equal(long["orders_in_window"], long["orders"])
    assert np.allclose(long["revenue_in_window"], long["lifetime_revenue"])


def test_changes_and_competitor_shocks_count_days_from_the_window() -> None:
    shock = {"attrition": {"competition_per_year": 0.5,
                           "competitor_shocks": [{"start_day": 10, "duration_days": 7, "hazard_multiplier": 4}]}}
    windowed_sc, long_sc = small(W, H, **shock), small(0, W + H, **shock)
    long_sc = long_sc.model_copy(update={"attrition": long_sc.attrition.model_copy(update={
        "competitor_shocks": [s.model_copy(update={"start_day": W + 10}) for s in long_sc.attrition.competitor_shocks]
    })})
    more = windowed_sc.model_copy(update={"service": windowed_sc.service.model_copy(update={"agents": 4})})
    more_long = long_sc.model_copy(update={"service": long_sc.service.model_copy(update={"agents": 4})})
    windowed = run_replication(windowed_sc, 1, changes=[(5, more)])
    long = run_replication(long_sc, 1, changes=[(W + 5, more_long)])
    assert_window_is_the_tail(windowed, long)
    assert (windowed.daily["agents"][:5] == windowed_sc.service.agents).all()
    assert (windowed.daily["agents"][5:] == 4).all()


def test_the_warm_up_is_whole_weeks_and_recorded_in_the_summary(tmp_path: Path) -> None:
    def cli(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "run_sim.py", *map(str, args)], cwd=ROOT, capture_output=True,
                              text=True, timeout=120)

    bad = cli("check", "scenarios/baseline.yaml", "--set", "warmup_days=10")
    assert bad.returncode == 2 and "warmup_days" in bad.stderr and "whole multiple of 7" in bad.stderr
    done = cli("run", "scenarios/baseline.yaml", "-n", "1", "--set", "warmup_days=14", "--set", "horizon_days=7",
               "--set", "market.population=1000", "--set", "market.initial_customers=200", "--quiet",
               "--workers", "1", "--out", tmp_path / "o")
    assert done.returncode == 0, done.stderr
    summary = json.loads((tmp_path / "o" / "summary.json").read_text())
    assert summary["warmup_days"] == 14 and summary["horizon_days"] == 7
    lines = (tmp_path / "o" / "timeseries.csv").read_text().splitlines()
    assert len(lines) == 1 + 7 and lines[1].split(",")[1] == "0"  # measured days only, from day 0
