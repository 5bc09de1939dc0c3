"""What a replication records as it runs: daily counters, the desk by the hour, one row per churn.

The recorder is plain data: per-day counters in Python lists (fast scalar updates), a
list of churn events, and a few running totals. At the end :meth:`Recorder.result`
turns them into a :class:`ReplicationResult` of NumPy arrays, picklable and ready for
pandas. Nothing here formats text or writes files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from sim.core.vocabulary import CAUSES, CHANNELS, CONTACT_KINDS, OUTCOMES


class Daily:
    """The per-day counters (sums over the day) and end-of-day snapshots, declared up front and
    grouped by the mechanism that records them; docs/OUTPUTS.md gives each one's unit and
    meaning. A misspelt name fails the lint (mypy: no such attribute), never on a rare path.
    Plain strings, not an Enum: an Enum member hashes in Python, and the recorder looks a
    counter up several times per simulated event (an Enum made a customer-day 15 % dearer)."""

    # the daily snapshot (sim.model.replication), at the end of the day
    ACTIVE_LEVEL1: Final = "active_level1"
    ACTIVE_LEVEL2: Final = "active_level2"
    ACTIVE_LEVEL3: Final = "active_level3"
    MEAN_SATISFACTION: Final = "mean_satisfaction"
    AGENTS: Final = "agents"
    # acquisition (sim.model.market, sim.model.customers)
    NEW_ADVERTISING: Final = "new_advertising"
    NEW_REFERRAL: Final = "new_referral"
    NEW_WINBACK: Final = "new_winback"
    PROSPECTS_DETERRED: Final = "prospects_deterred"
    # market turnover (sim.model.turnover)
    MARKET_ENTRIES: Final = "market_entries"
    # churn by cause (sim.model.attrition)
    CHURNED_DIED: Final = "churned_died"
    CHURNED_MOVED_AWAY: Final = "churned_moved_away"
    CHURNED_FRIENDS_INFLUENCE: Final = "churned_friends_influence"
    CHURNED_COMPETITION: Final = "churned_competition"
    CHURNED_PRODUCT_DISSATISFACTION: Final = "churned_product_dissatisfaction"
    CHURNED_POOR_SERVICE: Final = "churned_poor_service"
    # orders and fulfilment (sim.model.fulfilment)
    ORDERS: Final = "orders"
    ORDERS_INITIAL: Final = "orders_initial"
    ORDERS_REPEAT: Final = "orders_repeat"
    ORDERS_ON_TIME: Final = "orders_on_time"
    ORDERS_COMPLETE: Final = "orders_complete"
    ORDERS_ACCURATE: Final = "orders_accurate"
    ORDERS_INVOICE_OK: Final = "orders_invoice_ok"
    ORDERS_PERFECT: Final = "orders_perfect"
    LEAD_TIME_DAYS_SUM: Final = "lead_time_days_sum"
    REVENUE: Final = "revenue"
    REVENUE_LEVEL1: Final = "revenue_level1"
    REVENUE_LEVEL2: Final = "revenue_level2"
    REVENUE_LEVEL3: Final = "revenue_level3"
    GUARANTEE_PAYOUT: Final = "guarantee_payout"
    # the support desk (sim.model.desk): contacts by kind
    CONTACTS: Final = "contacts"
    QUESTIONS: Final = "questions"
    ORDER_PROBLEM_CONTACTS: Final = "order_problem_contacts"
    PRODUCT_PROBLEM_CONTACTS: Final = "product_problem_contacts"
    # problem episodes (sim.model.episodes): opened, voiced (TARP's complainers), each outcome
    # and how many of those stayed
    EPISODES: Final = "episodes"
    COMPLAINTS: Final = "complaints"
    EPISODES_SILENT: Final = "episodes_silent"
    EPISODES_UNRESOLVED: Final = "episodes_unresolved"
    EPISODES_RESOLVED: Final = "episodes_resolved"
    EPISODES_RESOLVED_QUICKLY: Final = "episodes_resolved_quickly"
    EPISODES_SILENT_STAYED: Final = "episodes_silent_stayed"
    EPISODES_UNRESOLVED_STAYED: Final = "episodes_unresolved_stayed"
    EPISODES_RESOLVED_STAYED: Final = "episodes_resolved_stayed"
    EPISODES_RESOLVED_QUICKLY_STAYED: Final = "episodes_resolved_quickly_stayed"
    # the support desk (sim.model.desk): answers, waits, staffing, resolution
    ANSWERED: Final = "answered"
    ABANDONED: Final = "abandoned"
    WAITED: Final = "waited"
    ANSWERED_WITHIN_TARGET: Final = "answered_within_target"
    WAIT_MINUTES_SUM: Final = "wait_minutes_sum"
    FIRST_CONTACTS_ANSWERED: Final = "first_contacts_answered"
    FIRST_CONTACTS_RESOLVED: Final = "first_contacts_resolved"
    ABANDONED_WAIT_MINUTES_SUM: Final = "abandoned_wait_minutes_sum"
    STAFFED_AGENT_HOURS: Final = "staffed_agent_hours"
    AGENT_BUSY_HOURS: Final = "agent_busy_hours"
    OVERTIME_AGENT_HOURS: Final = "overtime_agent_hours"
    PROBLEMS_RESOLVED: Final = "problems_resolved"
    RESOLUTION_HOURS_SUM: Final = "resolution_hours_sum"
    # experiences and word of mouth (sim.model.satisfaction, sim.model.word_of_mouth)
    HAPPY_EXPERIENCES: Final = "happy_experiences"
    UNHAPPY_EXPERIENCES: Final = "unhappy_experiences"
    HAPPY_TELLERS: Final = "happy_tellers"
    UNHAPPY_TELLERS: Final = "unhappy_tellers"
    WOM_POSITIVE: Final = "wom_positive"
    WOM_NEGATIVE: Final = "wom_negative"


class Hourly:
    """The desk by the hour a contact arrived (offered), hour h of day d at index 24 d + h:
    whether it was answered or abandoned, whether it waited, and its wait (to an answer or to
    giving up)."""

    OFFERED: Final = "offered"
    ANSWERED: Final = "answered"
    ABANDONED: Final = "abandoned"
    WAITED: Final = "waited"
    WAIT_MINUTES_SUM: Final = "wait_minutes_sum"


DAILY: tuple[str, ...] = tuple(v for k, v in vars(Daily).items() if k.isupper())
HOURLY: tuple[str, ...] = tuple(v for k, v in vars(Hourly).items() if k.isupper())

# The counters indexed by the vocabulary (sim.core.vocabulary), in its order.
NEW_BY_CHANNEL = (Daily.NEW_ADVERTISING, Daily.NEW_REFERRAL, Daily.NEW_WINBACK)
CHURNED_BY_CAUSE = (
    Daily.CHURNED_DIED, Daily.CHURNED_MOVED_AWAY, Daily.CHURNED_FRIENDS_INFLUENCE,
    Daily.CHURNED_COMPETITION, Daily.CHURNED_PRODUCT_DISSATISFACTION, Daily.CHURNED_POOR_SERVICE,
)
EPISODES_BY_OUTCOME = (
    Daily.EPISODES_SILENT, Daily.EPISODES_UNRESOLVED, Daily.EPISODES_RESOLVED,
    Daily.EPISODES_RESOLVED_QUICKLY,
)
STAYED_BY_OUTCOME = (
    Daily.EPISODES_SILENT_STAYED, Daily.EPISODES_UNRESOLVED_STAYED, Daily.EPISODES_RESOLVED_STAYED,
    Daily.EPISODES_RESOLVED_QUICKLY_STAYED,
)
CONTACTS_BY_KIND = (Daily.QUESTIONS, Daily.ORDER_PROBLEM_CONTACTS, Daily.PRODUCT_PROBLEM_CONTACTS)
# Revenue of the orders placed at each loyalty level 1..3 (at index level - 1).
REVENUE_BY_LEVEL = (Daily.REVENUE_LEVEL1, Daily.REVENUE_LEVEL2, Daily.REVENUE_LEVEL3)

# One row per churn. ``tenure_days``, ``orders`` and ``lifetime_revenue`` are the customer's own,
# warm-up included (tenure: this spell, since ``joined_day``, which is negative when it began
# before the window; orders and revenue: the person's, every spell); ``orders_in_window`` and
# ``revenue_in_window`` count the measured window only.
CHURN_FIELDS = (
    "day", "customer", "cause", "path", "loyalty_level", "joined_day", "tenure_days", "orders",
    "lifetime_revenue", "orders_in_window", "revenue_in_window", "in_start_cohort",
)
_FLOAT_FIELDS = frozenset({"day", "joined_day", "tenure_days", "lifetime_revenue", "revenue_in_window"})
_DAY_FIELDS = (0, 5)  # day and joined_day: renumbered from the window's first day


@dataclass
class ReplicationResult:
    """The plain, picklable outcome of one replication."""

    replication: int
    seed: int
    horizon_days: int
    customers_start: int
    daily: dict[str, np.ndarray]
    churn: dict[str, np.ndarray]
    hourly: dict[str, np.ndarray] = field(default_factory=dict)  # HOURLY counters, 24 per day


class Recorder:
    """Daily counters and churn events of one replication."""

    def __init__(self, horizon_days: int) -> None:
        self.horizon_days = horizon_days
        self.daily: dict[str, list[float]] = {name: [0.0] * horizon_days for name in DAILY}
        self.hourly: dict[str, list[float]] = {name: [0.0] * (24 * horizon_days) for name in HOURLY}
        self.churn_events: list[tuple[float, int, int, int, int, float, float, int, float, int, float, int]] = []
        # Counters kept instead as the columns of one array each (block): name -> (array, column).
        self.blocked: dict[str, tuple[np.ndarray, int]] = {}
        self.blocked_hourly: dict[str, tuple[np.ndarray, int]] = {}

    def add(self, name: str, day: int, amount: float = 1.0) -> None:
        self.daily[name][day] += amount

    def block(self, names: tuple[str, ...]) -> np.ndarray:
        """Keep the daily counters ``names`` as the columns of one array, days by ``names``, from
        now on, instead of a list each (they leave :attr:`daily`): for a compiled kernel that
        adds to several of them at once (:func:`sim.model.compiled.order_counted`). Their
        values in :meth:`result` are the same."""
        array = np.zeros((self.horizon_days, len(names)), dtype=np.float64)
        for column, name in enumerate(names):
            values = self.daily.pop(name)
            array[:, column] = values
            self.blocked[name] = (array, column)
        return array

    def block_hourly(self, names: tuple[str, ...]) -> np.ndarray:
        """:meth:`block` for the hourly counters ``names``: hours by ``names``."""
        array = np.zeros((24 * self.horizon_days, len(names)), dtype=np.float64)
        for column, name in enumerate(names):
            array[:, column] = self.hourly.pop(name)
            self.blocked_hourly[name] = (array, column)
        return array

    def hourly_counts(self, name: str) -> np.ndarray:
        """The hourly counter ``name`` so far, wherever it is kept: a copy."""
        if name in self.hourly:
            return np.asarray(self.hourly[name], dtype=np.float64)
        array, column = self.blocked_hourly[name]
        return array[:, column].copy()

    def counts(self, name: str) -> np.ndarray:
        """The daily counter ``name`` so far, a value a day, wherever it is kept (its list in
        :attr:`daily`, or its column of a :meth:`block`): a copy."""
        if name in self.daily:
            return np.asarray(self.daily[name], dtype=np.float64)
        array, column = self.blocked[name]
        return array[:, column].copy()

    def result(self, replication: int, seed: int, customers_start: int, warmup_days: int = 0) -> ReplicationResult:
        """The measured window only: days from ``warmup_days`` on, renumbered from 0."""
        w = warmup_days
        daily = {}
        for name in DAILY:  # in the declared order, wherever each is kept
            if name in self.daily:
                daily[name] = np.asarray(self.daily[name][w:], dtype=np.float64)
            else:
                array, column = self.blocked[name]
                daily[name] = array[w:, column].copy()
        rows = [(r[0] - w, *r[1:5], r[5] - w, *r[6:]) for r in self.churn_events if r[0] >= w]
        churn = {
            name: np.asarray([r[i] for r in rows], dtype=np.float64 if name in _FLOAT_FIELDS else np.int64)
            for i, name in enumerate(CHURN_FIELDS)
        }
        return ReplicationResult(
            replication=replication,
            seed=seed,
            horizon_days=self.horizon_days - w,
            customers_start=customers_start,
            daily=daily,
            churn=churn,
            hourly={name: self.hourly_counts(name)[24 * w:] for name in HOURLY},
        )


def _check_declarations() -> None:
    """The indexed counters follow the vocabulary's order (checked once, at import)."""
    for names, vocabulary, pattern in (
        (NEW_BY_CHANNEL, CHANNELS, "new_{}"),
        (CHURNED_BY_CAUSE, CAUSES, "churned_{}"),
        (EPISODES_BY_OUTCOME, OUTCOMES, "episodes_{}"),
        (STAYED_BY_OUTCOME, OUTCOMES, "episodes_{}_stayed"),
    ):
        if [str(n) for n in names] != [pattern.format(v) for v in vocabulary]:
            raise ImportError(f"counters out of step with the vocabulary: {names}")
    if len(CONTACTS_BY_KIND) != len(CONTACT_KINDS):
        raise ImportError("a counter for each kind of contact")


_check_declarations()
