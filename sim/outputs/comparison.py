"""The statistics and economics of a paired comparison of investments.

Pure functions of results already computed: nothing here runs a simulation. A baseline and an
alternative run with the same seed and the same replication numbers are *paired* (common
random numbers): replication i of one is compared with replication i of the other. Days are
the measured window's, 0..H-1; a cash flow x on day d (paid at the end of the day) is worth
x · v_d at day 0, v_d = (1 + r)^(-(d + 1)/365), as ``sim.outputs.economics.npv`` discounts.

Differences of KPIs (``paired``)
    d_i = alt_i - base_i over the pairs where both are finite, n of them; the mean d̄, the
    Student-t interval d̄ ± t_{n-1} · s/√n and the two-sided p-value of the one-sample t-test
    of d against 0. With n < 2 there is neither (NaN); when every d_i is exactly 0 (a no-op)
    the interval is [0, 0] and p = 1; when every d_i is the same non-zero c, [c, c] and p = 0.

Verdicts (``holm_verdicts``)
    Holm's (1979) step-down procedure over the KPIs of one alternative, which holds the
    family-wise error rate at alpha: sort the m finite p-values, p_(1) <= ... <= p_(m); reject
    H_(1), ..., H_(k) while p_(k) <= alpha / (m - k + 1), and stop at the first that is not.
    A rejected KPI is ``better`` or ``worse`` by its direction (for a KPI with no better
    direction: ``higher`` or ``lower``); the rest, and NaN p-values (counted in no family),
    are ``not distinguishable``.

Economics of one alternative (``cash_flow_economics``), per replication i
    f_i,d = alt_profit - base_profit - investment_cost on day d (the profits already net the
    costs the model carries; ``investment_cost`` holds the one-off on ``start_day`` and the
    running costs spread per day);
    npv_horizon_i = Σ_d f_i,d · v_d;
    base_value_i = base_value_alt_i - base_value_base_i - running_cost_after_i (each already
    at day 0, see below);
    npv_i = npv_horizon_i + base_value_i, its mean and Student-t interval over replications;
    incremental cost_i = PV(investment_cost)_i + max(0, PV(alt_carried - base_carried)_i), a
    saving in carried costs never making it smaller than the investment itself;
    roi = mean npv / mean incremental cost (undefined when the latter is 0), its interval a
    percentile bootstrap over replications (pairs resampled together);
    C_i(m) = Σ_{start_day <= d, d + 1 <= start_day + m · 365/12} f_i,d · v_d, the cumulative
    discounted incremental cash flow at the end of month m = 1..M, the month-ends that fall in
    the window; the payback month is the first m from which the mean C(m) is > 0 at every
    later month-end, none if mean C(M) <= 0; a replication pays back if its C_i(M) > 0;
    break-even one-off = one_off_cost + mean npv · (1 + r)^((start_day + 1)/365), the one-off
    at which mean npv is 0 (its interval from npv's, the same way).

Value of the customer base at the horizon (``customer_base_value``, ``running_cost_value``)
    N customers at the horizon, each bringing a margin m a year and leaving at the constant
    rate h per customer-year, discounted continuously at δ = ln(1 + r) over Y more years:
    N · m · (1 - e^{-(δ+h)Y}) / (δ + h), brought back to day 0 by (1 + r)^(-H/365) — the
    margin / (discount + retention) form of Gupta & Lehmann (2003), "Customers as assets",
    Journal of Interactive Marketing 17(1), of which ``lifetime_value`` is the Y → ∞ limit.
    Running costs likewise: 12 · fixed_monthly · (1 - e^{-δY}) / δ plus
    12 · per_customer_monthly · N · (1 - e^{-(δ+h)Y}) / (δ + h), at day 0 the same way.

Which alternative is best (``p_best``)
    Resample replication indices with replacement, jointly for every alternative (keeping the
    pairing); in each resample the alternative with the largest mean npv wins, "do nothing"
    (npv 0, key ``baseline``) included and first, ties to the first; the shares of wins.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.core.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR, EPS
from sim.outputs.stats import mean_ci, t_quantile, t_sf

NOT_DISTINGUISHABLE = "not distinguishable"
BOOTSTRAP_SEED = 20261206
BOOTSTRAP_RESAMPLES = 2000
BASELINE = "baseline"


@dataclass(frozen=True)
class PairedDiff:
    """The paired difference alt - base: mean, interval [lo, hi], pairs used, p-value."""

    mean: float
    lo: float
    hi: float
    n: int
    p_value: float


def paired(base: Sequence[float], alt: Sequence[float], level: float = 0.95) -> PairedDiff:
    """Mean of alt - base over the pairs where both are finite, its Student-t interval and
    the two-sided p-value of a one-sample t-test of the differences against 0."""
    b = np.asarray(base, dtype=np.float64)
    a = np.asarray(alt, dtype=np.float64)
    if b.shape != a.shape or b.ndim != 1:
        raise ValueError(f"base and alt must be paired sequences, got shapes {b.shape} and {a.shape}")
    d = (a - b)[np.isfinite(a) & np.isfinite(b)]
    n = int(d.size)
    if n == 0:
        return PairedDiff(math.nan, math.nan, math.nan, 0, math.nan)
    mean = math.fsum(d.tolist()) / n
    if n < 2:
        return PairedDiff(mean, math.nan, math.nan, n, math.nan)
    if np.all(d == 0.0):
        return PairedDiff(0.0, 0.0, 0.0, n, 1.0)
    if np.all(d == d[0]):
        # The same difference in every pair: no spread, so the difference is certain.
        return PairedDiff(mean, mean, mean, n, 0.0)
    sd = math.sqrt(math.fsum(((d - mean) ** 2).tolist()) / (n - 1))
    half = t_quantile(level, n - 1) * sd / math.sqrt(n)
    # The one-sample t-test, by hand: SciPy's warns of cancellation when the differences are
    # nearly equal (a cost that differs by the same amount in every pair, up to rounding).
    se = sd / math.sqrt(n)
    p_value = 2.0 * t_sf(abs(mean) / se, n - 1) if se > 0 else (0.0 if mean else 1.0)
    return PairedDiff(mean, mean - half, mean + half, n, p_value)


def _direction(name: str, mean: float, better: str) -> str:
    if better == "higher":
        return "better" if mean > 0 else "worse"
    if better == "lower":
        return "better" if mean < 0 else "worse"
    if better == "neither":
        return "higher" if mean > 0 else "lower"
    raise ValueError(f"{name}: better must be 'higher', 'lower' or 'neither', got {better!r}")


def holm_verdicts(diffs: Mapping[str, PairedDiff], better: Mapping[str, str],
                  alpha: float = 0.05) -> dict[str, str]:
    """Holm's step-down verdict per KPI, the family-wise error held at ``alpha``:
    ``better``/``worse`` (``higher``/``lower`` for a KPI with no better direction) or
    ``not distinguishable``. NaN p-values are not counted in the family."""
    if not 0 < alpha < 1:
        raise ValueError(f"need 0 < alpha < 1, got {alpha}")
    verdicts = {name: NOT_DISTINGUISHABLE for name in diffs}
    family = [(d.p_value, name) for name, d in diffs.items() if math.isfinite(d.p_value)]
    # Sorted by p-value; ties keep the mapping's order (a tie is rejected or kept together
    # anyway, the threshold only growing along the ranks).
    order = sorted(range(len(family)), key=lambda j: family[j][0])
    m = len(family)
    for k, j in enumerate(order):
        p, name = family[j]
        if p > alpha / (m - k):
            break
        verdicts[name] = _direction(name, diffs[name].mean, better[name])
    return verdicts


def _none_if_nan(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _with_interval(mean: float, lo: float, hi: float) -> dict[str, Any]:
    lo_, hi_ = _none_if_nan(lo), _none_if_nan(hi)
    return {"mean": _none_if_nan(mean), "ci95": None if lo_ is None or hi_ is None else [lo_, hi_]}


def discount_factors(days: int, discount_rate_annual: float) -> np.ndarray:
    """v_d = (1 + r)^(-(d + 1)/365) for days d = 0..days-1 (each day counted at its end)."""
    if discount_rate_annual <= -1:
        raise ValueError(f"need discount_rate_annual > -1, got {discount_rate_annual}")
    d = np.arange(1, days + 1, dtype=np.float64)
    return np.asarray((1.0 + discount_rate_annual) ** (-d / DAYS_PER_YEAR), dtype=np.float64)


def month_end_days(start_day: int, horizon_days: int) -> np.ndarray:
    """For months m = 1..M from ``start_day``, the last day whose end falls within month m:
    the day before start_day + m · 365/12 (rounded down); only month-ends within the window."""
    ends = []
    m = 1
    while start_day + m * DAYS_PER_MONTH <= horizon_days + EPS:
        ends.append(math.floor(start_day + m * DAYS_PER_MONTH + EPS) - 1)
        m += 1
    return np.asarray(ends, dtype=np.int64)


def _per_replication(x: float | Sequence[float] | np.ndarray, reps: int, what: str) -> np.ndarray:
    arr = np.broadcast_to(np.asarray(x, dtype=np.float64), (reps,))
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite")
    return arr


def _mean_ci_array(values: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    return mean_ci(values.tolist(), level)


def cash_flow_economics(
    base_profit: np.ndarray,
    alt_profit: np.ndarray,
    base_carried_cost: np.ndarray,
    alt_carried_cost: np.ndarray,
    investment_cost: np.ndarray,
    start_day: int,
    one_off_cost: float,
    discount_rate_annual: float,
    base_value_base: float | Sequence[float] | np.ndarray,
    base_value_alt: float | Sequence[float] | np.ndarray,
    running_cost_after: float | Sequence[float] | np.ndarray,
    *,
    n_boot: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> dict[str, Any]:
    """The economics of one alternative against the baseline, from per-replication daily
    arrays (replications × H); see the module docstring for the formulas.

    ``investment_cost`` is the investment's whole daily cost, the one-off included (on
    ``start_day``); ``one_off_cost`` only tells the break-even cost where to start from. The
    npv counts every day of the window, the payback only those from ``start_day`` on (before
    it the paired runs are the same scenario, so their difference is nil). ``base_value_*``
    and ``running_cost_after`` are at day 0 already, one per replication or one for all.

    Returns, JSON-ready (floats, lists, None where a value or an interval is undefined):
    ``npv_horizon``, ``base_value``, ``npv``, ``incremental_cost``, ``roi`` and
    ``break_even_cost``, each ``{"mean", "ci95": [lo, hi] or None}``; ``npv_values`` (one
    per replication); ``payback_month`` (int
    or None), ``pays_back_within_horizon``, ``share_replications_paying_back`` (None when no
    month ends in the window), ``cumulative_discounted`` (``month``, ``day`` — the last day
    in the month —, ``mean``, ``lo``, ``hi``: lists by month) and ``replications``."""
    arrays = [np.asarray(a, dtype=np.float64) for a in
              (base_profit, alt_profit, base_carried_cost, alt_carried_cost, investment_cost)]
    shape = arrays[0].shape
    if len(shape) != 2 or any(a.shape != shape for a in arrays):
        raise ValueError(f"daily arrays must share one shape (replications × days), got "
                         f"{[a.shape for a in arrays]}")
    if not all(np.all(np.isfinite(a)) for a in arrays):
        raise ValueError("daily arrays must be finite")
    bp, ap, bc, ac, inv = arrays
    reps, horizon = shape
    if reps < 1:
        raise ValueError("need at least one replication")
    if not 0 <= start_day < horizon:
        raise ValueError(f"start_day must be a day of the window 0..{horizon - 1}, got {start_day}")
    v = discount_factors(horizon, discount_rate_annual)

    flow = (ap - bp - inv) * v  # discounted incremental cash flow, per replication and day
    npv_horizon = flow.sum(axis=1)
    base_value = (_per_replication(base_value_alt, reps, "base_value_alt")
                  - _per_replication(base_value_base, reps, "base_value_base")
                  - _per_replication(running_cost_after, reps, "running_cost_after"))
    npv_total = npv_horizon + base_value
    pv_investment = inv @ v
    pv_carried = (ac - bc) @ v
    incremental_cost = pv_investment + np.maximum(0.0, pv_carried)

    npv_mean, npv_lo, npv_hi = _mean_ci_array(npv_total)
    out: dict[str, Any] = {
        "replications": reps,
        "npv_horizon": _with_interval(*_mean_ci_array(npv_horizon)),
        "base_value": _with_interval(*_mean_ci_array(base_value)),
        "npv": _with_interval(npv_mean, npv_lo, npv_hi),
        "npv_values": [float(x) for x in npv_total],  # one per replication: its spread, p_best
        "incremental_cost": _with_interval(*_mean_ci_array(incremental_cost)),
    }

    # Return on investment: a ratio of means, its interval by a percentile bootstrap.
    cost_mean = float(np.mean(incremental_cost))
    roi: dict[str, Any] = {"mean": None, "ci95": None}
    if cost_mean != 0:
        roi["mean"] = float(np.mean(npv_total)) / cost_mean
        if reps >= 2:
            idx = np.random.default_rng(seed).integers(0, reps, size=(n_boot, reps))
            num = npv_total[idx].mean(axis=1)
            den = incremental_cost[idx].mean(axis=1)
            ratios = num[den != 0] / den[den != 0]
            if ratios.size:
                lo, hi = np.percentile(ratios, [2.5, 97.5])
                roi["ci95"] = [float(lo), float(hi)]
    out["roi"] = roi

    # Payback: the cumulative discounted incremental flow from start_day, at month-ends.
    ends = month_end_days(start_day, horizon)
    cumulative = np.cumsum(flow[:, start_day:], axis=1)
    at_ends = cumulative[:, ends - start_day] if ends.size else np.zeros((reps, 0))
    cum_stats = [_mean_ci_array(at_ends[:, k]) for k in range(ends.size)]
    mean_path = np.asarray([s[0] for s in cum_stats], dtype=np.float64)
    payback: int | None = None
    if ends.size and mean_path[-1] > 0:
        not_positive = np.flatnonzero(mean_path <= 0)
        payback = int(not_positive[-1]) + 2 if not_positive.size else 1
    out["payback_month"] = payback
    out["pays_back_within_horizon"] = payback is not None
    out["share_replications_paying_back"] = (
        float(np.mean(at_ends[:, -1] > 0)) if ends.size else None)
    out["cumulative_discounted"] = {
        "month": list(range(1, ends.size + 1)),
        "day": [int(d) for d in ends],
        "mean": [_none_if_nan(s[0]) for s in cum_stats],
        "lo": [_none_if_nan(s[1]) for s in cum_stats],
        "hi": [_none_if_nan(s[2]) for s in cum_stats],
    }

    # Break-even one-off cost: mean npv = 0 once the one-off at the end of start_day absorbs it.
    to_start = (1.0 + discount_rate_annual) ** ((start_day + 1) / DAYS_PER_YEAR)
    out["break_even_cost"] = _with_interval(one_off_cost + npv_mean * to_start,
                                            one_off_cost + npv_lo * to_start,
                                            one_off_cost + npv_hi * to_start)
    return out


def _annuity(rate: float, years: float) -> float:
    """∫_0^Y e^{-rate·t} dt = (1 - e^{-rate·Y}) / rate (Y when rate is 0; NaN, never
    infinite, when an endless stream is not discounted at all)."""
    if years < 0 or math.isnan(years):
        raise ValueError(f"need valuation_years >= 0, got {years}")
    if rate == 0:
        return years if math.isfinite(years) else math.nan
    if math.isinf(years):
        return 1.0 / rate if rate > 0 else math.nan
    return -math.expm1(-rate * years) / rate


def _check_rates(churn_per_customer_year: float, discount_rate_annual: float,
                 customers_end: float, horizon_days: float) -> float:
    if discount_rate_annual <= -1:
        raise ValueError(f"need discount_rate_annual > -1, got {discount_rate_annual}")
    if churn_per_customer_year < 0 or customers_end < 0 or horizon_days < 0:
        raise ValueError("churn, customers and horizon must be >= 0")
    return (1.0 + discount_rate_annual) ** (-horizon_days / DAYS_PER_YEAR)


def customer_base_value(customers_end: float, margin_per_customer_year: float,
                        churn_per_customer_year: float, discount_rate_annual: float,
                        horizon_days: float, valuation_years: float) -> float:
    """The margin the customers left at the horizon bring over ``valuation_years`` more years,
    each leaving at the constant rate h, discounted continuously at δ = ln(1 + r), at day 0:
    N · m · (1 - e^{-(δ+h)Y}) / (δ + h) · (1 + r)^(-H/365).

    The margin / (discount + retention) form is Gupta & Lehmann (2003), "Customers as
    assets", Journal of Interactive Marketing 17(1); ``sim.outputs.economics.lifetime_value``
    is its per-customer Y → ∞ limit at H = 0."""
    to_day0 = _check_rates(churn_per_customer_year, discount_rate_annual, customers_end, horizon_days)
    rate = math.log1p(discount_rate_annual) + churn_per_customer_year
    return customers_end * margin_per_customer_year * _annuity(rate, valuation_years) * to_day0


def running_cost_value(fixed_monthly: float, per_customer_monthly: float, customers_end: float,
                       churn_per_customer_year: float, discount_rate_annual: float,
                       horizon_days: float, valuation_years: float) -> float:
    """Present value at day 0 of an investment's running costs over ``valuation_years`` after
    the horizon: 12 · fixed_monthly a year, constant, plus 12 · per_customer_monthly a year
    for each of the N customers left at the horizon, who leave at rate h; continuous, at
    δ = ln(1 + r), then (1 + r)^(-H/365) back to day 0."""
    to_day0 = _check_rates(churn_per_customer_year, discount_rate_annual, customers_end, horizon_days)
    delta = math.log1p(discount_rate_annual)
    fixed = 12.0 * fixed_monthly * _annuity(delta, valuation_years) if fixed_monthly else 0.0
    per_customer = (12.0 * per_customer_monthly * customers_end
                    * _annuity(delta + churn_per_customer_year, valuation_years)
                    if per_customer_monthly and customers_end else 0.0)
    return (fixed + per_customer) * to_day0


def p_best(npv_by_alternative: Mapping[str, np.ndarray], n_boot: int = BOOTSTRAP_RESAMPLES,
           seed: int = BOOTSTRAP_SEED) -> dict[str, float]:
    """The probability each alternative is best by npv, "do nothing" (npv 0) included as
    ``baseline``: a bootstrap over replication indices, drawn jointly for all alternatives
    (keeping the pairing); each resample's largest mean npv wins, ties to the first
    (``baseline``, then the mapping's order). The shares sum to 1."""
    if BASELINE in npv_by_alternative:
        raise ValueError(f"{BASELINE!r} is the do-nothing option; name the alternatives otherwise")
    if n_boot < 1:
        raise ValueError(f"need n_boot >= 1, got {n_boot}")
    names = [BASELINE, *npv_by_alternative]
    columns = [np.asarray(v, dtype=np.float64) for v in npv_by_alternative.values()]
    if not columns:
        return {BASELINE: 1.0}
    reps = columns[0].size
    if reps < 1 or any(c.shape != (reps,) for c in columns):
        raise ValueError("every alternative needs one npv per replication, the same replications")
    if not all(np.all(np.isfinite(c)) for c in columns):
        raise ValueError("npv values must be finite")
    idx = np.random.default_rng(seed).integers(0, reps, size=(n_boot, reps))
    # resamples × options, one option at a time (memory n_boot × replications, not × options)
    means = np.column_stack([np.zeros(n_boot), *(c[idx].mean(axis=1) for c in columns)])
    wins = np.bincount(np.argmax(means, axis=1), minlength=len(names))
    return {name: float(w) / n_boot for name, w in zip(names, wins, strict=True)}
