//! The time split: the most recent rows are held out, as the leads of next month will
//! be. A CRM's leads drift, and k-fold, which mixes old and new rows, flatters.
//!
//! The time column may hold numbers (Unix seconds, day numbers, any increasing count)
//! or dates as text: `YYYY-MM-DD` (or with `/` or `.`), `DD.MM.YYYY`, each optionally
//! followed by a time `HH:MM[:SS[.fff]]` after a space or `T`, and a zone (`Z`, `+03:00`)
//! which is ignored (a CRM export writes one zone).

use crate::data::{Column, Table};
use crate::error::{Error, Result};

/// A time split of `n` rows: which rows train, which are held out.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeSplit {
    /// The oldest rows (and those without a time), in input order.
    pub train: Vec<usize>,
    /// The most recent rows, in input order.
    pub test: Vec<usize>,
    /// The earliest held-out time as the data writes it.
    pub test_from: String,
    /// Rows without a time (kept for training).
    pub missing: u64,
}

/// Seconds since 1970-01-01 of a date (and time) as text, `None` when it is not one of
/// the forms the module describes.
pub fn parse_time(text: &str) -> Option<f64> {
    let s = text.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = b.get(r)?;
        if part.is_empty() || !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        std::str::from_utf8(part).ok()?.parse().ok()
    };
    // The date: YYYY-MM-DD (also / and .) or DD.MM.YYYY.
    let (y, m, d, rest) = if b.len() >= 10 && matches!(b.get(4), Some(b'-' | b'/' | b'.')) {
        if b[7] != b[4] {
            return None;
        }
        (num(0..4)?, num(5..7)?, num(8..10)?, 10)
    } else if b.len() >= 10 && b.get(2) == Some(&b'.') && b.get(5) == Some(&b'.') {
        (num(6..10)?, num(3..5)?, num(0..2)?, 10)
    } else {
        return None;
    };
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let mut secs = days_from_civil(y, m, d) as f64 * 86_400.0;
    let tail = &s[rest..];
    if tail.is_empty() {
        return Some(secs);
    }
    let t = tail.strip_prefix(['T', 't', ' '])?.trim_start();
    let tb = t.as_bytes();
    let two = |i: usize| -> Option<i64> {
        let p = tb.get(i..i + 2)?;
        if !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(i64::from(p[0] - b'0') * 10 + i64::from(p[1] - b'0'))
    };
    let hh = two(0)?;
    if tb.get(2) != Some(&b':') {
        return None;
    }
    let mm = two(3)?;
    let mut i = 5;
    let mut ss = 0.0;
    if tb.get(5) == Some(&b':') {
        ss = two(6)? as f64;
        i = 8;
        if tb.get(8) == Some(&b'.') || tb.get(8) == Some(&b',') {
            let frac_end = tb[9..]
                .iter()
                .position(|c| !c.is_ascii_digit())
                .map_or(tb.len(), |k| 9 + k);
            if frac_end > 9 {
                let frac: f64 = format!("0.{}", &t[9..frac_end]).parse().ok()?;
                ss += frac;
            }
            i = frac_end;
        }
    }
    if hh > 23 || mm > 59 || ss >= 61.0 {
        return None;
    }
    // A zone: Z, or +HH[:MM] / -HH[:MM]; ignored.
    let zone = t[i..].trim();
    let zone_ok = zone.is_empty()
        || zone.eq_ignore_ascii_case("z")
        || ((zone.starts_with('+') || zone.starts_with('-'))
            && zone[1..].chars().all(|c| c.is_ascii_digit() || c == ':')
            && zone.len() <= 6);
    if !zone_ok {
        return None;
    }
    secs += (hh * 3600 + mm * 60) as f64 + ss;
    Some(secs)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Holds out the most recent `test_share` of the rows with a time in `column`; rows
/// tied with the earliest held-out time are held out too, so no moment is split
/// between the sets. Fails naming the column, and the row and text of the first cell
/// that is not a time.
pub fn time_split(table: &Table, column: &str, test_share: f64) -> Result<TimeSplit> {
    let col = table.require(column)?;
    let n = table.n_rows();
    let mut keys: Vec<Option<f64>> = Vec::with_capacity(n);
    match col {
        Column::Num(v) => keys.extend(v.iter().map(|&x| (!x.is_nan()).then_some(x))),
        Column::Str(s) => {
            let levels: Vec<Option<f64>> = s.levels.iter().map(|l| parse_time(l)).collect();
            for (i, &code) in s.codes.iter().enumerate() {
                match s.get(i) {
                    None => keys.push(None),
                    Some(text) => match levels.get(code as usize).copied().flatten() {
                        Some(t) => keys.push(Some(t)),
                        None => {
                            return Err(Error::InvalidInput(format!(
                                "time column \"{column}\", line {}: \"{}\" is not a date or a \
                                 number (use YYYY-MM-DD, DD.MM.YYYY, with an optional \
                                 HH:MM[:SS], or numbers)",
                                table.line_of(i),
                                text.chars().take(60).collect::<String>()
                            )))
                        }
                    },
                }
            }
        }
    }
    let mut timed: Vec<usize> = (0..n).filter(|&i| keys[i].is_some()).collect();
    let missing = (n - timed.len()) as u64;
    let key = |i: usize| keys[i].unwrap_or(f64::NEG_INFINITY);
    timed.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
    let want = ((timed.len() as f64) * test_share).round() as usize;
    if want == 0 || want >= timed.len() {
        return Err(Error::InvalidInput(format!(
            "time column \"{column}\": test_share {test_share} of the {} rows with a time \
             leaves no rows to {}",
            timed.len(),
            if want == 0 { "test" } else { "train on" }
        )));
    }
    // The first held-out row, moved back over rows of the same time.
    let mut start = timed.len() - want;
    while start > 0 && key(timed[start - 1]) == key(timed[start]) {
        start -= 1;
    }
    if start == 0 {
        return Err(Error::InvalidInput(format!(
            "time column \"{column}\": every row has the same time, so none is more recent"
        )));
    }
    let first = timed[start];
    let test_from = match col {
        Column::Str(s) => s.get(first).unwrap_or_default().to_owned(),
        Column::Num(v) => crate::data::format_num(v[first]),
    };
    let mut is_test = vec![false; n];
    for &i in &timed[start..] {
        is_test[i] = true;
    }
    let (mut train, mut test) = (Vec::new(), Vec::new());
    for (i, &t) in is_test.iter().enumerate() {
        if t {
            test.push(i);
        } else {
            train.push(i);
        }
    }
    Ok(TimeSplit {
        train,
        test,
        test_from,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_usual_forms() {
        let day = 86_400.0;
        assert_eq!(parse_time("1970-01-01"), Some(0.0));
        assert_eq!(parse_time("1970-01-02"), Some(day));
        assert_eq!(parse_time("2024-02-29"), Some(19_782.0 * day));
        assert_eq!(parse_time("29.02.2024"), parse_time("2024-02-29"));
        assert_eq!(parse_time("2024/02/29"), parse_time("2024-02-29"));
        assert_eq!(
            parse_time("2024-02-29T10:30:15Z"),
            Some(19_782.0 * day + 37_815.0)
        );
        assert_eq!(
            parse_time("2024-02-29 10:30"),
            Some(19_782.0 * day + 37_800.0)
        );
        assert_eq!(
            parse_time("2024-02-29 10:30:15.5+03:00"),
            Some(19_782.0 * day + 37_815.5)
        );
        for bad in [
            "",
            "2023-02-29",
            "2024-13-01",
            "2024-1-1",
            "yesterday",
            "2024-02-29x",
            "2024-02-29 25:00",
            "2024-02/29",
            "1e9",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    #[test]
    fn holds_out_the_latest_rows_without_splitting_a_day() {
        let dates = [
            "2024-01-03",
            "2024-01-01",
            "",
            "2024-01-05",
            "2024-01-02",
            "2024-01-05",
            "2024-01-04",
            "2024-01-06",
        ];
        let t = Table::from_columns(vec![(
            "created".into(),
            Column::Str(crate::data::StrColumn::from_options(
                dates.iter().map(|d| (!d.is_empty()).then_some(*d)),
            )),
        )])
        .unwrap();
        let s = time_split(&t, "created", 0.3).unwrap();
        // 7 dated rows, 2 wanted: 01-06 and one 01-05, widened to both 01-05 rows.
        assert_eq!(s.test, vec![3, 5, 7]);
        assert_eq!(s.train, vec![0, 1, 2, 4, 6]);
        assert_eq!(s.test_from, "2024-01-05");
        assert_eq!(s.missing, 1);
        let e = time_split(&t, "created", 0.01).unwrap_err().to_string();
        assert!(e.contains("no rows to test"), "{e}");
        assert!(time_split(&t, "nope", 0.2).is_err());

        let bad = Table::from_columns(vec![(
            "created".into(),
            Column::Str(crate::data::StrColumn::from_options(
                ["2024-01-01", "soon"].iter().map(|d| Some(*d)),
            )),
        )])
        .unwrap();
        let e = time_split(&bad, "created", 0.5).unwrap_err().to_string();
        assert!(e.contains("\"soon\" is not a date"), "{e}");
        assert!(e.contains("line"), "{e}");

        let nums = Table::from_columns(vec![(
            "ts".into(),
            Column::Num(vec![5.0, 1.0, 3.0, 2.0, 4.0]),
        )])
        .unwrap();
        let s = time_split(&nums, "ts", 0.4).unwrap();
        assert_eq!(s.test, vec![0, 4]);
        assert_eq!(s.test_from, "4");
    }
}
