"""Problem episodes: a problem, from the moment it arises to the one decision to stay or leave.

TARP (1986) measured what customers do about a problem, by how it ended: of those with a
larger-loss problem, 9 % of the silent bought again, 19 % of those who complained and were
left unresolved, 54 % of those whose complaint was resolved and 82 % of those resolved
quickly. The episode is the model's unit for that measurement. A **problem** — a failed
order (late, incomplete, wrong items, wrong invoice), a product that disappoints, a
question the desk fails to answer or resolve — opens an episode for that customer:

* the customer **voices** it — contacts the desk: a failed order with
  ``fulfilment.contact_probability_if_failed``, a disappointing product with
  ``service.complaint_share`` (TARP: about 1 in 25); a failed question is voiced already —
  or stays **silent**, which ends the episode at once;
* the desk's handling (:mod:`sim.model.desk`: queue, patience, retries) closes a voiced episode:
  **resolved** (at the first contact or a later one), **resolved quickly** (within
  ``service.quick_resolution_hours`` of the problem arising) or **unresolved** (given up
  waiting and not retried, or still unresolved after ``max_contacts_per_problem`` tries);
* **exactly one leave decision** is taken, at the episode's end, with the probability of
  its outcome (``attrition.leave_after_problem``: silent, complained_unresolved,
  complained_resolved, complained_resolved_quickly), for poor service or for the product
  by what the problem was about. Churn events record the outcome as their path.

Satisfaction moves at each contact on the way (:mod:`sim.model.satisfaction`); word of mouth and
loyalty respond once, at the end, to the episode as a whole: a silent episode as its
problem was felt, an unresolved one as unhappy, a resolved one as its closing contact was
felt (the recovery bonus lifts satisfaction, not the judgement: de Matos et al. 2007). A
contact that is not about a problem — a question answered at the first try — is an
experience, not an episode.

Random numbers: an episode's key is its problem's key (a child of the order, or the
question's key); the pair at slot ``VOICE_LEAVE`` is (voice, leave), the pair at ``TELL`` and
the child ``TELLING`` are the telling at its end (as for any experience); its contacts are
the children 1, 2, … of the same key.
"""

from __future__ import annotations

from sim.core.recorder import EPISODES_BY_OUTCOME, STAYED_BY_OUTCOME, Daily
from sim.core.vocabulary import (
    EPISODE_RESOLVED,
    EPISODE_RESOLVED_QUICKLY,
    EPISODE_SILENT,
    EPISODE_UNRESOLVED,
    FAILED_ORDER,
    FAILED_QUESTION,
    SERVICE,
    UNHAPPY,
)
from sim.core.world import CUSTOMER, World
from sim.model import compiled
from sim.model.ports import VOICE_LEAVE, AttritionPort, DeskPort, Episode, SatisfactionPort

# The episodes' counters, the columns of one block of the recorder's (Recorder.block): opened,
# voiced, each outcome (E_OUTCOME + outcome) and how many of those stayed (E_STAYED + outcome).
EPISODE_COUNTERS = (Daily.EPISODES, Daily.COMPLAINTS, *EPISODES_BY_OUTCOME, *STAYED_BY_OUTCOME)
E_EPISODES, E_COMPLAINTS, E_OUTCOME, E_STAYED = 0, 1, 2, 2 + len(EPISODES_BY_OUTCOME)


class Episodes:
    """Opens episodes, sends the voiced ones to the desk, and closes each with one decision."""

    def __init__(self, world: World) -> None:
        self.world = world
        self.people = world.people  # looked up once: open and close run at every problem
        self.env = world.env
        # The counters an episode counts into, one block of the recorder's (EPISODE_COUNTERS), which
        # the compiled desk (sim.model.chain) counts into too; its columns looked up once.
        self.block = block = world.record.block(EPISODE_COUNTERS)
        self.episodes, self.complaints = block[:, E_EPISODES], block[:, E_COMPLAINTS]
        self.by_outcome = tuple(block[:, E_OUTCOME + outcome] for outcome in range(len(EPISODES_BY_OUTCOME)))
        self.stayed_by_outcome = tuple(block[:, E_STAYED + outcome] for outcome in range(len(STAYED_BY_OUTCOME)))
        self.satisfaction: SatisfactionPort
        self.desk: DeskPort
        self.attrition: AttritionPort
        self._uniform_pair = compiled.scalar_draws()[2]  # rng.uniform_pair or its compiled twin
        self.refresh()

    def connect(self, satisfaction: SatisfactionPort, desk: DeskPort, attrition: AttritionPort) -> None:
        self.satisfaction = satisfaction
        self.desk = desk
        self.attrition = attrition

    def refresh(self) -> None:
        sc = self.world.scenario
        leave = sc.attrition.leave_after_problem
        self.leave = {
            EPISODE_SILENT: leave.silent,
            EPISODE_UNRESOLVED: leave.complained_unresolved,
            EPISODE_RESOLVED: leave.complained_resolved,
            EPISODE_RESOLVED_QUICKLY: leave.complained_resolved_quickly,
        }
        self.voice = (sc.fulfilment.contact_probability_if_failed, sc.service.complaint_share)
        self.quick_days = sc.service.quick_resolution_hours / 24.0

    def open(self, person: int, kind: int, about: int, key: int, felt: int) -> None:
        """A failed order or a disappointing product, now: voiced, it goes to the desk;
        silent, it ends at once. ``felt``: how the problem itself was felt."""
        now = self.env.now
        day = int(now)
        episode = Episode(person, kind, about, key, now)
        self.episodes[day] += 1.0  # Recorder.add(EPISODES, day)
        u_voice, u_leave = self._uniform_pair(key, VOICE_LEAVE)
        if u_voice >= self.voice[kind]:
            self.close(episode, EPISODE_SILENT, felt, u_leave)  # the leave draw known already
            return
        self.complaints[day] += 1.0  # TARP's complainers: the voiced episodes
        if kind == FAILED_ORDER:
            self.desk.order_problem(episode)
        else:
            self.desk.product_problem(episode)

    def failed_question(self, person: int, key: int, opened: float) -> Episode:
        """The desk failed a question raised at ``opened`` (not answered, or not resolved):
        a problem, voiced already; the desk carries on with it."""
        day = int(self.env.now)
        self.episodes[day] += 1.0  # Recorder.add(EPISODES, day)
        self.complaints[day] += 1.0  # Recorder.add(COMPLAINTS, day)
        return Episode(person, FAILED_QUESTION, SERVICE, key, opened)

    def quick(self, episode: Episode) -> bool:
        """Whether resolving it now is resolving it quickly (within quick_resolution_hours)."""
        return self.env.now - episode.opened <= self.quick_days

    def resolved(self, episode: Episode, quick: bool, felt: int) -> None:
        """The desk resolved it now (``quick``: :meth:`quick`); ``felt`` is how the closing
        contact was felt."""
        self.close(episode, EPISODE_RESOLVED_QUICKLY if quick else EPISODE_RESOLVED, felt)

    def unresolved(self, episode: Episode) -> None:
        """The customer gave up, or the last try failed."""
        self.close(episode, EPISODE_UNRESOLVED, UNHAPPY)

    def close(self, episode: Episode, outcome: int, felt: int, u_leave: float | None = None) -> None:
        """The episode's end: word of mouth and loyalty respond, then the one leave decision.
        ``u_leave``: its draw (half 1 of the pair at ``VOICE_LEAVE``) if already computed."""
        person = episode.person
        people = self.people
        if people.status[person] != CUSTOMER or people.joined[person] > episode.opened:
            return  # left meanwhile (and maybe won back since): no decision
        day = int(self.env.now)
        self.by_outcome[outcome][day] += 1.0  # Recorder.add(EPISODES_BY_OUTCOME[outcome], day)
        self.satisfaction.respond(person, felt, episode.key)
        if people.status[person] != CUSTOMER:
            return
        if u_leave is None:
            u_leave = self._uniform_pair(episode.key, VOICE_LEAVE)[1]
        if u_leave < self.leave[outcome]:
            self.attrition.churn(person, episode.about, path=outcome)
        else:
            self.stayed_by_outcome[outcome][day] += 1.0  # Recorder.add(STAYED_BY_OUTCOME[outcome], day)
