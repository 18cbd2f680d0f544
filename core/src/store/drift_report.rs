//! The drift report: every tenant's score counts against its model's training
//! deciles, read through the store's layout ([`super::paths`]).

use super::paths::{counts_file, model_file, tenant_dirs, validate_name};
use crate::drift::{
    cuts, psi, read_counts, total, DriftRow, BINS, MIN_SCORES, PSI_RETRAIN, PSI_WATCH,
};
use crate::error::Result;
use crate::model::Model;
use std::path::Path;

/// Reads the counts flushed beside every tenant's model `name` (or one tenant's) and
/// computes each model's PSI, worst first.
pub fn drift_report(root: &Path, name: &str, tenant: Option<&str>) -> Result<Vec<DriftRow>> {
    validate_name("model", name)?;
    let tenants: Vec<String> = match tenant {
        Some(t) => {
            validate_name("tenant", t)?;
            vec![t.to_owned()]
        }
        None => tenant_dirs(root)?,
    };
    let mut rows = Vec::new();
    for t in tenants {
        let model_path = model_file(root, &t, name)?;
        if !model_path.exists() {
            continue;
        }
        // One tenant's unreadable model or counts is that tenant's row, not the
        // whole report's failure.
        let read = Model::load(&model_path)
            .and_then(|m| read_counts(&counts_file(root, &t, name)?).map(|c| (m, c)));
        let (model, counts) = match read {
            Ok(x) => x,
            Err(e) => {
                rows.push(DriftRow {
                    tenant: t,
                    name: name.to_owned(),
                    scores: 0,
                    psi: None,
                    status: "unreadable".to_owned(),
                    error: Some(e.to_string()),
                });
                continue;
            }
        };
        let counts = counts.filter(|c| c.model_created_unix == model.meta().created_unix);
        let scores = counts.as_ref().map_or(0, |c| total(&c.counts));
        let (psi_value, status) = if cuts(&model).is_none() {
            (None, "no_reference")
        } else if scores < MIN_SCORES {
            (None, "too_few_scores")
        } else {
            let v = psi(&counts.as_ref().map_or([0; BINS], |c| c.counts));
            let s = if v >= PSI_RETRAIN {
                "retrain"
            } else if v >= PSI_WATCH {
                "watch"
            } else {
                "stable"
            };
            (Some(v), s)
        };
        rows.push(DriftRow {
            tenant: t,
            name: name.to_owned(),
            scores,
            psi: psi_value,
            status: status.to_owned(),
            error: None,
        });
    }
    rows.sort_by(|a, b| {
        b.psi
            .unwrap_or(-1.0)
            .total_cmp(&a.psi.unwrap_or(-1.0))
            .then_with(|| a.tenant.cmp(&b.tenant))
    });
    Ok(rows)
}
