#!/usr/bin/env python3
"""leadscore vs scikit-learn from Python, on the same data in one run.

Peer: scikit-learn's LogisticRegression (lbfgs, C=1) in a Pipeline that one-hot
encodes the categorical columns and imputes + standardises the numeric ones.
leadscore: leadscore.train and LeadScoreClassifier with their defaults (the auto
recipe -- numbers also binned -- and C chosen from the data), and leadscore.train with
scikit-learn's features and C (tests/fixtures/recipes/wa_churn_v1_auto.recipe, C = 1:
the same model, so the same work). All fit without internal CV or rebalancing.
Contenders run interleaved, round after round, so load from other processes hits
them alike (back to back with one BLAS thread, the default; 0.3 s apart with more, for
the BLAS threads to go idle); prints medians and the ratios (sklearn time / leadscore
time).

  fit            wa_churn.csv (7043 rows, 19 inputs)
  predict_proba  1,000,000 rows (wa_churn rows repeated) as a pandas DataFrame
  single record  model.score(dict) vs pipeline.predict_proba(one-row DataFrame)

Run through bench/python_vs_sklearn.sh (release wheel, own venv, OpenBLAS env unset).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

import leadscore
from leadscore.sklearn import LeadScoreClassifier

ROOT = Path(__file__).resolve().parents[1]


def median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(fns: dict, repeats: int, pause: float) -> dict:
    """Runs each function once per round, rounds repeated, so that load from other
    processes hits every contender alike; returns the median wall time of each.
    `pause` seconds pass before each call (see `run`)."""
    times = {k: [] for k in fns}
    cpu = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            if pause:
                time.sleep(pause)
            c = time.process_time()
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
            cpu[k].append(time.process_time() - c)
    out = {k: statistics.median(v) for k, v in times.items()}
    out.update({f"{k}_cpu": statistics.median(v) for k, v in cpu.items()})
    return out


def per_call(fn, calls: int, repeats: int) -> float:
    """Median over `repeats` batches of the mean time of one call."""
    def batch():
        for _ in range(calls):
            fn()
    return median_time(batch, repeats) / calls


def sklearn_pipeline(X: pd.DataFrame) -> Pipeline:
    cat = [c for c in X.columns if X[c].dtype == object or str(X[c].dtype) in ("str", "string", "category")]
    num = [c for c in X.columns if c not in cat]
    pre = ColumnTransformer(
        [
            ("cat", OneHotEncoder(handle_unknown="ignore"), cat),
            ("num", make_pipeline(SimpleImputer(), StandardScaler()), num),
        ]
    )
    return Pipeline([("pre", pre), ("lr", LogisticRegression(C=1.0, max_iter=1000))])


def main() -> int:
    # One BLAS/OpenMP thread: leadscore's fit (cv=0) and scoring are single-threaded, the
    # problems are small, and idle BLAS threads spinning on a 2-core machine only add
    # noise (and slow scikit-learn's one-row calls). --blas-threads changes it.
    ap0 = argparse.ArgumentParser(add_help=False)
    ap0.add_argument("--blas-threads", type=int, default=1)
    known, _ = ap0.parse_known_args()
    try:
        from threadpoolctl import threadpool_limits

        with threadpool_limits(known.blas_threads):
            return run()
    except ImportError:
        return run()


def run() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--blas-threads", type=int, default=1, help="BLAS/OpenMP threads for numpy and scikit-learn")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows for predict_proba")
    ap.add_argument("--repeats", type=int, default=11)
    args = ap.parse_args()

    try:
        from threadpoolctl import threadpool_info

        blas = [(i.get("internal_api"), i.get("architecture"), i.get("num_threads")) for i in threadpool_info()]
    except ImportError:
        blas = "threadpoolctl not installed"
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, pandas {pd.__version__}, "
          f"scikit-learn {__import__('sklearn').__version__}, leadscore {leadscore.__version__}")
    print(f"BLAS: {blas}")

    df = pd.read_csv(ROOT / "examples" / "data" / "wa_churn.csv")
    X, y = df.drop(columns="churn"), df["churn"]
    print(f"data: wa_churn.csv {len(df)} rows, {X.shape[1]} inputs; repeats {args.repeats} (medians)")

    # -- fit -------------------------------------------------------------------------
    pipe = sklearn_pipeline(X)
    clf = LeadScoreClassifier(balance="none")
    same = (ROOT / "tests" / "fixtures" / "recipes" / "wa_churn_v1_auto.recipe").read_text()
    # With more than one BLAS/OpenMP thread, the worker threads left by the previous
    # contender spin for a while after their work: wait for them to sleep so that they
    # neither take a core nor count in this contender's CPU time. With one thread (the
    # default) there are none, and calls run back to back: a pause would only make every
    # call start cold (CPU clock, caches), which costs a 5 ms fit about 1.3 ms.
    pause = 0.3 if args.blas_threads > 1 else 0.0
    fit = interleaved(
        {
            "sk": lambda: pipe.fit(X, y),
            "ls": lambda: leadscore.train(df, target="churn", cv=0, balance="none"),
            "same": lambda: leadscore.train(df, target="churn", cv=0, balance="none", recipe=same, c=1.0),
            "clf": lambda: clf.fit(X, y),
        },
        args.repeats,
        pause,
    )
    t_sk, t_ls, t_clf, t_same = fit["sk"], fit["ls"], fit["clf"], fit["same"]
    c_sk, c_ls, c_clf, c_same = fit["sk_cpu"], fit["ls_cpu"], fit["clf_cpu"], fit["same_cpu"]
    same_model = leadscore.train(df, target="churn", cv=0, balance="none", recipe=same, c=1.0)
    t_ls_cv = median_time(lambda: leadscore.train(df, target="churn"), max(1, args.repeats // 3))
    model = leadscore.train(df, target="churn", cv=0, balance="none")
    pipe.fit(X, y)
    clf.fit(X, y)
    auc = __import__("sklearn.metrics", fromlist=["roc_auc_score"]).roc_auc_score
    print("\nfit (7043 rows)")
    print("  (wall ms / process CPU ms, medians; ratio = sklearn / leadscore)")
    print(f"  sklearn Pipeline(one-hot + scale, LogisticRegression) {t_sk * 1e3:8.2f} / {c_sk * 1e3:8.2f}  train AUC {auc(y, pipe.predict_proba(X)[:, 1]):.4f}")
    print(f"  leadscore.train(cv=0, balance=none)                    {t_ls * 1e3:8.2f} / {c_ls * 1e3:8.2f}  train AUC {auc(y, model.predict_proba(df)):.4f}  ratio wall {t_sk / t_ls:5.1f}x cpu {c_sk / c_ls:5.1f}x")
    print(f"  leadscore.train(same features, c=1, ...)               {t_same * 1e3:8.2f} / {c_same * 1e3:8.2f}  train AUC {auc(y, same_model.predict_proba(df)):.4f}  ratio wall {t_sk / t_same:5.1f}x cpu {c_sk / c_same:5.1f}x")
    print(f"  LeadScoreClassifier(balance=none).fit                  {t_clf * 1e3:8.2f} / {c_clf * 1e3:8.2f}  ratio wall {t_sk / t_clf:5.1f}x cpu {c_sk / c_clf:5.1f}x")
    print(f"  leadscore.train defaults (upsample, 5-fold CV = 6 fits) {t_ls_cv * 1e3:8.2f} ms  (for reference)")

    # -- predict_proba on many rows ----------------------------------------------------
    reps = -(-args.rows // len(X))
    big = pd.concat([X] * reps, ignore_index=True).iloc[: args.rows]
    r = max(3, args.repeats // 3)
    pr = interleaved(
        {
            "sk": lambda: pipe.predict_proba(big),
            "ls": lambda: model.predict_proba(big),
            "clf": lambda: clf.predict_proba(big),
        },
        r,
        pause,
    )
    t_sk_p, t_ls_p, t_clf_p = pr["sk"], pr["ls"], pr["clf"]
    np.testing.assert_allclose(model.predict_proba(big.head(1000)), model.predict_proba(X.head(1000)))
    print(f"\npredict_proba ({len(big):,} rows, pandas DataFrame)")
    print(f"  sklearn Pipeline.predict_proba     {t_sk_p * 1e3:9.1f} ms  {len(big) / t_sk_p / 1e6:6.2f} M rows/s")
    print(f"  leadscore Model.predict_proba      {t_ls_p * 1e3:9.1f} ms  {len(big) / t_ls_p / 1e6:6.2f} M rows/s  ratio {t_sk_p / t_ls_p:6.1f}x")
    print(f"  LeadScoreClassifier.predict_proba  {t_clf_p * 1e3:9.1f} ms  {len(big) / t_clf_p / 1e6:6.2f} M rows/s  ratio {t_sk_p / t_clf_p:6.1f}x")

    # -- one record --------------------------------------------------------------------
    row = X.iloc[[3]]
    rec = {k: (None if pd.isna(v) else (v.item() if hasattr(v, "item") else v)) for k, v in row.iloc[0].items()}
    assert abs(model.score(rec)["probability"] - model.predict_proba(row)[0]) < 1e-12
    t_sk_1 = per_call(lambda: pipe.predict_proba(row), 50, args.repeats)
    t_sk_1d = per_call(lambda: pipe.predict_proba(pd.DataFrame([rec])), 50, args.repeats)
    t_ls_1 = per_call(lambda: model.score(rec), 20000, args.repeats)
    t_ls_e = per_call(lambda: model.explain(rec, 3), 20000, args.repeats)
    print("\nsingle record")
    print(f"  sklearn predict_proba(one-row DataFrame slice)  {t_sk_1 * 1e6:9.2f} us")
    print(f"  sklearn predict_proba(pd.DataFrame([dict]))     {t_sk_1d * 1e6:9.2f} us")
    print(f"  leadscore Model.score(dict)                     {t_ls_1 * 1e6:9.2f} us  ratio {t_sk_1 / t_ls_1:6.1f}x (vs slice), {t_sk_1d / t_ls_1:6.1f}x (vs dict)")
    print(f"  leadscore Model.explain(dict, 3)                {t_ls_e * 1e6:9.2f} us")

    print("\nsummary (sklearn time / leadscore time; targets: fit >= 10x, single record >= 20x)")
    print(f"  fit: train {t_sk / t_ls:.1f}x (cpu {c_sk / c_ls:.1f}x), LeadScoreClassifier {t_sk / t_clf:.1f}x (cpu {c_sk / c_clf:.1f}x), "
          f"same features and C {t_sk / t_same:.1f}x (cpu {c_sk / c_same:.1f}x)")
    print(f"  predict_proba 1M: Model {t_sk_p / t_ls_p:.1f}x, LeadScoreClassifier {t_sk_p / t_clf_p:.1f}x")
    print(f"  single record: {t_sk_1 / t_ls_1:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
