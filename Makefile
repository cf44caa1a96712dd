# X.PO Live: `make run` serves the app, `make test` runs the whole suite. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test demo install migrate bench catalog clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/xpo db upgrade

run: migrate
	$(BIN)/xpo serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/xpo demo
	XPO_DATABASE_URL=sqlite+aiosqlite:///$(CURDIR)/var/demo.sqlite3 $(BIN)/xpo serve

bench: $(STAMP)
	$(BIN)/python perf/bench_brackets.py

# Refresh the translation catalogues after adding or changing user-facing text.
catalog: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o web/locale/messages.pot --no-location --sort-output --omit-header .
	$(BIN)/pybabel update -i web/locale/messages.pot -d web/locale --no-fuzzy-matching --ignore-obsolete

clean:
	rm -rf $(VENV) var/*.sqlite3* var/sessions
