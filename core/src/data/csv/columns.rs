//! Typing the columns of an export as its cells are read.
//!
//! Every column starts as numbers: each cell is parsed straight into an `f64` (no
//! string is kept). The first cell that is neither a number nor a missing value turns
//! a column that has read no number yet into strings at no cost (its earlier cells
//! were all missing); in a column that has read numbers, a few such cells are kept
//! aside (the column may stay numeric, see [`MAX_ODD_SHARE`]), and more than that
//! marks the column for a second reading as strings ([`Finished::Reread`]), since its
//! number cells' texts were not kept. String columns intern each distinct trimmed cell
//! once.

use crate::data::value::parse_num_ascii;
use crate::data::{parse_num, Column, StrColumn, MISSING_CODE};
use crate::error::{Error, Result};
use std::collections::HashMap;

/// The interning maps hash every cell: foldhash is several times faster than the
/// default SipHash and still seeded per process, so crafted exports cannot force
/// collisions.
pub(super) type CellMap = HashMap<Box<[u8]>, u32, foldhash::fast::RandomState>;

pub(super) enum CellError {
    Utf8,
    TooManyLevels,
}

/// How the cells of one column are taken in.
enum Mode {
    /// Parsed as numbers.
    Num(NumCells),
    /// Interned as strings.
    Str,
    /// Not kept: the column is read again as strings in a second pass (or, in that
    /// pass, is a column the first one already typed).
    Skip,
}

/// A column read as numbers so far.
struct NumCells {
    values: Vec<f64>,
    /// Cells read as numbers (not missing).
    numbers: usize,
    /// The cells that are neither numbers nor missing: row and text.
    odd: Vec<(usize, Box<str>)>,
}

/// Odd cells a numeric column keeps aside before it gives up and is read again as
/// strings (also at least [`MAX_ODD_SHARE`] of its rows so far).
const MAX_ODD_KEPT: usize = 64;

/// What the missing-value texts need from every column.
#[derive(Clone)]
pub(super) struct NaSet {
    /// Seeds the interning map of string columns: each text maps to [`MISSING_CODE`].
    map: CellMap,
    /// Some missing-value text reads as a number (a user's `-1`, say): then a cell is
    /// checked against the set before it is parsed.
    numeric: bool,
}

impl NaSet {
    pub(super) fn new(na_values: &[String], decimal_comma: bool) -> Self {
        let mut map = CellMap::default();
        let mut numeric = false;
        for na in na_values {
            let t = na.trim();
            numeric |= parse_num(t, decimal_comma).is_some();
            map.insert(t.as_bytes().into(), MISSING_CODE);
        }
        NaSet { map, numeric }
    }
}

/// A column once every cell is read.
pub(super) enum Finished {
    /// Typed (and, for a numeric column, the cells that were not numbers).
    Done(Column, Option<OddCells>),
    /// Read again as strings: the column's number cells were not kept as text.
    Reread,
}

/// One column being read: numbers parsed as they come, or each distinct trimmed cell
/// interned once (missing values pre-seeded with [`MISSING_CODE`]).
pub(super) struct ColBuilder {
    mode: Mode,
    decimal_comma: bool,
    na_numeric: bool,
    index: CellMap,
    n_levels: u32,
    pub(super) codes: Vec<u32>,
    /// A direct-mapped cache in front of `index` for cells of at most 8 bytes (most
    /// cells of a CRM export: numbers, flags, short categories): the bytes packed in a
    /// `u64`, the length plus one (0: an empty slot), the code. A hit costs a few
    /// instructions instead of hashing and comparing the bytes.
    short: Vec<(u64, u32, u32)>,
}

/// Slots of [`ColBuilder::short`] (a power of two).
const SHORT_SLOTS: usize = 256;

impl ColBuilder {
    /// A column read as numbers until a cell says otherwise.
    pub(super) fn new(na: &NaSet, decimal_comma: bool) -> Self {
        ColBuilder {
            mode: Mode::Num(NumCells {
                values: Vec::new(),
                numbers: 0,
                odd: Vec::new(),
            }),
            decimal_comma,
            na_numeric: na.numeric,
            index: na.map.clone(),
            n_levels: 0,
            codes: Vec::new(),
            short: Vec::new(),
        }
    }

    /// Room for `rows` more cells (a column read as numbers: their values).
    pub(super) fn reserve(&mut self, rows: usize) {
        if let Mode::Num(num) = &mut self.mode {
            num.values.reserve(rows);
        }
    }

    /// A column of the second pass: interned as strings from the first cell when
    /// `strings`, else not kept.
    pub(super) fn second_pass(na: &NaSet, decimal_comma: bool, strings: bool) -> Self {
        let mut b = ColBuilder::new(na, decimal_comma);
        if strings {
            b.turn_to_strings(0);
        } else {
            b.mode = Mode::Skip;
        }
        b
    }

    /// From now on interned as strings; the `missing` cells read so far are missing.
    fn turn_to_strings(&mut self, missing: usize) {
        self.mode = Mode::Str;
        self.codes = vec![MISSING_CODE; missing];
        self.short = vec![(0, 0, 0); SHORT_SLOTS];
    }

    /// Appends the cells of the same column read from the rows that follow (another
    /// block of the input). Numbers join numbers and strings join strings (re-coded
    /// into this column's levels); a column that read numbers in one block and
    /// strings in another is read again as strings.
    pub(super) fn append(&mut self, other: ColBuilder) -> std::result::Result<(), CellError> {
        let ColBuilder {
            mode,
            index,
            n_levels,
            codes,
            ..
        } = other;
        match (&mut self.mode, mode) {
            (Mode::Skip, _) => {}
            (_, Mode::Skip) => self.mode = Mode::Skip,
            (Mode::Num(a), Mode::Num(b)) => {
                let offset = a.values.len();
                a.values.extend_from_slice(&b.values);
                a.numbers += b.numbers;
                a.odd
                    .extend(b.odd.into_iter().map(|(row, text)| (row + offset, text)));
                if a.odd.len() > MAX_ODD_KEPT
                    && a.odd.len() as f64 > MAX_ODD_SHARE * a.values.len() as f64
                {
                    self.mode = Mode::Skip;
                }
            }
            (Mode::Str, Mode::Num(b)) if b.numbers == 0 => {
                self.codes
                    .resize(self.codes.len() + b.values.len(), MISSING_CODE);
            }
            (Mode::Num(a), Mode::Str) if a.numbers == 0 => {
                let missing = a.values.len();
                self.turn_to_strings(missing);
                self.append_strings(index, n_levels, &codes)?;
            }
            (Mode::Str, Mode::Str) => self.append_strings(index, n_levels, &codes)?,
            _ => self.mode = Mode::Skip,
        }
        if matches!(self.mode, Mode::Skip) {
            // Nothing of a column read again is kept.
            self.codes = Vec::new();
            self.index = CellMap::default();
        }
        Ok(())
    }

    /// Appends string cells coded by another column's `index`.
    fn append_strings(
        &mut self,
        index: CellMap,
        n_levels: u32,
        codes: &[u32],
    ) -> std::result::Result<(), CellError> {
        let mut levels: Vec<Box<[u8]>> = vec![Box::default(); n_levels as usize];
        for (key, code) in index {
            if let Some(slot) = levels.get_mut(code as usize) {
                *slot = key;
            }
        }
        let mut map = Vec::with_capacity(levels.len());
        for key in &levels {
            map.push(self.intern(key)?);
        }
        self.codes.extend(
            codes
                .iter()
                .map(|&c| map.get(c as usize).copied().unwrap_or(MISSING_CODE)),
        );
        Ok(())
    }

    #[inline]
    pub(super) fn push(&mut self, cell: &[u8]) -> std::result::Result<(), CellError> {
        let key = cell.trim_ascii();
        match &mut self.mode {
            Mode::Str => self.push_str(key),
            Mode::Skip => Ok(()),
            Mode::Num(num) => {
                if !self.na_numeric {
                    if let Some(x) = parse_num_ascii(key, self.decimal_comma) {
                        num.values.push(x);
                        num.numbers += 1;
                        return Ok(());
                    }
                }
                if self.index.contains_key(key) {
                    num.values.push(f64::NAN);
                    return Ok(());
                }
                // Unicode spaces (a no-break space, say) are trimmed too.
                let text = std::str::from_utf8(key)
                    .map_err(|_| CellError::Utf8)?
                    .trim();
                if self.index.contains_key(text.as_bytes()) {
                    num.values.push(f64::NAN);
                    return Ok(());
                }
                if let Some(x) = parse_num(text, self.decimal_comma) {
                    num.values.push(x);
                    num.numbers += 1;
                    return Ok(());
                }
                if num.numbers == 0 {
                    let missing = num.values.len();
                    self.turn_to_strings(missing);
                    return self.push_str(key);
                }
                let row = num.values.len();
                num.odd.push((row, text.into()));
                num.values.push(f64::NAN);
                if num.odd.len() > MAX_ODD_KEPT && num.odd.len() as f64 > MAX_ODD_SHARE * row as f64
                {
                    self.mode = Mode::Skip;
                }
                Ok(())
            }
        }
    }

    fn push_str(&mut self, key: &[u8]) -> std::result::Result<(), CellError> {
        if key.len() <= 8 {
            let mut packed = 0u64;
            for (i, &b) in key.iter().enumerate() {
                packed |= u64::from(b) << (8 * i);
            }
            let tag = key.len() as u32 + 1;
            let h = (packed ^ u64::from(tag)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
            let slot = (h >> 56) as usize % SHORT_SLOTS;
            if let Some(&(p, t, code)) = self.short.get(slot) {
                if p == packed && t == tag {
                    self.codes.push(code);
                    return Ok(());
                }
            }
            let code = self.intern(key)?;
            if let Some(e) = self.short.get_mut(slot) {
                *e = (packed, tag, code);
            }
            self.codes.push(code);
            return Ok(());
        }
        let code = self.intern(key)?;
        self.codes.push(code);
        Ok(())
    }

    /// The code of a trimmed cell, interning it when new.
    pub(super) fn intern(&mut self, key: &[u8]) -> std::result::Result<u32, CellError> {
        if let Some(&code) = self.index.get(key) {
            return Ok(code);
        }
        let text = std::str::from_utf8(key).map_err(|_| CellError::Utf8)?;
        // Unicode spaces (a no-break space, say) are trimmed too.
        let text = text.trim();
        if text.len() != key.len() {
            if let Some(&code) = self.index.get(text.as_bytes()) {
                return Ok(code);
            }
        }
        if self.n_levels == MISSING_CODE {
            return Err(CellError::TooManyLevels);
        }
        let code = self.n_levels;
        self.index.insert(text.as_bytes().into(), code);
        self.n_levels += 1;
        Ok(code)
    }

    /// The column: numeric when every present cell is a number, or nearly every one
    /// (see [`MAX_ODD_SHARE`]: the few others become missing and are reported), else
    /// strings.
    pub(super) fn finish(self) -> Result<Finished> {
        match self.mode {
            Mode::Skip => Ok(Finished::Reread),
            Mode::Str => {
                let (column, odd) = self.finish_str()?;
                Ok(Finished::Done(column, odd))
            }
            Mode::Num(num) => {
                let present = num.numbers + num.odd.len();
                if num.odd.len() as f64 > MAX_ODD_SHARE * present as f64 {
                    return Ok(Finished::Reread);
                }
                let odd = num.odd.first().map(|(row, text)| OddCells {
                    cells: num.odd.len(),
                    present,
                    first_row: *row,
                    first_text: text.to_string(),
                });
                Ok(Finished::Done(Column::Num(num.values), odd))
            }
        }
    }

    /// A column interned as strings: numeric when every level parses as a number (or
    /// nearly every cell does), else strings.
    fn finish_str(self) -> Result<(Column, Option<OddCells>)> {
        let decimal_comma = self.decimal_comma;
        let mut levels = vec![String::new(); self.n_levels as usize];
        for (key, code) in self.index {
            if code == MISSING_CODE {
                continue;
            }
            let s = String::from_utf8(key.into_vec())
                .map_err(|_| Error::Internal("an interned CSV cell is not UTF-8".into()))?;
            if let Some(slot) = levels.get_mut(code as usize) {
                *slot = s;
            }
        }
        let nums: Vec<Option<f64>> = levels.iter().map(|l| parse_num(l, decimal_comma)).collect();
        let mut odd = None;
        if nums.iter().any(Option::is_none) {
            // Cells per level, to weigh the odd ones by rows, not by distinct texts.
            let mut per_level = vec![0usize; levels.len()];
            for &c in &self.codes {
                if let Some(n) = per_level.get_mut(c as usize) {
                    *n += 1;
                }
            }
            let present: usize = per_level.iter().sum();
            let odd_cells: usize = per_level
                .iter()
                .zip(&nums)
                .filter(|(_, x)| x.is_none())
                .map(|(n, _)| n)
                .sum();
            let numeric_levels = nums.iter().filter(|x| x.is_some()).count();
            if numeric_levels == 0 || (odd_cells as f64) > MAX_ODD_SHARE * present as f64 {
                return Ok((
                    Column::Str(StrColumn {
                        codes: self.codes,
                        levels,
                    }),
                    None,
                ));
            }
            let first_row = self
                .codes
                .iter()
                .position(|&c| nums.get(c as usize).is_some_and(Option::is_none))
                .unwrap_or(0);
            let first_text = self
                .codes
                .get(first_row)
                .and_then(|&c| levels.get(c as usize))
                .cloned()
                .unwrap_or_default();
            odd = Some(OddCells {
                cells: odd_cells,
                present,
                first_row,
                first_text,
            });
        }
        let column = Column::Num(
            self.codes
                .iter()
                .map(|&c| nums.get(c as usize).copied().flatten().unwrap_or(f64::NAN))
                .collect(),
        );
        Ok((column, odd))
    }
}

/// The largest share of a column's present cells that may fail to read as numbers
/// for it to stay numeric (those cells become missing, and the reader says so): one
/// typo or an `n/a` in an amount column must not turn it into categories or an id.
pub const MAX_ODD_SHARE: f64 = 0.01;

/// The cells of a numeric column that are not numbers.
pub(super) struct OddCells {
    pub(super) cells: usize,
    pub(super) present: usize,
    pub(super) first_row: usize,
    pub(super) first_text: String,
}

/// At most `n` characters of `s`.
pub(super) fn truncate_chars(s: &str, n: usize) -> String {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_owned(),
    }
}
