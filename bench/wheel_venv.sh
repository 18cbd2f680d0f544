#!/usr/bin/env bash
# Sourced by the Python benchmarks: makes bench/.venv-python (numpy, pandas,
# scikit-learn, maturin, pinned) and installs the release wheel of this checkout into
# it. Sets `venv`, `root` and CARGO_TARGET_DIR.
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
