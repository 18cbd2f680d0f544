#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for a bounded time, seeded with the
# repository's fixtures: model files, CSV and JSON Lines data, records, recipes.
# Fails on any crash, panic, timeout or memory blow-up (libFuzzer's -rss_limit_mb).
# Installs cargo-fuzz when missing. Builds without a sanitizer (a stable toolchain has
# none); the targets' own asserts and Rust's checks find the bugs.
#
#   fuzz/run.sh [SECONDS_PER_TARGET]     (default 8; longer runs: 600 or more)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
SECS="${1:-8}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
command -v cargo-fuzz >/dev/null || cargo install -q cargo-fuzz --locked --version 0.13.2

WORK="$CARGO_TARGET_DIR/fuzz-work"
mkdir -p "$WORK"
seed() { # $1: target; the seed files follow
    local t="$1"
    shift
    mkdir -p "$WORK/corpus/$t"
    for f in "$@"; do cp "$f" "$WORK/corpus/$t/seed-$(basename "$f")"; done
}
seed model_bytes tests/fixtures/models/*.lsm
for f in examples/data/*.csv tests/fixtures/data/*.csv; do
    mkdir -p "$WORK/corpus/csv"
    head -c 3000 "$f" >"$WORK/corpus/csv/seed-$(basename "$f")"
done
seed jsonl tests/fixtures/records/*.jsonl
mkdir -p "$WORK/corpus/record_json"
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" >"$WORK/corpus/record_json/seed-$n.json"
done < <(cat tests/fixtures/records/*.jsonl)
seed recipe tests/fixtures/recipes/*.recipe

TARGETS=(model_bytes csv jsonl record_json recipe)
echo "building ${#TARGETS[@]} fuzz targets"
(cd fuzz && cargo fuzz build -s none -O --target-dir "$CARGO_TARGET_DIR/fuzz" >/dev/null)
for t in "${TARGETS[@]}"; do
    mkdir -p "$WORK/artifacts/$t"
    max_len=4096
    [ "$t" = model_bytes ] && max_len=65536
    printf '%-12s %3ss: ' "$t" "$SECS"
    set +e
    (cd fuzz && cargo fuzz run -s none -O --target-dir "$CARGO_TARGET_DIR/fuzz" "$t" "$WORK/corpus/$t" -- \
        -max_total_time="$SECS" -max_len="$max_len" -rss_limit_mb=1024 -timeout=10 \
        -artifact_prefix="$WORK/artifacts/$t/" -print_final_stats=1) >"$WORK/$t.log" 2>&1
    rc=$?
    set -e
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$WORK/$t.log" | tail -1)"
    cov="$(grep -oE 'cov: [0-9]+' "$WORK/$t.log" | tail -1)"
    if [ "$rc" -ne 0 ]; then
        echo "FAIL (exit $rc)"
        grep -E 'panicked|ERROR|SUMMARY|Test unit written' "$WORK/$t.log" | head -20
        exit 1
    fi
    echo "${runs:-?} runs, ${cov:-cov ?}, no failure"
done
echo "fuzzing: all targets ran clean"
