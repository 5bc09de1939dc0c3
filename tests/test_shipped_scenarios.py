"""Every shipped scenario runs end to end, and each what-if moves what it claims to move.

Short runs (60 days, 2 replications, the scenarios' own seed) of the files users copy;
the what-if checks compare with the baseline on the same seed and look only at the lever
each file pulls, with margins far outside the noise of these runs.
"""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache
from pathlib import Path

import pandas as pd
import pytest
import yaml

from sim import Scenario, load_scenario, run
from sim.scenario.comparison import is_comparison_file

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted(p for p in (ROOT / "scenarios").rglob("*.yaml") if not is_comparison_file(p))
SHORT = ["horizon_days=60"]


@cache
def mean_kpis(name: str) -> pd.Series:
    """Mean KPIs of a short run; an investment's lever at full strength from its start (no ramp),
    so that 60 days show it."""
    scenario = load_scenario(ROOT / "scenarios" / f"{name}.yaml", SHORT, replications=2)
    data = scenario.model_dump()
    for investment in data["investments"]:
        investment["ramp_days"] = 0
    return run(Scenario.model_validate(data), workers=2).kpis().mean()


def test_the_baseline_is_the_schema_defaults() -> None:
    """One source of defaults: a scenario built from the schema alone is the baseline."""
    ignore = {"name", "description"}
    baseline = load_scenario(ROOT / "scenarios" / "baseline.yaml")
    assert baseline.model_dump(exclude=ignore) == Scenario().model_dump(exclude=ignore), (
        "scenarios/baseline.yaml and the defaults in sim/scenario/schema.py differ: change both")


def _leaves(data: object, prefix: str = "") -> list[str]:
    if isinstance(data, dict) and data and "distribution" not in data:
        return [leaf for k, v in data.items() for leaf in _leaves(v, f"{prefix}{k}.")]
    return [prefix.rstrip(".")]


def test_the_baseline_spells_out_every_parameter() -> None:
    written = yaml.safe_load((ROOT / "scenarios" / "baseline.yaml").read_text(encoding="utf-8"))
    assert "extends" not in written and "changes" not in written
    expected = set(_leaves(Scenario().model_dump(mode="json"))) - {"version"}
    assert sorted(expected - set(_leaves(written))) == [], "missing from scenarios/baseline.yaml"


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_each_shipped_scenario_runs_through_the_command_line(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "run_sim.py", "run", str(path), "-n", "1", "--set", "horizon_days=20",
         "--quiet", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == load_scenario(path).name
    assert summary["kpis"]["orders"]["values"][0] > 0


def test_more_agents_shorten_the_waits() -> None:
    base, more = mean_kpis("baseline"), mean_kpis("whatif/more_agents")
    assert more["mean_wait_minutes"] < 0.6 * base["mean_wait_minutes"]
    assert more["abandonment_rate"] < 0.6 * base["abandonment_rate"]


def test_training_raises_first_contact_resolution() -> None:
    base, trained = mean_kpis("baseline"), mean_kpis("whatif/training")
    assert trained["first_contact_resolution_rate"] > base["first_contact_resolution_rate"] + 0.05


def test_faster_delivery_is_on_time_more_often_and_sooner() -> None:
    base, faster = mean_kpis("baseline"), mean_kpis("whatif/faster_delivery")
    assert faster["on_time_rate"] > base["on_time_rate"] + 0.03
    assert faster["mean_lead_time_days"] < base["mean_lead_time_days"] - 0.4


def test_the_guarantee_pays_refunds_only_when_enabled() -> None:
    assert mean_kpis("baseline")["guarantee_cost"] == 0
    assert mean_kpis("whatif/service_guarantee")["guarantee_cost"] > 0


def test_longer_hours_cut_the_waits() -> None:
    base, longer = mean_kpis("baseline"), mean_kpis("whatif/resolve_before_sunset")
    assert longer["mean_wait_minutes"] < base["mean_wait_minutes"]


def test_each_what_if_is_an_investment_from_day_0_with_its_costs() -> None:
    """The shipped what-ifs are investments (from the window's first day), not changes that run
    through the warm-up; each names what it costs."""
    for path in sorted((ROOT / "scenarios" / "whatif").glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert "changes" not in raw, path
        scenario = load_scenario(path)
        assert scenario.investments, path
        costs = [i.one_off_cost + i.monthly_cost + i.monthly_cost_per_customer for i in scenario.investments]
        assert all(cost > 0 for cost in costs), path


def test_a_loyalty_programme_makes_repeat_customers_order_more() -> None:
    base, loyal = mean_kpis("baseline"), mean_kpis("whatif/loyalty_programme")
    # repeat customers and advocates, about 60 % of the base, order 1.4/1.25 as often: about 7 % more
    assert loyal["orders"] > 1.04 * base["orders"]
