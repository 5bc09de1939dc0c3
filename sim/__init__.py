"""churn-sim: a SimPy discrete-event simulator of customers, service quality, word of
mouth and churn.

The public API, for notebooks and other tools::

    from sim import load_scenario, run
    result = run(load_scenario("scenarios/baseline.yaml", ["service.agents=4"]))
    result.kpis()          # one row per replication
    result.timeseries()    # one row per replication and day
    result.churn_events()  # one row per churn
    result.desk_by_hour()  # the desk by weekday and hour of arrival
    a, b = run_many([scenario_a, scenario_b], workers=4)  # one run over both scenarios' replications
"""

from sim.core.recorder import ReplicationResult
from sim.core.version import __version__, full_version
from sim.core.vocabulary import CAUSES
from sim.experiments.runner import run, run_many
from sim.model.replication import Model, run_replication
from sim.outputs.files import summary, write_outputs
from sim.outputs.kpis import KPI_NAMES, kpis
from sim.outputs.tables import RunResult
from sim.scenario import Scenario, ScenarioError, dump_resolved, load_scenario

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
    "run_many",
    "run_replication",
    "summary",
    "write_outputs",
]
