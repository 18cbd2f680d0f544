#!/usr/bin/env bash
# Creates bench/.venv (git-ignored) with the Python peers the benchmarks compare
# against: numpy, scipy, pandas, scikit-learn, imbalanced-learn, polars. Idempotent: does
# nothing when the venv already imports them all. Safe to run from any directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$root/bench/.venv"
py="${PYTHON:-python3}"

check() {
    [ -x "$venv/bin/python" ] &&
        "$venv/bin/python" -c 'import numpy, scipy, pandas, sklearn, threadpoolctl, imblearn, joblib, polars' >/dev/null 2>&1
}

if check; then
    exit 0
fi

if [ ! -x "$venv/bin/python" ]; then
    echo "setup_venv: creating $venv" >&2
    "$py" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    numpy scipy pandas scikit-learn threadpoolctl imbalanced-learn joblib polars

if ! check; then
    echo "setup_venv: $venv still cannot import numpy, scipy, pandas, scikit-learn, imbalanced-learn, polars" >&2
    exit 1
fi
echo "setup_venv: ready ($("$venv/bin/python" -c 'import sklearn, numpy; print("scikit-learn", sklearn.__version__, "numpy", numpy.__version__)'))" >&2
