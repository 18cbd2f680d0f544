//! Typed column storage: numbers as `f64` (NaN = missing), strings dictionary-encoded.

/// The code of a missing cell in a [`StrColumn`].
pub const MISSING_CODE: u32 = u32::MAX;

/// A dictionary-encoded string column: each row holds an index into `levels`, or
/// [`MISSING_CODE`]. Levels appear in order of first occurrence (from
/// [`Column::from_coded_values`], in the order given).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StrColumn {
    /// Per-row level index, or [`MISSING_CODE`].
    pub codes: Vec<u32>,
    /// The distinct strings.
    pub levels: Vec<String>,
}

impl StrColumn {
    /// How many rows hold each level: of every row, or of `rows` only. Four
    /// interleaved histograms, so that a run of one level (common in a categorical
    /// column) does not chain every increment on the last one.
    pub(crate) fn level_counts(&self, rows: Option<&[usize]>) -> Vec<usize> {
        let nl = self.levels.len();
        let mut hist = vec![0usize; 4 * nl];
        let mut add = |k: usize, c: u32| {
            let c = c as usize;
            if let Some(n) = hist.get_mut(k * nl + c).filter(|_| c < nl) {
                *n += 1;
            }
        };
        match rows {
            None => {
                let mut chunks = self.codes.chunks_exact(4);
                for q in &mut chunks {
                    for (k, &c) in q.iter().enumerate() {
                        add(k, c);
                    }
                }
                for &c in chunks.remainder() {
                    add(0, c);
                }
            }
            Some(rows) => {
                let code = |r: usize| self.codes.get(r).copied().unwrap_or(MISSING_CODE);
                let mut chunks = rows.chunks_exact(4);
                for q in &mut chunks {
                    for (k, &r) in q.iter().enumerate() {
                        add(k, code(r));
                    }
                }
                for &r in chunks.remainder() {
                    add(0, code(r));
                }
            }
        }
        (0..nl)
            .map(|i| (hist[i] + hist[nl + i]) + (hist[2 * nl + i] + hist[3 * nl + i]))
            .collect()
    }

    /// The string of row `i`, or `None` when missing (or out of range).
    pub fn get(&self, i: usize) -> Option<&str> {
        match self.codes.get(i) {
            Some(&c) if c != MISSING_CODE => self.levels.get(c as usize).map(String::as_str),
            _ => None,
        }
    }

    /// A column from codes into levels, as a binding's dictionary-encoded input
    /// gives it (row `i` holds `levels[codes[i]]`, or is missing for
    /// [`MISSING_CODE`]). A code past the levels is an error; a blank level (empty or
    /// whitespace) is missing, as a blank string field is for a record.
    pub fn from_codes(mut codes: Vec<u32>, levels: Vec<String>) -> crate::error::Result<StrColumn> {
        let n = levels.len();
        if let Some((i, c)) = codes
            .iter()
            .enumerate()
            .find(|(_, &c)| c != MISSING_CODE && c as usize >= n)
        {
            return Err(crate::error::Error::InvalidInput(format!(
                "codes[{i}] = {c} is not an index into the {n} levels (0xFFFFFFFF marks a missing value)"
            )));
        }
        let blank: Vec<bool> = levels.iter().map(|l| l.trim().is_empty()).collect();
        if blank.iter().any(|&b| b) {
            for c in &mut codes {
                if *c != MISSING_CODE && blank[*c as usize] {
                    *c = MISSING_CODE;
                }
            }
        }
        Ok(StrColumn { codes, levels })
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

    /// Builds a column from dictionary codes and their distinct raw values, the shape a
    /// DataFrame's categorical or factorized column has (`pandas.factorize`,
    /// `Categorical.codes`, a JavaScript array interned once). A negative code is a
    /// missing cell. The typing is the JSON Lines reader's (and
    /// [`crate::Table::from_records`] is built on this function): when every
    /// present value is a number or a numeric string the column is numeric; otherwise
    /// it holds strings (trimmed, blank = missing, booleans as `true`/`false`, numbers
    /// in their shortest form). Levels nothing refers to are dropped and the rest kept
    /// in the order of `levels` (a factorisation's is first use, so the result equals
    /// the column the same values give through `from_records`). Fails on a code past
    /// the end of `levels`.
    ///
    /// ```
    /// use leadscore::{Column, Value};
    /// let c = Column::from_coded_values(&[1, -1, 0, 1], &["7".into(), Value::Num(2.5)])?;
    /// assert_eq!(c.value(0), Value::Num(2.5));
    /// assert!(c.is_missing(1));
    /// assert_eq!(c.value(2), Value::Num(7.0));
    /// let s = Column::from_coded_values(&[0, 1, 2], &[Value::Bool(true), " a ".into(), Value::Num(1.0)])?;
    /// assert_eq!(s.value(0), Value::Str("true".into()));
    /// assert_eq!(s.value(1), Value::Str("a".into()));
    /// assert_eq!(s.value(2), Value::Str("1".into()));
    /// # Ok::<(), leadscore::Error>(())
    /// ```
    pub fn from_coded_values(
        codes: &[i64],
        levels: &[crate::data::Value],
    ) -> crate::error::Result<Column> {
        use crate::data::Value;
        // The codes' range first (a fold that vectorises), then which levels occur
        // (stores only; a missing code, -1, lands in the extra last slot).
        let max = codes.iter().fold(-1i64, |m, &c| m.max(c));
        if max >= levels.len() as i64 {
            return Err(crate::error::Error::InvalidInput(format!(
                "code {max} is past the {} distinct values",
                levels.len()
            )));
        }
        let n = levels.len();
        let mut used = vec![false; n + 1];
        for &c in codes {
            if let Some(u) = used.get_mut(if c < 0 { n } else { c as usize }) {
                *u = true;
            }
        }
        used.truncate(n);
        let num_of = |v: &Value| -> Option<Option<f64>> {
            match v {
                Value::Missing => Some(None),
                Value::Num(x) => Some((!x.is_nan()).then_some(*x)),
                Value::Str(s) if s.trim().is_empty() => Some(None),
                Value::Str(s) => super::parse_num(s, false).map(Some),
                Value::Bool(_) => None,
            }
        };
        let nums: Option<Vec<Option<f64>>> = levels
            .iter()
            .zip(&used)
            .map(|(v, &u)| if u { num_of(v) } else { Some(None) })
            .collect();
        if let Some(nums) = nums {
            if nums.iter().any(Option::is_some) {
                return Ok(Column::Num(
                    codes
                        .iter()
                        .map(|&c| {
                            if c < 0 {
                                f64::NAN
                            } else {
                                nums[c as usize].unwrap_or(f64::NAN)
                            }
                        })
                        .collect(),
                ));
            }
        }
        let texts: Vec<Option<String>> = levels
            .iter()
            .map(|v| match v {
                Value::Str(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
                Value::Num(x) if !x.is_nan() => Some(super::format_num(*x)),
                Value::Bool(b) => Some(b.to_string()),
                _ => None,
            })
            .collect();
        // Distinct raw values can share a text (1 and "1"): intern the used levels'
        // texts in the order of `levels` (a factorisation's is first use), then map
        // every code at once.
        let mut index = std::collections::HashMap::<&str, u32>::new();
        // Each level's code in the column; the last slot is for missing values.
        let mut remap = vec![MISSING_CODE; n + 1];
        let mut col = StrColumn::default();
        for c in (0..n).filter(|&c| used[c]) {
            if let Some(t) = texts[c].as_deref() {
                remap[c] = *index.entry(t).or_insert_with(|| {
                    col.levels.push(t.to_owned());
                    (col.levels.len() - 1) as u32
                });
            }
        }
        col.codes = codes
            .iter()
            .map(|&c| {
                remap
                    .get(if c < 0 { n } else { c as usize })
                    .copied()
                    .unwrap_or(MISSING_CODE)
            })
            .collect();
        Ok(Column::Str(col))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::{Record, Table, Value};

    #[test]
    fn dictionary_codes_check_their_range_and_blank_levels_are_missing() {
        let c = StrColumn::from_codes(
            vec![0, 1, MISSING_CODE, 2],
            vec!["web".into(), "  ".into(), "".into()],
        )
        .unwrap();
        assert_eq!(c.codes, vec![0, MISSING_CODE, MISSING_CODE, MISSING_CODE]);
        assert_eq!(c.get(0), Some("web"));
        let e = StrColumn::from_codes(vec![0, 5], vec!["a".into()]).unwrap_err();
        assert!(e.to_string().contains("codes[1] = 5"), "{e}");
    }

    fn same(a: &Column, b: &Column) -> bool {
        (0..a.len().max(b.len())).all(|i| {
            a.len() == b.len()
                && a.is_missing(i) == b.is_missing(i)
                && (a.is_missing(i) || a.value(i) == b.value(i))
        }) && std::mem::discriminant(a) == std::mem::discriminant(b)
    }

    #[test]
    fn coded_values_type_like_from_records() {
        let cases: Vec<Vec<Value>> = vec![
            vec![
                Value::Num(1.0),
                Value::Str("2,5".into()),
                Value::Missing,
                Value::Str("3".into()),
            ],
            vec![
                Value::Num(1.0),
                Value::Str("x".into()),
                Value::Bool(false),
                Value::Str(" ".into()),
            ],
            vec![
                Value::Bool(true),
                Value::Bool(false),
                Value::Missing,
                Value::Bool(true),
            ],
            vec![
                Value::Str("b".into()),
                Value::Str(" a".into()),
                Value::Str("b".into()),
                Value::Num(f64::NAN),
            ],
            vec![
                Value::Num(1.0),
                Value::Str("1".into()),
                Value::Str("z".into()),
                Value::Missing,
            ],
        ];
        for rows in cases {
            let records: Vec<Record> = rows
                .iter()
                .map(|v| Record::new().with("f", v.clone()))
                .collect();
            let want = Table::from_records(&records);
            let want = want.column("f").unwrap();
            // Factorize: distinct values by first use (NaN and Missing as -1).
            let mut levels: Vec<Value> = Vec::new();
            let codes: Vec<i64> = rows
                .iter()
                .map(|v| {
                    if matches!(v, Value::Missing) || matches!(v, Value::Num(x) if x.is_nan()) {
                        return -1;
                    }
                    match levels.iter().position(|l| l == v) {
                        Some(p) => p as i64,
                        None => {
                            levels.push(v.clone());
                            (levels.len() - 1) as i64
                        }
                    }
                })
                .collect();
            let got = Column::from_coded_values(&codes, &levels).unwrap();
            assert!(same(&got, want), "{rows:?}: {got:?} vs {want:?}");
        }
        // Unused levels do not count, and a code out of range is an error.
        let c = Column::from_coded_values(&[0, 0], &["a".into(), "b".into(), "c".into()]).unwrap();
        assert!(matches!(&c, Column::Str(s) if s.levels == vec!["a".to_owned()]));
        assert!(Column::from_coded_values(&[3], &["a".into()]).is_err());
    }
}
