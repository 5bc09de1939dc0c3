"""Counter-based draws: a pure function of (seed, replication, mechanism, who, why).

The properties pairing rests on (sim.core.rng): the same identity gives the same number
whatever else was drawn; different identities give unrelated numbers; the scalar and the
vectorised forms agree bit for bit; the numbers are uniform and independent across
people and slots — including the too-regular pattern that packing people into the high
bits of one counter produced.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.core.rng import (
    GAMMA,
    MASK,
    Draws,
    bases,
    child,
    children,
    exponential,
    mix,
    uniform,
    uniforms,
)

Z = 3.2905  # two-sided 99.9 % normal quantile


def test_the_same_identity_gives_the_same_number_whatever_was_drawn_before() -> None:
    a, b = Draws(42, 3, "desk"), Draws(42, 3, "desk")
    first = [a.uniform(7, n) for n in range(20)]
    for who in range(100):  # other people's draws, in any order
        b.uniform(who, 5)
        b.key_of(who, 2)
    assert [b.uniform(7, n) for n in reversed(range(20))][::-1] == first


@pytest.mark.parametrize(
    "other",
    [(42, 3, "fulfilment"), (42, 4, "desk"), (43, 3, "desk")],
    ids=["other name", "other replication", "other seed"],
)
def test_a_different_name_replication_or_seed_gives_unrelated_numbers(other: tuple[int, int, str]) -> None:
    def numbers(d: Draws) -> set[float]:
        return {d.uniform(who, n) for who in range(30) for n in range(30)}

    base = numbers(Draws(42, 3, "desk"))
    assert len(base) == 900
    assert not base & numbers(Draws(*other))


def test_children_and_slots_of_one_key_are_distinct() -> None:
    key = Draws(5, 0, "orders").key_of(11, 0)
    draws = {uniform(key, slot) for slot in range(200)}
    kids = {child(key, tag) for tag in range(200)}
    assert len(draws) == 200 and len(kids) == 200
    # a child key is not the bits of the draw at the same slot
    assert not {k >> 11 for k in kids} & {int(u * 2**53) for u in draws}


def test_scalar_and_vectorised_forms_agree_bit_for_bit() -> None:
    d = Draws(9, 1, "clock")
    who = np.arange(0, 5000, 7)
    b = bases(d, who)
    assert [int(x) for x in b] == [d.base(int(w)) for w in who]
    for slot in (0, 1, 13):
        assert uniforms(b, slot).tolist() == [d.uniform(int(w), slot) for w in who]
    kids = children(b, 4)
    assert [int(k) for k in kids] == [d.key_of(int(w), 4) for w in who]
    assert uniforms(kids, 2).tolist() == [uniform(int(k), 2) for k in kids]


def test_uniform_is_splitmix64_seeded_with_the_key() -> None:
    # SplitMix64 (Steele, Lea & Flood 2014): state += γ; output mix(state). Reference
    # outputs for seed 1234567 (Rosetta Code, "Pseudo-random numbers/Splitmix64").
    expected = [6457827717110365317, 3203168211198807973, 9817491932198370423]
    assert [mix((1234567 + (i + 1) * GAMMA) & MASK) for i in range(3)] == expected
    key = 1234567
    for slot in range(5):
        state = (key + (slot + 1) * GAMMA) & MASK
        assert uniform(key, slot) == (mix(state) >> 11) * 2.0**-53


def test_draws_are_uniform_and_exponential_has_mean_one() -> None:
    d = Draws(1, 0, "moments")
    n = 40_000
    u = uniforms(bases(d, np.arange(n)), 3)
    assert ((u >= 0) & (u < 1)).all()
    assert abs(u.mean() - 0.5) < Z * np.sqrt(1 / 12 / n)
    e = np.array([exponential(d.base(i), 0) for i in range(n)])
    assert abs(e.mean() - 1.0) < Z / np.sqrt(n)
    counts = np.bincount((u * 20).astype(int), minlength=20)
    chi2 = float(((counts - n / 20) ** 2 / (n / 20)).sum())
    assert chi2 < 43.82  # 99.9 % quantile of chi-square with 19 df


def test_no_correlation_between_slots_or_between_neighbours() -> None:
    d = Draws(3, 0, "clock")
    n = 50_000
    b = bases(d, np.arange(n))
    slot0, slot1 = uniforms(b, 0), uniforms(b, 1)
    tol = Z / np.sqrt(n)
    assert abs(np.corrcoef(slot0, slot1)[0, 1]) < tol
    assert abs(np.corrcoef(slot0[:-1], slot0[1:])[0, 1]) < tol  # person p and p + 1


def test_a_share_across_people_varies_as_a_binomial_does() -> None:
    """The defect of packing people into a counter's high bits: the share of people whose
    draw falls below p varied *less* across replications than a binomial does (too
    regular). Here the variance over 400 replications matches p(1 − p)/n: the ratio of
    the sample variance to it is χ²₃₉₉/399, within [0.78, 1.25] with probability 0.999."""
    n, p, reps = 2000, 0.05, 400
    shares = [float((uniforms(bases(Draws(2026, r, "clock"), np.arange(n)), 1) < p).mean()) for r in range(reps)]
    ratio = np.var(shares, ddof=1) / (p * (1 - p) / n)
    assert 0.78 < ratio < 1.25, ratio
