# leadscore — one entry point for building, testing and benchmarking.
#   make test    every check CI runs: formatting, clippy, all tests
#   make demo    the demo: synthetic tenants, one model each
#   make bench   the benchmarks against scikit-learn (sets up bench/.venv)

CARGO ?= cargo

.PHONY: test fmt-check clippy unit demo bench golden test-c test-php bench-php

test: fmt-check clippy unit

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

demo:
	$(CARGO) run --release -p leadscore-cli -- demo

bench:
	python3 bench/fit_vs_sklearn.py
	$(CARGO) bench -p leadscore

# Rewrites the golden model and fixtures (only when the format version changes).
golden:
	LEADSCORE_WRITE_GOLDEN=1 $(CARGO) test -p leadscore --test golden

# The C ABI: header check, Rust tests, C tests under ASan + UBSan.
test-c:
	bindings-c/test.sh

# The PHP extension: .phpt suite, the same under valgrind, a real php -S server.
test-php:
	php-ext/test.sh

# Per-lead latency from PHP vs a plain-PHP dot product and vs the C ABI alone.
bench-php:
	bench/php_score.sh
