"""Customers: joining, and the one clock each customer has pending.

A customer does several things at random times: places an order (at their own rate),
asks a question not caused by an order, or leaves for a time-based reason (died, moved
away, lured by competition, poor service). Each of these is an exponential clock, and
exponential clocks race memorylessly, so a customer needs only **one** pending event:
the time of the next thing that happens, at the sum of the rates, and then which one it
is, chosen with probability proportional to its rate.

Some rates change between events (the poor-service hazard rises as satisfaction falls
after a bad contact; a competitor's launch multiplies the competition hazard). Rather
than cancel and redraw, the clock runs at an upper bound of the total rate and each
event is accepted as a given kind with probability (that kind's current rate)/bound,
otherwise nothing happens (thinning; Lewis & Shedler 1979). This is exact for the rates
as they are at the moment of the event, and keeps one pending event per customer.

The order rate and the time-based hazards depend on the customer's loyalty level (its
multipliers, ``loyalty.levels``); a move between levels changes the bound B, and the pending
event is then **rescaled**, not drawn anew: it keeps its slot (its number and its pick) and
the time left is stretched by B_old / B_new — new time = now + (t_pending − now) · B_old /
B_new. Exact, the clock being memoryless (the time left is Exp(B_old), so the rescaled time
is Exp(B_new)), and it keeps the customer's sequence of clock events — slot n is the n-th
event in every scenario — where drawing anew from the next slot would shift every later
event against the paired run. A scheduled event cannot be moved, so a new one carrying the
same slot replaces it and the old one is void (``pending[person] != its id``). Only a move
inside the customer's own clock event (an order that makes a repeat customer) draws the next
event, from the next slot, as after any event.

The customer itself is a row in :class:`sim.core.world.People`, not a process; the clock is
an event with a callback at its time, scheduled through :class:`sim.core.later.Later` (an entry,
not a SimPy event object, kept in a bucket until its day begins and then on a heap the
environment steps with SimPy's own). The n-th clock event of a customer takes its waiting
time and its pick from slot n of the customer's own key (one pair, :mod:`sim.core.rng`): the
customer's clock runs the same in every scenario that keeps its bound, whatever happens to
anyone else. (The event carries only the person; its pick waits in ``Customers.pick``, its time
in ``Customers.due``.) When the parameters change mid-run (an
investment starting), the clocks whose bound changed are rescaled to the new bound in the
same way, and the superseded events are ignored when they fire (an event is known by its id:
``Customers.pending`` holds the id of each customer's pending one); clocks whose bound is
unchanged are left as they are. With numba, the clock events wait on the compiled heap of
:mod:`sim.model.chain`, which steps a repeat order, a question and a null event itself (this
module's, :mod:`sim.model.fulfilment`'s, :mod:`sim.model.desk`'s and :mod:`sim.model.attrition`'s
code, compiled: the same numbers) and hands a cause of leaving that fires back to
:meth:`Customers.clock_event`. (A bound that falls to 0 voids the pending event; the next
one, when the bound is positive again, comes from the next slot.)
"""

from __future__ import annotations

from math import log
from typing import Any

import numpy as np

from sim.core.calendar import DAYS_PER_MONTH
from sim.core.later import ID, VALUE, Entry
from sim.core.memory import zeros
from sim.core.recorder import NEW_BY_CHANNEL
from sim.core.rng import uniform_pair, uniform_pairs
from sim.core.world import CUSTOMER, World
from sim.model import compiled
from sim.model.ports import AttritionPort, DeskPort, FulfilmentPort

# Whether the clock events and deliveries go on sim.model.chain's compiled heap when numba is there
# (the same numbers either way: tests/test_chain.py); tests set it False to see every clock event
# in Python.
CHAIN = True


class Customers:
    """Joining customers and running their clocks."""

    def __init__(self, world: World) -> None:
        self.world = world
        # Looked up once: the clock's hot path reads them at every event.
        self.people = world.people
        self.env = world.env
        # The id of the customer's pending clock event (-1: none): an event whose id is not its
        # customer's pending one is void when it fires.
        self.pending = zeros("q", world.people.size)
        np.frombuffer(self.pending, dtype=np.int64)[:] = -1
        self.due = zeros("d", world.people.size)  # when the pending event fires (no float objects)
        # The pending event's pick (its slot's second number, uniform on [0, 1)): the event carries
        # only the person, which makes neither a tuple nor a float object an event (fewer objects
        # to reach in a large market: a 20-day run at 1 M people ~6 % cheaper, docs/PERFORMANCE.md).
        self.pick = zeros("d", world.people.size)
        # The callback every clock event carries, bound once (``self._on_clock`` makes a new
        # bound-method object at each access; one per scheduled event otherwise).
        self._clock_callback = self._on_clock
        self._at = world.later.at  # clock events are scheduled through it (sim.core.later)
        self.compiled = compiled.ready()  # the clock's draws compiled (sim.model.compiled), or in Python
        self._clock_draw = compiled.direct(compiled.clock_draw)  # compiled once ready() (looked up here, not at import)
        self.chain: Any = None  # the clocks and deliveries on sim.model.chain's heap (set by connect), or None
        daily = world.record.daily
        self.new_by_channel = tuple(daily[name] for name in NEW_BY_CHANNEL)  # the recorder's lists, looked up once
        self.fulfilment: FulfilmentPort
        self.desk: DeskPort
        self.attrition: AttritionPort
        self.refresh()

    def connect(self, fulfilment: FulfilmentPort, desk: DeskPort, attrition: AttritionPort) -> None:
        self.fulfilment = fulfilment
        self.desk = desk
        self.attrition = attrition
        # Bound once: the clock calls one of these at every event.
        self._hazard_bound = attrition.hazard_bound
        self._place_order = fulfilment.place_order
        self._question = desk.question
        self._time_based = attrition.time_based

    def use_chain(self, fulfilment: FulfilmentPort, satisfaction: Any, loyalty: Any, word_of_mouth: Any) -> None:
        """Put the clock events and deliveries on :mod:`sim.model.chain`'s compiled heap (with numba,
        unless :data:`CHAIN` is off), once every component is connected and before the first
        customer's clock is drawn."""
        if self.compiled and CHAIN:
            from sim.model.chain import Chain  # numba's: imported only once it is there

            self.chain = Chain(self.world, self, fulfilment, satisfaction, loyalty, word_of_mouth)
            self._kernels = self.chain.kernels
            self._state = self.chain.state

    def refresh(self) -> None:
        sc = self.world.scenario
        self.question_rate = sc.customers.questions_per_month / DAYS_PER_MONTH
        # The order-rate multiplier of each loyalty level (index 1..3; 0 is unused).
        levels = sc.loyalty.levels
        self.order_multiplier = levels.by_level("order_rate_multiplier")

    # ------------------------------------------------------------------ joining

    def start_as_customer(self, person: int, level: int) -> None:
        """An initial customer at day 0: already bought at least once."""
        self.start_as_customers(np.array([person]), np.array([level]))

    def start_as_customers(self, persons: np.ndarray, levels: np.ndarray) -> None:
        """Initial customers at day 0, each of ``persons`` at its level in ``levels``, in that
        order: status, level, one order bought, a clock event each (made in this order: SimPy
        breaks ties of time by order of creation), as a loop of :meth:`_schedule` would. Building
        1 M people makes ~190,000 initial customers; the state, the bounds and the keyed pairs are
        computed for all at once, with the same operations in the same order as :meth:`_bound`
        and :meth:`_schedule` (NumPy's float64 ``*`` and ``+`` round as Python's do,
        and :func:`~sim.core.rng.uniform_pairs` gives :func:`~sim.core.rng.uniform_pair`'s very
        numbers), so only the clock events are made one by one — and the waiting time's
        ``-log(u) / bound`` with :func:`math.log`, as :meth:`_schedule` has it (NumPy's ``log``
        may differ in the last bit)."""
        world, people = self.world, self.world.people
        persons = np.asarray(persons, dtype=np.int64)
        levels = np.asarray(levels, dtype=np.int8)
        people.view("status")[persons] = CUSTOMER
        people.view("level")[persons] = levels
        people.view("level_orders")[persons] = 1
        people.view("joined")[persons] = 0.0
        for level, count in enumerate(np.bincount(levels, minlength=4).tolist()):
            world.level_counts[level] += count
        # _bound(): order rate × level multiplier + question rate + the attrition's hazard bound
        # (its own method, person by person, so that its formula stays in one place).
        persons_list = persons.tolist()
        hazard = np.fromiter(map(self.attrition.hazard_bound, persons_list), np.float64, persons.size)
        multiplier = np.asarray(self.order_multiplier, dtype=np.float64)[levels]
        bounds = people.view("order_rate")[persons] * multiplier + self.question_rate + hazard
        people.view("clock_rate")[persons] = bounds
        clocked = ~(bounds <= 0)  # _schedule(): no clock event at a bound of 0 (or below)
        for person in persons[~clocked].tolist():
            self.pending[person] = -1
        persons = persons[clocked]
        bounds = bounds[clocked]
        counts = people.view("clock_events")
        slots = counts[persons].copy()
        counts[persons] = slots + 1
        u, picks = uniform_pairs(people.view("key")[persons], slots)
        np.frombuffer(self.pick, dtype=np.float64)[persons] = picks
        now = world.env.now
        if self.chain is not None:
            push, state = self._kernels.push_clock, self._state
            for person, bound, draw in zip(persons.tolist(), bounds.tolist(), u.tolist(), strict=True):
                push(state, person, now + -log(draw) / bound)  # pending and due set too
            return
        at, pending, due, on_clock = world.later.at, self.pending, self.due, self._clock_callback
        for person, bound, draw in zip(persons.tolist(), bounds.tolist(), u.tolist(), strict=True):
            time = now + -log(draw) / bound
            pending[person] = at(time, person, on_clock)[ID]
            due[person] = time

    def join(self, person: int, channel: int) -> None:
        """A prospect — or a former customer won back — becomes a customer: the first purchase
        (an initial transaction). A customer won back starts again at level 1."""
        world, people = self.world, self.people
        self.pending[person] = -1  # a clock left from an earlier spell, if any, is void
        people.status[person] = CUSTOMER
        people.level[person] = 1
        people.level_orders[person] = 0
        people.happy_streak[person] = 0
        now = self.env.now
        people.joined[person] = now
        world.level_counts[1] += 1
        self.new_by_channel[channel][int(now)] += 1.0  # Recorder.add(NEW_BY_CHANNEL[channel], day), looked up once
        self.fulfilment.place_order(person, initial=True)
        if people.status[person] == CUSTOMER and self.pending[person] < 0:  # not yet by level_changed
            self._schedule(person)

    # -------------------------------------------------------------------- clock

    def order_rate(self, person: int) -> float:
        """The customer's order rate now, per day: their own rate times their level's multiplier."""
        people = self.world.people
        return people.order_rate[person] * self.order_multiplier[people.level[person]]

    def _bound(self, person: int) -> float:
        return self.order_rate(person) + self.question_rate + self._hazard_bound(person)

    def _schedule(self, person: int) -> None:
        """Draw the customer's next clock event, at their bound now (:meth:`_bound`)."""
        self._schedule_at(person, self._bound(person))

    def _schedule_at(self, person: int, bound: float) -> None:
        """Draw the customer's next clock event at ``bound``, which must be :meth:`_bound`'s now."""
        if self.chain is not None:  # sim.model.chain.schedule_clock: the lines below, compiled
            self._kernels.schedule_clock(self._state, person, self.env.now, bound)
            return
        people = self.people
        people.clock_rate[person] = bound
        if bound <= 0:
            self.pending[person] = -1
            return
        n = people.clock_events[person]
        people.clock_events[person] = n + 1
        if self.compiled:  # sim.model.compiled.clock_draw: the numbers of the two lines below
            time, pick = self._clock_draw(people.key[person], n, self.env.now, bound)
        else:
            u, pick = uniform_pair(people.key[person], n)
            time = self.env.now + -log(u) / bound  # the time a Timeout of -log(u) / bound would have
        self.pending[person] = self._at(time, person, self._clock_callback)[ID]
        self.due[person] = time
        self.pick[person] = pick

    def _rescale(self, person: int, bound: float) -> None:
        """The bound changed, to ``bound`` (:meth:`_bound`, computed by the caller): keep the
        pending event's slot and pick, and stretch the time left by old bound / new bound
        (exact: memoryless). With no pending event to keep (none, or the one being handled
        now) the next event is drawn from the next slot."""
        people, env = self.people, self.env
        event, old = self.pending[person], people.clock_rate[person]
        if event < 0 or old <= 0:  # (none too while the customer's own clock event is handled)
            self._schedule(person)
            return
        people.clock_rate[person] = bound
        if bound <= 0:
            self.pending[person] = -1
            return
        now = env.now
        time = now + (self.due[person] - now) * old / bound
        # The same slot (its pick stays). The old event is void when it fires.
        if self.chain is not None:
            self._kernels.push_clock(self._state, person, time)  # pending and due set too
            return
        self.pending[person] = self._at(time, person, self._clock_callback)[ID]
        self.due[person] = time

    def redraw_changed_clocks(self) -> int:
        """Rescale the clocks whose bound changed (after a change of scenario); returns how many."""
        if self.chain is not None:
            self.chain.sync()
        customers = (self.world.people.view("status") == CUSTOMER).nonzero()[0].tolist()
        return sum(self._redraw_if_changed(person) for person in customers)

    def _redraw_if_changed(self, person: int) -> bool:
        """Rescale the clock if its bound is no longer the current one (exact: memoryless)."""
        bound = self._bound(person)
        if bound == self.people.clock_rate[person]:
            return False
        self._rescale(person, bound)
        return True

    def void_clock(self, person: int) -> None:
        """Whatever clock event is pending for this slot no longer counts (its holder is gone)."""
        self.pending[person] = -1

    def level_changed(self, person: int) -> None:
        """The customer's loyalty level changed, and with it maybe their clock's bound (the
        level multiplies the order rate and the churn propensity): if so, rescale the pending
        event to the new bound, keeping its slot — exact, the clock being memoryless. Called
        from :mod:`sim.model.loyalty`."""
        if self.people.status[person] == CUSTOMER:
            self._redraw_if_changed(person)

    def _on_clock(self, event: Entry) -> None:
        self.clock_event(event[VALUE], event[ID])

    def clock_event(self, person: int, eid: int) -> None:
        """The customer's clock event of id ``eid`` fires (an entry of :class:`~sim.core.later.Later`'s,
        or one handed back by :mod:`sim.model.chain`, which steps repeat orders, questions and null
        events itself)."""
        people, pending = self.people, self.pending
        if people.status[person] != CUSTOMER or pending[person] != eid:
            return  # no longer a customer, or a void event (rescaled, or of an earlier spell)
        # While its event is handled the customer has none pending: a change of level meanwhile
        # (level_changed) then draws the next event at once, from the next slot (_rescale).
        pending[person] = -1
        pick = self.pick[person] * people.clock_rate[person]
        rate = people.order_rate[person] * self.order_multiplier[people.level[person]]  # order_rate(), inlined
        if pick < rate:
            self._place_order(person, False)
        else:
            pick -= rate
            question_rate = self.question_rate
            if pick < question_rate:
                self._question(person, people.clock_events[person] - 1)  # this event's number
            else:
                self._time_based(person, pick - question_rate)
        # Draw the next clock event, unless a change of level already has (level_changed). Its
        # bound is clock_rate, which is the customer's bound whenever their event fires: it is set
        # with every event drawn (here, join, _rescale after a change of level, and after a change
        # of scenario, redraw_changed_clocks), and nothing else it depends on changes in a spell
        # (tests/test_model_changes.py checks it at every event of a run with both changes).
        if people.status[person] == CUSTOMER and pending[person] < 0:
            self._schedule_at(person, people.clock_rate[person])
