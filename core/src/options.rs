//! Training options as one JSON object, the form every binding passes them in (a PHP
//! array, Python keyword arguments, a JavaScript object, a C string), parsed and
//! validated in one place.
//!
//! ```
//! use leadscore::options::TrainOptions;
//! let o = TrainOptions::from_json_str(r#"{"target": "won", "balance": "none", "c": 0.5, "cv": 3}"#)?;
//! assert_eq!(o.config.c, Some(0.5));
//! assert_eq!(o.target.column, "won");
//! # Ok::<(), leadscore::Error>(())
//! ```

use crate::data::csv::CsvOptions;
use crate::data::json::JsonOptions;
use crate::data::{Kind, TargetSpec};
use crate::error::{Error, Result};
use crate::eval::ThresholdPolicy;
use crate::insights::{Insights, InsightsOptions};
use crate::train::{Balance, Penalty, TrainConfig};

/// Parsed training options: the target, the training configuration and how to read
/// files.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// The target column and positive class.
    pub target: TargetSpec,
    /// The validated training configuration.
    pub config: TrainConfig,
    /// CSV reading options (`delimiter`, `decimal_comma`).
    pub csv: CsvOptions,
}

/// The option names [`TrainOptions::from_json`] accepts (snake_case; the bindings
/// also accept their language's camelCase spelling and convert it).
pub const OPTION_NAMES: &[&str] = &[
    "target",
    "positive",
    "balance",
    "c",
    "penalty",
    "l1_ratio",
    "max_features",
    "max_model_bytes",
    "insights",
    "recipe",
    "min_rows",
    "min_positives",
    "cv",
    "threshold",
    "time_column",
    "test_share",
    "challenger",
    "seed",
    "max_iter",
    "tol",
    "min_count",
    "max_levels",
    "kinds",
    "threads",
    "delimiter",
    "decimal_comma",
];

impl TrainOptions {
    /// Parses options from JSON text (see [`TrainOptions::from_json`]).
    pub fn from_json_str(text: &str) -> Result<TrainOptions> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::InvalidInput(format!("options are not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Parses options from a JSON object. `target` is required; everything else has
    /// the [`TrainConfig`] default. Names may be written in snake_case (`min_rows`,
    /// Python, C) or camelCase (`minRows`, PHP, JavaScript); a `null` value counts as
    /// absent. Unknown names, a name given twice (in both spellings) and values of the
    /// wrong type are errors naming the option.
    ///
    /// | name | type | meaning |
    /// |---|---|---|
    /// | `target` | string | the target column |
    /// | `positive` | string or number | the positive class |
    /// | `balance` | string | `upsample`, `downsample`, `class_weight`, `none` |
    /// | `c` | number or `"auto"` | inverse penalty strength (default `"auto"`: chosen from the data for L2, 1 otherwise) |
    /// | `penalty` | string | `l2` (default), `l1`, `elasticnet` |
    /// | `l1_ratio` | number | the elastic net's L1 share, 0 to 1 (default 0.5) |
    /// | `max_features` | integer | keep at most this many features (the strongest), refitted |
    /// | `max_model_bytes` | integer | keep the most features whose refitted model file fits in this many bytes |
    /// | `insights` | boolean | store the training data's insights in the model (default `true`) |
    /// | `recipe` | string | the feature recipe text (default `"auto"`) |
    /// | `min_rows`, `min_positives` | integer | minimum data |
    /// | `cv` | integer | cross-validation folds (0 = none) |
    /// | `threshold` | string | threshold policy: `balanced` (default), `max_f1`, `precision>=P`, `recall>=R`, `top_share=S` |
    /// | `time_column` | string | evaluate on a time split by this column instead of k-fold |
    /// | `test_share` | number | the share a time split holds out (default 0.2) |
    /// | `challenger` | boolean | also measure a random forest on the same folds (default `false`) |
    /// | `seed` | integer | seed of folds and resampling |
    /// | `max_iter` | integer | solver iteration cap |
    /// | `tol` | number | solver gradient tolerance |
    /// | `min_count`, `max_levels` | integer | one-hot level folding |
    /// | `kinds` | object | column -> `numeric`/`boolean`/`categorical`/`text`/`id` |
    /// | `threads` | integer | worker threads for folds (0 = all cores) |
    /// | `delimiter` | string | CSV delimiter: one character or `tab` |
    /// | `decimal_comma` | boolean | numbers written `1,5` |
    pub fn from_json(v: &serde_json::Value) -> Result<TrainOptions> {
        let mut config = TrainConfig::default();
        let mut csv = CsvOptions::default();
        let mut target = TargetParts::default();
        each_option(v, OPTION_NAMES, |key, val| {
            if target.read(key, val)? || read_csv_option(&mut csv, key, val)? {
                return Ok(());
            }
            let bad = |want: &str| bad_option(key, val, want);
            let uint = || uint_option(key, val);
            let num = || val.as_f64().ok_or_else(|| bad("a number"));
            match key {
                "balance" => {
                    config.balance = Balance::parse(val.as_str().ok_or_else(|| bad("a string"))?)?
                }
                "c" => {
                    config.c = match val {
                        serde_json::Value::String(t) if t.trim().eq_ignore_ascii_case("auto") => {
                            None
                        }
                        _ => Some(
                            val.as_f64()
                                .ok_or_else(|| bad("a positive number or \"auto\""))?,
                        ),
                    }
                }
                "penalty" => {
                    config.penalty = Penalty::parse(val.as_str().ok_or_else(|| bad("a string"))?)?
                }
                "l1_ratio" => config.l1_ratio = Some(num()?),
                "max_features" => config.max_features = Some(uint()?),
                "max_model_bytes" => {
                    config.max_model_bytes =
                        Some(whole_number(val).ok_or_else(|| bad("a whole number of bytes"))?)
                }
                "insights" => config.insights = val.as_bool().ok_or_else(|| bad("a boolean"))?,
                "recipe" => {
                    let text = val
                        .as_str()
                        .ok_or_else(|| bad("a string (the recipe text)"))?;
                    config.recipe =
                        (!text.trim().eq_ignore_ascii_case("auto")).then(|| text.to_owned());
                }
                "min_rows" => config.min_rows = uint()?,
                "min_positives" => config.min_positives = uint()?,
                "cv" => config.cv_folds = uint()?,
                "threshold" => {
                    config.threshold = ThresholdPolicy::parse(
                        val.as_str()
                            .ok_or_else(|| bad("a string such as \"precision>=0.6\""))?,
                    )?
                }
                "time_column" => {
                    config.time_column =
                        Some(val.as_str().ok_or_else(|| bad("a string"))?.to_owned())
                }
                "test_share" => config.test_share = num()?,
                "challenger" => {
                    config.challenger = val.as_bool().ok_or_else(|| bad("a boolean"))?
                }
                "seed" => {
                    config.seed = whole_number(val).ok_or_else(|| bad("a non-negative integer"))?
                }
                "max_iter" => config.max_iter = uint()?,
                "tol" => config.tol = Some(num()?),
                "min_count" => config.auto.min_count = uint()?,
                "max_levels" => config.auto.max_levels = uint()?,
                "threads" => config.threads = uint()?,
                "kinds" => config.kinds.extend(kinds_option(key, val)?),
                other => {
                    return Err(Error::Internal(format!(
                        "option \"{other}\" is listed but not handled"
                    )))
                }
            }
            Ok(())
        })?;
        let target = target.spec()?;
        config.validate()?;
        Ok(TrainOptions {
            target,
            config,
            csv,
        })
    }

    /// JSON Lines reading options matching the CSV ones.
    pub fn json_options(&self) -> JsonOptions {
        JsonOptions {
            decimal_comma: self.csv.decimal_comma,
            ..JsonOptions::default()
        }
    }

    /// Reads a data file (CSV, or JSON Lines for `.jsonl`/`.ndjson`) and trains on it.
    pub fn train_file(&self, path: impl AsRef<std::path::Path>) -> Result<crate::Model> {
        let table = crate::data::read_path(path.as_ref(), &self.csv, &self.json_options())?;
        self.train_table(&table)
    }

    /// Trains on a table.
    pub fn train_table(&self, table: &crate::Table) -> Result<crate::Model> {
        crate::Trainer::new(self.config.clone())?.fit(table, &self.target)
    }

    /// Cross-validates on a table without keeping a model.
    pub fn evaluate_table(&self, table: &crate::Table) -> Result<crate::eval::Metrics> {
        crate::Trainer::new(self.config.clone())?.evaluate(table, &self.target)
    }

    /// [`TrainOptions::evaluate_table`] with the evaluation a model would store (the
    /// threshold policy's cut, the threshold table; `leadscore eval`).
    pub fn evaluate_table_detailed(
        &self,
        table: &crate::Table,
    ) -> Result<(crate::eval::Metrics, crate::eval::Evaluation)> {
        crate::Trainer::new(self.config.clone())?.evaluate_detailed(table, &self.target)
    }
}

/// A non-negative whole number, also when it arrives as a float (`1000.0`: JavaScript
/// and PHP numbers often do), up to 2^53 where floats stop being exact.
pub fn whole_number(v: &serde_json::Value) -> Option<u64> {
    v.as_u64().or_else(|| {
        v.as_f64()
            .filter(|x| *x >= 0.0 && x.fract() == 0.0 && *x <= 9_007_199_254_740_992.0)
            .map(|x| x as u64)
    })
}

/// `minRows` -> `min_rows` (a name already in snake_case is unchanged).
pub fn snake_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, ch) in name.chars().enumerate() {
        if ch.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(ch.to_ascii_lowercase());
        } else {
            out.push(ch);
        }
    }
    out
}

/// `min_rows` -> `minRows`: the spelling PHP and JavaScript users write (and the key
/// style the Node package returns).
pub fn camel_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = false;
    for ch in name.chars() {
        if ch == '_' {
            upper = true;
        } else if upper {
            out.extend(ch.to_uppercase());
            upper = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// Every option name of `names`, with its camelCase spelling beside it where that
/// differs.
fn known_names(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| match camel_case(n) {
            c if c != *n => format!("{n} ({c})"),
            _ => (*n).to_owned(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Walks an options object: calls `f(name, value)` for every option with its name in
/// snake_case, skipping `null` values (absent). The object check, the name given
/// twice (in both spellings) and the unknown name (listing `names`) are errors here,
/// the same for every options parser.
pub(crate) fn each_option<'a>(
    v: &'a serde_json::Value,
    names: &[&str],
    mut f: impl FnMut(&str, &'a serde_json::Value) -> Result<()>,
) -> Result<()> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::InvalidInput("options must be an object of name -> value".into()))?;
    let mut seen: Vec<(String, &str)> = Vec::with_capacity(obj.len());
    for (given, val) in obj {
        let key = snake_case(given);
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            return Err(Error::InvalidInput(format!(
                "option \"{key}\" is given twice (as \"{first}\" and \"{given}\")"
            )));
        }
        if !names.contains(&key.as_str()) {
            return Err(Error::InvalidInput(format!(
                "unknown option \"{given}\"; known options: {}",
                known_names(names)
            )));
        }
        if !val.is_null() {
            f(&key, val)?;
        }
        seen.push((key, given));
    }
    Ok(())
}

/// The error of an option whose value has the wrong type or range.
pub(crate) fn bad_option(key: &str, val: &serde_json::Value, want: &str) -> Error {
    Error::InvalidInput(format!("option \"{key}\" must be {want}, got {val}"))
}

/// An option that is a non-negative integer (see [`whole_number`]).
pub(crate) fn uint_option(key: &str, val: &serde_json::Value) -> Result<usize> {
    whole_number(val)
        .and_then(|u| usize::try_from(u).ok())
        .ok_or_else(|| bad_option(key, val, "a non-negative integer"))
}

/// The `kinds` option: an object of column -> kind name.
pub(crate) fn kinds_option(key: &str, val: &serde_json::Value) -> Result<Vec<(String, Kind)>> {
    let m = val
        .as_object()
        .ok_or_else(|| bad_option(key, val, "an object of column -> kind"))?;
    m.iter()
        .map(|(col, k)| {
            let k = k
                .as_str()
                .ok_or_else(|| bad_option(key, val, "an object of column -> kind name"))?;
            Ok((col.clone(), Kind::parse(k)?))
        })
        .collect()
}

/// Reads the CSV options (`delimiter`, `decimal_comma`) into `csv`; false when `key`
/// is not one of them.
pub(crate) fn read_csv_option(
    csv: &mut CsvOptions,
    key: &str,
    val: &serde_json::Value,
) -> Result<bool> {
    match key {
        "delimiter" => {
            let s = val
                .as_str()
                .ok_or_else(|| bad_option(key, val, "a string"))?;
            csv.delimiter = Some(parse_delimiter(s)?);
        }
        "decimal_comma" => {
            csv.decimal_comma = val
                .as_bool()
                .ok_or_else(|| bad_option(key, val, "a boolean"))?
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// The `target` and `positive` options as they are read, then the [`TargetSpec`].
#[derive(Default)]
pub(crate) struct TargetParts {
    column: Option<String>,
    positive: Option<String>,
}

impl TargetParts {
    /// Reads `target` or `positive`; false when `key` is neither.
    pub(crate) fn read(&mut self, key: &str, val: &serde_json::Value) -> Result<bool> {
        match key {
            "target" => {
                self.column = Some(
                    val.as_str()
                        .ok_or_else(|| bad_option(key, val, "a string"))?
                        .to_owned(),
                )
            }
            "positive" => {
                self.positive = match val {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Number(n) => Some(n.to_string()),
                    serde_json::Value::Bool(b) => Some(b.to_string()),
                    _ => return Err(bad_option(key, val, "a string")),
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// The target; `target` is required.
    pub(crate) fn spec(self) -> Result<TargetSpec> {
        let column = self
            .column
            .ok_or_else(|| Error::InvalidInput("option \"target\" is required".into()))?;
        Ok(TargetSpec {
            column,
            positive: self.positive,
        })
    }
}

/// Parses a delimiter as users write it: one ASCII character, or `tab` / `\t`.
pub fn parse_delimiter(s: &str) -> Result<u8> {
    match s {
        "tab" | "\t" | "\\t" => Ok(b'\t'),
        s if s.len() == 1 && s.is_ascii() && s != "\"" && s != "\n" && s != "\r" => Ok(s.as_bytes()[0]),
        _ => Err(Error::InvalidInput(format!(
            "a delimiter must be one ASCII character (not a quote or line break) or \"tab\", got \"{s}\""
        ))),
    }
}

/// The option names [`InsightsRequest::from_json`] accepts (snake_case; camelCase
/// spellings are accepted too).
pub const INSIGHTS_OPTION_NAMES: &[&str] = &[
    "target",
    "positive",
    "kinds",
    "bins",
    "top_levels",
    "top_tokens",
    "recipe",
    "threads",
    "delimiter",
    "decimal_comma",
];

/// Everything an insights call needs besides the data, as bindings pass it (one JSON
/// object): the target, the [`InsightsOptions`] and how to read files.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightsRequest {
    /// The target column and positive class.
    pub target: TargetSpec,
    /// The validated settings.
    pub options: InsightsOptions,
    /// CSV reading options (`delimiter`, `decimal_comma`).
    pub csv: CsvOptions,
    /// A recipe whose features are described instead of the raw columns (see
    /// [`crate::insights::recipe_features`]); `None`: the raw columns.
    pub recipe: Option<String>,
}

impl InsightsRequest {
    /// Parses options from JSON text (see [`InsightsRequest::from_json`]).
    pub fn from_json_str(text: &str) -> Result<InsightsRequest> {
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::InvalidInput(format!("options are not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Parses options from a JSON object, the way
    /// [`TrainOptions::from_json`] does:
    /// snake_case or camelCase names, `null` = absent, unknown names, a name given
    /// twice and wrong types are errors naming the option. `target` is required.
    ///
    /// | name | type | meaning |
    /// |---|---|---|
    /// | `target` | string | the target column |
    /// | `positive` | string or number | the positive class |
    /// | `kinds` | object | column -> `numeric`/`boolean`/`categorical`/`text`/`id` |
    /// | `bins` | integer | histogram bins (2 to 100, default 10) |
    /// | `top_levels` | integer | top levels per category (0 to 1000, default 10) |
    /// | `top_tokens` | integer | top tokens per text column (0 to 1000, default 20) |
    /// | `recipe` | string | describe the features this recipe makes (`"auto"`: the auto recipe's) instead of the raw columns |
    /// | `threads` | integer | worker threads (0 = all cores; at most 8 are used) |
    /// | `delimiter` | string | CSV delimiter: one character or `tab` |
    /// | `decimal_comma` | boolean | numbers written `1,5` |
    ///
    /// ```
    /// use leadscore::options::InsightsRequest;
    /// let r = InsightsRequest::from_json_str(r#"{"target": "won", "bins": 20, "topLevels": 5}"#)?;
    /// assert_eq!((r.options.bins, r.options.top_levels), (20, 5));
    /// assert!(InsightsRequest::from_json_str(r#"{"target": "won", "bins": 1}"#).is_err());
    /// # Ok::<(), leadscore::Error>(())
    /// ```
    pub fn from_json(v: &serde_json::Value) -> Result<InsightsRequest> {
        let mut options = InsightsOptions::default();
        let mut csv = CsvOptions::default();
        let mut target = TargetParts::default();
        let mut recipe = None;
        each_option(v, INSIGHTS_OPTION_NAMES, |key, val| {
            if target.read(key, val)? || read_csv_option(&mut csv, key, val)? {
                return Ok(());
            }
            match key {
                "kinds" => options.kinds.extend(kinds_option(key, val)?),
                "bins" => options.bins = uint_option(key, val)?,
                "top_levels" => options.top_levels = uint_option(key, val)?,
                "top_tokens" => options.top_tokens = uint_option(key, val)?,
                "recipe" => {
                    let text = val
                        .as_str()
                        .ok_or_else(|| bad_option(key, val, "a string (the recipe text)"))?;
                    recipe = Some(text.to_owned());
                }
                "threads" => options.threads = uint_option(key, val)?,
                other => {
                    return Err(Error::Internal(format!(
                        "option \"{other}\" is listed but not handled"
                    )))
                }
            }
            Ok(())
        })?;
        let target = target.spec()?;
        options.validate()?;
        Ok(InsightsRequest {
            target,
            options,
            csv,
            recipe,
        })
    }

    /// JSON Lines reading options matching the CSV ones.
    pub fn json_options(&self) -> JsonOptions {
        JsonOptions {
            decimal_comma: self.csv.decimal_comma,
            ..JsonOptions::default()
        }
    }

    /// Insights of a table ([`crate::insights::insights`]), or of the features its
    /// recipe makes ([`crate::insights::recipe_features`]; `auto` is the `auto`
    /// recipe of the table).
    pub fn insights_table(&self, table: &crate::Table) -> Result<Insights> {
        match &self.recipe {
            None => crate::insights::insights(table, &self.target, &self.options),
            Some(recipe) => {
                let text = if recipe.trim().eq_ignore_ascii_case("auto") {
                    let config = crate::train::TrainConfig {
                        kinds: self.options.kinds.clone(),
                        ..crate::train::TrainConfig::default()
                    };
                    crate::Trainer::new(config)?.recipe_for(table, &self.target)?
                } else {
                    recipe.clone()
                };
                let features = crate::insights::recipe_features(
                    table,
                    &self.target,
                    &text,
                    &self.options.kinds,
                )?;
                // The kinds were the raw columns'; the features are all numbers.
                let options = InsightsOptions {
                    kinds: Vec::new(),
                    ..self.options.clone()
                };
                crate::insights::insights(&features, &self.target, &options)
            }
        }
    }

    /// Reads a data file (CSV, or JSON Lines for `.jsonl`/`.ndjson`) and computes its
    /// insights.
    pub fn insights_file(&self, path: impl AsRef<std::path::Path>) -> Result<Insights> {
        let table = crate::data::read_path(path.as_ref(), &self.csv, &self.json_options())?;
        self.insights_table(&table)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_rejects() {
        let o = TrainOptions::from_json_str(
            r#"{"target":"y","positive":"won","kinds":{"zip":"categorical"},"delimiter":";","decimal_comma":true,"min_rows":10}"#,
        )
        .unwrap();
        assert_eq!(o.target.positive.as_deref(), Some("won"));
        assert_eq!(o.config.kinds, vec![("zip".to_owned(), Kind::Categorical)]);
        assert_eq!(o.csv.delimiter, Some(b';'));
        assert_eq!(o.config.min_rows, 10);
        let o = TrainOptions::from_json_str(
            r#"{"target":"y","minRows":7,"decimalComma":true,"c":null}"#,
        )
        .unwrap();
        assert_eq!(
            (o.config.min_rows, o.csv.decimal_comma, o.config.c),
            (7, true, None)
        );
        assert_eq!(snake_case("minPositives"), "min_positives");
        let o = TrainOptions::from_json_str(
            r#"{"target":"y","penalty":"elasticnet","l1Ratio":0.3,"maxFeatures":20}"#,
        )
        .unwrap();
        assert_eq!(o.config.penalty, Penalty::ElasticNet);
        assert_eq!(o.config.effective_l1_ratio(), 0.3);
        assert_eq!(o.config.max_features, Some(20));
        for text in [
            r#"{"target":"y","max_model_bytes":50000}"#,
            r#"{"target":"y","maxModelBytes":50000.0}"#,
        ] {
            let o = TrainOptions::from_json_str(text).unwrap();
            assert_eq!(o.config.max_model_bytes, Some(50_000), "{text}");
        }
        let o =
            TrainOptions::from_json_str(r#"{"target":"y","minRows":1500.0,"seed":7.0}"#).unwrap();
        assert_eq!((o.config.min_rows, o.config.seed), (1500, 7));
        assert!(TrainOptions::from_json_str(r#"{"target":"y","minRows":1.5}"#).is_err());
        assert_eq!(camel_case("min_positives"), "minPositives");
        for (bad, needle) in [
            (r#"{}"#, "\"target\" is required"),
            (
                r#"{"target":"y","c":"x"}"#,
                "option \"c\" must be a positive number or \"auto\"",
            ),
            (r#"{"target":"y","colour":1}"#, "unknown option \"colour\""),
            (r#"{"target":"y","c":-1}"#, "c must be a positive"),
            (r#"{"target":"y","penalty":"l3"}"#, "unknown penalty \"l3\""),
            (
                r#"{"target":"y","l1_ratio":0.5}"#,
                "l1_ratio is for penalty elasticnet",
            ),
            (
                r#"{"target":"y","penalty":"elasticnet","l1Ratio":1.5}"#,
                "l1_ratio must be within [0, 1]",
            ),
            (
                r#"{"target":"y","maxFeatures":0}"#,
                "max_features must be from 1",
            ),
            (
                r#"{"target":"y","maxModelBytes":0}"#,
                "max_model_bytes must be from 1 to 268435470, got 0",
            ),
            (
                r#"{"target":"y","max_model_bytes":1e12}"#,
                "max_model_bytes must be from 1 to",
            ),
            (
                r#"{"target":"y","max_model_bytes":"1k"}"#,
                "option \"max_model_bytes\" must be a whole number of bytes",
            ),
            (r#"{"target":"y","balance":"maybe"}"#, "unknown balance"),
            (r#"{"target":"y","min_rows":-3}"#, "non-negative integer"),
            (r#"[1]"#, "must be an object"),
            (r#"{"target":"y","minRows":1,"min_rows":2}"#, "given twice"),
            (r#"{"target":"y","minRowz":1}"#, "min_rows (minRows)"),
            (r#"{"#, "not valid JSON"),
        ] {
            let e = TrainOptions::from_json_str(bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    /// The insights options: names, ranges and types are checked and named, as the
    /// training options' are.
    #[test]
    fn insights_request_options_are_validated_and_named() {
        for (bad, needle) in [
            (
                r#"{"target":"y","bins":0}"#,
                "bins must be from 2 to 100, got 0",
            ),
            (
                r#"{"target":"y","bins":1000}"#,
                "bins must be from 2 to 100, got 1000",
            ),
            (r#"{"target":"y","top_levels":5000}"#, "top_levels must be"),
            (r#"{"target":"y","topTokens":1001}"#, "top_tokens must be"),
            (r#"{"target":"y","binz":3}"#, "unknown option \"binz\""),
            (
                r#"{"target":"y","bins":-2}"#,
                "option \"bins\" must be a non-negative integer",
            ),
            (r#"{"target":"y","bins":2.5}"#, "option \"bins\""),
            (
                r#"{"target":"y","balance":"none"}"#,
                "unknown option \"balance\"",
            ),
            (r#"{"bins":3}"#, "\"target\" is required"),
            (
                r#"{"target":"y","kinds":{"a":"colour"}}"#,
                "unknown column kind",
            ),
            (r#"{"target":"y","delimiter":"ab"}"#, "delimiter"),
            (r#"{"target":"y","threads":100000}"#, "threads must be"),
            (r#"{"target":"y","bins":3,"bins":4}"#, ""),
        ] {
            match InsightsRequest::from_json_str(bad) {
                Err(e) => assert!(e.to_string().contains(needle), "{bad}: {e}"),
                Ok(r) => assert!(needle.is_empty(), "{bad} parsed as {r:?}"),
            }
        }
        let r = InsightsRequest::from_json_str(
            r#"{"target":"y","positive":1,"kinds":{"zip":"categorical"},"bins":20,"topLevels":3,"top_tokens":0,"threads":2,"delimiter":";","decimalComma":true,"bins_unused":null}"#,
        );
        assert!(r.unwrap_err().to_string().contains("bins_unused"));
        let r = InsightsRequest::from_json_str(
            r#"{"target":"y","positive":1,"kinds":{"zip":"categorical"},"bins":20,"topLevels":3,"top_tokens":0,"threads":null,"delimiter":";","decimalComma":true}"#,
        )
        .unwrap();
        assert_eq!(r.target, TargetSpec::new("y").with_positive("1"));
        assert_eq!(
            r.options,
            InsightsOptions {
                bins: 20,
                top_levels: 3,
                top_tokens: 0,
                threads: 0,
                kinds: vec![("zip".into(), Kind::Categorical)],
            }
        );
        assert_eq!((r.csv.delimiter, r.csv.decimal_comma), (Some(b';'), true));
    }
}
