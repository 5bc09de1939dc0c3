"""The support desk: contacts queue for a limited number of agents.

Service *after* the transaction (and the questions before it). Three kinds of contact
arrive: questions not caused by an order, order problems (a failed delivery the
customer wants put right) and product problems (a disappointing product, voiced). They wait in
one first-come-first-served queue (product problems first if ``product_problem_priority``) for the
agents on duty.

Contacts are plain records that the agents pull from the queue (three times faster than
a process per contact with a ``Resource``). An agent is a small state machine run by the
callbacks of the events it waits for — called in, woken for a contact, called back on duty,
done with a contact — rather than a SimPy process: the same events, made at the same
moments with the same priorities, so the same order of events, without a generator to
resume at each (see ``Desk._take_next``). The
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

With numba the same state machine runs compiled (:mod:`sim.model.chain`, "the desk": contacts
as slots of arrays, the queues as rings, the timers as events of its heap), reading what
:meth:`Desk.refresh` sets; this class then keeps the shifts — a SimPy process that counts the
staffed hours and calls the kernels at each change and each call-in; the contacts come from the
kernels' own questions and deliveries. The code below stays the reference (run without numba, or
with ``customers.CHAIN`` off); ``tests/test_chain.py`` holds the two to the bit.

With every contact resolved, the desk always open, Poisson arrivals and exponential
handle times this is an M/M/c queue with infinite patience, and M/M/c+M (Erlang A) with
exponential patience and no retries; ``tests/validation`` checks it against both.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Generator
from typing import Any, cast

import numpy as np
import simpy
from simpy.events import URGENT, Event

from sim.core.calendar import EPS, HOURS_PER_DAY, MINUTES_PER_DAY
from sim.core.later import VALUE, Entry
from sim.core.recorder import CONTACTS_BY_KIND, HOURLY, Daily
from sim.core.vocabulary import ORDER_PROBLEM, PRODUCT_PROBLEM, QUESTION, SERVICE
from sim.core.world import CUSTOMER, QUESTION_TAGS, World
from sim.model import compiled
from sim.model.desk_day import ArrivalProfile, OpeningHours, Staffing
from sim.model.ports import Episode, EpisodesPort, SatisfactionPort
from sim.scenario.distributions import Fixed

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
        self, person: int, kind: int, about: int, attempt: int, opened: float, problem: int, key: int,
        episode: Episode | None = None,
    ) -> None:
        self.person = person
        self.kind = kind
        self.about = about  # SERVICE or PRODUCT: what the underlying problem was about
        self.attempt = attempt
        self.opened = opened  # when the question or problem was first raised
        self.problem = problem  # the question's or problem's draw key
        self.episode = episode  # the problem episode it belongs to (None: a question, so far)
        self.key = key  # this try's draw key: child(problem, attempt), made by the desk
        self.arrived = 0.0
        self.answered = False
        self.abandoned = False
        self.deferrals = 0  # times its arrival was timed; a re-timed contact's earlier time is void


# The desk's daily counters, the columns of one block of the recorder's (Recorder.block), and its
# hourly ones (Recorder.block_hourly, in HOURLY's order), which the compiled desk
# (sim.model.chain) counts into by position.
DESK_COUNTERS = (
    Daily.CONTACTS, *CONTACTS_BY_KIND, Daily.ANSWERED, Daily.WAIT_MINUTES_SUM, Daily.AGENT_BUSY_HOURS, Daily.WAITED,
    Daily.ANSWERED_WITHIN_TARGET, Daily.ABANDONED, Daily.ABANDONED_WAIT_MINUTES_SUM, Daily.PROBLEMS_RESOLVED,
    Daily.RESOLUTION_HOURS_SUM, Daily.FIRST_CONTACTS_ANSWERED, Daily.FIRST_CONTACTS_RESOLVED,
    Daily.OVERTIME_AGENT_HOURS,
)
(D_CONTACTS, D_BY_KIND, D_ANSWERED, D_WAIT_MINUTES, D_BUSY_HOURS, D_WAITED, D_WITHIN_TARGET, D_ABANDONED,
 D_ABANDONED_WAIT_MINUTES, D_RESOLVED, D_RESOLUTION_HOURS, D_FIRST_ANSWERED, D_FIRST_RESOLVED,
 D_OVERTIME) = (0, 1, *range(4, 16))  # D_BY_KIND + kind: a kind's contacts
H_OFFERED, H_ANSWERED, H_ABANDONED, H_WAITED, H_WAIT_MINUTES = range(len(HOURLY))


class _Counts:
    """The recorder's counters the desk counts each contact into, looked up once: the columns of
    the desk's blocks (:data:`DESK_COUNTERS`, :data:`sim.core.recorder.HOURLY`), added to in place
    (``column[day] += amount``), the sums ``Recorder.add`` made, in the same order."""

    __slots__ = (
        "contacts", "by_kind", "answered", "wait_minutes", "busy_hours", "waited", "within_target",
        "abandoned", "abandoned_wait_minutes", "problems_resolved", "resolution_hours", "first_answered",
        "first_resolved", "overtime", "offered_by_hour", "answered_by_hour", "abandoned_by_hour", "waited_by_hour",
        "wait_minutes_by_hour",
    )

    def __init__(self, daily: np.ndarray, hourly: np.ndarray) -> None:
        self.contacts = daily[:, D_CONTACTS]
        self.by_kind = [daily[:, D_BY_KIND + kind] for kind in range(len(CONTACTS_BY_KIND))]
        self.answered = daily[:, D_ANSWERED]
        self.wait_minutes = daily[:, D_WAIT_MINUTES]
        self.busy_hours = daily[:, D_BUSY_HOURS]
        self.waited = daily[:, D_WAITED]
        self.within_target = daily[:, D_WITHIN_TARGET]
        self.abandoned = daily[:, D_ABANDONED]
        self.abandoned_wait_minutes = daily[:, D_ABANDONED_WAIT_MINUTES]
        self.problems_resolved = daily[:, D_RESOLVED]
        self.resolution_hours = daily[:, D_RESOLUTION_HOURS]
        self.first_answered = daily[:, D_FIRST_ANSWERED]
        self.first_resolved = daily[:, D_FIRST_RESOLVED]
        self.overtime = daily[:, D_OVERTIME]
        self.offered_by_hour = hourly[:, H_OFFERED]
        self.answered_by_hour = hourly[:, H_ANSWERED]
        self.abandoned_by_hour = hourly[:, H_ABANDONED]
        self.waited_by_hour = hourly[:, H_WAITED]
        self.wait_minutes_by_hour = hourly[:, H_WAIT_MINUTES]


class _CallIn(Event):
    """An agent's first step, now: the event ``env.process`` scheduled for the agent process this
    replaces (SimPy's ``Initialize``: triggered at once, ahead of the ordinary events of the same
    time), so that the desk's events keep their order. Its value is the agent."""

    def __init__(self, env: simpy.Environment, index: int, callback: Callable[[Event], None]) -> None:
        super().__init__(env)
        self.callbacks.append(callback)
        self._ok = True
        self._value = index
        env.schedule(self, URGENT)


class Desk:
    def __init__(self, world: World) -> None:
        self.world = world
        self.env = world.env
        self.people = world.people
        self.daily = world.record.block(DESK_COUNTERS)
        self.hourly = world.record.block_hourly(HOURLY)
        self.counts = _Counts(self.daily, self.hourly)
        self.queue: deque[Contact] = deque()
        self.urgent: deque[Contact] = deque()  # product problems, when they have priority
        self.idle: list[int] = []  # the agents waiting for a contact, all on duty
        self.off_duty: dict[int, None] = {}  # the agents off duty, to be called back (a dict: a fixed order)
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
        # The keyed draws (sim.core.rng's, or their compiled twins: the same numbers).
        self._child, self._uniform, _ = compiled.scalar_draws()
        # The desk's timers — a deferred arrival, patience, the end of a handling, a retry, an
        # agent woken or called back — are events of sim.core.later: a callback and a value,
        # scheduled as a Timeout of the same delay would be, with no event object each. Their
        # callbacks are bound once (each access to a method makes a bound-method object).
        self._at = world.later.at
        self._arrive_callback, self._abandon_callback = self._arrive_event, self._abandon
        self._woken_callback, self._done_callback, self._again_callback = self._woken, self._done, self._again
        self.satisfaction: SatisfactionPort
        self.episodes: EpisodesPort
        # With sim.model.chain (numba): the desk's state and timers are its kernels' (the same
        # numbers; its contacts come from the kernels' questions and deliveries); this class then
        # keeps the shifts (a process, its staffed hours) and hands shift changes and call-ins to them.
        self.chain: Any = None
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
        handles = [kind if kind is not None else handle
                   for kind in (by_kind.question_minutes, by_kind.order_problem_minutes, by_kind.product_problem_minutes)]
        self.handles = [compiled.sampler(dist) for dist in handles]
        self.priority = s.product_problem_priority
        self.patience = compiled.sampler(s.patience_minutes) if s.patience_minutes is not None else None
        # The handle times' distributions by kind, then patience's (the compiled desk's).
        self.distributions = [*handles, s.patience_minutes if s.patience_minutes is not None else Fixed(distribution="fixed", mean=0.0)]
        self.target_days = s.service_level_target_seconds / 60.0 / MINUTES_PER_DAY
        self.wait_tolerance = sc.service_quality.wait_tolerance_minutes
        rules = (hours, s.arrival_profile)
        if self._day_rules and rules != self._day_rules:
            if self.chain is not None:  # under the new day's rules (Chain.sync sets the rest after every refresh)
                self.chain.sync_desk()
                self.chain.kernels.retime(self.chain.state, self.env.now)
            else:
                self._retime_deferred()
        self._day_rules = rules
        # A new shift process, from now, under the new schedule (the old one stops).
        self._schedule += 1
        self.env.process(self._shifts(self._schedule))

    @property
    def agents_employed(self) -> int:
        """The agents the desk employs: the most on duty at once in the week's schedule."""
        return self.staffing.peak

    # ---------------------------------------------------------------- shifts

    def _shifts(self, schedule: int) -> Generator[Event, object, None]:
        env = self.env
        while schedule == self._schedule:
            agents, until = self.staffing.at(env.now)
            self._staff(agents, until)
            if until == math.inf:
                return
            yield env.timeout(until - env.now)

    def _staff(self, agents: int, until: float) -> None:
        """From now until ``until``, ``agents`` on duty: count their hours, call in or send off."""
        env = self.env
        now = env.now
        record = self.world.record
        day = int(now)
        if self._shift_end > now and self.on_duty:  # a refresh cuts the current step short
            record.add(Daily.STAFFED_AGENT_HOURS, day, -self.on_duty * (self._shift_end - now) * HOURS_PER_DAY)
        chain = self.chain
        if chain is None:
            for index in range(agents, self.on_duty):
                self.off_since[index] = now
            for index in range(agents):
                self.off_since[index] = math.inf
        self.on_duty = agents
        self._shift_end = until
        if agents:  # a step of the schedule lies within one day
            record.add(Daily.STAFFED_AGENT_HOURS, day, agents * (until - now) * HOURS_PER_DAY)
        if chain is not None:  # the lines below, compiled (sim.model.chain.staff, staffed)
            for index in chain.kernels.staff(chain.state, now, agents).tolist():
                _CallIn(env, index, self._resume)
            chain.kernels.staffed(chain.state, now, agents)
            return
        for index in range(agents):
            if index not in self.running:
                self.running.add(index)
                _CallIn(env, index, self._resume)
        peak = self.staffing.peak
        for index in [i for i in self.off_duty if i < agents or i >= peak]:  # called in, or let go
            del self.off_duty[index]
            self._at(now, index, self._woken_callback)
        for index in [i for i in self.idle if i >= agents]:
            self.idle.remove(index)
            self._wake(index)

    # ------------------------------------------------------------- arrivals

    def question(self, person: int, clock_event: int) -> None:
        """A question raised by the customer's clock event number ``clock_event``."""
        child = self._child
        key = child(self.people.key[person], QUESTION_TAGS + clock_event)
        self.contact(Contact(person, QUESTION, SERVICE, 1, self.env.now, key, child(key, 1)))

    def order_problem(self, episode: Episode) -> None:
        """A failed order, voiced: the customer contacts the desk to have it put right."""
        self.contact(Contact(episode.person, ORDER_PROBLEM, SERVICE, 1, episode.opened, episode.key,
                             self._child(episode.key, 1), episode))

    def product_problem(self, episode: Episode) -> None:
        """A disappointing product, voiced: a product-problem contact."""
        self.contact(Contact(episode.person, PRODUCT_PROBLEM, episode.about, 1, episode.opened, episode.key,
                             self._child(episode.key, 1), episode))

    def contact(self, contact: Contact) -> None:
        """A contact reaches the desk now, later in today's opening (a share of those raised
        while it is open), or during the next opening if it is closed (arrival profile)."""
        env = self.env
        now = env.now
        if self.hours.is_open(now):
            if not self.delay_share or self._uniform(contact.key, DELAY_WHILE_OPEN) >= self.delay_share:
                self._arrive(contact)
                return
            day = int(now)
            later = self.profile.later_today(now - day, self._uniform(contact.key, DEFER))
            if later is None:
                self._arrive(contact)
                return
            delay = max(0.0, day + later - now)
        else:
            opening = self.hours.opening_after(now)
            day = int(opening + EPS)
            delay = max(0.0, day + self.profile.time_of_day(self._uniform(contact.key, DEFER)) - now)
        contact.deferrals += 1
        self.deferred[contact] = None
        self._at(now + delay, (contact, contact.deferrals), self._arrive_callback)

    def _arrive_event(self, event: Entry) -> None:
        value: tuple[Contact, int] = event[VALUE]
        contact, deferral = value
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
        people = self.people
        person = contact.person
        return people.status[person] == CUSTOMER and people.joined[person] <= contact.opened

    def _arrive(self, contact: Contact) -> None:
        people = self.people
        person = contact.person
        if not (people.status[person] == CUSTOMER and people.joined[person] <= contact.opened):
            return  # no longer a customer, or won back since (self._current, inlined: every contact)
        now = self.env.now
        day = int(now)
        counts = self.counts
        counts.contacts[day] += 1.0
        counts.by_kind[contact.kind][day] += 1.0
        contact.arrived = now
        counts.offered_by_hour[int(now * HOURS_PER_DAY)] += 1.0
        if self.priority and contact.kind == PRODUCT_PROBLEM:
            self.urgent.append(contact)
        else:
            self.queue.append(contact)
        if self.idle:
            # An idle agent takes it now: no wait, so no patience to run out.
            index = self.idle.pop()
            if self.priority:
                # Woken by an event, after what else is due at this instant: a product problem
                # raised at the same moment (by the same delivery) is then taken first.
                self._wake(index)
            else:
                # At once, without an event: first come, first served, so nothing else due at
                # this instant could be taken first — the numbers of a wake-up event, but for a
                # tie of a fixed handle time with a fixed patience (docs/PERFORMANCE.md).
                self._take_next(index)
        elif self.patience is not None:
            self._at(now + self.patience(contact.key, PATIENCE) / MINUTES_PER_DAY, contact, self._abandon_callback)

    # ---------------------------------------------------------------- agents
    #
    # An agent is driven by the callbacks of the events it waits for — its call-in (_CallIn), a
    # wake-up or a call back (value: the agent), the end of a contact's handling —
    # instead of being a SimPy process: the same events, made at the same moments with the
    # same priorities, so the order of events, ties included, is what the process gave; what
    # goes is the process's resumption (a generator send and a callback registered) per event.
    # Without priorities, an idle agent takes an arriving contact in the same call, without the
    # wake-up event (_arrive): the same numbers, but for one tie (docs/PERFORMANCE.md).

    def _wake(self, index: int) -> None:
        """Wake the idle agent ``index`` now, by an event (processed after what is due at this
        instant already)."""
        self._at(self.env.now, index, self._woken_callback)

    def _resume(self, event: Event) -> None:
        """The agent ``event.value`` is called in."""
        if self.chain is not None:
            self.chain.kernels.resume(self.chain.state, self.env.now, event.value)
            return
        self._take_next(cast(int, event.value))

    def _woken(self, event: Entry) -> None:
        """The agent ``event[VALUE]`` is woken for a contact, or called back."""
        self._take_next(event[VALUE])

    def _take_next(self, index: int) -> None:
        """The agent is free: off duty (or let go), idle, or answering the next contact."""
        if index >= self.on_duty:
            if index >= self.staffing.peak:
                self.running.discard(index)  # no longer employed
                return
            if (self.queue or self.urgent) and self.idle:
                self._wake(self.idle.pop())  # woken for a contact as the shift ended: pass it on
            self.off_duty[index] = None  # called back (_staff) by an event at that moment
            return
        contact = self._next()
        if contact is None:
            self.idle.append(index)
            return
        contact.answered = True
        env = self.env
        now = env.now
        wait = now - contact.arrived
        handle = self.handles[contact.kind](contact.key, HANDLE)
        self._answered(contact, wait, handle)
        self._at(now + handle / MINUTES_PER_DAY, (index, contact, wait, now), self._done_callback)

    def _done(self, event: Entry) -> None:
        """The agent has handled the contact (started at ``start``): any overtime, the outcome, what next."""
        value: tuple[int, Contact, float, float] = event[VALUE]
        index, contact, wait, start = value
        now = self.env.now
        off = self.off_since.get(index, math.inf)
        if off < now:  # the shift ended during the contact: the rest is overtime
            self.counts.overtime[int(now)] += (now - max(start, off)) * HOURS_PER_DAY  # Recorder.add
        self._finish(contact, wait)
        self._take_next(index)

    def _next(self) -> Contact | None:
        """The contact an agent takes next: the first waiting product problem if they have
        priority, else the first waiting contact (skipping those who gave up)."""
        urgent, queue = self.urgent, self.queue
        while urgent:
            contact = urgent.popleft()
            if not contact.abandoned:
                return contact
        while queue:
            contact = queue.popleft()
            if not contact.abandoned:
                return contact
        return None

    def _answered(self, contact: Contact, wait: float, handle_minutes: float) -> None:
        counts = self.counts
        day = int(self.env.now)
        minutes = wait * MINUTES_PER_DAY
        counts.answered[day] += 1.0
        counts.wait_minutes[day] += minutes
        counts.busy_hours[day] += handle_minutes / 60.0
        hour = int(contact.arrived * HOURS_PER_DAY)
        counts.answered_by_hour[hour] += 1.0
        counts.wait_minutes_by_hour[hour] += minutes
        if wait > 0:
            counts.waited[day] += 1.0
            counts.waited_by_hour[hour] += 1.0
        if wait <= self.target_days:
            counts.within_target[day] += 1.0

    def _abandoned(self, contact: Contact) -> None:
        counts = self.counts
        now = self.env.now
        day = int(now)
        minutes = (now - contact.arrived) * MINUTES_PER_DAY
        counts.abandoned[day] += 1.0
        counts.abandoned_wait_minutes[day] += minutes
        hour = int(contact.arrived * HOURS_PER_DAY)
        counts.abandoned_by_hour[hour] += 1.0
        counts.waited_by_hour[hour] += 1.0
        counts.wait_minutes_by_hour[hour] += minutes

    def _abandon(self, event: Entry) -> None:
        contact: Contact = event[VALUE]
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
        if contact.attempt < self.s.max_contacts_per_problem and self._uniform(contact.key, RETRY) < self.s.retry_after_abandon:
            self._retry_later(contact)
        else:
            self.episodes.unresolved(episode)

    def _finish(self, contact: Contact, wait: float) -> None:
        s = self.s
        first = contact.attempt == 1
        resolved = self._uniform(contact.key, RESOLVED) < (s.first_contact_resolution if first else s.later_contact_resolution)
        now = self.env.now
        day = int(now)
        counts = self.counts
        if resolved:  # the problem is solved now: the customer's time since raising it, nights included
            counts.problems_resolved[day] += 1.0
            counts.resolution_hours[day] += (now - contact.opened) * HOURS_PER_DAY
        if first:
            counts.first_answered[day] += 1.0
            counts.first_resolved[day] += resolved
        person = contact.person
        people = self.people
        if not (people.status[person] == CUSTOMER and people.joined[person] <= contact.opened):
            return  # self._current, inlined (every answered contact)
        satisfaction = self.satisfaction
        responsiveness = 1.0 / (1.0 + wait * MINUTES_PER_DAY / self.wait_tolerance)
        score = satisfaction.contact_score(responsiveness, resolved=resolved, answered=True)
        episode = contact.episode
        if resolved:
            if episode is None:  # a question answered: an experience, not a problem
                satisfaction.experience(person, score, self._child(contact.key, EXPERIENCE))
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
        delay = -math.log1p(-self._uniform(contact.key, RECONTACT)) * self.s.recontact_delay_days  # rng.exponential
        self._at(self.env.now + delay, contact, self._again_callback)

    def _again(self, event: Entry) -> None:
        contact: Contact = event[VALUE]
        if not self._current(contact):
            return
        attempt = contact.attempt + 1
        self.contact(Contact(
            contact.person, contact.kind, contact.about, attempt, contact.opened, contact.problem,
            self._child(contact.problem, attempt), contact.episode,
        ))
