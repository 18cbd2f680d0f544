#!/usr/bin/env bash
# The report in a real browser: installs Debian's chromium when missing, trains a
# model on 20,000 demo rows (threshold policy max_f1, the random-forest challenger),
# writes its report with the CLI and runs report.mjs on it in headless Chromium
# (load without console errors, three slider positions against the model's
# threshold table, no JavaScript, a phone's width, a screenshot, size and load time).
# LEADSCORE_SCREENSHOT=PATH also copies the screenshot there (docs/report.png).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
PROFILE="${LEADSCORE_PROFILE:-debug}"

step() { printf '\n== %s\n' "$*"; }

step "chromium"
if ! command -v chromium >/dev/null; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q chromium
fi
chromium --version
node --version

step "the CLI ($PROFILE)"
if [ "$PROFILE" = release ]; then
    cargo build -q --release -p leadscore-cli
else
    cargo build -q -p leadscore-cli
fi
LS="$CARGO_TARGET_DIR/$PROFILE/leadscore"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

step "a model of 20,000 demo rows and its report"
"$LS" demo-data --out "$WORK/demo.csv" --tenants 4 --seed 7
head -n 20001 "$WORK/demo.csv" > "$WORK/train.csv"
"$LS" train "$WORK/train.csv" --target converted --threshold max_f1 --challenger \
    --out "$WORK/model.lsm" > "$WORK/train.txt"
"$LS" report "$WORK/model.lsm" --out "$WORK/report.html"
"$LS" inspect --json "$WORK/model.lsm" > "$WORK/model.json"

step "headless Chromium"
SHOT="$CARGO_TARGET_DIR/report-screenshot.png"
node --experimental-websocket --no-warnings tests/browser/report.mjs \
    "$WORK/report.html" "$WORK/model.json" "$SHOT"
if [ -n "${LEADSCORE_SCREENSHOT:-}" ]; then
    cp "$SHOT" "$LEADSCORE_SCREENSHOT"
fi
echo "browser tests passed"
