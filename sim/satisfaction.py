"""Satisfaction: scoring an interaction on the service dimensions against expectations.

Each interaction is scored on the SERVQUAL dimensions (Parasuraman, Zeithaml & Berry
1988) that it involves — the sources' responsiveness, reliability (with accuracy),
assurance, empathy and tangibles — each on 0..1. The interaction's score is the
weighted mean over the dimensions involved::

    score = Σ_d w_d · performance_d / Σ_d w_d

and, following expectation–disconfirmation (Oliver 1980), the experience is the gap
between that score and what this customer expects::

    experience = clip(0.5 + sensitivity · (score − expectation), 0, 1)

Satisfaction — with the *service*: it is what the poor-service hazard reads — moves part
of the way toward each service experience::

    satisfaction ← satisfaction + learning_rate · (min(1, experience + bonus) − satisfaction)

A disappointing product is an experience too (score ``product_problem_score``): it is
told, moves loyalty down and may make the customer leave for product reasons, but it
does not move service satisfaction. A service guarantee honoured after a failed order
adds its ``satisfaction_boost`` to the experience itself, before it is judged.

where ``bonus`` is the service-recovery lift for a problem resolved quickly at the first
contact (McCollough & Bharadwaj 1992). The bonus lifts satisfaction only: whether the
experience counts as happy or unhappy — which drives word of mouth and loyalty — is
judged without it, as de Matos et al. (2007) find no lift in repurchase or word of mouth.

Happy experiences (≥ ``happy_threshold``) and unhappy ones (≤ ``unhappy_threshold``)
are the ones that get told. After an unhappy one the customer either complains
(``service.complaint_share``, TARP: about 1 in 25) or stays silent and may leave.

Every experience has a key (:mod:`sim.rng`), a child of the event it comes from (the
delivery of an order, a contact): the decision to complain or leave, the decision to tell
and how many, and whom (:mod:`sim.word_of_mouth`) are draws of that key, so the same
experience gets the same decisions in every scenario.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sim.recorder import POOR_SERVICE, PRODUCT_DISSATISFACTION
from sim.rng import child, uniform_pair
from sim.world import CUSTOMER, World

if TYPE_CHECKING:
    from sim.attrition import Attrition
    from sim.desk import Desk
    from sim.loyalty import Loyalty
    from sim.word_of_mouth import WordOfMouth

# What an unhappy experience was about: it decides the churn cause.
SERVICE, PRODUCT = POOR_SERVICE, PRODUCT_DISSATISFACTION
HAPPY, NEUTRAL, UNHAPPY = 1, 0, -1

# An experience's key: its slots and children (the only place they are assigned).
DECIDE, TELL = 0, 1  # slots, pairs: (complain, leave if silent); (tell at all, how many)
TELLING, COMPLAINT = 1, 3  # children: whom the customer tells; the complaint's contacts


class Satisfaction:
    """Scores interactions and applies their consequences."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.loyalty: Loyalty
        self.word_of_mouth: WordOfMouth
        self.desk: Desk
        self.attrition: Attrition
        self.refresh()

    def connect(self, loyalty: Loyalty, word_of_mouth: WordOfMouth, desk: Desk, attrition: Attrition) -> None:
        self.loyalty = loyalty
        self.word_of_mouth = word_of_mouth
        self.desk = desk
        self.attrition = attrition

    def refresh(self) -> None:
        sc = self.world.scenario
        q, w = sc.service_quality, sc.service_quality.weights
        self.weights = w
        self.assurance = q.assurance
        self.empathy = q.empathy
        self.tangibles = q.tangibles
        s = sc.satisfaction
        self.sensitivity = s.sensitivity
        self.learning_rate = s.learning_rate
        self.happy = s.happy_threshold
        self.unhappy = s.unhappy_threshold
        self.recovery_bonus = s.recovery_bonus
        self.product_problem_score = s.product_problem_score
        self.complaint_share = sc.service.complaint_share
        self.leave_if_silent = sc.attrition.leave_after_problem.silent

    # ------------------------------------------------------------------ scores

    def fulfilment_score(self, responsiveness: float, reliability: float) -> float:
        """An order's score: responsiveness (on time), reliability (complete, right, invoiced), tangibles."""
        w = self.weights
        total = w.responsiveness + w.reliability + w.tangibles
        if total <= 0:
            return reliability
        return (
            w.responsiveness * responsiveness + w.reliability * reliability + w.tangibles * self.tangibles
        ) / total

    def contact_score(self, responsiveness: float, resolved: bool, answered: bool) -> float:
        """A contact's score; assurance and empathy only count when an agent answered."""
        w = self.weights
        num = w.responsiveness * responsiveness + w.reliability * (1.0 if resolved else 0.0)
        num += w.tangibles * self.tangibles
        den = w.responsiveness + w.reliability + w.tangibles
        if answered:
            num += w.assurance * self.assurance + w.empathy * self.empathy
            den += w.assurance + w.empathy
        return num / den if den > 0 else 0.0

    # -------------------------------------------------------------- experience

    def experience(
        self,
        person: int,
        score: float,
        key: int,
        about: int = SERVICE,
        bonus: float = 0.0,
        lift: float = 0.0,
        may_complain: bool = True,
    ) -> int:
        """Apply one experience to a customer; returns HAPPY, NEUTRAL or UNHAPPY.

        ``key`` is the experience's draw key. ``bonus`` (service recovery) lifts only the satisfaction update; ``lift`` (a
        guarantee honoured) lifts the experience itself, before it is judged. Experiences
        about the product do not move service satisfaction.
        """
        world = self.world
        people = world.people
        value = 0.5 + self.sensitivity * (score - people.expectation[person]) + lift
        value = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
        if about == SERVICE:
            target = min(1.0, value + bonus)
            s = people.satisfaction[person]
            people.satisfaction[person] = s + self.learning_rate * (target - s)
        day = world.day()
        if value >= self.happy:
            world.record.add("happy_experiences", day)
            self.loyalty.on_happy(person)
            self.word_of_mouth.tell(person, True, key)
            return HAPPY
        if value > self.unhappy:
            self.loyalty.on_neutral(person)
            return NEUTRAL
        world.record.add("unhappy_experiences", day)
        self.loyalty.on_unhappy(person)
        self.word_of_mouth.tell(person, False, key)
        if may_complain and people.status[person] == CUSTOMER:
            u_complain, u_leave = uniform_pair(key, DECIDE)
            if u_complain < self.complaint_share:
                self.desk.complaint(person, about, child(key, COMPLAINT))
            else:
                self.attrition.maybe_leave(person, self.leave_if_silent, about, u_leave)
        return UNHAPPY

    def product_problem(self, person: int, key: int) -> None:
        """A product that disappointed: an experience about the product, not the service."""
        self.experience(person, self.product_problem_score, key, about=PRODUCT)

    def lose(self, person: int, amount: float) -> None:
        """Satisfaction drops by ``amount`` (an unresolved contact), not below 0."""
        people = self.world.people
        people.satisfaction[person] = max(0.0, people.satisfaction[person] - amount)
