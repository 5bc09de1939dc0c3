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

from sim.scenario.schema.behaviour import (
    AttritionSpec,
    CompetitorShock,
    DimensionWeights,
    IntRange,
    LeaveAfterProblem,
    LevelBehaviour,
    LevelBehaviours,
    LoyaltySpec,
    PoorServiceHazard,
    SatisfactionSpec,
    ServiceQualitySpec,
    WordOfMouthSpec,
)
from sim.scenario.schema.common import (
    Level,
    MeanAtMost,
    Money,
    Probability,
    Section,
    Share,
    Weight,
    unit,
)
from sim.scenario.schema.investments import (
    InvestmentSpec,
)
from sim.scenario.schema.market import (
    AcquisitionSpec,
    CustomersSpec,
    LoyaltyMix,
    MarketSpec,
    MeanSd,
    Network,
    RateSpread,
)
from sim.scenario.schema.scenario import (
    EconomicsSpec,
    Scenario,
)
from sim.scenario.schema.service import (
    DEFAULT_WEIGHTS_BY_HOUR,
    ArrivalProfileSpec,
    FailureSeverity,
    FulfilmentSpec,
    Guarantee,
    HandleByKind,
    OpeningHoursSpec,
    ServiceSpec,
    StaffingBlock,
)

__all__ = [
    "InvestmentSpec",
    "Probability",
    "Share",
    "Level",
    "Money",
    "Weight",
    "unit",
    "MeanAtMost",
    "Section",
    "LoyaltyMix",
    "MeanSd",
    "Network",
    "MarketSpec",
    "AcquisitionSpec",
    "RateSpread",
    "CustomersSpec",
    "FailureSeverity",
    "Guarantee",
    "FulfilmentSpec",
    "OpeningHoursSpec",
    "DEFAULT_WEIGHTS_BY_HOUR",
    "ArrivalProfileSpec",
    "StaffingBlock",
    "HandleByKind",
    "ServiceSpec",
    "DimensionWeights",
    "ServiceQualitySpec",
    "SatisfactionSpec",
    "IntRange",
    "WordOfMouthSpec",
    "LevelBehaviour",
    "LevelBehaviours",
    "LoyaltySpec",
    "CompetitorShock",
    "PoorServiceHazard",
    "LeaveAfterProblem",
    "AttritionSpec",
    "EconomicsSpec",
    "Scenario",
]
