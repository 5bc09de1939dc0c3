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

where ``bonus`` is the service-recovery lift for a problem resolved quickly
(McCollough & Bharadwaj 1992). A disappointing product is an experience too (score
``product_problem_score``), but it does not move service satisfaction. A service
guarantee honoured after a failed order adds its ``satisfaction_boost`` to the
experience itself, before it is judged. The bonus lifts satisfaction only: whether the
experience counts as happy or unhappy — which drives word of mouth and loyalty — is
judged without it, as de Matos et al. (2007) find no lift in repurchase or word of mouth.

Happy experiences (≥ ``happy_threshold``) and unhappy ones (≤ ``unhappy_threshold``)
are the ones that get told; loyalty moves with each (:mod:`sim.model.loyalty`). An experience
that is part of a problem — the failed delivery, the contacts about it — moves
satisfaction when it happens, but word of mouth and loyalty respond once, to the problem
episode as a whole, when it ends (:mod:`sim.model.episodes`); no decision to leave is taken on
the way.

Every experience (and every episode) has a key (:mod:`sim.core.rng`), a child of the event it
comes from: the decision to tell and how many, and whom (:mod:`sim.model.word_of_mouth`), are
draws of that key, so the same experience gets the same telling in every scenario.
"""

from __future__ import annotations

from typing import Any

from sim.core.recorder import Daily
from sim.core.vocabulary import HAPPY, NEUTRAL, SERVICE, UNHAPPY
from sim.core.world import World
from sim.model.ports import LoyaltyPort, WordOfMouthPort


class Satisfaction:
    """Scores interactions and applies their consequences."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.people = world.people  # looked up once: feel and respond run at every experience
        self.env = world.env
        # The day's happy and unhappy experiences, one array, days by the two (Recorder.block): the
        # compiled chain counts its experiences there too (sim.model.chain).
        self.experiences = world.record.block((Daily.HAPPY_EXPERIENCES, Daily.UNHAPPY_EXPERIENCES))
        self.loyalty: LoyaltyPort
        self.word_of_mouth: WordOfMouthPort
        # With sim.model.chain (numba): respond and experience are its kernels' (the same numbers).
        self.chain: Any = None
        self.refresh()

    def connect(self, loyalty: LoyaltyPort, word_of_mouth: WordOfMouthPort) -> None:
        self.loyalty = loyalty
        self.word_of_mouth = word_of_mouth
        self._tell = word_of_mouth.tell  # bound once: called after every happy or unhappy experience

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
        # fulfilment_score's constant parts, computed once: its denominator, and the tangibles'
        # term (the same products, so the same score to the last bit).
        self._fulfilment_total = w.responsiveness + w.reliability + w.tangibles
        self._fulfilment_tangibles = w.tangibles * q.tangibles
        # A perfect order's score (on time, complete, right, invoiced right), read at most deliveries.
        self.perfect_order_score = self.fulfilment_score(1.0, 1.0)
        # contact_score's constant parts when an agent answered: assurance's and empathy's terms
        # and the denominator (the same sums in the same order as written out in full).
        self._answered_terms = w.assurance * q.assurance + w.empathy * q.empathy
        self._answered_total = self._fulfilment_total + (w.assurance + w.empathy)

    # ------------------------------------------------------------------ scores

    def fulfilment_score(self, responsiveness: float, reliability: float) -> float:
        """An order's score: responsiveness (on time), reliability (complete, right, invoiced), tangibles."""
        w = self.weights
        total = self._fulfilment_total
        if total <= 0:
            return reliability
        return (w.responsiveness * responsiveness + w.reliability * reliability + self._fulfilment_tangibles) / total

    def contact_score(self, responsiveness: float, resolved: bool, answered: bool) -> float:
        """A contact's score; assurance and empathy only count when an agent answered.

        The score is (w_resp · responsiveness + w_rel · resolved + w_tang · tangibles [+ w_ass ·
        assurance + w_emp · empathy]) / (the weights summed), the bracket only when answered;
        the constant terms are computed in ``refresh``."""
        w = self.weights
        num = w.responsiveness * responsiveness + w.reliability * (1.0 if resolved else 0.0)
        num += self._fulfilment_tangibles
        if answered:
            num += self._answered_terms
            den = self._answered_total
        else:
            den = self._fulfilment_total
        return num / den if den > 0 else 0.0

    # -------------------------------------------------------------- experience

    def feel(self, person: int, score: float, about: int = SERVICE, bonus: float = 0.0, lift: float = 0.0) -> int:
        """Judge one interaction and move satisfaction; returns HAPPY, NEUTRAL or UNHAPPY.

        ``bonus`` (service recovery) lifts only the satisfaction update; ``lift`` (a
        guarantee honoured) lifts the experience itself, before it is judged. Experiences
        about the product do not move service satisfaction. Nothing else happens yet: an
        experience is then responded to at once (:meth:`experience`), or at the end of the
        problem episode it is part of (:mod:`sim.model.episodes`).
        """
        people = self.people
        value = 0.5 + self.sensitivity * (score - people.expectation[person]) + lift
        value = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
        if about == SERVICE:
            target = value + bonus
            target = target if target < 1.0 else 1.0  # min(1.0, value + bonus), without the call
            satisfaction = people.satisfaction
            s = satisfaction[person]
            satisfaction[person] = s + self.learning_rate * (target - s)
        if value >= self.happy:
            return HAPPY
        return NEUTRAL if value > self.unhappy else UNHAPPY

    def respond(self, person: int, felt: int, key: int) -> None:
        """Loyalty and word of mouth respond to an experience, or a whole episode, felt as
        ``felt``; ``key`` is its draw key (whether and whom the customer tells), read only when
        ``felt`` is happy or unhappy (a neutral experience is not told: callers may pass 0)."""
        if self.chain is not None:  # sim.model.chain.respond: the lines below, compiled
            self.chain.respond(person, felt, key)
            return
        if felt == HAPPY:
            self.experiences[int(self.env.now), 0] += 1.0  # Recorder.add(HAPPY_EXPERIENCES, day)
            self.loyalty.on_happy(person)
            self._tell(person, True, key)
        elif felt == NEUTRAL:
            self.loyalty.on_neutral(person)
        else:
            self.experiences[int(self.env.now), 1] += 1.0  # Recorder.add(UNHAPPY_EXPERIENCES, day)
            self.loyalty.on_unhappy(person)
            self._tell(person, False, key)

    def experience(
        self, person: int, score: float, key: int, about: int = SERVICE, bonus: float = 0.0, lift: float = 0.0
    ) -> int:
        """An experience that is not part of a problem: felt, then responded to at once."""
        if self.chain is not None:  # sim.model.chain.experience: the lines below, compiled
            return self.chain.experience(person, score, key, about, bonus, lift)
        felt = self.feel(person, score, about, bonus, lift)
        self.respond(person, felt, key)
        return felt

    def lose(self, person: int, amount: float) -> None:
        """Satisfaction drops by ``amount`` (an unresolved contact), not below 0."""
        people = self.people
        people.satisfaction[person] = max(0.0, people.satisfaction[person] - amount)
