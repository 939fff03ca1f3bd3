# Settle: `make run` starts the demo on SQLite; `make test` runs the whole suite on PostgreSQL.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle
# The demo and the benchmarks run on this machine with DEBUG off, as production does, so
# they make the choices a production start refuses to guess: a secret key (generated once
# into var/), the sandbox gateway and plain HTTP; e-mails are printed, not sent.
# Values in your environment win.
DEMO_KEY := var/demo-secret-key
LOCAL_TARGETS := run worker bench bench-reads bench-writes bench-memory bench-exports bench-profile bench-admin bench-pdf bench-bank bench-aged bench-webhooks
$(LOCAL_TARGETS): export SETTLE_GATEWAY ?= sandbox
$(LOCAL_TARGETS): export SETTLE_ALLOW_HTTP ?= 1
$(LOCAL_TARGETS): export SETTLE_EMAIL_BACKEND ?= django.core.mail.backends.console.EmailBackend
$(LOCAL_TARGETS): export DJANGO_SECRET_KEY ?= $(shell cat $(DEMO_KEY) 2>/dev/null)

.PHONY: install run worker test lint messages format clean bench bench-reads bench-writes bench-memory bench-exports bench-profile bench-admin bench-pdf bench-bank bench-aged bench-webhooks

$(BIN)/.installed: requirements.txt requirements-dev.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else "Python 3.12+ is required (see .python-version)")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

install: $(BIN)/.installed

$(DEMO_KEY):
	@umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: export SETTLE_LOG_FORMAT ?= text
run: export SETTLE_PUBLIC_URL ?= http://$(HOST):$(PORT)
run: export SETTLE_WEBHOOKS_ALLOW_PRIVATE ?= 1
run: install $(DEMO_KEY)  ## set up, migrate, seed the demo and serve app + worker + scheduler + webhook relay on http://$(HOST):$(PORT)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	SETTLE_LOG_LEVEL=WARNING $(BIN)/python manage.py seed_demo --base-url http://$(HOST):$(PORT)
	SETTLE_LOG_LEVEL=WARNING $(BIN)/python manage.py seed_demo_statement
	@echo "Settle is starting: back office http://$(HOST):$(PORT)/admin/ (admin / admin)," \
	  "portal http://$(HOST):$(PORT)/portal/ (lena / lena-demo). Ctrl-C stops app, worker and scheduler."
	@exec scripts/run-together \
	  "$(BIN)/python manage.py db_worker --interval 1" \
	  "$(BIN)/python manage.py run_scheduler" \
	  "$(BIN)/python manage.py deliver_webhooks" \
	  "$(BIN)/gunicorn -c config/gunicorn.conf.py --bind $(HOST):$(PORT) --workers 2"

worker: install $(DEMO_KEY)  ## background work for production: the task worker, the periodic-jobs scheduler and the webhook relay
	@exec scripts/run-together "$(BIN)/python manage.py db_worker" "$(BIN)/python manage.py run_scheduler" \
	  "$(BIN)/python manage.py deliver_webhooks"

test: install  ## the whole suite, on PostgreSQL ($$TEST_DATABASE_URL)
	@scripts/run-tests $(ARGS)

export BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle_bench

export BENCH_WRITES_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle_bench_writes

export BENCH_PDF_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle_bench_pdf

export BENCH_BANK_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle_bench_bank
export BENCH_EXPORTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle_bench_exports
export BENCH_AGED_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle_bench_aged
export BENCH_WEBHOOKS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/settle_bench_webhooks

bench: bench-writes bench-reads bench-admin bench-memory  ## all benchmarks (needs wrk and pgbench; bench/README.md)

bench-reads: install $(DEMO_KEY)  ## 1,000,000 payments: latency of retrieve, lists, cursors, query, search
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.reads

bench-admin: install $(DEMO_KEY)  ## the back office's pages over 1,000,000 payments: median under 150 ms
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.admin_pages

bench-memory: install $(DEMO_KEY)  ## a worker's peak RSS streaming the CSV export of 1,000,000 payments
	DATABASE_URL=$(BENCH_DATABASE_URL) $(BIN)/python -m bench.memory

bench-exports: install $(DEMO_KEY)  ## peak RSS of a worker streaming 100,000 rows of each CSV export
	DATABASE_URL=$(BENCH_EXPORTS_DATABASE_URL) $(BIN)/python -m bench.exports

bench-writes: install $(DEMO_KEY)  ## POST /api/v1/payments under wrk at 2/8/32 connections vs a pgbench floor
	BENCH_DATABASE_URL=$(BENCH_WRITES_DATABASE_URL) $(BIN)/python -m bench.writes

bench-pdf: install $(DEMO_KEY)  ## a 200-line invoice rendered to PDF 10 times: median under 1 s
	DATABASE_URL=$(BENCH_PDF_DATABASE_URL) $(BIN)/python -m bench.pdf

bench-bank: install $(DEMO_KEY)  ## import and match a 10,000-line CAMT.053 against 100,000 open invoices: under 30 s
	SETTLE_LOG_LEVEL=WARNING DATABASE_URL=$(BENCH_BANK_DATABASE_URL) $(BIN)/python -m bench.bank_import
bench-aged: install $(DEMO_KEY)  ## aged receivables over 100,000 invoices, as of today and past dates: median under 500 ms
	DATABASE_URL=$(BENCH_AGED_DATABASE_URL) $(BIN)/python -m bench.aged_receivables

bench-webhooks: install $(DEMO_KEY)  ## payments with three webhook endpoints vs none: within 10 %; 10,000 events delivered in under 60 s
	SETTLE_LOG_LEVEL=WARNING BENCH_DATABASE_URL=$(BENCH_WEBHOOKS_DATABASE_URL) $(BIN)/python -m bench.webhooks

bench-profile: install $(DEMO_KEY)  ## py-spy on the workers under the write load: where a payment's CPU goes
	BENCH_DATABASE_URL=$(BENCH_WRITES_DATABASE_URL) $(BIN)/python -m bench.profile

messages: install  ## refresh the German catalogue of e-mails and documents, then compile it
	DATABASE_URL=sqlite://:memory: $(BIN)/python manage.py makemessages -l de --no-obsolete \
	  --ignore=.venv --ignore=tests --ignore=bench --ignore='templates/admin/*' \
	  --ignore='templates/portal/*' --ignore='backoffice/*' --ignore='api/*'
	msgfmt --check -o locale/de/LC_MESSAGES/django.mo locale/de/LC_MESSAGES/django.po

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles .pytest_cache
