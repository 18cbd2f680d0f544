//! Training: configuration, balancing, the solver, and the trainer that ties them to
//! the pipeline and cross-validation.

pub mod balance;
mod config;
pub mod solver;
mod trainer;

pub use balance::Balance;
pub use config::{Penalty, TrainConfig, DEFAULT_TEST_SHARE};
pub use solver::{fit_logistic, Solution, SolverConfig};
pub use trainer::{evaluate, train, Trainer};
