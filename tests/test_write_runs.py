"""Writing several output folders at once (a comparison's scenarios): forked copies of this
process write their share, whatever happens the folders are whole and the same as written
in one process; and a run's KPI table is made once."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from forks import counted_copies

from sim import load_scenario, run
from sim.outputs import files
from sim.outputs.files import RESULT_FILES, write_runs
from sim.outputs.tables import RunResult

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["horizon_days=20", "market.population=1000", "market.initial_customers=200", "warmup_days=0"]

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


@pytest.fixture(autouse=True)
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The copies' pids: these tests are about the copies, made whatever else runs."""
    return counted_copies(monkeypatch, files)


@pytest.fixture(scope="module")
def results() -> list[RunResult]:
    return [run(load_scenario(ROOT / "scenarios" / "baseline.yaml", SMALL, seed=seed, replications=2))
            for seed in (1, 2, 3)]


def _contents(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _runs(results: list[RunResult], folder: Path) -> list[tuple[RunResult, Path]]:
    return [(r, folder / f"s{k}") for k, r in enumerate(results)]


def test_folders_written_by_copies_are_those_written_by_one_process(results, tmp_path, forks) -> None:
    write_runs(_runs(results, tmp_path / "one"), "v", ["cmd"], processes=1)
    assert forks == []
    write_runs(_runs(results, tmp_path / "three"), "v", ["cmd"], processes=3)
    assert len(forks) == 2  # two copies, this process the third
    one, three = _contents(tmp_path / "one"), _contents(tmp_path / "three")
    assert set(one) == {f"s{k}/{name}" for k in range(3) for name in RESULT_FILES}
    assert three == one


def test_a_copy_that_fails_leaves_its_folders_to_this_process(results, tmp_path, monkeypatch, forks) -> None:
    write_runs(_runs(results, tmp_path / "one"), "v", None, processes=1)
    here = os.getpid()
    write = files.write_outputs

    def failing_in_a_copy(result, out, version, command=None):
        if os.getpid() != here:
            raise RuntimeError("a copy fails")
        return write(result, out, version, command)

    monkeypatch.setattr(files, "write_outputs", failing_in_a_copy)
    write_runs(_runs(results, tmp_path / "two"), "v", None, processes=2)
    assert len(forks) == 1
    assert _contents(tmp_path / "two") == _contents(tmp_path / "one")
    assert not list((tmp_path / "two").glob(".*")), "no temporary folder is left"


def test_an_error_writing_a_folder_is_raised_here(results, tmp_path, monkeypatch) -> None:
    write = files.write_outputs

    def failing_on_s1(result, out, version, command=None):
        if out.name == "s1":  # written by the copy (dealt in turn: s0 and s2 here, s1 there), then here
            raise ValueError("cannot write s1")
        return write(result, out, version, command)

    monkeypatch.setattr(files, "write_outputs", failing_on_s1)
    with pytest.raises(ValueError, match="cannot write s1"):
        write_runs(_runs(results, tmp_path), "v", None, processes=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s0", "s2"]


@dataclasses.dataclass
class _Stalling(RunResult):
    """A run whose time series, in a copy, signals ``ready`` and then waits for ever."""

    ready: int = -1
    never: int = -1

    def timeseries(self) -> pd.DataFrame:
        os.write(self.ready, b"x")
        os.read(self.never, 1)  # nothing is ever written: only a signal ends this
        raise AssertionError("unreachable")


@dataclasses.dataclass
class _Interrupting(RunResult):
    """A run whose time series, here, waits until the copy is writing, then is Ctrl-C'd."""

    ready: int = -1
    ready_w: int = -1

    def timeseries(self) -> pd.DataFrame:
        os.close(self.ready_w)  # the copy holds the other: if it ends first, the read below ends too
        if os.read(self.ready, 1) != b"x":
            raise AssertionError("the copy ended before it began writing")
        raise KeyboardInterrupt


def test_ctrl_c_here_stops_the_copies_and_leaves_no_temporary_folder(results, tmp_path, forks) -> None:
    ready_r, ready_w = os.pipe()
    never_r, never_w = os.pipe()
    base = results[0]
    runs = [(_Interrupting(base.scenario, base.replications, ready=ready_r, ready_w=ready_w), tmp_path / "here"),
            (_Stalling(base.scenario, base.replications, ready=ready_w, never=never_r), tmp_path / "copy")]
    try:
        with pytest.raises(KeyboardInterrupt):
            write_runs(runs, "v", None, processes=2)
    finally:
        for fd in (ready_r, never_r, never_w):
            os.close(fd)
    left = [p.name for p in tmp_path.rglob("*") if p.is_file() or p.name.startswith(".")]
    assert left == [], "nothing written, and the copy's temporary folder removed"
    assert len(forks) == 1
    with pytest.raises(ChildProcessError):
        os.waitpid(forks[0], os.WNOHANG)  # the copy was waited for


def test_a_runs_kpi_table_is_made_once_and_again_when_its_replications_change(results, monkeypatch) -> None:
    import sim.outputs.tables as tables

    made = []
    frame = tables.kpi_frame

    def counted(*a: Any) -> Any:
        made.append(1)
        return frame(*a)

    monkeypatch.setattr(tables, "kpi_frame", counted)
    r = RunResult(results[0].scenario, list(results[0].replications))
    first = r.kpis()
    first.loc[0, "revenue"] = -1.0  # a copy: the next call is unchanged
    pd.testing.assert_frame_equal(r.kpis(), frame(r.replications, r.scenario))
    assert len(made) == 1
    r.replications.pop()
    assert len(r.kpis()) == 1 and len(made) == 2
    r.replications[0] = results[1].replications[0]  # another replication in its place
    pd.testing.assert_frame_equal(r.kpis(), frame(r.replications, r.scenario))
    assert len(made) == 3


def test_without_copies_every_folder_is_written_here(results, tmp_path, monkeypatch, forks) -> None:
    monkeypatch.setattr(files, "can_fork", lambda: False)  # no os.fork, or another thread running
    write_runs(_runs(results, tmp_path / "here"), "v", None, processes=2)
    write_runs(_runs(results, tmp_path / "one"), "v", None, processes=1)
    assert forks == [] and _contents(tmp_path / "here") == _contents(tmp_path / "one")


# A comparison's folder is staged whole and then renamed into place (sim.outputs.files.write_comparison).

@pytest.fixture(scope="module")
def comparisons() -> dict[str, tuple[dict[str, RunResult], dict]]:
    from sim.experiments.compare import run_comparison
    from sim.scenario.comparison import load_comparison

    whatif = ROOT / "scenarios" / "whatif"
    three, two = [whatif / "training.yaml", whatif / "more_agents.yaml"], [whatif / "training.yaml"]
    made = {"three": (three, 1), "three, another seed": (three, 2), "two": (two, 1)}
    return {name: run_comparison(load_comparison([ROOT / "scenarios" / "baseline.yaml", *alts], SMALL, seed=seed,
                                                 replications=2), workers=1)
            for name, (alts, seed) in made.items()}


def _compare_into(comparison: tuple[dict[str, RunResult], dict], out: Path, processes: int = 1) -> None:
    results, section = comparison
    files.write_comparison(results, section, out, "v", "cmp", command=["cmd"], processes=processes)


@pytest.mark.parametrize("processes", [1, 2])
def test_an_interrupted_comparison_leaves_the_earlier_one_whole(comparisons, tmp_path, monkeypatch, processes) -> None:
    out = tmp_path / "cmp"
    _compare_into(comparisons["three"], out)
    (out / files.REPORT_NAME).write_text("the earlier comparison's report")
    before = _contents(out)
    assert {"comparison.csv", "summary.json", "scenarios/baseline/summary.json",
            "scenarios/more_agents/kpis.csv"} <= set(before)
    here = os.getpid()
    write = files.write_outputs

    def ctrl_c_at_the_last(result, folder, version, command=None):
        if os.getpid() == here and folder.name == "more_agents":  # here, after the others (dealt in turn)
            raise KeyboardInterrupt
        return write(result, folder, version, command)

    monkeypatch.setattr(files, "write_outputs", ctrl_c_at_the_last)
    with pytest.raises(KeyboardInterrupt):
        _compare_into(comparisons["three, another seed"], out, processes)
    assert _contents(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp"], "no temporary folder is left"


def test_an_interrupted_comparison_into_a_new_folder_leaves_nothing(comparisons, tmp_path, monkeypatch) -> None:
    write = files.write_outputs

    def ctrl_c_at_the_second(result, folder, version, command=None):
        if folder.name == "training":
            raise KeyboardInterrupt
        return write(result, folder, version, command)

    monkeypatch.setattr(files, "write_outputs", ctrl_c_at_the_second)
    with pytest.raises(KeyboardInterrupt):
        _compare_into(comparisons["three"], tmp_path / "cmp")
    assert [p.relative_to(tmp_path) for p in tmp_path.rglob("*")] == [Path("cmp")]  # made empty, left empty


def test_a_comparison_over_an_earlier_one_keeps_nothing_of_it(comparisons, tmp_path) -> None:
    out, fresh = tmp_path / "cmp", tmp_path / "fresh"
    _compare_into(comparisons["three"], out)
    (out / files.REPORT_NAME).write_text("the earlier comparison's report")
    _compare_into(comparisons["two"], out, processes=2)
    _compare_into(comparisons["two"], fresh)
    assert sorted(p.name for p in (out / "scenarios").iterdir()) == ["baseline", "training"]
    assert _contents(out) == _contents(fresh)  # no report: it is made from the new result, after it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cmp", "fresh"]


def test_a_comparison_touches_nothing_else_in_scenarios(comparisons, tmp_path) -> None:
    """``--out .`` in a checkout: its scenarios/ holds the user's files, which stay, through a
    comparison and another over it; the earlier comparison's scenario folders go."""
    out = tmp_path / "checkout"
    mine = {"scenarios/mine.yaml": b"name: mine\n", "scenarios/whatif/x.yaml": b"name: x\n",
            "scenarios/notes/summary.json": b"{}"}  # an output folder's name, not the comparison's
    for name, data in mine.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    _compare_into(comparisons["three"], out)
    _compare_into(comparisons["two"], out)
    after = _contents(out)
    assert {name: after.get(name) for name in mine} == mine
    assert sorted(p.name for p in (out / "scenarios").iterdir()) == ["baseline", "mine.yaml", "notes", "training",
                                                                      "whatif"]


def test_a_run_over_a_comparison_and_a_comparison_over_a_run_leave_nothing_of_the_other(
    comparisons, results, tmp_path
) -> None:
    fresh_run, fresh_comparison = tmp_path / "run", tmp_path / "comparison"
    files.write_outputs(results[0], fresh_run, "v", ["cmd"])
    _compare_into(comparisons["two"], fresh_comparison)
    out = tmp_path / "out"
    (out / "scenarios").mkdir(parents=True)
    (out / "scenarios" / "mine.yaml").write_bytes(b"name: mine\n")  # the user's: it stays
    mine = {"scenarios/mine.yaml": b"name: mine\n"}
    _compare_into(comparisons["three"], out)
    files.write_outputs(results[0], out, "v", ["cmd"])  # run --overwrite over the comparison
    assert _contents(out) == {**_contents(fresh_run), **mine}
    _compare_into(comparisons["two"], out)  # compare --overwrite over the run
    assert _contents(out) == {**_contents(fresh_comparison), **mine}
    (out / "scenarios" / "mine.yaml").unlink()
    files.write_outputs(results[0], out, "v", ["cmd"])
    assert _contents(out) == _contents(fresh_run) and not (out / "scenarios").exists()  # emptied: removed


def test_a_folder_of_the_users_named_as_a_scenario_receives_its_files(comparisons, tmp_path) -> None:
    """Not an output folder: its own files stay and the scenario's files are written into it;
    a file in the way is an error before anything moves."""
    out = tmp_path / "out"
    (out / "scenarios" / "training").mkdir(parents=True)
    (out / "scenarios" / "training" / "notes.txt").write_bytes(b"mine")
    _compare_into(comparisons["two"], out)
    fresh = tmp_path / "fresh"
    _compare_into(comparisons["two"], fresh)
    assert _contents(out) == {**_contents(fresh), "scenarios/training/notes.txt": b"mine"}
    other = tmp_path / "other"
    (other / "scenarios").mkdir(parents=True)
    (other / "scenarios" / "training").write_bytes(b"a file")
    with pytest.raises(files.OutputFolderError, match=r"scenarios/training is in the way"):
        _compare_into(comparisons["two"], other)
    assert sorted(str(p.relative_to(other)) for p in other.rglob("*")) == ["scenarios", "scenarios/training"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh", "other", "out"]
