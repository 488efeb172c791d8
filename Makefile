# Luoshi: `make run` serves the app with demo data on SQLite; `make test` runs the suite.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST := $(BIN)/pytest
PORT ?= 8000

.PHONY: probe fuzz-api bench bench-surge loopback vendor run worker test test-office test-browser test-all lint format migrate demo messages collectstatic clean

$(STAMP): requirements.txt requirements-dev.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

# The web server and the background worker (e-mails, robot messages) together; Ctrl-C stops both.
run: demo
	@echo "Luoshi: open http://127.0.0.1:$(PORT)/ and log in as office / Luoshi@2021 (see README for all demo accounts)"
	$(BIN)/python manage.py notifications_requeue
	$(BIN)/python manage.py db_worker --interval 2 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# The background worker alone (production: one or more per machine, e.g. a systemd service).
worker: migrate
	$(BIN)/python manage.py db_worker

test: $(STAMP)
	$(PYTEST) -m "not browser and not office_render and not fuzz" -q

# Documents rendered by LibreOffice (one-page 督办通知单, .xlsx ledgers): apt-get install libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils
test-office: $(STAMP)
	$(PYTEST) -m office_render -q

test-browser: $(STAMP) collectstatic
	$(PYTEST) -m browser -q tests/browser

# City-scale benchmark and Monday-morning surge on PostgreSQL (bench/README.md); not part of `make test`.
BENCH_DB ?= postgres://postgres@127.0.0.1:5432/luoshi_bench
bench: $(STAMP)
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/run.py

bench-surge: $(STAMP)
	DATABASE_URL=$(BENCH_DB) $(BIN)/python bench/surge.py

# The city layout on loopback (nginx, 2 gunicorn apps, PostgreSQL, S3 server, queue worker) and its smoke.
loopback: $(STAMP)
	$(BIN)/python deploy/loopback.py

# Hostile inputs to every API write and page form as each demo role (gunicorn, production settings, PostgreSQL).
probe: $(STAMP)
	$(BIN)/python bench/probe.py

# Schemathesis against /api/v1/openapi.json as the demo office user; 0 server errors (FUZZ_EXAMPLES per operation).
fuzz-api: $(STAMP)
	$(PYTEST) -m fuzz -q -p no:randomly tests/fuzz

# Style, formatting and types (mypy with django-stubs over the app code: [tool.mypy] in pyproject.toml);
# then the import contracts (lint-imports, [tool.importlinter]). .ci/run runs this first.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore=.venv --ignore=staticfiles
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore=.venv

collectstatic: $(STAMP)
	$(BIN)/python manage.py collectstatic --noinput -v0

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache

# ECharts from npm (package-lock.json pins it), copied with its licence into static/vendor and committed,
# so running Luoshi needs no npm and no network.
vendor:
	npm ci --no-audit --no-fund
	mkdir -p static/vendor/echarts-6.1.0
	cp node_modules/echarts/dist/echarts.min.js node_modules/echarts/LICENSE node_modules/echarts/NOTICE static/vendor/echarts-6.1.0/
