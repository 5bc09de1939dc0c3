"""How big a run is, before it starts: memory per process and time per replication.

A replication holds every person of the market (traits, state, the social network) in
memory and advances all of them day by day, so both its memory and its time follow the
market's ``population`` (and the time also the days simulated, warm-up included). The
constants below were measured with ``.venv/bin/python benchmarks/bench.py --footprint
--days 120 --scale 1 10`` and ``--scale 4 40`` (the steady-state baseline from its initial
state, one replication per fresh process, on the 2-core CI machine), and the memory also with
``--days 1459 --scale 1 10`` (the baseline's length, warm-up included):

* peak resident memory 155 MB at 15,000 people, 203 MB at 150,000 and 374 MB at 600,000 over
  120 days: a fixed ~150 MB (Python, NumPy, SciPy, pandas, SimPy, the code) plus ~370 bytes
  per person, the peak now set by the run, not by building the market (1,025 bytes per person
  before the social network was built in chunks); over the baseline's 1,459 days, 163 MB and
  226 MB: ~156 MB plus ~470 bytes per person, what the run accumulates as it goes included
  (the estimate takes these);
* 0.221 µs per person-day at 15,000 people, 0.289 at 60,000, 0.297 at 150,000, 0.432 at
  600,000: the cost per person-day grows about as population^0.18 (caches), which the
  estimate follows. (Before the market turned over and the baseline started in its steady
  state it was 0.124 µs at 15,000 and 0.334 at 600,000: more of the market now acts — former
  customers won back, more advocates telling.) It gives ~0.63 µs at 5,000,000 people, where
  a run of the issue-11 report measured ~1.2 on the older model, so the estimate is a lower
  bound for very large markets.

The command line refuses a run whose memory estimate exceeds the memory available
(``--no-size-check`` overrides) and warns when it will take more than a few minutes.
The machine's memory can be injected (``CHURN_SIM_AVAILABLE_MEMORY``, in bytes) so that
tests never depend on it, nor need to allocate a big market.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from sim.scenario.schema import Scenario

BASE_BYTES = 156_000_000
BYTES_PER_PERSON = 470
SECONDS_PER_PERSON_DAY = 0.432e-6  # at REFERENCE_PEOPLE
REFERENCE_PEOPLE = 600_000
SIZE_EXPONENT = 0.18
LONG_RUN_SECONDS = 180.0
MEMORY_ENV = "CHURN_SIM_AVAILABLE_MEMORY"


@dataclass(frozen=True)
class SizeEstimate:
    processes: int
    bytes_per_process: int
    memory_bytes: int
    seconds_per_replication: float
    seconds: float


def estimate(scenario: Scenario, workers: int) -> SizeEstimate:
    """Memory and time of running ``scenario`` on ``workers`` processes."""
    people = scenario.market.population
    processes = max(1, min(workers, scenario.replications))
    per_process = BASE_BYTES + BYTES_PER_PERSON * people
    # with worker processes, the main process (which only collects results) adds its base
    memory = per_process * processes + (BASE_BYTES if processes > 1 else 0)
    per_day = SECONDS_PER_PERSON_DAY * (people / REFERENCE_PEOPLE) ** SIZE_EXPONENT
    per_replication = per_day * people * (scenario.warmup_days + scenario.horizon_days)
    rounds = math.ceil(scenario.replications / processes)
    return SizeEstimate(processes, per_process, memory, per_replication, per_replication * rounds)


def available_memory() -> int | None:
    """Bytes of memory available to a new run: ``$CHURN_SIM_AVAILABLE_MEMORY`` if set, else
    MemAvailable of /proc/meminfo; None where neither is known."""
    injected = os.environ.get(MEMORY_ENV)
    if injected:
        return int(injected)
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
