"""Scenario errors: one clear line per problem, and the schema look-ups that phrase them.

Pydantic reports a failed validation as error records (type, location, input, context).
This module turns each record into a single line that names the dotted field path, the
value that was given and what is allowed, phrased from the schema field itself (its type
and its ``ge``/``gt``/``le``/``lt`` bounds) rather than from pydantic's wording, e.g.
``service.first_contact_resolution: got 1.3; allowed: a number from 0 to 1``. The loader
puts the origin (``file:line`` or ``--set path``) in front.
"""

from __future__ import annotations

import difflib
import json
import math
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from sim.scenario.moved import MOVED_PARAMETERS

Loc = tuple[str | int, ...]


class FieldError(ValueError):
    """A problem that a model's validator finds in one of its fields (a rule across fields):
    ``loc`` names that field, relative to the model, so that the error points at its line in
    the file rather than at the model as a whole (:func:`explain`)."""

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        # Named in its own text too, for whoever reads pydantic's error rather than ours.
        super().__init__(f"{'.'.join(map(str, loc))}: {message}")
        self.loc = loc
        self.message = message


SHOWN = 50  # problems a message lists; a file with more (a generated or hostile one) gets a count


class ScenarioError(Exception):
    """A scenario could not be loaded; ``problems`` holds one line per problem (all of them),
    the message the first :data:`SHOWN` and how many more there are."""

    def __init__(self, problems: str | Iterable[str]) -> None:
        items = [problems] if isinstance(problems, str) else list(problems)
        lines = (" ".join(str(p).splitlines()) for p in items)  # one line per problem
        self.problems: list[str] = list(dict.fromkeys(lines)) or ["invalid scenario"]
        super().__init__(self._message())

    def _message(self) -> str:
        shown = self.problems[:SHOWN]
        more = len(self.problems) - len(shown)
        if more:
            shown.append(f"... and {more:,} more problems (the first {SHOWN} are listed)")
        return "\n".join(shown)

    def __str__(self) -> str:
        return self._message()


# ------------------------------------------------------------ reading and YAML syntax


def read_problem(err: OSError | UnicodeDecodeError, path: Path, display: str) -> str:
    """One line for a scenario file that cannot be read as text."""
    if isinstance(err, FileNotFoundError):
        return f"{display}: scenario file not found (looked for {path.absolute()})"
    if isinstance(err, IsADirectoryError):
        return f"{display}: is a directory, not a scenario file"
    if isinstance(err, UnicodeDecodeError):
        return f"{display}: not UTF-8 text ({err.reason} at byte {err.start})"
    return f"{display}: cannot read: {err.strerror or err}"


def yaml_problem(err: yaml.YAMLError | RecursionError, text: str, display: str) -> str:
    """``file:LINE: YAML syntax error: <problem>`` for a YAML error."""
    line, problem = "", str(err)
    if isinstance(err, yaml.MarkedYAMLError):
        mark = err.problem_mark or err.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        problem = err.problem or err.context or "invalid YAML"
        if err.context and err.problem and err.context_mark is not None:
            problem += f" ({err.context} at line {err.context_mark.line + 1})"
    elif isinstance(err, yaml.reader.ReaderError):
        line = f":{text.count(chr(10), 0, max(err.position, 0)) + 1}"
        problem = f"unacceptable character #x{err.character:04x}: {err.reason}"
    elif isinstance(err, RecursionError):
        problem = "nested too deeply"
    return f"{display}{line}: YAML syntax error: {problem}"


# ------------------------------------------------------------------- value display


def show(value: Any, limit: int = 60) -> str:
    """A short, YAML-flavoured rendering of a given value for an error line."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 200:  # 0xfff...: too long to show
        return f"a whole number of {value.bit_length():,} bits"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict | list | tuple):
        try:
            text = json.dumps(value, default=str)
        except (ValueError, TypeError, RecursionError):
            text = "a mapping" if isinstance(value, dict) else "a list"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _num(x: float) -> str:
    if isinstance(x, int) or (isinstance(x, float) and math.isfinite(x) and x.is_integer()):
        return str(int(x))
    return f"{x:g}"


# -------------------------------------------------------------- schema introspection


def strip_annotated(tp: Any) -> tuple[Any, list[Any]]:
    """``Annotated[T, ...]`` -> (T, metadata), flattening FieldInfo metadata."""
    meta: list[Any] = []
    while typing.get_origin(tp) is typing.Annotated:
        args = typing.get_args(tp)
        tp = args[0]
        for m in args[1:]:
            meta.extend(m.metadata if isinstance(m, FieldInfo) else [m])
    return tp, meta


def union_members(tp: Any) -> list[Any] | None:
    """The members of a union type (``A | B`` or ``Optional[A]``), else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return list(typing.get_args(tp))
    return None


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def bounds(metadata: Iterable[Any]) -> tuple[float | None, bool, float | None, bool]:
    """(lower, lower_inclusive, upper, upper_inclusive) from annotated-types constraints."""
    lower: float | None = None
    upper: float | None = None
    lower_inc = upper_inc = True
    for m in metadata:
        for attr, is_lower, inclusive in (("ge", True, True), ("gt", True, False),
                                          ("le", False, True), ("lt", False, False)):
            v = getattr(m, attr, None)
            if v is None:
                continue
            if is_lower:
                lower, lower_inc = v, inclusive
            else:
                upper, upper_inc = v, inclusive
    return lower, lower_inc, upper, upper_inc


def _tags(model: Any) -> tuple[str, ...]:
    """The discriminator values (``distribution`` literal) a union member accepts."""
    field = model.model_fields.get("distribution") if is_model(model) else None
    if field is None or typing.get_origin(field.annotation) is not Literal:
        return ()
    return tuple(str(a) for a in typing.get_args(field.annotation))


def _range_text(meta: Sequence[Any]) -> str:
    lo, lo_inc, hi, hi_inc = bounds(meta)
    if lo is not None and hi is not None:
        if lo_inc and hi_inc:
            return f" from {_num(lo)} to {_num(hi)}"
        left = f"at least {_num(lo)}" if lo_inc else f"above {_num(lo)}"
        right = f"at most {_num(hi)}" if hi_inc else f"below {_num(hi)}"
        return f" {left} and {right}"
    if lo is not None:
        return f" of at least {_num(lo)}" if lo_inc else f" above {_num(lo)}"
    if hi is not None:
        return f" of at most {_num(hi)}" if hi_inc else f" below {_num(hi)}"
    return ""


def describe(tp: Any, meta: Sequence[Any] = ()) -> str:
    """What a field of type ``tp`` with constraints ``meta`` accepts, in words."""
    tp, extra = strip_annotated(tp)
    meta = [*meta, *extra]
    members = union_members(tp)
    if members is not None:
        real = [m for m in members if m is not type(None)]
        nullable = len(real) < len(members)
        inner_members = [strip_annotated(m)[0] for m in real]
        if len(inner_members) == 1 and union_members(inner_members[0]) is not None:
            inner_members = list(union_members(inner_members[0]) or [])
        if inner_members and all(_tags(m) for m in inner_members):
            fams = ", ".join(
                f"{'/'.join(_tags(m))} ({', '.join(f for f in m.model_fields if f != 'distribution')})"
                for m in inner_members
            )
            text = f"a distribution mapping with 'distribution' one of: {fams}"
        else:
            text = " or ".join(describe(m) for m in real)
        return text + (", or null" if nullable else "")
    if tp is bool:
        return "true or false"
    if tp is int:
        step = next((m.multiple_of for m in meta if getattr(m, "multiple_of", None)), None)
        whole = f"a whole multiple of {_num(step)}" if step else "a whole number"
        return whole + _range_text(meta)
    if tp is float:
        return "a number" + _range_text(meta)
    if tp is str:
        lo = next((m.min_length for m in meta if hasattr(m, "min_length")), None)
        hi = next((m.max_length for m in meta if hasattr(m, "max_length")), None)
        if lo or hi:
            return f"text of {lo or 0} to {hi} characters" if hi else f"text of at least {lo} characters"
        return "text"
    if tp is type(None):
        return "null"
    if typing.get_origin(tp) is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(tp))
    if typing.get_origin(tp) is list:
        (item,) = typing.get_args(tp) or (Any,)
        item = strip_annotated(item)[0]
        if is_model(item):
            return "a list of mappings with keys: " + ", ".join(item.model_fields)
        return f"a list of {describe(item)}"
    if is_model(tp):
        return "a mapping with keys: " + ", ".join(tp.model_fields)
    return getattr(tp, "__name__", str(tp))


@dataclass
class LocInfo:
    """Where a pydantic error location points in the schema."""

    parts: tuple[str | int, ...]  # the dotted path in the user's data (union tags dropped)
    field: FieldInfo | None  # the schema field at the end of the path, if known
    owner: type[BaseModel] | None  # the model that holds (or should hold) the last key
    tp: Any  # the type expected at the end of the path, if known


def locate(root: type[BaseModel], loc: Loc) -> LocInfo:
    """Walk ``loc`` through the schema from ``root``, skipping discriminated-union tags."""
    tp: Any = root
    field: FieldInfo | None = None
    owner: type[BaseModel] | None = None
    parts: list[str | int] = []
    for elem in loc:
        tp = strip_annotated(tp)[0] if tp is not None else None
        members = union_members(tp) if tp is not None else None
        if members is not None:
            flat: list[Any] = []
            for m in members:
                m = strip_annotated(m)[0]
                flat.extend(union_members(m) or [m])
            match = [m for m in flat if isinstance(elem, str) and elem in _tags(m)]
            if match:
                tp = match[0]
                continue
            real = [m for m in flat if m is not type(None)]
            tp = real[0] if len(real) == 1 else None
        parts.append(elem)
        if is_model(tp) and isinstance(elem, str):
            owner, field = tp, tp.model_fields.get(elem)
            tp = field.annotation if field is not None else None
        elif tp is not None and typing.get_origin(tp) is list and isinstance(elem, int):
            tp, field = typing.get_args(tp)[0], None
        else:
            tp, field = None, None
    return LocInfo(tuple(parts), field, owner, tp)


def dotted(parts: Iterable[str | int]) -> str:
    return ".".join(str(p) for p in parts)


# ------------------------------------------------------------- pydantic -> one line

_TYPE_ERRORS = {
    "int_type", "int_parsing", "int_from_float", "float_type", "float_parsing", "bool_type",
    "bool_parsing", "string_type", "list_type", "dict_type", "model_type",
    "model_attributes_type", "literal_error", "finite_number", "none_required",
    "string_too_short", "string_too_long", "too_short", "too_long", "enum",
}
_BOUND_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal", "multiple_of"}
_BOUND_WORDS = {"gt": "above", "ge": "at least", "lt": "below", "le": "at most"}


def _allowed(info: LocInfo, ctx: dict[str, Any]) -> str:
    if info.field is not None:
        return describe(info.field.annotation, info.field.metadata)
    if info.tp is not None:
        return describe(info.tp)
    for key, word in _BOUND_WORDS.items():
        if key in ctx:
            return f"a number {word} {_num(ctx[key])}"
    if "expected" in ctx:
        return f"one of {ctx['expected']}"
    return "see the schema"


def explain(error: Any, root: type[BaseModel]) -> tuple[tuple[str | int, ...], str]:
    """(dotted path parts, 'path: what is wrong; allowed: ...') for one pydantic error."""
    kind: str = error["type"]
    ctx: dict[str, Any] = error.get("ctx") or {}
    if isinstance(ctx.get("error"), FieldError):  # a validator's rule across fields, about one of them
        field_error: FieldError = ctx["error"]
        error = {**error, "loc": (*error["loc"], *field_error.loc), "type": "located", "msg": field_error.message}
        kind = "located"
    info = locate(root, tuple(error["loc"]))
    given = error.get("input")
    path = info.parts
    name = dotted(path) or "(top level)"
    if kind == "located":
        return path, f"{name}: {error['msg']}"
    if kind == "extra_forbidden":
        if name in MOVED_PARAMETERS:
            return path, f"{name}: this parameter has moved to {MOVED_PARAMETERS[name]}"
        key = str(path[-1]) if path else "?"
        allowed = list(info.owner.model_fields) if info.owner is not None else []
        close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        return path, f"{name}: unknown key{hint} (allowed: {', '.join(allowed)})"
    if kind == "invalid_key":
        parent = locate(root, tuple(error["loc"])[:-1]).tp
        keys = f" (allowed: {', '.join(parent.model_fields)})" if is_model(parent) else ""
        return path, f"{name}: key {show(given)} is not text{keys}"
    if kind == "missing":
        return path, f"{name}: required but not given; allowed: {_allowed(info, ctx)}"
    if kind == "union_tag_invalid":
        families = str(ctx.get("expected_tags", "")).replace("'", "")
        path = (*path, "distribution")
        tag = given.get("distribution") if isinstance(given, dict) else ctx.get("tag")
        return path, f"{dotted(path)}: got {show(tag)}; allowed: one of {families}"
    if kind == "union_tag_not_found":
        return path, (f"{name}: no 'distribution' key in {show(given)}; allowed: "
                      f"{_allowed(info, ctx)}")
    if kind == "mean_too_large":  # schema.MeanAtMost: a distribution field's cap on its mean
        path = (*path, "mean")
        lower, limit = ctx.get("lower"), _num(ctx.get("limit", math.inf))
        span = f"from {_num(lower)} to {limit}" if lower is not None and ctx.get(
            "lower_inclusive") else f"above {_num(lower)} and at most {limit}" \
            if lower is not None else f"of at most {limit}"
        return path, f"{dotted(path)}: got {show(ctx.get('mean'))}; allowed: a number {span}"
    if kind == "value_error" or kind == "assertion_error":
        message = str(ctx.get("error", error.get("msg", "")))
        return path, f"{name}: {message}"
    if kind in _TYPE_ERRORS or kind in _BOUND_ERRORS:
        return path, f"{name}: got {show(given)}; allowed: {_allowed(info, ctx)}"
    return path, f"{name}: got {show(given)}; {error.get('msg', kind)}"


def problems_from(
    err: ValidationError, root: type[BaseModel], origin_of: Callable[[tuple[Any, ...]], str]
) -> list[str]:
    """Every error of ``err`` as ``origin: path: problem`` lines."""
    lines: list[str] = []
    for error in err.errors(include_url=False):
        path, text = explain(error, root)
        lines.append(located(origin_of(path), text))
    return lines


def located(origin: str, text: str) -> str:
    """``origin: text``, but ``--set a.b: a.b: ...`` is shortened to ``--set a.b: ...``."""
    if origin.startswith("--set ") and text.startswith(f"{origin[6:]}: "):
        return f"--set {text}"
    return f"{origin}: {text}"
