# The two set-up commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test translations db demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(MAKE) --no-print-directory translations

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[test]"
	$(MAKE) --no-print-directory translations

translations:
	$(BIN)/pybabel compile --use-fuzzy -d ips_coord/translations >/dev/null

db:
	$(BIN)/flask --app ips_coord db upgrade

demo: db
	$(BIN)/flask --app ips_coord demo

# Installs, migrates, seeds the demo and starts the system on embedded defaults.
run: install demo
	$(BIN)/python -m ips_coord.devserver --host $(HOST) --port $(PORT)

# Installs and runs the whole test suite (PostgreSQL and Redis when reachable; required with CI=true).
test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance var test-artifacts .pytest_cache
