//! Mass training from a table in memory (a DataFrame, JavaScript rows, a PHP array):
//! the rows are grouped by the tenant column, then trained as an export's tenants are.

use super::{fit_global, run_tenants, settle, MassConfig, MassSummary, Progress, Status};
use crate::data::format_num;
use crate::data::Column;
use crate::error::{Error, Result};
use crate::rng::Rng;
use crate::store::Store;
use crate::Table;
use std::collections::HashMap;
use std::time::Instant;

/// One tenant's rows of the table.
struct Group {
    name: String,
    rows: Vec<usize>,
}

/// The tenant of every row: a string column's trimmed text, a number as written
/// (`7`, `2.5`); a missing or blank cell has none.
fn tenant_names(col: &Column) -> Vec<Option<String>> {
    match col {
        Column::Str(s) => {
            let levels: Vec<Option<String>> = s
                .levels
                .iter()
                .map(|l| Some(l.trim().to_owned()).filter(|t| !t.is_empty()))
                .collect();
            s.codes
                .iter()
                .map(|&c| levels.get(c as usize).cloned().flatten())
                .collect()
        }
        Column::Num(v) => v
            .iter()
            .map(|x| (!x.is_nan()).then(|| format_num(*x)))
            .collect(),
    }
}

/// Trains every tenant of `table` (grouped by `config.by`) into `store`. A table has
/// no modification time, so every tenant is trained (`force` changes nothing).
pub(super) fn train_table(
    table: &Table,
    store: &Store,
    config: &MassConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<MassSummary> {
    let start = Instant::now();
    let by = config.by.as_deref().ok_or_else(|| {
        Error::InvalidInput("training tenants from a table needs the tenant column (by)".into())
    })?;
    let names = tenant_names(table.require(by)?);
    let mut groups: Vec<Group> = Vec::new();
    let mut at: HashMap<&str, usize> = HashMap::new();
    let mut without = 0usize;
    for (i, name) in names.iter().enumerate() {
        let Some(name) = name.as_deref() else {
            without += 1;
            continue;
        };
        let g = *at.entry(name).or_insert_with(|| {
            groups.push(Group {
                name: name.to_owned(),
                rows: Vec::new(),
            });
            groups.len() - 1
        });
        groups[g].rows.push(i);
    }
    // A seeded uniform sample of the rows that have a tenant, for the fallback model
    // (the same stream as an export's reservoir).
    let sample = if config.global {
        let mut rng = Rng::derive(config.train.config.seed, 0x61_0BA1);
        let mut rows: Vec<usize> = Vec::new();
        let mut seen = 0u64;
        for (i, n) in names.iter().enumerate() {
            if n.is_none() {
                continue;
            }
            seen += 1;
            if rows.len() < config.global_max_rows {
                rows.push(i);
            } else if config.global_max_rows > 0 {
                let j = rng.below(seen) as usize;
                if j < config.global_max_rows {
                    rows[j] = i;
                }
            }
        }
        rows
    } else {
        Vec::new()
    };
    let index_seconds = start.elapsed().as_secs_f64();
    groups.sort_by(|a, b| {
        b.rows
            .len()
            .cmp(&a.rows.len())
            .then_with(|| a.name.cmp(&b.name))
    });
    let mut per_tenant = config.train.clone();
    per_tenant.config.threads = 1;
    let tenants = run_tenants(
        store,
        config,
        &groups,
        |g| (g.name.as_str(), g.rows.len()),
        |g| {
            let t0 = Instant::now();
            let mut part = table.take(&g.rows);
            part.remove_column(by);
            let fit = per_tenant.train_table(&part);
            drop(part);
            settle(store, &config.name, &g.name, g.rows.len(), fit, t0)
        },
        progress,
        start,
    );
    let cancelled = config.cancelled();
    let global = if config.global && !cancelled {
        let t0 = Instant::now();
        let failed: std::collections::HashSet<&str> = tenants
            .iter()
            .filter(|t| t.status == Status::Failed)
            .map(|t| t.tenant.as_str())
            .collect();
        let mut rows: Vec<usize> = sample
            .into_iter()
            .filter(|&i| names[i].as_deref().is_some_and(|n| !failed.contains(n)))
            .collect();
        // Tenant by tenant (in order of first appearance), then in row order: the order
        // an export's sample is read back in, so both give the same fallback model.
        rows.sort_unstable_by_key(|&i| (names[i].as_deref().and_then(|n| at.get(n)), i));
        if rows.is_empty() {
            Some(super::TenantOutcome::new(
                crate::store::GLOBAL_TENANT,
                Status::InsufficientData,
                0,
                Some(0),
                None,
                Some("no rows".into()),
                t0,
            ))
        } else {
            Some(fit_global(store, config, table.take(&rows), t0))
        }
    } else {
        None
    };
    Ok(MassSummary {
        tenants,
        global,
        rows_without_tenant: without,
        index_seconds,
        seconds: start.elapsed().as_secs_f64(),
        cancelled,
    })
}
