//! Typed column storage: numbers as `f64` (NaN = missing), strings dictionary-encoded.

/// The code of a missing cell in a [`StrColumn`].
pub const MISSING_CODE: u32 = u32::MAX;

/// A dictionary-encoded string column: each row holds an index into `levels`, or
/// [`MISSING_CODE`]. Levels appear in order of first occurrence.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrColumn {
    /// Per-row level index, or [`MISSING_CODE`].
    pub codes: Vec<u32>,
    /// The distinct strings.
    pub levels: Vec<String>,
}

impl StrColumn {
    /// The string of row `i`, or `None` when missing (or out of range).
    pub fn get(&self, i: usize) -> Option<&str> {
        match self.codes.get(i) {
            Some(&c) if c != MISSING_CODE => self.levels.get(c as usize).map(String::as_str),
            _ => None,
        }
    }

    /// Builds a column from optional strings, interning each distinct value once.
    pub fn from_options<'a, I>(values: I) -> Self
    where
        I: IntoIterator<Item = Option<&'a str>>,
    {
        let mut index = std::collections::HashMap::<String, u32>::new();
        let mut col = StrColumn::default();
        for v in values {
            let code = match v {
                None => MISSING_CODE,
                Some(s) => match index.get(s) {
                    Some(&c) => c,
                    None => {
                        let c = col.levels.len() as u32;
                        index.insert(s.to_owned(), c);
                        col.levels.push(s.to_owned());
                        c
                    }
                },
            };
            col.codes.push(code);
        }
        col
    }

    /// Number of missing cells.
    pub fn missing_count(&self) -> usize {
        self.codes.iter().filter(|&&c| c == MISSING_CODE).count()
    }
}

/// One column of a [`crate::data::Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Column {
    /// Numbers; NaN marks a missing cell.
    Num(Vec<f64>),
    /// Strings, dictionary-encoded.
    Str(StrColumn),
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Num(v) => v.len(),
            Column::Str(s) => s.codes.len(),
        }
    }

    /// True when the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of missing cells.
    pub fn missing_count(&self) -> usize {
        match self {
            Column::Num(v) => v.iter().filter(|x| x.is_nan()).count(),
            Column::Str(s) => s.missing_count(),
        }
    }

    /// Whether row `i` is missing.
    pub fn is_missing(&self, i: usize) -> bool {
        match self {
            Column::Num(v) => v.get(i).is_none_or(|x| x.is_nan()),
            Column::Str(s) => s.get(i).is_none(),
        }
    }

    /// The raw value of row `i` (missing when out of range).
    pub fn value(&self, i: usize) -> crate::data::Value {
        use crate::data::Value;
        match self {
            Column::Num(v) => match v.get(i) {
                Some(x) if !x.is_nan() => Value::Num(*x),
                _ => Value::Missing,
            },
            Column::Str(s) => s
                .get(i)
                .map_or(Value::Missing, |x| Value::Str(x.to_owned())),
        }
    }

    /// A new column holding the given rows, in that order. A string column keeps only
    /// the levels those rows use (so taking a tenant's rows out of a large export does
    /// not copy every other tenant's identifiers).
    pub fn take(&self, rows: &[usize]) -> Column {
        match self {
            Column::Num(v) => Column::Num(rows.iter().map(|&r| v[r]).collect()),
            Column::Str(s) => {
                let mut remap: std::collections::HashMap<u32, u32, foldhash::fast::RandomState> =
                    Default::default();
                let mut levels = Vec::new();
                let codes = rows
                    .iter()
                    .map(|&r| {
                        let c = s.codes[r];
                        if c == MISSING_CODE {
                            return MISSING_CODE;
                        }
                        *remap.entry(c).or_insert_with(|| {
                            levels.push(s.levels.get(c as usize).cloned().unwrap_or_default());
                            (levels.len() - 1) as u32
                        })
                    })
                    .collect();
                Column::Str(StrColumn { codes, levels })
            }
        }
    }
}
