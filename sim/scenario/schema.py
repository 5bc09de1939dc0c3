"""The scenario schema: every parameter of the model, typed, bounded and documented.

A scenario file is validated into a frozen :class:`Scenario`. Each field carries a
one-line meaning (``Field(description=...)``), its unit and its allowed range as a
constraint, so the loader can name what is allowed when a value is wrong, sweeps,
sensitivity runs and calibration can enumerate and bound every numeric parameter from the
schema itself (see :func:`sim.scenario.paths.numeric_parameters`), and ``run_sim.py
params`` and docs/PARAMETERS.md are generated from it (:mod:`sim.scenario.reference`).
Every numeric parameter has a finite range. Unknown keys are errors.

Units, by convention: a field whose name ends in ``_per_year``, ``_per_month``, ``_days``,
``_hours``, ``_hour``, ``_minutes`` or ``_seconds`` has that unit; any other unit is given
as ``json_schema_extra={"unit": ...}`` (the ``Probability`` and ``Level`` types carry
theirs). A field inside a small generic mapping (a distribution, a mean and sd, a range)
takes the unit and the meaning of the field that holds it, e.g.
``service.handle_minutes.mean`` is in minutes. A distribution field's mean is capped by
:class:`MeanAtMost`, as what is sensible depends on what it measures.

The defaults are the calibrated baseline's values: ``scenarios/baseline.yaml`` spells out
every one of them with its source, and a test holds the two equal, so change both together.

Rates are per customer unless said otherwise. Probabilities and shares are in 0..1.
Satisfaction, expectations and service-quality levels are on a 0..1 scale.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler, model_validator
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

from sim.distributions import Distribution, Exponential, Gamma, LogNormal
from sim.scenario.errors import bounds

Probability = Annotated[float, Field(ge=0, le=1, json_schema_extra={"unit": "probability"})]
Share = Annotated[float, Field(ge=0, le=1, json_schema_extra={"unit": "share"})]
Level = Annotated[float, Field(ge=0, le=1, json_schema_extra={"unit": "0..1 scale"})]
Money = Annotated[float, Field(ge=0, le=1e7, json_schema_extra={"unit": "currency"})]
Weight = Annotated[float, Field(ge=0, le=100, json_schema_extra={"unit": "relative weight"})]


def unit(text: str) -> dict[str, Any]:
    """``json_schema_extra`` naming a field's unit, for fields whose name does not say it."""
    return {"unit": text}


@dataclass(frozen=True)
class MeanAtMost:
    """Caps the mean of a distribution field: ``Annotated[Distribution, MeanAtMost(480)]``.

    The families bound their own parameters generically (a mean above 0, cv up to 10); the
    field knows what is sensible for what it measures. The error names ``<field>.mean``.
    """

    limit: float

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def _check(self, value: Any) -> Any:
        if value is not None and value.mean > self.limit:
            lower, lower_inclusive, _, _ = bounds(type(value).model_fields["mean"].metadata)
            raise PydanticCustomError("mean_too_large", "the mean {mean} is above {limit}", {
                "mean": value.mean, "limit": self.limit, "lower": lower,
                "lower_inclusive": lower_inclusive})
        return value


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


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


class Market(Section):
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
    def _fits(self) -> Market:
        if self.initial_customers > self.population:
            raise ValueError(
                f"initial_customers ({self.initial_customers}) is above population ({self.population})"
            )
        return self


# ---------------------------------------------------------------------- acquisition


class Acquisition(Section):
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


class Customers(Section):
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


# ------------------------------------------------------------------------ fulfilment


class FailureSeverity(Section):
    """How much each failure takes off an order's reliability score (0..1)."""

    incomplete: Level = Field(0.5, description="taken off for an incomplete order")
    wrong_items: Level = Field(0.6, description="taken off for wrong items")
    invoice_error: Level = Field(0.25, description="taken off for a wrong invoice")


class Guarantee(Section):
    """A service guarantee ("200 % satisfaction guarantee"): a refund on a failed order."""

    enabled: bool = Field(False, description="whether failed orders are refunded when claimed")
    refund_share_of_order_value: Annotated[float, Field(ge=0, le=10)] = Field(
        2.0, description="refund as a multiple of the order's value (2.0 = 200 %)",
        json_schema_extra=unit("× order value"),
    )
    claim_probability: Share = Field(0.5, description="share of failed orders claimed")
    satisfaction_boost: Level = Field(
        0.15, description="added to the experience of a failed order that is claimed (it can turn an "
        "unhappy delivery into a neutral or happy one)"
    )


class Fulfilment(Section):
    promised_lead_time_days: Annotated[float, Field(gt=0, le=365)] = Field(
        3.0, description="delivery promise; later is late")
    lead_time_days: Annotated[Distribution, MeanAtMost(365)] = Field(
        default_factory=lambda: Gamma(distribution="gamma", mean=2.0, cv=0.35),
        description="lead time of an on-time order (capped at the promise)",
    )
    on_time_rate: Share = Field(0.93, description="share of orders delivered within the promise")
    late_delay_days: Annotated[Distribution, MeanAtMost(365)] = Field(
        default_factory=lambda: Exponential(distribution="exponential", mean=2.0),
        description="how late a late order is, beyond the promise",
    )
    order_fill_rate: Share = Field(0.97, description="share of orders shipped complete")
    order_accuracy: Share = Field(0.98, description="share of orders with the right items")
    invoice_accuracy: Share = Field(0.99, description="share of orders invoiced correctly")
    failure_severity: FailureSeverity = Field(
        FailureSeverity(), description="reliability score (0..1) a failed order loses")
    contact_probability_if_failed: Share = Field(
        0.6, description="share of failed orders (late, incomplete, wrong, mis-invoiced) whose "
        "customer voices the problem: contacts support to have it put right"
    )
    product_problem_rate: Share = Field(
        0.063, description="share of orders whose product disappoints (a product, not a service, problem)"
    )
    guarantee: Guarantee = Guarantee()


# ---------------------------------------------------------------------- support desk


class OpeningHours(Section):
    start_hour: Annotated[float, Field(ge=0, lt=24)] = Field(
        9.0, description="the desk opens at this hour of the day", json_schema_extra=unit("hour of day"))
    end_hour: Annotated[float, Field(gt=0, le=24)] = Field(
        18.0, description="the desk closes at this hour of the day", json_schema_extra=unit("hour of day"))
    days_per_week: Annotated[int, Field(ge=1, le=7)] = Field(
        7, description="the desk is open on the first N days of each 7-day week",
        json_schema_extra=unit("days"),
    )

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHours:
        if self.start_hour >= self.end_hour:
            raise ValueError(
                f"start_hour ({self.start_hour:g}) must be before end_hour ({self.end_hour:g})"
            )
        return self

    @property
    def always_open(self) -> bool:
        return self.start_hour == 0 and self.end_hour == 24 and self.days_per_week == 7


# Relative contact weight of each hour of the day (0-1 h, ..., 23-24 h): a morning peak around
# 10-11 h, a lunchtime dip, a lower afternoon, falling into the evening (the 10-11 h weight is
# 2.5 times the 17-18 h one). A stylised
# reading of the weekday arrival-rate curves of telephone call centres in Brown et al. (2005,
# "Statistical analysis of a telephone call center", JASA 100, arrivals by time of day) and
# Gans, Koole & Mandelbaum (2003, "Telephone call centers: tutorial, review, and research
# prospects", MSOM 5, arrivals per half hour): the shape, not their numbers.
DEFAULT_WEIGHTS_BY_HOUR = (
    0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 1.0, 1.8, 2.6, 3.0, 2.7,
    2.0, 1.9, 2.0, 1.8, 1.5, 1.2, 0.9, 0.7, 0.5, 0.4, 0.3, 0.2,
)


class ArrivalProfile(Section):
    """When in the day customers make a contact that they could not (or did not) make at once."""

    weights_by_hour: list[Weight] = Field(
        default_factory=lambda: list(DEFAULT_WEIGHTS_BY_HOUR), min_length=24, max_length=24,
        description="relative weight of each hour of the day (24 values, 0-1 h first): a contact "
        "raised while the desk is closed arrives in its next opening at a time drawn from these "
        "weights over the opening hours (uniform within an hour); each in [0, 100]",
        json_schema_extra=unit("relative weight"))
    delay_share_while_open: Share = Field(
        0.0, description="share of contacts raised while the desk is open that are made later "
        "the same day, at a time drawn from weights_by_hour over the rest of the opening")


class StaffingBlock(Section):
    """Agents on duty during some hours of some weekdays."""

    days: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        default_factory=lambda: [0, 1, 2, 3, 4, 5, 6], min_length=1, max_length=7,
        description="weekdays the block applies to, 0 = Monday (day d of the run is weekday d mod 7)",
        json_schema_extra=unit("weekday"))
    start_hour: Annotated[float, Field(ge=0, lt=24)] = Field(
        description="the block starts at this hour of the day", json_schema_extra=unit("hour of day"))
    end_hour: Annotated[float, Field(gt=0, le=24)] = Field(
        description="the block ends at this hour of the day", json_schema_extra=unit("hour of day"))
    agents: Annotated[int, Field(ge=0, le=100_000)] = Field(
        description="agents on duty during the block", json_schema_extra=unit("agents"))

    @model_validator(mode="after")
    def _ordered(self) -> StaffingBlock:
        if self.start_hour >= self.end_hour:
            raise ValueError(f"start_hour ({self.start_hour:g}) must be before end_hour ({self.end_hour:g})")
        if len(set(self.days)) != len(self.days):
            raise ValueError(f"days {list(self.days)} names a weekday twice")
        return self


class HandleByKind(Section):
    """Handle time per kind of contact; null takes ``service.handle_minutes``."""

    question_minutes: Annotated[Distribution | None, MeanAtMost(480)] = Field(
        None, description="time an agent spends on a question; null = handle_minutes")
    order_problem_minutes: Annotated[Distribution | None, MeanAtMost(480)] = Field(
        None, description="time an agent spends on an order problem; null = handle_minutes")
    complaint_minutes: Annotated[Distribution | None, MeanAtMost(480)] = Field(
        None, description="time an agent spends on a complaint; null = handle_minutes")


class Service(Section):
    """The support desk: agents answering questions, order problems and complaints."""

    agents: Annotated[int, Field(ge=0, le=100_000)] = Field(
        2, description="agents on duty in every opening hour that no staffing block covers",
        json_schema_extra=unit("agents"))
    opening_hours: OpeningHours = OpeningHours()
    handle_minutes: Annotated[Distribution, MeanAtMost(480)] = Field(
        default_factory=lambda: LogNormal(distribution="lognormal", mean=12.0, cv=0.6),
        description="time an agent spends on one contact (of a kind without its own below)",
    )
    patience_minutes: Annotated[Distribution | None, MeanAtMost(1440)] = Field(
        default_factory=lambda: Exponential(distribution="exponential", mean=5.0),
        description="how long a customer waits before giving up; null = waits forever",
    )
    first_contact_resolution: Probability = Field(
        0.70, description="chance a contact's problem is solved at the first contact"
    )
    later_contact_resolution: Probability = Field(
        0.80, description="chance a repeat contact about the same problem solves it"
    )
    max_contacts_per_problem: Annotated[int, Field(ge=1, le=20)] = Field(
        3, description="after this many unsuccessful contacts the customer gives up",
        json_schema_extra=unit("contacts"),
    )
    recontact_delay_days: Annotated[float, Field(gt=0, le=365)] = Field(
        1.0, description="mean (exponential) time before an unresolved customer calls again"
    )
    retry_after_abandon: Probability = Field(
        0.5, description="chance that a customer who gave up waiting tries again later"
    )
    unresolved_satisfaction_penalty: Level = Field(
        0.05, description="satisfaction lost each time a contact ends unresolved"
    )
    service_level_target_seconds: Annotated[float, Field(gt=0, le=3600)] = Field(
        20.0, description="the service level counts contacts answered within this wait (80/20 rule)"
    )
    complaint_share: Share = Field(
        0.04, description="share of customers with a disappointing product who complain about it "
        "(TARP: 1 in 25)"
    )
    quick_resolution_hours: Annotated[float, Field(gt=0, le=720)] = Field(
        12.0, description="a problem resolved within this time of arising counts as resolved "
        "quickly (\"resolve before sunset\")"
    )
    # the desk's day (sim/desk_day.py)
    staffing: list[StaffingBlock] = Field(
        default_factory=list, max_length=168, description="agents by block of hours and weekdays, overriding agents "
        "there; blocks of the same weekday may not overlap; agents work only while the desk is open")
    arrival_profile: ArrivalProfile = Field(
        ArrivalProfile(), description="when in the day contacts reach the desk")
    handle_by_kind: HandleByKind = Field(
        HandleByKind(), description="handle time per kind of contact, where it differs")
    complaint_priority: bool = Field(
        False, description="complaints are answered before questions and order problems that wait")

    @model_validator(mode="after")
    def _feasible(self) -> Service:
        by_day: dict[int, list[tuple[float, float]]] = {}
        for block in self.staffing:
            for day in block.days:
                by_day.setdefault(day, []).append((block.start_hour, block.end_hour))
        for day, spans in by_day.items():
            spans.sort()
            for (_, end), (start, _) in pairwise(spans):
                if start < end:
                    raise ValueError(f"staffing: two blocks overlap on weekday {day} (0 = Monday) at hour {start:g}")
        hours = self.opening_hours
        weights = self.arrival_profile.weights_by_hour
        first, last = int(hours.start_hour), min(23, int(math.ceil(hours.end_hour)) - 1)
        if not any(weights[h] > 0 for h in range(first, last + 1)):
            raise ValueError("arrival_profile.weights_by_hour: every hour the desk is open has weight 0")
        return self


# ------------------------------------------------------- service quality & satisfaction


class DimensionWeights(Section):
    """Importance of each SERVQUAL dimension in an interaction's score (relative weights)."""

    responsiveness: Weight = Field(0.30, description="weight of responsiveness (waits, lateness)")
    reliability: Weight = Field(0.35, description="weight of reliability (orders right, problems solved)")
    assurance: Weight = Field(0.15, description="weight of assurance (competence, courtesy)")
    empathy: Weight = Field(0.10, description="weight of empathy (individual attention)")
    tangibles: Weight = Field(0.10, description="weight of tangibles (website, packaging)")

    @model_validator(mode="after")
    def _some(self) -> DimensionWeights:
        if self.responsiveness + self.reliability + self.assurance + self.empathy + self.tangibles <= 0:
            raise ValueError("at least one dimension weight must be above 0")
        return self


class ServiceQuality(Section):
    """How the company performs on the dimensions that are not drawn per interaction."""

    weights: DimensionWeights = Field(
        DimensionWeights(), description="importance of each SERVQUAL dimension in a score")
    assurance: Level = Field(0.85, description="agents' competence and courtesy (training raises it)")
    empathy: Level = Field(0.80, description="agents' individual attention and care")
    tangibles: Level = Field(0.85, description="website, packaging, appearance")
    wait_tolerance_minutes: Annotated[float, Field(gt=0, le=1440)] = Field(
        3.0, description="a wait of this length halves the responsiveness score of a contact"
    )
    late_tolerance_days: Annotated[float, Field(gt=0, le=365)] = Field(
        3.0, description="an order this late scores 0 on responsiveness (linear from the promise)"
    )


class Satisfaction(Section):
    """Expectation-disconfirmation: experience = 0.5 + sensitivity * (score - expectation)."""

    sensitivity: Annotated[float, Field(gt=0, le=20)] = Field(
        2.0, description="how strongly the gap between score and expectation moves the experience",
        json_schema_extra=unit("×"),
    )
    learning_rate: Share = Field(
        0.3, description="satisfaction moves this share of the way toward each experience"
    )
    happy_threshold: Level = Field(0.8, description="experiences at or above this are happy")
    unhappy_threshold: Level = Field(0.3, description="experiences at or below this are unhappy")
    recovery_bonus: Level = Field(
        0.1, description="added to the experience of a problem resolved quickly at first contact "
        "(service-recovery paradox); it lifts satisfaction but not loyalty or word of mouth"
    )
    product_problem_score: Level = Field(
        0.0, description="the score of an experience whose product disappointed"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Satisfaction:
        if self.unhappy_threshold >= self.happy_threshold:
            raise ValueError(
                f"unhappy_threshold ({self.unhappy_threshold:g}) must be below "
                f"happy_threshold ({self.happy_threshold:g})"
            )
        return self


# ---------------------------------------------------------------------- word of mouth


class IntRange(Section):
    """Whole numbers drawn uniformly from min..max inclusive."""

    min: Annotated[int, Field(ge=0, le=10_000)] = Field(description="fewest")
    max: Annotated[int, Field(ge=0, le=10_000)] = Field(description="most")

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.min > self.max:
            raise ValueError(f"min ({self.min}) is above max ({self.max})")
        return self


class WordOfMouth(Section):
    told_by_happy: IntRange = Field(IntRange(min=4, max=5), description="people a happy customer tells",
                                    json_schema_extra=unit("people"))
    told_by_unhappy: IntRange = Field(
        IntRange(min=10, max=20), description="people an unhappy customer tells",
        json_schema_extra=unit("people"),
    )
    tell_probability_unhappy: Probability = Field(0.6, description="chance an unhappy experience is told")
    leave_per_complaint_heard: Probability = Field(
        0.0053, description="chance that a customer who hears a complaint leaves (friends' influence)"
    )


# --------------------------------------------------------------------------- loyalty


class LevelBehaviour(Section):
    """How a customer behaves at one loyalty level: multipliers on their own traits, and
    their word of mouth."""

    order_rate_multiplier: Annotated[float, Field(ge=0, le=10)] = Field(
        description="multiplies the customer's own order rate (customers.orders_per_month)",
        json_schema_extra=unit("×"))
    order_value_multiplier: Annotated[float, Field(ge=0, le=10)] = Field(
        description="multiplies the value of each order placed at this level (customers.order_value)",
        json_schema_extra=unit("×"))
    churn_propensity_multiplier: Annotated[float, Field(ge=0, le=10)] = Field(
        description="multiplies the customer's churn propensity, hence the time-based attrition hazards "
        "(not the decisions after a problem)", json_schema_extra=unit("×"))
    tell_probability_happy: Probability = Field(
        description="chance a happy experience is told (the level after that experience's loyalty move)")
    recommendation_weight: Annotated[float, Field(ge=0, le=20)] = Field(
        description="a recommendation from this level converts with acquisition.conversion_per_recommendation "
        "times this (capped at 1)", json_schema_extra=unit("×"))


class LevelBehaviours(Section):
    """Each loyalty level's behaviour (source 003: initial, repeat, advocate)."""

    level1: LevelBehaviour = Field(
        LevelBehaviour(order_rate_multiplier=1.0, order_value_multiplier=1.0, churn_propensity_multiplier=1.0,
                       tell_probability_happy=0.15, recommendation_weight=1.0),
        description="level 1, initial transactions: the reference (multipliers 1)")
    level2: LevelBehaviour = Field(
        LevelBehaviour(order_rate_multiplier=1.25, order_value_multiplier=1.0, churn_propensity_multiplier=0.8,
                       tell_probability_happy=0.15, recommendation_weight=1.0),
        description="level 2, repeat customers: buy more often and stay longer")
    level3: LevelBehaviour = Field(
        LevelBehaviour(order_rate_multiplier=1.25, order_value_multiplier=1.0, churn_propensity_multiplier=0.8,
                       tell_probability_happy=0.5, recommendation_weight=2.0),
        description="level 3, advocates: as repeat customers, and they recommend")

    def of(self, level: int) -> LevelBehaviour:
        """The behaviour at ``level`` (1, 2 or 3)."""
        return (self.level1, self.level2, self.level3)[level - 1]


class Loyalty(Section):
    orders_for_repeat: Annotated[int, Field(ge=1, le=100)] = Field(
        2, description="orders at level 1 that make a repeat customer (level 2)",
        json_schema_extra=unit("orders"),
    )
    happy_streak_for_advocate: Annotated[int, Field(ge=1, le=100)] = Field(
        3, description="happy experiences in a row (a neutral or unhappy one breaks the run) that make "
        "a repeat customer an advocate (level 3)", json_schema_extra=unit("experiences"),
    )
    advocate_min_satisfaction: Level = Field(
        0.75, description="the satisfaction an advocate needs besides the happy streak")
    levels: LevelBehaviours = Field(
        LevelBehaviours(), description="how customers at each level order, leave and recommend")


# Parameters that moved: the loader names the new place instead of "unknown key".
MOVED_PARAMETERS: dict[str, str] = {
    "word_of_mouth.tell_probability_happy":
        "loyalty.levels.level1.tell_probability_happy and loyalty.levels.level2.tell_probability_happy "
        "(one chance per loyalty level)",
    "word_of_mouth.tell_probability_advocate": "loyalty.levels.level3.tell_probability_happy",
    "attrition.moved_away_per_year":
        "market.turnover_per_year (moving away is the market's turnover: everyone, customer or not, "
        "leaves at that rate and a new prospect takes their place)",
    "acquisition.advocate_conversion_multiplier":
        "loyalty.levels.level3.recommendation_weight (the same multiplier of "
        "acquisition.conversion_per_recommendation; levels 1 and 2 have theirs too)",
}


# ------------------------------------------------------------------------- attrition


class CompetitorShock(Section):
    """A period when competitors pull harder (a launch, a price war)."""

    start_day: Annotated[float, Field(ge=0, le=36_500)] = Field(
        description="the day it starts, counted from the first day of the measured window")
    duration_days: Annotated[float, Field(gt=0, le=36_500)] = Field(description="how long it lasts")
    hazard_multiplier: Annotated[float, Field(ge=0, le=1000)] = Field(
        description="the competition hazard is multiplied by this meanwhile", json_schema_extra=unit("×"))


class PoorServiceHazard(Section):
    """Yearly hazard of leaving over service, log-linear in service satisfaction s:
    h(s) = at_zero_satisfaction^(1-s) * at_full_satisfaction^s."""

    at_full_satisfaction: Annotated[float, Field(ge=0, le=100)] = Field(
        0.04, description="yearly hazard of leaving over service at satisfaction 1", json_schema_extra=unit("per year"))
    at_zero_satisfaction: Annotated[float, Field(ge=0, le=100)] = Field(
        1.2, description="yearly hazard of leaving over service at satisfaction 0", json_schema_extra=unit("per year"))

    @model_validator(mode="after")
    def _falls(self) -> PoorServiceHazard:
        if self.at_full_satisfaction == 0 and self.at_zero_satisfaction > 0:
            raise ValueError(
                "at_full_satisfaction is 0 but at_zero_satisfaction is not: the log-linear hazard "
                "needs both above 0 (or both 0 to switch it off)"
            )
        if self.at_full_satisfaction > self.at_zero_satisfaction:
            raise ValueError(
                f"at_full_satisfaction ({self.at_full_satisfaction:g}) is above "
                f"at_zero_satisfaction ({self.at_zero_satisfaction:g}): the hazard must rise as "
                "satisfaction falls"
            )
        return self


class LeaveAfterProblem(Section):
    """Chance of leaving at the end of a problem episode, by how it ended (TARP's ordering)."""

    silent: Probability = Field(0.065, description="chance of leaving after a problem not voiced")
    complained_unresolved: Probability = Field(
        0.06, description="chance of leaving after a problem voiced and left unresolved")
    complained_resolved: Probability = Field(
        0.035, description="chance of leaving after a problem resolved, not quickly")
    complained_resolved_quickly: Probability = Field(
        0.015, description="chance of leaving after a problem resolved within quick_resolution_hours")


class Attrition(Section):
    died_per_year: Annotated[float, Field(ge=0, le=100)] = Field(
        0.0045, description="yearly hazard of dying (before the customer's propensity multiplier)")
    competition_per_year: Annotated[float, Field(ge=0, le=100)] = Field(
        0.031, description="yearly hazard of leaving for a competitor (before the propensity "
        "multiplier)")
    competitor_shocks: list[CompetitorShock] = Field(
        default_factory=list, description="periods when the competition hazard is multiplied")
    poor_service_per_year: PoorServiceHazard = Field(
        PoorServiceHazard(), description="yearly hazard of leaving over service, log-linear in "
        "service satisfaction")
    leave_after_problem: LeaveAfterProblem = Field(
        LeaveAfterProblem(), description="chance of leaving at the end of a problem, by how it ended")


# ------------------------------------------------------------------------- economics


class Economics(Section):
    currency: str = Field(
        "EUR", min_length=1, max_length=12, description="the currency every amount is in (a label only)"
    )
    gross_margin: Share = Field(0.35, description="share of order value left after cost of goods")
    fulfilment_cost_per_order: Money = Field(4.0, description="picking, packing, shipping of one order")
    cost_per_contact: Money = Field(1.5, description="variable cost of one support contact")
    agent_cost_per_hour: Money = Field(
        9.72, description="fully loaded cost of one paid agent-hour", json_schema_extra=unit("currency per hour"))
    shrinkage: Annotated[float, Field(ge=0, le=0.9)] = Field(
        0.30, description="share of paid agent hours not spent on duty (breaks, training, absence): "
        "a staffed hour costs agent_cost_per_hour / (1 - shrinkage)", json_schema_extra=unit("share"))
    agent_cost_per_month: Money | None = Field(
        None, description="the old rule, kept for older scenarios: if set, each agent of the day's "
        "peak staffing costs this a month whatever the hours, instead of paid hours",
        json_schema_extra=unit("currency per month"))
    cost_per_new_customer_advertising: Money = Field(
        60.0, description="acquisition cost of a customer won by advertising"
    )
    cost_per_new_customer_referral: Money = Field(
        10.0, description="reward or cost of a customer won by recommendation"
    )
    cost_per_customer_won_back: Money = Field(
        30.0, description="cost of winning back a former customer (the win-back channel, whether "
        "advertising or a recommendation brought them)"
    )
    discount_rate_annual: Annotated[float, Field(ge=0, le=1)] = Field(
        0.08, description="yearly discount rate for NPV", json_schema_extra=unit("per year")
    )


# -------------------------------------------------------------------------- scenario


class Scenario(Section):
    name: str = Field("scenario", min_length=1, max_length=100,
                      description="the scenario's name, used for its output folder")
    description: str = Field("", description="what the scenario is about, in a sentence")
    version: str | None = Field(
        None, description="informational: the churn-sim version that wrote a resolved scenario"
    )
    seed: Annotated[int, Field(ge=0, lt=2**63)] = Field(
        20261125, description="master seed: same scenario and seed, same numbers",
        json_schema_extra=unit("—"))
    replications: Annotated[int, Field(ge=1, le=100_000)] = Field(
        10, description="independent runs of the horizon, for means and intervals",
        json_schema_extra=unit("runs"))
    horizon_days: Annotated[int, Field(ge=1, le=36_500)] = Field(
        1095, description="the measured window: days simulated and counted in every KPI, after the warm-up")
    warmup_days: Annotated[int, Field(ge=0, le=3_640, multiple_of=7)] = Field(
        364, description="days simulated before the measured window and counted in nothing (whole weeks, so "
        "that day 0 of the window is a Monday); every day number counts from the window's first day")
    market: Market = Market()
    acquisition: Acquisition = Acquisition()
    customers: Customers = Customers()
    fulfilment: Fulfilment = Fulfilment()
    service: Service = Service()
    service_quality: ServiceQuality = ServiceQuality()
    satisfaction: Satisfaction = Satisfaction()
    word_of_mouth: WordOfMouth = WordOfMouth()
    loyalty: Loyalty = Loyalty()
    attrition: Attrition = Attrition()
    economics: Economics = Economics()
