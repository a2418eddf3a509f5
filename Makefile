# Two commands do all the set-up: `make feeds` builds the sample blog's feeds,
# `make test` runs the whole test suite (ruff, mypy --strict, pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: feeds test lint typecheck golden bench clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

feeds: $(BIN)/.installed
	$(BIN)/feedwright build -c config.yaml

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: $(BIN)/.installed
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# Regenerate the golden feeds under tests/golden/ after an intended output change.
golden: $(BIN)/.installed
	$(BIN)/python tests/regen_golden.py

# Time cold / no-op / one-change builds against Hugo on generated blogs (see bench/README.md).
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py --sizes $(or $(SIZES),1000,10000) --runs $(or $(RUNS),3)

clean:
	rm -rf $(VENV) .feedwright feeds .pytest_cache .mypy_cache .ruff_cache
