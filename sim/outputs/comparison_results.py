"""A comparison from run results: each alternative's paired KPI differences with verdicts, and
its economics against the baseline (the formulas are :mod:`sim.outputs.comparison`'s).

The runs are paired: replication i of every scenario ran on the same seed and replication
number. An alternative's incremental cash flow is its profit before its investments' own costs,
minus the baseline's profit, minus those costs (minus the baseline's, if it has any); the costs
the model carries (staffed hours, refunds, contacts) are in the profits already. The customer
base left at the horizon is valued per scenario and replication from its last measured year:
customers at the end, their margin per customer-year net of serving costs (gross profit −
fulfilment − service cost, per customer-year) and their churn per customer-year.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.recorder import ReplicationResult
from sim.core.vocabulary import CAUSES
from sim.outputs.comparison import (
    cash_flow_economics,
    customer_base_value,
    holm_verdicts,
    p_best,
    paired,
    running_cost_value,
)
from sim.outputs.economics import daily_economics
from sim.outputs.files import kpi_values
from sim.outputs.kpi_definitions import KPI_DEFINITIONS, KPI_NAMES
from sim.outputs.tables import RunResult

VERDICT_LEVEL = 0.05  # family-wise error of one alternative's verdicts (Holm)


@dataclass(frozen=True)
class _Side:
    """What a comparison needs of one scenario's runs, computed once however many alternatives
    it is set against: daily money by replication (replications × days), the value of its
    customer base at the horizon and of its investments' running costs after it, and its KPIs."""

    result: RunResult
    profit_before_investment: np.ndarray
    carried_cost: np.ndarray  # service + guarantee costs the model carries
    investment_cost: np.ndarray
    base_value: np.ndarray
    running_after: np.ndarray
    kpis: pd.DataFrame


def _last_year(r: ReplicationResult, money: dict[str, np.ndarray]) -> tuple[float, float, float]:
    """Customers at the end, margin per customer-year and churn per customer-year over the last
    measured year (the whole window if shorter)."""
    days = min(r.horizon_days, int(DAYS_PER_YEAR))
    active: np.ndarray = r.daily["active_level1"][-days:] + r.daily["active_level2"][-days:] + r.daily["active_level3"][-days:]
    years = float(active.sum()) / DAYS_PER_YEAR
    margin = float((money["gross_profit"][-days:] - money["fulfilment_cost"][-days:]
                    - money["service_cost"][-days:]).sum())
    churned = float(sum(r.daily[f"churned_{c}"][-days:].sum() for c in CAUSES))
    return float(active[-1]), (margin / years if years else 0.0), (churned / years if years else 0.0)


def _side(result: RunResult) -> _Side:
    sc = result.scenario
    econ = sc.economics
    money = [daily_economics(r.daily, econ, sc.investments) for r in result.replications]
    base_value, running_after = [], []
    for r, m in zip(result.replications, money, strict=True):
        customers, margin, churn = _last_year(r, m)
        base_value.append(customer_base_value(customers, margin, churn, econ.discount_rate_annual,
                                              r.horizon_days, econ.valuation_years))
        running = 0.0  # the investments' running costs over the valuation years after the horizon
        for inv in sc.investments:
            members = float(sum(r.daily[f"active_level{n}"][-1] for n in inv.cost_levels))
            running += running_cost_value(inv.monthly_cost, inv.monthly_cost_per_customer, members, churn,
                                          econ.discount_rate_annual, r.horizon_days, econ.valuation_years)
        running_after.append(running)

    def stack(*names: str) -> np.ndarray:
        return np.vstack([sum((m[n] for n in names), np.zeros_like(m["profit"])) for m in money])

    investment = stack("investment_cost")
    return _Side(result, stack("profit") + investment, stack("service_cost", "guarantee_cost"), investment,
                 np.asarray(base_value), np.asarray(running_after), result.kpis())


def _economics(b: _Side, a: _Side) -> dict[str, Any]:
    """The alternative's economics against the baseline (npv, roi, payback, break-even, …)."""
    investments = a.result.scenario.investments
    starts = [inv.start_day for inv in investments]
    own = [inv.name for inv in b.result.scenario.investments]
    return cash_flow_economics(
        base_profit=b.profit_before_investment,
        alt_profit=a.profit_before_investment,
        base_carried_cost=b.carried_cost,
        alt_carried_cost=a.carried_cost,
        investment_cost=a.investment_cost - b.investment_cost,
        start_day=min(starts) if starts else 0,
        one_off_cost=sum(inv.one_off_cost for inv in investments if inv.name not in own),
        discount_rate_annual=a.result.scenario.economics.discount_rate_annual,
        base_value_base=b.base_value,
        base_value_alt=a.base_value,
        running_cost_after=a.running_after - b.running_after,
    )


def _kpi_differences(base: _Side, alt: _Side) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every KPI's paired difference (alt − base), its interval and p-value, with Holm's
    verdict over all of one alternative's KPIs: ``better``, ``worse`` or ``not distinguishable``
    for the KPIs with a direction of good (the first mapping); for the others — utilisation,
    staffed hours, shares that are neither good nor bad — whether it went ``higher``, ``lower``
    or is ``not distinguishable`` (the second)."""
    bf, af = base.kpis, alt.kpis
    diffs = {name: paired(kpi_values(bf, name), kpi_values(af, name)) for name in KPI_NAMES}
    better = {name: KPI_DEFINITIONS[name].better for name in KPI_NAMES}
    verdicts = holm_verdicts(diffs, better, VERDICT_LEVEL)

    def num(x: float) -> float | None:
        return float(x) if np.isfinite(x) else None

    directed: dict[str, Any] = {}
    neutral: dict[str, Any] = {}
    for name, d in diffs.items():
        row = {"diff_mean": num(d.mean), "diff_ci95": [num(d.lo), num(d.hi)], "n": d.n, "p_value": num(d.p_value)}
        if better[name] == "neither":
            neutral[name] = {**row, "change": verdicts[name]}
        else:
            directed[name] = {**row, "verdict": verdicts[name]}
    return directed, neutral


def compare_results(baseline: RunResult, alternatives: Sequence[RunResult]) -> dict[str, Any]:
    """summary.json's "comparison" section."""
    out: dict[str, Any] = {"baseline": baseline.scenario.name, "verdict_family_error": VERDICT_LEVEL,
                           "alternatives": {}}
    npvs: dict[str, np.ndarray] = {}
    base = _side(baseline)
    for result in alternatives:
        alt = _side(result)
        econ = _economics(base, alt)
        name = result.scenario.name
        npvs[name] = np.asarray(econ["npv_values"])
        directed, neutral = _kpi_differences(base, alt)
        out["alternatives"][name] = {
            "investments": [inv.model_dump(mode="json") for inv in result.scenario.investments],
            "economics": econ, "kpis": directed, "other_kpis": neutral,
        }
    best = p_best(npvs)
    out["p_best_do_nothing"] = best["baseline"]
    for name, alt_out in out["alternatives"].items():
        alt_out["economics"]["p_best"] = best[name]
    return out
