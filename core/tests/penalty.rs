//! Training with the L1 and elastic-net penalties, `max_features` and
//! `max_model_bytes`: what the model stores, and that its sparse coefficients survive
//! the file.

use leadscore::data::csv::{read_csv_path, CsvOptions};
use leadscore::options::TrainOptions;
use leadscore::{Model, Table};

fn churn() -> Table {
    let p = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/wa_churn.csv");
    read_csv_path(p, &CsvOptions::default()).unwrap()
}

fn train(table: &Table, options: &str) -> Model {
    TrainOptions::from_json_str(options)
        .unwrap()
        .train_table(table)
        .unwrap()
}

fn nonzero(m: &Model) -> usize {
    m.coefficients().iter().filter(|&&c| c != 0.0).count()
}

#[test]
fn l1_and_elastic_net_models_are_sparse_and_round_trip() {
    let t = churn();
    let l2 = train(&t, r#"{"target":"churn","cv":0,"c":0.05}"#);
    let l1 = train(&t, r#"{"target":"churn","cv":0,"c":0.05,"penalty":"l1"}"#);
    let en = train(
        &t,
        r#"{"target":"churn","cv":0,"c":0.05,"penalty":"elasticnet","l1Ratio":0.5}"#,
    );
    assert_eq!(l2.meta().penalty, "l2");
    assert_eq!(
        (l1.meta().penalty.as_str(), l1.meta().l1_ratio),
        ("l1", 1.0)
    );
    assert_eq!(
        (en.meta().penalty.as_str(), en.meta().l1_ratio),
        ("elasticnet", 0.5)
    );
    assert!(!l1.meta().c_auto && l1.meta().c == 0.05);
    assert!(nonzero(&l1) < nonzero(&en) && nonzero(&en) <= nonzero(&l2));
    assert!(2 * nonzero(&l1) < l1.coefficients().len());
    for m in [&l1, &en] {
        let bytes = m.to_bytes().unwrap();
        let back = Model::from_bytes(&bytes).unwrap();
        assert_eq!(&back, m);
        assert_eq!(back.to_bytes().unwrap(), bytes);
    }
    // The sparse model file is smaller than the same model written densely would be.
    assert!(l1.to_bytes().unwrap().len() < l2.to_bytes().unwrap().len());
    let info = l1.info();
    assert_eq!(info["penalty"], "l1");
    assert_eq!(info["nonzero_features"], nonzero(&l1));
}

#[test]
fn max_features_keeps_the_strongest_and_reports_the_cost() {
    let t = churn();
    let m = train(&t, r#"{"target":"churn","cv":3,"maxFeatures":8}"#);
    let p = m.pruning().expect("a pruning report");
    assert_eq!(p.max_features, 8);
    assert!(nonzero(&m) <= 8 && p.features_after as usize == nonzero(&m));
    assert_eq!(p.dropped_count, p.features_before - 8);
    assert_eq!(p.dropped.len() as u64, p.dropped_count);
    let names = m.feature_names();
    for d in &p.dropped {
        let j = names.iter().position(|n| n == d).expect("a feature name");
        assert_eq!(m.coefficients()[j], 0.0, "{d} was dropped");
    }
    let (before, after) = (p.cv_roc_auc_before.unwrap(), p.cv_roc_auc_after.unwrap());
    assert_eq!(after, m.metrics().unwrap().roc_auc);
    assert!(after > 0.8 && before >= after - 0.05, "{before} -> {after}");
    // A limit above what the model uses drops nothing and says so.
    let m = train(&t, r#"{"target":"churn","cv":0,"maxFeatures":100000}"#);
    let p = m.pruning().unwrap();
    assert_eq!((p.dropped_count, p.features_after), (0, p.features_before));
    assert_eq!(p.cv_roc_auc_before, None);
}

#[test]
fn max_model_bytes_keeps_the_model_within_the_limit_and_reports_the_cost() {
    let t = churn();
    let base = r#""target":"churn","cv":3,"insights":false"#;
    let full = train(&t, &format!("{{{base}}}"));
    let full_bytes = full.to_bytes().unwrap().len() as u64;
    let features = nonzero(&full);
    // A limit the model already meets (with room for the report) drops nothing and
    // records the size.
    let roomy = full_bytes + 100;
    let m = train(&t, &format!("{{{base},\"maxModelBytes\":{roomy}}}"));
    let p = m.pruning().expect("a pruning report");
    assert_eq!((p.dropped_count, p.features_after), (0, features as u64));
    let size = m.to_bytes().unwrap().len() as u64;
    assert_eq!(p.model_bytes, Some(size));
    assert!(size <= roomy);
    // A tighter one drops the weakest features, and the saved model fits.
    let limit = full_bytes - 8 * features as u64 / 2;
    let m = train(&t, &format!("{{{base},\"max_model_bytes\":{limit}}}"));
    let bytes = m.to_bytes().unwrap();
    assert!(bytes.len() as u64 <= limit, "{} > {limit}", bytes.len());
    let p = m.pruning().expect("a pruning report");
    assert_eq!(p.max_model_bytes, Some(limit));
    assert_eq!(p.model_bytes, Some(bytes.len() as u64));
    assert!(
        p.dropped_count > 0 && (p.features_after as usize) < features,
        "{p:?}"
    );
    assert_eq!(p.features_after as usize, nonzero(&m));
    assert_eq!(p.dropped_count, p.features_before - p.max_features);
    assert!(!p.dropped.is_empty());
    let names = m.feature_names();
    for d in &p.dropped {
        let j = names.iter().position(|n| n == d).expect("a feature name");
        assert_eq!(m.coefficients()[j], 0.0, "{d} was dropped");
    }
    let (before, after) = (p.cv_roc_auc_before.unwrap(), p.cv_roc_auc_after.unwrap());
    assert_eq!(after, m.metrics().unwrap().roc_auc);
    assert!(after > 0.7 && before > 0.8, "{before} -> {after}");
    // The report survives the file.
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back.pruning(), Some(p));
    assert_eq!(back.info()["pruning"]["max_model_bytes"], limit);
    // With max_features too, the lower count applies.
    let m = train(
        &t,
        &format!("{{{base},\"max_model_bytes\":{limit},\"max_features\":3}}"),
    );
    let p = m.pruning().unwrap();
    assert_eq!((p.max_features, p.max_model_bytes), (3, Some(limit)));
    assert!(nonzero(&m) <= 3);
    // A limit below the model without features names the option and that size.
    let e = TrainOptions::from_json_str(&format!("{{{base},\"max_model_bytes\":500}}"))
        .unwrap()
        .train_table(&t)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("max_model_bytes = 500 is less than the smallest model")
            && e.contains("bytes without any feature"),
        "{e}"
    );
    let smallest: u64 = e
        .split("make: ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("the smallest size");
    // ... a size the model with few features meets (the refitted model's evaluation
    // may take a few bytes more than the estimate's).
    let limit = smallest + 256;
    let m = train(&t, &format!("{{{base},\"max_model_bytes\":{limit}}}"));
    assert!(nonzero(&m) < features / 2, "{}", nonzero(&m));
    assert!(m.to_bytes().unwrap().len() as u64 <= limit);
    let s = m.score(&leadscore::Record::new()).unwrap();
    assert!(s.probability > 0.0 && s.probability < 1.0);
}
