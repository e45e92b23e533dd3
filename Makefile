# FieldKit — the two set-up commands are `make run` and `make test` (README).
SHELL := /bin/bash
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
RUNTIME_PKGS := libsqlite3-dev libarchive-dev pkg-config
TEST_PKGS := minisign zstd sqlite3 libarchive-tools curl chromium chromium-driver python3-selenium
PREFIX ?= /usr/local
BIN := .build/debug/fieldkit

.PHONY: run test build install-deps install-test-deps lint format tour clean

# Installs only the packages that are missing; runs `apt-get update` once before installing.
define apt_install
	@missing=""; for p in $(1); do dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
endef

install-deps:
	$(call apt_install,$(RUNTIME_PKGS))

install-test-deps: install-deps
	$(call apt_install,$(TEST_PKGS))

build: install-deps
	$(SWIFT) build

run: build
	@scratch=$$(mktemp -d -t fieldkit-run.XXXXXX); \
	echo "fieldkit tour is not written yet: initialising a scratch data folder in $$scratch and running 'fieldkit status' there."; \
	$(BIN) init --data-dir "$$scratch/device" --device demo-laptop --site AMS-ZO-01 --technician "Demo Technician" && \
	$(BIN) status --data-dir "$$scratch/device" && \
	$(BIN) guide list --data-dir "$$scratch/device" --lang en | head -20

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Plugins

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Plugins

test: install-test-deps lint
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest

clean:
	rm -rf .build
