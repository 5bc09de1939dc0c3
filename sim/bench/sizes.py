"""A scenario at another market size and window, as ``benchmarks/bench.py`` scales it.

The population and the initial customers scale together (so the initial state keeps the
baseline's shares and the market its steady state), the warm-up is 0 (the cost of a day of
the model, not of its warm-up: the baseline's initial state is near its steady state already)
and the measured window is ``days`` long.
"""

from __future__ import annotations

from sim.scenario.schema import Scenario


def scaled(base: Scenario, people: int, days: int) -> Scenario:
    """``base`` with ``people`` people, the initial customers in proportion, ``days`` days and no warm-up."""
    m = base.market
    factor = people / m.population
    return base.model_copy(update={
        "horizon_days": days,
        "warmup_days": 0,
        "market": m.model_copy(update={
            "population": people,
            "initial_customers": int(m.initial_customers * factor),
        }),
    })
