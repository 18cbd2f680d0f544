//! Evaluation: metrics, the random baseline, cross-validation.

pub mod metrics;
