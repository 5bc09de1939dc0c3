"""Attrition against competing constant hazards, with and without gamma frailty.

A closed cohort: N initial customers, no orders, no questions (so no experiences, no
word of mouth and no decisions to leave after a problem), no acquisition, no
competitor shocks, and the poor-service hazard made flat in satisfaction
(at_full_satisfaction == at_zero_satisfaction). Each customer then leaves at the
constant total hazard Z·H + U (per year in the schema, 365 days a year): H the sum of
died, competition and poor service, multiplied by Z, the churn propensity (1 for
everybody when ``churn_propensity_cv`` is 0, else gamma with mean 1 and variance θ = cv²),
and U the market's turnover (moving away), the same for everyone. So (:mod:`closed_forms`):

* the surviving share at t is exp(−(H + U) t), or exp(−U t)·(1 + θ H t)^(−1/θ) under frailty;
* the mean of min(tenure, T) over the cohort is ∫0^T S(t) dt;
* each churn event's cause is i with probability h_i / Σh without frailty; under frailty
  the causes that Z multiplies lose ground over time to the one it does not
  (:func:`closed_forms.cause_shares_by`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from closed_forms import cause_shares_by, restricted_mean_with_common, survival_with_common
from replication_checks import SEED, active_at, check_interval, replicate

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.recorder import ReplicationResult
from sim.core.vocabulary import CAUSES
from sim.scenario.schema import Scenario

pytestmark = pytest.mark.slow

CUSTOMERS = 4_000
HORIZON_DAYS = 146  # 0.4 year: Σh·T = 0.8, so S(T) = 0.45 without frailty
REPLICATIONS = 20
# Per year; deliberately large so a short run has thousands of churn events.
HAZARDS_PER_YEAR = {
    "died": 0.1,
    "moved_away": 0.2,
    "competition": 0.5,
    "poor_service": 1.2,
}
ABSENT_CAUSES = [c for c in CAUSES if c not in HAZARDS_PER_YEAR]  # friends, product
COMMON = ("moved_away",)  # the market's turnover: not multiplied by the propensity
SCALED_PER_DAY = {c: h / DAYS_PER_YEAR for c, h in HAZARDS_PER_YEAR.items() if c not in COMMON}
COMMON_PER_DAY = {c: h / DAYS_PER_YEAR for c, h in HAZARDS_PER_YEAR.items() if c in COMMON}
H, U = sum(SCALED_PER_DAY.values()), sum(COMMON_PER_DAY.values())

CASES = {"homogeneous": 0.0, "gamma-frailty-cv1.5": 1.5}


def cohort_scenario(propensity_cv: float) -> Scenario:
    h = HAZARDS_PER_YEAR
    no_leaving = {"silent": 0, "complained_unresolved": 0, "complained_resolved": 0,
                  "complained_resolved_quickly": 0}
    return Scenario.model_validate({
        "name": "validation-attrition",
        "seed": SEED,
        "replications": REPLICATIONS,
        "horizon_days": HORIZON_DAYS,
        "warmup_days": 0,
        "market": {"population": CUSTOMERS, "initial_customers": CUSTOMERS, "turnover_per_year": h["moved_away"],
                   "network": {"kind": "fully_mixed"}},
        "acquisition": {"advertising_rate_per_year": 0, "conversion_per_recommendation": 0},
        "customers": {
            "orders_per_month": {"mean": 0, "cv": 0},
            "questions_per_month": 0,
            "churn_propensity_cv": propensity_cv,
        },
        "attrition": {
            "died_per_year": h["died"],
            "competition_per_year": h["competition"],
            "competitor_shocks": [],
            "poor_service_per_year": {"at_full_satisfaction": h["poor_service"],
                                      "at_zero_satisfaction": h["poor_service"]},
            "leave_after_problem": no_leaving,
        },
        "word_of_mouth": {"leave_per_complaint_heard": 0},
        # every level alike, so the hazards are the configured ones whatever the initial level
        "loyalty": {"levels": {f"level{n}": {
            "order_rate_multiplier": 1, "order_value_multiplier": 1, "churn_propensity_multiplier": 1,
            "tell_probability_happy": 0, "recommendation_weight": 1} for n in (1, 2, 3)}},
    })


@dataclass
class Cohort:
    theta: float
    results: list[ReplicationResult]


@pytest.fixture(scope="module", params=list(CASES))
def cohort(request: pytest.FixtureRequest) -> Cohort:
    cv = CASES[request.param]
    return Cohort(cv**2, replicate(cohort_scenario(cv)))


def test_closed_cohort(cohort: Cohort) -> None:
    """Only the time-based causes fire, nobody joins, and the counters agree with the events."""
    for r in cohort.results:
        d = r.daily
        assert r.customers_start == CUSTOMERS
        assert d["new_advertising"].sum() == d["new_referral"].sum() == 0
        assert d["contacts"].sum() == d["orders"].sum() == 0
        causes = np.bincount(r.churn["cause"], minlength=len(CAUSES))
        for i, name in enumerate(CAUSES):
            assert causes[i] == d[f"churned_{name}"].sum(), name
        for name in ABSENT_CAUSES:
            assert causes[CAUSES.index(name)] == 0, f"{name} fired in replication {r.replication}"
        assert active_at(r, HORIZON_DAYS) == CUSTOMERS - len(r.churn["day"])
        tenure = r.churn["tenure_days"]
        assert ((tenure > 0) & (tenure < HORIZON_DAYS)).all()
        np.testing.assert_allclose(tenure, r.churn["day"])  # everyone joined at day 0


@pytest.mark.parametrize("t", [HORIZON_DAYS // 2, HORIZON_DAYS])
def test_survival(cohort: Cohort, t: int) -> None:
    """Surviving share of the cohort at t = exp(−(H + U) t) or exp(−U t)(1 + θH t)^(−1/θ) (ceiling 0.02)."""
    expected = survival_with_common(H, U, t, cohort.theta)
    values = [active_at(r, t) / CUSTOMERS for r in cohort.results]
    interval = check_interval(f"θ={cohort.theta:g} survival at day {t}", values, expected, 0.02)
    if cohort.theta > 0:
        # The check can tell frailty from none: the homogeneous curve is far outside.
        homogeneous = survival_with_common(H, U, t)
        assert not interval.low <= homogeneous <= interval.high, f"{interval}; exp(-(H+U) t) = {homogeneous:.4g}"


def test_restricted_mean_tenure(cohort: Cohort) -> None:
    """Mean of min(tenure, T) over the cohort = ∫0^T S(t) dt (ceiling: 2 % of it)."""
    expected = restricted_mean_with_common(H, U, HORIZON_DAYS, cohort.theta)
    values = [
        (r.churn["tenure_days"].sum() + (CUSTOMERS - len(r.churn["day"])) * HORIZON_DAYS) / CUSTOMERS
        for r in cohort.results
    ]
    check_interval(f"θ={cohort.theta:g} mean min(tenure, {HORIZON_DAYS}) days", values, expected,
                   0.02 * expected)


@pytest.mark.parametrize("cause", list(HAZARDS_PER_YEAR))
def test_cause_shares(cohort: Cohort, cause: str) -> None:
    """Share of a cause among the churn events by the horizon (h_i / Σh without frailty; ceiling 0.02)."""
    expected = cause_shares_by(SCALED_PER_DAY, COMMON_PER_DAY, HORIZON_DAYS, cohort.theta)[cause]
    index = CAUSES.index(cause)
    values = [float(np.mean(r.churn["cause"] == index)) for r in cohort.results]
    check_interval(f"θ={cohort.theta:g} share of churn '{cause}'", values, expected, 0.02)
