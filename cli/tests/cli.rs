//! The `leadscore` binary: exit codes, one-line errors, and each command's output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_leadscore"))
}

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// An error: exit 1 and exactly one line on stderr, no backtrace.
fn assert_one_line_error(o: &Output, needle: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "stderr: {e}");
    assert_eq!(e.trim_end().lines().count(), 1, "not one line: {e}");
    assert!(!e.contains("panicked") && !e.contains("backtrace"), "{e}");
    assert!(e.contains(needle), "expected {needle:?} in {e}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(run(&[]).status.code(), Some(2));
    assert_eq!(run(&["train"]).status.code(), Some(2));
    assert_eq!(
        run(&["eval", "x.csv", "--target", "y", "--balance", "sideways"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
    let o = run(&["--version"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn errors_are_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let p = |n: &str, body: &[u8]| {
        let f = dir.path().join(n);
        std::fs::write(&f, body).unwrap();
        f.display().to_string()
    };
    let missing = dir.path().join("nope.csv").display().to_string();
    assert_one_line_error(&run(&["eval", &missing, "--target", "y"]), "nope.csv");
    let ragged = p("ragged.csv", b"a,b,y\n1,2,0\n1,2\n");
    assert_one_line_error(&run(&["eval", &ragged, "--target", "y"]), "line 3");
    let bad_utf8 = p("bad.csv", b"a,b,y\n1,\xff\xfe,0\n");
    assert_one_line_error(&run(&["eval", &bad_utf8, "--target", "y"]), "line 2");
    let empty = p("empty.csv", b"");
    assert_one_line_error(&run(&["eval", &empty, "--target", "y"]), "empty");
    let third = p("third.csv", b"a,y\n1,0\n2,1\n3,2\n");
    assert_one_line_error(
        &run(&[
            "eval",
            &third,
            "--target",
            "y",
            "--min-rows",
            "1",
            "--min-positives",
            "1",
        ]),
        "line 4",
    );
    let single = p("single.csv", b"a,y\n1,1\n2,1\n");
    assert_one_line_error(
        &run(&[
            "eval",
            &single,
            "--target",
            "y",
            "--min-rows",
            "1",
            "--min-positives",
            "1",
        ]),
        "single class",
    );
    let no_target = p("nt.csv", b"a,b\n1,2\n");
    assert_one_line_error(
        &run(&["eval", &no_target, "--target", "y"]),
        "unknown column \"y\"",
    );
    let churn = data("wa_churn.csv").display().to_string();
    assert_one_line_error(
        &run(&["eval", &churn, "--target", "churn", "--min-rows", "100000"]),
        "insufficient data",
    );
    let foreign = p("model.lsm", b"definitely not a model");
    assert_one_line_error(&run(&["inspect", &foreign]), "magic");
    let truncated = p("t.lsm", b"LSCM\x01\x00\xff\x00\x00\x00");
    assert_one_line_error(&run(&["score", &truncated, &churn]), "truncated");
}

#[test]
fn train_score_inspect_eval() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("churn.lsm").display().to_string();
    let churn = data("wa_churn.csv").display().to_string();
    let o = run(&[
        "train", &churn, "--target", "churn", "--out", &model, "--quiet", "--cv", "3",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("ROC AUC"));

    // Score: one row per input row, in order, with the documented columns.
    let out = dir.path().join("scores.csv");
    let o = run(&[
        "score",
        &model,
        &churn,
        "--explain",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut r = csv::Reader::from_path(&out).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        ["probability", "score", "label", "reasons"]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 7043);
    let p0: f64 = rows[0][0].parse().unwrap();
    assert!(p0 > 0.0 && p0 < 1.0);
    assert!(rows[0][3].contains(" = ") || rows[0][3].contains("missing"));

    let o = run(&[
        "score", &model, &churn, "--format", "jsonl", "--keep", "tenure",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    for k in ["tenure", "probability", "score", "label"] {
        assert!(first.get(k).is_some(), "{k} missing in {first}");
    }
    assert!((first["probability"].as_f64().unwrap() - p0).abs() < 1e-12);
    assert_eq!(text.lines().count(), 7043);

    // Scoring streams the input a block at a time: any block size gives the same
    // bytes, CSV or JSON Lines in and out.
    let jsonl = dir.path().join("churn.jsonl");
    {
        let mut r = csv::Reader::from_path(&churn).unwrap();
        let names: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
        let mut lines = String::new();
        for (i, rec) in r.records().enumerate().take(3000) {
            let rec = rec.unwrap();
            let mut obj = serde_json::Map::new();
            for (n, v) in names.iter().zip(rec.iter()) {
                // Some objects lack a key, as exports from APIs do.
                if (i + n.len()) % 11 != 0 && !v.trim().is_empty() {
                    obj.insert(n.clone(), v.into());
                }
            }
            lines.push_str(&serde_json::Value::Object(obj).to_string());
            lines.push('\n');
        }
        std::fs::write(&jsonl, lines).unwrap();
    }
    for input in [churn.as_str(), jsonl.to_str().unwrap()] {
        let score = |extra: &[&str]| {
            let mut args = vec!["score", &model, input, "--explain", "1", "--keep", "tenure"];
            args.extend_from_slice(extra);
            let o = run(&args);
            assert!(o.status.success(), "{}", stderr(&o));
            o.stdout
        };
        let whole = score(&[]);
        assert_eq!(score(&["--block-rows", "7"]), whole, "{input}");
        assert!(!score(&["--block-rows", "1", "--format", "jsonl"]).is_empty());
        assert_eq!(
            score(&["--block-rows", "1000", "--format", "jsonl"]),
            score(&["--format", "jsonl"]),
            "{input}"
        );
    }
    assert_one_line_error(
        &run(&["score", &model, &churn, "--block-rows", "0"]),
        "--block-rows",
    );

    let o = run(&["inspect", &model]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("contract"));
    let o = run(&["inspect", &model, "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["meta"]["target"], "churn");
    assert!(j["features"].as_array().unwrap().len() > 20);

    let o = run(&["eval", &churn, "--target", "churn", "--cv", "3", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in [
        "roc_auc",
        "pr_auc",
        "log_loss",
        "brier",
        "precision",
        "recall",
        "f1",
        "threshold",
        "positive_rate",
        "rows",
        "cv_folds",
        "fit_seconds",
    ] {
        assert!(j.get(k).is_some_and(|v| !v.is_null()), "{k} missing");
    }
    assert_eq!(j["cv_folds"], 3);
    assert_eq!(j["rows"], 7043);
    assert!(j["roc_auc"].as_f64().unwrap() > 0.8);
}

#[test]
fn demo_writes_models_and_summary() {
    let dir = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["demo", "--quiet", "--tenants", "2"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("ROC AUC") && out.contains("probability"),
        "{out}"
    );
    let summary: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.path().join("leadscore-demo/summary.json")).unwrap(),
    )
    .unwrap();
    let tenants = summary["tenants"].as_array().unwrap();
    assert_eq!(tenants.len(), 2);
    for t in tenants {
        assert!(Path::new(t["model"].as_str().unwrap()).is_relative());
        assert!(dir.path().join(t["model"].as_str().unwrap()).exists());
        let auc = t["metrics"]["roc_auc"].as_f64().unwrap();
        assert!((0.7..0.9).contains(&auc), "demo AUC {auc}");
    }
}

#[test]
fn mass_training_into_a_store() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export.csv");
    let o = run(&[
        "demo-data",
        "--tenants",
        "3",
        "--seed",
        "5",
        "--out",
        export.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let store = dir.path().join("store");
    let args = [
        "train",
        export.to_str().unwrap(),
        "--target",
        "converted",
        "--by",
        "tenant",
        "--out",
        store.to_str().unwrap(),
        "--cv",
        "2",
        "--quiet",
    ];
    let o = run(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("3 tenants") && out.contains("trained 3"),
        "{out}"
    );
    assert!(store.join("_global/lead.lsm").exists());
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(store.join("_training.json")).unwrap()).unwrap();
    assert_eq!(report["tenants"].as_array().unwrap().len(), 3);
    // Again: everything is up to date.
    let o = run(&args);
    assert!(String::from_utf8_lossy(&o.stdout).contains("skipped 3"));
    // Score the export through the store: each row by its tenant's model.
    let scored = dir.path().join("scored.csv");
    let o = run(&[
        "score",
        store.to_str().unwrap(),
        export.to_str().unwrap(),
        "--by",
        "tenant",
        "--keep",
        "tenant",
        "--out",
        scored.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut r = csv::Reader::from_path(&scored).unwrap();
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "tenant",
            "probability",
            "score",
            "label",
            "model",
            "fallback_reason"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert!(rows.len() > 6000);
    assert!(rows.iter().all(|r| &r[4] == "tenant" && r[5].is_empty()));
    // Through the store a block at a time: the same bytes.
    let blocks = dir.path().join("scored_blocks.csv");
    let o = run(&[
        "score",
        store.to_str().unwrap(),
        export.to_str().unwrap(),
        "--by",
        "tenant",
        "--keep",
        "tenant",
        "--block-rows",
        "13",
        "--out",
        blocks.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        std::fs::read(&blocks).unwrap(),
        std::fs::read(&scored).unwrap()
    );
    // An unknown tenant is answered by the fallback, which says why.
    let o = run(&[
        "score",
        store.to_str().unwrap(),
        export.to_str().unwrap(),
        "--tenant",
        "newcomer",
        "--format",
        "jsonl",
    ]);
    let first: serde_json::Value =
        serde_json::from_str(String::from_utf8_lossy(&o.stdout).lines().next().unwrap()).unwrap();
    assert_eq!(
        (first["model"].as_str(), first["fallback_reason"].as_str()),
        (Some("fallback"), Some("no_model"))
    );
    // The store counted those scores: drift sees training-like data as stable.
    let o = run(&["drift", store.to_str().unwrap(), "--all", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let drift: Vec<serde_json::Value> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(drift.len(), 4, "3 tenants and the fallback");
    for d in drift.iter().filter(|d| d["tenant"] != "_global") {
        assert_eq!(d["status"], "stable", "{d}");
    }
    // A missing tenant column is a one-line error.
    let mut bad = args.to_vec();
    bad[5] = "client";
    assert_one_line_error(&run(&bad), "unknown column \"client\"");
}

#[test]
fn recipes_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let churn = data("wa_churn.csv");
    let churn = churn.to_str().unwrap();
    // `recipe` prints the auto recipe, which trains as written.
    let o = run(&["recipe", churn, "--target", "churn"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let auto = String::from_utf8(o.stdout).unwrap();
    assert!(
        auto.lines().any(|l| l == "quantile_bin(tenure, 10)"),
        "{auto}"
    );
    assert!(
        auto.lines()
            .any(|l| l.starts_with("one_hot(contract, min_count=10")),
        "{auto}"
    );
    assert!(
        !auto.contains("missing(total_charges)"),
        "11 blank rows make no indicator: {auto}"
    );
    let file = dir.path().join("churn.recipe");
    std::fs::write(
        &file,
        format!("{auto}cartesian(contract, internet_service)\nrate(total_charges, tenure)\n"),
    )
    .unwrap();
    let model = dir.path().join("m.lsm");
    let o = run(&[
        "train",
        churn,
        "--target",
        "churn",
        "--recipe",
        file.to_str().unwrap(),
        "--cv",
        "0",
        "--out",
        model.to_str().unwrap(),
        "--quiet",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = run(&["inspect", model.to_str().unwrap()]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(text.contains("C=") && text.contains("(auto)"), "{text}");
    assert!(
        text.contains("recipe:\n") && text.contains("  cartesian(contract, internet_service)"),
        "{text}"
    );
    let o = run(&["inspect", model.to_str().unwrap(), "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["recipe"]
        .as_str()
        .unwrap()
        .contains("rate(total_charges, tenure)"));
    assert_eq!(j["format_version"], leadscore::format::FORMAT_VERSION);
    // Explanations in words.
    let o = run(&["score", model.to_str().unwrap(), churn, "--explain", "3"]);
    let text = String::from_utf8(o.stdout).unwrap();
    assert!(
        text.contains("tenure in [") || text.contains("tenure < ") || text.contains("tenure >= "),
        "{}",
        &text[..400]
    );
    // A typo in a recipe is one line naming the recipe's line and column; a fixed C too.
    std::fs::write(&file, "standardize(tenure)\none_hot(contrct)\n").unwrap();
    for cmd in ["train", "eval"] {
        let mut args = vec![
            cmd,
            churn,
            "--target",
            "churn",
            "--recipe",
            file.to_str().unwrap(),
        ];
        if cmd == "train" {
            args.extend(["--out", model.to_str().unwrap()]);
        }
        assert_one_line_error(
            &run(&args),
            "recipe line 2, column 9: unknown column \"contrct\" (did you mean \"contract\"?)",
        );
    }
    assert_one_line_error(
        &run(&[
            "eval",
            churn,
            "--target",
            "churn",
            "--recipe",
            "/nonexistent.recipe",
        ]),
        "/nonexistent.recipe",
    );
    assert_one_line_error(
        &run(&["eval", churn, "--target", "churn", "--c", "lots"]),
        "--c expects a positive number or auto",
    );
    let o = run(&[
        "eval", churn, "--target", "churn", "--c", "0.5", "--cv", "2", "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
}

#[test]
fn outputs_never_destroy_an_input_or_a_device() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("churn.csv");
    std::fs::copy(data("wa_churn.csv"), &csv).unwrap();
    let before = std::fs::read(&csv).unwrap();
    let csv_s = csv.display().to_string();
    // train --out the input: refused before any work, the input intact.
    let o = run(&[
        "train", &csv_s, "--target", "churn", "--cv", "0", "--out", &csv_s, "--quiet",
    ]);
    assert_one_line_error(&o, "is the input");
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    // A model saved over a device is refused (the device stays a device).
    let o = run(&[
        "train",
        &csv_s,
        "--target",
        "churn",
        "--cv",
        "0",
        "--out",
        "/dev/null",
        "--quiet",
    ]);
    assert_one_line_error(&o, "not a regular file");
    assert!(Path::new("/dev/null").exists());
    let model = dir.path().join("m.lsm").display().to_string();
    let o = run(&[
        "train", &csv_s, "--target", "churn", "--cv", "0", "--out", &model, "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // score --out the input (or the model): refused, both intact.
    for out in [&csv_s, &model] {
        let o = run(&["score", &model, &csv_s, "--out", out]);
        assert_one_line_error(&o, "is the input");
    }
    assert_eq!(std::fs::read(&csv).unwrap(), before);
    // score --out a device writes into it and leaves it a device.
    let o = run(&["score", &model, &csv_s, "--out", "/dev/null"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device());
    // A regular --out is written whole (atomically).
    let out = dir.path().join("scores.csv");
    let o = run(&["score", &model, &csv_s, "--out", &out.display().to_string()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 7044);
    // A closed standard output is an error, not a silent success.
    let o = bin()
        .args(["score", &model, &csv_s])
        .stdout(std::process::Stdio::from(
            std::fs::File::open("/dev/null").unwrap(),
        ))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    let closed = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "\"{}\" score \"{model}\" \"{csv_s}\" >&-",
            env!("CARGO_BIN_EXE_leadscore")
        ))
        .output()
        .unwrap();
    assert_one_line_error(&closed, "standard output");
}

#[test]
fn cv_is_bounded_and_checked_against_the_classes() {
    let path = data("wa_churn.csv").display().to_string();
    let o = run(&["eval", &path, "--target", "churn", "--cv", "1000000000"]);
    assert_one_line_error(&o, "cv_folds must be 0 (no evaluation) or from 2 to 100");
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("small.csv");
    let text = std::fs::read_to_string(data("wa_churn.csv")).unwrap();
    std::fs::write(&small, text.lines().take(61).collect::<Vec<_>>().join("\n")).unwrap();
    let o = run(&[
        "eval",
        &small.display().to_string(),
        "--target",
        "churn",
        "--cv",
        "50",
        "--min-rows",
        "10",
        "--min-positives",
        "1",
    ]);
    assert_one_line_error(&o, "every fold needs rows of both classes");
}

#[test]
fn crafted_names_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    // A column named with an escape sequence, and a value the model cannot take.
    let mut csv = String::from("\"evil\x1b[2J\x07\",city,y\n");
    for i in 0..400 {
        csv.push_str(&format!(
            "{},{},{}\n",
            i % 17,
            ["a", "b\x1b]0;x\x07"][i % 2],
            i % 3 == 0
        ));
    }
    let data_path = dir.path().join("evil.csv");
    std::fs::write(&data_path, &csv).unwrap();
    let d = data_path.display().to_string();
    let model = dir.path().join("m.lsm").display().to_string();
    let o = run(&[
        "train",
        &d,
        "--target",
        "y",
        "--cv",
        "0",
        "--min-rows",
        "100",
        "--min-positives",
        "10",
        "--out",
        &model,
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let o = run(&["inspect", &model]);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(!text.contains('\x1b') && !text.contains('\x07'), "{text}");
    assert!(text.contains("evil\\u{1b}[2J"), "{text}");
    // An error naming the field escapes it too.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "\"evil\x1b[2J\x07\",y\nnot a number,1\n").unwrap();
    let o = run(&["score", &model, &bad.display().to_string()]);
    let e = stderr(&o);
    assert_one_line_error(&o, "evil\\u{1b}[2J");
    assert!(!e.contains('\x1b') && !e.contains('\x07'), "{e}");
}

#[test]
fn insights_table_json_and_checked_options() {
    let churn = data("wa_churn.csv").display().to_string();
    let o = run(&["insights", &churn, "--target", "churn"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8_lossy(&o.stdout);
    // The table lists the strongest columns first.
    let table: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.starts_with("column"))
        .skip(1)
        .take(5)
        .collect();
    assert!(table.iter().any(|l| l.starts_with("tenure ")), "{text}");
    assert!(table.iter().any(|l| l.starts_with("contract ")), "{text}");
    assert!(text.contains("no warnings"), "{text}");

    // The churn data with a copy of the target and a customer number added.
    let dir = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(data("wa_churn.csv")).unwrap();
    let mut csv = String::new();
    for (i, line) in src.lines().enumerate() {
        let first = line.split(',').next().unwrap();
        if i == 0 {
            csv.push_str(&format!("{line},churned_flag,customer_no\n"));
        } else {
            csv.push_str(&format!("{line},{first},{}\n", 90_000 + i * 7));
        }
    }
    let leaky = dir.path().join("leaky.csv");
    std::fs::write(&leaky, csv).unwrap();
    let leaky = leaky.display().to_string();
    let o = run(&["insights", &leaky, "--target", "churn", "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(j["summary"]["rows"], 7043);
    assert_eq!(j["columns"][0]["name"], "churned_flag");
    let warned = |col: &str, code: &str| {
        j["warnings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|w| w["column"] == col && w["code"] == code)
    };
    assert!(warned("churned_flag", "leak"), "{}", j["warnings"]);
    assert!(warned("customer_no", "id_like"), "{}", j["warnings"]);
    let tenure = j["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tenure")
        .unwrap();
    assert_eq!(tenure["association"]["higher_is_positive"], false);
    assert!(
        tenure["numeric"]["histogram"]["bins"]
            .as_array()
            .unwrap()
            .len()
            >= 5
    );

    // --out writes the report there and nothing to standard output; --bins and --top
    // size the histograms and level lists.
    let out = dir.path().join("insights.txt");
    let o = run(&[
        "insights",
        &leaky,
        "--target",
        "churn",
        "--bins",
        "4",
        "--top",
        "1",
        "--out",
        &out.display().to_string(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
    let report = std::fs::read_to_string(&out).unwrap();
    assert!(report.contains("churned_flag: leak"), "{report}");
    assert!(report.contains("other (2 levels)"), "{report}");
    let o = run(&[
        "insights", &leaky, "--target", "churn", "--json", "--bins", "4",
    ]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let tenure = j["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "tenure")
        .unwrap();
    assert_eq!(
        tenure["numeric"]["histogram"]["bins"]
            .as_array()
            .unwrap()
            .len(),
        4
    );

    // Out-of-range sizes are usage errors naming the flag; a bad kind or target is a
    // one-line error.
    for bad in [
        ["--bins", "1"],
        ["--bins", "1000"],
        ["--bins", "x"],
        ["--top", "5000"],
    ] {
        let mut args = vec!["insights", churn.as_str(), "--target", "churn"];
        args.extend(bad);
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(bad[0]), "{}", stderr(&o));
    }
    assert_one_line_error(
        &run(&[
            "insights",
            &churn,
            "--target",
            "churn",
            "--kind",
            "tenure=colour",
        ]),
        "unknown column kind",
    );
    assert_one_line_error(
        &run(&["insights", &churn, "--target", "nope"]),
        "unknown column \"nope\"",
    );
    assert_one_line_error(
        &run(&["insights", &churn, "--target", "churn", "--out", &churn]),
        "is the input",
    );
}

#[test]
fn insights_of_a_recipes_features() {
    let churn = data("wa_churn.csv").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let recipe = dir.path().join("churn.recipe");
    std::fs::write(
        &recipe,
        "quantile_bin(tenure, 4)\none_hot(contract)\ncartesian(contract, internet_service)\n",
    )
    .unwrap();
    let recipe = recipe.display().to_string();
    let o = run(&[
        "insights", &churn, "--target", "churn", "--recipe", &recipe, "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let names: Vec<&str> = j["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    // The features, named as explanations name them; the raw columns are not listed.
    assert!(names.contains(&"contract = Month-to-month"), "{names:?}");
    assert!(
        names.iter().any(|n| n.starts_with("tenure in ")),
        "{names:?}"
    );
    assert!(
        names
            .iter()
            .any(|n| n.starts_with("contract × internet_service = ")),
        "{names:?}"
    );
    assert!(!names.contains(&"monthly_charges"), "{names:?}");
    // The auto recipe's features.
    let o = run(&[
        "insights", &churn, "--target", "churn", "--recipe", "auto", "--json",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(j["columns"].as_array().unwrap().len() > 20);
    // A recipe error names its line.
    let bad = dir.path().join("bad.recipe");
    std::fs::write(&bad, "one_hot(contract)\nstandardize(nope)\n").unwrap();
    let o = run(&[
        "insights",
        &churn,
        "--target",
        "churn",
        "--recipe",
        &bad.display().to_string(),
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("line 2"), "{}", stderr(&o));
}
