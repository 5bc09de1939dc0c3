"""Word of mouth: happy customers tell a few people, unhappy ones tell many.

The sources: a satisfied customer tells 4–5 people; a dissatisfied one tells 10 or
more (001), 20 (003). After a happy experience a customer tells, with their loyalty
level's ``loyalty.levels.level<n>.tell_probability_happy`` (advocates, who recommend, tell
most), a number of people drawn uniformly from ``told_by_happy`` (4..5); after an unhappy
one, whatever the level, with
``tell_probability_unhappy``, a number from ``told_by_unhappy`` (10..20). Whom they tell
comes from the social network (:mod:`sim.model.network`).

What a message does depends on who hears it:

* a **prospect** hearing a recommendation joins with ``conversion_per_recommendation``
  × the teller's level's ``recommendation_weight`` (capped at 1), reduced by
  (1 − ``deterrence_per_complaint_heard``)^m for the m complaints it still remembers
  (:class:`sim.model.market.Joining`); a former customer who can be won back likewise, at the
  win-back fraction of that chance;
* a **prospect** (or former customer) hearing a complaint remembers it (m ← m + 1; memories
  fade with ``complaint_memory_half_life_days``);
* a **customer** hearing a complaint leaves with ``leave_per_complaint_heard`` —
  the sources' "friends' influence" (Goldenberg et al. 2007 on the cost of negative
  word of mouth).

Random numbers: the decision to tell and how many are the pair at slot ``TELL`` of the
experience's key (:mod:`sim.model.satisfaction`); whom, and what each listener then does, are
draws of its child ``TELLING`` — the pairs from slot 0 on for the choice of listeners, the
pairs from slot ``LISTENERS`` on for the listeners' decisions (the j-th listener's is half
j mod 2 of slot ``LISTENERS + j // 2``). The same experience reaches the same people in
every scenario. (With numba, :func:`sim.model.compiled.telling_draws` computes whom and the
decisions' numbers in one call: the numbers of :meth:`SocialNetwork.recipients` and
:class:`Decisions`, which remain the reference; and :func:`sim.model.compiled.telling_listeners`
what the listeners do with them, as :meth:`WordOfMouth.tell`'s Python loop does, handing back
only who joins or leaves.)
"""

from __future__ import annotations

import numpy as np

from sim.core.recorder import Daily
from sim.core.rng import child, uniform_pair
from sim.core.vocabulary import FRIENDS_INFLUENCE, REFERRAL, WORD_OF_MOUTH
from sim.core.world import CUSTOMER, FORMER, PROSPECT, World
from sim.model import compiled
from sim.model.network import SocialNetwork
from sim.model.ports import LISTENERS, TELL, TELLING, AttritionPort, JoiningPort


class Decisions:
    """The listeners' decisions of one telling: the j-th listener's uniform number is half
    j mod 2 of the pair at slot ``LISTENERS + j // 2`` of the telling's key. Each pair is hashed
    once, when the first of its two listeners needs it (listeners come in order), and only
    listeners who decide draw at all."""

    __slots__ = ("telling", "slot", "pair")

    def __init__(self, telling: int) -> None:
        self.telling = telling
        self.slot = -1
        self.pair = (0.0, 0.0)

    def __call__(self, j: int) -> float:
        if j >> 1 != self.slot:
            self.slot = j >> 1
            self.pair = uniform_pair(self.telling, LISTENERS + self.slot)
        return self.pair[j & 1]


class WordOfMouth:
    def __init__(self, world: World, network: SocialNetwork) -> None:
        self.world = world
        self.people = world.people  # looked up once: tell runs after every happy or unhappy experience
        self.env = world.env
        # What a telling counts a day — a teller and the people told, happy (columns 0, 1) or
        # unhappy (2, 3) — in a block of the recorder's, which sim.model.chain's compiled tellings
        # count into too.
        self.told_counts = world.record.block(
            (Daily.HAPPY_TELLERS, Daily.WOM_POSITIVE, Daily.UNHAPPY_TELLERS, Daily.WOM_NEGATIVE))
        self.network = network
        # The network's ties as the compiled tellings read them (zero-copy views), or None to
        # draw in Python (no numba).
        self.ties = ((np.frombuffer(network.indptr, np.int64), np.frombuffer(network.indices, np.int32))
                     if compiled.ready() else None)
        self._telling_draws = compiled.direct(compiled.telling_draws)  # compiled once ready() (looked up here)
        self._telling_listeners = compiled.direct(compiled.telling_listeners)
        people = world.people  # the columns the compiled listeners read and write (zero-copy views)
        self.columns = tuple(people.view(name) for name in ("status", "left", "complaint_memory", "memory_day"))
        self._uniform_pair = compiled.scalar_draws()[2]  # the decision to tell: rng.uniform_pair or its twin
        self._told, self._decided = np.empty(0, np.int64), np.empty(0, np.float64)  # sized by refresh
        self._acted = np.empty(0, np.int64)
        self.attrition: AttritionPort
        self.joining: JoiningPort
        self.refresh()

    def connect(self, attrition: AttritionPort, joining: JoiningPort) -> None:
        self.attrition = attrition
        self.joining = joining

    def refresh(self) -> None:
        sc = self.world.scenario
        w, a = sc.word_of_mouth, sc.acquisition
        self.happy_range = (w.told_by_happy.min, w.told_by_happy.max)
        self.unhappy_range = (w.told_by_unhappy.min, w.told_by_unhappy.max)
        levels = sc.loyalty.levels
        # By the teller's loyalty level (index 1..3; 0 is unused).
        self.p_tell_happy = levels.by_level("tell_probability_happy")
        self.conversion = tuple(min(1.0, a.conversion_per_recommendation * w)
                                for w in levels.by_level("recommendation_weight"))
        self.p_tell_unhappy = w.tell_probability_unhappy
        self.p_leave = w.leave_per_complaint_heard
        # The compiled tellings' output: room for the most a teller can tell (telling_draws does
        # not check it), grown if a change of scenario raises it.
        most = max(w.told_by_happy.max, w.told_by_unhappy.max)
        if self._told.size < most:
            self._told, self._decided = np.empty(most, np.int64), np.empty(most, np.float64)
            self._acted = np.empty(most, np.int64)

    def tell(self, person: int, positive: bool, key: int) -> None:
        """Maybe tell others about an experience of ``person`` (``key``: the experience's)."""
        people = self.people
        level = people.level[person]
        if positive:
            chance = self.p_tell_happy[level]
            low, high = self.happy_range
        else:
            chance = self.p_tell_unhappy
            low, high = self.unhappy_range
        u_tell, u_count = self._uniform_pair(key, TELL)
        if u_tell >= chance:
            return
        count = low + int(u_count * (high - low + 1))
        if self.ties is not None:  # compiled (sim.model.compiled): the numbers of the code below
            indptr, indices = self.ties
            n = self._telling_draws(indptr, indices, self.network.size, person, count, key, self._told, self._decided)
            self._listen(n, positive, level)
            return
        # The reference, in Python: whom, their numbers, and what each listener does.
        telling = child(key, TELLING)
        told = self.network.recipients(person, count, telling)
        decision = Decisions(telling)
        self._count(positive, len(told))
        status = people.status
        if positive:
            conversion = self.conversion[level]
            try_join = self.joining.try_join
            for j, other in enumerate(told):
                if status[other] != CUSTOMER:
                    try_join(other, conversion, decision(j), REFERRAL)
        else:
            p_leave = self.p_leave
            for j, other in enumerate(told):
                s = status[other]
                if s == PROSPECT or s == FORMER:
                    self.joining.hear_complaint(other)
                elif s == CUSTOMER and decision(j) < p_leave:
                    self.attrition.churn(other, FRIENDS_INFLUENCE, WORD_OF_MOUTH)

    def _count(self, positive: bool, told: int) -> None:
        """A teller and the ``told`` people they tell, counted for today."""
        row = self.told_counts[int(self.env.now)]
        if positive:
            row[0] += 1.0  # HAPPY_TELLERS
            row[1] += told  # WOM_POSITIVE
        else:
            row[2] += 1.0  # UNHAPPY_TELLERS
            row[3] += told  # WOM_NEGATIVE

    def _listen(self, n: int, positive: bool, level: int) -> None:
        """The listeners ``self._told[:n]`` of a telling, compiled (``telling_listeners``): the
        loop of :meth:`tell` below its draws, the same numbers; only who joins or leaves comes
        back here, in order."""
        self._count(positive, n)
        joining = self.joining
        keep, half_life, winback, cooloff = joining.terms
        status, left, memory, memory_day = self.columns
        chance = self.conversion[level] if positive else 0.0
        k, deterred = self._telling_listeners(
            self._told, self._decided, n, positive, status, left, memory, memory_day, self.env.now, chance, keep,
            half_life, winback, cooloff, self.p_leave, 2.0, self._acted)
        if deterred:
            joining.count_deterred(deterred)
        if k:
            self.act(self._acted[:k].tolist(), positive)

    def act(self, acted: list[int], positive: bool) -> None:
        """The listeners of a telling who act, in order: each joins, after a recommendation
        (``positive``), or leaves, after a complaint (also what :mod:`sim.model.chain`'s
        compiled tellings hand back)."""
        if positive:
            join = self.joining.join
            for other in acted:
                join(other, REFERRAL)
        else:
            churn = self.attrition.churn
            for other in acted:
                churn(other, FRIENDS_INFLUENCE, WORD_OF_MOUTH)
