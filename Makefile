# The two set-up commands of the README: `make demo` and `make test`. Each creates
# .venv and installs what it needs; nothing else is required on a fresh machine.
#
# Python 3.11, 3.12 or 3.13 (requires-python in pyproject.toml). The venv is made with
# PYTHON (default python3); when the default python3 is another version, with the newest
# of python3.13, python3.12, python3.11 that runs, saying so. A PYTHON given by the user
# is used or refused, never replaced. VENV puts the venv elsewhere (CI keeps a 3.13 venv
# beside the 3.11 one: `make test PYTHON=python3.13 VENV=.venv-3.13`).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

SUPPORTED := 3.11 3.12 3.13
FALLBACKS := python3.13 python3.12 python3.11
comma     := ,
space     := $(subst ,, )

.PHONY: demo test check lint bench contract clean

# "3.12" for an interpreter that runs; empty for a missing command, or for a pyenv shim
# of a version that is installed but not selected (the shim exists and fails).
version_of = $(shell $(1) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)

# Expanded only when a venv is created, so an existing venv costs no probing.
python_version = $(call version_of,$(PYTHON))
venv_version   = $(call version_of,$(BIN)/python)
# (the line break supplies the space before "is not found")
described = $(PYTHON)$(if $(python_version), is Python $(python_version),\
	is not found or does not run)
needs     = eligibility needs Python 3.11$(comma) 3.12 or 3.13
fallback  = $(firstword $(foreach p,$(FALLBACKS),\
	$(if $(filter $(SUPPORTED),$(call version_of,$(p))),$(p))))
use_fallback = $(if $(1),\
	$(info using $(1) (Python $(call version_of,$(1))): $(described)$(comma) and $(needs))$(1),\
	$(error $(described)$(comma) and none of $(subst $(space),$(comma)$(space),$(FALLBACKS)) \
	runs: $(needs)))
venv_python = $(if $(filter $(SUPPORTED),$(python_version)),$(PYTHON),\
	$(if $(filter file,$(origin PYTHON)),$(call use_fallback,$(fallback)),\
	$(error $(described): $(needs))))

# `PYTHON=python3.13 make test` must not quietly test the 3.11 venv that is already there.
ifneq ($(filter-out file default undefined,$(origin PYTHON)),)
ifneq ($(wildcard $(BIN)/python),)
ifneq ($(MAKECMDGOALS),clean)
ifneq ($(venv_version),$(python_version))
$(error $(VENV) is Python $(venv_version)$(comma) but $(described): run `make clean` first$(comma) \
	or give another VENV= (CI uses VENV=.venv-3.13 for Python 3.13))
endif
endif
endif
endif

# durable-rules 2.0.28 (the last release, an sdist) calls PyEval_CallObject, which
# Python 3.13 removed from the C API; PyObject_CallObject is the same call. Its setup.py
# overwrites CFLAGS but leaves CPPFLAGS, which reaches the compiler in pip's isolated
# build too (the build inherits pip's environment). --no-cache-dir: pip's wheel cache is
# keyed by interpreter, not by flags, and could hand back a wheel built without the define.
DURABLE_DEFINE := -DPyEval_CallObject=PyObject_CallObject
BEFORE_3_13    := 3.11 3.12
pip_install = $(if $(filter $(BEFORE_3_13),$(venv_version)),$(BIN)/python -m pip install --quiet,\
	CPPFLAGS="$$CPPFLAGS $(DURABLE_DEFINE)" $(BIN)/python -m pip install --quiet --no-cache-dir)
# a build that compiled but cannot be imported stops here, before any command runs
check_engine = $(BIN)/python -c 'import durable_rules_engine'

$(BIN)/python:
	$(venv_python) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# setuptools says at every editable install of a layout like ours (rules/ installed as
# eligibility/rules) that a folder named like the package could shadow it: information,
# not a problem, and the only warning the install would print of its own
QUIET_BUILD := PYTHONWARNINGS="ignore:Editable installation"

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(QUIET_BUILD) $(pip_install) -e .
	$(check_engine)
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(QUIET_BUILD) $(pip_install) -e '.[test]'
	$(check_engine)
	touch $@ $(VENV)/.installed

## demo: evaluate every bundled training scenario under the law (us-law) and under the
## bundled reform (rights-based-2007): one table each
demo: $(VENV)/.installed
	$(BIN)/eligibility evaluate scenarios/ --format table
	$(BIN)/eligibility evaluate scenarios/ --format table --rules rights-based-2007

## test: the whole suite (unit, scenario, property, CLI and terminal tests, with the
## slow full-size variants) on two processes, then the style and the types
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 --dist loadfile
	$(MAKE) --no-print-directory lint

## check: the development loop: the style, then the suite without its slow variants and
## with a tenth of the property tests' examples (the `fast` Hypothesis profile), on two
## processes (a test file stays on one, so the documents' commands run in their order)
check: $(VENV)/.installed-test
	$(BIN)/ruff check eligibility tests bench
	$(BIN)/ruff format --check eligibility tests bench
	HYPOTHESIS_PROFILE=fast $(BIN)/python -m pytest -m "not slow" -n 2 --dist loadfile

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
