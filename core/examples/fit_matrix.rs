//! Fits one design matrix read from a binary file and prints a JSON line; the driver
//! of `bench/fit_vs_sklearn.py`, which writes the file and runs scikit-learn on the
//! same matrix.
//!
//! Usage: `fit_matrix FILE [REPEATS] [TOL] [--sparse] [--c C] [--l1-ratio R]`
//! (REPEATS defaults to 5, TOL, C and the L1 share to the default `SolverConfig`'s;
//! `--l1-ratio 1` is the L1 penalty, used by `bench/l1_vs_liblinear.py`).
//!
//! File format (all little-endian):
//!
//! ```text
//! u64 rows, u64 cols
//! rows * cols f64: the design matrix, row-major
//! rows f64: the labels y (0.0 or 1.0)
//! ```
//!
//! The matrix goes to the solver as it is in the file, every cell stored (a full
//! matrix, as scikit-learn receives a dense array); with `--sparse` its exact zeros are
//! left out (one-hot columns become sparse rows), as from a caller holding a CSR
//! matrix.
//!
//! Output: one JSON line
//! `{"median_seconds":..,"min_seconds":..,"seconds":[..],"coef":[..],"intercept":..,"iterations":..,"converged":..}`
//! (`seconds`: every fit's time, in order);
//! only `fit_logistic` itself is timed, with the default `SolverConfig`.

use std::time::Instant;

use leadscore::train::solver::{fit_logistic, SolverConfig};
use leadscore::Features;

fn read_u64(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn read_f64(b: &[u8], at: usize) -> Option<f64> {
    Some(f64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

fn run() -> Result<(), String> {
    let mut args: Vec<String> = std::env::args().collect();
    let sparse = args.iter().any(|a| a == "--sparse");
    args.retain(|a| a != "--sparse");
    let mut cfg = SolverConfig::default();
    for (flag, field) in [("--c", 0), ("--l1-ratio", 1)] {
        if let Some(at) = args.iter().position(|a| a == flag) {
            let v = args.get(at + 1).ok_or(format!("{flag} needs a value"))?;
            let v: f64 = v.parse().map_err(|_| format!("bad {flag} {v:?}"))?;
            if field == 0 {
                cfg.c = v;
            } else {
                cfg.l1_ratio = v;
            }
            args.drain(at..at + 2);
        }
    }
    let path = args
        .get(1)
        .ok_or("usage: fit_matrix FILE [REPEATS] [TOL] [--sparse] [--c C] [--l1-ratio R]")?
        .clone();
    let repeats: usize = match args.get(2) {
        Some(r) => r.parse().map_err(|_| format!("bad REPEATS {r:?}"))?,
        None => 5,
    };
    let bytes = std::fs::read(&path).map_err(|e| format!("{path}: {e}"))?;
    let rows = read_u64(&bytes, 0).ok_or("file too short")? as usize;
    let cols = read_u64(&bytes, 8).ok_or("file too short")? as usize;
    let expect = rows
        .checked_mul(cols)
        .and_then(|v| v.checked_add(rows))
        .and_then(|v| v.checked_mul(8))
        .and_then(|v| v.checked_add(16))
        .ok_or("header sizes overflow")?;
    if bytes.len() != expect {
        return Err(format!(
            "{path}: {} bytes, expected {expect} for {rows} x {cols}",
            bytes.len()
        ));
    }
    let cells: Vec<f64> = (0..rows * cols)
        .map(|k| read_f64(&bytes, 16 + 8 * k).ok_or("truncated"))
        .collect::<Result<_, _>>()?;
    let at = 16 + 8 * rows * cols;
    let x = if sparse {
        let mut x = Features::with_capacity(cols, rows, rows * cols);
        for row in cells.chunks_exact(cols.max(1)).take(rows) {
            for (j, &v) in row.iter().enumerate() {
                if v != 0.0 {
                    x.push(j as u32, v);
                }
            }
            x.end_row();
        }
        x
    } else {
        Features::from_dense(cols, &cells)
    };
    let y: Vec<f64> = (0..rows)
        .map(|i| read_f64(&bytes, at + 8 * i).ok_or("truncated"))
        .collect::<Result<_, _>>()?;
    if let Some(t) = args.get(3) {
        cfg.tol = t.parse().map_err(|_| format!("bad TOL {t:?}"))?;
    }
    let mut times = Vec::with_capacity(repeats.max(1));
    let mut last = None;
    for _ in 0..repeats.max(1) {
        let t = Instant::now();
        let sol = fit_logistic(&x, &y, None, &cfg).map_err(|e| e.to_string())?;
        times.push(t.elapsed().as_secs_f64());
        last = Some(sol);
    }
    let sol = last.ok_or("no fit")?;
    let each: Vec<String> = times.iter().map(|t| format!("{t:e}")).collect();
    times.sort_by(f64::total_cmp);
    let m = times.len();
    let median = if m % 2 == 1 {
        times[m / 2]
    } else {
        0.5 * (times[m / 2 - 1] + times[m / 2])
    };
    let coef: Vec<String> = sol.coef.iter().map(|c| format!("{c:e}")).collect();
    println!(
        "{{\"median_seconds\":{median:e},\"min_seconds\":{:e},\"seconds\":[{}],\"coef\":[{}],\"intercept\":{:e},\"iterations\":{},\"converged\":{},\"nonzero\":{}}}",
        times[0],
        each.join(","),
        coef.join(","),
        sol.intercept,
        sol.iterations,
        sol.converged,
        sol.coef.iter().filter(|&&c| c != 0.0).count()
    );
    Ok(())
}

fn main() {
    if let Err(e) = run() {
        eprintln!("fit_matrix: {e}");
        std::process::exit(1);
    }
}
