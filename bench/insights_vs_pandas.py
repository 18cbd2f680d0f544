#!/usr/bin/env python3
"""Data insights: `leadscore insights` against the same statistics in pandas + numpy +
scipy + scikit-learn.

    python3 bench/insights_vs_pandas.py [--rows 1000000] [--repeats 3] [--seed 7]
        [--bins 10] [--no-build]

The table (written once into bench/data/, git-ignored, and reused): ROWS rows of 40
columns: a 0/1 target `y` (about 20 % positive, from a logistic model of some
columns), 35 real-valued columns `x01`..`x35` (normal, log-normal, uniform and
heavy-tailed, written with 6 significant digits, 5 % of each missing; x34 and x35
nearly copy x01 and x02) and 4 categories `c1`..`c4` (3, 8, 40 and 300 levels, 2 %
missing).

Timed, each in one run of this script, rounds interleaved:

* leadscore: the CLI, `leadscore insights FILE --target y --json` (a fresh process a
  round, wall time: reading the CSV, every statistic, writing the JSON), and the core
  without the CSV (core/examples/insights_bench.rs: `insights()` on the table in
  memory, timed inside the process);
* the peer: `pandas.read_csv`, then per numeric column min, max, mean, std, the same
  quantiles, distinct count, a histogram per class on the same quantile edges
  (`np.quantile`, `np.histogram`), `scipy.stats.pearsonr`, `scipy.stats.kendalltau`
  (tau-b) and `sklearn.metrics.roc_auc_score`; per category the level counts by class
  and the same three measures of the level-rate encoding.

Prints the machine and versions, median seconds, the peer's time per statistic, the
ratios (peer / leadscore) and the largest difference between leadscore's Pearson,
Kendall tau-b and ROC AUC and the peer's over every column (a check that both computed
the same thing). Exits non-zero when that difference exceeds 1e-6.

The script runs bench/setup_venv.sh and `cargo build --release -p leadscore-cli -p
leadscore --bin leadscore --example insights_bench`, then itself again inside
bench/.venv; --no-build skips the build. The binaries are $LS_CLI and $LS_INSIGHTS (by
default target/release/leadscore and target/release/examples/insights_bench).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import time

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE / "data"
sys.path.insert(0, str(HERE))
import harness  # noqa: E402

QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
N_NUMERIC = 35
CATEGORIES = {"c1": 3, "c2": 8, "c3": 40, "c4": 300}


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--bins", type=int, default=10)
    ap.add_argument("--no-build", action="store_true", help="use the binaries as they are")
    return ap


def outer(argv: list[str]) -> None:
    a = parser().parse_args(argv)
    build = None if a.no_build else [
        "cargo", "build", "--release", "-p", "leadscore-cli", "-p", "leadscore",
        "--bin", "leadscore", "--example", "insights_bench"]
    harness.relaunch(__file__, argv, build,
                     {"LS_CLI": "leadscore", "LS_INSIGHTS": "examples/insights_bench"})


def ensure_table(rows: int, seed: int) -> pathlib.Path:
    """Writes the table once; the name carries everything that changes it."""
    import numpy as np
    import pandas as pd

    path = DATA / f"insights_{rows}r_seed{seed}.csv"
    if path.exists():
        return path
    DATA.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    cols: dict[str, np.ndarray] = {}
    for k in range(1, N_NUMERIC + 1):
        kind = k % 4
        if kind == 0:
            v = rng.normal(0.0, 1.0, rows)
        elif kind == 1:
            v = rng.lognormal(3.0, 1.0, rows)
        elif kind == 2:
            v = rng.uniform(-5.0, 5.0, rows)
        else:
            v = rng.standard_t(3, rows)
        cols[f"x{k:02d}"] = v
    # Two near copies: near-duplicate pairs to find.
    cols["x34"] = cols["x01"] * 2.0 + rng.normal(0.0, 0.01, rows)
    cols["x35"] = cols["x02"] - 1.0 + rng.normal(0.0, 0.001, rows)
    logit = (-1.6 + 0.5 * cols["x04"] + 0.3 * np.log(cols["x01"]) - 0.15 * cols["x02"]
             + 0.2 * np.clip(cols["x03"], -5, 5))
    cats = {}
    for name, levels in CATEGORIES.items():
        p = 1.0 / np.arange(1, levels + 1)
        codes = rng.choice(levels, size=rows, p=p / p.sum())
        effect = rng.normal(0.0, 0.5, levels)
        logit = logit + effect[codes]
        cats[name] = codes
    y = (rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))).astype(np.int8)
    df = pd.DataFrame({"y": y})
    for name, v in cols.items():
        v = v.copy()
        v[rng.random(rows) < 0.05] = np.nan
        df[name] = v
    for name, codes in cats.items():
        s = pd.Series(pd.Categorical.from_codes(codes, [f"{name}_{i}" for i in range(CATEGORIES[name])]))
        s = s.astype(object)
        s[rng.random(rows) < 0.02] = None
        df[name] = s
    tmp = path.with_suffix(".tmp")
    df.to_csv(tmp, index=False, float_format="%.6g")
    tmp.rename(path)
    print(f"wrote {path} ({rows} rows, {df.shape[1]} columns, {path.stat().st_size / 1e6:.0f} MB)",
          file=sys.stderr)
    return path


def peer(path: pathlib.Path, bins: int) -> tuple[float, float, dict, dict]:
    """pandas + numpy + scipy + sklearn: (read seconds, statistics seconds, seconds per
    statistic, {column: (pearson, kendall, auc)})."""
    import numpy as np
    import pandas as pd
    from scipy import stats
    from sklearn.metrics import roc_auc_score

    per = {k: 0.0 for k in ["describe", "histogram", "levels", "pearson", "kendall", "auc"]}

    def timed(key, f):
        t = time.perf_counter()
        r = f()
        per[key] += time.perf_counter() - t
        return r

    t0 = time.perf_counter()
    df = pd.read_csv(path)
    read = time.perf_counter() - t0
    t1 = time.perf_counter()
    y_all = df["y"].to_numpy().astype(np.int64)
    out = {}
    for c in df.columns:
        if c == "y":
            continue
        s = df[c]
        if pd.api.types.is_numeric_dtype(s):
            x = s.to_numpy(dtype=np.float64)
            m = ~np.isnan(x)
            xv, yv = x[m], y_all[m]

            def describe():
                return (xv.min(), xv.max(), xv.mean(), xv.std(ddof=1), np.quantile(xv, QUANTILES),
                        len(np.unique(xv)))

            timed("describe", describe)

            def histogram():
                edges = np.unique(np.quantile(xv, np.linspace(0.0, 1.0, bins + 1)))
                h0, _ = np.histogram(xv[yv == 0], edges)
                h1, _ = np.histogram(xv[yv == 1], edges)
                return h0, h1, int((y_all[~m] == 1).sum())

            timed("histogram", histogram)
            enc = xv
        else:
            def levels():
                mask = s.notna().to_numpy()
                codes, uniques = pd.factorize(s[mask])
                yv = y_all[mask]
                cnt = np.bincount(codes * 2 + yv, minlength=2 * len(uniques)).reshape(-1, 2)
                rate = cnt[:, 1] / cnt.sum(axis=1)
                top = np.argsort(-cnt.sum(axis=1), kind="stable")[:10]
                return rate[codes], yv, top

            enc, yv, _ = timed("levels", levels)
        r = timed("pearson", lambda: stats.pearsonr(enc, yv)[0])
        tau = timed("kendall", lambda: stats.kendalltau(enc, yv)[0])
        auc = timed("auc", lambda: roc_auc_score(yv, enc))
        out[c] = (float(r), float(tau), float(auc))
    return read, time.perf_counter() - t1, per, out


def version_of(cmd: list[str]) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def inner(argv: list[str]) -> None:
    import numpy as np
    import pandas as pd
    import scipy
    import sklearn

    a = parser().parse_args(argv)
    repeats = max(1, a.repeats)
    cli, core = os.environ["LS_CLI"], os.environ["LS_INSIGHTS"]
    for b in (cli, core):
        if not os.access(b, os.X_OK):
            sys.exit(f"insights_vs_pandas: no binary at {b} (set LS_CLI / LS_INSIGHTS)")
    path = ensure_table(a.rows, a.seed)
    size_mb = path.stat().st_size / 1e6

    def leadscore_cli():
        t = time.perf_counter()
        r = subprocess.run([cli, "insights", str(path), "--target", "y", "--json",
                            "--bins", str(a.bins)], check=True, capture_output=True, text=True)
        return time.perf_counter() - t, json.loads(r.stdout)

    def leadscore_core():
        r = subprocess.run([core, str(path), "y", "1"], check=True, capture_output=True, text=True)
        j = json.loads(r.stdout)
        return j["read_seconds"], j["median"]

    print(f"machine: {os.cpu_count()} cores (nproc {version_of(['nproc'])}), {harness.cpu_model()}, "
          f"load {os.getloadavg()[0]:.2f} at start")
    print(f"versions: {version_of([cli, '--version'])}; Python {platform.python_version()}, "
          f"numpy {np.__version__}, pandas {pd.__version__}, scipy {scipy.__version__}, "
          f"scikit-learn {sklearn.__version__}")
    print(f"file: {path} ({size_mb:.0f} MB); {repeats} interleaved rounds")

    times: dict[str, list[float]] = {k: [] for k in
                                     ["cli", "core_read", "core_insights", "peer_read", "peer_stats"]}
    peer_per: list[dict] = []
    insights_json = None
    peer_values = None
    for r in range(repeats):
        order = ["leadscore", "peer"] if r % 2 == 0 else ["peer", "leadscore"]
        for who in order:
            if who == "leadscore":
                s, insights_json = leadscore_cli()
                times["cli"].append(s)
                rd, ins = leadscore_core()
                times["core_read"].append(rd)
                times["core_insights"].append(ins)
            else:
                rd, st, per, peer_values = peer(path, a.bins)
                times["peer_read"].append(rd)
                times["peer_stats"].append(st)
                peer_per.append(per)
    med = {k: statistics.median(v) for k, v in times.items()}
    peer_total = [x + y for x, y in zip(times["peer_read"], times["peer_stats"])]
    med["peer_total"] = statistics.median(peer_total)
    print(f"load {os.getloadavg()[0]:.2f} at end")
    print()
    rows = [
        ("leadscore insights --json (CLI: read + statistics + JSON)", "cli"),
        ("  core: read_path", "core_read"),
        ("  core: insights() on the table in memory", "core_insights"),
        ("pandas read_csv + numpy/scipy/sklearn statistics", "peer_total"),
        ("  pandas read_csv", "peer_read"),
        ("  the statistics", "peer_stats"),
    ]
    print(f"{'contender':<60}{'median s':>10}   each round (s)")
    for label, key in rows:
        each = times.get(key, peer_total)
        print(f"{label:<60}{med[key]:>10.3f}   {', '.join(f'{x:.3f}' for x in each)}")
    per = {k: statistics.median(p[k] for p in peer_per) for k in peer_per[0]}
    print("peer seconds per statistic (median): "
          + ", ".join(f"{k} {v:.2f}" for k, v in per.items()))
    print()
    print(f"end to end: peer / leadscore CLI = {med['peer_total'] / med['cli']:.1f}x")
    print(f"statistics only: peer / leadscore core = {med['peer_stats'] / med['core_insights']:.1f}x")

    worst = (0.0, "")
    for col in insights_json["columns"]:
        name = col["name"]
        if name not in peer_values or col["association"] is None:
            continue
        a_ = col["association"]
        for label, ours, theirs in zip(["pearson", "kendall", "auc"],
                                       [a_["pearson"], a_["kendall_tau_b"], a_["roc_auc"]],
                                       peer_values[name]):
            d = abs(ours - theirs)
            if d > worst[0]:
                worst = (d, f"{name} {label}: {ours} vs {theirs}")
    print(f"largest difference from the peer's Pearson / Kendall tau-b / ROC AUC over "
          f"{len(peer_values)} columns: {worst[0]:.2e} {worst[1]}")
    warnings = [(w["column"], w["code"]) for w in insights_json["warnings"]]
    print(f"leadscore's warnings: {warnings}")
    if worst[0] > 1e-6:
        sys.exit("insights_vs_pandas: leadscore and the peer disagree")


if __name__ == "__main__":
    harness.main(__file__, inner, outer)
