//! TEMPORARY stub until the solver branch lands (plain Newton, dense Hessian).
#![allow(missing_docs)]
use crate::error::Result;
use crate::features::Features;
#[derive(Debug, Clone)]
pub struct SolverConfig {
    pub c: f64,
    pub tol: f64,
    pub max_iter: usize,
    pub fit_intercept: bool,
}
impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            c: 1.0,
            tol: 1e-8,
            max_iter: 100,
            fit_intercept: true,
        }
    }
}
#[derive(Debug, Clone)]
pub struct Solution {
    pub coef: Vec<f64>,
    pub intercept: f64,
    pub iterations: usize,
    pub converged: bool,
    pub grad_norm: f64,
    pub objective: f64,
}
pub fn fit_logistic(
    x: &Features,
    y: &[f64],
    sw: Option<&[f64]>,
    cfg: &SolverConfig,
) -> Result<Solution> {
    let d = x.n_cols() + 1;
    let n = x.n_rows();
    let mut w = vec![0.0; d];
    let mut it = 0;
    let mut gn = f64::INFINITY;
    while it < cfg.max_iter {
        let mut g = vec![0.0; d];
        let mut h = vec![0.0; d * d];
        for j in 0..d - 1 {
            g[j] = w[j];
            h[j * d + j] = 1.0;
        }
        for i in 0..n {
            let (idx, val) = x.row(i);
            let z = w[d - 1]
                + idx
                    .iter()
                    .zip(val)
                    .map(|(&j, &v)| v * w[j as usize])
                    .sum::<f64>();
            let p = 1.0 / (1.0 + (-z).exp());
            let s = sw.map_or(1.0, |s| s[i]) * cfg.c;
            let r = s * (p - y[i]);
            let q = s * p * (1.0 - p);
            let mut e: Vec<(usize, f64)> = idx
                .iter()
                .zip(val)
                .map(|(&j, &v)| (j as usize, v))
                .collect();
            e.push((d - 1, 1.0));
            for &(a, va) in &e {
                g[a] += r * va;
                for &(b, vb) in &e {
                    h[a * d + b] += q * va * vb;
                }
            }
        }
        gn = g.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if gn < cfg.tol {
            break;
        }
        // Cholesky solve
        let mut l = h.clone();
        for i in 0..d {
            for j in 0..=i {
                let mut s = l[i * d + j];
                for k in 0..j {
                    s -= l[i * d + k] * l[j * d + k];
                }
                if i == j {
                    l[i * d + i] = s.max(1e-12).sqrt();
                } else {
                    l[i * d + j] = s / l[j * d + j];
                }
            }
        }
        let mut z = g.clone();
        for i in 0..d {
            let mut s = z[i];
            for k in 0..i {
                s -= l[i * d + k] * z[k];
            }
            z[i] = s / l[i * d + i];
        }
        for i in (0..d).rev() {
            let mut s = z[i];
            for k in i + 1..d {
                s -= l[k * d + i] * z[k];
            }
            z[i] = s / l[i * d + i];
        }
        for j in 0..d {
            w[j] -= z[j];
        }
        it += 1;
    }
    let b = w.pop().unwrap_or(0.0);
    Ok(Solution {
        coef: w,
        intercept: b,
        iterations: it,
        converged: gn < cfg.tol,
        grad_norm: gn,
        objective: 0.0,
    })
}
