"""The customers' clock events, the deliveries and the support desk on a compiled heap, stepped there.

A repeat order is the commonest event of a run (about 29,000 of 99,000 a year at the shipped
15,000 people) and what it does is arithmetic: its draws and counters
(:func:`sim.model.compiled.order_counted`), the customer's orders, revenue and loyalty count,
its delivery scheduled, the customer's next clock event drawn
(:func:`sim.model.compiled.clock_draw`). Done in Python it cost about 2.5–3 µs, most of it not
the arithmetic but the Python around it — the event stepped, its tuples made and scheduled.
Here the customers' clock events, the deliveries and the desk's timers wait on a heap of this
module's, in arrays, and :func:`run` steps them compiled: a repeat order, a promotion to repeat
customer included (:func:`_move`: the level, its count and the clock's bound, the pending event
stretched to it); a question (its contact on the desk); a time-based clock event that turns
out null (:func:`_fires`: no cause of leaving fires); a delivery (:func:`_delivered`: a perfect
order felt, counted, the happy streak, a move up to advocate or a level down, and its telling
if it is told, :func:`_tell` — whom, and what each listener does with it; a failed order or a
disappointing product scored, felt and its problem episode opened, :func:`_open`); and the
support desk's events (the section "the desk" below: contacts arriving, queueing, given up on,
answered, retried; agents; the episodes the desk closes, with their one decision to leave).
Python (:mod:`sim.model.customers`, :mod:`sim.model.desk`, :mod:`sim.model.episodes`,
:mod:`sim.model.fulfilment`, :mod:`sim.model.word_of_mouth`) stays the reference, run alone
without numba or with ``customers.CHAIN`` off; tests/test_chain.py holds the two to the bit.
What the kernels leave to Python comes back: a clock event whose cause of leaving fires, and
(:data:`FOLLOW_UP`, an outbox of rows done in order) the listeners of a telling who join or
leave and a customer who leaves after an episode. The desk's shifts stay a SimPy process that
calls kernels (:func:`staff`, :func:`staffed`, :func:`resume`). What an experience does when
Python has one — ``Satisfaction.respond`` and ``experience`` — runs here too (:func:`respond`,
:func:`experience`).

**The same events in the same order.** :class:`sim.core.later.Environment` steps this heap
with its own two (SimPy's queue, :class:`sim.core.later.Later`'s), always the least
(time, priority, id) first, and the ids come from one counter for all three (:class:`Ids`,
which SimPy and ``Later`` draw from too): an event here takes its id when it is scheduled, as it
did as a ``Later`` entry, so ties of time fall as they did. A customer's pending clock event is
known by its id (``Customers.pending``); one superseded (rescaled, or of an earlier spell) is
dropped when it comes up, as ``Customers._on_clock`` drops it.

The state is one numba structref (:class:`ChainState`): a call costs ~110 ns with it against
~460 ns with twelve arrays. Its columns are views of people's arrays and the customers' own,
so Python and the kernels read and write the same memory. Only with numba
(:func:`sim.model.compiled.ready`); without it the Python code runs alone, the same numbers.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from llvmlite import binding as llvm
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.experimental import structref
from numba.extending import intrinsic

from sim.core.calendar import EPS, HOURS_PER_DAY, MINUTES_PER_DAY
from sim.core.later import NOTHING, STEPPED
from sim.core.recorder import HOURLY
from sim.core.vocabulary import (
    DISAPPOINTING_PRODUCT,
    EPISODE_RESOLVED,
    EPISODE_RESOLVED_QUICKLY,
    EPISODE_SILENT,
    EPISODE_UNRESOLVED,
    FAILED_ORDER,
    HAPPY,
    NEUTRAL,
    ORDER_PROBLEM,
    PRODUCT,
    PRODUCT_PROBLEM,
    QUESTION,
    SERVICE,
    UNHAPPY,
)
from sim.core.world import CUSTOMER, ORDER_TAGS, QUESTION_TAGS
from sim.model import compiled
from sim.model.desk import (
    D_ABANDONED,
    D_ABANDONED_WAIT_MINUTES,
    D_ANSWERED,
    D_BUSY_HOURS,
    D_BY_KIND,
    D_CONTACTS,
    D_FIRST_ANSWERED,
    D_FIRST_RESOLVED,
    D_OVERTIME,
    D_RESOLUTION_HOURS,
    D_RESOLVED,
    D_WAIT_MINUTES,
    D_WAITED,
    D_WITHIN_TARGET,
    DEFER,
    DELAY_WHILE_OPEN,
    DESK_COUNTERS,
    EXPERIENCE,
    H_ABANDONED,
    H_ANSWERED,
    H_OFFERED,
    H_WAIT_MINUTES,
    H_WAITED,
    HANDLE,
    PATIENCE,
    RECONTACT,
    RESOLVED,
    RETRY,
)
from sim.model.episodes import E_COMPLAINTS, E_EPISODES, E_OUTCOME, E_STAYED, EPISODE_COUNTERS
from sim.model.fulfilment import DELIVERY_TAG, ORDER_PROBLEM_TAG, PRODUCT_PROBLEM_TAG
from sim.model.ports import TELL, VOICE_LEAVE

# A constant passed to a kernel as _I(X): an int64, not numba's literal type of X, which would
# compile the callee again for each constant it is called with (and its callees), at every
# fresh compile (96 overloads of ~60 kernels before, about a third of the chain's compile time).
_I = np.int64
CLOCK, DELIVERY = 0, 1  # kinds of event on the heap, besides the desk's (ARRIVE …)
NORMAL = 1  # SimPy's priority of an ordinary event (simpy.events.NORMAL)


@structref.register
class ChainStateType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


class ChainState(structref.StructRefProxy):
    """The heap (a row an event: time, id, person, kind and slot; ``size``) and the far buckets
    behind it in a large market (``far``, ``fsize``, ``last``, ``mask``, ``low``), the next id, the deliveries in
    flight (a slot each), and views of the columns a repeat order and a quiet delivery read and
    write."""


_FIELDS = [
    "heap", "size", "ids", "far", "fsize", "last", "mask", "low",
    "status", "level", "order_rate", "clock_rate", "key", "clock_events", "orders", "revenue", "level_orders",
    "due", "pick", "pending",
    "params", "counted", "order_multiplier", "orders_for_repeat",
    "placed", "d_key", "value", "perfect", "late_by", "complete", "accurate", "invoice_ok", "product_ok", "u_claim",
    "free", "nfree",
    "expectation", "satisfaction", "happy_streak", "joined", "experiences", "felt", "p_tell_happy",
    "indptr", "indices", "network_size", "left", "memory", "memory_day", "told", "decided", "acted",
    "conversion", "tell_terms", "told_counts", "deterred",
    "level_counts", "propensity", "level_propensity", "rates", "hazards", "shocks",
    "ci", "cf", "ck", "cfree", "cnfree", "rings", "rs", "idle", "agent", "off_since", "ds", "out",
    "dp", "dist", "hours", "pieces", "cum", "leave", "desk_daily", "desk_hourly", "episode_counts", "payout",
]
structref.define_proxy(ChainState, ChainStateType, _FIELDS)


@njit(cache=True)
def new_state(capacity, low, slots, ids, status, level, order_rate, clock_rate, key, clock_events, orders, revenue,
              level_orders, due, pick, pending, params, counted, order_multiplier, orders_for_repeat, expectation,
              satisfaction, happy_streak, joined, experiences, felt, p_tell_happy, indptr, indices, network_size,
              left, memory, memory_day, conversion, tell_terms, told, decided, acted, told_counts, deterred,
              level_counts, propensity, level_propensity, rates, hazards, shocks, ds, out, desk_daily, desk_hourly,
              episode_counts, payout):
    free = np.arange(slots - 1, -1, -1).astype(np.int64)
    near, far = (capacity, 16) if low >= NO_BUCKETS else (max(16, capacity // 16), max(16, capacity // 8))
    contacts = 256  # (dp below: the 30 of _DESK_PARAMS; dist: 4 distributions of 4)
    return ChainState(
        np.empty((near, 4)), np.zeros(1, np.int64),
        np.full(1, ids, np.int64), np.empty((_FAR, far, 4)), np.zeros(_FAR, np.int64), np.zeros(1, np.uint64),
        np.zeros(1, np.uint64), np.full(1, low, np.int64),
        status, level, order_rate, clock_rate, key, clock_events, orders, revenue, level_orders,
        due, pick, pending, params, counted, order_multiplier, np.full(1, orders_for_repeat, np.int64),
        np.empty(slots), np.empty(slots, np.uint64), np.empty(slots), np.empty(slots, np.bool_), np.empty(slots),
        np.empty(slots, np.bool_), np.empty(slots, np.bool_), np.empty(slots, np.bool_), np.empty(slots, np.bool_),
        np.empty(slots), free, np.full(1, slots, np.int64),
        expectation, satisfaction, happy_streak, joined, experiences, felt, p_tell_happy,
        indptr, indices, np.full(1, network_size, np.int64), left, memory, memory_day, told, decided, acted,
        conversion, tell_terms, told_counts, deterred, level_counts, propensity, level_propensity, rates, hazards,
        shocks,
        np.zeros((contacts, 10), np.int64), np.zeros((contacts, 4)), np.zeros((contacts, 2), np.uint64),
        np.arange(contacts - 1, -1, -1).astype(np.int64), np.full(1, contacts, np.int64),
        np.zeros((2, 64), np.int64), np.zeros(4, np.int64), np.zeros(0, np.int64), np.zeros((0, 2), np.int64),
        np.zeros(0), ds, out, np.zeros(30), np.zeros(16), np.zeros(4), np.zeros((1, 3)), np.zeros(2),
        np.zeros(4), desk_daily, desk_hourly, episode_counts, payout,
    )


@njit(cache=True)
def set_parameters(c, params, order_multiplier, orders_for_repeat, felt, p_tell_happy, conversion, tell_terms, told,
                   decided, acted, level_propensity, rates, hazards, shocks):
    """After a change of scenario: the orders' parameters, the levels' order-rate multipliers,
    the orders that make a repeat customer, what a perfect delivery is felt as and told by
    (``felt``: :data:`SENSITIVITY` to :data:`P_TELL_UNHAPPY`), the levels' chances of telling a
    happy experience; a telling's: the levels' conversions of a recommendation, ``tell_terms``
    (:data:`HAPPY_LOW` to :data:`TWO`), and its buffers (whom, their numbers, who acts: at least
    as long as the most a teller can tell); a clock's bound's: the levels' churn-propensity
    multipliers and ``rates`` (:data:`QUESTION_RATE`, :data:`BOUND_RATE`); the time-based
    hazards' (:data:`DIED` …, and the competitor shocks: start, end, multiplier a row)."""
    c.params = params
    c.order_multiplier = order_multiplier
    c.orders_for_repeat[0] = orders_for_repeat
    c.felt = felt
    c.p_tell_happy = p_tell_happy
    c.conversion = conversion
    c.tell_terms = tell_terms
    c.told, c.decided, c.acted = told, decided, acted
    c.level_propensity = level_propensity
    c.rates = rates
    c.hazards = hazards
    c.shocks = shocks
    return 0


@njit(cache=True)
def take_id(c):
    """The next event id (SimPy's and ``Later``'s too: :class:`Ids`)."""
    eid = c.ids[0]
    c.ids[0] = eid + 1
    return eid


@njit(cache=True)
def peek_id(c):
    return c.ids[0]


# The heap is one (capacity, 4) float64 array, a row an event: its time, id, person (or what else
# it carries), and its kind and slot in one number (:func:`_code`). Five arrays of a field each
# (as before) put an event on five cache lines, a row on one (two rows to a line): at a million
# people, ~200,000 events waiting, a pop and a push cost ~260 ns against ~370 (a throwaway
# benchmark of both, docs/PERFORMANCE.md). Ids, persons, kinds and slots are integers far below
# 2**53, exact as floats. An entry moves into its place without swaps (the hole moves), the
# comparisons and the order those of the textbook binary heap: least (time, id) first.
H_TIME, H_ID, H_PERSON, H_CODE = 0, 1, 2, 3
_SLOTS = 1 << 32  # a code's kind is its multiple of this, its slot + 1 the rest


@njit(cache=True)
def _code(kind, slot):
    """Kind and slot (>= -1) as one float: kind * 2**32 + slot + 1."""
    return float(kind * _SLOTS + slot + 1)


@njit(cache=True)
def _kind_slot(code):
    """The kind and slot of a :func:`_code`."""
    n = np.int64(code)
    return n >> 32, (n & 0xFFFFFFFF) - 1


@njit(cache=True)
def _grow(c):
    m = c.size[0]
    heap = np.empty((c.heap.shape[0] * 2, 4))
    heap[:m] = c.heap[:m]
    c.heap = heap


@njit(cache=True)
def _push(c, time, kind, person, slot):
    """Schedule an event at ``time``; returns its id (the next of the shared counter). On the
    heap, or in a large market perhaps in a far bucket (see "The far buckets")."""
    eid = c.ids[0]
    c.ids[0] = eid + 1
    code = _code(kind, slot)
    low = c.low[0]
    if low < NO_BUCKETS:
        k, last = _key(time), c.last[0]
        if k > last:
            b = _bit_length(k ^ last) - low  # type: ignore[call-arg]  # an intrinsic
            if b > 0:
                _file(c, b - 1, time, float(eid), float(person), code)
                return eid
    _heap_push(c, time, float(eid), float(person), code)
    return eid


@njit(cache=True, inline="always")
def _heap_push(c, time, eid, person, code):
    """An event onto the heap: up from the end while before its parent."""
    i = c.size[0]
    if i == c.heap.shape[0]:
        _grow(c)
    h = c.heap
    c.size[0] = i + 1
    while i > 0:  # up while before its parent (ids are unique: never equal)
        parent = (i - 1) >> 1
        if h[parent, H_TIME] < time or (h[parent, H_TIME] == time and h[parent, H_ID] < eid):
            break
        h[i, H_TIME], h[i, H_ID], h[i, H_PERSON], h[i, H_CODE] = \
            h[parent, H_TIME], h[parent, H_ID], h[parent, H_PERSON], h[parent, H_CODE]
        i = parent
    h[i, H_TIME], h[i, H_ID], h[i, H_PERSON], h[i, H_CODE] = time, eid, person, code


@njit(cache=True)
def _pop(c):
    """Remove the first event: the last row moves down from the top while a child comes before it."""
    h = c.heap
    n = c.size[0] - 1
    c.size[0] = n
    time, eid, person, code = h[n, H_TIME], h[n, H_ID], h[n, H_PERSON], h[n, H_CODE]
    i = 0
    while True:
        child = 2 * i + 1
        if child >= n:
            break
        if 2 * child + 1 < n:  # the grandchildren's rows, two lines, fetched ahead of the next level
            _hint(h, 2 * child + 1)
            _hint(h, 2 * child + 3)
        right = child + 1
        if right < n and (h[right, H_TIME] < h[child, H_TIME]
                          or (h[right, H_TIME] == h[child, H_TIME] and h[right, H_ID] < h[child, H_ID])):
            child = right
        if not (h[child, H_TIME] < time or (h[child, H_TIME] == time and h[child, H_ID] < eid)):
            break
        h[i, H_TIME], h[i, H_ID], h[i, H_PERSON], h[i, H_CODE] = \
            h[child, H_TIME], h[child, H_ID], h[child, H_PERSON], h[child, H_CODE]
        i = child
    h[i, H_TIME], h[i, H_ID], h[i, H_PERSON], h[i, H_CODE] = time, eid, person, code


# The far buckets. A binary heap of every event waiting (~200,000 at a million people) walks ~17
# levels a pop, the lower ones out of the core's caches: a chain of waits on memory. In a large
# market (BUCKETS_FROM people or more) the heap holds only the events close to ``last``, and the
# later ones wait in the buckets of a radix heap (Ahuja, Mehlhorn, Orlin and Tarjan 1990,
# "Faster algorithms for the shortest path problem"). With times as integer keys (:func:`_key`:
# in order as the times are), an event whose key is above the last's and first differs from it
# at bit p waits in bucket p - low (``low``: LOW) if that is above 0, and otherwise on the heap;
# every event in a bucket comes after every one on the heap, and every one of a lower bucket
# before every one of a higher. When the heap runs empty (:func:`_refill`) the lowest bucket's
# least key becomes the last, and the bucket's events move to the buckets, or onto the heap,
# they now belong to: each moves a few times, its row read and written in order, and the heap is
# never empty while events wait, so it is stepped as before. The same events in the same order,
# (time, id), as one heap of them all (tests/test_chain.py). In a smaller market the heap stays in
# the core's caches and the buckets would cost more than they save: ``low`` is NO_BUCKETS there,
# and every event goes on the heap, as before (docs/PERFORMANCE.md).
BUCKETS_FROM = 200_000  # people
LOW = 10  # a bucket's event differs from the last key above bit 10 (1/64 of a day)
NO_BUCKETS = 64
_SCALE = 65536.0  # a key is the time in 1/65,536ths of a day, rounded down
_TOP = 2.0 ** 47  # days: a time from here (or infinite) takes the largest key
_FAR = 64  # buckets


@njit(cache=True, inline="always")
def _key(time):
    """The time's key: its 1/65,536ths of a day (the largest key from _TOP days, or infinite)."""
    if time < _TOP:
        return np.uint64(time * _SCALE)
    return np.uint64(0xFFFFFFFFFFFFFFFF)


@intrinsic
def _bit_length(typingctx, x):
    """The bit length of a uint64 (0 for 0)."""
    def codegen(context, builder, signature, args):
        zeros = builder.ctlz(args[0], ir.Constant(ir.IntType(1), 0))
        return builder.sub(ir.Constant(ir.IntType(64), 64), zeros)
    return types.int64(types.uint64), codegen


@intrinsic
def _lowest_bit(typingctx, x):
    """The index of a uint64's lowest set bit."""
    def codegen(context, builder, signature, args):
        return builder.cttz(args[0], ir.Constant(ir.IntType(1), 0))
    return types.int64(types.uint64), codegen


@njit(cache=True)
def _file(c, b, time, eid, person, code):
    """An event into bucket ``b``; onto the heap at once (:func:`_refill`) if it is empty."""
    n = c.fsize[b]
    if n == c.far.shape[1]:
        _grow_far(c, n + 1)
    f = c.far
    f[b, n, H_TIME], f[b, n, H_ID], f[b, n, H_PERSON], f[b, n, H_CODE] = time, eid, person, code
    c.fsize[b] = n + 1
    c.mask[0] |= np.uint64(1) << np.uint64(b)
    if c.size[0] == 0:
        _refill(c)


@njit(cache=True)
def _refill(c):
    """The heap is empty and some bucket is not: the lowest bucket's least key becomes the last,
    and its events move down, those of that key (at least) onto the heap."""
    b = _lowest_bit(c.mask[0])  # type: ignore[call-arg, var-annotated]  # an intrinsic
    f, fsize, low = c.far, c.fsize, c.low[0]
    n = fsize[b]
    last = _key(f[b, 0, H_TIME])
    for r in range(1, n):
        last = min(last, _key(f[b, r, H_TIME]))
    c.last[0] = last
    mask = c.mask[0] & ~(np.uint64(1) << np.uint64(b))
    for r in range(n):
        t = f[b, r, H_TIME]
        # below b: the key and the new last agree from b's bit up
        nb = _bit_length(_key(t) ^ last) - low - 1
        if nb < 0:
            _heap_push(c, t, f[b, r, H_ID], f[b, r, H_PERSON], f[b, r, H_CODE])
            continue
        m = fsize[nb]
        if m == f.shape[1]:
            _grow_far(c, m + 1)  # (bucket b's rows with them: its size is set after)
            f = c.far
        f[nb, m, H_TIME], f[nb, m, H_ID], f[nb, m, H_PERSON], f[nb, m, H_CODE] = \
            t, f[b, r, H_ID], f[b, r, H_PERSON], f[b, r, H_CODE]
        fsize[nb] = m + 1
        mask |= np.uint64(1) << np.uint64(nb)
    fsize[b] = 0
    c.mask[0] = mask


@njit(cache=True)
def _grow_far(c, need):
    """Room for ``need`` events in every bucket."""
    s = c.far.shape[1]
    while s < need:
        s *= 2
    far = np.empty((_FAR, s, 4))
    for b in range(_FAR):
        n = c.fsize[b]
        far[b, :n] = c.far[b, :n]
    c.far = far


# The next event's person, fetched ahead. In a large market the people's columns are far bigger
# than the CPU's caches, and an event reads a dozen of them at one person: a dozen cache misses,
# most of an event's time at a million people. Once the event is taken off the heap the next
# one is known (the new first), and its person's lines are asked for (llvm.prefetch) while this
# one is done: they arrive meanwhile. A hint only: nothing is read or changed by it.
_PREFETCH = "llvm.prefetch.p0" if llvm.llvm_version_info[0] >= 16 else "llvm.prefetch.p0i8"


@intrinsic
def _prefetch(typingctx, array, index):
    """Ask for the cache line of ``array[index]`` (of a 2-d array, of the start of row ``index``;
    to read, kept in every level of cache)."""
    def codegen(context, builder, signature, args):
        kind = signature.args[0]
        data = context.make_array(kind)(context, builder, args[0])
        at = [args[1]] + [context.get_constant(types.intp, 0)] * (kind.ndim - 1)
        pointer = cgutils.get_item_pointer(context, builder, kind, data, at)
        byte, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        function = cgutils.get_or_insert_function(
            builder.module, ir.FunctionType(ir.VoidType(), [byte, i32, i32, i32]), _PREFETCH)
        builder.call(function, [builder.bitcast(pointer, byte), i32(0), i32(3), i32(1)])
        return context.get_dummy_value()
    return types.void(array, index), codegen


@njit(cache=True)
def _prefetch_compiles(array):
    _prefetch(array, 0)  # type: ignore[call-arg]  # an intrinsic: numba passes typingctx
    return True


@njit(cache=True)
def _no_prefetch(array, index):
    pass


def _prefetch_or_nothing():
    """``_prefetch``, or where this numba's LLVM will not compile it (it names the intrinsic
    after its pointers' types), a hint of nothing: the same numbers, without the gain."""
    try:
        _prefetch_compiles(np.zeros(1))
    except Exception:
        return _no_prefetch
    return _prefetch


_hint = _prefetch_or_nothing()


@njit(cache=True)
def _fetch_next(c):
    """Prefetch what the first event on the heap will read of its person (a clock event's or a
    delivery's), and of its delivery. (The heap refilled from the far buckets first if it ran
    empty.)"""
    if c.size[0] == 0:
        if c.mask[0] == 0:
            return
        _refill(c)
    h = c.heap
    kind, slot = _kind_slot(h[0, H_CODE])
    person = np.int64(h[0, H_PERSON])
    if kind == CLOCK:
        _hint(c.status, person)
        _hint(c.pending, person)
        _hint(c.level, person)
        _hint(c.pick, person)
        _hint(c.clock_rate, person)
        _hint(c.order_rate, person)
        _hint(c.key, person)
        _hint(c.clock_events, person)
        _hint(c.orders, person)
        _hint(c.revenue, person)
        _hint(c.level_orders, person)
        _hint(c.due, person)
    elif kind == DELIVERY:
        _hint(c.status, person)
        _hint(c.level, person)
        _hint(c.joined, person)
        _hint(c.expectation, person)
        _hint(c.satisfaction, person)
        _hint(c.happy_streak, person)
        _hint(c.perfect, slot)
        _hint(c.value, slot)
        _hint(c.d_key, slot)


@njit(cache=True)
def push_clock(c, person, time):
    """The customer's clock event at ``time`` (its pick already in ``pick``): pending, due."""
    eid = _push(c, time, _I(CLOCK), person, _I(-1))
    c.pending[person] = eid
    c.due[person] = time
    return eid


@njit(cache=True)
def schedule_clock(c, person, now, bound):
    """``Customers._schedule_at``: the customer's next clock event, at ``bound``, from their
    next slot (none at a bound of 0 or below)."""
    c.clock_rate[person] = bound
    if bound <= 0:
        c.pending[person] = -1
        return -1
    n = c.clock_events[person]
    c.clock_events[person] = n + 1
    time, pick = compiled.clock_draw(c.key[person], n, now, bound)
    eid = _push(c, time, _I(CLOCK), person, _I(-1))
    c.pending[person] = eid
    c.due[person] = time
    c.pick[person] = pick
    return eid


@njit(cache=True)
def _grown_free(free, k, old, n):
    """A stack of free slots (``k`` of them) for ``n`` slots instead of ``old``: the new ones on
    top, the lowest taken first."""
    grown = np.empty(n, np.int64)
    grown[:k] = free[:k]
    for s in range(old, n):
        grown[k + n - 1 - s] = s
    return grown


@njit(cache=True)
def _grow_slots(c):
    old = c.placed.size
    n = old * 2
    placed, d_key, value, perfect, late_by = np.empty(n), np.empty(n, np.uint64), np.empty(n), \
        np.empty(n, np.bool_), np.empty(n)
    complete, accurate, invoice_ok, product_ok, u_claim = np.empty(n, np.bool_), np.empty(n, np.bool_), \
        np.empty(n, np.bool_), np.empty(n, np.bool_), np.empty(n)
    placed[:old], d_key[:old], value[:old], perfect[:old], late_by[:old] = \
        c.placed, c.d_key, c.value, c.perfect, c.late_by
    complete[:old], accurate[:old], invoice_ok[:old], product_ok[:old], u_claim[:old] = \
        c.complete, c.accurate, c.invoice_ok, c.product_ok, c.u_claim
    c.placed, c.d_key, c.value, c.perfect, c.late_by = placed, d_key, value, perfect, late_by
    c.complete, c.accurate, c.invoice_ok, c.product_ok, c.u_claim = complete, accurate, invoice_ok, product_ok, u_claim
    k = c.nfree[0]
    c.free = _grown_free(c.free, k, old, n)
    c.nfree[0] = k + n - old


@njit(cache=True)
def push_delivery(c, time, person, placed, key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok,
                  u_claim):
    """An order's delivery at ``time``, with what it needs (``Fulfilment._deliver``)."""
    if c.nfree[0] == 0:
        _grow_slots(c)
    k = c.nfree[0] - 1
    c.nfree[0] = k
    s = c.free[k]
    c.placed[s], c.d_key[s], c.value[s], c.perfect[s], c.late_by[s] = placed, key, value, perfect, late_by
    c.complete[s], c.accurate[s], c.invoice_ok[s], c.product_ok[s], c.u_claim[s] = (
        complete, accurate, invoice_ok, product_ok, u_claim)
    return _push(c, time, _I(DELIVERY), person, s)


# What a perfect delivery reads (the state's ``felt``), in this order: Satisfaction's sensitivity, learning
# rate, happy and unhappy thresholds and a perfect order's score; Loyalty's happy streak for an
# advocate and satisfaction an advocate needs; WordOfMouth's chance of telling an unhappy experience.
_FELT = range(8)
SENSITIVITY, LEARNING_RATE, HAPPY_AT, UNHAPPY_AT, PERFECT_SCORE, STREAK, ADVOCATE_MIN, P_TELL_UNHAPPY = _FELT
# What a telling reads (the state's ``tell_terms``), in this order: WordOfMouth's numbers told by a
# happy customer (least, most) and by an unhappy one, Joining's terms (1 − the deterrence per
# complaint remembered, the memory's half-life, the win-back fraction, the cool-off), WordOfMouth's
# chance that a customer told a complaint leaves, and 2.0 (telling_listeners' ``two``: read from
# memory so that the compiler, which may inline the call, cannot see it is a constant).
_TELL_TERMS = range(10)
HAPPY_LOW, HAPPY_HIGH, UNHAPPY_LOW, UNHAPPY_HIGH, KEEP, HALF_LIFE, WINBACK, COOLOFF, P_LEAVE, TWO = _TELL_TERMS
# What _respond returns for a telling done here whose k listeners, ``acted[:k]``, join (JOINED) or
# leave (LEFT), which Python then follows up (the outbox's ACT row, FOLLOW_UP).
JOINED, LEFT = 2, 3
# What a clock's bound reads besides people's columns and the levels' multipliers (the state's
# ``rates``): Customers' question rate, Attrition's bound of the time-based hazards before propensity.
QUESTION_RATE, BOUND_RATE = 0, 1
# The time-based hazards per day before propensity (the state's ``hazards``): Attrition's died,
# competition (before shocks), poor service at zero and at full satisfaction.
DIED, COMPETITION, SERVICE_ZERO, SERVICE_FULL = 0, 1, 2, 3
DONE = -1  # _respond: finished here, nothing to hand back


@njit(cache=True)
def _free(c, slot):
    k = c.nfree[0]
    c.free[k] = slot
    c.nfree[0] = k + 1


@njit(cache=True)
def _bound(c, person):
    """``Customers._bound``: the order rate at the customer's level, the question rate and the
    bound of their time-based hazards (``Attrition.hazard_bound``), summed in that order."""
    level = c.level[person]
    return (c.order_rate[person] * c.order_multiplier[level] + c.rates[QUESTION_RATE]
            + c.propensity[person] * c.level_propensity[level] * c.rates[BOUND_RATE])


@njit(cache=True)
def _move(c, person, level, now):
    """``Loyalty._move`` of a customer to ``level``, then ``Customers.level_changed``: if their
    clock's bound changed, the pending event stretched to it, keeping its slot (``_rescale``), or,
    with none pending (their own clock event being handled), the next drawn at once."""
    c.level_counts[c.level[person]] -= 1
    c.level_counts[level] += 1
    c.level[person] = level
    c.level_orders[person] = 0
    bound = _bound(c, person)
    old = c.clock_rate[person]
    if bound == old:
        return
    if c.pending[person] < 0 or old <= 0:
        schedule_clock(c, person, now, _bound(c, person))
        return
    c.clock_rate[person] = bound
    if bound <= 0:
        c.pending[person] = -1
        return
    push_clock(c, person, now + (c.due[person] - now) * old / bound)


@njit(cache=True)
def _fires(c, person, level, pick, now):
    """``Attrition.time_based``'s decision: whether a clock event whose pick fell in the
    attrition part of the bound (``pick`` uniform on [0, the hazards' bound)) is a cause that
    fires (the customer leaves: Python's to do) rather than a null event (thinning)."""
    propensity = c.propensity[person] * c.level_propensity[level]
    if propensity <= 0.0:
        return False
    pick /= propensity
    h = c.hazards
    if pick < h[DIED]:
        return True
    pick -= h[DIED]
    rate = h[COMPETITION]
    shocks = c.shocks
    if shocks.shape[0] > 0:  # competition_multiplier(now)
        multiplier = 1.0
        for i in range(shocks.shape[0]):
            if shocks[i, 0] <= now < shocks[i, 1]:
                multiplier *= shocks[i, 2]
        rate *= multiplier
    if pick < rate:
        return True
    pick -= rate
    s = c.satisfaction[person]
    return pick < h[SERVICE_ZERO] ** (1.0 - s) * h[SERVICE_FULL] ** s  # poor_service_rate(s)


@njit(cache=True)
def _tell(c, t, person, level, positive, key, u_count):
    """WordOfMouth.tell past its first draw (told, ``u_count`` the pair's second number), as its
    compiled branch and WordOfMouth._listen do it: how many, whom (compiled.telling_draws), the
    teller and the told counted, what the listeners do (compiled.telling_listeners), the
    prospects deterred counted. Returns how many listeners act (``acted[:k]``), which Python's
    joins or departures then follow."""
    f = c.tell_terms
    if positive:
        low, high = int(f[HAPPY_LOW]), int(f[HAPPY_HIGH])
    else:
        low, high = int(f[UNHAPPY_LOW]), int(f[UNHAPPY_HIGH])
    count = low + int(u_count * (high - low + 1))
    n = compiled.telling_draws(c.indptr, c.indices, c.network_size[0], person, count, key, c.told, c.decided)
    for i in range(n):  # the listeners' columns fetched ahead, all at once (_hint)
        listener = c.told[i]
        _hint(c.status, listener)
        _hint(c.left, listener)
        _hint(c.memory, listener)
        _hint(c.memory_day, listener)
    day = int(t)
    column = 0 if positive else 2  # WordOfMouth._count
    c.told_counts[day, column] += 1.0
    c.told_counts[day, column + 1] += n
    chance = c.conversion[level] if positive else 0.0
    k, deterred = compiled.telling_listeners(
        c.told, c.decided, n, positive, c.status, c.left, c.memory, c.memory_day, t, chance, f[KEEP],
        f[HALF_LIFE], f[WINBACK], f[COOLOFF], f[P_LEAVE], f[TWO], c.acted)
    if deterred:
        c.deterred[day, 0] += float(deterred)  # Joining.count_deterred
    return k


@njit(cache=True)
def _feel(c, person, score, about, bonus, lift):
    """``Satisfaction.feel``: an interaction scored ``score`` judged, service satisfaction moved
    (unless it is about the product); HAPPY, NEUTRAL or UNHAPPY."""
    f = c.felt
    value = 0.5 + f[SENSITIVITY] * (score - c.expectation[person]) + lift
    value = 0.0 if value < 0.0 else 1.0 if value > 1.0 else value
    if about == SERVICE:
        target = value + bonus
        target = target if target < 1.0 else 1.0
        s = c.satisfaction[person]
        c.satisfaction[person] = s + f[LEARNING_RATE] * (target - s)
    if value >= f[HAPPY_AT]:
        return HAPPY
    return NEUTRAL if value > f[UNHAPPY_AT] else UNHAPPY


@njit(cache=True)
def _respond(c, t, person, felt, key):
    """``Satisfaction.respond``: loyalty (``Loyalty.on_happy``, ``on_neutral``, ``on_unhappy``:
    the streak, a move up to advocate or a level down, :func:`_move`) and word of mouth
    (``WordOfMouth.tell``: its first draw, then :func:`_tell` if told — with the level as it is
    after any move) respond to an experience felt as ``felt``, of draw key ``key``. Returns
    (:data:`DONE`, 0), or (:data:`JOINED` or :data:`LEFT`, k) when k listeners of its telling
    act, which Python must follow up."""
    day = int(t)
    f = c.felt
    if felt == HAPPY:
        c.experiences[day, 0] += 1.0
        streak = c.happy_streak[person] + 1
        c.happy_streak[person] = streak
        level = c.level[person]
        if level == 2 and streak >= f[STREAK] and c.satisfaction[person] >= f[ADVOCATE_MIN]:
            _move(c, person, _I(3), t)  # an advocate now, who tells with an advocate's chance
            level = 3
        u_tell, u_count = compiled.uniform_pair(key, TELL)
        if u_tell < c.p_tell_happy[level]:
            k = _tell(c, t, person, level, np.bool_(True), key, u_count)
            if k:
                return JOINED, k
    elif felt == NEUTRAL:
        c.happy_streak[person] = 0
    else:
        c.experiences[day, 1] += 1.0
        c.happy_streak[person] = 0
        level = c.level[person]
        if level > 1:
            _move(c, person, level - 1, t)  # a level down (an unhappy telling reads no level)
        u_tell, u_count = compiled.uniform_pair(key, TELL)
        if u_tell < f[P_TELL_UNHAPPY]:
            k = _tell(c, t, person, level, np.bool_(False), key, u_count)
            if k:
                return LEFT, k
    return DONE, 0


@njit(cache=True)
def respond(c, now, person, felt, key):
    """:func:`_respond`, from Python (``Satisfaction.respond``)."""
    return _respond(c, now, person, felt, key)


@njit(cache=True)
def experience(c, now, person, score, key, about, bonus, lift):
    """``Satisfaction.experience``, from Python: :func:`_feel`, then :func:`_respond`; returns
    (felt, kind, k)."""
    felt = _feel(c, person, score, about, bonus, lift)
    kind, k = _respond(c, now, person, felt, key)
    return felt, kind, k


# ----------------------------------------------------------------------------------- the desk
#
# sim.model.desk's state machine, compiled: a contact is a slot (its ints in ``ci``, floats in
# ``cf``, keys in ``ck``), the queue and the urgent queue are rings of slots, the idle agents a
# stack, the agents called back (``Desk.off_duty``, a dict in insertion order) a number of
# their turn each; the desk's timers are kinds of event on this heap, each with the id a
# ``Later.at`` entry took, so they fall where they did. Desk (Python) stays the reference, run
# without the chain; tests/test_chain.py holds the two to the bit. Only what Python must do
# comes back (FOLLOW_UP): a telling's listeners who act, and a departure (``Attrition.churn``).
# The problem episodes are the contacts' too: an episode is its problem (key, when it arose, what
# about), which its contacts carry (``C_EPISODE``: whether a question has become one).

ARRIVE, ABANDON, HANDLED, AGAIN, WOKEN = 4, 5, 6, 7, 8  # the desk's timers (kinds of event on the heap)
# run hands back: the outbox (``out[:ds[N_OUT]]``) for Python to do, then the agent ds[RESUME] takes
# its next contact, or the delivery in slot ds[RESUME_SLOT] is finished (resume_delivery).
FOLLOW_UP = 9
# A contact's ints (ci), floats (cf) and keys (ck).
C_PERSON, C_KIND, C_ABOUT, C_ATTEMPT, C_DEFERRALS, C_REFS, C_EPISODE, C_ANSWERED, C_ABANDONED, C_DEFERRED = range(10)
C_OPENED, C_ARRIVED, C_WAIT, C_START = range(4)
C_PROBLEM, C_KEY = range(2)
# The desk's scalars (ds, Python's array): idle agents, on duty, employed (the staffing's peak),
# the next turn of a deferred contact and of an agent called back, the outbox's length, the agent
# to resume after a follow-up (-1: none), a delivery to finish after one (its slot, -1: none; its person).
N_IDLE, ON_DUTY, PEAK, DEFER_TURN, OFF_TURN, N_OUT, RESUME, RESUME_SLOT, RESUME_PERSON = range(9)
# An agent's ints (agent): whether running (employed, not let go), its turn if off duty (-1: not).
A_RUNNING, A_OFF = range(2)
# The outbox's rows: (ACT, joined, k): a telling's k listeners act; (CHURN, person, cause * 16 + path).
ACT, CHURN = 0, 1
# What the desk and a problem read (dp): the desk's own (Desk.refresh), Satisfaction's (scores),
# Episodes' (what is quick; P_VOICE + kind: the chance that a failed order, a disappointing product
# is voiced) and Fulfilment's (a failed order's score, the guarantee).
_DESK_PARAMS = range(30)
(P_DELAY_SHARE, P_TARGET_DAYS, P_WAIT_TOLERANCE, P_PRIORITY, P_PATIENCE, P_FIRST_RESOLUTION, P_LATER_RESOLUTION,
 P_MAX_CONTACTS, P_RETRY, P_RECONTACT_DAYS, P_PENALTY, P_RECOVERY_BONUS, P_QUICK_DAYS, P_W_RESPONSIVENESS,
 P_W_RELIABILITY, P_TANGIBLES, P_ANSWERED_TERMS, P_ANSWERED_TOTAL, P_FULFILMENT_TOTAL, P_PRODUCT_SCORE) = range(20)
P_VOICE = 20  # and 21
(P_LATE_TOLERANCE, P_INCOMPLETE, P_WRONG_ITEMS, P_INVOICE_ERROR, P_GUARANTEE, P_CLAIM, P_REFUND,
 P_BOOST) = range(22, 30)
# The opening hours (hours): start, end (fractions of a day), days a week, always open (1.0).
O_START, O_END, O_DAYS, O_ALWAYS = range(4)
PATIENCE_AT = 12  # dist: the handle times' distributions at 4 * kind, patience's here (compiled.encode)


@njit(cache=True)
def _grow_contacts(c):
    old = c.ci.shape[0]
    n = old * 2
    ci, cf, ck = np.empty((n, c.ci.shape[1]), np.int64), np.empty((n, c.cf.shape[1])), \
        np.empty((n, c.ck.shape[1]), np.uint64)
    ci[:old], cf[:old], ck[:old] = c.ci, c.cf, c.ck
    c.ci, c.cf, c.ck = ci, cf, ck
    k = c.cnfree[0]
    c.cfree = _grown_free(c.cfree, k, old, n)
    c.cnfree[0] = k + n - old


@njit(cache=True)
def _new_contact(c, person, kind, about, attempt, opened, problem, key, episode):
    """A contact (``desk.Contact``) in a free slot, held by nothing yet."""
    if c.cnfree[0] == 0:
        _grow_contacts(c)
    k = c.cnfree[0] - 1
    c.cnfree[0] = k
    s = c.cfree[k]
    ci = c.ci
    ci[s, C_PERSON], ci[s, C_KIND], ci[s, C_ABOUT], ci[s, C_ATTEMPT] = person, kind, about, attempt
    ci[s, C_DEFERRALS], ci[s, C_REFS], ci[s, C_EPISODE], ci[s, C_ANSWERED], ci[s, C_ABANDONED] = 0, 0, episode, 0, 0
    ci[s, C_DEFERRED] = -1
    c.cf[s, C_OPENED], c.cf[s, C_ARRIVED], c.cf[s, C_WAIT], c.cf[s, C_START] = opened, 0.0, 0.0, 0.0
    c.ck[s, C_PROBLEM], c.ck[s, C_KEY] = problem, key
    return s


@njit(cache=True)
def _settle(c, s):
    """The slot freed if nothing holds it (a queue, an event of the heap)."""
    if c.ci[s, C_REFS] == 0:
        k = c.cnfree[0]
        c.cfree[k] = s
        c.cnfree[0] = k + 1


@njit(cache=True)
def _release(c, s):
    """One holder of the contact lets go of it."""
    c.ci[s, C_REFS] -= 1
    _settle(c, s)


@njit(cache=True)
def _hold(c, time, kind, a, s):
    """The desk's timer ``kind`` at ``time`` for contact ``s`` (``a``: what else it carries)."""
    c.ci[s, C_REFS] += 1
    _push(c, time, kind, a, s)


@njit(cache=True)
def _append(c, q, s):
    """Contact ``s`` joins the back of ring ``q`` (0 the queue, 1 the urgent one)."""
    rs = c.rs
    n = rs[2 * q + 1]
    cap = c.rings.shape[1]
    if n == cap:
        rings = np.empty((2, 2 * cap), np.int64)
        for r in range(2):
            head, m = rs[2 * r], rs[2 * r + 1]
            for i in range(m):
                rings[r, i] = c.rings[r, (head + i) % cap]
            rs[2 * r] = 0
        c.rings = rings
        cap *= 2
    c.rings[q, (rs[2 * q] + n) % cap] = s
    rs[2 * q + 1] = n + 1
    c.ci[s, C_REFS] += 1


@njit(cache=True)
def _next(c):
    """``Desk._next``: the first waiting contact not abandoned, urgent first (-1: none); the
    ring's hold on it passes to the caller."""
    rs = c.rs
    for q in (1, 0):
        while rs[2 * q + 1] > 0:
            head = rs[2 * q]
            s = c.rings[q, head]
            rs[2 * q] = (head + 1) % c.rings.shape[1]
            rs[2 * q + 1] -= 1
            if c.ci[s, C_ABANDONED] == 0:
                return s
            _release(c, s)
    return -1


@njit(cache=True)
def _current(c, s):
    """``Desk._current``: the contact's customer still a customer, in the same spell."""
    person = c.ci[s, C_PERSON]
    return c.status[person] == CUSTOMER and c.joined[person] <= c.cf[s, C_OPENED]


@njit(cache=True)
def _is_open(h, t):
    """``OpeningHours.is_open``."""
    if h[O_ALWAYS] != 0.0:
        return True
    day = int(t)
    return day % 7 < h[O_DAYS] and h[O_START] - EPS <= t - day < h[O_END]


@njit(cache=True)
def _opening_after(h, t):
    """``OpeningHours.opening_after``."""
    day = int(t)
    if day % 7 < h[O_DAYS] and t - day < h[O_START]:
        return day + h[O_START]
    day += 1
    while day % 7 >= h[O_DAYS]:
        day += 1
    return day + h[O_START]


@njit(cache=True)
def _time_of_day(c, u):
    """``ArrivalProfile.time_of_day``."""
    cum, pieces = c.cum, c.pieces
    x = u * cum[cum.size - 1]
    lo, hi = 0, cum.size  # bisect_right(cum, x)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < cum[mid]:
            hi = mid
        else:
            lo = mid + 1
    i = min(lo - 1, pieces.shape[0] - 1)
    while pieces[i, 2] == 0.0:
        i -= 1
    v = (x - cum[i]) / pieces[i, 2]
    if pieces[i, 1] < v:
        v = pieces[i, 1]
    return pieces[i, 0] + v


@njit(cache=True)
def _later_today(c, frac, u):
    """``ArrivalProfile.later_today``: (found, time of day)."""
    p = c.pieces
    total = 0.0
    for i in range(p.shape[0]):
        lo, length, weight = p[i, 0], p[i, 1], p[i, 2]
        hi = lo + length
        if hi > frac and weight > 0:
            a = frac if frac > lo else lo
            total += (hi - a) * weight
    if total <= 0:
        return False, 0.0
    x = u * total
    a, mass, weight = 0.0, 0.0, 1.0
    for i in range(p.shape[0]):
        lo, length, weight_i = p[i, 0], p[i, 1], p[i, 2]
        hi = lo + length
        if hi > frac and weight_i > 0:
            a = frac if frac > lo else lo
            mass, weight = (hi - a) * weight_i, weight_i
            if x < mass:
                return True, a + x / weight
            x -= mass
    return True, a + mass / weight * (1 - 1e-12)


@njit(cache=True)
def _contact(c, now, s):
    """``Desk.contact``: the contact reaches the desk now, later in today's opening, or in the next."""
    key = c.ck[s, C_KEY]
    h = c.hours
    if _is_open(h, now):
        share = c.dp[P_DELAY_SHARE]
        if share == 0.0 or compiled.uniform(key, DELAY_WHILE_OPEN) >= share:
            _arrive(c, now, s)
            return
        day = int(now)
        found, later = _later_today(c, now - day, compiled.uniform(key, DEFER))
        if not found:
            _arrive(c, now, s)
            return
        delay = day + later - now
    else:
        opening = _opening_after(h, now)
        day = int(opening + EPS)
        delay = day + _time_of_day(c, compiled.uniform(key, DEFER)) - now
    delay = delay if delay > 0.0 else 0.0  # max(0.0, delay)
    deferrals = c.ci[s, C_DEFERRALS] + 1
    c.ci[s, C_DEFERRALS] = deferrals
    c.ci[s, C_DEFERRED] = c.ds[DEFER_TURN]
    c.ds[DEFER_TURN] += 1
    _hold(c, now + delay, _I(ARRIVE), deferrals, s)


@njit(cache=True)
def _arrive(c, now, s):
    """``Desk._arrive``."""
    if not _current(c, s):
        return
    day = int(now)
    kind = c.ci[s, C_KIND]
    c.desk_daily[day, D_CONTACTS] += 1.0
    c.desk_daily[day, D_BY_KIND + kind] += 1.0
    c.cf[s, C_ARRIVED] = now
    c.desk_hourly[int(now * HOURS_PER_DAY), H_OFFERED] += 1.0
    priority = c.dp[P_PRIORITY] != 0.0
    _append(c, 1 if priority and kind == PRODUCT_PROBLEM else 0, s)
    ds = c.ds
    if ds[N_IDLE] > 0:
        n = ds[N_IDLE] - 1
        ds[N_IDLE] = n
        index = c.idle[n]
        if priority:
            _push(c, now, _I(WOKEN), index, _I(-1))  # Desk._wake
        else:
            _take_next(c, now, index)
    elif c.dp[P_PATIENCE] != 0.0:
        patience = compiled.sample(c.dist, PATIENCE_AT, c.ck[s, C_KEY], PATIENCE)
        _hold(c, now + patience / MINUTES_PER_DAY, _I(ABANDON), c.ci[s, C_PERSON], s)


@njit(cache=True)
def _take_next(c, now, index):
    """``Desk._take_next``: the agent is free — off duty (or let go), idle, or answering the next contact."""
    ds = c.ds
    if index >= ds[ON_DUTY]:
        if index >= ds[PEAK]:
            c.agent[index, A_RUNNING] = 0  # no longer employed
            return
        if (c.rs[1] > 0 or c.rs[3] > 0) and ds[N_IDLE] > 0:
            n = ds[N_IDLE] - 1
            ds[N_IDLE] = n
            _push(c, now, _I(WOKEN), c.idle[n], _I(-1))  # woken for a contact as the shift ended
        if c.agent[index, A_OFF] < 0:  # off duty, called back in its turn
            c.agent[index, A_OFF] = ds[OFF_TURN]
            ds[OFF_TURN] += 1
        return
    s = _next(c)
    if s < 0:
        c.idle[ds[N_IDLE]] = index
        ds[N_IDLE] += 1
        return
    c.ci[s, C_ANSWERED] = 1
    wait = now - c.cf[s, C_ARRIVED]
    key = c.ck[s, C_KEY]
    handle = compiled.sample(c.dist, 4 * c.ci[s, C_KIND], key, HANDLE)
    # Desk._answered
    day = int(now)
    minutes = wait * MINUTES_PER_DAY
    d, hourly = c.desk_daily, c.desk_hourly
    d[day, D_ANSWERED] += 1.0
    d[day, D_WAIT_MINUTES] += minutes
    d[day, D_BUSY_HOURS] += handle / 60.0
    hour = int(c.cf[s, C_ARRIVED] * HOURS_PER_DAY)
    hourly[hour, H_ANSWERED] += 1.0
    hourly[hour, H_WAIT_MINUTES] += minutes
    if wait > 0:
        d[day, D_WAITED] += 1.0
        hourly[hour, H_WAITED] += 1.0
    if wait <= c.dp[P_TARGET_DAYS]:
        d[day, D_WITHIN_TARGET] += 1.0
    c.cf[s, C_WAIT], c.cf[s, C_START] = wait, now
    _hold(c, now + handle / MINUTES_PER_DAY, _I(HANDLED), index, s)
    _release(c, s)  # the ring's hold


@njit(cache=True)
def _score(dp, responsiveness, resolved, answered):
    """``Satisfaction.contact_score``."""
    num = dp[P_W_RESPONSIVENESS] * responsiveness + dp[P_W_RELIABILITY] * (1.0 if resolved else 0.0)
    num += dp[P_TANGIBLES]
    if answered:
        num += dp[P_ANSWERED_TERMS]
        den = dp[P_ANSWERED_TOTAL]
    else:
        den = dp[P_FULFILMENT_TOTAL]
    return num / den if den > 0 else 0.0


@njit(cache=True)
def _out(c, what, a, b):
    """A row of the outbox, for Python to do in order (FOLLOW_UP)."""
    n = c.ds[N_OUT]
    c.out[n, 0], c.out[n, 1], c.out[n, 2] = what, a, b
    c.ds[N_OUT] = n + 1


@njit(cache=True)
def _told(c, kind, k):
    if k:
        _out(c, _I(ACT), _I(1 if kind == JOINED else 0), _I(k))


@njit(cache=True)
def _failed_question(c, now, s):
    """``Desk._failed_question`` → ``Episodes.failed_question``: the contact's problem is an episode now."""
    day = int(now)
    c.episode_counts[day, E_EPISODES] += 1.0
    c.episode_counts[day, E_COMPLAINTS] += 1.0
    c.ci[s, C_EPISODE] = 1


@njit(cache=True)
def _close_episode(c, now, person, opened, key, about, outcome, felt, u_leave):
    """``Episodes.close``: word of mouth and loyalty respond, then the one leave decision (a
    departure is Python's: the outbox). ``u_leave``: half 1 of the pair at ``VOICE_LEAVE``."""
    if c.status[person] != CUSTOMER or c.joined[person] > opened:
        return
    day = int(now)
    c.episode_counts[day, E_OUTCOME + outcome] += 1.0
    kind, k = _respond(c, now, person, felt, key)
    _told(c, kind, k)
    if c.status[person] != CUSTOMER:
        return
    if u_leave < c.leave[outcome]:
        _out(c, _I(CHURN), _I(person), _I(about * 16 + outcome))
    else:
        c.episode_counts[day, E_STAYED + outcome] += 1.0


@njit(cache=True)
def _open(c, now, person, kind, about, key, felt):
    """``Episodes.open``: a failed order or a disappointing product, now — voiced, its first contact
    to the desk; silent, closed at once."""
    day = int(now)
    c.episode_counts[day, E_EPISODES] += 1.0
    u_voice, u_leave = compiled.uniform_pair(key, VOICE_LEAVE)
    if u_voice >= c.dp[P_VOICE + kind]:
        _close_episode(c, now, person, now, key, about, _I(EPISODE_SILENT), felt, u_leave)
        return
    c.episode_counts[day, E_COMPLAINTS] += 1.0
    _first_contact(c, now, person, ORDER_PROBLEM if kind == FAILED_ORDER else PRODUCT_PROBLEM, about, now, key,
                   compiled.child(key, 1), _I(1))


@njit(cache=True)
def _product(c, now, person, slot):
    """The rest of ``Fulfilment.deliver``: a disappointing product, if the customer still is one."""
    if c.status[person] == CUSTOMER:
        felt = _feel(c, person, c.dp[P_PRODUCT_SCORE], _I(PRODUCT), 0.0, 0.0)
        _open(c, now, person, _I(DISAPPOINTING_PRODUCT), _I(PRODUCT), compiled.child(c.d_key[slot], PRODUCT_PROBLEM_TAG), _I(felt))


@njit(cache=True)
def _close(c, now, s, outcome, felt):
    """The episode of contact ``s`` (its problem's key, when it arose, what about) closed."""
    key = c.ck[s, C_PROBLEM]
    _close_episode(c, now, c.ci[s, C_PERSON], c.cf[s, C_OPENED], key, c.ci[s, C_ABOUT], outcome, felt,
                   compiled.uniform_pair(key, VOICE_LEAVE)[1])


@njit(cache=True)
def _retry_later(c, now, s):
    """``Desk._retry_later``."""
    delay = -math.log1p(-compiled.uniform(c.ck[s, C_KEY], RECONTACT)) * c.dp[P_RECONTACT_DAYS]
    _hold(c, now + delay, _I(AGAIN), c.ci[s, C_PERSON], s)


@njit(cache=True)
def _lose(c, person, amount):
    """``Satisfaction.lose``."""
    v = c.satisfaction[person] - amount
    c.satisfaction[person] = v if v > 0.0 else 0.0


@njit(cache=True)
def _finish(c, now, s):
    """``Desk._finish``: the answered contact's outcome."""
    dp = c.dp
    attempt = c.ci[s, C_ATTEMPT]
    first = attempt == 1
    key = c.ck[s, C_KEY]
    resolved = compiled.uniform(key, RESOLVED) < (dp[P_FIRST_RESOLUTION] if first else dp[P_LATER_RESOLUTION])
    day = int(now)
    d = c.desk_daily
    opened = c.cf[s, C_OPENED]
    if resolved:
        d[day, D_RESOLVED] += 1.0
        d[day, D_RESOLUTION_HOURS] += (now - opened) * HOURS_PER_DAY
    if first:
        d[day, D_FIRST_ANSWERED] += 1.0
        d[day, D_FIRST_RESOLVED] += 1.0 if resolved else 0.0
    if not _current(c, s):
        return
    person = c.ci[s, C_PERSON]
    responsiveness = 1.0 / (1.0 + c.cf[s, C_WAIT] * MINUTES_PER_DAY / dp[P_WAIT_TOLERANCE])
    score = _score(dp, responsiveness, resolved, np.bool_(True))
    if resolved:
        if c.ci[s, C_EPISODE] == 0:  # a question answered: an experience, not a problem
            felt = _feel(c, person, score, _I(SERVICE), 0.0, 0.0)
            kind, k = _respond(c, now, person, felt, compiled.child(key, EXPERIENCE))
            _told(c, kind, k)
            return
        quick = now - opened <= dp[P_QUICK_DAYS]
        felt = _feel(c, person, score, _I(SERVICE), dp[P_RECOVERY_BONUS] if quick else 0.0, 0.0)
        _close(c, now, s, _I(EPISODE_RESOLVED_QUICKLY if quick else EPISODE_RESOLVED), _I(felt))
        return
    _lose(c, person, dp[P_PENALTY])
    _feel(c, person, score, _I(SERVICE), 0.0, 0.0)
    if c.ci[s, C_EPISODE] == 0:
        _failed_question(c, now, s)
    if attempt < dp[P_MAX_CONTACTS]:
        _retry_later(c, now, s)
    else:
        _close(c, now, s, _I(EPISODE_UNRESOLVED), _I(UNHAPPY))


@njit(cache=True)
def _abandon(c, now, s):
    """``Desk._abandon``: patience ran out, unless answered meanwhile."""
    if c.ci[s, C_ANSWERED]:
        return
    c.ci[s, C_ABANDONED] = 1
    day = int(now)  # Desk._abandoned
    arrived = c.cf[s, C_ARRIVED]
    minutes = (now - arrived) * MINUTES_PER_DAY
    c.desk_daily[day, D_ABANDONED] += 1.0
    c.desk_daily[day, D_ABANDONED_WAIT_MINUTES] += minutes
    hour = int(arrived * HOURS_PER_DAY)
    c.desk_hourly[hour, H_ABANDONED] += 1.0
    c.desk_hourly[hour, H_WAITED] += 1.0
    c.desk_hourly[hour, H_WAIT_MINUTES] += minutes
    if not _current(c, s):
        return
    dp = c.dp
    _feel(c, c.ci[s, C_PERSON], _score(dp, 0.0, np.bool_(False), np.bool_(False)), _I(SERVICE), 0.0, 0.0)
    if c.ci[s, C_EPISODE] == 0:
        _failed_question(c, now, s)
    if c.ci[s, C_ATTEMPT] < dp[P_MAX_CONTACTS] and compiled.uniform(c.ck[s, C_KEY], RETRY) < dp[P_RETRY]:
        _retry_later(c, now, s)
    else:
        _close(c, now, s, _I(EPISODE_UNRESOLVED), _I(UNHAPPY))


@njit(cache=True)
def _again(c, now, s):
    """``Desk._again``: the same problem, another try."""
    if not _current(c, s):
        return
    attempt = c.ci[s, C_ATTEMPT] + 1
    problem = c.ck[s, C_PROBLEM]
    n = _new_contact(c, c.ci[s, C_PERSON], c.ci[s, C_KIND], c.ci[s, C_ABOUT], attempt, c.cf[s, C_OPENED], problem,
                     compiled.child(problem, attempt), c.ci[s, C_EPISODE])
    _contact(c, now, n)
    _settle(c, n)


@njit(cache=True)
def _desk_event(c, t, kind, a, s):
    """One of the desk's timers; True if Python has to follow up (the outbox, then maybe an agent's next)."""
    if kind == WOKEN:
        _take_next(c, t, a)
        return False
    if kind == HANDLED:  # Desk._done: any overtime, the outcome, what next
        off = c.off_since[a]
        if off < t:
            start = c.cf[s, C_START]
            c.desk_daily[int(t), D_OVERTIME] += (t - (off if off > start else start)) * HOURS_PER_DAY
        _finish(c, t, s)
        _release(c, s)
        if c.ds[N_OUT] > 0:
            c.ds[RESUME] = a
            return True
        _take_next(c, t, a)
        return False
    if kind == ARRIVE:
        if a == c.ci[s, C_DEFERRALS]:  # else timed again since, under new opening hours
            c.ci[s, C_DEFERRED] = -1
            _arrive(c, t, s)
    elif kind == ABANDON:
        _abandon(c, t, s)
    else:
        _again(c, t, s)
    _release(c, s)
    return c.ds[N_OUT] > 0


@njit(cache=True)
def _first_contact(c, now, person, kind, about, opened, problem, key, episode):
    """A first contact (``Desk.question``, ``order_problem``, ``product_problem`` → ``Desk.contact``)."""
    s = _new_contact(c, person, kind, about, _I(1), opened, problem, key, episode)
    _contact(c, now, s)
    _settle(c, s)


@njit(cache=True)
def resume(c, now, index):
    """``Desk._take_next`` of agent ``index`` (called in, or after a follow-up)."""
    _take_next(c, now, index)
    return 0


@njit(cache=True)
def staff(c, now, agents):
    """``Desk._staff``'s first part: the agents off duty from now noted, ``agents`` on duty; returns
    those to call in (not running), in order, now running."""
    for index in range(agents, c.ds[ON_DUTY]):
        c.off_since[index] = now
    for index in range(agents):
        c.off_since[index] = np.inf
    c.ds[ON_DUTY] = agents
    calls = np.empty(agents, np.int64)
    n = 0
    for index in range(agents):
        if c.agent[index, A_RUNNING] == 0:
            c.agent[index, A_RUNNING] = 1
            calls[n] = index
            n += 1
    return calls[:n]


@njit(cache=True)
def staffed(c, now, agents):
    """``Desk._staff``'s last part: the agents off duty called in (or let go), in their turn; the
    idle agents beyond ``agents`` woken (to go off duty)."""
    peak = c.ds[PEAK]
    while True:  # the off-duty agents to call, by turn
        first, turn = -1, 0
        for index in range(c.agent.shape[0]):
            t = c.agent[index, A_OFF]
            if t >= 0 and (index < agents or index >= peak) and (first < 0 or t < turn):
                first, turn = index, t
        if first < 0:
            break
        c.agent[first, A_OFF] = -1
        _push(c, now, _I(WOKEN), first, _I(-1))
    n = c.ds[N_IDLE]
    woken = np.empty(n, np.int64)
    kept, w = 0, 0
    for i in range(n):
        index = c.idle[i]
        if index >= agents:
            woken[w] = index
            w += 1
        else:
            c.idle[kept] = index
            kept += 1
    c.ds[N_IDLE] = kept
    for i in range(w):
        _push(c, now, _I(WOKEN), woken[i], _I(-1))
    return 0


@njit(cache=True)
def retime(c, now):
    """``Desk._retime_deferred``: the contacts put off, in their order, timed again now."""
    n = 0
    for s in range(c.ci.shape[0]):
        if c.ci[s, C_REFS] > 0 and c.ci[s, C_DEFERRED] >= 0:
            n += 1
    slots, turns = np.empty(n, np.int64), np.empty(n, np.int64)
    n = 0
    for s in range(c.ci.shape[0]):
        if c.ci[s, C_REFS] > 0 and c.ci[s, C_DEFERRED] >= 0:
            slots[n], turns[n] = s, c.ci[s, C_DEFERRED]
            c.ci[s, C_DEFERRED] = -1
            n += 1
    for i in np.argsort(turns):
        s = slots[i]
        c.ci[s, C_DEFERRALS] += 1  # its earlier time is void
        _contact(c, now, s)
    return 0


@njit(cache=True)
def set_desk(c, dp, dist, hours, pieces, cum, leave, peak):
    """After a change of scenario (or at the start): what the desk reads (:data:`P_DELAY_SHARE` …),
    the handle times' and patience's distributions, the opening hours, the arrival profile's
    pieces and their cumulated weights, the episodes' chances of leaving by outcome, the agents
    employed."""
    c.dp, c.dist, c.hours, c.pieces, c.cum, c.leave = dp, dist, hours, pieces, cum, leave
    c.ds[PEAK] = peak
    old = c.agent.shape[0]
    if peak > old:
        agent, off_since, idle = np.empty((peak, 2), np.int64), np.empty(peak), np.empty(peak, np.int64)
        agent[:old], off_since[:old], idle[:old] = c.agent, c.off_since, c.idle
        agent[old:, A_RUNNING], agent[old:, A_OFF], off_since[old:] = 0, -1, np.inf
        c.agent, c.off_since, c.idle = agent, off_since, idle
    return 0


# ------------------------------------------------------------------------------- a delivery


@njit(cache=True)
def _delivered(c, t, person, slot):
    """``Fulfilment.deliver``: a perfect order felt and responded to (:func:`_feel`,
    :func:`_respond`: satisfaction moved, the experience counted, loyalty, the telling if it is
    told); a failed one scored — lateness, what went wrong, the guarantee paid and its lift — felt,
    and its episode opened (:func:`_open`); then a disappointing product's episode. A delivery of
    someone no longer a customer, or of an earlier spell, is dropped. Returns True if Python has to
    follow up (the outbox), and then, if the product disappointed, the rest of it
    (``ds[RESUME_SLOT]``: :func:`resume_delivery`), as it came after in Python."""
    if c.status[person] != CUSTOMER or c.joined[person] > c.placed[slot]:
        _free(c, slot)
        return False
    key = c.d_key[slot]
    dp = c.dp
    if c.perfect[slot]:
        felt = _feel(c, person, c.felt[PERFECT_SCORE], _I(SERVICE), 0.0, 0.0)
        kind, k = _respond(c, t, person, felt, compiled.child(key, DELIVERY_TAG))  # the experience's key
        _told(c, kind, k)
    else:  # a problem: the customer voices it or not, and decides at its end
        late = 1.0 - c.late_by[slot] / dp[P_LATE_TOLERANCE]
        responsiveness = late if late > 0.0 else 0.0  # max(0.0, late)
        reliability = 1.0
        if not c.complete[slot]:
            reliability -= dp[P_INCOMPLETE]
        if not c.accurate[slot]:
            reliability -= dp[P_WRONG_ITEMS]
        if not c.invoice_ok[slot]:
            reliability -= dp[P_INVOICE_ERROR]
        reliability = reliability if reliability > 0.0 else 0.0
        lift = 0.0
        if dp[P_GUARANTEE] != 0.0 and c.u_claim[slot] < dp[P_CLAIM]:
            c.payout[int(t), 0] += dp[P_REFUND] * c.value[slot]
            lift = dp[P_BOOST]
        total = dp[P_FULFILMENT_TOTAL]  # Satisfaction.fulfilment_score
        if total <= 0:
            score = reliability
        else:
            score = (dp[P_W_RESPONSIVENESS] * responsiveness + dp[P_W_RELIABILITY] * reliability
                     + dp[P_TANGIBLES]) / total
        felt = _feel(c, person, score, _I(SERVICE), 0.0, lift)
        _open(c, t, person, _I(FAILED_ORDER), _I(SERVICE), compiled.child(key, ORDER_PROBLEM_TAG), _I(felt))
    if not c.product_ok[slot]:
        if c.ds[N_OUT] > 0:
            c.ds[RESUME_SLOT], c.ds[RESUME_PERSON] = slot, person
            return True
        _product(c, t, person, slot)
    _free(c, slot)
    return c.ds[N_OUT] > 0


@njit(cache=True)
def resume_delivery(c, now, person, slot):
    """The rest of a delivery after Python's follow-up (:func:`_delivered`): its disappointing
    product; returns the outbox's length (Python follows up again if not 0)."""
    _product(c, now, person, slot)
    _free(c, slot)
    return c.ds[N_OUT]


@njit(cache=True)
def run(c, limit_time, limit_priority, limit_id, budget):
    """Step the events due before (``limit_time``, ``limit_priority``, ``limit_id``) — the first
    event of the other heaps — finishing repeat orders, questions, null clock events and the
    desk's events (at most ``budget`` of them together) and deliveries here.
    Returns (:data:`CLOCK`, time, id, person, slot) of a clock event whose cause of leaving fires
    (removed from the heap); or (:data:`FOLLOW_UP`, time, id, -1, -1) after an event that left
    Python something to do (the outbox); or kind ``NOTHING`` if none is due before the limit,
    ``STEPPED`` if the budget ran out."""
    while c.size[0] > 0:
        h = c.heap
        t = h[0, H_TIME]
        eid = np.int64(h[0, H_ID])
        if t > limit_time or (t == limit_time and (NORMAL > limit_priority or (NORMAL == limit_priority
                                                                              and eid > limit_id))):
            break
        kind, slot = _kind_slot(h[0, H_CODE])
        person = np.int64(h[0, H_PERSON])
        _pop(c)
        _fetch_next(c)
        if kind >= ARRIVE:  # one of the desk's timers
            if _desk_event(c, t, kind, person, slot):
                return FOLLOW_UP, t, eid, -1, -1
            budget -= 1
            if budget <= 0:
                return STEPPED, t, -1, -1, -1
            continue
        if kind != CLOCK:  # a delivery
            if _delivered(c, t, person, slot):
                return FOLLOW_UP, t, eid, -1, -1
            continue
        if c.status[person] != CUSTOMER or c.pending[person] != eid:
            continue  # void: as Customers._on_clock drops it
        level = c.level[person]
        pick = c.pick[person] * c.clock_rate[person]
        rate = c.order_rate[person] * c.order_multiplier[level]
        if not (pick < rate):
            pick -= rate
            question_rate = c.rates[QUESTION_RATE]
            if pick < question_rate:
                # A question (Customers.clock_event → Desk.question: the contact of this clock
                # event's key, on the desk here), then the next.
                c.pending[person] = -1
                key = compiled.child(c.key[person], QUESTION_TAGS + c.clock_events[person] - 1)
                _first_contact(c, t, person, _I(QUESTION), _I(SERVICE), t, key, compiled.child(key, 1), _I(0))
            elif _fires(c, person, level, pick - question_rate, t):
                return kind, t, eid, person, slot  # a cause of leaving that fires
            else:  # a null event (Customers.clock_event → Attrition.time_based: nothing), then the next
                c.pending[person] = -1
            schedule_clock(c, person, t, c.clock_rate[person])
            budget -= 1
            if budget <= 0:
                return STEPPED, t, -1, -1, -1
            continue
        # A repeat order, as Customers._on_clock → Fulfilment.place_order → Loyalty.on_order, then
        # the next clock event as Customers._schedule_at: the delivery's id before the clock's,
        # unless the order makes a repeat customer whose bound changes (_move draws it first).
        c.pending[person] = -1
        n = c.orders[person]
        key, value, perfect, late_by, complete, accurate, invoice_ok, product_ok, u_claim, lead = (
            compiled.order_counted(c.key[person], ORDER_TAGS + n, c.params, level, int(t), 0, c.counted))
        c.orders[person] = n + 1
        c.revenue[person] += value
        if level == 1:
            orders = c.level_orders[person] + 1
            c.level_orders[person] = orders
            if orders >= c.orders_for_repeat[0]:
                _move(c, person, _I(2), t)
        push_delivery(c, t + lead, person, t, key, value, perfect, late_by, complete, accurate, invoice_ok,
                      product_ok, u_claim)
        if c.pending[person] < 0:
            schedule_clock(c, person, t, c.clock_rate[person])
        budget -= 1
        if budget <= 0:
            return STEPPED, t, -1, -1, -1
    return NOTHING, 0.0, -1, -1, -1


@njit(cache=True)
def head_time(c):
    """The time of the first event on the heap (inf if none)."""
    return c.heap[0, H_TIME] if c.size[0] > 0 else np.inf


@njit(cache=True)
def waiting(c):
    """Events on the heap and in the far buckets (void ones included: each took its id)."""
    return c.size[0] + c.fsize.sum()


class Kernels:
    """The kernels' compiled entry points (past numba's dispatcher, ~90 ns a call less), each
    compiled — or loaded from numba's cache — by a first call on a small state of the very
    types a model's has (:func:`toy_state`), so that nothing of a model's is touched."""

    def __init__(self) -> None:
        c = toy_state()
        set_parameters(c, np.zeros(compiled.ORDER_PARAMS), np.ones(4), 2, np.zeros(len(_FELT)), np.zeros(4),
                       np.zeros(4), np.zeros(len(_TELL_TERMS)), np.zeros(1, np.int64), np.zeros(1), np.zeros(1, np.int64),
                       np.ones(4), np.zeros(2), np.zeros(4), np.zeros((0, 3)))
        take_id(c)
        peek_id(c)
        push_clock(c, 0, 1.0)
        schedule_clock(c, 1, 0.0, 0.0)
        push_delivery(c, 2.0, 1, 0.0, np.uint64(1), 1.0, True, 0.0, True, True, True, True, 0.5)
        run(c, 0.5, NORMAL, 0, 1)
        respond(c, 0.0, 0, NEUTRAL, np.uint64(0))
        experience(c, 0.0, 0, 0.5, np.uint64(0), _I(SERVICE), 0.0, 0.0)
        resume_delivery(c, 0.0, 0, 0)  # (person 0 is no customer: the slot of the delivery above freed)
        set_desk(c, np.zeros(len(_DESK_PARAMS)), np.zeros(16), np.array([0.0, 1.0, 7.0, 1.0]),
                 np.array([[0.0, 1.0, 1.0]]), np.array([0.0, 1.0]), np.zeros(4), 1)
        staff(c, 0.0, 1)
        staffed(c, 0.0, 1)
        resume(c, 0.0, 0)
        retime(c, 0.0)
        head_time(c)
        waiting(c)
        d = compiled.direct
        self.set_parameters, self.take_id, self.peek_id = d(set_parameters), d(take_id), d(peek_id)
        self.push_clock, self.schedule_clock, self.push_delivery = d(push_clock), d(schedule_clock), d(push_delivery)
        self.run, self.head_time, self.waiting = d(run), d(head_time), d(waiting)
        self.respond, self.experience = d(respond), d(experience)
        self.set_desk, self.staff, self.staffed, self.resume = d(set_desk), d(staff), d(staffed), d(resume)
        self.retime, self.resume_delivery = d(retime), d(resume_delivery)


def toy_state(people: int = 4, ids: int = 0, status: np.ndarray | None = None, pick: float = 0.0) -> ChainState:
    """A state for ``people`` people of the very types a model's has (for compiling the kernels, and
    for tests): nobody a customer unless ``status`` says so, every pick ``pick``, nobody with a tie;
    a clock's bound of 1 a day, all of it the hazard of dying (a clock event that is not an order is
    a departure, handed back)."""
    n = people
    telling = (np.zeros(4), np.zeros(len(_TELL_TERMS)), np.zeros(1, np.int64), np.zeros(1), np.zeros(1, np.int64))
    return _state(np.zeros(n, np.int8) if status is None else status, np.ones(n, np.int8), np.zeros(n), np.ones(n),
                  np.zeros(n, np.uint64), np.zeros(n, np.int32), np.zeros(n, np.int32), np.zeros(n),
                  np.zeros(n, np.int32), np.zeros(n), np.full(n, pick), np.full(n, -1, np.int64),
                  np.zeros(compiled.ORDER_PARAMS), np.zeros((2, len(compiled.ORDER_COUNTERS))), np.ones(4), 2, ids,
                  np.zeros(n), np.zeros(n), np.zeros(n, np.int32), np.zeros(n), np.zeros((2, 2)), np.zeros(len(_FELT)),
                  np.zeros(4), np.zeros(n + 1, np.int64), np.zeros(0, np.int32), n, np.zeros(n), np.zeros(n),
                  np.zeros(n), telling, np.zeros((2, 4)), np.zeros((2, 1)), np.zeros(4, np.int64), np.ones(n),
                  np.ones(4), np.array([0.0, 1.0]), np.array([1.0, 0.0, 0.0, 0.0]), np.zeros((0, 3)), desk_arrays(2))


def desk_arrays(days: int) -> tuple[np.ndarray, ...]:
    """The desk's arrays Python owns, for a toy state of ``days`` days: its scalars (``ds``), the
    outbox, its daily and hourly counters, the episodes' counters, the guarantee's payouts."""
    return (new_scalars(), np.zeros((4, 3), np.int64), np.zeros((days, len(DESK_COUNTERS))),
            np.zeros((24 * days, len(HOURLY))), np.zeros((days, len(EPISODE_COUNTERS))), np.zeros((days, 1)))


def new_scalars() -> np.ndarray:
    """The desk's scalars (:data:`N_IDLE` …) at the start."""
    ds = np.zeros(9, np.int64)
    ds[RESUME] = ds[RESUME_SLOT] = -1
    return ds


def _state(status: np.ndarray, level: np.ndarray, order_rate: np.ndarray, clock_rate: np.ndarray, key: np.ndarray,
           clock_events: np.ndarray, orders: np.ndarray, revenue: np.ndarray, level_orders: np.ndarray,
           due: np.ndarray, pick: np.ndarray, pending: np.ndarray, params: np.ndarray, counted: np.ndarray,
           order_multiplier: np.ndarray, orders_for_repeat: int, ids: int, expectation: np.ndarray,
           satisfaction: np.ndarray, happy_streak: np.ndarray, joined: np.ndarray, experiences: np.ndarray,
           felt: np.ndarray, p_tell_happy: np.ndarray, indptr: np.ndarray, indices: np.ndarray, network_size: int,
           left: np.ndarray, memory: np.ndarray, memory_day: np.ndarray,
           telling: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray], told_counts: np.ndarray,
           deterred: np.ndarray, level_counts: np.ndarray, propensity: np.ndarray, level_propensity: np.ndarray,
           rates: np.ndarray, hazards: np.ndarray, shocks: np.ndarray,
           desk: tuple[np.ndarray, ...]) -> ChainState:
    # Room for about a fifth of the people's clock events and a few thousand deliveries to begin
    # with (a fifth of the shipped baseline's people are customers); both grow by doubling. The
    # far buckets in a large market only.
    low = LOW if status.size >= BUCKETS_FROM else NO_BUCKETS
    return new_state(max(16, status.size // 4), low, 1024, ids, status, level, order_rate, clock_rate, key,
                     clock_events, orders, revenue, level_orders, due, pick, pending, params, counted,
                     np.asarray(order_multiplier, dtype=np.float64), orders_for_repeat, expectation, satisfaction,
                     happy_streak, joined, experiences, felt, p_tell_happy, indptr, indices, network_size, left, memory,
                     memory_day, *telling, told_counts, deterred, level_counts, propensity, level_propensity, rates,
                     hazards, shocks, *desk)


_kernels: Kernels | None = None


def kernels() -> Kernels:
    """The kernels, compiled once a process."""
    global _kernels
    if _kernels is None:
        _kernels = Kernels()
    return _kernels


class Chain:
    """The customers' clock events, the deliveries and the desk on the compiled heap, stepped by
    the environment with its own (:meth:`sim.core.later.Environment.attach`): the
    :class:`sim.core.later.Chain` it steps, over :class:`ChainState`. A clock event handed back
    goes to ``Customers.clock_event``; a follow-up to :meth:`_follow_up`."""

    def __init__(self, world: Any, customers: Any, fulfilment: Any, satisfaction: Any, loyalty: Any,
                 word_of_mouth: Any) -> None:
        k = kernels()
        self.kernels = k
        view = world.people.view
        self.world, self.customers, self.fulfilment = world, customers, fulfilment
        self.satisfaction, self.loyalty, self.word_of_mouth = satisfaction, loyalty, word_of_mouth
        felt, p_tell_happy = self._felt()
        self.telling = self._telling()
        indptr, indices = word_of_mouth.ties
        desk = customers.desk
        self.desk, self.episodes, self.attrition = desk, desk.episodes, customers.attrition
        self.desk_scalars, self.outbox = new_scalars(), np.zeros((4, 3), np.int64)
        self.state = _state(
            view("status"), view("level"), view("order_rate"), view("clock_rate"), view("key"),
            view("clock_events"), view("orders"), view("revenue"), view("level_orders"),
            np.frombuffer(customers.due, dtype=np.float64), np.frombuffer(customers.pick, dtype=np.float64),
            np.frombuffer(customers.pending, dtype=np.int64), fulfilment.compiled_params, fulfilment.counted,
            customers.order_multiplier, loyalty.orders_for_repeat,
            next(world.env._eid),  # the ids go on from the environment's counter
            view("expectation"), view("satisfaction"), view("happy_streak"), view("joined"),
            satisfaction.experiences, felt, p_tell_happy, indptr, indices, word_of_mouth.network.size,
            view("left"), view("complaint_memory"), view("memory_day"), self.telling,
            word_of_mouth.told_counts, word_of_mouth.joining.deterred_block, world.level_counts, view("propensity"),
            *self._bounds(),
            (self.desk_scalars, self.outbox, desk.daily, desk.hourly, desk.episodes.block, fulfilment.payout))
        self.ids = Ids(self.state)
        self.run = k.run
        self._clock = customers.clock_event
        self.env = world.env
        self._respond, self._experience = k.respond, k.experience
        fulfilment.chain = self
        satisfaction.chain = self
        desk.chain = self
        self.sync_desk()
        world.env.attach(self)

    def _felt(self) -> tuple[np.ndarray, np.ndarray]:
        """What a perfect delivery reads (:data:`SENSITIVITY` …), from the components as they are."""
        s, lo, w = self.satisfaction, self.loyalty, self.word_of_mouth
        felt = np.array([s.sensitivity, s.learning_rate, s.happy, s.unhappy, s.perfect_order_score,
                         lo.streak_for_advocate, lo.advocate_min_satisfaction, w.p_tell_unhappy], dtype=np.float64)
        return felt, np.asarray(w.p_tell_happy, dtype=np.float64)

    def _telling(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What a telling reads, from the components as they are: the levels' conversions,
        :data:`HAPPY_LOW` …, and buffers for the most a teller can tell (the old ones if long
        enough)."""
        w, j = self.word_of_mouth, self.word_of_mouth.joining
        terms = np.array([*w.happy_range, *w.unhappy_range, *j.terms, w.p_leave, 2.0], dtype=np.float64)
        most = max(w.happy_range[1], w.unhappy_range[1], 1)
        old = getattr(self, "telling", None)
        if old is not None and old[2].size >= most:
            buffers = old[2:]
        else:
            buffers = (np.zeros(most, np.int64), np.zeros(most), np.zeros(most, np.int64))
        return (np.asarray(w.conversion, dtype=np.float64), terms, *buffers)

    def _bounds(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """What a clock's bound and a time-based pick read besides people's columns: the levels'
        churn-propensity multipliers, :data:`QUESTION_RATE` and :data:`BOUND_RATE`, the hazards
        (:data:`DIED` …), the competitor shocks."""
        a = self.customers.attrition
        return (np.asarray(a.level_propensity, dtype=np.float64),
                np.array([self.customers.question_rate, a.bound_rate], dtype=np.float64),
                np.array([a.died, a.competition, a.service_zero, a.service_full], dtype=np.float64),
                np.array(a.shocks, dtype=np.float64).reshape(-1, 3))

    def sync(self) -> None:
        """After a change of scenario: the parameters a repeat order, a perfect delivery and its
        telling, and the desk read, as now."""
        self.telling = self._telling()
        self.kernels.set_parameters(self.state, self.fulfilment.compiled_params,
                                    np.asarray(self.customers.order_multiplier, dtype=np.float64),
                                    self.loyalty.orders_for_repeat, *self._felt(), *self.telling, *self._bounds())
        self.sync_desk()

    def sync_desk(self) -> None:
        """What the desk reads (:func:`set_desk`), from the desk, Satisfaction and Episodes as they
        are (the desk calls it too, before timing its deferred contacts again)."""
        d, sat, ep = self.desk, self.satisfaction, self.episodes
        s, w = d.s, sat.weights
        dp = np.array([
            d.delay_share, d.target_days, d.wait_tolerance, float(d.priority), float(d.patience is not None),
            s.first_contact_resolution, s.later_contact_resolution, s.max_contacts_per_problem, s.retry_after_abandon,
            s.recontact_delay_days, s.unresolved_satisfaction_penalty, sat.recovery_bonus, ep.quick_days,
            w.responsiveness, w.reliability, sat._fulfilment_tangibles, sat._answered_terms, sat._answered_total,
            sat._fulfilment_total, sat.product_problem_score, *ep.voice, *self._failed()], dtype=np.float64)
        dist = np.array([x for dist in d.distributions for x in compiled.encode(dist)], dtype=np.float64)
        h = d.hours
        hours = np.array([h.start, h.end, h.days_per_week, 1.0 if h.always else 0.0])
        pieces = np.array(d.profile.pieces, dtype=np.float64).reshape(-1, 3)
        cum = np.array(d.profile.cumulative, dtype=np.float64)
        leave = np.array([ep.leave[outcome] for outcome in range(len(ep.leave))], dtype=np.float64)
        self.kernels.set_desk(self.state, dp, dist, hours, pieces, cum, leave, d.staffing.peak)

    def _failed(self) -> tuple[float, ...]:
        """What a failed order's score and the guarantee read (:data:`P_LATE_TOLERANCE` …)."""
        f = self.fulfilment
        severity, guarantee = f.f.failure_severity, f.f.guarantee
        return (f.late_tolerance, severity.incomplete, severity.wrong_items, severity.invoice_error,
                1.0 if guarantee.enabled else 0.0, guarantee.claim_probability, guarantee.refund_share_of_order_value,
                guarantee.satisfaction_boost)

    def _follow_up(self) -> None:
        """What an event of the kernels' left Python to do, in order (the outbox): a telling's
        listeners who act, a departure; then the agent who handled a contact takes the next, or a
        delivery's disappointing product comes next (which may leave more to do)."""
        ds, state = self.desk_scalars, self.state
        while True:
            rows = self.outbox[:ds[N_OUT]].tolist()
            ds[N_OUT] = 0
            agent, slot, person = int(ds[RESUME]), int(ds[RESUME_SLOT]), int(ds[RESUME_PERSON])
            ds[RESUME] = ds[RESUME_SLOT] = -1
            for what, a, b in rows:
                if what == ACT:
                    self._acted(a == 1, b)
                else:
                    self.attrition.churn(a, b >> 4, b & 15)
            if agent >= 0:
                self.kernels.resume(state, self.env.now, agent)
            if slot < 0 or not self.kernels.resume_delivery(state, self.env.now, person, slot):
                return

    def handle(self, kind: int, eid: int, person: int, slot: int) -> None:
        if kind == CLOCK:
            self._clock(person, eid)
        else:
            self._follow_up()

    def _acted(self, joined: bool, k: int) -> None:
        """A telling's k listeners who act (the state's ``acted[:k]``): ``WordOfMouth.act``."""
        self.word_of_mouth.act(self.telling[4][:k].tolist(), joined)

    def respond(self, person: int, felt: int, key: int) -> None:
        """``Satisfaction.respond``, compiled (:func:`respond`), its listeners who act followed up."""
        kind, k = self._respond(self.state, self.env.now, person, felt, key)
        if k:
            self._acted(kind == JOINED, k)

    def experience(self, person: int, score: float, key: int, about: int, bonus: float, lift: float) -> int:
        """``Satisfaction.experience``, compiled (:func:`experience`), its listeners who act
        followed up; what it was felt as."""
        felt, kind, k = self._experience(self.state, self.env.now, person, score, key, about, bonus, lift)
        if k:
            self._acted(kind == JOINED, k)
        return int(felt)

    def push_delivery(self, time: float, outcome: tuple[Any, ...]) -> None:
        self.kernels.push_delivery(self.state, time, *outcome)

    def head_time(self) -> float:
        return float(self.kernels.head_time(self.state))

    def waiting(self) -> int:
        return int(self.kernels.waiting(self.state))


class Ids:
    """The event-id counter of the environment, SimPy's and :class:`sim.core.later.Later`'s, kept in
    the chain's state so that its kernels draw from it too: ``next(ids)`` as of
    ``itertools.count``. ``__reduce__`` tells the next value as ``itertools.count``'s does (what
    the bench reads: ``sim.bench.skeleton.event_count``)."""

    def __init__(self, state: ChainState) -> None:
        k = kernels()
        self._take = k.take_id
        self._peek = k.peek_id
        self._state = state

    def __iter__(self) -> Ids:
        return self

    def __next__(self) -> int:
        return self._take(self._state)

    def __reduce__(self) -> tuple[Any, tuple[int]]:
        return (type(self), (self._peek(self._state),))
