"""Writing a run's output folder, atomically.

The folder holds:

* ``summary.json`` — schema 1: scenario, seed, replications, horizon, version, the
  command and the environment (Python and library versions) that produced it, per
  KPI the mean, a 95 % Student-t interval and the value of every replication, and
  ``kpi_definitions`` (label, unit, definition, direction of good of each KPI);
* ``kpis.csv`` — the same KPIs, one row per replication;
* ``timeseries.csv`` — one row per replication and day;
* ``churn_events.csv`` — one row per churn, with its cause;
* ``desk_by_hour.csv`` — the desk by weekday and hour of arrival, one row per
  replication, weekday and hour: contacts offered, answered, abandoned, waits;
* ``scenario.resolved.yaml`` — the scenario exactly as run (after extends, changes and
  ``--set``), with seed and version: run it again to get the same numbers.

All files are first written into a fresh temporary folder beside the output folder;
only when every one of them is complete are they renamed into place, one rename each
(atomic on one file system), ``summary.json`` last. So a failed or interrupted run
never leaves a half-written file, or a mix of old and new files, over an earlier
result. A comparison's folder is staged whole in the same way — its scenarios' folders,
``comparison.csv`` and ``summary.json`` — and only then renamed into place, a scenario's
folder in one rename: an interrupted comparison leaves nothing of itself, and no scenario
folder of an earlier comparison beside its own (only the folders that comparison's
``summary.json`` names go; nothing else in ``scenarios/``). What is left of an earlier result
of the other kind goes too once the new one is in place (a run's files under a comparison, a
comparison's files and scenario folders under a run), and so does its ``report.html`` (the
report is made from the result, after it).

Nothing is lost silently either (:func:`claim_output_folder`): a folder that already
holds a result is only written over when asked to (``overwrite``), and a run holds an
exclusive lock on ``.churn-sim.lock`` in its folder while it runs, so a second run into
the same folder is refused instead of racing the first. The lock is an OS lock
(``fcntl.flock``) on that file, which also records the owner's pid for the message: the
OS drops it when its process ends, however it ends, so a crashed run never leaves a
folder locked (a lock file it leaves behind is simply taken over).

A run's checkpoints (its finished replications, for ``run --resume``) live beside the output
folder, in ``<out>.partial/`` (:func:`partial_folder`), never in it: the output folder only
ever holds a whole result.
"""

from __future__ import annotations

import csv
import fcntl
import json
import math
import os
import re
import signal
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import numpy as np
import pandas as pd

from sim.core.processes import can_fork
from sim.core.version import environment
from sim.outputs.kpis import KPI_DEFINITIONS, KPI_NAMES, kpi_definitions
from sim.outputs.stats import mean_ci
from sim.outputs.tables import RunResult
from sim.scenario import dump_resolved

SCHEMA = 1
LEVEL = 0.95
INTERVAL_METHOD = (
    "Student t across replications, clipped to the KPI's natural range "
    "(a share to [0, 1], a count, rate or cost to [0, inf))"
)
LOCK_NAME = ".churn-sim.lock"
RESULT_FILES = (
    "summary.json", "kpis.csv", "timeseries.csv", "churn_events.csv", "desk_by_hour.csv", "scenario.resolved.yaml",
)
REPORT_NAME = "report.html"  # made from a folder's result, after it (sim.outputs.report)


def partial_folder(out: Path) -> Path:
    """Where a run into ``out`` keeps its checkpoints until its output is whole: the sibling
    folder ``<out>.partial``."""
    folder = out if out.name not in ("", "..") else Path(os.path.abspath(out))
    return folder.with_name(folder.name + ".partial")


class OutputFolderError(Exception):
    """The output folder cannot be used: it holds a result, or another run is writing it."""


def _lock(path: Path) -> int:
    """An exclusive, non-blocking ``flock`` on ``path`` (created if needed); its descriptor."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise OutputFolderError(
                f"--out: another run (pid {owner}) is writing into {path.parent}; "
                "wait for it to finish or choose another folder"
            ) from None
        except BaseException:
            os.close(fd)
            raise
        try:
            same = os.path.samestat(os.fstat(fd), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:  # not a file its previous owner unlinked while we waited for it
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            return fd
        os.close(fd)


@contextmanager
def claim_output_folder(out: Path, overwrite: bool = False) -> Iterator[Path]:
    """Hold ``out`` (an existing folder) for one run: refuse it if another run holds it or,
    unless ``overwrite``, if it already holds a result; release it (and remove the lock file)
    on leaving, however the run ends."""
    lock_path = out / LOCK_NAME
    fd = _lock(lock_path)
    try:
        held = [name for name in RESULT_FILES if (out / name).exists()]
        if held and not overwrite:
            raise OutputFolderError(
                f"--out: {out} already holds a result ({', '.join(held)}); "
                "add --overwrite to replace it, or choose another folder"
            )
        yield out
    finally:
        lock_path.unlink(missing_ok=True)  # before unlocking, so no one locks a file about to vanish
        os.close(fd)


def folder_name(name: str) -> str:
    """A scenario's name as a safe folder name: letters, digits, ``-``, ``_`` and ``.`` (not
    leading) kept, anything else (``/``, ``..`` at the start, spaces) replaced by ``_``; so
    ``runs/<name>-<date-time>`` stays one folder inside runs/."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", name)
    return "_" + safe[1:] if safe.startswith(".") else safe or "_"


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def interval(name: str, values: Sequence[float]) -> tuple[float, float, float, int]:
    """Mean and 95 % interval of KPI ``name`` across the replications where it is defined (a
    ratio may be 0/0 in some), and how many those are: ``(mean, lo, hi, n)``. NaN where no
    replication defines it; no interval (NaN) from fewer than two. The interval is cut to the
    KPI's natural range (a Student-t interval of a share near 0 can reach below it), and the
    cut keeps lo <= hi."""
    defined = [v for v in values if math.isfinite(v)]
    n = len(defined)
    if not defined:
        return math.nan, math.nan, math.nan, 0
    mean, lo, hi = mean_ci(defined, LEVEL)
    if n < 2:
        return mean, math.nan, math.nan, n
    d = KPI_DEFINITIONS[name]
    lo = min(max(lo, d.low), d.high)
    hi = max(min(hi, d.high), d.low)
    return mean, lo, hi, n


def kpi_values(frame: pd.DataFrame, name: str) -> list[float]:
    """A KPI column as floats, NaN where undefined (counts are a nullable integer column)."""
    return [float(v) for v in frame[name].to_numpy(dtype=float, na_value=math.nan)]


def summary(result: RunResult, version: str, command: list[str] | None = None) -> dict[str, Any]:
    """The machine-readable summary (``summary.json``) of a run."""
    frame = result.kpis()
    kpis: dict[str, Any] = {}
    for name in KPI_NAMES:
        values = kpi_values(frame, name)
        mean, lo, hi, n = interval(name, values)
        integer = KPI_DEFINITIONS[name].integer
        kpis[name] = {
            "mean": _finite(mean),
            "ci95": [_finite(lo), _finite(hi)],
            "n": n,
            "values": [(int(v) if integer else v) if math.isfinite(v) else None for v in values],
        }
    sc = result.scenario
    return {
        "schema": SCHEMA,
        "scenario": sc.name,
        "seed": sc.seed,
        "replications": len(result.replications),
        "horizon_days": sc.horizon_days,
        "warmup_days": sc.warmup_days,
        "version": version,
        "command": command,
        "environment": environment(),
        "interval": {"level": LEVEL, "method": INTERVAL_METHOD},
        "kpis": kpis,
        "kpi_definitions": kpi_definitions(sc.economics.currency),
    }


def write_csv(frame: pd.DataFrame, f: Any) -> None:
    """``frame.to_csv(f, index=False)`` to a text file opened with ``newline=""``, the same
    bytes in about two thirds of the time: Python's :mod:`csv` writer over the columns as lists
    (a float is written by ``repr``, as NumPy's ``str`` of a float64 that pandas uses; a missing
    value empty). pandas spends most of its time converting each float column to an array of
    strings first, and the two large tables (timeseries, churn events) were ~10 % of a short
    run's wall time (docs/PERFORMANCE.md)."""
    writer = csv.writer(f, lineterminator="\n")  # pandas': os.linesep, on the systems we run on
    writer.writerow(frame.columns)
    writer.writerows(zip(*(_csv_column(frame[name]) for name in frame.columns), strict=True))


def _csv_column(column: pd.Series) -> list[Any]:
    """A column's values as Python objects the csv writer writes as pandas does: None where
    missing (NaN of a float column, pandas' NA of an extension column)."""
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iub":
        return column.to_numpy().tolist()
    if isinstance(column.dtype, np.dtype) and column.dtype.kind == "f":
        array = column.to_numpy()
        values: list[Any] = array.tolist()
        for i in np.flatnonzero(np.isnan(array)).tolist():
            values[i] = None
        return values
    return column.to_numpy(dtype=object, na_value=None).tolist()


def write_outputs(result: RunResult, out: Path, version: str, command: list[str] | None = None) -> Path:
    """Write the output folder ``out`` (created if needed); returns it."""
    out.mkdir(parents=True, exist_ok=True)
    earlier = _earlier_result(out)
    resolved = dump_resolved(result.scenario, version=version)
    data = summary(result, version, command)
    writers: dict[str, Callable[[Any], Any]] = {
        "scenario.resolved.yaml": lambda f: f.write(resolved),
        "timeseries.csv": lambda f: write_csv(result.timeseries(), f),
        "churn_events.csv": lambda f: write_csv(result.churn_events(), f),
        "desk_by_hour.csv": lambda f: write_csv(result.desk_by_hour(), f),
        "kpis.csv": lambda f: write_csv(result.kpis(), f),
        "summary.json": lambda f: json.dump(data, f, indent=2, allow_nan=False),
    }
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as tmp:
        for name, write in writers.items():
            with open(Path(tmp) / name, "w", encoding="utf-8", newline="") as f:
                write(f)
        for name in writers:  # summary.json last
            os.replace(Path(tmp) / name, out / name)
        _remove_earlier(out, earlier, RESULT_FILES, [], Path(tmp) / "earlier")
    (out / REPORT_NAME).unlink(missing_ok=True)  # an earlier result's
    return out


def write_runs(runs: Sequence[tuple[RunResult, Path]], version: str, command: list[str] | None = None,
               processes: int = 1) -> None:
    """Write several output folders (:func:`write_outputs` each, ``(result, folder)``) in up to
    ``processes`` processes: the folders dealt out in turn, this process writing its share while
    copies of it (``os.fork``, so nothing is pickled) write theirs. Each folder is written
    atomically by whichever process writes it. A copy that cannot be made, or that fails, leaves
    its folders to this process, which writes them again: a genuine error is raised here, with
    its traceback. If this process is interrupted, its copies are stopped (their temporary
    folders removed) before it goes on."""
    processes = max(1, min(processes, len(runs)))
    if processes == 1 or not can_fork():
        for result, out in runs:
            write_outputs(result, out, version, command)
        return
    shares = [list(runs[k::processes]) for k in range(processes)]
    mine = shares[0]
    copies: dict[int, list[tuple[RunResult, Path]]] = {}
    try:
        for share in shares[1:]:
            try:
                pid = os.fork()
            except OSError:
                mine += share
                continue
            if pid == 0:
                _write_in_copy(share, version, command)
            copies[pid] = share
        for result, out in mine:
            write_outputs(result, out, version, command)
        failed: list[tuple[RunResult, Path]] = []
        for pid in list(copies):
            _, status = os.waitpid(pid, 0)
            if os.waitstatus_to_exitcode(status) != 0:
                failed += copies[pid]
            del copies[pid]
        for result, out in failed:
            write_outputs(result, out, version, command)
    except BaseException:  # e.g. Ctrl-C: the copies stop too, leaving no temporary folder
        for pid in copies:
            os.kill(pid, signal.SIGTERM)
        for pid in copies:
            os.waitpid(pid, 0)
        raise


def _write_in_copy(share: list[tuple[RunResult, Path]], version: str, command: list[str] | None) -> NoReturn:
    """A forked copy's work: write its folders, then end, whatever happens, with 0 if all were
    written. It ignores Ctrl-C (its parent decides) and ends on SIGTERM through ``SystemExit``,
    so that :func:`write_outputs` removes its temporary folder."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        for result, out in share:
            write_outputs(result, out, version, command)
        code = 0
    finally:
        os._exit(code)


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(1)


COMPARISON_FILES = ("comparison.csv", "summary.json")


def comparison_rows(section: dict[str, Any], results: dict[str, RunResult]) -> pd.DataFrame:
    """comparison.csv: one row per alternative and KPI (its paired difference, interval and
    verdict, with both means), then one per alternative and economic figure."""
    rows: list[dict[str, Any]] = []
    base = results[section["baseline"]].kpis()
    for name, alt in section["alternatives"].items():
        frame = results[name].kpis()
        for kpi, d in {**alt["kpis"], **alt["other_kpis"]}.items():
            definition = KPI_DEFINITIONS[kpi]
            b, a = (interval(kpi, kpi_values(f, kpi))[0] for f in (base, frame))
            rows.append({"alternative": name, "kind": "kpi", "name": kpi, "label": definition.label,
                         "baseline_mean": _finite(b), "alternative_mean": _finite(a),
                         "diff_mean": d["diff_mean"], "diff_lo": d["diff_ci95"][0], "diff_hi": d["diff_ci95"][1],
                         "n": d["n"], "p_value": d["p_value"], "verdict": d.get("verdict", d.get("change"))})
        for key, value in alt["economics"].items():
            if isinstance(value, dict) and "mean" in value:
                ci = value.get("ci95") or [None, None]
                rows.append({"alternative": name, "kind": "economics", "name": key, "label": key,
                             "diff_mean": value["mean"], "diff_lo": ci[0], "diff_hi": ci[1]})
            elif key in ("payback_month", "p_best", "share_replications_paying_back"):
                rows.append({"alternative": name, "kind": "economics", "name": key, "label": key,
                             "diff_mean": value})
    return pd.DataFrame(rows)


def write_comparison(results: dict[str, RunResult], section: dict[str, Any], out: Path, version: str,
                     name: str, description: str = "", command: list[str] | None = None,
                     processes: int = 1) -> Path:
    """The comparison's folder: ``scenarios/NAME/`` with each scenario's run outputs (written
    by up to ``processes`` processes: :func:`write_runs`), then ``comparison.csv`` and, last,
    ``summary.json`` (each scenario's KPIs as ``run`` writes them, the KPI definitions and the
    ``comparison`` section). All of it is written into a temporary folder beside ``out`` first,
    then renamed into place (:func:`_move_in`: a scenario's folder in one rename), the two files
    after them; what is left of an earlier result is then removed (:func:`_remove_earlier`)."""
    out.mkdir(parents=True, exist_ok=True)
    earlier = _earlier_result(out)
    base = results[section["baseline"]].scenario
    data = {
        "schema": SCHEMA,
        "comparison_name": name,
        "description": description,
        "seed": base.seed,
        "replications": len(results[section["baseline"]].replications),
        "horizon_days": base.horizon_days,
        "warmup_days": base.warmup_days,
        "version": version,
        "command": command,
        "environment": environment(),
        "interval": {"level": LEVEL, "method": INTERVAL_METHOD},
        "scenarios": {n: summary(r, version, command)["kpis"] for n, r in results.items()},
        "kpi_definitions": kpi_definitions(base.economics.currency),
        "comparison": section,
    }
    rows = comparison_rows(section, results)
    with tempfile.TemporaryDirectory(prefix=f".{out.name}.", dir=out.parent) as tmp:
        staged = Path(tmp)
        write_runs([(result, staged / "scenarios" / folder_name(scenario_name))
                    for scenario_name, result in results.items()], version, command, processes)
        with open(staged / "comparison.csv", "w", encoding="utf-8", newline="") as f:
            rows.to_csv(f, index=False)
        with open(staged / "summary.json", "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, allow_nan=False)
        names = [folder_name(n) for n in results]
        _move_in(staged, out, names)
        for file in COMPARISON_FILES:  # summary.json last
            os.replace(staged / file, out / file)
        _remove_earlier(out, earlier, COMPARISON_FILES, names, staged / "earlier")
        (out / REPORT_NAME).unlink(missing_ok=True)  # an earlier result's
    return out


def _earlier_result(out: Path) -> dict[str, Any] | None:
    """The ``summary.json`` of the result ``out`` holds (a run's or a comparison's: this
    program's, with its schema), if any."""
    try:
        data = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and "schema" in data else None


def _remove_earlier(out: Path, earlier: dict[str, Any] | None, written: Sequence[str], scenarios: Sequence[str],
                    trash: Path) -> None:
    """Once a new result is in ``out`` (its files ``written``, its scenario folders ``scenarios``):
    remove what is left of the result it replaced (``earlier``, its summary), if any — a run's
    files, or a comparison's and the scenario folders its summary names (each an output folder,
    moved into ``trash``, removed with it). Nothing else is touched."""
    if earlier is None:
        return
    comparison = "comparison" in earlier
    for name in COMPARISON_FILES if comparison else RESULT_FILES:
        if name not in written:
            (out / name).unlink(missing_ok=True)
    folder = out / "scenarios"
    named = earlier.get("scenarios") if comparison else None
    for name in map(folder_name, map(str, named if isinstance(named, dict) else ())):
        if name not in scenarios and _is_output_folder(folder / name):
            trash.mkdir(exist_ok=True)
            os.replace(folder / name, trash / name)
    if comparison and not scenarios and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()


def _is_output_folder(path: Path) -> bool:
    """Whether ``path`` is a folder (not a link to one) holding a result of this program."""
    return path.is_dir() and not path.is_symlink() and _earlier_result(path) is not None


def _move_in(staged: Path, out: Path, names: list[str]) -> None:
    """Rename the scenario folders written in ``staged/scenarios`` into ``out/scenarios``, one
    rename each; an earlier result's folder of the same name is set aside in ``staged`` (removed
    with it), a folder of the same name that is not an output folder receives the files instead
    (one rename each, as before 2026-12-07). Nothing else in ``out/scenarios`` is touched: it
    may hold the user's files (``--out .`` in a checkout, say)."""
    scenarios, gone = out / "scenarios", staged / "earlier"
    for name in names:  # before anything moves
        target = scenarios / name
        if os.path.lexists(target) and (not target.is_dir() or target.is_symlink()):
            raise OutputFolderError(f"--out: {target} is in the way of the scenario's folder (not a folder); "
                                    "move it, or choose another folder")
    scenarios.mkdir(exist_ok=True)
    gone.mkdir(exist_ok=True)
    for name in names:
        target, written = scenarios / name, staged / "scenarios" / name
        if _is_output_folder(target):
            os.replace(target, gone / name)
        elif os.path.lexists(target):  # a folder of the user's
            for file in sorted(RESULT_FILES, key="summary.json".__eq__):  # summary.json last (False < True)
                os.replace(written / file, target / file)
            continue
        os.replace(written, target)
