//! `leadscore search`: the table, JSON, the budget, refitting with `--out`, and
//! errors naming the option.

mod common;

use common::{data, run, text};
use std::path::PathBuf;

fn tmp(name: &str) -> PathBuf {
    common::tmp("search", name)
}

/// The readable table: every trial, best first (ranks in order of ROC AUC), and the
/// best setting.
#[test]
fn table_lists_every_trial_best_first() {
    let churn = data("wa_churn.csv");
    let out = text(&run(&[
        "search",
        churn.to_str().unwrap(),
        "--target",
        "churn",
        "--method",
        "random",
        "--trials",
        "4",
        "--cv",
        "2",
        "--penalty",
        "l2",
        "--quiet",
    ]));
    assert!(
        out.starts_with("random search: 4 trials (0 failed)"),
        "{out}"
    );
    assert!(
        out.contains("searched: c, balance, min_count, bins"),
        "{out}"
    );
    let rows: Vec<&str> = out
        .lines()
        .skip_while(|l| !l.starts_with("rank"))
        .skip(1)
        .take_while(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), 4, "{out}");
    let aucs: Vec<f64> = rows
        .iter()
        .map(|r| r.split_whitespace().nth(2).unwrap().parse().unwrap())
        .collect();
    assert!(aucs.windows(2).all(|w| w[0] >= w[1]), "{aucs:?}");
    assert!(rows[0].trim_start().starts_with("1 "), "{}", rows[0]);
    assert!(out.contains("best: trial "), "{out}");
}

/// JSON: the same trials for the same seed; `--out` refits the best and saves a
/// model that `inspect` reads, with the best setting's penalty and balance.
#[test]
fn json_and_refit_with_out() {
    let churn = data("wa_churn.csv");
    let model = tmp("best.lsm");
    let args = |out: Option<&str>| {
        let mut v = vec![
            "search",
            churn.to_str().unwrap(),
            "--target",
            "churn",
            "--method",
            "tpe",
            "--trials",
            "5",
            "--tpe-startup",
            "3",
            "--cv",
            "2",
            "--c",
            "0.01..10",
            "--balance",
            "none,upsample",
            "--json",
        ];
        if let Some(o) = out {
            v.extend(["--out", o]);
        }
        run(&v)
    };
    let a: serde_json::Value = serde_json::from_str(&text(&args(None))).unwrap();
    let b: serde_json::Value =
        serde_json::from_str(&text(&args(Some(model.to_str().unwrap())))).unwrap();
    assert_eq!(a["trials"].as_array().unwrap().len(), 5);
    assert_eq!(a["method"], "tpe");
    assert_eq!(a["stopped"], "trials");
    assert_eq!(a["budget_exhausted"], false);
    assert!(a["model"].is_null());
    assert_eq!(b["model"], model.to_str().unwrap());
    for (x, y) in a["trials"]
        .as_array()
        .unwrap()
        .iter()
        .zip(b["trials"].as_array().unwrap())
    {
        assert_eq!(x["params"], y["params"]);
        assert_eq!(x["roc_auc"], y["roc_auc"]);
    }
    let best = &b["best"];
    for t in b["trials"].as_array().unwrap() {
        assert!(t["roc_auc"].as_f64().unwrap() <= best["roc_auc"].as_f64().unwrap());
        let c = t["params"]["c"].as_f64().unwrap();
        assert!((0.01..=10.0).contains(&c), "{c}");
    }
    let inspect: serde_json::Value =
        serde_json::from_str(&text(&run(&["inspect", model.to_str().unwrap(), "--json"]))).unwrap();
    let meta = &inspect["meta"];
    assert_eq!(meta["balance"], best["params"]["balance"], "{inspect}");
    assert_eq!(meta["penalty"], best["params"]["penalty"], "{inspect}");
    let _ = std::fs::remove_file(&model);
}

/// A budget that ends the search is said so; errors name the option.
#[test]
fn budget_and_errors() {
    let churn = data("wa_churn.csv");
    let churn = churn.to_str().unwrap();
    let out = text(&run(&[
        "search",
        churn,
        "--target",
        "churn",
        "--trials",
        "10000",
        "--cv",
        "2",
        "--threads",
        "1",
        "--budget-seconds",
        "1",
        "--quiet",
    ]));
    assert!(
        out.contains("the time budget ended the search after"),
        "{out}"
    );
    for (args, needle) in [
        (
            vec!["--trials", "0"],
            "option \"trials\" must be from 1 to 10000",
        ),
        (vec!["--budget-seconds", "0"], "budget_seconds"),
        (vec!["--c", "5..1"], "option \"c\""),
        (vec!["--c", "x"], "--c expects a number or LO..HI"),
        (vec!["--penalty", "l3"], "unknown penalty"),
        (vec!["--cv", "1"], "option \"cv\" must be at least 2"),
    ] {
        let mut v = vec!["search", churn, "--target", "churn", "--quiet"];
        v.extend(args);
        let o = run(&v);
        assert_eq!(o.status.code(), Some(1), "{v:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(needle), "{v:?}: {err}");
    }
    let o = run(&["search", churn, "--target", "nope", "--quiet"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("nope"));
}
