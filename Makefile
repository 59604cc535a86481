# Quick start: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test test-sqlite test-postgresql load lint messages translations system-packages browser postgresql office clean bench

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The photo stamp and the QR labels draw Chinese text: they need a CJK font.
system-packages:
	@[ -f $(CJK_FONT) ] || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq fonts-wqy-microhei; }

# Debian's Chromium for the browser tests (Playwright cannot download its own here).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium; }

# PostgreSQL for the second pass of the tests: only its programs, tests/postgres.py runs a throwaway server.
# Without them and without root or sudo that pass is skipped with a message; never under CI=true.
postgresql:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null || { \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql; } || { \
	  if [ "$$CI" = true ]; then echo "ERROR: CI needs PostgreSQL for the tests' second pass"; exit 1; fi; \
	  echo "*** PostgreSQL could not be installed: the PostgreSQL pass of make test will be skipped ***"; }

# LibreOffice Writer: a test renders every Word document to PDF (they must open and print). Without it and without
# root or sudo that test is skipped with a message; never under CI=true.
office:
	@dpkg -s libreoffice-writer >/dev/null 2>&1 || dpkg -s libreoffice-writer-nogui >/dev/null 2>&1 || { \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-writer-nogui; } || { \
	  if [ "$$CI" = true ]; then echo "ERROR: CI needs LibreOffice Writer for the documents' test"; exit 1; fi; \
	  echo "*** LibreOffice could not be installed: the documents' PDF test will be skipped ***"; }

translations: $(VENV)/.runtime
	$(BIN)/pybabel compile -d checklist/translations

instance/config.py:
	mkdir -p instance
	$(BIN)/python -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

run: system-packages translations instance/config.py
	$(FLASK) db-upgrade
	$(FLASK) seed-demo --if-empty
	@echo "Serving on http://127.0.0.1:8000"
	$(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:8000 --access-logfile - app:app

# The whole suite twice: on SQLite, then on a throwaway PostgreSQL server (tests/postgres.py starts it in a
# temporary folder and stops and removes it however the tests end). Fails if either pass fails or runs no test.
PYTEST := $(BIN)/python -m pytest
SQLITE := env -u TEST_DATABASE_URL
test: system-packages browser postgresql office translations $(VENV)/.dev
	@sqlite=0; postgresql=0; \
	echo "=== make test, pass 1 of 2: SQLite ==="; \
	$(SQLITE) $(PYTEST) || sqlite=$$?; \
	echo "=== make test, pass 2 of 2: PostgreSQL ==="; \
	$(BIN)/python tests/postgres.py $(PYTEST) || postgresql=$$?; \
	echo "=== make test: SQLite pass exit $$sqlite, PostgreSQL pass exit $$postgresql (0 is success) ==="; \
	[ $$sqlite = 0 ] && [ $$postgresql = 0 ]

test-sqlite: system-packages browser office translations $(VENV)/.dev
	$(SQLITE) $(PYTEST)

test-postgresql: system-packages browser postgresql office translations $(VENV)/.dev
	$(BIN)/python tests/postgres.py $(PYTEST)

# The load and fault runs of README "Load and faults": 50 phones for 2 minutes against gunicorn with 4 workers,
# on SQLite and on a throwaway PostgreSQL; then with workers SIGKILLed and a backup taken under the load.
LOAD := $(BIN)/python -m bench.load --clients 50 --seconds 120 --workers 4
load: system-packages postgresql translations $(VENV)/.dev
	$(LOAD)
	$(BIN)/python tests/postgres.py $(LOAD)
	$(LOAD) --kill --backup
	$(BIN)/python tests/postgres.py $(LOAD) --kill --backup

# Speed and size figures against their targets, the last line one JSON object (bench/run.py); wrk from Debian.
# `make bench BENCH_ARGS="--quick --scale 0.1"` for a short run on a smaller dataset.
bench: system-packages browser translations $(VENV)/.dev
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)

lint: $(VENV)/.dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o checklist/translations/messages.pot .
	$(BIN)/pybabel update -i checklist/translations/messages.pot -d checklist/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m checklist.ops.i18n
