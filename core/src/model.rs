//! A trained model: raw record in, probability, score, label and reasons out.

use crate::data::{format_num, Kind, Record, Schema, Slots, Table, Value};
use crate::error::{Error, Result};
use crate::eval::{Evaluation, Metrics, CALIBRATION_BINS, HISTOGRAM_BINS, THRESHOLD_POINTS};
use crate::recipe::{standardized, value_to_bool, Group, Pipeline, Step, ValueKind, OTHER_LEVEL};
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Facts about how and on what a model was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    /// The leadscore version that trained it.
    pub leadscore_version: String,
    /// Seconds since the Unix epoch when training finished.
    pub created_unix: u64,
    /// The target column.
    pub target: String,
    /// How the positive class was written in the training data.
    pub positive_label: String,
    /// How the negative class was written in the training data.
    pub negative_label: String,
    /// Training rows.
    pub rows: u64,
    /// Positive training rows.
    pub positives: u64,
    /// The balancing method (`upsample`, `downsample`, `class_weight`, `none`).
    pub balance: String,
    /// The inverse regularisation strength C.
    pub c: f64,
    /// The seed of every random choice in training.
    pub seed: u64,
    /// Solver iterations of the final fit.
    pub iterations: u32,
    /// Whether the final fit met the gradient tolerance.
    pub converged: bool,
    /// Final gradient norm (max-abs) of the final fit.
    pub grad_norm: f64,
    /// The factor by which balancing raised the positives' odds (1 without
    /// balancing); the stored intercept already has `ln` of it subtracted.
    pub resampling_ratio: f64,
    /// Whether `c` was chosen from the training rows (the default) rather than given.
    pub c_auto: bool,
    /// The coefficient penalty: `l2`, `l1` or `elasticnet` (models of format
    /// versions 1 and 2: `l2`).
    pub penalty: String,
    /// The L1 share of the penalty (0 for `l2`, 1 for `l1`).
    pub l1_ratio: f64,
}

impl ModelMeta {
    /// `c` as people read it: four significant digits (`0.1234`, `12.35`, `1000`).
    pub fn c_text(&self) -> String {
        let c = self.c;
        if c == 0.0 || !c.is_finite() {
            return c.to_string();
        }
        let digits = (3 - c.abs().log10().floor() as i32).max(0) as usize;
        format!("{c:.digits$}")
    }
}

/// The most bytes of insights a model stores (compact JSON; see
/// [`crate::insights`]): past it the weakest columns are left out.
pub const MAX_STORED_INSIGHTS_BYTES: usize = 256 << 10;

/// The most dropped feature names a [`Pruning`] lists (`dropped_count` counts them
/// all), so a model stays small however many features were pruned.
pub const PRUNING_MAX_NAMES: usize = 1000;

/// What `max_features` and `max_model_bytes` did to a model: which features they
/// dropped and, with cross-validation, what that cost.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pruning {
    /// The feature limit the model was held to: `max_features` as asked, or the
    /// lower count that `max_model_bytes` left room for.
    pub max_features: u64,
    /// Features with a non-zero coefficient before pruning.
    pub features_before: u64,
    /// Features with a non-zero coefficient in the model.
    pub features_after: u64,
    /// The dropped features, strongest first (at most [`PRUNING_MAX_NAMES`]; under a
    /// byte limit, as many as the room left allows).
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub dropped: Vec<String>,
    /// How many features were dropped.
    pub dropped_count: u64,
    /// Cross-validated ROC AUC without the limit (`None` without cross-validation).
    pub cv_roc_auc_before: Option<f64>,
    /// Cross-validated ROC AUC with it (`None` without cross-validation).
    pub cv_roc_auc_after: Option<f64>,
    /// The byte limit asked for (`max_model_bytes`; `None` without one, and in files
    /// of format versions before 5).
    pub max_model_bytes: Option<u64>,
    /// The model file's size in bytes under the byte limit (`None` without one).
    pub model_bytes: Option<u64>,
}

/// One scored record.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Calibrated probability of the positive class.
    pub probability: f64,
    /// The probability as a whole-number score from 1 to 99.
    pub score: u8,
    /// Whether the probability reaches the model's threshold.
    pub label: bool,
}

/// One reason of an explanation: how much a raw field moved the score, relative to
/// an average training lead, in log-odds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The raw field.
    pub field: String,
    /// A readable statement of the field's value (`tenure = 1`, `contract =
    /// Month-to-month`, `total_charges is missing`).
    pub label: String,
    /// Contribution to the log-odds (positive raises the score).
    pub contribution: f64,
}

/// A score with its top reasons.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The score itself.
    pub score: Score,
    /// The probability of an average training lead (all contributions zero).
    pub base_probability: f64,
    /// The strongest reasons for a higher score, strongest first.
    pub positive: Vec<Reason>,
    /// The strongest reasons for a lower score, strongest first.
    pub negative: Vec<Reason>,
}

/// A trained, immutable scoring model (`Send + Sync`; share it as `Arc<Model>`).
///
/// It holds the schema, the fitted pipeline, the coefficients, the decision
/// threshold and the metrics measured at training time, so a model file alone turns
/// a raw record into a probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub(crate) meta: ModelMeta,
    pub(crate) schema: Schema,
    pub(crate) pipeline: Pipeline,
    /// Written sparse (index and value of the non-zero ones) when fewer than half are
    /// non-zero, as after an L1 fit (see [`crate::format`]).
    #[serde(with = "crate::format::coefs")]
    pub(crate) coef: Vec<f64>,
    pub(crate) intercept: f64,
    pub(crate) threshold: f64,
    pub(crate) feature_means: Vec<f64>,
    pub(crate) metrics: Option<Metrics>,
    /// What `max_features` and `max_model_bytes` dropped (`None` when nothing was
    /// asked). Files of format versions 3 and 4 hold it without the byte figures.
    #[serde(deserialize_with = "crate::format::pruning::deserialize")]
    pub(crate) pruning: Option<Pruning>,
    /// The training data's insights as compact JSON (see [`crate::insights`]), at most
    /// [`MAX_STORED_INSIGHTS_BYTES`]; `None` when trained without them.
    pub(crate) insights: Option<String>,
    /// How the held-out predictions were made, the threshold policy and its cut, the
    /// threshold table, calibration and score histograms (`None` when trained without
    /// held-out predictions, or written by a format before 4).
    pub(crate) evaluation: Option<Evaluation>,
    /// What explanations need, derived from the above (see [`Model::prepare`]).
    #[serde(skip)]
    pub(crate) prepared: Prepared,
}

/// What a model derives from its stored parts when it is fitted or loaded: the
/// groups explanations report, and each group's share of the average lead's
/// log-odds (so that explaining a record costs the features it has, not every
/// column of a wide text vocabulary).
#[derive(Debug, Clone, Default)]
pub(crate) struct Prepared {
    groups: Vec<Group>,
    /// The group of each step.
    group_of_step: Vec<usize>,
    /// Whether every step of the group takes the first release's path (explained as
    /// models of format version 1 were).
    legacy: Vec<bool>,
    /// `-sum(w_j * mean_j)` over the group's columns, in column order.
    group_base: Vec<f64>,
    /// The intercept plus `sum(w_j * mean_j)` over every column, in column order.
    base: f64,
    /// The first column of each step (steps hold contiguous blocks, in order).
    step_starts: Vec<u32>,
    /// The format version of the file or bytes the model was read from (0: made in
    /// this process).
    pub(crate) read_version: u16,
    /// The input names' slots, shared by the records laid out for this model.
    slots: Arc<Slots>,
}

/// Derived state compares equal: it follows from the stored parts.
impl PartialEq for Prepared {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The largest coefficient, intercept or feature mean a model file may hold.
pub const MAX_COEF: f64 = 1e100;

/// The logistic function, stable for large |z|.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

impl Model {
    /// Assembles a model from its parts, checking that they fit together.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn from_parts(
        meta: ModelMeta,
        schema: Schema,
        pipeline: Pipeline,
        coef: Vec<f64>,
        intercept: f64,
        threshold: f64,
        feature_means: Vec<f64>,
        metrics: Option<Metrics>,
        pruning: Option<Pruning>,
    ) -> Result<Model> {
        let mut m = Model {
            meta,
            schema,
            pipeline,
            coef,
            intercept,
            threshold,
            feature_means,
            metrics,
            pruning,
            insights: None,
            evaluation: None,
            prepared: Prepared::default(),
        };
        // At training time a broken invariant is a training failure, not a bad file.
        m.validate()
            .and_then(|()| m.prepare())
            .map_err(|e| match e {
                Error::ModelFormat(msg) => {
                    Error::Training(format!("the trained model is inconsistent: {msg}"))
                }
                other => other,
            })?;
        Ok(m)
    }

    /// Builds what scoring and explaining derive from the stored parts (after
    /// [`Model::validate`]): the vocabularies' indexes and the explanation groups.
    pub(crate) fn prepare(&mut self) -> Result<()> {
        self.pipeline.prepare()?;
        let (groups, group_of_step) = self.pipeline.groups();
        let steps = self.pipeline.steps();
        let mut legacy = vec![true; groups.len()];
        for (s, &g) in steps.iter().zip(&group_of_step) {
            legacy[g] &= self.pipeline.legacy(s);
        }
        let mut group_base = vec![0.0; groups.len()];
        let mut base = self.intercept;
        for (s, &g) in steps.iter().zip(&group_of_step) {
            for j in s.offset()..s.offset() + s.width() {
                let (w, m) = (self.coef[j], self.feature_means[j]);
                group_base[g] -= w * m;
                base += w * m;
            }
        }
        let step_starts = steps.iter().map(|s| s.offset() as u32).collect();
        self.prepared = Prepared {
            groups,
            group_of_step,
            legacy,
            group_base,
            base,
            step_starts,
            read_version: self.prepared.read_version,
            slots: Arc::new(Slots::new(
                self.pipeline.inputs().iter().map(|i| i.name.as_str()),
            )),
        };
        Ok(())
    }

    /// Checks every invariant scoring relies on, so that no file, however crafted,
    /// can make scoring index out of range or return NaN.
    pub(crate) fn validate(&self) -> Result<()> {
        self.pipeline.validate()?;
        let n = self.pipeline.n_features();
        if self.coef.len() != n || self.feature_means.len() != n {
            return Err(Error::ModelFormat(format!(
                "{} coefficients and {} means for {n} features",
                self.coef.len(),
                self.feature_means.len()
            )));
        }
        // Bounded (no fitted model comes near), so that with features bounded by
        // `Z_LIMIT` the log-odds of any lead stay finite.
        let fine = |x: &f64| x.abs() <= MAX_COEF;
        if !(self.coef.iter().chain(&self.feature_means).all(fine) && fine(&self.intercept)) {
            return Err(Error::ModelFormat(format!(
                "a coefficient or mean is not a number within ±{MAX_COEF:e}"
            )));
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(Error::ModelFormat(format!(
                "threshold {} outside (0, 1)",
                self.threshold
            )));
        }
        if !(0.0..=1.0).contains(&self.meta.l1_ratio) {
            return Err(Error::ModelFormat(format!(
                "l1_ratio {} outside [0, 1]",
                self.meta.l1_ratio
            )));
        }
        if let Some(text) = &self.insights {
            if text.len() > MAX_STORED_INSIGHTS_BYTES {
                return Err(Error::ModelFormat(format!(
                    "the stored insights are {} bytes, at most {}",
                    text.len(),
                    MAX_STORED_INSIGHTS_BYTES
                )));
            }
        }
        if let Some(e) = &self.evaluation {
            let bins = e.histogram.bins as usize;
            if e.thresholds.len() > THRESHOLD_POINTS + 1
                || e.calibration.len() > CALIBRATION_BINS
                || bins != HISTOGRAM_BINS
                || e.histogram.positives.len() != bins
                || e.histogram.negatives.len() != bins
                || e.challenger.as_ref().is_some_and(|c| {
                    c.top_features.len() > crate::eval::CHALLENGER_TOP
                        || c.fold_roc_auc.len() > crate::train::MAX_CV_FOLDS
                })
            {
                return Err(Error::ModelFormat(format!(
                    "the stored evaluation has {} threshold rows, {} calibration bins and \
                     {}/{}/{} histogram bins (or an oversized challenger); at most {} rows, \
                     {CALIBRATION_BINS} bins and {HISTOGRAM_BINS} histogram bins",
                    e.thresholds.len(),
                    e.calibration.len(),
                    bins,
                    e.histogram.positives.len(),
                    e.histogram.negatives.len(),
                    THRESHOLD_POINTS + 1
                )));
            }
        }
        if let Some(p) = &self.pruning {
            if p.dropped.len() > PRUNING_MAX_NAMES {
                return Err(Error::ModelFormat(format!(
                    "the pruning report lists {} features, at most {PRUNING_MAX_NAMES}",
                    p.dropped.len()
                )));
            }
        }
        Ok(())
    }

    /// The model's approximate in-memory size in bytes (what a store's cache counts).
    pub fn heap_size(&self) -> usize {
        let s = |x: &String| x.capacity() + std::mem::size_of::<String>();
        let m = &self.meta;
        let mut n = std::mem::size_of::<Model>()
            + s(&m.leadscore_version)
            + s(&m.target)
            + s(&m.positive_label)
            + s(&m.negative_label)
            + s(&m.balance)
            + s(&m.penalty)
            + self.insights.as_ref().map_or(0, s)
            + self
                .pruning
                .as_ref()
                .map_or(0, |p| p.dropped.iter().map(s).sum())
            + self.evaluation.as_ref().map_or(0, |e| {
                std::mem::size_of::<Evaluation>()
                    + e.thresholds.capacity() * std::mem::size_of::<crate::eval::ThresholdPoint>()
                    + e.calibration.capacity() * std::mem::size_of::<crate::eval::CalibrationBin>()
                    + (e.histogram.positives.capacity() + e.histogram.negatives.capacity()) * 8
            })
            + (self.coef.capacity() + self.feature_means.capacity()) * 8;
        n += self
            .schema
            .fields
            .iter()
            .map(|f| s(&f.name) + 8)
            .sum::<usize>();
        n += self
            .pipeline
            .inputs()
            .iter()
            .map(|i| s(&i.name) + 8)
            .sum::<usize>();
        for st in self.pipeline.steps() {
            n += std::mem::size_of::<crate::recipe::Step>();
            match st {
                Step::OneHot { levels, .. } => n += levels.iter().map(s).sum::<usize>(),
                Step::Terms(t) => {
                    n += std::mem::size_of::<crate::recipe::TermsStep>()
                        + t.labels.iter().map(s).sum::<usize>()
                        + t.keys.capacity() * 8
                        + t.idf.capacity() * 8
                        // The key index: a key and a column per slot.
                        + t.index.capacity() * 16;
                }
                _ => {}
            }
        }
        n += self.pipeline.recipe().len()
            + std::mem::size_of_val(self.pipeline.derived())
            + self.prepared.group_base.capacity() * 8
            + self
                .prepared
                .groups
                .iter()
                .map(|g| s(&g.name) + 16)
                .sum::<usize>();
        if let Some(mt) = &self.metrics {
            n += std::mem::size_of::<Metrics>()
                + mt.fold_roc_auc.capacity() * 8
                + mt.deciles.capacity() * std::mem::size_of::<crate::eval::Decile>();
        }
        n
    }

    /// Training facts.
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// The schema the model was trained with (the target excluded).
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The fitted feature pipeline.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// Coefficients, one per feature column (see [`Model::feature_names`]).
    pub fn coefficients(&self) -> &[f64] {
        &self.coef
    }

    /// The intercept (already corrected for balancing).
    pub fn intercept(&self) -> f64 {
        self.intercept
    }

    /// The decision threshold on the calibrated probability.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// The training data's insights, as computed at fit time (see
    /// [`crate::insights`]; text columns also list `top_coefficients`, the terms with
    /// the largest coefficients), or `None` for a model trained without them (or
    /// written by a format before 3).
    ///
    /// # Errors
    ///
    /// [`Error::ModelFormat`] when the stored text is not JSON (a damaged file).
    pub fn insights(&self) -> Result<Option<serde_json::Value>> {
        match &self.insights {
            None => Ok(None),
            Some(text) => serde_json::from_str(text)
                .map(Some)
                .map_err(|e| Error::ModelFormat(format!("the stored insights are not JSON: {e}"))),
        }
    }

    /// The stored insights' JSON text as it is in the model (see [`Model::insights`]).
    pub fn insights_json(&self) -> Option<&str> {
        self.insights.as_deref()
    }

    /// What `max_features` and `max_model_bytes` dropped and what it cost (absent
    /// when no limit was asked).
    pub fn pruning(&self) -> Option<&Pruning> {
        self.pruning.as_ref()
    }

    /// How the model was evaluated and how its threshold was chosen: the split
    /// (k-fold or time), the threshold policy and its cut, the threshold table,
    /// calibration curve and score histograms of the held-out predictions (absent when
    /// trained without held-out predictions).
    pub fn evaluation(&self) -> Option<&Evaluation> {
        self.evaluation.as_ref()
    }

    /// The threshold policy that chose [`Model::threshold`]: `balanced` unless an
    /// evaluation says otherwise.
    pub fn threshold_policy(&self) -> &str {
        self.evaluation
            .as_ref()
            .map_or("balanced", |e| e.policy.as_str())
    }

    /// Cross-validated metrics measured at training time (absent when trained without
    /// cross-validation).
    pub fn metrics(&self) -> Option<&Metrics> {
        self.metrics.as_ref()
    }

    /// The model file format version it was read from, or the version this release
    /// writes for a model trained in this process.
    pub fn format_version(&self) -> u16 {
        match self.prepared.read_version {
            0 => crate::format::FORMAT_VERSION,
            v => v,
        }
    }

    /// The recipe the model was trained with (empty for a model of file format
    /// version 1, whose fixed recipe predates the language).
    pub fn recipe(&self) -> &str {
        self.pipeline.recipe()
    }

    /// Readable feature names, aligned with [`Model::coefficients`].
    pub fn feature_names(&self) -> Vec<String> {
        self.pipeline.feature_names()
    }

    /// The raw fields the model reads, in pipeline order.
    pub fn input_names(&self) -> Vec<&str> {
        self.pipeline
            .inputs()
            .iter()
            .map(|i| i.name.as_str())
            .collect()
    }

    /// The slots of this model's inputs (in [`Model::input_names`] order): lay a
    /// [`Record`] out for them ([`Record::bind`]) and this model scores it without
    /// looking its fields up.
    pub fn slots(&self) -> &Arc<Slots> {
        &self.prepared.slots
    }

    /// An empty record laid out for this model only: setting a field it does not read
    /// does nothing (see [`Record::with_slots`]); reuse it lead after lead with
    /// [`Record::clear`].
    pub fn record(&self) -> Record {
        Record::with_slots(self.prepared.slots.clone(), false)
    }

    /// Emits a record's features: straight from its values when it is laid out for
    /// this model, else by its field names.
    #[inline]
    fn emit(&self, record: &Record, emit: &mut impl FnMut(u32, f64)) -> Result<()> {
        let slots = &self.prepared.slots;
        if record.made_for_other(slots) {
            return Err(Error::InvalidInput(
                "the record was made for another model's inputs (lay it out for this one, \
                 or use a record not tied to a model)"
                    .into(),
            ));
        }
        record.check_invalid(|f| slots.slot(f).is_some())?;
        match record.values_for(slots) {
            Some(values) => self.pipeline.emit_values(values, emit),
            None => self.pipeline.emit_record(record, emit),
        }
    }

    /// The log-odds of a raw record.
    pub fn logit(&self, record: &Record) -> Result<f64> {
        let mut z = self.intercept;
        let coef = &self.coef;
        self.emit(record, &mut |j, x| z += coef[j as usize] * x)?;
        Ok(z)
    }

    /// The scorer of leads given as numbers and level codes ([`CodedScorer`]),
    /// with how each input is passed to it (in [`Model::input_names`] order); `None`
    /// when the pipeline cannot take that path (an input feeding several steps, or
    /// none), and bindings then use the full path only.
    pub fn coded_scorer(&self) -> Option<(Vec<CodedInput>, CodedScorer)> {
        CodedScorer::new(self)
    }

    /// Turns a log-odds into a [`Score`].
    pub fn score_from_logit(&self, z: f64) -> Score {
        let p = sigmoid(z);
        Score {
            probability: p,
            score: (p * 100.0).round().clamp(1.0, 99.0) as u8,
            label: p >= self.threshold,
        }
    }

    /// Scores one raw record: probability, a 1–99 score, and the label at the model
    /// threshold. Unknown fields are ignored, absent ones count as missing; a value
    /// of the wrong kind is an error naming the field.
    pub fn score(&self, record: &Record) -> Result<Score> {
        Ok(self.score_from_logit(self.logit(record)?))
    }

    /// Log-odds of every row of a table (the fast path: columns are resolved and
    /// category levels mapped once, then rows are dotted without lookups).
    pub fn logits_batch(&self, table: &Table) -> Result<Vec<f64>> {
        let bound = self.pipeline.bind(table)?;
        let coef = &self.coef;
        let mut out = Vec::with_capacity(table.n_rows());
        for r in 0..table.n_rows() {
            let mut z = self.intercept;
            bound.emit_row(r, &mut |j, x| z += coef[j as usize] * x);
            out.push(z);
        }
        Ok(out)
    }

    /// Probabilities of every row of a table (see [`Model::logits_batch`]).
    pub fn score_batch(&self, table: &Table) -> Result<Vec<f64>> {
        let mut z = self.logits_batch(table)?;
        z.iter_mut().for_each(|v| *v = sigmoid(*v));
        Ok(z)
    }

    /// Scores every row of a table into [`Score`]s.
    pub fn score_batch_detailed(&self, table: &Table) -> Result<Vec<Score>> {
        Ok(self
            .logits_batch(table)?
            .into_iter()
            .map(|z| self.score_from_logit(z))
            .collect())
    }

    /// Scores a record and names the top `k` reasons each way. A reason is a raw
    /// field (or a source read from several fields together, such as `source × city`):
    /// its contribution is the sum over its feature columns of `coef * (x - training
    /// mean)`, so the contributions plus the average lead's log-odds give the score.
    /// Its label names the value behind the strongest of those columns
    /// (`tenure in [1, 3)`, `comment contains "договор"`).
    pub fn explain(&self, record: &Record, k: usize) -> Result<Explanation> {
        let p = &self.prepared;
        let mut contrib = p.group_base.clone();
        let mut z = self.intercept;
        let coef = &self.coef;
        let mut emitted: Vec<(u32, f64, usize)> = Vec::new();
        self.emit(record, &mut |j, x| {
            let w = coef[j as usize];
            let s = step_at(&p.step_starts, j);
            if let Some(g) = p.group_of_step.get(s) {
                contrib[*g] += w * x;
            }
            z += w * x;
            emitted.push((j, x, s));
        })?;
        let mut reasons: Vec<Reason> = p
            .groups
            .iter()
            .zip(&contrib)
            .map(|(group, &c)| Reason {
                field: group.name.clone(),
                label: String::new(),
                contribution: c,
            })
            .collect();
        // Labels only for the reasons given.
        let mut order: Vec<usize> = (0..reasons.len()).collect();
        order.sort_by(|&a, &b| {
            reasons[b]
                .contribution
                .total_cmp(&reasons[a].contribution)
                .then_with(|| reasons[a].field.cmp(&reasons[b].field))
        });
        let positive: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&g| reasons[g].contribution > 1e-12)
            .take(k)
            .collect();
        let negative: Vec<usize> = order
            .iter()
            .rev()
            .copied()
            .filter(|&g| reasons[g].contribution < -1e-12)
            .take(k)
            .collect();
        for &g in positive.iter().chain(&negative) {
            reasons[g].label = self.group_label(g, record, &emitted, contrib[g])?;
        }
        let take = |ids: &[usize], reasons: &mut Vec<Reason>| -> Vec<Reason> {
            ids.iter()
                .map(|&g| std::mem::take(&mut reasons[g]))
                .collect()
        };
        let pos = take(&positive, &mut reasons);
        let neg = take(&negative, &mut reasons);
        Ok(Explanation {
            score: self.score_from_logit(z),
            base_probability: sigmoid(p.base),
            positive: pos,
            negative: neg,
        })
    }

    /// The label of explanation group `g` for a record: as format version 1 worded it
    /// for groups of its steps, else the phrase of the group's strongest column the
    /// record sets in the direction of the group's contribution `total`.
    fn group_label(
        &self,
        g: usize,
        record: &Record,
        emitted: &[(u32, f64, usize)],
        total: f64,
    ) -> Result<String> {
        let p = &self.prepared;
        let group = &p.groups[g];
        let steps = self.pipeline.steps();
        if p.legacy[g] {
            if let Some(i) = group.input {
                let input = &self.pipeline.inputs()[i];
                return Ok(self.value_label(input.kind, &input.name, record.get(&input.name)));
            }
        }
        let mut best: Option<(usize, u32, f64, f64)> = None;
        for &(j, x, s) in emitted {
            if p.group_of_step.get(s) != Some(&g) {
                continue;
            }
            let c = self.coef[j as usize] * (x - self.feature_means[j as usize]);
            let aligned = c * total > 0.0;
            // The strongest column in the group's direction; ties (columns that
            // always appear together fit equal coefficients) go to the first column.
            let better = match best {
                None => true,
                Some((_, bj, _, bc)) => {
                    let b_aligned = bc * total > 0.0;
                    (aligned && !b_aligned)
                        || (aligned == b_aligned
                            && (c.abs() > bc.abs() || (c.abs() == bc.abs() && j < bj)))
                }
            };
            if better {
                best = Some((s, j, x, c));
            }
        }
        let value = |i: usize| record.get(&self.pipeline.inputs()[i].name);
        let Some((s, j, _, _)) = best else {
            // Nothing of the group is set: the field is missing, or a text holds no
            // term of the vocabulary.
            let missing = group
                .input
                .is_none_or(|i| value(i).is_none_or(Value::is_missing));
            return Ok(if missing {
                format!("{} is missing", group.name)
            } else if let Some(i) = group.input {
                match steps.iter().zip(&p.group_of_step).find(|(_, &sg)| sg == g) {
                    Some((Step::Terms(_), _)) => format!("{} has no known terms", group.name),
                    _ => format!(
                        "{} = {}",
                        group.name,
                        show(value(i).unwrap_or(&Value::Missing))
                    ),
                }
            } else {
                group.name.clone()
            });
        };
        let step = &steps[s];
        let k = j as usize - step.offset();
        let src = step.input();
        let pipe = &self.pipeline;
        let sources = pipe.record_sources(record);
        Ok(match step {
            Step::Standardize { .. } => match group.input {
                Some(i)
                    if src == i
                        || !matches!(
                            pipe.derived().get(src - pipe.inputs().len()),
                            Some(crate::recipe::Derived::Rate(..))
                        ) =>
                {
                    format!(
                        "{} = {}",
                        group.name,
                        show(value(i).unwrap_or(&Value::Missing))
                    )
                }
                _ => {
                    let v = sources
                        .num(src)?
                        .map_or_else(|| "missing".to_owned(), format_num);
                    format!("{} = {v}", pipe.source_name(src))
                }
            },
            Step::Flag { .. } => {
                let name = &group.name;
                match value_to_bool(name, value(src).unwrap_or(&Value::Missing)) {
                    Ok(Some(b)) => format!("{name} = {}", if b { "yes" } else { "no" }),
                    _ => format!("{name} is missing"),
                }
            }
            Step::OneHot { levels, .. } => {
                let field = pipe.source_name(src);
                match (levels.get(k), pipe.bins_of(src)) {
                    (Some(l), Some(_)) => crate::recipe::bin_phrase(&field, l),
                    (Some(l), None) => format!("{field} = {l}"),
                    (None, _) => {
                        let actual = sources
                            .level(src)?
                            .map(|l| l.into_owned())
                            .unwrap_or_default();
                        format!("{field} = {actual} ({OTHER_LEVEL})")
                    }
                }
            }
            Step::Missing { .. } => format!("{} is missing", pipe.source_name(src)),
            Step::Hashed { .. } => {
                let actual = sources
                    .level(src)?
                    .map(|l| l.into_owned())
                    .unwrap_or_default();
                format!("{} = {actual}", pipe.source_name(src))
            }
            Step::Terms(t) => {
                let field = pipe.source_name(src);
                let term = match t.bits {
                    None => t.term_label(k),
                    Some(_) => {
                        // The record's first term that falls in the bucket.
                        let text = sources
                            .text(src)?
                            .map(|x| x.into_owned())
                            .unwrap_or_default();
                        let mut found = None;
                        t.kind.for_each_term(&text, |key, label| {
                            if found.is_none() && t.column_of(key) == Some(k) {
                                found = Some(label());
                            }
                        });
                        found.unwrap_or_else(|| t.term_label(k))
                    }
                };
                format!("{field} contains \"{term}\"")
            }
        })
    }

    fn value_label(&self, kind: Kind, field: &str, v: Option<&Value>) -> String {
        let v = v.unwrap_or(&Value::Missing);
        if v.is_missing() {
            return format!("{field} is missing");
        }
        let step = self.pipeline.steps().iter().find(|s| {
            self.pipeline
                .inputs()
                .get(s.input())
                .is_some_and(|i| i.name == field)
        });
        match (kind, v) {
            (Kind::Boolean, _) => match value_to_bool(field, v) {
                Ok(Some(b)) => format!("{field} = {}", if b { "yes" } else { "no" }),
                _ => format!("{field} is missing"),
            },
            (_, Value::Num(x)) if step.is_some_and(|s| s.reads() == ValueKind::Number) => {
                format!("{field} = {}", format_num(*x))
            }
            _ => {
                let text = match v {
                    Value::Num(x) => format_num(*x),
                    Value::Str(s) => s.trim().to_owned(),
                    Value::Bool(b) => b.to_string(),
                    Value::Missing => String::new(),
                };
                let unseen = step.is_some_and(|s| match s {
                    crate::recipe::Step::OneHot { levels, .. } => {
                        levels.binary_search(&text).is_err()
                    }
                    _ => false,
                });
                if unseen {
                    format!("{field} = {text} ({OTHER_LEVEL})")
                } else {
                    format!("{field} = {text}")
                }
            }
        }
    }
}

/// How a binding passes one input to a [`CodedScorer`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodedInput {
    /// A number (NaN for a missing value; a boolean as 1 or 0): a standardised
    /// number or a 0/1 flag.
    Number,
    /// A category: the index of the raw string in these levels, or
    /// [`CODE_MISSING`] for a missing value. Only an exact match counts (an empty
    /// entry matches nothing: a raw string is trimmed before its lookup, so a level
    /// with surrounding space cannot be matched as it is); any other string takes the
    /// full path.
    Levels(Vec<String>),
}

/// The level code of a missing category value for a [`CodedScorer`].
pub const CODE_MISSING: u32 = u32::MAX;

/// One step of a [`CodedScorer`], its coefficients gathered.
#[derive(Debug, Clone)]
enum CodedOp {
    /// A number input: `w * (x - mean) / scale` for a standardised number
    /// (`standardize` set), or `w` for 1 and nothing for 0 for a flag; `w_missing`
    /// for a missing value.
    Number {
        input: usize,
        standardize: Option<(f64, f64)>,
        w: f64,
        w_missing: Option<f64>,
    },
    /// `w[code]`, one per kept level (`other` has no code: unseen strings take the
    /// full path).
    Levels { input: usize, w: Vec<f64> },
}

/// Scores leads given as numbers and level codes: the fast path of bindings whose
/// host language can map strings to level codes itself (Node's `score()`), so that a
/// lead crosses the language boundary without a string. Built from a model by
/// [`Model::coded_scorer`]; owns what it needs (coefficients gathered per step), so
/// it does not keep the model alive.
///
/// [`CodedScorer::logit`] is bit for bit [`Model::logit`] of a record holding the same
/// values: the same products, added in the same order (a test checks on the fixtures).
#[derive(Debug, Clone)]
pub struct CodedScorer {
    n_inputs: usize,
    intercept: f64,
    ops: Vec<CodedOp>,
}

impl CodedScorer {
    fn new(model: &Model) -> Option<(Vec<CodedInput>, CodedScorer)> {
        let pipeline = &model.pipeline;
        // Only steps that read raw inputs the first release's way.
        if !pipeline.derived().is_empty() || !pipeline.steps().iter().all(|s| pipeline.legacy(s)) {
            return None;
        }
        let coef = &model.coef;
        let w = |j: u32| coef.get(j as usize).copied();
        let mut inputs: Vec<Option<CodedInput>> = vec![None; pipeline.inputs().len()];
        let mut ops = Vec::with_capacity(pipeline.steps().len());
        for s in pipeline.steps() {
            let input = s.input();
            let slot = inputs.get_mut(input)?;
            if slot.is_some() {
                return None;
            }
            let (how, op) = match s {
                Step::Standardize {
                    offset,
                    mean,
                    scale,
                    missing_indicator,
                    ..
                } => (
                    CodedInput::Number,
                    CodedOp::Number {
                        input,
                        standardize: Some((*mean, *scale)),
                        w: w(*offset)?,
                        w_missing: if *missing_indicator {
                            Some(w(offset + 1)?)
                        } else {
                            None
                        },
                    },
                ),
                Step::Flag {
                    offset,
                    missing_indicator,
                    ..
                } => (
                    CodedInput::Number,
                    CodedOp::Number {
                        input,
                        standardize: None,
                        w: w(*offset)?,
                        w_missing: if *missing_indicator {
                            Some(w(offset + 1)?)
                        } else {
                            None
                        },
                    },
                ),
                Step::OneHot { offset, levels, .. } => (
                    CodedInput::Levels(
                        levels
                            .iter()
                            .map(|l| {
                                if l.trim() == l {
                                    l.clone()
                                } else {
                                    String::new()
                                }
                            })
                            .collect(),
                    ),
                    CodedOp::Levels {
                        input,
                        w: (0..levels.len() as u32)
                            .map(|i| w(offset + i))
                            .collect::<Option<Vec<f64>>>()?,
                    },
                ),
                Step::Missing { .. } | Step::Terms(_) | Step::Hashed { .. } => return None,
            };
            *slot = Some(how);
            ops.push(op);
        }
        let inputs = inputs.into_iter().collect::<Option<Vec<_>>>()?;
        let scorer = CodedScorer {
            n_inputs: inputs.len(),
            intercept: model.intercept,
            ops,
        };
        Some((inputs, scorer))
    }

    /// The number of inputs (the length `nums` and `codes` need).
    pub fn n_inputs(&self) -> usize {
        self.n_inputs
    }

    /// The log-odds of a lead: `nums[i]` for a number input (NaN: missing),
    /// `codes[i]` for a levels input (an index into its levels, or
    /// [`CODE_MISSING`]); the other entries are not read.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for a value the model cannot take (an infinite
    /// number, a flag other than 0 or 1, a code out of range, arrays shorter than
    /// the inputs); it does not name the field: take [`Model::logit`] of the lead's
    /// record to get the error that does.
    pub fn logit(&self, nums: &[f64], codes: &[u32]) -> Result<f64> {
        let bad = || Error::InvalidInput("a coded value the model cannot take".into());
        let mut z = self.intercept;
        for op in &self.ops {
            match op {
                CodedOp::Number {
                    input,
                    standardize,
                    w,
                    w_missing,
                } => {
                    let x = *nums.get(*input).ok_or_else(bad)?;
                    if x.is_nan() {
                        if let Some(wm) = w_missing {
                            z += wm * 1.0;
                        }
                    } else if let Some((mean, scale)) = standardize {
                        if x.is_infinite() {
                            return Err(bad());
                        }
                        z += w * standardized(x, *mean, *scale);
                    } else if x == 1.0 {
                        z += w * 1.0;
                    } else if x != 0.0 {
                        return Err(bad());
                    }
                }
                CodedOp::Levels { input, w } => match *codes.get(*input).ok_or_else(bad)? {
                    CODE_MISSING => {}
                    c => z += w.get(c as usize).ok_or_else(bad)? * 1.0,
                },
            }
        }
        Ok(z)
    }
}

/// The index of the step whose columns hold feature `j`, from the steps' first
/// columns (in order; an empty step shares its start with the next, which owns it).
#[inline]
fn step_at(starts: &[u32], j: u32) -> usize {
    starts.partition_point(|&s| s <= j).saturating_sub(1)
}

/// A raw value as a reason shows it.
fn show(v: &Value) -> String {
    match v {
        Value::Num(x) => format_num(*x),
        Value::Str(s) => s.trim().to_owned(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.to_owned(),
        Value::Missing => "missing".to_owned(),
    }
}
