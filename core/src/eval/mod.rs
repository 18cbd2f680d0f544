//! Evaluation: metrics on labels and probabilities, the random-classifier baseline
//! beside each, stratified folds for cross-validation, and the [`Metrics`] summary a
//! model stores.

pub mod folds;
pub mod metrics;
mod summary;

pub use metrics::Confusion;
pub use summary::{Baseline, FoldResult, Lift, Metrics};
