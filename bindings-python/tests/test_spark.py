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
