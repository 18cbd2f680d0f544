//! The challenger of one fit: a random forest ([`super::forest`]) on the same feature
//! columns and training rows as the logistic model, scored on the same held-out rows.

use super::config::{MAX_CHALLENGER_FEATURES, MAX_CHALLENGER_ROWS};
use super::forest::{Columns, Forest, ForestConfig};
use crate::eval::ChallengerFold;
use crate::recipe::{BoundTable, Pipeline};
use std::time::Instant;

/// Standard deviation of every feature column over `rows`.
pub(super) fn column_std(bound: &BoundTable<'_>, rows: &[usize], d: usize) -> Vec<f64> {
    let (mut sum, mut sq) = (vec![0.0; d], vec![0.0; d]);
    for &r in rows {
        bound.emit_row(r, &mut |j, v| {
            if let Some(k) = sum.get_mut(j as usize) {
                *k += v;
                sq[j as usize] += v * v;
            }
        });
    }
    let n = rows.len().max(1) as f64;
    sum.iter()
        .zip(&sq)
        .map(|(s, q)| {
            let m = s / n;
            (q / n - m * m).max(0.0).sqrt()
        })
        .collect()
}

/// The forest's held-out probabilities and its importance by input column. The forest
/// sees at most [`MAX_CHALLENGER_FEATURES`] columns (the strongest by `|coefficient x
/// std|`, then by std) and [`MAX_CHALLENGER_ROWS`] training rows (an even sample).
pub(super) fn challenger_fold(
    pipeline: &Pipeline,
    bound: &BoundTable<'_>,
    rows: &[usize],
    test: &[usize],
    y_all: &[f64],
    coef: &[f64],
    cfg: &ForestConfig,
) -> ChallengerFold {
    let start = Instant::now();
    let d = pipeline.n_features();
    let std = column_std(bound, rows, d);
    let mut order: Vec<usize> = (0..d).filter(|&j| std[j] > 0.0).collect();
    let strength = |j: usize| coef.get(j).map_or(0.0, |c| c.abs()) * std[j];
    order.sort_by(|&a, &b| {
        strength(b)
            .total_cmp(&strength(a))
            .then(std[b].total_cmp(&std[a]))
            .then(a.cmp(&b))
    });
    order.truncate(MAX_CHALLENGER_FEATURES);
    let mut column_of = vec![usize::MAX; d];
    for (k, &j) in order.iter().enumerate() {
        column_of[j] = k;
    }
    let step = rows.len().div_ceil(MAX_CHALLENGER_ROWS).max(1);
    let sample: Vec<usize> = rows.iter().copied().step_by(step).collect();
    let matrix = |rs: &[usize]| -> Columns {
        let mut x: Columns = vec![vec![0.0; rs.len()]; order.len()];
        for (i, &r) in rs.iter().enumerate() {
            bound.emit_row(r, &mut |j, v| {
                if let Some(&k) = column_of.get(j as usize) {
                    if k != usize::MAX {
                        x[k][i] = v;
                    }
                }
            });
        }
        x
    };
    let y: Vec<f64> = sample.iter().map(|&r| y_all[r]).collect();
    let forest = Forest::fit(&matrix(&sample), &y, cfg);
    let p = forest.predict(&matrix(test));
    // Importance by input column (a cross counts as one: `source × city`).
    let (groups, of_step) = pipeline.groups();
    let mut group_of = vec![0usize; d];
    for (s, step) in pipeline.steps().iter().enumerate() {
        for slot in &mut group_of[step.offset()..step.offset() + step.width()] {
            *slot = of_step[s];
        }
    }
    let mut by_group = vec![0.0; groups.len()];
    for (k, &j) in order.iter().enumerate() {
        by_group[group_of[j]] += forest.importance[k];
    }
    let importance = groups
        .iter()
        .zip(by_group)
        .filter(|(_, v)| *v > 0.0)
        .map(|(g, v)| (g.name.clone(), v))
        .collect();
    ChallengerFold {
        p,
        importance,
        seconds: start.elapsed().as_secs_f64(),
        features: order.len(),
    }
}
