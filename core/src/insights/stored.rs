//! Insights as a model stores them: computed from the training rows at fit time, the
//! text columns' strongest terms from the fitted coefficients added, written as
//! compact JSON and bounded in size so a model stays small.

use super::Insights;
use crate::data::Kind;
use crate::model::Model;
use serde_json::{json, Value};

/// The most bytes of insights a model stores (compact JSON). Beyond it the weakest
/// columns are left out (they are last: columns are sorted by strength), and
/// `columns_omitted` says how many.
pub use crate::model::MAX_STORED_INSIGHTS_BYTES as MAX_STORED_BYTES;

/// Terms listed per text column by their coefficient.
pub const TOP_COEFFICIENTS: usize = 20;

/// The stored form of `insights` for `model`: each text column gains
/// `top_coefficients` (its features with the largest non-zero coefficients, as
/// `{feature, coef}`, strongest first); the JSON is cut to [`MAX_STORED_BYTES`].
pub(crate) fn stored(insights: &Insights, model: &Model) -> String {
    let mut doc = insights.to_json();
    let by_column = coefficients_by_text_column(model);
    if let Some(cols) = doc.get_mut("columns").and_then(Value::as_array_mut) {
        for col in cols.iter_mut() {
            let Some(name) = col.get("name").and_then(Value::as_str) else {
                continue;
            };
            if let Some(top) = by_column.iter().find(|(n, _)| n == name).map(|(_, t)| t) {
                let list: Vec<Value> = top
                    .iter()
                    .map(|(f, c)| json!({"feature": f, "coef": c}))
                    .collect();
                col["top_coefficients"] = Value::Array(list);
            }
        }
    }
    bounded(doc)
}

/// `doc` as compact JSON of at most [`MAX_STORED_BYTES`]: as many of the strongest
/// columns as fit (their warnings kept with them), and `columns_omitted`.
fn bounded(mut doc: Value) -> String {
    let text = doc.to_string();
    if text.len() <= MAX_STORED_BYTES {
        return text;
    }
    let all: Vec<Value> = doc
        .get_mut("columns")
        .and_then(Value::as_array_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let warnings: Vec<Value> = doc
        .get_mut("warnings")
        .and_then(Value::as_array_mut)
        .map(std::mem::take)
        .unwrap_or_default();
    let with = |doc: &mut Value, k: usize| {
        let kept: Vec<&str> = all[..k]
            .iter()
            .filter_map(|c| c.get("name").and_then(Value::as_str))
            .collect();
        doc["columns"] = Value::Array(all[..k].to_vec());
        doc["warnings"] = Value::Array(
            warnings
                .iter()
                .filter(|w| {
                    w.get("column")
                        .and_then(Value::as_str)
                        .is_some_and(|c| kept.contains(&c))
                })
                .cloned()
                .collect(),
        );
        doc["columns_omitted"] = json!(all.len() - k);
        doc.to_string()
    };
    // The largest prefix that fits, by bisection (sizes grow with the prefix).
    let (mut lo, mut hi) = (0usize, all.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if with(&mut doc, mid).len() <= MAX_STORED_BYTES {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let text = with(&mut doc, lo);
    if text.len() <= MAX_STORED_BYTES {
        text
    } else {
        // Even the summary alone is too large (a huge target label): store none of it.
        json!({"columns": [], "warnings": [], "columns_omitted": all.len()}).to_string()
    }
}

/// Each text input's features with non-zero coefficients, strongest first (at most
/// [`TOP_COEFFICIENTS`]).
fn coefficients_by_text_column(model: &Model) -> Vec<(String, Vec<(String, f64)>)> {
    let pipeline = &model.pipeline;
    let (groups, group_of_step) = pipeline.groups();
    let names = pipeline.feature_names();
    let coef = model.coefficients();
    let mut out: Vec<(String, Vec<(String, f64)>)> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let Some(input) = group.input else { continue };
        let Some(field) = pipeline.inputs().get(input).map(|i| i.name.clone()) else {
            continue;
        };
        if model.schema().kind_of(&field) != Some(Kind::Text) {
            continue;
        }
        let mut feats: Vec<(String, f64)> = Vec::new();
        for (s, step) in pipeline.steps().iter().enumerate() {
            if group_of_step.get(s) != Some(&g) {
                continue;
            }
            for j in step.offset()..step.offset() + step.width() {
                let c = coef.get(j).copied().unwrap_or(0.0);
                if c != 0.0 {
                    feats.push((names.get(j).cloned().unwrap_or_default(), c));
                }
            }
        }
        feats.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        feats.truncate(TOP_COEFFICIENTS);
        match out.iter_mut().find(|(n, _)| *n == field) {
            Some((_, list)) => {
                list.extend(feats);
                list.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
                list.truncate(TOP_COEFFICIENTS);
            }
            None => out.push((field, feats)),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_insights_keep_the_strongest_columns_that_fit() {
        let big = "x".repeat(4000);
        let columns: Vec<Value> = (0..200)
            .map(|i| json!({"name": format!("c{i}"), "pad": big}))
            .collect();
        let warnings: Vec<Value> = (0..200)
            .map(|i| json!({"column": format!("c{i}"), "code": "constant"}))
            .collect();
        let doc = json!({"summary": {"rows": 1}, "columns": columns, "warnings": warnings});
        let text = bounded(doc);
        assert!(text.len() <= MAX_STORED_BYTES);
        let v: Value = serde_json::from_str(&text).unwrap();
        let kept = v["columns"].as_array().unwrap();
        assert!(kept.len() > 50 && kept.len() < 200, "{}", kept.len());
        assert_eq!(kept[0]["name"], "c0");
        assert_eq!(v["columns_omitted"], 200 - kept.len());
        assert_eq!(v["warnings"].as_array().unwrap().len(), kept.len());
        let small = json!({"columns": [], "warnings": []});
        assert_eq!(bounded(small.clone()), small.to_string());
    }
}
