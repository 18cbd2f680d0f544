//! A columnar table of raw data, as read from CSV, JSON Lines, a DataFrame or rows.

use super::{Column, Record, Value};
use crate::error::{Error, Result};

/// A table of named, typed columns of equal length.
///
/// Each row can remember the 1-based line of the input it came from, so errors found
/// after reading (a third target class, a non-numeric value in a numeric column) still
/// name the line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    names: Vec<String>,
    columns: Vec<Column>,
    lines: Vec<u64>,
    /// The row count (kept apart from the columns: a table of empty leads has rows
    /// and no column).
    rows: usize,
    /// What the reader noticed and decided (odd cells read as missing...).
    notes: Vec<String>,
    /// Cells the caller could not convert (row, field, why): missing in their
    /// column, and an error for a model that reads the field.
    invalid: Vec<(usize, String, String)>,
}

impl Table {
    /// An empty table with no columns.
    pub fn new() -> Self {
        Self::default()
    }

    /// A table of `rows` rows and no column yet (every value missing): what a batch
    /// of leads without fields reads as.
    pub fn with_rows(rows: usize) -> Self {
        Table {
            rows,
            ..Table::default()
        }
    }

    /// Builds a table from named columns. Fails on duplicate names or unequal lengths.
    pub fn from_columns(cols: Vec<(String, Column)>) -> Result<Self> {
        let mut t = Table::new();
        for (name, col) in cols {
            t.push_column(name, col)?;
        }
        Ok(t)
    }

    /// Adds a column. Fails on a duplicate name or a length different from the others.
    pub fn push_column(&mut self, name: impl Into<String>, col: Column) -> Result<()> {
        let name = name.into();
        if self.names.contains(&name) {
            return Err(Error::InvalidInput(format!("duplicate column \"{name}\"")));
        }
        if self.columns.is_empty() && self.lines.is_empty() && self.rows == 0 {
            self.rows = col.len();
        } else if col.len() != self.rows {
            return Err(Error::InvalidInput(format!(
                "column \"{name}\" has {} rows, the table has {}",
                col.len(),
                self.rows
            )));
        }
        self.names.push(name);
        self.columns.push(col);
        Ok(())
    }

    /// Sets the source line of each row (1-based). Fails when the length differs.
    pub fn set_lines(&mut self, lines: Vec<u64>) -> Result<()> {
        if lines.len() != self.n_rows() {
            return Err(Error::Internal(format!(
                "{} line numbers for {} rows",
                lines.len(),
                self.n_rows()
            )));
        }
        self.lines = lines;
        Ok(())
    }

    /// Rewrites every recorded source line (used when a table was read from a buffer
    /// assembled from parts of a larger file).
    pub(crate) fn map_lines(&mut self, f: impl Fn(u64) -> u64) {
        self.lines.iter_mut().for_each(|l| *l = f(*l));
    }

    /// The source line of row `i`: the recorded one, or `i + 2` (a header line plus
    /// 1-based rows) when the table did not come from a file.
    pub fn line_of(&self, i: usize) -> u64 {
        self.lines.get(i).copied().unwrap_or(i as u64 + 2)
    }

    /// What the reader noticed and decided about the data (for example, the few
    /// cells of a numeric column that are not numbers, read as missing): warnings
    /// to show the user.
    pub fn notes(&self) -> &[String] {
        &self.notes
    }

    /// Adds a note (see [`Table::notes`]).
    pub fn add_note(&mut self, note: String) {
        self.notes.push(note);
    }

    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn n_cols(&self) -> usize {
        self.columns.len()
    }

    /// Column names, in order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Columns, in order.
    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    /// The index of a column by name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// A column by name.
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.index_of(name).map(|i| &self.columns[i])
    }

    /// A column by name, or [`Error::UnknownColumn`] listing the columns present.
    pub fn require(&self, name: &str) -> Result<&Column> {
        self.column(name)
            .ok_or_else(|| Error::unknown_column(name, self.names.iter().map(String::as_str)))
    }

    /// Removes a column and returns it.
    pub fn remove_column(&mut self, name: &str) -> Option<Column> {
        let i = self.index_of(name)?;
        self.names.remove(i);
        Some(self.columns.remove(i))
    }

    /// Replaces a column's data (same length required).
    pub fn replace_column(&mut self, name: &str, col: Column) -> Result<()> {
        let i = self
            .index_of(name)
            .ok_or_else(|| Error::unknown_column(name, self.names.iter().map(String::as_str)))?;
        if col.len() != self.n_rows() {
            return Err(Error::Internal(format!(
                "replacement for \"{name}\" has {} rows, table has {}",
                col.len(),
                self.n_rows()
            )));
        }
        self.columns[i] = col;
        Ok(())
    }

    /// A new table with the given rows, in that order (line numbers kept).
    ///
    /// # Panics
    /// When a row index is out of range, as slice indexing does.
    pub fn take(&self, rows: &[usize]) -> Table {
        Table {
            names: self.names.clone(),
            columns: self.columns.iter().map(|c| c.take(rows)).collect(),
            lines: if self.lines.is_empty() {
                Vec::new()
            } else {
                rows.iter().map(|&r| self.lines[r]).collect()
            },
            rows: rows.len(),
            notes: self.notes.clone(),
            invalid: if self.invalid.is_empty() {
                Vec::new()
            } else {
                rows.iter()
                    .enumerate()
                    .flat_map(|(new, &r)| {
                        self.invalid
                            .iter()
                            .filter(move |(row, _, _)| *row == r)
                            .map(move |(_, f, m)| (new, f.clone(), m.clone()))
                    })
                    .collect()
            },
        }
    }

    /// Marks the cell of `field` in row `row` as holding a value the caller could
    /// not convert (an array, an object): it reads as missing, and a model that reads
    /// `field` fails on it, naming the row's line and the field (see
    /// [`Record::set_invalid`]).
    pub fn set_invalid(&mut self, row: usize, field: &str, message: impl Into<String>) {
        self.invalid.push((row, field.to_owned(), message.into()));
    }

    /// The first cell set invalid in a field that `reads` says is read, as the error.
    pub(crate) fn check_invalid(&self, reads: impl Fn(&str) -> bool) -> Result<()> {
        match self.invalid.iter().find(|(_, f, _)| reads(f)) {
            Some((row, field, message)) => Err(Error::parse(
                self.line_of(*row),
                Some(field),
                message.clone(),
            )),
            None => Ok(()),
        }
    }

    /// Row `i` as a raw [`Record`] (missing cells are left out).
    pub fn record(&self, i: usize) -> Record {
        let mut r = Record::new();
        for (name, col) in self.names.iter().zip(&self.columns) {
            let v = col.value(i);
            if !matches!(v, Value::Missing) {
                r.insert(name.clone(), v);
            }
        }
        r
    }

    /// Builds a table from records with the JSON Lines reader's rules: the union of
    /// their fields in order of first appearance (as each record iterates); a field
    /// whose every present value is a number or a numeric string becomes numeric;
    /// otherwise a string column, with booleans written `true`/`false` (which schema
    /// inference reads as a boolean column) and numbers in their shortest form.
    pub fn from_records(records: &[Record]) -> Table {
        let mut names: Vec<String> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for r in records {
            let mut keys: Vec<&str> = r.iter().map(|(k, _)| k).collect();
            keys.sort_unstable();
            for k in keys {
                if seen.insert(k.to_owned()) {
                    names.push(k.to_owned());
                }
            }
        }
        let mut t = Table::with_rows(records.len());
        // Each row's value is its own "level": Column::from_coded_values applies the
        // one typing rule (and interns equal texts).
        let codes: Vec<i64> = (0..records.len() as i64).collect();
        for name in names {
            let values: Vec<Value> = records
                .iter()
                .map(|r| r.get(&name).cloned().unwrap_or(Value::Missing))
                .collect();
            let col = Column::from_coded_values(&codes, &values)
                .expect("every code indexes its own row's value");
            // Names are unique by construction and lengths equal.
            t.names.push(name);
            t.columns.push(col);
        }
        for (row, r) in records.iter().enumerate() {
            for (field, message) in r.invalid_fields() {
                t.set_invalid(row, field, message);
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_cells_follow_their_rows() {
        let mut a = Record::new().with("calls", 1);
        a.set_invalid("tags", "arrays are not field values");
        let mut t = Table::from_records(&[Record::new().with("calls", 2), a]);
        t.set_lines(vec![10, 11]).unwrap();
        assert!(t.check_invalid(|f| f == "calls").is_ok());
        let e = t.check_invalid(|f| f == "tags").unwrap_err().to_string();
        assert!(e.contains("line 11") && e.contains("tags"), "{e}");
        let e = t
            .take(&[1])
            .check_invalid(|_| true)
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 11"), "{e}");
        assert!(t.take(&[0]).check_invalid(|_| true).is_ok());
    }

    #[test]
    fn from_records_types_columns_like_jsonl() {
        let rs = vec![
            Record::new()
                .with("calls", 3)
                .with("amount", "12,5")
                .with("flag", true)
                .with("city", "Kazan"),
            Record::new()
                .with("calls", "4")
                .with("amount", "x")
                .with("flag", false)
                .with("city", 7),
            Record::new().with("extra", 1),
        ];
        let t = Table::from_records(&rs);
        assert_eq!(t.n_rows(), 3);
        assert!(matches!(t.column("calls"), Some(Column::Num(v)) if v[1] == 4.0 && v[2].is_nan()));
        assert!(matches!(t.column("amount"), Some(Column::Str(_))));
        let flag = t.column("flag").unwrap();
        assert_eq!(flag.value(0), Value::Str("true".into()));
        assert_eq!(t.column("city").unwrap().value(1), Value::Str("7".into()));
        assert!(t.column("extra").is_some());
    }
}
