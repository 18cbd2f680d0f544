"""Options reach the one core parser: files with delimiters, kinds, numpy option values."""

from __future__ import annotations

import numpy as np
import pytest

import leadscore


def test_csv_options_and_paths(churn_df, tmp_path):
    path = tmp_path / "churn_semicolon.csv"
    churn_df.to_csv(path, sep=";", decimal=",", index=False)
    m_file = leadscore.train(path, target="churn", delimiter=";", decimal_comma=True, cv=0, seed=4)
    m_df = leadscore.train(churn_df, target="churn", cv=0, seed=4)
    np.testing.assert_allclose(m_file.predict_proba(churn_df), m_df.predict_proba(churn_df), rtol=0, atol=1e-9)
    with pytest.raises(leadscore.InvalidInputError, match="delimiter"):
        leadscore.train(path, target="churn", delimiter=";;")


def test_kinds_positive_and_numpy_values(churn_df):
    m = leadscore.train(
        churn_df,
        target="churn",
        positive=np.int64(1),
        seed=np.int64(3),
        c=np.float64(0.5),
        cv=3,
        kinds={"senior_citizen": "categorical", "tenure": "numeric"},
    )
    kinds = {i["name"]: i["kind"] for i in m.info()["inputs"]}
    assert kinds["senior_citizen"] == "categorical"
    info = m.info()
    assert info["c"] == 0.5 and info["seed"] == 3 and info["positive_label"] == "1"
    assert m.metrics["cv_folds"] == 3
    with pytest.raises(leadscore.InvalidInputError, match="kind"):
        leadscore.train(churn_df, target="churn", kinds={"tenure": "colour"})
    with pytest.raises(leadscore.InvalidInputError, match="target must be a column name"):
        leadscore.train(churn_df, target=3)
    with pytest.raises(leadscore.InvalidInputError, match="not a number, string"):
        leadscore.train(churn_df, target="churn", c=object())


def test_list_of_records_and_positive_string():
    rng = np.random.default_rng(1)
    recs = [
        {"calls": int(c), "source": s, "won": "won" if c + rng.normal() > 5 else "lost"}
        for c, s in zip(rng.integers(0, 10, 400), rng.choice(["web", "call"], 400))
    ]
    m = leadscore.train(recs, target="won", positive="won", min_rows=100, min_positives=10, cv=0)
    assert m.info()["positive_label"] == "won" and m.info()["negative_label"] == "lost"
    p = m.predict_proba(recs)
    assert p[np.argmax([r["calls"] for r in recs])] > p[np.argmin([r["calls"] for r in recs])]
    labels = m.predict(recs)
    assert labels.dtype == bool and labels.shape == (400,) and labels.any() and not labels.all()
