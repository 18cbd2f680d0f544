"""Insights: on demand from a DataFrame or a file, as a dict or a DataFrame, and the
ones a trained model stores."""

from __future__ import annotations

import numpy as np
import pytest

import leadscore


def test_insights_of_a_dataframe_rank_and_warn(churn_df):
    df = churn_df.copy()
    df["churned_flag"] = df["churn"]
    df["row_id"] = np.arange(len(df))
    ins = leadscore.insights(df, target="churn")
    names = [c["name"] for c in ins["columns"]]
    assert "tenure" in names[:6] and "contract" in names[:6]
    codes = {(w["column"], w["code"]) for w in ins["warnings"]}
    assert ("churned_flag", "leak") in codes
    assert ("row_id", "id_like") in codes
    assert ins["summary"]["rows"] == len(df)
    frame = leadscore.insights(df, target="churn", frame=True, bins=5)
    assert list(frame["column"]) == names
    assert {"roc_auc", "pearson", "kendall_tau_b", "warnings"} <= set(frame.columns)
    with pytest.raises(leadscore.InvalidInputError, match="bins"):
        leadscore.insights(df, target="churn", bins=1)
    with pytest.raises(leadscore.UnknownColumnError):
        leadscore.insights(df, target="nope")


def test_insights_of_a_file_equal_those_of_its_frame(churn_df, tmp_path):
    path = tmp_path / "churn.csv"
    churn_df.to_csv(path, index=False)
    a = leadscore.insights(path, target="churn")
    b = leadscore.insights(churn_df, target="churn")
    assert [c["name"] for c in a["columns"]] == [c["name"] for c in b["columns"]]
    auc = lambda d: [c["association"]["roc_auc"] for c in d["columns"] if c["association"]]
    np.testing.assert_allclose(auc(a), auc(b), rtol=0, atol=1e-12)


def test_insights_of_a_recipes_features(churn_df):
    ins = leadscore.insights(churn_df, target="churn", recipe="quantile_bin(tenure, 4)\none_hot(contract)")
    names = [c["name"] for c in ins["columns"]]
    assert "contract = Month-to-month" in names and any(n.startswith("tenure in ") for n in names)
    assert "monthly_charges" not in names
    with pytest.raises(leadscore.UnknownColumnError, match="recipe line 1"):
        leadscore.insights(churn_df, target="churn", recipe="standardize(nope)")


def test_a_trained_model_keeps_its_insights(churn_df):
    m = leadscore.train(churn_df, target="churn", cv=0)
    ins = m.insights()
    assert ins["summary"]["rows"] == len(churn_df)
    assert leadscore.insights_frame(ins).shape[0] == len(ins["columns"])
    assert leadscore.train(churn_df, target="churn", cv=0, insights=False).insights() is None
    # Through bytes (and so pickling and files).
    assert leadscore.Model.from_bytes(m.to_bytes()).insights() == ins
