# Một Cửa: `make run` starts the whole local stack, `make test` runs every test.
# Each target creates what it needs (virtualenvs, Debian's chromium, Lambda zips).
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
LAMBDA_VENV := .venv-lambda
STAGES ?= dev_account dev_submit dev_status dev_pay
DIST := dist
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test package lint bench chromium clean

# Reinstall only when the requirement files change.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(VENV)/bin/python || $(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements-dev.txt
	@touch $@

# The zips are built from a runtime-only venv: requirements.txt plus Zappa's handler.
$(LAMBDA_VENV)/.installed: requirements.txt infra/lambda/x265_stub.c infra/lambda/aiohttp_stub.py
	@# Rebuilt from scratch: a package dropped from requirements.txt must leave the zip too.
	rm -rf $(LAMBDA_VENV) && $(PYTHON) -m venv $(LAMBDA_VENV)
	$(LAMBDA_VENV)/bin/pip install -q -r requirements.txt zappa==0.63.0
	@# pillow-heif's 23 MB HEVC encoder is never used (we only decode HEIC): swap in a stub library.
	@command -v cc >/dev/null 2>&1 || { apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev; }
	@for lib in $(LAMBDA_VENV)/lib/python3*/site-packages/pillow_heif.libs/libx265-*.so*; do \
	  cc -shared -fPIC -O2 -Wl,-soname,$$(basename $$lib) -o $$lib infra/lambda/x265_stub.c || exit 1; \
	done
	@# pywebpush imports aiohttp only for an async API we never call: 3 MB of it leave for a small stand-in.
	$(LAMBDA_VENV)/bin/pip uninstall -q -y aiohttp aiosignal aiohappyeyeballs yarl multidict frozenlist propcache
	@site=$$(echo $(LAMBDA_VENV)/lib/python3*/site-packages) && mkdir -p $$site/aiohttp \
	  && cp infra/lambda/aiohttp_stub.py $$site/aiohttp/__init__.py
	@touch $@

run: $(VENV)/.installed
	$(VENV)/bin/python -m functions.local

chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update && apt-get install -y --no-install-recommends chromium fonts-noto-core; }

package: $(LAMBDA_VENV)/.installed
	@mkdir -p $(DIST)
	@for stage in $(STAGES); do \
	  VIRTUAL_ENV=$(CURDIR)/$(LAMBDA_VENV) PATH=$(CURDIR)/$(LAMBDA_VENV)/bin:$$PATH \
	  REQUESTS_CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt \
	  $(LAMBDA_VENV)/bin/zappa package $$stage -o $(DIST)/$$stage.zip >$(DIST)/$$stage.log 2>&1 \
	    || { cat $(DIST)/$$stage.log; exit 1; }; \
	  echo "built $(DIST)/$$stage.zip ($$(stat -c %s $(DIST)/$$stage.zip) bytes)"; \
	done

test: $(VENV)/.installed chromium package
	$(VENV)/bin/python -m pytest

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check functions tests bench
	$(VENV)/bin/cfn-lint infra/template.yaml

bench: $(VENV)/.installed chromium package
	@command -v tesseract >/dev/null 2>&1 || { apt-get update && apt-get install -y --no-install-recommends tesseract-ocr tesseract-ocr-vie; }
	$(VENV)/bin/python bench/coldstart.py
	$(VENV)/bin/python bench/pwa_weight.py
	$(VENV)/bin/python bench/photo.py
	$(VENV)/bin/python bench/transactions.py
	$(VENV)/bin/python bench/lifecycle_requests.py
	$(VENV)/bin/python bench/emulator_cpu.py
	$(VENV)/bin/python bench/pdf_gate.py --runs 3
	$(VENV)/bin/python bench/stack_stop.py
	$(VENV)/bin/python bench/load.py --users 200 --minutes 2
	$(VENV)/bin/python bench/stats_read.py 10 1000 20000
	$(VENV)/bin/python bench/stats_page_weight.py

clean:
	rm -rf $(DIST) .pytest_cache .ruff_cache
