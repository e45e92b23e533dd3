# FieldKit — the two set-up commands are `make run` and `make test` (README).
SHELL := /bin/bash
# make's own variables, and those given on a (nested) make's command line, which make exports,
# are kept out of SwiftPM's sight: it keeps the environment in each build command's signature,
# so a build under make, under a nested make or in the shell would each rebuild everything.
SWIFT ?= env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u CONFIGURATION -u INSTALL_BUILD -u DESTDIR -u PREFIX swift
SUDO := $(shell [ "$$(id -u)" = "0" ] || echo sudo)
RUNTIME_PKGS := libsqlite3-dev libarchive-dev pkg-config tzdata
TEST_PKGS := minisign zstd sqlite3 libarchive-tools curl chromium chromium-driver python3-selenium \
	zsh fish groff-base iproute2
# What `make bench` runs beside fieldkit: the C tools of the baselines, GNU time for peak RSS,
# a C compiler for Benchmarks/search.c (Benchmarks/README.md).
BENCH_PKGS := time openssl age sqlite3 zstd gcc libc6-dev python3
BENCH_EVENTS ?= 100000
BENCH_PAIRS ?= 5
PREFIX ?= /usr/local
DESTDIR ?=
# `make install` builds a release executable; `make test` installs the debug one it has just built
# into a scratch DESTDIR, without building again (INSTALL_BUILD=no): SwiftPM rebuilds every module
# whenever the build command or its environment differs from the last one.
CONFIGURATION ?= release
INSTALL_BUILD ?= yes
BIN := .build/debug/fieldkit
TEST_INSTALL := $(CURDIR)/.build/test-install

.PHONY: run test build build-tests install-deps install-test-deps install-bench-deps lint format man install \
	bench bench-full fuzz-build fuzz fuzz-smoke sanitize clean

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

install-bench-deps: install-deps
	$(call apt_install,$(BENCH_PKGS))

build: install-deps
	$(SWIFT) build

run: build
	$(BIN) tour

# The man page, rendered by argument-parser's generate-manual tool from the same definitions as
# --help and the completions. The tool is built from argument-parser's checkout in a build
# folder of its own: its plugin (`swift package generate-manual`) would rebuild the whole
# package, and the next `swift build` everything again.
MANUAL_TOOL := .build-tools/argument-parser/debug/generate-manual
man:
	@if [ "$(INSTALL_BUILD)" = yes ]; then $(SWIFT) build -c $(CONFIGURATION); fi
	@test -x .build/$(CONFIGURATION)/fieldkit || { echo "error: .build/$(CONFIGURATION)/fieldkit is not built" >&2; exit 66; }
	$(SWIFT) build --package-path .build/checkouts/swift-argument-parser \
		--scratch-path .build-tools/argument-parser --product generate-manual
	mkdir -p .build/man
	$(MANUAL_TOOL) .build/$(CONFIGURATION)/fieldkit \
		--authors "Leerorkest atelier" --output-directory .build/man

# Puts the executable, the completions and the man page under $(DESTDIR)$(PREFIX).
install: install-deps man
	@bin=".build/$(CONFIGURATION)/fieldkit"; root="$(DESTDIR)$(PREFIX)"; \
	set -e; \
	install -d "$$root/bin" "$$root/share/man/man1" "$$root/share/bash-completion/completions" \
		"$$root/share/zsh/site-functions" "$$root/share/fish/vendor_completions.d"; \
	install -m 0755 "$$bin" "$$root/bin/fieldkit"; \
	install -m 0644 .build/man/fieldkit.1 "$$root/share/man/man1/fieldkit.1"; \
	"$$bin" completions bash > "$$root/share/bash-completion/completions/fieldkit"; \
	"$$bin" completions zsh > "$$root/share/zsh/site-functions/_fieldkit"; \
	"$$bin" completions fish > "$$root/share/fish/vendor_completions.d/fieldkit.fish"; \
	echo "installed fieldkit, its man page and completions under $$root"

lint:
	$(SWIFT) format lint --strict --recursive Package.swift Sources Tests Plugins Benchmarks Fuzz

format:
	$(SWIFT) format --in-place --recursive Package.swift Sources Tests Plugins Benchmarks Fuzz

build-tests: install-test-deps
	$(SWIFT) build --build-tests

# The suite checks what `make install` put in place, so the install runs first (debug, scratch DESTDIR).
# Then each fuzz target runs briefly over its seeds (fuzz-smoke).
test: install-test-deps lint build-tests
	rm -rf $(TEST_INSTALL)
	$(MAKE) --no-print-directory install CONFIGURATION=debug INSTALL_BUILD=no DESTDIR=$(TEST_INSTALL) \
		PREFIX=/usr/local
	FIELDKIT_TEST_INSTALL=$(TEST_INSTALL)/usr/local $(SWIFT) test --skip-build --disable-xctest
	$(MAKE) --no-print-directory fuzz-smoke

# libFuzzer targets (Fuzz/, docs/threat-model.md "Fuzzing and sanitizers"): a package of their own,
# every module built with AddressSanitizer and the coverage libFuzzer reads, in a build folder of its
# own; only the fuzz executable links libFuzzer (Fuzz/Package.swift), since `-sanitize=fuzzer` on
# every module would also give the bundle packer's build tool libFuzzer's `main`.
FUZZ_TARGETS := archive minisign statement event receipt unseal
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_RUNS ?= 5000
FUZZ_BUILD := .build-fuzz
FUZZ_FLAGS = -max_len=65536 -rss_limit_mb=2048 -print_final_stats=1
FUZZ_ENV = LSAN_OPTIONS=suppressions=$(CURDIR)/Fuzz/lsan-suppressions.txt
fuzz-build: install-deps
	$(SWIFT) build --package-path Fuzz --scratch-path $(FUZZ_BUILD) -c debug --product fieldkit-fuzz \
		-Xswiftc -sanitize=address -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table

# Each target for FUZZ_SECONDS, starting from its committed seeds; what it finds is kept in
# .build-fuzz/corpus/TARGET (crashes as crash-* files in the current folder), not in the repository.
fuzz: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		mkdir -p $(FUZZ_BUILD)/corpus/$$t; \
		echo "fuzzing $$t for $(FUZZ_SECONDS) s"; \
		$(FUZZ_ENV) FIELDKIT_FUZZ_TARGET=$$t $(FUZZ_BUILD)/debug/fieldkit-fuzz $(FUZZ_FLAGS) -max_total_time=$(FUZZ_SECONDS) \
			$(FUZZ_BUILD)/corpus/$$t Fuzz/Corpus/$$t; \
	done

# Each target for FUZZ_SMOKE_RUNS inputs (part of `make test`).
fuzz-smoke: fuzz-build
	@set -e; for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_BUILD)/smoke/$$t; mkdir -p $(FUZZ_BUILD)/smoke/$$t; \
		echo "fuzzing $$t: $(FUZZ_SMOKE_RUNS) runs"; \
		if ! $(FUZZ_ENV) FIELDKIT_FUZZ_TARGET=$$t $(FUZZ_BUILD)/debug/fieldkit-fuzz $(FUZZ_FLAGS) -seed=1 -runs=$(FUZZ_SMOKE_RUNS) \
			$(FUZZ_BUILD)/smoke/$$t Fuzz/Corpus/$$t > $(FUZZ_BUILD)/smoke/$$t.log 2>&1; then \
			tail -n 40 $(FUZZ_BUILD)/smoke/$$t.log; echo "error: fuzzing $$t failed" >&2; exit 1; \
		fi; \
		grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|Done)' $(FUZZ_BUILD)/smoke/$$t.log; \
	done

# The suite under AddressSanitizer, then under ThreadSanitizer, each in a build folder of its own
# (the install test is left out: it checks `make test`'s install). LeakSanitizer is off here: at
# exit it reports what Swift globals and async tasks still hold (docs/threat-model.md); the fuzz
# targets check for leaks input by input instead.
sanitize: install-test-deps
	@set -e; for s in asan:address tsan:thread; do \
		echo "swift test under --sanitize=$${s#*:}"; \
		$(SWIFT) build --build-tests --sanitize=$${s#*:} --scratch-path .build-$${s%:*}; \
		ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --skip-build --sanitize=$${s#*:} \
			--scratch-path .build-$${s%:*} --disable-xctest; \
	done

# The side-by-side benchmark against the C tools (docs/PERFORMANCE.md): a release build, then
# Benchmarks/bench.py on BENCH_EVENTS generated events with BENCH_PAIRS interleaved pairs.
bench: install-bench-deps
	$(SWIFT) build -c release
	python3 Benchmarks/bench.py --events $(BENCH_EVENTS) --pairs $(BENCH_PAIRS)

bench-full:
	$(MAKE) --no-print-directory bench BENCH_EVENTS=1000000

clean:
	rm -rf .build .build-tools .build-fuzz .build-asan .build-tsan
