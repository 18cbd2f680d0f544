#!/usr/bin/env bash
# Builds the release wheel into bench/.venv-python (bench/wheel_venv.sh) and the C ABI
# latency tool (bench/php_score_c.c against the release libleadscore), then runs
# bench/text_vs_sklearn.py.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wheel_venv.sh"
cargo build -q --release -p leadscore-c
native="$(cargo rustc -q --release -p leadscore-c --crate-type staticlib -- --print native-static-libs 2>&1 \
    | sed -n 's/.*native-static-libs: //p' | tail -1)"
mkdir -p "$CARGO_TARGET_DIR/bench"
gcc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -I "$root/bindings-c/include" "$here/php_score_c.c" \
    "$CARGO_TARGET_DIR/release/libleadscore.a" $native -o "$CARGO_TARGET_DIR/bench/score_c"
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/text_vs_sklearn.py" \
    --score-c "$CARGO_TARGET_DIR/bench/score_c" "$@"
