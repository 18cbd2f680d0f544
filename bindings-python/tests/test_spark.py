"""train_by_group on a local[2] Spark session (pyspark from PyPI, the machine's Java 17+)."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

import leadscore

pyspark = pytest.importorskip("pyspark", reason="test.sh installs pyspark; run the tests through it")


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    import sys

    assert os.environ.get("JAVA_HOME"), "test.sh sets JAVA_HOME to the machine's Java 17+"
    # Python workers must run this interpreter (the venv with leadscore and pyarrow).
    os.environ["PYSPARK_PYTHON"] = sys.executable
    os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("leadscore-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="module")
def leads(churn_df) -> pd.DataFrame:
    # Three tenants: two with enough data, one too small to train.
    a = churn_df.iloc[:3000].assign(tenant="acme")
    b = churn_df.iloc[3000:6000].assign(tenant="globex")
    c = churn_df.iloc[6000:6040].assign(tenant="tiny")
    return pd.concat([a, b, c], ignore_index=True)


def test_train_by_group(spark, leads):
    from leadscore.spark import train_by_group

    sdf = spark.createDataFrame(leads)
    out = train_by_group(sdf, "tenant", "churn", cv=3, min_rows=1000, seed=5)
    assert out.columns == ["tenant", "model", "rows", "positives", "roc_auc", "error"]
    rows = {r["tenant"]: r for r in out.collect()}
    assert set(rows) == {"acme", "globex", "tiny"}

    for t in ("acme", "globex"):
        r = rows[t]
        assert r["error"] is None and r["rows"] == 3000
        part = leads[leads.tenant == t].drop(columns="tenant")
        assert r["positives"] == int(part.churn.sum())
        model = leadscore.Model.from_bytes(bytes(r["model"]))
        assert r["roc_auc"] == pytest.approx(model.metrics["roc_auc"], abs=1e-15)
        assert r["roc_auc"] > 0.75
        # the same core on the driver gives the same model as on the executors
        local = leadscore.train(part, target="churn", cv=3, min_rows=1000, seed=5)
        np.testing.assert_allclose(model.predict_proba(part), local.predict_proba(part), rtol=0, atol=1e-12)

    tiny = rows["tiny"]
    assert tiny["model"] is None and tiny["roc_auc"] is None
    assert tiny["rows"] == 40 and tiny["positives"] == int(leads[leads.tenant == "tiny"].churn.sum())
    assert tiny["error"].startswith("INSUFFICIENT_DATA: ")


def test_train_by_group_checks_columns(spark, leads):
    from leadscore.spark import train_by_group

    sdf = spark.createDataFrame(leads.head(10))
    with pytest.raises(leadscore.UnknownColumnError, match="tenant_id"):
        train_by_group(sdf, "tenant_id", "churn")
    with pytest.raises(leadscore.UnknownColumnError, match="won"):
        train_by_group(sdf, "tenant", "won")


def test_score_by_group(spark, leads, tmp_path):
    from leadscore.spark import score_by_group, train_by_group

    sdf = spark.createDataFrame(leads)
    models = train_by_group(sdf, "tenant", "churn", cv=0, min_rows=1000, seed=5)
    # From train_by_group's result: each tenant by its own model; "tiny" has none.
    scored = score_by_group(sdf, "tenant", models).toPandas()
    assert list(scored.columns) == list(leads.columns) + ["probability", "label"]
    blobs = {r["tenant"]: bytes(r["model"]) for r in models.collect() if r["model"] is not None}
    for t in ("acme", "globex"):
        got = scored[scored.tenant == t]
        m = leadscore.Model.from_bytes(blobs[t])
        want = m.predict_proba(got[leads.columns].drop(columns="tenant"))
        np.testing.assert_allclose(got.probability.to_numpy(), want, rtol=0, atol=1e-12)
        assert (got.label.to_numpy(dtype=bool) == (want >= m.threshold)).all()
    tiny = scored[scored.tenant == "tiny"]
    assert tiny.probability.isna().all() and tiny.label.isna().all()

    # From a store: the tenant's model, and the _global fallback for "tiny".
    store = leadscore.Store(tmp_path)
    for t, b in blobs.items():
        store.save(t, leadscore.Model.from_bytes(b))
    store.save("_global", leadscore.Model.from_bytes(blobs["acme"]))
    from_store = score_by_group(sdf, "tenant", str(tmp_path)).toPandas()
    np.testing.assert_allclose(
        from_store.sort_values(["tenant"], kind="stable")[from_store.tenant != "tiny"].probability.to_numpy(),
        scored.sort_values(["tenant"], kind="stable")[scored.tenant != "tiny"].probability.to_numpy(),
        rtol=0,
        atol=1e-12,
    )
    fallback = from_store[from_store.tenant == "tiny"]
    want = leadscore.Model.from_bytes(blobs["acme"]).predict_proba(fallback[leads.columns].drop(columns="tenant"))
    np.testing.assert_allclose(fallback.probability.to_numpy(), want, rtol=0, atol=1e-12)

    with pytest.raises(leadscore.InvalidInputError, match="not a store folder"):
        score_by_group(sdf, "tenant", str(tmp_path / "nope"))
    with pytest.raises(leadscore.UnknownColumnError, match="org"):
        score_by_group(sdf, "org", models)
