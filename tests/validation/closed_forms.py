"""Closed-form results the simulation is validated against.

* M/M/c (Erlang C): probability of waiting, mean wait in queue, waiting-time
  distribution (Kleinrock 1975, vol. 1, §3.5; Gross & Harris, *Fundamentals of
  Queueing Theory*, §2.3).
* Competing constant hazards, with and without a gamma frailty (mean 1, variance θ)
  multiplying all of them: survival, restricted mean survival time and the share of
  each cause among the events (Hougaard 2000, *Analysis of Multivariate Survival
  Data*, ch. 7).

Units are whatever the caller uses consistently (rates per minute and times in
minutes for the queue, hazards per day and times in days for attrition).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

# ------------------------------------------------------------------------ M/M/c


def erlang_c(c: int, a: float) -> float:
    """Probability that an arriving customer waits in an M/M/c queue with offered load a = λ/μ.

    Computed through the Erlang B recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)),
    then C = c B / (c - a (1 - B)), which is stable for large c and a. Needs a < c.
    """
    if c < 1:
        raise ValueError(f"need at least one server, got c={c}")
    if not 0 <= a < c:
        raise ValueError(f"need 0 <= a < c for a stable queue, got a={a}, c={c}")
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return c * b / (c - a * (1 - b))


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean wait in queue Wq = C(c, a) / (c μ - λ)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_wait_cdf(c: int, lam: float, mu: float, t: float) -> float:
    """P(W <= t) = 1 - C(c, a) exp(-(c μ - λ) t), for t >= 0 (FCFS)."""
    if t < 0:
        return 0.0
    return 1.0 - erlang_c(c, lam / mu) * math.exp(-(c * mu - lam) * t)


# -------------------------------------------------------------------- attrition


def survival(total_hazard: float, t: float, theta: float = 0.0) -> float:
    """Population survival to t under a constant total hazard H and a gamma frailty.

    Each person's hazard is Z·H with Z ~ Gamma(mean 1, variance θ); the population
    survival is the Laplace transform E[exp(-Z H t)] = (1 + θ H t)^(-1/θ), which
    tends to exp(-H t) as θ -> 0.
    """
    if theta == 0:
        return math.exp(-total_hazard * t)
    return (1.0 + theta * total_hazard * t) ** (-1.0 / theta)


def restricted_mean_survival(total_hazard: float, horizon: float, theta: float = 0.0) -> float:
    """E[min(τ, T)] = ∫0^T S(t) dt for :func:`survival`.

    θ = 0: (1 - e^(-H T)) / H; θ = 1: ln(1 + H T) / H;
    otherwise ((1 + θ H T)^(1 - 1/θ) - 1) / (H (θ - 1)).
    """
    h, big_t = total_hazard, horizon
    if h == 0:
        return big_t
    if theta == 0:
        return -math.expm1(-h * big_t) / h
    if theta == 1:
        return math.log1p(h * big_t) / h
    return ((1.0 + theta * h * big_t) ** (1.0 - 1.0 / theta) - 1.0) / (h * (theta - 1.0))


def cause_shares(hazards: Mapping[str, float]) -> dict[str, float]:
    """Share of each cause among the events of competing hazards proportional to each other.

    With hazards h_i(t) = Z·g(t)·h_i (any common frailty Z and time shape g), the cause of
    an event is independent of when it happens and of Z, with P(cause i) = h_i / Σ h.
    """
    total = sum(hazards.values())
    if total <= 0:
        raise ValueError("need a positive total hazard")
    return {name: value / total for name, value in hazards.items()}
