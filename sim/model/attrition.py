"""Attrition: six causes of losing a customer, as competing risks.

Why customers leave, in the source material: died 1 %, moved away 3 %, friends'
influence 5 %, lured by competitors 9 %, dissatisfied with the product 14 %, poor
service quality or indifference 68 %. Each cause is its own mechanism here, and every
churn event records the cause that fired first:

* **died** — a constant background hazard (per year);
* **moved away** — the market's turnover (:mod:`sim.model.turnover`): every person, customer or
  not, leaves the market at ``market.turnover_per_year``; it is the same for everyone;
* **competition** — a constant hazard, multiplied during competitor shocks;
* **poor service** — a hazard that rises as service satisfaction s falls,
  h(s) = h₀^(1−s) · h₁^s (h₀ at s = 0, h₁ at s = 1), plus the decision at the end of a
  problem with the service (see below);
* **product dissatisfaction** — the decision at the end of a problem with the product;
* **friends' influence** — leaving after hearing a complaint (see word of mouth).

The other three time-based hazards are multiplied by the customer's churn propensity (gamma,
mean 1), so customers differ in how readily they leave, and by their loyalty level's
``churn_propensity_multiplier`` (repeat customers drift away less). They are raced inside the
customer's single clock (:mod:`sim.model.customers`). A problem — a failed order, a
disappointing product, a failed question — ends with one decision to stay or leave, with
a probability set by how it ended, ordered as in the TARP studies (1986): silent >
complained and left unresolved > resolved > resolved quickly (:mod:`sim.model.episodes`).
"""

from __future__ import annotations

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.recorder import CHURNED_BY_CAUSE
from sim.core.vocabulary import COMPETITION, DIED, HAZARD, MOVED_AWAY, POOR_SERVICE
from sim.core.world import CUSTOMER, FORMER, World
from sim.model.ports import TurnoverPort


class Attrition:
    """The hazards of the time-based causes, and churn itself."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.people = world.people  # looked up once: hazard_bound runs at every clock event
        self.churned_by_cause = tuple(world.record.daily[name] for name in CHURNED_BY_CAUSE)  # looked up once
        self.turnover: TurnoverPort
        self.refresh()

    def connect(self, turnover: TurnoverPort) -> None:
        self.turnover = turnover

    def refresh(self) -> None:
        a = self.world.scenario.attrition
        self.died = a.died_per_year / DAYS_PER_YEAR
        self.competition = a.competition_per_year / DAYS_PER_YEAR
        w = self.world.warmup  # shock days count from the measured window's first day
        self.shocks = [
            (w + s.start_day, w + s.start_day + s.duration_days, s.hazard_multiplier) for s in a.competitor_shocks
        ]
        # Overlapping shocks multiply; the product of all of them bounds any overlap.
        self.competition_bound = self.competition
        for _, _, m in self.shocks:
            self.competition_bound *= max(m, 1.0)
        self.service_full = a.poor_service_per_year.at_full_satisfaction / DAYS_PER_YEAR
        self.service_zero = a.poor_service_per_year.at_zero_satisfaction / DAYS_PER_YEAR
        # The churn-propensity multiplier of each loyalty level (index 1..3; 0 is unused).
        levels = self.world.scenario.loyalty.levels
        self.level_propensity = levels.by_level("churn_propensity_multiplier")
        self.bound_rate = self.died + self.competition_bound + self.service_zero  # before propensity

    def propensity(self, person: int) -> float:
        """The customer's churn propensity now: their own times their loyalty level's multiplier."""
        people = self.people
        return people.propensity[person] * self.level_propensity[people.level[person]]

    def competition_multiplier(self, day: float) -> float:
        multiplier = 1.0
        for start, end, m in self.shocks:
            if start <= day < end:
                multiplier *= m
        return multiplier

    def poor_service_rate(self, satisfaction: float) -> float:
        """Per-day poor-service hazard at a satisfaction level (before propensity)."""
        return self.service_zero ** (1.0 - satisfaction) * self.service_full**satisfaction

    def hazard_bound(self, person: int) -> float:
        """An upper bound of the person's time-based hazards, per day."""
        people = self.people  # propensity(person) inlined: this runs at every clock event
        return people.propensity[person] * self.level_propensity[people.level[person]] * self.bound_rate

    def time_based(self, person: int, pick: float) -> None:
        """Resolve a clock event that fell in the attrition part of the bound.

        ``pick`` is uniform on [0, hazard_bound); the first causes whose rates cover it
        fire, the remainder of the bound is a null event (thinning).
        """
        propensity = self.propensity(person)
        if propensity <= 0.0:
            return
        pick /= propensity
        died = self.died
        if pick < died:
            self.churn(person, DIED, HAZARD)
            return
        pick -= died
        rate = self.competition
        if self.shocks:  # competition_multiplier(now), called only when there are shocks to look at
            rate *= self.competition_multiplier(self.world.env.now)
        if pick < rate:
            self.churn(person, COMPETITION, HAZARD)
            return
        pick -= rate
        if pick < self.poor_service_rate(self.people.satisfaction[person]):
            self.churn(person, POOR_SERVICE, HAZARD)

    def _in_start_cohort(self, person: int) -> int:
        """1 if ``person`` was a customer on day 0 of the measured window and has been ever since."""
        world = self.world
        cohort = world.start_cohort
        return int(cohort is not None and bool(cohort[person]) and world.people.joined[person] <= world.warmup)

    def churn(self, person: int, cause: int, path: int) -> None:
        """The customer leaves; recorded with its cause and the path that led to it
        (:data:`sim.core.vocabulary.PATHS`)."""
        world = self.world
        people = world.people
        if people.status[person] != CUSTOMER:
            return
        now = world.env.now
        level = people.level[person]
        people.status[person] = FORMER
        people.left[person] = now
        world.level_counts[level] -= 1
        orders, revenue = people.orders[person], people.revenue[person]
        orders0, revenue0 = world.at_window_start(person)
        world.record.churn_events.append(
            (now, person, cause, path, level, people.joined[person], now - people.joined[person], orders,
             revenue, orders - orders0, revenue - revenue0, self._in_start_cohort(person))
        )
        self.churned_by_cause[cause][int(now)] += 1.0  # Recorder.add(CHURNED_BY_CAUSE[cause], day)
        if cause == DIED or cause == MOVED_AWAY:  # gone for good: a new prospect takes the slot
            self.turnover.replace(person)
