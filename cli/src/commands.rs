//! The subcommands.

use crate::outfile::{check_not_input, Sink};
use crate::output::{self, fmt_metric};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use leadscore::data::csv::CsvOptions;
use leadscore::defaults;
use leadscore::insights::{MAX_BINS, MAX_TOP_LEVELS, MAX_TOP_TOKENS, MIN_BINS};
use leadscore::options::TrainOptions;
use leadscore::{Balance, Kind, Model, Penalty, Table, TargetSpec, TrainConfig, Trainer};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The error type of every command: printed as one line.
pub type CmdResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// How to read a data file.
#[derive(Debug, Args, Clone)]
pub struct ReadArgs {
    /// Field delimiter of CSV input (`,` `;` `tab`); sniffed from the header when absent.
    #[arg(long, value_name = "D")]
    delimiter: Option<String>,
    /// Numbers use a decimal comma (`1,5`).
    #[arg(long)]
    decimal_comma: bool,
}

impl ReadArgs {
    pub fn csv_options(&self) -> Result<CsvOptions, String> {
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some(d) => Some(
                leadscore::options::parse_delimiter(d).map_err(|e| format!("--delimiter: {e}"))?,
            ),
        };
        Ok(CsvOptions {
            delimiter,
            decimal_comma: self.decimal_comma,
            ..CsvOptions::default()
        })
    }

    /// Reads CSV, or JSON Lines when the file ends in `.jsonl` or `.ndjson`; what
    /// the reader noticed (odd cells in a numeric column) goes to stderr as warnings.
    pub fn read(&self, path: &Path) -> Result<Table, Box<dyn std::error::Error + Send + Sync>> {
        let table = self.read_quietly(path)?;
        self.warn(path, &table);
        Ok(table)
    }

    fn json_options(&self) -> leadscore::data::json::JsonOptions {
        leadscore::data::json::JsonOptions {
            decimal_comma: self.decimal_comma,
            ..Default::default()
        }
    }

    fn read_quietly(&self, path: &Path) -> Result<Table, Box<dyn std::error::Error + Send + Sync>> {
        Ok(leadscore::data::read_path(
            path,
            &self.csv_options()?,
            &self.json_options(),
        )?)
    }

    /// The file's rows a block of at most `rows` at a time (see
    /// [`leadscore::data::TableChunks`]).
    pub fn blocks(
        &self,
        path: &Path,
        rows: usize,
    ) -> Result<leadscore::data::TableChunks, Box<dyn std::error::Error + Send + Sync>> {
        Ok(leadscore::data::TableChunks::open(
            path,
            &self.csv_options()?,
            &self.json_options(),
            rows,
        )?)
    }

    /// What the reader noticed in `table` (odd cells in a numeric column), as
    /// warnings on stderr.
    pub fn warn(&self, path: &Path, table: &Table) {
        for note in table.notes() {
            eprintln!(
                "warning: {}: {}",
                path.display(),
                output::printable(note, false)
            );
        }
    }
}

/// Options shared by `train` and `eval`.
#[derive(Debug, Args, Clone)]
pub struct FitArgs {
    /// The target column (two classes: 0/1, true/false, yes/no, or see --positive).
    #[arg(long, value_name = "COL")]
    target: String,
    /// The value of the target column that counts as positive (e.g. `won`).
    #[arg(long, value_name = "V")]
    positive: Option<String>,
    /// How to rebalance the rare class.
    #[arg(long, default_value = Balance::default().as_str(), value_parser = ["upsample", "downsample", "class_weight", "none"])]
    balance: String,
    /// Inverse regularisation strength (scikit-learn's C), or `auto`: chosen from
    /// the training rows with the l2 penalty, 1 with l1 and elasticnet.
    #[arg(long = "c", value_name = "C|auto", default_value = "auto")]
    c: String,
    /// The coefficient penalty: l2 shrinks every coefficient, l1 sets weak ones to
    /// exactly zero, elasticnet mixes them (see --l1-ratio).
    #[arg(long, default_value = "l2", value_parser = ["l2", "l1", "elasticnet"])]
    penalty: String,
    /// The elastic net's L1 share, from 0 to 1 (default 0.5; --penalty elasticnet only).
    #[arg(long, value_name = "R")]
    l1_ratio: Option<f64>,
    /// Keep at most N features (the strongest by |coefficient x std|), refit on them,
    /// and report what was dropped and the CV ROC AUC before and after.
    #[arg(long, value_name = "N")]
    max_features: Option<usize>,
    /// Keep the saved model within B bytes: the most of its strongest features whose
    /// refitted model fits, reported as --max-features reports (with both, the lower
    /// count applies).
    #[arg(long, value_name = "B")]
    max_model_bytes: Option<u64>,
    /// How the decision threshold is chosen: balanced (0.5 of the balanced model),
    /// max_f1, precision>=P, recall>=R or top_share=S (the best S of leads). All but
    /// balanced choose on held-out predictions (cross-validation or --time-col).
    #[arg(long, value_name = "POLICY", default_value = "balanced")]
    threshold: String,
    /// Evaluate on a time split instead of k-fold: hold out the most recent rows by
    /// this column (dates such as 2024-03-01 or DD.MM.YYYY, or numbers). The column is
    /// not used as a feature.
    #[arg(long = "time-col", visible_alias = "time-column", value_name = "COL")]
    time_col: Option<String>,
    /// The share of the most recent rows a time split holds out.
    #[arg(long, value_name = "S", default_value_t = leadscore::train::DEFAULT_TEST_SHARE)]
    test_share: f64,
    /// Also train a random forest on the same features and held-out rows, and show
    /// its ROC AUC beside the model's with a verdict (stored in the model).
    #[arg(long)]
    challenger: bool,
    /// Do not store the training data's insights in the model (`leadscore insights`
    /// computes them on demand).
    #[arg(long)]
    no_insights: bool,
    /// A recipe file: which features to build (default: the `auto` recipe that
    /// `leadscore recipe` prints).
    #[arg(long, value_name = "FILE")]
    recipe: Option<PathBuf>,
    /// Fewest rows to train on.
    #[arg(long, value_name = "N", default_value_t = defaults::MIN_ROWS)]
    min_rows: usize,
    /// Fewest positive rows to train on.
    #[arg(long, value_name = "N", default_value_t = defaults::MIN_POSITIVES)]
    min_positives: usize,
    /// Seed of every random choice (folds, resampling).
    #[arg(long, value_name = "S", default_value_t = defaults::SEED)]
    seed: u64,
    #[command(flatten)]
    columns: ColumnArgs,
    #[command(flatten)]
    read: ReadArgs,
}

impl FitArgs {
    fn config(&self, cv: usize) -> Result<TrainConfig, Box<dyn std::error::Error + Send + Sync>> {
        let c = if self.c.trim().eq_ignore_ascii_case("auto") {
            None
        } else {
            Some(self.c.trim().parse::<f64>().map_err(|_| {
                format!("--c expects a positive number or auto, got \"{}\"", self.c)
            })?)
        };
        let recipe = match &self.recipe {
            Some(p) => Some(std::fs::read_to_string(p).map_err(|e| leadscore::Error::io(p, e))?),
            None => None,
        };
        let mut cfg = TrainConfig {
            c,
            penalty: Penalty::parse(&self.penalty)?,
            l1_ratio: self.l1_ratio,
            max_features: self.max_features,
            max_model_bytes: self.max_model_bytes,
            insights: !self.no_insights,
            recipe,
            balance: Balance::parse(&self.balance)?,
            min_rows: self.min_rows,
            min_positives: self.min_positives,
            cv_folds: cv,
            threshold: leadscore::eval::ThresholdPolicy::parse(&self.threshold)?,
            time_column: self.time_col.clone(),
            test_share: self.test_share,
            challenger: self.challenger,
            seed: self.seed,
            ..TrainConfig::default()
        };
        self.columns.apply(&mut cfg)?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// The training options every binding passes as JSON (`leadscore::options`),
    /// built from the flags: the CLI trains through the same door.
    fn options(&self, cv: usize) -> Result<TrainOptions, Box<dyn std::error::Error + Send + Sync>> {
        Ok(TrainOptions {
            target: TargetSpec {
                column: self.target.clone(),
                positive: self.positive.clone(),
            },
            config: self.config(cv)?,
            csv: self.read.csv_options()?,
        })
    }
}

fn spinner(quiet: bool, msg: String) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.set_message(msg);
    pb.enable_steady_tick(Duration::from_millis(100));
    pb
}

/// `leadscore train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Training data: CSV (any of , ; tab) or JSON Lines (.jsonl); with --by, one
    /// export of all tenants; a folder of <tenant>.csv files trains each into a store.
    data: PathBuf,
    /// Where to write the model file (with --by or a folder: the store's root folder).
    #[arg(long, value_name = "MODEL|STORE")]
    out: PathBuf,
    /// The tenant column: train one model per tenant into the store at --out.
    #[arg(long, value_name = "TENANT_COL")]
    by: Option<String>,
    /// Model name inside each tenant's folder of the store.
    #[arg(long, value_name = "NAME", default_value = defaults::MODEL_NAME)]
    name: String,
    /// Retrain tenants whose model is newer than their data.
    #[arg(long)]
    force: bool,
    /// Parallel tenants (0 = all cores).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Do not train the `_global` fallback model.
    #[arg(long)]
    no_global: bool,
    /// Let the fallback model use the tenant as a feature.
    #[arg(long)]
    global_tenant_feature: bool,
    /// Rows sampled from all tenants for the fallback model.
    #[arg(long, value_name = "N", default_value_t = defaults::GLOBAL_MAX_ROWS)]
    global_max_rows: usize,
    /// Cross-validation folds for the stored metrics (0 skips them).
    #[arg(long, value_name = "K", default_value_t = defaults::CV_FOLDS)]
    cv: usize,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    /// Print a JSON summary instead of text.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    fit: FitArgs,
}

/// Trains and saves a model.
pub fn train(a: TrainArgs) -> CmdResult {
    let mut out = std::io::stdout().lock();
    let options = a.fit.options(a.cv)?;
    if a.by.is_some() || a.data.is_dir() {
        return train_store(a, options, &mut out);
    }
    let mut inputs = vec![a.data.as_path()];
    inputs.extend(a.fit.recipe.as_deref());
    check_not_input(&a.out, &inputs)?;
    let start = Instant::now();
    let pb = spinner(a.quiet || a.json, format!("reading {}", a.data.display()));
    let table = a.fit.read.read(&a.data)?;
    pb.set_message(format!(
        "training on {} rows ({}-fold CV)",
        table.n_rows(),
        a.cv
    ));
    let model = options.train_table(&table)?;
    model.save(&a.out)?;
    pb.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    if a.json {
        let j = serde_json::json!({
            "model": a.out.display().to_string(),
            "rows": model.meta().rows,
            "positives": model.meta().positives,
            "features": model.coefficients().len(),
            "threshold": model.threshold(),
            "threshold_policy": model.threshold_policy(),
            "converged": model.meta().converged,
            "seconds": seconds,
            "metrics": model.metrics(),
        });
        writeln!(out, "{j}")?;
    } else {
        let m = model.meta();
        writeln!(
            out,
            "trained {} on {} rows ({} positives, {:.1} %), {} features ({} non-zero), in {:.2} s",
            a.out.display(),
            m.rows,
            m.positives,
            100.0 * m.positives as f64 / m.rows.max(1) as f64,
            model.coefficients().len(),
            model.coefficients().iter().filter(|&&c| c != 0.0).count(),
            seconds
        )?;
        if !m.converged {
            writeln!(
                out,
                "warning: the solver stopped at its iteration cap (gradient {:.2e})",
                m.grad_norm
            )?;
        }
        if let Some(metrics) = model.metrics() {
            output::print_metrics(&mut out, metrics, model.evaluation())?;
        }
        if let Some(p) = model.pruning() {
            output::write_pruning(&mut out, p)?;
        }
    }
    Ok(())
}

/// `leadscore eval`.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Data: CSV or JSON Lines.
    data: PathBuf,
    /// Cross-validation folds.
    #[arg(long, value_name = "K", default_value_t = defaults::CV_FOLDS)]
    cv: usize,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
    /// No progress output.
    #[arg(long, short)]
    quiet: bool,
    #[command(flatten)]
    fit: FitArgs,
}

/// Cross-validates (or evaluates on a time split) and prints metrics.
pub fn eval(a: EvalArgs) -> CmdResult {
    let mut out = std::io::stdout().lock();
    if a.cv < 2 && a.fit.time_col.is_none() {
        return Err("--cv must be at least 2 (or give --time-col)".into());
    }
    let options = a.fit.options(a.cv)?;
    let pb = spinner(a.quiet || a.json, format!("reading {}", a.data.display()));
    let table = a.fit.read.read(&a.data)?;
    pb.set_message(match &a.fit.time_col {
        Some(col) => format!("time split on {col}, {} rows", table.n_rows()),
        None => format!("{}-fold cross-validation on {} rows", a.cv, table.n_rows()),
    });
    let (m, e) = options.evaluate_table_detailed(&table)?;
    pb.finish_and_clear();
    if a.json {
        let mut j = serde_json::to_value(&m)?;
        if let Some(obj) = j.as_object_mut() {
            obj.insert("evaluation".into(), serde_json::to_value(&e)?);
        }
        writeln!(out, "{j}")?;
    } else {
        output::print_metrics(&mut out, &m, Some(&e))?;
    }
    Ok(())
}

/// `leadscore score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// The model file, or a store folder (then --by or --tenant picks each row's model).
    model: PathBuf,
    /// With a store: the column naming each row's tenant.
    #[arg(long, value_name = "TENANT_COL")]
    by: Option<String>,
    /// With a store: score every row with this tenant's model.
    #[arg(long, value_name = "T")]
    tenant: Option<String>,
    /// With a store: the model name in each tenant's folder.
    #[arg(long, value_name = "NAME", default_value = defaults::MODEL_NAME)]
    name: String,
    /// Records to score: CSV or JSON Lines.
    data: PathBuf,
    /// Add the top K reasons each way to every row.
    #[arg(long, value_name = "K")]
    explain: Option<usize>,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Output format.
    #[arg(long, default_value = "csv", value_parser = ["csv", "jsonl"])]
    format: String,
    /// Copy these input columns into the output first (e.g. an id; repeatable).
    #[arg(long, value_name = "COL")]
    keep: Vec<String>,
    /// Rows read, scored and written at a time (memory stays bounded by a block).
    #[arg(long, value_name = "N", default_value_t = SCORE_BLOCK_ROWS)]
    block_rows: usize,
    #[command(flatten)]
    read: ReadArgs,
}

/// One scored row: the score, its reasons, and in store mode which model answered.
struct ScoredRow {
    score: leadscore::Score,
    reasons: Vec<leadscore::Reason>,
    answered: Option<(String, String)>,
}

/// Rows per block when scoring: the input is read, scored and written a block at a
/// time, so memory stays bounded whatever the file's size.
const SCORE_BLOCK_ROWS: usize = 50_000;

/// What scores the rows: one model, or a store (each row's tenant's model).
enum Scorer {
    Model(Box<Model>),
    Store(Box<leadscore::store::Store>),
}

/// Scores a file, a block of rows at a time, in the input's order.
pub fn score(a: ScoreArgs) -> CmdResult {
    use leadscore::store::{Store, StoreConfig};
    // Checked before any work: never over an input, standard output open.
    let sink = Sink::open(a.out.as_deref(), &[&a.data, &a.model])?;
    let scorer = if a.model.is_dir() {
        if a.by.is_some() == a.tenant.is_some() {
            return Err("scoring through a store needs --by TENANT_COL or --tenant T".into());
        }
        Scorer::Store(Box::new(Store::open(&a.model, StoreConfig::default())?))
    } else {
        Scorer::Model(Box::new(Model::load(&a.model)?))
    };
    let blocks = a
        .read
        .blocks(&a.data, a.block_rows)
        .map_err(|e| format!("--block-rows: {e}"))?;
    let jsonl = leadscore::data::is_jsonl(&a.data);
    let mut writer = ScoreWriter::new(&a, sink)?;
    // Columns named on the command line that no row has so far (JSON Lines objects
    // may lack a key in a whole block; CSV blocks share the header).
    let mut unseen: Vec<&String> = a.keep.iter().chain(a.by.as_ref()).collect();
    for table in blocks {
        let table = table?;
        a.read.warn(&a.data, &table);
        for k in a.keep.iter().chain(a.by.as_ref()) {
            if !jsonl {
                table.require(k)?;
            }
        }
        unseen.retain(|k| table.column(k).is_none());
        let rows = score_block(&a, &scorer, &table)?;
        writer.write(&table, &rows)?;
    }
    if let Some(k) = unseen.first() {
        return Err(leadscore::Error::unknown_column(k, std::iter::empty()).into());
    }
    writer.finish()
}

/// Scores the rows of one block.
fn score_block(
    a: &ScoreArgs,
    scorer: &Scorer,
    table: &leadscore::Table,
) -> Result<Vec<ScoredRow>, Box<dyn std::error::Error + Send + Sync>> {
    type Row = ScoredRow;
    let join = |e: leadscore::Explanation| e.positive.into_iter().chain(e.negative).collect();
    let mut out = Vec::with_capacity(table.n_rows());
    match scorer {
        Scorer::Store(store) => {
            let by = a.by.as_ref().and_then(|b| table.column(b));
            for i in 0..table.n_rows() {
                let tenant = match (by, &a.tenant) {
                    (Some(col), _) => output::value_text(&col.value(i)),
                    (None, Some(t)) => t.clone(),
                    (None, None) => String::new(),
                };
                let tenant = if tenant.is_empty() {
                    leadscore::store::GLOBAL_TENANT
                } else {
                    tenant.as_str()
                };
                let rec = table.record(i);
                out.push(match a.explain {
                    None => {
                        let s = store.score(tenant, &a.name, &rec)?;
                        Row {
                            score: s.score,
                            reasons: Vec::new(),
                            answered: Some(source_text(s.source, s.reason)),
                        }
                    }
                    Some(k) => {
                        let (e, src, why) = store.explain(tenant, &a.name, &rec, k)?;
                        Row {
                            score: e.score,
                            answered: Some(source_text(src, why)),
                            reasons: join(e),
                        }
                    }
                });
            }
        }
        Scorer::Model(model) => {
            let scores = model.score_batch_detailed(table)?;
            for (i, score) in scores.into_iter().enumerate() {
                let reasons = match a.explain {
                    None => Vec::new(),
                    Some(k) => join(model.explain(&table.record(i), k)?),
                };
                out.push(Row {
                    score,
                    reasons,
                    answered: None,
                });
            }
        }
    }
    Ok(out)
}

/// Writes scored rows as CSV or JSON Lines, block after block.
struct ScoreWriter<'a> {
    a: &'a ScoreArgs,
    out: ScoreOut,
}

enum ScoreOut {
    Jsonl(std::io::BufWriter<Sink>),
    Csv(Box<csv::Writer<Sink>>),
}

impl<'a> ScoreWriter<'a> {
    fn new(a: &'a ScoreArgs, sink: Sink) -> Result<Self, Box<dyn std::error::Error + Send + Sync>> {
        if a.format == "jsonl" {
            return Ok(ScoreWriter {
                a,
                out: ScoreOut::Jsonl(std::io::BufWriter::with_capacity(1 << 16, sink)),
            });
        }
        let mut w = csv::Writer::from_writer(sink);
        let mut header: Vec<String> = a.keep.clone();
        header.extend(["probability", "score", "label"].map(String::from));
        if a.explain.is_some() {
            header.push("reasons".into());
        }
        if a.model.is_dir() {
            header.extend(["model", "fallback_reason"].map(String::from));
        }
        w.write_record(&header)?;
        Ok(ScoreWriter {
            a,
            out: ScoreOut::Csv(Box::new(w)),
        })
    }

    fn write(&mut self, table: &leadscore::Table, rows: &[ScoredRow]) -> CmdResult {
        let a = self.a;
        let keep = |k: &String, i: usize| table.column(k).map(|c| c.value(i)).unwrap_or_default();
        match &mut self.out {
            ScoreOut::Jsonl(sink) => {
                for (i, r) in rows.iter().enumerate() {
                    let mut obj = serde_json::Map::new();
                    for k in &a.keep {
                        obj.insert(k.clone(), output::value_json(&keep(k, i)));
                    }
                    obj.insert("probability".into(), r.score.probability.into());
                    obj.insert("score".into(), r.score.score.into());
                    obj.insert("label".into(), r.score.label.into());
                    if a.explain.is_some() {
                        obj.insert("reasons".into(), serde_json::to_value(&r.reasons)?);
                    }
                    if let Some((src, why)) = &r.answered {
                        obj.insert("model".into(), src.clone().into());
                        obj.insert(
                            "fallback_reason".into(),
                            if why.is_empty() {
                                serde_json::Value::Null
                            } else {
                                why.clone().into()
                            },
                        );
                    }
                    writeln!(sink, "{}", serde_json::Value::Object(obj))?;
                }
            }
            ScoreOut::Csv(w) => {
                for (i, r) in rows.iter().enumerate() {
                    let mut row: Vec<String> = a
                        .keep
                        .iter()
                        .map(|k| output::value_text(&keep(k, i)))
                        .collect();
                    row.push(format!("{}", r.score.probability));
                    row.push(r.score.score.to_string());
                    row.push(u8::from(r.score.label).to_string());
                    if a.explain.is_some() {
                        row.push(output::reasons_text(&r.reasons));
                    }
                    if let Some((src, why)) = &r.answered {
                        row.push(src.clone());
                        row.push(why.clone());
                    }
                    w.write_record(&row)?;
                }
            }
        }
        Ok(())
    }

    fn finish(self) -> CmdResult {
        let sink = match self.out {
            ScoreOut::Jsonl(w) => w.into_inner().map_err(|e| e.into_error())?,
            ScoreOut::Csv(w) => w.into_inner().map_err(|e| e.into_error())?,
        };
        sink.finish()
    }
}

/// `tenant` / `fallback` and the fallback reason, as output columns.
fn source_text(
    src: leadscore::store::Source,
    why: Option<leadscore::store::FallbackReason>,
) -> (String, String) {
    let s = match src {
        leadscore::store::Source::Tenant => "tenant",
        leadscore::store::Source::Fallback => "fallback",
    };
    (
        s.to_owned(),
        why.map(|w| w.as_str().to_owned()).unwrap_or_default(),
    )
}

/// `leadscore recipe`.
#[derive(Debug, Args)]
pub struct RecipeArgs {
    /// Data: CSV or JSON Lines.
    data: PathBuf,
    /// The target column (left out of the features).
    #[arg(long, value_name = "COL")]
    target: String,
    #[command(flatten)]
    columns: ColumnArgs,
    #[command(flatten)]
    read: ReadArgs,
}

/// Prints the `auto` recipe of a data file, a starting point to edit.
pub fn recipe(a: RecipeArgs) -> CmdResult {
    let mut out = std::io::stdout().lock();
    let mut cfg = TrainConfig::default();
    a.columns.apply(&mut cfg)?;
    let table = a.read.read(&a.data)?;
    let text = Trainer::new(cfg)?.recipe_for(&table, &TargetSpec::new(&a.target))?;
    write!(out, "{text}")?;
    Ok(())
}

/// How columns are read and cut into features, shared by `recipe`, `train` and `eval`.
#[derive(Debug, Args, Clone)]
pub struct ColumnArgs {
    /// Override a column's inferred kind: `COL=numeric|boolean|categorical|text|id` (repeatable).
    #[arg(long = "kind", value_name = "COL=KIND")]
    kinds: Vec<String>,
    /// Category levels rarer than this fold into "other".
    #[arg(long, value_name = "N", default_value_t = 10)]
    min_count: usize,
}

impl ColumnArgs {
    /// Sets the kinds (`COL=KIND`) and `min_count` of `cfg`.
    fn apply(&self, cfg: &mut TrainConfig) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        for k in &self.kinds {
            cfg.kinds.push(parse_kind(k)?);
        }
        cfg.auto.min_count = self.min_count;
        Ok(())
    }
}

/// One `--kind COL=KIND`.
fn parse_kind(k: &str) -> Result<(String, Kind), Box<dyn std::error::Error + Send + Sync>> {
    let (col, kind) = k
        .rsplit_once('=')
        .ok_or_else(|| format!("--kind expects COL=KIND, got \"{k}\""))?;
    Ok((col.to_owned(), Kind::parse(kind)?))
}

/// `leadscore insights`.
#[derive(Debug, Args)]
pub struct InsightsArgs {
    /// Data: CSV or JSON Lines.
    data: PathBuf,
    /// The target column (two classes: 0/1, true/false, yes/no, or see --positive).
    #[arg(long, value_name = "COL")]
    target: String,
    /// The value of the target column that counts as positive (e.g. `won`).
    #[arg(long, value_name = "V")]
    positive: Option<String>,
    /// Override a column's inferred kind: `COL=numeric|boolean|categorical|text|id` (repeatable).
    #[arg(long = "kind", value_name = "COL=KIND")]
    kinds: Vec<String>,
    /// Histogram bins per numeric column (2 to 100).
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(MIN_BINS as u64..=MAX_BINS as u64))]
    bins: u64,
    /// Top levels listed per categorical column (0 to 1000; the rest sum as "other").
    #[arg(long, value_name = "N", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=MAX_TOP_LEVELS as u64))]
    top: u64,
    /// Most frequent tokens listed per text column (0 to 1000).
    #[arg(long, value_name = "N", default_value_t = 20,
          value_parser = clap::value_parser!(u64).range(0..=MAX_TOP_TOKENS as u64))]
    top_tokens: u64,
    /// Worker threads (0 = all cores; at most 8 are used).
    #[arg(long, value_name = "N", default_value_t = 0)]
    threads: usize,
    /// Describe the features this recipe file makes (bins, one-hot levels, crosses,
    /// text terms) instead of the raw columns; `auto` for the auto recipe's.
    #[arg(long, value_name = "FILE|auto")]
    recipe: Option<PathBuf>,
    /// Print everything as JSON instead of the readable table.
    #[arg(long)]
    json: bool,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    read: ReadArgs,
}

/// Prints what a data scientist looks at first: each column's statistics and
/// histogram by class, its association with the target, and warnings.
pub fn insights(a: InsightsArgs) -> CmdResult {
    use leadscore::insights::InsightsOptions;
    use leadscore::options::InsightsRequest;
    let request = InsightsRequest {
        target: TargetSpec {
            column: a.target.clone(),
            positive: a.positive.clone(),
        },
        options: InsightsOptions {
            bins: usize::try_from(a.bins)?,
            top_levels: usize::try_from(a.top)?,
            top_tokens: usize::try_from(a.top_tokens)?,
            threads: a.threads,
            kinds: a
                .kinds
                .iter()
                .map(|k| parse_kind(k))
                .collect::<Result<_, _>>()?,
        },
        csv: a.read.csv_options()?,
        recipe: match &a.recipe {
            Some(p) if p.as_os_str() == "auto" => Some("auto".to_owned()),
            Some(p) => Some(std::fs::read_to_string(p).map_err(|e| leadscore::Error::io(p, e))?),
            None => None,
        },
    };
    request.options.validate()?;
    // Checked before any work: never over the input, standard output open.
    let mut inputs: Vec<&std::path::Path> = vec![&a.data];
    inputs.extend(a.recipe.as_deref().filter(|p| p.as_os_str() != "auto"));
    let mut sink = Sink::open(a.out.as_deref(), &inputs)?;
    let table = a.read.read(&a.data)?;
    let ins = request.insights_table(&table)?;
    if a.json {
        serde_json::to_writer_pretty(&mut sink, &ins)?;
        writeln!(sink)?;
    } else {
        // Names and levels come from the data: control characters are shown
        // escaped, never sent to the terminal.
        write!(sink, "{}", output::printable(&ins.to_text(), true))?;
    }
    sink.finish()
}

/// `leadscore inspect`.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The model file.
    model: PathBuf,
    /// Print the whole model as JSON.
    #[arg(long)]
    json: bool,
    /// How many of the strongest coefficients to list.
    #[arg(long, value_name = "N", default_value_t = 15)]
    top: usize,
}

/// Shows a model.
pub fn inspect(a: InspectArgs) -> CmdResult {
    let mut out = std::io::stdout().lock();
    let model = Model::load(&a.model)?;
    if a.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&model.to_json())?)?;
        return Ok(());
    }
    // Names and levels come from the file: control characters are shown escaped,
    // never sent to the terminal.
    let mut text = Vec::new();
    output::print_model(&mut text, &a.model, &model, a.top)?;
    write!(
        out,
        "{}",
        output::printable(&String::from_utf8_lossy(&text), true)
    )?;
    Ok(())
}

/// `leadscore report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The model file.
    model: PathBuf,
    /// Write the page here (standard output without it).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// The page's title (default "Lead score: TARGET").
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// The compact fragment a notebook shows (summary, threshold explorer, strongest
    /// coefficients) instead of the whole page.
    #[arg(long)]
    compact: bool,
}

/// Writes a model's report.
pub fn report(a: ReportArgs) -> CmdResult {
    let model = Model::load(&a.model)?;
    let opts = leadscore::report::ReportOptions {
        compact: a.compact,
        title: a.title,
    };
    let html = model.report_html(&opts)?;
    let mut sink = Sink::open(a.out.as_deref(), &[&a.model])?;
    sink.write_all(html.as_bytes())?;
    sink.finish()
}

/// `leadscore demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the models and the summary.
    #[arg(long, value_name = "DIR", default_value = "leadscore-demo")]
    out: PathBuf,
    /// Number of demo tenants.
    #[arg(long, value_name = "N", default_value_t = 4)]
    tenants: usize,
    /// Seed of the demo data.
    #[arg(long, value_name = "S", default_value_t = 2024)]
    seed: u64,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
}

/// Generates demo tenants, trains a model each, shows a scored lead.
pub fn demo(a: DemoArgs) -> CmdResult {
    let mut out = std::io::stdout().lock();
    use leadscore::synth;
    if a.tenants == 0 {
        return Err("--tenants must be at least 1".into());
    }
    std::fs::create_dir_all(&a.out).map_err(|e| leadscore::Error::io(&a.out, e))?;
    let pb = if a.quiet {
        ProgressBar::hidden()
    } else {
        let pb = ProgressBar::new(a.tenants as u64);
        pb.set_style(
            ProgressStyle::with_template(
                "{bar:30} {pos}/{len} tenants  {msg} [{elapsed}, ETA {eta}]",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        pb
    };
    let start = Instant::now();
    let mut rows_out = Vec::new();
    let mut first: Option<(String, Model, leadscore::Record)> = None;
    for i in 0..a.tenants {
        let t = synth::tenant(a.seed, i);
        pb.set_message(format!("{} ({} rows)", t.name, t.table.n_rows()));
        let model =
            Trainer::new(TrainConfig::default())?.fit(&t.table, &TargetSpec::new(synth::TARGET))?;
        let path = a.out.join(format!("{}.lsm", t.name));
        model.save(&path)?;
        let m = model.metrics().cloned();
        rows_out.push((
            t.name.clone(),
            t.table.n_rows(),
            model.meta().positives,
            m,
            path,
        ));
        if first.is_none() {
            // Show a promising but ordinary lead of the first tenant: the one at the
            // 90th percentile of scores (the very top is usually an outlier).
            let p = model.score_batch(&t.table)?;
            let mut order: Vec<usize> = (0..p.len()).collect();
            order.sort_by(|&x, &y| p[x].total_cmp(&p[y]));
            let best = order.get(order.len() * 9 / 10).copied().unwrap_or(0);
            let mut rec = t.table.record(best);
            rec = rec
                .iter()
                .filter(|(k, _)| *k != synth::TARGET)
                .map(|(k, v)| (k.to_owned(), v.clone()))
                .collect();
            first = Some((t.name.clone(), model, rec));
        }
        pb.inc(1);
    }
    pb.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    writeln!(
        out,
        "{:<26} {:>7} {:>9} {:>9} {:>15} {:>6}",
        "tenant", "rows", "positive", "ROC AUC", "PR AUC (random)", "lift"
    )?;
    let mut summary = Vec::new();
    for (name, rows, pos, m, path) in &rows_out {
        let rate = *pos as f64 / *rows as f64;
        let (auc, pr, lift) = m.as_ref().map_or((f64::NAN, f64::NAN, f64::NAN), |m| {
            (m.roc_auc, m.pr_auc, m.lift.pr_auc)
        });
        writeln!(
            out,
            "{:<26} {:>7} {:>8.1}% {:>9} {:>7} ({:.3}) {:>5.1}x",
            name,
            rows,
            100.0 * rate,
            fmt_metric(auc),
            fmt_metric(pr),
            rate,
            lift
        )?;
        summary.push(serde_json::json!({
            "tenant": name, "rows": rows, "positives": pos, "positive_rate": rate,
            "model": path.display().to_string(), "metrics": m,
        }));
    }
    if let Some((name, model, rec)) = first {
        let e = model.explain(&rec, 3)?;
        writeln!(out)?;
        writeln!(
            out,
            "A lead of {name}: probability {:.3} (score {}, {}; threshold {:.3})",
            e.score.probability,
            e.score.score,
            if e.score.label {
                "likely to convert"
            } else {
                "unlikely to convert"
            },
            model.threshold()
        )?;
        for r in e.positive.iter().chain(&e.negative) {
            writeln!(out, "  {:+.2}  {}", r.contribution, r.label)?;
        }
    }
    let summary_path = a.out.join("summary.json");
    let j = serde_json::json!({ "seed": a.seed, "seconds": seconds, "tenants": summary });
    leadscore::format::write_atomic(&summary_path, serde_json::to_string_pretty(&j)?.as_bytes())?;
    writeln!(out)?;
    writeln!(
        out,
        "models and summary written to {}/ in {:.1} s",
        a.out.display(),
        seconds
    )?;
    Ok(())
}

/// `leadscore train --by COL --out STORE`: every tenant into a store.
fn train_store(a: TrainArgs, train: TrainOptions, out: &mut impl Write) -> CmdResult {
    use leadscore::mass::{train_tenants, MassConfig, MassInput, Status, TRAINING_REPORT};
    use leadscore::store::{Store, StoreConfig};
    let store = Store::open(&a.out, StoreConfig::default())?;
    let mut mc = MassConfig::new(train);
    mc.by = a.by.clone();
    mc.name = a.name.clone();
    mc.force = a.force;
    mc.threads = a.threads;
    mc.global = !a.no_global;
    mc.global_tenant_feature = a.global_tenant_feature;
    mc.global_max_rows = a.global_max_rows;
    let pb = if a.quiet || a.json {
        ProgressBar::hidden()
    } else {
        let pb = ProgressBar::new_spinner();
        pb.set_message(format!("indexing {}", a.data.display()));
        pb.enable_steady_tick(Duration::from_millis(100));
        pb
    };
    let style =
        ProgressStyle::with_template("{bar:30} {pos}/{len} tenants  {msg}  [{elapsed}, ETA {eta}]")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
    let summary = train_tenants(MassInput::Path(&a.data), &store, &mc, &|p| {
        if pb.length().is_none() {
            pb.set_style(style.clone());
            pb.set_length(p.total as u64);
        }
        pb.set_position(p.done as u64);
        pb.set_message(format!(
            "{:.0} rows/s",
            p.rows_done as f64 / p.elapsed.max(1e-9)
        ));
    })?;
    pb.finish_and_clear();
    let report = a.out.join(TRAINING_REPORT);
    if a.json {
        writeln!(out, "{}", serde_json::to_string(&summary)?)?;
        return Ok(());
    }
    let n = summary.tenants.len();
    writeln!(
        out,
        "{n} tenants in {:.1} s (indexing {:.2} s): trained {}, skipped {}, insufficient data {}, failed {}",
        summary.seconds,
        summary.index_seconds,
        summary.count(Status::Trained),
        summary.count(Status::Skipped),
        summary.count(Status::InsufficientData),
        summary.count(Status::Failed)
    )?;
    if let Some(q) = summary.auc_quantiles() {
        writeln!(
            out,
            "ROC AUC over trained tenants: min {:.3}  25% {:.3}  median {:.3}  75% {:.3}  max {:.3}",
            q[0], q[1], q[2], q[3], q[4]
        )?;
    }
    if let Some(g) = &summary.global {
        writeln!(
            out,
            "fallback model _global: {:?} on {} sampled rows{}",
            g.status,
            g.rows,
            g.roc_auc
                .map(|a| format!(", ROC AUC {a:.3}"))
                .unwrap_or_default()
        )?;
    }
    if summary.rows_without_tenant > 0 {
        writeln!(
            out,
            "{} rows had no tenant value and were left out",
            summary.rows_without_tenant
        )?;
    }
    for t in summary
        .tenants
        .iter()
        .filter(|t| t.status == Status::Failed)
        .take(20)
    {
        writeln!(
            out,
            "failed: {}: {}",
            t.tenant,
            t.error.as_deref().unwrap_or("")
        )?;
    }
    writeln!(
        out,
        "store {}; per-run report {}",
        a.out.display(),
        report.display()
    )?;
    Ok(())
}

/// `leadscore demo-data`.
#[derive(Debug, Args)]
pub struct DemoDataArgs {
    /// Where to write the CSV export.
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Number of tenants.
    #[arg(long, value_name = "N", default_value_t = 20)]
    tenants: usize,
    /// Seed of the demo data.
    #[arg(long, value_name = "S", default_value_t = 2024)]
    seed: u64,
    /// Add a `created` date (the leads spread over 2024) and let the market drift
    /// over the year by D: 0 keeps the source and city effects, 1 reverses them by
    /// December (for trying --time-col).
    #[arg(long, value_name = "D")]
    drift: Option<f64>,
}

/// Writes a multi-tenant demo export.
pub fn demo_data(a: DemoDataArgs) -> CmdResult {
    if let Some(d) = a.drift {
        if !(0.0..=1.0).contains(&d) {
            return Err(format!("--drift must be from 0 to 1, got {d}").into());
        }
    }
    let f = std::fs::File::create(&a.out).map_err(|e| leadscore::Error::io(&a.out, e))?;
    let rows = leadscore::synth::write_export_with_drift(
        a.seed,
        a.tenants,
        a.drift,
        std::io::BufWriter::new(f),
    )?;
    writeln!(
        std::io::stdout().lock(),
        "wrote {} tenants, {rows} rows to {} (tenant column \"{}\", target \"{}\")",
        a.tenants,
        a.out.display(),
        leadscore::synth::TENANT_COLUMN,
        leadscore::synth::TARGET
    )?;
    Ok(())
}

/// `leadscore drift`.
#[derive(Debug, Args)]
pub struct DriftArgs {
    /// The store's root folder.
    store: PathBuf,
    /// Only this tenant.
    #[arg(long, value_name = "T")]
    tenant: Option<String>,
    /// The model name in each tenant's folder.
    #[arg(long, value_name = "NAME", default_value = defaults::MODEL_NAME)]
    name: String,
    /// One JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
    /// List every tenant, not only those to watch or retrain.
    #[arg(long)]
    all: bool,
}

/// Reports score drift per tenant.
pub fn drift(a: DriftArgs) -> CmdResult {
    use leadscore::drift::{PSI_RETRAIN, PSI_WATCH};
    use leadscore::store::drift_report as report;
    let mut out = std::io::stdout().lock();
    if !a.store.is_dir() {
        return Err(format!("{}: not a store folder", a.store.display()).into());
    }
    let rows = report(&a.store, &a.name, a.tenant.as_deref())?;
    let shown: Vec<_> = rows
        .iter()
        .filter(|r| {
            a.all
                || a.tenant.is_some()
                || matches!(r.status.as_str(), "watch" | "retrain" | "unreadable")
        })
        .collect();
    if a.json {
        for r in &shown {
            writeln!(out, "{}", serde_json::to_string(r)?)?;
        }
        return Ok(());
    }
    let count = |s: &str| rows.iter().filter(|r| r.status == s).count();
    writeln!(
        out,
        "{} models: retrain {} (PSI >= {PSI_RETRAIN}), watch {} (PSI >= {PSI_WATCH}), stable {}, too few scores {}, no reference {}, unreadable {}",
        rows.len(),
        count("retrain"),
        count("watch"),
        count("stable"),
        count("too_few_scores"),
        count("no_reference"),
        count("unreadable")
    )?;
    if !shown.is_empty() {
        writeln!(out, "{:<30} {:>9} {:>7}  status", "tenant", "scores", "PSI")?;
        for r in shown {
            let psi = r.psi.map_or("-".to_owned(), |p| format!("{p:.3}"));
            let why = r
                .error
                .as_deref()
                .map(|e| format!(": {e}"))
                .unwrap_or_default();
            writeln!(
                out,
                "{:<30} {:>9} {:>7}  {}{}",
                output::printable(&r.tenant, false),
                r.scores,
                psi,
                r.status,
                output::printable(&why, false)
            )?;
        }
    }
    Ok(())
}
