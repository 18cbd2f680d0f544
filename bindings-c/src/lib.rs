//! # libleadscore: the C ABI of leadscore
//!
//! Every function returns an [`ls_status`] (`LS_STATUS_OK` is 0) and passes results
//! through out-parameters; on failure the out-parameters are left untouched and
//! `ls_last_error_message()` says what went wrong (per thread). No panic crosses the
//! boundary: every body runs inside `ffi_boundary!`. Objects are opaque handles that
//! the caller frees with the matching `*_free`; `*_free(NULL)` is a no-op and freeing
//! a handle twice is detected and ignored. Strings that leadscore returns are freed
//! with `ls_string_free`, bytes with `ls_bytes_free`. Numeric output buffers are
//! allocated by the caller.
//!
//! ```c
//! ls_model *model = NULL;
//! if (ls_model_load("churn.lsm", &model) != LS_STATUS_OK) {
//!     fprintf(stderr, "%s\n", ls_last_error_message());
//!     return 1;
//! }
//! ls_record *lead = NULL;
//! ls_record_new(model, &lead);
//! ls_record_set_f64(lead, "tenure", 6, 2.0);
//! ls_record_set_str(lead, "contract", 8, "Month-to-month", 14);
//! ls_score s;
//! ls_model_score(model, lead, &s);       /* s.probability, s.score (1..99), s.label */
//! ls_record_free(lead);
//! ls_model_free(model);
//! ```
//!
//! A model is immutable: one `ls_model` may be scored from many threads at once. A
//! record or a batch belongs to one thread at a time.
#![deny(missing_docs)]
#![allow(non_camel_case_types)]

pub mod ffi;
mod mass;
mod model;
mod record;
mod store;

pub use ffi::ls_status;
pub use mass::*;
pub use model::*;
pub use record::*;
pub use store::*;

use std::ffi::c_char;

/// Major version of the library (the workspace version).
pub const LS_VERSION_MAJOR: u32 = 0;
/// Minor version of the library.
pub const LS_VERSION_MINOR: u32 = 1;
/// Patch version of the library.
pub const LS_VERSION_PATCH: u32 = 0;
/// The ABI version: raised whenever a function's signature or a struct's layout
/// changes incompatibly. Adding functions does not change it.
pub const LS_ABI_VERSION: u32 = 1;

/// The library version as a static NUL-terminated string (`"0.1.0"`); never free it.
#[no_mangle]
pub extern "C" fn ls_version() -> *const c_char {
    static V: &std::ffi::CStr = {
        match std::ffi::CStr::from_bytes_with_nul(
            concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes(),
        ) {
            Ok(c) => c,
            Err(_) => c"?",
        }
    };
    V.as_ptr()
}

/// The ABI version of the loaded library ([`LS_ABI_VERSION`] when it was built);
/// compare it with the header's `LS_ABI_VERSION` at start-up.
#[no_mangle]
pub extern "C" fn ls_abi_version() -> u32 {
    LS_ABI_VERSION
}

/// The message of the last failed call on this thread, as a NUL-terminated UTF-8
/// string owned by leadscore (empty when nothing failed yet). It stays valid until
/// the next failing call on this thread; copy it to keep it. Successful calls do not
/// clear it. Never NULL.
#[no_mangle]
pub extern "C" fn ls_last_error_message() -> *const c_char {
    std::panic::catch_unwind(ffi::last_error_ptr).unwrap_or(c"".as_ptr())
}

/// The stable name of a status code (`"INVALID_INPUT"`), as a static string; never
/// free it. Unknown numbers give `"UNKNOWN"`.
#[no_mangle]
pub extern "C" fn ls_status_name(status: i32) -> *const c_char {
    let name = ls_status::ALL
        .iter()
        .find(|s| **s as i32 == status)
        .map_or("UNKNOWN", |s| s.name());
    // The names are static ASCII; build a static NUL-terminated copy per name.
    static NAMES: [&std::ffi::CStr; 13] = [
        c"OK",
        c"INVALID_INPUT",
        c"MODEL_FORMAT",
        c"INSUFFICIENT_DATA",
        c"IO",
        c"UNKNOWN_COLUMN",
        c"TRAINING",
        c"NOT_FOUND",
        c"INTERNAL",
        c"NULL_ARGUMENT",
        c"BUFFER_TOO_SMALL",
        c"PANIC",
        c"UNKNOWN",
    ];
    NAMES
        .iter()
        .find(|c| c.to_bytes() == name.as_bytes())
        .map_or(c"UNKNOWN".as_ptr(), |c| c.as_ptr())
}

/// Frees a string returned by leadscore (`ls_model_to_json`, `ls_model_explain_json`,
/// ...). NULL is a no-op; a string freed twice is detected and ignored.
///
/// # Safety
/// `s` is NULL or a string returned by leadscore that is not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn ls_string_free(s: *mut c_char) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract; free_string checks that s is a live string.
        unsafe { ffi::free_string(s) }
    });
}

/// Frees bytes returned by `ls_model_to_bytes`. NULL is a no-op; bytes freed twice are
/// detected and ignored.
///
/// # Safety
/// `bytes` is NULL or a pointer returned by `ls_model_to_bytes` not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn ls_bytes_free(bytes: *mut u8) {
    let _ = std::panic::catch_unwind(|| {
        // SAFETY: forwarded contract; free_bytes checks that bytes are live.
        unsafe { ffi::free_bytes(bytes) }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_constants_match_the_workspace() {
        assert_eq!(
            format!("{LS_VERSION_MAJOR}.{LS_VERSION_MINOR}.{LS_VERSION_PATCH}"),
            env!("CARGO_PKG_VERSION")
        );
        // SAFETY: ls_version returns a static NUL-terminated string.
        let v = unsafe { std::ffi::CStr::from_ptr(ls_version()) };
        assert_eq!(v.to_str().unwrap(), lscore::VERSION);
    }

    #[test]
    fn status_names() {
        for s in ls_status::ALL {
            // SAFETY: ls_status_name returns a static NUL-terminated string.
            let n = unsafe { std::ffi::CStr::from_ptr(ls_status_name(s as i32)) };
            assert_eq!(n.to_str().unwrap(), s.name());
        }
        // SAFETY: as above.
        let n = unsafe { std::ffi::CStr::from_ptr(ls_status_name(12345)) };
        assert_eq!(n.to_str().unwrap(), "UNKNOWN");
    }
}
