//! Reading a data file a block of rows at a time, so that scoring a file of any size
//! holds only one block in memory.
//!
//! Each block is a [`Table`] read by the same reader as a whole file (CSV after a copy
//! of the header, or JSON Lines), with the file's line numbers, in the file's order.
//! An error names the file's line and byte, as a whole-file read would. The types of
//! a block's columns are its own (a block whose cells of a column are all numbers has
//! a numeric column); a model binds either kind.
//!
//! ```
//! use leadscore::data::{CsvOptions, JsonOptions, TableChunks};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("leads.csv");
//! std::fs::write(&path, "calls,city\n1,Kazan\n2,Omsk\n3,Perm\n")?;
//! let mut rows = 0;
//! for table in TableChunks::open(&path, &CsvOptions::default(), &JsonOptions::default(), 2)? {
//!     let table = table?;
//!     assert!(table.n_rows() <= 2);
//!     assert_eq!(table.line_of(0), 2 + rows as u64);
//!     rows += table.n_rows();
//! }
//! assert_eq!(rows, 3);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;

use super::csv::{
    cr_only_lines, is_blank_content, read_csv_bytes, read_csv_part, sniff_delimiter, RecordScanner,
};
use super::json::{read_jsonl_part, JsonOptions};
use super::{is_jsonl, CsvOptions, Table};
use crate::error::{Error, Result};

/// The most rows one block may hold.
pub const MAX_CHUNK_ROWS: usize = 10_000_000;

/// A block also ends once it holds this many bytes of input, whatever its rows.
const CHUNK_BYTES: usize = 16 << 20;

/// The blocks of rows of one data file (see the [module documentation](self)).
pub struct TableChunks {
    inner: Inner,
    rows: usize,
    name: String,
    done: bool,
}

enum Inner {
    Csv(CsvChunks),
    Json(JsonChunks),
}

struct CsvChunks {
    scan: RecordScanner<File>,
    /// The header record's bytes (with anything before it), lines ending in `\n`.
    header: Vec<u8>,
    /// Lines the header bytes span.
    header_lines: u64,
    cr_only: bool,
    opts: CsvOptions,
    /// Rows read so far (a file with none is an error).
    seen: bool,
}

struct JsonChunks {
    reader: BufReader<File>,
    /// The next line's number and byte offset.
    line: u64,
    offset: u64,
    opts: JsonOptions,
    /// Objects read so far (an input with none is an error at its end).
    seen: bool,
}

impl TableChunks {
    /// Opens `path` (JSON Lines when [`is_jsonl`] says so, else CSV) to be read in
    /// blocks of at most `rows` rows (1 to [`MAX_CHUNK_ROWS`]; a block also ends after
    /// about 16 MB of input). The header of a CSV file is read and checked here.
    pub fn open(
        path: &Path,
        csv: &CsvOptions,
        json: &JsonOptions,
        rows: usize,
    ) -> Result<TableChunks> {
        if rows == 0 || rows > MAX_CHUNK_ROWS {
            return Err(Error::InvalidInput(format!(
                "rows per block: {rows} is not between 1 and {MAX_CHUNK_ROWS}"
            )));
        }
        let name = path.display().to_string();
        let open = || File::open(path).map_err(|e| Error::io(path, e));
        let inner = if is_jsonl(path) {
            Inner::Json(JsonChunks {
                reader: BufReader::with_capacity(1 << 20, open()?),
                line: 1,
                offset: 0,
                opts: json.clone(),
                seen: false,
            })
        } else {
            let mut head = Vec::new();
            open()?
                .take(1 << 20)
                .read_to_end(&mut head)
                .map_err(|e| Error::io(path, e))?;
            let first_line = head
                .split(|&b| b == b'\n' || b == b'\r')
                .find(|l| !l.trim_ascii().is_empty())
                .unwrap_or(&[]);
            let first_line = first_line
                .strip_prefix(b"\xEF\xBB\xBF")
                .unwrap_or(first_line);
            let delimiter = csv.delimiter.unwrap_or_else(|| sniff_delimiter(first_line));
            let cr_only = cr_only_lines(&head);
            let mut scan = RecordScanner::new(open()?, delimiter, cr_only);
            // The header: the first record that is not blank, with what came before.
            let mut header = Vec::new();
            loop {
                match scan.next_record().map_err(|e| Error::io(path, e))? {
                    None => {
                        // No header, or no row after it: the whole-file reader says which.
                        let e = read_csv_bytes(&header, csv)
                            .err()
                            .unwrap_or_else(|| Error::parse(1, None, "empty file: no header row"));
                        return Err(e);
                    }
                    Some(rec) => {
                        let content = scan.content(&rec);
                        let content = if header.is_empty() {
                            content.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(content)
                        } else {
                            content
                        };
                        let blank = content.is_empty() || is_blank_content(content, delimiter);
                        header.extend_from_slice(scan.raw(&rec));
                        if !blank {
                            break;
                        }
                    }
                }
            }
            lf(&mut header, cr_only);
            if !header.ends_with(b"\n") {
                header.push(b'\n');
            }
            let header_lines = memchr::memchr_iter(b'\n', &header).count() as u64;
            Inner::Csv(CsvChunks {
                scan,
                header,
                header_lines,
                cr_only,
                opts: CsvOptions {
                    delimiter: Some(delimiter),
                    ..csv.clone()
                },
                seen: false,
            })
        };
        Ok(TableChunks {
            inner,
            rows,
            name,
            done: false,
        })
    }

    fn next_csv(&mut self) -> Result<Option<Table>> {
        let Inner::Csv(c) = &mut self.inner else {
            return Ok(None);
        };
        let delimiter = c.opts.delimiter.unwrap_or(b',');
        let mut buf = c.header.clone();
        // File line and byte of the block's first byte.
        let mut first: Option<(u64, u64)> = None;
        let mut n = 0;
        let io = |e| Error::io(&self.name, e);
        while n < self.rows {
            let Some(rec) = c.scan.next_record().map_err(io)? else {
                break;
            };
            if n == 0 && is_blank_content(c.scan.content(&rec), delimiter) {
                // Blank lines before the block's first row start no block.
                continue;
            }
            if first.is_none() {
                first = Some((rec.line, rec.start));
            }
            let at = buf.len();
            buf.extend_from_slice(c.scan.raw(&rec));
            lf(&mut buf[at..], c.cr_only);
            n += 1;
            if buf.len() >= CHUNK_BYTES {
                break;
            }
        }
        let Some((line, byte)) = first else {
            if c.seen {
                return Ok(None);
            }
            // A header and no row: the whole-file reader's error.
            let e = read_csv_part(&c.header, &c.opts, &self.name, &|l| l)
                .err()
                .unwrap_or_else(|| Error::parse(1, None, "no data rows after the header"));
            return Err(e);
        };
        c.seen = true;
        if !buf.ends_with(b"\n") {
            buf.push(b'\n');
        }
        let (header_lines, header_len) = (c.header_lines, c.header.len() as u64);
        // Buffer line `header_lines + 1` is file line `line`; bytes likewise.
        let to_line = move |l: u64| {
            if l > header_lines {
                line + (l - header_lines - 1)
            } else {
                l
            }
        };
        let to_byte = move |b: u64| {
            if b >= header_len {
                byte + (b - header_len)
            } else {
                b
            }
        };
        read_csv_part(&buf, &c.opts, &self.name, &to_line)
            .map(Some)
            .map_err(|e| relocate(e, &to_line, &to_byte))
    }

    fn next_json(&mut self) -> Result<Option<Table>> {
        let Inner::Json(j) = &mut self.inner else {
            return Ok(None);
        };
        let (line, byte) = (j.line, j.offset);
        let mut buf = Vec::new();
        let mut n = 0;
        while n < self.rows && (n == 0 || buf.len() < CHUNK_BYTES) {
            let at = buf.len();
            let read = j
                .reader
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(&self.name, e))?;
            if read == 0 {
                break;
            }
            j.line += 1;
            j.offset += read as u64;
            let text = buf.get(at..).unwrap_or_default();
            let text = if line == 1 && at == 0 {
                text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text)
            } else {
                text
            };
            if !text.trim_ascii().is_empty() {
                n += 1;
            }
        }
        if n == 0 {
            if j.seen {
                return Ok(None);
            }
            // The whole-file reader's error for an input without objects.
            return Err(read_jsonl_part(b"", &j.opts, &self.name, line == 1)
                .err()
                .unwrap_or_else(|| Error::parse(1, None, "empty file: no JSON objects")));
        }
        j.seen = true;
        let to_line = move |l: u64| line + l.saturating_sub(1);
        let to_byte = move |b: u64| byte + b;
        let mut table = read_jsonl_part(&buf, &j.opts, &self.name, line == 1)
            .map_err(|e| relocate(e, &to_line, &to_byte))?;
        table.map_lines(to_line);
        Ok(Some(table))
    }
}

impl Iterator for TableChunks {
    type Item = Result<Table>;

    fn next(&mut self) -> Option<Result<Table>> {
        if self.done {
            return None;
        }
        let next = match self.inner {
            Inner::Csv(_) => self.next_csv(),
            Inner::Json(_) => self.next_json(),
        };
        match next {
            Ok(Some(t)) => Some(Ok(t)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// Lines that end in a bare `\r` read as `\n`, as the CSV reader reads them.
fn lf(bytes: &mut [u8], cr_only: bool) {
    if cr_only {
        bytes
            .iter_mut()
            .filter(|b| **b == b'\r')
            .for_each(|b| *b = b'\n');
    }
}

/// An error about a block, located in the file instead.
fn relocate(e: Error, line: &dyn Fn(u64) -> u64, byte: &dyn Fn(u64) -> u64) -> Error {
    match e {
        Error::Parse { mut at, message } => {
            if at.line > 0 {
                at.line = line(at.line);
            }
            at.byte = at.byte.map(byte);
            Error::Parse { at, message }
        }
        other => other,
    }
}
