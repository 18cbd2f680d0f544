//! Corrupt, truncated and foreign model files give one-line errors, never a panic.

use leadscore::data::{Column, StrColumn};
use leadscore::rng::Rng;
use leadscore::{ErrorCode, Model, Record, Table, TargetSpec, TrainConfig, Trainer};

fn small_model() -> Model {
    let mut rng = Rng::new(3);
    let n = 400;
    let x: Vec<f64> = (0..n).map(|_| rng.normal()).collect();
    let c: Vec<&str> = (0..n).map(|i| ["a", "b", "c"][i % 3]).collect();
    let y: Vec<f64> = x
        .iter()
        .map(|v| if *v + rng.normal() > 0.8 { 1.0 } else { 0.0 })
        .collect();
    let t = Table::from_columns(vec![
        ("x".into(), Column::Num(x)),
        (
            "c".into(),
            Column::Str(StrColumn::from_options(c.into_iter().map(Some))),
        ),
        ("y".into(), Column::Num(y)),
    ])
    .unwrap();
    let cfg = TrainConfig {
        min_rows: 10,
        min_positives: 5,
        cv_folds: 0,
        ..TrainConfig::default()
    };
    Trainer::new(cfg)
        .unwrap()
        .fit(&t, &TargetSpec::new("y"))
        .unwrap()
}

fn fix_crc(b: &mut [u8]) {
    let crc = crc32fast::hash(&b[14..]);
    b[10..14].copy_from_slice(&crc.to_le_bytes());
}

fn one_line_format_error(bytes: &[u8]) -> String {
    let e = Model::from_bytes(bytes).unwrap_err();
    assert_eq!(e.code(), ErrorCode::ModelFormat, "{e}");
    let s = e.to_string();
    assert!(!s.contains('\n'), "{s}");
    s
}

#[test]
fn truncated_at_every_length() {
    let b = small_model().to_bytes().unwrap();
    for n in 0..b.len() {
        let s = one_line_format_error(&b[..n]);
        assert!(s.contains("truncated") || s.contains("magic"), "{n}: {s}");
    }
}

#[test]
fn foreign_trailing_version_and_checksum() {
    let b = small_model().to_bytes().unwrap();
    assert!(one_line_format_error(b"churn,tenure\n1,2\n3,4\n5,6\n").contains("magic"));
    assert!(one_line_format_error(b"PK\x03\x04 not a model at all").contains("magic"));
    let mut t = b.clone();
    t.push(0);
    assert!(one_line_format_error(&t).contains("trailing"));
    let mut v = b.clone();
    v[4] = 9;
    assert!(one_line_format_error(&v).contains("version 9"));
    let mut c = b.clone();
    let last = c.len() - 1;
    c[last] ^= 0x40;
    assert!(one_line_format_error(&c).contains("checksum"));
    let mut l = b.clone();
    l[6..10].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(one_line_format_error(&l).contains("exceeds"));
}

/// Every single-byte change of the payload, with a recomputed checksum (what a crafted
/// file looks like), is either rejected or still scores without a panic.
#[test]
fn crafted_payloads_never_panic() {
    let b = small_model().to_bytes().unwrap();
    let rec = Record::new().with("x", 0.3).with("c", "b");
    for i in 14..b.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut m = b.clone();
            m[i] ^= flip;
            fix_crc(&mut m);
            if let Ok(model) = Model::from_bytes(&m) {
                // A crafted model may read a field differently (an error naming the
                // field is fine); what it may not do is panic or return NaN.
                if let Ok(s) = model.score(&rec) {
                    assert!(s.probability.is_finite());
                    let e = model.explain(&rec, 3).unwrap();
                    assert!(e.score.probability.is_finite());
                }
            }
        }
    }
    // A huge length prefix inside the payload does not allocate beyond the input.
    let mut m = b.clone();
    m.truncate(14);
    m.extend_from_slice(&[0xFF, 0xFF, 0xFF, 0xFF, 0x0F]);
    let len = (m.len() - 14) as u32;
    m[6..10].copy_from_slice(&len.to_le_bytes());
    fix_crc(&mut m);
    one_line_format_error(&m);
}

#[test]
fn atomic_save_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.lsm");
    let model = small_model();
    model.save(&path).unwrap();
    model.save(&path).unwrap();
    assert_eq!(Model::load(&path).unwrap(), model);
    // No temporary files are left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
    let e = Model::load(dir.path().join("missing.lsm")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);
    let e = model
        .save(dir.path().join("no/such/dir/m.lsm"))
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::Io);
}
