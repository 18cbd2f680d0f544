//! Mass training and drift through a store: every tenant of an export, a folder of
//! per-tenant files or a batch trained into the store's folder; the drift of every
//! tenant's model; marking a tenant as having too little data.

use crate::ffi::{arg, arg_cstr_utf8, arg_path, arg_str, check_out, Failure, FfiResult};
use crate::ffi_boundary;
use crate::ls_status;
use crate::model::give_json;
use crate::record::ls_batch;
use crate::store::{ls_store, name_arg};
use lscore::mass::{
    mark_insufficient, train_tenants, MassConfig, MassInput, MassSummary, Progress,
};
use std::ffi::{c_char, c_void};

/// Progress of a mass run, reported after each tenant.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ls_mass_progress {
    /// Tenants finished.
    pub done: usize,
    /// Tenants in all.
    pub total: usize,
    /// Data rows of the finished tenants.
    pub rows_done: usize,
    /// Seconds since the run started.
    pub elapsed_seconds: f64,
}

/// A progress callback: `user` is the pointer given to the training call. It is
/// called on the calling thread (never on a worker), once per finished tenant.
pub type ls_progress_fn =
    Option<unsafe extern "C" fn(user: *mut c_void, progress: *const ls_mass_progress)>;

/// Runs a mass training on worker threads while the calling thread reports progress:
/// the callback runs where the caller is (a PHP request, a thread that owns a GIL or
/// an event loop), never on a worker.
///
/// # Safety
/// `progress`, when set, may be called with `user` and a valid progress pointer.
unsafe fn run(
    store: &ls_store,
    input: MassInput<'_>,
    options_json: &str,
    progress: ls_progress_fn,
    user: *mut c_void,
) -> FfiResult<MassSummary> {
    let config = MassConfig::from_json_str(options_json)?;
    let summary = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::channel::<Progress>();
        let worker = s.spawn(move || {
            train_tenants(input, &store.store, &config, &move |p| {
                let _ = tx.send(p);
            })
        });
        for p in rx {
            if let Some(f) = progress {
                let c = ls_mass_progress {
                    done: p.done,
                    total: p.total,
                    rows_done: p.rows_done,
                    elapsed_seconds: p.elapsed,
                };
                // SAFETY: the caller's contract: `f` accepts `user` and a pointer to a
                // progress struct that lives for the call.
                unsafe { f(user, &c) };
            }
        }
        worker.join()
    });
    match summary {
        Ok(r) => Ok(r?),
        Err(_) => Err(Failure::new(
            ls_status::LS_STATUS_INTERNAL,
            "mass training panicked",
        )),
    }
}

/// Trains one model per tenant into the store's folder and returns the run's summary
/// as JSON (also written to `_training.json` at the store's root). `data` is a CSV
/// export with the tenant column named by the `by` option, or a folder of
/// `<tenant>.csv` files. `options_json` is a NUL-terminated JSON object: every option
/// of `ls_train_csv` (`target` required) plus `by`, `name` (default `"lead"`), `force`
/// (retrain tenants whose model is newer than their data), `threads` (parallel tenants,
/// 0 = all cores), `global` (train the `_global` fallback, default true),
/// `global_tenant_feature`, `global_max_rows` (default 200000).
///
/// The summary: `{"tenants": [{"tenant", "status" ("trained", "skipped",
/// "insufficient_data", "failed"), "rows", "positives", "roc_auc", "pr_auc", "seconds",
/// "error", "finished_unix"}, ...], "global": {...} or null, "rows_without_tenant",
/// "index_seconds", "seconds", "cancelled"}`. One tenant's failure is its outcome, not
/// the call's.
/// `progress` (NULL for none) is called on the calling thread after each tenant.
///
/// Errors: `LS_STATUS_INVALID_INPUT` (bad options, no tenant column),
/// `LS_STATUS_UNKNOWN_COLUMN`, `LS_STATUS_IO`.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `store` is NULL or live; `data` and `options_json` are NULL or NUL-terminated;
/// `progress` is NULL or a function that accepts `user`; `out_json` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ls_store_train_tenants(
    store: *const ls_store,
    data: *const c_char,
    options_json: *const c_char,
    progress: ls_progress_fn,
    user: *mut c_void,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract (each argument as documented above).
        let (s, path, options) = unsafe {
            (
                arg(store, "store")?,
                arg_path(data, "data")?,
                arg_cstr_utf8(options_json, "options_json")?,
            )
        };
        // SAFETY: forwarded contract.
        let summary = unsafe { run(s, MassInput::Path(path), options, progress, user) }?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &summary) }
    }
}

/// As `ls_store_train_tenants`, from the finished rows of a batch (rows straight from
/// a database query) that has the tenant column named by `by`. Every tenant is trained
/// (a batch has no modification time to compare with; `force` changes nothing).
///
/// Ownership: the caller keeps `batch`; the caller owns `*out_json` and frees it with
/// `ls_string_free`.
///
/// # Safety
/// As `ls_store_train_tenants`; `batch` is NULL or live and not used by another thread
/// during the call.
#[no_mangle]
pub unsafe extern "C" fn ls_store_train_tenants_batch(
    store: *const ls_store,
    batch: *const ls_batch,
    options_json: *const c_char,
    progress: ls_progress_fn,
    user: *mut c_void,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract (each argument as documented above).
        let (s, b, options) = unsafe {
            (
                arg(store, "store")?,
                arg(batch, "batch")?,
                arg_cstr_utf8(options_json, "options_json")?,
            )
        };
        let table = b.table()?;
        // SAFETY: forwarded contract.
        let summary = unsafe { run(s, MassInput::Table(&table), options, progress, user) }?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &summary) }
    }
}

/// The drift of every tenant's model `name` (NULL: `"lead"`), or of one tenant's
/// (`tenant` NULL for all), worst first, as a JSON array of `{"tenant", "name",
/// "scores", "psi" (null with too few scores), "status" ("stable", "watch" (PSI >=
/// 0.1), "retrain" (PSI >= 0.25), "too_few_scores", "no_reference", "unreadable"),
/// "error"?}`. The store's pending score counts are flushed first.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `store` is NULL or live; `name` and `tenant` are NULL or NUL-terminated; `out_json`
/// is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_store_drift_json(
    store: *const ls_store,
    name: *const c_char,
    tenant: *const c_char,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract (each argument as documented above).
        let (s, name, tenant) = unsafe {
            (
                arg(store, "store")?,
                name_arg(name)?,
                if tenant.is_null() { None } else { Some(arg_cstr_utf8(tenant, "tenant")?) },
            )
        };
        let rows = s.store.drift(name, tenant)?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &rows) }
    }
}

/// Marks `tenant` (`tenant_len` bytes of UTF-8) as having too little data for a model
/// `name` (NULL: `"lead"`), with its `rows` and `positives` for the record. The store
/// then answers for it with the fallback and `LS_FALLBACK_INSUFFICIENT_DATA` instead
/// of `LS_FALLBACK_NO_MODEL`. A model the tenant already has keeps answering; a later
/// training of the tenant replaces the mark.
///
/// Errors: `LS_STATUS_INVALID_INPUT` (a reserved or unsafe tenant name, `positives`
/// above `rows`), `LS_STATUS_IO`.
///
/// # Safety
/// `store` is NULL or live; `tenant` is NULL or valid for `tenant_len` bytes; `name`
/// is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ls_store_mark_insufficient(
    store: *const ls_store,
    tenant: *const c_char,
    tenant_len: usize,
    name: *const c_char,
    rows: usize,
    positives: usize,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract (each argument as documented above).
        let (s, tenant, name) = unsafe {
            (arg(store, "store")?, arg_str(tenant, tenant_len, "tenant")?, name_arg(name)?)
        };
        mark_insufficient(&s.store, tenant, name, rows, positives)?;
        Ok(())
    }
}
