"""Distributions of durations and values, as small objects that know their exact moments.

A scenario names a distribution by its family and its *mean* (and, where the family
has a second parameter, its coefficient of variation ``cv`` = standard deviation /
mean), because that is how a contact-centre manager or an analyst states them:
"handle time averages 7 minutes and varies by about 60 %". Each object turns those
into the family's own parameters, knows its exact ``mean`` and ``variance`` (so one
generic test checks every sampler against them), and hands the engine a fast
sampler: a function of a draw key and a slot (:mod:`sim.rng`), so that a value belongs
to the event it is drawn for. A draw may use the key's slots ``slot`` and ``slot + 1``
(:data:`SLOTS`; the log-normal takes the two uniforms of Box–Muller from one slot); the
gamma family, which samples by rejection (Marsaglia & Tsang 2000), draws whatever more it
needs from a child key of that slot.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.rng import child, exponential, uniform, uniform_pair

Sampler = Callable[[int, int], float]
"""``sampler(key, slot)``: a value drawn from slots ``slot`` and ``slot + 1`` of ``key``."""

SLOTS = 2  # slots of a key a distribution's draw may use
GAMMA_TAGS = 1 << 20  # child tags from here on are the gamma family's (see standard_gamma)


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def sampler(self) -> Sampler:  # pragma: no cover - overridden
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value."""

    distribution: Literal["fixed"]
    mean: float = Field(ge=0, description="the value")  # capped per field by the schema

    @property
    def variance(self) -> float:
        return 0.0

    def sampler(self) -> Sampler:
        value = float(self.mean)
        return lambda key, slot: value


class Exponential(_Dist):
    """Exponential with the given mean (memoryless; cv is 1 by definition)."""

    distribution: Literal["exponential"]
    mean: float = Field(gt=0, description="mean")

    @property
    def variance(self) -> float:
        return self.mean**2

    def sampler(self) -> Sampler:
        mean = float(self.mean)
        return lambda key, slot: exponential(key, slot) * mean


class _MeanCv(_Dist):
    """A family given by its mean and coefficient of variation."""

    distribution: str  # narrowed to its name by each family; declared here to come first
    mean: float = Field(gt=0, description="mean")
    cv: float = Field(gt=0, le=10, description="standard deviation / mean",
                      json_schema_extra={"unit": "ratio"})

    @property
    def variance(self) -> float:
        return (self.cv * self.mean) ** 2


class LogNormal(_MeanCv):
    """Log-normal with the given mean and coefficient of variation."""

    distribution: Literal["lognormal"]

    def sampler(self) -> Sampler:
        sigma = math.sqrt(math.log1p(self.cv**2))
        mu = math.log(self.mean) - sigma**2 / 2
        exp, log, sqrt, cos, tau = math.exp, math.log, math.sqrt, math.cos, math.tau

        def draw(key: int, slot: int) -> float:
            u1, u2 = uniform_pair(key, slot)  # Box-Muller: a standard normal from two uniforms
            return exp(mu + sigma * sqrt(-2.0 * log(u1)) * cos(tau * u2))

        return draw


class Gamma(_MeanCv):
    """Gamma with the given mean and coefficient of variation (shape = 1/cv²)."""

    distribution: Literal["gamma"]

    def sampler(self) -> Sampler:
        shape = 1.0 / self.cv**2
        scale = self.mean / shape
        return lambda key, slot: scale * standard_gamma(shape, key, slot)


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
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
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


Distribution = Annotated[Fixed | Exponential | LogNormal | Gamma, Field(discriminator="distribution")]
