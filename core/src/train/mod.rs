//! Training: configuration, balancing, the solver, and the trainer that ties them to
//! the pipeline and cross-validation.

pub mod balance;
mod challenge;
mod config;
pub mod forest;
pub mod solver;
mod trainer;

pub use balance::Balance;
pub use config::{
    Penalty, TrainConfig, DEFAULT_TEST_SHARE, MAX_CHALLENGER_FEATURES, MAX_CHALLENGER_ROWS,
    MAX_CV_FOLDS, MAX_MODEL_BYTES,
};
pub use solver::{fit_logistic, Solution, SolverConfig};
pub use trainer::{evaluate, train, Trainer};
