"""Events due after today, kept out of SimPy's queue until their day begins.

SimPy keeps every scheduled event in one binary heap, and each event costs a push and a pop,
O(log n) in the events pending. A model of many customers has one clock event pending per
customer — at 1 M people about 190,000 — and deliveries in flight, though only a few
thousand of them fall due on any one day. A heap that large no longer fits the processor's
caches: a push and a pop cost about 3 µs at 200,000 events against about 0.6 µs at 400.

:class:`Later` keeps the events due after today in a list per day (a bucket: a calendar
queue of one-day buckets, Brown 1988) and moves a day's events onto SimPy's heap at the start
of that day. SimPy's heap then holds about a day of events. An event is made when it is
scheduled, as before, so whoever holds it (a customer's pending clock, say) can tell it from
its successors; only its place in SimPy's queue waits.

**Nothing moves.** An event is put on SimPy's heap at its own time — the very float a
``Timeout`` made when it was scheduled would have had (``now + delay``), not ``day + (time −
day)``, which can round differently — so it fires when it always did. SimPy orders events of
the same time by priority and then by when they were put on its heap; a deferred event goes on
the heap later than it would have, so only its order among events of exactly the same time
could differ. The events deferred here (customers' clocks, deliveries) fall at continuous
random times, and two of them, or one of them and any other event, coincide with probability
zero: the numbers of a run are the same (``scripts/fingerprint.sh``; tests/test_later.py).

It reaches into SimPy's environment for its heap and its counter of events (``_queue`` and
``_eid``, what :meth:`simpy.core.Environment.schedule` uses), to schedule at an absolute time;
tests/test_later.py checks that against the installed SimPy.
"""

from __future__ import annotations

from collections.abc import Callable
from heapq import heappush
from typing import Any

import simpy
from simpy.events import NORMAL, Event

Callback = Callable[[Event], None]


class At(Event):
    """An event that is triggered when made, with a value, like a ``Timeout``, but scheduled by
    :class:`Later` at an absolute time instead of after a delay."""

    def __init__(self, env: simpy.Environment, value: Any, callback: Callback) -> None:
        # Event.__init__ and Timeout's triggering, inlined as Timeout.__init__ has them.
        self.env = env
        self.callbacks = [callback]
        self._value = value
        self._ok = True

    def _desc(self) -> str:
        return f"At(value={self._value!r})"


class Later:
    """SimPy's queue for today, a bucket per later day for the rest."""

    def __init__(self, env: simpy.Environment) -> None:
        self.env = env
        self._queue = env._queue  # SimPy's heap (see the module's doc)
        self._eid = env._eid  # its counter: the order of scheduling, which breaks ties of time
        self.horizon = env.now // 1 + 1.0  # events before this time go onto SimPy's heap at once
        self.buckets: dict[int, list[tuple[float, Event]]] = {}
        self._opener = self._open  # bound once: one opening a day
        self._next_opening()

    def at(self, time: float, value: Any, callback: Callback) -> At:
        """An event at ``time`` (not before now) carrying ``value``, processed by ``callback``;
        returned so that the caller can tell it apart (a void clock event is ignored when it
        fires)."""
        event = At(self.env, value, callback)
        if time < self.horizon:
            heappush(self._queue, (time, NORMAL, next(self._eid), event))
        else:
            day = int(time)
            bucket = self.buckets.get(day)
            if bucket is None:
                self.buckets[day] = bucket = []
            bucket.append((time, event))
        return event

    def pending(self) -> int:
        """How many events wait in the buckets."""
        return sum(map(len, self.buckets.values()))

    def _next_opening(self) -> None:
        opening = simpy.Timeout(self.env, self.horizon - self.env.now)
        opening.callbacks.append(self._opener)

    def _open(self, _: Event) -> None:
        """A day begins: its events go onto SimPy's heap."""
        day = int(self.env.now)
        self.horizon = day + 1.0
        bucket = self.buckets.pop(day, None)
        if bucket:
            queue, eid = self._queue, self._eid
            for time, event in bucket:
                heappush(queue, (time, NORMAL, next(eid), event))
        self._next_opening()
