"""Property tests: whatever goes into the loader, a Scenario or a ScenarioError comes out."""

from __future__ import annotations

import math
import typing
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from sim.scenario import Scenario, ScenarioError, get_path, load_scenario, numeric_parameters
from sim.scenario.errors import is_model, strip_annotated
from sim.scenario.paths import Parameter

PARAMS = numeric_parameters()
ON_BASELINE = f"extends: {Path(__file__).resolve().parent.parent / 'scenarios' / 'baseline.yaml'}\n"
SETTINGS = settings(max_examples=75, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def empty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("props") / "empty.yaml"
    path.write_text(ON_BASELINE + "name: props\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("scratch") / "scenario.yaml"


def load(path: Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario | ScenarioError:
    """Load, and return the ScenarioError instead of raising it; anything else escapes."""
    try:
        return load_scenario(path, overrides)
    except ScenarioError as err:
        assert err.problems and all(p and "\n" not in p for p in err.problems)
        return err


# ----------------------------------------------------------------- value strategies


def _in_bounds(p: Parameter) -> st.SearchStrategy[float]:
    if p.kind == "int":
        lo = int(p.lower) + (0 if p.lower_inclusive else 1) if p.lower is not None else -10**6
        hi = int(p.upper) - (0 if p.upper_inclusive else 1) if p.upper is not None else lo + 10**6
        if p.step:  # whole multiples only (warmup_days: whole weeks)
            step = p.step
            return st.integers(-(-lo // step), hi // step).map(lambda k: k * step)
        return st.integers(lo, hi)
    return st.floats(
        min_value=p.lower if p.lower is not None else -1e6,
        max_value=p.upper if p.upper is not None else 1e6,
        exclude_min=p.lower is not None and not p.lower_inclusive,
        exclude_max=p.upper is not None and not p.upper_inclusive,
        allow_nan=False, allow_infinity=False,
    )


def _out_of_bounds(p: Parameter) -> st.SearchStrategy[float]:
    options: list[st.SearchStrategy[float]] = []
    gap = st.integers(1, 10**6) if p.kind == "int" else st.floats(1e-3, 1e6)
    if p.lower is not None:
        lower = p.lower
        options.append(gap.map(lambda d: lower - d))
        if not p.lower_inclusive:
            options.append(st.just(p.lower))
    if p.upper is not None:
        upper = p.upper
        options.append(gap.map(lambda d: upper + d))
        if not p.upper_inclusive:
            options.append(st.just(p.upper))
    if p.kind == "float":
        options.append(st.just(math.nan))
    return st.one_of(options)


def _yaml_number(value: float) -> str:
    return ".nan" if isinstance(value, float) and math.isnan(value) else repr(value)


# ------------------------------------------------------------------ the properties


@SETTINGS
@given(data=st.data())
def test_values_within_bounds_load_and_read_back(empty: Path, data: st.DataObject) -> None:
    p = data.draw(st.sampled_from(PARAMS), label="parameter")
    value = data.draw(_in_bounds(p), label="value")
    result = load(empty, [f"{p.path}={_yaml_number(value)}"])
    if isinstance(result, Scenario):
        assert get_path(result, p.path) == value
        return
    # a value within its own bounds can only break a check across fields of its section
    # (shares adding up to 1, min <= max, start before end...), reported at the section
    for problem in result.problems:
        assert problem.startswith(f"--set {p.path}: "), problem
        where = problem.removeprefix(f"--set {p.path}: ").split(": ", 1)[0]
        assert p.path.startswith(f"{where}."), problem
        assert "allowed:" not in problem, problem


@SETTINGS
@given(data=st.data())
def test_values_out_of_bounds_are_refused_naming_the_path(empty: Path, data: st.DataObject) -> None:
    p = data.draw(st.sampled_from([q for q in PARAMS if q.lower is not None or q.upper is not None]),
                  label="parameter")
    value = data.draw(_out_of_bounds(p), label="value")
    result = load(empty, [f"{p.path}={_yaml_number(value)}"])
    assert isinstance(result, ScenarioError), (p.path, value)
    assert any(problem.startswith(f"--set {p.path}: got ") and "allowed: " in problem
               for problem in result.problems), result.problems


def _sections(model: type[BaseModel], prefix: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...],
                                                                                 type[BaseModel]]]:
    found = [(prefix, model)]
    for name, field in model.model_fields.items():
        tp = strip_annotated(field.annotation)[0]
        if is_model(tp):
            found.extend(_sections(tp, (*prefix, name)))
    return found


SECTIONS = _sections(Scenario)
KEY = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@SETTINGS
@given(data=st.data(), via_set=st.booleans())
def test_unknown_keys_at_any_depth_are_named(scratch: Path, data: st.DataObject,
                                             via_set: bool) -> None:
    section, model = data.draw(st.sampled_from(SECTIONS), label="section")
    key = data.draw(KEY.filter(lambda k: k not in model.model_fields
                               and k not in ("extends", "changes")), label="key")
    value = data.draw(st.one_of(st.integers(), st.text(max_size=5), st.none()), label="value")
    path = ".".join((*section, key))
    if via_set:
        scratch.write_text(ON_BASELINE + "name: junk\n", encoding="utf-8")
        result = load(scratch, [f"{path}=1"])
    else:
        nested: object = {key: value}
        for part in reversed(section):
            nested = {part: nested}
        scratch.write_text(yaml.safe_dump(nested), encoding="utf-8")
        result = load(scratch)
    assert isinstance(result, ScenarioError)
    assert any(f"{path}: unknown key" in problem for problem in result.problems), result.problems


JUNK = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8)),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=5) | st.integers() | st.none(),
                                            inner, max_size=3)),
    max_leaves=6,
)


@SETTINGS
@given(data=st.data())
def test_junk_in_numeric_fields_gives_a_scenario_or_a_scenario_error(
    scratch: Path, data: st.DataObject
) -> None:
    p = data.draw(st.sampled_from(PARAMS), label="parameter")
    value = data.draw(JUNK, label="value")
    nested: object = value
    for part in reversed(p.path.split(".")):
        nested = {part: nested}
    scratch.write_text(yaml.safe_dump(nested), encoding="utf-8")
    result = load(scratch)
    if isinstance(result, ScenarioError):
        # "file:line: path: ...", the path being the field, a key inside the junk, or, for a
        # check across fields (shares adding up to 1, min <= max...), the field's section
        for problem in result.problems:
            where = problem.split(": ")[1]
            assert f"{where}.".startswith(f"{p.path}.") or p.path.startswith(f"{where}."), \
                problem
    else:
        assert get_path(result, p.path) == value


@SETTINGS
@given(data=st.data())
def test_junk_text_through_set_or_as_a_file_never_escapes(
    scratch: Path, empty: Path, data: st.DataObject
) -> None:
    p = data.draw(st.sampled_from(PARAMS), label="parameter")
    text = data.draw(st.text(max_size=30), label="text")
    assert isinstance(load(empty, [f"{p.path}={text}"]), Scenario | ScenarioError)
    scratch.write_text(text, encoding="utf-8")
    assert isinstance(load(scratch), Scenario | ScenarioError)


def test_the_parameter_list_covers_the_schema() -> None:
    assert len(PARAMS) > 50
    kinds = {p.path: p.kind for p in PARAMS}
    for path, kind in kinds.items():
        *parents, leaf = path.split(".")
        model: typing.Any = Scenario
        for n, part in enumerate(parents):
            model = strip_annotated(model.model_fields[part].annotation)[0]
            if not is_model(model):  # a distribution: its default family
                model = type(get_path(Scenario(), ".".join(parents[:n + 1])))
        assert strip_annotated(model.model_fields[leaf].annotation)[0].__name__ == kind
