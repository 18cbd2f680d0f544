#!/usr/bin/env bash
# Builds the release wheel into bench/.venv-python (as python_vs_sklearn.sh does) and the
# C ABI latency tool (bench/php_score_c.c against the release libleadscore), then runs
# bench/text_vs_sklearn.py.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv-python"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q maturin==1.16.0 numpy==2.4.6 pandas==3.1.1 scikit-learn==1.9.1 threadpoolctl==3.8.0
wheels="$CARGO_TARGET_DIR/wheels-bench"
rm -f "$wheels"/leadscore-*.whl
"$venv/bin/maturin" build -q --release -m "$root/bindings-python/Cargo.toml" -i "$venv/bin/python" -o "$wheels"
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheels"/leadscore-*.whl
cargo build -q --release -p leadscore-c
native="$(cargo rustc -q --release -p leadscore-c --crate-type staticlib -- --print native-static-libs 2>&1 \
    | sed -n 's/.*native-static-libs: //p' | tail -1)"
mkdir -p "$CARGO_TARGET_DIR/bench"
gcc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -I "$root/bindings-c/include" "$here/php_score_c.c" \
    "$CARGO_TARGET_DIR/release/libleadscore.a" $native -o "$CARGO_TARGET_DIR/bench/score_c"
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/text_vs_sklearn.py" \
    --score-c "$CARGO_TARGET_DIR/bench/score_c" "$@"
