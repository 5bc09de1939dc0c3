"""The support desk: contacts queue for a limited number of agents.

Service *after* the transaction (and the questions before it). Three kinds of contact
arrive: questions not caused by an order, order problems (a failed delivery the
customer wants put right) and complaints (about a disappointing product). They wait in
one first-come-first-served queue for ``service.agents`` agents.

The agents are the SimPy processes; contacts are plain records that the agents pull
from the queue (three times faster than a process per contact with a ``Resource``). An
agent works only while the desk is open (``opening_hours``); a contact that would
arrive while the desk is closed is made instead at a uniformly random time during the
next opening. Each agent takes ``handle_minutes`` per contact. A waiting customer gives
up after ``patience_minutes`` (an abandonment); ``null`` patience waits forever.

An answered contact solves the problem with ``first_contact_resolution`` the first
time, ``later_contact_resolution`` on later tries. Unresolved, the customer loses some
satisfaction and calls again after about ``recontact_delay_days``, up to
``max_contacts_per_problem`` contacts; having given up waiting, they try again with
``retry_after_abandon``. Each contact is scored (:mod:`sim.satisfaction`): the wait
gives responsiveness, 1/(1 + wait/``wait_tolerance_minutes``); resolution gives
reliability; the agent's assurance and empathy count when an agent answered.

Order problems and complaints belong to a problem episode (:mod:`sim.episodes`); a
question becomes one when the desk fails to answer or resolve it. The desk tells the
episode how it ended — resolved (quickly: within ``quick_resolution_hours`` of the
problem arising, which also earns the recovery bonus) or unresolved — and the episode
takes the one decision to stay or leave. A question answered and resolved at the first
try is an experience, not a problem.

Random numbers: a problem has a key — a child of what raised it (the question of the
customer's n-th clock event, a child of the customer's key; the order that failed or
disappointed) — and its a-th contact the child key ``a`` of it. The contact's deferral,
patience, handle time, resolution, retry and recontact delay are slots of the contact's
key (see ``DEFER`` …); the experience it gives is its child ``EXPERIENCE``. So the same
contact gets the same patience and handle time in every scenario, whoever else is
queueing.

With every contact resolved, infinite patience, the desk always open, Poisson arrivals
and exponential handle times this is an M/M/c queue; ``tests/validation`` checks it
against Erlang C.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator
from typing import TYPE_CHECKING

import simpy
from simpy.events import Event, Timeout

from sim.rng import child, exponential, uniform
from sim.satisfaction import SERVICE
from sim.world import CUSTOMER, MINUTES_PER_DAY, QUESTION_TAGS, World

if TYPE_CHECKING:
    from sim.episodes import Episode, Episodes
    from sim.satisfaction import Satisfaction

QUESTION, ORDER_PROBLEM, COMPLAINT = 0, 1, 2
_KIND_COUNTER = ("questions", "order_problem_contacts", "complaint_contacts")

# A contact's key: its slots (a distribution takes two) and its child.
DEFER, PATIENCE, HANDLE, RESOLVED, RETRY, RECONTACT = 0, 1, 3, 5, 6, 7
EXPERIENCE = 0


class Contact:
    """One contact: who, about what, which try, and where it stands."""

    __slots__ = (
        "person", "kind", "about", "attempt", "opened", "problem", "episode", "key", "arrived", "answered",
        "abandoned",
    )

    def __init__(
        self, person: int, kind: int, about: int, attempt: int, opened: float, problem: int,
        episode: Episode | None = None,
    ) -> None:
        self.person = person
        self.kind = kind
        self.about = about  # SERVICE or PRODUCT: what the underlying problem was about
        self.attempt = attempt
        self.opened = opened  # when the question or problem was first raised
        self.problem = problem  # the question's or problem's draw key
        self.episode = episode  # the problem episode it belongs to (None: a question, so far)
        self.key = child(problem, attempt)  # this try's draw key
        self.arrived = 0.0
        self.answered = False
        self.abandoned = False


class OpeningHours:
    """When the desk is open, in simulated days.

    Times within ``_EPS`` of an opening count as open, so that the float computed for
    an opening time (day + start) is itself open.
    """

    _EPS = 1e-9

    def __init__(self, start_hour: float, end_hour: float, days_per_week: int) -> None:
        self.start = start_hour / 24.0
        self.end = end_hour / 24.0
        self.days_per_week = days_per_week
        self.always = self.start == 0.0 and self.end == 1.0 and days_per_week == 7

    def is_open(self, t: float) -> bool:
        if self.always:
            return True
        day = int(t)
        return day % 7 < self.days_per_week and self.start - self._EPS <= t - day < self.end

    def next_opening(self, t: float) -> float:
        """The start of the next opening at or after ``t`` (``t`` itself if open)."""
        if self.is_open(t):
            return t
        day = int(t)
        if day % 7 < self.days_per_week and t - day < self.start:
            return day + self.start
        day += 1
        while day % 7 >= self.days_per_week:
            day += 1
        return day + self.start


class Desk:
    def __init__(self, world: World) -> None:
        self.world = world
        self.queue: deque[Contact] = deque()
        self.idle: list[tuple[int, Event]] = []  # (agent, its wake-up event)
        self.running: set[int] = set()
        self.satisfaction: Satisfaction
        self.episodes: Episodes
        self.refresh()

    def connect(self, satisfaction: Satisfaction, episodes: Episodes) -> None:
        self.satisfaction = satisfaction
        self.episodes = episodes

    def refresh(self) -> None:
        sc = self.world.scenario
        s = sc.service
        self.s = s
        hours = s.opening_hours
        self.hours = OpeningHours(hours.start_hour, hours.end_hour, hours.days_per_week)
        self.handle = s.handle_minutes.sampler()
        self.patience = s.patience_minutes.sampler() if s.patience_minutes is not None else None
        self.target_days = s.service_level_target_seconds / 60.0 / MINUTES_PER_DAY
        self.quick_days = s.quick_resolution_hours / 24.0
        self.wait_tolerance = sc.service_quality.wait_tolerance_minutes
        # Hire: start the agents not running. Let go: idle agents beyond the new number
        # are woken to leave; busy ones leave after their current contact.
        for index in range(s.agents):
            if index not in self.running:
                self.running.add(index)
                self.world.env.process(self._agent(index))
        for index, wake in [(i, w) for i, w in self.idle if i >= s.agents]:
            self.idle.remove((index, wake))
            wake.succeed()

    @property
    def agents(self) -> int:
        return self.s.agents

    # ------------------------------------------------------------- arrivals

    def question(self, person: int, clock_event: int) -> None:
        """A question raised by the customer's clock event number ``clock_event``."""
        key = child(self.world.people.key[person], QUESTION_TAGS + clock_event)
        self.contact(Contact(person, QUESTION, SERVICE, 1, self.world.env.now, key))

    def order_problem(self, episode: Episode) -> None:
        """A failed order, voiced: the customer contacts the desk to have it put right."""
        self.contact(Contact(episode.person, ORDER_PROBLEM, SERVICE, 1, episode.opened, episode.key, episode))

    def complaint(self, episode: Episode) -> None:
        """A disappointing product, voiced: a complaint."""
        self.contact(Contact(episode.person, COMPLAINT, episode.about, 1, episode.opened, episode.key, episode))

    def contact(self, contact: Contact) -> None:
        """A contact reaches the desk now, or during the next opening if it is closed."""
        env = self.world.env
        if self.hours.is_open(env.now):
            self._arrive(contact)
            return
        opening = self.hours.next_opening(env.now)
        window = self.hours.end - self.hours.start
        delay = opening - env.now + uniform(contact.key, DEFER) * window
        Timeout(env, delay, contact).callbacks.append(self._arrive_event)

    def _arrive_event(self, event: Event) -> None:
        self._arrive(event._value)

    def _current(self, contact: Contact) -> bool:
        """Whether the contact's customer is still a customer, in the same spell (not won back
        since it was raised)."""
        people = self.world.people
        person = contact.person
        return people.status[person] == CUSTOMER and people.joined[person] <= contact.opened

    def _arrive(self, contact: Contact) -> None:
        world = self.world
        if not self._current(contact):
            return
        env = world.env
        day = world.day()
        world.record.add("contacts", day)
        world.record.add(_KIND_COUNTER[contact.kind], day)
        contact.arrived = env.now
        self.queue.append(contact)
        if self.idle:
            # An idle agent takes it now: no wait, so no patience to run out.
            self.idle.pop()[1].succeed()
        elif self.patience is not None:
            give_up = Timeout(env, self.patience(contact.key, PATIENCE) / MINUTES_PER_DAY, contact)
            give_up.callbacks.append(self._abandon)

    # ---------------------------------------------------------------- agents

    def _agent(self, index: int) -> Generator[Event, object, None]:
        env = self.world.env
        queue = self.queue
        while index < self.s.agents:
            hours = self.hours
            if not hours.is_open(env.now):
                yield env.timeout(hours.next_opening(env.now) - env.now)
                continue
            while queue and queue[0].abandoned:
                queue.popleft()
            if not queue:
                wake = simpy.Event(env)
                self.idle.append((index, wake))
                yield wake
                continue
            contact = queue.popleft()
            contact.answered = True
            wait = env.now - contact.arrived
            self._answered(contact, wait)
            yield env.timeout(self.handle(contact.key, HANDLE) / MINUTES_PER_DAY)
            self._finish(contact, wait)
        self.running.discard(index)

    def _answered(self, contact: Contact, wait: float) -> None:
        record = self.world.record
        day = self.world.day()
        record.add("answered", day)
        record.add("wait_minutes_sum", day, wait * MINUTES_PER_DAY)
        if wait > 0:
            record.add("waited", day)
        if wait <= self.target_days:
            record.add("answered_within_target", day)

    def _abandon(self, event: Event) -> None:
        contact: Contact = event._value
        if contact.answered:
            return
        contact.abandoned = True
        world = self.world
        world.record.add("abandoned", world.day())
        person = contact.person
        if not self._current(contact):
            return
        satisfaction = self.satisfaction
        felt = satisfaction.feel(person, satisfaction.contact_score(0.0, resolved=False, answered=False))
        episode = contact.episode or self._failed_question(contact, felt)
        if contact.attempt < self.s.max_contacts_per_problem and uniform(contact.key, RETRY) < self.s.retry_after_abandon:
            self._retry_later(contact)
        else:
            self.episodes.unresolved(episode)

    def _finish(self, contact: Contact, wait: float) -> None:
        world = self.world
        s = self.s
        first = contact.attempt == 1
        resolved = uniform(contact.key, RESOLVED) < (s.first_contact_resolution if first else s.later_contact_resolution)
        if first:
            day = world.day()
            world.record.add("first_contacts_answered", day)
            world.record.add("first_contacts_resolved", day, resolved)
        person = contact.person
        if not self._current(contact):
            return
        satisfaction = self.satisfaction
        responsiveness = 1.0 / (1.0 + wait * MINUTES_PER_DAY / self.wait_tolerance)
        score = satisfaction.contact_score(responsiveness, resolved=resolved, answered=True)
        episode = contact.episode
        if resolved:
            if episode is None:  # a question answered: an experience, not a problem
                satisfaction.experience(person, score, child(contact.key, EXPERIENCE))
                return
            quick = world.env.now - episode.opened <= self.quick_days
            felt = satisfaction.feel(person, score, bonus=satisfaction.recovery_bonus if quick else 0.0)
            self.episodes.resolved(episode, felt)
            return
        satisfaction.lose(person, s.unresolved_satisfaction_penalty)
        felt = satisfaction.feel(person, score)
        episode = episode or self._failed_question(contact, felt)
        if contact.attempt < s.max_contacts_per_problem:
            self._retry_later(contact)
        else:
            self.episodes.unresolved(episode)

    def _failed_question(self, contact: Contact, felt: int) -> Episode:
        """The desk failed a question (not answered, or not resolved): now it is a problem."""
        contact.episode = self.episodes.failed_question(contact.person, contact.problem, contact.opened, felt)
        return contact.episode

    def _retry_later(self, contact: Contact) -> None:
        """The same problem, another try after about ``recontact_delay_days``."""
        delay = exponential(contact.key, RECONTACT) * self.s.recontact_delay_days
        Timeout(self.world.env, delay, contact).callbacks.append(self._again)

    def _again(self, event: Event) -> None:
        contact: Contact = event._value
        if not self._current(contact):
            return
        self.contact(Contact(
            contact.person, contact.kind, contact.about, contact.attempt + 1, contact.opened, contact.problem,
            contact.episode,
        ))
