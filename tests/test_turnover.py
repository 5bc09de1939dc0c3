"""The market turns over (sim.model.turnover): people leave at the yearly rate, whatever their status,
and a new prospect takes the slot, its ties and a fresh life drawn from the slot's own sequence."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats
from test_mechanisms import QUIET, binomial_ok, poisson_ok, scenario

from sim.core.calendar import DAYS_PER_MONTH
from sim.core.vocabulary import CAUSES, DIED, HAZARD, PATHS
from sim.core.world import CUSTOMER, FORMER, PROSPECT
from sim.model.replication import Model, run_replication
from sim.outputs.tables import timeseries_frame

RATE = 0.6  # per year: large, so a short run has many exits


def turning(**market: object) -> dict[str, object]:
    return {"horizon_days": 120, "market": {"population": 4000, "initial_customers": 2000,
                                            "turnover_per_year": RATE, **market}}


def test_everyone_leaves_the_market_at_the_rate_and_customers_count_as_moved_away() -> None:
    sc = scenario(QUIET, turning(initial_former_share=0.5))
    m = Model(sc, 0)
    result = m.run()
    years = sc.horizon_days / 365.0
    entries = float(result.daily["market_entries"].sum())
    # Each of the 4,000 slots is emptied at the rate, over and over: Poisson in slot-years.
    assert poisson_ok(entries, 4000 * years, RATE), entries
    assert timeseries_frame([result], sc)["market_entries"].sum() == entries  # written day by day
    moved = result.churn["cause"] == CAUSES.index("moved_away")
    assert moved.all() and (result.churn["path"] == PATHS.index("hazard")).all()
    # Customers were half the market: each leaves by the horizon with 1 - exp(-rate T).
    assert binomial_ok(float(moved.sum()), 2000, 1 - math.exp(-RATE * years))
    people = m.world.people
    assert int((people.view("generation") > 0).sum()) <= entries  # slots emptied twice count twice
    status = people.view("status")
    assert (status == CUSTOMER).sum() + len(result.churn["day"]) == 2000  # nobody joins in QUIET
    assert ((status == PROSPECT) | (status == FORMER) | (status == CUSTOMER)).all()


def test_a_new_prospect_has_fresh_state_the_same_ties_and_traits_from_the_slots_own_sequence() -> None:
    sc = scenario(QUIET, turning(initial_former_share=0.0))
    m = Model(sc, 0)
    people = m.world.people
    slot = int(np.flatnonzero(people.view("status") == CUSTOMER)[0])
    ties = list(m.network.neighbours(slot))
    people.complaint_memory[slot] = 3.0
    people.orders[slot] = 7
    m.turnover.leave(slot)
    assert people.status[slot] == PROSPECT and people.generation[slot] == 1
    assert people.complaint_memory[slot] == 0.0 and people.orders[slot] == 0 and people.level[slot] == 0
    assert list(m.network.neighbours(slot)) == ties
    traits = (people.order_rate[slot], people.propensity[slot], people.expectation[slot], people.key[slot])
    # The same slot's next person in another scenario (other service, other hazards) is the same person.
    other = Model(scenario(QUIET, turning(initial_former_share=0.0), {"service": {"agents": 5},
                                                                       "attrition": {"died_per_year": 0.3}}), 0)
    other.turnover.leave(slot)
    p = other.world.people
    assert (p.order_rate[slot], p.propensity[slot], p.expectation[slot], p.key[slot]) == traits


def test_new_prospects_traits_follow_the_configured_distributions() -> None:
    """Order rate (gamma) and expectation (Beta) of 3,000 newcomers, by inverse distribution
    functions, against the same distributions (Kolmogorov-Smirnov, 0.1 % level)."""
    sc = scenario(QUIET, turning(), {"customers": {"orders_per_month": {"mean": 1.5, "cv": 0.8},
                                                   "expectation": {"mean": 0.8, "sd": 0.06}}})
    m = Model(sc, 0)
    people = m.world.people
    slots = range(3000)
    for slot in slots:
        m.turnover.replace(slot)
    shape = 1 / 0.8**2
    rates = np.array([people.order_rate[s] for s in slots]) * DAYS_PER_MONTH
    assert stats.kstest(rates, stats.gamma(shape, scale=1.5 / shape).cdf).pvalue > 0.001
    common = 0.8 * 0.2 / 0.06**2 - 1
    expect = np.array([people.expectation[s] for s in slots])
    assert stats.kstest(expect, stats.beta(0.8 * common, 0.2 * common).cdf).pvalue > 0.001


def test_a_death_empties_the_slot_and_its_pending_exit_is_void() -> None:
    sc = scenario(QUIET, turning(initial_former_share=0.0))
    m = Model(sc, 0)
    slot = int(np.flatnonzero(m.world.people.view("status") == CUSTOMER)[0])
    m.attrition.churn(slot, DIED, HAZARD)
    assert m.world.people.generation[slot] == 1
    result = m.run()
    # The dead person's own exit, if it was due in the run, is skipped: no one leaves twice.
    assert int(result.daily["market_entries"].sum()) == int(m.world.people.view("generation").sum())


@pytest.mark.parametrize("rate", [0.0, RATE])
def test_a_rate_of_0_replaces_nobody_and_runs_reproduce(rate: float) -> None:
    """With the rate 0 nobody is replaced; either way results are reproducible."""
    sc = scenario(QUIET, turning(turnover_per_year=rate))
    a, b = run_replication(sc, 0), run_replication(sc, 0)
    assert np.array_equal(a.daily["market_entries"], b.daily["market_entries"])
    if rate == 0:
        assert a.daily["market_entries"].sum() == 0
