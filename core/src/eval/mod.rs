//! Evaluation: metrics, the random baseline, cross-validation.

pub mod metrics;

pub use metrics::{
    average_precision, best_f1_threshold, brier, calibration_curve, confusion_at, lift_by_decile,
    log_loss, roc_auc, threshold_table, CalibrationBin, Confusion, Decile, ThresholdRow,
};
