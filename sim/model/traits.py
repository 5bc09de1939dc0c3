"""People's traits: one place, one rule, for the initial people and every newcomer.

A person has four traits — an order rate (gamma across people, ``customers.orders_per_month``),
a churn propensity (gamma with mean 1, ``customers.churn_propensity_cv``), an expectation of
service (Beta, ``customers.expectation``) and a prior satisfaction (Beta,
``market.initial_satisfaction``). Each is the **inverse distribution function of the
person's own keyed uniform** (:mod:`sim.core.rng`): slot s of the market has a key K_s in
``Draws("turnover")``, and the g-th person to hold it (generation g; the initial people are
generation 0) has the traits key ``child(K_s, TRAITS + g)`` whose uniforms 0..3 are the
four traits' quantile levels.

So a person keeps their rank in every trait whatever the trait's mean or spread: a
scenario that changes the order rate's cv gives the same people the same places in the
distribution, only stretched (a rank correlation of 1 between the two runs), where a
sampler drawing from a generator (rejection, for gamma and Beta) would deal the trait
afresh. The quantiles are ``scipy.special.gammaincinv`` and ``betaincinv``, vectorised for the
initial people (:func:`draw_traits`) and from the scalar draws for a newcomer, one at a time
(:func:`draw_newcomer_traits`): the same numbers.

Speed: those two functions are most of the cost of building a market (~3.5 of ~5 CPU seconds at
1 M people; Boost's and Cephes' iterations, ~0.4-1.5 µs a quantile, and no cheaper route gives the
same numbers: ``scipy.stats``' Beta ``ppf`` and ``betainccinv(1 − u)`` take as long). A ufunc
releases the GIL while it runs and computes each element alone, so a large array is cut in as many
pieces as the process has cores and the pieces are computed in threads at once (:func:`_quantiles`):
the same numbers, in less wall time when cores are free (the CPU time is the same).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy.special import betaincinv, gammaincinv

from sim.core.calendar import DAYS_PER_MONTH
from sim.core.rng import bases, child, children, uniform, uniforms
from sim.core.world import World

TRAITS = 1 << 32  # child tags of a slot's key from here on: generation g's traits


PARALLEL_FROM = 1 << 16  # quantiles at once from which the work is shared among threads


def _cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _quantiles(function: Callable[..., np.ndarray], parameters: tuple[float, ...], u: np.ndarray | float) -> np.ndarray:
    """``function(*parameters, u)`` as float64, a piece of ``u`` per core in threads when ``u`` is
    large (an element's quantile depends on it alone: the same numbers)."""
    u = np.asarray(u, dtype=np.float64)
    pieces = u.size // PARALLEL_FROM
    if pieces >= 2:  # (the cores asked only then: a system call, and most calls are small)
        pieces = min(_cores(), 8, pieces)
    if pieces < 2:
        return np.asarray(function(*parameters, u), dtype=np.float64)
    out = np.empty_like(u)
    cuts = np.linspace(0, u.size, pieces + 1).astype(np.int64).tolist()

    def piece(i: int) -> None:
        function(*parameters, u[cuts[i]: cuts[i + 1]], out=out[cuts[i]: cuts[i + 1]])

    with ThreadPoolExecutor(pieces) as pool:
        list(pool.map(piece, range(pieces)))
    return out


def beta_parameters(mean: float, sd: float) -> tuple[float, float]:
    """(α, β) of the Beta distribution with this mean and standard deviation (sd > 0)."""
    common = mean * (1 - mean) / sd**2 - 1
    return mean * common, (1 - mean) * common


def gamma_parameters(mean: float, cv: float) -> tuple[float, float]:
    """(shape, scale) of the gamma distribution with this mean and cv (both > 0)."""
    shape = 1.0 / cv**2
    return shape, mean / shape


def gamma_quantiles(mean: float, cv: float, u: np.ndarray | float) -> np.ndarray:
    """The u-quantiles of the gamma distribution with this mean and cv (cv 0: the mean)."""
    if cv == 0 or mean == 0:
        return np.full(np.shape(u), float(mean))
    shape, scale = gamma_parameters(mean, cv)
    return _quantiles(gammaincinv, (shape,), u) * scale


def beta_quantiles(mean: float, sd: float, u: np.ndarray | float) -> np.ndarray:
    """The u-quantiles of the Beta distribution with this mean and standard deviation (sd 0:
    the mean)."""
    if sd == 0:
        return np.full(np.shape(u), float(mean))
    return _quantiles(betaincinv, beta_parameters(mean, sd), u)


def slot_keys(world: World) -> np.ndarray:
    """Every slot's key K_s in ``Draws("turnover")`` (its generations, exits and traits)."""
    return bases(world.draws("turnover"), np.arange(world.people.size))


def draw_traits(world: World, slots: np.ndarray, keys: np.ndarray, generations: np.ndarray | int) -> None:
    """Give the people in ``slots`` (keys ``keys``, their slots' K_s; generation ``generations``)
    their traits, as the quantiles of uniforms 0..3 of their traits keys."""
    people = world.people
    slots = np.asarray(slots, dtype=np.int64)
    traits = children(keys, np.asarray(generations, dtype=np.uint64) + np.uint64(TRAITS))
    order_rate, propensity, expectation, satisfaction = _quantiles_of(world, *(uniforms(traits, i) for i in range(4)))
    people.view("order_rate")[slots] = order_rate
    people.view("propensity")[slots] = propensity
    people.view("expectation")[slots] = expectation
    people.view("satisfaction")[slots] = satisfaction


def draw_newcomer_traits(world: World, slot: int, key: int, generation: int) -> None:
    """:func:`draw_traits` for one person (a newcomer taking ``slot``, whose K_s is ``key``), with
    the scalar draws: the same numbers, without the ~100 µs that NumPy's calls cost on arrays of
    one (a few hundred newcomers a replication at the shipped size)."""
    people = world.people
    traits = child(key, TRAITS + generation)
    order_rate, propensity, expectation, satisfaction = _quantiles_of(world, *(uniform(traits, i) for i in range(4)))
    people.order_rate[slot] = float(order_rate)
    people.propensity[slot] = float(propensity)
    people.expectation[slot] = float(expectation)
    people.satisfaction[slot] = float(satisfaction)


def _quantiles_of(world: World, *u: np.ndarray | float) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The four traits at quantile levels ``u`` (arrays or numbers): order rate per day,
    churn propensity, expectation, prior satisfaction."""
    sc = world.scenario
    orders, expect, init = sc.customers.orders_per_month, sc.customers.expectation, sc.market.initial_satisfaction
    return (gamma_quantiles(orders.mean, orders.cv, u[0]) / DAYS_PER_MONTH,
            gamma_quantiles(1.0, sc.customers.churn_propensity_cv, u[1]),
            beta_quantiles(expect.mean, expect.sd, u[2]),
            beta_quantiles(init.mean, init.sd, u[3]))
