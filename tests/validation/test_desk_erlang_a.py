"""The support desk against M/M/c+M (Erlang A).

The Erlang C set-up of :mod:`test_desk_mmc` (a constant customer base, questions as the
only contacts at a constant rate, exponential handle times, the desk always open, every
contact resolved at the first try) with exponential patience (mean 1/θ) and no retry
after giving up is the M/M/c+M queue of Palm (1943), the "Erlang A" of Garnett,
Mandelbaum & Reiman (2002). Its steady state (:func:`closed_forms.erlang_a`, from the
birth–death chain, cross-checked in ``test_closed_forms.py``) gives, for every offered
contact (answered or not):

* P(abandon) = θ E[Q] / λ — the KPI ``abandonment_rate``;
* the mean wait E[Q] / λ, time to an answer or to giving up — ``mean_wait_minutes_offered``;
* P(wait > 0) = P(N ≥ c) — ``p_wait_gt_0_offered``.

Two loads: c = 3 at ρ = λ/(cμ) = 0.8 with patience 10 min, and c = 4 overloaded at ρ = 1.1
with patience 5 min (Erlang A is stable at any load). As in the Erlang C test the first
day is discarded and the KPIs are taken over the measured days.

Replications, from the statistic's spread: a pilot of 20 replications (seed 2026 + 1000,
not the test's seed) measured the per-replication standard deviation s of each statistic;
n is the smallest number, at least 20, whose expected 99 % half-width t·s/√n is at most
60 % of its ceiling (±0.02 for probabilities, ±10 % of the value for the mean wait). Over
8 measured days the pilot's spreads (s = 0.007, 0.07 min, 0.015 at ρ = 0.8; 0.007, 0.034
min, 0.012 at ρ = 1.1) ask for at most 14, so n = 20, where the widest expected
half-width is 49 % of its ceiling (P(wait > 0) at ρ = 0.8). The half-width check then
fails only if a sample standard deviation comes out above twice its true value: for χ²
with 19 degrees of freedom, probability about 10⁻⁹. A correct model fails the
containment check 1 % of the time per statistic, as every 99 % interval does.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from closed_forms import erlang_a
from replication_checks import DeskRun, check_interval, desk_queue_scenario, run_desk

from sim.scenario.schema import Scenario

pytestmark = pytest.mark.slow

CUSTOMERS = 1_000
HANDLE_MINUTES = 5.0
WARMUP_DAYS = 1


@dataclass(frozen=True)
class ErlangACase:
    agents: int
    rho: float  # λ / (c μ)
    patience_minutes: float
    replications: int
    measured_days: int

    @property
    def mu(self) -> float:  # per minute
        return 1.0 / HANDLE_MINUTES

    @property
    def theta(self) -> float:  # per minute
        return 1.0 / self.patience_minutes

    @property
    def lam(self) -> float:  # per minute
        return self.rho * self.agents * self.mu


CASES = {
    "rho0.8-c3-patience10": ErlangACase(agents=3, rho=0.8, patience_minutes=10.0, replications=20, measured_days=8),
    "rho1.1-c4-patience5": ErlangACase(agents=4, rho=1.1, patience_minutes=5.0, replications=20, measured_days=8),
}


def desk_scenario(case: ErlangACase) -> Scenario:
    return desk_queue_scenario(
        "validation-desk-erlang-a", replications=case.replications,
        horizon_days=WARMUP_DAYS + case.measured_days, customers=CUSTOMERS, arrivals_per_minute=case.lam,
        agents=case.agents, handle_minutes=HANDLE_MINUTES, retry_after_abandon=0,
        patience_minutes={"distribution": "exponential", "mean": case.patience_minutes},
    )


@pytest.fixture(scope="module", params=list(CASES))
def desk(request: pytest.FixtureRequest) -> DeskRun[ErlangACase]:
    case = CASES[request.param]
    return run_desk(case, desk_scenario(case), WARMUP_DAYS)


def test_scenario_is_erlang_a(desk: DeskRun[ErlangACase]) -> None:
    """Only questions, nobody joins or leaves, no retries: every abandonment is a first try."""
    for r in desk.results:
        d = r.daily
        assert d["questions"].sum() == d["contacts"].sum() > 0
        assert d["product_problem_contacts"].sum() == d["order_problem_contacts"].sum() == 0
        assert d["abandoned"].sum() > 0
        assert d["new_advertising"].sum() == d["new_referral"].sum() == 0
        assert len(r.churn["day"]) == 0
        assert (d["agents"] == desk.case.agents).all()


def test_probability_of_abandoning(desk: DeskRun[ErlangACase]) -> None:
    case = desk.case
    expected = erlang_a(case.agents, case.lam, case.mu, case.theta).p_abandon
    check_interval(f"{case} P(abandon)", desk.kpi("abandonment_rate"), expected, 0.02)


def test_mean_wait_of_offered_contacts(desk: DeskRun[ErlangACase]) -> None:
    case = desk.case
    expected = erlang_a(case.agents, case.lam, case.mu, case.theta).mean_wait
    check_interval(f"{case} mean wait of offered contacts (minutes)", desk.kpi("mean_wait_minutes_offered"),
                   expected, 0.10 * expected)


def test_probability_of_waiting(desk: DeskRun[ErlangACase]) -> None:
    case = desk.case
    expected = erlang_a(case.agents, case.lam, case.mu, case.theta).p_wait
    check_interval(f"{case} P(wait > 0), offered contacts", desk.kpi("p_wait_gt_0_offered"), expected, 0.02)
