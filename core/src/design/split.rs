//! The split layout: the columns stored in most rows dense and column-major, the
//! rest as sparse rows.

use super::invalid;
use super::scratch::Scratch;
use crate::error::Result;
#[cfg(test)]
use crate::features::Features;

/// The rows of a problem with their mostly-present columns split off: the columns
/// stored in at least half the rows (a pipeline's standardised numbers, say) as
/// column-major arrays, zeros filled in, and every other entry (one-hot levels, flags)
/// as sparse rows. Margins and gradients of the dense part then run down contiguous
/// columns, and the Hessian's dense-by-dense block is a set of dot products instead of
/// scattered updates. The trainer's pipeline writes it (see [`Split::from_parts`]); a
/// caller's sparse matrix keeps the row layout.
#[derive(Debug)]
pub(crate) struct Split {
    /// Rows.
    pub(crate) n: usize,
    /// Feature index of each dense column, increasing.
    pub(crate) cols: Vec<u32>,
    /// Column `k` is `vals[k * n..(k + 1) * n]`.
    pub(crate) vals: Scratch<f64>,
    /// The other entries, as sparse rows: row `i` holds `indices[indptr[i]..indptr[i +
    /// 1]]` with the matching `values`.
    pub(crate) indptr: Scratch<usize>,
    /// Column of each sparse entry, increasing within a row.
    pub(crate) indices: Scratch<u32>,
    /// Value of each sparse entry.
    pub(crate) values: Scratch<f64>,
}

impl Split {
    /// The split of `x`, when it has at least two columns stored in at least half its
    /// rows and its rows are not all full (tests compare the layouts with it).
    #[cfg(test)]
    pub(crate) fn choose(x: &Features) -> Option<Split> {
        let (n, d) = (x.n_rows(), x.n_cols());
        if n == 0 || d == 0 || x.nnz() == n * d {
            return None;
        }
        let mut count = vec![0usize; d];
        for &j in x.indices() {
            count[j as usize] += 1;
        }
        let cols: Vec<u32> = (0..d)
            .filter(|&j| 2 * count[j] >= n)
            .map(|j| j as u32)
            .collect();
        if cols.len() < 2 {
            return None;
        }
        // Where column `j`'s values start in `vals` (`usize::MAX`: a sparse column).
        let mut slot = vec![usize::MAX; d];
        for (k, &c) in cols.iter().enumerate() {
            slot[c as usize] = k * n;
        }
        let mut vals = Scratch::zeroed(cols.len() * n);
        let sparse = x
            .nnz()
            .saturating_sub(cols.iter().map(|&c| count[c as usize]).sum());
        let mut indptr = Scratch::with_capacity(n + 1);
        let mut indices = Scratch::with_capacity(sparse);
        let mut values = Scratch::with_capacity(sparse);
        indptr.push(0);
        let (rows, all_idx, all_val) = (x.indptr(), x.indices(), x.values());
        for (i, w) in rows.windows(2).enumerate() {
            for (&j, &v) in all_idx[w[0]..w[1]].iter().zip(&all_val[w[0]..w[1]]) {
                match slot[j as usize] {
                    usize::MAX => {
                        indices.push(j);
                        values.push(v);
                    }
                    at => vals[at + i] = v,
                }
            }
            indptr.push(indices.len());
        }
        Some(Split {
            n,
            cols,
            vals,
            indptr,
            indices,
            values,
        })
    }

    /// A split built by its caller (the pipeline writes its standardised columns
    /// straight into `vals`): `cols` increasing, column `k` at `vals[k * n..]`, the
    /// other entries as sparse rows.
    pub(crate) fn from_parts(
        n: usize,
        cols: Vec<u32>,
        vals: Scratch<f64>,
        indptr: Scratch<usize>,
        indices: Scratch<u32>,
        values: Scratch<f64>,
    ) -> Split {
        Split {
            n,
            cols,
            vals,
            indptr,
            indices,
            values,
        }
    }

    /// Checks the shape and values against `d` feature columns.
    pub(crate) fn check(&self, d: usize) -> Result<()> {
        let n = self.n;
        let shaped = self.vals.len() == self.cols.len() * n
            && self.indptr.len() == n + 1
            && self.indptr.first() == Some(&0)
            && self.indptr.last() == Some(&self.indices.len())
            && self.values.len() == self.indices.len()
            && self.cols.windows(2).all(|w| w[0] < w[1])
            && self.cols.last().is_none_or(|&c| (c as usize) < d);
        if !shaped {
            return Err(invalid("the split rows are inconsistent"));
        }
        let finite = self
            .vals
            .iter()
            .chain(&self.values)
            .fold(true, |ok, v| ok & v.is_finite());
        if !finite {
            return Err(invalid("x holds a non-finite value"));
        }
        let mut dense = vec![false; d];
        for &c in &self.cols {
            dense[c as usize] = true;
        }
        for w in self.indptr.windows(2) {
            let idx = self.indices.get(w[0]..w[1]).unwrap_or_default();
            let ok = w[0] <= w[1]
                && idx.windows(2).all(|p| p[0] < p[1])
                && idx.iter().all(|&j| (j as usize) < d && !dense[j as usize]);
            if !ok {
                return Err(invalid("the split rows have column indices out of order"));
            }
        }
        Ok(())
    }

    /// The mean of every feature column over the rows (`d` columns).
    pub(crate) fn column_means(&self, d: usize) -> Vec<f64> {
        let mut means = vec![0.0; d];
        for (k, &c) in self.cols.iter().enumerate() {
            means[c as usize] = self.vals[k * self.n..(k + 1) * self.n].iter().sum();
        }
        for (&j, &v) in self.indices.iter().zip(&self.values) {
            means[j as usize] += v;
        }
        let n = self.n.max(1) as f64;
        means.iter_mut().for_each(|m| *m /= n);
        means
    }

    /// Every `k`-th row.
    pub(crate) fn every(&self, k: usize) -> Split {
        let n = self.n.div_ceil(k);
        let mut vals = Scratch::with_capacity(self.cols.len() * n);
        for col in self.vals.chunks_exact(self.n.max(1)) {
            vals.extend(col.iter().step_by(k));
        }
        let mut indptr = Scratch::with_capacity(n + 1);
        // Room for the expected share of the entries (more grows as usual).
        let room = self.indices.len().div_ceil(k) + self.indices.len() / (8 * k);
        let mut indices = Scratch::with_capacity(room);
        let mut values = Scratch::with_capacity(room);
        indptr.push(0);
        for i in (0..self.n).step_by(k) {
            let (lo, hi) = (self.indptr[i], self.indptr[i + 1]);
            indices.extend_from_slice(&self.indices[lo..hi]);
            values.extend_from_slice(&self.values[lo..hi]);
            indptr.push(indices.len());
        }
        Split {
            n,
            cols: self.cols.clone(),
            vals,
            indptr,
            indices,
            values,
        }
    }

    /// Dense column `k`, rows `start..start + m`.
    #[inline(always)]
    pub(crate) fn col(&self, k: usize, start: usize, m: usize) -> &[f64] {
        &self.vals[k * self.n + start..k * self.n + start + m]
    }
}
