//! Scoring speed: one raw record (the per-lead path the bindings take) and a batch
//! (the table fast path), on a model trained on demo leads.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use leadscore::{synth, Record, TargetSpec, TrainConfig, Trainer};
use std::hint::black_box;

fn bench(c: &mut Criterion) {
    let t = synth::tenant_with_rows(11, 0, 20_000);
    let cfg = TrainConfig {
        cv_folds: 0,
        ..TrainConfig::default()
    };
    let model = Trainer::new(cfg)
        .unwrap()
        .fit(&t.table, &TargetSpec::new(synth::TARGET))
        .unwrap();
    let record: Record = t.table.record(17);

    let mut g = c.benchmark_group("score_one");
    g.bench_function("score", |b| {
        b.iter(|| model.score(black_box(&record)).unwrap())
    });
    g.bench_function("explain_k3", |b| {
        b.iter(|| model.explain(black_box(&record), 3).unwrap())
    });
    // What the bindings do per lead: refill a record laid out for the model (the
    // C record, PHP's and Node's scratch record), then score it by slot.
    let fields: Vec<(String, leadscore::Value)> = record
        .iter()
        .map(|(k, v)| (k.to_owned(), v.clone()))
        .collect();
    let mut laid = model.record();
    g.bench_function("fill_laid_out_and_score", |b| {
        b.iter(|| {
            laid.clear();
            for (k, v) in &fields {
                match v {
                    leadscore::Value::Str(s) => laid.set_str(k, s),
                    v => laid.set_value(k, v.clone()),
                }
            }
            model.score(black_box(&laid)).unwrap()
        })
    });
    g.finish();

    let mut g = c.benchmark_group("score_batch");
    for n in [1_000usize, 20_000] {
        let rows: Vec<usize> = (0..n).map(|i| i % t.table.n_rows()).collect();
        let table = t.table.take(&rows);
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::new("score_batch", n), &table, |b, table| {
            b.iter(|| model.score_batch(black_box(table)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
