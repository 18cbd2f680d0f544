//! Feature pipelines: the `auto` recipe, fitted on training rows, applied to tables
//! and single records by the same code.
