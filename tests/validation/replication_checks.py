"""Running replications for a validation test, and the confidence-interval check they share.

The rule for every validation check: one statistic per replication, at least
``MIN_REPLICATIONS`` replications 0..N-1 of one fixed master seed, a 99 % Student-t
interval (:func:`sim.outputs.stats.mean_ci`) that must contain the closed-form value and be
no wider (half-width) than a stated ceiling, so a pass means "agrees, and the test
was precise enough to notice if it did not".
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sim.core.calendar import DAYS_PER_MONTH, MINUTES_PER_DAY
from sim.core.recorder import ReplicationResult
from sim.model.replication import run_replication
from sim.outputs.kpis import kpis
from sim.outputs.stats import mean_ci
from sim.scenario.schema import Scenario

LEVEL = 0.99
MIN_REPLICATIONS = 20
# The master seed of every validation scenario; fixed before looking at any result.
SEED = 2026
WORKERS = max(1, min(2, os.cpu_count() or 1))


def replicate(scenario: Scenario) -> list[ReplicationResult]:
    """Replications 0..scenario.replications-1, in index order, on up to two processes.

    Each is :func:`sim.model.replication.run_replication` (a pure function of scenario and index),
    so the results do not depend on the number of processes.
    """
    n = scenario.replications
    assert n >= MIN_REPLICATIONS, f"{n} replications; a validation check needs at least {MIN_REPLICATIONS}"
    if WORKERS == 1:
        results = [run_replication(scenario, i) for i in range(n)]
    else:
        with ProcessPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(run_replication, [scenario] * n, range(n)))
    assert [r.replication for r in results] == list(range(scenario.replications))
    return results


Case = TypeVar("Case")


@dataclass
class DeskRun(Generic[Case]):
    """The replications of one desk case, with each one's KPIs from the end of the warm-up."""

    case: Case
    results: list[ReplicationResult]
    steady: list[dict[str, float]]

    def kpi(self, name: str) -> list[float]:
        return [k[name] for k in self.steady]


def run_desk(case: Case, scenario: Scenario, warmup_days: int) -> DeskRun[Case]:
    """:func:`replicate` ``scenario``; the KPIs count from day ``warmup_days`` on."""
    results = replicate(scenario)
    return DeskRun(case, results, [kpis(r, scenario, from_day=warmup_days) for r in results])


@dataclass(frozen=True)
class Interval:
    what: str
    n: int
    mean: float
    low: float
    high: float
    expected: float
    ceiling: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def __str__(self) -> str:
        return (
            f"{self.what}: mean {self.mean:.5g} over {self.n} replications, "
            f"{LEVEL:.0%} CI [{self.low:.5g}, {self.high:.5g}] (half-width {self.half_width:.3g}, "
            f"ceiling {self.ceiling:.3g}); formula {self.expected:.5g}"
        )


def check_interval(what: str, values: Sequence[float], expected: float, ceiling: float) -> Interval:
    """Assert the 99 % t interval of ``values`` contains ``expected`` and is at most ``ceiling`` wide (half)."""
    values = [float(v) for v in values]
    assert len(values) >= MIN_REPLICATIONS, f"{what}: only {len(values)} replications"
    assert all(math.isfinite(v) for v in values), f"{what}: non-finite statistic in {values}"
    mean, low, high = mean_ci(values, LEVEL)
    interval = Interval(what, len(values), mean, low, high, expected, ceiling)
    print(interval)
    assert interval.half_width <= ceiling, f"interval too wide to validate anything — {interval}"
    assert low <= expected <= high, f"formula outside the interval — {interval}"
    return interval


def active_at(result: ReplicationResult, t: int) -> float:
    """Customers at time t (days): the end-of-day snapshot of day t − 1."""
    d = result.daily
    return float(d["active_level1"][t - 1] + d["active_level2"][t - 1] + d["active_level3"][t - 1])


def desk_queue_scenario(
    name: str, *, replications: int, horizon_days: int, customers: int, arrivals_per_minute: float,
    agents: int, handle_minutes: float, **service: Any,
) -> Scenario:
    """The desk as a plain queue: a closed base of ``customers`` whose only contacts are
    questions (Poisson, ``arrivals_per_minute`` in all), the desk always open with
    ``agents`` agents and exponential handle times, every question resolved at once, and
    nobody joining or leaving. ``service`` adds or overrides desk parameters (patience…)."""
    questions_per_month = arrivals_per_minute * MINUTES_PER_DAY * DAYS_PER_MONTH / customers
    no_leaving = {"silent": 0, "complained_unresolved": 0, "complained_resolved": 0,
                  "complained_resolved_quickly": 0}
    return Scenario.model_validate({
        "name": name,
        "seed": SEED,
        "replications": replications,
        "horizon_days": horizon_days,
        "warmup_days": 0,
        "market": {"turnover_per_year": 0, "initial_former_share": 0, "initial_complaints_remembered": 0, "population": customers, "initial_customers": customers, "network": {"kind": "fully_mixed"}},
        "acquisition": {"advertising_rate_per_year": 0, "conversion_per_recommendation": 0},
        "customers": {"orders_per_month": {"mean": 0, "cv": 0}, "questions_per_month": questions_per_month,
                      "churn_propensity_cv": 0},
        "service": {
            "agents": agents,
            "opening_hours": {"start_hour": 0, "end_hour": 24, "days_per_week": 7},
            "handle_minutes": {"distribution": "exponential", "mean": handle_minutes},
            "first_contact_resolution": 1,
            "complaint_share": 0,
            **service,
        },
        "attrition": {
            "died_per_year": 0, "competition_per_year": 0,
            "poor_service_per_year": {"at_full_satisfaction": 0, "at_zero_satisfaction": 0},
            "leave_after_problem": no_leaving,
        },
        "word_of_mouth": {"leave_per_complaint_heard": 0},
    })
