//! The design matrix: compressed sparse rows (CSR) of `f64` values.
//!
//! One-hot codes and (later) text n-grams make rows sparse; numeric features are
//! stored as ordinary entries. The matrix is never densified.

/// A row-major sparse matrix: row `i` holds `indices[indptr[i]..indptr[i+1]]` with the
/// matching `values`. Column indices within a row are strictly increasing.
#[derive(Debug, Clone, Default)]
pub struct Features {
    n_cols: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<f64>,
    /// Whether every row is known to store the columns `0..n_cols` in order: set by
    /// [`Features::from_dense`] (and kept by [`Features::take_rows`]), cleared when a
    /// row is added by [`Features::end_row`]. The solver then need not read the
    /// indices to check them (a third of a megabyte per 2,000 x 40 cells).
    full: bool,
}

/// Equal entries are equal matrices, however they were built.
impl PartialEq for Features {
    fn eq(&self, other: &Self) -> bool {
        self.n_cols == other.n_cols
            && self.indptr == other.indptr
            && self.indices == other.indices
            && self.values == other.values
    }
}

impl Features {
    /// An empty matrix with `n_cols` columns and no rows.
    pub fn new(n_cols: usize) -> Self {
        Features {
            n_cols,
            indptr: vec![0],
            indices: Vec::new(),
            values: Vec::new(),
            full: false,
        }
    }

    /// An empty matrix with room for `rows` rows and `nnz` stored entries.
    pub fn with_capacity(n_cols: usize, rows: usize, nnz: usize) -> Self {
        let mut indptr = Vec::with_capacity(rows + 1);
        indptr.push(0);
        Features {
            n_cols,
            indptr,
            indices: Vec::with_capacity(nnz),
            values: Vec::with_capacity(nnz),
            full: false,
        }
    }

    /// Builds a matrix from dense rows (every entry stored, zeros included), as the
    /// benchmarks and tests use for dense data.
    pub fn from_dense(n_cols: usize, data: &[f64]) -> Self {
        let rows = data.len().checked_div(n_cols).unwrap_or(0);
        let mut f = Features::with_capacity(n_cols, rows, rows * n_cols);
        for r in 0..rows {
            for (j, &v) in data[r * n_cols..(r + 1) * n_cols].iter().enumerate() {
                f.indices.push(j as u32);
                f.values.push(v);
            }
            f.indptr.push(f.indices.len());
        }
        f.full = true;
        f
    }

    /// Appends one stored entry to the row being built. Entries must come in
    /// increasing column order; call [`Features::end_row`] after the last one.
    #[inline]
    pub fn push(&mut self, col: u32, value: f64) {
        self.indices.push(col);
        self.values.push(value);
    }

    /// Closes the row being built.
    #[inline]
    pub fn end_row(&mut self) {
        self.indptr.push(self.indices.len());
        self.full = false;
    }

    /// Whether every row is known, by how the matrix was built, to store the columns
    /// `0..n_cols` in order (see [`Features::from_dense`]).
    pub(crate) fn known_full(&self) -> bool {
        self.full
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Number of columns (features).
    pub fn n_cols(&self) -> usize {
        self.n_cols
    }

    /// Number of stored entries.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Row pointers (`n_rows + 1` entries).
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// Column index of each stored entry.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// Value of each stored entry.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Row `i` as (column indices, values).
    ///
    /// # Panics
    /// When `i >= n_rows()`, as slice indexing does.
    #[inline]
    pub fn row(&self, i: usize) -> (&[u32], &[f64]) {
        let (a, b) = (self.indptr[i], self.indptr[i + 1]);
        (&self.indices[a..b], &self.values[a..b])
    }

    /// `x_i · w` for row `i` (`w` has `n_cols` entries).
    #[inline]
    pub fn dot_row(&self, i: usize, w: &[f64]) -> f64 {
        let (idx, val) = self.row(i);
        idx.iter().zip(val).map(|(&j, &v)| v * w[j as usize]).sum()
    }

    /// A new matrix with the given rows, in that order.
    ///
    /// # Panics
    /// When a row index is out of range.
    pub fn take_rows(&self, rows: &[usize]) -> Features {
        let nnz = rows
            .iter()
            .map(|&r| self.indptr[r + 1] - self.indptr[r])
            .sum();
        let mut f = Features::with_capacity(self.n_cols, rows.len(), nnz);
        for &r in rows {
            let (idx, val) = self.row(r);
            f.indices.extend_from_slice(idx);
            f.values.extend_from_slice(val);
            f.end_row();
        }
        f.full = self.full;
        f
    }

    /// The dense row-major copy (tests and small exports only).
    pub fn to_dense(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.n_rows() * self.n_cols];
        for i in 0..self.n_rows() {
            let (idx, val) = self.row(i);
            for (&j, &v) in idx.iter().zip(val) {
                out[i * self.n_cols + j as usize] = v;
            }
        }
        out
    }
}
