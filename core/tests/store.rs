//! The model store: fallback and its reasons, name validation, hot reload, the LRU
//! bound, concurrent readers during replacement, and crash safety of saves.

use leadscore::store::{FallbackReason, Source, Store, StoreConfig};
use leadscore::{synth, ErrorCode, Model, Record, TargetSpec, TrainConfig, Trainer};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

fn model(index: usize) -> Model {
    let t = synth::tenant_with_rows(5, index, 2500);
    let cfg = TrainConfig {
        cv_folds: 0,
        ..TrainConfig::default()
    };
    Trainer::new(cfg)
        .unwrap()
        .fit(&t.table, &TargetSpec::new(synth::TARGET))
        .unwrap()
}

fn lead() -> Record {
    Record::new()
        .with("source", "web")
        .with("city", "Kazan")
        .with("calls", 3)
        .with("lifetime_days", 20)
        .with("has_phone", "yes")
}

fn instant() -> StoreConfig {
    StoreConfig {
        check_interval: Duration::ZERO,
        ..StoreConfig::default()
    }
}

#[test]
fn fallback_and_reasons() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), instant()).unwrap();
    let (a, g) = (model(0), model(1));
    let e = store.score("acme", "lead", &lead()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotFound, "{e}");
    store.save("acme", "lead", &a).unwrap();
    store.save("_global", "lead", &g).unwrap();
    let s = store.score("acme", "lead", &lead()).unwrap();
    assert_eq!((s.source, s.reason.clone()), (Source::Tenant, None));
    assert_eq!(s.score, a.score(&lead()).unwrap());

    let s = store.score("newco", "lead", &lead()).unwrap();
    assert_eq!(
        (s.source, s.reason),
        (Source::Fallback, Some(FallbackReason::NoModel))
    );
    assert_eq!(s.score, g.score(&lead()).unwrap());

    std::fs::create_dir_all(dir.path().join("tiny")).unwrap();
    std::fs::write(
        dir.path().join("tiny/lead.json"),
        r#"{"status":"insufficient_data","rows":12}"#,
    )
    .unwrap();
    let s = store.score("tiny", "lead", &lead()).unwrap();
    assert_eq!(s.reason, Some(FallbackReason::InsufficientData));

    std::fs::create_dir_all(dir.path().join("broken")).unwrap();
    std::fs::write(dir.path().join("broken/lead.lsm"), b"LSCM garbage").unwrap();
    let s = store.score("broken", "lead", &lead()).unwrap();
    assert!(
        matches!(s.reason, Some(FallbackReason::Unreadable(ref m)) if m.contains("truncated")),
        "{s:?}"
    );

    let st = store.stats();
    assert_eq!(st.tenants["newco"].fallbacks, 1);
    assert_eq!(st.tenants["acme"].scores, 1);
    assert!(st.tenants["acme"].loads >= 1);
    assert_eq!(store.tenants().unwrap(), vec!["acme", "broken", "tiny"]);

    let no_fallback = Store::open(
        dir.path(),
        StoreConfig {
            fallback: false,
            ..instant()
        },
    )
    .unwrap();
    assert_eq!(
        no_fallback
            .score("newco", "lead", &lead())
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
}

#[test]
fn names_cannot_leave_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("root"), instant()).unwrap();
    for bad in [
        "", "..", ".", "../x", "a/b", "/etc", "a\\b", "a\0b", ".hidden", "x\ny",
    ] {
        let e = store.score(bad, "lead", &lead()).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidInput, "{bad:?}: {e}");
        assert_eq!(
            store.get("acme", bad).unwrap_err().code(),
            ErrorCode::InvalidInput,
            "{bad:?}"
        );
        assert!(store.save(bad, "lead", &model(0)).is_err());
    }
    assert!(!dir.path().join("x").exists());
    // Unicode names are fine.
    store.save("ООО Ромашка", "lead", &model(0)).unwrap();
    assert_eq!(
        store.score("ООО Ромашка", "lead", &lead()).unwrap().source,
        Source::Tenant
    );
}

#[test]
fn hot_reload_validates_before_swapping() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), instant()).unwrap();
    let (a, b) = (model(0), model(2));
    let (pa, pb) = (a.score(&lead()).unwrap(), b.score(&lead()).unwrap());
    assert_ne!(pa, pb);
    store.save("t", "lead", &a).unwrap();
    let held = store.get("t", "lead").unwrap().model;
    assert_eq!(store.score("t", "lead", &lead()).unwrap().score, pa);
    // Another process replaces the file.
    b.save(dir.path().join("t/lead.lsm")).unwrap();
    assert_eq!(store.score("t", "lead", &lead()).unwrap().score, pb);
    // The reader that held the old model still has it intact.
    assert_eq!(held.score(&lead()).unwrap(), pa);
    // A torn file written by a foreign tool does not replace a good model.
    std::fs::write(dir.path().join("t/lead.lsm"), b"LSCM\x01\x00 torn").unwrap();
    assert_eq!(store.score("t", "lead", &lead()).unwrap().score, pb);

    // With a long check interval the file is not even looked at.
    let lazy = Store::open(
        dir.path(),
        StoreConfig {
            check_interval: Duration::from_secs(3600),
            ..StoreConfig::default()
        },
    )
    .unwrap();
    a.save(dir.path().join("t/lead.lsm")).unwrap();
    assert_eq!(lazy.score("t", "lead", &lead()).unwrap().score, pa);
    b.save(dir.path().join("t/lead.lsm")).unwrap();
    assert_eq!(
        lazy.score("t", "lead", &lead()).unwrap().score,
        pa,
        "checked too early"
    );
}

/// A store whose cache holds three models (and a half), with `tenants` tenants saved.
fn three_model_store(tenants: usize) -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let m = model(0);
    let size = m.heap_size();
    let store = Store::open(
        dir.path(),
        StoreConfig {
            cache_bytes: size * 3 + size / 2,
            ..instant()
        },
    )
    .unwrap();
    for t in 0..tenants {
        store.save(&format!("t{t}"), "lead", &m).unwrap();
    }
    (dir, store)
}

#[test]
fn cache_stays_within_its_byte_bound() {
    let (_dir, store) = three_model_store(10);
    for round in 0..3 {
        for t in 0..10 {
            store.score(&format!("t{t}"), "lead", &lead()).unwrap();
            let st = store.stats();
            assert!(
                st.cached_bytes <= st.cache_bytes_limit,
                "round {round}: {} > {}",
                st.cached_bytes,
                st.cache_bytes_limit
            );
        }
    }
    let st = store.stats();
    assert_eq!(st.cached_models, 3);
    assert!(st.evictions >= 27);
    // The most recently used stay: scoring t9 again is a hit.
    let before = store.tenant_stats("t9");
    store.score("t9", "lead", &lead()).unwrap();
    assert_eq!(store.tenant_stats("t9").hits, before.hits + 1);
}

/// Eviction follows use, not load order: a model scored recently stays while older
/// ones go.
#[test]
fn eviction_is_least_recently_used() {
    let (_dir, store) = three_model_store(6);
    let score = |t: usize| store.score(&format!("t{t}"), "lead", &lead()).unwrap();
    let hit = |t: usize| {
        let before = store.tenant_stats(&format!("t{t}")).hits;
        score(t);
        store.tenant_stats(&format!("t{t}")).hits == before + 1
    };
    // Load t0, t1, t2 (the cache holds three), use t0 again, then load t3: t1 goes.
    for t in [0, 1, 2, 0, 3] {
        score(t);
    }
    assert!(hit(0) && hit(2) && hit(3));
    assert!(!hit(1), "t1 was the least recently used");
    // t1 came back by evicting t0 (used before t2 and t3): the cache holds t2, t3, t1.
    assert!(hit(3)); // used in the order t2, t1, t3
    score(4);
    assert!(hit(1) && hit(3) && hit(4));
    assert!(!hit(2), "t2 was the least recently used");
    // Many loads keep the cache within its bound and its queue small.
    for round in 0..50 {
        score(round % 6);
    }
    let st = store.stats();
    assert_eq!(st.cached_models, 3);
    assert!(st.cached_bytes <= st.cache_bytes_limit);
}

/// 16 threads score while another replaces the tenants' files 38 times: every answer
/// comes from a complete old or new model, and none fails. The readers run until the
/// writer is done (not for a fixed count, so a slow disk cannot starve the writer),
/// then score every tenant once more; the last writes leave t0, t1 on model `a` and
/// t2, t3 on model `b`, so both models must have answered.
#[test]
fn concurrent_readers_during_replacement() {
    const WRITES: u64 = 38;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(Store::open(dir.path(), instant()).unwrap());
    let (a, b) = (model(0), model(2));
    let (pa, pb) = (
        a.score(&lead()).unwrap().probability,
        b.score(&lead()).unwrap().probability,
    );
    for t in 0..4 {
        store.save(&format!("t{t}"), "lead", &a).unwrap();
    }
    let done = Arc::new(AtomicBool::new(false));
    let writer = {
        let (dir, done) = (dir.path().to_path_buf(), done.clone());
        std::thread::spawn(move || {
            for n in 0..WRITES {
                // Each tenant alternates b, a, b, ...
                let m = if (n / 4) % 2 == 0 { &b } else { &a };
                m.save(dir.join(format!("t{}/lead.lsm", n % 4))).unwrap();
            }
            done.store(true, Ordering::Release);
        })
    };
    let readers: Vec<_> = (0..16)
        .map(|i| {
            let (store, done) = (store.clone(), done.clone());
            std::thread::spawn(move || {
                let mut seen = (0u64, 0u64);
                let mut check = |tenant: usize| {
                    let s = store.score(&format!("t{tenant}"), "lead", &lead()).unwrap();
                    assert_eq!(s.source, Source::Tenant);
                    if s.score.probability == pa {
                        seen.0 += 1;
                    } else if s.score.probability == pb {
                        seen.1 += 1;
                    } else {
                        panic!("answer from neither model: {}", s.score.probability);
                    }
                };
                let mut k = 0usize;
                while !done.load(Ordering::Acquire) {
                    check((i + k) % 4);
                    k += 1;
                }
                for t in 0..4 {
                    check(t);
                }
                seen
            })
        })
        .collect();
    writer.join().unwrap();
    let mut total = (0, 0);
    for r in readers {
        let s = r.join().unwrap();
        total = (total.0 + s.0, total.1 + s.1);
    }
    assert!(
        total.0 > 0 && total.1 > 0,
        "both models answered: {total:?}"
    );
}

/// A save killed at any point leaves the old model readable: a child process saves a
/// model over and over and is killed at varying moments; the file always loads.
#[cfg(unix)]
#[test]
fn killed_save_leaves_a_readable_model() {
    if let Ok(path) = std::env::var("LEADSCORE_CRASH_CHILD") {
        // Child: write as fast as possible until killed (or, should the parent be
        // gone without killing it, for a minute at most).
        let (a, b) = (model(0), model(2));
        let start = std::time::Instant::now();
        for n in 0u64.. {
            let m = if n % 2 == 0 { &a } else { &b };
            m.save(&path).unwrap();
            if start.elapsed() > Duration::from_secs(60) {
                break;
            }
        }
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lead.lsm");
    model(0).save(&path).unwrap();
    let exe = std::env::current_exe().unwrap();
    let inode = |p: &std::path::Path| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(p).map(|m| m.ino()).unwrap_or(0)
    };
    /// Kills the child however the round ends (a failed assertion included), so no
    /// save loop outlives the test.
    struct Reap(std::process::Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    for i in 0..12u64 {
        let before = inode(&path);
        let child = std::process::Command::new(&exe)
            .args([
                "--exact",
                "killed_save_leaves_a_readable_model",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("LEADSCORE_CRASH_CHILD", &path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut child = Reap(child);
        // Wait until the child has replaced the file at least once, so the kill lands
        // in the middle of its save loop, then let it run a varying while longer.
        // (Compare the value read in the loop: the file system may hand the old inode
        // number to a later save's file, so a second read could show it again.)
        let start = std::time::Instant::now();
        let mut now = inode(&path);
        while now == before && start.elapsed() < Duration::from_secs(60) {
            std::thread::sleep(Duration::from_millis(1));
            now = inode(&path);
        }
        assert_ne!(now, before, "round {i}: the child never saved");
        std::thread::sleep(Duration::from_millis(1 + 3 * i));
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        let m = Model::load(&path).unwrap_or_else(|e| panic!("round {i}: {e}"));
        assert!(m.score(&lead()).is_ok());
    }
    // Temporary files of killed saves may remain; they never shadow the model, and
    // the store ignores them (they start with a dot).
    let store = Store::open(dir.path(), instant()).unwrap();
    assert!(store.tenants().unwrap().is_empty());
}

/// A demo tenant, a model trained on it with cross-validated deciles (the drift
/// reference), and a store that checks files at once and flushes only on demand.
fn drift_setup(
    root: &std::path::Path,
    index: usize,
    rows: usize,
) -> (synth::SynthTenant, Model, Store) {
    let t = synth::tenant_with_rows(5, index, rows);
    let cfg = TrainConfig {
        cv_folds: 3,
        ..TrainConfig::default()
    };
    let m = Trainer::new(cfg)
        .unwrap()
        .fit(&t.table, &TargetSpec::new(synth::TARGET))
        .unwrap();
    let store = Store::open(
        root,
        StoreConfig {
            drift_flush_interval: None,
            ..instant()
        },
    )
    .unwrap();
    (t, m, store)
}

/// Scores like the training data keep a low PSI; shifted scores ask for retraining.
#[test]
fn drift_from_the_scores_a_store_gives() {
    use leadscore::drift::{PSI_RETRAIN, PSI_WATCH};
    use leadscore::store::drift_report as report;
    let dir = tempfile::tempdir().unwrap();
    let (t, m, store) = drift_setup(dir.path(), 3, 4000);
    store.save("steady", "lead", &m).unwrap();
    store.save("shifted", "lead", &m).unwrap();
    store.save("quiet", "lead", &m).unwrap();
    for i in 0..3000 {
        let r = t.table.record(i);
        store.score("steady", "lead", &r).unwrap();
        // The same leads with their activity wiped out: scores move down.
        let mut s = r.clone();
        for f in ["calls", "emails", "chats", "meetings", "tasks"] {
            s.insert(f, 0);
        }
        store.score("shifted", "lead", &s).unwrap();
    }
    store.score("quiet", "lead", &t.table.record(0)).unwrap();
    // Evicting and clearing keeps the counts for the next flush.
    store.clear();
    store.flush_drift().unwrap();
    let rows = report(dir.path(), "lead", None).unwrap();
    let by = |t: &str| rows.iter().find(|r| r.tenant == t).unwrap().clone();
    let (steady, shifted, quiet) = (by("steady"), by("shifted"), by("quiet"));
    assert_eq!(steady.scores, 3000);
    assert!(steady.psi.unwrap() < PSI_WATCH, "{steady:?}");
    assert_eq!(steady.status, "stable");
    assert!(shifted.psi.unwrap() > PSI_RETRAIN, "{shifted:?}");
    assert_eq!(shifted.status, "retrain");
    assert_eq!(rows[0].tenant, "shifted", "worst first");
    assert_eq!((quiet.scores, quiet.status.as_str()), (1, "too_few_scores"));
    // Counts add up across flushes and processes (a second store on the same root).
    drop(store);
    let again = Store::open(
        dir.path(),
        StoreConfig {
            drift_flush_interval: None,
            ..instant()
        },
    )
    .unwrap();
    for i in 0..100 {
        again.score("steady", "lead", &t.table.record(i)).unwrap();
    }
    drop(again);
    assert_eq!(
        report(dir.path(), "lead", Some("steady")).unwrap()[0].scores,
        3100
    );
}

#[test]
fn score_with_reads_the_lead_for_the_answering_model() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path(), instant()).unwrap();
    let (a, g) = (model(0), model(1));
    store.save("acme", "lead", &a).unwrap();
    store.save("_global", "lead", &g).unwrap();

    // The closure sees the model that answers (the fallback for an unknown tenant).
    let s = store
        .score_with("newco", "lead", |m| {
            assert_eq!(m.coefficients(), g.coefficients());
            m.score(&lead())
        })
        .unwrap();
    assert_eq!(
        (s.source, s.reason.clone()),
        (Source::Fallback, Some(FallbackReason::NoModel))
    );
    assert_eq!(s, store.score("newco", "lead", &lead()).unwrap());

    let (e, source, reason) = store
        .explain_with("acme", "lead", |m| m.explain(&lead(), 2))
        .unwrap();
    assert_eq!((source, reason), (Source::Tenant, None));
    assert_eq!(e, a.explain(&lead(), 2).unwrap());

    // An error of the reader is returned as it is and nothing is counted.
    let err = store
        .score_with("acme", "lead", |_| {
            Err(leadscore::Error::InvalidInput("bad lead".into()))
        })
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    let st = store.stats();
    assert_eq!(st.tenants["newco"].scores, 2);
    assert_eq!(st.tenants["acme"].scores, 1);
    assert_eq!(
        store
            .score_with("../x", "lead", |m| m.score(&lead()))
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
}

/// Explanations through the store are counted for drift like scores.
#[test]
fn explanations_count_for_drift() {
    let dir = tempfile::tempdir().unwrap();
    let (t, m, store) = drift_setup(dir.path(), 4, 3000);
    store.save("e", "lead", &m).unwrap();
    for i in 0..150 {
        let (e, src, _) = store.explain("e", "lead", &t.table.record(i), 2).unwrap();
        assert_eq!(src, Source::Tenant);
        assert!(e.positive.len() <= 2 && e.negative.len() <= 2);
    }
    store.flush_drift().unwrap();
    let rows = leadscore::store::drift_report(dir.path(), "lead", Some("e")).unwrap();
    assert_eq!(rows[0].scores, 150);
    assert_eq!(store.tenant_stats("e").scores, 150);
}
