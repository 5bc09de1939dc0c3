"""The market: the people in it, the initial customer base, and acquisition.

Every person is drawn once, at the start, with the traits they would have as a
customer — an order rate (gamma across people), a churn propensity (a gamma
multiplier with mean 1 on the time-based attrition hazards), an expectation of service
and a prior satisfaction (both Beta on 0..1). The traits are the initial people's, generation
0 of their slots, drawn as every newcomer's are (:mod:`sim.model.traits`: the inverse
distribution function of the person's own keyed uniform), in one vectorised step; so a
person is the same person in every scenario compared on common random numbers, whenever
and however they join, changing how one trait is spread leaves the others untouched and
keeps each person's rank in that trait. The choice of the initial customers has its own
generator (``population.initial_customers``).

Prospects join two ways (Bass 1969; Sultan, Farley & Lehmann 1990 give average
coefficients p ≈ 0.03, q ≈ 0.38 a year):

* **advertising** — each remaining prospect joins at yearly rate
  ``advertising_rate_per_year`` (the innovation coefficient p), simulated by thinning:
  candidates arrive at rate p·N over the whole population and a candidate joins only if
  still a prospect (or a former customer who can be won back), and then only with the
  chance :class:`Joining` gives (less after complaints remembered);
* **recommendation** — handled in :mod:`sim.model.word_of_mouth`: each recommendation heard
  converts with ``conversion_per_recommendation`` (times the advocate multiplier),
  likewise deterred by complaints remembered. The imitation coefficient q emerges as
  (recommendations per customer-year) × (conversion per recommendation).
"""

from __future__ import annotations

from typing import cast

import numpy as np
from simpy.events import Event, Timeout

from sim.core.calendar import DAYS_PER_YEAR
from sim.core.recorder import Daily
from sim.core.rng import bases, uniform
from sim.core.vocabulary import ADVERTISING, WINBACK
from sim.core.world import FORMER, PROSPECT, World
from sim.model.ports import CustomersPort, JoiningPort
from sim.model.traits import draw_traits, slot_keys


class Joining:
    """Who may join now, and how much remembered complaints and a past departure hold them back.

    A prospect joins with the chance its channel offers (advertising, a recommendation)
    times (1 − d)^m, m the complaints it still remembers: each complaint heard adds 1 to
    m, and m halves every ``complaint_memory_half_life_days`` (stored as the value m at
    the day it was last heard, decayed when read). A former customer — one who left, not
    one who died or moved away — can be won back after ``winback_cooloff_days``, with
    ``winback_relative_chance`` times a prospect's chance: the *win-back* channel.
    """

    def __init__(self, world: World, customers: CustomersPort) -> None:
        self.world = world
        self.people = world.people  # looked up once: try_join runs for every listener of a recommendation
        self.env = world.env
        # Prospects deterred a day: a block of the recorder's (one column), which the compiled
        # tellings of sim.model.chain count into too; self.deterred its column, looked up once.
        self.deterred_block = world.record.block((Daily.PROSPECTS_DETERRED,))
        self.deterred = self.deterred_block[:, 0]
        self.customers = customers
        self.refresh()

    def refresh(self) -> None:
        acq = self.world.scenario.acquisition
        self.keep_after_complaint = 1.0 - acq.deterrence_per_complaint_heard
        self.half_life = acq.complaint_memory_half_life_days
        self.winback = acq.winback_relative_chance
        self.cooloff = acq.winback_cooloff_days
        # What factors() computes with, for a telling's listeners compiled
        # (sim.model.compiled.telling_listeners): (keep, half-life, win-back, cool-off).
        self.terms = (self.keep_after_complaint, self.half_life, self.winback, self.cooloff)

    def chance(self, person: int) -> float:
        """The factor on ``person``'s chance to join now (0: cannot join)."""
        eligible, kept = self.factors(person)
        return eligible * kept

    def factors(self, person: int) -> tuple[float, float]:
        """(eligibility: 1 for a prospect, the win-back fraction for a former customer past the
        cool-off, else 0; the share of that chance left after remembered complaints)."""
        people = self.people
        status = people.status[person]
        if status == PROSPECT:
            eligible = 1.0
        elif status == FORMER and self.env.now - people.left[person] >= self.cooloff:
            eligible = self.winback
        else:
            return 0.0, 1.0
        memory = people.complaint_memory[person]
        if memory <= 0.0:
            return eligible, 1.0
        age = self.env.now - people.memory_day[person]
        return eligible, self.keep_after_complaint ** (memory * 2.0 ** (-age / self.half_life))

    def try_join(self, person: int, chance: float, draw: float, channel: int) -> None:
        """Join if ``draw`` < ``chance`` × the factors; count a *prospect deterred* when only the
        complaints remembered stood in the way."""
        eligible, kept = self.factors(person)
        if draw < chance * eligible * kept:
            self.customers.join(person, self.channel(person, channel))
        elif draw < chance * eligible:
            self.deterred[int(self.env.now)] += 1.0  # Recorder.add(PROSPECTS_DETERRED, day), the column looked up once

    def join(self, person: int, channel: int) -> None:
        """``person`` joins through ``channel`` (win-back for a former customer): what try_join
        does when the draw is below the chance."""
        self.customers.join(person, self.channel(person, channel))

    def count_deterred(self, count: int) -> None:
        """``count`` prospects deterred now, as try_join counts them one by one (whole numbers:
        the same sum)."""
        self.deterred[int(self.env.now)] += float(count)

    def remembered(self, person: int) -> float:
        """Complaints ``person`` still remembers now."""
        people = self.people
        age = self.env.now - people.memory_day[person]
        return people.complaint_memory[person] * 2.0 ** (-age / self.half_life)

    def hear_complaint(self, person: int) -> None:
        """``person`` (a prospect or former customer) hears a complaint now."""
        people = self.people
        people.complaint_memory[person] = self.remembered(person) + 1.0
        people.memory_day[person] = self.env.now

    def channel(self, person: int, channel: int) -> int:
        """The channel a join counts under: win-back for a former customer."""
        return WINBACK if self.people.status[person] == FORMER else channel


def draw_population(world: World) -> None:
    """Give every person their draw key (:mod:`sim.core.rng`) and their traits: generation 0
    of every slot, by :func:`sim.model.traits.draw_traits` as for every newcomer."""
    n = world.scenario.market.population
    world.people.view("key")[:] = bases(world.draws("person"), np.arange(n))
    draw_traits(world, np.arange(n), slot_keys(world), 0)


def seed_customers(world: World, customers: CustomersPort) -> None:
    """Make a random ``initial_customers`` of the people customers, with the loyalty mix, and
    ``initial_former_share`` of the others former customers who left long enough ago to be won back."""
    sc = world.scenario.market
    rng = world.generator("population.initial_customers")
    order = rng.permutation(sc.population)
    chosen = order[: sc.initial_customers]
    mix = sc.initial_loyalty_mix
    levels = rng.choice(np.array([1, 2, 3]), size=chosen.size, p=[mix.level1, mix.level2, mix.level3])
    customers.start_as_customers(chosen, levels)
    others = sc.population - sc.initial_customers
    formers = order[sc.initial_customers: sc.initial_customers + round(sc.initial_former_share * others)]
    world.people.view("status")[formers] = FORMER
    world.people.view("left")[formers] = -np.inf  # long before the start: past any cool-off
    # Complaints remembered by everyone who is not a customer, as of day 0 (exponential: the
    # shape of the steady state's spread; see the parameter).
    remembered = sc.initial_complaints_remembered
    if remembered > 0:
        memory = world.people.view("complaint_memory")
        memory[:] = world.generator("population.complaint_memory").exponential(remembered, sc.population)
        memory[chosen] = 0.0


class Advertising:
    """Prospects joining through advertising, at the Bass innovation rate.

    Candidates are numbered; the c-th candidate's waiting time, whom it picks and
    whether it is accepted are draws 0, 1, 2 of ``Draws("advertising")`` for c — the same
    candidates in every scenario with the same rate, whoever they find. A change of rate
    keeps the pending candidate's number and stretches its time left by old rate / new rate
    (exact, memoryless), so the candidates are not renumbered: the c-th candidate picks the
    same person in both runs of a pair.
    """

    def __init__(self, world: World, customers: CustomersPort, joining: JoiningPort) -> None:
        self.world = world
        self.customers = customers
        self.joining = joining
        self.draws = world.draws("advertising")
        self.candidates = 0
        self.pending: Event | None = None
        self.due = 0.0  # when the pending candidate arrives
        self.rate_per_day = -1.0
        self.refresh()

    def refresh(self) -> None:
        """Read the parameters; if the rate changed, rescale the pending candidate's time left
        (exact: the waiting time is memoryless), keeping its number."""
        acq = self.world.scenario.acquisition
        rate = acq.advertising_rate_per_year / DAYS_PER_YEAR * self.world.people.size
        if rate == self.rate_per_day:
            return
        old, self.rate_per_day = self.rate_per_day, rate
        if self.pending is None or old <= 0 or rate <= 0:
            self._schedule()  # none to keep (or none any more): the next candidate
            return
        env = self.world.env
        wait = (self.due - env.now) * old / rate
        self.pending = Timeout(env, wait, self.candidates)  # the same candidate; the old event is void
        self.pending.callbacks.append(self._candidate)
        self.due = env.now + wait

    def _schedule(self) -> None:
        self.pending = None
        if self.rate_per_day > 0:
            self.candidates += 1
            wait = self.draws.exponential(self.candidates, 0) / self.rate_per_day
            self.due = self.world.env.now + wait
            self.pending = Timeout(self.world.env, wait, self.candidates)
            self.pending.callbacks.append(self._candidate)

    def _candidate(self, event: Event) -> None:
        if event is not self.pending:
            return  # superseded by a change of rate
        people = self.world.people
        candidate = cast(int, event.value)
        key = self.draws.base(candidate)
        person = int(uniform(key, 1) * people.size)
        accept = uniform(key, 2)
        self.joining.try_join(person, 1.0, accept, ADVERTISING)
        self._schedule()
