//! End-to-end: train on a table, score records, explain, round-trip the file.

use leadscore::data::{Column, StrColumn};
use leadscore::rng::Rng;
use leadscore::{Balance, Model, Record, Table, TargetSpec, TrainConfig, Trainer, Value};

/// 3000 rows: two numbers (one with missing values), a category, a yes/no flag;
/// the outcome follows a known logistic model with ~12 % positives.
fn table(seed: u64) -> Table {
    let mut rng = Rng::new(seed);
    let n = 3000;
    let cities = ["Moscow", "Kazan", "Omsk", "Tver"];
    let (mut a, mut b, mut c, mut f, mut y) = (vec![], vec![], vec![], vec![], vec![]);
    for _ in 0..n {
        let xa = rng.normal();
        let xb = rng.normal() * 3.0 + 10.0;
        let city = cities[rng.below(4) as usize];
        let flag = rng.bernoulli(0.4);
        let z = -2.6
            + 1.2 * xa
            + 0.2 * (xb - 10.0)
            + if city == "Kazan" { 0.8 } else { 0.0 }
            + if flag { 0.5 } else { 0.0 };
        y.push(if rng.bernoulli(1.0 / (1.0 + (-z).exp())) {
            1.0
        } else {
            0.0
        });
        a.push(xa);
        b.push(if rng.bernoulli(0.1) { f64::NAN } else { xb });
        c.push(city);
        f.push(if flag { "yes" } else { "no" });
    }
    Table::from_columns(vec![
        ("calls".into(), Column::Num(a)),
        ("amount".into(), Column::Num(b)),
        (
            "city".into(),
            Column::Str(StrColumn::from_options(c.into_iter().map(Some))),
        ),
        (
            "has_phone".into(),
            Column::Str(StrColumn::from_options(f.into_iter().map(Some))),
        ),
        ("won".into(), Column::Num(y)),
    ])
    .unwrap()
}

#[test]
fn trains_scores_explains_and_round_trips() {
    let t = table(1);
    let model = Trainer::new(TrainConfig::default())
        .unwrap()
        .fit(&t, &TargetSpec::new("won"))
        .unwrap();
    let m = model.metrics().expect("cv metrics");
    assert!(m.roc_auc > 0.7 && m.roc_auc < 0.95, "auc {}", m.roc_auc);
    assert_eq!(m.cv_folds, 5);
    // Calibration: mean predicted probability close to the base rate despite upsampling.
    let p = model.score_batch(&t).unwrap();
    let mean_p = p.iter().sum::<f64>() / p.len() as f64;
    assert!(
        (mean_p - m.positive_rate).abs() < 0.03,
        "mean p {mean_p} vs rate {}",
        m.positive_rate
    );
    assert!(model.threshold() < 0.5);

    let rec = Record::new()
        .with("calls", 2.0)
        .with("amount", "12")
        .with("city", "Kazan")
        .with("has_phone", true)
        .with("unknown", 1);
    let s = model.score(&rec).unwrap();
    assert!(s.probability > 0.5 && s.label);
    // Record and table paths agree.
    let row = t.record(0);
    let s0 = model.score(&row).unwrap();
    assert!((s0.probability - p[0]).abs() < 1e-12);

    let ex = model.explain(&rec, 3).unwrap();
    assert_eq!(ex.positive[0].field, "calls");
    assert_eq!(ex.positive[0].label, "calls = 2");
    assert!((ex.score.probability - s.probability).abs() < 1e-15);

    let bytes = model.to_bytes().unwrap();
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back, model);
    let err = model
        .score(&Record::new().with("calls", "many"))
        .unwrap_err();
    assert!(err.to_string().contains("calls"), "{err}");
    let _ = Value::Missing;
}

#[test]
fn balancing_modes_keep_calibration() {
    let t = table(2);
    for b in [
        Balance::Upsample,
        Balance::Downsample,
        Balance::ClassWeight,
        Balance::None,
    ] {
        let cfg = TrainConfig {
            balance: b,
            cv_folds: 0,
            ..TrainConfig::default()
        };
        let model = Trainer::new(cfg)
            .unwrap()
            .fit(&t, &TargetSpec::new("won"))
            .unwrap();
        let p = model.score_batch(&t).unwrap();
        let mean_p = p.iter().sum::<f64>() / p.len() as f64;
        let rate = model.meta().positives as f64 / model.meta().rows as f64;
        assert!(
            (mean_p - rate).abs() < 0.035,
            "{b:?}: mean p {mean_p} vs rate {rate}"
        );
    }
}

#[test]
fn huge_numbers_are_an_input_error_naming_the_field() {
    let mut t = table(4);
    let n = t.n_rows();
    t.replace_column(
        "amount",
        Column::Num(
            (0..n)
                .map(|i| if i % 2 == 0 { 1e300 } else { -1e300 })
                .collect(),
        ),
    )
    .unwrap();
    let cfg = TrainConfig {
        cv_folds: 0,
        ..TrainConfig::default()
    };
    let e = Trainer::new(cfg)
        .unwrap()
        .fit(&t, &TargetSpec::new("won"))
        .unwrap_err();
    assert_eq!(e.code(), leadscore::ErrorCode::InvalidInput, "{e}");
    assert!(e.to_string().contains("amount"), "{e}");
}

#[test]
fn too_little_data_is_a_readable_error() {
    let t = table(5).take(&(0..900).collect::<Vec<_>>());
    let e = Trainer::new(TrainConfig::default())
        .unwrap()
        .fit(&t, &TargetSpec::new("won"))
        .unwrap_err();
    assert_eq!(e.code(), leadscore::ErrorCode::InsufficientData);
    let msg = e.to_string();
    assert!(msg.starts_with("insufficient data: 900 rows with"), "{msg}");
    assert!(
        msg.contains("need at least 2000 rows and 50 positives"),
        "{msg}"
    );
}

#[test]
fn models_and_stores_are_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<Model>();
    check::<leadscore::store::Store>();
}
