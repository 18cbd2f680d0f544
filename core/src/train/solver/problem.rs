//! The validated problem: the rows in their layout, labels, per-row weights `C * s_i`,
//! and the cost model that picks the algorithm and how the Hessian is built.

use super::checks::{check_args, check_entries, invalid, locate_matrix_error};
use super::kernels::sum4;
use super::passes::uniform_weight;
use super::tiles::{TILE_A, TILE_B};
use super::{SolverConfig, Strategy};
use crate::design::{Dense, Rows, Scratch, Split, DENSE_FILL, MAX_TILED_DIM};
use crate::error::{Error, Result};
use crate::features::Features;
use std::borrow::Cow;

/// Above this many parameters the dense Hessian (and its `O(d^3)` factorisation) is
/// not used.
const MAX_NEWTON_DIM: usize = 1000;

/// How many more multiply-adds [`Tiles`](super::tiles::Tiles) may do than the scattered
/// updates of the stored entries and still be chosen: its sums run in vector registers,
/// about an order of magnitude faster per multiply-add than scattered scalar updates,
/// so it wins even on one-hot rows, zeros and all (measured by `cargo bench -p
/// leadscore --bench fit -- one_hot` and `bench/fit_vs_sklearn.py`'s wa_churn).
const TILE_ADVANTAGE: f64 = 10.0;
/// Rows per parameter that a sampled Hessian keeps at least (see
/// [`Problem::sampled_step`]).
const HESSIAN_ROWS_PER_PARAM: usize = 30;
/// Largest row step of a sampled Hessian.
pub(super) const MAX_HESSIAN_STEP: usize = 4;

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
    pub(super) fn new(
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
pub(super) struct Problem<'a> {
    /// The rows, in the layout the passes read: each pass matches it once.
    pub(super) rows: Rows<'a>,
    /// Row `k` of the problem is row `k * stride` of sparse or dense `rows` (a
    /// subsample of a split is a split of its own).
    pub(super) stride: usize,
    /// The caller's matrix whose values have not been checked for being finite (see
    /// [`Problem::non_finite_input`]).
    pub(super) unchecked: Option<&'a Features>,
    /// One label per problem row.
    pub(super) y: Cow<'a, [f64]>,
    /// `C * s_i` per row.
    pub(super) cw: Scratch<f64>,
    /// The `C` of `cw`.
    pub(super) c: f64,
    /// The weight every row has, when they all have the same (no sample weights, or
    /// equal ones): the passes then sum the loss's logarithms as the logarithm of a
    /// product (see `pointwise_uniform`).
    pub(super) uniform: Option<f64>,
    /// Number of feature columns.
    pub(super) d: usize,
    /// `d + 1` with an intercept, else `d`.
    pub(super) dim: usize,
    pub(super) fit_intercept: bool,
    /// `C * sum_i s_i`: the gradient scale of the convergence criterion.
    pub(super) scale: f64,
    /// Starting intercept: the log-odds of the weighted positive rate.
    pub(super) b0: f64,
    /// `sum_i nnz_i * (nnz_i + 1) / 2` over rows with weight: multiply-adds per Hessian.
    pub(super) hess_cost: f64,
    /// The cost of the Hessian without [`Tiles`](super::tiles::Tiles), in scattered
    /// multiply-adds: the split layout's products with its dense columns run as
    /// contiguous dot products and updates, about [`TILE_ADVANTAGE`] times cheaper per
    /// multiply-add.
    pub(super) scatter_cost: f64,
}

impl<'a> Problem<'a> {
    /// The problem over `rows`, checked (see [`fit_logistic`](super::fit_logistic)'s
    /// errors).
    pub(super) fn new(
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
    pub(super) fn non_finite_input(&self) -> Option<Error> {
        match locate_matrix_error(self.unchecked?) {
            e @ Error::InvalidInput(_) => Some(e),
            _ => None,
        }
    }

    /// The weights, scale and starting intercept of a checked problem. The Hessian of
    /// dense rows is always built by [`Tiles`](super::tiles::Tiles) (up to
    /// [`MAX_TILED_DIM`] parameters, sampled or not): scattered updates are no option
    /// for rows that store their zeros.
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
    pub(super) fn reweight(&mut self, sample_weight: Option<&[f64]>, c: f64) -> Result<()> {
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
    pub(super) fn set_c(&mut self, c: f64) {
        let r = c / self.c;
        self.cw.iter_mut().for_each(|v| *v *= r);
        self.uniform = self.uniform.map(|u| u * r);
        self.scale *= r;
        self.c = c;
    }

    /// Whether the Hessian is built by [`Tiles`](super::tiles::Tiles): a narrow model
    /// whose rows are dense enough that multiplying their zeros costs less than
    /// scattering their entries.
    pub(super) fn tiled(&self) -> bool {
        self.tiles_pay(self.cw.len())
    }

    /// Whether [`Tiles`](super::tiles::Tiles) over `rows` of the rows costs less than
    /// scattered updates over all of them.
    fn tiles_pay(&self, rows: usize) -> bool {
        if self.dim > MAX_TILED_DIM {
            return false;
        }
        let w = self.dim.next_multiple_of(TILE_A) as f64;
        rows as f64 * w * (w + TILE_B as f64) * 0.5 <= TILE_ADVANTAGE * self.scatter_cost
    }

    /// The row step of the first Hessian of a warm-started level: up to
    /// [`MAX_HESSIAN_STEP`], keeping at least [`HESSIAN_ROWS_PER_PARAM`] rows per
    /// parameter; 1 unless [`Tiles`](super::tiles::Tiles) over the sampled rows beats
    /// scattered updates over all of them (a sampled Hessian is always built by
    /// [`Tiles`](super::tiles::Tiles)).
    pub(super) fn sampled_step(&self) -> usize {
        let n = self.cw.len();
        let step = (n / (HESSIAN_ROWS_PER_PARAM * self.dim)).clamp(1, MAX_HESSIAN_STEP);
        if step > 1 && self.tiles_pay(n.div_ceil(step)) {
            step
        } else {
            1
        }
    }

    /// Stored entries of the problem's rows (dense columns counted in full).
    pub(super) fn nnz(&self) -> usize {
        match &self.rows {
            Rows::Split(sp, _) => sp.cols.len() * sp.n + sp.indices.len(),
            Rows::Dense(..) => self.cw.len() * self.d,
            Rows::Sparse(x) => x.nnz() / self.stride,
        }
    }

    /// Every `k`-th row of this problem, with `C * s_i` scaled up so that the total
    /// weight (and so the relative strength of the penalty) is unchanged. `None` when
    /// the subsample holds a single class.
    pub(super) fn subsample(&self, k: usize) -> Option<Problem<'_>> {
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
    pub(super) fn choose(&self) -> Strategy {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::solver::fit_logistic;
    use crate::train::solver::testutil::{mixed, synth, wide_sparse};

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
