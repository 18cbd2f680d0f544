//! A fitted pipeline: raw inputs -> steps -> feature columns.

use super::step::{Step, ValueKind};
use crate::data::{
    format_num, parse_bool, Column, Kind, Record, Schema, Table, Value, MISSING_CODE,
};
use crate::error::{Error, Result};
use crate::features::Features;
use crate::train::scratch::Scratch;
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
}

impl Default for AutoOptions {
    fn default() -> Self {
        AutoOptions {
            min_count: 10,
            max_levels: 200,
        }
    }
}

/// A recipe fitted on training rows: which raw fields it reads and how each becomes
/// feature columns. Deterministic and serialisable; the same code transforms tables
/// (training, batch scoring) and single records (scoring).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pipeline {
    inputs: Vec<Input>,
    steps: Vec<Step>,
    n_features: usize,
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
                Kind::Numeric => fit_standardize(&field.name, col, &rows, input, offset)?,
                Kind::Boolean => fit_flag(&field.name, col, &rows, input, offset)?,
                Kind::Categorical => fit_one_hot(col, &rows, input, offset, opts),
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

    /// Readable name of every feature column (`tenure`, `tenure is missing`,
    /// `contract = One year`, `city = other`).
    pub fn feature_names(&self) -> Vec<String> {
        let mut names = Vec::with_capacity(self.n_features);
        for s in &self.steps {
            let field = &self.inputs[s.input()].name;
            for j in s.offset()..s.offset() + s.width() {
                names.push(s.column_label(field, j));
            }
        }
        names
    }

    /// The raw field each feature column comes from (index into [`Pipeline::inputs`]).
    pub fn feature_inputs(&self) -> Vec<usize> {
        let mut out = vec![0; self.n_features];
        for s in &self.steps {
            for slot in &mut out[s.offset()..s.offset() + s.width()] {
                *slot = s.input();
            }
        }
        out
    }

    /// Checks internal consistency (after loading a file): every step reads an
    /// existing input, blocks are contiguous and in order, numbers are finite.
    pub fn validate(&self) -> Result<()> {
        let mut next = 0usize;
        for (k, s) in self.steps.iter().enumerate() {
            if s.input() >= self.inputs.len() {
                return Err(Error::ModelFormat(format!(
                    "step {k} reads input {} of {}",
                    s.input(),
                    self.inputs.len()
                )));
            }
            if s.offset() != next {
                return Err(Error::ModelFormat(format!(
                    "step {k} starts at column {}, expected {next}",
                    s.offset()
                )));
            }
            next += s.width();
            match s {
                Step::Standardize { mean, scale, .. } => {
                    if !mean.is_finite() || !scale.is_finite() || *scale <= 0.0 {
                        return Err(Error::ModelFormat(format!("step {k}: bad mean/scale")));
                    }
                }
                Step::OneHot { levels, .. } => {
                    if levels.windows(2).any(|w| w[0] >= w[1]) {
                        return Err(Error::ModelFormat(format!(
                            "step {k}: levels are not sorted and unique"
                        )));
                    }
                }
                Step::Flag { .. } => {}
            }
        }
        if next != self.n_features || u32::try_from(next).is_err() {
            return Err(Error::ModelFormat(format!(
                "steps produce {next} columns, header says {}",
                self.n_features
            )));
        }
        Ok(())
    }

    /// Emits the features of one raw record, in increasing column order. Unknown
    /// fields are ignored; absent fields are missing; a value of the wrong kind is an
    /// error naming the field.
    #[inline]
    pub fn emit_record(&self, record: &Record, emit: &mut impl FnMut(u32, f64)) -> Result<()> {
        for s in &self.steps {
            let name = &self.inputs[s.input()].name;
            match record.get(name) {
                Some(v) => s.emit_value(name, v, emit)?,
                None => s.emit_value(name, &Value::Missing, emit)?,
            }
        }
        Ok(())
    }

    /// Emits the features of a record given as values in [`Pipeline::inputs`] order
    /// (the bound-record fast path of the bindings).
    #[inline]
    pub fn emit_values(&self, values: &[Value], emit: &mut impl FnMut(u32, f64)) -> Result<()> {
        for s in &self.steps {
            let name = &self.inputs[s.input()].name;
            s.emit_value(name, values.get(s.input()).unwrap_or(&Value::Missing), emit)?;
        }
        Ok(())
    }

    /// Binds the pipeline to a table: resolves columns and maps category levels once,
    /// so rows can then be encoded without lookups. Fails on a missing column or a
    /// non-numeric value in a numeric column (naming the line).
    pub fn bind<'t>(&'t self, table: &'t Table) -> Result<BoundTable<'t>> {
        let mut bound = Vec::with_capacity(self.steps.len());
        for s in &self.steps {
            let input = &self.inputs[s.input()];
            let col = table.column(&input.name);
            let b = match (col, s.reads()) {
                (None, _) => Bound::Absent,
                (Some(Column::Num(v)), ValueKind::Number) => Bound::Num(v),
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
                    Bound::Num(v)
                }
                (Some(Column::Num(v)), ValueKind::Category) => Bound::NumLevels(v),
                (Some(Column::Str(sc)), kind) => {
                    let mut map = Vec::with_capacity(sc.levels.len());
                    for (li, level) in sc.levels.iter().enumerate() {
                        let cols = match kind {
                            ValueKind::Category => {
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
                        codes: &sc.codes,
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

    /// Transforms the given rows of a table into a design matrix.
    pub fn transform(&self, table: &Table, rows: &[usize]) -> Result<Features> {
        let b = self.bind(table)?;
        let mut f =
            Features::with_capacity(self.n_features, rows.len(), rows.len() * self.steps.len());
        for &r in rows {
            b.emit_row(r, &mut |j, x| f.push(j, x));
            f.end_row();
        }
        Ok(f)
    }

    /// The rows transformed straight into a layout of the solver, skipping the sparse
    /// matrix: dense rows when they pay (see [`crate::train::solver::dense_rows_pay`];
    /// the stored entries are estimated on every 16th row), else the split layout
    /// ([`Pipeline::transform_split`]). `None` when neither applies (fewer than two
    /// standardised numbers and rows too sparse).
    pub(crate) fn transform_for_solver(
        &self,
        table: &Table,
        rows: &[usize],
    ) -> Result<Option<SolverRows>> {
        let b = self.bind(table)?;
        let columnwise = self.columnwise(&b);
        let (count, sampled) = layout_counts(&b, rows, &columnwise, self.n_features);
        let per_row = columnwise.iter().filter(|&&c| c).count() as f64
            + count.iter().sum::<usize>() as f64 / sampled.max(1) as f64;
        let stored = (per_row * rows.len() as f64).ceil() as usize;
        if crate::train::solver::dense_rows_pay(rows.len(), self.n_features, stored) {
            let (vals, live) = self.transform_dense_bound(&b, rows, true);
            return Ok(Some(SolverRows::Dense(vals, live)));
        }
        Ok(self
            .transform_split_bound(&b, rows, &columnwise, &count, sampled)
            .map(SolverRows::Split))
    }

    /// The rows transformed into dense rows, row-major (zeros filled in): row `i` is
    /// `[i * n_features..(i + 1) * n_features]`.
    #[cfg(test)]
    pub(crate) fn transform_dense(&self, table: &Table, rows: &[usize]) -> Result<Scratch<f64>> {
        let b = self.bind(table)?;
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
    pub(crate) fn transform_split(
        &self,
        table: &Table,
        rows: &[usize],
    ) -> Result<Option<crate::train::solver::Split>> {
        let b = self.bind(table)?;
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
    ) -> Option<crate::train::solver::Split> {
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
                            *out = (x - mean) / scale;
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
        Some(crate::train::solver::Split::from_parts(
            n, cols, vals, indptr, indices, values,
        ))
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
    Num(&'t [f64]),
    NumLevels(&'t [f64]),
    Levels {
        codes: &'t [u32],
        map: Vec<LevelCode>,
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

/// A layout of the solver's rows written by [`Pipeline::transform_for_solver`].
pub(crate) enum SolverRows {
    /// Dense columns and sparse rows.
    Split(crate::train::solver::Split),
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
            |x| (x - mean) / scale,
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
    }
}

fn rows_present<'a>(v: &'a [f64], rows: &'a [usize]) -> impl Iterator<Item = f64> + 'a {
    rows.iter().map(|&r| v[r]).filter(|x| !x.is_nan())
}

/// The training rows of [`Pipeline::fit_auto`], and whether they are every row of the
/// table in order.
struct Rows<'r> {
    rows: &'r [usize],
    all: bool,
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

fn fit_standardize(
    name: &str,
    col: &Column,
    rows: &Rows<'_>,
    input: u32,
    offset: u32,
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
        missing_indicator: n < rows.rows.len(),
    })
}

fn fit_flag(name: &str, col: &Column, rows: &Rows<'_>, input: u32, offset: u32) -> Result<Step> {
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
        missing_indicator: missing,
    })
}

fn fit_one_hot(col: &Column, rows: &Rows<'_>, input: u32, offset: u32, opts: &AutoOptions) -> Step {
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
    let mut kept: Vec<(String, usize)> = counts
        .into_iter()
        .filter(|(_, n)| *n >= opts.min_count.max(1))
        .collect();
    if kept.len() > opts.max_levels {
        // Most frequent first, ties by name, then back to sorted order.
        kept.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        kept.truncate(opts.max_levels);
    }
    let mut levels: Vec<String> = kept.into_iter().map(|(l, _)| l).collect();
    levels.sort();
    levels.retain(|l| l != super::step::OTHER_LEVEL);
    Step::OneHot {
        input,
        offset,
        levels,
    }
}
