//! Binary-classification metrics on labels `y` (0/1 as `f64`) and predicted
//! probabilities `p`: ROC AUC, average precision (PR AUC), log-loss, Brier score, the
//! confusion matrix at a threshold, the threshold table, lift by decile and the
//! calibration curve.
//!
//! Everything is `O(n log n)` (one sort) or better, and nothing panics, whatever the
//! input.
//!
//! # The input contract
//!
//! - `y` and `p` have the same length;
//! - a label counts as positive when `y > 0.5` (so 0/1 and 0.0/1.0 work as expected);
//!   a NaN label is invalid;
//! - `p` holds no NaN. Ranking metrics accept any finite or infinite score; `log_loss`
//!   clips `p` to `[1e-15, 1 - 1e-15]`; `calibration_curve` clamps `p` into `[0, 1]`.
//!
//! When the contract is broken (different lengths, a NaN), no function panics: those
//! returning `Option` give `None`, [`log_loss`] and [`brier`] give NaN, those returning
//! a `Vec` give an empty `Vec`, and [`confusion_at`] gives an all-zero [`Confusion`].
//! Empty input is treated the same way.
//!
//! Ties between scores are handled exactly everywhere: tied rows are one group, never
//! split by their order in the input.
//!
//! # Example
//!
//! ```
//! use leadscore::eval::metrics::{average_precision, confusion_at, roc_auc};
//!
//! let y = [0.0, 0.0, 1.0, 1.0];
//! let p = [0.1, 0.4, 0.35, 0.8];
//! assert_eq!(roc_auc(&y, &p), Some(0.75));
//! assert!((average_precision(&y, &p).unwrap() - 0.8333333333333333).abs() < 1e-12);
//! let c = confusion_at(&y, &p, 0.5);
//! assert_eq!((c.tp, c.fp, c.tn, c.fn_), (1, 0, 2, 1));
//! assert_eq!(c.precision(), 1.0);
//! // A single class has no ROC AUC.
//! assert_eq!(roc_auc(&[1.0, 1.0], &[0.3, 0.7]), None);
//! ```

use serde::{Deserialize, Serialize};

/// The clipping bound of [`log_loss`]: `p` is clipped to `[EPS, 1 - EPS]`.
pub const LOG_LOSS_EPS: f64 = 1e-15;

#[inline]
fn is_pos(y: f64) -> bool {
    y > 0.5
}

/// True when the inputs satisfy the module's contract (same length, non-empty, no NaN).
pub(crate) fn valid(y: &[f64], p: &[f64]) -> bool {
    !y.is_empty()
        && y.len() == p.len()
        && y.iter().all(|v| !v.is_nan())
        && p.iter().all(|v| !v.is_nan())
}

/// Groups of tied scores in descending score order: `(score, positives, negatives)`.
/// Callers must have checked [`valid`].
pub(crate) fn tie_groups(y: &[f64], p: &[f64]) -> Vec<(f64, u64, u64)> {
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_unstable_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut groups: Vec<(f64, u64, u64)> = Vec::new();
    for i in order {
        let pos = u64::from(is_pos(y[i]));
        match groups.last_mut() {
            // `==` also joins 0.0 and -0.0, which `total_cmp` keeps adjacent.
            Some(g) if g.0 == p[i] => {
                g.1 += pos;
                g.2 += 1 - pos;
            }
            _ => groups.push((p[i], pos, 1 - pos)),
        }
    }
    groups
}

/// Area under the ROC curve: the probability that a random positive scores above a
/// random negative, tied scores counting 1/2 (the Mann–Whitney U statistic with
/// midranks, computed exactly with integer counts).
///
/// `None` when there is only one class, and on input that breaks the module's
/// contract (see the module docs).
pub fn roc_auc(y: &[f64], p: &[f64]) -> Option<f64> {
    if !valid(y, p) {
        return None;
    }
    let groups = tie_groups(y, p);
    let n_pos: u64 = groups.iter().map(|g| g.1).sum();
    let n_neg: u64 = groups.iter().map(|g| g.2).sum();
    if n_pos == 0 || n_neg == 0 {
        return None;
    }
    // Twice the U statistic, in integers: each positive beats the negatives below its
    // group (2 points each) and ties with those inside it (1 point each).
    let mut neg_below = n_neg;
    let mut twice_u: u128 = 0;
    for &(_, pos, neg) in &groups {
        neg_below -= neg;
        twice_u += u128::from(pos) * u128::from(2 * neg_below + neg);
    }
    Some(twice_u as f64 / (2.0 * n_pos as f64 * n_neg as f64))
}

/// Average precision, scikit-learn's `average_precision_score`: the sum over distinct
/// score thresholds (descending) of the recall gained times the precision there,
/// `sum_k (R_k - R_{k-1}) * P_k`, with tied scores forming one threshold.
///
/// `None` when there are no positives (scikit-learn returns 0 with a warning) and on
/// input that breaks the module's contract; `Some(1.0)` when every label is positive.
pub fn average_precision(y: &[f64], p: &[f64]) -> Option<f64> {
    if !valid(y, p) {
        return None;
    }
    let groups = tie_groups(y, p);
    let n_pos: u64 = groups.iter().map(|g| g.1).sum();
    if n_pos == 0 {
        return None;
    }
    let (mut tp, mut fp, mut ap) = (0u64, 0u64, 0.0f64);
    for &(_, pos, neg) in &groups {
        tp += pos;
        fp += neg;
        if pos > 0 {
            ap += (pos as f64 / n_pos as f64) * (tp as f64 / (tp + fp) as f64);
        }
    }
    Some(ap)
}

/// Mean binary cross-entropy, with `p` clipped to `[1e-15, 1 - 1e-15]`
/// ([`LOG_LOSS_EPS`]) so a confident mistake costs about 34.5, not infinity.
///
/// NaN on input that breaks the module's contract (including empty input).
/// (scikit-learn 1.5+ clips to the machine epsilon `2.2e-16` instead; results differ
/// only when some `p` lies within `1e-15` of 0 or 1.)
pub fn log_loss(y: &[f64], p: &[f64]) -> f64 {
    if !valid(y, p) {
        return f64::NAN;
    }
    let sum: f64 = y
        .iter()
        .zip(p)
        .map(|(&y, &p)| {
            let p = p.clamp(LOG_LOSS_EPS, 1.0 - LOG_LOSS_EPS);
            if is_pos(y) {
                -p.ln()
            } else {
                -(1.0 - p).ln()
            }
        })
        .sum();
    sum / y.len() as f64
}

/// Brier score: the mean squared difference between `p` and the 0/1 label.
///
/// NaN on input that breaks the module's contract (including empty input).
pub fn brier(y: &[f64], p: &[f64]) -> f64 {
    if !valid(y, p) {
        return f64::NAN;
    }
    let sum: f64 = y
        .iter()
        .zip(p)
        .map(|(&y, &p)| {
            let d = p - f64::from(u8::from(is_pos(y)));
            d * d
        })
        .sum();
    sum / y.len() as f64
}

/// `a / b`, or 0 when `b` is 0.
#[inline]
fn ratio(a: f64, b: f64) -> f64 {
    if b == 0.0 {
        0.0
    } else {
        a / b
    }
}

/// A confusion matrix: counts of true/false positives and negatives.
///
/// The derived rates are 0 where they are undefined (no predicted positives for
/// precision, no actual positives for recall, no rows for accuracy), as scikit-learn
/// does with `zero_division=0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Confusion {
    /// Positives predicted positive.
    pub tp: u64,
    /// Negatives predicted positive.
    pub fp: u64,
    /// Negatives predicted negative.
    pub tn: u64,
    /// Positives predicted negative (`fn` is a keyword).
    pub fn_: u64,
}

impl Confusion {
    /// `tp / (tp + fp)`, 0 when nothing is predicted positive.
    pub fn precision(&self) -> f64 {
        ratio(self.tp as f64, (self.tp + self.fp) as f64)
    }

    /// `tp / (tp + fn)`, 0 when there are no positives.
    pub fn recall(&self) -> f64 {
        ratio(self.tp as f64, (self.tp + self.fn_) as f64)
    }

    /// The harmonic mean of precision and recall, `2tp / (2tp + fp + fn)`; 0 when
    /// `tp` is 0.
    pub fn f1(&self) -> f64 {
        ratio(
            2.0 * self.tp as f64,
            (2 * self.tp + self.fp + self.fn_) as f64,
        )
    }

    /// `(tp + tn) / total`, 0 when there are no rows.
    pub fn accuracy(&self) -> f64 {
        ratio((self.tp + self.tn) as f64, self.total() as f64)
    }

    /// Number of rows counted.
    pub fn total(&self) -> u64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    /// Adds another matrix's counts to this one (to pool cross-validation folds).
    pub fn add(&mut self, other: &Confusion) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.tn += other.tn;
        self.fn_ += other.fn_;
    }
}

impl std::ops::AddAssign for Confusion {
    fn add_assign(&mut self, other: Confusion) {
        self.add(&other);
    }
}

impl std::ops::Add for Confusion {
    type Output = Confusion;
    fn add(mut self, other: Confusion) -> Confusion {
        self += other;
        self
    }
}

/// The confusion matrix when a row is predicted positive if `p >= threshold`.
///
/// All zeros on input that breaks the module's contract.
pub fn confusion_at(y: &[f64], p: &[f64], threshold: f64) -> Confusion {
    let mut c = Confusion::default();
    if !valid(y, p) {
        return c;
    }
    for (&y, &p) in y.iter().zip(p) {
        match (is_pos(y), p >= threshold) {
            (true, true) => c.tp += 1,
            (true, false) => c.fn_ += 1,
            (false, true) => c.fp += 1,
            (false, false) => c.tn += 1,
        }
    }
    c
}

/// One tenth of the rows, ranked by descending probability (see [`lift_by_decile`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decile {
    /// 1 for the highest-scored tenth, 10 for the lowest.
    pub decile: u32,
    /// Number of rows in this tenth.
    pub rows: u64,
    /// The highest probability in this tenth (NaN when it has no rows).
    pub p_max: f64,
    /// The lowest probability in this tenth (NaN when it has no rows).
    pub p_min: f64,
    /// Positives in this tenth. Fractional when a group of tied scores straddles a
    /// decile boundary: the group's positives are then shared in proportion to its
    /// rows on each side, so the result never depends on the input order.
    pub positives: f64,
    /// `positives / rows` (0 for an empty tenth).
    pub positive_rate: f64,
    /// `positive_rate` over the overall positive rate: how many times better than a
    /// random pick this tenth is (1 = no better; 0 when undefined).
    pub lift: f64,
    /// Share of all positives found in the deciles up to and including this one
    /// (0 when there are no positives).
    pub cumulative_capture: f64,
}

/// Lift table: rows sorted by descending `p` and cut into 10 groups of (nearly) equal
/// size (group `k` holds sorted rows `k*n/10 .. (k+1)*n/10`), with each group's
/// positive rate, lift over the base rate and the cumulative share of positives
/// captured.
///
/// Always 10 entries for valid input (some have no rows when there are fewer than 10
/// rows); empty on input that breaks the module's contract.
pub fn lift_by_decile(y: &[f64], p: &[f64]) -> Vec<Decile> {
    if !valid(y, p) {
        return Vec::new();
    }
    let n = y.len();
    let groups = tie_groups(y, p);
    let n_pos: u64 = groups.iter().map(|g| g.1).sum();
    let base_rate = n_pos as f64 / n as f64;
    let mut out = Vec::with_capacity(10);
    let mut g = 0usize; // current tie group
    let mut used_in_g = 0u64; // rows of group `g` already assigned to earlier deciles
    let mut cum_pos = 0.0f64;
    for k in 0..10usize {
        let start = k * n / 10;
        let end = (k + 1) * n / 10;
        let rows = (end - start) as u64;
        let mut need = rows;
        let mut positives = 0.0f64;
        let (mut p_max, mut p_min) = (f64::NAN, f64::NAN);
        while need > 0 && g < groups.len() {
            let (score, pos, neg) = groups[g];
            let size = pos + neg;
            let take = need.min(size - used_in_g);
            if p_max.is_nan() {
                p_max = score;
            }
            p_min = score;
            positives += pos as f64 * take as f64 / size as f64;
            used_in_g += take;
            need -= take;
            if used_in_g == size {
                g += 1;
                used_in_g = 0;
            }
        }
        cum_pos += positives;
        let positive_rate = ratio(positives, rows as f64);
        out.push(Decile {
            decile: k as u32 + 1,
            rows,
            p_max,
            p_min,
            positives,
            positive_rate,
            lift: ratio(positive_rate, base_rate),
            cumulative_capture: ratio(cum_pos, n_pos as f64),
        });
    }
    out
}

/// One line of the threshold table (see [`threshold_table`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRow {
    /// Rows with `p >= threshold` are predicted positive.
    pub threshold: f64,
    /// Precision at this threshold (0 when nothing is predicted positive).
    pub precision: f64,
    /// Recall at this threshold (0 when there are no positives).
    pub recall: f64,
    /// F1 at this threshold (0 when undefined).
    pub f1: f64,
    /// Share of all rows predicted positive: the workload this threshold creates.
    pub positive_share: f64,
}

/// Precision, recall, F1 and the share predicted positive at `points` thresholds evenly
/// spaced from 0: `threshold = i / points` for `i` in `0..points` (so 100 points give
/// 0.00, 0.01, ..., 0.99).
///
/// Empty when `points` is 0 and on input that breaks the module's contract.
/// `O(n log n + points log n)`.
pub fn threshold_table(y: &[f64], p: &[f64], points: usize) -> Vec<ThresholdRow> {
    if points == 0 || !valid(y, p) {
        return Vec::new();
    }
    let groups = tie_groups(y, p);
    let n_pos: u64 = groups.iter().map(|g| g.1).sum();
    let n = y.len() as u64;
    // Cumulative (tp, predicted positive) after each group, in descending score order.
    let mut cum = Vec::with_capacity(groups.len());
    let (mut tp, mut pp) = (0u64, 0u64);
    for &(_, pos, neg) in &groups {
        tp += pos;
        pp += pos + neg;
        cum.push((tp, pp));
    }
    (0..points)
        .map(|i| {
            let threshold = i as f64 / points as f64;
            // Groups with score >= threshold form a prefix of `groups`.
            let k = groups.partition_point(|g| g.0 >= threshold);
            let (tp, pp) = if k == 0 { (0, 0) } else { cum[k - 1] };
            let c = Confusion {
                tp,
                fp: pp - tp,
                fn_: n_pos - tp,
                tn: n - pp - (n_pos - tp),
            };
            ThresholdRow {
                threshold,
                precision: c.precision(),
                recall: c.recall(),
                f1: c.f1(),
                positive_share: pp as f64 / n as f64,
            }
        })
        .collect()
}

/// The threshold that maximises F1 when rows with `p >= threshold` are predicted
/// positive. Every distinct score is tried; among equal F1 values the highest
/// threshold (fewest predicted positives) wins. The result is one of the scores in `p`.
///
/// `None` when there are no positives (F1 is 0 everywhere) and on input that breaks
/// the module's contract.
pub fn best_f1_threshold(y: &[f64], p: &[f64]) -> Option<f64> {
    if !valid(y, p) {
        return None;
    }
    let groups = tie_groups(y, p);
    let n_pos: u64 = groups.iter().map(|g| g.1).sum();
    if n_pos == 0 {
        return None;
    }
    let (mut tp, mut fp) = (0u64, 0u64);
    let mut best: Option<(f64, f64)> = None; // (f1, threshold)
    for &(score, pos, neg) in &groups {
        tp += pos;
        fp += neg;
        let f1 = 2.0 * tp as f64 / (tp + n_pos + fp) as f64;
        // Strictly greater: the earlier (higher) threshold wins ties.
        let better = match best {
            None => true,
            Some((b, _)) => f1 > b,
        };
        if better {
            best = Some((f1, score));
        }
    }
    best.map(|(_, t)| t)
}

/// One bin of the calibration curve (see [`calibration_curve`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// The bin's lower edge (exclusive, except 0.0 for the first bin).
    pub lower: f64,
    /// The bin's upper edge (inclusive).
    pub upper: f64,
    /// Rows whose probability falls in the bin.
    pub rows: u64,
    /// Mean predicted probability of those rows.
    pub mean_predicted: f64,
    /// Observed positive rate of those rows.
    pub observed_rate: f64,
}

/// Reliability diagram: `bins` equal-width bins on `[0, 1]`, each with the mean
/// predicted probability and the observed positive rate of its rows. A well-calibrated
/// model has the two close in every bin.
///
/// Bin `i` covers `(i/bins, (i+1)/bins]` (the first one also holds 0): a probability on
/// an edge goes to the lower bin, as in scikit-learn's `calibration_curve`
/// (`strategy="uniform"`); probabilities outside `[0, 1]` are clamped. Empty bins are
/// left out, as scikit-learn does. Empty when `bins` is 0 and
/// on input that breaks the module's contract.
pub fn calibration_curve(y: &[f64], p: &[f64], bins: usize) -> Vec<CalibrationBin> {
    if bins == 0 || !valid(y, p) {
        return Vec::new();
    }
    let edges: Vec<f64> = (0..=bins).map(|i| i as f64 / bins as f64).collect();
    let mut rows = vec![0u64; bins];
    let mut sum_p = vec![0.0f64; bins];
    let mut pos = vec![0u64; bins];
    for (&y, &p) in y.iter().zip(p) {
        let p = p.clamp(0.0, 1.0);
        // The number of inner edges strictly below `p` (numpy's `searchsorted`).
        let b = edges[1..bins].partition_point(|&e| e < p);
        rows[b] += 1;
        sum_p[b] += p;
        pos[b] += u64::from(is_pos(y));
    }
    (0..bins)
        .filter(|&b| rows[b] > 0)
        .map(|b| CalibrationBin {
            lower: edges[b],
            upper: edges[b + 1],
            rows: rows[b],
            mean_predicted: sum_p[b] / rows[b] as f64,
            observed_rate: pos[b] as f64 / rows[b] as f64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-12 * (1.0 + b.abs())
    }

    fn ys(v: &[u8]) -> Vec<f64> {
        v.iter().map(|&x| f64::from(x)).collect()
    }

    /// Small fixed cases with many ties. The expected numbers come from scikit-learn
    /// 1.9.1 (numpy 2.4.6): `roc_auc_score`, `average_precision_score`, `log_loss`,
    /// `brier_score_loss` on exactly these arrays.
    fn sklearn_cases() -> Vec<(Vec<f64>, Vec<f64>, [f64; 4])> {
        vec![
            (
                ys(&[0, 0, 1, 1, 0, 1, 0, 1, 1, 0]),
                vec![0.1, 0.4, 0.35, 0.8, 0.4, 0.4, 0.05, 0.9, 0.35, 0.6],
                [0.68, 0.75, 0.543903483729506, 0.19475000000000003],
            ),
            (
                ys(&[1, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1, 0]),
                vec![0.5, 0.5, 0.5, 0.2, 0.2, 0.9, 0.1, 0.9, 0.3, 0.3, 0.7, 0.5],
                [
                    0.671875,
                    0.48971861471861466,
                    0.6823750951761656,
                    0.23166666666666666,
                ],
            ),
            (
                ys(&[0, 1, 0, 1, 1, 0, 0, 0]),
                vec![0.3; 8],
                [0.5, 0.375, 0.6744116415839339, 0.24],
            ),
            (
                ys(&[1, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0]),
                vec![
                    0.92, 0.11, 0.67, 0.11, 0.48, 0.48, 0.48, 0.02, 0.31, 0.77, 0.67, 0.25, 0.0,
                    1.0, 0.31,
                ],
                [
                    0.8333333333333334,
                    0.7950757575757575,
                    0.45183512572111656,
                    0.15517333333333333,
                ],
            ),
        ]
    }

    #[test]
    fn matches_scikit_learn() {
        for (i, (y, p, [auc, ap, ll, br])) in sklearn_cases().into_iter().enumerate() {
            let got = roc_auc(&y, &p).unwrap();
            assert!(close(got, auc), "case {i} auc {got} vs {auc}");
            let got = average_precision(&y, &p).unwrap();
            assert!(close(got, ap), "case {i} ap {got} vs {ap}");
            let got = log_loss(&y, &p);
            assert!(close(got, ll), "case {i} log_loss {got} vs {ll}");
            let got = brier(&y, &p);
            assert!(close(got, br), "case {i} brier {got} vs {br}");
        }
    }

    #[test]
    fn auc_is_order_independent_and_flips() {
        let (y, p, _) = sklearn_cases().remove(1);
        let auc = roc_auc(&y, &p).unwrap();
        let mut idx: Vec<usize> = (0..y.len()).rev().collect();
        idx.rotate_left(5);
        let y2: Vec<f64> = idx.iter().map(|&i| y[i]).collect();
        let p2: Vec<f64> = idx.iter().map(|&i| p[i]).collect();
        assert_eq!(roc_auc(&y2, &p2), Some(auc));
        assert_eq!(average_precision(&y2, &p2), average_precision(&y, &p));
        let neg: Vec<f64> = p.iter().map(|x| -x).collect();
        assert!(close(roc_auc(&y, &neg).unwrap(), 1.0 - auc));
        // Perfect and reversed rankings; -0.0 ties with 0.0.
        assert_eq!(roc_auc(&[0.0, 1.0], &[0.2, 0.9]), Some(1.0));
        assert_eq!(roc_auc(&[0.0, 1.0], &[0.9, 0.2]), Some(0.0));
        assert_eq!(roc_auc(&[0.0, 1.0], &[-0.0, 0.0]), Some(0.5));
    }

    #[test]
    fn bad_input_never_panics() {
        let nan = f64::NAN;
        for (y, p) in [
            (vec![], vec![]),
            (vec![1.0], vec![0.5, 0.5]),
            (vec![0.0, 1.0], vec![0.5, nan]),
            (vec![nan, 1.0], vec![0.5, 0.5]),
        ] {
            assert_eq!(roc_auc(&y, &p), None);
            assert_eq!(average_precision(&y, &p), None);
            assert_eq!(best_f1_threshold(&y, &p), None);
            assert!(log_loss(&y, &p).is_nan());
            assert!(brier(&y, &p).is_nan());
            assert_eq!(confusion_at(&y, &p, 0.5), Confusion::default());
            assert!(lift_by_decile(&y, &p).is_empty());
            assert!(threshold_table(&y, &p, 10).is_empty());
            assert!(calibration_curve(&y, &p, 10).is_empty());
        }
        // Single class.
        let (y0, y1, p) = ([0.0; 3], [1.0; 3], [0.2, 0.5, 0.5]);
        assert_eq!(roc_auc(&y0, &p), None);
        assert_eq!(roc_auc(&y1, &p), None);
        assert_eq!(average_precision(&y0, &p), None);
        // scikit-learn 1.9.1: average_precision_score([1,1,1], [0.2,0.5,0.5]) == 1.0
        assert_eq!(average_precision(&y1, &p), Some(1.0));
        assert_eq!(best_f1_threshold(&y0, &p), None);
        assert_eq!(lift_by_decile(&y0, &p).len(), 10);
        assert!(lift_by_decile(&y0, &p).iter().all(|d| d.lift == 0.0));
        // Infinite scores rank fine.
        assert_eq!(
            roc_auc(&[0.0, 1.0, 1.0], &[f64::NEG_INFINITY, 0.0, f64::INFINITY]),
            Some(1.0)
        );
    }

    #[test]
    fn log_loss_clips() {
        // About 34.54; `1 - 1e-15` is not exact in binary, hence the loose bound.
        let worst = -(LOG_LOSS_EPS).ln();
        assert!(close(log_loss(&[1.0], &[0.0]), worst));
        assert!((log_loss(&[0.0], &[1.0]) - worst).abs() < 0.1);
        assert!(log_loss(&[1.0], &[1.0]) < 1e-14);
        assert_eq!(brier(&[1.0, 0.0], &[1.0, 0.0]), 0.0);
    }

    #[test]
    fn confusion_counts_and_rates() {
        let (y, p, _) = sklearn_cases().remove(0);
        let c = confusion_at(&y, &p, 0.4);
        // p >= 0.4: rows 1 (0), 3 (1), 4 (0), 5 (1), 7 (1), 9 (0).
        assert_eq!(
            c,
            Confusion {
                tp: 3,
                fp: 3,
                tn: 2,
                fn_: 2
            }
        );
        assert!(close(c.precision(), 0.5));
        assert!(close(c.recall(), 0.6));
        assert!(close(c.f1(), 6.0 / 11.0));
        assert!(close(c.accuracy(), 0.5));
        let z = Confusion::default();
        assert_eq!(
            (z.precision(), z.recall(), z.f1(), z.accuracy()),
            (0.0, 0.0, 0.0, 0.0)
        );
        let mut s = c;
        s.add(&c);
        assert_eq!(s, c + c);
        assert_eq!(s.total(), 20);
        let mut t = z;
        t += c;
        assert_eq!(t, c);
    }

    #[test]
    fn threshold_table_agrees_with_confusion() {
        let (y, p, _) = sklearn_cases().remove(3);
        let table = threshold_table(&y, &p, 20);
        assert_eq!(table.len(), 20);
        assert_eq!(table[0].threshold, 0.0);
        assert_eq!(table[0].positive_share, 1.0);
        for row in &table {
            let c = confusion_at(&y, &p, row.threshold);
            assert_eq!(row.precision, c.precision(), "t = {}", row.threshold);
            assert_eq!(row.recall, c.recall());
            assert_eq!(row.f1, c.f1());
            assert_eq!(row.positive_share, (c.tp + c.fp) as f64 / y.len() as f64);
        }
        assert!(threshold_table(&y, &p, 0).is_empty());
    }

    #[test]
    fn best_f1_is_the_max_over_scores() {
        for (y, p, _) in sklearn_cases() {
            let t = best_f1_threshold(&y, &p).unwrap();
            assert!(p.contains(&t));
            let best = confusion_at(&y, &p, t).f1();
            for &s in &p {
                let f = confusion_at(&y, &p, s).f1();
                assert!(f < best || (f == best && s <= t), "t {t} s {s}");
            }
        }
        // Case C: one tie group, so the only threshold is 0.3.
        let (y, p, _) = sklearn_cases().remove(2);
        assert_eq!(best_f1_threshold(&y, &p), Some(0.3));
    }

    #[test]
    fn lift_deciles() {
        // 20 rows, scores 19..0; positives at the top 4 and at row score 10.
        let p: Vec<f64> = (0..20).rev().map(f64::from).collect();
        let y: Vec<f64> = (0..20)
            .map(|i| f64::from(u8::from(i < 4 || i == 9)))
            .collect();
        let d = lift_by_decile(&y, &p);
        assert_eq!(d.len(), 10);
        assert!(d.iter().all(|x| x.rows == 2));
        assert_eq!(d[0].positives, 2.0);
        assert_eq!(d[0].lift, 1.0 / 0.25);
        assert_eq!((d[0].p_max, d[0].p_min), (19.0, 18.0));
        assert!(close(d[1].cumulative_capture, 0.8));
        assert_eq!(d[4].positives, 1.0);
        assert!(close(d[9].cumulative_capture, 1.0));
        // A constant score is no better than random: lift 1 everywhere, whatever the
        // row order.
        let flat = lift_by_decile(&y, &[0.5; 20]);
        assert!(flat.iter().all(|x| close(x.lift, 1.0)));
        assert!(close(flat[4].cumulative_capture, 0.5));
        // Fewer rows than deciles.
        let small = lift_by_decile(&[1.0, 0.0, 1.0], &[0.9, 0.1, 0.5]);
        assert_eq!(small.iter().map(|x| x.rows).sum::<u64>(), 3);
        assert!(small.iter().any(|x| x.rows == 0 && x.p_max.is_nan()));
        let total: f64 = small.iter().map(|x| x.positives).sum();
        assert!(close(total, 2.0));
    }

    #[test]
    fn calibration_matches_scikit_learn() {
        let (y, p, _) = sklearn_cases().remove(3);
        // scikit-learn 1.9.1: calibration_curve(y, p, n_bins=4) ->
        // prob_true [0.2, 0.2, 1.0, 0.6666666666666666],
        // prob_pred [0.098, 0.41200000000000003, 0.67, 0.8966666666666666]
        let bins = calibration_curve(&y, &p, 4);
        let observed = [0.2, 0.2, 1.0, 0.6666666666666666];
        let predicted = [0.098, 0.41200000000000003, 0.67, 0.8966666666666666];
        assert_eq!(bins.len(), 4);
        for (b, (o, m)) in bins.iter().zip(observed.iter().zip(predicted)) {
            assert!(close(b.observed_rate, *o));
            assert!(close(b.mean_predicted, m));
        }
        assert_eq!(bins.iter().map(|b| b.rows).sum::<u64>(), 15);
        // Empty bins are dropped; 0.0 goes to the first bin; edges go down.
        let b = calibration_curve(&[1.0, 0.0, 1.0], &[1.0, 0.5, 0.0], 10);
        assert_eq!(b.len(), 3);
        assert_eq!((b[0].lower, b[1].lower, b[2].upper), (0.0, 0.4, 1.0));
        assert!(calibration_curve(&y, &p, 0).is_empty());
    }
}
