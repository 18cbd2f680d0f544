//! The dense layout: rows row-major, zeros filled in.

use super::scratch::Scratch;
use crate::features::Features;

/// Widest model (parameters, intercept included) whose Hessian the solver may build
/// from rows gathered into small dense blocks (its tiles); dense rows are narrower
/// than this, so their Hessian is always built so.
pub(crate) const MAX_TILED_DIM: usize = 256;

/// Rows stored dense and row-major (zeros filled in): row `i` is `vals[i * d..(i + 1) *
/// d]`. A pass then reads each row as a contiguous run, four rows at a time against
/// the same slice of the coefficients, with no indices to load and no scattered
/// updates: on one-hot rows it does more multiply-adds than a sparse pass (the
/// zeros) and still takes less time (measured by the "leadscore CSR in" row of
/// `bench/fit_vs_sklearn.py`: wa_churn, 19 of its 40 columns stored). A matrix whose rows
/// are all full already is this layout (its values are borrowed); a sparse one is
/// copied when [`Dense::pays`].
pub(crate) enum Dense<'a> {
    /// A full matrix's own values, or a parent level's copy.
    Borrowed(&'a [f64]),
    /// A copy filled from sparse rows.
    Owned(Scratch<f64>),
}

/// A caller's sparse rows are copied dense when their `n * d` cells are at most this
/// many tenths of their stored entries (3 cells an entry): per pass a dense cell
/// costs a fraction of a stored entry of a sparse row, whose index is loaded and
/// whose gradient update is scattered (measured by the "leadscore CSR in" row of
/// `bench/fit_vs_sklearn.py`).
pub(crate) const DENSE_FILL: usize = 30;
/// The same, 3.5 cells an entry, for rows the trainer's pipeline writes (no copy, and
/// writing them dense costs less than writing the split layout): between wa_churn's
/// auto-recipe rows (51 columns for 16 stored entries, faster dense) and the demo
/// tenants' (43 to 46 columns for 11.6, faster split). Measured by `cargo run
/// --release --example train_table -p leadscore -- examples/data/wa_churn.csv churn`
/// and `bench/mass_vs_sklearn.py`.
const DENSE_FILL_WRITTEN: usize = 35;
/// ...and the block takes at most this many cells (256 MB).
const DENSE_MAX_CELLS: usize = 1 << 25;

impl<'a> Dense<'a> {
    /// The values, row-major.
    pub(crate) fn vals(&self) -> &[f64] {
        match self {
            Dense::Borrowed(v) => v,
            Dense::Owned(v) => v,
        }
    }

    /// Whether `n` rows of `d` columns with `stored` entries (a split's dense columns
    /// counted in full) run faster as dense rows: a narrow model (below
    /// [`MAX_TILED_DIM`]: its Hessian is built from dense blocks of rows anyway), at
    /// most `fill` tenths of a
    /// cell per stored entry ([`DENSE_FILL`] or [`DENSE_FILL_WRITTEN`]), and a
    /// bounded block.
    pub(crate) fn pays(n: usize, d: usize, stored: usize, fill: usize) -> bool {
        let cells = n.saturating_mul(d);
        d > 0
            && d < MAX_TILED_DIM
            && cells.saturating_mul(10) <= fill.saturating_mul(stored)
            && cells <= DENSE_MAX_CELLS
    }

    /// The dense copy of `x`'s rows (row pointers checked by the caller); `None` when
    /// a row's columns are not strictly increasing below `d` or a value is not finite.
    pub(crate) fn from_rows(x: &Features) -> Option<Dense<'static>> {
        let d = x.n_cols();
        let (indptr, indices, values) = (x.indptr(), x.indices(), x.values());
        // The checks as folds (finite values over the whole array, each row's column
        // order as a comparison of neighbours), the copy without them: faster than
        // checking entry by entry while copying (measured by the "leadscore CSR in"
        // row of `bench/fit_vs_sklearn.py`).
        if !values.iter().fold(true, |ok, v| ok & v.is_finite()) {
            return None;
        }
        let mut vals = Scratch::zeroed(x.n_rows() * d);
        for (row, w) in vals.chunks_exact_mut(d.max(1)).zip(indptr.windows(2)) {
            let idx = &indices[w[0]..w[1]];
            let ordered = idx.windows(2).fold(true, |ok, p| ok & (p[0] < p[1]));
            if !(ordered && idx.last().is_none_or(|&j| (j as usize) < d)) {
                return None;
            }
            for (&j, &v) in idx.iter().zip(&values[w[0]..w[1]]) {
                if let Some(cell) = row.get_mut(j as usize) {
                    *cell = v;
                }
            }
        }
        Some(Dense::Owned(vals))
    }
}

/// Whether `n` rows of `d` columns with `stored` entries (dense columns of a split
/// counted in full) are fitted faster as dense rows (see [`Dense`]).
pub(crate) fn dense_rows_pay(n: usize, d: usize, stored: usize) -> bool {
    Dense::pays(n, d, stored, DENSE_FILL_WRITTEN)
}

/// The mean of every column of dense rows with `d` columns.
pub(crate) fn dense_column_means(vals: &[f64], d: usize) -> Vec<f64> {
    let mut means = vec![0.0; d];
    if d == 0 {
        return means;
    }
    for row in vals.chunks_exact(d) {
        for (m, &v) in means.iter_mut().zip(row) {
            *m += v;
        }
    }
    let n = (vals.len() / d).max(1) as f64;
    means.iter_mut().for_each(|m| *m /= n);
    means
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_rows_pay_when_narrow_filled_and_bounded() {
        assert!(dense_rows_pay(100, 10, 286) && !dense_rows_pay(100, 10, 285));
        assert!(Dense::pays(100, 10, 334, DENSE_FILL) && !Dense::pays(100, 10, 333, DENSE_FILL));
        assert!(!dense_rows_pay(100, 0, 0) && !dense_rows_pay(10, MAX_TILED_DIM, 10_000));
        assert!(!dense_rows_pay(DENSE_MAX_CELLS, 2, DENSE_MAX_CELLS));
    }
}
