# 工会统计看板: set-up, run, test.  `make help` lists the targets.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/union.duckdb
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help install system-deps run sample-db test screenshots lint score score-dev score-cv train bench render-deps backup clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

system-deps: ## Debian packages: python3-venv, chromium (browser tests, PNG export), a CJK font, LibreOffice + poppler (slides measured as drawn)
	@if ! command -v chromium >/dev/null || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
	    || ! command -v soffice >/dev/null || ! command -v pdftoppm >/dev/null \
	    || ! $(PY) -c "import venv, ensurepip" 2>/dev/null; then \
	  $(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends \
	    chromium fonts-noto-cjk fontconfig python3-venv libreoffice-impress-nogui libreoffice-calc-nogui poppler-utils; \
	fi

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(BIN)/activate

install: system-deps $(BIN)/activate ## system packages + virtualenv with pinned requirements

$(DB):
	$(BIN)/python scripts/sample_db.py $(DB)

sample-db: install ## build data/union.duckdb: the sample federation 青禾区总工会, its directory, data/samples (if missing)
	@$(MAKE) --no-print-directory $(DB)

run: install sample-db ## install, build the sample database, start the dashboard (address, port: union.toml)
	UNION_DB=$(DB) UNION_SERVER_PORT=$(PORT) $(BIN)/python -m dashboard

test: install ## install everything and run lint + the whole test suite
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -q -p no:cacheprovider

screenshots: install ## refresh docs/screenshots/ from the browser tests (look at them afterwards)
	SCREENSHOTS_DIR=docs/screenshots $(BIN)/python -m pytest -q -p no:cacheprovider tests/test_browser.py \
	  tests/test_writing_browser.py tests/test_auth_browser.py

lint: ## ruff only
	$(BIN)/ruff check .

score: ## extraction score on the seeds
	$(BIN)/python ../shared/eval/score.py --cmd "$(BIN)/python -m etl.extract --format jsonl"

score-dev: ## extraction score on the development set, with misses
	$(BIN)/python ../shared/eval/score.py --gold ../shared/eval/dev/gold.jsonl --docs ../shared/eval/dev/docs \
	  --cmd "$(BIN)/python -m etl.extract --format jsonl" --misses

train: install ## retrain the report extractor from data/corpus + data/samples → etl/trained/extractor.npz
	$(BIN)/python -m etl.learn train

score-cv: install ## cross-validate the extractor on data/corpus, grouped by source (table: P, R, exact, charted, region)
	$(BIN)/python -m etl.learn cv

bench: ## run every benchmark in bench/ (prints tables)
	for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b; done

render-deps: ## LibreOffice + poppler, to check exported slides by eye (docs/)
	$(SUDO) apt-get update -q && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q --no-install-recommends \
	  libreoffice-impress-nogui libreoffice-calc-nogui poppler-utils

backup: ## copy the database and every archived original to data/backups/ (safe while the dashboard runs)
	$(BIN)/python -m etl --db $(DB) backup

clean: ## remove the virtualenv (the database, the archived originals and the backups are never deleted by make)
	rm -rf $(VENV)
