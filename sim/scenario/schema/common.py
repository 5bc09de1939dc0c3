"""What every section of the schema shares: value types with units and ranges, the cap on
a distribution's mean, the frozen section base."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, GetCoreSchemaHandler
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

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
