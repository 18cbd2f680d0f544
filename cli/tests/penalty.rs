//! `--penalty`, `--l1-ratio`, `--max-features` and `--max-model-bytes` of `train` and
//! `eval`, and what `inspect` shows of them.

mod common;

use common::{data, run, text};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    common::tmp("penalty", name)
}

#[test]
fn l1_model_reports_its_penalty_and_fewer_features() {
    let churn = data("wa_churn.csv");
    let churn = churn.to_str().unwrap();
    let l1 = tmp("l1.lsm");
    let out = text(&run(&[
        "train",
        churn,
        "--target",
        "churn",
        "--penalty",
        "l1",
        "--c",
        "0.05",
        "--cv",
        "0",
        "--out",
        l1.to_str().unwrap(),
    ]));
    assert!(out.contains("non-zero"), "{out}");
    let inspect = text(&run(&["inspect", l1.to_str().unwrap()]));
    assert!(inspect.contains("penalty=l1"), "{inspect}");
    let features = inspect
        .lines()
        .find(|l| l.starts_with("features"))
        .expect("a features line");
    // "features     N (M with a non-zero coefficient)": M < N.
    let nums: Vec<usize> = features
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|t| t.parse().ok())
        .collect();
    assert!(nums.len() >= 2 && nums[1] < nums[0], "{features}");
    let json: serde_json::Value =
        serde_json::from_str(&text(&run(&["inspect", l1.to_str().unwrap(), "--json"]))).unwrap();
    assert_eq!(json["meta"]["penalty"], "l1");
    assert_eq!(json["meta"]["l1_ratio"], 1.0);
}

#[test]
fn max_features_prints_what_it_dropped_and_the_cost() {
    let caravan = data("caravan.csv");
    let out = tmp("pruned.lsm");
    let o = text(&run(&[
        "train",
        caravan.to_str().unwrap(),
        "--target",
        "Purchase",
        "--max-features",
        "10",
        "--cv",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]));
    assert!(o.contains("pruning      max 10 features: kept"), "{o}");
    assert!(o.contains("before") && o.contains("after"), "{o}");
    assert!(o.contains("dropped      "), "{o}");
    let json: serde_json::Value =
        serde_json::from_str(&text(&run(&["inspect", out.to_str().unwrap(), "--json"]))).unwrap();
    let p = &json["pruning"];
    assert_eq!(p["max_features"], 10);
    assert!(p["features_after"].as_u64().unwrap() <= 10);
    let before = p["cv_roc_auc_before"].as_f64().unwrap();
    let after = p["cv_roc_auc_after"].as_f64().unwrap();
    assert!(after > 0.6 && before > 0.6, "{p}");
    assert_eq!(
        p["dropped_count"].as_u64().unwrap(),
        p["features_before"].as_u64().unwrap() - 10
    );
}

#[test]
fn max_model_bytes_keeps_the_file_within_the_limit_and_prints_the_cost() {
    let caravan = data("caravan.csv");
    let caravan = caravan.to_str().unwrap();
    let common = [
        caravan,
        "--target",
        "Purchase",
        "--cv",
        "3",
        "--no-insights",
    ];
    let full = tmp("full.lsm");
    let mut args = vec!["train"];
    args.extend(common);
    args.extend(["--out", full.to_str().unwrap()]);
    text(&run(&args));
    let limit = std::fs::metadata(&full).unwrap().len() - 2000;
    let limit_arg = limit.to_string();
    let out = tmp("small.lsm");
    let mut args = vec!["train"];
    args.extend(common);
    args.extend([
        "--max-model-bytes",
        &limit_arg,
        "--out",
        out.to_str().unwrap(),
    ]);
    let o = text(&run(&args));
    let size = std::fs::metadata(&out).unwrap().len();
    assert!(size <= limit, "{size} > {limit}");
    assert!(
        o.contains(&format!("pruning      max {limit} bytes ({size} used)")),
        "{o}"
    );
    assert!(o.contains("before") && o.contains("dropped      "), "{o}");
    let json: serde_json::Value =
        serde_json::from_str(&text(&run(&["inspect", out.to_str().unwrap(), "--json"]))).unwrap();
    let p = &json["pruning"];
    assert_eq!(p["max_model_bytes"], limit);
    assert_eq!(p["model_bytes"], size);
    assert!(p["dropped_count"].as_u64().unwrap() > 0, "{p}");
    // eval holds each fold to the count that fits.
    let mut args = vec!["eval"];
    args.extend(common);
    args.extend(["--max-model-bytes", &limit_arg, "--json"]);
    let j: serde_json::Value = serde_json::from_str(&text(&run(&args))).unwrap();
    assert!(j["roc_auc"].as_f64().unwrap() > 0.6, "{j}");
    // A limit no model meets names the option and the smallest size.
    let mut args = vec!["train"];
    args.extend(common);
    args.extend(["--max-model-bytes", "100", "--out", out.to_str().unwrap()]);
    let o = run(&args);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("max_model_bytes = 100 is less than the smallest model"),
        "{e}"
    );
}

#[test]
fn bad_penalty_options_are_usage_or_input_errors() {
    let churn = data("wa_churn.csv");
    let churn = churn.to_str().unwrap();
    let o = run(&["eval", churn, "--target", "churn", "--penalty", "l3"]);
    assert_eq!(o.status.code(), Some(2));
    for (args, needle) in [
        (
            vec!["--l1-ratio", "0.5"],
            "l1_ratio is for penalty elasticnet",
        ),
        (
            vec!["--penalty", "elasticnet", "--l1-ratio", "2"],
            "l1_ratio must be within [0, 1]",
        ),
        (vec!["--max-features", "0"], "max_features must be from 1"),
        (
            vec!["--max-model-bytes", "0"],
            "max_model_bytes must be from 1",
        ),
    ] {
        let mut all = vec!["eval", churn, "--target", "churn"];
        all.extend(args);
        let o = run(&all);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{e}");
        assert!(e.contains(needle), "{needle}: {e}");
    }
}
