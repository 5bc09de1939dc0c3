"""Events due after today, kept out of SimPy's queue until their day begins, and fired
without an event object each.

SimPy keeps every scheduled event in one binary heap, and each event costs a push and a pop,
O(log n) in the events pending. A model of many customers has one clock event pending per
customer — at 1 M people about 190,000 — and deliveries in flight, though only a few
thousand of them fall due on any one day. A heap that large no longer fits the processor's
caches: a push and a pop cost about 3 µs at 200,000 events against about 0.6 µs at 400.

:class:`Later` keeps the events due after the current bucket of time in a list per bucket
(a calendar queue, Brown 1988) and moves a bucket's events onto a heap of its own when it
begins. A bucket is a power-of-two part of a day, about one per 2,000 people
(:func:`buckets_per_day`: 8 a day at the shipped 15,000 people, 512 at 1 M), so that the heaps
hold a few dozen events at any size: a day's events at 1 M (about 8,600 on the heap at midday)
cost ``heappop`` about 2.9 µs against 0.45 µs at the shipped size with a day a bucket
(cProfile), the heap's tuples being scattered in memory; and at the shipped size a heap of ~35
events instead of a day's ~270 takes 2 % off a run's instructions (docs/PERFORMANCE.md).

**An event is a tuple, not an object.** The customers' clocks, the deliveries and the desk's
timers are most of a run's events, and each needs no more of SimPy's
:class:`~simpy.events.Event` than a time, a callback and a value: nobody waits for it, nothing
fails. :meth:`Later.at` makes the tuple
``(time, NORMAL, id, callback, value)`` — SimPy's own queue entry, ``(time, priority, id,
event)``, with the callback and value in place of the event — and returns it, so that whoever
holds it (a customer's pending clock, say) can tell it from its successors. The
:class:`Environment` below is SimPy's with a second heap for these tuples: each step takes
whichever of the two heaps' first entries is smaller, comparing (time, priority, id) as SimPy
compares its own, sets the clock to its time and calls ``callback(entry)``. That saves making
an event object, its callbacks' list and SimPy's dispatch of it: 10 % of a run's
instructions at the shipped size (docs/PERFORMANCE.md).

**Nothing moves.** An event fires at its own time — the very float a ``Timeout`` made when it
was scheduled would have had (``now + delay``, computed by the caller), not ``day + (time −
day)``, which can round differently — and takes its id from SimPy's counter when it is
scheduled, as a ``Timeout`` would. SimPy orders events of the same time by priority and then
by id; the two heaps together are popped in the order one heap of them all would be, and a
bucket opens (urgent) before any event of normal priority at its start. So a run processes
its events in the order, and at the times, of one where every event is a ``Timeout``, ties
included (tests/test_later.py). (Until 2026-12-07 a bucket's events took their ids when the
bucket opened, and went onto SimPy's heap as events; the two orders differ only between
events of exactly the same time, and the events deferred here — customers' clocks,
deliveries — fall at continuous random times: no number of a shipped scenario moved,
``scripts/fingerprint.sh``.)

**A third heap, compiled.** With numba, the customers' clock events, the deliveries and the
desk's timers wait on a heap of :mod:`sim.model.chain`'s instead, which :meth:`Environment.attach`
adds to the two: each step lets the chain's kernel step its events due before the first of the
other two (nearly all of them it finishes itself; a departure, and the listeners of a telling who
act, it hands back, for Python to do at its time), then takes that one. The ids of all three come from one counter, kept in the chain's state
(:class:`Chain`'s ``ids``, drawn by SimPy and :class:`Later` as from ``itertools.count``), so ties
of time still fall in the order of scheduling.

It reaches into SimPy's environment for its heap, its clock and its counter of events
(``_queue``, ``_now`` and ``_eid``, what :meth:`simpy.core.Environment.schedule` and
:meth:`~simpy.core.Environment.step` use); tests/test_later.py checks them against the
installed SimPy.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from heapq import heapify, heappop, heappush
from typing import Any, Final, Protocol

import simpy
from simpy.events import NORMAL, URGENT

# An event of Later: (time, priority, id, callback, value); the callback is called with it.
Entry = tuple[float, int, int, "Callback", Any]
Callback = Callable[[Entry], None]
VALUE: Final = 4  # an entry's value: entry[VALUE]
ID: Final = 2  # an entry's id: entry[ID]


class Environment(simpy.Environment):
    """SimPy's environment with a second heap, of :class:`Later`'s events (entries, not event
    objects), stepped together with SimPy's own in the order of (time, priority, id)."""

    # The clock, ``env.now``, is a plain attribute here, not SimPy's read-only property: a run reads
    # it two or three times an event (each read of the property is a Python call, ~1 % of a run's
    # instructions). This class attribute shadows the property, so the instance's own value is
    # found; SimPy's code, which reads and sets ``_now``, goes through the property below.
    now: float = 0.0  # set only by stepping (and SimPy through _now)

    @property
    def _now(self) -> float:
        return self.now

    @_now.setter
    def _now(self, value: float) -> None:
        self.now = value

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self._soon: list[Entry] = []
        self.later: Later | None = None  # set by the Later that schedules onto _soon
        self.chain: Chain | None = None  # a third heap, compiled (attach)

    def attach(self, chain: Chain) -> None:
        """Step ``chain``'s heap with the two (:class:`Chain`): its events, SimPy's and the second
        heap's in one order, by (time, priority, id), with the ids of all three from
        ``chain.ids`` from now on (it must go on from this environment's counter)."""
        self.chain = chain
        self._eid = chain.ids  # type: ignore[assignment]  # an iterator of ints, as itertools.count
        if self.later is not None:
            self.later._eid = chain.ids

    def step(self) -> None:
        if self.chain is not None:
            self._step_chain()
            return
        soon = self._soon
        if soon:
            queue = self._queue
            # Entries' ids are unique, so the comparison never reaches a callback or an event.
            if not queue or soon[0] < queue[0]:
                entry = heappop(soon)
                self.now = entry[0]
                entry[3](entry)
                return
        simpy.Environment.step(self)  # SimPy's own event next (EmptySchedule if none is left)

    def run(self, until: float | simpy.Event | None = None) -> Any:
        """SimPy's :meth:`~simpy.core.Environment.run`, whose loop calls ``self.step()`` once an
        event: here, while it runs, that call is :meth:`_steps`, which processes the second
        heap's entries due before SimPy's next event in one call (a call fewer per entry, most of
        a run's events), then that event. The events, and their order, are :meth:`step`'s."""
        self.step = self._steps if self.chain is None else self._steps_chain  # type: ignore[method-assign]
        try:
            return super().run(until)
        finally:
            del self.step

    def _steps(self) -> None:
        soon, queue = self._soon, self._queue
        while soon and (not queue or soon[0] < queue[0]):  # step()'s choice, made at every entry
            entry = heappop(soon)
            self.now = entry[0]
            entry[3](entry)
        simpy.Environment.step(self)  # SimPy's own event next (EmptySchedule if none is left)

    def _steps_chain(self) -> None:
        """:meth:`_steps` with the chain's heap too: its events due before the first of the other
        two are stepped by ``chain.run`` (which hands back those it does not finish), then that
        one."""
        soon, queue = self._soon, self._queue
        chain = self.chain
        assert chain is not None
        run, state, handle = chain.run, chain.state, chain.handle
        head: tuple[Any, ...]
        while True:
            if soon and (not queue or soon[0] < queue[0]):
                head, from_soon = soon[0], True
            elif queue:
                head, from_soon = queue[0], False
            else:
                head, from_soon = _NO_HEAD, False
            kind, time, eid, person, slot = run(state, head[0], head[1], head[2], RUN_BUDGET)
            if kind >= 0:  # a chain's event before head, handed back
                self.now = time
                handle(kind, eid, person, slot)
                continue
            if not from_soon:
                break  # SimPy's own event next
            heappop(soon)  # head
            self.now = head[0]
            head[3](head)
        simpy.Environment.step(self)  # SimPy's own event next (EmptySchedule if none is left)

    def _step_chain(self) -> None:
        """:meth:`step` with the chain's heap: one event, whichever heap holds it."""
        soon, queue = self._soon, self._queue
        chain = self.chain
        assert chain is not None
        head: Any = None
        if soon and (not queue or soon[0] < queue[0]):
            head = soon[0]
        elif queue:
            head = queue[0]
        limit = head if head is not None else _NO_HEAD
        kind, time, eid, person, slot = chain.run(chain.state, limit[0], limit[1], limit[2], 1)
        if kind >= 0:
            self.now = time
            chain.handle(kind, eid, person, slot)
            return
        if kind == STEPPED:
            self.now = time
            return
        if head is not None and soon and head is soon[0]:
            entry = heappop(soon)
            self.now = entry[0]
            entry[3](entry)
            return
        simpy.Environment.step(self)

    def peek(self) -> float:
        soon = self._soon
        first = super().peek()
        if soon:
            first = min(soon[0][0], first)
        if self.chain is not None:
            first = min(self.chain.head_time(), first)
        return first

    def waiting(self) -> int:
        """Events scheduled (each has its id) and not yet processed, besides SimPy's queue: the
        entries on the second heap and in the buckets of its :class:`Later`, and the chain's."""
        return (len(self._soon) + (self.later.pending() if self.later is not None else 0)
                + (self.chain.waiting() if self.chain is not None else 0))


# What Chain.run returns for kind besides an event's: nothing before the limit; the budget used up.
NOTHING, STEPPED = -1, -2
RUN_BUDGET = 1 << 62  # Environment._steps_chain: no budget
_NO_HEAD = (math.inf, 0, 0)  # the limit when the other two heaps are empty


class Chain(Protocol):
    """A third heap of events, compiled (:mod:`sim.model.chain`), stepped by :class:`Environment`
    with its own: ``run(state, time, priority, id, budget)`` steps the chain's events due before
    (time, priority, id), at most ``budget`` of those it finishes itself, and returns (kind, time,
    id, person, slot) of the first it hands back — removed from its heap, for ``handle(kind, id,
    person, slot)`` with the clock at its time — or kind :data:`NOTHING` / :data:`STEPPED`."""

    state: Any
    ids: Iterator[int]

    def run(self, state: Any, time: float, priority: int, eid: int, budget: int) -> tuple[int, float, int, int, int]: ...
    def handle(self, kind: int, eid: int, person: int, slot: int) -> None: ...
    def head_time(self) -> float: ...
    def waiting(self) -> int: ...


PEOPLE_PER_BUCKET = 2_000


def buckets_per_day(population: int) -> int:
    """How many buckets a day is cut into for a market of ``population`` people: a power of two
    (so that a bucket's bounds, b / buckets per day, are exact floats), about one per 2,000
    people, so that the heaps hold a few dozen events whatever the market's size — 8 a day at
    the shipped 15,000 people, 512 at 1 M."""
    return 1 << max(0, math.ceil(math.log2(population / PEOPLE_PER_BUCKET))) if population > 0 else 1


class Later:
    """The environment's second heap for the current bucket of time (a day, or a power-of-two
    part of one), a list per later bucket for the rest."""

    def __init__(self, env: Environment, per_day: int = 1) -> None:
        if not isinstance(env, Environment):
            raise TypeError("Later needs a sim.core.later.Environment, which steps its events")
        if per_day < 1 or per_day & (per_day - 1):
            raise ValueError(f"buckets per day must be a power of two, got {per_day}")
        self.env = env
        env.later = self
        self.per_day = per_day
        self._soon = env._soon  # the environment's second heap
        self._eid: Iterator[int] = env._eid  # SimPy's counter: the order of scheduling, which breaks ties of time
        # Events before this time go onto the heap at once: the end of the current bucket.
        self.horizon = (math.floor(env.now * per_day) + 1) / per_day
        self.buckets: defaultdict[int, list[Entry]] = defaultdict(list)  # a bucket's list made at its first entry
        self._next_opening()

    def at(self, time: float, value: Any, callback: Callback) -> Entry:
        """An event at ``time`` (not before now) carrying ``value``: ``callback`` is called with
        it, the entry returned here (its value is ``entry[VALUE]``), which the caller may keep to
        tell it apart (a void clock event is ignored when it fires)."""
        entry = (time, NORMAL, next(self._eid), callback, value)
        if time < self.horizon:
            heappush(self._soon, entry)
        else:
            self.buckets[int(time * self.per_day)].append(entry)  # exact: per_day is a power of two
        return entry

    def pending(self) -> int:
        """How many events wait in the buckets."""
        return sum(map(len, self.buckets.values()))

    def _next_opening(self) -> None:
        """The opening of the next bucket, an entry at its exact start, urgent: before any event
        of normal priority of its time, so that those of its bucket are on the heap when their
        turn comes (it does nothing else anyone could see)."""
        heappush(self._soon, (self.horizon, URGENT, next(self._eid), self._open, None))

    def _open(self, _: Entry) -> None:
        """A bucket begins: its events go onto the heap (in one heapify: the heap pops its
        entries in the order of their unique (time, priority, id) however they were put on)."""
        number = int(self.env.now * self.per_day)  # exact: the bucket's start times per_day
        self.horizon = (number + 1) / self.per_day
        bucket = self.buckets.pop(number, None)
        if bucket:
            soon = self._soon
            soon.extend(bucket)
            heapify(soon)
        self._next_opening()
