"""Fulfilment: placing an order and what the delivery brings.

The service *during* the transaction (Lalonde & Zinszer's pre-, during and
post-transaction elements). Each order gets a value and its logistics outcomes, drawn
when it is placed — the measures of the sources' logistics service (002, 004):

* on time (``on_time_rate``), with a lead time: an on-time order takes
  ``lead_time_days`` capped at the promise, a late one the promise plus
  ``late_delay_days``;
* complete (``order_fill_rate``), right items (``order_accuracy``), correctly invoiced
  (``invoice_accuracy``); a *perfect order* is all four;
* whether the product itself disappoints (``product_problem_rate``).

On delivery the order is scored: responsiveness is 1 when on time and falls linearly
to 0 at ``late_tolerance_days`` late; reliability is 1 less the severity of each
failure. A failed order leads the customer to contact support with
``contact_probability_if_failed`` (recovery from errors), and, under a service
guarantee, may be refunded (``refund_share_of_order_value`` × value) with a lift to the
experience.

Random numbers: the customer's k-th order draws everything from its own key, a child
of the customer's key (:mod:`sim.rng`), at fixed slots (below); what follows from the
order — the experience of its delivery, of the product, the order-problem contact — has
a child key of it. So the k-th order of a customer has the same value, lateness and
errors in every scenario that does not change them, and the draws of one outcome (a
lead time, say) cannot shift another's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simpy.events import Event, Timeout

from sim.recorder import REVENUE_BY_LEVEL
from sim.rng import child, uniform, uniform_pair
from sim.world import CUSTOMER, ORDER_TAGS, World

if TYPE_CHECKING:
    from sim.desk import Desk
    from sim.loyalty import Loyalty
    from sim.satisfaction import Satisfaction


# Slots of an order's key (a distribution takes two; a pair is two outcomes from one slot).
VALUE, ON_TIME_COMPLETE, ACCURATE_INVOICE, PRODUCT_CLAIM, CONTACT, LEAD, LATE = 0, 2, 3, 4, 5, 6, 8
# Children of an order's key.
DELIVERY_EXPERIENCE, PRODUCT_EXPERIENCE, ORDER_PROBLEM = 1, 2, 3


class Fulfilment:
    def __init__(self, world: World) -> None:
        self.world = world
        self.loyalty: Loyalty
        self.satisfaction: Satisfaction
        self.desk: Desk
        self.refresh()

    def connect(self, loyalty: Loyalty, satisfaction: Satisfaction, desk: Desk) -> None:
        self.loyalty = loyalty
        self.satisfaction = satisfaction
        self.desk = desk

    def refresh(self) -> None:
        sc = self.world.scenario
        f = sc.fulfilment
        self.f = f
        self.order_value = sc.customers.order_value.sampler()
        self.lead_time = f.lead_time_days.sampler()
        self.late_delay = f.late_delay_days.sampler()
        self.late_tolerance = sc.service_quality.late_tolerance_days
        # The order-value multiplier of each loyalty level (index 1..3; 0 is unused).
        levels = sc.loyalty.levels
        self.value_multiplier = (0.0, *(levels.of(n).order_value_multiplier for n in (1, 2, 3)))

    def place_order(self, person: int, initial: bool) -> None:
        world = self.world
        people = world.people
        daily = world.record.daily
        day = int(world.env.now)
        key = child(people.key[person], ORDER_TAGS + people.orders[person])
        level = people.level[person]  # the level the order is placed at (before any promotion it brings)
        value = self.order_value(key, VALUE) * self.value_multiplier[level]
        people.orders[person] += 1
        people.revenue[person] += value
        daily["orders"][day] += 1
        daily["orders_initial" if initial else "orders_repeat"][day] += 1
        daily["revenue"][day] += value
        daily[REVENUE_BY_LEVEL[level]][day] += value
        self.loyalty.on_order(person)

        f = self.f
        u_on_time, u_complete = uniform_pair(key, ON_TIME_COMPLETE)
        u_accurate, u_invoice = uniform_pair(key, ACCURATE_INVOICE)
        u_product, u_claim = uniform_pair(key, PRODUCT_CLAIM)
        on_time = u_on_time < f.on_time_rate
        complete = u_complete < f.order_fill_rate
        accurate = u_accurate < f.order_accuracy
        invoice_ok = u_invoice < f.invoice_accuracy
        product_ok = u_product >= f.product_problem_rate
        if on_time:
            lead = min(self.lead_time(key, LEAD), f.promised_lead_time_days)
            late_by = 0.0
        else:
            late_by = self.late_delay(key, LATE)
            lead = f.promised_lead_time_days + late_by
        daily["orders_on_time"][day] += on_time
        daily["orders_complete"][day] += complete
        daily["orders_accurate"][day] += accurate
        daily["orders_invoice_ok"][day] += invoice_ok
        daily["orders_perfect"][day] += on_time and complete and accurate and invoice_ok
        daily["lead_time_days_sum"][day] += lead
        outcome = (person, key, value, on_time, late_by, complete, accurate, invoice_ok, product_ok, u_claim)
        event = Timeout(world.env, lead, outcome)
        event.callbacks.append(self._deliver)

    def _deliver(self, event: Event) -> None:
        person, key, value, on_time, late_by, complete, accurate, invoice_ok, product_ok, u_claim = event._value
        world = self.world
        people = world.people
        if people.status[person] != CUSTOMER:
            return
        f = self.f
        severity = f.failure_severity
        responsiveness = max(0.0, 1.0 - late_by / self.late_tolerance)
        reliability = 1.0
        if not complete:
            reliability -= severity.incomplete
        if not accurate:
            reliability -= severity.wrong_items
        if not invoice_ok:
            reliability -= severity.invoice_error
        reliability = max(0.0, reliability)
        failed = not (on_time and complete and accurate and invoice_ok)
        lift = 0.0
        guarantee = f.guarantee
        if failed and guarantee.enabled and u_claim < guarantee.claim_probability:
            world.record.add("guarantee_payout", world.day(), guarantee.refund_share_of_order_value * value)
            lift = guarantee.satisfaction_boost
        score = self.satisfaction.fulfilment_score(responsiveness, reliability)
        self.satisfaction.experience(person, score, child(key, DELIVERY_EXPERIENCE), lift=lift)
        if not product_ok and people.status[person] == CUSTOMER:
            self.satisfaction.product_problem(person, child(key, PRODUCT_EXPERIENCE))
        if failed and people.status[person] == CUSTOMER and uniform(key, CONTACT) < f.contact_probability_if_failed:
            self.desk.order_problem(person, child(key, ORDER_PROBLEM))
