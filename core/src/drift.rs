//! Score drift: how far the scores a model gives in production have moved from the
//! scores it gave on its training data, as a population stability index (PSI).
//!
//! The bins are the model's training deciles (from its cross-validated scores), so on
//! training-like data each bin holds a tenth of the scores. A [`Store`](crate::store::Store)
//! counts every score it gives into these bins and flushes the counts beside the model
//! (`<tenant>/<name>.scores.json`); [`crate::store::drift_report`] reads them back. Conventional reading:
//! PSI below 0.1 is stable, 0.1 to 0.25 is worth watching, above 0.25 means retrain.

use crate::error::{Error, Result};
use crate::model::Model;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Number of bins (the training deciles).
pub const BINS: usize = 10;
/// PSI from which a model is worth watching.
pub const PSI_WATCH: f64 = 0.1;
/// PSI from which a model should be retrained.
pub const PSI_RETRAIN: f64 = 0.25;
/// Fewest scores for a PSI worth reading.
pub const MIN_SCORES: u64 = 100;

/// The 9 cut points between a model's training deciles, ascending; `None` when the
/// model carries no cross-validated deciles (trained with `cv_folds = 0`).
pub fn cuts(model: &Model) -> Option<Vec<f64>> {
    let d = &model.metrics()?.deciles;
    if d.len() != BINS {
        return None;
    }
    // Deciles run from the highest scores (1) to the lowest (10); the cut between two
    // neighbours is the lower edge of the higher one.
    let mut c: Vec<f64> = d[..BINS - 1].iter().map(|x| x.p_min).collect();
    if c.iter().any(|x| !x.is_finite()) {
        return None;
    }
    c.sort_by(f64::total_cmp);
    Some(c)
}

/// The bin of a probability given the cuts.
#[inline]
pub fn bin_of(cuts: &[f64], p: f64) -> usize {
    cuts.partition_point(|&c| c <= p).min(BINS - 1)
}

/// Population stability index of observed counts against equal expected shares
/// (the training deciles): `Σ (a - e) ln(a / e)`, with empty bins smoothed.
pub fn psi(counts: &[u64; BINS]) -> f64 {
    let total = total(counts);
    if total == 0 {
        return 0.0;
    }
    let e = 1.0 / BINS as f64;
    counts
        .iter()
        .map(|&c| {
            let a = (c as f64 / total as f64).max(1e-4);
            (a - e) * (a / e).ln()
        })
        .sum()
}

/// The sum of counts, saturating (a crafted counts file cannot wrap it).
pub(crate) fn total(counts: &[u64; BINS]) -> u64 {
    counts.iter().fold(0u64, |a, &c| a.saturating_add(c))
}

/// The counts a store flushes beside a model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreCounts {
    /// `created_unix` of the model the counts belong to (a retrained model starts
    /// afresh).
    pub model_created_unix: u64,
    /// Scores per training decile bin, lowest scores first.
    pub counts: [u64; BINS],
    /// When the counts were last written (Unix seconds).
    pub updated_unix: u64,
}

/// The drift of one tenant's model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftRow {
    /// The tenant.
    pub tenant: String,
    /// The model name.
    pub name: String,
    /// Scores counted since the model was trained.
    pub scores: u64,
    /// The population stability index (`None` with too few scores).
    pub psi: Option<f64>,
    /// `stable`, `watch`, `retrain`, `too_few_scores`, `no_reference` (a model
    /// trained without cross-validation has no training deciles) or `unreadable`
    /// (the model or its counts file cannot be read: see `error`).
    pub status: String,
    /// Why the tenant's drift could not be measured (with status `unreadable`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Reads a counts file; a missing file is `None`, a corrupt one an error naming it.
pub fn read_counts(path: &Path) -> Result<Option<ScoreCounts>> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| Error::InvalidInput(format!("{}: {e}", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io(path, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn psi_values() {
        assert!(psi(&[100; BINS]) < 1e-12);
        let shifted = [0, 0, 0, 0, 0, 100, 200, 200, 250, 250];
        assert!(psi(&shifted) > PSI_RETRAIN);
        let mild = [90, 95, 100, 100, 100, 100, 100, 105, 105, 105];
        assert!(psi(&mild) < PSI_WATCH);
        let cuts = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
        assert_eq!(bin_of(&cuts, 0.05), 0);
        assert_eq!(bin_of(&cuts, 0.1), 1);
        assert_eq!(bin_of(&cuts, 0.95), 9);
    }
}
