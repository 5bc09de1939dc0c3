"""Events due after today, kept out of SimPy's queue until their day begins.

SimPy keeps every scheduled event in one binary heap, and each event costs a push and a pop,
O(log n) in the events pending. A model of many customers has one clock event pending per
customer — at 1 M people about 190,000 — and deliveries in flight, though only a few
thousand of them fall due on any one day. A heap that large no longer fits the processor's
caches: a push and a pop cost about 3 µs at 200,000 events against about 0.6 µs at 400.

:class:`Later` keeps the events due after the current bucket of time in a list per bucket
(a calendar queue, Brown 1988) and moves a bucket's events onto SimPy's heap when it begins.
A bucket is a day at the shipped size, a power-of-two part of one in larger markets
(:func:`buckets_per_day`: 64 a day at 1 M people), so that SimPy's heap holds a few hundred
events at any size: even a day's events at 1 M (about 8,600 on the heap at midday) cost
SimPy's ``heappop`` about 2.9 µs against 0.45 µs at the shipped size (cProfile), the heap's
tuples being scattered in memory. An event is made when it is scheduled, as before, so whoever
holds it (a customer's pending clock, say) can tell it from its successors; only its place in
SimPy's queue waits.

**Nothing moves.** An event is put on SimPy's heap at its own time — the very float a
``Timeout`` made when it was scheduled would have had (``now + delay``), not ``day + (time −
day)``, which can round differently — so it fires when it always did. SimPy orders events of
the same time by priority and then by when they were put on its heap; a deferred event goes on
the heap later than it would have, so only its order among events of exactly the same time
could differ. The events deferred here (customers' clocks, deliveries) fall at continuous
random times, and two of them, or one of them and any other event, coincide with probability
zero: the numbers of a run are the same, whatever the buckets (``scripts/fingerprint.sh``;
tests/test_later.py). A bucket's bounds are multiples of 1/2^k, exact in floating point, so an
event is always put on the heap at or before its time.

It reaches into SimPy's environment for its heap and its counter of events (``_queue`` and
``_eid``, what :meth:`simpy.core.Environment.schedule` uses), to schedule at an absolute time;
tests/test_later.py checks that against the installed SimPy.
"""

from __future__ import annotations

import math
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


PEOPLE_PER_BUCKET = 25_000


def buckets_per_day(population: int) -> int:
    """How many buckets a day is cut into for a market of ``population`` people: a power of two
    (so that a bucket's bounds, b / buckets per day, are exact floats), about one per 25,000
    people, so that SimPy's heap holds a few hundred events whatever the market's size — one
    bucket a day at the shipped 15,000 people, 64 at 1 M."""
    return 1 << max(0, math.ceil(math.log2(population / PEOPLE_PER_BUCKET))) if population > 0 else 1


class Later:
    """SimPy's queue for the current bucket of time (a day, or a power-of-two part of one), a
    list per later bucket for the rest."""

    def __init__(self, env: simpy.Environment, per_day: int = 1) -> None:
        if per_day < 1 or per_day & (per_day - 1):
            raise ValueError(f"buckets per day must be a power of two, got {per_day}")
        self.env = env
        self.per_day = per_day
        self._queue = env._queue  # SimPy's heap (see the module's doc)
        self._eid = env._eid  # its counter: the order of scheduling, which breaks ties of time
        # Events before this time go onto SimPy's heap at once: the end of the current bucket.
        self.horizon = (math.floor(env.now * per_day) + 1) / per_day
        self.buckets: dict[int, list[tuple[float, Event]]] = {}
        self._opener = self._open  # bound once: one opening a bucket
        self._next_opening()

    def at(self, time: float, value: Any, callback: Callback) -> At:
        """An event at ``time`` (not before now) carrying ``value``, processed by ``callback``;
        returned so that the caller can tell it apart (a void clock event is ignored when it
        fires)."""
        event = At(self.env, value, callback)
        if time < self.horizon:
            heappush(self._queue, (time, NORMAL, next(self._eid), event))
        else:
            number = int(time * self.per_day)  # exact: per_day is a power of two
            bucket = self.buckets.get(number)
            if bucket is None:
                self.buckets[number] = bucket = []
            bucket.append((time, event))
        return event

    def pending(self) -> int:
        """How many events wait in the buckets."""
        return sum(map(len, self.buckets.values()))

    def _next_opening(self) -> None:
        """The opening of the next bucket, on SimPy's heap at its exact start."""
        heappush(self._queue, (self.horizon, NORMAL, next(self._eid), At(self.env, None, self._opener)))

    def _open(self, _: Event) -> None:
        """A bucket begins: its events go onto SimPy's heap."""
        number = int(self.env.now * self.per_day)  # exact: the bucket's start times per_day
        self.horizon = (number + 1) / self.per_day
        bucket = self.buckets.pop(number, None)
        if bucket:
            queue, eid = self._queue, self._eid
            for time, event in bucket:
                heappush(queue, (time, NORMAL, next(eid), event))
        self._next_opening()
