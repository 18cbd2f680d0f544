//! Tests of whole fits: the optimum, the algorithms against each other, weights,
//! and edge cases.

use crate::design::Rows;
use crate::features::Features;
use crate::rng::Rng;
use crate::train::solver::problem::Problem;
use crate::train::solver::testutil::{assert_close, fit_with, naive, synth};
use crate::train::solver::{fit_logistic, min_warm_rows, SolverConfig, Strategy};

#[test]
fn reaches_the_optimum() {
    let (x, y) = synth(2000, 8, 1);
    let cfg = SolverConfig::default();
    let sol = fit_logistic(&x, &y, None, &cfg).unwrap();
    assert!(sol.converged);
    assert!(sol.grad_norm <= cfg.tol);
    let (f, g) = naive(&x, &y, None, cfg.c, &sol);
    assert!(g < 1e-7, "naive gradient {g}");
    assert!((f - sol.objective).abs() < 1e-9 * f);
}

#[test]
fn strategies_agree() {
    let (x, y) = synth(3000, 12, 2);
    let cfg = SolverConfig {
        max_iter: 2000,
        ..SolverConfig::default()
    };
    let newton = fit_with(&x, &y, None, &cfg, Strategy::Newton).unwrap();
    let hybrid = fit_with(&x, &y, None, &cfg, Strategy::Hybrid).unwrap();
    let lbfgs = fit_with(&x, &y, None, &cfg, Strategy::Lbfgs).unwrap();
    for s in [&newton, &hybrid, &lbfgs] {
        assert!(s.converged);
        assert_close(&s.coef, &newton.coef, 1e-6);
        assert!((s.intercept - newton.intercept).abs() < 1e-6);
    }
}

#[test]
fn warm_start_cascade_reaches_the_same_optimum() {
    // Enough rows for two subsample levels.
    let (x, y) = synth(20_000, 5, 3);
    let p = Problem::new(Rows::Sparse(&x), &y, None, &SolverConfig::default()).unwrap();
    assert!(p.cw.len() >= min_warm_rows(p.dim));
    let cfg = SolverConfig::default();
    let auto = fit_logistic(&x, &y, None, &cfg).unwrap();
    let newton = fit_with(&x, &y, None, &cfg, Strategy::Newton).unwrap();
    assert!(auto.converged && newton.converged);
    assert_close(&auto.coef, &newton.coef, 1e-6);
}

#[test]
fn max_iter_reached_is_not_an_error() {
    let (x, y) = synth(500, 5, 4);
    for strategy in [Strategy::Auto, Strategy::Newton, Strategy::Lbfgs] {
        let cfg = SolverConfig {
            max_iter: 1,
            ..SolverConfig::default()
        };
        let sol = fit_with(&x, &y, None, &cfg, strategy).unwrap();
        assert!(!sol.converged);
        assert_eq!(sol.iterations, 1);
        assert!(sol.grad_norm > cfg.tol);
        assert!(sol.coef.iter().all(|c| c.is_finite()));
    }
    let cfg = SolverConfig {
        max_iter: 0,
        ..SolverConfig::default()
    };
    let sol = fit_logistic(&x, &y, None, &cfg).unwrap();
    assert_eq!(sol.iterations, 0);
    assert!(!sol.converged);
}

#[test]
fn separable_data_stays_finite() {
    // y = 1 exactly when x > 0: without a penalty the optimum is at infinity.
    let n = 400;
    let data: Vec<f64> = (0..n).map(|i| (i as f64 - 199.5) / 50.0).collect();
    let y: Vec<f64> = data.iter().map(|&v| f64::from(u8::from(v > 0.0))).collect();
    let x = Features::from_dense(1, &data);
    for c in [1.0, 1e4, 1e8] {
        let cfg = SolverConfig {
            c,
            ..SolverConfig::default()
        };
        for strategy in [Strategy::Auto, Strategy::Lbfgs] {
            let sol = fit_with(&x, &y, None, &cfg, strategy).unwrap();
            assert!(sol.coef[0].is_finite() && sol.coef[0] > 0.0);
            assert!(sol.intercept.is_finite() && sol.objective.is_finite());
            if strategy == Strategy::Auto {
                assert!(sol.converged, "C = {c}: {sol:?}");
            }
        }
    }
}

#[test]
fn weights_equal_duplicated_rows() {
    let (x, y) = synth(300, 4, 6);
    let mut rng = Rng::new(9);
    let counts: Vec<usize> = (0..300).map(|_| rng.below(4) as usize).collect();
    let weights: Vec<f64> = counts.iter().map(|&c| c as f64).collect();
    let rows: Vec<usize> = (0..300)
        .flat_map(|i| std::iter::repeat_n(i, counts[i]))
        .collect();
    let xd = x.take_rows(&rows);
    let yd: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
    let cfg = SolverConfig::default();
    let a = fit_logistic(&x, &y, Some(&weights), &cfg).unwrap();
    let b = fit_logistic(&xd, &yd, None, &cfg).unwrap();
    assert!(a.converged && b.converged);
    assert_close(&a.coef, &b.coef, 1e-7);
    assert!((a.intercept - b.intercept).abs() < 1e-7);
    assert!((a.objective - b.objective).abs() < 1e-9 * b.objective);
}

#[test]
fn sparse_and_dense_storage_agree() {
    // One-hot-like columns: dense storage keeps the zeros, sparse drops them.
    let mut rng = Rng::new(7);
    let (n, d) = (800, 9);
    let mut dense = vec![0.0; n * d];
    let mut y = Vec::with_capacity(n);
    for i in 0..n {
        dense[i * d] = rng.normal();
        let level = rng.below(8) as usize;
        dense[i * d + 1 + level] = 1.0;
        let z = dense[i * d] + level as f64 * 0.3 - 1.0;
        y.push(f64::from(u8::from(rng.bernoulli(1.0 / (1.0 + (-z).exp())))));
    }
    let xd = Features::from_dense(d, &dense);
    let mut xs = Features::new(d);
    for i in 0..n {
        for j in 0..d {
            if dense[i * d + j] != 0.0 {
                xs.push(j as u32, dense[i * d + j]);
            }
        }
        xs.end_row();
    }
    let cfg = SolverConfig::default();
    let a = fit_logistic(&xd, &y, None, &cfg).unwrap();
    let b = fit_logistic(&xs, &y, None, &cfg).unwrap();
    assert!(a.converged && b.converged);
    assert_close(&a.coef, &b.coef, 1e-7);
}

#[test]
fn zero_weight_rows_are_ignored_and_no_intercept_works() {
    let (x, y) = synth(600, 3, 8);
    let mut w = vec![1.0; 600];
    for v in w.iter_mut().skip(1).step_by(3) {
        *v = 0.0;
    }
    let keep: Vec<usize> = (0..600).filter(|&i| w[i] > 0.0).collect();
    let xk = x.take_rows(&keep);
    let yk: Vec<f64> = keep.iter().map(|&i| y[i]).collect();
    for fit_intercept in [true, false] {
        let cfg = SolverConfig {
            fit_intercept,
            ..SolverConfig::default()
        };
        let a = fit_logistic(&x, &y, Some(&w), &cfg).unwrap();
        let b = fit_logistic(&xk, &yk, None, &cfg).unwrap();
        assert_close(&a.coef, &b.coef, 1e-7);
        if !fit_intercept {
            assert_eq!(a.intercept, 0.0);
            let (_, g) = naive(&x, &y, Some(&w), cfg.c, &a);
            assert!(g < 1e-7);
        }
    }
}
