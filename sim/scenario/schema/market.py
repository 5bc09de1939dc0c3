"""The market, acquisition and the customers' own traits."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.scenario.distributions import Distribution, LogNormal
from sim.scenario.schema.common import (
    MeanAtMost,
    Probability,
    Section,
    Share,
    unit,
)

# --------------------------------------------------------------------------- market


class LoyaltyMix(Section):
    """Shares of the initial customer base at each loyalty level; they must add up to 1."""

    level1: Share = Field(0.18, description="level 1, initial transactions only")
    level2: Share = Field(0.40, description="level 2, repeat customers")
    level3: Share = Field(0.42, description="level 3, advocates who recommend")

    @model_validator(mode="after")
    def _adds_up(self) -> LoyaltyMix:
        total = self.level1 + self.level2 + self.level3
        if abs(total - 1) > 1e-6:
            raise ValueError(f"level1 + level2 + level3 must add up to 1, they add up to {total:g}")
        return self


class MeanSd(Section):
    """A quantity on the 0..1 scale, Beta-distributed across people with this mean and sd."""

    mean: Annotated[float, Field(gt=0, lt=1)] = Field(description="mean across people")
    sd: Annotated[float, Field(ge=0, lt=0.5)] = Field(
        description="standard deviation across people")

    @model_validator(mode="after")
    def _feasible(self) -> MeanSd:
        if self.sd**2 >= self.mean * (1 - self.mean):
            raise ValueError(
                f"sd {self.sd:g} is too large for mean {self.mean:g}: a Beta distribution needs "
                f"sd < sqrt(mean*(1-mean)) = {(self.mean * (1 - self.mean)) ** 0.5:.3g}"
            )
        return self


class Network(Section):
    """Who talks to whom: the social network word of mouth travels over."""

    kind: Literal["fully_mixed", "small_world", "scale_free"] = Field(
        "small_world",
        description="fully_mixed: anyone may tell anyone; small_world: Watts-Strogatz ring with "
        "rewiring; scale_free: Chung-Lu graph with power-law degrees",
    )
    contacts_per_person: Annotated[int, Field(ge=2, le=1000)] = Field(
        12, description="mean number of contacts (network degree)", json_schema_extra=unit("people")
    )
    rewiring_probability: Probability = Field(
        0.1, description="chance each tie is rewired to a random person (small_world only)")
    degree_exponent: Annotated[float, Field(gt=2, le=5)] = Field(
        2.5, description="scale_free only: P(degree = k) ~ k^-exponent", json_schema_extra=unit("—")
    )


class MarketSpec(Section):
    population: Annotated[int, Field(ge=1, le=50_000_000)] = Field(
        15_000, description="people in the market: prospects and customers",
        json_schema_extra=unit("people"),
    )
    initial_customers: Annotated[int, Field(ge=0, le=50_000_000)] = Field(
        2_900, description="customers at day 0", json_schema_extra=unit("people"))
    initial_former_share: Share = Field(
        0.88, description="share of the people who are not customers at day 0 who were customers once and "
        "left long enough ago to be won back (the rest are prospects who never bought)")
    initial_complaints_remembered: Annotated[float, Field(ge=0, le=1000)] = Field(
        1.0, description="mean number of complaints each prospect and former customer remembers at day 0 "
        "(exponential across people)", json_schema_extra=unit("complaints"))
    initial_loyalty_mix: LoyaltyMix = Field(
        LoyaltyMix(), description="share of the initial customers at each loyalty level")
    initial_satisfaction: MeanSd = Field(
        MeanSd(mean=0.7, sd=0.12), description="prior satisfaction of everyone: the initial customers', and a "
        "prospect's when they join",
        json_schema_extra=unit("0..1 scale"))
    turnover_per_year: Annotated[float, Field(ge=0, le=10)] = Field(
        0.009, description="yearly rate at which each person leaves the market (moves away), prospect or "
        "customer; a new prospect takes their place and ties (a customer who leaves counts as moved away)")
    network: Network = Network()

    @model_validator(mode="after")
    def _fits(self) -> MarketSpec:
        if self.initial_customers > self.population:
            raise ValueError(
                f"initial_customers ({self.initial_customers}) is above population ({self.population})"
            )
        return self


# ---------------------------------------------------------------------- acquisition


class AcquisitionSpec(Section):
    advertising_rate_per_year: Annotated[float, Field(ge=0, le=10)] = Field(
        0.03, description="yearly rate (hazard) per remaining prospect of joining through advertising "
        "(the Bass innovation coefficient p)"
    )
    conversion_per_recommendation: Probability = Field(
        0.037, description="chance that one recommendation heard makes a prospect join, before the "
        "teller's loyalty.levels.*.recommendation_weight"
    )
    deterrence_per_complaint_heard: Probability = Field(
        0.3, description="each complaint a prospect still remembers multiplies its chance to join "
        "(by advertising or recommendation) by (1 - this)"
    )
    complaint_memory_half_life_days: Annotated[float, Field(ge=1, le=36_500)] = Field(
        180.0, description="complaints heard fade from memory: half of a complaint's weight is "
        "forgotten after this many days"
    )
    winback_relative_chance: Probability = Field(
        0.5, description="a former customer (not died or moved away) joins again by advertising or "
        "recommendation with this fraction of a prospect's chance", json_schema_extra=unit("×"),
    )
    winback_cooloff_days: Annotated[float, Field(ge=0, le=3650)] = Field(
        90.0, description="days after leaving before a former customer can be won back"
    )


# -------------------------------------------------------------------------- customers


class RateSpread(Section):
    """A per-customer rate, gamma-distributed across customers."""

    mean: Annotated[float, Field(ge=0, le=100)] = Field(description="mean across customers")
    cv: Annotated[float, Field(ge=0, le=10)] = Field(
        description="standard deviation / mean across customers", json_schema_extra=unit("ratio"))


class CustomersSpec(Section):
    orders_per_month: RateSpread = Field(
        RateSpread(mean=0.7, cv=0.8), description="orders a customer places at level 1 (gamma across customers; "
        "loyalty.levels.*.order_rate_multiplier at each level)")
    order_value: Annotated[Distribution, MeanAtMost(1e6)] = Field(
        default_factory=lambda: LogNormal(distribution="lognormal", mean=65.0, cv=0.8),
        description="value of one order", json_schema_extra=unit("currency"),
    )
    questions_per_month: Annotated[float, Field(ge=0, le=100)] = Field(
        0.2, description="questions not caused by an order (pre-sale, account, product use)"
    )
    churn_propensity_cv: Annotated[float, Field(ge=0, le=10)] = Field(
        0.5, description="spread across customers of a gamma multiplier (mean 1) on the time-based "
        "attrition hazards; 0 makes every customer alike", json_schema_extra=unit("ratio"),
    )
    expectation: MeanSd = Field(
        MeanSd(mean=0.8, sd=0.06), description="service level each customer expects",
        json_schema_extra=unit("0..1 scale"),
    )
