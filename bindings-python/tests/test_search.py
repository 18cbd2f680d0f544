"""leadscore.search: a DataFrame or a file, the result dict, refitting, options
checked by core and named."""

from __future__ import annotations

import pytest

import leadscore


@pytest.fixture(scope="module")
def small_churn(churn_df):
    return churn_df.sample(n=900, random_state=1).reset_index(drop=True)


SMALL = dict(cv=2, min_rows=100, min_positives=20)


def test_search_a_dataframe_returns_every_trial_and_the_best(small_churn):
    r = leadscore.search(small_churn, target="churn", method="random", trials=4,
                         penalty="l2", c=(0.01, 10), **SMALL)
    assert r["method"] == "random" and r["metric"] == "roc_auc"
    assert len(r["trials"]) == 4 and r["trials_run"] == 4
    assert [t["number"] for t in r["trials"]] == [0, 1, 2, 3]
    best = r["best"]
    assert best["roc_auc"] == max(t["roc_auc"] for t in r["trials"])
    for t in r["trials"]:
        assert t["error"] is None
        assert t["params"]["penalty"] == "l2"
        assert 0.01 <= t["params"]["c"] <= 10
        assert set(t) >= {"params", "value", "roc_auc", "pr_auc", "log_loss", "seconds"}
    assert "model" not in r
    assert r["stopped"] == "trials" and r["budget_exhausted"] is False


def test_a_file_and_its_frame_search_alike_and_refit_gives_the_best_model(small_churn, tmp_path):
    path = tmp_path / "churn.csv"
    small_churn.to_csv(path, index=False)
    opts = dict(method="tpe", trials=5, tpe_startup=3, balance=["none", "upsample"], **SMALL)
    a = leadscore.search(path, target="churn", **opts)
    b = leadscore.search(small_churn, target="churn", refit=True, insights=False, **opts)
    assert [t["params"] for t in a["trials"]] == [t["params"] for t in b["trials"]]
    assert [t["roc_auc"] for t in a["trials"]] == pytest.approx([t["roc_auc"] for t in b["trials"]], abs=1e-12)
    model = b["model"]
    assert isinstance(model, leadscore.Model)
    assert model.metrics["roc_auc"] == pytest.approx(b["best"]["roc_auc"], abs=1e-12)
    info = model.info()
    assert info["balance"] == b["best"]["params"]["balance"]
    assert 0.0 <= model.score({"tenure": 2})["probability"] <= 1.0


def test_grid_and_camel_case_and_log_loss(small_churn):
    r = leadscore.search(small_churn, target="churn", method="grid", trials=50, metric="log_loss",
                         penalty="l2", balance="none", minCount=10, bins=10, **SMALL)
    assert r["stopped"] == "grid_done" and r["grid_size"] == 6 and len(r["trials"]) == 6
    assert r["maximise"] is False
    assert r["best"]["log_loss"] == min(t["log_loss"] for t in r["trials"])


@pytest.mark.parametrize("opts, needle", [
    (dict(trials=0), 'option "trials" must be from 1 to 10000'),
    (dict(budget_seconds=0), "budget_seconds"),
    (dict(method="bayes"), "unknown search method"),
    (dict(c=(10, 1)), 'option "c"'),
    (dict(penalty=["l2", "l9"]), "unknown penalty"),
    (dict(trails=3), 'unknown option "trails"'),
    (dict(cv=1), 'option "cv" must be at least 2'),
])
def test_bad_options_are_named(small_churn, opts, needle):
    with pytest.raises(leadscore.InvalidInputError, match=needle):
        leadscore.search(small_churn, target="churn", **{**SMALL, **opts})


def test_failures_raise_typed_errors(small_churn):
    with pytest.raises(leadscore.UnknownColumnError):
        leadscore.search(small_churn, target="nope", **SMALL)
    with pytest.raises(leadscore.InsufficientDataError):
        leadscore.search(small_churn, target="churn", trials=2)
    with pytest.raises(leadscore.InvalidInputError, match="target must be"):
        leadscore.search(small_churn, target=3)
