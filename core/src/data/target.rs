//! The target column: two classes turned into 0/1 labels.

use super::{format_num, parse_bool, parse_num, Column, Table, MISSING_CODE};
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
    /// a single class. Each distinct value is classified once; rows then cost an
    /// integer lookup.
    pub fn read(table: &Table, spec: &TargetSpec) -> Result<Target> {
        let col = table.require(&spec.column)?;
        let name = spec.column.as_str();
        let (codes, texts) = coded(col);
        let n = codes.len();
        let missing_at =
            |i: usize| Error::parse(table.line_of(i), Some(name), "the target value is missing");
        let mut y = Vec::with_capacity(n);
        let (pos_label, neg_label);
        if let Some(pos) = &spec.positive {
            let pos = pos.trim();
            let pos_num = parse_num(pos, false);
            let is_pos: Vec<bool> = texts
                .iter()
                .map(|t| {
                    t == pos
                        || (matches!(col, Column::Num(_))
                            && pos_num.is_some()
                            && parse_num(t, false) == pos_num)
                })
                .collect();
            let mut negs: Vec<u32> = Vec::new();
            let mut any_pos = false;
            for (i, &c) in codes.iter().enumerate() {
                let Some(&p) = is_pos.get(c as usize) else {
                    return Err(missing_at(i));
                };
                if p {
                    any_pos = true;
                } else if negs.len() < 2 && !negs.contains(&c) {
                    negs.push(c);
                }
                y.push(if p { 1.0 } else { 0.0 });
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
                texts[negs[0] as usize].clone()
            } else {
                "other".to_owned()
            };
        } else {
            let class: Vec<Option<bool>> = texts.iter().map(|t| class_of(t)).collect();
            // Levels seen so far (at most two), in order of first appearance.
            let mut seen: Vec<u32> = Vec::with_capacity(2);
            for (i, &c) in codes.iter().enumerate() {
                let Some(&cls) = class.get(c as usize) else {
                    return Err(missing_at(i));
                };
                if !seen.contains(&c) {
                    let t = &texts[c as usize];
                    let cls = cls.ok_or_else(|| {
                        Error::parse(
                            table.line_of(i),
                            Some(name),
                            format!("target value \"{t}\" is not 0/1, true/false or yes/no; name the positive class (option `positive`; `--positive` on the command line)"),
                        )
                    })?;
                    if seen.len() == 2 {
                        return Err(Error::parse(
                            table.line_of(i),
                            Some(name),
                            format!(
                                "a third target class \"{t}\" after \"{}\" and \"{}\"; name the positive class (option `positive`; `--positive` on the command line)",
                                texts[seen[0] as usize], texts[seen[1] as usize]
                            ),
                        ));
                    }
                    if let Some(&other) = seen.iter().find(|&&o| class[o as usize] == Some(cls)) {
                        return Err(Error::parse(
                            table.line_of(i),
                            Some(name),
                            format!(
                                "target value \"{t}\" means the same class as \"{}\"; write each class one way",
                                texts[other as usize]
                            ),
                        ));
                    }
                    seen.push(c);
                }
                y.push(if cls == Some(true) { 1.0 } else { 0.0 });
            }
            match seen.as_slice() {
                [] => {
                    return Err(Error::InvalidInput(format!(
                        "target \"{name}\": the table has no rows"
                    )))
                }
                [only] => {
                    return Err(Error::InvalidInput(format!(
                    "target \"{name}\" has a single class \"{}\"; it needs positives and negatives",
                    texts[*only as usize]
                )))
                }
                _ => {}
            }
            let text_of = |want: bool| {
                seen.iter()
                    .find(|&&c| class[c as usize] == Some(want))
                    .map(|&c| texts[c as usize].clone())
                    .unwrap_or_default()
            };
            pos_label = text_of(true);
            neg_label = text_of(false);
        }
        Ok(Target {
            column: name.to_owned(),
            y,
            positive_label: pos_label,
            negative_label: neg_label,
        })
    }
}

/// The column as codes into its distinct texts (numbers in their shortest form,
/// strings trimmed); [`MISSING_CODE`] for missing cells.
fn coded(col: &Column) -> (Vec<u32>, Vec<String>) {
    match col {
        Column::Num(v) => {
            // The common case, every value 0 or 1: codes by comparison with the first
            // value, without a branch per row (random labels mispredict half the time).
            let binary = v.iter().fold(true, |ok, &x| ok & ((x == 0.0) | (x == 1.0)));
            if let (true, Some(&first)) = (binary, v.first()) {
                let codes = v.iter().map(|&x| u32::from(x != first)).collect();
                let texts = vec![format_num(first + 0.0), format_num(1.0 - first)];
                return (codes, texts);
            }
            // Targets hold a handful of distinct values: a short list beats hashing
            // every row; many distinct values (a wrong column) go to a map.
            let mut small: Vec<(u64, u32)> = Vec::new();
            let mut index: std::collections::HashMap<u64, u32, foldhash::fast::RandomState> =
                Default::default();
            let mut texts = Vec::new();
            let mut code_of = |x: f64| -> u32 {
                let bits = (x + 0.0).to_bits();
                if let Some(&(_, c)) = small.iter().find(|(b, _)| *b == bits) {
                    return c;
                }
                if let Some(&c) = index.get(&bits) {
                    return c;
                }
                let c = texts.len() as u32;
                texts.push(format_num(x));
                if small.len() < 8 {
                    small.push((bits, c));
                } else {
                    index.insert(bits, c);
                }
                c
            };
            let codes = v
                .iter()
                .map(|&x| if x.is_nan() { MISSING_CODE } else { code_of(x) })
                .collect();
            (codes, texts)
        }
        Column::Str(s) => (
            s.codes.clone(),
            s.levels.iter().map(|l| l.trim().to_owned()).collect(),
        ),
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

    /// Numeric 0/1 targets (coded without a branch per row) read as their text
    /// forms do: labels, classes, a single class, a missing value, a positive class.
    #[test]
    fn numeric_zero_one_targets() {
        let num = |vals: &[f64]| {
            Table::from_columns(vec![("won".into(), Column::Num(vals.to_vec()))]).unwrap()
        };
        let t = num(&[1.0, 0.0, -0.0, 1.0]);
        let tg = Target::read(&t, &TargetSpec::new("won")).unwrap();
        assert_eq!(tg.y, vec![1.0, 0.0, 0.0, 1.0]);
        assert_eq!(
            (tg.positive_label.as_str(), tg.negative_label.as_str()),
            ("1", "0")
        );
        let t = num(&[-0.0, 1.0]);
        let tg = Target::read(&t, &TargetSpec::new("won")).unwrap();
        assert_eq!(tg.y, vec![0.0, 1.0]);
        assert_eq!(tg.negative_label, "0");
        let tg = Target::read(&t, &TargetSpec::new("won").with_positive("0")).unwrap();
        assert_eq!(tg.y, vec![1.0, 0.0]);
        let e = Target::read(&num(&[0.0, 0.0]), &TargetSpec::new("won")).unwrap_err();
        assert!(e.to_string().contains("single class \"0\""), "{e}");
        let e = Target::read(&num(&[0.0, f64::NAN]), &TargetSpec::new("won")).unwrap_err();
        assert!(e.to_string().contains("missing"), "{e}");
        let e = Target::read(&num(&[1.0, 0.0, 2.0]), &TargetSpec::new("won")).unwrap_err();
        assert!(e.to_string().contains("\"2\" is not 0/1"), "{e}");
    }

    #[test]
    fn missing_target_names_line() {
        let mut t = table(&[Some("1"), None]);
        let e = Target::extract(&mut t, &TargetSpec::new("won")).unwrap_err();
        assert!(e.to_string().contains("line 3"), "{e}");
    }
}
