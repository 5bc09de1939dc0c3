"""run_sim.py compare: paired differences with verdicts and the economics of each investment
against the baseline (sim/scenario/comparison.py, sim/outputs/comparison_results.py,
sim/experiments/compare.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scenario_files import scenario_file

from sim.experiments.compare import run_comparison
from sim.outputs.comparison import discount_factors, running_cost_value
from sim.scenario import ScenarioError
from sim.scenario.comparison import Comparison, load_comparison

ROOT = Path(__file__).resolve().parent.parent
CHECKER = Path(os.environ.get("CHURN_SIM_CHECKER", ROOT.parent / "shared" / "tools" / "check_outputs.py"))
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = ["horizon_days=90", "warmup_days=0", "market.population=1500", "market.initial_customers=300"]


def tiny(*files: Path | str, replications: int = 3, **kwargs: bool) -> Comparison:
    return load_comparison([BASELINE, *files], TINY, replications=replications, **kwargs)


def test_a_no_op_investment_differs_in_nothing_but_its_own_cost(tmp_path: Path) -> None:
    """Its changes are the values in force, from day 30, with a monthly cost: every KPI other
    than its cost and the profit it lowers is identical; the NPV is exactly minus the cost's
    present value, over the window and the valuation years after it."""
    monthly = 1000.0
    noop = scenario_file(tmp_path, "noop", f"""investments:
  - name: nothing
    start_day: 30
    monthly_cost: {monthly}
    changes: {{service.agents: 2}}
""")
    results, section = run_comparison(tiny(noop))
    base, alt = results["baseline"], results["noop"]
    for r0, r1 in zip(base.replications, alt.replications, strict=True):
        for name in r0.churn:
            assert np.array_equal(r0.churn[name], r1.churn[name]), name
    kpis = section["alternatives"]["noop"]["kpis"]
    moved = {name for name, d in kpis.items() if d["diff_mean"] not in (0.0, None)}
    assert moved <= {"profit", "npv", "investment_cost"}
    assert all(kpis[n]["verdict"] == "not distinguishable" for n in kpis if n not in moved)
    sc = alt.scenario
    v = discount_factors(sc.horizon_days, sc.economics.discount_rate_annual)
    daily = np.zeros(sc.horizon_days)
    daily[30:] = monthly / (365 / 12)
    after = running_cost_value(monthly, 0.0, 0.0, 0.0, sc.economics.discount_rate_annual, sc.horizon_days,
                               sc.economics.valuation_years)
    econ = section["alternatives"]["noop"]["economics"]
    assert econ["npv"]["mean"] == pytest.approx(-(daily @ v) - after, rel=1e-9)
    assert econ["npv"]["ci95"] == pytest.approx([econ["npv"]["mean"]] * 2)
    assert econ["payback_month"] is None and econ["pays_back_within_horizon"] is False
    assert econ["p_best"] == 0.0 and section["p_best_do_nothing"] == 1.0


def test_a_combination_joins_the_investments_of_its_files(tmp_path: Path) -> None:
    scenario_file(tmp_path, "a", "investments:\n  - {name: hire, one_off_cost: 100, changes: {service.agents: 3}}\n")
    scenario_file(tmp_path, "b", "investments:\n  - {name: fcr, start_day: 10, changes: "
                      "{service.first_contact_resolution: 0.8}}\n")
    spec = tmp_path / "cmp.yaml"
    spec.write_text(f"baseline: {BASELINE}\nalternatives:\n  - a.yaml\n  - {{name: both, combine: [a.yaml, b.yaml]}}\n",
                    encoding="utf-8")
    comparison = load_comparison([spec], TINY, replications=2)
    both = comparison.alternatives[1]
    assert both.name == "both" and [i.name for i in both.investments] == ["hire", "fcr"]
    assert both.service.agents == 2  # the investments change it from their start day, not before
    assert {a.seed for a in comparison.alternatives} == {comparison.baseline.seed}


def test_an_alternative_world_is_refused_unless_allowed(tmp_path: Path) -> None:
    world = scenario_file(tmp_path, "world", "changes:\n  service.agents: 3\n")
    with pytest.raises(ScenarioError, match=r"world: differs from the baseline baseline outside its "
                       r"investments \(service\.agents\).*--allow-warmup-changes"):
        tiny(world)
    assert tiny(world, allow_warmup_changes=True).alternatives[0].service.agents == 3


def test_compare_end_to_end_through_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "cmp"
    args = [sys.executable, "run_sim.py", "compare", "scenarios/compare_investments.yaml", "-n", "2",
            *[x for s in TINY for x in ("--set", s)], "--out", str(out), "--workers", "2"]
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "customers kept" in done.stdout and "do nothing" in done.stdout
    summary = json.loads((out / "summary.json").read_text())
    section = summary["comparison"]
    assert section["baseline"] == "baseline"
    assert set(section["alternatives"]) == {
        "more_agents", "training", "faster_delivery", "service_guarantee", "resolve_before_sunset",
        "loyalty_programme", "agent_and_training"}
    for name, alt in section["alternatives"].items():
        assert (out / "scenarios" / name / "summary.json").is_file()
        for key in ("npv", "npv_horizon", "base_value", "roi", "payback_month", "break_even_cost", "p_best"):
            assert key in alt["economics"], (name, key)
        for d in alt["kpis"].values():
            assert d["verdict"] in ("better", "worse", "not distinguishable")
            lo, hi = d["diff_ci95"]
            if d["verdict"] != "not distinguishable" and lo is not None:
                assert not lo < 0 < hi
    best = [alt["economics"]["p_best"] for alt in section["alternatives"].values()]
    assert sum(best) + section["p_best_do_nothing"] == pytest.approx(1.0)
    assert (out / "comparison.csv").read_text().startswith("alternative,kind,name,")
    if CHECKER.is_file():
        check = subprocess.run([sys.executable, str(CHECKER), str(out)], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout


def test_aiming_at_a_precision_stops_where_the_results_say_whatever_the_workers() -> None:
    """Batches of 2 up to 6 replications: where it stops, and the numbers, are the same on 1 and
    on 2 workers; it stops when every NPV half-width is within the target, or at the cap."""
    from sim.experiments.compare import Precision

    comparison = tiny(ROOT / "scenarios" / "whatif" / "training.yaml", replications=2)
    target = Precision(half_width=300.0, batch=2, cap=6)
    one = run_comparison(comparison, workers=1, precision=target)[1]
    two = run_comparison(comparison, workers=2, precision=target)[1]
    assert one == two
    stop = one["stopping"]
    assert stop["replications"] in (2, 4, 6)
    widths = stop["npv_half_widths"].values()
    assert all(w <= 300.0 for w in widths) or stop["replications"] == 6
    assert one["alternatives"]["training"]["economics"]["replications"] == stop["replications"]


def test_a_comparison_resumed_from_checkpoints_equals_an_uninterrupted_one(tmp_path: Path) -> None:
    from sim.experiments.runner import run_many

    files = [str(BASELINE), str(ROOT / "scenarios" / "whatif" / "more_agents.yaml")]
    sets = [x for s in TINY for x in ("--set", s)]
    done = load_comparison(files, TINY, replications=2)
    partial = tmp_path / "resumed.partial"
    run_many([done.baseline, *done.alternatives], checkpoints=partial)  # as if stopped after 2 of 3
    resumed = subprocess.run([sys.executable, "run_sim.py", "compare", *files, "-n", "3", *sets, "--quiet",
                              "--out", str(tmp_path / "resumed"), "--resume"],
                             cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert "Resuming: 4 of 6 replication(s) loaded" in resumed.stderr
    fresh = subprocess.run([sys.executable, "run_sim.py", "compare", *files, "-n", "3", *sets, "--quiet",
                            "--out", str(tmp_path / "fresh")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert fresh.returncode == 0, fresh.stderr
    a, b = (json.loads((tmp_path / f / "summary.json").read_text()) for f in ("resumed", "fresh"))
    assert a["comparison"] == b["comparison"] and a["scenarios"] == b["scenarios"]
    assert not partial.exists()  # its checkpoints removed once the output is whole


def test_run_says_when_its_own_changes_hold_from_the_warm_up(tmp_path: Path) -> None:
    world = scenario_file(tmp_path, "world", "changes:\n  service.agents: 3\n")
    sets = [x for s in TINY for x in ("--set", s)]
    done = subprocess.run([sys.executable, "run_sim.py", "run", str(world), "-n", "1", *sets,
                           "--out", str(tmp_path / "out")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Note: service.agents differ from what world extends and hold from the start of the warm-up" in done.stdout
    invest = scenario_file(tmp_path, "invest", "investments:\n  - {name: hire, changes: {service.agents: 3}}\n")
    done = subprocess.run([sys.executable, "run_sim.py", "run", str(invest), "-n", "1", *sets,
                           "--out", str(tmp_path / "out2")], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0 and "Note:" not in done.stdout


def test_a_comparison_on_a_dask_cluster_equals_one_on_local_processes() -> None:
    """The same comparison section, to the last digit, from 1 worker, 2 workers and a Dask
    LocalCluster bound to 127.0.0.1."""
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install -e '.[dask]')")
    comparison = tiny(ROOT / "scenarios" / "whatif" / "more_agents.yaml", replications=2)
    one = run_comparison(comparison, workers=1)[1]
    assert run_comparison(comparison, workers=2)[1] == one
    assert run_comparison(comparison, workers=2, dask="local")[1] == one
