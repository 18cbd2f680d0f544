//! The fast path of `score()`: read a lead's fields in one call into JavaScript.
//!
//! Reading a field through N-API costs several calls (key, property, type, value),
//! each far slower than a property load in JIT-compiled JavaScript. So each model
//! keeps (per environment) a small JavaScript function, compiled once from the
//! constant source below, that reads the model's input fields from a lead object,
//! stores numbers in a `Float64Array` and a type tag per field in a `Uint8Array`,
//! and puts strings (and values of unsupported types) in an array. Rust then copies
//! the two typed arrays in one go and makes N-API calls only for strings. The
//! function only classifies JavaScript types; every rule about values stays in
//! [`crate::convert`] and the core.

use crate::convert::{self, Key};
use leadscore::{Error, Record, Value};
use napi::bindgen_prelude::{JsObjectValue, JsValue, Object, ObjectRef, Unknown};
use napi::{sys, Env};
use std::ptr;

/// Constant source (no field name is ever spliced into code).
const PLUCK_JS: &str = r#"(function (keys) {
  'use strict';
  const n = keys.length;
  // A field is an own property of the lead: Object.prototype's properties
  // (constructor, toString...) are not fields of every lead.
  const own = Object.prototype.hasOwnProperty;
  const guarded = keys.some((k) => k in Object.prototype);
  const nums = new Float64Array(n);
  const tags = new Uint8Array(n);
  const strs = new Array(n).fill(undefined);
  function pluck(o) {
    for (let i = 0; i < n; i++) {
      const v = guarded && keys[i] in Object.prototype && !own.call(o, keys[i]) ? undefined : o[keys[i]];
      switch (typeof v) {
        case 'number': tags[i] = 0; nums[i] = v; break;
        case 'string': tags[i] = 1; strs[i] = v; break;
        case 'boolean': tags[i] = v ? 2 : 3; break;
        case 'undefined': tags[i] = 4; break;
        default:
          if (v === null) { tags[i] = 4 } else { tags[i] = 5; strs[i] = v }
      }
    }
  }
  // Many leads at once: numbers and tags into fresh typed arrays, strings interned
  // per field (codes + distinct levels), so Rust reads each distinct string once.
  // Returns [nums, tags, codes, levels], or [row, field, value] for the first value
  // of an unsupported type (field -1: the lead itself is not a plain object).
  function pluckBatch(leads) {
    const rows = leads.length;
    const nums = new Float64Array(rows * n);
    const tags = new Uint8Array(rows * n);
    const codes = new Uint32Array(rows * n);
    const levels = [];
    const index = [];
    for (let j = 0; j < n; j++) { levels.push([]); index.push(new Map()); }
    for (let r = 0; r < rows; r++) {
      const o = leads[r];
      if (typeof o !== 'object' || o === null || Array.isArray(o)) return [r, -1, o];
      const base = r * n;
      for (let j = 0; j < n; j++) {
        const v = guarded && keys[j] in Object.prototype && !own.call(o, keys[j]) ? undefined : o[keys[j]];
        switch (typeof v) {
          case 'number': nums[base + j] = v; break;
          case 'string': {
            let c = index[j].get(v);
            if (c === undefined) { c = levels[j].length; levels[j].push(v); index[j].set(v, c) }
            tags[base + j] = 1; codes[base + j] = c; break;
          }
          case 'boolean': tags[base + j] = v ? 2 : 3; break;
          case 'undefined': tags[base + j] = 4; break;
          default:
            if (v === null) { tags[base + j] = 4 } else { return [r, j, v] }
        }
      }
    }
    return [nums, tags, codes, levels];
  }
  // One string column: [codes, levels] (0xFFFFFFFF = null/undefined), or
  // [row, value] for the first value that is not a string.
  function intern(arr) {
    const rows = arr.length;
    const codes = new Uint32Array(rows);
    const levels = [];
    const index = new Map();
    for (let i = 0; i < rows; i++) {
      const v = arr[i];
      if (v === null || v === undefined) { codes[i] = 0xFFFFFFFF; continue }
      if (typeof v !== 'string') return [i, v];
      let c = index.get(v);
      if (c === undefined) { c = levels.length; levels.push(v); index.set(v, c) }
      codes[i] = c;
    }
    return [codes, levels];
  }
  return [pluck, nums, tags, strs, pluckBatch, intern];
})"#;

/// A constant script's value in one JavaScript environment, kept for the
/// environment's lifetime (N-API environments are per thread: the main one and each
/// worker's).
pub(crate) type ScriptSlot = std::cell::RefCell<Option<(usize, ObjectRef<false>)>>;

thread_local! {
    /// [`PLUCK_JS`] compiled in this thread's environment.
    static FACTORY: ScriptSlot = const { std::cell::RefCell::new(None) };
}

/// The value of the constant `source` in `env`, evaluated on first use and kept in
/// `slot` (one per source) until the environment is torn down.
pub(crate) fn compiled_script<'e>(
    env: &'e Env,
    source: &str,
    slot: &'static std::thread::LocalKey<ScriptSlot>,
) -> napi::Result<Object<'e>> {
    slot.with(|cell| {
        let mut cached = cell.borrow_mut();
        if let Some((e, r)) = cached.as_ref() {
            if *e == env.raw() as usize {
                return r.get_value(env);
            }
        }
        let f: Unknown = env.run_script(source)?;
        let f = Object::from_raw(env.raw(), f.raw());
        let id = env.raw() as usize;
        *cached = Some((id, f.create_ref::<false>()?));
        // Forget it when the environment is torn down (its references go with it),
        // so a later environment at the same address compiles its own.
        env.add_env_cleanup_hook(id, move |id| {
            let _ = slot.try_with(|cell| {
                if let Ok(mut cached) = cell.try_borrow_mut() {
                    if cached.as_ref().is_some_and(|(e, _)| *e == id) {
                        *cached = None;
                    }
                }
            });
        })?;
        Ok(f)
    })
}

/// Calls the JavaScript function `f` with `argv` (`this` undefined) on the
/// JavaScript thread: its result, or the failing status (an exception thrown by the
/// function is then pending).
pub(crate) fn call_function(
    env: &Env,
    f: sys::napi_value,
    argv: &[sys::napi_value],
) -> Result<sys::napi_value, sys::napi_status> {
    let mut undefined = ptr::null_mut();
    let mut out = ptr::null_mut();
    // SAFETY: `env` is the calling environment; `f` and every `argv` entry are live
    // values of it (the callers hold them in this scope); `out` receives the result.
    let status = unsafe {
        sys::napi_get_undefined(env.raw(), &mut undefined);
        sys::napi_call_function(env.raw(), undefined, f, argv.len(), argv.as_ptr(), &mut out)
    };
    if status == sys::Status::napi_ok {
        Ok(out)
    } else {
        Err(status)
    }
}

const TAG_NUM: u8 = 0;
const TAG_STR: u8 = 1;
const TAG_TRUE: u8 = 2;
const TAG_FALSE: u8 = 3;
const TAG_MISSING: u8 = 4;

/// The per-environment JavaScript half of the fast path.
pub struct Plucker {
    env: usize,
    n: usize,
    pluck: ObjectRef,
    nums: ObjectRef,
    tags: ObjectRef,
    strs: ObjectRef,
    batch: ObjectRef,
    intern: ObjectRef,
}

/// Many leads read by the batch reader: per cell a type tag, a number and a string
/// code; per field the distinct strings. Plain Rust data (it crosses to workers).
#[derive(Debug, Default)]
pub struct BatchRows {
    rows: usize,
    width: usize,
    nums: Vec<f64>,
    tags: Vec<u8>,
    codes: Vec<u32>,
    levels: Vec<Vec<Value>>,
}

impl BatchRows {
    /// Number of leads.
    pub fn len(&self) -> usize {
        self.rows
    }

    /// Whether there are no leads.
    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }

    /// The rows as a core table, when every field holds one kind of value (numbers
    /// or strings, with gaps) and no number is infinite: the core then maps each
    /// distinct string once. `None` otherwise (score lead by lead instead). A
    /// whitespace-only string is missing, as [`Value::is_missing`] says.
    pub fn to_table(&self, keys: &[Key]) -> Option<leadscore::Table> {
        use leadscore::data::{Column, StrColumn, MISSING_CODE};
        let mut cols = Vec::with_capacity(self.width);
        for (j, key) in keys.iter().enumerate().take(self.width) {
            let cells = (0..self.rows).map(|r| r * self.width + j);
            let (mut nums, mut strs) = (false, false);
            for at in cells.clone() {
                match self.tags[at] {
                    TAG_NUM if self.nums[at].is_infinite() => return None,
                    TAG_NUM => nums = true,
                    TAG_STR => strs = true,
                    TAG_MISSING => {}
                    _ => return None,
                }
            }
            let col = if nums && strs {
                return None;
            } else if strs {
                let levels = self.levels[j]
                    .iter()
                    .map(|v| match v {
                        Value::Str(s) => s.clone(),
                        _ => String::new(),
                    })
                    .collect();
                let codes = cells
                    .map(|at| match self.tags[at] {
                        TAG_STR => self.codes[at],
                        _ => MISSING_CODE,
                    })
                    .collect();
                Column::Str(StrColumn::from_codes(codes, levels).ok()?)
            } else {
                Column::Num(
                    cells
                        .map(|at| match self.tags[at] {
                            TAG_NUM => self.nums[at],
                            _ => f64::NAN,
                        })
                        .collect(),
                )
            };
            cols.push((key.name.clone(), col));
        }
        // The row count stands apart from the columns: leads without fields are rows.
        let mut table = leadscore::Table::with_rows(self.rows);
        for (name, col) in cols {
            table.push_column(name, col).ok()?;
        }
        Some(table)
    }

    /// Calls `f` with each lead in `rec` (laid out for the model whose inputs are
    /// `keys`; cleared and refilled lead after lead, its string buffers reused).
    pub fn for_each<E>(
        &self,
        keys: &[Key],
        rec: &mut Record,
        mut f: impl FnMut(usize, &Record) -> Result<(), E>,
    ) -> Result<(), E> {
        for r in 0..self.rows {
            rec.clear();
            let base = r * self.width;
            for (j, k) in keys.iter().enumerate().take(self.width) {
                let at = base + j;
                match self.tags[at] {
                    TAG_NUM => rec.set_num(&k.name, self.nums[at]),
                    TAG_TRUE => rec.set_bool(&k.name, true),
                    TAG_FALSE => rec.set_bool(&k.name, false),
                    TAG_STR => match &self.levels[j][self.codes[at] as usize] {
                        // The record reuses its string buffers lead after lead.
                        Value::Str(s) => rec.set_str(&k.name, s),
                        level => rec.set_value(&k.name, level.clone()),
                    },
                    _ => rec.set_missing(&k.name),
                }
            }
            f(r, rec)?;
        }
        Ok(())
    }
}

fn fail(e: napi::Error) -> Error {
    Error::Internal(format!("fast field reader: {}", e.reason))
}

impl Plucker {
    /// Builds the reader for `keys` in `env` (the source is compiled once per
    /// environment; each model only calls the compiled factory).
    pub fn new(env: &Env, keys: &[Key]) -> napi::Result<Plucker> {
        let factory = compiled_script(env, PLUCK_JS, &FACTORY)?;
        let mut names = env.create_array(keys.len() as u32)?;
        for (i, k) in keys.iter().enumerate() {
            names.set_element(i as u32, env.create_string(&k.name)?)?;
        }
        let out = call_function(env, factory.raw(), &[names.raw()])
            .map_err(|_| napi::Error::from_reason("cannot build the field reader"))?;
        let parts = Object::from_raw(env.raw(), out);
        let part = |i: u32| -> napi::Result<ObjectRef> {
            let v: Unknown = parts.get_element(i)?;
            Object::from_raw(env.raw(), v.raw()).create_ref::<true>()
        };
        Ok(Plucker {
            env: env.raw() as usize,
            n: keys.len(),
            pluck: part(0)?,
            nums: part(1)?,
            tags: part(2)?,
            strs: part(3)?,
            batch: part(4)?,
            intern: part(5)?,
        })
    }

    /// Whether it belongs to `env`.
    pub fn is_for(&self, env: &Env) -> bool {
        self.env == env.raw() as usize
    }

    /// Releases its references (in the environment that created them).
    pub fn release(self, env: &Env) -> napi::Result<()> {
        if !self.is_for(env) {
            return Ok(());
        }
        self.pluck.unref(env)?;
        self.nums.unref(env)?;
        self.tags.unref(env)?;
        self.strs.unref(env)?;
        self.batch.unref(env)?;
        self.intern.unref(env)
    }

    /// Reads a lead's fields into `out` (in `keys` order). The caller holds the
    /// model's scratch borrow, so no re-entrant call can run this concurrently.
    pub fn read(
        &self,
        env: &Env,
        lead: &Unknown,
        keys: &[Key],
        out: &mut Record,
    ) -> Result<(), Error> {
        convert::as_object("a lead", lead)?;
        let pluck = self.pluck.get_value(env).map_err(fail)?;
        let nums = self.nums.get_value(env).map_err(fail)?;
        let tags = self.tags.get_value(env).map_err(fail)?;
        if call_function(env, pluck.raw(), &[lead.raw()]).is_err() {
            // A getter on the lead threw: its exception is pending and propagates.
            return Err(Error::InvalidInput("reading the lead failed".into()));
        }
        let mut num_buf = vec![0f64; self.n];
        let mut tag_buf = vec![0u8; self.n];
        copy_typed(env, nums.raw(), &mut num_buf)?;
        copy_typed(env, tags.raw(), &mut tag_buf)?;
        out.clear();
        let mut strs: Option<Object> = None;
        for (i, k) in keys.iter().enumerate().take(self.n) {
            out.set_value(
                &k.name,
                match tag_buf[i] {
                    TAG_NUM => Value::Num(num_buf[i]),
                    TAG_TRUE => Value::Bool(true),
                    TAG_FALSE => Value::Bool(false),
                    TAG_MISSING => Value::Missing,
                    tag => {
                        let arr = match &strs {
                            Some(a) => a,
                            None => {
                                let v = self.strs.get_value(env).map_err(fail)?;
                                strs.insert(Object::from_raw(env.raw(), v.raw()))
                            }
                        };
                        let v: Unknown = arr.get_element(i as u32).map_err(fail)?;
                        if tag == TAG_STR {
                            Value::Str(convert::read_string(&v).map_err(fail)?)
                        } else {
                            // An unsupported type: value_of says why; the model fails
                            // on it naming the field.
                            match convert::value_of(&k.name, &v) {
                                Err(Error::InvalidValue { message, .. }) => {
                                    out.set_invalid(&k.name, message);
                                    continue;
                                }
                                Err(e) => return Err(e),
                                Ok(v) => v,
                            }
                        }
                    }
                },
            );
        }
        Ok(())
    }
}

impl Plucker {
    /// Reads an array of leads (`what` names it in errors) with the batch reader.
    pub fn read_batch(
        &self,
        env: &Env,
        what: &str,
        leads: &Unknown,
        keys: &[Key],
    ) -> Result<BatchRows, Error> {
        let (_, _) = convert::as_array(what, leads)?;
        let func = self.batch.get_value(env).map_err(fail)?;
        // A getter threw: its exception is pending and propagates.
        let ret = call_function(env, func.raw(), &[leads.raw()])
            .map_err(|_| Error::InvalidInput(format!("reading {what} failed")))?;
        let out = Object::from_raw(env.raw(), ret);
        let parts = out.get_array_length().map_err(fail)?;
        let elem = |i: u32| -> Result<Unknown, Error> { out.get_element(i).map_err(fail) };
        if parts == 3 {
            let row: u32 = elem(0)?
                .coerce_to_number()
                .and_then(|n| n.get_uint32())
                .map_err(fail)?;
            let field: i32 = elem(1)?
                .coerce_to_number()
                .and_then(|n| n.get_int32())
                .map_err(fail)?;
            let value = elem(2)?;
            return Err(
                match usize::try_from(field).ok().and_then(|j| keys.get(j)) {
                    None => match convert::as_object("a lead", &value) {
                        Err(Error::InvalidInput(m)) => {
                            Error::InvalidInput(format!("{what}[{row}]: {m}"))
                        }
                        Err(e) => e,
                        Ok(_) => Error::Internal("batch reader: unexpected lead".into()),
                    },
                    Some(k) => match convert::value_of(&k.name, &value) {
                        Err(Error::InvalidValue { field, message }) => Error::InvalidValue {
                            field,
                            message: format!("{message} (in {what}[{row}])"),
                        },
                        Err(e) => e,
                        Ok(_) => Error::Internal("batch reader: unexpected value".into()),
                    },
                },
            );
        }
        let width = keys.len();
        let mut rows = BatchRows {
            width,
            ..BatchRows::default()
        };
        let total = {
            let t = elem(1)?;
            typed_len(env, t.raw())?
        };
        rows.rows = total.checked_div(width).unwrap_or(0);
        rows.nums = vec![0.0; total];
        rows.tags = vec![0; total];
        rows.codes = vec![0; total];
        copy_typed(env, elem(0)?.raw(), &mut rows.nums)?;
        copy_typed(env, elem(1)?.raw(), &mut rows.tags)?;
        copy_typed(env, elem(2)?.raw(), &mut rows.codes)?;
        let levels = elem(3)?;
        let levels = Object::from_raw(env.raw(), levels.raw());
        for j in 0..width {
            let lv: Unknown = levels.get_element(j as u32).map_err(fail)?;
            let lv = Object::from_raw(env.raw(), lv.raw());
            let n = lv.get_array_length().map_err(fail)?;
            let mut vals = Vec::with_capacity(n as usize);
            for i in 0..n {
                let s: Unknown = lv.get_element(i).map_err(fail)?;
                vals.push(Value::Str(convert::read_string(&s).map_err(fail)?));
            }
            rows.levels.push(vals);
        }
        // Every string code indexes its field's levels (the reader guarantees it;
        // checked so that no inconsistency can index out of range).
        for (at, (&t, &c)) in rows.tags.iter().zip(&rows.codes).enumerate() {
            if t == TAG_STR && c as usize >= rows.levels[at % width.max(1)].len() {
                return Err(Error::Internal("batch reader: bad string code".into()));
            }
        }
        Ok(rows)
    }
}

impl Plucker {
    /// Reads an array of strings (`null`/`undefined` = missing) as a dictionary
    /// column: each distinct string crosses N-API once.
    pub fn intern(
        &self,
        env: &Env,
        name: &str,
        arr: &Unknown,
    ) -> Result<leadscore::data::Column, Error> {
        let func = self.intern.get_value(env).map_err(fail)?;
        let ret = call_function(env, func.raw(), &[arr.raw()])
            .map_err(|_| Error::InvalidInput(format!("reading column \"{name}\" failed")))?;
        let out = Object::from_raw(env.raw(), ret);
        let first: Unknown = out.get_element(0).map_err(fail)?;
        let second: Unknown = out.get_element(1).map_err(fail)?;
        if !first.is_typedarray().unwrap_or(false) {
            let row: u32 = first
                .coerce_to_number()
                .and_then(|n| n.get_uint32())
                .map_err(fail)?;
            let kind = match convert::value_of(name, &second) {
                Ok(v) => v.kind_name().to_owned(),
                Err(e) => return Err(e),
            };
            return Err(Error::InvalidValue {
                field: name.to_owned(),
                message: format!(
                    "row {row}: a string column holds strings, null or undefined, got a {kind} (pass numbers as a Float64Array)"
                ),
            });
        }
        let mut codes = vec![0u32; typed_len(env, first.raw())?];
        copy_typed(env, first.raw(), &mut codes)?;
        let lv = Object::from_raw(env.raw(), second.raw());
        let n = lv.get_array_length().map_err(fail)?;
        let mut levels = Vec::with_capacity(n as usize);
        for i in 0..n {
            let s: Unknown = lv.get_element(i).map_err(fail)?;
            levels.push(convert::read_string(&s).map_err(fail)?);
        }
        leadscore::data::StrColumn::from_codes(codes, levels)
            .map(leadscore::data::Column::Str)
            .map_err(|e| Error::Internal(format!("interning: {e}")))
    }
}

/// The element count of a typed array.
fn typed_len(env: &Env, arr: sys::napi_value) -> Result<usize, Error> {
    let mut ty = 0;
    let mut len = 0usize;
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut offset = 0usize;
    // SAFETY: `arr` is a typed array the batch reader just created; N-API fills the
    // out-parameters.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env.raw(),
            arr,
            &mut ty,
            &mut len,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    };
    if status != sys::Status::napi_ok {
        return Err(Error::Internal("batch reader: not a typed array".into()));
    }
    Ok(len)
}

/// Copies a typed array's elements into `dst` (whose length is the array's).
fn copy_typed<T: Copy>(env: &Env, arr: sys::napi_value, dst: &mut [T]) -> Result<(), Error> {
    let mut ty = 0;
    let mut len = 0usize;
    let mut data = ptr::null_mut();
    let mut buffer = ptr::null_mut();
    let mut offset = 0usize;
    // SAFETY: `arr` is one of the reader's own typed arrays (kept alive by its
    // reference); N-API fills the out-parameters.
    let status = unsafe {
        sys::napi_get_typedarray_info(
            env.raw(),
            arr,
            &mut ty,
            &mut len,
            &mut data,
            &mut buffer,
            &mut offset,
        )
    };
    if status != sys::Status::napi_ok || len != dst.len() || (len > 0 && data.is_null()) {
        return Err(Error::Internal(format!(
            "fast field reader: bad typed array (status {status}, len {len} for {}, data null {})",
            dst.len(),
            data.is_null()
        )));
    }
    if len > 0 {
        // SAFETY: `data` points at `len` elements of `T` (the reader created this
        // array with `len` = `dst.len()` elements of exactly this type), and no
        // JavaScript runs (so nothing can move or detach it) while we copy.
        unsafe { ptr::copy_nonoverlapping(data.cast::<T>(), dst.as_mut_ptr(), len) };
    }
    Ok(())
}
