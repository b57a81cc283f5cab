# Folkhälsa workbook – every target is also shown as the plain commands it runs.
# `make` or `make help` lists the targets.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PARAMS ?= params/dalarna.yaml
FETCH_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install demo test test-fast lint format data reports fetch lab clean lock bench bench-sverige golden verify-cache repair-cache

help: ## Show the targets and what they do
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-9s %s\n", $$1, $$2}'
	@echo
	@echo "Without make (the same steps):"
	@echo "  $(PYTHON) -m venv .venv"
	@echo "  .venv/bin/python -m pip install -r requirements.lock"
	@echo "  .venv/bin/python -m pip install --no-deps -e ."
	@echo "  .venv/bin/python -m helpers.demo                       # build the synthetic demo data"
	@echo "  .venv/bin/python -m helpers.reports --params $(PARAMS)  # one report per kommun"
	@echo "  .venv/bin/python -m helpers.fetch --params $(PARAMS)    # download real data, then offline"
	@echo "  .venv/bin/python -m pytest -n 2 --dist loadscope       # run the tests"
	@echo "  .venv/bin/lint-imports                                 # check the layers"

$(STAMP): requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the locked dependencies and the package

data: $(STAMP) ## Build the synthetic demo data into data/raw/demo (idempotent)
	$(PY) -m helpers.demo

reports: data ## Run the per-kommun reports for PARAMS (default params/dalarna.yaml)
	$(PY) -m helpers.reports --params $(PARAMS)

fetch: $(STAMP) ## Download everything PARAMS needs into data/raw (resumable); then runs work offline
	$(PY) -m helpers.fetch --params $(PARAMS) $(FETCH_ARGS)

demo: reports ## Set up, build the demo data and make the Dalarna reports (the main job)

test: $(STAMP) ## Install if needed and run every test (2 processes; notebooks keep their cells together)
	$(PY) -m pytest -n 2 --dist loadscope

test-fast: $(STAMP) ## The unit tests only (no notebooks, reports or browser): for daily work
	$(PY) -m pytest -n 2 tests/unit

golden: data ## Regenerate the backtests' golden key figures (review the diff before committing)
	$(PY) tests/backtests/regenerate.py

lint: $(STAMP) ## Check code and notebooks with ruff, and the layer contract with import-linter
	$(PY) -m ruff check src tests benchmarks notebooks
	$(PY) -m ruff format --check src tests benchmarks
	$(VENV)/bin/lint-imports

format: $(STAMP) ## Format code with ruff
	$(PY) -m ruff format src tests benchmarks
	$(PY) -m ruff check --fix src tests benchmarks notebooks

lab: $(STAMP) ## Start JupyterLab in notebooks/
	$(PY) -m jupyter lab notebooks/

bench: data ## Run the benchmarks in benchmarks/
	for f in benchmarks/bench_*.py; do $(PY) $$f || exit 1; done

bench-sverige: data ## Time all 290 kommun reports (national run, --no-ipynb); not in the tests
	$(PY) benchmarks/bench_reports.py --sverige

verify-cache: $(STAMP) ## Check every file in data/raw against its manifest (exit 0 = all in order)
	$(PY) -m helpers.cache --verify

repair-cache: $(STAMP) ## Re-download what fails the check (damaged files are kept in _karantan/)
	$(PY) -m helpers.cache --verify --repair

lock: ## Re-lock dependencies after editing pyproject.toml (needs uv)
	uv lock
	uv export --frozen --extra dev --no-emit-project --format requirements-txt -o requirements.lock
	$(PY) scripts/sync_environment_yml.py

clean: ## Remove disposable outputs (data/processed, reports); data/raw is kept
	rm -rf reports data/processed/*.parquet data/processed/*.csv data/processed/*.pkl data/processed/.*.lock
