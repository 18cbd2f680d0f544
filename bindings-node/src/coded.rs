//! The fastest `score()`: a lead crosses into Rust as numbers only.
//!
//! A call through napi-rs costs a few hundred nanoseconds before any work (argument
//! and `this` unwrapping), and every string read through N-API costs more. So once a
//! `Model` has scored a few leads, it gets own `score` and `scoreBatch` properties
//! (the batch is the reader in a loop): `score` is a JavaScript
//! function that reads the model's input fields with property loads the JIT compiles
//! (the constant factory below generates it, field names escaped by
//! `JSON.stringify`), writes numbers and booleans into a `Float64Array` and maps each
//! category string to its level code with a `Map` built from the model's own levels
//! ([`leadscore::Model::coded_scorer`]), then calls a raw N-API function that scores
//! those two arrays in Rust ([`leadscore::CodedScorer::logit`]). The arrays live in
//! memory the function owns, so the call carries no argument at all.
//!
//! Every rule about values stays in the core: the reader only sorts JavaScript types,
//! and anything but a number, a boolean, `null`/`undefined` or an exact level string
//! (a numeric string, an unseen level, a wrong type, a value the core refuses) sends
//! the lead to the prototype's `score`, the full path, which scores it or throws the
//! error naming the field. Both paths give the same bits (the coded scorer computes
//! what `Model::logit` computes for the same values in a record laid out for the
//! model; tested in the core and against the fixtures).

use crate::convert::Key;
use crate::pluck::{call_function, compiled_script, ScriptSlot};
use leadscore::{CodedInput, CodedScorer, CODE_MISSING};
use napi::bindgen_prelude::{JsObjectValue, Object};
use napi::{sys, Env, JsValue};
use std::ffi::c_void;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::ptr;
use std::sync::Arc;

/// Constant source (field names reach the generated code only through
/// `JSON.stringify`, as string literals): evaluates to the function that defines the
/// own `score` and `scoreBatch` of `self`. The reader's code depends only on the field list (and the
/// levels of small categories, compared inline), so it is compiled once per such list
/// (up to 256 kept per environment).
const CODED_JS: &str = r#"(function () {
  'use strict';
  // Generated readers by field list (names and kinds): models with the same inputs
  // (a store's tenants, a model loaded again) share one compiled reader.
  const readers = new Map();
  // A category of up to INLINE levels is matched by a chain of comparisons with
  // its levels as literals (cheaper than a Map lookup); a larger one by its Map.
  const INLINE = 8;
  function reader(keys, kinds, levels) {
    const inline = levels.map((l, i) => (kinds[i] === 1 && l.length <= INLINE ? l : null));
    const sig = JSON.stringify([keys, kinds, inline]);
    let make = readers.get(sig);
    if (make !== undefined) return make;
    let body = '';
    for (let i = 0; i < keys.length; i++) {
      const k = JSON.stringify(keys[i]);
      // Object.prototype's properties (constructor, toString...) are not fields of
      // every lead: such a name is read only as an own property.
      const read = keys[i] in Object.prototype
        ? `v = Object.prototype.hasOwnProperty.call(lead, ${k}) ? lead[${k}] : undefined; `
        : `v = lead[${k}]; `;
      if (kinds[i] === 1) {
        let find = `vocab[${i}].get(v)`;
        if (inline[i] !== null) {
          find = 'undefined';
          for (let j = inline[i].length - 1; j >= 0; j--) {
            if (inline[i][j] !== '') find = `v === ${JSON.stringify(inline[i][j])} ? ${j} : ${find}`;
          }
        }
        body += read + `if (typeof v === 'string') { c = ${find}; if (c === undefined) return slow(lead); codes[${i}] = c } else if (v === undefined || v === null) codes[${i}] = 0xFFFFFFFF; else return slow(lead);\n`;
      } else {
        body += read + `if (typeof v === 'number') nums[${i}] = v; else if (typeof v === 'boolean') nums[${i}] = v ? 1 : 0; else if (v === undefined || v === null) nums[${i}] = NaN; else return slow(lead);\n`;
      }
    }
    make = new Function('vocab', 'nums', 'codes', 'fast', 'slow',
      "'use strict'; return function score(lead) {\n" +
      "if (typeof lead !== 'object' || lead === null || Array.isArray(lead)) return slow(lead);\n" +
      'let v, c;\n' + body +
      'return fast() ? nums[' + keys.length + '] : slow(lead);\n}');
    if (readers.size >= 256) readers.clear();
    readers.set(sig, make);
    return make;
  }
  return function (self, keys, kinds, levels, nums, codes, fast) {
    const proto = Object.getPrototypeOf(self).score;
    const slow = (lead) => proto.call(self, lead);
    const vocab = levels.map((l, i) => {
      if (kinds[i] !== 1) return null;
      const m = new Map();
      l.forEach((s, j) => { if (s !== '') m.set(s, j) });
      return m;
    });
    const score = reader(keys, kinds, levels)(vocab, nums, codes, fast, slow);
    const batch = Object.getPrototypeOf(self).scoreBatch;
    // Lead by lead with the reader; on any error the full batch path scores them
    // again and throws its error (which names the lead's index).
    function scoreBatch(leads) {
      if (!Array.isArray(leads)) return batch.call(self, leads);
      const out = new Float64Array(leads.length);
      try {
        for (let i = 0; i < leads.length; i++) out[i] = score(leads[i]);
      } catch (e) {
        return batch.call(self, leads);
      }
      return out;
    }
    const own = { writable: true, configurable: true, enumerable: false };
    Object.defineProperty(self, 'score', { value: score, ...own });
    Object.defineProperty(self, 'scoreBatch', { value: scoreBatch, ...own });
  };
})()"#;

thread_local! {
    /// [`CODED_JS`] compiled in this thread's environment.
    static FACTORY: ScriptSlot = const { std::cell::RefCell::new(None) };
}

/// What the raw scoring function owns: the model's [`CodedScorer`] (its own copy of
/// the coefficients, so a collected `Model` frees its memory at once even though V8
/// collects this function some cycles later) and the two arrays the reader fills
/// (allocated here, seen by JavaScript as external `ArrayBuffer`s).
struct State {
    scorer: CodedScorer,
    /// Bytes reported to V8 as external memory (returned when freed), so that a
    /// loop creating models collects their functions as eagerly as the models.
    external: i64,
    n: usize,
    nums: *mut f64,
    codes: *mut u32,
}

impl State {
    fn new(scorer: CodedScorer, n: usize) -> State {
        // One more number: where the probability is written back.
        let nums = Box::into_raw(vec![f64::NAN; n + 1].into_boxed_slice()).cast::<f64>();
        let codes = Box::into_raw(vec![CODE_MISSING; n].into_boxed_slice()).cast::<u32>();
        State {
            scorer,
            external: 0,
            n,
            nums,
            codes,
        }
    }
}

impl Drop for State {
    fn drop(&mut self) {
        // SAFETY: both pointers come from `Box::into_raw` of boxed slices of exactly
        // `n` elements in `State::new`, and are freed only here, once.
        unsafe {
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                self.nums,
                self.n + 1,
            )));
            drop(Box::from_raw(ptr::slice_from_raw_parts_mut(
                self.codes, self.n,
            )));
        }
    }
}

/// The raw N-API function: scores the lead in the state's arrays and writes the
/// probability after them (`nums[n]`); returns `true`, or `false` when the core
/// refuses a value (the reader then takes the full path). A boolean is one of V8's
/// constants: the call allocates nothing.
unsafe extern "C" fn fast_score(
    env: sys::napi_env,
    info: sys::napi_callback_info,
) -> sys::napi_value {
    let mut data: *mut c_void = ptr::null_mut();
    let mut argc = 0usize;
    // SAFETY: called by N-API with its own `env` and `info`; no arguments are read
    // (argc 0), only the function's data pointer.
    let status = unsafe {
        sys::napi_get_cb_info(
            env,
            info,
            &mut argc,
            ptr::null_mut(),
            ptr::null_mut(),
            &mut data,
        )
    };
    let ok = status == sys::Status::napi_ok
        && !data.is_null()
        // SAFETY: `data` is the `State` this function was created with, kept alive
        // until the function's finalizer runs (which cannot happen during a call).
        // No JavaScript runs during this call, so nothing else reads or writes the
        // arrays meanwhile; `nums` holds `n + 1` initialised elements, `codes` `n`.
        && catch_unwind(AssertUnwindSafe(|| unsafe {
            let st = &*data.cast::<State>();
            let nums = std::slice::from_raw_parts(st.nums, st.n);
            let codes = std::slice::from_raw_parts(st.codes, st.n);
            match st.scorer.logit(nums, codes) {
                Ok(z) => {
                    st.nums.add(st.n).write(leadscore::model::sigmoid(z));
                    true
                }
                Err(_) => false,
            }
        }))
        .unwrap_or(false);
    let mut out = ptr::null_mut();
    // SAFETY: `env` is the calling environment; `out` receives the value.
    unsafe { sys::napi_get_boolean(env, ok, &mut out) };
    out
}

/// Frees a function's `State` when V8 collects the function.
unsafe extern "C" fn drop_state(env: sys::napi_env, data: *mut c_void, _hint: *mut c_void) {
    if !data.is_null() {
        // SAFETY: `data` is the `Box<State>` leaked in `install`, given to exactly
        // this one finalizer; `env` is the environment it was reported to.
        unsafe {
            let state = Box::from_raw(data.cast::<State>());
            if state.external > 0 {
                let mut total = 0i64;
                sys::napi_adjust_external_memory(env, -state.external, &mut total);
            }
            drop(state);
        }
    }
}

fn check(status: sys::napi_status, what: &str) -> napi::Result<()> {
    if status == sys::Status::napi_ok {
        Ok(())
    } else {
        Err(napi::Error::from_reason(format!(
            "coded score path: {what} failed (status {status})"
        )))
    }
}

/// An external typed array over `len` elements at `data` (memory the caller keeps
/// alive for as long as the array can be used).
///
/// # Safety
///
/// `data` must point at `len` elements of the array's type that outlive every use of
/// the returned array.
unsafe fn external_array(
    env: &Env,
    data: *mut c_void,
    bytes: usize,
    ty: sys::napi_typedarray_type,
    len: usize,
) -> napi::Result<sys::napi_value> {
    let mut buf = ptr::null_mut();
    let mut arr = ptr::null_mut();
    // SAFETY: per this function's contract; no finalizer (the memory belongs to the
    // `State`).
    unsafe {
        check(
            sys::napi_create_external_arraybuffer(
                env.raw(),
                data,
                bytes,
                None,
                ptr::null_mut(),
                &mut buf,
            ),
            "external buffer",
        )?;
        check(
            sys::napi_create_typedarray(env.raw(), ty, len, buf, 0, &mut arr),
            "typed array",
        )?;
    }
    Ok(arr)
}

/// Gives `this` (a `Model` object) its own coded `score` and `scoreBatch`. Returns
/// `false`, changing nothing, when the model's pipeline cannot take the coded path.
pub fn install(
    env: &Env,
    this: &Object,
    model: &Arc<leadscore::Model>,
    keys: &[Key],
) -> napi::Result<bool> {
    let Some((inputs, scorer)) = model.coded_scorer() else {
        return Ok(false);
    };
    let n = keys.len();
    if inputs.len() != n {
        return Ok(false);
    }
    let factory = compiled_script(env, CODED_JS, &FACTORY)?;
    let mut state = Box::new(State::new(scorer, n));
    // The arrays, the scorer's coefficients and the reader's share, roughly.
    let external = (64 * n + 8 * model.coefficients().len() + 1024) as i64;
    let mut total = 0i64;
    // SAFETY: a plain counter update on the calling environment.
    if unsafe { sys::napi_adjust_external_memory(env.raw(), external, &mut total) }
        == sys::Status::napi_ok
    {
        state.external = external;
    }
    let state = Box::into_raw(state);
    // SAFETY: `state` was just leaked; it is read through below while the function
    // that owns it (after `napi_add_finalizer`) is alive in this scope.
    let (nums_ptr, codes_ptr) = unsafe { ((*state).nums, (*state).codes) };
    let mut fast = ptr::null_mut();
    // SAFETY: a plain function with `state` as its data; on failure the state is
    // freed here (no finalizer owns it yet).
    unsafe {
        let name = c"fastScore";
        let made = sys::napi_create_function(
            env.raw(),
            name.as_ptr(),
            name.count_bytes() as isize,
            Some(fast_score),
            state.cast(),
            &mut fast,
        );
        let owned = made == sys::Status::napi_ok
            && sys::napi_add_finalizer(
                env.raw(),
                fast,
                state.cast(),
                Some(drop_state),
                ptr::null_mut(),
                ptr::null_mut(),
            ) == sys::Status::napi_ok;
        if !owned {
            let state = Box::from_raw(state);
            if state.external > 0 {
                let mut total = 0i64;
                sys::napi_adjust_external_memory(env.raw(), -state.external, &mut total);
            }
            drop(state);
            return Err(napi::Error::from_reason(
                "coded score path: cannot create the function",
            ));
        }
    }
    // SAFETY: the arrays' memory belongs to `state`, which lives until `fast` is
    // collected; the generated reader holds `fast` and both arrays together, so the
    // arrays are never used after the memory is freed.
    let (nums, codes) = unsafe {
        (
            external_array(
                env,
                nums_ptr.cast(),
                (n + 1) * 8,
                sys::TypedarrayType::float64_array,
                n + 1,
            )?,
            external_array(
                env,
                codes_ptr.cast(),
                n * 4,
                sys::TypedarrayType::uint32_array,
                n,
            )?,
        )
    };
    let mut names = env.create_array(n as u32)?;
    let mut kinds = env.create_array(n as u32)?;
    let mut levels = env.create_array(n as u32)?;
    for (i, (k, how)) in keys.iter().zip(&inputs).enumerate() {
        let i = i as u32;
        names.set_element(i, env.create_string(&k.name)?)?;
        match how {
            CodedInput::Number => {
                kinds.set_element(i, env.create_uint32(0)?)?;
                levels.set_element(i, env.create_array(0)?)?;
            }
            CodedInput::Levels(ls) => {
                kinds.set_element(i, env.create_uint32(1)?)?;
                let mut arr = env.create_array(ls.len() as u32)?;
                for (j, l) in ls.iter().enumerate() {
                    arr.set_element(j as u32, env.create_string(l)?)?;
                }
                levels.set_element(i, arr)?;
            }
        }
    }
    let argv = [
        this.raw(),
        names.raw(),
        kinds.raw(),
        levels.raw(),
        nums,
        codes,
        fast,
    ];
    let called = call_function(env, factory.raw(), &argv);
    if let Err(status) = called {
        // Leave no exception behind: the lead is still scored by the full path.
        let mut pending = false;
        let mut exc = ptr::null_mut();
        // SAFETY: plain status queries on the calling environment.
        unsafe {
            sys::napi_is_exception_pending(env.raw(), &mut pending);
            if pending {
                sys::napi_get_and_clear_last_exception(env.raw(), &mut exc);
            }
        }
        return check(status, "building the reader").map(|_| false);
    }
    Ok(true)
}
