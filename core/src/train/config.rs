//! Training configuration, validated once before any work.

use super::Balance;
use crate::data::Kind;
use crate::error::{Error, Result};
use crate::recipe::AutoOptions;

/// Everything that decides how a model is trained. Build it with
/// `TrainConfig::default()` and change fields; [`TrainConfig::validate`] runs before
/// training starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Inverse L2 regularisation strength, as scikit-learn's `C`. Defaults to `1.0`.
    pub c: f64,
    /// How the rare class is rebalanced. Defaults to [`Balance::Upsample`].
    pub balance: Balance,
    /// Fewest rows to train on. Defaults to `2000` (the original system's rule).
    pub min_rows: usize,
    /// Fewest positive rows to train on. Defaults to `50`.
    pub min_positives: usize,
    /// Cross-validation folds for the stored metrics; `0` skips evaluation. Defaults
    /// to `5`.
    pub cv_folds: usize,
    /// Seed of every random choice (folds, resampling). Defaults to `42`.
    pub seed: u64,
    /// Solver iteration cap; reaching it is reported, not an error. Defaults to `100`.
    pub max_iter: usize,
    /// Solver tolerance on the gradient. Defaults to the solver's default.
    pub tol: Option<f64>,
    /// Options of the `auto` recipe (rare-level folding).
    pub auto: AutoOptions,
    /// Column kinds that override inference.
    pub kinds: Vec<(String, Kind)>,
    /// Worker threads for cross-validation folds; `0` uses the available cores.
    /// Defaults to `0`.
    pub threads: usize,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            c: 1.0,
            balance: Balance::Upsample,
            min_rows: 2000,
            min_positives: 50,
            cv_folds: 5,
            seed: 42,
            max_iter: 100,
            tol: None,
            auto: AutoOptions::default(),
            kinds: Vec::new(),
            threads: 0,
        }
    }
}

impl TrainConfig {
    /// Checks every field; the message names the one at fault.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        if !(self.c.is_finite() && self.c > 0.0) {
            return bad(format!("c must be a positive number, got {}", self.c));
        }
        if self.cv_folds == 1 {
            return bad("cv_folds must be 0 (no evaluation) or at least 2".into());
        }
        if self.max_iter == 0 {
            return bad("max_iter must be at least 1".into());
        }
        if let Some(t) = self.tol {
            if !(t.is_finite() && t > 0.0) {
                return bad(format!("tol must be a positive number, got {t}"));
            }
        }
        if self.auto.max_levels == 0 {
            return bad("max_levels must be at least 1".into());
        }
        Ok(())
    }

    /// Worker threads to use.
    pub(crate) fn worker_threads(&self) -> usize {
        if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
    }
}
