#!/usr/bin/env bash
# Builds the leadscore wheel with maturin into bindings-python/.venv and runs pytest.
#   bindings-python/test.sh            everything (Spark included)
#   LEADSCORE_PY_PROFILE=release ...   build the wheel optimised (default: dev, faster to build)
#   extra arguments go to pytest:  bindings-python/test.sh -k sklearn
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
venv="$here/.venv"
profile="${LEADSCORE_PY_PROFILE:-dev}"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"

python="${PYTHON:-python3}"
need_apt=()
"$python" -c 'import venv, ensurepip' 2>/dev/null || need_apt+=(python3-venv)
# Spark needs a Java 17+ runtime.
find_java() {
  for d in /usr/lib/jvm/java-17-openjdk-* /usr/lib/jvm/java-21-openjdk-*; do
    if [ -x "$d/bin/java" ]; then echo "$d"; return 0; fi
  done
  return 1
}
# Prefer the machine's OpenJDK 17/21 (what pyspark 4 supports) over any other JAVA_HOME.
java_home="$(find_java || true)"
if [ -z "$java_home" ] && [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
  java_home="$JAVA_HOME"
fi
if [ -z "$java_home" ] || [ "${#need_apt[@]}" -gt 0 ]; then
  apt-get update -qq
  if [ -z "$java_home" ]; then
    # Debian 12 has OpenJDK 17, Debian 13 OpenJDK 21; pyspark 4 runs on either.
    for pkg in openjdk-17-jre-headless openjdk-21-jre-headless; do
      if apt-cache show "$pkg" >/dev/null 2>&1; then need_apt+=("$pkg"); break; fi
    done
  fi
  echo "test.sh: installing ${need_apt[*]}" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}"
  [ -n "$java_home" ] || java_home="$(find_java)"
fi
export JAVA_HOME="$java_home"

if [ ! -x "$venv/bin/python" ]; then
  "$python" -m venv "$venv"
fi
stamp="$venv/.requirements.sha"
want="$(sha256sum "$here/requirements-test.txt" | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null || true)" != "$want" ]; then
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$here/requirements-test.txt"
  echo "$want" > "$stamp"
fi

# Build the abi3 wheel and install it (not an editable install: test what users get).
wheels="$CARGO_TARGET_DIR/wheels-python"
rm -f "$wheels"/leadscore-*.whl
args=(build -q -m "$here/Cargo.toml" -i "$venv/bin/python" -o "$wheels")
[ "$profile" = "release" ] && args+=(--release)
"$venv/bin/maturin" "${args[@]}"
wheel="$(ls "$wheels"/leadscore-*-cp39-abi3-*.whl)"
"$venv/bin/pip" install -q --force-reinstall --no-deps "$wheel"

cd "$here"
# Run from the tests folder's parent but import the installed wheel, not python/.
exec "$venv/bin/python" -m pytest -p no:cacheprovider -q "$@" tests
