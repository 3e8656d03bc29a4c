# netgov: two commands on a fresh machine.
#   make run    set up .venv (Python >= 3.12) and run the default scenario
#   make test   set up .venv and run the whole test suite (two pytest-xdist workers)
#   make quick  the fast tier for the inner loop: every test not marked slow
#   make bench  run the benchmarks (pytest-benchmark)
#   make notebook  open the docs notebooks (tutorial, exercises) in JupyterLab, offline
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

# The first Python >= 3.12 found: on PATH, then under pyenv (this machine's default python3 is 3.11).
PYTHON := $(shell for c in python3.13 python3.12 python3 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV); do \
	if command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c; break; fi; done)

.PHONY: run test quick bench lint setup clean notebook

setup: $(STAMP)

$(STAMP): pyproject.toml
	@if [ -z "$(PYTHON)" ]; then echo "netgov needs Python >= 3.12 (Mesa 3.5 requires it); none was found on PATH or under pyenv. Install one and run make again." >&2; exit 1; fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
# Solara's front-end (JS/CSS) from the npm registry into the venv, so the dashboard renders offline
	$(BIN)/python -m netgov.dashboards.offline_assets
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/netgov run

# Two xdist workers (CI has two cores). --dist loadfile keeps each test file on one worker, in file
# order: a module's fixtures (a batch, a dashboard server, a Dask cluster) start once, the README's
# commands run in README order in one folder, and test_mechanisms' shared arms run once.
# (pytest 9.2 ignores xdist_group marks under --dist loadgroup: pytest-xdist#1386.)
XDIST := -n 2 --dist loadfile

test: $(STAMP)
	$(BIN)/python -m pytest $(XDIST)

quick: $(STAMP)
	$(BIN)/python -m pytest $(XDIST) -m "not slow"

bench: $(STAMP)
	$(BIN)/python -m pytest benchmarks --benchmark-only --benchmark-columns=min,mean,median,max,rounds -p no:randomly

# loopback only; no update check and no extension manager (no internet needed; JupyterLab asks before
# fetching news); --allow-root for containers and CI. tests/test_docs.py starts the same server.
NOTEBOOK_FLAGS := --notebook-dir=docs --ServerApp.ip=127.0.0.1 --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate --LabApp.extension_manager=readonly --allow-root

notebook: $(STAMP)
	$(BIN)/jupyter lab $(NOTEBOOK_FLAGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf $(VENV) .pytest_cache .benchmarks .hypothesis
