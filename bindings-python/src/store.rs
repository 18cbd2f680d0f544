//! `leadscore.Store`: many tenants' models behind one cache, shared as
//! `Arc<leadscore::store::Store>`.
//!
//! Thin by design: the store (lazy loading, the LRU cache bounded in bytes, hot reload,
//! the `_global` fallback, name validation, counters, drift counts) is core's; this
//! file converts arguments and results and releases the GIL around everything that may
//! touch the disk.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Arc;
use std::time::Duration;

use crate::convert::to_record;
use crate::error::{invalid, PyLsResult};
use crate::model::{explanation_dict, json_loads, score_dict, PyModel};
use leadscore::mass::{train_tenants, MassConfig, MassInput, Progress};
use leadscore::store::{FallbackReason, Source, Store, StoreConfig};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

/// Seconds (a Python float) as a [`Duration`]; `what` names the argument in errors.
fn seconds(what: &str, s: f64) -> PyLsResult<Duration> {
    Duration::try_from_secs_f64(s).map_err(|_| {
        invalid(format!(
            "{what} must be a finite number of seconds >= 0, got {s}"
        ))
    })
}

/// Adds which model answered and why to a score or explanation dict.
fn add_source(
    d: &Bound<'_, PyDict>,
    source: Source,
    reason: Option<&FallbackReason>,
) -> PyResult<()> {
    d.set_item(
        "source",
        match source {
            Source::Tenant => "tenant",
            Source::Fallback => "fallback",
        },
    )?;
    d.set_item("fallback_reason", reason.map(FallbackReason::as_str))?;
    Ok(())
}

/// Many tenants' models in one folder, `<root>/<tenant>/<name>.lsm`, with
/// `<root>/_global/<name>.lsm` as the fallback; safe to share between threads.
///
/// Models load lazily into an LRU cache bounded by `cache_bytes` (their in-memory
/// size); a file replaced on disk is picked up (validated first) within
/// `check_interval` seconds; a tenant without a usable model is answered by the
/// `_global` model when `fallback` is on, and every answer says so. Score counts for
/// `leadscore drift` are written every `drift_flush_interval` seconds (None: only on
/// `flush_drift()`, on leaving a `with` block, and when the store is garbage
/// collected). A model file over `max_file_bytes` is unreadable (the fallback
/// answers). Open one per process and share it.
///
/// >>> import leadscore
/// >>> store = leadscore.Store("store/")                                  # doctest: +SKIP
/// >>> store.save("acme", leadscore.Model.load("churn.lsm"))              # doctest: +SKIP
/// >>> store.score("acme", {"tenure": 2, "contract": "Month-to-month"})   # doctest: +SKIP
/// {'probability': 0.2074..., 'score': 21, 'label': False, 'source': 'tenant', 'fallback_reason': None}
#[pyclass(frozen, name = "Store", module = "leadscore")]
pub struct PyStore {
    inner: Arc<Store>,
}

#[pymethods]
impl PyStore {
    /// Opens (and creates when missing) the store rooted at `root`.
    #[new]
    #[pyo3(
        signature = (root, cache_bytes = 256 << 20, check_interval = 2.0, fallback = true, drift_flush_interval = Some(60.0), max_file_bytes = leadscore::format::DEFAULT_MAX_FILE_BYTES),
        text_signature = "(root, cache_bytes=268435456, check_interval=2.0, fallback=True, drift_flush_interval=60.0, max_file_bytes=67108864)"
    )]
    fn new(
        py: Python<'_>,
        root: std::path::PathBuf,
        cache_bytes: i64,
        check_interval: f64,
        fallback: bool,
        drift_flush_interval: Option<f64>,
        max_file_bytes: u64,
    ) -> PyLsResult<Self> {
        let cache_bytes = usize::try_from(cache_bytes)
            .map_err(|_| invalid(format!("cache_bytes must be >= 0, got {cache_bytes}")))?;
        let config = StoreConfig {
            cache_bytes,
            check_interval: seconds("check_interval", check_interval)?,
            fallback,
            drift_flush_interval: drift_flush_interval
                .map(|s| seconds("drift_flush_interval", s))
                .transpose()?,
            max_file_bytes,
        };
        let store = py.detach(move || Store::open(root, config))?;
        Ok(PyStore {
            inner: Arc::new(store),
        })
    }

    /// Scores one raw record (a dict) with the tenant's model, or the fallback:
    /// `{"probability", "score", "label", "source", "fallback_reason"}`.
    #[pyo3(signature = (tenant, record, name = leadscore::defaults::MODEL_NAME))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        tenant: &str,
        record: &Bound<'py, PyAny>,
        name: &str,
    ) -> PyLsResult<Bound<'py, PyDict>> {
        let r = to_record(record)?;
        let s = py.detach(|| self.inner.score(tenant, name, &r))?;
        let d = score_dict(py, &s.score)?;
        add_source(&d, s.source, s.reason.as_ref())?;
        Ok(d)
    }

    /// Scores one raw record and names the top `k` reasons each way, with the tenant's
    /// model or the fallback (`Model.explain`'s dict plus `source` and `fallback_reason`).
    #[pyo3(signature = (tenant, record, k = leadscore::defaults::EXPLAIN_K, name = leadscore::defaults::MODEL_NAME))]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        tenant: &str,
        record: &Bound<'py, PyAny>,
        k: usize,
        name: &str,
    ) -> PyLsResult<Bound<'py, PyDict>> {
        let r = to_record(record)?;
        let (e, source, reason) = py.detach(|| self.inner.explain(tenant, name, &r, k))?;
        let d = explanation_dict(py, &e)?;
        add_source(&d, source, reason.as_ref())?;
        Ok(d)
    }

    /// The model that answers for `tenant` (its own, or the fallback) as a `Model`
    /// sharing the store's copy; it keeps working after the file is replaced.
    #[pyo3(signature = (tenant, name = leadscore::defaults::MODEL_NAME))]
    fn get(&self, py: Python<'_>, tenant: &str, name: &str) -> PyLsResult<PyModel> {
        let r = py.detach(|| self.inner.get(tenant, name))?;
        Ok(PyModel { inner: r.model })
    }

    /// Saves `model` as the tenant's model atomically (`<root>/<tenant>/<name>.lsm`);
    /// this store uses it from the next call, other processes within their check interval.
    #[pyo3(signature = (tenant, model, name = leadscore::defaults::MODEL_NAME))]
    fn save(
        &self,
        py: Python<'_>,
        tenant: &str,
        model: &Bound<'_, PyModel>,
        name: &str,
    ) -> PyLsResult<()> {
        let m = Arc::clone(&model.get().inner);
        py.detach(|| self.inner.save(tenant, name, &m))?;
        Ok(())
    }

    /// The tenants that have a folder in the store, sorted (`_global` excluded).
    fn tenants(&self, py: Python<'_>) -> PyLsResult<Vec<String>> {
        Ok(py.detach(|| self.inner.tenants())?)
    }

    /// Counters of the whole store (a dict): `cached_models`, `cached_bytes`,
    /// `cache_bytes_limit`, `evictions`, `totals` and per-tenant `tenants`.
    fn stats<'py>(&self, py: Python<'py>) -> PyLsResult<Bound<'py, PyAny>> {
        let s = self.inner.stats();
        let text = serde_json::to_string(&s).map_err(|e| invalid(format!("stats: {e}")))?;
        json_loads(py, &text)
    }

    /// Counters of one tenant (a dict): `hits`, `misses`, `loads`, `load_micros`,
    /// `scores`, `fallbacks`; zeros for a tenant never asked for.
    fn tenant_stats<'py>(&self, py: Python<'py>, tenant: &str) -> PyLsResult<Bound<'py, PyAny>> {
        let s = self.inner.tenant_stats(tenant);
        let text = serde_json::to_string(&s).map_err(|e| invalid(format!("tenant_stats: {e}")))?;
        json_loads(py, &text)
    }

    /// Writes the score counts gathered so far beside each model
    /// (`<tenant>/<name>.scores.json`) for `leadscore drift`.
    fn flush_drift(&self, py: Python<'_>) -> PyLsResult<()> {
        Ok(py.detach(|| self.inner.flush_drift())?)
    }

    /// Trains one model per tenant into this store (see `leadscore.train_tenants`):
    /// from a file or folder (`path`) or from columns shaped by `leadscore._frame`.
    /// Progress goes to `progress(dict)` on this thread, with the GIL held, while the
    /// training runs on workers without it. An exception in the callback or a signal
    /// (Ctrl-C) stops the run between tenants and is raised once it has stopped.
    /// Returns the run's summary as JSON text.
    #[pyo3(signature = (path, names, cols, options_json, progress = None))]
    fn _train_tenants(
        &self,
        py: Python<'_>,
        path: Option<std::path::PathBuf>,
        names: Option<&Bound<'_, PyList>>,
        cols: Option<&Bound<'_, PyList>>,
        options_json: &str,
        progress: Option<Bound<'_, PyAny>>,
    ) -> PyLsResult<String> {
        let mut config = MassConfig::from_json_str(options_json)?;
        let stop = Arc::new(AtomicBool::new(false));
        config.cancel = Some(Arc::clone(&stop));
        let table = match (&path, names, cols) {
            (Some(_), _, _) => None,
            (None, Some(n), Some(c)) => Some(crate::convert::to_table(n, c, None)?),
            _ => return Err(invalid("train_tenants needs a path or columns")),
        };
        let input = match (&path, &table) {
            (Some(p), _) => MassInput::Path(p),
            (None, Some(t)) => MassInput::Table(t),
            (None, None) => return Err(invalid("train_tenants needs a path or columns")),
        };
        let store = &*self.inner;
        // The first exception of the wait (Ctrl-C, a failing callback): the run stops
        // between tenants and the exception is raised once it has (its summary is in
        // _training.json, with `cancelled`).
        let mut raised: Option<PyErr> = None;
        let summary = std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::channel::<Progress>();
            let worker = s.spawn(move || {
                train_tenants(input, store, &config, &move |p| {
                    let _ = tx.send(p);
                })
            });
            // Wait without the GIL; every tick, let Python see a pending signal.
            let mut rx = rx;
            loop {
                let (back, next) = py.detach(move || {
                    let next = rx.recv_timeout(Duration::from_millis(100));
                    (rx, next)
                });
                rx = back;
                let p = match next {
                    Ok(p) => Some(p),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                };
                if raised.is_none() {
                    let r = py.check_signals().and_then(|_| match (&progress, p) {
                        (Some(cb), Some(p)) => {
                            let d = PyDict::new(py);
                            d.set_item("done", p.done)?;
                            d.set_item("total", p.total)?;
                            d.set_item("rows_done", p.rows_done)?;
                            d.set_item("elapsed", p.elapsed)?;
                            cb.call1((d,)).map(|_| ())
                        }
                        _ => Ok(()),
                    });
                    if let Err(e) = r {
                        stop.store(true, Ordering::Relaxed);
                        raised = Some(e);
                    }
                }
            }
            worker.join()
        });
        let summary = summary.map_err(|_| invalid("mass training panicked"))??;
        if let Some(e) = raised {
            return Err(e.into());
        }
        serde_json::to_string(&summary).map_err(|e| invalid(format!("summary: {e}")))
    }

    /// The drift of every tenant's model `name` (or of `tenant`'s), worst first: a
    /// list of dicts `tenant`, `name`, `scores`, `psi`, `status`, (`error`). This
    /// store's pending score counts are written first.
    #[pyo3(signature = (name = leadscore::defaults::MODEL_NAME, tenant = None))]
    fn drift<'py>(
        &self,
        py: Python<'py>,
        name: &str,
        tenant: Option<&str>,
    ) -> PyLsResult<Bound<'py, PyAny>> {
        let rows = py.detach(|| self.inner.drift(name, tenant))?;
        let text = serde_json::to_string(&rows).map_err(|e| invalid(format!("drift: {e}")))?;
        json_loads(py, &text)
    }

    /// Marks `tenant` as having too little data for a model `name` (`rows` rows with
    /// `positives` positives, for the record): the store then answers for it with
    /// the fallback and `fallback_reason` `"insufficient_data"`.
    #[pyo3(signature = (tenant, rows = 0, positives = 0, name = leadscore::defaults::MODEL_NAME))]
    fn mark_insufficient(
        &self,
        py: Python<'_>,
        tenant: &str,
        rows: usize,
        positives: usize,
        name: &str,
    ) -> PyLsResult<()> {
        Ok(py.detach(|| {
            leadscore::mass::mark_insufficient(&self.inner, tenant, name, rows, positives)
        })?)
    }

    /// Drops every cached model (counters and drift counts are kept).
    fn clear(&self, py: Python<'_>) {
        py.detach(|| self.inner.clear());
    }

    /// The store's root folder.
    #[getter]
    fn root(&self) -> std::path::PathBuf {
        self.inner.root().to_path_buf()
    }

    /// `with leadscore.Store(root) as store:` flushes the drift counts on leaving.
    fn __enter__(slf: Bound<'_, Self>) -> Bound<'_, Self> {
        slf
    }

    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: &Bound<'_, PyAny>,
        _exc: &Bound<'_, PyAny>,
        _tb: &Bound<'_, PyAny>,
    ) -> PyLsResult<bool> {
        self.flush_drift(py)?;
        Ok(false)
    }

    fn __repr__(&self) -> String {
        let c = self.inner.config();
        format!(
            "<leadscore.Store root={:?} cache_bytes={} check_interval={:?} fallback={}>",
            self.inner.root().display().to_string(),
            c.cache_bytes,
            c.check_interval.as_secs_f64(),
            if c.fallback { "True" } else { "False" }
        )
    }
}
