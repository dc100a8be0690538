# The two commands a developer needs: `make run` (the portal with demo data on
# http://127.0.0.1:8000) and `make test` (the whole suite against PostgreSQL and Redis).
# Both install what is missing first, and only that, so a second run starts at once.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
STAMPS := .stamps
# Reinstall the dependencies only when pyproject.toml changes: the stamp's name carries its hash.
DEPS_HASH := $(shell sha256sum pyproject.toml | cut -c1-16)
DEPS_STAMP := $(STAMPS)/deps-$(DEPS_HASH)
CHROMIUM := /usr/bin/chromium
# Front-end libraries: reinstalled only when package-lock.json changes.
NODE_HASH := $(shell sha256sum package-lock.json | cut -c1-16)
NODE_STAMP := $(STAMPS)/node-$(NODE_HASH)

# Translation catalogues (locale/<code>/LC_MESSAGES/*.po): compiled to .mo files (never in git)
# again only when a .po file changes: the stamp's name carries the hash of all of them.
PO_FILES := $(sort $(wildcard locale/*/LC_MESSAGES/*.po))
PO_HASH := $(shell cat $(PO_FILES) /dev/null | sha256sum | cut -c1-16)
MO_STAMP := $(STAMPS)/mo-$(PO_HASH)
# The languages translators write; `make messages` refreshes their catalogues from the code, with
# exactly these options (the translators use them too: keep them in step).
TRANSLATED_LANGUAGES := fr es ar
MESSAGES_OPTIONS := --add-location=file --ignore=.venv --ignore=node_modules --ignore=tests \
	--ignore=benchmarks --ignore=static/vendor --ignore=staticfiles

# Apps whose code mypy checks (every directory with an apps.py, plus the project package).
APP_DIRS := ssc_portal $(sort $(patsubst %/apps.py,%,$(wildcard */apps.py)))

DEV_ENV := DEBUG=1 \
	SECRET_KEY=dev-only-secret-never-used-in-production \
	DATABASE_URL=sqlite:///db.sqlite3 \
	CELERY_TASK_ALWAYS_EAGER=1

# Tests run against the production database engine. DEBUG=1 keeps plain static files storage (no
# collectstatic manifest needed) and no HTTPS redirect for the test client; pytest-django still
# runs every test with settings.DEBUG off. Playwright's sync API runs an event loop in the test
# thread, which Django's async-safety guard would otherwise refuse. Compiled modules (and
# pytest's rewritten test modules) are kept in __pycache__ even where the environment turns that
# off (PYTHONDONTWRITEBYTECODE): without them each worker compiles them all again at every run.
# Test databases are named after this one (test_<name>_gw0 ...); override to run two suites at once.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ssc_portal
# A second database on the same server plays the read replica (tests/ops/test_read_replica.py);
# its test database is only created when a test that asks for it runs.
TEST_DATABASE_REPLICA_URL ?= $(TEST_DATABASE_URL)_replica
TEST_ENV := DEBUG=1 \
	SECRET_KEY=test-only-secret-key-for-the-test-suite-0123456789-abcdefghij \
	DATABASE_URL=$(TEST_DATABASE_URL) \
	DATABASE_REPLICA_URL=$(TEST_DATABASE_REPLICA_URL) \
	REDIS_URL=redis://127.0.0.1:6379/0 \
	CELERY_TASK_ALWAYS_EAGER=1 \
	CHROMIUM_EXECUTABLE=$(CHROMIUM) \
	DJANGO_ALLOW_ASYNC_UNSAFE=true \
	PYTHONDONTWRITEBYTECODE=

# What production looks like to `check --deploy` (docker-compose.yml sets the real values).
DEPLOY_ENV := DEBUG=0 \
	SECRET_KEY=check-deploy-only-Zq7vK2mX9pL4wR8tY3nB6cF1hJ5dG0sA-e.u_i.o \
	ALLOWED_HOSTS=ssc.example.org \
	CSRF_TRUSTED_ORIGINS=https://ssc.example.org \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_portal \
	REDIS_URL=redis://127.0.0.1:6379/0

BENCH_ENV := DEBUG=0 \
	SECRET_KEY=benchmark-only-secret-Zq7vK2mX9pL4wR8tY3nB6cF1hJ5dG0sA-e.u_i.o \
	SECURE_SSL_REDIRECT=0 \
	ALLOWED_HOSTS=testserver \
	DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench \
	REDIS_URL=redis://127.0.0.1:6379/0

.PHONY: help run test test-fast schemathesis lint format check-deploy security bench bench-api bench-rollups bench-results bench-standards bench-duplicates bench-load install services chromium pdf-libs gettext catalogues messages demo clean

help:
	@echo "make run           install what is missing, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test          install what is missing, start PostgreSQL and Redis if needed, run every test"
	@echo "make test-fast     the same without the browser, worker, schemathesis and ops tests"
	@echo "make schemathesis  every schemathesis phase and check on the API, 50 examples per operation"
	@echo "make messages      refresh the fr, es and ar catalogues (locale/) from the code and templates"
	@echo "make lint          ruff, ruff format --check, mypy, makemigrations --check"
	@echo "make format        ruff format and ruff check --fix"
	@echo "make check-deploy  Django's deployment checks with production-like settings"
	@echo "make security      bandit on our code (fails on high findings) and pip-audit on the installed packages"
	@echo "make bench         activity list benchmark on 100,000 generated activities (PostgreSQL)"
	@echo "make bench-api     a page of 100 activities from the API next to PostgreSQL's own JSON"
	@echo "make bench-rollups roll-up rebuild, refresh and dashboard on 1,000,000 ledger entries"
	@echo "make bench-results results dashboard on 100,000 activities, a third with results"
	@echo "make bench-standards the TOSSD extract and SDG 17.3.1 aggregate at 100,000 activities"
	@echo "make bench-duplicates duplicate suggestions for a new activity at 100,000 activities: time, precision"
	@echo "make bench-load    50 users for 60 s against gunicorn, PostgreSQL and Redis (locust)"

# --- installation -----------------------------------------------------------------------------

# Python >= 3.12: python3.12 or python3.13 on PATH (pyenv shims answer for versions that are not
# selected, hence the version test rather than `command -v`), else pyenv's 3.12 installation.
$(PY):
	@py=""; \
	for cand in python3.12 python3.13 \
	    "$$(pyenv prefix 3.12 2>/dev/null | head -n 1)/bin/python3.12" \
	    $$(ls -d $$HOME/.pyenv/versions/3.12*/bin/python3.12 2>/dev/null); do \
	  if "$$cand" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
	    py="$$cand"; break; \
	  fi; \
	done; \
	if [ -z "$$py" ]; then echo "Python >= 3.12 not found (python3.12, python3.13 or pyenv 3.12)." >&2; exit 1; fi; \
	echo "Creating $(VENV) with $$("$$py" -c 'import sys; print(sys.executable)')"; \
	"$$py" -m venv $(VENV)

# -qq: errors only; the per-package index warnings pip can print would bury the CI log.
# pip itself first: venv copies the Python installation's (23.2.1 here, with known advisories),
# and the audit (make security) can only check packages at their latest release on this mirror.
$(DEPS_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -qq --upgrade pip
	$(PY) -m pip install -qq -e '.[dev]'
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/deps-* && touch $@

# npm ci installs exactly package-lock.json from the npm registry, running no package's install
# script (none is needed; @scarf/scarf's would report the download); the files the pages use are then
# copied into static/vendor/ (served by Django like our own static files, never from a CDN).
$(NODE_STAMP): package.json package-lock.json scripts/vendor_assets.sh
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	scripts/vendor_assets.sh
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/node-* && touch $@

# compilemessages refuses to run without a catalogue: until the first one is in the repository,
# the stamp is all there is to do.
$(MO_STAMP): $(PO_FILES) | $(DEPS_STAMP)
	@if [ -n "$(PO_FILES)" ]; then \
	  $(MAKE) --no-print-directory gettext; \
	  echo "Compiling the translation catalogues"; \
	  $(DEV_ENV) $(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules --verbosity 0; \
	fi
	@mkdir -p $(STAMPS) && rm -f $(STAMPS)/mo-* && touch $@

catalogues: $(MO_STAMP)

install: $(DEPS_STAMP) $(NODE_STAMP) $(MO_STAMP)

# Debian's gettext (msgfmt, xgettext) for the catalogues, installed when missing.
gettext:
	@if ! command -v msgfmt >/dev/null || ! command -v xgettext >/dev/null; then \
	  echo "Installing gettext (apt-get)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq gettext >/dev/null; \
	fi

# The djangojs domain only once a script marks a string (static/js/*.js call gettext() then).
messages: $(DEPS_STAMP) gettext
	@for code in $(TRANSLATED_LANGUAGES); do \
	  $(DEV_ENV) $(PY) manage.py makemessages -l $$code $(MESSAGES_OPTIONS); \
	  if grep -qsE '\bn?gettext\(' static/js/*.js; then \
	    $(DEV_ENV) $(PY) manage.py makemessages -d djangojs -l $$code $(MESSAGES_OPTIONS); \
	  fi; \
	done

# Debian's Chromium for the Playwright tests; Playwright's own browser download is never used.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  echo "Installing Chromium (apt-get)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	fi

# WeasyPrint (the PDF report) needs Pango and a font; Debian's packages, installed when missing.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core
pdf-libs:
	@if ! dpkg -s $(PDF_PACKAGES) >/dev/null 2>&1; then \
	  echo "Installing $(PDF_PACKAGES) (apt-get)"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq $(PDF_PACKAGES) >/dev/null; \
	fi

# Start PostgreSQL and Redis when they are not answering; wait until they do.
services:
	@if ! pg_isready -q -h 127.0.0.1 -p 5432; then \
	  echo "Starting PostgreSQL"; \
	  pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start; \
	fi
	@if ! (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then \
	  echo "Starting Redis"; \
	  mkdir -p /var/lib/redis /var/log/redis; \
	  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" \
	    --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log; \
	fi
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done; \
	pg_isready -q -h 127.0.0.1 -p 5432 || { echo "PostgreSQL is not answering on 127.0.0.1:5432" >&2; exit 1; }
	@for i in $$(seq 1 30); do (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null && break; sleep 1; done; \
	(exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null || { echo "Redis is not answering on 127.0.0.1:6379" >&2; exit 1; }

# --- the two contract targets -----------------------------------------------------------------

run: $(DEPS_STAMP) $(NODE_STAMP) $(MO_STAMP) pdf-libs
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_demo_data
	$(DEV_ENV) $(PY) manage.py runserver 127.0.0.1:8000

# Each xdist worker gets its own test database. The whole suite runs four workers on CI's two
# cores: its browser, worker and operations tests spend most of their time waiting (for Chromium,
# a Celery worker, a subprocess), and two more workers fill that time; the fast suite alone is
# busy on both cores, where two more workers would only build the shared test worlds twice more
# (benchmarks/README.md, "The test suite"). The 20 slowest tests are listed at the end, to see
# where the suite's time goes.
# staticfiles/ exists so that whitenoise does not warn about it in every test.
TEST_WORKERS ?= 4
FAST_TEST_WORKERS ?= 2
test: $(DEPS_STAMP) $(NODE_STAMP) $(MO_STAMP) chromium pdf-libs services
	@mkdir -p staticfiles
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) --durations=20 $(PYTEST_ARGS)

# The tests that need no browser, no Celery worker, no schemathesis run and no operations tools
# (markers set in pyproject.toml and, for whole directories, tests/conftest.py).
FAST_TESTS := not (browser or worker or schemathesis or ops)
test-fast: $(DEPS_STAMP) $(NODE_STAMP) $(MO_STAMP) pdf-libs services
	@mkdir -p staticfiles
	$(TEST_ENV) $(PY) -m pytest -n $(FAST_TEST_WORKERS) --durations=20 -m "$(FAST_TESTS)" $(PYTEST_ARGS)

# The API against its OpenAPI schema as `make test` runs it (tests/api/test_schema.py), at full
# size: 50 examples per operation and the coverage phase (boundaries, methods the schema does not
# list), for the focal point and a partner user. -s prints each run's figures.
schemathesis: $(DEPS_STAMP) services
	@mkdir -p staticfiles
	$(TEST_ENV) SCHEMATHESIS_EXAMPLES=50 SCHEMATHESIS_COVERAGE=1 \
	  $(PY) -m pytest tests/api/test_schema.py -m schemathesis -s $(PYTEST_ARGS)

# --- checks -----------------------------------------------------------------------------------

lint: $(DEPS_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(DEV_ENV) $(VENV)/bin/mypy $(APP_DIRS)
	$(DEV_ENV) $(PY) manage.py makemigrations --check --dry-run

format: $(DEPS_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check-deploy: $(DEPS_STAMP)
	$(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# bandit fails on findings of high severity and high confidence (lower ones are reviewed in the
# code, with a reason beside each `# noqa: S...`). pip-audit fails on a known vulnerability only:
# when its service cannot be reached from this machine, scripts/audit_dependencies.py says that
# nothing was audited and does not fail; where only PyPI's project pages answer, it audits the
# packages installed at their latest release from those (see the script).
security: $(DEPS_STAMP)
	$(VENV)/bin/bandit -q -c pyproject.toml -r $(APP_DIRS) scripts --severity-level high --confidence-level high
	$(PY) scripts/audit_dependencies.py

bench: $(DEPS_STAMP) services
	$(BENCH_ENV) $(PY) benchmarks/activity_list.py $(BENCH_ARGS)

# Its own database; the token's request budget lifted (the benchmark is one client in a hurry).
bench-api: $(DEPS_STAMP) services
	$(BENCH_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench_api \
	  API_THROTTLE_TOKEN=1000000/minute $(PY) benchmarks/api_activities.py $(BENCH_ARGS)

bench-rollups: $(DEPS_STAMP) $(NODE_STAMP) services
	$(BENCH_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench_rollups \
	  $(PY) benchmarks/rollups.py $(BENCH_ARGS)

# The results dashboard on its own database.
bench-results: $(DEPS_STAMP) services
	$(BENCH_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench_results \
	  $(PY) benchmarks/bench_results.py $(BENCH_ARGS)

bench-standards: $(DEPS_STAMP) services
	$(BENCH_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench_standards \
	  $(PY) benchmarks/standards.py $(BENCH_ARGS)

bench-duplicates: $(DEPS_STAMP) services
	$(BENCH_ENV) DATABASE_URL=postgres://postgres@127.0.0.1:5432/ssc_bench_duplicates \
	  $(PY) benchmarks/duplicates.py $(BENCH_ARGS)

# gunicorn, a Celery worker and locust on loopback, on the activity list benchmark's database.
bench-load: $(DEPS_STAMP) $(NODE_STAMP) services
	$(BENCH_ENV) $(PY) benchmarks/load.py $(BENCH_ARGS)

demo: $(DEPS_STAMP) $(NODE_STAMP) $(MO_STAMP)
	$(DEV_ENV) $(PY) manage.py migrate --no-input
	$(DEV_ENV) $(PY) manage.py load_demo_data

clean:
	rm -rf $(STAMPS) .pytest_cache .mypy_cache .ruff_cache staticfiles
