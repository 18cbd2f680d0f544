#!/usr/bin/env bash
# Installs each artefact of dist/ (make dist) as a user would and runs it
# (make test-dist, after make dist):
#   Python  a fresh venv installs the wheel and runs the quick start of
#           bindings-python/README.md (its figures must come out); the wheel's tag and
#           the extension's glibc symbol versions must agree (manylinux_2_17)
#   Node    a fresh npm project installs the tarball, type-checks a TypeScript program
#           with tsc --strict without and with @types/node, then runs it
#   C       cc app.c $(pkg-config --cflags --libs leadscore) against the unpacked
#           libleadscore tarball and against make install PREFIX=...; shared and static
#   PHP     the extension source package builds with phpize && ./configure && make
#           against the installed C library (--with-leadscore=PREFIX, and pkg-config),
#           loads, and scores; its composer.json is what PIE reads
# Every binding scores the same lead with the same model and must print the same
# probability. Installs what it needs (python3-venv, php8.2-dev, pkg-config, gcc,
# make) with apt-get when missing. Fails loudly; never skips.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
DIST="${LEADSCORE_DIST_DIR:-$ROOT/dist}"
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
MODEL="$ROOT/tests/fixtures/models/wa_churn_v1.lsm"
PHP=php8.2

step() { printf '\n== %s\n' "$*"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

step "tools (apt-get for what is missing)"
missing=()
python3 -c 'import venv, ensurepip' 2>/dev/null || missing+=(python3-venv)
command -v phpize8.2 >/dev/null || missing+=(php8.2-dev)
command -v $PHP >/dev/null || missing+=(php8.2-cli)
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v cc >/dev/null || missing+=(gcc)
command -v make >/dev/null || missing+=(make)
command -v objdump >/dev/null || missing+=(binutils)
if [ "${#missing[@]}" -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi
command -v node >/dev/null || fail "node (>= 20) is required"
TSC="$ROOT/bindings-node/node_modules/typescript/bin/tsc"
[ -f "$TSC" ] || fail "$TSC is missing: make dist runs npm ci in bindings-node"

WHEEL="$(ls "$DIST"/leadscore-"$VERSION"-cp39-abi3-*.whl 2>/dev/null || true)"
NPM_TGZ="$DIST/leadscore-$VERSION.tgz"
C_TGZ="$DIST/libleadscore-$VERSION-x86_64-linux-gnu.tar.gz"
PHP_TGZ="$DIST/php_leadscore-$VERSION-src.tgz"
for f in "$WHEEL" "$DIST/leadscore-$VERSION.tar.gz" "$NPM_TGZ" "$C_TGZ" "$PHP_TGZ" "$DIST/SHA256SUMS"; do
    [ -n "$f" ] && [ -f "$f" ] || fail "missing artefact ${f:-the wheel} in $DIST: run make dist"
done
(cd "$DIST" && sha256sum --quiet -c SHA256SUMS) || fail "dist/SHA256SUMS does not match the artefacts"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# No debug info, no symbol table; the highest glibc symbol version it needs.
check_stripped() { # $1: a shared object
    if readelf -S "$1" | grep -qE '\.(debug_[a-z]+|symtab) '; then
        fail "$1 is not stripped (it has debug sections or a symbol table)"
    fi
}
max_glibc() { objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1; }

# The lead every binding scores (README figures: 0.2578... with wa_churn_v1.lsm).
LEAD_JSON='{"tenure": 1, "contract": "Month-to-month", "monthly_charges": "29,85", "internet_service": "DSL"}'

step "Python: a fresh venv installs $(basename "$WHEEL") and runs the quick start"
case "$(basename "$WHEEL")" in
    *manylinux_2_17_x86_64*) ;;
    *) fail "the wheel is not tagged manylinux_2_17: $WHEEL" ;;
esac
mkdir -p "$TMP/whl" && (cd "$TMP/whl" && python3 -m zipfile -e "$WHEEL" .)
SO="$TMP/whl/leadscore/_native.abi3.so"
check_stripped "$SO"
glibc="$(max_glibc "$SO")"
[ "$(printf '%s\nGLIBC_2.17\n' "$glibc" | sort -V | tail -1)" = GLIBC_2.17 ] \
    || fail "the wheel is tagged manylinux_2_17 but its extension needs $glibc"
ls "$TMP/whl"/leadscore-"$VERSION".dist-info/licenses/LICENSE-MIT >/dev/null || fail "the wheel carries no licence files"
echo "extension $(stat -c %s "$SO") bytes, stripped, needs glibc ${glibc#GLIBC_}"
python3 -m venv "$TMP/venv"
"$TMP/venv/bin/pip" install -q --disable-pip-version-check "$WHEEL"
mkdir -p "$TMP/py" && ln -s "$ROOT/examples" "$TMP/py/examples"
(cd "$TMP/py" && "$TMP/venv/bin/python" - "$ROOT/bindings-python/README.md" "$MODEL" "$LEAD_JSON") > "$TMP/py.out" <<'PY'
import json, re, sys
readme, model_path, lead = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
text = open(readme, encoding="utf-8").read()
quick = text[text.index("## Quick start"):]
code = re.search(r"```python\n(.*?)```", quick, re.S).group(1)
ns = {}
exec(compile(code, "README quick start", "exec"), ns)
import leadscore
assert "/site-packages/leadscore/" in leadscore.__file__, leadscore.__file__
model = ns["model"]
# The figures the README shows beside its code.
auc = re.search(r'model\.metrics\["roc_auc"\]\s+# ([0-9.]+)', code).group(1)
p = re.search(r"'probability': ([0-9.]+)\.\.\.", code).group(1)
assert f'{model.metrics["roc_auc"]:.{len(auc) - 2}f}' == auc, (model.metrics["roc_auc"], auc)
got = model.score({"tenure": 2, "contract": "Month-to-month", "monthly_charges": 70.5})["probability"]
assert str(got).startswith(p), (got, p)
assert leadscore.Model.load("churn.lsm").score({"tenure": 2})["probability"] == model.score({"tenure": 2})["probability"]
print(f"{leadscore.Model.load(model_path).score(lead)['probability']:.6f}")
PY
P_PY="$(cat "$TMP/py.out")"
echo "quick start ran; the lead scores $P_PY"

step "Node: a fresh npm project installs $(basename "$NPM_TGZ"), tsc --strict, runs it"
listing="$(tar tzf "$NPM_TGZ")"
for f in package/package.json package/README.md package/LICENSE-MIT package/LICENSE-APACHE package/index.d.ts \
    package/index.js package/index.mjs package/main.js package/leadscore.linux-x64-gnu.node; do
    grep -qx "$f" <<<"$listing" || fail "the npm tarball lacks $f"
done
mkdir -p "$TMP/node"
cd "$TMP/node"
printf '{ "name": "leadscore-dist-check", "version": "1.0.0", "private": true, "type": "module" }\n' > package.json
npm install --silent --no-audit --no-fund --no-package-lock "$NPM_TGZ"
check_stripped node_modules/leadscore/leadscore.linux-x64-gnu.node
echo ".node $(stat -c %s node_modules/leadscore/leadscore.linux-x64-gnu.node) bytes, stripped, needs glibc" \
    "$(max_glibc node_modules/leadscore/leadscore.linux-x64-gnu.node | sed 's/GLIBC_//')"
# Paths are literals: without @types/node there is no `process`.
MODEL_JS="$(node -p 'JSON.stringify(process.argv[1])' "$MODEL")"
CSV_JS="$(node -p 'JSON.stringify(process.argv[1])' "$ROOT/examples/data/wa_churn.csv")"
cat > app.ts <<TS
import { Model, train, version, InvalidInputError, LeadScoreError, type Lead, type Metrics, type ErrorCode } from 'leadscore'

const model: Model = Model.load($MODEL_JS)
const lead: Lead = $LEAD_JSON
const p: number = model.score(lead)
const detailed = model.scoreDetailed(lead)
const score: number = detailed.score
const reasons: string[] = model.explain(lead, 3).positive.map((r) => r.label)
let code: ErrorCode | '' = ''
try {
  model.score({ tenure: 'many' })
} catch (e: unknown) {
  if (e instanceof InvalidInputError) code = e.code
  else if (e instanceof LeadScoreError) throw new Error('not an InvalidInputError: ' + e.code)
  else throw e
}
const fresh = await train({ csv: $CSV_JS }, { target: 'churn', cv: 3, seed: 1 })
const metrics: Metrics | null = fresh.metrics()
const batch: Float64Array = await fresh.scoreBatchAsync([lead, { tenure: 60, contract: 'Two year' }])
console.log(JSON.stringify({ version: version(), p: p.toFixed(6), score, reasons: reasons.length, code, auc: metrics?.rocAuc, batch: batch.length }))
TS
[ ! -d node_modules/@types ] || fail "the fresh project has node_modules/@types"
base=(node "$TSC" --strict --target es2022 --module nodenext --moduleResolution nodenext)
"${base[@]}" --noEmit app.ts || fail "tsc --strict rejected app.ts without @types/node"
"${base[@]}" --noEmit --typeRoots "$ROOT/bindings-node/node_modules/@types" --types node app.ts \
    || fail "tsc --strict rejected app.ts with @types/node"
"${base[@]}" --outDir out app.ts
node out/app.js > "$TMP/node.out"
cat "$TMP/node.out"
node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
const want = process.argv[2]
if (r.version !== want) throw new Error(`version ${r.version}, want ${want}`)
if (!r.p.startsWith("0.2578")) throw new Error(`p ${r.p}, the README says 0.2578...`)
if (r.code !== "INVALID_INPUT" || r.reasons !== 3 || r.batch !== 2 || !(r.auc > 0.8 && r.auc < 0.9)) throw new Error("unexpected result")
' "$TMP/node.out" "$VERSION"
P_NODE="$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).p' "$TMP/node.out")"
cd "$ROOT"

step "C: cc app.c \$(pkg-config --cflags --libs leadscore), from the tarball and from make install"
mkdir -p "$TMP/c"
tar -C "$TMP/c" -xzf "$C_TGZ"
CPREFIX="$TMP/c/libleadscore-$VERSION-x86_64-linux-gnu"
for f in include/leadscore.h lib/libleadscore.a lib/libleadscore.so lib/pkgconfig/leadscore.pc README.md LICENSE-MIT; do
    [ -e "$CPREFIX/$f" ] || fail "the C tarball lacks $f"
done
SONAME="$(readelf -d "$CPREFIX/lib/libleadscore.so" | sed -n 's/.*Library soname: \[\(.*\)\]/\1/p')"
case "$SONAME" in
    libleadscore.so.[0-9]*) ;;
    *) fail "libleadscore.so has no SONAME (got \"$SONAME\")" ;;
esac
check_stripped "$(readlink -f "$CPREFIX/lib/libleadscore.so")"
INST="$TMP/prefix"
make -s install PREFIX="$INST" >/dev/null
cat > "$TMP/c/app.c" <<'C'
#include <leadscore.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    ls_model *m = NULL;
    if (ls_model_load(argv[1], &m) != LS_STATUS_OK) {
        fprintf(stderr, "%s\n", ls_last_error_message());
        return 1;
    }
    ls_score s;
    int rc = ls_model_score_json_record(m, argv[2], strlen(argv[2]), &s) == LS_STATUS_OK ? 0 : 1;
    if (rc) fprintf(stderr, "%s\n", ls_last_error_message());
    else printf("%.6f\n", s.probability);
    ls_model_free(m);
    return rc;
}
C
for where in "$CPREFIX" "$INST"; do
    export PKG_CONFIG_PATH="$where/lib/pkgconfig"
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Werror "$TMP/c/app.c" $(pkg-config --cflags --libs leadscore) -o "$TMP/c/app_shared"
    # shellcheck disable=SC2046
    cc -std=c11 -Wall -Wextra -Werror "$TMP/c/app.c" $(pkg-config --cflags leadscore) \
        "$(pkg-config --variable=libdir leadscore)/libleadscore.a" \
        $(pkg-config --static --libs-only-l leadscore | sed 's/-lleadscore//') -o "$TMP/c/app_static"
    readelf -d "$TMP/c/app_shared" | grep -q "NEEDED.*\[$SONAME\]" || fail "app_shared does not record $SONAME"
    P_C="$(LD_LIBRARY_PATH="$where/lib" "$TMP/c/app_shared" "$MODEL" "$LEAD_JSON")"
    P_C_STATIC="$("$TMP/c/app_static" "$MODEL" "$LEAD_JSON")"
    [ "$P_C" = "$P_C_STATIC" ] || fail "shared $P_C vs static $P_C_STATIC ($where)"
    echo "$where: shared and static agree: $P_C"
done
unset PKG_CONFIG_PATH

step "PHP: the extension builds from $(basename "$PHP_TGZ") with phpize, loads and scores"
mkdir -p "$TMP/php"
tar -C "$TMP/php" -xzf "$PHP_TGZ"
PSRC="$TMP/php/php_leadscore-$VERSION"
$PHP -r '
$c = json_decode(file_get_contents($argv[1]), true, 512, JSON_THROW_ON_ERROR);
foreach (["type" => "php-ext", "version" => $argv[2]] as $k => $v) {
    if (($c[$k] ?? null) !== $v) { fwrite(STDERR, "composer.json: $k is not $v\n"); exit(1); }
}
if (($c["php-ext"]["extension-name"] ?? null) !== "leadscore") { fwrite(STDERR, "composer.json: extension-name\n"); exit(1); }
foreach ($c["php-ext"]["configure-options"] ?? [] as $o) echo $o["name"], "\n";
' "$PSRC/composer.json" "$VERSION" > "$TMP/php/options.txt" || fail "composer.json is not PIE's php-ext package"
build_ext() { # $1: label; the rest: configure arguments
    local label="$1"
    shift
    rm -rf "$TMP/php/$label" && cp -r "$PSRC" "$TMP/php/$label"
    (
        cd "$TMP/php/$label"
        log="$TMP/php/$label.log"
        { phpize8.2 && ./configure --with-php-config="$(command -v php-config8.2)" "$@" && make; } >"$log" 2>&1 \
            || { tail -40 "$log" >&2; exit 1; }
    ) || fail "the extension did not build ($label: configure $*)"
}
# Every configure option composer.json offers PIE exists in ./configure --help.
build_ext prefix --with-leadscore="$INST"
while read -r opt; do
    grep -q -- "--$opt" <(cd "$TMP/php/prefix" && ./configure --help) \
        || fail "composer.json offers --$opt, which ./configure does not know"
done < "$TMP/php/options.txt"
PKG_CONFIG_PATH="$CPREFIX/lib/pkgconfig" build_ext pkgconfig --with-leadscore
for label in prefix pkgconfig; do
    EXT="$TMP/php/$label/modules/leadscore.so"
    ldd "$EXT" | grep -q libleadscore && fail "$label: leadscore.so links libleadscore.so (it should be static)"
    P_PHP="$($PHP -n -d "extension=$EXT" -r '
        $m = LeadScore\Model::load($argv[1]);
        printf("%.6f\n", $m->score(json_decode($argv[2], true)));' "$MODEL" "$LEAD_JSON")"
    echo "$label: phpversion('leadscore') $($PHP -n -d "extension=$EXT" -r 'echo phpversion("leadscore");'), the lead scores $P_PHP"
    [ "$P_PHP" = "$P_C" ] || fail "PHP ($label) $P_PHP vs C $P_C"
done

step "the same probability everywhere"
echo "Python $P_PY, Node $P_NODE, C $P_C, PHP $P_PHP"
[ "$P_PY" = "$P_C" ] && [ "$P_NODE" = "$P_C" ] || fail "the bindings disagree"
step "dist artefacts: all tests passed"
