"""Stand-ins for the tests of word of mouth: a network that always reaches the same people,
and a customer register that only notes who joined and by which channel."""

from __future__ import annotations

from typing import Any


class FixedNetwork:
    """A network stand-in that always reaches the same people."""

    def __init__(self, people: list[int]) -> None:
        self.people = people

    def recipients(self, person: int, count: int, key: int) -> list[int]:
        return list(self.people)


def reach_only(word_of_mouth: Any, people: list[int]) -> None:
    """Make every telling of ``word_of_mouth`` reach ``people``: a :class:`FixedNetwork`, and
    the Python draws, which ask the network (the compiled ones read the real network's ties)."""
    word_of_mouth.network = FixedNetwork(people)
    word_of_mouth.ties = None


class Joins:
    """Notes each join as (person, channel) instead of making a customer."""

    def __init__(self) -> None:
        self.joined: list[tuple[int, int]] = []

    def join(self, person: int, channel: int) -> None:
        self.joined.append((person, channel))
