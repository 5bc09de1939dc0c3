#!/usr/bin/env python3
"""What the pieces of a compiled chain would cost, before building one (docs/PERFORMANCE.md,
"What is left"): a call into numba with the state in one argument, an event on a heap of the
kernel's own, an event handed back to Python, against an event on a heap of tuples as
``sim.core.later`` has it today.

The staged plan there moves the customers' clock events and deliveries onto a heap a kernel
steps, handing back to Python the events it cannot finish (a question, a promotion, a delivery
with a telling...). Whether that pays depends on these costs, measured here on a toy workload —
events at random times, a few counters added to per event, the next event pushed — so the
figures are of the mechanisms, not of the model::

    PYTHONPATH=. .venv/bin/python benchmarks/chain_primitives.py [EVENTS]

Prints ns per call or per event (medians of 5 rounds, ``time.perf_counter``):

* ``call, state in a structref`` — a kernel taking the state as one ``numba.experimental.structref``
  (cacheable on disk, unlike a jitclass, whose kernels numba compiles again in every process);
* ``call, 12 arrays`` — the same kernel taking twelve arrays, as the kernels today take
  people's columns one argument each;
* ``event in the kernel`` — popped, its counters added to, its successor pushed, all compiled;
* ``event handed back`` — the kernel pops it and returns it to Python (time, kind, person),
  which pushes its successor through another call: the round trip of every event the kernel
  cannot finish;
* ``event on a heap of tuples`` — today's way: a ``(time, priority, id, callback, value)`` tuple
  pushed and popped with :mod:`heapq`, ids from ``itertools.count``, the counters in Python.

Calls go past numba's dispatcher (the entry point of the one compiled signature, as
``sim.model.compiled.direct`` does). Nothing is asserted.
"""

from __future__ import annotations

import heapq
import itertools
import statistics
import sys
import time

import numpy as np
from numba import njit, types
from numba.experimental import structref

PEOPLE = 3_000  # about the shipped baseline's customers
ROUNDS = 5


@structref.register
class ChainType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class Chain(structref.StructRefProxy):
    """A heap of events — time, priority, id, kind, person in arrays, ordered as SimPy orders its
    queue — with the next id to give, and two columns of people's state."""


_FIELDS = ["time", "priority", "eid", "kind", "person", "size", "ids", "count", "total", "u"]
structref.define_proxy(Chain, ChainType, _FIELDS)


@njit(cache=True)
def make(capacity, u):
    return Chain(np.empty(capacity), np.empty(capacity, np.int64), np.empty(capacity, np.int64),
                 np.empty(capacity, np.int64), np.empty(capacity, np.int64), np.zeros(1, np.int64),
                 np.zeros(1, np.int64), np.zeros(PEOPLE), np.zeros(PEOPLE), u)


@njit(cache=True)
def _before(c, i, j):
    if c.time[i] != c.time[j]:
        return c.time[i] < c.time[j]
    if c.priority[i] != c.priority[j]:
        return c.priority[i] < c.priority[j]
    return c.eid[i] < c.eid[j]


@njit(cache=True)
def _swap(c, i, j):
    c.time[i], c.time[j] = c.time[j], c.time[i]
    c.priority[i], c.priority[j] = c.priority[j], c.priority[i]
    c.eid[i], c.eid[j] = c.eid[j], c.eid[i]
    c.kind[i], c.kind[j] = c.kind[j], c.kind[i]
    c.person[i], c.person[j] = c.person[j], c.person[i]


@njit(cache=True)
def push(c, time, kind, person):
    i = c.size[0]
    c.time[i], c.priority[i], c.eid[i], c.kind[i], c.person[i] = time, 1, c.ids[0], kind, person
    c.ids[0] += 1
    c.size[0] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        if not _before(c, i, parent):
            break
        _swap(c, i, parent)
        i = parent
    return c.size[0]


@njit(cache=True)
def _pop(c):
    n = c.size[0] - 1
    c.size[0] = n
    _swap(c, 0, n)
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if child + 1 < n and _before(c, child + 1, child):
            child += 1
        if not _before(c, child, i):
            break
        _swap(c, child, i)
        i = child


@njit(cache=True)
def run(c, events, hand_back):
    """Step ``events`` events, or up to the first whose kind is ``hand_back``: returned as
    (time, kind, person) for Python to handle; (-1, -1, -1) when all were stepped here."""
    for _ in range(events):
        t, kind, person = c.time[0], c.kind[0], c.person[0]
        _pop(c)
        if kind == hand_back:
            return t, kind, person
        c.count[person] += 1.0
        c.total[person] += t
        u = c.u[c.ids[0] % c.u.size]
        push(c, t + 1.0 + u, 1 if u < 0.5 else 0, person)
    return -1.0, -1, -1


@njit(cache=True)
def nothing(c):
    return c.size[0]


@njit(cache=True)
def nothing_arrays(a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11):
    return a0[0]


def entry(kernel, *args):
    """The kernel's compiled entry point, past numba's dispatcher (compiled by a first call)."""
    kernel(*args)
    return next(iter(kernel.overloads.values())).entry_point


def per_call(function, args, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        function(*args)
    return (time.perf_counter() - start) / calls * 1e9


def fill(events: int) -> Chain:
    u = np.random.default_rng(1).random(4096)
    chain = make(events + PEOPLE + 16, u)
    for person in range(PEOPLE):
        push(chain, float(u[person]) * 2.0, 0, person)
    return chain


def in_kernel(events: int) -> float:
    chain = fill(events)
    go = entry(run, chain, 1, 2)
    start = time.perf_counter()
    go(chain, events, 2)  # kind 2 never occurs: every event stepped in the kernel
    return (time.perf_counter() - start) / events * 1e9


def handed_back(events: int) -> float:
    """Every event handed back: the kernel pops it, Python pushes its successor."""
    chain = fill(events)
    go = entry(run, chain, 1, 2)
    put = entry(push, chain, 1e9, 2, 0)
    u = np.random.default_rng(2).random(4096).tolist()
    start = time.perf_counter()
    for i in range(events):
        t, kind, person = go(chain, 1, 0 if i & 1 else 1)  # kinds 0 and 1 alike: both handed back
        if kind >= 0:
            put(chain, t + 1.0 + u[i & 4095], kind, person)
    return (time.perf_counter() - start) / events * 1e9


def tuples(events: int) -> float:
    """Today's way (sim.core.later): a heap of (time, priority, id, callback, value) tuples."""
    u = np.random.default_rng(1).random(4096).tolist()
    ids = itertools.count()
    soon: list[tuple[float, int, int, None, int]] = []
    for person in range(PEOPLE):
        heapq.heappush(soon, (u[person] * 2.0, 1, next(ids), None, person))
    count, total = [0.0] * PEOPLE, [0.0] * PEOPLE
    start = time.perf_counter()
    for i in range(events):
        t, _, _, _, person = heapq.heappop(soon)
        count[person] += 1.0
        total[person] += t
        heapq.heappush(soon, (t + 1.0 + u[i & 4095], 1, next(ids), None, person))
    return (time.perf_counter() - start) / events * 1e9


def main() -> None:
    events = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    chain = fill(0)
    arrays = [np.zeros(4) for _ in range(12)]
    one, twelve = entry(nothing, chain), entry(nothing_arrays, *arrays)
    rows = {
        "call, state in a structref": lambda: per_call(one, (chain,), events),
        "call, 12 arrays": lambda: per_call(twelve, arrays, events),
        "event in the kernel": lambda: in_kernel(events),
        "event handed back": lambda: handed_back(events),
        "event on a heap of tuples": lambda: tuples(events),
    }
    results: dict[str, list[float]] = {name: [] for name in rows}
    for _ in range(ROUNDS):  # interleaved, so that a busy moment touches every row alike
        for name, measure in rows.items():
            results[name].append(measure())
    print(f"{events:,} calls or events a round, {ROUNDS} rounds, {PEOPLE:,} people on the heap")
    for name, values in results.items():
        print(f"{name:28} {statistics.median(values):7.0f} ns  ({min(values):.0f}-{max(values):.0f})")


if __name__ == "__main__":
    main()
