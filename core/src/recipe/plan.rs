//! From parsed lines to typed outputs: groups expanded against the schema, every
//! column resolved, every function checked for the kinds of its arguments and the
//! ranges of its options. What comes out is what the pipeline fits.

use super::parse::{Arg, Expr, Line, Pos};
use super::text::{TermKind, MAX_NGRAM, MAX_OSB_WINDOW};
use crate::data::{Kind, Schema};
use crate::error::{Error, ErrorCode, Result};
use std::fmt;

/// Default number of bins of `quantile_bin(x)`.
pub const DEFAULT_BINS: usize = 10;
/// Most bins of `quantile_bin`.
pub const MAX_BINS: usize = 100;
/// Default n-gram order of `ngram(text)` and of a bare text column.
pub const DEFAULT_NGRAM: usize = 2;
/// Default window of `osb(text)`.
pub const DEFAULT_OSB_WINDOW: usize = 4;
/// Default `min_df` of `ngram` and `osb`: a term seen in one training row is kept
/// (measured on fine_foods: dropping terms seen once cost 0.002 of ROC AUC).
pub const DEFAULT_MIN_DF: usize = 1;
/// Default `max_terms` of `ngram` and `osb`: the vocabulary keeps the terms seen in
/// the most training rows, at most this many.
pub const DEFAULT_MAX_TERMS: usize = 100_000;
/// Most terms a vocabulary may keep.
pub const MAX_TERMS: usize = 2_000_000;
/// Most bits of `hash(x, bits)` (about a million columns).
pub const MAX_HASH_BITS: u8 = 20;
/// Most levels `one_hot` may keep.
pub const MAX_LEVELS: usize = 1_000_000;

/// A typed expression: what a feature reads.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A column of the data.
    Column(String),
    /// `log1p(x)`.
    Log1p(Box<Node>),
    /// `rate(a, b)`: `a / b`.
    Rate(Box<Node>, Box<Node>),
    /// `clip(x, lo, hi)`.
    Clip(Box<Node>, f64, f64),
    /// `quantile_bin(x, n)`: the bin a number falls in (a category).
    Bins(Box<Node>, usize),
    /// `cartesian(a, b)`: the pair of two categories.
    Cross(Box<Node>, Box<Node>),
    /// `lowercase(text)`.
    Lowercase(Box<Node>),
    /// `no_punct(text)`.
    NoPunct(Box<Node>),
    /// `negate(text)`.
    Negate(Box<Node>),
}

/// One output line, typed: a block of feature columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// A number, standardised.
    Standardize(Node),
    /// A boolean column as 0/1.
    Flag(Node),
    /// A category, one column per kept level and one for `other`.
    OneHot {
        /// The category.
        of: Node,
        /// Levels on fewer training rows fold into `other`.
        min_count: usize,
        /// At most this many levels keep a column.
        max_levels: usize,
    },
    /// 1 when the value is missing.
    Missing(Node),
    /// The terms of a text, weighted (see [`crate::recipe::Step::Terms`]).
    Terms {
        /// The text.
        of: Node,
        /// N-grams or orthogonal sparse bigrams.
        kind: TermKind,
        /// Terms in fewer training rows are dropped.
        min_df: usize,
        /// At most this many terms are kept (the most frequent).
        max_terms: usize,
        /// Hashed into `2^bits` buckets instead of a vocabulary.
        bits: Option<u8>,
    },
    /// A category hashed into `2^bits` one-hot buckets.
    Hashed {
        /// The category.
        of: Node,
        /// The bucket count's logarithm.
        bits: u8,
    },
}

/// The kind of value an expression gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ty {
    Num,
    Bool,
    Cat,
    Bins,
    Text,
}

impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Num => "a number",
            Ty::Bool => "a boolean",
            Ty::Cat => "a category",
            Ty::Bins => "bins of a number",
            Ty::Text => "text",
        }
    }
}

/// What a typed argument or line holds before it becomes an [`Output`].
#[derive(Debug, Clone)]
enum Typed {
    Value(Node, Ty),
    Output(Output),
}

/// The defaults that a recipe line without options takes from the training
/// configuration.
#[derive(Debug, Clone, Copy)]
pub struct PlanDefaults {
    /// `one_hot`'s `min_count`.
    pub min_count: usize,
    /// `one_hot`'s `max_levels`.
    pub max_levels: usize,
}

/// The functions of the language, for error messages.
pub const FUNCTIONS: &[&str] = &[
    "standardize",
    "log1p",
    "rate",
    "clip",
    "quantile_bin",
    "missing",
    "one_hot",
    "cartesian",
    "lowercase",
    "no_punct",
    "negate",
    "ngram",
    "osb",
    "hash",
];

/// Types the parsed lines against the schema: expands groups (one output per column
/// of the kind, in the schema's order), resolves columns, checks kinds and options.
/// Identical outputs are kept once.
///
/// # Errors
///
/// [`Error::Recipe`] naming the line and column: an unknown column or function, an
/// argument of the wrong kind, an option out of range.
pub fn plan(lines: &[Line], schema: &Schema, defaults: PlanDefaults) -> Result<Vec<Output>> {
    let mut out: Vec<Output> = Vec::new();
    for line in lines {
        let groups = find_groups(&line.expr);
        if groups.len() > 1 {
            return Err(groups[1].1.error("only one @group may appear on a line"));
        }
        let bindings: Vec<Option<String>> = match groups.first() {
            None => vec![None],
            Some((name, pos)) => {
                let kind = match name.as_str() {
                    "numeric" => Kind::Numeric,
                    "categorical" => Kind::Categorical,
                    "text" => Kind::Text,
                    "boolean" => Kind::Boolean,
                    other => {
                        return Err(pos.error(format!(
                            "unknown group @{other}; the groups are @numeric, @categorical, @text and @boolean"
                        )))
                    }
                };
                schema
                    .names_of(kind)
                    .into_iter()
                    .map(|n| Some(n.to_owned()))
                    .collect()
            }
        };
        for group_col in bindings {
            let ctx = Ctx {
                schema,
                group_col: group_col.as_deref(),
                defaults,
            };
            let output = match ctx.typed(&line.expr)? {
                Typed::Output(o) => o,
                Typed::Value(node, ty) => ctx.default_output(node, ty),
            };
            if !out.contains(&output) {
                out.push(output);
            }
        }
    }
    Ok(out)
}

fn find_groups(e: &Expr) -> Vec<(String, Pos)> {
    let mut found = Vec::new();
    fn walk(e: &Expr, found: &mut Vec<(String, Pos)>) {
        match e {
            Expr::Group { name, pos } => found.push((name.clone(), *pos)),
            Expr::Call { args, .. } => args.iter().for_each(|a| walk(&a.value, found)),
            _ => {}
        }
    }
    walk(e, &mut found);
    found
}

struct Ctx<'a> {
    schema: &'a Schema,
    group_col: Option<&'a str>,
    defaults: PlanDefaults,
}

impl Ctx<'_> {
    fn default_output(&self, node: Node, ty: Ty) -> Output {
        match ty {
            Ty::Num => Output::Standardize(node),
            Ty::Bool => Output::Flag(node),
            Ty::Cat | Ty::Bins => Output::OneHot {
                of: node,
                min_count: self.defaults.min_count,
                max_levels: self.defaults.max_levels,
            },
            Ty::Text => default_text(node),
        }
    }

    fn column(&self, name: &str, pos: Pos) -> Result<(Node, Ty)> {
        let Some(kind) = self.schema.kind_of(name) else {
            let known: Vec<&str> = self.schema.fields.iter().map(|f| f.name.as_str()).collect();
            let hint = match closest(name, known.iter().copied()) {
                Some(c) => format!(" (did you mean \"{c}\"?)"),
                None if known.len() <= 20 => format!("; the columns are: {}", known.join(", ")),
                None => String::new(),
            };
            return Err(Error::Recipe {
                line: pos.line,
                column: pos.column,
                message: format!("unknown column \"{name}\"{hint}"),
                code: ErrorCode::UnknownColumn,
            });
        };
        let ty = match kind {
            Kind::Numeric => Ty::Num,
            Kind::Boolean => Ty::Bool,
            Kind::Categorical => Ty::Cat,
            Kind::Text => Ty::Text,
            Kind::Id => {
                return Err(pos.error(format!(
                    "\"{name}\" is an id or empty column, which is not used; give it a kind (kinds: {{\"{name}\": \"categorical\"}}, or --kind {name}=categorical) to use it"
                )))
            }
        };
        Ok((Node::Column(name.to_owned()), ty))
    }

    fn typed(&self, e: &Expr) -> Result<Typed> {
        match e {
            Expr::Column { name, pos } => {
                let (n, t) = self.column(name, *pos)?;
                Ok(Typed::Value(n, t))
            }
            Expr::Group { pos, .. } => {
                // Expanded by `plan`: the column bound to this line.
                let name = self
                    .group_col
                    .ok_or_else(|| pos.error("internal: group without a column"))?;
                let (n, t) = self.column(name, *pos)?;
                Ok(Typed::Value(n, t))
            }
            Expr::Number { pos, .. } => Err(pos.error(
                "a number cannot be a feature; numbers are options of functions (quantile_bin(x, 10))",
            )),
            Expr::Call { name, args, pos } => self.call(name, args, *pos),
        }
    }

    fn call(&self, name: &str, args: &[Arg], pos: Pos) -> Result<Typed> {
        let spec = match name {
            "standardize" | "log1p" | "missing" | "lowercase" | "no_punct" | "negate" => {
                Spec::new(&[], 1)
            }
            "rate" | "cartesian" => Spec::new(&[], 2),
            "clip" => Spec::new(&["lo", "hi"], 1),
            "quantile_bin" => Spec::new(&["n"], 1),
            "one_hot" => Spec::new(&["min_count", "max_levels"], 1),
            "ngram" => Spec::new(&["n", "min_df", "max_terms"], 1),
            "osb" => Spec::new(&["window", "min_df", "max_terms"], 1),
            "hash" => Spec::new(&["bits"], 1),
            other => {
                let hint = closest(other, FUNCTIONS.iter().copied())
                    .map_or_else(String::new, |c| format!(" (did you mean {c}?)"));
                return Err(pos.error(format!(
                    "unknown function {other}{hint}; the functions are {}",
                    FUNCTIONS.join(", ")
                )));
            }
        };
        let a = spec.bind(name, args, pos)?;
        let value = |i: usize| -> Result<(Node, Ty, Pos)> {
            let e = &a.values[i];
            match self.typed(e)? {
                Typed::Value(n, t) => Ok((n, t, e.pos())),
                Typed::Output(_) => Err(e.pos().error(format!(
                    "{name} cannot take the output of another feature function here"
                ))),
            }
        };
        let num = |i: usize| -> Result<Node> {
            let (n, t, p) = value(i)?;
            match t {
                Ty::Num | Ty::Bool => Ok(n),
                other => Err(p.error(format!(
                    "{name} takes a number, but {} is {}",
                    describe(&n),
                    other.name()
                ))),
            }
        };
        let cat = |i: usize, allow_num: bool| -> Result<Node> {
            let (n, t, p) = value(i)?;
            match t {
                Ty::Cat | Ty::Bool | Ty::Bins => Ok(n),
                Ty::Num if allow_num => Ok(n),
                Ty::Num => Err(p.error(format!(
                    "{name} takes categories, but {} is a number; bin it first: quantile_bin({}, 5)",
                    describe(&n),
                    n
                ))),
                other => Err(p.error(format!(
                    "{name} takes a category, but {} is {}",
                    describe(&n),
                    other.name()
                ))),
            }
        };
        let text = |i: usize| -> Result<Node> {
            let (n, t, p) = value(i)?;
            match t {
                Ty::Text | Ty::Cat => Ok(n),
                other => Err(p.error(format!(
                    "{name} takes text, but {} is {}",
                    describe(&n),
                    other.name()
                ))),
            }
        };
        let b = |n: Node| Box::new(n);
        Ok(match name {
            "standardize" => Typed::Output(Output::Standardize(num(0)?)),
            "log1p" => Typed::Value(Node::Log1p(b(num(0)?)), Ty::Num),
            "rate" => Typed::Value(Node::Rate(b(num(0)?), b(num(1)?)), Ty::Num),
            "clip" => {
                let lo = a.number(1, f64::NEG_INFINITY, f64::INFINITY)?;
                let hi = a.number(2, f64::NEG_INFINITY, f64::INFINITY)?;
                match (lo, hi) {
                    (Some(lo), Some(hi)) if lo < hi => {
                        Typed::Value(Node::Clip(b(num(0)?), lo, hi), Ty::Num)
                    }
                    (Some(_), Some(_)) => {
                        return Err(a
                            .pos_of(1)
                            .error("clip's lower bound must be below its upper bound"))
                    }
                    _ => {
                        return Err(pos.error("clip takes a number and two bounds: clip(x, lo, hi)"))
                    }
                }
            }
            "quantile_bin" => {
                let n = a.count(1, 2, MAX_BINS)?.unwrap_or(DEFAULT_BINS);
                Typed::Value(Node::Bins(b(num(0)?), n), Ty::Bins)
            }
            "missing" => {
                let (n, _, _) = value(0)?;
                Typed::Output(Output::Missing(n))
            }
            "one_hot" => Typed::Output(Output::OneHot {
                of: cat(0, true)?,
                min_count: a
                    .count(1, 1, usize::MAX)?
                    .unwrap_or(self.defaults.min_count),
                max_levels: a
                    .count(2, 1, MAX_LEVELS)?
                    .unwrap_or(self.defaults.max_levels),
            }),
            "cartesian" => Typed::Value(Node::Cross(b(cat(0, false)?), b(cat(1, false)?)), Ty::Cat),
            "lowercase" => Typed::Value(Node::Lowercase(b(text(0)?)), Ty::Text),
            "no_punct" => Typed::Value(Node::NoPunct(b(text(0)?)), Ty::Text),
            "negate" => Typed::Value(Node::Negate(b(text(0)?)), Ty::Text),
            "ngram" | "osb" => {
                let kind = if name == "ngram" {
                    TermKind::Ngram(a.count(1, 1, MAX_NGRAM)?.unwrap_or(DEFAULT_NGRAM) as u8)
                } else {
                    TermKind::Osb(a.count(1, 2, MAX_OSB_WINDOW)?.unwrap_or(DEFAULT_OSB_WINDOW) as u8)
                };
                Typed::Output(Output::Terms {
                    of: text(0)?,
                    kind,
                    min_df: a.count(2, 1, usize::MAX)?.unwrap_or(DEFAULT_MIN_DF),
                    max_terms: a.count(3, 1, MAX_TERMS)?.unwrap_or(DEFAULT_MAX_TERMS),
                    bits: None,
                })
            }
            "hash" => {
                let bits = a
                    .count(1, 1, usize::from(MAX_HASH_BITS))?
                    .ok_or_else(|| pos.error("hash takes the number of bits: hash(x, 18)"))?
                    as u8;
                let inner = &a.values[0];
                match self.typed(inner)? {
                    Typed::Output(Output::Terms {
                        of,
                        kind,
                        min_df,
                        max_terms,
                        bits: None,
                    }) => Typed::Output(Output::Terms {
                        of,
                        kind,
                        min_df,
                        max_terms,
                        bits: Some(bits),
                    }),
                    Typed::Output(_) => {
                        return Err(inner
                            .pos()
                            .error("hash takes a category or the terms of ngram or osb"))
                    }
                    Typed::Value(n, Ty::Cat | Ty::Bool | Ty::Num | Ty::Bins) => {
                        Typed::Output(Output::Hashed { of: n, bits })
                    }
                    Typed::Value(n, t) => {
                        return Err(inner.pos().error(format!(
                            "hash takes a category or the terms of ngram or osb, but {} is {}; hash its words with hash(ngram({n}), {bits})",
                            describe(&n),
                            t.name()
                        )))
                    }
                }
            }
            _ => return Err(pos.error(format!("internal: function {name} has no meaning"))),
        })
    }
}

/// The output a bare text column (or a transformed text) gives: word 1-2-grams of
/// the text with punctuation removed, lower case and negations marked, as the `auto`
/// recipe builds them.
fn default_text(node: Node) -> Output {
    let of = match node {
        Node::Column(_) => Node::Negate(Box::new(Node::Lowercase(Box::new(Node::NoPunct(
            Box::new(node),
        ))))),
        other => other,
    };
    Output::Terms {
        of,
        kind: TermKind::Ngram(DEFAULT_NGRAM as u8),
        min_df: DEFAULT_MIN_DF,
        max_terms: DEFAULT_MAX_TERMS,
        bits: None,
    }
}

/// A function's arguments: positional ones first, then named ones in any order.
struct Spec {
    /// Names of the optional arguments after the required ones.
    options: &'static [&'static str],
    required: usize,
}

struct Bound<'a> {
    values: Vec<&'a Expr>,
    /// Option `k` (0-based among options) by position `required + k`.
    opts: Vec<Option<&'a Expr>>,
    required: usize,
    fname: String,
    names: &'static [&'static str],
}

impl Spec {
    fn new(options: &'static [&'static str], required: usize) -> Spec {
        Spec { options, required }
    }

    fn bind<'a>(&self, fname: &str, args: &'a [Arg], pos: Pos) -> Result<Bound<'a>> {
        let mut values = Vec::new();
        let mut opts: Vec<Option<&Expr>> = vec![None; self.options.len()];
        let mut named_seen = false;
        for a in args {
            match &a.name {
                None => {
                    if named_seen {
                        return Err(a.value.pos().error(format!(
                            "positional arguments of {fname} must come before named ones"
                        )));
                    }
                    let k = values.len() + opts.iter().filter(|o| o.is_some()).count();
                    if k < self.required {
                        values.push(&a.value);
                    } else if let Some(slot) = opts.get_mut(k - self.required) {
                        *slot = Some(&a.value);
                    } else {
                        return Err(a.value.pos().error(format!(
                            "{fname} takes at most {} arguments",
                            self.required + self.options.len()
                        )));
                    }
                }
                Some((n, npos)) => {
                    named_seen = true;
                    let Some(k) = self.options.iter().position(|o| o == n) else {
                        let known = if self.options.is_empty() {
                            "none".to_owned()
                        } else {
                            self.options.join(", ")
                        };
                        return Err(npos.error(format!(
                            "{fname} has no option \"{n}\" (its options: {known})"
                        )));
                    };
                    if opts[k].is_some() {
                        return Err(npos.error(format!("option \"{n}\" of {fname} is given twice")));
                    }
                    opts[k] = Some(&a.value);
                }
            }
        }
        if values.len() < self.required {
            return Err(pos.error(format!(
                "{fname} takes {} argument{} before its options, got {}",
                self.required,
                if self.required == 1 { "" } else { "s" },
                values.len()
            )));
        }
        Ok(Bound {
            values,
            opts,
            required: self.required,
            fname: fname.to_owned(),
            names: self.options,
        })
    }
}

impl Bound<'_> {
    /// Option number `i` counted with the required arguments (so the first option of
    /// `quantile_bin(x, n)` is 1).
    fn opt(&self, i: usize) -> Option<&Expr> {
        self.opts
            .get(i.checked_sub(self.required)?)
            .copied()
            .flatten()
    }

    fn pos_of(&self, i: usize) -> Pos {
        self.opt(i).map_or(Pos { line: 0, column: 0 }, Expr::pos)
    }

    fn option_name(&self, i: usize) -> &str {
        self.names.get(i - self.required).copied().unwrap_or("?")
    }

    fn number(&self, i: usize, lo: f64, hi: f64) -> Result<Option<f64>> {
        match self.opt(i) {
            None => Ok(None),
            Some(Expr::Number { value, pos }) => {
                if *value < lo || *value > hi {
                    return Err(pos.error(format!(
                        "{} of {} must be between {lo} and {hi}",
                        self.option_name(i),
                        self.fname
                    )));
                }
                Ok(Some(*value))
            }
            Some(e) => Err(e.pos().error(format!(
                "{} of {} must be a number",
                self.option_name(i),
                self.fname
            ))),
        }
    }

    fn count(&self, i: usize, lo: usize, hi: usize) -> Result<Option<usize>> {
        match self.opt(i) {
            None => Ok(None),
            Some(Expr::Number { value, pos }) => {
                let ok = value.fract() == 0.0 && *value >= lo as f64 && *value <= hi as f64;
                if !ok {
                    let range = if hi == usize::MAX {
                        format!("a whole number of at least {lo}")
                    } else {
                        format!("a whole number from {lo} to {hi}")
                    };
                    return Err(pos.error(format!(
                        "{} of {} must be {range}, got {value}",
                        self.option_name(i),
                        self.fname
                    )));
                }
                Ok(Some(*value as usize))
            }
            Some(e) => Err(e.pos().error(format!(
                "{} of {} must be a whole number",
                self.option_name(i),
                self.fname
            ))),
        }
    }
}

/// How an expression is named in a message: a column by its name, anything else by
/// its recipe text.
fn describe(n: &Node) -> String {
    match n {
        Node::Column(c) => format!("\"{c}\""),
        other => other.to_string(),
    }
}

/// The closest of `known` to `name` within an edit distance of 2 (or a third of its
/// length), for "did you mean".
pub(crate) fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    let limit = 2.max(name.chars().count() / 3);
    known
        .map(|k| (edit_distance(name, k), k))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    if a.len().abs_diff(b.len()) > 8 {
        return usize::MAX;
    }
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// A column name as the recipe writes it: bare when it is a plain name, else quoted.
pub(crate) fn column_text(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && !FUNCTIONS.contains(&name);
    if plain {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
    }
}

fn num_text(x: f64) -> String {
    crate::data::format_num(x)
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Column(c) => write!(f, "{}", column_text(c)),
            Node::Log1p(x) => write!(f, "log1p({x})"),
            Node::Rate(a, b) => write!(f, "rate({a}, {b})"),
            Node::Clip(x, lo, hi) => write!(f, "clip({x}, {}, {})", num_text(*lo), num_text(*hi)),
            Node::Bins(x, n) => write!(f, "quantile_bin({x}, {n})"),
            Node::Cross(a, b) => write!(f, "cartesian({a}, {b})"),
            Node::Lowercase(x) => write!(f, "lowercase({x})"),
            Node::NoPunct(x) => write!(f, "no_punct({x})"),
            Node::Negate(x) => write!(f, "negate({x})"),
        }
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Output::Standardize(n) => match n {
                Node::Column(_) => write!(f, "standardize({n})"),
                other => write!(f, "{other}"),
            },
            Output::Flag(n) => write!(f, "{n}"),
            Output::OneHot {
                of,
                min_count,
                max_levels,
            } => {
                // Both options always: a line read back under other defaults must
                // mean the same thing.
                write!(
                    f,
                    "one_hot({of}, min_count={min_count}, max_levels={max_levels})"
                )
            }
            Output::Missing(n) => write!(f, "missing({n})"),
            Output::Terms {
                of,
                kind,
                min_df,
                max_terms,
                bits,
            } => {
                let inner = match kind {
                    TermKind::Ngram(n) => {
                        format!("ngram({of}, {n}, min_df={min_df}, max_terms={max_terms})")
                    }
                    TermKind::Osb(w) => {
                        format!("osb({of}, {w}, min_df={min_df}, max_terms={max_terms})")
                    }
                };
                match bits {
                    Some(b) => write!(f, "hash({inner}, {b})"),
                    None => write!(f, "{inner}"),
                }
            }
            Output::Hashed { of, bits } => write!(f, "hash({of}, {bits})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::Field;
    use crate::recipe::parse::parse;

    fn schema() -> Schema {
        let f = |name: &str, kind| Field {
            name: name.into(),
            kind,
        };
        Schema {
            fields: vec![
                f("calls", Kind::Numeric),
                f("lifetime_days", Kind::Numeric),
                f("city", Kind::Categorical),
                f("source", Kind::Categorical),
                f("has_phone", Kind::Boolean),
                f("comment", Kind::Text),
                f("lead_id", Kind::Id),
                f("deal amount", Kind::Numeric),
            ],
        }
    }

    const D: PlanDefaults = PlanDefaults {
        min_count: 10,
        max_levels: 200,
    };

    fn planned(text: &str) -> Result<Vec<Output>> {
        plan(&parse(text)?, &schema(), D)
    }

    fn texts(text: &str) -> Vec<String> {
        planned(text)
            .unwrap()
            .iter()
            .map(|o| o.to_string())
            .collect()
    }

    #[test]
    fn groups_expand_and_outputs_type() {
        assert_eq!(
            texts("quantile_bin(@numeric, 5)\n@boolean\ncity\nlog1p(calls)\nrate(calls, lifetime_days)"),
            [
                "one_hot(quantile_bin(calls, 5), min_count=10, max_levels=200)",
                "one_hot(quantile_bin(lifetime_days, 5), min_count=10, max_levels=200)",
                "one_hot(quantile_bin(\"deal amount\", 5), min_count=10, max_levels=200)",
                "has_phone",
                "one_hot(city, min_count=10, max_levels=200)",
                "log1p(calls)",
                "rate(calls, lifetime_days)",
            ]
        );
        assert_eq!(
            texts("comment\nhash(ngram(lowercase(comment), 1, min_df=2), 16)\nosb(comment, 3)"),
            [
                "ngram(negate(lowercase(no_punct(comment))), 2, min_df=1, max_terms=100000)",
                "hash(ngram(lowercase(comment), 1, min_df=2, max_terms=100000), 16)",
                "osb(comment, 3, min_df=1, max_terms=100000)",
            ]
        );
        assert_eq!(
            texts("cartesian(source, city)\ncartesian(quantile_bin(calls, 4), city)\nmissing(\"deal amount\")\nhash(city, 8)"),
            [
                "one_hot(cartesian(source, city), min_count=10, max_levels=200)",
                "one_hot(cartesian(quantile_bin(calls, 4), city), min_count=10, max_levels=200)",
                "missing(\"deal amount\")",
                "hash(city, 8)",
            ]
        );
        // Duplicates are kept once; a group with no column gives nothing.
        assert_eq!(texts("calls\nstandardize(calls)\ncalls").len(), 1);
        let empty = Schema { fields: vec![] };
        assert!(plan(&parse("@numeric").unwrap(), &empty, D)
            .unwrap()
            .is_empty());
    }

    #[test]
    fn round_trip_through_text() {
        let text = "quantile_bin(@numeric, 5)\none_hot(city, min_count=3)\nclip(calls, -1.5, 40)\nnegate(comment)\ncartesian(source, has_phone)";
        let once = texts(text);
        let twice = texts(&once.join("\n"));
        assert_eq!(once, twice);
        // Options equal to the greatest allowed value are written out too: read back
        // under other defaults, the line keeps its meaning.
        let wide = format!("one_hot(city, max_levels={MAX_LEVELS})");
        let printed = texts(&wide);
        let other = PlanDefaults {
            min_count: 10,
            max_levels: 5,
        };
        let again = plan(&parse(&printed[0]).unwrap(), &schema(), other).unwrap();
        assert_eq!(again[0].to_string(), printed[0]);
    }

    #[test]
    fn errors_say_where_and_what() {
        let cases = [
            ("one_hot(citty)", "line 1, column 9: unknown column \"citty\" (did you mean \"city\"?)"),
            ("calls\nrate(calls, city)", "line 2, column 13: rate takes a number, but \"city\" is a category"),
            ("cartesian(calls, city)", "column 11: cartesian takes categories, but \"calls\" is a number; bin it first: quantile_bin(calls, 5)"),
            ("ngram(calls)", "ngram takes text, but \"calls\" is a number"),
            ("one_hot(comment)", "one_hot takes a category, but \"comment\" is text"),
            ("quantile_bin(calls, 1)", "column 21: n of quantile_bin must be a whole number from 2 to 100, got 1"),
            ("quantile_bin(calls, 2.5)", "got 2.5"),
            ("ngram(comment, 2, max_term=5)", "column 19: ngram has no option \"max_term\" (its options: n, min_df, max_terms)"),
            ("onehot(city)", "unknown function onehot (did you mean one_hot?)"),
            ("lead_id", "\"lead_id\" is an id or empty column"),
            ("@nums", "unknown group @nums"),
            ("rate(@numeric, @numeric)", "column 16: only one @group"),
            ("clip(calls, 5, 1)", "lower bound must be below"),
            ("hash(comment, 10)", "hash(ngram(comment), 10)"),
            ("hash(city, 21)", "bits of hash must be a whole number from 1 to 20"),
            ("rate(calls)", "rate takes 2 arguments before its options, got 1"),
            ("standardize(calls, 3)", "standardize takes at most 1 arguments"),
            ("one_hot(city, min_count=2, min_count=3)", "given twice"),
            ("10", "a number cannot be a feature"),
            ("log1p(one_hot(city))", "cannot take the output of another feature function"),
        ];
        for (text, want) in cases {
            let e = planned(text).unwrap_err().to_string();
            assert!(e.contains(want), "{text:?}: {e}");
        }
        let e = planned("citty").unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnknownColumn);
        assert_eq!(
            planned("rate(calls, city)").unwrap_err().code(),
            ErrorCode::InvalidInput
        );
    }
}
