//! Hessian tiles: rows gathered into small dense blocks whose outer products are
//! summed tile by tile in vector registers, in `f64` or (for estimates) `f32`.

use super::lanes::{lanes, Lanes, LanesFn};

/// Rows per block of [`Tiles`].
const TILE_ROWS: usize = 32;
/// Rows of the upper triangle per tile of [`Tiles`].
pub(super) const TILE_A: usize = 4;
/// Columns per tile of [`Tiles`].
pub(super) const TILE_B: usize = 8;

/// The Hessian's sum `sum_i c_i x_i x_i^T` over rows gathered, [`TILE_ROWS`] at a time,
/// into a small row-major block (zeros filled in, a 1 in the intercept's column): each
/// tile of the upper triangle is summed over the block's rows in locals that stay in
/// vector registers, so every multiply-add costs one multiply and one add and no loads
/// or stores of the matrix. Far faster than scattered updates for narrow models, dense
/// rows or not (see [`Problem::tiled`](super::problem::Problem::tiled)). The block
/// holds `T`: `f64`, or `f32` for estimates
/// ([`Problem::hessian`](super::problem::Problem::hessian)); the sum is `f64` either
/// way. Each entry is summed in row order within a block, then block by block: the same
/// order on every instruction set.
pub(super) struct Tiles<T: TileElem, S: pulp::Simd> {
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
    pub(super) fn new(simd: S, dim: usize) -> Self {
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
    pub(super) fn row(&mut self) -> &mut [f64] {
        self.r.iter_mut().for_each(|v| *v = 0.0);
        &mut self.r
    }

    /// Takes a row that stores every feature, `x`, with its curvature `c` (and a 1 in
    /// the intercept's column when `intercept`): written once into the block and
    /// once scaled, in one loop. The padding past the parameters is never written,
    /// so it stays zero.
    #[inline(always)]
    pub(super) fn push_full(&mut self, x: &[f64], c: f64, intercept: bool) {
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
    pub(super) fn commit(&mut self, c: f64) {
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
    pub(super) fn finish(mut self, h: &mut [f64], dim: usize) {
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
pub(super) trait TileElem: Copy + Default {
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
