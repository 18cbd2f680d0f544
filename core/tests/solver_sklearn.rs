//! The solver reproduces scikit-learn's optima, recorded by the scripts in
//! `tests/fixtures/sklearn/` (no Python needed here): `LogisticRegression(solver="lbfgs")`
//! at a tight tolerance in `reference.json` (`make_reference.py`), and its L1 and
//! elastic-net optima (`solver="saga"` at a very tight tolerance; `liblinear` without an
//! intercept) in `reference_l1.json` (`make_reference_l1.py`).

use leadscore::train::{fit_logistic, Solution, SolverConfig};
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

/// A reference file's document.
fn reference(file: &str) -> Value {
    let path = format!(
        "{}/../tests/fixtures/sklearn/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The rows of a case as a sparse matrix: exact zeros are not stored, so one-hot
/// cases are fitted as sparse rows.
fn sparse_rows(name: &str, x: &Value, n_cols: usize) -> Features {
    let mut out = Features::new(n_cols);
    for row in x.as_array().expect("x") {
        let row = floats(row, "x row");
        assert_eq!(row.len(), n_cols, "{name}: row width");
        for (j, &v) in row.iter().enumerate() {
            if v != 0.0 {
                out.push(j as u32, v);
            }
        }
        out.end_row();
    }
    out
}

/// Fits a case's rows with its settings and checks every coefficient and the
/// intercept against scikit-learn's (and, with `zeros`, that the exact zeros are the
/// same); prints the worst relative difference.
fn fit_and_check(name: &str, case: &Value, data: &Value, cfg: SolverConfig, zeros: bool) {
    let n_cols = data["n_cols"].as_u64().expect("n_cols") as usize;
    let x = sparse_rows(name, &data["x"], n_cols);
    let y = floats(&data["y"], "y");
    let weights = match &case["weights"] {
        Value::Null => None,
        w => Some(floats(w, "weights")),
    };
    let cfg = SolverConfig {
        c: case["c"].as_f64().expect("c"),
        fit_intercept: case["fit_intercept"].as_bool().expect("fit_intercept"),
        ..cfg
    };
    let sol: Solution =
        fit_logistic(&x, &y, weights.as_deref(), &cfg).unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(sol.converged, "{name}: not converged: {sol:?}");
    let want = floats(&case["coef"], "coef");
    assert_eq!(sol.coef.len(), want.len(), "{name}: coefficient count");
    let mut worst: f64 = 0.0;
    for (j, (&g, &w)) in sol.coef.iter().zip(&want).enumerate() {
        assert!(close(g, w), "{name}: coef[{j}] = {g}, scikit-learn {w}");
        if zeros {
            assert_eq!(
                g == 0.0,
                w == 0.0,
                "{name}: coef[{j}] = {g}, scikit-learn {w}"
            );
        }
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

#[test]
fn matches_scikit_learn() {
    let doc = reference("reference.json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 6, "expected the full set of reference cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        // The L2 cases hold their own rows.
        fit_and_check(name, case, case, SolverConfig::default(), false);
    }
}

/// L1 and elastic net: every coefficient within the tolerance, and exact zeros where
/// scikit-learn has them (the model stays sparse).
#[test]
fn matches_scikit_learn_l1_and_elastic_net() {
    let doc = reference("reference_l1.json");
    let cases = doc["cases"].as_array().expect("cases");
    assert!(cases.len() >= 8, "expected the full set of reference cases");
    for case in cases {
        let name = case["name"].as_str().expect("name");
        let data = &doc["data"][case["data"].as_str().expect("data")];
        let cfg = SolverConfig {
            l1_ratio: case["l1_ratio"].as_f64().expect("l1_ratio"),
            ..SolverConfig::default()
        };
        fit_and_check(name, case, data, cfg, true);
    }
}
