"""The paired comparison's statistics and economics (sim/outputs/comparison.py) against
hand-worked examples and independent computations (brute force, numerical integration)."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import integrate
from scipy import stats as sps

from sim.core.calendar import DAYS_PER_MONTH
from sim.outputs.comparison import (
    NOT_DISTINGUISHABLE,
    PairedDiff,
    cash_flow_economics,
    customer_base_value,
    holm_verdicts,
    month_end_days,
    p_best,
    paired,
    running_cost_value,
)
from sim.outputs.economics import lifetime_value, npv

# --- paired -----------------------------------------------------------------------------


def test_paired_hand_worked() -> None:
    # d = alt - base = [1, 2, 0, 3]: mean 1.5, s² = (0.25 + 0.25 + 2.25 + 2.25)/3 = 5/3,
    # se = sqrt(5/3 / 4) = 0.645497, t_{0.975, 3} = 3.182446, half-width 2.054270,
    # t = 1.5 / 0.645497 = 2.323790, two-sided p = 2 · P(T_3 > 2.323790) = 0.10274.
    r = paired([1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 3.0, 7.0])
    assert r.n == 4
    assert r.mean == pytest.approx(1.5)
    assert r.lo == pytest.approx(1.5 - 2.054270, abs=1e-5)
    assert r.hi == pytest.approx(1.5 + 2.054270, abs=1e-5)
    assert r.p_value == pytest.approx(2 * sps.t.sf(2.323790, 3), abs=1e-6)
    assert r.p_value == pytest.approx(0.10274, abs=1e-4)


def test_paired_agrees_with_scipy_paired_test() -> None:
    rng = np.random.default_rng(1)
    base = rng.normal(100, 10, 25)
    alt = base + rng.normal(2, 3, 25)
    r = paired(base.tolist(), alt.tolist(), level=0.9)
    ref = sps.ttest_rel(alt, base)
    assert r.p_value == pytest.approx(ref.pvalue, rel=1e-9)
    lo, hi = ref.confidence_interval(confidence_level=0.9)
    assert (r.lo, r.hi) == pytest.approx((lo, hi), rel=1e-9)


def test_paired_uses_only_pairs_where_both_are_finite() -> None:
    r = paired([1.0, math.nan, 3.0, 5.0, 2.0], [2.0, 5.0, math.inf, 8.0, 2.5])
    assert r.n == 3  # pairs 0, 3, 4: differences 1, 3, 0.5
    assert r.mean == pytest.approx(1.5)
    one = paired([1.0, math.nan], [3.0, 2.0])
    assert one.n == 1 and one.mean == 2.0
    assert math.isnan(one.lo) and math.isnan(one.hi) and math.isnan(one.p_value)
    none = paired([math.nan], [1.0])
    assert none.n == 0 and math.isnan(none.mean)


def test_paired_no_op_and_constant_difference() -> None:
    values = [3.0, 1.5, 7.25, 2.0]
    assert paired(values, values) == PairedDiff(0.0, 0.0, 0.0, 4, 1.0)
    shifted = paired(values, [v + 2.0 for v in values])
    assert (shifted.mean, shifted.lo, shifted.hi, shifted.p_value) == (2.0, 2.0, 2.0, 0.0)


# --- Holm -------------------------------------------------------------------------------


def _diff(mean: float, p: float) -> PairedDiff:
    return PairedDiff(mean, mean - 1, mean + 1, 10, p)


def test_holm_hand_worked() -> None:
    diffs = {
        "a": _diff(-1.0, 0.01),
        "b": _diff(+1.0, 0.04),
        "c": _diff(+1.0, 0.03),
        "d": _diff(-2.0, 0.005),
        "e": _diff(+5.0, math.nan),  # undefined: not in the family
        "f": _diff(+3.0, 0.001),
    }
    better = {"a": "higher", "b": "higher", "c": "lower", "d": "lower", "e": "higher",
              "f": "neither"}
    # m = 5 finite p-values, sorted, against alpha / (m - k), k = 0..4:
    #   f 0.001 <= 0.05/5 = 0.0100   reject
    #   d 0.005 <= 0.05/4 = 0.0125   reject
    #   a 0.010 <= 0.05/3 = 0.0167   reject
    #   c 0.030 >  0.05/2 = 0.0250   stop: c and b are kept
    #   b 0.040    (0.05/1 = 0.05, never reached)
    assert holm_verdicts(diffs, better) == {
        "a": "worse",     # higher is better, it fell
        "b": NOT_DISTINGUISHABLE,
        "c": NOT_DISTINGUISHABLE,
        "d": "better",    # lower is better, it fell
        "e": NOT_DISTINGUISHABLE,
        "f": "higher",    # no better direction: which way it moved
    }


def test_holm_is_more_powerful_than_bonferroni() -> None:
    # p = 0.02, 0.04; m = 2: 0.02 <= 0.025 and then 0.04 <= 0.05 — both rejected, where
    # Bonferroni (0.025 each) would reject only the first.
    diffs = {"x": _diff(1.0, 0.04), "y": _diff(1.0, 0.02)}
    assert holm_verdicts(diffs, {"x": "higher", "y": "higher"}) == {"x": "better", "y": "better"}
    # at alpha 0.03: 0.02 <= 0.015? no — nothing rejected
    assert set(holm_verdicts(diffs, {"x": "higher", "y": "higher"}, alpha=0.03).values()) == {
        NOT_DISTINGUISHABLE}


def _closed_bonferroni(p: dict[str, float], alpha: float) -> set[str]:
    """Independent logic: Holm's procedure is the closure of Bonferroni tests (Marcus, Peritz
    & Gabriel 1976): H_i is rejected iff every intersection H_S with i in S is rejected by
    Bonferroni, min_{j in S} p_j <= alpha / |S|."""
    names = list(p)
    rejected = set()
    for i in names:
        others = [n for n in names if n != i]
        if all(min(p[j] for j in (i, *subset)) <= alpha / (len(subset) + 1)
               for size in range(len(others) + 1)
               for subset in itertools.combinations(others, size)):
            rejected.add(i)
    return rejected


def test_holm_agrees_with_the_closed_bonferroni_procedure() -> None:
    rng = np.random.default_rng(20261206)
    for _ in range(300):
        m = int(rng.integers(1, 8))
        # a mix of small and large p-values, some NaN, so that every case is met
        ps = np.where(rng.random(m) < 0.5, rng.random(m) * 0.05, rng.random(m))
        ps[rng.random(m) < 0.1] = math.nan
        means = rng.choice([-1.0, 1.0], m)
        names = [f"k{i}" for i in range(m)]
        diffs = {n: _diff(float(mu), float(p)) for n, mu, p in zip(names, means, ps, strict=True)}
        alpha = float(rng.choice([0.01, 0.05, 0.1]))
        verdicts = holm_verdicts(diffs, dict.fromkeys(names, "higher"), alpha=alpha)
        finite = {n: float(p) for n, p in zip(names, ps, strict=True) if math.isfinite(p)}
        expected = _closed_bonferroni(finite, alpha)
        assert {n for n, v in verdicts.items() if v != NOT_DISTINGUISHABLE} == expected
        for n in expected:
            assert verdicts[n] == ("better" if diffs[n].mean > 0 else "worse")


def test_holm_refuses_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="better must be"):
        holm_verdicts({"x": _diff(1.0, 0.001)}, {"x": "up"})


# --- cash flows -------------------------------------------------------------------------


def _v(d: int, r: float) -> float:
    """Discount factor of day d's end, written out independently."""
    return (1.0 + r) ** (-(d + 1) / 365.0)


def _investment(reps: int, horizon: int, start_day: int, one_off: float,
                monthly: float) -> np.ndarray:
    inv = np.zeros((reps, horizon))
    inv[:, start_day] += one_off
    inv[:, start_day:] += monthly / DAYS_PER_MONTH
    return inv


def _economics(delta_profit: np.ndarray, inv: np.ndarray, start_day: int, one_off: float,
               r: float, carried: np.ndarray | None = None, base_value_alt: float | np.ndarray = 0.0,
               base_value_base: float | np.ndarray = 0.0, running_after: float = 0.0) -> dict:
    zeros = np.zeros_like(inv)
    base_profit = np.full_like(inv, 50.0)
    return cash_flow_economics(
        base_profit, base_profit + delta_profit, zeros + 7.0,
        zeros + 7.0 + (carried if carried is not None else 0.0), inv, start_day, one_off, r,
        base_value_base, base_value_alt, running_after)


def test_month_ends() -> None:
    # month m ends at start + m · 365/12; the last day whose end is within it
    assert month_end_days(0, 365).tolist()[:3] == [29, 59, 90]  # 30.42, 60.83, 91.25
    assert month_end_days(0, 365).tolist()[-1] == 364 and len(month_end_days(0, 365)) == 12
    assert month_end_days(10, 100).tolist() == [39, 69]  # 40.4, 70.8; 101.25 > 100
    assert len(month_end_days(0, 1095)) == 36


def test_a_cash_flow_that_never_pays_back() -> None:
    reps, horizon, start, r = 3, 400, 10, 0.1
    inv = _investment(reps, horizon, start, one_off=1000.0, monthly=50.0)
    out = _economics(np.zeros((reps, horizon)), inv, start, 1000.0, r)
    # by hand: only costs, 1000 at the end of day 10 and 50/(365/12) a day from day 10 on
    expected = -(1000.0 * _v(start, r) + sum(50.0 / (365 / 12) * _v(d, r) for d in range(start, horizon)))
    assert out["npv_horizon"]["mean"] == pytest.approx(expected, rel=1e-12)
    assert out["npv"]["ci95"] == pytest.approx([expected, expected], rel=1e-12)
    assert out["roi"]["mean"] == pytest.approx(-1.0)  # npv = -cost
    assert out["payback_month"] is None and out["pays_back_within_horizon"] is False
    assert out["share_replications_paying_back"] == 0.0
    assert len(out["cumulative_discounted"]["mean"]) == 12  # (400 - 10) / 30.42 = 12.8
    assert all(c < 0 for c in out["cumulative_discounted"]["mean"])


def test_no_month_ends_in_the_window() -> None:
    reps, horizon = 2, 365
    inv = _investment(reps, horizon, 350, 100.0, 0.0)
    out = _economics(np.ones((reps, horizon)), inv, 350, 100.0, 0.05)
    assert out["payback_month"] is None and out["share_replications_paying_back"] is None
    assert out["cumulative_discounted"]["mean"] == []
    json.dumps(out, allow_nan=False)


def test_a_cash_flow_that_pays_back_in_a_known_month() -> None:
    # r = 0, one-off 1000 at day 0, extra profit 0.5, 2.0 and 3.5 a day (mean 2.0). Month m
    # holds floor(m · 365/12) days: m = 16 → 486 days, 2·486 - 1000 = -28; m = 17 → 517 days,
    # 2·517 - 1000 = +34, and rising after: the mean pays back in month 17. Per replication,
    # 0.5·730 = 365 < 1000 never pays back, the other two do: share 2/3.
    reps, horizon = 3, 730
    inv = _investment(reps, horizon, 0, one_off=1000.0, monthly=0.0)
    delta = np.repeat(np.array([[0.5], [2.0], [3.5]]), horizon, axis=1)
    out = _economics(delta, inv, 0, 1000.0, 0.0)
    assert out["payback_month"] == 17 and out["pays_back_within_horizon"] is True
    assert out["share_replications_paying_back"] == pytest.approx(2 / 3)
    cum = out["cumulative_discounted"]
    assert cum["mean"][15] == pytest.approx(-28.0) and cum["mean"][16] == pytest.approx(34.0)
    assert cum["month"][:2] == [1, 2] and len(cum["mean"]) == 24
    assert all(lo <= m <= hi for lo, m, hi in zip(cum["lo"], cum["mean"], cum["hi"], strict=True))
    json.dumps(out, allow_nan=False)  # JSON-ready: no NaN, no NumPy types


def test_payback_must_stay_positive() -> None:
    # r = 0, start 0: one-off 100, +5 a day, and a second cost of 1000 on day 200. At the end
    # of month m (n = floor(m · 365/12) days) the flow is 5n - 100 - 1000·[n > 200]: positive
    # from month 1 (n = 30: +50) until month 6 (n = 182: +810), then month 7 (n = 212: -40),
    # month 8 (n = 243: +115) and on. Payback is month 8, not month 1.
    reps, horizon = 2, 365
    inv = _investment(reps, horizon, 0, one_off=100.0, monthly=0.0)
    inv[:, 200] += 1000.0
    out = _economics(np.full((reps, horizon), 5.0), inv, 0, 100.0, 0.0)
    assert out["cumulative_discounted"]["mean"][:1] == [50.0]
    assert out["cumulative_discounted"]["mean"][6] == pytest.approx(-40.0)
    assert out["payback_month"] == 8


def test_payback_against_a_brute_force_month_by_month() -> None:
    rng = np.random.default_rng(7)
    reps, horizon, start, r = 5, 1095, 90, 0.08
    inv = _investment(reps, horizon, start, one_off=20000.0, monthly=300.0)
    delta = rng.normal(40.0, 30.0, (reps, horizon))
    delta[:, :start] = 0.0
    out = _economics(delta, inv, start, 20000.0, r)
    # brute force: walk the months, add the days whose end is within each
    months, flows, day = [], [], start
    total = np.zeros(reps)
    m = 1
    while start + m * 365 / 12 <= horizon + 1e-9:
        while day + 1 <= start + m * 365 / 12 + 1e-9:
            total = total + (delta[:, day] - inv[:, day]) * _v(day, r)
            day += 1
        months.append(m)
        flows.append(total.mean())
        m += 1
    assert out["cumulative_discounted"]["mean"] == pytest.approx(flows, rel=1e-9)
    expected = next((m for m in months if all(f > 0 for f in flows[m - 1:])), None)
    assert expected is not None and out["payback_month"] == expected


def test_carried_cost_difference_enters_roi() -> None:
    # r = 0, one-off 1000 at day 0, +3 a day over 730 days: npv = 2190 - 1000 = 1190
    reps, horizon = 2, 730
    inv = _investment(reps, horizon, 0, one_off=1000.0, monthly=0.0)
    delta = np.full((reps, horizon), 3.0)
    more = _economics(delta, inv, 0, 1000.0, 0.0, carried=np.ones((reps, horizon)))
    assert more["npv"]["mean"] == pytest.approx(1190.0)
    assert more["incremental_cost"]["mean"] == pytest.approx(1730.0)  # 1000 + 730 · 1
    assert more["roi"]["mean"] == pytest.approx(1190.0 / 1730.0)
    # a saving in carried costs does not shrink the denominator below the investment
    less = _economics(delta, inv, 0, 1000.0, 0.0, carried=-np.ones((reps, horizon)))
    assert less["roi"]["mean"] == pytest.approx(1190.0 / 1000.0)


def test_identical_inputs_give_zero_differences() -> None:
    reps, horizon = 4, 365
    zeros = np.zeros((reps, horizon))
    out = _economics(zeros, zeros, 30, 0.0, 0.05, base_value_alt=5e5, base_value_base=5e5)
    for key in ("npv_horizon", "base_value", "npv", "break_even_cost"):
        assert out[key] == {"mean": 0.0, "ci95": [0.0, 0.0]}
    assert out["roi"] == {"mean": None, "ci95": None}  # nothing invested: undefined
    assert out["payback_month"] is None and out["share_replications_paying_back"] == 0.0


def test_base_value_enters_npv() -> None:
    reps, horizon, r = 3, 365, 0.1
    rng = np.random.default_rng(3)
    inv = _investment(reps, horizon, 0, one_off=500.0, monthly=20.0)
    delta = rng.normal(2.0, 1.0, (reps, horizon))
    bv_alt, bv_base = np.array([9000.0, 9500.0, 8700.0]), np.array([8000.0, 8100.0, 8050.0])
    out = _economics(delta, inv, 0, 500.0, r, base_value_alt=bv_alt, base_value_base=bv_base,
                     running_after=300.0)
    per_rep_horizon = [npv(delta[i] - inv[i], r) for i in range(reps)]  # economics.npv
    assert out["npv_horizon"]["mean"] == pytest.approx(np.mean(per_rep_horizon), rel=1e-12)
    assert out["base_value"]["mean"] == pytest.approx(np.mean(bv_alt - bv_base) - 300.0)
    total = np.asarray(per_rep_horizon) + bv_alt - bv_base - 300.0
    lo, hi = sps.t.interval(0.95, reps - 1, loc=total.mean(), scale=sps.sem(total))
    assert out["npv"]["mean"] == pytest.approx(total.mean())
    assert out["npv"]["ci95"] == pytest.approx([lo, hi])


def test_break_even_one_off_gives_zero_npv() -> None:
    reps, horizon, start, r = 6, 730, 45, 0.1
    rng = np.random.default_rng(11)
    delta = rng.normal(30.0, 10.0, (reps, horizon))
    delta[:, :start] = 0.0
    out = _economics(delta, _investment(reps, horizon, start, 4000.0, 150.0), start, 4000.0, r,
                     base_value_alt=2000.0, running_after=800.0)
    be = out["break_even_cost"]
    assert be["mean"] > 4000.0  # it pays: it could have cost more
    again = _economics(delta, _investment(reps, horizon, start, be["mean"], 150.0), start,
                       be["mean"], r, base_value_alt=2000.0, running_after=800.0)
    assert again["npv"]["mean"] == pytest.approx(0.0, abs=1e-6)
    assert again["break_even_cost"]["mean"] == pytest.approx(be["mean"])
    # the interval maps the npv interval: at a one-off of its lower end, the npv interval's
    # lower end is 0 (the dearest one-off the investment still clearly pays for); at its
    # upper end, the npv interval's upper end is 0
    at_lo = _economics(delta, _investment(reps, horizon, start, be["ci95"][0], 150.0), start,
                       be["ci95"][0], r, base_value_alt=2000.0, running_after=800.0)
    assert at_lo["npv"]["ci95"][0] == pytest.approx(0.0, abs=1e-6)
    at_hi = _economics(delta, _investment(reps, horizon, start, be["ci95"][1], 150.0), start,
                       be["ci95"][1], r, base_value_alt=2000.0, running_after=800.0)
    assert at_hi["npv"]["ci95"][1] == pytest.approx(0.0, abs=1e-6)


def test_roi_bootstrap_is_reproducible_and_brackets_the_estimate() -> None:
    reps, horizon = 20, 365
    rng = np.random.default_rng(5)
    inv = _investment(reps, horizon, 0, 1000.0, 0.0)
    delta = rng.normal(4.0, 2.0, (reps, 1)) * np.ones((1, horizon))
    a = _economics(delta, inv, 0, 1000.0, 0.05)
    b = _economics(delta, inv, 0, 1000.0, 0.05)
    assert a["roi"] == b["roi"]
    lo, hi = a["roi"]["ci95"]
    assert lo < a["roi"]["mean"] < hi
    one = _economics(delta[:1], inv[:1], 0, 1000.0, 0.05)
    assert one["roi"]["mean"] is not None and one["roi"]["ci95"] is None
    assert one["npv"]["ci95"] is None
    assert one["cumulative_discounted"]["lo"][0] is None
    json.dumps(one, allow_nan=False)


# --- the customer base at the horizon ---------------------------------------------------


def test_customer_base_value_against_numerical_integration() -> None:
    n, m, h, r, horizon, years = 1000.0, 100.0, 0.2, 0.1, 1095, 5.0
    integral, _ = integrate.quad(lambda t: n * m * math.exp(-h * t) * (1 + r) ** -t, 0, years)
    expected = integral * 1.1 ** -3
    assert customer_base_value(n, m, h, r, horizon, years) == pytest.approx(expected, rel=1e-10)
    # by hand: δ = ln 1.1 = 0.0953102, δ + h = 0.2953102, e^-1.476551 = 0.228424,
    # (1 - 0.228424) / 0.2953102 = 2.61276
    assert customer_base_value(1.0, 1.0, h, r, 0, years) == pytest.approx(2.61276, abs=1e-5)
    # no discounting, no churn: N · m · Y
    assert customer_base_value(n, m, 0.0, 0.0, horizon, years) == pytest.approx(n * m * years)


@pytest.mark.parametrize(("m", "h", "r"), [(120.0, 0.25, 0.1), (80.0, 0.0, 0.05), (50.0, 0.3, 0.0)])
def test_lifetime_value_is_the_endless_limit(m: float, h: float, r: float) -> None:
    assert customer_base_value(1.0, m, h, r, 0, math.inf) == pytest.approx(lifetime_value(m, h, r))
    assert customer_base_value(1.0, m, h, r, 0, 500.0) == pytest.approx(lifetime_value(m, h, r),
                                                                        rel=1e-9)
    assert math.isnan(customer_base_value(1.0, m, 0.0, 0.0, 0, math.inf))  # as lifetime_value


def test_running_cost_value_against_numerical_integration() -> None:
    fixed, per_customer, n, h, r, horizon, years = 2000.0, 1.5, 2900.0, 0.27, 0.1, 1095, 3.0
    integral, _ = integrate.quad(
        lambda t: (12 * fixed + 12 * per_customer * n * math.exp(-h * t)) * (1 + r) ** -t, 0, years)
    assert running_cost_value(fixed, per_customer, n, h, r, horizon, years) == pytest.approx(
        integral * (1 + r) ** -3, rel=1e-10)
    assert running_cost_value(fixed, 0.0, n, h, 0.0, horizon, years) == pytest.approx(12 * fixed * years)
    assert running_cost_value(0.0, 0.0, n, h, r, horizon, years) == 0.0


# --- which alternative is best ----------------------------------------------------------


def test_p_best_dominant_alternative() -> None:
    rng = np.random.default_rng(2)
    shares = p_best({"big": rng.normal(1000, 10, 20), "small": rng.normal(0, 10, 20)})
    assert shares["big"] == pytest.approx(1.0)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert list(shares) == ["baseline", "big", "small"]


def test_p_best_splits_between_equals_and_ties_go_to_the_first() -> None:
    x = np.random.default_rng(3).normal(100, 50, 30)
    shares = p_best({"a": x, "b": x[::-1].copy()})  # the same values, paired differently
    assert shares["baseline"] == 0.0
    assert 0.4 < shares["a"] < 0.6 and 0.4 < shares["b"] < 0.6
    assert shares["a"] + shares["b"] == pytest.approx(1.0)
    assert p_best({"a": x, "b": x.copy()}) == {"baseline": 0.0, "a": 1.0, "b": 0.0}
    assert p_best({"loss": -np.abs(x)})["baseline"] == 1.0  # doing nothing beats a sure loss


def test_p_best_is_reproducible() -> None:
    rng = np.random.default_rng(4)
    npvs = {"a": rng.normal(5, 20, 15), "b": rng.normal(8, 20, 15)}
    assert p_best(npvs) == p_best(npvs)
    assert p_best(npvs, seed=1) == p_best(npvs, seed=1)
    assert p_best(npvs, n_boot=500, seed=1) != p_best(npvs, n_boot=500, seed=2)
