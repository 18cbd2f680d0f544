//! 10,000 tenants' models in one store: memory, cold and warm scoring latency, and
//! warm scoring through the store against scoring a model held directly.
//!
//! `cargo run --release --example store_bench -p leadscore -- [TENANTS] [DIR]`
//! (defaults: 10000 tenants, a temporary folder). Prints medians and the ratio.

use leadscore::store::{Store, StoreConfig};
use leadscore::{synth, Record, TargetSpec, TrainConfig, Trainer};
use std::hint::black_box;
use std::time::Instant;

fn rss_bytes() -> u64 {
    // Resident set size from /proc (Linux); 0 elsewhere.
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
        .map_or(0, |pages| pages * 4096)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let tenants: usize = args.get(1).map_or(Ok(10_000), |s| s.parse())?;
    let tmp = tempfile_dir()?;
    let root = args.get(2).map_or(tmp.clone(), std::path::PathBuf::from);

    // Ten distinct models, written under every tenant (distinct files, as in a real
    // store where every tenant has its own).
    let models: Vec<leadscore::Model> = (0..10)
        .map(|i| {
            let t = synth::tenant_with_rows(3, i, 3000);
            let cfg = TrainConfig {
                cv_folds: 3,
                threads: 1,
                ..TrainConfig::default()
            };
            Trainer::new(cfg)?.fit(&t.table, &TargetSpec::new(synth::TARGET))
        })
        .collect::<Result<_, _>>()?;
    let bytes: Vec<Vec<u8>> = models
        .iter()
        .map(|m| m.to_bytes())
        .collect::<Result<_, _>>()?;
    let t0 = Instant::now();
    for t in 0..tenants {
        let dir = root.join(format!("t{t:05}"));
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("lead.lsm"), &bytes[t % 10])?;
    }
    eprintln!(
        "wrote {tenants} model files ({} bytes each on average) in {:.1} s",
        bytes.iter().map(Vec::len).sum::<usize>() / 10,
        t0.elapsed().as_secs_f64()
    );

    let lead = Record::new()
        .with("source", "web")
        .with("city", "Kazan")
        .with("weekday", "Tue")
        .with("lifetime_days", 14)
        .with("calls", 3)
        .with("emails", 2)
        .with("chats", 1)
        .with("meetings", 0)
        .with("tasks", 2)
        .with("deal_amount", 120_000)
        .with("has_phone", "yes")
        .with("has_email", "no")
        .with("comment", "перезвонить по договору");
    let config = StoreConfig {
        cache_bytes: 4 << 30,
        drift_flush_interval: None,
        ..StoreConfig::default()
    };
    let store = Store::open(&root, config)?;
    let names: Vec<String> = (0..tenants).map(|t| format!("t{t:05}")).collect();

    let rss0 = rss_bytes();
    let mut cold = Vec::with_capacity(tenants);
    for n in &names {
        let t = Instant::now();
        black_box(store.score(n, "lead", &lead)?);
        cold.push(t.elapsed().as_secs_f64());
    }
    let rss1 = rss_bytes();
    let stats = store.stats();

    let rounds = 5;
    let mut warm = Vec::with_capacity(tenants * rounds);
    for _ in 0..rounds {
        for n in &names {
            let t = Instant::now();
            black_box(store.score(n, "lead", &lead)?);
            warm.push(t.elapsed().as_secs_f64());
        }
    }
    // The same 10,000 models, held directly, scored in the same order.
    let held: Vec<_> = names
        .iter()
        .map(|n| store.get(n, "lead").map(|r| r.model))
        .collect::<Result<_, _>>()?;
    let mut direct = Vec::with_capacity(tenants * rounds);
    for _ in 0..rounds {
        for m in &held {
            let t = Instant::now();
            black_box(m.score(&lead)?);
            direct.push(t.elapsed().as_secs_f64());
        }
    }
    // One hot tenant, again and again: the store's bare overhead.
    let (mut hot_store, mut hot_direct) = (Vec::new(), Vec::new());
    for _ in 0..20_000 {
        let t = Instant::now();
        black_box(store.score(&names[0], "lead", &lead)?);
        hot_store.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        black_box(held[0].score(&lead)?);
        hot_direct.push(t.elapsed().as_secs_f64());
    }
    let (c, w, d) = (median(cold), median(warm), median(direct));
    let (hs, hd) = (median(hot_store), median(hot_direct));
    println!("tenants                      {tenants}");
    println!(
        "cached models                {} ({} bytes counted by the cache, {:.1} KB each)",
        stats.cached_models,
        stats.cached_bytes,
        stats.cached_bytes as f64 / stats.cached_models.max(1) as f64 / 1024.0
    );
    println!(
        "resident memory growth       {:.1} MB for all models",
        (rss1.saturating_sub(rss0)) as f64 / 1e6
    );
    println!("cold score (load + score)    median {:.1} us", c * 1e6);
    println!("warm score through the store median {:.3} us", w * 1e6);
    println!("score on a held model        median {:.3} us", d * 1e6);
    println!(
        "store / direct               {:.2}x (all tenants in turn)",
        w / d
    );
    println!(
        "one hot tenant               store {:.3} us, direct {:.3} us, {:.2}x",
        hs * 1e6,
        hd * 1e6,
        hs / hd
    );
    if args.get(2).is_none() {
        let _ = std::fs::remove_dir_all(&tmp);
    }
    Ok(())
}

fn tempfile_dir() -> std::io::Result<std::path::PathBuf> {
    let p = std::env::temp_dir().join(format!("leadscore-store-bench-{}", std::process::id()));
    std::fs::create_dir_all(&p)?;
    Ok(p)
}
