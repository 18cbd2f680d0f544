# leadscore — one entry point for building, testing and benchmarking.
#   make test    every check CI runs: formatting, clippy, Rust tests, and each binding's
#                test script (installs what it needs: venv, npm ci, apt-get)
#   make demo    the demo: synthetic tenants, one model each
#   make bench   the benchmarks against scikit-learn (sets up bench/.venv)
#   make dist    the release artefacts in dist/ (docs/packaging.md)

CARGO ?= cargo

PREFIX ?= /usr/local

.PHONY: dist test-dist install test-browser test fmt-check clippy doc unit fuzz demo bench golden test-c test-php bench-php test-python bench-python test-node bench-node

test: fmt-check clippy doc unit fuzz test-c test-php test-python test-node test-browser test-dist

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# The core's API docs, public and private, without a broken link or a warning; and
# docs/benchmarks.md has a block for every benchmark bench/regenerate.py runs.
doc:
	RUSTDOCFLAGS="-D warnings" $(CARGO) doc -p leadscore --no-deps --document-private-items
	python3 bench/regenerate.py --check

# LEADSCORE_REQUIRE_FAULTS: the fault tests (a full tmpfs) must run, not be passed over.
unit:
	LEADSCORE_REQUIRE_FAULTS=1 $(CARGO) test --workspace

# Every fuzz target for a bounded time (fuzz/run.sh; longer: fuzz/run.sh 600).
fuzz:
	fuzz/run.sh 8

demo:
	$(CARGO) run --release -p leadscore-cli -- demo

# The report in headless Chromium (installs Debian's chromium when missing; see
# tests/browser/test.sh).
test-browser:
	tests/browser/test.sh

# The Node package: npm ci, build the addon, node --test (see bindings-node/test.sh).
test-node:
	bindings-node/test.sh

# Node: leadscore vs the same model hand-written in JavaScript (builds release first).
bench-node:
	cd bindings-node && npm ci --no-audit --no-fund && npx napi build --platform --release
	node bench/node_score.mjs

bench:
	python3 bench/fit_vs_sklearn.py
	$(CARGO) bench -p leadscore

# The Python package: builds the wheel into bindings-python/.venv and runs pytest
# (scikit-learn checks and a local[2] Spark session included).
test-python:
	bindings-python/test.sh

# leadscore vs scikit-learn from Python (release wheel; see bench/python_vs_sklearn.py).
bench-python:
	bench/python_vs_sklearn.sh

# Rewrites the golden model and fixtures (only when the format version changes).
golden:
	LEADSCORE_WRITE_GOLDEN=1 $(CARGO) test -p leadscore --test golden

# The C ABI: header check, Rust tests, C tests under ASan + UBSan.
test-c:
	bindings-c/test.sh

# The release artefacts in dist/: the wheel, the npm tarball, the PHP extension source
# and the C library (see tools/dist.sh and docs/packaging.md).
dist:
	tools/dist.sh

# Installs each artefact of dist/ as a user would (fresh venv, fresh npm project,
# phpize, pkg-config) and runs it (tools/test-dist.sh).
test-dist: dist
	tools/test-dist.sh

# The C library: header, static and shared library (SONAME'd), leadscore.pc under
# PREFIX (default /usr/local; DESTDIR honoured). See bindings-c/install.sh.
install:
	bindings-c/install.sh "$(PREFIX)"

# The PHP extension: .phpt suite, the same under valgrind, a real php -S server.
test-php:
	php-ext/test.sh

# Per-lead latency from PHP vs a plain-PHP dot product and vs the C ABI alone.
bench-php:
	bench/php_score.sh
