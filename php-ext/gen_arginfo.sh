#!/usr/bin/env bash
# Regenerates leadscore_arginfo.h from leadscore.stub.php with php-src's gen_stub.php
# (shipped in php8.2-dev). gen_stub.php needs nikic/PHP-Parser 4.15.1 in a folder
# named PHP-Parser-4.15.1 next to itself and would download it; point
# PHP_PARSER_DIR at a local checkout of v4.15.1 instead. The script copies
# gen_stub.php to a temporary folder and links the parser beside it, so neither the
# system folder nor this repository ever holds PHP-Parser.
#   PHP_PARSER_DIR=/path/to/PHP-Parser php-ext/gen_arginfo.sh
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${PHP_PARSER_DIR:?set PHP_PARSER_DIR to a checkout of nikic/PHP-Parser v4.15.1}"
GEN_STUB="${GEN_STUB:-$( { find /usr/lib/php /usr/local/lib/php /usr/include/php -name gen_stub.php 2>/dev/null || true; } | head -1)}"
[ -f "$GEN_STUB" ] || { echo "gen_stub.php not found (install php8.2-dev or set GEN_STUB)" >&2; exit 1; }
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cp "$GEN_STUB" "$TMP/gen_stub.php"
ln -s "$(cd "$PHP_PARSER_DIR" && pwd)" "$TMP/PHP-Parser-4.15.1"
php "$TMP/gen_stub.php" -f "$HERE/leadscore.stub.php"
echo "wrote $HERE/leadscore_arginfo.h"
