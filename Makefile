# Two commands do all the set-up: `make feeds` builds the sample blog's feeds,
# `make test` runs the whole test suite (ruff, mypy --strict, pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: feeds test lint typecheck golden clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

feeds: $(BIN)/.installed
	$(BIN)/feedwright build -c config.yaml

lint: $(BIN)/.installed
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(BIN)/.installed
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/pytest

# Regenerate the golden feeds under tests/golden/ after an intended output change.
golden: $(BIN)/.installed
	$(BIN)/python tests/regen_golden.py

clean:
	rm -rf $(VENV) .feedwright feeds .pytest_cache .mypy_cache .ruff_cache
