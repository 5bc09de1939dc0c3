"""Random numbers that belong to the customer: counter-based draws keyed by who and why.

Every what-if answer is a difference between two scenarios run on the same seed, and
that difference is tight only if each customer meets the same luck in both wherever the
scenarios do not differ. Numbers handed out in event order from a shared stream do not
do that: one customer's extra contact shifts the numbers of every later customer. So
here no number is *consumed*; each is *computed* from its identity (Salmon et al. 2011,
"Parallel random numbers: as easy as 1, 2, 3", counter-based generation; the key tree
follows Claessen & Pałka 2013 and JAX's ``fold_in``):

* a **mechanism key** — 64 bits from ``SeedSequence(seed, spawn_key=(replication,
  crc32(name)))`` (:class:`Draws`), so it depends only on the master seed, the
  replication and the mechanism's name ("person", "advertising");
* a **draw** — ``uniform(key, slot)``: output ``slot`` of SplitMix64 (Steele, Lea &
  Flood 2014) seeded with ``key``, i.e. its finaliser of ``key + (slot + 1) · γ`` (mod
  2⁶⁴, γ the golden-ratio increment), scaled to [0, 1) with 53 bits; or, for two draws
  that come together, ``uniform_pair(key, slot)``: the same output's high and low 32
  bits. A draw is a pure function of its arguments: nothing drawn before or elsewhere
  can shift it;
* a **person's key** — ``Draws("person").base(person)``, output ``person`` of SplitMix64
  seeded with the mechanism key, computed for everybody when a replication is built and
  kept in ``People.key``;
* an **event key** — ``child(key, tag)``, a hash of a parent key and a tag: a customer's
  k-th order and the question of their n-th clock event (children of the person's key,
  in disjoint ranges of tags: ``sim.core.world.ORDER_TAGS``, ``QUESTION_TAGS``), the problems
  an order may hold, the a-th try of a contact, the experience it gives, the telling
  that follows. The draws of an event are the slots of its key.

Which sequence each draw comes from, in the model (the full table is in docs/MODEL.md,
"Stochasticity"): a customer's n-th clock event is pair n of their person key; the k-th
order's value and outcomes are slots of the order's key; a problem episode's voice and
leave decisions are a pair of the problem's key and its contacts its children; each
contact's deferral, patience, handle time, resolution and retry are slots of the
contact's key; the telling after an experience or an episode (whether, how many, whom,
and what each listener does) comes from its key and its telling child. Per person the
model keeps the key and one counter (``People.clock_events``); everything else is
numbered by the event it follows from.

Why pairing holds: a customer's n-th order has the same value, lateness and errors in
both scenarios, the same question reaches the desk at the same moment with the same
patience and handle time, and the same problem gets the same decisions — whatever
happened to anyone else, and whatever else happened to this customer. Only what the
scenarios change, and what follows from it, differs.

Speed: a draw costs about 0.3-0.4 µs in pure Python (one multiply-xorshift hash), against
about 0.05 µs for a number taken from a pre-drawn block; there is no per-customer
generator object (NumPy's is ~930 bytes). :func:`uniforms`, :func:`uniform_pairs`,
:func:`bases` and :func:`children` compute the same numbers for whole arrays at once,
for the batched mechanisms to come. Two keys could in principle start overlapping runs
of the same 2⁶⁴ sequence; with keys spread at random that happens with probability of
order (keys² · slots)/2⁶⁴, about 10⁻⁴ for 10⁷ keys of 100 slots, and would only make a
few numbers of two events coincide.

People's traits are the inverse distribution functions of keyed uniforms of their market
slot and generation (:mod:`sim.model.traits`). What else is drawn once, vectorised, when a
replication is built — the initial customers, the social network — comes from ordinary
NumPy generators seeded the same way (:func:`generator`), indexed by person.
"""

from __future__ import annotations

import math
import zlib

import numpy as np

MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15  # 2^64 / golden ratio, odd: the SplitMix64 increment
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_CHILD = 0x5851F42D4C957F2D  # distinguishes a child key from the draw at the same slot
_TO_UNIT = 2.0**-53
_TO_HALF = 2.0**-32
_LOW = (1 << 32) - 1


def seed_sequence(seed: int, replication: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of mechanism ``name`` in replication ``replication``."""
    return np.random.SeedSequence(seed, spawn_key=(replication, zlib.crc32(name.encode())))


def generator(seed: int, replication: int, name: str) -> np.random.Generator:
    """A NumPy generator for vectorised draws made once, when the replication is built."""
    return np.random.Generator(np.random.PCG64(seed_sequence(seed, replication, name)))


def mix(z: int) -> int:
    """The SplitMix64 finaliser: a bijection of 64-bit integers that scrambles every bit."""
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


def uniform(key: int, slot: int) -> float:
    """Draw number ``slot`` of ``key``: uniform on [0, 1) — output ``slot`` of SplitMix64
    seeded with ``key`` (whose state advances by γ before each output)."""
    z = (key + (slot + 1) * GAMMA) & MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return ((z ^ (z >> 31)) >> 11) * _TO_UNIT


def uniform_pair(key: int, slot: int) -> tuple[float, float]:
    """Output ``slot`` of ``key`` as two uniforms on (0, 1) with 32 bits each (its high and
    low halves, each centred in its step of 2⁻³², so never 0 or 1): one hash for two draws
    that come together (a clock's waiting time and pick, the two uniforms of Box–Muller)."""
    z = (key + (slot + 1) * GAMMA) & MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    z ^= z >> 31
    return ((z >> 32) + 0.5) * _TO_HALF, ((z & _LOW) + 0.5) * _TO_HALF


def exponential(key: int, slot: int) -> float:
    """Draw number ``slot`` of ``key``: standard exponential (mean 1), by inversion."""
    return -math.log1p(-uniform(key, slot))


def child(key: int, tag: int) -> int:
    """The key of what follows from ``key`` under ``tag`` (a contact's next try, a telling):
    ``mix(((key ^ _CHILD) + (tag + 1) · γ) mod 2⁶⁴)``, with :func:`mix` written out (as in
    :func:`uniform`): a child key is made at every order, delivery and telling, and the call
    cost as much as the hash."""
    z = ((key ^ _CHILD) + (tag + 1) * GAMMA) & MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


class Draws:
    """One mechanism's draws: a pure function of (seed, replication, name, who, n).

    Each person ``who`` has a base key, ``mix(key + (who + 1) · γ)`` (output ``who`` of
    SplitMix64 seeded with the mechanism's key): a SplitMix64 sequence of their own,
    started at a scrambled point. (Packing who into the high bits of one
    counter instead would step between people by a multiple of 2³², the kind of
    increment Steele et al. warn against; it shows as too-regular draws across people.)
    """

    __slots__ = ("name", "key")

    def __init__(self, seed: int, replication: int, name: str) -> None:
        self.name = name
        self.key = int(seed_sequence(seed, replication, name).generate_state(1, np.uint64)[0])

    def base(self, who: int) -> int:
        """``who``'s base key in this mechanism: their n-th number is ``uniform(base, n)``."""
        return mix((self.key + (who + 1) * GAMMA) & MASK)

    def uniform(self, who: int, n: int) -> float:
        """The n-th uniform number of ``who``."""
        return uniform(self.base(who), n)

    def exponential(self, who: int, n: int) -> float:
        """The n-th number of ``who``, as a standard exponential."""
        return -math.log1p(-uniform(self.base(who), n))

    def key_of(self, who: int, n: int) -> int:
        """The key of ``who``'s n-th event: its draws are ``uniform(key, slot)``."""
        return child(self.base(who), n)


# ---------------------------------------------------------------- vectorised


def _mix_array(z: np.ndarray) -> np.ndarray:
    z = (z ^ (z >> np.uint64(30))) * np.uint64(_M1)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(_M2)
    return z ^ (z >> np.uint64(31))


def uniforms(keys: np.ndarray, slots: np.ndarray | int) -> np.ndarray:
    """:func:`uniform` for arrays of keys (uint64) and slots: the very same numbers."""
    with np.errstate(over="ignore"):
        z = np.asarray(keys, dtype=np.uint64) + (np.asarray(slots, dtype=np.uint64) + np.uint64(1)) * np.uint64(GAMMA)
        return (_mix_array(z) >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def bases(draws: Draws, who: np.ndarray) -> np.ndarray:
    """:meth:`Draws.base` for many people: ``uniforms(bases(d, w), n)`` equals
    ``d.uniform(w, n)`` element by element."""
    with np.errstate(over="ignore"):
        who = np.asarray(who, dtype=np.uint64) + np.uint64(1)
        return _mix_array(np.uint64(draws.key) + who * np.uint64(GAMMA))


def uniform_pairs(keys: np.ndarray, slots: np.ndarray | int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`uniform_pair` for arrays."""
    with np.errstate(over="ignore"):
        z = np.asarray(keys, dtype=np.uint64) + (np.asarray(slots, dtype=np.uint64) + np.uint64(1)) * np.uint64(GAMMA)
        z = _mix_array(z)
    high = ((z >> np.uint64(32)).astype(np.float64) + 0.5) * _TO_HALF
    low = ((z & np.uint64(_LOW)).astype(np.float64) + 0.5) * _TO_HALF
    return high, low


def children(keys: np.ndarray, tags: np.ndarray | int) -> np.ndarray:
    """:func:`child` for arrays."""
    with np.errstate(over="ignore"):
        tags = np.asarray(tags, dtype=np.uint64) + np.uint64(1)
        return _mix_array((np.asarray(keys, dtype=np.uint64) ^ np.uint64(_CHILD)) + tags * np.uint64(GAMMA))
