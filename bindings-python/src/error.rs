//! The one place core errors become Python exceptions.
//!
//! Every [`leadscore::Error`] maps by its stable [`ErrorCode`] to a class of
//! `leadscore.errors` (defined in Python so that input errors can also subclass
//! `ValueError` and I/O errors `OSError`). Functions of this crate return
//! [`PyLsResult`], so `?` works on core results and on Python calls alike.

use leadscore::{Error, ErrorCode};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// An error on its way to Python: a core error still to be mapped, or a Python
/// exception already raised.
#[derive(Debug)]
pub enum PyLsError {
    /// A core error, mapped by code when it reaches Python.
    Core(Error),
    /// A Python exception (from a Python call or a conversion).
    Py(PyErr),
}

/// The result type of the binding's functions.
pub type PyLsResult<T> = Result<T, PyLsError>;

impl From<Error> for PyLsError {
    fn from(e: Error) -> Self {
        PyLsError::Core(e)
    }
}

impl From<PyErr> for PyLsError {
    fn from(e: PyErr) -> Self {
        PyLsError::Py(e)
    }
}

impl From<pyo3::CastError<'_, '_>> for PyLsError {
    fn from(e: pyo3::CastError<'_, '_>) -> Self {
        PyLsError::Py(e.into())
    }
}

/// A core invalid-input error with a message (for checks made by the binding).
pub fn invalid(message: impl Into<String>) -> PyLsError {
    PyLsError::Core(Error::InvalidInput(message.into()))
}

/// The `leadscore.errors` class name of each code.
fn class_name(code: ErrorCode) -> &'static str {
    match code {
        ErrorCode::InvalidInput => "InvalidInputError",
        ErrorCode::ModelFormat => "ModelFormatError",
        ErrorCode::InsufficientData => "InsufficientDataError",
        ErrorCode::Io => "IoError",
        ErrorCode::UnknownColumn => "UnknownColumnError",
        ErrorCode::Training => "TrainingError",
        ErrorCode::NotFound => "NotFoundError",
        _ => "InternalError",
    }
}

/// Builds the Python exception for a core error.
pub fn to_pyerr(py: Python<'_>, e: &Error) -> PyErr {
    let build = || -> PyResult<PyErr> {
        let errors = py.import("leadscore.errors")?;
        let cls = errors.getattr(class_name(e.code()))?;
        let kwargs = PyDict::new(py);
        if let Error::InsufficientData {
            rows,
            positives,
            min_rows,
            min_positives,
        } = e
        {
            kwargs.set_item("rows", rows)?;
            kwargs.set_item("positives", positives)?;
            kwargs.set_item("min_rows", min_rows)?;
            kwargs.set_item("min_positives", min_positives)?;
        }
        if let Error::UnknownColumn { name, .. } = e {
            kwargs.set_item("column", name)?;
        }
        if let Error::InvalidValue { field, .. } = e {
            kwargs.set_item("field", field)?;
        }
        if let Error::Parse { at, .. } = e {
            kwargs.set_item("line", at.line)?;
            if let Some(c) = &at.column {
                kwargs.set_item("field", c)?;
            }
        }
        if let Error::Io { source, .. } = e {
            if let Some(errno) = source.raw_os_error() {
                kwargs.set_item("errno", errno)?;
            }
        }
        let exc = cls.call((e.to_string(),), Some(&kwargs))?;
        Ok(PyErr::from_value(exc))
    };
    // If leadscore.errors itself cannot be imported, say so rather than lose the error.
    build().unwrap_or_else(|import_err| {
        pyo3::exceptions::PyRuntimeError::new_err(format!(
            "{e} (and leadscore.errors failed: {import_err})"
        ))
    })
}

impl From<PyLsError> for PyErr {
    fn from(e: PyLsError) -> Self {
        match e {
            PyLsError::Py(e) => e,
            PyLsError::Core(e) => Python::attach(|py| to_pyerr(py, &e)),
        }
    }
}
