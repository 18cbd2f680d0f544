//! `leadscore.Model`: a trained model shared as `Arc<leadscore::Model>`.

use std::sync::Arc;

use crate::convert::{fill_record, to_table};
use crate::error::{invalid, PyLsResult};
use leadscore::{Explanation, Reason, Score};
use numpy::PyArray1;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

/// A trained, immutable lead-scoring model (safe to share between threads).
///
/// Load one with `Model.load(path)` or `Model.from_bytes(data)`, or train one with
/// `leadscore.train(df, target=...)`.
///
/// >>> import leadscore
/// >>> m = leadscore.Model.load("tests/fixtures/models/wa_churn_v1.lsm")  # doctest: +SKIP
/// >>> m.score({"tenure": 2, "contract": "Month-to-month"})  # doctest: +SKIP
/// {'probability': 0.2074..., 'score': 21, 'label': False}
/// >>> m.explain({"tenure": 2}, k=1)["positive"][0]["field"]  # doctest: +SKIP
/// 'tenure'
#[pyclass(frozen, name = "Model", module = "leadscore")]
pub struct PyModel {
    pub(crate) inner: Arc<leadscore::Model>,
}

impl PyModel {
    /// Shapes `data` into columns, scores them with the GIL released, and returns a
    /// new float64 array of probabilities (or log-odds).
    fn batch<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
        logits: bool,
    ) -> PyLsResult<Bound<'py, PyAny>> {
        let shaped = py
            .import("leadscore._frame")?
            .getattr("columns")?
            .call1((data,))?;
        let (names, cols, n): (Bound<'py, PyList>, Bound<'py, PyList>, usize) = shaped.extract()?;
        // Rows without fields score as leads with every field missing, as in score().
        let table = to_table(&names, &cols, Some(n))?;
        let inner = Arc::clone(&self.inner);
        let values = py.detach(move || {
            if logits {
                inner.logits_batch(&table)
            } else {
                inner.score_batch(&table)
            }
        })?;
        if values.len() != n {
            return Err(invalid(format!("{} scores for {n} rows", values.len())));
        }
        // The array takes the Vec as its buffer: no copy.
        Ok(PyArray1::from_vec(py, values).into_any())
    }

    pub(crate) fn new(model: leadscore::Model) -> Self {
        PyModel {
            inner: Arc::new(model),
        }
    }
}

pub(crate) fn json_loads<'py>(py: Python<'py>, text: &str) -> PyLsResult<Bound<'py, PyAny>> {
    Ok(py.import("json")?.getattr("loads")?.call1((text,))?)
}

pub(crate) fn score_dict<'py>(py: Python<'py>, s: &Score) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("probability", s.probability)?;
    d.set_item("score", s.score)?;
    d.set_item("label", s.label)?;
    Ok(d)
}

fn reasons_list<'py>(py: Python<'py>, rs: &[Reason]) -> PyResult<Bound<'py, PyList>> {
    let l = PyList::empty(py);
    for r in rs {
        let d = PyDict::new(py);
        d.set_item("field", &r.field)?;
        d.set_item("label", &r.label)?;
        d.set_item("contribution", r.contribution)?;
        l.append(d)?;
    }
    Ok(l)
}

pub(crate) fn explanation_dict<'py>(
    py: Python<'py>,
    e: &Explanation,
) -> PyResult<Bound<'py, PyDict>> {
    let d = score_dict(py, &e.score)?;
    d.set_item("base_probability", e.base_probability)?;
    d.set_item("positive", reasons_list(py, &e.positive)?)?;
    d.set_item("negative", reasons_list(py, &e.negative)?)?;
    Ok(d)
}

#[pymethods]
impl PyModel {
    /// Loads a model file (`.lsm`).
    #[staticmethod]
    fn load(py: Python<'_>, path: std::path::PathBuf) -> PyLsResult<PyModel> {
        let m = py.detach(|| leadscore::Model::load(&path))?;
        Ok(PyModel::new(m))
    }

    /// Reads a model from the bytes `to_bytes` wrote.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyLsResult<PyModel> {
        Ok(PyModel::new(leadscore::Model::from_bytes(data)?))
    }

    /// Saves the model atomically (temporary file, fsync, rename).
    fn save(&self, py: Python<'_>, path: std::path::PathBuf) -> PyLsResult<()> {
        let inner = Arc::clone(&self.inner);
        py.detach(move || inner.save(&path))?;
        Ok(())
    }

    /// The model file's bytes (checksummed, versioned; safe to store or send).
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyLsResult<Bound<'py, PyBytes>> {
        let b = self.inner.to_bytes()?;
        Ok(PyBytes::new(py, &b))
    }

    /// Scores one raw record (a dict): `{"probability", "score", "label"}`.
    fn score<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
    ) -> PyLsResult<Bound<'py, PyDict>> {
        let mut r = self.inner.record();
        fill_record(&mut r, record)?;
        let s = self.inner.score(&r)?;
        Ok(score_dict(py, &s)?)
    }

    /// Scores one raw record and names the top `k` reasons each way.
    #[pyo3(signature = (record, k = leadscore::defaults::EXPLAIN_K))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        record: &Bound<'py, PyAny>,
        k: usize,
    ) -> PyLsResult<Bound<'py, PyDict>> {
        let mut r = self.inner.record();
        fill_record(&mut r, record)?;
        let e = self.inner.explain(&r, k)?;
        Ok(explanation_dict(py, &e)?)
    }

    /// Probabilities of every row of `data` (a pandas or polars DataFrame, a dict of
    /// columns or a list of dict records) as a float64 numpy array: the fast path.
    /// Columns go to Rust as arrays; scoring runs with the GIL released.
    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyLsResult<Bound<'py, PyAny>> {
        self.batch(py, data, false)
    }

    /// Log-odds of every row of `data` (see `predict_proba`).
    fn decision_function<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyLsResult<Bound<'py, PyAny>> {
        self.batch(py, data, true)
    }

    /// Labels at the model's threshold (a bool numpy array) for every row of `data`.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> PyLsResult<Bound<'py, PyAny>> {
        let p = self.batch(py, data, false)?;
        Ok(p.call_method1("__ge__", (self.inner.threshold(),))?)
    }

    /// Cross-validated metrics measured at training time (a dict), or None when the
    /// model was trained without cross-validation.
    #[getter]
    fn metrics<'py>(&self, py: Python<'py>) -> PyLsResult<Bound<'py, PyAny>> {
        match self.inner.metrics() {
            None => Ok(py.None().into_bound(py)),
            Some(m) => {
                let text =
                    serde_json::to_string(m).map_err(|e| invalid(format!("metrics: {e}")))?;
                json_loads(py, &text)
            }
        }
    }

    /// How the model was evaluated and its threshold chosen (a dict), or None when it
    /// was trained without held-out predictions (`cv=0` and no `time_column`):
    /// `split` (`kfold` or `time`), `policy` and `threshold`, the figures
    /// `at_threshold`, the threshold table `thresholds` (precision, recall,
    /// false-positive rate, F1, share and leads flagged per 1000 at each cut, by
    /// ascending cut), the `calibration` curve and the score `histogram` by class.
    #[getter]
    fn evaluation<'py>(&self, py: Python<'py>) -> PyLsResult<Bound<'py, PyAny>> {
        match self.inner.evaluation() {
            None => Ok(py.None().into_bound(py)),
            Some(e) => {
                let text =
                    serde_json::to_string(e).map_err(|e| invalid(format!("evaluation: {e}")))?;
                json_loads(py, &text)
            }
        }
    }

    /// The training data's insights stored at training time (a dict: per column its
    /// statistics and histogram by class, top levels or tokens, association with the
    /// target and warnings; text columns also `top_coefficients`), or None when the
    /// model was trained with `insights=False` or read from an older format.
    fn insights<'py>(&self, py: Python<'py>) -> PyLsResult<Bound<'py, PyAny>> {
        // Parsed by the core first, so a damaged text is its MODEL_FORMAT error.
        self.inner.insights()?;
        match self.inner.insights_json() {
            None => Ok(py.None().into_bound(py)),
            Some(text) => json_loads(py, text),
        }
    }

    /// A short summary (dict): versions, target, rows, inputs, features, threshold,
    /// training settings and the headline metrics.
    fn info<'py>(&self, py: Python<'py>) -> PyLsResult<Bound<'py, PyAny>> {
        json_loads(py, &self.inner.info().to_string())
    }

    /// The whole model as a JSON string (what `leadscore inspect` prints).
    fn to_json(&self) -> String {
        self.inner.to_json().to_string()
    }

    /// An HTML summary for Jupyter: headline metrics and the strongest coefficients.
    fn _repr_html_(&self) -> PyLsResult<String> {
        let opts = leadscore::report::ReportOptions {
            compact: true,
            title: None,
        };
        Ok(self.inner.report_html(&opts)?)
    }

    /// The model's report as HTML: a self-contained page (no network, no external
    /// script or font) with the metrics beside a random guess, ROC and PR curves, a
    /// threshold slider, lift, calibration, the coefficients and the stored
    /// insights; the same bytes as every binding and `leadscore report` give.
    /// With `path`, also writes it there (atomically: a failure leaves an existing
    /// file as it was). `compact=True` gives the fragment Jupyter shows for a model;
    /// `title` replaces "Lead score: TARGET" (at most 200 characters).
    #[pyo3(signature = (path=None, *, compact=false, title=None))]
    fn report_html(
        &self,
        py: Python<'_>,
        path: Option<std::path::PathBuf>,
        compact: bool,
        title: Option<String>,
    ) -> PyLsResult<String> {
        let opts = leadscore::report::ReportOptions { compact, title };
        let html = self.inner.report_html(&opts)?;
        if let Some(path) = path {
            py.detach(|| -> leadscore::Result<()> {
                use std::io::Write;
                let mut f = leadscore::format::AtomicFile::create(&path)?;
                f.write_all(html.as_bytes())
                    .map_err(|e| leadscore::Error::io(&path, e))?;
                f.commit()
            })?;
        }
        Ok(html)
    }

    /// The raw fields the model reads, in order.
    #[getter]
    fn input_names(&self) -> Vec<String> {
        self.inner
            .input_names()
            .into_iter()
            .map(str::to_owned)
            .collect()
    }

    /// The model's decision threshold on the probability.
    #[getter]
    fn threshold(&self) -> f64 {
        self.inner.threshold()
    }

    /// The intercept (log-odds of a record whose features are all zero).
    #[getter]
    fn intercept(&self) -> f64 {
        self.inner.intercept()
    }

    /// `(feature name, coefficient)` pairs.
    #[getter]
    fn coefficients(&self) -> Vec<(String, f64)> {
        self.inner
            .feature_names()
            .into_iter()
            .zip(self.inner.coefficients().iter().copied())
            .collect()
    }

    /// Pickles through the model bytes: `Model.from_bytes(m.to_bytes())`.
    fn __reduce__<'py>(&self, py: Python<'py>) -> PyLsResult<Bound<'py, PyTuple>> {
        let f = py.import("leadscore")?.getattr("_model_from_bytes")?;
        let b = self.to_bytes(py)?;
        Ok(PyTuple::new(py, [f, PyTuple::new(py, [b])?.into_any()])?)
    }

    fn __repr__(&self) -> String {
        let info = self.inner.info();
        format!(
            "<leadscore.Model target={} rows={} features={} roc_auc={}>",
            info["target"], info["rows"], info["features"], info["roc_auc"]
        )
    }
}
