//! Mass training and drift through a `Store`: `trainTenants()` (an `AsyncTask` on the
//! libuv pool, with progress through a thread-safe function), `drift()` and
//! `markInsufficient()`.

use crate::convert;
use crate::error::{guard, guard_task, js_err, Failure, Result};
use crate::store::Store;
use crate::train::{reject, train_input, Json, TrainData};
use leadscore::mass::{train_tenants, MassConfig, MassInput};
use napi::bindgen_prelude::{AsyncTask, Function, Unknown};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi::{Env, Task};
use napi_derive::napi;
use std::sync::Arc;

/// Progress of a `trainTenants()` run, reported after each tenant.
#[napi(object)]
#[derive(Debug, Clone, Copy)]
pub struct MassProgress {
    /// Tenants finished.
    pub done: u32,
    /// Tenants in all.
    pub total: u32,
    /// Data rows of the finished tenants.
    pub rows_done: f64,
    /// Seconds since the run started.
    pub elapsed: f64,
}

/// The progress callback, callable from the worker (weak: it never keeps the process
/// alive by itself; the task does while it runs).
type OnProgress = ThreadsafeFunction<MassProgress, (), MassProgress, napi::Status, false, true>;

/// The `trainTenants()` task.
pub struct TrainTenantsTask {
    store: Arc<leadscore::store::Store>,
    input: std::result::Result<(TrainData, serde_json::Value), Failure>,
    progress: Option<OnProgress>,
}

impl Task for TrainTenantsTask {
    type Output = std::result::Result<serde_json::Value, Failure>;
    type JsValue = Json;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (data, options) = match &self.input {
            Ok(x) => x,
            Err(f) => return Ok(Err(f.clone())),
        };
        let progress = self.progress.as_ref();
        Ok(guard_task("trainTenants", || {
            let config = MassConfig::from_json(options)?;
            let input = match data {
                TrainData::Path(p) => MassInput::Path(std::path::Path::new(p)),
                TrainData::Table(t) => MassInput::Table(t),
            };
            let summary = train_tenants(input, &self.store, &config, &|p| {
                if let Some(f) = progress {
                    let p = MassProgress {
                        done: u32::try_from(p.done).unwrap_or(u32::MAX),
                        total: u32::try_from(p.total).unwrap_or(u32::MAX),
                        rows_done: p.rows_done as f64,
                        elapsed: p.elapsed,
                    };
                    f.call(p, ThreadsafeFunctionCallMode::NonBlocking);
                }
            })?;
            let v = serde_json::to_value(&summary)
                .map_err(|e| leadscore::Error::Internal(format!("summary: {e}")))?;
            Ok(convert::camel_keys(v))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Json> {
        output.map(Json).map_err(|f| reject(env, f))
    }
}

#[napi]
impl Store {
    /// Trains one model per tenant into this store, off the event loop, and resolves
    /// to the run's summary (also written to `_training.json` at the store's root).
    ///
    /// `data` is `{ csv: path }` (an export with the tenant column `by`, or a folder
    /// of `<tenant>.csv` files) or `{ rows: [...] }` with the tenant column `by`.
    /// `options`: every `train()` option (`target` required) plus `by`, `name`
    /// (default `'lead'`), `force`, `threads` (parallel tenants), `global` (train the
    /// `_global` fallback, default `true`), `globalTenantFeature`, `globalMaxRows`.
    /// `onProgress` is called on the event loop after each tenant with `{ done, total,
    /// rowsDone, elapsed }`. One tenant's failure is its outcome (`status: 'failed'`,
    /// `error`), not a rejection; bad options or data reject with a coded error.
    ///
    /// ```js
    /// const store = Store.open('store/');
    /// const run = await store.trainTenants({ csv: 'export.csv' }, { target: 'converted', by: 'tenant' },
    ///   (p) => console.log(`${p.done}/${p.total}`));
    /// ```
    #[napi(
        ts_args_type = "data: TrainData, options: TrainTenantsOptions, onProgress?: (progress: MassProgress) => void",
        ts_return_type = "Promise<MassSummary>"
    )]
    pub fn train_tenants(
        &self,
        data: Unknown,
        options: Option<Unknown>,
        on_progress: Option<Function<MassProgress, ()>>,
    ) -> Result<AsyncTask<TrainTenantsTask>> {
        self.live("trainTenants")?;
        let progress = match on_progress {
            Some(f) => Some(
                f.build_threadsafe_function::<MassProgress>()
                    .callee_handled::<false>()
                    .weak::<true>()
                    .build()
                    .map_err(crate::error::napi_err)?,
            ),
            None => None,
        };
        let input = guard_task("trainTenants", || train_input(&data, options.as_ref()));
        Ok(AsyncTask::new(TrainTenantsTask {
            store: Arc::clone(self.core()),
            input,
            progress,
        }))
    }

    /// The drift of every tenant's model `name` (default `'lead'`), or of one
    /// tenant's, worst first: `[{ tenant, name, scores, psi, status, error? }]` with
    /// `status` `'stable'`, `'watch'` (PSI >= 0.1), `'retrain'` (PSI >= 0.25),
    /// `'too_few_scores'`, `'no_reference'` or `'unreadable'`. This store's pending
    /// score counts are written first.
    #[napi(
        ts_args_type = "options?: { name?: string; tenant?: string }",
        ts_return_type = "DriftRow[]"
    )]
    pub fn drift(&self, options: Option<Unknown>) -> Result<serde_json::Value> {
        guard("Store.drift", || {
            let store = self.live("drift")?;
            let (name, tenant) = drift_options(options.as_ref()).map_err(js_err)?;
            let rows = store
                .drift(
                    name.as_deref().unwrap_or(leadscore::defaults::MODEL_NAME),
                    tenant.as_deref(),
                )
                .map_err(js_err)?;
            let v = serde_json::to_value(&rows)
                .map_err(|e| js_err(leadscore::Error::Internal(format!("drift: {e}"))))?;
            Ok(convert::camel_keys(v))
        })
    }

    /// Marks `tenant` as having too little data for a model `name` (default
    /// `'lead'`), with its `rows` and `positives` for the record: the store then
    /// answers for it with the fallback and `fallbackReason: 'insufficient_data'`.
    #[napi(
        ts_args_type = "tenant: string, counts?: { rows?: number; positives?: number; name?: string }"
    )]
    pub fn mark_insufficient(&self, tenant: Unknown, counts: Option<Unknown>) -> Result<()> {
        guard("Store.markInsufficient", || {
            let store = self.live("markInsufficient")?;
            let tenant = convert::string_arg("tenant", &tenant).map_err(js_err)?;
            let (rows, positives, name) = mark_options(counts.as_ref()).map_err(js_err)?;
            leadscore::mass::mark_insufficient(
                store,
                &tenant,
                name.as_deref().unwrap_or(leadscore::defaults::MODEL_NAME),
                rows,
                positives,
            )
            .map_err(js_err)
        })
    }
}

/// A plain options object as JSON (`undefined` or `null`: empty).
fn options_json(
    what: &str,
    o: Option<&Unknown>,
) -> leadscore::Result<serde_json::Map<String, serde_json::Value>> {
    let Some(o) = o else {
        return Ok(serde_json::Map::new());
    };
    convert::as_object(what, o)?;
    // SAFETY: `o` was checked to be a plain object; the serde conversion reads it
    // through N-API and fails (without undefined behaviour) on values JSON cannot hold.
    let v = unsafe { o.cast::<serde_json::Value>() }
        .map_err(|e| leadscore::Error::InvalidInput(format!("{what}: {}", e.reason)))?;
    match v {
        serde_json::Value::Object(m) => Ok(m),
        _ => Err(leadscore::Error::InvalidInput(format!(
            "{what} must be an object"
        ))),
    }
}

/// `drift()`'s `{ name, tenant }`.
fn drift_options(o: Option<&Unknown>) -> leadscore::Result<(Option<String>, Option<String>)> {
    let (mut name, mut tenant) = (None, None);
    for (k, v) in options_json("drift options", o)? {
        let text = || {
            v.as_str().map(str::to_owned).ok_or_else(|| {
                leadscore::Error::InvalidInput(format!("option \"{k}\" must be a string, got {v}"))
            })
        };
        match k.as_str() {
            "name" => name = Some(text()?),
            "tenant" => tenant = Some(text()?),
            _ => {
                return Err(leadscore::Error::InvalidInput(format!(
                    "unknown option \"{k}\"; known options: name, tenant"
                )))
            }
        }
    }
    Ok((name, tenant))
}

/// `markInsufficient()`'s `{ rows, positives, name }`.
fn mark_options(o: Option<&Unknown>) -> leadscore::Result<(usize, usize, Option<String>)> {
    let (mut rows, mut positives, mut name) = (0, 0, None);
    for (k, v) in options_json("markInsufficient options", o)? {
        let count = || {
            leadscore::options::whole_number(&v)
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    leadscore::Error::InvalidInput(format!(
                        "option \"{k}\" must be a non-negative integer, got {v}"
                    ))
                })
        };
        match k.as_str() {
            "rows" => rows = count()?,
            "positives" => positives = count()?,
            "name" => {
                name = Some(v.as_str().map(str::to_owned).ok_or_else(|| {
                    leadscore::Error::InvalidInput(format!(
                        "option \"name\" must be a string, got {v}"
                    ))
                })?)
            }
            _ => {
                return Err(leadscore::Error::InvalidInput(format!(
                    "unknown option \"{k}\"; known options: rows, positives, name"
                )))
            }
        }
    }
    Ok((rows, positives, name))
}
