"""train_tenants, Store.drift and Store.mark_insufficient: mass training from Python,
checked against the cross-language fixture tests/fixtures/mass.json."""

from __future__ import annotations

import json
import threading

import pandas as pd
import pytest

import leadscore
from conftest import FIXTURES, ROOT

MASS = json.loads((FIXTURES / "mass.json").read_text(encoding="utf-8"))


def options() -> tuple:
    """The fixture's options as Python keyword arguments (snake_case)."""
    o = {{"minRows": "min_rows"}.get(k, k): v for k, v in MASS["options"].items()}
    return o.pop("target"), o


def brief(t: dict) -> dict:
    return {k: t[k] for k in ("tenant", "status", "rows", "positives", "roc_auc")}


def check_fixture(run: dict) -> None:
    assert [brief(t) for t in run["tenants"]] == MASS["tenants"]
    assert brief(run["global"]) == MASS["global"]


def test_export_matches_the_fixture(tmp_path):
    target, o = options()
    seen = []
    run = leadscore.train_tenants(
        ROOT / MASS["data"], target, out=tmp_path / "store", progress=lambda p: seen.append((p, threading.get_ident())), **o
    )
    check_fixture(run)
    # Progress: once per tenant, on this thread, in order.
    assert [p["done"] for p, _ in seen] == [1, 2, 3]
    assert all(p["total"] == 3 for p, _ in seen) and seen[-1][0]["rows_done"] == 7043
    assert {t for _, t in seen} == {threading.get_ident()}
    saved = json.loads((tmp_path / "store" / "_training.json").read_text())
    assert [brief(t) for t in saved["tenants"]] == MASS["tenants"]
    store = leadscore.Store(tmp_path / "store")
    assert store.score("Two year", {"tenure": 3})["fallback_reason"] == "insufficient_data"
    assert store.score("One year", {"tenure": 3})["source"] == "tenant"


def test_dataframe_matches_the_fixture(tmp_path, churn_df):
    target, o = options()
    store = leadscore.Store(tmp_path / "s")
    run = leadscore.train_tenants(churn_df, target, out=store, progress=False, **o)
    check_fixture(run)
    # polars too, and a model trained by tenant equals one trained alone.
    pl = pytest.importorskip("polars")
    run2 = leadscore.train_tenants(pl.from_pandas(churn_df), target, out=tmp_path / "p", progress=False, **o)
    check_fixture(run2)
    part = churn_df[churn_df.contract == "One year"].drop(columns="contract")
    alone = leadscore.train(part, target, cv=2, min_rows=1000)
    got = store.get("One year").predict_proba(part)
    assert got == pytest.approx(alone.predict_proba(part), abs=1e-12)


def test_tqdm_bar_and_options(tmp_path, churn_df, capsys):
    pytest.importorskip("tqdm")
    small = churn_df.head(300)
    run = leadscore.train_tenants(small, "churn", by="contract", out=tmp_path / "s", global_model=False, name="deal")
    assert run["global"] is None
    assert {t["status"] for t in run["tenants"]} == {"insufficient_data"}
    assert "tenant" in capsys.readouterr().err  # the bar went to stderr
    assert (tmp_path / "s" / "Two year" / "deal.json").exists()


def test_errors(tmp_path, churn_df):
    with pytest.raises(leadscore.UnknownColumnError, match="region"):
        leadscore.train_tenants(churn_df, "churn", by="region", out=tmp_path, progress=False)
    with pytest.raises(leadscore.InvalidInputError, match="tenant column"):
        leadscore.train_tenants(churn_df, "churn", out=tmp_path, progress=False)
    with pytest.raises(leadscore.InvalidInputError, match="global_max_rows"):
        leadscore.train_tenants(churn_df, "churn", by="contract", out=tmp_path, global_max_rows=-1, progress=False)
    with pytest.raises(leadscore.InvalidInputError, match="bogus"):
        leadscore.train_tenants(churn_df, "churn", by="contract", out=tmp_path, bogus=1, progress=False)



def test_a_failing_callback_or_ctrl_c_stops_the_run(tmp_path, churn_df):
    import _thread

    # The callback raises after the first tenant (the one worker may have started the
    # second by then); the run stops there, without the fallback, and says so.
    def boom(p):
        raise RuntimeError("stop")

    with pytest.raises(RuntimeError, match="stop"):
        leadscore.train_tenants(churn_df, "churn", by="contract", out=tmp_path / "b", progress=boom,
                                threads=1, min_rows=1000, cv=2)
    saved = json.loads((tmp_path / "b" / "_training.json").read_text())
    assert saved["cancelled"] is True and len(saved["tenants"]) < 3 and saved["global"] is None

    # Ctrl-C while the first tenant trains (its 5 folds take well over 50 ms).
    timer = threading.Timer(0.05, _thread.interrupt_main)
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        leadscore.train_tenants(churn_df, "churn", by="contract", out=tmp_path / "c", progress=False,
                                threads=1, min_rows=1000, cv=5)
    timer.join()
    saved = json.loads((tmp_path / "c" / "_training.json").read_text())
    assert saved["cancelled"] is True and len(saved["tenants"]) < 3

    run = leadscore.train_tenants(churn_df.head(100), "churn", by="contract", out=tmp_path / "d", progress=False)
    assert run["cancelled"] is False


def test_drift_and_mark(tmp_path, churn_model, churn_df):
    with leadscore.Store(tmp_path, drift_flush_interval=None) as store:
        store.save("_global", churn_model)
        store.save("acme", churn_model)
        assert store.score("newco", {"tenure": 2})["fallback_reason"] == "no_model"
        store.mark_insufficient("newco", rows=80, positives=3)
        assert store.score("newco", {"tenure": 2})["fallback_reason"] == "insufficient_data"
        with pytest.raises(leadscore.InvalidInputError, match="reserved"):
            store.mark_insufficient("_global")
        with pytest.raises(leadscore.InvalidInputError, match="exceed"):
            store.mark_insufficient("x", rows=1, positives=2)
        # Month-to-month customers only: the scores move away from the training deciles.
        shifted = churn_df[churn_df.contract == "Month-to-month"].head(800)
        for r in shifted.drop(columns="churn").to_dict("records"):
            store.score("acme", r)
        rows = store.drift()
        acme = next(r for r in rows if r["tenant"] == "acme")
        assert acme["scores"] == 800 and acme["psi"] > 0.1 and acme["status"] in ("watch", "retrain")
        assert [r["tenant"] for r in store.drift(tenant="acme")] == ["acme"]
