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
    parse_num_ascii(s.trim().as_bytes(), decimal_comma)
}

/// Powers of ten that are exact in an `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// [`parse_num`] on a cell already trimmed of white space, read from its bytes: the
/// readers call it on every cell, so it checks the grammar (an optional sign, digits
/// with one decimal separator, an optional exponent) in one pass and computes the
/// value exactly when the digits fit in 53 bits and the power of ten in an `f64`
/// (Clinger's fast path: one correctly rounded multiplication or division), which
/// covers what exports write; anything longer goes to the standard library's parser.
/// The result is the same as `str::parse::<f64>` on the same text.
#[inline]
pub(crate) fn parse_num_ascii(b: &[u8], decimal_comma: bool) -> Option<f64> {
    let sep = if decimal_comma { b',' } else { b'.' };
    let (neg, body) = match b.first()? {
        b'-' => (true, b.get(1..)?),
        b'+' => (false, b.get(1..)?),
        _ => (false, b),
    };
    // The digits, as one integer while there are at most 19 of them (more wrap, and
    // go to the standard library below).
    let mut mant: u64 = 0;
    let mut i = 0;
    let int_digits = digit_run(body, &mut i, &mut mant);
    let mut frac_digits = 0;
    if body.get(i) == Some(&sep) {
        i += 1;
        frac_digits = digit_run(body, &mut i, &mut mant);
    }
    let digits = int_digits + frac_digits;
    if digits == 0 {
        return None;
    }
    let mut exp: i64 = 0;
    if let Some(&c) = body.get(i) {
        if c != b'e' && c != b'E' {
            return None;
        }
        i += 1;
        let eneg = match body.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let start = i;
        while let Some(&c) = body.get(i) {
            if !c.is_ascii_digit() {
                return None;
            }
            exp = (exp * 10 + i64::from(c - b'0')).min(1 << 40);
            i += 1;
        }
        if i == start {
            return None;
        }
        if eneg {
            exp = -exp;
        }
    }
    let e10 = exp - frac_digits as i64;
    let v = if mant == 0 && digits <= 19 {
        0.0
    } else if digits <= 19 && mant <= (1 << 53) && (-22..=22).contains(&e10) {
        let m = mant as f64;
        let p = POW10.get(e10.unsigned_abs() as usize).copied()?;
        if e10 < 0 {
            m / p
        } else {
            m * p
        }
    } else {
        // Long mantissas and far exponents: the grammar is checked, the standard
        // library rounds correctly.
        let text = std::str::from_utf8(body).ok()?;
        let parsed = if decimal_comma {
            text.replacen(',', ".", 1).parse::<f64>().ok()?
        } else {
            text.parse::<f64>().ok()?
        };
        return (parsed.is_finite()).then_some(if neg { -parsed } else { parsed });
    };
    Some(if neg { -v } else { v })
}

/// Reads the ASCII digits of `b` from `*i` on into `mant` (`mant * 10 + digit` each,
/// wrapping), moves `*i` past them and returns how many there were.
#[inline]
fn digit_run(b: &[u8], i: &mut usize, mant: &mut u64) -> usize {
    let start = *i;
    while let Some(d) = b.get(*i).map(|c| c.wrapping_sub(b'0')).filter(|&d| d < 10) {
        *mant = mant.wrapping_mul(10).wrapping_add(u64::from(d));
        *i += 1;
    }
    *i - start
}

#[cfg(test)]
mod parse_tests {
    use super::parse_num;

    /// The rule `parse_num` had before the one-pass reader: the standard parser behind
    /// a check of the first byte and of letters.
    fn reference(s: &str, decimal_comma: bool) -> Option<f64> {
        let t = s.trim();
        let first = *t.as_bytes().first()?;
        if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.' | b',')) {
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

    fn same(a: Option<f64>, b: Option<f64>) -> bool {
        match (a, b) {
            (Some(x), Some(y)) => x.to_bits() == y.to_bits(),
            (None, None) => true,
            _ => false,
        }
    }

    #[test]
    fn agrees_with_the_standard_parser_on_every_short_text() {
        // Every text of up to 5 bytes over the bytes that matter, and seeded longer ones.
        let alphabet = b"019.,-+eE x";
        let mut texts: Vec<String> = vec![String::new()];
        for len in 1..=5 {
            let n = alphabet.len().pow(len);
            for mut k in 0..n {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(char::from(alphabet[k % alphabet.len()]));
                    k /= alphabet.len();
                }
                texts.push(s);
            }
        }
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let digits = b"0123456789";
        for _ in 0..200_000 {
            let len = (next() % 30) as usize + 1;
            let mut s = String::new();
            if next() % 3 == 0 {
                s.push('-');
            }
            for _ in 0..len {
                s.push(char::from(digits[(next() % 10) as usize]));
            }
            match next() % 4 {
                0 => s.insert(s.len() / 2, '.'),
                1 => s.insert(s.len() / 3, ','),
                _ => {}
            }
            if next() % 2 == 0 {
                s.push_str(&format!("e{}", (next() % 700) as i64 - 350));
            }
            texts.push(s);
        }
        for x in [
            0.1,
            1.043e-05,
            -0.7436,
            123456.789,
            9007199254740993.0,
            5e-324,
            1.7e308,
        ] {
            texts.push(format!("{x}"));
            texts.push(format!("{x:e}"));
        }
        texts.extend(
            [
                "1e400",
                "-1e-400",
                "00000000000000000000001.5",
                "1.",
                ".5",
                "+.5e+3",
            ]
            .map(String::from),
        );
        for t in &texts {
            for dc in [false, true] {
                assert!(
                    same(parse_num(t, dc), reference(t, dc)),
                    "{t:?} (decimal comma {dc}): {:?} vs {:?}",
                    parse_num(t, dc),
                    reference(t, dc)
                );
            }
        }
    }
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
