//! The search space: what each training setting may take, the grid, and the mapping
//! between a sampler's points and training settings.

use super::sampler::{Dim, Dist, Point};
use crate::data::{Kind, Schema};
use crate::error::{Error, Result};
use crate::options::bad_option;
use crate::recipe::plan::MAX_BINS;
use crate::recipe::text::MAX_NGRAM;
use crate::recipe::MAX_AUTO_MIN_DF;
use crate::train::{Balance, Penalty, TrainConfig};
use serde_json::{json, Value};

/// The C range searched by default: `1e-3` to `1e2`, log-uniform.
pub const DEFAULT_C_RANGE: (f64, f64) = (1e-3, 1e2);
/// The largest C a search may try.
pub const MAX_C: f64 = 1e6;
/// The smallest C a search may try.
pub const MIN_C: f64 = 1e-6;
/// The `min_count` range searched by default (log-uniform integers).
pub const DEFAULT_MIN_COUNT_RANGE: (usize, usize) = (1, 50);
/// The largest `min_count` a search may try.
pub const MAX_MIN_COUNT: usize = 1_000_000;
/// The `bins` range searched by default (log-uniform integers).
pub const DEFAULT_BINS_RANGE: (usize, usize) = (3, 30);
/// The n-gram orders searched by default.
pub const DEFAULT_NGRAM_RANGE: (usize, usize) = (1, 3);
/// The `min_df` range searched by default.
pub const DEFAULT_MIN_DF_RANGE: (usize, usize) = (1, 5);

/// What `C` may take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CSpace {
    /// Always chosen from the data (the default training setting: the evidence with
    /// L2, 1 otherwise).
    Auto,
    /// Always this value.
    Fixed(f64),
    /// Log-uniform between the two bounds.
    Range(f64, f64),
}

/// What every searched setting may take. A range whose bounds are equal, a single
/// choice, or a fixed `C` is not searched. Settings of the `auto` recipe (`bins`,
/// `ngram`, `min_df`) are dropped from the search when a recipe is given, and so is
/// a setting that cannot change any feature of the data (`bins` without numbers,
/// `min_count` without categories, `ngram` and `min_df` without text).
#[derive(Debug, Clone, PartialEq)]
pub struct SearchSpace {
    /// Inverse regularisation strength.
    pub c: CSpace,
    /// The penalties tried.
    pub penalties: Vec<Penalty>,
    /// The elastic net's L1 share, `[lo, hi]` within `[0, 1]` (only with
    /// [`Penalty::ElasticNet`]).
    pub l1_ratio: (f64, f64),
    /// The balancing methods tried.
    pub balances: Vec<Balance>,
    /// Rare category levels' threshold ([`crate::recipe::AutoOptions::min_count`]).
    pub min_count: (usize, usize),
    /// Quantile bins of numbers in the `auto` recipe.
    pub bins: (usize, usize),
    /// Word n-gram order of text in the `auto` recipe.
    pub ngram: (usize, usize),
    /// Fewest rows a text term is kept from, in the `auto` recipe.
    pub min_df: (usize, usize),
}

impl Default for SearchSpace {
    fn default() -> Self {
        SearchSpace {
            c: CSpace::Range(DEFAULT_C_RANGE.0, DEFAULT_C_RANGE.1),
            penalties: vec![Penalty::L2, Penalty::L1, Penalty::ElasticNet],
            l1_ratio: (0.0, 1.0),
            balances: vec![
                Balance::Upsample,
                Balance::ClassWeight,
                Balance::Downsample,
                Balance::None,
            ],
            min_count: DEFAULT_MIN_COUNT_RANGE,
            bins: DEFAULT_BINS_RANGE,
            ngram: DEFAULT_NGRAM_RANGE,
            min_df: DEFAULT_MIN_DF_RANGE,
        }
    }
}

/// The option names of the space.
pub(crate) const SPACE_NAMES: &[&str] = &[
    "c",
    "penalty",
    "l1_ratio",
    "balance",
    "min_count",
    "bins",
    "ngram",
    "min_df",
];

/// One training setting of a trial: the searched values and the fixed ones.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    /// `C`; `None` is `auto` (chosen from the data).
    pub c: Option<f64>,
    /// The penalty.
    pub penalty: Penalty,
    /// The elastic net's L1 share (`None` for the other penalties).
    pub l1_ratio: Option<f64>,
    /// The balancing method.
    pub balance: Balance,
    /// Rare category levels' threshold.
    pub min_count: usize,
    /// Quantile bins of numbers (`auto` recipe).
    pub bins: usize,
    /// Word n-gram order of text (`auto` recipe).
    pub ngram: usize,
    /// Fewest rows a text term is kept from (`auto` recipe).
    pub min_df: usize,
}

impl Params {
    /// The training configuration of this setting: `base` with these values.
    pub fn apply(&self, base: &TrainConfig) -> TrainConfig {
        let mut c = base.clone();
        c.c = self.c;
        c.penalty = self.penalty;
        c.l1_ratio = self.l1_ratio;
        c.balance = self.balance;
        c.auto.min_count = self.min_count;
        c.auto.bins = self.bins;
        c.auto.ngram = self.ngram;
        c.auto.min_df = self.min_df;
        c
    }

    /// The setting as a JSON object (`c` is a number or `"auto"`; `l1_ratio` is
    /// `null` unless the penalty is the elastic net). The names are the training
    /// options' (`bins`, `ngram` and `min_df` are the `auto` recipe's).
    pub fn to_json(&self) -> Value {
        json!({
            "c": self.c.map_or(json!("auto"), |c| json!(c)),
            "penalty": self.penalty.as_str(),
            "l1_ratio": self.l1_ratio,
            "balance": self.balance.as_str(),
            "min_count": self.min_count,
            "bins": self.bins,
            "ngram": self.ngram,
            "min_df": self.min_df,
        })
    }

    /// A short text (`c=0.31 l2 upsample min_count=10 bins=10`), the searched
    /// settings only when `searched` names them.
    pub fn describe(&self, searched: &[&str]) -> String {
        let mut parts = Vec::new();
        let on = |n: &str| searched.contains(&n);
        if on("c") {
            parts.push(match self.c {
                Some(c) => format!("c={}", fmt_sig(c)),
                None => "c=auto".into(),
            });
        }
        if on("penalty") || self.l1_ratio.is_some() {
            parts.push(match self.l1_ratio {
                Some(r) => format!("{}({:.2})", self.penalty.as_str(), r),
                None => self.penalty.as_str().to_owned(),
            });
        }
        if on("balance") {
            parts.push(self.balance.as_str().to_owned());
        }
        for (name, v) in [
            ("min_count", self.min_count),
            ("bins", self.bins),
            ("ngram", self.ngram),
            ("min_df", self.min_df),
        ] {
            if on(name) {
                parts.push(format!("{name}={v}"));
            }
        }
        parts.join(" ")
    }
}

/// Three significant digits.
fn fmt_sig(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let digits = (2 - v.abs().log10().floor() as i32).max(0) as usize;
    format!("{v:.digits$}")
}

/// A `[lo, hi]` range option or one number (both bounds).
fn range_f64(key: &str, val: &Value, min: f64, max: f64) -> Result<(f64, f64)> {
    let want = format!("a number or [low, high] within [{min}, {max}]");
    let (lo, hi) = match val {
        Value::Array(a) if a.len() == 2 => match (a[0].as_f64(), a[1].as_f64()) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => return Err(bad_option(key, val, &want)),
        },
        _ => match val.as_f64() {
            Some(v) => (v, v),
            None => return Err(bad_option(key, val, &want)),
        },
    };
    if !(lo.is_finite() && hi.is_finite() && min <= lo && lo <= hi && hi <= max) {
        return Err(Error::InvalidInput(format!(
            "option \"{key}\" must be {want} with low <= high, got {val}"
        )));
    }
    Ok((lo, hi))
}

/// An integer `[lo, hi]` range option or one integer.
fn range_usize(key: &str, val: &Value, min: usize, max: usize) -> Result<(usize, usize)> {
    let want = format!("an integer or [low, high] of integers from {min} to {max}");
    let int = |v: &Value| crate::options::whole_number(v).and_then(|u| usize::try_from(u).ok());
    let (lo, hi) = match val {
        Value::Array(a) if a.len() == 2 => match (int(&a[0]), int(&a[1])) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => return Err(bad_option(key, val, &want)),
        },
        _ => match int(val) {
            Some(v) => (v, v),
            None => return Err(bad_option(key, val, &want)),
        },
    };
    if !(min <= lo && lo <= hi && hi <= max) {
        return Err(Error::InvalidInput(format!(
            "option \"{key}\" must be {want} with low <= high, got {val}"
        )));
    }
    Ok((lo, hi))
}

/// A string option or a non-empty list of strings, each parsed by `parse`; repeats
/// are dropped.
fn choices<T: PartialEq>(
    key: &str,
    val: &Value,
    parse: impl Fn(&str) -> Result<T>,
) -> Result<Vec<T>> {
    let want = "a name or a non-empty list of names";
    let names: Vec<&str> = match val {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|v| v.as_str().ok_or_else(|| bad_option(key, val, want)))
            .collect::<Result<_>>()?,
        _ => return Err(bad_option(key, val, want)),
    };
    let mut out = Vec::new();
    for n in names {
        let v = parse(n).map_err(|e| Error::InvalidInput(format!("option \"{key}\": {e}")))?;
        if !out.contains(&v) {
            out.push(v);
        }
    }
    Ok(out)
}

impl SearchSpace {
    /// Reads one space option (see [`super::SearchRequest::from_json`]).
    pub(crate) fn read(&mut self, key: &str, val: &Value) -> Result<()> {
        match key {
            "c" => {
                self.c = match val {
                    Value::String(s) if s.trim().eq_ignore_ascii_case("auto") => CSpace::Auto,
                    _ => match range_f64(key, val, MIN_C, MAX_C) {
                        Ok((lo, hi)) if lo == hi => CSpace::Fixed(lo),
                        Ok((lo, hi)) => CSpace::Range(lo, hi),
                        Err(_) => {
                            return Err(bad_option(
                                key,
                                val,
                                &format!(
                                    "\"auto\", a number or [low, high] within [{MIN_C}, {MAX_C}] with low <= high"
                                ),
                            ))
                        }
                    },
                }
            }
            "penalty" => self.penalties = choices(key, val, Penalty::parse)?,
            "l1_ratio" => self.l1_ratio = range_f64(key, val, 0.0, 1.0)?,
            "balance" => self.balances = choices(key, val, Balance::parse)?,
            "min_count" => self.min_count = range_usize(key, val, 1, MAX_MIN_COUNT)?,
            "bins" => self.bins = range_usize(key, val, 2, MAX_BINS)?,
            "ngram" => self.ngram = range_usize(key, val, 1, MAX_NGRAM)?,
            "min_df" => self.min_df = range_usize(key, val, 1, MAX_AUTO_MIN_DF)?,
            other => {
                return Err(Error::Internal(format!(
                    "space option \"{other}\" is listed but not handled"
                )))
            }
        }
        Ok(())
    }

    /// The space as JSON: each setting's range (`[low, high]`), list, or fixed value.
    pub fn to_json(&self) -> Value {
        json!({
            "c": match self.c {
                CSpace::Auto => json!("auto"),
                CSpace::Fixed(c) => json!(c),
                CSpace::Range(lo, hi) => json!([lo, hi]),
            },
            "penalty": self.penalties.iter().map(|p| p.as_str()).collect::<Vec<_>>(),
            "l1_ratio": if self.penalties.contains(&Penalty::ElasticNet) {
                json!([self.l1_ratio.0, self.l1_ratio.1])
            } else {
                Value::Null
            },
            "balance": self.balances.iter().map(|b| b.as_str()).collect::<Vec<_>>(),
            "min_count": [self.min_count.0, self.min_count.1],
            "bins": [self.bins.0, self.bins.1],
            "ngram": [self.ngram.0, self.ngram.1],
            "min_df": [self.min_df.0, self.min_df.1],
        })
    }

    /// The space this data searches: the settings that cannot change a feature fixed
    /// at the base configuration's values (see [`SearchSpace`]); `given` names the
    /// settings the options set.
    pub(crate) fn for_data(
        &self,
        schema: &Schema,
        base: &TrainConfig,
        given: &[String],
    ) -> Result<SearchSpace> {
        let mut s = self.clone();
        let has = |k: Kind| schema.fields.iter().any(|f| f.kind == k);
        let fix = |r: &mut (usize, usize), v: usize| *r = (v, v);
        if base.recipe.is_some() {
            for name in ["bins", "ngram", "min_df"] {
                if given.iter().any(|g| g == name) {
                    return Err(Error::InvalidInput(format!(
                        "option \"{name}\" is a setting of the auto recipe; with a recipe given, write it in the recipe"
                    )));
                }
            }
        }
        let auto = base.recipe.is_none();
        if !(auto && has(Kind::Numeric)) {
            fix(&mut s.bins, base.auto.bins);
        }
        if !(auto && has(Kind::Text)) {
            fix(&mut s.ngram, base.auto.ngram);
            fix(&mut s.min_df, base.auto.min_df);
        }
        if !has(Kind::Categorical) {
            fix(&mut s.min_count, base.auto.min_count);
        }
        if !s.penalties.contains(&Penalty::ElasticNet) && given.iter().any(|g| g == "l1_ratio") {
            return Err(Error::InvalidInput(
                "option \"l1_ratio\" needs \"elasticnet\" among the penalties".into(),
            ));
        }
        Ok(s)
    }

    /// The names of the settings searched (more than one value).
    pub fn searched(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        if matches!(self.c, CSpace::Range(..)) {
            v.push("c");
        }
        if self.penalties.len() > 1 {
            v.push("penalty");
        }
        if self.penalties.contains(&Penalty::ElasticNet) && self.l1_ratio.0 < self.l1_ratio.1 {
            v.push("l1_ratio");
        }
        if self.balances.len() > 1 {
            v.push("balance");
        }
        for (name, r) in [
            ("min_count", self.min_count),
            ("bins", self.bins),
            ("ngram", self.ngram),
            ("min_df", self.min_df),
        ] {
            if r.0 < r.1 {
                v.push(name);
            }
        }
        v
    }

    /// The sampler's dimensions and how to read a point back ([`Encoded::params`]).
    pub(crate) fn encode(&self) -> Encoded {
        let mut dims = Vec::new();
        let mut slots = Slots::default();
        let mut add = |d: Dim| {
            dims.push(d);
            Some(dims.len() - 1)
        };
        if let CSpace::Range(lo, hi) = self.c {
            slots.c = add(Dim {
                dist: Dist::Float { lo, hi, log: true },
                when: None,
            });
        }
        if self.penalties.len() > 1 {
            slots.penalty = add(Dim {
                dist: Dist::Choice {
                    n: self.penalties.len(),
                },
                when: None,
            });
        }
        if let Some(en) = self
            .penalties
            .iter()
            .position(|&p| p == Penalty::ElasticNet)
        {
            if self.l1_ratio.0 < self.l1_ratio.1 {
                slots.l1_ratio = add(Dim {
                    dist: Dist::Float {
                        lo: self.l1_ratio.0,
                        hi: self.l1_ratio.1,
                        log: false,
                    },
                    when: slots.penalty.map(|p| (p, en)),
                });
            }
        }
        if self.balances.len() > 1 {
            slots.balance = add(Dim {
                dist: Dist::Choice {
                    n: self.balances.len(),
                },
                when: None,
            });
        }
        let int = |r: (usize, usize), log: bool| Dim {
            dist: Dist::Int {
                lo: r.0 as i64,
                hi: r.1 as i64,
                log,
            },
            when: None,
        };
        if self.min_count.0 < self.min_count.1 {
            slots.min_count = add(int(self.min_count, true));
        }
        if self.bins.0 < self.bins.1 {
            slots.bins = add(int(self.bins, true));
        }
        if self.ngram.0 < self.ngram.1 {
            slots.ngram = add(int(self.ngram, false));
        }
        if self.min_df.0 < self.min_df.1 {
            slots.min_df = add(int(self.min_df, true));
        }
        Encoded {
            dims,
            slots,
            space: self.clone(),
        }
    }

    /// The base setting within this space, the first trial of random and TPE
    /// search: for each setting the base configuration's value (the training
    /// default), or the space's nearest value when the space leaves it out (the
    /// first of a list, the nearest end of a range). `C` is `auto` (chosen from the
    /// data, as training does) unless `c_given` (the options set `c`): then a fixed
    /// `C`, or the middle (in logarithms) of the range. The elastic net's
    /// `l1_ratio` is the base's, else the middle of its range.
    pub(crate) fn base_params(&self, base: &TrainConfig, c_given: bool) -> Params {
        let c = match self.c {
            CSpace::Auto => None,
            CSpace::Fixed(c) => Some(c),
            CSpace::Range(..) if !c_given => None,
            CSpace::Range(lo, hi) => Some((lo * hi).sqrt()),
        };
        let penalty = if self.penalties.contains(&base.penalty) {
            base.penalty
        } else {
            self.penalties.first().copied().unwrap_or_default()
        };
        let (lo, hi) = self.l1_ratio;
        let l1_ratio = (penalty == Penalty::ElasticNet)
            .then(|| base.l1_ratio.unwrap_or(0.5 * (lo + hi)).clamp(lo, hi));
        let balance = if self.balances.contains(&base.balance) {
            base.balance
        } else {
            self.balances.first().copied().unwrap_or_default()
        };
        let within = |v: usize, r: (usize, usize)| v.clamp(r.0, r.1);
        Params {
            c,
            penalty,
            l1_ratio,
            balance,
            min_count: within(base.auto.min_count, self.min_count),
            bins: within(base.auto.bins, self.bins),
            ngram: within(base.auto.ngram, self.ngram),
            min_df: within(base.auto.min_df, self.min_df),
        }
    }

    /// The grid, in the order it is tried (documented in [`super`]): `C` varies
    /// fastest, then the balance, the penalty (with the elastic net's L1 shares), the
    /// bins, `min_count`, the n-gram order and `min_df`; every list but `C`'s starts
    /// at the training default, so a grid cut short still tries the defaults of the
    /// settings it does not reach.
    pub(crate) fn grid(&self) -> Vec<Params> {
        let cs: Vec<Option<f64>> = match self.c {
            CSpace::Auto => vec![None],
            CSpace::Fixed(c) => vec![Some(c)],
            CSpace::Range(lo, hi) => {
                let n = GRID_C_POINTS;
                (0..n)
                    .map(|i| {
                        let t = i as f64 / (n - 1) as f64;
                        Some((lo.ln() + t * (hi.ln() - lo.ln())).exp())
                    })
                    .collect()
            }
        };
        let mut penalties: Vec<(Penalty, Option<f64>)> = Vec::new();
        for &p in &self.penalties {
            if p == Penalty::ElasticNet {
                let (lo, hi) = self.l1_ratio;
                let ratios: Vec<f64> = if lo == hi {
                    vec![lo]
                } else {
                    GRID_L1_SHARES.iter().map(|t| lo + t * (hi - lo)).collect()
                };
                penalties.extend(ratios.into_iter().map(|r| (p, Some(r))));
            } else {
                penalties.push((p, None));
            }
        }
        let ints = |r: (usize, usize), points: &[usize]| -> Vec<usize> {
            if r.0 == r.1 {
                return vec![r.0];
            }
            let mut v: Vec<usize> = points
                .iter()
                .copied()
                .filter(|p| (r.0..=r.1).contains(p))
                .collect();
            if v.is_empty() {
                v = vec![r.0, r.1];
            }
            v
        };
        let balances = &self.balances;
        let bins = ints(self.bins, GRID_BINS);
        let min_counts = ints(self.min_count, GRID_MIN_COUNT);
        let ngrams = ints(self.ngram, GRID_NGRAM);
        let min_dfs = ints(self.min_df, GRID_MIN_DF);
        let mut out = Vec::new();
        for &min_df in &min_dfs {
            for &ngram in &ngrams {
                for &min_count in &min_counts {
                    for &bins in &bins {
                        for &(penalty, l1_ratio) in &penalties {
                            for &balance in balances {
                                for &c in &cs {
                                    out.push(Params {
                                        c,
                                        penalty,
                                        l1_ratio,
                                        balance,
                                        min_count,
                                        bins,
                                        ngram,
                                        min_df,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

/// Points of `C` on the grid: log-spaced over the range, ends included
/// (`1e-3, 1e-2, ..., 1e2` by default).
pub const GRID_C_POINTS: usize = 6;
/// The elastic net's L1 shares on the grid, as shares of the `l1_ratio` range.
pub const GRID_L1_SHARES: &[f64] = &[0.5, 0.2, 0.8];
/// Bins on the grid (the default first; those outside the range are dropped).
pub const GRID_BINS: &[usize] = &[10, 5, 20];
/// `min_count` on the grid.
pub const GRID_MIN_COUNT: &[usize] = &[10, 3, 30];
/// N-gram orders on the grid.
pub const GRID_NGRAM: &[usize] = &[2, 1, 3];
/// `min_df` on the grid.
pub const GRID_MIN_DF: &[usize] = &[1, 3];

/// Where each setting sits among a sampler's dimensions (`None`: not searched).
#[derive(Debug, Clone, Default)]
pub(crate) struct Slots {
    c: Option<usize>,
    penalty: Option<usize>,
    l1_ratio: Option<usize>,
    balance: Option<usize>,
    min_count: Option<usize>,
    bins: Option<usize>,
    ngram: Option<usize>,
    min_df: Option<usize>,
}

/// A space as a sampler's dimensions.
#[derive(Debug, Clone)]
pub(crate) struct Encoded {
    pub dims: Vec<Dim>,
    slots: Slots,
    space: SearchSpace,
}

impl Encoded {
    /// The point of a setting of this space (the inverse of [`Encoded::params`]);
    /// `c_used` stands for an automatic `C` (the `C` the fits chose), clamped into
    /// the searched range.
    pub(crate) fn point(&self, params: &Params, c_used: Option<f64>) -> Point {
        let s = &self.space;
        let mut p: Point = vec![None; self.dims.len()];
        let mut set = |slot: Option<usize>, v: Option<f64>| {
            if let Some(x) = slot.and_then(|i| p.get_mut(i)) {
                *x = v;
            }
        };
        if let CSpace::Range(lo, hi) = s.c {
            let c = params.c.or(c_used).unwrap_or((lo * hi).sqrt());
            set(self.slots.c, Some(c.clamp(lo, hi)));
        }
        let index = |i: Option<usize>| i.map(|i| i as f64);
        set(
            self.slots.penalty,
            index(s.penalties.iter().position(|&x| x == params.penalty)),
        );
        set(self.slots.l1_ratio, params.l1_ratio);
        set(
            self.slots.balance,
            index(s.balances.iter().position(|&x| x == params.balance)),
        );
        set(self.slots.min_count, Some(params.min_count as f64));
        set(self.slots.bins, Some(params.bins as f64));
        set(self.slots.ngram, Some(params.ngram as f64));
        set(self.slots.min_df, Some(params.min_df as f64));
        p
    }

    /// The training setting of a point.
    pub(crate) fn params(&self, p: &Point) -> Params {
        let s = &self.space;
        let get = |slot: Option<usize>| slot.and_then(|i| p.get(i).copied().flatten());
        let int = |slot: Option<usize>, r: (usize, usize)| {
            get(slot).map_or(r.0, |v| (v as usize).clamp(r.0, r.1))
        };
        let c = match s.c {
            CSpace::Auto => None,
            CSpace::Fixed(c) => Some(c),
            CSpace::Range(lo, hi) => Some(get(self.slots.c).unwrap_or(lo).clamp(lo, hi)),
        };
        let penalty = match get(self.slots.penalty) {
            Some(i) => s.penalties.get(i as usize).copied(),
            None => s.penalties.first().copied(),
        }
        .unwrap_or_default();
        let l1_ratio = (penalty == Penalty::ElasticNet).then(|| {
            get(self.slots.l1_ratio)
                .unwrap_or(s.l1_ratio.0)
                .clamp(s.l1_ratio.0, s.l1_ratio.1)
        });
        let balance = match get(self.slots.balance) {
            Some(i) => s.balances.get(i as usize).copied(),
            None => s.balances.first().copied(),
        }
        .unwrap_or_default();
        Params {
            c,
            penalty,
            l1_ratio,
            balance,
            min_count: int(self.slots.min_count, s.min_count),
            bins: int(self.slots.bins, s.bins),
            ngram: int(self.slots.ngram, s.ngram),
            min_df: int(self.slots.min_df, s.min_df),
        }
    }
}
