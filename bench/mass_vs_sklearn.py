#!/usr/bin/env python3
"""Mass training: leadscore against a scikit-learn loop on the same export.

    python3 bench/mass_vs_sklearn.py [--tenants 700] [--seed 7] [--threads 2] [--repeats 3]

Writes (once) a multi-tenant export with `leadscore demo-data` under bench/data/
(git-ignored), then, in one run:

* in memory on both sides: each tenant's rows split the same way (every fifth row is
  a test row); scikit-learn fits StandardScaler (+ mean imputation and a missing flag)
  / OneHotEncoder + RandomOverSampler + LogisticRegression per tenant with joblib over
  the cores; leadscore fits its auto pipeline with upsampling per tenant on the same
  number of threads (core/examples/mass_bench.rs), twice: with its defaults (the auto
  recipe -- numbers binned too, the comment's words -- and C chosen per tenant), and
  with scikit-learn's features and C (bench/mass_plain.recipe, C = 1: the same model,
  so the same work). Only the training loop is timed, `--repeats` times on each side,
  the sides taking turns (medians are compared); the same-work run's mean test ROC AUC
  must agree with scikit-learn's within 0.005, and the defaults' must not be lower.
* end to end from the CSV: pandas read_csv + groupby + the loop, against
  `leadscore train EXPORT --by tenant --out STORE` (index, per-tenant parse, train,
  atomic save of every model). Parsing is reported separately.

Prints medians where repeated and the ratios.
"""
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
VENV_PY = HERE / ".venv" / "bin" / "python"
INNER = "--inner"


def arg(argv, name, default):
    return type(default)(argv[argv.index(name) + 1]) if name in argv else default


def outer(argv):
    if subprocess.run(["bash", str(HERE / "setup_venv.sh")]).returncode != 0:
        sys.exit("mass_vs_sklearn: bench/setup_venv.sh failed")
    cmd = ["cargo", "build", "--release", "-p", "leadscore-cli", "-p", "leadscore",
           "--example", "mass_bench", "--bin", "leadscore"]
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        sys.exit("mass_vs_sklearn: cargo build failed")
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    target = target if target.is_absolute() else ROOT / target
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")}
    env["LS_CLI"] = str(target / "release" / "leadscore")
    env["LS_MASS"] = str(target / "release" / "examples" / "mass_bench")
    sys.exit(subprocess.run([str(VENV_PY), __file__, INNER, *argv], env=env).returncode)


def inner(argv):
    import numpy as np
    import pandas as pd
    import sklearn
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import make_pipeline
    from joblib import Parallel, delayed
    from sklearn.compose import ColumnTransformer
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.preprocessing import OneHotEncoder, StandardScaler
    from sklearn.pipeline import make_pipeline as sk_pipeline

    tenants = arg(argv, "--tenants", 700)
    seed = arg(argv, "--seed", 7)
    threads = arg(argv, "--threads", 2)
    repeats = max(1, arg(argv, "--repeats", 3))
    cli, mass = os.environ["LS_CLI"], os.environ["LS_MASS"]

    data = HERE / "data"
    data.mkdir(exist_ok=True)
    export = data / f"export_{tenants}_{seed}.csv"
    if not export.exists():
        part = export.with_suffix(".part")
        subprocess.run([cli, "demo-data", "--tenants", str(tenants), "--seed", str(seed),
                        "--out", str(part)], check=True)
        part.rename(export)
    size_mb = export.stat().st_size / 1e6
    print(f"scikit-learn {sklearn.__version__}; {tenants} tenants, export {size_mb:.0f} MB, "
          f"{threads} threads; machine load {os.getloadavg()[0]:.2f} at start")

    # --- scikit-learn, data in memory -------------------------------------------
    t = time.perf_counter()
    df = pd.read_csv(export)
    sk_parse = time.perf_counter() - t
    t = time.perf_counter()
    numeric = ["lifetime_days", "calls", "emails", "chats", "meetings", "tasks", "deal_amount"]
    cats = ["source", "city", "weekday"]
    bools = ["has_phone", "has_email"]
    for b in bools:
        df[b] = (df[b] == "yes").astype(float)
    feats = numeric + cats + bools
    work = []
    for _, g in df.groupby("tenant", sort=False):
        test = np.arange(len(g)) % 5 == 4
        X, y = g[feats], g["converted"].to_numpy()
        work.append((X[~test], y[~test], X[test], y[test]))
    sk_split = time.perf_counter() - t
    rows = len(df)
    del df

    def fit_one(xtr, ytr, xte, yte):
        prep = ColumnTransformer([
            ("num", sk_pipeline(SimpleImputer(add_indicator=True), StandardScaler()), numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore", min_frequency=10), cats),
            ("bool", "passthrough", bools),
        ])
        model = make_pipeline(prep, RandomOverSampler(random_state=0), LogisticRegression())
        model.fit(xtr, ytr)
        return roc_auc_score(yte, model.predict_proba(xte)[:, 1])

    # The two loops take turns (scikit-learn, leadscore, scikit-learn, ...) so that a
    # slower or faster spell of this shared machine falls on both sides.
    sk_times, ls_runs, plain_runs = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        aucs = Parallel(n_jobs=threads)(delayed(fit_one)(*w) for w in work)
        sk_times.append(time.perf_counter() - t)
        # --- leadscore, data in memory (its own process: parse, split, one timed loop)
        out = subprocess.run([mass, str(export), str(threads)], check=True,
                             capture_output=True, text=True).stdout
        ls_runs.append(json.loads(out))
        out = subprocess.run([mass, str(export), str(threads), "-", "1", str(HERE / "mass_plain.recipe"), "1"],
                             check=True, capture_output=True, text=True).stdout
        plain_runs.append(json.loads(out))
    sk_train = statistics.median(sk_times)
    sk_auc = float(np.mean(aucs))
    del work
    ls = dict(ls_runs[-1])
    ls["train_seconds_all"] = [r["train_seconds"] for r in ls_runs]
    ls["train_seconds"] = statistics.median(ls["train_seconds_all"])
    ls["parse_seconds"] = statistics.median(r["parse_seconds"] for r in ls_runs)
    plain = dict(plain_runs[-1])
    plain["train_seconds_all"] = [r["train_seconds"] for r in plain_runs]
    plain["train_seconds"] = statistics.median(plain["train_seconds_all"])

    # --- end to end from the CSV ------------------------------------------------
    with tempfile.TemporaryDirectory(prefix="mass_bench_store.") as store:
        t = time.perf_counter()
        r = subprocess.run([cli, "train", str(export), "--target", "converted", "--by", "tenant",
                            "--out", store, "--cv", "0", "--no-global", "--force",
                            "--min-rows", "1000", "--threads", str(threads), "--quiet",
                            "--json"], check=True, capture_output=True, text=True)
        ls_e2e = time.perf_counter() - t
        summary = json.loads(r.stdout)
    trained = sum(1 for x in summary["tenants"] if x["status"] == "trained")
    sk_e2e = sk_parse + sk_split + sk_train

    print(f"rows {rows}, tenants trained: scikit-learn {len(aucs)}, leadscore {ls['tenants'] - ls['failed']} "
          f"(in memory), {trained} (from the CSV)")
    print(f"{'':34}{'scikit-learn':>14}{'leadscore':>12}{'ratio':>9}")
    for name, r in [("defaults", ls), ("same features, C = 1", plain)]:
        print(f"in memory, {name}:")
        print(f"{'  training loop (s)':34}{sk_train:14.2f}{r['train_seconds']:12.2f}"
              f"{sk_train / r['train_seconds']:8.1f}x   (medians of {repeats})")
        turns = [a / b for a, b in zip(sk_times, r["train_seconds_all"])]
        print(f"    each turn: scikit-learn {', '.join(f'{x:.2f}' for x in sk_times)}; "
              f"leadscore {', '.join(f'{x:.2f}' for x in r['train_seconds_all'])}; "
              f"ratios {', '.join(f'{x:.1f}x' for x in turns)} (median {statistics.median(turns):.1f}x)")
        print(f"{'  mean test ROC AUC':34}{sk_auc:14.4f}{r['mean_auc']:12.4f}"
              f"{'':>4}diff {r['mean_auc'] - sk_auc:+.4f}")
    print(f"{'parse the whole CSV (s)':34}{sk_parse:14.2f}{ls['parse_seconds']:12.2f}"
          f"{sk_parse / ls['parse_seconds']:8.1f}x")
    print(f"{'end to end from the CSV (s)':34}{sk_e2e:14.2f}{ls_e2e:12.2f}{sk_e2e / ls_e2e:8.1f}x")
    print(f"  of which leadscore indexing {summary['index_seconds']:.2f} s; scikit-learn "
          f"read_csv {sk_parse:.2f} s + groupby/split {sk_split:.2f} s")
    if abs(sk_auc - plain["mean_auc"]) > 0.005:
        print("FAILED: with the same features and C, mean AUCs differ by more than 0.005")
        sys.exit(1)
    if ls["mean_auc"] < sk_auc - 0.005:
        print("FAILED: leadscore's defaults score a lower mean AUC than scikit-learn's pipeline")
        sys.exit(1)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == INNER:
        inner(sys.argv[2:])
    else:
        outer(sys.argv[1:])
