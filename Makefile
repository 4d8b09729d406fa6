# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
FLASK  := $(BIN)/flask --app engine

.PHONY: install run scheduler test lint format test-sqlite test-postgres bench bench-http bench-timers bench-webhooks bench-web bench-studio clean frontend chromium diagrams screenshots translations

# Demo signing secrets of the webhook sources, for `make run` only and only when the variable is unset
# (docs/webhooks.md). A real deployment sets its own; these must never be used outside the demo.
WEBHOOK_DEMO_SECRETS = eval "$$($(BIN)/python -m engine.webhooks.demo_secrets)"

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The web app's JavaScript islands (bpmn-js, form-js), bundled with esbuild from frontend/ into
# engine/web/static/dist/. `npm ci` runs only when package-lock.json changed (stamp file).
FRONTEND_STAMP := frontend/node_modules/.installed
FRONTEND_DIST  := engine/web/static/dist/.built
$(FRONTEND_STAMP): frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

$(FRONTEND_DIST): $(FRONTEND_STAMP) frontend/build.mjs frontend/build-studio.mjs $(wildcard frontend/src/*.js frontend/src/*.css frontend/src/*/*.js frontend/src/*/*/*.js)
	cd frontend && node build.mjs
	touch $@

frontend: $(FRONTEND_DIST)

# Debian's Chromium for the browser tests and the diagram renderer (never Playwright's own browsers).
chromium:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		(apt-get install -y chromium || (apt-get update && apt-get install -y chromium)) \
		|| echo "== chromium could not be installed: the browser tests will be skipped."; \
	else echo "== /usr/bin/chromium is missing and apt-get is not available to this user: the browser tests will be skipped."; fi

# Render every processes/*.bpmn with bpmn-js into docs/img/<file stem>.svg (headless Chromium).
diagrams: install frontend chromium
	$(BIN)/python -m tools.render_diagrams --out docs/img processes

# The screenshots of the web app in docs/img/ (inbox, task form, case page, studio, heatmap), taken by the
# browser tests.
screenshots: install frontend chromium
	VB_DOCS_SCREENSHOTS=docs/img $(BIN)/pytest -q tests/web/test_walkthrough_browser.py tests/studio/test_studio_browser.py \
		tests/studio/test_operations_browser.py

# Compile the UI translations (engine/translations/*/LC_MESSAGES/messages.po -> .mo).
translations: install
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -o engine/translations/messages.pot engine/web engine/notifications engine/reporting
	$(BIN)/pybabel -q update -i engine/translations/messages.pot -d engine/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel -q compile -d engine/translations
	$(BIN)/pybabel -q extract -F engine/studio/babel.cfg -k _l -o engine/studio/translations/messages.pot engine/studio engine/operations
	$(BIN)/pybabel -q update -i engine/studio/translations/messages.pot -d engine/studio/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel -q compile -d engine/studio/translations

# Inbox and case page server times with 10,000 open tasks on SQLite (see docs/web.md);
# BENCH_ARGS="--database-url postgresql://postgres@127.0.0.1:5432/test" for PostgreSQL.
bench-web: install
	$(BIN)/python -m benchmarks.web_pages $(BENCH_ARGS)

# Installs, creates/migrates the SQLite database under instance/, deploys processes/ and forms/,
# seeds the demo users and demo cases and serves on http://127.0.0.1:$(PORT), with the timer scheduler and the
# outbound webhook dispatcher beside it (Ctrl+C stops all three). The demo's key-encryption key is
# instance/master.key, made on the first start (unless VB_MASTER_KEY or VB_MASTER_KEY_FILE is set).
run: install frontend
	VB_DEMO=1 $(FLASK) deploy && VB_DEMO=1 $(FLASK) seed-demo && \
		$(WEBHOOK_DEMO_SECRETS); VB_DEMO=1 PORT=$(PORT) $(BIN)/python -m engine.app.serve

# The whole suite on SQLite, then again on PostgreSQL when TEST_DATABASE_URL is set.
test: install frontend chromium lint
	$(BIN)/pytest
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL ($$TEST_DATABASE_URL)"; \
		VB_TEST_BACKEND=postgresql $(BIN)/pytest -m "not browser"; \
	else \
		echo "== PostgreSQL pass skipped: TEST_DATABASE_URL is not set (CI sets it)."; \
	fi

# The linter and the type checker (their settings are in pyproject.toml); `make test` runs them first.
# The formatter: `make lint` checks that it would change nothing.
format: install
	$(BIN)/ruff format

lint: install
	$(BIN)/ruff format --check
	$(BIN)/ruff check
	$(BIN)/mypy

bench: install
	$(BIN)/python -m benchmarks.engine_steps

# The request path over real HTTP (gunicorn as `make run` serves it) against the floor and the service layer,
# with a profile per layer (docs/performance.md). BENCH_ARGS="--database-url postgresql://postgres@127.0.0.1:5432/test".
bench-http: install
	$(BIN)/python -m benchmarks.http --profile $(BENCH_ARGS)

# What the studio's validation and scenario runs cost against the deployment's own analysis (docs/studio.md).
bench-studio: install
	$(BIN)/python -m benchmarks.studio

# Inbound webhook rate over loopback (gunicorn) and correlation time at 100,000 waiting subscriptions,
# on SQLite and PostgreSQL (BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test).
bench-webhooks: install
	$(BIN)/python -m benchmarks.webhooks_inbound --backend both
	$(BIN)/python -m benchmarks.webhooks_correlation --backend both

# The timer scheduler alone, in the foreground (make run already starts one).
scheduler: install
	VB_DEMO=1 $(FLASK) scheduler

# 10,000 cases whose timers fall due within one minute: lateness p50/p99/max and idle CPU (docs/timers.md).
# BENCH_ARGS="--processes 2" or "--database-url postgresql://postgres@127.0.0.1:5432/test" for variants.
bench-timers: install
	$(BIN)/python -m benchmarks.timers $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance .pytest_cache
