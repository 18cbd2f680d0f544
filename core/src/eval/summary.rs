//! The metrics a model stores: cross-validated scores beside the random baseline.

use super::metrics::{self, Confusion, Decile};
use serde::{Deserialize, Serialize};

/// Out-of-fold predictions of one cross-validation fold.
#[derive(Debug, Clone, PartialEq)]
pub struct FoldResult {
    /// Test labels.
    pub y: Vec<f64>,
    /// Calibrated probabilities (intercept corrected for balancing).
    pub p: Vec<f64>,
    /// Probabilities of the balanced model before the intercept correction.
    pub p_balanced: Vec<f64>,
    /// The fold model's decision threshold on `p`.
    pub threshold: f64,
    /// Seconds spent fitting (pipeline + solver) on the fold's training rows.
    pub fit_seconds: f64,
    /// The `C` of the fold's fit (the evidence's choice when `C` is automatic).
    pub c: f64,
    /// The challenger forest's predictions of the same rows, when asked for.
    pub challenger: Option<super::ChallengerFold>,
}

/// What a random classifier scores on the same data: it flags the same share of
/// rows as the model, at random.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    /// Always 0.5.
    pub roc_auc: f64,
    /// The positive rate.
    pub pr_auc: f64,
    /// Log-loss of always predicting the positive rate.
    pub log_loss: f64,
    /// Brier score of always predicting the positive rate.
    pub brier: f64,
    /// The positive rate.
    pub precision: f64,
    /// The share of rows flagged positive.
    pub recall: f64,
    /// F1 from the two above.
    pub f1: f64,
    /// Accuracy of flagging that share at random.
    pub accuracy: f64,
}

/// Each model metric divided by its baseline (how many times better than random;
/// for log-loss and Brier, baseline divided by model, so above 1 is better too).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Lift {
    /// ROC AUC over 0.5.
    pub roc_auc: f64,
    /// PR AUC over the positive rate.
    pub pr_auc: f64,
    /// Baseline log-loss over model log-loss.
    pub log_loss: f64,
    /// Baseline Brier over model Brier.
    pub brier: f64,
    /// Precision over the positive rate.
    pub precision: f64,
    /// Recall over the flagged share.
    pub recall: f64,
    /// F1 over the baseline F1.
    pub f1: f64,
}

/// Cross-validated metrics of a training configuration. Scalar metrics are the mean
/// over folds (as scikit-learn's `cross_val_score` reports them); the confusion
/// matrix is summed over folds; deciles come from the pooled out-of-fold scores.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Rows evaluated.
    pub rows: u64,
    /// Positive rows.
    pub positives: u64,
    /// Share of positive rows.
    pub positive_rate: f64,
    /// Number of folds.
    pub cv_folds: u32,
    /// ROC AUC (ties count one half).
    pub roc_auc: f64,
    /// Standard deviation of ROC AUC over folds.
    pub roc_auc_std: f64,
    /// PR AUC (average precision).
    pub pr_auc: f64,
    /// Log-loss of the calibrated probabilities.
    pub log_loss: f64,
    /// Brier score of the calibrated probabilities.
    pub brier: f64,
    /// Log-loss of the balanced model's probabilities before the intercept
    /// correction (shows what the correction buys).
    pub log_loss_balanced: f64,
    /// Brier score before the intercept correction.
    pub brier_balanced: f64,
    /// The decision threshold on calibrated probabilities: the mean of the folds'
    /// balanced thresholds, or the cut a threshold policy chose.
    pub threshold: f64,
    /// The same threshold on the balanced model's probabilities (0.5 by construction).
    pub balanced_threshold: f64,
    /// Precision at the threshold.
    pub precision: f64,
    /// Recall at the threshold.
    pub recall: f64,
    /// F1 at the threshold.
    pub f1: f64,
    /// Accuracy at the threshold.
    pub accuracy: f64,
    /// Confusion matrix at the threshold, summed over folds.
    pub confusion: Confusion,
    /// The random classifier's figures.
    pub baseline: Baseline,
    /// Model over baseline.
    pub lift: Lift,
    /// Mean seconds to fit one fold.
    pub fit_seconds: f64,
    /// ROC AUC of each fold.
    pub fold_roc_auc: Vec<f64>,
    /// Lift by decile of the pooled out-of-fold scores.
    pub deciles: Vec<Decile>,
}

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() {
        0.0
    } else {
        v.iter().sum::<f64>() / v.len() as f64
    }
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

impl Metrics {
    /// Summarises fold results. Folds with a single class contribute to the pooled
    /// figures but not to the AUC means.
    pub fn from_folds(folds: &[FoldResult]) -> Metrics {
        Self::from_folds_at(folds, None)
    }

    /// Summarises fold results with every fold's model cut at `cut` (the cut a
    /// threshold policy chose on the pooled held-out predictions) instead of its own
    /// balanced threshold; `None` keeps each fold's.
    pub fn from_folds_at(folds: &[FoldResult], cut: Option<f64>) -> Metrics {
        let mut aucs = Vec::new();
        let mut aps = Vec::new();
        let (mut ll, mut br, mut llb, mut brb, mut thr, mut secs) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut prec, mut rec, mut f1s, mut acc) = (vec![], vec![], vec![], vec![]);
        let mut confusion = Confusion::default();
        let (mut all_y, mut all_p) = (Vec::new(), Vec::new());
        for f in folds {
            if let Some(a) = metrics::roc_auc(&f.y, &f.p) {
                aucs.push(a);
            }
            if let Some(a) = metrics::average_precision(&f.y, &f.p) {
                aps.push(a);
            }
            ll.push(metrics::log_loss(&f.y, &f.p));
            br.push(metrics::brier(&f.y, &f.p));
            llb.push(metrics::log_loss(&f.y, &f.p_balanced));
            brb.push(metrics::brier(&f.y, &f.p_balanced));
            let threshold = cut.unwrap_or(f.threshold);
            thr.push(threshold);
            secs.push(f.fit_seconds);
            let c = metrics::confusion_at(&f.y, &f.p, threshold);
            prec.push(c.precision());
            rec.push(c.recall());
            f1s.push(c.f1());
            acc.push(c.accuracy());
            confusion += c;
            all_y.extend_from_slice(&f.y);
            all_p.extend_from_slice(&f.p);
        }
        let rows = all_y.len() as u64;
        let positives = all_y.iter().filter(|&&v| v > 0.5).count() as u64;
        let rate = ratio(positives as f64, rows as f64);
        let roc_auc = mean(&aucs);
        let roc_auc_std = if aucs.len() > 1 {
            (aucs.iter().map(|a| (a - roc_auc).powi(2)).sum::<f64>() / (aucs.len() - 1) as f64)
                .sqrt()
        } else {
            0.0
        };
        let flagged = ratio((confusion.tp + confusion.fp) as f64, rows as f64);
        let entropy = if rate > 0.0 && rate < 1.0 {
            -(rate * rate.ln() + (1.0 - rate) * (1.0 - rate).ln())
        } else {
            0.0
        };
        let bf1 = if rate + flagged > 0.0 {
            2.0 * rate * flagged / (rate + flagged)
        } else {
            0.0
        };
        let baseline = Baseline {
            roc_auc: 0.5,
            pr_auc: rate,
            log_loss: entropy,
            brier: rate * (1.0 - rate),
            precision: rate,
            recall: flagged,
            f1: bf1,
            accuracy: rate * flagged + (1.0 - rate) * (1.0 - flagged),
        };
        let (pr_auc, log_loss, brier) = (mean(&aps), mean(&ll), mean(&br));
        let (precision, recall, f1) = (mean(&prec), mean(&rec), mean(&f1s));
        let lift = Lift {
            roc_auc: ratio(roc_auc, 0.5),
            pr_auc: ratio(pr_auc, baseline.pr_auc),
            log_loss: ratio(baseline.log_loss, log_loss),
            brier: ratio(baseline.brier, brier),
            precision: ratio(precision, baseline.precision),
            recall: ratio(recall, baseline.recall),
            f1: ratio(f1, baseline.f1),
        };
        Metrics {
            rows,
            positives,
            positive_rate: rate,
            cv_folds: folds.len() as u32,
            roc_auc,
            roc_auc_std,
            pr_auc,
            log_loss,
            brier,
            log_loss_balanced: mean(&llb),
            brier_balanced: mean(&brb),
            threshold: cut.unwrap_or_else(|| mean(&thr)),
            balanced_threshold: 0.5,
            precision,
            recall,
            f1,
            accuracy: mean(&acc),
            confusion,
            baseline,
            lift,
            fit_seconds: mean(&secs),
            fold_roc_auc: aucs,
            deciles: metrics::lift_by_decile(&all_y, &all_p),
        }
    }
}
