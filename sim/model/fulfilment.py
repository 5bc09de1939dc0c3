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
failure; under a service guarantee a failed order may be refunded
(``refund_share_of_order_value`` × value) with a lift to the experience. A failed order,
and a disappointing product, is a problem: it opens an episode (:mod:`sim.model.episodes`), in
which the customer contacts support or not (``contact_probability_if_failed``) and which
ends with one decision to stay or leave. A delivery without a problem is an experience.

Random numbers: the customer's k-th order draws everything from its own key, a child
of the customer's key (:mod:`sim.core.rng`), at fixed slots (below); what follows from the
order — the experience of its delivery, the failed order and the disappointing product
as problems — has a child key of it. So the k-th order of a customer has the same value, lateness and
errors in every scenario that does not change them, and the draws of one outcome (a
lead time, say) cannot shift another's.
"""

from __future__ import annotations

from typing import Any

from sim.core.later import VALUE as EVENT_VALUE
from sim.core.later import Entry
from sim.core.recorder import Daily
from sim.core.rng import child, uniform_pair
from sim.core.vocabulary import DISAPPOINTING_PRODUCT, FAILED_ORDER, NEUTRAL, PRODUCT, SERVICE
from sim.core.world import CUSTOMER, ORDER_TAGS, World
from sim.model import compiled
from sim.model.compiled import (
    ACCURATE_AT,
    ACCURATE_INVOICE,
    COMPLETE_AT,
    INITIAL_AT,
    INVOICE_OK_AT,
    LATE,
    LEAD,
    LEAD_SUM_AT,
    ON_TIME_AT,
    ON_TIME_COMPLETE,
    ORDER_COUNTERS,
    ORDERS_AT,
    PERFECT_AT,
    PRODUCT_CLAIM,
    REPEAT_AT,
    REVENUE_AT,
    REVENUE_LEVEL_AT,
    VALUE,
    order_params,
)
from sim.model.ports import EpisodesPort, LoyaltyPort, SatisfactionPort
from sim.model.samplers import sampler

# What an order draws (Fulfilment.draws): key, value, on time, complete, accurate, invoice right,
# product fine, the claim's uniform, lead time, days late.
OrderDraws = tuple[int, float, bool, bool, bool, bool, bool, float, float, float]
# What a placed order hands its delivery (Fulfilment.order): key, value, perfect, days late, complete,
# accurate, invoice right, product fine, the claim's uniform, lead time.
OrderOutcome = tuple[int, float, bool, float, bool, bool, bool, bool, float, float]

# Slots of an order's key (a distribution takes two; a pair is two outcomes from one slot), kept
# beside the compiled draws that read them too: VALUE, ON_TIME_COMPLETE, ACCURATE_INVOICE,
# PRODUCT_CLAIM, LEAD, LATE (sim.model.compiled).
# Children of an order's key: the delivery as an experience, and the two problems it may hold.
DELIVERY_TAG, PRODUCT_PROBLEM_TAG, ORDER_PROBLEM_TAG = 1, 2, 3  # children: experiences and problems


class Fulfilment:
    def __init__(self, world: World) -> None:
        self.world = world
        self.people = world.people  # looked up once: place_order and _deliver run at every order
        self.env = world.env
        self.loyalty: LoyaltyPort
        self.satisfaction: SatisfactionPort
        self.episodes: EpisodesPort
        # The day's counters an order adds to (ORDER_COUNTERS), one array, days by counters: the
        # compiled order_counted adds to a row in the call that draws the order.
        self.counted = world.record.block(ORDER_COUNTERS)
        # The guarantee's payouts, a block of one (Recorder.block), which sim.model.chain pays into too.
        self.payout = world.record.block((Daily.GUARANTEE_PAYOUT,))
        self.guarantee_payout = self.payout[:, 0]
        # The compiled draws, or the Python's (no numba): they do not change with the scenario.
        compiled.ready()  # compiled (once a process) before the kernel is looked up
        self._order_counted = compiled.direct(compiled.order_counted)  # used when compiled_params is set
        self._child = compiled.scalar_draws()[0]  # a delivery's child keys: rng.child or its compiled twin
        self.chain: Any = None  # sim.model.chain's, which then holds the deliveries (set by it)
        self.refresh()

    def connect(self, loyalty: LoyaltyPort, satisfaction: SatisfactionPort, episodes: EpisodesPort) -> None:
        self.loyalty = loyalty
        self.satisfaction = satisfaction
        self.episodes = episodes
        self._on_order = loyalty.on_order  # bound once: called at every order
        self._deliver_callback = self._deliver  # bound once: every order's delivery carries it
        self._at = self.world.later.at  # deliveries are scheduled through it (sim.core.later)

    def refresh(self) -> None:
        sc = self.world.scenario
        f = sc.fulfilment
        self.f = f
        # What every order reads, looked up once.
        self.rates = (f.on_time_rate, f.order_fill_rate, f.order_accuracy, f.invoice_accuracy,
                      f.product_problem_rate, f.promised_lead_time_days)
        self.order_value = sampler(sc.customers.order_value)
        self.lead_time = sampler(f.lead_time_days)
        self.late_delay = sampler(f.late_delay_days)
        self.late_tolerance = sc.service_quality.late_tolerance_days
        # The order-value multiplier of each loyalty level (index 1..3; 0 is unused).
        levels = sc.loyalty.levels
        self.value_multiplier = levels.by_level("order_value_multiplier")
        # The compiled draws' parameters, or None to run the Python reference (no numba).
        self.compiled_params = (order_params(sc.customers.order_value, f.lead_time_days, f.late_delay_days, self.rates,
                                             self.value_multiplier)
                                if compiled.ready() else None)

    def draws(self, person_key: int, tag: int) -> OrderDraws:
        """Everything an order draws, from its key ``child(person_key, tag)``: the key, the value
        before the level's multiplier, on time, complete, accurate, invoice right, product fine,
        the guarantee claim's uniform, the lead time and the days late. (This is the reference;
        :func:`sim.model.compiled.order_draws` computes the same numbers, compiled.)"""
        key = child(person_key, tag)
        on_time_rate, fill_rate, accuracy, invoice_accuracy, problem_rate, promised = self.rates
        u_on_time, u_complete = uniform_pair(key, ON_TIME_COMPLETE)
        u_accurate, u_invoice = uniform_pair(key, ACCURATE_INVOICE)
        u_product, u_claim = uniform_pair(key, PRODUCT_CLAIM)
        on_time = u_on_time < on_time_rate
        if on_time:
            lead = self.lead_time(key, LEAD)
            lead = lead if lead <= promised else promised  # min(lead, promised), without the call
            late_by = 0.0
        else:
            late_by = self.late_delay(key, LATE)
            lead = promised + late_by
        return (key, self.order_value(key, VALUE), on_time, u_complete < fill_rate, u_accurate < accuracy,
                u_invoice < invoice_accuracy, u_product >= problem_rate, u_claim, lead, late_by)

    def order(self, person_key: int, tag: int, level: int, day: int, initial: bool) -> OrderOutcome:
        """An order of key ``child(person_key, tag)`` placed at loyalty ``level`` on ``day``
        (``initial``: a first purchase): its draws (:meth:`draws`), its value times the level's
        multiplier, the day's counters (:data:`~sim.model.compiled.ORDER_COUNTERS`) added to;
        returns what its delivery needs. (The reference; :func:`sim.model.compiled.order_counted`
        does the same, compiled.)"""
        key, value, on_time, complete, accurate, invoice_ok, product_ok, u_claim, lead, late_by = self.draws(
            person_key, tag)
        value = value * self.value_multiplier[level]
        perfect = on_time and complete and accurate and invoice_ok
        row = self.counted[day]
        row[ORDERS_AT] += 1.0
        row[INITIAL_AT if initial else REPEAT_AT] += 1.0
        row[REVENUE_AT] += value
        row[REVENUE_LEVEL_AT + level - 1] += value
        row[ON_TIME_AT] += on_time
        row[COMPLETE_AT] += complete
        row[ACCURATE_AT] += accurate
        row[INVOICE_OK_AT] += invoice_ok
        row[PERFECT_AT] += perfect
        row[LEAD_SUM_AT] += lead
        return key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok, u_claim, lead

    def place_order(self, person: int, initial: bool) -> None:
        people = self.people
        now = self.env.now
        n = people.orders[person]
        level = people.level[person]  # the level the order is placed at (before any promotion it brings)
        params = self.compiled_params
        if params is not None:  # the compiled draws and counters (sim.model.compiled): the numbers of self.order
            key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok, u_claim, lead = self._order_counted(
                people.key[person], ORDER_TAGS + n, params, level, int(now), initial, self.counted)
        else:
            key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok, u_claim, lead = self.order(
                people.key[person], ORDER_TAGS + n, level, int(now), initial)
        people.orders[person] = n + 1
        people.revenue[person] += value
        self._on_order(person)
        outcome = (person, now, key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok, u_claim)
        if self.chain is not None:
            self.chain.push_delivery(now + lead, outcome)
            return
        self._at(now + lead, outcome, self._deliver_callback)  # as Timeout(env, lead, outcome) would

    def _deliver(self, event: Entry) -> None:
        self.deliver(event[EVENT_VALUE])

    def deliver(self, delivery: tuple[int, float, int, float, bool, float, bool, bool, bool, bool, float]) -> None:
        """An order delivered now: (person, placed, key, value, perfect, days late, complete,
        accurate, invoice right, product fine, the claim's uniform)."""
        person, placed, key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok, u_claim = delivery
        people = self.people
        if people.status[person] != CUSTOMER or people.joined[person] > placed:
            return  # no longer a customer, or an order of an earlier spell (won back since)
        satisfaction = self.satisfaction
        if perfect:  # nothing failed: responsiveness and reliability are 1, no guarantee, no problem
            felt = satisfaction.feel(person, satisfaction.perfect_order_score)  # fulfilment_score(1.0, 1.0)
            # The experience's key is read only by a telling, which a neutral experience has not
            # (Satisfaction.respond): it is made only when it may be needed (a hash saved a time).
            satisfaction.respond(person, felt, self._child(key, DELIVERY_TAG) if felt != NEUTRAL else 0)
        else:  # a problem: the customer voices it or not, and decides at its end
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
            lift = 0.0
            guarantee = f.guarantee
            if guarantee.enabled and u_claim < guarantee.claim_probability:
                self.guarantee_payout[int(self.env.now)] += guarantee.refund_share_of_order_value * value
                lift = guarantee.satisfaction_boost
            felt = satisfaction.feel(person, satisfaction.fulfilment_score(responsiveness, reliability), lift=lift)
            self.episodes.open(person, FAILED_ORDER, SERVICE, self._child(key, ORDER_PROBLEM_TAG), felt)
        if not product_ok and people.status[person] == CUSTOMER:
            felt = satisfaction.feel(person, satisfaction.product_problem_score, about=PRODUCT)
            self.episodes.open(person, DISAPPOINTING_PRODUCT, PRODUCT, self._child(key, PRODUCT_PROBLEM_TAG), felt)
