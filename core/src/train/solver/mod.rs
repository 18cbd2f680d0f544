//! The L2-penalised logistic-regression solver.
//!
//! # Objective
//!
//! Exactly scikit-learn's `LogisticRegression(penalty="l2")`:
//!
//! ```text
//! f(w, b) = 0.5 * ||w||^2 + C * sum_i s_i * logloss(y_i, x_i . w + b)
//! logloss(y, z) = log(1 + exp(z)) - y * z      (y in {0, 1})
//! ```
//!
//! The intercept `b` is not penalised. Results can therefore be checked against
//! scikit-learn (`core/tests/solver_sklearn.rs` does).
//!
//! # Algorithm
//!
//! The feature count `d` of one tenant's model is small (tens to a few hundred), while
//! rows are many and often sparse. Every pass over the rows is fused: one pass computes
//! the objective, the gradient and each row's curvature `C * s_i * p_i * (1 - p_i)`.
//!
//! * **Newton (small `d`)**: the exact Hessian `I + C * sum_i s_i p_i (1 - p_i) x_i x_i^T`
//!   (with the intercept's row and column, which carry no penalty) is accumulated in
//!   its upper triangle, factorised by Cholesky, and the step is taken with a
//!   backtracking Armijo line search. Narrow models (up to 256 parameters) gather
//!   rows, 32 at a time, into a small dense block and sum 4 x 8 tiles of the triangle
//!   (4 x 16 in `f32`) in vector registers (`Tiles`): an order of magnitude more
//!   multiply-adds per second than scattered updates, so it wins even on sparse
//!   one-hot rows (measured by `cargo bench -p leadscore --bench fit -- one_hot`)
//!   unless the rows are very sparse for their width, when the stored entries are
//!   multiplied out instead (`nnz_row^2 / 2` per row). On a warm-started level (below) the first
//!   Hessian is summed over every second to fourth row only (at least 30 rows per
//!   parameter, curvatures scaled up): near the optimum that estimate plus BFGS
//!   corrections needs about one more gradient pass, for a half to three quarters
//!   less Hessian work. Such estimates (sampled, or on a warm-start level) are summed
//!   in `f32` lanes, eight to a register (relative error about 1e-7, far below the
//!   estimate's own); the full data's rebuilds stay in `f64`. The Hessian is the
//!   expensive part on dense rows, so it is not rebuilt at every step: between
//!   rebuilds its inverse is corrected with BFGS updates (each `O(d^2)`), and a
//!   rebuild happens when the gradient stops shrinking fast (unless it is within ten
//!   times the tolerance already).
//! * **Warm start**: with enough rows (at least `4 * max(1000, 20 d)`), the same fit is
//!   first solved to a loose tolerance on every fourth row (weights scaled up so the
//!   penalty keeps its relative strength), recursively. The full data then starts
//!   within the statistical error of the optimum and needs a few steps only.
//! * **Layout**: every fit goes through `fit` with its rows in one of the layouts
//!   of `design::Rows`, and each pass matches the layout once. The trainer's
//!   pipeline writes its rows split (`Rows::Split`):
//!   the columns stored in at least half the rows (standardised numbers, common flags
//!   and levels) as column-major arrays, the rest as sparse rows. Margins and
//!   gradients then run down contiguous columns and the Hessian's dense block is a
//!   set of dot products (less work on mass-training tenants, measured by
//!   `bench/mass_vs_sklearn.py`). Narrow rows
//!   dense enough run as a dense row-major block instead (`Dense`; the trainer's
//!   pipeline writes it directly, `Rows::Dense`, when a row has at most 3.5
//!   columns per stored entry): each pass then takes four rows at a time against the
//!   same slice of the coefficients, in explicit 4-wide vectors, with no indices to
//!   load and no scattered updates. A caller's full matrix already is that block (its
//!   values are borrowed); a sparse one with at most 3 columns per stored entry is
//!   copied once, which costs less than the passes then save (measured by the
//!   "leadscore CSR in" row of `bench/fit_vs_sklearn.py`: wa_churn, 19 of its 40
//!   columns stored). Other sparse
//!   matrices ([`fit_logistic`]) are used as they are: splitting them would cost a
//!   second copy of the rows, more than it saves on small inputs.
//! * **L-BFGS (large `d`)**: when `d > 1000` (sparse text features) or the Hessian
//!   would cost more than about a hundred gradient passes, limited-memory BFGS (10
//!   pairs) with the same line search is used instead.
//!
//! The exp and log1p of the loss use in-crate polynomial kernels (within two ulp) that
//! the compiler vectorises. The two passes (gradient and Hessian) are compiled once
//! for the target's baseline and once for AVX2, and the best the CPU has runs (run-time
//! detection by the `pulp` crate, which keeps the `unsafe` of calling AVX2 code out of
//! this crate): faster mass training and faster fits on dense rows (measured by
//! `bench/mass_vs_sklearn.py` and `cargo bench -p leadscore --bench fit -- dense_x50`).
//! The code fixes the order of every sum and Rust never contracts a multiply and an
//! add into an FMA, so every instruction set and machine gives bit-identical results
//! (a test compares them). Everything is single-threaded and buffers are allocated
//! once per call (plus one set per warm-start level); the large ones (the split rows,
//! per-row weights and curvatures) come from and return to a per-thread pool
//! (`design::scratch`), so repeated fits on a thread do not fault their pages
//! in again.
//!
//! # Convergence
//!
//! The fit has converged when the largest absolute component of the gradient of the
//! *mean-scaled* objective `f / (C * sum_i s_i)` is at most `tol`:
//!
//! ```text
//! max_j |df/dtheta_j| <= tol * C * sum_i s_i
//! ```
//!
//! This is the quantity scikit-learn's lbfgs solver compares with its `tol` (the
//! projected gradient of its internally mean-scaled objective), so the same `tol` means
//! the same thing; the default here is much tighter because second-order steps make a
//! tight tolerance cheap. Reaching `max_iter` iterations without meeting the criterion
//! is not an error: the best point is returned with `converged == false`.
//!
//! # Rooms
//!
//! This file holds the entry points ([`fit_logistic`], `fit`) and the choice of
//! algorithm and warm start. `problem` is the checked problem and its cost model
//! (`checks`, its input checks); `passes` computes the objective, gradient and
//! curvatures and `hessian` the Hessian, each over every layout, on `tiles`, `kernels`
//! and `lanes`; `linalg` holds the Cholesky factor and its solves; `search` the
//! workspace and line search that `newton` and `lbfgs` step with; `evidence` chooses
//! `C`.

mod checks;
mod evidence;
mod hessian;
mod kernels;
mod lanes;
mod lbfgs;
mod linalg;
mod newton;
mod passes;
mod problem;
mod search;
mod sparse_penalty;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod testutil;
mod tiles;

use self::evidence::{class_weight_log_ratio, evidence_fit, EVIDENCE_START_C};
use self::lbfgs::run_lbfgs;
use self::newton::run_newton;
use self::problem::Problem;
use self::search::Workspace;
use self::sparse_penalty::solve_sparse;
use crate::design::Rows;
use crate::error::Result;
use crate::features::Features;

/// Settings of [`fit_logistic`].
#[derive(Debug, Clone)]
pub struct SolverConfig {
    /// Inverse regularisation strength, as scikit-learn's `C`: larger means a weaker
    /// L2 penalty. Must be finite and positive. Default `1.0` (scikit-learn's default).
    pub c: f64,
    /// Convergence tolerance on the max-abs gradient of the mean-scaled objective (see
    /// the module documentation). Default `1e-8`, ten thousand times tighter than
    /// scikit-learn's `1e-4`: it pins the coefficients (and so the reasons given for a
    /// score) to the optimum. Near the optimum each step shrinks the gradient about
    /// tenfold, so the four extra decades cost about four more passes over the rows
    /// (`bench/fit_vs_sklearn.py` times both: its "same tol" column is `1e-4`).
    pub tol: f64,
    /// The most iterations (each one line-searched step) before giving up with
    /// `converged == false`. Default `100` (scikit-learn's default for lbfgs; Newton
    /// steps typically need fewer than 15).
    pub max_iter: usize,
    /// Whether to fit an unpenalised intercept. Default `true`.
    pub fit_intercept: bool,
    /// The L1 share of the penalty, as scikit-learn's `l1_ratio`: the objective
    /// becomes `C * loss + l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||^2`. `0.0`
    /// (the default) is the L2 penalty, `1.0` the L1 penalty (scikit-learn's
    /// `penalty="l1"`), anything between an elastic net. Must be within `[0, 1]`.
    /// See `sparse_penalty` for the algorithms.
    pub l1_ratio: f64,
}

impl Default for SolverConfig {
    fn default() -> Self {
        SolverConfig {
            c: 1.0,
            tol: 1e-8,
            max_iter: 100,
            fit_intercept: true,
            l1_ratio: 0.0,
        }
    }
}

/// The result of [`fit_logistic`].
#[derive(Debug, Clone)]
pub struct Solution {
    /// One coefficient per feature column.
    pub coef: Vec<f64>,
    /// The intercept (`0.0` when `fit_intercept` is false).
    pub intercept: f64,
    /// Iterations (line-searched steps) taken.
    pub iterations: usize,
    /// Whether the convergence criterion was met.
    pub converged: bool,
    /// Max-abs gradient of the mean-scaled objective at the returned point (the value
    /// compared with `tol`).
    pub grad_norm: f64,
    /// The objective `0.5 * ||w||^2 + C * sum_i s_i * logloss_i` at the returned point.
    pub objective: f64,
}

/// Fits a penalised logistic regression: L2 (the default), or L1 or an elastic net
/// with [`SolverConfig::l1_ratio`].
///
/// `y` holds one label per row, each `0.0` or `1.0`; `sample_weight`, when given, one
/// finite non-negative weight per row (not all zero). Rows with weight zero are
/// skipped. See the module documentation for the objective, the algorithm and the
/// convergence criterion.
///
/// # Errors
///
/// [`Error::InvalidInput`](crate::error::Error::InvalidInput) for inconsistent or invalid
/// inputs (length mismatches, non-finite values, labels other than 0/1, bad weights, a
/// single class, a bad `c` or `tol`); [`Error::Training`](crate::error::Error::Training) when
/// the fit breaks down numerically.
pub fn fit_logistic(
    x: &Features,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    cfg: &SolverConfig,
) -> Result<Solution> {
    fit(Rows::Sparse(x), y, sample_weight, cfg, false).map(|(sol, _, _)| sol)
}

/// Fits over rows in any layout: the one entry point of every fit ([`fit_logistic`]
/// passes a caller's sparse matrix; the trainer, the layout its pipeline wrote).
///
/// A penalty with an L1 share (`cfg.l1_ratio > 0`) is solved by `sparse_penalty`,
/// always at `cfg.c` with the weights as given (`auto_c` is for the L2 penalty only).
///
/// With `auto_c`, `C` is chosen by the evidence (see [`evidence_fit`]) on the rows
/// without their weights, then the weighted fit runs at
/// that `C` with the weights scaled to a mean of 1, so that rebalancing reweighs the
/// classes without weakening the penalty; when the model is too wide for Newton's
/// method, `cfg.c` is used with the weights so scaled. Without `auto_c`, the fit is
/// [`fit_logistic`]'s at `cfg.c`. Returns the solution and the `C` it used, and
/// whether the evidence chose it.
pub(crate) fn fit(
    rows: Rows<'_>,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    cfg: &SolverConfig,
    auto_c: bool,
) -> Result<(Solution, f64, bool)> {
    if cfg.l1_ratio > 0.0 {
        let prob = Problem::new(rows, y, sample_weight, cfg)?;
        return Ok((
            solve_sparse(&prob, cfg, Strategy::Auto, None)?,
            cfg.c,
            false,
        ));
    }
    let weights = if auto_c { None } else { sample_weight };
    let fallback_c = cfg.c;
    let start_cfg;
    let cfg = if auto_c {
        start_cfg = SolverConfig {
            c: EVIDENCE_START_C,
            ..cfg.clone()
        };
        &start_cfg
    } else {
        cfg
    };
    let mut prob = Problem::new(rows, y, weights, cfg)?;
    if !auto_c {
        return Ok((solve(&prob, cfg, Strategy::Auto)?, cfg.c, false));
    }
    let strategy = prob.choose();
    let (start, c, chosen) = if strategy == Strategy::Lbfgs {
        (None, fallback_c, false)
    } else {
        let (sol, c) = evidence_fit(&mut prob, cfg, strategy)?;
        // Equal weights reweigh nothing: the fit is the unweighted one.
        let uniform = sample_weight.is_none_or(|w| w.iter().all(|&v| v == w[0]));
        if uniform {
            return Ok((sol, c, true));
        }
        let mut theta = sol.coef;
        if prob.fit_intercept {
            // Reweighting the classes moves the intercept by about the log of the
            // weights' odds ratio (exactly so for a model of the intercept alone).
            let shift = sample_weight.map_or(0.0, |w| class_weight_log_ratio(y, w));
            theta.push(sol.intercept + shift);
        }
        (Some(theta), c, true)
    };
    let scaled: Option<Vec<f64>> = sample_weight.map(|w| {
        let mean = w.iter().sum::<f64>() / w.len().max(1) as f64;
        if mean > 0.0 && mean.is_finite() {
            w.iter().map(|&v| v / mean).collect()
        } else {
            w.to_vec()
        }
    });
    prob.reweight(scaled.as_deref(), c)?;
    let cfg_c = SolverConfig { c, ..cfg.clone() };
    let sol = solve_from(&prob, &cfg_c, strategy, start.as_deref())?;
    Ok((sol, c, chosen))
}

/// The fit over the columns `keep` marks `true` alone, the others' coefficients held
/// at zero, at `cfg.c` with the weights as given, for any penalty (how a pruned model is
/// refitted; see `sparse_penalty`).
pub(crate) fn fit_masked(
    rows: Rows<'_>,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    cfg: &SolverConfig,
    keep: &[bool],
) -> Result<Solution> {
    let prob = Problem::new(rows, y, sample_weight, cfg)?;
    solve_sparse(&prob, cfg, Strategy::Auto, Some(keep))
}

/// [`solve`] from a starting point (`None`: the usual start).
fn solve_from(
    prob: &Problem<'_>,
    cfg: &SolverConfig,
    strategy: Strategy,
    start: Option<&[f64]>,
) -> Result<Solution> {
    let Some(start) = start else {
        return solve(prob, cfg, strategy);
    };
    let mut ws = Workspace::new(prob, strategy);
    if start.len() == ws.theta.len() {
        ws.theta.copy_from_slice(start);
    }
    match strategy {
        Strategy::Lbfgs => run_lbfgs(prob, cfg, &mut ws),
        _ => run_newton(
            prob,
            cfg,
            &mut ws,
            strategy == Strategy::Newton,
            true,
            false,
        ),
    }
}

/// Which algorithm to run (tests force each one; users get `Auto`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Strategy {
    /// Pick from the cost model.
    Auto,
    /// Exact Hessian at every step.
    Newton,
    /// Exact Hessian at the start and when progress slows, BFGS updates in between.
    Hybrid,
    /// Limited-memory BFGS.
    Lbfgs,
}

fn solve(prob: &Problem<'_>, cfg: &SolverConfig, strategy: Strategy) -> Result<Solution> {
    let strategy = match strategy {
        Strategy::Auto => prob.choose(),
        s => s,
    };
    let mut ws = Workspace::new(prob, strategy);
    match strategy {
        Strategy::Lbfgs => run_lbfgs(prob, cfg, &mut ws),
        _ => {
            let mut warm = false;
            if strategy == Strategy::Hybrid {
                if let Some(start) = warm_start(prob, cfg) {
                    ws.theta.copy_from_slice(&start);
                    warm = true;
                }
            }
            run_newton(
                prob,
                cfg,
                &mut ws,
                strategy == Strategy::Newton,
                warm,
                false,
            )
        }
    }
}

/// Rows of a level below which no subsample warm start is tried.
pub(super) fn min_warm_rows(dim: usize) -> usize {
    4 * 1000usize.max(20 * dim)
}

/// Subsampling stride of the warm start.
pub(super) const WARM_STRIDE: usize = 4;
/// Tolerance of the warm-start fits: below the statistical error of a subsample's
/// optimum (the full data's gradient at a quarter's optimum is larger), so tighter
/// would be wasted: a tighter one takes the same steps on the full data and more on
/// the levels (measured by `cargo bench -p leadscore --bench fit -- dense_x50/20000`,
/// two warm levels, `bench/fit_vs_sklearn.py`'s wa_churn and
/// `bench/mass_vs_sklearn.py`).
pub(super) const WARM_TOL: f64 = 3e-3;

/// A starting point from the same fit on every [`WARM_STRIDE`]-th row (weights scaled
/// up so the penalty keeps its relative strength), solved to a loose tolerance: it
/// lands within the statistical error of the optimum, where Newton steps converge
/// fast, for a fraction of the cost of a full-data step. Recursive, so large inputs
/// start from a cascade of ever smaller samples. `None` when the input is too small
/// or the subsample cannot be fitted (a single class, say).
fn warm_start(p: &Problem<'_>, cfg: &SolverConfig) -> Option<Vec<f64>> {
    if p.cw.len() < min_warm_rows(p.dim) {
        return None;
    }
    let sub = p.subsample(WARM_STRIDE)?;
    let sub_cfg = SolverConfig {
        tol: cfg.tol.max(WARM_TOL),
        ..cfg.clone()
    };
    let sol = solve(&sub, &sub_cfg, Strategy::Hybrid).ok()?;
    let mut theta = sol.coef;
    if p.fit_intercept {
        theta.push(sol.intercept);
    }
    Some(theta)
}
