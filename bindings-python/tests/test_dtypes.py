"""DataFrame dtypes reach the core as the same values the record path sees."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import leadscore

N = 3000


def _frame(seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    calls = rng.integers(0, 12, N)
    amount = rng.gamma(2.0, 500.0, N)
    amount[rng.random(N) < 0.1] = np.nan
    visits = pd.array(rng.integers(0, 30, N), dtype="Int64")
    visits[rng.random(N) < 0.15] = pd.NA
    opted = pd.array(rng.random(N) < 0.4, dtype="boolean")
    opted[rng.random(N) < 0.1] = pd.NA
    source = pd.Categorical(
        rng.choice(["web", "call", "partner", "expo"], N), categories=["web", "call", "partner", "expo", "unused"]
    )
    source[rng.random(N) < 0.05] = np.nan
    city = rng.choice(["Kazan", "Omsk", "Tver", None], N).astype(object)
    has_phone = rng.random(N) < 0.6
    channel = pd.array(rng.choice(["a", "b", "c"], N), dtype="string")
    # object column of numbers written every which way: ints, floats, numeric strings, None
    mixed_num = np.array([[1, 2.5, "3", None, "4.25"][i % 5] for i in range(N)], dtype=object)
    z = (
        0.25 * calls
        - 0.0006 * np.nan_to_num(amount, nan=800)
        + 0.8 * has_phone
        + np.where(city == "Kazan", 0.7, 0.0)
        + np.where(np.asarray(source) == "partner", -0.9, 0.0)
        + rng.normal(0, 1, N)
        - 0.3
    )
    won = np.where(z > 0, "yes", "no")
    return pd.DataFrame(
        {
            "calls": calls,  # int64
            "amount": amount,  # float64 with NaN
            "visits": visits,  # nullable Int64 with NA
            "opted_in": opted,  # nullable boolean with NA
            "source": source,  # category with NaN and an unused level
            "city": city,  # object strings with None
            "has_phone": has_phone,  # numpy bool
            "channel": channel,  # pandas string dtype
            "mixed_num": mixed_num,  # object: numbers and numeric strings
            "won": won,  # string target
        }
    )


@pytest.fixture(scope="module")
def df() -> pd.DataFrame:
    return _frame()


@pytest.fixture(scope="module")
def model(df) -> leadscore.Model:
    return leadscore.train(df, target="won", positive="yes", cv=0, min_rows=100)


def _py(v):
    """A DataFrame cell as the plain Python value a caller would put in a dict."""
    if v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v)):
        return None
    if isinstance(v, np.generic):
        return v.item()
    return v


def test_kinds_inferred_per_dtype(model):
    kinds = {i["name"]: i["kind"] for i in model.info()["inputs"]}
    assert kinds["calls"] == "numeric"
    assert kinds["amount"] == "numeric"
    assert kinds["visits"] == "numeric"
    assert kinds["opted_in"] == "boolean"
    assert kinds["has_phone"] == "boolean"
    assert kinds["source"] == "categorical"
    assert kinds["city"] == "categorical"
    assert kinds["channel"] == "categorical"
    assert kinds["mixed_num"] == "numeric"
    assert model.info()["positive_label"] == "yes"


def test_batch_equals_record_path_for_every_dtype(df, model):
    p = model.predict_proba(df)
    assert p.shape == (N,)
    rows = df.drop(columns="won").to_dict("records")
    for i in range(0, N, 37):
        rec = {k: _py(v) for k, v in rows[i].items()}
        assert model.score(rec)["probability"] == pytest.approx(p[i], abs=1e-12), (i, rec)
    # numpy scalars and pandas NA are accepted in records too
    raw = rows[5]
    assert model.score(raw)["probability"] == pytest.approx(p[5], abs=1e-12)


def test_dataframe_training_matches_csv_training(df, model, tmp_path):
    path = tmp_path / "leads.csv"
    df.to_csv(path, index=False)
    from_csv = leadscore.train(str(path), target="won", positive="yes", cv=0, min_rows=100)
    assert [n for n, _ in from_csv.coefficients] == [n for n, _ in model.coefficients]
    np.testing.assert_allclose(
        [c for _, c in from_csv.coefficients], [c for _, c in model.coefficients], rtol=0, atol=1e-9
    )
    np.testing.assert_allclose(from_csv.predict_proba(df), model.predict_proba(df), rtol=0, atol=1e-9)


def test_dict_of_columns_and_records_equal_dataframe(df, model):
    p = model.predict_proba(df)
    as_dict = {c: df[c].tolist() for c in df.columns}
    np.testing.assert_allclose(model.predict_proba(as_dict), p, rtol=0, atol=1e-12)
    recs = [{k: _py(v) for k, v in r.items()} for r in df.head(50).to_dict("records")]
    np.testing.assert_allclose(model.predict_proba(recs), p[:50], rtol=0, atol=1e-12)


def test_object_columns_match_typed_columns(df, model):
    """The same values as object columns (one Python object per cell) score the same."""
    obj = df.astype(object).where(df.notna(), None)
    np.testing.assert_allclose(model.predict_proba(obj), model.predict_proba(df), rtol=0, atol=1e-12)


def test_missing_columns_count_as_missing(df, model):
    only = df[["calls", "city"]]
    p = model.predict_proba(only)
    for i in (0, 1, 2):
        rec = {"calls": int(df.calls[i]), "city": _py(df.city[i])}
        assert model.score(rec)["probability"] == pytest.approx(p[i], abs=1e-12)


def test_unseen_category_level_and_empty_frame(df, model):
    new = df.head(3).copy()
    new["city"] = ["Atlantis", None, "Kazan"]
    assert np.isfinite(model.predict_proba(new)).all()
    empty = model.predict_proba(df.head(0))
    assert empty.shape == (0,)


def test_unsupported_dtypes_name_the_column(df, model):
    bad = df.head(5).assign(when=pd.date_range("2024-01-01", periods=5))
    with pytest.raises(leadscore.InvalidInputError, match='column "when"'):
        leadscore.train(bad, target="won", min_rows=1)
    with pytest.raises(leadscore.InvalidInputError, match='field "calls": unsupported value'):
        model.score({"calls": object()})
    # A value the model does not read never matters, in one record or a batch.
    assert model.score({"calls": 1, "x": object()}) == model.score({"calls": 1})
    assert model.predict_proba([{"calls": 1, "x": [1]}])[0] == model.score({"calls": 1})["probability"]
    with pytest.raises(leadscore.InvalidInputError, match=r'column "calls": unsupported value'):
        model.predict_proba([{"calls": 1}, {"calls": [1]}])
    with pytest.raises(leadscore.InvalidInputError, match="data must be"):
        model.predict_proba(42)
    with pytest.raises(leadscore.InvalidInputError, match="different lengths"):
        model.predict_proba({"calls": [1, 2], "city": ["a"]})


def test_wrong_kind_in_batch_names_the_field(df, model):
    bad = df.head(3).assign(calls=["many", "few", "none"])
    with pytest.raises(leadscore.InvalidInputError, match="calls") as e:
        model.predict_proba(bad)
    assert isinstance(e.value, ValueError)


def test_polars(df, model):
    pl = pytest.importorskip("polars", reason="polars is optional; test.sh installs it")
    pdf = df.astype({"source": "object", "channel": "object"})
    pdf = pdf.where(pdf.notna(), None)
    ldf = pl.from_pandas(pdf.drop(columns=["mixed_num"]))
    p = model.predict_proba(ldf)
    want = model.predict_proba(df.drop(columns=["mixed_num"]))
    np.testing.assert_allclose(p, want, rtol=0, atol=1e-12)
    m2 = leadscore.train(ldf, target="won", positive="yes", cv=0, min_rows=100)
    ref = leadscore.train(df.drop(columns=["mixed_num"]), target="won", positive="yes", cv=0, min_rows=100)
    np.testing.assert_allclose(m2.predict_proba(ldf), ref.predict_proba(ldf), rtol=0, atol=1e-9)


def test_object_cells_equal_by_value_not_identity(df, model):
    """Equal strings that are distinct objects share one level; repeats by identity too."""
    cities = ["".join(["Ka", "zan"]) for _ in range(4)] + ["Omsk", None, float("nan"), "Kazan"]
    assert len({id(c) for c in cities[:4]}) == 4  # really distinct objects
    frame = pd.DataFrame({"city": np.array(cities, dtype=object), "calls": np.arange(len(cities))})
    p = model.predict_proba(frame)
    for i, c in enumerate(cities):
        want = model.score({"city": _py(c), "calls": i})["probability"]
        assert p[i] == pytest.approx(want, abs=1e-12)
    assert p[0] == pytest.approx(model.score({"city": "Kazan", "calls": 0})["probability"], abs=1e-12)


def _same_columns(a, b):
    (na, ca, ra), (nb, cb, rb) = a, b
    assert na == nb and ra == rb
    for x, y in zip(ca, cb):
        if isinstance(x, tuple):
            np.testing.assert_array_equal(x[0], y[0])
            assert x[1] == y[1]
        elif x.dtype == object:
            assert [_py(v) for v in x] == [_py(v) for v in y]
        else:
            np.testing.assert_array_equal(x, y)


def test_column_arrays_without_pandas_private_iterator(df, monkeypatch):
    # The columns come from pandas' column iterator (no Series per column) where
    # pandas has it; without it, from items(): the same arrays for every dtype.
    fast = leadscore._frame.columns(df)
    monkeypatch.setattr(pd.DataFrame, "_iter_column_arrays", None, raising=False)
    slow = leadscore._frame.columns(df)
    _same_columns(fast, slow)
    bad = df.head(5).assign(when=pd.timedelta_range("1 day", periods=5))
    with pytest.raises(leadscore.InvalidInputError, match='column "when"'):
        leadscore._frame.columns(bad)
