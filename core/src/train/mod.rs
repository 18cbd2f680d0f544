//! Training: the solver, balancing, configuration and the trainer.

pub mod solver;

pub use solver::{fit_logistic, Solution, SolverConfig};
