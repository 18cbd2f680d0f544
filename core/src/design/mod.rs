//! The design matrix in the layouts the solver consumes, and the per-thread pool of
//! the buffers that hold them.
//!
//! The ground floor under both the recipe pipeline (which writes these layouts
//! straight from a table) and the solver (which reads them): it depends on neither.
//!
//! One value of [`Rows`] holds a fit's rows in one of them:
//!
//! * sparse rows: a caller's [`Features`] matrix;
//! * [`Split`]: the columns stored in most rows dense and column-major, the rest as
//!   sparse rows;
//! * [`Dense`]: every row dense and row-major, when that pays ([`dense_rows_pay`]).

mod dense;
pub(crate) mod scratch;
mod split;

pub(crate) use dense::{dense_column_means, dense_rows_pay, Dense, DENSE_FILL, MAX_TILED_DIM};
pub(crate) use scratch::Scratch;
pub(crate) use split::Split;

use crate::error::Error;
use crate::features::Features;

/// The rows of a fit in one of the layouts the solver reads.
pub(crate) enum Rows<'a> {
    /// Sparse rows, as a caller hands them over (the solver runs full or dense enough
    /// ones as [`Rows::Dense`], borrowing or copying their values).
    Sparse(&'a Features),
    /// Dense columns and sparse rows, with this many feature columns.
    Split(Split, usize),
    /// Dense rows, row-major, of this many columns.
    Dense(Dense<'a>, usize),
}

/// An invalid-input error with `msg`.
fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidInput(msg.into())
}
