//! Small dense linear algebra on the Hessian: Cholesky factor, inverse and its
//! trace, triangular solves and the solver's dot products.

/// The dense factorisations below, compiled for the best instruction set the CPU has
/// (as `Eval` is for the passes), so that their plain loops
/// vectorise: with AVX2's four-wide lanes the factorisations of models with hundreds of
/// parameters run several times faster (measured by `cargo run --release --example
/// train_table -p leadscore -- examples/data/caravan.csv Purchase`, about 440
/// parameters with the evidence's factorisations). Element-wise loops and fixed-order
/// sums give the same bits either way.
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
pub(super) fn cholesky_upper(h: &mut [f64], n: usize) -> bool {
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
pub(super) fn inverse_trace(u: &[f64], n: usize, m: usize, tmp: &mut [f64]) -> f64 {
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

pub(super) fn max_abs(v: &[f64]) -> f64 {
    v.iter().fold(0.0, |m, x| m.max(x.abs()))
}

/// Dot product of the solver's vectors: [`dot4`]'s four partial sums (a single
/// running sum waits on every add, and the inverse Hessian times the gradient, twice
/// per step, shows in a Newton fit: `bench/fit_vs_sklearn.py`'s wa_churn).
pub(super) fn dotv(a: &[f64], b: &[f64]) -> f64 {
    dot4(a, b)
}

/// Solves `U^T U x = b` in place (`U` upper triangular, row-major `n x n`): `U^T z =
/// b` forward, then `U x = z` backward, both along rows.
pub(super) fn cholesky_solve(u: &[f64], n: usize, b: &mut [f64]) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

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
}
