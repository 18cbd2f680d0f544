//! Typing the columns of an export as its cells are read: each distinct trimmed cell
//! is interned once per column, and a column whose cells all parse as numbers
//! becomes numeric.

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

/// One column being read: each distinct trimmed cell is interned once; missing values
/// are pre-seeded with [`MISSING_CODE`].
pub(super) struct ColBuilder {
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
    pub(super) fn new(seed: &CellMap) -> Self {
        ColBuilder {
            index: seed.clone(),
            n_levels: 0,
            codes: Vec::new(),
            short: vec![(0, 0, 0); SHORT_SLOTS],
        }
    }

    pub(super) fn push(&mut self, cell: &[u8]) -> std::result::Result<(), CellError> {
        let key = cell.trim_ascii();
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

    /// Numeric when every level parses as a number (or there is none), else strings.
    /// The column: numeric when every present cell is a number, or nearly every one
    /// (see [`MAX_ODD_SHARE`]: the few others become missing and are reported), else
    /// strings.
    pub(super) fn finish(self, decimal_comma: bool) -> Result<(Column, Option<OddCells>)> {
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
