//! The readable form of [`Insights`]: a table of every column, the warnings, then
//! the histograms, levels and tokens of the strongest columns.

use super::{BinEdges, ClassCounts, ColumnInsights, Insights};
use std::fmt::Write;

/// Columns whose histogram, levels or tokens the text shows.
const DETAILED: usize = 5;
/// Text columns whose tokens are shown besides (they have no strength to rank by).
const DETAILED_TEXT: usize = 3;
/// Tokens shown per text column.
const TOKENS_SHOWN: usize = 10;
/// Widest column name in the table (longer names are cut).
const NAME_WIDTH: usize = 28;

impl Insights {
    /// A readable report: the rows and target, one line per column (name, kind,
    /// missing %, distinct values, ROC AUC with its direction, Pearson, Kendall
    /// tau-b, mutual information, warnings), every warning with its message, then the
    /// histogram or top levels of the strongest columns and the tokens of text
    /// columns.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        // Writing into a String cannot fail.
        let _ = self.write_text(&mut o);
        o
    }

    fn write_text(&self, o: &mut String) -> std::fmt::Result {
        let s = &self.summary;
        writeln!(
            o,
            "{} rows, {} positive ({:.1} %); target \"{}\" (positive \"{}\", negative \"{}\"); {} input columns",
            s.rows,
            s.positives,
            100.0 * s.positive_rate,
            s.target,
            s.positive_label,
            s.negative_label,
            s.columns
        )?;
        writeln!(o)?;
        let w = self
            .columns
            .iter()
            .map(|c| c.name.chars().count())
            .max()
            .unwrap_or(6)
            .clamp(6, NAME_WIDTH);
        writeln!(
            o,
            "{:<w$}  {:<11} {:>8} {:>9} {:>11} {:>8} {:>8} {:>8}  warnings",
            "column", "kind", "missing", "distinct", "AUC (dir)", "pearson", "kendall", "MI bits"
        )?;
        for c in &self.columns {
            let a = c.association.as_ref();
            let auc = match a.and_then(|a| a.roc_auc.map(|x| (x, a.higher_is_positive))) {
                Some((x, up)) => format!("{:.3} ({})", x.max(1.0 - x), if up { '+' } else { '-' }),
                None => "-".into(),
            };
            let signed = |x: Option<f64>| x.map_or("-".into(), |x| format!("{x:+.3}"));
            let line = format!(
                "{:<w$}  {:<11} {:>7.1}% {:>9} {:>11} {:>8} {:>8} {:>8}  {}",
                cut(&c.name, w),
                c.kind.as_str(),
                100.0 * c.missing_share,
                c.distinct,
                auc,
                signed(a.and_then(|a| a.pearson)),
                signed(a.and_then(|a| a.kendall_tau_b)),
                a.and_then(|a| a.mutual_information)
                    .map_or("-".into(), |x| format!("{x:.4}")),
                c.warnings
                    .iter()
                    .map(|w| w.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            writeln!(o, "{}", line.trim_end())?;
        }
        writeln!(o)?;
        writeln!(
            o,
            "AUC: the column alone as a score, shown as max(AUC, 1 - AUC); (+) higher values mean more positives, (-) fewer. Categories are scored by each level's positive rate (optimistic)."
        )?;
        if self.warnings.is_empty() {
            writeln!(o, "\nno warnings")?;
        } else {
            writeln!(o, "\nwarnings ({}):", self.warnings.len())?;
            for wn in &self.warnings {
                writeln!(o, "  {}: {}: {}", wn.column, wn.code.as_str(), wn.message)?;
            }
        }
        let detailed = self
            .columns
            .iter()
            .filter(|c| c.numeric.is_some() || c.levels.is_some())
            .take(DETAILED)
            .chain(
                self.columns
                    .iter()
                    .filter(|c| c.tokens.is_some())
                    .take(DETAILED_TEXT),
            );
        for c in detailed {
            writeln!(o)?;
            write_detail(o, c)?;
        }
        Ok(())
    }
}

/// The histogram, levels or tokens of one column.
fn write_detail(o: &mut String, c: &ColumnInsights) -> std::fmt::Result {
    let row = |o: &mut String, label: &str, k: &ClassCounts| {
        let rate = k.positive_rate.unwrap_or(0.0);
        writeln!(
            o,
            "  {:<24} {:>9} {:>9} {:>9} {:>7.1}%  {}",
            cut(label, 24),
            k.count,
            k.negatives,
            k.positives,
            100.0 * rate,
            "#".repeat((rate * 20.0).round() as usize)
        )
    };
    let header = |o: &mut String, first: &str| {
        writeln!(
            o,
            "  {:<24} {:>9} {:>9} {:>9} {:>8}",
            first, "rows", "negative", "positive", "rate"
        )
    };
    if let Some(l) = &c.levels {
        writeln!(o, "{} ({}): top levels", c.name, c.kind.as_str())?;
        header(o, "level")?;
        for lv in &l.top {
            row(o, &lv.level, &lv.counts)?;
        }
        if l.other.count > 0 {
            row(o, &format!("other ({} levels)", l.other_levels), &l.other)?;
        }
        if l.missing.count > 0 {
            row(o, "missing", &l.missing)?;
        }
    } else if let Some(n) = &c.numeric {
        let q = |p: f64| {
            n.quantiles
                .iter()
                .find(|x| x.q == p)
                .map_or("-".into(), |x| num(x.value))
        };
        writeln!(
            o,
            "{} ({}): min {}  25% {}  median {}  75% {}  max {}  mean {}  std {}",
            c.name,
            c.kind.as_str(),
            num(n.min),
            q(0.25),
            q(0.5),
            q(0.75),
            num(n.max),
            num(n.mean),
            num(n.std)
        )?;
        let h = &n.histogram;
        header(
            o,
            match h.edges {
                BinEdges::Values => "value",
                BinEdges::Quantiles => "bin (quantiles)",
            },
        )?;
        let last = h.bins.len().saturating_sub(1);
        for (i, b) in h.bins.iter().enumerate() {
            let label = if b.lower == b.upper {
                num(b.lower)
            } else {
                format!(
                    "[{}, {}{}",
                    num(b.lower),
                    num(b.upper),
                    if i == last { ']' } else { ')' }
                )
            };
            row(o, &label, &b.counts)?;
        }
        if h.missing.count > 0 {
            row(o, "missing", &h.missing)?;
        }
    } else if let Some(t) = &c.tokens {
        writeln!(
            o,
            "{} (text): {} texts, {} distinct tokens; the most frequent",
            c.name, t.documents, t.distinct
        )?;
        header(o, "token")?;
        for tok in t.top.iter().take(TOKENS_SHOWN) {
            row(o, &tok.token, &tok.counts)?;
        }
    }
    Ok(())
}

/// `s` cut to `w` characters (the last one an ellipsis when cut).
fn cut(s: &str, w: usize) -> String {
    if s.chars().count() <= w {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(w.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A number in at most about 5 significant digits.
fn num(x: f64) -> String {
    if !x.is_finite() {
        return format!("{x}");
    }
    if x.fract() == 0.0 && x.abs() < 1e9 {
        return format!("{}", x as i64);
    }
    let a = x.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{x:.3e}");
    }
    let decimals = (4 - a.log10().floor() as i32).clamp(0, 6) as usize;
    let s = format!("{x:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}
