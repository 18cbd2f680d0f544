#!/usr/bin/env bash
# Tests of the C ABI (crate leadscore-c, libleadscore): Rust unit tests, the header
# check (cbindgen regenerates include/leadscore.h; any difference fails), and the C
# tests compiled with -Wall -Wextra -Wpedantic -Werror under AddressSanitizer + UBSan.
# Idempotent; needs Rust, gcc and python3 (reads the expected-scores fixture).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
CBINDGEN_VERSION=0.29.4   # pinned: the committed header must be byte-identical

step() { printf '\n== %s\n' "$*"; }

step "cbindgen $CBINDGEN_VERSION"
if ! command -v cbindgen >/dev/null || [ "$(cbindgen --version | awk '{print $2}')" != "$CBINDGEN_VERSION" ]; then
    cargo install cbindgen --locked --version "$CBINDGEN_VERSION"
fi
export PATH="$HOME/.cargo/bin:$PATH"

step "header is up to date (bindings-c/include/leadscore.h)"
GEN="$CARGO_TARGET_DIR/leadscore.h.generated"
mkdir -p "$CARGO_TARGET_DIR"
cbindgen --quiet --config bindings-c/cbindgen.toml --crate leadscore-c --output "$GEN"
if ! diff -u bindings-c/include/leadscore.h "$GEN"; then
    echo "FAIL: bindings-c/include/leadscore.h is stale; regenerate it with:" >&2
    echo "  cbindgen --config bindings-c/cbindgen.toml --crate leadscore-c --output bindings-c/include/leadscore.h" >&2
    exit 1
fi

step "Rust tests of leadscore-c"
cargo test -q -p leadscore-c

step "C tests under AddressSanitizer + UBSan"
cargo build -q -p leadscore-c
OUT="$CARGO_TARGET_DIR/ctest"
mkdir -p "$OUT"
python3 - "$ROOT/tests/fixtures/expected/wa_churn_v1.json" > "$OUT/expected.txt" <<'PY'
import json, sys
for s in json.load(open(sys.argv[1]))["scores"]:
    print(repr(s["probability"]))
PY
# The system libraries the static library needs, as rustc reports them.
NATIVE_LIBS="$(cargo rustc -q -p leadscore-c --crate-type staticlib -- --print native-static-libs 2>&1 \
    | sed -n 's/.*native-static-libs: //p' | tail -1)"
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -I bindings-c/include bindings-c/tests/test_leadscore.c \
    "$CARGO_TARGET_DIR/debug/libleadscore.a" $NATIVE_LIBS -o "$OUT/test_leadscore"
rm -rf "$OUT/work" && mkdir -p "$OUT/work"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$OUT/test_leadscore" "$ROOT" "$OUT/expected.txt" "$OUT/work"

step "C ABI on every fixture set (tests/conformance), under AddressSanitizer + UBSan"
gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -g -O1 \
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer \
    -I bindings-c/include bindings-c/tests/conformance.c \
    "$CARGO_TARGET_DIR/debug/libleadscore.a" $NATIVE_LIBS -lm -o "$OUT/conformance"
python3 tests/conformance/prepare.py "$OUT/conformance.d"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$OUT/conformance" "$OUT/conformance.d/spec.txt" "$OUT/conformance.jsonl"
python3 tests/conformance/check.py "$OUT/conformance.jsonl" --binding c

step "make install: SONAME, symlinks, pkg-config, shared and static linking"
INST="$OUT/prefix"
rm -rf "$INST" "$OUT/destdir"
LEADSCORE_PROFILE=debug bindings-c/install.sh "$INST" >/dev/null
SONAME="$(readelf -d "$INST/lib/libleadscore.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
case "$SONAME" in
    libleadscore.so.[0-9]*) echo "SONAME $SONAME" ;;
    *) echo "FAIL: libleadscore.so has no SONAME (got \"$SONAME\")" >&2; exit 1 ;;
esac
[ "$(readlink "$INST/lib/libleadscore.so")" = "$SONAME" ] || { echo "FAIL: libleadscore.so does not point at $SONAME" >&2; exit 1; }
cat > "$OUT/installed.c" <<'C'
#include <leadscore.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    ls_model *m = NULL;
    if (ls_model_load(argv[1], &m) != LS_STATUS_OK) {
        fprintf(stderr, "%s\n", ls_last_error_message());
        return 1;
    }
    const char *lead = "{\"tenure\": 2, \"contract\": \"Month-to-month\"}";
    ls_score s;
    int rc = ls_model_score_json_record(m, lead, strlen(lead), &s) == LS_STATUS_OK ? 0 : 1;
    printf("%.6f\n", s.probability);
    ls_model_free(m);
    return rc;
}
C
export PKG_CONFIG_PATH="$INST/lib/pkgconfig"
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Werror "$OUT/installed.c" $(pkg-config --cflags --libs leadscore) -o "$OUT/installed_shared"
# shellcheck disable=SC2046
gcc -std=c11 -Wall -Werror "$OUT/installed.c" $(pkg-config --cflags leadscore) \
    "$INST/lib/libleadscore.a" $(pkg-config --static --libs-only-l leadscore | sed 's/-lleadscore//') -o "$OUT/installed_static"
readelf -d "$OUT/installed_shared" | grep -q "NEEDED.*\[$SONAME\]" \
    || { echo "FAIL: the program does not record $SONAME" >&2; exit 1; }
MODEL="$ROOT/tests/fixtures/models/wa_churn_v1.lsm"
P1="$(LD_LIBRARY_PATH="$INST/lib" "$OUT/installed_shared" "$MODEL")"
P2="$("$OUT/installed_static" "$MODEL")"
[ "$P1" = "$P2" ] || { echo "FAIL: shared $P1 vs static $P2" >&2; exit 1; }
echo "shared and static builds against the installed library agree: $P1"

step "C ABI: all tests passed"
