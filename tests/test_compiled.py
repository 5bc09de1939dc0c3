"""The compiled draws (sim.model.compiled) against the Python reference they replace: the very
same numbers, draw by draw and over a whole run."""

from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import pytest

import sim.model.compiled as compiled
from sim.bench.sizes import scaled
from sim.core import rng
from sim.core.world import CUSTOMER, FORMER, ORDER_TAGS, PROSPECT
from sim.model import ports, samplers, word_of_mouth
from sim.model.network import SocialNetwork
from sim.model.replication import Model
from sim.scenario import load_scenario
from sim.scenario.distributions import Exponential, Fixed, Gamma, LogNormal

BASELINE = Path(__file__).resolve().parent.parent / "scenarios" / "baseline.yaml"
compiled.ready()  # the kernels below are read from the module after this: compiled
EDGE_KEYS = [0, 1, (1 << 63) - 1, 1 << 63, (1 << 64) - 1]


def keys(n: int, seed: int) -> list[int]:
    r = random.Random(seed)
    return EDGE_KEYS + [r.getrandbits(64) for _ in range(n)]


def test_numba_is_there() -> None:
    """numba is a dependency of the package: without it the model is right but ~20 % slower."""
    assert compiled.ready()
    assert type(compiled.order_draws).__name__ == "CPUDispatcher"  # compiled, not the Python text


def test_a_numba_that_cannot_compile_them_leaves_the_python_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    """Should numba fail to compile a kernel (another version, say), the model warns and runs the
    Python draws (the same numbers), rather than failing with a traceback."""
    import numba

    tried = []

    def njit(signature: str, cache: bool):
        def compile_(function):
            tried.append(function.__name__)
            if function.__name__ == "sample":
                raise TypeError("no such type")
            return function  # "compiled": the Python text itself, for this test
        return compile_

    monkeypatch.setattr(numba, "njit", njit)
    for name in compiled._SIGNATURES:  # put back as they were (compiled) when the test ends
        monkeypatch.setattr(compiled, name, getattr(compiled, name))
    with pytest.warns(UserWarning, match="the Python draws instead"):
        assert compiled._compile_all() is False
    assert "sample" in tried and "order_draws" not in tried  # stopped at the first failure
    for name in compiled._SIGNATURES:  # every kernel is its Python text again
        assert getattr(compiled, name) is compiled._PYTHON[name], name


def test_the_hashes_are_the_pythons() -> None:
    r = random.Random(5)
    child, uniform, uniform_pair = (compiled.direct(f) for f in (compiled.child, compiled.uniform, compiled.uniform_pair))
    for key in keys(3_000, 1):
        slot, tag = r.randrange(1 << 20), r.randrange(1 << 34)
        assert compiled.child(key, tag) == child(key, tag) == rng.child(key, tag)
        assert compiled.uniform(key, slot) == uniform(key, slot) == rng.uniform(key, slot)
        assert compiled.uniform_pair(key, slot) == uniform_pair(key, slot) == rng.uniform_pair(key, slot)


def test_direct_is_the_one_compiled_entry_point_or_the_function_itself() -> None:
    entry = compiled.direct(compiled.clock_draw)
    assert entry is not compiled.clock_draw and type(entry).__name__ == "builtin_function_or_method"
    assert entry(12345, 3, 0, 0.25) == compiled.clock_draw(12345, 3, 0, 0.25)  # an int time, as at time 0
    python = compiled._PYTHON["clock_draw"]
    assert compiled.direct(python) is python and compiled.direct(rng.uniform) is rng.uniform


DISTRIBUTIONS: list[Fixed | Exponential | LogNormal | Gamma] = [
    Fixed(distribution="fixed", mean=2.5),
    Exponential(distribution="exponential", mean=2.0),
    LogNormal(distribution="lognormal", mean=65.0, cv=0.8),
    LogNormal(distribution="lognormal", mean=0.3, cv=2.5),
    Gamma(distribution="gamma", mean=2.0, cv=0.35),  # shape > 1
    Gamma(distribution="gamma", mean=1.0, cv=1.0),  # shape 1
    Gamma(distribution="gamma", mean=4.0, cv=1.7),  # shape < 1: the boost, then further tries
    Gamma(distribution="gamma", mean=4.0, cv=0.05),  # shape 400
]


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: f"{d.distribution}-{getattr(d, 'cv', '')}")
def test_each_distribution_draws_the_pythons_numbers(dist: Fixed | Exponential | LogNormal | Gamma) -> None:
    python = samplers.sampler(dist)
    params = np.array(compiled.encode(dist), dtype=np.float64)
    r = random.Random(7)
    for key in keys(4_000, 2):
        slot = r.randrange(1 << 16)
        assert compiled.sample(params, 0, key, slot) == python(key, slot)


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda d: f"{d.distribution}-{getattr(d, 'cv', '')}")
def test_a_compiled_sampler_draws_the_pythons_numbers(dist: Fixed | Exponential | LogNormal | Gamma) -> None:
    """compiled.sampler (the desk's handle times and patience): compiled but for a fixed value."""
    python, ours = samplers.sampler(dist), compiled.sampler(dist)
    r = random.Random(8)
    for key in keys(2_000, 4):
        slot = r.randrange(1 << 16)
        assert ours(key, slot) == python(key, slot)


def test_the_scalar_draws_are_compiled_once_ready_else_pythons(monkeypatch: pytest.MonkeyPatch) -> None:
    direct = compiled.scalar_draws()  # the compiled functions' entry points, not their dispatchers
    assert direct == tuple(compiled.direct(f) for f in (compiled.child, compiled.uniform, compiled.uniform_pair))
    assert all(type(f).__name__ == "builtin_function_or_method" for f in direct)
    sampler = compiled.sampler(DISTRIBUTIONS[2])
    monkeypatch.setattr(compiled, "_ready", False)  # no numba: sim.core.rng's, and the Python samplers
    assert compiled.scalar_draws() == (rng.child, rng.uniform, rng.uniform_pair)
    python = compiled.sampler(DISTRIBUTIONS[2])
    assert python.__module__ == "sim.model.samplers" and python(12345, 3) == sampler(12345, 3)


@pytest.mark.parametrize("value, lead, late", [
    (DISTRIBUTIONS[2], DISTRIBUTIONS[4], DISTRIBUTIONS[1]),  # the baseline's kinds
    (DISTRIBUTIONS[6], DISTRIBUTIONS[0], DISTRIBUTIONS[5]),
    (DISTRIBUTIONS[1], DISTRIBUTIONS[6], DISTRIBUTIONS[3]),
])
def test_an_orders_draws_are_the_pythons(value, lead, late) -> None:
    """Every outcome of an order, with rates at which each branch is taken often."""
    base = load_scenario(BASELINE)
    f = base.fulfilment.model_copy(update={
        "on_time_rate": 0.6, "order_fill_rate": 0.7, "order_accuracy": 0.8, "invoice_accuracy": 0.9,
        "product_problem_rate": 0.3, "lead_time_days": lead, "late_delay_days": late})
    scenario = base.model_copy(update={
        "fulfilment": f, "customers": base.customers.model_copy(update={"order_value": value})})
    model = Model(scaled(scenario, 300, 5), 0)
    fulfil = model.fulfilment
    assert fulfil.compiled_params is not None
    r = random.Random(11)
    for key in keys(3_000, 3):
        tag = ORDER_TAGS + r.randrange(1 << 12)
        assert compiled.order_draws(key, tag, fulfil.compiled_params) == fulfil.draws(key, tag)


def test_an_order_counted_is_the_pythons() -> None:
    """What an order hands its delivery and adds to the day's counters, compiled and in Python
    (Fulfilment.order), at every level, first purchases and repeats, with every outcome often."""
    base = load_scenario(BASELINE)
    f = base.fulfilment.model_copy(update={
        "on_time_rate": 0.6, "order_fill_rate": 0.7, "order_accuracy": 0.8, "invoice_accuracy": 0.9,
        "product_problem_rate": 0.3})
    model = Model(scaled(base.model_copy(update={"fulfilment": f}), 300, 5), 0)
    fulfil = model.fulfilment
    assert fulfil.compiled_params is not None
    fulfil.value_multiplier = (0.0, 1.0, 1.25, 1.5)  # levels that differ (the baseline's are all 1)
    params = fulfil.compiled_params.copy()
    params[-4:] = fulfil.value_multiplier  # the parameters end with them (order_params)
    counted = fulfil.counted
    assert counted.shape == (model.world.record.horizon_days, len(compiled.ORDER_COUNTERS))
    theirs = np.zeros_like(counted)
    r = random.Random(19)
    for key in keys(3_000, 6):
        tag, level, day, initial = ORDER_TAGS + r.randrange(1 << 12), r.randint(1, 3), r.randrange(5), r.random() < 0.3
        counted[:] = theirs
        assert compiled.order_counted(key, tag, params, level, day, initial, theirs) == fulfil.order(
            key, tag, level, day, initial)
        assert np.array_equal(theirs, counted)
    assert (theirs > 0).all()  # every counter of every day added to


def test_a_clock_event_is_the_pythons() -> None:
    """customers._schedule's pair and waiting time, ``now + -log(u) / bound``."""
    r = random.Random(13)
    for key in keys(3_000, 4):
        n, now, bound = r.randrange(1 << 20), r.uniform(0, 2_000), r.uniform(1e-4, 3.0)
        u, pick = rng.uniform_pair(key, n)
        assert compiled.clock_draw(key, n, now, bound) == (now + -math.log(u) / bound, pick)


@pytest.mark.parametrize("kind, contacts", [("small_world", 6), ("small_world", 30), ("scale_free", 8),
                                            ("fully_mixed", 0)])
def test_a_tellings_listeners_and_decisions_are_the_pythons(kind: str, contacts: int) -> None:
    """Whom a telling reaches (contacts shuffled, or all of them and then strangers) and what each
    listener draws, as network.recipients and word_of_mouth.Decisions have them."""
    spec = load_scenario(BASELINE).market.network.model_copy(update={"kind": kind, "contacts_per_person": max(contacts, 2)})
    network = SocialNetwork(spec, 500, np.random.default_rng(3))
    indptr, indices = np.frombuffer(network.indptr, np.int64), np.frombuffer(network.indices, np.int32)
    r = random.Random(17)
    for key in keys(1_500, 5):
        person, count = r.randrange(500), r.choice([0, 1, 4, 5, 10, 15, 20, 45])
        telling = rng.child(key, ports.TELLING)
        told = network.recipients(person, count, telling)
        decision = word_of_mouth.Decisions(telling)
        listeners, uniforms = np.full(count + 3, -7, np.int64), np.full(count + 3, 7.0)
        n = compiled.telling_draws(indptr, indices, network.size, person, count, key, listeners, uniforms)
        assert listeners[:n].tolist() == told
        assert uniforms[:n].tolist() == [decision(j) for j in range(len(told))]
        assert (listeners[n:] == -7).all() and (uniforms[n:] == 7.0).all()  # nothing written past n


def test_a_model_runs_the_same_without_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """A small market with the compiled draws and with the Python reference alone (as without
    numba): every array of the result the same."""
    scenario = scaled(load_scenario(BASELINE), 2_000, 60)
    with_them = Model(scenario, 0)
    assert with_them.fulfilment.compiled_params is not None
    assert with_them.customers.compiled and with_them.word_of_mouth.ties is not None
    assert with_them.customers.chain is not None  # repeat orders stepped on sim.model.chain's heap
    assert with_them.desk._uniform is compiled.direct(compiled.uniform)
    assert with_them.fulfilment._order_counted is compiled.direct(compiled.order_counted)
    assert with_them.episodes._uniform_pair is compiled.direct(compiled.uniform_pair)
    assert with_them._gather is compiled.direct(compiled.customers_satisfaction)
    a = with_them.run()
    monkeypatch.setattr(compiled, "ready", lambda: False)
    without = Model(scenario, 0)
    assert without.fulfilment.compiled_params is None
    assert not without.customers.compiled and without.word_of_mouth.ties is None
    assert without.customers.chain is None and without._gather is None
    assert without.desk._uniform is rng.uniform and without.episodes._uniform_pair is rng.uniform_pair
    b = without.run()
    for table in ("daily", "churn", "hourly"):
        x, y = getattr(a, table), getattr(b, table)
        assert x.keys() == y.keys()
        for name in x:
            assert np.array_equal(x[name], y[name], equal_nan=True), (table, name)


def test_a_tellings_listeners_do_the_same_compiled_when_they_are_told_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    """A telling's listeners (compiled.telling_listeners against word of mouth's Python loop),
    in a market of 40 people with two contacts each, where a teller telling 20 to 30 reaches
    strangers drawn again and again: a prospect who joined, or a customer who left, earlier in
    the same telling is told again as what they became. Every array of the result the same,
    with many listeners joining and leaving (it fails if a listener told twice is taken as what
    they were before the telling: checked)."""
    scenario = load_scenario(BASELINE, [
        "market.population=40", "market.initial_customers=12", "market.network.contacts_per_person=2",
        "word_of_mouth.told_by_unhappy.min=20", "word_of_mouth.told_by_unhappy.max=30",
        "word_of_mouth.told_by_happy.min=20", "word_of_mouth.told_by_happy.max=30",
        "word_of_mouth.tell_probability_unhappy=1.0", "word_of_mouth.leave_per_complaint_heard=0.2",
        "loyalty.levels.level1.tell_probability_happy=1.0", "loyalty.levels.level2.tell_probability_happy=1.0",
        "acquisition.conversion_per_recommendation=1.0", "acquisition.deterrence_per_complaint_heard=0.3",
        "acquisition.winback_cooloff_days=5", "service.agents=1", "horizon_days=400", "warmup_days=0"])
    a = Model(scenario, 0).run()
    monkeypatch.setattr(compiled, "ready", lambda: False)
    b = Model(scenario, 0).run()
    d = a.daily
    assert d["new_referral"].sum() + d["new_winback"].sum() > 50 and d["churned_friends_influence"].sum() > 20
    assert d["prospects_deterred"].sum() > 20
    for table in ("daily", "churn", "hourly"):
        x, y = getattr(a, table), getattr(b, table)
        for name in x:
            assert np.array_equal(x[name], y[name], equal_nan=True), (table, name)


def test_a_models_kernels_call_no_python_so_that_ctrl_c_stays_a_keyboard_interrupt(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A compiled call that runs Python — numba unpickles in Python what it needs to hand an
    array back — is where a pending Ctrl-C is raised, and then surfaces as a SystemError, which
    the command line would report with a traceback instead of stopping cleanly (it did, in a
    test that interrupts a run). A replication's kernels hand back only numbers, written into
    the caller's arrays otherwise: a short run calls numba's unpickling not once."""
    import numba.core.serialize as serialize

    calls = []
    unpickle = serialize._numba_unpickle

    def counting(*args: object) -> object:
        calls.append(args)
        return unpickle(*args)

    model = Model(scaled(load_scenario(BASELINE), 2_000, 60), 0)  # built first: its NumPy kernels may
    monkeypatch.setattr(serialize, "_numba_unpickle", counting)
    result = model.run()
    assert result.daily["wom_positive"].sum() > 0 and result.daily["orders"].sum() > 0  # tellings and orders ran
    assert calls == []


@pytest.mark.parametrize("share", [0.0, 0.19, 1.0])
@pytest.mark.parametrize("size", [0, 1, 7, 4_099])
def test_the_customers_satisfaction_is_what_compress_selects(share: float, size: int) -> None:
    """The daily snapshot's gathering (compiled.customers_satisfaction) against NumPy's compress:
    the same values in the same order, so the same mean to the last bit."""
    assert compiled.ready()
    r = np.random.default_rng(size + int(100 * share))
    status = np.where(r.random(size) < share, CUSTOMER, r.choice([PROSPECT, FORMER], size)).astype(np.int8)
    satisfaction = r.normal(0.0, 1.0, size)
    out = np.full(size, np.nan)
    k = compiled.customers_satisfaction(status, satisfaction, out)
    expected = satisfaction.compress(status == CUSTOMER)
    assert k == expected.size and np.array_equal(out[:k], expected)
    if k:
        assert out[:k].mean() == expected.mean()


def test_precompile_readies_the_kernels_or_says_there_are_none(monkeypatch: pytest.MonkeyPatch,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m sim.model.precompile`` (make's setup runs it): the kernels compiled or loaded,
    exit 0; without numba nothing to compile, exit 0 too."""
    from sim.model import chain, precompile

    assert precompile.main() == 0
    assert chain._kernels is not None and compiled.ready()
    assert "kernels ready in numba's cache" in capsys.readouterr().err
    monkeypatch.setattr(chain, "kernels", lambda: 1 / 0)  # numba failing on the chain's kernels
    assert precompile.main() == 0
    assert "ZeroDivisionError" in capsys.readouterr().err

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(chain, "kernels", interrupted)  # Ctrl-C during make's setup
    assert precompile.main() == 130
    assert "interrupted" in capsys.readouterr().err
    monkeypatch.setattr(compiled, "ready", lambda: False)
    assert precompile.main() == 0
    assert "nothing to compile" in capsys.readouterr().err
