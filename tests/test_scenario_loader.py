"""The scenario loader: inheritance, changes, --set, error messages, round trip, paths."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sim.scenario import (
    Scenario,
    ScenarioError,
    dump_resolved,
    get_path,
    load_scenario,
    numeric_parameters,
)
from sim.scenario.distributions import Exponential, LogNormal
from sim.scenario.errors import SHOWN
from sim.scenario.loader import resolve_raw

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
ON_BASELINE = f"extends: {BASELINE}\n"  # a scenario that changes nothing yet


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def error_of(path: Path, overrides: tuple[str, ...] = (), **kwargs: int) -> ScenarioError:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides, **kwargs)
    err = info.value
    assert str(err) == "\n".join(err.problems)
    assert all("\n" not in p for p in err.problems)
    return err


# ------------------------------------------------------------------------ loading


@pytest.mark.parametrize("text", ["", "# nothing here\n", "name: x\n",
                                  "name: x\ndescription: y\nchanges: {}\n"])
def test_a_file_without_parameters_or_extends_is_an_error(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "empty.yaml", text)
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}: the scenario sets no parameters and has no `extends:`")
    assert "add `extends: baseline.yaml`" in problem


def test_a_file_with_one_parameter_or_only_extends_is_not_empty(tmp_path: Path) -> None:
    assert load_scenario(write(tmp_path, "seed.yaml", "seed: 7\n")) == Scenario(seed=7)
    assert load_scenario(write(tmp_path, "changes.yaml", "changes: {seed: 7}\n")).seed == 7
    assert load_scenario(write(tmp_path, "ext.yaml", ON_BASELINE)).model_dump(
        exclude={"name", "description"}) == Scenario().model_dump(exclude={"name", "description"})


def test_a_partial_section_keeps_the_other_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "s.yaml", """
        name: small desk
        service:
          agents: 3
          opening_hours: {end_hour: 18}
        """)
    s = load_scenario(path)
    assert s.name == "small desk"
    assert s.service.agents == 3
    assert s.service.opening_hours.end_hour == 18
    assert s.service.opening_hours.start_hour == Scenario().service.opening_hours.start_hour
    assert s.service.first_contact_resolution == Scenario().service.first_contact_resolution


def test_precedence_set_over_changes_over_child_over_parent(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", """
        service:
          agents: 1
          first_contact_resolution: 0.1
          later_contact_resolution: 0.1
          retry_after_abandon: 0.1
        """)
    child = write(tmp_path, "child.yaml", """
        extends: parent.yaml
        service:
          agents: 2
          first_contact_resolution: 0.2
          later_contact_resolution: 0.2
        changes:
          service.agents: 3
          service.first_contact_resolution: 0.3
        """)
    s = load_scenario(child, ["service.agents=4"])
    assert s.service.agents == 4  # --set
    assert s.service.first_contact_resolution == 0.3  # changes
    assert s.service.later_contact_resolution == 0.2  # child
    assert s.service.retry_after_abandon == 0.1  # parent
    assert s.service.complaint_share == Scenario().service.complaint_share  # default
    assert load_scenario(child).service.agents == 3


def test_child_keys_apply_after_the_parents_changes(tmp_path: Path) -> None:
    write(tmp_path, "base/grand.yaml", "service: {agents: 1, complaint_share: 0.5}\n")
    write(tmp_path, "base/parent.yaml", """
        extends: grand.yaml
        changes:
          service.agents: 9
          service.retry_after_abandon: 0.25
        """)
    child = write(tmp_path, "child.yaml", """
        extends: base/parent.yaml
        service:
          agents: 2
        """)
    s = load_scenario(child)
    assert s.service.agents == 2
    assert s.service.retry_after_abandon == 0.25
    assert s.service.complaint_share == 0.5


def test_changes_create_intermediate_mappings_and_index_lists(tmp_path: Path) -> None:
    path = write(tmp_path, "c.yaml", """
        attrition:
          competitor_shocks:
            - {start_day: 10, duration_days: 30, hazard_multiplier: 3}
        changes:
          service.opening_hours.days_per_week: 5
          attrition.competitor_shocks.0.hazard_multiplier: 4
        """)
    s = load_scenario(path)
    assert s.service.opening_hours.days_per_week == 5
    assert s.attrition.competitor_shocks[0].hazard_multiplier == 4
    assert s.attrition.competitor_shocks[0].start_day == 10


def test_distribution_family_change_replaces_the_parents_mapping(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", """
        service:
          handle_minutes: {distribution: lognormal, mean: 8, cv: 0.6}
          patience_minutes: {distribution: lognormal, mean: 5, cv: 0.9}
        """)
    child = write(tmp_path, "child.yaml", """
        extends: parent.yaml
        service:
          handle_minutes: {distribution: exponential, mean: 3}
          patience_minutes: {mean: 7}
        """)
    raw = resolve_raw(child)
    assert raw["service"]["handle_minutes"] == {"distribution": "exponential", "mean": 3}
    s = load_scenario(child)
    assert s.service.handle_minutes == Exponential(distribution="exponential", mean=3)
    # same family (no distribution key given): the mapping merges, cv survives
    assert s.service.patience_minutes == LogNormal(distribution="lognormal", mean=7, cv=0.9)
    # a family change against the schema default works too
    s2 = load_scenario(child, ["customers.order_value={distribution: fixed, mean: 50}"])
    assert s2.customers.order_value.distribution == "fixed"


def test_lists_replace_and_null_clears(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", """
        attrition:
          competitor_shocks:
            - {start_day: 1, duration_days: 2, hazard_multiplier: 3}
            - {start_day: 5, duration_days: 2, hazard_multiplier: 3}
        """)
    child = write(tmp_path, "child.yaml", """
        extends: parent.yaml
        attrition:
          competitor_shocks:
            - {start_day: 9, duration_days: 1, hazard_multiplier: 2}
        service:
          patience_minutes: null
        """)
    s = load_scenario(child)
    assert [c.start_day for c in s.attrition.competitor_shocks] == [9]
    assert s.service.patience_minutes is None


def test_yaml_anchors_and_merge_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """
        service:
          handle_minutes: &slow {distribution: lognormal, mean: 12, cv: 0.5}
          patience_minutes:
            <<: *slow
            mean: 3
        """)
    s = load_scenario(path)
    assert s.service.handle_minutes.mean == 12
    assert s.service.patience_minutes == LogNormal(distribution="lognormal", mean=3, cv=0.5)


def test_set_values_are_read_as_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", ON_BASELINE + "name: x\n")
    s = load_scenario(path, [
        "service.agents=15",
        "service.first_contact_resolution=0.8",
        "acquisition.advertising_rate_per_year=1e-3",
        "service.patience_minutes=null",
        "attrition.competitor_shocks=[{start_day: 1, duration_days: 2, hazard_multiplier: 3}]",
        " name = spaced out ",
    ])
    assert s.service.agents == 15
    assert s.service.first_contact_resolution == 0.8
    assert s.acquisition.advertising_rate_per_year == 0.001
    assert s.service.patience_minutes is None
    assert len(s.attrition.competitor_shocks) == 1
    assert s.name == "spaced out"


def test_seed_and_replications_arguments_win(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "seed: 1\nreplications: 2\n")
    s = load_scenario(path, ["seed=3"], seed=42, replications=7)
    assert (s.seed, s.replications) == (42, 7)
    assert load_scenario(path).seed == 1
    err = error_of(path, replications=0)
    assert "replications argument: replications: got 0" in str(err)


def test_the_scenario_is_frozen(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, "x.yaml", ON_BASELINE))
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        s.service.agents = 3  # type: ignore[misc]


# ------------------------------------------------------------------------- errors


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", """
        name: x
        service:
          agents: [1, 2
          first_contact_resolution: 0.5
        """)
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}:4: YAML syntax error: ")


def test_yaml_tags_that_construct_objects_are_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "evil.yaml", "name: !!python/object/apply:os.system ['true']\n")
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}:1: YAML syntax error:")


def test_unknown_key_suggests_the_close_one(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """
        name: x
        service:
          agnets: 12
        """)
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}:3: service.agnets: unknown key; did you mean 'agents'?")
    assert "(allowed: agents, opening_hours, handle_minutes" in problem


def test_wrong_type(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "service:\n  agents: six\n")
    (problem,) = error_of(path).problems
    assert problem == (f"{path}:2: service.agents: got 'six'; "
                       "allowed: a whole number from 0 to 100000")


@pytest.mark.parametrize("text", ["yes", "true", "2.5", "'4'", "[4]", "{n: 4}"])
def test_no_silent_coercion_into_a_count(tmp_path: Path, text: str) -> None:
    path = write(tmp_path, "x.yaml", f"service:\n  agents: {text}\n")
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}:2: service.agents: got ")
    assert problem.endswith("allowed: a whole number from 0 to 100000")


def test_probability_outside_0_1(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "service:\n  first_contact_resolution: 1.3\n")
    (problem,) = error_of(path).problems
    assert problem == (f"{path}:2: service.first_contact_resolution: got 1.3; "
                       "allowed: a number from 0 to 1")


def test_negative_count(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "market:\n  initial_customers: -5\n")
    (problem,) = error_of(path).problems
    assert problem == (f"{path}:2: market.initial_customers: got -5; "
                       "allowed: a whole number from 0 to 50000000")


def test_min_above_max_from_the_schema_validator(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """
        name: x
        word_of_mouth:
          told_by_happy: {min: 9, max: 3}
        """)
    (problem,) = error_of(path).problems
    assert problem == f"{path}:3: word_of_mouth.told_by_happy: min (9) is above max (3)"


def test_unknown_distribution_family_names_the_allowed_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """
        service:
          handle_minutes:
            distribution: weibull
            mean: 3
        """)
    (problem,) = error_of(path).problems
    assert problem == (f"{path}:3: service.handle_minutes.distribution: got 'weibull'; "
                       "allowed: one of fixed, exponential, lognormal, gamma")


def test_missing_distribution_parameter(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "service:\n  handle_minutes: {distribution: gamma, mean: 3}\n")
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}:2: service.handle_minutes.cv: required but not given; "
                              "allowed: a number above 0 and at most 10")


def test_missing_extends_target(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "name: x\nextends: missing.yaml\n")
    (problem,) = error_of(path).problems
    assert problem == (f"{path}:2: extends: 'missing.yaml' not found "
                       f"(looked in {tmp_path.resolve()})")


def test_extends_cycle(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\n")
    (problem,) = error_of(a).problems
    assert "extends cycle: " in problem
    assert problem.endswith(f"{tmp_path}/a.yaml -> {tmp_path}/b.yaml -> {tmp_path}/a.yaml")
    me = write(tmp_path, "me.yaml", "extends: me.yaml\n")
    assert error_of(me).problems[0].endswith("me.yaml -> " + str(me))


def test_extends_must_be_a_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "extends: [a.yaml]\n")
    assert "extends: got [\"a.yaml\"]; allowed: the file name" in str(error_of(path))


@pytest.mark.parametrize("item", ["service.agents", "=3", "service..agents=3", ""])
def test_malformed_set(tmp_path: Path, item: str) -> None:
    path = write(tmp_path, "x.yaml", "")
    (problem,) = error_of(path, (item,)).problems
    assert problem.startswith("--set ")
    assert "dotted" in problem


def test_set_value_that_is_not_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "")
    (problem,) = error_of(path, ("service.agents=[1,",)).problems
    assert problem.startswith("--set service.agents: cannot read the value '[1,' as YAML")


def test_errors_from_set_name_the_set_as_origin(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "service:\n  agents: 3\n")
    err = error_of(path, ("service.agents=-1", "service.agnets=2"))
    assert err.problems == [
        "--set service.agents: got -1; allowed: a whole number from 0 to 100000",
        "--set service.agnets: unknown key; did you mean 'agents'? (allowed: agents, "
        + err.problems[1].split("(allowed: agents, ", 1)[1],
    ]


def test_set_inside_a_section_blames_the_set_for_the_sections_check(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "word_of_mouth:\n  told_by_happy: {min: 1, max: 3}\n")
    (problem,) = error_of(path, ("word_of_mouth.told_by_happy.min=4",)).problems
    assert problem == ("--set word_of_mouth.told_by_happy.min: word_of_mouth.told_by_happy: "
                       "min (4) is above max (3)")


def test_set_through_a_value_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", ON_BASELINE)
    (problem,) = error_of(path, ("service.agents.day=3",)).problems
    assert problem == ("--set service.agents.day: cannot set it, service.agents is "
                       f"{Scenario().service.agents}, not a mapping")


def test_unknown_path_in_changes_points_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """
        name: x
        changes:
          service.agents: 4
          economics.discout_rate_annual: 0.1
        """)
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}:4: economics.discout_rate_annual: unknown key; "
                              "did you mean 'discount_rate_annual'?")


def test_changes_must_be_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", "name: x\nchanges: [service.agents=4]\n")
    (problem,) = error_of(path).problems
    assert problem.startswith(f"{path}:2: changes: got [")


def test_errors_in_a_parent_point_into_the_parent(tmp_path: Path) -> None:
    parent = write(tmp_path, "parent.yaml", """
        name: parent
        service:
          agents: 3
          first_contact_resolution: 2
        """)
    child = write(tmp_path, "child.yaml", """
        extends: parent.yaml
        service:
          agents: 4
          later_contact_resolution: -0.5
        """)
    err = error_of(child)
    assert err.problems == [
        f"{parent}:4: service.first_contact_resolution: got 2; allowed: a number from 0 to 1",
        f"{child}:4: service.later_contact_resolution: got -0.5; allowed: a number from 0 to 1",
    ]


def test_line_numbers_point_at_the_offending_line(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """
        # a comment
        name: lines

        market:
          population: 1000
          network:
            kind: ring
        fulfilment:
          guarantee:
            enabled: maybe
        attrition:
          competitor_shocks:
            - start_day: 10
              duration_days: 0
              hazard_multiplier: 2
        """)
    err = error_of(path)
    assert sorted(err.problems) == sorted([
        f"{path}:7: market.network.kind: got 'ring'; "
        "allowed: one of 'fully_mixed', 'small_world', 'scale_free'",
        f"{path}:10: fulfilment.guarantee.enabled: got 'maybe'; allowed: true or false",
        f"{path}:14: attrition.competitor_shocks.0.duration_days: got 0; "
        "allowed: a number above 0 and at most 36500",
    ])
    # a section's own check (it runs once its fields are valid) points at the section
    path = write(tmp_path, "y.yaml", "name: y\nmarket:\n  population: 1000\n")
    assert error_of(path).problems == [
        f"{path}:2: market: initial_customers ({Scenario().market.initial_customers}) is "
        "above population (1000)"
    ]


def test_file_problems(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    assert str(error_of(missing)).startswith(f"{missing}: scenario file not found")
    a_list = write(tmp_path, "list.yaml", "- 1\n- 2\n")
    assert "top level must be a mapping" in str(error_of(a_list))
    scalar = write(tmp_path, "scalar.yaml", "hello\n")
    assert "top level must be a mapping" in str(error_of(scalar))
    assert "is a directory" in str(error_of(tmp_path))
    dup = write(tmp_path, "dup.yaml", "service:\n  agents: 3\n  agents: 4\n")
    assert error_of(dup).problems == [
        f"{dup}:3: service.agents: duplicate key (first given at line 2)"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = write(tmp_path, "x.yaml", """
        service:
          agents: -1
          first_contact_resolution: 3
        loyalty:
          orders_for_repeat: 0
        """)
    assert len(error_of(path).problems) == 3


# ---------------------------------------------------------------------- round trip


def test_dump_resolved_round_trips(tmp_path: Path) -> None:
    write(tmp_path, "parent.yaml", """
        name: parent
        description: "a description: with a colon\\nand a second line"
        service:
          handle_minutes: {distribution: gamma, mean: 7.5, cv: 0.4}
        attrition:
          competitor_shocks:
            - {start_day: 30, duration_days: 60, hazard_multiplier: 2.5}
        """)
    child = write(tmp_path, "child.yaml", """
        extends: parent.yaml
        name: child
        changes:
          service.patience_minutes: null
          acquisition.advertising_rate_per_year: 1.5e-5
        """)
    s = load_scenario(child, ["service.agents=11"], seed=2024)
    text = dump_resolved(s, version="9.9.9")
    assert text.startswith("# Resolved scenario")
    assert "run again as is" in text
    body = "".join(line for line in text.splitlines(True) if not line.startswith("#"))
    assert "extends" not in body and "changes" not in body
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys == list(Scenario.model_fields)
    again = load_scenario(write(tmp_path, "resolved.yaml", text))
    assert again == s.model_copy(update={"version": "9.9.9"})
    assert again.version == "9.9.9"
    assert load_scenario(write(tmp_path, "resolved2.yaml", dump_resolved(again, version="9.9.9"))) \
        == again


# --------------------------------------------------------------------------- paths


def test_numeric_parameters_know_their_bounds() -> None:
    params = {p.path: p for p in numeric_parameters()}
    agents = params["service.agents"]
    assert (agents.kind, agents.lower, agents.lower_inclusive) == ("int", 0, True)
    fcr = params["service.first_contact_resolution"]
    assert (fcr.kind, fcr.lower, fcr.upper) == ("float", 0, 1)
    assert fcr.lower_inclusive and fcr.upper_inclusive
    assert fcr.description
    hours = params["service.opening_hours.start_hour"]
    assert (hours.upper, hours.upper_inclusive) == (24, False)
    assert "fulfilment.guarantee.enabled" not in params  # bool
    assert "name" not in params  # str
    handle = params["service.handle_minutes.mean"]  # a distribution's default family
    assert (handle.kind, handle.lower, handle.lower_inclusive, handle.upper) == ("float", 0, False, 480)
    assert handle.unit == "minutes" and handle.description.startswith("time an agent spends")
    assert params["service.handle_minutes.cv"].upper == 10
    assert params["service.patience_minutes.mean"].upper == 1440
    assert not any(p.startswith("attrition.competitor_shocks") for p in params)  # lists
    assert len(params) == len(numeric_parameters())  # no duplicates


def test_every_numeric_parameter_has_a_finite_range_a_unit_and_a_meaning() -> None:
    for p in numeric_parameters():
        assert p.lower is not None and p.upper is not None, p.path
        assert p.lower < p.upper < float("inf"), p.path
        assert p.unit, f"{p.path}: give it json_schema_extra={{'unit': ...}} (see schema.py)"
        assert p.description, p.path


def test_every_numeric_parameter_is_readable() -> None:
    s = Scenario()
    for p in numeric_parameters():
        value = get_path(s, p.path)
        assert type(value) is (int if p.kind == "int" else float), p.path
        assert p.contains(value), p.path


def test_get_path_reads_lists_and_reports_unknown_paths(tmp_path: Path) -> None:
    s = load_scenario(write(tmp_path, "x.yaml", ON_BASELINE),
                      ["attrition.competitor_shocks=[{start_day: 1, duration_days: 2, "
                       "hazard_multiplier: 3}]", "service.handle_minutes.mean=8"])
    assert get_path(s, "attrition.competitor_shocks.0.start_day") == 1
    assert get_path(s, "service.handle_minutes.mean") == 8.0
    with pytest.raises(ScenarioError, match="did you mean 'agents'"):
        get_path(s, "service.agnets")
    with pytest.raises(ScenarioError, match="out of range"):
        get_path(s, "attrition.competitor_shocks.3")
    with pytest.raises(ScenarioError, match="is a value"):
        get_path(s, "service.agents.x")


def test_a_file_with_very_many_problems_lists_the_first_fifty_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("".join(f"unknown_key_{i}: 1\n" for i in range(SHOWN + 30)))
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert len(caught.value.problems) == SHOWN + 30  # every problem kept
    lines = str(caught.value).splitlines()
    assert len(lines) == SHOWN + 1 and lines[-1].startswith("... and 30 more problems")
