//! The report: one self-contained HTML page per model, built from what the model file
//! stores, for a sales director to believe a score and a developer to see why.
//!
//! The page has the summary (rows, positive rate, ROC AUC and PR AUC beside a random
//! guess, the lift, the challenger's verdict), the threshold explorer (a slider over
//! the stored threshold table that updates precision, recall, the false-positive
//! rate, F1, the confusion matrix and the leads flagged per 1000, with ROC and PR
//! curves and the score histograms by class), lift by decile, the calibration curve,
//! the coefficients, what pruning dropped, the per-column insights and the recipe.
//! A section whose data the model does not hold (a model trained with `cv 0` has no
//! held-out figures; one of format 3 or older has no threshold table) is left out.
//!
//! Charts are inline SVG, drawn by a small writer of our own; the only script is the slider's, and the page
//! reads the same without it (the figures shown are then those at the stored cut).
//! Nothing loads from the network. The same model gives the same bytes from every
//! binding: the page holds no clock time and no path.

mod page;
mod sections;
mod svg;

use crate::error::{Error, Result};
use crate::model::Model;
use crate::options::{bad_option, each_option};

/// The longest report title, in characters.
pub const MAX_TITLE_CHARS: usize = 200;

/// The option names [`ReportOptions::from_json`] knows.
const REPORT_OPTION_NAMES: &[&str] = &["compact", "title"];

/// How to write a report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReportOptions {
    /// The compact form: an HTML fragment (no `<html>` around it) with the summary,
    /// the threshold explorer and the strongest coefficients, for a notebook's output
    /// cell. Default: the full page.
    pub compact: bool,
    /// The page's title (at most [`MAX_TITLE_CHARS`] characters); default
    /// "Lead score: TARGET".
    pub title: Option<String>,
}

impl ReportOptions {
    /// Parses options from JSON text (see [`ReportOptions::from_json`]); empty text
    /// is the defaults.
    pub fn from_json_str(text: &str) -> Result<ReportOptions> {
        if text.trim().is_empty() {
            return Ok(ReportOptions::default());
        }
        let v: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::InvalidInput(format!("options are not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Parses options from a JSON object, as every options parser does (snake_case
    /// or camelCase names, `null` = absent, unknown names and wrong types are errors
    /// naming the option).
    ///
    /// | name | type | meaning |
    /// |---|---|---|
    /// | `compact` | boolean | the compact fragment for a notebook (default false: the full page) |
    /// | `title` | string | the page's title (default "Lead score: TARGET") |
    ///
    /// ```
    /// use leadscore::report::ReportOptions;
    /// let o = ReportOptions::from_json_str(r#"{"compact": true, "title": "Acme"}"#)?;
    /// assert!(o.compact);
    /// assert!(ReportOptions::from_json_str(r#"{"colour": 1}"#).is_err());
    /// # Ok::<(), leadscore::Error>(())
    /// ```
    pub fn from_json(v: &serde_json::Value) -> Result<ReportOptions> {
        let mut o = ReportOptions::default();
        each_option(v, REPORT_OPTION_NAMES, |key, val| {
            match key {
                "compact" => {
                    o.compact = val
                        .as_bool()
                        .ok_or_else(|| bad_option(key, val, "true or false"))?
                }
                "title" => {
                    let t = val
                        .as_str()
                        .ok_or_else(|| bad_option(key, val, "a string"))?;
                    o.title = Some(t.to_owned());
                }
                other => {
                    return Err(Error::Internal(format!(
                        "option \"{other}\" is listed but not handled"
                    )))
                }
            }
            Ok(())
        })?;
        o.validate()?;
        Ok(o)
    }

    /// Checks the title's length.
    pub fn validate(&self) -> Result<()> {
        if let Some(t) = &self.title {
            let n = t.chars().count();
            if n > MAX_TITLE_CHARS {
                return Err(Error::InvalidInput(format!(
                    "option \"title\" must be at most {MAX_TITLE_CHARS} characters, got {n}"
                )));
            }
        }
        Ok(())
    }
}

/// The report of `model` as HTML: a whole page, or with `compact` a fragment for a
/// notebook. Fails only on invalid options.
///
/// ```
/// use leadscore::report::{report_html, ReportOptions};
/// let model = leadscore::Model::load("../tests/fixtures/models/demo_policy_v4.lsm")?;
/// let html = report_html(&model, &ReportOptions::default())?;
/// assert!(html.starts_with("<!DOCTYPE html>") && html.contains("ROC AUC"));
/// # Ok::<(), leadscore::Error>(())
/// ```
pub fn report_html(model: &Model, opts: &ReportOptions) -> Result<String> {
    opts.validate()?;
    let title = opts
        .title
        .clone()
        .unwrap_or_else(|| format!("Lead score: {}", model.meta().target));
    let body = sections::body(model, &title, opts.compact);
    Ok(if opts.compact {
        page::fragment(&body)
    } else {
        page::document(&title, &body)
    })
}

impl Model {
    /// The model's report as HTML (see [`report_html`]).
    pub fn report_html(&self, opts: &ReportOptions) -> Result<String> {
        report_html(self, opts)
    }
}
