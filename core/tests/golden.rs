//! Golden files: a model written by format version 1 must load and score the same
//! forever. `LEADSCORE_WRITE_GOLDEN=1 cargo test -p leadscore --test golden` rewrites
//! them (only ever when a new format version is introduced; old files stay).
//!
//! The same model, records and expected probabilities are the cross-language fixtures
//! every binding's tests reproduce.

use leadscore::data::csv::{read_csv_path, CsvOptions};
use leadscore::{Model, Record, TargetSpec, TrainConfig, Trainer};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const MODEL: &str = "tests/fixtures/models/wa_churn_v1.lsm";
const RECORDS: &str = "tests/fixtures/records/wa_churn.jsonl";
const EXPECTED: &str = "tests/fixtures/expected/wa_churn_v1.json";

fn read_records() -> Vec<Record> {
    let text = std::fs::read_to_string(root().join(RECORDS)).expect("records fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Record::from_json(l).expect("valid record"))
        .collect()
}

/// Writes the golden model, the records (20 real rows plus edge cases) and the
/// expected scores.
fn write_golden() {
    let table = read_csv_path(
        root().join("examples/data/wa_churn.csv"),
        &CsvOptions::default(),
    )
    .unwrap();
    let model = Trainer::new(TrainConfig::default())
        .unwrap()
        .fit(&table, &TargetSpec::new("churn"))
        .unwrap();
    model.save(root().join(MODEL)).unwrap();
    let mut lines = Vec::new();
    for i in (0..table.n_rows()).step_by(table.n_rows() / 20).take(20) {
        let mut obj = serde_json::Map::new();
        for (k, v) in table.record(i).iter() {
            if k == "churn" {
                continue;
            }
            obj.insert(
                k.to_owned(),
                match v {
                    leadscore::Value::Num(x) => serde_json::json!(x),
                    leadscore::Value::Str(s) => serde_json::json!(s),
                    leadscore::Value::Bool(b) => serde_json::json!(b),
                    leadscore::Value::Missing => serde_json::Value::Null,
                },
            );
        }
        // Keys sorted for a stable file.
        let sorted: std::collections::BTreeMap<_, _> = obj.into_iter().collect();
        lines.push(serde_json::to_string(&sorted).unwrap());
    }
    // Edge cases: an empty record, numbers as strings, an unseen level, null and
    // unknown fields, booleans for 0/1 fields.
    lines.push("{}".into());
    lines.push(r#"{"tenure": "12", "monthly_charges": "70,35", "contract": "Month-to-month", "senior_citizen": true}"#.into());
    lines.push(
        r#"{"tenure": 3, "contract": "Two decades", "total_charges": null, "not_a_field": "x"}"#
            .into(),
    );
    lines.push(r#"{"tenure": 72, "contract": "Two year", "internet_service": "No", "payment_method": "Credit card (automatic)", "female": 0}"#.into());
    std::fs::write(root().join(RECORDS), lines.join("\n") + "\n").unwrap();
    let model = Model::load(root().join(MODEL)).unwrap();
    let expected: Vec<serde_json::Value> = read_records()
        .iter()
        .map(|r| {
            let s = model.score(r).unwrap();
            let e = model.explain(r, 3).unwrap();
            serde_json::json!({"probability": s.probability, "score": s.score, "label": s.label,
                "explain_k3": {"positive": e.positive, "negative": e.negative}})
        })
        .collect();
    let doc = serde_json::json!({
        "model": MODEL, "records": RECORDS,
        "note": "probabilities and contributions must match to 1e-12 in every binding; explain_k3 is explain(record, 3)",
        "scores": expected,
    });
    std::fs::write(
        root().join(EXPECTED),
        serde_json::to_string_pretty(&doc).unwrap() + "\n",
    )
    .unwrap();
}

#[test]
fn golden_v1_model_scores_unchanged() {
    if std::env::var_os("LEADSCORE_WRITE_GOLDEN").is_some() {
        write_golden();
    }
    let model = Model::load(root().join(MODEL)).expect("golden model loads");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join(EXPECTED)).unwrap()).unwrap();
    let scores = doc["scores"].as_array().unwrap();
    let records = read_records();
    assert_eq!(records.len(), scores.len());
    assert!(records.len() >= 24);
    for (i, (r, e)) in records.iter().zip(scores).enumerate() {
        let s = model.score(r).unwrap();
        let want = e["probability"].as_f64().unwrap();
        assert!(
            (s.probability - want).abs() <= 1e-12,
            "record {i}: {} vs {want}",
            s.probability
        );
        assert_eq!(
            u64::from(s.score),
            e["score"].as_u64().unwrap(),
            "record {i}"
        );
        assert_eq!(s.label, e["label"].as_bool().unwrap(), "record {i}");
        let ex = model.explain(r, 3).unwrap();
        for (side, got) in [("positive", &ex.positive), ("negative", &ex.negative)] {
            let want = e["explain_k3"][side].as_array().unwrap();
            assert_eq!(got.len(), want.len(), "record {i} {side}");
            for (g, w) in got.iter().zip(want) {
                assert_eq!(g.field, w["field"].as_str().unwrap());
                assert_eq!(g.label, w["label"].as_str().unwrap());
                assert!((g.contribution - w["contribution"].as_f64().unwrap()).abs() <= 1e-12);
            }
        }
    }
    // The batch path gives the same probabilities as the record path.
    let table = leadscore::Table::from_records(&records);
    let batch = model.score_batch(&table).unwrap();
    for (i, (p, e)) in batch.iter().zip(scores).enumerate() {
        assert!(
            (p - e["probability"].as_f64().unwrap()).abs() <= 1e-12,
            "batch record {i}"
        );
    }
    // Saved again, it is written in the current format version and reads back as the
    // same model: nothing is lost in a load/save cycle.
    let bytes = model.to_bytes().unwrap();
    assert_eq!(
        u16::from_le_bytes([bytes[4], bytes[5]]),
        leadscore::format::FORMAT_VERSION
    );
    let again = Model::from_bytes(&bytes).unwrap();
    assert_eq!(again, model);
    assert_eq!(again.to_bytes().unwrap(), bytes);
    let v1 = std::fs::read(root().join(MODEL)).unwrap();
    assert_eq!(
        u16::from_le_bytes([v1[4], v1[5]]),
        1,
        "the golden file stays version 1"
    );
}

/// The coded path (numbers and level codes, what the Node binding sends) gives the
/// full path's log-odds bit for bit on every fixture record it can take, and refuses
/// what it cannot take (the binding then takes the full path, which names the field).
#[test]
fn coded_path_matches_the_values_path() {
    use leadscore::{CodedInput, Value, CODE_MISSING};
    let model = Model::load(root().join(MODEL)).unwrap();
    let (inputs, scorer) = model
        .coded_scorer()
        .expect("the auto pipeline takes the coded path");
    assert_eq!(scorer.n_inputs(), inputs.len());
    let names: Vec<String> = model.input_names().iter().map(|s| s.to_string()).collect();
    assert_eq!(inputs.len(), names.len());
    let mut coded = 0;
    for rec in read_records() {
        let values: Vec<Value> = names
            .iter()
            .map(|n| rec.get(n).cloned().unwrap_or(Value::Missing))
            .collect();
        let mut nums = vec![f64::NAN; names.len()];
        let mut codes = vec![CODE_MISSING; names.len()];
        // What the binding's reader does: numbers and booleans as numbers, exact
        // level strings as codes, anything else to the full path.
        let mut takes = true;
        for (i, (v, how)) in values.iter().zip(&inputs).enumerate() {
            match (v, how) {
                (Value::Missing, _) => {}
                (Value::Num(x), CodedInput::Number) => nums[i] = *x,
                (Value::Bool(b), CodedInput::Number) => nums[i] = f64::from(u8::from(*b)),
                (Value::Str(s), CodedInput::Levels(levels)) => {
                    match levels.iter().position(|l| !l.is_empty() && l == s) {
                        Some(c) => codes[i] = c as u32,
                        None => takes = false,
                    }
                }
                _ => takes = false,
            }
        }
        let full = model.logit_values(&values);
        match (takes, full) {
            (true, Ok(z)) => {
                let c = scorer.logit(&nums, &codes).unwrap();
                assert_eq!(c.to_bits(), z.to_bits(), "{rec:?}");
                coded += 1;
            }
            (true, Err(_)) => assert!(scorer.logit(&nums, &codes).is_err(), "{rec:?}"),
            (false, _) => {}
        }
    }
    assert!(coded >= 20, "only {coded} records took the coded path");
    // Values the pipeline cannot take, and codes out of range, are refused.
    let n = names.len();
    let num = inputs
        .iter()
        .position(|c| *c == CodedInput::Number)
        .unwrap();
    let lev = inputs
        .iter()
        .position(|c| *c != CodedInput::Number)
        .unwrap();
    let mut nums = vec![f64::NAN; n];
    nums[num] = f64::INFINITY;
    assert!(scorer.logit(&nums, &vec![CODE_MISSING; n]).is_err());
    let mut codes = vec![CODE_MISSING; n];
    codes[lev] = 10_000;
    assert!(scorer.logit(&vec![f64::NAN; n], &codes).is_err());
    assert!(scorer.logit(&[], &[]).is_err());
}
