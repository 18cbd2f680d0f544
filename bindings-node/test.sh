#!/usr/bin/env bash
# Builds and tests the Node package `leadscore` (bindings-node/).
#
#   npm ci            exact dev dependencies (@napi-rs/cli) from package-lock.json
#   napi build        the native addon (release: the RSS loop runs 1,000,000 iterations)
#                     and index.js / index.d.ts, which must equal the committed ones
#   cargo test        the crate's own unit tests
#   node --test       test/*.test.{mjs,cjs}
#
# Needs only Rust, Node >= 20 and npm. Idempotent; fast when nothing changed.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
cd "$here"

export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

command -v node >/dev/null || { echo "test.sh: node (>= 20) is required" >&2; exit 1; }
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 20 ]; then
  echo "test.sh: Node >= 20 is required, found $(node --version)" >&2
  exit 1
fi

# Dev dependencies, exactly as locked; skipped when node_modules matches the lockfile.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.leadscore-lock; then
  npm ci --no-audit --no-fund
  cp package-lock.json node_modules/.leadscore-lock
fi

# Build; the generated loader and typings must be the committed ones.
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp index.d.ts index.js "$tmp/"
# The test hook (src/train.rs) is compiled in for the tests only.
npx napi build --platform --release --features test-hooks
for f in index.d.ts index.js; do
  if ! cmp -s "$tmp/$f" "$f"; then
    echo "test.sh: bindings-node/$f is out of date; the build regenerated it (commit the new one):" >&2
    diff -u "$tmp/$f" "$f" >&2 || true
    exit 1
  fi
done

cargo test -p leadscore-node --features test-hooks --quiet

node --test --test-reporter=spec test/*.test.mjs test/*.test.cjs
