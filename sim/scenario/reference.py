"""The parameter reference: every parameter of a scenario, from the schema's own declarations.

One row per parameter, in schema order: its dotted path (what ``changes:`` and ``--set``
take), its default (the baseline's value), its unit, its allowed range and a one-line
meaning. Numeric rows come from :func:`sim.scenario.paths.numeric_parameters`, so the
reference, the validation and the sweeps to come share one source; the other rows
(switches, choices, distribution families, lists) are read from the same fields.
``run_sim.py params [SECTION]`` prints it, and ``run_sim.py params --markdown`` writes
docs/PARAMETERS.md (a test fails when that file is stale).
"""

from __future__ import annotations

import json
import math
import textwrap
import typing
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import describe, is_model, strip_annotated
from sim.scenario.paths import (
    Parameter,
    get_path,
    is_distribution,
    numeric_parameters,
    parameter,
    unit_of,
)
from sim.scenario.schema import Scenario

REGENERATE = ".venv/bin/python run_sim.py params --markdown > docs/PARAMETERS.md"


@dataclass(frozen=True)
class Row:
    """One parameter as the reference shows it."""

    path: str
    default: str
    unit: str
    allowed: str
    meaning: str


def sections() -> list[str]:
    """The top-level sections of a scenario (``market``, ``service``...)."""
    return [name for name, f in Scenario.model_fields.items()
            if is_model(strip_annotated(f.annotation)[0])]


def rows(section: str | None = None) -> list[Row]:
    """Every parameter, or those under ``section`` (a top-level section or any dotted prefix).

    Raises ``KeyError`` naming nothing when no parameter is under ``section``.
    """
    numeric = {p.path: p for p in numeric_parameters()}
    found: list[Row] = []
    _walk(Scenario, "", Scenario(), numeric, found)
    if section is None:
        return found
    chosen = [r for r in found if r.path == section or r.path.startswith(f"{section}.")]
    if not chosen:
        raise KeyError(section)
    return chosen


def interval(p: Parameter) -> str:
    """``[0, 1]``, ``(0, 480]``...: the allowed range in interval notation."""
    lower = "-inf" if p.lower is None else _number(p.lower)
    upper = "inf" if p.upper is None else _number(p.upper)
    text = (f"{'[' if p.lower_inclusive and p.lower is not None else '('}{lower}, {upper}"
            f"{']' if p.upper_inclusive and p.upper is not None else ')'}")
    return f"{text}, multiples of {p.step}" if p.step else text


WIDTH = 100  # the terminal's columns the text fits


def as_text(selected: list[Row]) -> str:
    """Plain text for the terminal, every line within :data:`WIDTH` columns: per parameter a
    line ``path = default`` (a long default wrapped), then, indented, its unit and allowed
    range and its meaning."""
    blocks = []
    for r in selected:
        lines = [textwrap.fill(f"{r.path} = {r.default}", WIDTH, subsequent_indent=" " * 8, break_on_hyphens=False)]
        facts = "; ".join(f"{k}: {v}" for k, v in (("unit", r.unit), ("allowed", r.allowed)) if v)
        for text in (facts, r.meaning):
            if text:
                lines.append(textwrap.fill(text, WIDTH, initial_indent=" " * 4, subsequent_indent=" " * 4,
                                           break_on_hyphens=False))
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def as_markdown() -> str:
    """docs/PARAMETERS.md: one table per section."""
    every = rows()
    out = [
        "# Scenario parameters",
        "",
        f"Generated from `sim/scenario/schema.py` by `{REGENERATE}`; do not edit by hand",
        "(a test fails when this file is stale). The same list, for one section, is",
        "`run_sim.py params SECTION`.",
        "",
        "Paths are what `changes:` and `--set` take (`--set service.handle_minutes.mean=8`).",
        "Defaults are the calibrated baseline's values (`scenarios/baseline.yaml`, where the",
        "source of each is given); ranges are in interval notation: `[` includes the end, `(`",
        "excludes it. A distribution's parameters are those of its default family; another",
        "family is chosen with the whole mapping, e.g.",
        "`--set 'service.handle_minutes={distribution: gamma, mean: 8, cv: 0.5}'`.",
        "The model behind the parameters is [MODEL.md](MODEL.md).",
    ]
    groups: dict[str, list[Row]] = {}
    for r in every:
        head = r.path.split(".")[0] if "." in r.path else "top level"
        groups.setdefault(head, []).append(r)
    for head, group in groups.items():
        out += ["", f"## {head}", "", "| parameter | default | unit | allowed | meaning |",
                "|---|---|---|---|---|"]
        out += [f"| `{r.path}` | {_cell(r.default)} | {_cell(r.unit)} | {_cell(r.allowed)} | "
                f"{_cell(r.meaning)} |" for r in group]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- walking


def _walk(model_cls: type[BaseModel], prefix: str, defaults: Any,
          numeric: dict[str, Parameter], found: list[Row]) -> None:
    for name, field in model_cls.model_fields.items():
        tp = strip_annotated(field.annotation)[0]
        path = f"{prefix}{name}"
        value = getattr(defaults, name, None)
        if is_model(tp):
            _walk(tp, f"{path}.", value, numeric, found)
            continue
        if is_distribution(field):
            found.append(Row(path, _show(value), unit_of(name, field),
                             "family: " + describe(field.annotation).split(": ", 1)[-1],
                             (field.description or "") + "; its parameters follow"))
            found.extend(_row(numeric[p], value) for p in numeric if p.startswith(f"{path}."))
            continue
        if path in numeric:
            found.append(_row(numeric[path], value))
            continue
        found.append(Row(path, _show(value), unit_of(name, field),
                         describe(field.annotation, field.metadata), field.description or ""))
        item = strip_annotated(typing.get_args(tp)[0] if typing.get_origin(tp) is list else tp)[0]
        if is_model(item):  # list items: each numeric key, with its range, no default
            for key, inner in item.model_fields.items():
                p = parameter(f"{path}.N.{key}", inner, outer=(field.description or "", ""))
                if p is not None:
                    found.append(Row(p.path, "—", p.unit, interval(p), p.description))


def _row(p: Parameter, value: Any) -> Row:
    return Row(p.path, _show(get_path(value, p.path.rsplit(".", 1)[-1])
                             if is_distribution_value(value) else value), p.unit, interval(p),
               p.description)


def is_distribution_value(value: Any) -> bool:
    return isinstance(value, BaseModel) and "distribution" in type(value).model_fields


def _number(x: float) -> str:
    if isinstance(x, int) or (math.isfinite(x) and float(x).is_integer() and abs(x) < 1e15):
        return str(int(x))  # as it would be written in a scenario file
    return f"{x:g}"


def _show(value: Any) -> str:
    if is_distribution_value(value):
        return str(value.distribution)
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value)
    return json.dumps(value, default=str)


def _cell(text: str) -> str:
    return text.replace("|", "\\|") or " "
