//! `leadscore report`: the page of a fixture model is the committed report, byte for
//! byte; `--compact` and `--title`; errors name what is wrong.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn fixture(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path)
}

fn run(args: &[&std::ffi::OsStr]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_leadscore"))
        .args(args)
        .output()
        .expect("binary runs")
}

#[test]
fn report_writes_the_committed_page_and_the_compact_fragment() {
    let model = fixture("tests/fixtures/models/demo_policy_v4.lsm");
    let want = std::fs::read(fixture(
        "tests/fixtures/expected/demo_policy_v4.report.html",
    ))
    .unwrap();
    let dir = std::env::temp_dir().join(format!("leadscore-cli-report-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("report.html");
    let o = run(&[
        "report".as_ref(),
        model.as_os_str(),
        "--out".as_ref(),
        out.as_os_str(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        std::fs::read(&out).unwrap() == want,
        "the page differs from the fixture"
    );
    // Standard output without --out.
    let o = run(&["report".as_ref(), model.as_os_str()]);
    assert!(o.status.success() && o.stdout == want);

    let o = run(&[
        "report".as_ref(),
        model.as_os_str(),
        "--compact".as_ref(),
        "--title".as_ref(),
        "Acme & Co".as_ref(),
    ]);
    let html = String::from_utf8(o.stdout).unwrap();
    assert!(html.starts_with("<style>") && html.contains("Acme &amp; Co"));
    assert!(!html.contains("<html"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn report_errors_name_the_problem() {
    let o = run(&["report".as_ref(), "/no/such/model.lsm".as_ref()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("/no/such/model.lsm"), "{err}");

    let model = fixture("tests/fixtures/models/demo_policy_v4.lsm");
    let long = "x".repeat(201);
    let o = run(&[
        "report".as_ref(),
        model.as_os_str(),
        "--title".as_ref(),
        long.as_ref(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("at most 200 characters"));
    // The model itself is never the output.
    let o = run(&[
        "report".as_ref(),
        model.as_os_str(),
        "--out".as_ref(),
        model.as_os_str(),
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is the input"));
}
