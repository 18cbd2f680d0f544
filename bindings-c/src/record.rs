//! Passing records without JSON: `ls_record` (one lead, laid out for a model as the
//! fast path of `ls_model_score`, or kept whole for any model or store) and
//! `ls_batch` (many raw leads, for batch scoring and training from rows).

use crate::ffi::{
    self, arg, arg_bytes, arg_mut, arg_str, check_out, free_handle, into_handle, write_out,
    FfiResult, Kind,
};
use crate::ffi_boundary;
use crate::ls_status;
use crate::model::ls_model;
use lscore::Record;
use std::ffi::c_char;

/// One lead: the core [`Record`], filled field by field with `ls_record_set_*`.
/// Made by `ls_record_new(model)` it is laid out for that model's inputs (the names
/// resolved to slots once per model; setting a field the model does not read does
/// nothing), and scoring it with that model looks nothing up. Made by
/// `ls_record_new_any` it keeps every field, and any model or store can score it.
pub struct ls_record {
    pub(crate) rec: Record,
}

/// Many raw leads, row by row: set the fields of the current row, then
/// `ls_batch_end_row`. Not bound to a model: the same batch can be scored by several
/// models or trained on.
#[derive(Default)]
pub struct ls_batch {
    pub(crate) rows: Vec<Record>,
    pub(crate) current: Record,
}

impl ls_batch {
    /// The finished rows as a table, typed the way JSON Lines are (a field whose
    /// present values are all numbers or numeric strings is numeric). Errors found
    /// later name `line N` for the N-th row (1-based).
    pub(crate) fn table(&self) -> FfiResult<lscore::Table> {
        if !self.current.is_empty() {
            return Err(ffi::Failure::invalid(
                "the batch has an unfinished row: call ls_batch_end_row after its fields",
            ));
        }
        let mut t = lscore::Table::from_records(&self.rows);
        t.set_lines((1..=self.rows.len() as u64).collect())?;
        Ok(t)
    }
}

/// Reads `key`/`key_len` as a field name; a NULL key is an error, a key that is not
/// UTF-8 cannot name a model field (for records: ignored; for batches: an error).
///
/// # Safety
/// `key` is NULL or valid for `key_len` bytes.
unsafe fn key_bytes<'a>(key: *const c_char, key_len: usize) -> FfiResult<&'a [u8]> {
    if key.is_null() {
        return Err(ffi::Failure::null("key"));
    }
    // SAFETY: non-NULL and readable for key_len bytes (caller contract).
    unsafe { arg_bytes(key.cast(), key_len, "key") }
}

/// Sets field `key` of `rec` with `set`. A key that is not UTF-8 names no model's
/// input, so it is ignored like any field no model reads.
///
/// # Safety
/// `rec` is NULL or a live record used by this thread only; `key` valid for
/// `key_len` bytes.
unsafe fn record_set(
    rec: *mut ls_record,
    key: *const c_char,
    key_len: usize,
    set: impl FnOnce(&mut Record, &str) -> FfiResult,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let r = unsafe { arg_mut(rec, "record") }?;
        // SAFETY: forwarded contract.
        let k = unsafe { key_bytes(key, key_len) }?;
        match std::str::from_utf8(k) {
            Ok(name) => set(&mut r.rec, name),
            Err(_) => Ok(()),
        }
    }
}

/// Creates an empty record laid out for `model` (every field missing): the fast
/// path of `ls_model_score`. The record does not keep the model alive and holds only
/// the fields `model` reads, so another model scores it only when it reads the same
/// inputs (a model loaded twice from one file); use `ls_record_new_any` for a record
/// any model or store can score.
///
/// Ownership: the caller owns `*out` and frees it with `ls_record_free`.
///
/// # Safety
/// `model` is NULL or a live model; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_record_new(
    model: *const ls_model,
    out: *mut *mut ls_record,
) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: model is NULL or live (caller contract).
        let m = unsafe { arg(model, "model") }?;
        let rec = ls_record { rec: m.model.record() };
        // SAFETY: out checked non-NULL; writable by contract.
        unsafe { write_out(out, into_handle(rec, Kind::Record)) };
        Ok(())
    }
}

/// Creates an empty record not tied to a model: it keeps every field set, and any
/// model (`ls_model_score`) or store (`ls_store_score_record`) scores it, each
/// reading the fields it uses by name.
///
/// Ownership: the caller owns `*out` and frees it with `ls_record_free`.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_record_new_any(out: *mut *mut ls_record) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        let rec = ls_record { rec: Record::new() };
        // SAFETY: out checked non-NULL; writable by contract.
        unsafe { write_out(out, into_handle(rec, Kind::Record)) };
        Ok(())
    }
}

/// Sets field `key` (`key_len` bytes of UTF-8, no NUL needed) to a number. A NaN
/// counts as missing. Fields a record made for one model does not read are ignored.
///
/// # Safety
/// `rec` is NULL or a live record used by no other thread during the call; `key` is
/// NULL or valid for `key_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ls_record_set_f64(
    rec: *mut ls_record,
    key: *const c_char,
    key_len: usize,
    value: f64,
) -> ls_status {
    // SAFETY: forwarded contract.
    unsafe {
        record_set(rec, key, key_len, |r, name| {
            r.set_num(name, value);
            Ok(())
        })
    }
}

/// Sets field `key` to a string (`value_len` bytes of UTF-8): a category, a text, or
/// a number written as text (`"12"`, `"1,5"`), converted when the field is numeric.
/// A value that is not UTF-8 is `LS_STATUS_INVALID_INPUT` naming the field when the
/// record keeps the field; a record reused lead after lead does not allocate for
/// its string fields.
///
/// # Safety
/// As `ls_record_set_f64`; `value` is NULL or valid for `value_len` bytes (NULL only
/// with `value_len` 0).
#[no_mangle]
pub unsafe extern "C" fn ls_record_set_str(
    rec: *mut ls_record,
    key: *const c_char,
    key_len: usize,
    value: *const c_char,
    value_len: usize,
) -> ls_status {
    let set = |r: &mut Record, name: &str| {
        // SAFETY: value is NULL or valid for value_len bytes (caller contract).
        let b = unsafe { arg_bytes(value.cast(), value_len, "value") }?;
        match std::str::from_utf8(b) {
            Ok(s) => {
                r.set_str(name, s);
                Ok(())
            }
            Err(_) if !r.keeps(name) => Ok(()),
            Err(_) => Err(ffi::Failure::invalid(format!(
                "field \"{name}\": the value is not valid UTF-8"
            ))),
        }
    };
    // SAFETY: forwarded contract.
    unsafe { record_set(rec, key, key_len, set) }
}

/// Sets field `key` to a boolean.
///
/// # Safety
/// As `ls_record_set_f64`.
#[no_mangle]
pub unsafe extern "C" fn ls_record_set_bool(
    rec: *mut ls_record,
    key: *const c_char,
    key_len: usize,
    value: bool,
) -> ls_status {
    // SAFETY: forwarded contract.
    unsafe {
        record_set(rec, key, key_len, |r, name| {
            r.set_bool(name, value);
            Ok(())
        })
    }
}

/// Marks field `key` as missing (as if it were never set).
///
/// # Safety
/// As `ls_record_set_f64`.
#[no_mangle]
pub unsafe extern "C" fn ls_record_set_missing(
    rec: *mut ls_record,
    key: *const c_char,
    key_len: usize,
) -> ls_status {
    // SAFETY: forwarded contract.
    unsafe {
        record_set(rec, key, key_len, |r, name| {
            r.set_missing(name);
            Ok(())
        })
    }
}

/// Marks field `key` as holding a value the caller could not convert (an array, a
/// nested object): scoring fails with `LS_STATUS_INVALID_INPUT` naming the field and
/// `message` (NUL-terminated UTF-8; NULL for a generic one), but only by a model that
/// reads the field, so a value no model reads never matters.
///
/// # Safety
/// As `ls_record_set_f64`; `message` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ls_record_set_invalid(
    rec: *mut ls_record,
    key: *const c_char,
    key_len: usize,
    message: *const c_char,
) -> ls_status {
    let set = |r: &mut Record, name: &str| {
        // SAFETY: message is NULL or NUL-terminated (caller contract).
        r.set_invalid(name, unsafe { invalid_message(message) });
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { record_set(rec, key, key_len, set) }
}

/// The message of an invalid value: the caller's, or a generic one for NULL.
///
/// # Safety
/// `message` is NULL or NUL-terminated.
unsafe fn invalid_message(message: *const c_char) -> String {
    if message.is_null() {
        return "the value cannot be converted".to_owned();
    }
    // SAFETY: non-NULL and NUL-terminated (caller contract).
    unsafe { std::ffi::CStr::from_ptr(message) }
        .to_string_lossy()
        .into_owned()
}

/// Marks every field missing, so the record can be reused for the next lead.
///
/// # Safety
/// `rec` is NULL or a live record used by no other thread during the call.
#[no_mangle]
pub unsafe extern "C" fn ls_record_clear(rec: *mut ls_record) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let r = unsafe { arg_mut(rec, "record") }?;
        r.rec.clear();
        Ok(())
    }
}

/// Frees a record. NULL is a no-op; a record freed twice is detected and ignored.
///
/// # Safety
/// `rec` is NULL or a record from `ls_record_new` or `ls_record_new_any` that is not
/// used afterwards.
#[no_mangle]
pub unsafe extern "C" fn ls_record_free(rec: *mut ls_record) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract; free_handle checks rec is a live record.
        unsafe { free_handle(rec, Kind::Record, "ls_record_free") }
    });
}

/// Creates an empty batch.
///
/// Ownership: the caller owns `*out` and frees it with `ls_batch_free`.
///
/// # Safety
/// `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_new(out: *mut *mut ls_batch) -> ls_status {
    ffi_boundary! {
        check_out(out, "out")?;
        // SAFETY: out checked non-NULL; writable by contract.
        unsafe { write_out(out, into_handle(ls_batch::default(), Kind::Batch)) };
        Ok(())
    }
}

/// Sets field `key` of the batch's current row with `set`.
///
/// # Safety
/// `batch` is NULL or live and unaliased; `key` valid for `key_len` bytes.
unsafe fn batch_set(
    batch: *mut ls_batch,
    key: *const c_char,
    key_len: usize,
    set: impl FnOnce(&mut Record, &str) -> FfiResult,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let b = unsafe { arg_mut(batch, "batch") }?;
        if key.is_null() {
            return Err(ffi::Failure::null("key"));
        }
        // SAFETY: forwarded contract.
        let name = unsafe { arg_str(key, key_len, "key") }?;
        set(&mut b.current, name)?;
        Ok(())
    }
}

/// Sets field `key` of the current row to a number (NaN = missing).
///
/// # Safety
/// `batch` is NULL or a live batch used by no other thread during the call; `key` is
/// NULL or valid for `key_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_set_f64(
    batch: *mut ls_batch,
    key: *const c_char,
    key_len: usize,
    value: f64,
) -> ls_status {
    // SAFETY: forwarded contract.
    unsafe {
        batch_set(batch, key, key_len, |r, name| {
            r.set_num(name, value);
            Ok(())
        })
    }
}

/// Sets field `key` of the current row to a string (`value_len` bytes of UTF-8).
///
/// # Safety
/// As `ls_batch_set_f64`; `value` is NULL or valid for `value_len` bytes.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_set_str(
    batch: *mut ls_batch,
    key: *const c_char,
    key_len: usize,
    value: *const c_char,
    value_len: usize,
) -> ls_status {
    let set = |r: &mut Record, name: &str| {
        // SAFETY: value is NULL or valid for value_len bytes (caller contract).
        let b = unsafe { arg_bytes(value.cast(), value_len, "value") }?;
        let s = std::str::from_utf8(b).map_err(|_| {
            ffi::Failure::invalid(format!("field \"{name}\": the value is not valid UTF-8"))
        })?;
        r.set_str(name, s);
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { batch_set(batch, key, key_len, set) }
}

/// Sets field `key` of the current row to a boolean.
///
/// # Safety
/// As `ls_batch_set_f64`.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_set_bool(
    batch: *mut ls_batch,
    key: *const c_char,
    key_len: usize,
    value: bool,
) -> ls_status {
    // SAFETY: forwarded contract.
    unsafe {
        batch_set(batch, key, key_len, |r, name| {
            r.set_bool(name, value);
            Ok(())
        })
    }
}

/// Sets field `key` of the current row to missing.
///
/// # Safety
/// As `ls_batch_set_f64`.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_set_missing(
    batch: *mut ls_batch,
    key: *const c_char,
    key_len: usize,
) -> ls_status {
    // SAFETY: forwarded contract.
    unsafe {
        batch_set(batch, key, key_len, |r, name| {
            r.set_missing(name);
            Ok(())
        })
    }
}

/// Marks field `key` of the current row as holding a value the caller could not
/// convert, as `ls_record_set_invalid` does for a record: scoring or training the
/// batch fails naming the row and the field, but only when the model reads it.
///
/// # Safety
/// As `ls_batch_set_f64`; `message` is NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_set_invalid(
    batch: *mut ls_batch,
    key: *const c_char,
    key_len: usize,
    message: *const c_char,
) -> ls_status {
    let set = |r: &mut Record, name: &str| {
        // SAFETY: message is NULL or NUL-terminated (caller contract).
        r.set_invalid(name, unsafe { invalid_message(message) });
        Ok(())
    };
    // SAFETY: forwarded contract.
    unsafe { batch_set(batch, key, key_len, set) }
}

/// Finishes the current row (an empty row is a lead with every field missing) and
/// starts the next.
///
/// # Safety
/// `batch` is NULL or a live batch used by no other thread during the call.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_end_row(batch: *mut ls_batch) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let b = unsafe { arg_mut(batch, "batch") }?;
        let row = std::mem::take(&mut b.current);
        b.rows.push(row);
        Ok(())
    }
}

/// Writes the number of finished rows to `*out_rows`.
///
/// # Safety
/// `batch` is NULL or a live batch; `out_rows` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_rows(batch: *const ls_batch, out_rows: *mut usize) -> ls_status {
    ffi_boundary! {
        check_out(out_rows, "out_rows")?;
        // SAFETY: batch is NULL or live (caller contract).
        let b = unsafe { arg(batch, "batch") }?;
        // SAFETY: checked non-NULL above; writable by contract.
        unsafe { write_out(out_rows, b.rows.len()) };
        Ok(())
    }
}

/// Removes every row (finished or not), keeping the batch for reuse.
///
/// # Safety
/// `batch` is NULL or a live batch used by no other thread during the call.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_clear(batch: *mut ls_batch) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let b = unsafe { arg_mut(batch, "batch") }?;
        b.rows.clear();
        b.current = Record::new();
        Ok(())
    }
}

/// Frees a batch. NULL is a no-op; a batch freed twice is detected and ignored.
///
/// # Safety
/// `batch` is NULL or a batch from `ls_batch_new` that is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn ls_batch_free(batch: *mut ls_batch) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract; free_handle checks batch is a live batch.
        unsafe { free_handle(batch, Kind::Batch, "ls_batch_free") }
    });
}
