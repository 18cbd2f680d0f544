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

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

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
    let name = path.display().to_string();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    if threads > 1 {
        if let Some((st, lines)) = read_blocks(path, opts, &name, threads, 8 << 20) {
            return finish_lines(st, lines, opts);
        }
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    read_jsonl_impl(file, opts, &name, true)
}

/// A large file read in blocks by `threads` threads, each reading and parsing the lines
/// that start in its share of the bytes (a line feed always ends a line: JSON strings
/// escape theirs), joined in order. `None` when the file is smaller than `min_bytes`,
/// any block fails or the file changes while it is read: the one-thread reading then
/// runs and names the first error as it always does.
fn read_blocks(
    path: &Path,
    opts: &JsonOptions,
    name: &str,
    threads: usize,
    min_bytes: u64,
) -> Option<(State, Vec<u64>)> {
    let file = std::fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size < min_bytes.max(1) {
        return None;
    }
    let n_blocks = threads * 4;
    let nominal = |k: usize| size * k as u64 / n_blocks as u64;
    // Block k: its rows, and the line feeds in its bytes.
    let blocks = super::shares::run_blocks(n_blocks, threads, |k| {
        let (buf, range) =
            super::shares::line_share(&file, size, nominal(k), nominal(k + 1), k == 0)?;
        let block = buf.get(range)?;
        let rows = read_lines(block, opts, name, k == 0).ok()?;
        Some((rows, memchr::memchr_iter(b'\n', block).count() as u64))
    })?;
    if std::fs::metadata(path).ok()?.len() != size {
        return None;
    }
    // Join in order: fields in order of first appearance, rows and lines appended.
    let mut all: Option<State> = None;
    let mut lines = Vec::new();
    let mut line_at = 0u64;
    for ((st, block_lines), feeds) in blocks {
        let offset = lines.len();
        lines.extend(block_lines.iter().map(|&l| l + line_at));
        line_at += feeds;
        let Some(acc) = &mut all else {
            all = Some(st);
            continue;
        };
        let mut seen = vec![false; acc.fields.len()];
        for f in st.fields {
            let i = match acc.by_name.get(&f.name) {
                Some(&i) => i,
                None => {
                    acc.by_name.insert(f.name.clone(), acc.fields.len());
                    acc.fields.push(FieldBuilder::new(f.name.clone()));
                    seen.push(false);
                    acc.fields.len() - 1
                }
            };
            if let Some(s) = seen.get_mut(i) {
                *s = true;
            }
            acc.fields.get_mut(i)?.append(f, offset, &acc.na).ok()?;
        }
        // Fields the block lacks: missing in its rows (set when the next value comes).
        let _ = seen;
    }
    Some((all?, lines))
}

/// Reads lines of a file held in `bytes` (the file's first lines when `first`: only
/// there is a byte-order mark stripped); lines and bytes are the buffer's.
pub(crate) fn read_jsonl_part(
    bytes: &[u8],
    opts: &JsonOptions,
    name: &str,
    first: bool,
) -> Result<Table> {
    read_jsonl_impl(bytes, opts, name, first)
}

/// Reads JSON Lines held in memory into a [`Table`] (see [`read_jsonl_path`]).
pub fn read_jsonl_bytes(bytes: &[u8], opts: &JsonOptions) -> Result<Table> {
    read_jsonl_impl(bytes, opts, "JSON Lines input", true)
}

/// Reads JSON Lines from any reader into a [`Table`] (see [`read_jsonl_path`]), one
/// line at a time; the reader need not be buffered.
pub fn read_jsonl_reader<R: Read>(r: R, opts: &JsonOptions) -> Result<Table> {
    read_jsonl_impl(r, opts, "JSON Lines input", true)
}

fn read_jsonl_impl<R: Read>(r: R, opts: &JsonOptions, name: &str, bom: bool) -> Result<Table> {
    let (st, lines) = read_lines(r, opts, name, bom)?;
    finish_lines(st, lines, opts)
}

/// Reads the objects of `r` into the fields: the reader's state and each row's line.
fn read_lines<R: Read>(
    r: R,
    opts: &JsonOptions,
    name: &str,
    bom: bool,
) -> Result<(State, Vec<u64>)> {
    let mut br = BufReader::with_capacity(64 * 1024, r);
    let mut na: HashMap<String, u32> = HashMap::new();
    for v in &opts.na_values {
        na.insert(v.trim().to_owned(), MISSING_CODE);
    }
    let mut st = State {
        fields: Vec::new(),
        by_name: HashMap::new(),
        row: 0,
        na,
        decimal_comma: opts.decimal_comma,
        field_error: None,
    };
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
        if line_no == 1 && bom {
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
        st.row = lines.len();
        let mut de = serde_json::Deserializer::from_str(text);
        let parsed = LineSeed { st: &mut st }
            .deserialize(&mut de)
            .and_then(|line| de.end().map(|()| line));
        if let Some((key, msg)) = st.field_error.take() {
            return Err(Error::parse(line_no, Some(&one_line(&key)), msg));
        }
        match parsed {
            Ok(None) => {}
            Ok(Some(kind)) => {
                return Err(Error::parse(
                    line_no,
                    None,
                    format!("expected a JSON object, found {kind}"),
                ))
            }
            Err(e) => return Err(json_error(&e, line_no, start)),
        }
        lines.push(line_no);
    }
    Ok((st, lines))
}

/// The table of the fields read, or the error of an input without objects or fields.
fn finish_lines(st: State, lines: Vec<u64>, opts: &JsonOptions) -> Result<Table> {
    if lines.is_empty() {
        return Err(Error::parse(1, None, "empty file: no JSON objects"));
    }
    if st.fields.is_empty() {
        return Err(Error::parse(
            lines.first().copied().unwrap_or(1),
            None,
            "no fields: every object is empty",
        ));
    }
    let n_rows = lines.len();
    let mut built = Vec::with_capacity(st.fields.len());
    for f in st.fields {
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

/// What the reader knows while it reads the lines: the fields so far (in order of
/// first appearance), the row being read, and a field's value error (an array, say)
/// raised inside the JSON parser.
struct State {
    fields: Vec<FieldBuilder>,
    by_name: HashMap<String, usize>,
    row: usize,
    na: HashMap<String, u32>,
    decimal_comma: bool,
    field_error: Option<(String, String)>,
}

/// Reads one line straight into the fields (no intermediate map or value): `None`
/// for an object, else the kind of whatever else the line held.
struct LineSeed<'a> {
    st: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for LineSeed<'_> {
    type Value = Option<&'static str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for LineSeed<'_> {
    type Value = Option<&'static str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(
        self,
        mut map: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while let Some(idx) = map.next_key_seed(KeySeed { st: &mut *self.st })? {
            let st = &mut *self.st;
            let (row, decimal_comma) = (st.row, st.decimal_comma);
            let Some(field) = st.fields.get_mut(idx) else {
                return Err(serde::de::Error::custom("field index out of range"));
            };
            let cell = map.next_value_seed(CellSeed)?;
            if let Err(msg) = field.set(row, cell, &st.na, decimal_comma) {
                st.field_error = Some((field.name.clone(), msg));
                return Err(serde::de::Error::custom("invalid field value"));
            }
        }
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(
        self,
        mut seq: A,
    ) -> std::result::Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Some("an array"))
    }

    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self::Value, E> {
        Ok(Some("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self::Value, E> {
        Ok(Some("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self::Value, E> {
        Ok(Some("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self::Value, E> {
        Ok(Some("a number"))
    }

    fn visit_str<E>(self, _: &str) -> std::result::Result<Self::Value, E> {
        Ok(Some("a string"))
    }

    fn visit_unit<E>(self) -> std::result::Result<Self::Value, E> {
        Ok(Some("null"))
    }
}

/// A key: the index of its field, a new field on first sight (no allocation for a
/// key seen before).
struct KeySeed<'a> {
    st: &'a mut State,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = usize;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<usize, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = usize;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E>(self, key: &str) -> std::result::Result<usize, E> {
        if let Some(&i) = self.st.by_name.get(key) {
            return Ok(i);
        }
        let i = self.st.fields.len();
        self.st.by_name.insert(key.to_owned(), i);
        self.st.fields.push(FieldBuilder::new(key.to_owned()));
        Ok(i)
    }
}

/// One field value as the reader takes it.
enum Cell<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(std::borrow::Cow<'a, str>),
    Array,
    Object,
}

struct CellSeed;

impl<'de> DeserializeSeed<'de> for CellSeed {
    type Value = Cell<'de>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> std::result::Result<Cell<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed {
    type Value = Cell<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a field value")
    }

    fn visit_unit<E>(self) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Null)
    }

    fn visit_bool<E>(self, b: bool) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Bool(b))
    }

    fn visit_i64<E>(self, x: i64) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Num(x as f64))
    }

    fn visit_u64<E>(self, x: u64) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Num(x as f64))
    }

    fn visit_f64<E>(self, x: f64) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Num(x))
    }

    fn visit_borrowed_str<E>(self, s: &'de str) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Str(s.into()))
    }

    fn visit_str<E>(self, s: &str) -> std::result::Result<Cell<'de>, E> {
        Ok(Cell::Str(s.to_owned().into()))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Cell<'de>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Cell::Array)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> std::result::Result<Cell<'de>, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Cell::Object)
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

/// One field being read. It starts as numbers: JSON numbers, numeric strings and
/// missing values are stored as `f64` (a numeric string's text is kept too); the first
/// other value turns it into strings, each distinct text interned once (numbers
/// written with [`format_num`], as they would have been interned).
struct FieldBuilder {
    name: String,
    num: Option<NumField>,
    index: HashMap<String, u32>,
    levels: Vec<LevelSrc>,
    codes: Vec<u32>,
    /// The row whose value created the last level (a value replaced by a repeated key
    /// in the same object takes its new level back with it: no level without a row).
    created_at: Option<usize>,
}

/// A field read as numbers so far.
#[derive(Default)]
struct NumField {
    values: Vec<f64>,
    /// The rows whose value was a numeric string, with its trimmed text.
    texts: Vec<(usize, Box<str>)>,
}

impl FieldBuilder {
    fn new(name: String) -> Self {
        FieldBuilder {
            name,
            num: Some(NumField::default()),
            index: HashMap::new(),
            levels: Vec::new(),
            codes: Vec::new(),
            created_at: None,
        }
    }

    /// Sets the value of row `row` (rows before it that lacked the field are missing;
    /// a second value for the same row replaces the first).
    fn set(
        &mut self,
        row: usize,
        cell: Cell<'_>,
        na: &HashMap<String, u32>,
        decimal_comma: bool,
    ) -> std::result::Result<(), String> {
        if let Some(num) = &mut self.num {
            let value = match &cell {
                Cell::Null => Some((f64::NAN, false)),
                Cell::Num(x) if x.is_finite() => Some((*x, false)),
                Cell::Num(x) => return Err(format!("number {x} is out of range")),
                Cell::Str(s) => {
                    let t = s.trim();
                    if na.contains_key(t) {
                        Some((f64::NAN, false))
                    } else {
                        parse_num(t, decimal_comma).map(|x| (x, true))
                    }
                }
                Cell::Bool(_) | Cell::Array | Cell::Object => None,
            };
            if let Some((x, text)) = value {
                if num.values.len() > row {
                    num.values.truncate(row);
                    if num.texts.last().is_some_and(|(r, _)| *r == row) {
                        num.texts.pop();
                    }
                }
                num.values.resize(row, f64::NAN);
                num.values.push(x);
                if let (true, Cell::Str(s)) = (text, &cell) {
                    num.texts.push((row, s.trim().into()));
                }
                return Ok(());
            }
            if matches!(cell, Cell::Array | Cell::Object) {
                return Err(Self::nested(&cell));
            }
            self.turn_to_strings(na)?;
        }
        if self.codes.len() == row + 1 {
            self.unset_last(row);
        }
        let code = match &cell {
            Cell::Null => MISSING_CODE,
            Cell::Bool(b) => self.intern(if *b { "true" } else { "false" }, LevelSrc::Bool, row)?,
            Cell::Num(x) if x.is_finite() => {
                self.intern(&format_num(*x), LevelSrc::Num(*x), row)?
            }
            Cell::Num(x) => return Err(format!("number {x} is out of range")),
            Cell::Str(s) => self.intern(s.trim(), LevelSrc::Str, row)?,
            Cell::Array | Cell::Object => return Err(Self::nested(&cell)),
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

    /// Appends the same field read from the rows that follow row `offset` (a later
    /// block): numbers to numbers; strings re-coded into this field's levels (a
    /// side read as numbers turned into strings first, as the one-thread reading would
    /// have done at the first string).
    fn append(
        &mut self,
        mut part: FieldBuilder,
        offset: usize,
        na: &HashMap<String, u32>,
    ) -> std::result::Result<(), String> {
        if self.num.is_some() && part.num.is_none() {
            self.turn_to_strings(na)?;
        }
        if self.num.is_none() && part.num.is_some() {
            part.turn_to_strings(na)?;
        }
        match (&mut self.num, part.num) {
            (Some(a), Some(b)) => {
                a.values.resize(offset, f64::NAN);
                a.values.extend_from_slice(&b.values);
                a.texts
                    .extend(b.texts.into_iter().map(|(r, t)| (r + offset, t)));
            }
            (None, None) => {
                let mut levels = vec![String::new(); part.levels.len()];
                for (text, code) in part.index {
                    if let Some(slot) = levels.get_mut(code as usize) {
                        *slot = text;
                    }
                }
                let mut map = Vec::with_capacity(levels.len());
                for (text, src) in levels.iter().zip(&part.levels) {
                    map.push(self.intern(text, *src, usize::MAX)?);
                }
                self.codes.resize(offset, MISSING_CODE);
                self.codes.extend(
                    part.codes
                        .iter()
                        .map(|&c| map.get(c as usize).copied().unwrap_or(MISSING_CODE)),
                );
            }
            _ => return Err("a field changed its kind while it was joined".into()),
        }
        Ok(())
    }

    /// Before row `row`'s value is replaced (a repeated key): the level its old value
    /// created, if it did, goes.
    fn unset_last(&mut self, row: usize) {
        let Some(&old) = self.codes.last() else {
            return;
        };
        if old != MISSING_CODE
            && self.created_at == Some(row)
            && old as usize + 1 == self.levels.len()
        {
            self.levels.pop();
            self.index.retain(|_, c| *c != old);
            self.created_at = None;
        }
        if let Some(last) = self.codes.last_mut() {
            *last = MISSING_CODE;
        }
    }

    fn nested(cell: &Cell<'_>) -> String {
        if matches!(cell, Cell::Array) {
            "an array is not a field value (use a string)".into()
        } else {
            "a nested object is not a field value (flatten it)".into()
        }
    }

    /// Turns a field read as numbers into strings, interning its cells in row order.
    fn turn_to_strings(&mut self, na: &HashMap<String, u32>) -> std::result::Result<(), String> {
        let Some(num) = self.num.take() else {
            return Ok(());
        };
        self.index = na.clone();
        self.codes = Vec::with_capacity(num.values.len());
        let mut texts = num.texts.into_iter().peekable();
        for (row, &x) in num.values.iter().enumerate() {
            let code = match texts.next_if(|(r, _)| *r == row) {
                Some((_, text)) => self.intern(&text, LevelSrc::Str, row)?,
                None if x.is_nan() => MISSING_CODE,
                None => self.intern(&format_num(x), LevelSrc::Num(x), row)?,
            };
            self.codes.push(code);
        }
        Ok(())
    }

    /// The code of `text`, a new level on first sight (created by row `row`).
    fn intern(
        &mut self,
        text: &str,
        src: LevelSrc,
        row: usize,
    ) -> std::result::Result<u32, String> {
        if let Some(&code) = self.index.get(text) {
            return Ok(code);
        }
        self.created_at = Some(row);
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
        if let Some(mut num) = self.num.take() {
            num.values.resize(n_rows, f64::NAN);
            return Ok(Column::Num(num.values));
        }
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

#[cfg(test)]
mod block_tests {
    use super::*;

    #[test]
    fn reading_in_blocks_gives_the_one_thread_table() {
        // Fields that come and go, turn from numbers to strings in any block, repeat
        // within an object, numeric strings, nulls, blank lines, a BOM: the table read
        // in eight blocks on two threads is the one-thread table, lines included.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.jsonl");
        let mut rng = crate::rng::Rng::new(37);
        let values = [
            "1",
            "2.5",
            "-3e2",
            "\"7\"",
            "\" 007 \"",
            "\"NA\"",
            "null",
            "\"x\"",
            "true",
            "\"won\"",
            "1e20",
        ];
        let keys = ["a", "b", "c", "d"];
        let mut compared = 0;
        for case in 0..300 {
            let mut text = String::new();
            if case % 6 == 0 {
                text.push('\u{feff}');
            }
            let n = rng.below(200) as usize;
            // Each key has a kind it mostly takes, and some switch late.
            let fav: Vec<usize> = keys
                .iter()
                .map(|_| rng.below(values.len() as u64) as usize)
                .collect();
            for r in 0..n {
                if rng.below(25) == 0 {
                    text.push_str(if rng.below(2) == 0 { "\n" } else { "  \r\n" });
                }
                let mut parts = Vec::new();
                for (k, key) in keys.iter().enumerate() {
                    if rng.below(5) == 0 {
                        continue;
                    }
                    let v = if rng.below(6) == 0 || (r > n / 2 && k == 0 && case % 3 == 0) {
                        values[rng.below(values.len() as u64) as usize]
                    } else {
                        values[fav[k]]
                    };
                    parts.push(format!("\"{key}\": {v}"));
                    if rng.below(40) == 0 {
                        parts.push(format!("\"{key}\": 5"));
                    }
                }
                text.push('{');
                text.push_str(&parts.join(", "));
                text.push('}');
                if r + 1 < n || rng.below(2) == 0 {
                    text.push('\n');
                }
            }
            if case % 13 == 0 {
                text.push_str("{\"a\": [1]}\n"); // an error: the blocks decline
            }
            std::fs::write(&path, &text).unwrap();
            let opts = JsonOptions::default();
            let one = format!("{:?}", read_jsonl_bytes(text.as_bytes(), &opts));
            if let Some((st, lines)) = read_blocks(&path, &opts, "x", 2, 0) {
                let blocks = format!("{:?}", finish_lines(st, lines, &opts));
                assert_eq!(one, blocks, "case {case}: {text:?}");
                compared += 1;
            }
        }
        assert!(compared > 200, "only {compared} files were read in blocks");
    }
}
