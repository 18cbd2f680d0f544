"""Pickling through model bytes, the HTML repr, and the GIL released during long work."""

from __future__ import annotations

import copy
import pickle
import threading
import time

import numpy as np
import pandas as pd
import pytest

import leadscore


def test_pickle_round_trip(churn_model, churn_df, golden_records):
    for proto in range(2, pickle.HIGHEST_PROTOCOL + 1):
        again = pickle.loads(pickle.dumps(churn_model, protocol=proto))
        assert isinstance(again, leadscore.Model)
        assert again.to_bytes() == churn_model.to_bytes()
        np.testing.assert_array_equal(again.predict_proba(churn_df), churn_model.predict_proba(churn_df))
        assert again.explain(golden_records[0]) == churn_model.explain(golden_records[0])
    assert copy.deepcopy(churn_model).to_bytes() == churn_model.to_bytes()
    # the pickle carries only the safe model bytes and a reference to leadscore's loader
    data = pickle.dumps(churn_model)
    assert b"_model_from_bytes" in data and churn_model.to_bytes() in data


def test_repr_html(churn_model, tmp_path):
    # Jupyter shows the compact report; report_html() gives the full page and writes it.
    html = churn_model._repr_html_()
    assert html == churn_model.report_html(compact=True)
    assert html.startswith("<style>") and "<html" not in html
    assert "ROC AUC" in html and "random guess" in html
    top = max(churn_model.coefficients, key=lambda nc: abs(nc[1]))[0]
    assert top.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") in html
    assert f"{churn_model.metrics['roc_auc']:.3f}" in html
    page = churn_model.report_html(tmp_path / "report.html", title="Churn <2024>")
    assert page.startswith("<!DOCTYPE html>") and "Churn &lt;2024&gt;" in page
    assert (tmp_path / "report.html").read_text(encoding="utf-8") == page
    with pytest.raises(leadscore.LeadScoreError, match="at most 200 characters"):
        churn_model.report_html(title="x" * 201)
    with pytest.raises(leadscore.LeadScoreError):
        churn_model.report_html(tmp_path / "no" / "such" / "dir" / "report.html")
    no_cv = leadscore.train(pd.read_csv(leadscore_csv()), target="churn", cv=0)
    assert "cv 0" in no_cv._repr_html_()
    assert "leadscore.Model" in repr(churn_model)


def leadscore_csv():
    from conftest import WA_CHURN_CSV

    return WA_CHURN_CSV


def _ticks_during(work) -> tuple:
    """Runs `work` on this thread while another Python thread counts; returns
    (ticks seen while work ran, seconds work took)."""
    stop = threading.Event()
    ticks = [0]

    def count():
        while not stop.is_set():
            ticks[0] += 1
            time.sleep(0.0005)

    t = threading.Thread(target=count)
    t.start()
    time.sleep(0.05)
    before = ticks[0]
    start = time.perf_counter()
    work()
    elapsed = time.perf_counter() - start
    during = ticks[0] - before
    stop.set()
    t.join()
    return during, elapsed


def test_training_releases_the_gil(churn_df):
    # Fits with 5-fold CV on one worker thread, repeated until at least 0.3 s of work.
    big = pd.concat([churn_df] * 2, ignore_index=True)
    names, cols, _ = leadscore._frame.columns(big)
    opts = '{"target": "churn", "cv": 5, "threads": 1}'
    calls = [0]

    def work():
        start = time.perf_counter()
        while time.perf_counter() - start < 0.3:
            leadscore._native._train_columns(names, cols, opts)
            calls[0] += 1

    during, elapsed = _ticks_during(work)
    # Holding the GIL through native code, the counter thread could only run between
    # calls (a tick or two each). Released, it ticks every ~0.5-1 ms throughout.
    assert during >= 20 + 3 * calls[0], (during, calls[0], elapsed)


def test_batch_scoring_releases_the_gil(churn_model, churn_df):
    big = pd.concat([churn_df] * 60, ignore_index=True)  # ~420k rows

    calls = [0]

    def work():
        # Repeated until at least 0.3 s of work, however fast the machine.
        start = time.perf_counter()
        while time.perf_counter() - start < 0.3:
            churn_model.predict_proba(big)
            calls[0] += 1

    during, elapsed = _ticks_during(work)
    assert during >= 20 + 3 * calls[0], (during, calls[0], elapsed)


def test_model_is_shared_between_threads(churn_model, churn_df):
    want = churn_model.predict_proba(churn_df)
    out = {}

    def run(i):
        out[i] = churn_model.predict_proba(churn_df)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i in range(4):
        np.testing.assert_array_equal(out[i], want)
