"""Large zeroed arrays on huge pages (sim.core.memory): the advice's range, and nothing changed."""

from __future__ import annotations

from array import array

import numpy as np
import pytest

from sim.core import memory
from sim.core.memory import HUGE_PAGE, MADV_DONTNEED, MADV_HUGEPAGE, THRESHOLD, advise_huge, zeros


class Recorder:
    def __init__(self, answers: dict[int, int] | None = None) -> None:
        self.calls: list[tuple[int, int, int]] = []
        self.answers = answers or {}

    def __call__(self, start: int, length: int, advice: int) -> int:
        self.calls.append((start, length, advice))
        return self.answers.get(advice, 0)


@pytest.mark.parametrize("typecode", ["b", "i", "q", "Q", "d"])
@pytest.mark.parametrize("size", [0, 1, 1000, THRESHOLD // 4 + 3, 3 * THRESHOLD // 8])
def test_zeros_are_zeros_of_the_type_and_keep_what_is_written(typecode: str, size: int) -> None:
    arr = zeros(typecode, size)
    assert arr.typecode == typecode and len(arr) == size
    view = np.frombuffer(arr, dtype=arr.typecode)
    assert not view.any()
    view[:] = np.arange(size) % 100 + 1
    assert np.array_equal(np.frombuffer(arr, dtype=arr.typecode), np.arange(size) % 100 + 1)
    del view
    arr.append(7)  # still an ordinary array: it may grow
    assert arr[-1] == 7


def test_the_advice_covers_the_whole_huge_pages_inside_the_buffer_then_gives_them_back() -> None:
    arr = array("d", bytes(8 * (3 * HUGE_PAGE // 8 + 1000)))
    address, items = arr.buffer_info()
    madvise = Recorder()
    assert advise_huge(arr, madvise)
    (start, length, first), (start2, length2, second) = madvise.calls
    assert (first, second) == (MADV_HUGEPAGE, MADV_DONTNEED) and (start, length) == (start2, length2)
    assert start % HUGE_PAGE == 0 and length % HUGE_PAGE == 0 and length > 0
    assert address <= start and start - address < HUGE_PAGE
    end = address + 8 * items
    assert start + length <= end and end - (start + length) < HUGE_PAGE


def test_no_small_pages_are_given_back_where_huge_ones_are_refused() -> None:
    arr = array("d", bytes(8 * (HUGE_PAGE // 2)))  # 4 MiB: at least one whole huge page inside
    madvise = Recorder({MADV_HUGEPAGE: -1})
    assert not advise_huge(arr, madvise)
    assert [call[2] for call in madvise.calls] == [MADV_HUGEPAGE]


def test_a_buffer_without_a_whole_huge_page_is_left_alone() -> None:
    madvise = Recorder()
    assert not advise_huge(array("d", bytes(8 * 1000)), madvise)
    assert madvise.calls == []


def test_only_large_arrays_are_advised(monkeypatch: pytest.MonkeyPatch) -> None:
    madvise = Recorder()
    monkeypatch.setattr(memory, "_madvise", madvise)
    zeros("d", THRESHOLD // 8 - 1)
    assert madvise.calls == []
    arr = zeros("d", THRESHOLD // 8)
    assert [call[2] for call in madvise.calls] == [MADV_HUGEPAGE, MADV_DONTNEED]
    assert not np.frombuffer(arr).any()


def test_without_madvise_the_array_is_the_plain_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_madvise", None)
    arr = zeros("q", THRESHOLD)
    assert len(arr) == THRESHOLD and not np.frombuffer(arr, dtype=np.int64).any()
