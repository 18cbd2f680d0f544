//! JSON Lines reader: one JSON object per line, as CRM APIs and log exports write them.
//!
//! The columns are the union of the objects' keys, in order of first appearance; a key
//! an object lacks, or a `null`, is a missing cell. A field whose every present value is
//! a number or a numeric string becomes [`Column::Num`]; any other field a string
//! column, with booleans written `"true"`/`"false"` (schema inference turns such a
//! column into a boolean one) and numbers written with [`format_num`]. Blank lines are
//! skipped; a UTF-8 byte-order mark is stripped. When a key repeats inside one object,
//! the last value wins (as in JavaScript's `JSON.parse`).
//!
//! ```
//! use leadscore::data::json::{read_jsonl_bytes, JsonOptions};
//! use leadscore::Column;
//!
//! let data = br#"{"calls": 3, "city": "Kazan", "has_phone": true}
//! {"calls": "12", "city": null, "has_phone": false, "source": "web"}
//! "#;
//! let table = read_jsonl_bytes(data, &JsonOptions::default())?;
//! assert_eq!(table.names(), ["calls", "city", "has_phone", "source"]);
//! assert!(matches!(table.require("calls")?, Column::Num(v) if v == &[3.0, 12.0]));
//! assert!(matches!(table.require("has_phone")?, Column::Str(s) if s.get(0) == Some("true")));
//! assert!(table.require("source")?.is_missing(0));
//! # Ok::<(), leadscore::Error>(())
//! ```

use std::collections::HashMap;
use std::fmt;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::csv::{parse_error, DEFAULT_NA_VALUES};
use super::{format_num, parse_num, Column, StrColumn, Table, MISSING_CODE};
use crate::error::{Error, Result};

/// How to read JSON Lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonOptions {
    /// Read numeric strings such as `"1,5"` as 1.5 (and reject `"1.5"`). JSON numbers
    /// are unaffected.
    pub decimal_comma: bool,
    /// String values that, once trimmed of surrounding whitespace, mean "missing".
    /// Defaults to [`DEFAULT_NA_VALUES`] (the same as the CSV reader's).
    pub na_values: Vec<String>,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            decimal_comma: false,
            na_values: DEFAULT_NA_VALUES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// Reads a JSON Lines file into a [`Table`]. See the [module documentation](self).
///
/// I/O failures are [`Error::Io`] naming the path. Invalid JSON, a line that is not an
/// object, an array or object as a field value and invalid UTF-8 are [`Error::Parse`]
/// naming the line (and the field or byte).
pub fn read_jsonl_path(path: impl AsRef<Path>, opts: &JsonOptions) -> Result<Table> {
    let path = path.as_ref();
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_jsonl_impl(file, opts, &path.display().to_string())
}

/// Reads JSON Lines held in memory into a [`Table`] (see [`read_jsonl_path`]).
pub fn read_jsonl_bytes(bytes: &[u8], opts: &JsonOptions) -> Result<Table> {
    read_jsonl_impl(bytes, opts, "JSON Lines input")
}

/// Reads JSON Lines from any reader into a [`Table`] (see [`read_jsonl_path`]), one
/// line at a time; the reader need not be buffered.
pub fn read_jsonl_reader<R: Read>(r: R, opts: &JsonOptions) -> Result<Table> {
    read_jsonl_impl(r, opts, "JSON Lines input")
}

fn read_jsonl_impl<R: Read>(r: R, opts: &JsonOptions, name: &str) -> Result<Table> {
    let mut br = BufReader::with_capacity(64 * 1024, r);
    let mut seed: HashMap<String, u32> = HashMap::new();
    for na in &opts.na_values {
        seed.insert(na.trim().to_owned(), MISSING_CODE);
    }
    let mut fields: Vec<FieldBuilder> = Vec::new();
    let mut by_name: HashMap<String, usize> = HashMap::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut buf: Vec<u8> = Vec::new();
    let mut offset: u64 = 0;
    let mut line_no: u64 = 0;
    loop {
        buf.clear();
        let n = br
            .read_until(b'\n', &mut buf)
            .map_err(|e| Error::io(name, e))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let mut start = offset;
        offset += n as u64;
        let mut content: &[u8] = &buf;
        if let Some(c) = content.strip_suffix(b"\n") {
            content = c.strip_suffix(b"\r").unwrap_or(c);
        }
        if line_no == 1 {
            if let Some(c) = content.strip_prefix(b"\xEF\xBB\xBF") {
                content = c;
                start += 3;
            }
        }
        if content.trim_ascii().is_empty() {
            continue;
        }
        let text = std::str::from_utf8(content).map_err(|e| {
            parse_error(
                line_no,
                None,
                Some(start + e.valid_up_to() as u64),
                "invalid UTF-8 (save the file as UTF-8)",
            )
        })?;
        let entries = match serde_json::from_str::<JsonLine>(text) {
            Ok(JsonLine::Object(entries)) => entries,
            Ok(JsonLine::Other(kind)) => {
                return Err(Error::parse(
                    line_no,
                    None,
                    format!("expected a JSON object, found {kind}"),
                ))
            }
            Err(e) => return Err(json_error(&e, line_no, start)),
        };
        let row = lines.len();
        for (key, value) in entries {
            let idx = match by_name.get(&key) {
                Some(&i) => i,
                None => {
                    let i = fields.len();
                    by_name.insert(key.clone(), i);
                    fields.push(FieldBuilder::new(key.clone(), &seed));
                    i
                }
            };
            let field = fields
                .get_mut(idx)
                .ok_or_else(|| Error::Internal("JSON field index out of range".into()))?;
            field
                .set(row, &value)
                .map_err(|msg| Error::parse(line_no, Some(&one_line(&key)), msg))?;
        }
        lines.push(line_no);
    }
    if lines.is_empty() {
        return Err(Error::parse(1, None, "empty file: no JSON objects"));
    }
    if fields.is_empty() {
        return Err(Error::parse(
            lines.first().copied().unwrap_or(1),
            None,
            "no fields: every object is empty",
        ));
    }
    let n_rows = lines.len();
    let mut built = Vec::with_capacity(fields.len());
    for f in fields {
        let name = f.name.clone();
        built.push((name, f.finish(n_rows, opts.decimal_comma)?));
    }
    let mut table = Table::from_columns(built)?;
    table.set_lines(lines)?;
    Ok(table)
}

/// A field name fit for a one-line message: control characters escaped.
pub(crate) fn one_line(name: &str) -> std::borrow::Cow<'_, str> {
    if name.chars().any(char::is_control) {
        name.escape_debug().to_string().into()
    } else {
        name.into()
    }
}

/// A serde_json error as a located one-line [`Error::Parse`] (the line within the
/// input replaces serde_json's own "line 1 column N").
fn json_error(e: &serde_json::Error, line: u64, line_start: u64) -> Error {
    let full = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let msg = full.strip_suffix(&suffix).unwrap_or(&full);
    let byte = line_start + (e.column() as u64).saturating_sub(1);
    parse_error(line, None, Some(byte), format!("invalid JSON: {msg}"))
}

/// One parsed line: an object's entries in their written order, or the kind of
/// whatever else the line held.
enum JsonLine {
    Object(Vec<(String, serde_json::Value)>),
    Other(&'static str),
}

impl<'de> Deserialize<'de> for JsonLine {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(LineVisitor)
    }
}

struct LineVisitor;

impl<'de> Visitor<'de> for LineVisitor {
    type Value = JsonLine;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<JsonLine, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = map.next_entry::<String, serde_json::Value>()? {
            entries.push(entry);
        }
        Ok(JsonLine::Object(entries))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<JsonLine, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(JsonLine::Other("an array"))
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<JsonLine, E> {
        Ok(JsonLine::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<JsonLine, E> {
        Ok(JsonLine::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<JsonLine, E> {
        Ok(JsonLine::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<JsonLine, E> {
        Ok(JsonLine::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<JsonLine, E> {
        Ok(JsonLine::Other("a string"))
    }

    fn visit_unit<E>(self) -> std::result::Result<JsonLine, E> {
        Ok(JsonLine::Other("null"))
    }
}

/// Where a level came from: its numeric value is known for JSON numbers, parsed at the
/// end for strings, and never exists for booleans.
#[derive(Clone, Copy)]
enum LevelSrc {
    Num(f64),
    Str,
    Bool,
}

/// One field being read: distinct texts interned once, missing values pre-seeded.
struct FieldBuilder {
    name: String,
    index: HashMap<String, u32>,
    levels: Vec<LevelSrc>,
    codes: Vec<u32>,
}

impl FieldBuilder {
    fn new(name: String, seed: &HashMap<String, u32>) -> Self {
        FieldBuilder {
            name,
            index: seed.clone(),
            levels: Vec::new(),
            codes: Vec::new(),
        }
    }

    /// Sets the value of row `row` (rows before it that lacked the field are missing;
    /// a second value for the same row replaces the first).
    fn set(&mut self, row: usize, value: &serde_json::Value) -> std::result::Result<(), String> {
        use serde_json::Value as J;
        let code = match value {
            J::Null => MISSING_CODE,
            J::Bool(b) => self.intern(if *b { "true" } else { "false" }, LevelSrc::Bool)?,
            J::Number(n) => {
                let x = n
                    .as_f64()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("number {n} is out of range"))?;
                self.intern(&format_num(x), LevelSrc::Num(x))?
            }
            J::String(s) => self.intern(s.trim(), LevelSrc::Str)?,
            J::Array(_) => return Err("an array is not a field value (use a string)".into()),
            J::Object(_) => return Err("a nested object is not a field value (flatten it)".into()),
        };
        if self.codes.len() < row {
            self.codes.resize(row, MISSING_CODE);
        }
        if self.codes.len() == row {
            self.codes.push(code);
        } else if let Some(last) = self.codes.last_mut() {
            *last = code;
        }
        Ok(())
    }

    fn intern(&mut self, text: &str, src: LevelSrc) -> std::result::Result<u32, String> {
        if let Some(&code) = self.index.get(text) {
            return Ok(code);
        }
        let code = u32::try_from(self.levels.len())
            .ok()
            .filter(|&c| c != MISSING_CODE)
            .ok_or_else(|| "more than 4294967294 distinct values in one field".to_owned())?;
        self.index.insert(text.to_owned(), code);
        self.levels.push(src);
        Ok(code)
    }

    /// Numeric when every level is a number or a numeric string (or there is none),
    /// else strings.
    fn finish(mut self, n_rows: usize, decimal_comma: bool) -> Result<Column> {
        self.codes.resize(n_rows, MISSING_CODE);
        let mut texts = vec![String::new(); self.levels.len()];
        for (text, code) in self.index {
            if code == MISSING_CODE {
                continue;
            }
            if let Some(slot) = texts.get_mut(code as usize) {
                *slot = text;
            }
        }
        let nums: Option<Vec<f64>> = self
            .levels
            .iter()
            .zip(&texts)
            .map(|(src, text)| match src {
                LevelSrc::Num(x) => Some(*x),
                LevelSrc::Str => parse_num(text, decimal_comma),
                LevelSrc::Bool => None,
            })
            .collect();
        Ok(match nums {
            Some(nums) => Column::Num(
                self.codes
                    .iter()
                    .map(|&c| nums.get(c as usize).copied().unwrap_or(f64::NAN))
                    .collect(),
            ),
            None => Column::Str(StrColumn {
                codes: self.codes,
                levels: texts,
            }),
        })
    }
}
