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


def _strided(a):
    """The same values as a non-contiguous view (every other cell of a doubled array)."""
    return np.repeat(a, 2)[::2]


def test_native_columns_in_any_layout_read_as_their_values(churn_df):
    # `_frame` hands Rust contiguous arrays; direct callers of the native half may not:
    # strided views (object arrays and dictionary codes too) and misaligned data read
    # as the same values, and a wrong dtype or shape names the column.
    # A categorical column too, so all three shapes occur: float64, object, (codes, values).
    names, cols, _ = leadscore._frame.columns(churn_df.astype({"contract": "category"}))
    opts = '{"target": "churn", "cv": 0, "balance": "none"}'

    def fit(columns):
        m = leadscore._native._train_columns(names, columns, opts)
        return m.intercept, m.coefficients

    assert any(isinstance(c, np.ndarray) and c.dtype == object for c in cols)
    assert any(isinstance(c, tuple) for c in cols)
    strided = [(_strided(c[0]), c[1]) if isinstance(c, tuple) else _strided(c) for c in cols]
    assert not any((c[0] if isinstance(c, tuple) else c).flags.c_contiguous for c in strided)
    assert fit(strided) == fit(cols)

    i = next(k for k, c in enumerate(cols) if isinstance(c, np.ndarray) and c.dtype == np.float64)
    raw = np.frombuffer(b"\0" + cols[i].tobytes(), dtype=np.float64, offset=1)
    assert not raw.flags.aligned
    assert fit(cols[:i] + [raw] + cols[i + 1 :]) == fit(cols)

    for bad, message in [
        (cols[i].astype(np.float32), "expected dtype float64, got float32"),
        (cols[i].reshape(-1, 1), "expected a 1-D array"),
        (list(cols[i]), "expected a numpy array"),
    ]:
        with pytest.raises(leadscore.InvalidInputError, match=f'column "{names[i]}": {message}'):
            leadscore._native._train_columns(names, cols[:i] + [bad] + cols[i + 1 :], opts)
