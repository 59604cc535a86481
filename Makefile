# Quick start: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test lint messages translations system-packages browser clean

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

test: system-packages browser translations $(VENV)/.dev
	$(BIN)/python -m pytest

lint: $(VENV)/.dev
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

messages: $(VENV)/.runtime
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output -o checklist/translations/messages.pot .
	$(BIN)/pybabel update -i checklist/translations/messages.pot -d checklist/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/python -m checklist.i18n
