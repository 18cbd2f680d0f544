//! The solver reproduces scikit-learn's optima, recorded by the scripts in
//! `tests/fixtures/sklearn/` (no Python needed here): `LogisticRegression(solver="lbfgs")`
//! at a tight tolerance in `reference.json` (`make_reference.py`), and its L1 and
//! elastic-net optima (`solver="saga"` at a very tight tolerance; `liblinear` without an
//! intercept) in `reference_l1.json` (`make_reference_l1.py`).

use leadscore::train::{fit_logistic, SolverConfig};
use leadscore::Features;
use serde_json::Value;

/// Agreement asked of every coefficient and the intercept, relative to
/// `max(|reference|, 1e-3)`.
const REL_TOL: f64 = 1e-4;

fn floats(v: &Value, what: &str) -> Vec<f64> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is not an array"))
        .iter()
        .map(|x| {
            x.as_f64()
                .unwrap_or_else(|| panic!("{what} holds a non-number"))
        })
        .collect()
}

fn close(got: f64, want: f64) -> bool {
    (got - want).abs() <= REL_TOL * want.abs().max(1e-3)
}

#[test]
fn matches_scikit_learn() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/sklearn/reference.json"
    );
    let text = std::fs::read_to_string(path).expect("reference.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("reference.json is JSON");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 6, "expected the full set of reference cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let n_cols = case["n_cols"].as_u64().expect("n_cols") as usize;
        // Exact zeros are not stored, so one-hot cases are fitted as sparse rows.
        let rows = case["x"].as_array().expect("x");
        let mut x = Features::new(n_cols);
        for row in rows {
            let row = floats(row, "x row");
            assert_eq!(row.len(), n_cols, "{name}: row width");
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    x.push(j as u32, v);
                }
            }
            x.end_row();
        }
        let y = floats(&case["y"], "y");
        let weights = match &case["weights"] {
            Value::Null => None,
            w => Some(floats(w, "weights")),
        };
        let cfg = SolverConfig {
            c: case["c"].as_f64().expect("c"),
            fit_intercept: case["fit_intercept"].as_bool().expect("fit_intercept"),
            ..SolverConfig::default()
        };
        let sol = fit_logistic(&x, &y, weights.as_deref(), &cfg)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sol.converged, "{name}: not converged: {sol:?}");
        let want = floats(&case["coef"], "coef");
        assert_eq!(sol.coef.len(), want.len(), "{name}: coefficient count");
        let mut worst: f64 = 0.0;
        for (j, (&g, &w)) in sol.coef.iter().zip(&want).enumerate() {
            assert!(close(g, w), "{name}: coef[{j}] = {g}, scikit-learn {w}");
            worst = worst.max((g - w).abs() / w.abs().max(1e-3));
        }
        let b = case["intercept"].as_f64().expect("intercept");
        assert!(
            close(sol.intercept, b),
            "{name}: intercept {} vs scikit-learn {b}",
            sol.intercept
        );
        println!(
            "{name}: {} iterations, worst scaled coefficient difference {worst:.1e}",
            sol.iterations
        );
    }
}

/// L1 and elastic net: every coefficient within the tolerance, and exact zeros where
/// scikit-learn has them.
#[test]
fn matches_scikit_learn_l1_and_elastic_net() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/sklearn/reference_l1.json"
    );
    let text = std::fs::read_to_string(path).expect("reference_l1.json is readable");
    let doc: Value = serde_json::from_str(&text).expect("reference_l1.json is JSON");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 8, "expected the full set of reference cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let data = &doc["data"][case["data"].as_str().expect("data")];
        let n_cols = data["n_cols"].as_u64().expect("n_cols") as usize;
        let mut x = Features::new(n_cols);
        for row in data["x"].as_array().expect("x") {
            let row = floats(row, "x row");
            assert_eq!(row.len(), n_cols, "{name}: row width");
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    x.push(j as u32, v);
                }
            }
            x.end_row();
        }
        let y = floats(&data["y"], "y");
        let weights = match &case["weights"] {
            Value::Null => None,
            w => Some(floats(w, "weights")),
        };
        let cfg = SolverConfig {
            c: case["c"].as_f64().expect("c"),
            l1_ratio: case["l1_ratio"].as_f64().expect("l1_ratio"),
            fit_intercept: case["fit_intercept"].as_bool().expect("fit_intercept"),
            ..SolverConfig::default()
        };
        let sol = fit_logistic(&x, &y, weights.as_deref(), &cfg)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(sol.converged, "{name}: not converged: {sol:?}");
        let want = floats(&case["coef"], "coef");
        assert_eq!(sol.coef.len(), want.len(), "{name}: coefficient count");
        let mut worst: f64 = 0.0;
        for (j, (&g, &w)) in sol.coef.iter().zip(&want).enumerate() {
            assert!(close(g, w), "{name}: coef[{j}] = {g}, scikit-learn {w}");
            // Exact zeros where scikit-learn has them: the model stays sparse.
            assert_eq!(
                g == 0.0,
                w == 0.0,
                "{name}: coef[{j}] = {g}, scikit-learn {w}"
            );
            worst = worst.max((g - w).abs() / w.abs().max(1e-3));
        }
        let b = case["intercept"].as_f64().expect("intercept");
        assert!(
            close(sol.intercept, b),
            "{name}: intercept {} vs scikit-learn {b}",
            sol.intercept
        );
        let nonzero = sol.coef.iter().filter(|&&c| c != 0.0).count();
        println!(
            "{name}: {} iterations, {nonzero} non-zero, worst relative difference {worst:.1e}",
            sol.iterations
        );
    }
}
