//! Newton steps: the exact (or sampled) Hessian's factor with BFGS corrections
//! between rebuilds.

use super::linalg::{cholesky_solve, cholesky_upper, dotv, max_abs};
use super::problem::Problem;
use super::search::{check_finite, line_search, solution, Search, Workspace};
use super::{Solution, SolverConfig};
use crate::error::{Error, Result};

/// No Hessian rebuild for slow progress once the gradient is within this factor of
/// the tolerance: one or two more BFGS-corrected steps (a pass each) get there for less
/// than a Hessian costs. It counts on the warm-start levels, which stop at a loose
/// tolerance: a rebuild for a last step just above it costs more than it saves, and
/// the full data takes the same steps either way (measured by
/// `bench/fit_vs_sklearn.py`'s wa_churn and dense 20k, and `bench/mass_vs_sklearn.py`).
const NO_REBUILD_WITHIN: f64 = 10.0;

/// Newton steps from the exact Hessian; with `exact_every_step == false` the Hessian is
/// rebuilt only when progress slows (and the gradient is more than
/// [`NO_REBUILD_WITHIN`] times the tolerance) and BFGS-corrected in between. From a
/// `warm` start (near the optimum, where the Hessian changes little and BFGS corrects
/// what a sample misses) the first Hessian is built from every
/// [`Problem::sampled_step`]-th row: a fraction of the full Hessian's cost for the same
/// steps, and `HESSIAN_ROWS_PER_PARAM` rows
/// per parameter are enough for that (measured by `bench/fit_vs_sklearn.py`'s wa_churn
/// and dense 20k, and `cargo bench -p leadscore --bench fit -- dense_x50/20000`).
pub(super) fn run_newton(
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

/// Builds the Hessian at the current point (curvatures in `ws.curv`; every `step`-th
/// row, see [`Problem::hessian`]) and writes its Cholesky factor into `ws.mat2` (the
/// BFGS pairs start afresh).
///
/// A Hessian that is an estimate anyway — sampled (`step > 1`, errors around 10 %), or
/// on a warm-start level, whose fit only needs to land near the optimum — is summed in
/// single precision (relative errors around 1e-7: far below either). The full data's
/// rebuilds, and every Hessian of [`Strategy::Newton`](super::Strategy::Newton), stay
/// in double precision, so the last steps converge as fast as ever. Eight `f32` lanes
/// to a register instead of four `f64` make the estimates cheaper (measured by
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Features;
    use crate::train::solver::testutil::{fit_with, naive, synth};
    use crate::train::solver::{fit_logistic, Strategy};

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
}
