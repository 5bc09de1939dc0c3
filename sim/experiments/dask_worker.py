"""Preloaded by every worker of the Dask LocalCluster the runner starts (``--dask local``).

Ctrl-C in a terminal reaches the whole process group, the cluster's worker processes included
(they are spawned, so they do not inherit a blocked signal); left alone, each would print a
traceback. They ignore it instead: the runner receives it too and closes the cluster, which
ends them.
"""

from __future__ import annotations

import signal
import threading

if threading.current_thread() is threading.main_thread():
    signal.signal(signal.SIGINT, signal.SIG_IGN)
