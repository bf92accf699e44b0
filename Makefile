# The two set-up commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# Links in e-mails start with BASE_URL: unless it is set in the environment, the dev server sets it
# to where it listens (http://HOST:PORT; 0.0.0.0 is reached on 127.0.0.1).
# Exact versions to install; the allowed ranges live in pyproject.toml (`make lock` re-resolves).
LOCK := requirements.lock
TEST_LOCK := requirements-test.lock
# `make lint`'s tools and what mypy reads (the app's dependencies), at the test lock's versions.
LINT_LOCK := requirements-lint.lock
# Every pin carries its files' hashes: pip then installs nothing else (it checks each download).
UV_COMPILE := UV_CUSTOM_COMPILE_COMMAND="make lock" $(BIN)/uv pip compile pyproject.toml --quiet --universal \
	--python-version 3.11 --generate-hashes

.PHONY: run test test-fast install install-test install-lint lock lint translations db demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Dependencies from the lock, then the project itself without letting pip re-resolve anything.
# A stamp in the venv skips pip until the lock or the packaging changes (`make clean` resets).
install: $(VENV)/.installed
	$(MAKE) --no-print-directory translations

install-test: $(VENV)/.installed-test
	$(MAKE) --no-print-directory translations

$(VENV)/.installed: $(LOCK) pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-test: $(TEST_LOCK) pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -r $(TEST_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Without the test tools (browser driver, load generator): what ruff and mypy need.
install-lint: $(VENV)/.installed-lint

$(VENV)/.installed-lint: $(LINT_LOCK) pyproject.toml setup.py | $(BIN)/python
	$(BIN)/pip install --quiet -r $(LINT_LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $@

# Re-resolve the locks after changing a range in pyproject.toml (add --upgrade to UV_COMPILE to move pins).
# The lint lock takes the test lock's versions, so lint and tests check against the same libraries.
lock: $(BIN)/python
	$(BIN)/pip install --quiet uv
	$(UV_COMPILE) -o $(LOCK)
	$(UV_COMPILE) --extra test --extra lint -o $(TEST_LOCK)
	$(UV_COMPILE) --extra lint -c $(TEST_LOCK) -o $(LINT_LOCK)

# ruff (format and rules) and mypy as configured in pyproject.toml, all run so one report shows
# every finding. .ci/run runs it before the tests: a finding fails CI. `ruff format .` fixes the first.
lint: install-lint
	@status=0; \
	$(BIN)/ruff format --check . || status=1; \
	$(BIN)/ruff check . || status=1; \
	$(BIN)/mypy || status=1; \
	exit $$status

translations:
	$(BIN)/pybabel compile --use-fuzzy -d ips_coord/translations >/dev/null

db:
	$(BIN)/flask --app ips_coord db upgrade

demo: db
	$(BIN)/flask --app ips_coord demo

# Installs, migrates, seeds the demo and starts the system on embedded defaults.
run: install demo
	$(BIN)/python -m ips_coord.devserver --host $(HOST) --port $(PORT)

# Installs and runs the whole test suite (PostgreSQL and Redis when reachable; required with CI=true),
# and prints its wall time last (the 20 slowest tests are in pytest's report above it).
test: install-test
	@start=$$(date +%s); status=0; \
	$(BIN)/python -m pytest $(PYTEST_ARGS) || status=$$?; \
	took=$$(( $$(date +%s) - start )); \
	echo "make test: wall time $$((took / 60)) min $$((took % 60)) s (exit $$status)"; \
	exit $$status

# The quick loop while working: unit and SQLite tests, without the process-level (slow) and
# PostgreSQL-only ones. `make test` stays the whole truth.
test-fast: install-test
	IPS_TEST_DBS=sqlite $(BIN)/python -m pytest -m "not slow and not postgres_only" $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) instance var test-artifacts .pytest_cache
