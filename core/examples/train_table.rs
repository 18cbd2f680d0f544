//! Trains one model on a CSV file with cross-validation off and no rebalancing (what
//! `bench/python_vs_sklearn.py` times through `leadscore.train`) and prints the median
//! wall time of the training call, the CSV read excluded.
//!
//! Usage: `train_table FILE TARGET [REPEATS]` (REPEATS defaults to 21).

use std::time::Instant;

use leadscore::data::csv::{read_csv_path, CsvOptions};
use leadscore::{Balance, TargetSpec, TrainConfig, Trainer};

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let (Some(path), Some(target)) = (args.get(1), args.get(2)) else {
        return Err("usage: train_table FILE TARGET [REPEATS]".into());
    };
    let repeats: usize = match args.get(3) {
        Some(r) => r.parse().map_err(|_| format!("bad REPEATS {r:?}"))?,
        None => 21,
    };
    let table = read_csv_path(path, &CsvOptions::default()).map_err(|e| e.to_string())?;
    let config = TrainConfig {
        cv_folds: 0,
        balance: Balance::None,
        ..TrainConfig::default()
    };
    let trainer = Trainer::new(config).map_err(|e| e.to_string())?;
    let spec = TargetSpec::new(target);
    let mut times = Vec::with_capacity(repeats.max(1));
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        trainer.fit(&table, &spec).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{{\"median_seconds\":{:e},\"min_seconds\":{:e}}}",
        times[times.len() / 2],
        times[0]
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("train_table: {e}");
        std::process::exit(1);
    }
}
