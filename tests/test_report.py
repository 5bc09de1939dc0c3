"""report.html: written by run and compare, rebuilt by ``report DIR``, self-contained, every
section and figure there, and the paragraphs' numbers summary.json's."""

from __future__ import annotations

import html
import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from plotly.offline import get_plotlyjs

from sim.outputs import report_text as rt

ROOT = Path(__file__).resolve().parent.parent
TINY = ["horizon_days=60", "warmup_days=0", "market.population=1500", "market.initial_customers=300"]
SETS = [x for s in TINY for x in ("--set", s)]
COMMON_SECTIONS = ("section-customers", "section-churn", "section-word-of-mouth", "section-service",
                   "section-economics", "section-assumptions")
COMPARISON_SECTIONS = ("section-headline", "section-verdicts", "section-comparison-table")
COMMON_FIGURES = ("fig-customers-by-level", "fig-new-customers", "fig-churn-causes", "fig-churn-paths",
                  "fig-retention", "fig-word-of-mouth", "fig-desk-heatmap", "fig-desk-kpis", "fig-fulfilment",
                  "fig-cash-flow")
COMPARISON_FIGURES = ("fig-npv-risk", "fig-incremental-cash-flow")
NUMBER = r"([−+]?[\d,]+(?:\.\d+)?)"
TO = "(?:–| to )"


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "run_sim.py", *map(str, args)], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("report")
    run, cmp = base / "run", base / "cmp"
    done = cli("run", "scenarios/baseline.yaml", *SETS, "-n", "2", "--out", run, "--workers", "1", "--quiet")
    assert done.returncode == 0, done.stderr
    assert f"Report: {run / 'report.html'}" in done.stdout
    done = cli("compare", "scenarios/baseline.yaml", "scenarios/whatif/more_agents.yaml", "scenarios/whatif/training.yaml",
               *SETS, "-n", "2", "--out", cmp, "--workers", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().splitlines()[-1] == f"Report: {cmp / 'report.html'}"
    assert "customers kept" in done.stdout
    return {"run": run, "cmp": cmp}


def number(text: str) -> float:
    return float(text.replace("−", "-").replace(",", ""))


def assert_self_contained(page: str) -> None:
    assert page.count("* plotly.js v") == 1, "plotly.js embedded exactly once"
    assert not re.search(r"<script[^>]*\bsrc=", page), "no external script"
    outside = page.replace(get_plotlyjs(), "")  # the bundle itself holds links it never loads
    assert not re.search(r"""(?:src|href)=["']https?://""", outside), "nothing fetched from the network"


def test_a_run_writes_a_self_contained_report(folders: dict[str, Path]) -> None:
    page = (folders["run"] / "report.html").read_text(encoding="utf-8")
    assert_self_contained(page)
    for sid in ("section-summary", *COMMON_SECTIONS):
        assert f'<section id="{sid}">' in page, sid
    for fid in COMMON_FIGURES:
        assert f'<div class="figure" id="{fid}">' in page, fid
        assert f'Plotly.newPlot("{fid}"' in page, fid
    for sid in COMPARISON_SECTIONS:
        assert f'id="{sid}"' not in page


def test_a_comparison_writes_a_self_contained_report(folders: dict[str, Path]) -> None:
    page = (folders["cmp"] / "report.html").read_text(encoding="utf-8")
    assert_self_contained(page)
    for sid in (*COMPARISON_SECTIONS, *COMMON_SECTIONS):
        assert f'<section id="{sid}">' in page, sid
    for fid in (*COMPARISON_FIGURES, *COMMON_FIGURES):
        assert f'<div class="figure" id="{fid}">' in page, fid
    assert page.count('class="verdict-paragraph"') == 2
    assert "EUR" in page  # the scenario's currency


def paragraphs(page: str) -> dict[str, str]:
    found = re.findall(r'<p class="verdict-paragraph" data-alternative="([^"]+)"><strong>[^<]*</strong> ([^<]*)</p>',
                       page)
    return {html.unescape(name): html.unescape(text) for name, text in found}


def close(shown: str, value: float, money: bool = False) -> bool:
    """A shown number is the value rounded: money to three significant figures, counts to units."""
    tolerance = max(0.005 * abs(value), 0.5) if money else 0.5
    return abs(number(shown) - value) <= tolerance + 1e-9


def check_paragraph(text: str, alt: dict[str, Any], waits: tuple[float, float], n: int) -> None:
    econ, kept = alt["economics"], alt["kpis"]["customers_end"]
    m = re.search(rf"keeps {NUMBER} (more|fewer) customers \(95 % interval {NUMBER}{TO}{NUMBER}\)", text) or re.search(
        rf"changes the customers kept by {NUMBER} \(95 % interval {NUMBER}{TO}{NUMBER}\)", text)
    assert m, text
    groups = [g for g in m.groups() if g not in ("more", "fewer")]
    sign = -1 if "fewer" in m.groups() else 1
    assert close(groups[0], kept["diff_mean"] * sign) or close(groups[0], kept["diff_mean"])
    assert close(groups[1], kept["diff_ci95"][0]) and close(groups[2], kept["diff_ci95"][1])
    m = re.search(rf"its NPV is {NUMBER} \({NUMBER}{TO}{NUMBER}\), of which {NUMBER} in the window's cash flow "
                  rf"and {NUMBER} in the value of the customers left", text)
    assert m, text
    for shown, value in zip(m.groups(), (econ["npv"]["mean"], *econ["npv"]["ci95"], econ["npv_horizon"]["mean"],
                                         econ["base_value"]["mean"]), strict=True):
        assert close(shown, value, money=True), (shown, value)
    wait = re.search(rf"mean wait of all callers (?:from {NUMBER} to {NUMBER}|at {NUMBER}) minutes", text)
    assert wait, text
    shown = [g for g in wait.groups() if g is not None]
    for s, w in zip(shown, waits if len(shown) == 2 else waits[:1], strict=True):
        assert abs(number(s) - w) <= 0.05 + 1e-9
    assert f"at {n} replications" in text or "would likely settle" not in text
    settle = re.search(r"NPV[^:]*: not distinguishable from zero at (\d+) replications; about (\d+) would", text)
    lo, hi = econ["npv"]["ci95"]
    if settle:
        assert lo <= 0 <= hi
        half, mean = (hi - lo) / 2, econ["npv"]["mean"]
        assert int(settle.group(2)) == max(10 * math.ceil(n * (half / mean) ** 2 / 10), 10 * (n // 10 + 1))
    else:
        assert not lo <= 0 <= hi
    p = re.search(r"doing nothing included, is ([\d.]+) %", text)
    assert p and abs(float(p.group(1)) - 100 * econ["p_best"]) <= 0.05 + 1e-9


def test_the_paragraphs_numbers_are_summary_jsons(folders: dict[str, Path]) -> None:
    summary = json.loads((folders["cmp"] / "summary.json").read_text())
    found = paragraphs((folders["cmp"] / "report.html").read_text(encoding="utf-8"))
    section = summary["comparison"]
    assert set(found) == set(section["alternatives"])
    base_wait = summary["scenarios"][section["baseline"]]["mean_wait_minutes_offered"]["mean"]
    for name, alt in section["alternatives"].items():
        wait = summary["scenarios"][name]["mean_wait_minutes_offered"]["mean"]
        check_paragraph(found[name], alt, (base_wait, wait), summary["replications"])
        for inv in alt["investments"]:
            assert f"from day {inv['start_day']}" in found[name]


def synthetic(kept: tuple[float, float, float], npv: tuple[float, float, float], verdict: str) -> dict[str, Any]:
    return {
        "investments": [{"name": "hire_agent", "description": "Hiring a third agent", "start_day": 0}],
        "kpis": {"customers_end": {"diff_mean": kept[0], "diff_ci95": [kept[1], kept[2]], "n": 20,
                                   "verdict": verdict}},
        "economics": {"replications": 20, "npv": {"mean": npv[0], "ci95": [npv[1], npv[2]]},
                      "npv_horizon": {"mean": -1234.0}, "base_value": {"mean": npv[0] + 1234.0},
                      "payback_month": 14, "share_replications_paying_back": 0.85, "p_best": 0.62},
    }


def test_a_paragraph_says_what_the_numbers_say_and_what_is_noise() -> None:
    alt = synthetic((143.2, 127.4, 159.1), (21_400.0, -3_100.0, 45_900.0), "better")
    text = rt.investment_paragraph("more_agents", alt, (4.12, 0.93), 1095)
    assert text.startswith("Hiring a third agent from day 0: over three years, this cuts the mean wait of all "
                           "callers from 4.1 to 0.93 minutes and keeps 143 more customers (95 % interval 127–159)")
    assert "its NPV is 21,400 (−3,100 to 45,900)" in text
    assert "not distinguishable from zero at 20 replications; about 30 would likely settle it" in text
    assert "pays back in month 14 (85.0 % of the replications pay back)" in text
    check_paragraph(text, alt, (4.12, 0.93), 20)
    noisy = rt.investment_paragraph("x", synthetic((-12.0, -40.0, 16.0), (90_000.0, 60_000.0, 120_000.0),
                                                   "not distinguishable"), (1.0, 1.0), 60)
    assert "changes the customers kept by −12 (95 % interval −40 to 16), not distinguishable from zero at 20 " \
           "replications; about 110 would likely settle it" in noisy
    assert "clearly positive at 20 replications" in noisy
    assert "leaves the mean wait of all callers at 1.0 minutes" in noisy
    holm = rt.investment_paragraph("x", synthetic((312.0, 292.0, 331.0), (1.0, 0.5, 1.5), "not distinguishable"),
                                   (1.0, 1.0), 1095)
    assert "keeps 312 more customers (95 % interval 292–331), though with every KPI tested together (Holm) that " \
           "is not distinguishable from zero at 20 replications; about 30 would likely settle it" in holm


def test_replications_needed_scales_n_by_the_squared_ratio_of_half_width_to_mean() -> None:
    assert rt.replications_needed(20, 21_400, -3_100, 45_900) == 30  # 20 · 1.145² = 26.2
    assert rt.replications_needed(10, 100, -200, 400) == 90  # 10 · 3² = 90
    assert rt.replications_needed(10, 100, 50, 150) == 20  # resolved already: the next batch at least
    assert rt.replications_needed(10, 0, -1, 1) is None


def test_report_rebuilds_the_report_of_an_output_folder(folders: dict[str, Path], tmp_path: Path) -> None:
    for folder in folders.values():
        path = folder / "report.html"
        before = path.read_text(encoding="utf-8")
        path.unlink()
        done = cli("report", folder)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip() == f"Report: {path}"
        assert path.read_text(encoding="utf-8") == before
        assert not [p for p in folder.iterdir() if p.name.startswith(".report.")]
    done = cli("report", tmp_path)
    assert done.returncode == 2
    assert "is not an output folder" in done.stderr and "Traceback" not in done.stderr
    (tmp_path / "summary.json").write_text("{}", encoding="utf-8")
    done = cli("report", tmp_path)
    assert done.returncode == 2 and "not churn-sim's summary" in done.stderr
    assert not (tmp_path / "report.html").exists()
