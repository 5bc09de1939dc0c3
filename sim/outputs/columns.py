"""What every column of the output folder's tables means, with its unit.

One declared table per file (``timeseries.csv``, ``churn_events.csv``, ``desk_by_hour.csv``;
``kpis.csv`` has a column per KPI, defined in :mod:`sim.outputs.kpi_definitions`), from which
``docs/OUTPUTS.md`` is generated (``python -m sim.outputs.columns > docs/OUTPUTS.md``); a test
holds the tables the run writes and these declarations equal, and the document up to date.
Days count from the measured window's day 0 (a Monday); money is in the scenario's
``economics.currency``; an empty cell is undefined (0/0).
"""

from __future__ import annotations

import sys

from sim.core.vocabulary import CAUSES, CHANNELS, LEVELS, OUTCOMES, PATHS

Column = tuple[str, str, str]  # name, unit, meaning

_CAUSE_WORDS = {
    "died": "died", "moved_away": "moved away (left the market)", "friends_influence":
    "friends' influence (a complaint heard)", "competition": "competition",
    "product_dissatisfaction": "product dissatisfaction", "poor_service": "poor service",
}
_CHANNEL_WORDS = {"advertising": "advertising (the Bass innovation term)",
                  "referral": "a recommendation (word of mouth)",
                  "winback": "win-back: a former customer who came back, by either"}

TIMESERIES: tuple[Column, ...] = (
    ("replication", "—", "replication number (0-based)"),
    ("day", "day", "day of the measured window, 0 = its first day (a Monday)"),
    ("customers_active", "customers", "active customers at the end of the day (all levels)"),
    *((f"active_level{n}", "customers", f"active customers at loyalty level {n} at the end of the day "
       "(1 initial, 2 repeat, 3 advocate)") for n in LEVELS),
    *((f"new_customers_{c}", "customers", f"customers won that day by {_CHANNEL_WORDS[c]}") for c in CHANNELS),
    ("prospects_deterred", "people", "joins lost that day only to complaints remembered (the chance "
     "would have said yes without them)"),
    ("market_entries", "people", "new people who entered the market that day, each taking the slot of "
     "someone who left it (the market's turnover)"),
    *((f"churned_{c}", "customers", f"customers lost that day to {_CAUSE_WORDS[c]}") for c in CAUSES),
    ("orders", "orders", "orders placed that day"),
    ("orders_initial", "orders", "orders that were a customer's first (joining) purchase"),
    ("orders_repeat", "orders", "orders by existing customers"),
    ("orders_on_time", "orders", "orders placed that day that arrived on time"),
    ("orders_perfect", "orders", "orders placed that day that were on time, complete, accurate, with "
     "a correct invoice and a product that did not disappoint"),
    ("contacts", "contacts", "contacts that reached the support desk that day (every kind, retries too)"),
    ("complaints", "problems", "problems voiced that day (TARP's complainers): a failed order or a "
     "disappointing product raised with the desk, or a question the desk failed; each problem once"),
    ("answered", "contacts", "contacts an agent took up that day"),
    ("abandoned", "contacts", "contacts that gave up waiting that day"),
    ("waited", "contacts", "contacts answered that day that had waited at all"),
    ("answered_within_target", "contacts", "contacts answered that day within "
     "service.service_level_target_seconds"),
    ("wait_minutes_sum", "minutes", "total wait of the contacts answered that day"),
    ("mean_wait_minutes", "minutes", "wait_minutes_sum / answered (empty when none was answered)"),
    ("wom_positive", "messages", "people told of a happy experience that day"),
    ("wom_negative", "messages", "people told of an unhappy experience that day (complaints heard)"),
    ("mean_satisfaction", "0..1", "mean satisfaction of the active customers at the end of the day"),
    ("agents", "agents", "the agents the desk employs: the most on duty at once in the week's schedule"),
    ("staffed_agent_hours", "agent-hours", "hours agents were on duty that day (the staffing schedule "
     "over the opening hours)"),
    ("overtime_agent_hours", "agent-hours", "hours agents spent finishing contacts after their shift "
     "ended, counted on the day the contact ended"),
    ("agent_busy_hours", "agent-hours", "handle time of the contacts answered that day"),
    ("abandoned_wait_minutes_sum", "minutes", "total time the contacts abandoned that day waited "
     "before giving up"),
    ("revenue", "currency", "value of the orders placed that day"),
    *((f"revenue_level{n}", "currency", f"value of the orders placed that day at loyalty level {n}")
      for n in LEVELS),
    ("gross_profit", "currency", "revenue × economics.gross_margin"),
    ("fulfilment_cost", "currency", "orders × economics.fulfilment_cost_per_order"),
    ("contact_cost", "currency", "contacts × economics.cost_per_contact"),
    ("agent_cost", "currency", "staffed agent-hours × agent_cost_per_hour / (1 − shrinkage) + overtime "
     "agent-hours × agent_cost_per_hour (or agents × agent_cost_per_month / 30.4167 if that is set)"),
    ("service_cost", "currency", "contact_cost + agent_cost"),
    ("acquisition_cost", "currency", "new customers by channel × their cost per new customer"),
    ("guarantee_cost", "currency", "service-guarantee refunds paid that day"),
    ("investment_cost", "currency", "the investments' own costs that day: a one-off cost on its start day, "
     "monthly costs and costs per customer-month spread over the days"),
    ("profit", "currency", "gross_profit − fulfilment_cost − service_cost − acquisition_cost − "
     "guarantee_cost − investment_cost"),
    ("cumulative_profit", "currency", "profit summed from day 0 to this day (undiscounted)"),
)

CHURN_EVENTS: tuple[Column, ...] = (
    ("replication", "—", "replication number (0-based)"),
    ("day", "day", "when the customer left (a fraction of a day: 12.5 is noon of day 12)"),
    ("customer", "—", "the person's slot in the market (a newcomer may hold it later)"),
    ("cause", "—", "one of the six causes: " + ", ".join(CAUSES)),
    ("path", "—", "how it came about: " + ", ".join(PATHS) + " (the end of a problem episode — "
     + ", ".join(OUTCOMES) + " —, a time-based hazard, or a complaint heard)"),
    ("loyalty_level", "level", "the customer's loyalty level when they left (1, 2 or 3)"),
    ("joined_day", "day", "when this spell as a customer began; negative when before the measured "
     "window (in the warm-up or the initial customers' start)"),
    ("tenure_days", "days", "day − joined_day: this spell's length, warm-up included"),
    ("orders", "orders", "the person's orders, every spell, warm-up included"),
    ("lifetime_revenue", "currency", "the value of the person's orders, every spell, warm-up included"),
    ("orders_in_window", "orders", "the person's orders within the measured window"),
    ("revenue_in_window", "currency", "the value of the person's orders within the measured window"),
    ("in_start_cohort", "true/false", "a customer on day 0 of the window, and ever since"),
)

DESK_BY_HOUR: tuple[Column, ...] = (
    ("replication", "—", "replication number (0-based)"),
    ("weekday", "—", "0 = Monday … 6 = Sunday (day d of the window is weekday d mod 7)"),
    ("weekday_name", "—", "the weekday's name"),
    ("hour", "hour", "hour of the day a contact arrived, 0 = 00:00–01:00"),
    ("days", "days", "how many such hours the window had (divide a count by it for a mean per day)"),
    ("offered", "contacts", "contacts that arrived in that hour of the week"),
    ("answered", "contacts", "of those, answered"),
    ("abandoned", "contacts", "of those, abandoned"),
    ("waited", "contacts", "of those, waited at all (answered after a wait, or abandoned)"),
    ("wait_minutes_sum", "minutes", "their total wait, to an answer or to giving up"),
    ("abandonment_rate", "share", "abandoned / (answered + abandoned)"),
    ("p_wait_gt_0_offered", "share", "waited / (answered + abandoned)"),
    ("mean_wait_minutes_offered", "minutes", "wait_minutes_sum / (answered + abandoned)"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "timeseries.csv": TIMESERIES,
    "churn_events.csv": CHURN_EVENTS,
    "desk_by_hour.csv": DESK_BY_HOUR,
}


def markdown() -> str:
    """docs/OUTPUTS.md: every column of every table, with its unit and meaning."""
    lines = [
        "<!-- Generated from sim/outputs/columns.py by `python -m sim.outputs.columns`; do not edit. -->",
        "# The output tables, column by column",
        "",
        "Every run writes these tables into its output folder (see the README, \"Running scenarios\").",
        "Days count from the measured window's day 0, a Monday; money is in the scenario's",
        "`economics.currency`; an empty cell is undefined (0/0), never `nan`. `kpis.csv` has one row per",
        "replication and a column per KPI: see [KPIS.md](KPIS.md).",
    ]
    for file, columns in TABLES.items():
        lines += ["", f"## `{file}`", "", "| column | unit | meaning |", "|---|---|---|"]
        lines += [f"| `{name}` | {unit} | {meaning} |" for name, unit, meaning in columns]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
