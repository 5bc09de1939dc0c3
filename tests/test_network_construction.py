"""The network's chunked construction against the one-step construction it replaced.

The reference below is the code of ``sim.model.network`` before the construction was chunked
(all ties in two arrays, ``np.unique`` over their pair keys, a stable argsort of the tie ends):
the new one must build the very same arrays — the same contacts in the same order, which
word of mouth draws from — for each shape, at sizes from the smallest to some that span many
chunks, and with chunks so small that every boundary case occurs.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.model import network
from sim.model.network import SocialNetwork
from sim.scenario.schema import Network


def reference_small_world(size: int, degree: int, rewire: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    half = max(1, min(degree // 2, (size - 1) // 2))
    src = np.repeat(np.arange(size, dtype=np.int64), half)
    dst = (src + np.tile(np.arange(1, half + 1, dtype=np.int64), size)) % size
    if degree % 2 == 1 and 2 * half + 1 < size:
        across = np.arange(size // 2, dtype=np.int64)
        src = np.concatenate([src, across])
        dst = np.concatenate([dst, across + size // 2])
    rewired = rng.random(src.size) < rewire
    dst[rewired] = rng.integers(0, size, int(rewired.sum()))
    return src, dst


def reference_chung_lu(size: int, degree: int, exponent: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    ranks = np.arange(1, size + 1, dtype=np.float64)
    weights = ranks ** (-1.0 / (exponent - 1.0))
    weights /= weights.sum()
    edges = size * degree // 2
    src = rng.choice(size, size=edges, p=weights)
    dst = rng.choice(size, size=edges, p=weights)
    return src.astype(np.int64), dst.astype(np.int64)


def reference_csr(size: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    keep = src != dst
    src, dst = src[keep], dst[keep]
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    pairs = np.unique(lo * size + hi)
    lo, hi = pairs // size, pairs % size
    a = np.concatenate([lo, hi])
    b = np.concatenate([hi, lo])
    order = np.argsort(a, kind="stable")
    a, b = a[order], b[order]
    indptr = np.zeros(size + 1, dtype=np.int64)
    np.cumsum(np.bincount(a, minlength=size), out=indptr[1:])
    return indptr, b.astype(np.int32)


def reference(spec: Network, size: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    if spec.kind == "small_world":
        src, dst = reference_small_world(size, spec.contacts_per_person, spec.rewiring_probability, rng)
    else:
        src, dst = reference_chung_lu(size, spec.contacts_per_person, spec.degree_exponent, rng)
    return reference_csr(size, src, dst)


def assert_same(spec: Network, size: int, seed: int) -> None:
    net = SocialNetwork(spec, size, np.random.default_rng(seed))
    indptr, indices = reference(spec, size, seed)
    assert np.array_equal(np.frombuffer(net.indptr, dtype=np.int64), indptr)
    assert np.array_equal(np.frombuffer(net.indices, dtype=np.int32), indices)


SHAPES = [
    Network(kind="small_world", contacts_per_person=12, rewiring_probability=0.1),
    Network(kind="small_world", contacts_per_person=5, rewiring_probability=0.3),
    Network(kind="small_world", contacts_per_person=4, rewiring_probability=0.0),
    Network(kind="small_world", contacts_per_person=7, rewiring_probability=1.0),
    Network(kind="scale_free", contacts_per_person=12, degree_exponent=2.5),
    Network(kind="scale_free", contacts_per_person=3, degree_exponent=2.1),
    Network(kind="scale_free", contacts_per_person=40, degree_exponent=4.0),
]


@pytest.mark.parametrize("spec", SHAPES, ids=lambda s: f"{s.kind}-{s.contacts_per_person}")
@pytest.mark.parametrize("size", [3, 4, 5, 6, 7, 8, 13, 100, 2_001])
def test_the_same_network_as_the_one_step_construction(spec: Network, size: int) -> None:
    for seed in (1, 2, 3):
        assert_same(spec, size, seed)


@pytest.mark.parametrize("spec", SHAPES, ids=lambda s: f"{s.kind}-{s.contacts_per_person}")
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64])
@pytest.mark.parametrize("size", [3, 5, 9, 50, 301])
def test_the_same_network_with_tiny_chunks(spec: Network, chunk: int, size: int,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "CHUNK", chunk)
    assert_same(spec, size, seed=size + chunk)


@pytest.mark.parametrize("spec", [SHAPES[0], SHAPES[4]], ids=["small_world", "scale_free"])
def test_the_same_network_over_many_chunks(spec: Network) -> None:
    # 150,000 people, 900,000 ties: four chunks of the default size.
    assert_same(spec, 150_000, seed=7)
