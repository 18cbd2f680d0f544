//! Node.js bindings for leadscore (napi-rs): the `leadscore` npm package.
//!
//! Everything here is a thin translation layer: JavaScript values become core
//! [`leadscore::Value`]s ([`convert`]), core errors become `Error` objects with a
//! `code` string ([`error`]), and the verbs call straight into the core crate.
//!
//! * [`model`]: the `Model` class (load, save, score, explain, batch scoring).
//! * [`pluck`]: the fast field reader behind `score()`.
//! * [`coded`]: the coded `score()` a model gets once it is scored repeatedly.
//! * [`train`]: `train()` and the background tasks (`AsyncTask`s on the libuv pool,
//!   each wrapped in `catch_unwind` so a panic rejects its Promise).
//!
//! * [`store`]: the `Store` class (many tenants' models behind one cache).
//! * [`mass`]: `Store.trainTenants()`, `drift()` and `markInsufficient()`.
#![deny(missing_docs)]

pub mod coded;
pub mod convert;
pub mod error;
pub mod mass;
pub mod model;
pub mod pluck;
pub mod store;
pub mod train;

use napi_derive::napi;

/// The version of the native leadscore library (equal to the package version).
#[napi]
pub fn version() -> String {
    leadscore::VERSION.to_owned()
}
