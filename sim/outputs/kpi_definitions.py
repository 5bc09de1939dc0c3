"""What each KPI means: its one label, unit, definition, direction of good and natural range.

The terminal table, summary.json ("kpi_definitions") and docs/KPIS.md all read them from here;
:mod:`sim.outputs.kpis` computes them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from sim.core.vocabulary import CAUSES, LEVELS, OUTCOMES, PATHS

_LEVEL_WORDS = {1: "initial customers (level 1)", 2: "repeat customers (level 2)", 3: "advocates (level 3)"}

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
    "investment_cost",
    "new_customers_winback",
    "prospects_deterred",
    "start_cohort_lost_first_year",
    "problem_episodes",
    "voiced_share",
    *(f"episodes_{o}" for o in OUTCOMES),
    *(f"stay_rate_{o}" for o in OUTCOMES),
    *(f"share_churn_path_{p}" for p in PATHS),
    # the loyalty mix (level 3 at the end is share_advocates_end, above) and revenue by level
    "share_level1_end",
    "share_level2_end",
    *(f"share_level{n}_mean" for n in LEVELS),
    *(f"share_revenue_level{n}" for n in LEVELS),
    # the desk's day
    "p_wait_gt_0_offered",
    "mean_wait_minutes_offered",
    "mean_time_to_abandon_minutes",
    "agent_utilisation",
    "staffed_agent_hours",
    "overtime_agent_hours",
    "mean_time_to_resolution_hours",
)

_OUTCOME_WORDS = {
    "silent": "silent", "unresolved": "voiced, left unresolved", "resolved": "resolved",
    "resolved_quickly": "resolved quickly",
}
_OUTCOME_SHORT = {"silent": "silent", "unresolved": "unresolved", "resolved": "resolved",
                  "resolved_quickly": "resolved fast"}
_PATH_WORDS = {
    **{f"episode_{o}": f"after a problem {w}" for o, w in _OUTCOME_WORDS.items()},
    "hazard": "time-based hazard", "word_of_mouth": "a complaint heard",
}


CURRENCY = "{currency}"  # a unit filled in with the scenario's ``economics.currency``
INF = math.inf


@dataclass(frozen=True)
class KpiDefinition:
    """What a KPI means: its one label, unit, definition and direction of good, and its
    natural range (a share lies in [0, 1], a count in [0, ∞)), which intervals are clipped to."""

    label: str
    unit: str
    definition: str
    better: Literal["higher", "lower", "neither"]
    low: float = -INF
    high: float = INF
    integer: bool = False

    def json(self, currency: str) -> dict[str, str]:
        return {"label": self.label, "unit": self.unit.replace(CURRENCY, currency),
                "definition": self.definition, "better": self.better}


def _count(label: str, definition: str, better: Literal["higher", "lower", "neither"],
           unit: str = "customers") -> KpiDefinition:
    return KpiDefinition(label, unit, definition, better, low=0.0, integer=True)


def _share(label: str, definition: str, better: Literal["higher", "lower", "neither"]) -> KpiDefinition:
    return KpiDefinition(label, "share (0-1)", definition, better, low=0.0, high=1.0)


def _money(label: str, definition: str, better: Literal["higher", "lower", "neither"],
           low: float = 0.0) -> KpiDefinition:
    return KpiDefinition(label, CURRENCY, definition, better, low=low)


_CAUSE_WORDS = {
    "died": "died", "moved_away": "moved away", "friends_influence": "friends' influence",
    "competition": "competition", "product_dissatisfaction": "product", "poor_service": "poor service",
}

# One label, unit, definition and direction of good per KPI: the terminal table, summary.json
# ("kpi_definitions") and docs/KPIS.md all read them from here. Counts are totals over the
# horizon; "active" is the end-of-day snapshot.
KPI_DEFINITIONS: dict[str, KpiDefinition] = {
    "customers_start": _count("customers at start", "customers active on day 0 of the measured window (after "
                              "any warm-up; without one, the initial customers)", "neither"),
    "customers_end": _count("customers at end", "active customers in the last day's snapshot", "higher"),
    "new_customers_advertising": _count("new by advertising", "customers who joined through advertising", "higher"),
    "new_customers_referral": _count("new by referral", "customers who joined on a recommendation", "higher"),
    "churned_total": _count("churned", "churn events, all causes", "lower"),
    **{f"churned_{c}": _count(f"churned: {_CAUSE_WORDS[c]}", f"churn events with cause {c}", "lower")
       for c in CAUSES},
    "churn_rate_annual": KpiDefinition(
        "churn events per customer-year", "per customer-year",
        "churned_total / customer-years, customer-years = sum over days of active customers / 365",
        "lower", low=0.0),
    "orders": _count("orders", "orders placed", "higher", unit="orders"),
    "perfect_order_rate": _share(
        "perfect orders", "orders on time AND complete AND accurate AND correctly invoiced / orders", "higher"),
    "on_time_rate": _share("orders on time", "orders on time / orders (by day placed)", "higher"),
    "contacts": _count("support contacts", "contacts arriving at the desk (each attempt counts; a contact of someone no "
                       "longer a customer at arrival is dropped uncounted)", "neither",
                       unit="contacts"),
    "mean_wait_minutes": KpiDefinition(
        "mean wait", "minutes", "sum of waits of answered contacts / answered (abandoned waits excluded)",
        "lower", low=0.0),
    "p_wait_gt_0": _share("answered after a wait", "answered contacts that waited at all / answered", "lower"),
    "service_level": _share(
        "service level", "answered within the service-level target / (answered + abandoned)", "higher"),
    "abandonment_rate": _share("abandonment", "abandoned / (answered + abandoned)", "lower"),
    "first_contact_resolution_rate": _share(
        "first-contact resolution", "first attempts answered and resolved / first attempts answered (attempt 1 only: "
        "a retry after abandoning is attempt 2)", "higher"),
    "complaints": _count("complaints (voiced problems)",
                         "problem episodes voiced — TARP's complainers: failed orders and disappointing products "
                         "taken to the desk, and questions the desk failed to answer or resolve (counted once "
                         "per problem, when voiced)", "neither", unit="problems"),
    "wom_positive_messages": _count("people told good things", "people told by a happy customer", "higher",
                                    unit="people"),
    "wom_negative_messages": _count("people told bad things", "people told by an unhappy customer", "lower",
                                    unit="people"),
    "mean_told_by_happy": KpiDefinition(
        "told per happy teller", "people per teller", "people told / happy experiences that were told",
        "higher", low=0.0),
    "mean_told_by_unhappy": KpiDefinition(
        "told per unhappy teller", "people per teller", "people told / unhappy experiences that were told",
        "lower", low=0.0),
    "share_repeat_transactions": _share("repeat orders", "orders not placed at joining / orders (all orders of initial customers are repeat)", "higher"),
    "share_initial_transactions": _share("first orders", "orders placed at joining / orders", "neither"),
    "share_advocates_end": _share("advocates at end", "level-3 customers / active customers, last snapshot",
                                  "higher"),
    "mean_satisfaction_end": KpiDefinition(
        "mean satisfaction at end", "score (0-1)", "mean satisfaction of active customers, last snapshot",
        "higher", low=0.0, high=1.0),
    "revenue": _money("revenue", "order value of all orders", "higher"),
    "gross_profit": _money("gross profit", "revenue x gross_margin (docs/MODEL.md section 7.10)", "higher"),
    "service_cost": _money("service cost", "agents' cost and cost per contact (section 7.10)", "lower"),
    "acquisition_cost": _money("acquisition cost", "cost of the customers won, per channel (section 7.10)", "neither"),
    "profit": _money("profit", "gross profit - fulfilment, service, acquisition and guarantee costs",
                     "higher", low=-INF),
    "npv": _money("NPV", "daily profit discounted at discount_rate_annual (section 7.10)", "higher", low=-INF),
    **{f"share_churn_{c}": _share(f"share of churn: {_CAUSE_WORDS[c]}",
                                  f"churned_{c} / churned_total (a part of all churn, not of the rate)",
                                  "neither")
       for c in CAUSES},
    "order_fill_rate": _share("orders complete", "orders complete / orders (by day placed)", "higher"),
    "order_accuracy_rate": _share("orders accurate", "orders accurate / orders (by day placed)", "higher"),
    "invoice_accuracy_rate": _share("invoices correct", "orders correctly invoiced / orders (by day placed)", "higher"),
    "mean_lead_time_days": KpiDefinition(
        "mean lead time", "days", "sum of lead times / orders (late ones included)", "lower", low=0.0),
    "start_cohort_lost_first_year": _share(
        "start customers lost in year 1", "customers active on day 0 of the measured window who left within its "
        "first 365 days / customers_start (a share of a cohort, not churn_rate_annual's events per customer-year; "
        "undefined for a window shorter than a year)", "lower"),
    "prospects_deterred": _count("prospects deterred", "advertising contacts and recommendations that would have "
                                 "won a customer but for the complaints the prospect (or former customer) "
                                 "remembered", "lower", unit="prospects"),
    "new_customers_winback": _count("won back", "former customers who joined again (by advertising or a "
                                    "recommendation, after the cool-off): the win-back channel", "higher"),
    "problem_episodes": _count("problems", "problem episodes opened: failed orders, disappointing products, "
                               "questions the desk failed (docs/MODEL.md section 7.11)", "lower", unit="problems"),
    "voiced_share": _share("problems voiced", "complaints / problems", "neither"),
    **{f"episodes_{o}": _count(f"problems ended {_OUTCOME_WORDS[o]}", f"problem episodes whose outcome was {o}",
                               "neither", unit="problems") for o in OUTCOMES},
    **{f"stay_rate_{o}": _share(f"stayed: problem {_OUTCOME_SHORT[o]}",
                                f"episodes ended {o} whose one leave decision was stay / episodes ended {o} "
                                "(TARP's 'buy again')", "higher") for o in OUTCOMES},
    **{f"share_churn_path_{p}": _share(f"share of churn: {_PATH_WORDS[p]}",
                                       f"churn events that came by path {p} / churned_total", "neither")
       for p in PATHS},
    "questions": _count("questions", "question contacts arriving (attempts)", "neither", unit="contacts"),
    "order_problem_contacts": _count("order-problem contacts", "contacts about a failed order (attempts)",
                                     "lower", unit="contacts"),
    "customer_lifetime_value": _money(
        "customer lifetime value", "m / (ln(1 + r) + h): margin per customer-year m, discount rate r, "
        "churn rate h (docs/MODEL.md section 7.10)", "higher", low=-INF),
    "guarantee_cost": _money("guarantee cost", "service-guarantee payouts", "lower"),
    "investment_cost": _money("investment cost", "the investments' own costs over the window: one-off, "
                              "monthly and per customer-month (costs the model carries, such as staffed "
                              "hours and refunds, are in the other costs)", "lower"),
    "share_level1_end": _share("initial customers at end", "level-1 customers / active customers, last snapshot",
                               "neither"),
    "share_level2_end": _share("repeat customers at end", "level-2 customers / active customers, last snapshot",
                               "neither"),
    **{f"share_level{n}_mean": _share(
        f"{_LEVEL_WORDS[n]} over the run",
        f"customer-days at level {n} / customer-days (sums of the end-of-day snapshots over the horizon: "
        "the mean loyalty mix, each day weighted by its customers)", "higher" if n == 3 else "neither")
       for n in LEVELS},
    **{f"share_revenue_level{n}": _share(
        f"revenue from {_LEVEL_WORDS[n]}",
        f"order value of the orders placed at level {n} (the level before any promotion the order brings) "
        "/ revenue", "neither")
       for n in LEVELS},
    "p_wait_gt_0_offered": _share(
        "offered contacts that waited", "(answered contacts that waited at all + abandoned) / (answered + "
        "abandoned): every offered contact, those who gave up included (p_wait_gt_0 counts answered ones only)",
        "lower"),
    "mean_wait_minutes_offered": KpiDefinition(
        "mean wait of offered contacts", "minutes", "(sum of waits of answered contacts + sum of times to "
        "abandon) / (answered + abandoned): every offered contact's time in the queue (mean_wait_minutes "
        "counts answered ones only)", "lower", low=0.0),
    "mean_time_to_abandon_minutes": KpiDefinition(
        "mean time to abandon", "minutes", "sum of times abandoned contacts waited before giving up / abandoned",
        "neither", low=0.0),
    "agent_utilisation": _share(
        "agent utilisation", "agents' busy hours (handle times, counted on the day a contact is answered) / "
        "(staffed agent-hours + overtime agent-hours): the share of the hours agents were paid for that they "
        "spent on contacts", "neither"),
    "staffed_agent_hours": KpiDefinition(
        "staffed agent-hours", "agent-hours", "hours agents were on duty (the staffing schedule over the "
        "opening hours); the agents' cost is these / (1 - shrinkage) x agent_cost_per_hour, plus overtime",
        "neither", low=0.0),
    "overtime_agent_hours": KpiDefinition(
        "overtime agent-hours", "agent-hours", "hours agents spent finishing a contact after their shift "
        "ended (the desk closed, or fewer agents were scheduled); paid at agent_cost_per_hour", "lower",
        low=0.0),
    "mean_time_to_resolution_hours": KpiDefinition(
        "mean time to resolution", "hours", "problems resolved at the desk: hours from raising the problem "
        "(before any wait for the desk to open) to the end of the contact that resolved it, nights, weekends "
        "and earlier tries included / problems resolved (problems never resolved are not counted)",
        "lower", low=0.0),
}
COUNT_KPIS = tuple(name for name in KPI_NAMES if KPI_DEFINITIONS[name].integer)


# The groups of KPIs under headings, as the terminal's table and the report show them; labels
# and units from KPI_DEFINITIONS. Churn causes are shares of all churn, in a group of their own.
KPI_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Customers", ("customers_start", "customers_end", "new_customers_advertising", "new_customers_referral",
                   "new_customers_winback")),
    ("Churn", ("churned_total", "churn_rate_annual", "start_cohort_lost_first_year")),
    ("Causes of churn, as shares of all churn", (
        "share_churn_poor_service", "share_churn_product_dissatisfaction", "share_churn_competition",
        "share_churn_friends_influence", "share_churn_moved_away", "share_churn_died",
    )),
    ("Support desk", ("contacts", "mean_wait_minutes", "service_level", "abandonment_rate",
                      "first_contact_resolution_rate")),
    ("Problems (TARP episodes)", ("problem_episodes", "complaints", "stay_rate_silent", "stay_rate_unresolved",
                                  "stay_rate_resolved", "stay_rate_resolved_quickly")),
    ("Fulfilment", ("orders", "perfect_order_rate", "on_time_rate")),
    ("Word of mouth and satisfaction", ("mean_told_by_happy", "mean_told_by_unhappy",
                                       "share_advocates_end", "mean_satisfaction_end")),
    ("Economics ({currency})", ("revenue", "service_cost", "acquisition_cost", "profit", "npv")),
)


def kpi_definitions(currency: str) -> dict[str, dict[str, str]]:
    """``KPI_DEFINITIONS`` as JSON, money in ``currency`` (summary.json's "kpi_definitions")."""
    return {name: KPI_DEFINITIONS[name].json(currency) for name in KPI_NAMES}
