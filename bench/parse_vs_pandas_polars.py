#!/usr/bin/env python3
"""Reading one export into memory: leadscore against pandas and polars.

    python3 bench/parse_vs_pandas_polars.py [--kind real|mixed] [--repeats 5] [--jsonl]
        [--tenants 60] [--seed 25] [--rows-per-tenant-min N] [--rows-per-tenant-max N]
        [--no-build]

The export comes from bench/real_export.py (written once into bench/data/, reused).
Compared, each with its default options:

* leadscore: `parse_bench FILE 1` (core/examples/parse_bench.rs: `data::read_path` into
  its typed table; the time is measured inside the process, one fresh process a round);
* pandas `read_csv` with the C engine (what users get), and with engine="pyarrow" when
  pyarrow is installed in the venv;
* polars `read_csv` (its thread pool uses every core).

With --jsonl the JSON Lines copy of the same rows is read instead: leadscore as above,
pandas `read_json(lines=True)`, polars `read_ndjson`.

Each reader reads the file once untimed (page cache, lazy initialisation), then
--repeats rounds run every reader once, the order rotating from round to round. Prints
the machine and versions, the shape each reader saw, and a table of median seconds,
MB/s (file size / median) and each reader's median over leadscore's (above 1: slower
than leadscore).

The script runs bench/setup_venv.sh and `cargo build --release -p leadscore --example
parse_bench`, then itself again inside bench/.venv; --no-build skips the build. The
binary is $LS_PARSE, by default target/release/examples/parse_bench.
"""
from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
import real_export  # noqa: E402


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    real_export.add_args(ap)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--jsonl", action="store_true", help="read the JSON Lines copy instead")
    ap.add_argument("--no-build", action="store_true", help="use the binary as it is")
    return ap


def outer(argv: list[str]) -> None:
    a = parser().parse_args(argv)
    build = None if a.no_build else ["cargo", "build", "--release", "-p", "leadscore", "--example", "parse_bench"]
    harness.relaunch(__file__, argv, build, {"LS_PARSE": "examples/parse_bench", "LS_CLI": "leadscore"}, drop_env=())


def built(path: str) -> str:
    """The binary's path and modification time (it may be rebuilt between runs)."""
    try:
        return f"{path}, built {time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(os.path.getmtime(path)))}"
    except OSError:
        return path


def version_of(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def inner(argv: list[str]) -> None:
    import numpy as np
    import pandas as pd
    import polars as pl

    a = parser().parse_args(argv)
    repeats = max(1, a.repeats)
    parse_bin = os.environ["LS_PARSE"]
    if not os.access(parse_bin, os.X_OK):
        sys.exit(f"parse_vs_pandas_polars: no parse_bench binary at {parse_bin} (set LS_PARSE)")
    paths = real_export.ensure(a.kind, a.tenants, a.seed, a.rows_per_tenant_min,
                               a.rows_per_tenant_max, jsonl=a.jsonl)
    path = paths["jsonl" if a.jsonl else "csv"]
    size_mb = path.stat().st_size / 1e6
    has_pyarrow = importlib.util.find_spec("pyarrow") is not None

    def pandas_shape(df):
        num = sum(pd.api.types.is_numeric_dtype(t) for t in df.dtypes)
        return df.shape[0], df.shape[1], num

    def polars_shape(df):
        return df.height, df.width, sum(t.is_numeric() for t in df.dtypes)

    # each reader: a function returning (seconds, (rows, cols, numeric columns))
    def leadscore():
        out = subprocess.run([parse_bin, str(path), "1"], check=True, capture_output=True,
                             text=True).stdout
        r = json.loads(out)
        return r["seconds"][0], (r["rows"], r["cols"], r["numeric_cols"])

    def timed(read, shape):
        def run():
            t = time.perf_counter()
            df = read()
            s = time.perf_counter() - t
            sh = shape(df)
            del df
            gc.collect()
            return s, sh
        return run

    if a.jsonl:
        readers = {
            "leadscore": leadscore,
            "pandas read_json(lines=True)": timed(lambda: pd.read_json(path, lines=True), pandas_shape),
            "polars read_ndjson": timed(lambda: pl.read_ndjson(path), polars_shape),
        }
    else:
        readers = {
            "leadscore": leadscore,
            "pandas read_csv": timed(lambda: pd.read_csv(path), pandas_shape),
            "polars read_csv": timed(lambda: pl.read_csv(path), polars_shape),
        }
        if has_pyarrow:
            readers["pandas read_csv(engine=pyarrow)"] = timed(
                lambda: pd.read_csv(path, engine="pyarrow"), pandas_shape)

    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}",
                f"pandas {pd.__version__}", f"polars {pl.__version__}"]
    if has_pyarrow:
        import pyarrow
        versions.append(f"pyarrow {pyarrow.__version__}")
    else:
        versions.append("pyarrow not installed (no pandas engine=pyarrow)")
    print(f"machine: {os.cpu_count()} cores (nproc {version_of(['nproc'])}), {harness.cpu_model()}, "
          f"load {os.getloadavg()[0]:.2f} at start; polars threads {pl.thread_pool_size()}")
    print(f"versions: {version_of([os.environ.get('LS_CLI', 'leadscore'), '--version'])} "
          f"(parse_bench {built(parse_bin)}); {', '.join(versions)}")
    print(f"file: {path} ({size_mb:.1f} MB); {repeats} rounds after one untimed read each")

    names = list(readers)
    shapes = {}
    for name in names:
        shapes[name] = readers[name]()[1]
    times = {name: [] for name in names}
    for r in range(repeats):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            s, shapes[name] = readers[name]()
            times[name].append(s)

    med = {name: statistics.median(v) for name, v in times.items()}
    base = med["leadscore"]
    print(f"load {os.getloadavg()[0]:.2f} at end")
    print()
    w = max(len(n) for n in names) + 2
    print(f"{'reader':<{w}}{'rows':>10}{'cols':>6}{'numeric':>9}{'median s':>10}{'MB/s':>8}"
          f"{'/ leadscore':>13}   each round (s)")
    for name in names:
        rows, cols, num = shapes[name]
        print(f"{name:<{w}}{rows:>10,}{cols:>6}{num:>9}{med[name]:>10.3f}{size_mb / med[name]:>8.1f}"
              f"{med[name] / base:>12.2f}x   {', '.join(f'{x:.3f}' for x in times[name])}")
    if len({shapes[n][:2] for n in names}) > 1:
        print("NOTE: the readers disagree on the number of rows or columns")


if __name__ == "__main__":
    harness.main(__file__, inner, outer)
