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
//!   (4 x 16 in `f32`) in vector registers (`Tiles`): about ten times the multiply-adds per second of
//!   scattered updates, so it wins even on sparse one-hot rows unless the rows are
//!   very sparse for their width, when the stored entries are multiplied out
//!   instead (`nnz_row^2 / 2` per row). On a warm-started level (below) the first
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

use std::borrow::Cow;

use crate::design::{Dense, Rows, Scratch, Split, DENSE_FILL, MAX_TILED_DIM};
use crate::error::{Error, Result};
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

/// Fits an L2-penalised logistic regression.
///
/// `y` holds one label per row, each `0.0` or `1.0`; `sample_weight`, when given, one
/// finite non-negative weight per row (not all zero). Rows with weight zero are
/// skipped. See the module documentation for the objective, the algorithm and the
/// convergence criterion.
///
/// # Errors
///
/// [`Error::InvalidInput`] for inconsistent or invalid inputs (length mismatches,
/// non-finite values, labels other than 0/1, bad weights, a single class, a bad `c` or
/// `tol`); [`Error::Training`] when the fit breaks down numerically.
pub fn fit_logistic(
    x: &Features,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    cfg: &SolverConfig,
) -> Result<Solution> {
    fit(Rows::Sparse(x), y, sample_weight, cfg, false).map(|(sol, _, _)| sol)
}

/// Smallest and largest `C` the evidence may choose.
const C_RANGE: (f64, f64) = (1e-6, 1e6);
/// The `C` the evidence starts from: near the middle (in logarithms) of what it
/// chooses for CRM tenants (`leadscore inspect` shows a model's `C`: train the demo
/// tenants, `leadscore demo-data`, and examples/data/wa_churn.csv), and a fit that
/// converges faster than a weaker penalty's.
const EVIDENCE_START_C: f64 = 0.2;
/// Most updates of `C` by the evidence.
const MAX_EVIDENCE_STEPS: usize = 30;
/// The evidence stops when its next `C` is within this factor (as a logarithm, 10 %)
/// of the current one: the fit's quality is flat that close to its optimum.
const EVIDENCE_TOL: f64 = 0.1;
/// The gradient tolerance of the fits inside the evidence's search.
const EVIDENCE_FIT_TOL: f64 = 1e-5;

/// Fits over rows in any layout: the one entry point of every fit ([`fit_logistic`]
/// passes a caller's sparse matrix; the trainer, the layout its pipeline wrote).
/// With `auto_c`, `C` is chosen by the evidence (see
/// [`evidence_fit`]) on the rows without their weights, then the weighted fit runs at
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

/// `ln` of the mean weight of the positive rows over that of the negative ones (0
/// when either class has no weight).
fn class_weight_log_ratio(y: &[f64], w: &[f64]) -> f64 {
    let (mut wp, mut np, mut wn, mut nn) = (0.0, 0.0, 0.0, 0.0);
    for (&yi, &wi) in y.iter().zip(w) {
        if yi > 0.5 {
            wp += wi;
            np += 1.0;
        } else {
            wn += wi;
            nn += 1.0;
        }
    }
    let r = (wp / np) / (wn / nn);
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
fn evidence_fit(
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

/// Above this many parameters the dense Hessian (and its `O(d^3)` factorisation) is
/// not used.
const MAX_NEWTON_DIM: usize = 1000;
/// Widest input whose sparse gradient is spread over four copies.
const MAX_SPREAD_COLS: usize = 4096;
/// How many more multiply-adds [`Tiles`] may do than the scattered updates of the
/// stored entries and still be chosen: its sums run in vector registers, about an
/// order of magnitude faster per multiply-add than scattered scalar updates, so it
/// wins even on one-hot rows, zeros and all (measured by `cargo bench -p leadscore
/// --bench fit -- one_hot` and `bench/fit_vs_sklearn.py`'s wa_churn).
const TILE_ADVANTAGE: f64 = 10.0;
/// Rows per parameter that a sampled Hessian keeps at least (see
/// [`Problem::sampled_step`]).
const HESSIAN_ROWS_PER_PARAM: usize = 30;
/// Largest row step of a sampled Hessian.
const MAX_HESSIAN_STEP: usize = 4;
/// L-BFGS memory.
const LBFGS_M: usize = 10;
/// Armijo sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;
/// Most trial points of one line search.
const MAX_LINE_SEARCH: usize = 40;
/// No Hessian rebuild for slow progress once the gradient is within this factor of
/// the tolerance: one or two more BFGS-corrected steps (a pass each) get there for less
/// than a Hessian costs. It counts on the warm-start levels, which stop at a loose
/// tolerance: a rebuild for a last step just above it costs more than it saves, and
/// the full data takes the same steps either way (measured by
/// `bench/fit_vs_sklearn.py`'s wa_churn and dense 20k, and `bench/mass_vs_sklearn.py`).
const NO_REBUILD_WITHIN: f64 = 10.0;

/// [`fit_logistic`] with the algorithm forced (tests compare them).
#[cfg(test)]
fn fit_with(
    x: &Features,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    cfg: &SolverConfig,
    strategy: Strategy,
) -> Result<Solution> {
    let prob = Problem::new(Rows::Sparse(x), y, sample_weight, cfg)?;
    solve(&prob, cfg, strategy)
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
fn min_warm_rows(dim: usize) -> usize {
    4 * 1000usize.max(20 * dim)
}

/// Subsampling stride of the warm start.
const WARM_STRIDE: usize = 4;
/// Tolerance of the warm-start fits: below the statistical error of a subsample's
/// optimum (the full data's gradient at a quarter's optimum is larger), so tighter
/// would be wasted: a tighter one takes the same steps on the full data and more on
/// the levels (measured by `cargo bench -p leadscore --bench fit -- dense_x50/20000`,
/// two warm levels, `bench/fit_vs_sklearn.py`'s wa_churn and
/// `bench/mass_vs_sklearn.py`).
const WARM_TOL: f64 = 3e-3;

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

/// A problem's per-row weights `C * s_i` and what follows from them.
struct Weights {
    cw: Scratch<f64>,
    /// The weight every row has, when they all have the same.
    uniform: Option<f64>,
    /// `C * sum_i s_i`.
    scale: f64,
    /// The log-odds of the weighted positive rate (0 without an intercept).
    b0: f64,
}

impl Weights {
    /// Checks the weights against the labels; `on_row(i)` is called for every row
    /// with weight.
    fn new(
        y: &[f64],
        sample_weight: Option<&[f64]>,
        c: f64,
        fit_intercept: bool,
        on_row: &mut dyn FnMut(usize),
    ) -> Result<Weights> {
        let n = y.len();
        let mut cw = Scratch::with_capacity(n);
        let (wsum, wpos, uniform) = match sample_weight {
            Some(sw) => {
                let (mut wsum, mut wpos) = (0.0, 0.0);
                for (i, (&s, &yi)) in sw.iter().zip(y).enumerate() {
                    if s > 0.0 {
                        on_row(i);
                        wsum += s;
                        wpos += s * yi;
                    }
                    cw.push(c * s);
                }
                (wsum, wpos, uniform_weight(&cw))
            }
            None => {
                // Unit weights: the sums are the row count and the positives
                // (exact either way), the per-row weights all `C`.
                (0..n).for_each(&mut *on_row);
                cw.extend(std::iter::repeat_n(c, n));
                (n as f64, sum4(y), Some(c))
            }
        };
        if wsum <= 0.0 {
            return Err(invalid("sample weights are all zero"));
        }
        if !wsum.is_finite() {
            return Err(invalid("sample weights sum to infinity"));
        }
        if wpos <= 0.0 || wpos >= wsum {
            return Err(invalid(
                "y holds a single class among rows with positive weight; need both 0 and 1",
            ));
        }
        let scale = c * wsum;
        if !scale.is_finite() {
            return Err(invalid("C times the sum of sample weights overflows"));
        }
        let rate = wpos / wsum;
        Ok(Weights {
            cw,
            uniform,
            scale,
            b0: if fit_intercept {
                (rate / (1.0 - rate)).ln()
            } else {
                0.0
            },
        })
    }
}

/// The validated problem: the matrix, labels and per-row `C * s_i`. A subsample
/// level sees every `stride`-th row of the matrix without copying it.
struct Problem<'a> {
    /// The rows, in the layout the passes read: each pass matches it once.
    rows: Rows<'a>,
    /// Row `k` of the problem is row `k * stride` of sparse or dense `rows` (a
    /// subsample of a split is a split of its own).
    stride: usize,
    /// The caller's matrix whose values have not been checked for being finite (see
    /// [`Problem::non_finite_input`]).
    unchecked: Option<&'a Features>,
    /// One label per problem row.
    y: Cow<'a, [f64]>,
    /// `C * s_i` per row.
    cw: Scratch<f64>,
    /// The `C` of `cw`.
    c: f64,
    /// The weight every row has, when they all have the same (no sample weights, or
    /// equal ones): the passes then sum the loss's logarithms as the logarithm of a
    /// product (see [`pointwise_uniform`]).
    uniform: Option<f64>,
    /// Number of feature columns.
    d: usize,
    /// `d + 1` with an intercept, else `d`.
    dim: usize,
    fit_intercept: bool,
    /// `C * sum_i s_i`: the gradient scale of the convergence criterion.
    scale: f64,
    /// Starting intercept: the log-odds of the weighted positive rate.
    b0: f64,
    /// `sum_i nnz_i * (nnz_i + 1) / 2` over rows with weight: multiply-adds per Hessian.
    hess_cost: f64,
    /// The cost of the Hessian without [`Tiles`], in scattered multiply-adds: the
    /// split layout's products with its dense columns run as contiguous dot products
    /// and updates, about [`TILE_ADVANTAGE`] times cheaper per multiply-add.
    scatter_cost: f64,
}

impl<'a> Problem<'a> {
    /// The problem over `rows`, checked (see [`fit_logistic`]'s errors).
    fn new(
        rows: Rows<'a>,
        y: &'a [f64],
        sample_weight: Option<&[f64]>,
        cfg: &SolverConfig,
    ) -> Result<Self> {
        match rows {
            Rows::Sparse(x) => Self::sparse(x, y, sample_weight, cfg),
            Rows::Split(split, d) => Self::split(split, d, y, sample_weight, cfg),
            Rows::Dense(dense, d) => Self::dense(dense, d, y, sample_weight, cfg),
        }
    }

    /// The problem over a caller's sparse rows.
    fn sparse(
        x: &'a Features,
        y: &'a [f64],
        sample_weight: Option<&[f64]>,
        cfg: &SolverConfig,
    ) -> Result<Self> {
        let n = x.n_rows();
        let d = x.n_cols();
        check_args(n, d, y, sample_weight, cfg)?;
        let indptr = x.indptr();
        let indices = x.indices();
        let values = x.values();
        if indptr.len() != n + 1
            || indptr.first() != Some(&0)
            || indptr.last() != Some(&indices.len())
            || values.len() != indices.len()
        {
            return Err(invalid("x has inconsistent row pointers"));
        }
        if !indptr.windows(2).fold(true, |ok, w| ok & (w[0] <= w[1])) {
            return Err(locate_matrix_error(x));
        }
        // Full rows are the row-major matrix already; rows dense enough are copied
        // into one (see [`Dense`]) and checked as they are copied; sparser ones are
        // used as they are: splitting them here would cost a second copy of the rows
        // (the trainer builds the split layout directly).
        let nnz = values.len();
        // A full matrix's values are not read here: a non-finite one makes the first
        // pass non-finite, and only then is it looked for (`unchecked`); that
        // saves a read of every value (full matrices: `cargo bench -p leadscore
        // --bench fit -- dense_x50`).
        let full = n.checked_mul(d) == Some(nnz);
        let dense = if full {
            // Rows built full need no reading to prove it (`bench/fit_vs_sklearn.py`
            // hands its matrices over full).
            if !x.known_full() {
                check_entries(x, false)?;
            }
            Some(Dense::Borrowed(values))
        } else if Dense::pays(n, d, nnz, DENSE_FILL) {
            Some(Dense::from_rows(x).ok_or_else(|| locate_matrix_error(x))?)
        } else {
            check_entries(x, true)?;
            None
        };
        let rows = match dense {
            Some(dense) => Rows::Dense(dense, d),
            None => Rows::Sparse(x),
        };
        let mut p = Self::assemble(
            rows,
            d,
            |i| (0, indptr[i + 1] - indptr[i]),
            y,
            sample_weight,
            cfg,
        )?;
        if full {
            p.unchecked = Some(x);
        }
        Ok(p)
    }

    /// The problem over rows already split with `d` feature columns (the trainer's
    /// pipeline writes them so, skipping the sparse matrix).
    fn split(
        split: Split,
        d: usize,
        y: &'a [f64],
        sample_weight: Option<&[f64]>,
        cfg: &SolverConfig,
    ) -> Result<Self> {
        let n = split.n;
        check_args(n, d, y, sample_weight, cfg)?;
        split.check(d)?;
        let nd = split.cols.len();
        let indptr = Scratch::from_slice(&split.indptr);
        Self::assemble(
            Rows::Split(split, d),
            d,
            |i| (nd, indptr[i + 1] - indptr[i]),
            y,
            sample_weight,
            cfg,
        )
    }

    /// The problem over dense rows of `d` columns (`y.len()` rows, row-major): the
    /// trainer's pipeline writes them so when they pay ([`crate::design::dense_rows_pay`]).
    fn dense(
        dense: Dense<'a>,
        d: usize,
        y: &'a [f64],
        sample_weight: Option<&[f64]>,
        cfg: &SolverConfig,
    ) -> Result<Self> {
        let n = y.len();
        check_args(n, d, y, sample_weight, cfg)?;
        let vals = dense.vals();
        if n.checked_mul(d) != Some(vals.len()) {
            return Err(invalid("the dense rows are inconsistent"));
        }
        if !vals.iter().fold(true, |ok, v| ok & v.is_finite()) {
            let at = vals.iter().position(|v| !v.is_finite()).unwrap_or(0);
            let (i, j) = (at / d.max(1), at % d.max(1));
            return Err(invalid(format!(
                "x row {i}, column {j} holds a non-finite value ({})",
                vals[at]
            )));
        }
        Self::assemble(Rows::Dense(dense, d), d, |_| (d, 0), y, sample_weight, cfg)
    }

    /// The input error behind a non-finite first pass, when the matrix's values were
    /// not checked up front: the first non-finite value, named by row and column.
    fn non_finite_input(&self) -> Option<Error> {
        match locate_matrix_error(self.unchecked?) {
            e @ Error::InvalidInput(_) => Some(e),
            _ => None,
        }
    }

    /// The weights, scale and starting intercept of a checked problem. The Hessian of
    /// dense rows is always built by [`Tiles`] (up to [`MAX_TILED_DIM`] parameters,
    /// sampled or not): scattered updates are no option for rows that store their
    /// zeros.
    fn assemble(
        rows: Rows<'a>,
        d: usize,
        row_len: impl Fn(usize) -> (usize, usize),
        y: &'a [f64],
        sample_weight: Option<&[f64]>,
        cfg: &SolverConfig,
    ) -> Result<Self> {
        // Multiply-adds per Hessian, counted in integers (exact, and no chain of
        // floating-point adds): all of them, the scattered ones, and those against
        // dense columns (cheaper by `TILE_ADVANTAGE`).
        let (mut hess, mut scattered, mut against_dense) = (0u64, 0u64, 0u64);
        let mut count = |i: usize| {
            let (nd, ns) = row_len(i);
            let (nd, ns) = (nd as u64, ns as u64);
            let k = nd + ns;
            hess += k * (k + 1) / 2;
            scattered += ns * (ns + 1) / 2;
            against_dense += nd * (nd + 1) / 2 + nd * ns;
        };
        let w = Weights::new(y, sample_weight, cfg.c, cfg.fit_intercept, &mut count)?;
        let hess_cost = hess as f64;
        let scatter_cost = if matches!(rows, Rows::Dense(..)) {
            f64::INFINITY
        } else {
            scattered as f64 + against_dense as f64 / TILE_ADVANTAGE
        };
        Ok(Problem {
            rows,
            stride: 1,
            unchecked: None,
            y: Cow::Borrowed(y),
            cw: w.cw,
            uniform: w.uniform,
            c: cfg.c,
            d,
            dim: d + usize::from(cfg.fit_intercept),
            fit_intercept: cfg.fit_intercept,
            scale: w.scale,
            b0: w.b0,
            hess_cost,
            scatter_cost,
        })
    }

    /// Sets new per-row weights and `C` over the same rows (the Hessian's cost
    /// estimates stay those of every row).
    fn reweight(&mut self, sample_weight: Option<&[f64]>, c: f64) -> Result<()> {
        if sample_weight.is_some_and(|w| w.len() != self.y.len()) || self.stride != 1 {
            return Err(Error::Internal(
                "reweighting a problem with other rows".into(),
            ));
        }
        let w = Weights::new(&self.y, sample_weight, c, self.fit_intercept, &mut |_| {})?;
        self.cw = w.cw;
        self.uniform = w.uniform;
        self.scale = w.scale;
        self.b0 = w.b0;
        self.c = c;
        Ok(())
    }

    /// Scales `C` (every row's `C * s_i`, and the gradient scale) to `c`.
    fn set_c(&mut self, c: f64) {
        let r = c / self.c;
        self.cw.iter_mut().for_each(|v| *v *= r);
        self.uniform = self.uniform.map(|u| u * r);
        self.scale *= r;
        self.c = c;
    }

    /// Whether the Hessian is built by [`Tiles`]: a narrow model whose rows are dense
    /// enough that multiplying their zeros costs less than scattering their entries.
    fn tiled(&self) -> bool {
        self.tiles_pay(self.cw.len())
    }

    /// Whether [`Tiles`] over `rows` of the rows costs less than scattered updates
    /// over all of them.
    fn tiles_pay(&self, rows: usize) -> bool {
        if self.dim > MAX_TILED_DIM {
            return false;
        }
        let w = self.dim.next_multiple_of(TILE_A) as f64;
        rows as f64 * w * (w + TILE_B as f64) * 0.5 <= TILE_ADVANTAGE * self.scatter_cost
    }

    /// The row step of the first Hessian of a warm-started level: up to
    /// [`MAX_HESSIAN_STEP`], keeping at least [`HESSIAN_ROWS_PER_PARAM`] rows per
    /// parameter; 1 unless [`Tiles`] over the sampled rows beats scattered updates
    /// over all of them (a sampled Hessian is always built by [`Tiles`]).
    fn sampled_step(&self) -> usize {
        let n = self.cw.len();
        let step = (n / (HESSIAN_ROWS_PER_PARAM * self.dim)).clamp(1, MAX_HESSIAN_STEP);
        if step > 1 && self.tiles_pay(n.div_ceil(step)) {
            step
        } else {
            1
        }
    }

    /// Stored entries of the problem's rows (dense columns counted in full).
    fn nnz(&self) -> usize {
        match &self.rows {
            Rows::Split(sp, _) => sp.cols.len() * sp.n + sp.indices.len(),
            Rows::Dense(..) => self.cw.len() * self.d,
            Rows::Sparse(x) => x.nnz() / self.stride,
        }
    }

    /// Every `k`-th row of this problem, with `C * s_i` scaled up so that the total
    /// weight (and so the relative strength of the penalty) is unchanged. `None` when
    /// the subsample holds a single class.
    fn subsample(&self, k: usize) -> Option<Problem<'_>> {
        let y: Vec<f64> = self.y.iter().step_by(k).copied().collect();
        let mut cw = Scratch::with_capacity(self.cw.len().div_ceil(k));
        cw.extend(self.cw.iter().step_by(k));
        let total = sum4(&self.cw);
        let part = sum4(&cw);
        let pos: f64 = cw.iter().zip(&y).map(|(c, y)| c * y).sum();
        if !(part > 0.0 && pos > 0.0 && pos < part) {
            return None;
        }
        let scale = total / part;
        cw.iter_mut().for_each(|c| *c *= scale);
        let rate = pos / part;
        Some(Problem {
            rows: match &self.rows {
                Rows::Sparse(x) => Rows::Sparse(x),
                Rows::Split(sp, d) => Rows::Split(sp.every(k), *d),
                Rows::Dense(dn, d) => Rows::Dense(Dense::Borrowed(dn.vals()), *d),
            },
            stride: self.stride * k,
            unchecked: self.unchecked,
            y: Cow::Owned(y),
            cw,
            // Each weight scaled alike: still all equal.
            uniform: self.uniform.map(|c| c * scale),
            c: self.c,
            d: self.d,
            dim: self.dim,
            fit_intercept: self.fit_intercept,
            scale: self.scale,
            b0: if self.fit_intercept {
                (rate / (1.0 - rate)).ln()
            } else {
                0.0
            },
            hess_cost: self.hess_cost / k as f64,
            scatter_cost: self.scatter_cost / k as f64,
        })
    }

    /// Newton-type steps when the dense Hessian is affordable, else L-BFGS.
    fn choose(&self) -> Strategy {
        if self.dim > MAX_NEWTON_DIM {
            return Strategy::Lbfgs;
        }
        // An exact Hessian costs `hess_cost` multiply-adds (plus `dim^3 / 6` for its
        // factorisation); a gradient pass costs `2 * nnz`. L-BFGS typically needs
        // tens to hundreds of passes; allow the Hessian up to ~100 gradient passes.
        let grad_cost = 2.0 * self.nnz() as f64 + self.cw.len() as f64;
        let d = self.dim as f64;
        let hess = self.hess_cost + d * d * d / 6.0;
        if hess <= 100.0 * grad_cost {
            Strategy::Hybrid
        } else {
            Strategy::Lbfgs
        }
    }

    /// One fused pass at `theta`: returns the objective, writes the gradient into
    /// `grad` and each row's curvature `C s_i p_i (1 - p_i)` into `curv`.
    ///
    /// Rows go in blocks of [`BLOCK`]: first every margin `z_i` of the block, then the
    /// element-wise part (exp, log1p, residuals, curvatures) as straight-line loops the
    /// compiler vectorises, then the gradient update.
    ///
    /// `spare` is scratch for three more gradient copies (`3 * d`, or empty): sparse
    /// rows spread their scatter-adds over four copies so that consecutive rows
    /// hitting the same column (the common one-hot level) do not wait on each other.
    fn eval(&self, theta: &[f64], grad: &mut [f64], curv: &mut [f64], spare: &mut [f64]) -> f64 {
        pulp::Arch::new().dispatch(Eval {
            p: self,
            theta,
            grad,
            curv,
            spare,
        })
    }

    #[inline(always)]
    fn eval_impl<S: pulp::Simd>(
        &self,
        simd: S,
        theta: &[f64],
        grad: &mut [f64],
        curv: &mut [f64],
        spare: &mut [f64],
    ) -> f64 {
        match &self.rows {
            Rows::Sparse(x) => self.eval_sparse(x, theta, grad, curv, spare),
            Rows::Split(sp, _) => self.eval_split(sp, theta, grad, curv, spare),
            Rows::Dense(dn, _) => self.eval_dense(simd, dn.vals(), theta, grad, curv),
        }
    }

    /// [`Problem::eval`] over sparse rows (every `stride`-th row of `x`): full rows
    /// by dense dot products and four-row updates, the others by scattered ones.
    #[inline(always)]
    fn eval_sparse(
        &self,
        x: &Features,
        theta: &[f64],
        grad: &mut [f64],
        curv: &mut [f64],
        spare: &mut [f64],
    ) -> f64 {
        let d = self.d;
        let (spread, w, b) = self.begin_pass(theta, grad, spare);
        let (gw, gb) = grad.split_at_mut(d);
        let (indptr, indices, values) = (x.indptr(), x.indices(), x.values());
        let st = self.stride;
        let (loss_sum, gsum_b) = self.blocked_pass(
            curv,
            |start, z| {
                for (k, zk) in z.iter_mut().enumerate() {
                    let i = (start + k) * st;
                    let (lo, hi) = (indptr[i], indptr[i + 1]);
                    let val = &values[lo..hi];
                    *zk = b + if val.len() == d {
                        dot_dense(val, w)
                    } else {
                        dot_sparse(&indices[lo..hi], val, w)
                    };
                }
            },
            |start, r| {
                let m = r.len();
                let mut k = 0;
                while k < m {
                    let i = (start + k) * st;
                    let (lo, hi) = (indptr[i], indptr[i + 1]);
                    if hi - lo == d && k + 4 <= m {
                        let rows = [i, i + st, i + 2 * st, i + 3 * st];
                        if rows.iter().all(|&q| indptr[q + 1] - indptr[q] == d) {
                            let v = [
                                &values[indptr[rows[0]]..indptr[rows[0] + 1]],
                                &values[indptr[rows[1]]..indptr[rows[1] + 1]],
                                &values[indptr[rows[2]]..indptr[rows[2] + 1]],
                                &values[indptr[rows[3]]..indptr[rows[3] + 1]],
                            ];
                            axpy_dense4([r[k], r[k + 1], r[k + 2], r[k + 3]], v, gw);
                            k += 4;
                            continue;
                        }
                    }
                    if r[k] != 0.0 {
                        if hi - lo == d {
                            axpy_dense(r[k], &values[lo..hi], gw);
                        } else {
                            let copy = k & 3;
                            let g = if spread && copy > 0 {
                                &mut spare[(copy - 1) * d..copy * d]
                            } else {
                                &mut *gw
                            };
                            axpy_sparse(r[k], &indices[lo..hi], &values[lo..hi], g);
                        }
                    }
                    k += 1;
                }
            },
        );
        self.finish_pass(gw, gb, spread.then_some(&*spare), w, loss_sum, gsum_b)
    }

    /// The rows of a pass in blocks of [`BLOCK`]: `margins(start, z)` writes the
    /// margins `z_i` (intercept included) of rows `start..start + z.len()`; the
    /// element-wise part (exp, log1p, residuals, curvatures into `curv`) runs as
    /// straight-line loops the compiler vectorises; `gradient(start, r)` adds the
    /// block's residuals times its rows to the gradient. Returns the summed loss and
    /// residuals (the intercept's gradient). One loop for every layout, so each sums
    /// in the same order.
    #[inline(always)]
    fn blocked_pass(
        &self,
        curv: &mut [f64],
        mut margins: impl FnMut(usize, &mut [f64]),
        mut gradient: impl FnMut(usize, &[f64]),
    ) -> (f64, f64) {
        let n = self.cw.len();
        let mut z = [0.0f64; BLOCK];
        let mut r = [0.0f64; BLOCK];
        let mut loss = [0.0f64; BLOCK];
        let mut lin = [0.0f64; BLOCK];
        let (mut loss_sum, mut gsum_b) = (0.0, 0.0);
        let mut start = 0;
        while start < n {
            let m = BLOCK.min(n - start);
            let (z, r, loss) = (&mut z[..m], &mut r[..m], &mut loss[..m]);
            margins(start, z);
            let (y, h) = (&self.y[start..start + m], &mut curv[start..start + m]);
            loss_sum += match self.uniform {
                Some(c) => pointwise_uniform(z, c, y, r, h, loss, &mut lin[..m]),
                None => {
                    pointwise(z, &self.cw[start..start + m], y, r, h, loss);
                    sum4(loss)
                }
            };
            gsum_b += sum4(r);
            gradient(start, r);
            start += m;
        }
        (loss_sum, gsum_b)
    }

    /// The start of a pass: zeroes the gradient (and its spread copies when `spare`
    /// has room for them); returns whether the copies are used, the weights and the
    /// intercept of `theta`.
    #[inline(always)]
    fn begin_pass<'t>(
        &self,
        theta: &'t [f64],
        grad: &mut [f64],
        spare: &mut [f64],
    ) -> (bool, &'t [f64], f64) {
        let d = self.d;
        let spread = d > 0 && spare.len() >= 3 * d;
        if spread {
            spare.iter_mut().for_each(|g| *g = 0.0);
        }
        grad.iter_mut().for_each(|g| *g = 0.0);
        let b = if self.fit_intercept { theta[d] } else { 0.0 };
        (spread, &theta[..d], b)
    }

    /// The end of a pass: folds the spread gradient copies into `gw`, adds the
    /// penalty's gradient, sets the intercept's, and returns the objective.
    fn finish_pass(
        &self,
        gw: &mut [f64],
        gb: &mut [f64],
        spare: Option<&[f64]>,
        w: &[f64],
        loss_sum: f64,
        gsum_b: f64,
    ) -> f64 {
        let d = self.d;
        if let Some(spare) = spare {
            let (s1, rest) = spare.split_at(d);
            let (s2, s3) = rest.split_at(d);
            for j in 0..d {
                gw[j] += (s1[j] + s2[j]) + s3[j];
            }
        }
        let mut reg = 0.0;
        for (g, &wj) in gw.iter_mut().zip(w) {
            *g += wj;
            reg += wj * wj;
        }
        if self.fit_intercept {
            gb[0] = gsum_b;
        }
        loss_sum + 0.5 * reg
    }

    /// The end of a Hessian: the penalty's unit diagonal and the intercept's entry
    /// (`hb`, the sum of the row curvatures).
    fn finish_hessian(&self, h: &mut [f64], hb: f64) {
        let (d, dim) = (self.d, self.dim);
        for j in 0..d {
            h[j * dim + j] += 1.0;
        }
        if self.fit_intercept {
            h[d * dim + d] += hb;
        }
    }

    /// The Hessian by [`Tiles`] over every `step`-th problem row with weight: `fill(k,
    /// row)` writes row `k`'s feature values into a zeroed row (the intercept's 1 is
    /// added here).
    #[inline(always)]
    fn hessian_tiled<T: TileElem, S: pulp::Simd>(
        &self,
        simd: S,
        curv: &[f64],
        h: &mut [f64],
        step: usize,
        fill: impl Fn(usize, &mut [f64]),
    ) {
        let (d, dim) = (self.d, self.dim);
        let mut t = Tiles::<T, S>::new(simd, dim);
        for (k, &c) in curv.iter().enumerate().step_by(step) {
            let c = c * step as f64;
            if c == 0.0 {
                continue;
            }
            let row = t.row();
            fill(k, row);
            if self.fit_intercept {
                row[d] = 1.0;
            }
            t.commit(c);
        }
        t.finish(h, dim);
        // The intercept's column of ones put its entry in already.
        self.finish_hessian(h, 0.0);
    }

    /// The exact Hessian (upper triangle, row-major `dim x dim`) from row curvatures.
    ///
    /// With `step > 1` (narrow models only, see [`Problem::sampled_step`]; always by
    /// [`Tiles`]) the sum runs over every `step`-th row with its curvature times
    /// `step`: an estimate of the Hessian for a fraction of the cost.
    ///
    /// With `single`, [`Tiles`] (when they are used) hold the rows in `f32` and sum
    /// each block of [`TILE_ROWS`] rows in `f32` lanes, eight to a register instead of
    /// four, before adding it to the `f64` sum: relative errors around 1e-7, for
    /// Hessians that are estimates anyway (see [`fresh_inverse`]).
    fn hessian(&self, curv: &[f64], h: &mut [f64], step: usize, single: bool) {
        if step > 1 && self.dim <= MAX_TILED_DIM {
            self.hessian_as(curv, h, true, step, single);
        } else {
            self.hessian_as(curv, h, self.tiled(), 1, single);
        }
    }

    /// [`Problem::hessian`] built by [`Tiles`] or not, as `tiled` says (`step` and
    /// `single` are for [`Tiles`] only).
    fn hessian_as(&self, curv: &[f64], h: &mut [f64], tiled: bool, step: usize, single: bool) {
        pulp::Arch::new().dispatch(Hessian {
            p: self,
            curv,
            h,
            tiled,
            step: step.max(1),
            single,
        })
    }

    #[inline(always)]
    fn hessian_impl<T: TileElem, S: pulp::Simd>(
        &self,
        simd: S,
        curv: &[f64],
        h: &mut [f64],
        tiled: bool,
        step: usize,
    ) {
        match &self.rows {
            Rows::Sparse(x) => self.hessian_sparse::<T, S>(simd, x, curv, h, tiled, step),
            Rows::Split(sp, _) => self.hessian_split::<T, S>(simd, sp, curv, h, tiled, step),
            Rows::Dense(dn, _) => self.hessian_dense::<T, S>(simd, dn.vals(), curv, h, tiled, step),
        }
    }

    /// [`Problem::hessian`] over sparse rows (every `stride`-th row of `x`): by
    /// [`Tiles`], or by scattered updates (full rows four at a time).
    #[inline(always)]
    fn hessian_sparse<T: TileElem, S: pulp::Simd>(
        &self,
        simd: S,
        x: &Features,
        curv: &[f64],
        h: &mut [f64],
        tiled: bool,
        step: usize,
    ) {
        let d = self.d;
        let dim = self.dim;
        h.iter_mut().for_each(|v| *v = 0.0);
        let indptr = x.indptr();
        let indices = x.indices();
        let values = x.values();
        if tiled {
            return self.hessian_tiled::<T, S>(simd, curv, h, step, |k, row| {
                let i = k * self.stride;
                let (lo, hi) = (indptr[i], indptr[i + 1]);
                if hi - lo == d {
                    row[..d].copy_from_slice(&values[lo..hi]);
                } else {
                    for (&j, &v) in indices[lo..hi].iter().zip(&values[lo..hi]) {
                        row[j as usize] = v;
                    }
                }
            });
        }
        let mut hb = 0.0;
        // Dense rows are gathered four at a time so that each Hessian entry is loaded
        // and stored once per four rows.
        let mut block: [(f64, &[f64]); 4] = [(0.0, &[]); 4];
        let mut nb = 0;
        for (k, &c) in curv.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            let i = k * self.stride;
            let (lo, hi) = (indptr[i], indptr[i + 1]);
            let idx = &indices[lo..hi];
            let val = &values[lo..hi];
            hb += c;
            if idx.len() == d {
                block[nb] = (c, val);
                nb += 1;
                if nb == 4 {
                    hess_dense4(&block, h, dim, self.fit_intercept);
                    nb = 0;
                }
            } else {
                for (a, (&ja, &va)) in idx.iter().zip(val).enumerate() {
                    let t = c * va;
                    let row = &mut h[ja as usize * dim..(ja as usize + 1) * dim];
                    for (&jb, &vb) in idx[a..].iter().zip(&val[a..]) {
                        row[jb as usize] += t * vb;
                    }
                    if self.fit_intercept {
                        row[d] += t;
                    }
                }
            }
        }
        hess_dense_rest(&block[..nb], h, dim, self.fit_intercept);
        self.finish_hessian(h, hb);
    }
}

/// [`Problem::eval`] as an operation [`pulp`] compiles once per instruction set and
/// runs with the best one the CPU has (AVX2 on most x86-64 servers, else the target's
/// baseline). The body is the same scalar code: no FMA contraction or reordering
/// happens, so every instruction set gives bit-identical results (a test checks).
struct Eval<'p, 'a, 'b> {
    p: &'p Problem<'a>,
    theta: &'b [f64],
    grad: &'b mut [f64],
    curv: &'b mut [f64],
    spare: &'b mut [f64],
}

impl pulp::WithSimd for Eval<'_, '_, '_> {
    type Output = f64;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) -> f64 {
        self.p
            .eval_impl(simd, self.theta, self.grad, self.curv, self.spare)
    }
}

/// [`Problem::hessian`] as a [`pulp`] operation (see [`Eval`]).
struct Hessian<'p, 'a, 'b> {
    p: &'p Problem<'a>,
    curv: &'b [f64],
    h: &'b mut [f64],
    /// Built by [`Tiles`] (else by scattered updates).
    tiled: bool,
    /// Every `step`-th row (see [`Problem::hessian`]).
    step: usize,
    /// [`Tiles`] in single precision (see [`Problem::hessian`]).
    single: bool,
}

impl pulp::WithSimd for Hessian<'_, '_, '_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, simd: S) {
        if self.tiled && self.single {
            self.p
                .hessian_impl::<f32, S>(simd, self.curv, self.h, true, self.step)
        } else {
            self.p
                .hessian_impl::<f64, S>(simd, self.curv, self.h, self.tiled, self.step)
        }
    }
}

impl Problem<'_> {
    /// [`Problem::eval`] over [`Dense`] rows: margins [`DOT_ROWS`] rows at a time
    /// ([`dot_rows`]), the gradient four rows per sweep ([`axpy_dense4`]).
    #[inline(always)]
    fn eval_dense<S: pulp::Simd>(
        &self,
        simd: S,
        vals: &[f64],
        theta: &[f64],
        grad: &mut [f64],
        curv: &mut [f64],
    ) -> f64 {
        let d = self.d;
        let (_, w, b) = self.begin_pass(theta, grad, &mut []);
        let (gw, gb) = grad.split_at_mut(d);
        let st = self.stride;
        let row = |k: usize| &vals[k * st * d..(k * st + 1) * d];
        let (loss_sum, gsum_b) = self.blocked_pass(
            curv,
            |start, z| {
                let m = z.len();
                let mut k = 0;
                while k + DOT_ROWS <= m {
                    let mut rows: [&[f64]; DOT_ROWS] = [&[]; DOT_ROWS];
                    for (q, r) in rows.iter_mut().enumerate() {
                        *r = row(start + k + q);
                    }
                    let dots = dot_rows(simd, rows, w);
                    for (zq, v) in z[k..k + DOT_ROWS].iter_mut().zip(dots) {
                        *zq = b + v;
                    }
                    k += DOT_ROWS;
                }
                for (q, zq) in z.iter_mut().enumerate().skip(k) {
                    *zq = b + dot_rows(simd, [row(start + q)], w)[0];
                }
            },
            |start, r| {
                let m = r.len();
                let mut k = 0;
                while k + 4 <= m {
                    let rows = [
                        row(start + k),
                        row(start + k + 1),
                        row(start + k + 2),
                        row(start + k + 3),
                    ];
                    axpy_dense4([r[k], r[k + 1], r[k + 2], r[k + 3]], rows, gw);
                    k += 4;
                }
                for (q, &rq) in r.iter().enumerate().skip(k) {
                    axpy_dense(rq, row(start + q), gw);
                }
            },
        );
        self.finish_pass(gw, gb, None, w, loss_sum, gsum_b)
    }

    /// [`Problem::hessian`] over [`Dense`] rows: by [`Tiles`], or (wide models) four
    /// rows per sweep of the triangle.
    #[inline(always)]
    fn hessian_dense<T: TileElem, S: pulp::Simd>(
        &self,
        simd: S,
        vals: &[f64],
        curv: &[f64],
        h: &mut [f64],
        tiled: bool,
        step: usize,
    ) {
        let (d, dim, st) = (self.d, self.dim, self.stride);
        let row = |k: usize| &vals[k * st * d..(k * st + 1) * d];
        h.iter_mut().for_each(|v| *v = 0.0);
        if tiled {
            // Rows go into the block as they are: no zeroing, no separate copy.
            let mut t = Tiles::<T, S>::new(simd, dim);
            for (k, &c) in curv.iter().enumerate().step_by(step) {
                let c = c * step as f64;
                if c != 0.0 {
                    t.push_full(row(k), c, self.fit_intercept);
                }
            }
            t.finish(h, dim);
            return self.finish_hessian(h, 0.0);
        }
        let mut hb = 0.0;
        let mut block: [(f64, &[f64]); 4] = [(0.0, &[]); 4];
        let mut nb = 0;
        for (k, &c) in curv.iter().enumerate() {
            if c == 0.0 {
                continue;
            }
            hb += c;
            block[nb] = (c, row(k));
            nb += 1;
            if nb == 4 {
                hess_dense4(&block, h, dim, self.fit_intercept);
                nb = 0;
            }
        }
        hess_dense_rest(&block[..nb], h, dim, self.fit_intercept);
        self.finish_hessian(h, hb);
    }
}

impl Problem<'_> {
    /// [`Problem::eval`] over a [`Split`].
    #[inline(always)]
    fn eval_split(
        &self,
        sp: &Split,
        theta: &[f64],
        grad: &mut [f64],
        curv: &mut [f64],
        spare: &mut [f64],
    ) -> f64 {
        let d = self.d;
        let (spread, w, b) = self.begin_pass(theta, grad, spare);
        let (gw, gb) = grad.split_at_mut(d);
        let nc = sp.cols.len();
        let (loss_sum, gsum_b) = self.blocked_pass(
            curv,
            |start, z| {
                let m = z.len();
                z.iter_mut().for_each(|v| *v = b);
                // Four columns per sweep of `z` (one load and store of it per four).
                let mut k = 0;
                while k + 4 <= nc {
                    let wk = |i: usize| w[sp.cols[k + i] as usize];
                    let (w0, w1, w2, w3) = (wk(0), wk(1), wk(2), wk(3));
                    let (c0, c1) = (sp.col(k, start, m), sp.col(k + 1, start, m));
                    let (c2, c3) = (sp.col(k + 2, start, m), sp.col(k + 3, start, m));
                    for ((((zq, &a0), &a1), &a2), &a3) in
                        z.iter_mut().zip(c0).zip(c1).zip(c2).zip(c3)
                    {
                        *zq += (w0 * a0 + w1 * a1) + (w2 * a2 + w3 * a3);
                    }
                    k += 4;
                }
                for k in k..nc {
                    let wc = w[sp.cols[k] as usize];
                    for (zq, &x) in z.iter_mut().zip(sp.col(k, start, m)) {
                        *zq += wc * x;
                    }
                }
                let ptr = &sp.indptr[start..=start + m];
                for (zq, pw) in z.iter_mut().zip(ptr.windows(2)) {
                    let (lo, hi) = (pw[0], pw[1]);
                    if lo < hi {
                        *zq += dot_sparse(&sp.indices[lo..hi], &sp.values[lo..hi], w);
                    }
                }
            },
            |start, r| {
                let m = r.len();
                let mut k = 0;
                while k + 4 <= nc {
                    let cs = [
                        sp.col(k, start, m),
                        sp.col(k + 1, start, m),
                        sp.col(k + 2, start, m),
                        sp.col(k + 3, start, m),
                    ];
                    let g = dot_dense4(r, cs);
                    for (i, gi) in g.into_iter().enumerate() {
                        gw[sp.cols[k + i] as usize] += gi;
                    }
                    k += 4;
                }
                for k in k..nc {
                    gw[sp.cols[k] as usize] += dot_dense(r, sp.col(k, start, m));
                }
                let ptr = &sp.indptr[start..=start + m];
                for (q, (&rq, pw)) in r.iter().zip(ptr.windows(2)).enumerate() {
                    let (lo, hi) = (pw[0], pw[1]);
                    if rq != 0.0 && lo < hi {
                        let copy = q & 3;
                        let g = if spread && copy > 0 {
                            &mut spare[(copy - 1) * d..copy * d]
                        } else {
                            &mut *gw
                        };
                        axpy_sparse(rq, &sp.indices[lo..hi], &sp.values[lo..hi], g);
                    }
                }
            },
        );
        self.finish_pass(gw, gb, spread.then_some(&*spare), w, loss_sum, gsum_b)
    }

    /// [`Problem::hessian`] over a [`Split`]: the dense-by-dense block as dot products
    /// of curvature-weighted columns, a row's sparse entries against its dense values
    /// and against each other as scattered updates.
    #[inline(always)]
    fn hessian_split<T: TileElem, S: pulp::Simd>(
        &self,
        simd: S,
        sp: &Split,
        curv: &[f64],
        h: &mut [f64],
        tiled: bool,
        step: usize,
    ) {
        let (d, dim, nd) = (self.d, self.dim, sp.cols.len());
        h.iter_mut().for_each(|v| *v = 0.0);
        let n = self.cw.len();
        if tiled {
            return self.hessian_tiled::<T, S>(simd, curv, h, step, |i, row| {
                for (&j, col) in sp.cols.iter().zip(sp.vals.chunks_exact(n)) {
                    row[j as usize] = col[i];
                }
                let (lo, hi) = (sp.indptr[i], sp.indptr[i + 1]);
                for (&j, &v) in sp.indices[lo..hi].iter().zip(&sp.values[lo..hi]) {
                    row[j as usize] = v;
                }
            });
        }
        let mut u = [0.0f64; BLOCK];
        let mut xd = vec![0.0f64; nd];
        // `cross[j * nd + a]`: sparse column `j` times dense column `a`.
        let mut cross = vec![0.0f64; d * nd];
        let mut hb = 0.0;
        let mut start = 0;
        while start < n {
            let m = BLOCK.min(n - start);
            let cb = &curv[start..start + m];
            hb += sum4(cb);
            let u = &mut u[..m];
            for a in 0..nd {
                for ((uq, &c), &x) in u.iter_mut().zip(cb).zip(sp.col(a, start, m)) {
                    *uq = c * x;
                }
                let ca = sp.cols[a] as usize;
                let row = &mut h[ca * dim..(ca + 1) * dim];
                // Four columns per sweep of `u`: independent sums, shared loads.
                let mut bk = a;
                while bk + 4 <= nd {
                    let cs = [0, 1, 2, 3].map(|i| sp.col(bk + i, start, m));
                    for (i, v) in dot_dense4(u, cs).into_iter().enumerate() {
                        row[sp.cols[bk + i] as usize] += v;
                    }
                    bk += 4;
                }
                for bk in bk..nd {
                    row[sp.cols[bk] as usize] += dot_dense(u, sp.col(bk, start, m));
                }
                if self.fit_intercept {
                    row[d] += sum4(u);
                }
            }
            let ptr = &sp.indptr[start..=start + m];
            for (q, (&c, pw)) in cb.iter().zip(ptr.windows(2)).enumerate() {
                let (lo, hi) = (pw[0], pw[1]);
                if c == 0.0 || lo == hi {
                    continue;
                }
                let i = start + q;
                for (xa, col) in xd.iter_mut().zip(sp.vals.chunks_exact(sp.n)) {
                    *xa = col[i];
                }
                let (idx, val) = (&sp.indices[lo..hi], &sp.values[lo..hi]);
                for (p, (&ja, &va)) in idx.iter().zip(val).enumerate() {
                    let t = c * va;
                    let ja = ja as usize;
                    // Against the row's dense values: one contiguous update of
                    // `cross` (moved into the upper triangle at the end).
                    let cr = &mut cross[ja * nd..(ja + 1) * nd];
                    for (cv, &x) in cr.iter_mut().zip(&xd) {
                        *cv += t * x;
                    }
                    // Against the later sparse entries, in row `ja`.
                    let row = &mut h[ja * dim..(ja + 1) * dim];
                    for (&jb, &vb) in idx[p..].iter().zip(&val[p..]) {
                        row[jb as usize] += t * vb;
                    }
                    if self.fit_intercept {
                        row[d] += t;
                    }
                }
            }
            start += m;
        }
        // Sparse column `j` against dense column `a`: entry (min, max) of the upper
        // triangle.
        for (j, cr) in cross.chunks_exact(nd.max(1)).enumerate() {
            for (&ca, &v) in sp.cols.iter().zip(cr) {
                let ca = ca as usize;
                let (lo, hi) = if ca < j { (ca, j) } else { (j, ca) };
                h[lo * dim + hi] += v;
            }
        }
        self.finish_hessian(h, hb);
    }
}

/// The element-wise part of a pass over a block of margins `z`: each row's weighted
/// loss, residual `C s_i (p_i - y_i)` and curvature `C s_i p_i (1 - p_i)`.
#[inline(always)]
fn pointwise(z: &[f64], cw: &[f64], y: &[f64], r: &mut [f64], h: &mut [f64], loss: &mut [f64]) {
    let m = z.len();
    let (cw, y, r, h, loss) = (&cw[..m], &y[..m], &mut r[..m], &mut h[..m], &mut loss[..m]);
    for k in 0..m {
        let zk = z[k];
        let (c, yk) = (cw[k], y[k]);
        // Stable: log(1 + e^z) - y z = log1p(e^-|z|) + max(z, 0) - y z.
        let e = exp_nonpos(-zk.abs());
        let q = 1.0 / (1.0 + e);
        let p = if zk >= 0.0 { q } else { e * q };
        loss[k] = c * (log1p_unit(e) + zk.max(0.0) - yk * zk);
        r[k] = c * (p - yk);
        h[k] = c * (p * (1.0 - p));
    }
}

/// [`pointwise`] for rows that all weigh `c`, returning the block's loss. The loss's
/// `ln(1 + e^-|z|)` terms are summed as the logarithm of their arguments' product
/// (`one_e`, four partial products; each factor is in `[1, 2]`, so a block of
/// [`BLOCK`] rows stays below `2^256`): one `ln` per block instead of a `log1p` per
/// row, a large share of a pass (measured by `cargo bench -p leadscore --bench fit`).
/// The sum's error is that of the product, about
/// `1e-16` per row in absolute terms, like the rounding of the sum it replaces; the
/// residuals and curvatures are [`pointwise`]'s, bit for bit.
#[inline(always)]
fn pointwise_uniform(
    z: &[f64],
    c: f64,
    y: &[f64],
    r: &mut [f64],
    h: &mut [f64],
    one_e: &mut [f64],
    lin: &mut [f64],
) -> f64 {
    let m = z.len();
    debug_assert!(m <= BLOCK);
    let (y, r, h) = (&y[..m], &mut r[..m], &mut h[..m]);
    let (one_e, lin) = (&mut one_e[..m], &mut lin[..m]);
    for k in 0..m {
        let (zk, yk) = (z[k], y[k]);
        let e = exp_nonpos(-zk.abs());
        let q = 1.0 / (1.0 + e);
        let p = if zk >= 0.0 { q } else { e * q };
        one_e[k] = 1.0 + e;
        lin[k] = zk.max(0.0) - yk * zk;
        r[k] = c * (p - yk);
        h[k] = c * (p * (1.0 - p));
    }
    let mut prod = [1.0f64; 4];
    let mut chunks = one_e.chunks_exact(4);
    for x in &mut chunks {
        for (a, &v) in prod.iter_mut().zip(x) {
            *a *= v;
        }
    }
    for (a, &v) in prod.iter_mut().zip(chunks.remainder()) {
        *a *= v;
    }
    c * (sum4(lin) + ((prod[0] * prod[1]) * (prod[2] * prod[3])).ln())
}

/// The weight all of `cw` has, if they have one.
fn uniform_weight(cw: &[f64]) -> Option<f64> {
    let first = *cw.first()?;
    cw.iter()
        .fold(true, |same, &c| same & (c == first))
        .then_some(first)
}

/// Dot product with eight interleaved partial sums: independent chains that fill the
/// vector units (two 4-wide or four 2-wide registers) in a fixed order.
#[inline(always)]
fn dot_dense(val: &[f64], w: &[f64]) -> f64 {
    let m = val.len().min(w.len());
    let (val, w) = (&val[..m], &w[..m]);
    let mut acc = [0.0; 8];
    let mut vc = val.chunks_exact(8);
    let mut wc = w.chunks_exact(8);
    for (v, ww) in (&mut vc).zip(&mut wc) {
        for k in 0..8 {
            acc[k] += v[k] * ww[k];
        }
    }
    let mut s = ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
    for (v, ww) in vc.remainder().iter().zip(wc.remainder()) {
        s += v * ww;
    }
    s
}

/// Four dot products of `r` with `c[0..4]`, each with four interleaved partial sums
/// (the loads of `r` shared; sixteen independent chains).
#[inline(always)]
fn dot_dense4(r: &[f64], c: [&[f64]; 4]) -> [f64; 4] {
    let m = r.len();
    let (c0, c1, c2, c3) = (&c[0][..m], &c[1][..m], &c[2][..m], &c[3][..m]);
    let mut acc = [[0.0f64; 4]; 4];
    let quads = m / 4;
    for q in 0..quads {
        let i = 4 * q;
        let rv = [r[i], r[i + 1], r[i + 2], r[i + 3]];
        for k in 0..4 {
            acc[0][k] += rv[k] * c0[i + k];
            acc[1][k] += rv[k] * c1[i + k];
            acc[2][k] += rv[k] * c2[i + k];
            acc[3][k] += rv[k] * c3[i + k];
        }
    }
    let mut out = acc.map(|a| (a[0] + a[1]) + (a[2] + a[3]));
    for i in 4 * quads..m {
        out[0] += r[i] * c0[i];
        out[1] += r[i] * c1[i];
        out[2] += r[i] * c2[i];
        out[3] += r[i] * c3[i];
    }
    out
}

/// The dot products of `R` rows with `w`: each row in four lanes of columns `j mod
/// 4`, the lanes summed `(l0 + l1) + (l2 + l3)`, then the last `d mod 4` columns in
/// order. The rows share the loads of `w` and run as `R` independent chains (one
/// 4-wide vector each). A row's sum does not depend on the rows beside it nor on
/// `R`, so a single row is `dot_rows([row], w)[0]`.
#[inline(always)]
fn dot_rows<const R: usize, S: pulp::Simd>(simd: S, x: [&[f64]; R], w: &[f64]) -> [f64; R] {
    // Plain loops rather than `array::map`, which the compiler left as calls here.
    let d = w.len();
    let (wq, _) = pulp::as_arrays::<4, f64>(w);
    let mut xq: [&[[f64; 4]]; R] = [&[]; R];
    for (q, r) in xq.iter_mut().zip(&x) {
        *q = pulp::as_arrays::<4, f64>(&r[..d]).0;
    }
    let acc = lanes(simd, DotRows { xq, wq });
    let mut out = [0.0; R];
    for (o, a) in out.iter_mut().zip(&acc) {
        *o = (a[0] + a[1]) + (a[2] + a[3]);
    }
    for (o, xr) in out.iter_mut().zip(&x) {
        for (&xj, &wj) in xr[4 * wq.len()..d].iter().zip(&w[4 * wq.len()..]) {
            *o += xj * wj;
        }
    }
    out
}

/// Arithmetic on four `f64` lanes (and on eight `f32` lanes, for [`Tiles`] in single
/// precision): an AVX2 register where the CPU has one, else an array. Both do the
/// same IEEE operations lane by lane (`f64`: a multiply and an add, never fused;
/// `f32`: a fused multiply-add, `f32::mul_add` in the arrays, correctly rounded like
/// the instruction), so results are bit-identical; the explicit vectors only spare
/// the kernels from the compiler's choice of how to vectorise them (left alone, it
/// transposed [`dot_rows`] across rows with a shuffle per load).
trait Lanes: Copy {
    type V: Copy;
    fn zero(self) -> Self::V;
    fn load(self, a: &[f64; 4]) -> Self::V;
    fn store(self, v: Self::V) -> [f64; 4];
    fn add(self, a: Self::V, b: Self::V) -> Self::V;
    fn mul(self, a: Self::V, b: Self::V) -> Self::V;
    type V8: Copy;
    fn zero8(self) -> Self::V8;
    fn load8(self, a: &[f32; 8]) -> Self::V8;
    fn splat8(self, a: f32) -> Self::V8;
    fn store8(self, v: Self::V8) -> [f32; 8];
    /// `a * b + c` rounded once (a fused multiply-add).
    fn fma8(self, a: Self::V8, b: Self::V8, c: Self::V8) -> Self::V8;
}

/// [`Lanes`] as arrays.
#[derive(Clone, Copy)]
struct ArrayLanes;

impl Lanes for ArrayLanes {
    type V = [f64; 4];
    #[inline(always)]
    fn zero(self) -> [f64; 4] {
        [0.0; 4]
    }
    #[inline(always)]
    fn load(self, a: &[f64; 4]) -> [f64; 4] {
        *a
    }
    #[inline(always)]
    fn store(self, v: [f64; 4]) -> [f64; 4] {
        v
    }
    #[inline(always)]
    fn add(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        [a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3]]
    }
    #[inline(always)]
    fn mul(self, a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
        [a[0] * b[0], a[1] * b[1], a[2] * b[2], a[3] * b[3]]
    }
    type V8 = [f32; 8];
    #[inline(always)]
    fn zero8(self) -> [f32; 8] {
        [0.0; 8]
    }
    #[inline(always)]
    fn load8(self, a: &[f32; 8]) -> [f32; 8] {
        *a
    }
    #[inline(always)]
    fn splat8(self, a: f32) -> [f32; 8] {
        [a; 8]
    }
    #[inline(always)]
    fn store8(self, v: [f32; 8]) -> [f32; 8] {
        v
    }
    #[inline(always)]
    fn fma8(self, a: [f32; 8], b: [f32; 8], c: [f32; 8]) -> [f32; 8] {
        let mut o = c;
        for ((x, y), z) in o.iter_mut().zip(a).zip(b) {
            *x = y.mul_add(z, *x);
        }
        o
    }
}

#[cfg(target_arch = "x86_64")]
impl Lanes for pulp::x86::V3 {
    type V = pulp::f64x4;
    #[inline(always)]
    fn zero(self) -> pulp::f64x4 {
        pulp::Simd::splat_f64s(self, 0.0)
    }
    #[inline(always)]
    fn load(self, a: &[f64; 4]) -> pulp::f64x4 {
        pulp::cast(*a)
    }
    #[inline(always)]
    fn store(self, v: pulp::f64x4) -> [f64; 4] {
        pulp::cast(v)
    }
    #[inline(always)]
    fn add(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        pulp::Simd::add_f64s(self, a, b)
    }
    #[inline(always)]
    fn mul(self, a: pulp::f64x4, b: pulp::f64x4) -> pulp::f64x4 {
        pulp::Simd::mul_f64s(self, a, b)
    }
    type V8 = pulp::f32x8;
    #[inline(always)]
    fn zero8(self) -> pulp::f32x8 {
        pulp::Simd::splat_f32s(self, 0.0)
    }
    #[inline(always)]
    fn load8(self, a: &[f32; 8]) -> pulp::f32x8 {
        pulp::cast(*a)
    }
    #[inline(always)]
    fn splat8(self, a: f32) -> pulp::f32x8 {
        pulp::Simd::splat_f32s(self, a)
    }
    #[inline(always)]
    fn store8(self, v: pulp::f32x8) -> [f32; 8] {
        pulp::cast(v)
    }
    #[inline(always)]
    fn fma8(self, a: pulp::f32x8, b: pulp::f32x8, c: pulp::f32x8) -> pulp::f32x8 {
        pulp::Simd::mul_add_f32s(self, a, b, c)
    }
}

/// Runs `f` with the [`Lanes`] of `simd`: AVX2 registers when `simd` is pulp's AVX2
/// level (the type test folds away when the operation is compiled for it), else
/// arrays.
#[inline(always)]
fn lanes<S: pulp::Simd, R>(simd: S, f: impl LanesFn<R>) -> R {
    #[cfg(target_arch = "x86_64")]
    if let Some(&v3) = (&simd as &dyn std::any::Any).downcast_ref::<pulp::x86::V3>() {
        return f.call(v3);
    }
    let _ = simd;
    f.call(ArrayLanes)
}

/// A kernel generic over its [`Lanes`] (closures cannot be generic).
trait LanesFn<R> {
    fn call<L: Lanes>(self, ops: L) -> R;
}

/// The lane sums of [`dot_rows`]: `R` rows' whole chunks of four columns.
struct DotRows<'x, const R: usize> {
    xq: [&'x [[f64; 4]]; R],
    wq: &'x [[f64; 4]],
}

impl<const R: usize> LanesFn<[[f64; 4]; R]> for DotRows<'_, R> {
    #[inline(always)]
    fn call<L: Lanes>(self, ops: L) -> [[f64; 4]; R] {
        let mut acc = [ops.zero(); R];
        for (q, wv) in self.wq.iter().enumerate() {
            let wv = ops.load(wv);
            for (a, xr) in acc.iter_mut().zip(&self.xq) {
                *a = ops.add(*a, ops.mul(ops.load(&xr[q]), wv));
            }
        }
        let mut out = [[0.0; 4]; R];
        for (o, &a) in out.iter_mut().zip(&acc) {
            *o = ops.store(a);
        }
        out
    }
}

/// Rows per block of [`Problem::eval`].
const BLOCK: usize = 256;
/// Rows per [`dot_rows`] call of a dense pass (independent chains, shared loads of
/// the coefficients).
const DOT_ROWS: usize = 4;

/// Sum with four interleaved partial sums (vectorisable, fixed order).
#[inline(always)]
fn sum4(v: &[f64]) -> f64 {
    let mut acc = [0.0; 4];
    let mut c = v.chunks_exact(4);
    for x in &mut c {
        acc[0] += x[0];
        acc[1] += x[1];
        acc[2] += x[2];
        acc[3] += x[3];
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for x in c.remainder() {
        s += x;
    }
    s
}

/// `g += sum_k r_k x_k` for four dense rows.
#[inline(always)]
fn axpy_dense4(r: [f64; 4], v: [&[f64]; 4], g: &mut [f64]) {
    let d = g.len();
    let (x0, x1, x2, x3) = (&v[0][..d], &v[1][..d], &v[2][..d], &v[3][..d]);
    for j in 0..d {
        g[j] += (r[0] * x0[j] + r[1] * x1[j]) + (r[2] * x2[j] + r[3] * x3[j]);
    }
}

/// `e^x` for `x <= 0`, to within two ulp (4.3e-16 relative), as straight-line code
/// that vectorises.
/// Arguments below -700 are treated as -700 (`e^-700 ~ 1e-304`: far below anything
/// that changes a probability, a loss or a gradient in double precision).
#[inline(always)]
fn exp_nonpos(x: f64) -> f64 {
    const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: rounds to an integer
    const LN2_HI: f64 = 0.6931471803691238;
    const LN2_LO: f64 = 1.9082149292705877e-10;
    let x = x.max(-700.0);
    let t = x * std::f64::consts::LOG2_E + SHIFT;
    let nf = t - SHIFT;
    // |rr| <= ln2 / 2.
    let rr = (x - nf * LN2_HI) - nf * LN2_LO;
    // Taylor series to degree 13 (remainder below 5e-18 on |rr| <= 0.35), summed by
    // Estrin's scheme: pairs of terms, then pairs of pairs by rr^2, rr^4 and rr^8, so
    // the dependency chain is four multiply-adds deep instead of thirteen.
    const C: [f64; 14] = [
        1.0,
        1.0,
        1.0 / 2.0,
        1.0 / 6.0,
        1.0 / 24.0,
        1.0 / 120.0,
        1.0 / 720.0,
        1.0 / 5_040.0,
        1.0 / 40_320.0,
        1.0 / 362_880.0,
        1.0 / 3_628_800.0,
        1.0 / 39_916_800.0,
        1.0 / 479_001_600.0,
        1.0 / 6_227_020_800.0,
    ];
    let r2 = rr * rr;
    let r4 = r2 * r2;
    let r8 = r4 * r4;
    let a0 = C[0] + C[1] * rr;
    let a1 = C[2] + C[3] * rr;
    let a2 = C[4] + C[5] * rr;
    let a3 = C[6] + C[7] * rr;
    let a4 = C[8] + C[9] * rr;
    let a5 = C[10] + C[11] * rr;
    let a6 = C[12] + C[13] * rr;
    let b0 = a0 + a1 * r2;
    let b1 = a2 + a3 * r2;
    let b2 = a4 + a5 * r2;
    let c0 = b0 + b1 * r4;
    let c1 = b2 + a6 * r4;
    let p = c0 + c1 * r8;
    // 2^n from the integer left in the low bits of `t`; n >= -1010 keeps it normal.
    let n = (t.to_bits() as i64).wrapping_sub(SHIFT.to_bits() as i64);
    p * f64::from_bits((n + 1023).wrapping_shl(52) as u64)
}

/// `ln(1 + e)` for `0 <= e <= 1`, to about one ulp, as straight-line code that
/// vectorises (fdlibm's `log1p` kernel with its range reduction made branch-free).
#[inline(always)]
fn log1p_unit(e: f64) -> f64 {
    const LG1: f64 = 0.6666666666666735;
    const LG2: f64 = 0.3999999999940942;
    const LG3: f64 = 0.2857142874366239;
    const LG4: f64 = 0.22222198432149784;
    const LG5: f64 = 0.1818357216161805;
    const LG6: f64 = 0.15313837699209373;
    const LG7: f64 = 0.14798198605116586;
    // 1 + e = 2^k (1 + f) with f in [sqrt(2)/2 - 1, sqrt(2) - 1].
    let big = e > std::f64::consts::SQRT_2 - 1.0;
    let f = if big { (e - 1.0) * 0.5 } else { e };
    let k = if big { std::f64::consts::LN_2 } else { 0.0 };
    let s = f / (2.0 + f);
    let z = s * s;
    // fdlibm's split into odd and even terms in z^2: two chains half as deep.
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    let hfsq = 0.5 * f * f;
    k + (f - (hfsq - s * (hfsq + r)))
}

#[inline(always)]
fn dot_sparse(idx: &[u32], val: &[f64], w: &[f64]) -> f64 {
    // Two partial sums halve the add latency chain.
    let mut acc = [0.0; 2];
    let mut ic = idx.chunks_exact(2);
    let mut vc = val.chunks_exact(2);
    for (i, v) in (&mut ic).zip(&mut vc) {
        acc[0] += v[0] * w[i[0] as usize];
        acc[1] += v[1] * w[i[1] as usize];
    }
    let mut s = acc[0] + acc[1];
    for (&j, &v) in ic.remainder().iter().zip(vc.remainder()) {
        s += v * w[j as usize];
    }
    s
}

#[inline(always)]
fn axpy_dense(r: f64, val: &[f64], g: &mut [f64]) {
    for (gj, &v) in g.iter_mut().zip(val) {
        *gj += r * v;
    }
}

#[inline(always)]
fn axpy_sparse(r: f64, idx: &[u32], val: &[f64], g: &mut [f64]) {
    for (&j, &v) in idx.iter().zip(val) {
        g[j as usize] += r * v;
    }
}

/// Rows per block of [`Tiles`].
const TILE_ROWS: usize = 32;
/// Rows of the upper triangle per tile of [`Tiles`].
const TILE_A: usize = 4;
/// Columns per tile of [`Tiles`].
const TILE_B: usize = 8;

/// The Hessian's sum `sum_i c_i x_i x_i^T` over rows gathered, [`TILE_ROWS`] at a
/// time, into a small row-major block (zeros filled in, a 1 in the intercept's
/// column): each tile of the upper triangle is summed over the block's rows in locals
/// that stay in vector registers, so every multiply-add costs one multiply and one
/// add and no loads or stores of the matrix. Far faster than scattered updates for
/// narrow models, dense rows or not (see [`Problem::tiled`]). The block holds `T`:
/// `f64`, or `f32` for estimates ([`Problem::hessian`]); the sum is `f64` either way.
/// Each entry is summed in row order within a block, then block by block: the same
/// order on every instruction set.
struct Tiles<T: TileElem, S: pulp::Simd> {
    simd: S,
    /// Padded width: the parameter count rounded up to a multiple of `T::PAD`.
    w: usize,
    /// The block's rows, `TILE_ROWS x w`.
    a: Vec<T>,
    /// The same rows times their curvatures.
    s: Vec<T>,
    /// The row being filled by [`Tiles::row`].
    r: Vec<f64>,
    /// Rows in the block.
    m: usize,
    /// The sum so far, `w x w` (upper tiles only).
    h: Vec<f64>,
}

impl<T: TileElem, S: pulp::Simd> Tiles<T, S> {
    fn new(simd: S, dim: usize) -> Self {
        let w = dim.next_multiple_of(T::PAD);
        Tiles {
            simd,
            w,
            a: vec![T::default(); TILE_ROWS * w],
            s: vec![T::default(); TILE_ROWS * w],
            r: vec![0.0; w],
            m: 0,
            h: vec![0.0; w * w],
        }
    }

    /// A zeroed row for the caller to fill, then to [`Tiles::commit`].
    #[inline(always)]
    fn row(&mut self) -> &mut [f64] {
        self.r.iter_mut().for_each(|v| *v = 0.0);
        &mut self.r
    }

    /// Takes a row that stores every feature, `x`, with its curvature `c` (and a 1 in
    /// the intercept's column when `intercept`): written once into the block and
    /// once scaled, in one loop. The padding past the parameters is never written,
    /// so it stays zero.
    #[inline(always)]
    fn push_full(&mut self, x: &[f64], c: f64, intercept: bool) {
        let (w, m, d) = (self.w, self.m, x.len());
        let a = &mut self.a[m * w..(m + 1) * w];
        let s = &mut self.s[m * w..(m + 1) * w];
        for ((av, sv), &xv) in a.iter_mut().zip(s.iter_mut()).zip(x) {
            *av = T::of(xv);
            *sv = T::of(c * xv);
        }
        if intercept {
            a[d] = T::of(1.0);
            s[d] = T::of(c);
        }
        self.m += 1;
        if self.m == TILE_ROWS {
            self.flush();
        }
    }

    /// Takes the row filled after [`Tiles::row`] with its curvature `c`.
    #[inline(always)]
    fn commit(&mut self, c: f64) {
        let (w, m) = (self.w, self.m);
        let a = &mut self.a[m * w..(m + 1) * w];
        let s = &mut self.s[m * w..(m + 1) * w];
        for ((av, sv), &rv) in a.iter_mut().zip(s.iter_mut()).zip(&self.r) {
            *av = T::of(rv);
            *sv = T::of(c * rv);
        }
        self.m += 1;
        if self.m == TILE_ROWS {
            self.flush();
        }
    }

    /// Adds the block's outer products to the sum.
    #[inline(always)]
    fn flush(&mut self) {
        let (w, m) = (self.w, self.m);
        T::flush(
            self.simd,
            &self.a[..m * w],
            &self.s[..m * w],
            w,
            &mut self.h,
        );
        self.m = 0;
    }

    /// Flushes the last rows and writes the upper triangle into `h` (`dim x dim`,
    /// row-major).
    #[inline(always)]
    fn finish(mut self, h: &mut [f64], dim: usize) {
        if self.m > 0 {
            self.flush();
        }
        let w = self.w;
        for i in 0..dim {
            h[i * dim + i..(i + 1) * dim].copy_from_slice(&self.h[i * w + i..i * w + dim]);
        }
    }
}

/// The element type of a [`Tiles`] block and its tile kernel.
trait TileElem: Copy + Default {
    /// The block's width is padded to a multiple of this.
    const PAD: usize;
    /// `v` in this type (rounded to nearest).
    fn of(v: f64) -> Self;
    /// Adds the outer products of the block's rows (`a`, and `s` the same times
    /// their curvatures, `w` wide) to the upper tiles of `h` (`w x w`).
    fn flush<S: pulp::Simd>(simd: S, a: &[Self], s: &[Self], w: usize, h: &mut [f64]);
}

impl TileElem for f64 {
    const PAD: usize = TILE_A;

    #[inline(always)]
    fn of(v: f64) -> f64 {
        v
    }

    /// Tiles of [`TILE_B`] columns, and one of half that where the padded width ends
    /// between them; the compiler vectorises [`tile`].
    #[inline(always)]
    fn flush<S: pulp::Simd>(_simd: S, a: &[f64], s: &[f64], w: usize, h: &mut [f64]) {
        for ta in (0..w).step_by(TILE_A) {
            let mut tb = ta - ta % TILE_B;
            while tb + TILE_B <= w {
                tile::<TILE_B>(a, s, w, ta, tb, h);
                tb += TILE_B;
            }
            if tb < w {
                tile::<{ TILE_B / 2 }>(a, s, w, ta, tb, h);
            }
        }
    }
}

impl TileElem for f32 {
    const PAD: usize = 8;

    #[inline(always)]
    fn of(v: f64) -> f32 {
        v as f32
    }

    /// Tiles of sixteen columns (two vectors of eight lanes), and one of eight where
    /// the padded width ends between them, by [`TileF32`]: explicit vectors, since
    /// the compiler left this kernel scalar.
    #[inline(always)]
    fn flush<S: pulp::Simd>(simd: S, a: &[f32], s: &[f32], w: usize, h: &mut [f64]) {
        for ta in (0..w).step_by(TILE_A) {
            let mut tb = ta - ta % 16;
            while tb + 16 <= w {
                let acc = lanes(simd, TileF32::<2> { a, s, w, ta, tb });
                add_tile(&acc, h, w, ta, tb);
                tb += 16;
            }
            if tb < w {
                let acc = lanes(simd, TileF32::<1> { a, s, w, ta, tb });
                add_tile(&acc, h, w, ta, tb);
            }
        }
    }
}

/// One `TILE_A x 8V` tile of `f32` [`Tiles`]: rows `ta..ta + TILE_A` of the sum,
/// columns `tb..tb + 8V`, summed over the block's rows in `TILE_A x V` vectors.
struct TileF32<'t, const V: usize> {
    a: &'t [f32],
    s: &'t [f32],
    w: usize,
    ta: usize,
    tb: usize,
}

impl<const V: usize> LanesFn<[[[f32; 8]; V]; TILE_A]> for TileF32<'_, V> {
    #[inline(always)]
    fn call<L: Lanes>(self, ops: L) -> [[[f32; 8]; V]; TILE_A] {
        let mut acc = [[ops.zero8(); V]; TILE_A];
        for (ra, rs) in self.a.chunks_exact(self.w).zip(self.s.chunks_exact(self.w)) {
            let (Some(xs), Some(t)) = (
                ra.get(self.tb..self.tb + 8 * V),
                rs[self.ta..].first_chunk::<TILE_A>(),
            ) else {
                continue;
            };
            let mut xv = [ops.zero8(); V];
            for (v, x) in xv.iter_mut().zip(pulp::as_arrays::<8, f32>(xs).0) {
                *v = ops.load8(x);
            }
            for (acc_i, &ti) in acc.iter_mut().zip(t) {
                let tv = ops.splat8(ti);
                for (a, &x) in acc_i.iter_mut().zip(&xv) {
                    *a = ops.fma8(tv, x, *a);
                }
            }
        }
        let mut out = [[[0.0f32; 8]; V]; TILE_A];
        for (o, a) in out.iter_mut().zip(&acc) {
            for (oq, &aq) in o.iter_mut().zip(a) {
                *oq = ops.store8(aq);
            }
        }
        out
    }
}

/// Adds a [`TileF32`] tile's sums to rows `ta..` and columns `tb..` of `h`.
#[inline(always)]
fn add_tile<const V: usize>(
    acc: &[[[f32; 8]; V]; TILE_A],
    h: &mut [f64],
    w: usize,
    ta: usize,
    tb: usize,
) {
    for (i, acc_i) in acc.iter().enumerate() {
        let row = &mut h[(ta + i) * w + tb..(ta + i) * w + tb + 8 * V];
        for (hv, &v) in row.iter_mut().zip(acc_i.as_flattened()) {
            *hv += f64::from(v);
        }
    }
}

/// One `TILE_A x B` tile of `f64` [`Tiles`]: rows `ta..ta + TILE_A` of the sum,
/// columns `tb..tb + B`, over the block's rows (`a` the rows, `s` the same times
/// their curvatures, `w` wide), summed in locals that stay in vector registers.
#[inline(always)]
fn tile<const B: usize>(a: &[f64], s: &[f64], w: usize, ta: usize, tb: usize, h: &mut [f64]) {
    let mut acc = [[0.0f64; B]; TILE_A];
    for (ra, rs) in a.chunks_exact(w).zip(s.chunks_exact(w)) {
        let (Some(x), Some(t)) = (
            ra[tb..].first_chunk::<B>(),
            rs[ta..].first_chunk::<TILE_A>(),
        ) else {
            continue;
        };
        for (acc_i, &ti) in acc.iter_mut().zip(t) {
            for (v, &xj) in acc_i.iter_mut().zip(x) {
                *v += ti * xj;
            }
        }
    }
    for (i, acc_i) in acc.iter().enumerate() {
        let row = &mut h[(ta + i) * w + tb..(ta + i) * w + tb + B];
        for (hv, &v) in row.iter_mut().zip(acc_i) {
            *hv += v;
        }
    }
}

/// Adds four dense rows' outer products `c x x^T` to the upper triangle.
#[inline(always)]
fn hess_dense4(block: &[(f64, &[f64]); 4], h: &mut [f64], dim: usize, fit_intercept: bool) {
    let [(c0, x0), (c1, x1), (c2, x2), (c3, x3)] = *block;
    let d = x0.len();
    let (x1, x2, x3) = (&x1[..d], &x2[..d], &x3[..d]);
    for a in 0..d {
        let (t0, t1, t2, t3) = (c0 * x0[a], c1 * x1[a], c2 * x2[a], c3 * x3[a]);
        let row = &mut h[a * dim + a..a * dim + d];
        let (y0, y1, y2, y3) = (&x0[a..], &x1[a..], &x2[a..], &x3[a..]);
        for k in 0..row.len() {
            row[k] += (t0 * y0[k] + t1 * y1[k]) + (t2 * y2[k] + t3 * y3[k]);
        }
        if fit_intercept {
            h[a * dim + d] += (t0 + t1) + (t2 + t3);
        }
    }
}

/// The rows of a partial [`hess_dense4`] block, one at a time.
#[inline(always)]
fn hess_dense_rest(block: &[(f64, &[f64])], h: &mut [f64], dim: usize, fit_intercept: bool) {
    let d = dim - usize::from(fit_intercept);
    for &(c, val) in block {
        for a in 0..d {
            let t = c * val[a];
            let row = &mut h[a * dim + a..a * dim + d];
            for (hv, &vb) in row.iter_mut().zip(&val[a..]) {
                *hv += t * vb;
            }
            if fit_intercept {
                h[a * dim + d] += t;
            }
        }
    }
}

/// The dense factorisations below, compiled for the best instruction set the CPU has
/// (as [`Eval`] is for the passes), so that their plain loops vectorise: with AVX2's
/// four-wide lanes the factorisations of models with hundreds of parameters run
/// several times faster (measured by `cargo run --release --example train_table -p
/// leadscore -- examples/data/caravan.csv Purchase`, about 440 parameters with the
/// evidence's factorisations). Element-wise loops and fixed-order sums give the same
/// bits either way.
enum Factor<'a> {
    /// [`cholesky_upper`].
    Cholesky(&'a mut [f64], usize),
    /// [`inverse_from_cholesky`].
    #[cfg(test)]
    Inverse(&'a [f64], usize, &'a mut [f64], &'a mut [f64]),
    /// [`inverse_trace`]: the factor, its size, the entries summed, scratch.
    Trace(&'a [f64], usize, usize, &'a mut [f64]),
}

impl pulp::WithSimd for Factor<'_> {
    type Output = (bool, f64);

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> (bool, f64) {
        match self {
            Factor::Cholesky(h, n) => (cholesky_upper_impl(h, n), 0.0),
            #[cfg(test)]
            Factor::Inverse(u, n, inv, tmp) => {
                upper_inverse(u, n, tmp);
                // H^-1 = V V^T: inv[i][j] = sum_{k >= max(i,j)} V[i][k] V[j][k].
                for i in 0..n {
                    for j in i..n {
                        let s = dot4(&tmp[i * n + j..i * n + n], &tmp[j * n + j..j * n + n]);
                        inv[i * n + j] = s;
                        inv[j * n + i] = s;
                    }
                }
                (true, 0.0)
            }
            Factor::Trace(u, n, m, tmp) => {
                upper_inverse(u, n, tmp);
                let t = (0..m.min(n))
                    .map(|i| {
                        let row = &tmp[i * n + i..i * n + n];
                        dot4(row, row)
                    })
                    .sum();
                (true, t)
            }
        }
    }
}

/// In-place Cholesky of the upper triangle of a symmetric `n x n` row-major matrix:
/// on success `h` holds `U` with `U^T U = H`. Returns false when `H` is not
/// numerically positive definite.
fn cholesky_upper(h: &mut [f64], n: usize) -> bool {
    pulp::Arch::new().dispatch(Factor::Cholesky(h, n)).0
}

#[inline(always)]
fn cholesky_upper_impl(h: &mut [f64], n: usize) -> bool {
    for j in 0..n {
        // h[j][j] -= sum_k<j U[k][j]^2
        let mut s = h[j * n + j];
        for k in 0..j {
            let u = h[k * n + j];
            s -= u * u;
        }
        // Also rejects NaN (every comparison with NaN is false).
        if s.is_nan() || s <= 0.0 || !s.is_finite() {
            return false;
        }
        let ujj = s.sqrt();
        h[j * n + j] = ujj;
        // Row j of U: U[j][m] = (H[j][m] - sum_k<j U[k][j] U[k][m]) / U[j][j]
        for k in 0..j {
            let ukj = h[k * n + j];
            if ukj != 0.0 {
                let (top, bottom) = h.split_at_mut(j * n);
                let src = &top[k * n + j + 1..k * n + n];
                let dst = &mut bottom[j + 1..n];
                for (dv, &sv) in dst.iter_mut().zip(src) {
                    *dv -= ukj * sv;
                }
            }
        }
        let inv = 1.0 / ujj;
        for v in &mut h[j * n + j + 1..j * n + n] {
            *v *= inv;
        }
    }
    true
}

/// Writes `H^-1` (full, symmetric) from the Cholesky factor `U` (`H = U^T U`), using
/// `tmp` (`n x n`) as scratch. Both steps run along rows (contiguous, vectorisable
/// loops in a fixed order): `V = U^-1` row by row from the bottom, each row a sum of
/// the rows below it; then `H^-1 = V V^T` as dot products of rows.
#[cfg(test)]
fn inverse_from_cholesky(u: &[f64], n: usize, inv: &mut [f64], tmp: &mut [f64]) {
    pulp::Arch::new().dispatch(Factor::Inverse(u, n, inv, tmp));
}

/// The diagonal of `H^-1` from the Cholesky factor `U` (`H = U^T U`), summed over
/// the first `m` entries: `sum_{i < m} |row i of U^-1|^2` (half the work of the whole
/// inverse). `tmp` (`n x n`) is scratch.
fn inverse_trace(u: &[f64], n: usize, m: usize, tmp: &mut [f64]) -> f64 {
    pulp::Arch::new().dispatch(Factor::Trace(u, n, m, tmp)).1
}

/// `V = U^-1` (upper triangular, row-major) into `tmp`.
#[inline(always)]
fn upper_inverse(u: &[f64], n: usize, tmp: &mut [f64]) {
    tmp.iter_mut().for_each(|v| *v = 0.0);
    // Row i of V: V[i][i] = 1 / U[i][i]; V[i][j > i] = -(sum_{k > i} U[i][k] V[k][j]) /
    // U[i][i], the sum over k in increasing order.
    for i in (0..n).rev() {
        let d = 1.0 / u[i * n + i];
        let (head, below) = tmp.split_at_mut((i + 1) * n);
        let row = &mut head[i * n..];
        row[i] = d;
        for k in i + 1..n {
            let c = u[i * n + k];
            if c != 0.0 {
                let vk = &below[(k - i - 1) * n..(k - i) * n];
                for (r, &v) in row[k..].iter_mut().zip(&vk[k..]) {
                    *r += c * v;
                }
            }
        }
        for r in &mut row[i + 1..] {
            *r *= -d;
        }
    }
}

/// Dot product with four interleaved partial sums (fixed order).
#[inline(always)]
fn dot4(a: &[f64], b: &[f64]) -> f64 {
    let m = a.len().min(b.len());
    let (a, b) = (&a[..m], &b[..m]);
    let mut acc = [0.0; 4];
    let (ac, bc) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ar, br) = (ac.remainder(), bc.remainder());
    for (x, y) in ac.zip(bc) {
        for k in 0..4 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s = (acc[0] + acc[1]) + (acc[2] + acc[3]);
    for (x, y) in ar.iter().zip(br) {
        s += x * y;
    }
    s
}

/// Buffers allocated once per call.
struct Workspace {
    theta: Vec<f64>,
    grad: Vec<f64>,
    trial: Vec<f64>,
    trial_grad: Vec<f64>,
    dir: Vec<f64>,
    curv: Scratch<f64>,
    trial_curv: Scratch<f64>,
    /// Dense `dim x dim` matrices (Newton) or L-BFGS pairs.
    mat: Vec<f64>,
    mat2: Vec<f64>,
    mat3: Vec<f64>,
    tmp: Vec<f64>,
    /// Extra gradient copies for sparse rows (see [`Problem::eval`]).
    spare: Vec<f64>,
    /// Newton: the BFGS pairs since the last Hessian, `s_i` then `y_i` (`dim` each).
    pairs: Vec<f64>,
    /// `1 / (y_i^T s_i)` of each pair.
    rho: Vec<f64>,
    /// The two-loop recursion's coefficients.
    alpha: Vec<f64>,
}

impl Workspace {
    fn new(p: &Problem<'_>, strategy: Strategy) -> Self {
        let dim = p.dim;
        let n = p.cw.len();
        let newton = strategy != Strategy::Lbfgs;
        let mut theta = vec![0.0; dim];
        if p.fit_intercept {
            theta[p.d] = p.b0;
        }
        Workspace {
            theta,
            grad: vec![0.0; dim],
            trial: vec![0.0; dim],
            trial_grad: vec![0.0; dim],
            dir: vec![0.0; dim],
            curv: Scratch::zeroed(n),
            trial_curv: Scratch::zeroed(n),
            mat: if newton {
                vec![0.0; dim * dim]
            } else {
                vec![0.0; 2 * LBFGS_M * dim]
            },
            mat2: if newton {
                vec![0.0; dim * dim]
            } else {
                Vec::new()
            },
            mat3: if newton {
                vec![0.0; dim * dim]
            } else {
                Vec::new()
            },
            tmp: vec![0.0; dim.max(2 * LBFGS_M)],
            spare: if p.d <= MAX_SPREAD_COLS && p.nnz() < n * p.d {
                vec![0.0; 3 * p.d]
            } else {
                Vec::new()
            },
            pairs: Vec::new(),
            rho: Vec::new(),
            alpha: Vec::new(),
        }
    }

    /// Keeps the step just taken (`s` in `dir`, `y` in `tmp`) as a BFGS pair, unless
    /// its curvature `y^T s` is not safely positive.
    fn push_pair(&mut self, dim: usize) {
        let (s, y) = (&self.dir[..dim], &self.tmp[..dim]);
        let sy = dotv(s, y);
        if sy.is_nan() || sy <= 1e-12 * dotv(y, y).sqrt() * dotv(s, s).sqrt() {
            return;
        }
        let at = 2 * self.rho.len() * dim;
        self.pairs.truncate(at);
        self.pairs.extend_from_slice(s);
        self.pairs.extend_from_slice(y);
        self.rho.push(1.0 / sy);
    }
}

/// Checks what every problem needs besides its matrix: `C`, `tol`, the labels and the
/// weights.
fn check_args(
    n: usize,
    d: usize,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    cfg: &SolverConfig,
) -> Result<()> {
    if !(cfg.c.is_finite() && cfg.c > 0.0) {
        return Err(invalid(format!(
            "C must be finite and positive, got {}",
            cfg.c
        )));
    }
    if !(cfg.tol.is_finite() && cfg.tol >= 0.0) {
        return Err(invalid(format!(
            "tol must be finite and non-negative, got {}",
            cfg.tol
        )));
    }
    if y.len() != n {
        return Err(invalid(format!(
            "y has {} labels but x has {n} rows",
            y.len()
        )));
    }
    if n == 0 {
        return Err(invalid("x has no rows"));
    }
    if d > u32::MAX as usize {
        return Err(invalid(format!("x has too many columns ({d})")));
    }
    if let Some(sw) = sample_weight {
        if sw.len() != n {
            return Err(invalid(format!(
                "sample_weight has {} entries but x has {n} rows",
                sw.len()
            )));
        }
        let fine = sw
            .iter()
            .fold(true, |ok, s| ok & s.is_finite() & (*s >= 0.0));
        if let Some(i) = (!fine)
            .then(|| sw.iter().position(|s| !(s.is_finite() && *s >= 0.0)))
            .flatten()
        {
            return Err(invalid(format!(
                "sample_weight[{i}] = {} is not a finite non-negative number",
                sw[i]
            )));
        }
    }
    // Labels vary row to row: a branch-free fold first (a search that stops at the
    // first bad label mispredicts on every other row), the position on failure only.
    if !y.iter().fold(true, |ok, &v| ok & ((v == 0.0) | (v == 1.0))) {
        let i = y.iter().position(|&v| v != 0.0 && v != 1.0).unwrap_or(0);
        return Err(invalid(format!("y[{i}] = {} is not 0 or 1", y[i])));
    }
    Ok(())
}

/// Checks that every row's columns are strictly increasing below `n_cols` and, with
/// `values`, that every value is finite (row pointers checked by the caller): fast
/// whole-matrix folds first, the failure located only when there is one.
fn check_entries(x: &Features, values: bool) -> Result<()> {
    let (d, indptr, indices) = (x.n_cols(), x.indptr(), x.indices());
    let finite = !values || x.values().iter().fold(true, |ok, v| ok & v.is_finite());
    let mut ordered = true;
    for w in indptr.windows(2) {
        let idx = &indices[w[0]..w[1]];
        ordered &= if idx.len() == d {
            // A full row's columns, strictly increasing below `d`, are 0..d.
            idx.iter()
                .zip(0u32..)
                .fold(true, |ok, (&j, k)| ok & (j == k))
        } else {
            let inc = idx.windows(2).fold(true, |ok, w| ok & (w[0] < w[1]));
            inc & idx.last().is_none_or(|&j| (j as usize) < d)
        };
    }
    if finite && ordered {
        Ok(())
    } else {
        Err(locate_matrix_error(x))
    }
}

/// The first problem in a matrix that failed the fast checks, as an error.
fn locate_matrix_error(x: &Features) -> Error {
    let (indptr, indices, values) = (x.indptr(), x.indices(), x.values());
    let d = x.n_cols();
    for i in 0..x.n_rows() {
        let (a, b) = (indptr[i], indptr[i + 1]);
        if a > b {
            return invalid("x has inconsistent row pointers");
        }
        let mut prev: Option<u32> = None;
        for (&j, &v) in indices[a..b].iter().zip(&values[a..b]) {
            if j as usize >= d {
                return invalid(format!(
                    "x row {i} has column index {j} but x has {d} columns"
                ));
            }
            if prev.is_some_and(|p| p >= j) {
                return invalid(format!("x row {i} has column indices out of order"));
            }
            prev = Some(j);
            if !v.is_finite() {
                return invalid(format!(
                    "x row {i}, column {j} holds a non-finite value ({v})"
                ));
            }
        }
    }
    Error::Internal("matrix check failed without a located cause".into())
}

fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidInput(msg.into())
}

fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Dot product of the solver's vectors: [`dot4`]'s four partial sums (a single
/// running sum waits on every add, and the inverse Hessian times the gradient, twice
/// per step, shows in a Newton fit: `bench/fit_vs_sklearn.py`'s wa_churn).
fn dotv(a: &[f64], b: &[f64]) -> f64 {
    dot4(a, b)
}

fn check_finite(f: f64, g: &[f64]) -> Result<()> {
    if f.is_finite() && g.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::Training(
            "the objective or its gradient became non-finite".into(),
        ))
    }
}

fn solution(p: &Problem<'_>, theta: &[f64], f: f64, gnorm: f64, it: usize, ok: bool) -> Solution {
    Solution {
        coef: theta[..p.d].to_vec(),
        intercept: if p.fit_intercept { theta[p.d] } else { 0.0 },
        iterations: it,
        converged: ok,
        grad_norm: gnorm,
        objective: f,
    }
}

/// Outcome of a line search.
enum Search {
    /// Accepted: the new objective (trial buffers hold the point and gradient).
    Step(f64),
    /// No acceptable step was found.
    Failed,
}

/// Backtracking Armijo search along `ws.dir` from `ws.theta`; on success the accepted
/// point, gradient and curvatures are in `ws.trial*`.
fn line_search(p: &Problem<'_>, ws: &mut Workspace, f: f64) -> Result<Search> {
    let gd = dotv(&ws.grad, &ws.dir);
    if gd.is_nan() || gd >= 0.0 {
        return Ok(Search::Failed);
    }
    // Rounding in a sum over many rows: allow a change at the level of its noise.
    let slack = 1e-13 * f.abs();
    let mut alpha = 1.0;
    for _ in 0..MAX_LINE_SEARCH {
        for ((t, &th), &dv) in ws.trial.iter_mut().zip(&ws.theta).zip(&ws.dir) {
            *t = th + alpha * dv;
        }
        let fnew = p.eval(
            &ws.trial,
            &mut ws.trial_grad,
            &mut ws.trial_curv,
            &mut ws.spare,
        );
        if fnew.is_finite() && fnew <= f + ARMIJO * alpha * gd + slack {
            check_finite(fnew, &ws.trial_grad)?;
            return Ok(Search::Step(fnew));
        }
        // Minimiser of the quadratic through f, f'(0) = gd and f(alpha), kept within
        // [0.1, 0.5] of alpha.
        let next = if fnew.is_finite() {
            let denom = 2.0 * (fnew - f - gd * alpha);
            if denom > 0.0 {
                -gd * alpha * alpha / denom
            } else {
                0.5 * alpha
            }
        } else {
            0.1 * alpha
        };
        alpha = next.clamp(0.1 * alpha, 0.5 * alpha);
    }
    Ok(Search::Failed)
}

/// Newton steps from the exact Hessian; with `exact_every_step == false` the Hessian
/// is rebuilt only when progress slows (and the gradient is more than
/// [`NO_REBUILD_WITHIN`] times the tolerance) and BFGS-corrected in between. From a `warm`
/// start (near the optimum, where the Hessian changes little and BFGS corrects what
/// a sample misses) the first Hessian is built from every
/// [`Problem::sampled_step`]-th row: a fraction of the full Hessian's cost for the
/// same steps, and [`HESSIAN_ROWS_PER_PARAM`] rows per parameter are enough for that
/// (measured by `bench/fit_vs_sklearn.py`'s wa_churn and dense 20k, and `cargo bench
/// -p leadscore --bench fit -- dense_x50/20000`).
fn run_newton(
    p: &Problem<'_>,
    cfg: &SolverConfig,
    ws: &mut Workspace,
    exact_every_step: bool,
    warm: bool,
    seeded: bool,
) -> Result<Solution> {
    let dim = p.dim;
    let thresh = cfg.tol * p.scale;
    let mut f = p.eval(&ws.theta, &mut ws.grad, &mut ws.curv, &mut ws.spare);
    check_finite(f, &ws.grad).map_err(|e| p.non_finite_input().unwrap_or(e))?;
    let mut gnorm = max_abs(&ws.grad);
    // `mat2` holds the factor of the current Hessian approximation and `pairs` its
    // BFGS corrections when `have_inv` (with `seeded`, the caller's exact factor at
    // the starting point).
    let mut have_inv = seeded;
    let mut seeded_fresh = seeded;
    let mut since_exact = 0usize;
    let mut step = if warm && !exact_every_step {
        p.sampled_step()
    } else {
        1
    };
    let mut it = 0;
    loop {
        if gnorm <= thresh {
            return Ok(solution(p, &ws.theta, f, gnorm / p.scale, it, true));
        }
        if it >= cfg.max_iter {
            return Ok(solution(p, &ws.theta, f, gnorm / p.scale, it, false));
        }
        let mut fresh = std::mem::take(&mut seeded_fresh);
        if !have_inv || (exact_every_step && !fresh) {
            fresh_inverse(p, ws, step)?;
            // Rebuilds (progress slowed) use every row.
            step = 1;
            have_inv = true;
            fresh = true;
            since_exact = 0;
        }
        // dir = -Hinv g
        quasi_newton_direction(ws, dim);
        let search = line_search(p, ws, f)?;
        let fnew = match search {
            Search::Step(fnew) => fnew,
            Search::Failed if !fresh => {
                // A stale approximation: rebuild and retry from the same point.
                have_inv = false;
                continue;
            }
            Search::Failed => {
                return Ok(solution(p, &ws.theta, f, gnorm / p.scale, it, false));
            }
        };
        it += 1;
        since_exact += 1;
        let gnew = max_abs(&ws.trial_grad);
        // BFGS correction of the inverse: s = trial - theta, yv = g_new - g.
        for k in 0..dim {
            ws.dir[k] = ws.trial[k] - ws.theta[k];
            ws.tmp[k] = ws.trial_grad[k] - ws.grad[k];
        }
        let slow = gnew > 0.5 * gnorm;
        std::mem::swap(&mut ws.theta, &mut ws.trial);
        std::mem::swap(&mut ws.grad, &mut ws.trial_grad);
        std::mem::swap(&mut ws.curv, &mut ws.trial_curv);
        f = fnew;
        gnorm = gnew;
        if !exact_every_step {
            if slow && since_exact > 1 && gnorm > NO_REBUILD_WITHIN * thresh {
                have_inv = false;
            } else {
                ws.push_pair(dim);
            }
        }
    }
}

/// `ws.dir = -Hinv ws.grad`, where `Hinv` is the inverse of the Hessian whose
/// Cholesky factor is in `ws.mat2`, corrected by the BFGS pairs in `ws.pairs` (the
/// two-loop recursion around two triangular solves: the same as updating the dense
/// inverse pair by pair, for `O(d^2 + pairs * d)` per step instead of an `O(d^3)`
/// inverse per Hessian and `O(d^2)` per update).
fn quasi_newton_direction(ws: &mut Workspace, dim: usize) {
    let k = ws.rho.len();
    let (pairs, rho, dir) = (&ws.pairs, &ws.rho, &mut ws.dir);
    let pair = |i: usize| {
        let at = 2 * i * dim;
        (&pairs[at..at + dim], &pairs[at + dim..at + 2 * dim])
    };
    dir.copy_from_slice(&ws.grad);
    ws.alpha.clear();
    ws.alpha.resize(k, 0.0);
    for i in (0..k).rev() {
        let (s, y) = pair(i);
        let a = rho[i] * dotv(s, dir);
        ws.alpha[i] = a;
        for (q, &yv) in dir.iter_mut().zip(y) {
            *q -= a * yv;
        }
    }
    cholesky_solve(&ws.mat2, dim, dir);
    for (i, &a) in ws.alpha.iter().enumerate() {
        let (s, y) = pair(i);
        let c = a - rho[i] * dotv(y, dir);
        for (r, &sv) in dir.iter_mut().zip(s) {
            *r += c * sv;
        }
    }
    dir.iter_mut().for_each(|v| *v = -*v);
}

/// Solves `U^T U x = b` in place (`U` upper triangular, row-major `n x n`): `U^T z =
/// b` forward, then `U x = z` backward, both along rows.
fn cholesky_solve(u: &[f64], n: usize, b: &mut [f64]) {
    for i in 0..n {
        let zi = b[i] / u[i * n + i];
        b[i] = zi;
        if zi != 0.0 {
            for (bj, &uij) in b[i + 1..n].iter_mut().zip(&u[i * n + i + 1..i * n + n]) {
                *bj -= uij * zi;
            }
        }
    }
    for i in (0..n).rev() {
        let s = dot4(&u[i * n + i + 1..i * n + n], &b[i + 1..n]);
        b[i] = (b[i] - s) / u[i * n + i];
    }
}

/// Builds the Hessian at the current point (curvatures in `ws.curv`; every
/// `step`-th row, see [`Problem::hessian`]) and writes its Cholesky factor into
/// `ws.mat2` (the BFGS pairs start afresh).
///
/// A Hessian that is an estimate anyway — sampled (`step > 1`, errors around 10 %),
/// or on a warm-start level, whose fit only needs to land near the optimum — is
/// summed in single precision (relative errors around 1e-7: far below either). The
/// full data's rebuilds, and every Hessian of [`Strategy::Newton`], stay in double
/// precision, so the last steps converge as fast as ever. Eight `f32` lanes to a
/// register instead of four `f64` make the estimates cheaper (measured by
/// `bench/fit_vs_sklearn.py`'s wa_churn and dense 20k).
fn fresh_inverse(p: &Problem<'_>, ws: &mut Workspace, step: usize) -> Result<()> {
    let dim = p.dim;
    ws.rho.clear();
    let single = step > 1 || p.stride > 1;
    p.hessian(&ws.curv, &mut ws.mat2, step, single);
    if !cholesky_upper(&mut ws.mat2, dim) {
        // Rounding can make a nearly singular intercept block indefinite: retry in
        // double precision with a small ridge.
        p.hessian(&ws.curv, &mut ws.mat2, step, false);
        let bump = 1e-10 * (0..dim).map(|j| ws.mat2[j * dim + j]).fold(1.0, f64::max);
        for j in 0..dim {
            ws.mat2[j * dim + j] += bump;
        }
        if !cholesky_upper(&mut ws.mat2, dim) {
            return Err(Error::Training(
                "the Hessian is not positive definite".into(),
            ));
        }
    }
    Ok(())
}

/// Limited-memory BFGS with the Armijo line search.
fn run_lbfgs(p: &Problem<'_>, cfg: &SolverConfig, ws: &mut Workspace) -> Result<Solution> {
    let dim = p.dim;
    let thresh = cfg.tol * p.scale;
    let mut f = p.eval(&ws.theta, &mut ws.grad, &mut ws.curv, &mut ws.spare);
    check_finite(f, &ws.grad).map_err(|e| p.non_finite_input().unwrap_or(e))?;
    let mut gnorm = max_abs(&ws.grad);
    // Pairs (s_k, y_k) in a ring: s at mat[2k*dim..], y at mat[(2k+1)*dim..].
    let mut rho = [0.0; LBFGS_M];
    let mut count = 0usize;
    let mut head = 0usize;
    let mut gamma = 1.0 / ws.grad.iter().map(|g| g * g).sum::<f64>().sqrt().max(1.0);
    let mut it = 0;
    let mut restarted = false;
    loop {
        if gnorm <= thresh {
            return Ok(solution(p, &ws.theta, f, gnorm / p.scale, it, true));
        }
        if it >= cfg.max_iter {
            return Ok(solution(p, &ws.theta, f, gnorm / p.scale, it, false));
        }
        // Two-loop recursion: dir = -H g.
        ws.dir.copy_from_slice(&ws.grad);
        let alphas = &mut ws.tmp[..LBFGS_M];
        for k in 0..count {
            let slot = (head + LBFGS_M - 1 - k) % LBFGS_M;
            let s = &ws.mat[2 * slot * dim..(2 * slot + 1) * dim];
            let y = &ws.mat[(2 * slot + 1) * dim..(2 * slot + 2) * dim];
            let a = rho[slot] * dotv(s, &ws.dir);
            alphas[slot] = a;
            for (dv, &yv) in ws.dir.iter_mut().zip(y) {
                *dv -= a * yv;
            }
        }
        ws.dir.iter_mut().for_each(|v| *v *= gamma);
        for k in (0..count).rev() {
            let slot = (head + LBFGS_M - 1 - k) % LBFGS_M;
            let s = &ws.mat[2 * slot * dim..(2 * slot + 1) * dim];
            let y = &ws.mat[(2 * slot + 1) * dim..(2 * slot + 2) * dim];
            let bcoef = rho[slot] * dotv(y, &ws.dir);
            let a = alphas[slot];
            for (dv, &sv) in ws.dir.iter_mut().zip(s) {
                *dv += (a - bcoef) * sv;
            }
        }
        ws.dir.iter_mut().for_each(|v| *v = -*v);
        let fnew = match line_search(p, ws, f)? {
            Search::Step(fnew) => fnew,
            Search::Failed if !restarted && count > 0 => {
                // Drop the memory and retry along the scaled steepest descent.
                count = 0;
                restarted = true;
                continue;
            }
            Search::Failed => {
                return Ok(solution(p, &ws.theta, f, gnorm / p.scale, it, false));
            }
        };
        restarted = false;
        it += 1;
        let slot = head;
        {
            let (sy_part, _) = ws.mat.split_at_mut((2 * slot + 2) * dim);
            let (s, y) = sy_part[2 * slot * dim..].split_at_mut(dim);
            for k in 0..dim {
                s[k] = ws.trial[k] - ws.theta[k];
                y[k] = ws.trial_grad[k] - ws.grad[k];
            }
            let sy = dotv(s, y);
            let yy = dotv(y, y);
            if sy > 1e-12 * yy.sqrt() * dotv(s, s).sqrt() {
                rho[slot] = 1.0 / sy;
                gamma = sy / yy;
                head = (head + 1) % LBFGS_M;
                count = (count + 1).min(LBFGS_M);
            }
        }
        std::mem::swap(&mut ws.theta, &mut ws.trial);
        std::mem::swap(&mut ws.grad, &mut ws.trial_grad);
        std::mem::swap(&mut ws.curv, &mut ws.trial_curv);
        f = fnew;
        gnorm = max_abs(&ws.grad);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use crate::rng::Rng;

    /// A dense synthetic problem: `n x d` standard normals, labels from a known model.
    fn synth(n: usize, d: usize, seed: u64) -> (Features, Vec<f64>) {
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
    fn naive(x: &Features, y: &[f64], sw: Option<&[f64]>, c: f64, sol: &Solution) -> (f64, f64) {
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

    fn assert_close(a: &[f64], b: &[f64], tol: f64) {
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(b) {
            assert!(
                (x - y).abs() <= tol * x.abs().max(y.abs()).max(1e-3),
                "{x} vs {y}"
            );
        }
    }

    #[test]
    fn exp_and_log1p_kernels_match_std() {
        let mut worst: f64 = 0.0;
        for k in 0..=200_000 {
            let x = -700.0 * k as f64 / 200_000.0;
            let (a, b) = (exp_nonpos(x), x.exp());
            worst = worst.max((a - b).abs() / b);
        }
        assert!(worst < 1e-15, "exp relative error {worst}");
        let mut worst: f64 = 0.0;
        for k in 0..=200_000 {
            let e = k as f64 / 200_000.0;
            let (a, b) = (log1p_unit(e), e.ln_1p());
            worst = worst.max(if b == 0.0 { a.abs() } else { (a - b).abs() / b });
        }
        assert!(worst < 1e-15, "log1p relative error {worst}");
        assert_eq!(exp_nonpos(0.0), 1.0);
        assert_eq!(log1p_unit(0.0), 0.0);
        assert!(exp_nonpos(-1e6) >= 0.0 && exp_nonpos(-1e6) < 1e-300);
    }

    #[test]
    fn equal_weights_sum_the_loss_by_a_product() {
        let mut rng = Rng::new(21);
        for m in [BLOCK, BLOCK - 1, 5, 3, 1] {
            // Margins of every size, the extremes included.
            let mut z: Vec<f64> = (0..m).map(|_| 6.0 * rng.normal()).collect();
            let extremes = [0.0, -0.0, 40.0, -40.0, 700.0, -700.0, 1e6, -1e6];
            for (zk, &v) in z.iter_mut().zip(&extremes) {
                *zk = v;
            }
            let y: Vec<f64> = (0..m)
                .map(|_| f64::from(u8::from(rng.bernoulli(0.4))))
                .collect();
            let c = 0.37;
            let cw = vec![c; m];
            let (mut r1, mut h1, mut l1) = (vec![0.0; m], vec![0.0; m], vec![0.0; m]);
            pointwise(&z, &cw, &y, &mut r1, &mut h1, &mut l1);
            let (mut r2, mut h2) = (vec![0.0; m], vec![0.0; m]);
            let (mut t1, mut t2) = (vec![0.0; m], vec![0.0; m]);
            let loss = pointwise_uniform(&z, c, &y, &mut r2, &mut h2, &mut t1, &mut t2);
            assert_eq!(r1, r2);
            assert_eq!(h1, h2);
            // The exact sum, term by term with the standard library.
            let exact: f64 = z
                .iter()
                .zip(&y)
                .map(|(&zk, &yk)| c * ((-zk.abs()).exp().ln_1p() + zk.max(0.0) - yk * zk))
                .sum();
            let bound = 1e-15 * (m as f64) * c + 1e-15 * exact.abs();
            assert!((loss - exact).abs() <= bound, "{m}: {loss} vs {exact}");
            assert!((sum4(&l1) - exact).abs() <= bound, "{m}");
        }
        assert_eq!(uniform_weight(&[2.0, 2.0, 2.0]), Some(2.0));
        assert_eq!(uniform_weight(&[2.0, 2.0, 1.0]), None);
        assert_eq!(uniform_weight(&[]), None);
        // Which problems take the product: none or equal sample weights, and their
        // subsamples; unequal weights do not.
        let (x, y) = synth(5_000, 4, 3);
        let cfg = SolverConfig::default();
        let none = Problem::new(Rows::Sparse(&x), &y, None, &cfg).unwrap();
        assert_eq!(none.uniform, Some(cfg.c));
        assert_eq!(none.subsample(4).unwrap().uniform, Some(cfg.c * 4.0));
        let twos = vec![2.0; y.len()];
        assert_eq!(
            Problem::new(Rows::Sparse(&x), &y, Some(&twos), &cfg)
                .unwrap()
                .uniform,
            Some(2.0 * cfg.c)
        );
        let mut some = twos.clone();
        some[7] = 1.0;
        let unequal = Problem::new(Rows::Sparse(&x), &y, Some(&some), &cfg).unwrap();
        assert_eq!(unequal.uniform, None);
        // The two sums fit the same problem the same way: weights of 2 with half the C
        // are the unweighted problem (by the product), and a weighted problem by
        // `log1p` reaches the optimum that the naive objective confirms.
        let half = SolverConfig {
            c: 0.5 * cfg.c,
            ..cfg.clone()
        };
        let a = fit_logistic(&x, &y, None, &cfg).unwrap();
        let b = fit_logistic(&x, &y, Some(&twos), &half).unwrap();
        assert_eq!(a.coef, b.coef);
        assert_eq!(a.objective.to_bits(), b.objective.to_bits());
        let (f, _) = naive(&x, &y, None, cfg.c, &a);
        assert!(
            (f - a.objective).abs() <= 1e-12 * f,
            "{f} vs {}",
            a.objective
        );
        let u = fit_logistic(&x, &y, Some(&some), &cfg).unwrap();
        let (fu, gu) = naive(&x, &y, Some(&some), cfg.c, &u);
        assert!(u.converged && gu <= 1e-7, "{gu}");
        assert!((fu - u.objective).abs() <= 1e-12 * fu);
    }

    /// Rows like a pipeline's output: three numbers in every row, a fourth in most,
    /// a one-hot level of eight and a flag in some.
    fn mixed(n: usize, seed: u64) -> (Features, Vec<f64>, Vec<f64>) {
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

    #[test]
    fn split_and_row_layouts_agree() {
        let (x, y, w) = mixed(1500, 5);
        let sp = Split::choose(&x).expect("a split layout");
        assert_eq!(sp.cols, vec![0, 1, 2, 3]);
        let d = x.n_cols();
        let p = Problem::new(Rows::Split(sp, d), &y, Some(&w), &SolverConfig::default()).unwrap();
        let from_rows = Dense::from_rows(&x).unwrap();
        assert_eq!(from_rows.vals(), x.to_dense());
        let theta: Vec<f64> = (0..p.dim).map(|j| 0.1 * j as f64 - 0.3).collect();
        for k in [1, 4] {
            let a = p.subsample(k).unwrap();
            assert!(matches!(a.rows, Rows::Split(..)));
            // The same rows as sparse rows, and as dense rows.
            let rows = Problem {
                rows: Rows::Sparse(&x),
                ..p.subsample(k).unwrap()
            };
            let dense = Problem {
                rows: Rows::Dense(Dense::Borrowed(from_rows.vals()), d),
                ..p.subsample(k).unwrap()
            };
            let given = Problem::new(
                Rows::Dense(Dense::Owned(Scratch::from_slice(from_rows.vals())), d),
                &y,
                Some(&w),
                &SolverConfig::default(),
            )
            .unwrap();
            let given = given.subsample(k).unwrap();
            let n = a.cw.len();
            let (mut g1, mut c1) = (vec![0.0; p.dim], vec![0.0; n]);
            let mut spare = vec![0.0; 3 * p.d];
            let f1 = a.eval(&theta, &mut g1, &mut c1, &mut spare);
            for b in [&rows, &dense, &given] {
                let (mut g2, mut c2) = (vec![0.0; p.dim], vec![0.0; n]);
                let f2 = b.eval(&theta, &mut g2, &mut c2, &mut spare);
                assert!((f1 - f2).abs() <= 1e-12 * f1.abs(), "{f1} vs {f2}");
                assert_close(&g1, &g2, 1e-10);
                assert_close(&c1, &c2, 1e-12);
                for tiled in [false, true] {
                    let (mut h1, mut h2) = (vec![0.0; p.dim * p.dim], vec![0.0; p.dim * p.dim]);
                    a.hessian_as(&c1, &mut h1, tiled, 1, false);
                    b.hessian_as(&c1, &mut h2, tiled, 1, false);
                    assert_close(&h1, &h2, 1e-10);
                }
            }
        }
        // And the fits agree with the plain definition of the optimum.
        let cfg = SolverConfig::default();
        let sol = fit_logistic(&x, &y, Some(&w), &cfg).unwrap();
        assert!(sol.converged);
        let (f, g) = naive(&x, &y, Some(&w), cfg.c, &sol);
        assert!(g < 1e-7, "naive gradient {g}");
        assert!((f - sol.objective).abs() < 1e-9 * f);
    }

    /// `n` rows of four one-hot entries among 300 columns.
    fn wide_sparse(n: u32) -> (Features, Vec<f64>) {
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

    /// The tiled Hessian equals the scattered one (up to the order of its sums) on
    /// both layouts, dense and sparse rows, subsamples, zero-weight rows, with and
    /// without an intercept, for widths that do and do not fill whole tiles (and to
    /// single precision's rounding when summed in `f32`); and it is chosen for narrow
    /// models only.
    #[test]
    fn tiled_and_scattered_hessians_agree() {
        let (x, y, w) = mixed(1300, 11);
        let (xd, yd) = synth(900, 9, 3);
        let (xw, yw) = synth(400, 24, 5);
        // 21 or 20 parameters: single precision's 16-column tiles end with an 8-wide
        // one (or not).
        let (xm, ym) = synth(300, 20, 6);
        for fit_intercept in [true, false] {
            let cfg = SolverConfig {
                fit_intercept,
                ..SolverConfig::default()
            };
            let sp = Split::choose(&x).expect("a split layout");
            let split = Problem::new(Rows::Split(sp, x.n_cols()), &y, Some(&w), &cfg).unwrap();
            let rows = Problem::new(Rows::Sparse(&x), &y, Some(&w), &cfg).unwrap();
            let dense = Problem::new(Rows::Sparse(&xd), &yd, None, &cfg).unwrap();
            let wide = Problem::new(Rows::Sparse(&xw), &yw, None, &cfg).unwrap();
            let mid = Problem::new(Rows::Sparse(&xm), &ym, None, &cfg).unwrap();
            let subs = [split.subsample(4).unwrap(), rows.subsample(3).unwrap()];
            assert!(
                dense.tiled() && wide.tiled(),
                "narrow dense models are tiled"
            );
            for p in [&split, &rows, &dense, &wide, &mid, &subs[0], &subs[1]] {
                let theta: Vec<f64> = (0..p.dim).map(|j| 0.05 * j as f64 - 0.3).collect();
                let n = p.cw.len();
                let (mut g, mut c) = (vec![0.0; p.dim], vec![0.0; n]);
                let mut spare = vec![0.0; 3 * p.d];
                p.eval(&theta, &mut g, &mut c, &mut spare);
                let (mut h1, mut h2) = (vec![0.0; p.dim * p.dim], vec![0.0; p.dim * p.dim]);
                p.hessian_as(&c, &mut h1, true, 1, false);
                p.hessian_as(&c, &mut h2, false, 1, false);
                assert_close(&h1, &h2, 1e-12);
                // In single precision: the same to about 1e-7 of the largest entry.
                let mut h3 = vec![0.0; p.dim * p.dim];
                for step in [1, 3] {
                    p.hessian_as(&c, &mut h1, true, step, false);
                    p.hessian_as(&c, &mut h3, true, step, true);
                    let scale = h1.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                    for (a, b) in h1.iter().zip(&h3) {
                        assert!((a - b).abs() <= 1e-6 * scale, "{a} vs {b} (step {step})");
                    }
                }
                // Only the upper triangle is written.
                for h in [&h1, &h3] {
                    for i in 0..p.dim {
                        for j in 0..i {
                            assert_eq!(h[i * p.dim + j], 0.0);
                        }
                    }
                }
            }
        }
        // Wide and sparse: scattered updates.
        let (xs, ys) = wide_sparse(500);
        let sparse = Problem::new(Rows::Sparse(&xs), &ys, None, &SolverConfig::default()).unwrap();
        assert!(!sparse.tiled());
    }

    /// Fits whose Hessian estimates are summed in single precision (warm-start levels,
    /// sampled Hessians) still reach the optimum when the Hessian is badly conditioned:
    /// every column twice (the copy a thousand times larger), one-hot-like collinear
    /// columns, and a penalty a thousand times weaker than the default.
    #[test]
    fn single_precision_estimates_reach_ill_conditioned_optima() {
        let (n, d) = (20_000usize, 5usize);
        let (x0, y) = synth(n, d, 12);
        let v = x0.values();
        let mut data = Vec::with_capacity(n * (2 * d + 3));
        for i in 0..n {
            let row = &v[i * d..(i + 1) * d];
            data.extend_from_slice(row);
            data.extend(row.iter().map(|a| 1000.0 * a));
            // Three levels of a category, one-hot: they sum to the intercept's column.
            data.extend((0..3).map(|k| f64::from(u8::from(i % 3 == k))));
        }
        let x = Features::from_dense(2 * d + 3, &data);
        let cfg = SolverConfig {
            c: 1000.0,
            ..SolverConfig::default()
        };
        let auto = fit_logistic(&x, &y, None, &cfg).unwrap();
        let newton = fit_with(&x, &y, None, &cfg, Strategy::Newton).unwrap();
        assert!(auto.converged && newton.converged);
        assert!(auto.grad_norm <= cfg.tol);
        let (f, g) = naive(&x, &y, None, cfg.c, &auto);
        assert!(g < 1e-7, "naive gradient {g}");
        assert!(
            (f - newton.objective).abs() <= 1e-12 * f,
            "{f} vs {}",
            newton.objective
        );
        // The same coefficients, to 1e-6 of the largest: along the nearly flat
        // directions the gradient's tolerance pins them only so far (the copies'
        // tiny coefficients differ by about 1e-8 between the two solvers).
        let big = newton.coef.iter().fold(0.0f64, |m, c| m.max(c.abs()));
        for (a, b) in auto.coef.iter().zip(&newton.coef) {
            assert!((a - b).abs() <= 1e-6 * big, "{a} vs {b}");
        }
    }

    /// A sampled Hessian is the Hessian of every `step`-th row with its curvature
    /// times `step` (bit for bit), is used on warm-started levels of narrow models only,
    /// and the fit that uses it reaches the exact-Newton optimum.
    #[test]
    fn sampled_hessian_is_every_kth_row_scaled() {
        let (x, y, w) = mixed(1300, 17);
        let sp = Split::choose(&x).expect("a split layout");
        let cfg = SolverConfig::default();
        let split = Problem::new(Rows::Split(sp, x.n_cols()), &y, Some(&w), &cfg).unwrap();
        let rows = Problem::new(Rows::Sparse(&x), &y, Some(&w), &cfg).unwrap();
        for p in [&split, &rows] {
            let theta: Vec<f64> = (0..p.dim).map(|j| 0.04 * j as f64 - 0.2).collect();
            let n = p.cw.len();
            let (mut g, mut c) = (vec![0.0; p.dim], vec![0.0; n]);
            let mut spare = vec![0.0; 3 * p.d];
            p.eval(&theta, &mut g, &mut c, &mut spare);
            for step in [2, 3, 4] {
                let every: Vec<f64> = c
                    .iter()
                    .enumerate()
                    .map(|(i, &ci)| if i % step == 0 { ci * step as f64 } else { 0.0 })
                    .collect();
                let (mut h1, mut h2) = (vec![0.0; p.dim * p.dim], vec![0.0; p.dim * p.dim]);
                p.hessian_as(&c, &mut h1, true, step, false);
                p.hessian_as(&every, &mut h2, true, 1, false);
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&h1), bits(&h2));
            }
        }
        // Rows per parameter decide the step; very sparse wide rows are never sampled.
        let (xd, yd) = synth(20_000, 5, 4);
        let big = Problem::new(Rows::Sparse(&xd), &yd, None, &cfg).unwrap();
        assert_eq!(big.sampled_step(), MAX_HESSIAN_STEP);
        assert_eq!(big.subsample(16).unwrap().sampled_step(), 4);
        let small = big.subsample(100).unwrap();
        assert_eq!(small.sampled_step(), 1, "200 rows for 6 parameters");
        let (xs, ys) = wide_sparse(20_000);
        let sparse = Problem::new(Rows::Sparse(&xs), &ys, None, &cfg).unwrap();
        assert_eq!(sparse.sampled_step(), 1);
        // The fit (warm start, sampled first Hessian) lands on the exact-Newton optimum.
        let auto = fit_logistic(&xd, &yd, None, &cfg).unwrap();
        let newton = fit_with(&xd, &yd, None, &cfg, Strategy::Newton).unwrap();
        assert!(auto.converged && newton.converged);
        assert_close(&auto.coef, &newton.coef, 1e-6);
    }

    /// The passes the CPU's best instruction set runs (AVX2 where there is one) give
    /// the same bits as the baseline build of the same code, on both layouts, dense
    /// and sparse rows.
    #[test]
    fn dispatched_passes_match_the_baseline_bit_for_bit() {
        use pulp::WithSimd;
        let (x, y, w) = mixed(1500, 7);
        let (xd, yd) = synth(700, 9, 8);
        let sp = Split::choose(&x).expect("a split layout");
        let cfg = SolverConfig::default();
        let split = Problem::new(Rows::Split(sp, x.n_cols()), &y, Some(&w), &cfg).unwrap();
        let copied = Problem::new(Rows::Sparse(&x), &y, Some(&w), &cfg).unwrap();
        assert!(matches!(copied.rows, Rows::Dense(Dense::Owned(_), _)));
        let rows = Problem {
            rows: Rows::Sparse(&x),
            ..Problem::new(Rows::Sparse(&x), &y, Some(&w), &cfg).unwrap()
        };
        let dense = Problem::new(Rows::Sparse(&xd), &yd, None, &cfg).unwrap();
        assert!(matches!(dense.rows, Rows::Dense(Dense::Borrowed(_), _)));
        let full_rows = Problem {
            rows: Rows::Sparse(&xd),
            ..Problem::new(Rows::Sparse(&xd), &yd, None, &cfg).unwrap()
        };
        for p in [&split, &copied, &rows, &dense, &full_rows] {
            let theta: Vec<f64> = (0..p.dim).map(|j| 0.07 * j as f64 - 0.2).collect();
            let n = p.cw.len();
            let (mut g1, mut g2) = (vec![0.0; p.dim], vec![0.0; p.dim]);
            let (mut c1, mut c2) = (vec![0.0; n], vec![0.0; n]);
            let (mut s1, mut s2) = (vec![0.0; 3 * p.d], vec![0.0; 3 * p.d]);
            let f1 = p.eval(&theta, &mut g1, &mut c1, &mut s1);
            let f2 = Eval {
                p,
                theta: &theta,
                grad: &mut g2,
                curv: &mut c2,
                spare: &mut s2,
            }
            .with_simd(pulp::Scalar::new());
            assert_eq!(f1.to_bits(), f2.to_bits());
            let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&g1), bits(&g2));
            assert_eq!(bits(&c1), bits(&c2));
            for (tiled, single) in [(false, false), (true, false), (true, true)] {
                let (mut h1, mut h2) = (vec![0.0; p.dim * p.dim], vec![0.0; p.dim * p.dim]);
                p.hessian_as(&c1, &mut h1, tiled, 3, single);
                Hessian {
                    p,
                    curv: &c1,
                    h: &mut h2,
                    tiled,
                    step: 3,
                    single,
                }
                .with_simd(pulp::Scalar::new());
                assert_eq!(bits(&h1), bits(&h2), "tiled {tiled}, single {single}");
            }
        }
    }

    /// A random n × n symmetric positive definite matrix: `A^T A + I`.
    fn random_spd(rng: &mut Rng, n: usize) -> Vec<f64> {
        let a: Vec<f64> = (0..n * n).map(|_| rng.normal()).collect();
        let mut h = vec![0.0; n * n];
        for i in 0..n {
            for j in 0..n {
                h[i * n + j] = (0..n).map(|k| a[k * n + i] * a[k * n + j]).sum::<f64>()
                    + f64::from(u8::from(i == j));
            }
        }
        h
    }

    #[test]
    fn cholesky_inverse_inverts() {
        let mut rng = Rng::new(9);
        for n in [1usize, 2, 5, 13, 42] {
            let h = random_spd(&mut rng, n);
            let mut u = h.clone();
            assert!(cholesky_upper(&mut u, n));
            let (mut inv, mut tmp) = (vec![0.0; n * n], vec![0.0; n * n]);
            inverse_from_cholesky(&u, n, &mut inv, &mut tmp);
            for i in 0..n {
                for j in 0..n {
                    let e: f64 = (0..n).map(|k| h[i * n + k] * inv[k * n + j]).sum();
                    let want = f64::from(u8::from(i == j));
                    assert!((e - want).abs() < 1e-9, "n {n}: (H H^-1)[{i}][{j}] = {e}");
                }
            }
        }
    }

    /// The trace of the inverse from the factor, and solves with it, agree with the
    /// explicit inverse.
    #[test]
    fn inverse_trace_and_solves_agree_with_the_inverse() {
        let mut rng = Rng::new(5);
        for n in [1usize, 3, 17, 40] {
            let h = random_spd(&mut rng, n);
            let mut u = h.clone();
            assert!(cholesky_upper(&mut u, n));
            let (mut inv, mut tmp) = (vec![0.0; n * n], vec![0.0; n * n]);
            inverse_from_cholesky(&u, n, &mut inv, &mut tmp);
            for m in [0, n / 2, n] {
                let want: f64 = (0..m).map(|j| inv[j * n + j]).sum();
                let got = inverse_trace(&u, n, m, &mut tmp);
                assert!(
                    (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                    "{got} vs {want}"
                );
            }
            let b: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
            let mut x = b.clone();
            cholesky_solve(&u, n, &mut x);
            for i in 0..n {
                let want: f64 = (0..n).map(|k| inv[i * n + k] * b[k]).sum();
                assert!((x[i] - want).abs() <= 1e-9 * want.abs().max(1.0));
            }
        }
    }

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

    #[test]
    fn row_dots_do_not_depend_on_their_neighbours() {
        let mut rng = Rng::new(3);
        for d in 0..12 {
            let rows: Vec<Vec<f64>> = (0..4)
                .map(|_| (0..d).map(|_| rng.normal()).collect())
                .collect();
            let w: Vec<f64> = (0..d).map(|_| rng.normal()).collect();
            let x = [0, 1, 2, 3].map(|r| rows[r].as_slice());
            let scalar = dot_rows(pulp::Scalar::new(), x, &w);
            let eight = dot_rows(
                pulp::Scalar::new(),
                [x[0], x[1], x[2], x[3], x[3], x[2], x[1], x[0]],
                &w,
            );
            assert_eq!(
                scalar.map(f64::to_bits),
                eight[..4].iter().map(|v| v.to_bits()).collect::<Vec<_>>()[..]
            );
            for (r, row) in rows.iter().enumerate() {
                let alone = dot_rows(pulp::Scalar::new(), [row.as_slice()], &w)[0];
                assert_eq!(scalar[r].to_bits(), alone.to_bits());
                let plain: f64 = row.iter().zip(&w).map(|(a, b)| a * b).sum();
                assert!((scalar[r] - plain).abs() <= 1e-12 * (1.0 + plain.abs()));
            }
            #[cfg(target_arch = "x86_64")]
            if let Some(v3) = pulp::x86::V3::try_new() {
                let vec = v3.vectorize(|| dot_rows(v3, x, &w));
                assert_eq!(scalar.map(f64::to_bits), vec.map(f64::to_bits));
            }
        }
    }

    #[test]
    fn each_matrix_gets_its_layout() {
        let (x, _) = synth(300, 6, 4);
        assert!(Split::choose(&x).is_none());
        // A caller's matrix is never split (that would copy it).
        let (xm, ym, _) = mixed(200, 1);
        let rows = Problem::new(Rows::Sparse(&xm), &ym, None, &SolverConfig::default()).unwrap();
        assert!(!matches!(rows.rows, Rows::Split(..)));
        // Which matrices run as dense rows: full ones (borrowed), dense enough ones
        // (copied), not very sparse ones; a split only when its sparse part is dense
        // enough.
        let cfg = SolverConfig::default();
        let (xd, yd) = synth(300, 6, 4);
        let full = Problem::new(Rows::Sparse(&xd), &yd, None, &cfg).unwrap();
        assert!(matches!(full.rows, Rows::Dense(Dense::Borrowed(v), _) if v == xd.values()));
        assert!(matches!(
            Problem::new(Rows::Sparse(&xm), &ym, None, &cfg)
                .unwrap()
                .rows,
            Rows::Dense(Dense::Owned(_), _)
        ));
        let (xw, yw) = wide_sparse(2_000);
        let sparse = Problem::new(Rows::Sparse(&xw), &yw, None, &cfg).unwrap();
        assert!(matches!(sparse.rows, Rows::Sparse(_)));
        let dm = xm.n_cols();
        let sp = Split::choose(&xm).unwrap();
        let kept = Problem::new(Rows::Split(sp, dm), &ym, None, &cfg).unwrap();
        assert!(matches!(kept.rows, Rows::Split(..)));
        // The trainer's dense rows (the pipeline writes them when they pay).
        let dense = Scratch::from_slice(&xm.to_dense());
        let given = Problem::new(Rows::Dense(Dense::Owned(dense), dm), &ym, None, &cfg).unwrap();
        assert!(matches!(given.rows, Rows::Dense(Dense::Owned(_), _)));
        assert!(given.tiled() && given.subsample(4).unwrap().tiled());
        // When dense rows pay: `design::dense`'s tests.
        let short = Scratch::from_slice(&xm.to_dense()[1..]);
        let e = Problem::new(Rows::Dense(Dense::Owned(short), dm), &ym, None, &cfg)
            .err()
            .unwrap();
        assert!(e.to_string().contains("inconsistent"), "{e}");
        let mut bad = xm.to_dense();
        bad[2 * xm.n_cols() + 5] = f64::NEG_INFINITY;
        let e = Problem::new(
            Rows::Dense(Dense::Owned(Scratch::from_slice(&bad)), dm),
            &ym,
            None,
            &cfg,
        )
        .err()
        .unwrap();
        assert!(
            e.to_string()
                .contains("row 2, column 5 holds a non-finite value (-inf)"),
            "{e}"
        );
        // One-hot only: no column is in half the rows.
        let mut xs = Features::new(8);
        for i in 0..400u32 {
            xs.push(i % 8, 1.0);
            xs.end_row();
        }
        assert!(Split::choose(&xs).is_none());
    }

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
    fn input_errors_are_invalid_input() {
        let (x, y) = synth(50, 3, 5);
        let cfg = SolverConfig::default();
        let ones = vec![1.0; 50];
        let check = |r: Result<Solution>, needle: &str| {
            let e = r.expect_err(needle);
            assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
            let msg = e.to_string();
            assert!(msg.contains(needle), "{msg:?} lacks {needle:?}");
            assert!(!msg.contains('\n'));
        };
        check(fit_logistic(&x, &y[..49], None, &cfg), "labels");
        check(
            fit_logistic(&x, &y, Some(&ones[..10]), &cfg),
            "sample_weight",
        );
        let mut w = ones.clone();
        w[3] = -1.0;
        check(fit_logistic(&x, &y, Some(&w), &cfg), "sample_weight[3]");
        w[3] = f64::NAN;
        check(fit_logistic(&x, &y, Some(&w), &cfg), "sample_weight[3]");
        w[3] = f64::INFINITY;
        check(fit_logistic(&x, &y, Some(&w), &cfg), "sample_weight[3]");
        check(fit_logistic(&x, &y, Some(&[0.0; 50]), &cfg), "all zero");
        let mut bad_y = y.clone();
        bad_y[7] = 2.0;
        check(fit_logistic(&x, &bad_y, None, &cfg), "y[7]");
        bad_y[7] = f64::NAN;
        check(fit_logistic(&x, &bad_y, None, &cfg), "y[7]");
        check(fit_logistic(&x, &[1.0; 50], None, &cfg), "single class");
        for c in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            check(
                fit_logistic(&x, &y, None, &SolverConfig { c, ..cfg.clone() }),
                "C must",
            );
        }
        check(
            fit_logistic(
                &x,
                &y,
                None,
                &SolverConfig {
                    tol: -1.0,
                    ..cfg.clone()
                },
            ),
            "tol",
        );
        let mut dense = x.to_dense();
        dense[3 * 3 + 1] = f64::INFINITY;
        let xi = Features::from_dense(3, &dense);
        check(fit_logistic(&xi, &y, None, &cfg), "row 3, column 1");
        dense[3 * 3 + 1] = f64::NAN;
        let xn = Features::from_dense(3, &dense);
        check(fit_logistic(&xn, &y, None, &cfg), "non-finite");
        check(fit_logistic(&Features::new(3), &[], None, &cfg), "no rows");
        // A full matrix's values are looked at only when a pass turns non-finite: a
        // bad value outside the warm start's rows is found on the full data.
        let (xb, yb) = synth(5_000, 3, 6);
        for v in [f64::INFINITY, f64::NAN] {
            let mut big = xb.to_dense();
            big[4_001 * 3 + 2] = v;
            let xv = Features::from_dense(3, &big);
            assert!(Problem::new(Rows::Sparse(&xv), &yb, None, &cfg)
                .unwrap()
                .unchecked
                .is_some());
            check(
                fit_logistic(&xv, &yb, None, &cfg),
                "x row 4001, column 2 holds a non-finite",
            );
        }
        let mut wrong = Features::new(2);
        wrong.push(5, 1.0);
        wrong.end_row();
        wrong.push(0, 1.0);
        wrong.end_row();
        check(
            fit_logistic(&wrong, &[0.0, 1.0], None, &cfg),
            "column index 5",
        );
        let mut unordered = Features::new(2);
        unordered.push(1, 1.0);
        unordered.push(0, 1.0);
        unordered.end_row();
        unordered.push(0, 1.0);
        unordered.end_row();
        check(
            fit_logistic(&unordered, &[0.0, 1.0], None, &cfg),
            "out of order",
        );
        // The same faults in a matrix copied dense (checked while copied) and in one
        // too sparse for that (checked on its own).
        for d in [2u32, 300] {
            let build = |row0: &[(u32, f64)]| {
                let mut m = Features::new(d as usize);
                for &(j, v) in row0 {
                    m.push(j, v);
                }
                m.end_row();
                m.push(0, 1.0);
                m.push(1, 1.0);
                m.end_row();
                m
            };
            let y2 = [0.0, 1.0];
            let nan = build(&[(0, f64::NAN)]);
            let good = build(&[(0, 1.0)]);
            let copied = Problem::new(Rows::Sparse(&good), &y2, None, &cfg).unwrap();
            assert_eq!(matches!(copied.rows, Rows::Dense(..)), d == 2);
            check(
                fit_logistic(&nan, &y2, None, &cfg),
                "row 0, column 0 holds a non-finite",
            );
            let far = build(&[(d + 3, 1.0)]);
            check(
                fit_logistic(&far, &y2, None, &cfg),
                &format!("column index {}", d + 3),
            );
            let back = build(&[(1, 1.0), (1, 2.0)]);
            check(
                fit_logistic(&back, &y2, None, &cfg),
                "row 0 has column indices out of order",
            );
        }
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
    fn rows_built_full_skip_the_index_check_and_fit_the_same() {
        // Enough rows for the warm start and the sampled Hessian (every path).
        let (xd, y) = synth(5_000, 7, 12);
        assert!(xd.known_full());
        let mut xp = Features::new(7);
        for (i, row) in xd.values().chunks_exact(7).enumerate() {
            for (j, &v) in row.iter().enumerate() {
                xp.push(j as u32, v);
            }
            xp.end_row();
            assert!(!xp.known_full(), "row {i}");
        }
        assert_eq!(xp, xd, "equal entries are equal matrices");
        assert!(xd.take_rows(&[3, 1]).known_full() && !xp.take_rows(&[3, 1]).known_full());
        let mut grown = xd.clone();
        grown.push(0, 1.0);
        grown.end_row();
        assert!(!grown.known_full());
        let cfg = SolverConfig::default();
        let a = fit_logistic(&xd, &y, None, &cfg).unwrap();
        let b = fit_logistic(&xp, &y, None, &cfg).unwrap();
        // Unit weights given explicitly take the weighted path to the same problem.
        let ones = vec![1.0; y.len()];
        let c = fit_logistic(&xd, &y, Some(&ones), &cfg).unwrap();
        assert!(a.converged);
        for s in [&b, &c] {
            assert_eq!(a.coef, s.coef);
            assert_eq!(a.intercept.to_bits(), s.intercept.to_bits());
            assert_eq!(a.iterations, s.iterations);
        }
        // A full matrix built by pushes is still checked: columns out of order.
        let mut swapped = Features::new(2);
        for i in 0..10 {
            let v = f64::from(i);
            if i == 6 {
                swapped.push(1, v);
                swapped.push(0, v);
            } else {
                swapped.push(0, v);
                swapped.push(1, v);
            }
            swapped.end_row();
        }
        let y10: Vec<f64> = (0..10).map(|i| f64::from(i % 2)).collect();
        let e = fit_logistic(&swapped, &y10, None, &cfg).unwrap_err();
        assert!(
            e.to_string()
                .contains("row 6 has column indices out of order"),
            "{e}"
        );
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

    #[test]
    fn wide_inputs_use_lbfgs() {
        let mut x = Features::new(5000);
        for i in 0..20u32 {
            x.push(i, 1.0);
            x.push(100 + i, 1.0);
            x.end_row();
        }
        let y: Vec<f64> = (0..20).map(|i| f64::from(i % 2)).collect();
        let cfg = SolverConfig::default();
        let p = Problem::new(Rows::Sparse(&x), &y, None, &cfg).unwrap();
        assert_eq!(p.choose(), Strategy::Lbfgs);
        let sol = fit_logistic(&x, &y, None, &cfg).unwrap();
        assert!(sol.converged, "{sol:?}");
        let (small, _) = synth(100, 5, 1);
        let ys: Vec<f64> = (0..100).map(|i| f64::from(i % 2)).collect();
        let p = Problem::new(Rows::Sparse(&small), &ys, None, &cfg).unwrap();
        assert_eq!(p.choose(), Strategy::Hybrid);
    }
}
