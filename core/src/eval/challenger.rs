//! The challenger: a random forest trained on the same features and folds as the
//! logistic model, its ROC AUC beside the model's, and a verdict in plain words. "How
//! do we believe the model?" — when a non-linear model does no better on the same held-out
//! rows, the linear one misses nothing a tree could find; when it does better, the
//! features the forest leans on are where bins or crosses would help.

use super::metrics::roc_auc;
use serde::{Deserialize, Serialize};

/// Most input columns [`Challenger::top_features`] lists.
pub const CHALLENGER_TOP: usize = 10;
/// A difference in ROC AUC smaller than this is "as good" whatever the folds say.
pub const CHALLENGER_MARGIN: f64 = 0.01;

/// What the challenger did on one fold's held-out rows.
#[derive(Debug, Clone, PartialEq)]
pub struct ChallengerFold {
    /// The forest's probabilities of the fold's held-out rows.
    pub p: Vec<f64>,
    /// The forest's importance (mean decrease in impurity) summed by input column.
    pub importance: Vec<(String, f64)>,
    /// Seconds to grow the forest.
    pub seconds: f64,
    /// Feature columns the forest was given.
    pub features: usize,
}

/// One input column the forest leans on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureUse {
    /// The input column (or a cross, `source × city`).
    pub name: String,
    /// Its share of the forest's impurity decrease, mean over folds (0 to 1).
    pub importance: f64,
}

/// The challenger's result (stored in [`super::Evaluation::challenger`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Challenger {
    /// `random_forest`.
    pub model: String,
    /// Trees per forest.
    pub trees: u32,
    /// Deepest split level.
    pub max_depth: u32,
    /// Feature columns the forest was given (the strongest, at most
    /// [`crate::train::MAX_CHALLENGER_FEATURES`]).
    pub features: u32,
    /// The forest's ROC AUC, mean over folds.
    pub roc_auc: f64,
    /// The logistic model's ROC AUC on the same held-out rows.
    pub linear_roc_auc: f64,
    /// `roc_auc - linear_roc_auc`, mean over folds.
    pub difference: f64,
    /// Standard error of the difference over folds (`None` with a single fold).
    pub difference_se: Option<f64>,
    /// The forest's ROC AUC per fold.
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub fold_roc_auc: Vec<f64>,
    /// The verdict in plain words.
    pub verdict: String,
    /// The input columns the forest uses most, strongest first (at most
    /// [`CHALLENGER_TOP`]).
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub top_features: Vec<FeatureUse>,
    /// Mean seconds to grow one forest.
    pub seconds: f64,
}

impl Challenger {
    /// The challenger of held-out folds: `(y, p)` of the logistic model and the
    /// forest's fold each. `None` when no fold has both classes.
    pub fn from_folds(
        folds: &[(&[f64], &[f64], &ChallengerFold)],
        trees: u32,
        max_depth: u32,
    ) -> Option<Challenger> {
        let features = folds.iter().map(|f| f.2.features).max().unwrap_or(0) as u32;
        let (mut forest, mut linear, mut diffs, mut secs) = (vec![], vec![], vec![], vec![]);
        let mut importance: Vec<(String, f64)> = Vec::new();
        for (y, p, c) in folds {
            secs.push(c.seconds);
            let (Some(a), Some(b)) = (roc_auc(y, &c.p), roc_auc(y, p)) else {
                continue;
            };
            forest.push(a);
            linear.push(b);
            diffs.push(a - b);
            for (name, v) in &c.importance {
                match importance.iter_mut().find(|(n, _)| n == name) {
                    Some(slot) => slot.1 += v,
                    None => importance.push((name.clone(), *v)),
                }
            }
        }
        if forest.is_empty() {
            return None;
        }
        let k = forest.len() as f64;
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
        let difference = mean(&diffs);
        let difference_se = (diffs.len() > 1).then(|| {
            let var = diffs.iter().map(|d| (d - difference).powi(2)).sum::<f64>() / (k - 1.0);
            (var / k).sqrt()
        });
        importance.iter_mut().for_each(|(_, v)| *v /= k);
        importance.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        importance.truncate(CHALLENGER_TOP);
        let (rf, lr) = (mean(&forest), mean(&linear));
        let se_text = difference_se.map_or(String::new(), |s| format!(" ± {s:.3}"));
        let clear =
            |d: f64| d.abs() > CHALLENGER_MARGIN && difference_se.is_none_or(|s| d.abs() > 2.0 * s);
        let verdict = if difference > 0.0 && clear(difference) {
            let names: Vec<&str> = importance.iter().take(2).map(|(n, _)| n.as_str()).collect();
            format!(
                "a non-linear model gains {difference:.3}{se_text} ROC AUC ({rf:.3} vs {lr:.3}): \
                 consider bins or crosses for {}",
                names.join(", ")
            )
        } else if difference < 0.0 && clear(difference) {
            format!(
                "the linear model is better: {lr:.3} vs the forest's {rf:.3} (difference \
                 {difference:.3}{se_text})"
            )
        } else {
            format!("the linear model is as good: difference {difference:+.3}{se_text} ({lr:.3} vs the forest's {rf:.3})")
        };
        Some(Challenger {
            model: "random_forest".into(),
            trees,
            max_depth,
            features,
            roc_auc: rf,
            linear_roc_auc: lr,
            difference,
            difference_se,
            fold_roc_auc: forest,
            verdict,
            top_features: importance
                .into_iter()
                .map(|(name, importance)| FeatureUse { name, importance })
                .collect(),
            seconds: mean(&secs),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(y: &[f64], p: &[f64], importance: &[(&str, f64)]) -> ChallengerFold {
        assert_eq!(y.len(), p.len());
        ChallengerFold {
            p: p.to_vec(),
            importance: importance
                .iter()
                .map(|(n, v)| ((*n).to_owned(), *v))
                .collect(),
            seconds: 0.5,
            features: 20,
        }
    }

    #[test]
    fn verdicts() {
        let y = [0.0, 0.0, 1.0, 1.0, 0.0, 1.0];
        let weak = [0.4, 0.6, 0.5, 0.7, 0.3, 0.45];
        let strong = [0.1, 0.2, 0.8, 0.9, 0.15, 0.7];
        let f1 = fold(&y, &strong, &[("tenure", 0.7), ("contract", 0.3)]);
        let f2 = fold(&y, &strong, &[("tenure", 0.6), ("city", 0.4)]);
        let c = Challenger::from_folds(&[(&y, &weak, &f1), (&y, &weak, &f2)], 100, 10).unwrap();
        assert!(
            c.verdict.starts_with("a non-linear model gains"),
            "{}",
            c.verdict
        );
        assert!(
            c.verdict.ends_with("tenure, city") || c.verdict.ends_with("tenure, contract"),
            "{}",
            c.verdict
        );
        assert_eq!(c.top_features[0].name, "tenure");
        assert!((c.top_features[0].importance - 0.65).abs() < 1e-12);

        let c = Challenger::from_folds(&[(&y, &strong, &fold(&y, &strong, &[]))], 100, 10).unwrap();
        assert!(
            c.verdict
                .starts_with("the linear model is as good: difference +0.000"),
            "{}",
            c.verdict
        );
        assert_eq!(c.difference_se, None);
        let c = Challenger::from_folds(&[(&y, &strong, &fold(&y, &weak, &[]))], 100, 10).unwrap();
        assert!(
            c.verdict.starts_with("the linear model is better"),
            "{}",
            c.verdict
        );
        let one = [1.0; 6];
        assert!(
            Challenger::from_folds(&[(&one, &strong, &fold(&one, &weak, &[]))], 1, 1).is_none()
        );
    }
}
