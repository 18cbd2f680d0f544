//! Training: the solver, balancing, configuration and the trainer.

pub mod solver;
