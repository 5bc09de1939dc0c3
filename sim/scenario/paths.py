"""Dotted paths into a scenario: enumerate every numeric parameter and read values.

:func:`numeric_parameters` lists every ``int``/``float`` leaf of the schema with its
bounds, unit and meaning, read from the field declarations themselves, so sweeps,
sensitivity runs, calibration and the parameter reference (:mod:`sim.scenario.reference`)
work without repeating the schema. A distribution field contributes the parameters of its
default family (``service.handle_minutes.mean`` and ``.cv``), its mean capped by the
field's :class:`~sim.scenario.schema.MeanAtMost`.
:func:`get_path` reads one value by dotted path (``"service.agents"``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario.errors import ScenarioError, bounds, is_model, strip_annotated, union_members
from sim.scenario.schema import MeanAtMost, Scenario

# A field's unit when it declares none in json_schema_extra (see schema.py).
UNIT_SUFFIXES = (("_per_year", "per year"), ("_per_month", "per month"), ("_days", "days"),
                 ("_hours", "hours"), ("_hour", "hour of day"), ("_minutes", "minutes"),
                 ("_seconds", "seconds"))


@dataclass(frozen=True)
class Parameter:
    """One numeric leaf of the schema, by dotted path, with its allowed range."""

    path: str
    kind: Literal["int", "float"]
    lower: float | None
    lower_inclusive: bool
    upper: float | None
    upper_inclusive: bool
    description: str
    unit: str = ""
    step: int | None = None  # an int that must be a multiple of this (warmup_days: whole weeks)

    def contains(self, value: float) -> bool:
        """Whether ``value`` is within this parameter's bounds."""
        if self.lower is not None and (value < self.lower or (value == self.lower
                                                               and not self.lower_inclusive)):
            return False
        return not (self.upper is not None and (value > self.upper or (
            value == self.upper and not self.upper_inclusive)))


def numeric_parameters(model_cls: type[BaseModel] = Scenario) -> list[Parameter]:
    """Every int/float leaf field of ``model_cls``, recursing into nested models.

    Distribution fields give their default family's parameters; lists, other unions,
    bools and strings are skipped. A field inside a small generic mapping (a distribution,
    a mean and sd, a range) takes the meaning and unit of the field that holds it as well.
    """
    found: list[Parameter] = []
    _collect(model_cls, "", found, model_cls())
    return found


def unit_of(name: str, field: FieldInfo) -> str:
    """A field's unit: its ``json_schema_extra`` unit, else its name's suffix, else ''."""
    extra = field.json_schema_extra
    if isinstance(extra, dict) and isinstance(extra.get("unit"), str):
        return str(extra["unit"])
    return next((unit for suffix, unit in UNIT_SUFFIXES if name.endswith(suffix)), "")


def parameter(path: str, field: FieldInfo, *, outer: tuple[str, str] = ("", ""),
              cap: float | None = None) -> Parameter | None:
    """The :class:`Parameter` of a numeric field (None for other fields); ``outer`` is the
    (meaning, unit) of the field holding it, ``cap`` a further upper bound."""
    tp, extra = strip_annotated(field.annotation)
    if tp is not int and tp is not float:  # bool is a subclass of int but `is` excludes it
        return None
    lo, lo_inc, hi, hi_inc = bounds([*field.metadata, *extra])
    if cap is not None and (hi is None or cap < hi):
        hi, hi_inc = cap, True
    meaning, outer_unit = outer
    own = field.description or ""
    return Parameter(
        path=path,
        kind="int" if tp is int else "float",
        lower=lo,
        lower_inclusive=lo_inc,
        upper=hi,
        upper_inclusive=hi_inc,
        description=f"{meaning}: {own}" if meaning and own else meaning or own,
        unit=unit_of(path.rsplit(".", 1)[-1], field) or outer_unit,
        step=next((int(m.multiple_of) for m in [*field.metadata, *extra] if getattr(m, "multiple_of", None)), None),
    )


def is_distribution(field: FieldInfo) -> bool:
    """Whether a field holds a distribution (a union of families tagged by ``distribution``)."""
    tp = strip_annotated(field.annotation)[0]
    members = [strip_annotated(m)[0] for m in union_members(tp) or []]
    flat = [f for m in members for f in (union_members(m) or [m])]
    return any(is_model(m) and "distribution" in m.model_fields for m in flat)


def mean_cap(field: FieldInfo) -> float | None:
    """The :class:`MeanAtMost` limit of a distribution field, if it has one."""
    meta = [*field.metadata, *strip_annotated(field.annotation)[1]]
    return next((m.limit for m in meta if isinstance(m, MeanAtMost)), None)


def _collect(model_cls: type[BaseModel], prefix: str, found: list[Parameter], defaults: Any,
             outer: tuple[str, str] = ("", "")) -> None:
    for name, field in model_cls.model_fields.items():
        tp = strip_annotated(field.annotation)[0]
        path = f"{prefix}{name}"
        value = getattr(defaults, name, None)
        held = (field.description or "", unit_of(name, field))
        if is_model(tp):
            generic = not tp.model_fields.keys().isdisjoint({"mean", "min"})
            _collect(tp, f"{path}.", found, value, held if generic else outer)
        elif is_distribution(field) and isinstance(value, BaseModel):
            for key, inner in type(value).model_fields.items():
                p = parameter(f"{path}.{key}", inner, outer=held,
                              cap=mean_cap(field) if key == "mean" else None)
                if p is not None:
                    found.append(p)
        else:
            p = parameter(path, field, outer=outer)
            if p is not None:
                found.append(p)
        # lists, other unions (``Optional[...]``), bools and strings are skipped


def get_path(scenario: Any, path: str) -> Any:
    """The value at dotted ``path`` in a scenario (models, mappings and list indices)."""
    node: Any = scenario
    done: list[str] = []
    for part in path.split("."):
        if isinstance(node, BaseModel):
            names = list(type(node).model_fields)
            if part not in names:
                raise _unknown(path, done, part, names)
            node = getattr(node, part)
        elif isinstance(node, dict):
            if part not in node:
                raise _unknown(path, done, part, [str(k) for k in node])
            node = node[part]
        elif isinstance(node, list | tuple) and part.lstrip("-").isdigit():
            index = int(part)
            if not -len(node) <= index < len(node):
                raise ScenarioError(f"{path}: index {index} is out of range "
                                    f"({'.'.join(done)} has {len(node)} items)")
            node = node[index]
        else:
            raise ScenarioError(f"{path}: {'.'.join(done) or 'scenario'} is a value, "
                                f"it has no '{part}'")
        done.append(part)
    return node


def _unknown(path: str, done: list[str], part: str, names: list[str]) -> ScenarioError:
    close = difflib.get_close_matches(part, names, n=1, cutoff=0.6)
    hint = f"; did you mean '{close[0]}'?" if close else ""
    where = ".".join([*done, part])
    return ScenarioError(f"{path}: unknown key {where!r}{hint} (allowed: {', '.join(names)})")
