//! Rebalancing the classes as sample weights (no rows are copied), and the intercept
//! correction that keeps probabilities calibrated afterwards.

use crate::error::{Error, Result};
use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// How training rebalances a rare class.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Balance {
    /// Draw rows of the rarer class with replacement until both classes weigh the
    /// same (the original system's choice); realised as integer weights. The default.
    #[default]
    Upsample,
    /// Keep a random subset of the commoner class, without replacement, as large as
    /// the rarer class (0/1 weights).
    Downsample,
    /// Weight each class by `rows / (2 * class rows)` (scikit-learn's "balanced").
    ClassWeight,
    /// No rebalancing.
    None,
}

impl Balance {
    /// The method's name as the CLI writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Balance::Upsample => "upsample",
            Balance::Downsample => "downsample",
            Balance::ClassWeight => "class_weight",
            Balance::None => "none",
        }
    }

    /// Parses `upsample`, `downsample`, `class_weight` or `none`.
    pub fn parse(s: &str) -> Result<Balance> {
        Ok(match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "upsample" | "oversample" => Balance::Upsample,
            "downsample" | "undersample" => Balance::Downsample,
            "class_weight" | "balanced" => Balance::ClassWeight,
            "none" | "off" => Balance::None,
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown balance \"{other}\" (expected upsample, downsample, class_weight or none)"
                )))
            }
        })
    }

    /// Sample weights for labels `y`, seeded.
    pub fn weights(self, y: &[f64], rng: &mut Rng) -> Vec<f64> {
        let pos: Vec<usize> = (0..y.len()).filter(|&i| y[i] > 0.5).collect();
        let neg: Vec<usize> = (0..y.len()).filter(|&i| y[i] <= 0.5).collect();
        let (minor, major) = if pos.len() <= neg.len() {
            (&pos, &neg)
        } else {
            (&neg, &pos)
        };
        let mut w = vec![1.0; y.len()];
        if minor.is_empty() {
            return w;
        }
        match self {
            Balance::None => {}
            Balance::Upsample => {
                // Keep every row once and draw the shortfall with replacement.
                for _ in 0..major.len() - minor.len() {
                    let k = rng.below(minor.len() as u64) as usize;
                    w[minor[k]] += 1.0;
                }
            }
            Balance::Downsample => {
                let mut m = major.clone();
                rng.shuffle(&mut m);
                for &i in &m[minor.len()..] {
                    w[i] = 0.0;
                }
            }
            Balance::ClassWeight => {
                let n = y.len() as f64;
                let wp = n / (2.0 * pos.len() as f64);
                let wn = n / (2.0 * neg.len() as f64);
                for (wi, &yi) in w.iter_mut().zip(y) {
                    *wi = if yi > 0.5 { wp } else { wn };
                }
            }
        }
        w
    }
}

/// How much the weights raised the odds of the positive class:
/// `(W_pos / n_pos) / (W_neg / n_neg)`. A model fitted with these weights predicts
/// log-odds higher by `ln(ratio)` than one fitted on the real class mix, so
/// subtracting that from the intercept restores calibrated probabilities.
pub fn resampling_ratio(y: &[f64], w: &[f64]) -> f64 {
    let (mut wp, mut np, mut wn, mut nn) = (0.0, 0.0, 0.0, 0.0);
    for (&yi, &wi) in y.iter().zip(w) {
        if yi > 0.5 {
            wp += wi;
            np += 1.0;
        } else {
            wn += wi;
            nn += 1.0;
        }
    }
    if np == 0.0 || nn == 0.0 || wp == 0.0 || wn == 0.0 {
        1.0
    } else {
        (wp / np) / (wn / nn)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y() -> Vec<f64> {
        (0..100).map(|i| if i < 10 { 1.0 } else { 0.0 }).collect()
    }

    #[test]
    fn upsample_balances_with_integer_weights() {
        let y = y();
        let w = Balance::Upsample.weights(&y, &mut Rng::new(1));
        let wp: f64 = w[..10].iter().sum();
        let wn: f64 = w[10..].iter().sum();
        assert_eq!(wp, 90.0);
        assert_eq!(wn, 90.0);
        assert!(w.iter().all(|v| v.fract() == 0.0 && *v >= 1.0));
        assert_eq!(resampling_ratio(&y, &w), 9.0);
        assert_eq!(w, Balance::Upsample.weights(&y, &mut Rng::new(1)));
    }

    #[test]
    fn downsample_and_class_weight() {
        let y = y();
        let w = Balance::Downsample.weights(&y, &mut Rng::new(1));
        assert_eq!(w[10..].iter().sum::<f64>(), 10.0);
        assert!(w.iter().all(|v| *v == 0.0 || *v == 1.0));
        assert!((resampling_ratio(&y, &w) - 9.0).abs() < 1e-12);
        let w = Balance::ClassWeight.weights(&y, &mut Rng::new(1));
        assert!((resampling_ratio(&y, &w) - 9.0).abs() < 1e-12);
        let w = Balance::None.weights(&y, &mut Rng::new(1));
        assert_eq!(resampling_ratio(&y, &w), 1.0);
    }
}
