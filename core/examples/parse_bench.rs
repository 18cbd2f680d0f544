//! Reading one data file into a typed table: the leadscore side of
//! `bench/parse_vs_pandas_polars.py`.
//!
//! `cargo run --release --example parse_bench -p leadscore -- FILE [REPEATS]`
//!
//! Reads FILE (CSV, or JSON Lines for `.jsonl`/`.ndjson`) with the default options
//! REPEATS times (default 5) and prints one JSON line: every time in seconds, the
//! median, the rows and columns, and how many columns were read as numbers.

use leadscore::data::{read_path, CsvOptions, JsonOptions};
use leadscore::Column;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).ok_or("usage: parse_bench FILE [REPEATS]")?;
    let repeats: usize = args.get(2).map_or(Ok(5), |s| s.parse())?;
    if repeats == 0 || repeats > 1000 {
        return Err("REPEATS must be 1..=1000".into());
    }
    let (csv, json) = (CsvOptions::default(), JsonOptions::default());
    let mut times = Vec::with_capacity(repeats);
    let mut shape = (0, 0, 0);
    for _ in 0..repeats {
        let t = Instant::now();
        let table = read_path(std::path::Path::new(path), &csv, &json)?;
        times.push(t.elapsed().as_secs_f64());
        let numeric = table
            .columns()
            .iter()
            .filter(|c| matches!(c, Column::Num(_)))
            .count();
        shape = (table.n_rows(), table.n_cols(), numeric);
        drop(table);
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    println!(
        "{{\"seconds\":{times:?},\"median\":{median},\"rows\":{},\"cols\":{},\"numeric_cols\":{}}}",
        shape.0, shape.1, shape.2
    );
    Ok(())
}
