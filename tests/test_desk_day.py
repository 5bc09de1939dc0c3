"""The desk's day: opening hours, the staffing schedule, the arrival profile, priority,
handle time by kind, and what is recorded of them (sim/model/desk_day.py, sim/model/desk.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.core.calendar import DAYS_PER_MONTH
from sim.core.rng import child
from sim.core.vocabulary import PRODUCT_PROBLEM, QUESTION
from sim.core.world import CUSTOMER
from sim.model import customers as customers_module
from sim.model.desk import HANDLE, Contact
from sim.model.desk_day import ArrivalProfile, Staffing
from sim.model.replication import Model
from sim.outputs.economics import daily_economics
from sim.outputs.kpis import kpis
from sim.outputs.tables import desk_by_hour_frame
from sim.scenario.schema import Scenario, ServiceSpec

H = 1 / 24

SCHEDULE: dict[str, Any] = {
    "agents": 2,
    "opening_hours": {"start_hour": 9, "end_hour": 18, "days_per_week": 6},
    "staffing": [
        {"days": [0, 1, 2, 3, 4], "start_hour": 9, "end_hour": 12, "agents": 3},
        {"days": [0, 1, 2, 3, 4], "start_hour": 12, "end_hour": 13, "agents": 0},
    ],
}


def desk_scenario(service: dict[str, Any], days: int = 21, questions: float = 4.0, **other: Any) -> Scenario:
    return Scenario.model_validate({
        "horizon_days": days,
        "market": {"population": 2000, "initial_customers": 1500},
        "customers": {"questions_per_month": questions},
        "acquisition": {"advertising_rate_per_year": 0.0, "conversion_per_recommendation": 0.0},
        "service": {"patience_minutes": None, "complaint_share": 0.0, **service},
        **other,
    })


def test_staffing_steps_follow_blocks_weekdays_and_opening_hours() -> None:
    staffing = Staffing(ServiceSpec.model_validate(SCHEDULE))
    monday, saturday, sunday = 0.0, 5.0, 6.0
    assert staffing.at(monday + 10 * H) == (3, pytest.approx(monday + 12 * H))
    assert staffing.at(monday + 12.5 * H) == (0, pytest.approx(monday + 13 * H))
    assert staffing.at(monday + 13 * H) == (2, pytest.approx(monday + 18 * H))
    assert staffing.at(monday + 20 * H) == (0, pytest.approx(1 + 9 * H))
    assert staffing.at(monday + 3 * H) == (0, pytest.approx(9 * H))
    assert staffing.at(saturday + 10 * H) == (2, pytest.approx(saturday + 18 * H))
    assert staffing.at(sunday + 10 * H) == (0, pytest.approx(7 + 9 * H))  # closed: next Monday
    assert staffing.peak == 3
    assert staffing.agent_hours_per_week == pytest.approx(5 * (3 * 3 + 0 + 2 * 5) + 2 * 9)


def test_a_plain_agents_number_staffs_every_opening_hour() -> None:
    staffing = Staffing(ServiceSpec.model_validate({"agents": 4}))
    assert staffing.peak == 4
    assert staffing.agent_hours_per_week == pytest.approx(4 * 9 * 7)
    assert staffing.at(3 + 15 * H) == (4, pytest.approx(3 + 18 * H))


def test_overlapping_blocks_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap on weekday 2"):
        ServiceSpec.model_validate({"staffing": [{"days": [2], "start_hour": 9, "end_hour": 12, "agents": 1},
                                             {"days": [1, 2], "start_hour": 11, "end_hour": 14, "agents": 1}]})


def test_equal_weights_give_the_old_uniform_spread_over_the_opening() -> None:
    profile = ArrivalProfile([1.0] * 24, 9, 18)
    for u in np.linspace(0, 0.999, 37):
        assert profile.time_of_day(float(u)) == pytest.approx(9 * H + u * 9 * H, abs=1e-12)


def test_the_profile_puts_each_hour_its_share_of_contacts() -> None:
    weights = [0.0] * 24
    weights[9], weights[10], weights[11] = 1.0, 3.0, 0.0
    weights[12] = 4.0
    profile = ArrivalProfile(weights, 9, 12.5)  # the last hour is half open
    total = 1 + 3 + 0 + 4 * 0.5
    hours = [int(profile.time_of_day(float(u)) * 24 + 1e-9) for u in (np.arange(6000) + 0.5) / 6000]
    counts = np.bincount(hours, minlength=24)
    assert counts[9] / 6000 == pytest.approx(1 / total, abs=1e-3)
    assert counts[10] / 6000 == pytest.approx(3 / total, abs=1e-3)
    assert counts[11] == 0
    assert counts[12] / 6000 == pytest.approx(2 / total, abs=1e-3)
    times = [profile.time_of_day(float(u)) for u in np.linspace(0, 1 - 1e-12, 101)]
    assert min(times) >= 9 * H and max(times) <= 12.5 * H
    later = [profile.later_today(10.5 * H, float(u)) for u in np.linspace(0, 0.999, 50)]
    assert all(t is not None and 10.5 * H <= t <= 12.5 * H for t in later)
    assert ArrivalProfile([1.0] * 12 + [0.0] * 12, 9, 18).later_today(13 * H, 0.5) is None


@pytest.fixture(scope="module")
def scheduled() -> tuple[Model, Any, list[float]]:
    with pytest.MonkeyPatch.context() as patch:  # the desk in Python, whose answers the spy sees
        patch.setattr(customers_module, "CHAIN", False)
        model = Model(desk_scenario(SCHEDULE, questions=1.5), 0)
    desk, env = model.desk, model.world.env
    answered: list[float] = []
    on_answer = desk._answered

    def spy(contact: Any, wait: float, handle: float) -> None:
        answered.append(env.now)
        on_answer(contact, wait, handle)

    desk._answered = spy  # type: ignore[method-assign, assignment]
    return model, model.run(), answered


def test_agents_answer_only_while_on_duty_and_their_hours_are_counted(scheduled: tuple[Model, Any, list[float]]) -> None:
    model, result, answered = scheduled
    staffing = model.desk.staffing
    assert len(answered) > 200
    assert all(staffing.at(t)[0] > 0 for t in answered)
    lunch = [t for t in answered if int(t) % 7 < 5 and 12 * H + 1e-9 < t - int(t) < 13 * H - 1e-9]
    assert not lunch  # the block with no agents
    days = model.world.scenario.horizon_days
    expected = [sum((b - a) * n for a, b, n in staffing.steps[d % 7]) * 24 for d in range(days)]
    assert result.daily["staffed_agent_hours"] == pytest.approx(expected)
    assert (result.daily["agents"] == 3).all()
    k = kpis(result, model.world.scenario)
    assert 0 < k["agent_utilisation"] < 1
    assert k["staffed_agent_hours"] == pytest.approx(sum(expected))


def test_desk_by_hour_adds_up_to_the_daily_counters(scheduled: tuple[Model, Any, list[float]]) -> None:
    model, result, _ = scheduled
    table = desk_by_hour_frame([result])
    assert len(table) == 168
    d = result.daily
    assert table["offered"].sum() == d["contacts"].sum()
    assert table["answered"].sum() == d["answered"].sum()
    assert table["abandoned"].sum() == d["abandoned"].sum()
    assert table["wait_minutes_sum"].sum() == pytest.approx(d["wait_minutes_sum"].sum() + d["abandoned_wait_minutes_sum"].sum())
    closed = table[(table["hour"] < 9) | (table["hour"] >= 18) | (table["weekday"] == 6)]
    assert closed["offered"].sum() == 0
    assert (table["days"].groupby(table["weekday"]).first() == [3] * 7).all()


def test_the_default_profile_puts_more_of_the_night_s_contacts_in_the_morning() -> None:
    """Against a flat profile on the same seed (nearly the same contacts; the deferred ones move):
    the morning gains and the evening loses. When written: 10 h 727 against 587, 17 h 507
    against 647 — differences of five Poisson standard deviations of a bin or more."""
    def by_hour(service: dict[str, Any]) -> Any:
        result = Model(desk_scenario({"agents": 50, **service}), 0).run()
        return desk_by_hour_frame([result]).groupby("hour")["offered"].sum()

    peaked, flat = by_hour({}), by_hour({"arrival_profile": {"weights_by_hour": [1.0] * 24}})
    assert peaked[10] > flat[10] + 2 * flat[10] ** 0.5
    assert peaked[17] < flat[17] - 2 * flat[17] ** 0.5


def test_complaints_with_priority_are_answered_first_and_handle_time_is_by_kind() -> None:
    model = Model(desk_scenario({"product_problem_priority": True,
                                 "handle_by_kind": {"product_problem_minutes": {"distribution": "fixed", "mean": 30}},
                                 "handle_minutes": {"distribution": "fixed", "mean": 7}}), 0)
    desk, people = model.desk, model.world.people
    person = next(p for p in range(people.size) if people.status[p] == CUSTOMER)
    assert not desk.idle  # time 0: the desk is closed, nobody on duty
    question = Contact(person, QUESTION, 0, 1, 0.0, 11, child(11, 1))
    complaint = Contact(person, PRODUCT_PROBLEM, 0, 1, 0.0, 12, child(12, 1))
    desk._arrive(question)
    desk._arrive(complaint)
    assert desk._next() is complaint and desk._next() is question and desk._next() is None
    assert desk.handles[PRODUCT_PROBLEM](complaint.key, HANDLE) == 30
    assert desk.handles[QUESTION](question.key, HANDLE) == 7


def test_contacts_raised_while_open_can_be_put_off_to_later_that_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(customers_module, "CHAIN", False)  # the desk in Python, whose contacts the spy sees
    service = {"agents": 50, "arrival_profile": {"delay_share_while_open": 1.0}}
    model = Model(desk_scenario(service, days=7), 0)
    desk, env = model.desk, model.world.env
    raised: list[float] = []
    contact = desk.contact

    def spy(c: Any) -> None:
        raised.append(env.now)
        contact(c)

    desk.contact = spy  # type: ignore[method-assign, assignment]
    result = model.run()
    assert result.daily["contacts"].sum() > 100
    hourly = model.world.record.hourly_counts("offered")
    assert sum(hourly[:9]) == 0  # nothing before the first opening
    # raised while open and put off to later that day: more arrive in the last opening hour
    # than were raised in it
    raised_open = [t for t in raised if desk.hours.is_open(t)]
    late_raised = sum(1 for t in raised_open if t - int(t) >= 17 * H) / len(raised_open)
    late_arrived = sum(hourly[h] for h in range(len(hourly)) if h % 24 == 17) / sum(hourly)
    assert late_raised > 0.05 and late_arrived > late_raised + 0.02


def test_the_old_monthly_agent_cost_still_works() -> None:
    sc = desk_scenario({}, days=3, economics={"agent_cost_per_month": 3800})
    daily = {name: np.zeros(3) for name in ("revenue", "orders", "contacts", "new_advertising",
                                            "new_referral", "new_winback", "guarantee_payout", "staffed_agent_hours")}
    daily["agents"] = np.array([2.0, 2.0, 3.0])
    cost = daily_economics(daily, sc.economics)["agent_cost"]
    assert cost == pytest.approx(daily["agents"] * 3800 / DAYS_PER_MONTH)


def test_a_change_of_staffing_mid_run_counts_the_new_hours_from_its_day() -> None:
    from sim.model.replication import run_replication

    before = desk_scenario({"agents": 1, "opening_hours": {"start_hour": 0, "end_hour": 24}}, days=5, questions=1.0)
    data = before.model_dump()
    data["service"]["agents"] = 3
    after = Scenario.model_validate(data)
    result = run_replication(before, 0, changes=[(2, after)])
    assert result.daily["staffed_agent_hours"] == pytest.approx([24, 24, 72, 72, 72])
    assert list(result.daily["agents"]) == [1, 1, 3, 3, 3]


def test_an_overloaded_desk_pays_overtime_and_its_utilisation_stays_a_share() -> None:
    """One agent, far more contacts than they can answer in opening hours: each shift ends in the
    middle of a contact, the rest of which is overtime, paid and counted in the agents' time, so
    utilisation (busy / paid hours) is a share, not 1.01 as when overtime was left out."""
    from sim.model.replication import run_replication

    sc = desk_scenario({"agents": 1, "opening_hours": {"start_hour": 9, "end_hour": 17, "days_per_week": 5}},
                       days=14, questions=2.0)
    result = run_replication(sc, 0)
    d = result.daily
    overtime = d["overtime_agent_hours"]
    open_days = [day for day in range(14) if day % 7 < 5]
    # a contact runs on past 17:00 on (nearly) every open day, never by more than a long handle time
    assert (overtime[open_days] > 0).sum() >= len(open_days) - 1
    assert overtime.max() < 4.0
    k = kpis(result, sc)
    assert k["overtime_agent_hours"] == pytest.approx(overtime.sum())
    assert 0.95 < k["agent_utilisation"] <= 1.0 + 1e-9  # busy all the time it is paid: 1 up to rounding
    assert d["agent_busy_hours"].sum() <= d["staffed_agent_hours"].sum() + overtime.sum() + 1e-9
    money = daily_economics(d, sc.economics)
    e = sc.economics
    assert money["agent_cost"].sum() == pytest.approx(
        d["staffed_agent_hours"].sum() * e.agent_cost_per_hour / (1 - e.shrinkage) + overtime.sum() * e.agent_cost_per_hour)


def test_contacts_put_off_under_old_opening_hours_are_timed_again_when_the_hours_change() -> None:
    """Opening hours 13-18, then from day 3 on 8-12 ("answer in the morning"): a contact raised
    on the night of day 2 was timed for day 3's afternoon under the old hours; it must reach the
    desk in the new morning opening instead of arriving while the desk is closed and giving up."""
    from sim.model.replication import run_replication

    service = {"agents": 3, "opening_hours": {"start_hour": 13, "end_hour": 18, "days_per_week": 7},
               "patience_minutes": {"distribution": "exponential", "mean": 5.0}}
    before = desk_scenario(service, days=6, questions=2.0)
    data = before.model_dump()
    data["service"]["opening_hours"] = {"start_hour": 8, "end_hour": 12, "days_per_week": 7}
    after = Scenario.model_validate(data)
    result = run_replication(before, 0, changes=[(3, after)])
    offered = result.hourly["offered"].reshape(6, 24)
    assert offered[:3, 13:18].sum() == offered[:3].sum() > 0  # the old hours, to day 2
    assert offered[3:, 8:12].sum() == offered[3:].sum() > 0  # only the new hours from day 3
    # the night before the change sends day 3 its morning's contacts: more than a plain morning's
    assert offered[3, 8:12].sum() > 0
    same = run_replication(before, 0, changes=[(3, before)])  # an identical change re-times nothing
    assert (same.hourly["offered"] == run_replication(before, 0).hourly["offered"]).all()
