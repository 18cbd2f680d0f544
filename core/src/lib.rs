//! # leadscore
//!
//! An embeddable scoring runtime for CRM records: small, interpretable
//! logistic-regression models, one per client company (tenant), trained automatically
//! and served in-process with reasons a sales manager can believe.
//!
//! ```
//! use leadscore::{synth, Model, Record, TargetSpec, TrainConfig, Trainer};
//!
//! # fn main() -> leadscore::Result<()> {
//! // Demo leads of one tenant (a real export comes from `data::csv::read_csv_path`).
//! let leads = synth::tenant(7, 0).table;
//!
//! // Train: schema inferred, `auto` features, L2 logistic regression with the rare
//! // class upsampled, 5-fold cross-validated metrics stored in the model.
//! let model = Trainer::new(TrainConfig::default())?.fit(&leads, &TargetSpec::new(synth::TARGET))?;
//! let m = model.metrics().expect("cross-validated");
//! assert!(m.roc_auc > m.baseline.roc_auc);
//!
//! // Score one raw lead: unknown fields are ignored, absent ones count as missing.
//! let lead = Record::new()
//!     .with("source", "web")
//!     .with("city", "Kazan")
//!     .with("calls", 4)
//!     .with("lifetime_days", 12)
//!     .with("has_phone", "yes");
//! let s = model.score(&lead)?;
//! assert!((1..=99).contains(&s.score));
//!
//! // Why: the top reasons each way, grouped by raw field.
//! let why = model.explain(&lead, 3)?;
//! for r in why.positive.iter().chain(&why.negative) {
//!     println!("{:+.2} {}", r.contribution, r.label);
//! }
//!
//! // A model file is self-contained: raw record in, probability out.
//! let bytes = model.to_bytes()?;
//! assert_eq!(Model::from_bytes(&bytes)?.score(&lead)?, s);
//! # Ok(())
//! # }
//! ```
#![deny(missing_docs)]
// The core holds no unsafe code: what needs it (the C ABI, the Python and Node
// bindings) lives in the binding crates, and SIMD goes through `pulp`.
#![forbid(unsafe_code)]

pub mod data;
pub mod defaults;
pub(crate) mod design;
pub mod drift;
pub mod error;
pub mod eval;
pub mod features;
pub mod format;
pub mod insights;
pub mod mass;
pub mod model;
pub mod options;
pub mod recipe;
pub mod report;
pub mod rng;
pub mod search;
pub mod store;
pub mod synth;
pub mod train;

pub use data::{Column, Kind, Record, Schema, Slots, Table, Target, TargetSpec, Value};
pub use error::{Error, ErrorCode, Result};
pub use features::Features;
pub use model::{
    CodedInput, CodedScorer, Explanation, Model, ModelMeta, Pruning, Reason, Score, CODE_MISSING,
};
pub use train::{Balance, Penalty, TrainConfig, Trainer};

pub use defaults::VERSION;
