"""The report: ``report.html``, a self-contained interactive page in every output folder.

Built from the folder's results only — ``summary.json``, the CSV files and
``scenario.resolved.yaml`` (a comparison's top-level summary.json and its ``scenarios/NAME/``
run folders) — never from the model. plotly.js is embedded once, in one ``<script>``; each
figure is a ``<div class="figure" id="fig-…">`` drawn by ``Plotly.newPlot`` from its JSON, so the
page opens with no network. One layout serves a single run and a comparison: the sections a
run has no data for (the headline, the verdicts, the comparison table) are left out, and
further sections (sweeps, sensitivity) append to :func:`sections`.
"""

from __future__ import annotations

import html
import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.io as pio
import yaml
from plotly.offline import get_plotlyjs

from sim.core.vocabulary import CAUSES, PATHS
from sim.outputs import report_figures as rf
from sim.outputs import report_text as rt
from sim.outputs.files import REPORT_NAME, folder_name
from sim.outputs.kpi_definitions import KPI_GROUPS, KPI_NAMES

TIMESERIES_COLUMNS = ("replication", "day", "active_level1", "active_level2", "active_level3",
                      "new_customers_advertising", "new_customers_referral", "new_customers_winback",
                      "prospects_deterred", "wom_positive", "wom_negative", "profit")
CHURN_COLUMNS = ("replication", "day", "customer", "in_start_cohort")


class NotAnOutputFolder(Exception):
    """The folder holds no run's or comparison's result to report on."""


@dataclass
class RunData:
    """One scenario's run folder: its KPIs (summary.json), series and resolved scenario."""

    name: str
    kpis: dict[str, Any]
    timeseries: pd.DataFrame
    churn: pd.DataFrame
    desk: pd.DataFrame
    resolved: dict[str, Any]


@dataclass
class ReportData:
    folder: Path
    summary: dict[str, Any]
    runs: dict[str, RunData]  # the baseline (or the single run) first

    @property
    def comparison(self) -> dict[str, Any] | None:
        return self.summary.get("comparison")

    @property
    def baseline(self) -> RunData:
        return next(iter(self.runs.values()))

    @property
    def currency(self) -> str:
        return str(self.baseline.resolved.get("economics", {}).get("currency", "EUR"))


# ----------------------------------------------------------------- reading a folder


def _read_json(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as err:
        raise NotAnOutputFolder(f"{path.parent} is not an output folder: cannot read {path.name} ({err})") from None
    if not isinstance(data, dict) or "schema" not in data:
        raise NotAnOutputFolder(f"{path.parent} is not an output folder: {path.name} is not churn-sim's summary")
    return data


def _read_csv(path: Path, columns: Sequence[str] | None = None) -> pd.DataFrame:
    if not path.is_file():
        raise NotAnOutputFolder(f"{path.parent} is not a whole output folder: {path.name} is missing")
    try:
        return pd.read_csv(path, usecols=list(columns) if columns else None)
    except (OSError, ValueError) as err:  # pandas' parser errors are ValueErrors, as are missing columns
        raise NotAnOutputFolder(f"{path.parent} is not a whole output folder: cannot read {path.name} ({err})") from None


def read_run(folder: Path, name: str | None = None) -> RunData:
    """A run folder's results (its own summary.json's KPIs unless ``name`` is given by a comparison)."""
    summary = _read_json(folder / "summary.json")
    if "kpis" not in summary:
        raise NotAnOutputFolder(f"{folder} is not a run's output folder: summary.json has no kpis")
    resolved_path = folder / "scenario.resolved.yaml"
    if not resolved_path.is_file():
        raise NotAnOutputFolder(f"{folder} is not a whole output folder: scenario.resolved.yaml is missing")
    try:
        resolved = yaml.safe_load(resolved_path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as err:
        raise NotAnOutputFolder(f"{folder}: cannot read scenario.resolved.yaml ({err})") from None
    return RunData(name or str(summary.get("scenario")), summary["kpis"],
                   _read_csv(folder / "timeseries.csv", TIMESERIES_COLUMNS),
                   _read_csv(folder / "churn_events.csv", CHURN_COLUMNS),
                   _read_csv(folder / "desk_by_hour.csv"), resolved)


def read_folder(folder: Path) -> ReportData:
    """An output folder of ``run`` or ``compare``; :class:`NotAnOutputFolder` for anything else."""
    if not folder.is_dir():
        raise NotAnOutputFolder(f"{folder} is not a folder")
    if not (folder / "summary.json").is_file():
        raise NotAnOutputFolder(f"{folder} is not an output folder: it has no summary.json")
    summary = _read_json(folder / "summary.json")
    if "comparison" not in summary:
        run = read_run(folder)
        return ReportData(folder, summary, {run.name: run})
    runs = {name: read_run(folder / "scenarios" / folder_name(name), name) for name in summary["scenarios"]}
    base = summary["comparison"]["baseline"]
    ordered = {base: runs[base], **{n: r for n, r in runs.items() if n != base}}
    return ReportData(folder, summary, ordered)


# ----------------------------------------------------------------- small HTML helpers


def esc(text: object) -> str:
    return html.escape(str(text))


def figure_div(fig_id: str, fig: Any) -> str:
    """A figure's container (stable id, class "figure") and the script drawing it."""
    spec = pio.to_json(fig, validate=False, pretty=False)
    return (f'<div class="figure" id="{fig_id}"></div>\n<script>(function(){{var f={spec};'
            f'Plotly.newPlot("{fig_id}",f.data,f.layout,{{responsive:true,displaylogo:false}});}})();</script>')


def section(section_id: str, title: str, body: str, intro: str = "") -> str:
    lead = f'<p class="intro">{intro}</p>' if intro else ""
    return f'<section id="{section_id}">\n<h2>{esc(title)}</h2>\n{lead}\n{body}\n</section>'


def table(head: Sequence[str], rows: Sequence[Sequence[str]], cls: str = "") -> str:
    """An HTML table; cells are HTML already (escape before)."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "\n".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{cls}"><thead><tr>{th}</tr></thead><tbody>\n{body}\n</tbody></table>'


def with_ci(value: Mapping[str, Any] | None, fmt: Callable[[float | None], str], verdict: str | None = None) -> str:
    """A mean and its 95 % interval, marked as noise when its verdict (or interval) says so."""
    if not value or value.get("mean") is None:
        return "undefined"
    lo, hi = value.get("ci95") or (None, None)
    text = f"{fmt(value['mean'])} <span class=\"ci\">[{fmt(lo)}, {fmt(hi)}]</span>" if lo is not None else fmt(
        value["mean"])
    return f'<span class="noise">{text} ~</span>' if rt.is_noise(lo, hi, verdict) else text


# ----------------------------------------------------------------- sections


def headline(data: ReportData) -> str:
    """Per alternative: customers kept, NPV (window and customer base apart), ROI, payback,
    break-even cost and P(best), each with its interval; beside it the NPV risk plot."""
    comparison = data.comparison
    assert comparison is not None
    rows = []
    for name, alt in comparison["alternatives"].items():
        e, kept = alt["economics"], alt["kpis"]["customers_end"]
        month = e.get("payback_month")
        share = e.get("share_replications_paying_back")
        rows.append([
            f'<span class="swatch" style="background:{data_colours(data)[name]}"></span>{esc(rf.words(name))}',
            with_ci({"mean": kept["diff_mean"], "ci95": kept["diff_ci95"]}, lambda x: rt.count(x, sign=True),
                    kept.get("verdict")),
            with_ci(e["npv"], rt.money), with_ci(e["npv_horizon"], rt.money), with_ci(e["base_value"], rt.money),
            with_ci(e["roi"], rt.ratio),
            (f"month {month}" if month is not None else "none") + (f" <span class=\"ci\">({rt.percent(share)} of "
                                                                   "replications)</span>" if share is not None else ""),
            with_ci(e["break_even_cost"], rt.money, verdict=""), f"{e['p_best']:.2f}",  # a cost, not a difference
        ])
    rows.append(["do nothing", "", "0", "", "", "", "", "", f"{comparison['p_best_do_nothing']:.2f}"])
    cur = esc(data.currency)
    head = ["alternative", "customers kept", f"NPV ({cur})", f"of which window ({cur})",
            f"of which customer base ({cur})", "ROI", "payback", f"break-even cost ({cur})", "P(best)"]
    note = ('<p class="note">Differences against the baseline, paired, with 95 % intervals in brackets. '
            '<span class="noise">~</span>: not distinguishable from noise at this precision (the customers kept by '
            "Holm's verdict, the money by its interval containing 0). NPV = the window's discounted incremental cash "
            "flow + the difference in the value of the customers left at the horizon. Break-even: the one-off cost "
            "at which NPV is 0. P(best): the chance of being the best by NPV, doing nothing included.</p>")
    fig = figure_div("fig-npv-risk", rf.npv_risk(comparison["alternatives"], data_colours(data), data.currency))
    risk = ('<p class="note">The NPV risk plot: the black diamond is the mean NPV with its 95 % interval (how sure '
            "the mean is); the box is the spread of the replications (median, quartiles; whiskers at the 10th and "
            "90th percentiles): how much one run of reality may vary.</p>")
    return section("section-headline", "Headline", table(head, rows, "headline") + note + fig + risk)


def verdicts(data: ReportData) -> str:
    """The plain-language paragraph per investment."""
    comparison = data.comparison
    assert comparison is not None
    base_wait = data.baseline.kpis.get("mean_wait_minutes_offered", {}).get("mean")
    paragraphs = []
    for name, alt in comparison["alternatives"].items():
        wait = data.runs[name].kpis.get("mean_wait_minutes_offered", {}).get("mean")
        text = rt.investment_paragraph(name, alt, (base_wait, wait), int(data.summary["horizon_days"]))
        paragraphs.append(f'<p class="verdict-paragraph" data-alternative="{esc(name)}"><strong>'
                          f"{esc(rf.words(name))}.</strong> {esc(text)}</p>")
    return section("section-verdicts", "What each investment does", "\n".join(paragraphs),
                   "Generated from the numbers below; a difference whose interval contains 0 is called noise, "
                   "with the replications that would likely settle it (the interval narrows as 1/√n).")


def data_colours(data: ReportData) -> dict[str, str]:
    return rf.colours(list(data.runs))


def _series(data: ReportData) -> dict[str, pd.DataFrame]:
    return {name: run.timeseries for name, run in data.runs.items()}


def customers(data: ReportData) -> str:
    c = data_colours(data)
    body = (figure_div("fig-customers-by-level", rf.customers_by_level(_series(data), c))
            + figure_div("fig-new-customers", rf.new_customers(_series(data), c)))
    return section("section-customers", "Customers", body,
                   "Active customers per loyalty level and day (the band: 95 % interval of the mean across "
                   "replications), and the new customers of the window by channel.")


def retention_frame(run: RunData) -> pd.DataFrame:
    """Per replication and day: the share of the start cohort (customers_start) not yet lost."""
    starts = run.kpis["customers_start"]["values"]
    days = sorted(run.timeseries["day"].unique())
    ev = run.churn[run.churn["in_start_cohort"].astype(bool)]
    first = ev.sort_values("day").drop_duplicates(["replication", "customer"])
    frames = []
    for rep, start in enumerate(starts):
        lost = np.sort(first.loc[first["replication"] == rep, "day"].to_numpy(dtype=float))
        counts = np.searchsorted(lost, np.asarray(days, dtype=float), side="right")
        retained = 1 - counts / start if start else np.full(len(days), np.nan)
        frames.append(pd.DataFrame({"replication": rep, "day": days, "retained": retained}))
    return pd.concat(frames, ignore_index=True)


def _shares(data: ReportData, prefix: str, keys: Sequence[str]) -> dict[str, dict[str, float | None]]:
    return {name: {k: run.kpis.get(f"{prefix}{k}", {}).get("mean") for k in keys} for name, run in data.runs.items()}


def churn(data: ReportData) -> str:
    c = data_colours(data)
    body = (figure_div("fig-churn-causes", rf.churn_by_cause(_shares(data, "share_churn_", CAUSES), c))
            + figure_div("fig-churn-paths", rf.churn_by_path(_shares(data, "share_churn_path_", PATHS), c))
            + figure_div("fig-retention", rf.retention({n: retention_frame(r) for n, r in data.runs.items()}, c)))
    return section("section-churn", "Churn", body,
                   "Why customers left (shares of all churn) beside the sources' reference mix (68 % poor service, "
                   "14 % product dissatisfaction, 9 % competition, 5 % friends' influence, 3 % moved away, 1 % "
                   "died); how it came about; and how many of the customers active on day 0 are still customers.")


def word_of_mouth(data: ReportData) -> str:
    return section("section-word-of-mouth", "Word of mouth",
                   figure_div("fig-word-of-mouth", rf.word_of_mouth(_series(data), data_colours(data))),
                   "Messages told by happy and unhappy customers, customers won by recommendation and prospects "
                   "deterred by complaints they heard, over the window.")


DESK_KPIS = (("service_level", "service level"), ("agent_utilisation", "agent utilisation"),
             ("first_contact_resolution_rate", "first-contact resolution"), ("abandonment_rate", "abandonment"))
FULFILMENT_KPIS = (("on_time_rate", "on time"), ("order_fill_rate", "complete"), ("order_accuracy_rate", "accurate"),
                   ("invoice_accuracy_rate", "invoice correct"), ("perfect_order_rate", "perfect order"))


def desk(data: ReportData) -> str:
    c = data_colours(data)
    kpis = {n: r.kpis for n, r in data.runs.items()}
    body = (figure_div("fig-desk-heatmap", rf.desk_heatmap({n: r.desk for n, r in data.runs.items()}))
            + figure_div("fig-desk-kpis", rf.kpi_bars(kpis, DESK_KPIS, c, "The support desk (mean, 95 % interval)"))
            + figure_div("fig-fulfilment", rf.kpi_bars(kpis, FULFILMENT_KPIS, c,
                                                      "Fulfilment: share of orders (mean, 95 % interval)")))
    return section("section-service", "The desk and fulfilment", body,
                   "The desk by weekday and hour of arrival (pick the scenario in the menu), its service level, "
                   "utilisation, first-contact resolution and abandonment; orders on time, complete, accurate, "
                   "correctly invoiced, and all four (perfect).")


def economics(data: ReportData) -> str:
    c = data_colours(data)
    rate = float(data.baseline.resolved.get("economics", {}).get("discount_rate_annual", 0.0))
    body = figure_div("fig-cash-flow", rf.cash_flow(rf.discounted_cash_flow(_series(data), rate), c, data.currency))
    if data.comparison is not None:
        body += figure_div("fig-incremental-cash-flow",
                           rf.incremental_cash_flow(data.comparison["alternatives"], c, data.currency))
    return section("section-economics", "Economics", body,
                   f"Cumulative discounted profit per scenario ({esc(data.currency)}), and each investment's "
                   "incremental cash flow against the baseline from its start day, with its payback month (★).")


def _in_percent(name: str) -> bool:
    return name.startswith(("share_", "stay_rate", "p_wait")) or name.endswith("_rate") and name != "churn_rate_annual" \
        or name in ("service_level", "agent_utilisation", "voiced_share", "start_cohort_lost_first_year")


def _unit(name: str, unit: str) -> str:
    """The unit as the table shows the KPI: shares in % (their differences in percentage points)."""
    return "%" if _in_percent(name) else unit


def _kpi_cell(name: str, value: float | None) -> str:
    if value is None:
        return "undefined"
    if _in_percent(name):
        return rt.percent(value)
    return rt.signed(f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}")


def _diff_rows(data: ReportData, name: str, alt: Mapping[str, Any]) -> list[list[str]]:
    defs = data.summary["kpi_definitions"]
    diffs = {**alt["kpis"], **alt["other_kpis"]}
    grouped = [(h.format(currency=data.currency), names) for h, names in KPI_GROUPS]
    shown = {k for _, names in grouped for k in names}
    grouped.append(("Other KPIs", tuple(k for k in KPI_NAMES if k not in shown and k in diffs)))
    rows = []
    for heading, names in grouped:
        rows.append([f'<strong>{esc(heading)}</strong>', "", "", "", "", ""])
        for k in names:
            d = diffs.get(k)
            if d is None:
                continue
            verdict = d.get("verdict", d.get("change", ""))
            lo, hi = d.get("diff_ci95") or (None, None)
            cls = "noise" if verdict == rt.NOISE else "verdict"
            rows.append([esc(defs[k]["label"]), esc(_unit(k, defs[k]["unit"])),
                         _kpi_cell(k, data.baseline.kpis[k]["mean"]), _kpi_cell(k, data.runs[name].kpis[k]["mean"]),
                         _kpi_cell(k, d["diff_mean"]) + (f' <span class="ci">[{_kpi_cell(k, lo)}, {_kpi_cell(k, hi)}]'
                                                          "</span>" if lo is not None and hi is not None else ""),
                         f'<span class="{cls}">{esc(verdict)}</span>'])
    return rows


def comparison_table(data: ReportData) -> str:
    comparison = data.comparison
    assert comparison is not None
    parts = []
    for i, (name, alt) in enumerate(comparison["alternatives"].items()):
        rows = _diff_rows(data, name, alt)
        parts.append(f"<details{' open' if i == 0 else ''}><summary>{esc(rf.words(name))} against "
                     f"{esc(rf.words(comparison['baseline']))}</summary>"
                     + table(["KPI", "unit", "baseline", "alternative", "difference [95 % interval]", "verdict"],
                             rows, "kpis") + "</details>")
    return section("section-comparison-table", "Every KPI, paired", "\n".join(parts),
                   "Each KPI's paired difference (alternative − baseline), its 95 % interval and verdict (Holm, "
                   f"family-wise {comparison['verdict_family_error']:.0%} over an alternative's KPIs), grouped as "
                   "in the terminal's table; KPIs with no direction of good say higher or lower.")


def single_summary(data: ReportData) -> str:
    """A run's headline: the terminal table's KPIs with their intervals."""
    defs = data.summary["kpi_definitions"]
    rows = []
    for heading, names in KPI_GROUPS:
        rows.append([f"<strong>{esc(heading.format(currency=data.currency))}</strong>", "", ""])
        for k in names:
            v = data.baseline.kpis[k]
            lo, hi = v.get("ci95") or (None, None)
            ci = f"[{_kpi_cell(k, lo)}, {_kpi_cell(k, hi)}]" if lo is not None else ""
            unit = "" if _in_percent(k) or v["mean"] is None else f" ({esc(defs[k]['unit'])})"
            rows.append([esc(defs[k]["label"]), f"{_kpi_cell(k, v['mean'])}{unit}",
                         f'<span class="ci">{ci}</span>'])
    return section("section-summary", "Summary", table(["KPI", "mean", "95 % interval"], rows, "kpis"),
                   f"{data.summary['replications']} replications; the KPIs as the terminal's table shows them.")


def _flatten(tree: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(tree, dict):
        out: dict[str, Any] = {}
        for k, v in tree.items():
            out.update(_flatten(v, f"{prefix}{k}."))
        return out
    return {prefix.rstrip("."): tree}


SCENARIO_OWN = ("name", "description", "version", "investments", "replications", "seed")


def _changes(base: dict[str, Any], other: dict[str, Any]) -> list[str]:
    b, o = _flatten({k: v for k, v in base.items() if k not in SCENARIO_OWN}), _flatten(
        {k: v for k, v in other.items() if k not in SCENARIO_OWN})
    return [f"{esc(k)}: {esc(b.get(k))} → {esc(o.get(k))}" for k in sorted(set(b) | set(o)) if b.get(k) != o.get(k)]


def _investment_rows(data: ReportData) -> list[list[str]]:
    rows = []
    for name, run in data.runs.items():
        for inv in run.resolved.get("investments") or []:
            changes = ", ".join(f"{esc(k)} = {esc(v)}" for k, v in (inv.get("changes") or {}).items())
            rows.append([esc(rf.words(name)), esc(inv.get("name")), esc(inv.get("description", "")),
                         str(inv.get("start_day")), str(inv.get("ramp_days", 0)), rt.money(inv.get("one_off_cost")),
                         rt.money(inv.get("monthly_cost")), rt.money(inv.get("monthly_cost_per_customer")), changes])
    return rows


def assumptions(data: ReportData) -> str:
    s = data.summary
    cur = esc(data.currency)
    facts = [("seed", s.get("seed")), ("replications", s.get("replications")),
             ("warm-up", f"{s.get('warmup_days', 0)} days (counted in nothing)"),
             ("measured window", f"{s.get('horizon_days')} days from day 0 (a Monday)"),
             ("version", s.get("version")), ("command", " ".join(s.get("command") or []))]
    body = table(["", ""], [[esc(k), esc(v)] for k, v in facts], "facts")
    inv = _investment_rows(data)
    if inv:
        body += "<h3>Investments</h3>" + table(
            ["scenario", "investment", "description", "start day", "ramp (days)", f"one-off ({cur})",
             f"monthly ({cur})", f"monthly per customer ({cur})", "changes from the start day"], inv, "investments")
    for name, run in list(data.runs.items())[1:]:
        changed = _changes(data.baseline.resolved, run.resolved)
        body += (f"<p>{esc(rf.words(name))} differs from the baseline outside its investments in: "
                 + ("; ".join(changed) if changed else "nothing") + " (such changes hold from the warm-up's start).</p>")
    for name, run in data.runs.items():
        text = yaml.safe_dump(run.resolved, sort_keys=False, allow_unicode=True)
        body += f"<details><summary>{esc(rf.words(name))}: the resolved parameters</summary><pre>{esc(text)}</pre></details>"
    return section("section-assumptions", "Assumptions", body)


def sections(data: ReportData) -> list[str]:
    """The report's sections in order; a comparison's first."""
    head = [headline(data), verdicts(data)] if data.comparison is not None else [single_summary(data)]
    tail = [comparison_table(data)] if data.comparison is not None else []
    return [*head, customers(data), churn(data), word_of_mouth(data), desk(data), economics(data), *tail,
            assumptions(data)]


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:1200px;margin:0 auto;padding:1em 1.5em;
color:#222;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:1.6em}
nav a{margin-right:1em}table{border-collapse:collapse;margin:.6em 0;font-size:.92em}
th,td{padding:.25em .6em;border-bottom:1px solid #e4e4e4;text-align:left;vertical-align:top}
th{background:#f4f4f4}.ci{color:#666;font-size:.9em}.noise{color:#8a6d00}.verdict{font-weight:600}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;border-radius:2px}
.figure{width:100%;min-height:320px;margin:.8em 0}.note,.intro{color:#444;font-size:.92em}
.verdict-paragraph{background:#f7f9fc;border-left:4px solid #1f77b4;padding:.5em .8em}
pre{background:#f7f7f7;padding:.6em;overflow-x:auto;font-size:.85em}
@media print{nav{display:none}body{max-width:none;padding:0}section{break-inside:avoid-page}
.figure{break-inside:avoid}details>*{display:block}a{color:inherit;text-decoration:none}}
"""


# Printing opens the collapsed tables and parameters, and fits the figures to the page.
PRINT_SCRIPT = ("window.addEventListener('beforeprint',function(){document.querySelectorAll('details')"
                ".forEach(function(d){d.open=true;});document.querySelectorAll('.figure').forEach(function(f){"
                "if(window.Plotly){Plotly.Plots.resize(f);}});});")


def build_report(data: ReportData) -> str:
    """The whole page as one string."""
    s = data.summary
    title = s.get("comparison_name") or s.get("scenario") or "churn-sim"
    parts = sections(data)
    ids = [p.split('"', 2)[1] for p in parts]
    nav = " ".join(f'<a href="#{i}">{esc(i.removeprefix("section-").replace("-", " "))}</a>' for i in ids)
    description = s.get("description") or data.baseline.resolved.get("description") or ""
    sub = (f"{esc(description)}{' — ' if description else ''}{s.get('replications')} replications, "
           f"{s.get('horizon_days')} measured days, seed {s.get('seed')}, churn-sim {esc(s.get('version'))}")
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)} — churn-sim report</title><style>{CSS}</style>"
            f"<script type=\"text/javascript\">{get_plotlyjs()}</script></head>\n<body>\n"
            f"<header><h1>{esc(title)}</h1><p class=\"intro\">{sub}</p><nav>{nav}</nav></header>\n"
            + "\n".join(parts) + f"\n<script>{PRINT_SCRIPT}</script>\n</body></html>\n")


def write_report(folder: Path) -> Path:
    """Build ``report.html`` from the output folder's results and write it there atomically."""
    page = build_report(read_folder(folder))
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=".report.", suffix=".html",
                                     delete=False) as f:
        tmp = Path(f.name)
        try:
            f.write(page)
        except BaseException:
            f.close()
            tmp.unlink(missing_ok=True)
            raise
    os.chmod(tmp, 0o644)
    os.replace(tmp, folder / REPORT_NAME)
    return folder / REPORT_NAME
