"""churn-sim: a SimPy discrete-event simulator of customers, service quality, word of
mouth and churn.

The public API, for notebooks and other tools::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/baseline.yaml", ["service.agents=4"]))
    result.kpis()          # one row per replication
    result.timeseries()    # one row per replication and day
    result.churn_events()  # one row per churn
    result.desk_by_hour()  # the desk by weekday and hour of arrival
"""

from sim.engine import Model, run_replication
from sim.metrics import KPI_NAMES, kpis
from sim.output import summary, write_outputs
from sim.recorder import CAUSES, ReplicationResult
from sim.runner import RunResult, run
from sim.scenario import Scenario, ScenarioError, dump_resolved, load_scenario
from sim.version import __version__, full_version

__all__ = [
    "CAUSES",
    "KPI_NAMES",
    "Model",
    "ReplicationResult",
    "RunResult",
    "Scenario",
    "ScenarioError",
    "__version__",
    "dump_resolved",
    "full_version",
    "kpis",
    "load_scenario",
    "run",
    "run_replication",
    "summary",
    "write_outputs",
]
