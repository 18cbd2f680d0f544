"""leadscore: small interpretable lead-scoring models, one per tenant.

Train an L2 logistic regression from a DataFrame, score raw records in microseconds,
and read the reasons behind each score. The core is Rust; this package is a thin layer.

>>> import leadscore, pandas as pd
>>> df = pd.read_csv("examples/data/wa_churn.csv")            # doctest: +SKIP
>>> model = leadscore.train(df, target="churn", seed=7)       # doctest: +SKIP
>>> model.metrics["roc_auc"] > 0.8                            # doctest: +SKIP
True
>>> model.score({"tenure": 2, "contract": "Month-to-month"})  # doctest: +SKIP
{'probability': 0.62..., 'score': 62, 'label': True}
>>> model.predict_proba(df)[:3]                               # doctest: +SKIP
array([0.61..., 0.04..., 0.33...])

Many tenants' models live in a :class:`Store` (``<root>/<tenant>/lead.lsm``, with
``<root>/_global/lead.lsm`` answering for tenants without a model):

>>> store = leadscore.Store("store/")                         # doctest: +SKIP
>>> store.save("acme", model)                                 # doctest: +SKIP
>>> store.score("newco", {"tenure": 2})["fallback_reason"]    # doctest: +SKIP
'no_model'
"""

from __future__ import annotations

import json
from typing import Any

from . import errors
from ._native import Model, Store, OPTION_NAMES, __version__
from ._native import _insights_columns, _insights_file, _train_columns, _train_file
from ._native import _search_columns, _search_file
from ._frame import columns as _columns, is_path as _is_path
from .errors import (
    InsufficientDataError,
    InternalError,
    InvalidInputError,
    IoError,
    LeadScoreError,
    ModelFormatError,
    NotFoundError,
    TrainingError,
    UnknownColumnError,
)

__all__ = [
    "Model",
    "Store",
    "train",
    "insights",
    "insights_frame",
    "search",
    "train_tenants",
    "__version__",
    "OPTION_NAMES",
    "errors",
    "LeadScoreError",
    "InvalidInputError",
    "ModelFormatError",
    "InsufficientDataError",
    "IoError",
    "UnknownColumnError",
    "TrainingError",
    "NotFoundError",
    "InternalError",
]


def _options_json(target: str, options: dict) -> str:
    def plain(o: Any) -> Any:
        if hasattr(o, "item"):  # numpy scalars
            return o.item()
        raise InvalidInputError(f"option value {o!r} of type {type(o).__name__} is not a number, string, bool or dict")

    opts = {"target": target}
    for k, v in options.items():
        if v is not None:
            opts[k] = v
    return json.dumps(opts, default=plain)


def train(data: Any, target: str, **options: Any) -> Model:
    """Trains a model on ``data`` to predict ``target``.

    ``data`` is a pandas or polars DataFrame, a dict of columns, a list of dict
    records, or the path of a CSV (or ``.jsonl``) file. Numeric and boolean columns go
    to Rust as float64 arrays and string/category columns as codes plus their distinct
    values; training (with cross-validation) runs with the GIL released.

    Options mirror the CLI (``None`` means the default): ``positive`` (the positive
    class), ``balance`` (``"upsample"``, ``"downsample"``, ``"class_weight"``,
    ``"none"``), ``c`` (inverse penalty strength, or ``"auto"``, the default: chosen
    from the training rows for L2, 1 for the other penalties), ``recipe`` (the feature recipe text, see
    ``docs/recipes.md``; default the ``auto`` recipe), ``min_rows`` (2000),
    ``min_positives`` (50), ``cv`` (folds, 5; 0 = none), ``seed`` (42), ``max_iter``,
    ``tol``, ``penalty`` (``"l2"``, the default; ``"l1"``; ``"elasticnet"``),
    ``l1_ratio`` (the elastic net's L1 share, default 0.5), ``max_features`` (keep the
    strongest N features and refit; ``model.info()["pruning"]`` says what was dropped
    and what it cost), ``max_model_bytes`` (keep the most of the strongest features
    whose saved model fits in this many bytes, reported the same way), ``insights`` (store the data's insights in the model, default
    ``True``: :meth:`Model.insights`), ``min_count``, ``max_levels``, ``kinds`` (column -> ``numeric`` /
    ``boolean`` / ``categorical`` / ``text`` / ``id``), ``threads`` (0 = all cores), and
    for files ``delimiter`` and ``decimal_comma``.

    Raises :class:`InsufficientDataError` when there are too few rows or positives,
    :class:`UnknownColumnError` when ``target`` is not a column and
    :class:`InvalidInputError` for bad data or options.

    >>> import leadscore
    >>> m = leadscore.train("examples/data/wa_churn.csv", target="churn", cv=3)  # doctest: +SKIP
    >>> round(m.metrics["roc_auc"], 2)                                           # doctest: +SKIP
    0.84
    """
    if not isinstance(target, str):
        raise InvalidInputError(f"target must be a column name (str), got {target!r}")
    opts = _options_json(target, options)
    if _is_path(data):
        return _train_file(data, opts)
    names, cols, _ = _columns(data)
    return _train_columns(names, cols, opts)


def insights(data: Any, target: str, *, frame: bool = False, **options: Any) -> Any:
    """What a data scientist looks at before believing a model, without training one:
    per column its kind, counts, missing share, distinct values, statistics and a
    histogram by class (numbers), top levels (categories) or tokens (text), each with
    its positive rate; Pearson, Kendall tau-b and the ROC AUC of the column alone
    against the target; and warnings (``leak``, ``constant``, ``near_constant``,
    ``mostly_missing``, ``id_like``, ``near_duplicate``). Columns come strongest first.

    ``data`` is what :func:`train` takes. Options: ``positive``, ``kinds``, ``bins``
    (2-100, default 10), ``top_levels`` (10), ``top_tokens`` (20), ``recipe`` (describe
    the features a recipe makes instead of the raw columns; ``"auto"`` for the auto
    recipe's), ``threads``, and for files ``delimiter`` and ``decimal_comma``. Returns a dict, or with ``frame=True`` a
    pandas DataFrame of one row per column (name, kind, missing share, distinct, AUC,
    direction, Pearson, Kendall, warnings). A trained model keeps the same for its
    training rows: :meth:`Model.insights`. See ``docs/insights.md``.

    >>> import leadscore
    >>> ins = leadscore.insights("examples/data/wa_churn.csv", target="churn")  # doctest: +SKIP
    >>> [c["name"] for c in ins["columns"][:2]]                                  # doctest: +SKIP
    ['tenure', 'contract']
    """
    if not isinstance(target, str):
        raise InvalidInputError(f"target must be a column name (str), got {target!r}")
    opts = _options_json(target, options)
    if _is_path(data):
        text = _insights_file(data, opts)
    else:
        names, cols, _ = _columns(data)
        text = _insights_columns(names, cols, opts)
    doc = json.loads(text)
    if not frame:
        return doc
    return insights_frame(doc)


def insights_frame(doc: dict) -> Any:
    """One row per column of an insights dict (from :func:`insights` or
    :meth:`Model.insights`), strongest first, as a pandas DataFrame."""
    import pandas as pd

    rows = []
    for c in doc.get("columns", []):
        a = c.get("association") or {}
        rows.append({
            "column": c["name"],
            "kind": c["kind"],
            "missing_share": c["missing_share"],
            "distinct": c["distinct"],
            "roc_auc": a.get("roc_auc"),
            "higher_is_positive": a.get("higher_is_positive"),
            "pearson": a.get("pearson"),
            "kendall_tau_b": a.get("kendall_tau_b"),
            "warnings": ", ".join(c.get("warnings", [])),
        })
    return pd.DataFrame(rows)


def search(data: Any, target: str, *, refit: bool = False, **options: Any) -> dict:
    """Searches training settings for the one that cross-validates best on ``data``
    (what :func:`train` takes: a DataFrame, a dict of columns, records or a file path),
    trying each setting with the same folds; the work runs in Rust with the GIL
    released. See ``docs/search.md``.

    Search options: ``method`` (``"grid"``, ``"random"``, ``"tpe"``, the default),
    ``trials`` (30, at most 10000), ``budget_seconds`` (start no trial after it),
    ``metric`` (``"roc_auc"``, the default; ``"pr_auc"``; ``"log_loss"``, minimised),
    ``tpe_startup`` (10), ``tpe_batch`` (4). The space, each narrowed by a value, a
    ``(low, high)`` range or a list: ``c`` (default ``(0.001, 100)``, log-uniform; or
    ``"auto"``), ``penalty`` (default ``["l2", "l1", "elasticnet"]``), ``l1_ratio``
    (``(0, 1)``), ``balance`` (all four), ``min_count`` (``(1, 50)``), and for the
    ``auto`` recipe ``bins`` (``(3, 30)``), ``ngram`` (``(1, 3)``), ``min_df``
    (``(1, 5)``). Every other :func:`train` option (``cv``, ``seed``, ``recipe``,
    ``kinds``, ``min_rows``, ``threads``: the trials run in parallel...) is the base
    of every trial.

    Returns a dict: ``trials`` (each with ``number``, ``params``, ``value``,
    ``roc_auc``, ``pr_auc``, ``log_loss``, ``seconds``, ``error``), ``best`` (a trial,
    or ``None`` when every trial failed), ``stopped`` (``"trials"``, ``"grid_done"``
    or ``"budget"``), ``budget_exhausted``, ``searched``, ``space``... With
    ``refit=True`` the best setting is also trained on every row and returned under
    ``"model"`` (a :class:`Model`).

    >>> import leadscore
    >>> r = leadscore.search("examples/data/wa_churn.csv", target="churn",
    ...                      method="tpe", trials=20, refit=True)   # doctest: +SKIP
    >>> r["best"]["params"]["penalty"], round(r["best"]["roc_auc"], 3)  # doctest: +SKIP
    ('l2', 0.849)
    >>> r["model"].score({"tenure": 2})                              # doctest: +SKIP
    {'probability': 0.5..., 'score': 5..., 'label': True}
    """
    if not isinstance(target, str):
        raise InvalidInputError(f"target must be a column name (str), got {target!r}")
    options = dict(options)
    options["refit"] = refit
    opts = _options_json(target, options)
    if _is_path(data):
        text, model = _search_file(data, opts)
    else:
        names, cols, _ = _columns(data)
        text, model = _search_columns(names, cols, opts)
    doc = json.loads(text)
    if model is not None:
        doc["model"] = model
    return doc


def _progress_bar(desc: str) -> Any:
    """A tqdm progress bar (``tqdm.auto``: a widget in Jupyter, text in a terminal)
    fed by the run's progress dicts, or None when tqdm is not installed."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None, None
    bar = tqdm(desc=desc, unit="tenant")

    def update(p: dict) -> None:
        if bar.total != p["total"]:
            bar.total = p["total"]
            bar.refresh()
        bar.set_postfix(rows=p["rows_done"], refresh=False)
        bar.update(p["done"] - bar.n)

    return update, bar


def train_tenants(
    data: Any,
    target: str,
    *,
    out: Any,
    by: Any = None,
    progress: Any = True,
    **options: Any,
) -> dict:
    """Trains one model per tenant into a store: what ``leadscore train --by`` does.

    ``data`` is a pandas or polars DataFrame (or a dict of columns, or records) with
    the tenant column ``by``; the path of a CSV export with that column; or the path
    of a folder of ``<tenant>.csv`` files (``by`` then not needed). ``out`` is the
    store's root folder or a :class:`Store`. Each tenant's model goes to
    ``<out>/<tenant>/<name>.lsm`` with its outcome beside it, the ``_global`` fallback
    is trained on a seeded sample of every tenant's rows, and the run's summary is
    also written to ``<out>/_training.json``. Tenants train in parallel with the GIL
    released; a tenant's failure is its outcome, never the run's.

    Options: every :func:`train` option (``cv``, ``min_rows``, ``recipe``...), plus
    ``name`` (the model name, default ``"lead"``), ``force`` (retrain tenants whose
    model is newer than their data file), ``threads`` (parallel tenants, 0 = all
    cores), ``global_model`` (``False`` skips the fallback; the other bindings call it
    ``global``, a Python keyword), ``global_tenant_feature``, ``global_max_rows``
    (200,000).

    ``progress``: ``True`` shows a tqdm bar when tqdm is installed (a widget in
    Jupyter), ``False`` nothing, or a callable that receives ``{"done", "total",
    "rows_done", "elapsed"}`` after each tenant.

    Ctrl-C (or an exception in the callable) stops the run between tenants: the
    tenants in flight finish, no fallback is trained, ``_training.json`` says
    ``"cancelled": true``, and the exception is raised.

    Returns the summary: ``tenants`` (each ``tenant``, ``status`` (``"trained"``,
    ``"skipped"``, ``"insufficient_data"``, ``"failed"``), ``rows``, ``positives``,
    ``roc_auc``, ``pr_auc``, ``seconds``, ``error``), ``global``,
    ``rows_without_tenant``, ``index_seconds``, ``seconds``, ``cancelled``.

    >>> import leadscore, pandas as pd
    >>> df = pd.read_csv("export.csv")                                    # doctest: +SKIP
    >>> run = leadscore.train_tenants(df, "converted", by="tenant", out="store/")  # doctest: +SKIP
    >>> [(t["tenant"], t["status"]) for t in run["tenants"]][:2]           # doctest: +SKIP
    [('acme', 'trained'), ('globex', 'insufficient_data')]
    """
    if not isinstance(target, str):
        raise InvalidInputError(f"target must be a column name (str), got {target!r}")
    options = dict(options)
    if "global_model" in options:
        options["global"] = options.pop("global_model")
    options["by"] = by
    opts = _options_json(target, options)
    store = out if isinstance(out, Store) else Store(out)
    bar = None
    if callable(progress):
        report = progress
    elif progress:
        report, bar = _progress_bar("tenants")
    else:
        report = None
    try:
        if _is_path(data):
            text = store._train_tenants(data, None, None, opts, report)
        else:
            names, cols, _ = _columns(data)
            text = store._train_tenants(None, names, cols, opts, report)
    finally:
        if bar is not None:
            bar.close()
    return json.loads(text)


def _model_from_bytes(data: bytes) -> Model:
    """Unpickling hook: ``Model.__reduce__`` refers to it by name."""
    return Model.from_bytes(data)


def __dir__() -> list:
    """The public names only (PEP 562): ``dir(leadscore)`` and tab completion show
    the API, not the helpers this module imports (``json``, ``Any``...)."""
    return sorted(__all__)
