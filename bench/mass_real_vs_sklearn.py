#!/usr/bin/env python3
"""Training one model per tenant, end to end from a CSV export: leadscore against a
pandas + scikit-learn loop.

    python3 bench/mass_real_vs_sklearn.py [--kind real|mixed] [--repeats 3] [--cv0]
        [--tenants 60] [--seed 25] [--rows-per-tenant-min N] [--rows-per-tenant-max N]
        [--threads 2] [--no-auc] [--no-build]

The export comes from bench/real_export.py (written once into bench/data/, reused).
Each side starts from the CSV file and ends with one stored model per tenant:

* scikit-learn: pandas read_csv, groupby tenant, then per tenant (joblib over --threads
  processes) StandardScaler + RandomOverSampler + LogisticRegression (its defaults:
  lbfgs, C = 1) fitted on all the tenant's rows and saved with joblib.dump. For
  --kind mixed the scaler is a ColumnTransformer: numbers mean-imputed with a missing
  flag and standardised, channel / city / created one-hot (min_frequency=10), the
  comment's word 1-2-grams (TfidfVectorizer).
* leadscore without CV metrics or fallback model: `leadscore train EXPORT --by tenant
  --target y --out STORE --cv 0 --no-global --threads N` (index, per-tenant parse, the
  auto recipe, C chosen per tenant by the evidence, upsampling, atomic save).
* for --kind real, leadscore doing scikit-learn's work: the run above with `--c 1
  --recipe R`, R standardising f01..f30 and nothing else (the auto recipe also bins
  every number into 10 quantiles, and C = auto adds the evidence's fits).
* leadscore with its defaults: `leadscore train EXPORT --by tenant --target y --out
  STORE` (5-fold CV metrics per tenant and the `_global` fallback model as well), to
  show what those cost. --cv0 leaves this run out.

Each round runs scikit-learn, then the leadscore runs in the order above, every
leadscore run into a fresh temporary store that is removed afterwards; --repeats rounds,
medians compared. The mean test ROC AUC: leadscore's defaults report a 5-fold CV AUC
per tenant; scikit-learn's pipeline is cross-validated the same way once, untimed,
after the rounds (--no-auc skips it).

The script runs bench/setup_venv.sh and `cargo build --release -p leadscore-cli --bin
leadscore`, then itself again inside bench/.venv; --no-build skips the build. The CLI
is $LS_CLI, by default target/release/leadscore.
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
import harness  # noqa: E402
import real_export  # noqa: E402

MIXED_NUMERIC = ["amount", "rate", "duration_s", "calls", "emails", "meetings"]
MIXED_CATS = ["channel", "city", "created"]


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    real_export.add_args(ap)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2, help="joblib jobs and leadscore --threads")
    ap.add_argument("--cv0", action="store_true",
                    help="time only leadscore --cv 0 --no-global, not its defaults")
    ap.add_argument("--no-auc", action="store_true", help="skip scikit-learn's CV AUC")
    ap.add_argument("--no-build", action="store_true", help="use the binary as it is")
    return ap


def outer(argv: list[str]) -> None:
    a = parser().parse_args(argv)
    build = None if a.no_build else ["cargo", "build", "--release", "-p", "leadscore-cli", "--bin", "leadscore"]
    harness.relaunch(__file__, argv, build, {"LS_CLI": "leadscore"}, drop_env=("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))


def make_model(kind: str):
    """The scikit-learn pipeline fitted per tenant."""
    from imblearn.over_sampling import RandomOverSampler
    from imblearn.pipeline import make_pipeline
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    if kind == "real":
        prep = StandardScaler()
    else:
        from sklearn.compose import ColumnTransformer
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import make_pipeline as sk_pipeline
        from sklearn.preprocessing import OneHotEncoder

        prep = ColumnTransformer([
            ("num", sk_pipeline(SimpleImputer(add_indicator=True), StandardScaler()),
             MIXED_NUMERIC),
            ("cat", sk_pipeline(SimpleImputer(strategy="constant", fill_value="(missing)"),
                                OneHotEncoder(handle_unknown="ignore", min_frequency=10)),
             MIXED_CATS),
            ("text", TfidfVectorizer(ngram_range=(1, 2)), "comment"),
        ])
    return make_pipeline(prep, RandomOverSampler(random_state=0), LogisticRegression())


def not_converged(fn):
    """fn's result and how many times lbfgs stopped at max_iter (the warnings are counted,
    not printed)."""
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        out = fn()
    return out, sum(issubclass(w.category, ConvergenceWarning) for w in caught)


def fit_and_save(kind: str, tenant: str, x, y, store: str) -> int:
    import joblib
    model, stopped = not_converged(lambda: make_model(kind).fit(x, y))
    joblib.dump(model, os.path.join(store, f"{tenant}.joblib"))
    return stopped


def cv_auc(kind: str, x, y) -> tuple[float, int]:
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    scores, stopped = not_converged(lambda: cross_val_score(
        make_model(kind), x, y, cv=folds, scoring="roc_auc"))
    return float(scores.mean()), stopped


def split_by_tenant(df, kind: str) -> list:
    if kind == "mixed":
        df["comment"] = df["comment"].fillna("")
    feats = [c for c in df.columns if c not in ("tenant", "y")]
    return [(str(t), g[feats], g["y"].to_numpy()) for t, g in df.groupby("tenant", sort=False)]


def inner(argv: list[str]) -> None:
    import numpy as np
    import pandas as pd
    import sklearn
    from joblib import Parallel, delayed

    a = parser().parse_args(argv)
    repeats, threads = max(1, a.repeats), max(1, a.threads)
    cli = os.environ["LS_CLI"]
    if not os.access(cli, os.X_OK):
        sys.exit(f"mass_real_vs_sklearn: no leadscore binary at {cli} (set LS_CLI)")
    export = real_export.ensure(a.kind, a.tenants, a.seed, a.rows_per_tenant_min,
                                a.rows_per_tenant_max)["csv"]
    size_mb = export.stat().st_size / 1e6
    version = subprocess.run([cli, "--version"], capture_output=True, text=True).stdout.strip()
    stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(os.path.getmtime(cli)))
    print(f"{version} ({cli}, built {stamp}), scikit-learn {sklearn.__version__}, pandas {pd.__version__}; "
          f"{os.cpu_count()} cores, {threads} threads a side; load {os.getloadavg()[0]:.2f} at start")

    def sklearn_run() -> dict:
        store = tempfile.mkdtemp(prefix="mass_real_sk.")
        try:
            t0 = time.perf_counter()
            df = pd.read_csv(export)
            t1 = time.perf_counter()
            work = split_by_tenant(df, a.kind)
            del df
            t2 = time.perf_counter()
            stopped = Parallel(n_jobs=threads)(delayed(fit_and_save)(a.kind, t, x, y, store)
                                               for t, x, y in work)
            t3 = time.perf_counter()
            return {"seconds": t3 - t0, "read": t1 - t0, "split": t2 - t1, "fit": t3 - t2,
                    "models": len(os.listdir(store)), "stopped": sum(stopped)}
        finally:
            shutil.rmtree(store, ignore_errors=True)

    def leadscore_run(extra: list[str]) -> dict:
        store = tempfile.mkdtemp(prefix="mass_real_ls.")
        try:
            cmd = [cli, "train", str(export), "--by", "tenant", "--target", "y", "--out", store,
                   *extra, "--quiet", "--json"]
            t = time.perf_counter()
            r = subprocess.run(cmd, capture_output=True, text=True)
            seconds = time.perf_counter() - t
        finally:
            shutil.rmtree(store, ignore_errors=True)
        if r.returncode != 0:
            sys.exit(f"mass_real_vs_sklearn: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr}")
        s = json.loads(r.stdout)
        trained = [x for x in s["tenants"] if x["status"] == "trained"]
        aucs = [x["roc_auc"] for x in trained if x["roc_auc"] is not None]
        g = s.get("global") or {}
        return {"seconds": seconds, "trained": len(trained), "tenants": len(s["tenants"]),
                "index": s.get("index_seconds"), "global": g.get("seconds"),
                "auc": float(np.mean(aucs)) if aucs else None,
                "failed": [(x["tenant"], x["status"], x["error"]) for x in s["tenants"]
                           if x["status"] != "trained"]}

    cv0 = ["--cv", "0", "--no-global", "--threads", str(threads)]
    sides = {
        "scikit-learn": sklearn_run,
        "leadscore --cv 0 --no-global": lambda: leadscore_run(cv0),
    }
    recipe = None
    if a.kind == "real":
        fd, recipe = tempfile.mkstemp(prefix="mass_real_plain.", suffix=".recipe")
        with os.fdopen(fd, "w") as f:
            f.write("".join(f"standardize(f{j:02d})\n" for j in range(1, real_export.N_FEATURES + 1)))
        sides["  same work: + --c 1 --recipe"] = lambda: leadscore_run(
            [*cv0, "--c", "1", "--recipe", recipe])
    if not a.cv0:
        sides["leadscore (defaults)"] = lambda: leadscore_run([])

    # start joblib's workers and import scikit-learn in them before the first timed round
    Parallel(n_jobs=threads)(delayed(make_model)(a.kind) for _ in range(2 * threads))
    runs = {name: [] for name in sides}
    try:
        for r in range(repeats):
            for name, run in sides.items():
                runs[name].append(run())
                print(f"  round {r + 1}: {name.strip()} {runs[name][-1]['seconds']:.2f} s",
                      flush=True)
    finally:
        if recipe:
            os.unlink(recipe)
    med = {name: statistics.median(x["seconds"] for x in v) for name, v in runs.items()}

    sk_auc = cv_stopped = None
    if not a.no_auc:
        df = pd.read_csv(export)
        work = split_by_tenant(df, a.kind)
        del df
        cv = Parallel(n_jobs=threads)(delayed(cv_auc)(a.kind, x, y) for _, x, y in work)
        sk_auc, cv_stopped = float(np.mean([c[0] for c in cv])), sum(c[1] for c in cv)

    sk = runs["scikit-learn"]
    print(f"load {os.getloadavg()[0]:.2f} at end")
    print(f"export {export.name}: {size_mb:.1f} MB, {sk[-1]['models']} tenants; "
          f"medians of {repeats} rounds")
    print()
    base = med["scikit-learn"]
    print(f"{'':32}{'median s':>10}{'sk / this':>11}{'models':>8}{'CV ROC AUC':>12}   each round (s)")
    for name, v in runs.items():
        if name == "scikit-learn":
            models, auc = sk[-1]["models"], sk_auc
        else:
            models, auc = v[-1]["trained"], v[-1]["auc"]
        auc_s = f"{auc:12.4f}" if auc is not None else f"{'-':>12}"
        each = ", ".join(f"{x['seconds']:.2f}" for x in v)
        print(f"{name:<32}{med[name]:>10.2f}{base / med[name]:>10.2f}x{models:>8}{auc_s}   {each}")
    print()
    print(f"scikit-learn parts (medians): read_csv {statistics.median(x['read'] for x in sk):.2f} s, "
          f"groupby {statistics.median(x['split'] for x in sk):.2f} s, "
          f"fit + save {statistics.median(x['fit'] for x in sk):.2f} s")
    if sk[-1]["stopped"] or cv_stopped:
        print(f"  NOTE: scikit-learn's lbfgs stopped at max_iter=100 in {sk[-1]['stopped']} of "
              f"{sk[-1]['models']} fits" + (f" and {cv_stopped} of {5 * sk[-1]['models']} CV fits"
                                            if cv_stopped is not None else ""))
    for name, v in runs.items():
        if name == "scikit-learn":
            continue
        parts = f"index {statistics.median(x['index'] for x in v):.2f} s"
        if v[-1]["global"] is not None:
            parts += f", _global model {statistics.median(x['global'] for x in v):.2f} s"
        print(f"{name}: {parts}")
        for tenant, status, error in v[-1]["failed"]:
            print(f"  NOTE: tenant {tenant} {status}: {error}")
    if "leadscore (defaults)" in med:
        print(f"leadscore's defaults cost {med['leadscore (defaults)'] / med['leadscore --cv 0 --no-global']:.1f}x "
              f"its --cv 0 --no-global run")


if __name__ == "__main__":
    harness.main(__file__, inner, outer)
