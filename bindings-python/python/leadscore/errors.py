"""Typed exceptions, one class per stable core error code.

The Rust half maps every core error to one of these classes by its code, in one
place (``src/error.rs``). Input problems also subclass :class:`ValueError` and I/O
failures :class:`OSError`, so ``except ValueError`` keeps working in generic code.

>>> import leadscore
>>> try:
...     leadscore.Model.from_bytes(b"not a model")
... except leadscore.ModelFormatError as e:
...     print(e.code, e.code_name)
2 MODEL_FORMAT
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type

__all__ = [
    "LeadScoreError",
    "InvalidInputError",
    "ModelFormatError",
    "InsufficientDataError",
    "IoError",
    "UnknownColumnError",
    "TrainingError",
    "NotFoundError",
    "InternalError",
    "error_class",
]


class LeadScoreError(Exception):
    """Base class of every leadscore error. ``code`` is the stable core error code
    (an int) and ``code_name`` its name (``"INVALID_INPUT"``...)."""

    code: int = 99
    code_name: str = "INTERNAL"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        #: Structured details the core attached (``field``, ``line``, ``column``...).
        self.details: Dict[str, Any] = details
        for k, v in details.items():
            setattr(self, k, v)

    def __reduce__(self) -> Any:
        return (_rebuild, (type(self), self.message, self.details))


def _rebuild(cls: Type[LeadScoreError], message: str, details: Dict[str, Any]) -> LeadScoreError:
    return cls(message, **details)


class InvalidInputError(LeadScoreError, ValueError):
    """Bad input data, a value of the wrong kind, or a bad option (code 1)."""

    code = 1
    code_name = "INVALID_INPUT"
    field: Optional[str] = None
    line: Optional[int] = None


class ModelFormatError(LeadScoreError, ValueError):
    """Bytes or a file that are not a valid leadscore model (code 2)."""

    code = 2
    code_name = "MODEL_FORMAT"


class InsufficientDataError(LeadScoreError, ValueError):
    """Too few rows or positives to train (code 3); ``rows``, ``positives``,
    ``min_rows`` and ``min_positives`` say how many."""

    code = 3
    code_name = "INSUFFICIENT_DATA"
    rows: Optional[int] = None
    positives: Optional[int] = None
    min_rows: Optional[int] = None
    min_positives: Optional[int] = None


class IoError(LeadScoreError, OSError):
    """An operating-system I/O failure, with the path in the message (code 4)."""

    code = 4
    code_name = "IO"

    def __init__(self, message: str, **details: Any) -> None:
        LeadScoreError.__init__(self, message, **details)
        self.args = (message,)


class UnknownColumnError(LeadScoreError, ValueError):
    """A column named by the caller is not in the data (code 5); ``column`` names it."""

    code = 5
    code_name = "UNKNOWN_COLUMN"
    column: Optional[str] = None


class TrainingError(LeadScoreError, RuntimeError):
    """The solver could not produce finite coefficients (code 6)."""

    code = 6
    code_name = "TRAINING"


class InternalError(LeadScoreError, RuntimeError):
    """A broken invariant inside leadscore: please report it (code 99)."""

    code = 99
    code_name = "INTERNAL"


class NotFoundError(LeadScoreError, LookupError):
    """A store has no model for the tenant and no fallback (code 7)."""

    code = 7
    code_name = "NOT_FOUND"


_BY_CODE = {
    c.code: c
    for c in (
        InvalidInputError,
        ModelFormatError,
        InsufficientDataError,
        IoError,
        UnknownColumnError,
        TrainingError,
        NotFoundError,
        InternalError,
    )
}


def error_class(code: int) -> Type[LeadScoreError]:
    """The exception class of a core error code (``InternalError`` for unknown ones)."""
    return _BY_CODE.get(code, InternalError)
