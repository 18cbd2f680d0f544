//! Scalar and vector kernels of the passes: fixed-order dot products, sums and
//! updates, and the exp and log1p of the loss.

use super::lanes::{lanes, Lanes, LanesFn};

/// Dot product with eight interleaved partial sums: independent chains that fill the
/// vector units (two 4-wide or four 2-wide registers) in a fixed order.
#[inline(always)]
pub(super) fn dot_dense(val: &[f64], w: &[f64]) -> f64 {
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
pub(super) fn dot_dense4(r: &[f64], c: [&[f64]; 4]) -> [f64; 4] {
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
pub(super) fn dot_rows<const R: usize, S: pulp::Simd>(
    simd: S,
    x: [&[f64]; R],
    w: &[f64],
) -> [f64; R] {
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

/// Sum with four interleaved partial sums (vectorisable, fixed order).
#[inline(always)]
pub(super) fn sum4(v: &[f64]) -> f64 {
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
pub(super) fn axpy_dense4(r: [f64; 4], v: [&[f64]; 4], g: &mut [f64]) {
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
pub(super) fn exp_nonpos(x: f64) -> f64 {
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
pub(super) fn log1p_unit(e: f64) -> f64 {
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
pub(super) fn dot_sparse(idx: &[u32], val: &[f64], w: &[f64]) -> f64 {
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
pub(super) fn axpy_dense(r: f64, val: &[f64], g: &mut [f64]) {
    for (gj, &v) in g.iter_mut().zip(val) {
        *gj += r * v;
    }
}

#[inline(always)]
pub(super) fn axpy_sparse(r: f64, idx: &[u32], val: &[f64], g: &mut [f64]) {
    for (&j, &v) in idx.iter().zip(val) {
        g[j as usize] += r * v;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

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
}
