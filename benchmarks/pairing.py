#!/usr/bin/env python3
"""Pairing: how much of the noise common random numbers remove, on the shipped baseline.

Runs replications 0..N-1 of the baseline and of paired alternatives on the same seed and
reports, per KPI, the share of the noise that pairing fails to remove,

    r = Var(A − B) / (Var A + Var B)        (1: no pairing at all; 0: perfect),

for ``fulfilment.invoice_accuracy`` 0.99 → 0.995, for one more agent, for
scenarios/whatif/loyalty_programme.yaml and for ``customers.orders_per_month`` cv + 0.1, with the
spread of that estimate (the 99.9 % quantile of r̂ over N replications, from a
parametric bootstrap of the observed pairs, is what the suite's pairing test uses to
set its threshold); the share of the baseline's churn events that recur with the same
person and cause in the paired run; and the no-op checks, which must be *identical*:
the same value set with ``--set`` from day 0, and the identical scenario applied
mid-run (on day 90, or half-way through a shorter run).

Usage:  .venv/bin/python benchmarks/pairing.py [--replications 30] [--seed S] [--workers 2]
            [--set PATH=VALUE ...] [--quantile-at N]

``--set`` changes the baseline (and so every alternative) — e.g. a smaller market for the
suite's test; ``--quantile-at N`` gives the 99.9 % quantile of r̂ over N replications
from the covariance estimated over all of them (how tests/test_pairing.py set its
thresholds).
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from sim import load_scenario
from sim.core.recorder import ReplicationResult
from sim.model.replication import run_replication
from sim.outputs.kpis import kpis
from sim.scenario import ScenarioError
from sim.scenario.schema import Scenario

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
LOYALTY = ROOT / "scenarios" / "whatif" / "loyalty_programme.yaml"
KPIS = ("customers_end", "profit")


def _one(args: tuple[Scenario, int, Sequence[tuple[float, Scenario]]]) -> ReplicationResult:
    scenario, index, changes = args
    return run_replication(scenario, index, changes=changes)


def replicate(
    scenario: Scenario, n: int, workers: int, changes: Sequence[tuple[float, Scenario]] = ()
) -> list[ReplicationResult]:
    jobs = [(scenario, i, changes) for i in range(n)]
    if workers <= 1:
        return [_one(job) for job in jobs]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(_one, jobs))


def variance_ratio(a: np.ndarray, b: np.ndarray) -> float:
    """Var(A − B) / (Var A + Var B) over paired replications."""
    return float(np.var(a - b, ddof=1) / (np.var(a, ddof=1) + np.var(b, ddof=1)))


def ratio_quantile(
    a: np.ndarray, b: np.ndarray, pairs_per_estimate: int, q: float = 0.999, draws: int = 20_000, seed: int = 0
) -> float:
    """The q-quantile of the estimator r̂ over ``pairs_per_estimate`` pairs, were the pairs
    bivariate normal with the covariance observed in (a, b): how high a correct model's
    estimate can go."""
    rng = np.random.default_rng(seed)
    cov = np.cov(np.vstack([a, b]))
    pairs = rng.multivariate_normal([0.0, 0.0], cov, size=(draws, pairs_per_estimate))
    x, y = pairs[..., 0], pairs[..., 1]
    r = np.var(x - y, axis=1, ddof=1) / (np.var(x, axis=1, ddof=1) + np.var(y, axis=1, ddof=1))
    return float(np.quantile(r, q))


def identical(a: list[ReplicationResult], b: list[ReplicationResult]) -> bool:
    for x, y in zip(a, b, strict=True):
        for table in ("daily", "churn"):
            tx, ty = getattr(x, table), getattr(y, table)
            if tx.keys() != ty.keys() or not all(np.array_equal(tx[k], ty[k]) for k in tx):
                return False
    return True


def recurring_churn(a: list[ReplicationResult], b: list[ReplicationResult], day_range: tuple[int, int]) -> float:
    """Share of A's churn events in ``day_range`` whose (person, cause) also churn in B."""
    same = total = 0
    for x, y in zip(a, b, strict=True):
        in_b = set(zip(y.churn["customer"].tolist(), y.churn["cause"].tolist(), strict=True))
        lo, hi = day_range
        mask = (x.churn["day"] >= lo) & (x.churn["day"] < hi)
        events = list(zip(x.churn["customer"][mask].tolist(), x.churn["cause"][mask].tolist(), strict=True))
        total += len(events)
        same += sum(event in in_b for event in events)
    return same / total if total else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", "-n", type=int, default=30)
    parser.add_argument("--seed", type=int, default=None, help="master seed (default: the baseline's)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="PATH=VALUE",
                        help="change the baseline (and every alternative), e.g. market.population=5000")
    parser.add_argument("--quantile-at", type=int, metavar="N",
                        help="the r-hat 99.9%% quantile for N replications (default: --replications)")
    args = parser.parse_args()
    n, workers, sets = args.replications, args.workers, list(args.overrides)

    def scenario(*more: str, path: Path = BASELINE) -> Scenario:
        return load_scenario(path, [*sets, *more], seed=args.seed)

    base = scenario()
    agents = base.service.agents
    cv = base.customers.orders_per_month.cv
    alternatives = {
        "invoice_accuracy 0.99 -> 0.995": scenario("fulfilment.invoice_accuracy=0.995"),
        f"agents {agents} -> {agents + 1}": scenario(f"service.agents={agents + 1}"),
        "whatif/loyalty_programme": scenario(path=LOYALTY),
        f"orders_per_month cv {cv} -> {cv + 0.1:g}": scenario(f"customers.orders_per_month.cv={cv + 0.1:g}"),
    }
    same_value = scenario(f"fulfilment.invoice_accuracy={base.fulfilment.invoice_accuracy}")
    at = args.quantile_at or n

    print(f"baseline {BASELINE.name} {' '.join(sets)}, seed {base.seed}, {n} replications, {workers} workers")
    a = replicate(base, n, workers)
    noop_set = replicate(same_value, n, workers)
    mid = min(90, base.horizon_days // 2)
    noop_mid = replicate(base, n, workers, changes=[(mid, base)])
    print(f"no-op, same value by --set from day 0:     identical = {identical(a, noop_set)}")
    print(f"no-op, identical scenario applied on day {mid}: identical = {identical(a, noop_mid)}")

    ka = {k: np.array([kpis(r, base)[k] for r in a]) for k in KPIS}
    print(f"\n{'alternative':<34} {'KPI':<15} {'r = Var(A-B)/(VarA+VarB)':>25} {f'r 99.9% at n={at}':>20} "
          f"{'corr':>6} {'mean B-A':>12}")
    for label, alternative in alternatives.items():
        b = replicate(alternative, n, workers)
        for k in KPIS:
            kb = np.array([kpis(r, alternative)[k] for r in b])
            r = variance_ratio(ka[k], kb)
            print(f"{label:<34} {k:<15} {r:>25.3f} {ratio_quantile(ka[k], kb, at):>20.3f} "
                  f"{np.corrcoef(ka[k], kb)[0, 1]:>6.3f} {np.mean(kb - ka[k]):>12,.1f}")
        horizon = base.horizon_days
        print(f"{'':<34} churn events recurring (same person and cause): "
              f"first quarter {recurring_churn(a, b, (0, 91)):.1%}, "
              f"rest of the run {recurring_churn(a, b, (91, horizon)):.1%}")


if __name__ == "__main__":
    try:
        main()
    except ScenarioError as err:  # a bad --set or scenario: its lines, as run_sim.py says them
        raise SystemExit(str(err)) from None
