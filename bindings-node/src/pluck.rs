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
use leadscore::{Error, Value};
use napi::bindgen_prelude::{JsObjectValue, JsValue, Object, ObjectRef, Unknown};
use napi::{sys, Env};
use std::ptr;

/// Constant source (no field name is ever spliced into code).
const PLUCK_JS: &str = r#"(function (keys) {
  'use strict';
  const n = keys.length;
  const nums = new Float64Array(n);
  const tags = new Uint8Array(n);
  const strs = new Array(n).fill(undefined);
  function pluck(o) {
    for (let i = 0; i < n; i++) {
      const v = o[keys[i]];
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
  return [pluck, nums, tags, strs];
})"#;

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
}

fn fail(e: napi::Error) -> Error {
    Error::Internal(format!("fast field reader: {}", e.reason))
}

impl Plucker {
    /// Compiles the reader for `keys` in `env`.
    pub fn new(env: &Env, keys: &[Key]) -> napi::Result<Plucker> {
        let factory: Unknown = env.run_script(PLUCK_JS)?;
        let mut names = env.create_array(keys.len() as u32)?;
        for (i, k) in keys.iter().enumerate() {
            names.set_element(i as u32, env.create_string(&k.name)?)?;
        }
        let mut out = ptr::null_mut();
        let mut undefined = ptr::null_mut();
        let argv = [names.raw()];
        // SAFETY: `factory` is the function the constant script evaluates to, called
        // with one valid argument on the JavaScript thread; `out` receives its result.
        let status = unsafe {
            sys::napi_get_undefined(env.raw(), &mut undefined);
            sys::napi_call_function(
                env.raw(),
                undefined,
                factory.raw(),
                1,
                argv.as_ptr(),
                &mut out,
            )
        };
        if status != sys::Status::napi_ok {
            return Err(napi::Error::from_reason("cannot build the field reader"));
        }
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
        self.strs.unref(env)
    }

    /// Reads a lead's fields into `out` (in `keys` order). The caller holds the
    /// model's scratch borrow, so no re-entrant call can run this concurrently.
    pub fn read(
        &self,
        env: &Env,
        lead: &Unknown,
        keys: &[Key],
        out: &mut Vec<Value>,
    ) -> Result<(), Error> {
        convert::as_object("a lead", lead)?;
        let pluck = self.pluck.get_value(env).map_err(fail)?;
        let nums = self.nums.get_value(env).map_err(fail)?;
        let tags = self.tags.get_value(env).map_err(fail)?;
        let mut undefined = ptr::null_mut();
        let mut ret = ptr::null_mut();
        let argv = [lead.raw()];
        // SAFETY: `pluck` is the reader function (kept alive by its reference),
        // called on the JavaScript thread with one valid argument.
        let status = unsafe {
            sys::napi_get_undefined(env.raw(), &mut undefined);
            sys::napi_call_function(
                env.raw(),
                undefined,
                pluck.raw(),
                1,
                argv.as_ptr(),
                &mut ret,
            )
        };
        if status != sys::Status::napi_ok {
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
            out.push(match tag_buf[i] {
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
                        // An unsupported type: value_of names the field and the type.
                        return Err(convert::value_of(&k.name, &v)
                            .err()
                            .unwrap_or_else(|| Error::Internal("unexpected field type".into())));
                    }
                }
            });
        }
        Ok(())
    }
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
        return Err(Error::Internal(format!("fast field reader: bad typed array (status {status}, len {len} for {}, data null {})", dst.len(), data.is_null())));
    }
    if len > 0 {
        // SAFETY: `data` points at `len` elements of `T` (the reader created this
        // array with `len` = `dst.len()` elements of exactly this type), and no
        // JavaScript runs (so nothing can move or detach it) while we copy.
        unsafe { ptr::copy_nonoverlapping(data.cast::<T>(), dst.as_mut_ptr(), len) };
    }
    Ok(())
}
