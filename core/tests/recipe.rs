//! Recipes end to end: every function trains, scores the same through every path
//! (record, values, batch) to the bit, explains itself in words, survives a save and
//! load, and fails with the recipe's line and column when it is wrong.

use leadscore::data::csv::read_csv_bytes;
use leadscore::{synth, ErrorCode, Model, Record, Table, TargetSpec, TrainConfig, Trainer, Value};

/// Every function of the language at least once.
const EVERY_FUNCTION: &str = r#"
# numbers
standardize(lifetime_days)
quantile_bin(deal_amount, 8)
log1p(emails)
rate(calls, lifetime_days)
clip(meetings, 0, 3)
missing(deal_amount)
# categories
one_hot(source, min_count=20)
cartesian(source, city)
cartesian(quantile_bin(calls, 4), has_phone)
hash(city, 6)
has_email
# text
ngram(negate(lowercase(no_punct(comment))), 2, min_df=2, max_terms=500)
osb(lowercase(comment), 3)
hash(ngram(comment, 1), 8)
"#;

fn config(recipe: &str) -> TrainConfig {
    TrainConfig {
        recipe: Some(recipe.to_owned()),
        cv_folds: 0,
        ..TrainConfig::default()
    }
}

fn demo(rows: usize) -> Table {
    synth::tenant_with_rows(11, 2, rows).table
}

/// The records of a table's first `n` rows, and edge cases.
fn records(table: &Table, n: usize) -> Vec<Record> {
    let mut out: Vec<Record> = (0..n).map(|i| table.record(i)).collect();
    out.push(Record::new());
    out.push(
        Record::new()
            .with("comment", "НЕ интересно!!! Перезвонить не надо")
            .with("calls", "3")
            .with("lifetime_days", 0)
            .with("source", "  web ")
            .with("has_phone", true)
            .with("deal_amount", Value::Missing),
    );
    out.push(
        Record::new()
            .with("comment", "договор подписан, ждём оплату по счёту")
            .with("city", "Nowhere")
            .with("calls", 1e9)
            .with("emails", -5)
            .with("meetings", 12),
    );
    out
}

#[test]
fn every_function_scores_alike_on_every_path() {
    let table = demo(3000);
    let model = Trainer::new(config(EVERY_FUNCTION))
        .unwrap()
        .fit(&table, &TargetSpec::new(synth::TARGET))
        .unwrap();
    assert_eq!(model.recipe(), EVERY_FUNCTION);
    let names = model.feature_names();
    for want in [
        "deal_amount in [",
        "deal_amount is missing",
        "source × city = ",
        " × yes",
        "city in bucket ",
        "comment contains \"",
        "calls / lifetime_days",
        "log1p(emails)",
    ] {
        assert!(
            names.iter().any(|n| n.contains(want)),
            "no feature like {want:?}"
        );
    }
    let recs = records(&table, 200);
    let batch_table = Table::from_records(&recs);
    let batch = model.logits_batch(&batch_table).unwrap();
    let inputs = model.input_names();
    for (i, r) in recs.iter().enumerate() {
        let z = model.logit(r).unwrap();
        // The same record laid out for the model: read by slot, not by name.
        let mut laid = model.record();
        for n in &inputs {
            if let Some(v) = r.get(n) {
                laid.set_value(n, v.clone());
            }
        }
        assert_eq!(
            z.to_bits(),
            model.logit(&laid).unwrap().to_bits(),
            "record {i}"
        );
        assert_eq!(
            z.to_bits(),
            batch[i].to_bits(),
            "record {i}: {z} vs {}",
            batch[i]
        );
        // The explanation's contributions add up to the score.
        let e = model.explain(r, 1000).unwrap();
        let total: f64 = e
            .positive
            .iter()
            .chain(&e.negative)
            .map(|x| x.contribution)
            .sum();
        let base = (e.base_probability / (1.0 - e.base_probability)).ln();
        assert!(
            (base + total - z).abs() < 1e-9,
            "record {i}: {} vs {z}",
            base + total
        );
        assert!(e
            .positive
            .iter()
            .chain(&e.negative)
            .all(|x| !x.label.is_empty()));
    }
    // The batch path over the training table itself equals the record path too.
    let all = model.logits_batch(&table).unwrap();
    for i in (0..table.n_rows()).step_by(97) {
        assert_eq!(
            all[i].to_bits(),
            model.logit(&table.record(i)).unwrap().to_bits()
        );
    }
    // No coded fast path for steps beyond the first release's: bindings use the full one.
    assert!(model.coded_scorer().is_none());

    // Saved and loaded (the current format), the model is the same and scores the same.
    let bytes = model.to_bytes().unwrap();
    assert_eq!(
        u16::from_le_bytes([bytes[4], bytes[5]]),
        leadscore::format::FORMAT_VERSION
    );
    let back = Model::from_bytes(&bytes).unwrap();
    assert_eq!(back, model);
    for r in &recs {
        assert_eq!(
            back.logit(r).unwrap().to_bits(),
            model.logit(r).unwrap().to_bits()
        );
        assert_eq!(back.explain(r, 3).unwrap(), model.explain(r, 3).unwrap());
    }
    assert!(model.heap_size() > 10_000);
}

#[test]
fn reasons_are_worded_by_what_the_lead_holds() {
    // A text and a binned number decide the target.
    let mut csv = String::from("days,city,note,won\n");
    for i in 0..3000 {
        let days = (i * 37) % 120;
        let city = ["Kazan", "Omsk", "Tver"][i % 3];
        let (note, sign) = match i % 4 {
            0 => ("клиент подписал договор", 1),
            1 => ("не интересно, не звонить", -1),
            2 => ("просил перезвонить позже", 0),
            _ => ("no comment at all", 0),
        };
        let sweet = (30..60).contains(&days);
        let score = sign * 2 + i32::from(sweet) * 2 + i32::from(i % 7 == 0);
        let won = i32::from(score >= 2);
        csv += &format!("{days},{city},\"{note}\",{won}\n");
    }
    let table = read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
    let recipe = "quantile_bin(days, 4)\ncity\nngram(negate(lowercase(no_punct(note))), 1)\ncartesian(city, quantile_bin(days, 2))";
    let model = Trainer::new(config(recipe))
        .unwrap()
        .fit(&table, &TargetSpec::new("won"))
        .unwrap();
    let lead = Record::new()
        .with("days", 45)
        .with("city", "Kazan")
        .with("note", "Клиент подписал ДОГОВОР");
    let e = model.explain(&lead, 5).unwrap();
    let labels: Vec<&str> = e.positive.iter().map(|r| r.label.as_str()).collect();
    assert!(
        labels.iter().any(|l| l.starts_with("note contains \"")),
        "{labels:?}"
    );
    assert!(labels.contains(&"days in [30, 60)"), "{labels:?}");
    let lead = Record::new().with("days", 5).with("note", "Не интересно");
    let e = model.explain(&lead, 5).unwrap();
    let labels: Vec<&str> = e.negative.iter().map(|r| r.label.as_str()).collect();
    assert!(
        labels
            .iter()
            .any(|l| l.contains("not_интересно") || l.contains("\"не\"")),
        "{labels:?}"
    );
    assert!(
        labels.iter().any(|l| l.starts_with("days < ")),
        "{labels:?}"
    );
    // A missing text says so; the cross is one reason named by both fields.
    let e = model
        .explain(&Record::new().with("city", "Omsk").with("days", 100), 10)
        .unwrap();
    let all: Vec<&leadscore::Reason> = e.positive.iter().chain(&e.negative).collect();
    assert!(all.iter().any(|r| r.field == "city × days"), "{all:?}");
    if let Some(r) = all.iter().find(|r| r.field == "note") {
        assert_eq!(r.label, "note is missing");
    }
}

#[test]
fn recipe_errors_name_line_and_column_before_training() {
    let table = demo(2500);
    let target = TargetSpec::new(synth::TARGET);
    let cases = [
        (
            "calls\none_hot(citty)",
            ErrorCode::UnknownColumn,
            "recipe line 2, column 9: unknown column \"citty\" (did you mean \"city\"?)",
        ),
        (
            "rate(calls, source)",
            ErrorCode::InvalidInput,
            "recipe line 1, column 13: rate takes a number, but \"source\" is a category",
        ),
        (
            "ngram(comment, 2",
            ErrorCode::InvalidInput,
            "recipe line 1, column 17: expected ',' or ')'",
        ),
        (
            "# nothing but a comment",
            ErrorCode::InvalidInput,
            "the recipe makes no features",
        ),
    ];
    for (recipe, code, want) in cases {
        let e = Trainer::new(config(recipe))
            .unwrap()
            .fit(&table, &target)
            .unwrap_err();
        assert_eq!(e.code(), code, "{recipe}: {e}");
        assert!(e.to_string().contains(want), "{recipe}: {e}");
        assert!(!e.to_string().contains('\n'));
    }
    // The same from evaluation, and from the JSON options of the bindings.
    let cfg = TrainConfig {
        cv_folds: 3,
        ..config("log1p(nope)")
    };
    let e = Trainer::new(cfg)
        .unwrap()
        .evaluate(&table, &target)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnknownColumn);
    let o = leadscore::options::TrainOptions::from_json_str(
        r#"{"target": "y", "recipe": "calls\nlog1p(emails)", "c": "auto"}"#,
    )
    .unwrap();
    assert_eq!(o.config.recipe.as_deref(), Some("calls\nlog1p(emails)"));
    assert_eq!(o.config.c, None);
    let o = leadscore::options::TrainOptions::from_json_str(
        r#"{"target": "y", "recipe": "auto", "c": 0.5}"#,
    )
    .unwrap();
    assert_eq!((o.config.recipe, o.config.c), (None, Some(0.5)));
}

#[test]
fn auto_recipe_of_every_kind() {
    let mut csv = String::from("amount,sparse_gap,rare_gap,flag,city,note,lead_id,won\n");
    for i in 0..2000 {
        let gap = if i % 20 == 0 {
            String::new()
        } else {
            format!("{}", i % 13)
        };
        let rare = if i % 400 == 0 {
            String::new()
        } else {
            format!("{}", i % 11)
        };
        csv += &format!(
            "{}.5,{gap},{rare},{},{},call me back about the offer {i},L-{i},{}\n",
            i % 97,
            i % 2,
            ["a", "b", "c"][i % 3],
            i % 3 == 0
        );
    }
    let table = read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
    let trainer = Trainer::new(TrainConfig::default()).unwrap();
    let recipe = trainer.recipe_for(&table, &TargetSpec::new("won")).unwrap();
    let lines: Vec<&str> = recipe.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(
        lines,
        [
            "standardize(amount)",
            "quantile_bin(amount, 10)",
            "standardize(sparse_gap)",
            // 100 of 2,000 rows missing: enough to learn an indicator.
            "missing(sparse_gap)",
            "quantile_bin(sparse_gap, 10)",
            "standardize(rare_gap)",
            "quantile_bin(rare_gap, 10)",
            // 5 of 2,000 rows: no indicator.
            "flag",
            "one_hot(city, min_count=10, max_levels=200)",
            "ngram(negate(lowercase(no_punct(note))), 2, min_df=1, max_terms=100000)",
        ]
    );
    // The auto recipe trains as written out.
    let model = trainer.fit(&table, &TargetSpec::new("won")).unwrap();
    assert_eq!(model.recipe(), recipe);
    assert!(model.meta().c_auto);
    assert!(model.meta().c > 0.0);
}

#[test]
fn fixed_c_keeps_the_given_strength() {
    let table = demo(2500);
    let cfg = TrainConfig {
        c: Some(0.5),
        cv_folds: 0,
        ..TrainConfig::default()
    };
    let m = Trainer::new(cfg)
        .unwrap()
        .fit(&table, &TargetSpec::new(synth::TARGET))
        .unwrap();
    assert_eq!(m.meta().c, 0.5);
    assert!(!m.meta().c_auto);
}

#[test]
fn booleans_as_numbers_and_numbers_with_their_indicator() {
    let table = demo(2500);
    // `has_phone` is written yes/no: read as 1/0 where a number is expected, on the
    // table and record paths alike; `standardize(x)` then `missing(x)` is one step
    // with its indicator column, as the first release's.
    let recipe = "standardize(has_phone)\nstandardize(deal_amount)\nmissing(deal_amount)\ncartesian(has_phone, source)";
    let model = Trainer::new(config(recipe))
        .unwrap()
        .fit(&table, &TargetSpec::new(synth::TARGET))
        .unwrap();
    let steps = model.pipeline().steps();
    assert_eq!(steps.len(), 3, "{steps:?}");
    assert!(matches!(
        steps[1],
        leadscore::recipe::Step::Standardize {
            missing_indicator: true,
            ..
        }
    ));
    assert_eq!(
        model.feature_names()[1..3],
        [
            "deal_amount".to_owned(),
            "deal_amount is missing".to_owned()
        ]
    );
    let recs = records(&table, 50);
    let batch = model.logits_batch(&Table::from_records(&recs)).unwrap();
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(
            model.logit(r).unwrap().to_bits(),
            batch[i].to_bits(),
            "record {i}"
        );
    }
    let yes = model
        .logit(&Record::new().with("has_phone", "yes"))
        .unwrap();
    assert_eq!(
        yes.to_bits(),
        model
            .logit(&Record::new().with("has_phone", true))
            .unwrap()
            .to_bits()
    );
    assert_eq!(
        yes.to_bits(),
        model
            .logit(&Record::new().with("has_phone", 1))
            .unwrap()
            .to_bits()
    );
    let e = model
        .logit(&Record::new().with("has_phone", "maybe"))
        .unwrap_err();
    assert!(e.to_string().contains("has_phone"), "{e}");
}
