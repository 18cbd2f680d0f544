//! The machinery every entry point shares: the status codes, the per-thread last
//! error, the `ffi_boundary!` wrapper (panics and NULL arguments become statuses),
//! argument readers, and handle ownership (create, check, free).
//!
//! Adding a new object (the store of issue 6) takes three steps: a struct, a
//! [`Kind`] variant, and `ls_<object>_free` calling [`free_handle`]; every entry
//! point body is `ffi_boundary! { ... }` using the `arg*` readers below.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Mutex;

/// The result of every call. `LS_STATUS_OK` is 0; other values say what failed, and
/// `ls_last_error_message()` says why. Values 1–99 are the core's stable error codes;
/// 100 and up are ABI-level failures.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(non_camel_case_types)]
pub enum ls_status {
    /// Success.
    LS_STATUS_OK = 0,
    /// Bad input data or arguments: a malformed CSV, a value of the wrong kind for a
    /// field, a bad option, a string that is not UTF-8.
    LS_STATUS_INVALID_INPUT = 1,
    /// Bytes or a file that are not a valid leadscore model.
    LS_STATUS_MODEL_FORMAT = 2,
    /// Too few rows or positives to train.
    LS_STATUS_INSUFFICIENT_DATA = 3,
    /// An operating-system I/O failure (file not found, permission denied, disk full).
    LS_STATUS_IO = 4,
    /// A column named by the caller (the target, a kind override) is not in the data.
    LS_STATUS_UNKNOWN_COLUMN = 5,
    /// Training failed numerically.
    LS_STATUS_TRAINING = 6,
    /// No model answers: a store has no model for the tenant, and no fallback one.
    LS_STATUS_NOT_FOUND = 7,
    /// A broken internal invariant (a bug: please report it).
    LS_STATUS_INTERNAL = 99,
    /// A required pointer argument was NULL.
    LS_STATUS_NULL_ARGUMENT = 100,
    /// A caller-allocated output buffer is shorter than the result.
    LS_STATUS_BUFFER_TOO_SMALL = 101,
    /// leadscore panicked; the panic was caught at the boundary (a bug: please report
    /// it). The objects passed in are still valid.
    LS_STATUS_PANIC = 102,
}

impl ls_status {
    /// The stable upper-snake-case name of a status.
    pub fn name(self) -> &'static str {
        match self {
            ls_status::LS_STATUS_OK => "OK",
            ls_status::LS_STATUS_INVALID_INPUT => "INVALID_INPUT",
            ls_status::LS_STATUS_MODEL_FORMAT => "MODEL_FORMAT",
            ls_status::LS_STATUS_INSUFFICIENT_DATA => "INSUFFICIENT_DATA",
            ls_status::LS_STATUS_IO => "IO",
            ls_status::LS_STATUS_UNKNOWN_COLUMN => "UNKNOWN_COLUMN",
            ls_status::LS_STATUS_TRAINING => "TRAINING",
            ls_status::LS_STATUS_NOT_FOUND => "NOT_FOUND",
            ls_status::LS_STATUS_INTERNAL => "INTERNAL",
            ls_status::LS_STATUS_NULL_ARGUMENT => "NULL_ARGUMENT",
            ls_status::LS_STATUS_BUFFER_TOO_SMALL => "BUFFER_TOO_SMALL",
            ls_status::LS_STATUS_PANIC => "PANIC",
        }
    }

    /// Every status, for lookups by number.
    pub(crate) const ALL: [ls_status; 12] = [
        ls_status::LS_STATUS_OK,
        ls_status::LS_STATUS_INVALID_INPUT,
        ls_status::LS_STATUS_MODEL_FORMAT,
        ls_status::LS_STATUS_INSUFFICIENT_DATA,
        ls_status::LS_STATUS_IO,
        ls_status::LS_STATUS_UNKNOWN_COLUMN,
        ls_status::LS_STATUS_TRAINING,
        ls_status::LS_STATUS_NOT_FOUND,
        ls_status::LS_STATUS_INTERNAL,
        ls_status::LS_STATUS_NULL_ARGUMENT,
        ls_status::LS_STATUS_BUFFER_TOO_SMALL,
        ls_status::LS_STATUS_PANIC,
    ];
}

/// A failed call: the status to return and the message to keep for
/// `ls_last_error_message()`.
#[derive(Debug)]
pub struct Failure {
    pub(crate) status: ls_status,
    pub(crate) message: String,
}

impl Failure {
    /// A failure with a status and a message.
    pub fn new(status: ls_status, message: impl Into<String>) -> Self {
        Failure {
            status,
            message: message.into(),
        }
    }

    /// A NULL pointer was passed for `name`.
    pub fn null(name: &str) -> Self {
        Failure::new(
            ls_status::LS_STATUS_NULL_ARGUMENT,
            format!("argument \"{name}\" is NULL"),
        )
    }

    /// An invalid argument.
    pub fn invalid(message: impl Into<String>) -> Self {
        Failure::new(ls_status::LS_STATUS_INVALID_INPUT, message)
    }
}

impl From<lscore::Error> for Failure {
    fn from(e: lscore::Error) -> Self {
        use lscore::ErrorCode as C;
        let status = match e.code() {
            C::InvalidInput => ls_status::LS_STATUS_INVALID_INPUT,
            C::ModelFormat => ls_status::LS_STATUS_MODEL_FORMAT,
            C::InsufficientData => ls_status::LS_STATUS_INSUFFICIENT_DATA,
            C::Io => ls_status::LS_STATUS_IO,
            C::UnknownColumn => ls_status::LS_STATUS_UNKNOWN_COLUMN,
            C::Training => ls_status::LS_STATUS_TRAINING,
            C::NotFound => ls_status::LS_STATUS_NOT_FOUND,
            _ => ls_status::LS_STATUS_INTERNAL,
        };
        Failure::new(status, e.to_string())
    }
}

/// The result type of entry-point bodies.
pub type FfiResult<T = ()> = Result<T, Failure>;

thread_local! {
    static LAST_ERROR: RefCell<CString> = RefCell::new(CString::default());
}

/// Keeps `message` as this thread's last error (interior NUL bytes are escaped).
pub(crate) fn set_last_error(message: &str) {
    let c = CString::new(message.replace('\0', "\\0")).unwrap_or_default();
    // `try_with`: during thread teardown the slot may be gone; then there is nowhere
    // to keep the message, and the status alone reports the failure.
    let _ = LAST_ERROR.try_with(|slot| {
        if let Ok(mut s) = slot.try_borrow_mut() {
            *s = c;
        }
    });
}

/// A pointer to this thread's last error message (an empty string when none).
pub(crate) fn last_error_ptr() -> *const c_char {
    static EMPTY: &CStr = c"";
    LAST_ERROR
        .try_with(|slot| slot.try_borrow().map_or(EMPTY.as_ptr(), |s| s.as_ptr()))
        .unwrap_or(EMPTY.as_ptr())
}

/// Runs an entry-point body: a panic becomes `LS_STATUS_PANIC`, an `Err` its status;
/// both keep their message as the thread's last error. Success leaves the last error
/// as it was.
pub fn boundary(body: impl FnOnce() -> FfiResult) -> ls_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => ls_status::LS_STATUS_OK,
        Ok(Err(f)) => {
            set_last_error(&f.message);
            f.status
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            // Dropping the payload could itself panic; leak it rather than unwind
            // across the boundary.
            std::mem::forget(payload);
            set_last_error(&format!("internal panic (please report): {what}"));
            ls_status::LS_STATUS_PANIC
        }
    }
}

/// Wraps the body of every `extern "C"` function: `ffi_boundary! { ...; Ok(()) }`
/// (see [`boundary`]).
#[macro_export]
#[doc(hidden)]
macro_rules! ffi_boundary {
    ($($body:tt)*) => {
        $crate::ffi::boundary(move || -> $crate::ffi::FfiResult { $($body)* })
    };
}

/// Borrows `*p`, or fails with `LS_STATUS_NULL_ARGUMENT` naming `name`.
///
/// # Safety
/// `p` is NULL or points to a live `T` that is not mutated during `'a`.
pub unsafe fn arg<'a, T>(p: *const T, name: &str) -> FfiResult<&'a T> {
    // SAFETY: the caller guarantees p is NULL or valid; as_ref handles NULL.
    unsafe { p.as_ref() }.ok_or_else(|| Failure::null(name))
}

/// Mutably borrows `*p`, or fails with `LS_STATUS_NULL_ARGUMENT` naming `name`.
///
/// # Safety
/// `p` is NULL or points to a live `T` not otherwise accessed during `'a`.
pub unsafe fn arg_mut<'a, T>(p: *mut T, name: &str) -> FfiResult<&'a mut T> {
    // SAFETY: the caller guarantees p is NULL or valid and unaliased.
    unsafe { p.as_mut() }.ok_or_else(|| Failure::null(name))
}

/// Borrows `len` bytes at `p` (`p` may be NULL when `len` is 0).
///
/// # Safety
/// `p` is NULL or valid for reads of `len` bytes during `'a`.
pub unsafe fn arg_bytes<'a>(p: *const u8, len: usize, name: &str) -> FfiResult<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    if p.is_null() {
        return Err(Failure::null(name));
    }
    if len > isize::MAX as usize {
        return Err(Failure::invalid(format!(
            "argument \"{name}\": length {len} is too large"
        )));
    }
    // SAFETY: p is non-NULL and the caller guarantees len readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Borrows `len` bytes at `p` as UTF-8 text.
///
/// # Safety
/// As [`arg_bytes`].
pub unsafe fn arg_str<'a>(p: *const c_char, len: usize, name: &str) -> FfiResult<&'a str> {
    // SAFETY: forwarded contract.
    let b = unsafe { arg_bytes(p.cast(), len, name) }?;
    std::str::from_utf8(b)
        .map_err(|e| Failure::invalid(format!("argument \"{name}\" is not valid UTF-8: {e}")))
}

/// Borrows a NUL-terminated string.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string live during `'a`.
pub unsafe fn arg_cstr<'a>(p: *const c_char, name: &str) -> FfiResult<&'a CStr> {
    if p.is_null() {
        return Err(Failure::null(name));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    Ok(unsafe { CStr::from_ptr(p) })
}

/// Borrows a NUL-terminated UTF-8 string.
///
/// # Safety
/// As [`arg_cstr`].
pub unsafe fn arg_cstr_utf8<'a>(p: *const c_char, name: &str) -> FfiResult<&'a str> {
    // SAFETY: forwarded contract.
    unsafe { arg_cstr(p, name) }?
        .to_str()
        .map_err(|e| Failure::invalid(format!("argument \"{name}\" is not valid UTF-8: {e}")))
}

/// A path from a NUL-terminated string (any bytes on Unix; UTF-8 elsewhere).
///
/// # Safety
/// As [`arg_cstr`].
pub unsafe fn arg_path<'a>(p: *const c_char, name: &str) -> FfiResult<&'a std::path::Path> {
    // SAFETY: forwarded contract.
    let c = unsafe { arg_cstr(p, name) }?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        Ok(std::path::Path::new(std::ffi::OsStr::from_bytes(
            c.to_bytes(),
        )))
    }
    #[cfg(not(unix))]
    {
        c.to_str()
            .map(std::path::Path::new)
            .map_err(|e| Failure::invalid(format!("argument \"{name}\" is not valid UTF-8: {e}")))
    }
}

/// Checks that an out-parameter is not NULL (before any work is done).
pub fn check_out<T>(p: *mut T, name: &str) -> FfiResult<()> {
    if p.is_null() {
        Err(Failure::null(name))
    } else {
        Ok(())
    }
}

/// Writes `v` to an out-parameter already checked with [`check_out`].
///
/// # Safety
/// `p` is non-NULL, aligned and valid for a write of `T`.
pub unsafe fn write_out<T>(p: *mut T, v: T) {
    // SAFETY: forwarded contract; write() does not drop the old (uninitialised) value.
    unsafe { p.write(v) }
}

/// What a handle given out to C is, so `*_free` can refuse a pointer it did not
/// give out, one already freed, or one of another kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `ls_model`.
    Model,
    /// `ls_record`.
    Record,
    /// `ls_batch`.
    Batch,
    /// A string freed with `ls_string_free`.
    String,
    /// `ls_store`.
    Store,
    /// Bytes freed with `ls_bytes_free` (with their length).
    Bytes(usize),
}

/// Every live handle, by address. Touched only when a handle is created or freed,
/// never on the scoring path.
static LIVE: Mutex<BTreeMap<usize, Kind>> = Mutex::new(BTreeMap::new());

fn live() -> std::sync::MutexGuard<'static, BTreeMap<usize, Kind>> {
    // The map stays consistent even if a holder panicked (inserts and removes are
    // single operations), so a poisoned lock is safe to reuse.
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// The registry's key for an address: scrambled, so leak checkers (valgrind, LSan),
/// which scan memory for pointer values, do not count a handle the caller leaked
/// as reachable through the registry.
fn key(addr: usize) -> usize {
    (addr ^ (0xA5A5_5A5A_A5A5_5A5A_u64 as usize)).rotate_left(13)
}

/// Registers a pointer given out to C.
pub(crate) fn register(addr: usize, kind: Kind) {
    live().insert(key(addr), kind);
}

/// Unregisters a pointer being freed; `false` when it is not a live handle of
/// `kind` (never given out, already freed, or of another kind).
pub(crate) fn unregister(addr: usize, kind: impl Fn(Kind) -> bool) -> Option<Kind> {
    let mut map = live();
    let addr = key(addr);
    match map.get(&addr) {
        Some(&k) if kind(k) => map.remove(&addr),
        _ => None,
    }
}

/// Boxes `v` and gives the pointer out to C as a live handle of `kind`.
pub fn into_handle<T>(v: T, kind: Kind) -> *mut T {
    let p = Box::into_raw(Box::new(v));
    register(p as usize, kind);
    p
}

/// Frees a handle made by [`into_handle`]. NULL is a no-op; a pointer that is not a
/// live handle of `kind` (a double free, a foreign pointer) is left alone and
/// reported through the last error instead of corrupting memory.
///
/// # Safety
/// If `p` is a live handle of `kind`, nothing else may use it after this call.
pub unsafe fn free_handle<T>(p: *mut T, kind: Kind, fn_name: &str) {
    if p.is_null() {
        return;
    }
    if unregister(p as usize, |k| k == kind).is_none() {
        set_last_error(&format!(
            "{fn_name}: {p:p} is not a live handle of this kind (freed twice?); ignored"
        ));
        return;
    }
    // SAFETY: p came from Box::into_raw in into_handle (it was registered as this
    // kind) and has just been unregistered, so this is the only free.
    drop(unsafe { Box::from_raw(p) });
}

/// Gives a Rust string to C as a NUL-terminated string freed with `ls_string_free`.
pub fn out_string(s: String) -> FfiResult<*mut c_char> {
    let c = CString::new(s)
        .map_err(|_| Failure::new(ls_status::LS_STATUS_INTERNAL, "string with a NUL byte"))?;
    let p = c.into_raw();
    register(p as usize, Kind::String);
    Ok(p)
}

/// Gives bytes to C, freed with `ls_bytes_free`.
pub fn out_bytes(v: Vec<u8>) -> (*mut u8, usize) {
    let len = v.len();
    let p = Box::into_raw(v.into_boxed_slice()) as *mut u8;
    register(p as usize, Kind::Bytes(len));
    (p, len)
}

/// Frees a string made by [`out_string`] (see [`free_handle`] for the checks).
///
/// # Safety
/// If `p` is a live string, nothing else may use it after this call.
pub unsafe fn free_string(p: *mut c_char) {
    if p.is_null() {
        return;
    }
    if unregister(p as usize, |k| k == Kind::String).is_none() {
        set_last_error("ls_string_free: not a live leadscore string (freed twice?); ignored");
        return;
    }
    // SAFETY: p came from CString::into_raw in out_string and is freed only here.
    drop(unsafe { CString::from_raw(p) });
}

/// Frees bytes made by [`out_bytes`].
///
/// # Safety
/// If `p` is live bytes, nothing else may use them after this call.
pub unsafe fn free_bytes(p: *mut u8) {
    if p.is_null() {
        return;
    }
    match unregister(p as usize, |k| matches!(k, Kind::Bytes(_))) {
        Some(Kind::Bytes(len)) => {
            // SAFETY: p and len came from Box<[u8]>::into_raw in out_bytes; freed once.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(p, len)) });
        }
        _ => set_last_error("ls_bytes_free: not live leadscore bytes (freed twice?); ignored"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last() -> String {
        // SAFETY: last_error_ptr returns a live NUL-terminated string.
        unsafe { CStr::from_ptr(last_error_ptr()) }
            .to_string_lossy()
            .into_owned()
    }

    #[test]
    fn every_core_code_maps_to_its_status() {
        use lscore::Error;
        let cases = [
            (
                Error::InvalidInput("x".into()),
                ls_status::LS_STATUS_INVALID_INPUT,
            ),
            (
                Error::ModelFormat("x".into()),
                ls_status::LS_STATUS_MODEL_FORMAT,
            ),
            (
                Error::InsufficientData {
                    rows: 1,
                    positives: 0,
                    min_rows: 2,
                    min_positives: 1,
                },
                ls_status::LS_STATUS_INSUFFICIENT_DATA,
            ),
            (
                Error::io("p", std::io::Error::other("x")),
                ls_status::LS_STATUS_IO,
            ),
            (
                Error::unknown_column("c", ["a"]),
                ls_status::LS_STATUS_UNKNOWN_COLUMN,
            ),
            (Error::Training("x".into()), ls_status::LS_STATUS_TRAINING),
            (
                Error::ModelNotFound {
                    tenant: "t".into(),
                    name: lscore::defaults::MODEL_NAME.into(),
                    reason: "no_model".into(),
                },
                ls_status::LS_STATUS_NOT_FOUND,
            ),
            (Error::Internal("x".into()), ls_status::LS_STATUS_INTERNAL),
        ];
        for (e, want) in cases {
            let code = e.code() as u32;
            let msg = e.to_string();
            let st = boundary(move || Err(e.into()));
            assert_eq!(st, want);
            // The numbers agree with the core's stable codes.
            assert_eq!(st as u32, code);
            assert_eq!(last(), msg);
        }
    }

    #[test]
    fn a_panic_becomes_a_status_and_a_message() {
        let st = boundary(|| panic!("boom {}", 42));
        assert_eq!(st, ls_status::LS_STATUS_PANIC);
        assert!(last().contains("boom 42"), "{}", last());
        // Success leaves the last error in place.
        assert_eq!(boundary(|| Ok(())), ls_status::LS_STATUS_OK);
        assert!(last().contains("boom 42"));
    }

    #[test]
    fn messages_with_nul_bytes_are_kept() {
        boundary(|| Err(Failure::invalid("a\0b")));
        assert_eq!(last(), "a\\0b");
    }

    #[test]
    fn double_and_foreign_frees_are_ignored() {
        let p = into_handle(5u64, Kind::Batch);
        // SAFETY: p is a live handle of kind Batch; then it is stale and must be ignored.
        unsafe {
            free_handle(p, Kind::Model, "test");
            assert!(last().contains("not a live handle"));
            free_handle(p, Kind::Batch, "test");
            free_handle(p, Kind::Batch, "test");
        }
        assert!(last().contains("freed twice"));
    }
}
