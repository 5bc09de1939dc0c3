"""Copies of the test process made with ``os.fork``, made and counted whatever else runs."""

from __future__ import annotations

import os
from types import ModuleType

import pytest


def counted_copies(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[int]:
    """Let ``module`` copy the process even if an earlier test left a thread running (Dask's
    offload thread stays for the rest of the suite, and ``can_fork()`` would be false: the
    copies a test is about would not be made), and note each copy's pid, in the order made."""
    monkeypatch.setattr(module, "can_fork", lambda: True)
    pids: list[int] = []
    fork = os.fork

    def counted() -> int:
        pid = fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(os, "fork", counted)
    return pids
