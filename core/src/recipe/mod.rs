//! Feature recipes. A recipe says which features to build; fitted on training rows it
//! becomes a [`Pipeline`] (means, scales, bin edges, kept levels, vocabularies), which
//! the same code then applies to tables (training, batch scoring) and to single
//! records (scoring).
//!
//! # The language
//!
//! One output per line, `#` starts a comment, functions nest, columns are named as
//! written in the data (quote names with spaces or other characters:
//! `"deal amount"`), and `@numeric`, `@categorical`, `@text`, `@boolean` stand for
//! every column of that kind (the line is repeated for each):
//!
//! ```text
//! quantile_bin(@numeric, 10)              # bins learnt on training rows
//! one_hot(source)                         # rare levels (< min_count) fold into "other"
//! one_hot(city, min_count=20)
//! cartesian(source, city)                 # crossed categories: "phone × Kazan"
//! cartesian(quantile_bin(amount, 4), city)
//! rate(calls, lifetime_days)              # activity per day, standardised
//! log1p(emails)
//! clip(discount, 0, 50)
//! standardize(deal_amount)
//! missing(phone)                          # 1 when absent
//! ngram(negate(lowercase(no_punct(comment))), 2)   # word 1-2-grams, Unicode-aware
//! osb(lowercase(subject), 4)              # orthogonal sparse bigrams
//! hash(city, 10)                          # 1,024 hashed buckets for very many levels
//! hash(ngram(comment, 2), 18)             # hashed words instead of a vocabulary
//! ```
//!
//! | function | takes | gives |
//! |---|---|---|
//! | `standardize(x)` | a number | one column, `(x - mean) / sd`; missing is 0 |
//! | `log1p(x)` | a number | `ln(1 + x)` (`-ln(1 - x)` below 0) |
//! | `rate(a, b)` | two numbers | `a / b`; missing when `b` is missing or not above 0 |
//! | `clip(x, lo, hi)` | a number | `x` bounded to `[lo, hi]` |
//! | `quantile_bin(x, n = 10)` | a number | a category: the bin among quantile edges (2 to 100 bins) |
//! | `one_hot(x, min_count, max_levels)` | a category | a column per kept level, one for `other` |
//! | `cartesian(a, b)` | two categories (or bins, booleans) | a category: the pair |
//! | `missing(x)` | anything | one column, 1 when missing |
//! | `lowercase(t)`, `no_punct(t)`, `negate(t)` | text | text |
//! | `ngram(t, n = 2, min_df = 1, max_terms = 100000)` | text | weighted terms: word n-grams of orders 1..n (n up to 4) |
//! | `osb(t, window = 4, min_df, max_terms)` | text | weighted terms: word pairs up to `window - 1` apart |
//! | `hash(x, bits)` | a category, or `ngram`/`osb` | `2^bits` hashed columns (bits 1 to 20) |
//!
//! A number, a function of numbers or a bare numeric column is standardised; a
//! category or bins become one-hot (with the training options' `min_count` and
//! `max_levels`); a boolean column is a 0/1 flag; a bare text column gets the `auto`
//! recipe's text features. Identical lines count once. Parse and type errors name the
//! recipe's line and column ([`crate::error::Error::Recipe`]); they happen when a recipe is
//! fitted, never when a model scores.
//!
//! The `auto` recipe ([`auto_recipe`]) is what training uses when no recipe is given;
//! `leadscore recipe DATA --target COL` prints it. A model stores the recipe it was
//! trained with ([`Pipeline::recipe`]).

mod auto;
mod bind;
mod fit;
pub mod parse;
mod pipeline;
pub mod plan;
mod source;
mod step;
pub mod text;

pub use auto::{auto_recipe, AUTO_BINS, MIN_MISSING_ROWS, MIN_MISSING_SHARE};
pub use bind::BoundTable;
pub(crate) use bind::SolverRows;
pub use fit::TEXT_NORM;
pub(crate) use pipeline::bin_phrase;
pub use pipeline::{AutoOptions, Group, Input, Pipeline, MAX_AUTO_MIN_DF, MAX_FEATURES};
pub use source::{bin_label, Derived, ValueType, CROSS_SEPARATOR};
pub use step::{
    standardized, value_to_bool, value_to_num, Step, TermsStep, ValueKind, OTHER_LEVEL, Z_LIMIT,
};
