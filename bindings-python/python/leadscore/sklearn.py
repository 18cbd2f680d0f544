"""A scikit-learn estimator around :func:`leadscore.train`.

:class:`LeadScoreClassifier` follows scikit-learn's estimator contract
(``get_params``/``set_params``, ``fit`` returns self, ``classes_``, ``predict``,
``predict_proba``, ``decision_function``, ``score``), so it works in ``Pipeline``,
``GridSearchCV`` and ``cross_val_score`` and passes ``check_estimator``.

>>> import pandas as pd
>>> from sklearn.model_selection import cross_val_score
>>> from leadscore.sklearn import LeadScoreClassifier
>>> df = pd.read_csv("examples/data/wa_churn.csv")                     # doctest: +SKIP
>>> X, y = df.drop(columns="churn"), df["churn"]                       # doctest: +SKIP
>>> cross_val_score(LeadScoreClassifier(c=0.5), X, y, scoring="roc_auc").mean()  # doctest: +SKIP
0.84...

A pandas DataFrame keeps its dtypes (strings and categories become one-hot features
inside leadscore); any other array-like is validated by scikit-learn as numbers, as
``LogisticRegression`` would, and its columns are named ``x0``, ``x1``, ...
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Union

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted, validate_data

from . import Model, _columns, _options_json, _train_columns


__all__ = ["LeadScoreClassifier"]


def _two_int_classes(y: Any, n: int) -> Optional[np.ndarray]:
    """The two classes of the most common labels -- a 1-D numpy array or pandas
    Series, ``n`` long, of booleans or of integers holding two consecutive values (0
    and 1, say) -- found without scikit-learn's general checks (``column_or_1d``,
    ``type_of_target`` and ``np.unique`` took about half a millisecond of a 4 ms fit
    on 7,043 rows); they would call such labels "binary" with the same classes.
    ``None`` for anything else, which takes the general checks."""
    import pandas as pd

    if isinstance(y, pd.Series):
        if not isinstance(y.dtype, np.dtype):
            return None
        y = y.to_numpy()
    if not isinstance(y, np.ndarray) or y.ndim != 1 or y.shape[0] != n or n == 0:
        return None
    if y.dtype.kind == "b":
        return np.array([False, True]) if y.any() and not y.all() else None
    if y.dtype.kind not in "iu":
        return None
    lo, hi = y.min(), y.max()
    # Consecutive integers: every label is one of the two.
    if hi - lo != 1:
        return None
    return np.array([lo, hi], dtype=y.dtype)


# The target types scikit-learn's check_classification_targets accepts.
_CLASSIFICATION_TARGETS = (
    "binary",
    "multiclass",
    "multiclass-multioutput",
    "multilabel-indicator",
    "multilabel-sequences",
)


class LeadScoreClassifier(ClassifierMixin, BaseEstimator):
    """Binary logistic regression (L2, L1 or elastic net) with leadscore's automatic
    features.

    Parameters mirror :func:`leadscore.train`: ``c`` is ``"auto"`` (chosen from the
    training rows) or a number, ``penalty`` ``"l2"``, ``"l1"`` or ``"elasticnet"``
    (with ``l1_ratio``), ``max_features`` caps the features kept, ``max_model_bytes`` the saved model's size,
    and ``recipe`` the
    feature recipe (``None``: the
    ``auto`` recipe of the data's columns). Two defaults differ from it because
    scikit-learn tooling evaluates and sizes data itself: ``cv=0`` (no internal
    cross-validation; use ``cross_val_score``) and ``min_rows=1``, ``min_positives=1``
    (fit on whatever data it is given).

    ``predict`` cuts at probability 0.5 (``decision_function > 0``) as scikit-learn
    expects of ``predict_proba``'s argmax; the model's own tuned threshold is
    ``model_.threshold`` and ``model_.predict`` uses it.

    Attributes after ``fit``: ``model_`` (the :class:`leadscore.Model`), ``classes_``
    (the two labels, sorted; the second is the positive class), ``n_features_in_``,
    ``feature_names_in_`` (for DataFrames), ``n_iter_`` (solver iterations).
    """

    def __init__(
        self,
        c: Union[float, str] = "auto",
        recipe: Optional[str] = None,
        balance: str = "upsample",
        cv: int = 0,
        seed: int = 42,
        max_iter: int = 100,
        tol: Optional[float] = None,
        min_rows: int = 1,
        min_positives: int = 1,
        min_count: Optional[int] = None,
        max_levels: Optional[int] = None,
        kinds: Optional[Dict[str, str]] = None,
        threads: int = 0,
        penalty: str = "l2",
        l1_ratio: Optional[float] = None,
        max_features: Optional[int] = None,
        max_model_bytes: Optional[int] = None,
    ) -> None:
        self.c = c
        self.recipe = recipe
        self.balance = balance
        self.cv = cv
        self.seed = seed
        self.max_iter = max_iter
        self.tol = tol
        self.min_rows = min_rows
        self.min_positives = min_positives
        self.min_count = min_count
        self.max_levels = max_levels
        self.kinds = kinds
        self.threads = threads
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.max_features = max_features
        self.max_model_bytes = max_model_bytes

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True  # NaN is a missing value, handled by the model
        tags.classifier_tags.multi_class = False  # binary only: one model, one target
        return tags

    # -- data -------------------------------------------------------------------------

    def _frame(self, X: Any, reset: bool) -> Any:
        """X as a DataFrame leadscore reads: DataFrames keep their dtypes; anything else
        is validated as numbers by scikit-learn and its columns named x0, x1, ..."""
        import pandas as pd

        if isinstance(X, pd.DataFrame):
            names = np.asarray(X.columns, dtype=object)
            if reset and len(names) > 0 and all(type(n) is str for n in names):
                # What validate_data(skip_check_array=True, reset=True) records for a
                # DataFrame whose column names are all strings -- the names, as
                # scikit-learn's _get_feature_names returns them, and their count --
                # without its general container inspection (70 us of each fit).
                # Anything else takes scikit-learn's own path.
                self.feature_names_in_ = names
                self.n_features_in_ = X.shape[1]
            else:
                validate_data(self, X, skip_check_array=True, reset=reset)
            if X.shape[0] == 0:
                raise ValueError(f"Found array with 0 sample(s) (shape={X.shape}) while a minimum of 1 is required.")
            return X
        arr = validate_data(self, X, reset=reset, dtype=np.float64, ensure_all_finite="allow-nan")
        return {f"x{i}": np.ascontiguousarray(arr[:, i]) for i in range(arr.shape[1])}

    def _options(self) -> Dict[str, Any]:
        return {
            "c": self.c,
            "recipe": self.recipe,
            "balance": self.balance,
            "cv": self.cv,
            "seed": self.seed,
            "max_iter": self.max_iter,
            "tol": self.tol,
            "min_rows": self.min_rows,
            "min_positives": self.min_positives,
            "min_count": self.min_count,
            "max_levels": self.max_levels,
            "kinds": self.kinds,
            "threads": self.threads,
            "penalty": self.penalty,
            "l1_ratio": self.l1_ratio,
            "max_features": self.max_features,
            "max_model_bytes": self.max_model_bytes,
        }

    # -- estimator API ----------------------------------------------------------------

    def fit(self, X: Any, y: Any) -> "LeadScoreClassifier":
        """Fits one model on ``X`` (a DataFrame or a 2-D array) and binary labels ``y``."""
        import pandas as pd

        if y is None:
            raise ValueError("requires y to be passed, but the target y is None")
        if isinstance(X, pd.DataFrame):
            X = self._frame(X, reset=True)
            classes = _two_int_classes(y, X.shape[0])
            if classes is not None:
                y = np.asarray(y)
            else:
                from sklearn.utils.validation import column_or_1d, check_consistent_length

                y = column_or_1d(y, warn=True)
                check_consistent_length(X, y)
        else:
            X_arr, y = validate_data(self, X, y, dtype=np.float64, ensure_all_finite="allow-nan")
            X = {f"x{i}": np.ascontiguousarray(X_arr[:, i]) for i in range(X_arr.shape[1])}
            classes = None
        if classes is None:
            # check_classification_targets' test with one type_of_target call (it is
            # the slowest part of fit's validation; the check would call it a second
            # time).
            y_type = type_of_target(y, input_name="y")
            if y_type not in _CLASSIFICATION_TARGETS:
                raise ValueError(
                    f"Unknown label type: {y_type}. Maybe you are trying to fit a classifier, which "
                    "expects discrete classes on a regression target with continuous values."
                )
            classes = np.unique(y)
        else:
            y_type = "binary"
        if y_type != "binary" and len(classes) > 2:
            raise ValueError(
                f"Only binary classification is supported. The type of the target is {y_type}. "
                "Wrap LeadScoreClassifier in sklearn.multiclass.OneVsRestClassifier for more classes."
            )
        if len(classes) < 2:
            raise ValueError(f"LeadScoreClassifier needs samples of two classes; the data has 1 class ({classes[0]!r})")
        # The columns of X plus the labels as one more column, without copying X.
        names, cols, _ = _columns(X)
        target = "__leadscore_target__"
        while target in names:
            target += "_"
        names.append(target)
        cols.append((np.asarray(y) == classes[1]).astype(np.float64))
        opts = _options_json(target, dict(self._options(), positive="1"))
        self.model_: Model = _train_columns(names, cols, opts)
        self.classes_ = classes
        return self

    @property
    def n_iter_(self) -> int:
        """Solver iterations of the fitted model (read from it when asked: building
        the model's info dict took 20 us of each fit)."""
        check_is_fitted(self, "model_")
        return int(self.model_.info().get("iterations") or 1)

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of the positive class ``classes_[1]`` for each row."""
        check_is_fitted(self)
        return self.model_.decision_function(self._frame(X, reset=False))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities of ``classes_[0]`` and ``classes_[1]`` for each row (n x 2)."""
        check_is_fitted(self)
        p = self.model_.predict_proba(self._frame(X, reset=False))
        return np.column_stack([1.0 - p, p])

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Log of :meth:`predict_proba`."""
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """The label of each row (``classes_[1]`` where ``decision_function > 0``)."""
        check_is_fitted(self)
        return self.classes_[(self.decision_function(X) > 0).astype(int)]
