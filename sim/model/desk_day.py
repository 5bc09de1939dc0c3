"""The desk's day: when it is open, how many agents are on duty, when contacts arrive.

A customer's problem arises whenever their clock says (customers' clocks know nothing of
the time of day), but the desk keeps office hours. Three calendars shape its day:

* **opening hours** (:class:`OpeningHours`): open from ``start_hour`` to ``end_hour`` on
  the first ``days_per_week`` days of each week; day d of a run is weekday d mod 7, day 0
  a Monday;
* **staffing** (:class:`Staffing`): agents on duty by block of hours and weekday
  (``service.staffing``), ``service.agents`` in every opening hour no block covers, and
  nobody while the desk is closed. It is a step function of the time of the week; the
  desk changes shift at each step, and the staffed agent-hours are what the agents cost;
* **the arrival profile** (:class:`ArrivalProfile`): a contact raised while the desk is
  closed is made in its next opening, at a time drawn from an hour-of-day weight
  profile over the opening hours (``service.arrival_profile.weights_by_hour``; the
  default a morning peak, after the weekday call-centre arrival curves of Brown et al.
  2005 and Gans, Koole & Mandelbaum 2003). A contact raised while it is open may likewise
  be put off (``delay_share_while_open``) to a time drawn from the profile over the rest
  of that day's opening. Within an hour the time is uniform, so the density is piecewise
  constant and one uniform, by inversion, gives the time; with equal weights this is the
  uniform spread over the opening that the desk used before.

Nothing here draws a random number: the desk passes the uniforms in (slots of the
contact's key, :mod:`sim.model.desk`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from itertools import pairwise

from sim.core.calendar import DAYS_PER_WEEK, EPS, HOURS_PER_DAY
from sim.scenario.schema import ServiceSpec


class OpeningHours:
    """When the desk is open, in simulated days.

    Times within ``EPS`` (:mod:`sim.core.calendar`) of an opening count as open, so that the float computed for
    an opening time (day + start) is itself open.
    """


    def __init__(self, start_hour: float, end_hour: float, days_per_week: int) -> None:
        self.start = start_hour / HOURS_PER_DAY
        self.end = end_hour / HOURS_PER_DAY
        self.days_per_week = days_per_week
        self.always = self.start == 0.0 and self.end == 1.0 and days_per_week == 7

    def is_open(self, t: float) -> bool:
        if self.always:
            return True
        day = int(t)
        return day % DAYS_PER_WEEK < self.days_per_week and self.start - EPS <= t - day < self.end

    def next_opening(self, t: float) -> float:
        """The start of the next opening at or after ``t`` (``t`` itself if open)."""
        if self.is_open(t):
            return t
        return self.opening_after(t)

    def opening_after(self, t: float) -> float:
        """The start of the next opening after ``t``, a time the desk is closed (the desk
        asks ``is_open`` first, so it skips the check ``next_opening`` makes)."""
        day = int(t)
        if day % DAYS_PER_WEEK < self.days_per_week and t - day < self.start:
            return day + self.start
        day += 1
        while day % DAYS_PER_WEEK >= self.days_per_week:
            day += 1
        return day + self.start


class Staffing:
    """Agents on duty at any time of the week: per weekday, steps over the opening hours."""

    def __init__(self, service: ServiceSpec) -> None:
        hours = service.opening_hours
        start, end = hours.start_hour, hours.end_hour
        # Per weekday: (start, end, agents) in fractions of a day, covering its opening.
        self.steps: list[list[tuple[float, float, int]]] = []
        for weekday in range(DAYS_PER_WEEK):
            if weekday >= hours.days_per_week:
                self.steps.append([])
                continue
            blocks = [(b.start_hour, b.end_hour, b.agents) for b in service.staffing if weekday in b.days]
            cuts = sorted({start, end, *(h for b in blocks for h in b[:2] if start < h < end)})
            steps: list[tuple[float, float, int]] = []
            for lo, hi in pairwise(cuts):
                agents = next((n for a, b, n in blocks if a <= lo < b), service.agents)
                if steps and steps[-1][2] == agents:
                    steps[-1] = (steps[-1][0], hi / HOURS_PER_DAY, agents)
                else:
                    steps.append((lo / HOURS_PER_DAY, hi / HOURS_PER_DAY, agents))
            self.steps.append(steps)
        # The most agents on duty at once: the agents the desk employs.
        self.peak = max((n for steps in self.steps for _, _, n in steps), default=0)
        self.agent_hours_per_week = sum((b - a) * n for steps in self.steps for a, b, n in steps) * HOURS_PER_DAY

    def at(self, t: float) -> tuple[int, float]:
        """Agents on duty at ``t`` and when that number next changes (after ``t``)."""
        day = int(t)
        frac = t - day
        for a, b, n in self.steps[day % DAYS_PER_WEEK]:
            if frac < a - EPS:
                return 0, day + a
            if frac < b - EPS:
                return n, day + b
        for ahead in range(1, 8):
            steps = self.steps[(day + ahead) % DAYS_PER_WEEK]
            if steps:
                return 0, day + ahead + steps[0][0]
        return 0, math.inf


class ArrivalProfile:
    """When in a day's opening a deferred contact arrives: hour weights, uniform within an hour."""

    def __init__(self, weights_by_hour: Sequence[float], start_hour: float, end_hour: float) -> None:
        # Pieces of the opening, one per (part of an) hour: start, length (days), density.
        self.pieces: list[tuple[float, float, float]] = []
        hour = math.floor(start_hour)
        while hour < end_hour:
            lo, hi = max(start_hour, hour), min(end_hour, hour + 1)
            if hi > lo:
                self.pieces.append((lo / HOURS_PER_DAY, (hi - lo) / HOURS_PER_DAY, weights_by_hour[int(hour) % 24]))
            hour += 1
        self.end = end_hour / HOURS_PER_DAY
        self.cumulative = [0.0]
        for _, length, weight in self.pieces:
            self.cumulative.append(self.cumulative[-1] + length * weight)

    def time_of_day(self, u: float) -> float:
        """The time of day (fraction of a day) of a contact deferred to an opening, by inversion."""
        cum = self.cumulative
        x = u * cum[-1]
        i = min(bisect_right(cum, x) - 1, len(self.pieces) - 1)  # skips pieces of weight 0
        while self.pieces[i][2] == 0.0:  # only if rounding put x at the very end
            i -= 1
        lo, length, weight = self.pieces[i]
        return lo + min((x - cum[i]) / weight, length)

    def later_today(self, frac: float, u: float) -> float | None:
        """A time of day in (``frac``, closing) drawn from the weights over the rest of the
        opening; ``None`` if the rest has no weight."""
        rest = []
        for lo, length, weight in self.pieces:
            hi = lo + length
            if hi > frac and weight > 0:
                a = max(lo, frac)
                rest.append((a, (hi - a) * weight, weight))
        total = 0.0
        for _, mass, _ in rest:  # added in order (sum() of floats is compensated from Python 3.12)
            total += mass
        if total <= 0:
            return None
        x = u * total
        for a, mass, weight in rest:
            if x < mass:
                return a + x / weight
            x -= mass
        a, mass, weight = rest[-1]
        return a + mass / weight * (1 - 1e-12)
