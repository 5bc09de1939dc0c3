"""Scenarios: the typed schema, and the loader that turns YAML files into it."""

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import dump_resolved, load_scenario, resolve_raw
from sim.scenario.paths import Parameter, get_path, numeric_parameters
from sim.scenario.schema import Scenario

__all__ = [
    "Parameter",
    "Scenario",
    "ScenarioError",
    "dump_resolved",
    "get_path",
    "load_scenario",
    "numeric_parameters",
    "resolve_raw",
]
