//! Mass training with the data already in memory: the leadscore side of
//! `bench/mass_vs_sklearn.py`.
//!
//! `cargo run --release --example mass_bench -p leadscore -- EXPORT.csv [THREADS] [TOL] [REPEATS] [RECIPE] [C]`
//!
//! Reads a multi-tenant export (`leadscore demo-data`), splits each tenant's rows
//! (every fifth row is a test row, as the Python side does), then times only the
//! training loop: per tenant, fit on the training rows (upsample, no CV) and score the
//! test rows; tenants in parallel. The loop runs REPEATS times (default 1; TOL `-`
//! keeps the default tolerance); `train_seconds` is the median. RECIPE is a recipe
//! file (`-`: the auto recipe) and C a number or `auto` (the default). Prints one
//! JSON line.

use leadscore::data::csv::{read_csv_path, CsvOptions};
use leadscore::eval::roc_auc;
use leadscore::{synth, Column, Table, TargetSpec, TrainConfig, Trainer};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let path = args
        .get(1)
        .ok_or("usage: mass_bench EXPORT.csv [THREADS] [TOL] [REPEATS]")?;
    let threads: usize = args.get(2).map_or(Ok(2), |s| s.parse())?;

    let t = Instant::now();
    let mut table = read_csv_path(path, &CsvOptions::default())?;
    let parse_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let tenant_col = table
        .remove_column(synth::TENANT_COLUMN)
        .ok_or("no tenant column")?;
    let Column::Str(tc) = tenant_col else {
        return Err("tenant column is numeric".into());
    };
    let mut rows_of: Vec<Vec<usize>> = vec![Vec::new(); tc.levels.len()];
    for (i, &c) in tc.codes.iter().enumerate() {
        if let Some(v) = rows_of.get_mut(c as usize) {
            v.push(i);
        }
    }
    let target = TargetSpec::new(synth::TARGET);
    let work: Vec<(Table, Table)> = rows_of
        .iter()
        .filter(|r| !r.is_empty())
        .map(|rows| {
            let train: Vec<usize> = rows
                .iter()
                .enumerate()
                .filter(|(k, _)| k % 5 != 4)
                .map(|(_, &r)| r)
                .collect();
            let test: Vec<usize> = rows
                .iter()
                .enumerate()
                .filter(|(k, _)| k % 5 == 4)
                .map(|(_, &r)| r)
                .collect();
            (table.take(&train), table.take(&test))
        })
        .collect();
    drop(table);
    let split_seconds = t.elapsed().as_secs_f64();

    // A 2,000-row tenant keeps 1,600 training rows: min_rows is lowered to 1,000 so
    // every tenant trains (the scikit-learn side trains every tenant too).
    let recipe = match args.get(5).filter(|s| s.as_str() != "-") {
        Some(p) => Some(std::fs::read_to_string(p)?),
        None => None,
    };
    let c = match args.get(6).map(String::as_str) {
        None | Some("auto") => None,
        Some(c) => Some(c.parse()?),
    };
    let cfg = TrainConfig {
        cv_folds: 0,
        threads: 1,
        min_rows: 1000,
        tol: args
            .get(3)
            .filter(|s| s.as_str() != "-")
            .map(|s| s.parse())
            .transpose()?,
        recipe,
        c,
        ..TrainConfig::default()
    };
    let trainer = Trainer::new(cfg)?;
    let repeats: usize = args.get(4).map_or(Ok(1), |s| s.parse())?;
    let mut times = Vec::new();
    let mut aucs = Vec::new();
    let mut failed = 0;
    for _ in 0..repeats.max(1) {
        let (t, a, f) = train_loop(&work, &trainer, &target, threads);
        times.push(t);
        (aucs, failed) = (a, f);
    }
    times.sort_by(f64::total_cmp);
    let train_seconds = times[times.len() / 2];
    let rows: usize = work.iter().map(|(a, b)| a.n_rows() + b.n_rows()).sum();
    println!(
        "{{\"tenants\":{},\"rows\":{rows},\"threads\":{threads},\"parse_seconds\":{parse_seconds},\"split_seconds\":{split_seconds},\"train_seconds\":{train_seconds},\"train_seconds_all\":{times:?},\"mean_auc\":{},\"failed\":{failed}}}",
        work.len(),
        aucs.iter().sum::<f64>() / aucs.len().max(1) as f64,
    );
    Ok(())
}

/// One timed pass of the training loop over every tenant: (seconds, test AUCs,
/// failed tenants).
fn train_loop(
    work: &[(Table, Table)],
    trainer: &Trainer,
    target: &TargetSpec,
    threads: usize,
) -> (f64, Vec<f64>, usize) {
    let next = AtomicUsize::new(0);
    let aucs = Mutex::new(Vec::with_capacity(work.len()));
    let failed = AtomicUsize::new(0);
    let t = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((train, test)) = work.get(i) else {
                    break;
                };
                let result = (|| -> leadscore::Result<Option<f64>> {
                    let model = trainer.fit(train, target)?;
                    let p = model.score_batch(test)?;
                    let y = leadscore::Target::read(test, target)?.y;
                    Ok(roc_auc(&y, &p))
                })();
                match result {
                    Ok(Some(a)) => aucs.lock().expect("no panics while locked").push(a),
                    _ => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                }
            });
        }
    });
    let seconds = t.elapsed().as_secs_f64();
    let aucs = aucs.into_inner().unwrap_or_default();
    (seconds, aucs, failed.load(Ordering::Relaxed))
}
