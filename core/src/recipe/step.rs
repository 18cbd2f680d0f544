//! Fitted transform steps. Each step reads one raw input and writes a contiguous block
//! of feature columns; the same functions serve tables and single records.

use crate::data::{format_num, parse_bool, parse_num, Value};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The label of the one-hot column that takes rare and unseen levels.
pub const OTHER_LEVEL: &str = "other";

/// One fitted transform.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Step {
    /// `(x - mean) / scale`; a missing value becomes 0 (the mean) and, when
    /// `missing_indicator` is set, the next column is 1.
    Standardize {
        /// Index of the raw input in [`crate::recipe::Pipeline::inputs`].
        input: u32,
        /// First output column.
        offset: u32,
        /// Training mean.
        mean: f64,
        /// Training standard deviation (1 when constant).
        scale: f64,
        /// Whether a second column flags missing values.
        missing_indicator: bool,
    },
    /// A boolean as 0/1; a missing value is 0 and, when `missing_indicator` is set,
    /// the next column is 1.
    Flag {
        /// Index of the raw input.
        input: u32,
        /// First output column.
        offset: u32,
        /// Whether a second column flags missing values.
        missing_indicator: bool,
    },
    /// One column per kept level (sorted) plus a final `other` column for rare and
    /// unseen levels; a missing value sets no column.
    OneHot {
        /// Index of the raw input.
        input: u32,
        /// First output column.
        offset: u32,
        /// Kept levels, sorted (binary search at scoring time).
        levels: Vec<String>,
    },
}

impl Step {
    /// The raw input this step reads.
    pub fn input(&self) -> usize {
        match self {
            Step::Standardize { input, .. }
            | Step::Flag { input, .. }
            | Step::OneHot { input, .. } => *input as usize,
        }
    }

    /// First output column.
    pub fn offset(&self) -> usize {
        match self {
            Step::Standardize { offset, .. }
            | Step::Flag { offset, .. }
            | Step::OneHot { offset, .. } => *offset as usize,
        }
    }

    /// Number of output columns.
    pub fn width(&self) -> usize {
        match self {
            Step::Standardize {
                missing_indicator, ..
            }
            | Step::Flag {
                missing_indicator, ..
            } => 1 + usize::from(*missing_indicator),
            Step::OneHot { levels, .. } => levels.len() + 1,
        }
    }

    /// What kind of raw value the step reads.
    pub fn reads(&self) -> ValueKind {
        match self {
            Step::Standardize { .. } => ValueKind::Number,
            Step::Flag { .. } => ValueKind::Boolean,
            Step::OneHot { .. } => ValueKind::Category,
        }
    }

    /// Emits the step's non-zero features for a numeric input value.
    #[inline]
    pub fn emit_num(&self, x: Option<f64>, emit: &mut impl FnMut(u32, f64)) {
        match *self {
            Step::Standardize {
                offset,
                mean,
                scale,
                missing_indicator,
                ..
            } => match x {
                Some(x) => emit(offset, (x - mean) / scale),
                None => {
                    if missing_indicator {
                        emit(offset + 1, 1.0);
                    }
                }
            },
            Step::Flag {
                offset,
                missing_indicator,
                ..
            } => match x {
                Some(x) => {
                    if x != 0.0 {
                        emit(offset, 1.0);
                    }
                }
                None => {
                    if missing_indicator {
                        emit(offset + 1, 1.0);
                    }
                }
            },
            Step::OneHot { .. } => {
                let level = x.map(format_num);
                self.emit_level(level.as_deref(), emit);
            }
        }
    }

    /// The output column of a category level (`None` for a missing value).
    #[inline]
    pub fn level_column(&self, level: Option<&str>) -> Option<u32> {
        match self {
            Step::OneHot { offset, levels, .. } => {
                let s = level?;
                Some(match levels.binary_search_by(|l| l.as_str().cmp(s)) {
                    Ok(i) => offset + i as u32,
                    Err(_) => offset + levels.len() as u32,
                })
            }
            _ => None,
        }
    }

    /// Emits the step's features for a category level.
    #[inline]
    pub fn emit_level(&self, level: Option<&str>, emit: &mut impl FnMut(u32, f64)) {
        if let Some(j) = self.level_column(level) {
            emit(j, 1.0);
        }
    }

    /// Emits the step's features for one raw value, converting it to what the step
    /// reads. A value of the wrong kind is an error naming `field`.
    #[inline]
    pub fn emit_value(
        &self,
        field: &str,
        v: &Value,
        emit: &mut impl FnMut(u32, f64),
    ) -> Result<()> {
        match self.reads() {
            ValueKind::Number => self.emit_num(value_to_num(field, v)?, emit),
            ValueKind::Boolean => self.emit_num(
                value_to_bool(field, v)?.map(|b| f64::from(u8::from(b))),
                emit,
            ),
            ValueKind::Category => match v {
                Value::Str(s) => {
                    let t = s.trim();
                    self.emit_level((!t.is_empty()).then_some(t), emit)
                }
                Value::Num(x) if x.is_nan() => {}
                Value::Num(x) => self.emit_level(Some(&format_num(*x)), emit),
                Value::Bool(b) => self.emit_level(Some(if *b { "true" } else { "false" }), emit),
                Value::Missing => {}
            },
        }
        Ok(())
    }

    /// Readable label of output column `j` (absolute index) for a field.
    pub fn column_label(&self, field: &str, j: usize) -> String {
        let k = j.saturating_sub(self.offset());
        match self {
            Step::Standardize { .. } | Step::Flag { .. } => {
                if k == 0 {
                    field.to_owned()
                } else {
                    format!("{field} is missing")
                }
            }
            Step::OneHot { levels, .. } => match levels.get(k) {
                Some(l) => format!("{field} = {l}"),
                None => format!("{field} = {OTHER_LEVEL}"),
            },
        }
    }
}

/// The kind of raw value a step reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A number.
    Number,
    /// A boolean.
    Boolean,
    /// A category level (text).
    Category,
}

/// Converts a raw value for a numeric field: numbers, numeric strings (`"12"`,
/// `"1,5"`), booleans as 1/0; empty strings and NaN are missing.
#[inline]
pub fn value_to_num(field: &str, v: &Value) -> Result<Option<f64>> {
    match v {
        Value::Num(x) if x.is_nan() => Ok(None),
        Value::Num(x) if x.is_finite() => Ok(Some(*x)),
        Value::Num(x) => Err(Error::InvalidValue {
            field: field.to_owned(),
            message: format!("expected a finite number, got {x}"),
        }),
        Value::Bool(b) => Ok(Some(f64::from(u8::from(*b)))),
        Value::Missing => Ok(None),
        Value::Str(s) => str_to_num(field, s),
    }
}

/// [`value_to_num`] of a string: blank is missing, else a number (decimal point or
/// comma) or an error naming `field`.
pub(crate) fn str_to_num(field: &str, s: &str) -> Result<Option<f64>> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    parse_num(s, false)
        .or_else(|| parse_num(s, true))
        .map(Some)
        .ok_or_else(|| Error::InvalidValue {
            field: field.to_owned(),
            message: format!("expected a number, got \"{}\"", truncate(s, 40)),
        })
}

/// Converts a raw value for a boolean field: booleans, 0/1, and the words
/// true/false, yes/no, y/n, t/f; empty strings are missing.
#[inline]
pub fn value_to_bool(field: &str, v: &Value) -> Result<Option<bool>> {
    let bad = |what: String| Error::InvalidValue {
        field: field.to_owned(),
        message: format!("expected a boolean (true/false, yes/no, 1/0), got {what}"),
    };
    match v {
        Value::Bool(b) => Ok(Some(*b)),
        Value::Missing => Ok(None),
        Value::Num(x) if x.is_nan() => Ok(None),
        Value::Num(x) if *x == 0.0 || *x == 1.0 => Ok(Some(*x == 1.0)),
        Value::Num(x) => Err(bad(format_num(*x))),
        Value::Str(s) => {
            let t = s.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if let Some(b) = parse_bool(t) {
                return Ok(Some(b));
            }
            match parse_num(t, false) {
                Some(x) if x == 0.0 || x == 1.0 => Ok(Some(x == 1.0)),
                _ => Err(bad(format!("\"{}\"", truncate(t, 40)))),
            }
        }
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n).collect();
        t.push('…');
        t
    }
}
