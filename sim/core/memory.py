"""Large zeroed typed arrays backed by huge pages, where the operating system offers them.

A million-person market keeps a few dozen ``array.array`` columns of 4–8 MB (people's state,
the customers' pending clock events, the social network's ties) that the compiled chain reads
at random, a person an event. With 4 KiB pages each such read is likely to miss the TLB as well
as the caches; with 2 MiB pages a column is a handful of TLB entries. NumPy already asks Linux
for transparent huge pages on its own allocations of 4 MiB or more (``madvise(MADV_HUGEPAGE)``);
``array.array`` does not, and where the system's setting is ``madvise`` (Debian's and many
distributions' default) its columns stay on small pages. :func:`zeros` makes the array, then,
for the whole 2 MiB pages inside its buffer, advises huge pages and gives the small ones back
(``MADV_DONTNEED``: the buffer is all zeros, and a private anonymous page given back reads as
zeros again), so that the first writes fault huge pages in. Nothing read from the array
changes; where the advice is not available (another system, transparent huge pages off, an
older kernel) the array is the plain one.

Measured (docs/PERFORMANCE.md): at 1 M people ~4–5 % off a customer-day and ~20 bytes a person
less at the peak, building ~0.2 s dearer on the machine measured (its first touches of memory);
nothing at the shipped 15,000 people, whose columns are smaller than a huge page.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys
from array import array
from collections.abc import Callable

HUGE_PAGE = 2 << 20  # x86-64's and arm64's (4 KiB base pages) transparent huge page
THRESHOLD = 4 << 20  # as NumPy's: smaller buffers hold at most one whole huge page
MADV_DONTNEED = 4
MADV_HUGEPAGE = 14

Advise = Callable[[int, int, int], int]


def _libc_madvise() -> Advise | None:
    """``madvise(2)`` from the C library, or None where there is none to call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        function = libc.madvise
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    function.restype = ctypes.c_int
    return function


_madvise: Advise | None = _libc_madvise()


def zeros(typecode: str, size: int) -> array:
    """An ``array(typecode)`` of ``size`` zeros; at 4 MiB or more, on huge pages if offered."""
    arr = array(typecode, bytes(array(typecode).itemsize * size))
    if _madvise is not None and size * arr.itemsize >= THRESHOLD:
        advise_huge(arr, _madvise)
    return arr


def advise_huge(arr: array, madvise: Advise) -> bool:
    """Ask for huge pages over the whole huge pages inside the all-zero ``arr``'s buffer and
    give back the small ones there; True if the system took the advice. Only for a buffer of
    zeros: a page given back reads as zeros."""
    address, items = arr.buffer_info()
    start = -(-address // HUGE_PAGE) * HUGE_PAGE
    end = (address + items * arr.itemsize) // HUGE_PAGE * HUGE_PAGE
    if end <= start:
        return False
    if madvise(start, end - start, MADV_HUGEPAGE) != 0:
        return False  # transparent huge pages off, or not in this kernel: keep the small pages
    return madvise(start, end - start, MADV_DONTNEED) == 0
