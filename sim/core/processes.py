"""Whether this process may copy itself with ``os.fork()``: the comparison's shared warm-up
(:mod:`sim.experiments.shared_warmup`) and its folders' writing (:func:`sim.outputs.files.write_runs`)
copy the process instead of pickling what it holds."""

from __future__ import annotations

import os
import threading


def can_fork() -> bool:
    """Whether this process may copy itself: ``os.fork`` exists (not on Windows) and no other
    thread runs (a child of a threaded process gets copies of locks other threads may hold)."""
    return hasattr(os, "fork") and threading.active_count() == 1
