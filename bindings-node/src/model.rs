//! The `Model` class: a trained, immutable model shared as `Arc<leadscore::Model>`.

use crate::coded;
use crate::convert::{self, Key};
use crate::error::{guard, js_err, Result};
use crate::pluck::{BatchRows, Plucker};
use crate::train::{test_panic_requested, BatchInput, ScoreBatchTask};
use leadscore::Record;
use napi::bindgen_prelude::{
    AsyncTask, Buffer, Float64Array, JsObjectValue, JsValue, ObjectFinalize, This, Unknown,
};
use napi::Env;
use napi_derive::napi;
use std::cell::{Cell, RefCell};
use std::sync::Arc;

/// Leads scored through the prototype (by `score()` or `scoreBatch()`) after which
/// a model gets the coded reader as its own `score` and `scoreBatch`.
const CODED_AFTER: u32 = 8;

/// A score with its probability and label.
#[napi(object)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreDetail {
    /// Calibrated probability of the positive class, in (0, 1).
    pub probability: f64,
    /// The probability as a whole-number score from 1 to 99.
    pub score: u32,
    /// Whether the probability reaches the model's decision threshold.
    pub label: bool,
}

impl From<leadscore::Score> for ScoreDetail {
    fn from(s: leadscore::Score) -> Self {
        ScoreDetail {
            probability: s.probability,
            score: u32::from(s.score),
            label: s.label,
        }
    }
}

/// One reason of an explanation: how much a raw field moved the score.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct Reason {
    /// The raw field.
    pub field: String,
    /// A readable statement of the field's value (`tenure = 1`, `contract = Month-to-month`).
    pub label: String,
    /// Contribution to the log-odds relative to an average training lead (positive raises the score).
    pub contribution: f64,
}

impl From<leadscore::Reason> for Reason {
    fn from(r: leadscore::Reason) -> Self {
        Reason {
            field: r.field,
            label: r.label,
            contribution: r.contribution,
        }
    }
}

/// A score with its strongest reasons each way.
#[napi(object)]
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// Calibrated probability of the positive class.
    pub probability: f64,
    /// The probability as a whole-number score from 1 to 99.
    pub score: u32,
    /// Whether the probability reaches the model's decision threshold.
    pub label: bool,
    /// The probability of an average training lead (all contributions zero).
    pub base_probability: f64,
    /// The strongest reasons for a higher score, strongest first.
    pub positive: Vec<Reason>,
    /// The strongest reasons for a lower score, strongest first.
    pub negative: Vec<Reason>,
}

/// A trained, immutable scoring model: raw lead in, probability out.
///
/// Load one with `Model.load(path)` or `Model.fromBuffer(bytes)`, or train one with
/// `await train(...)`. Unknown fields of a lead are ignored, absent ones count as
/// missing; a value of the wrong kind throws an `Error` with `code: 'INVALID_INPUT'`
/// naming the field.
///
/// ```js
/// const { Model } = require('leadscore');
/// const model = Model.load('tests/fixtures/models/wa_churn_v1.lsm');
/// const p = model.score({ tenure: 1, contract: 'Month-to-month', monthly_charges: 29.85 });
/// ```
#[napi(custom_finalize)]
pub struct Model {
    inner: Arc<leadscore::Model>,
    keys: Arc<[Key]>,
    /// The record `score()` reads leads into, laid out for the model.
    scratch: RefCell<Record>,
    fast: RefCell<Option<Plucker>>,
    /// `score()` calls through the prototype so far: the coded `score` is installed
    /// at [`CODED_AFTER`] (a model scored once or twice never pays for building it).
    scored: Cell<u32>,
    /// Bytes reported to V8 as external memory (returned when finalized), so the
    /// garbage collector knows what an unreachable `Model` really holds.
    external: i64,
}

impl ObjectFinalize for Model {
    fn finalize(self, env: Env) -> napi::Result<()> {
        if let Some(fast) = self.fast.into_inner() {
            fast.release(&env)?;
        }
        if self.external > 0 {
            env.adjust_external_memory(-self.external)?;
        }
        Ok(())
    }
}

impl Model {
    /// Wraps a core model whose file form is about `size` bytes.
    pub fn from_core(env: &Env, model: leadscore::Model, size: usize) -> Model {
        Self::from_arc(env, Arc::new(model), size)
    }

    /// Wraps a shared core model (a store hands out `Arc`s) and tells V8 about the
    /// native memory it holds (about `size` bytes).
    pub fn from_arc(env: &Env, inner: Arc<leadscore::Model>, size: usize) -> Model {
        let keys: Arc<[Key]> = inner.input_names().into_iter().map(Key::new).collect();
        // The decoded model takes a few times its compact file size.
        let external = i64::try_from(size.saturating_mul(3)).unwrap_or(i64::MAX);
        let external = match env.adjust_external_memory(external) {
            Ok(_) => external,
            Err(_) => 0,
        };
        Model {
            scratch: RefCell::new(inner.record()),
            fast: RefCell::new(None),
            scored: Cell::new(0),
            inner,
            keys,
            external,
        }
    }

    /// The shared core model.
    pub fn core(&self) -> &Arc<leadscore::Model> {
        &self.inner
    }

    /// Counts leads scored through the prototype's `score`/`scoreBatch`; at
    /// [`CODED_AFTER`] the object gets the coded `score` and `scoreBatch` as its own
    /// (see [`coded`]; a model whose pipeline cannot take them keeps these paths).
    fn count_scores(&self, env: &Env, this: &This<'_>, leads: u32) {
        let n = self.scored.get();
        if n < CODED_AFTER {
            let now = n.saturating_add(leads);
            self.scored.set(now);
            if now >= CODED_AFTER {
                let _ = coded::install(env, this, &self.inner, &self.keys);
            }
        }
    }

    /// The log-odds of one lead object.
    fn logit(&self, env: &Env, lead: &Unknown) -> Result<f64> {
        // A getter on the lead can re-enter this model while the outer call holds
        // the buffers and the fast reader; the inner call then takes the plain path.
        if let (Ok(mut rec), Ok(mut fast)) =
            (self.scratch.try_borrow_mut(), self.fast.try_borrow_mut())
        {
            if fast.as_ref().is_none_or(|f| !f.is_for(env)) {
                if let Some(old) = fast.take() {
                    // Made in another environment: it cannot be released from here.
                    std::mem::forget(old);
                }
                *fast = Plucker::new(env, &self.keys).ok();
            }
            if let Some(f) = fast.as_ref() {
                f.read(env, lead, &self.keys, &mut rec).map_err(js_err)?;
                return self.inner.logit(&rec).map_err(js_err);
            }
        }
        let rec = convert::lead_record(lead, &self.keys, &self.inner).map_err(js_err)?;
        self.inner.logit(&rec).map_err(js_err)
    }

    /// Runs `f` with this environment's reader (`None` when it is busy in a
    /// re-entrant call or cannot be built: callers then take the plain path).
    fn with_plucker<T>(&self, env: &Env, f: impl FnOnce(Option<&Plucker>) -> T) -> T {
        let Ok(mut fast) = self.fast.try_borrow_mut() else {
            return f(None);
        };
        if fast.as_ref().is_none_or(|p| !p.is_for(env)) {
            if let Some(old) = fast.take() {
                // Made in another environment: it cannot be released from here.
                std::mem::forget(old);
            }
            *fast = Plucker::new(env, &self.keys).ok();
        }
        f(fast.as_ref())
    }

    /// Reads an array of leads with the batch reader (`None`: read lead by lead).
    fn batch_rows(&self, env: &Env, leads: &Unknown) -> Result<Option<BatchRows>> {
        self.with_plucker(env, |p| match p {
            Some(p) => p
                .read_batch(env, "leads", leads, &self.keys)
                .map(Some)
                .map_err(js_err),
            None => Ok(None),
        })
    }

    /// Reads a columns object into a table.
    fn columns(&self, env: &Env, columns: &Unknown) -> Result<leadscore::Table> {
        self.with_plucker(env, |p| {
            convert::columns_table(columns, p.map(|p| (env, p))).map_err(js_err)
        })
    }
}

/// Probabilities of rows read by the batch reader, each exactly what `score()`
/// gives; errors name the lead. Batches whose fields each hold one kind of value go
/// through the core's table path (levels mapped once); any other batch, or one the
/// table path rejects, is scored lead by lead (so errors name the lead).
pub fn score_rows(
    model: &leadscore::Model,
    rows: &BatchRows,
    keys: &[Key],
) -> leadscore::Result<Vec<f64>> {
    if let Some(table) = rows.to_table(keys) {
        if let Ok(p) = model.score_batch(&table) {
            return Ok(p);
        }
    }
    let mut out = Vec::with_capacity(rows.len());
    let mut rec = model.record();
    rows.for_each(keys, &mut rec, |r, rec| {
        let z = model.logit(rec).map_err(|e| match e {
            leadscore::Error::InvalidValue { field, message } => leadscore::Error::InvalidValue {
                field,
                message: format!("{message} (in leads[{r}])"),
            },
            other => other,
        })?;
        out.push(leadscore::model::sigmoid(z));
        Ok(())
    })?;
    Ok(out)
}

#[napi]
impl Model {
    /// Reads a model file (`.lsm`). Throws `code: 'IO'` when the file cannot be read
    /// and `code: 'MODEL_FORMAT'` when it is not a valid leadscore model.
    #[napi(factory, ts_args_type = "path: string")]
    pub fn load(env: Env, path: Unknown) -> Result<Model> {
        guard("Model.load", || {
            let path = convert::string_arg("path", &path).map_err(js_err)?;
            let model = leadscore::Model::load(&path).map_err(js_err)?;
            let size = std::fs::metadata(&path).map_or(0, |m| m.len() as usize);
            Ok(Model::from_core(&env, model, size))
        })
    }

    /// Reads a model from the bytes of a model file (a `Buffer` or `Uint8Array`).
    /// Throws `code: 'MODEL_FORMAT'` when the bytes are not a valid model.
    #[napi(factory, ts_args_type = "bytes: Uint8Array")]
    pub fn from_buffer(env: Env, bytes: Unknown) -> Result<Model> {
        guard("Model.fromBuffer", || {
            let bytes = convert::bytes_arg("bytes", &bytes).map_err(js_err)?;
            let model = leadscore::Model::from_bytes(&bytes).map_err(js_err)?;
            Ok(Model::from_core(&env, model, bytes.len()))
        })
    }

    /// Writes the model file atomically (a crash leaves the old file or the new one,
    /// never a torn one). Throws `code: 'IO'` on failure.
    #[napi(ts_args_type = "path: string")]
    pub fn save(&self, path: Unknown) -> Result<()> {
        guard("Model.save", || {
            let path = convert::string_arg("path", &path).map_err(js_err)?;
            self.inner.save(&path).map_err(js_err)
        })
    }

    /// The model in the file format, as a `Buffer` (`Model.fromBuffer` reads it back).
    /// Typed `Uint8Array` (which a `Buffer` is), so the typings compile with and
    /// without `@types/node`.
    #[napi(ts_return_type = "Uint8Array")]
    pub fn to_buffer(&self) -> Result<Buffer> {
        guard("Model.toBuffer", || {
            Ok(Buffer::from(self.inner.to_bytes().map_err(js_err)?))
        })
    }

    /// The probability that a lead is positive, in (0, 1).
    ///
    /// Field values: numbers, numeric strings (`"12"`, `"1,5"`), booleans, other
    /// strings (categories); `null`/`undefined`/absent are missing. A `BigInt`, an
    /// object or an array as the value of a field the model reads throws
    /// `code: 'INVALID_INPUT'` naming the field.
    #[napi(ts_args_type = "lead: Lead")]
    pub fn score(&self, env: Env, this: This<'_>, lead: Unknown) -> Result<f64> {
        guard("Model.score", || {
            self.count_scores(&env, &this, 1);
            Ok(leadscore::model::sigmoid(self.logit(&env, &lead)?))
        })
    }

    /// The probability, the 1-99 score and the label at the model's threshold.
    #[napi(ts_args_type = "lead: Lead")]
    pub fn score_detailed(&self, env: Env, lead: Unknown) -> Result<ScoreDetail> {
        guard("Model.scoreDetailed", || {
            Ok(self.inner.score_from_logit(self.logit(&env, &lead)?).into())
        })
    }

    /// Scores a lead and names the top `k` reasons each way (default 3), grouped by
    /// raw field; contributions are in log-odds relative to an average training lead.
    #[napi(ts_args_type = "lead: Lead, k?: number")]
    pub fn explain(&self, lead: Unknown, k: Option<Unknown>) -> Result<Explanation> {
        guard("Model.explain", || {
            let k = convert::count_arg("k", k.as_ref(), leadscore::defaults::EXPLAIN_K)
                .map_err(js_err)?;
            let record = convert::lead_record(&lead, &self.keys, &self.inner).map_err(js_err)?;
            let e = self.inner.explain(&record, k).map_err(js_err)?;
            Ok(Explanation {
                probability: e.score.probability,
                score: u32::from(e.score.score),
                label: e.score.label,
                base_probability: e.base_probability,
                positive: e.positive.into_iter().map(Reason::from).collect(),
                negative: e.negative.into_iter().map(Reason::from).collect(),
            })
        })
    }

    /// The probabilities of an array of lead objects, in order (each exactly what
    /// `score()` gives for it); errors name the lead's index and the field.
    #[napi(ts_args_type = "leads: Lead[]")]
    pub fn score_batch(&self, env: Env, this: This<'_>, leads: Unknown) -> Result<Float64Array> {
        guard("Model.scoreBatch", || {
            let n = convert::as_array("leads", &leads).map_or(0, |(_, n)| n);
            self.count_scores(&env, &this, n);
            if let Some(rows) = self.batch_rows(&env, &leads)? {
                return Ok(Float64Array::new(
                    score_rows(&self.inner, &rows, &self.keys).map_err(js_err)?,
                ));
            }
            let (arr, n) = convert::as_array("leads", &leads).map_err(js_err)?;
            let mut out = Vec::with_capacity(n as usize);
            for i in 0..n {
                let item: Unknown = arr.get_element(i).map_err(crate::error::napi_err)?;
                let z = self
                    .logit(&env, &item)
                    .map_err(|e| napi::Error::new(e.status, format!("leads[{i}]: {}", e.reason)))?;
                out.push(leadscore::model::sigmoid(z));
            }
            Ok(Float64Array::new(out))
        })
    }

    /// The columnar fast path: probabilities of rows given as columns, one per field:
    /// a `Float64Array` for a numeric field (`NaN` = missing), an array of strings
    /// (`null`/`undefined` = missing) or, fastest, a dictionary-encoded
    /// `{ codes: Uint32Array, levels: string[] }` for a categorical or text field. Columns the model
    /// does not read are ignored; fields without a column are missing. All columns must
    /// have the same length.
    #[napi(ts_args_type = "columns: Columns")]
    pub fn score_columns(&self, env: Env, columns: Unknown) -> Result<Float64Array> {
        guard("Model.scoreColumns", || {
            let table = self.columns(&env, &columns)?;
            Ok(Float64Array::new(
                self.inner.score_batch(&table).map_err(js_err)?,
            ))
        })
    }

    /// Like `scoreBatch` (for an array of leads) or `scoreColumns` (for a columns
    /// object), with the scoring done on the libuv thread pool: the event loop only
    /// reads the JavaScript values. Errors reject the Promise with a coded `Error`.
    #[napi(
        ts_args_type = "leads: Lead[] | Columns",
        ts_return_type = "Promise<Float64Array>"
    )]
    pub fn score_batch_async(&self, env: Env, leads: Unknown) -> AsyncTask<ScoreBatchTask> {
        let table = guard("Model.scoreBatchAsync", || {
            if leads.is_array().unwrap_or(false) {
                if let Some(rows) = self.batch_rows(&env, &leads)? {
                    return Ok(BatchInput::Leads(rows, self.keys.clone()));
                }
                convert::leads_records("leads", &leads, &self.keys, &self.inner)
                    .map(BatchInput::Rows)
                    .map_err(js_err)
            } else {
                self.columns(&env, &leads).map(BatchInput::Table)
            }
        });
        AsyncTask::new(ScoreBatchTask::new(
            self.inner.clone(),
            table.map_err(|e| crate::error::Failure {
                code: e.status,
                message: e.reason,
            }),
            test_panic_requested("scoreBatchAsync"),
        ))
    }

    /// The training data's insights stored at training time (camelCase keys; see
    /// `insights()`; text columns also `topCoefficients`), or `null` for a model
    /// trained with `insights: false` or read from an older format.
    #[napi(ts_return_type = "Record<string, any> | null")]
    pub fn insights(&self) -> Result<Option<serde_json::Value>> {
        guard("Model.insights", || {
            Ok(self
                .inner
                .insights()
                .map_err(js_err)?
                .map(convert::camel_keys))
        })
    }

    /// The cross-validated metrics measured at training time (camelCase keys:
    /// `rocAuc`, `prAuc`, `logLoss`, `brier`, `precision`, `recall`, `f1`, `confusion`,
    /// `baseline` ...), or `null` for a model trained without cross-validation.
    #[napi(ts_return_type = "Metrics | null")]
    pub fn metrics(&self) -> Result<Option<serde_json::Value>> {
        guard("Model.metrics", || {
            self.inner
                .metrics()
                .map(|m| {
                    serde_json::to_value(m)
                        .map(convert::camel_keys)
                        .map_err(|e| napi::Error::new("INTERNAL", e.to_string()))
                })
                .transpose()
        })
    }

    /// How the model was evaluated and its threshold chosen (camelCase keys): `split`
    /// (`kfold` or `time`), `policy`, `threshold`, `atThreshold`, the threshold table
    /// `thresholds` (precision, recall, falsePositiveRate, f1, shareFlagged,
    /// flaggedPer1000 at each cut), `calibration` and the score `histogram` by class;
    /// or `null` for a model trained without held-out predictions.
    #[napi(ts_return_type = "Evaluation | null")]
    pub fn evaluation(&self) -> Result<Option<serde_json::Value>> {
        guard("Model.evaluation", || {
            self.inner
                .evaluation()
                .map(|e| {
                    serde_json::to_value(e)
                        .map(convert::camel_keys)
                        .map_err(|e| napi::Error::new("INTERNAL", e.to_string()))
                })
                .transpose()
        })
    }

    /// The model's report as HTML: a self-contained page (no network, no external
    /// script or font) with the metrics beside a random guess, ROC and PR curves, a
    /// threshold slider, lift, calibration, the coefficients and the stored insights;
    /// the same bytes as every binding and `leadscore report` give. Options:
    /// `compact` (true: the fragment a notebook shows), `title` (at most 200
    /// characters; default "Lead score: TARGET"). Bad options throw an
    /// `'INVALID_INPUT'` error naming the option.
    #[napi(ts_args_type = "options?: ReportOptions | null")]
    pub fn report_html(&self, options: Option<Unknown>) -> Result<String> {
        guard("Model.reportHtml", || {
            let json = match options {
                None => serde_json::Value::Null,
                Some(o) => {
                    convert::as_object("options", &o).map_err(js_err)?;
                    // SAFETY: `o` was checked to be a plain object; the serde conversion
                    // reads it through N-API and fails (without undefined behaviour) on
                    // values JSON cannot hold.
                    unsafe { o.cast::<serde_json::Value>() }.map_err(|e| {
                        js_err(leadscore::Error::InvalidInput(format!(
                            "options: {}",
                            e.reason
                        )))
                    })?
                }
            };
            let json = convert::options_to_core(json).map_err(js_err)?;
            let opts = leadscore::report::ReportOptions::from_json(&json).map_err(js_err)?;
            self.inner.report_html(&opts).map_err(js_err)
        })
    }

    /// Facts about the model: `leadscoreVersion`, `formatVersion`, `createdUnix`,
    /// `target`, `positiveLabel`, `negativeLabel`, `rows`, `positives`,
    /// `inputs` (`[{ name, kind }]`), `features`, `threshold`, `balance`, `c`, `seed`,
    /// `iterations`, `converged`, `rocAuc`, `prAuc`.
    #[napi(ts_return_type = "ModelInfo")]
    pub fn info(&self) -> Result<serde_json::Value> {
        guard("Model.info", || Ok(convert::camel_keys(self.inner.info())))
    }

    /// The whole model as JSON for inspection (the same document as
    /// `leadscore inspect --json`, snake_case keys): training facts, schema, every
    /// feature with its coefficient and training mean, the fitted pipeline, the
    /// threshold and the metrics.
    #[napi(ts_return_type = "Record<string, any>")]
    pub fn to_json(&self) -> Result<serde_json::Value> {
        guard("Model.toJson", || Ok(self.inner.to_json()))
    }

    /// The raw fields the model reads, in pipeline order.
    #[napi(getter)]
    pub fn input_names(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.name.clone()).collect()
    }

    /// The decision threshold on the probability.
    #[napi(getter)]
    pub fn threshold(&self) -> f64 {
        self.inner.threshold()
    }
}
