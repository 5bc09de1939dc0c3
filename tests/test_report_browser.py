"""The report as a person sees it: a small comparison's report.html opened in headless Chromium.

Chromium comes from Debian (``apt-get install --no-install-recommends chromium``; `.ci/run`
installs it), driven by Playwright from PyPI through ``executable_path`` (never
``playwright install``). The test skips, saying why, where either is missing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path(os.environ.get("CHURN_SIM_CHROMIUM", "/usr/lib/chromium/chromium"))
TINY = ["horizon_days=60", "warmup_days=0", "market.population=1500", "market.initial_customers=300"]
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not CHROMIUM.is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: apt-get install --no-install-recommends chromium "
                    "(or set CHURN_SIM_CHROMIUM)")
    out = tmp_path_factory.mktemp("browser") / "cmp"
    sets = [x for s in TINY for x in ("--set", s)]
    done = subprocess.run(
        [sys.executable, "run_sim.py", "compare", "scenarios/baseline.yaml", "scenarios/whatif/more_agents.yaml",
         "scenarios/whatif/training.yaml", "-n", "3", *sets, "--quiet", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert (out / "report.html").is_file()
    return out


def test_the_report_draws_every_figure_without_an_error_in_chromium(report: Path) -> None:
    html = (report / "report.html").read_text(encoding="utf-8")
    expected = sorted(set(re.findall(r'<div class="figure[^"]*" id="([^"]+)"', html)))
    assert len(expected) >= 6, expected
    errors: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
        page.goto((report / "report.html").as_uri(), wait_until="load")
        for fig in expected:  # every figure has drawn: SVG content inside its plot
            page.wait_for_selector(f"#{fig} svg.main-svg", state="attached", timeout=30_000)
        paragraphs = page.locator(".verdict-paragraph").all_inner_texts()
        page.screenshot(path=str(report / "report.png"), full_page=True)
        browser.close()
    assert errors == []
    assert len(paragraphs) == 2 and all(len(p) > 80 for p in paragraphs)
    names = json.loads((report / "summary.json").read_text())["comparison"]["alternatives"]
    assert set(names) == {"more_agents", "training"}
    assert (report / "report.png").stat().st_size > 10_000
