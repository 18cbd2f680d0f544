//! Column kinds, inferred from the data and overridable.

use super::{parse_bool, Column, Table};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// The kind of an input column: decides which features the `auto` recipe builds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// A number: standardised, plus a missing indicator when values are missing.
    Numeric,
    /// Two values (0/1, true/false, yes/no): one 0/1 feature.
    Boolean,
    /// A category (source channel, city): one-hot with rare levels folded into "other".
    Categorical,
    /// Free text (a comment): used by text transforms of the recipe language.
    Text,
    /// An identifier or an empty column: ignored.
    Id,
}

impl Kind {
    /// The kind's lower-case name as the CLI and JSON write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Numeric => "numeric",
            Kind::Boolean => "boolean",
            Kind::Categorical => "categorical",
            Kind::Text => "text",
            Kind::Id => "id",
        }
    }

    /// Parses a kind name (`numeric`, `boolean`, `categorical`, `text`, `id`).
    pub fn parse(s: &str) -> Result<Kind> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "numeric" | "number" | "num" => Kind::Numeric,
            "boolean" | "bool" => Kind::Boolean,
            "categorical" | "category" | "cat" => Kind::Categorical,
            "text" => Kind::Text,
            "id" | "ignore" => Kind::Id,
            other => {
                return Err(Error::InvalidInput(format!(
                    "unknown column kind \"{other}\" (expected numeric, boolean, categorical, text or id)"
                )))
            }
        })
    }
}

/// One input column and its kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// The column name as written in the data.
    pub name: String,
    /// Its kind.
    pub kind: Kind,
}

/// The kinds of a table's input columns (the target is not part of it).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// Fields in table order.
    #[serde(deserialize_with = "crate::format::budget::vec")]
    pub fields: Vec<Field>,
}

impl crate::format::budget::Heap for Field {
    fn heap(&self) -> usize {
        self.name.capacity()
    }
}

/// Below this many non-missing values a column of all-distinct strings is still
/// considered categorical rather than an identifier.
const MIN_ROWS_FOR_ID: usize = 20;

impl Schema {
    /// Infers every column's kind, skipping the columns named in `exclude` (the
    /// target). Rules, in order:
    /// - no values at all -> `Id` (ignored);
    /// - numeric column: only 0 and 1 -> `Boolean`; named `id` or ending in `_id`
    ///   with every value distinct -> `Id`; otherwise `Numeric`;
    /// - string column: at most two levels, all boolean words -> `Boolean`;
    ///   three or more words per value on average -> `Text`; every value distinct
    ///   (20 rows or more) -> `Id`; otherwise `Categorical`.
    pub fn infer(table: &Table, exclude: &[&str]) -> Schema {
        let fields = table
            .names()
            .iter()
            .zip(table.columns())
            .filter(|(n, _)| !exclude.contains(&n.as_str()))
            .map(|(name, col)| Field {
                name: name.clone(),
                kind: infer_kind(name, col),
            })
            .collect();
        Schema { fields }
    }

    /// Applies overrides (`column -> kind`). Fails on a column the schema lacks.
    pub fn with_overrides(mut self, overrides: &[(String, Kind)]) -> Result<Schema> {
        for (name, kind) in overrides {
            match self.fields.iter_mut().find(|f| &f.name == name) {
                Some(f) => f.kind = *kind,
                None => {
                    return Err(Error::unknown_column(
                        name,
                        self.fields.iter().map(|f| f.name.as_str()),
                    ))
                }
            }
        }
        Ok(self)
    }

    /// The kind of a column, if the schema has it.
    pub fn kind_of(&self, name: &str) -> Option<Kind> {
        self.fields.iter().find(|f| f.name == name).map(|f| f.kind)
    }

    /// Names of the columns of one kind, in table order.
    pub fn names_of(&self, kind: Kind) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| f.kind == kind)
            .map(|f| f.name.as_str())
            .collect()
    }
}

fn looks_like_id_name(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    n == "id" || n.ends_with("_id") || n.ends_with(" id") || n == "uuid" || n == "guid"
}

fn infer_kind(name: &str, col: &Column) -> Kind {
    match col {
        Column::Num(v) => {
            // Branch-free folds (this runs over every value of every column).
            let (present, not01) = v.iter().fold((0usize, 0usize), |(p, n), &x| {
                let there = !x.is_nan();
                (
                    p + usize::from(there),
                    n + usize::from(there & (x != 0.0) & (x != 1.0)),
                )
            });
            let only01 = not01 == 0;
            if present == 0 {
                return Kind::Id;
            }
            if only01 {
                return Kind::Boolean;
            }
            // Whole numbers matter only for a column named like an identifier.
            let integers = || v.iter().filter(|x| !x.is_nan()).all(|x| x.fract() == 0.0);
            if looks_like_id_name(name) && integers() {
                let mut vals: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
                vals.sort_by(f64::total_cmp);
                vals.dedup();
                if vals.len() == present {
                    return Kind::Id;
                }
            }
            Kind::Numeric
        }
        Column::Str(s) => {
            let counts = s.level_counts(None);
            let present: usize = counts.iter().sum();
            let used: Vec<usize> = (0..s.levels.len()).filter(|&i| counts[i] > 0).collect();
            if present == 0 {
                return Kind::Id;
            }
            if used.len() <= 2 && used.iter().all(|&i| parse_bool(&s.levels[i]).is_some()) {
                return Kind::Boolean;
            }
            // Text: at least three words per present value. The count stops as soon
            // as it gets there (a text column's levels are nearly all its values).
            let need = present.saturating_mul(3);
            let mut words = 0usize;
            for &i in &used {
                words = words.saturating_add(counts[i] * word_count(&s.levels[i]));
                if words >= need {
                    return Kind::Text;
                }
            }
            if used.len() == present && present >= MIN_ROWS_FOR_ID {
                return Kind::Id;
            }
            Kind::Categorical
        }
    }
}

/// `text.split_whitespace().count()`, by bytes when the text is ASCII (the only
/// Unicode white space below U+0080 is tab, line feed, vertical tab, form feed,
/// carriage return and space).
fn word_count(text: &str) -> usize {
    if !text.is_ascii() {
        return text.split_whitespace().count();
    }
    let space = |b: u8| matches!(b, b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r' | b' ');
    let mut words = 0;
    let mut prev_space = true;
    for &b in text.as_bytes() {
        let sp = space(b);
        words += usize::from(prev_space && !sp);
        prev_space = sp;
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_count_matches_split_whitespace() {
        for t in [
            "",
            " ",
            "a",
            " a ",
            "a b",
            "a\tb\nc",
            "a\x0Bb\x0Cc\rd",
            "L-293496",
            "  two  words ",
            "\u{a0}nbsp\u{a0}inside",
            "отправить коммерческое предложение",
            "a\u{2003}b",
        ] {
            assert_eq!(word_count(t), t.split_whitespace().count(), "{t:?}");
        }
    }
    use crate::data::StrColumn;

    fn strs(v: &[Option<&str>]) -> Column {
        Column::Str(StrColumn::from_options(v.iter().copied()))
    }

    #[test]
    fn kinds() {
        assert_eq!(
            infer_kind("x", &Column::Num(vec![1.0, 2.5, f64::NAN])),
            Kind::Numeric
        );
        assert_eq!(
            infer_kind("x", &Column::Num(vec![1.0, 0.0, f64::NAN])),
            Kind::Boolean
        );
        assert_eq!(infer_kind("x", &Column::Num(vec![f64::NAN])), Kind::Id);
        assert_eq!(
            infer_kind("lead_id", &Column::Num(vec![1.0, 2.0, 3.0])),
            Kind::Id
        );
        assert_eq!(
            infer_kind("calls", &Column::Num(vec![1.0, 2.0, 3.0])),
            Kind::Numeric
        );
        assert_eq!(
            infer_kind("x", &strs(&[Some("yes"), Some("No"), None])),
            Kind::Boolean
        );
        assert_eq!(
            infer_kind("x", &strs(&[Some("web"), Some("phone"), Some("web")])),
            Kind::Categorical
        );
        assert_eq!(
            infer_kind(
                "x",
                &strs(&[
                    Some("call me back tomorrow please"),
                    Some("not now, thanks a lot")
                ])
            ),
            Kind::Text
        );
        let ids: Vec<String> = (0..30).map(|i| format!("L-{i}")).collect();
        let col = Column::Str(StrColumn::from_options(
            ids.iter().map(|s| Some(s.as_str())),
        ));
        assert_eq!(infer_kind("x", &col), Kind::Id);
    }
}
