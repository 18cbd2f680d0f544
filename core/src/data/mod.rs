//! Data in: typed columnar tables ([`Table`]), raw records for scoring ([`Record`]),
//! column kinds ([`Schema`]), the target ([`Target`]), and the CSV and JSON Lines readers.

pub mod chunks;
mod column;
pub mod csv;
pub mod json;
mod record;
mod schema;
mod shares;
mod table;
mod target;
mod value;

pub use self::csv::{read_csv_bytes, read_csv_path, read_csv_reader, write_csv, CsvOptions};
pub use self::json::{read_jsonl_bytes, read_jsonl_path, read_jsonl_reader, JsonOptions};
pub use chunks::{TableChunks, MAX_CHUNK_ROWS};
pub use column::{Column, StrColumn, MISSING_CODE};
pub use record::{Record, Slots};
pub use schema::{Field, Kind, Schema};
pub use table::Table;
pub use target::{Target, TargetSpec};
pub use value::{format_num, parse_bool, parse_num, Value};

/// Whether a path names a JSON Lines file (`.jsonl` or `.ndjson`, any case); every
/// other data file is read as CSV.
pub fn is_jsonl(path: &std::path::Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"))
}

/// Reads a data file: JSON Lines when [`is_jsonl`] says so, else CSV (any of `,`
/// `;` tab). The one file-type rule of the CLI and every binding.
pub fn read_path(
    path: &std::path::Path,
    csv: &CsvOptions,
    json: &JsonOptions,
) -> crate::error::Result<Table> {
    if is_jsonl(path) {
        read_jsonl_path(path, json)
    } else {
        read_csv_path(path, csv)
    }
}
