"""Metrics: the KPIs of a replication and the tidy tables of a run.

Everything here is a function of :class:`~sim.recorder.ReplicationResult` (and the
scenario, for the economics), so the same numbers come out in a notebook, in the
command line and in the report. Shares are computed from counts, never averaged
from daily shares.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.economics import daily_economics, lifetime_value, npv
from sim.recorder import CAUSES, CHURN_FIELDS, ReplicationResult
from sim.scenario.schema import Scenario
from sim.world import DAYS_PER_YEAR

# The KPIs of summary.json, in order; the first block is the output contract.
KPI_NAMES = (
    "customers_start",
    "customers_end",
    "new_customers_advertising",
    "new_customers_referral",
    "churned_total",
    *(f"churned_{c}" for c in CAUSES),
    "churn_rate_annual",
    "orders",
    "perfect_order_rate",
    "on_time_rate",
    "contacts",
    "mean_wait_minutes",
    "p_wait_gt_0",
    "service_level",
    "abandonment_rate",
    "first_contact_resolution_rate",
    "complaints",
    "wom_positive_messages",
    "wom_negative_messages",
    "mean_told_by_happy",
    "mean_told_by_unhappy",
    "share_repeat_transactions",
    "share_initial_transactions",
    "share_advocates_end",
    "mean_satisfaction_end",
    "revenue",
    "gross_profit",
    "service_cost",
    "acquisition_cost",
    "profit",
    "npv",
    # beyond the contract
    *(f"share_churn_{c}" for c in CAUSES),
    "order_fill_rate",
    "order_accuracy_rate",
    "invoice_accuracy_rate",
    "mean_lead_time_days",
    "questions",
    "order_problem_contacts",
    "customer_lifetime_value",
    "guarantee_cost",
)


def _ratio(num: float, den: float) -> float:
    return num / den if den else math.nan


def kpis(result: ReplicationResult, scenario: Scenario, from_day: int = 0) -> dict[str, float]:
    """The KPIs of one replication, counting only days >= ``from_day`` (a warm-up before it is
    discarded from every series, and NPV is discounted from ``from_day``)."""
    d = {name: values[from_day:] for name, values in result.daily.items()}
    total = {name: float(values.sum()) for name, values in d.items()}
    money = {name: values[from_day:] for name, values in daily_economics(result.daily, scenario.economics).items()}
    churned = {c: total[f"churned_{c}"] for c in CAUSES}
    churned_total = sum(churned.values())
    active = d["active_level1"] + d["active_level2"] + d["active_level3"]
    customer_years = float(active.sum()) / DAYS_PER_YEAR
    customers_end = float(active[-1]) if active.size else math.nan
    answered, abandoned = total["answered"], total["abandoned"]
    orders = total["orders"]
    churn_rate = _ratio(churned_total, customer_years)
    margin = money["gross_profit"].sum() - money["fulfilment_cost"].sum() - money["contact_cost"].sum()
    k = {
        "customers_start": float(result.customers_start),
        "customers_end": customers_end,
        "new_customers_advertising": total["new_advertising"],
        "new_customers_referral": total["new_referral"],
        "churned_total": churned_total,
        **{f"churned_{c}": churned[c] for c in CAUSES},
        "churn_rate_annual": churn_rate,
        "orders": orders,
        "perfect_order_rate": _ratio(total["orders_perfect"], orders),
        "on_time_rate": _ratio(total["orders_on_time"], orders),
        "contacts": total["contacts"],
        "mean_wait_minutes": _ratio(total["wait_minutes_sum"], answered),
        "p_wait_gt_0": _ratio(total["waited"], answered),
        "service_level": _ratio(total["answered_within_target"], answered + abandoned),
        "abandonment_rate": _ratio(abandoned, answered + abandoned),
        "first_contact_resolution_rate": _ratio(total["first_contacts_resolved"], total["first_contacts_answered"]),
        "complaints": total["complaints"],
        "wom_positive_messages": total["wom_positive"],
        "wom_negative_messages": total["wom_negative"],
        "mean_told_by_happy": _ratio(total["wom_positive"], total["happy_tellers"]),
        "mean_told_by_unhappy": _ratio(total["wom_negative"], total["unhappy_tellers"]),
        "share_repeat_transactions": _ratio(total["orders_repeat"], orders),
        "share_initial_transactions": _ratio(total["orders_initial"], orders),
        "share_advocates_end": _ratio(float(d["active_level3"][-1]), customers_end) if active.size else math.nan,
        "mean_satisfaction_end": float(d["mean_satisfaction"][-1]) if active.size else math.nan,
        "revenue": total["revenue"],
        "gross_profit": float(money["gross_profit"].sum()),
        "service_cost": float(money["service_cost"].sum()),
        "acquisition_cost": float(money["acquisition_cost"].sum()),
        "profit": float(money["profit"].sum()),
        "npv": npv(money["profit"], scenario.economics.discount_rate_annual),
        **{f"share_churn_{c}": _ratio(churned[c], churned_total) for c in CAUSES},
        "order_fill_rate": _ratio(total["orders_complete"], orders),
        "order_accuracy_rate": _ratio(total["orders_accurate"], orders),
        "invoice_accuracy_rate": _ratio(total["orders_invoice_ok"], orders),
        "mean_lead_time_days": _ratio(total["lead_time_days_sum"], orders),
        "questions": total["questions"],
        "order_problem_contacts": total["order_problem_contacts"],
        "customer_lifetime_value": lifetime_value(
            _ratio(margin, customer_years), churn_rate, scenario.economics.discount_rate_annual
        ),
        "guarantee_cost": float(money["guarantee_cost"].sum()),
    }
    return {name: float(k[name]) for name in KPI_NAMES}


def kpi_frame(results: list[ReplicationResult], scenario: Scenario) -> pd.DataFrame:
    """One row per replication, one column per KPI."""
    rows = [kpis(r, scenario) for r in results]
    frame = pd.DataFrame(rows, columns=list(KPI_NAMES))
    frame.insert(0, "replication", [r.replication for r in results])
    return frame


def timeseries_frame(results: list[ReplicationResult], scenario: Scenario) -> pd.DataFrame:
    """One row per replication and day: customers, acquisition, churn, desk, money."""
    frames = []
    for r in results:
        d = r.daily
        money = daily_economics(d, scenario.economics)
        answered = d["answered"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_wait = np.where(answered > 0, d["wait_minutes_sum"] / np.maximum(answered, 1), np.nan)
        columns: dict[str, np.ndarray] = {
            "replication": np.full(r.horizon_days, r.replication),
            "day": np.arange(r.horizon_days),
            "customers_active": d["active_level1"] + d["active_level2"] + d["active_level3"],
            "active_level1": d["active_level1"],
            "active_level2": d["active_level2"],
            "active_level3": d["active_level3"],
            "new_customers_advertising": d["new_advertising"],
            "new_customers_referral": d["new_referral"],
            **{f"churned_{c}": d[f"churned_{c}"] for c in CAUSES},
            "orders": d["orders"],
            "orders_initial": d["orders_initial"],
            "orders_repeat": d["orders_repeat"],
            "orders_on_time": d["orders_on_time"],
            "orders_perfect": d["orders_perfect"],
            "contacts": d["contacts"],
            "complaints": d["complaints"],
            "answered": answered,
            "abandoned": d["abandoned"],
            "waited": d["waited"],
            "answered_within_target": d["answered_within_target"],
            "wait_minutes_sum": d["wait_minutes_sum"],
            "mean_wait_minutes": mean_wait,
            "wom_positive": d["wom_positive"],
            "wom_negative": d["wom_negative"],
            "mean_satisfaction": d["mean_satisfaction"],
            "agents": d["agents"],
            "revenue": d["revenue"],
            **money,
            "cumulative_profit": np.cumsum(money["profit"]),
        }
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


def churn_frame(results: list[ReplicationResult]) -> pd.DataFrame:
    """One row per churn event, with its cause by name."""
    frames = []
    for r in results:
        c = r.churn
        frame = pd.DataFrame({"replication": np.full(len(c["day"]), r.replication, dtype=np.int64)})
        for name in CHURN_FIELDS:
            frame[name] = c[name]
        frame["cause"] = [CAUSES[i] for i in c["cause"].tolist()]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
