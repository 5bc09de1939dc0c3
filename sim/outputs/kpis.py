"""The KPIs of one replication, computed by mechanism from its counters.

Everything here is a function of :class:`~sim.core.recorder.ReplicationResult` (and the
scenario, for the economics), so the same numbers come out in a notebook, in the command line
and in the report. Shares are computed from counts, never averaged from daily shares. A ratio
with nothing to divide by is NaN (undefined), never infinite. What each KPI means is in
:mod:`sim.outputs.kpi_definitions`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.recorder import ReplicationResult
from sim.core.vocabulary import CAUSES, LEVELS, OUTCOMES, PATHS
from sim.outputs.economics import daily_economics, lifetime_value, npv
from sim.outputs.kpi_definitions import (
    COUNT_KPIS,
    CURRENCY,
    KPI_DEFINITIONS,
    KPI_NAMES,
    KpiDefinition,
    kpi_definitions,
)
from sim.scenario.schema import Scenario

__all__ = ["COUNT_KPIS", "CURRENCY", "KPI_DEFINITIONS", "KPI_NAMES", "KpiDefinition", "kpi_definitions", "kpis"]


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


@dataclass
class _Window:
    """One replication's days from ``from_day`` on: the series, their totals, the money."""

    result: ReplicationResult
    scenario: Scenario
    from_day: int
    d: dict[str, np.ndarray]
    total: dict[str, float]
    money: dict[str, np.ndarray]
    active: np.ndarray  # customers at the end of each day

    @classmethod
    def of(cls, result: ReplicationResult, scenario: Scenario, from_day: int) -> _Window:
        d = {name: values[from_day:] for name, values in result.daily.items()}
        money = daily_economics(result.daily, scenario.economics, scenario.investments)
        return cls(
            result, scenario, from_day, d,
            total={name: float(values.sum()) for name, values in d.items()},
            money={name: values[from_day:] for name, values in money.items()},
            active=d["active_level1"] + d["active_level2"] + d["active_level3"],
        )

    def end(self, series: str) -> float:
        """The last day's snapshot of a series (NaN for an empty window)."""
        return float(self.d[series][-1]) if self.active.size else math.nan

    @property
    def customers_end(self) -> float:
        return float(self.active[-1]) if self.active.size else math.nan

    @property
    def customer_years(self) -> float:
        return float(self.active.sum()) / DAYS_PER_YEAR

    @property
    def churned_total(self) -> float:
        return sum(self.total[f"churned_{c}"] for c in CAUSES)

    @property
    def churn_rate(self) -> float:
        return _ratio(self.churned_total, self.customer_years)


def _customers(w: _Window) -> dict[str, float]:
    """Customers, acquisition, churn by cause and by path, the start cohort."""
    t, result = w.total, w.result
    churned_total = w.churned_total
    in_window = result.churn["day"] >= w.from_day
    paths = np.bincount(result.churn["path"][in_window].astype(np.int64), minlength=len(PATHS))
    # customers on day from_day: the start of the window, or the snapshot at the end of the day before
    start = float(result.customers_start) if w.from_day == 0 else float(
        sum(result.daily[f"active_level{n}"][w.from_day - 1] for n in LEVELS))
    cohort = math.nan  # the cohort is the customers of day 0 of the window: only from day 0
    if w.from_day == 0 and result.horizon_days >= DAYS_PER_YEAR:
        lost = (result.churn["in_start_cohort"] == 1) & (result.churn["day"] < DAYS_PER_YEAR)
        cohort = _ratio(float(lost.sum()), float(result.customers_start))
    return {
        "customers_start": start,
        "customers_end": w.customers_end,
        "new_customers_advertising": t["new_advertising"],
        "new_customers_referral": t["new_referral"],
        "new_customers_winback": t["new_winback"],
        "prospects_deterred": t["prospects_deterred"],
        "churned_total": churned_total,
        **{f"churned_{c}": t[f"churned_{c}"] for c in CAUSES},
        "churn_rate_annual": w.churn_rate,
        **{f"share_churn_{c}": _ratio(t[f"churned_{c}"], churned_total) for c in CAUSES},
        **{f"share_churn_path_{p}": _ratio(float(paths[i]), churned_total) for i, p in enumerate(PATHS)},
        "start_cohort_lost_first_year": cohort,
    }


def _fulfilment(w: _Window) -> dict[str, float]:
    """Orders and how they were delivered."""
    t = w.total
    orders = t["orders"]
    return {
        "orders": orders,
        "perfect_order_rate": _ratio(t["orders_perfect"], orders),
        "on_time_rate": _ratio(t["orders_on_time"], orders),
        "order_fill_rate": _ratio(t["orders_complete"], orders),
        "order_accuracy_rate": _ratio(t["orders_accurate"], orders),
        "invoice_accuracy_rate": _ratio(t["orders_invoice_ok"], orders),
        "mean_lead_time_days": _ratio(t["lead_time_days_sum"], orders),
        "share_repeat_transactions": _ratio(t["orders_repeat"], orders),
        "share_initial_transactions": _ratio(t["orders_initial"], orders),
    }


def _desk(w: _Window) -> dict[str, float]:
    """The support desk: contacts, waits, resolution, the agents' time."""
    t = w.total
    answered, abandoned = t["answered"], t["abandoned"]
    offered = answered + abandoned
    return {
        "contacts": t["contacts"],
        "questions": t["questions"],
        "order_problem_contacts": t["order_problem_contacts"],
        "mean_wait_minutes": _ratio(t["wait_minutes_sum"], answered),
        "p_wait_gt_0": _ratio(t["waited"], answered),
        "service_level": _ratio(t["answered_within_target"], offered),
        "abandonment_rate": _ratio(abandoned, offered),
        "first_contact_resolution_rate": _ratio(t["first_contacts_resolved"], t["first_contacts_answered"]),
        "p_wait_gt_0_offered": _ratio(t["waited"] + abandoned, offered),
        "mean_wait_minutes_offered": _ratio(t["wait_minutes_sum"] + t["abandoned_wait_minutes_sum"], offered),
        "mean_time_to_abandon_minutes": _ratio(t["abandoned_wait_minutes_sum"], abandoned),
        "agent_utilisation": _ratio(t["agent_busy_hours"], t["staffed_agent_hours"] + t["overtime_agent_hours"]),
        "staffed_agent_hours": t["staffed_agent_hours"],
        "overtime_agent_hours": t["overtime_agent_hours"],
        "mean_time_to_resolution_hours": _ratio(t["resolution_hours_sum"], t["problems_resolved"]),
    }


def _episodes_and_word_of_mouth(w: _Window) -> dict[str, float]:
    """Problem episodes (TARP) and what customers told others."""
    t = w.total
    return {
        "complaints": t["complaints"],
        "problem_episodes": t["episodes"],
        "voiced_share": _ratio(t["complaints"], t["episodes"]),
        **{f"episodes_{o}": t[f"episodes_{o}"] for o in OUTCOMES},
        **{f"stay_rate_{o}": _ratio(t[f"episodes_{o}_stayed"], t[f"episodes_{o}"]) for o in OUTCOMES},
        "wom_positive_messages": t["wom_positive"],
        "wom_negative_messages": t["wom_negative"],
        "mean_told_by_happy": _ratio(t["wom_positive"], t["happy_tellers"]),
        "mean_told_by_unhappy": _ratio(t["wom_negative"], t["unhappy_tellers"]),
    }


def _loyalty(w: _Window) -> dict[str, float]:
    """The loyalty mix, at the end and over the window, and revenue by level."""
    t, end = w.total, w.customers_end
    customer_days = float(w.active.sum())
    return {
        "share_advocates_end": _ratio(w.end("active_level3"), end) if w.active.size else math.nan,
        "mean_satisfaction_end": w.end("mean_satisfaction"),
        **{f"share_level{n}_end": _ratio(w.end(f"active_level{n}"), end) if w.active.size else math.nan
           for n in (1, 2)},
        **{f"share_level{n}_mean": _ratio(t[f"active_level{n}"], customer_days) for n in LEVELS},
        **{f"share_revenue_level{n}": _ratio(t[f"revenue_level{n}"], t["revenue"]) for n in LEVELS},
    }


def _money(w: _Window) -> dict[str, float]:
    """Revenue, costs, profit, NPV and the customer lifetime value."""
    m, econ = w.money, w.scenario.economics
    margin = m["gross_profit"].sum() - m["fulfilment_cost"].sum() - m["contact_cost"].sum()
    return {
        "revenue": w.total["revenue"],
        "gross_profit": float(m["gross_profit"].sum()),
        "service_cost": float(m["service_cost"].sum()),
        "acquisition_cost": float(m["acquisition_cost"].sum()),
        "guarantee_cost": float(m["guarantee_cost"].sum()),
        "investment_cost": float(m["investment_cost"].sum()),
        "profit": float(m["profit"].sum()),
        "npv": npv(m["profit"], econ.discount_rate_annual),
        "customer_lifetime_value": lifetime_value(
            _ratio(float(margin), w.customer_years), w.churn_rate, econ.discount_rate_annual),
    }


def kpis(result: ReplicationResult, scenario: Scenario, from_day: int = 0) -> dict[str, float]:
    """The KPIs of one replication, counting only days >= ``from_day`` (a warm-up before it is
    discarded from every series, and NPV is discounted from ``from_day``); ``customers_start`` is
    then the customers at the end of the day before, and the start cohort's KPI, which follows
    the customers of day 0, is undefined."""
    w = _Window.of(result, scenario, from_day)
    k = {**_customers(w), **_fulfilment(w), **_desk(w), **_episodes_and_word_of_mouth(w), **_loyalty(w),
         **_money(w)}
    return {name: float(k[name]) for name in KPI_NAMES}
