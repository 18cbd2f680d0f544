//! Limited-memory BFGS, for models too wide for a dense Hessian.

use super::linalg::{dotv, max_abs};
use super::problem::Problem;
use super::search::{check_finite, line_search, solution, Search, Workspace};
use super::{Solution, SolverConfig};
use crate::error::Result;

/// L-BFGS memory.
pub(super) const LBFGS_M: usize = 10;

/// Limited-memory BFGS with the Armijo line search.
pub(super) fn run_lbfgs(
    p: &Problem<'_>,
    cfg: &SolverConfig,
    ws: &mut Workspace,
) -> Result<Solution> {
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
