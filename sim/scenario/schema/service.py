"""Fulfilment and the support desk."""

from __future__ import annotations

import math
from itertools import pairwise
from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.distributions import Distribution, Exponential, Gamma, LogNormal
from sim.scenario.schema.common import (
    Level,
    MeanAtMost,
    Probability,
    Section,
    Share,
    Weight,
    unit,
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


class FulfilmentSpec(Section):
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


class OpeningHoursSpec(Section):
    start_hour: Annotated[float, Field(ge=0, lt=24)] = Field(
        9.0, description="the desk opens at this hour of the day", json_schema_extra=unit("hour of day"))
    end_hour: Annotated[float, Field(gt=0, le=24)] = Field(
        18.0, description="the desk closes at this hour of the day", json_schema_extra=unit("hour of day"))
    days_per_week: Annotated[int, Field(ge=1, le=7)] = Field(
        7, description="the desk is open on the first N days of each 7-day week",
        json_schema_extra=unit("days"),
    )

    @model_validator(mode="after")
    def _ordered(self) -> OpeningHoursSpec:
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


class ArrivalProfileSpec(Section):
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
    product_problem_minutes: Annotated[Distribution | None, MeanAtMost(480)] = Field(
        None, description="time an agent spends on a product problem (a disappointing product, voiced); null = handle_minutes")


class ServiceSpec(Section):
    """The support desk: agents answering questions, order problems and complaints."""

    agents: Annotated[int, Field(ge=0, le=100_000)] = Field(
        2, description="agents on duty in every opening hour that no staffing block covers",
        json_schema_extra=unit("agents"))
    opening_hours: OpeningHoursSpec = OpeningHoursSpec()
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
    # the desk's day (sim/model/desk_day.py)
    staffing: list[StaffingBlock] = Field(
        default_factory=list, max_length=168, description="agents by block of hours and weekdays, overriding agents "
        "there; blocks of the same weekday may not overlap; agents work only while the desk is open")
    arrival_profile: ArrivalProfileSpec = Field(
        ArrivalProfileSpec(), description="when in the day contacts reach the desk")
    handle_by_kind: HandleByKind = Field(
        HandleByKind(), description="handle time per kind of contact, where it differs")
    product_problem_priority: bool = Field(
        False, description="product problems (disappointing products, voiced) are answered before questions "
        "and order problems that wait")

    @model_validator(mode="after")
    def _feasible(self) -> ServiceSpec:
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
