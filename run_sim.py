#!/usr/bin/env python3
"""churn-sim command line. Run ``python run_sim.py --help``."""

import sys

from sim.cli import main

if __name__ == "__main__":
    sys.exit(main())
