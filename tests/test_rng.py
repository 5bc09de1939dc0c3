"""Named random streams: deterministic per (seed, replication, name), independent otherwise."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rng import BLOCK, Stream


def draws(stream: Stream, n: int = 50) -> list[float]:
    out: list[float] = []
    for _ in range(n):
        out += [stream.uniform(), stream.exponential(), stream.normal()]
    return out


def test_same_seed_replication_and_name_give_the_same_numbers() -> None:
    assert draws(Stream(42, 3, "desk")) == draws(Stream(42, 3, "desk"))


def test_numbers_survive_block_refills_identically() -> None:
    a, b = Stream(5, 0, "orders"), Stream(5, 0, "orders")
    xs = [a.uniform() for _ in range(3 * BLOCK + 17)]
    ys = [b.uniform() for _ in range(3 * BLOCK + 17)]
    assert xs == ys
    assert len(set(xs)) == len(xs)  # a refill draws new numbers, it does not repeat the block


@pytest.mark.parametrize(
    "other",
    [(42, 3, "fulfilment"), (42, 4, "desk"), (43, 3, "desk")],
    ids=["other name", "other replication", "other seed"],
)
def test_a_different_name_replication_or_seed_gives_different_numbers(other: tuple[int, int, str]) -> None:
    base = draws(Stream(42, 3, "desk"))
    assert draws(Stream(*other)) != base
    # not merely shifted: hardly any value in common
    assert len(set(base) & set(draws(Stream(*other)))) == 0


def test_a_stream_does_not_depend_on_other_streams() -> None:
    alone = draws(Stream(9, 1, "word_of_mouth"), 200)

    others = [Stream(9, 1, name) for name in ("population", "network", "desk", "attrition")]
    for s in others:
        draws(s, 300)
    interleaved = Stream(9, 1, "word_of_mouth")
    got: list[float] = []
    for _ in range(200):
        for s in others:
            s.uniform()
            s.normal()
        got += [interleaved.uniform(), interleaved.exponential(), interleaved.normal()]
    assert got == alone


def test_uniform_exponential_normal_have_their_moments() -> None:
    s = Stream(1, 0, "moments")
    n = 40_000
    u = np.array([s.uniform() for _ in range(n)])
    e = np.array([s.exponential() for _ in range(n)])
    z = np.array([s.normal() for _ in range(n)])
    assert ((u >= 0) & (u < 1)).all()
    assert (e >= 0).all()
    tol = 3.29 / np.sqrt(n)
    assert abs(u.mean() - 0.5) < tol * np.sqrt(1 / 12)
    assert abs(e.mean() - 1.0) < tol * 1.0
    assert abs(z.mean()) < tol * 1.0
    assert abs(z.var() - 1.0) < 4 * np.sqrt(2 / n)


def test_integer_covers_low_to_high_inclusive_uniformly() -> None:
    s = Stream(11, 0, "word_of_mouth")
    low, high, n = 3, 8, 60_000
    values = np.array([s.integer(low, high) for _ in range(n)])
    assert values.min() == low and values.max() == high
    counts = np.bincount(values - low, minlength=high - low + 1)
    assert counts.size == high - low + 1
    expected = n / counts.size
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 20.52, counts  # 99.9 % quantile of chi-square with 5 df


def test_integer_with_equal_bounds_and_with_tiny_ranges() -> None:
    s = Stream(11, 0, "x")
    assert {s.integer(7, 7) for _ in range(1000)} == {7}
    assert {s.integer(0, 1) for _ in range(1000)} == {0, 1}


def test_gamma_sampler_is_deterministic_and_shares_the_generator() -> None:
    a, b = Stream(2, 0, "fulfilment"), Stream(2, 0, "fulfilment")
    ga, gb = a.gamma_sampler(2.0, 1.5), b.gamma_sampler(2.0, 1.5)
    assert [ga() for _ in range(BLOCK + 5)] == [gb() for _ in range(BLOCK + 5)]
    # uniform draws after the gamma block continue the same generator in both
    assert [a.uniform() for _ in range(10)] == [b.uniform() for _ in range(10)]


def test_rows_give_independent_uniform_coordinates() -> None:
    a, b = Stream(8, 0, "fulfilment").rows(7), Stream(8, 0, "fulfilment").rows(7)
    n = 3 * BLOCK  # several blocks of rows
    xs = np.array([a() for _ in range(n)])
    assert xs.shape == (n, 7)
    assert np.array_equal(xs, np.array([b() for _ in range(n)]))
    assert ((xs >= 0) & (xs < 1)).all()
    assert len(np.unique(xs)) == xs.size
    tol = 3.29 * np.sqrt(1 / 12 / n)
    assert (np.abs(xs.mean(axis=0) - 0.5) < tol).all()
    corr = np.corrcoef(xs, rowvar=False)[np.triu_indices(7, 1)]
    assert (np.abs(corr) < 4 / np.sqrt(n)).all()
