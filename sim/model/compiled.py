"""Compiled twins of the keyed draws: the commonest events' in one call, the rest one by one.

An order takes about eight keyed draws — its key, its value, three pairs of outcomes, a lead
time by rejection or a late delay — each a SplitMix64 hash (:mod:`sim.core.rng`) that costs
about 0.5 µs in pure Python, on arbitrary-precision integers, and the samplers' arithmetic
around them (:mod:`sim.model.samplers`): several µs an order, about a fifth of a run. Here
the same draws are compiled with numba (the field's choice for such kernels) into one
function, :func:`order_draws`, called once an order (~0.5 µs, most of it the call itself).
Likewise a customer's clock event (:func:`clock_draw`: its pair and waiting time) and a
telling (:func:`telling_draws`: whom it reaches and what each listener draws, over the
social network's ties; :func:`telling_listeners`: what each listener does with it, on
people's columns, the rare joins and departures left to Python). The draws that cannot be made in one call an event — a contact's at
the desk, drawn as it is served and resolved under the parameters then in force; an
episode's; a delivery's experience keys — take the compiled twins of the single draws
instead (:func:`scalar_draws`, :func:`sampler`): each still crosses from Python, for about
half the cost of the Python hash.

**The very same numbers.** The kernels are the Python code written again in 64-bit unsigned
integers, which wrap as the Python code's ``& MASK`` does, with the same floating-point
operations in the same order and the same C library's ``log``, ``log1p``, ``exp``, ``cos``
and ``pow`` (numba calls them, as CPython's :mod:`math` does; ``x ** 4`` is written
``math.pow(x, 4.0)``, which is what Python computes, not three multiplications). The Python
code stays the reference: tests/test_compiled.py checks the kernels against it draw by draw,
for every kind of distribution, and a model run with and without them array by array.

**Compiled when first needed.** The functions below are plain Python until :func:`ready` is
first called — by the first model built in a process — which imports numba and compiles them
for fixed argument types, in the order written (a kernel calls those above it), cached on disk
beside this file (numba's ``cache=True``), so that later processes load them (~0.4 s) instead.
A command that builds no model (``--help``, ``check``) does not pay for numba at all. Without
numba (not installed, or ``CHURN_SIM_COMPILED=0`` in the environment, or a numba that fails to
compile them, which warns) :func:`ready` is false and the model runs the Python code alone, with
the same numbers.
"""

from __future__ import annotations

import math
import os
import threading
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from sim.core import rng
from sim.core.recorder import REVENUE_BY_LEVEL, Daily
from sim.core.rng import _CHILD, _M1, _M2, GAMMA
from sim.core.world import CUSTOMER, FORMER, PROSPECT
from sim.model import samplers
from sim.model.ports import LISTENERS, TELLING
from sim.model.samplers import GAMMA_TAGS, gamma_parameters, lognormal_parameters, marsaglia_tsang
from sim.scenario.distributions import Exponential, Fixed, Gamma, LogNormal

# A distribution for the kernels: four floats, (kind, a, b, c).
FIXED, EXPONENTIAL, LOGNORMAL, GAMMA_ONE_OR_MORE, GAMMA_BELOW_ONE = 0.0, 1.0, 2.0, 3.0, 4.0
PARAMS = 4


def encode(dist: Fixed | Exponential | LogNormal | Gamma) -> tuple[float, float, float, float]:
    """A configured distribution as the kernels read it, with the constants its Python sampler
    (:func:`sim.model.samplers.sampler`) computes once, by the same functions."""
    if isinstance(dist, Fixed):
        return FIXED, float(dist.mean), 0.0, 0.0
    if isinstance(dist, Exponential):
        return EXPONENTIAL, float(dist.mean), 0.0, 0.0
    if isinstance(dist, LogNormal):
        return (LOGNORMAL, *lognormal_parameters(dist), 0.0)
    shape, scale = gamma_parameters(dist)
    if shape < 1.0:
        return GAMMA_BELOW_ONE, shape, scale, 0.0
    return (GAMMA_ONE_OR_MORE, *marsaglia_tsang(shape), scale)


_SIGNATURES: dict[str, str] = {}  # each kernel's numba signature, by name, in the order written
_PYTHON: dict[str, Callable[..., Any]] = {}  # each kernel's Python text, by name
_ready: bool | None = None  # compiled (True), not available (False), not tried yet (None)
_compiling = threading.Lock()  # models may be built in threads (a Dask worker's)


def _compile(signature: str) -> Callable[[Callable[..., Any]], Any]:
    """Note ``signature`` as the function's, for :func:`ready` to compile it with."""
    def note(function: Callable[..., Any]) -> Callable[..., Any]:
        _SIGNATURES[function.__name__] = signature
        _PYTHON[function.__name__] = function
        return function
    return note


def ready() -> bool:
    """Whether the kernels are compiled: compiles them (or loads them from numba's cache) on the
    first call; false, once and for all, without numba or with ``CHURN_SIM_COMPILED=0``."""
    global _ready
    with _compiling:
        if _ready is None:
            _ready = _compile_all()
    return _ready


def _compile_all() -> bool:
    if os.environ.get("CHURN_SIM_COMPILED", "1") == "0":
        return False
    try:  # numba is installed with the package; without it the Python code runs alone
        from numba import njit
    except ImportError:
        return False
    module = globals()
    try:
        for name, signature in _SIGNATURES.items():  # in the order written: callees first
            module[name] = njit(signature, cache=True)(_PYTHON[name])
    except Exception as err:  # a numba that cannot compile them: the Python draws, same numbers
        module.update(_PYTHON)
        warnings.warn(f"numba could not compile the draws ({type(err).__name__}: {err}); the model "
                      "runs the Python draws instead: the same numbers, about 30 % slower", stacklevel=3)
        return False
    return True


def direct(function: Callable[..., Any]) -> Callable[..., Any]:
    """A kernel below, to be called from Python without numba's dispatcher: the entry point of
    its one compiled signature, which converts the arguments as that signature says instead of
    resolving their types at every call — about 90 ns a call less (``uniform`` 172 → 87 ns,
    ``clock_draw`` 225 → 135 ns, ``timeit``), the same numbers. Only for arguments of the
    signature's types (an array of another dtype is not checked: the callers pass their own).
    ``function`` itself when it is not compiled, or has no entry point to give."""
    overloads = getattr(function, "overloads", None)
    if not overloads or len(overloads) != 1:
        return function
    return getattr(next(iter(overloads.values())), "entry_point", function)


ScalarDraws = tuple[Callable[[int, int], int], Callable[[int, int], float], Callable[[int, int], tuple[float, float]]]


def scalar_draws() -> ScalarDraws:
    """``(child, uniform, uniform_pair)`` for the keyed draws made one at a time, outside the
    kernels below (a contact's at the desk, an episode's, a delivery's experience, the decision
    to tell): the compiled twins once :func:`ready` (called past numba's dispatcher:
    :func:`direct`), else :mod:`sim.core.rng`'s — the same numbers. A call costs ~90–130 ns
    compiled against ~600–800 ns in Python (``timeit``)."""
    if ready():
        return direct(child), direct(uniform), direct(uniform_pair)
    return rng.child, rng.uniform, rng.uniform_pair


def sampler(dist: Fixed | Exponential | LogNormal | Gamma) -> samplers.Sampler:
    """:func:`sim.model.samplers.sampler`, drawn by the compiled :func:`draw` once :func:`ready`
    (the same numbers: a desk's handle times and patience, ~300 ns a draw against ~500–800 in
    Python); a fixed value, which draws nothing, stays Python."""
    if isinstance(dist, Fixed) or not ready():
        return samplers.sampler(dist)
    kind, a, b, c = encode(dist)
    compiled_draw = direct(draw)  # the compiled function (this module's global is replaced by ready())
    return lambda key, slot: compiled_draw(key, slot, kind, a, b, c)


_U64 = np.uint64
_GAMMA, _M1_, _M2_, _CHILD_ = _U64(GAMMA), _U64(_M1), _U64(_M2), _U64(_CHILD)
_S30, _S27, _S31, _S11, _S32 = _U64(30), _U64(27), _U64(31), _U64(11), _U64(32)
_LOW = _U64((1 << 32) - 1)
_TO_UNIT, _TO_HALF, _TAU = 2.0**-53, 2.0**-32, math.tau


@_compile("uint64(uint64)")
def _mix(z):
    z = (z ^ (z >> _S30)) * _M1_
    z = (z ^ (z >> _S27)) * _M2_
    return z ^ (z >> _S31)


@_compile("uint64(uint64, int64)")
def child(key, tag):
    """:func:`sim.core.rng.child`."""
    return _mix((key ^ _CHILD_) + _U64(tag + 1) * _GAMMA)


@_compile("float64(uint64, int64)")
def uniform(key, slot):
    """:func:`sim.core.rng.uniform`."""
    return float(_mix(key + _U64(slot + 1) * _GAMMA) >> _S11) * _TO_UNIT


@_compile("UniTuple(float64, 2)(uint64, int64)")
def uniform_pair(key, slot):
    """:func:`sim.core.rng.uniform_pair`."""
    z = _mix(key + _U64(slot + 1) * _GAMMA)
    return (float(z >> _S32) + 0.5) * _TO_HALF, (float(z & _LOW) + 0.5) * _TO_HALF


@_compile("float64(float64, float64, float64, uint64, int64, uint64)")
def _accepted(d, c, boost, key, slot, extra):
    """:func:`sim.model.samplers._accepted` (``extra`` 0: not made yet)."""
    k, s, more = key, slot, 1
    while True:
        u1, u2 = uniform_pair(k, s)
        x = math.sqrt(-2.0 * math.log(u1)) * math.cos(_TAU * u2)
        v = 1.0 + c * x
        if v > 0.0:
            v = v * v * v
            u = uniform(k, s + 1)
            if u < 1.0 - 0.0331 * math.pow(x, 4.0) or 0.0 < u and math.log(u) < 0.5 * x * x + d * (1.0 - v + math.log(v)):
                return boost * d * v
        if extra == 0:
            extra = child(key, GAMMA_TAGS + slot)
        k, s, more = extra, more, more + 2


@_compile("float64(uint64, int64, float64, float64, float64, float64)")
def draw(key, slot, kind, a, b, c):
    """The distribution encoded as ``(kind, a, b, c)`` (:func:`encode`), drawn from slots
    ``slot`` and ``slot + 1`` of ``key``: :func:`sim.model.samplers.sampler`'s draw."""
    if kind == FIXED:
        return a
    if kind == EXPONENTIAL:
        return -math.log1p(-uniform(key, slot)) * a
    if kind == LOGNORMAL:
        u1, u2 = uniform_pair(key, slot)
        return math.exp(a + b * math.sqrt(-2.0 * math.log(u1)) * math.cos(_TAU * u2))
    if kind == GAMMA_ONE_OR_MORE:
        return c * _accepted(a, b, 1.0, key, slot, _U64(0))
    # shape < 1: standard_gamma's boost, then shape + 1 (b is the scale)
    extra = child(key, GAMMA_TAGS + slot)
    boost = math.pow(uniform(extra, 0), 1.0 / a)
    shape = a + 1.0
    d = shape - 1.0 / 3.0
    return b * _accepted(d, 1.0 / math.sqrt(9.0 * d), boost, key, slot, extra)


@_compile("float64(float64[::1], int64, uint64, int64)")
def sample(params, at, key, slot):
    """:func:`draw` of the distribution encoded at ``params[at:at + 4]``."""
    return draw(key, slot, params[at], params[at + 1], params[at + 2], params[at + 3])


# The order's parameters (:func:`order_params`): its three distributions, then the rates.
_VALUE_AT, _LEAD_AT, _LATE_AT, _RATES_AT = 0, PARAMS, 2 * PARAMS, 3 * PARAMS
# Slots of an order's key (a distribution takes two; a pair is two outcomes from one slot), for the
# draws here and sim.model.fulfilment's reference alike.
VALUE, ON_TIME_COMPLETE, ACCURATE_INVOICE, PRODUCT_CLAIM, LEAD, LATE = 0, 2, 3, 4, 6, 8


_MULTIPLIER_AT = _RATES_AT + 6  # then the order-value multiplier of each loyalty level (index 1..3)
ORDER_PARAMS = _MULTIPLIER_AT + 4  # the length of order_params's array (levels 0..3, 0 unused)
# The day's order counters an order adds to, the columns of one block of the recorder's
# (Recorder.block), in this order: order_counted adds to them by position.
ORDER_COUNTERS = (
    Daily.ORDERS, Daily.ORDERS_ON_TIME, Daily.ORDERS_COMPLETE, Daily.ORDERS_ACCURATE, Daily.ORDERS_INVOICE_OK,
    Daily.ORDERS_PERFECT, Daily.LEAD_TIME_DAYS_SUM, Daily.REVENUE, Daily.ORDERS_REPEAT, Daily.ORDERS_INITIAL,
    *REVENUE_BY_LEVEL,
)
(ORDERS_AT, ON_TIME_AT, COMPLETE_AT, ACCURATE_AT, INVOICE_OK_AT, PERFECT_AT, LEAD_SUM_AT, REVENUE_AT, REPEAT_AT,
 INITIAL_AT, REVENUE_LEVEL_AT) = range(11)  # REVENUE_LEVEL_AT + level - 1: the revenue at that level


def order_params(order_value: Any, lead_time: Any, late_delay: Any,
                 rates: tuple[float, float, float, float, float, float],
                 value_multiplier: tuple[float, ...]) -> np.ndarray:
    """What :func:`order_draws` and :func:`order_counted` read: the order value's, lead time's
    and late delay's distributions (:func:`encode`), then on-time, fill, accuracy and
    invoice-accuracy rates, the product-problem rate and the promised lead time, then the
    order-value multiplier of each loyalty level (index 0 unused)."""
    return np.array([*encode(order_value), *encode(lead_time), *encode(late_delay), *rates, *value_multiplier],
                    dtype=np.float64)


@_compile("Tuple((uint64, float64, boolean, boolean, boolean, boolean, boolean, float64, float64, float64))"
          "(uint64, int64, float64[::1])")
def order_draws(person_key, tag, params):
    """Everything an order draws, from its key ``child(person_key, tag)``, as
    :meth:`sim.model.fulfilment.Fulfilment.place_order` draws it: (key, value before the
    level's multiplier, on time, complete, accurate, invoice right, product fine, the
    guarantee claim's uniform, lead time, days late)."""
    key = child(person_key, tag)
    value = sample(params, _VALUE_AT, key, VALUE)
    r = _RATES_AT
    u_on_time, u_complete = uniform_pair(key, ON_TIME_COMPLETE)
    u_accurate, u_invoice = uniform_pair(key, ACCURATE_INVOICE)
    u_product, u_claim = uniform_pair(key, PRODUCT_CLAIM)
    on_time = u_on_time < params[r]
    promised = params[r + 5]
    if on_time:
        lead = sample(params, _LEAD_AT, key, LEAD)
        lead = lead if lead <= promised else promised
        late_by = 0.0
    else:
        late_by = sample(params, _LATE_AT, key, LATE)
        lead = promised + late_by
    return (key, value, on_time, u_complete < params[r + 1], u_accurate < params[r + 2],
            u_invoice < params[r + 3], u_product >= params[r + 4], u_claim, lead, late_by)


@_compile("Tuple((uint64, float64, boolean, float64, boolean, boolean, boolean, boolean, float64, float64))"
          "(uint64, int64, float64[::1], int64, int64, int64, float64[:, ::1])")
def order_counted(person_key, tag, params, level, day, initial, counts):
    """An order placed at loyalty ``level`` on ``day`` (``initial``: 1 for a first purchase, else
    0): its draws (:func:`order_draws`), its value times the level's multiplier, and the day's
    counters (:data:`ORDER_COUNTERS`, row ``day`` of ``counts``) added to, as
    :meth:`sim.model.fulfilment.Fulfilment.order`, the reference, does. Returns what its delivery
    needs: (key, value, perfect, days late, complete, accurate, invoice right, product fine, the
    guarantee claim's uniform, lead time). One call an order instead of a call and thirteen
    counters added to in Python (~370 ns)."""
    key, value, on_time, complete, accurate, invoice_ok, product_ok, u_claim, lead, late_by = order_draws(
        person_key, tag, params)
    value = value * params[_MULTIPLIER_AT + level]
    perfect = on_time and complete and accurate and invoice_ok
    row = counts[day]
    row[ORDERS_AT] += 1.0
    row[INITIAL_AT if initial else REPEAT_AT] += 1.0
    row[REVENUE_AT] += value
    row[REVENUE_LEVEL_AT + level - 1] += value
    row[ON_TIME_AT] += 1.0 if on_time else 0.0
    row[COMPLETE_AT] += 1.0 if complete else 0.0
    row[ACCURATE_AT] += 1.0 if accurate else 0.0
    row[INVOICE_OK_AT] += 1.0 if invoice_ok else 0.0
    row[PERFECT_AT] += 1.0 if perfect else 0.0
    row[LEAD_SUM_AT] += lead
    return key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok, u_claim, lead


@_compile("UniTuple(float64, 2)(uint64, int64, float64, float64)")
def clock_draw(person_key, n, now, bound):
    """A customer's n-th clock event (:meth:`sim.model.customers.Customers._schedule`): its time,
    ``now + -log(u) / bound``, and its pick, from pair ``n`` of the customer's key."""
    u, pick = uniform_pair(person_key, n)
    return now + -math.log(u) / bound, pick


@_compile("int64(int64[::1], int32[::1], int64, int64, int64, uint64, int64[::1], float64[::1])")
def telling_draws(indptr, indices, size, person, count, key, told, decided):
    """Whom a telling of the experience ``key`` reaches and each listener's uniform number, from
    the telling's key ``child(key, TELLING)``: :meth:`sim.model.network.SocialNetwork.recipients`
    (``indptr`` and ``indices``: its ties), then :class:`sim.model.word_of_mouth.Decisions` for
    every listener in order. Written into ``told[:n]`` and ``decided[:n]`` (the caller's, of at
    least ``count`` each: not checked), and ``n`` returned. (Not returned as new arrays: handing
    an array back to Python calls numba's unpickling in Python, where a Ctrl-C arriving during
    the call would surface as a SystemError instead of a KeyboardInterrupt.)"""
    telling = child(key, TELLING)
    if count <= 0 or size < 2:
        return 0
    start, end = indptr[person], indptr[person + 1]
    degree = end - start
    if degree >= count:  # a partial Fisher-Yates shuffle of the contacts: the first `count`
        contacts = indices[start:end].astype(np.int64)
        u = v = 0.0
        for i in range(count):
            if i & 1:
                u = v
            else:
                u, v = uniform_pair(telling, i >> 1)
            j = i + int(u * (degree - i))
            contacts[i], contacts[j] = contacts[j], contacts[i]
        told[:count] = contacts[:count]
    else:  # every contact, then strangers uniformly at random (not the teller)
        told[:degree] = indices[start:end]
        chosen, draw = degree, 0
        u = v = 0.0
        while chosen < count:
            if draw & 1:
                u = v
            else:
                u, v = uniform_pair(telling, draw >> 1)
            draw += 1
            other = int(u * size)
            if other != person:
                told[chosen] = other
                chosen += 1
    for j in range(0, count, 2):
        decided[j], second = uniform_pair(telling, LISTENERS + (j >> 1))
        if j + 1 < count:
            decided[j + 1] = second
    return count


@_compile("UniTuple(int64, 2)(int64[::1], float64[::1], int64, boolean, int8[::1], float64[::1], float64[::1], "
          "float64[::1], float64, float64, float64, float64, float64, float64, float64, float64, int64[::1])")
def telling_listeners(told, decided, n, positive, status, left, memory, memory_day, now, chance, keep, half_life,
                      winback, cooloff, p_leave, two, acted):
    """What the listeners ``told[:n]`` of a telling do with their numbers ``decided[:n]``, in
    order, as :meth:`sim.model.word_of_mouth.WordOfMouth.tell`'s loop over them does in Python
    (the reference): the arithmetic here, the rare consequences left to the caller. Returns
    ``(k, deterred)``: the ``k`` listeners who act are written into ``acted[:k]`` (at least
    ``n`` long: not checked), in order — who joins, after a recommendation; who leaves, after
    a complaint — and ``deterred`` counts the prospects only their remembered complaints kept
    from joining. A complaint heard by a prospect or former customer is remembered here, in
    ``memory`` and ``memory_day`` (people's columns). A listener told twice (a stranger drawn
    again) is, the second time, what the first made them: a customer once joined, a former
    customer once gone. ``two`` is 2.0, passed in so that the compiler cannot turn ``2.0 ** x``
    into ``exp2(x)``, which may differ from C's ``pow`` in the last place; the arguments are
    :class:`sim.model.market.Joining`'s (``keep``: 1 − the deterrence per complaint) and word of
    mouth's (``chance``: the conversion of a recommendation; ``p_leave``)."""
    k = 0
    deterred = 0
    for j in range(n):
        other = told[j]
        seen = False
        for i in range(k):
            if acted[i] == other:
                seen = True
                break
        s = status[other]
        if positive:
            if s == CUSTOMER or seen:  # a customer, or joined earlier in this telling
                continue
            if s == PROSPECT:
                eligible = 1.0
            elif s == FORMER and now - left[other] >= cooloff:
                eligible = winback
            else:  # a former customer within the cool-off: eligible 0, no draw is below it
                continue
            kept = 1.0
            m = memory[other]
            if m > 0.0:  # Joining.factors
                age = now - memory_day[other]
                kept = keep ** (m * two ** (-age / half_life))
            draw = decided[j]
            if draw < chance * eligible * kept:  # Joining.try_join
                acted[k] = other
                k += 1
            elif draw < chance * eligible:
                deterred += 1
        elif s == PROSPECT or s == FORMER or seen:  # seen: left earlier in this telling
            age = now - memory_day[other]  # Joining.hear_complaint
            memory[other] = memory[other] * two ** (-age / half_life) + 1.0
            memory_day[other] = now
        elif s == CUSTOMER and decided[j] < p_leave:
            acted[k] = other
            k += 1
    return k, deterred


@_compile("int64(int8[::1], float64[::1], float64[::1])")
def customers_satisfaction(status, satisfaction, out):
    """The customers' satisfaction in slot order into ``out`` (what ``satisfaction.compress(status
    == CUSTOMER)`` selects); how many. One pass without a branch: each value is written at the
    next free place, which moves on only past a customer. The daily snapshot's mean: ~0.7 ms a
    day at 1 M people against NumPy's compress, ~1.4 (a nonzero, then a take)."""
    k = 0
    for p in range(status.size):
        out[k] = satisfaction[p]
        k += int(status[p] == CUSTOMER)
    return k
