//! CSV reader and writer for CRM exports.
//!
//! The reader takes a header row and any number of data rows, and builds a typed
//! [`Table`]: a column whose every non-missing cell is a number becomes
//! [`Column::Num`], any other column a dictionary-encoded [`Column::Str`]. It accepts
//! what real exports contain: a UTF-8 byte-order mark, CRLF (or classic-Mac CR) line
//! endings, quoted fields with embedded delimiters, doubled quotes and newlines, `;` or
//! tab delimiters (sniffed from the header) and decimal commas. Every row remembers the
//! line it starts on, so later errors can name it; every error is one line naming the
//! line and, where relevant, the column and byte.
//!
//! ```
//! use leadscore::data::csv::{read_csv_bytes, CsvOptions};
//! use leadscore::Column;
//!
//! let data = "name;amount;stage\nAcme;1,5;won\n\"Foo; Bar\";NA;lost\n";
//! let opts = CsvOptions { decimal_comma: true, ..CsvOptions::default() };
//! let table = read_csv_bytes(data.as_bytes(), &opts)?;
//! assert_eq!(table.n_rows(), 2);
//! let amount = table.require("amount")?;
//! assert!(matches!(amount, Column::Num(v) if v[0] == 1.5 && v[1].is_nan()));
//! assert!(matches!(table.require("name")?, Column::Str(s) if s.get(1) == Some("Foo; Bar")));
//! assert_eq!(table.line_of(1), 3);
//! # Ok::<(), leadscore::Error>(())
//! ```

use std::collections::HashMap;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;

mod columns;

use super::{format_num, Column, Table};
use crate::error::{Error, Location, Result};
use columns::{truncate_chars, CellError, ColBuilder, Finished, NaSet};

/// The cells (after trimming) read as missing by default, by both the CSV and the JSON
/// Lines readers.
pub const DEFAULT_NA_VALUES: &[&str] = &["", "NA", "N/A", "NULL", "null", "NaN", "nan"];

/// The UTF-8 byte-order mark some tools (Excel) put at the start of a file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// How to read a CSV file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvOptions {
    /// The field delimiter. `None` sniffs `,`, `;` or tab from the header line (the
    /// most frequent outside quotes; `,` when there is none or on a tie).
    pub delimiter: Option<u8>,
    /// Read `1,5` as 1.5 (and reject `1.5` as a number). Sensible with `;` or tab
    /// delimiters, where a comma inside an unquoted cell is not a delimiter.
    pub decimal_comma: bool,
    /// Cells that, once trimmed of surrounding whitespace, mean "missing". Defaults to
    /// [`DEFAULT_NA_VALUES`].
    pub na_values: Vec<String>,
}

impl Default for CsvOptions {
    fn default() -> Self {
        CsvOptions {
            delimiter: None,
            decimal_comma: false,
            na_values: DEFAULT_NA_VALUES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }
}

/// Reads a CSV file into a [`Table`]. See the [module documentation](self).
///
/// I/O failures are [`Error::Io`] naming the path; malformed content is
/// [`Error::Parse`] naming the line (and column and byte where relevant).
pub fn read_csv_path(path: impl AsRef<Path>, opts: &CsvOptions) -> Result<Table> {
    let path = path.as_ref();
    let name = path.display().to_string();
    let threads = parallelism();
    if threads > 1 {
        let na = NaSet::new(&opts.na_values, opts.decimal_comma);
        let min = PARALLEL_MIN_BYTES as u64;
        if let Some(first) = read_file_blocks(path, opts, &name, &na, threads, min) {
            return finish_table(first, &name, &|l| l, |again| {
                let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
                read_pass(&[], &bytes, opts, &name, &na, Some(again), 0)
            });
        }
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    read_csv_slice(&bytes, opts, &name, threads)
}

/// Reads CSV data held in memory into a [`Table`] (see [`read_csv_path`]).
pub fn read_csv_bytes(bytes: &[u8], opts: &CsvOptions) -> Result<Table> {
    read_csv_slice(bytes, opts, "CSV input", parallelism())
}

/// [`read_csv_bytes`] on the calling thread alone (mass training reads many tenants at
/// once, each on its own thread).
pub(crate) fn read_csv_bytes_single(bytes: &[u8], opts: &CsvOptions) -> Result<Table> {
    read_csv_slice(bytes, opts, "CSV input", 1)
}

/// Reads CSV data from any reader into a [`Table`] (see [`read_csv_path`]). The reader
/// need not be buffered. Its bytes are held in memory while they are read, as a file's
/// are: large inputs are parsed in blocks on every core, and a column that turns out
/// not to be numeric late in the input is read a second time.
pub fn read_csv_reader<R: Read>(mut r: R, opts: &CsvOptions) -> Result<Table> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)
        .map_err(|e| Error::io("CSV input", e))?;
    read_csv_bytes(&bytes, opts)
}

/// Threads for reading one large input: the cores, at most 8.
fn parallelism() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(8))
}

/// Writes a table as CSV: a header row, then one row per table row. Missing cells are
/// empty, numbers are written with [`format_num`], and fields holding the delimiter, a
/// quote or a line break are quoted as RFC 4180 says (lines end with `\n`). A table
/// with no columns writes nothing.
pub fn write_csv<W: Write>(table: &Table, w: W) -> Result<()> {
    let mut wtr = ::csv::WriterBuilder::new().from_writer(w);
    let out_err = |e: ::csv::Error| match e.into_kind() {
        ::csv::ErrorKind::Io(io) => Error::io("CSV output", io),
        other => Error::Internal(format!("CSV writer: {other:?}")),
    };
    if table.n_cols() == 0 {
        return Ok(());
    }
    wtr.write_record(table.names()).map_err(out_err)?;
    let mut rec = ::csv::ByteRecord::new();
    for i in 0..table.n_rows() {
        rec.clear();
        for col in table.columns() {
            match col {
                Column::Num(v) => match v.get(i) {
                    Some(x) if x.is_finite() => rec.push_field(format_num(*x).as_bytes()),
                    _ => rec.push_field(b""),
                },
                Column::Str(s) => rec.push_field(s.get(i).unwrap_or("").as_bytes()),
            }
        }
        wtr.write_byte_record(&rec).map_err(out_err)?;
    }
    wtr.flush().map_err(|e| Error::io("CSV output", e))
}

/// A [`Error::Parse`] with every part of the location.
pub(crate) fn parse_error(
    line: u64,
    column: Option<&str>,
    byte: Option<u64>,
    message: impl Into<String>,
) -> Error {
    Error::Parse {
        at: Location {
            line,
            column: column.map(str::to_owned),
            byte,
        },
        message: message.into(),
    }
}

// ---------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------

/// Inputs smaller than this are read on one thread.
const PARALLEL_MIN_BYTES: usize = 8 << 20;

/// Reads the input once, typing numbers as they come (in blocks on `threads` threads
/// when it is large); the columns that turn out not to be numeric after numbers were
/// read (their texts were not kept) are read again, as strings.
fn read_csv_slice(bytes: &[u8], opts: &CsvOptions, name: &str, threads: usize) -> Result<Table> {
    let na = NaSet::new(&opts.na_values, opts.decimal_comma);
    let parallel = if threads > 1 && bytes.len() >= PARALLEL_MIN_BYTES {
        read_blocks(bytes, opts, name, &na, threads, bytes.len() / (4 * threads))
    } else {
        None
    };
    let first = match parallel {
        Some(pass) => pass,
        None => read_pass(&[], bytes, opts, name, &na, None, rows_hint(bytes))?,
    };
    finish_table(first, name, &|l| l, |again| {
        read_pass(&[], bytes, opts, name, &na, Some(again), 0)
    })
}

/// The rows `bytes` likely holds: its line ends (at least the rows, unless fields
/// hold line breaks; lines ending in a bare `\r` are not counted).
fn rows_hint(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Reads rows `bytes` holds after a copy of a file's header, on the calling thread:
/// `line` maps the buffer's line numbers to the file's, in the rows and in the notes.
/// Errors are left in the buffer's numbering (see [`crate::data::TableChunks`]).
pub(crate) fn read_csv_part(
    bytes: &[u8],
    opts: &CsvOptions,
    name: &str,
    line: &dyn Fn(u64) -> u64,
) -> Result<Table> {
    let na = NaSet::new(&opts.na_values, opts.decimal_comma);
    let first = read_pass(&[], bytes, opts, name, &na, None, rows_hint(bytes))?;
    finish_table(first, name, line, |again| {
        read_pass(&[], bytes, opts, name, &na, Some(again), 0)
    })
}

/// The table from a first reading, reading again (`reread`) the columns it could not
/// type.
fn finish_table(
    first: Pass,
    name: &str,
    line_map: &dyn Fn(u64) -> u64,
    reread: impl FnOnce(&[bool]) -> Result<Pass>,
) -> Result<Table> {
    if first.lines.is_empty() {
        return Err(Error::parse(
            first.header_line,
            None,
            "no data rows after the header",
        ));
    }
    let n_cols = first.names.len();
    let mut done = Vec::with_capacity(n_cols);
    for col in first.cols {
        done.push(match col.finish()? {
            Finished::Done(column, odd) => Some((column, odd)),
            Finished::Reread => None,
        });
    }
    let again: Vec<bool> = done.iter().map(Option::is_none).collect();
    if again.contains(&true) {
        let second = reread(&again)?;
        if second.lines != first.lines || second.names != first.names {
            return Err(Error::io(
                name,
                std::io::Error::other("the input changed while it was read"),
            ));
        }
        for ((slot, col), again) in done.iter_mut().zip(second.cols).zip(&again) {
            if *again {
                match col.finish()? {
                    Finished::Done(column, odd) => *slot = Some((column, odd)),
                    Finished::Reread => {
                        return Err(Error::Internal(
                            "a CSV column read as strings asked to be read again".into(),
                        ))
                    }
                }
            }
        }
    }

    let lines: Vec<u64> = first.lines.into_iter().map(line_map).collect();
    let mut built = Vec::with_capacity(n_cols);
    let mut notes = Vec::new();
    for (name, slot) in first.names.into_iter().zip(done) {
        let (column, odd) =
            slot.ok_or_else(|| Error::Internal("a CSV column was not read".into()))?;
        if let Some(odd) = odd {
            let line = lines.get(odd.first_row).copied().unwrap_or(0);
            notes.push(format!(
                "column \"{}\": {} of {} cells are not numbers (the first, \"{}\", on line {line}); \
                 read as missing values of a numeric column",
                super::json::one_line(&name),
                odd.cells,
                odd.present,
                super::json::one_line(&truncate_chars(&odd.first_text, 40)),
            ));
        }
        built.push((name, column));
    }
    let mut table = Table::from_columns(built)?;
    table.set_lines(lines)?;
    for n in notes {
        table.add_note(n);
    }
    Ok(table)
}

/// The first reading of a large input in blocks of about `block` bytes, cut at record
/// ends, parsed on `threads` threads (each block after a copy of the header) and
/// joined in order. `None` when the input is not worth it or any block fails: the
/// one-thread reading then runs and reports the first error exactly as it would.
fn read_blocks(
    bytes: &[u8],
    opts: &CsvOptions,
    name: &str,
    na: &NaSet,
    threads: usize,
    block: usize,
) -> Option<Pass> {
    let head = scan_head(&mut &bytes[..]).ok()?;
    let delimiter = opts.delimiter.unwrap_or(head.sniffed);
    // The header: the first record that is not blank, with any blank lines before it.
    let start = head.bom_len as usize;
    let mut p = start;
    loop {
        let (content, term) = record_end(bytes.get(p..)?, delimiter, true)?;
        let rec = bytes.get(p..p + content)?;
        if content + term == 0 {
            return None;
        }
        p += content + term;
        if !rec.is_empty() && !is_blank_content(rec, delimiter) {
            break;
        }
    }
    let header = bytes.get(start..p)?;
    if header.last().is_some_and(|&b| b != b'\n' && b != b'\r') {
        return None; // the header ends the input
    }
    // Block boundaries: record ends at least `block` bytes apart.
    let mut cuts = vec![p];
    let mut q = p;
    let mut last = p;
    while q < bytes.len() {
        let (content, term) = record_end(bytes.get(q..)?, delimiter, true)?;
        if content + term == 0 {
            break;
        }
        q += content + term;
        // Only after a `\n` (or in a CR-only file): a lone `\r` ends a record for the
        // scanner but not for the parser.
        let after_lf = head.cr_only || bytes.get(q - 1) == Some(&b'\n');
        if q - last >= block.max(1) && after_lf {
            cuts.push(q);
            last = q;
        }
    }
    if last < bytes.len() {
        cuts.push(bytes.len());
    }
    let n_blocks = cuts.len() - 1;
    if n_blocks < 2 {
        return None;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<Result<Pass>>>> =
        (0..n_blocks).map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..threads.min(n_blocks) {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let (Some(&lo), Some(&hi)) = (cuts.get(k), cuts.get(k + 1)) else {
                    break;
                };
                let block = bytes.get(lo..hi).unwrap_or_default();
                let block_opts = CsvOptions {
                    delimiter: Some(delimiter),
                    ..opts.clone()
                };
                let pass = read_pass(header, block, &block_opts, name, na, None, rows_hint(block));
                if let Some(slot) = results.get(k) {
                    if let Ok(mut slot) = slot.lock() {
                        *slot = Some(pass);
                    }
                }
            });
        }
    });
    let header_lines = count_lines(header, head.cr_only);
    let mut passes = Vec::with_capacity(n_blocks);
    let mut line_at = 1 + count_lines(bytes.get(..p)?, head.cr_only);
    for (k, slot) in results.into_iter().enumerate() {
        passes.push((slot.into_inner().ok()??.ok()?, line_at));
        line_at += count_lines(bytes.get(cuts[k]..cuts[k + 1])?, head.cr_only);
    }
    let header_at = 1 + count_lines(bytes.get(..start)?, head.cr_only);
    join_passes(passes, header_lines, header_at, threads)
}

/// Joins the passes of consecutive blocks, each given with the input's line of its
/// first byte (its rows' lines were counted after `header_lines` lines of header;
/// the header's copy starts on line `header_at` of the input).
fn join_passes(
    passes: Vec<(Pass, u64)>,
    header_lines: u64,
    header_at: u64,
    threads: usize,
) -> Option<Pass> {
    let total: usize = passes.iter().map(|(p, _)| p.lines.len()).sum();
    let first_rows = passes.first()?.0.lines.len();
    let mut lines = Vec::with_capacity(total);
    let mut names: Option<Vec<String>> = None;
    let mut header_line = 0;
    // The same column of every block together, to be joined on its own thread.
    let mut per_col: Vec<Vec<ColBuilder>> = Vec::new();
    for (pass, line_at) in passes {
        let shift = |l: u64| l + line_at - (header_lines + 1);
        lines.extend(pass.lines.iter().map(|&l| shift(l)));
        match &names {
            None => {
                names = Some(pass.names);
                header_line = pass.header_line;
                per_col = pass.cols.into_iter().map(|c| vec![c]).collect();
            }
            Some(n) => {
                if *n != pass.names {
                    return None;
                }
                for (parts, c) in per_col.iter_mut().zip(pass.cols) {
                    parts.push(c);
                }
            }
        }
    }
    // Joining copies every value into one vector per column: the columns are shared
    // out between the threads, so that the copying (and the memory it touches for the
    // first time) goes on every core too.
    let mut cols: Vec<Option<ColBuilder>> = (0..per_col.len()).map(|_| None).collect();
    let per_thread = per_col.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|scope| {
        for (parts, out) in per_col
            .chunks_mut(per_thread)
            .zip(cols.chunks_mut(per_thread))
        {
            scope.spawn(move || {
                for (parts, slot) in parts.iter_mut().zip(out) {
                    let mut it = std::mem::take(parts).into_iter();
                    let Some(mut col) = it.next() else { continue };
                    col.reserve(total - first_rows);
                    let joined = it.try_for_each(|b| col.append(b));
                    *slot = joined.ok().map(|()| col);
                }
            });
        }
    });
    let cols: Option<Vec<ColBuilder>> = cols.into_iter().collect();
    Some(Pass {
        names: names?,
        lines,
        cols: cols?,
        header_line: header_at + header_line.saturating_sub(1),
    })
}

/// The first reading of a large file without a quote, in blocks read and parsed by
/// the threads themselves (no copy of the whole file, no scan for record ends: in a
/// file without quotes every line feed ends a record). Block `k` is the lines that
/// start in its share of the bytes. `None` when the file is small, has a quote, a
/// bare `\r` line end or any error, or changes while it is read: the general reading
/// then runs on the whole file.
fn read_file_blocks(
    path: &Path,
    opts: &CsvOptions,
    name: &str,
    na: &NaSet,
    threads: usize,
    min_bytes: u64,
) -> Option<Pass> {
    use std::os::unix::fs::FileExt;
    let file = std::fs::File::open(path).ok()?;
    let size = file.metadata().ok()?.len();
    if size < min_bytes.max(1) {
        return None;
    }
    let read = |from: u64, len: usize| -> Option<Vec<u8>> {
        let mut buf = vec![0u8; len];
        file.read_exact_at(&mut buf, from).ok()?;
        Some(buf)
    };
    let head = read(0, size.min(1 << 20) as usize)?;
    if cr_only_lines(&head) {
        return None;
    }
    let bom = if head.starts_with(BOM) { BOM.len() } else { 0 };
    let sniffed = scan_head(&mut &head[..]).ok()?.sniffed;
    let delimiter = opts.delimiter.unwrap_or(sniffed);
    // The header: the first line that is not blank, with the lines before it.
    let mut p = bom;
    loop {
        let end = p + memchr::memchr(b'\n', head.get(p..)?)?;
        let line = head.get(p..end)?;
        p = end + 1;
        if memchr::memchr(b'"', line).is_some() {
            return None;
        }
        if !line.is_empty() && !is_blank_content(line, delimiter) {
            break;
        }
    }
    let header = head.get(bom..p)?;
    let header_lines = count_lines(header, false);
    let n_blocks = threads * 4;
    let body = size - p as u64;
    let nominal = |k: usize| p as u64 + body * k as u64 / n_blocks as u64;
    let block_opts = CsvOptions {
        delimiter: Some(delimiter),
        ..opts.clone()
    };
    // Block k: its pass and its line feeds; None for a quote, a bare \r or an error.
    let blocks = super::shares::run_blocks(n_blocks, threads, |k| {
        let (buf, range) =
            super::shares::line_share(&file, size, nominal(k), nominal(k + 1), k == 0)?;
        let block = buf.get(range)?;
        let plain = memchr::memchr(b'"', block).is_none()
            && memchr::memchr_iter(b'\r', block).all(|i| block.get(i + 1) == Some(&b'\n'));
        if !plain {
            return None;
        }
        let pass = read_pass(header, block, &block_opts, name, na, None, rows_hint(block)).ok()?;
        Some((pass, count_lines(block, false)))
    })?;
    if std::fs::metadata(path).ok()?.len() != size {
        return None; // the file changed while it was read
    }
    let mut passes = Vec::with_capacity(blocks.len());
    let mut line_at = 1 + count_lines(head.get(..p)?, false);
    for (pass, feeds) in blocks {
        passes.push((pass, line_at));
        line_at += feeds;
    }
    join_passes(passes, header_lines, 1, threads)
}

/// One reading of the input: the header, each data row's line, and the columns'
/// builders (in a second pass, `reread` says which columns to intern as strings; the
/// others are not kept).
struct Pass {
    names: Vec<String>,
    lines: Vec<u64>,
    cols: Vec<ColBuilder>,
    /// The line the header starts on.
    header_line: u64,
}

fn read_pass(
    head: &[u8],
    body: &[u8],
    opts: &CsvOptions,
    name: &str,
    na: &NaSet,
    reread: Option<&[bool]>,
    rows_hint: usize,
) -> Result<Pass> {
    // A row of n columns takes at least n bytes: room for more rows than the input
    // can hold (a file of blank lines, a wide header) is never reserved.
    let rows_hint = Hint {
        rows: rows_hint,
        bytes: head.len() + body.len(),
    };
    let start = if head.is_empty() { body } else { head };
    // Every `\r` before a `\n`: no line ends in a bare `\r` (which the general
    // parser reads differently where the header is sniffed).
    let crlf_only = |b: &[u8]| memchr::memchr_iter(b'\r', b).all(|i| b.get(i + 1) == Some(&b'\n'));
    let plain = memchr::memchr(b'"', head).is_none()
        && memchr::memchr(b'"', body).is_none()
        && (head.is_empty() || head.ends_with(b"\n"))
        && crlf_only(head)
        && crlf_only(body)
        && !cr_only_lines(start.get(..start.len().min(1 << 20)).unwrap_or_default());
    if plain {
        read_plain(head, body, opts, na, reread, rows_hint)
    } else {
        read_quoted(head.chain(body), opts, name, na, reread, rows_hint)
    }
}

/// How many rows a pass makes room for up front: the line feeds counted in its input,
/// but never more rows of `n` columns than its `bytes` can hold.
#[derive(Clone, Copy)]
struct Hint {
    rows: usize,
    bytes: usize,
}

impl Hint {
    fn rows_of(self, n_cols: usize) -> usize {
        self.rows.min(self.bytes / n_cols.max(1))
    }
}

/// The columns' builders of a pass (see [`Pass`]), with room for the rows `hint` says.
fn builders(
    n_cols: usize,
    na: &NaSet,
    opts: &CsvOptions,
    reread: Option<&[bool]>,
    hint: Hint,
) -> Vec<ColBuilder> {
    let rows_hint = hint.rows_of(n_cols);
    (0..n_cols)
        .map(|k| {
            let mut b = match reread {
                None => ColBuilder::new(na, opts.decimal_comma),
                Some(again) => ColBuilder::second_pass(
                    na,
                    opts.decimal_comma,
                    again.get(k).copied().unwrap_or(false),
                ),
            };
            // Room for every row at once: no copying as the column grows.
            b.reserve(rows_hint);
            b
        })
        .collect()
}

/// A row whose number of fields is not the header's.
fn width_error(line: u64, fields: usize, n_cols: usize, multiline: bool) -> Error {
    let mut msg = format!(
        "{fields} field{}, the header has {n_cols}",
        if fields == 1 { "" } else { "s" },
    );
    if multiline {
        msg.push_str("; a quoted field here runs over several lines: is a closing quote missing?");
    }
    Error::parse(line, None, msg)
}

/// A cell the column could not take.
fn cell_error(e: CellError, line: u64, col_name: &str, byte: Option<u64>) -> Error {
    match e {
        CellError::Utf8 => parse_error(
            line,
            Some(col_name),
            byte,
            "invalid UTF-8 (save the file as UTF-8)",
        ),
        CellError::TooManyLevels => parse_error(
            line,
            Some(col_name),
            None,
            "more than 4294967294 distinct values in one column",
        ),
    }
}

/// [`read_pass`] of an input without a quote and with `\n` line ends (or `\r\n`):
/// each line is a record and each delimiter ends a field, so lines are found with
/// memchr and fields split without the general parser's state machine. The rules
/// are the parser's: an empty line is skipped, a line of white space is blank, a
/// `\r` before the `\n` stays in the last field (cells are trimmed).
fn read_plain(
    head: &[u8],
    body: &[u8],
    opts: &CsvOptions,
    na: &NaSet,
    reread: Option<&[bool]>,
    rows_hint: Hint,
) -> Result<Pass> {
    let bom = |b: &[u8]| if b.starts_with(BOM) { BOM.len() } else { 0 };
    // Where the input starts without a byte-order mark, as (part, offset).
    let (skip_head, skip_body) = if head.is_empty() {
        (0, bom(body))
    } else {
        (bom(head), 0)
    };
    // The delimiter: given, or sniffed from the first line that is not white space.
    let delimiter = opts.delimiter.unwrap_or_else(|| {
        [(head, skip_head), (body, skip_body)]
            .into_iter()
            .flat_map(|(part, skip)| part.get(skip..).unwrap_or_default().split(|&b| b == b'\n'))
            .find(|l| !l.trim_ascii().is_empty())
            .map_or(b',', sniff_delimiter)
    });
    let mut line_no = 0u64;
    let mut header: Option<(Vec<String>, u64)> = None;
    let mut cols: Vec<ColBuilder> = Vec::new();
    let mut lines: Vec<u64> = Vec::new();
    let mut fields: Vec<(usize, usize)> = Vec::new();
    for (part, skip, base) in [
        (head, skip_head, 0u64),
        (body, skip_body, head.len() as u64),
    ] {
        let mut pos = skip;
        while pos < part.len() {
            let end = memchr::memchr(b'\n', &part[pos..]).map_or(part.len(), |i| pos + i);
            let text = &part[pos..end];
            let at = pos;
            pos = end + 1;
            line_no += 1;
            if text.is_empty() {
                continue;
            }
            let Some((names, _)) = &header else {
                if memchr::memchr(delimiter, text).is_none() && text.trim_ascii().is_empty() {
                    continue; // a blank line
                }
                let mut rec = ::csv::ByteRecord::new();
                for f in text.split(|&b| b == delimiter) {
                    rec.push_field(f);
                }
                let bad = || {
                    std::str::from_utf8(text)
                        .err()
                        .map(|e| base + (at + e.valid_up_to()) as u64)
                };
                let names = header_names(&rec, line_no, &bad)?;
                cols = builders(names.len(), na, opts, reread, rows_hint);
                lines.reserve(rows_hint.rows_of(1));
                header = Some((names, line_no));
                continue;
            };
            fields.clear();
            // Fields are short: a plain loop beats a search call per field.
            let mut f0 = 0;
            for (i, &b) in text.iter().enumerate() {
                if b == delimiter {
                    fields.push((f0, i));
                    f0 = i + 1;
                }
            }
            fields.push((f0, text.len()));
            if fields.len() == 1 && text.trim_ascii().is_empty() {
                continue; // a blank line
            }
            if fields.len() != cols.len() {
                return Err(width_error(line_no, fields.len(), cols.len(), false));
            }
            for ((&(a, b), col), col_name) in fields.iter().zip(cols.iter_mut()).zip(names) {
                let cell = &text[a..b];
                col.push(cell).map_err(|e| {
                    let bad = std::str::from_utf8(cell)
                        .err()
                        .map(|u| base + (at + a + u.valid_up_to()) as u64);
                    cell_error(e, line_no, col_name, bad)
                })?;
            }
            lines.push(line_no);
        }
    }
    let Some((names, header_line)) = header else {
        return Err(Error::parse(1, None, "empty file: no header row"));
    };
    Ok(Pass {
        names,
        lines,
        cols,
        header_line,
    })
}

fn read_quoted<R: Read>(
    r: R,
    opts: &CsvOptions,
    name: &str,
    na: &NaSet,
    reread: Option<&[bool]>,
    rows_hint: Hint,
) -> Result<Pass> {
    let io_err = |e: std::io::Error| Error::io(name, e);
    let mut br = BufReader::with_capacity(64 * 1024, Tracker::new(r));
    let head = scan_head(&mut br).map_err(io_err)?;
    let delimiter = opts.delimiter.unwrap_or(head.sniffed);
    let source = Source {
        prefix: head.prefix,
        pos: 0,
        rest: br,
        cr_to_lf: head.cr_only,
        quotes: QuoteScan::new(delimiter),
    };
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_reader(source);
    let ctx = LineCtx { bom: head.bom_len };
    let mut rec = ::csv::ByteRecord::new();

    // The header: the first non-blank record.
    let header_line = loop {
        if !next_record(&mut rdr, &mut rec, name)? {
            return Err(Error::parse(1, None, "empty file: no header row"));
        }
        let line = ctx.start_line(&rdr, &rec);
        ctx.check_unclosed_quote(&rdr)?;
        if !is_blank(&rec) {
            break line;
        }
    };
    let names = header_names(&rec, header_line, &|| first_invalid_byte(&rdr))?;
    let n_cols = names.len();
    let mut cols = builders(n_cols, na, opts, reread, rows_hint);
    let mut lines: Vec<u64> = Vec::with_capacity(rows_hint.rows_of(1));

    while next_record(&mut rdr, &mut rec, name)? {
        let line = ctx.start_line(&rdr, &rec);
        ctx.check_unclosed_quote(&rdr)?;
        if is_blank(&rec) {
            continue;
        }
        if rec.len() != n_cols {
            let multiline = rec.iter().any(|f| f.contains(&b'\n'));
            return Err(width_error(line, rec.len(), n_cols, multiline));
        }
        for ((cell, col), col_name) in rec.iter().zip(cols.iter_mut()).zip(&names) {
            col.push(cell)
                .map_err(|e| cell_error(e, line, col_name, first_invalid_byte(&rdr)))?;
        }
        lines.push(line);
    }
    Ok(Pass {
        names,
        lines,
        cols,
        header_line,
    })
}

/// Reads the next record, mapping CSV errors (in practice only I/O ones, since the
/// reader is flexible and works on bytes).
fn next_record<R: Read>(
    rdr: &mut ::csv::Reader<R>,
    rec: &mut ::csv::ByteRecord,
    name: &str,
) -> Result<bool> {
    rdr.read_byte_record(rec).map_err(|e| {
        let line = e.position().map_or(0, ::csv::Position::line);
        match e.into_kind() {
            ::csv::ErrorKind::Io(io) => Error::io(name, io),
            other => Error::parse(line, None, format!("CSV: {other:?}")),
        }
    })
}

/// A record that is a blank line: one field of whitespace only (an empty line is
/// skipped by the parser itself; a CRLF blank line leaves a lone `\r`). A single
/// empty field (`""`) is a real row of a one-column file and is kept.
fn is_blank(rec: &::csv::ByteRecord) -> bool {
    rec.len() == 1
        && rec
            .get(0)
            .is_some_and(|f| !f.is_empty() && f.trim_ascii().is_empty())
}

/// [`is_blank`] of a record's content as [`RecordScanner`] finds it.
pub(crate) fn is_blank_content(content: &[u8], delimiter: u8) -> bool {
    if memchr::memchr(b'"', content).is_none() {
        return !content.is_empty()
            && content
                .iter()
                .all(|&b| b.is_ascii_whitespace() && b != delimiter);
    }
    let fields = record_fields(content, delimiter);
    fields.len() == 1
        && fields
            .first()
            .is_some_and(|f| !f.is_empty() && f.trim_ascii().is_empty())
}

/// The header names: trimmed, line breaks inside one turned into spaces, `column_K`
/// for an empty one; duplicates are an error.
fn header_names(
    rec: &::csv::ByteRecord,
    line: u64,
    bad_byte: &dyn Fn() -> Option<u64>,
) -> Result<Vec<String>> {
    let mut names: Vec<String> = Vec::with_capacity(rec.len());
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, raw) in rec.iter().enumerate() {
        let text = std::str::from_utf8(raw).map_err(|_| {
            parse_error(
                line,
                None,
                bad_byte(),
                format!("header field {} is not valid UTF-8", k + 1),
            )
        })?;
        let trimmed = text.trim();
        let name = if trimmed.is_empty() {
            format!("column_{}", k + 1)
        } else if trimmed.contains(['\r', '\n']) {
            // A header wrapped over lines ("Total\nAmount"): one line, one space.
            trimmed.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            trimmed.to_owned()
        };
        if let Some(first) = seen.get(&name) {
            return Err(Error::parse(
                line,
                Some(&name),
                format!(
                    "duplicate column name (header fields {} and {})",
                    first + 1,
                    k + 1
                ),
            ));
        }
        seen.insert(name.clone(), k);
        names.push(name);
    }
    Ok(names)
}

fn first_invalid_byte<R: Read>(rdr: &::csv::Reader<Source<R>>) -> Option<u64> {
    rdr.get_ref().rest.get_ref().utf8.first_invalid
}

/// What is needed to turn the parser's line counter into the line a record starts on.
struct LineCtx {
    bom: u64,
}

impl LineCtx {
    /// The 1-based line the record just read starts on.
    ///
    /// The parser's counter is the number of `\n` consumed so far, plus one: after a
    /// record it stands past the record's terminator, unless the record was ended by the
    /// end of the input. (Its own record positions are not used: they point before any
    /// skipped blank line, and before the `\n` of a CRLF.)
    fn start_line<R: Read>(&self, rdr: &::csv::Reader<Source<R>>, rec: &::csv::ByteRecord) -> u64 {
        let pos = rdr.position();
        let newlines = memchr::memchr_iter(b'\n', rec.as_slice()).count();
        let terminated = !self.consumed_all(rdr) || rdr.get_ref().quotes.at_line_start();
        pos.line()
            .saturating_sub(newlines as u64)
            .saturating_sub(u64::from(terminated))
            .max(1)
    }

    /// Whether the parser has consumed the whole input.
    fn consumed_all<R: Read>(&self, rdr: &::csv::Reader<Source<R>>) -> bool {
        let tracker = rdr.get_ref().rest.get_ref();
        tracker.eof && rdr.position().byte() + self.bom >= tracker.total
    }

    /// Once the whole input is consumed, an error if it ended inside a quoted field
    /// (which then swallowed everything after its opening quote).
    fn check_unclosed_quote<R: Read>(&self, rdr: &::csv::Reader<Source<R>>) -> Result<()> {
        let quotes = &rdr.get_ref().quotes;
        match quotes.open_quote_line() {
            Some(line) if self.consumed_all(rdr) => Err(Error::parse(
                line,
                None,
                "this quote is never closed: the field runs to the end of the file",
            )),
            _ => Ok(()),
        }
    }
}

/// What the first line(s) of the input told us.
struct Head {
    /// The bytes read so far (without a BOM), fed to the parser first.
    prefix: Vec<u8>,
    /// Length of the stripped BOM (0 or 3).
    bom_len: u64,
    /// The delimiter sniffed from the header line.
    sniffed: u8,
    /// Lines end with a bare `\r` (classic Mac): they are turned into `\n`.
    cr_only: bool,
}

/// Reads up to the end of the first non-blank line (outside quotes), strips a BOM,
/// detects the line ending and sniffs the delimiter.
fn scan_head<R: BufRead>(r: &mut R) -> std::io::Result<Head> {
    let mut prefix = Vec::new();
    let mut line_start = 0usize;
    let mut in_quotes = false;
    let mut cr_only = false;
    let mut saw_line_end = false;
    while let Some(b) = next_byte(r)? {
        prefix.push(b);
        let ends_line = match b {
            b'"' => {
                in_quotes = !in_quotes;
                false
            }
            b'\n' if !in_quotes => {
                saw_line_end = true;
                true
            }
            b'\r' if !in_quotes => {
                if peek_byte(r)? == Some(b'\n') {
                    r.consume(1);
                    prefix.push(b'\n');
                } else if !saw_line_end {
                    cr_only = true;
                }
                saw_line_end = true;
                true
            }
            _ => false,
        };
        if ends_line {
            let line = prefix.get(line_start..).unwrap_or_default();
            if strip_bom(line).trim_ascii().is_empty() {
                line_start = prefix.len();
            } else {
                break;
            }
        }
    }
    let header = strip_bom(prefix.get(line_start..).unwrap_or_default());
    let sniffed = sniff_delimiter(header);
    let bom_len = if prefix.starts_with(BOM) {
        prefix.drain(..BOM.len());
        BOM.len() as u64
    } else {
        0
    };
    Ok(Head {
        prefix,
        bom_len,
        sniffed,
        cr_only,
    })
}

/// Whether a CSV input starting with `head` has lines ending in a bare `\r` (classic
/// Mac), which the parser reads as `\n` (the same test as the parser's).
pub(crate) fn cr_only_lines(head: &[u8]) -> bool {
    scan_head(&mut &head[..]).is_ok_and(|h| h.cr_only)
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(BOM).unwrap_or(b)
}

fn next_byte<R: BufRead>(r: &mut R) -> std::io::Result<Option<u8>> {
    let b = peek_byte(r)?;
    if b.is_some() {
        r.consume(1);
    }
    Ok(b)
}

fn peek_byte<R: BufRead>(r: &mut R) -> std::io::Result<Option<u8>> {
    loop {
        match r.fill_buf() {
            Ok(buf) => return Ok(buf.first().copied()),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// The most frequent of `,`, `;` and tab outside quotes (`,` on a tie or when none).
pub(crate) fn sniff_delimiter(line: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &b in line {
        match b {
            b'"' => in_quotes = !in_quotes,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let mut best = (b',', counts[0]);
    for (d, n) in [(b';', counts[1]), (b'\t', counts[2])] {
        if n > best.1 {
            best = (d, n);
        }
    }
    best.0
}

/// The parser's input: the already scanned head, then the rest of the input, with bare
/// `\r` line endings turned into `\n` when the file uses them.
struct Source<R> {
    prefix: Vec<u8>,
    pos: usize,
    rest: BufReader<Tracker<R>>,
    cr_to_lf: bool,
    quotes: QuoteScan,
}

impl<R: Read> Read for Source<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = match self.prefix.get(self.pos..) {
            Some(left) if !left.is_empty() => {
                let n = left.len().min(buf.len());
                buf[..n].copy_from_slice(&left[..n]);
                self.pos += n;
                n
            }
            _ => self.rest.read(buf)?,
        };
        let n = n.min(buf.len());
        let data = &mut buf[..n];
        if self.cr_to_lf {
            for b in data.iter_mut() {
                if *b == b'\r' {
                    *b = b'\n';
                }
            }
        }
        self.quotes.feed(data);
        Ok(n)
    }
}

/// Finds the records of a CSV input read in large chunks, by the rules of the `csv`
/// crate's reader with its default terminator (a quote opens a quoted field only at a
/// field's start, `""` inside quotes is a quote, `\n`, `\r\n` or a lone `\r` ends a
/// record, empty lines are skipped), without splitting fields: runs of plain bytes
/// are skipped with memchr. Mass training's index pass uses it to find each row's
/// bytes and tenant at a fraction of a full parse's cost.
pub(crate) struct RecordScanner<R> {
    src: R,
    buf: Vec<u8>,
    /// Next unread byte of `buf`, and the end of its valid bytes.
    pos: usize,
    len: usize,
    /// Offset in the input of `buf[0]`.
    base: u64,
    eof: bool,
    delimiter: u8,
    /// 1-based line of `buf[pos]`.
    line: u64,
    /// Lines end in a bare `\r` (see [`cr_only_lines`]): every `\r` counts as a line
    /// end, as the parser reads it.
    cr_only: bool,
}

/// One record found by [`RecordScanner`]: input bytes `start..end` (with any empty
/// lines before it and its terminator), the line of `start`, and where its content
/// (without the terminator) lies in the scanner's buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawRecord {
    pub start: u64,
    pub end: u64,
    pub line: u64,
    lo: usize,
    hi: usize,
}

impl<R: Read> RecordScanner<R> {
    /// A scanner of `src`; `cr_only` as [`cr_only_lines`] says of the input, for the
    /// line numbers.
    pub(crate) fn new(src: R, delimiter: u8, cr_only: bool) -> Self {
        RecordScanner {
            cr_only,
            src,
            buf: vec![0; 1 << 22],
            pos: 0,
            len: 0,
            base: 0,
            eof: false,
            delimiter,
            line: 1,
        }
    }

    /// The next record, or `None` at the end of the input.
    pub(crate) fn next_record(&mut self) -> std::io::Result<Option<RawRecord>> {
        let start = self.base + self.pos as u64;
        let line = self.line;
        loop {
            let data = &self.buf[self.pos..self.len];
            let Some((content, term)) = record_end(data, self.delimiter, self.eof) else {
                // Keep the bytes from `start` on, read more.
                let keep = (start - self.base) as usize;
                self.buf.copy_within(keep..self.len, 0);
                self.len -= keep;
                self.pos -= keep;
                self.base += keep as u64;
                if self.len == self.buf.len() {
                    self.buf.resize(self.buf.len() * 2, 0);
                }
                let n = self.src.read(&mut self.buf[self.len..])?;
                if n == 0 {
                    self.eof = true;
                }
                self.len += n;
                continue;
            };
            let (lo, hi) = (self.pos, self.pos + content);
            let next = hi + term;
            if next == lo {
                return Ok(None); // the end of the input
            }
            self.line += count_lines(&self.buf[lo..next], self.cr_only);
            self.pos = next;
            if hi == lo {
                // An empty line: skipped, its bytes go with the next record.
                continue;
            }
            return Ok(Some(RawRecord {
                start,
                end: self.base + next as u64,
                line,
                lo,
                hi,
            }));
        }
    }

    /// The content of the record last returned.
    pub(crate) fn content(&self, r: &RawRecord) -> &[u8] {
        &self.buf[r.lo..r.hi]
    }

    /// The bytes of the record last returned as they are in the input: any empty
    /// lines before it, its content and its terminator.
    pub(crate) fn raw(&self, r: &RawRecord) -> &[u8] {
        let lo = usize::try_from(r.start.saturating_sub(self.base)).unwrap_or(usize::MAX);
        let hi = usize::try_from(r.end.saturating_sub(self.base)).unwrap_or(0);
        self.buf.get(lo..hi).unwrap_or_default()
    }
}

/// Line ends in `bytes`, as the parser counts them (`cr_only`: every `\r` too).
fn count_lines(bytes: &[u8], cr_only: bool) -> u64 {
    let n = memchr::memchr_iter(b'\n', bytes).count();
    let r = if cr_only {
        memchr::memchr_iter(b'\r', bytes).count()
    } else {
        0
    };
    (n + r) as u64
}

/// Where the record starting at `data[0]` ends: the length of its content and of its
/// terminator; `None` when more input is needed to tell. At the end of the input the
/// rest is one record (an unclosed quote runs to the end, as in the parser).
fn record_end(data: &[u8], delimiter: u8, eof: bool) -> Option<(usize, usize)> {
    let mut p = 0;
    loop {
        let Some(q) = memchr::memchr3(b'"', b'\n', b'\r', &data[p..]) else {
            return eof.then_some((data.len(), 0));
        };
        let at = p + q;
        match data[at] {
            b'\n' => return Some((at, 1)),
            b'\r' => {
                return match data.get(at + 1) {
                    Some(b'\n') => Some((at, 2)),
                    Some(_) => Some((at, 1)),
                    None => eof.then_some((at, 1)),
                }
            }
            _ if at == 0 || data[at - 1] == delimiter => {
                // An opening quote: skip to the closing one (`""` is an escaped quote).
                let mut r = at + 1;
                loop {
                    let Some(c) = memchr::memchr(b'"', &data[r..]) else {
                        return eof.then_some((data.len(), 0));
                    };
                    let c = r + c;
                    match data.get(c + 1) {
                        Some(b'"') => r = c + 2,
                        Some(_) => {
                            p = c + 1;
                            break;
                        }
                        None => return eof.then_some((data.len(), 0)),
                    }
                }
            }
            // A quote inside an unquoted field is a plain byte.
            _ => p = at + 1,
        }
    }
}

/// Whether every field of a record's content is ASCII white space, and its field
/// `col` (`None` when it has fewer fields), without allocating for a record without
/// quotes.
pub(crate) fn record_key(
    content: &[u8],
    delimiter: u8,
    col: Option<usize>,
) -> (bool, Option<std::borrow::Cow<'_, [u8]>>) {
    use std::borrow::Cow;
    if memchr::memchr(b'"', content).is_none() {
        let blank = content
            .iter()
            .all(|&b| b == delimiter || b.is_ascii_whitespace());
        let field = col.and_then(|c| content.split(|&b| b == delimiter).nth(c));
        return (blank, field.map(Cow::Borrowed));
    }
    let fields = record_fields(content, delimiter);
    let blank = fields.iter().all(|f| f.iter().all(u8::is_ascii_whitespace));
    let field = col.and_then(|c| fields.into_iter().nth(c));
    (blank, field)
}

/// The fields of one record's content: split at the delimiter when it has no quote,
/// else parsed by the `csv` crate.
pub(crate) fn record_fields(content: &[u8], delimiter: u8) -> Vec<std::borrow::Cow<'_, [u8]>> {
    use std::borrow::Cow;
    if memchr::memchr(b'"', content).is_none() {
        return content
            .split(|&b| b == delimiter)
            .map(Cow::Borrowed)
            .collect();
    }
    let mut rdr = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(content);
    let mut rec = ::csv::ByteRecord::new();
    match rdr.read_byte_record(&mut rec) {
        Ok(true) => rec.iter().map(|f| Cow::Owned(f.to_vec())).collect(),
        _ => vec![Cow::Borrowed(content)],
    }
}

/// Follows the parser's quoting rules (RFC 4180, leniently: a quote inside an unquoted
/// field is literal, text after a closing quote is kept) over the bytes handed to it,
/// to know whether the input ended inside a quoted field or right after a line end.
struct QuoteScan {
    delimiter: u8,
    state: QuoteState,
    /// 1-based line of the next byte.
    line: u64,
    /// Line of the quote that opened the current quoted field.
    open_line: u64,
    last: Option<u8>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

impl QuoteScan {
    fn new(delimiter: u8) -> Self {
        QuoteScan {
            delimiter,
            state: QuoteState::FieldStart,
            line: 1,
            open_line: 0,
            last: None,
        }
    }

    fn feed(&mut self, data: &[u8]) {
        // Only quotes change the state in a way that depends on more than the last
        // byte, so the bytes between quotes are skipped in bulk (memchr) and the state
        // machine runs on the quotes alone.
        let mut rest = data;
        while !rest.is_empty() {
            let q = memchr::memchr(b'"', rest).unwrap_or(rest.len());
            let (run, tail) = rest.split_at(q);
            self.skip_run(run);
            if let Some((&b, after)) = tail.split_first() {
                self.step(b);
                rest = after;
            } else {
                rest = tail;
            }
        }
        if let Some(&b) = data.last() {
            self.last = Some(b);
        }
    }

    /// Bytes without a quote: inside a quoted field they change nothing but the line;
    /// elsewhere the state after them is decided by their first and last bytes.
    fn skip_run(&mut self, run: &[u8]) {
        let (Some(&first), Some(&last)) = (run.first(), run.last()) else {
            return;
        };
        self.line += memchr::memchr_iter(b'\n', run).count() as u64;
        if self.state == QuoteState::Quoted {
            return;
        }
        // Any state other than Quoted steps on a non-quote byte to FieldStart (line
        // end, delimiter) or Unquoted; after that only the last byte matters.
        self.state = self.after_plain(first);
        if run.len() > 1 {
            self.state = self.after_plain(last);
        }
    }

    /// The state after a byte that is not a quote, from any state but Quoted.
    fn after_plain(&self, b: u8) -> QuoteState {
        if b == b'\n' || b == self.delimiter {
            QuoteState::FieldStart
        } else {
            QuoteState::Unquoted
        }
    }

    /// One quote byte (`b` is always `"` here, but the full rule is kept in one place).
    fn step(&mut self, b: u8) {
        use QuoteState::*;
        self.state = match (self.state, b) {
            (Quoted, b'"') => QuoteInQuoted,
            (Quoted, _) => Quoted,
            (FieldStart, b'"') => {
                self.open_line = self.line;
                Quoted
            }
            (QuoteInQuoted, b'"') => Quoted,
            (_, b'\n') => FieldStart,
            (_, d) if d == self.delimiter => FieldStart,
            _ => Unquoted,
        };
        if b == b'\n' {
            self.line += 1;
        }
    }

    /// The line of the opening quote when the bytes so far end inside a quoted field.
    fn open_quote_line(&self) -> Option<u64> {
        (self.state == QuoteState::Quoted).then_some(self.open_line)
    }

    /// Whether the bytes so far end with a line end outside quotes.
    fn at_line_start(&self) -> bool {
        self.state == QuoteState::FieldStart && self.last == Some(b'\n')
    }
}

/// Watches the raw bytes go by: how many, whether the end was reached, and the offset
/// of the first invalid UTF-8 sequence.
struct Tracker<R> {
    inner: R,
    total: u64,
    eof: bool,
    utf8: Utf8Scan,
}

impl<R> Tracker<R> {
    fn new(inner: R) -> Self {
        Tracker {
            inner,
            total: 0,
            eof: false,
            utf8: Utf8Scan::default(),
        }
    }
}

impl<R: Read> Read for Tracker<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        match buf.get(..n) {
            Some(data) if n > 0 => {
                self.utf8.feed(data);
                self.total += n as u64;
            }
            _ => {
                if !buf.is_empty() {
                    self.eof = true;
                    self.utf8.finish();
                }
            }
        }
        Ok(n)
    }
}

/// Incremental UTF-8 validation across read boundaries; remembers the absolute offset
/// of the first invalid sequence.
#[derive(Default)]
struct Utf8Scan {
    /// Offset of the next byte to be fed.
    offset: u64,
    /// An incomplete sequence left at the end of the last chunk.
    pending: [u8; 4],
    n_pending: usize,
    first_invalid: Option<u64>,
}

impl Utf8Scan {
    fn feed(&mut self, mut data: &[u8]) {
        if self.first_invalid.is_some() {
            self.offset += data.len() as u64;
            return;
        }
        // Complete (or refute) a sequence split over the previous chunk boundary.
        while self.n_pending > 0 {
            let Some((&b, tail)) = data.split_first() else {
                return;
            };
            let start = self.offset - self.n_pending as u64;
            if let Some(slot) = self.pending.get_mut(self.n_pending) {
                *slot = b;
            }
            self.n_pending += 1;
            data = tail;
            self.offset += 1;
            match std::str::from_utf8(&self.pending[..self.n_pending.min(4)]) {
                Ok(_) => self.n_pending = 0,
                Err(e) if e.error_len().is_some() || self.n_pending >= 4 => {
                    self.first_invalid = Some(start);
                    self.offset += data.len() as u64;
                    return;
                }
                Err(_) => {}
            }
        }
        match std::str::from_utf8(data) {
            Ok(_) => self.offset += data.len() as u64,
            Err(e) => {
                let bad = self.offset + e.valid_up_to() as u64;
                if e.error_len().is_some() {
                    self.first_invalid = Some(bad);
                } else {
                    // An incomplete sequence (at most 3 bytes) ends the chunk.
                    let tail = data.get(e.valid_up_to()..).unwrap_or_default();
                    let n = tail.len().min(3);
                    self.pending[..n].copy_from_slice(&tail[..n]);
                    self.n_pending = n;
                }
                self.offset += data.len() as u64;
            }
        }
    }

    fn finish(&mut self) {
        if self.n_pending > 0 && self.first_invalid.is_none() {
            self.first_invalid = Some(self.offset - self.n_pending as u64);
        }
        self.n_pending = 0;
    }
}

#[cfg(test)]
mod tests;
