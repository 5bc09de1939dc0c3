"""``python -m sim.bench``: see :mod:`sim.bench.harness`."""

import sys

from sim.bench.harness import main

if __name__ == "__main__":
    sys.exit(main())
