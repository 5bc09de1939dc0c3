"""Confidence intervals across replications (Student t).

The t quantile is SciPy's (``scipy.stats.t.ppf``); ``t_quantile`` keeps the two-sided
form the rest of the code asks for. ``scipy.stats`` is imported when first needed, not with
this module: it takes about a third of a second, which a command that computes no interval
(``--help``, ``check``, ``params``, a scenario with an error) need not wait for.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import lru_cache


@lru_cache(maxsize=256)
def t_quantile(level: float, df: int) -> float:
    """The t such that P(|T| <= t) = ``level`` (e.g. 0.95 gives the 97.5 % quantile)."""
    if not 0 < level < 1 or df < 1:
        raise ValueError(f"need 0 < level < 1 and df >= 1, got {level}, {df}")
    from scipy import stats

    return float(stats.t.ppf((1 + level) / 2, df))


def t_sf(t: float, df: int) -> float:
    """P(T > t) for Student's t with ``df`` degrees of freedom (``scipy.stats.t.sf``)."""
    from scipy import stats

    return float(stats.t.sf(t, df))


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and Student-t confidence interval; the interval is (nan, nan) for one value."""
    n = len(values)
    if n == 0:
        return math.nan, math.nan, math.nan
    mean = math.fsum(values) / n
    if n == 1:
        return mean, math.nan, math.nan
    var = math.fsum((v - mean) ** 2 for v in values) / (n - 1)
    half = t_quantile(level, n - 1) * math.sqrt(var / n)
    return mean, mean - half, mean + half
