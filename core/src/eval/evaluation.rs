//! What a model keeps of its held-out predictions: how they were held out (k-fold or a
//! time split), the threshold policy and its cut, the threshold table a slider moves
//! along, the calibration curve and the score histogram of each class. Bounded in size
//! whatever the data: at most [`THRESHOLD_POINTS`] + 1 table rows,
//! [`CALIBRATION_BINS`] calibration bins and [`HISTOGRAM_BINS`] histogram bins.
//!
//! Lift and cumulative gain by decile are in [`super::Metrics::deciles`].

use super::metrics::{calibration_curve, tie_groups, valid, CalibrationBin, Confusion};
use serde::{Deserialize, Serialize};

/// Most rows of [`Evaluation::thresholds`] (plus the policy's cut when it falls
/// between two of them): every distinct held-out score when there are no more than
/// this, else cuts at this many quantiles of the scores.
pub const THRESHOLD_POINTS: usize = 200;
/// Bins of [`Evaluation::calibration`] (equal width on `[0, 1]`).
pub const CALIBRATION_BINS: usize = 10;
/// Bins of [`Evaluation::histogram`] (equal width on `[0, 1]`).
pub const HISTOGRAM_BINS: usize = 20;

/// One cut of the threshold table: what flagging the leads with `p >= threshold`
/// gives on the held-out rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdPoint {
    /// The cut on the calibrated probability.
    pub threshold: f64,
    /// Flagged positives.
    pub tp: u64,
    /// Flagged negatives.
    pub fp: u64,
    /// Unflagged negatives.
    pub tn: u64,
    /// Unflagged positives.
    pub fn_: u64,
    /// `tp / (tp + fp)` (0 when nothing is flagged).
    pub precision: f64,
    /// `tp / (tp + fn)` (0 without positives).
    pub recall: f64,
    /// `fp / (fp + tn)` (0 without negatives).
    pub false_positive_rate: f64,
    /// Harmonic mean of precision and recall (0 when undefined).
    pub f1: f64,
    /// Share of the rows flagged.
    pub share_flagged: f64,
    /// Leads flagged per 1000: the work the cut gives a sales team.
    pub flagged_per_1000: f64,
}

impl ThresholdPoint {
    fn new(threshold: f64, c: Confusion) -> ThresholdPoint {
        let n = c.total().max(1) as f64;
        let negatives = c.fp + c.tn;
        let share = (c.tp + c.fp) as f64 / n;
        ThresholdPoint {
            threshold,
            tp: c.tp,
            fp: c.fp,
            tn: c.tn,
            fn_: c.fn_,
            precision: c.precision(),
            recall: c.recall(),
            false_positive_rate: if negatives > 0 {
                c.fp as f64 / negatives as f64
            } else {
                0.0
            },
            f1: c.f1(),
            share_flagged: share,
            flagged_per_1000: 1000.0 * share,
        }
    }
}

/// Held-out scores of each class in equal-width bins of `[0, 1]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Histogram {
    /// Bin `i` covers `[i / bins, (i + 1) / bins)`, the last one including 1.
    pub bins: u32,
    /// Positive rows per bin.
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub positives: Vec<u64>,
    /// Negative rows per bin.
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub negatives: Vec<u64>,
}

/// How the held-out predictions were made and what they say about cuts (see the
/// module docs). Stored in the model when it was evaluated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// `kfold` (stratified k-fold cross-validation) or `time` (the most recent rows
    /// held out).
    pub split: String,
    /// Folds of `kfold`; 1 for `time`.
    pub folds: u32,
    /// The time column of a time split.
    pub time_column: Option<String>,
    /// The share of rows a time split holds out.
    pub test_share: Option<f64>,
    /// The earliest held-out time, as the data writes it (time split only).
    pub test_from: Option<String>,
    /// Rows without a time, kept with the training rows (time split only).
    pub time_missing: u64,
    /// Rows the held-out predictions were fitted on (per fold for `kfold`: the mean).
    pub train_rows: u64,
    /// Held-out rows (all rows for `kfold`).
    pub test_rows: u64,
    /// The threshold policy, as [`super::ThresholdPolicy::parse`] reads it.
    pub policy: String,
    /// The model's cut.
    pub threshold: f64,
    /// The held-out figures at the model's cut.
    pub at_threshold: ThresholdPoint,
    /// The threshold table, by ascending cut (see [`THRESHOLD_POINTS`]).
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub thresholds: Vec<ThresholdPoint>,
    /// The reliability curve of the held-out probabilities (empty bins left out).
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub calibration: Vec<CalibrationBin>,
    /// The held-out scores of each class.
    pub histogram: Histogram,
    /// The random forest trained on the same features and folds, when asked for
    /// (`challenger`).
    pub challenger: Option<super::Challenger>,
}

/// How the held-out rows were chosen (the part of an [`Evaluation`] that does not
/// come from the predictions).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SplitInfo {
    /// `kfold` or `time`.
    pub split: String,
    /// Folds (1 for a time split).
    pub folds: u32,
    /// The time column.
    pub time_column: Option<String>,
    /// The held-out share of a time split.
    pub test_share: Option<f64>,
    /// The earliest held-out time as written.
    pub test_from: Option<String>,
    /// Rows without a time.
    pub time_missing: u64,
    /// Training rows per fit.
    pub train_rows: u64,
}

impl Evaluation {
    /// The evaluation of held-out labels `y` and calibrated probabilities `p` with the
    /// model's cut `threshold` chosen by `policy`. `None` on input that breaks the
    /// metrics' contract (see [`super::metrics`]).
    pub fn new(
        split: SplitInfo,
        policy: &str,
        threshold: f64,
        y: &[f64],
        p: &[f64],
    ) -> Option<Evaluation> {
        if !valid(y, p) {
            return None;
        }
        let groups = tie_groups(y, p);
        let n = y.len() as u64;
        let n_pos: u64 = groups.iter().map(|g| g.1).sum();
        // Cumulative (tp, flagged) after each group, by descending score.
        let mut cum = Vec::with_capacity(groups.len());
        let (mut tp, mut flagged) = (0u64, 0u64);
        for &(_, pos, neg) in &groups {
            tp += pos;
            flagged += pos + neg;
            cum.push((tp, flagged));
        }
        let confusion = |tp: u64, flagged: u64| Confusion {
            tp,
            fp: flagged - tp,
            fn_: n_pos - tp,
            tn: n - flagged - (n_pos - tp),
        };
        // Which groups become rows: all of them, or one per quantile of the rows.
        let mut picks: Vec<usize> = if groups.len() <= THRESHOLD_POINTS {
            (0..groups.len()).collect()
        } else {
            let mut v: Vec<usize> = (1..=THRESHOLD_POINTS)
                .map(|i| {
                    let rows = (i as u64 * n).div_ceil(THRESHOLD_POINTS as u64);
                    cum.partition_point(|&(_, f)| f < rows)
                        .min(groups.len() - 1)
                })
                .collect();
            v.dedup();
            v
        };
        // The model's cut flags the groups scoring at least it.
        let at_k = groups.partition_point(|g| g.0 >= threshold);
        let at = if at_k == 0 {
            ThresholdPoint::new(threshold, confusion(0, 0))
        } else {
            let (tp, f) = cum[at_k - 1];
            ThresholdPoint::new(threshold, confusion(tp, f))
        };
        if at_k > 0 && !picks.contains(&(at_k - 1)) && groups[at_k - 1].0 == threshold {
            picks.push(at_k - 1);
        }
        // Ascending cut = descending group index.
        picks.sort_unstable_by(|a, b| b.cmp(a));
        let thresholds = picks
            .iter()
            .map(|&k| {
                let (tp, f) = cum[k];
                ThresholdPoint::new(groups[k].0, confusion(tp, f))
            })
            .collect();
        let bins = HISTOGRAM_BINS;
        let (mut positives, mut negatives) = (vec![0u64; bins], vec![0u64; bins]);
        for (&y, &p) in y.iter().zip(p) {
            let b = ((p.clamp(0.0, 1.0) * bins as f64) as usize).min(bins - 1);
            if y > 0.5 {
                positives[b] += 1;
            } else {
                negatives[b] += 1;
            }
        }
        Some(Evaluation {
            split: split.split,
            folds: split.folds,
            time_column: split.time_column,
            test_share: split.test_share,
            test_from: split.test_from,
            time_missing: split.time_missing,
            train_rows: split.train_rows,
            test_rows: n,
            policy: policy.to_owned(),
            threshold,
            at_threshold: at,
            thresholds,
            calibration: calibration_curve(y, p, CALIBRATION_BINS),
            histogram: Histogram {
                bins: bins as u32,
                positives,
                negatives,
            },
            challenger: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::confusion_at;

    fn split() -> SplitInfo {
        SplitInfo {
            split: "kfold".into(),
            folds: 5,
            ..SplitInfo::default()
        }
    }

    #[test]
    fn every_row_agrees_with_the_confusion_matrix() {
        let mut rng = crate::rng::Rng::derive(3, 3);
        for n in [1usize, 7, 150, 5000] {
            let y: Vec<f64> = (0..n).map(|i| f64::from(i % 3 == 0)).collect();
            let p: Vec<f64> = y
                .iter()
                .map(|&v| ((0.3 * v + 0.7 * rng.f64()) * 1000.0).round() / 1000.0)
                .collect();
            let e = Evaluation::new(split(), "balanced", 0.5, &y, &p).unwrap();
            assert!(e.thresholds.len() <= THRESHOLD_POINTS + 1);
            assert!(!e.thresholds.is_empty());
            assert!(e
                .thresholds
                .windows(2)
                .all(|w| w[0].threshold < w[1].threshold));
            for row in e.thresholds.iter().chain([&e.at_threshold]) {
                let c = confusion_at(&y, &p, row.threshold);
                assert_eq!((row.tp, row.fp, row.tn, row.fn_), (c.tp, c.fp, c.tn, c.fn_));
                assert_eq!(row.precision, c.precision());
                assert_eq!(row.recall, c.recall());
            }
            let h = &e.histogram;
            let total: u64 = h.positives.iter().chain(&h.negatives).sum();
            assert_eq!(total, n as u64);
            assert_eq!(e.test_rows, n as u64);
        }
    }

    #[test]
    fn the_policy_cut_is_a_row_of_the_table() {
        let y: Vec<f64> = (0..10_000).map(|i| f64::from(i % 5 == 0)).collect();
        let p: Vec<f64> = (0..10_000)
            .map(|i| (i as f64 * 0.618_033_988_7).fract())
            .collect();
        let cut = p[1234];
        let e = Evaluation::new(split(), "max_f1", cut, &y, &p).unwrap();
        assert!(e.thresholds.iter().any(|r| r.threshold == cut));
        assert!(e.thresholds.len() <= THRESHOLD_POINTS + 1);
        assert!(Evaluation::new(split(), "balanced", 0.5, &[], &[]).is_none());
    }
}
