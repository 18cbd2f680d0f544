#!/usr/bin/env bash
# Tests of the PHP extension: installs PHP 8.2 (Debian's php8.2-dev, php8.2-cli) and
# valgrind when missing, checks that leadscore_arginfo.h matches leadscore.stub.php,
# builds libleadscore.a and the extension (phpize && configure && make, in a copy
# under the cargo target folder), runs the .phpt suite, runs it again under
# valgrind, runs the real-server test (php -S on 127.0.0.1) and a PHP-FPM soak
# (php8.2-fpm, installed when missing).
# Idempotent; fails loudly on any failure, leak or skipped test.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PROFILE="${LEADSCORE_PROFILE:-debug}"   # the profile of libleadscore.a to link

step() { printf '\n== %s\n' "$*"; }

step "PHP 8.2, php-fpm and valgrind"
missing=()
command -v phpize8.2 >/dev/null || missing+=(php8.2-dev)
command -v php8.2 >/dev/null || missing+=(php8.2-cli)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v php-fpm8.2 >/dev/null || missing+=(php8.2-fpm)
command -v make >/dev/null || missing+=(make)
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
PHP=php8.2
PHPIZE=phpize8.2
PHP_CONFIG=php-config8.2
$PHP --version | head -1

step "leadscore_arginfo.h matches leadscore.stub.php"
# gen_stub.php records sha1 of the stub (CRLF normalised) in the header.
want="$($PHP -r 'echo sha1(str_replace("\r\n", "\n", file_get_contents($argv[1])));' php-ext/leadscore.stub.php)"
have="$(sed -n 's/^ \* Stub hash: \([0-9a-f]*\) \*\/$/\1/p' php-ext/leadscore_arginfo.h)"
if [ "$want" != "$have" ]; then
    echo "FAIL: leadscore_arginfo.h was generated from another stub (hash $have, stub is $want);" >&2
    echo "  regenerate it: PHP_PARSER_DIR=/path/to/PHP-Parser-4.15.1 php-ext/gen_arginfo.sh" >&2
    exit 1
fi
echo "stub hash $want"

step "libleadscore.a ($PROFILE)"
if [ "$PROFILE" = release ]; then
    cargo build -q --release -p leadscore-c
else
    cargo build -q -p leadscore-c
fi
LIBDIR="$CARGO_TARGET_DIR/$PROFILE"
NATIVE_LIBS="$(cargo rustc -q -p leadscore-c $([ "$PROFILE" = release ] && echo --release) --crate-type staticlib \
    -- --print native-static-libs 2>&1 | sed -n 's/.*native-static-libs: //p' | tail -1)"

step "build the extension (phpize && ./configure && make)"
BUILD="$CARGO_TARGET_DIR/php-ext-build"
rm -rf "$BUILD"
mkdir -p "$BUILD"
cp -r php-ext/config.m4 php-ext/leadscore.c php-ext/php_leadscore.h php-ext/leadscore_arginfo.h php-ext/tests "$BUILD/"
(
    cd "$BUILD"
    $PHPIZE >/dev/null
    LEADSCORE_INCLUDE="$ROOT/bindings-c/include" LEADSCORE_NATIVE_LIBS="$NATIVE_LIBS" \
        ./configure -q --with-php-config="$(command -v $PHP_CONFIG)" --with-leadscore="$LIBDIR"
    make -s CFLAGS="-O2 -g -Werror" >/dev/null
)
SO="$BUILD/modules/leadscore.so"
$PHP -n -d "extension=$SO" -r 'echo "loaded leadscore ", phpversion("leadscore"), "\n";'

run_phpt() { # $1: label, $2...: extra run-tests arguments
    local label="$1"
    shift
    local out="$BUILD/phpt-$label.log"
    set +e
    (cd "$BUILD" && LEADSCORE_ROOT="$ROOT" NO_INTERACTION=1 REPORT_EXIT_STATUS=1 \
        make test TESTS="$* tests/" >"$out" 2>&1)
    local rc=$?
    set -e
    grep -E '^(PASS|FAIL|SKIP|BORK|LEAK|WARN)|^Tests |^VALGRIND' "$out" || true
    if [ "$rc" -ne 0 ]; then
        echo "FAIL: the $label .phpt run failed (log: $out)" >&2
        for d in "$BUILD"/tests/*.diff "$BUILD"/tests/*.mem; do
            [ -s "$d" ] && { echo "--- $d"; head -60 "$d"; }
        done
        exit 1
    fi
    if ! grep -qE '^Tests passed +: +[1-9]' "$out" || grep -qE '^Tests skipped +: +[1-9]' "$out"; then
        echo "FAIL: the $label .phpt run skipped tests or passed none (log: $out)" >&2
        exit 1
    fi
}

step ".phpt suite"
run_phpt plain

step ".phpt suite under valgrind (memcheck, leak checks)"
# run-tests.php -m runs valgrind -q without a leak check; these options make every
# definite leak (Rust allocations included: USE_ZEND_ALLOC=0 is set) fail the test.
export VALGRIND_OPTS="--leak-check=full --show-leak-kinds=definite --errors-for-leak-kinds=definite"
run_phpt valgrind -m

step "real server: php -S on 127.0.0.1"
$PHP "$ROOT/php-ext/tests/server_test.php" "$SO" "$ROOT" "${LEADSCORE_SERVER_REQUESTS:-3000}"

step "PHP-FPM soak: scoring through a store while its model is replaced"
# Bounded: LEADSCORE_FPM_REQUESTS requests (100,000 by default), at most 240 s.
$PHP -n -d "extension=$SO" "$ROOT/php-ext/tests/fpm_soak.php" "$SO" "$ROOT" \
    "${LEADSCORE_FPM_REQUESTS:-100000}" 240

step "the README example (php-ext/example.php)"
$PHP -n -d "extension=$SO" php-ext/example.php

step "PHP extension: all tests passed"
