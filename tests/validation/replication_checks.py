"""Running replications for a validation test, and the confidence-interval check they share.

The rule for every validation check: one statistic per replication, at least
``MIN_REPLICATIONS`` replications 0..N-1 of one fixed master seed, a 99 % Student-t
interval (:func:`sim.stats.mean_ci`) that must contain the closed-form value and be
no wider (half-width) than a stated ceiling, so a pass means "agrees, and the test
was precise enough to notice if it did not".
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from sim.engine import run_replication
from sim.recorder import ReplicationResult
from sim.scenario.schema import Scenario
from sim.stats import mean_ci

LEVEL = 0.99
MIN_REPLICATIONS = 20
# The master seed of every validation scenario; fixed before looking at any result.
SEED = 2026
WORKERS = max(1, min(2, os.cpu_count() or 1))


def replicate(scenario: Scenario) -> list[ReplicationResult]:
    """Replications 0..scenario.replications-1, in index order, on up to two processes.

    Each is :func:`sim.engine.run_replication` (a pure function of scenario and index),
    so the results do not depend on the number of processes.
    """
    n = scenario.replications
    assert n >= MIN_REPLICATIONS, f"{n} replications; a validation check needs at least {MIN_REPLICATIONS}"
    if WORKERS == 1:
        results = [run_replication(scenario, i) for i in range(n)]
    else:
        with ProcessPoolExecutor(max_workers=WORKERS) as pool:
            results = list(pool.map(run_replication, [scenario] * n, range(n)))
    assert [r.replication for r in results] == list(range(scenario.replications))
    return results


@dataclass(frozen=True)
class Interval:
    what: str
    n: int
    mean: float
    low: float
    high: float
    expected: float
    ceiling: float

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def __str__(self) -> str:
        return (
            f"{self.what}: mean {self.mean:.5g} over {self.n} replications, "
            f"{LEVEL:.0%} CI [{self.low:.5g}, {self.high:.5g}] (half-width {self.half_width:.3g}, "
            f"ceiling {self.ceiling:.3g}); formula {self.expected:.5g}"
        )


def check_interval(what: str, values: Sequence[float], expected: float, ceiling: float) -> Interval:
    """Assert the 99 % t interval of ``values`` contains ``expected`` and is at most ``ceiling`` wide (half)."""
    values = [float(v) for v in values]
    assert len(values) >= MIN_REPLICATIONS, f"{what}: only {len(values)} replications"
    assert all(math.isfinite(v) for v in values), f"{what}: non-finite statistic in {values}"
    mean, low, high = mean_ci(values, LEVEL)
    interval = Interval(what, len(values), mean, low, high, expected, ceiling)
    print(interval)
    assert interval.half_width <= ceiling, f"interval too wide to validate anything — {interval}"
    assert low <= expected <= high, f"formula outside the interval — {interval}"
    return interval


def active_at(result: ReplicationResult, t: int) -> float:
    """Customers at time t (days): the end-of-day snapshot of day t − 1."""
    d = result.daily
    return float(d["active_level1"][t - 1] + d["active_level2"][t - 1] + d["active_level3"][t - 1])
