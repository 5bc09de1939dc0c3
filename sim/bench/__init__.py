"""The performance harness: ``python -m sim.bench`` (``make bench``; docs/PERFORMANCE.md).

It times the model against a yardstick in the same process, minutes apart, so that what it
reports are ratios that mostly do not depend on the machine or its load:

* :mod:`sim.bench.skeleton` — the yardstick: a bare SimPy model with one process per
  customer, the same customers alive and the same per-customer event rates, doing nothing
  else;
* :mod:`sim.bench.measure` — the model on the shipped baseline at several market sizes,
  interleaved with the skeleton; memory in a fresh process per size
  (:mod:`sim.bench.footprint`); replications on 1 and 2 workers, on Dask, and the shipped
  comparison;
* :mod:`sim.bench.harness` — the command line, the table and ``bench/results/latest.json``.

The harness is a top layer beside the command line (pyproject.toml's import contracts): it
reads the model from outside and changes nothing in it. Events are counted from SimPy's
event-id counter, not by wrapping ``Environment.step`` (which would add a call per event to
the very time being measured). Nothing here asserts a time: it reports.

This module imports nothing heavy, so that ``python -m sim.bench.footprint`` measures the
interpreter's memory floor after the model's own imports only.
"""
