//! The `Store` class: many tenants' models behind one cache, shared as
//! `Arc<leadscore::store::Store>`.
//!
//! A lead is read only once the store has found the model that answers (the tenant's
//! own or the `_global` fallback), with the same reader, value mapping and errors as
//! `Model.score` / `Model.explain`: just the fields that model reads.

use crate::convert::{self, Key};
use crate::error::{guard, js_err, Result};
use crate::model::{Model, Reason};
use leadscore::store::{FallbackReason, Source, StoreConfig};
use leadscore::{Error, Value};
use napi::bindgen_prelude::{ClassInstance, JsObjectValue, Null, Object, Unknown};
use napi::{Either, Env};
use napi_derive::napi;
use std::cell::RefCell;
use std::sync::{Arc, Weak};

/// The model name used when none is given.
const DEFAULT_NAME: &str = leadscore::defaults::MODEL_NAME;

/// A score given through the store, with the model that gave it.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct StoreScore {
    /// Calibrated probability of the positive class, in (0, 1).
    pub probability: f64,
    /// The probability as a whole-number score from 1 to 99.
    pub score: u32,
    /// Whether the probability reaches the answering model's decision threshold.
    pub label: bool,
    /// Which model answered: `'tenant'` (the tenant's own) or `'fallback'` (`_global`).
    #[napi(ts_type = "'tenant' | 'fallback'")]
    pub source: String,
    /// Why the fallback answered (`null` when the tenant's own model did):
    /// `'no_model'`, `'insufficient_data'` or `'unreadable'`.
    #[napi(ts_type = "'no_model' | 'insufficient_data' | 'unreadable' | null")]
    pub fallback_reason: Either<String, Null>,
}

/// An explanation given through the store, with the model that gave it.
#[napi(object)]
#[derive(Debug, Clone)]
pub struct StoreExplanation {
    /// Calibrated probability of the positive class.
    pub probability: f64,
    /// The probability as a whole-number score from 1 to 99.
    pub score: u32,
    /// Whether the probability reaches the answering model's decision threshold.
    pub label: bool,
    /// The probability of an average training lead (all contributions zero).
    pub base_probability: f64,
    /// The strongest reasons for a higher score, strongest first.
    pub positive: Vec<Reason>,
    /// The strongest reasons for a lower score, strongest first.
    pub negative: Vec<Reason>,
    /// Which model answered: `'tenant'` or `'fallback'`.
    #[napi(ts_type = "'tenant' | 'fallback'")]
    pub source: String,
    /// Why the fallback answered (`null` when the tenant's own model did).
    #[napi(ts_type = "'no_model' | 'insufficient_data' | 'unreadable' | null")]
    pub fallback_reason: Either<String, Null>,
}

fn source_name(s: Source) -> String {
    match s {
        Source::Tenant => "tenant",
        Source::Fallback => "fallback",
    }
    .to_owned()
}

fn reason_value(r: Option<FallbackReason>) -> Either<String, Null> {
    match r {
        Some(r) => Either::A(r.as_str().to_owned()),
        None => Either::B(Null),
    }
}

/// The optional model name argument (`'lead'` when absent, `null` or `undefined`).
fn name_arg(name: Option<&Unknown>) -> std::result::Result<String, Error> {
    match name {
        None => Ok(DEFAULT_NAME.to_owned()),
        Some(v) => match convert::value_of("name", v) {
            Ok(Value::Missing) => Ok(DEFAULT_NAME.to_owned()),
            _ => convert::string_arg("name", v),
        },
    }
}

/// Reads `Store.open`'s options object: `cacheBytes`, `checkInterval` (seconds),
/// `fallback`; `null`/`undefined` (the object or a field) mean the default, any other
/// name is an error.
fn store_config(options: Option<&Unknown>) -> std::result::Result<StoreConfig, Error> {
    let mut config = StoreConfig::default();
    let Some(options) = options else {
        return Ok(config);
    };
    if matches!(convert::value_of("options", options), Ok(Value::Missing)) {
        return Ok(config);
    }
    let obj = convert::as_object("options", options)?;
    let names = Object::keys(&obj).map_err(|e| Error::InvalidInput(e.reason.clone()))?;
    // Each field read as a plain value into JSON; the core names and checks them.
    let mut json = serde_json::Map::new();
    for name in names {
        let v: Unknown = obj
            .get_named_property_unchecked(&name)
            .map_err(|e| Error::InvalidInput(format!("options.{name}: {}", e.reason)))?;
        let bad = || {
            Error::InvalidInput(format!(
                "store option {name} must be a plain value, got {}",
                describe(&v)
            ))
        };
        let value = match convert::value_of(&name, &v).map_err(|_| bad())? {
            Value::Missing => continue,
            Value::Num(x) => serde_json::Number::from_f64(x)
                .map(serde_json::Value::Number)
                .ok_or_else(|| {
                    Error::InvalidInput(format!("store option {name} must be finite, got {x}"))
                })?,
            Value::Bool(b) => serde_json::Value::Bool(b),
            Value::Str(s) => serde_json::Value::String(s),
        };
        json.insert(name, value);
    }
    config = StoreConfig::from_json(&serde_json::Value::Object(json))?;
    Ok(config)
}

/// A short description of a value for error messages.
fn describe(v: &Unknown) -> String {
    match convert::value_of("", v) {
        Ok(Value::Num(x)) => x.to_string(),
        Ok(Value::Str(s)) => format!("{s:?}"),
        Ok(Value::Bool(b)) => b.to_string(),
        Ok(Value::Missing) => "null".to_owned(),
        _ => "an object".to_owned(),
    }
}

/// Many tenants' models behind one cache: `<root>/<tenant>/<name>.lsm`, with
/// `<root>/_global/<name>.lsm` answering for tenants without a usable model.
///
/// Models load lazily into an LRU cache bounded in bytes (open one `Store` per
/// process and share it); a model file replaced on disk is picked up at the next
/// check (at most every `checkInterval` seconds), validated before it replaces the
/// old one. Every answer says which model gave it. Tenant
/// and model names are validated: `..`, `/`, `\`, a leading dot or control characters
/// are `INVALID_INPUT` errors, so no name reaches outside the root.
///
/// ```js
/// const { Store, Model } = require('leadscore');
/// const store = Store.open('/var/lib/leadscore', { cacheBytes: 64 << 20, checkInterval: 2 });
/// store.save('_global', Model.load('tests/fixtures/models/wa_churn_v1.lsm'));
/// const s = store.score('acme', { tenure: 1, contract: 'Month-to-month' });
/// // { probability, score, label, source: 'fallback', fallbackReason: 'no_model' }
/// ```
#[napi]
pub struct Store {
    inner: Arc<leadscore::store::Store>,
    /// Set by `close()`: every later call throws.
    closed: std::cell::Cell<bool>,
    /// The fields of the model that answered last (a `Weak` so that a cached entry
    /// never keeps an evicted or replaced model alive, nor lets its address be reused).
    last: RefCell<Option<LastKeys>>,
}

/// A model (weakly held) and its prepared field names.
type LastKeys = (Weak<leadscore::Model>, Arc<[Key]>);

impl Store {
    /// The prepared field names of `model` (cached for the last model used).
    fn keys(&self, model: &Arc<leadscore::Model>) -> Arc<[Key]> {
        // The borrow ends before the lead is read, so a getter that re-enters the
        // store finds the cache free; should it not, the keys are prepared afresh.
        let Ok(mut last) = self.last.try_borrow_mut() else {
            return model.input_names().into_iter().map(Key::new).collect();
        };
        if let Some((m, keys)) = last.as_ref() {
            if Weak::ptr_eq(m, &Arc::downgrade(model)) {
                return keys.clone();
            }
        }
        let keys: Arc<[Key]> = model.input_names().into_iter().map(Key::new).collect();
        *last = Some((Arc::downgrade(model), keys.clone()));
        keys
    }

    /// The shared core store.
    pub fn core(&self) -> &Arc<leadscore::store::Store> {
        &self.inner
    }

    /// The core store, or an `INVALID_INPUT` error once `close()` was called.
    pub(crate) fn live(&self, what: &str) -> Result<&leadscore::store::Store> {
        if self.closed.get() {
            return Err(js_err(leadscore::Error::InvalidInput(format!(
                "{what}: the store is closed"
            ))));
        }
        Ok(&self.inner)
    }
}

#[napi]
impl Store {
    /// Opens the store rooted at `root` (the folder is created when missing).
    ///
    /// Options (all optional): `cacheBytes` bounds the cached models' in-memory size
    /// (default 256 MiB); `checkInterval` is how many seconds a cached model is trusted
    /// before its file is checked again (default 2; `0` checks on every call);
    /// `fallback` says whether tenants without a usable model are answered by
    /// `_global` (default `true`); `driftFlushInterval` is how often the score counts
    /// for drift are written (seconds, default 60; `null`: only on `flushDrift()` and
    /// `close()`); `maxFileBytes` is the largest model file read (default 64 MiB: a
    /// larger one is unreadable, and the fallback answers). Throws `code: 'IO'` when
    /// the folder cannot be created and `'INVALID_INPUT'` for a bad option.
    #[napi(
        factory,
        ts_args_type = "root: string, options?: { cacheBytes?: number; checkInterval?: number; fallback?: boolean; driftFlushInterval?: number | null; maxFileBytes?: number }"
    )]
    pub fn open(root: Unknown, options: Option<Unknown>) -> Result<Store> {
        guard("Store.open", || {
            let root = convert::string_arg("root", &root).map_err(js_err)?;
            let config = store_config(options.as_ref()).map_err(js_err)?;
            let inner = leadscore::store::Store::open(&root, config).map_err(js_err)?;
            Ok(Store {
                inner: Arc::new(inner),
                closed: std::cell::Cell::new(false),
                last: RefCell::new(None),
            })
        })
    }

    /// Scores a lead with the tenant's model `name` (default `'lead'`), or with the
    /// `_global` fallback when the tenant has none: `{ probability, score, label,
    /// source, fallbackReason }`. Leads are read as by `Model.score` (only the
    /// answering model's fields). Throws `code: 'NOT_FOUND'` when neither the tenant
    /// nor the fallback has a model, `'INVALID_INPUT'` for a bad tenant name or field
    /// value.
    #[napi(ts_args_type = "tenant: string, lead: Lead, name?: string")]
    pub fn score(
        &self,
        tenant: Unknown,
        lead: Unknown,
        name: Option<Unknown>,
    ) -> Result<StoreScore> {
        guard("Store.score", || {
            let tenant = convert::string_arg("tenant", &tenant).map_err(js_err)?;
            let name = name_arg(name.as_ref()).map_err(js_err)?;
            let s = self
                .live("Store.score")?
                .score_with(&tenant, &name, |m| {
                    m.score(&convert::lead_record(&lead, &self.keys(m), m)?)
                })
                .map_err(js_err)?;
            Ok(StoreScore {
                probability: s.score.probability,
                score: u32::from(s.score.score),
                label: s.score.label,
                source: source_name(s.source),
                fallback_reason: reason_value(s.reason),
            })
        })
    }

    /// Scores a lead and names the top `k` reasons each way (default 3) with the
    /// tenant's model `name` (default `'lead'`) or the fallback, as `Model.explain`
    /// does, adding `source` and `fallbackReason`. Errors as for `score`.
    #[napi(ts_args_type = "tenant: string, lead: Lead, k?: number, name?: string")]
    pub fn explain(
        &self,
        tenant: Unknown,
        lead: Unknown,
        k: Option<Unknown>,
        name: Option<Unknown>,
    ) -> Result<StoreExplanation> {
        guard("Store.explain", || {
            let tenant = convert::string_arg("tenant", &tenant).map_err(js_err)?;
            let k = convert::count_arg("k", k.as_ref(), leadscore::defaults::EXPLAIN_K)
                .map_err(js_err)?;
            let name = name_arg(name.as_ref()).map_err(js_err)?;
            let (e, source, reason) = self
                .live("Store.explain")?
                .explain_with(&tenant, &name, |m| {
                    let record = convert::lead_record(&lead, &self.keys(m), m)?;
                    m.explain(&record, k)
                })
                .map_err(js_err)?;
            Ok(StoreExplanation {
                probability: e.score.probability,
                score: u32::from(e.score.score),
                label: e.score.label,
                base_probability: e.base_probability,
                positive: e.positive.into_iter().map(Reason::from).collect(),
                negative: e.negative.into_iter().map(Reason::from).collect(),
                source: source_name(source),
                fallback_reason: reason_value(reason),
            })
        })
    }

    /// The model that answers for a tenant (its own `name` model, default `'lead'`,
    /// or the fallback) as a `Model`, sharing the store's copy (no copy is made; a
    /// later reload does not change it). Throws `code: 'NOT_FOUND'` when there is none.
    #[napi(ts_args_type = "tenant: string, name?: string")]
    pub fn get(&self, env: Env, tenant: Unknown, name: Option<Unknown>) -> Result<Model> {
        guard("Store.get", || {
            let tenant = convert::string_arg("tenant", &tenant).map_err(js_err)?;
            let name = name_arg(name.as_ref()).map_err(js_err)?;
            let r = self
                .live("Store.get")?
                .get(&tenant, &name)
                .map_err(js_err)?;
            // `Model::from_arc` reports about three times the size it is given (a model
            // file's size) to V8; the in-memory size is already the decoded one.
            let size = r.model.heap_size() / 3;
            Ok(Model::from_arc(&env, r.model, size))
        })
    }

    /// Saves a model as the tenant's model `name` (default `'lead'`), atomically (a
    /// crash leaves the old file or the new one); this store sees it at once, other
    /// processes at their next check. Use the tenant `'_global'` for the fallback.
    /// Throws `code: 'IO'` on failure and `'INVALID_INPUT'` for a bad name or a
    /// `model` that is not a `Model`.
    #[napi(ts_args_type = "tenant: string, model: Model, name?: string")]
    pub fn save(&self, tenant: Unknown, model: Unknown, name: Option<Unknown>) -> Result<()> {
        guard("Store.save", || {
            let tenant = convert::string_arg("tenant", &tenant).map_err(js_err)?;
            // SAFETY: `ClassInstance::from_napi_value` unwraps the object through
            // N-API and checks its type tag before casting, so any value that is not a
            // `Model` made by this addon is an error, never a wrong cast.
            let model = unsafe { model.cast::<ClassInstance<Model>>() }.map_err(|_| {
                js_err(Error::InvalidInput(format!(
                    "model must be a leadscore Model, got {}",
                    describe(&model)
                )))
            })?;
            let name = name_arg(name.as_ref()).map_err(js_err)?;
            self.live("Store.save")?
                .save(&tenant, &name, model.core())
                .map_err(js_err)
        })
    }

    /// The store's counters (camelCase keys): `cachedModels`, `cachedBytes`,
    /// `cacheBytesLimit`, `evictions`, `totals` and `tenants` (tenant name ->
    /// counters), each counter set being `{ hits, misses, loads, loadMicros, scores,
    /// fallbacks }`.
    #[napi(ts_return_type = "StoreStats")]
    pub fn stats(&self) -> Result<serde_json::Value> {
        guard("Store.stats", || {
            let mut v = serde_json::to_value(self.live("Store.stats")?.stats())
                .map_err(|e| napi::Error::new(crate::error::INTERNAL, e.to_string()))?;
            // Tenant names are data, not keys to rename.
            let tenants = v.as_object_mut().and_then(|o| o.remove("tenants"));
            let mut out = convert::camel_keys(v);
            if let (Some(o), Some(serde_json::Value::Object(t))) = (out.as_object_mut(), tenants) {
                let t = t.into_iter().map(|(k, v)| (k, convert::camel_keys(v)));
                o.insert("tenants".to_owned(), serde_json::Value::Object(t.collect()));
            }
            Ok(out)
        })
    }

    /// Writes the score counts gathered since the last flush beside each model
    /// (`<tenant>/<name>.scores.json`), for `leadscore drift`. The store also writes
    /// them every 60 seconds while scoring and when the object is garbage-collected
    /// (which may never happen before the process exits: call this or `close()` at
    /// shutdown). Throws `code: 'IO'` when a file cannot be written
    /// (its counts are kept for the next flush).
    #[napi]
    pub fn flush_drift(&self) -> Result<()> {
        guard("Store.flushDrift", || {
            self.live("Store.flushDrift")?.flush_drift().map_err(js_err)
        })
    }

    /// Closes the store: writes the drift counts gathered so far (as `flushDrift`),
    /// drops every cached model, and makes every later call on this object throw
    /// `code: 'INVALID_INPUT'`. Models taken out with `get()` stay usable. Closing twice
    /// is a no-op. Throws `code: 'IO'` when the drift counts cannot be written (the
    /// store is closed all the same).
    #[napi]
    pub fn close(&self) -> Result<()> {
        guard("Store.close", || {
            if self.closed.replace(true) {
                return Ok(());
            }
            self.last.replace(None);
            let flushed = self.inner.flush_drift();
            self.inner.clear();
            flushed.map_err(js_err)
        })
    }

    /// The tenants that have a folder in the store, sorted (`_global` excluded).
    #[napi]
    pub fn tenants(&self) -> Result<Vec<String>> {
        guard("Store.tenants", || {
            self.live("Store.tenants")?.tenants().map_err(js_err)
        })
    }

    /// The store's root folder.
    #[napi(getter)]
    pub fn root(&self) -> String {
        self.inner.root().to_string_lossy().into_owned()
    }
}
