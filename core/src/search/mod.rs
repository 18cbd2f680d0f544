//! Hyper-parameter search: which training setting measures best on this data.
//!
//! A search tries settings of `C`, the penalty (and the elastic net's `l1_ratio`),
//! the balancing method and the `auto` recipe's `min_count`, `bins`, `ngram` and
//! `min_df` ([`SearchSpace`]), measures each by cross-validation
//! ([`crate::Trainer::evaluate`]: the same folds for every trial) and keeps every
//! trial. The best setting can then be refitted on every row
//! ([`SearchRequest::refit_best`]).
//!
//! Methods ([`Method`]):
//! - `grid`: a fixed grid ([`SearchSpace`]'s lists: 6 log-spaced `C` from the range's
//!   low to high end; the balancing methods; the penalties, the elastic net at 0.5,
//!   0.2 and 0.8 of the `l1_ratio` range; bins 10, 5, 20; `min_count` 10, 3, 30;
//!   n-grams 2, 1, 3; `min_df` 1, 3; each list kept to the searched range), tried
//!   with `C` varying fastest, then the balance, the penalty, the bins, `min_count`,
//!   the n-gram order and `min_df`, each list but `C`'s starting at the training
//!   default. `trials` cuts the grid short in that order.
//! - `random`: trial 0 is the base setting (below); every later trial is drawn
//!   independently (log-uniform `C`, `min_count`, `bins` and `min_df`; uniform
//!   choices), from the seed and the trial's number.
//! - `tpe`: the Tree-structured Parzen Estimator (see `sampler`): trial 0 is the base
//!   setting and trials 1 to `tpe_startup - 1` are random search's trials of the
//!   same numbers; then proposals from the finished trials, `tpe_batch` at a time.
//!
//! The base setting is the training default within the space
//! ([`SearchSpace`]'s `base_params`: `C` automatic, L2, upsampling, the `auto`
//! recipe's defaults, or the space's nearest values when it leaves them out), so a
//! random or TPE search's best is never worse than the default it would replace. In
//! TPE's model its automatic `C` counts as the `C` the folds chose (their geometric
//! mean, kept within the range).
//!
//! Reproducible: a trial's setting depends only on the seed, its number and (TPE) the
//! trials finished before its batch; its result only on the setting and the seed
//! (the folds). So the same seed gives the same trials and results whatever the
//! number of threads. Trials run in parallel on a pool of `threads` workers (0: the
//! cores); `budget_seconds` stops starting trials once it has passed, and the result
//! says so.
//!
//! ```
//! use leadscore::search::SearchRequest;
//! let leads = leadscore::synth::tenant_with_rows(3, 0, 1000).table;
//! let req = SearchRequest::from_json_str(
//!     r#"{"target": "converted", "method": "random", "trials": 3, "cv": 3, "min_rows": 500}"#,
//! )?;
//! let result = req.run_table(&leads)?;
//! assert_eq!(result.trials.len(), 3);
//! let best = result.best_trial().expect("a trial succeeded");
//! assert!(best.roc_auc.unwrap() > 0.5);
//! # Ok::<(), leadscore::Error>(())
//! ```

mod sampler;
mod space;
#[cfg(test)]
mod tests;

pub use sampler::GAMMA;
pub use space::{
    CSpace, Params, SearchSpace, DEFAULT_BINS_RANGE, DEFAULT_C_RANGE, DEFAULT_MIN_COUNT_RANGE,
    DEFAULT_MIN_DF_RANGE, DEFAULT_NGRAM_RANGE, GRID_BINS, GRID_C_POINTS, GRID_L1_SHARES,
    GRID_MIN_COUNT, GRID_MIN_DF, GRID_NGRAM, MAX_C, MAX_MIN_COUNT, MIN_C,
};

use crate::data::{Schema, Table, Target};
use crate::error::{Error, Result};
use crate::eval::Metrics;
use crate::options::{bad_option, each_option, uint_option, TrainOptions, OPTION_NAMES};
use crate::rng::Rng;
use crate::{Model, Trainer};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Most trials a search may run.
pub const MAX_TRIALS: usize = 10_000;
/// Trials when `trials` is not given.
pub const DEFAULT_TRIALS: usize = 30;
/// The longest `budget_seconds` (a week).
pub const MAX_BUDGET_SECONDS: f64 = 7.0 * 24.0 * 3600.0;
/// TPE's start-up trials (the base setting, then random ones) when not given.
pub const DEFAULT_TPE_STARTUP: usize = 10;
/// TPE's proposals per batch when not given: a fixed number, not the thread count,
/// so that results do not depend on the machine.
pub const DEFAULT_TPE_BATCH: usize = 4;
/// The most proposals per TPE batch.
pub const MAX_TPE_BATCH: usize = 256;
/// The default cross-validation folds of a search when `cv` is not given
/// (the training default).
pub const DEFAULT_CV: usize = crate::defaults::CV_FOLDS;

/// A stream number that keeps the search's draws apart from training's.
const SEARCH_STREAM: u64 = 0x5EA7_C400_0000_0000;

/// How settings are chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Method {
    /// A fixed grid, cut to `trials`.
    Grid,
    /// Independent random draws.
    Random,
    /// The Tree-structured Parzen Estimator (the default).
    #[default]
    Tpe,
}

impl Method {
    /// Parses `grid`, `random` or `tpe`.
    pub fn parse(s: &str) -> Result<Method> {
        match s.trim().to_ascii_lowercase().as_str() {
            "grid" => Ok(Method::Grid),
            "random" => Ok(Method::Random),
            "tpe" => Ok(Method::Tpe),
            other => Err(Error::InvalidInput(format!(
                "unknown search method \"{other}\"; use grid, random or tpe"
            ))),
        }
    }

    /// The name [`Method::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Grid => "grid",
            Method::Random => "random",
            Method::Tpe => "tpe",
        }
    }
}

/// What a search optimises, from the cross-validated [`Metrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    /// ROC AUC, maximised (the default).
    #[default]
    RocAuc,
    /// PR AUC (average precision), maximised.
    PrAuc,
    /// Log-loss of the calibrated probabilities, minimised.
    LogLoss,
}

impl Metric {
    /// Parses `roc_auc`, `pr_auc` or `log_loss`.
    pub fn parse(s: &str) -> Result<Metric> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "roc_auc" | "auc" => Ok(Metric::RocAuc),
            "pr_auc" | "average_precision" => Ok(Metric::PrAuc),
            "log_loss" | "logloss" => Ok(Metric::LogLoss),
            other => Err(Error::InvalidInput(format!(
                "unknown search metric \"{other}\"; use roc_auc, pr_auc or log_loss"
            ))),
        }
    }

    /// The name [`Metric::parse`] reads.
    pub fn as_str(self) -> &'static str {
        match self {
            Metric::RocAuc => "roc_auc",
            Metric::PrAuc => "pr_auc",
            Metric::LogLoss => "log_loss",
        }
    }

    /// Whether higher is better.
    pub fn maximise(self) -> bool {
        self != Metric::LogLoss
    }

    /// The metric's value in `m`.
    pub fn of(self, m: &Metrics) -> f64 {
        match self {
            Metric::RocAuc => m.roc_auc,
            Metric::PrAuc => m.pr_auc,
            Metric::LogLoss => m.log_loss,
        }
    }

    /// Whether `a` is better than `b`.
    pub fn better(self, a: f64, b: f64) -> bool {
        if self.maximise() {
            a > b
        } else {
            a < b
        }
    }
}

/// The search's own option names (the rest are [`OPTION_NAMES`], the training
/// options, of which `c`, `penalty`, `l1_ratio`, `balance` and `min_count` describe
/// the space here).
pub const SEARCH_OPTION_NAMES: &[&str] = &[
    "method",
    "trials",
    "budget_seconds",
    "metric",
    "refit",
    "tpe_startup",
    "tpe_batch",
    "bins",
    "ngram",
    "min_df",
];

/// A parsed search: the base training options, the method, the budget and the space.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchRequest {
    /// The base training options: target, folds (`cv`), seed, recipe, kinds, minimum
    /// data, threads (the trial pool) and the rest; each trial changes the searched
    /// settings only.
    pub train: TrainOptions,
    /// How settings are chosen.
    pub method: Method,
    /// Most trials (for `grid`, the grid is cut to this many).
    pub trials: usize,
    /// Start no trial after this many seconds.
    pub budget_seconds: Option<f64>,
    /// What is optimised.
    pub metric: Metric,
    /// What each setting may take.
    pub space: SearchSpace,
    /// The space options the request set (`bins`, `l1_ratio`...).
    given: Vec<String>,
    /// Refit the best setting on every row ([`SearchRequest::search_table`]).
    pub refit: bool,
    /// TPE's random start-up trials.
    pub tpe_startup: usize,
    /// TPE's proposals per batch.
    pub tpe_batch: usize,
}

/// One trial: its setting and how it measured.
#[derive(Debug, Clone, PartialEq)]
pub struct Trial {
    /// The trial's number, from 0 in the order settings were proposed.
    pub number: usize,
    /// The setting.
    pub params: Params,
    /// The optimised metric (`None` when the trial failed).
    pub value: Option<f64>,
    /// Cross-validated ROC AUC.
    pub roc_auc: Option<f64>,
    /// Cross-validated PR AUC.
    pub pr_auc: Option<f64>,
    /// Cross-validated log-loss.
    pub log_loss: Option<f64>,
    /// Seconds the trial took.
    pub seconds: f64,
    /// Why the trial failed (a setting the data cannot train).
    pub error: Option<String>,
}

impl Trial {
    /// The trial as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "number": self.number,
            "params": self.params.to_json(),
            "value": self.value,
            "roc_auc": self.roc_auc,
            "pr_auc": self.pr_auc,
            "log_loss": self.log_loss,
            "seconds": self.seconds,
            "error": self.error,
        })
    }
}

/// Why a search stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// It ran every trial asked for.
    Trials,
    /// The grid had fewer points than `trials`: every point was tried.
    GridDone,
    /// `budget_seconds` passed: no trial started after it.
    Budget,
}

impl Stop {
    /// `trials`, `grid_done` or `budget`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::Trials => "trials",
            Stop::GridDone => "grid_done",
            Stop::Budget => "budget",
        }
    }
}

/// Every trial of a search and the best.
#[derive(Debug, Clone, PartialEq)]
pub struct SearchResult {
    /// How settings were chosen.
    pub method: Method,
    /// What was optimised.
    pub metric: Metric,
    /// The seed (folds, resampling, proposals).
    pub seed: u64,
    /// Cross-validation folds of every trial.
    pub cv_folds: usize,
    /// Rows of the data.
    pub rows: usize,
    /// Positive rows.
    pub positives: usize,
    /// The space searched (after dropping what the data cannot use).
    pub space: SearchSpace,
    /// Trials asked for.
    pub trials_requested: usize,
    /// Points of the whole grid (`grid` only).
    pub grid_size: Option<usize>,
    /// Why the search stopped.
    pub stopped: Stop,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Every trial that ran, by number.
    pub trials: Vec<Trial>,
    /// The index in `trials` of the best (the lowest number among equals), `None`
    /// when every trial failed.
    pub best: Option<usize>,
}

impl SearchResult {
    /// The best trial.
    pub fn best_trial(&self) -> Option<&Trial> {
        self.best.and_then(|i| self.trials.get(i))
    }

    /// Whether the budget ended the search.
    pub fn budget_exhausted(&self) -> bool {
        self.stopped == Stop::Budget
    }

    /// The trials best first (failed ones last, by number).
    pub fn ranked(&self) -> Vec<&Trial> {
        let mut v: Vec<&Trial> = self.trials.iter().collect();
        let maximise = self.metric.maximise();
        v.sort_by(|a, b| match (a.value, b.value) {
            (Some(x), Some(y)) => {
                let o = if maximise {
                    y.total_cmp(&x)
                } else {
                    x.total_cmp(&y)
                };
                o.then(a.number.cmp(&b.number))
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.number.cmp(&b.number),
        });
        v
    }

    /// The result as JSON: the search's settings, `best` (a trial or `null`),
    /// `budget_exhausted`, and every trial in number order.
    pub fn to_json(&self) -> Value {
        json!({
            "method": self.method.as_str(),
            "metric": self.metric.as_str(),
            "maximise": self.metric.maximise(),
            "seed": self.seed,
            "cv": self.cv_folds,
            "rows": self.rows,
            "positives": self.positives,
            "space": self.space.to_json(),
            "searched": self.space.searched(),
            "trials_requested": self.trials_requested,
            "trials_run": self.trials.len(),
            "trials_failed": self.trials.iter().filter(|t| t.error.is_some()).count(),
            "grid_size": self.grid_size,
            "stopped": self.stopped.as_str(),
            "budget_exhausted": self.budget_exhausted(),
            "seconds": self.seconds,
            "best": self.best_trial().map(Trial::to_json),
            "trials": self.trials.iter().map(Trial::to_json).collect::<Vec<_>>(),
        })
    }

    /// [`SearchResult::to_json`] as text.
    pub fn to_json_string(&self) -> String {
        self.to_json().to_string()
    }
}

/// What a search reports after each trial.
#[derive(Debug)]
pub struct Progress<'a> {
    /// Trials finished so far.
    pub done: usize,
    /// Trials planned (fewer may run when the budget ends the search).
    pub planned: usize,
    /// The trial that just finished.
    pub trial: &'a Trial,
    /// The best value so far.
    pub best: Option<f64>,
}

/// A search's result and, when refitting was asked for, the best setting's model.
#[derive(Debug)]
pub struct Searched {
    /// Every trial and the best.
    pub result: SearchResult,
    /// The best setting trained on every row (with `refit`).
    pub model: Option<Model>,
}

impl SearchRequest {
    /// Parses options from JSON text (see [`SearchRequest::from_json`]).
    pub fn from_json_str(text: &str) -> Result<SearchRequest> {
        let v: Value = serde_json::from_str(text)
            .map_err(|e| Error::InvalidInput(format!("options are not valid JSON: {e}")))?;
        Self::from_json(&v)
    }

    /// Parses a search from one JSON object, names in snake_case or camelCase as
    /// [`TrainOptions::from_json`] reads them: every training option is the base of
    /// every trial (`target` is required; `cv` defaults to 5, `seed` to 42;
    /// `threads` is the trial pool), except that these describe the space:
    ///
    /// | name | type | meaning |
    /// |---|---|---|
    /// | `c` | `"auto"`, number, or `[low, high]` | `C`: log-uniform over the range (default `[0.001, 100]`), fixed, or chosen from the data |
    /// | `penalty` | name or list | penalties tried (default `["l2", "l1", "elasticnet"]`) |
    /// | `l1_ratio` | number or `[low, high]` | the elastic net's L1 share (default `[0, 1]`) |
    /// | `balance` | name or list | balancing methods tried (default all four) |
    /// | `min_count` | integer or `[low, high]` | rare category threshold (default `[1, 50]`) |
    /// | `bins` | integer or `[low, high]` | quantile bins of numbers, `auto` recipe (default `[3, 30]`) |
    /// | `ngram` | integer or `[low, high]` | n-gram order of text, `auto` recipe (default `[1, 3]`) |
    /// | `min_df` | integer or `[low, high]` | fewest rows per text term, `auto` recipe (default `[1, 5]`) |
    ///
    /// and these are the search's own:
    ///
    /// | name | type | meaning |
    /// |---|---|---|
    /// | `method` | string | `grid`, `random` or `tpe` (default) |
    /// | `trials` | integer | most trials, 1 to 10000 (default 30) |
    /// | `budget_seconds` | number | start no trial after this many seconds |
    /// | `metric` | string | `roc_auc` (default), `pr_auc` or `log_loss` (minimised) |
    /// | `refit` | boolean | train the best setting on every row (default `false`) |
    /// | `tpe_startup` | integer | TPE's start-up trials before the first proposal: the base setting and random ones (default 10) |
    /// | `tpe_batch` | integer | TPE's proposals per round (default 4, at most 256) |
    ///
    /// Every value is checked, and errors name the option.
    pub fn from_json(v: &Value) -> Result<SearchRequest> {
        let names: Vec<&str> = OPTION_NAMES
            .iter()
            .chain(SEARCH_OPTION_NAMES)
            .copied()
            .collect();
        let mut base = serde_json::Map::new();
        let mut method = Method::default();
        let mut trials = DEFAULT_TRIALS;
        let mut budget_seconds = None;
        let mut metric = Metric::default();
        let mut space = SearchSpace::default();
        let mut given = Vec::new();
        let mut refit = false;
        let mut tpe_startup = DEFAULT_TPE_STARTUP;
        let mut tpe_batch = DEFAULT_TPE_BATCH;
        let mut cv_given = false;
        each_option(v, &names, |key, val| {
            let range = |lo: usize, hi: usize| -> Result<usize> {
                let n = uint_option(key, val)?;
                if !(lo..=hi).contains(&n) {
                    return Err(Error::InvalidInput(format!(
                        "option \"{key}\" must be from {lo} to {hi}, got {n}"
                    )));
                }
                Ok(n)
            };
            match key {
                "method" => {
                    method = Method::parse(
                        val.as_str()
                            .ok_or_else(|| bad_option(key, val, "a string"))?,
                    )?
                }
                "metric" => {
                    metric = Metric::parse(
                        val.as_str()
                            .ok_or_else(|| bad_option(key, val, "a string"))?,
                    )?
                }
                "trials" => trials = range(1, MAX_TRIALS)?,
                "budget_seconds" => {
                    let s = val
                        .as_f64()
                        .ok_or_else(|| bad_option(key, val, "a number of seconds"))?;
                    if !(s > 0.0 && s <= MAX_BUDGET_SECONDS) {
                        return Err(Error::InvalidInput(format!(
                            "option \"budget_seconds\" must be more than 0 and at most {MAX_BUDGET_SECONDS} (a week), got {s}"
                        )));
                    }
                    budget_seconds = Some(s);
                }
                "refit" => {
                    refit = val
                        .as_bool()
                        .ok_or_else(|| bad_option(key, val, "a boolean"))?
                }
                "tpe_startup" => tpe_startup = range(1, MAX_TRIALS)?,
                "tpe_batch" => tpe_batch = range(1, MAX_TPE_BATCH)?,
                k if space::SPACE_NAMES.contains(&k) => {
                    space.read(k, val)?;
                    given.push(k.to_owned());
                }
                k => {
                    if k == "cv" {
                        cv_given = true;
                    }
                    base.insert(k.to_owned(), val.clone());
                }
            }
            Ok(())
        })?;
        if !cv_given {
            base.insert("cv".into(), json!(DEFAULT_CV));
        }
        // Every trial is cross-validated: 0 and 1 fold mean nothing here.
        if let Some(cv) = base.get("cv") {
            if crate::options::whole_number(cv).is_some_and(|k| k < 2) {
                return Err(Error::InvalidInput(format!(
                    "option \"cv\" must be at least 2 for a search (every trial is cross-validated), got {cv}"
                )));
            }
        }
        let train = TrainOptions::from_json(&Value::Object(base))?;
        Ok(SearchRequest {
            train,
            method,
            trials,
            budget_seconds,
            metric,
            space,
            given,
            refit,
            tpe_startup,
            tpe_batch,
        })
    }

    /// Searches on a table.
    pub fn run_table(&self, table: &Table) -> Result<SearchResult> {
        self.run_table_with(table, &|_| {})
    }

    /// Searches on a table, calling `progress` after each trial (from the worker
    /// thread that ran it, in the order trials finish).
    pub fn run_table_with(
        &self,
        table: &Table,
        progress: &(dyn Fn(&Progress<'_>) + Sync),
    ) -> Result<SearchResult> {
        let start = Instant::now();
        let deadline = self
            .budget_seconds
            .map(|s| start + Duration::from_secs_f64(s));
        let base = &self.train.config;
        let spec = &self.train.target;
        // What every trial would fail on fails the search, before any trial.
        let target = Target::read(table, spec)?;
        let (rows, positives) = (target.y.len(), target.positives());
        if rows < base.min_rows || positives < base.min_positives {
            return Err(Error::InsufficientData {
                rows,
                positives,
                min_rows: base.min_rows,
                min_positives: base.min_positives,
            });
        }
        let schema = Schema::infer(table, &[spec.column.as_str()]).with_overrides(&base.kinds)?;
        let space = self.space.for_data(&schema, base, &self.given)?;
        let encoded = space.encode();
        let mut run = Run {
            req: self,
            table,
            deadline,
            progress,
            done: AtomicUsize::new(0),
            best: Mutex::new(None),
            planned: self.trials,
            budget_hit: AtomicBool::new(false),
            c_used: Mutex::new(Vec::new()),
        };
        let mut trials: Vec<Trial> = Vec::new();
        let mut grid_size = None;
        let mut stopped = Stop::Trials;
        let seed = base.seed;
        let draw = |n: usize| Rng::derive(seed ^ SEARCH_STREAM, n as u64);
        // Random and TPE search start from the base setting (the training default).
        let first = space.base_params(base, self.given.iter().any(|g| g == "c"));
        match self.method {
            Method::Grid => {
                let mut grid = space.grid();
                grid_size = Some(grid.len());
                if grid.len() <= self.trials {
                    stopped = Stop::GridDone;
                }
                grid.truncate(self.trials);
                run.planned = grid.len();
                trials = run.round(grid.into_iter().enumerate().collect());
            }
            Method::Random => {
                let batch = (0..self.trials)
                    .map(|n| match n {
                        0 => (0, first.clone()),
                        _ => (
                            n,
                            encoded.params(&sampler::random_point(&encoded.dims, &mut draw(n))),
                        ),
                    })
                    .collect();
                trials = run.round(batch);
            }
            Method::Tpe => {
                let mut history: Vec<(sampler::Point, f64)> = Vec::new();
                let mut n = 0;
                while n < self.trials && !run.budget_hit.load(Ordering::Relaxed) {
                    let size = if n < self.tpe_startup {
                        self.tpe_startup.min(self.trials) - n
                    } else {
                        self.tpe_batch.min(self.trials - n)
                    };
                    let points: Vec<sampler::Point> = (n..n + size)
                        .map(|k| {
                            if k == 0 {
                                encoded.point(&first, None)
                            } else if k < self.tpe_startup {
                                sampler::random_point(&encoded.dims, &mut draw(k))
                            } else {
                                sampler::tpe_point(&encoded.dims, &history, &mut draw(k))
                            }
                        })
                        .collect();
                    let batch = points
                        .iter()
                        .enumerate()
                        .map(|(i, p)| match n + i {
                            0 => (0, first.clone()),
                            k => (k, encoded.params(p)),
                        })
                        .collect();
                    let done = run.round(batch);
                    for t in &done {
                        let loss = match t.value {
                            Some(v) if self.metric.maximise() => -v,
                            Some(v) => v,
                            None => f64::INFINITY,
                        };
                        // An automatic `C` stands in the history as the `C` the
                        // folds chose.
                        let point = match (t.number, t.params.c) {
                            (0, None) => Some(encoded.point(&t.params, run.c_used(0))),
                            (k, _) => points.get(k - n).cloned(),
                        };
                        if let Some(p) = point {
                            history.push((p, loss));
                        }
                    }
                    trials.extend(done);
                    n += size;
                }
            }
        }
        if run.budget_hit.load(Ordering::Relaxed) && trials.len() < run.planned {
            stopped = Stop::Budget;
        }
        let mut best: Option<usize> = None;
        for (i, t) in trials.iter().enumerate() {
            if let Some(v) = t.value {
                let better = match best.and_then(|b| trials[b].value) {
                    None => true,
                    Some(bv) => self.metric.better(v, bv),
                };
                if better {
                    best = Some(i);
                }
            }
        }
        Ok(SearchResult {
            method: self.method,
            metric: self.metric,
            seed,
            cv_folds: base.cv_folds,
            rows,
            positives,
            space,
            trials_requested: self.trials,
            grid_size,
            stopped,
            seconds: start.elapsed().as_secs_f64(),
            trials,
            best,
        })
    }

    /// Trains the best setting of `result` on every row of `table` (cross-validated
    /// metrics stored in the model, as training stores them).
    pub fn refit_best(&self, table: &Table, result: &SearchResult) -> Result<Model> {
        let best = result.best_trial().ok_or_else(|| {
            let first = result
                .trials
                .iter()
                .find_map(|t| t.error.clone())
                .unwrap_or_else(|| "no trial ran".into());
            Error::Training(format!(
                "no trial of the search succeeded, nothing to refit (first error: {first})"
            ))
        })?;
        Trainer::new(best.params.apply(&self.train.config))?.fit(table, &self.train.target)
    }

    /// Searches on a table and, with `refit`, trains the best setting on every row.
    pub fn search_table(&self, table: &Table) -> Result<Searched> {
        let result = self.run_table(table)?;
        let model = if self.refit {
            Some(self.refit_best(table, &result)?)
        } else {
            None
        };
        Ok(Searched { result, model })
    }

    /// Reads a data file (CSV, or JSON Lines for `.jsonl`/`.ndjson`) and searches on
    /// it (see [`SearchRequest::search_table`]).
    pub fn search_file(&self, path: impl AsRef<std::path::Path>) -> Result<Searched> {
        let table =
            crate::data::read_path(path.as_ref(), &self.train.csv, &self.train.json_options())?;
        self.search_table(&table)
    }
}

/// The shared state of one search's trials.
struct Run<'a> {
    req: &'a SearchRequest,
    table: &'a Table,
    deadline: Option<Instant>,
    progress: &'a (dyn Fn(&Progress<'_>) + Sync),
    done: AtomicUsize,
    best: Mutex<Option<f64>>,
    planned: usize,
    budget_hit: AtomicBool,
    /// The `C` the folds chose (their geometric mean) of each trial with an
    /// automatic `C`, by trial number.
    c_used: Mutex<Vec<(usize, f64)>>,
}

impl Run<'_> {
    /// The `C` trial `number`'s folds chose, when its `C` was automatic.
    fn c_used(&self, number: usize) -> Option<f64> {
        let found = self.c_used.lock().ok()?;
        found.iter().find(|(n, _)| *n == number).map(|&(_, c)| c)
    }

    /// Runs numbered settings on the pool; the trials that ran, by number. None
    /// starts after the deadline.
    fn round(&self, batch: Vec<(usize, Params)>) -> Vec<Trial> {
        let n = batch.len();
        let cores = self.req.train.config.worker_threads().max(1);
        let workers = cores.min(n).max(1);
        // Each trial's folds share what the pool leaves (the results do not depend on it).
        let fold_threads = (cores / workers).max(1);
        let slots: Vec<Mutex<Option<Trial>>> = (0..n).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let work = || loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= n {
                break;
            }
            if self.deadline.is_some_and(|d| Instant::now() >= d) {
                self.budget_hit.store(true, Ordering::Relaxed);
                break;
            }
            let (number, params) = &batch[i];
            let trial = self.trial(*number, params, fold_threads);
            self.report(&trial);
            if let Ok(mut slot) = slots[i].lock() {
                *slot = Some(trial);
            }
        };
        if workers == 1 {
            work();
        } else {
            std::thread::scope(|s| {
                for _ in 0..workers {
                    s.spawn(work);
                }
            });
        }
        slots
            .into_iter()
            .filter_map(|m| m.into_inner().ok().flatten())
            .collect()
    }

    /// One trial: the setting cross-validated; a failure is recorded, not returned.
    fn trial(&self, number: usize, params: &Params, fold_threads: usize) -> Trial {
        let start = Instant::now();
        let mut config = params.apply(&self.req.train.config);
        config.threads = fold_threads;
        let auto_c = config.c.is_none();
        let measured = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Trainer::new(config)?.evaluate_with_c(self.table, &self.req.train.target)
        }))
        .unwrap_or_else(|_| Err(Error::Internal(format!("trial {number} panicked"))))
        .map(|(m, _, cs)| {
            let positive: Vec<f64> = cs
                .into_iter()
                .filter(|&c| c > 0.0 && c.is_finite())
                .collect();
            if auto_c && !positive.is_empty() {
                let mean = positive.iter().map(|c| c.ln()).sum::<f64>() / positive.len() as f64;
                if let Ok(mut found) = self.c_used.lock() {
                    found.push((number, mean.exp()));
                }
            }
            m
        });
        let seconds = start.elapsed().as_secs_f64();
        let metric = self.req.metric;
        match measured {
            Ok(m) if metric.of(&m).is_finite() => Trial {
                number,
                params: params.clone(),
                value: Some(metric.of(&m)),
                roc_auc: Some(m.roc_auc),
                pr_auc: Some(m.pr_auc),
                log_loss: Some(m.log_loss),
                seconds,
                error: None,
            },
            Ok(m) => Trial {
                number,
                params: params.clone(),
                value: None,
                roc_auc: Some(m.roc_auc),
                pr_auc: Some(m.pr_auc),
                log_loss: Some(m.log_loss),
                seconds,
                error: Some(format!("{} is not a finite number", metric.as_str())),
            },
            Err(e) => Trial {
                number,
                params: params.clone(),
                value: None,
                roc_auc: None,
                pr_auc: None,
                log_loss: None,
                seconds,
                error: Some(e.to_string()),
            },
        }
    }

    fn report(&self, trial: &Trial) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let best = match self.best.lock() {
            Ok(mut b) => {
                if let Some(v) = trial.value {
                    if b.is_none_or(|old| self.req.metric.better(v, old)) {
                        *b = Some(v);
                    }
                }
                *b
            }
            Err(_) => None,
        };
        (self.progress)(&Progress {
            done,
            planned: self.planned,
            trial,
            best,
        });
    }
}
