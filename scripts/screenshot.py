"""A screenshot of a report's top, for the README: ``python scripts/screenshot.py REPORT.html OUT.png``.

Drives Debian's Chromium (``apt-get install --no-install-recommends chromium``) with Playwright
through ``executable_path`` (set CHURN_SIM_CHROMIUM for another binary); ``make screenshot``
builds the shipped comparison's report and shoots it into docs/report.png.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHURN_SIM_CHROMIUM", "/usr/lib/chromium/chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    report, out = Path(argv[0]).resolve(), Path(argv[1])
    if not Path(CHROMIUM).is_file():
        print(f"no Chromium at {CHROMIUM}: apt-get install --no-install-recommends chromium", file=sys.stderr)
        return 2
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 1100})
        page.goto(report.as_uri(), wait_until="load")
        page.wait_for_selector("#fig-npv-risk svg.main-svg", state="attached", timeout=60_000)
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
