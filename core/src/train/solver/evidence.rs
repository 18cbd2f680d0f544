//! Choosing `C` by the evidence: MacKay's fixed point on the marginal likelihood of
//! the L2 prior, one refit per step from the last optimum and its rescaled Hessian.

use super::linalg::{cholesky_upper, dotv, inverse_trace};
use super::newton::run_newton;
use super::problem::Problem;
use super::search::Workspace;
use super::{warm_start, Solution, SolverConfig, Strategy};
use crate::error::Result;

/// Smallest and largest `C` the evidence may choose.
const C_RANGE: (f64, f64) = (1e-6, 1e6);
/// The `C` the evidence starts from: near the middle (in logarithms) of what it
/// chooses for CRM tenants (`leadscore inspect` shows a model's `C`: train the demo
/// tenants, `leadscore demo-data`, and examples/data/wa_churn.csv), and a fit that
/// converges faster than a weaker penalty's.
pub(super) const EVIDENCE_START_C: f64 = 0.2;
/// Most updates of `C` by the evidence.
const MAX_EVIDENCE_STEPS: usize = 30;
/// The evidence stops when its next `C` is within this factor (as a logarithm, 10 %)
/// of the current one: the fit's quality is flat that close to its optimum.
const EVIDENCE_TOL: f64 = 0.1;
/// The gradient tolerance of the fits inside the evidence's search.
const EVIDENCE_FIT_TOL: f64 = 1e-5;

/// `ln` of the mean weight of the positive rows over that of the negative ones (0
/// when either class has no weight): the log of rebalancing's
/// [`resampling_ratio`](crate::train::balance::resampling_ratio).
pub(super) fn class_weight_log_ratio(y: &[f64], w: &[f64]) -> f64 {
    let r = crate::train::balance::resampling_ratio(y, w);
    if r.is_finite() && r > 0.0 {
        r.ln()
    } else {
        0.0
    }
}

/// Fits with `C` chosen by the evidence (the marginal likelihood of the L2 prior,
/// MacKay's fixed point): at the optimum for the current `C`, the effective number
/// of parameters is `gamma = d - trace(H^-1)` over the coefficients (`H` the
/// objective's Hessian, `I + C X^T S X`), and the next `C` is `|w|^2 / gamma`; the
/// steps are accelerated by the secant method on `ln C`, and each refit starts from
/// the last optimum. The intercept is not penalised, so it is integrated out with the
/// rest. Returns the fit at the chosen `C` and the `C`.
///
/// It picks about the strength that 5-fold cross-validation over `C` picks, also where
/// `C = 1` overfits (caravan's 85 correlated columns): measured by `leadscore eval` on
/// examples/data/caravan.csv and wa_churn.csv against scikit-learn's cross-validation
/// over `C` (docs/training.md, "C: chosen per model").
pub(super) fn evidence_fit(
    prob: &mut Problem<'_>,
    cfg: &SolverConfig,
    strategy: Strategy,
) -> Result<(Solution, f64)> {
    let mut c = prob.c;
    let mut ws = Workspace::new(prob, strategy);
    let exact = strategy == Strategy::Newton;
    // The search solves each `C` to a looser tolerance (the evidence moves far less
    // than its own precision); the last fit is polished to `cfg.tol`.
    let mut loose = SolverConfig {
        tol: cfg.tol.max(EVIDENCE_FIT_TOL),
        ..cfg.clone()
    };
    let mut warm = false;
    if strategy == Strategy::Hybrid {
        if let Some(start) = warm_start(prob, &loose) {
            ws.theta.copy_from_slice(&start);
            warm = true;
        }
    }
    run_newton(prob, &loose, &mut ws, exact, warm, false)?;
    let (d, dim) = (prob.d, prob.dim);
    let mut prev: Option<(f64, f64)> = None;
    let mut seeded = false;
    for _ in 0..MAX_EVIDENCE_STEPS {
        // The Hessian at this optimum (summed over a sample of the rows when that
        // pays, as Newton's first estimate is: the evidence's 10 % needs no more), its
        // factor in `ws.mat2`.
        let step = prob.sampled_step();
        prob.hessian(&ws.curv, &mut ws.mat2, step, step > 1);
        // A copy of the Hessian (in `ws.mat`, which Newton's steps do not use).
        ws.mat.copy_from_slice(&ws.mat2);
        ws.rho.clear();
        if d == 0 || !cholesky_upper(&mut ws.mat2, dim) {
            break;
        }
        let trace = inverse_trace(&ws.mat2, dim, d, &mut ws.mat3);
        let gamma = d as f64 - trace;
        let ww = dotv(&ws.theta[..d], &ws.theta[..d]);
        if !(gamma > 1e-9 && ww > 0.0 && ww.is_finite()) {
            break;
        }
        let target = (ww / gamma).clamp(C_RANGE.0, C_RANGE.1);
        let (x, h) = (c.ln(), target.ln() - c.ln());
        if h.abs() < EVIDENCE_TOL {
            // The factor at this point seeds the polish.
            seeded = true;
            break;
        }
        // The fixed point's step, or the secant's when it is usable (at most three
        // times as far: the map can overshoot).
        let mut next = x + h;
        if let Some((xp, hp)) = prev {
            let denom = h - hp;
            if denom.abs() > 1e-12 {
                let xs = x - h * (x - xp) / denom;
                if xs.is_finite() && (xs - x).abs() <= 3.0 * h.abs() {
                    next = xs;
                }
            }
        }
        prev = Some((x, h));
        let c_next = next.exp().clamp(C_RANGE.0, C_RANGE.1);
        if c_next == c {
            break;
        }
        // The Hessian is `I + C * (data part)` (the intercept's entry has no `I`):
        // at the new `C` it is the old one rescaled, so the next fit starts from its
        // exact inverse without another pass over the rows.
        let r = c_next / c;
        for i in 0..dim {
            for j in i..dim {
                let v = ws.mat[i * dim + j];
                ws.mat2[i * dim + j] = if i == j && i < d {
                    1.0 + r * (v - 1.0)
                } else {
                    r * v
                };
            }
        }
        c = c_next;
        prob.set_c(c);
        loose.c = c;
        seeded = cholesky_upper(&mut ws.mat2, dim);
        run_newton(prob, &loose, &mut ws, exact, false, seeded)?;
        seeded = false;
    }
    let final_cfg = SolverConfig { c, ..cfg.clone() };
    // `ws.mat2` holds the exact Hessian's factor at the current point when `seeded`.
    let sol = run_newton(prob, &final_cfg, &mut ws, exact, false, seeded)?;
    Ok((sol, c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Rows;
    use crate::features::Features;
    use crate::rng::Rng;
    use crate::train::solver::{fit, fit_logistic};

    /// The evidence's `C` is about where the Laplace approximation of the log
    /// evidence peaks (found here by a grid and plain code): MacKay's fixed point
    /// leaves out only how the curvatures move with the coefficients.
    #[test]
    fn evidence_picks_the_peak_of_the_log_evidence() {
        let mut rng = Rng::new(21);
        for (n, d, scale) in [(400usize, 6usize, 0.3), (2000, 12, 1.0), (300, 40, 0.15)] {
            let beta: Vec<f64> = (0..d).map(|_| rng.normal() * scale).collect();
            let mut vals = Vec::with_capacity(n * d);
            let mut y = Vec::with_capacity(n);
            for _ in 0..n {
                let row: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
                let z: f64 = row.iter().zip(&beta).map(|(x, b)| x * b).sum::<f64>() - 0.3;
                y.push(f64::from(u8::from(rng.f64() < 1.0 / (1.0 + (-z).exp()))));
                vals.extend(row);
            }
            let x = Features::from_dense(d, &vals);
            let cfg = SolverConfig {
                c: EVIDENCE_START_C,
                ..SolverConfig::default()
            };
            let (_, chosen, used) = fit(Rows::Sparse(&x), &y, None, &cfg, true).unwrap();
            assert!(used);
            // log p(D | C) = -f / C + ln(C) / 2 - ln det(H) / 2 at the optimum for C
            // (f and H of the solver's objective; constants dropped).
            let log_evidence = |c: f64| {
                let fc = SolverConfig {
                    c,
                    ..SolverConfig::default()
                };
                let sol = fit_logistic(&x, &y, None, &fc).unwrap();
                let dim = d + 1;
                let mut h = vec![0.0; dim * dim];
                for i in 0..n {
                    let row = &vals[i * d..(i + 1) * d];
                    let z =
                        sol.intercept + row.iter().zip(&sol.coef).map(|(a, b)| a * b).sum::<f64>();
                    let p = 1.0 / (1.0 + (-z).exp());
                    let w = c * p * (1.0 - p);
                    for a in 0..dim {
                        for b in 0..dim {
                            let xa = if a < d { row[a] } else { 1.0 };
                            let xb = if b < d { row[b] } else { 1.0 };
                            h[a * dim + b] += w * xa * xb;
                        }
                    }
                }
                for j in 0..d {
                    h[j * dim + j] += 1.0;
                }
                assert!(cholesky_upper(&mut h, dim));
                let logdet: f64 = (0..dim).map(|j| 2.0 * h[j * dim + j].ln()).sum();
                -sol.objective / c + 0.5 * c.ln() - 0.5 * logdet
            };
            let grid: Vec<f64> = (-40..=40)
                .map(|k| 10f64.powf(f64::from(k) / 10.0))
                .collect();
            let best = grid
                .iter()
                .copied()
                .max_by(|a, b| log_evidence(*a).total_cmp(&log_evidence(*b)))
                .unwrap();
            let ratio = chosen / best;
            assert!(
                (0.6..=1.7).contains(&ratio),
                "n {n}, d {d}: chose C = {chosen}, the peak is at {best}"
            );
        }
    }
}
