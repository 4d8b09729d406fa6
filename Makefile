# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app engine

.PHONY: install run test test-sqlite test-postgres bench bench-webhooks clean

# Demo signing secrets of the webhook sources, for `make run` only and only when the variable is unset
# (docs/webhooks.md). A real deployment sets its own; these must never be used outside the demo.
WEBHOOK_DEMO_SECRETS = \
	export VB_WEBHOOK_SECRET_POLITIE="$${VB_WEBHOOK_SECRET_POLITIE:-whsec_ZGVtby1vbmx5LXBvbGl0aWUtbm90LWZvci1wcm9kdWN0aW9u}"; \
	export VB_WEBHOOK_SECRET_OM="$${VB_WEBHOOK_SECRET_OM:-whsec_ZGVtby1vbmx5LW9tLW5vdC1mb3ItcHJvZHVjdGlvbg==}"; \
	export VB_WEBHOOK_SECRET_IVP="$${VB_WEBHOOK_SECRET_IVP:-whsec_ZGVtby1vbmx5LWl2cC1ub3QtZm9yLXByb2R1Y3Rpb24=}"; \
	export VB_WEBHOOK_SECRET_BZK="$${VB_WEBHOOK_SECRET_BZK:-whsec_ZGVtby1vbmx5LWJ6ay1ub3QtZm9yLXByb2R1Y3Rpb24=}"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# Installs, creates/migrates the SQLite database under instance/, deploys processes/ and forms/,
# seeds the demo users and serves on http://127.0.0.1:$(PORT), with the outbound webhook dispatcher
# running next to it (stopped with the server).
run: install
	VB_DEMO=1 $(FLASK) seed-demo
	$(FLASK) deploy
	$(WEBHOOK_DEMO_SECRETS); \
	VB_DEMO=1 $(FLASK) webhooks-dispatch & dispatcher=$$!; trap 'kill $$dispatcher 2>/dev/null' EXIT INT TERM; \
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

# Inbound webhook rate over loopback (gunicorn) and correlation time at 100,000 waiting subscriptions,
# on SQLite and PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test).
bench-webhooks: install
	$(BIN)/python -m benchmarks.webhooks_inbound --backend both
	$(BIN)/python -m benchmarks.webhooks_correlation --backend both

clean:
	rm -rf $(VENV) instance .pytest_cache
