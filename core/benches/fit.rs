//! Fitting benchmarks: `fit_logistic` with the default `SolverConfig` on seeded
//! synthetic data (dense standardised n x 50 for two sizes, and a sparse
//! one-hot-style matrix like a CRM export's).
//!
//! `cargo bench -p leadscore --bench fit`; `bench/fit_vs_sklearn.py` compares with
//! scikit-learn on the same matrices.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use leadscore::rng::Rng;
use leadscore::train::{fit_logistic, SolverConfig};
use leadscore::Features;

/// A label drawn from a logistic model with margin `z` and intercept -0.5.
fn label(rng: &mut Rng, z: f64) -> f64 {
    f64::from(u8::from(rng.bernoulli(1.0 / (1.0 + (-(z - 0.5)).exp()))))
}

/// `n x d` standard normals (already standardised in expectation).
fn dense(n: usize, d: usize, seed: u64) -> (Features, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let beta: Vec<f64> = (0..d).map(|_| 0.5 * rng.normal()).collect();
    let mut data = Vec::with_capacity(n * d);
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let start = data.len();
        data.extend((0..d).map(|_| rng.normal()));
        let z: f64 = data[start..].iter().zip(&beta).map(|(x, b)| x * b).sum();
        y.push(label(&mut rng, z));
    }
    (Features::from_dense(d, &data), y)
}

/// A one-hot-style matrix: 5 dense numeric columns, then 10 categorical fields of 8
/// levels each stored as single 1.0 entries: 85 columns, 15 entries per row.
fn one_hot(n: usize, seed: u64) -> (Features, Vec<f64>) {
    const NUMERIC: usize = 5;
    const FIELDS: usize = 10;
    const LEVELS: usize = 8;
    let mut rng = Rng::new(seed);
    let cols = NUMERIC + FIELDS * LEVELS;
    let beta: Vec<f64> = (0..cols).map(|_| 0.5 * rng.normal()).collect();
    let mut x = Features::with_capacity(cols, n, n * (NUMERIC + FIELDS));
    let mut y = Vec::with_capacity(n);
    for _ in 0..n {
        let mut z = 0.0;
        for (j, b) in beta.iter().enumerate().take(NUMERIC) {
            let v = rng.normal();
            z += v * b;
            x.push(j as u32, v);
        }
        for f in 0..FIELDS {
            // Skewed levels, as real categories are.
            let level = (rng.below(LEVELS as u64) * rng.below(LEVELS as u64)) as usize / LEVELS;
            let j = NUMERIC + f * LEVELS + level;
            z += beta[j];
            x.push(j as u32, 1.0);
        }
        x.end_row();
        y.push(label(&mut rng, z));
    }
    (x, y)
}

fn bench_fit(c: &mut Criterion) {
    let cfg = SolverConfig::default();
    let mut group = c.benchmark_group("fit");
    group.sample_size(20);
    for n in [2_000usize, 20_000] {
        let (x, y) = dense(n, 50, n as u64);
        group.bench_with_input(BenchmarkId::new("dense_x50", n), &n, |b, _| {
            b.iter(|| fit_logistic(black_box(&x), black_box(&y), None, &cfg))
        });
    }
    let n = 20_000;
    let (x, y) = one_hot(n, 7);
    group.bench_with_input(BenchmarkId::new("one_hot_x85", n), &n, |b, _| {
        b.iter(|| fit_logistic(black_box(&x), black_box(&y), None, &cfg))
    });
    group.finish();
}

criterion_group!(benches, bench_fit);
criterion_main!(benches);
