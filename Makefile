# leadscore — one entry point for building, testing and benchmarking.
#   make test    every check CI runs: formatting, clippy, all tests
#   make demo    the demo: synthetic tenants, one model each
#   make bench   the benchmarks against scikit-learn (sets up bench/.venv)

CARGO ?= cargo

.PHONY: test fmt-check clippy unit demo bench golden test-node bench-node

test: fmt-check clippy unit

fmt-check:
	$(CARGO) fmt --all --check

clippy:
	$(CARGO) clippy --workspace --all-targets -- -D warnings

unit:
	$(CARGO) test --workspace

demo:
	$(CARGO) run --release -p leadscore-cli -- demo

# The Node package: npm ci, build the addon, node --test (see bindings-node/test.sh).
test-node:
	bindings-node/test.sh

# Node: leadscore vs the same model hand-written in JavaScript (builds release first).
bench-node:
	cd bindings-node && npm ci --no-audit --no-fund && npx napi build --platform --release --dts-header dts-header.d.ts
	node bench/node_score.mjs

bench:
	python3 bench/fit_vs_sklearn.py
	$(CARGO) bench -p leadscore

# Rewrites the golden model and fixtures (only when the format version changes).
golden:
	LEADSCORE_WRITE_GOLDEN=1 $(CARGO) test -p leadscore --test golden
