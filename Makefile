# The two set-up commands of the README: `make demo` and `make test`. Each creates
# .venv and installs what it needs; nothing else is required on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test check lint bench contract clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools says at every editable install of a layout like ours (rules/ installed as
# eligibility/rules) that a folder named like the package could shadow it: information,
# not a problem, and the only warning the install would print of its own
QUIET_BUILD := PYTHONWARNINGS="ignore:Editable installation"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(QUIET_BUILD) $(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(QUIET_BUILD) $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## demo: evaluate every bundled training scenario, then explain one in detail
demo: $(VENV)/.installed
	$(BIN)/eligibility evaluate scenarios/ --format table
	$(BIN)/eligibility evaluate scenarios/ --format table --rules rights-based-2007

## test: the whole suite (unit, scenario, property, CLI and terminal tests, with the
## slow full-size variants), then the style and the types
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint

## check: the development loop: the style, then the suite without its slow variants and
## with a tenth of the property tests' examples (the `fast` Hypothesis profile)
check: $(VENV)/.installed-test
	$(BIN)/ruff check eligibility tests bench
	$(BIN)/ruff format --check eligibility tests bench
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -m "not slow"

## lint: ruff (lint and format) and mypy, configured in pyproject.toml
lint: $(VENV)/.installed-test
	$(BIN)/ruff check eligibility tests bench
	$(BIN)/ruff format --check eligibility tests bench
	$(BIN)/mypy

## bench: throughput of both engines on the same generated scenarios, in one run
bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py

## contract: the public contract check of ../shared (when that checkout is present)
contract: $(VENV)/.installed
	python3 ../shared/tools/contract-check $(BIN)/eligibility

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
