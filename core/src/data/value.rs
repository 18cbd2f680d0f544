//! One raw cell or field value, and the text conversions shared by every reader.

use serde::{Deserialize, Serialize};

/// One raw value of a record field.
///
/// Numbers may also arrive as strings (`"12"`, `"1,5"` with a decimal comma when the
/// reader is told so); the pipeline converts them where the field is numeric.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub enum Value {
    /// A number.
    Num(f64),
    /// A string: a category, a text, or a number written as text.
    Str(String),
    /// A boolean.
    Bool(bool),
    /// No value.
    #[default]
    Missing,
}

impl Value {
    /// True for [`Value::Missing`], an empty string and NaN.
    pub fn is_missing(&self) -> bool {
        match self {
            Value::Missing => true,
            Value::Num(x) => x.is_nan(),
            Value::Str(s) => s.trim().is_empty(),
            Value::Bool(_) => false,
        }
    }

    /// A short name of the value's kind, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Num(_) => "number",
            Value::Str(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Missing => "missing",
        }
    }
}

impl From<f64> for Value {
    fn from(x: f64) -> Self {
        Value::Num(x)
    }
}
impl From<i64> for Value {
    fn from(x: i64) -> Self {
        Value::Num(x as f64)
    }
}
impl From<i32> for Value {
    fn from(x: i32) -> Self {
        Value::Num(f64::from(x))
    }
}
impl From<bool> for Value {
    fn from(x: bool) -> Self {
        Value::Bool(x)
    }
}
impl From<&str> for Value {
    fn from(x: &str) -> Self {
        Value::Str(x.to_owned())
    }
}
impl From<String> for Value {
    fn from(x: String) -> Self {
        Value::Str(x)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(x: Option<T>) -> Self {
        x.map_or(Value::Missing, Into::into)
    }
}

/// Parses a number as CRM exports write it: surrounding spaces ignored, an optional
/// sign, digits with `.` as the decimal point, or `,` when `decimal_comma` is set,
/// and exponents. `inf`, `nan` and the like are not numbers here. Returns `None` when
/// the text is not a finite number.
pub fn parse_num(s: &str, decimal_comma: bool) -> Option<f64> {
    let t = s.trim();
    if t.is_empty() {
        return None;
    }
    // Reject words Rust's parser accepts (inf, infinity, nan) and hex-like input.
    let first = t.as_bytes()[0];
    if !(first.is_ascii_digit() || first == b'-' || first == b'+' || first == b'.' || first == b',')
    {
        return None;
    }
    if t.bytes()
        .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
    {
        return None;
    }
    let v = if decimal_comma {
        if t.contains('.') {
            return None;
        }
        t.replacen(',', ".", 1).parse::<f64>().ok()?
    } else {
        t.parse::<f64>().ok()?
    };
    v.is_finite().then_some(v)
}

/// Parses a boolean word: `true/false`, `yes/no`, `y/n`, `t/f` in any case.
/// (`1`/`0` are numbers; the schema treats a 0/1 numeric column as boolean.)
pub fn parse_bool(s: &str) -> Option<bool> {
    let t = s.trim();
    let lower = |w: &str| t.eq_ignore_ascii_case(w);
    if lower("true") || lower("yes") || lower("y") || lower("t") {
        Some(true)
    } else if lower("false") || lower("no") || lower("n") || lower("f") {
        Some(false)
    } else {
        None
    }
}

/// Formats a number the way a category level is written: integers without a decimal
/// point (`3`, not `3.0`), others in the shortest form that reads back exactly.
pub fn format_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_num(" 12 ", false), Some(12.0));
        assert_eq!(parse_num("-1.5e3", false), Some(-1500.0));
        assert_eq!(parse_num("1,5", true), Some(1.5));
        assert_eq!(parse_num("1,5", false), None);
        assert_eq!(parse_num("1.5", true), None);
        assert_eq!(parse_num("inf", false), None);
        assert_eq!(parse_num("NaN", false), None);
        assert_eq!(parse_num("", false), None);
        assert_eq!(parse_num("12abc", false), None);
    }

    #[test]
    fn bools_and_levels() {
        assert_eq!(parse_bool("Yes"), Some(true));
        assert_eq!(parse_bool("FALSE"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
        assert_eq!(format_num(3.0), "3");
        assert_eq!(format_num(2.5), "2.5");
        assert_eq!(format_num(-0.0), "0");
    }
}
