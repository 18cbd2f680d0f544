//! `--threshold POLICY`, `--time-col` and `--test-share` of `train` and `eval`, what
//! `inspect` shows of them, and `demo-data --drift`.

mod common;

use common::{data, json, run, text};
use std::path::PathBuf;

fn tmp(test: &str, name: &str) -> PathBuf {
    common::tmp(&format!("threshold-{test}"), name)
}

#[test]
fn policies_choose_the_cut_on_held_out_predictions() {
    let churn = data("wa_churn.csv");
    let churn = churn.to_str().unwrap();
    let model = tmp("policy", "precision.lsm");
    let out = text(&run(&[
        "train",
        churn,
        "--target",
        "churn",
        "--threshold",
        "precision>=0.6",
        "--no-insights",
        "--out",
        model.to_str().unwrap(),
    ]));
    assert!(
        out.contains("chosen by precision>=0.6 on the held-out predictions"),
        "{out}"
    );
    let inspect = text(&run(&["inspect", model.to_str().unwrap()]));
    assert!(
        inspect.contains("(precision>=0.6, chosen on 7043 held-out rows"),
        "{inspect}"
    );
    let j = json(&run(&["inspect", model.to_str().unwrap(), "--json"]));
    let e = &j["evaluation"];
    assert_eq!(e["policy"], "precision>=0.6");
    assert!(e["at_threshold"]["precision"].as_f64().unwrap() >= 0.6);
    assert_eq!(e["threshold"], j["threshold"]);

    let e = json(&run(&[
        "eval",
        churn,
        "--target",
        "churn",
        "--threshold",
        "top_share=0.1",
        "--json",
    ]));
    let share = e["evaluation"]["at_threshold"]["share_flagged"]
        .as_f64()
        .unwrap();
    assert!((share - 0.1).abs() < 0.005, "{share}");
    assert!(e["roc_auc"].as_f64().unwrap() > 0.8);
    let table = e["evaluation"]["thresholds"].as_array().unwrap();
    assert!(table.len() > 100 && table.len() <= 201, "{}", table.len());

    let bad = run(&[
        "train",
        churn,
        "--target",
        "churn",
        "--cv",
        "0",
        "--threshold",
        "max_f1",
        "--out",
        model.to_str().unwrap(),
    ]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("held-out predictions"), "{err}");
    let bad = run(&["eval", churn, "--target", "churn", "--threshold", "top=3"]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown threshold policy"));
    std::fs::remove_dir_all(model.parent().unwrap()).ok();
}

#[test]
fn a_time_split_shows_drift_that_k_fold_hides() {
    let csv = tmp("time", "drift.csv");
    let csv_s = csv.to_str().unwrap();
    text(&run(&[
        "demo-data",
        "--out",
        csv_s,
        "--tenants",
        "1",
        "--drift",
        "1",
    ]));
    let head = std::fs::read_to_string(&csv).unwrap();
    assert!(head.lines().next().unwrap().contains(",created,"));
    let kfold = json(&run(&["eval", csv_s, "--target", "converted", "--json"]));
    let time = json(&run(&[
        "eval",
        csv_s,
        "--target",
        "converted",
        "--time-col",
        "created",
        "--json",
    ]));
    let (k, t) = (
        kfold["roc_auc"].as_f64().unwrap(),
        time["roc_auc"].as_f64().unwrap(),
    );
    assert!(t < k - 0.1, "time split {t} vs k-fold {k}");
    let e = &time["evaluation"];
    assert_eq!(e["split"], "time");
    assert_eq!(e["time_column"], "created");
    let from = e["test_from"].as_str().unwrap();
    assert!(
        from.starts_with("2024-10") || from.starts_with("2024-11"),
        "{from}"
    );
    let out = text(&run(&[
        "eval",
        csv_s,
        "--target",
        "converted",
        "--time-col",
        "created",
        "--test-share",
        "0.3",
    ]));
    assert!(
        out.starts_with("time split on created: fitted on the"),
        "{out}"
    );
    let bad = run(&[
        "eval",
        csv_s,
        "--target",
        "converted",
        "--time-col",
        "comment",
    ]);
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("is not a date or a number"), "{err}");
    assert!(!run(&["demo-data", "--out", csv_s, "--drift", "2"])
        .status
        .success());
    std::fs::remove_dir_all(csv.parent().unwrap()).ok();
}

#[test]
fn the_challenger_finds_what_a_linear_model_cannot() {
    // y = (a > 0.5) XOR (b > 0.5), with 5 % noise: additive in neither column.
    let csv = tmp("challenger", "xor.csv");
    let mut body = String::from("a,b,noise,y\n");
    let mut state: u64 = 7;
    let mut next = || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    for _ in 0..3000 {
        let (a, b, noise, flip) = (next(), next(), next(), next() < 0.05);
        let y = ((a > 0.5) != (b > 0.5)) != flip;
        body.push_str(&format!("{a:.4},{b:.4},{noise:.4},{}\n", u8::from(y)));
    }
    std::fs::write(&csv, body).unwrap();
    let e = json(&run(&[
        "eval",
        csv.to_str().unwrap(),
        "--target",
        "y",
        "--cv",
        "3",
        "--challenger",
        "--json",
    ]));
    let c = &e["evaluation"]["challenger"];
    let verdict = c["verdict"].as_str().unwrap();
    assert!(verdict.starts_with("a non-linear model gains"), "{verdict}");
    assert!(c["roc_auc"].as_f64().unwrap() > 0.85, "{c}");
    let top: Vec<&str> = c["top_features"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(top.contains(&"a") && top.contains(&"b"), "{top:?}");
    let out = text(&run(&[
        "eval",
        csv.to_str().unwrap(),
        "--target",
        "y",
        "--cv",
        "3",
        "--challenger",
    ]));
    assert!(
        out.contains("challenger   random forest (100 trees"),
        "{out}"
    );
    let bad = run(&[
        "train",
        csv.to_str().unwrap(),
        "--target",
        "y",
        "--cv",
        "0",
        "--challenger",
        "--out",
        csv.with_extension("lsm").to_str().unwrap(),
    ]);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("held-out predictions"));
    std::fs::remove_dir_all(csv.parent().unwrap()).ok();
}
