"""The social network that word of mouth travels over.

Three shapes, chosen in ``market.network.kind``:

* ``fully_mixed`` — no fixed ties: whoever a customer tells is drawn uniformly from the
  whole market (the mass-action assumption of the Bass model).
* ``small_world`` — Watts & Strogatz (1998): a ring where each person knows the
  ``contacts_per_person`` nearest people (for an odd number, also the person across the
  ring), each tie rewired to a random person with ``rewiring_probability``. High
  clustering, short paths.
* ``scale_free`` — a Chung & Lu (2002) random graph with expected degrees following a
  power law P(k) ~ k^-``degree_exponent`` and mean ``contacts_per_person``: a few hubs
  know very many people, most know few. (Built in one vectorised step, where
  Barabási–Albert growth would need a Python loop over people.)

The graph is stored once, as compressed sparse rows (``indptr``, ``indices``) in
32-bit integer arrays: about 8 bytes per tie end, so 12 contacts cost ~100 bytes a person.

When someone tells more people than they have contacts (an unhappy customer tells
10–20, many people know fewer), the rest of the telling reaches random people in the
market: weak ties, review sites, social media (Goldenberg et al. 2007 on weak ties).
"""

from __future__ import annotations

from array import array

import numpy as np

from sim.core.rng import uniform_pair
from sim.scenario.schema import Network


class SocialNetwork:
    """Ties between people, and the choice of whom a teller reaches."""

    def __init__(self, spec: Network, size: int, generator: np.random.Generator) -> None:
        self.kind = spec.kind
        self.size = size
        if spec.kind == "fully_mixed" or size < 3:
            self.indptr = array("q", bytes(8 * (size + 1)))
            self.indices = array("i")
            return
        if spec.kind == "small_world":
            src, dst = _small_world(size, spec.contacts_per_person, spec.rewiring_probability, generator)
        else:
            src, dst = _chung_lu(size, spec.contacts_per_person, spec.degree_exponent, generator)
        indptr, indices = _to_csr(size, src, dst)
        self.indptr = array("q", indptr.astype(np.int64).tobytes())
        self.indices = array("i", indices.astype(np.int32).tobytes())

    def degrees(self) -> np.ndarray:
        return np.diff(np.frombuffer(self.indptr, dtype=np.int64))

    def neighbours(self, person: int) -> list[int]:
        return self.indices[self.indptr[person] : self.indptr[person + 1]].tolist()

    def recipients(self, person: int, count: int, key: int) -> list[int]:
        """``count`` people that ``person`` tells: distinct contacts first, then strangers drawn
        uniformly at random (with replacement, so a stranger may be told twice). The i-th
        choice is half i mod 2 of the pair at slot i // 2 of ``key`` (:mod:`sim.core.rng`)."""
        if count <= 0 or self.size < 2:
            return []
        contacts = self.neighbours(person)
        degree = len(contacts)
        if degree >= count:
            # Partial Fisher-Yates shuffle: the first `count` are a uniform sample.
            u = v = 0.0
            for i in range(count):
                if i & 1:
                    u = v
                else:
                    u, v = uniform_pair(key, i >> 1)
                j = i + int(u * (degree - i))
                contacts[i], contacts[j] = contacts[j], contacts[i]
            return contacts[:count]
        chosen = contacts
        size = self.size
        draw = 0
        u = v = 0.0
        while len(chosen) < count:
            if draw & 1:
                u = v
            else:
                u, v = uniform_pair(key, draw >> 1)
            draw += 1
            other = int(u * size)
            if other != person:
                chosen.append(other)
        return chosen


def _small_world(
    size: int, degree: int, rewire: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    half = max(1, min(degree // 2, (size - 1) // 2))
    src = np.repeat(np.arange(size, dtype=np.int64), half)
    dst = (src + np.tile(np.arange(1, half + 1, dtype=np.int64), size)) % size
    if degree % 2 == 1 and 2 * half + 1 < size:
        # An odd degree: one more tie each, to the person across the ring.
        across = np.arange(size // 2, dtype=np.int64)
        src = np.concatenate([src, across])
        dst = np.concatenate([dst, across + size // 2])
    rewired = rng.random(src.size) < rewire
    dst[rewired] = rng.integers(0, size, int(rewired.sum()))
    return src, dst


def _chung_lu(
    size: int, degree: int, exponent: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    # Expected degrees w_i ∝ i^(-1/(exponent-1)), i = 1..N, give a power-law tail.
    ranks = np.arange(1, size + 1, dtype=np.float64)
    weights = ranks ** (-1.0 / (exponent - 1.0))
    weights /= weights.sum()
    edges = size * degree // 2
    src = rng.choice(size, size=edges, p=weights)
    dst = rng.choice(size, size=edges, p=weights)
    return src.astype(np.int64), dst.astype(np.int64)


def _to_csr(size: int, src: np.ndarray, dst: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric adjacency without self-loops or duplicate ties, as CSR arrays."""
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
    return indptr, b
