"""Investments in time: the scenario a replication runs under on each day of an investment's ramp.

A scenario's top-level parameters (after ``extends``, ``changes`` and ``--set``) hold from the
start of the warm-up: "what if we had always …". Its ``investments`` take effect inside the
run: investment i's changes start on day ``start_day`` of the measured window and reach their
new values over ``ramp_days`` — on day ``start_day + k`` a number has moved
``(k + 1) / (ramp_days + 1)`` of the way from the value before it (a whole number, such as
agents, steps at the rounded points), and a switch, a text or a distribution whose family
changes takes its new value at the end of the ramp. A distribution of the same family ramps
its mean and spread. Investments apply in the order listed; a later one's changes apply over
an earlier one's.

:func:`schedule` turns a scenario into the list of ``(day, scenario)`` switches a replication
makes (:func:`sim.model.replication.run_replication` follows it). What is drawn when a
replication is built cannot change mid-run (:data:`FIXED_AT_START`), and an investment that
tries is refused when the scenario is loaded.
"""

from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from sim.scenario.errors import ScenarioError, problems_from
from sim.scenario.schema import Scenario

# Parameters used only when a replication is built, and why: a change of scenario mid-run must
# leave them as they are.
FIXED_AT_START: dict[str, str] = {
    "seed": "the random numbers are keyed by it from the first draw",
    "replications": "a property of the run, not of a day",
    "horizon_days": "the window's length is set when the run starts",
    "warmup_days": "the warm-up is over before any investment starts",
    "market": "the market, its people and their network are drawn when the replication is built",
    "customers.orders_per_month": "each person's order rate is a trait drawn when they enter the market",
    "customers.churn_propensity_cv": "each person's churn propensity is a trait drawn when they enter",
    "customers.expectation": "each person's expectation is a trait drawn when they enter the market",
    "investments": "investments are the scenario's plan, not something an investment changes",
}


def fixed_path(path: str) -> str | None:
    """The entry of :data:`FIXED_AT_START` that covers dotted ``path``, if any."""
    for fixed in FIXED_AT_START:
        if path == fixed or path.startswith(fixed + "."):
            return fixed
    return None


def fixed_differences(current: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The entries of :data:`FIXED_AT_START` in which two scenario dumps differ."""
    out = []
    for path in FIXED_AT_START:
        x: Any = current
        y: Any = new
        for part in path.split("."):
            x, y = x[part], y[part]
        if x != y:
            out.append(path)
    return out


def _blend(old: Any, new: Any, fraction: float) -> Any:
    """``fraction`` of the way from ``old`` to ``new``: numbers move (whole numbers rounded),
    same-shaped mappings blend key by key, anything else switches when the fraction is 1."""
    if fraction >= 1.0:
        return copy.deepcopy(new)
    if isinstance(old, bool) or isinstance(new, bool):
        return old
    if isinstance(old, int) and isinstance(new, int):
        return int(math.floor(old + fraction * (new - old) + 0.5))
    if isinstance(old, int | float) and isinstance(new, int | float):
        return float(old + fraction * (new - old))
    if (isinstance(old, dict) and isinstance(new, dict)
            and old.get("distribution") == new.get("distribution")):
        return {key: _blend(old[key], value, fraction) if key in old else value
                for key, value in {**old, **new}.items()}
    return old


def _set(data: dict[str, Any], path: str, value: Any, fraction: float) -> None:
    parts = path.split(".")
    node: Any = data
    for part in parts[:-1]:
        if not isinstance(node, dict) or part not in node or not isinstance(node[part], dict):
            raise KeyError(path)
        node = node[part]
    last = parts[-1]
    if not isinstance(node, dict) or last not in node:
        raise KeyError(path)
    old = node[last]
    if isinstance(old, dict) and isinstance(value, dict) and (
            "distribution" not in value or value.get("distribution") == old.get("distribution")):
        value = {**old, **value}  # a partial mapping merges, as in a scenario's changes
    node[last] = _blend(old, value, fraction)


def apply(data: dict[str, Any], changes: Mapping[str, Any], fraction: float = 1.0) -> dict[str, Any]:
    """A copy of scenario dump ``data`` with ``changes`` applied ``fraction`` of the way."""
    out = copy.deepcopy(data)
    for path, value in changes.items():
        _set(out, path, value, fraction)
    return out


def problems(scenario: Scenario, where: Callable[[int, str], str] | None = None) -> list[str]:
    """What is wrong with a validated scenario's investments, one line each (empty: nothing):
    a change to a parameter that does not exist, cannot change mid-run, or gets a value the
    schema refuses. ``where(i, path)`` names the place of investment i's change of ``path``
    (the file and line)."""
    data = scenario.model_dump(mode="json")
    found: list[str] = []
    for i, investment in enumerate(scenario.investments):
        def at(path: str, i: int = i) -> str:
            return f"{where(i, path)}: " if where is not None else ""

        label = f"investments[{i}] ({investment.name}).changes"
        bad = False
        for path in investment.changes:
            fixed = fixed_path(path)
            if fixed is not None:
                bad = True
                found.append(f"{at(path)}{label}: {path}: cannot change mid-run ({FIXED_AT_START[fixed]}); "
                             "allowed: any other parameter, or a top-level change (from the warm-up's start)")
        if bad:
            continue
        try:
            changed = apply(data, investment.changes)
        except KeyError as err:
            found.append(f"{at(err.args[0])}{label}: {err.args[0]}: no such parameter "
                         "(run_sim.py params lists them)")
            continue
        try:
            Scenario.model_validate(changed)
        except ValidationError as err:
            first = next(iter(investment.changes), "")
            found.extend(f"{at(first)}{label}: {line.removeprefix(': ')}"
                         for line in problems_from(err, Scenario, _constant("")))
        data = changed
    return found


def schedule(scenario: Scenario) -> list[tuple[int, Scenario]]:
    """The ``(day of the measured window, scenario)`` switches a replication of ``scenario``
    makes for its investments, in day order; empty without investments."""
    if not scenario.investments:
        return []
    return list(_schedule(scenario.model_dump_json()))


@functools.lru_cache(maxsize=32)
def _schedule(dumped: str) -> tuple[tuple[int, Scenario], ...]:
    scenario = Scenario.model_validate_json(dumped)
    base = scenario.model_dump(mode="json")
    days = sorted({inv.start_day + k for inv in scenario.investments for k in range(inv.ramp_days + 1)
                   if inv.start_day + k < scenario.horizon_days})
    switches: list[tuple[int, Scenario]] = []
    previous = base
    for day in days:
        data = base
        for inv in scenario.investments:
            if day >= inv.start_day:
                data = apply(data, inv.changes, min(1.0, (day - inv.start_day + 1) / (inv.ramp_days + 1)))
        if data != previous:
            try:
                switches.append((day, Scenario.model_validate(data)))
            except ValidationError as err:
                raise ScenarioError(problems_from(err, Scenario, _constant(f"day {day}, in an investment's ramp"))) from None
            previous = data
    return tuple(switches)


def _constant(origin: str) -> Callable[[tuple[Any, ...]], str]:
    def of(parts: tuple[Any, ...]) -> str:
        return origin

    return of
