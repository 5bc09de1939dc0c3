"""A comparison: a baseline and the alternatives to set against it, each run on the same seed.

A comparison file names them, paths relative to the file::

    name: compare_investments
    description: Which service investment pays?
    baseline: baseline.yaml
    alternatives:
      - whatif/more_agents.yaml                 # a scenario file (its investments)
      - name: agents_and_training               # a combination: the files' investments joined
        combine: [whatif/more_agents.yaml, whatif/training.yaml]
    replications: 10                           # optional: for every scenario
    seed: 20261125                             # optional: for every scenario (else the baseline's)

``run_sim.py compare BASELINE.yaml ALT.yaml …`` is the same without a file. Every scenario runs
with the same seed and replication numbers, so the comparison is paired. An alternative is
meant to differ from the baseline by its investments only (changes from their start day);
one whose other parameters differ is "an alternative world" (its changes run through the
warm-up) and is refused unless ``allow_warmup_changes`` is set.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from sim.scenario.errors import ScenarioError, problems_from
from sim.scenario.loader import load_scenario
from sim.scenario.schema import Scenario

# What may differ between a baseline and an investment alternative besides the investments.
_OWN = ("name", "description", "version", "investments")


class Combination(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, description="the combined alternative's name")
    combine: list[str] = Field(min_length=1, max_length=20,
                               description="scenario files whose investments are joined, in order")


class ComparisonSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field("comparison", min_length=1, max_length=100, description="the comparison's name")
    description: str = Field("", max_length=500, description="what it is about")
    baseline: str = Field(min_length=1, description="the baseline scenario file")
    alternatives: list[str | Combination] = Field(
        min_length=1, max_length=50, description="scenario files, or combinations of their investments")
    replications: Annotated[int, Field(ge=1, le=100_000)] | None = Field(None, description="for every scenario")
    seed: Annotated[int, Field(ge=0, lt=2**63)] | None = Field(None, description="for every scenario")


@dataclass(frozen=True)
class Comparison:
    """The loaded comparison: its name and the scenarios, all on one seed and replications."""

    name: str
    description: str
    baseline: Scenario
    alternatives: tuple[Scenario, ...]


def is_comparison_file(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` looks like a comparison file (a mapping with ``baseline:``), not a scenario."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return any(line.startswith("baseline:") for line in text.splitlines())


def differences(baseline: Scenario, alternative: Scenario) -> list[str]:
    """The dotted paths (to the first level that differs) where ``alternative`` differs from
    ``baseline`` other than in its name, description and investments."""
    def walk(a: Any, b: Any, prefix: str) -> list[str]:
        if isinstance(a, dict) and isinstance(b, dict) and "distribution" not in a:
            return [p for key in a for p in walk(a[key], b.get(key), f"{prefix}{key}.")]
        return [] if a == b else [prefix.rstrip(".")]

    a = baseline.model_dump(mode="json", exclude=set(_OWN) | {"seed", "replications"})
    b = alternative.model_dump(mode="json", exclude=set(_OWN) | {"seed", "replications"})
    return walk(a, b, "")


def warmup_changes(path: str | os.PathLike[str], scenario: Scenario) -> list[str]:
    """Where a loaded scenario's own parameters (its keys, ``changes`` and ``--set``) differ from
    what its file extends — changes that hold from the start of the warm-up. Empty for a file
    that extends nothing or that cannot be read again."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return []
    parent = data.get("extends") if isinstance(data, dict) else None
    if not isinstance(parent, str):
        return []
    try:
        base = load_scenario(Path(path).parent / parent)
    except ScenarioError:
        return []
    return differences(base, scenario)


def combine(name: str, scenarios: Sequence[Scenario], where: str) -> Scenario:
    """The first scenario with the investments of all of them, joined in order."""
    joined = [inv for s in scenarios for inv in s.investments]
    names = [inv.name for inv in joined]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ScenarioError(f"{where}: {name}: the combined files have investments of the same name "
                            f"({', '.join(twice)}); allowed: investments with different names")
    data = scenarios[0].model_dump()
    data.update(name=name, description=" + ".join(s.name for s in scenarios), investments=joined)
    return Scenario.model_validate(data)


def load_comparison(
    files: Sequence[str | os.PathLike[str]],
    overrides: Sequence[str] = (),
    *,
    seed: int | None = None,
    replications: int | None = None,
    allow_warmup_changes: bool = False,
) -> Comparison:
    """A comparison from a comparison file (one path) or from scenario files (the baseline
    first). ``overrides`` (``--set``), ``seed`` and ``replications`` apply to every scenario."""
    if len(files) == 1:
        spec, base_dir, display = _read_spec(Path(files[0]))
        name, description = spec.name, spec.description
        baseline_file: str | os.PathLike[str] = base_dir / spec.baseline
        entries: list[str | Combination] = list(spec.alternatives)
        seed = seed if seed is not None else spec.seed
        replications = replications if replications is not None else spec.replications
    else:
        display, base_dir = "command line", Path()
        baseline_file, entries = files[0], [os.fspath(f) for f in files[1:]]
        name, description = "comparison", ""
    problems: list[str] = []
    baseline = _load(baseline_file, overrides, seed, replications, problems)
    if baseline is None:
        raise ScenarioError(problems)
    seed = baseline.seed if seed is None else seed
    alternatives: list[Scenario] = []
    for entry in entries:
        if isinstance(entry, Combination):
            parts = [_load(base_dir / f, overrides, seed, replications, problems) for f in entry.combine]
            if all(p is not None for p in parts):
                try:
                    alternatives.append(combine(entry.name, [p for p in parts if p is not None], display))
                except ScenarioError as err:
                    problems.extend(err.problems)
        else:
            loaded = _load(base_dir / entry, overrides, seed, replications, problems)
            if loaded is not None:
                alternatives.append(loaded)
    if problems:
        raise ScenarioError(problems)
    _check(baseline, alternatives, display, allow_warmup_changes)
    return Comparison(name, description, baseline, tuple(alternatives))


def _read_spec(path: Path) -> tuple[ComparisonSpec, Path, str]:
    display = os.fspath(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"{display}: cannot read the comparison file: {err}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ScenarioError(f"{display}: not valid YAML: {err}".splitlines()[0]) from None
    if not isinstance(data, dict) or "baseline" not in data:
        raise ScenarioError(f"{display}: not a comparison file: allowed: a mapping with `baseline:` and "
                            "`alternatives:` (or give scenario files: compare BASELINE.yaml ALT.yaml …)")
    try:
        spec = ComparisonSpec.model_validate(data)
    except ValidationError as err:
        raise ScenarioError(problems_from(err, ComparisonSpec, lambda parts: display)) from None
    return spec, path.parent, display


def _load(path: str | os.PathLike[str], overrides: Sequence[str], seed: int | None,
          replications: int | None, problems: list[str]) -> Scenario | None:
    try:
        return load_scenario(path, overrides, seed=seed, replications=replications)
    except ScenarioError as err:
        problems.extend(err.problems)
        return None


def _check(baseline: Scenario, alternatives: Sequence[Scenario], display: str, allow: bool) -> None:
    problems = []
    names = [baseline.name, *(a.name for a in alternatives)]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        problems.append(f"{display}: scenario names must differ (they name the output folders): "
                        f"{', '.join(twice)} twice")
    for alt in alternatives:
        if alt.horizon_days != baseline.horizon_days or alt.warmup_days != baseline.warmup_days:
            problems.append(f"{display}: {alt.name}: horizon_days and warmup_days must equal the baseline's")
            continue
        differ = differences(baseline, alt)
        if differ and not allow:
            shown = ", ".join(differ[:6]) + (", …" if len(differ) > 6 else "")
            problems.append(
                f"{display}: {alt.name}: differs from the baseline {baseline.name} outside its investments "
                f"({shown}); those changes run from the start of the warm-up, so it is an alternative "
                "world, not an investment. Make them investments (from their start day), or pass "
                "--allow-warmup-changes to compare the two worlds")
    if problems:
        raise ScenarioError(problems)
