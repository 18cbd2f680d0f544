//! Data insights: what a data scientist looks at before believing a model. Per input
//! column: its statistics and histogram split by class, its top levels or tokens, its
//! association with the target (Pearson, Kendall tau-b, ROC AUC of the column alone,
//! mutual information), and warnings (a likely leak, a constant, mostly missing or
//! id-like column, near-duplicate pairs). Columns come sorted by strength.
//!
//! ```
//! use leadscore::insights::{insights, InsightsOptions};
//! use leadscore::{synth, TargetSpec};
//!
//! let leads = synth::tenant(7, 0).table;
//! let ins = insights(&leads, &TargetSpec::new(synth::TARGET), &InsightsOptions::default())?;
//! assert_eq!(ins.summary.rows as usize, leads.n_rows());
//! let strongest = &ins.columns[0];
//! println!("{} AUC {:?}", strongest.name, strongest.association.as_ref().map(|a| a.roc_auc));
//! println!("{}", ins.to_text());
//! # Ok::<(), leadscore::Error>(())
//! ```
//!
//! How each statistic is computed (and its thresholds) is told in `docs/insights.md`.
//! In short: every statistic uses all rows; missing cells are counted (and are a
//! histogram bin of their own) but left out of the correlations. A numeric column is
//! sorted once per class; its ROC AUC, Kendall tau-b and Pearson are read off the two
//! sorted lists in linear passes, its quantiles and histogram by binary search. A category is encoded by each
//! level's positive rate (so its AUC orders the levels by rate: optimistic, the
//! best any one-hot model of it could do on these rows). Columns are spread over up to
//! 8 threads.

mod compute;
mod features;
pub(crate) mod stats;
mod stored;
#[cfg(test)]
mod tests;
mod text;

use crate::data::Kind;
use crate::error::{Error, Result};
use serde::Serialize;

pub use compute::insights;
pub use features::{recipe_features, MAX_RECIPE_CELLS, MAX_RECIPE_FEATURES};
pub(crate) use stored::stored;
pub use stored::{MAX_STORED_BYTES, TOP_COEFFICIENTS};

/// Fewest histogram bins.
pub const MIN_BINS: usize = 2;
/// Most histogram bins.
pub const MAX_BINS: usize = 100;
/// Most top levels per categorical column.
pub const MAX_TOP_LEVELS: usize = 1000;
/// Most top tokens per text column.
pub const MAX_TOP_TOKENS: usize = 1000;
/// Most worker threads insights use (columns are spread over them).
pub const MAX_INSIGHT_THREADS: usize = 8;

/// The quantiles reported for numeric columns.
pub const QUANTILES: [f64; 7] = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99];

/// Settings of [`insights`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightsOptions {
    /// Histogram bins per numeric column, from [`MIN_BINS`] to [`MAX_BINS`]
    /// (default 10).
    pub bins: usize,
    /// Top levels listed per categorical column, at most [`MAX_TOP_LEVELS`]
    /// (default 10; the rest are summed as "other").
    pub top_levels: usize,
    /// Most frequent tokens listed per text column, at most [`MAX_TOP_TOKENS`]
    /// (default 20).
    pub top_tokens: usize,
    /// Worker threads (0 = every core); at most [`MAX_INSIGHT_THREADS`] are used.
    pub threads: usize,
    /// Column kind overrides (`column -> kind`), as training takes them.
    pub kinds: Vec<(String, Kind)>,
}

impl Default for InsightsOptions {
    fn default() -> Self {
        InsightsOptions {
            bins: 10,
            top_levels: 10,
            top_tokens: 20,
            threads: 0,
            kinds: Vec::new(),
        }
    }
}

impl InsightsOptions {
    /// Checks every field; the message names the one at fault.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::InvalidInput(m));
        if !(MIN_BINS..=MAX_BINS).contains(&self.bins) {
            return bad(format!(
                "bins must be from {MIN_BINS} to {MAX_BINS}, got {}",
                self.bins
            ));
        }
        if self.top_levels > MAX_TOP_LEVELS {
            return bad(format!(
                "top_levels must be from 0 to {MAX_TOP_LEVELS}, got {}",
                self.top_levels
            ));
        }
        if self.top_tokens > MAX_TOP_TOKENS {
            return bad(format!(
                "top_tokens must be from 0 to {MAX_TOP_TOKENS}, got {}",
                self.top_tokens
            ));
        }
        if self.threads > crate::defaults::MAX_THREADS {
            return bad(format!(
                "threads must be from 0 (all cores) to {}, got {}",
                crate::defaults::MAX_THREADS,
                self.threads
            ));
        }
        Ok(())
    }

    /// Worker threads to use: the setting (every core for 0), at most
    /// [`MAX_INSIGHT_THREADS`].
    pub(crate) fn worker_threads(&self) -> usize {
        let n = if self.threads > 0 {
            self.threads
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        };
        n.clamp(1, MAX_INSIGHT_THREADS)
    }
}

/// What [`insights`] finds in a table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insights {
    /// The rows and the target.
    pub summary: Summary,
    /// One entry per input column (every column but the target), strongest first.
    pub columns: Vec<ColumnInsights>,
    /// Every warning, in the order of `columns`.
    pub warnings: Vec<Warning>,
}

/// The rows and the target of an insights run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// The target column.
    pub target: String,
    /// How the positive class is written in the data.
    pub positive_label: String,
    /// How the negative class is written (`other` for several values).
    pub negative_label: String,
    /// Rows.
    pub rows: u64,
    /// Positive rows.
    pub positives: u64,
    /// `positives / rows`.
    pub positive_rate: f64,
    /// Input columns.
    pub columns: usize,
    /// The histogram bins asked for.
    pub bins: usize,
}

/// Rows split by class.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassCounts {
    /// Rows.
    pub count: u64,
    /// Negative rows.
    pub negatives: u64,
    /// Positive rows.
    pub positives: u64,
    /// `positives / count`; `None` for no rows.
    pub positive_rate: Option<f64>,
}

impl ClassCounts {
    pub(crate) fn new(negatives: u64, positives: u64) -> Self {
        let count = negatives + positives;
        ClassCounts {
            count,
            negatives,
            positives,
            positive_rate: (count > 0).then(|| positives as f64 / count as f64),
        }
    }
}

/// Statistics of one input column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ColumnInsights {
    /// The column name.
    pub name: String,
    /// Its kind (inferred as training infers it, or overridden).
    #[serde(serialize_with = "kind_name")]
    pub kind: Kind,
    /// Present (non-missing) cells.
    pub count: u64,
    /// Missing cells.
    pub missing: u64,
    /// `missing / rows`.
    pub missing_share: f64,
    /// Distinct present values.
    pub distinct: u64,
    /// Numbers: min, max, mean, standard deviation, quantiles, histogram by class.
    pub numeric: Option<NumericSummary>,
    /// Categories: the most frequent levels by class.
    pub levels: Option<Levels>,
    /// Text: the most frequent tokens by class.
    pub tokens: Option<Tokens>,
    /// The column against the target (not for text and id columns).
    pub association: Option<Association>,
    /// The codes of this column's warnings (each is also in [`Insights::warnings`]
    /// with its message).
    pub warnings: Vec<WarningCode>,
}

impl ColumnInsights {
    /// The column's univariate strength, `max(AUC, 1 − AUC)`: 0.5 is no signal, 1 a
    /// perfect separation. `None` without an association.
    pub fn strength(&self) -> Option<f64> {
        self.association.as_ref().and_then(|a| a.strength)
    }
}

fn kind_name<S: serde::Serializer>(k: &Kind, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(k.as_str())
}

/// Statistics of a numeric column's present values.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericSummary {
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
    /// Mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1 in the denominator, as pandas'); 0 for one
    /// value.
    pub std: f64,
    /// The [`QUANTILES`], linearly interpolated (numpy's and pandas' default).
    pub quantiles: Vec<Quantile>,
    /// Histogram split by class.
    pub histogram: Histogram,
}

/// One quantile.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Quantile {
    /// The probability (0.25 for the first quartile).
    pub q: f64,
    /// The value.
    pub value: f64,
}

/// How histogram bins were cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinEdges {
    /// One bin per distinct value (the column has at most `bins` of them).
    Values,
    /// Edges at the quantiles `k / bins`, equal edges merged (so fewer bins when
    /// values repeat); bins are `[lower, upper)`, the last one closed.
    Quantiles,
}

/// A histogram with the classes of each bin.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Histogram {
    /// How the bins were cut.
    pub edges: BinEdges,
    /// The bins, ascending.
    pub bins: Vec<Bin>,
    /// The missing cells: a bin of their own.
    pub missing: ClassCounts,
}

/// One histogram bin.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Bin {
    /// Lower edge (included).
    pub lower: f64,
    /// Upper edge (excluded, except in the last bin; equal to `lower` for a bin of one
    /// value).
    pub upper: f64,
    /// Rows by class.
    #[serde(flatten)]
    pub counts: ClassCounts,
}

/// The most frequent levels of a category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Levels {
    /// The top levels, most frequent first.
    pub top: Vec<Level>,
    /// Every other level, summed.
    pub other: ClassCounts,
    /// How many levels `other` holds.
    pub other_levels: u64,
    /// The missing cells.
    pub missing: ClassCounts,
}

/// One level of a category.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Level {
    /// The level as written.
    pub level: String,
    /// Rows by class.
    #[serde(flatten)]
    pub counts: ClassCounts,
}

/// The most frequent tokens of a text column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Tokens {
    /// Texts (present cells).
    pub documents: u64,
    /// Distinct tokens.
    pub distinct: u64,
    /// The tokens in most texts, most frequent first.
    pub top: Vec<Token>,
}

/// One token of a text column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Token {
    /// The token (lower case, punctuation removed).
    pub token: String,
    /// Texts that hold it (a text counts once however often it repeats the token),
    /// by class.
    #[serde(flatten)]
    pub counts: ClassCounts,
}

/// How a column's values were turned into numbers for the association measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// The numbers themselves.
    Value,
    /// Each level's positive rate on these rows (target encoding): the measures are
    /// optimistic, the best ordering of the levels there is.
    LevelRate,
}

/// A column against the target, over the rows where it is present.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Association {
    /// How values became numbers.
    pub encoding: Encoding,
    /// Rows used (present cells).
    pub rows: u64,
    /// Pearson correlation with the 0/1 target (point-biserial).
    pub pearson: Option<f64>,
    /// Kendall tau-b with the 0/1 target.
    pub kendall_tau_b: Option<f64>,
    /// ROC AUC of the column alone, higher value read as more likely positive.
    pub roc_auc: Option<f64>,
    /// Whether higher values mean more positives (`roc_auc >= 0.5`).
    pub higher_is_positive: bool,
    /// `max(roc_auc, 1 − roc_auc)`: what columns are sorted by.
    pub strength: Option<f64>,
    /// Mutual information with the target in bits, over the histogram bins or the
    /// top levels (plus "other" and missing).
    pub mutual_information: Option<f64>,
}

/// What a warning is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// The column alone predicts the target almost perfectly (ROC AUC strength at
    /// least 0.98 or |Pearson| at least 0.95): likely filled from the outcome.
    Leak,
    /// A single value (or no value at all).
    Constant,
    /// One value in at least 99 % of the present cells.
    NearConstant,
    /// More than half the cells missing.
    MostlyMissing,
    /// Every present value distinct (50 rows or more; whole numbers for a numeric
    /// column), or kind `id`.
    IdLike,
    /// |Pearson| at least 0.98 with a stronger numeric column.
    NearDuplicate,
}

impl WarningCode {
    /// The code as JSON writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::Leak => "leak",
            WarningCode::Constant => "constant",
            WarningCode::NearConstant => "near_constant",
            WarningCode::MostlyMissing => "mostly_missing",
            WarningCode::IdLike => "id_like",
            WarningCode::NearDuplicate => "near_duplicate",
        }
    }
}

/// A warning about one column.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// The column.
    pub column: String,
    /// What it is about.
    pub code: WarningCode,
    /// One line for a person.
    pub message: String,
}

/// The thresholds of the warnings.
pub mod thresholds {
    /// `leak`: univariate ROC AUC strength at least this.
    pub const LEAK_AUC: f64 = 0.98;
    /// `leak`: |Pearson| at least this.
    pub const LEAK_PEARSON: f64 = 0.95;
    /// `leak` on a category needs this many rows per level on average (fewer, and
    /// its in-sample level rates separate the classes by chance).
    pub const LEAK_MIN_ROWS_PER_LEVEL: f64 = 10.0;
    /// `near_constant`: one value's share of the present cells.
    pub const NEAR_CONSTANT_SHARE: f64 = 0.99;
    /// `mostly_missing`: missing share above this.
    pub const MOSTLY_MISSING_SHARE: f64 = 0.5;
    /// `id_like`: fewest present cells.
    pub const ID_MIN_ROWS: u64 = 50;
    /// `near_duplicate`: |Pearson| between two numeric columns.
    pub const NEAR_DUPLICATE_PEARSON: f64 = 0.98;
    /// `near_duplicate` is looked for among this many of the strongest numeric
    /// columns.
    pub const NEAR_DUPLICATE_MAX_COLUMNS: usize = 200;
    /// `near_duplicate` pairs are screened on this many evenly spaced rows, then
    /// confirmed on every row.
    pub const NEAR_DUPLICATE_SAMPLE_ROWS: usize = 16_384;
}

impl Insights {
    /// Everything as a JSON value.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// Everything as JSON text (one line).
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The column of that name.
    pub fn column(&self, name: &str) -> Option<&ColumnInsights> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// The warnings of one code.
    pub fn warnings_of(&self, code: WarningCode) -> impl Iterator<Item = &Warning> {
        self.warnings.iter().filter(move |w| w.code == code)
    }
}
