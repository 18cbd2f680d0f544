//! Threshold policies: how a model's decision cut is chosen.
//!
//! Every policy but `balanced` picks the cut on held-out predictions (the pooled
//! out-of-fold probabilities of cross-validation, or the test rows of a time split),
//! never on the rows the model was fitted on, so the precision, recall or share it
//! promises is the one new leads will see.
//!
//! ```
//! use leadscore::eval::ThresholdPolicy;
//! let y = [1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
//! let p = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
//! let policy = ThresholdPolicy::parse("precision>=0.75")?;
//! // The lowest cut whose precision is still 0.75: the top four rows.
//! assert_eq!(policy.choose(&y, &p)?, 0.6);
//! assert_eq!(ThresholdPolicy::parse("top_share=0.2")?.choose(&y, &p)?, 0.8);
//! assert_eq!(policy.to_string(), "precision>=0.75");
//! # Ok::<(), leadscore::Error>(())
//! ```

use super::metrics::{tie_groups, valid};
use crate::error::{Error, Result};
use std::fmt;

/// How the decision threshold of a model is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum ThresholdPolicy {
    /// The balanced model's 0.5 (log-odds 0 of the rebalanced fit, moved back to the
    /// calibrated scale): rows above it are likelier than not in a world of equal
    /// classes. Needs no held-out predictions. The default.
    #[default]
    Balanced,
    /// The cut with the highest F1 on held-out predictions.
    MaxF1,
    /// The lowest cut (the most recall) whose held-out precision is at least this.
    MinPrecision(f64),
    /// The highest cut (the fewest flagged) whose held-out recall is at least this.
    MinRecall(f64),
    /// The cut that flags this share of the held-out leads, as near as ties allow (a
    /// sales team's capacity).
    TopShare(f64),
}

impl ThresholdPolicy {
    /// Parses `balanced`, `max_f1`, `precision>=P`, `recall>=R` or `top_share=S`, with
    /// `P`, `R` and `S` in `(0, 1]` (a share may also be written as a percentage,
    /// `top_share=10%`). Spaces are ignored.
    pub fn parse(text: &str) -> Result<ThresholdPolicy> {
        let s: String = text
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_ascii_lowercase();
        let value = |name: &str, v: &str| -> Result<f64> {
            let (v, scale) = match v.strip_suffix('%') {
                Some(v) => (v, 100.0),
                None => (v, 1.0),
            };
            let x = v.parse::<f64>().ok().map(|x| x / scale);
            match x {
                Some(x) if x > 0.0 && x <= 1.0 => Ok(x),
                _ => Err(Error::InvalidInput(format!(
                    "threshold policy {name}: \"{v}\" is not a number in (0, 1]"
                ))),
            }
        };
        if s == "balanced" {
            Ok(ThresholdPolicy::Balanced)
        } else if s == "max_f1" || s == "maxf1" || s == "f1" {
            Ok(ThresholdPolicy::MaxF1)
        } else if let Some(v) = s.strip_prefix("precision>=") {
            Ok(ThresholdPolicy::MinPrecision(value("precision", v)?))
        } else if let Some(v) = s.strip_prefix("recall>=") {
            Ok(ThresholdPolicy::MinRecall(value("recall", v)?))
        } else if let Some(v) = s
            .strip_prefix("top_share=")
            .or_else(|| s.strip_prefix("top_share:"))
        {
            Ok(ThresholdPolicy::TopShare(value("top_share", v)?))
        } else {
            Err(Error::InvalidInput(format!(
                "unknown threshold policy \"{}\"; use balanced, max_f1, precision>=P, \
                 recall>=R or top_share=S (P, R, S in (0, 1])",
                text.trim()
            )))
        }
    }

    /// Whether the policy chooses its cut on held-out predictions (all but
    /// `balanced`).
    pub fn needs_held_out(&self) -> bool {
        *self != ThresholdPolicy::Balanced
    }

    /// The cut on `p` (rows with `p >= cut` are flagged) that the policy chooses for
    /// held-out labels `y` and probabilities `p`. Always one of the scores in `p`.
    ///
    /// Fails when the held-out rows cannot meet the policy (no cut reaches the asked
    /// precision; no positives for `max_f1` or `recall`) or `balanced` is asked (its
    /// cut comes from the model, not from predictions).
    pub fn choose(&self, y: &[f64], p: &[f64]) -> Result<f64> {
        if !valid(y, p) {
            return Err(Error::InvalidInput(
                "a threshold policy needs held-out predictions (none, or NaN among them)".into(),
            ));
        }
        let groups = tie_groups(y, p);
        let n = y.len() as f64;
        let n_pos: u64 = groups.iter().map(|g| g.1).sum();
        let no_positives = || {
            Err(Error::Training(format!(
                "threshold policy {self}: the held-out rows hold no positive row"
            )))
        };
        // (score, tp, flagged) after each group, in descending score order.
        let mut cum = Vec::with_capacity(groups.len());
        let (mut tp, mut flagged) = (0u64, 0u64);
        for &(score, pos, neg) in &groups {
            tp += pos;
            flagged += pos + neg;
            cum.push((score, tp, flagged));
        }
        match *self {
            ThresholdPolicy::Balanced => Err(Error::Internal(
                "the balanced threshold comes from the model".into(),
            )),
            ThresholdPolicy::MaxF1 => {
                if n_pos == 0 {
                    return no_positives();
                }
                super::metrics::best_f1_threshold(y, p)
                    .ok_or_else(|| Error::Internal("no F1 threshold on valid predictions".into()))
            }
            ThresholdPolicy::MinPrecision(want) => {
                if n_pos == 0 {
                    return no_positives();
                }
                let mut best: Option<f64> = None;
                let mut most = (0.0f64, f64::NAN);
                for &(score, tp, flagged) in &cum {
                    let precision = tp as f64 / flagged as f64;
                    if precision >= want {
                        best = Some(score);
                    }
                    if precision > most.0 {
                        most = (precision, score);
                    }
                }
                best.ok_or_else(|| {
                    Error::Training(format!(
                        "threshold policy {self}: no cut reaches precision {want} on the \
                         held-out rows; the most precise one gives {:.4} (at {:.4}); ask \
                         for less, or for recall>=R or top_share=S",
                        most.0, most.1
                    ))
                })
            }
            ThresholdPolicy::MinRecall(want) => {
                if n_pos == 0 {
                    return no_positives();
                }
                cum.iter()
                    .find(|&&(_, tp, _)| tp as f64 / n_pos as f64 >= want)
                    .map(|&(score, _, _)| score)
                    .ok_or_else(|| Error::Internal("recall never reaches 1".into()))
            }
            ThresholdPolicy::TopShare(share) => {
                let goal = share * n;
                // The prefix of tie groups whose size is nearest the goal; on a tie
                // the smaller one (fewer leads than asked rather than more).
                let mut best = (f64::INFINITY, f64::NAN);
                for &(score, _, flagged) in &cum {
                    let miss = (flagged as f64 - goal).abs();
                    if miss < best.0 {
                        best = (miss, score);
                    }
                }
                Ok(best.1)
            }
        }
    }
}

/// A chosen cut as a model stores it: strictly inside `(0, 1)`. A held-out score can
/// be exactly 0 or 1 (a near-perfect separator saturates the logistic function); the
/// cut then moves by at most `1e-12`, which flags the same leads.
pub fn model_cut(cut: f64) -> f64 {
    cut.clamp(1e-12, 1.0 - 1e-12)
}

impl fmt::Display for ThresholdPolicy {
    /// The text [`ThresholdPolicy::parse`] reads back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ThresholdPolicy::Balanced => f.write_str("balanced"),
            ThresholdPolicy::MaxF1 => f.write_str("max_f1"),
            ThresholdPolicy::MinPrecision(v) => write!(f, "precision>={v}"),
            ThresholdPolicy::MinRecall(v) => write!(f, "recall>={v}"),
            ThresholdPolicy::TopShare(v) => write!(f, "top_share={v}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eval::metrics::confusion_at;

    fn data() -> (Vec<f64>, Vec<f64>) {
        // Seeded scores with ties; positives score higher on average.
        let mut rng = crate::rng::Rng::derive(5, 1);
        let mut y = Vec::new();
        let mut p = Vec::new();
        for i in 0..2000 {
            let pos = i % 4 == 0;
            let base = if pos { 0.55 } else { 0.35 };
            let v = (base + 0.3 * (rng.f64() - 0.5) * 2.0).clamp(0.0, 1.0);
            y.push(if pos { 1.0 } else { 0.0 });
            p.push((v * 100.0).round() / 100.0);
        }
        (y, p)
    }

    #[test]
    fn parses_and_prints_back() {
        for text in [
            "balanced",
            "max_f1",
            "precision>=0.6",
            "recall>=0.8",
            "top_share=0.1",
        ] {
            let p = ThresholdPolicy::parse(text).unwrap();
            assert_eq!(p.to_string(), text);
        }
        assert_eq!(
            ThresholdPolicy::parse(" Precision >= 60% ").unwrap(),
            ThresholdPolicy::MinPrecision(0.6)
        );
        for bad in [
            "",
            "precision>=0",
            "precision>=1.5",
            "recall>=x",
            "top_share=-1",
            "best",
        ] {
            let e = ThresholdPolicy::parse(bad).unwrap_err().to_string();
            assert!(e.contains("threshold policy"), "{bad}: {e}");
        }
    }

    #[test]
    fn each_policy_keeps_its_promise() {
        let (y, p) = data();
        let cut = ThresholdPolicy::MinPrecision(0.6).choose(&y, &p).unwrap();
        let c = confusion_at(&y, &p, cut);
        assert!(c.precision() >= 0.6);
        // The next lower score would break it (the cut is the lowest that keeps it).
        let lower = p
            .iter()
            .copied()
            .filter(|&v| v < cut)
            .fold(f64::NAN, f64::max);
        if lower.is_finite() {
            let below = confusion_at(&y, &p, lower);
            let mut any_lower_ok = false;
            for v in p.iter().copied().filter(|&v| v < cut) {
                any_lower_ok |= confusion_at(&y, &p, v).precision() >= 0.6;
            }
            assert!(
                !any_lower_ok,
                "a lower cut {lower} still gives {}",
                below.precision()
            );
        }

        let cut = ThresholdPolicy::MinRecall(0.8).choose(&y, &p).unwrap();
        assert!(confusion_at(&y, &p, cut).recall() >= 0.8);
        let higher = p
            .iter()
            .copied()
            .filter(|&v| v > cut)
            .fold(f64::NAN, f64::min);
        assert!(confusion_at(&y, &p, higher).recall() < 0.8);

        let cut = ThresholdPolicy::TopShare(0.1).choose(&y, &p).unwrap();
        let c = confusion_at(&y, &p, cut);
        let share = (c.tp + c.fp) as f64 / y.len() as f64;
        assert!((share - 0.1).abs() < 0.02, "share {share}");

        let cut = ThresholdPolicy::MaxF1.choose(&y, &p).unwrap();
        let f1 = confusion_at(&y, &p, cut).f1();
        for &v in &p {
            assert!(confusion_at(&y, &p, v).f1() <= f1 + 1e-12);
        }
    }

    #[test]
    fn a_saturated_cut_stays_inside_the_unit_interval() {
        let y = [1.0, 1.0, 0.0, 0.0];
        let p = [1.0, 1.0, 0.0, 0.0];
        let cut = ThresholdPolicy::TopShare(0.5).choose(&y, &p).unwrap();
        assert_eq!(cut, 1.0);
        let stored = model_cut(cut);
        assert!(stored > 0.0 && stored < 1.0);
        assert_eq!(confusion_at(&y, &p, stored), confusion_at(&y, &p, cut));
        assert!(model_cut(0.0) > 0.0);
        assert_eq!(model_cut(0.25), 0.25);
    }

    #[test]
    fn unreachable_or_empty_is_an_error() {
        let y = [0.0, 1.0, 0.0, 1.0];
        let p = [0.9, 0.8, 0.7, 0.6];
        let e = ThresholdPolicy::MinPrecision(0.9)
            .choose(&y, &p)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no cut reaches precision 0.9"), "{e}");
        assert!(ThresholdPolicy::MaxF1
            .choose(&[0.0, 0.0], &[0.1, 0.2])
            .is_err());
        assert!(ThresholdPolicy::TopShare(0.5).choose(&[], &[]).is_err());
        assert!(ThresholdPolicy::MaxF1.choose(&[1.0], &[f64::NAN]).is_err());
    }
}
