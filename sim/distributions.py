"""Distributions of durations and values, as small objects that know their exact moments.

A scenario names a distribution by its family and its *mean* (and, where the family
has a second parameter, its coefficient of variation ``cv`` = standard deviation /
mean), because that is how a contact-centre manager or an analyst states them:
"handle time averages 7 minutes and varies by about 60 %". Each object turns those
into the family's own parameters, knows its exact ``mean`` and ``variance`` (so one
generic test checks every sampler against them), and hands the engine a fast
sampler bound to a :class:`sim.rng.Stream`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from sim.rng import Stream

Sampler = Callable[[], float]


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError

    def sampler(self, stream: Stream) -> Sampler:  # pragma: no cover - overridden
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value."""

    distribution: Literal["fixed"]
    mean: float = Field(ge=0, description="the value")  # capped per field by the schema

    @property
    def variance(self) -> float:
        return 0.0

    def sampler(self, stream: Stream) -> Sampler:
        value = float(self.mean)
        return lambda: value


class Exponential(_Dist):
    """Exponential with the given mean (memoryless; cv is 1 by definition)."""

    distribution: Literal["exponential"]
    mean: float = Field(gt=0, description="mean")

    @property
    def variance(self) -> float:
        return self.mean**2

    def sampler(self, stream: Stream) -> Sampler:
        mean = float(self.mean)
        draw = stream.exponential
        return lambda: draw() * mean


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

    def sampler(self, stream: Stream) -> Sampler:
        sigma = math.sqrt(math.log1p(self.cv**2))
        mu = math.log(self.mean) - sigma**2 / 2
        normal = stream.normal
        exp = math.exp
        return lambda: exp(mu + sigma * normal())


class Gamma(_MeanCv):
    """Gamma with the given mean and coefficient of variation (shape = 1/cv²)."""

    distribution: Literal["gamma"]

    def sampler(self, stream: Stream) -> Sampler:
        shape = 1.0 / self.cv**2
        scale = self.mean / shape
        return stream.gamma_sampler(shape, scale)


Distribution = Annotated[Fixed | Exponential | LogNormal | Gamma, Field(discriminator="distribution")]
