//! The trainer: target -> schema -> minimum-data check -> cross-validation (pipeline
//! refitted inside each fold) -> final fit on every row -> [`Model`].

use super::balance::resampling_ratio;
use super::challenge::{challenger_fold, column_std};
use super::forest::ForestConfig;
use super::solver::{self, Solution, SolverConfig};
use super::TrainConfig;
use crate::data::{Schema, Table, Target, TargetSpec};
use crate::design::{dense_column_means, Dense, Rows};
use crate::error::{Error, Result};
use crate::eval::folds::{split, stratified_folds};
use crate::eval::{Challenger, ChallengerFold, Evaluation, FoldResult, Metrics, SplitInfo};
use crate::insights::{Insights, InsightsOptions};
use crate::model::{sigmoid, Model, ModelMeta, Pruning, PRUNING_MAX_NAMES};
use crate::recipe::{auto_recipe, Pipeline, SolverRows};
use crate::rng::Rng;
use std::time::Instant;

/// Trains models with one validated [`TrainConfig`].
#[derive(Debug, Clone)]
pub struct Trainer {
    config: TrainConfig,
}

/// What every fit of one training run reads: the data, its schema, the recipe and the
/// labels of every row.
struct Job<'a> {
    table: &'a Table,
    schema: &'a Schema,
    recipe: &'a str,
    y: &'a [f64],
}

/// Held-out predictions: each fold's (one for a time split), how they were held out,
/// and their metrics at each fold's balanced threshold.
struct HeldOut {
    folds: Vec<FoldResult>,
    split: SplitInfo,
    metrics: Metrics,
}

impl HeldOut {
    /// The pooled held-out labels and calibrated probabilities.
    fn pooled(&self) -> (Vec<f64>, Vec<f64>) {
        let (mut y, mut p) = (Vec::new(), Vec::new());
        for f in &self.folds {
            y.extend_from_slice(&f.y);
            p.extend_from_slice(&f.p);
        }
        (y, p)
    }

    /// The cut of the configured policy (`balanced`: `balanced`'s, the model's own),
    /// the metrics at it, and the evaluation to store.
    fn decide(self, config: &TrainConfig, balanced: f64) -> Result<(f64, Metrics, Evaluation)> {
        let (y, p) = self.pooled();
        let policy = config.threshold;
        let (cut, metrics) = if policy.needs_held_out() {
            let cut = crate::eval::model_cut(policy.choose(&y, &p)?);
            (cut, Metrics::from_folds_at(&self.folds, Some(cut)))
        } else {
            (balanced, self.metrics)
        };
        let mut evaluation = Evaluation::new(self.split, &policy.to_string(), cut, &y, &p)
            .ok_or_else(|| Error::Internal("held-out predictions are not valid".into()))?;
        let forests: Vec<(&[f64], &[f64], &ChallengerFold)> = self
            .folds
            .iter()
            .filter_map(|f| f.challenger.as_ref().map(|c| (&f.y[..], &f.p[..], c)))
            .collect();
        if !forests.is_empty() {
            let cfg = ForestConfig::default();
            evaluation.challenger =
                Challenger::from_folds(&forests, cfg.trees as u32, cfg.max_depth as u32);
        }
        Ok((cut, metrics, evaluation))
    }
}

/// A pipeline and coefficients fitted on some rows.
struct Fitted {
    pipeline: Pipeline,
    /// The `C` of the fit (chosen by the evidence, or the configured one).
    c: f64,
    /// The held-out rows' design matrix, when asked for (bound with the training
    /// rows, so the data is encoded once).
    /// The test rows' margins (without the intercept).
    test: Option<Vec<f64>>,
    /// Mean of every feature column over the training rows (for explanations).
    means: Vec<f64>,
    solution: Solution,
    /// Intercept after the balancing correction.
    intercept: f64,
    ratio: f64,
    /// What `max_features` dropped, when it dropped anything.
    pruned: Option<Pruned>,
    /// The challenger forest on the same rows, when asked for and there are test rows.
    challenger: Option<ChallengerFold>,
}

/// What assembling a model reads besides its fit: the target, the schema and the
/// insights to store.
struct Parts<'a> {
    target: &'a Target,
    schema: &'a Schema,
    insights: Option<&'a Insights>,
}

/// The fewest dropped names a report under `max_model_bytes` lists when they fit
/// (more when the room allows, up to [`PRUNING_MAX_NAMES`]); a feature weighs more
/// than a name, so the search keeps features first.
const BYTE_LIMIT_NAMES: usize = 10;
/// How many times `max_model_bytes` refits when the refitted model came out larger
/// than its estimate.
const BYTE_LIMIT_ROUNDS: usize = 3;

/// The pruning report of a fit held to `limit` features, with the cross-validated
/// ROC AUC without and with the limit.
fn report(limit: usize, fitted: &mut Fitted, before: Option<f64>, after: Option<f64>) -> Pruning {
    let nonzero = fitted.solution.coef.iter().filter(|&&v| v != 0.0).count();
    let p = fitted.pruned.take().unwrap_or(Pruned {
        before: nonzero,
        after: nonzero,
        dropped: Vec::new(),
        dropped_count: 0,
    });
    Pruning {
        max_features: limit as u64,
        features_before: p.before as u64,
        features_after: p.after as u64,
        dropped: p.dropped,
        dropped_count: p.dropped_count as u64,
        cv_roc_auc_before: before,
        cv_roc_auc_after: after,
        max_model_bytes: None,
        model_bytes: None,
    }
}

/// Lists in `model`'s pruning report as many of `names` (the dropped features,
/// strongest first) as fit in `max_bytes`, at least [`BYTE_LIMIT_NAMES`] of them,
/// and records the model's size; returns the size with the fewest names and the size
/// (above `max_bytes` when the model does not fit even so).
fn fit_names(model: &mut Model, names: &[String], max_bytes: u64) -> Result<(u64, u64)> {
    let size = |m: &mut Model, k: usize, bytes: u64| -> Result<u64> {
        if let Some(p) = m.pruning.as_mut() {
            p.dropped = names[..k].to_vec();
            p.model_bytes = Some(bytes);
        }
        Ok(m.to_bytes()?.len() as u64)
    };
    let most = names.len().min(PRUNING_MAX_NAMES);
    let fewest = most.min(BYTE_LIMIT_NAMES);
    // The limit as the size while searching: the size itself is never written longer.
    let first = size(model, fewest, max_bytes)?;
    if first > max_bytes {
        return Ok((first, first));
    }
    let (mut lo, mut hi) = (fewest, most);
    if size(model, hi, max_bytes)? <= max_bytes {
        lo = hi;
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if size(model, mid, max_bytes)? <= max_bytes {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    // The size written is the size: a shorter number may shorten the file once more.
    let mut bytes = size(model, lo, max_bytes)?;
    for _ in 0..4 {
        let next = size(model, lo, bytes)?;
        if next == bytes {
            break;
        }
        bytes = next;
    }
    Ok((first, bytes))
}

/// The error of a byte limit below `smallest`, the model without features: the
/// option, and that model's size as the limit would write it.
fn too_small(smallest: &mut Model, max_bytes: u64) -> Error {
    let mut size = max_bytes;
    for _ in 0..4 {
        if let Some(p) = smallest.pruning.as_mut() {
            p.max_model_bytes = Some(size);
            p.model_bytes = Some(size);
        }
        match smallest.to_bytes() {
            Ok(b) if b.len() as u64 == size => break,
            Ok(b) => size = b.len() as u64,
            Err(e) => return e,
        }
    }
    let insights = match &smallest.insights {
        Some(text) => format!(
            " (of which the stored insights take about {} bytes: insights = false, or \
             --no-insights, leaves them out)",
            text.len()
        ),
        None => String::new(),
    };
    Error::InvalidInput(format!(
        "max_model_bytes = {max_bytes} is less than the smallest model these options make: \
         {size} bytes without any feature{insights}"
    ))
}

/// What `max_features` did to one fit.
struct Pruned {
    /// Non-zero coefficients before and after.
    before: usize,
    after: usize,
    /// The dropped features' names, strongest first (at most [`PRUNING_MAX_NAMES`]).
    dropped: Vec<String>,
    dropped_count: usize,
}

/// The rows of `rows` in the solver layout that pays (dense rows, split columns and
/// rows, or the sparse matrix written into `x`), the feature columns' means, and for
/// dense rows the feature column of each of their columns (the columns zero in every
/// row are left out).
fn solver_layout<'a>(
    pipeline: &Pipeline,
    bound: &crate::recipe::BoundTable<'_>,
    rows: &[usize],
    x: &'a mut Option<crate::Features>,
) -> (Rows<'a>, Vec<f64>, Option<Vec<u32>>) {
    let d = pipeline.n_features();
    match pipeline.solver_rows(bound, rows) {
        Some(SolverRows::Dense(vals, cols)) => {
            // The columns left out: mean 0 (and coefficient 0).
            let dl = cols.len();
            let mut means = vec![0.0; d];
            for (&j, m) in cols.iter().zip(dense_column_means(&vals, dl)) {
                means[j as usize] = m;
            }
            (Rows::Dense(Dense::Owned(vals), dl), means, Some(cols))
        }
        Some(SolverRows::Split(split)) => {
            let means = split.column_means(d);
            (Rows::Split(split, d), means, None)
        }
        None => {
            let m = x.insert(pipeline.transform_bound(bound, rows));
            let mut means = vec![0.0; m.n_cols()];
            for (&j, &v) in m.indices().iter().zip(m.values()) {
                means[j as usize] += v;
            }
            let n = m.n_rows().max(1) as f64;
            means.iter_mut().for_each(|v| *v /= n);
            (Rows::Sparse(m), means, None)
        }
    }
}

/// Coefficients of the dense rows' columns spread over all `d` feature columns.
fn widen(coef: &[f64], live: &[u32], d: usize) -> Vec<f64> {
    let mut out = vec![0.0; d];
    for (&j, &v) in live.iter().zip(coef) {
        out[j as usize] = v;
    }
    out
}

impl Fitted {
    fn threshold(&self) -> f64 {
        // 0.5 in the balanced model is log-odds 0 there, i.e. -ln(ratio) after the
        // correction.
        1.0 / (1.0 + self.ratio)
    }
}

impl Trainer {
    /// A trainer; fails when the configuration is invalid.
    pub fn new(config: TrainConfig) -> Result<Trainer> {
        config.validate()?;
        Ok(Trainer { config })
    }

    /// The configuration.
    pub fn config(&self) -> &TrainConfig {
        &self.config
    }

    /// Trains a model on every row of `table`, after measuring it by stratified
    /// cross-validation (unless `cv_folds` is 0); the metrics are stored in the model.
    pub fn fit(&self, table: &Table, spec: &TargetSpec) -> Result<Model> {
        let (target, schema, recipe) = self.prepare(table, spec)?;
        let job = Job {
            table,
            schema: &schema,
            recipe: &recipe,
            y: &target.y,
        };
        let found = if self.config.insights {
            let opts = InsightsOptions {
                threads: self.config.threads,
                kinds: self.config.kinds.clone(),
                ..InsightsOptions::default()
            };
            Some(crate::insights::insights(table, spec, &opts)?)
        } else {
            None
        };
        let parts = Parts {
            target: &target,
            schema: &schema,
            insights: found.as_ref(),
        };
        let asked = self.config.max_features;
        let held = self.held_out(&job, asked)?;
        let rows: Vec<usize> = (0..table.n_rows()).collect();
        let mut fitted = self.fit_rows(&job, &rows, None, 0, asked)?;
        if let Some(max_bytes) = self.config.max_model_bytes {
            return self.fit_within(&job, &parts, &rows, fitted, held, max_bytes);
        }
        let pruning = match asked {
            Some(limit) => {
                // What the limit costs: the same held-out rows without it.
                let before = match &held {
                    Some(_) => self.held_out(&job, None)?.map(|h| h.metrics.roc_auc),
                    None => None,
                };
                let after = held.as_ref().map(|h| h.metrics.roc_auc);
                Some(report(limit, &mut fitted, before, after))
            }
            None => None,
        };
        self.assemble(&parts, fitted, held, pruning)
    }

    /// The model of a fit, its held-out predictions and its pruning report.
    fn assemble(
        &self,
        parts: &Parts<'_>,
        fitted: Fitted,
        held: Option<HeldOut>,
        pruning: Option<Pruning>,
    ) -> Result<Model> {
        let target = parts.target;
        let (threshold, metrics, evaluation) = match held {
            Some(h) => {
                let (cut, m, e) = h.decide(&self.config, fitted.threshold())?;
                (cut, Some(m), Some(e))
            }
            None => (fitted.threshold(), None, None),
        };
        let meta = ModelMeta {
            leadscore_version: crate::defaults::VERSION.to_owned(),
            created_unix: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            target: target.column.clone(),
            positive_label: target.positive_label.clone(),
            negative_label: target.negative_label.clone(),
            rows: target.y.len() as u64,
            positives: target.positives() as u64,
            balance: self.config.balance.as_str().to_owned(),
            c: fitted.c,
            seed: self.config.seed,
            iterations: fitted.solution.iterations as u32,
            converged: fitted.solution.converged,
            grad_norm: fitted.solution.grad_norm,
            resampling_ratio: fitted.ratio,
            c_auto: self.config.c_is_auto(),
            penalty: self.config.penalty.as_str().to_owned(),
            l1_ratio: self.config.effective_l1_ratio(),
        };
        let mut model = Model::from_parts(
            meta,
            parts.schema.clone(),
            fitted.pipeline,
            fitted.solution.coef,
            fitted.intercept,
            threshold,
            fitted.means,
            metrics,
            pruning,
        )?;
        model.evaluation = evaluation;
        if let Some(found) = parts.insights {
            model.insights = Some(crate::insights::stored(found, &model));
        }
        Ok(model)
    }

    /// [`Trainer::fit`] under `max_model_bytes`: the model as `max_features` (or
    /// nothing) makes it when it fits; else the most of its strongest features whose
    /// model fits, found on the model itself with the weaker coefficients set to zero
    /// (the file's size does not depend on the coefficients' values), then refitted
    /// on every row and cross-validated with the folds pruned to the same count on
    /// their own training rows. The refitted model is measured again: when it came
    /// out larger than its estimate (its evaluation and insights differ a little), the
    /// search runs again with the overshoot taken off the room.
    fn fit_within(
        &self,
        job: &Job<'_>,
        parts: &Parts<'_>,
        rows: &[usize],
        mut fitted: Fitted,
        held: Option<HeldOut>,
        max_bytes: u64,
    ) -> Result<Model> {
        let asked = self.config.max_features;
        let after = held.as_ref().map(|h| h.metrics.roc_auc);
        // The CV ROC AUC without any limit.
        let before = match (&held, asked) {
            (None, _) => None,
            (Some(_), None) => after,
            (Some(_), Some(_)) => self.held_out(job, None)?.map(|h| h.metrics.roc_auc),
        };
        let nonzero = fitted.solution.coef.iter().filter(|&&v| v != 0.0).count();
        // The features by strength, and the names `max_features` already dropped.
        let std = {
            let bound = fitted.pipeline.bind_sorted(job.table)?;
            column_std(&bound, rows, fitted.pipeline.n_features())
        };
        let coef = &fitted.solution.coef;
        let mut order: Vec<usize> = (0..coef.len()).filter(|&j| coef[j] != 0.0).collect();
        order.sort_by(|&a, &b| {
            let s = |j: usize| coef[j].abs() * std.get(j).copied().unwrap_or(0.0);
            s(b).total_cmp(&s(a)).then(a.cmp(&b))
        });
        let mut pruning = report(asked.unwrap_or(nonzero), &mut fitted, before, after);
        pruning.max_model_bytes = Some(max_bytes);
        let earlier = std::mem::take(&mut pruning.dropped);
        let mut model = self.assemble(parts, fitted, held, Some(pruning))?;
        if fit_names(&mut model, &earlier, max_bytes)?.1 <= max_bytes {
            return Ok(model);
        }
        // The model with its weakest features' coefficients set to zero, as the
        // estimate of the refitted one's size.
        let names = model.feature_names();
        let name = |j: usize| names.get(j).cloned().unwrap_or_default();
        // `figure`: the byte figures the report holds (their length counts too).
        let size_with = |n: usize, figure: u64| -> Result<u64> {
            let mut m = model.clone();
            for &j in &order[n..] {
                m.coef[j] = 0.0;
            }
            if let Some(p) = m.pruning.as_mut() {
                p.max_features = n as u64;
                p.features_after = n as u64;
                p.dropped_count += (nonzero - n) as u64;
                p.dropped = order[n..]
                    .iter()
                    .map(|&j| name(j))
                    .chain(earlier.iter().cloned())
                    .take(BYTE_LIMIT_NAMES)
                    .collect();
                p.max_model_bytes = Some(figure);
                p.model_bytes = Some(figure);
            }
            if let Some(found) = parts.insights {
                m.insights = Some(crate::insights::stored(found, &m));
            }
            Ok(m.to_bytes()?.len() as u64)
        };
        let mut room = max_bytes;
        for _ in 0..BYTE_LIMIT_ROUNDS {
            // The largest count whose estimate fits; none when not even the intercept's
            // does (the intercept-only model is then measured as it is: its held-out
            // predictions, all alike, make a shorter evaluation than the estimate's).
            let (mut lo, mut hi) = (0, nonzero);
            if size_with(hi, max_bytes)? <= room {
                lo = hi;
            }
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if size_with(mid, max_bytes)? <= room {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let n = lo;
            let (mut refitted, (fewest, size)) =
                self.fit_at(job, parts, rows, n, before, max_bytes)?;
            if size <= max_bytes {
                // When the refitted model came out smaller than its estimate (held-out
                // predictions of few distinct values make a short evaluation), more
                // features may fit than the estimate said: measured ones decide.
                let slack = size_with(n, max_bytes)?.saturating_sub(fewest);
                if n < nonzero && size_with(n + 1, max_bytes)? <= max_bytes + slack {
                    let (mut lo, mut hi) = (n, nonzero);
                    while hi - lo > 1 {
                        let mid = lo + (hi - lo) / 2;
                        let (m, (_, size)) =
                            self.fit_at(job, parts, rows, mid, before, max_bytes)?;
                        if size <= max_bytes {
                            (lo, refitted) = (mid, m);
                        } else {
                            hi = mid;
                        }
                    }
                }
                return Ok(refitted);
            }
            if n == 0 {
                return Err(too_small(&mut refitted, max_bytes));
            }
            room = room.saturating_sub(size - max_bytes);
        }
        Err(Error::Training(format!(
            "no model of these options fitted in max_model_bytes = {max_bytes} after \
             {BYTE_LIMIT_ROUNDS} refits (each came out larger than estimated); allow a few \
             more bytes"
        )))
    }

    /// The model of every row held to `n` features, cross-validated with each fold
    /// held to `n` on its own training rows, its report listing as many dropped names
    /// as fit in `max_bytes`; and its sizes (see [`fit_names`]).
    fn fit_at(
        &self,
        job: &Job<'_>,
        parts: &Parts<'_>,
        rows: &[usize],
        n: usize,
        before: Option<f64>,
        max_bytes: u64,
    ) -> Result<(Model, (u64, u64))> {
        let mut fitted = self.fit_rows(job, rows, None, 0, Some(n))?;
        let held = self.held_out(job, Some(n))?;
        let after = held.as_ref().map(|h| h.metrics.roc_auc);
        let mut pruning = report(n, &mut fitted, before, after);
        pruning.max_model_bytes = Some(max_bytes);
        let dropped = std::mem::take(&mut pruning.dropped);
        let mut model = self.assemble(parts, fitted, held, Some(pruning))?;
        let size = fit_names(&mut model, &dropped, max_bytes)?;
        Ok((model, size))
    }

    /// Measures the configuration on held-out predictions (stratified k-fold, or the
    /// time split) without training a final model.
    pub fn evaluate(&self, table: &Table, target: &TargetSpec) -> Result<Metrics> {
        Ok(self.evaluate_detailed(table, target)?.0)
    }

    /// [`Trainer::evaluate`], with the [`Evaluation`] a model would store: the
    /// threshold policy's cut, the threshold table, calibration and histograms. The
    /// `balanced` cut is the mean of the folds' own. Under `max_model_bytes` the model
    /// is trained once to find how many features fit, and each fold keeps that many.
    pub fn evaluate_detailed(
        &self,
        table: &Table,
        target: &TargetSpec,
    ) -> Result<(Metrics, Evaluation)> {
        let (metrics, evaluation, _) = self.evaluate_with_c(table, target)?;
        Ok((metrics, evaluation))
    }

    /// [`Trainer::evaluate_detailed`], with the `C` of every fold's fit (the
    /// evidence's choices when `C` is automatic).
    pub(crate) fn evaluate_with_c(
        &self,
        table: &Table,
        target: &TargetSpec,
    ) -> Result<(Metrics, Evaluation, Vec<f64>)> {
        if !self.config.evaluates() {
            return Err(Error::InvalidInput(
                "evaluation needs cv_folds of at least 2, or a time column".into(),
            ));
        }
        let limit = match self.config.max_model_bytes {
            Some(_) => self
                .fit(table, target)?
                .pruning()
                .map(|p| usize::try_from(p.max_features).unwrap_or(usize::MAX)),
            None => self.config.max_features,
        };
        let (target, schema, recipe) = self.prepare(table, target)?;
        let job = Job {
            table,
            schema: &schema,
            recipe: &recipe,
            y: &target.y,
        };
        let held = self
            .held_out(&job, limit)?
            .ok_or_else(|| Error::Internal("no held-out predictions".into()))?;
        let balanced = held.metrics.threshold;
        let cs = held.folds.iter().map(|f| f.c).collect();
        let (_, metrics, evaluation) = held.decide(&self.config, balanced)?;
        Ok((metrics, evaluation, cs))
    }

    /// The recipe training would use on `table` (the configured one, else the `auto`
    /// recipe of the table's columns, the target left out).
    pub fn recipe_for(&self, table: &Table, target: &TargetSpec) -> Result<String> {
        if let Some(r) = &self.config.recipe {
            return Ok(r.clone());
        }
        let schema = Schema::infer(table, &self.excluded(&target.column))
            .with_overrides(&self.config.kinds)?;
        if table.column(&target.column).is_none() {
            return Err(Error::unknown_column(
                &target.column,
                table.names().iter().map(String::as_str),
            ));
        }
        Ok(auto_recipe(table, &schema, &self.config.auto))
    }

    /// The columns that are not inputs: the target, and the time column of a time
    /// split (a date read as a category would only teach the model the calendar).
    fn excluded<'a>(&'a self, target: &'a str) -> Vec<&'a str> {
        let mut v = vec![target];
        v.extend(self.config.time_column.as_deref());
        v
    }

    fn prepare(&self, table: &Table, spec: &TargetSpec) -> Result<(Target, Schema, String)> {
        let target = Target::read(table, spec)?;
        let rows = target.y.len();
        let positives = target.positives();
        if rows < self.config.min_rows || positives < self.config.min_positives {
            return Err(Error::InsufficientData {
                rows,
                positives,
                min_rows: self.config.min_rows,
                min_positives: self.config.min_positives,
            });
        }
        let schema = Schema::infer(table, &self.excluded(&spec.column))
            .with_overrides(&self.config.kinds)?;
        let recipe = match &self.config.recipe {
            Some(r) => r.clone(),
            None => {
                if schema
                    .fields
                    .iter()
                    .all(|f| f.kind == crate::data::Kind::Id)
                {
                    return Err(Error::InvalidInput(
                        "no usable feature columns: every column is an id or empty".into(),
                    ));
                }
                auto_recipe(table, &schema, &self.config.auto)
            }
        };
        // What the reader noticed about the data (odd cells read as missing) goes into
        // the model with its recipe, as comments after the recipe's own lines (so the
        // line numbers of its errors stay the file's): `inspect` shows them.
        let mut recipe = recipe;
        for note in table.notes() {
            if !recipe.ends_with('\n') {
                recipe.push('\n');
            }
            recipe.push_str("# data: ");
            recipe.push_str(&note.replace(['\n', '\r'], " "));
            recipe.push('\n');
        }
        // A recipe that does not fit the schema fails here, before any fold.
        let lines = crate::recipe::parse::parse(&recipe)?;
        crate::recipe::plan::plan(
            &lines,
            &schema,
            crate::recipe::plan::PlanDefaults {
                min_count: self.config.auto.min_count,
                max_levels: self.config.auto.max_levels,
            },
        )?;
        Ok((target, schema, recipe))
    }

    fn solver_config(&self) -> SolverConfig {
        let mut s = SolverConfig {
            c: self.config.c.unwrap_or(1.0),
            l1_ratio: self.config.effective_l1_ratio(),
            max_iter: self.config.max_iter,
            ..SolverConfig::default()
        };
        if let Some(t) = self.config.tol {
            s.tol = t;
        }
        s
    }

    /// Fits the pipeline and the solver on `rows`; `stream` separates the random
    /// draws of the final fit (0) from each fold's (1..). With a `limit`, a fit that
    /// uses more features keeps the strongest `limit` and is refitted on them (0
    /// leaves the intercept alone).
    fn fit_rows(
        &self,
        job: &Job<'_>,
        rows: &[usize],
        test: Option<&[usize]>,
        stream: u64,
        limit: Option<usize>,
    ) -> Result<Fitted> {
        let (table, y_all) = (job.table, job.y);
        let pipeline = Pipeline::fit(job.recipe, table, job.schema, rows, &self.config.auto)?;
        let bound = pipeline.bind_sorted(table)?;
        let y: Vec<f64> = rows.iter().map(|&r| y_all[r]).collect();
        let mut rng = Rng::derive(self.config.seed, stream);
        let w = self.config.balance.weights(&y, &mut rng);
        let ratio = resampling_ratio(&y, &w);
        let d = pipeline.n_features();
        let cfg = self.solver_config();
        let auto = self.config.c_is_auto();
        let mut x = None;
        let (layout, means, live) = solver_layout(&pipeline, &bound, rows, &mut x);
        let (mut solution, c, _) = solver::fit(layout, &y, Some(&w), &cfg, auto)?;
        if let Some(live) = &live {
            solution.coef = widen(&solution.coef, live, d);
        }
        let mut pruned = None;
        if let Some(n) = limit {
            let nonzero = solution.coef.iter().filter(|&&v| v != 0.0).count();
            if nonzero > n {
                // The strongest features: |coefficient x standard deviation|.
                let std = column_std(&bound, rows, d);
                let strength = |j: usize| solution.coef[j].abs() * std[j];
                let mut order: Vec<usize> = (0..d).filter(|&j| solution.coef[j] != 0.0).collect();
                order.sort_by(|&a, &b| strength(b).total_cmp(&strength(a)).then(a.cmp(&b)));
                let mut keep = vec![false; d];
                order[..n].iter().for_each(|&j| keep[j] = true);
                // The refit at the same C, weighted as the first fit was.
                let scaled: Vec<f64>;
                let weights: &[f64] = if auto {
                    let mean = w.iter().sum::<f64>() / w.len().max(1) as f64;
                    scaled = w
                        .iter()
                        .map(|&v| if mean > 0.0 { v / mean } else { v })
                        .collect();
                    &scaled
                } else {
                    &w
                };
                let refit_cfg = SolverConfig { c, ..cfg.clone() };
                let mut x = None;
                let (layout, _, live) = solver_layout(&pipeline, &bound, rows, &mut x);
                let keep_layout: Vec<bool> = match &live {
                    Some(live) => live.iter().map(|&j| keep[j as usize]).collect(),
                    None => keep.clone(),
                };
                let mut refit =
                    solver::fit_masked(layout, &y, Some(weights), &refit_cfg, &keep_layout)?;
                if let Some(live) = &live {
                    refit.coef = widen(&refit.coef, live, d);
                }
                let names = pipeline.feature_names();
                let dropped: Vec<usize> = order[n..].to_vec();
                pruned = Some(Pruned {
                    before: nonzero,
                    after: refit.coef.iter().filter(|&&v| v != 0.0).count(),
                    dropped_count: dropped.len(),
                    dropped: dropped
                        .iter()
                        .take(PRUNING_MAX_NAMES)
                        .map(|&j| names.get(j).cloned().unwrap_or_default())
                        .collect(),
                });
                solution = refit;
            }
        }
        if !solution.intercept.is_finite() || solution.coef.iter().any(|c| !c.is_finite()) {
            return Err(Error::Training(
                "the solver produced non-finite coefficients".into(),
            ));
        }
        let challenger = match test {
            Some(t) if self.config.challenger => {
                let seed = Rng::derive(self.config.seed, 0xC4A1_1E00 + stream).next_u64();
                let cfg = ForestConfig {
                    seed,
                    ..ForestConfig::default()
                };
                Some(challenger_fold(
                    &pipeline,
                    &bound,
                    rows,
                    t,
                    y_all,
                    &solution.coef,
                    &cfg,
                ))
            }
            _ => None,
        };
        // The test rows' margins, a row at a time (no matrix of them beside the
        // training rows' while the solver runs).
        let test = test.map(|t| {
            t.iter()
                .map(|&r| {
                    let mut z = 0.0;
                    bound.emit_row(r, &mut |j, x| {
                        z += x * solution.coef.get(j as usize).copied().unwrap_or(0.0);
                    });
                    z
                })
                .collect()
        });
        drop(bound);
        Ok(Fitted {
            intercept: solution.intercept - ratio.ln(),
            pruned,
            challenger,
            pipeline,
            c,
            test,
            means,
            solution,
            ratio,
        })
    }

    fn run_fold(
        &self,
        job: &Job<'_>,
        folds: &[usize],
        f: usize,
        limit: Option<usize>,
    ) -> Result<FoldResult> {
        let (train, test) = split(folds, f);
        let start = Instant::now();
        let mut fitted = self.fit_rows(job, &train, Some(&test), f as u64 + 1, limit)?;
        self.fold_result(&mut fitted, &test, job.y, start)
    }

    /// The held-out probabilities of a fit made with `test` rows.
    fn fold_result(
        &self,
        fitted: &mut Fitted,
        test: &[usize],
        y: &[f64],
        start: Instant,
    ) -> Result<FoldResult> {
        // The challenger's time is its own.
        let forest_seconds = fitted.challenger.as_ref().map_or(0.0, |c| c.seconds);
        let fit_seconds = (start.elapsed().as_secs_f64() - forest_seconds).max(0.0);
        let margins = fitted
            .test
            .take()
            .ok_or_else(|| Error::Internal("a fold without its test rows".into()))?;
        let mut p = Vec::with_capacity(test.len());
        let mut p_balanced = Vec::with_capacity(test.len());
        for z in margins {
            p.push(sigmoid(z + fitted.intercept));
            p_balanced.push(sigmoid(z + fitted.solution.intercept));
        }
        Ok(FoldResult {
            y: test.iter().map(|&r| y[r]).collect(),
            p,
            p_balanced,
            threshold: fitted.threshold(),
            fit_seconds,
            c: fitted.c,
            challenger: fitted.challenger.take(),
        })
    }

    /// The held-out predictions the configuration asks for: the time split's, k-fold's,
    /// or none (`cv_folds` 0 without a time column); with a `limit`, each fit keeps at
    /// most that many features (chosen on its own training rows).
    fn held_out(&self, job: &Job<'_>, limit: Option<usize>) -> Result<Option<HeldOut>> {
        if let Some(column) = &self.config.time_column {
            return self.time_validate(job, column, limit).map(Some);
        }
        if self.config.cv_folds >= 2 {
            return self.cross_validate(job, limit).map(Some);
        }
        Ok(None)
    }

    /// Fits on the oldest rows and predicts the most recent `test_share`.
    fn time_validate(&self, job: &Job<'_>, column: &str, limit: Option<usize>) -> Result<HeldOut> {
        let s = crate::eval::time::time_split(job.table, column, self.config.test_share)?;
        let y = job.y;
        for (rows, what) in [(&s.train, "training"), (&s.test, "held-out")] {
            let positives = rows.iter().filter(|&&r| y[r] > 0.5).count();
            if positives == 0 || positives == rows.len() {
                return Err(Error::InvalidInput(format!(
                    "time split on \"{column}\": the {} {what} rows (held out from {}) \
                     hold only {} rows; change test_share",
                    rows.len(),
                    s.test_from,
                    if positives == 0 {
                        "negative"
                    } else {
                        "positive"
                    }
                )));
            }
        }
        let start = Instant::now();
        let mut fitted = self.fit_rows(job, &s.train, Some(&s.test), 1, limit)?;
        let fold = self.fold_result(&mut fitted, &s.test, y, start)?;
        let folds = vec![fold];
        Ok(HeldOut {
            metrics: Metrics::from_folds(&folds),
            folds,
            split: SplitInfo {
                split: "time".into(),
                folds: 1,
                time_column: Some(column.to_owned()),
                test_share: Some(self.config.test_share),
                test_from: Some(s.test_from),
                time_missing: s.missing,
                train_rows: s.train.len() as u64,
            },
        })
    }

    /// Stratified k-fold cross-validation; with a `limit`, each fold's model is held
    /// to that many features (chosen on the fold's training rows).
    fn cross_validate(&self, job: &Job<'_>, limit: Option<usize>) -> Result<HeldOut> {
        let y = job.y;
        let k = self.config.cv_folds;
        let positives = y.iter().filter(|&&v| v > 0.5).count();
        let fewest = positives.min(y.len() - positives);
        if k > fewest {
            let class = if positives <= y.len() - positives {
                "positive"
            } else {
                "negative"
            };
            return Err(Error::InvalidInput(format!(
                "cv_folds = {k} is more than the {fewest} {class} rows: every fold needs \
                 rows of both classes (use fewer folds, or 0 to skip evaluation)"
            )));
        }
        let folds = stratified_folds(y, k, self.config.seed);
        let threads = self.config.worker_threads().min(k).max(1);
        let mut results: Vec<Option<Result<FoldResult>>> = (0..k).map(|_| None).collect();
        if threads == 1 {
            for (f, slot) in results.iter_mut().enumerate() {
                *slot = Some(self.run_fold(job, &folds, f, limit));
            }
        } else {
            let next = std::sync::atomic::AtomicUsize::new(0);
            let out = std::sync::Mutex::new(&mut results);
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(|| loop {
                        let f = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if f >= k {
                            break;
                        }
                        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            self.run_fold(job, &folds, f, limit)
                        }))
                        .unwrap_or_else(|_| Err(Error::Internal(format!("fold {f} panicked"))));
                        if let Ok(mut guard) = out.lock() {
                            guard[f] = Some(r);
                        }
                    });
                }
            });
        }
        let mut done = Vec::with_capacity(k);
        for (f, r) in results.into_iter().enumerate() {
            match r {
                Some(r) => done.push(r?),
                None => return Err(Error::Internal(format!("fold {f} produced no result"))),
            }
        }
        let n = y.len() as u64;
        Ok(HeldOut {
            metrics: Metrics::from_folds(&done),
            folds: done,
            split: SplitInfo {
                split: "kfold".into(),
                folds: k as u32,
                train_rows: n - n / k as u64,
                ..SplitInfo::default()
            },
        })
    }
}

/// Trains a model (see [`Trainer::fit`]).
pub fn train(table: &Table, target: &TargetSpec, config: &TrainConfig) -> Result<Model> {
    Trainer::new(config.clone())?.fit(table, target)
}

/// Cross-validates a configuration (see [`Trainer::evaluate`]).
pub fn evaluate(table: &Table, target: &TargetSpec, config: &TrainConfig) -> Result<Metrics> {
    Trainer::new(config.clone())?.evaluate(table, target)
}

#[cfg(test)]
mod split_tests {
    use crate::data::Schema;
    use crate::design::{dense_column_means, Dense, Rows};
    use crate::recipe::{AutoOptions, Pipeline, SolverRows};
    use crate::train::solver::{self, fit_logistic, SolverConfig};
    use crate::{synth, Target, TargetSpec};

    /// Dense rows written step by step (numbers and flags by selects) are the sparse
    /// matrix's rows with the zeros filled in: present and missing numbers, flags of
    /// both values and missing, their indicators, and categories.
    #[test]
    fn dense_rows_equal_the_sparse_rows_with_missing_values() {
        let mut csv = String::from("amount,flag,kind,won\n");
        for i in 0..300 {
            let amount = if i % 7 == 0 {
                String::new()
            } else {
                format!("{}", (i * 37) % 101)
            };
            let flag = match i % 5 {
                0 => "",
                1 | 3 => "1",
                _ => "0",
            };
            let kind = ["a", "b", "c", ""][i % 4];
            csv += &format!("{amount},{flag},{kind},{}\n", (i * 13) % 3 % 2);
        }
        let table = crate::data::csv::read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
        let schema = Schema::infer(&table, &["won"]);
        let rows: Vec<usize> = (0..300).rev().collect();
        let p = Pipeline::fit_auto(&table, &schema, &rows, &AutoOptions::default()).unwrap();
        // A number and its indicator, a flag and its indicator, and the levels.
        assert!(p.n_features() >= 6, "{}", p.n_features());
        let dense = p.transform_dense(&table, &rows).unwrap();
        let sparse = p.transform(&table, &rows).unwrap().to_dense();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&dense), bits(&sparse));
    }

    /// The pipeline fitted on every row in order (the columns read as they are) equals
    /// the one fitted on the same rows in another order (read through the rows):
    /// numbers, flags and categories, with missing values and rare levels.
    #[test]
    fn pipeline_on_all_rows_equals_the_gathered_one() {
        let mut csv = String::from("amount,flag,kind,won\n");
        for i in 0..500 {
            let amount = if i % 9 == 0 {
                String::new()
            } else {
                format!("{}", (i * 37) % 101)
            };
            let flag = ["", "1", "0", "0"][i % 4];
            let kind = ["a", "b", "c", "a", "b", "rare", ""][(i * 5) % 7];
            let kind = if kind == "rare" && i % 2 == 0 {
                "x"
            } else {
                kind
            };
            csv += &format!("{amount},{flag},{kind},{}\n", i % 2);
        }
        let table = crate::data::csv::read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
        let schema = Schema::infer(&table, &["won"]);
        let opts = AutoOptions {
            min_count: 40,
            ..AutoOptions::default()
        };
        let all: Vec<usize> = (0..500).collect();
        let reversed: Vec<usize> = (0..500).rev().collect();
        let a = Pipeline::fit_auto(&table, &schema, &all, &opts).unwrap();
        let b = Pipeline::fit_auto(&table, &schema, &reversed, &opts).unwrap();
        assert_eq!(a.n_features(), b.n_features());
        assert_eq!(a.feature_names(), b.feature_names());
        assert!(a.feature_names().iter().any(|n| n.contains("is missing")));
        assert!(a.feature_names().iter().any(|n| n.contains("other")));
        for (x, y) in a.steps().iter().zip(b.steps()) {
            match (x, y) {
                (
                    crate::recipe::Step::Standardize {
                        mean: m1,
                        scale: s1,
                        ..
                    },
                    crate::recipe::Step::Standardize {
                        mean: m2,
                        scale: s2,
                        ..
                    },
                ) => {
                    assert!((m1 - m2).abs() <= 1e-12 * m1.abs() && (s1 - s2).abs() <= 1e-12 * s1);
                }
                _ => assert_eq!(x, y),
            }
        }
    }

    #[test]
    fn flags_holding_other_numbers_are_errors() {
        use crate::data::Kind;
        let mut csv = String::from("flag,won\n");
        for i in 0..200 {
            let flag = if i % 5 == 0 {
                String::new()
            } else {
                format!("{}", (i * 7) % 2)
            };
            csv += &format!("{flag},{}\n", i % 2);
        }
        csv += "2,1\n";
        let table = crate::data::csv::read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
        let schema = Schema::infer(&table, &["won"])
            .with_overrides(&[("flag".to_owned(), Kind::Boolean)])
            .unwrap();
        let opts = AutoOptions::default();
        let rows: Vec<usize> = (0..200).collect();
        let p = Pipeline::fit_auto(&table, &schema, &rows, &opts).unwrap();
        assert_eq!(p.n_features(), 2, "a flag and its missing indicator");
        // Binding the whole table meets the 2 on line 202 (header, 200 rows, then it).
        let e = p.transform(&table, &rows).unwrap_err().to_string();
        assert!(
            e.contains("line 202") && e.contains("expected a boolean (0/1), got 2"),
            "{e}"
        );
        let all: Vec<usize> = (0..201).collect();
        let e = Pipeline::fit_auto(&table, &schema, &all, &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("flag") && e.contains("declared boolean but holds 2"),
            "{e}"
        );
    }

    #[test]
    fn numbers_in_a_string_column_are_parsed_once_per_level_and_checked() {
        use crate::data::Kind;
        // "amount" is text to the CSV reader (blanks and a word in more than one
        // cell in a hundred, so the reader does not read it as numbers), numeric by
        // override.
        let mut csv = String::from("amount,won\n");
        for i in 0..300 {
            let amount = match i % 10 {
                0 => " ".to_owned(),
                _ => format!("{}", (i % 17) as f64 * 1.5),
            };
            csv += &format!("{amount},{}\n", i % 2);
        }
        for _ in 0..5 {
            csv += "lots,1\n";
        }
        let table = crate::data::csv::read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
        let schema = Schema::infer(&table, &["won"])
            .with_overrides(&[("amount".to_owned(), Kind::Numeric)])
            .unwrap();
        let opts = AutoOptions::default();
        // Rows without the word fit, blanks as missing, the same as numbers would.
        let rows: Vec<usize> = (0..300).collect();
        let p = Pipeline::fit_auto(&table, &schema, &rows, &opts).unwrap();
        let mut nums = String::from("amount,won\n");
        for i in 0..300 {
            let amount = if i % 10 == 0 {
                String::new()
            } else {
                format!("{}", (i % 17) as f64 * 1.5)
            };
            nums += &format!("{amount},{}\n", i % 2);
        }
        let t2 = crate::data::csv::read_csv_bytes(nums.as_bytes(), &Default::default()).unwrap();
        let s2 = Schema::infer(&t2, &["won"]);
        let p2 = Pipeline::fit_auto(&t2, &s2, &rows, &opts).unwrap();
        let x = p.transform(&t2, &rows).unwrap();
        assert_eq!(x.to_dense(), p2.transform(&t2, &rows).unwrap().to_dense());
        // The word in a training row is an error naming the field and the value.
        let all: Vec<usize> = (0..301).collect();
        let e = Pipeline::fit_auto(&table, &schema, &all, &opts).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("amount") && msg.contains("declared numeric but holds \"lots\""),
            "{msg}"
        );
    }

    /// The pipeline's split rows (standardised numbers written column by column,
    /// mostly-present flags and levels moved beside them) fit to the same optimum as
    /// its sparse matrix, with the same column means.
    #[test]
    fn split_transform_fits_like_the_sparse_matrix() {
        let table = synth::tenant_with_rows(5, 3, 3000).table;
        let y = Target::read(&table, &TargetSpec::new(synth::TARGET))
            .unwrap()
            .y;
        let schema = Schema::infer(&table, &[synth::TARGET]);
        let rows: Vec<usize> = (0..table.n_rows()).collect();
        let p = Pipeline::fit_auto(&table, &schema, &rows, &AutoOptions::default()).unwrap();
        let x = p.transform(&table, &rows).unwrap();
        let split = p
            .transform_split(&table, &rows)
            .unwrap()
            .expect("standardised columns");
        let d = p.n_features();
        let mut means = vec![0.0; d];
        for (&j, &v) in x.indices().iter().zip(x.values()) {
            means[j as usize] += v / x.n_rows() as f64;
        }
        for (a, b) in split.column_means(d).iter().zip(&means) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        }
        let w: Vec<f64> = (0..y.len()).map(|i| (i % 3) as f64).collect();
        let cfg = SolverConfig::default();
        let a = fit_logistic(&x, &y, Some(&w), &cfg).unwrap();
        let (b, _, _) = solver::fit(Rows::Split(split, d), &y, Some(&w), &cfg, false).unwrap();
        assert!(a.converged && b.converged);
        for (u, v) in a.coef.iter().zip(&b.coef) {
            assert!((u - v).abs() <= 1e-6 * u.abs().max(1e-2), "{u} vs {v}");
        }
        assert!((a.intercept - b.intercept).abs() <= 1e-6);
        assert!((a.objective - b.objective).abs() <= 1e-10 * a.objective);
        // Dense rows: the same rows, means and fit.
        let dense = p.transform_dense(&table, &rows).unwrap();
        assert_eq!(*dense, x.to_dense());
        for (a, b) in dense_column_means(&dense, d).iter().zip(&means) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{a} vs {b}");
        }
        let dense = Rows::Dense(Dense::Owned(dense), d);
        let (c, _, _) = solver::fit(dense, &y, Some(&w), &cfg, false).unwrap();
        assert!(c.converged);
        for (u, v) in a.coef.iter().zip(&c.coef) {
            assert!((u - v).abs() <= 1e-6 * u.abs().max(1e-2), "{u} vs {v}");
        }
        assert!((a.objective - c.objective).abs() <= 1e-10 * a.objective);
        // The layout that pays: the demo's leads (many cities and channels, one-hot)
        // stay split; three numbers and a two-level field go dense.
        assert!(matches!(
            p.transform_for_solver(&table, &rows).unwrap(),
            Some(SolverRows::Split(_))
        ));
        let mut csv = String::from("a,b,c,kind,won\n");
        for i in 0..400 {
            let kind = if i % 3 == 0 { "x" } else { "y" };
            csv += &format!("{},{},{},{kind},{}\n", i % 7, i % 11, i % 13, i % 2);
        }
        let small = crate::data::csv::read_csv_bytes(csv.as_bytes(), &Default::default()).unwrap();
        let schema = Schema::infer(&small, &["won"]);
        let rows: Vec<usize> = (0..400).collect();
        let p = Pipeline::fit_auto(&small, &schema, &rows, &AutoOptions::default()).unwrap();
        let Some(SolverRows::Dense(vals, live)) = p.transform_for_solver(&small, &rows).unwrap()
        else {
            panic!("dense rows expected");
        };
        // Every level is common: "kind"'s "other" column is left out.
        assert_eq!(live.len(), p.n_features() - 1);
        let full = p.transform(&small, &rows).unwrap().to_dense();
        let d = p.n_features();
        for (row, full_row) in vals.chunks_exact(live.len()).zip(full.chunks_exact(d)) {
            let mut expect = Vec::new();
            for (j, &v) in full_row.iter().enumerate() {
                if live.contains(&(j as u32)) {
                    expect.push(v);
                } else {
                    assert_eq!(v, 0.0, "a column left out holds {v}");
                }
            }
            assert_eq!(row, &expect[..]);
        }
        // The fit without the column: the same optimum as with it, where the column's
        // coefficient is 0.
        let y: Vec<f64> = (0..400).map(|i| f64::from(i % 2 == 1)).collect();
        let cfg = SolverConfig::default();
        let with = fit_logistic(&p.transform(&small, &rows).unwrap(), &y, None, &cfg).unwrap();
        let dense = Rows::Dense(Dense::Owned(vals), live.len());
        let (without, _, _) = solver::fit(dense, &y, None, &cfg, false).unwrap();
        assert!(with.converged && without.converged);
        let mut k = 0;
        for (j, &c) in with.coef.iter().enumerate() {
            if live.contains(&(j as u32)) {
                let u = without.coef[k];
                assert!((u - c).abs() <= 1e-7 * c.abs().max(1e-2), "{u} vs {c}");
                k += 1;
            } else {
                assert!(c.abs() <= 1e-9, "the unused column's coefficient {c}");
            }
        }
        assert!((with.objective - without.objective).abs() <= 1e-10 * with.objective);
    }
}
