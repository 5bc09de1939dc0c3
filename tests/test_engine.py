"""The engine: determinism, independent replications, workers, common random numbers,
and the book-keeping every replication must balance."""

from __future__ import annotations

import gc
import pickle
from typing import Any

import numpy as np
import pytest

from sim.core.recorder import CHURN_FIELDS, DAILY, Daily, Recorder, ReplicationResult
from sim.core.vocabulary import (
    CAUSES,
    COMPETITION,
    DIED,
    FRIENDS_INFLUENCE,
    HAZARD,
    MOVED_AWAY,
    OUTCOMES,
    POOR_SERVICE,
    PRODUCT_DISSATISFACTION,
    WORD_OF_MOUTH,
)
from sim.core.world import CUSTOMER
from sim.experiments.runner import run
from sim.model.replication import RUN_COLLECTION_THRESHOLD, Model, run_replication
from sim.outputs.kpis import KPI_NAMES, kpis
from sim.scenario.schema import Scenario

BASE: dict[str, Any] = {
    "seed": 777,
    "replications": 3,
    "horizon_days": 45,
    "warmup_days": 0,
    "market": {"population": 3000, "initial_customers": 1000},
    "attrition": {"competition_per_year": 0.3},
}


def scenario(**over: Any) -> Scenario:
    data = dict(BASE)
    data.update(over)
    return Scenario.model_validate(data)


def same(a: ReplicationResult, b: ReplicationResult) -> bool:
    return (
        (a.replication, a.seed, a.horizon_days, a.customers_start)
        == (b.replication, b.seed, b.horizon_days, b.customers_start)
        and a.daily.keys() == b.daily.keys()
        and all(np.array_equal(a.daily[k], b.daily[k], equal_nan=True) for k in a.daily)
        and a.churn.keys() == b.churn.keys()
        and all(np.array_equal(a.churn[k], b.churn[k]) for k in a.churn)
    )


@pytest.fixture(scope="module")
def first() -> ReplicationResult:
    return run_replication(scenario(), 0)


def test_same_scenario_and_seed_give_identical_results(first: ReplicationResult) -> None:
    again = run_replication(scenario(), 0)
    assert same(first, again)
    assert len(first.churn["day"]) > 0 and first.daily["orders"].sum() > 0


def test_another_replication_index_gives_different_results(first: ReplicationResult) -> None:
    other = run_replication(scenario(), 1)
    assert other.replication == 1
    assert not np.array_equal(first.daily["orders"], other.daily["orders"])
    assert not np.array_equal(first.daily["revenue"], other.daily["revenue"])


def test_another_seed_gives_different_results(first: ReplicationResult) -> None:
    other = run_replication(scenario(seed=778), 0)
    assert other.seed == 778
    assert not np.array_equal(first.daily["revenue"], other.daily["revenue"])


def test_results_are_plain_picklable_data(first: ReplicationResult) -> None:
    assert same(pickle.loads(pickle.dumps(first)), first)
    assert set(first.churn) == set(CHURN_FIELDS)
    assert all(v.shape == (first.horizon_days,) for v in first.daily.values())


def test_workers_give_exactly_the_same_kpis_as_one_process() -> None:
    sc = scenario(replications=3, horizon_days=30)
    one = run(sc, workers=1)
    two = run(sc, workers=2)
    assert [r.replication for r in two.replications] == [0, 1, 2]
    assert all(same(a, b) for a, b in zip(one.replications, two.replications, strict=True))
    assert one.kpis().equals(two.kpis())
    assert one.timeseries().equals(two.timeseries())
    assert one.churn_events().equals(two.churn_events())
    # replication i of a run is run_replication(scenario, i)
    assert same(one.replications[1], run_replication(sc, 1))


def test_progress_is_reported_to_the_end() -> None:
    seen: list[tuple[float, int]] = []
    run(scenario(replications=2, horizon_days=10), workers=1, on_progress=lambda d, t: seen.append((d, t)))
    assert seen and seen[-1] == (2, 2)
    assert all(t == 2 for _, t in seen)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


TRAITS = ("order_rate", "propensity", "expectation", "satisfaction", "status", "level")


def traits(sc: Scenario, replication: int = 0) -> dict[str, np.ndarray]:
    people = Model(sc, replication).world.people
    return {name: people.view(name).copy() for name in TRAITS}


def test_each_replication_draws_its_own_people_and_network() -> None:
    a, b = traits(scenario(), 0), traits(scenario(), 1)
    for name in TRAITS:
        assert not np.array_equal(a[name], b[name]), name
    assert Model(scenario(), 0).network.indices != Model(scenario(), 1).network.indices


def test_another_mechanisms_parameters_leave_the_population_draws_alone() -> None:
    base = traits(scenario())
    for change in (
        {"fulfilment": {"on_time_rate": 0.5}},
        {"service": {"agents": 1, "handle_minutes": {"distribution": "gamma", "mean": 5, "cv": 1.2}}},
        {"word_of_mouth": {"told_by_unhappy": {"min": 1, "max": 2}}},
        {"attrition": {"competition_per_year": 2.0}},
    ):
        other = traits(scenario(**change))
        for name in TRAITS:
            assert np.array_equal(base[name], other[name]), (change, name)


def test_another_mechanisms_parameters_leave_the_network_alone() -> None:
    a = Model(scenario(), 0).network
    b = Model(scenario(fulfilment={"on_time_rate": 0.5}, service={"agents": 2}), 0).network
    assert a.indptr == b.indptr and a.indices == b.indices


@pytest.mark.parametrize(("change", "changed"), [
    ({"customers": {"churn_propensity_cv": 0.7}}, {"propensity"}),
    ({"customers": {"expectation": {"mean": 0.7, "sd": 0.06}}}, {"expectation"}),
    ({"customers": {"orders_per_month": {"mean": 1.0, "cv": 0.3}}}, {"order_rate"}),
    ({"market": {"population": 3000, "initial_customers": 1000,
                 "initial_satisfaction": {"mean": 0.6, "sd": 0.2}}}, {"satisfaction"}),
], ids=["propensity cv", "expectation mean", "order rate cv", "initial satisfaction"])
def test_one_traits_parameters_leave_the_other_traits_alone(change: dict[str, Any], changed: set[str]) -> None:
    base, other = traits(scenario()), traits(scenario(**change))
    for name in TRAITS:
        assert np.array_equal(base[name], other[name]) != (name in changed), name


def test_replications_balance_their_books(first: ReplicationResult) -> None:
    d = first.daily
    active = d["active_level1"] + d["active_level2"] + d["active_level3"]
    joined = np.cumsum(d["new_advertising"] + d["new_referral"] + d["new_winback"])
    churned = np.cumsum(sum(d[f"churned_{c}"] for c in CAUSES))
    assert np.array_equal(active, first.customers_start + joined - churned)
    assert len(first.churn["day"]) == churned[-1]
    # the churn events agree with the daily counters, day by day and cause by cause
    for i, cause in enumerate(CAUSES):
        days = first.churn["day"][first.churn["cause"] == i].astype(int)
        assert np.array_equal(np.bincount(days, minlength=first.horizon_days), d[f"churned_{cause}"])
    assert (first.churn["tenure_days"] >= 0).all()
    assert (first.churn["tenure_days"] <= first.churn["day"] + 1e-9).all()
    assert set(np.unique(first.churn["loyalty_level"])) <= {1, 2, 3}
    # shares come from counts
    assert d["orders"].sum() == d["orders_initial"].sum() + d["orders_repeat"].sum()
    assert d["orders_initial"].sum() == d["new_advertising"].sum() + d["new_referral"].sum() + d["new_winback"].sum()
    assert d["answered"].sum() <= d["contacts"].sum()
    assert d["contacts"].sum() == (
        d["questions"].sum() + d["order_problem_contacts"].sum() + d["product_problem_contacts"].sum())
    # problem episodes: each ends once (or is still open, or its customer left first)
    ended = sum(d[f"episodes_{o}"].sum() for o in OUTCOMES)
    assert 0 < ended <= d["episodes"].sum()
    assert d["complaints"].sum() <= d["episodes"].sum()
    for o in OUTCOMES:
        assert d[f"episodes_{o}_stayed"].sum() <= d[f"episodes_{o}"].sum()
    # the path of each churn event agrees with its cause
    paths, causes = first.churn["path"], first.churn["cause"]
    by_episode = paths < HAZARD
    assert set(np.unique(causes[by_episode])) <= {POOR_SERVICE, PRODUCT_DISSATISFACTION}
    assert set(np.unique(causes[paths == HAZARD])) <= {DIED, MOVED_AWAY, COMPETITION, POOR_SERVICE}
    assert set(np.unique(causes[paths == WORD_OF_MOUTH])) <= {FRIENDS_INFLUENCE}
    left = sum(d[f"episodes_{o}"].sum() - d[f"episodes_{o}_stayed"].sum() for o in OUTCOMES)
    assert by_episode.sum() == left


def test_level_counts_match_the_people_after_a_run() -> None:
    model = Model(scenario(), 0)
    model.run()
    people = model.world.people
    status, level = people.view("status"), people.view("level")
    assert model.world.level_counts[1:].tolist() == [int(((status == CUSTOMER) & (level == lv)).sum()) for lv in (1, 2, 3)]


def test_kpis_are_finite_and_in_range(first: ReplicationResult) -> None:
    k = kpis(first, scenario())
    assert list(k) == list(KPI_NAMES)
    assert k["customers_start"] == 1000
    assert k["churned_total"] == sum(k[f"churned_{c}"] for c in CAUSES)
    for name in ("perfect_order_rate", "on_time_rate", "service_level", "abandonment_rate",
                 "p_wait_gt_0", "first_contact_resolution_rate", "share_repeat_transactions",
                 "share_initial_transactions", "share_advocates_end", "mean_satisfaction_end"):
        assert 0 <= k[name] <= 1, name
    assert k["share_repeat_transactions"] + k["share_initial_transactions"] == pytest.approx(1)
    assert sum(k[f"share_churn_{c}"] for c in CAUSES) == pytest.approx(1)
    assert k["perfect_order_rate"] <= k["on_time_rate"]


def test_the_cyclic_collector_runs_rarely_during_a_run_and_as_before_after_it() -> None:
    """A run raises the collector's gen-0 threshold (a speed-up at large markets) and restores it."""
    before = gc.get_threshold()
    during: list[int] = []
    run_replication(scenario(horizon_days=3), 0, on_day=lambda day: during.append(gc.get_threshold()[0]))
    assert during and all(t == max(before[0], RUN_COLLECTION_THRESHOLD) for t in during)
    assert gc.get_threshold() == before


def test_a_run_gives_the_same_numbers_whatever_the_collector_does() -> None:
    gc.disable()
    try:
        off = run_replication(scenario(horizon_days=20), 0)
    finally:
        gc.enable()
    assert same(off, run_replication(scenario(horizon_days=20), 0))


def test_counters_kept_in_a_block_give_the_same_result() -> None:
    """Recorder.block: counters kept as the columns of one array (the compiled orders add to
    theirs) come out as they would from their lists, in the declared order, the warm-up cut."""
    def filled(blocked: bool) -> ReplicationResult:
        record = Recorder(10)
        record.add(Daily.ORDERS, 5, 3.0)  # before the block: carried into it
        if blocked:
            block = record.block((Daily.REVENUE, Daily.ORDERS))
            assert Daily.ORDERS not in record.daily and block.shape == (10, 2)
            block[4, 0] += 1.5
            block[8, 1] += 2.0
        else:
            record.add(Daily.REVENUE, 4, 1.5)
            record.add(Daily.ORDERS, 8, 2.0)
        record.add(Daily.QUESTIONS, 5, 1.0)
        # Recorder.counts: a counter so far, a list's or a block's column alike (no warm-up cut)
        assert record.counts(Daily.ORDERS).tolist() == [0, 0, 0, 0, 0, 3, 0, 0, 2, 0]
        assert record.counts(Daily.QUESTIONS)[5] == 1.0
        return record.result(0, 1, 0, warmup_days=3)

    a, b = filled(True), filled(False)
    assert list(a.daily) == list(b.daily) == list(DAILY)
    for name in DAILY:
        assert np.array_equal(a.daily[name], b.daily[name]), name
    assert a.daily[Daily.ORDERS].tolist() == [0, 0, 3, 0, 0, 2, 0] and a.daily[Daily.REVENUE][1] == 1.5
