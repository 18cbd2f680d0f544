//! The report: every fixture set's model gives exactly the bytes of its committed
//! report (`"report"` in `tests/fixtures/fixtures.json`), which every binding's tests
//! compare with too; the page is self-contained, the compact form is a fragment,
//! and the same model gives the same bytes however it was loaded.
//!
//! After a deliberate change of the report, rewrite the files with
//! `LEADSCORE_WRITE_REPORTS=1 cargo test -p leadscore --test report`.

use leadscore::report::{report_html, ReportOptions};
use leadscore::Model;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// (name, model path, report path) of every fixture set.
fn sets() -> Vec<(String, PathBuf, PathBuf)> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/fixtures.json")).expect("manifest");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    doc["sets"]
        .as_array()
        .expect("a list of sets")
        .iter()
        .map(|s| {
            (
                s["name"].as_str().expect("name").to_owned(),
                root().join(s["model"].as_str().expect("model")),
                root().join(s["report"].as_str().expect("every set names its report")),
            )
        })
        .collect()
}

#[test]
fn every_set_gives_its_committed_report() {
    let write = std::env::var_os("LEADSCORE_WRITE_REPORTS").is_some();
    for (name, model, report) in sets() {
        let model = Model::load(&model).unwrap();
        let html = report_html(&model, &ReportOptions::default()).unwrap();
        if write {
            std::fs::write(&report, &html).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&report).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (write it: LEADSCORE_WRITE_REPORTS=1 cargo test -p leadscore --test report)",
                report.display()
            )
        });
        assert!(
            html == want,
            "{name}: the report differs from {} (after a deliberate change: LEADSCORE_WRITE_REPORTS=1 cargo test -p leadscore --test report)",
            report.display()
        );
    }
}

/// Tags that must open and close in equal numbers in a well-formed report.
const PAIRED: &[&str] = &[
    "div", "section", "table", "tr", "svg", "figure", "details", "script", "p",
];

fn count(html: &str, pat: &str) -> usize {
    html.matches(pat).count()
}

#[test]
fn reports_are_self_contained_and_well_formed() {
    for (name, model, _) in sets() {
        let model = Model::load(&model).unwrap();
        let page = report_html(&model, &ReportOptions::default()).unwrap();
        assert!(page.starts_with("<!DOCTYPE html>"), "{name}");
        assert!(page.ends_with("</html>\n"), "{name}");
        for tag in PAIRED {
            let open = count(&page, &format!("<{tag}>")) + count(&page, &format!("<{tag} "));
            let close = count(&page, &format!("</{tag}>"));
            assert_eq!(
                open, close,
                "{name}: <{tag}> opened {open} times, closed {close}"
            );
        }
        // Nothing from the network: no URL but the SVG namespace.
        let urls = page.matches("http://").count() + page.matches("https://").count();
        assert_eq!(
            urls,
            count(&page, "xmlns=\"http://www.w3.org/2000/svg\""),
            "{name}: a URL in the page"
        );
        assert!(!page.contains("NaN") && !page.contains("inf<"), "{name}");
        assert!(page.contains(&model.meta().target), "{name}");
        assert!(page.len() < 1 << 20, "{name}: {} bytes", page.len());

        let compact = report_html(
            &model,
            &ReportOptions {
                compact: true,
                title: Some("Acme <Ltd>".into()),
            },
        )
        .unwrap();
        assert!(compact.starts_with("<style>"), "{name}");
        assert!(
            !compact.contains("<html") && !compact.contains("<body"),
            "{name}"
        );
        assert!(compact.contains("Acme &lt;Ltd&gt;"), "{name}");
        assert!(compact.len() < page.len(), "{name}");
    }
}

#[test]
fn sections_follow_what_the_model_holds() {
    let load = |n: &str| Model::load(root().join("tests/fixtures/models").join(n)).unwrap();
    let html = |m: &Model| report_html(m, &ReportOptions::default()).unwrap();
    // Format 4 with a policy: the threshold explorer and its data.
    let v4 = html(&load("demo_policy_v4.lsm"));
    assert!(v4.contains("Threshold explorer") && v4.contains("class=\"ls-data\""));
    assert!(v4.contains("top_share=0.2") && v4.contains("Calibration"));
    // Format 3 with pruning and stored insights, without a threshold table.
    let v3 = html(&load("demo_l1_v3.lsm"));
    assert!(v3.contains("Pruning") && v3.contains("column by column"));
    assert!(!v3.contains("Threshold explorer") && !v3.contains("<script"));
    // Format 5 with a byte limit: the pruning section says what it left room for.
    let v5 = html(&load("demo_bytes_v5.lsm"));
    assert!(v5.contains("max_model_bytes = 50,000") && v5.contains("Threshold explorer"));
    // Format 1: the summary and coefficients.
    let v1 = html(&load("wa_churn_v1.lsm"));
    assert!(v1.contains("ROC AUC") && v1.contains("What moves a score"));
    assert!(v1.contains("first release"));
}

#[test]
fn the_same_model_gives_the_same_bytes_however_loaded() {
    let path = root().join("tests/fixtures/models/demo_policy_v4.lsm");
    let a = Model::load(&path).unwrap();
    let b = Model::from_bytes(&std::fs::read(&path).unwrap()).unwrap();
    let opts = ReportOptions::default();
    let ra = a.report_html(&opts).unwrap();
    assert_eq!(ra, b.report_html(&opts).unwrap());
    // Written again by this release: the page names the current format and is
    // otherwise the same, however often it is re-encoded.
    let c = Model::from_bytes(&a.to_bytes().unwrap()).unwrap();
    let d = Model::from_bytes(&c.to_bytes().unwrap()).unwrap();
    let rc = c.report_html(&opts).unwrap();
    assert_eq!(rc, d.report_html(&opts).unwrap());
    let current = format!("(format {})", leadscore::format::FORMAT_VERSION);
    assert!(rc.contains(&current) && ra.contains("(format 4)"));
    assert_eq!(rc.replace(&current, "(format 4)"), ra);
}

#[test]
fn options_are_checked() {
    assert!(ReportOptions::from_json_str("").unwrap() == ReportOptions::default());
    let o = ReportOptions::from_json_str(r#"{"compact": true, "title": "T"}"#).unwrap();
    assert!(o.compact && o.title.as_deref() == Some("T"));
    for (bad, says) in [
        (
            r#"{"compact": 1}"#,
            "option \"compact\" must be true or false",
        ),
        (r#"{"title": 5}"#, "option \"title\" must be a string"),
        (r#"{"colour": "red"}"#, "unknown option \"colour\""),
        (r#"[1]"#, "options must be an object"),
        ("{", "options are not valid JSON"),
    ] {
        let e = ReportOptions::from_json_str(bad).unwrap_err().to_string();
        assert!(e.contains(says), "{bad}: {e}");
    }
    let long = format!(r#"{{"title": "{}"}}"#, "x".repeat(201));
    let e = ReportOptions::from_json_str(&long).unwrap_err().to_string();
    assert!(e.contains("at most 200 characters"), "{e}");
}
