//! `ls_model`: load, save, inspect, score, explain and train.

use crate::ffi::{
    arg, arg_bytes, arg_cstr_utf8, arg_path, arg_str, check_out, free_handle, into_handle,
    out_string, write_out, Failure, FfiResult, Kind,
};
use crate::ffi_boundary;
use crate::ls_status;
use crate::record::{ls_batch, ls_record};
use lscore::options::InsightsRequest;
use lscore::options::TrainOptions;
use lscore::report::ReportOptions;
use lscore::search::{SearchRequest, Searched};
use lscore::{Model, Record};
use std::ffi::c_char;
use std::sync::Arc;

/// A trained, immutable model. Safe to score from many threads at once.
pub struct ls_model {
    pub(crate) model: Arc<Model>,
}

impl ls_model {
    /// Wraps a shared model (the store hands out its cached `Arc`s this way).
    pub fn from_arc(model: Arc<Model>) -> Self {
        ls_model { model }
    }

    /// Gives a model to C as a new handle.
    pub fn into_raw(model: Model) -> *mut ls_model {
        into_handle(ls_model::from_arc(Arc::new(model)), Kind::Model)
    }
}

/// One scored lead.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ls_score {
    /// Calibrated probability of the positive class, in (0, 1).
    pub probability: f64,
    /// The probability as a whole-number score from 1 to 99.
    pub score: u8,
    /// Whether the probability reaches the model's threshold.
    pub label: bool,
}

impl From<lscore::Score> for ls_score {
    fn from(s: lscore::Score) -> Self {
        ls_score {
            probability: s.probability,
            score: s.score,
            label: s.label,
        }
    }
}

/// Writes a new model handle to `*out`.
///
/// # Safety
/// `out` was checked non-NULL and is writable.
unsafe fn give_model(out: *mut *mut ls_model, m: Model) {
    // SAFETY: forwarded contract.
    unsafe { write_out(out, ls_model::into_raw(m)) }
}

/// Loads a model file (`path` is NUL-terminated). Errors: `LS_STATUS_IO` (missing or
/// unreadable file), `LS_STATUS_MODEL_FORMAT` (not a model, truncated, corrupt, a
/// newer format version).
///
/// Ownership: the caller owns `*out` and frees it with `ls_model_free`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_load(path: *const c_char, out: *mut *mut ls_model) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let p = unsafe { arg_path(path, "path") }?;
        let m = Model::load(p)?;
        // SAFETY: out checked above.
        unsafe { give_model(out, m) };
        Ok(())
    }
}

/// Reads a model from `len` bytes in the file format (as `ls_model_to_bytes` writes
/// them or a database column holds them).
///
/// Ownership: the caller keeps `bytes`; the caller owns `*out` and frees it with
/// `ls_model_free`.
///
/// # Safety
/// `bytes` is NULL or valid for `len` bytes; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_from_bytes(
    bytes: *const u8,
    len: usize,
    out: *mut *mut ls_model,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let b = unsafe { arg_bytes(bytes, len, "bytes") }?;
        let m = Model::from_bytes(b)?;
        // SAFETY: out checked above.
        unsafe { give_model(out, m) };
        Ok(())
    }
}

/// Writes the model file atomically (temporary file, fsync, rename): a failure
/// leaves any existing file at `path` untouched.
///
/// # Safety
/// `model` is NULL or live; `path` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ls_model_save(model: *const ls_model, path: *const c_char) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let p = unsafe { arg_path(path, "path") }?;
        m.model.save(p)?;
        Ok(())
    }
}

/// The model in the file format.
///
/// Ownership: the caller owns `*out_bytes` (`*out_len` bytes) and frees it with
/// `ls_bytes_free`.
///
/// # Safety
/// `model` is NULL or live; `out_bytes` and `out_len` are NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_to_bytes(
    model: *const ls_model,
    out_bytes: *mut *mut u8,
    out_len: *mut usize,
) -> ls_status {
    ffi_boundary! {
        check_out(out_bytes, "out_bytes")?;
        check_out(out_len, "out_len")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        let (p, n) = crate::ffi::out_bytes(m.model.to_bytes()?);
        // SAFETY: both checked above.
        unsafe {
            write_out(out_bytes, p);
            write_out(out_len, n);
        }
        Ok(())
    }
}

/// Writes a JSON string result.
///
/// # Safety
/// `out` was checked non-NULL and is writable.
pub(crate) unsafe fn give_json(out: *mut *mut c_char, v: &impl serde::Serialize) -> FfiResult {
    let s = serde_json::to_string(v)
        .map_err(|e| Failure::new(ls_status::LS_STATUS_INTERNAL, format!("JSON: {e}")))?;
    let p = out_string(s)?;
    // SAFETY: forwarded contract.
    unsafe { write_out(out, p) };
    Ok(())
}

/// The whole model as JSON: training facts, schema, every feature with its
/// coefficient and training mean, the threshold and the metrics.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `model` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_to_json(
    model: *const ls_model,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &m.model.to_json()) }
    }
}

/// A short summary as a JSON object: versions, target, rows, inputs and their kinds,
/// feature count, threshold, training settings, ROC AUC and PR AUC.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `model` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_info_json(
    model: *const ls_model,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &m.model.info()) }
    }
}

/// The cross-validated evaluation metrics stored at training time as a JSON object
/// (ROC AUC, PR AUC, log-loss, Brier, confusion at the threshold, the random baseline
/// beside each, per-fold AUCs, lift by decile...), or the JSON text `null` when the
/// model was trained without cross-validation.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `model` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_metrics_json(
    model: *const ls_model,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &m.model.metrics()) }
    }
}

/// How the model was evaluated and its threshold chosen, as a JSON object: `split`
/// (`kfold` or `time`, with the time column, held-out share and first held-out
/// time), `policy` (`balanced`, `max_f1`, `precision>=P`, `recall>=R`,
/// `top_share=S`), `threshold`, `at_threshold`, the threshold table `thresholds`
/// (precision, recall, false-positive rate, F1, share and leads flagged per 1000 at
/// each cut), the `calibration` curve and the score `histogram` of each class; or the
/// JSON text `null` when the model was trained without held-out predictions.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `model` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_evaluation_json(
    model: *const ls_model,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &m.model.evaluation()) }
    }
}

/// The training data's insights stored at training time as a JSON object (per
/// column: kind, counts, missing share, statistics and histogram by class, top levels
/// or tokens, Pearson, Kendall tau-b and ROC AUC against the target, warnings; text
/// columns also `top_coefficients`), or the JSON text `null` when the model was
/// trained without them (option `"insights": false`, or a file of format 1 or 2).
/// Errors: `LS_STATUS_MODEL_FORMAT` when the stored text is damaged.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `model` is NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_insights_json(
    model: *const ls_model,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        let v = m.model.insights()?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &v) }
    }
}

/// The model's report as HTML: a self-contained page (no network, no external
/// script or font) with the metrics beside a random guess, ROC and PR curves, a
/// threshold slider over the stored threshold table, lift, calibration, the
/// coefficients and the stored insights; the same bytes as every other binding and
/// `leadscore report` give. `options_json` is NULL (the full page) or a
/// NUL-terminated JSON object: `compact` (true: the fragment a notebook shows),
/// `title` (at most 200 characters). Errors: `LS_STATUS_INVALID_INPUT` for bad
/// options, naming the option.
///
/// Ownership: the caller owns `*out_html` and frees it with `ls_string_free`.
///
/// # Safety
/// `model` is NULL or live; `options_json` is NULL or NUL-terminated; `out_html` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_report_html(
    model: *const ls_model,
    options_json: *const c_char,
    out_html: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_html, "out_html")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        let opts = if options_json.is_null() {
            ReportOptions::default()
        } else {
            // SAFETY: forwarded contract (non-NULL: NUL-terminated).
            ReportOptions::from_json_str(unsafe { arg_cstr_utf8(options_json, "options_json") }?)?
        };
        let p = out_string(m.model.report_html(&opts)?)?;
        // SAFETY: checked above.
        unsafe { write_out(out_html, p) };
        Ok(())
    }
}

/// Scores a record: one made by `ls_record_new(model)` is the fast path (no
/// allocation, no name lookups), one made by `ls_record_new_any` is read by field
/// name. Errors: `LS_STATUS_INVALID_INPUT` when a value has the wrong kind for its
/// field (the message names the field) or the record was made for another model's
/// inputs.
///
/// # Safety
/// `model` and `rec` are NULL or live; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_score(
    model: *const ls_model,
    rec: *const ls_record,
    out: *mut ls_score,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let r = unsafe { arg(rec, "record") }?;
        let score = m.model.score(&r.rec)?;
        // SAFETY: checked above.
        unsafe { write_out(out, score.into()) };
        Ok(())
    }
}

/// Explains a record: `{"score": {"probability", "score", "label"},
/// "base_probability", "positive": [{"field", "label", "contribution"}...],
/// "negative": [...]}` with the top `k` reasons each way, strongest first.
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `model` and `rec` are NULL or live; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_explain_json(
    model: *const ls_model,
    rec: *const ls_record,
    k: usize,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let r = unsafe { arg(rec, "record") }?;
        let e = m.model.explain(&r.rec, k)?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &e) }
    }
}

/// Scores a record given as a JSON object (`{"tenure": 2, "contract": "One year"}`,
/// `len` bytes): the convenience beside the record builder.
///
/// # Safety
/// `model` is NULL or live; `json` is NULL or valid for `len` bytes; `out` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_score_json_record(
    model: *const ls_model,
    json: *const c_char,
    len: usize,
    out: *mut ls_score,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let text = unsafe { arg_str(json, len, "json") }?;
        let s = m.model.score(&Record::from_json(text)?)?;
        // SAFETY: checked above.
        unsafe { write_out(out, s.into()) };
        Ok(())
    }
}

/// Explains a record given as a JSON object (see `ls_model_explain_json`).
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// As `ls_model_score_json_record`; `out_json` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_model_explain_json_record(
    model: *const ls_model,
    json: *const c_char,
    len: usize,
    k: usize,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let text = unsafe { arg_str(json, len, "json") }?;
        let e = m.model.explain(&Record::from_json(text)?, k)?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &e) }
    }
}

/// Checks an output buffer of `len` elements against `rows`.
fn check_len(len: usize, rows: usize) -> FfiResult {
    if len < rows {
        Err(Failure::new(
            ls_status::LS_STATUS_BUFFER_TOO_SMALL,
            format!("the output buffer holds {len} results, the batch has {rows} rows"),
        ))
    } else {
        Ok(())
    }
}

/// Scores every finished row of a batch (the fast path for many leads: columns are
/// typed and category levels mapped once), writing one probability per row to
/// `out[0..rows]`. `out_len` is the capacity of `out`; a shorter buffer is
/// `LS_STATUS_BUFFER_TOO_SMALL`. Errors name the field and `line N` for the N-th row.
///
/// # Safety
/// `model` and `batch` are NULL or live; `out` is NULL or writable for `out_len`
/// doubles.
#[no_mangle]
pub unsafe extern "C" fn ls_model_score_batch(
    model: *const ls_model,
    batch: *const ls_batch,
    out: *mut f64,
    out_len: usize,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let b = unsafe { arg(batch, "batch") }?;
        let table = b.table()?;
        check_len(out_len, b.rows.len())?;
        if b.rows.is_empty() {
            return Ok(());
        }
        check_out(out, "out")?;
        let p = m.model.score_batch(&table)?;
        // SAFETY: out is non-NULL and writable for out_len >= p.len() doubles.
        let dst = unsafe { std::slice::from_raw_parts_mut(out, p.len()) };
        dst.copy_from_slice(&p);
        Ok(())
    }
}

/// Scores every finished row of a batch into `ls_score`s (see
/// `ls_model_score_batch`).
///
/// # Safety
/// `model` and `batch` are NULL or live; `out` is NULL or writable for `out_len`
/// `ls_score`s.
#[no_mangle]
pub unsafe extern "C" fn ls_model_score_batch_detailed(
    model: *const ls_model,
    batch: *const ls_batch,
    out: *mut ls_score,
    out_len: usize,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let m = unsafe { arg(model, "model") }?;
        // SAFETY: forwarded contract.
        let b = unsafe { arg(batch, "batch") }?;
        let table = b.table()?;
        check_len(out_len, b.rows.len())?;
        if b.rows.is_empty() {
            return Ok(());
        }
        check_out(out, "out")?;
        let s = m.model.score_batch_detailed(&table)?;
        for (i, x) in s.into_iter().enumerate() {
            // SAFETY: out is writable for out_len >= rows elements; i < rows.
            unsafe { out.add(i).write(x.into()) };
        }
        Ok(())
    }
}

/// Trains a model from a CSV file (or JSON Lines for `.jsonl`/`.ndjson`).
/// `options_json` is a NUL-terminated JSON object: `{"target": "churn"}` plus any of
/// `positive`, `balance`, `c` (a number or `"auto"`, the default), `recipe` (the
/// feature recipe text, default `"auto"`), `min_rows`, `min_positives`, `cv`, `seed`,
/// `max_iter`, `tol`, `min_count`, `max_levels`, `kinds`, `threads`, `penalty` (`"l2"`,
/// `"l1"`, `"elasticnet"`), `l1_ratio`, `max_features`, `max_model_bytes`, `insights` (store the
/// data's insights, default `true`), `delimiter`,
/// `decimal_comma`. Worker threads (cross-validation folds) end before it returns.
///
/// Errors: `LS_STATUS_INVALID_INPUT` (bad options or data, naming the line and
/// column), `LS_STATUS_UNKNOWN_COLUMN`, `LS_STATUS_INSUFFICIENT_DATA`, `LS_STATUS_IO`,
/// `LS_STATUS_TRAINING`.
///
/// Ownership: the caller owns `*out` and frees it with `ls_model_free`.
///
/// # Safety
/// `path` and `options_json` are NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_train_csv(
    path: *const c_char,
    options_json: *const c_char,
    out: *mut *mut ls_model,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let p = unsafe { arg_path(path, "path") }?;
        // SAFETY: forwarded contract.
        let o = TrainOptions::from_json_str(unsafe { arg_cstr_utf8(options_json, "options_json") }?)?;
        let m = o.train_file(p)?;
        // SAFETY: out checked above.
        unsafe { give_model(out, m) };
        Ok(())
    }
}

/// Trains a model on the finished rows of a batch (rows straight from a database
/// query), with options as in `ls_train_csv` (`delimiter` and `decimal_comma` do not
/// apply). Errors name the field and `line N` for the N-th row.
///
/// Ownership: the caller keeps `batch`; the caller owns `*out` and frees it with
/// `ls_model_free`.
///
/// # Safety
/// `batch` is NULL or live; `options_json` is NULL or NUL-terminated; `out` is NULL
/// or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_train_batch(
    batch: *const ls_batch,
    options_json: *const c_char,
    out: *mut *mut ls_model,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: forwarded contract.
        let b = unsafe { arg(batch, "batch") }?;
        // SAFETY: forwarded contract.
        let o = TrainOptions::from_json_str(unsafe { arg_cstr_utf8(options_json, "options_json") }?)?;
        let m = o.train_table(&b.table()?)?;
        // SAFETY: out checked above.
        unsafe { give_model(out, m) };
        Ok(())
    }
}

/// Computes the insights of a CSV file (or JSON Lines for `.jsonl`/`.ndjson`) without
/// training: the JSON object `ls_model_insights_json` describes (without
/// `top_coefficients`). `options_json` is a NUL-terminated JSON object:
/// `{"target": "churn"}` plus any of `positive`, `kinds`, `bins` (2 to 100, default
/// 10), `top_levels` (default 10), `top_tokens` (default 20), `threads`, `delimiter`,
/// `decimal_comma`. Errors as `ls_train_csv`'s (no minimum of rows).
///
/// Ownership: the caller owns `*out_json` and frees it with `ls_string_free`.
///
/// # Safety
/// `path` and `options_json` are NULL or NUL-terminated; `out_json` is NULL or
/// writable.
#[no_mangle]
pub unsafe extern "C" fn ls_insights_csv(
    path: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let p = unsafe { arg_path(path, "path") }?;
        // SAFETY: forwarded contract.
        let o = InsightsRequest::from_json_str(unsafe { arg_cstr_utf8(options_json, "options_json") }?)?;
        let ins = o.insights_file(p)?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &ins) }
    }
}

/// The insights of the finished rows of a batch, with options as in
/// `ls_insights_csv` (`delimiter` and `decimal_comma` do not apply).
///
/// Ownership: the caller keeps `batch`; the caller owns `*out_json` and frees it with
/// `ls_string_free`.
///
/// # Safety
/// `batch` is NULL or live; `options_json` is NULL or NUL-terminated; `out_json` is
/// NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_insights_batch(
    batch: *const ls_batch,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let b = unsafe { arg(batch, "batch") }?;
        // SAFETY: forwarded contract.
        let o = InsightsRequest::from_json_str(unsafe { arg_cstr_utf8(options_json, "options_json") }?)?;
        let ins = o.insights_table(&b.table()?)?;
        // SAFETY: checked above.
        unsafe { give_json(out_json, &ins) }
    }
}

/// Hands a search's result to the caller: the result as JSON into `*out_json`, and
/// into `*out_model` the refitted best model (with the `refit` option) or NULL.
///
/// # Safety
/// `out_json` is writable (checked by the caller); `out_model` is NULL or writable.
unsafe fn give_search(
    out_json: *mut *mut c_char,
    out_model: *mut *mut ls_model,
    s: Searched,
) -> FfiResult {
    let json = out_string(s.result.to_json_string())?;
    // SAFETY: forwarded contract.
    unsafe { write_out(out_json, json) };
    if !out_model.is_null() {
        match s.model {
            // SAFETY: out_model is non-NULL and writable by the contract.
            Some(m) => unsafe { give_model(out_model, m) },
            // SAFETY: as above.
            None => unsafe { write_out(out_model, std::ptr::null_mut()) },
        }
    }
    Ok(())
}

/// Checks the request against `out_model`: refitting needs somewhere to put the
/// model.
fn check_refit_out(req: &SearchRequest, out_model: *mut *mut ls_model) -> FfiResult {
    if req.refit && out_model.is_null() {
        return Err(Failure::invalid(
            "out_model is NULL but the option \"refit\" is true: pass where to put the model",
        ));
    }
    Ok(())
}

/// Searches training settings on a CSV file (or JSON Lines for `.jsonl`/`.ndjson`):
/// each setting cross-validated with the same folds, every trial kept (see
/// docs/search.md). `options_json` is a NUL-terminated JSON object: `{"target":
/// "churn"}` plus any training option of `ls_train_csv` (the base of every trial;
/// `threads` is the trial pool), the search's `method` (`"grid"`, `"random"`,
/// `"tpe"`), `trials`, `budget_seconds`, `metric` (`"roc_auc"`, `"pr_auc"`,
/// `"log_loss"`), `refit`, `tpe_startup`, `tpe_batch`, and the space: `c`, `penalty`,
/// `l1_ratio`, `balance`, `min_count`, `bins`, `ngram`, `min_df`, each a value, a
/// `[low, high]` range or a list of names.
///
/// `*out_json` receives the result: every trial (`number`, `params`, `value`,
/// `roc_auc`, `pr_auc`, `log_loss`, `seconds`, `error`), `best`, `stopped`,
/// `budget_exhausted`. With `"refit": true` the best setting is trained on every row
/// and `*out_model` receives it (`out_model` must then be non-NULL); otherwise
/// `*out_model` is set to NULL when `out_model` is non-NULL. A trial that fails is
/// recorded in the result, not returned as an error. Errors as `ls_train_csv`'s.
/// Worker threads end before it returns.
///
/// Ownership: the caller owns `*out_json` (free with `ls_string_free`) and
/// `*out_model` (free with `ls_model_free`).
///
/// # Safety
/// `path` and `options_json` are NULL or NUL-terminated; `out_json` is NULL or
/// writable; `out_model` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_search_csv(
    path: *const c_char,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    out_model: *mut *mut ls_model,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let p = unsafe { arg_path(path, "path") }?;
        // SAFETY: forwarded contract.
        let req = SearchRequest::from_json_str(unsafe { arg_cstr_utf8(options_json, "options_json") }?)?;
        check_refit_out(&req, out_model)?;
        let s = req.search_file(p)?;
        // SAFETY: out_json checked above; out_model NULL or writable by the contract.
        unsafe { give_search(out_json, out_model, s) }
    }
}

/// Searches training settings on the finished rows of a batch, with options as in
/// `ls_search_csv` (`delimiter` and `decimal_comma` do not apply).
///
/// Ownership: the caller keeps `batch`; the caller owns `*out_json` (free with
/// `ls_string_free`) and `*out_model` (free with `ls_model_free`).
///
/// # Safety
/// `batch` is NULL or live; `options_json` is NULL or NUL-terminated; `out_json` is
/// NULL or writable; `out_model` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_search_batch(
    batch: *const ls_batch,
    options_json: *const c_char,
    out_json: *mut *mut c_char,
    out_model: *mut *mut ls_model,
) -> ls_status {
    ffi_boundary! {
        check_out(out_json, "out_json")?;
        // SAFETY: forwarded contract.
        let b = unsafe { arg(batch, "batch") }?;
        // SAFETY: forwarded contract.
        let req = SearchRequest::from_json_str(unsafe { arg_cstr_utf8(options_json, "options_json") }?)?;
        check_refit_out(&req, out_model)?;
        let s = req.search_table(&b.table()?)?;
        // SAFETY: out_json checked above; out_model NULL or writable by the contract.
        unsafe { give_search(out_json, out_model, s) }
    }
}

/// Frees a model. NULL is a no-op; a model freed twice is detected and ignored.
/// Records made from it stay usable (they share the model).
///
/// # Safety
/// `model` is NULL or a model from leadscore that is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn ls_model_free(model: *mut ls_model) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract; free_handle checks model is a live model.
        unsafe { free_handle(model, Kind::Model, "ls_model_free") }
    });
}

#[cfg(test)]
mod tests {
    #[test]
    fn model_handle_is_send_and_sync() {
        fn is<T: Send + Sync>() {}
        is::<super::ls_model>();
    }
}
