"""Investments: changes that take effect inside the run on their start day, ramps, their own
costs, and the loader's checks (sim/scenario/investments.py, sim/outputs/economics.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim import load_scenario
from sim.model.replication import run_replication
from sim.outputs.economics import daily_economics, investment_costs
from sim.outputs.kpis import kpis
from sim.outputs.tables import timeseries_frame
from sim.scenario import ScenarioError, dump_resolved
from sim.scenario.investments import schedule
from sim.scenario.schema import InvestmentSpec, Scenario

ROOT = Path(__file__).resolve().parent.parent
DAYS_PER_MONTH = 365 / 12


def small(investments: list[dict[str, Any]] = (), **other: Any) -> Scenario:  # type: ignore[assignment]
    return Scenario.model_validate({
        "seed": 3, "horizon_days": 120, "warmup_days": 14,
        "market": {"population": 1500, "initial_customers": 300},
        "investments": list(investments), **other,
    })


def test_a_no_op_investment_changes_nothing() -> None:
    """Its changes equal the values in force, from day 90: identical days and churn events."""
    base = run_replication(small(), 0)
    noop = run_replication(small([{"name": "noop", "start_day": 90, "changes": {
        "service.agents": 2, "service.first_contact_resolution": 0.7}}]), 0)
    for name, values in base.daily.items():
        assert np.array_equal(values, noop.daily[name]), name
    for name, values in base.churn.items():
        assert np.array_equal(values, noop.churn[name]), name


def test_an_investment_leaves_every_day_before_its_start_as_it_was() -> None:
    day = 40
    sc = small([{"name": "hire", "start_day": day, "changes": {"service.agents": 4}}])
    base, hired = run_replication(small(), 0), run_replication(sc, 0)
    a = timeseries_frame([base], small())
    b = timeseries_frame([hired], sc)
    assert a[a["day"] < day].equals(b[b["day"] < day])
    assert (b.loc[b["day"] >= day, "agents"] == 4).all() and (b.loc[b["day"] < day, "agents"] == 2).all()
    assert not a[a["day"] >= day].equals(b[b["day"] >= day])  # the desk changed from its day on


def test_a_ramp_moves_numbers_step_by_step_and_switches_at_its_end() -> None:
    sc = small([{"name": "grow", "start_day": 10, "ramp_days": 3, "changes": {
        "service.agents": 6,
        "service.handle_minutes": {"distribution": "lognormal", "mean": 8.0, "cv": 0.6},
        "service.product_problem_priority": True,
        "service.patience_minutes": {"distribution": "fixed", "mean": 10.0},
    }}])
    steps = schedule(sc)
    assert [day for day, _ in steps] == [10, 11, 12, 13]
    assert [s.service.agents for _, s in steps] == [3, 4, 5, 6]  # 2 + 4 · (k + 1) / 4
    assert [s.service.handle_minutes.mean for _, s in steps] == pytest.approx([11.0, 10.0, 9.0, 8.0])
    assert [s.service.product_problem_priority for _, s in steps] == [False, False, False, True]
    patience = [s.service.patience_minutes for _, s in steps]
    assert [p.distribution if p else None for p in patience] == ["exponential"] * 3 + ["fixed"]
    assert schedule(small()) == []


def test_whole_numbers_step_at_the_rounded_points() -> None:
    sc = small([{"name": "one", "start_day": 0, "ramp_days": 9, "changes": {"service.agents": 3}}])
    steps = schedule(sc)
    assert [(day, s.service.agents) for day, s in steps] == [(4, 3)]  # 2 + (k + 1) / 10 rounds up at k = 4


def test_investments_apply_in_order_over_each_other() -> None:
    sc = small([{"name": "a", "start_day": 5, "changes": {"service.agents": 3}},
                {"name": "b", "start_day": 8, "changes": {"service.first_contact_resolution": 0.9}}])
    steps = schedule(sc)
    assert [(d, s.service.agents, s.service.first_contact_resolution) for d, s in steps] == [
        (5, 3, 0.7), (8, 3, 0.9)]


def test_the_costs_are_one_off_monthly_and_per_member_from_the_start_day() -> None:
    days = 100
    daily = {"revenue": np.zeros(days), "active_level1": np.full(days, 10.0),
             "active_level2": np.full(days, 20.0), "active_level3": np.full(days, 30.0)}
    inv = InvestmentSpec(name="club", start_day=40, one_off_cost=500.0, monthly_cost=300.0,
                         monthly_cost_per_customer=2.0, cost_levels=[2, 3])
    cost = investment_costs(daily, [inv])
    assert (cost[:40] == 0).all()
    assert cost[40] == pytest.approx(500 + (300 + 2 * 50) / DAYS_PER_MONTH)
    assert cost[41:] == pytest.approx(np.full(59, (300 + 2 * 50) / DAYS_PER_MONTH))


def test_the_costs_enter_profit_and_the_kpis() -> None:
    sc = small([{"name": "club", "start_day": 30, "one_off_cost": 1000.0, "monthly_cost": 365 / 12,
                 "monthly_cost_per_customer": 0.5, "cost_levels": [2, 3], "changes": {}}])
    result = run_replication(sc, 0)
    d = result.daily
    money = daily_economics(d, sc.economics, sc.investments)
    members = d["active_level2"][30:] + d["active_level3"][30:]
    expected = 1000.0 + 90.0 + (0.5 * members / DAYS_PER_MONTH).sum()
    assert money["investment_cost"].sum() == pytest.approx(expected)
    k, k0 = kpis(result, sc), kpis(result, small())
    assert k["investment_cost"] == pytest.approx(expected)
    assert k0["profit"] - k["profit"] == pytest.approx(expected)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "inv.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\n{body}", encoding="utf-8")
    return path


def test_the_loader_names_bad_investment_changes_with_their_line(tmp_path: Path) -> None:
    path = write(tmp_path, """investments:
  - name: hire
    changes:
      service.agnets: 3
  - name: grow
    changes:
      market.population: 20000
  - name: sure
    changes:
      service.first_contact_resolution: 1.5
""")
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    text = str(err.value)
    assert f"{path}:5: investments[0] (hire).changes: service.agnets: no such parameter" in text
    assert f"{path}:8: investments[1] (grow).changes: market.population: cannot change mid-run" in text
    assert "investments[2] (sure).changes: service.first_contact_resolution: got 1.5; allowed: a number from 0 to 1" in text


def test_a_start_day_outside_the_window_and_unknown_keys_are_refused(tmp_path: Path) -> None:
    # Rules across fields (the window's length, two names) point at the investment's own line.
    with pytest.raises(ScenarioError, match=r"\.yaml:\d+: investments\.0\.start_day: got 2000; allowed: a day of "
                                            r"the measured window, 0 to \d+ \(horizon_days\)"):
        load_scenario(write(tmp_path, "investments:\n  - {name: late, start_day: 2000}\n"))
    with pytest.raises(ScenarioError, match=r"\.yaml:\d+: investments\.1\.name: two investments are named 'twice'"):
        load_scenario(write(tmp_path, "investments:\n  - {name: twice}\n  - {name: twice}\n"))
    with pytest.raises(ScenarioError, match=r"investments\.0\.cost: unknown key"):
        load_scenario(write(tmp_path, "investments:\n  - {name: x, cost: 5}\n"))


def test_the_resolved_scenario_keeps_its_investments(tmp_path: Path) -> None:
    path = write(tmp_path, """investments:
  - name: hire
    start_day: 90
    ramp_days: 2
    monthly_cost: 100
    changes:
      service.agents: 3
""")
    sc = load_scenario(path)
    again = tmp_path / "resolved.yaml"
    again.write_text(dump_resolved(sc, version="test"), encoding="utf-8")
    assert load_scenario(again).model_dump(exclude={"version"}) == sc.model_dump(exclude={"version"})
