# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app engine

.PHONY: install run scheduler test test-sqlite test-postgres bench bench-timers clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Installs, creates/migrates the SQLite database under instance/, deploys processes/ and forms/,
# seeds the demo users and serves on http://127.0.0.1:$(PORT), with the timer scheduler beside it
# (Ctrl+C stops both).
run: install
	VB_DEMO=1 $(FLASK) seed-demo
	$(FLASK) deploy
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

# The timer scheduler alone, in the foreground (make run already starts one).
scheduler: install
	$(FLASK) scheduler

# 10,000 cases whose timers fall due within one minute: lateness p50/p99/max and idle CPU (docs/timers.md).
# BENCH_ARGS="--processes 2" or "--database-url postgresql://postgres@127.0.0.1:5432/test" for variants.
bench-timers: install
	$(BIN)/python -m benchmarks.timers $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
