# Two commands do all the set-up on a fresh machine (Python 3.11+ and make):
#   make demo   nest the bundled leather-goods example; leaves a picture, a solution, DXF and a report
#   make test   run the whole test suite
# Both create the local virtual environment .venv when it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-compare lint clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "leathernest needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/leathernest demo --out demo-out

test: $(STAMP)
	$(BIN)/python -m pytest -q; rc=$$?; if [ $$rc -eq 5 ]; then echo "no tests collected"; exit 0; fi; exit $$rc

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-enable -q

# First run on a machine: saves a baseline; later runs compare with the newest saved run and fail
# when a benchmark's minimum got more than 25 % slower.
bench-compare: $(STAMP)
	@if ls .benchmarks/*/*_base.json >/dev/null 2>&1; then \
	  $(BIN)/python -m pytest benchmarks --benchmark-enable -q --benchmark-compare \
	    --benchmark-compare-fail=min:25%; \
	else \
	  $(BIN)/python -m pytest benchmarks --benchmark-enable -q --benchmark-save=base; \
	fi

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) demo-out .pytest_cache .benchmarks
