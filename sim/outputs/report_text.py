"""The report's words: numbers formatted for reading, and the plain-language paragraph per
investment, generated from a comparison's ``summary.json`` (pure functions of its numbers).

A difference whose 95 % interval contains 0 (or whose Holm verdict is "not distinguishable") is
called noise, with the replications that would likely settle it: the interval's half-width
shrinks as 1/√n, so n · (half-width / |mean|)², rounded up to a multiple of 10.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

MINUS = "\u2212"
NOISE = "not distinguishable"
_YEARS = {1: "one year", 2: "two years", 3: "three years", 4: "four years", 5: "five years"}


def signed(text: str) -> str:
    """A typographic minus instead of the hyphen."""
    return text.replace("-", MINUS)


def money(x: float | None) -> str:
    """Money rounded to three significant figures (whole units at least): 21,400; −3,100; 950."""
    if x is None or not math.isfinite(x):
        return "undefined"
    if x == 0:
        return "0"
    digits = max(0, math.floor(math.log10(abs(x))) - 2)
    return signed(f"{round(x, -digits):,.0f}")


def count(x: float | None, sign: bool = False) -> str:
    """A whole number, with thousands separators (and its sign, if asked)."""
    if x is None or not math.isfinite(x):
        return "undefined"
    return signed(f"{x:+,.0f}" if sign else f"{x:,.0f}")


def minutes(x: float | None) -> str:
    """Minutes: one decimal, two below 1."""
    if x is None or not math.isfinite(x):
        return "undefined"
    return f"{x:.1f}" if abs(x) >= 1 else f"{x:.2f}"


def ratio(x: float | None) -> str:
    return "undefined" if x is None or not math.isfinite(x) else signed(f"{x:.2f}")


def percent(x: float | None) -> str:
    return "undefined" if x is None or not math.isfinite(x) else signed(f"{100 * x:.1f} %")


def period(days: int) -> str:
    """The measured window in words: "three years", "60 days"."""
    if days % 365 == 0 and days // 365 in _YEARS:
        return _YEARS[days // 365]
    return f"{days:,} days"


def replications_needed(n: int, mean: float | None, lo: float | None, hi: float | None) -> int | None:
    """Replications that would likely tell a difference from 0: n · (half-width / |mean|)², rounded
    up to a multiple of 10 and above n; None when the mean is 0 or undefined (no effect to find)."""
    if mean is None or lo is None or hi is None or mean == 0 or not math.isfinite(mean):
        return None
    half = (hi - lo) / 2
    needed = n * (half / abs(mean)) ** 2
    return max(10 * math.ceil(needed / 10), 10 * (n // 10 + 1))


def is_noise(lo: float | None, hi: float | None, verdict: str | None = None) -> bool:
    """A difference not told from 0: its verdict says so, or its interval contains 0 (or is missing)."""
    if verdict is not None:
        return verdict == NOISE
    return lo is None or hi is None or lo <= 0 <= hi


def _settle(n: int, mean: float | None, lo: float | None, hi: float | None) -> str:
    if lo is None or hi is None:
        return f"no interval from {n} replication{'s' if n != 1 else ''}: run at least 5 to tell it from noise"
    needed = replications_needed(n, mean, lo, hi)
    if needed is None:
        return f"no difference at all at {n} replications"
    return f"not distinguishable from zero at {n} replications; about {needed} would likely settle it"


def investment_phrase(investments: Sequence[Mapping[str, Any]], fallback: str) -> str:
    """What the alternative does, in its own words: each investment's description (else its name)
    and start day, joined."""
    parts: list[str] = []
    for inv in investments:
        what = str(inv.get("description") or inv.get("name") or fallback).rstrip(".")
        what = what[:1].upper() + what[1:] if not parts else what[:1].lower() + what[1:]
        parts.append(f"{what} from day {inv.get('start_day', 0)}")
    return " and ".join(parts) if parts else fallback


def wait_phrase(before: float | None, after: float | None) -> str:
    """How the mean wait of all callers moves."""
    if before is None or after is None:
        return "leaves the mean wait of callers undefined"
    if minutes(before) == minutes(after):
        return f"leaves the mean wait of all callers at {minutes(before)} minutes"
    verb = "cuts" if after < before else "raises"
    return f"{verb} the mean wait of all callers from {minutes(before)} to {minutes(after)} minutes"


def span(lo: float, hi: float, fmt: Callable[[float | None], str]) -> str:
    """An interval in words: "127–159", or "−45 to 628" when a bound is negative."""
    return f"{fmt(lo)}{' to ' if lo < 0 or hi < 0 else chr(0x2013)}{fmt(hi)}"


def kept_phrase(diff: Mapping[str, Any], n: int) -> str:
    """Customers kept: the paired difference in customers at the end, with its interval and verdict."""
    mean, (lo, hi) = diff.get("diff_mean"), diff.get("diff_ci95") or (None, None)
    if mean is None:
        return "leaves the customers kept undefined"
    interval = f"(95 % interval {span(lo, hi, count)})" if lo is not None and hi is not None else "(no interval)"
    if not is_noise(lo, hi, diff.get("verdict")):
        return f"keeps {count(abs(mean))} {'more' if mean > 0 else 'fewer'} customers {interval}"
    if lo is not None and hi is not None and not lo <= 0 <= hi:  # Holm's verdict over all KPIs: not yet
        return (f"keeps {count(abs(mean))} {'more' if mean > 0 else 'fewer'} customers {interval}, though with "
                f"every KPI tested together (Holm) that is {_settle(n, mean, lo, hi)}")
    return f"changes the customers kept by {count(mean, sign=True)} {interval}, {_settle(n, mean, lo, hi)}"


def npv_phrase(economics: Mapping[str, Any], n: int) -> str:
    """The NPV with its interval, the customer base's value apart, and whether it is noise."""
    npv = economics.get("npv") or {}
    mean, (lo, hi) = npv.get("mean"), npv.get("ci95") or (None, None)
    text = f"its NPV is {money(mean)}" + (f" ({span(lo, hi, money)})" if lo is not None and hi is not None else "")
    window, base = economics.get("npv_horizon") or {}, economics.get("base_value") or {}
    text += (f", of which {money(window.get('mean'))} in the window's cash flow and "
             f"{money(base.get('mean'))} in the value of the customers left at the horizon")
    if mean is None:
        return text
    if is_noise(lo, hi):
        return f"{text}: {_settle(n, mean, lo, hi)}"
    return f"{text}: clearly {'positive' if mean > 0 else 'negative'} at {n} replications"


def payback_phrase(economics: Mapping[str, Any]) -> str:
    month = economics.get("payback_month")
    if month is None:
        return "It does not pay back within the window"
    share = economics.get("share_replications_paying_back")
    tail = f" ({percent(share)} of the replications pay back)" if share is not None else ""
    return f"It pays back in month {month}{tail}"


def investment_paragraph(name: str, alternative: Mapping[str, Any], waits: tuple[float | None, float | None],
                         horizon_days: int) -> str:
    """The paragraph for one alternative of summary.json's comparison: what it does, the wait,
    the customers kept, the NPV (the base's value apart), payback and P(best), honest about noise.

    ``waits``: the baseline's and the alternative's mean wait of all callers (minutes)."""
    economics = alternative["economics"]
    n = int(economics.get("replications") or alternative["kpis"]["customers_end"].get("n") or 0)
    what = investment_phrase(alternative.get("investments") or [], name)
    first = (f"{what}: over {period(horizon_days)}, this {wait_phrase(*waits)} and "
             f"{kept_phrase(alternative['kpis']['customers_end'], n)}; {npv_phrase(economics, n)}.")
    return (f"{first} {payback_phrase(economics)}; the chance that it is the best choice, doing nothing "
            f"included, is {percent(economics.get('p_best'))}.")
