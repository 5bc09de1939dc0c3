"""Compile the model's numba kernels into numba's cache now, rather than at the first run.

``python -m sim.model.precompile`` compiles (or, if they are cached already, loads) the keyed
draws' kernels (:mod:`sim.model.compiled`) and the chain's (:mod:`sim.model.chain`) exactly as
the first model built in a process would, and says how long it took. numba caches them on disk
beside the code, so later processes load them in well under a second; on a fresh checkout the
compile takes ~35–45 s of one core. ``make`` runs this in the background while it installs the
development tools (a quarter of a minute), so that a fresh clone's first command waits for the
compiler that much less. Nothing is run and nothing of a model's is touched; without numba (or
with ``CHURN_SIM_COMPILED=0``) there is nothing to compile and it says so. It exits 0 either way
(130 if interrupted): a kernel not compiled here is compiled by the first run, or the model runs
the Python draws.
"""

from __future__ import annotations

import sys
import time


def main() -> int:
    start = time.perf_counter()
    from sim.model import chain, compiled

    if not compiled.ready():
        sys.stderr.write("precompile: numba not available (or CHURN_SIM_COMPILED=0): the model will run "
                         "its Python draws; nothing to compile\n")
        return 0
    sys.stderr.write("precompile: compiling the model's kernels into numba's cache (once; ~40 s on a fresh "
                     "checkout, under a second once cached)\n")
    try:
        chain.kernels()
    except KeyboardInterrupt:  # Ctrl-C during make's setup reaches this process too
        sys.stderr.write("precompile: interrupted; the first run compiles what is left\n")
        return 130
    except Exception as err:  # numba's own failure: the first model built compiles them again
        sys.stderr.write(f"precompile: the chain's kernels did not compile here ({type(err).__name__}: "
                         f"{err}); the first run will try again\n")
        return 0
    sys.stderr.write(f"precompile: the model's kernels ready in numba's cache "
                     f"({time.perf_counter() - start:.0f} s)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
