"""The compiled chain (sim.model.chain): the customers' clock events, deliveries and the desk's
timers on a heap of its own, stepped compiled — orders, questions, deliveries and their episodes,
tellings, the desk's contacts and agents — only departures and a telling's listeners who act
followed up in Python: the same events in the same order, so the same numbers as with every event
in Python."""

from __future__ import annotations

import heapq
from typing import Any

import numpy as np
import pytest

from sim.core.later import Environment, Later
from sim.core.vocabulary import EPISODE_RESOLVED_QUICKLY, EPISODE_UNRESOLVED
from sim.core.world import CUSTOMER
from sim.model import compiled
from sim.model import customers as customers_module
from sim.model.replication import Model
from sim.scenario.schema import Scenario

pytestmark = pytest.mark.skipif(not compiled.ready(), reason="the chain needs numba")

if compiled.ready():
    from numba import njit

    from sim.model import chain

    @njit(cache=False)
    def _buckets(c: Any) -> tuple[int, bool]:
        """A chain state's ``low``, and whether a key was taken from a bucket."""
        return c.low[0], c.last[0] > 0


def small() -> Scenario:
    """3,000 people, 1,200 of them customers; repeat customers after 2 orders, advocates after 2
    happy experiences in a row, the levels' order rates 1, 1.5 and 2 times a customer's own."""
    data = Scenario.model_validate({
        "seed": 7, "horizon_days": 90, "warmup_days": 0,
        "market": {"population": 3000, "initial_customers": 1200, "initial_former_share": 0,
                   "initial_complaints_remembered": 0},
    }).model_dump()
    loyalty = data["loyalty"]
    loyalty.update(orders_for_repeat=2, happy_streak_for_advocate=2, advocate_min_satisfaction=0.0)
    loyalty["levels"]["level2"].update(order_rate_multiplier=1.5, order_value_multiplier=1.2)
    loyalty["levels"]["level3"].update(order_rate_multiplier=2.0, churn_propensity_multiplier=0.5)
    return Scenario.model_validate(data)


def changed(scenario: Scenario) -> Scenario:
    """What a repeat order and a perfect delivery read, changed: the order value, the levels'
    order-rate multipliers, the orders that make a repeat customer, how an experience is felt,
    when a customer becomes an advocate, the chances of telling, how many are told (more than
    the buffers had room for), what a recommendation and a complaint do to those told, what a
    clock's bound is made of (the question rate, a level's churn propensity), the time-based
    hazards (a competitor's shock, poor service)."""
    data = scenario.model_dump()
    data["satisfaction"].update(sensitivity=data["satisfaction"]["sensitivity"] * 1.5, learning_rate=0.4)
    data["loyalty"]["happy_streak_for_advocate"] = 3
    data["loyalty"]["levels"]["level1"]["tell_probability_happy"] = 0.9
    data["word_of_mouth"]["tell_probability_unhappy"] = 0.95
    data["customers"]["order_value"] = {"distribution": "lognormal", "mean": 140.0, "cv": 0.5}
    data["loyalty"]["orders_for_repeat"] = 3
    data["loyalty"]["levels"]["level2"]["order_rate_multiplier"] = 1.8
    data["fulfilment"]["on_time_rate"] = 0.7
    data["word_of_mouth"].update(told_by_happy={"min": 8, "max": 30}, leave_per_complaint_heard=0.2)
    data["customers"]["questions_per_month"] = data["customers"]["questions_per_month"] * 2.0
    data["loyalty"]["levels"]["level3"]["churn_propensity_multiplier"] = 0.25
    data["attrition"].update(competitor_shocks=[{"start_day": 40, "duration_days": 30, "hazard_multiplier": 4.0}],
                             poor_service_per_year={"at_full_satisfaction": 0.1, "at_zero_satisfaction": 3.0})
    data["acquisition"].update(conversion_per_recommendation=0.3, deterrence_per_complaint_heard=0.6,
                               complaint_memory_half_life_days=20.0, winback_cooloff_days=5)
    return Scenario.model_validate(data)


def grumpy(scenario: Scenario) -> Scenario:
    """Customers who feel most perfect deliveries as unhappy experiences (and tell them)."""
    data = scenario.model_dump()
    data["satisfaction"].update(happy_threshold=0.97, unhappy_threshold=0.95)
    return Scenario.model_validate(data)


def busy_desk(scenario: Scenario) -> Scenario:
    """A desk that queues: two agents (three in the mornings, none at lunch on weekdays), shorter
    hours six days a week, impatient customers who retry, product problems voiced often and taken
    first, handled by a gamma time of their own, a share of contacts put off to later in the day,
    resolutions that fail; a service guarantee; customers who leave after episodes more readily."""
    data = scenario.model_dump()
    data["customers"]["questions_per_month"] = 0.6
    data["service"].update(
        agents=2, opening_hours={"start_hour": 8.0, "end_hour": 17.5, "days_per_week": 6},
        staffing=[{"start_hour": 8.0, "end_hour": 11.0, "agents": 3, "days": [0, 1, 2, 3, 4]},
                  {"start_hour": 12.0, "end_hour": 13.0, "agents": 0, "days": [0, 1, 2, 3, 4]}],
        patience_minutes={"distribution": "lognormal", "mean": 6.0, "cv": 0.8}, retry_after_abandon=0.7,
        first_contact_resolution=0.55, later_contact_resolution=0.6, complaint_share=0.5,
        product_problem_priority=True,
        handle_by_kind={"question_minutes": None, "order_problem_minutes": None,
                        "product_problem_minutes": {"distribution": "gamma", "mean": 15.0, "cv": 0.7}},
        arrival_profile={**data["service"]["arrival_profile"], "delay_share_while_open": 0.3})
    data["attrition"]["leave_after_problem"] = {"silent": 0.1, "complained_unresolved": 0.3,
                                                "complained_resolved": 0.1, "complained_resolved_quickly": 0.05}
    data["fulfilment"]["guarantee"]["enabled"] = True
    return Scenario.model_validate(data)


def desk_changed(scenario: Scenario) -> Scenario:
    """What the desk reads, changed: longer hours every day (contacts put off are timed again), one
    agent (the others let go), a flat arrival profile, no priority, other handle times, patience
    and resolutions, scores, the recovery bonus, what counts as quick, the chances of leaving and of
    voicing a problem, how a failed order and a disappointing product score, the guarantee."""
    data = changed(scenario).model_dump()
    data["service"].update(
        agents=1, staffing=[], opening_hours={"start_hour": 7.0, "end_hour": 20.0, "days_per_week": 7},
        handle_minutes={"distribution": "exponential", "mean": 9.0}, product_problem_priority=False,
        patience_minutes={"distribution": "exponential", "mean": 9.0}, retry_after_abandon=0.4,
        first_contact_resolution=0.8, later_contact_resolution=0.5, max_contacts_per_problem=2,
        recontact_delay_days=0.5, unresolved_satisfaction_penalty=0.1, quick_resolution_hours=30.0,
        arrival_profile={"weights_by_hour": [1.0] * 24, "delay_share_while_open": 0.1})
    data["satisfaction"]["recovery_bonus"] = 0.3
    data["service_quality"].update(wait_tolerance_minutes=6.0, assurance=0.5)
    data["attrition"]["leave_after_problem"]["complained_unresolved"] = 0.5
    data["fulfilment"].update(contact_probability_if_failed=0.3,
                              failure_severity={"incomplete": 0.3, "wrong_items": 0.9, "invoice_error": 0.5},
                              guarantee={"enabled": True, "refund_share_of_order_value": 1.0, "claim_probability": 0.8,
                                         "satisfaction_boost": 0.3})
    data["service"]["complaint_share"] = 0.2
    data["satisfaction"]["product_problem_score"] = 0.2
    data["service_quality"]["late_tolerance_days"] = 1.5
    return Scenario.model_validate(data)


@pytest.mark.parametrize("variant", ["as_is", "grumpy", "desk"])
def test_a_run_on_the_chain_is_the_run_with_every_event_in_python(monkeypatch: pytest.MonkeyPatch,
                                                                  variant: str) -> None:
    """Every array of the result the same with the chain and without it (its events as entries
    of sim.core.later, handled in Python), through promotions and demotions (whose multipliers
    move the clocks' bounds) and a change of scenario on day 30 that changes what a repeat order,
    a perfect delivery and its telling read (fails if the chain keeps the old parameters of any:
    checked); with tellings done compiled whose listeners join (as is) or leave (grumpy)."""
    scenario = {"as_is": small, "grumpy": lambda: grumpy(small()), "desk": lambda: busy_desk(small())}[variant]()
    changes = [(30.5, desk_changed(scenario))] if variant == "desk" else [(30.0, changed(scenario))]
    on_chain = Model(scenario, 0)
    assert on_chain.customers.chain is not None
    handed_back = {"clock": 0}
    clock_event = on_chain.customers.clock_event

    def counted(person: int, eid: int) -> None:
        handed_back["clock"] += 1
        clock_event(person, eid)

    def in_python(*args: Any) -> None:
        handed_back["python"] += 1

    handed_back["python"] = 0
    the_chain = on_chain.customers.chain
    the_chain._clock = counted
    # Nothing of a delivery, an episode or the desk runs in Python (they would count here).
    on_chain.fulfilment.deliver = in_python  # type: ignore[method-assign, assignment]
    on_chain.episodes.open = in_python  # type: ignore[method-assign, assignment]
    on_chain.desk.contact = in_python  # type: ignore[method-assign, assignment]
    on_chain.desk._take_next = in_python  # type: ignore[method-assign, assignment]
    acted = the_chain._acted
    follow_ups = {True: 0, False: 0}

    def followed(joined: bool, k: int) -> None:
        follow_ups[joined] += k
        acted(joined, k)

    the_chain._acted = followed
    listen = on_chain.word_of_mouth._listen
    tellings = {"python": 0}

    def told_in_python(*args: Any) -> None:
        tellings["python"] += 1
        listen(*args)

    on_chain.word_of_mouth._listen = told_in_python  # type: ignore[method-assign, assignment]
    a = on_chain.run(changes=changes)
    monkeypatch.setattr(customers_module, "CHAIN", False)
    without = Model(scenario, 0)
    assert without.customers.chain is None
    b = without.run(changes=changes)
    repeat = a.daily["orders_repeat"].sum()
    assert repeat > 2_000 and a.daily["orders_initial"].sum() > 50
    assert handed_back["clock"] < repeat / 2  # most repeat orders (and every question) were stepped compiled
    assert handed_back["python"] == 0 and a.daily["episodes"].sum() > 100 and a.daily["contacts"].sum() > 100
    # Tellings were done compiled, and the listeners who join or leave followed up in Python.
    tellers = a.daily["happy_tellers"].sum() + a.daily["unhappy_tellers"].sum()
    assert tellers > 500 and tellings["python"] == 0  # every telling compiled (Satisfaction.respond)
    assert follow_ups[variant != "grumpy"] > 20
    if variant == "desk":  # the desk was busy: queues, abandonment, retries, overtime, every outcome
        for name in ("abandoned", "waited", "product_problem_contacts", "first_contacts_resolved",
                     "overtime_agent_hours", "episodes_unresolved", "episodes_resolved", "episodes_resolved_quickly",
                     "episodes_silent", "guarantee_payout"):
            assert a.daily[name].sum() > 10, name
        closed = (a.churn["path"] >= EPISODE_UNRESOLVED) & (a.churn["path"] <= EPISODE_RESOLVED_QUICKLY)
        assert closed.sum() > 10  # departures after episodes the desk closed
    for table in ("daily", "churn", "hourly"):
        x, y = getattr(a, table), getattr(b, table)
        assert x.keys() == y.keys()
        for name in x:
            assert np.array_equal(x[name], y[name], equal_nan=True), (table, name)


@pytest.mark.parametrize("low", [chain.LOW if compiled.ready() else 6, 20])
def test_the_far_buckets_change_no_number(monkeypatch: pytest.MonkeyPatch, low: int) -> None:
    """A market with the far buckets (BUCKETS_FROM lowered to its size; the near heap within 2**low
    of the last key) gives every array of the result that the heap alone gives, through a busy
    desk (many events at one time: ties by id) and a change of scenario mid-run; and the events
    did go through the buckets."""
    scenario = busy_desk(small())
    changes = [(30.5, desk_changed(scenario))]
    alone = Model(scenario, 0).run(changes=changes)
    monkeypatch.setattr(chain, "BUCKETS_FROM", 0)
    monkeypatch.setattr(chain, "LOW", low)
    model = Model(scenario, 0)
    assert model.customers.chain is not None
    state = model.customers.chain.state
    a = model.run(changes=changes)
    assert _buckets(state) == (low, True)  # the buckets' setting, and a key taken from one
    for table in ("daily", "churn", "hourly"):
        x, y = getattr(a, table), getattr(alone, table)
        for name in x:
            assert np.array_equal(x[name], y[name], equal_nan=True), (table, name)


def test_an_event_before_the_last_key_goes_on_the_heap_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the far buckets, the last key can run ahead of the simulated time (the heap refilled
    from a bucket at a later day): an event scheduled between the two still comes out first."""
    monkeypatch.setattr(chain, "BUCKETS_FROM", 0)
    k = chain.kernels()
    state = _state(4)
    for person, time in enumerate((5.0, 9.0, 40.0)):
        _leaving(k, state, time, person)
    assert k.head_time(state) == 5.0 and _buckets(state) == (chain.LOW, True)  # refilled: the last key at day 5
    assert k.run(state, np.inf, 0, 0, 1 << 62)[:2] == (chain.CLOCK, 5.0)
    assert k.head_time(state) == 9.0  # refilled again
    _leaving(k, state, 6.0, 3)  # before the last key (day 9's)
    got = [k.run(state, np.inf, 0, 0, 1 << 62)[1] for _ in range(3)]
    assert got == [6.0, 9.0, 40.0] and k.waiting(state) == 0


def test_every_entry_point_is_called_past_the_dispatcher() -> None:
    """Each kernel Python calls has one compiled signature, whose entry point Kernels holds
    (compiled.direct): a kernel the others call too would get a second, of literal arguments, on a
    fresh compile — and numba's dispatcher, then called, may pick it for a key past 2**63."""
    from numba.core.registry import CPUDispatcher

    k = chain.kernels()
    entry_points = {name: value for name, value in vars(k).items() if callable(value)}
    assert len(entry_points) > 15
    assert not [name for name, value in entry_points.items() if isinstance(value, CPUDispatcher)]


def _state(people: int = 4, ids: int = 0) -> Any:
    """A chain's state for ``people`` customers (the kernels' own types)."""
    return chain.toy_state(people, ids, status=np.full(people, CUSTOMER, np.int8))


def _leaving(k: Any, state: Any, time: float, person: int) -> int:
    """A clock event of the toy state's: a cause of leaving that fires, which the kernel hands back."""
    return int(k.push_clock(state, person, time))


@pytest.mark.parametrize("buckets", [False, True])
def test_the_heap_hands_events_back_by_time_then_id_and_grows(monkeypatch: pytest.MonkeyPatch, buckets: bool) -> None:
    """Clock events pushed at times with many ties come back in the order of (time, id) — heapq's
    over the same pairs — each with its person, past two doublings of the heap (which starts at a
    quarter of the people here) or, with the far buckets, of the buckets; deliveries past two
    doublings of their slots (1,024 to begin with) are all stepped."""
    if buckets:
        monkeypatch.setattr(chain, "BUCKETS_FROM", 0)
    k = chain.kernels()
    state = chain.toy_state(3000, status=np.full(3000, CUSTOMER, np.int8), pick=0.99)
    rng = np.random.default_rng(5)
    times = (np.floor(rng.random(3000) * 200) / 4).tolist()  # 0, 0.25, ...: many ties
    expected: list[tuple[float, int, int]] = []
    for person, time in enumerate(times):
        eid = _leaving(k, state, time, person)
        heapq.heappush(expected, (time, eid, person))
    assert k.waiting(state) == 3000 and k.head_time(state) == expected[0][0]
    got = []
    while True:
        kind, time, eid, person, slot = k.run(state, np.inf, 0, 0, 1 << 62)
        if kind < 0:
            break
        assert kind == chain.CLOCK
        got.append((time, eid, person))
    assert got == [heapq.heappop(expected) for _ in range(len(got))] and len(got) == 3000
    assert k.waiting(state) == 0 and k.head_time(state) == np.inf
    # Deliveries to people no longer customers (state: nobody is one) are dropped when they come.
    state = chain.toy_state(4)
    for n in range(3000):
        k.push_delivery(state, 1.0 + n % 7, n % 4, 0.0, 1, 1.0, True, 0.0, True, True, True, True, 0.5)
    assert k.waiting(state) == 3000
    assert k.run(state, np.inf, 0, 0, 1 << 62)[0] == chain.NOTHING and k.waiting(state) == 0


def test_the_prefetch_hint_is_nothing_where_llvm_will_not_compile_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """chain._hint asks for cache lines ahead (llvm.prefetch), or, where this numba's LLVM will
    not compile the intrinsic, does nothing; either way it takes any array and index, 1-d or 2-d,
    and changes nothing."""
    def fails(array: np.ndarray) -> bool:
        raise RuntimeError("LLVM will not")

    assert chain._prefetch_or_nothing() is chain._hint
    compiles = chain._prefetch_compiles
    monkeypatch.setattr(chain, "_prefetch_compiles", fails)
    assert chain._prefetch_or_nothing() is chain._no_prefetch
    one, two = np.arange(8.0), np.arange(8.0).reshape(4, 2)
    chain._no_prefetch(one, 3)
    chain._no_prefetch(two, 3)
    assert compiles(one) and compiles(two)
    assert np.array_equal(one, np.arange(8.0)) and np.array_equal(two.ravel(), np.arange(8.0))


def test_a_void_clock_event_is_dropped_and_the_limit_is_kept() -> None:
    """A clock event whose id is not its customer's pending one (rescaled, or of an earlier
    spell), or whose person is no customer, is dropped on the heap; nothing is stepped at or
    after the limit (time, priority, id)."""
    k = chain.kernels()
    state = chain.toy_state(4, status=np.full(4, CUSTOMER, np.int8), pick=0.99)
    void = k.push_clock(state, 0, 1.0)
    live = k.push_clock(state, 0, 2.0)  # person 0's pending event now: the first is void
    other = k.push_clock(state, 1, 3.0)
    # Not before (2.0, normal, live): nothing handed back, nothing stepped.
    assert k.run(state, 2.0, 1, live - 1, 1 << 62)[0] == chain.NOTHING
    assert k.waiting(state) == 2  # the void one dropped on the way
    kind, time, eid, person, _ = k.run(state, 2.0, 1, live + 1, 1 << 62)
    assert (kind, time, eid, person) == (chain.CLOCK, 2.0, live, 0)  # a pick of 0.99: no order, handed back
    assert void < live < other


def test_the_environment_steps_the_three_heaps_in_one_order_of_ids_at_a_tie() -> None:
    """Events at the same time on the chain's heap, on Later's and in SimPy's queue fire in the
    order they were scheduled (their ids, from the one counter), as on one heap."""
    env = Environment()
    later = Later(env)
    fired: list[str] = []

    class Toy:
        def __init__(self) -> None:
            self.kernels = chain.kernels()
            self.state = _state(ids=next(env._eid))
            self.ids = chain.Ids(self.state)
            self.run = self.kernels.run
            env.attach(self)  # type: ignore[arg-type]  # a toy chain: what attach uses of one

        def handle(self, kind: int, eid: int, person: int, slot: int) -> None:
            fired.append(f"chain {person}")

        def head_time(self) -> float:
            return float(self.kernels.head_time(self.state))

        def waiting(self) -> int:
            return int(self.kernels.waiting(self.state))

    toy = Toy()
    _leaving(toy.kernels, toy.state, 1.0, 0)
    later.at(1.0, "later 1", lambda entry: fired.append(entry[4]))
    _leaving(toy.kernels, toy.state, 1.0, 2)
    timeout = env.timeout(1.0)
    timeout.callbacks.append(lambda _: fired.append("simpy"))
    later.at(1.0, "later 2", lambda entry: fired.append(entry[4]))
    _leaving(toy.kernels, toy.state, 0.5, 1)
    assert env.peek() == 0.5 and env.waiting() >= 5
    env.run(until=2.0)
    assert fired == ["chain 1", "chain 0", "later 1", "chain 2", "simpy", "later 2"]
    _leaving(toy.kernels, toy.state, 2.5, 3)  # one event at a time, by step()
    while not fired[-1] == "chain 3":
        env.step()
    assert env.now == 2.5 and toy.waiting() == 0
