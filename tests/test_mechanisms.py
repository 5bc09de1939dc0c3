"""Unit tests of each mechanism: fulfilment, desk hours, satisfaction, loyalty, word of
mouth, attrition (thinning) and economics.

Two kinds of test: components of a freshly built :class:`sim.model.replication.Model` called directly
with hand-set state (exact checks), and short replications whose daily counters are
compared with the parameters that produced them (binomial or Poisson 99.9 % intervals;
the seeds are fixed, so every test is deterministic).
"""

from __future__ import annotations

import copy
import itertools
import math
import random
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from stubs import Joins, reach_only

from sim.core.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.core.rng import child, uniform, uniform_pair
from sim.core.vocabulary import (
    ADVERTISING,
    CAUSES,
    COMPETITION,
    DIED,
    DISAPPOINTING_PRODUCT,
    EPISODE_SILENT,
    FAILED_ORDER,
    FRIENDS_INFLUENCE,
    HAPPY,
    HAZARD,
    NEUTRAL,
    ORDER_PROBLEM,
    POOR_SERVICE,
    PRODUCT,
    PRODUCT_DISSATISFACTION,
    PRODUCT_PROBLEM,
    QUESTION,
    REFERRAL,
    SERVICE,
    UNHAPPY,
    WINBACK,
    WORD_OF_MOUTH,
)
from sim.core.world import CUSTOMER, FORMER, PROSPECT
from sim.model import customers as customers_module
from sim.model.desk import Contact, OpeningHours
from sim.model.episodes import Episode
from sim.model.replication import Model, run_replication
from sim.model.word_of_mouth import LISTENERS, Decisions
from sim.outputs.economics import daily_economics, lifetime_value, npv
from sim.outputs.kpis import kpis
from sim.scenario.schema import EconomicsSpec, Scenario

Z = 3.2905  # two-sided 99.9 % normal quantile
TINY = 1e-9  # a hazard that is as good as off (valid whether or not 0 is allowed)
_KEYS = itertools.count(1)


def next_key() -> int:
    """A fresh draw key (sim.core.rng), as the model gives every experience a key of its own."""
    return child(0x5EED, next(_KEYS))


def merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


BASE: dict[str, Any] = {
    "seed": 2024,
    "replications": 1,
    "horizon_days": 60,
    "warmup_days": 0,
    # a closed market: nobody moves in or out, no former customers, no complaints remembered
    "market": {"population": 3000, "initial_customers": 1000, "turnover_per_year": 0, "initial_former_share": 0, "initial_complaints_remembered": 0},
}

def levels(**each: float) -> dict[str, Any]:
    """``loyalty.levels`` with the three levels alike: multipliers 1 and no telling of happy
    experiences, but for what ``each`` sets."""
    one = {"order_rate_multiplier": 1.0, "order_value_multiplier": 1.0, "churn_propensity_multiplier": 1.0,
           "tell_probability_happy": 0.0, "recommendation_weight": 1.0, **each}
    return {f"level{n}": dict(one) for n in (1, 2, 3)}


# Everything that moves customers in or out switched off, and the loyalty levels alike; tests
# switch on what they study.
QUIET: dict[str, Any] = {
    "acquisition": {"advertising_rate_per_year": 0.0, "conversion_per_recommendation": 0.0},
    "word_of_mouth": {"tell_probability_unhappy": 0.0, "leave_per_complaint_heard": 0.0},
    "loyalty": {"levels": levels()},
    "service": {"complaint_share": 0.0},
    "attrition": {
        "died_per_year": 0.0, "competition_per_year": 0.0,
        "poor_service_per_year": {"at_full_satisfaction": TINY, "at_zero_satisfaction": TINY},
        "leave_after_problem": {
            "silent": 0.0, "complained_unresolved": 0.0,
            "complained_resolved": 0.0, "complained_resolved_quickly": 0.0,
        },
    },
}


def scenario(*layers: dict[str, Any]) -> Scenario:
    data = BASE
    for layer in layers:
        data = merge(data, layer)
    return Scenario.model_validate(data)


def binomial_ok(successes: float, trials: float, p: float) -> bool:
    return abs(successes / trials - p) <= Z * math.sqrt(p * (1 - p) / trials)


def poisson_ok(count: float, exposure: float, rate: float) -> bool:
    """``count`` events over ``exposure`` (e.g. customer-years) at ``rate``, 99.9 %."""
    expected = rate * exposure
    return abs(count - expected) <= Z * math.sqrt(expected) + 1


def a_customer(model: Model, level: int | None = None) -> int:
    people = model.world.people
    for person in range(people.size):
        if people.status[person] == CUSTOMER and (level is None or people.level[person] == level):
            return person
    raise AssertionError("no such customer")


def a_prospect(model: Model) -> int:
    return int(np.flatnonzero(model.world.people.view("status") == PROSPECT)[0])


def level_counts_agree(model: Model) -> bool:
    people = model.world.people
    status, level = people.view("status"), people.view("level")
    actual = [int(((status == CUSTOMER) & (level == lv)).sum()) for lv in (1, 2, 3)]
    return actual == model.world.level_counts[1:].tolist()


# ============================================================ fulfilment

FULFILMENT = {
    "market": {"population": 3000, "initial_customers": 3000},
    "customers": {"orders_per_month": {"mean": 4.0, "cv": 0.5}, "questions_per_month": 0.0},
    "fulfilment": {
        "on_time_rate": 0.7, "order_fill_rate": 0.8, "order_accuracy": 0.9, "invoice_accuracy": 0.85,
        "promised_lead_time_days": 3.0,
        "lead_time_days": {"distribution": "fixed", "mean": 4.0},  # above the promise: capped
        "late_delay_days": {"distribution": "fixed", "mean": 1.5},
        "contact_probability_if_failed": 0.0,
    },
    "horizon_days": 40,
}


@pytest.fixture(scope="module")
def fulfilment_run() -> tuple[Scenario, dict[str, float]]:
    sc = scenario(QUIET, FULFILMENT)
    model = Model(sc, 0)
    order_rates = float(model.world.people.view("order_rate").sum())  # everyone is a customer
    result = model.run()
    total = {name: float(values.sum()) for name, values in result.daily.items()}
    total["expected_orders"] = order_rates * sc.horizon_days
    total["churned"] = float(len(result.churn["day"]))
    return sc, total


@pytest.mark.parametrize(
    ("counter", "rate"),
    [("orders_on_time", "on_time_rate"), ("orders_complete", "order_fill_rate"),
     ("orders_accurate", "order_accuracy"), ("orders_invoice_ok", "invoice_accuracy")],
)
def test_fulfilment_outcome_frequencies_match_the_rates(
    fulfilment_run: tuple[Scenario, dict[str, float]], counter: str, rate: str
) -> None:
    sc, total = fulfilment_run
    assert total["orders"] > 10_000
    p = getattr(sc.fulfilment, rate)
    assert binomial_ok(total[counter], total["orders"], p), (total[counter] / total["orders"], p)


def test_perfect_order_rate_is_the_product_of_the_four(
    fulfilment_run: tuple[Scenario, dict[str, float]]
) -> None:
    sc, total = fulfilment_run
    f = sc.fulfilment
    p = f.on_time_rate * f.order_fill_rate * f.order_accuracy * f.invoice_accuracy
    assert binomial_ok(total["orders_perfect"], total["orders"], p), (total["orders_perfect"] / total["orders"], p)
    assert total["orders_perfect"] <= min(total[c] for c in ("orders_on_time", "orders_complete",
                                                              "orders_accurate", "orders_invoice_ok"))


def test_order_rate_and_lead_times(fulfilment_run: tuple[Scenario, dict[str, float]]) -> None:
    sc, total = fulfilment_run
    # nobody leaves, so the orders are Poisson at the sum of the customers' order rates
    assert total["churned"] == 0
    assert poisson_ok(total["orders"], 1.0, total["expected_orders"])
    assert total["expected_orders"] == pytest.approx(3000 * 4.0 / DAYS_PER_MONTH * sc.horizon_days, rel=0.05)
    assert total["orders_repeat"] == total["orders"] and total["orders_initial"] == 0
    # on time: the lead time of 4 days is capped at the 3-day promise; late: promise + 1.5
    late = total["orders"] - total["orders_on_time"]
    assert total["lead_time_days_sum"] == pytest.approx(3.0 * total["orders_on_time"] + 4.5 * late)


@pytest.mark.parametrize("guarantee", [False, True])
def test_an_honoured_guarantee_turns_unhappy_late_deliveries_neutral(guarantee: bool) -> None:
    sc = scenario(QUIET, {
        "horizon_days": 20,
        "customers": {"expectation": {"mean": 0.75, "sd": 0.01}, "questions_per_month": 0.0,
                      "orders_per_month": {"mean": 2.0, "cv": 0.5}},
        "fulfilment": {
            "on_time_rate": 0.0, "late_delay_days": {"distribution": "fixed", "mean": 3.0},
            "order_fill_rate": 1.0, "order_accuracy": 1.0, "invoice_accuracy": 1.0,
            "product_problem_rate": 0.0, "contact_probability_if_failed": 0.0,
            "guarantee": {"enabled": guarantee, "claim_probability": 1.0, "satisfaction_boost": 0.5,
                          "refund_share_of_order_value": 2.0},
        },
    })
    result = run_replication(sc, 0)
    # every order is 3 days late: responsiveness 0, score (0.35 + 0.1 * 0.85) / 0.75 = 0.58,
    # experience 0.5 + 2 (0.58 - 0.75) = 0.16: unhappy, or 0.66 (neutral) with the guarantee
    unhappy = result.daily["unhappy_experiences"].sum()
    payout = result.daily["guarantee_payout"].sum()
    if guarantee:
        assert unhappy == 0 and payout > 0
        # each delivered order is refunded twice its value; every order placed before day 14
        # arrives (6 days after it was placed) before the horizon, none placed after day 14
        assert payout >= 2 * result.daily["revenue"][:14].sum() * (1 - 1e-12)  # summed in another order
        assert payout <= 2 * result.daily["revenue"][:15].sum()
    else:
        assert unhappy > 500 and payout == 0


def test_an_order_counted_late_is_a_failed_order() -> None:
    try:
        sc = scenario(QUIET, {
            "horizon_days": 15,
            "fulfilment": {
                "on_time_rate": 0.0, "late_delay_days": {"distribution": "fixed", "mean": 0.0},
                "order_fill_rate": 1.0, "order_accuracy": 1.0, "invoice_accuracy": 1.0,
                "contact_probability_if_failed": 1.0,
                "guarantee": {"enabled": True, "claim_probability": 1.0},
            },
        })
    except ValueError:  # rejecting a zero delay for late orders would settle it too
        return
    result = run_replication(sc, 0)
    assert result.daily["orders"].sum() > 100 and result.daily["orders_on_time"].sum() == 0
    assert result.daily["guarantee_payout"].sum() > 0
    assert result.daily["order_problem_contacts"].sum() > 0


# ======================================================= desk opening hours


def test_opening_hours_is_open() -> None:
    hours = OpeningHours(9, 17, 5)
    assert not hours.always
    assert hours.is_open(0.5)  # day 0, noon
    assert hours.is_open(9 / 24)  # the opening instant itself
    assert not hours.is_open(0.3)  # 07:12
    assert not hours.is_open(17 / 24)  # closing time
    assert not hours.is_open(0.99)
    assert hours.is_open(4.5)  # the fifth day
    assert not hours.is_open(5.5) and not hours.is_open(6.5)  # days 5 and 6 closed
    assert hours.is_open(7.5) and not hours.is_open(12.5)
    always = OpeningHours(0, 24, 7)
    assert always.always and all(always.is_open(t) for t in (0.0, 0.999, 3.25, 6.9))
    night = OpeningHours(0, 24, 5)
    assert night.is_open(4.99) and not night.is_open(5.0) and not night.is_open(6.99)


def test_opening_hours_next_opening() -> None:
    hours = OpeningHours(9, 17, 5)
    start = 9 / 24
    assert hours.next_opening(0.5) == 0.5
    assert hours.next_opening(0.1) == pytest.approx(start)
    assert hours.next_opening(0.8) == pytest.approx(1 + start)
    assert hours.next_opening(4.8) == pytest.approx(7 + start)  # Friday evening -> Monday
    assert hours.next_opening(5.5) == pytest.approx(7 + start)
    assert hours.next_opening(6.2) == pytest.approx(7 + start)
    assert OpeningHours(0, 24, 5).next_opening(5.5) == 7.0


@pytest.mark.parametrize("hours", [(9, 17, 5), (8, 20, 7), (0, 12, 6), (22, 24, 1)])
def test_next_opening_is_the_first_open_instant(hours: tuple[float, float, int]) -> None:
    h = OpeningHours(*hours)
    for t in np.linspace(0, 21, 1009):
        nxt = h.next_opening(float(t))
        assert nxt >= t
        assert h.is_open(nxt)
        between = np.linspace(t, nxt, 50)[:-1]
        assert not any(h.is_open(float(x)) for x in between) or nxt == t


DESK = {
    "horizon_days": 21,
    "market": {"population": 2000, "initial_customers": 1500},
    "customers": {"questions_per_month": 4.0},
    "service": {
        "agents": 2, "patience_minutes": None,
        "opening_hours": {"start_hour": 9, "end_hour": 17, "days_per_week": 5},
    },
}


@pytest.fixture(scope="module")
def desk_run() -> tuple[Model, dict[str, float], list[float], list[float]]:
    with pytest.MonkeyPatch.context() as patch:  # the desk in Python, whose contacts the spies see
        patch.setattr(customers_module, "CHAIN", False)
        model = Model(scenario(QUIET, DESK), 0)
    desk, env = model.desk, model.world.env
    arrived: list[float] = []
    answered: list[float] = []
    arrive, on_answer = desk._arrive, desk._answered

    def spy_arrive(contact: Any) -> None:
        arrived.append(env.now)
        arrive(contact)

    def spy_answered(contact: Any, wait: float, handle: float) -> None:
        answered.append(env.now)
        on_answer(contact, wait, handle)

    desk._arrive = spy_arrive  # type: ignore[method-assign]
    desk._answered = spy_answered  # type: ignore[method-assign, assignment]
    result = model.run()
    total = {name: float(values.sum()) for name, values in result.daily.items()}
    return model, total, arrived, answered


def test_contacts_arrive_and_are_answered_only_while_open(
    desk_run: tuple[Model, dict[str, float], list[float], list[float]]
) -> None:
    model, total, arrived, answered = desk_run
    assert len(arrived) > 500 and len(answered) > 500
    assert len(arrived) == total["contacts"] and len(answered) == total["answered"]
    hours = model.desk.hours
    assert all(hours.is_open(t) for t in arrived)
    assert all(hours.is_open(t) for t in answered)
    days = {int(t) for t in answered}
    assert not any(d % 7 >= 5 for d in days)
    assert {0, 1, 2, 3, 4, 7, 8} <= days


def test_patient_customers_never_abandon_and_first_contacts_resolve_at_the_rate(
    desk_run: tuple[Model, dict[str, float], list[float], list[float]]
) -> None:
    model, total, _, _ = desk_run
    assert total["abandoned"] == 0
    assert total["answered"] <= total["contacts"]
    p = model.world.scenario.service.first_contact_resolution
    assert binomial_ok(total["first_contacts_resolved"], total["first_contacts_answered"], p)
    assert total["product_problem_contacts"] == 0  # complaint_share is 0
    assert total["questions"] + total["order_problem_contacts"] == total["contacts"]


def test_a_contact_made_at_night_reaches_the_desk_during_the_next_opening(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customers_module, "CHAIN", False)  # the desk in Python, whose contacts the spies see
    model = Model(scenario(QUIET, DESK, {"customers": {"questions_per_month": 0.0,
                                                      "orders_per_month": {"mean": 0.0, "cv": 0.0}}}), 0)
    desk, env = model.desk, model.world.env
    person = a_customer(model)
    times: list[tuple[str, float]] = []
    arrive, on_answer = desk._arrive, desk._answered

    def arrived(contact: Any) -> None:
        times.append(("arrive", env.now))
        arrive(contact)

    def answered(c: Any, w: float, h: float) -> None:
        times.append(("answer", env.now))
        on_answer(c, w, h)

    desk._arrive = arrived  # type: ignore[method-assign]
    desk._answered = answered  # type: ignore[method-assign, assignment]
    env.run(until=5 + 2 / 24)  # day 5 (closed), 02:00
    desk.question(person, 0)
    assert times == []
    env.run(until=7.0)
    assert times == []  # nothing over the weekend
    env.run(until=8.0)
    assert [kind for kind, _ in times] == ["arrive", "answer"]
    assert 7 + 9 / 24 <= times[0][1] < 7 + 17 / 24
    assert times[1][1] == times[0][1]  # an agent was free


def desk_model(**service: Any) -> Model:
    m = Model(scenario(QUIET, {
        "horizon_days": 10, "market": {"population": 3000, "initial_customers": 3000},
        "service": service, "attrition": {"leave_after_problem": {
            "silent": 0.0, "complained_unresolved": 0.3, "complained_resolved": 0.2,
            "complained_resolved_quickly": 0.1}}}), 0)
    m.world.env.run(until=2.0)  # so that a problem can have been raised a day ago
    return m


def finish(m: Model, kind: int, attempt: int = 1, opened: float = 0.0, wait: float = 0.0) -> int:
    """One contact of a customer not used before (set to expectation 0.9, satisfaction 0.5),
    finished now; an order problem or a complaint belongs to a problem episode opened
    ``opened`` days from now (≤ 0), a question to none (yet)."""
    person = getattr(m, "_used", 0)
    while m.world.people.status[person] != CUSTOMER:  # some may have left in the first days
        person += 1
    m._used = person + 1  # type: ignore[attr-defined]
    set_person(m, person, 0.9, 0.5)
    key = next_key()
    opened += m.world.env.now
    episode = None
    if kind != QUESTION:
        problem = FAILED_ORDER if kind == ORDER_PROBLEM else DISAPPOINTING_PRODUCT
        episode = Episode(person, problem, SERVICE, key, opened)
    m.desk._finish(Contact(person, kind, SERVICE, attempt, opened, key, child(key, attempt), episode), wait)
    return person


def test_a_quick_first_contact_resolution_earns_the_recovery_bonus() -> None:
    m = desk_model(first_contact_resolution=1.0, quick_resolution_hours=12)
    people, bonus = m.world.people, m.world.scenario.satisfaction.recovery_bonus
    resolved_before = m.world.record.counts("first_contacts_resolved").sum()
    score = m.satisfaction.contact_score(1.0, resolved=True, answered=True)
    value = 0.5 + 2.0 * (score - 0.9)
    assert 0.3 < value < 0.8 and value + bonus < 1  # neutral, and the bonus is not capped
    quick = finish(m, ORDER_PROBLEM)
    assert people.satisfaction[quick] == pytest.approx(0.5 + 0.3 * (value + bonus - 0.5))
    slow = finish(m, ORDER_PROBLEM, opened=-1.0)  # raised a day ago: not within 12 hours
    assert people.satisfaction[slow] == pytest.approx(0.5 + 0.3 * (value - 0.5))
    question = finish(m, QUESTION)  # a question is not a recovery
    assert people.satisfaction[question] == pytest.approx(0.5 + 0.3 * (value - 0.5))
    assert m.world.record.counts("first_contacts_resolved").sum() == resolved_before + 3


@pytest.mark.parametrize(
    ("fcr", "attempt", "opened", "leave"),
    [(1.0, 1, 0.0, "complained_resolved_quickly"), (1.0, 1, -1.0, "complained_resolved"),
     (0.0, 3, 0.0, "complained_unresolved")],
)
def test_how_a_complaint_ends_decides_the_chance_of_leaving(
    fcr: float, attempt: int, opened: float, leave: str
) -> None:
    m = desk_model(first_contact_resolution=fcr, later_contact_resolution=fcr, max_contacts_per_problem=3)
    chances = m.world.scenario.attrition.leave_after_problem
    left = 0
    trials = 1500
    for _ in range(trials):
        person = finish(m, PRODUCT_PROBLEM, attempt=attempt, opened=opened)
        left += m.world.people.status[person] == FORMER
    assert binomial_ok(left, trials, getattr(chances, leave)), (left / trials, leave)
    assert {CAUSES[row[2]] for row in m.world.record.churn_events} == {"poor_service"}


def test_an_unresolved_contact_costs_satisfaction_and_is_tried_again() -> None:
    m = desk_model(first_contact_resolution=0.0, max_contacts_per_problem=2,
                   unresolved_satisfaction_penalty=0.05)
    people = m.world.people
    score = m.satisfaction.contact_score(1.0, resolved=False, answered=True)
    value = max(0.0, 0.5 + 2.0 * (score - 0.9))
    person = finish(m, PRODUCT_PROBLEM)
    assert people.satisfaction[person] == pytest.approx(0.45 + 0.3 * (value - 0.45))
    assert people.status[person] == CUSTOMER  # not the last try: no decision to leave yet
    tries: list[tuple[int, int, int]] = []

    def tried(contact: Any) -> None:
        tries.append((contact.person, contact.kind, contact.attempt))

    m.desk.contact = tried  # type: ignore[method-assign]
    m.world.env.run(until=10.0)
    assert [t for t in tries if t[:2] == (person, PRODUCT_PROBLEM)] == [(person, PRODUCT_PROBLEM, 2)]


# ============================================================ satisfaction

SATISFACTION = {
    "satisfaction": {"sensitivity": 2.0, "learning_rate": 0.3, "happy_threshold": 0.75,
                     "unhappy_threshold": 0.25, "recovery_bonus": 0.2},
}


@pytest.fixture
def model() -> Model:
    return Model(scenario(QUIET, SATISFACTION, {"horizon_days": 10}), 0)


def set_person(model: Model, person: int, expectation: float, satisfaction: float) -> None:
    model.world.people.expectation[person] = expectation
    model.world.people.satisfaction[person] = satisfaction


@pytest.mark.parametrize(
    ("expectation", "score", "experience", "outcome"),
    [
        (0.8, 0.9, 0.7, NEUTRAL),  # 0.5 + 2 (0.9 - 0.8)
        (0.6, 0.45, 0.2, UNHAPPY),  # 0.5 + 2 (0.45 - 0.6)
        (0.2, 1.0, 1.0, HAPPY),  # 2.1 clipped to 1
        (0.9, 0.0, 0.0, UNHAPPY),  # -1.3 clipped to 0
        (0.5, 0.625, 0.75, HAPPY),  # exactly the happy threshold counts as happy
        (0.5, 0.375, 0.25, UNHAPPY),  # exactly the unhappy threshold counts as unhappy
        (0.5, 0.6, 0.7, NEUTRAL),
    ],
)
def test_experience_is_expectation_disconfirmation(
    model: Model, expectation: float, score: float, experience: float, outcome: int
) -> None:
    person = a_customer(model, level=1)
    set_person(model, person, expectation, 0.5)
    assert model.satisfaction.experience(person, score, next_key()) == outcome
    # satisfaction moves 30 % of the way from 0.5 toward the (clipped) experience
    assert model.world.people.satisfaction[person] == pytest.approx(0.5 + 0.3 * (experience - 0.5))


@pytest.mark.parametrize("rate", [0.0, 1.0])
def test_learning_rate_zero_keeps_and_one_replaces(rate: float) -> None:
    m = Model(scenario(QUIET, SATISFACTION, {"satisfaction": {"learning_rate": rate}}), 0)
    person = a_customer(m)
    set_person(m, person, 0.8, 0.42)
    m.satisfaction.experience(person, 0.9, next_key())
    assert m.world.people.satisfaction[person] == pytest.approx(0.42 if rate == 0 else 0.7)


def test_recovery_bonus_lifts_satisfaction_but_does_not_make_it_happy(model: Model) -> None:
    person = a_customer(model, level=2)
    set_person(model, person, 0.8, 0.5)
    people, record = model.world.people, model.world.record
    happy_before = record.counts("happy_experiences").sum()
    # experience 0.7 (neutral); with the bonus 0.2 the target is 0.9, above the happy threshold
    assert model.satisfaction.experience(person, 0.9, next_key(), bonus=0.2) == NEUTRAL
    assert people.satisfaction[person] == pytest.approx(0.5 + 0.3 * (0.9 - 0.5))
    assert record.counts("happy_experiences").sum() == happy_before
    assert people.level[person] == 2
    # the target is capped at 1
    set_person(model, person, 0.8, 0.5)
    model.satisfaction.experience(person, 0.98, next_key(), bonus=0.2)  # 0.86 + 0.2 -> 1.0
    assert people.satisfaction[person] == pytest.approx(0.5 + 0.3 * 0.5)


@pytest.mark.parametrize(
    ("score", "lift", "outcome"),
    [(0.45, 0.3, NEUTRAL), (0.7, 0.3, HAPPY), (0.45, 0.0, UNHAPPY)],  # base experiences 0.2, 0.7, 0.2
)
def test_a_guarantee_lift_counts_before_the_experience_is_judged(
    model: Model, score: float, lift: float, outcome: int
) -> None:
    person = a_customer(model, level=1)
    set_person(model, person, 0.6, 0.5)
    assert model.satisfaction.experience(person, score, next_key(), lift=lift) == outcome
    value = min(1.0, 0.5 + 2.0 * (score - 0.6) + lift)
    assert model.world.people.satisfaction[person] == pytest.approx(0.5 + 0.3 * (value - 0.5))


def test_a_product_experience_does_not_move_service_satisfaction(model: Model) -> None:
    person = a_customer(model, level=3)
    set_person(model, person, 0.8, 0.6)
    unhappy_before = model.world.record.counts("unhappy_experiences").sum()
    assert model.satisfaction.experience(person, 0.0, next_key(), about=PRODUCT) == UNHAPPY
    assert model.world.people.satisfaction[person] == 0.6
    assert model.world.people.level[person] == 2  # but it is an unhappy experience all the same
    assert model.world.record.counts("unhappy_experiences").sum() == unhappy_before + 1


def test_scores_are_weighted_means_of_the_dimensions(model: Model) -> None:
    sat = model.satisfaction
    # defaults: weights 0.30/0.35/0.15/0.10/0.10, assurance 0.85, empathy 0.80, tangibles 0.85
    assert sat.fulfilment_score(0.5, 0.8) == pytest.approx((0.3 * 0.5 + 0.35 * 0.8 + 0.1 * 0.85) / 0.75)
    answered = sat.contact_score(0.25, resolved=True, answered=True)
    assert answered == pytest.approx(0.3 * 0.25 + 0.35 + 0.15 * 0.85 + 0.1 * 0.8 + 0.1 * 0.85)
    unanswered = sat.contact_score(0.0, resolved=False, answered=False)
    assert unanswered == pytest.approx(0.1 * 0.85 / 0.75)


def test_a_contacts_score_is_the_weighted_mean_to_the_last_bit_whatever_the_weights(model: Model) -> None:
    """contact_score keeps its constant terms from refresh: the same floats as the sum written
    out in full (the order of the additions kept), for random weights and levels, every branch."""
    rng = random.Random(5)
    sat = model.satisfaction
    for _ in range(200):
        weights = {k: rng.choice([0.0, rng.random()]) for k in ("responsiveness", "reliability", "assurance",
                                                                "empathy", "tangibles")}
        if sum(weights.values()) <= 0:
            continue
        levels = {k: rng.random() for k in ("assurance", "empathy", "tangibles")}
        model.world.scenario = model.world.scenario.model_copy(update={
            "service_quality": model.world.scenario.service_quality.model_copy(
                update={**levels, "weights": model.world.scenario.service_quality.weights.model_copy(update=weights)})})
        sat.refresh()
        w = SimpleNamespace(**weights)
        for responsiveness, resolved, answered in itertools.product([0.0, rng.random(), 1.0], [False, True],
                                                                    [False, True]):
            num = w.responsiveness * responsiveness + w.reliability * (1.0 if resolved else 0.0)
            num += w.tangibles * levels["tangibles"]
            den = w.responsiveness + w.reliability + w.tangibles
            if answered:
                num += w.assurance * levels["assurance"] + w.empathy * levels["empathy"]
                den += w.assurance + w.empathy
            assert sat.contact_score(responsiveness, resolved, answered) == (num / den if den > 0 else 0.0)


def test_lose_takes_satisfaction_down_but_not_below_zero(model: Model) -> None:
    person = a_customer(model)
    set_person(model, person, 0.8, 0.3)
    model.satisfaction.lose(person, 0.05)
    assert model.world.people.satisfaction[person] == pytest.approx(0.25)
    model.satisfaction.lose(person, 0.4)
    assert model.world.people.satisfaction[person] == 0.0


def test_a_silent_problem_may_end_in_leaving_for_what_it_was_about() -> None:
    m = Model(scenario(QUIET, {"attrition": {"leave_after_problem": {"silent": 1.0}},
                               "fulfilment": {"contact_probability_if_failed": 0.0},
                               "service": {"complaint_share": 0.0}}), 0)
    people = m.world.people
    service, product = a_customer(m, level=1), a_customer(m, level=2)
    m.episodes.open(service, FAILED_ORDER, SERVICE, next_key(), UNHAPPY)
    m.episodes.open(product, DISAPPOINTING_PRODUCT, PRODUCT, next_key(), UNHAPPY)
    assert people.status[service] == FORMER and people.status[product] == FORMER
    rows = {row[1]: row[2:4] for row in m.world.record.churn_events}
    assert rows == {service: (POOR_SERVICE, EPISODE_SILENT), product: (PRODUCT_DISSATISFACTION, EPISODE_SILENT)}
    assert m.world.record.counts("complaints").sum() == 0  # nobody voiced it


def test_an_unhappy_experience_that_is_no_problem_takes_no_decision_to_leave() -> None:
    m = Model(scenario(QUIET, {"attrition": {"leave_after_problem": {"silent": 1.0}}}), 0)
    person = a_customer(m, level=1)
    set_person(m, person, 0.8, 0.5)
    assert m.satisfaction.experience(person, 0.0, next_key()) == UNHAPPY
    assert m.world.people.status[person] == CUSTOMER and not m.world.record.churn_events


# ================================================================ loyalty


@pytest.fixture
def loyalty_model() -> Model:
    return Model(scenario(QUIET, {
        "horizon_days": 10,
        "loyalty": {"orders_for_repeat": 3, "happy_streak_for_advocate": 2, "advocate_min_satisfaction": 0.6},
    }), 0)


def test_level1_becomes_repeat_after_orders_for_repeat_orders(loyalty_model: Model) -> None:
    m, people = loyalty_model, loyalty_model.world.people
    person = a_prospect(m)
    m.customers.start_as_customer(person, 1)  # already bought once
    people.level_orders[person] = 0  # as after a demotion: needs 3 more orders
    counts = list(m.world.level_counts)
    m.loyalty.on_order(person)
    m.loyalty.on_order(person)
    assert people.level[person] == 1
    m.loyalty.on_order(person)
    assert people.level[person] == 2
    assert m.world.level_counts[1] == counts[1] - 1 and m.world.level_counts[2] == counts[2] + 1
    m.loyalty.on_order(person)  # more orders do not make an advocate
    assert people.level[person] == 2
    assert level_counts_agree(m)


def test_a_new_customer_counts_the_initial_order(loyalty_model: Model) -> None:
    m, people = loyalty_model, loyalty_model.world.people
    person = a_prospect(m)
    m.customers.join(person, ADVERTISING)
    assert people.level[person] == 1 and people.orders[person] == 1
    m.loyalty.on_order(person)
    assert people.level[person] == 1
    m.loyalty.on_order(person)  # the third order
    assert people.level[person] == 2
    assert level_counts_agree(m)


def test_repeat_becomes_advocate_after_a_happy_streak_with_enough_satisfaction(loyalty_model: Model) -> None:
    m, people = loyalty_model, loyalty_model.world.people
    person = a_customer(m, level=2)
    people.happy_streak[person] = 0
    people.satisfaction[person] = 0.5  # below advocate_min_satisfaction
    m.loyalty.on_happy(person)
    m.loyalty.on_happy(person)
    assert people.level[person] == 2 and people.happy_streak[person] == 2
    people.satisfaction[person] = 0.65
    m.loyalty.on_happy(person)
    assert people.level[person] == 3
    assert level_counts_agree(m)

    other = a_customer(m, level=2)
    people.happy_streak[other] = 0
    people.satisfaction[other] = 0.9
    m.loyalty.on_happy(other)
    assert people.level[other] == 2
    m.loyalty.on_unhappy(other)  # breaks the streak (and moves down to level 1)
    assert people.happy_streak[other] == 0 and people.level[other] == 1
    for _ in range(3):
        m.loyalty.on_order(other)
    assert people.level[other] == 2
    m.loyalty.on_happy(other)  # the streak starts again from 0
    assert people.level[other] == 2
    m.loyalty.on_happy(other)
    assert people.level[other] == 3
    assert level_counts_agree(m)


def test_a_neutral_experience_breaks_the_happy_run() -> None:
    m = Model(scenario(QUIET, SATISFACTION, {
        "horizon_days": 10,
        "loyalty": {"happy_streak_for_advocate": 2, "advocate_min_satisfaction": 0.0}}), 0)
    people = m.world.people
    person = a_customer(m, level=2)
    people.happy_streak[person] = 0
    set_person(m, person, 0.5, 0.5)
    happy, neutral = 0.75, 0.6  # experiences 1.0 and 0.7
    assert m.satisfaction.experience(person, happy, next_key()) == HAPPY
    assert m.satisfaction.experience(person, neutral, next_key()) == NEUTRAL
    assert people.happy_streak[person] == 0
    assert m.satisfaction.experience(person, happy, next_key()) == HAPPY
    assert people.level[person] == 2
    assert m.satisfaction.experience(person, happy, next_key()) == HAPPY
    assert people.level[person] == 3


def test_a_happy_level1_customer_does_not_skip_to_advocate(loyalty_model: Model) -> None:
    m, people = loyalty_model, loyalty_model.world.people
    person = a_customer(m, level=1)
    people.satisfaction[person] = 0.9
    for _ in range(5):
        m.loyalty.on_happy(person)
    assert people.level[person] == 1


def test_unhappy_moves_down_one_level_at_a_time(loyalty_model: Model) -> None:
    m, people = loyalty_model, loyalty_model.world.people
    person = a_customer(m, level=3)
    people.happy_streak[person] = 4
    m.loyalty.on_unhappy(person)
    assert people.level[person] == 2 and people.happy_streak[person] == 0
    m.loyalty.on_unhappy(person)
    assert people.level[person] == 1
    m.loyalty.on_unhappy(person)
    assert people.level[person] == 1
    assert level_counts_agree(m)
    # back at level 1 it takes orders_for_repeat orders again
    for _ in range(2):
        m.loyalty.on_order(person)
    assert people.level[person] == 1
    m.loyalty.on_order(person)
    assert people.level[person] == 2


def test_experiences_drive_loyalty_through_satisfaction(model: Model) -> None:
    people = model.world.people
    person = a_customer(model, level=3)
    set_person(model, person, 0.5, 0.5)
    assert model.satisfaction.experience(person, 0.0, next_key()) == UNHAPPY
    assert people.level[person] == 2


# =========================================================== word of mouth

WOM = {
    "market": {"population": 3000, "initial_customers": 2000},
    "customers": {"expectation": {"mean": 0.75, "sd": 0.08}},
    "word_of_mouth": {
        "told_by_happy": {"min": 2, "max": 9}, "told_by_unhappy": {"min": 10, "max": 20},
        "tell_probability_unhappy": 0.6,
    },
    "loyalty": {"levels": levels(tell_probability_happy=0.4)},
    "fulfilment": {"on_time_rate": 0.8, "product_problem_rate": 0.1},
    "horizon_days": 100,  # unhappy experiences are rarer now that problems are judged once, at their end
}


@pytest.fixture(scope="module")
def wom_run() -> tuple[Scenario, dict[str, float], dict[str, float]]:
    sc = scenario(QUIET, WOM)
    result = run_replication(sc, 0)
    total = {name: float(values.sum()) for name, values in result.daily.items()}
    return sc, total, kpis(result, sc)


@pytest.mark.parametrize("mood", ["happy", "unhappy"])
def test_mean_told_is_the_mean_of_the_range(
    wom_run: tuple[Scenario, dict[str, float], dict[str, float]], mood: str
) -> None:
    sc, total, k = wom_run
    rng = getattr(sc.word_of_mouth, f"told_by_{mood}")
    tellers = total[f"{mood}_tellers"]
    assert tellers > 300
    width = rng.max - rng.min + 1
    var = (width**2 - 1) / 12  # discrete uniform on min..max
    mean = (rng.min + rng.max) / 2
    assert abs(k[f"mean_told_by_{mood}"] - mean) <= Z * math.sqrt(var / tellers), (k[f"mean_told_by_{mood}"], mean)


@pytest.mark.parametrize("mood", ["happy", "unhappy"])
def test_share_of_experiences_told_is_the_tell_probability(
    wom_run: tuple[Scenario, dict[str, float], dict[str, float]], mood: str
) -> None:
    sc, total, _ = wom_run
    p = sc.loyalty.levels.level1.tell_probability_happy if mood == "happy" else sc.word_of_mouth.tell_probability_unhappy
    assert binomial_ok(total[f"{mood}_tellers"], total[f"{mood}_experiences"], p)


@pytest.mark.parametrize(("heard", "advocate"), [(0, False), (2, False), (1, True)])
def test_recommendation_converts_a_prospect_less_after_complaints_heard(heard: int, advocate: bool) -> None:
    m = Model(scenario(QUIET, {
        "horizon_days": 5,
        "acquisition": {"conversion_per_recommendation": 0.3, "deterrence_per_complaint_heard": 0.4},
        "loyalty": {"levels": merge(levels(tell_probability_happy=1.0), {"level3": {"recommendation_weight": 2.0}})},
    }), 0)
    wom, people = m.word_of_mouth, m.world.people
    prospect = a_prospect(m)
    people.complaint_memory[prospect] = heard  # remembered as of now (day 0)
    joins = Joins()
    reach_only(wom, [prospect])
    m.joining.customers = joins  # type: ignore[assignment]
    teller = a_customer(m, level=3 if advocate else 2)
    trials = 5000
    for _ in range(trials):
        wom.tell(teller, True, next_key())
    assert {channel for _, channel in joins.joined} <= {REFERRAL}
    p = 0.3 * (2.0 if advocate else 1.0) * 0.6**heard
    assert binomial_ok(len(joins.joined), trials, p), (len(joins.joined) / trials, p)


def test_a_complaint_is_remembered_by_prospects_and_may_drive_customers_away() -> None:
    m = Model(scenario(QUIET, {
        "horizon_days": 5,
        "word_of_mouth": {"tell_probability_unhappy": 1.0, "leave_per_complaint_heard": 1.0},
    }), 0)
    wom, people = m.word_of_mouth, m.world.people
    prospect, teller = a_prospect(m), a_customer(m, level=1)
    listener = a_customer(m, level=2)
    reach_only(wom, [prospect, listener])
    wom.tell(teller, False, next_key())
    assert m.joining.remembered(prospect) == 1
    assert people.status[listener] == FORMER and people.status[teller] == CUSTOMER
    assert m.world.record.churn_events[-1][1:5] == (listener, FRIENDS_INFLUENCE, WORD_OF_MOUTH, 2)
    wom.tell(teller, False, next_key())
    assert m.joining.remembered(prospect) == 2
    assert m.world.record.counts("wom_negative").sum() == 4


# ============================================================== attrition


def test_churn_records_cause_level_tenure_orders_and_revenue() -> None:
    m = Model(scenario(QUIET, {"horizon_days": 30}), 0)
    world, people = m.world, m.world.people
    world.env.run(until=12.5)
    person = next(p for p in range(people.size)
                  if people.status[p] == CUSTOMER and people.orders[p] > 0 and people.level[p] == 2)
    orders, revenue, counts = people.orders[person], people.revenue[person], list(world.level_counts)
    m.attrition.churn(person, COMPETITION, HAZARD)
    assert people.status[person] == FORMER
    # joined on day 0 (no warm-up: the window opened then, with no orders yet), tenure 12.5 days
    assert world.record.churn_events[-1] == (
        12.5, person, COMPETITION, HAZARD, 2, 0.0, 12.5, orders, revenue, orders, revenue, 1)
    assert world.level_counts[2] == counts[2] - 1
    assert world.record.daily["churned_competition"][12] == 1
    m.attrition.churn(person, COMPETITION, HAZARD)  # a former customer cannot leave twice
    assert len(world.record.churn_events) == 1

    newcomer = a_prospect(m)
    m.customers.join(newcomer, REFERRAL)
    world.env.run(until=20.0)
    assert people.status[newcomer] == CUSTOMER
    m.attrition.churn(newcomer, POOR_SERVICE, HAZARD)
    assert world.record.churn_events[-1][1:7] == (newcomer, POOR_SERVICE, HAZARD, people.level[newcomer], 12.5, 7.5)


def test_poor_service_rate_is_log_linear_in_satisfaction() -> None:
    m = Model(scenario({"horizon_days": 5, "attrition": {
        "poor_service_per_year": {"at_full_satisfaction": 0.04, "at_zero_satisfaction": 1.5}}}), 0)
    rate = m.attrition.poor_service_rate
    assert rate(0.0) == pytest.approx(1.5 / DAYS_PER_YEAR)
    assert rate(1.0) == pytest.approx(0.04 / DAYS_PER_YEAR)
    assert rate(0.5) == pytest.approx(math.sqrt(1.5 * 0.04) / DAYS_PER_YEAR)
    s = np.linspace(0, 1, 11)
    logs = np.log([rate(float(x)) for x in s])
    assert np.allclose(np.diff(logs), np.log(0.04 / 1.5) / 10)


def test_competitor_shocks_multiply_inside_their_window_only() -> None:
    m = Model(scenario({"horizon_days": 5, "attrition": {"competition_per_year": 0.1, "competitor_shocks": [
        {"start_day": 10, "duration_days": 20, "hazard_multiplier": 3.0},
        {"start_day": 25, "duration_days": 10, "hazard_multiplier": 2.0},
    ]}}), 0)
    mult = m.attrition.competition_multiplier
    assert [mult(t) for t in (0.0, 9.99, 10.0, 24.9, 25.0, 29.99, 30.0, 34.9, 35.0, 300.0)] == [
        1.0, 1.0, 3.0, 3.0, 6.0, 6.0, 2.0, 2.0, 1.0, 1.0]
    assert m.attrition.competition_bound == pytest.approx(0.1 / DAYS_PER_YEAR * 6.0)


def customer_years(daily: dict[str, np.ndarray], start: int, days: slice) -> float:
    """Exposure per day from the mean of the day's opening and closing head counts."""
    active = daily["active_level1"] + daily["active_level2"] + daily["active_level3"]
    opening = np.concatenate([[start], active[:-1]])
    return float(((opening + active) / 2)[days].sum()) / DAYS_PER_YEAR


TIME_BASED = {
    "market": {"population": 3000, "initial_customers": 3000,
               "initial_satisfaction": {"mean": 0.4, "sd": 0.0}},
    "customers": {"orders_per_month": {"mean": 0.0, "cv": 0.0}, "questions_per_month": 0.0,
                  "churn_propensity_cv": 0.0},
    "satisfaction": {"learning_rate": 0.0},
}


def test_time_based_hazards_fire_at_their_rates() -> None:
    sc = scenario(QUIET, TIME_BASED, {"market": {"turnover_per_year": 0.5}, "attrition": {
        "died_per_year": 0.3, "competition_per_year": 0.7,
        "poor_service_per_year": {"at_full_satisfaction": 0.1, "at_zero_satisfaction": 2.0}}})
    result = run_replication(sc, 0)
    exposure = customer_years(result.daily, 3000, slice(None))
    poor = 2.0**0.6 * 0.1**0.4  # h(s) at s = 0.4
    for cause, rate in [("died", 0.3), ("moved_away", 0.5), ("competition", 0.7), ("poor_service", poor)]:
        count = float(result.daily[f"churned_{cause}"].sum())
        assert count > 50
        assert poisson_ok(count, exposure, rate), (cause, count / exposure, rate)
    assert result.daily["churned_friends_influence"].sum() == 0
    assert result.daily["churned_product_dissatisfaction"].sum() == 0


@pytest.mark.parametrize(
    ("propensity", "shock_start", "pick", "cause"),
    [
        (1.0, 50.0, 0.05, "died"),  # per-year bands: died 0.1, competition 0.3, poor service 0.4
        (1.0, 50.0, 0.25, "competition"),
        (1.0, 50.0, 0.55, "poor_service"),
        (1.0, 50.0, 0.85, None),  # above the current rates, inside the bound: thinned away
        (2.0, 50.0, 0.15, "died"),  # propensity 2 doubles every band
        (2.0, 50.0, 0.5, "competition"),
        (1.0, 0.0, 0.55, "competition"),  # a x2 shock now: competition covers 0.1..0.7
        (1.0, 0.0, 0.85, "poor_service"),  # ... and poor service 0.7..1.1
    ],
)
def test_time_based_picks_the_cause_whose_band_holds_the_pick(
    propensity: float, shock_start: float, pick: float, cause: str | None
) -> None:
    sc = scenario(QUIET, TIME_BASED, {"market": {"initial_satisfaction": {"mean": 0.5, "sd": 0.0}},
                                      "attrition": {
        "died_per_year": 0.1, "competition_per_year": 0.3,
        "poor_service_per_year": {"at_full_satisfaction": 0.2, "at_zero_satisfaction": 0.8},  # h(0.5) = 0.4
        "competitor_shocks": [{"start_day": shock_start, "duration_days": 10, "hazard_multiplier": 2.0}]}})
    m = Model(sc, 0)
    people = m.world.people
    person = a_customer(m)
    people.propensity[person] = propensity
    bound = m.attrition.hazard_bound(person) * DAYS_PER_YEAR
    assert bound == pytest.approx(propensity * (0.1 + 0.3 * 2.0 + 0.8))
    assert pick < bound
    m.attrition.time_based(person, pick / DAYS_PER_YEAR)
    if cause is None:
        assert people.status[person] == CUSTOMER and not m.world.record.churn_events
    else:
        # one who died is gone for good: a new prospect holds the slot
        assert people.status[person] == (PROSPECT if cause == "died" else FORMER)
        assert people.generation[person] == (cause == "died")
        assert CAUSES[m.world.record.churn_events[-1][2]] == cause


def test_a_customers_one_clock_races_orders_questions_and_attrition_at_their_rates() -> None:
    sc = scenario(QUIET, {
        "market": {"population": 3000, "initial_customers": 3000},
        "customers": {"orders_per_month": {"mean": 3.0, "cv": 0.0}, "questions_per_month": 1.0,
                      "churn_propensity_cv": 0.0},
        "fulfilment": {"on_time_rate": 1.0, "order_fill_rate": 1.0, "order_accuracy": 1.0,
                       "invoice_accuracy": 1.0, "product_problem_rate": 0.0},
        "service": {"agents": 50, "patience_minutes": None, "first_contact_resolution": 1.0,
                    "opening_hours": {"start_hour": 0, "end_hour": 24, "days_per_week": 7}},
        "attrition": {"competition_per_year": 1.5},
    })
    result = run_replication(sc, 0)
    exposure = customer_years(result.daily, 3000, slice(None))
    per_year = DAYS_PER_YEAR / DAYS_PER_MONTH
    checks = [("orders", 3.0 * per_year), ("questions", 1.0 * per_year), ("churned_competition", 1.5)]
    for counter, rate in checks:
        count = float(result.daily[counter].sum())
        assert poisson_ok(count, exposure, rate), (counter, count / exposure, rate)
    assert result.daily["contacts"].sum() == result.daily["questions"].sum()  # nothing else reaches the desk


def test_competitor_shock_raises_churn_inside_its_window_only() -> None:
    sc = scenario(QUIET, TIME_BASED, {"attrition": {"competition_per_year": 2.0, "competitor_shocks": [
        {"start_day": 20, "duration_days": 20, "hazard_multiplier": 3.0}]}})
    result = run_replication(sc, 0)
    churned = result.daily["churned_competition"]
    for days, rate in [(slice(0, 20), 2.0), (slice(20, 40), 6.0), (slice(40, 60), 2.0)]:
        count = float(churned[days].sum())
        exposure = customer_years(result.daily, 3000, days)
        assert poisson_ok(count, exposure, rate), (days, count / exposure, rate)
    assert sum(float(result.daily[f"churned_{c}"].sum()) for c in CAUSES) == churned.sum()


@pytest.mark.parametrize(("heard", "deterrence"), [(0, 0.5), (1, 0.5), (2, 0.3)])
def test_advertising_converts_each_prospect_at_the_bass_rate_less_deterrence(heard: int, deterrence: float) -> None:
    sc = scenario(QUIET, {
        "market": {"population": 3000, "initial_customers": 0},
        "acquisition": {"advertising_rate_per_year": 2.0, "deterrence_per_complaint_heard": deterrence,
                        "complaint_memory_half_life_days": 36_500},  # fades by < 0.2 % in the run
    })
    m = Model(sc, 0)
    m.world.people.view("complaint_memory")[:] = heard  # as of day 0, and (almost) never forgotten
    result = m.run()
    joined = float(result.daily["new_advertising"].sum())
    rate = 2.0 * (1 - deterrence) ** heard / DAYS_PER_YEAR
    p = 1 - math.exp(-rate * sc.horizon_days)  # each prospect joins by the horizon
    assert binomial_ok(joined, 3000, p), (joined / 3000, p)
    assert result.daily["new_referral"].sum() == 0


def test_a_join_lost_to_remembered_complaints_counts_a_prospect_deterred() -> None:
    m = Model(scenario(QUIET, {"horizon_days": 5, "acquisition": {"deterrence_per_complaint_heard": 0.4}}), 0)
    prospect = a_prospect(m)
    m.world.people.complaint_memory[prospect] = 2.0  # remembered now: keeps 0.6^2 = 0.36 of the chance
    joins = Joins()
    m.joining.customers = joins  # type: ignore[assignment]
    trials = 3000
    for _ in range(trials):  # a sure recommendation, each with its own draw
        m.joining.try_join(prospect, 1.0, uniform(next_key(), 0), REFERRAL)
    deterred = m.world.record.counts("prospects_deterred").sum()
    assert len(joins.joined) + deterred == trials  # every one either joined or was deterred
    assert binomial_ok(len(joins.joined), trials, 0.36), len(joins.joined) / trials


def test_complaints_fade_from_memory_with_their_half_life() -> None:
    m = Model(scenario(QUIET, {"horizon_days": 120, "acquisition": {"deterrence_per_complaint_heard": 0.3,
                                                                    "complaint_memory_half_life_days": 30}}), 0)
    prospect = a_prospect(m)
    m.joining.hear_complaint(prospect)
    m.joining.hear_complaint(prospect)
    assert m.joining.chance(prospect) == pytest.approx(0.7**2)
    m.world.env.run(until=30.0)
    assert m.joining.remembered(prospect) == pytest.approx(1.0)
    assert m.joining.chance(prospect) == pytest.approx(0.7)
    m.joining.hear_complaint(prospect)  # one more on top of what is left
    assert m.joining.remembered(prospect) == pytest.approx(2.0)
    m.world.env.run(until=90.0)
    assert m.joining.remembered(prospect) == pytest.approx(0.5)


def test_a_former_customer_can_be_won_back_after_the_cool_off_but_not_the_dead_or_moved() -> None:
    m = Model(scenario(QUIET, {"acquisition": {"winback_relative_chance": 0.4, "winback_cooloff_days": 20}}), 0)
    people = m.world.people
    left = a_customer(m)
    m.attrition.churn(left, COMPETITION, HAZARD)
    died = a_customer(m)
    died_key = people.key[died]
    m.attrition.churn(died, DIED, HAZARD)
    moved = a_customer(m)
    m.turnover.leave(moved)  # moving away is leaving the market
    assert CAUSES[m.world.record.churn_events[-1][2]] == "moved_away"
    # The dead and the moved are gone for good: a new prospect, a new person, holds each slot.
    assert [people.status[p] for p in (left, died, moved)] == [FORMER, PROSPECT, PROSPECT]
    assert [people.generation[p] for p in (left, died, moved)] == [0, 1, 1]
    assert people.key[died] != died_key and people.orders[died] == 0 and people.joined[died] == 0.0
    assert m.joining.chance(left) == 0.0  # cooling off
    m.world.env.run(until=20.0)
    assert m.joining.chance(left) == pytest.approx(0.4)
    assert m.joining.chance(died) == m.joining.chance(moved) == 1.0  # newcomers, as any prospect
    assert m.joining.channel(died, REFERRAL) == REFERRAL
    assert m.joining.channel(left, REFERRAL) == WINBACK
    m.customers.join(left, m.joining.channel(left, ADVERTISING))
    assert people.status[left] == CUSTOMER and people.level[left] == 1 and people.joined[left] == 20.0
    assert sum(m.world.record.daily["new_winback"]) == 1


# ============================================================== economics

ECON = EconomicsSpec(
    gross_margin=0.4, fulfilment_cost_per_order=5.0, cost_per_contact=1.5,
    agent_cost_per_month=3650.0, cost_per_new_customer_advertising=60.0,
    cost_per_new_customer_referral=10.0, cost_per_customer_won_back=25.0, discount_rate_annual=0.08,
)


def test_daily_economics_arithmetic() -> None:
    daily = {
        "revenue": np.array([100.0, 200.0]),
        "orders": np.array([2.0, 3.0]),
        "contacts": np.array([4.0, 0.0]),
        "agents": np.array([2.0, 2.0]),
        "new_advertising": np.array([1.0, 0.0]),
        "new_referral": np.array([0.0, 2.0]),
        "new_winback": np.array([0.0, 1.0]),
        "guarantee_payout": np.array([0.0, 50.0]),
    }
    money = daily_economics(daily, ECON)
    agent_per_day = 3650.0 / (365.0 / 12)  # = 120
    expected = {
        "gross_profit": [40.0, 80.0],
        "fulfilment_cost": [10.0, 15.0],
        "contact_cost": [6.0, 0.0],
        "agent_cost": [2 * agent_per_day, 2 * agent_per_day],
        "service_cost": [6.0 + 240.0, 240.0],
        "acquisition_cost": [60.0, 20.0 + 25.0],
        "guarantee_cost": [0.0, 50.0],
        "investment_cost": [0.0, 0.0],  # no investments
        "profit": [40 - 10 - 246 - 60 - 0, 80 - 15 - 240 - 45 - 50],
    }
    assert set(money) == set(expected)
    for name, values in expected.items():
        assert money[name] == pytest.approx(values), name


def test_npv_of_a_constant_profit_is_the_geometric_sum() -> None:
    profit, days, r = 100.0, 730, 0.08
    q = (1 + r) ** (-1 / 365)  # the discount factor of one day
    closed = profit * q * (1 - q**days) / (1 - q)
    assert npv(np.full(days, profit), r) == pytest.approx(closed, rel=1e-12)
    assert npv(np.full(days, profit), 0.0) == pytest.approx(profit * days)
    one_year = np.zeros(365)
    one_year[-1] = 1080.0  # counted at the end of day 365: one full year away
    assert npv(one_year, r) == pytest.approx(1000.0)
    assert npv(np.zeros(0), r) == 0.0


def test_lifetime_value_is_margin_over_discount_plus_churn() -> None:
    m, h, r = 120.0, 0.25, 0.08
    value = lifetime_value(m, h, r)
    assert value == pytest.approx(m / (math.log(1 + r) + h))
    # the same as integrating m * exp(-(ln(1+r) + h) t) over the customer's life
    t = np.linspace(0, 200, 400_001)
    trapezoid = getattr(np, "trapezoid", None) or getattr(np, "trapz")  # noqa: B009 (NumPy 1.x has only trapz, 2.x only trapezoid)
    integral = trapezoid(m * np.exp(-(math.log(1 + r) + h) * t), t)
    assert value == pytest.approx(integral, rel=1e-6)
    assert math.isnan(lifetime_value(m, 0.0, 0.0))  # undefined, never infinite (null in the outputs)
    assert lifetime_value(m, 0.5, r) < value


def test_kpi_money_adds_up(wom_run: tuple[Scenario, dict[str, float], dict[str, float]]) -> None:
    sc, total, k = wom_run
    e = sc.economics
    assert k["revenue"] == pytest.approx(total["revenue"])
    assert k["gross_profit"] == pytest.approx(total["revenue"] * e.gross_margin)
    fulfilment = total["orders"] * e.fulfilment_cost_per_order
    assert k["profit"] == pytest.approx(
        k["gross_profit"] - fulfilment - k["service_cost"] - k["acquisition_cost"] - k["guarantee_cost"])
    hours = sc.service.opening_hours
    open_days = sum(1 for d in range(sc.horizon_days) if d % 7 < hours.days_per_week)
    staffed = sc.service.agents * (hours.end_hour - hours.start_hour) * open_days
    assert total["staffed_agent_hours"] == pytest.approx(staffed)
    assert k["service_cost"] == pytest.approx(
        total["contacts"] * e.cost_per_contact + staffed * e.agent_cost_per_hour / (1 - e.shrinkage)
        + total["overtime_agent_hours"] * e.agent_cost_per_hour)


def test_a_tellings_listener_decisions_are_the_documented_halves_of_its_pairs() -> None:
    """Decisions(telling)(j) is half j mod 2 of the pair at slot LISTENERS + j // 2, whichever
    listeners ask (a pair is hashed once and reused by its second listener)."""
    telling = 0x1234_5678_9ABC_DEF0
    decision = Decisions(telling)
    for j in (0, 1, 3, 4, 5, 8, 13, 14):  # in order, with listeners who do not decide skipped
        assert decision(j) == uniform_pair(telling, LISTENERS + j // 2)[j % 2]
