"""Type stubs of the compiled module ``leadscore._native`` (re-exported by ``leadscore``)."""

import os
from typing import Any, Dict, List, Optional, Tuple, TypedDict, Union

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
    def _repr_html_(self) -> str: ...
    def __reduce__(self) -> Tuple[Any, Tuple[bytes]]: ...

def _train_columns(names: List[str], cols: List[Any], options_json: str) -> Model: ...
def _train_file(path: PathLike, options_json: str) -> Model: ...
def _raise_core_error(code: int, message: str) -> None: ...
