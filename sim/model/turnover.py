"""The market turns over: people leave it and new prospects take their place.

Each person leaves the market — moves away, for any reason — at the constant yearly rate
``market.turnover_per_year``, whether prospect, customer or former customer; a customer
who leaves is lost with cause *moved away* (the one mechanism for it). A customer who
dies is likewise gone for good. Either way a **new prospect takes the slot at once**:
their place in the social network (so their ties) and a fresh life, with new traits.
The population stays constant, and the market is renewed with people who have heard no
complaint and never bought — which is what lets the baseline settle into a steady state.

Random numbers (:mod:`sim.core.rng`): slot s has a key K_s in ``Draws("turnover")``. The
g-th person to hold the slot (generation g; the initial person is 0) stays
``exponential(K_s, g)`` / rate days, has the draw key ``child(K_s, g)`` (g ≥ 1), and
their traits are drawn by :func:`sim.model.traits.draw_newcomer_traits`, exactly as the
initial population's (generation 0, :func:`~sim.model.traits.draw_traits`): the inverse distribution functions of uniforms 0..3 of
``child(K_s, TRAITS + g)``. So a
slot's sequence of people is the same in every scenario on the same seed, whoever they
meet and whenever they are replaced.

The rate is part of the market, fixed when a replication starts: the exits of generation 0
are drawn vectorised and only those due before the run ends are kept, in a heap.
"""

from __future__ import annotations

import heapq

import numpy as np
from simpy.events import Event, Timeout

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.recorder import Daily
from sim.core.rng import child, exponential, uniforms
from sim.core.vocabulary import HAZARD, MOVED_AWAY
from sim.core.world import CUSTOMER, PROSPECT, World
from sim.model.ports import AttritionPort, CustomersPort
from sim.model.traits import draw_newcomer_traits, slot_keys


class Turnover:
    """People leaving the market and the new prospects who replace them."""

    def __init__(self, world: World, customers: CustomersPort, attrition: AttritionPort) -> None:
        self.world = world
        self.customers = customers
        self.attrition = attrition
        sc = world.scenario
        self.rate = sc.market.turnover_per_year / DAYS_PER_YEAR
        self.end = float(sc.warmup_days + sc.horizon_days)
        self.keys = slot_keys(world)
        self.heap: list[tuple[float, int, int]] = []  # (when, slot, generation)
        self.pending: Event | None = None
        self.pending_exit: tuple[float, int, int] | None = None
        if self.rate > 0:
            when = -np.log1p(-uniforms(self.keys, 0)) / self.rate  # generation 0's exits
            due = (when < self.end).nonzero()[0]
            self.heap = [(float(when[s]), int(s), 0) for s in due]
            heapq.heapify(self.heap)
            self._next()

    def refresh(self) -> None:
        """Nothing to re-read: the rate belongs to the market, fixed at the start."""

    def _next(self) -> None:
        """Wait for the earliest exit in the heap."""
        self.pending = self.pending_exit = None
        if self.heap:
            self.pending_exit = heapq.heappop(self.heap)
            self.pending = Timeout(self.world.env, self.pending_exit[0] - self.world.env.now)
            self.pending.callbacks.append(self._exit)

    def _exit(self, event: Event) -> None:
        if event is not self.pending or self.pending_exit is None:
            return  # superseded by an earlier exit
        _, slot, g = self.pending_exit
        if self.world.people.generation[slot] == g:  # else that person already died
            self.leave(slot)
        self._next()

    def leave(self, slot: int) -> None:
        """The person in ``slot`` leaves the market now: a customer is lost as moved away."""
        if self.world.people.status[slot] == CUSTOMER:
            self.attrition.churn(slot, MOVED_AWAY, HAZARD)  # which replaces them
        else:
            self.replace(slot)

    def replace(self, slot: int) -> None:
        """A new prospect takes ``slot`` now (after whoever held it died or moved away)."""
        world, people = self.world, self.world.people
        g = people.generation[slot] + 1
        people.generation[slot] = g
        key = int(self.keys[slot])
        people.key[slot] = child(key, g)
        draw_newcomer_traits(world, slot, key, g)
        people.status[slot] = PROSPECT
        people.level[slot] = 0
        for name in ("clock_rate", "complaint_memory", "memory_day", "left", "joined", "revenue"):
            getattr(people, name)[slot] = 0.0
        for name in ("clock_events", "orders", "level_orders", "happy_streak"):
            getattr(people, name)[slot] = 0
        self.customers.void_clock(slot)  # the clock of whoever held the slot is void
        world.record.add(Daily.MARKET_ENTRIES, world.day())
        if self.rate > 0:
            when = world.env.now + exponential(key, g) / self.rate
            if when < self.end:
                self._push((when, slot, g))

    def _push(self, exit_: tuple[float, int, int]) -> None:
        if self.pending_exit is not None and exit_ < self.pending_exit:
            heapq.heappush(self.heap, self.pending_exit)  # the pending one waits its turn again
            heapq.heappush(self.heap, exit_)
            self._next()
        else:
            heapq.heappush(self.heap, exit_)
            if self.pending_exit is None:
                self._next()
