# The two commands that matter: `make run` and `make test`. Everything else serves them.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/handwritten
REDIS ?= redis://127.0.0.1:6379/0
# The suite's own secret; production must bring its own (settings refuse to start without).
# Its own Celery queue too, so a `make worker` on the same Redis never takes a test's task.
TEST_ENV := SECRET_KEY=test-only-secret-key-not-for-production HANDWRITTEN_TESTING=1 \
	CELERY_QUEUE=handwritten-test

.PHONY: install run test test-sqlite test-postgres lint bench worker clean

$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(BIN)/.installed

## make run: SQLite, tasks in-process, demo users printed, http://127.0.0.1:8000
run: install
	DEBUG=1 $(BIN)/python manage.py migrate --noinput
	DEBUG=1 $(BIN)/python manage.py seed_demo
	DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:8000

## make test: lint, migrations check, the suite on SQLite, then on PostgreSQL + Redis if reachable
test: install lint
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(MAKE) test-sqlite
	@if $(BIN)/python tests/reachable.py "$(PG_URL)"; then \
		$(MAKE) test-postgres; \
	else \
		echo "PostgreSQL not reachable at $(PG_URL): the PostgreSQL pass is skipped."; \
	fi

test-sqlite: install
	env -u DATABASE_URL -u REDIS_URL $(TEST_ENV) $(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL="$(PG_URL)" REDIS_URL="$(REDIS)" $(TEST_ENV) $(BIN)/pytest -q $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

## make bench: speed and memory figures, one JSON object per line (needs PostgreSQL)
bench: install
	DATABASE_URL="$(PG_URL)" $(TEST_ENV) $(BIN)/python -m tests.bench

worker: install
	$(BIN)/celery -A config worker --loglevel=info --concurrency=2

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* media staticfiles .pytest_cache .ruff_cache
