"""The command line: ``run_sim.py run``, ``compare``, ``report``, ``check`` and ``params``.

Thin by design: parse the arguments, call the library, print, exit with a code.
Exit codes: 0 success, 1 an unexpected failure, 2 bad input (a scenario or argument
error, reported in one line per problem, never a traceback), 130 interrupted by Ctrl-C
(SIGINT), 143 stopped by SIGTERM. Either signal stops a run the same way: no traceback, the
workers ended, the output folder's lock released and nothing written (or, once the output
is written, the output whole).
"""

from __future__ import annotations

import argparse
import math
import re
import shlex
import shutil
import signal
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sim.core.version import full_version
from sim.experiments import sizing
from sim.experiments.compare import Precision, run_comparison
from sim.experiments.runner import (
    DASK_INSTALL,
    Checkpoints,
    ExecutorError,
    Interrupted,
    dask_available,
    fingerprint,
    run,
)
from sim.outputs.files import (
    OutputFolderError,
    claim_output_folder,
    folder_name,
    interval,
    kpi_values,
    partial_folder,
    write_comparison,
    write_outputs,
)
from sim.outputs.kpi_definitions import KPI_GROUPS
from sim.outputs.kpis import CURRENCY, KPI_DEFINITIONS
from sim.outputs.report import REPORT_NAME, NotAnOutputFolder, write_report
from sim.outputs.tables import RunResult
from sim.scenario import Scenario, ScenarioError, load_scenario, reference
from sim.scenario.comparison import Comparison, is_comparison_file, load_comparison, warmup_changes
from sim.scenario.investments import fixed_path

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143

# The terminal table: the groups of KPIs under headings (sim.outputs.kpi_definitions.KPI_GROUPS).
SHOWN = KPI_GROUPS
RELIABLE_REPLICATIONS = 5


def _format(name: str, value: float) -> str:
    d = KPI_DEFINITIONS[name]
    if d.integer or d.unit == CURRENCY:
        return f"{value:,.0f}"
    if d.high == 1.0 and d.unit.startswith("share") or d.unit == "per customer-year":
        return f"{value:.1%}"
    if d.high == 1.0:
        return f"{value:.3f}"
    return f"{value:.2f}"


def _label(name: str) -> str:
    d = KPI_DEFINITIONS[name]
    if d.unit in ("minutes", "days"):
        return f"{d.label} ({d.unit})"
    return f"{d.label} (0-1)" if d.unit.startswith("score") else d.label

def _add_running_options(p: argparse.ArgumentParser, what: str) -> None:
    """The options run and compare share (seed, output folder, overrides, workers, Dask, resume)."""
    every = " of every scenario" if what == "comparison" else ""
    p.add_argument("--seed", type=int, metavar="S", help=f"master seed{every} (default: the {what}'s)")
    p.add_argument("--out", type=Path, metavar="DIR",
                   help=f"output folder (default: runs/<{what}>-<date-time>); "
                   "refused if it holds a result, unless --overwrite")
    p.add_argument("--overwrite", action="store_true",
                   help="replace the result already in --out (it is replaced only once the new one is whole)")
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help=f"override a parameter{every} by dotted path, e.g. service.agents=4 (repeatable)")
    p.add_argument("--workers", "-j", type=int, metavar="N",
                   help="worker processes (results are identical for any N; default and maximum: one per CPU)")
    p.add_argument("--dask", metavar="local|tcp://HOST:PORT",
                   help="run the replications on Dask: 'local' starts a cluster of --workers processes on "
                   f"127.0.0.1 for the run, tcp://HOST:PORT uses a running scheduler (its workers need "
                   f"churn-sim installed); needs the dask extra: {DASK_INSTALL}")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run into --out: load the replications checkpointed in "
                   "<out>.partial/ and run only the missing ones (same numbers as an uninterrupted run)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress, no summary table")
    p.add_argument("--no-size-check", dest="size_check", action="store_false",
                   help="run even when the memory estimate exceeds the memory available")


def _replications(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"got {text!r}; allowed: a whole number >= 1, or auto") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_sim.py",
        description="churn-sim: simulate customers, service quality, word of mouth and churn.",
        epilog="Examples:\n"
        "  run_sim.py run scenarios/baseline.yaml\n"
        "  run_sim.py run scenarios/whatif/more_agents.yaml --replications 20 --seed 7\n"
        "  run_sim.py run scenarios/baseline.yaml --set service.agents=3 --out runs/three-agents\n"
        "  run_sim.py compare scenarios/compare_investments.yaml -n 30\n"
        "  run_sim.py compare scenarios/baseline.yaml scenarios/whatif/training.yaml --replications auto "
        "--precision 20000\n"
        "  run_sim.py check scenarios/*.yaml scenarios/whatif/*.yaml\n"
        "  run_sim.py params service          (every parameter: default, unit, range, meaning)\n"
        "  run_sim.py report runs/my-run      (rebuild report.html from the folder's results)\n\n"
        "A run writes summary.json, kpis.csv, timeseries.csv, churn_events.csv,\n"
        "desk_by_hour.csv and scenario.resolved.yaml (run it again to reproduce the numbers)\n"
        "into its folder. Days count from the measured window's first day (after warmup_days).\n"
        "A comparison writes summary.json (each scenario's KPIs and the comparison: paired\n"
        "differences with verdicts, NPV, ROI, payback, break-even cost, P(best)), comparison.csv\n"
        "and scenarios/NAME/ with each scenario's run outputs.\n"
        "Both end by writing report.html, a self-contained interactive report (open it in a\n"
        "browser, no network needed); report DIR rebuilds it from an output folder.\n"
        "Exit codes: 0 done, 2 bad input (scenario file, --set or option; an --out that holds a\n"
        "result, without --overwrite, or that another run is writing), 130 interrupted (Ctrl-C),\n"
        "143 stopped by SIGTERM; either leaves no partial output and the folder unlocked.\n"
        "A run with --out keeps its finished replications in <out>.partial/ until its output is\n"
        "whole; after an interruption, the same command with --resume runs only the missing ones\n"
        "(same numbers as an uninterrupted run).\n"
        "The model is described in docs/MODEL.md.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"churn-sim {full_version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    p = sub.add_parser("run", help="run a scenario and write an output folder")
    p.add_argument("scenario", type=Path, help="scenario YAML file")
    p.add_argument("--replications", "-n", type=int, metavar="N",
                   help="number of replications (default: the scenario's)")
    _add_running_options(p, "scenario")
    m = sub.add_parser("compare", help="compare investments against a baseline, paired, with their economics")
    m.add_argument("files", type=Path, nargs="+", metavar="FILE",
                   help="a comparison file (baseline: and alternatives:), or scenario files: the "
                        "baseline first, then the alternatives")
    m.add_argument("--replications", "-n", type=_replications, metavar="N|auto",
                   help="replications of every scenario (default: the comparison's, else the baseline's); "
                   "auto: add batches of 10 until every NPV half-width is at most --precision")
    m.add_argument("--precision", type=float, metavar="MONEY",
                   help="with --replications auto: the NPV half-width (95 %%) to reach, in the scenario's currency")
    m.add_argument("--max-replications", type=int, default=200, metavar="N",
                   help="with --replications auto: stop here in any case (default 200)")
    m.add_argument("--allow-warmup-changes", action="store_true",
                   help="compare alternatives that differ from the baseline outside their investments "
                        "(alternative worlds, changed from the start of the warm-up)")
    _add_running_options(m, "comparison")
    c = sub.add_parser("check", help="validate scenario and comparison files without running them")
    c.add_argument("scenarios", type=Path, nargs="+", help="scenario or comparison YAML files")
    c.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                   help="override a parameter by dotted path (repeatable)")
    r = sub.add_parser("report", help=f"rebuild {REPORT_NAME} in an output folder of run or compare from its results")
    r.add_argument("folder", type=Path, metavar="DIR", help="the output folder (it holds summary.json)")
    _add_params(sub)
    return parser


# ----------------------------------------------------------------- params (reference)


def _add_params(sub: Any) -> None:
    r = sub.add_parser("params", help="list the scenario parameters: dotted path, default, unit, "
                       "allowed range, meaning (docs/PARAMETERS.md has them all)")
    r.add_argument("section", nargs="?", help=f"only this section ({', '.join(reference.sections())}) "
                   "or dotted prefix, e.g. service.handle_minutes")
    r.add_argument("--markdown", action="store_true",
                   help=f"print docs/PARAMETERS.md instead: {reference.REGENERATE}")


def _cmd_params(args: argparse.Namespace) -> int:
    if args.markdown:
        print(reference.as_markdown(), end="")
        return EXIT_OK
    try:
        print(reference.as_text(reference.rows(args.section)))
    except KeyError:
        print(f"error: params: no section or parameter {args.section!r}; allowed sections: "
              f"{', '.join(reference.sections())}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK


class _ProgressBar:
    """A tqdm progress bar with ETA on stderr, counted in replications (fractions of one when
    running in this process); off when quiet or when stderr is not a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.bar: tqdm[Any] | None = None
        self.disabled = quiet or not sys.stderr.isatty()

    def __call__(self, done: float, total: int) -> None:
        if self.disabled:
            return
        if self.bar is None:
            # No tqdm monitor thread: this process may fork to share a comparison's warm-up, which
            # it does only while it runs no other thread (sim.experiments.shared_warmup).
            tqdm.monitor_interval = 0
            size = shutil.get_terminal_size()  # 80 x 24 where the terminal says 0 x 0 (tqdm would hide)
            self.bar = tqdm(total=total, unit="replication", file=sys.stderr, delay=2,
                            ncols=min(size.columns, 100), nrows=size.lines,
                            bar_format="{l_bar}{bar}| {n:.1f}/{total} [{elapsed}<{remaining}]")
        if self.bar.total != total:  # a comparison aiming at a precision adds a batch
            self.bar.total = total
            self.bar.refresh()
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _table(result: RunResult) -> str:
    frame = result.kpis()
    n = len(frame)
    currency = result.scenario.economics.currency
    lines = [f"{'':<40} {'mean':>14}   {f'95 % CI, n={n}' if n > 1 else 'no interval (n=1)'}"]
    for heading, names in SHOWN:
        lines.append(heading.format(currency=currency))
        for name in names:
            mean, lo, hi, defined = interval(name, kpi_values(frame, name))
            shown = _format(name, mean) if math.isfinite(mean) else "undefined"
            ci = f"[{_format(name, lo)}, {_format(name, hi)}]" if math.isfinite(lo) else ""
            if 0 < defined < n:
                ci += f" (n={defined}: 0/0 in {n - defined})"
            lines.append(f"  {_label(name):<38} {shown:>14}   {ci}".rstrip())
    if n == 1:
        lines.append("No intervals: one replication shows no spread to estimate them from; "
                     f"run at least {RELIABLE_REPLICATIONS} (--replications).")
    elif n < RELIABLE_REPLICATIONS:
        lines.append(f"Intervals from {n} replications are unreliable (the spread itself is a guess); "
                     f"run at least {RELIABLE_REPLICATIONS} (--replications).")
    lines.append("Intervals are cut to each KPI's natural range: shares to [0, 1], counts to >= 0.")
    lines.append("'undefined': 0/0 in every replication; where it is 0/0 in some, the mean and interval\n"
                 "are over the others (n=...). Definitions: summary.json, docs/KPIS.md.")
    return "\n".join(lines)


def _options_ok(args: argparse.Namespace) -> bool:
    """The options run and compare share: numbers in range, --resume with --out, --dask usable."""
    for name in ("replications", "workers"):
        value = getattr(args, name)
        if isinstance(value, int) and value < 1:
            print(f"error: --{name}: got {value}; allowed: a whole number >= 1", file=sys.stderr)
            return False
    if args.seed is not None and not 0 <= args.seed < 2**63:
        print(f"error: --seed: got {args.seed}; allowed: a whole number from 0 to 2^63-1", file=sys.stderr)
        return False
    if args.resume and args.out is None:
        print("error: --resume needs --out: the output folder of the interrupted run", file=sys.stderr)
        return False
    if args.dask is not None:
        if args.dask != "local" and not re.fullmatch(r"tcp://\S+", args.dask):
            print(f"error: --dask: got {args.dask!r}; allowed: local or tcp://HOST:PORT", file=sys.stderr)
            return False
        if not dask_available():
            print(f"error: --dask needs dask and distributed: {DASK_INSTALL}", file=sys.stderr)
            return False
    return True


def _workers(args: argparse.Namespace) -> None:
    cpus = sizing.cpu_count()
    if args.workers is not None and args.workers > cpus:
        print(f"note: --workers {args.workers} capped at {cpus}, the number of CPUs", file=sys.stderr)
    args.workers = min(args.workers or cpus, cpus)


def _into_folder(name: str, args: argparse.Namespace, body: Callable[[Path], int]) -> int:
    """Create and claim the output folder (default runs/<name>-<date-time>), then ``body(out)``;
    a run that wrote nothing leaves no empty folder behind."""
    out = args.out or Path("runs") / f"{folder_name(name)}-{datetime.now():%Y%m%d-%H%M%S}"
    created = not out.exists()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        print(f"error: --out: cannot create the folder {out}: {err.strerror or err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with claim_output_folder(out, overwrite=args.overwrite):
            return body(out)
    except (OutputFolderError, ExecutorError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        if created and out.is_dir() and not any(out.iterdir()):
            out.rmdir()


def _cmd_run(args: argparse.Namespace) -> int:
    if not _options_ok(args):
        return EXIT_BAD_INPUT
    scenario = load_scenario(args.scenario, args.overrides, seed=args.seed, replications=args.replications)
    _workers(args)
    remote = args.dask is not None and args.dask != "local"
    if not remote and not _size_ok(scenario, args):  # a scheduler's workers do not use this machine's memory
        return EXIT_BAD_INPUT
    return _into_folder(scenario.name, args, lambda out: _run_into(scenario, out, args))


def _partial(out: Path, args: argparse.Namespace, scenarios: Sequence[Scenario]) -> Path | None:
    """The checkpoint folder <out>.partial/ of a run with --out (None without): refused if it
    holds an earlier interrupted run's checkpoints and --resume is not given."""
    if args.out is None:
        return None
    partial = partial_folder(out)
    held = partial.is_dir() and any(partial.iterdir())
    if held and not args.resume:
        raise OutputFolderError(
            f"--out: {partial} holds the checkpoints of an earlier, interrupted run into {out}; "
            f"add --resume to continue it, or remove that folder to start over"
        )
    try:
        partial.mkdir(exist_ok=True)
    except OSError as err:
        raise OutputFolderError(f"--out: cannot create the folder {partial}: {err.strerror or err}") from None
    _report_checkpoints(scenarios, partial, args)
    return partial


def _interrupted(partial: Path | None, args: argparse.Namespace) -> None:
    """After Ctrl-C or SIGTERM: say how to resume, or remove an empty checkpoint folder."""
    if partial is None:
        return
    if any(partial.iterdir()):
        command = [a for a in args.argv if a != "--resume"] + ["--resume"]
        args.resume_hint = f"{partial} keeps the replications finished; to resume: " + shlex.join(
            ["run_sim.py", *command])
    else:
        partial.rmdir()  # nothing to resume


def _run_into(scenario: Scenario, out: Path, args: argparse.Namespace) -> int:
    partial = _partial(out, args, [scenario])
    if not args.quiet:
        print(
            f"Running {scenario.name}: {scenario.replications} replication(s) of {scenario.horizon_days} days"
            + (f" after a {scenario.warmup_days}-day warm-up" if scenario.warmup_days else "")
            + f", {scenario.market.population:,} people, seed {scenario.seed}",
            file=sys.stderr,
        )
    progress = _ProgressBar(args.quiet)
    try:
        try:
            result = run(scenario, workers=args.workers, dask=args.dask, checkpoints=partial, on_progress=progress)
        finally:
            progress.close()
        write_outputs(result, out, full_version(), command=["run_sim.py", *args.argv])
    except KeyboardInterrupt:
        _interrupted(partial, args)
        raise
    args.written = out
    if partial is not None:
        _remove_checkpoints([scenario], partial)
    if not args.quiet:
        print(_warmup_note(args.scenario, scenario) + _table(result))
    print(f"Output written to {out}")
    return _report(out)


def _warmup_note(path: Path, scenario: Scenario) -> str:
    """A line for the table when the scenario's own parameters differ from what it extends:
    those changes hold from the start of the warm-up, not from a day of the window."""
    differ = [d for d in warmup_changes(path, scenario) if fixed_path(d) is None]  # not investable anyway
    if not differ:
        return ""
    shown = ", ".join(differ[:5]) + (", …" if len(differ) > 5 else "")
    return (f"Note: {shown} differ from what {scenario.name} extends and hold from the start of the warm-up "
            "(\"what if we had always…\"); to start a change on a day of the window, make it an investment.\n")


def _cmd_compare(args: argparse.Namespace) -> int:
    if not _options_ok(args):
        return EXIT_BAD_INPUT
    precision: Precision | None = None
    if args.replications == "auto":
        if args.precision is None or args.precision <= 0:
            print("error: --replications auto needs --precision X: the NPV half-width to reach, in money",
                  file=sys.stderr)
            return EXIT_BAD_INPUT
        precision = Precision(args.precision, cap=args.max_replications)
        args.replications = None
    elif args.precision is not None:
        print("error: --precision goes with --replications auto", file=sys.stderr)
        return EXIT_BAD_INPUT
    comparison = load_comparison(args.files, args.overrides, seed=args.seed, replications=args.replications,
                                 allow_warmup_changes=args.allow_warmup_changes)
    _workers(args)
    remote = args.dask is not None and args.dask != "local"
    if not remote and not _size_ok(comparison.baseline, args):
        return EXIT_BAD_INPUT
    return _into_folder(comparison.name, args, lambda out: _compare_into(comparison, out, args, precision))


def _compare_into(comparison: Comparison, out: Path, args: argparse.Namespace, precision: Precision | None) -> int:
    base = comparison.baseline
    scenarios = [base, *comparison.alternatives]
    partial = _partial(out, args, scenarios)
    if not args.quiet:
        count = (f"replications in batches of {precision.batch} until every NPV half-width is at most "
                 f"{precision.half_width:,.0f} (at most {precision.cap})" if precision
                 else f"{base.replications} paired replication(s) each")
        print(f"Comparing {len(comparison.alternatives)} alternative(s) with {base.name}: {count}, "
              f"{base.horizon_days} days" + (f" after a {base.warmup_days}-day warm-up" if base.warmup_days else "")
              + f", seed {base.seed}", file=sys.stderr)
    progress = _ProgressBar(args.quiet)
    try:
        try:
            results, section = run_comparison(comparison, workers=args.workers, dask=args.dask, checkpoints=partial,
                                              on_progress=progress, precision=precision)
        finally:
            progress.close()
        write_comparison(results, section, out, full_version(), comparison.name, comparison.description,
                         command=["run_sim.py", *args.argv], processes=args.workers)
    except KeyboardInterrupt:
        _interrupted(partial, args)
        raise
    args.written = out
    if partial is not None:
        _remove_checkpoints(scenarios, partial)
    replications = len(results[base.name].replications)
    if not args.quiet:
        print(compare_table(section, base.economics.currency, replications))
    if "stopping" in section:
        print(f"Stopped at {replications} replications: {section['stopping']['reason']}.")
    print(f"Output written to {out}")
    return _report(out)


def _report_checkpoints(scenarios: Sequence[Scenario], partial: Path, args: argparse.Namespace) -> None:
    """With --resume, say how many replications are loaded and which checkpoints are not used."""
    if not args.resume:
        return
    store = Checkpoints(partial)
    own = {fingerprint(s) for s in scenarios}
    usable = sum(store.path(fingerprint(s), i).exists() for s in scenarios for i in range(s.replications))
    total = sum(s.replications for s in scenarios)
    print(f"Resuming: {usable} of {total} replication(s) loaded from {partial}", file=sys.stderr)
    other = len(store.files()) - len(store.of(own))
    if other:
        print(f"note: {other} checkpoint(s) in {partial} are of another scenario (other parameters, seed or "
              "version) and are not used", file=sys.stderr)


def _remove_checkpoints(scenarios: Sequence[Scenario], partial: Path) -> None:
    """Once the output is whole: remove the run's checkpoints and their folder; checkpoints of
    another scenario are left, and said so."""
    store = Checkpoints(partial)
    for path in store.of({fingerprint(s) for s in scenarios}):
        path.unlink(missing_ok=True)
    for leftover in partial.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)
    if any(partial.iterdir()):
        print(f"note: {partial} still holds checkpoints of another scenario; left in place "
              "(remove the folder when they are no longer needed)", file=sys.stderr)
    else:
        partial.rmdir()


def _size_ok(scenario: Scenario, args: argparse.Namespace) -> bool:
    """Refuse a run that cannot fit in memory; warn about one that will take long."""
    size = sizing.estimate(scenario, args.workers)
    available = sizing.available_memory()
    if args.size_check and available is not None and size.memory_bytes > available:
        print(
            f"error: this run needs about {size.memory_bytes / 1e9:.1f} GB ({size.processes} process(es) of "
            f"{size.bytes_per_process / 1e9:.2f} GB for {scenario.market.population:,} people), but "
            f"{available / 1e9:.1f} GB is available; use fewer --workers or a smaller market.population "
            "(--no-size-check runs it anyway)",
            file=sys.stderr,
        )
        return False
    if size.seconds > sizing.LONG_RUN_SECONDS and not args.quiet:
        print(
            f"warning: this run will take about {sizing.duration(size.seconds)} "
            f"(~{sizing.duration(size.seconds_per_replication)} a replication, {scenario.replications} "
            f"replication(s) on {size.processes} process(es), about {size.memory_bytes / 1e9:.1f} GB); "
            "Ctrl-C stops it and writes nothing"
            + ("; the same command with --resume continues it" if getattr(args, "out", None) else ""),
            file=sys.stderr,
        )
    return True


def _money_ci(value: dict[str, Any] | None, fmt: str = "{:,.0f}") -> str:
    if not value or value.get("mean") is None:
        return "undefined"
    ci = value.get("ci95")
    text = fmt.format(value["mean"])
    return text + (f" [{fmt.format(ci[0])}, {fmt.format(ci[1])}]" if ci and None not in ci else "")


def compare_table(section: dict[str, Any], currency: str, replications: int) -> str:
    """The terminal's summary of a comparison: one row per alternative."""
    head = (f"{'alternative':<24} {'customers kept (95 % CI)':<30} {'NPV, ' + currency + ' (95 % CI)':<30} "
            f"{'ROI':>7} {'payback':>9} {'break-even':>11} {'P(best)':>8}")
    lines = [f"Paired against {section['baseline']}, {replications} replications; differences whose "
             "interval includes 0 are noise at this precision.", head]
    for name, alt in section["alternatives"].items():
        kept = alt["kpis"]["customers_end"]
        ci = kept["diff_ci95"]
        kept_text = (f"{kept['diff_mean']:+,.0f}" + (f" [{ci[0]:+,.0f}, {ci[1]:+,.0f}]" if None not in ci else "")
                     if kept["diff_mean"] is not None else "undefined")
        if kept["verdict"] == "not distinguishable":
            kept_text += " ~"
        econ = alt["economics"]
        roi = econ["roi"]["mean"]
        month = econ["payback_month"]
        lines.append(
            f"{name:<24} {kept_text:<30} {_money_ci(econ['npv']):<30} "
            f"{(f'{roi:.2f}' if roi is not None else '—'):>7} "
            f"{(f'month {month}' if month is not None else 'none'):>9} "
            f"{_money_ci({'mean': econ['break_even_cost']['mean']}):>11} {econ['p_best']:>8.2f}")
    lines.append(f"{'do nothing':<24} {'':<30} {'0':<30} {'':>7} {'':>9} {'':>11} "
                 f"{section['p_best_do_nothing']:>8.2f}")
    lines.append("~: customers kept not distinguishable from 0 (Holm, family-wise 5 % over each alternative's "
                 "KPIs). NPV: the window's incremental cash flow plus the value of the customers left at "
                 "the horizon; break-even: the one-off cost at which NPV is 0. Every KPI's paired difference "
                 "and verdict: comparison.csv.")
    return "\n".join(lines)


def _report(out: Path) -> int:
    """Write the folder's report.html (after its results are whole) and print its path."""
    try:
        path = write_report(out)
    except (NotAnOutputFolder, OSError) as err:
        print(f"error: the report could not be written ({err}); the results in {out} are whole", file=sys.stderr)
        return EXIT_FAILED
    print(f"Report: {path}")
    return EXIT_OK


def _cmd_report(args: argparse.Namespace) -> int:
    try:
        path = write_report(args.folder)
    except NotAnOutputFolder as err:
        print(f"error: {err} (report DIR takes a folder that run or compare wrote)", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"Report: {path}")
    return EXIT_OK


def _cmd_check(args: argparse.Namespace) -> int:
    failed = 0
    for path in args.scenarios:
        if is_comparison_file(path):
            try:
                comparison = load_comparison([path], args.overrides)
            except ScenarioError as err:
                print(str(err), file=sys.stderr)
                failed += 1
            else:
                print(f"{path}: ok (comparison {comparison.name}: {comparison.baseline.name} and "
                      f"{len(comparison.alternatives)} alternative(s), {comparison.baseline.replications} "
                      "replications)")
            continue
        try:
            scenario = load_scenario(path, args.overrides)
        except ScenarioError as err:
            print(str(err), file=sys.stderr)
            failed += 1
        else:
            warmup = f" after a {scenario.warmup_days}-day warm-up" if scenario.warmup_days else ""
            invested = "".join(f", invests in {inv.name} from day {inv.start_day}" for inv in scenario.investments)
            print(f"{path}: ok ({scenario.name}, {scenario.horizon_days} days{warmup}, "
                  f"{scenario.replications} replications{invested})")
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _terminate(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    args.argv = argv
    args.written = None
    args.resume_hint = None
    previous = signal.signal(signal.SIGTERM, _terminate)  # stops a run as Ctrl-C does
    try:
        if args.command == "run":
            return _cmd_run(args)
        if args.command == "params":
            return _cmd_params(args)
        if args.command == "compare":
            return _cmd_compare(args)
        if args.command == "report":
            return _cmd_report(args)
        return _cmd_check(args)
    except ScenarioError as err:
        print(str(err), file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as err:
        signum = err.signum if isinstance(err, Interrupted) else signal.SIGINT
        what = "stopped by SIGTERM" if signum == signal.SIGTERM else "interrupted"
        done = f"the output in {args.written} is whole" if args.written else "no output was written"
        print(f"\n{what}: {done}", file=sys.stderr)
        if args.resume_hint:
            print(args.resume_hint, file=sys.stderr)
        return EXIT_TERMINATED if signum == signal.SIGTERM else EXIT_INTERRUPTED
    finally:
        signal.signal(signal.SIGTERM, previous)
