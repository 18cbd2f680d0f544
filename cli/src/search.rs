//! `leadscore search`: which training setting measures best on a data file.

use crate::commands::{CmdResult, ReadArgs};
use crate::outfile::check_not_input;
use crate::output::{fmt_metric, printable};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use leadscore::defaults;
use leadscore::search::{SearchRequest, SearchResult, Trial, DEFAULT_TRIALS};
use serde_json::{json, Map, Value};
use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

/// `leadscore search`.
#[derive(Debug, Args)]
pub struct SearchArgs {
    /// Data: CSV or JSON Lines.
    data: PathBuf,
    /// The target column (two classes: 0/1, true/false, yes/no, or see --positive).
    #[arg(long, value_name = "COL")]
    target: String,
    /// The value of the target column that counts as positive (e.g. `won`).
    #[arg(long, value_name = "V")]
    positive: Option<String>,
    /// How settings are chosen: a fixed grid, independent random draws, or the
    /// Tree-structured Parzen Estimator.
    #[arg(long, default_value = "tpe", value_parser = ["grid", "random", "tpe"])]
    method: String,
    /// Most trials (1 to 10000; the grid is cut to this many).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_TRIALS)]
    trials: usize,
    /// Start no trial after this many seconds (the result says the budget ended it).
    #[arg(long, value_name = "S")]
    budget_seconds: Option<f64>,
    /// What is optimised: cross-validated ROC AUC, PR AUC, or log-loss (minimised).
    #[arg(long, default_value = "roc_auc", value_parser = ["roc_auc", "pr_auc", "log_loss"])]
    metric: String,
    /// Seed of the folds, the resampling and the proposals.
    #[arg(long, value_name = "S", default_value_t = defaults::SEED)]
    seed: u64,
    /// Cross-validation folds of every trial (at least 2).
    #[arg(long, value_name = "K", default_value_t = defaults::CV_FOLDS)]
    cv: usize,
    /// Trials in parallel (0 = all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// C tried: `LO..HI` (log-uniform; default 0.001..100), one value, or `auto`.
    #[arg(long = "c", value_name = "LO..HI|C|auto")]
    c: Option<String>,
    /// Penalties tried, comma-separated (default l2,l1,elasticnet).
    #[arg(long, value_name = "LIST")]
    penalty: Option<String>,
    /// The elastic net's L1 share: `LO..HI` (default 0..1) or one value.
    #[arg(long, value_name = "LO..HI|R")]
    l1_ratio: Option<String>,
    /// Balancing methods tried, comma-separated (default
    /// upsample,class_weight,downsample,none).
    #[arg(long, value_name = "LIST")]
    balance: Option<String>,
    /// Rare category threshold: `LO..HI` (default 1..50) or one value.
    #[arg(long, value_name = "LO..HI|N")]
    min_count: Option<String>,
    /// Quantile bins of numbers in the auto recipe: `LO..HI` (default 3..30) or one value.
    #[arg(long, value_name = "LO..HI|N")]
    bins: Option<String>,
    /// N-gram order of text in the auto recipe: `LO..HI` (default 1..3) or one value.
    #[arg(long, value_name = "LO..HI|N")]
    ngram: Option<String>,
    /// Fewest rows a text term is kept from, auto recipe: `LO..HI` (default 1..5) or one value.
    #[arg(long, value_name = "LO..HI|N")]
    min_df: Option<String>,
    /// TPE: start-up trials before the first proposal (the default setting, then random ones).
    #[arg(long, value_name = "N")]
    tpe_startup: Option<usize>,
    /// TPE: proposals per round (fixed, so results do not depend on --threads).
    #[arg(long, value_name = "N")]
    tpe_batch: Option<usize>,
    /// A recipe file: which features to build (default: the auto recipe, whose
    /// bins, n-grams and min_df are then searched too).
    #[arg(long, value_name = "FILE")]
    recipe: Option<PathBuf>,
    /// Override a column's inferred kind: `COL=numeric|boolean|categorical|text|id` (repeatable).
    #[arg(long = "kind", value_name = "COL=KIND")]
    kinds: Vec<String>,
    /// Fewest rows to train on.
    #[arg(long, value_name = "N", default_value_t = defaults::MIN_ROWS)]
    min_rows: usize,
    /// Fewest positive rows to train on.
    #[arg(long, value_name = "N", default_value_t = defaults::MIN_POSITIVES)]
    min_positives: usize,
    /// Refit the best setting on every row and save the model here.
    #[arg(long, value_name = "MODEL")]
    out: Option<PathBuf>,
    /// With --out: do not store the training data's insights in the model.
    #[arg(long)]
    no_insights: bool,
    /// Print one JSON object (every trial and the best) instead of the table.
    #[arg(long)]
    json: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    read: ReadArgs,
}

/// `LO..HI` -> `[LO, HI]`, a number -> the number, `auto` (when allowed) -> `"auto"`.
fn range_value(flag: &str, text: &str, auto: bool) -> Result<Value, String> {
    let t = text.trim();
    if auto && t.eq_ignore_ascii_case("auto") {
        return Ok(json!("auto"));
    }
    let num = |s: &str| {
        s.trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| format!("--{flag} expects a number or LO..HI, got \"{text}\""))
    };
    Ok(match t.split_once("..") {
        Some((lo, hi)) => json!([num(lo)?, num(hi)?]),
        None => json!(num(t)?),
    })
}

/// `a,b` -> `["a", "b"]`.
fn list_value(text: &str) -> Value {
    json!(text
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>())
}

impl SearchArgs {
    /// The options as the JSON object every binding passes: the command line
    /// searches through the same door.
    fn options(&self) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let mut o = Map::new();
        o.insert("target".into(), json!(self.target));
        if let Some(p) = &self.positive {
            o.insert("positive".into(), json!(p));
        }
        o.insert("method".into(), json!(self.method));
        o.insert("trials".into(), json!(self.trials));
        if let Some(s) = self.budget_seconds {
            o.insert("budget_seconds".into(), json!(s));
        }
        o.insert("metric".into(), json!(self.metric));
        o.insert("seed".into(), json!(self.seed));
        o.insert("cv".into(), json!(self.cv));
        o.insert("threads".into(), json!(self.threads));
        o.insert("min_rows".into(), json!(self.min_rows));
        o.insert("min_positives".into(), json!(self.min_positives));
        o.insert("insights".into(), json!(!self.no_insights));
        for (name, flag, v, auto) in [
            ("c", "c", &self.c, true),
            ("l1_ratio", "l1-ratio", &self.l1_ratio, false),
            ("min_count", "min-count", &self.min_count, false),
            ("bins", "bins", &self.bins, false),
            ("ngram", "ngram", &self.ngram, false),
            ("min_df", "min-df", &self.min_df, false),
        ] {
            if let Some(text) = v {
                o.insert(name.into(), range_value(flag, text, auto)?);
            }
        }
        for (name, v) in [("penalty", &self.penalty), ("balance", &self.balance)] {
            if let Some(text) = v {
                o.insert(name.into(), list_value(text));
            }
        }
        if let Some(n) = self.tpe_startup {
            o.insert("tpe_startup".into(), json!(n));
        }
        if let Some(n) = self.tpe_batch {
            o.insert("tpe_batch".into(), json!(n));
        }
        if let Some(p) = &self.recipe {
            let text = std::fs::read_to_string(p).map_err(|e| leadscore::Error::io(p, e))?;
            o.insert("recipe".into(), json!(text));
        }
        if !self.kinds.is_empty() {
            let mut kinds = Map::new();
            for k in &self.kinds {
                let (col, kind) = k
                    .rsplit_once('=')
                    .ok_or_else(|| format!("--kind expects COL=KIND, got \"{k}\""))?;
                kinds.insert(col.to_owned(), json!(kind));
            }
            o.insert("kinds".into(), Value::Object(kinds));
        }
        let csv = self.read.csv_options()?;
        if let Some(d) = csv.delimiter {
            o.insert("delimiter".into(), json!((d as char).to_string()));
        }
        if csv.decimal_comma {
            o.insert("decimal_comma".into(), json!(true));
        }
        Ok(Value::Object(o))
    }
}

/// Searches and prints every trial and the best; with `--out`, refits and saves.
pub fn search(a: SearchArgs) -> CmdResult {
    let mut out = std::io::stdout().lock();
    let req = SearchRequest::from_json(&a.options()?)?;
    if let Some(o) = &a.out {
        let mut inputs = vec![a.data.as_path()];
        inputs.extend(a.recipe.as_deref());
        check_not_input(o, &inputs)?;
    }
    let quiet = a.quiet || a.json;
    let pb = if quiet {
        ProgressBar::hidden()
    } else {
        let pb = ProgressBar::new_spinner();
        pb.set_style(
            ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    };
    pb.set_message(format!("reading {}", a.data.display()));
    let table = a.read.read(&a.data)?;
    let metric = req.metric.as_str();
    pb.set_message(format!(
        "{} search on {} rows ({}-fold CV each)",
        req.method.as_str(),
        table.n_rows(),
        req.train.config.cv_folds
    ));
    let result = req.run_table_with(&table, &|p| {
        pb.set_message(format!(
            "trial {}/{}: best {metric} {}",
            p.done,
            p.planned,
            p.best.map_or("-".into(), fmt_metric)
        ));
    })?;
    let model = match &a.out {
        Some(path) => {
            pb.set_message(format!(
                "refitting the best setting on {} rows",
                table.n_rows()
            ));
            let model = req.refit_best(&table, &result)?;
            model.save(path)?;
            Some(path)
        }
        None => None,
    };
    pb.finish_and_clear();
    if a.json {
        let mut j = result.to_json();
        j["model"] = json!(model.map(|p| p.display().to_string()));
        writeln!(out, "{j}")?;
        return Ok(());
    }
    print_result(&mut out, &result)?;
    if let Some(p) = model {
        writeln!(
            out,
            "saved the best setting, refitted on all {} rows, to {}",
            result.rows,
            p.display()
        )?;
    }
    Ok(())
}

/// The table of every trial, best first, and the best.
fn print_result(w: &mut impl Write, r: &SearchResult) -> std::io::Result<()> {
    let failed = r.trials.iter().filter(|t| t.error.is_some()).count();
    writeln!(
        w,
        "{} search: {} trials ({} failed) in {:.1} s; {}-fold CV on {} rows ({} positives), seed {}",
        r.method.as_str(),
        r.trials.len(),
        failed,
        r.seconds,
        r.cv_folds,
        r.rows,
        r.positives,
        r.seed
    )?;
    if let Some(g) = r.grid_size {
        writeln!(w, "grid of {g} settings, {} tried", r.trials.len())?;
    }
    if r.budget_exhausted() {
        writeln!(
            w,
            "the time budget ended the search after {} of {} trials",
            r.trials.len(),
            r.trials_requested
        )?;
    }
    let searched = r.space.searched();
    writeln!(
        w,
        "searched: {}",
        if searched.is_empty() {
            "nothing (every setting fixed)".to_owned()
        } else {
            searched.join(", ")
        }
    )?;
    let metric = r.metric.as_str();
    writeln!(w)?;
    writeln!(
        w,
        "{:>4} {:>5}  {:>7}  {:>7}  {:>8}  {:>6}  setting",
        "rank", "trial", "roc_auc", "pr_auc", "log_loss", "secs"
    )?;
    let opt = |v: Option<f64>| v.map_or("-".to_owned(), fmt_metric);
    for (i, t) in r.ranked().into_iter().enumerate() {
        let rank = if t.value.is_some() {
            (i + 1).to_string()
        } else {
            "-".into()
        };
        let mut setting = t.params.describe(&searched);
        if let Some(e) = &t.error {
            setting = format!("{setting}  FAILED: {}", printable(e, false));
        }
        writeln!(
            w,
            "{:>4} {:>5}  {:>7}  {:>7}  {:>8}  {:>6.2}  {}",
            rank,
            t.number,
            opt(t.roc_auc),
            opt(t.pr_auc),
            opt(t.log_loss),
            t.seconds,
            setting
        )?;
    }
    writeln!(w)?;
    match r.best_trial() {
        Some(b) => write_best(w, b, metric, &searched),
        None => writeln!(w, "no trial succeeded"),
    }
}

/// The best trial: its value, and its setting (C, the penalty, the balance and what
/// was searched).
fn write_best(
    w: &mut impl Write,
    b: &Trial,
    metric: &str,
    searched: &[&str],
) -> std::io::Result<()> {
    let mut shown = vec!["c", "penalty", "balance"];
    for s in searched {
        if !shown.contains(s) {
            shown.push(s);
        }
    }
    writeln!(
        w,
        "best: trial {} with {metric} {}: {}",
        b.number,
        b.value.map_or("-".into(), fmt_metric),
        b.params.describe(&shown)
    )
}
