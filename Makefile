# Two commands do all the set-up on a fresh machine (Python 3.11+ and make):
#   make demo   nest the bundled leather-goods example; leaves a picture, a solution, DXF and a report
#   make test   run the whole test suite
# Both create the local virtual environment .venv when it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench bench-compare lint clean

# setuptools prints a notice on every editable install of a package whose folders are renamed
# (package-dir); it says nothing about this project, so it is filtered out, and only it.
QUIET_NOTICE := PYTHONWARNINGS="ignore:Editable installation"

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "leathernest needs Python 3.11 or newer")'
	@echo "make: creating the virtual environment $(VENV) ..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	@echo "make: installing leathernest and its dependencies into $(VENV) (about a minute the first time) ..."
	@$(QUIET_NOTICE) $(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)
	@echo "make: installed; the command is $(BIN)/leathernest"

demo: $(STAMP)
	@echo "make: running $(BIN)/leathernest demo --out demo-out (the first run compiles the Numba kernels, about half a minute) ..."
	@$(BIN)/leathernest demo --out demo-out

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
