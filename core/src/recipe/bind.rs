//! A pipeline bound to a table: columns resolved and category levels mapped once, so
//! rows are encoded without lookups; the design-matrix layouts the trainer and batch
//! scoring write from it.

use super::pipeline::Pipeline;
use super::source::{first_infinite, used_levels, Slice, TableSources, ValueType};
use super::step::{standardized, Step, ValueKind};
use crate::data::{format_num, Column, Table, Value, MISSING_CODE};
use crate::design::{dense_rows_pay, Scratch, Split};
use crate::error::{Error, Result};
use crate::features::Features;

impl Pipeline {
    /// Binds the pipeline to a table: resolves columns and maps category levels once
    /// (and computes the derived sources, and the terms of each distinct text), so
    /// rows can then be encoded without lookups. Fails on a non-numeric value in a
    /// numeric column (naming the line); an absent column is missing in every row.
    pub fn bind<'t>(&'t self, table: &'t Table) -> Result<BoundTable<'t>> {
        self.bind_as(table, false)
    }

    /// [`Pipeline::bind`] for building design matrices: each row's terms in increasing
    /// column order, as a sparse row needs them (scoring emits them in the order of
    /// the text, which the record path shares, and skips the sort).
    pub(crate) fn bind_sorted<'t>(&'t self, table: &'t Table) -> Result<BoundTable<'t>> {
        self.bind_as(table, true)
    }

    fn bind_as<'t>(&'t self, table: &'t Table, sorted: bool) -> Result<BoundTable<'t>> {
        table.check_invalid(|f| self.inputs.iter().any(|i| i.name == f))?;
        let mut bound = Vec::with_capacity(self.steps.len());
        let mut sources = TableSources::new(table, None);
        for s in &self.steps {
            if !self.legacy(s) {
                bound.push(self.bind_source(s, &mut sources, sorted)?);
                continue;
            }
            let input = &self.inputs[s.input()];
            let col = table.column(&input.name);
            let b = match (col, s.reads()) {
                (None, _) => Bound::Absent,
                (Some(Column::Num(v)), ValueKind::Number) => {
                    if let Some(i) = first_infinite(v) {
                        return Err(Error::parse(
                            table.line_of(i),
                            Some(&input.name),
                            format!("expected a finite number, got {}", v[i]),
                        ));
                    }
                    Bound::Num(Slice::Borrowed(v))
                }
                (Some(Column::Num(v)), ValueKind::Boolean) => {
                    // A fold the compiler vectorises first; the position only on failure.
                    let flags = v
                        .iter()
                        .fold(true, |ok, &x| ok & (x.is_nan() | (x == 0.0) | (x == 1.0)));
                    let bad = |x: &f64| !x.is_nan() && *x != 0.0 && *x != 1.0;
                    if let Some(i) = (!flags).then(|| v.iter().position(bad)).flatten() {
                        return Err(Error::parse(
                            table.line_of(i),
                            Some(&input.name),
                            format!("expected a boolean (0/1), got {}", format_num(v[i])),
                        ));
                    }
                    Bound::Num(Slice::Borrowed(v))
                }
                (Some(Column::Num(v)), _) => Bound::NumLevels(v),
                (Some(Column::Str(sc)), kind) => {
                    let mut map = Vec::with_capacity(sc.levels.len());
                    for (li, level) in sc.levels.iter().enumerate() {
                        let cols = match kind {
                            ValueKind::Category | ValueKind::Text | ValueKind::Any => {
                                LevelCode::Column(s.level_column(Some(level.trim())))
                            }
                            ValueKind::Number | ValueKind::Boolean => {
                                let v = if kind == ValueKind::Number {
                                    super::step::str_to_num(&input.name, level)
                                } else {
                                    super::step::value_to_bool(
                                        &input.name,
                                        &Value::Str(level.clone()),
                                    )
                                    .map(|b| b.map(|b| f64::from(u8::from(b))))
                                };
                                match v {
                                    Ok(x) => LevelCode::Num(x),
                                    Err(e) => {
                                        let row = sc
                                            .codes
                                            .iter()
                                            .position(|&c| c as usize == li)
                                            .unwrap_or(0);
                                        // The location names the field already.
                                        let what = match e {
                                            Error::InvalidValue { message, .. } => message,
                                            other => other.to_string(),
                                        };
                                        return Err(Error::parse(
                                            table.line_of(row),
                                            Some(&input.name),
                                            what,
                                        ));
                                    }
                                }
                            }
                        };
                        map.push(cols);
                    }
                    Bound::Levels {
                        codes: Slice::Borrowed(&sc.codes),
                        map,
                    }
                }
            };
            bound.push(b);
        }
        Ok(BoundTable {
            pipeline: self,
            bound,
            rows: table.n_rows(),
        })
    }

    /// Binds a step that reads its source through [`TableSources`] (a derived
    /// source, or a step of the recipe language on a raw input).
    fn bind_source<'t>(
        &'t self,
        s: &Step,
        ts: &mut TableSources<'t>,
        sorted: bool,
    ) -> Result<Bound<'t>> {
        let (inputs, derived) = (&self.inputs[..], &self.derived[..]);
        let src = s.input();
        Ok(match s {
            Step::Missing { .. } => {
                let missing = match (src < inputs.len(), self.source_type(src)) {
                    (false, ValueType::Number) => ts
                        .num(inputs, derived, src)?
                        .iter()
                        .map(|x| x.is_nan())
                        .collect(),
                    _ => ts.missing(inputs, derived, src)?,
                };
                Bound::Flags(missing)
            }
            Step::Terms(t) => {
                let (codes, levels) = ts.texts(inputs, derived, src)?;
                let used = used_levels(&codes, levels.len());
                let mut starts = Vec::with_capacity(levels.len() + 1);
                let mut entries = Vec::new();
                let (mut keys, mut out) = (Vec::new(), Vec::new());
                starts.push(0u32);
                for (l, &u) in levels.iter().zip(&used) {
                    if u {
                        t.entries(l, sorted, &mut keys, &mut out);
                        entries.extend_from_slice(&out);
                    }
                    starts.push(u32::try_from(entries.len()).map_err(|_| {
                        Error::InvalidInput("a text column holds more than 4 billion terms".into())
                    })?);
                }
                Bound::Entries {
                    codes,
                    starts,
                    entries,
                }
            }
            _ if s.reads() == ValueKind::Number => Bound::Num(ts.num(inputs, derived, src)?),
            _ => {
                let (codes, levels) = ts.levels(inputs, derived, src)?;
                let map = levels
                    .iter()
                    .map(|l| LevelCode::Column(s.level_column(Some(l))))
                    .collect();
                Bound::Levels { codes, map }
            }
        })
    }

    /// Transforms the given rows of a table into a design matrix.
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Result<Features> {
        let b = self.bind_sorted(table)?;
        Ok(self.transform_bound(&b, rows))
    }

    /// The rows of a bound table as a design matrix (see [`Pipeline::transform`]).
    pub(crate) fn transform_bound(&self, b: &BoundTable<'_>, rows: &[usize]) -> Features {
        let mut f =
            Features::with_capacity(self.n_features, rows.len(), rows.len() * self.steps.len());
        for &r in rows {
            b.emit_row(r, &mut |j, x| f.push(j, x));
            f.end_row();
        }
        f
    }

    /// [`Pipeline::solver_rows`] of a table (tests).
    #[cfg(test)]
    pub(crate) fn transform_for_solver(
        &self,
        table: &Table,
        rows: &[usize],
    ) -> Result<Option<SolverRows>> {
        let b = self.bind_sorted(table)?;
        Ok(self.solver_rows(&b, rows))
    }

    /// The rows of a bound table written straight into a layout of the solver,
    /// skipping the sparse matrix: dense rows when they pay (see [`dense_rows_pay`];
    /// the stored entries are estimated on every 16th row), else the split layout
    /// ([`Split`]). `None` when neither applies (fewer than two
    /// standardised numbers and rows too sparse).
    pub(crate) fn solver_rows(&self, b: &BoundTable<'_>, rows: &[usize]) -> Option<SolverRows> {
        let columnwise = self.columnwise(b);
        let (count, sampled) = layout_counts(b, rows, &columnwise, self.n_features);
        let per_row = columnwise.iter().filter(|&&c| c).count() as f64
            + count.iter().sum::<usize>() as f64 / sampled.max(1) as f64;
        let stored = (per_row * rows.len() as f64).ceil() as usize;
        if dense_rows_pay(rows.len(), self.n_features, stored) {
            let (vals, live) = self.transform_dense_bound(b, rows, true);
            return Some(SolverRows::Dense(vals, live));
        }
        self.transform_split_bound(b, rows, &columnwise, &count, sampled)
            .map(SolverRows::Split)
    }

    /// The rows transformed into dense rows, row-major (zeros filled in): row `i` is
    /// `[i * n_features..(i + 1) * n_features]`.
    #[cfg(test)]
    pub(crate) fn transform_dense(&self, table: &Table, rows: &[usize]) -> Result<Scratch<f64>> {
        let b = self.bind_sorted(table)?;
        Ok(self.transform_dense_bound(&b, rows, false).0)
    }

    /// Dense rows written a block of rows at a time, step by step: the block (64
    /// rows) stays in the L1 cache while each step's loop fills its columns.
    ///
    /// With `drop_unused`, the columns of one-hot steps that none of `rows` sets are
    /// left out (a category's "other" column when the rows hold no rare level, say:
    /// ten of wa_churn's 51 columns): only the penalty acts on such a column's
    /// coefficient, so it is exactly 0 at the optimum and the solver need not see
    /// the column. Returns the rows and the feature column of each of their columns.
    fn transform_dense_bound(
        &self,
        b: &BoundTable<'_>,
        rows: &[usize],
        drop_unused: bool,
    ) -> (Scratch<f64>, Vec<u32>) {
        const ROWS: usize = 64;
        let nf = self.n_features;
        // A one-hot step over a string column: the output column of each code
        // (`u32::MAX`: none), so that its loop is a lookup and a store.
        let targets: Vec<Option<Vec<u32>>> = self
            .steps
            .iter()
            .zip(&b.bound)
            .map(|(s, bd)| match (s, bd) {
                (Step::OneHot { .. }, Bound::Levels { map, .. }) => map
                    .iter()
                    .map(|m| match m {
                        LevelCode::Column(j) => Some(j.unwrap_or(u32::MAX)),
                        LevelCode::Num(_) => None,
                    })
                    .collect(),
                _ => None,
            })
            .collect();
        // Which columns the rows set: every column of other steps, a one-hot step's
        // columns as its codes among `rows` say.
        let mut used = vec![true; nf];
        if drop_unused {
            for ((s, bd), t) in self.steps.iter().zip(&b.bound).zip(&targets) {
                if let (Some(t), Bound::Levels { codes, .. }) = (t, bd) {
                    let (off, w) = (s.offset(), s.width());
                    if let Some(u) = used.get_mut(off..off + w) {
                        u.fill(false);
                    }
                    // The codes the rows hold (a missing code is past the end), then
                    // their columns.
                    let mut seen = vec![false; t.len() + 1];
                    let last = t.len();
                    let codes: &[u32] = codes;
                    for &r in rows {
                        let c = codes.get(r).map_or(last, |&c| (c as usize).min(last));
                        if let Some(sn) = seen.get_mut(c) {
                            *sn = true;
                        }
                    }
                    for (&j, _) in t.iter().zip(&seen).filter(|(_, &sn)| sn) {
                        if let Some(u) = used.get_mut(j as usize) {
                            *u = true;
                        }
                    }
                }
            }
        }
        // Feature column -> column of the rows (`u32::MAX`: left out), and back.
        let mut col = vec![u32::MAX; nf];
        let mut live = Vec::with_capacity(nf);
        for (j, _) in used.iter().enumerate().filter(|(_, &u)| u) {
            col[j] = live.len() as u32;
            live.push(j as u32);
        }
        let targets: Vec<Option<Vec<u32>>> = targets
            .into_iter()
            .map(|t| {
                t.map(|t| {
                    t.into_iter()
                        .map(|j| col.get(j as usize).copied().unwrap_or(u32::MAX))
                        .collect()
                })
            })
            .collect();
        let d = live.len();
        let mut vals = Scratch::with_capacity(rows.len() * d);
        for block_rows in rows.chunks(ROWS) {
            let at = vals.len();
            vals.resize(at + block_rows.len() * d, 0.0);
            let block = &mut vals[at..];
            for ((s, bd), t) in self.steps.iter().zip(&b.bound).zip(&targets) {
                fill_step(s, bd, t.as_deref(), &col, block_rows, block, d);
            }
        }
        (vals, live)
    }

    /// The steps whose standardised numbers are written column by column into the
    /// split layout (each read from a numeric column).
    fn columnwise(&self, b: &BoundTable<'_>) -> Vec<bool> {
        self.steps
            .iter()
            .zip(&b.bound)
            .map(|(s, bd)| matches!((s, bd), (Step::Standardize { .. }, Bound::Num(_))))
            .collect()
    }

    /// The rows transformed straight into the solver's split layout: each
    /// standardised number a dense column, everything else sparse rows (the sparse
    /// matrix and its conversion are skipped). `None` when fewer than two columns
    /// would be dense.
    #[cfg(test)]
    pub(crate) fn transform_split(&self, table: &Table, rows: &[usize]) -> Result<Option<Split>> {
        let b = self.bind_sorted(table)?;
        let columnwise = self.columnwise(&b);
        let (count, sampled) = layout_counts(&b, rows, &columnwise, self.n_features);
        Ok(self.transform_split_bound(&b, rows, &columnwise, &count, sampled))
    }

    fn transform_split_bound(
        &self,
        b: &BoundTable<'_>,
        rows: &[usize],
        columnwise: &[bool],
        count: &[usize],
        sampled: usize,
    ) -> Option<Split> {
        let cols: Vec<u32> = self
            .steps
            .iter()
            .filter_map(|s| match s {
                Step::Standardize { offset, .. } => Some(*offset),
                _ => None,
            })
            .collect();
        if cols.len() < 2 {
            return None;
        }
        let n = rows.len();
        // The other columns stored in at least half the rows (flags, majority levels)
        // are dense too, as the solver would place them.
        let mut cols = cols;
        cols.extend(
            (0..self.n_features)
                .filter(|&j| count[j] > 0 && 2 * count[j] >= sampled)
                .map(|j| j as u32),
        );
        cols.sort_unstable();
        cols.dedup();
        // Where column `j`'s values start in `vals` (`usize::MAX`: a sparse column).
        let mut slot = vec![usize::MAX; self.n_features];
        for (k, &c) in cols.iter().enumerate() {
            if let Some(s) = slot.get_mut(c as usize) {
                *s = k * n;
            }
        }
        let mut vals = Scratch::zeroed(cols.len() * n);
        for ((s, bd), &cw) in self.steps.iter().zip(&b.bound).zip(columnwise) {
            if let (
                Step::Standardize {
                    offset,
                    mean,
                    scale,
                    ..
                },
                Bound::Num(v),
                true,
            ) = (s, bd, cw)
            {
                let at = slot.get(*offset as usize).copied().unwrap_or(usize::MAX);
                if let Some(col) = vals.get_mut(at..at.saturating_add(n)) {
                    for (out, &r) in col.iter_mut().zip(rows) {
                        let x = v[r];
                        if !x.is_nan() {
                            *out = standardized(x, *mean, *scale);
                        }
                    }
                }
            }
        }
        let per_row = self.steps.len().saturating_sub(cols.len()).max(1);
        let mut indptr = Scratch::with_capacity(n + 1);
        let mut indices = Scratch::with_capacity(n * per_row);
        let mut values = Scratch::with_capacity(n * per_row);
        indptr.push(0);
        for (i, &r) in rows.iter().enumerate() {
            b.emit_row_sparse(r, columnwise, &mut |j, x| match slot.get(j as usize) {
                Some(&at) if at != usize::MAX => {
                    if let Some(v) = vals.get_mut(at + i) {
                        *v = x;
                    }
                }
                _ => {
                    indices.push(j);
                    values.push(x);
                }
            });
            indptr.push(indices.len());
        }
        Some(Split::from_parts(n, cols, vals, indptr, indices, values))
    }

    /// Transforms every row of a table.
    pub fn transform_all(&self, table: &Table) -> Result<Features> {
        let rows: Vec<usize> = (0..table.n_rows()).collect();
        self.transform(table, &rows)
    }
}

#[derive(Debug)]
enum LevelCode {
    Column(Option<u32>),
    Num(Option<f64>),
}

#[derive(Debug)]
enum Bound<'t> {
    Absent,
    Num(Slice<'t, f64>),
    NumLevels(&'t [f64]),
    Levels {
        codes: Slice<'t, u32>,
        map: Vec<LevelCode>,
    },
    /// One column (the step's first), set where the flag is.
    Flags(Vec<bool>),
    /// Each code's features: `entries[starts[c]..starts[c + 1]]`.
    Entries {
        codes: Slice<'t, u32>,
        starts: Vec<u32>,
        entries: Vec<(u32, f64)>,
    },
}

/// A pipeline bound to a table (see [`Pipeline::bind`]): encodes rows without any
/// name or level lookups.
#[derive(Debug)]
pub struct BoundTable<'t> {
    pipeline: &'t Pipeline,
    bound: Vec<Bound<'t>>,
    rows: usize,
}

impl BoundTable<'_> {
    /// Number of rows of the bound table.
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    /// Emits the features of row `r` in increasing column order.
    #[inline]
    pub fn emit_row(&self, r: usize, emit: &mut impl FnMut(u32, f64)) {
        for (s, b) in self.pipeline.steps.iter().zip(&self.bound) {
            emit_step(s, b, r, emit);
        }
    }

    /// [`BoundTable::emit_row`] except that the steps marked in `columnwise` (each a
    /// standardised number read from a numeric column, whose values the caller writes
    /// column by column) emit only their missing indicator.
    #[inline]
    fn emit_row_sparse(&self, r: usize, columnwise: &[bool], emit: &mut impl FnMut(u32, f64)) {
        for ((s, b), &cw) in self.pipeline.steps.iter().zip(&self.bound).zip(columnwise) {
            match b {
                Bound::Num(v) if cw => {
                    if v[r].is_nan() {
                        s.emit_num(None, emit);
                    }
                }
                _ => emit_step(s, b, r, emit),
            }
        }
    }
}

/// How often each feature column is stored in every 16th of `rows` (the steps marked
/// in `columnwise` counted for their missing indicators only), and how many rows
/// that is: the layout is then allocated once, at its final size.
fn layout_counts(
    b: &BoundTable<'_>,
    rows: &[usize],
    columnwise: &[bool],
    n_features: usize,
) -> (Vec<usize>, usize) {
    let mut count = vec![0usize; n_features];
    let mut sampled = 0usize;
    for &r in rows.iter().step_by(16) {
        sampled += 1;
        b.emit_row_sparse(r, columnwise, &mut |j, _| {
            if let Some(c) = count.get_mut(j as usize) {
                *c += 1;
            }
        });
    }
    (count, sampled)
}

/// A layout of the solver's rows written by [`Pipeline::solver_rows`].
pub(crate) enum SolverRows {
    /// Dense columns and sparse rows.
    Split(Split),
    /// Dense rows, row-major, and the feature column of each of their columns (see
    /// [`Pipeline::transform_dense_bound`]).
    Dense(Scratch<f64>, Vec<u32>),
}

/// Writes one step's features for `rows` into their dense rows (`d` columns each) in
/// `block`, feature column `j` into column `col[j]` (`u32::MAX`: nowhere); the loop
/// over the rows sits inside each kind of binding (`target`: the row column of each
/// code of a one-hot step, see [`Pipeline::transform_dense_bound`]).
#[inline(always)]
fn fill_step(
    s: &Step,
    b: &Bound<'_>,
    target: Option<&[u32]>,
    col: &[u32],
    rows: &[usize],
    block: &mut [f64],
    d: usize,
) {
    let at = |j: u32| col.get(j as usize).map_or(usize::MAX, |&k| k as usize);
    let out = block.chunks_exact_mut(d.max(1)).zip(rows);
    if let (Some(target), Bound::Levels { codes, .. }) = (target, b) {
        // The slice itself, not a reference to the binding's: else its address is
        // reloaded after every store.
        let codes: &[u32] = codes;
        // A missing code is past the end of `target`, like a level without a column.
        for (row, &r) in out {
            let j = codes.get(r).and_then(|&c| target.get(c as usize));
            if let Some(cell) = row.get_mut(j.map_or(usize::MAX, |&j| j as usize)) {
                *cell = 1.0;
            }
        }
        return;
    }
    match (s, b) {
        // Numbers into standardised values and flags: every cell of the step written
        // (a missing value's 0, a flag's 0) by selects, without branches: the flags
        // of CRM data are random 0/1 that a branch mispredicts half the time
        // (wa_churn's six flags: transform 0.52 -> 0.35 ms). The same values as
        // `Step::emit_num` writes into a zeroed row.
        (
            &Step::Standardize {
                offset,
                mean,
                scale,
                missing_indicator,
                ..
            },
            Bound::Num(v),
        ) => fill_numbers(
            out,
            v,
            (at(offset), at(offset + 1)),
            missing_indicator,
            |x| standardized(x, mean, scale),
        ),
        (
            &Step::Flag {
                offset,
                missing_indicator,
                ..
            },
            Bound::Num(v),
        ) => fill_numbers(
            out,
            v,
            (at(offset), at(offset + 1)),
            missing_indicator,
            |x| f64::from(u8::from(x != 0.0)),
        ),
        (_, Bound::Num(v)) => {
            for (row, &r) in out {
                let x = v[r];
                s.emit_num((!x.is_nan()).then_some(x), &mut put_in(row, col));
            }
        }
        (_, Bound::Levels { codes, map }) => {
            for (row, &r) in out {
                let c = codes[r];
                if c == MISSING_CODE {
                    s.emit_num(None, &mut put_in(row, col));
                    continue;
                }
                match map.get(c as usize) {
                    Some(LevelCode::Column(Some(j))) => put_in(row, col)(*j, 1.0),
                    Some(LevelCode::Column(None)) | None => {}
                    Some(LevelCode::Num(x)) => s.emit_num(*x, &mut put_in(row, col)),
                }
            }
        }
        (_, _) => {
            for (row, &r) in out {
                emit_step(s, b, r, &mut put_in(row, col));
            }
        }
    }
}

/// [`fill_step`] for a number or flag: `value(x)` of a present value, else 0, in
/// column `j`, and (with `missing_indicator`) whether it is missing in column `j1`:
/// every cell written, by selects.
#[inline(always)]
fn fill_numbers<'b>(
    out: impl Iterator<Item = (&'b mut [f64], &'b usize)>,
    v: &[f64],
    (j, j1): (usize, usize),
    missing_indicator: bool,
    value: impl Fn(f64) -> f64,
) {
    for (row, &r) in out {
        let x = v.get(r).copied().unwrap_or(f64::NAN);
        let present = !x.is_nan();
        if let Some(cell) = row.get_mut(j) {
            *cell = if present { value(x) } else { 0.0 };
        }
        if missing_indicator {
            if let Some(cell) = row.get_mut(j1) {
                *cell = f64::from(u8::from(!present));
            }
        }
    }
}

/// Writes feature `j` of a dense row into its column `col[j]`.
#[inline(always)]
fn put_in<'r>(row: &'r mut [f64], col: &'r [u32]) -> impl FnMut(u32, f64) + 'r {
    |j, x| {
        if let Some(cell) = col.get(j as usize).and_then(|&k| row.get_mut(k as usize)) {
            *cell = x;
        }
    }
}

/// The features one bound step gives for row `r`.
#[inline(always)]
fn emit_step(s: &Step, b: &Bound<'_>, r: usize, emit: &mut impl FnMut(u32, f64)) {
    match b {
        Bound::Absent => s.emit_num(None, emit),
        Bound::Num(v) => {
            let x = v[r];
            s.emit_num((!x.is_nan()).then_some(x), emit)
        }
        Bound::NumLevels(v) => {
            let x = v[r];
            s.emit_level((!x.is_nan()).then(|| format_num(x)).as_deref(), emit)
        }
        Bound::Levels { codes, map } => {
            let c = codes[r];
            if c == MISSING_CODE {
                s.emit_num(None, emit);
                return;
            }
            match map.get(c as usize) {
                Some(LevelCode::Column(Some(j))) => emit(*j, 1.0),
                Some(LevelCode::Column(None)) | None => {}
                Some(LevelCode::Num(x)) => s.emit_num(*x, emit),
            }
        }
        Bound::Flags(f) => {
            if f.get(r).copied().unwrap_or(false) {
                emit(s.offset() as u32, 1.0);
            }
        }
        Bound::Entries {
            codes,
            starts,
            entries,
        } => {
            let c = codes[r] as usize;
            if let (Some(&a), Some(&b)) = (starts.get(c), starts.get(c + 1)) {
                for &(j, x) in entries.get(a as usize..b as usize).unwrap_or(&[]) {
                    emit(j, x);
                }
            }
        }
    }
}
