#!/usr/bin/env bash
# Builds libleadscore (release), the PHP extension against it and the C bench, then
# runs bench/php_score.php. Needs what php-ext/test.sh installs (PHP 8.2 dev).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cargo build -q --release -p leadscore-c
NATIVE_LIBS="$(cargo rustc -q --release -p leadscore-c --crate-type staticlib -- --print native-static-libs 2>&1 \
    | sed -n 's/.*native-static-libs: //p' | tail -1)"
BUILD="$CARGO_TARGET_DIR/php-ext-bench"
rm -rf "$BUILD" && mkdir -p "$BUILD"
cp -r php-ext/config.m4 php-ext/leadscore.c php-ext/php_leadscore.h php-ext/leadscore_arginfo.h "$BUILD/"
(
    cd "$BUILD"
    phpize8.2 >/dev/null
    LEADSCORE_INCLUDE="$ROOT/bindings-c/include" LEADSCORE_NATIVE_LIBS="$NATIVE_LIBS" \
        ./configure -q --with-php-config="$(command -v php-config8.2)" --with-leadscore="$CARGO_TARGET_DIR/release"
    make -s >/dev/null
)
gcc -std=c11 -O2 -Wall -Wextra -Wpedantic -Werror -I bindings-c/include bench/php_score_c.c \
    "$CARGO_TARGET_DIR/release/libleadscore.a" $NATIVE_LIBS -o "$BUILD/php_score_c"
echo "### PHP without opcache"
php8.2 -n -d "extension=$BUILD/modules/leadscore.so" bench/php_score.php "$BUILD/php_score_c"
# Production PHP usually runs with opcache; its JIT speeds up the plain-PHP peer.
if php8.2 -n -d zend_extension=opcache -r 'exit(function_exists("opcache_get_status") ? 0 : 1);' 2>/dev/null; then
    echo
    echo "### PHP with opcache and the tracing JIT"
    php8.2 -n -d zend_extension=opcache -d opcache.enable_cli=1 -d opcache.jit=tracing \
        -d opcache.jit_buffer_size=64M -d "extension=$BUILD/modules/leadscore.so" bench/php_score.php "$BUILD/php_score_c"
fi
