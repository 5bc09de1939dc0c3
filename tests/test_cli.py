"""End to end through ``run_sim.py``: the output folder, reproducibility, workers, and
bad input (exit code 2, one line naming the field, never a traceback)."""

from __future__ import annotations

import csv
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from sim.core.vocabulary import CAUSES
from sim.experiments.sizing import BASE_BYTES, BYTES_PER_PERSON
from sim.outputs.kpis import KPI_DEFINITIONS, KPI_NAMES

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
# The shared contract checker, optional: $CHURN_SIM_CHECKER, else ../shared/tools/check_outputs.py.
CHECKER = Path(os.environ.get("CHURN_SIM_CHECKER", ROOT.parent / "shared" / "tools" / "check_outputs.py"))
SMALL = ["--set", "horizon_days=60", "--set", "market.population=5000",
         "--set", "market.initial_customers=1000"]
SEED = 4242


def cli(*args: str | Path, timeout: float = 120, memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """``run_sim.py`` with ``args``; ``memory`` pretends the machine has that many bytes available."""
    env = None if memory is None else {**os.environ, "CHURN_SIM_AVAILABLE_MEMORY": str(memory)}
    return subprocess.run(
        [sys.executable, "run_sim.py", *map(str, args)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env,
    )


def run_small(out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return cli("run", BASELINE, "--replications", "2", *SMALL, "--seed", str(SEED),
               "--workers", "1", "--quiet", "--out", out, *extra)


def summary(out: Path) -> dict[str, Any]:
    return json.loads((out / "summary.json").read_text(encoding="utf-8"))


def rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def ok(proc: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli") / "out"
    ok(run_small(folder))
    return folder


# ------------------------------------------------------------------ the output folder


def test_run_writes_summary_json_with_every_kpi(out: Path) -> None:
    s = summary(out)
    assert s["schema"] == 1
    assert s["seed"] == SEED and s["replications"] == 2 and s["horizon_days"] == 60
    assert s["scenario"] == yaml.safe_load(BASELINE.read_text(encoding="utf-8"))["name"]
    assert isinstance(s["version"], str) and s["version"]
    assert set(KPI_NAMES) <= set(s["kpis"])
    for name in KPI_NAMES:
        k = s["kpis"][name]
        assert len(k["values"]) == 2, name
        assert len(k["ci95"]) == 2, name
        if all(v is not None for v in k["values"]):
            assert k["mean"] == pytest.approx(sum(k["values"]) / 2), name
            lo, hi = k["ci95"]
            assert lo <= k["mean"] <= hi, name
    churned = s["kpis"]["churned_total"]["values"]
    for i in range(2):
        assert sum(s["kpis"][f"churned_{c}"]["values"][i] for c in CAUSES) == churned[i]


def test_run_writes_the_tables(out: Path) -> None:
    s = summary(out)
    ts = rows(out / "timeseries.csv")
    assert len(ts) == 2 * 60
    assert {(int(r["replication"]), int(r["day"])) for r in ts} == {(i, d) for i in range(2) for d in range(60)}
    churn = rows(out / "churn_events.csv")
    assert len(churn) == sum(s["kpis"]["churned_total"]["values"]) > 0
    assert {r["cause"] for r in churn} <= set(CAUSES)
    for i in range(2):
        assert sum(int(r["replication"]) == i for r in churn) == s["kpis"]["churned_total"]["values"][i]
    kpi_rows = rows(out / "kpis.csv")
    assert len(kpi_rows) == 2
    assert float(kpi_rows[1]["orders"]) == s["kpis"]["orders"]["values"][1]


def test_resolved_scenario_records_seed_and_version_and_reruns_identically(
    out: Path, tmp_path: Path
) -> None:
    resolved_text = (out / "scenario.resolved.yaml").read_text(encoding="utf-8")
    resolved = yaml.safe_load(resolved_text)
    assert resolved["seed"] == SEED
    assert resolved["version"] == summary(out)["version"]
    assert resolved["replications"] == 2 and resolved["horizon_days"] == 60
    assert resolved["market"]["population"] == 5000
    again = tmp_path / "again"
    ok(cli("run", out / "scenario.resolved.yaml", "--workers", "1", "--quiet", "--out", again))
    assert summary(again)["kpis"] == summary(out)["kpis"]


@pytest.mark.skipif(not CHECKER.is_file(), reason="set CHURN_SIM_CHECKER to the contract checker's path")
def test_output_contract_checker_passes(out: Path) -> None:
    proc = subprocess.run([sys.executable, str(CHECKER), str(out)], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_output_contract_holds(out: Path) -> None:
    """The project's own contract test (always runs): shares in [0, 1], means inside their
    intervals, churn by cause adding up, one row per replication and day."""
    s = summary(out)
    n = s["replications"]
    for name, k in s["kpis"].items():
        d = KPI_DEFINITIONS[name]
        defined = [v for v in k["values"] if v is not None]
        assert all(d.low <= v <= d.high for v in defined), name
        if len(defined) == n and n > 1:
            lo, hi = k["ci95"]
            assert lo <= k["mean"] <= hi, name
    assert len(rows(out / "timeseries.csv")) == n * s["horizon_days"]
    assert "seed" in (out / "scenario.resolved.yaml").read_text(encoding="utf-8")


# ------------------------------------------------------------------ reproducibility


def test_same_seed_twice_gives_identical_kpis(out: Path, tmp_path: Path) -> None:
    ok(run_small(tmp_path / "twice"))
    assert summary(tmp_path / "twice")["kpis"] == summary(out)["kpis"]


def test_another_seed_gives_different_kpis(out: Path, tmp_path: Path) -> None:
    other = tmp_path / "other"
    ok(cli("run", BASELINE, "--replications", "2", *SMALL, "--seed", str(SEED + 1),
           "--workers", "1", "--quiet", "--out", other))
    assert summary(other)["seed"] == SEED + 1
    assert summary(other)["kpis"]["revenue"] != summary(out)["kpis"]["revenue"]
    assert summary(other)["kpis"]["orders"]["values"] != summary(out)["kpis"]["orders"]["values"]


def test_two_workers_give_identical_kpis(out: Path, tmp_path: Path) -> None:
    two = tmp_path / "two"
    ok(run_small(two, "--workers", "2"))
    assert summary(two)["kpis"] == summary(out)["kpis"]
    assert (two / "timeseries.csv").read_bytes() == (out / "timeseries.csv").read_bytes()
    assert (two / "churn_events.csv").read_bytes() == (out / "churn_events.csv").read_bytes()


def test_check_accepts_every_shipped_scenario() -> None:
    files = sorted((ROOT / "scenarios").rglob("*.yaml"))
    assert BASELINE in files
    proc = ok(cli("check", *files))
    assert proc.stdout.count(": ok (") == len(files)


def test_run_prints_a_summary_table_and_where_the_output_went(tmp_path: Path) -> None:
    proc = ok(cli("run", BASELINE, "-n", "1", "--set", "horizon_days=5", "--set", "market.population=1000",
                  "--set", "market.initial_customers=200", "--workers", "1", "--out", tmp_path / "o"))
    assert "churn events per customer-year" in proc.stdout
    assert f"Output written to {tmp_path / 'o'}" in proc.stdout


# ---------------------------------------------------------------------- bad input


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


# (name, files {name: text}, the file to run, extra arguments, fragments stderr must hold)
BAD: list[tuple[str, dict[str, str], str, list[str], list[str]]] = [
    ("unknown key", {"s.yaml": "name: bad\nservice:\n  agnets: 4\n"}, "s.yaml", [],
     ["s.yaml:3", "service.agnets", "unknown key", "did you mean 'agents'"]),
    ("unknown section", {"s.yaml": "servce:\n  agents: 4\n"}, "s.yaml", [],
     ["s.yaml:1", "servce", "did you mean 'service'"]),
    ("wrong type", {"s.yaml": "service:\n  agents: four\n"}, "s.yaml", [],
     ["s.yaml:2", "service.agents", "'four'", "whole number"]),
    ("probability above 1", {"s.yaml": "service:\n  first_contact_resolution: 1.3\n"}, "s.yaml", [],
     ["service.first_contact_resolution", "1.3", "from 0 to 1"]),
    ("negative count", {"s.yaml": "market:\n  initial_customers: -5\n"}, "s.yaml", [],
     ["market.initial_customers", "-5"]),
    ("min above max", {"s.yaml": "word_of_mouth:\n  told_by_unhappy: {min: 20, max: 10}\n"}, "s.yaml", [],
     ["word_of_mouth.told_by_unhappy", "min (20) is above max (10)"]),
    ("missing extends target", {"s.yaml": "extends: nowhere.yaml\nname: x\n"}, "s.yaml", [],
     ["s.yaml:1", "extends", "nowhere.yaml", "not found"]),
    ("extends cycle", {"a.yaml": "extends: b.yaml\n", "b.yaml": "extends: a.yaml\n"}, "a.yaml", [],
     ["extends cycle", "a.yaml", "b.yaml"]),
    ("YAML syntax error", {"s.yaml": "name: x\nservice:\n  agents: 3\n   patience_minutes: null\n"},
     "s.yaml", [], ["s.yaml:4", "YAML syntax error"]),
    ("missing scenario file", {}, "absent.yaml", [], ["absent.yaml", "not found"]),
    ("empty scenario file", {"s.yaml": ""}, "s.yaml", [],
     ["s.yaml: the scenario sets no parameters and has no `extends:`", "extends: baseline.yaml"]),
    ("name-only scenario file", {"s.yaml": "name: mine\n"}, "s.yaml", [],
     ["s.yaml: the scenario sets no parameters and has no `extends:`", "extends: baseline.yaml"]),
    ("malformed --set", {}, "BASELINE", ["--set", "service.agents"],
     ["--set", "service.agents", "dotted.path=value"]),
    ("--set of a bad value", {}, "BASELINE", ["--set", "service.agents=-1"],
     ["--set service.agents", "-1"]),
    ("--set of an unknown key", {}, "BASELINE", ["--set", "service.agnets=3"],
     ["--set service.agnets", "did you mean 'agents'"]),
    ("--replications 0", {}, "BASELINE", ["--replications", "0"], ["--replications", "0"]),
    ("--workers 0", {}, "BASELINE", ["--workers", "0"], ["--workers"]),
]


@pytest.mark.parametrize(("files", "target", "extra", "fragments"),
                         [case[1:] for case in BAD], ids=[case[0] for case in BAD])
def test_bad_input_exits_2_naming_the_field(
    tmp_path: Path, files: dict[str, str], target: str, extra: list[str], fragments: list[str]
) -> None:
    for name, text in files.items():
        write(tmp_path, name, text)
    scenario = BASELINE if target == "BASELINE" else tmp_path / target
    proc = cli("run", scenario, "--quiet", "--out", tmp_path / "out", *extra)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    for fragment in fragments:
        assert fragment in proc.stderr, (fragment, proc.stderr)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("text", ["", "name: mine\ndescription: forgot extends\n"],
                         ids=["empty", "name only"])
def test_a_scenario_without_parameters_or_extends_is_one_line_of_bad_input(
    tmp_path: Path, text: str
) -> None:
    path = write(tmp_path, "mine.yaml", text)
    for command in ("run", "check"):
        proc = cli(command, path, "--set", "service.agents=3")  # --set does not make it a scenario
        assert proc.returncode == 2, proc.stderr
        (line,) = proc.stderr.splitlines()
        assert line.startswith(f"{path}: the scenario sets no parameters and has no `extends:`")
        assert "add `extends: baseline.yaml`" in line
    fixed = write(tmp_path, "mine.yaml", f"extends: {BASELINE}\n{text}")
    assert ok(cli("check", fixed)).stdout.startswith(f"{fixed}: ok")


# ------------------------------------------------------------- the parameter reference


def params(*args: str) -> dict[str, str]:
    """``run_sim.py params``: each parameter's block (its ``path = default`` line and the
    indented lines under it) by path."""
    blocks: dict[str, str] = {}
    path = ""
    for line in ok(cli("params", *args)).stdout.splitlines():
        assert len(line) <= 100, line
        if not line.startswith(" "):
            path = line.split(" = ")[0]
            blocks[path] = ""
        blocks[path] += line + "\n"
    return blocks


def test_params_lists_every_parameter_with_default_unit_range_and_meaning() -> None:
    blocks = params()
    assert "market.population" in blocks and "economics.discount_rate_annual" in blocks
    mean = blocks["service.handle_minutes.mean"]
    assert mean.startswith("service.handle_minutes.mean = 12\n    unit: minutes; allowed: (0, 480]\n")
    assert "time an agent spends on one contact" in " ".join(mean.split())
    assert "[0, 1]" in blocks["service.first_contact_resolution"]


def test_params_of_one_section_fits_100_columns() -> None:
    paths = list(params("service"))  # every line checked to fit 100 columns
    assert "service.handle_minutes.mean" in paths and "service.agents" in paths
    assert all(p.startswith("service.") for p in paths)


def test_params_of_an_unknown_section_is_bad_input() -> None:
    proc = cli("params", "nosuchsection")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    assert "'nosuchsection'" in line and "allowed sections: market, acquisition" in line


def test_docs_parameters_md_is_up_to_date() -> None:
    committed = (ROOT / "docs" / "PARAMETERS.md").read_text(encoding="utf-8")
    generated = ok(cli("params", "--markdown")).stdout
    assert generated == committed, (
        "docs/PARAMETERS.md is stale: regenerate it with "
        "`.venv/bin/python run_sim.py params --markdown > docs/PARAMETERS.md`")


def test_a_distribution_parameter_can_be_set_by_dotted_path(tmp_path: Path) -> None:
    proc = ok(cli("check", BASELINE, "--set", "service.handle_minutes.mean=8"))
    assert ": ok" in proc.stdout
    proc = cli("check", BASELINE, "--set", "service.handle_minutes.mean=900")
    assert proc.returncode == 2
    assert proc.stderr.strip() == ("--set service.handle_minutes.mean: got 900.0; "
                                   "allowed: a number above 0 and at most 480")


def test_check_reports_every_bad_file_and_exits_2(tmp_path: Path) -> None:
    good = write(tmp_path, "good.yaml", "name: good\nhorizon_days: 30\n")
    bad = write(tmp_path, "bad.yaml", "service:\n  complaint_share: 2\n")
    proc = cli("check", good, bad)
    assert proc.returncode == 2
    assert "good.yaml: ok" in proc.stdout
    assert "service.complaint_share" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("bad", [["--set", "service.agents=abc"], ["--replications", "0"]],
                         ids=["bad --set", "bad --replications"])
def test_a_failed_run_leaves_an_earlier_result_untouched(out: Path, tmp_path: Path, bad: list[str]) -> None:
    folder = tmp_path / "kept"
    shutil.copytree(out, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    proc = run_small(folder, *bad)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_an_output_folder_that_cannot_be_created_is_bad_input(tmp_path: Path) -> None:
    (tmp_path / "afile").write_text("not a folder", encoding="utf-8")
    proc = cli("run", BASELINE, "-n", "1", "--set", "horizon_days=5", "--set", "market.population=1000",
               "--set", "market.initial_customers=200", "--workers", "1",
               "--out", tmp_path / "afile" / "sub")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2
    assert "--out" in proc.stderr
    assert "Running" not in proc.stderr  # refused before the simulation, not after it


def test_a_failure_while_writing_leaves_the_earlier_result_whole(
    out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.outputs.files
    from sim import load_scenario, run

    folder = tmp_path / "kept"
    shutil.copytree(out, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    result = run(load_scenario(BASELINE, ["horizon_days=5", "market.population=1000",
                                          "market.initial_customers=200"], seed=1, replications=1))

    def disk_full(*args: object, **kwargs: object) -> dict[str, Any]:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sim.outputs.files, "summary", disk_full)
    with pytest.raises(OSError):
        sim.outputs.files.write_outputs(result, folder, "test")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]  # no temporary files left behind


def test_nan_kpis_are_written_as_null(tmp_path: Path) -> None:
    # no complaints can be told without unhappy tellers: mean_told_by_unhappy is undefined
    folder = tmp_path / "o"
    ok(cli("run", BASELINE, "-n", "2", "--set", "horizon_days=5", "--set", "market.population=1000",
           "--set", "market.initial_customers=200", "--set", "word_of_mouth.tell_probability_unhappy=0",
           "--workers", "1", "--quiet", "--out", folder))
    text = (folder / "summary.json").read_text(encoding="utf-8")
    assert "NaN" not in text and "Infinity" not in text
    k = summary(folder)["kpis"]["mean_told_by_unhappy"]
    assert k["values"] == [None, None] and k["mean"] is None
    assert all(v is None or math.isfinite(v) for v in summary(folder)["kpis"]["revenue"]["values"])


# ------------------------------------------------------------- nothing lost silently


def test_out_onto_a_result_exits_2_unless_overwrite(out: Path, tmp_path: Path) -> None:
    folder = tmp_path / "kept"
    shutil.copytree(out, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    proc = run_small(folder, "--replications", "1")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "already holds a result" in proc.stderr and "--overwrite" in proc.stderr
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    ok(run_small(folder, "--replications", "1", "--overwrite"))
    assert summary(folder)["replications"] == 1
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)  # no lock file left behind


def test_a_lock_file_left_by_a_crashed_run_does_not_block(tmp_path: Path) -> None:
    folder = tmp_path / "o"
    folder.mkdir()
    (folder / ".churn-sim.lock").write_text("999999999", encoding="utf-8")  # no process holds it
    ok(run_small(folder, "--replications", "1"))
    assert not (folder / ".churn-sim.lock").exists()


def children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def takes_signals(pid: int) -> bool:
    """Whether process ``pid`` has SIGINT and SIGTERM unblocked: a worker does once its handler
    is in place (it starts with them blocked)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    blocked = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigBlk:")), 16)
    return not blocked & ((1 << (signal.SIGINT - 1)) | (1 << (signal.SIGTERM - 1)))


def _as_in_a_terminal() -> None:
    """In the run's process before it starts: Ctrl-C's default action, as in a terminal. A suite
    started in the background by a shell without job control (``make test &``) ignores SIGINT,
    and a child inherits an ignored signal, which Python then leaves ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_long_run(out: Path, *extra: str, workers: int = 1) -> tuple[subprocess.Popen[str], set[int]]:
    """A run that would take hours, in its own process group (as a terminal's Ctrl-C would reach
    it), returned with its worker processes once it holds its output folder and, with
    ``workers`` > 1, that many workers are running replications with their signal handlers in
    place. It waits for those states, not for a time: it holds however slow the machine."""
    proc = subprocess.Popen(
        [sys.executable, "run_sim.py", "run", str(BASELINE), "-n", "500", "--quiet", "--out", str(out),
         "--workers", str(workers), *extra],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        preexec_fn=_as_in_a_terminal,
    )
    lock = out / ".churn-sim.lock"
    deadline = time.monotonic() + 300
    while True:
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the run never took its output folder and started its workers"
        ready = {p for p in children(proc.pid) if takes_signals(p)} if workers > 1 else set()
        try:
            held = lock.read_text(encoding="utf-8").strip() == str(proc.pid)
        except FileNotFoundError:
            held = False
        if held and len(ready) >= workers * (workers > 1):
            return proc, ready
        time.sleep(0.05)


def stop(proc: subprocess.Popen[str], signum: int = signal.SIGINT, group: bool = True) -> tuple[int, str]:
    """Send ``signum`` to the run's process group (Ctrl-C in a terminal) or to the run alone
    (``kill``), and wait for it to end."""
    if group:
        os.killpg(proc.pid, signum)
    else:
        os.kill(proc.pid, signum)
    _, err = proc.communicate(timeout=300)
    return proc.returncode, err


def test_a_second_run_into_a_folder_being_written_exits_2(tmp_path: Path) -> None:
    folder = tmp_path / "busy"
    first, _ = start_long_run(folder)
    try:
        second = run_small(folder)
        assert second.returncode == 2 and "Traceback" not in second.stderr
        assert f"another run (pid {first.pid}) is writing into" in second.stderr
        assert first.poll() is None  # the first run goes on
    finally:
        code, err = stop(first)
    assert code == 130 and "Traceback" not in err, err
    assert not folder.exists()  # the interrupted run removes the folder it created


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs /proc to find worker processes")
@pytest.mark.parametrize(("signum", "group", "workers", "code", "said"), [
    (signal.SIGINT, True, 2, 130, "interrupted"),  # Ctrl-C in a terminal
    (signal.SIGTERM, False, 2, 143, "stopped by SIGTERM"),  # kill <pid>: the workers get nothing
    (signal.SIGTERM, True, 2, 143, "stopped by SIGTERM"),
    (signal.SIGTERM, False, 1, 143, "stopped by SIGTERM"),
], ids=["ctrl-c", "sigterm", "sigterm-to-group", "sigterm-one-process"])
def test_a_signal_leaves_no_process_no_lock_and_the_earlier_result_whole(
    out: Path, tmp_path: Path, signum: int, group: bool, workers: int, code: int, said: str
) -> None:
    folder = tmp_path / "kept"
    shutil.copytree(out, folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    proc, running = start_long_run(folder, "--overwrite", workers=workers)
    returncode, err = stop(proc, signum, group)
    assert returncode == code and "Traceback" not in err, err
    assert f"{said}: no output was written" in err
    deadline = time.monotonic() + 60
    while (alive := {p for p in running if Path(f"/proc/{p}").exists()}) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive, "worker processes outlived the run"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # no lock file left either
    assert [p.name for p in tmp_path.iterdir()] == ["kept"]  # no temporary folder left behind


# --------------------------------------------------------- outputs that explain themselves


def test_summary_defines_every_kpi_in_the_scenarios_currency(out: Path) -> None:
    s = summary(out)
    assert list(s["kpi_definitions"]) == list(KPI_NAMES)
    for name, d in s["kpi_definitions"].items():
        assert set(d) == {"label", "unit", "definition", "better"}, name
        assert d["better"] in ("higher", "lower", "neither")
    assert s["kpi_definitions"]["npv"]["unit"] == "EUR"


def test_counts_are_integers_and_intervals_stay_in_range(out: Path) -> None:
    s = summary(out)
    for name in KPI_NAMES:
        d = KPI_DEFINITIONS[name]
        k = s["kpis"][name]
        if d.integer:
            assert all(isinstance(v, int) for v in k["values"]), name
        lo, hi = k["ci95"]
        if lo is not None:  # null: undefined in this run (e.g. a first-year share of a shorter window)
            assert d.low <= lo <= hi <= d.high, name
    for row in rows(out / "kpis.csv"):
        assert all(row[n].lstrip("-").isdigit() for n in KPI_NAMES if KPI_DEFINITIONS[n].integer)
    for row in rows(out / "timeseries.csv")[:5]:
        for name in ("replication", "day", "customers_active", "orders", "contacts", "churned_died"):
            assert row[name].isdigit(), (name, row[name])


def test_table_groups_kpis_and_says_how_far_to_trust_the_intervals(tmp_path: Path) -> None:
    tiny = ["--set", "horizon_days=5", "--set", "market.population=1000", "--set", "market.initial_customers=200",
            "--workers", "1"]
    one = ok(cli("run", BASELINE, "-n", "1", *tiny, "--set", "economics.currency=USD", "--out", tmp_path / "one"))
    assert "no interval (n=1)" in one.stdout and "No intervals: one replication" in one.stdout
    assert "Economics (USD)" in one.stdout and summary(tmp_path / "one")["kpi_definitions"]["revenue"]["unit"] == "USD"
    lines = one.stdout.splitlines()
    causes = lines.index("Causes of churn, as shares of all churn")
    churn = lines.index("Churn")
    assert any(line.lstrip().startswith("churn events per customer-year") for line in lines[churn:causes])
    assert not lines[causes + 1].startswith("    ")  # causes are a group of their own, not under the rate
    two = ok(cli("run", BASELINE, "-n", "2", *tiny, "--out", tmp_path / "two"))
    assert "95 % CI, n=2" in two.stdout and "unreliable" in two.stdout
    for heading in ("Customers", "Churn", "Support desk", "Fulfilment", "Economics (EUR)"):
        assert heading in two.stdout.splitlines()


def test_undefined_kpis_are_empty_cells_in_csv(tmp_path: Path) -> None:
    folder = tmp_path / "o"
    ok(cli("run", BASELINE, "-n", "2", "--set", "horizon_days=5", "--set", "market.population=1000",
           "--set", "market.initial_customers=200", "--set", "word_of_mouth.tell_probability_unhappy=0",
           "--workers", "1", "--quiet", "--out", folder))
    assert [r["mean_told_by_unhappy"] for r in rows(folder / "kpis.csv")] == ["", ""]
    for name in ("kpis.csv", "timeseries.csv", "churn_events.csv"):
        assert "nan" not in (folder / name).read_text(encoding="utf-8").lower(), name


# ------------------------------------------------------------- a guard before an impossible run

TINY = ["-n", "1", "--set", "horizon_days=5", "--set", "market.population=1000",
        "--set", "market.initial_customers=200", "--quiet"]


def test_a_market_too_big_for_the_memory_is_refused_before_it_is_built(tmp_path: Path) -> None:
    # 5,000,000 people need ~2.5 GB a process; the machine is said to have 2 GB. Nothing is allocated:
    # the refusal comes before the run.
    proc = cli("run", BASELINE, "--set", "market.population=5000000", "--set", "market.initial_customers=1000000",
               "--workers", "1", "--out", tmp_path / "big", memory=2_000_000_000, timeout=30)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    expected = (BASE_BYTES + BYTES_PER_PERSON * 5_000_000) / 1e9  # sim.experiments.sizing's constants
    assert f"needs about {expected:.1f} GB" in proc.stderr and "2.0 GB is available" in proc.stderr
    assert "--no-size-check" in proc.stderr and "Running" not in proc.stderr
    assert not (tmp_path / "big").exists()


def test_no_size_check_overrides_the_guard(tmp_path: Path) -> None:
    refused = cli("run", BASELINE, *TINY, "--out", tmp_path / "a", memory=1)
    assert refused.returncode == 2 and "needs about" in refused.stderr
    ok(cli("run", BASELINE, *TINY, "--no-size-check", "--out", tmp_path / "b", memory=1))


def test_workers_are_capped_at_the_cpus(tmp_path: Path) -> None:
    proc = ok(cli("run", BASELINE, *TINY, "--workers", "4096", "--out", tmp_path / "o"))
    assert "--workers 4096 capped at" in proc.stderr and "number of CPUs" in proc.stderr


def test_a_long_run_is_announced_with_its_estimate(capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse

    from sim import cli as sim_cli
    from sim import load_scenario

    monkeypatch.setenv("CHURN_SIM_AVAILABLE_MEMORY", str(10**12))
    big = load_scenario(BASELINE, ["market.population=5000000", "market.initial_customers=1000000"])
    args = argparse.Namespace(workers=2, size_check=True, quiet=False)
    assert sim_cli._size_ok(big, args)  # only estimated, never built
    err = capsys.readouterr().err
    assert "warning: this run will take about" in err and "a replication" in err
    assert sim_cli._size_ok(load_scenario(BASELINE), args)
    assert capsys.readouterr().err == ""  # the baseline takes seconds: no warning


@pytest.mark.parametrize(("name", "folder"), [("../../escape", "_._.._escape"), ("a/b", "a_b")])
def test_a_scenarios_name_becomes_one_safe_folder_inside_runs(tmp_path: Path, name: str, folder: str) -> None:
    cwd = tmp_path / "here"
    cwd.mkdir()
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), "run", str(BASELINE), "-n", "1", *SMALL, "--set",
         "horizon_days=20", "--set", f"name={name}", "--workers", "1", "--quiet"],
        cwd=cwd, capture_output=True, text=True, timeout=120,
    )
    ok(proc)
    made = list((cwd / "runs").iterdir())
    assert len(made) == 1 and made[0].name.startswith(f"{folder}-"), made
    assert (made[0] / "summary.json").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["here"]  # nothing written outside runs/
    assert sorted(p.name for p in cwd.iterdir()) == ["runs"]
