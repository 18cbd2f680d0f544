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


def test_penalty_l1_ratio_and_max_features(churn_df):
    l2 = leadscore.train(churn_df, target="churn", cv=0, c=0.05)
    l1 = leadscore.train(churn_df, target="churn", cv=0, c=0.05, penalty="l1")
    info = l1.info()
    assert info["penalty"] == "l1" and info["l1_ratio"] == 1.0
    assert info["nonzero_features"] < l2.info()["nonzero_features"]
    en = leadscore.train(churn_df, target="churn", cv=0, penalty="elasticnet", l1_ratio=0.25)
    assert en.info()["penalty"] == "elasticnet" and en.info()["l1_ratio"] == 0.25
    pruned = leadscore.train(churn_df, target="churn", cv=3, max_features=6)
    p = pruned.info()["pruning"]
    assert p["max_features"] == 6 and p["features_after"] <= 6
    assert p["dropped_count"] == len(p["dropped"]) > 0
    assert 0.5 < p["cv_roc_auc_after"] <= 1 and 0.5 < p["cv_roc_auc_before"] <= 1
    sized = leadscore.train(churn_df, target="churn", cv=0, insights=False, max_model_bytes=100_000_000)
    s = sized.info()["pruning"]
    assert s["max_model_bytes"] == 100_000_000 and s["model_bytes"] == len(sized.to_bytes())
    assert s["dropped_count"] == 0
    with pytest.raises(leadscore.InvalidInputError, match="max_model_bytes = 100 is less than the smallest model"):
        leadscore.train(churn_df, target="churn", cv=0, max_model_bytes=100)
    with pytest.raises(leadscore.InvalidInputError, match="l1_ratio is for penalty elasticnet"):
        leadscore.train(churn_df, target="churn", l1_ratio=0.5)
    with pytest.raises(leadscore.InvalidInputError, match="unknown penalty"):
        leadscore.train(churn_df, target="churn", penalty="l0")


def test_threshold_policies_and_the_time_split(churn_df):
    m = leadscore.train(churn_df, target="churn", cv=3, insights=False, threshold="precision>=0.6")
    e = m.evaluation
    assert e["split"] == "kfold" and e["policy"] == "precision>=0.6"
    assert e["threshold"] == m.threshold and m.info()["threshold_policy"] == "precision>=0.6"
    assert e["at_threshold"]["precision"] >= 0.6
    cuts = [r["threshold"] for r in e["thresholds"]]
    assert cuts == sorted(cuts) and 2 <= len(cuts) <= 201 and m.threshold in cuts
    assert m.metrics["threshold"] == m.threshold
    top = leadscore.train(churn_df, target="churn", cv=3, insights=False, threshold="top_share=0.1", challenger=True)
    assert abs(top.evaluation["at_threshold"]["share_flagged"] - 0.1) < 0.01
    c = top.evaluation["challenger"]
    assert c["verdict"].startswith("the linear model is") and c["top_features"][0]["name"] in ("tenure", "contract")
    assert leadscore.train(churn_df, target="churn", cv=0, insights=False).evaluation is None
    with pytest.raises(leadscore.InvalidInputError, match="held-out predictions"):
        leadscore.train(churn_df, target="churn", cv=0, threshold="max_f1")
    with pytest.raises(leadscore.InvalidInputError, match="unknown threshold policy"):
        leadscore.train(churn_df, target="churn", threshold="best")
    # A time split by a date column: the newest fifth is held out, the date is no feature.
    dated = churn_df.assign(created=[f"2024-{1 + i * 12 // len(churn_df):02d}-01" for i in range(len(churn_df))])
    t = leadscore.train(dated, target="churn", time_column="created", insights=False)
    e = t.evaluation
    assert e["split"] == "time" and e["time_column"] == "created" and e["test_from"] >= "2024-10-01"
    assert e["test_rows"] + e["train_rows"] == len(dated)
    assert "created" not in [i["name"] for i in t.info()["inputs"]]


def test_classifier_searches_over_the_penalty(churn_df):
    from sklearn.model_selection import GridSearchCV

    from leadscore.sklearn import LeadScoreClassifier

    X, y = churn_df.drop(columns=["churn"]), churn_df["churn"]
    grid = GridSearchCV(
        LeadScoreClassifier(c=0.1),
        {"penalty": ["l2", "l1"], "max_features": [None, 10]},
        cv=3,
        scoring="roc_auc",
    ).fit(X, y)
    assert len(grid.cv_results_["params"]) == 4
    assert grid.best_score_ > 0.8
    best = grid.best_estimator_.model_.info()
    assert best["penalty"] == grid.best_params_["penalty"]
