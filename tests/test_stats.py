"""Student-t quantiles against textbook tables, and the confidence interval of a mean."""

from __future__ import annotations

import math

import pytest

from sim.outputs.stats import mean_ci, t_quantile

# (two-sided level, df, t) from the standard t table
TABLE = [
    (0.95, 1, 12.706),
    (0.95, 2, 4.303),
    (0.95, 3, 3.182),
    (0.95, 4, 2.776),
    (0.95, 9, 2.262),
    (0.95, 10, 2.228),
    (0.95, 19, 2.093),
    (0.95, 30, 2.042),
    (0.99, 1, 63.657),
    (0.99, 5, 4.032),
    (0.99, 19, 2.861),
    (0.90, 5, 2.015),
    (0.90, 20, 1.725),
    (0.80, 8, 1.397),
]


@pytest.mark.parametrize(("level", "df", "expected"), TABLE)
def test_t_quantile_matches_the_table(level: float, df: int, expected: float) -> None:
    assert t_quantile(level, df) == pytest.approx(expected, abs=6e-4)


@pytest.mark.parametrize(("level", "z"), [(0.95, 1.959964), (0.99, 2.575829), (0.90, 1.644854)])
def test_large_df_tends_to_the_normal_quantile(level: float, z: float) -> None:
    assert t_quantile(level, 5000) == pytest.approx(z, abs=2e-3)
    assert t_quantile(level, 5000) > z  # the t tail is heavier at any finite df


def test_t_quantile_falls_with_df_and_rises_with_level() -> None:
    by_df = [t_quantile(0.95, df) for df in (1, 2, 3, 5, 8, 13, 21, 34, 55)]
    assert all(a > b for a, b in zip(by_df, by_df[1:], strict=False))
    by_level = [t_quantile(level, 7) for level in (0.5, 0.8, 0.9, 0.95, 0.99, 0.999)]
    assert all(a < b for a, b in zip(by_level, by_level[1:], strict=False))


def test_closed_forms_for_one_and_two_df() -> None:
    # df = 1 is Cauchy: t = tan(pi * level / 2); df = 2: t = level * sqrt(2 / (1 - level^2))
    for level in (0.5, 0.9, 0.975):
        assert t_quantile(level, 1) == pytest.approx(math.tan(math.pi * level / 2), rel=1e-9)
        assert t_quantile(level, 2) == pytest.approx(level * math.sqrt(2 / (1 - level**2)), rel=1e-9)


@pytest.mark.parametrize(("level", "df"), [(0.0, 5), (1.0, 5), (-0.1, 5), (0.95, 0)])
def test_t_quantile_rejects_bad_arguments(level: float, df: int) -> None:
    with pytest.raises(ValueError):
        t_quantile(level, df)


def test_mean_ci_on_known_data() -> None:
    mean, lo, hi = mean_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    half = 2.776445 * math.sqrt(2.5 / 5)  # t(0.975, 4) * s / sqrt(n), s^2 = 2.5
    assert mean == 3.0
    assert lo == pytest.approx(3.0 - half, abs=1e-5)
    assert hi == pytest.approx(3.0 + half, abs=1e-5)

    mean, lo, hi = mean_ci([10.0, 12.0], level=0.99)
    half = 63.65674 * math.sqrt(2.0 / 2)
    assert (mean, lo, hi) == pytest.approx((11.0, 11.0 - half, 11.0 + half), abs=1e-3)


def test_mean_ci_degenerate_cases() -> None:
    mean, lo, hi = mean_ci([])
    assert math.isnan(mean) and math.isnan(lo) and math.isnan(hi)
    mean, lo, hi = mean_ci([4.5])
    assert mean == 4.5 and math.isnan(lo) and math.isnan(hi)
    assert mean_ci([2.0, 2.0, 2.0]) == (2.0, 2.0, 2.0)
