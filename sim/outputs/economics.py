"""Economics: what the customers, the desk and the acquisition earn and cost.

Computed after the run from the daily record, so the model itself stays free of money:

* gross profit = revenue × ``gross_margin``;
* fulfilment cost = orders × ``fulfilment_cost_per_order``;
* service cost = contacts × ``cost_per_contact`` + the agents' cost: staffed
  agent-hours × ``agent_cost_per_hour`` / (1 − ``shrinkage``), the paid hours behind the
  hours on duty (or, if the old ``agent_cost_per_month`` is set, the agents employed ×
  it, per day / (365/12), whatever hours they staff);
* acquisition cost = new customers × cost per new customer, by channel (winning a new
  customer costs 5–25 times as much as keeping one, Gallo 2014);
* guarantee cost = refunds paid under a service guarantee;
* profit = gross profit − fulfilment − service − acquisition − guarantee costs;
* NPV = Σ_d profit_d / (1 + r)^(d/365) with the yearly ``discount_rate_annual`` r, day d
  counted at its end;
* customer lifetime value, the steady-state formula m / (ln(1 + r) + h): yearly profit
  margin per customer m (gross profit less fulfilment and variable contact cost, per
  customer-year), over the continuous discount rate ln(1 + r) plus the yearly churn
  rate h (churned per customer-year).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from sim.core.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.scenario.schema import EconomicsSpec, InvestmentSpec


def investment_costs(daily: dict[str, np.ndarray], investments: Sequence[InvestmentSpec]) -> np.ndarray:
    """The investments' own costs per day of the window: each one-off cost on its start day, and
    from that day on its monthly cost and its cost per customer-month for the active customers
    at its ``cost_levels`` (the day's end-of-day snapshot), spread evenly over the days of a
    month (365 / 12). Costs the model already carries (staffed hours, refunds, contacts,
    acquisition) are not here: they are in the other columns."""
    days = len(daily["revenue"])
    cost = np.zeros(days)
    for inv in investments:
        start = inv.start_day
        if start >= days:
            continue
        cost[start] += inv.one_off_cost
        members = sum((daily[f"active_level{n}"] for n in inv.cost_levels), np.zeros(days))
        running = (inv.monthly_cost + inv.monthly_cost_per_customer * members) / DAYS_PER_MONTH
        cost[start:] += running[start:]
    return cost


def daily_economics(
    daily: dict[str, np.ndarray], econ: EconomicsSpec, investments: Sequence[InvestmentSpec] = ()
) -> dict[str, np.ndarray]:
    """Money per day, from a replication's daily record (and the scenario's investments)."""
    gross_profit = daily["revenue"] * econ.gross_margin
    fulfilment_cost = daily["orders"] * econ.fulfilment_cost_per_order
    contact_cost = daily["contacts"] * econ.cost_per_contact
    if econ.agent_cost_per_month is not None:
        agent_cost = daily["agents"] * econ.agent_cost_per_month / DAYS_PER_MONTH
    else:
        # Staffed hours carry the shrinkage (breaks, training); overtime, service run on past a
        # shift's end, is paid as worked.
        agent_cost = (daily["staffed_agent_hours"] * (econ.agent_cost_per_hour / (1.0 - econ.shrinkage))
                      + daily["overtime_agent_hours"] * econ.agent_cost_per_hour)
    service_cost = contact_cost + agent_cost
    acquisition_cost = (
        daily["new_advertising"] * econ.cost_per_new_customer_advertising
        + daily["new_referral"] * econ.cost_per_new_customer_referral
        + daily["new_winback"] * econ.cost_per_customer_won_back
    )
    guarantee_cost = daily["guarantee_payout"]
    investment_cost = investment_costs(daily, investments)
    profit = gross_profit - fulfilment_cost - service_cost - acquisition_cost - guarantee_cost - investment_cost
    return {
        "gross_profit": gross_profit,
        "fulfilment_cost": fulfilment_cost,
        "contact_cost": contact_cost,
        "agent_cost": agent_cost,
        "service_cost": service_cost,
        "acquisition_cost": acquisition_cost,
        "guarantee_cost": guarantee_cost,
        "investment_cost": investment_cost,
        "profit": profit,
    }


def npv(profit: np.ndarray, discount_rate_annual: float) -> float:
    """Net present value of daily profits, each discounted from the end of its day."""
    days = np.arange(1, profit.size + 1, dtype=np.float64)
    return float(np.sum(profit / (1.0 + discount_rate_annual) ** (days / DAYS_PER_YEAR)))


def lifetime_value(margin_per_customer_year: float, churn_per_year: float, discount_rate_annual: float) -> float:
    """Customer lifetime value m / (ln(1 + r) + h), discounting and churn both continuous;
    undefined (NaN), never infinite, when neither discounting nor churn ends a lifetime."""
    rate = math.log1p(discount_rate_annual) + churn_per_year
    return margin_per_customer_year / rate if rate > 0 else math.nan
