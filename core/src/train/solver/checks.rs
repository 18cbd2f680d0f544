//! Input checks: the arguments every fit needs, and a caller's sparse matrix, with
//! fast whole-array folds first and the failure located only when there is one.

use super::SolverConfig;
use crate::error::{Error, Result};
use crate::features::Features;

/// Checks what every problem needs besides its matrix: `C`, `tol`, the labels and the
/// weights.
pub(super) fn check_args(
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
    if !(0.0..=1.0).contains(&cfg.l1_ratio) {
        return Err(invalid(format!(
            "l1_ratio must be within [0, 1], got {}",
            cfg.l1_ratio
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
pub(super) fn check_entries(x: &Features, values: bool) -> Result<()> {
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
pub(super) fn locate_matrix_error(x: &Features) -> Error {
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

pub(super) fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidInput(msg.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::design::Rows;
    use crate::error::ErrorCode;
    use crate::train::solver::problem::Problem;
    use crate::train::solver::testutil::synth;
    use crate::train::solver::{fit_logistic, Solution};

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
}
