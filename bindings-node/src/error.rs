//! The one place core errors become JavaScript errors.
//!
//! Every failure reaches JavaScript as an `Error` whose `code` is the core
//! [`leadscore::ErrorCode`] name (`'INVALID_INPUT'`, `'MODEL_FORMAT'`,
//! `'INSUFFICIENT_DATA'`, `'IO'`, `'UNKNOWN_COLUMN'`, `'TRAINING'`, `'NOT_FOUND'`,
//! `'INTERNAL'`) and whose `message` is the core message (which names the field,
//! line or byte at fault).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A JavaScript error: napi-rs throws it as `Error` with `code` set to the string.
pub type JsError = napi::Error<&'static str>;

/// The result type of every exported function (named `Result` so that
/// `#[napi]` recognises it and throws the error).
pub type Result<T> = std::result::Result<T, JsError>;

/// The code for a panic caught at the boundary (a bug inside leadscore).
pub const INTERNAL: &str = "INTERNAL";

/// A failure that can cross threads (computed on the libuv pool, thrown on the
/// JavaScript thread).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The stable code name.
    pub code: &'static str,
    /// The one-line message.
    pub message: String,
}

impl From<leadscore::Error> for Failure {
    fn from(e: leadscore::Error) -> Self {
        Failure {
            code: e.code().as_str(),
            message: e.to_string(),
        }
    }
}

impl From<Failure> for JsError {
    fn from(f: Failure) -> Self {
        napi::Error::new(f.code, f.message)
    }
}

/// Converts a core error into a JavaScript error.
pub fn js_err(e: leadscore::Error) -> JsError {
    Failure::from(e).into()
}

/// Converts a napi-rs error (a failed N-API call) into a JavaScript error. These
/// only happen when a value is not what N-API expected, so they are input errors.
pub fn napi_err(e: napi::Error) -> JsError {
    napi::Error::new("INVALID_INPUT", e.reason.clone())
}

/// The message of a caught panic payload.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_owned()
    }
}

/// The failure for a caught panic.
pub fn panic_failure(what: &str, payload: &(dyn Any + Send)) -> Failure {
    Failure {
        code: INTERNAL,
        message: format!(
            "internal error: panic in {what}: {} (please report this bug)",
            panic_message(payload)
        ),
    }
}

/// Runs the body of an exported function so that no panic crosses into
/// JavaScript: a panic becomes an `Error` with code `'INTERNAL'`.
pub fn guard<T>(what: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => Err(panic_failure(what, payload.as_ref()).into()),
    }
}

/// Runs a computation on a worker thread, turning a core error or a panic into a
/// [`Failure`] (so the task's Promise is always settled).
pub fn guard_task<T>(
    what: &str,
    f: impl FnOnce() -> leadscore::Result<T>,
) -> std::result::Result<T, Failure> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r.map_err(Failure::from),
        Err(payload) => Err(panic_failure(what, payload.as_ref())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_come_from_core() {
        let f = Failure::from(leadscore::Error::InvalidValue {
            field: "calls".into(),
            message: "expected a number".into(),
        });
        assert_eq!(f.code, "INVALID_INPUT");
        assert!(f.message.contains("\"calls\""));
        let f = guard_task::<()>("test", || panic!("boom"));
        assert_eq!(f.unwrap_err().code, INTERNAL);
    }
}
