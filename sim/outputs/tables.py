"""Tidy tables of a run: one row per replication (KPIs), per replication and day (the
time series), per replication, weekday and hour (the desk), per churn event; and
:class:`RunResult`, the replications of one scenario with those tables on demand.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.core.calendar import WEEKDAYS
from sim.core.recorder import CHURN_FIELDS, ReplicationResult
from sim.core.vocabulary import CAUSES, LEVELS, PATHS
from sim.outputs.economics import daily_economics
from sim.outputs.kpis import COUNT_KPIS, KPI_NAMES, kpis
from sim.scenario.schema import Scenario


def kpi_frame(results: list[ReplicationResult], scenario: Scenario) -> pd.DataFrame:
    """One row per replication, one column per KPI."""
    rows = [kpis(r, scenario) for r in results]
    frame = pd.DataFrame(rows, columns=list(KPI_NAMES))
    frame = frame.astype({name: "Int64" for name in COUNT_KPIS})  # whole numbers; missing as <NA>
    frame.insert(0, "replication", np.array([r.replication for r in results], dtype=np.int64))
    return frame


_TIMESERIES_COUNTS = frozenset({
    "replication", "day", "customers_active", "active_level1", "active_level2", "active_level3",
    "new_customers_advertising", "new_customers_referral", "new_customers_winback", "prospects_deterred", "market_entries", "orders", "orders_initial", "orders_repeat",
    "orders_on_time", "orders_perfect", "contacts", "complaints", "answered", "abandoned", "waited",
    "answered_within_target", "wom_positive", "wom_negative", "agents",
})


def timeseries_frame(results: list[ReplicationResult], scenario: Scenario) -> pd.DataFrame:
    """One row per replication and day: customers, acquisition, churn, desk, money."""
    frames = []
    for r in results:
        d = r.daily
        money = daily_economics(d, scenario.economics, scenario.investments)
        answered = d["answered"]
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_wait = np.where(answered > 0, d["wait_minutes_sum"] / np.maximum(answered, 1), np.nan)
        columns: dict[str, np.ndarray] = {
            "replication": np.full(r.horizon_days, r.replication),
            "day": np.arange(r.horizon_days),
            "customers_active": d["active_level1"] + d["active_level2"] + d["active_level3"],
            "active_level1": d["active_level1"],
            "active_level2": d["active_level2"],
            "active_level3": d["active_level3"],
            "new_customers_advertising": d["new_advertising"],
            "new_customers_referral": d["new_referral"],
            "new_customers_winback": d["new_winback"],
            "prospects_deterred": d["prospects_deterred"],
            "market_entries": d["market_entries"],
            **{f"churned_{c}": d[f"churned_{c}"] for c in CAUSES},
            "orders": d["orders"],
            "orders_initial": d["orders_initial"],
            "orders_repeat": d["orders_repeat"],
            "orders_on_time": d["orders_on_time"],
            "orders_perfect": d["orders_perfect"],
            "contacts": d["contacts"],
            "complaints": d["complaints"],
            "answered": answered,
            "abandoned": d["abandoned"],
            "waited": d["waited"],
            "answered_within_target": d["answered_within_target"],
            "wait_minutes_sum": d["wait_minutes_sum"],
            "mean_wait_minutes": mean_wait,
            "wom_positive": d["wom_positive"],
            "wom_negative": d["wom_negative"],
            "mean_satisfaction": d["mean_satisfaction"],
            "agents": d["agents"],
            "staffed_agent_hours": d["staffed_agent_hours"],
            "overtime_agent_hours": d["overtime_agent_hours"],
            "agent_busy_hours": d["agent_busy_hours"],
            "abandoned_wait_minutes_sum": d["abandoned_wait_minutes_sum"],
            "revenue": d["revenue"],
            **{f"revenue_level{n}": d[f"revenue_level{n}"] for n in LEVELS},
            **money,
            "cumulative_profit": np.cumsum(money["profit"]),
        }
        for name in columns:
            if name in _TIMESERIES_COUNTS or name.startswith("churned_"):
                columns[name] = np.asarray(columns[name]).round().astype(np.int64)
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)




def desk_by_hour_frame(results: list[ReplicationResult], from_day: int = 0) -> pd.DataFrame:
    """The desk by weekday and hour of the day a contact arrived, one row per replication,
    weekday (0 = Monday: day d is weekday d mod 7) and hour: the contacts offered in that hour
    of the week over the days >= ``from_day``, how many were answered, abandoned and waited at
    all, their total and mean wait (answered and abandoned alike), and ``days``, how many such
    hours there were (divide a count by it for a mean per day)."""
    frames = []
    for r in results:
        start = 24 * from_day
        cell = np.arange(start, 24 * r.horizon_days) % 168  # 24 weekday + hour, day 0 a Monday
        sums = {name: np.bincount(cell, weights=values[start:], minlength=168) for name, values in r.hourly.items()}
        days = np.bincount(cell, minlength=168)
        offered = sums["offered"]
        finished = sums["answered"] + sums["abandoned"]
        with np.errstate(invalid="ignore", divide="ignore"):
            columns: dict[str, np.ndarray] = {
                "replication": np.full(168, r.replication, dtype=np.int64),
                "weekday": np.repeat(np.arange(7), 24),
                "weekday_name": np.repeat(np.array(WEEKDAYS), 24),
                "hour": np.tile(np.arange(24), 7),
                "days": days.astype(np.int64),
                "offered": offered.round().astype(np.int64),
                "answered": sums["answered"].round().astype(np.int64),
                "abandoned": sums["abandoned"].round().astype(np.int64),
                "waited": sums["waited"].round().astype(np.int64),
                "wait_minutes_sum": sums["wait_minutes_sum"],
                "abandonment_rate": np.where(finished > 0, sums["abandoned"] / finished, np.nan),
                "p_wait_gt_0_offered": np.where(finished > 0, sums["waited"] / finished, np.nan),
                "mean_wait_minutes_offered": np.where(finished > 0, sums["wait_minutes_sum"] / finished, np.nan),
            }
        frames.append(pd.DataFrame(columns))
    return pd.concat(frames, ignore_index=True)


def churn_frame(results: list[ReplicationResult]) -> pd.DataFrame:
    """One row per churn event, with its cause and path by name."""
    frames = []
    for r in results:
        c = r.churn
        frame = pd.DataFrame({"replication": np.full(len(c["day"]), r.replication, dtype=np.int64)})
        for name in CHURN_FIELDS:
            frame[name] = c[name]
        frame["cause"] = pd.Categorical.from_codes(c["cause"].astype(np.int64), categories=list(CAUSES))
        frame["path"] = pd.Categorical.from_codes(c["path"].astype(np.int64), categories=list(PATHS))
        frame["in_start_cohort"] = c["in_start_cohort"].astype(bool)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@dataclass
class RunResult:
    """The replications of one scenario, with tidy tables on demand."""

    scenario: Scenario
    replications: list[ReplicationResult]
    # The KPI table, with the scenario and replications it was made from (a comparison reads
    # it some forty times: the summaries, the paired analysis, the CSVs); made again when
    # they are no longer the same objects.
    _kpis: tuple[tuple[object, ...], pd.DataFrame] | None = field(default=None, init=False, repr=False,
                                                                  compare=False)

    def kpis(self) -> pd.DataFrame:
        """One row per replication, one column per KPI (a copy: change it freely)."""
        made_from = (self.scenario, *self.replications)
        cached = self._kpis
        if cached is None or len(cached[0]) != len(made_from) or any(
                a is not b for a, b in zip(cached[0], made_from, strict=True)):
            cached = self._kpis = (made_from, kpi_frame(self.replications, self.scenario))
        return cached[1].copy()

    def __getstate__(self) -> dict[str, object]:  # not pickled: made again where needed
        return {**self.__dict__, "_kpis": None}

    def timeseries(self) -> pd.DataFrame:
        return timeseries_frame(self.replications, self.scenario)

    def churn_events(self) -> pd.DataFrame:
        return churn_frame(self.replications)

    def desk_by_hour(self) -> pd.DataFrame:
        return desk_by_hour_frame(self.replications)
