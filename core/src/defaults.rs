//! The defaults every way in shares, and the library version: the CLI, the C ABI,
//! PHP, Python and Node read them from here, so a default changes in one place.
//!
//! `LeadScoreClassifier` (the scikit-learn estimator of the Python package) differs
//! on purpose in three places, documented there: it skips cross-validation (`cv=0`:
//! scikit-learn's own search cross-validates it), trains on any number of rows
//! (`min_rows=1`, `min_positives=1`: a search fold may be small), and predicts with the 0.5 cut that
//! scikit-learn's `predict` means, not the model's balanced threshold.

/// The model name inside a tenant's folder of a store (`<root>/<tenant>/lead.lsm`).
pub const MODEL_NAME: &str = "lead";

/// How many reasons each way `explain` gives when the caller does not say.
pub const EXPLAIN_K: usize = 3;

/// Fewest rows a model is trained on.
pub const MIN_ROWS: usize = 2000;

/// Fewest rows of the positive class a model is trained on.
pub const MIN_POSITIVES: usize = 50;

/// Cross-validation folds for the metrics stored in a model.
pub const CV_FOLDS: usize = 5;

/// The seed of every random choice in training (folds, resampling).
pub const SEED: u64 = 42;

/// Solver iterations.
pub const MAX_ITER: usize = 100;

/// Rows sampled from all tenants to train the `_global` fallback model.
pub const GLOBAL_MAX_ROWS: usize = 200_000;

/// Most worker threads any option may ask for (training folds, insights).
pub const MAX_THREADS: usize = 1024;

/// The library version (the workspace version), written into every model file.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
