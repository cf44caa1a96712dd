# X.PO Live: `make run` serves the app, `make test` runs the whole suite. Both set everything up first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
VERSION := 0.1.0

.PHONY: run test demo install migrate bench bench-boards catalog clean

# The test extra is installed everywhere, so one venv serves the app, the tests and the tools.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

migrate: $(STAMP)
	$(BIN)/xpo db upgrade

# Listens on 127.0.0.1:8000, or wherever XPO_SERVER_HOST / XPO_SERVER_PORT say.
run: migrate
	$(BIN)/xpo serve

# PYTEST_ARGS passes options through, e.g. `make test PYTEST_ARGS="-k login -x"`.
# XPO_TEST_DATABASE_URL=postgresql+asyncpg://… runs the same suite on PostgreSQL.
# The suite runs on TEST_WORKERS processes (pytest-xdist; `auto`: one per core, `0`: none, for pdb);
# tests/conftest.py gives each worker its own database.
# PYTHONDONTWRITEBYTECODE is cleared for the run: without cached bytecode each worker compiled the project and
# rewrote the asserts of every test module again at each run (about 10 s of CPU per worker; __pycache__ is ignored).
TEST_WORKERS ?= auto
test: $(STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# A realistic edition in var/demo.sqlite3 (the summary printed first gives the demo logins).
demo: $(STAMP)
	$(BIN)/xpo demo
	XPO_DATABASE_URL=sqlite+aiosqlite:///$(CURDIR)/var/demo.sqlite3 $(BIN)/xpo serve

bench: $(STAMP)
	$(BIN)/python perf/bench_brackets.py

# Every live boards benchmark in one run, then side by side in a summary (perf/bench_boards.py; see
# docs/BENCHMARKS.md): the fan-out against a bare websockets broadcast() at 100, 1,000 and 5,000 screens and
# a 64-player stage, message sizes, the result write against a raw transaction, the POST with 5,000 screens
# against none (back to back, and spaced in one process), four workers with 20,000 screens (one killed), and the
# 1,000-screen restart storm. 5 to 10 minutes on a quiet 2-core machine. BENCH_ARGS passes options: --quick (smaller sizes, a few minutes),
# --only fanout,post,workers,storm, --postgres URL (the four-worker run on PostgreSQL too, database emptied),
# --redis URL (default $XPO_BENCH_REDIS_URL, else db 5).
bench-boards: $(STAMP)
	$(BIN)/python perf/bench_boards.py $(BENCH_ARGS)

# Refresh the translation catalogues after adding or changing user-facing text, then translate
# every empty msgstr in web/locale/fr/LC_MESSAGES/messages.po (tests/web/test_i18n.py lists them).
catalog: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -o web/locale/messages.pot --no-location --sort-output \
		--project="X.PO Live" --version=$(VERSION) --copyright-holder="Médiathèque de l'Eure" .
	$(BIN)/pybabel update -i web/locale/messages.pot -d web/locale --no-fuzzy-matching --ignore-obsolete \
		--ignore-pot-creation-date

clean:
	rm -rf $(VENV) var/*.sqlite3* var/sessions
