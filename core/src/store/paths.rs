//! Where a store keeps its files: the one place that knows the layout
//! `<root>/<tenant>/<name>.lsm` (the model), `<name>.json` (its training summary or
//! a marker) and `<name>.scores.json` (drift counts), and which names are allowed.
//! The store and the drift report both read through it.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The tenant folder that holds the fallback models.
pub const GLOBAL_TENANT: &str = "_global";
/// The extension of model files.
pub const MODEL_EXT: &str = "lsm";
/// The extension of the training summary written beside each model.
pub const SUMMARY_EXT: &str = "json";

/// Extension of the drift counts file beside a model (`<name>.scores.json`).
pub const COUNTS_EXT: &str = "scores.json";

/// Checks a tenant or model name: 1 to 255 bytes, not `.` or `..`, not starting with
/// a dot, no `/`, `\`, NUL or other control characters — so no name can reach outside
/// the store's root.
pub fn validate_name(what: &str, name: &str) -> Result<()> {
    let bad = |why: &str| {
        Err(Error::InvalidInput(format!(
            "invalid {what} name {name:?}: {why}"
        )))
    };
    if name.is_empty() {
        return bad("empty");
    }
    if name.len() > 255 {
        return bad("longer than 255 bytes");
    }
    if name.starts_with('.') {
        return bad("starts with a dot");
    }
    if name
        .chars()
        .any(|c| c == '/' || c == '\\' || c.is_control())
    {
        return bad("contains a path separator or a control character");
    }
    if Path::new(name).is_absolute() || name.contains(':') && cfg!(windows) {
        return bad("absolute path");
    }
    Ok(())
}

/// The file of a tenant's model `<root>/<tenant>/<name>.lsm` (names validated).
pub fn model_file(root: &Path, tenant: &str, name: &str) -> Result<PathBuf> {
    file(root, tenant, name, MODEL_EXT)
}

/// The training summary beside a tenant's model (names validated).
pub fn summary_file(root: &Path, tenant: &str, name: &str) -> Result<PathBuf> {
    file(root, tenant, name, SUMMARY_EXT)
}

/// The drift counts beside a tenant's model (names validated).
pub fn counts_file(root: &Path, tenant: &str, name: &str) -> Result<PathBuf> {
    file(root, tenant, name, COUNTS_EXT)
}

fn file(root: &Path, tenant: &str, name: &str, ext: &str) -> Result<PathBuf> {
    validate_name("tenant", tenant)?;
    validate_name("model", name)?;
    Ok(root.join(tenant).join(format!("{name}.{ext}")))
}

/// The folders of a store's root with a valid tenant name, the fallback's included,
/// in the order the file system lists them.
pub fn tenant_dirs(root: &Path) -> Result<Vec<String>> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(root)
        .map_err(|e| Error::io(root, e))?
        .flatten()
    {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            if let Some(n) = e.file_name().to_str() {
                if validate_name("tenant", n).is_ok() {
                    out.push(n.to_owned());
                }
            }
        }
    }
    Ok(out)
}
