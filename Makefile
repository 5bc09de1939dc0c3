# Two commands, on a fresh clone with only python3 and make:
#   make run    set up .venv (once) and run the default scenario
#   make test   set up .venv (once) and run lint (ruff, mypy) + the test suite
#   make bench  the performance harness (python -m sim.bench; make bench-quick: about a minute)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
N ?= 5

.PHONY: run test lint clean screenshot bench bench-quick

# The model's numba kernels are compiled into numba's cache (sim.model.precompile: ~35-45 s
# of one core, once) while the development tools install, so that the first run does not wait
# for the compiler; a compile that fails is left to the first run (make goes on).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	@$(PY) -m sim.model.precompile & compiling=$$!; \
	$(PY) -m pip install --quiet -e '.[dev]' || { kill $$compiling 2>/dev/null; exit 1; }; \
	wait $$compiling || true
	@touch $(STAMP)

run: $(STAMP)
	$(PY) run_sim.py compare scenarios/compare_investments.yaml -n 2

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(VENV)/bin/lint-imports

test: lint
	$(PY) -m pytest -q

# The performance harness (docs/PERFORMANCE.md): a table, and bench/results/latest.json.
# ARGS passes options, e.g. make bench ARGS=--skip-comparison
bench: $(STAMP)
	$(PY) -m sim.bench $(ARGS)

bench-quick: $(STAMP)
	$(PY) -m sim.bench --quick $(ARGS)

screenshot: $(STAMP)
	$(PY) run_sim.py compare scenarios/compare_investments.yaml -n $(N) --out runs/screenshot --overwrite --quiet
	$(PY) scripts/screenshot.py runs/screenshot/report.html docs/report.png

clean:
	rm -rf $(VENV) runs .pytest_cache
