//! Hostile and careless input: no crash, no silent wrong answer, nothing lost.

use leadscore::data::{Column, StrColumn};
use leadscore::rng::Rng;
use leadscore::store::{Store, StoreConfig};
use leadscore::{Error, Model, Record, Table, TargetSpec, TrainConfig, Trainer, Value};
use std::path::PathBuf;

/// 2400 rows: a small-scale number (spread 0.01), a larger one, a category.
fn table() -> Table {
    let mut rng = Rng::new(5);
    let n = 2400;
    let (mut a, mut b, mut c, mut y) = (vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let xa = rng.normal() * 0.01;
        let xb = rng.normal() * 50.0 + 200.0;
        let city = ["Kazan", "Omsk", "Tver"][rng.below(3) as usize];
        let z = -1.0 + 120.0 * xa + 0.01 * (xb - 200.0) + if city == "Omsk" { 0.7 } else { 0.0 };
        y.push(f64::from(u8::from(rng.bernoulli(1.0 / (1.0 + (-z).exp())))));
        a.push(xa);
        b.push(xb);
        c.push(city);
    }
    Table::from_columns(vec![
        ("rate".into(), Column::Num(a)),
        ("amount".into(), Column::Num(b)),
        (
            "city".into(),
            Column::Str(StrColumn::from_options(c.into_iter().map(Some))),
        ),
        ("won".into(), Column::Num(y)),
    ])
    .unwrap()
}

fn config(cv: usize) -> TrainConfig {
    TrainConfig {
        cv_folds: cv,
        threads: 1,
        min_rows: 100,
        ..TrainConfig::default()
    }
}

fn model() -> Model {
    Trainer::new(config(0))
        .unwrap()
        .fit(&table(), &TargetSpec::new("won"))
        .unwrap()
}

fn rec(field: &str, x: f64) -> Record {
    let mut r = Record::new();
    r.insert(field, Value::Num(x));
    r
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("leadscore-hardening-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn options_that_size_work_are_bounded() {
    for cv in [1usize, 101, 1_000_000_000] {
        let e = Trainer::new(config(cv)).unwrap_err().to_string();
        assert!(e.contains("cv_folds") && e.contains(&cv.to_string()), "{e}");
    }
    for (cfg, name) in [
        (
            TrainConfig {
                max_iter: 1 << 40,
                ..config(0)
            },
            "max_iter",
        ),
        (
            TrainConfig {
                threads: 1 << 20,
                ..config(0)
            },
            "threads",
        ),
    ] {
        let e = Trainer::new(cfg).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }
}

#[test]
fn more_folds_than_rows_of_a_class_is_an_error_not_a_zero_auc() {
    let t = table().take(&(0..300).collect::<Vec<_>>());
    let positives = match t.column("won") {
        Some(Column::Num(v)) => v.iter().filter(|&&x| x > 0.5).count(),
        _ => unreachable!(),
    };
    let cfg = TrainConfig {
        min_positives: 1,
        ..config(100)
    };
    assert!(positives < 100);
    let trainer = Trainer::new(cfg).unwrap();
    for e in [
        trainer.evaluate(&t, &TargetSpec::new("won")).unwrap_err(),
        trainer
            .fit(&t, &TargetSpec::new("won"))
            .map(|_| ())
            .unwrap_err(),
    ] {
        let m = e.to_string();
        assert!(matches!(e, Error::InvalidInput(_)), "{m}");
        assert!(
            m.contains("cv_folds = 100") && m.contains(&format!("{positives} positive")),
            "{m}"
        );
    }
}

#[test]
fn infinity_is_refused_by_every_path_and_extremes_score_in_range() {
    let m = model();
    // The record path refuses ±inf ...
    for x in [f64::INFINITY, f64::NEG_INFINITY] {
        let r = rec("rate", x);
        let e = m.score(&r).unwrap_err().to_string();
        assert!(e.contains("rate"), "{e}");
        // ... and so does the batch path, naming the field and the line.
        let t = Table::from_columns(vec![("rate".into(), Column::Num(vec![0.0, x]))]).unwrap();
        let e = m.score_batch(&t).unwrap_err().to_string();
        assert!(e.contains("rate") && e.contains("line 3"), "{e}");
    }
    // Finite extremes give a probability, a 1-99 score and the matching label.
    for x in [1e308, -1e308, f64::MAX, f64::MIN_POSITIVE, 5e-324] {
        for field in ["rate", "amount"] {
            let r = rec(field, x);
            let s = m.score(&r).unwrap();
            assert!((0.0..=1.0).contains(&s.probability), "{field}={x}: {s:?}");
            assert!((1..=99).contains(&s.score), "{field}={x}: {s:?}");
            assert_eq!(s.label, s.probability >= m.threshold());
            let t = Table::from_columns(vec![(field.into(), Column::Num(vec![x]))]).unwrap();
            assert_eq!(m.score_batch(&t).unwrap(), vec![s.probability]);
            assert!(m.explain(&r, 3).is_ok());
        }
    }
}

#[test]
fn a_batch_of_empty_leads_scores_each_as_all_missing() {
    let m = model();
    let empty = m.score(&Record::new()).unwrap().probability;
    let t = Table::from_records(&[Record::new(), Record::new()]);
    assert_eq!(t.n_rows(), 2);
    assert_eq!(m.score_batch(&t).unwrap(), vec![empty, empty]);
    let t = Table::with_rows(3);
    assert_eq!(m.score_batch(&t).unwrap(), vec![empty; 3]);
}

/// A model file around `payload` (a valid header and checksum).
fn envelope(payload: &[u8]) -> Vec<u8> {
    let mut out = b"LSCM".to_vec();
    out.extend_from_slice(&leadscore::format::FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
    out
}

#[test]
fn a_crafted_payload_cannot_take_much_more_memory_than_it_holds() {
    // A real model's bytes, then its schema replaced by five million fields of two
    // bytes each (an empty name and a kind): 10 MB that would decode into 160 MB.
    // The payload starts with the meta, then the schema's field count.
    let mut bomb = postcard::to_stdvec(model().meta()).unwrap();
    let n: u64 = 5_000_000;
    let mut v = n;
    while v >= 0x80 {
        bomb.push((v as u8) | 0x80);
        v >>= 7;
    }
    bomb.push(v as u8);
    bomb.extend(std::iter::repeat_n([0u8, 0u8], n as usize).flatten());
    let e = Model::from_bytes(&envelope(&bomb)).unwrap_err().to_string();
    assert!(e.contains("more data than its size can hold"), "{e}");
}

#[test]
fn loading_reads_only_regular_files_and_only_what_the_header_announces() {
    let d = tmp("load");
    // A device that never ends, a folder and a FIFO: refused without reading.
    for p in [PathBuf::from("/dev/zero"), d.clone()] {
        let e = Model::load(&p).unwrap_err().to_string();
        assert!(e.contains("not a model file"), "{e}");
    }
    let fifo = d.join("fifo.lsm");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success());
    if ok.unwrap_or(false) {
        let e = Model::load(&fifo).unwrap_err().to_string();
        assert!(e.contains("FIFO"), "{e}");
    }
    // Over the limit: refused from the header, before the payload is read.
    let bytes = model().to_bytes().unwrap();
    let p = d.join("m.lsm");
    std::fs::write(&p, &bytes).unwrap();
    assert!(Model::load(&p).is_ok());
    let e = leadscore::format::load_limited(&p, 100)
        .unwrap_err()
        .to_string();
    assert!(e.contains("over the limit of 100 bytes"), "{e}");
    // Trailing bytes are still seen.
    let mut longer = bytes.clone();
    longer.extend_from_slice(b"junk");
    std::fs::write(&p, &longer).unwrap();
    let e = Model::load(&p).unwrap_err().to_string();
    assert!(e.contains("trailing"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

#[test]
fn saving_never_replaces_a_device_or_a_folder() {
    let m = model();
    let e = m.save("/dev/null").unwrap_err().to_string();
    assert!(e.contains("not a regular file"), "{e}");
    assert!(std::fs::metadata("/dev/null")
        .unwrap()
        .file_type()
        .is_char_device_like());
    let d = tmp("save");
    let e = m.save(&d).unwrap_err().to_string();
    assert!(e.contains("not a regular file"), "{e}");
    std::fs::remove_dir_all(&d).unwrap();
}

trait CharDevice {
    fn is_char_device_like(&self) -> bool;
}
impl CharDevice for std::fs::FileType {
    fn is_char_device_like(&self) -> bool {
        use std::os::unix::fs::FileTypeExt;
        self.is_char_device()
    }
}

#[test]
fn a_store_serves_the_cached_model_or_the_fallback_when_a_file_turns_into_a_folder() {
    let root = tmp("store");
    let m = model();
    std::fs::create_dir_all(root.join("acme")).unwrap();
    std::fs::create_dir_all(root.join("_global")).unwrap();
    m.save(root.join("acme/lead.lsm")).unwrap();
    m.save(root.join("_global/lead.lsm")).unwrap();
    let store = Store::open(
        &root,
        StoreConfig {
            check_interval: std::time::Duration::ZERO,
            ..StoreConfig::default()
        },
    )
    .unwrap();
    let lead = rec("rate", 0.01);
    let want = m.score(&lead).unwrap();
    assert_eq!(store.score("acme", "lead", &lead).unwrap().score, want);
    std::fs::remove_file(root.join("acme/lead.lsm")).unwrap();
    std::fs::create_dir_all(root.join("acme/lead.lsm")).unwrap();
    // Cached: the old model keeps answering.
    let s = store.score("acme", "lead", &lead).unwrap();
    assert_eq!(s.score, want);
    // Not cached: the fallback answers, saying why.
    let fresh = Store::open(&root, StoreConfig::default()).unwrap();
    let s = fresh.score("acme", "lead", &lead).unwrap();
    assert_eq!(s.score, want);
    assert_eq!(s.source, leadscore::store::Source::Fallback);
    // A file over the store's limit is unreadable too.
    let small = Store::open(
        &root,
        StoreConfig::from_json(&serde_json::json!({"maxFileBytes": 100})).unwrap(),
    )
    .unwrap();
    assert!(small.score("_global", "lead", &lead).is_err());
    std::fs::remove_dir_all(&root).unwrap();
}

#[test]
fn drift_reports_an_unreadable_tenant_as_its_own_row_and_counts_saturate() {
    let root = tmp("drift");
    let m = Trainer::new(config(3))
        .unwrap()
        .fit(&table(), &TargetSpec::new("won"))
        .unwrap();
    for t in ["good", "corrupt", "huge", "badmodel"] {
        std::fs::create_dir_all(root.join(t)).unwrap();
        m.save(root.join(t).join("lead.lsm")).unwrap();
    }
    std::fs::write(root.join("badmodel/lead.lsm"), b"LSCM junk").unwrap();
    std::fs::write(root.join("corrupt/lead.scores.json"), b"{not json").unwrap();
    let created = m.meta().created_unix;
    let huge = serde_json::json!({
        "model_created_unix": created,
        "counts": [u64::MAX, u64::MAX, 1, 1, 1, 1, 1, 1, 1, 1],
        "updated_unix": 0,
    });
    std::fs::write(root.join("huge/lead.scores.json"), huge.to_string()).unwrap();
    let rows = leadscore::store::drift_report(&root, "lead", None).unwrap();
    let status = |t: &str| rows.iter().find(|r| r.tenant == t).unwrap().clone();
    assert_eq!(status("good").status, "too_few_scores");
    for t in ["corrupt", "badmodel"] {
        let r = status(t);
        assert_eq!(r.status, "unreadable", "{r:?}");
        assert!(r.error.is_some());
    }
    let r = status("huge");
    assert_eq!(r.scores, u64::MAX);
    assert!(r.psi.is_some_and(f64::is_finite), "{r:?}");
    std::fs::remove_dir_all(&root).unwrap();
}
