"""The support desk: contacts queue for a limited number of agents.

Service *after* the transaction (and the questions before it). Three kinds of contact
arrive: questions not caused by an order, order problems (a failed delivery the
customer wants put right) and product problems (a disappointing product, voiced). They wait in
one first-come-first-served queue (product problems first if ``product_problem_priority``) for the
agents on duty.

The agents are the SimPy processes; contacts are plain records that the agents pull
from the queue (three times faster than a process per contact with a ``Resource``). The
desk's day (:mod:`sim.model.desk_day`) sets when it is open, how many agents are on duty (a
shift process changes the number at each step of the staffing schedule and counts the
staffed agent-hours) and when a contact that could not be made at once arrives: one
raised while the desk is closed is made in the next opening at a time drawn from the
hour-of-day arrival profile. Each agent takes ``handle_minutes`` per contact (or the
kind's own, ``handle_by_kind``). A waiting customer gives up after ``patience_minutes``
(an abandonment); ``null`` patience waits forever. The desk is recorded by day and by
the hour each contact arrived (offered, answered, abandoned, waits).

An answered contact solves the problem with ``first_contact_resolution`` the first
time, ``later_contact_resolution`` on later tries. Unresolved, the customer loses some
satisfaction and calls again after about ``recontact_delay_days``, up to
``max_contacts_per_problem`` contacts; having given up waiting, they try again with
``retry_after_abandon``. Each contact is scored (:mod:`sim.model.satisfaction`): the wait
gives responsiveness, 1/(1 + wait/``wait_tolerance_minutes``); resolution gives
reliability; the agent's assurance and empathy count when an agent answered.

Order problems and complaints belong to a problem episode (:mod:`sim.model.episodes`); a
question becomes one when the desk fails to answer or resolve it. The desk tells the
episode how it ended — resolved (quickly: within ``quick_resolution_hours`` of the
problem arising, which also earns the recovery bonus) or unresolved — and the episode
takes the one decision to stay or leave. A question answered and resolved at the first
try is an experience, not a problem.

Random numbers: a problem has a key — a child of what raised it (the question of the
customer's n-th clock event, a child of the customer's key; the order that failed or
disappointed) — and its a-th contact the child key ``a`` of it. The contact's deferral (its
time in the opening, and whether one raised while open is put off), patience, handle time,
resolution, retry and recontact delay are slots of the contact's key (see ``DEFER`` …); the
experience it gives is its child ``EXPERIENCE``. So the same contact gets the same patience
and handle time in every scenario, whoever else is queueing.

With every contact resolved, the desk always open, Poisson arrivals and exponential
handle times this is an M/M/c queue with infinite patience, and M/M/c+M (Erlang A) with
exponential patience and no retries; ``tests/validation`` checks it against both.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Generator
from typing import cast

import simpy
from simpy.events import Event, Timeout

from sim.core.calendar import EPS, HOURS_PER_DAY, MINUTES_PER_DAY
from sim.core.recorder import CONTACTS_BY_KIND, Daily, Hourly
from sim.core.rng import child, exponential, uniform
from sim.core.vocabulary import ORDER_PROBLEM, PRODUCT_PROBLEM, QUESTION, SERVICE
from sim.core.world import CUSTOMER, QUESTION_TAGS, World
from sim.model.desk_day import ArrivalProfile, OpeningHours, Staffing
from sim.model.ports import Episode, EpisodesPort, SatisfactionPort
from sim.model.samplers import sampler

# A contact's key: its slots (a distribution takes two) and its child.
DEFER, PATIENCE, HANDLE, RESOLVED, RETRY, RECONTACT = 0, 1, 3, 5, 6, 7
DELAY_WHILE_OPEN = 9  # the desk's day: whether a contact raised while open is put off
EXPERIENCE = 0

__all__ = ["Contact", "Desk", "OpeningHours"]


class Contact:
    """One contact: who, about what, which try, and where it stands."""

    __slots__ = (
        "person", "kind", "about", "attempt", "opened", "problem", "episode", "key", "arrived", "answered",
        "abandoned", "deferrals",
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
        self.deferrals = 0  # times its arrival was timed; a re-timed contact's earlier time is void


class Desk:
    def __init__(self, world: World) -> None:
        self.world = world
        self.queue: deque[Contact] = deque()
        self.urgent: deque[Contact] = deque()  # product problems, when they have priority
        self.idle: list[tuple[int, Event]] = []  # (agent, its wake-up event), all on duty
        self.off_duty: dict[int, Event] = {}  # agent -> the event that calls them back
        self.running: set[int] = set()
        self.on_duty = 0
        # When each agent last went off duty (inf while on duty): service that runs on past it
        # is overtime, paid and counted in the agents' time.
        self.off_since: dict[int, float] = {}
        # Contacts put off to a later time, in the order they were (a dict: a fixed order), and
        # the desk's day they were timed under: if it changes mid-run, they are timed again.
        self.deferred: dict[Contact, None] = {}
        self._day_rules: tuple[object, ...] = ()
        self._shift_end = 0.0  # when the current step of the staffing schedule ends
        self._schedule = 0  # the number of the current shift process (a refresh starts a new one)
        self.satisfaction: SatisfactionPort
        self.episodes: EpisodesPort
        self.refresh()

    def connect(self, satisfaction: SatisfactionPort, episodes: EpisodesPort) -> None:
        self.satisfaction = satisfaction
        self.episodes = episodes

    def refresh(self) -> None:
        sc = self.world.scenario
        s = sc.service
        self.s = s
        hours = s.opening_hours
        self.hours = OpeningHours(hours.start_hour, hours.end_hour, hours.days_per_week)
        self.staffing = Staffing(s)
        self.profile = ArrivalProfile(s.arrival_profile.weights_by_hour, hours.start_hour, hours.end_hour)
        self.delay_share = s.arrival_profile.delay_share_while_open
        handle = s.handle_minutes
        by_kind = s.handle_by_kind
        self.handles = [
            sampler(kind if kind is not None else handle)
            for kind in (by_kind.question_minutes, by_kind.order_problem_minutes, by_kind.product_problem_minutes)
        ]
        self.priority = s.product_problem_priority
        self.patience = sampler(s.patience_minutes) if s.patience_minutes is not None else None
        self.target_days = s.service_level_target_seconds / 60.0 / MINUTES_PER_DAY
        self.wait_tolerance = sc.service_quality.wait_tolerance_minutes
        rules = (hours, s.arrival_profile)
        if self._day_rules and rules != self._day_rules:
            self._retime_deferred()
        self._day_rules = rules
        # A new shift process, from now, under the new schedule (the old one stops).
        self._schedule += 1
        self.world.env.process(self._shifts(self._schedule))

    @property
    def agents_employed(self) -> int:
        """The agents the desk employs: the most on duty at once in the week's schedule."""
        return self.staffing.peak

    # ---------------------------------------------------------------- shifts

    def _shifts(self, schedule: int) -> Generator[Event, object, None]:
        env = self.world.env
        while schedule == self._schedule:
            agents, until = self.staffing.at(env.now)
            self._staff(agents, until)
            if until == math.inf:
                return
            yield env.timeout(until - env.now)

    def _staff(self, agents: int, until: float) -> None:
        """From now until ``until``, ``agents`` on duty: count their hours, call in or send off."""
        env = self.world.env
        now = env.now
        record = self.world.record
        day = int(now)
        if self._shift_end > now and self.on_duty:  # a refresh cuts the current step short
            record.add(Daily.STAFFED_AGENT_HOURS, day, -self.on_duty * (self._shift_end - now) * HOURS_PER_DAY)
        for index in range(agents, self.on_duty):
            self.off_since[index] = now
        for index in range(agents):
            self.off_since[index] = math.inf
        self.on_duty = agents
        self._shift_end = until
        if agents:  # a step of the schedule lies within one day
            record.add(Daily.STAFFED_AGENT_HOURS, day, agents * (until - now) * HOURS_PER_DAY)
        for index in range(agents):
            if index not in self.running:
                self.running.add(index)
                env.process(self._agent(index))
        peak = self.staffing.peak
        for index in [i for i in self.off_duty if i < agents or i >= peak]:  # called in, or let go
            self.off_duty.pop(index).succeed()
        for index, wake in [(i, w) for i, w in self.idle if i >= agents]:
            self.idle.remove((index, wake))
            wake.succeed()

    # ------------------------------------------------------------- arrivals

    def question(self, person: int, clock_event: int) -> None:
        """A question raised by the customer's clock event number ``clock_event``."""
        key = child(self.world.people.key[person], QUESTION_TAGS + clock_event)
        self.contact(Contact(person, QUESTION, SERVICE, 1, self.world.env.now, key))

    def order_problem(self, episode: Episode) -> None:
        """A failed order, voiced: the customer contacts the desk to have it put right."""
        self.contact(Contact(episode.person, ORDER_PROBLEM, SERVICE, 1, episode.opened, episode.key, episode))

    def product_problem(self, episode: Episode) -> None:
        """A disappointing product, voiced: a product-problem contact."""
        self.contact(Contact(episode.person, PRODUCT_PROBLEM, episode.about, 1, episode.opened, episode.key, episode))

    def contact(self, contact: Contact) -> None:
        """A contact reaches the desk now, later in today's opening (a share of those raised
        while it is open), or during the next opening if it is closed (arrival profile)."""
        env = self.world.env
        now = env.now
        if self.hours.is_open(now):
            if not self.delay_share or uniform(contact.key, DELAY_WHILE_OPEN) >= self.delay_share:
                self._arrive(contact)
                return
            day = int(now)
            later = self.profile.later_today(now - day, uniform(contact.key, DEFER))
            if later is None:
                self._arrive(contact)
                return
            delay = max(0.0, day + later - now)
        else:
            opening = self.hours.next_opening(now)
            day = int(opening + EPS)
            delay = max(0.0, day + self.profile.time_of_day(uniform(contact.key, DEFER)) - now)
        contact.deferrals += 1
        self.deferred[contact] = None
        Timeout(env, delay, (contact, contact.deferrals)).callbacks.append(self._arrive_event)

    def _arrive_event(self, event: Event) -> None:
        contact, deferral = cast(tuple[Contact, int], event.value)
        if deferral != contact.deferrals:
            return  # timed again since, under new opening hours
        del self.deferred[contact]
        self._arrive(contact)

    def _retime_deferred(self) -> None:
        """The opening hours or the arrival profile changed (mid-run): a contact put off to a
        time under the old ones is timed again now, under the new, with the same draws — as if
        raised now — so that none arrives while the desk is closed and gives up."""
        pending = list(self.deferred)
        self.deferred.clear()
        for contact in pending:
            contact.deferrals += 1  # its earlier time is void, whenever it arrives now
            self.contact(contact)

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
        record = world.record
        record.add(Daily.CONTACTS, day)
        record.add(CONTACTS_BY_KIND[contact.kind], day)
        contact.arrived = env.now
        record.hourly[Hourly.OFFERED][int(env.now * HOURS_PER_DAY)] += 1
        if self.priority and contact.kind == PRODUCT_PROBLEM:
            self.urgent.append(contact)
        else:
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
        while True:
            if index >= self.on_duty:
                if index >= self.staffing.peak:
                    break  # no longer employed
                if (self.queue or self.urgent) and self.idle:
                    self.idle.pop()[1].succeed()  # woken for a contact as the shift ended: pass it on
                back = simpy.Event(env)
                self.off_duty[index] = back
                yield back
                continue
            contact = self._next()
            if contact is None:
                wake = simpy.Event(env)
                self.idle.append((index, wake))
                yield wake
                continue
            contact.answered = True
            wait = env.now - contact.arrived
            handle = self.handles[contact.kind](contact.key, HANDLE)
            self._answered(contact, wait, handle)
            start = env.now
            yield env.timeout(handle / MINUTES_PER_DAY)
            off = self.off_since.get(index, math.inf)
            if off < env.now:  # the shift ended during the contact: the rest is overtime
                self.world.record.add(
                    Daily.OVERTIME_AGENT_HOURS, self.world.day(), (env.now - max(start, off)) * HOURS_PER_DAY
                )
            self._finish(contact, wait)
        self.running.discard(index)

    def _next(self) -> Contact | None:
        """The contact an agent takes next: the first waiting product problem if they have
        priority, else the first waiting contact (skipping those who gave up)."""
        for queue in (self.urgent, self.queue):
            while queue:
                contact = queue.popleft()
                if not contact.abandoned:
                    return contact
        return None

    def _answered(self, contact: Contact, wait: float, handle_minutes: float) -> None:
        record = self.world.record
        day = self.world.day()
        minutes = wait * MINUTES_PER_DAY
        record.add(Daily.ANSWERED, day)
        record.add(Daily.WAIT_MINUTES_SUM, day, minutes)
        record.add(Daily.AGENT_BUSY_HOURS, day, handle_minutes / 60.0)
        hour = int(contact.arrived * HOURS_PER_DAY)
        hourly = record.hourly
        hourly[Hourly.ANSWERED][hour] += 1
        hourly[Hourly.WAIT_MINUTES_SUM][hour] += minutes
        if wait > 0:
            record.add(Daily.WAITED, day)
            hourly[Hourly.WAITED][hour] += 1
        if wait <= self.target_days:
            record.add(Daily.ANSWERED_WITHIN_TARGET, day)

    def _abandoned(self, contact: Contact) -> None:
        world = self.world
        record = world.record
        day = world.day()
        minutes = (world.env.now - contact.arrived) * MINUTES_PER_DAY
        record.add(Daily.ABANDONED, day)
        record.add(Daily.ABANDONED_WAIT_MINUTES_SUM, day, minutes)
        hour = int(contact.arrived * HOURS_PER_DAY)
        hourly = record.hourly
        hourly[Hourly.ABANDONED][hour] += 1
        hourly[Hourly.WAITED][hour] += 1
        hourly[Hourly.WAIT_MINUTES_SUM][hour] += minutes

    def _resolved(self, contact: Contact) -> None:
        """The problem is solved now: the customer's time since raising it, nights included."""
        world = self.world
        day = world.day()
        world.record.add(Daily.PROBLEMS_RESOLVED, day)
        world.record.add(Daily.RESOLUTION_HOURS_SUM, day, (world.env.now - contact.opened) * HOURS_PER_DAY)

    def _abandon(self, event: Event) -> None:
        contact = cast(Contact, event.value)
        if contact.answered:
            return
        contact.abandoned = True
        self._abandoned(contact)
        person = contact.person
        if not self._current(contact):
            return
        satisfaction = self.satisfaction
        satisfaction.feel(person, satisfaction.contact_score(0.0, resolved=False, answered=False))
        episode = contact.episode or self._failed_question(contact)
        if contact.attempt < self.s.max_contacts_per_problem and uniform(contact.key, RETRY) < self.s.retry_after_abandon:
            self._retry_later(contact)
        else:
            self.episodes.unresolved(episode)

    def _finish(self, contact: Contact, wait: float) -> None:
        world = self.world
        s = self.s
        first = contact.attempt == 1
        resolved = uniform(contact.key, RESOLVED) < (s.first_contact_resolution if first else s.later_contact_resolution)
        if resolved:
            self._resolved(contact)
        if first:
            day = world.day()
            world.record.add(Daily.FIRST_CONTACTS_ANSWERED, day)
            world.record.add(Daily.FIRST_CONTACTS_RESOLVED, day, resolved)
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
            quick = self.episodes.quick(episode)
            felt = satisfaction.feel(person, score, bonus=satisfaction.recovery_bonus if quick else 0.0)
            self.episodes.resolved(episode, quick, felt)
            return
        satisfaction.lose(person, s.unresolved_satisfaction_penalty)
        satisfaction.feel(person, score)
        episode = episode or self._failed_question(contact)
        if contact.attempt < s.max_contacts_per_problem:
            self._retry_later(contact)
        else:
            self.episodes.unresolved(episode)

    def _failed_question(self, contact: Contact) -> Episode:
        """The desk failed a question (not answered, or not resolved): now it is a problem."""
        contact.episode = self.episodes.failed_question(contact.person, contact.problem, contact.opened)
        return contact.episode

    def _retry_later(self, contact: Contact) -> None:
        """The same problem, another try after about ``recontact_delay_days``."""
        delay = exponential(contact.key, RECONTACT) * self.s.recontact_delay_days
        Timeout(self.world.env, delay, contact).callbacks.append(self._again)

    def _again(self, event: Event) -> None:
        contact = cast(Contact, event.value)
        if not self._current(contact):
            return
        self.contact(Contact(
            contact.person, contact.kind, contact.about, contact.attempt + 1, contact.opened, contact.problem,
            contact.episode,
        ))
