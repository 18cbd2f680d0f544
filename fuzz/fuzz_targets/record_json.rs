//! A JSON record scored by the golden model: an answer in range or an error naming
//! the field, never a panic; the record path and the batch path agree.
#![no_main]
use leadscore::{Model, Record, Table};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static MODEL: OnceLock<Model> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let model = MODEL.get_or_init(|| {
        Model::from_bytes(include_bytes!(
            "../../tests/fixtures/models/wa_churn_v1.lsm"
        ))
        .expect("the golden model loads")
    });
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(record) = Record::from_json(text) else {
        return;
    };
    let one = model.score(&record);
    if let Ok(s) = &one {
        assert!((0.0..=1.0).contains(&s.probability) && (1..=99).contains(&s.score));
        let _ = model.explain(&record, 3);
    }
    let batch = model.score_batch(&Table::from_records(std::slice::from_ref(&record)));
    if let (Ok(s), Ok(b)) = (&one, &batch) {
        assert_eq!(b.len(), 1);
        assert!(
            (b[0] - s.probability).abs() <= 1e-12,
            "{} vs {}",
            b[0],
            s.probability
        );
    }
});
