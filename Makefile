# Sentinel — build, run and test. `make run` and `make check` work on a fresh
# Debian 12 machine with the Swift toolchain; missing system packages are
# installed with apt (as root) the first time.

SWIFT        ?= swift
BUILD_DIR    := .build/debug
STATE        := $(CURDIR)/.sentinel
VENV         := $(CURDIR)/.venv
PYTHON       ?= python3
HTTP_LISTEN  ?= 127.0.0.1:8080

# System packages the build and the tests need (Debian names).
APT_PACKAGES := pkg-config libssl-dev libsqlite3-dev libsystemd-dev systemd systemd-journal-remote \
                util-linux passwd procps curl python3 python3-venv chromium chromium-driver

.PHONY: all deps build release venv run check test-unit test-e2e clean

all: build

## deps: install missing system packages (idempotent; needs root when something is missing)
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then echo "run as root (or: sudo apt-get install$$missing)"; exit 1; fi; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

## build: debug build of every target (warnings are errors, see Package.swift)
build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## venv: Python environment with the pinned independent clients used by the tests
venv: $(VENV)/.installed

$(VENV)/.installed: Tests/EndToEnd/requirements.txt
	@$(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: apt-get install python3-venv"; exit 1; }
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r Tests/EndToEnd/requirements.txt
	@touch $@

## run: build and run sentineld in the foreground on ./.sentinel and http://$(HTTP_LISTEN)
run: build
	@mkdir -p $(STATE)
	@echo "sentineld: state in $(STATE), HTTP on http://$(HTTP_LISTEN), demo endpoint http://$(HTTP_LISTEN)/mcp/demo"
	@echo "In another shell:  export SENTINEL_ADDRESS=unix:$(STATE)/control.sock; $(BUILD_DIR)/sentinelctl status"
	exec $(BUILD_DIR)/sentineld --config /dev/null --demo \
	  --state-directory $(STATE) --http-listen $(HTTP_LISTEN) \
	  --control-socket $(STATE)/control.sock --log-target stderr

## check: everything CI runs — build, unit tests, end-to-end tests against real peers
check: build venv test-unit test-e2e

test-unit: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-e2e: build venv
	SENTINEL_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) $(VENV)/bin/pytest -q Tests/EndToEnd

clean:
	rm -rf .build $(VENV)
