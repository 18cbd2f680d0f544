#!/usr/bin/env python3
"""leadscore's L1 and elastic-net fits against scikit-learn's liblinear and saga.

    python3 bench/l1_vs_liblinear.py [--repeats N] [--no-build]

Creates bench/.venv when missing (bench/setup_venv.sh), builds the fit_matrix example
in release mode, and on the same design matrices as bench/fit_vs_sklearn.py (wa_churn:
7043 x 40, one-hot strings and standardised numbers; caravan: 5822 x 85, standardised)
compares, in one run:

* Speed: median fit time of `LogisticRegression(penalty="l1", solver="liblinear")`
  (scikit-learn's default tol 1e-4) and of `solver="saga"` (elastic net, tol 1e-4)
  against leadscore's fit (`SolverConfig` with `l1_ratio`, default tol 1e-8: a much
  tighter optimum) on the identical dense matrix, fit call only on both sides.
* Quality: 5-fold stratified cross-validated ROC AUC of both at the same C (the same
  folds), and the non-zero coefficients of the full-data fits beside L2's.

liblinear penalises the intercept (it is a column of ones, intercept_scaling=1);
leadscore does not, as saga does not: the objectives differ by that, so coefficients
are compared with saga in tests/fixtures/sklearn (reference_l1.json), and here only
the AUCs and the sparsity. Exits non-zero when an AUC differs from liblinear's (saga's
for the elastic net) by more than 0.005.
"""

import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import harness  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent


def write_matrix(path, X, y):
    import numpy as np

    X = np.ascontiguousarray(X, dtype="<f8")
    with open(path, "wb") as f:
        f.write(np.array(X.shape, dtype="<u8").tobytes())
        f.write(X.tobytes())
        f.write(np.asarray(y, dtype="<f8").tobytes())


def outer(argv):
    build = None if "--no-build" in argv else [
        "cargo", "build", "--release", "--example", "fit_matrix", "-p", "leadscore"]
    harness.relaunch(__file__, argv, build, {"FIT_MATRIX_BIN": "examples/fit_matrix"},
                     drop_env=("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))


def inner(argv):
    import numpy as np
    import pandas as pd
    import sklearn
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold
    from sklearn.preprocessing import StandardScaler
    from threadpoolctl import threadpool_limits

    repeats = int(argv[argv.index("--repeats") + 1]) if "--repeats" in argv else 7
    binary = os.environ["FIT_MATRIX_BIN"]

    def churn():
        df = pd.read_csv(ROOT / "examples" / "data" / "wa_churn.csv")
        y = df.pop("churn").to_numpy(dtype=float)
        strings = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
        numeric = [c for c in df.columns if c not in strings]
        num = StandardScaler().fit_transform(df[numeric].fillna(0.0).to_numpy(dtype=float))
        hot = pd.get_dummies(df[strings], drop_first=False).to_numpy(dtype=float)
        return np.hstack([num, hot]), y

    def caravan():
        df = pd.read_csv(ROOT / "examples" / "data" / "caravan.csv")
        y = df.pop("Purchase").to_numpy(dtype=float)
        return StandardScaler().fit_transform(df.to_numpy(dtype=float)), y

    tmp = pathlib.Path(tempfile.mkdtemp(prefix="l1_vs_liblinear."))

    def ls_fit(X, y, c, l1_ratio, reps):
        path = tmp / "m.bin"
        write_matrix(path, X, y)
        out = subprocess.run([binary, str(path), str(reps), "--c", str(c), "--l1-ratio",
                              str(l1_ratio)], check=True, capture_output=True,
                             text=True).stdout
        return json.loads(out)

    def sk_model(c, l1_ratio):
        if l1_ratio == 1.0:
            return LogisticRegression(penalty="l1", solver="liblinear", C=c)
        if l1_ratio == 0.0:
            return LogisticRegression(C=c)
        return LogisticRegression(penalty="elasticnet", solver="saga", l1_ratio=l1_ratio,
                                  C=c, max_iter=10000)

    def sk_time(X, y, c, l1_ratio):
        times = []
        for _ in range(repeats):
            m = sk_model(c, l1_ratio)
            with threadpool_limits(1):
                t = time.perf_counter()
                m.fit(X, y)
                times.append(time.perf_counter() - t)
        return statistics.median(times), m

    def cv_auc(X, y, c, l1_ratio):
        folds = StratifiedKFold(5, shuffle=True, random_state=42).split(X, y)
        sk_auc, ls_auc = [], []
        for tr, te in folds:
            m = sk_model(c, l1_ratio).fit(X[tr], y[tr])
            sk_auc.append(roc_auc_score(y[te], m.decision_function(X[te])))
            r = ls_fit(X[tr], y[tr], c, l1_ratio, 1)
            ls_auc.append(roc_auc_score(y[te], X[te] @ np.array(r["coef"]) + r["intercept"]))
        return statistics.mean(sk_auc), statistics.mean(ls_auc)

    print(f"scikit-learn {sklearn.__version__}, numpy {np.__version__}; both single-threaded; "
          f"medians of {repeats} fits (fit call only); load {os.getloadavg()[0]:.2f} at start")
    head = ["data", "penalty", "C", "peer", "peer ms", "leadscore ms", "ratio", "peer CV AUC",
            "leadscore CV AUC", "peer nnz", "leadscore nnz", "L2 nnz"]
    rows, failed = [], False
    for name, make in [("wa_churn", churn), ("caravan", caravan)]:
        X, y = make()
        l2 = ls_fit(X, y, 1.0, 0.0, 1)
        for label, c, l1_ratio in [("l1", 0.1, 1.0), ("l1", 1.0, 1.0),
                                   ("elasticnet 0.5", 0.1, 0.5)]:
            sk_med, sk = sk_time(X, y, c, l1_ratio)
            ls = ls_fit(X, y, c, l1_ratio, repeats)
            sk_cv, ls_cv = cv_auc(X, y, c, l1_ratio)
            ok = abs(sk_cv - ls_cv) <= 0.005 and ls["converged"]
            failed |= not ok
            rows.append([name, label, f"{c:g}", "liblinear" if l1_ratio == 1.0 else "saga",
                         f"{sk_med * 1e3:.2f}", f"{ls['median_seconds'] * 1e3:.2f}",
                         f"{sk_med / ls['median_seconds']:.1f}x", f"{sk_cv:.4f}",
                         f"{ls_cv:.4f}", str(int(np.count_nonzero(sk.coef_))),
                         str(ls["nonzero"]), str(l2["nonzero"])])
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    for r in [head] + rows:
        print("  ".join(v.rjust(w) for v, w in zip(r, widths)))
    if failed:
        sys.exit("l1_vs_liblinear: a cross-validated AUC differs by more than 0.005, "
                 "or a fit did not converge")


if __name__ == "__main__":
    harness.main(__file__, inner, outer)
