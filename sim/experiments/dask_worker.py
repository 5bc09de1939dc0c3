"""Preloaded by every worker of the Dask LocalCluster the runner starts (``--dask local``).

Ctrl-C in a terminal reaches the whole process group, the cluster's worker processes included;
left alone, each would print a traceback. They ignore it instead: the runner receives it too and
closes the cluster, which ends them. The workers started with the cluster ignore it from their
start (see ``_starting_workers`` in :mod:`sim.experiments.runner`); this is for one the cluster
restarts later, from its own start on.
"""

from __future__ import annotations

import signal
import threading

if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
