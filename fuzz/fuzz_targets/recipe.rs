//! A recipe's text: parsed, then fitted on a small fixed table and used to score,
//! never a panic; errors name a line and column (parse) or a field.
#![no_main]
use leadscore::data::{Column, StrColumn};
use leadscore::{Record, Table, TargetSpec, TrainConfig, Trainer, Value};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static TABLE: OnceLock<Table> = OnceLock::new();

fn table() -> Table {
    let n = 60;
    let num = |k: usize| {
        (0..n)
            .map(|i| ((i * k) % 17) as f64 - 3.0)
            .collect::<Vec<_>>()
    };
    let words = [
        "call back",
        "not interested",
        "send the price",
        "договор",
        "",
    ];
    Table::from_columns(vec![
        ("calls".into(), Column::Num(num(3))),
        ("days".into(), Column::Num(num(7))),
        (
            "city".into(),
            Column::Str(StrColumn::from_options(
                (0..n).map(|i| Some(["A", "B", "C"][i % 3])),
            )),
        ),
        (
            "note".into(),
            Column::Str(StrColumn::from_options((0..n).map(|i| Some(words[i % 5])))),
        ),
        (
            "won".into(),
            Column::Num((0..n).map(|i| f64::from(u8::from(i % 4 == 0))).collect()),
        ),
    ])
    .expect("a valid table")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if leadscore::recipe::parse::parse(text).is_err() {
        return;
    }
    let cfg = TrainConfig {
        recipe: Some(text.to_owned()),
        cv_folds: 0,
        min_rows: 10,
        min_positives: 2,
        max_iter: 5,
        threads: 1,
        ..TrainConfig::default()
    };
    let Ok(trainer) = Trainer::new(cfg) else {
        return;
    };
    let Ok(model) = trainer.fit(TABLE.get_or_init(table), &TargetSpec::new("won")) else {
        return;
    };
    let mut lead = Record::new();
    lead.insert("calls", Value::Num(4.0));
    lead.insert("note", Value::Str("call back now".into()));
    let s = model.score(&lead).expect("a model scores a plain lead");
    assert!((0.0..=1.0).contains(&s.probability));
    let back = leadscore::Model::from_bytes(&model.to_bytes().expect("saves")).expect("reloads");
    assert_eq!(
        back.score(&lead).expect("scores").probability,
        s.probability
    );
});
