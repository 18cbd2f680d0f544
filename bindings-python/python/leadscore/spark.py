"""Train and score one model per group on Spark, with the same core as everywhere else.

>>> from pyspark.sql import SparkSession
>>> from leadscore.spark import train_by_group
>>> spark = SparkSession.builder.master("local[2]").getOrCreate()     # doctest: +SKIP
>>> leads = spark.read.csv("leads.csv", header=True, inferSchema=True) # doctest: +SKIP
>>> models = train_by_group(leads, "tenant_id", "won", cv=3)           # doctest: +SKIP
>>> models.select("tenant_id", "rows", "roc_auc", "error").show()      # doctest: +SKIP
>>> row = models.first()                                               # doctest: +SKIP
>>> m = leadscore.Model.from_bytes(row["model"])                       # doctest: +SKIP
>>> from leadscore.spark import score_by_group
>>> scored = score_by_group(leads, "tenant_id", models)                # doctest: +SKIP
>>> scored = score_by_group(leads, "tenant_id", "/mnt/shared/store")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["train_by_group", "score_by_group", "RESULT_COLUMNS", "SCORE_COLUMNS"]

#: The columns after the group column, with their Spark SQL types.
RESULT_COLUMNS = "model binary, rows long, positives long, roc_auc double, error string"

#: The columns :func:`score_by_group` adds, with their Spark SQL types.
SCORE_COLUMNS = "probability double, label boolean"


def _train_group(group_col: str, target: str, options: dict) -> Any:
    """The pandas function applyInPandas runs once per group (on the executors)."""

    def fit(pdf: Any) -> Any:
        import pandas as pd

        import leadscore

        group = pdf[group_col].iloc[0] if len(pdf) else None
        rows = len(pdf)
        out = {group_col: [group], "model": [None], "rows": [rows], "positives": [None], "roc_auc": [None], "error": [None]}
        try:
            data = pdf.drop(columns=[group_col])
            model = leadscore.train(data, target=target, **options)
            info = model.info()
            out["model"] = [model.to_bytes()]
            out["positives"] = [info.get("positives")]
            out["roc_auc"] = [info.get("roc_auc")]
        except leadscore.LeadScoreError as e:
            out["error"] = [f"{e.code_name}: {e}"]
            if isinstance(e, leadscore.InsufficientDataError):
                out["positives"] = [e.positives]
        return pd.DataFrame(out).astype({"rows": "int64", "positives": "Int64", "roc_auc": "Float64"})

    return fit


def train_by_group(df: Any, group_col: str, target: str, **options: Any) -> Any:
    """Trains one :class:`leadscore.Model` per value of ``group_col`` of a Spark
    DataFrame with ``groupBy(group_col).applyInPandas``.

    Returns a Spark DataFrame with one row per group: ``group_col``, ``model`` (the
    model bytes: ``leadscore.Model.from_bytes(row.model)``, null on error), ``rows``,
    ``positives``, ``roc_auc`` (cross-validated, null without CV) and ``error`` (null
    on success; otherwise ``"CODE: message"``). A group with too little data, or any
    other leadscore error, comes back as a row with the error instead of failing the
    job. Options are those of :func:`leadscore.train`; each executor needs
    ``leadscore`` installed.
    """
    from .errors import InvalidInputError, UnknownColumnError

    names = df.columns
    for c in (group_col, target):
        if c not in names:
            raise UnknownColumnError(f'unknown column "{c}"; columns are: {", ".join(names)}', column=c)
    if group_col in ("model", "rows", "positives", "roc_auc", "error"):
        raise InvalidInputError(f'the group column cannot be called "{group_col}": the result has a column of that name')
    if group_col == target:
        raise InvalidInputError("the group column cannot be the target")
    group_type = df.schema[group_col].dataType.simpleString()
    schema = f"`{group_col.replace('`', '``')}` {group_type}, {RESULT_COLUMNS}"
    return df.groupBy(group_col).applyInPandas(_train_group(group_col, target, dict(options)), schema=schema)


def _score_groups(group_col: str, root: Any, name: str, blobs: Any) -> Any:
    """The function mapInPandas runs on each partition (on the executors): every
    group's rows are scored at once with that group's model."""

    def score(batches: Any) -> Any:
        import numpy as np
        import pandas as pd

        import leadscore

        store = leadscore.Store(root, check_interval=3600.0, drift_flush_interval=None) if root is not None else None
        models: dict = {}

        def model_of(group: Any) -> Any:
            key = str(group)
            if key not in models:
                if store is not None:
                    try:
                        models[key] = store.get(key, name)
                    except leadscore.NotFoundError:
                        models[key] = None
                else:
                    b = blobs.value.get(key)
                    models[key] = leadscore.Model.from_bytes(b) if b is not None else None
            return models[key]

        for pdf in batches:
            prob = np.full(len(pdf), np.nan)
            label = pd.array([None] * len(pdf), dtype="boolean")
            for group, idx in pdf.groupby(group_col, dropna=True, sort=False).indices.items():
                model = model_of(group)
                if model is None:
                    continue
                p = model.predict_proba(pdf.iloc[idx])
                prob[idx] = p
                label[idx] = p >= model.threshold
            out = pdf.copy()
            out["probability"] = prob
            out["label"] = label
            yield out

    return score


def score_by_group(df: Any, group_col: str, models: Any, *, name: str = "lead") -> Any:
    """Scores every row of a Spark DataFrame with its group's model, with
    ``mapInPandas`` (no shuffle: each partition's groups are scored in batches).

    ``models`` is either a store folder that every executor can read (a shared
    mount): each group's model is ``<models>/<group>/<name>.lsm``, and a group
    without one is scored by the store's ``_global`` fallback as
    :meth:`leadscore.Store.get` resolves it; or the DataFrame :func:`train_by_group`
    returned, whose models are collected to the driver and broadcast (they are small).

    Returns ``df`` with ``probability`` and ``label`` (at the model's threshold)
    added; both are null for a group that no model answers. Group values are used as
    text (``str(value)``), as the store names tenants.
    """
    import os

    from .errors import InvalidInputError, UnknownColumnError

    names = df.columns
    if group_col not in names:
        raise UnknownColumnError(f'unknown column "{group_col}"; columns are: {", ".join(names)}', column=group_col)
    for c in ("probability", "label"):
        if c in names:
            raise InvalidInputError(f'the DataFrame already has a column "{c}", which score_by_group adds')
    root = None
    blobs = None
    if isinstance(models, (str, os.PathLike)):
        root = os.fspath(models)
        if not os.path.isdir(root):
            raise InvalidInputError(f"{root}: not a store folder")
    else:
        cols = models.columns
        if group_col not in cols or "model" not in cols:
            raise InvalidInputError(
                f'models must be a store folder or train_by_group\'s result (columns "{group_col}" and "model")'
            )
        rows = models.where(models["model"].isNotNull()).select(group_col, "model").collect()
        blobs = df.sparkSession.sparkContext.broadcast({str(r[0]): bytes(r[1]) for r in rows})
    schema = ", ".join(f"`{f.name.replace('`', '``')}` {f.dataType.simpleString()}" for f in df.schema.fields)
    return df.mapInPandas(_score_groups(group_col, root, name, blobs), schema=schema + ", " + SCORE_COLUMNS)
