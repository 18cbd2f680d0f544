"""Hostile and careless input: no crash, no silent wrong answer, the same meaning on
every path."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import leadscore

from conftest import WA_CHURN_CSV


@pytest.mark.parametrize("x", [math.inf, -math.inf])
def test_infinity_is_refused_by_score_and_predict_proba(golden_model, x):
    with pytest.raises(leadscore.InvalidInputError, match="tenure"):
        golden_model.score({"tenure": x})
    with pytest.raises(leadscore.InvalidInputError, match="tenure.*line 3|line 3.*tenure"):
        golden_model.predict_proba(pd.DataFrame({"tenure": [1.0, x]}))


@pytest.mark.parametrize("x", [1e308, -1e308, np.finfo(float).max, 5e-324])
def test_finite_extremes_score_in_range(golden_model, x):
    s = golden_model.score({"tenure": x, "monthly_charges": x})
    assert 0.0 <= s["probability"] <= 1.0 and 1 <= s["score"] <= 99
    p = golden_model.predict_proba(pd.DataFrame({"tenure": [x], "monthly_charges": [x]}))
    assert p[0] == s["probability"]


def test_records_without_fields_score_as_missing(golden_model):
    empty = golden_model.score({})["probability"]
    assert list(golden_model.predict_proba([{}, {}])) == [empty, empty]
    assert list(golden_model.predict_proba(pd.DataFrame(index=range(3)))) == [empty] * 3


def test_nat_means_missing_on_both_paths(golden_model):
    missing = golden_model.score({})["probability"]
    assert golden_model.score({"tenure": pd.NaT})["probability"] == missing
    df = pd.DataFrame({"tenure": pd.Series([pd.NaT, pd.NaT], dtype="datetime64[ns]")})
    assert list(golden_model.predict_proba(df)) == [missing, missing]
    # Real dates stay an error on both paths.
    with pytest.raises(leadscore.InvalidInputError, match="tenure"):
        golden_model.score({"tenure": pd.Timestamp("2024-01-01")})
    with pytest.raises(leadscore.InvalidInputError, match="tenure"):
        golden_model.predict_proba(pd.DataFrame({"tenure": pd.to_datetime(["2024-01-01"])}))


def test_booleans_mean_one_and_zero_in_batches_too(golden_model):
    lead = {"tenure": True, "senior_citizen": False, "contract": "Month-to-month"}
    assert golden_model.predict_proba([lead])[0] == golden_model.score(lead)["probability"]


def test_options_that_size_work_are_bounded():
    with pytest.raises(leadscore.InvalidInputError, match="cv_folds"):
        leadscore.train(str(WA_CHURN_CSV), target="churn", cv=10**9)


def test_files_that_are_not_models_are_not_read(tmp_path):
    for p in ["/dev/zero", str(tmp_path)]:
        with pytest.raises(leadscore.LeadScoreError, match="not a model file"):
            leadscore.Model.load(p)


def test_store_file_limit(tmp_path, golden_model):
    store = leadscore.Store(tmp_path, max_file_bytes=100)
    store.save("_global", golden_model)
    with pytest.raises(leadscore.NotFoundError):
        store.score("acme", {"tenure": 3})
    roomy = leadscore.Store(tmp_path)
    assert roomy.score("acme", {"tenure": 3})["source"] == "fallback"
