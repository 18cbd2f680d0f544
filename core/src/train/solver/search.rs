//! What every iteration shares: the buffers of a fit, the Armijo line search, and
//! the solution at a point.

use super::lbfgs::LBFGS_M;
use super::linalg::dotv;
use super::problem::Problem;
use super::{Solution, Strategy};
use crate::design::Scratch;
use crate::error::{Error, Result};

/// Widest input whose sparse gradient is spread over four copies.
const MAX_SPREAD_COLS: usize = 4096;

/// Armijo sufficient-decrease constant.
const ARMIJO: f64 = 1e-4;
/// Most trial points of one line search.
const MAX_LINE_SEARCH: usize = 40;

/// Buffers allocated once per call.
pub(super) struct Workspace {
    pub(super) theta: Vec<f64>,
    pub(super) grad: Vec<f64>,
    pub(super) trial: Vec<f64>,
    pub(super) trial_grad: Vec<f64>,
    pub(super) dir: Vec<f64>,
    pub(super) curv: Scratch<f64>,
    pub(super) trial_curv: Scratch<f64>,
    /// Dense `dim x dim` matrices (Newton) or L-BFGS pairs.
    pub(super) mat: Vec<f64>,
    pub(super) mat2: Vec<f64>,
    pub(super) mat3: Vec<f64>,
    pub(super) tmp: Vec<f64>,
    /// Extra gradient copies for sparse rows (see [`Problem::eval`]).
    pub(super) spare: Vec<f64>,
    /// Newton: the BFGS pairs since the last Hessian, `s_i` then `y_i` (`dim` each).
    pub(super) pairs: Vec<f64>,
    /// `1 / (y_i^T s_i)` of each pair.
    pub(super) rho: Vec<f64>,
    /// The two-loop recursion's coefficients.
    pub(super) alpha: Vec<f64>,
}

impl Workspace {
    pub(super) fn new(p: &Problem<'_>, strategy: Strategy) -> Self {
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
    pub(super) fn push_pair(&mut self, dim: usize) {
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

pub(super) fn check_finite(f: f64, g: &[f64]) -> Result<()> {
    if f.is_finite() && g.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(Error::Training(
            "the objective or its gradient became non-finite".into(),
        ))
    }
}

pub(super) fn solution(
    p: &Problem<'_>,
    theta: &[f64],
    f: f64,
    gnorm: f64,
    it: usize,
    ok: bool,
) -> Solution {
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
pub(super) enum Search {
    /// Accepted: the new objective (trial buffers hold the point and gradient).
    Step(f64),
    /// No acceptable step was found.
    Failed,
}

/// Backtracking Armijo search along `ws.dir` from `ws.theta`; on success the accepted
/// point, gradient and curvatures are in `ws.trial*`.
pub(super) fn line_search(p: &Problem<'_>, ws: &mut Workspace, f: f64) -> Result<Search> {
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
