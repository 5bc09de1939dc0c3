"""The calendar: the units of simulated time, in one place.

The simulation clock counts days (a float: 0.5 is noon of day 0). The clock starts with
the warm-up; day d of the measured window is simulated day ``warmup_days + d``. The warm-up
is whole weeks, so both day 0 of the clock and day 0 of the window are Mondays, and day d
is weekday ``d mod 7`` (0 = Monday). A year is 365 days and a month a twelfth of it.
"""

from __future__ import annotations

DAYS_PER_YEAR = 365.0
DAYS_PER_MONTH = DAYS_PER_YEAR / 12
DAYS_PER_WEEK = 7
HOURS_PER_DAY = 24.0
MINUTES_PER_DAY = 1440.0
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Times within EPS (days) of a boundary count as on it: a float computed for an hour's
# start (e.g. 9/24 + day) may fall a hair short of it.
EPS = 1e-9


def simulated_day(measured_day: float, warmup_days: int) -> float:
    """The simulation clock's day of day ``measured_day`` of the measured window."""
    return warmup_days + measured_day


def weekday(day: float) -> int:
    """The weekday (0 = Monday) of a day of the clock or of the window."""
    return int(day) % DAYS_PER_WEEK
