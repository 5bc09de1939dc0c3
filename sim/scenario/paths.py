"""Dotted paths into a scenario: enumerate every numeric parameter and read values.

:func:`numeric_parameters` lists every ``int``/``float`` leaf of the schema with its
bounds, read from the field constraints themselves, so sweeps, sensitivity runs and
calibration can draw or bound parameters without repeating the schema.
:func:`get_path` reads one value by dotted path (``"service.agents"``).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

from sim.scenario.errors import ScenarioError, bounds, is_model, strip_annotated
from sim.scenario.schema import Scenario


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

    def contains(self, value: float) -> bool:
        """Whether ``value`` is within this parameter's bounds."""
        if self.lower is not None and (value < self.lower or (value == self.lower
                                                               and not self.lower_inclusive)):
            return False
        return not (self.upper is not None and (value > self.upper or (
            value == self.upper and not self.upper_inclusive)))


def numeric_parameters(model_cls: type[BaseModel] = Scenario) -> list[Parameter]:
    """Every int/float leaf field of ``model_cls``, recursing into nested models.

    Lists, unions (distributions, ``Optional[...]``), bools and strings are skipped.
    """
    found: list[Parameter] = []
    _collect(model_cls, "", found)
    return found


def _collect(model_cls: type[BaseModel], prefix: str, found: list[Parameter]) -> None:
    for name, field in model_cls.model_fields.items():
        tp, extra = strip_annotated(field.annotation)
        path = f"{prefix}{name}"
        if is_model(tp):
            _collect(tp, f"{path}.", found)
        elif tp is int or tp is float:  # bool is a subclass of int but `is` excludes it
            lo, lo_inc, hi, hi_inc = bounds([*field.metadata, *extra])
            found.append(Parameter(
                path=path,
                kind="int" if tp is int else "float",
                lower=lo,
                lower_inclusive=lo_inc,
                upper=hi,
                upper_inclusive=hi_inc,
                description=field.description or "",
            ))
        # lists, unions (distributions, Optional[...]), bools and strings are skipped


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
