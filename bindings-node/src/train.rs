//! Training and batch scoring off the event loop: `AsyncTask`s on the libuv pool.
//!
//! JavaScript values are read on the JavaScript thread when the task is created;
//! only Rust data crosses to the worker. Every failure — a bad argument, a core
//! error, or a panic caught by `catch_unwind` — rejects the Promise with a coded
//! `Error`; nothing is thrown synchronously and no Promise is left pending.
//!
//! Test hook (compiled only with the `test-hooks` feature, which `test.sh` turns
//! on; release builds never read the variable): when the environment variable `LEADSCORE_NODE_TEST_PANIC` equals the
//! task's name (`train` or `scoreBatchAsync`) at the moment the task is created, its
//! worker computation panics on purpose, so the tests can prove that a panic
//! rejects the Promise with `code: 'INTERNAL'`. With the value `train:TRAINING` the
//! `train` task instead fails with the core's training error (which the solver no
//! longer produces on any valid input), so the tests can prove that code's path end
//! to end. Nothing else reads the variable.

use crate::convert;
use crate::error::{guard_task, Failure};
use crate::model::Model;
use leadscore::options::TrainOptions;
use leadscore::Table;
use napi::bindgen_prelude::{
    AsyncTask, Float64Array, JsObjectValue, ToNapiValue, TypeName, Unknown, ValueType,
};
use napi::{Env, Task};
use napi_derive::napi;
use std::sync::Arc;

/// The environment variable of the test hook (see the module docs).
pub const TEST_PANIC_ENV: &str = "LEADSCORE_NODE_TEST_PANIC";

/// Whether the test hook asks task `name` to panic (always false without the
/// `test-hooks` feature).
pub fn test_panic_requested(name: &str) -> bool {
    cfg!(feature = "test-hooks") && std::env::var(TEST_PANIC_ENV).is_ok_and(|v| v == name)
}

/// Rejects a task's Promise with a coded `Error` built on the JavaScript thread.
pub(crate) fn reject(env: Env, f: Failure) -> napi::Error {
    let js = napi::JsError::from(napi::Error::new(f.code, f.message)).into_unknown(env);
    napi::Error::from(js)
}

/// What to train on.
#[derive(Debug)]
pub enum TrainData {
    /// A CSV file (or JSON Lines for `.jsonl`/`.ndjson`), read on the worker.
    Path(String),
    /// Rows already read from JavaScript objects.
    Table(Table),
}

/// The `train()` task.
pub struct TrainTask {
    input: Result<(TrainData, serde_json::Value), Failure>,
    panic: bool,
    fail_training: bool,
}

impl Task for TrainTask {
    type Output = Result<leadscore::Model, Failure>;
    type JsValue = Model;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (data, options) = match &self.input {
            Ok(x) => x,
            Err(f) => return Ok(Err(f.clone())),
        };
        let (panic, fail_training) = (self.panic, self.fail_training);
        Ok(guard_task("train", || {
            if panic {
                panic!("{TEST_PANIC_ENV}=train: deliberate test panic");
            }
            if fail_training {
                return Err(leadscore::Error::Training(format!(
                    "{TEST_PANIC_ENV}=train:TRAINING: deliberate test failure"
                )));
            }
            let opts = TrainOptions::from_json(options)?;
            match data {
                TrainData::Path(p) => opts.train_file(p),
                TrainData::Table(t) => opts.train_table(t),
            }
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Model> {
        output
            .map(|m| {
                let size = m.to_bytes().map_or(0, |b| b.len());
                Model::from_core(&env, m, size)
            })
            .map_err(|f| reject(env, f))
    }
}

/// Reads `train()`'s arguments on the JavaScript thread.
pub(crate) fn train_input(
    data: &Unknown,
    options: Option<&Unknown>,
) -> Result<(TrainData, serde_json::Value), leadscore::Error> {
    use leadscore::Error;
    let obj = convert::as_object("train data", data).map_err(|_| {
        Error::InvalidInput("train data must be { csv: path } or { rows: [...] }".into())
    })?;
    let keys = napi::bindgen_prelude::Object::keys(&obj)
        .map_err(|e| Error::InvalidInput(format!("train data: {}", e.reason)))?;
    let data = match keys
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["csv"] => {
            let v: Unknown = obj
                .get_named_property_unchecked("csv")
                .map_err(|e| Error::InvalidInput(format!("csv: {}", e.reason)))?;
            match convert::value_of("csv", &v)? {
                leadscore::Value::Str(p) => TrainData::Path(p),
                _ => {
                    return Err(Error::InvalidInput(
                        "csv must be a file path (a string)".into(),
                    ))
                }
            }
        }
        ["rows"] => {
            let v: Unknown = obj
                .get_named_property_unchecked("rows")
                .map_err(|e| Error::InvalidInput(format!("rows: {}", e.reason)))?;
            TrainData::Table(Table::from_records(&convert::records_of("rows", &v)?))
        }
        other => {
            return Err(Error::InvalidInput(format!(
                "train data must be {{ csv: path }} or {{ rows: [...] }}, got keys [{}]",
                other.join(", ")
            )))
        }
    };
    let options = match options {
        None => serde_json::Value::Null,
        Some(o) => {
            convert::as_object("options", o)?;
            // SAFETY: `o` was checked to be a plain object; the serde conversion reads
            // it through N-API and fails (without undefined behaviour) on values JSON
            // cannot hold.
            unsafe { o.cast::<serde_json::Value>() }
                .map_err(|e| Error::InvalidInput(format!("options: {}", e.reason)))?
        }
    };
    Ok((data, convert::options_to_core(options)?))
}

/// Trains a model off the event loop and resolves to it.
///
/// `data` is `{ csv: path }` (a CSV file; `.jsonl`/`.ndjson` are read as JSON Lines)
/// or `{ rows: [...] }` (objects of field -> value, typed like JSON Lines). `options`
/// use camelCase names (`target` is required): `target`, `positive`, `balance`
/// (`'upsample'` default, `'downsample'`, `'class_weight'`, `'none'`), `c` (a number
/// or `'auto'`, the default), `recipe` (the feature recipe text, or `'auto'`),
/// `minRows`, `minPositives`, `cv`, `seed`, `maxIter`, `tol`, `minCount`, `maxLevels`,
/// `penalty`, `l1Ratio`, `maxFeatures`, `maxModelBytes`,
/// `kinds`, `threads`, `delimiter`, `decimalComma`. They are validated by the core; any
/// problem rejects the Promise with a coded `Error` (`'INVALID_INPUT'`,
/// `'UNKNOWN_COLUMN'`, `'INSUFFICIENT_DATA'`, `'IO'`, `'TRAINING'`, `'INTERNAL'`).
///
/// ```js
/// const { train } = require('leadscore');
/// const model = await train({ csv: 'examples/data/wa_churn.csv' }, { target: 'churn', cv: 3 });
/// ```
#[napi(
    ts_args_type = "data: TrainData, options: TrainOptions",
    ts_return_type = "Promise<Model>"
)]
pub fn train(data: Unknown, options: Option<Unknown>) -> AsyncTask<TrainTask> {
    let input = guard_task("train", || train_input(&data, options.as_ref()));
    AsyncTask::new(TrainTask {
        input,
        panic: test_panic_requested("train"),
        fail_training: test_panic_requested("train:TRAINING"),
    })
}

/// The `insights()` task: statistics of a data set by class, without training.
pub struct InsightsTask {
    input: Result<(TrainData, serde_json::Value), Failure>,
}

/// A JSON value a task resolves to: napi's conversion of `serde_json::Value`, under a
/// type a `Task` can name.
pub struct Json(pub serde_json::Value);

impl TypeName for Json {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        val: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        // SAFETY: napi calls this with the live environment of the JavaScript thread
        // (the task's `resolve`), which is exactly what the forwarded conversion needs.
        unsafe { serde_json::Value::to_napi_value(env, val.0) }
    }
}

impl Task for InsightsTask {
    type Output = Result<serde_json::Value, Failure>;
    type JsValue = Json;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (data, options) = match &self.input {
            Ok(x) => x,
            Err(f) => return Ok(Err(f.clone())),
        };
        Ok(guard_task("insights", || {
            let req = leadscore::options::InsightsRequest::from_json(options)?;
            let found = match data {
                TrainData::Path(p) => req.insights_file(p)?,
                TrainData::Table(t) => req.insights_table(t)?,
            };
            Ok(convert::camel_keys(found.to_json()))
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Json> {
        output.map(Json).map_err(|f| reject(env, f))
    }
}

/// Computes a data set's insights off the event loop, without training: per column
/// its kind, counts, missing share, statistics and histogram by class, top levels or
/// tokens, Pearson, Kendall tau-b and ROC AUC against the target, and warnings
/// (`leak`, `constant`, `nearConstant`... as codes `'leak'`, `'near_constant'`),
/// strongest column first (camelCase keys).
///
/// `data` is what `train()` takes; `options`: `target` (required), `positive`,
/// `kinds`, `bins` (2-100, default 10), `topLevels` (10), `topTokens` (20), `threads`,
/// `delimiter`, `decimalComma`. A trained model keeps the same for its training rows:
/// `model.insights()`.
///
/// ```js
/// const { insights } = require('leadscore');
/// const ins = await insights({ csv: 'examples/data/wa_churn.csv' }, { target: 'churn' });
/// ```
#[napi(
    ts_args_type = "data: TrainData, options: InsightsOptions",
    ts_return_type = "Promise<Record<string, any>>"
)]
pub fn insights(data: Unknown, options: Option<Unknown>) -> AsyncTask<InsightsTask> {
    let input = guard_task("insights", || train_input(&data, options.as_ref()));
    AsyncTask::new(InsightsTask { input })
}

/// The `search()` task: training settings tried by cross-validation.
pub struct SearchTask {
    input: Result<(TrainData, serde_json::Value), Failure>,
}

/// What `search()` resolves to: the result (camelCase keys) and, with `refit`, the
/// best setting's model under `model`.
pub struct SearchOut {
    result: serde_json::Value,
    model: Option<Model>,
}

impl TypeName for SearchOut {
    fn type_name() -> &'static str {
        "Object"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ToNapiValue for SearchOut {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        val: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        // SAFETY: napi calls this with the live environment of the JavaScript thread
        // (the task's `resolve`), which is what both conversions need.
        let obj = unsafe { serde_json::Value::to_napi_value(env, val.result) }?;
        if let Some(model) = val.model {
            // SAFETY: as above; the model becomes a JavaScript `Model` instance.
            let js = unsafe { Model::to_napi_value(env, model) }?;
            // SAFETY: `obj` is the object just made from a JSON object (the search
            // result is always one), `js` a live value of the same environment, and
            // the name a NUL-terminated literal.
            let status =
                unsafe { napi::sys::napi_set_named_property(env, obj, c"model".as_ptr(), js) };
            if status != napi::sys::Status::napi_ok {
                return Err(napi::Error::new(
                    napi::Status::GenericFailure,
                    "search: could not attach the refitted model",
                ));
            }
        }
        Ok(obj)
    }
}

impl Task for SearchTask {
    type Output = Result<leadscore::search::Searched, Failure>;
    type JsValue = SearchOut;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let (data, options) = match &self.input {
            Ok(x) => x,
            Err(f) => return Ok(Err(f.clone())),
        };
        Ok(guard_task("search", || {
            let req = leadscore::search::SearchRequest::from_json(options)?;
            match data {
                TrainData::Path(p) => req.search_file(p),
                TrainData::Table(t) => req.search_table(t),
            }
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<SearchOut> {
        output
            .map(|s| SearchOut {
                result: convert::camel_keys(s.result.to_json()),
                model: s.model.map(|m| {
                    let size = m.to_bytes().map_or(0, |b| b.len());
                    Model::from_core(&env, m, size)
                }),
            })
            .map_err(|f| reject(env, f))
    }
}

/// Searches training settings off the event loop: each setting cross-validated with
/// the same folds, every trial kept (see docs/search.md), resolving to the result
/// (camelCase keys: `trials` with `number`, `params`, `value`, `rocAuc`, `prAuc`,
/// `logLoss`, `seconds`, `error`; `best`; `stopped`; `budgetExhausted`...).
///
/// `data` is what `train()` takes; `options` are `train()`'s (the base of every
/// trial; `threads` is the trial pool) plus `method` (`'grid'`, `'random'`, `'tpe'`
/// default), `trials` (30), `budgetSeconds`, `metric` (`'roc_auc'`, `'pr_auc'`,
/// `'log_loss'`), `refit` (also resolve the best setting trained on every row as
/// `model`), `tpeStartup`, `tpeBatch`, and the space: `c`, `penalty`, `l1Ratio`,
/// `balance`, `minCount`, `bins`, `ngram`, `minDf`, each a value, a `[low, high]`
/// range or a list of names. A trial that fails is recorded, not a rejection.
///
/// ```js
/// const { search } = require('leadscore');
/// const r = await search({ csv: 'examples/data/wa_churn.csv' }, { target: 'churn', trials: 20, refit: true });
/// console.log(r.best.params, r.best.rocAuc, r.model.info().penalty);
/// ```
#[napi(
    ts_args_type = "data: TrainData, options: SearchOptions",
    ts_return_type = "Promise<SearchResult>"
)]
pub fn search(data: Unknown, options: Option<Unknown>) -> AsyncTask<SearchTask> {
    let input = guard_task("search", || train_input(&data, options.as_ref()));
    AsyncTask::new(SearchTask { input })
}

/// The rows a `scoreBatchAsync()` task scores.
#[derive(Debug)]
pub enum BatchInput {
    /// Lead objects read by the batch reader.
    Leads(
        crate::pluck::BatchRows,
        std::sync::Arc<[crate::convert::Key]>,
    ),
    /// Lead objects read into records laid out for the model.
    Rows(Vec<leadscore::Record>),
    /// Columns.
    Table(Table),
}

/// The `scoreBatchAsync()` task.
pub struct ScoreBatchTask {
    model: Arc<leadscore::Model>,
    table: Result<BatchInput, Failure>,
    panic: bool,
}

impl ScoreBatchTask {
    /// A task scoring `table` (or rejecting with its failure).
    pub fn new(
        model: Arc<leadscore::Model>,
        table: Result<BatchInput, Failure>,
        panic: bool,
    ) -> Self {
        ScoreBatchTask {
            model,
            table,
            panic,
        }
    }
}

impl Task for ScoreBatchTask {
    type Output = Result<Vec<f64>, Failure>;
    type JsValue = Float64Array;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let table = match &self.table {
            Ok(t) => t,
            Err(f) => return Ok(Err(f.clone())),
        };
        let (model, panic) = (&self.model, self.panic);
        let out = guard_task("scoreBatchAsync", || {
            if panic {
                panic!("{TEST_PANIC_ENV}=scoreBatchAsync: deliberate test panic");
            }
            match table {
                BatchInput::Table(t) => model.score_batch(t),
                BatchInput::Leads(rows, keys) => crate::model::score_rows(model, rows, keys),
                BatchInput::Rows(rows) => rows
                    .iter()
                    .map(|r| model.logit(r).map(leadscore::model::sigmoid))
                    .collect(),
            }
        });
        // The rows are no longer needed: free them on the worker.
        self.table = Ok(BatchInput::Rows(Vec::new()));
        Ok(out)
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Float64Array> {
        output.map(Float64Array::new).map_err(|f| reject(env, f))
    }
}
