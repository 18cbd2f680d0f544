//! The fused pass over the rows: objective, gradient and row curvatures, one loop
//! per layout (sparse rows, split, dense rows) around the same blocked element-wise
//! part, compiled per instruction set.

use super::kernels::{
    axpy_dense, axpy_dense4, axpy_sparse, dot_dense, dot_dense4, dot_rows, dot_sparse, exp_nonpos,
    log1p_unit, sum4,
};
use super::problem::Problem;
use crate::design::{Rows, Split};
use crate::features::Features;

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
pub(super) fn uniform_weight(cw: &[f64]) -> Option<f64> {
    let first = *cw.first()?;
    cw.iter()
        .fold(true, |same, &c| same & (c == first))
        .then_some(first)
}

/// Rows per block of [`Problem::eval`].
pub(super) const BLOCK: usize = 256;
/// Rows per [`dot_rows`] call of a dense pass (independent chains, shared loads of
/// the coefficients).
const DOT_ROWS: usize = 4;

impl<'a> Problem<'a> {
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
    pub(super) fn eval(
        &self,
        theta: &[f64],
        grad: &mut [f64],
        curv: &mut [f64],
        spare: &mut [f64],
    ) -> f64 {
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
}

impl Problem<'_> {
    /// [`Problem::eval`] over [`Dense`](crate::design::Dense) rows: margins
    /// [`DOT_ROWS`] rows at a time ([`dot_rows`]), the gradient four rows per sweep
    /// ([`axpy_dense4`]).
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::{Dense, Scratch};
    use crate::rng::Rng;
    use crate::train::solver::hessian::Hessian;
    use crate::train::solver::testutil::{assert_close, mixed, naive, synth};
    use crate::train::solver::{fit_logistic, SolverConfig};

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
}
