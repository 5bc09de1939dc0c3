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
  know very many people, most know few. (Built vectorised, where
  Barabási–Albert growth would need a Python loop over people.)

The graph is stored once, as compressed sparse rows: ``indptr`` (8 bytes a person) and
``indices`` (4 bytes a tie end), so 12 contacts cost ~56 bytes a person. It is built a chunk
of ties at a time, each tie a pair key lo · size + hi, sorted and made distinct in place,
then written straight into those arrays: the construction's temporaries come to about 140
bytes a person at 1 M people (the pair keys, 8 bytes a tie, are the largest), where building
it in one step from whole arrays took ~820.

When someone tells more people than they have contacts (an unhappy customer tells
10–20, many people know fewer), the rest of the telling reaches random people in the
market: weak ties, review sites, social media (Goldenberg et al. 2007 on weak ties).
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

import numpy as np

from sim.core.memory import zeros
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
            keys = _small_world(size, spec.contacts_per_person, spec.rewiring_probability, generator)
        else:
            keys = _chung_lu(size, spec.contacts_per_person, spec.degree_exponent, generator)
        self.indptr, self.indices = _to_csr(size, keys)

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
        indptr = self.indptr
        contacts = self.indices[indptr[person] : indptr[person + 1]].tolist()  # neighbours(person), inlined
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


# Ties handled per step while the network is built: the temporaries stay a few MB whatever the
# market's size.
CHUNK = 1 << 18


def _small_world(size: int, degree: int, rewire: float, rng: np.random.Generator) -> np.ndarray:
    """The ring lattice's ties, each rewired to a random person with chance ``rewire``, as pair
    keys (:func:`_pair_keys`). Tie t is person t // half's (t mod half + 1)-th neighbour
    clockwise, then come the ties across the ring; the draws are one uniform a tie, in that
    order, then one person a rewired tie: the numbers of drawing them for all ties at once."""
    half = max(1, min(degree // 2, (size - 1) // 2))
    ring = size * half
    # An odd degree: one more tie each, to the person across the ring.
    ties = ring + (size // 2 if degree % 2 == 1 and 2 * half + 1 < size else 0)
    rewired = np.empty(ties, dtype=bool)
    for start in range(0, ties, CHUNK):  # rng.random(ties), a chunk at a time: the same stream
        stop = min(start + CHUNK, ties)
        rewired[start:stop] = rng.random(stop - start) < rewire
    new_ends = rng.integers(0, size, int(np.count_nonzero(rewired)))  # one call, as before

    def chunks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        used = 0
        for start in range(0, ties, CHUNK):
            stop = min(start + CHUNK, ties)
            tie = np.arange(start, stop, dtype=np.int64)
            on_ring = tie < ring
            src = np.where(on_ring, tie // half, tie - ring)
            dst = np.where(on_ring, (src + tie % half + 1) % size, src + size // 2)
            moved = rewired[start:stop]
            count = int(np.count_nonzero(moved))
            dst[moved] = new_ends[used : used + count]
            used += count
            yield src, dst

    return _pair_keys(size, ties, chunks())


def _chung_lu(size: int, degree: int, exponent: float, rng: np.random.Generator) -> np.ndarray:
    """size · degree / 2 ties whose two ends are drawn with probability ∝ the expected degrees,
    as pair keys (:func:`_pair_keys`)."""
    # Expected degrees w_i ∝ i^(-1/(exponent-1)), i = 1..N, give a power-law tail.
    weights = np.arange(1, size + 1, dtype=np.float64) ** (-1.0 / (exponent - 1.0))
    weights /= weights.sum()
    ties = size * degree // 2
    # All first ends, then all second ends, each as rng.choice(size, ties, p=weights) draws them
    # (NumPy's Generator.choice: uniforms rng.random(ties) looked up in the normalised
    # cumulative weights), a chunk at a time; tests/test_network_construction.py holds the two equal.
    cdf = weights.cumsum()
    cdf /= cdf[-1]
    del weights
    src = np.empty(ties, dtype=np.int32 if size <= np.iinfo(np.int32).max else np.int64)
    for start in range(0, ties, CHUNK):
        stop = min(start + CHUNK, ties)
        src[start:stop] = cdf.searchsorted(rng.random(stop - start), side="right")

    def chunks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for start in range(0, ties, CHUNK):
            stop = min(start + CHUNK, ties)
            dst = cdf.searchsorted(rng.random(stop - start), side="right").astype(np.int64)
            yield src[start:stop].astype(np.int64), dst

    return _pair_keys(size, ties, chunks())


def _pair_keys(size: int, ties: int, chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """The ties given as chunks of (one end, other end), without self-loops, each pair once: the
    sorted distinct keys lo · size + hi (lo < hi its two people)."""
    keys = np.empty(ties, dtype=np.int64)
    count = 0
    for src, dst in chunks:
        keep = src != dst
        src, dst = src[keep], dst[keep]
        lo = np.minimum(src, dst)
        lo *= size
        lo += np.maximum(src, dst)
        keys[count : count + lo.size] = lo
        count += lo.size
    keys = keys[:count]
    # Sort and keep each key that differs from the one before: np.unique's result (it hashed,
    # then sorted: 8 s of 10.7 for 6 M ties at 1 M people, against 0.4 s), compacted in place.
    keys.sort()
    kept, previous = 0, -1
    for start in range(0, count, CHUNK):
        block = keys[start : start + CHUNK]
        first = np.empty(block.size, dtype=bool)
        first[0] = block[0] != previous
        np.not_equal(block[1:], block[:-1], out=first[1:])
        previous = int(block[-1])
        distinct = block[first]  # a copy: writing it below start cannot spoil what is still to read
        keys[kept : kept + distinct.size] = distinct
        kept += distinct.size
    return keys[:kept]


def _to_csr(size: int, keys: np.ndarray) -> tuple[array, array]:
    """The symmetric adjacency of the pairs ``keys`` (sorted distinct lo · size + hi; reordered
    here) as CSR arrays ``indptr`` (int64) and ``indices`` (int32).

    Person v's contacts are those above v, ascending, then those below v, ascending: the order
    of a stable sort by person of the tie ends (lo, hi) then (hi, lo), which the construction
    used to do on two arrays of 2 × ties. Here the contacts above v are the run of keys with lo
    = v, written in place; those below, the run of keys with hi = v once the keys are turned
    into hi · size + lo and sorted again."""
    pairs = keys.size
    above = np.zeros(size, dtype=np.int64)  # contacts above each person (pairs where they are lo)
    below = np.zeros(size, dtype=np.int64)
    step = max(CHUNK, size)  # few bincounts over `size` even for a sparse network
    for start in range(0, pairs, step):
        lo, hi = np.divmod(keys[start : start + step], size)
        above += np.bincount(lo, minlength=size)
        below += np.bincount(hi, minlength=size)
        del lo, hi
    indptr = zeros("q", size + 1)
    ptr = np.frombuffer(indptr, dtype=np.int64)
    np.cumsum(above + below, out=ptr[1:])
    indices = zeros("i", 2 * pairs)
    contacts = np.frombuffer(indices, dtype=np.int32)
    # Above: the key at position j, lo = v, is contact ptr[v] + j - (first position of lo = v).
    offset = ptr[:-1] - (np.cumsum(above) - above)
    for start in range(0, pairs, CHUNK):
        lo, hi = np.divmod(keys[start : start + CHUNK], size)
        contacts[offset[lo] + np.arange(start, start + lo.size)] = hi
        keys[start : start + CHUNK] = hi * size + lo  # re-keyed for the contacts below
    del offset
    keys.sort()
    # Below: the key at position j, hi = v, is contact ptr[v] + above[v] + j - (first of hi = v).
    offset = ptr[:-1] + above - (np.cumsum(below) - below)
    del above, below
    for start in range(0, pairs, CHUNK):
        hi, lo = np.divmod(keys[start : start + CHUNK], size)
        contacts[offset[hi] + np.arange(start, start + hi.size)] = lo
    del contacts, ptr
    return indptr, indices
