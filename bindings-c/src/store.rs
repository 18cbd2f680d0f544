//! `ls_store`: many tenants' models served from one folder
//! (`<root>/<tenant>/<name>.lsm`, `<root>/_global/<name>.lsm` as the fallback).
//!
//! Records reach the store as an `ls_record` not tied to a model
//! (`ls_record_new_any`, `ls_store_score_record`) or as JSON objects
//! (`ls_store_score_json`): which model answers a tenant is only known inside the
//! store (its own, the fallback, or a reloaded file), and it reads the fields it uses
//! by name.

use crate::ffi::{
    arg, arg_cstr_utf8, arg_path, arg_str, check_out, free_handle, into_handle, write_out, Failure,
    FfiResult, Kind,
};
use crate::ffi_boundary;
use crate::ls_status;
use crate::model::{give_json, ls_model, ls_score};
use crate::record::ls_record;
use lscore::store::{FallbackReason, Source, Store, StoreConfig};
use lscore::Record;
use std::ffi::c_char;

/// The model name used when a function is given NULL for `name`.
pub const LS_STORE_DEFAULT_NAME: &str = lscore::defaults::MODEL_NAME;

/// A model store. Safe to use from many threads at once; share one per process.
pub struct ls_store {
    pub(crate) store: Store,
}

/// Which model answered a store call.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ls_source {
    /// The tenant's own model.
    LS_SOURCE_TENANT = 0,
    /// The `_global` fallback model.
    LS_SOURCE_FALLBACK = 1,
}

/// Why the fallback answered.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ls_fallback_reason {
    /// The tenant's own model answered (no fallback).
    LS_FALLBACK_NONE = 0,
    /// The tenant has no model file.
    LS_FALLBACK_NO_MODEL = 1,
    /// Training found too little data for the tenant.
    LS_FALLBACK_INSUFFICIENT_DATA = 2,
    /// The tenant's file is not a readable model.
    LS_FALLBACK_UNREADABLE = 3,
}

/// One lead scored through a store.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ls_store_score {
    /// The score (probability, 1..99 score, label).
    pub score: ls_score,
    /// Which model answered.
    pub source: ls_source,
    /// Why the fallback answered (`LS_FALLBACK_NONE` when the tenant's model did).
    pub reason: ls_fallback_reason,
}

fn source_of(s: Source) -> ls_source {
    match s {
        Source::Tenant => ls_source::LS_SOURCE_TENANT,
        Source::Fallback => ls_source::LS_SOURCE_FALLBACK,
    }
}

fn reason_of(r: Option<&FallbackReason>) -> ls_fallback_reason {
    match r {
        None => ls_fallback_reason::LS_FALLBACK_NONE,
        Some(FallbackReason::NoModel) => ls_fallback_reason::LS_FALLBACK_NO_MODEL,
        Some(FallbackReason::InsufficientData) => ls_fallback_reason::LS_FALLBACK_INSUFFICIENT_DATA,
        Some(FallbackReason::Unreadable(_)) => ls_fallback_reason::LS_FALLBACK_UNREADABLE,
    }
}

/// Store options from JSON text (NULL: the defaults); parsed by the core's
/// [`StoreConfig::from_json`].
fn parse_config(text: Option<&str>) -> FfiResult<StoreConfig> {
    let Some(text) = text else {
        return Ok(StoreConfig::default());
    };
    let v: serde_json::Value = serde_json::from_str(text)
        .map_err(|e| Failure::invalid(format!("store options are not valid JSON: {e}")))?;
    Ok(StoreConfig::from_json(&v)?)
}

/// The model name argument: NULL means `"lead"`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string.
pub(crate) unsafe fn name_arg<'a>(name: *const c_char) -> FfiResult<&'a str> {
    if name.is_null() {
        Ok(LS_STORE_DEFAULT_NAME)
    } else {
        // SAFETY: forwarded contract.
        unsafe { arg_cstr_utf8(name, "name") }
    }
}

/// The store, tenant and model name arguments every per-tenant call takes.
///
/// # Safety
/// `store` is NULL or live; `tenant` is NULL or valid for `tenant_len` bytes; `name` is
/// NULL or NUL-terminated.
unsafe fn store_args<'a>(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
) -> FfiResult<(&'a ls_store, &'a str, &'a str)> {
    // SAFETY: forwarded contract (each argument as documented above).
    unsafe {
        Ok((
            arg(store, "store")?,
            arg_str(tenant, tenant_len, "tenant")?,
            name_arg(name)?,
        ))
    }
}

/// Opens a store at `root` (NUL-terminated; the folder is created when missing).
/// `options_json` is NULL (defaults: 256 MiB cache, 2 s check interval, fallback on,
/// drift counts flushed every 60 s) or a NUL-terminated JSON object with any of
/// `cache_bytes`, `check_interval` (seconds), `fallback`, `drift_flush_interval`
/// (seconds or null), in snake_case or camelCase.
///
/// Ownership: the caller owns `*out` and releases it with `ls_store_close`. Errors:
/// `LS_STATUS_INVALID_INPUT` (bad options), `LS_STATUS_IO`.
///
/// # Safety
/// `root` and `options_json` are NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_store_open(
    root: *const c_char,
    options_json: *const c_char,
    out: *mut *mut ls_store,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let root = unsafe { arg_path(root, "root") }?;
        let opts = if options_json.is_null() {
            None
        } else {
            // SAFETY: forwarded contract.
            Some(unsafe { arg_cstr_utf8(options_json, "options_json") }?)
        };
        let store = Store::open(root, parse_config(opts)?)?;
        // SAFETY: checked above.
        unsafe { write_out(out, into_handle(ls_store { store }, Kind::Store)) };
        Ok(())
    }
}

/// Scores a record given as a JSON object (`json`, `json_len` bytes) with the model
/// `name` (NUL-terminated; NULL means `"lead"`) of `tenant` (`tenant_len` bytes of
/// UTF-8), or with the `_global` fallback, and says which answered.
///
/// Errors: `LS_STATUS_INVALID_INPUT` (a tenant or name with `/`, `..`, NUL...; a bad
/// record), `LS_STATUS_NOT_FOUND` (neither the tenant nor `_global` has a model).
/// Nothing is allocated; `*out` is written only on success.
///
/// # Safety
/// `store` is NULL or live; `tenant` is NULL or valid for `tenant_len` bytes; `name` is
/// NULL or NUL-terminated; `json` is NULL or valid for `json_len` bytes; `out` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_store_score_json(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
    json: *const c_char,
    json_len: usize,
    out: *mut ls_store_score,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let (s, tenant, name) = unsafe { store_args(store, tenant, tenant_len, name) }?;
        // SAFETY: forwarded contract.
        let text = unsafe { arg_str(json, json_len, "json") }?;
        // SAFETY: out checked non-NULL above; writable by the caller's contract.
        unsafe { store_score(s, tenant, name, &Record::from_json(text)?, out) }
    }
}

/// Scores a record (see `ls_record_new_any`) as `ls_store_score_json` scores a JSON
/// record: the fields are the values set with `ls_record_set_*`, so they mean exactly
/// what they mean to `ls_model_score` (a NaN is missing, a boolean is 1/0 where a
/// number is expected, a field set invalid fails only a model that reads it).
/// Errors as `ls_store_score_json`. A record made by `ls_record_new(model)` is
/// scored too, when the answering model reads the same inputs.
///
/// # Safety
/// As `ls_store_score_json`; `rec` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ls_store_score_record(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
    rec: *const ls_record,
    out: *mut ls_store_score,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let (s, tenant, name) = unsafe { store_args(store, tenant, tenant_len, name) }?;
        // SAFETY: forwarded contract.
        let r = unsafe { arg(rec, "record") }?;
        // SAFETY: out checked non-NULL above; writable by the caller's contract.
        unsafe { store_score(s, tenant, name, &r.rec, out) }
    }
}

/// Scores a record through the store into `*out`.
///
/// # Safety
/// `out` is non-NULL and writable.
unsafe fn store_score(
    s: &ls_store,
    tenant: &str,
    name: &str,
    record: &Record,
    out: *mut ls_store_score,
) -> FfiResult {
    let r = s.store.score(tenant, name, record)?;
    let v = ls_store_score {
        score: r.score.into(),
        source: source_of(r.source),
        reason: reason_of(r.reason.as_ref()),
    };
    // SAFETY: non-NULL and writable (this function's contract).
    unsafe { write_out(out, v) };
    Ok(())
}

/// Explains a record (JSON object, as `ls_store_score_json`) with the top `k` reasons
/// each way. `*out_json` is the explanation object of `ls_model_explain_json` plus
/// `"source"` (`"tenant"` or `"fallback"`) and `"fallback_reason"` (null,
/// `"no_model"`, `"insufficient_data"` or `"unreadable"`).
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// As `ls_store_score_json`; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_store_explain_json(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
    json: *const c_char,
    json_len: usize,
    k: usize,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let (s, tenant, name) = unsafe { store_args(store, tenant, tenant_len, name) }?;
        // SAFETY: forwarded contract.
        let text = unsafe { arg_str(json, json_len, "json") }?;
        // SAFETY: out_json checked non-NULL above; writable by the caller's contract.
        unsafe { store_explain(s, tenant, name, &Record::from_json(text)?, k, out_json) }
    }
}

/// Explains a record (as `ls_store_score_record` reads it) as
/// `ls_store_explain_json` explains a JSON record.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// As `ls_store_explain_json`; `rec` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ls_store_explain_record_json(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
    rec: *const ls_record,
    k: usize,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let (s, tenant, name) = unsafe { store_args(store, tenant, tenant_len, name) }?;
        // SAFETY: forwarded contract.
        let r = unsafe { arg(rec, "record") }?;
        // SAFETY: out_json checked non-NULL above; writable by the caller's contract.
        unsafe { store_explain(s, tenant, name, &r.rec, k, out_json) }
    }
}

/// Explains a record through the store into `*out_json`.
///
/// # Safety
/// `out_json` is non-NULL and writable.
unsafe fn store_explain(
    s: &ls_store,
    tenant: &str,
    name: &str,
    record: &Record,
    k: usize,
    out_json: *mut *mut c_char,
) -> FfiResult {
    let (e, source, reason) = s.store.explain(tenant, name, record, k)?;
    let mut v = serde_json::to_value(&e)
        .map_err(|e| Failure::new(ls_status::LS_STATUS_INTERNAL, format!("JSON: {e}")))?;
    if let Some(o) = v.as_object_mut() {
        o.insert(
            "source".into(),
            serde_json::to_value(source).unwrap_or_default(),
        );
        o.insert(
            "fallback_reason".into(),
            reason.map_or(serde_json::Value::Null, |r| r.as_str().into()),
        );
    }
    // SAFETY: non-NULL and writable (this function's contract).
    unsafe { give_json(out_json, &v) }
}

/// The model that answers for `tenant` (its own or the fallback) as a model handle
/// sharing the store's cached model (no copy; a later reload does not change it).
/// `out_source` and `out_reason` are NULL or receive where it came from.
///
/// Ownership: the caller owns `*out_model` and frees it with `ls_model_free`.
/// Errors as `ls_store_score_json`.
///
/// # Safety
/// As `ls_store_score_json`; `out_model` is NULL or writable; `out_source` and
/// `out_reason` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_store_get(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
    out_model: *mut *mut ls_model,
    out_source: *mut ls_source,
    out_reason: *mut ls_fallback_reason,
) -> ls_status {
    ffi_boundary! {
        check_out(out_model, "out_model")?;
        // SAFETY: forwarded contract.
        let (s, tenant, name) = unsafe { store_args(store, tenant, tenant_len, name) }?;
        let r = s.store.get(tenant, name)?;
        if !out_source.is_null() {
            // SAFETY: non-NULL and writable by the caller's contract.
            unsafe { write_out(out_source, source_of(r.source)) };
        }
        if !out_reason.is_null() {
            // SAFETY: as above.
            unsafe { write_out(out_reason, reason_of(r.reason.as_ref())) };
        }
        let m = into_handle(ls_model::from_arc(r.model), Kind::Model);
        // SAFETY: checked above.
        unsafe { write_out(out_model, m) };
        Ok(())
    }
}

/// Saves `model` as `tenant`'s model `name` (NULL means `"lead"`), atomically
/// (`<root>/<tenant>/<name>.lsm`); scoring picks it up at the next check.
/// The model stays owned by the caller.
///
/// # Safety
/// `store` and `model` are NULL or live; `tenant` is NULL or valid for `tenant_len`
/// bytes; `name` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ls_store_save(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
    model: *const ls_model,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let s = unsafe { arg(store, "store") }?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let tenant = unsafe { arg_str(tenant, tenant_len, "tenant") }?;
        // SAFETY: forwarded contract.
        let name = unsafe { name_arg(name) }?;
        s.store.save(tenant, name, &m.model)?;
        Ok(())
    }
}

/// The store's counters as a JSON object: `cached_models`, `cached_bytes`,
/// `cache_bytes_limit`, `evictions`, `totals` and `tenants` (per tenant: `hits`,
/// `misses`, `loads`, `load_micros`, `scores`, `fallbacks`).
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `store` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_store_stats_json(
    store: *const ls_store,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let s = unsafe { arg(store, "store") }?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &s.store.stats()) }
    }
}

/// Writes the score counts gathered since the last flush beside each model (for
/// `leadscore drift`). Closing the store flushes them too.
///
/// # Safety
/// `store` is NULL or live.
#[no_mangle]
pub unsafe extern "C" fn ls_store_flush_drift(store: *const ls_store) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let s = unsafe { arg(store, "store") }?;
        s.store.flush_drift()?;
        Ok(())
    }
}

/// Closes a store: flushes its drift counts and frees its cache. Model handles taken
/// with `ls_store_get` stay valid. NULL is a no-op; closing twice is detected and
/// ignored.
///
/// # Safety
/// `store` is NULL or a store from `ls_store_open` that no other thread is using and
/// that is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn ls_store_close(store: *mut ls_store) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract; free_handle checks the handle is a live store.
        unsafe { free_handle(store, Kind::Store, "ls_store_close") }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let c = parse_config(Some(
            r#"{"cacheBytes": 1000, "check_interval": 0, "fallback": false, "driftFlushInterval": null}"#,
        ))
        .unwrap();
        assert_eq!(c.cache_bytes, 1000);
        assert_eq!(c.check_interval, std::time::Duration::ZERO);
        assert!(!c.fallback);
        assert_eq!(c.drift_flush_interval, None);
        assert_eq!(parse_config(None).unwrap(), StoreConfig::default());
        for bad in [
            r#"{"cache_bytes": -1}"#,
            r#"{"check_interval": "x"}"#,
            r#"{"fallback": 1}"#,
            r#"{"bogus": 1}"#,
            "[1]",
            "{",
        ] {
            let e = parse_config(Some(bad)).unwrap_err();
            assert_eq!(e.status, ls_status::LS_STATUS_INVALID_INPUT, "{bad}");
        }
    }
}
