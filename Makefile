# netgov: two commands on a fresh machine.
#   make run    set up .venv (Python >= 3.12) and run the default scenario
#   make test   set up .venv and run the whole test suite (two pytest-xdist workers)
#   make quick  the fast tier for the inner loop: every test not marked slow
#   make lint   ruff and mypy (CI runs it before make test)
#   make bench  run the benchmarks (pytest-benchmark)
#   make notebook  open the docs notebooks (tutorial, exercises and solutions) in JupyterLab, offline
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LINKS := $(VENV)/.links-stamp
# A strict editable install: a tree of links to the checkout's files (build/__editable__.*) that static
# tools such as mypy can follow; the default mode's import hook they cannot, because the top-level folders
# install as netgov.* subpackages. A module added or removed needs the links made again: its folder's time
# changes, and make relinks (a few seconds).
EDITABLE := --config-settings editable_mode=strict
PACKAGE_DIRS := $(shell find netgov model agents scenarios dashboards -type d -not -name __pycache__ 2>/dev/null)

# The first Python >= 3.12 found: on PATH, then under pyenv (this machine's default python3 is 3.11).
PYTHON := $(shell for c in python3.13 python3.12 python3 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c; break; fi; done)

.PHONY: run test quick bench lint setup clean notebook

setup: $(LINKS)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "netgov needs Python >= 3.12 (Mesa 3.5 requires it); none was found on PATH or under pyenv. Install one and run make again." >&2; exit 1; fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]' $(EDITABLE)
# Solara's front-end (JS/CSS) from the npm registry into the venv, so the dashboard renders offline
	$(BIN)/python -m netgov.dashboards.offline_assets
	@touch $(STAMP)

$(LINKS): $(STAMP) $(PACKAGE_DIRS)
	$(BIN)/python -m pip install --quiet --no-deps -e . $(EDITABLE)
	@touch $(LINKS)

run: $(LINKS)
	$(BIN)/netgov run

# Two xdist workers (CI has two cores). --dist loadfile keeps each test file on one worker, in file
# order: a module's fixtures (a batch, a dashboard server, a Dask cluster) start once, the README's
# commands run in README order in one folder, and each master seed's shared mechanism arms run once.
# (pytest 9.2 ignores xdist_group marks under --dist loadgroup: pytest-xdist#1386.) The longest files start
# first (tests/conftest.py's LONGEST_FIRST), not xdist's guess from their number of tests.
XDIST := -n 2 --dist loadfile --no-loadscope-reorder

test: $(LINKS)
	$(BIN)/python -m pytest $(XDIST)

quick: $(LINKS)
	$(BIN)/python -m pytest $(XDIST) -m "not slow"

bench: $(LINKS)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-columns=min,mean,median,max,rounds -p no:randomly

# loopback only; no update check and no extension manager (no internet needed; JupyterLab asks before
# fetching news); --allow-root for containers and CI. tests/test_notebooks.py starts the same server.
NOTEBOOK_FLAGS := --notebook-dir=docs --ServerApp.ip=127.0.0.1 --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.extension_manager=readonly --allow-root

notebook: $(LINKS)
	$(BIN)/jupyter lab $(NOTEBOOK_FLAGS)

# mypy reads netgov from the link tree (where netgov.model is model/; python -I: not from the checkout,
# whose netgov/ folder holds only part of the package and would come first):
lint: $(LINKS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	MYPYPATH="$$($(BIN)/python -I -c 'import importlib.util, pathlib; print(pathlib.Path(importlib.util.find_spec("netgov").origin).parents[1])')" $(BIN)/mypy -p netgov

clean:
	rm -rf $(VENV) build .pytest_cache .benchmarks .hypothesis .mypy_cache
