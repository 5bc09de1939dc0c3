"""The report's figures (plotly), each from result tables only: one colour per scenario
(:func:`colours`), units on every axis, money in the scenario's currency."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from sim.core.calendar import DAYS_PER_MONTH
from sim.core.vocabulary import CAUSES, CHANNELS, PATHS
from sim.outputs.comparison import discount_factors
from sim.outputs.stats import t_quantile

BASELINE_COLOUR = "#4d4d4d"
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf")
REFERENCE_COLOUR = "#b8b8b8"
# The sources' mix of churn causes (share of all churn).
REFERENCE_MIX = {"poor_service": 0.68, "product_dissatisfaction": 0.14, "competition": 0.09,
                 "friends_influence": 0.05, "moved_away": 0.03, "died": 0.01}
LAYOUT = {"template": "plotly_white", "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
          "font": {"size": 12}, "legend": {"orientation": "h", "y": -0.2}}


def colours(names: Sequence[str]) -> dict[str, str]:
    """The baseline (first) in grey, every alternative its own colour, the same in every figure."""
    return {name: BASELINE_COLOUR if i == 0 else PALETTE[(i - 1) % len(PALETTE)] for i, name in enumerate(names)}


def words(name: str) -> str:
    return name.replace("_", " ")


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def band(frame: pd.DataFrame, column: str, low: float = -np.inf, high: float = np.inf) -> pd.DataFrame:
    """Per day: the mean of ``column`` across replications and its 95 % Student-t band, cut to the
    natural range [low, high] (as summary.json's intervals are)."""
    g = frame.groupby("day")[column]
    out = pd.DataFrame({"mean": g.mean(), "sd": g.std(), "n": g.count()})
    t = np.array([t_quantile(0.95, int(n) - 1) if n > 1 else np.nan for n in out["n"]])
    half = t * out["sd"].to_numpy() / np.sqrt(out["n"].to_numpy())
    out["lo"], out["hi"] = (out["mean"] - half).clip(low, high), (out["mean"] + half).clip(low, high)
    return out.reset_index()


def _band_traces(fig: go.Figure, x: Any, mean: Any, lo: Any, hi: Any, name: str, colour: str,
                 show: bool = True, **where: int) -> None:
    """A mean line with a shaded band (lo..hi) under it, in the scenario's colour."""
    fig.add_trace(go.Scatter(x=np.concatenate([x, x[::-1]]), y=np.concatenate([hi, lo[::-1]]), fill="toself",
                             fillcolor=_rgba(colour, 0.2), line={"width": 0}, hoverinfo="skip",
                             showlegend=False, legendgroup=name), **where)
    fig.add_trace(go.Scatter(x=x, y=mean, name=words(name), line={"color": colour, "width": 2},
                             legendgroup=name, showlegend=show), **where)


def npv_risk(alternatives: Mapping[str, Any], colour: Mapping[str, str], currency: str) -> go.Figure:
    """Per alternative: the NPV's mean with its 95 % interval (a dot and bar) beside the spread
    of the replications (a box: median, quartiles, whiskers at the 10th and 90th percentiles)."""
    fig = go.Figure()
    for name, alt in alternatives.items():
        econ = alt["economics"]
        values = np.asarray([v for v in econ["npv_values"] if v is not None], dtype=float)
        if values.size == 0:
            continue
        q10, q25, q50, q75, q90 = np.percentile(values, [10, 25, 50, 75, 90])
        fig.add_trace(go.Box(y=[words(name)], q1=[q25], median=[q50], q3=[q75], lowerfence=[q10], upperfence=[q90],
                             orientation="h", name=f"{words(name)}: replications", marker_color=colour[name],
                             fillcolor=_rgba(colour[name], 0.25), showlegend=False))
        mean, (lo, hi) = econ["npv"]["mean"], econ["npv"].get("ci95") or (None, None)
        fig.add_trace(go.Scatter(
            x=[mean], y=[words(name)], mode="markers", marker={"color": "black", "size": 9, "symbol": "diamond"},
            error_x={"type": "data", "symmetric": False, "array": [(mean if hi is None else hi) - mean],
                     "arrayminus": [mean - (mean if lo is None else lo)], "thickness": 3, "color": "black"},
            name="mean and its 95 % interval", showlegend=name == next(iter(alternatives))))
    fig.add_vline(x=0, line={"dash": "dot", "color": "grey"})
    fig.update_layout(**LAYOUT, title="NPV against doing nothing: mean ◆ with 95 % interval; box: the replications",
                      xaxis_title=f"NPV ({currency})", yaxis={"title": "alternative", "autorange": "reversed"},
                      height=160 + 50 * len(alternatives))
    return fig


def customers_by_level(series: Mapping[str, pd.DataFrame], colour: Mapping[str, str]) -> go.Figure:
    """Active customers per loyalty level and day, the mean across replications with its 95 % band."""
    fig = make_subplots(rows=1, cols=3, shared_xaxes=True,
                        subplot_titles=("level 1 (initial)", "level 2 (repeat)", "level 3 (advocates)"))
    for name, frame in series.items():
        for level in (1, 2, 3):
            b = band(frame, f"active_level{level}", low=0.0)
            _band_traces(fig, b["day"].to_numpy(), b["mean"].to_numpy(), b["lo"].to_numpy(), b["hi"].to_numpy(),
                         name, colour[name], show=level == 1, row=1, col=level)
    fig.update_xaxes(title_text="day of the measured window (days)")
    fig.update_yaxes(title_text="active customers (customers)", col=1)
    fig.update_layout(**LAYOUT, title="Customers by loyalty level (mean and 95 % band across replications)",
                      height=380)
    return fig


def _per_replication_totals(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    return frame.groupby("replication")[list(columns)].sum()


def _bars_with_ci(fig: go.Figure, x: Sequence[str], values: pd.DataFrame, name: str, colour: str,
                  show: bool = True, scale: float = 1.0, **where: int) -> None:
    """Bars of the mean per replication of each column (counts), with 95 % intervals cut at 0."""
    n = len(values)
    mean = values.mean().to_numpy() * scale
    error = None
    if n > 1:
        half = t_quantile(0.95, n - 1) * values.std().to_numpy() / np.sqrt(n) * scale
        error = {"type": "data", "symmetric": False, "array": half, "arrayminus": np.minimum(half, mean)}
    fig.add_trace(go.Bar(x=list(x), y=mean, name=words(name), marker_color=colour, legendgroup=name,
                         showlegend=show, error_y=error), **where)


def new_customers(series: Mapping[str, pd.DataFrame], colour: Mapping[str, str]) -> go.Figure:
    """New customers over the window by channel, per scenario (mean per replication, 95 % interval)."""
    fig = go.Figure()
    for name, frame in series.items():
        totals = _per_replication_totals(frame, [f"new_customers_{c}" for c in CHANNELS])
        _bars_with_ci(fig, [words(c) for c in CHANNELS], totals, name, colour[name])
    fig.update_layout(**LAYOUT, barmode="group", title="New customers over the window, by channel",
                      xaxis_title="channel", yaxis_title="new customers (customers per window)", height=360)
    return fig


def churn_by_cause(shares: Mapping[str, Mapping[str, float | None]], colour: Mapping[str, str]) -> go.Figure:
    """Each scenario's share of churn by cause, beside the sources' reference mix."""
    causes = sorted(CAUSES, key=lambda c: -REFERENCE_MIX[c])
    fig = go.Figure(go.Bar(x=[words(c) for c in causes], y=[100 * REFERENCE_MIX[c] for c in causes],
                           name="sources' reference mix", marker_color=REFERENCE_COLOUR, marker_pattern_shape="/"))
    for name, by_cause in shares.items():
        fig.add_trace(go.Bar(x=[words(c) for c in causes], y=[100 * (by_cause.get(c) or 0.0) for c in causes],
                             name=words(name), marker_color=colour[name]))
    fig.update_layout(**LAYOUT, barmode="group", title="Churn by cause (share of all churn)",
                      xaxis_title="cause", yaxis_title="share of all churn (%)", height=360)
    return fig


def churn_by_path(shares: Mapping[str, Mapping[str, float | None]], colour: Mapping[str, str]) -> go.Figure:
    """Each scenario's share of churn by path: the ends of problem episodes, hazards, word of mouth."""
    fig = go.Figure()
    for name, by_path in shares.items():
        fig.add_trace(go.Bar(x=[words(p) for p in PATHS], y=[100 * (by_path.get(p) or 0.0) for p in PATHS],
                             name=words(name), marker_color=colour[name]))
    fig.update_layout(**LAYOUT, barmode="group", title="Churn by path (how it came about)",
                      xaxis_title="path", yaxis_title="share of all churn (%)", height=360)
    return fig


def retention(curves: Mapping[str, pd.DataFrame], colour: Mapping[str, str]) -> go.Figure:
    """The share of the customers active on day 0 not yet lost, per day (mean and 95 % band)."""
    fig = go.Figure()
    for name, frame in curves.items():
        b = band(frame, "retained", low=0.0, high=1.0)
        _band_traces(fig, b["day"].to_numpy(), 100 * b["mean"].to_numpy(), 100 * b["lo"].to_numpy(),
                     100 * b["hi"].to_numpy(), name, colour[name])
    fig.update_layout(**LAYOUT, title="Retention of the start cohort (customers active on day 0)",
                      xaxis_title="day of the measured window (days)", yaxis_title="still customers (% of the cohort)",
                      height=360)
    return fig


WOM = (("wom_positive", "positive messages", "messages"), ("wom_negative", "negative messages", "messages"),
       ("new_customers_referral", "won by recommendation", "customers"),
       ("prospects_deterred", "prospects deterred", "prospects"))


def word_of_mouth(series: Mapping[str, pd.DataFrame], colour: Mapping[str, str]) -> go.Figure:
    """Word of mouth over the window: messages, customers won by recommendation, prospects deterred."""
    fig = make_subplots(rows=1, cols=len(WOM), subplot_titles=[label for _, label, _ in WOM])
    for name, frame in series.items():
        totals = _per_replication_totals(frame, [c for c, _, _ in WOM])
        for i, (column, _, _) in enumerate(WOM, start=1):
            _bars_with_ci(fig, [words(name)], totals[[column]], name, colour[name], show=i == 1, row=1, col=i)
    for i, (_, _, unit) in enumerate(WOM, start=1):
        fig.update_yaxes(title_text=f"{unit} per window", row=1, col=i)
        fig.update_xaxes(showticklabels=False, title_text="scenario", row=1, col=i)
    fig.update_layout(**LAYOUT, title="Word of mouth over the window (mean per replication, 95 % interval)",
                      height=360)
    return fig


HEAT = (("offered_per_day", "arrivals (contacts per hour)"), ("mean_wait_minutes_offered", "mean wait (minutes)"),
        ("abandonment_rate", "abandonment (% of answered + abandoned)"))
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def desk_grid(desk: pd.DataFrame) -> pd.DataFrame:
    """desk_by_hour.csv pooled over replications: per weekday and hour, contacts per such hour,
    the mean wait of offered contacts and the abandonment rate (%)."""
    g = desk.groupby(["weekday", "hour"])[["days", "offered", "answered", "abandoned", "wait_minutes_sum"]].sum()
    handled = (g["answered"] + g["abandoned"]).replace(0, np.nan)
    return pd.DataFrame({"offered_per_day": g["offered"] / g["days"].replace(0, np.nan),
                         "mean_wait_minutes_offered": g["wait_minutes_sum"] / handled,
                         "abandonment_rate": 100 * g["abandoned"] / handled}).reset_index()


def desk_heatmap(desks: Mapping[str, pd.DataFrame]) -> go.Figure:
    """Weekday × hour heat maps of arrivals, waits and abandonment; a menu picks the scenario."""
    fig = make_subplots(rows=1, cols=3, subplot_titles=[label for _, label in HEAT], horizontal_spacing=0.09)
    names = list(desks)
    for k, name in enumerate(names):
        grid = desk_grid(desks[name])
        for i, (column, label) in enumerate(HEAT, start=1):
            z = grid.pivot(index="weekday", columns="hour", values=column).reindex(range(7))
            fig.add_trace(go.Heatmap(z=z.to_numpy(), x=list(z.columns), y=list(WEEKDAYS), visible=k == 0,
                                     colorscale="Blues" if i == 1 else "Oranges", name=f"{words(name)}: {label}",
                                     colorbar={"x": [0.29, 0.655, 1.0][i - 1], "len": 0.8, "thickness": 10},
                                     hovertemplate="%{y} %{x}:00 — %{z:.2f}<extra></extra>"), row=1, col=i)
    buttons = [{"label": words(name), "method": "update",
                "args": [{"visible": [j // len(HEAT) == k for j in range(len(names) * len(HEAT))]}]}
               for k, name in enumerate(names)]
    fig.update_xaxes(title_text="hour of the day (h)")
    fig.update_yaxes(title_text="weekday", col=1)
    fig.update_layout(**{**LAYOUT, "template": "plotly_white"}, height=380,
                      title="The desk through the week (pooled over replications)",
                      updatemenus=[{"buttons": buttons, "x": 1.0, "y": 1.25, "xanchor": "right"}] if len(names) > 1
                      else [])
    return fig


def kpi_bars(kpis: Mapping[str, Mapping[str, Any]], names: Sequence[tuple[str, str]], colour: Mapping[str, str],
             title: str, percent: bool = True) -> go.Figure:
    """Per KPI a panel of bars, one per scenario: the mean with its 95 % interval (summary.json)."""
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=[label for _, label in names])
    scale = 100.0 if percent else 1.0
    for scenario, values in kpis.items():
        for i, (kpi, _) in enumerate(names, start=1):
            k = values.get(kpi) or {}
            mean, (lo, hi) = k.get("mean"), k.get("ci95") or (None, None)
            error = None
            if mean is not None and lo is not None and hi is not None:
                error = {"type": "data", "symmetric": False, "array": [scale * (hi - mean)],
                         "arrayminus": [scale * (mean - lo)]}
            fig.add_trace(go.Bar(x=[words(scenario)], y=[scale * mean if mean is not None else None],
                                 marker_color=colour[scenario], name=words(scenario), legendgroup=scenario,
                                 showlegend=i == 1, error_y=error), row=1, col=i)
    for i in range(1, len(names) + 1):
        fig.update_yaxes(title_text="%" if percent else "", row=1, col=i)
        fig.update_xaxes(showticklabels=False, title_text="scenario", row=1, col=i)
    fig.update_layout(**LAYOUT, title=title, height=340)
    return fig


def discounted_cash_flow(series: Mapping[str, pd.DataFrame], rate: float) -> pd.DataFrame:
    """Per scenario, replication and day: the cumulative discounted profit."""
    out = []
    for name, frame in series.items():
        f = frame[["replication", "day", "profit"]].sort_values(["replication", "day"]).copy()
        v = discount_factors(int(f["day"].max()) + 1, rate)
        f["cumulative"] = (f["profit"] * v[f["day"].to_numpy()]).groupby(f["replication"]).cumsum()
        f["scenario"] = name
        out.append(f)
    return pd.concat(out, ignore_index=True)


def cash_flow(flows: pd.DataFrame, colour: Mapping[str, str], currency: str) -> go.Figure:
    """Each scenario's cumulative discounted profit (mean and 95 % band across replications)."""
    fig = go.Figure()
    for name, frame in flows.groupby("scenario", sort=False):
        b = band(frame, "cumulative")
        _band_traces(fig, b["day"].to_numpy() / DAYS_PER_MONTH, b["mean"].to_numpy(), b["lo"].to_numpy(),
                     b["hi"].to_numpy(), str(name), colour[str(name)])
    fig.update_layout(**LAYOUT, title="Cumulative discounted profit per scenario",
                      xaxis_title="month of the measured window (months)",
                      yaxis_title=f"cumulative discounted profit ({currency})", height=380)
    return fig


def incremental_cash_flow(alternatives: Mapping[str, Any], colour: Mapping[str, str], currency: str) -> go.Figure:
    """Each investment's cumulative discounted incremental cash flow against the baseline (mean,
    95 % band) from its start day, with its payback month marked."""
    fig = go.Figure()
    for name, alt in alternatives.items():
        econ = alt["economics"]
        c = econ["cumulative_discounted"]
        x = np.asarray(c["month"], dtype=float)
        mean, lo, hi = (np.asarray([np.nan if v is None else v for v in c[k]], dtype=float)
                        for k in ("mean", "lo", "hi"))
        _band_traces(fig, x, mean, lo, hi, name, colour[name])
        month = econ.get("payback_month")
        if month is not None and month in c["month"]:
            y = mean[list(c["month"]).index(month)]
            fig.add_trace(go.Scatter(x=[month], y=[y], mode="markers", marker={"color": colour[name], "size": 13,
                                                                               "symbol": "star"},
                                     hovertemplate=f"{words(name)}: payback in month {month}<extra></extra>",
                                     showlegend=False, legendgroup=name))
    fig.add_hline(y=0, line={"dash": "dot", "color": "grey"})
    fig.update_layout(**LAYOUT, title="Incremental cumulative discounted cash flow against the baseline "
                      "(mean and 95 % band)", xaxis_title="month from the investment's start (months)",
                      yaxis_title=f"cumulative discounted cash flow ({currency})", height=380)
    return fig
