//! Test data and checks shared by the solver's tests.

use super::problem::Problem;
use super::{solve, Solution, SolverConfig, Strategy};
use crate::design::Rows;
use crate::error::Result;
use crate::features::Features;
use crate::rng::Rng;

/// [`fit_logistic`](super::fit_logistic) with the algorithm forced (tests compare them).
pub(super) fn fit_with(
    x: &Features,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    cfg: &SolverConfig,
    strategy: Strategy,
) -> Result<Solution> {
    let prob = Problem::new(Rows::Sparse(x), y, sample_weight, cfg)?;
    solve(&prob, cfg, strategy)
}

/// A dense synthetic problem: `n x d` standard normals, labels from a known model.
pub(super) fn synth(n: usize, d: usize, seed: u64) -> (Features, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let beta: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
    let mut data = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let row: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
        let z: f64 = row.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>() - 0.3;
        y.push(if rng.bernoulli(1.0 / (1.0 + (-z).exp())) {
            1.0
        } else {
            0.0
        });
        data.extend(row);
    }
    (Features::from_dense(d, &data), y)
}

/// Objective and max-abs scaled gradient computed the plain way.
pub(super) fn naive(
    x: &Features,
    y: &[f64],
    sw: Option<&[f64]>,
    c: f64,
    sol: &Solution,
) -> (f64, f64) {
    let d = x.n_cols();
    let mut g = sol.coef.clone();
    let mut gb = 0.0;
    let mut f = 0.5 * sol.coef.iter().map(|w| w * w).sum::<f64>();
    let mut total = 0.0;
    for i in 0..x.n_rows() {
        let s = sw.map_or(1.0, |w| w[i]);
        total += s;
        let z = x.dot_row(i, &sol.coef) + sol.intercept;
        let p = 1.0 / (1.0 + (-z).exp());
        f += c * s * ((1.0 + z.exp()).ln() - y[i] * z);
        let (idx, val) = x.row(i);
        for (&j, &v) in idx.iter().zip(val) {
            g[j as usize] += c * s * (p - y[i]) * v;
        }
        gb += c * s * (p - y[i]);
    }
    assert_eq!(g.len(), d);
    let gb = if sol.intercept == 0.0 { 0.0 } else { gb };
    let gmax = g.iter().fold(gb.abs(), |m, v| m.max(v.abs()));
    (f, gmax / (c * total))
}

pub(super) fn assert_close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!(
            (x - y).abs() <= tol * x.abs().max(y.abs()).max(1e-3),
            "{x} vs {y}"
        );
    }
}

/// Rows like a pipeline's output: three numbers in every row, a fourth in most,
/// a one-hot level of eight and a flag in some.
pub(super) fn mixed(n: usize, seed: u64) -> (Features, Vec<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let d = 13;
    let mut x = Features::new(d);
    let (mut y, mut w) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        let mut z = -0.5;
        for j in 0..3 {
            let v = rng.normal();
            z += v * (0.4 + 0.2 * j as f64);
            x.push(j as u32, v);
        }
        if rng.bernoulli(0.7) {
            let v = rng.normal();
            z -= 0.5 * v;
            x.push(3, v);
        }
        let level = rng.below(8) as u32;
        z += 0.2 * f64::from(level) - 0.7;
        x.push(4 + level, 1.0);
        if rng.bernoulli(0.2) {
            z += 1.0;
            x.push(12, 1.0);
        }
        x.end_row();
        y.push(f64::from(u8::from(rng.bernoulli(1.0 / (1.0 + (-z).exp())))));
        w.push(rng.below(3) as f64);
    }
    (x, y, w)
}

/// `n` rows of four one-hot entries among 300 columns.
pub(super) fn wide_sparse(n: u32) -> (Features, Vec<f64>) {
    let mut x = Features::new(300);
    let mut y = Vec::new();
    for i in 0..n {
        for k in 0..4 {
            x.push(k * 75 + i % 75, 1.0);
        }
        x.end_row();
        y.push(f64::from(i % 3 == 0));
    }
    (x, y)
}
