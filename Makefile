# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app engine

.PHONY: install run test test-sqlite test-postgres bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Installs, creates/migrates the SQLite database under instance/, deploys processes/ and forms/,
# seeds the demo users and demo cases and serves on http://127.0.0.1:$(PORT).
run: install
	$(FLASK) deploy
	VB_DEMO=1 $(FLASK) seed-demo
	VB_DEMO=1 PORT=$(PORT) $(BIN)/python -m engine.serve

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
test: install
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		VB_TEST_BACKEND=postgresql $(BIN)/pytest -m "not browser"; \
	else \
		echo "== PostgreSQL pass skipped: TEST_DATABASE_URL is not set (CI sets it)."; \
	fi

bench: install
	$(BIN)/python -m benchmarks.engine_steps

clean:
	rm -rf $(VENV) instance .pytest_cache
