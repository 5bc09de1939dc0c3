"""Distributions of durations and values, as configuration: a family, its mean and spread.

A scenario names a distribution by its family and its *mean* (and, where the family
has a second parameter, its coefficient of variation ``cv`` = standard deviation /
mean), because that is how a contact-centre manager or an analyst states them:
"handle time averages 7 minutes and varies by about 60 %". Each type knows its exact
``mean`` and ``variance``, so one generic test checks every sampler against them; the
samplers themselves are the model's (:mod:`sim.model.samplers`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Dist(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @property
    def variance(self) -> float:  # pragma: no cover - overridden
        raise NotImplementedError


class Fixed(_Dist):
    """Always the same value."""

    distribution: Literal["fixed"]
    mean: float = Field(ge=0, description="the value")  # capped per field by the schema

    @property
    def variance(self) -> float:
        return 0.0


class Exponential(_Dist):
    """Exponential with the given mean (memoryless; cv is 1 by definition)."""

    distribution: Literal["exponential"]
    mean: float = Field(gt=0, description="mean")

    @property
    def variance(self) -> float:
        return self.mean**2


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


class Gamma(_MeanCv):
    """Gamma with the given mean and coefficient of variation (shape = 1/cv²)."""

    distribution: Literal["gamma"]


Distribution = Annotated[Fixed | Exponential | LogNormal | Gamma, Field(discriminator="distribution")]
