#!/usr/bin/env bash
# Builds the release wheel into bench/.venv-python and runs bench/python_vs_sklearn.py.
# OpenBLAS core-type overrides (set on some machines for old OpenBLAS builds) slow a
# current numpy; they are unset for the benchmark command only.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/wheel_venv.sh"
exec env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/python_vs_sklearn.py" "$@"
