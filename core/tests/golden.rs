//! Golden files: models written by each released format version must load and score
//! the same forever. Each fixture set is a model, records and the expected scores and
//! explanations, listed in `tests/fixtures/fixtures.json`; every binding's tests
//! reproduce every set, and train the sets that say how they were trained.
//!
//! `LEADSCORE_WRITE_GOLDEN=demo_recipe_v2 cargo test -p leadscore --test golden`
//! writes that set (only when a new format version or fixture is introduced; the
//! files of older sets stay as they are: `wa_churn_v1` was written by format version
//! 1, which this release no longer writes).

use leadscore::data::csv::{read_csv_path, CsvOptions};
use leadscore::options::TrainOptions;
use leadscore::{Model, Record};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

const MODEL: &str = "tests/fixtures/models/wa_churn_v1.lsm";
const RECORDS: &str = "tests/fixtures/records/wa_churn.jsonl";

/// The fixture sets (`tests/fixtures/fixtures.json`).
fn sets() -> Vec<serde_json::Value> {
    let text =
        std::fs::read_to_string(root().join("tests/fixtures/fixtures.json")).expect("manifest");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("manifest is JSON");
    doc["sets"].as_array().expect("a list of sets").clone()
}

fn read_records_at(path: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(root().join(path)).expect("records fixture");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| Record::from_json(l).expect("valid record"))
        .collect()
}

fn read_records() -> Vec<Record> {
    read_records_at(RECORDS)
}

/// The training options a set records, as the bindings pass them (JSON), with its
/// recipe file read in.
fn train_options(set: &serde_json::Value) -> Option<(String, TrainOptions)> {
    let t = set.get("train")?;
    let mut opts = t["options"].clone();
    if let Some(file) = t.get("recipe_file").and_then(|f| f.as_str()) {
        let recipe = std::fs::read_to_string(root().join(file)).expect("recipe fixture");
        opts["recipe"] = serde_json::Value::String(recipe);
    }
    opts["target"] = t["target"].clone();
    let data = t["data"].as_str().expect("train.data").to_owned();
    Some((data, TrainOptions::from_json(&opts).expect("valid options")))
}

/// Trains a set that says how (the data file and the options every binding passes).
fn train_set(set: &serde_json::Value) -> Option<Model> {
    let (data, opts) = train_options(set)?;
    let table = read_csv_path(root().join(data), &CsvOptions::default()).expect("fixture data");
    Some(opts.train_table(&table).expect("fixture trains"))
}

/// The expected scores and explanations of a model on records.
fn expected(model: &Model, records: &[Record]) -> Vec<serde_json::Value> {
    records
        .iter()
        .map(|r| {
            let s = model.score(r).unwrap();
            let e = model.explain(r, 3).unwrap();
            serde_json::json!({"probability": s.probability, "score": s.score, "label": s.label,
                "explain_k3": {"positive": e.positive, "negative": e.negative}})
        })
        .collect()
}

/// Writes a set: its model (trained as the set says) and the expected values on its
/// records (which are written by hand or by `write_demo_records`).
fn write_set(set: &serde_json::Value) {
    let name = set["name"].as_str().unwrap();
    if name == "demo_recipe_v2" {
        write_demo_records(set["records"].as_str().unwrap());
    }
    let model =
        train_set(set).unwrap_or_else(|| panic!("set {name} does not say how it was trained"));
    model
        .save(root().join(set["model"].as_str().unwrap()))
        .unwrap();
    let model = Model::load(root().join(set["model"].as_str().unwrap())).unwrap();
    let records = read_records_at(set["records"].as_str().unwrap());
    let doc = serde_json::json!({
        "model": set["model"], "records": set["records"],
        "note": "probabilities and contributions must match to 1e-12 in every binding; explain_k3 is explain(record, 3)",
        "scores": expected(&model, &records),
    });
    std::fs::write(
        root().join(set["expected"].as_str().unwrap()),
        serde_json::to_string_pretty(&doc).unwrap() + "\n",
    )
    .unwrap();
}

/// The demo set's records: 20 rows of its data and edge cases (an empty record, text
/// in Russian and English with negations and punctuation, a 400-character comment,
/// numbers as strings with a decimal comma, an unseen city, null and unknown fields,
/// booleans written four ways, extreme numbers).
fn write_demo_records(path: &str) {
    let table = read_csv_path(
        root().join("tests/fixtures/data/demo_tenant.csv"),
        &CsvOptions::default(),
    )
    .unwrap();
    let mut lines = Vec::new();
    for i in (0..table.n_rows()).step_by(table.n_rows() / 20).take(20) {
        let mut obj = serde_json::Map::new();
        for (k, v) in table.record(i).iter() {
            if k == "converted" {
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
        let sorted: std::collections::BTreeMap<_, _> = obj.into_iter().collect();
        lines.push(serde_json::to_string(&sorted).unwrap());
    }
    let long = "Клиент долго сравнивал предложения, но в итоге попросил выставить счёт и прислать договор на подпись. ".repeat(4);
    let edge = [
        serde_json::json!({}),
        serde_json::json!({"comment": "НЕ интересно!!! Больше не звонить.", "calls": "3", "lifetime_days": "1,5", "source": "  web ", "has_phone": true, "has_email": "no"}),
        serde_json::json!({"comment": long, "city": "Nowhere", "calls": 1e9, "emails": -5, "meetings": 12, "deal_amount": null, "has_phone": 1, "not_a_field": "x"}),
        serde_json::json!({"comment": "Not interested at all, don't call. Thanks!", "source": "partner", "city": "Kazan", "weekday": "Sat", "has_phone": "yes", "has_email": 0, "tasks": 2, "chats": 0}),
        serde_json::json!({"comment": "договор подписан, ждём оплату по счёту", "deal_amount": 250000, "lifetime_days": 0, "calls": 0}),
    ];
    for e in edge {
        lines.push(serde_json::to_string(&e).unwrap());
    }
    std::fs::write(root().join(path), lines.join("\n") + "\n").unwrap();
}

#[test]
fn golden_sets_score_unchanged() {
    if let Ok(name) = std::env::var("LEADSCORE_WRITE_GOLDEN") {
        let set = sets()
            .into_iter()
            .find(|s| s["name"] == name.as_str())
            .unwrap_or_else(|| panic!("no fixture set {name} in tests/fixtures/fixtures.json"));
        write_set(&set);
    }
    let all = sets();
    assert!(all.len() >= 2);
    for set in &all {
        check_set(set);
    }
}

/// A set's model loads and reproduces the expected values on every path; a set that
/// says how it was trained trains again to the same model.
fn check_set(set: &serde_json::Value) {
    let name = set["name"].as_str().unwrap();
    let model =
        Model::load(root().join(set["model"].as_str().unwrap())).expect("golden model loads");
    let file = std::fs::read(root().join(set["model"].as_str().unwrap())).unwrap();
    assert_eq!(
        u64::from(u16::from_le_bytes([file[4], file[5]])),
        set["format_version"].as_u64().unwrap(),
        "{name}: the file keeps its format version"
    );
    let doc: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join(set["expected"].as_str().unwrap())).unwrap(),
    )
    .unwrap();
    let scores = doc["scores"].as_array().unwrap();
    let records = read_records_at(set["records"].as_str().unwrap());
    assert_eq!(records.len(), scores.len(), "{name}");
    assert!(records.len() >= 24, "{name}");
    check_scores(name, &model, &records, scores);
    // Saved again, it is written in the current format version and reads back as the
    // same model: nothing is lost in a load/save cycle.
    let bytes = model.to_bytes().unwrap();
    assert_eq!(
        u16::from_le_bytes([bytes[4], bytes[5]]),
        leadscore::format::FORMAT_VERSION
    );
    let again = Model::from_bytes(&bytes).unwrap();
    assert_eq!(again, model, "{name}");
    assert_eq!(again.to_bytes().unwrap(), bytes, "{name}");
    // Trained again from its data and options, it is the same model.
    if let Some(trained) = train_set(set) {
        assert_eq!(
            trained.coefficients(),
            model.coefficients(),
            "{name}: retrained coefficients"
        );
        assert_eq!(
            trained.threshold(),
            model.threshold(),
            "{name}: retrained threshold (its policy's cut)"
        );
        assert_eq!(trained.evaluation(), model.evaluation(), "{name}");
        check_scores(name, &trained, &records, scores);
    }
}

fn check_scores(name: &str, model: &Model, records: &[Record], scores: &[serde_json::Value]) {
    for (i, (r, e)) in records.iter().zip(scores).enumerate() {
        let s = model.score(r).unwrap();
        let want = e["probability"].as_f64().unwrap();
        assert!(
            (s.probability - want).abs() <= 1e-12,
            "{name} record {i}: {} vs {want}",
            s.probability
        );
        assert_eq!(
            u64::from(s.score),
            e["score"].as_u64().unwrap(),
            "{name} record {i}"
        );
        assert_eq!(s.label, e["label"].as_bool().unwrap(), "{name} record {i}");
        let ex = model.explain(r, 3).unwrap();
        for (side, got) in [("positive", &ex.positive), ("negative", &ex.negative)] {
            let want = e["explain_k3"][side].as_array().unwrap();
            assert_eq!(got.len(), want.len(), "{name} record {i} {side}");
            for (g, w) in got.iter().zip(want) {
                assert_eq!(g.field, w["field"].as_str().unwrap(), "{name} record {i}");
                assert_eq!(g.label, w["label"].as_str().unwrap(), "{name} record {i}");
                assert!((g.contribution - w["contribution"].as_f64().unwrap()).abs() <= 1e-12);
            }
        }
    }
    // The batch path gives the same probabilities as the record path.
    let table = leadscore::Table::from_records(records);
    let batch = model.score_batch(&table).unwrap();
    for (i, (p, e)) in batch.iter().zip(scores).enumerate() {
        assert!(
            (p - e["probability"].as_f64().unwrap()).abs() <= 1e-12,
            "{name} batch record {i}"
        );
    }
}

/// The coded path (numbers and level codes, what the Node binding sends) gives the
/// full path's log-odds bit for bit on every fixture record it can take, and refuses
/// what it cannot take (the binding then takes the full path, which names the field).
#[test]
fn coded_path_matches_the_record_path() {
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
        // The full path on a record laid out for the model (its values by slot).
        let mut laid = model.record();
        for (n, v) in names.iter().zip(&values) {
            laid.set_value(n, v.clone());
        }
        let full = model.logit(&laid);
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

/// The first release's auto recipe written in the recipe language, at `c = 1`, trains
/// the version 1 golden model again: the same features in the same order, the same
/// optimum (to the solver's tolerance), the same scores.
#[test]
fn first_release_auto_recipe_trains_the_v1_model_again() {
    let recipe =
        std::fs::read_to_string(root().join("tests/fixtures/recipes/wa_churn_v1_auto.recipe"))
            .unwrap();
    let opts = TrainOptions::from_json(
        &serde_json::json!({"target": "churn", "recipe": recipe, "c": 1.0, "cv": 0}),
    )
    .unwrap();
    let table = read_csv_path(
        root().join("examples/data/wa_churn.csv"),
        &CsvOptions::default(),
    )
    .unwrap();
    let trained = opts.train_table(&table).unwrap();
    let golden = Model::load(root().join(MODEL)).unwrap();
    assert_eq!(trained.feature_names(), golden.feature_names());
    for (a, b) in trained.coefficients().iter().zip(golden.coefficients()) {
        assert!((a - b).abs() <= 1e-6 * b.abs().max(1.0), "{a} vs {b}");
    }
    for r in read_records() {
        let (p, q) = (
            trained.score(&r).unwrap().probability,
            golden.score(&r).unwrap().probability,
        );
        assert!((p - q).abs() <= 1e-7, "{p} vs {q}");
    }
}
