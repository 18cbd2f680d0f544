//! The design matrix in the layouts the solver consumes, and the per-thread pool of
//! the buffers that hold them.
//!
//! The ground floor under both the recipe pipeline (which writes these layouts
//! straight from a table) and the solver (which reads them): it depends on neither.
//!
//! * sparse rows: a caller's [`Features`](crate::features::Features) matrix;
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

/// An invalid-input error with `msg`.
fn invalid(msg: impl Into<String>) -> Error {
    Error::InvalidInput(msg.into())
}
