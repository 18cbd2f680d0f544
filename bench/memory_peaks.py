#!/usr/bin/env python3
"""Peak memory (resident set size, from `/usr/bin/time -v`) of the CLI's verbs on a
real-valued multi-tenant export, against the size of the data as parsed columns.

    python3 bench/memory_peaks.py [--tenants 86] [--no-build]

The export comes from bench/real_export.py (86 tenants by default: about 850,000 rows,
189 MB). Each command runs once, in a fresh process, with the release CLI.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import re
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
import real_export  # noqa: E402

ROOT = HERE.parent


def peak(cmd: list[str], expect_fail: bool = False) -> tuple[int, float]:
    """Runs `cmd` under /usr/bin/time -v: (peak RSS in bytes, wall seconds)."""
    t0 = time.perf_counter()
    r = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if (r.returncode != 0) != expect_fail:
        sys.exit(f"memory_peaks: {' '.join(cmd)} exited {r.returncode}:\n{r.stderr[-2000:]}")
    m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", r.stderr)
    if not m:
        sys.exit("memory_peaks: /usr/bin/time -v gave no peak RSS")
    return int(m.group(1)) * 1024, wall


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tenants", type=int, default=86)
    ap.add_argument("--no-build", action="store_true", help="use the release CLI as it is")
    return ap


def outer(argv: list[str]) -> None:
    a = parser().parse_args(argv)
    build = None if a.no_build else ["cargo", "build", "--release", "-q", "-p", "leadscore-cli"]
    harness.relaunch(__file__, argv, build, {"LS_CLI": "leadscore"})


def inner(argv: list[str]) -> None:
    a = parser().parse_args(argv)
    if not pathlib.Path("/usr/bin/time").exists():
        sys.exit("memory_peaks: /usr/bin/time is missing (apt-get install time)")
    export = real_export.ensure("real", a.tenants, quiet=True)["csv"]
    size = export.stat().st_size
    with open(export, "rb") as f:
        rows = sum(1 for _ in f) - 1
    cols = real_export.N_FEATURES + 1  # the features and the target as f64 columns
    parsed = rows * cols * 8
    cli = os.environ["LS_CLI"]
    with tempfile.TemporaryDirectory(prefix="leadscore-mem-") as tmp:
        t = pathlib.Path(tmp)
        recipe = t / "standardise.recipe"
        recipe.write_text("".join(f"standardize(f{j:02d})\n" for j in range(1, real_export.N_FEATURES + 1)))
        runs = [
            ("reading it (`train --min-rows 100000000`, which stops after reading)",
             [cli, "train", str(export), "--target", "y", "--min-rows", "100000000", "--out", str(t / "x.lsm")], True),
            ("`train EXPORT --by tenant --out STORE` (defaults: CV, the `_global` model)",
             [cli, "train", str(export), "--by", "tenant", "--target", "y", "--out", str(t / "store"), "-q"], False),
            ("`score STORE EXPORT --by tenant --out scores.csv`",
             [cli, "score", str(t / "store"), str(export), "--by", "tenant", "--out", str(t / "scores.csv")], False),
            ("`train EXPORT --target y --cv 0` (one model, the auto recipe)",
             [cli, "train", str(export), "--target", "y", "--cv", "0", "--out", str(t / "one.lsm"), "-q"], False),
            ("`eval EXPORT --target y` (5 folds, the auto recipe)",
             [cli, "eval", str(export), "--target", "y"], False),
            ("`eval` with a recipe that only standardises the numbers",
             [cli, "eval", str(export), "--target", "y", "--recipe", str(recipe)], False),
        ]
        print(f"export: {export.name}, {rows:,} rows, {size / 1e6:.1f} MB; "
              f"{cols} numeric columns = {parsed / 1e6:.0f} MB as parsed f64 columns")
        print()
        print(f"{'command':<84} {'peak RSS':>10} {'x parsed':>9} {'wall':>8}")
        for what, cmd, fails in runs:
            rss, wall = peak(cmd, fails)
            print(f"{what:<84} {rss / 1e6:>7.0f} MB {rss / parsed:>8.2f}x {wall:>7.1f}s")


if __name__ == "__main__":
    harness.main(__file__, inner, outer)
