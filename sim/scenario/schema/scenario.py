"""The economics, and the scenario that holds every section."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from sim.scenario.errors import FieldError
from sim.scenario.schema.behaviour import (
    AttritionSpec,
    LoyaltySpec,
    SatisfactionSpec,
    ServiceQualitySpec,
    WordOfMouthSpec,
)
from sim.scenario.schema.common import (
    Money,
    Section,
    Share,
    unit,
)
from sim.scenario.schema.investments import InvestmentSpec
from sim.scenario.schema.market import AcquisitionSpec, CustomersSpec, MarketSpec
from sim.scenario.schema.service import FulfilmentSpec, ServiceSpec

# ------------------------------------------------------------------------- economics


class EconomicsSpec(Section):
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
    valuation_years: Annotated[float, Field(ge=0, le=50)] = Field(
        3.0, description="a comparison values the customer base left at the horizon by the margin it "
        "brings over this many more years (0: not at all)", json_schema_extra=unit("years"))


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
    market: MarketSpec = MarketSpec()
    acquisition: AcquisitionSpec = AcquisitionSpec()
    customers: CustomersSpec = CustomersSpec()
    fulfilment: FulfilmentSpec = FulfilmentSpec()
    service: ServiceSpec = ServiceSpec()
    service_quality: ServiceQualitySpec = ServiceQualitySpec()
    satisfaction: SatisfactionSpec = SatisfactionSpec()
    word_of_mouth: WordOfMouthSpec = WordOfMouthSpec()
    loyalty: LoyaltySpec = LoyaltySpec()
    attrition: AttritionSpec = AttritionSpec()
    economics: EconomicsSpec = EconomicsSpec()
    investments: list[InvestmentSpec] = Field(
        default_factory=list, max_length=20,
        description="investments")

    @model_validator(mode="after")
    def _investments_fit(self) -> Scenario:
        names = [i.name for i in self.investments]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldError(("investments", i, "name"),
                                 f"two investments are named {name!r}; names must differ")
        for i, investment in enumerate(self.investments):
            if investment.start_day >= self.horizon_days:
                raise FieldError(("investments", i, "start_day"),
                                 f"got {investment.start_day}; allowed: a day of the measured window, "
                                 f"0 to {self.horizon_days - 1} (horizon_days)")
        return self
