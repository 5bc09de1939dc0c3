"""A change of scenario inside a running replication takes effect on its day.

This is how an investment will start mid-run (agents hired on day 90 join the desk on
day 90): :meth:`sim.model.replication.Model.apply` and the ``changes`` of
:func:`sim.model.replication.run_replication`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.core.later import ID, VALUE, Entry
from sim.core.world import CUSTOMER
from sim.model import customers as customers_module
from sim.model.customers import Customers
from sim.model.loyalty import Loyalty
from sim.model.replication import Model, run_replication
from sim.scenario.schema import Scenario


def small(**sections: Any) -> Scenario:
    base: dict[str, Any] = {
        "seed": 99,
        "horizon_days": 60,
        "warmup_days": 0,
        "market": {"population": 3000, "initial_customers": 1500, "initial_former_share": 0,
                   "initial_complaints_remembered": 0},
    }
    base.update(sections)
    return Scenario.model_validate(base)


def with_changes(scenario: Scenario, **changes: Any) -> Scenario:
    data = scenario.model_dump()
    for path, value in changes.items():
        *parents, leaf = path.split("__")
        node = data
        for part in parents:
            node = node[part]
        node[leaf] = value
    return Scenario.model_validate(data)


def test_agents_hired_on_a_day_are_on_duty_from_that_day() -> None:
    before = small(service={"agents": 1, "opening_hours": {"start_hour": 0, "end_hour": 24}},
                   customers={"questions_per_month": 3.0})
    after = with_changes(before, service__agents=4)
    result = run_replication(before, 0, changes=[(30, after)])
    agents = result.daily["agents"]
    assert np.all(agents[:30] == 1) and np.all(agents[30:] == 4)
    wait = result.daily["wait_minutes_sum"] / np.maximum(result.daily["answered"], 1)
    assert wait[5:30].mean() > 3 * wait[31:].mean(), "four agents should cut the waits"


def test_agents_let_go_leave_the_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customers_module, "CHAIN", False)  # the desk in Python, whose agents we read
    before = small(service={"agents": 4})
    after = with_changes(before, service__agents=1)
    model = Model(before, 0)
    result = model.run(changes=[(20, after)])
    assert model.desk.running == {0}
    assert np.all(result.daily["agents"][20:] == 1)


def test_a_hazard_switched_on_fires_only_after_its_day() -> None:
    before = small(attrition={"died_per_year": 0.0})
    after = with_changes(before, attrition__died_per_year=5.0)
    result = run_replication(before, 0, changes=[(25, after)])
    died = result.churn["day"][result.churn["cause"] == 0]
    assert died.size > 100, "the new hazard must take effect (clocks redrawn)"
    assert died.min() >= 25


def test_advertising_switched_off_stops_new_customers() -> None:
    before = small(acquisition={"advertising_rate_per_year": 2.0, "conversion_per_recommendation": 0.0})
    after = with_changes(before, acquisition__advertising_rate_per_year=0.0)
    result = run_replication(before, 0, changes=[(30, after)])
    assert result.daily["new_advertising"][:30].sum() > 50
    assert result.daily["new_advertising"][30:].sum() == 0


def test_parameters_fixed_at_the_start_cannot_change() -> None:
    before = small()
    after = with_changes(before, market__network__contacts_per_person=4)
    with pytest.raises(ValueError, match="market"):
        run_replication(before, 0, changes=[(10, after)])


def test_no_changes_and_a_change_to_the_same_scenario_agree_before_the_day() -> None:
    scenario = small()
    plain = run_replication(scenario, 0)
    changed = run_replication(scenario, 0, changes=[(40, scenario)])
    for name in ("orders", "contacts", "churned_poor_service"):
        assert np.array_equal(plain.daily[name][:40], changed.daily[name][:40]), name


def test_applying_the_identical_scenario_mid_run_changes_nothing() -> None:
    """Common random numbers: a no-op change redraws nothing, so the whole run is identical."""
    scenario = small(customers={"questions_per_month": 1.0})
    plain = run_replication(scenario, 0)
    model = Model(scenario, 0)
    redrawn: list[int] = []
    apply = model.apply

    def applied(scenario: Scenario) -> None:
        apply(scenario)
        redrawn.append(model.customers.redraw_changed_clocks())

    model.apply = applied  # type: ignore[method-assign]
    changed = model.run(changes=[(20, scenario), (45, with_changes(scenario, service__agents=scenario.service.agents))])
    assert redrawn == [0, 0]
    assert plain.daily.keys() == changed.daily.keys()
    for name in plain.daily:
        assert np.array_equal(plain.daily[name], changed.daily[name]), name
    for name in plain.churn:
        assert np.array_equal(plain.churn[name], changed.churn[name]), name


def test_a_change_redraws_only_the_clocks_whose_rate_changed() -> None:
    scenario = small()
    model = Model(scenario, 0)
    model.world.env.run(until=10)
    customers = model.world.level_counts[1:]
    model.apply(with_changes(scenario, service__agents=scenario.service.agents + 2))
    assert model.customers.redraw_changed_clocks() == 0  # the desk is not in the clock
    model.world.scenario = with_changes(scenario, customers__questions_per_month=2.5)
    model.customers.refresh()
    assert model.customers.redraw_changed_clocks() == sum(customers)  # every customer's bound moved


def test_a_change_rescales_the_clocks_keeping_their_slots() -> None:
    scenario = small()
    model = Model(scenario, 0)
    model.world.env.run(until=10)
    people, customers, env = model.world.people, model.customers, model.world.env
    active = np.flatnonzero(people.view("status") == CUSTOMER)[:50].tolist()
    before = {p: (customers.pending[p], customers.due[p], people.clock_rate[p], people.clock_events[p],
                  customers.pick[p]) for p in active}
    model.apply(with_changes(scenario, customers__questions_per_month=2.5))
    for p, (event, due, rate, n, pick) in before.items():
        after = customers.pending[p]
        assert after != event and after >= 0 and event >= 0  # a new event, the old one void
        assert people.clock_events[p] == n and customers.pick[p] == pick  # the same slot
        assert people.clock_rate[p] > rate
        assert customers.due[p] == pytest.approx(env.now + (due - env.now) * rate / people.clock_rate[p], rel=1e-12)


def test_a_change_of_the_advertising_rate_keeps_the_pending_candidate() -> None:
    scenario = small(acquisition={"advertising_rate_per_year": 2.0})
    model = Model(scenario, 0)
    model.world.env.run(until=10)
    ads, env = model.advertising, model.world.env
    event, c, due, rate = ads.pending, ads.candidates, ads.due, ads.rate_per_day
    model.apply(with_changes(scenario, acquisition__advertising_rate_per_year=5.0))
    assert ads.pending is not event and ads.pending is not None and event is not None
    assert ads.candidates == c and ads.pending._value == c  # not renumbered
    assert ads.due == pytest.approx(env.now + (due - env.now) * rate / ads.rate_per_day, rel=1e-12)


def test_a_perfect_orders_score_follows_a_change_of_the_scores_weights() -> None:
    """Satisfaction keeps a perfect order's score (what most deliveries are scored) as of its
    parameters: fulfilment_score(1, 1), before and after a change of them."""
    scenario = small()
    model = Model(scenario, 0)
    satisfaction = model.satisfaction
    assert satisfaction.perfect_order_score == satisfaction.fulfilment_score(1.0, 1.0)
    before = satisfaction.perfect_order_score
    model.apply(with_changes(scenario, service_quality__tangibles=0.2, service_quality__weights__tangibles=0.5))
    assert satisfaction.perfect_order_score == satisfaction.fulfilment_score(1.0, 1.0) != before


def test_a_change_that_lets_tellers_tell_more_makes_room_for_them() -> None:
    """The compiled tellings write into word of mouth's own arrays, sized for the most a teller
    can tell: a change of scenario that raises it grows them, and the run goes on."""
    scenario = small()
    model = Model(scenario, 0)
    assert model.word_of_mouth._told.size == 20  # the default's most: told_by_unhappy.max
    model.world.env.run(until=5)
    model.apply(with_changes(scenario, word_of_mouth__told_by_unhappy__min=30, word_of_mouth__told_by_unhappy__max=45))
    assert model.word_of_mouth._told.size == model.word_of_mouth._decided.size == 45
    if model.customers.chain is not None:  # the compiled tellings' buffers too (sim.model.chain)
        assert all(buffer.size == 45 for buffer in model.customers.chain.telling[2:])
    model.world.env.run(until=30)
    told = model.world.record.counts("wom_negative")[5:30]
    tellers = model.world.record.counts("unhappy_tellers")[5:30]
    assert sum(tellers) > 0 and sum(told) >= 30 * sum(tellers)


def test_a_customers_clock_rate_is_their_bound_whenever_their_event_fires(monkeypatch: pytest.MonkeyPatch) -> None:
    """Customers._on_clock draws a customer's next event at their clock_rate, taken for their
    bound then: it must be, at every clock event that fires, through changes of level (which
    move the bound: level 3's multipliers differ from level 2's here) and of scenario."""
    checked = {"events": 0, "moved": 0}
    on_clock, move = Customers._on_clock, Loyalty._move

    def on_clock_checked(customers: Customers, event: Entry) -> None:
        person = event[VALUE]
        if customers.people.status[person] == CUSTOMER and customers.pending[person] == event[ID]:
            assert customers.people.clock_rate[person] == customers._bound(person), customers.env.now
            checked["events"] += 1
        on_clock(customers, event)

    def move_counted(loyalty: Loyalty, person: int, level: int) -> None:
        checked["moved"] += 1
        move(loyalty, person, level)

    # Every clock event in Python (sim.model.chain steps repeat orders compiled, with the same
    # invariant, and the same numbers: tests/test_chain.py).
    monkeypatch.setattr(customers_module, "CHAIN", False)
    monkeypatch.setattr(Customers, "_on_clock", on_clock_checked)  # before the model is built
    monkeypatch.setattr(Loyalty, "_move", move_counted)
    before = with_changes(small(), loyalty__levels__level3__order_rate_multiplier=2.0,
                          loyalty__levels__level3__churn_propensity_multiplier=0.5,
                          loyalty__happy_streak_for_advocate=1, loyalty__advocate_min_satisfaction=0.0)
    questions = with_changes(before, customers__questions_per_month=2.0)
    levels = with_changes(questions, loyalty__levels__level2__order_rate_multiplier=1.6,
                          attrition__died_per_year=0.05)
    Model(before, 0).run(changes=[(20, questions), (40, levels)])
    assert checked["events"] > 5_000 and checked["moved"] > 500, checked
