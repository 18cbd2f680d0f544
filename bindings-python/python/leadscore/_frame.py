"""DataFrames in, columns out: the shapes the Rust half reads without per-cell objects.

Each column becomes a contiguous float64 numpy array (numbers and booleans, NaN =
missing; Rust copies it with one memcpy), a contiguous object array (strings and mixed
values; Rust converts each distinct object once, recognising repeats by identity), or a
pair ``(codes, values)`` of int64 dictionary codes (-1 = missing) and the distinct
values (categoricals), so no cell becomes a new Python object on the way.
"""

from __future__ import annotations

import os
from typing import Any, List, Mapping, Tuple, Union

import numpy as np

from .errors import InvalidInputError

Columns = Tuple[List[str], List[Any], int]


def _numeric(values: Any) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float64)


def _coded(codes: Any, values: Any) -> Tuple[np.ndarray, list]:
    return (np.ascontiguousarray(codes, dtype=np.int64), list(values))


def _objects(values: Any) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=object)


def _unsupported(name: str, dtype: Any) -> InvalidInputError:
    return InvalidInputError(
        f'column "{name}": dtype {dtype} is not supported; convert it to numbers '
        "(e.g. days since an event) or strings",
        field=name,
    )


def _pandas_array(name: str, a: Any) -> Any:
    """One pandas column's values -- a numpy array or a pandas extension array -- in
    the shape Rust reads."""
    if isinstance(a, np.ndarray):
        kind = a.dtype.kind
        if kind == "f" and a.dtype.itemsize == 8:
            return _numeric(a)  # a view: Rust copies it once
        if kind in "biuf":
            return _numeric(a.astype(np.float64))  # one conversion pass
        if kind in "mM" and np.isnat(a).all():
            # NaT alone means missing, as in score(): a column of missing values.
            return _numeric(np.full(len(a), np.nan))
        if kind in "mMc":
            raise _unsupported(name, a.dtype)
        # object (strings, mixed values): Rust converts each distinct object once.
        return _objects(a if kind == "O" else a.astype(object))
    import pandas as pd
    from pandas.api import types as pt

    dtype = a.dtype
    if isinstance(dtype, pd.StringDtype):
        # strings (python or Arrow storage): the object ndarray.
        return _objects(a.to_numpy(dtype=object))
    if isinstance(dtype, pd.CategoricalDtype):
        return _coded(a.codes, a.categories.tolist())
    if pt.is_bool_dtype(dtype) or (pt.is_numeric_dtype(dtype) and not pt.is_complex_dtype(dtype)):
        # nullable forms (Int64, Float64, boolean): NA becomes NaN.
        return _numeric(a.to_numpy(dtype=np.float64, na_value=np.nan))
    if pt.is_datetime64_any_dtype(dtype) or pt.is_timedelta64_dtype(dtype) or pt.is_complex_dtype(dtype):
        if not pt.is_complex_dtype(dtype) and bool(pd.isna(a).all()):
            return _numeric(np.full(len(a), np.nan))  # NaT alone: missing, as in score()
        raise _unsupported(name, dtype)
    # other extension types (mixed values): the object ndarray.
    return _objects(a.to_numpy(dtype=object))


def _pandas_arrays(data: Any) -> Any:
    """The values of each column of a pandas DataFrame, without a Series per column.

    pandas' own column iterator (``DataFrame._iter_column_arrays``, private but
    present from pandas 1.3 to 3.x) yields the arrays directly; building a Series per
    column (``items()``) costs about 10 us a column in pandas 3, most of the time this
    conversion takes. Other versions fall back to ``items()``."""
    it = getattr(data, "_iter_column_arrays", None)
    if it is not None:
        try:
            arrays = list(it())
        except Exception:  # noqa: BLE001 - a changed private API: use the public one
            arrays = None
        if arrays is not None and len(arrays) == data.shape[1]:
            return arrays
    return [s.array if not isinstance(s.dtype, np.dtype) else s.to_numpy() for _, s in data.items()]


def _polars_columns(df: Any) -> Columns:
    import polars as pl

    names: List[str] = []
    cols: List[Any] = []
    for s in df.get_columns():
        names.append(str(s.name))
        if s.dtype.is_numeric() or s.dtype == pl.Boolean:
            cols.append(_numeric(s.cast(pl.Float64).to_numpy()))
        else:
            cols.append(_objects(s.to_numpy()))
    return names, cols, df.height


def columns(data: Any) -> Columns:
    """``(names, columns, n_rows)`` of a pandas or polars DataFrame, a dict of columns,
    or a list of dict records."""
    import pandas as pd

    mod = type(data).__module__.split(".")[0]
    if mod == "polars":
        if type(data).__name__ == "LazyFrame":
            data = data.collect()
        return _polars_columns(data)
    if isinstance(data, Mapping):
        lengths = {k: len(v) for k, v in data.items() if hasattr(v, "__len__") and not isinstance(v, str)}
        if len(lengths) != len(data):
            bad = next(k for k in data if k not in lengths)
            raise InvalidInputError(f'column "{bad}": expected a sequence of values', field=str(bad))
        if len(set(lengths.values())) > 1:
            raise InvalidInputError(f"columns have different lengths: {lengths}")
        data = pd.DataFrame({k: pd.Series(v, dtype=None if len(v) else object) for k, v in data.items()})
    elif isinstance(data, list) and all(isinstance(r, Mapping) for r in data):
        # index: records without fields are still rows (from_records alone drops them).
        data = pd.DataFrame.from_records(data, index=range(len(data))) if data else pd.DataFrame()
    if not isinstance(data, pd.DataFrame):
        raise InvalidInputError(
            "data must be a pandas or polars DataFrame, a dict of columns, a list of "
            f"dict records or a CSV path; got {type(data).__module__}.{type(data).__name__}"
        )
    names: List[str] = []
    cols: List[Any] = []
    if not data.columns.is_unique:
        dup = data.columns[data.columns.duplicated()][0]
        raise InvalidInputError(f'duplicate column "{dup}"', field=str(dup))
    for name, values in zip(data.columns, _pandas_arrays(data)):
        # Non-string names (pd.DataFrame(array) numbers its columns) are used as str(name).
        key = name if isinstance(name, str) else str(name)
        names.append(key)
        cols.append(_pandas_array(key, values))
    return names, cols, len(data)


def is_path(data: Any) -> bool:
    """True for a file path (``str`` or ``os.PathLike``)."""
    return isinstance(data, (str, os.PathLike))


PathOrData = Union[str, "os.PathLike[str]", Any]
