"""People's traits (sim.model.traits): one rule for the initial people and every newcomer —
the inverse distribution function of the person's own keyed uniform — so a change of a
trait's mean or spread keeps everyone's rank in it, and the traits follow the distributions
configured."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy import stats
from test_mechanisms import QUIET, scenario

from sim.core.calendar import DAYS_PER_MONTH
from sim.model.replication import Model
from sim.model.traits import draw_newcomer_traits, draw_traits, slot_keys

N = 3000
SMALL: dict[str, Any] = {"horizon_days": 30, "warmup_days": 0,
                         "market": {"population": N, "initial_customers": 500, "turnover_per_year": 0.5}}
BASE_TRAITS: dict[str, Any] = {
    "customers": {"orders_per_month": {"mean": 0.7, "cv": 0.8}, "churn_propensity_cv": 0.5,
                  "expectation": {"mean": 0.8, "sd": 0.06}},
    "market": {"initial_satisfaction": {"mean": 0.7, "sd": 0.1}},
}
FIELDS = {"order_rate": "orders_per_month", "propensity": "churn_propensity_cv",
          "expectation": "expectation", "satisfaction": "initial_satisfaction"}


def traits(*layers: dict[str, Any], newcomers: int = 0) -> tuple[Model, dict[str, np.ndarray]]:
    """The traits of the initial people — and, with ``newcomers``, of the next person in each
    of the first ``newcomers`` slots, in their place."""
    m = Model(scenario(QUIET, SMALL, BASE_TRAITS, *layers), 0)
    for slot in range(newcomers):
        m.turnover.replace(slot)
    return m, {name: m.world.people.view(name).copy() for name in FIELDS}


def _change(field: str, what: str) -> dict[str, Any]:
    """A scenario layer moving ``field``'s spread (``what`` "spread") or mean."""
    if field == "propensity":  # the mean is 1 by construction: only its spread is a parameter
        return {"customers": {"churn_propensity_cv": 0.7}}
    if field == "order_rate":
        new = {"cv": 0.7} if what == "spread" else {"mean": 1.1}
        return {"customers": {"orders_per_month": {"mean": 0.7, "cv": 0.8} | new}}
    section, name = ("customers", "expectation") if field == "expectation" else ("market", "initial_satisfaction")
    base = BASE_TRAITS[section][name]
    new = {"sd": base["sd"] * 1.5} if what == "spread" else {"mean": base["mean"] - 0.1}
    return {section: {name: base | new}}


CHANGES = [(field, what) for field in FIELDS for what in ("spread", "mean") if (field, what) != ("propensity", "mean")]


@pytest.mark.parametrize(("field", "what"), CHANGES)
@pytest.mark.parametrize("newcomers", [0, 1000])
def test_a_change_of_a_traits_mean_or_spread_keeps_everyones_rank_and_leaves_the_others(
    field: str, what: str, newcomers: int
) -> None:
    _, a = traits(newcomers=newcomers)
    _, b = traits(_change(field, what), newcomers=newcomers)
    assert not np.array_equal(a[field], b[field])  # the trait did change
    rho = stats.spearmanr(a[field], b[field]).statistic
    assert rho > 0.9999, rho
    for other in FIELDS:
        if other != field:
            assert np.array_equal(a[other], b[other]), other


def test_the_initial_people_are_generation_0_of_their_slots_drawn_as_the_newcomers() -> None:
    """A slot's initial person has the traits the newcomer rule gives for generation 0."""
    m, first = traits()
    people = m.world.people
    people.view("generation")[:5] = -1  # replace() makes generation 0 of these slots again
    for slot in range(5):
        m.turnover.replace(slot)
    for name in FIELDS:
        assert np.array_equal(people.view(name)[:5], first[name][:5]), name


@pytest.mark.parametrize("layer", [{}, {"customers": {"orders_per_month": {"mean": 0.7, "cv": 0.0}},
                                       "market": {"initial_satisfaction": {"mean": 0.7, "sd": 0.0}}}],
                         ids=["spread", "no spread"])
def test_a_newcomers_scalar_draws_are_the_vectorised_ones(layer: dict[str, Any]) -> None:
    """draw_newcomer_traits (one person, scalar draws: replace()) gives what draw_traits gives."""
    m = Model(scenario(QUIET, SMALL, BASE_TRAITS, layer), 0)
    world, people = m.world, m.world.people
    keys = slot_keys(world)
    rng = np.random.default_rng(3)
    slots = rng.choice(N, 300, replace=False)
    generations = rng.integers(0, 1 << 20, 300)
    draw_traits(world, slots, keys[slots], generations.astype(np.uint64))
    vectorised = {name: people.view(name)[slots].copy() for name in FIELDS}
    for name in FIELDS:
        people.view(name)[slots] = -1.0
    for slot, g in zip(slots.tolist(), generations.tolist(), strict=True):
        draw_newcomer_traits(world, slot, int(keys[slot]), g)
    for name in FIELDS:
        assert np.array_equal(people.view(name)[slots], vectorised[name]), name


@pytest.mark.parametrize("newcomers", [0, N])
def test_the_traits_follow_the_configured_distributions(newcomers: int) -> None:
    """Initial people, and newcomers in every slot, against gamma and Beta (Kolmogorov-Smirnov,
    0.1 % level)."""
    _, t = traits(newcomers=newcomers)
    for name, mean, cv in (("order_rate", 0.7, 0.8), ("propensity", 1.0, 0.5)):
        shape = 1 / cv**2
        values = t[name] * (DAYS_PER_MONTH if name == "order_rate" else 1.0)
        assert stats.kstest(values, stats.gamma(shape, scale=mean / shape).cdf).pvalue > 0.001, name
    for name, mean, sd in (("expectation", 0.8, 0.06), ("satisfaction", 0.7, 0.1)):
        common = mean * (1 - mean) / sd**2 - 1
        assert stats.kstest(t[name], stats.beta(mean * common, (1 - mean) * common).cdf).pvalue > 0.001, name
