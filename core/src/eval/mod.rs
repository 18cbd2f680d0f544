//! Evaluation: metrics on labels and probabilities, the random-classifier baseline
//! beside each, stratified folds and the time split for held-out predictions,
//! threshold policies, and the [`Metrics`] and [`Evaluation`] a model stores.

mod challenger;
mod evaluation;
pub mod folds;
pub mod metrics;
mod policy;
mod summary;
pub mod time;

pub use challenger::{Challenger, ChallengerFold, FeatureUse, CHALLENGER_MARGIN, CHALLENGER_TOP};
pub use evaluation::{
    Evaluation, Histogram, SplitInfo, ThresholdPoint, CALIBRATION_BINS, HISTOGRAM_BINS,
    THRESHOLD_POINTS,
};
pub use metrics::{
    average_precision, best_f1_threshold, brier, calibration_curve, confusion_at, lift_by_decile,
    log_loss, roc_auc, threshold_table, CalibrationBin, Confusion, Decile, ThresholdRow,
};
pub use policy::{model_cut, ThresholdPolicy};
pub use summary::{Baseline, FoldResult, Lift, Metrics};
