"""Train one model per group on Spark, with the same core as everywhere else.

>>> from pyspark.sql import SparkSession
>>> from leadscore.spark import train_by_group
>>> spark = SparkSession.builder.master("local[2]").getOrCreate()     # doctest: +SKIP
>>> leads = spark.read.csv("leads.csv", header=True, inferSchema=True) # doctest: +SKIP
>>> models = train_by_group(leads, "tenant_id", "won", cv=3)           # doctest: +SKIP
>>> models.select("tenant_id", "rows", "roc_auc", "error").show()      # doctest: +SKIP
>>> row = models.first()                                               # doctest: +SKIP
>>> m = leadscore.Model.from_bytes(row["model"])                       # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__all__ = ["train_by_group", "RESULT_COLUMNS"]

#: The columns after the group column, with their Spark SQL types.
RESULT_COLUMNS = "model binary, rows long, positives long, roc_auc double, error string"


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
