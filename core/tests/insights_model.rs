//! Insights stored in a model at fit time: present by default, with the text columns'
//! strongest terms by coefficient, kept through the file, absent when turned off.

use leadscore::data::csv::{read_csv_path, CsvOptions};
use leadscore::options::TrainOptions;
use leadscore::Model;

fn train(data: &str, options: &str) -> Model {
    let p = format!("{}/../{data}", env!("CARGO_MANIFEST_DIR"));
    let table = read_csv_path(p, &CsvOptions::default()).unwrap();
    TrainOptions::from_json_str(options)
        .unwrap()
        .train_table(&table)
        .unwrap()
}

#[test]
fn a_trained_model_stores_its_insights() {
    let recipe = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/recipes/every_function.recipe"
    ))
    .unwrap();
    let opts = serde_json::json!({"target": "converted", "cv": 0, "recipe": recipe,
        "kinds": {"lead_id": "id"}});
    let m = train("tests/fixtures/data/demo_tenant.csv", &opts.to_string());
    let ins = m.insights().unwrap().expect("insights stored by default");
    assert_eq!(ins["summary"]["rows"], 3000);
    let cols = ins["columns"].as_array().unwrap();
    let comment = cols
        .iter()
        .find(|c| c["name"] == "comment")
        .expect("the text column");
    assert_eq!(comment["kind"], "text");
    assert!(!comment["tokens"]["top"].as_array().unwrap().is_empty());
    let top = comment["top_coefficients"]
        .as_array()
        .expect("terms by coefficient");
    assert!(!top.is_empty() && top.len() <= leadscore::insights::TOP_COEFFICIENTS);
    let mags: Vec<f64> = top
        .iter()
        .map(|t| t["coef"].as_f64().unwrap().abs())
        .collect();
    assert!(mags.windows(2).all(|w| w[0] >= w[1]), "{mags:?}");
    assert!(top
        .iter()
        .all(|t| t["feature"].as_str().unwrap().starts_with("comment")));
    // lead_id is an id column: flagged, and listed with the others.
    assert!(cols.iter().any(|c| c["name"] == "lead_id"));
    assert!(m.insights_json().unwrap().len() <= leadscore::insights::MAX_STORED_BYTES);
    // Through the file.
    let back = Model::from_bytes(&m.to_bytes().unwrap()).unwrap();
    assert_eq!(back.insights().unwrap(), Some(ins.clone()));
    assert_eq!(back.to_json()["insights"], ins);
}

#[test]
fn insights_can_be_left_out() {
    let m = train(
        "examples/data/wa_churn.csv",
        r#"{"target":"churn","cv":0,"insights":false}"#,
    );
    assert_eq!(m.insights().unwrap(), None);
    let with = train("examples/data/wa_churn.csv", r#"{"target":"churn","cv":0}"#);
    let ins = with.insights().unwrap().unwrap();
    let first: Vec<&str> = ins["columns"].as_array().unwrap()[..5]
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert!(
        first.contains(&"tenure") && first.contains(&"contract"),
        "{first:?}"
    );
    assert!(with.to_bytes().unwrap().len() > m.to_bytes().unwrap().len());
}
