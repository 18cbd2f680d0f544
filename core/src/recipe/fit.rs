//! Fitting a recipe on training rows: each typed output of [`super::plan`] becomes a
//! step, its derived sources become [`Derived`] definitions, and what a step learns
//! (means and scales, bin edges, kept levels, vocabularies and their weights) is
//! learnt from the training rows only.

use super::parse::parse;
use super::pipeline::{
    fit_flag, fit_one_hot, fit_standardize, select_levels, Indicator, Rows, MAX_FEATURES,
};
use super::plan::{plan, Node, Output, PlanDefaults};
use super::source::{used_levels, Derived, TableSources};
use super::step::{Step, TermsStep};
use super::text::TermKind;
use super::{AutoOptions, Input, Pipeline};
use crate::data::{Column, Kind, Schema, Table, MISSING_CODE};
use crate::error::{Error, Result};

/// The Euclidean length of a row's term weights (see [`TermsStep`]).
pub const TEXT_NORM: f64 = 2.0;

impl Pipeline {
    /// Fits a recipe (see the recipe language in [`super`]) on the given training
    /// rows of `table`. Errors in the text or against the schema name the recipe's
    /// line and column; values that do not fit their kind name the data's line.
    pub fn fit(
        recipe: &str,
        table: &Table,
        schema: &Schema,
        rows: &[usize],
        opts: &AutoOptions,
    ) -> Result<Pipeline> {
        let lines = parse(recipe)?;
        let outputs = plan(
            &lines,
            schema,
            PlanDefaults {
                min_count: opts.min_count,
                max_levels: opts.max_levels,
            },
        )?;
        if outputs.is_empty() {
            return Err(Error::InvalidInput(
                "the recipe makes no features (no lines, or only groups with no column of their kind)".into(),
            ));
        }
        let all = rows.len() == table.n_rows()
            && rows
                .iter()
                .enumerate()
                .fold(true, |ok, (i, &r)| ok & (i == r));
        let mut f = Fitter {
            p: Pipeline {
                inputs: Vec::new(),
                steps: Vec::new(),
                n_features: 0,
                derived: Vec::new(),
                recipe: recipe.to_owned(),
                scoring: Default::default(),
            },
            table,
            schema,
            rows: Rows { rows, all },
            ts: TableSources::new(table, (!all).then_some(rows)),
            nodes: Vec::new(),
        };
        // Raw inputs first, so that derived sources number after every input.
        for out in &outputs {
            collect_columns(out, &mut |name| f.input(name).map(|_| ()))?;
        }
        // A raw number's or flag's line followed by `missing(x)` of the same column is
        // one step with its indicator (the first release's step: the same columns,
        // scored by the plainest path).
        let mut k = 0;
        while k < outputs.len() {
            let fused = match (&outputs[k], outputs.get(k + 1)) {
                (Output::Standardize(Node::Column(a)), Some(Output::Missing(Node::Column(b)))) => {
                    a == b && table.column(a).is_some() && schema.kind_of(a) == Some(Kind::Numeric)
                }
                (Output::Flag(Node::Column(a)), Some(Output::Missing(Node::Column(b)))) => {
                    a == b && table.column(a).is_some()
                }
                _ => false,
            };
            f.output(&outputs[k], fused)?;
            k += 1 + usize::from(fused);
        }
        let mut p = f.p;
        p.prepare()?;
        Ok(p)
    }
}

struct Fitter<'t> {
    p: Pipeline,
    table: &'t Table,
    schema: &'t Schema,
    rows: Rows<'t>,
    /// The training rows' values of each source.
    ts: TableSources<'t>,
    /// Derived sources made so far, by the expression they compute.
    nodes: Vec<(Node, u32)>,
}

impl Fitter<'_> {
    fn input(&mut self, name: &str) -> Result<u32> {
        if let Some(i) = self.p.inputs.iter().position(|i| i.name == name) {
            return Ok(i as u32);
        }
        let kind = self.schema.kind_of(name).ok_or_else(|| {
            Error::unknown_column(name, self.schema.fields.iter().map(|f| f.name.as_str()))
        })?;
        if !self.p.derived.is_empty() {
            // Raw inputs come first (`Pipeline::fit` adds them all before any output).
            return Err(Error::Internal(
                "an input added after derived sources".into(),
            ));
        }
        self.p.inputs.push(Input {
            name: name.to_owned(),
            kind,
        });
        Ok((self.p.inputs.len() - 1) as u32)
    }

    /// The source of an expression, made (and its parameters learnt) on first use.
    fn source(&mut self, node: &Node) -> Result<u32> {
        if let Some((_, s)) = self.nodes.iter().find(|(n, _)| n == node) {
            return Ok(*s);
        }
        let def = match node {
            Node::Column(name) => return self.input(name),
            Node::Log1p(x) => Derived::Log1p(self.source(x)?),
            Node::Rate(a, b) => Derived::Rate(self.source(a)?, self.source(b)?),
            Node::Clip(x, lo, hi) => Derived::Clip(self.source(x)?, *lo, *hi),
            Node::Bins(x, n) => {
                let s = self.source(x)?;
                let values = self.ts.num(&self.p.inputs, &self.p.derived, s as usize)?;
                Derived::Bins(s, quantile_edges(&values, *n))
            }
            Node::Cross(a, b) => Derived::Cross(self.source(a)?, self.source(b)?),
            Node::Lowercase(x) => Derived::Lowercase(self.source(x)?),
            Node::NoPunct(x) => Derived::NoPunct(self.source(x)?),
            Node::Negate(x) => Derived::Negate(self.source(x)?),
        };
        self.p.derived.push(def);
        let s = (self.p.inputs.len() + self.p.derived.len() - 1) as u32;
        self.nodes.push((node.clone(), s));
        Ok(s)
    }

    /// The raw column behind a source that is a raw input.
    fn raw_column(&self, s: u32) -> Option<(&str, &Column)> {
        let input = self.p.inputs.get(s as usize)?;
        Some((&input.name, self.table.column(&input.name)?))
    }

    /// Fits one output (with `indicator`, a raw number or flag with its missing
    /// indicator column).
    fn output(&mut self, out: &Output, indicator: bool) -> Result<()> {
        let ind = if indicator {
            Indicator::Always
        } else {
            Indicator::Never
        };
        let offset = u32::try_from(self.p.n_features)
            .ok()
            .filter(|&o| (o as usize) < MAX_FEATURES)
            .ok_or_else(|| too_wide(self.p.n_features))?;
        let step = match out {
            Output::Standardize(node) => {
                let s = self.source(node)?;
                // A raw number is read as it is; booleans (1/0, yes/no) and computed
                // numbers through their source.
                let numeric = self
                    .p
                    .inputs
                    .get(s as usize)
                    .is_some_and(|i| i.kind == Kind::Numeric);
                match self.raw_column(s).filter(|_| numeric) {
                    Some((name, col)) => fit_standardize(name, col, &self.rows, s, offset, ind)?,
                    None => {
                        // A computed number: its values are the training rows' already,
                        // every one of them to be read as it is.
                        let name = self.p.source_name(s as usize);
                        let values = self.ts.num(&self.p.inputs, &self.p.derived, s as usize)?;
                        let col = Column::Num(values.to_vec());
                        let every = Rows {
                            rows: &[],
                            all: true,
                        };
                        fit_standardize(&name, &col, &every, s, offset, Indicator::Never)?
                    }
                }
            }
            Output::Flag(node) => {
                let s = self.source(node)?;
                let (name, col) = self
                    .raw_column(s)
                    .ok_or_else(|| Error::Internal("a flag of a computed value".into()))?;
                fit_flag(name, col, &self.rows, s, offset, ind)?
            }
            Output::OneHot {
                of,
                min_count,
                max_levels,
            } => {
                let s = self.source(of)?;
                let boolean = self
                    .p
                    .inputs
                    .get(s as usize)
                    .is_some_and(|i| i.kind == Kind::Boolean);
                match self.raw_column(s) {
                    Some((_, col)) if !boolean => {
                        fit_one_hot(col, &self.rows, s, offset, *min_count, *max_levels)
                    }
                    _ => {
                        let (codes, levels) =
                            self.ts
                                .levels(&self.p.inputs, &self.p.derived, s as usize)?;
                        let mut counts = vec![0usize; levels.len()];
                        for &c in codes.iter() {
                            if let Some(n) = counts.get_mut(c as usize) {
                                *n += 1;
                            }
                        }
                        let mut by_level = std::collections::BTreeMap::new();
                        for (l, n) in levels.iter().zip(counts) {
                            if n > 0 {
                                *by_level.entry(l.clone()).or_insert(0) += n;
                            }
                        }
                        Step::OneHot {
                            input: s,
                            offset,
                            levels: select_levels(by_level, *min_count, *max_levels),
                        }
                    }
                }
            }
            Output::Missing(node) => Step::Missing {
                input: self.source(node)?,
                offset,
            },
            Output::Hashed { of, bits } => Step::Hashed {
                input: self.source(of)?,
                offset,
                bits: *bits,
            },
            Output::Terms {
                of,
                kind,
                min_df,
                max_terms,
                bits,
            } => {
                let s = self.source(of)?;
                let (codes, levels) = self.ts.texts(&self.p.inputs, &self.p.derived, s as usize)?;
                let t = fit_terms(
                    s, offset, &codes, &levels, *kind, *min_df, *max_terms, *bits,
                );
                Step::Terms(Box::new(t))
            }
        };
        let width = step.width();
        self.p.n_features = self
            .p
            .n_features
            .checked_add(width)
            .filter(|&n| n <= MAX_FEATURES)
            .ok_or_else(|| too_wide(self.p.n_features.saturating_add(width)))?;
        self.p.steps.push(step);
        Ok(())
    }
}

fn too_wide(n: usize) -> Error {
    Error::InvalidInput(format!(
        "the recipe makes {n} or more feature columns; at most {MAX_FEATURES} are allowed (lower hash bits or max_terms)"
    ))
}

/// Calls `f` with every column an output reads.
fn collect_columns(out: &Output, f: &mut impl FnMut(&str) -> Result<()>) -> Result<()> {
    fn walk(n: &Node, f: &mut impl FnMut(&str) -> Result<()>) -> Result<()> {
        match n {
            Node::Column(c) => f(c),
            Node::Log1p(x)
            | Node::Clip(x, ..)
            | Node::Bins(x, _)
            | Node::Lowercase(x)
            | Node::NoPunct(x)
            | Node::Negate(x) => walk(x, f),
            Node::Rate(a, b) | Node::Cross(a, b) => {
                walk(a, f)?;
                walk(b, f)
            }
        }
    }
    match out {
        Output::Standardize(n) | Output::Flag(n) | Output::Missing(n) => walk(n, f),
        Output::OneHot { of, .. } | Output::Terms { of, .. } | Output::Hashed { of, .. } => {
            walk(of, f)
        }
    }
}

/// Bin edges at the `k / n` quantiles of the present values (`k = 1..n`), rounded to
/// three digits below the values' spread so that they read well (`[30, 60)`), each
/// above the smallest value and each once: fewer than `n - 1` when values repeat.
pub(crate) fn quantile_edges(values: &[f64], n: usize) -> Vec<f64> {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() || n < 2 {
        return Vec::new();
    }
    v.sort_unstable_by(f64::total_cmp);
    let (min, max) = (v[0], v[v.len() - 1]);
    let spread = max - min;
    let round = |x: f64| -> f64 {
        if spread.is_nan() || spread <= 0.0 || !spread.is_finite() {
            return x;
        }
        let digits = 2 - spread.log10().floor() as i32;
        if !(-15..=15).contains(&digits) {
            return x;
        }
        if digits >= 0 {
            // Through the decimal text, so the edge is the double that reads that way.
            format!("{x:.*}", digits as usize).parse().unwrap_or(x)
        } else {
            let r = 10f64.powi(-digits);
            (x / r).round() * r
        }
    };
    let mut edges: Vec<f64> = Vec::with_capacity(n - 1);
    for k in 1..n {
        let q = v[(k * v.len() / n).min(v.len() - 1)];
        let e = round(q);
        if e > min && e.is_finite() && edges.last().is_none_or(|&l| e > l) {
            edges.push(e);
        }
    }
    edges
}

/// Fits the vocabulary (or hashed buckets) and weights of a text step on the
/// training rows' texts (`codes` into `levels`, one per training row).
#[allow(clippy::too_many_arguments)]
fn fit_terms(
    input: u32,
    offset: u32,
    codes: &[u32],
    levels: &[String],
    kind: TermKind,
    min_df: usize,
    max_terms: usize,
    bits: Option<u8>,
) -> TermsStep {
    let n = codes.len();
    // Rows per level: a level's terms count once per row that holds it.
    let mut rows_of = vec![0usize; levels.len()];
    for &c in codes {
        if c != MISSING_CODE {
            if let Some(r) = rows_of.get_mut(c as usize) {
                *r += 1;
            }
        }
    }
    let used = used_levels(codes, levels.len());
    let idf = |df: usize| ((1.0 + n as f64) / (1.0 + df as f64)).ln() + 1.0;
    let mut keys_buf = Vec::new();
    if let Some(b) = bits {
        let width = 1usize << b;
        let mask = (width - 1) as u64;
        let mut df = vec![0usize; width];
        let mut buckets: Vec<usize> = Vec::new();
        for (l, level) in levels.iter().enumerate() {
            if !used[l] {
                continue;
            }
            kind.distinct_keys(level, &mut keys_buf);
            buckets.clear();
            buckets.extend(keys_buf.iter().map(|k| (k & mask) as usize));
            buckets.sort_unstable();
            buckets.dedup();
            for &j in &buckets {
                df[j] += rows_of[l];
            }
        }
        return TermsStep {
            input,
            offset,
            kind,
            keys: Vec::new(),
            labels: Vec::new(),
            bits,
            idf: df.into_iter().map(idf).collect(),
            oov_idf: 0.0,
            norm: TEXT_NORM,
            index: Default::default(),
        };
    }
    // Document frequencies by key, and each term's label from its first
    // appearance (in one arena); then the vocabulary: the most frequent terms (ties
    // by key), at least `min_df` rows each, at most `max_terms`.
    let mut seen: std::collections::HashMap<
        u64,
        (usize, u32, u32),
        std::hash::BuildHasherDefault<super::step::KeyHasher>,
    > = Default::default();
    let mut arena = String::new();
    for (l, level) in levels.iter().enumerate() {
        if !used[l] {
            continue;
        }
        kind.distinct_keys(level, &mut keys_buf);
        let mut fresh = false;
        for &k in &keys_buf {
            match seen.get_mut(&k) {
                Some(e) => e.0 += rows_of[l],
                None => fresh = true,
            }
        }
        if fresh {
            // Labels for the terms this text is the first to hold.
            kind.for_each_term(level, |k, label| {
                if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(k) {
                    let a = arena.len() as u32;
                    arena.push_str(&label());
                    e.insert((rows_of[l], a, arena.len() as u32));
                }
            });
        }
    }
    let mut kept: Vec<(u64, (usize, u32, u32))> = seen
        .into_iter()
        .filter(|&(_, (d, _, _))| d >= min_df.max(1))
        .collect();
    if kept.len() > max_terms {
        kept.sort_unstable_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(&b.0)));
        kept.truncate(max_terms);
    }
    let mut vocab: Vec<(String, u64, usize)> = kept
        .into_iter()
        .map(|(k, (d, a, b))| {
            (
                arena
                    .get(a as usize..b as usize)
                    .unwrap_or_default()
                    .to_owned(),
                k,
                d,
            )
        })
        .collect();
    // Columns in the order of the terms' text (ties, from hash collisions, by key).
    vocab.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    TermsStep {
        input,
        offset,
        kind,
        keys: vocab.iter().map(|v| v.1).collect(),
        idf: vocab.iter().map(|v| idf(v.2)).collect(),
        labels: vocab.into_iter().map(|v| v.0).collect(),
        bits: None,
        oov_idf: idf(1),
        norm: TEXT_NORM,
        index: Default::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_at_quantiles_rounded_and_distinct() {
        let v: Vec<f64> = (0..100).map(f64::from).collect();
        assert_eq!(quantile_edges(&v, 4), [25.0, 50.0, 75.0]);
        // Few distinct values: an edge per value above the smallest.
        let v: Vec<f64> = (0..300).map(|i| f64::from(i % 3)).collect();
        assert_eq!(quantile_edges(&v, 10), [1.0, 2.0]);
        // Real-valued: rounded to three digits below the spread.
        let v: Vec<f64> = (0..1000).map(|i| 18.25 + f64::from(i) * 0.100_37).collect();
        let e = quantile_edges(&v, 5);
        assert_eq!(e.len(), 4);
        for x in &e {
            assert!(format!("{x}").len() <= 5, "{x}");
        }
        // Missing values are ignored; all missing gives no edges.
        assert!(quantile_edges(&[f64::NAN; 5], 4).is_empty());
        assert_eq!(quantile_edges(&[1.0, f64::NAN, 2.0, 3.0], 2), [2.0]);
        // A constant gives none.
        assert!(quantile_edges(&[7.0; 50], 10).is_empty());
    }
}
