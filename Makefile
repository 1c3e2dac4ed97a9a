# The two commands: `make run` builds the warehouse, prints the KPI summary and writes the KPI
# report; `make test` runs every check CI runs. Both create the virtualenv from the pinned
# requirements first.
#   make run                    build from the bundled demo exports (data/demo)
#   make report                 (re)write the KPI report target/report/index.html from the published DB
#   make run DATA=<dir>         build from your own export directory (../shared/docs/raw-contract.md)
#   make test                   pytest, sqlfluff, ruff, then the demo built end to end (all 44 KPIs,
#                               dbt unit tests included)
#   make bench [TICKETS=N]      benchmark at N (default 2,000,000) and N/10 tickets (not in test)

PYTHON_BOOTSTRAP ?= python3
VENV ?= .venv
DATA ?= data/demo
DB ?= warehouse/cx_warehouse.duckdb
TEST_DB ?= warehouse/test_demo.duckdb
REPORT ?= target/report/index.html
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

BIN := $(VENV)/bin
export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := false

.PHONY: setup run report browser test lint unit bench clean help

help:
	@sed -n '1,11p' Makefile

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON_BOOTSTRAP) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

setup: $(BIN)/.installed

run: setup
	$(BIN)/python scripts/run_warehouse.py --data "$(DATA)" --db "$(DB)" --docs --report "$(REPORT)" \
		$(if $(filter data/demo,$(DATA)),--demo-salt)
	$(BIN)/python scripts/semantic_layer.py --db "$(DB)"

report: setup
	$(BIN)/python scripts/report.py --db "$(DB)" --out "$(REPORT)"

# headless Chromium for the report's browser test (tests/python/test_report_browser.py): the
# Debian package, installed when absent, on a developer's machine and in CI alike
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update && \
		$(SUDO) apt-get install -y --no-install-recommends chromium; }

lint: setup
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	mkdir -p warehouse  # sqlfluff's dbt templater opens the profile's database
	CX_WAREHOUSE_DB=warehouse/lint.duckdb CX_PSEUDONYMISATION_SALT=lint $(BIN)/sqlfluff lint models tests/singular analyses

unit: setup browser
	$(BIN)/pytest

# the last step builds the demo end to end (both quality gates) and fails if any kpi_id of the
# catalog has no row in kpi_values
test: setup unit lint
	CX_WAREHOUSE_DB=$(TEST_DB) $(BIN)/python scripts/run_warehouse.py \
		--data data/demo --db $(TEST_DB) --no-summary --require-all-kpis --unit-tests --demo-salt \
		--docs --report target/report/test_demo.html

bench: setup
	$(BIN)/python scripts/benchmark.py $(if $(TICKETS),--tickets $(TICKETS))

clean:
	rm -rf target logs warehouse
