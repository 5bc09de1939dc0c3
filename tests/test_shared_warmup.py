"""A comparison's shared warm-up (sim/experiments/shared_warmup.py): the warm-up simulated once
per replication and continued by each scenario gives, to the last bit, what running each
scenario from the start gives — every array of every replication's result, and the comparison
section — whatever the workers; where it cannot be shared, each runs from the start."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from forks import counted_copies
from scenario_files import scenario_file

import sim.experiments.shared_warmup as shared_warmup
from sim.core.recorder import ReplicationResult
from sim.experiments.compare import run_comparison
from sim.experiments.runner import Checkpoints, _units, run_many
from sim.model.replication import Model, run_replication
from sim.scenario import Scenario, load_scenario
from sim.scenario.comparison import Comparison, load_comparison

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
WHATIF = ROOT / "scenarios" / "whatif"
# A warm-up to share, and the measured window long enough for every investment to act.
SMALL = ["horizon_days=60", "warmup_days=28", "market.population=1500", "market.initial_customers=300"]


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> Comparison:
    """The baseline; investments from day 0 (one ramping), from day 5 (two, one of them ramping),
    from day 20 and in two steps; a combination; a scenario with no investment; and an
    alternative world, whose warm-up differs and is its own."""
    tmp = tmp_path_factory.mktemp("alternatives")
    files = [
        WHATIF / "more_agents.yaml",
        WHATIF / "training.yaml",
        scenario_file(tmp, "fcr_day5", "investments:\n  - {name: fcr, start_day: 5, changes: "
                                       "{service.first_contact_resolution: 0.85}}\n"),
        scenario_file(tmp, "agents_day5", "investments:\n  - {name: hire, start_day: 5, ramp_days: 10, "
                                          "changes: {service.agents: 4}}\n"),
        scenario_file(tmp, "late_steps", "investments:\n  - {name: hire, start_day: 20, changes: "
                                         "{service.agents: 3}}\n  - {name: fcr, start_day: 40, changes: "
                                         "{service.first_contact_resolution: 0.9}}\n"),
        scenario_file(tmp, "nothing", "investments: []\n"),
        scenario_file(tmp, "world", "changes:\n  service.agents: 3\n"),
    ]
    spec = tmp / "cmp.yaml"
    listed = "\n".join(f"  - {f}" for f in files)
    spec.write_text(f"baseline: {BASELINE}\nalternatives:\n{listed}\n"
                    f"  - {{name: both, combine: [{WHATIF / 'more_agents.yaml'}, {tmp / 'fcr_day5.yaml'}]}}\n",
                    encoding="utf-8")
    return load_comparison([spec], SMALL, replications=2, allow_warmup_changes=True)


@pytest.fixture(autouse=True)
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The copies made here, made whatever else runs: after a Dask test can_fork() would be
    false, every scenario would run from the start, and the tests below would compare runs from
    the start with themselves."""
    return counted_copies(monkeypatch, shared_warmup)


def scenarios_of(comparison: Comparison) -> list[Scenario]:
    return [comparison.baseline, *comparison.alternatives]


def assert_identical(a: ReplicationResult, b: ReplicationResult, where: str) -> None:
    assert (a.replication, a.seed, a.horizon_days, a.customers_start) == (
        b.replication, b.seed, b.horizon_days, b.customers_start), where
    for part in ("daily", "churn", "hourly"):
        x, y = getattr(a, part), getattr(b, part)
        assert x.keys() == y.keys(), (where, part)
        for name in x:
            assert x[name].dtype == y[name].dtype and np.array_equal(x[name], y[name]), (where, part, name)


def test_the_shared_warm_up_gives_every_array_of_a_run_from_the_start(comparison: Comparison,
                                                                     forks: list[int]) -> None:
    scenarios = scenarios_of(comparison)
    shared = [s for s in scenarios if s.name != "world"]
    assert len({shared_warmup.warmup_key(s) for s in shared}) == 1
    assert shared_warmup.warmup_key(comparison.alternatives[-2]) != shared_warmup.warmup_key(comparison.baseline)
    for replication in (0, 1):
        got: list[int] = []
        results = shared_warmup.run_group(shared, replication, lambda k, r: got.append(k))  # noqa: B023 (called here)
        assert got == list(range(len(shared)))
        for scenario, result in zip(shared, results, strict=True):
            assert_identical(result, run_replication(scenario, replication), f"{scenario.name} #{replication}")
    assert len(forks) == 2 * (len(shared) - 1)  # every scenario but the last continued in a copy


def test_the_comparison_is_the_same_shared_or_not_whatever_the_workers(
    comparison: Comparison, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = run_comparison(comparison, workers=1)
    two = run_comparison(comparison, workers=2)
    three = run_comparison(comparison, workers=3)  # splits each replication's group in parts
    with monkeypatch.context() as m:
        m.setattr(shared_warmup, "can_fork", lambda: False)  # each from the start
        alone = run_comparison(comparison, workers=1)
    for other in (two, three, alone):
        assert other[1] == one[1]
        for name, run in one[0].items():
            for a, b in zip(run.replications, other[0][name].replications, strict=True):
                assert_identical(a, b, name)


def test_a_failed_fork_runs_the_scenario_from_the_start(comparison: Comparison,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    scenarios = scenarios_of(comparison)[:3]

    def no_fork() -> int:
        raise OSError("no more processes")

    monkeypatch.setattr(os, "fork", no_fork)
    for scenario, result in zip(scenarios, shared_warmup.run_group(scenarios, 0), strict=True):
        assert_identical(result, run_replication(scenario, 0), scenario.name)


def test_checkpoints_and_progress_count_each_replication_of_a_shared_task(
    comparison: Comparison, tmp_path: Path
) -> None:
    scenarios = scenarios_of(comparison)[:4]
    folder = tmp_path / "partial"
    run_many([s.model_copy(update={"replications": 1}) for s in scenarios[:2]], checkpoints=folder)
    assert len(Checkpoints(folder).files()) == 2  # as if stopped part-way through a comparison
    progress: list[float] = []
    resumed = run_many(scenarios, workers=2, checkpoints=folder, on_progress=lambda done, total: progress.append(done))
    assert progress[0] == 2 and progress == sorted(progress) and progress[-1] == 8  # the units under way in part
    assert len(Checkpoints(folder).files()) == 8
    here: list[float] = []
    fresh = run_many(scenarios, on_progress=lambda done, total: here.append(done))
    assert here == sorted(here) and here[-1] == 8 and any(d % 1 for d in here)  # day by day
    for a, b in zip(resumed, fresh, strict=True):
        for x, y in zip(a.replications, b.replications, strict=True):
            assert_identical(x, y, a.scenario.name)


def test_units_share_a_warm_up_and_keep_the_workers_busy(comparison: Comparison) -> None:
    scenarios = scenarios_of(comparison)
    world = next(k for k, s in enumerate(scenarios) if s.name == "world")
    todo = [(s, i) for s in range(len(scenarios)) for i in range(2)]
    units = _units(scenarios, todo, 2)
    assert sorted(t for unit in units for t in unit) == sorted(todo)
    assert ((world, 0),) in units and ((world, 1),) in units  # its warm-up is its own
    assert {len(unit) for unit in units if unit[0][0] != world} == {len(scenarios) - 1}
    # One replication on two workers: two halves, each with its warm-up.
    assert [len(u) for u in _units(scenarios, [(s, 0) for s in range(len(scenarios)) if s != world], 2)] == [4, 4]
    no_warmup = [s.model_copy(update={"warmup_days": 0}) for s in scenarios]
    assert all(len(u) == 1 for u in _units(no_warmup, todo, 2))


def test_a_change_without_its_wait_is_refused() -> None:
    base = load_scenario(BASELINE, SMALL)
    later = base.model_copy(update={"service": base.service.model_copy(update={"agents": 3})})
    model = Model(base, 0)
    model.start([28 + 5])
    with pytest.raises(ValueError, match="no wait scheduled"):
        model.finish(base, [(10, later)])


def test_a_lone_scenario_is_simply_run_and_scenarios_with_different_warmups_are_refused(
    comparison: Comparison,
) -> None:
    """The runner hands every unit to run_group: one of a single scenario, with a warm-up or
    without, is run as run_replication runs it; several must share their warm-up."""
    base = scenarios_of(comparison)[0]
    no_warmup = base.model_copy(update={"warmup_days": 0})
    for scenario in (base, no_warmup):
        (result,) = shared_warmup.run_group([scenario], 1)
        assert_identical(result, run_replication(scenario, 1), scenario.name)
    with pytest.raises(ValueError, match="the same, warm-up"):
        shared_warmup.run_group([base, no_warmup], 0)


def test_every_day_simulated_for_a_group_is_told_where_it_runs(comparison: Comparison, forks: list[int]) -> None:
    """``on_day`` is called, in the process that runs the group, for each day of the warm-up and
    of every scenario's window, those simulated in the copies included (passed back through the
    pipe), in order within each; the results are those of a run without it."""
    scenarios = [s.model_copy(update={"replications": 1}) for s in scenarios_of(comparison)[:3]]
    days: list[int] = []
    told = shared_warmup.run_group(scenarios, 0, on_day=days.append)
    assert len(forks) == 2  # two windows in copies, the last here
    from_start: list[int] = []
    run_replication(scenarios[0], 0, from_start.append)
    shared = (3 * len(from_start) - len(days)) // 2  # days told before the copies: the warm-up's
    assert 0 < shared < len(from_start) and days == from_start[:shared] + from_start[shared:] * 3
    for a, b in zip(told, shared_warmup.run_group(scenarios, 0), strict=True):
        assert_identical(a, b, "on_day")


def test_a_worker_counts_the_days_of_its_unit_in_shared_memory(comparison: Comparison) -> None:
    """What the main process reads for the progress of a unit on a worker: its days, counted in
    the unit's slot, the copies' included (here: the unit run as a worker runs it)."""
    import multiprocessing

    import sim.experiments.runner as runner

    scenarios = [s.model_copy(update={"replications": 1}) for s in scenarios_of(comparison)[:3]]
    days = multiprocessing.get_context().RawArray("q", 2)
    runner._days = days
    try:
        runner._unit((scenarios, 0, 1, None))
    finally:
        runner._days = None
    unit = ((0, 0), (1, 0), (2, 0))
    assert list(days) == [0, runner._unit_days(scenarios, unit)]
    told: list[int] = []
    shared_warmup.run_group(scenarios, 0, on_day=told.append)
    assert runner._unit_days(scenarios, unit) == len(told)
    assert runner._unit_days(scenarios, ((0, 0),)) == scenarios[0].warmup_days + scenarios[0].horizon_days


def test_a_worker_checkpoints_each_replication_of_its_unit_as_it_finishes(
    comparison: Comparison, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that a run stopped while a unit is under way keeps what the unit had finished: here
    the unit fails at its second scenario, and the first one's checkpoint is there, whole."""
    import sim.experiments.runner as runner

    scenarios = [s.model_copy(update={"replications": 1}) for s in scenarios_of(comparison)[:3]]
    prints = [runner.fingerprint(s) for s in scenarios]
    real = shared_warmup._in_a_copy
    copies: list[int] = []

    def stopped_at_the_second(*args, **kwargs):
        copies.append(1)
        if len(copies) == 2:
            raise RuntimeError("the worker stops")
        return real(*args, **kwargs)

    monkeypatch.setattr(shared_warmup, "_in_a_copy", stopped_at_the_second)
    with pytest.raises(RuntimeError, match="the worker stops"):
        runner._unit((scenarios, 0, 0, (tmp_path, prints)))
    store = Checkpoints(tmp_path)
    saved = [store.load(p, 0) for p in prints]
    assert [r is not None for r in saved] == [True, False, False]
    assert saved[0] is not None
    assert_identical(saved[0], run_replication(scenarios[0], 0), "the checkpoint")
