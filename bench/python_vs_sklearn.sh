#!/usr/bin/env bash
# Builds the release wheel into bench/.venv-python and runs bench/python_vs_sklearn.py.
# OpenBLAS core-type overrides (set on some machines for old OpenBLAS builds) slow a
# current numpy; they are unset for the benchmark command only.
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
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/python_vs_sklearn.py" "$@"
