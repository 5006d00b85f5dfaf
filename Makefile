# regime-sim: two commands set everything up on a fresh machine.
#   make demo   - create .venv with a Python >= 3.12, install, run every bundled scenario once
#   make test   - create .venv, install with test extras, run the whole test suite
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
PY    := $(BIN)/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
EXTRAS ?= all
JOBS ?= 2
AUDIT_SEEDS ?= 40

.PHONY: demo test bench recovery lint docs patterns patterns-quick equivalence history clean browser dashboard-assets dashboard mutation

$(STAMP): pyproject.toml
	@set -e; \
	if [ ! -x $(PY) ]; then \
	  PYBIN=$$(tools/find-python.sh); \
	  echo "creating $(VENV) with $$PYBIN"; \
	  "$$PYBIN" -m venv $(VENV); \
	fi; \
	$(PY) -m pip install --quiet --upgrade pip 2>&1 | grep -v "^WARNING: Location" || true; \
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]" 2>&1 | grep -v -e "^WARNING: Location" -e "BuildBackendWarning" || true; \
	$(PY) -c "import sim, mesa, numba, SALib" || { echo "installation failed"; exit 1; }; \
	rm -f $(VENV)/.installed-*; touch $@

demo: $(STAMP)
	$(BIN)/regime-sim demo

test: $(STAMP) browser dashboard-assets
	$(BIN)/python -m pytest -n $(JOBS) tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py --readme README.md

# The calibration's parameter recovery at full size (20 synthetic replicas, 50 particles, 4
# generations; REPLICAS=, PARTICLES=, GENERATIONS= to change): fails under 7 in 10 covered.
# make test runs a small version (tests/test_calibrate.py); make bench runs this too.
recovery: $(STAMP)
	$(BIN)/python benchmarks/bench_calibrate.py

patterns: $(STAMP)
	$(BIN)/regime-sim patterns

patterns-quick: $(STAMP)
	$(BIN)/regime-sim patterns --quick

# The README's table of the stand-alone worlds (Turkey 2016, Egypt 2011, Zimbabwe 2017) beside history, 100 seeds each.
history: $(STAMP)
	$(BIN)/python tools/history_table.py --seeds 100 --workers $(JOBS)

equivalence: $(STAMP)
	$(BIN)/python benchmarks/equivalence_epstein.py

# Mutation score of the decision, outcome, kernel and sweep-store code (not part of `make test`:
# it takes long). MUTATION_ARGS, e.g. "--module kernel" or "--survivors --jobs 2". See docs/TESTING.md.
mutation: $(STAMP)
	@$(PY) -c "import cosmic_ray" 2>/dev/null || $(PY) -m pip install --quiet -e ".[mutation]" 2>&1 | grep -v "^WARNING: Location" || true
	$(PY) tools/mutation.py $(MUTATION_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check sim tests benchmarks tools

docs: $(STAMP)
	$(BIN)/regime-sim rules --markdown > docs/rules.md
	$(BIN)/regime-sim schema --markdown > docs/parameters.md
	rm -rf results/audit-docs
	$(BIN)/regime-sim audit --seeds $(AUDIT_SEEDS) --workers $(JOBS) --out results/audit-docs --markdown docs/audit.md

# Headless browser for the report and dashboard tests: Debian's chromium.
browser:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium for the browser tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; browser tests will be skipped"; \
	  else echo "note: chromium not found; browser tests will be skipped (apt-get install chromium)"; fi; \
	fi

# The dashboard's front-end files (solara's CDN assets) from the npm registry, once, so it works offline
dashboard-assets: $(STAMP)
	@if ! command -v npm >/dev/null 2>&1 && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null) || true; fi
	$(PY) -m sim.dashboard.assets

dashboard: dashboard-assets
	$(BIN)/regime-sim dashboard

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mutation
