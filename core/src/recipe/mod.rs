//! Feature pipelines. A recipe says which features to build; fitted on training rows
//! it becomes a [`Pipeline`] (means, scales, category lists), which the same code then
//! applies to tables (training, batch scoring) and to single records (scoring).
//!
//! Today the `auto` recipe is derived from the schema ([`Pipeline::fit_auto`]); the
//! recipe language adds more [`Step`]s and a parser on top of the same shape.

mod pipeline;
mod step;

pub(crate) use pipeline::SolverRows;
pub use pipeline::{AutoOptions, BoundTable, Input, Pipeline};
pub use step::{value_to_bool, value_to_num, Step, ValueKind, OTHER_LEVEL};
