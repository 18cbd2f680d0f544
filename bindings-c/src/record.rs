//! Passing records without JSON: `ls_record` (one lead bound to a model, the
//! fast path of `ls_model_score`) and `ls_batch` (many raw leads, for batch scoring
//! and training from rows).

use crate::ffi::{
    self, arg, arg_bytes, arg_mut, arg_str, check_out, free_handle, into_handle, write_out,
    FfiResult, Kind,
};
use crate::ffi_boundary;
use crate::ls_status;
use crate::model::ls_model;
use lscore::{Model, Record, Value};
use std::collections::HashMap;
use std::ffi::c_char;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

/// One lead bound to a model: a value slot per input field the model reads, with the
/// field names resolved to slots once (when the model was loaded). Setting a field
/// the model does not read is a no-op; unset fields are missing.
pub struct ls_record {
    pub(crate) model: Arc<Model>,
    pub(crate) index: Arc<FieldIndex>,
    pub(crate) values: Vec<Value>,
    /// String buffers kept across `ls_record_clear`, one per slot, so a record
    /// reused lead after lead does not allocate for string fields.
    pub(crate) spare: Vec<String>,
    /// Field order prediction: `next[s]` is the slot set right after slot `s` last
    /// time (`next[n_slots]`: the first slot after a clear). Callers fill leads in the
    /// same order lead after lead, so a set usually finds its slot with one comparison
    /// of the name instead of hashing it; a wrong guess falls back to the index.
    pub(crate) next: Vec<usize>,
    /// The slot set last (`n_slots` right after creation or a clear).
    pub(crate) last: usize,
}

/// Field name (as bytes: a key needs no UTF-8 check to be looked up, and one that
/// is not UTF-8 simply matches nothing) -> value slot of a model's inputs. Hashed with FNV-1a rather than
/// SipHash: the table is built once from the model's own names and never grows
/// from caller input, so crafted keys cannot lengthen its chains, and lookups are
/// on the per-field hot path.
pub(crate) type FieldIndex = HashMap<Box<[u8]>, usize, BuildHasherDefault<Fnv>>;

/// The 64-bit FNV-1a hash (see [`FieldIndex`]).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Hasher for Fnv {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

impl ls_record {
    /// The record as a name -> value [`Record`] (for explain).
    pub(crate) fn to_record(&self) -> Record {
        let names = self.model.input_names();
        names
            .into_iter()
            .zip(&self.values)
            .filter(|(_, v)| !matches!(v, Value::Missing))
            .map(|(n, v)| (n.to_owned(), v.clone()))
            .collect()
    }
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

/// Sets slot of `key` in `rec` to the value `make` builds (called only for fields the
/// model reads).
///
/// # Safety
/// `rec` is NULL or a live record used by this thread only; `key` valid for
/// `key_len` bytes.
unsafe fn record_set(
    rec: *mut ls_record,
    key: *const c_char,
    key_len: usize,
    make: impl FnOnce(&str, &mut Value, &mut String) -> FfiResult,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let r = unsafe { arg_mut(rec, "record") }?;
        // SAFETY: forwarded contract.
        let k = unsafe { key_bytes(key, key_len) }?;
        let inputs = r.model.pipeline().inputs();
        let guess = r.next.get(r.last).copied().unwrap_or(usize::MAX);
        let slot = match inputs.get(guess) {
            Some(input) if input.name.as_bytes() == k => Some(guess),
            _ => {
                let found = r.index.get(k).copied();
                if let (Some(s), Some(n)) = (found, r.next.get_mut(r.last)) {
                    *n = s;
                }
                found
            }
        };
        if let Some(slot) = slot {
            r.last = slot;
            let name = inputs[slot].name.as_str();
            make(name, &mut r.values[slot], &mut r.spare[slot])?;
        }
        Ok(())
    }
}

/// Empties a slot (missing), keeping its string buffer for the next string value.
#[inline]
fn keep_string(slot: &mut Value, spare: &mut String) {
    if let Value::Str(s) = std::mem::take(slot) {
        *spare = s;
    }
}

/// Creates an empty record bound to `model` (every field missing). The record keeps
/// its own reference to the model, so either may be freed first.
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
        let rec = ls_record {
            model: Arc::clone(&m.model),
            index: Arc::clone(&m.index),
            values: vec![Value::Missing; m.n_inputs],
            spare: vec![String::new(); m.n_inputs],
            next: vec![usize::MAX; m.n_inputs + 1],
            last: m.n_inputs,
        };
        // SAFETY: out checked non-NULL; writable by contract.
        unsafe { write_out(out, into_handle(rec, Kind::Record)) };
        Ok(())
    }
}

/// Sets field `key` (`key_len` bytes of UTF-8, no NUL needed) to a number. A NaN
/// counts as missing. Fields the model does not read are ignored.
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
        record_set(rec, key, key_len, |_, slot, spare| {
            keep_string(slot, spare);
            *slot = Value::Num(value);
            Ok(())
        })
    }
}

/// Sets field `key` to a string (`value_len` bytes of UTF-8): a category, a text, or
/// a number written as text (`"12"`, `"1,5"`), converted when the field is numeric.
/// A value that is not UTF-8 is `LS_STATUS_INVALID_INPUT` naming the field.
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
    let set = |name: &str, slot: &mut Value, spare: &mut String| {
        // SAFETY: value is NULL or valid for value_len bytes (caller contract).
        let b = unsafe { arg_bytes(value.cast(), value_len, "value") }?;
        let s = std::str::from_utf8(b).map_err(|_| {
            ffi::Failure::invalid(format!("field \"{name}\": the value is not valid UTF-8"))
        })?;
        // Reuse the slot's allocation: a worker scoring leads in a loop does not
        // allocate per string field.
        match slot {
            Value::Str(old) => {
                old.clear();
                old.push_str(s);
            }
            _ => {
                let mut buf = std::mem::take(spare);
                buf.clear();
                buf.push_str(s);
                *slot = Value::Str(buf);
            }
        }
        Ok(())
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
        record_set(rec, key, key_len, |_, slot, spare| {
            keep_string(slot, spare);
            *slot = Value::Bool(value);
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
        record_set(rec, key, key_len, |_, slot, spare| {
            keep_string(slot, spare);
            *slot = Value::Missing;
            Ok(())
        })
    }
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
        for (v, spare) in r.values.iter_mut().zip(&mut r.spare) {
            keep_string(v, spare);
        }
        r.last = r.values.len();
        Ok(())
    }
}

/// Frees a record. NULL is a no-op; a record freed twice is detected and ignored.
///
/// # Safety
/// `rec` is NULL or a record from `ls_record_new` that is not used afterwards.
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

/// Sets field `key` of the batch's current row to the value `v`.
///
/// # Safety
/// `batch` is NULL or live and unaliased; `key` valid for `key_len` bytes.
unsafe fn batch_set(
    batch: *mut ls_batch,
    key: *const c_char,
    key_len: usize,
    make: impl FnOnce(&str) -> FfiResult<Value>,
) -> ls_status {
    ffi_boundary! {
        // SAFETY: forwarded contract.
        let b = unsafe { arg_mut(batch, "batch") }?;
        if key.is_null() {
            return Err(ffi::Failure::null("key"));
        }
        // SAFETY: forwarded contract.
        let name = unsafe { arg_str(key, key_len, "key") }?;
        let v = make(name)?;
        b.current.insert(name, v);
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
    unsafe { batch_set(batch, key, key_len, |_| Ok(Value::Num(value))) }
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
    let make = |name: &str| {
        // SAFETY: value is NULL or valid for value_len bytes (caller contract).
        let b = unsafe { arg_bytes(value.cast(), value_len, "value") }?;
        let s = std::str::from_utf8(b).map_err(|_| {
            ffi::Failure::invalid(format!("field \"{name}\": the value is not valid UTF-8"))
        })?;
        Ok(Value::Str(s.to_owned()))
    };
    // SAFETY: forwarded contract.
    unsafe { batch_set(batch, key, key_len, make) }
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
    unsafe { batch_set(batch, key, key_len, |_| Ok(Value::Bool(value))) }
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
    unsafe { batch_set(batch, key, key_len, |_| Ok(Value::Missing)) }
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
