//! Evaluation: metrics on labels and probabilities, the random-classifier baseline
//! beside each, stratified folds for cross-validation, and the [`Metrics`] summary a
//! model stores.

pub mod folds;
pub mod metrics;
mod summary;

pub use metrics::{
    average_precision, best_f1_threshold, brier, calibration_curve, confusion_at, lift_by_decile,
    log_loss, roc_auc, threshold_table, CalibrationBin, Confusion, Decile, ThresholdRow,
};
pub use summary::{Baseline, FoldResult, Lift, Metrics};
