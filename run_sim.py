#!/usr/bin/env python3
"""churn-sim command line. Run ``python run_sim.py --help``."""

import sys

if __name__ == "__main__":
    try:
        from sim.cli import main
    except KeyboardInterrupt:  # Ctrl-C while the libraries load: nothing started, no traceback
        print("\ninterrupted: no output was written", file=sys.stderr)
        sys.exit(130)
    sys.exit(main())
