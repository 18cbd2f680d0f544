#!/usr/bin/env python3
"""leadscore vs scikit-learn on review text, on the same data in one run.

Data: examples/data/fine_foods.csv, the review text only (5,000 Amazon fine food
reviews, 65 % positive).
Peer: scikit-learn's Pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression())
with its defaults (lbfgs, C=1).
leadscore: leadscore.train with its defaults on the same column (the auto recipe's
ngram(negate(lowercase(no_punct(review))), 2): word 1-2-grams, idf, rows of length 2;
C = 1, as the vocabulary is too wide for the evidence; upsampling; no internal CV,
as the peer has none).

  quality        5-fold stratified CV ROC AUC of both (the same folds)
  fit            one fit on all 5,000 reviews (median of interleaved rounds)
  predict_proba  the 5,000 reviews, batch
  one record     a review of about 300 characters scored through the C ABI
                 (bench/php_score_c.c: fill a record and score, and score only)

Run through bench/text_vs_sklearn.sh (release wheel and C tool, own venv).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline

import leadscore

ROOT = Path(__file__).resolve().parents[1]


def interleaved(fns: dict, repeats: int) -> dict:
    """Each function once per round, rounds repeated; the median wall time of each."""
    times = {k: [] for k in fns}
    for _ in range(repeats):
        for k, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[k].append(time.perf_counter() - t)
    return {k: statistics.median(v) for k, v in times.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--score-c", required=True, help="the C ABI latency tool (php_score_c)")
    a = ap.parse_args()

    df = pd.read_csv(ROOT / "examples" / "data" / "fine_foods.csv")[["review", "score"]]
    df["review"] = df["review"].fillna("")
    X, y = df["review"], df["score"].to_numpy()
    sk = lambda: make_pipeline(TfidfVectorizer(ngram_range=(1, 2)), LogisticRegression())
    ls = lambda d: leadscore.train(d, target="score", cv=0)
    print(f"fine_foods: {len(df)} reviews, {y.mean():.1%} positive; scikit-learn "
          f"{__import__('sklearn').__version__}; machine load {os.getloadavg()[0]:.2f} at start")

    # Quality: the same stratified folds for both.
    folds = StratifiedKFold(5, shuffle=True, random_state=0)
    auc_sk, auc_ls = [], []
    for tr, te in folds.split(X, y):
        m = sk().fit(X.iloc[tr], y[tr])
        auc_sk.append(roc_auc_score(y[te], m.predict_proba(X.iloc[te])[:, 1]))
        lm = ls(df.iloc[tr])
        auc_ls.append(roc_auc_score(y[te], lm.predict_proba(df.iloc[te][["review"]])))
    print(f"5-fold ROC AUC: scikit-learn {np.mean(auc_sk):.4f}, leadscore {np.mean(auc_ls):.4f}")

    # Fit: interleaved rounds.
    t = interleaved({"sklearn": lambda: sk().fit(X, y), "leadscore": lambda: ls(df)}, a.repeats)
    print(f"fit            scikit-learn {t['sklearn'] * 1e3:8.1f} ms   leadscore {t['leadscore'] * 1e3:8.1f} ms"
          f"   ratio {t['sklearn'] / t['leadscore']:5.1f}x")

    # Batch scoring of every review.
    msk, mls = sk().fit(X, y), ls(df)
    feats = df[["review"]]
    p_sk, p_ls = msk.predict_proba(X)[:, 1], mls.predict_proba(feats)
    t = interleaved({"sklearn": lambda: msk.predict_proba(X), "leadscore": lambda: mls.predict_proba(feats)}, a.repeats)
    print(f"predict_proba  scikit-learn {t['sklearn'] * 1e3:8.1f} ms   leadscore {t['leadscore'] * 1e3:8.1f} ms"
          f"   ratio {t['sklearn'] / t['leadscore']:5.1f}x   ({len(df)} reviews; rank correlation "
          f"{pd.Series(p_sk).corr(pd.Series(p_ls), method='spearman'):.3f})")

    # One record with a ~300-character comment through the C ABI.
    near = df[(df["review"].str.len() >= 280) & (df["review"].str.len() <= 320)]["review"].head(100)
    with tempfile.TemporaryDirectory() as tmp:
        model_path = Path(tmp) / "m.lsm"
        mls.save(str(model_path))
        leads = Path(tmp) / "leads.txt"
        leads.write_text("".join(f"review=s{r.replace(chr(9), ' ').replace(chr(10), ' ')}\n" for r in near), encoding="utf-8")
        out = json.loads(subprocess.run([a.score_c, str(model_path), str(leads)], check=True,
                                        capture_output=True, text=True).stdout)
    chars = near.str.len().mean()
    print(f"one record     C ABI: fill + score {out['build_and_score_ns'] / 1e3:.2f} us, score only "
          f"{out['score_only_ns'] / 1e3:.2f} us   ({len(near)} reviews of {chars:.0f} characters on average; "
          f"model {model_size(mls)} bytes, {len(mls.coefficients)} features)")


def model_size(m) -> int:
    return len(m.to_bytes())


if __name__ == "__main__":
    main()
