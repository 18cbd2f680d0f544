#!/usr/bin/env bash
# Builds the release artefacts into dist/ (make dist; docs/packaging.md):
#   leadscore-VERSION-cp39-abi3-manylinux_2_17_x86_64.whl   the Python wheel (abi3, stripped)
#   leadscore-VERSION.tar.gz                                the Python sdist
#   leadscore-VERSION.tgz                                   the npm package (stripped .node)
#   php_leadscore-VERSION-src.tgz                           the PHP extension source (phpize, PIE)
#   libleadscore-VERSION-x86_64-linux-gnu.tar.gz            the C library (header, .pc, .so, .a)
#   SHA256SUMS
# Release builds without debug info. The wheel is linked by zig (the ziglang package
# from PyPI, through maturin --zig) against glibc 2.17 symbols, so it is honestly
# manylinux_2_17 (manylinux2014); the .node and libleadscore are linked by the system
# toolchain and need the glibc they were built on (printed at the end).
# Needs Rust, python3 (with venv), Node >= 20 and npm; the Python build tools go into
# a virtual environment under the cargo target folder. Idempotent; dist/ is rebuilt
# from scratch. LEADSCORE_DIST_DIR overrides the output folder.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIST="${LEADSCORE_DIST_DIR:-$ROOT/dist}"
MATURIN_VERSION=1.16.0   # as bindings-python/requirements-test.txt
ZIGLANG_VERSION=0.17.0   # zig, the linker that targets glibc 2.17 (PyPI's ziglang)
MANYLINUX=manylinux2014  # = manylinux_2_17
TRIPLE=x86_64-linux-gnu

step() { printf '\n== %s\n' "$*"; }
die() { echo "dist.sh: $*" >&2; exit 1; }

VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
[ -n "$VERSION" ] || die "no version in the [workspace.package] of Cargo.toml"
for f in bindings-node/package.json bindings-python/pyproject.toml; do
    grep -q "\"$VERSION\"" "$f" || die "$f does not carry the workspace version $VERSION"
done

command -v node >/dev/null || die "node (>= 20) is required"
command -v npm >/dev/null || die "npm is required"
command -v strip >/dev/null || die "strip (binutils) is required"
command -v python3 >/dev/null || die "python3 is required"
if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    [ "$(id -u)" -eq 0 ] || die "python3-venv is missing (sudo apt-get install python3-venv)"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv
fi

WORK="$CARGO_TARGET_DIR/dist-work"
case "$(cd "$(dirname "$DIST")" 2>/dev/null && pwd)/$(basename "$DIST")" in
    /|//*|"$ROOT"|"$ROOT/"|"$HOME"|"$CARGO_TARGET_DIR") die "refusing to empty $DIST (set LEADSCORE_DIST_DIR to a folder of its own)" ;;
esac
rm -rf "$DIST" "$WORK"
mkdir -p "$DIST" "$WORK"

step "build tools: maturin $MATURIN_VERSION, ziglang $ZIGLANG_VERSION ($CARGO_TARGET_DIR/dist-venv)"
VENV="$CARGO_TARGET_DIR/dist-venv"
want="maturin==$MATURIN_VERSION ziglang==$ZIGLANG_VERSION"
if [ "$(cat "$VENV/.tools" 2>/dev/null || true)" != "$want" ]; then
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    # shellcheck disable=SC2086
    "$VENV/bin/pip" install -q --disable-pip-version-check $want
    echo "$want" > "$VENV/.tools"
fi

step "C library: libleadscore-$VERSION-$TRIPLE.tar.gz"
CNAME="libleadscore-$VERSION-$TRIPLE"
DESTDIR="$WORK/c-stage" bindings-c/install.sh /usr/local
mv "$WORK/c-stage/usr/local" "$WORK/$CNAME"
CDIR="$WORK/$CNAME"
# Relocatable: the .pc file finds its prefix from where it lies (pkg-config's pcfiledir).
sed -i 's|^prefix=.*|prefix=${pcfiledir}/../..|' "$CDIR/lib/pkgconfig/leadscore.pc"
strip --strip-unneeded "$CDIR/lib/libleadscore.so.$VERSION"
strip --strip-debug "$CDIR/lib/libleadscore.a"
install -m 644 bindings-c/README.md LICENSE-MIT LICENSE-APACHE "$CDIR/"
tar -C "$WORK" --owner=0 --group=0 --numeric-owner --sort=name -czf "$DIST/$CNAME.tar.gz" "$CNAME"

step "Python wheel (abi3, $MANYLINUX, stripped) and sdist"
# --zig: zig links against glibc 2.17's symbol versions; maturin then checks the
# extension's symbols against the manylinux policy before it tags the wheel.
# Its own target folder: zig's linker settings would otherwise invalidate the napi
# build's (same target triple) and each would rebuild the core every time.
CARGO_TARGET_DIR="$CARGO_TARGET_DIR/zig" PATH="$VENV/bin:$PATH" maturin build -q --release --strip --zig --compatibility "$MANYLINUX" \
    -m bindings-python/Cargo.toml -i "$VENV/bin/python" -o "$DIST"
"$VENV/bin/maturin" sdist -m bindings-python/Cargo.toml -o "$DIST"

step "npm package (stripped .node)"
NODE_STAGE="$WORK/node"
mkdir -p "$NODE_STAGE"
(
    cd bindings-node
    if [ ! -f node_modules/.package-lock.json ] || ! cmp -s package-lock.json node_modules/.leadscore-lock; then
        npm ci --no-audit --no-fund
        cp package-lock.json node_modules/.leadscore-lock
    fi
    # Built without the test-hooks feature; the loader and typings go to the stage too.
    npx napi build --platform --release --output-dir "$NODE_STAGE"
)
for f in index.js index.d.ts; do
    cmp -s "bindings-node/$f" "$NODE_STAGE/$f" \
        || die "bindings-node/$f is out of date (the build regenerated it differently); run bindings-node/test.sh and commit it"
done
NODE_FILES="$(node -p 'require("./bindings-node/package.json").files.filter((f) => !f.includes("*") && !f.startsWith("LICENSE")).join("\n")')"
for f in $NODE_FILES package.json README.md; do
    cp "bindings-node/$f" "$NODE_STAGE/"
done
cp LICENSE-MIT LICENSE-APACHE "$NODE_STAGE/"
strip --strip-unneeded "$NODE_STAGE"/leadscore.*.node
(cd "$NODE_STAGE" && npm pack --silent --pack-destination "$DIST" >/dev/null)

step "PHP extension source: php_leadscore-$VERSION-src.tgz"
PNAME="php_leadscore-$VERSION"
PDIR="$WORK/$PNAME"
mkdir -p "$PDIR"
install -m 644 php-ext/config.m4 php-ext/leadscore.c php-ext/php_leadscore.h php-ext/leadscore_arginfo.h \
    php-ext/leadscore.stub.php php-ext/example.php php-ext/README.md LICENSE-MIT LICENSE-APACHE "$PDIR/"
grep -q "PHP_LEADSCORE_VERSION \"$VERSION\"" "$PDIR/php_leadscore.h" \
    || die "php-ext/php_leadscore.h does not carry the workspace version $VERSION"
# The package's composer.json names its version (a path or artifact repository needs it).
python3 - php-ext/composer.json "$PDIR/composer.json" "$VERSION" <<'PY'
import json, sys
src, dst, version = sys.argv[1:]
pkg = json.load(open(src))
out = {}
for k, v in pkg.items():
    out[k] = v
    if k == "name":
        out["version"] = version
json.dump(out, open(dst, "w"), indent=4, ensure_ascii=False)
open(dst, "a").write("\n")
PY
tar -C "$WORK" --owner=0 --group=0 --numeric-owner --sort=name -czf "$DIST/$PNAME-src.tgz" "$PNAME"

step "checks and checksums"
WHEEL="$(ls "$DIST"/leadscore-"$VERSION"-cp39-abi3-*.whl)"
case "$WHEEL" in
    *manylinux_2_17_x86_64*) ;;
    *) die "the wheel is not tagged manylinux_2_17: $WHEEL" ;;
esac
[ -f "$DIST/leadscore-$VERSION.tgz" ] || die "npm pack did not write leadscore-$VERSION.tgz"
max_glibc() { objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1; }
echo "libleadscore.so needs $(max_glibc "$CDIR/lib/libleadscore.so.$VERSION")," \
    "the .node $(max_glibc "$NODE_STAGE"/leadscore.*.node)"
(cd "$DIST" && sha256sum -- * > SHA256SUMS)
ls -l "$DIST"
