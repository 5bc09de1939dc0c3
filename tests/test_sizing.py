"""The size estimate follows the benchmark's constants (sim/experiments/sizing.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import load_scenario
from sim.experiments.sizing import BASE_BYTES, BYTES_PER_PERSON, available_memory, estimate

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"


def test_memory_grows_with_people_and_processes() -> None:
    sc = load_scenario(BASELINE, ["market.population=1000000", "market.initial_customers=1000"], replications=10)
    one, two = estimate(sc, 1), estimate(sc, 2)
    assert one.memory_bytes == BASE_BYTES + BYTES_PER_PERSON * 1_000_000
    assert two.memory_bytes == 2 * one.memory_bytes + BASE_BYTES
    assert two.seconds == pytest.approx(one.seconds / 2)
    assert estimate(sc.model_copy(update={"replications": 1}), 8).processes == 1


def test_the_baseline_replication_is_estimated_at_a_few_seconds() -> None:
    # bench: ~2 s a baseline replication (README, Performance)
    assert 0.5 < estimate(load_scenario(BASELINE), 1).seconds_per_replication < 5


def test_available_memory_can_be_injected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHURN_SIM_AVAILABLE_MEMORY", "12345")
    assert available_memory() == 12345
