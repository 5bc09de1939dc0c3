"""Problem episodes against TARP's figures: one decision per episode, by how it ended.

With every other cause of churn switched off (no time-based hazards, no word of mouth
that drives anyone away) and the leave probabilities set to TARP's (1986) larger-loss
figures — 9 % of the silent buy again, 19 % of those who complained and were left
unresolved, 54 % of those resolved, 82 % of those resolved quickly — the share of
**episodes** of each outcome whose one decision was "stay" must reproduce each figure.

What this checks is the per-episode bookkeeping — each episode ends in exactly one outcome and
one leave decision at its configured probability — not TARP's finding itself: the figures are
the input here, so the test shows the model carries them through, not that it predicts them.

The configuration forces every outcome to be common (a few hundred episodes of each per
replication): half the orders fail (late), half the failed orders are voiced; the desk is
open around the clock with agents to spare (no waiting, no abandonment) and resolves half
the contacts, first or later; with a quick-resolution window of 12 hours, a first contact
(answered at once) that resolves is quick, a second one (a day later on average) is not,
and two failures leave the problem unresolved. A replication then has about 6,100 silent
episodes, 1,450 unresolved, 900 resolved and 3,500 resolved quickly.

Replications: the stay share of an outcome with n episodes in a replication has spread
√(p(1 − p)/n); the rarest outcome (resolved, n ≈ 900) has a spread of about 0.017, so 20
replications give a 99 % half-width near 0.011 — over the 0.02 ceiling only if the sample
spread exceeds its expected value by 80 %, which happens with probability below 10⁻⁶.
"""

from __future__ import annotations

import pytest
from replication_checks import SEED, check_interval, replicate

from sim.core.recorder import ReplicationResult
from sim.core.vocabulary import OUTCOMES
from sim.scenario.schema import Scenario

pytestmark = pytest.mark.slow

CUSTOMERS = 8_000
REPLICATIONS = 20
CEILING = 0.02
# TARP: the share who buy again after a larger-loss problem, by how it ended.
STAYED = {"silent": 0.09, "unresolved": 0.19, "resolved": 0.54, "resolved_quickly": 0.82}


def tarp_scenario() -> Scenario:
    return Scenario.model_validate({
        "name": "validation-tarp",
        "seed": SEED,
        "replications": REPLICATIONS,
        "horizon_days": 90,
        "warmup_days": 0,
        "market": {"turnover_per_year": 0, "initial_former_share": 0, "initial_complaints_remembered": 0, "population": CUSTOMERS, "initial_customers": CUSTOMERS, "network": {"kind": "fully_mixed"}},
        "acquisition": {"advertising_rate_per_year": 0, "conversion_per_recommendation": 0},
        "customers": {"orders_per_month": {"mean": 4.0, "cv": 0}, "questions_per_month": 0,
                      "churn_propensity_cv": 0},
        "fulfilment": {
            "on_time_rate": 0.5, "order_fill_rate": 1, "order_accuracy": 1, "invoice_accuracy": 1,
            "product_problem_rate": 0, "contact_probability_if_failed": 0.5,
            "lead_time_days": {"distribution": "fixed", "mean": 1.0},
            "late_delay_days": {"distribution": "fixed", "mean": 1.0},
        },
        "service": {
            "agents": 60, "opening_hours": {"start_hour": 0, "end_hour": 24, "days_per_week": 7},
            "patience_minutes": None, "first_contact_resolution": 0.5, "later_contact_resolution": 0.5,
            "max_contacts_per_problem": 2, "recontact_delay_days": 1.0, "quick_resolution_hours": 12,
        },
        "word_of_mouth": {"leave_per_complaint_heard": 0},
        "attrition": {
            "died_per_year": 0, "competition_per_year": 0, "competitor_shocks": [],
            "poor_service_per_year": {"at_full_satisfaction": 0, "at_zero_satisfaction": 0},
            "leave_after_problem": {
                "silent": 1 - STAYED["silent"],
                "complained_unresolved": 1 - STAYED["unresolved"],
                "complained_resolved": 1 - STAYED["resolved"],
                "complained_resolved_quickly": 1 - STAYED["resolved_quickly"],
            },
        },
    })


@pytest.fixture(scope="module")
def results() -> list[ReplicationResult]:
    return replicate(tarp_scenario())


def test_every_churn_comes_from_an_episode(results: list[ReplicationResult]) -> None:
    for r in results:
        assert (r.churn["path"] < 4).all()  # an episode's outcome, never a hazard or word of mouth
        ended = sum(r.daily[f"episodes_{o}"].sum() for o in OUTCOMES)
        stayed = sum(r.daily[f"episodes_{o}_stayed"].sum() for o in OUTCOMES)
        assert len(r.churn["day"]) == ended - stayed  # one decision per episode, no other


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_share_of_episodes_that_stayed_is_tarps(results: list[ReplicationResult], outcome: str) -> None:
    counts = [r.daily[f"episodes_{outcome}"].sum() for r in results]
    assert min(counts) >= 300, f"too few {outcome} episodes: {counts}"
    values = [r.daily[f"episodes_{outcome}_stayed"].sum() / n for r, n in zip(results, counts, strict=True)]
    check_interval(f"stayed after an episode {outcome}", values, STAYED[outcome], CEILING)
