"""What a replication records as it runs: daily counters, the desk by the hour, one row per churn.

The recorder is plain data: per-day counters in Python lists (fast scalar updates), a
list of churn events, and a few running totals. At the end :meth:`Recorder.result`
turns them into a :class:`ReplicationResult` of NumPy arrays, picklable and ready for
pandas. Nothing here formats text or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CAUSES = (
    "died",
    "moved_away",
    "friends_influence",
    "competition",
    "product_dissatisfaction",
    "poor_service",
)
DIED, MOVED_AWAY, FRIENDS_INFLUENCE, COMPETITION, PRODUCT_DISSATISFACTION, POOR_SERVICE = range(6)

# How a problem episode ended (sim.episodes); the first four paths of a churn event.
OUTCOMES = ("silent", "unresolved", "resolved", "resolved_quickly")
EPISODE_SILENT, EPISODE_UNRESOLVED, EPISODE_RESOLVED, EPISODE_RESOLVED_QUICKLY = range(4)
# The path by which a churn event came about: an episode's outcome, a time-based hazard
# (died, moved away, competition, poor service), or word of mouth (a complaint heard).
PATHS = (*(f"episode_{o}" for o in OUTCOMES), "hazard", "word_of_mouth")
HAZARD, WORD_OF_MOUTH = 4, 5
# Revenue of the orders placed at each loyalty level (index 1..3; 0 is unused).
REVENUE_BY_LEVEL = ("", "revenue_level1", "revenue_level2", "revenue_level3")

# Per-day counters (sums over the day) and end-of-day snapshots.
DAILY = (
    # snapshots at the end of the day
    "active_level1",
    "active_level2",
    "active_level3",
    "mean_satisfaction",
    "agents",
    # acquisition
    "new_advertising",
    "new_referral",
    "new_winback",
    "prospects_deterred",
    "market_entries",
    # churn by cause
    *(f"churned_{c}" for c in CAUSES),
    # orders and fulfilment
    "orders",
    "orders_initial",
    "orders_repeat",
    "orders_on_time",
    "orders_complete",
    "orders_accurate",
    "orders_invoice_ok",
    "orders_perfect",
    "lead_time_days_sum",
    "revenue",
    *REVENUE_BY_LEVEL[1:],
    "guarantee_payout",
    # support desk
    "contacts",
    "questions",
    "order_problem_contacts",
    "complaint_contacts",
    # problem episodes (sim.episodes): opened, voiced (TARP's complainers), each outcome and
    # how many of those stayed
    "episodes",
    "complaints",
    *(f"episodes_{o}" for o in OUTCOMES),
    *(f"episodes_{o}_stayed" for o in OUTCOMES),
    "answered",
    "abandoned",
    "waited",
    "answered_within_target",
    "wait_minutes_sum",
    "first_contacts_answered",
    "first_contacts_resolved",
    "abandoned_wait_minutes_sum",
    "staffed_agent_hours",
    "agent_busy_hours",
    "problems_resolved",
    "resolution_hours_sum",
    # experiences and word of mouth
    "happy_experiences",
    "unhappy_experiences",
    "happy_tellers",
    "unhappy_tellers",
    "wom_positive",
    "wom_negative",
)

# The desk by the hour a contact arrived (offered), hour h of day d at index 24 d + h: whether
# it was answered or abandoned, whether it waited, and its wait (to an answer or to giving up).
HOURLY = ("offered", "answered", "abandoned", "waited", "wait_minutes_sum")

CHURN_FIELDS = (
    "day", "customer", "cause", "path", "loyalty_level", "tenure_days", "orders", "lifetime_revenue",
    "in_start_cohort",
)


@dataclass
class ReplicationResult:
    """The plain, picklable outcome of one replication."""

    replication: int
    seed: int
    horizon_days: int
    customers_start: int
    daily: dict[str, np.ndarray]
    churn: dict[str, np.ndarray]
    extra: dict[str, float] = field(default_factory=dict)
    hourly: dict[str, np.ndarray] = field(default_factory=dict)  # HOURLY counters, 24 per day


class Recorder:
    """Daily counters and churn events of one replication."""

    def __init__(self, horizon_days: int) -> None:
        self.horizon_days = horizon_days
        self.daily: dict[str, list[float]] = {name: [0.0] * horizon_days for name in DAILY}
        self.hourly: dict[str, list[float]] = {name: [0.0] * (24 * horizon_days) for name in HOURLY}
        self.churn_events: list[tuple[float, int, int, int, int, float, int, float, int]] = []

    def add(self, name: str, day: int, amount: float = 1.0) -> None:
        self.daily[name][day] += amount

    def result(self, replication: int, seed: int, customers_start: int, warmup_days: int = 0) -> ReplicationResult:
        """The measured window only: days from ``warmup_days`` on, renumbered from 0."""
        w = warmup_days
        daily = {name: np.asarray(values[w:], dtype=np.float64) for name, values in self.daily.items()}
        rows = [(r[0] - w, *r[1:]) for r in self.churn_events if r[0] >= w]
        churn = {
            name: np.asarray([r[i] for r in rows], dtype=np.float64 if name in ("day", "tenure_days", "lifetime_revenue") else np.int64)
            for i, name in enumerate(CHURN_FIELDS)
        }
        return ReplicationResult(
            replication=replication,
            seed=seed,
            horizon_days=self.horizon_days - w,
            customers_start=customers_start,
            daily=daily,
            churn=churn,
            hourly={name: np.asarray(values[24 * w:], dtype=np.float64) for name, values in self.hourly.items()},
        )
