//! Computing insights: the target and schema as training resolves them, then every
//! column on a worker thread, then the near-duplicate pairs and the warnings.

use super::stats::{self, Group};
use super::thresholds as th;
use super::{
    Association, Bin, BinEdges, ClassCounts, ColumnInsights, Encoding, Histogram, Insights,
    InsightsOptions, Level, Levels, NumericSummary, Quantile, Summary, Token, Tokens, Warning,
    WarningCode, QUANTILES,
};
use crate::data::{format_num, Column, Kind, Schema, StrColumn, Table, Target, TargetSpec};
use crate::error::{Error, Result};
use crate::recipe::text::{with_ops, TermKind, TextOp};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Computes the insights of every input column of `table` (every column but the
/// target) against the target.
///
/// The target is read as training reads it ([`Target::read`]: two classes, or the
/// positive class named), and column kinds are inferred as training infers them
/// ([`Schema::infer`]) with `opts.kinds` applied. Fails on an invalid option, a
/// target training would refuse, or a kind override naming no column.
pub fn insights(table: &Table, target: &TargetSpec, opts: &InsightsOptions) -> Result<Insights> {
    opts.validate()?;
    let t = Target::read(table, target)?;
    let schema = Schema::infer(table, &[target.column.as_str()]).with_overrides(&opts.kinds)?;
    if t.y.len() as u64 > u64::from(u32::MAX) {
        // Pair counts of the rank statistics are kept in 64 bits.
        return Err(Error::InvalidInput(format!(
            "insights take at most {} rows, the table has {}",
            u32::MAX,
            t.y.len()
        )));
    }
    let labels: Vec<u8> = t.y.iter().map(|&v| u8::from(v > 0.5)).collect();
    let rows = labels.len() as u64;
    let positives = labels.iter().map(|&l| u64::from(l)).sum::<u64>();
    let mut jobs: Vec<(&str, Kind, &Column)> = Vec::with_capacity(schema.fields.len());
    for f in &schema.fields {
        jobs.push((f.name.as_str(), f.kind, table.require(&f.name)?));
    }
    let threads = opts.worker_threads();
    let mut columns = parallel(jobs.len(), threads, |i, s: &mut Scratch| {
        let (name, kind, col) = jobs[i];
        column_insights(name, kind, col, &labels, opts, s)
    })?;
    near_duplicates(&mut columns, &jobs, threads)?;
    // Strongest first; columns without an association last, in table order.
    let key = |c: &Pending| c.strength().unwrap_or(-1.0);
    columns.sort_by(|a, b| key(b).total_cmp(&key(a)));
    let mut warnings = Vec::new();
    for c in &mut columns {
        let msgs = c.warning_messages.take().unwrap_or_default();
        for (code, message) in msgs {
            warnings.push(Warning {
                column: c.inner.name.clone(),
                code,
                message,
            });
        }
    }
    Ok(Insights {
        summary: Summary {
            target: t.column,
            positive_label: t.positive_label,
            negative_label: t.negative_label,
            rows,
            positives,
            positive_rate: if rows > 0 {
                positives as f64 / rows as f64
            } else {
                0.0
            },
            columns: columns.len(),
            bins: opts.bins,
        },
        columns: columns.into_iter().map(|c| c.inner).collect(),
        warnings,
    })
}

/// A column's insights while they are computed, its warning messages beside them.
struct Pending {
    inner: ColumnInsights,
    warning_messages: Option<Vec<(WarningCode, String)>>,
    /// The column's mean (numeric columns; near-duplicates shift by it).
    mean: Option<f64>,
}

impl Pending {
    fn strength(&self) -> Option<f64> {
        self.inner.strength()
    }

    fn warn(&mut self, code: WarningCode, message: String) {
        self.inner.warnings.push(code);
        self.warning_messages
            .get_or_insert_with(Vec::new)
            .push((code, message));
    }
}

/// Buffers a worker thread reuses from column to column.
#[derive(Default)]
struct Scratch {
    /// Keys ([`stats::key_of`]) of a numeric column's present values, by class.
    neg: Vec<u64>,
    pos: Vec<u64>,
    groups: Vec<Group>,
    rate_groups: Vec<Group>,
}

/// Runs `f(i, scratch)` for `i` in `0..jobs` on up to `threads` scoped threads (each
/// with its own scratch), the results in order of `i`.
fn parallel<S: Default, T: Send>(
    jobs: usize,
    threads: usize,
    f: impl Fn(usize, &mut S) -> T + Sync,
) -> Result<Vec<T>> {
    let threads = threads.clamp(1, jobs.max(1));
    if threads == 1 {
        let mut s = S::default();
        return Ok((0..jobs).map(|i| f(i, &mut s)).collect());
    }
    let next = AtomicUsize::new(0);
    let parts: Vec<std::thread::Result<Vec<(usize, T)>>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                sc.spawn(|| {
                    let mut s = S::default();
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= jobs {
                            break;
                        }
                        out.push((i, f(i, &mut s)));
                    }
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join()).collect()
    });
    let mut slots: Vec<Option<T>> = (0..jobs).map(|_| None).collect();
    for part in parts {
        let part =
            part.map_err(|_| Error::Internal("an insights worker thread panicked".into()))?;
        for (i, t) in part {
            if let Some(slot) = slots.get_mut(i) {
                *slot = Some(t);
            }
        }
    }
    slots
        .into_iter()
        .map(|t| t.ok_or_else(|| Error::Internal("an insights job gave no result".into())))
        .collect()
}

/// The insights of one column.
fn column_insights(
    name: &str,
    kind: Kind,
    col: &Column,
    labels: &[u8],
    opts: &InsightsOptions,
    s: &mut Scratch,
) -> Pending {
    let rows = labels.len() as u64;
    let mut p = Pending {
        inner: ColumnInsights {
            name: name.to_owned(),
            kind,
            count: 0,
            missing: 0,
            missing_share: 0.0,
            distinct: 0,
            numeric: None,
            levels: None,
            tokens: None,
            association: None,
            warnings: Vec::new(),
        },
        warning_messages: None,
        mean: None,
    };
    // The most frequent value's rows, and (numbers) whether the values are all
    // distinct and whole.
    let mode_rows: u64;
    let mut integers = false;
    match col {
        Column::Num(v) => {
            let (missing, sums) = split_by_class(v, labels, s);
            let present = (s.neg.len() + s.pos.len()) as u64;
            p.inner.count = present;
            p.inner.missing = missing.count;
            s.neg.sort_unstable();
            s.pos.sort_unstable();
            let walk = stats::sorted_walk(&s.neg, &s.pos, &sums);
            let mean = sums.centre + (sums.neg + sums.pos) / present as f64;
            // Every group for a category's levels; the groups of a column of at most
            // `bins` values for its histogram of one bin per value.
            let keep = if kind == Kind::Categorical {
                usize::MAX
            } else if walk.distinct <= opts.bins as u64 {
                opts.bins
            } else {
                0
            };
            stats::groups_sorted(&s.neg, &s.pos, keep, &mut s.groups);
            p.inner.distinct = walk.distinct;
            mode_rows = walk.mode;
            // Whole numbers matter only when every value is distinct (`id_like`);
            // the check stops at the first fraction.
            integers = walk.distinct == present
                && s.neg
                    .iter()
                    .chain(&s.pos)
                    .all(|&k| stats::is_whole(stats::value_of(k)));
            if kind != Kind::Id && present > 0 {
                let summary = numeric_summary(&walk, mean, s, missing, opts.bins);
                p.mean = Some(mean);
                if kind == Kind::Categorical {
                    let levels = levels_of(
                        s.groups.iter().map(|g| (format_num(g.v), g.neg, g.pos)),
                        missing,
                        opts.top_levels,
                    );
                    stats::rate_groups(s.groups.iter().map(|g| (g.neg, g.pos)), &mut s.rate_groups);
                    let mi = levels_mi(&levels);
                    p.inner.association = Some(association(
                        stats::associate(&s.rate_groups),
                        Encoding::LevelRate,
                        present,
                        mi,
                    ));
                    p.inner.levels = Some(levels);
                } else {
                    let mi = stats::mutual_information(
                        summary
                            .histogram
                            .bins
                            .iter()
                            .map(|b| (b.counts.negatives, b.counts.positives))
                            .chain([(missing.negatives, missing.positives)]),
                    );
                    p.inner.association =
                        Some(association(walk.assoc(), Encoding::Value, present, mi));
                }
                p.inner.numeric = Some(summary);
            }
        }
        Column::Str(sc) => {
            let counts = level_counts(sc, labels);
            let (used, miss) = counts.split_at(sc.levels.len());
            let missing = ClassCounts::new(miss[0][0], miss[0][1]);
            p.inner.missing = missing.count;
            p.inner.count = used.iter().map(|c| c[0] + c[1]).sum();
            p.inner.distinct = used.iter().filter(|c| c[0] + c[1] > 0).count() as u64;
            mode_rows = used.iter().map(|c| c[0] + c[1]).max().unwrap_or(0);
            match kind {
                Kind::Id => {}
                Kind::Text => {
                    p.inner.tokens = Some(tokens_of(sc, used, opts.top_tokens));
                }
                _ => {
                    let levels = levels_of(
                        sc.levels
                            .iter()
                            .zip(used)
                            .filter(|(_, c)| c[0] + c[1] > 0)
                            .map(|(l, c)| (l.clone(), c[0], c[1])),
                        missing,
                        opts.top_levels,
                    );
                    stats::rate_groups(used.iter().map(|c| (c[0], c[1])), &mut s.rate_groups);
                    let mi = levels_mi(&levels);
                    p.inner.association = Some(association(
                        stats::associate(&s.rate_groups),
                        Encoding::LevelRate,
                        p.inner.count,
                        mi,
                    ));
                    p.inner.levels = Some(levels);
                }
            }
        }
    }
    p.inner.missing_share = if rows > 0 {
        p.inner.missing as f64 / rows as f64
    } else {
        0.0
    };
    column_warnings(&mut p, col, mode_rows, integers);
    p
}

/// Puts the keys ([`stats::key_of`]) of the present values of a numeric column into
/// `s.neg` and `s.pos` by class (`-0.0` read as `0.0`), counts the missing cells by
/// class, and sums the values by class around the first present one. Without a
/// branch per row: each key is written at the end of both lists and only the list of
/// its class grows (labels and missing cells are unpredictable).
fn split_by_class(v: &[f64], labels: &[u8], s: &mut Scratch) -> (ClassCounts, stats::Sums) {
    let positives = labels.iter().map(|&l| usize::from(l)).sum::<usize>();
    let negatives = labels.len() - positives;
    s.neg.clear();
    s.pos.clear();
    s.neg.resize(negatives + 1, 0);
    s.pos.resize(positives + 1, 0);
    let centre = v.iter().copied().find(|x| !x.is_nan()).unwrap_or(0.0);
    let (mut i0, mut i1) = (0usize, 0usize);
    let (mut m0, mut m1) = (0usize, 0usize);
    let (mut s0, mut s1, mut squares) = (0.0, 0.0, 0.0);
    for (&x, &l) in v.iter().zip(labels) {
        let k = stats::key_of(x + 0.0);
        let present = usize::from(!x.is_nan());
        let pos = usize::from(l & 1);
        // i0 counts negative rows only, so i0 <= negatives (and i1 <= positives).
        if let (Some(a), Some(b)) = (s.neg.get_mut(i0), s.pos.get_mut(i1)) {
            *a = k;
            *b = k;
        }
        i0 += present & (pos ^ 1);
        i1 += present & pos;
        m0 += (present ^ 1) & (pos ^ 1);
        m1 += (present ^ 1) & pos;
        let d = if present == 1 { x - centre } else { 0.0 };
        let dp = if pos == 1 { d } else { 0.0 };
        s0 += d - dp;
        s1 += dp;
        squares += d * d;
    }
    s.neg.truncate(i0);
    s.pos.truncate(i1);
    let sums = stats::Sums {
        centre,
        neg: s0,
        pos: s1,
        squares,
    };
    (ClassCounts::new(m0 as u64, m1 as u64), sums)
}

/// Rows of each level by class (`[negatives, positives]`), the missing cells in the
/// last entry.
fn level_counts(sc: &StrColumn, labels: &[u8]) -> Vec<[u64; 2]> {
    let nl = sc.levels.len();
    let mut counts = vec![[0u64; 2]; nl + 1];
    for (&c, &l) in sc.codes.iter().zip(labels) {
        // MISSING_CODE (and any code past the levels) lands in the last entry.
        let k = (c as usize).min(nl);
        counts[k][usize::from(l & 1)] += 1;
    }
    counts
}

/// Min, max, mean, standard deviation, quantiles and histogram of a numeric column
/// with present values, from its walk (and its first groups and sorted keys in `s`).
fn numeric_summary(
    walk: &stats::Walk,
    mean: f64,
    s: &Scratch,
    missing: ClassCounts,
    bins: usize,
) -> NumericSummary {
    let quantile = |q: f64| stats::quantile_sorted(&s.neg, &s.pos, q);
    let by_value = walk.distinct <= bins as u64;
    let raw = if by_value {
        s.groups
            .iter()
            .map(|g| stats::RawBin {
                lower: g.v,
                upper: g.v,
                neg: g.neg,
                pos: g.pos,
            })
            .collect()
    } else {
        let mut edges: Vec<f64> = (0..=bins)
            .map(|k| quantile(k as f64 / bins as f64))
            .collect();
        edges.dedup();
        if edges.len() < 2 {
            // Cannot happen with more distinct values than bins; one closed bin.
            edges.push(walk.max);
        }
        stats::histogram_sorted(&s.neg, &s.pos, &edges)
    };
    NumericSummary {
        min: walk.min,
        max: walk.max,
        mean,
        std: walk.std(),
        quantiles: QUANTILES
            .iter()
            .map(|&q| Quantile {
                q,
                value: quantile(q),
            })
            .collect(),
        histogram: Histogram {
            edges: if by_value {
                BinEdges::Values
            } else {
                BinEdges::Quantiles
            },
            bins: raw
                .iter()
                .map(|b| Bin {
                    lower: b.lower,
                    upper: b.upper,
                    counts: ClassCounts::new(b.neg, b.pos),
                })
                .collect(),
            missing,
        },
    }
}

/// The top levels (most rows first, then by name), "other" and missing.
fn levels_of(
    levels: impl Iterator<Item = (String, u64, u64)>,
    missing: ClassCounts,
    top: usize,
) -> Levels {
    let mut all: Vec<(String, u64, u64)> = levels.collect();
    let cmp = |a: &(String, u64, u64), b: &(String, u64, u64)| {
        (b.1 + b.2).cmp(&(a.1 + a.2)).then_with(|| a.0.cmp(&b.0))
    };
    if all.len() > top {
        if top > 0 {
            all.select_nth_unstable_by(top - 1, cmp);
        }
        all[..top].sort_unstable_by(cmp);
    } else {
        all.sort_unstable_by(cmp);
    }
    let rest = all.split_off(top.min(all.len()));
    let (on, op) = rest
        .iter()
        .fold((0u64, 0u64), |(a, b), r| (a + r.1, b + r.2));
    Levels {
        top: all
            .into_iter()
            .map(|(level, n, p)| Level {
                level,
                counts: ClassCounts::new(n, p),
            })
            .collect(),
        other: ClassCounts::new(on, op),
        other_levels: rest.len() as u64,
        missing,
    }
}

/// Mutual information over the top levels, "other" and missing.
fn levels_mi(l: &Levels) -> Option<f64> {
    stats::mutual_information(
        l.top
            .iter()
            .map(|x| &x.counts)
            .chain([&l.other, &l.missing])
            .map(|c| (c.negatives, c.positives)),
    )
}

/// The association of a column with the target, over its `rows` present cells.
fn association(a: stats::Assoc, encoding: Encoding, rows: u64, mi: Option<f64>) -> Association {
    Association {
        encoding,
        rows,
        pearson: a.pearson,
        kendall_tau_b: a.kendall,
        roc_auc: a.auc,
        higher_is_positive: a.auc.is_none_or(|x| x >= 0.5),
        strength: a.auc.map(|x| x.max(1.0 - x)),
        mutual_information: mi,
    }
}

/// The most frequent tokens of a text column: every distinct text is cut once
/// (`lowercase(no_punct(text))`, then split at white space, as the recipe's text
/// steps cut it) and its tokens counted once per row holding the text.
fn tokens_of(sc: &StrColumn, counts: &[[u64; 2]], top: usize) -> Tokens {
    struct Tok {
        neg: u64,
        pos: u64,
        /// The last level counted (+1), so a text repeating a token counts it once.
        last: usize,
        label: String,
    }
    let mut index: std::collections::HashMap<u64, usize, foldhash::fast::RandomState> =
        Default::default();
    let mut toks: Vec<Tok> = Vec::new();
    let ops = [TextOp::NoPunct, TextOp::Lowercase];
    let mut documents = 0u64;
    for (li, (text, c)) in sc.levels.iter().zip(counts).enumerate() {
        if c[0] + c[1] == 0 {
            continue;
        }
        documents += c[0] + c[1];
        with_ops(text, &ops, |t| {
            TermKind::Ngram(1).for_each_term(t, |key, label| {
                let at = *index.entry(key).or_insert_with(|| {
                    toks.push(Tok {
                        neg: 0,
                        pos: 0,
                        last: 0,
                        label: label(),
                    });
                    toks.len() - 1
                });
                if let Some(tok) = toks.get_mut(at) {
                    if tok.last != li + 1 {
                        tok.last = li + 1;
                        tok.neg += c[0];
                        tok.pos += c[1];
                    }
                }
            })
        });
    }
    let distinct = toks.len() as u64;
    let cmp = |a: &Tok, b: &Tok| {
        (b.neg + b.pos)
            .cmp(&(a.neg + a.pos))
            .then_with(|| a.label.cmp(&b.label))
    };
    if toks.len() > top && top > 0 {
        toks.select_nth_unstable_by(top - 1, cmp);
    }
    toks.truncate(top);
    toks.sort_unstable_by(cmp);
    Tokens {
        documents,
        distinct,
        top: toks
            .into_iter()
            .map(|t| Token {
                token: t.label,
                counts: ClassCounts::new(t.neg, t.pos),
            })
            .collect(),
    }
}

/// Every warning of one column but `near_duplicate`.
fn column_warnings(p: &mut Pending, col: &Column, mode_rows: u64, integers: bool) {
    let c = &p.inner;
    let (count, distinct, kind) = (c.count, c.distinct, c.kind);
    let mut out: Vec<(WarningCode, String)> = Vec::new();
    if let Some(a) = &c.association {
        let auc = a.strength.unwrap_or(0.0);
        let r = a.pearson.map_or(0.0, f64::abs);
        let per_level = count as f64 / distinct.max(1) as f64;
        let trusted = a.encoding == Encoding::Value || per_level >= th::LEAK_MIN_ROWS_PER_LEVEL;
        if trusted && (auc >= th::LEAK_AUC || r >= th::LEAK_PEARSON) {
            out.push((
                WarningCode::Leak,
                format!(
                    "alone it separates the classes almost perfectly (ROC AUC {auc:.3}, Pearson {}): is it filled from the outcome?",
                    a.pearson.map_or("-".into(), |r| format!("{r:+.3}"))
                ),
            ));
        }
    }
    if distinct <= 1 {
        out.push((
            WarningCode::Constant,
            if distinct == 0 {
                "no value at all".to_owned()
            } else {
                "a single value".to_owned()
            },
        ));
    } else if mode_rows as f64 >= th::NEAR_CONSTANT_SHARE * count as f64 {
        out.push((
            WarningCode::NearConstant,
            format!(
                "one value in {:.1} % of the present cells",
                100.0 * mode_rows as f64 / count as f64
            ),
        ));
    }
    if c.missing_share > th::MOSTLY_MISSING_SHARE {
        out.push((
            WarningCode::MostlyMissing,
            format!("{:.1} % of the cells are missing", 100.0 * c.missing_share),
        ));
    }
    let all_distinct = count >= th::ID_MIN_ROWS
        && distinct == count
        && (matches!(col, Column::Str(_)) || integers);
    if (kind == Kind::Id && count > 0) || all_distinct {
        out.push((
            WarningCode::IdLike,
            if kind == Kind::Id {
                format!("kind id: an identifier, ignored by training ({distinct} distinct values in {count} cells)")
            } else {
                format!("every one of its {count} values is distinct: an identifier?")
            },
        ));
    }
    for (code, m) in out {
        p.warn(code, m);
    }
}

/// Flags pairs of numeric columns with |Pearson| of at least
/// [`th::NEAR_DUPLICATE_PEARSON`], among the [`th::NEAR_DUPLICATE_MAX_COLUMNS`]
/// strongest: every pair is screened on up to [`th::NEAR_DUPLICATE_SAMPLE_ROWS`]
/// evenly spaced rows, and a pair above 0.95 there is confirmed on every row. The
/// weaker column of a pair gets the warning.
fn near_duplicates(
    columns: &mut [Pending],
    jobs: &[(&str, Kind, &Column)],
    threads: usize,
) -> Result<()> {
    let mut cand: Vec<usize> = (0..columns.len())
        .filter(|&i| {
            let c = &columns[i].inner;
            matches!(jobs[i].2, Column::Num(_))
                && matches!(c.kind, Kind::Numeric | Kind::Boolean)
                && c.numeric.as_ref().is_some_and(|n| n.std > 0.0)
                && columns[i].mean.is_some_and(f64::is_finite)
        })
        .collect();
    let key = |i: &usize| columns[*i].strength().unwrap_or(0.0);
    cand.sort_by(|a, b| key(b).total_cmp(&key(a)));
    cand.truncate(th::NEAR_DUPLICATE_MAX_COLUMNS);
    if cand.len() < 2 {
        return Ok(());
    }
    let full = |i: usize| match jobs[i].2 {
        Column::Num(v) => v.as_slice(),
        Column::Str(_) => &[],
    };
    let rows = full(cand[0]).len();
    let m = rows.min(th::NEAR_DUPLICATE_SAMPLE_ROWS);
    let shift = |i: usize| columns[i].mean.unwrap_or(0.0);
    let sample: Vec<Vec<f64>> = cand
        .iter()
        .map(|&i| {
            let v = full(i);
            (0..m)
                .map(|k| v.get(k * rows / m).copied().unwrap_or(f64::NAN))
                .collect()
        })
        .collect();
    let screen = 0.95_f64.min(th::NEAR_DUPLICATE_PEARSON);
    let found: Vec<Vec<(usize, usize, f64)>> = parallel(cand.len(), threads, |a, _: &mut ()| {
        let mut out = Vec::new();
        for b in a + 1..cand.len() {
            let (ia, ib) = (cand[a], cand[b]);
            let s = stats::pearson_pairwise(&sample[a], &sample[b], (shift(ia), shift(ib)));
            if s.is_some_and(|r| r.abs() >= screen) {
                let r = if m == rows {
                    s
                } else {
                    stats::pearson_pairwise(full(ia), full(ib), (shift(ia), shift(ib)))
                };
                if let Some(r) = r.filter(|r| r.abs() >= th::NEAR_DUPLICATE_PEARSON) {
                    // `cand` is strongest first: b is the weaker one.
                    out.push((ib, ia, r));
                }
            }
        }
        out
    })?;
    for (weak, strong, r) in found.into_iter().flatten() {
        let other = columns[strong].inner.name.clone();
        columns[weak].warn(
            WarningCode::NearDuplicate,
            format!("Pearson {r:+.3} with the stronger column \"{other}\": a near duplicate"),
        );
    }
    Ok(())
}
