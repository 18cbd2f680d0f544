//! Training configuration, validated once before any work.

use super::Balance;
use crate::data::Kind;
use crate::defaults;
use crate::error::{Error, Result};
use crate::eval::ThresholdPolicy;
use crate::recipe::AutoOptions;

/// Everything that decides how a model is trained. Build it with
/// `TrainConfig::default()` and change fields; [`TrainConfig::validate`] runs before
/// training starts.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    /// Inverse L2 regularisation strength, as scikit-learn's `C`, with the sample
    /// weights of rebalancing as they are (as scikit-learn with duplicated rows).
    /// Defaults to `None`: chosen per fit from the training rows by the evidence
    /// (see [`crate::train::solver`]'s `evidence_fit`), and rebalancing then
    /// reweighs the classes at that strength without weakening it (weights scaled to
    /// a mean of 1); models too wide for Newton's method (thousands of text terms)
    /// take `C = 1` so.
    pub c: Option<f64>,
    /// The coefficient penalty. Defaults to [`Penalty::L2`]. With
    /// [`Penalty::L1`] or [`Penalty::ElasticNet`], `c` defaults to `1.0`
    /// (scikit-learn's default) rather than being chosen by the evidence, which is an
    /// L2 quantity.
    pub penalty: Penalty,
    /// The L1 share of an elastic net, as scikit-learn's `l1_ratio`, within `[0, 1]`.
    /// Only for [`Penalty::ElasticNet`], where it defaults to `0.5`.
    pub l1_ratio: Option<f64>,
    /// The most features the model may use: when the fit uses more, the strongest
    /// (by `|coefficient x standard deviation|` over the training rows) are kept, the
    /// model is refitted on them alone, and the model reports what was dropped and
    /// (with cross-validation) the ROC AUC before and after. Defaults to `None`: no
    /// limit.
    pub max_features: Option<usize>,
    /// The most bytes the saved model may take (the length of
    /// [`crate::Model::to_bytes`], the model file's size): when the model is larger,
    /// the most of its strongest features whose refitted model fits are kept, as with
    /// [`TrainConfig::max_features`] (with both, the lower count applies), and the
    /// model reports the limit, its size and what was dropped. Training fails when even
    /// the model without features does not fit, naming the smallest size it can have.
    /// Defaults to `None`: no limit.
    pub max_model_bytes: Option<u64>,
    /// Whether the model stores the training data's insights (per-column statistics
    /// by class, association with the target, warnings; see [`crate::insights`]).
    /// Defaults to `true`.
    pub insights: bool,
    /// How the rare class is rebalanced. Defaults to [`Balance::Upsample`].
    pub balance: Balance,
    /// Fewest rows to train on. Defaults to `2000` (the original system's rule).
    pub min_rows: usize,
    /// Fewest positive rows to train on. Defaults to `50`.
    pub min_positives: usize,
    /// Cross-validation folds for the stored metrics; `0` skips evaluation. Defaults
    /// to `5`. A [`TrainConfig::time_column`] replaces k-fold by the time split.
    pub cv_folds: usize,
    /// How the decision threshold is chosen (see [`ThresholdPolicy`]). Every policy
    /// but the default `balanced` picks its cut on held-out predictions (k-fold or
    /// the time split), so it needs one of them.
    pub threshold: ThresholdPolicy,
    /// Evaluate on a time split instead of k-fold: the most recent
    /// [`TrainConfig::test_share`] of the rows by this column (dates or numbers; see
    /// [`crate::eval::time`]) are held out, and the model is then trained on every
    /// row. The column is not a feature of the `auto` recipe. Defaults to `None`.
    pub time_column: Option<String>,
    /// The share of rows a time split holds out, within `(0, 1)`. Defaults to `0.2`.
    pub test_share: f64,
    /// Also train a random forest on the same features and held-out rows, and store
    /// its ROC AUC beside the model's with a verdict (see
    /// [`crate::eval::Challenger`]). Needs held-out predictions. Defaults to `false`
    /// (it costs about as much as the folds themselves).
    pub challenger: bool,
    /// Seed of every random choice (folds, resampling). Defaults to `42`.
    pub seed: u64,
    /// Solver iteration cap; reaching it is reported, not an error. Defaults to `100`.
    pub max_iter: usize,
    /// Solver tolerance on the gradient. Defaults to the solver's default.
    pub tol: Option<f64>,
    /// The feature recipe (see [`crate::recipe`]). Defaults to `None`: the `auto`
    /// recipe of the data's columns ([`crate::recipe::auto_recipe`]).
    pub recipe: Option<String>,
    /// Defaults of one-hot features (rare-level folding), in the `auto` recipe and
    /// for `one_hot` lines without options.
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
            c: None,
            penalty: Penalty::L2,
            l1_ratio: None,
            max_features: None,
            max_model_bytes: None,
            insights: true,
            balance: Balance::Upsample,
            min_rows: defaults::MIN_ROWS,
            min_positives: defaults::MIN_POSITIVES,
            cv_folds: defaults::CV_FOLDS,
            threshold: ThresholdPolicy::Balanced,
            time_column: None,
            test_share: DEFAULT_TEST_SHARE,
            challenger: false,
            seed: defaults::SEED,
            max_iter: defaults::MAX_ITER,
            tol: None,
            recipe: None,
            auto: AutoOptions::default(),
            kinds: Vec::new(),
            threads: 0,
        }
    }
}

/// The share of rows a time split holds out unless told otherwise.
pub const DEFAULT_TEST_SHARE: f64 = 0.2;

/// Most feature columns the challenger forest is given (the strongest by
/// `|coefficient x standard deviation|`).
pub const MAX_CHALLENGER_FEATURES: usize = 256;
/// Most training rows the challenger forest grows on (an even sample beyond).
pub const MAX_CHALLENGER_ROWS: usize = 100_000;

/// Most cross-validation folds (each fold is a fit; more than this measures nothing
/// better and only costs time and memory).
pub const MAX_CV_FOLDS: usize = 100;
/// Most solver iterations.
pub const MAX_ITER: usize = 100_000;
/// The most features [`TrainConfig::max_features`] may ask for.
pub const MAX_FEATURES: usize = 100_000_000;

/// The largest [`TrainConfig::max_model_bytes`]: the largest model file there is
/// (the header and the largest payload [`crate::format::from_bytes`] reads).
pub const MAX_MODEL_BYTES: u64 = (crate::format::MAX_PAYLOAD + crate::format::HEADER_LEN) as u64;

/// The coefficient penalty (scikit-learn's `penalty`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Penalty {
    /// `||w||^2 / 2`: every feature keeps a coefficient, shrunk towards zero.
    #[default]
    L2,
    /// `||w||_1`: weak features get a coefficient of exactly zero.
    L1,
    /// `l1_ratio * ||w||_1 + (1 - l1_ratio) / 2 * ||w||^2`.
    ElasticNet,
}

impl Penalty {
    /// Parses `l2`, `l1` or `elasticnet` (also `elastic_net`, `elastic-net`).
    pub fn parse(s: &str) -> Result<Penalty> {
        match s.trim().to_ascii_lowercase().as_str() {
            "l2" => Ok(Penalty::L2),
            "l1" => Ok(Penalty::L1),
            "elasticnet" | "elastic_net" | "elastic-net" => Ok(Penalty::ElasticNet),
            other => Err(Error::InvalidInput(format!(
                "unknown penalty \"{other}\"; use l2, l1 or elasticnet"
            ))),
        }
    }

    /// The name [`Penalty::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Penalty::L2 => "l2",
            Penalty::L1 => "l1",
            Penalty::ElasticNet => "elasticnet",
        }
    }
}

pub use crate::defaults::MAX_THREADS;
/// Most one-hot levels per column.
pub const MAX_LEVELS: usize = 1_000_000;

impl TrainConfig {
    /// Checks every field; the message names the one at fault.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        if let Some(c) = self.c {
            if !(c.is_finite() && c > 0.0) {
                return bad(format!("c must be a positive number, got {c}"));
            }
        }
        if let Some(r) = self.l1_ratio {
            if self.penalty != Penalty::ElasticNet {
                return bad(format!(
                    "l1_ratio is for penalty elasticnet (penalty is {})",
                    self.penalty.as_str()
                ));
            }
            if !(0.0..=1.0).contains(&r) {
                return bad(format!("l1_ratio must be within [0, 1], got {r}"));
            }
        }
        if let Some(n) = self.max_features {
            if n == 0 || n > MAX_FEATURES {
                return bad(format!(
                    "max_features must be from 1 to {MAX_FEATURES}, got {n}"
                ));
            }
        }
        if let Some(b) = self.max_model_bytes {
            if b == 0 || b > MAX_MODEL_BYTES {
                return bad(format!(
                    "max_model_bytes must be from 1 to {MAX_MODEL_BYTES}, got {b}"
                ));
            }
        }
        if self.cv_folds == 1 || self.cv_folds > MAX_CV_FOLDS {
            return bad(format!(
                "cv_folds must be 0 (no evaluation) or from 2 to {MAX_CV_FOLDS}, got {}",
                self.cv_folds
            ));
        }
        if !(self.test_share > 0.0 && self.test_share < 1.0) {
            return bad(format!(
                "test_share must be between 0 and 1 (exclusive), got {}",
                self.test_share
            ));
        }
        if let Some(col) = &self.time_column {
            if col.is_empty() {
                return bad("time_column must name a column".into());
            }
        }
        if self.challenger && !self.evaluates() {
            return bad(
                "the challenger is measured on held-out predictions: set cv to 2 or more, \
                 or a time column"
                    .into(),
            );
        }
        if self.threshold.needs_held_out() && !self.evaluates() {
            return bad(format!(
                "threshold policy {} chooses its cut on held-out predictions: set cv to 2 \
                 or more, or a time column",
                self.threshold
            ));
        }
        if self.max_iter == 0 || self.max_iter > MAX_ITER {
            return bad(format!(
                "max_iter must be from 1 to {MAX_ITER}, got {}",
                self.max_iter
            ));
        }
        if self.threads > MAX_THREADS {
            return bad(format!(
                "threads must be from 0 (all cores) to {MAX_THREADS}, got {}",
                self.threads
            ));
        }
        if let Some(t) = self.tol {
            if !(t.is_finite() && t > 0.0) {
                return bad(format!("tol must be a positive number, got {t}"));
            }
        }
        self.auto.validate()?;
        if self.auto.max_levels == 0 || self.auto.max_levels > MAX_LEVELS {
            return bad(format!(
                "max_levels must be from 1 to {MAX_LEVELS}, got {}",
                self.auto.max_levels
            ));
        }
        Ok(())
    }

    /// The L1 share of the penalty the solver uses: 0 for L2, 1 for L1, the elastic
    /// net's `l1_ratio` (default 0.5).
    pub fn effective_l1_ratio(&self) -> f64 {
        match self.penalty {
            Penalty::L2 => 0.0,
            Penalty::L1 => 1.0,
            Penalty::ElasticNet => self.l1_ratio.unwrap_or(0.5),
        }
    }

    /// Whether training makes held-out predictions (k-fold or a time split).
    pub fn evaluates(&self) -> bool {
        self.cv_folds >= 2 || self.time_column.is_some()
    }

    /// Whether `C` is chosen from the data: not given, with the L2 penalty.
    pub fn c_is_auto(&self) -> bool {
        self.c.is_none() && self.penalty == Penalty::L2
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
