# The lab's two commands: `make demo` and `make test`. Both set up .venv first and are idempotent.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.rods-lab-installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false
export PYTHONUNBUFFERED := 1
export RAY_AUTH_MODE := disabled

.PHONY: setup demo test check-sync nbtest pytest export docs bench clean-venv system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# torch first, pinned: a looser torch (or one pulled in by another package) downloads CUDA wheels.
$(STAMP): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

# Debian's chromium serves plotly's PNG export (kaleido) and the browser tests; installed when missing and allowed.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian chromium (plotly PNG export, browser tests)"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || echo "warning: could not install chromium; PNG export and browser tests will be skipped"; \
	  else echo "warning: chromium not found (sudo apt-get install chromium); PNG export and browser tests will be skipped"; fi; \
	fi

setup: $(STAMP) system-deps

demo: setup
	$(BIN)/rods-lab demo

# Fails when the notebooks are not clean or the package/README are not in sync with them.
check-sync: setup
	$(BIN)/nbdev-clean
	$(BIN)/nbdev-export
	$(BIN)/rods-lab readme
	@if [ -n "$$(git status --porcelain -- nbs rods_lab README.md experiments)" ]; then \
	  git status --porcelain -- nbs rods_lab README.md experiments; git --no-pager diff --stat; \
	  echo "error: notebooks not clean or package/README out of sync: run nbdev-clean, nbdev-export, rods-lab readme and commit"; exit 1; fi

# Every notebook, tested as nbdev-test tests it (nbdev's own test_nb: same skip flags, time-outs, working directory);
# the executed copies are kept in _build/executed so that `make docs` does not execute them again.
nbtest: setup
	$(BIN)/python -m rods_lab.docs execute --force --workers 2

# The docs site in _site/ (Sphinx + MyST-NB + Furo, strict: any warning fails), offline; executes only the notebooks
# whose executed copy is missing or stale. Quarto users can still run nbdev-docs.
docs: setup
	$(BIN)/python -m rods_lab.docs build --workers 2

pytest: setup
	$(BIN)/python -m pytest -q

test: check-sync nbtest docs pytest

export: setup
	$(BIN)/nbdev-export
	$(BIN)/rods-lab readme

bench: setup
	$(BIN)/python benchmarks/worlds_bench.py

clean-venv:
	rm -rf $(VENV)
