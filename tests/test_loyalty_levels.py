"""Each loyalty level's behaviour acts, a level move redraws the clock, and the loyalty KPIs.

Statistical checks use small closed configurations where the expected count is known in
closed form, with a threshold of 4.4 standard deviations of the estimator (two-sided,
about 1 in 100 000 for a correct model); every other mechanism that could move the count
is switched off. The KPI checks are hand-computed on a replication built by hand.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from stubs import Joins, reach_only

from sim import ScenarioError, load_scenario
from sim.core.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.core.later import ID, VALUE, Entry
from sim.core.recorder import CHURN_FIELDS, DAILY, ReplicationResult
from sim.core.rng import child
from sim.core.world import CUSTOMER
from sim.model import customers as customers_module
from sim.model.customers import Customers
from sim.model.replication import Model, run_replication
from sim.outputs.kpis import kpis
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
Z = 4.4  # two-sided, about 1e-5
TINY = 1e-9


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def levels(**each: float) -> dict[str, Any]:
    """The three levels alike (multipliers 1, no telling), but for ``each``."""
    one = {"order_rate_multiplier": 1.0, "order_value_multiplier": 1.0, "churn_propensity_multiplier": 1.0,
           "tell_probability_happy": 0.0, "recommendation_weight": 1.0, **each}
    return {f"level{n}": dict(one) for n in (1, 2, 3)}


# A closed market of customers who all start at one level and never move: every experience
# is neutral (scored within 0.01 of 0.5, between the thresholds 0 and 1), no one joins or tells.
STILL: dict[str, Any] = {
    "seed": 7, "replications": 1, "horizon_days": 60, "warmup_days": 0,
    "market": {"turnover_per_year": 0, "initial_former_share": 0, "initial_complaints_remembered": 0, "population": 1000, "initial_customers": 1000, "network": {"kind": "fully_mixed"}},
    "acquisition": {"advertising_rate_per_year": 0.0, "conversion_per_recommendation": 0.0},
    "customers": {"orders_per_month": {"mean": 2.0, "cv": 0.0}, "questions_per_month": 0.0,
                  "churn_propensity_cv": 0.0},
    "fulfilment": {"contact_probability_if_failed": 0.0, "product_problem_rate": 0.0},
    "satisfaction": {"sensitivity": 0.01, "happy_threshold": 1.0, "unhappy_threshold": 0.0},
    "word_of_mouth": {"tell_probability_unhappy": 0.0, "leave_per_complaint_heard": 0.0},
    "attrition": {
        "died_per_year": 0.0, "competition_per_year": 0.0,
        "poor_service_per_year": {"at_full_satisfaction": TINY, "at_zero_satisfaction": TINY},
        "leave_after_problem": {"silent": 0.0, "complained_unresolved": 0.0, "complained_resolved": 0.0,
                                "complained_resolved_quickly": 0.0},  # a failed order ends in staying
    },
    "loyalty": {"orders_for_repeat": 100, "levels": levels()},  # level 1 stays level 1 too
}


def at_level(level: int, *layers: dict[str, Any]) -> Scenario:
    data = merge(STILL, {"market": {"initial_loyalty_mix": {f"level{n}": float(n == level) for n in (1, 2, 3)}}})
    for layer in layers:
        data = merge(data, layer)
    return Scenario.model_validate(data)


def with_level(level: int, **values: float) -> dict[str, Any]:
    return {"loyalty": {"levels": {f"level{level}": values}}}


@pytest.mark.parametrize("level", [1, 2, 3])
def test_customers_order_at_their_levels_multiplied_rate(level: int) -> None:
    multiplier = 1.5
    sc = at_level(level, with_level(level, order_rate_multiplier=multiplier))
    result = run_replication(sc, 0)
    orders = result.daily["orders"].sum()
    assert result.daily[f"active_level{level}"][-1] == 1000  # nobody moved or left
    expected = 1000 * 2.0 * multiplier / DAYS_PER_MONTH * sc.horizon_days  # Poisson count
    assert abs(orders - expected) <= Z * math.sqrt(expected), (orders, expected)


def test_order_value_is_multiplied_at_the_level_the_order_is_placed_at() -> None:
    sc = at_level(3, with_level(3, order_value_multiplier=1.4),
                  {"customers": {"order_value": {"distribution": "fixed", "mean": 50.0}}})
    result = run_replication(sc, 0)
    d = result.daily
    orders = d["orders"].sum()
    assert orders > 0
    assert d["revenue"].sum() == pytest.approx(orders * 50.0 * 1.4)
    assert d["revenue_level3"].sum() == pytest.approx(d["revenue"].sum())
    assert d["revenue_level1"].sum() == d["revenue_level2"].sum() == 0


@pytest.mark.parametrize("level", [2, 3])
def test_the_churn_propensity_multiplier_scales_the_time_based_hazards(level: int) -> None:
    hazard, multiplier = 1.0, 0.5  # per year
    sc = at_level(level, with_level(level, churn_propensity_multiplier=multiplier),
                  {"customers": {"orders_per_month": {"mean": 0.0, "cv": 0.0}},
                   "attrition": {"died_per_year": hazard}, "market": {"population": 3000, "initial_customers": 3000}})
    result = run_replication(sc, 0)
    churned = result.daily["churned_died"].sum()
    p = 1 - math.exp(-hazard * multiplier * sc.horizon_days / DAYS_PER_YEAR)  # each customer, independently
    n = 3000
    assert abs(churned - n * p) <= Z * math.sqrt(n * p * (1 - p)), (churned, n * p)


def _word_of_mouth_model(level: int, tell: float, weight: float) -> tuple[Model, int, int, Joins]:
    sc = at_level(level, with_level(level, tell_probability_happy=tell, recommendation_weight=weight),
                  {"acquisition": {"conversion_per_recommendation": 0.1},
                   "market": {"population": 1000, "initial_customers": 999}})
    m = Model(sc, 0)
    people = m.world.people
    prospect = int(np.flatnonzero(people.view("status") != CUSTOMER)[0])
    teller = int(np.flatnonzero(people.view("status") == CUSTOMER)[0])
    joins = Joins()
    reach_only(m.word_of_mouth, [prospect])
    m.joining.customers = joins  # type: ignore[assignment]
    return m, teller, prospect, joins


@pytest.mark.parametrize(("level", "tell"), [(1, 0.2), (2, 0.35), (3, 0.7)])
def test_a_happy_experience_is_told_with_the_levels_chance(level: int, tell: float) -> None:
    m, teller, _, _ = _word_of_mouth_model(level, tell, 1.0)
    trials = 4000
    for k in range(trials):
        m.word_of_mouth.tell(teller, True, child(0xABC, k))
    told = m.world.record.counts("happy_tellers").sum()
    assert abs(told / trials - tell) <= Z * math.sqrt(tell * (1 - tell) / trials), (told / trials, tell)


@pytest.mark.parametrize(("level", "weight"), [(2, 3.0), (3, 0.5), (3, 20.0)])
def test_a_recommendation_converts_with_the_tellers_weight(level: int, weight: float) -> None:
    m, teller, prospect, joins = _word_of_mouth_model(level, 1.0, weight)
    trials = 4000
    for k in range(trials):
        m.word_of_mouth.tell(teller, True, child(0xDEF, k))
    p = min(1.0, 0.1 * weight)
    share = len(joins.joined) / trials
    assert {person for person, _ in joins.joined} == {prospect}
    assert abs(share - p) <= Z * math.sqrt(p * (1 - p) / trials) + 1e-12, (share, p)


# ------------------------------------------------------------------- the clock


def _promoting_model(order_rate_multiplier: float) -> tuple[Model, int]:
    """A level-2 customer one happy experience away from advocate (level 3)."""
    sc = at_level(2, with_level(3, order_rate_multiplier=order_rate_multiplier),
                  {"loyalty": {"happy_streak_for_advocate": 1, "advocate_min_satisfaction": 0.0}})
    m = Model(sc, 0)
    return m, int(np.flatnonzero(m.world.people.view("status") == CUSTOMER)[0])


@pytest.fixture
def python_clocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """The customers' clock events as entries of sim.core.later, handled in Python, not on the
    compiled chain's heap (sim.model.chain, where a repeat order never reaches Python): the
    mechanism looked at event by event (the chain's numbers are the same: tests/test_chain.py)."""
    monkeypatch.setattr(customers_module, "CHAIN", False)


def _queued(m: Model, eid: int) -> Entry:
    """The event of id ``eid``: on the heap of today's events, or in the bucket of a later day
    (sim.core.later); an error if it is neither (processed, or never scheduled)."""
    queued = [*m.world.env._soon, *(e for bucket in m.world.later.buckets.values() for e in bucket)]
    return next(e for e in queued if e[ID] == eid)


@pytest.mark.usefixtures("python_clocks")
def test_a_level_move_rescales_the_pending_clock_event_keeping_its_slot() -> None:
    """The pending event keeps its number (slot) and pick; its time left is stretched by
    old bound / new bound; the old event is void."""
    m, person = _promoting_model(3.0)
    people, customers, env = m.world.people, m.customers, m.world.env
    env.run(until=0.5)
    before = customers.pending[person]
    assert before >= 0
    due_before = _queued(m, before)[0]
    rate_before, n_before = people.clock_rate[person], people.clock_events[person]
    pick_before = customers.pick[person]
    m.loyalty.on_happy(person)
    assert people.level[person] == 3
    after = customers.pending[person]
    assert after != before and after >= 0  # the old event is superseded (ignored when it fires)
    assert _queued(m, after)[VALUE] == _queued(m, before)[VALUE] == person
    assert customers.pick[person] == pick_before  # the same slot
    assert people.clock_events[person] == n_before  # no slot used up
    own = people.order_rate[person]
    rate_after = people.clock_rate[person]
    assert rate_after == pytest.approx(rate_before + 2.0 * own)  # order rate 1 -> 3 times own
    expected = env.now + (due_before - env.now) * rate_before / rate_after
    assert _queued(m, after)[0] == pytest.approx(expected, rel=1e-12)
    assert customers.due[person] == pytest.approx(expected, rel=1e-12)


@pytest.mark.usefixtures("python_clocks")
def test_a_level_move_keeps_the_customers_sequence_of_clock_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run with and without a level move on day 0.5: the same slots fire in the same order (the
    same picks), the times after the move differ."""
    log: list[tuple[float, float]] = []
    watched = -1  # the customer whose clock events are logged
    on_clock = Customers._on_clock

    def spy(customers: Customers, event: Entry) -> None:  # the clock events handled, not the void ones
        who = event[VALUE]
        if who == watched and customers.pending[who] == event[ID]:
            log.append((customers.env.now, customers.pick[who]))
        on_clock(customers, event)

    monkeypatch.setattr(Customers, "_on_clock", spy)  # before the model is built: its events carry it

    def fired(move: bool) -> list[tuple[float, float]]:
        nonlocal watched
        log.clear()
        m, watched = _promoting_model(3.0)
        m.world.env.run(until=0.5)
        if move:
            m.loyalty.on_happy(watched)
        m.world.env.run(until=m.world.warmup + m.world.scenario.horizon_days)
        return list(log)

    plain, moved = fired(False), fired(True)
    n = min(len(plain), len(moved))
    assert n >= 3
    assert [d for _, d in plain[:n]] == [d for _, d in moved[:n]]
    assert [t for t, _ in plain[:n]] != [t for t, _ in moved[:n]]


def test_a_level_move_that_keeps_the_bound_keeps_the_clock() -> None:
    m, person = _promoting_model(1.0)  # levels 2 and 3 alike
    before, n_before = m.customers.pending[person], m.world.people.clock_events[person]
    m.loyalty.on_happy(person)
    assert m.world.people.level[person] == 3
    assert m.customers.pending[person] == before
    assert m.world.people.clock_events[person] == n_before


@pytest.mark.usefixtures("python_clocks")
def test_a_move_inside_the_customers_own_clock_event_draws_the_next_event_once() -> None:
    sc = at_level(1, with_level(2, order_rate_multiplier=2.0), {"loyalty": {"orders_for_repeat": 1}})
    m = Model(sc, 0)
    people, customers = m.world.people, m.customers
    person = int(np.flatnonzero(people.view("status") == CUSTOMER)[0])
    eid = customers.pending[person]
    assert eid >= 0
    n_before = people.clock_events[person]
    customers.pick[person] = 0.0  # this clock event is an order (pick 0), which makes a repeat customer
    customers._on_clock(_queued(m, eid))
    assert people.level[person] == 2 and people.orders[person] == 1
    assert people.clock_events[person] == n_before + 1
    assert customers.pending[person] != eid
    assert people.clock_rate[person] == pytest.approx(customers._bound(person))


# --------------------------------------------------------------------- the KPIs


def _hand_made_result() -> ReplicationResult:
    days = 3
    daily = {name: np.zeros(days) for name in DAILY}
    daily["active_level1"][:] = [4, 2, 1]
    daily["active_level2"][:] = [0, 2, 1]
    daily["active_level3"][:] = [0, 0, 2]
    daily["revenue_level1"][:] = [100, 0, 0]
    daily["revenue_level2"][:] = [0, 50, 0]
    daily["revenue_level3"][:] = [0, 0, 50]
    daily["revenue"][:] = [100, 50, 50]
    daily["orders"][:] = [2, 1, 1]
    churn = {name: np.zeros(0) for name in CHURN_FIELDS}
    return ReplicationResult(replication=0, seed=1, horizon_days=days, customers_start=4, daily=daily, churn=churn)


def test_loyalty_mix_and_revenue_share_kpis_by_hand() -> None:
    k = kpis(_hand_made_result(), Scenario())
    # the last day: 1, 1, 2 of 4 active customers
    assert (k["share_level1_end"], k["share_level2_end"], k["share_advocates_end"]) == (0.25, 0.25, 0.5)
    # customer-days: 7, 3, 2 of 12
    assert k["share_level1_mean"] == pytest.approx(7 / 12)
    assert k["share_level2_mean"] == pytest.approx(3 / 12)
    assert k["share_level3_mean"] == pytest.approx(2 / 12)
    assert (k["share_revenue_level1"], k["share_revenue_level2"], k["share_revenue_level3"]) == (0.5, 0.25, 0.25)


def test_revenue_by_level_adds_up_in_a_run() -> None:
    sc = load_scenario(ROOT / "scenarios" / "baseline.yaml",
                       ["horizon_days=30", "market.population=3000", "market.initial_customers=600"])
    result = run_replication(sc, 0)
    d = result.daily
    assert d["revenue_level1"] + d["revenue_level2"] + d["revenue_level3"] == pytest.approx(d["revenue"])
    k = kpis(result, sc)
    assert sum(k[f"share_revenue_level{n}"] for n in (1, 2, 3)) == pytest.approx(1.0)
    assert sum(k[f"share_level{n}_mean"] for n in (1, 2, 3)) == pytest.approx(1.0)
    assert k["share_level1_end"] + k["share_level2_end"] + k["share_advocates_end"] == pytest.approx(1.0)


# ------------------------------------------------------------------ migration


@pytest.mark.parametrize(("old", "new"), [
    ("word_of_mouth.tell_probability_happy", "loyalty.levels.level1.tell_probability_happy"),
    ("word_of_mouth.tell_probability_advocate", "loyalty.levels.level3.tell_probability_happy"),
    ("acquisition.advocate_conversion_multiplier", "loyalty.levels.level3.recommendation_weight"),
    ("attrition.moved_away_per_year", "market.turnover_per_year"),
    ("service.complaint_priority", "service.product_problem_priority"),
    ("service.handle_by_kind.complaint_minutes", "service.handle_by_kind.product_problem_minutes"),
])
def test_a_moved_parameter_names_its_new_place(old: str, new: str) -> None:
    with pytest.raises(ScenarioError) as error:
        load_scenario(ROOT / "scenarios" / "baseline.yaml", [f"{old}=0.5"])
    assert f"{old}: this parameter has moved to {new}" in str(error.value)
