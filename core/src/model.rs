//! A trained model: raw record in, probability, score, label and reasons out.

use crate::data::{format_num, Kind, Record, Schema, Table, Value};
use crate::error::{Error, Result};
use crate::eval::Metrics;
use crate::recipe::{value_to_bool, Pipeline, Step, ValueKind, OTHER_LEVEL};
use serde::{Deserialize, Serialize};

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
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub(crate) coef: Vec<f64>,
    pub(crate) intercept: f64,
    pub(crate) threshold: f64,
    pub(crate) feature_means: Vec<f64>,
    pub(crate) metrics: Option<Metrics>,
}

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
    ) -> Result<Model> {
        let m = Model {
            meta,
            schema,
            pipeline,
            coef,
            intercept,
            threshold,
            feature_means,
            metrics,
        };
        // At training time a broken invariant is a training failure, not a bad file.
        m.validate().map_err(|e| match e {
            Error::ModelFormat(msg) => {
                Error::Training(format!("the trained model is inconsistent: {msg}"))
            }
            other => other,
        })?;
        Ok(m)
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
        if !self
            .coef
            .iter()
            .chain(&self.feature_means)
            .all(|x| x.is_finite())
            || !self.intercept.is_finite()
        {
            return Err(Error::ModelFormat("non-finite coefficient".into()));
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return Err(Error::ModelFormat(format!(
                "threshold {} outside (0, 1)",
                self.threshold
            )));
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
            if let crate::recipe::Step::OneHot { levels, .. } = st {
                n += levels.iter().map(s).sum::<usize>();
            }
        }
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

    /// Cross-validated metrics measured at training time (absent when trained without
    /// cross-validation).
    pub fn metrics(&self) -> Option<&Metrics> {
        self.metrics.as_ref()
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

    /// The log-odds of a raw record.
    pub fn logit(&self, record: &Record) -> Result<f64> {
        let mut z = self.intercept;
        let coef = &self.coef;
        self.pipeline
            .emit_record(record, &mut |j, x| z += coef[j as usize] * x)?;
        Ok(z)
    }

    /// The log-odds of a record given as values in [`Model::input_names`] order.
    pub fn logit_values(&self, values: &[Value]) -> Result<f64> {
        let mut z = self.intercept;
        let coef = &self.coef;
        self.pipeline
            .emit_values(values, &mut |j, x| z += coef[j as usize] * x)?;
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

    /// Scores a record and names the top `k` reasons each way. Each raw field's
    /// contribution is the sum over its feature columns of `coef * (x - training
    /// mean)`, so the contributions plus the average lead's log-odds give the score.
    pub fn explain(&self, record: &Record, k: usize) -> Result<Explanation> {
        let inputs = self.pipeline.inputs();
        let mut contrib = vec![0.0; inputs.len()];
        let feature_input = self.pipeline.feature_inputs();
        let mut base = self.intercept;
        for (j, (&w, &m)) in self.coef.iter().zip(&self.feature_means).enumerate() {
            contrib[feature_input[j]] -= w * m;
            base += w * m;
        }
        let mut z = self.intercept;
        let coef = &self.coef;
        self.pipeline.emit_record(record, &mut |j, x| {
            contrib[feature_input[j as usize]] += coef[j as usize] * x;
            z += coef[j as usize] * x;
        })?;
        let mut reasons: Vec<Reason> = inputs
            .iter()
            .zip(&contrib)
            .map(|(input, &c)| Reason {
                field: input.name.clone(),
                label: self.value_label(input.kind, &input.name, record.get(&input.name)),
                contribution: c,
            })
            .collect();
        reasons.sort_by(|a, b| {
            b.contribution
                .total_cmp(&a.contribution)
                .then_with(|| a.field.cmp(&b.field))
        });
        let positive: Vec<Reason> = reasons
            .iter()
            .filter(|r| r.contribution > 1e-12)
            .take(k)
            .cloned()
            .collect();
        let negative: Vec<Reason> = reasons
            .iter()
            .rev()
            .filter(|r| r.contribution < -1e-12)
            .take(k)
            .cloned()
            .collect();
        Ok(Explanation {
            score: self.score_from_logit(z),
            base_probability: sigmoid(base),
            positive,
            negative,
        })
    }

    fn value_label(&self, kind: Kind, field: &str, v: Option<&Value>) -> String {
        let v = v.unwrap_or(&Value::Missing);
        if v.is_missing() {
            return format!("{field} is missing");
        }
        let step = self
            .pipeline
            .steps()
            .iter()
            .find(|s| self.pipeline.inputs()[s.input()].name == field);
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
/// [`CodedScorer::logit`] is bit for bit [`Model::logit_values`] of the same values:
/// the same products, added in the same order (a test checks on the fixtures).
#[derive(Debug, Clone)]
pub struct CodedScorer {
    n_inputs: usize,
    intercept: f64,
    ops: Vec<CodedOp>,
}

impl CodedScorer {
    fn new(model: &Model) -> Option<(Vec<CodedInput>, CodedScorer)> {
        let pipeline = &model.pipeline;
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
    /// the inputs); it does not name the field: take [`Model::logit_values`] for the
    /// lead to get the error that does.
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
                        z += w * ((x - mean) / scale);
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
