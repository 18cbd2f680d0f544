//! Helpers shared by the CLI's integration tests (each test file uses some of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A file of `examples/data`.
pub fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
}

/// Runs the `leadscore` binary.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadscore"))
        .args(args)
        .output()
        .expect("binary runs")
}

/// Standard output of a run that must have succeeded.
pub fn text(o: &Output) -> String {
    assert!(
        o.status.success(),
        "failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard output of a run that must have succeeded, as JSON.
pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_str(&text(o)).expect("JSON output")
}

/// `name` in a temporary folder of this process for `scope` (created).
pub fn tmp(scope: &str, name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("leadscore-cli-{scope}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d.join(name)
}
