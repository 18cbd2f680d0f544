"""Type stubs of the compiled module ``leadscore._native`` (re-exported by ``leadscore``)."""

import os
from pathlib import Path
from types import TracebackType
from typing import Any, Callable, Dict, List, Literal, Optional, Tuple, Type, TypedDict, Union

import numpy as np
import numpy.typing as npt

__version__: str
OPTION_NAMES: List[str]

PathLike = Union[str, "os.PathLike[str]"]

class ScoreDict(TypedDict):
    probability: float
    score: int
    label: bool

class ReasonDict(TypedDict):
    field: str
    label: str
    contribution: float

class ExplanationDict(TypedDict):
    probability: float
    score: int
    label: bool
    base_probability: float
    positive: List[ReasonDict]
    negative: List[ReasonDict]

class StoreScoreDict(TypedDict):
    probability: float
    score: int
    label: bool
    source: Literal["tenant", "fallback"]
    fallback_reason: Optional[Literal["no_model", "insufficient_data", "unreadable"]]

class StoreExplanationDict(TypedDict):
    probability: float
    score: int
    label: bool
    base_probability: float
    positive: List[ReasonDict]
    negative: List[ReasonDict]
    source: Literal["tenant", "fallback"]
    fallback_reason: Optional[Literal["no_model", "insufficient_data", "unreadable"]]

class TenantStatsDict(TypedDict):
    hits: int
    misses: int
    loads: int
    load_micros: int
    scores: int
    fallbacks: int

class StoreStatsDict(TypedDict):
    cached_models: int
    cached_bytes: int
    cache_bytes_limit: int
    evictions: int
    totals: TenantStatsDict
    tenants: Dict[str, TenantStatsDict]

class DriftRowDict(TypedDict, total=False):
    tenant: str
    name: str
    scores: int
    psi: Optional[float]
    status: Literal["stable", "watch", "retrain", "too_few_scores", "no_reference", "unreadable"]
    error: str

class Model:
    """A trained, immutable lead-scoring model (safe to share between threads)."""

    @staticmethod
    def load(path: PathLike) -> Model:
        """Loads a model file (``.lsm``); raises ``IoError`` or ``ModelFormatError``."""
    @staticmethod
    def from_bytes(data: bytes) -> Model:
        """Reads a model from the bytes ``to_bytes`` wrote; raises ``ModelFormatError``."""
    def save(self, path: PathLike) -> None:
        """Saves the model atomically (temporary file, fsync, rename)."""
    def to_bytes(self) -> bytes:
        """The model file's bytes (checksummed and versioned)."""
    def score(self, record: Dict[str, Any]) -> ScoreDict:
        """Scores one raw record: unknown fields are ignored, absent ones are missing."""
    def explain(self, record: Dict[str, Any], k: int = 3) -> ExplanationDict:
        """Scores one raw record and names the top ``k`` reasons each way."""
    def predict_proba(self, data: Any) -> npt.NDArray[np.float64]:
        """Probabilities of every row of a DataFrame / dict of columns / list of records."""
    def decision_function(self, data: Any) -> npt.NDArray[np.float64]:
        """Log-odds of every row (see ``predict_proba``)."""
    def predict(self, data: Any) -> npt.NDArray[np.bool_]:
        """Labels at the model's threshold for every row."""
    @property
    def metrics(self) -> Optional[Dict[str, Any]]:
        """Cross-validated metrics from training, or None when trained with ``cv=0``."""
    @property
    def evaluation(self) -> Optional[Dict[str, Any]]:
        """How the model was evaluated (k-fold or time split), its threshold policy and
        cut, the threshold table, calibration curve and score histograms; or None."""
    def insights(self) -> Optional[Dict[str, Any]]:
        """The training data's insights stored at training time, or None."""
    def info(self) -> Dict[str, Any]:
        """A short summary: target, rows, inputs, features, threshold, settings, metrics."""
    def to_json(self) -> str:
        """The whole model as JSON text."""
    @property
    def input_names(self) -> List[str]:
        """The raw fields the model reads."""
    @property
    def threshold(self) -> float:
        """The decision threshold on the probability."""
    @property
    def intercept(self) -> float:
        """The intercept (log-odds)."""
    @property
    def coefficients(self) -> List[Tuple[str, float]]:
        """``(feature name, coefficient)`` pairs."""
    def report_html(
        self, path: Optional[Union[str, "os.PathLike[str]"]] = None, *, compact: bool = False, title: Optional[str] = None
    ) -> str:
        """The model's report as HTML: a self-contained page with the metrics beside a random
        guess, ROC and PR curves, a threshold slider, lift, calibration, the coefficients and the
        stored insights (the same bytes as every binding give). With ``path`` also written there,
        atomically. ``compact=True``: the fragment Jupyter shows for a model."""
    def _repr_html_(self) -> str:
        """The compact report (``report_html(compact=True)``), which Jupyter shows inline."""
    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]: ...

class Store:
    """Many tenants' models, ``<root>/<tenant>/<name>.lsm``, with ``<root>/_global/<name>.lsm``
    as the fallback; an LRU cache bounded in bytes, hot reload; safe to share between threads."""

    def __init__(
        self,
        root: PathLike,
        cache_bytes: int = 268435456,
        check_interval: float = 2.0,
        fallback: bool = True,
        drift_flush_interval: Optional[float] = 60.0,
        max_file_bytes: int = 67108864,
    ) -> None:
        """Opens (creating when missing) the store at ``root``; intervals are in seconds."""
    def score(self, tenant: str, record: Dict[str, Any], name: str = "lead") -> StoreScoreDict:
        """Scores one raw record with the tenant's model or the fallback, saying which."""
    def explain(self, tenant: str, record: Dict[str, Any], k: int = 3, name: str = "lead") -> StoreExplanationDict:
        """Scores and explains one raw record with the tenant's model or the fallback."""
    def get(self, tenant: str, name: str = "lead") -> Model:
        """The model answering for ``tenant`` (shared with the store, not copied)."""
    def save(self, tenant: str, model: Model, name: str = "lead") -> None:
        """Saves ``model`` as the tenant's model atomically."""
    def tenants(self) -> List[str]:
        """Tenants with a folder in the store, sorted (``_global`` excluded)."""
    def stats(self) -> StoreStatsDict:
        """Counters of the whole store and per tenant."""
    def tenant_stats(self, tenant: str) -> TenantStatsDict:
        """Counters of one tenant (zeros when never asked for)."""
    def flush_drift(self) -> None:
        """Writes the score counts gathered so far beside each model (for ``leadscore drift``)."""
    def drift(self, name: str = "lead", tenant: Optional[str] = None) -> List[DriftRowDict]:
        """Each tenant's score drift (PSI against its training deciles), worst first."""
    def mark_insufficient(self, tenant: str, rows: int = 0, positives: int = 0, name: str = "lead") -> None:
        """Marks a tenant as having too little data: the fallback answers with that reason."""
    def _train_tenants(
        self,
        path: Optional[PathLike],
        names: Optional[List[str]],
        cols: Optional[List[Any]],
        options_json: str,
        progress: Optional[Callable[[Dict[str, Any]], Any]] = None,
    ) -> str: ...
    def clear(self) -> None:
        """Drops every cached model (counters and drift counts are kept)."""
    @property
    def root(self) -> Path:
        """The store's root folder."""
    def __enter__(self) -> Store: ...
    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> bool: ...

def _train_columns(names: List[str], cols: List[Any], options_json: str) -> Model: ...
def _train_file(path: PathLike, options_json: str) -> Model: ...
def _insights_columns(names: List[str], cols: List[Any], options_json: str) -> str: ...
def _insights_file(path: PathLike, options_json: str) -> str: ...
def _search_columns(names: List[str], cols: List[Any], options_json: str) -> Tuple[str, Optional[Model]]: ...
def _search_file(path: PathLike, options_json: str) -> Tuple[str, Optional[Model]]: ...
def _raise_core_error(code: int, message: str) -> None: ...
