//! Sources: the values steps read. Sources `0..inputs` are the raw fields; each
//! [`Derived`] source after them computes a value from earlier sources (a number
//! from numbers, a category from a number or two categories, a text from a text).
//! The same definitions evaluate one record ([`Sources`]) and whole columns of a
//! table ([`TableSources`]).

use super::step::{str_to_num, value_to_bool, value_to_num};
use super::text;
use super::Input;
use crate::data::{format_num, Column, Table, Value, MISSING_CODE};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// The separator of a crossed category's two levels (`phone × Kazan`).
pub const CROSS_SEPARATOR: &str = " × ";

/// A value computed from earlier sources (indices into the pipeline's sources: raw
/// inputs first, then the derived ones in order).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Derived {
    /// `log1p(x)`: `ln(1 + x)`, and `-ln(1 - x)` below zero (so negative amounts stay
    /// finite and keep their sign).
    Log1p(u32),
    /// `rate(a, b)`: `a / b`; missing when `b` is missing, zero or negative.
    Rate(u32, u32),
    /// `clip(x, lo, hi)`.
    Clip(u32, f64, f64),
    /// `quantile_bin(x, n)`: the bin of a number, a category. Bin `k` holds
    /// `edges[k - 1] <= x < edges[k]` (the first bin everything below `edges[0]`, the
    /// last everything from the last edge up).
    Bins(u32, Vec<f64>),
    /// `cartesian(a, b)`: the pair of two categories, `"a × b"`; missing when either
    /// is.
    Cross(u32, u32),
    /// `lowercase(text)`.
    Lowercase(u32),
    /// `no_punct(text)`.
    NoPunct(u32),
    /// `negate(text)`.
    Negate(u32),
}

/// The kind of value a source gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueType {
    /// A number.
    Number,
    /// A category level (booleans read as `yes` / `no`).
    Category,
    /// A free text.
    Text,
}

impl Derived {
    /// The kind of value it gives.
    pub fn value_type(&self) -> ValueType {
        match self {
            Derived::Log1p(_) | Derived::Rate(..) | Derived::Clip(..) => ValueType::Number,
            Derived::Bins(..) | Derived::Cross(..) => ValueType::Category,
            Derived::Lowercase(_) | Derived::NoPunct(_) | Derived::Negate(_) => ValueType::Text,
        }
    }

    /// The string transform it is, if it is one.
    pub(crate) fn text_op(&self) -> Option<text::TextOp> {
        match self {
            Derived::Lowercase(_) => Some(text::TextOp::Lowercase),
            Derived::NoPunct(_) => Some(text::TextOp::NoPunct),
            Derived::Negate(_) => Some(text::TextOp::Negate),
            _ => None,
        }
    }

    /// The sources it reads.
    pub fn reads(&self) -> Vec<u32> {
        match self {
            Derived::Log1p(a)
            | Derived::Clip(a, ..)
            | Derived::Bins(a, _)
            | Derived::Lowercase(a)
            | Derived::NoPunct(a)
            | Derived::Negate(a) => vec![*a],
            Derived::Rate(a, b) | Derived::Cross(a, b) => vec![*a, *b],
        }
    }

    /// Checks the definition (after loading a file): `index` is its own source index.
    pub(crate) fn validate(&self, index: usize) -> std::result::Result<(), String> {
        if self.reads().iter().any(|&s| s as usize >= index) {
            return Err(format!("source {index} reads a later source"));
        }
        match self {
            Derived::Clip(_, lo, hi) if !(lo.is_finite() && hi.is_finite() && lo < hi) => {
                Err(format!("source {index}: bad clip bounds"))
            }
            Derived::Bins(_, edges)
                if edges.iter().any(|e| !e.is_finite())
                    || edges.windows(2).any(|w| w[0] >= w[1])
                    || edges.len() > super::plan::MAX_BINS =>
            {
                Err(format!(
                    "source {index}: bin edges are not finite and increasing"
                ))
            }
            _ => Ok(()),
        }
    }
}

/// `log1p` as the recipe defines it (symmetric below zero).
#[inline]
pub fn signed_log1p(x: f64) -> f64 {
    if x >= 0.0 {
        x.ln_1p()
    } else {
        -(-x).ln_1p()
    }
}

/// `rate(a, b)` as the recipe defines it (NaN: missing).
#[inline]
pub fn rate(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        // Finite: a huge count over a tiny interval is the largest number, not +inf.
        (a / b).clamp(-f64::MAX, f64::MAX)
    } else {
        f64::NAN
    }
}

/// The bin of `x` among `edges` (the number of edges at or below it).
#[inline]
pub fn bin_of(edges: &[f64], x: f64) -> u32 {
    edges.partition_point(|&e| e <= x) as u32
}

/// The readable level of bin `k`: `< 3`, `[3, 10)`, `>= 10`.
pub fn bin_label(edges: &[f64], k: usize) -> String {
    match (k.checked_sub(1).and_then(|i| edges.get(i)), edges.get(k)) {
        (None, Some(hi)) => format!("< {}", format_num(*hi)),
        (Some(lo), Some(hi)) => format!("[{}, {})", format_num(*lo), format_num(*hi)),
        (Some(lo), None) => format!(">= {}", format_num(*lo)),
        (None, None) => "any".to_owned(),
    }
}

/// The level of a boolean read as a category.
pub(crate) fn bool_level<'a>(b: bool) -> Cow<'a, str> {
    Cow::Borrowed(if b { "yes" } else { "no" })
}

/// How a raw value reads as a category level: a trimmed string (blank is missing), a
/// number as written, a boolean as `true`/`false`.
pub(crate) fn value_level(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::Str(s) => {
            let t = s.trim();
            (!t.is_empty()).then_some(Cow::Borrowed(t))
        }
        Value::Num(x) if x.is_nan() => None,
        Value::Num(x) => Some(Cow::Owned(format_num(*x))),
        Value::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
        Value::Missing => None,
    }
}

/// How a raw value reads as a text (see [`value_level`]; surrounding space kept).
pub(crate) fn value_text(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::Str(s) if s.trim().is_empty() => None,
        Value::Str(s) => Some(Cow::Borrowed(s)),
        other => value_level(other),
    }
}

/// The sources of one record, evaluated on demand.
pub(crate) struct Sources<'p, 'v, F> {
    pub(crate) inputs: &'p [Input],
    pub(crate) derived: &'p [Derived],
    /// The raw value of input `i`.
    pub(crate) raw: F,
    pub(crate) _v: std::marker::PhantomData<&'v Value>,
}

impl<'p, 'v, F: Fn(usize) -> Option<&'v Value>> Sources<'p, 'v, F> {
    /// The raw value of input `i` (missing when absent).
    pub(crate) fn raw(&self, i: usize) -> &'v Value {
        (self.raw)(i).unwrap_or(&Value::Missing)
    }

    fn def(&self, s: usize) -> Option<&'p Derived> {
        self.derived.get(s.checked_sub(self.inputs.len())?)
    }

    /// Source `s` as a number (`None`: missing).
    pub(crate) fn num(&self, s: usize) -> Result<Option<f64>> {
        if let Some(input) = self.inputs.get(s) {
            if input.kind == crate::data::Kind::Boolean {
                return Ok(value_to_bool(&input.name, self.raw(s))?.map(|b| f64::from(u8::from(b))));
            }
            return value_to_num(&input.name, self.raw(s));
        }
        let some = |x: f64| Ok((!x.is_nan()).then_some(x));
        match self.def(s) {
            Some(Derived::Log1p(a)) => Ok(self.num(*a as usize)?.map(signed_log1p)),
            Some(Derived::Rate(a, b)) => {
                let (a, b) = (self.num(*a as usize)?, self.num(*b as usize)?);
                match (a, b) {
                    (Some(a), Some(b)) => some(rate(a, b)),
                    _ => Ok(None),
                }
            }
            Some(Derived::Clip(a, lo, hi)) => Ok(self.num(*a as usize)?.map(|x| x.clamp(*lo, *hi))),
            _ => Err(Error::Internal(format!("source {s} is not a number"))),
        }
    }

    /// Source `s` as a category level (`None`: missing; a boolean input reads as
    /// `yes` or `no`).
    pub(crate) fn level(&self, s: usize) -> Result<Option<Cow<'v, str>>> {
        if let Some(input) = self.inputs.get(s) {
            if input.kind == crate::data::Kind::Boolean {
                return Ok(value_to_bool(&input.name, self.raw(s))?.map(bool_level));
            }
            return Ok(value_level(self.raw(s)));
        }
        match self.def(s) {
            Some(Derived::Bins(a, edges)) => Ok(self
                .num(*a as usize)?
                .map(|x| Cow::Owned(bin_label(edges, bin_of(edges, x) as usize)))),
            Some(Derived::Cross(a, b)) => {
                let (a, b) = (self.level(*a as usize)?, self.level(*b as usize)?);
                Ok(match (a, b) {
                    (Some(a), Some(b)) => Some(Cow::Owned(format!("{a}{CROSS_SEPARATOR}{b}"))),
                    _ => None,
                })
            }
            Some(_) => self.text(s),
            None => Err(Error::Internal(format!("source {s} is not a category"))),
        }
    }

    /// Calls `f` with the text source `s` is a chain of string transforms of (its
    /// base, `None` when missing) and the transforms in the order they apply, so the
    /// caller can run them without allocating (see `TermKind::distinct_keys_after`).
    pub(crate) fn with_text_chain<R>(
        &self,
        s: usize,
        f: impl FnOnce(Option<&str>, &[text::TextOp]) -> R,
    ) -> Result<R> {
        let mut ops = [text::TextOp::Lowercase; 8];
        let (mut n, mut base) = (0, s);
        while let Some(d) = self.def(base) {
            let Some(op) = d.text_op() else { break };
            if n == ops.len() {
                // A chain longer than the buffer: the allocating way.
                return Ok(f(self.text(s)?.as_deref(), &[]));
            }
            ops[n] = op;
            n += 1;
            base = d.reads()[0] as usize;
        }
        let ops = &mut ops[..n];
        ops.reverse();
        Ok(f(self.text(base)?.as_deref(), ops))
    }

    /// Source `s` as a text (`None`: missing).
    pub(crate) fn text(&self, s: usize) -> Result<Option<Cow<'v, str>>> {
        if s < self.inputs.len() {
            return Ok(value_text(self.raw(s)));
        }
        Ok(match self.def(s) {
            Some(d @ (Derived::Lowercase(a) | Derived::NoPunct(a) | Derived::Negate(a))) => {
                let op = d.text_op().unwrap_or(text::TextOp::Lowercase);
                self.text(*a as usize)?.map(|x| Cow::Owned(op.applied(&x)))
            }
            Some(Derived::Bins(..) | Derived::Cross(..)) => self.level(s)?,
            Some(_) => self.num(s)?.map(|x| Cow::Owned(format_num(x))),
            None => return Err(Error::Internal(format!("source {s} does not exist"))),
        })
    }
}

/// A slice borrowed from a table or computed and shared (cloning it is cheap either
/// way).
#[derive(Debug)]
pub(crate) enum Slice<'t, T> {
    /// Part of the table.
    Borrowed(&'t [T]),
    /// Computed once, shared by every reader.
    Shared(std::sync::Arc<[T]>),
}

impl<T> Clone for Slice<'_, T> {
    fn clone(&self) -> Self {
        match self {
            Slice::Borrowed(s) => Slice::Borrowed(s),
            Slice::Shared(a) => Slice::Shared(a.clone()),
        }
    }
}

impl<T> std::ops::Deref for Slice<'_, T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            Slice::Borrowed(s) => s,
            Slice::Shared(a) => a,
        }
    }
}

impl<T> From<Vec<T>> for Slice<'_, T> {
    fn from(v: Vec<T>) -> Self {
        Slice::Shared(v.into())
    }
}

/// A source's values over the rows of a table (or a subset of them, in order).
#[derive(Debug, Clone)]
pub(crate) enum SrcCol<'t> {
    /// Numbers; NaN is missing.
    Num(Slice<'t, f64>),
    /// Strings: a level index per row ([`MISSING_CODE`]: missing) and the levels.
    Str(Slice<'t, u32>, Slice<'t, String>),
}

/// The sources of a table, each evaluated once over the chosen rows.
pub(crate) struct TableSources<'t> {
    table: &'t Table,
    /// The rows the columns hold, in order (`None`: every row).
    rows: Option<&'t [usize]>,
    cols: Vec<Option<SrcCol<'t>>>,
}

impl<'t> TableSources<'t> {
    pub(crate) fn new(table: &'t Table, rows: Option<&'t [usize]>) -> Self {
        TableSources {
            table,
            rows,
            cols: Vec::new(),
        }
    }

    /// The number of rows the columns hold.
    pub(crate) fn len(&self) -> usize {
        self.rows.map_or(self.table.n_rows(), <[usize]>::len)
    }

    /// The table's row behind position `i` of the columns.
    pub(crate) fn row(&self, i: usize) -> usize {
        self.rows.map_or(i, |r| r.get(i).copied().unwrap_or(i))
    }

    /// The source line of position `i` (for error messages).
    fn line(&self, i: usize) -> u64 {
        self.table.line_of(self.row(i))
    }

    /// Source `s`'s column (`None` for a raw input the table lacks).
    pub(crate) fn col(
        &mut self,
        inputs: &[Input],
        derived: &[Derived],
        s: usize,
    ) -> Result<Option<&SrcCol<'t>>> {
        if self.cols.len() <= s {
            self.cols.resize(s + 1, None);
        }
        if self.cols[s].is_none() {
            let c = self.compute(inputs, derived, s)?;
            self.cols[s] = c;
        }
        Ok(self.cols[s].as_ref())
    }

    fn compute(
        &mut self,
        inputs: &[Input],
        derived: &[Derived],
        s: usize,
    ) -> Result<Option<SrcCol<'t>>> {
        if let Some(input) = inputs.get(s) {
            let Some(col) = self.table.column(&input.name) else {
                return Ok(None);
            };
            return Ok(Some(match (col, self.rows) {
                (Column::Num(v), None) => SrcCol::Num(Slice::Borrowed(v)),
                (Column::Num(v), Some(rows)) => {
                    SrcCol::Num(rows.iter().map(|&r| v[r]).collect::<Vec<_>>().into())
                }
                (Column::Str(sc), None) => {
                    SrcCol::Str(Slice::Borrowed(&sc.codes), Slice::Borrowed(&sc.levels))
                }
                (Column::Str(sc), Some(rows)) => SrcCol::Str(
                    rows.iter().map(|&r| sc.codes[r]).collect::<Vec<_>>().into(),
                    Slice::Borrowed(&sc.levels),
                ),
            }));
        }
        let def = derived
            .get(s - inputs.len())
            .ok_or_else(|| Error::Internal(format!("source {s} does not exist")))?;
        let n = self.len();
        let out = match def {
            Derived::Log1p(a) => {
                let v = self.num(inputs, derived, *a as usize)?;
                SrcCol::Num(
                    v.iter()
                        .map(|&x| signed_log1p(x))
                        .collect::<Vec<_>>()
                        .into(),
                )
            }
            Derived::Clip(a, lo, hi) => {
                let v = self.num(inputs, derived, *a as usize)?;
                SrcCol::Num(
                    v.iter()
                        .map(|&x| x.clamp(*lo, *hi))
                        .collect::<Vec<_>>()
                        .into(),
                )
            }
            Derived::Rate(a, b) => {
                let va = self.num(inputs, derived, *a as usize)?;
                let vb = self.num(inputs, derived, *b as usize)?;
                SrcCol::Num(
                    va.iter()
                        .zip(vb.iter())
                        .map(|(&x, &y)| rate(x, y))
                        .collect::<Vec<_>>()
                        .into(),
                )
            }
            Derived::Bins(a, edges) => {
                let v = self.num(inputs, derived, *a as usize)?;
                let codes: Vec<u32> = v
                    .iter()
                    .map(|&x| {
                        if x.is_nan() {
                            MISSING_CODE
                        } else {
                            bin_of(edges, x)
                        }
                    })
                    .collect();
                let levels: Vec<String> = (0..=edges.len()).map(|k| bin_label(edges, k)).collect();
                SrcCol::Str(codes.into(), levels.into())
            }
            Derived::Cross(a, b) => {
                let (ca, la) = self.levels(inputs, derived, *a as usize)?;
                let (cb, lb) = self.levels(inputs, derived, *b as usize)?;
                let mut index: std::collections::HashMap<
                    (u32, u32),
                    u32,
                    foldhash::fast::RandomState,
                > = Default::default();
                let mut levels = Vec::new();
                let mut codes = Vec::with_capacity(n);
                for (&x, &y) in ca.iter().zip(cb.iter()) {
                    if x == MISSING_CODE || y == MISSING_CODE {
                        codes.push(MISSING_CODE);
                        continue;
                    }
                    let next = levels.len() as u32;
                    let c = *index.entry((x, y)).or_insert_with(|| {
                        levels.push(format!(
                            "{}{CROSS_SEPARATOR}{}",
                            la[x as usize], lb[y as usize]
                        ));
                        next
                    });
                    codes.push(c);
                }
                SrcCol::Str(codes.into(), levels.into())
            }
            Derived::Lowercase(a) | Derived::NoPunct(a) | Derived::Negate(a) => {
                let (codes, levels) = self.texts(inputs, derived, *a as usize)?;
                let op = def.text_op().unwrap_or(text::TextOp::Lowercase);
                let f = |l: &String| op.applied(l);
                // Only the levels the rows hold are transformed.
                let used = used_levels(&codes, levels.len());
                let levels: Vec<String> = levels
                    .iter()
                    .zip(&used)
                    .map(|(l, &u)| if u { f(l) } else { String::new() })
                    .collect();
                SrcCol::Str(codes, levels.into())
            }
        };
        Ok(Some(out))
    }

    /// Source `s` as numbers (NaN: missing; an absent column is all missing). A
    /// string column is parsed level by level; a level that is not a number is an
    /// error naming the first line that holds it.
    pub(crate) fn num(
        &mut self,
        inputs: &[Input],
        derived: &[Derived],
        s: usize,
    ) -> Result<Slice<'t, f64>> {
        let n = self.len();
        let name = inputs.get(s).map_or("", |i| i.name.as_str()).to_owned();
        let boolean = inputs
            .get(s)
            .is_some_and(|i| i.kind == crate::data::Kind::Boolean);
        let col = self.col(inputs, derived, s)?.cloned();
        Ok(match col {
            None => vec![f64::NAN; n].into(),
            Some(SrcCol::Num(v)) => {
                // A raw number read as a number is finite, as on the record path
                // (derived sources are computed finite or missing).
                if s < inputs.len() {
                    if let Some(i) = first_infinite(&v) {
                        return Err(Error::parse(
                            self.line(i),
                            Some(&name),
                            format!("expected a finite number, got {}", v[i]),
                        ));
                    }
                }
                v
            }
            Some(SrcCol::Str(codes, levels)) => {
                let parsed: Vec<std::result::Result<Option<f64>, String>> = levels
                    .iter()
                    .map(|l| {
                        let x = if boolean {
                            value_to_bool(&name, &Value::Str(l.clone()))
                                .map(|b| b.map(|b| f64::from(u8::from(b))))
                        } else {
                            str_to_num(&name, l)
                        };
                        x.map_err(|e| match e {
                            Error::InvalidValue { message, .. } => message,
                            other => other.to_string(),
                        })
                    })
                    .collect();
                let mut out = Vec::with_capacity(n);
                for (i, &c) in codes.iter().enumerate() {
                    if c == MISSING_CODE {
                        out.push(f64::NAN);
                        continue;
                    }
                    match parsed.get(c as usize) {
                        Some(Ok(x)) => out.push(x.unwrap_or(f64::NAN)),
                        Some(Err(m)) => {
                            return Err(Error::parse(self.line(i), Some(&name), m.clone()))
                        }
                        None => out.push(f64::NAN),
                    }
                }
                out.into()
            }
        })
    }

    /// Source `s` as category levels: codes and levels, each level trimmed, blank
    /// ones missing; numbers as written ([`format_num`]).
    pub(crate) fn levels(
        &mut self,
        inputs: &[Input],
        derived: &[Derived],
        s: usize,
    ) -> Result<(Slice<'t, u32>, Slice<'t, String>)> {
        let n = self.len();
        let boolean = inputs
            .get(s)
            .filter(|i| i.kind == crate::data::Kind::Boolean);
        let col = self.col(inputs, derived, s)?.cloned();
        if let (Some(input), Some(col)) = (boolean, &col) {
            // Booleans as `yes` / `no`, however they were written.
            let name = input.name.clone();
            let (codes, levels) = match col {
                SrcCol::Num(v) => {
                    factorize(v.iter().map(|&x| (!x.is_nan()).then(|| format_num(x))))
                }
                SrcCol::Str(c, l) => (c.clone(), l.clone()),
            };
            let mut map = Vec::with_capacity(levels.len());
            for (k, l) in levels.iter().enumerate() {
                match value_to_bool(&name, &Value::Str(l.clone())) {
                    Ok(b) => map.push(b.map_or(MISSING_CODE, u32::from)),
                    Err(e) => {
                        let i = codes.iter().position(|&c| c as usize == k).unwrap_or(0);
                        let m = match e {
                            Error::InvalidValue { message, .. } => message,
                            other => other.to_string(),
                        };
                        return Err(Error::parse(self.line(i), Some(&name), m));
                    }
                }
            }
            let codes: Vec<u32> = codes
                .iter()
                .map(|&c| map.get(c as usize).copied().unwrap_or(MISSING_CODE))
                .collect();
            let levels: Vec<String> = vec!["no".into(), "yes".into()];
            return Ok((codes.into(), levels.into()));
        }
        Ok(match col {
            None => (vec![MISSING_CODE; n].into(), Vec::new().into()),
            Some(SrcCol::Num(v)) => {
                factorize(v.iter().map(|&x| (!x.is_nan()).then(|| format_num(x))))
            }
            Some(SrcCol::Str(codes, levels)) => {
                let clean = levels
                    .iter()
                    .all(|l| !l.is_empty() && l.trim().len() == l.len());
                if clean {
                    (codes, levels)
                } else {
                    let blank: Vec<bool> = levels.iter().map(|l| l.trim().is_empty()).collect();
                    let codes: Vec<u32> = codes
                        .iter()
                        .map(|&c| {
                            if blank.get(c as usize).copied().unwrap_or(true) {
                                MISSING_CODE
                            } else {
                                c
                            }
                        })
                        .collect();
                    let levels: Vec<String> = levels.iter().map(|l| l.trim().to_owned()).collect();
                    (codes.into(), levels.into())
                }
            }
        })
    }

    /// Source `s` as texts: codes and levels (numbers as written); blank texts are
    /// left as they are (they hold no terms).
    pub(crate) fn texts(
        &mut self,
        inputs: &[Input],
        derived: &[Derived],
        s: usize,
    ) -> Result<(Slice<'t, u32>, Slice<'t, String>)> {
        let n = self.len();
        let col = self.col(inputs, derived, s)?.cloned();
        Ok(match col {
            None => (vec![MISSING_CODE; n].into(), Vec::new().into()),
            Some(SrcCol::Num(v)) => {
                factorize(v.iter().map(|&x| (!x.is_nan()).then(|| format_num(x))))
            }
            Some(SrcCol::Str(codes, levels)) => (codes, levels),
        })
    }

    /// Whether each position's value of source `s` is missing.
    pub(crate) fn missing(
        &mut self,
        inputs: &[Input],
        derived: &[Derived],
        s: usize,
    ) -> Result<Vec<bool>> {
        let n = self.len();
        let col = self.col(inputs, derived, s)?.cloned();
        Ok(match col {
            None => vec![true; n],
            Some(SrcCol::Num(v)) => v.iter().map(|x| x.is_nan()).collect(),
            Some(SrcCol::Str(codes, levels)) => {
                let blank: Vec<bool> = levels.iter().map(|l| l.trim().is_empty()).collect();
                codes
                    .iter()
                    .map(|&c| blank.get(c as usize).copied().unwrap_or(true))
                    .collect()
            }
        })
    }
}

/// Which levels the codes use.
pub(crate) fn used_levels(codes: &[u32], n_levels: usize) -> Vec<bool> {
    let mut used = vec![false; n_levels];
    for &c in codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    used
}

/// Codes and levels of optional strings, levels in order of first appearance.
fn factorize<'t>(
    values: impl Iterator<Item = Option<String>>,
) -> (Slice<'t, u32>, Slice<'t, String>) {
    let mut index: std::collections::HashMap<String, u32, foldhash::fast::RandomState> =
        Default::default();
    let mut levels = Vec::new();
    let codes: Vec<u32> = values
        .map(|v| match v {
            None => MISSING_CODE,
            Some(s) => {
                let next = levels.len() as u32;
                *index.entry(s).or_insert_with_key(|k| {
                    levels.push(k.clone());
                    next
                })
            }
        })
        .collect();
    (codes.into(), levels.into())
}

/// The first infinite value of `v`, if any (a fold the compiler vectorises first; the
/// position only when there is one).
pub(crate) fn first_infinite(v: &[f64]) -> Option<usize> {
    let any = v.iter().fold(false, |any, x| any | x.is_infinite());
    if any {
        v.iter().position(|x| x.is_infinite())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn number_functions() {
        assert_eq!(signed_log1p(0.0), 0.0);
        assert!((signed_log1p(-(std::f64::consts::E - 1.0)) + 1.0).abs() < 1e-15);
        assert_eq!(rate(6.0, 3.0), 2.0);
        assert!(
            rate(1.0, 0.0).is_nan() && rate(1.0, -2.0).is_nan() && rate(1.0, f64::NAN).is_nan()
        );
        let edges = [3.0, 10.0];
        assert_eq!(
            [
                bin_of(&edges, 2.9),
                bin_of(&edges, 3.0),
                bin_of(&edges, 9.0),
                bin_of(&edges, 10.0)
            ],
            [0, 1, 1, 2]
        );
        assert_eq!(bin_label(&edges, 0), "< 3");
        assert_eq!(bin_label(&edges, 1), "[3, 10)");
        assert_eq!(bin_label(&edges, 2), ">= 10");
        assert_eq!(bin_label(&[0.5], 1), ">= 0.5");
    }

    #[test]
    fn validation() {
        assert!(Derived::Log1p(0).validate(1).is_ok());
        assert!(Derived::Log1p(1).validate(1).is_err());
        assert!(Derived::Clip(0, 2.0, 1.0).validate(1).is_err());
        assert!(Derived::Bins(0, vec![1.0, 1.0]).validate(1).is_err());
        assert!(Derived::Bins(0, vec![f64::NAN]).validate(1).is_err());
    }
}
