//! The target column: two classes turned into 0/1 labels.

use super::{format_num, parse_bool, parse_num, Column, Table};
use crate::error::{Error, Result};

/// Which column is the target and, optionally, which value is the positive class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetSpec {
    /// The target column's name.
    pub column: String,
    /// The positive class (`won`): every other non-missing value is negative. Without
    /// it the column must hold exactly two classes written as 0/1, true/false or yes/no.
    pub positive: Option<String>,
}

impl TargetSpec {
    /// A target column with the default two-class reading.
    pub fn new(column: impl Into<String>) -> Self {
        TargetSpec {
            column: column.into(),
            positive: None,
        }
    }

    /// Sets the positive class.
    pub fn with_positive(mut self, positive: impl Into<String>) -> Self {
        self.positive = Some(positive.into());
        self
    }
}

/// Labels extracted from a table: `y[i]` is 1.0 for the positive class, else 0.0.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The target column's name.
    pub column: String,
    /// 0/1 labels, one per row.
    pub y: Vec<f64>,
    /// How the positive class was written in the data.
    pub positive_label: String,
    /// How the negative class was written in the data (`"other"` with a named
    /// positive class and more than one other value).
    pub negative_label: String,
}

impl Target {
    /// Number of positive rows.
    pub fn positives(&self) -> usize {
        self.y.iter().filter(|&&v| v > 0.5).count()
    }

    /// Takes the target column out of `table` and turns it into 0/1 labels
    /// (see [`Target::read`]).
    pub fn extract(table: &mut Table, spec: &TargetSpec) -> Result<Target> {
        let t = Target::read(table, spec)?;
        table.remove_column(&spec.column);
        Ok(t)
    }

    /// Reads the target column of `table` as 0/1 labels, leaving the table as it is.
    ///
    /// Errors name the line: a missing target value, a third class, or a column with
    /// a single class.
    pub fn read(table: &Table, spec: &TargetSpec) -> Result<Target> {
        let col = table.require(&spec.column)?.clone();
        let name = spec.column.as_str();
        // Per row: the class text (None when missing).
        let text_of = |i: usize| -> Option<String> {
            match &col {
                Column::Num(v) => (!v[i].is_nan()).then(|| format_num(v[i])),
                Column::Str(s) => s.get(i).map(|x| x.trim().to_owned()),
            }
        };
        let n = col.len();
        let mut y = Vec::with_capacity(n);
        let (pos_label, neg_label);
        if let Some(pos) = &spec.positive {
            let pos = pos.trim();
            let mut negs: Vec<String> = Vec::new();
            let mut any_pos = false;
            for i in 0..n {
                let t = text_of(i).ok_or_else(|| {
                    Error::parse(table.line_of(i), Some(name), "the target value is missing")
                })?;
                let is_pos = t == pos
                    || (matches!(col, Column::Num(_))
                        && parse_num(pos, false) == parse_num(&t, false)
                        && parse_num(pos, false).is_some());
                if is_pos {
                    any_pos = true;
                    y.push(1.0);
                } else {
                    if negs.len() < 2 && !negs.contains(&t) {
                        negs.push(t);
                    }
                    y.push(0.0);
                }
            }
            if !any_pos {
                return Err(Error::InvalidInput(format!(
                    "target \"{name}\": the positive class \"{pos}\" never occurs"
                )));
            }
            if negs.is_empty() {
                return Err(Error::InvalidInput(format!(
                    "target \"{name}\" has a single class \"{pos}\"; it needs positives and negatives"
                )));
            }
            pos_label = pos.to_owned();
            neg_label = if negs.len() == 1 {
                negs.remove(0)
            } else {
                "other".to_owned()
            };
        } else {
            // Classes in order of first appearance, with their first line.
            let mut classes: Vec<(String, bool)> = Vec::new();
            for i in 0..n {
                let t = text_of(i).ok_or_else(|| {
                    Error::parse(table.line_of(i), Some(name), "the target value is missing")
                })?;
                let cls = class_of(&t).ok_or_else(|| {
                    Error::parse(
                        table.line_of(i),
                        Some(name),
                        format!(
                            "target value \"{t}\" is not 0/1, true/false or yes/no; name the positive class (--positive)"
                        ),
                    )
                })?;
                if !classes.iter().any(|(c, _)| *c == t) {
                    if classes.len() == 2 {
                        return Err(Error::parse(
                            table.line_of(i),
                            Some(name),
                            format!(
                                "a third target class \"{t}\" after \"{}\" and \"{}\"; name the positive class (--positive)",
                                classes[0].0, classes[1].0
                            ),
                        ));
                    }
                    if classes.iter().any(|(_, c)| *c == cls) {
                        return Err(Error::parse(
                            table.line_of(i),
                            Some(name),
                            format!(
                                "target value \"{t}\" means the same class as \"{}\"; write each class one way",
                                classes.iter().find(|(_, c)| *c == cls).map_or("", |x| x.0.as_str())
                            ),
                        ));
                    }
                    classes.push((t.clone(), cls));
                }
                y.push(if cls { 1.0 } else { 0.0 });
            }
            match classes.as_slice() {
                [] => {
                    return Err(Error::InvalidInput(format!(
                        "target \"{name}\": the table has no rows"
                    )))
                }
                [(only, _)] => {
                    return Err(Error::InvalidInput(format!(
                        "target \"{name}\" has a single class \"{only}\"; it needs positives and negatives"
                    )))
                }
                _ => {}
            }
            pos_label = classes
                .iter()
                .find(|c| c.1)
                .map(|c| c.0.clone())
                .unwrap_or_default();
            neg_label = classes
                .iter()
                .find(|c| !c.1)
                .map(|c| c.0.clone())
                .unwrap_or_default();
        }
        Ok(Target {
            column: name.to_owned(),
            y,
            positive_label: pos_label,
            negative_label: neg_label,
        })
    }
}

/// Reads a class word: 1/0 (any numeric form), true/false, yes/no.
fn class_of(t: &str) -> Option<bool> {
    if let Some(x) = parse_num(t, false) {
        return if x == 1.0 {
            Some(true)
        } else if x == 0.0 {
            Some(false)
        } else {
            None
        };
    }
    parse_bool(t)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::StrColumn;

    fn table(vals: &[Option<&str>]) -> Table {
        Table::from_columns(vec![(
            "won".into(),
            Column::Str(StrColumn::from_options(vals.iter().copied())),
        )])
        .unwrap()
    }

    #[test]
    fn two_classes() {
        let mut t = table(&[Some("yes"), Some("no"), Some("yes")]);
        let tg = Target::extract(&mut t, &TargetSpec::new("won")).unwrap();
        assert_eq!(tg.y, vec![1.0, 0.0, 1.0]);
        assert_eq!(t.n_cols(), 0);
    }

    #[test]
    fn third_class_names_line() {
        let mut t = table(&[Some("1"), Some("0"), Some("2")]);
        let e = Target::extract(&mut t, &TargetSpec::new("won")).unwrap_err();
        assert!(e.to_string().contains("line 4"), "{e}");
    }

    #[test]
    fn single_class_and_positive() {
        let mut t = table(&[Some("1"), Some("1")]);
        assert!(Target::extract(&mut t, &TargetSpec::new("won"))
            .unwrap_err()
            .to_string()
            .contains("single class"));
        let mut t = table(&[Some("won"), Some("lost"), Some("open")]);
        let tg = Target::extract(&mut t, &TargetSpec::new("won").with_positive("won")).unwrap();
        assert_eq!(tg.y, vec![1.0, 0.0, 0.0]);
        assert_eq!(tg.negative_label, "other");
    }

    #[test]
    fn missing_target_names_line() {
        let mut t = table(&[Some("1"), None]);
        let e = Target::extract(&mut t, &TargetSpec::new("won")).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
