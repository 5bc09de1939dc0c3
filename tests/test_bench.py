"""The performance harness (python -m sim.bench) at a tiny scale: it runs, writes its JSON
atomically with every headline key, and what it measured is positive and finite. No wall time
is asserted anywhere."""

from __future__ import annotations

import gc
import json
import math
from pathlib import Path

from sim import load_scenario
from sim.bench import harness, measure, skeleton
from sim.bench.sizes import scaled

ROOT = Path(__file__).resolve().parent.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def positive(x: object) -> bool:
    return isinstance(x, int | float) and math.isfinite(x) and x > 0


def test_tiny_run_writes_every_key(tmp_path, capsys):
    out = tmp_path / "results" / "latest.json"
    assert harness.main(["--sizes", "300", "600", "--days", "4", "--rounds", "2", "--skip-experiments",
                         "--out", str(out)]) == 0
    data = json.loads(out.read_text())
    for key in harness.HEADLINE:
        assert key in data
        assert data[key] is None  # none of these sizes is the shipped, 10k or 1M one; no experiments
    for key in ("commit", "uncommitted_changes", "uncommitted_code_changes", "date", "python", "numpy", "simpy",
                "command", "load_before", "load_after", "warnings",
                "settings", "model", "memory", "experiments", "comparison"):
        assert key in data
    assert [r["people"] for r in data["model"]] == [300, 600]
    for row in data["model"]:
        assert len(row["model_rounds"]) == len(row["skeleton_rounds"]) == 2
        for key in ("model_ns_per_customer_day", "skeleton_ns_per_customer_day", "ratio_to_skeleton"):
            d = row[key]
            assert positive(d["median"]) and d["min"] <= d["median"] <= d["max"]
        assert positive(row["model_events_per_customer_day"])
        assert positive(row["skeleton_events_per_customer_day"])
        assert 0 <= row["collector_share"]["min"] <= row["collector_share"]["max"] < 1
    for m in data["memory"]:  # one fresh process per size
        assert positive(m["floor_rss_bytes"]) and positive(m["build_seconds"])
        assert m["peak_after_run_bytes"] >= m["peak_after_build_bytes"] >= m["floor_rss_bytes"] * 0.5
    assert "headline" in capsys.readouterr().out
    assert [p.name for p in out.parent.iterdir()] == ["latest.json"]  # no temporary file left


def test_headline_at_the_named_sizes():
    """The headline figures are read from the rows at 15k, 10k and 1M people."""
    def row(people, ns, ratio):
        flat = {"median": ns, "min": ns, "max": ns}
        return {"people": people, "model_ns_per_customer_day": flat, "ratio_to_skeleton": dict(flat, median=ratio),
                "skeleton_ns_per_customer_day": dict(flat, median=ns / ratio),
                "model_events_per_customer_day": 0.1, "build_seconds": {"median": 2.0, "min": 2.0, "max": 2.0}}
    large = row(1_000_000, 2000.0, 12.0)
    rows = [row(10_000, 1000.0, 8.0), row(15_000, 1100.0, 9.0), large]
    memory = [{"people": 1_000_000, "bytes_per_person": 900.0}]
    h = harness.headline(rows, memory, None, None, 15_000)
    assert h["ratio_to_skeleton"] == 9.0 and h["ratio_to_skeleton_1m"] == 12.0
    assert h["ns_per_customer_day"] == 1100.0
    # Growth comes from within rounds (the 10k market run beside each 1 M round), not from the
    # 10k row's median, measured minutes earlier.
    assert h["scaling_ratio"] is None and h["skeleton_scaling_ratio"] is None
    assert h["scaling_ratio_15k"] is None
    large["beside"] = [{"people": 10_000, "model_ratio": {"median": 1.4}, "skeleton_ratio": {"median": 2.5}},
                       {"people": 15_000, "model_ratio": {"median": 1.6}, "skeleton_ratio": {"median": 2.4}}]
    h = harness.headline(rows, memory, None, None, 15_000)
    assert h["scaling_ratio"] == 1.4 and h["skeleton_scaling_ratio"] == 2.5 and h["scaling_ratio_15k"] == 1.6
    assert h["bytes_per_person"] == 900.0 and h["bytes_per_person_15k"] is None
    assert h["build_seconds_1m"] == 2.0 and h["speedup_workers_2"] is None


def test_a_smaller_market_beside_each_round():
    """With ``beside``, each round runs each smaller market just before and after the larger
    one, and the growth is taken per round against the mean of the two."""
    row = measure.model_vs_skeleton(load_scenario(BASELINE), 600, 3, 2, lambda text: None, beside=(300, 400))
    assert [b["people"] for b in row["beside"]] == [300, 400]
    b = row["beside"][0]
    assert len(b["model_rounds"]) == len(b["skeleton_rounds"]) == 4
    for key in ("model_ratio", "skeleton_ratio"):
        assert positive(b[key]["median"]) and b[key]["min"] <= b[key]["median"] <= b[key]["max"]
    per_cd = [r["seconds"] / r["customer_days"] for r in row["model_rounds"]]
    small = [r["seconds"] / r["customer_days"] for r in b["model_rounds"]]
    expected = sorted(per_cd[k] / ((small[2 * k] + small[2 * k + 1]) / 2) for k in range(2))
    assert math.isclose(b["model_ratio"]["min"], expected[0]) and math.isclose(b["model_ratio"]["max"], expected[1])
    assert "beside" not in measure.model_vs_skeleton(load_scenario(BASELINE), 300, 2, 1, lambda text: None)


def test_failed_run_keeps_the_earlier_result(tmp_path, monkeypatch):
    out = tmp_path / "latest.json"
    out.write_text('{"earlier": true}\n')

    def fail(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(measure, "model_vs_skeleton", fail)
    assert harness.main(["--sizes", "300", "--days", "2", "--skip-memory", "--skip-experiments",
                         "--out", str(out)]) == 130
    assert json.loads(out.read_text()) == {"earlier": True}


def test_the_collectors_seconds_are_counted_within_the_block():
    before = list(gc.callbacks)
    with measure.collections_timed() as spent:
        gc.collect()
    assert spent[0] > 0
    with measure.collections_timed() as none:
        pass
    assert none == [0.0]
    assert gc.callbacks == before  # its callback removed


def test_skeleton_keeps_its_customers_and_counts_events():
    scenario = load_scenario(BASELINE)
    r = skeleton.rates(scenario)
    assert positive(r.order) and positive(r.contact) and positive(r.leave)
    t = skeleton.run(200, 30, r, seed=3)
    assert t.customers == 200 and t.leavers > 0 and t.orders > t.contacts > 0
    # the events processed: each process's start (200, and one per newcomer replacing a leaver),
    # each timeout (orders, contacts, leavings), each leaver's process ending, and run's `until`
    assert t.events == 200 + t.leavers + (t.orders + t.contacts + t.leavers) + t.leavers + 1


def test_experiments_on_a_tiny_scenario():
    """Replications on 1 and 2 workers and the output writing's share (no Dask here)."""
    tiny = scaled(load_scenario(BASELINE), 300, 5).model_copy(update={"replications": 2})
    said: list[str] = []
    exp = measure.experiments(tiny, dask=False, say=said.append, rounds=3)
    assert positive(exp["seconds_workers_1"]) and positive(exp["seconds_workers_2"])
    assert positive(exp["speedup_workers_2"]) and 0 < exp["write_share"] < 1
    ratios = exp["speedup_workers_2_rounds"]
    assert len(ratios) == 3 and exp["speedup_workers_2"] == sorted(ratios)[1]  # the median of the rounds
    ones, twos = exp["seconds_workers_1_rounds"], exp["seconds_workers_2_rounds"]
    assert ratios == [a / b for a, b in zip(ones, twos, strict=True)]  # each round's seconds kept
    assert ["1 worker" in line for line in said[:6]] == [True, False, False, True, True, False]  # alternating
    assert exp["speedup_dask_2"] is None
    # two at once, timed in the workers: five rounds (2 × 3 - 1), the same replication alone then on both
    two = exp["concurrency"]
    assert "two at once" in said[6] and two["rounds"] == 5
    assert len(two["seconds_alone"]) == 5 and len(two["seconds_beside"]) == 10 and all(map(positive, two["seconds_beside"]))
    assert two["slowdown_rounds"] == [(a + b) / 2 / lone for lone, a, b in
                                      zip(two["seconds_alone"], two["seconds_beside"][0::2], two["seconds_beside"][1::2],
                                          strict=True)]
    assert two["slowdown"]["median"] == sorted(two["slowdown_rounds"])[2]
    assert isinstance(exp["workers_2_fixed_seconds"], float)


def test_the_speedup_at_many_replications_on_a_tiny_scenario():
    """speedup_long: the replications on 1 and 2 workers in rounds alternating which goes first,
    each round's seconds and ratio kept, the median of the ratios reported."""
    tiny = scaled(load_scenario(BASELINE), 300, 5).model_copy(update={"replications": 3})
    said: list[str] = []
    long = measure.speedup_long(tiny, 3, said.append)
    assert long["replications"] == 3 and long["rounds"] == 3
    ones, twos = long["seconds_workers_1_rounds"], long["seconds_workers_2_rounds"]
    assert len(ones) == len(twos) == 3 and all(map(positive, ones + twos))
    assert long["speedup_rounds"] == [a / b for a, b in zip(ones, twos, strict=True)]
    assert long["speedup"] == sorted(long["speedup_rounds"])[1]
    assert ["1 worker" in line for line in said] == [True, False, False, True, True, False]


def test_the_long_speedup_in_the_headline_and_table(tmp_path, capsys):
    """A tiny run with the experiments: the long speed-up in the JSON's headline and experiments,
    and its line in the table; null, and no line, when not asked for (0)."""
    out = tmp_path / "latest.json"
    common = ["--sizes", "300", "--days", "4", "--rounds", "1", "--skip-memory", "--skip-comparison", "--no-dask",
              "--replications", "2", "--experiment-rounds", "1", "--out", str(out)]
    assert harness.main([*common, "--long-replications", "2"]) == 0
    data = json.loads(out.read_text())
    long = data["experiments"]["long"]
    assert long["replications"] == data["settings"]["long_replications"] == 2 and long["rounds"] == harness.LONG_ROUNDS
    assert data["speedup_workers_2_long"] == long["speedup"] and positive(long["speedup"])
    assert "2 replications, medians of 3 rounds" in capsys.readouterr().out
    assert harness.main([*common, "--long-replications", "0"]) == 0
    data = json.loads(out.read_text())
    assert data["speedup_workers_2_long"] is None and data["experiments"]["long"] is None
    assert "medians of 3 rounds" not in capsys.readouterr().out


def test_a_pair_runs_on_two_workers(monkeypatch):
    """concurrency()'s pair: each member waits at the barrier for the other before its replication,
    so the two run on two processes at once (one worker cannot take both: it would wait for
    itself). The workers are forked: they run the replication stand-in patched here."""
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    monkeypatch.setattr(measure, "_replication_timed", lambda args: float(os.getpid()))
    context = multiprocessing.get_context()
    with ProcessPoolExecutor(2, mp_context=context, initializer=measure._join_pair,
                             initargs=(context.Barrier(2),)) as pool:
        for _ in range(5):
            a, b = pool.map(measure._pair_member, [(None, 0), (None, 0)])
            assert a != b and {a, b} <= {float(p) for p in pool._processes}


def test_a_smaller_market_dearer_than_a_larger_is_flagged():
    """A 10,000-person median above the 15,000-person one flatters scaling_ratio (disturbed
    rounds, or the daily fixed costs over fewer customers): such an inversion is flagged, with
    how much, a smooth rise is not."""
    def row(people, ns):
        return {"people": people, "model_ns_per_customer_day": {"median": ns, "min": ns, "max": ns}}

    flagged = harness.warnings([row(15_000, 1_094), row(10_000, 1_317), row(1_000_000, 1_929)])
    assert len(flagged) == 1 and "10,000 people (1,317)" in flagged[0] and "15,000 (1,094)" in flagged[0]
    assert "flattered by as much (×1.20)" in flagged[0]
    assert harness.warnings([row(10_000, 1_043), row(15_000, 1_029), row(1_000_000, 1_893)]) == []


def test_rounds_spread_wide_are_flagged():
    """A run beside another job (2026-12-07: the model's rounds at 15,000 people 401-790 ns per
    customer-day) is flagged; a quiet run's spread (364-395) is not."""
    def row(people, low, high, skeleton=(90.0, 95.0)):
        return {"people": people, "model_ns_per_customer_day": {"median": low, "min": low, "max": high},
                "skeleton_ns_per_customer_day": {"median": skeleton[0], "min": skeleton[0], "max": skeleton[1]}}

    assert harness.warnings([row(15_000, 364, 395), row(100_000, 438, 568)]) == []
    flagged = harness.warnings([row(15_000, 401, 790), row(100_000, 520, 600, skeleton=(120.0, 190.0))])
    assert len(flagged) == 2
    assert "model's rounds at 15,000 people ranged from 401 to 790" in flagged[0] and "×1.97" in flagged[0]
    assert "skeleton's rounds at 100,000 people" in flagged[1]


def test_a_scaled_market_has_a_desk_in_proportion():
    """The desk grows with the market (agents and staffing blocks, rounded, a closed block kept
    closed), so that it is about as busy at every size."""
    shipped = load_scenario(BASELINE)
    blocks = [{"days": [0, 1, 2, 3, 4], "start_hour": 9, "end_hour": 12, "agents": 3},
              {"days": [5], "start_hour": 9, "end_hour": 12, "agents": 0}]
    base = type(shipped).model_validate(
        {**shipped.model_dump(), "service": {**shipped.service.model_dump(), "staffing": blocks}})
    people = base.market.population
    assert scaled(base, people, 30).service == base.service
    big = scaled(base, 100 * people, 30).service
    assert big.agents == 100 * base.service.agents and [b.agents for b in big.staffing] == [300, 0]
    small = scaled(base, people // 10, 30).service
    assert small.agents == 1 and [b.agents for b in small.staffing] == [1, 0]
