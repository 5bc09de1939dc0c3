"""Investments: what a scenario spends, from which day, to change what."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from sim.scenario.schema.common import Money, Section, unit


class InvestmentSpec(Section):
    """An investment: its changes take effect on ``start_day`` of the measured window (reaching
    their new values over ``ramp_days``), and its costs run from then."""

    name: str = Field(min_length=1, max_length=60, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                      description="the investment's name: letters, digits, '_', '-', '.'")
    description: str = Field("", max_length=500, description="what it is, in a sentence")
    start_day: Annotated[int, Field(ge=0, le=36_500)] = Field(
        0, description="the day of the measured window its changes take effect and its costs start "
        "(top-level changes, by contrast, apply from the start of the warm-up)",
        json_schema_extra=unit("day"))
    ramp_days: Annotated[int, Field(ge=0, le=3_650)] = Field(
        0, description="days until its numbers reach their new values: on day start_day + k a number is "
        "(k + 1) / (ramp_days + 1) of the way (whole numbers step at the rounded points); switches, "
        "text and distribution families change at the end of the ramp")
    one_off_cost: Money = Field(0.0, description="paid once, on the start day")
    monthly_cost: Money = Field(0.0, description="paid every month from the start day",
                                json_schema_extra=unit("currency per month"))
    monthly_cost_per_customer: Annotated[float, Field(ge=0, le=10_000)] = Field(
        0.0, description="paid every month for each active customer at the levels in cost_levels "
        "(a loyalty programme's cost per member)", json_schema_extra=unit("currency per customer-month"))
    cost_levels: list[Literal[1, 2, 3]] = Field(
        default_factory=lambda: [1, 2, 3],  # type: ignore[arg-type]
        min_length=1, max_length=3,
        description="the loyalty levels whose customers monthly_cost_per_customer is paid for")
    changes: dict[str, Any] = Field(
        default_factory=dict, max_length=200,
        description="what it changes, as dotted.path: value (like a scenario's changes)")
