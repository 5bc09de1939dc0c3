"""Closed-form results the simulation is validated against.

* M/M/c (Erlang C): probability of waiting, mean wait in queue, waiting-time
  distribution (Kleinrock 1975, vol. 1, §3.5; Gross & Harris, *Fundamentals of
  Queueing Theory*, §2.3).
* M/M/c+M (Erlang A: exponential patience; Palm 1943; Garnett, Mandelbaum & Reiman
  2002): probability of waiting, of abandoning, mean wait of all offered contacts, from
  the birth–death chain; and the same from Erlang B and the integral J of Mandelbaum &
  Zeltyn's summary formulas, as an independent check.
* Competing constant hazards, with and without a gamma frailty (mean 1, variance θ)
  multiplying all of them: survival, restricted mean survival time and the share of
  each cause among the events (Hougaard 2000, *Analysis of Multivariate Survival
  Data*, ch. 7); and the same when one more constant hazard, shared by everyone alike,
  is not multiplied by the frailty (the market's turnover): survival exp(−U t)·S(t),
  its integrals by quadrature (SciPy).

Units are whatever the caller uses consistently (rates per minute and times in
minutes for the queue, hazards per day and times in days for attrition).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from scipy.integrate import quad

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


# --------------------------------------------------------------- M/M/c+M (Erlang A)


@dataclass(frozen=True)
class ErlangA:
    """Steady state of M/M/c+M as an arriving contact sees it (PASTA)."""

    p_wait: float  # P(wait > 0) = P(N >= c)
    p_abandon: float  # P(gives up before an agent answers)
    mean_wait: float  # E[time in queue] of all offered contacts, answered or not
    mean_queue: float  # E[contacts waiting]


def erlang_a(c: int, lam: float, mu: float, theta: float) -> ErlangA:
    """M/M/c+M from its birth–death chain on N, the contacts present: births at λ, deaths at
    min(n, c) μ + max(n − c, 0) θ (service, and each waiting contact giving up at rate θ).

    π_n ∝ aⁿ/n! for n ≤ c (a = λ/μ), π_{c+k} = π_c ∏_{j=1..k} λ / (cμ + jθ); the tail falls
    faster than geometrically once cμ + kθ > λ and is summed until a term is below 10⁻¹⁸ of
    the total. Then P(wait > 0) = P(N ≥ c), E[Q] = Σ_k k π_{c+k}, abandonment rate θ E[Q] so
    P(abandon) = θ E[Q] / λ, and by Little's law the mean wait of all offered contacts is
    E[Q] / λ (= P(abandon) / θ). Stable for any load when θ > 0. Computed in logarithms.
    """
    if c < 1 or lam <= 0 or mu <= 0 or theta <= 0:
        raise ValueError(f"need c >= 1 and lam, mu, theta > 0, got c={c}, lam={lam}, mu={mu}, theta={theta}")
    a = lam / mu
    logs = [n * math.log(a) - math.lgamma(n + 1) for n in range(c + 1)]
    tail = [logs[c]]  # log π_{c+k}, k = 0, 1, ...
    k = 0
    while True:
        k += 1
        tail.append(tail[-1] + math.log(lam / (c * mu + k * theta)))
        if c * mu + k * theta > lam and tail[-1] < max(logs) - 42:  # e^-42 ~ 1e-18
            break
    top = max(max(logs), max(tail))
    below = [math.exp(x - top) for x in logs[:c]]
    queue = [math.exp(x - top) for x in tail]
    total = sum(below) + sum(queue)
    p_wait = sum(queue) / total
    mean_queue = sum(j * q for j, q in enumerate(queue)) / total
    p_abandon = theta * mean_queue / lam
    return ErlangA(p_wait=p_wait, p_abandon=p_abandon, mean_wait=mean_queue / lam, mean_queue=mean_queue)


def erlang_b(c: int, a: float) -> float:
    """Erlang B blocking probability, by the recursion B(k) = a B(k-1) / (k + a B(k-1))."""
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


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


def survival_with_common(scaled: float, common: float, t: float, theta: float = 0.0) -> float:
    """Survival to t when hazard Z·H (H = ``scaled``) competes with a hazard U (``common``) that
    the frailty Z does not multiply: exp(−U t)·(1 + θ H t)^(−1/θ)."""
    return math.exp(-common * t) * survival(scaled, t, theta)


def restricted_mean_with_common(scaled: float, common: float, horizon: float, theta: float = 0.0) -> float:
    """E[min(τ, T)] = ∫0^T :func:`survival_with_common` dt (quadrature)."""
    return quad(lambda t: survival_with_common(scaled, common, t, theta), 0.0, horizon)[0]


def cause_shares_by(
    scaled: Mapping[str, float], common: Mapping[str, float], horizon: float, theta: float = 0.0
) -> dict[str, float]:
    """Share of each cause among the events up to ``horizon``, when the ``scaled`` hazards are
    multiplied by the frailty Z (gamma, mean 1, variance θ) and the ``common`` ones are not.

    The density of an event of scaled cause i at t is h_i·E[Z e^(−Z H t)]·e^(−U t), with
    E[Z e^(−Z H t)] = (1 + θ H t)^(−1/θ − 1); of common cause j it is h_j·S_Z(t)·e^(−U t).
    With no common hazard (or θ = 0) the shares are h_i / Σ h, whatever the horizon.
    """
    h, u = sum(scaled.values()), sum(common.values())

    def frailty_density(t: float) -> float:  # E[Z exp(-Z H t)]
        return math.exp(-h * t) if theta == 0 else (1.0 + theta * h * t) ** (-1.0 / theta - 1.0)

    weight_scaled = quad(lambda t: frailty_density(t) * math.exp(-u * t), 0.0, horizon)[0]
    weight_common = quad(lambda t: survival_with_common(h, u, t, theta), 0.0, horizon)[0]
    counts = {**{k: v * weight_scaled for k, v in scaled.items()}, **{k: v * weight_common for k, v in common.items()}}
    total = sum(counts.values())
    if total <= 0:
        raise ValueError("need a positive total hazard")
    return {name: value / total for name, value in counts.items()}


# ------------------------------------------------------------------ Bass diffusion


def bass_adopted(p: float, q: float, t: float, f0: float = 0.0) -> float:
    """Adopted share F(t) of the Bass (1969) model dF/dt = (p + q F)(1 − F), F(0) = f0.

    F(t) = (1 − A e^(−(p+q) t)) / (1 + (q/p) A e^(−(p+q) t)), A = (1 − f0) / (1 + (q/p) f0);
    with f0 = 0 this is the textbook (1 − e^(−(p+q)t)) / (1 + (q/p) e^(−(p+q)t)). Needs p > 0
    (with p = 0 a market that starts with nobody never adopts), q >= 0, 0 <= f0 <= 1.
    """
    if p <= 0 or q < 0 or not 0 <= f0 <= 1:
        raise ValueError(f"need p > 0, q >= 0 and 0 <= f0 <= 1, got p={p}, q={q}, f0={f0}")
    r = q / p
    a = (1.0 - f0) / (1.0 + r * f0)
    x = a * math.exp(-(p + q) * t)
    return (1.0 - x) / (1.0 + r * x)


def bass_time_to(p: float, q: float, f: float, f0: float = 0.0) -> float:
    """The time at which :func:`bass_adopted` reaches f (f0 <= f < 1): its inverse,
    t = ln(A (1 + (q/p) f) / (1 − f)) / (p + q)."""
    if p <= 0 or q < 0 or not 0 <= f0 <= f < 1:
        raise ValueError(f"need p > 0, q >= 0 and 0 <= f0 <= f < 1, got p={p}, q={q}, f0={f0}, f={f}")
    r = q / p
    a = (1.0 - f0) / (1.0 + r * f0)
    return math.log(a * (1.0 + r * f) / (1.0 - f)) / (p + q)


def bass_by_advertising(p: float, q: float, t: float, f0: float = 0.0) -> float:
    """Share of the market adopting by innovation (advertising) in [0, t]: ∫0^t p (1 − F) dt.

    Along the Bass curve dt = dF / ((p + q F)(1 − F)), so the integral is
    p ∫ dF / (p + q F) = (p/q) ln((p + q F(t)) / (p + q f0)) (and F(t) − f0 for q = 0).
    Imitation (word of mouth) brings the rest, F(t) − f0 minus this.
    """
    f = bass_adopted(p, q, t, f0)
    if q == 0:
        return f - f0
    return p / q * math.log1p(q * (f - f0) / (p + q * f0))


def bass_with_join_telling_time_to(p: float, q: float, kappa: float, f: float, f0: float = 0.0) -> float:
    """The time to reach f when, besides Bass's imitation, every adoption sets off more at once.

    If each adopter also tells as they adopt, and each such message converts a prospect
    with probability c, an adoption brings on average κ (1 − F) more at the same instant
    (κ = c × people told × N/(N−1)); the cascade multiplies the adoption rate by
    1 / (1 − κ (1 − F)) (κ < 1):

        dF/dt = (p + q F)(1 − F) / (1 − κ (1 − F)).

    Separating, dt = dF / ((p + q F)(1 − F)) − κ dF / (p + q F), so
    t(f) = bass_time_to(f) − (κ/q) ln((p + q f) / (p + q f0)).
    """
    if not 0 <= kappa < 1:
        raise ValueError(f"need 0 <= kappa < 1 (a subcritical cascade), got {kappa}")
    t = bass_time_to(p, q, f, f0)
    if kappa == 0:
        return t
    extra = kappa * (f - f0) / p if q == 0 else kappa / q * math.log1p(q * (f - f0) / (p + q * f0))
    return t - extra


def bass_with_join_telling(p: float, q: float, kappa: float, t: float, f0: float = 0.0) -> float:
    """F(t) of :func:`bass_with_join_telling_time_to`, inverted by bisection (to 1e-13)."""
    lo, hi = f0, 1.0
    if t <= 0:
        return f0
    while hi - lo > 1e-13:
        mid = (lo + hi) / 2
        if bass_with_join_telling_time_to(p, q, kappa, mid, f0) < t:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def bass_with_join_telling_by_advertising(p: float, q: float, kappa: float, t: float, f0: float = 0.0) -> float:
    """∫0^t p (1 − F) dt along :func:`bass_with_join_telling`.

    p (1 − F) dt = p (1 − κ (1 − F)) dF / (p + q F)
                 = p [κ/q + (1 − κ − κ p/q) / (p + q F)] dF,
    so the integral is p [(κ/q)(F − f0) + ((1 − κ − κ p/q)/q) ln((p + q F)/(p + q f0))].
    Needs q > 0.
    """
    if q <= 0:
        raise ValueError("need q > 0")
    f = bass_with_join_telling(p, q, kappa, t, f0)
    log = math.log1p(q * (f - f0) / (p + q * f0))
    return p * (kappa / q * (f - f0) + (1 - kappa - kappa * p / q) / q * log)
