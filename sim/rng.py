"""Named random streams, one per mechanism, derived from the scenario's seed.

Every random number in a replication comes from a NumPy ``Generator`` that belongs to
one mechanism ("fulfilment", "desk", "word_of_mouth", ...). Each stream's seed is
``SeedSequence(seed, spawn_key=(replication, crc32(name)))``: it depends only on the
master seed, the replication index and the mechanism's *name*, not on how many other
streams exist or in which order they are created. So changing one mechanism's
parameters (and hence how many numbers it draws) leaves the numbers every other
mechanism draws untouched, which is what paired comparisons between scenarios on
common random numbers rely on; and replication *i* is the same whichever worker
process runs it.

Scalar draws from NumPy cost about twice ``random.expovariate``; a :class:`Stream`
therefore draws in blocks and hands the numbers out one at a time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable

import numpy as np

BLOCK = 4096


def stream_seed(seed: int, replication: int, name: str) -> np.random.SeedSequence:
    """The seed sequence of mechanism ``name`` in replication ``replication``."""
    return np.random.SeedSequence(seed, spawn_key=(replication, zlib.crc32(name.encode())))


class Stream:
    """A mechanism's random numbers, drawn in blocks of ``BLOCK`` for speed."""

    __slots__ = ("name", "generator", "_uniform", "_exponential", "_normal")

    def __init__(self, seed: int, replication: int, name: str) -> None:
        self.name = name
        self.generator = np.random.Generator(np.random.PCG64(stream_seed(seed, replication, name)))
        self._uniform: list[float] = []
        self._exponential: list[float] = []
        self._normal: list[float] = []

    def uniform(self) -> float:
        """A uniform number in [0, 1)."""
        if not self._uniform:
            self._uniform = self.generator.random(BLOCK).tolist()
        return self._uniform.pop()

    def exponential(self) -> float:
        """A standard exponential number (mean 1)."""
        if not self._exponential:
            self._exponential = self.generator.standard_exponential(BLOCK).tolist()
        return self._exponential.pop()

    def normal(self) -> float:
        """A standard normal number."""
        if not self._normal:
            self._normal = self.generator.standard_normal(BLOCK).tolist()
        return self._normal.pop()

    def integer(self, low: int, high: int) -> int:
        """A uniform integer in ``low..high`` inclusive."""
        return low + int(self.uniform() * (high - low + 1))

    def rows(self, width: int) -> Callable[[], list[float]]:
        """A sampler of ``width`` uniform numbers at a time, with its own block of draws."""
        buffer: list[list[float]] = []
        generator = self.generator
        rows_per_block = max(1, BLOCK // width)

        def draw() -> list[float]:
            nonlocal buffer
            if not buffer:
                buffer = generator.random((rows_per_block, width)).tolist()
            return buffer.pop()

        return draw

    def gamma_sampler(self, shape: float, scale: float) -> Callable[[], float]:
        """A sampler of Gamma(shape, scale), with its own block of draws."""
        buffer: list[float] = []
        generator = self.generator

        def draw() -> float:
            nonlocal buffer
            if not buffer:
                buffer = generator.gamma(shape, scale, BLOCK).tolist()
            return buffer.pop()

        return draw
