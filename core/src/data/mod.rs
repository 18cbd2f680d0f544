//! Data in: typed columnar tables ([`Table`]), raw records for scoring ([`Record`]),
//! column kinds ([`Schema`]), the target ([`Target`]), and the CSV and JSON Lines readers.

mod column;
pub mod csv;
pub mod json;
mod record;
mod schema;
mod table;
mod target;
mod value;

pub use self::csv::{read_csv_bytes, read_csv_path, read_csv_reader, write_csv, CsvOptions};
pub use self::json::{read_jsonl_bytes, read_jsonl_path, read_jsonl_reader, JsonOptions};
pub use column::{Column, StrColumn, MISSING_CODE};
pub use record::{Record, Slots};
pub use schema::{Field, Kind, Schema};
pub use table::Table;
pub use target::{Target, TargetSpec};
pub use value::{format_num, parse_bool, parse_num, Value};
