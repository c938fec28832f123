# The two set-up commands of the README: `make demo` and `make test`. Each creates
# .venv and installs what it needs; nothing else is required on a fresh machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench contract clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## demo: evaluate every bundled training scenario, then explain one in detail
demo: $(VENV)/.installed
	$(BIN)/eligibility evaluate scenarios/ --format table
	$(BIN)/eligibility evaluate scenarios/ --format table --rules rights-based-2007

## test: the whole suite (unit, scenario, property, CLI and terminal tests)
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

## bench: throughput of both engines on the same generated scenarios, in one run
bench: $(VENV)/.installed
	$(BIN)/python bench/bench.py

## contract: the public contract check of ../shared (when that checkout is present)
contract: $(VENV)/.installed
	python3 ../shared/tools/contract-check $(BIN)/eligibility

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis
