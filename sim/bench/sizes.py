"""A scenario at another market size and window, as ``benchmarks/bench.py`` scales it.

The population and the initial customers scale together (so the initial state keeps the
baseline's shares and the market its steady state), and so does the support desk: its agents,
and those of every staffing block, in proportion (rounded, at least one unless none), so that the desk is
about as busy at every size — the baseline's two agents, about 40 % busy at 15,000 people,
would face 66 times the contacts at 1 M and lose nearly all of them to abandonment, each an
unhappy customer telling 10–20 people: another workload, not the same one at scale. The
warm-up is 0 (the cost of a day of the model, not of its warm-up: the baseline's initial state
is near its steady state already) and the measured window is ``days`` long.
"""

from __future__ import annotations

from sim.scenario.schema import Scenario


def scaled(base: Scenario, people: int, days: int) -> Scenario:
    """``base`` with ``people`` people, the initial customers and the desk's agents in proportion,
    ``days`` days and no warm-up."""
    m, service = base.market, base.service
    factor = people / m.population

    def agents(n: int) -> int:  # a closed block (0 agents) stays closed
        return 0 if n == 0 else max(1, int(n * factor + 0.5))

    return base.model_copy(update={
        "horizon_days": days,
        "warmup_days": 0,
        "market": m.model_copy(update={
            "population": people,
            "initial_customers": int(m.initial_customers * factor),
        }),
        "service": service.model_copy(update={
            "agents": agents(service.agents),
            "staffing": [block.model_copy(update={"agents": agents(block.agents)}) for block in service.staffing],
        }),
    })
