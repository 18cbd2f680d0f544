//! L1 and elastic-net penalties: proximal Newton for models narrow enough for a dense
//! Hessian, OWL-QN for wider ones.
//!
//! # Objective
//!
//! scikit-learn's `LogisticRegression(penalty="elasticnet", solver="saga")` (with
//! `l1_ratio = 1`, its `penalty="l1"`):
//!
//! ```text
//! F(w, b) = C * sum_i s_i * logloss_i + l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||^2
//! ```
//!
//! The intercept is not penalised. The smooth part `S` (the loss and the L2 share) is
//! what the passes compute, less the L2 share they always add: `S = f - l1_ratio / 2 *
//! ||w||^2`, with its gradient and Hessian corrected the same way.
//!
//! # Convergence
//!
//! The fit has converged when the minimum-norm subgradient of `F` is at most `tol * C *
//! sum_i s_i` in every component (the L2 solver's criterion, with the subgradient in
//! place of the gradient): `|g_j + l1_ratio * sign(w_j)|` for a non-zero `w_j`,
//! `max(|g_j| - l1_ratio, 0)` for a zero one, `|g_b|` for the intercept.
//!
//! # Algorithms
//!
//! * **Proximal Newton** (the approach of glmnet and liblinear's newGLMNET): at each
//!   outer step the smooth part is replaced by its second-order model from the exact
//!   Hessian (the same Hessian passes as the L2 solver), and the model plus the L1 term
//!   is minimised by cyclic coordinate descent, each coordinate in closed form by soft
//!   thresholding, keeping `H * delta` up to date (`O(dim)` per changed coordinate).
//!   Coordinates at zero whose gradient is well inside `[-l1_ratio, l1_ratio]` are left
//!   out of the inner sweeps (they would stay at zero); every outer step checks them
//!   all again. The inner problem is solved until its own subgradient is a tenth of
//!   the outer one (so the outer steps converge superlinearly), then a backtracking
//!   line search on `F` takes the step. A few outer steps, each one pass for the
//!   Hessian and one or two for the line search, reach a tight tolerance.
//! * **OWL-QN** (Andrew and Gao, 2007): limited-memory BFGS on the smooth part, with
//!   the pseudo-gradient in place of the gradient, the direction kept in the
//!   pseudo-gradient's orthant, and each trial point projected on the orthant of the
//!   current point (coefficients that would cross zero stop at zero). Each iteration
//!   costs one or two passes and `O(dim)` extra work, for text models with thousands of
//!   terms.

use super::lbfgs::LBFGS_M;
use super::linalg::dotv;
use super::problem::Problem;
use super::search::Workspace;
use super::{min_warm_rows, Solution, SolverConfig, Strategy, WARM_STRIDE, WARM_TOL};
use crate::error::{Error, Result};

/// Armijo constant of both line searches.
const ARMIJO: f64 = 1e-4;
/// Most trial points of a line search.
const MAX_LINE_SEARCH: usize = 40;
/// Most sweeps of one inner coordinate descent.
const MAX_INNER_SWEEPS: usize = 1000;
/// A Hessian is used again for the next step when the last full step shrank the
/// subgradient at least this many times (near the optimum it changes little; measured
/// by `bench/l1_vs_liblinear.py`).
const REUSE_SHRINK: f64 = 4.0;
/// The inner problem is solved until its subgradient is this share of the outer one.
const INNER_FORCING: f64 = 0.1;

/// The penalty's weights: `l1 * ||w||_1 + l2 / 2 * ||w||^2`.
#[derive(Debug, Clone, Copy)]
struct Weights {
    l1: f64,
    l2: f64,
}

impl Weights {
    fn of(cfg: &SolverConfig) -> Weights {
        Weights {
            l1: cfg.l1_ratio,
            l2: 1.0 - cfg.l1_ratio,
        }
    }
}

/// The smooth part at `theta` and its gradient (into `grad`; curvatures into `curv`):
/// the passes' L2 objective less the L2 share the penalty does not have.
fn smooth(
    p: &Problem<'_>,
    pw: Weights,
    theta: &[f64],
    grad: &mut [f64],
    curv: &mut [f64],
    spare: &mut [f64],
) -> f64 {
    let f = p.eval(theta, grad, curv, spare);
    let drop = 1.0 - pw.l2;
    let mut sq = 0.0;
    for (g, &w) in grad[..p.d].iter_mut().zip(&theta[..p.d]) {
        *g -= drop * w;
        sq += w * w;
    }
    f - 0.5 * drop * sq
}

/// `l1 * ||w||_1` at `theta`.
fn l1_term(p: &Problem<'_>, pw: Weights, theta: &[f64]) -> f64 {
    pw.l1 * theta[..p.d].iter().map(|w| w.abs()).sum::<f64>()
}

/// The minimum-norm subgradient's component `j` from the smooth gradient `g`.
#[inline]
fn subgradient(p: &Problem<'_>, pw: Weights, j: usize, w: f64, g: f64) -> f64 {
    if j >= p.d {
        g
    } else if w > 0.0 {
        g + pw.l1
    } else if w < 0.0 {
        g - pw.l1
    } else if g + pw.l1 < 0.0 {
        g + pw.l1
    } else if g - pw.l1 > 0.0 {
        g - pw.l1
    } else {
        0.0
    }
}

/// The largest component of the minimum-norm subgradient over the coordinates not
/// `held` at zero.
fn violation(p: &Problem<'_>, pw: Weights, theta: &[f64], g: &[f64], held: &[bool]) -> f64 {
    (0..p.dim)
        .filter(|&j| !held[j])
        .map(|j| subgradient(p, pw, j, theta[j], g[j]).abs())
        .fold(0.0, f64::max)
}

fn finish(p: &Problem<'_>, theta: &[f64], f: f64, viol: f64, it: usize, ok: bool) -> Solution {
    Solution {
        coef: theta[..p.d].to_vec(),
        intercept: if p.fit_intercept { theta[p.d] } else { 0.0 },
        iterations: it,
        converged: ok,
        grad_norm: viol / p.scale,
        objective: f,
    }
}

fn non_finite(p: &Problem<'_>, f: f64, g: &[f64]) -> Result<()> {
    if f.is_finite() && g.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(p.non_finite_input().unwrap_or_else(|| {
            Error::Training("the objective or its gradient became non-finite".into())
        }))
    }
}

/// Solves the L1 or elastic-net problem (`cfg.l1_ratio > 0`; `0` gives the L2
/// optimum) with the algorithm the problem's width calls for (see the module
/// documentation). With `keep`, the coefficients of columns it marks `false` are held
/// at zero: the optimum over the kept columns alone (how a pruned model is refitted).
pub(super) fn solve_sparse(
    p: &Problem<'_>,
    cfg: &SolverConfig,
    strategy: Strategy,
    keep: Option<&[bool]>,
) -> Result<Solution> {
    if keep.is_some_and(|k| k.len() != p.d) {
        return Err(Error::Internal(
            "a column mask of another width than the rows".into(),
        ));
    }
    let strategy = match strategy {
        Strategy::Auto => p.choose(),
        s => s,
    };
    let mut ws = Workspace::new(p, strategy);
    if strategy != Strategy::Lbfgs && keep.is_none() {
        if let Some(start) = warm_start(p, cfg, strategy) {
            ws.theta.copy_from_slice(&start);
        }
    }
    let held = |j: usize| keep.is_some_and(|k| j < k.len() && !k[j]);
    let held: Vec<bool> = (0..p.dim).map(held).collect();
    if strategy == Strategy::Lbfgs {
        owlqn(p, cfg, &mut ws, &held)
    } else {
        proximal_newton(p, cfg, &mut ws, &held)
    }
}

/// A starting point from the same fit on every [`WARM_STRIDE`]-th row (weights scaled
/// up so the penalty keeps its relative strength) to a loose tolerance, recursively,
/// as the L2 solver's warm start: the full data then starts near its optimum, with
/// its zeros mostly found, and needs fewer Hessians (measured by
/// `bench/l1_vs_liblinear.py`). `None` when the input is too small or the sample
/// cannot be fitted.
fn warm_start(p: &Problem<'_>, cfg: &SolverConfig, strategy: Strategy) -> Option<Vec<f64>> {
    if p.cw.len() < min_warm_rows(p.dim) {
        return None;
    }
    let sub = p.subsample(WARM_STRIDE)?;
    let sub_cfg = SolverConfig {
        tol: cfg.tol.max(WARM_TOL),
        ..cfg.clone()
    };
    let sol = solve_sparse(&sub, &sub_cfg, strategy, None).ok()?;
    let mut theta = sol.coef;
    if p.fit_intercept {
        theta.push(sol.intercept);
    }
    Some(theta)
}

/// Proximal Newton with coordinate-descent inner steps (see the module documentation).
fn proximal_newton(
    p: &Problem<'_>,
    cfg: &SolverConfig,
    ws: &mut Workspace,
    held: &[bool],
) -> Result<Solution> {
    let (d, dim) = (p.d, p.dim);
    let pw = Weights::of(cfg);
    let thresh = cfg.tol * p.scale;
    let fs = smooth(p, pw, &ws.theta, &mut ws.grad, &mut ws.curv, &mut ws.spare);
    non_finite(p, fs, &ws.grad)?;
    let mut f = fs + l1_term(p, pw, &ws.theta);
    // `h`: the smooth part's Hessian, both triangles; `hd`: h * delta.
    let mut h = std::mem::take(&mut ws.mat2);
    let mut hd = vec![0.0; dim];
    let mut active: Vec<usize> = Vec::with_capacity(dim);
    let mut in_active = vec![false; dim];
    let mut it = 0;
    // The Hessian is rebuilt only while it is needed: at the start, when the last step
    // shrank the subgradient less than `REUSE_SHRINK`-fold or was cut short by the
    // line search, and after a failed step on a reused one.
    let (mut have_h, mut prev_viol, mut full_step) = (false, f64::INFINITY, false);
    loop {
        let viol = violation(p, pw, &ws.theta, &ws.grad, held);
        if viol <= thresh {
            return Ok(finish(p, &ws.theta, f, viol, it, true));
        }
        if it >= cfg.max_iter {
            return Ok(finish(p, &ws.theta, f, viol, it, false));
        }
        let fresh = !have_h || !full_step || viol > prev_viol / REUSE_SHRINK;
        if fresh {
            p.hessian(&ws.curv, &mut ws.mat, 1, false);
            let drop = 1.0 - pw.l2;
            for a in 0..dim {
                for b in a..dim {
                    let v = ws.mat[a * dim + b] - if a == b && a < d { drop } else { 0.0 };
                    h[a * dim + b] = v;
                    h[b * dim + a] = v;
                }
            }
            have_h = true;
        }
        prev_viol = viol;
        // A column without curvature (all zero in the rows) gets a tiny one, so its
        // coordinate step stays defined (its gradient is zero, so it stays put).
        let floor = 1e-12 * (0..dim).map(|j| h[j * dim + j]).fold(1e-300, f64::max);
        active.clear();
        for (j, on) in in_active.iter_mut().enumerate() {
            // A coordinate at zero whose gradient is well inside the L1 band stays at
            // zero in the inner problem's first sweep; it is checked again each step.
            let idle = j < d && ws.theta[j] == 0.0 && ws.grad[j].abs() < pw.l1 * (1.0 - 1e-3);
            *on = !(held[j] || idle);
            if *on {
                active.push(j);
            }
        }
        // Inner problem: min_delta g.delta + delta'H delta / 2 + l1 ||w + delta||_1.
        let dir = &mut ws.dir;
        dir.iter_mut().for_each(|v| *v = 0.0);
        hd.iter_mut().for_each(|v| *v = 0.0);
        let inner_goal = (INNER_FORCING * viol).max(0.5 * thresh);
        for _sweep in 0..MAX_INNER_SWEEPS {
            for &j in &active {
                let a = h[j * dim + j].max(floor);
                let b = ws.grad[j] + hd[j];
                let w = ws.theta[j] + dir[j];
                let target = if j >= d {
                    w - b / a
                } else {
                    soft(w - b / a, pw.l1 / a)
                };
                let step = target - w;
                if step != 0.0 {
                    dir[j] += step;
                    let col = &h[j * dim..(j + 1) * dim];
                    for (acc, &hv) in hd.iter_mut().zip(col) {
                        *acc += step * hv;
                    }
                }
            }
            // The inner problem's subgradient over every coordinate (a left-out one
            // that would now move joins the sweeps).
            let mut inner = 0.0f64;
            for j in (0..dim).filter(|&j| !held[j]) {
                let gq = ws.grad[j] + hd[j];
                let sg = subgradient(p, pw, j, ws.theta[j] + dir[j], gq).abs();
                if sg > inner_goal && !in_active[j] {
                    active.push(j);
                    in_active[j] = true;
                }
                inner = inner.max(sg);
            }
            if inner <= inner_goal {
                break;
            }
        }
        // The model's predicted decrease (smooth part to first order, plus the L1 term).
        let l1_now = l1_term(p, pw, &ws.theta);
        let l1_new: f64 = ws.theta[..d]
            .iter()
            .zip(&dir[..d])
            .map(|(t, v)| (t + v).abs())
            .sum();
        let decrease = dotv(&ws.grad, dir) + pw.l1 * l1_new - l1_now;
        if (decrease.is_nan() || decrease >= 0.0) && !fresh {
            have_h = false;
            continue;
        }
        if decrease.is_nan() || decrease >= 0.0 {
            // No descent left at this precision: the point is as good as it gets.
            let ok = viol <= 10.0 * thresh;
            ws.mat2 = h;
            return Ok(finish(p, &ws.theta, f, viol, it, ok));
        }
        let slack = 1e-13 * f.abs();
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_LINE_SEARCH {
            for ((tr, &th), &dv) in ws.trial.iter_mut().zip(&ws.theta).zip(dir.iter()) {
                *tr = th + t * dv;
            }
            let fs_new = smooth(
                p,
                pw,
                &ws.trial,
                &mut ws.trial_grad,
                &mut ws.trial_curv,
                &mut ws.spare,
            );
            let f_new = fs_new + l1_term(p, pw, &ws.trial);
            if f_new.is_finite() && f_new <= f + ARMIJO * t * decrease + slack {
                non_finite(p, fs_new, &ws.trial_grad)?;
                accepted = Some(f_new);
                break;
            }
            t *= 0.5;
        }
        full_step = t == 1.0;
        let Some(f_new) = accepted else {
            if !fresh {
                have_h = false;
                continue;
            }
            ws.mat2 = h;
            return Ok(finish(p, &ws.theta, f, viol, it, viol <= 10.0 * thresh));
        };
        std::mem::swap(&mut ws.theta, &mut ws.trial);
        std::mem::swap(&mut ws.grad, &mut ws.trial_grad);
        std::mem::swap(&mut ws.curv, &mut ws.trial_curv);
        f = f_new;
        it += 1;
    }
}

/// Soft thresholding: the minimiser of `(u - x)^2 / 2 + k |u|`.
#[inline]
fn soft(x: f64, k: f64) -> f64 {
    if x > k {
        x - k
    } else if x < -k {
        x + k
    } else {
        0.0
    }
}

/// OWL-QN (see the module documentation).
fn owlqn(
    p: &Problem<'_>,
    cfg: &SolverConfig,
    ws: &mut Workspace,
    held: &[bool],
) -> Result<Solution> {
    let (d, dim) = (p.d, p.dim);
    let pw = Weights::of(cfg);
    let thresh = cfg.tol * p.scale;
    let fs = smooth(p, pw, &ws.theta, &mut ws.grad, &mut ws.curv, &mut ws.spare);
    non_finite(p, fs, &ws.grad)?;
    let mut f = fs + l1_term(p, pw, &ws.theta);
    let mut pg = vec![0.0; dim];
    let mut rho = [0.0; LBFGS_M];
    let mut alphas = [0.0; LBFGS_M];
    let (mut count, mut head) = (0usize, 0usize);
    let mut it = 0;
    loop {
        for (j, v) in pg.iter_mut().enumerate() {
            *v = if held[j] {
                0.0
            } else {
                subgradient(p, pw, j, ws.theta[j], ws.grad[j])
            };
        }
        let viol = pg.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if viol <= thresh {
            return Ok(finish(p, &ws.theta, f, viol, it, true));
        }
        if it >= cfg.max_iter {
            return Ok(finish(p, &ws.theta, f, viol, it, false));
        }
        // dir = -H pg by the two-loop recursion over the smooth part's pairs.
        let dir = &mut ws.dir;
        dir.copy_from_slice(&pg);
        for k in 0..count {
            let slot = (head + LBFGS_M - 1 - k) % LBFGS_M;
            let s = &ws.mat[2 * slot * dim..(2 * slot + 1) * dim];
            let y = &ws.mat[(2 * slot + 1) * dim..(2 * slot + 2) * dim];
            let a = rho[slot] * dotv(s, dir);
            alphas[slot] = a;
            for (dv, &yv) in dir.iter_mut().zip(y) {
                *dv -= a * yv;
            }
        }
        let gamma = if count > 0 {
            let slot = (head + LBFGS_M - 1) % LBFGS_M;
            let s = &ws.mat[2 * slot * dim..(2 * slot + 1) * dim];
            let y = &ws.mat[(2 * slot + 1) * dim..(2 * slot + 2) * dim];
            dotv(s, y) / dotv(y, y)
        } else {
            1.0 / dotv(&pg, &pg).sqrt().max(1.0)
        };
        dir.iter_mut().for_each(|v| *v *= gamma);
        for k in (0..count).rev() {
            let slot = (head + LBFGS_M - 1 - k) % LBFGS_M;
            let s = &ws.mat[2 * slot * dim..(2 * slot + 1) * dim];
            let y = &ws.mat[(2 * slot + 1) * dim..(2 * slot + 2) * dim];
            let bc = rho[slot] * dotv(y, dir);
            let a = alphas[slot];
            for (dv, &sv) in dir.iter_mut().zip(s) {
                *dv += (a - bc) * sv;
            }
        }
        // Keep the direction in the pseudo-gradient's orthant.
        for j in 0..dim {
            dir[j] = -dir[j];
            if j < d && dir[j] * pg[j] >= 0.0 {
                dir[j] = 0.0;
            }
        }
        // Line search with each trial projected on the current orthant.
        let slack = 1e-13 * f.abs();
        let mut t = 1.0;
        let mut accepted = None;
        for _ in 0..MAX_LINE_SEARCH {
            let mut expected = 0.0;
            for j in 0..dim {
                let x = ws.theta[j];
                let mut v = x + t * dir[j];
                if j < d {
                    let orthant = if x != 0.0 {
                        x.signum()
                    } else {
                        -pg[j].signum()
                    };
                    if v * orthant <= 0.0 {
                        v = 0.0;
                    }
                }
                ws.trial[j] = v;
                expected += pg[j] * (v - x);
            }
            let fs_new = smooth(
                p,
                pw,
                &ws.trial,
                &mut ws.trial_grad,
                &mut ws.trial_curv,
                &mut ws.spare,
            );
            let f_new = fs_new + l1_term(p, pw, &ws.trial);
            if f_new.is_finite() && expected < 0.0 && f_new <= f + ARMIJO * expected + slack {
                non_finite(p, fs_new, &ws.trial_grad)?;
                accepted = Some(f_new);
                break;
            }
            t *= 0.5;
        }
        let Some(f_new) = accepted else {
            if count > 0 {
                // A stale memory: start it afresh from the same point.
                count = 0;
                continue;
            }
            return Ok(finish(p, &ws.theta, f, viol, it, viol <= 10.0 * thresh));
        };
        // The pair (s, y) of the smooth part.
        let slot = head;
        let (sy, yy) = {
            let (s_part, y_part) = ws.mat[2 * slot * dim..(2 * slot + 2) * dim].split_at_mut(dim);
            for j in 0..dim {
                s_part[j] = ws.trial[j] - ws.theta[j];
                y_part[j] = ws.trial_grad[j] - ws.grad[j];
            }
            (dotv(s_part, y_part), dotv(y_part, y_part))
        };
        if sy > 1e-12 * yy && sy.is_finite() {
            rho[slot] = 1.0 / sy;
            head = (head + 1) % LBFGS_M;
            count = (count + 1).min(LBFGS_M);
        } else {
            // The slot just overwritten was the oldest pair when the memory was full.
            count = count.min(LBFGS_M - 1);
        }
        std::mem::swap(&mut ws.theta, &mut ws.trial);
        std::mem::swap(&mut ws.grad, &mut ws.trial_grad);
        std::mem::swap(&mut ws.curv, &mut ws.trial_curv);
        f = f_new;
        it += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Rows;
    use crate::features::Features;
    use crate::train::solver::fit_logistic;
    use crate::train::solver::testutil::{assert_close, mixed, synth};

    fn solve_as(
        x: &Features,
        y: &[f64],
        w: Option<&[f64]>,
        cfg: &SolverConfig,
        strategy: Strategy,
    ) -> Solution {
        let prob = Problem::new(Rows::Sparse(x), y, w, cfg).unwrap();
        solve_sparse(&prob, cfg, strategy, None).unwrap()
    }

    /// OWL-QN (the wide models' algorithm) and proximal Newton reach the same optimum,
    /// with the same zeros, for L1 and an elastic net, with and without weights. On
    /// rows like a pipeline's (`mixed`: a one-hot category whose levels sum to the
    /// intercept's column) L1's optimum is not unique along that direction, so there
    /// only the objectives are compared.
    #[test]
    fn owlqn_and_proximal_newton_agree() {
        let (x, y) = synth(3000, 12, 5);
        let w: Vec<f64> = (0..y.len()).map(|i| [0.5, 1.0, 2.0][i % 3]).collect();
        for (l1_ratio, c) in [(1.0, 0.02), (0.5, 0.05), (1.0, 1.0)] {
            for weights in [None, Some(w.as_slice())] {
                let cfg = SolverConfig {
                    c,
                    l1_ratio,
                    max_iter: 5000,
                    ..SolverConfig::default()
                };
                let pn = solve_as(&x, &y, weights, &cfg, Strategy::Newton);
                let ow = solve_as(&x, &y, weights, &cfg, Strategy::Lbfgs);
                assert!(pn.converged && ow.converged, "{pn:?} {ow:?}");
                assert_close(&pn.coef, &ow.coef, 1e-5);
                assert!((pn.intercept - ow.intercept).abs() < 1e-5);
                for (a, b) in pn.coef.iter().zip(&ow.coef) {
                    assert_eq!(*a == 0.0, *b == 0.0, "{a} vs {b}");
                }
                assert!((pn.objective - ow.objective).abs() <= 1e-10 * pn.objective);
            }
        }
        let (x, y, w) = mixed(3000, 5);
        for weights in [None, Some(w.as_slice())] {
            let cfg = SolverConfig {
                c: 0.05,
                l1_ratio: 1.0,
                max_iter: 5000,
                ..SolverConfig::default()
            };
            let pn = solve_as(&x, &y, weights, &cfg, Strategy::Newton);
            let ow = solve_as(&x, &y, weights, &cfg, Strategy::Lbfgs);
            assert!(pn.converged && ow.converged, "{pn:?} {ow:?}");
            assert!((pn.objective - ow.objective).abs() <= 1e-10 * pn.objective);
        }
    }

    /// A strong L1 penalty zeroes every coefficient and leaves the intercept at the
    /// log-odds of the positive rate; weakening it brings coefficients in one by one.
    #[test]
    fn strong_l1_leaves_only_the_intercept() {
        let (x, y) = synth(2000, 8, 3);
        let rate = y.iter().sum::<f64>() / y.len() as f64;
        let cfg = SolverConfig {
            c: 1e-5,
            l1_ratio: 1.0,
            ..SolverConfig::default()
        };
        let sol = fit_logistic(&x, &y, None, &cfg).unwrap();
        assert!(sol.converged);
        assert!(sol.coef.iter().all(|&c| c == 0.0), "{:?}", sol.coef);
        assert!((sol.intercept - (rate / (1.0 - rate)).ln()).abs() < 1e-6);
        let mut last = 0;
        for c in [1e-3, 1e-2, 1e-1, 10.0] {
            let sol = fit_logistic(&x, &y, None, &SolverConfig { c, ..cfg.clone() }).unwrap();
            let nz = sol.coef.iter().filter(|&&v| v != 0.0).count();
            assert!(
                sol.converged && nz >= last,
                "C = {c}: {nz} non-zero after {last}"
            );
            last = nz;
        }
        assert_eq!(last, 8);
    }

    /// `l1_ratio = 0` through this solver is the L2 solver's optimum.
    #[test]
    fn zero_l1_share_is_the_l2_optimum() {
        let (x, y) = synth(1500, 6, 9);
        let cfg = SolverConfig::default();
        let l2 = fit_logistic(&x, &y, None, &cfg).unwrap();
        let here = solve_as(&x, &y, None, &cfg, Strategy::Newton);
        assert_close(&l2.coef, &here.coef, 1e-6);
        assert!((l2.objective - here.objective).abs() <= 1e-12 * l2.objective);
    }

    /// Held columns stay at zero, and the rest is the optimum of the problem without
    /// them (the same fit on a matrix that lacks them), by both algorithms.
    #[test]
    fn held_columns_give_the_fit_without_them() {
        let (x, y) = synth(2000, 6, 4);
        let keep = [true, false, true, true, false, true];
        let mut narrow = Features::new(4);
        for i in 0..x.n_rows() {
            let row = &x.values()[i * 6..(i + 1) * 6];
            for (k, j) in [0usize, 2, 3, 5].into_iter().enumerate() {
                narrow.push(k as u32, row[j]);
            }
            narrow.end_row();
        }
        for l1_ratio in [0.0, 0.5, 1.0] {
            let cfg = SolverConfig {
                c: 0.1,
                l1_ratio,
                max_iter: 2000,
                ..SolverConfig::default()
            };
            let want = solve_as(&narrow, &y, None, &cfg, Strategy::Newton);
            for strategy in [Strategy::Newton, Strategy::Lbfgs] {
                let prob = Problem::new(Rows::Sparse(&x), &y, None, &cfg).unwrap();
                let got = solve_sparse(&prob, &cfg, strategy, Some(&keep)).unwrap();
                assert!(got.converged);
                assert_eq!((got.coef[1], got.coef[4]), (0.0, 0.0));
                let kept: Vec<f64> = [0usize, 2, 3, 5].iter().map(|&j| got.coef[j]).collect();
                assert_close(&kept, &want.coef, 1e-5);
                assert!((got.intercept - want.intercept).abs() < 1e-6);
            }
        }
    }

    /// The L1 share is validated.
    #[test]
    fn l1_ratio_outside_zero_one_is_refused() {
        let (x, y) = synth(100, 3, 1);
        for bad in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
            let cfg = SolverConfig {
                l1_ratio: bad,
                ..SolverConfig::default()
            };
            let err = fit_logistic(&x, &y, None, &cfg).unwrap_err().to_string();
            assert!(err.contains("l1_ratio"), "{err}");
        }
    }
}
