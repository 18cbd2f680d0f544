//! A fitted pipeline: raw inputs -> sources -> steps -> feature columns.

use super::source::{Derived, Sources, ValueType};
use super::step::{emit_text_after, Step, ValueKind};
use crate::data::{
    format_num, parse_bool, Column, Kind, Record, Schema, Table, Value, MISSING_CODE,
};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// One raw field a pipeline reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// The field (column) name.
    pub name: String,
    /// Its kind in the training schema.
    pub kind: Kind,
}

/// Options of the `auto` recipe.
#[derive(Debug, Clone, PartialEq)]
pub struct AutoOptions {
    /// Category levels seen on fewer training rows than this fold into `other`.
    /// Defaults to `10`.
    pub min_count: usize,
    /// At most this many levels per categorical column keep their own column (the most
    /// frequent); the rest fold into `other`. Defaults to `200`.
    pub max_levels: usize,
    /// Quantile bins of every number in the `auto` recipe (2 to
    /// [`super::plan::MAX_BINS`]). Defaults to [`super::AUTO_BINS`] (10).
    pub bins: usize,
    /// Word n-gram order of every text column in the `auto` recipe: 1 words, 2 words
    /// and pairs of words (1 to [`super::text::MAX_NGRAM`]). Defaults to
    /// [`super::plan::DEFAULT_NGRAM`] (2).
    pub ngram: usize,
    /// Fewest training rows a text term of the `auto` recipe must appear in to be
    /// kept (at least 1). Defaults to [`super::plan::DEFAULT_MIN_DF`] (1).
    pub min_df: usize,
}

impl Default for AutoOptions {
    fn default() -> Self {
        AutoOptions {
            min_count: 10,
            max_levels: 200,
            bins: super::AUTO_BINS,
            ngram: super::plan::DEFAULT_NGRAM,
            min_df: super::plan::DEFAULT_MIN_DF,
        }
    }
}

/// The most `min_df` of [`AutoOptions`]: a term kept only when it is in more rows than
/// this keeps nearly nothing of any real text.
pub const MAX_AUTO_MIN_DF: usize = 1_000_000;

impl AutoOptions {
    /// Checks the `auto` recipe's settings; the message names the one at fault.
    pub fn validate(&self) -> Result<()> {
        use super::plan::MAX_BINS;
        use super::text::MAX_NGRAM;
        if !(2..=MAX_BINS).contains(&self.bins) {
            return Err(Error::InvalidInput(format!(
                "bins must be from 2 to {MAX_BINS}, got {}",
                self.bins
            )));
        }
        if !(1..=MAX_NGRAM).contains(&self.ngram) {
            return Err(Error::InvalidInput(format!(
                "ngram must be from 1 to {MAX_NGRAM}, got {}",
                self.ngram
            )));
        }
        if !(1..=MAX_AUTO_MIN_DF).contains(&self.min_df) {
            return Err(Error::InvalidInput(format!(
                "min_df must be from 1 to {MAX_AUTO_MIN_DF}, got {}",
                self.min_df
            )));
        }
        Ok(())
    }
}

/// A recipe fitted on training rows: which raw fields it reads and how each becomes
/// feature columns. Deterministic and serialisable; the same code transforms tables
/// (training, batch scoring) and single records (scoring).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub(crate) inputs: Vec<Input>,
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub(crate) steps: Vec<Step>,
    pub(crate) n_features: usize,
    /// Sources computed from the inputs (source `inputs.len() + k` is `derived[k]`).
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub(crate) derived: Vec<Derived>,
    /// The recipe text it was fitted from (empty for a model of format version 1,
    /// whose fixed `auto` recipe predates the language).
    pub(crate) recipe: String,
    /// What scoring derives from the above (see [`Pipeline::prepare`]).
    #[serde(skip)]
    pub(crate) scoring: Scoring,
}

/// What scoring a record derives from a pipeline's stored parts.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scoring {
    /// For each step that one-hot encodes bins of a number, the column of each bin
    /// (`u32::MAX`: none), so that a record's number maps to its column without the
    /// bin's label being written.
    bin_columns: Vec<Option<Vec<u32>>>,
    /// Whether every step reads a raw input the first release's way or flags it
    /// missing (and no source is derived): the record path is then one plain loop.
    simple: bool,
}

/// Derived state compares equal: it follows from the stored parts.
impl PartialEq for Scoring {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The most feature columns a pipeline may produce (the solver's buffers grow with
/// them).
pub const MAX_FEATURES: usize = 2_000_000;

/// A group of feature columns that an explanation reports as one reason: the steps
/// reading one raw field, or the steps reading one source computed from several
/// (`source × city`, `calls / lifetime_days`).
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The reason's field: a raw field's name, or the combined source's.
    pub name: String,
    /// The raw input when the group reads exactly one.
    pub input: Option<usize>,
}

impl Pipeline {
    /// Fits the `auto` recipe on the given training rows of `table`:
    /// numeric -> standardised (+ a missing indicator when values are missing);
    /// boolean -> 0/1 (+ missing indicator); categorical -> one-hot with rare levels
    /// folded into `other`; text and id columns are not used.
    pub fn fit_auto(
        table: &Table,
        schema: &Schema,
        rows: &[usize],
        opts: &AutoOptions,
    ) -> Result<Pipeline> {
        let mut p = Pipeline {
            inputs: Vec::new(),
            steps: Vec::new(),
            n_features: 0,
            derived: Vec::new(),
            recipe: String::new(),
            scoring: Default::default(),
        };
        // Every row in order (the final fit's case): the columns are read as they
        // are, without gathering them through `rows`.
        let all = rows.len() == table.n_rows()
            && rows
                .iter()
                .enumerate()
                .fold(true, |ok, (i, &r)| ok & (i == r));
        let rows = Rows { rows, all };
        for field in &schema.fields {
            let col = table.require(&field.name)?;
            let input = p.inputs.len() as u32;
            let offset = p.n_features as u32;
            let step = match field.kind {
                Kind::Numeric => fit_standardize(
                    &field.name,
                    col,
                    &rows,
                    input,
                    offset,
                    Indicator::WhenMissing,
                )?,
                Kind::Boolean => fit_flag(
                    &field.name,
                    col,
                    &rows,
                    input,
                    offset,
                    Indicator::WhenMissing,
                )?,
                Kind::Categorical => {
                    fit_one_hot(col, &rows, input, offset, opts.min_count, opts.max_levels)
                }
                Kind::Text | Kind::Id => continue,
            };
            p.inputs.push(Input {
                name: field.name.clone(),
                kind: field.kind,
            });
            p.n_features += step.width();
            p.steps.push(step);
        }
        Ok(p)
    }

    /// The raw fields the pipeline reads.
    pub fn inputs(&self) -> &[Input] {
        &self.inputs
    }

    /// The fitted steps.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Number of feature columns produced.
    pub fn n_features(&self) -> usize {
        self.n_features
    }

    /// The sources computed from the inputs (see [`Derived`]).
    pub fn derived(&self) -> &[Derived] {
        &self.derived
    }

    /// The recipe text the pipeline was fitted from (empty for a model of file
    /// format version 1, fitted by the first release's fixed `auto` recipe).
    pub fn recipe(&self) -> &str {
        &self.recipe
    }

    /// The raw inputs a source reads, each once, in input order.
    pub fn roots(&self, s: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut stack = vec![s];
        while let Some(s) = stack.pop() {
            if s < self.inputs.len() {
                if !out.contains(&s) {
                    out.push(s);
                }
            } else if let Some(d) = self.derived.get(s - self.inputs.len()) {
                stack.extend(d.reads().into_iter().map(|r| r as usize));
            }
        }
        out.sort_unstable();
        out
    }

    /// How a source is named in feature names and reasons: a raw field by its name;
    /// `calls / lifetime_days`, `source × city`; a transformed number, bins or text
    /// by the field it reads.
    pub fn source_name(&self, s: usize) -> String {
        if let Some(i) = self.inputs.get(s) {
            return i.name.clone();
        }
        match self.derived.get(s - self.inputs.len()) {
            Some(Derived::Rate(a, b)) => format!(
                "{} / {}",
                self.source_name(*a as usize),
                self.source_name(*b as usize)
            ),
            Some(Derived::Cross(a, b)) => format!(
                "{}{}{}",
                self.source_name(*a as usize),
                super::source::CROSS_SEPARATOR,
                self.source_name(*b as usize)
            ),
            Some(Derived::Log1p(a)) => format!("log1p({})", self.source_name(*a as usize)),
            Some(
                Derived::Clip(a, ..)
                | Derived::Bins(a, _)
                | Derived::Lowercase(a)
                | Derived::NoPunct(a)
                | Derived::Negate(a),
            ) => self.source_name(*a as usize),
            None => String::new(),
        }
    }

    /// Readable name of every feature column (`tenure`, `tenure is missing`,
    /// `contract = One year`, `city = other`, `tenure in [1, 3)`, `source × city =
    /// web × Kazan`, `comment contains "call back"`).
    pub fn feature_names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(self.n_features);
        for s in &self.steps {
            let field = self.source_name(s.input());
            let bins = self.bins_of(s.input());
            for j in s.offset()..s.offset() + s.width() {
                names.push(match (s, bins) {
                    (Step::OneHot { levels, offset, .. }, Some(_)) => {
                        match levels.get(j - *offset as usize) {
                            Some(l) => bin_phrase(&field, l),
                            None => format!("{field} = {}", super::OTHER_LEVEL),
                        }
                    }
                    _ => s.column_label(&field, j),
                });
            }
        }
        names
    }

    /// The bin edges of a source that is `quantile_bin` of a number.
    pub(crate) fn bins_of(&self, s: usize) -> Option<&[f64]> {
        match self.derived.get(s.checked_sub(self.inputs.len())?) {
            Some(Derived::Bins(_, edges)) => Some(edges),
            _ => None,
        }
    }

    /// The explanation group of every step, and the groups: one per raw field that
    /// steps read alone, one per source read from several fields.
    pub fn groups(&self) -> (Vec<Group>, Vec<usize>) {
        let mut groups: Vec<Group> = Vec::new();
        let mut of_step = Vec::with_capacity(self.steps.len());
        for s in &self.steps {
            let roots = self.roots(s.input());
            let (name, input) = match roots.as_slice() {
                [one] => (self.inputs[*one].name.clone(), Some(*one)),
                _ => (self.source_name(s.input()), None),
            };
            let g = match groups
                .iter()
                .position(|g| g.name == name && g.input == input)
            {
                Some(g) => g,
                None => {
                    groups.push(Group { name, input });
                    groups.len() - 1
                }
            };
            of_step.push(g);
        }
        (groups, of_step)
    }

    /// The raw input each feature column comes from (index into [`Pipeline::inputs`]),
    /// for a step reading a source of several inputs the first of them.
    pub fn feature_inputs(&self) -> Vec<usize> {
        let mut out = vec![0; self.n_features];
        for s in &self.steps {
            let first = self.roots(s.input()).first().copied().unwrap_or(0);
            for slot in &mut out[s.offset()..s.offset() + s.width()] {
                *slot = first;
            }
        }
        out
    }

    /// Builds what scoring needs beside the fitted values (the vocabularies'
    /// indexes), after loading or fitting.
    pub(crate) fn prepare(&mut self) -> Result<()> {
        for (k, s) in self.steps.iter_mut().enumerate() {
            if let Step::Terms(t) = s {
                t.build_index()
                    .map_err(|m| Error::ModelFormat(format!("step {k}: {m}")))?;
            }
        }
        let bins = self
            .steps
            .iter()
            .map(|s| match (s, self.bins_of(s.input())) {
                (Step::OneHot { .. }, Some(edges)) => Some(
                    (0..=edges.len())
                        .map(|b| {
                            s.level_column(Some(&super::source::bin_label(edges, b)))
                                .unwrap_or(u32::MAX)
                        })
                        .collect(),
                ),
                _ => None,
            })
            .collect();
        let simple = self.derived.is_empty()
            && self
                .steps
                .iter()
                .all(|s| self.legacy(s) || matches!(s, Step::Missing { .. }));
        self.scoring = Scoring {
            bin_columns: bins,
            simple,
        };
        Ok(())
    }

    /// Checks internal consistency (after loading a file): every step reads an
    /// existing source and reads it as the kind of value it gives, every source reads
    /// earlier ones, blocks are contiguous and in order, numbers are finite.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(Error::ModelFormat(m));
        let n_in = self.inputs.len();
        for (k, d) in self.derived.iter().enumerate() {
            d.validate(n_in + k).map_err(Error::ModelFormat)?;
            let types: Vec<ValueType> = d
                .reads()
                .iter()
                .map(|&r| self.source_type(r as usize))
                .collect();
            let fits = match d {
                Derived::Log1p(_) | Derived::Rate(..) | Derived::Clip(..) | Derived::Bins(..) => {
                    types.iter().all(|t| *t == ValueType::Number)
                }
                Derived::Cross(..) => types.iter().all(|t| *t != ValueType::Text),
                Derived::Lowercase(_) | Derived::NoPunct(_) | Derived::Negate(_) => true,
            };
            if !fits {
                return bad(format!(
                    "source {} reads a source of the wrong kind",
                    n_in + k
                ));
            }
        }
        let n_sources = n_in + self.derived.len();
        let mut next = 0usize;
        for (k, s) in self.steps.iter().enumerate() {
            let src = s.input();
            if src >= n_sources {
                return bad(format!("step {k} reads source {src} of {n_sources}"));
            }
            // Steps on computed sources read them as the kind they give; flags read
            // raw inputs only.
            if src >= n_in {
                let ty = self.source_type(src);
                let fits = match s.reads() {
                    ValueKind::Number => ty == ValueType::Number,
                    ValueKind::Category => ty != ValueType::Text,
                    ValueKind::Text | ValueKind::Any => true,
                    ValueKind::Boolean => false,
                };
                if !fits {
                    return bad(format!("step {k} reads source {src} as the wrong kind"));
                }
            }
            if s.offset() != next {
                return bad(format!(
                    "step {k} starts at column {}, expected {next}",
                    s.offset()
                ));
            }
            next = match next.checked_add(s.width()) {
                Some(n) if n <= MAX_FEATURES => n,
                _ => return bad(format!("step {k} makes more than {MAX_FEATURES} columns")),
            };
            match s {
                Step::Standardize { mean, scale, .. } => {
                    if !mean.is_finite() || !scale.is_finite() || *scale <= 0.0 {
                        return bad(format!("step {k}: bad mean/scale"));
                    }
                }
                Step::OneHot { levels, .. } => {
                    if levels.windows(2).any(|w| w[0] >= w[1]) {
                        return bad(format!("step {k}: levels are not sorted and unique"));
                    }
                }
                Step::Hashed { bits, .. } => {
                    if !(1..=super::plan::MAX_HASH_BITS).contains(bits) {
                        return bad(format!("step {k}: bad bit count"));
                    }
                }
                Step::Terms(t) => t
                    .validate()
                    .map_err(|m| Error::ModelFormat(format!("step {k}: {m}")))?,
                Step::Flag { .. } | Step::Missing { .. } => {}
            }
        }
        if next != self.n_features || u32::try_from(next).is_err() {
            return bad(format!(
                "steps produce {next} columns, header says {}",
                self.n_features
            ));
        }
        Ok(())
    }

    /// The kind of value a source gives.
    pub(crate) fn source_type(&self, s: usize) -> ValueType {
        match s.checked_sub(self.inputs.len()) {
            None => match self.inputs[s].kind {
                Kind::Numeric => ValueType::Number,
                Kind::Text => ValueType::Text,
                Kind::Boolean | Kind::Categorical | Kind::Id => ValueType::Category,
            },
            Some(k) => self
                .derived
                .get(k)
                .map_or(ValueType::Category, Derived::value_type),
        }
    }

    /// Emits the features of one raw record, in increasing column order. Unknown
    /// fields are ignored; absent fields are missing; a value of the wrong kind is an
    /// error naming the field.
    #[inline]
    pub fn emit_record(&self, record: &Record, emit: &mut impl FnMut(u32, f64)) -> Result<()> {
        self.emit_with(|i| record.get(&self.inputs[i].name), emit)
    }

    /// Emits the features of a record given as values in [`Pipeline::inputs`] order
    /// (the bound-record fast path of the bindings).
    #[inline]
    pub fn emit_values(&self, values: &[Value], emit: &mut impl FnMut(u32, f64)) -> Result<()> {
        self.emit_with(|i| values.get(i), emit)
    }

    /// The sources of a record (for the labels of explanations).
    pub(crate) fn record_sources<'a>(
        &'a self,
        record: &'a Record,
    ) -> Sources<'a, 'a, impl Fn(usize) -> Option<&'a Value> + 'a> {
        Sources {
            inputs: &self.inputs,
            derived: &self.derived,
            raw: move |i: usize| record.get(&self.inputs[i].name),
            _v: std::marker::PhantomData,
        }
    }

    /// Emits a record's features, `raw(i)` giving the value of input `i`.
    #[inline]
    fn emit_with<'v>(
        &self,
        raw: impl Fn(usize) -> Option<&'v Value>,
        emit: &mut impl FnMut(u32, f64),
    ) -> Result<()> {
        if self.scoring.simple {
            for s in &self.steps {
                let i = s.input();
                let v = raw(i).unwrap_or(&Value::Missing);
                match s {
                    Step::Missing { offset, .. } => {
                        if v.is_missing() {
                            emit(*offset, 1.0);
                        }
                    }
                    _ => s.emit_value(&self.inputs[i].name, v, emit)?,
                }
            }
            return Ok(());
        }
        let n_in = self.inputs.len();
        let src = Sources {
            inputs: &self.inputs,
            derived: &self.derived,
            raw,
            _v: std::marker::PhantomData,
        };
        for (k, s) in self.steps.iter().enumerate() {
            let i = s.input();
            if self.legacy(s) {
                s.emit_value(&self.inputs[i].name, src.raw(i), emit)?;
                continue;
            }
            if let (Step::Missing { offset, .. }, true) = (s, i < n_in) {
                if src.raw(i).is_missing() {
                    emit(*offset, 1.0);
                }
                continue;
            }
            // Bins of a number, one-hot: the number's bin, then its column.
            if let (Some(Some(cols)), Some(Derived::Bins(a, edges))) = (
                self.scoring.bin_columns.get(k),
                self.derived.get(i.wrapping_sub(n_in)),
            ) {
                if let Some(x) = src.num(*a as usize)? {
                    let c = cols
                        .get(super::source::bin_of(edges, x) as usize)
                        .copied()
                        .unwrap_or(u32::MAX);
                    if c != u32::MAX {
                        emit(c, 1.0);
                    }
                }
                continue;
            }
            match s {
                Step::Terms(t) => src.with_text_chain(i, |x, ops| {
                    if let Some(x) = x {
                        emit_text_after(t, x, ops, emit);
                    }
                })?,
                Step::Missing { offset, .. } => {
                    let missing = if i < n_in {
                        src.raw(i).is_missing()
                    } else {
                        match self.source_type(i) {
                            ValueType::Number => src.num(i)?.is_none(),
                            ValueType::Category => src.level(i)?.is_none(),
                            ValueType::Text => src.text(i)?.is_none(),
                        }
                    };
                    if missing {
                        emit(*offset, 1.0);
                    }
                }
                _ if s.reads() == ValueKind::Number => s.emit_num(src.num(i)?, emit),
                _ => s.emit_level(src.level(i)?.as_deref(), emit),
            }
        }
        Ok(())
    }

    /// Whether a step takes the first release's path (a number, flag or category read
    /// straight from a raw input, converted by [`Step::emit_value`]); every other
    /// step reads its source through [`Sources`] (booleans as 1/0 when read as
    /// numbers, `yes` / `no` as categories).
    #[inline]
    pub(crate) fn legacy(&self, s: &Step) -> bool {
        let i = s.input();
        s.is_v1()
            && self.inputs.get(i).is_some_and(|input| {
                !(matches!(s, Step::OneHot { .. } | Step::Standardize { .. })
                    && input.kind == Kind::Boolean)
            })
    }
}

/// A bin level as a phrase about its field: `tenure < 3`, `tenure in [3, 10)`,
/// `tenure >= 10`.
pub(crate) fn bin_phrase(field: &str, level: &str) -> String {
    if level.starts_with('[') {
        format!("{field} in {level}")
    } else {
        format!("{field} {level}")
    }
}

fn rows_present<'a>(v: &'a [f64], rows: &'a [usize]) -> impl Iterator<Item = f64> + 'a {
    rows.iter().map(|&r| v[r]).filter(|x| !x.is_nan())
}

/// The training rows of a fit, and whether they are every row of the table in order.
pub(crate) struct Rows<'r> {
    pub(crate) rows: &'r [usize],
    pub(crate) all: bool,
}

impl Rows<'_> {
    /// `v`'s values on the rows: `v` itself when they are all of it.
    fn of<'v>(&self, v: &'v [f64]) -> std::borrow::Cow<'v, [f64]> {
        if self.all {
            std::borrow::Cow::Borrowed(v)
        } else {
            std::borrow::Cow::Owned(self.rows.iter().map(|&r| v[r]).collect())
        }
    }
}

/// Whether a number's or a flag's step carries a missing indicator column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Indicator {
    /// None.
    Never,
    /// When a training value is missing (the first release's `auto`).
    WhenMissing,
    /// Always (a recipe's `missing(x)` right after `x`'s step).
    Always,
}

impl Indicator {
    fn with(self, missing: bool) -> bool {
        match self {
            Indicator::Never => false,
            Indicator::WhenMissing => missing,
            Indicator::Always => true,
        }
    }
}

/// A standardised number: mean and standard deviation of the present values on the
/// training rows, and a missing indicator column as `indicator` says.
pub(crate) fn fit_standardize(
    name: &str,
    col: &Column,
    rows: &Rows<'_>,
    input: u32,
    offset: u32,
    indicator: Indicator,
) -> Result<Step> {
    let values: std::borrow::Cow<'_, [f64]> = match col {
        Column::Num(v) => rows.of(v),
        Column::Str(sc) => {
            let rows = rows.rows;
            // Each distinct string parsed once; a failure is reported for the first
            // training row that holds it.
            let parsed: Vec<Option<Option<f64>>> = sc
                .levels
                .iter()
                .map(|l| super::step::str_to_num(name, l).ok())
                .collect();
            let mut out = Vec::with_capacity(rows.len());
            for &r in rows {
                let c = sc.codes.get(r).copied().unwrap_or(MISSING_CODE);
                if c == MISSING_CODE {
                    out.push(f64::NAN);
                    continue;
                }
                match parsed.get(c as usize) {
                    Some(Some(x)) => out.push(x.unwrap_or(f64::NAN)),
                    _ => {
                        let s = sc.get(r).unwrap_or_default();
                        return Err(Error::InvalidValue {
                            field: name.to_owned(),
                            message: format!("declared numeric but holds \"{s}\""),
                        });
                    }
                }
            }
            std::borrow::Cow::Owned(out)
        }
    };
    // Two passes (mean, then squared deviations) over the present values, as folds
    // without branches.
    let (n, sum) = values.iter().fold((0usize, 0.0), |(n, s), &x| {
        let there = !x.is_nan();
        (n + usize::from(there), s + if there { x } else { 0.0 })
    });
    let mean = if n > 0 { sum / n as f64 } else { 0.0 };
    let var = if n > 0 {
        values
            .iter()
            .map(|&x| {
                if x.is_nan() {
                    0.0
                } else {
                    (x - mean) * (x - mean)
                }
            })
            .sum::<f64>()
            / n as f64
    } else {
        0.0
    };
    let sd = var.sqrt();
    if !mean.is_finite() || !sd.is_finite() {
        return Err(Error::InvalidValue {
            field: name.to_owned(),
            message: "values too large to standardise (their mean or spread overflows)".into(),
        });
    }
    Ok(Step::Standardize {
        input,
        offset,
        mean,
        scale: if sd > 1e-12 * mean.abs().max(1.0) {
            sd
        } else {
            1.0
        },
        missing_indicator: indicator.with(n < values.len()),
    })
}

/// A 0/1 flag, and a missing indicator column as `indicator` says.
pub(crate) fn fit_flag(
    name: &str,
    col: &Column,
    rows: &Rows<'_>,
    input: u32,
    offset: u32,
    indicator: Indicator,
) -> Result<Step> {
    let (all, rows) = (rows.all, rows.rows);
    let missing = match col {
        Column::Num(v) => {
            // One branch-free pass (flags only, any missing); the culprit is looked
            // for only when there is one.
            let check = |(ok, miss): (bool, bool), x: f64| {
                (
                    ok & (x.is_nan() | (x == 0.0) | (x == 1.0)),
                    miss | x.is_nan(),
                )
            };
            let (flags, missing) = if all {
                v.iter().fold((true, false), |acc, &x| check(acc, x))
            } else {
                rows.iter().fold((true, false), |acc, &r| {
                    check(acc, v.get(r).copied().unwrap_or(f64::NAN))
                })
            };
            let bad = |&&r: &&usize| {
                v.get(r)
                    .is_some_and(|&x| !x.is_nan() && x != 0.0 && x != 1.0)
            };
            if let Some(&r) = (!flags).then(|| rows.iter().find(bad)).flatten() {
                return Err(Error::InvalidValue {
                    field: name.to_owned(),
                    message: format!("declared boolean but holds {}", format_num(v[r])),
                });
            }
            missing
        }
        Column::Str(sc) => {
            for l in &sc.levels {
                if parse_bool(l).is_none() && !matches!(l.trim(), "0" | "1") {
                    return Err(Error::InvalidValue {
                        field: name.to_owned(),
                        message: format!("declared boolean but holds \"{l}\""),
                    });
                }
            }
            if all {
                sc.codes.contains(&MISSING_CODE)
            } else {
                rows.iter().any(|&r| sc.codes[r] == MISSING_CODE)
            }
        }
    };
    Ok(Step::Flag {
        input,
        offset,
        missing_indicator: indicator.with(missing),
    })
}

/// One-hot levels: those on at least `min_count` training rows, at most
/// `max_levels` of them (the most frequent).
pub(crate) fn fit_one_hot(
    col: &Column,
    rows: &Rows<'_>,
    input: u32,
    offset: u32,
    min_count: usize,
    max_levels: usize,
) -> Step {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    match col {
        Column::Num(v) => {
            for x in rows_present(v, rows.rows) {
                *counts.entry(format_num(x)).or_default() += 1;
            }
        }
        Column::Str(sc) => {
            let per_level = sc.level_counts((!rows.all).then_some(rows.rows));
            for (l, n) in sc.levels.iter().zip(per_level) {
                if n > 0 {
                    *counts.entry(l.trim().to_owned()).or_default() += n;
                }
            }
        }
    }
    Step::OneHot {
        input,
        offset,
        levels: select_levels(counts, min_count, max_levels),
    }
}

/// The kept levels of a category from its training counts: at least `min_count`
/// rows, at most `max_levels` (the most frequent, ties by name), sorted; never the
/// name of the `other` column.
pub(crate) fn select_levels(
    counts: std::collections::BTreeMap<String, usize>,
    min_count: usize,
    max_levels: usize,
) -> Vec<String> {
    let mut kept: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= min_count.max(1))
        .collect();
    if kept.len() > max_levels {
        // Most frequent first, ties by name, then back to sorted order.
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.truncate(max_levels);
    }
    let mut levels: Vec<String> = kept.into_iter().map(|(l, _)| l).collect();
    levels.sort();
    levels.retain(|l| l != super::step::OTHER_LEVEL);
    levels
}

impl crate::format::budget::Heap for Input {
    fn heap(&self) -> usize {
        self.name.capacity()
    }
}

// Their sequences charge themselves as they are decoded.
impl crate::format::budget::Heap for Step {}
impl crate::format::budget::Heap for Derived {}
