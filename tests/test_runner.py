"""The runner: the same numbers whatever the executor (this process, local worker processes,
Dask), several scenarios as one run, and checkpoints that a resumed run loads instead of
running again."""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim.experiments.runner as runner
import sim.experiments.shared_warmup as shared_warmup
from sim.core.recorder import ReplicationResult
from sim.experiments.runner import Checkpoints, fingerprint, run, run_many
from sim.outputs.tables import RunResult
from sim.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
TINY = ["market.population=800", "market.initial_customers=150", "horizon_days=40", "warmup_days=0"]
HAS_DISTRIBUTED = importlib.util.find_spec("distributed") is not None


def tiny(replications: int = 3, seed: int = 11, *extra: str) -> Scenario:
    return load_scenario(BASELINE, [*TINY, *extra], seed=seed, replications=replications)


def tables(result: RunResult) -> list[pd.DataFrame]:
    return [result.kpis(), result.timeseries(), result.churn_events(), result.desk_by_hour()]


def assert_same(a: RunResult, b: RunResult) -> None:
    for x, y in zip(tables(a), tables(b), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)


@pytest.fixture(scope="module")
def reference() -> RunResult:
    return run(tiny(), workers=1)


def counting(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Replications run in this process from now on, as (scenario name, index)."""
    calls: list[tuple[str, int]] = []
    real = runner.run_replication

    def counted(scenario: Scenario, index: int, *args: object) -> ReplicationResult:
        calls.append((scenario.name, index))
        return real(scenario, index, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "run_replication", counted)  # on Dask
    monkeypatch.setattr(shared_warmup, "run_replication", counted)  # here and on local workers
    return calls


def test_two_workers_give_the_same_tables(reference: RunResult) -> None:
    assert_same(run(tiny(), workers=2), reference)


@pytest.mark.skipif(not HAS_DISTRIBUTED, reason="dask.distributed is not installed (the dask extra)")
def test_dask_local_gives_the_same_tables(reference: RunResult) -> None:
    progress: list[tuple[float, int]] = []
    result = run(tiny(), workers=2, dask="local", on_progress=lambda done, total: progress.append((done, total)))
    assert_same(result, reference)
    assert progress[-1] == (3, 3)


def test_run_many_equals_separate_runs(reference: RunResult) -> None:
    other = tiny(2, 11, "service.agents=2")
    progress: list[tuple[float, int]] = []
    both = run_many([tiny(), other], workers=2, on_progress=lambda done, total: progress.append((done, total)))
    assert_same(both[0], reference)
    assert_same(both[1], run(other))
    done = [d for d, _ in progress]
    assert done == sorted(done) and done[-1] == 5 and {t for _, t in progress} == {5}


def test_a_resumed_run_loads_its_checkpoints_and_equals_an_uninterrupted_one(
    reference: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "checkpoints"
    run(tiny(2), checkpoints=folder)  # "interrupted" after replications 0 and 1
    assert len(Checkpoints(folder).files()) == 2
    calls = counting(monkeypatch)
    progress: list[float] = []
    resumed = run(tiny(), checkpoints=folder, on_progress=lambda done, total: progress.append(done))
    assert [i for _, i in calls] == [2]  # only the missing one ran
    assert progress[0] == 2 and progress[-1] == 3
    assert_same(resumed, reference)
    assert len(Checkpoints(folder).files()) == 3


def test_a_deleted_checkpoint_is_run_again(reference: RunResult, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "checkpoints"
    run(tiny(), workers=2, checkpoints=folder)
    Checkpoints(folder).path(fingerprint(tiny()), 1).unlink()
    calls = counting(monkeypatch)
    assert_same(run(tiny(), checkpoints=folder), reference)
    assert [i for _, i in calls] == [1]


def test_a_checkpoint_of_another_scenario_is_not_used_nor_deleted(
    reference: RunResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "checkpoints"
    other = tiny(3, 12)  # another seed: another scenario
    run(other, checkpoints=folder)
    foreign = Checkpoints(folder).files()
    assert fingerprint(other) != fingerprint(tiny()) == fingerprint(tiny(7))  # replications do not count
    calls = counting(monkeypatch)
    assert_same(run(tiny(), checkpoints=folder), reference)
    assert [i for _, i in calls] == [0, 1, 2]
    assert set(foreign) < set(Checkpoints(folder).files())
def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_sim.py", *map(str, args)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_run_resume_after_a_partial_run_equals_an_uninterrupted_run(tmp_path: Path) -> None:
    common: list[str | Path] = ["run", BASELINE, *[a for s in TINY for a in ("--set", s)], "--seed", "5", "--quiet", "--workers", "1"]
    whole = tmp_path / "whole"
    assert cli(*common, "-n", "3", "--out", whole).returncode == 0
    out = tmp_path / "resumed"
    partial = tmp_path / "resumed.partial"
    # A run interrupted after two replications leaves their checkpoints beside its output folder.
    run(load_scenario(BASELINE, TINY, seed=5, replications=2), checkpoints=partial)
    refused = cli(*common, "-n", "3", "--out", out)
    assert refused.returncode == 2 and "--resume" in refused.stderr and "Traceback" not in refused.stderr
    assert not (out / "summary.json").exists()
    proc = cli(*common, "-n", "3", "--out", out, "--resume")
    assert proc.returncode == 0, proc.stderr
    assert "2 of 3 replication(s) loaded" in proc.stderr
    assert not partial.exists()
    for name in ("kpis.csv", "timeseries.csv", "churn_events.csv", "desk_by_hour.csv"):
        assert (out / name).read_bytes() == (whole / name).read_bytes(), name


def test_resume_needs_out() -> None:
    proc = cli("run", BASELINE, "--resume", "--quiet")
    assert proc.returncode == 2 and "--resume needs --out" in proc.stderr


def test_dask_without_distributed_is_one_line_of_bad_input(monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    from sim import cli as sim_cli

    monkeypatch.setattr(sim_cli, "dask_available", lambda: False)
    assert sim_cli.main(["run", str(BASELINE), "--dask", "local", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install -e '.[dask]'" in err


def test_a_bad_dask_address_is_bad_input(capsys: pytest.CaptureFixture[str]) -> None:
    from sim import cli as sim_cli

    assert sim_cli.main(["run", str(BASELINE), "--dask", "127.0.0.1:8786", "--quiet"]) == 2
    assert "tcp://HOST:PORT" in capsys.readouterr().err


def sigint_in(pid: int, field: str) -> bool:
    """Whether SIGINT is in the process's SigIgn (ignored) or SigCgt (caught) set."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    bits = int(next(line.split()[1] for line in status.splitlines() if line.startswith(field + ":")), 16)
    return bool(bits & (1 << (signal.SIGINT - 1)))


def ignores_sigint(pid: int) -> bool:
    return sigint_in(pid, "SigIgn")


def catches_sigint(pid: int) -> bool:
    return sigint_in(pid, "SigCgt")


def is_worker(pid: int) -> bool:
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


@pytest.mark.skipif(not HAS_DISTRIBUTED, reason="dask.distributed is not installed (the dask extra)")
@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to find worker processes")
def test_ctrl_c_stops_a_dask_run_with_no_traceback_and_the_cluster_closed(tmp_path: Path) -> None:
    from test_cli import children

    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "run_sim.py", "run", str(BASELINE), "-n", "500", "--quiet", "--out", str(out),
         "--workers", "2", "--dask", "local"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )
    deadline = time.monotonic() + 300
    while not (len(workers := {p for p in children(proc.pid) if is_worker(p) and ignores_sigint(p)}) >= 2
               and catches_sigint(proc.pid)):  # the cluster is up and the run takes Ctrl-C again
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the cluster's workers never started"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130 and "Traceback" not in err, err
    assert "interrupted: no output was written" in err
    alive = {p for p in workers if Path(f"/proc/{p}/status").exists()
             and "State:\tZ" not in Path(f"/proc/{p}/status").read_text()}
    assert not alive, "the cluster's workers outlived the run"
    assert not (out / "summary.json").exists() and not (tmp_path / "out.partial").exists()


def test_ctrl_c_says_how_to_resume_and_the_resumed_run_equals_an_uninterrupted_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim import cli as sim_cli

    args = ["run", str(BASELINE), *[a for s in TINY for a in ("--set", s)], "--seed", "9", "-n", "3",
            "--quiet", "--workers", "1"]
    assert sim_cli.main([*args, "--out", str(tmp_path / "whole")]) == 0
    real = runner.run_replication

    def ctrl_c_at_the_third(scenario: Scenario, index: int, *rest: object) -> ReplicationResult:
        if index == 2:
            raise KeyboardInterrupt
        return real(scenario, index, *rest)  # type: ignore[arg-type]

    out = tmp_path / "out"
    monkeypatch.setattr(shared_warmup, "run_replication", ctrl_c_at_the_third)  # where the runner runs each
    capsys.readouterr()
    assert sim_cli.main([*args, "--out", str(out)]) == 130
    err = capsys.readouterr().err
    assert "interrupted: no output was written" in err
    assert f"to resume: run_sim.py {' '.join(args)} --out {out} --resume" in err
    assert not out.exists() and len(Checkpoints(tmp_path / "out.partial").files()) == 2
    monkeypatch.setattr(shared_warmup, "run_replication", real)
    calls = counting(monkeypatch)
    assert sim_cli.main([*args, "--out", str(out), "--resume"]) == 0
    assert [i for _, i in calls] == [2]
    assert not (tmp_path / "out.partial").exists()
    for name in ("kpis.csv", "timeseries.csv", "churn_events.csv", "desk_by_hour.csv"):
        assert (out / name).read_bytes() == (tmp_path / "whole" / name).read_bytes(), name


@pytest.mark.skipif(not HAS_DISTRIBUTED, reason="dask.distributed is not installed (the dask extra)")
def test_dask_at_a_schedulers_address_gives_the_same_tables(reference: RunResult) -> None:
    import distributed

    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, protocol="tcp",
                                  host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        assert address.startswith("tcp://")
        assert_same(run(tiny(), dask=address), reference)
