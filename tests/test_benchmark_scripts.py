"""Every script in ``benchmarks/`` runs, at a tiny scale, and prints what it is for, so that none
rots unseen: ``benchmarks/chain_primitives.py`` called a kernel that stage 9 of the compiled chain
had removed, and nobody knew until bbb65a9. Nothing is timed and no figure is asserted (the
scripts report times; docs/PERFORMANCE.md reads them). ``benchmarks/perf_profile.py`` is left out:
it needs Linux ``perf`` and compiles every kernel afresh (~40 s)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TINY = ["--set", "market.population=2000", "--set", "market.initial_customers=400", "--set", "horizon_days=60",
        "--set", "warmup_days=28"]

# (script, its arguments at a tiny scale, a line of what it prints)
SCRIPTS = [
    ("ab.py", [".", ".", "--people", "1000", "--days", "5", "--rounds", "1"], "median B / A"),
    ("bench.py", ["--days", "5", "--scale", "0.05", "0.1"], "model cost per customer-day"),
    ("building.py", ["--scale", "0.1", "--days", "5"], "build s"),
    ("chain_primitives.py", ["1000"], "event handed back"),
    ("instructions.py", ["5"], "orders:"),
    ("pairing.py", ["-n", "2", "--workers", "1", *TINY], "Var(A-B)/(VarA+VarB)"),
    ("same_day.py", ["--days", "5", "--people", "1000"], "clock events:"),
    ("steady_state.py", ["--years", "1", "-n", "1", "--workers", "1"], "year  customers"),
    ("upper_bounds.py", ["1", "5"], "of normal"),
    ("where_time_goes.py", ["1000", "5"], "Model.run"),
]


def test_every_script_is_run_here() -> None:
    """A script added to benchmarks/ is added here too (or to the one left out, above)."""
    scripts = {p.name for p in (ROOT / "benchmarks").glob("*.py")}
    assert scripts == {name for name, _, _ in SCRIPTS} | {"perf_profile.py"}


@pytest.mark.parametrize(("script", "args", "printed"), SCRIPTS, ids=[s for s, _, _ in SCRIPTS])
def test_a_benchmark_script_runs(script: str, args: list[str], printed: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert printed in done.stdout, done.stdout[-2000:]


MISSING = ROOT / "no-such-scenario.yaml"
BAD = [
    ("pairing.py", ["--set", "service.agents=-1"], "--set service.agents: got -1; allowed: a whole number from 0 to 100000"),
    ("steady_state.py", ["--set", "service.agents=-1"], "--set service.agents: got -1; allowed: a whole number from 0 to 100000"),
    ("bench.py", ["--scenario", str(MISSING)], f"{MISSING}: scenario file not found (looked for {MISSING})"),
    ("building.py", ["--scenario", str(MISSING)], f"{MISSING}: scenario file not found (looked for {MISSING})"),
]


@pytest.mark.parametrize(("script", "args", "said"), BAD, ids=[s for s, _, _ in BAD])
def test_bad_input_is_its_lines_not_a_traceback(script: str, args: list[str], said: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / script), *args],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.strip() == said
