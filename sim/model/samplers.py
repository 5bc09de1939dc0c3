"""Samplers: a configured distribution (:mod:`sim.scenario.distributions`) turned into a
fast function of a draw key and a slot (:mod:`sim.core.rng`), so that a value belongs to
the event it is drawn for. A draw may use the key's slots ``slot`` and ``slot + 1``
(:data:`SLOTS`; the log-normal takes the two uniforms of Box–Muller from one slot); the
gamma family, which samples by rejection (Marsaglia & Tsang 2000), draws whatever more it
needs from a child key of that slot.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from sim.core.rng import child, uniform, uniform_pair
from sim.scenario.distributions import Exponential, Fixed, Gamma, LogNormal

Sampler = Callable[[int, int], float]
"""``sampler(key, slot)``: a value drawn from slots ``slot`` and ``slot + 1`` of ``key``."""

SLOTS = 2  # slots of a key a distribution's draw may use
GAMMA_TAGS = 1 << 20  # child tags from here on are the gamma family's (see standard_gamma)


def sampler(dist: Fixed | Exponential | LogNormal | Gamma) -> Sampler:
    """The sampler of a configured distribution."""
    if isinstance(dist, Fixed):
        value = float(dist.mean)
        return lambda key, slot: value
    if isinstance(dist, Exponential):
        mean = float(dist.mean)
        log1p = math.log1p
        # exponential(key, slot) * mean, with exponential's -log1p(-u) written out (one call less a draw)
        return lambda key, slot: -log1p(-uniform(key, slot)) * mean
    if isinstance(dist, LogNormal):
        return _lognormal(dist)
    return _gamma(dist)


def lognormal_parameters(dist: LogNormal) -> tuple[float, float]:
    """(mu, sigma) of the underlying normal, for the configured mean and cv."""
    sigma = math.sqrt(math.log1p(dist.cv**2))
    return math.log(dist.mean) - sigma**2 / 2, sigma


def gamma_parameters(dist: Gamma) -> tuple[float, float]:
    """(shape, scale) for the configured mean and cv (shape = 1/cv²)."""
    shape = 1.0 / dist.cv**2
    return shape, dist.mean / shape


def marsaglia_tsang(shape: float) -> tuple[float, float]:
    """Marsaglia & Tsang's constants for ``shape`` ≥ 1: d = shape − 1/3 and c = 1/√(9d)."""
    d = shape - 1.0 / 3.0
    return d, 1.0 / math.sqrt(9.0 * d)


def _lognormal(dist: LogNormal) -> Sampler:
    mu, sigma = lognormal_parameters(dist)
    exp, log, sqrt, cos, tau = math.exp, math.log, math.sqrt, math.cos, math.tau

    def draw(key: int, slot: int) -> float:
        u1, u2 = uniform_pair(key, slot)  # Box-Muller: a standard normal from two uniforms
        return exp(mu + sigma * sqrt(-2.0 * log(u1)) * cos(tau * u2))

    return draw


def _gamma(dist: Gamma) -> Sampler:
    shape, scale = gamma_parameters(dist)
    if shape < 1.0:
        return lambda key, slot: scale * standard_gamma(shape, key, slot)
    # Shape >= 1 (no boost): standard_gamma's constants d and c computed once, here, instead of
    # at every draw (an order's value and lead time are gamma draws).
    d, c = marsaglia_tsang(shape)
    return lambda key, slot: scale * _accepted(d, c, 1.0, key, slot, 0)


def standard_gamma(shape: float, key: int, slot: int) -> float:
    """Gamma(shape, 1): Marsaglia & Tsang (2000), with the boost U^(1/shape) for shape < 1.

    The first try takes its normal (Box–Muller) from slot ``slot`` of ``key`` and its test
    uniform from slot ``slot + 1``; the boost and any further try draw from the child key
    ``GAMMA_TAGS + slot``, made only when needed.
    """
    extra = 0
    boost = 1.0
    if shape < 1.0:
        extra = child(key, GAMMA_TAGS + slot)
        boost = uniform(extra, 0) ** (1.0 / shape)
        shape += 1.0
    d, c = marsaglia_tsang(shape)
    return _accepted(d, c, boost, key, slot, extra)


def _accepted(d: float, c: float, boost: float, key: int, slot: int, extra: int) -> float:
    """Marsaglia & Tsang's tries for d = shape − 1/3 and c = 1/√(9d), as :func:`standard_gamma`
    makes them (``extra``: its child key, 0 until needed): ``boost · d · v`` of the first
    accepted."""
    k, s, more = key, slot, 1
    while True:
        u1, u2 = uniform_pair(k, s)
        x = math.sqrt(-2.0 * math.log(u1)) * math.cos(math.tau * u2)
        v = 1.0 + c * x
        if v > 0.0:
            v = v * v * v
            u = uniform(k, s + 1)
            if u < 1.0 - 0.0331 * x**4 or 0.0 < u and math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
                return boost * d * v
        if not extra:
            extra = child(key, GAMMA_TAGS + slot)
        k, s, more = extra, more, more + 2
