//! # leadscore
//!
//! An embeddable scoring runtime for CRM records: small, interpretable
//! logistic-regression models, one per client company (tenant), trained automatically
//! and served in-process with reasons a sales manager can believe.
#![deny(missing_docs)]

pub mod data;
pub mod error;
pub mod eval;
pub mod features;
pub mod format;
pub mod model;
pub mod recipe;
pub mod rng;
pub mod synth;
pub mod train;

pub use data::{Column, Kind, Record, Schema, Table, Target, TargetSpec, Value};
pub use error::{Error, ErrorCode, Result};
pub use features::Features;
pub use model::{Explanation, Model, ModelMeta, Reason, Score};
pub use train::{Balance, TrainConfig, Trainer};

/// The library version (the workspace version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
