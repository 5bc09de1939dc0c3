"""Every distribution family against its own exact moments.

Each family in :mod:`sim.scenario.distributions` states its ``mean`` and ``variance``; one generic
test samples each at a couple of (mean, cv) and checks

* the sample mean against ``.mean`` within a 99.9 % normal interval,
  z · sqrt(variance / n);
* the sample variance against ``.variance`` within an interval from the variance of the
  sample variance, (μ₄ − σ⁴ (n − 3)/(n − 1)) / n, where μ₄ is the family's exact fourth
  central moment. The sample variance of a skewed family is itself skewed, so that
  interval uses z = 4 rather than 3.29.

Seeds are fixed, so the test is deterministic; a sampler with a wrong parameterisation
(e.g. the cv used as the log-normal sigma, or the gamma scale and shape swapped) is off by
far more than these intervals.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import TypeAdapter, ValidationError

from sim.core.rng import Draws
from sim.model.samplers import sampler
from sim.scenario.distributions import Distribution, Exponential, Fixed, Gamma, LogNormal

N = 20_000
Z_MEAN = 3.2905  # two-sided 99.9 % normal quantile
Z_VAR = 4.0

ADAPTER = TypeAdapter(Distribution)


def excess_kurtosis(dist: object) -> float:
    """The family's exact excess kurtosis (fourth standardised central moment - 3)."""
    if isinstance(dist, Exponential):
        return 6.0
    if isinstance(dist, Gamma):
        shape = 1.0 / dist.cv**2
        return 6.0 / shape
    if isinstance(dist, LogNormal):
        s2 = math.log1p(dist.cv**2)
        return math.exp(4 * s2) + 2 * math.exp(3 * s2) + 3 * math.exp(2 * s2) - 6
    raise AssertionError(f"no kurtosis for {dist!r}")


CASES = [
    {"distribution": "exponential", "mean": 2.0},
    {"distribution": "exponential", "mean": 7.5},
    {"distribution": "lognormal", "mean": 8.0, "cv": 0.6},
    {"distribution": "lognormal", "mean": 65.0, "cv": 0.8},
    {"distribution": "gamma", "mean": 2.0, "cv": 0.35},
    {"distribution": "gamma", "mean": 5.0, "cv": 1.5},  # shape < 1: the boost U^(1/shape)
]


def sample(dist: object, n: int = N, seed: int = 7, name: str = "dist", slot: int = 0) -> np.ndarray:
    """One value for each of n events' keys, as the model draws them (sim.core.rng)."""
    draw = sampler(dist)  # type: ignore[arg-type]
    draws = Draws(seed, 0, name)
    return np.array([draw(draws.key_of(i, 0), slot) for i in range(n)])


@pytest.mark.parametrize("spec", CASES, ids=lambda s: f"{s['distribution']}-{s['mean']}-{s.get('cv', 1)}")
def test_sample_moments_match_the_exact_moments(spec: dict[str, object]) -> None:
    dist = ADAPTER.validate_python(spec)
    x = sample(dist)
    mean, var = dist.mean, dist.variance
    assert var > 0

    half = Z_MEAN * math.sqrt(var / N)
    assert abs(x.mean() - mean) <= half, (x.mean(), mean, half)

    mu4 = var**2 * (excess_kurtosis(dist) + 3)
    var_of_s2 = (mu4 - var**2 * (N - 3) / (N - 1)) / N
    s2 = x.var(ddof=1)
    assert abs(s2 - var) <= Z_VAR * math.sqrt(var_of_s2), (s2, var, math.sqrt(var_of_s2))

    assert (x > 0).all()


@pytest.mark.parametrize("spec", CASES[2:], ids=lambda s: f"{s['distribution']}-{s['cv']}")
def test_variance_is_the_square_of_cv_times_mean(spec: dict[str, object]) -> None:
    dist = ADAPTER.validate_python(spec)
    assert dist.variance == pytest.approx((spec["cv"] * spec["mean"]) ** 2)  # type: ignore[operator]


def test_exponential_variance_is_mean_squared() -> None:
    assert Exponential(distribution="exponential", mean=3.0).variance == pytest.approx(9.0)


def test_fixed_always_gives_its_value_and_has_no_variance() -> None:
    dist = Fixed(distribution="fixed", mean=4.25)
    x = sample(dist, n=1000)
    assert (x == 4.25).all()
    assert dist.variance == 0.0
    assert sampler(Fixed(distribution="fixed", mean=0.0))(12345, 0) == 0.0


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s["distribution"])
def test_sampler_is_a_function_of_the_key_and_slot(spec: dict[str, object]) -> None:
    dist = ADAPTER.validate_python(spec)
    a = sample(dist, n=500, seed=3, name="desk")
    b = sample(dist, n=500, seed=3, name="desk")
    c = sample(dist, n=500, seed=3, name="fulfilment")
    d = sample(dist, n=500, seed=3, name="desk", slot=2)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)
    assert not np.array_equal(a, d)  # another slot of the same keys: another value


def test_the_discriminator_picks_the_family_and_rejects_bad_parameters() -> None:
    assert isinstance(ADAPTER.validate_python({"distribution": "gamma", "mean": 1, "cv": 0.5}), Gamma)
    assert isinstance(ADAPTER.validate_python({"distribution": "fixed", "mean": 0}), Fixed)
    for bad in (
        {"distribution": "exponential", "mean": 0},
        {"distribution": "exponential", "mean": 1, "cv": 0.5},  # cv is 1 by definition
        {"distribution": "lognormal", "mean": 1, "cv": 0},
        {"distribution": "gamma", "mean": -1, "cv": 0.5},
        {"distribution": "fixed", "mean": -0.5},
        {"distribution": "weibull", "mean": 1},
    ):
        with pytest.raises(ValidationError):
            ADAPTER.validate_python(bad)
