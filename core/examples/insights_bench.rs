//! Insights of one data file: the leadscore side of `bench/insights_vs_pandas.py`,
//! timed without reading the file.
//!
//! `cargo run --release --example insights_bench -p leadscore -- FILE TARGET [REPEATS]`
//!
//! Reads FILE (CSV, or JSON Lines for `.jsonl`/`.ndjson`) once, then computes its
//! insights REPEATS times (default 5) and prints one JSON line: the read time, every
//! insights time in seconds, their median, the rows and columns, and how many
//! warnings were found. With `LS_INSIGHTS_TEXT=1` the text report goes to stderr.

use leadscore::data::{read_path, CsvOptions, JsonOptions};
use leadscore::insights::{insights, InsightsOptions};
use leadscore::TargetSpec;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: insights_bench FILE TARGET [REPEATS]";
    let path = args.get(1).ok_or(usage)?;
    let target = args.get(2).ok_or(usage)?;
    let repeats: usize = args.get(3).map_or(Ok(5), |s| s.parse())?;
    if repeats == 0 || repeats > 1000 {
        return Err("REPEATS must be 1..=1000".into());
    }
    let t = Instant::now();
    let table = read_path(
        std::path::Path::new(path),
        &CsvOptions::default(),
        &JsonOptions::default(),
    )?;
    let read = t.elapsed().as_secs_f64();
    let spec = TargetSpec::new(target.as_str());
    let opts = InsightsOptions::default();
    let mut times = Vec::with_capacity(repeats);
    let mut warnings = 0;
    for _ in 0..repeats {
        let t = Instant::now();
        let ins = insights(&table, &spec, &opts)?;
        times.push(t.elapsed().as_secs_f64());
        warnings = ins.warnings.len();
        if std::env::var_os("LS_INSIGHTS_TEXT").is_some() {
            eprintln!("{}", ins.to_text());
        }
    }
    let mut sorted = times.clone();
    sorted.sort_by(f64::total_cmp);
    let median = sorted[sorted.len() / 2];
    println!(
        "{{\"read_seconds\":{read},\"seconds\":{times:?},\"median\":{median},\"rows\":{},\"cols\":{},\"warnings\":{warnings}}}",
        table.n_rows(),
        table.n_cols()
    );
    Ok(())
}
