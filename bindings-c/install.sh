#!/usr/bin/env bash
# Installs the C library: bindings-c/install.sh PREFIX (make install PREFIX=...).
#   PREFIX/include/leadscore.h
#   PREFIX/lib/libleadscore.a
#   PREFIX/lib/libleadscore.so.X.Y.Z, with libleadscore.so.<abi> (the SONAME) and
#     libleadscore.so (for -lleadscore) as symlinks
#   PREFIX/lib/pkgconfig/leadscore.pc (pkg-config --cflags --libs [--static] leadscore)
# DESTDIR is honoured as packagers expect (files go under DESTDIR/PREFIX, the .pc file
# names PREFIX). LEADSCORE_PROFILE=debug installs the debug build (the tests do).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PREFIX="${1:-${PREFIX:-/usr/local}}"
case "$PREFIX" in
    /*) ;;
    *) echo "install.sh: PREFIX must be an absolute path, got \"$PREFIX\"" >&2; exit 2 ;;
esac
PROFILE="${LEADSCORE_PROFILE:-release}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
cd "$ROOT"

if [ "$PROFILE" = release ]; then
    cargo build -q --release -p leadscore-c
    DIR="$CARGO_TARGET_DIR/release"
    FLAG=--release
else
    cargo build -q -p leadscore-c
    DIR="$CARGO_TARGET_DIR/debug"
    FLAG=
fi
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
MAJOR="${VERSION%%.*}"
MINOR="$(echo "$VERSION" | cut -d. -f2)"
if [ "$MAJOR" = 0 ]; then ABI="0.$MINOR"; else ABI="$MAJOR"; fi
# The system libraries the static library needs, as rustc reports them.
NATIVE_LIBS="$(cargo rustc -q $FLAG -p leadscore-c --crate-type staticlib -- --print native-static-libs 2>&1 \
    | sed -n 's/.*native-static-libs: //p' | tail -1)"

DEST="${DESTDIR:-}$PREFIX"
install -d "$DEST/include" "$DEST/lib/pkgconfig"
install -m 644 bindings-c/include/leadscore.h "$DEST/include/leadscore.h"
install -m 644 "$DIR/libleadscore.a" "$DEST/lib/libleadscore.a"
install -m 755 "$DIR/libleadscore.so" "$DEST/lib/libleadscore.so.$VERSION"
ln -sf "libleadscore.so.$VERSION" "$DEST/lib/libleadscore.so.$ABI"
ln -sf "libleadscore.so.$ABI" "$DEST/lib/libleadscore.so"
cat > "$DEST/lib/pkgconfig/leadscore.pc" <<PC
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: leadscore
Description: Embeddable scoring runtime for CRM records (the C ABI)
Version: $VERSION
URL: https://example.invalid/leadscore
Libs: -L\${libdir} -lleadscore
Libs.private: $NATIVE_LIBS
Cflags: -I\${includedir}
PC
echo "installed leadscore $VERSION (SONAME libleadscore.so.$ABI) under $DEST"
