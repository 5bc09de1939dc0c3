"""How customers respond: service quality, satisfaction, word of mouth, loyalty, attrition."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.schema.common import (
    Level,
    Probability,
    Section,
    Share,
    Weight,
    unit,
)

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


class ServiceQualitySpec(Section):
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


class SatisfactionSpec(Section):
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
        0.1, description="added to the satisfaction target when a problem is resolved quickly (any "
        "attempt within service.quick_resolution_hours; service-recovery paradox); it lifts "
        "satisfaction but not the happy/unhappy judgement, loyalty or word of mouth"
    )
    product_problem_score: Level = Field(
        0.0, description="the score of an experience whose product disappointed"
    )

    @model_validator(mode="after")
    def _ordered(self) -> SatisfactionSpec:
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


class WordOfMouthSpec(Section):
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

    def by_level(self, field: str) -> tuple[float, float, float, float]:
        """One behaviour of every level, indexed by level (1..3; index 0, no level, is 0): the
        table a mechanism looks a customer's multiplier up in."""
        a, b, c = (float(getattr(self.of(n), field)) for n in (1, 2, 3))
        return (0.0, a, b, c)


class LoyaltySpec(Section):
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


class AttritionSpec(Section):
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
