"""Sanity checks of the closed forms the validation tests compare the model with."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from closed_forms import (
    bass_adopted,
    bass_by_advertising,
    bass_time_to,
    bass_with_join_telling,
    bass_with_join_telling_by_advertising,
    bass_with_join_telling_time_to,
    cause_shares,
    cause_shares_by,
    erlang_a,
    erlang_b,
    erlang_c,
    mmc_mean_wait,
    mmc_wait_cdf,
    restricted_mean_survival,
    restricted_mean_with_common,
    survival,
    survival_with_common,
)


def erlang_c_textbook(c: int, a: Fraction) -> Fraction:
    """The textbook sum, in exact rationals: (a^c/c! · c/(c−a)) / (Σ_{k<c} a^k/k! + same)."""
    top = a**c / math.factorial(c) * Fraction(c) / (c - a)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


@pytest.mark.parametrize("a", [0.0, 0.1, 0.5, 0.85, 0.99])
def test_erlang_c_single_server_is_rho(a: float) -> None:
    assert erlang_c(1, a) == pytest.approx(a, abs=1e-15)


@pytest.mark.parametrize("a", [0.2, 1.0, 1.7, 1.99])
def test_erlang_c_two_servers(a: float) -> None:
    # M/M/2: C = 2ρ²/(1 + ρ) with ρ = a/2, i.e. a²/(2 + a); a = 1 gives 1/3.
    assert erlang_c(2, a) == pytest.approx(a * a / (2 + a), rel=1e-13)


@pytest.mark.parametrize(("c", "a"), [(3, "9/5"), (4, "17/5"), (5, "17/4"), (8, "6"), (20, "18"), (50, "99/2")])
def test_erlang_c_matches_textbook_sum(c: int, a: str) -> None:
    assert erlang_c(c, float(Fraction(a))) == pytest.approx(float(erlang_c_textbook(c, Fraction(a))), rel=1e-12)


def test_erlang_c_known_values() -> None:
    # The usual contact-centre textbook example: 10 Erlangs of traffic on 11 agents wait
    # with probability 68.21 %, on 12 agents with 44.94 %.
    assert erlang_c(11, 10.0) == pytest.approx(0.6821, abs=5e-5)
    assert erlang_c(12, 10.0) == pytest.approx(0.4494, abs=5e-5)


def test_erlang_c_rejects_unstable_load() -> None:
    with pytest.raises(ValueError):
        erlang_c(3, 3.0)


def test_mm1_mean_wait_and_cdf() -> None:
    lam, mu = 0.8, 1.0
    assert mmc_mean_wait(1, lam, mu) == pytest.approx(lam / (mu * (mu - lam)))  # ρ/(μ−λ) = 4
    assert mmc_wait_cdf(1, lam, mu, 0.0) == pytest.approx(1 - lam / mu)
    assert mmc_wait_cdf(1, lam, mu, 5.0) == pytest.approx(1 - 0.8 * math.exp(-1.0))
    assert mmc_wait_cdf(1, lam, mu, -1.0) == 0.0


@pytest.mark.parametrize(("c", "lam", "mu"), [(3, 0.36, 0.2), (4, 0.68, 0.2), (8, 5.0, 1.0)])
def test_mean_wait_is_the_integral_of_the_tail(c: int, lam: float, mu: float) -> None:
    # E[W] = ∫ P(W > t) dt, evaluated numerically from the cdf.
    t = np.linspace(0.0, 40.0 / (c * mu - lam), 20_001)
    tail = np.array([1 - mmc_wait_cdf(c, lam, mu, x) for x in t])
    integral = np.trapezoid(tail, t)
    assert integral == pytest.approx(mmc_mean_wait(c, lam, mu), rel=1e-5)


def erlang_a_by_integral(c: int, lam: float, mu: float, theta: float) -> tuple[float, float]:
    """P(wait > 0) and P(abandon) of M/M/c+M another way: the queue's tail sum
    S = Σ_k λ^k / ∏_{j≤k}(cμ + jθ) equals cμ J with J = ∫0^∞ exp(λ(1 − e^{−θx})/θ − cμx) dx
    (the integral of Baccelli & Hebuterne 1981 and Mandelbaum & Zeltyn's M/M/n+G summary;
    expand the exponential in powers of (1 − e^{−θx}) and integrate term by term, a Beta
    function each), computed here by quadrature; P(N ≥ c) follows with Erlang B, and
    P(abandon) from the conservation of flow λ = μ E[min(N, c)] + abandonment rate."""
    from scipy.integrate import quad

    j = quad(lambda x: math.exp(lam * (1 - math.exp(-theta * x)) / theta - c * mu * x), 0, math.inf,
             limit=500, epsabs=0, epsrel=1e-12)[0]
    a = lam / mu
    below = [a**n / math.factorial(n) for n in range(c)]
    at_c = a**c / math.factorial(c)
    assert erlang_b(c, a) == pytest.approx(at_c / (sum(below) + at_c), rel=1e-12)
    waiting = at_c * c * mu * j
    total = sum(below) + waiting
    p_wait = waiting / total
    served = (sum(n * w for n, w in enumerate(below)) + c * waiting) / total * mu
    return p_wait, 1 - served / lam


@pytest.mark.parametrize(("c", "lam", "mu", "theta"), [
    (3, 0.48, 0.2, 0.1), (4, 0.88, 0.2, 0.2), (1, 0.9, 1.0, 0.05), (10, 12.0, 1.0, 0.5), (25, 20.0, 1.0, 2.0)])
def test_erlang_a_chain_matches_the_integral_form(c: int, lam: float, mu: float, theta: float) -> None:
    result = erlang_a(c, lam, mu, theta)
    p_wait, p_abandon = erlang_a_by_integral(c, lam, mu, theta)
    assert result.p_wait == pytest.approx(p_wait, rel=1e-9)
    assert result.p_abandon == pytest.approx(p_abandon, rel=1e-7)
    assert result.mean_wait == pytest.approx(result.p_abandon / theta, rel=1e-12)  # Little + θ E[Q]


def test_erlang_a_with_patience_as_long_as_service_is_poisson() -> None:
    """θ = μ: every contact present leaves at rate μ whether waiting or served, so N is the
    M/M/∞ count, Poisson(a): P(wait > 0) = P(N ≥ c), E[Q] = E[(N − c)+]."""
    c, lam, mu = 5, 1.0, 0.25
    a = lam / mu
    pn = [math.exp(-a)]
    for n in range(1, 200):
        pn.append(pn[-1] * a / n)
    result = erlang_a(c, lam, mu, mu)
    assert result.p_wait == pytest.approx(sum(pn[c:]), rel=1e-12)
    assert result.mean_queue == pytest.approx(sum((n - c) * p for n, p in enumerate(pn) if n >= c), rel=1e-12)


def test_erlang_a_tends_to_erlang_c_as_patience_grows() -> None:
    c, lam, mu = 4, 0.7, 0.2
    result = erlang_a(c, lam, mu, 1e-9)
    assert result.p_wait == pytest.approx(erlang_c(c, lam / mu), rel=1e-6)
    assert result.mean_wait == pytest.approx(mmc_mean_wait(c, lam, mu), rel=1e-6)
    assert result.p_abandon == pytest.approx(1e-9 * mmc_mean_wait(c, lam, mu), rel=1e-5)


def test_survival_limits() -> None:
    h = 0.01
    assert survival(h, 0.0, 0.0) == 1.0 and survival(h, 0.0, 2.0) == 1.0
    assert survival(h, 100.0) == pytest.approx(math.exp(-1.0))
    assert survival(h, 100.0, 1.0) == pytest.approx(0.5)  # 1/(1 + h t)
    assert survival(h, 100.0, 1e-9) == pytest.approx(math.exp(-1.0), rel=1e-6)  # θ -> 0
    # Frailty: the same mean hazard at the start, fatter survival later.
    assert survival(h, 100.0, 0.5) > survival(h, 100.0)


def test_gamma_frailty_is_the_laplace_transform() -> None:
    # E[exp(-Z h t)] for Z ~ Gamma(shape k = 1/θ, scale θ), by quadrature. With u = z^k the
    # density's singularity at 0 goes away: f(z) dz = exp(-z/θ) / (Γ(k+1) θ^k) du.
    theta, h, t = 2.25, 0.005, 146.0
    k = 1 / theta
    u = np.linspace(0.0, 400.0**k, 400_001)
    z = u ** (1 / k)
    weight = np.exp(-z / theta) / (math.gamma(k + 1) * theta**k)
    assert np.trapezoid(weight, u) == pytest.approx(1.0, rel=1e-6)  # a density
    assert np.trapezoid(weight * z, u) == pytest.approx(1.0, rel=1e-6)  # mean 1
    assert np.trapezoid(weight * (z - 1) ** 2, u) == pytest.approx(theta, rel=1e-6)  # variance θ
    laplace = np.trapezoid(weight * np.exp(-z * h * t), u)
    assert laplace == pytest.approx(survival(h, t, theta), rel=1e-6)


@pytest.mark.parametrize("theta", [0.0, 0.5, 1.0, 2.25])
def test_restricted_mean_is_the_integral_of_survival(theta: float) -> None:
    h, big_t = 2.0 / 365, 146.0
    t = np.linspace(0.0, big_t, 100_001)
    s = np.array([survival(h, x, theta) for x in t])
    assert restricted_mean_survival(h, big_t, theta) == pytest.approx(np.trapezoid(s, t), rel=1e-8)
    assert restricted_mean_survival(0.0, big_t, theta) == big_t


def test_cause_shares() -> None:
    shares = cause_shares({"a": 1.0, "b": 3.0, "c": 0.0})
    assert shares == {"a": 0.25, "b": 0.75, "c": 0.0}
    with pytest.raises(ValueError):
        cause_shares({"a": 0.0})


def test_a_hazard_the_frailty_does_not_multiply_against_a_monte_carlo_cohort() -> None:
    """exp(−U t)·S_Z(t), its restricted mean and the cause shares by T, against a cohort of a
    million drawn directly: Z ~ gamma(1/θ, θ), each cause's time exponential at its own rate."""
    scaled, common, theta, big_t = {"a": 0.004, "b": 0.002}, {"m": 0.003}, 2.25, 150.0
    h, u = sum(scaled.values()), sum(common.values())
    rng = np.random.default_rng(7)
    n = 1_000_000
    z = rng.gamma(1 / theta, theta, n)
    times = np.column_stack([rng.exponential(1 / (z * scaled["a"])), rng.exponential(1 / (z * scaled["b"])),
                             rng.exponential(1 / common["m"], n)])
    first, cause = times.min(axis=1), times.argmin(axis=1)
    assert survival_with_common(h, u, 100.0, theta) == pytest.approx((first > 100.0).mean(), abs=0.002)
    assert restricted_mean_with_common(h, u, big_t, theta) == pytest.approx(np.minimum(first, big_t).mean(), rel=0.003)
    shares = cause_shares_by(scaled, common, big_t, theta)
    seen = np.bincount(cause[first <= big_t], minlength=3) / (first <= big_t).sum()
    for i, name in enumerate(["a", "b", "m"]):
        assert shares[name] == pytest.approx(seen[i], abs=0.003), name
    # Without frailty (or without the common hazard) the shares are the hazards' proportions.
    assert cause_shares_by(scaled, common, big_t) == pytest.approx(cause_shares({**scaled, **common}))
    assert cause_shares_by(scaled, {}, big_t, theta) == pytest.approx(cause_shares(scaled))
    assert restricted_mean_with_common(h, 0.0, big_t, theta) == pytest.approx(restricted_mean_survival(h, big_t, theta))


# ----------------------------------------------------------------------------- Bass


def rk4(rate, f0: float, t_end: float, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Classical Runge-Kutta for dF/dt = rate(F) on [0, t_end]: times and values."""
    h = t_end / steps
    values = [f0]
    f = f0
    for _ in range(steps):
        k1 = rate(f)
        k2 = rate(f + h / 2 * k1)
        k3 = rate(f + h / 2 * k2)
        k4 = rate(f + h * k3)
        f += h / 6 * (k1 + 2 * k2 + 2 * k3 + k4)
        values.append(f)
    return np.linspace(0.0, t_end, steps + 1), np.array(values)


BASS_CASES = [(0.2, 2.4, 0.02), (0.03, 0.38, 0.0), (0.5, 0.0, 0.1), (0.1, 5.0, 0.3)]


@pytest.mark.parametrize(("p", "q", "f0"), BASS_CASES)
def test_bass_solves_its_ode(p: float, q: float, f0: float) -> None:
    assert bass_adopted(p, q, 0.0, f0) == pytest.approx(f0, abs=1e-15)
    t, f = rk4(lambda x: (p + q * x) * (1 - x), f0, 20.0 / (p + q), 4_000)
    closed = np.array([bass_adopted(p, q, x, f0) for x in t])
    np.testing.assert_allclose(closed, f, rtol=0, atol=1e-10)
    assert bass_adopted(p, q, 1e3, f0) == pytest.approx(1.0)


def test_bass_textbook_forms() -> None:
    p, q = 0.03, 0.38
    for t in (1.0, 5.0, 12.0):
        e = math.exp(-(p + q) * t)
        assert bass_adopted(p, q, t) == pytest.approx((1 - e) / (1 + q / p * e), rel=1e-14)
        # Without imitation: the exponential 1 − (1 − F0) e^(−p t).
        assert bass_adopted(p, 0.0, t, 0.1) == pytest.approx(1 - 0.9 * math.exp(-p * t), rel=1e-14)
    # The peak of adoptions, from F0 = 0, is at t* = ln(q/p)/(p + q) where F = (1 − p/q)/2.
    assert bass_adopted(p, q, math.log(q / p) / (p + q)) == pytest.approx((1 - p / q) / 2, rel=1e-12)


@pytest.mark.parametrize(("p", "q", "f0"), BASS_CASES)
def test_bass_time_to_is_the_inverse(p: float, q: float, f0: float) -> None:
    assert bass_time_to(p, q, f0, f0) == pytest.approx(0.0, abs=1e-14)
    for t in (0.1, 1.0, 3.0):
        assert bass_time_to(p, q, bass_adopted(p, q, t, f0), f0) == pytest.approx(t, rel=1e-9)


@pytest.mark.parametrize(("p", "q", "f0"), BASS_CASES)
def test_bass_advertising_share_is_the_integral(p: float, q: float, f0: float) -> None:
    t_end = 3.0 / (p + q) + 1.0
    t = np.linspace(0.0, t_end, 20_001)
    f = np.array([bass_adopted(p, q, x, f0) for x in t])
    assert bass_by_advertising(p, q, t_end, f0) == pytest.approx(np.trapezoid(p * (1 - f), t), rel=1e-8)
    # Imitation brings the rest: ∫ q F (1 − F) dt.
    rest = bass_adopted(p, q, t_end, f0) - f0 - bass_by_advertising(p, q, t_end, f0)
    assert rest == pytest.approx(np.trapezoid(q * f * (1 - f), t), rel=1e-7, abs=1e-12)


@pytest.mark.parametrize(("p", "q", "f0"), BASS_CASES)
@pytest.mark.parametrize("kappa", [0.0, 0.2, 0.4, 0.9])
def test_join_telling_solves_its_ode(p: float, q: float, f0: float, kappa: float) -> None:
    t_end = 20.0 / (p + q)
    t, f = rk4(lambda x: (p + q * x) * (1 - x) / (1 - kappa * (1 - x)), f0, t_end, 4_000)
    for i in range(0, t.size, 400):
        assert bass_with_join_telling(p, q, kappa, t[i], f0) == pytest.approx(f[i], abs=1e-8)
        if f[i] < 0.999:  # the inverse is ill-conditioned where the curve flattens out
            assert bass_with_join_telling_time_to(p, q, kappa, f[i], f0) == pytest.approx(t[i], rel=1e-6)
    if kappa == 0:  # no join-time telling: Bass itself
        for x in (0.5, 2.0):
            assert bass_with_join_telling(p, q, 0.0, x, f0) == pytest.approx(bass_adopted(p, q, x, f0), abs=1e-12)


@pytest.mark.parametrize("kappa", [0.0, 0.4, 0.9])
def test_join_telling_advertising_share_is_the_integral(kappa: float) -> None:
    p, q, f0, t_end = 0.2, 2.4, 0.02, 1.5
    t = np.linspace(0.0, t_end, 2_001)
    f = np.array([bass_with_join_telling(p, q, kappa, x, f0) for x in t])
    integral = np.trapezoid(p * (1 - f), t)
    assert bass_with_join_telling_by_advertising(p, q, kappa, t_end, f0) == pytest.approx(integral, rel=1e-6)
    if kappa == 0:
        assert integral == pytest.approx(bass_by_advertising(p, q, t_end, f0), rel=1e-6)


def test_join_telling_cascade_is_faster() -> None:
    # Each adoption bringing more at once speeds diffusion up; κ >= 1 is supercritical.
    p, q, f0 = 0.2, 2.4, 0.02
    assert bass_with_join_telling(p, q, 0.4, 1.0, f0) > bass_adopted(p, q, 1.0, f0) + 0.1
    with pytest.raises(ValueError):
        bass_with_join_telling_time_to(p, q, 1.0, 0.5, f0)
