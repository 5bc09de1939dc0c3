"""The ports through which the mechanisms meet: what each offers the others, and no more.

A mechanism holds its peers as these small protocols, never as each other's concrete classes,
so that the model's modules import one another in one direction only (import-linter checks
it, type-checking imports included); :mod:`sim.model.replication` builds the mechanisms and
wires them, in one place. The :class:`Episode` a problem carries between the episodes and the
desk is here too, with the layout of its draw key, which three mechanisms share.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

# An experience's or an episode's key: its slots and child (the only place they are assigned).
VOICE_LEAVE = 0  # slot, a pair: an episode's (voice it, leave after it)
TELL = 1  # slot, a pair: (tell at all, how many)
TELLING = 1 << 16  # child: whom the customer tells (clear of an episode's contacts 1, 2, …)
LISTENERS = 1 << 16  # slot of the first listeners' decisions in a telling's key (sim.model.word_of_mouth)


class Episode:
    """One customer's problem, open until its outcome is known."""

    __slots__ = ("person", "kind", "about", "key", "opened")

    def __init__(self, person: int, kind: int, about: int, key: int, opened: float) -> None:
        self.person = person
        self.kind = kind
        self.about = about  # SERVICE or PRODUCT: the cause a leave decision is attributed to
        self.key = key  # the problem's draw key
        self.opened = opened  # when the problem arose


class AttritionPort(Protocol):
    """Churn and the time-based hazards (sim.model.attrition)."""

    def churn(self, person: int, cause: int, path: int) -> None: ...
    def hazard_bound(self, person: int) -> float: ...
    def time_based(self, person: int, pick: float) -> None: ...


class TurnoverPort(Protocol):
    """The market's turnover (sim.model.turnover): a new person takes a slot."""

    def replace(self, slot: int) -> None: ...


class CustomersPort(Protocol):
    """The customers' register and clocks (sim.model.customers)."""

    def start_as_customer(self, person: int, level: int) -> None: ...
    def start_as_customers(self, persons: np.ndarray, levels: np.ndarray) -> None: ...
    def join(self, person: int, channel: int) -> None: ...
    def level_changed(self, person: int) -> None: ...
    def void_clock(self, person: int) -> None: ...


class JoiningPort(Protocol):
    """Whether a prospect joins (sim.model.market)."""

    terms: tuple[float, float, float, float]  # (keep after a complaint, memory's half-life, win-back, cool-off)

    def try_join(self, person: int, chance: float, draw: float, channel: int) -> None: ...
    def hear_complaint(self, person: int) -> None: ...
    def join(self, person: int, channel: int) -> None: ...
    def count_deterred(self, count: int) -> None: ...


class FulfilmentPort(Protocol):
    """Orders and their delivery (sim.model.fulfilment)."""

    def place_order(self, person: int, initial: bool) -> None: ...


class DeskPort(Protocol):
    """The support desk (sim.model.desk): the contacts it is sent."""

    def question(self, person: int, clock_event: int) -> None: ...
    def order_problem(self, episode: Episode) -> None: ...
    def product_problem(self, episode: Episode) -> None: ...


class EpisodesPort(Protocol):
    """Problem episodes (sim.model.episodes): opened, resolved or not, each with one decision."""

    def open(self, person: int, kind: int, about: int, key: int, felt: int) -> None: ...
    def failed_question(self, person: int, key: int, opened: float) -> Episode: ...
    def quick(self, episode: Episode) -> bool: ...
    def resolved(self, episode: Episode, quick: bool, felt: int) -> None: ...
    def unresolved(self, episode: Episode) -> None: ...


class SatisfactionPort(Protocol):
    """How interactions are scored and felt (sim.model.satisfaction)."""

    recovery_bonus: float
    product_problem_score: float
    perfect_order_score: float  # fulfilment_score(1.0, 1.0)

    def fulfilment_score(self, responsiveness: float, reliability: float) -> float: ...
    def contact_score(self, responsiveness: float, resolved: bool, answered: bool) -> float: ...
    def feel(self, person: int, score: float, about: int = ..., bonus: float = 0.0, lift: float = 0.0) -> int: ...
    def respond(self, person: int, felt: int, key: int) -> None: ...
    def experience(
        self, person: int, score: float, key: int, about: int = ..., bonus: float = 0.0, lift: float = 0.0
    ) -> int: ...
    def lose(self, person: int, amount: float) -> None: ...


class LoyaltyPort(Protocol):
    """Moves between loyalty levels (sim.model.loyalty)."""

    def on_order(self, person: int) -> None: ...
    def on_happy(self, person: int) -> None: ...
    def on_neutral(self, person: int) -> None: ...
    def on_unhappy(self, person: int) -> None: ...


class WordOfMouthPort(Protocol):
    """Telling others about an experience (sim.model.word_of_mouth)."""

    def tell(self, person: int, positive: bool, key: int) -> None: ...
