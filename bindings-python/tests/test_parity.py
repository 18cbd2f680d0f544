"""The wheel reproduces the Rust core on the shared golden fixtures, to 1e-12."""

from __future__ import annotations

import pandas as pd
import pytest

import leadscore

TOL = 1e-12


def _reasons_match(got: list, want: list) -> None:
    assert [r["field"] for r in got] == [r["field"] for r in want]
    assert [r["label"] for r in got] == [r["label"] for r in want]
    for g, w in zip(got, want):
        assert g["contribution"] == pytest.approx(w["contribution"], abs=TOL)


def test_single_record_path(golden_model, golden_records, golden_expected):
    assert len(golden_records) == len(golden_expected) == 24
    for i, (rec, exp) in enumerate(zip(golden_records, golden_expected)):
        s = golden_model.score(rec)
        assert s["probability"] == pytest.approx(exp["probability"], abs=TOL), i
        assert s["score"] == exp["score"], i
        assert s["label"] == exp["label"], i


def test_explain_path(golden_model, golden_records, golden_expected):
    for rec, exp in zip(golden_records, golden_expected):
        e = golden_model.explain(rec, 3)
        assert e["probability"] == pytest.approx(exp["probability"], abs=TOL)
        _reasons_match(e["positive"], exp["explain_k3"]["positive"])
        _reasons_match(e["negative"], exp["explain_k3"]["negative"])


@pytest.mark.parametrize("shape", ["records", "dataframe", "dict"])
def test_batch_path(golden_model, golden_records, golden_expected, shape):
    data = golden_records
    if shape == "dataframe":
        data = pd.DataFrame.from_records(golden_records)
    elif shape == "dict":
        names = sorted({k for r in golden_records for k in r})
        data = {n: [r.get(n) for r in golden_records] for n in names}
    p = golden_model.predict_proba(data)
    assert p.shape == (24,)
    assert p.dtype == "float64" and p.flags.writeable
    for i, exp in enumerate(golden_expected):
        assert p[i] == pytest.approx(exp["probability"], abs=TOL), i
    labels = golden_model.predict(data)
    assert list(labels) == [e["label"] for e in golden_expected]


def test_model_bytes_round_trip_keeps_scores(golden_model, golden_records, tmp_path):
    b = golden_model.to_bytes()
    again = leadscore.Model.from_bytes(b)
    path = tmp_path / "m.lsm"
    again.save(path)
    loaded = leadscore.Model.load(str(path))
    assert loaded.to_bytes() == b
    for rec in golden_records:
        assert loaded.score(rec) == golden_model.score(rec)


def test_info_metrics_json(golden_model):
    info = golden_model.info()
    assert info["target"] == "churn" and info["rows"] == 7043
    assert info["leadscore_version"] and info["features"] == len(golden_model.coefficients)
    m = golden_model.metrics
    assert m is not None and 0.8 < m["roc_auc"] < 0.9
    assert m["roc_auc"] > m["baseline"]["roc_auc"]
    import json

    j = json.loads(golden_model.to_json())
    assert j["intercept"] == golden_model.intercept
    assert [f["name"] for f in j["features"]] == [n for n, _ in golden_model.coefficients]
    assert set(golden_model.input_names) == {i["name"] for i in info["inputs"]}
    assert info["input_count"] == len(info["inputs"]) == 19
