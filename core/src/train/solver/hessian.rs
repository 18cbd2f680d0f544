//! The Hessian from row curvatures, one builder per layout: by [`Tiles`] for narrow
//! models, else by dot products of dense columns and scattered updates.

use super::kernels::{dot_dense, dot_dense4, sum4};
use super::passes::BLOCK;
use super::problem::Problem;
use super::tiles::{TileElem, Tiles};
use crate::design::{Rows, Split, MAX_TILED_DIM};
use crate::features::Features;

/// [`Problem::hessian`] as a [`pulp`] operation (see `Eval`).
pub(super) struct Hessian<'p, 'a, 'b> {
    pub(super) p: &'p Problem<'a>,
    pub(super) curv: &'b [f64],
    pub(super) h: &'b mut [f64],
    /// Built by [`Tiles`] (else by scattered updates).
    pub(super) tiled: bool,
    /// Every `step`-th row (see [`Problem::hessian`]).
    pub(super) step: usize,
    /// [`Tiles`] in single precision (see [`Problem::hessian`]).
    pub(super) single: bool,
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

impl<'a> Problem<'a> {
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
    /// each block of `TILE_ROWS` rows in `f32` lanes, eight
    /// to a register instead of four, before adding it to the `f64` sum: relative
    /// errors around 1e-7, for Hessians that are estimates anyway (see
    /// `fresh_inverse`).
    pub(super) fn hessian(&self, curv: &[f64], h: &mut [f64], step: usize, single: bool) {
        if step > 1 && self.dim <= MAX_TILED_DIM {
            self.hessian_as(curv, h, true, step, single);
        } else {
            self.hessian_as(curv, h, self.tiled(), 1, single);
        }
    }

    /// [`Problem::hessian`] built by [`Tiles`] or not, as `tiled` says (`step` and
    /// `single` are for [`Tiles`] only).
    pub(super) fn hessian_as(
        &self,
        curv: &[f64],
        h: &mut [f64],
        tiled: bool,
        step: usize,
        single: bool,
    ) {
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

impl Problem<'_> {
    /// [`Problem::hessian`] over [`Dense`](crate::design::Dense) rows: by [`Tiles`], or
    /// (wide models) four rows per sweep of the triangle.
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::solver::problem::MAX_HESSIAN_STEP;
    use crate::train::solver::testutil::{assert_close, fit_with, mixed, synth, wide_sparse};
    use crate::train::solver::{fit_logistic, SolverConfig, Strategy};

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
}
