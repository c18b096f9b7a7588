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
                util-linux passwd procps curl python3 python3-venv chromium chromium-driver groff-base man-db
# ... and what packaging and the system test need besides.
APT_PACKAGES_DEB    := debhelper devscripts lintian dpkg-dev fakeroot libcurl4-openssl-dev zlib1g-dev
APT_PACKAGES_SYSTEM := systemd-container debootstrap tar
DEB_DIR      := $(CURDIR)/build/deb

.PHONY: all deps deps-deb deps-system apt-install build release venv run check test-unit test-e2e \
        man deb units-check system-test bench clean

all: build

## deps: install missing system packages (idempotent; needs root when something is missing)
deps:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES)"

deps-deb:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES) $(APT_PACKAGES_DEB)"

deps-system:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES) $(APT_PACKAGES_DEB) $(APT_PACKAGES_SYSTEM)"

apt-install:
	@missing=""; for p in $(PACKAGES); do \
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

## check: everything CI runs — build, unit tests, end-to-end tests against real peers, a short fuzzing
## slice, the unit sandbox check, and the system test (builds the .deb, installs it on a real systemd)
check: build venv test-unit test-e2e fuzz-check units-check system-test

test-unit: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

test-e2e: build venv
	SENTINEL_BUILD_DIR=$(CURDIR)/$(BUILD_DIR) $(VENV)/bin/pytest -q Tests/EndToEnd

## fuzz: build the libFuzzer targets of Tests/Fuzz and run each for FUZZ_SECONDS (default 180); new corpus
## entries are kept in Tests/Fuzz/Corpus/<target>, crashes land in Tests/Fuzz/Regressions/<target> (see its README)
FUZZ_DIR           := Tests/Fuzz
FUZZ_BIN           := .build-fuzz/release
FUZZ_TARGETS       := json ini form sse stdio-line varlink-frame varlink-idl resource-uri
FUZZ_SECONDS       ?= 180
FUZZ_CHECK_SECONDS ?= 20
APT_PACKAGES_FUZZ  := libstdc++-12-dev
# libFuzzer without its main() (FuzzDriver starts it), from the Swift toolchain's clang resources.
FUZZ_RUNTIME        = $(firstword $(wildcard $(dir $(realpath $(shell command -v swiftc)))../lib/clang/*/lib/linux/libclang_rt.fuzzer_no_main-$(shell uname -m).a))
FUZZ_RUN           := SWIFT_BACKTRACE=enable=no
.PHONY: fuzz fuzz-build fuzz-check

fuzz-build:
	@$(MAKE) --no-print-directory apt-install PACKAGES="$(APT_PACKAGES) $(APT_PACKAGES_FUZZ)"
	@test -n "$(FUZZ_RUNTIME)" || { echo "libclang_rt.fuzzer_no_main is missing from the Swift toolchain"; exit 1; }
	$(SWIFT) build -c release --package-path $(FUZZ_DIR) --scratch-path .build-fuzz -Xlinker $(FUZZ_RUNTIME) -Xlinker -lstdc++

fuzz: fuzz-build
	@mkdir -p .build-fuzz/logs; for t in $(FUZZ_TARGETS); do \
	  echo "== fuzz-$$t for $(FUZZ_SECONDS) s (log: .build-fuzz/logs/$$t.log)"; mkdir -p $(FUZZ_DIR)/Regressions/$$t; \
	  $(FUZZ_RUN) $(FUZZ_BIN)/fuzz-$$t $(FUZZ_DIR)/Corpus/$$t -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_DIR)/Regressions/$$t/ > .build-fuzz/logs/$$t.log 2>&1; status=$$?; \
	  grep -E "^#[0-9]+[[:space:]]+DONE|^stat::number_of_executed_units|Fatal error|Test unit written" .build-fuzz/logs/$$t.log; \
	  [ $$status -eq 0 ] || { echo "fuzz-$$t found a crash: fix it, and name the input in $(FUZZ_DIR)/Regressions/$$t"; exit 1; }; \
	done

## fuzz-check: the slice `make check` runs: every committed regression input once, then each target for
## FUZZ_CHECK_SECONDS (default 20) from the committed corpus, writing nothing into the tree
fuzz-check: fuzz-build
	@scratch=$$(mktemp -d); trap 'rm -rf "$$scratch"' EXIT; \
	for t in $(FUZZ_TARGETS); do \
	  inputs=$$(find $(FUZZ_DIR)/Regressions/$$t -type f 2>/dev/null); \
	  if [ -n "$$inputs" ]; then \
	    $(FUZZ_RUN) $(FUZZ_BIN)/fuzz-$$t $$inputs > $$scratch/$$t.replay 2>&1 \
	      || { cat $$scratch/$$t.replay; echo "fuzz-$$t: a regression input fails again"; exit 1; }; \
	  fi; \
	  mkdir -p $$scratch/$$t .build-fuzz/crashes; \
	  $(FUZZ_RUN) $(FUZZ_BIN)/fuzz-$$t $$scratch/$$t $(FUZZ_DIR)/Corpus/$$t -max_total_time=$(FUZZ_CHECK_SECONDS) \
	    -timeout=10 -print_final_stats=1 -artifact_prefix=.build-fuzz/crashes/$$t- > $$scratch/$$t.log 2>&1 \
	    || { tail -40 $$scratch/$$t.log; echo "fuzz-$$t failed; keep the input above in $(FUZZ_DIR)/Regressions/$$t"; exit 1; }; \
	  echo "fuzz-$$t: $$(echo $$inputs | wc -w) regression inputs pass; $$(sed -n 's/^stat::number_of_executed_units: *//p' $$scratch/$$t.log) runs in $(FUZZ_CHECK_SECONDS) s, corpus $$(sed -n 's/^#[0-9]*[[:space:]]*DONE .*corp: \([0-9]*\).*/\1/p' $$scratch/$$t.log), no crash"; \
	done

## man: regenerate man/sentinelctl.1, sentineld.8 and sentineld.conf.5 from the built binaries
man: build
	$(PYTHON) man/generate.py $(BUILD_DIR)

## deb: build/deb/agent-sentinel_<version>_<arch>.deb (release build, static Swift stdlib), checked by lintian
deb: deps-deb
	@v=$$(sed -n 's/.*current = "\(.*\)".*/\1/p' Sources/SentinelCore/Version.swift); \
	c=$$(dpkg-parsechangelog -SVersion); \
	case "$$c" in "$$v"|"$$v"[-+~]*) ;; *) echo "debian/changelog version $$c does not match Version.swift $$v"; exit 1;; esac
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)
	dpkg-checkbuilddeps
	debian/rules clean
	debian/rules build
	DEB_DESTDIR=$(DEB_DIR) debian/rules binary
	debian/rules clean
	lintian --fail-on error,warning $(DEB_DIR)/agent-sentinel_*.deb
	@ls -l $(DEB_DIR)

## units-check: systemd-analyze security exposure of sentineld.service must stay at most 2.5
units-check: deps
	@unshare -m sh -c 'mount -n -t tmpfs tmpfs /run && \
	  systemd-analyze security --offline=yes --threshold=25 --no-pager systemd/sentineld.service > /run/security.txt; \
	  rc=$$?; grep -E "^✗|Overall" /run/security.txt; exit $$rc'

## system-test: install build/deb's package on systemd in a container and use it (root; see Tests/System)
system-test: deps-system deb venv
	Tests/System/run.sh $(DEB_DIR)

## bench: release builds of sentineld and of Benchmarks/, then every scenario (a few minutes); see Benchmarks/README.md
bench: deps venv
	$(SWIFT) build -c release --scratch-path .build-release
	$(SWIFT) build -c release --package-path Benchmarks
	SENTINEL_BUILD_DIR=$(CURDIR)/.build-release/release $(VENV)/bin/python Benchmarks/bench.py $(BENCH_ARGS)

clean:
	rm -rf .build .build-release .build-fuzz build Benchmarks/.build $(VENV) debian/generated
