"""Loyalty: the three customer levels of the source material, and the moves between them.

Level 1 — initial transactions: a customer after the first purchase.
Level 2 — repeat customers, "the most durable profit": after ``orders_for_repeat``
orders at level 1. ("Don't assume every repeat buyer is a good sign": level 2 says
nothing about satisfaction, and level-2 customers leave like anyone else.)
Level 3 — advocates who recommend ("sustained delight"): a repeat customer after
``happy_streak_for_advocate`` happy experiences in a row — a neutral or unhappy one
breaks the run — with satisfaction at least ``advocate_min_satisfaction``.
Each level behaves in its own way (``loyalty.levels``): multipliers of the customer's
order rate (:mod:`sim.model.customers`), of the value of each order (:mod:`sim.model.fulfilment`) and of
their churn propensity on the time-based hazards (:mod:`sim.model.attrition`); the chance to tell
a happy experience and the weight of a recommendation (:mod:`sim.model.word_of_mouth`). In the
baseline repeat customers buy more often and drift away less, advocates besides tell more
and convert better; the decisions after a problem do not read the level, so a level-2
customer who is unhappy leaves like anyone else. A move changes the customer's clock bound
(order rate and hazards), so the move rescales the pending clock event, keeping its slot (:meth:`Customers.level_changed`).

An unhappy experience moves a customer down one level (3 → 2 → 1) and breaks the streak;
back at level 1 the customer must repeat-buy again to return to level 2.
"""

from __future__ import annotations

from sim.core.world import World
from sim.model.ports import CustomersPort


class Loyalty:
    def __init__(self, world: World) -> None:
        self.world = world
        self.people = world.people  # looked up once: the level is checked at every order and experience
        self.customers: CustomersPort
        self.refresh()

    def connect(self, customers: CustomersPort) -> None:
        self.customers = customers

    def refresh(self) -> None:
        lo = self.world.scenario.loyalty
        self.orders_for_repeat = lo.orders_for_repeat
        self.streak_for_advocate = lo.happy_streak_for_advocate
        self.advocate_min_satisfaction = lo.advocate_min_satisfaction

    def _move(self, person: int, level: int) -> None:
        world = self.world
        people = world.people
        world.level_counts[people.level[person]] -= 1
        world.level_counts[level] += 1
        people.level[person] = level
        people.level_orders[person] = 0
        self.customers.level_changed(person)  # the level's multipliers may change the clock's bound

    def on_order(self, person: int) -> None:
        people = self.people
        if people.level[person] == 1:
            orders = people.level_orders[person] + 1
            people.level_orders[person] = orders
            if orders >= self.orders_for_repeat:
                self._move(person, 2)

    def on_happy(self, person: int) -> None:
        people = self.people
        streak = people.happy_streak[person] + 1
        people.happy_streak[person] = streak
        if (
            people.level[person] == 2
            and streak >= self.streak_for_advocate
            and people.satisfaction[person] >= self.advocate_min_satisfaction
        ):
            self._move(person, 3)

    def on_neutral(self, person: int) -> None:
        self.people.happy_streak[person] = 0

    def on_unhappy(self, person: int) -> None:
        people = self.people
        people.happy_streak[person] = 0
        level = people.level[person]
        if level > 1:
            self._move(person, level - 1)
