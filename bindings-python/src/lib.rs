//! `leadscore._native`: the compiled half of the `leadscore` Python package.
//!
//! Thin by design: records and columns become core values (`convert`), core errors
//! become typed Python exceptions in one place (`error`), and long work (training,
//! batch scoring, cross-validation, store look-ups that may read files) runs with
//! the GIL released (`py.detach`). `store` wraps core's many-tenant model store. The
//! Python half (`python/leadscore/`) shapes DataFrames into columns and holds the
//! scikit-learn and Spark helpers. numpy arrays are read and made through rust-numpy,
//! so this crate holds no `unsafe` code of its own.

#![forbid(unsafe_code)]

mod convert;
mod error;
mod model;
mod store;

use error::PyLsResult;
use model::PyModel;
use pyo3::prelude::*;
use pyo3::types::PyList;
use store::PyStore;

/// Parses training options (a JSON object) the one way core parses them.
fn options(options_json: &str) -> PyLsResult<leadscore::options::TrainOptions> {
    Ok(leadscore::options::TrainOptions::from_json_str(
        options_json,
    )?)
}

/// Trains on columns shaped by `leadscore._frame`, with the GIL released.
#[pyfunction]
fn _train_columns(
    py: Python<'_>,
    names: &Bound<'_, PyList>,
    cols: &Bound<'_, PyList>,
    options_json: &str,
) -> PyLsResult<PyModel> {
    let opts = options(options_json)?;
    let table = convert::to_table(names, cols, None)?;
    let m = py.detach(move || opts.train_table(&table))?;
    Ok(PyModel::new(m))
}

/// Trains on a CSV or JSON Lines file, with the GIL released.
#[pyfunction]
fn _train_file(
    py: Python<'_>,
    path: std::path::PathBuf,
    options_json: &str,
) -> PyLsResult<PyModel> {
    let opts = options(options_json)?;
    let m = py.detach(move || opts.train_file(&path))?;
    Ok(PyModel::new(m))
}

/// Insights of columns shaped by `leadscore._frame`, as JSON text, with the GIL
/// released.
#[pyfunction]
fn _insights_columns(
    py: Python<'_>,
    names: &Bound<'_, PyList>,
    cols: &Bound<'_, PyList>,
    options_json: &str,
) -> PyLsResult<String> {
    let req = leadscore::options::InsightsRequest::from_json_str(options_json)?;
    let table = convert::to_table(names, cols, None)?;
    Ok(py
        .detach(move || req.insights_table(&table))?
        .to_json_string())
}

/// Insights of a CSV or JSON Lines file, as JSON text, with the GIL released.
#[pyfunction]
fn _insights_file(
    py: Python<'_>,
    path: std::path::PathBuf,
    options_json: &str,
) -> PyLsResult<String> {
    let req = leadscore::options::InsightsRequest::from_json_str(options_json)?;
    Ok(py
        .detach(move || req.insights_file(&path))?
        .to_json_string())
}

/// A search on columns shaped by `leadscore._frame`, with the GIL released: the
/// result as JSON text and, with the `refit` option, the best setting's model.
#[pyfunction]
fn _search_columns(
    py: Python<'_>,
    names: &Bound<'_, PyList>,
    cols: &Bound<'_, PyList>,
    options_json: &str,
) -> PyLsResult<(String, Option<PyModel>)> {
    let req = leadscore::search::SearchRequest::from_json_str(options_json)?;
    let table = convert::to_table(names, cols, None)?;
    let s = py.detach(move || req.search_table(&table))?;
    Ok((s.result.to_json_string(), s.model.map(PyModel::new)))
}

/// A search on a CSV or JSON Lines file, with the GIL released (see
/// `_search_columns`).
#[pyfunction]
fn _search_file(
    py: Python<'_>,
    path: std::path::PathBuf,
    options_json: &str,
) -> PyLsResult<(String, Option<PyModel>)> {
    let req = leadscore::search::SearchRequest::from_json_str(options_json)?;
    let s = py.detach(move || req.search_file(&path))?;
    Ok((s.result.to_json_string(), s.model.map(PyModel::new)))
}

/// The compiled module.
/// Raises the exception a core error with `code` maps to, through the same mapping
/// every real error takes. For the tests of that mapping: some codes (a training
/// failure, an internal error) no valid input can produce.
#[pyfunction]
fn _raise_core_error(code: u32, message: String) -> PyLsResult<()> {
    use leadscore::Error;
    Err(error::PyLsError::Core(match code {
        1 => Error::InvalidInput(message),
        2 => Error::ModelFormat(message),
        3 => Error::InsufficientData {
            rows: 1,
            positives: 0,
            min_rows: 2,
            min_positives: 1,
        },
        4 => Error::io(message, std::io::Error::other("test")),
        5 => Error::unknown_column(&message, []),
        6 => Error::Training(message),
        7 => Error::ModelNotFound {
            tenant: message,
            name: leadscore::defaults::MODEL_NAME.into(),
            reason: "no_model".into(),
        },
        _ => Error::Internal(message),
    }))
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyModel>()?;
    m.add_class::<PyStore>()?;
    m.add_function(wrap_pyfunction!(_raise_core_error, m)?)?;
    m.add_function(wrap_pyfunction!(_train_columns, m)?)?;
    m.add_function(wrap_pyfunction!(_train_file, m)?)?;
    m.add_function(wrap_pyfunction!(_insights_columns, m)?)?;
    m.add_function(wrap_pyfunction!(_insights_file, m)?)?;
    m.add_function(wrap_pyfunction!(_search_columns, m)?)?;
    m.add_function(wrap_pyfunction!(_search_file, m)?)?;
    m.add("__version__", leadscore::VERSION)?;
    m.add("OPTION_NAMES", leadscore::options::OPTION_NAMES.to_vec())?;
    Ok(())
}
