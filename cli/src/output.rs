//! Human-readable output.

use leadscore::eval::{Evaluation, Metrics};
use leadscore::{Model, Reason, Value};
use std::io::{self, Write};
use std::path::Path;

/// A metric with three decimals, or `-` when undefined.
pub fn fmt_metric(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.3}")
    } else {
        "-".into()
    }
}

/// Prints metrics beside the random baseline, with how the held-out rows were chosen
/// and the threshold policy's cut when the evaluation is known.
pub fn print_metrics(w: &mut impl Write, m: &Metrics, e: Option<&Evaluation>) -> io::Result<()> {
    match e.filter(|e| e.split == "time") {
        Some(e) => writeln!(
            w,
            "time split on {}: fitted on the {} oldest rows, tested on the {} most recent \
             (from {}), {} positives ({:.1} %){}",
            e.time_column.as_deref().unwrap_or("?"),
            e.train_rows,
            m.rows,
            printable(e.test_from.as_deref().unwrap_or("?"), false),
            m.positives,
            100.0 * m.positive_rate,
            if e.time_missing > 0 {
                format!("; {} rows without a time trained", e.time_missing)
            } else {
                String::new()
            }
        )?,
        None => writeln!(
            w,
            "{}-fold cross-validation on {} rows, {} positives ({:.1} %)",
            m.cv_folds,
            m.rows,
            m.positives,
            100.0 * m.positive_rate
        )?,
    }
    writeln!(
        w,
        "{:<12} {:>8} {:>8} {:>8}",
        "metric", "model", "random", "lift"
    )?;
    let b = &m.baseline;
    let l = &m.lift;
    let rows = [
        ("ROC AUC", m.roc_auc, b.roc_auc, l.roc_auc),
        ("PR AUC", m.pr_auc, b.pr_auc, l.pr_auc),
        ("log-loss", m.log_loss, b.log_loss, l.log_loss),
        ("Brier", m.brier, b.brier, l.brier),
        ("precision", m.precision, b.precision, l.precision),
        ("recall", m.recall, b.recall, l.recall),
        ("F1", m.f1, b.f1, l.f1),
        (
            "accuracy",
            m.accuracy,
            b.accuracy,
            ratio(m.accuracy, b.accuracy),
        ),
    ];
    for (name, v, base, lift) in rows {
        writeln!(
            w,
            "{:<12} {:>8} {:>8} {:>7.2}x",
            name,
            fmt_metric(v),
            fmt_metric(base),
            lift
        )?;
    }
    if m.fold_roc_auc.len() > 1 {
        writeln!(
            w,
            "ROC AUC by fold: {} (std {:.3})",
            m.fold_roc_auc
                .iter()
                .map(|a| format!("{a:.3}"))
                .collect::<Vec<_>>()
                .join(" "),
            m.roc_auc_std
        )?;
    }
    let c = &m.confusion;
    match e.filter(|e| e.policy != "balanced") {
        Some(e) => {
            let a = &e.at_threshold;
            writeln!(
                w,
                "threshold {:.4} chosen by {} on the held-out predictions: precision {:.3}, \
                 recall {:.3}, {:.0} flagged per 1000",
                e.threshold, e.policy, a.precision, a.recall, a.flagged_per_1000
            )?;
            writeln!(
                w,
                "confusion at it: TP {} FP {} TN {} FN {}",
                c.tp, c.fp, c.tn, c.fn_
            )?;
        }
        None => writeln!(
            w,
            "threshold {:.3} (= 0.5 in the balanced model); confusion: TP {} FP {} TN {} FN {}",
            m.threshold, c.tp, c.fp, c.tn, c.fn_
        )?,
    }
    if let Some(d) = m.deciles.first().filter(|d| d.rows > 0) {
        writeln!(
            w,
            "the top 10 % of leads hold {:.1} % of the positives (lift {:.2}x)",
            100.0 * d.cumulative_capture,
            d.lift
        )?;
    }
    writeln!(
        w,
        "before the intercept correction: log-loss {}, Brier {}",
        fmt_metric(m.log_loss_balanced),
        fmt_metric(m.brier_balanced)
    )?;
    writeln!(w, "mean fit time per fold: {:.3} s", m.fit_seconds)?;
    if let Some(c) = e.and_then(|e| e.challenger.as_ref()) {
        write_challenger(w, c)?;
    }
    Ok(())
}

/// The challenger's verdict and the columns its forest uses most.
pub fn write_challenger(w: &mut impl Write, c: &leadscore::eval::Challenger) -> io::Result<()> {
    writeln!(
        w,
        "challenger   random forest ({} trees, depth {}, {} features, {:.2} s per fold): {}",
        c.trees, c.max_depth, c.features, c.seconds, c.verdict
    )?;
    let top: Vec<String> = c
        .top_features
        .iter()
        .take(5)
        .map(|f| {
            format!(
                "{} {:.0} %",
                printable(&f.name, false),
                100.0 * f.importance
            )
        })
        .collect();
    if !top.is_empty() {
        writeln!(w, "forest uses  {}", top.join(", "))?;
    }
    Ok(())
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        0.0
    }
}

/// Prints a model summary.
pub fn print_model(w: &mut impl Write, path: &Path, model: &Model, top: usize) -> io::Result<()> {
    let m = model.meta();
    writeln!(w, "model        {}", path.display())?;
    writeln!(
        w,
        "trained by   leadscore {} (format {})",
        m.leadscore_version,
        model.format_version()
    )?;
    writeln!(
        w,
        "target       {} (positive \"{}\", negative \"{}\")",
        m.target, m.positive_label, m.negative_label
    )?;
    writeln!(
        w,
        "data         {} rows, {} positives ({:.1} %)",
        m.rows,
        m.positives,
        100.0 * m.positives as f64 / m.rows.max(1) as f64
    )?;
    writeln!(
        w,
        "training     C={}{} penalty={} balance={} seed={} iterations={} converged={}",
        m.c_text(),
        if m.c_auto { " (auto)" } else { "" },
        match m.penalty.as_str() {
            "elasticnet" => format!("elasticnet (l1_ratio {})", m.l1_ratio),
            p => p.to_owned(),
        },
        m.balance,
        m.seed,
        m.iterations,
        m.converged
    )?;
    match model.evaluation() {
        Some(e) => writeln!(
            w,
            "threshold    {:.4} ({}, chosen on {} held-out rows: precision {:.3}, recall {:.3}, {:.0} flagged per 1000)",
            model.threshold(),
            e.policy,
            e.test_rows,
            e.at_threshold.precision,
            e.at_threshold.recall,
            e.at_threshold.flagged_per_1000
        )?,
        None => writeln!(w, "threshold    {:.4} (balanced)", model.threshold())?,
    }
    if let Some(c) = model.evaluation().and_then(|e| e.challenger.as_ref()) {
        write_challenger(w, c)?;
    }
    if let Some(e) = model.evaluation().filter(|e| e.split == "time") {
        writeln!(
            w,
            "evaluated    time split on {} (the most recent {:.0} %, from {})",
            e.time_column.as_deref().unwrap_or("?"),
            100.0 * e.test_share.unwrap_or(0.0),
            printable(e.test_from.as_deref().unwrap_or("?"), false)
        )?;
    }
    let nonzero = model.coefficients().iter().filter(|&&c| c != 0.0).count();
    writeln!(
        w,
        "features     {} ({} with a non-zero coefficient)",
        model.coefficients().len(),
        nonzero
    )?;
    if let Some(p) = model.pruning() {
        write_pruning(w, p)?;
    }
    if let Ok(Some(ins)) = model.insights() {
        let columns = ins["columns"].as_array().map_or(0, Vec::len);
        let warnings: Vec<String> = ins["warnings"]
            .as_array()
            .map(|ws| {
                ws.iter()
                    .map(|w| {
                        format!(
                            "{} {}",
                            w["code"].as_str().unwrap_or("?"),
                            w["column"].as_str().unwrap_or("?")
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        writeln!(
            w,
            "insights     {columns} columns (leadscore inspect --json: \"insights\"); warnings: {}",
            if warnings.is_empty() {
                "none".to_owned()
            } else {
                warnings.join(", ")
            }
        )?;
    }
    let inputs: Vec<String> = model
        .schema()
        .fields
        .iter()
        .map(|f| format!("{}:{}", f.name, f.kind.as_str()))
        .collect();
    writeln!(w, "inputs       {}", inputs.join(", "))?;
    if let Some(mt) = model.metrics() {
        writeln!(
            w,
            "metrics      ROC AUC {} (random 0.5), PR AUC {} (random {:.3}), log-loss {}",
            fmt_metric(mt.roc_auc),
            fmt_metric(mt.pr_auc),
            mt.baseline.pr_auc,
            fmt_metric(mt.log_loss)
        )?;
    }
    let names = model.feature_names();
    let mut idx: Vec<usize> = (0..names.len()).collect();
    let coef = model.coefficients();
    idx.sort_by(|&a, &b| coef[b].abs().total_cmp(&coef[a].abs()));
    writeln!(
        w,
        "strongest of {} coefficients (intercept {:+.4}):",
        names.len(),
        model.intercept()
    )?;
    for &j in idx.iter().take(top) {
        writeln!(w, "  {:+9.4}  {}", coef[j], names[j])?;
    }
    if model.recipe().is_empty() {
        writeln!(w, "recipe       the first release's auto (format 1)")?;
    } else {
        writeln!(w, "recipe:")?;
        for line in model.recipe().lines() {
            writeln!(w, "  {line}")?;
        }
    }
    Ok(())
}

/// A raw value as JSON.
pub fn value_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Num(x) => serde_json::json!(x),
        Value::Str(s) => serde_json::json!(s),
        Value::Bool(b) => serde_json::json!(b),
        Value::Missing => serde_json::Value::Null,
    }
}

/// A raw value as CSV text.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::Num(x) => leadscore::data::format_num(*x),
        Value::Str(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Missing => String::new(),
    }
}

/// Reasons as one CSV cell: `+0.84 contract = Month-to-month; -0.31 tenure = 40`.
pub fn reasons_text(r: &[Reason]) -> String {
    r.iter()
        .map(|r| format!("{:+.3} {}", r.contribution, r.label))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `text` with control characters (a terminal's escape sequences among them) shown
/// escaped (`\u{1b}`); line breaks kept when `lines`, else shown as spaces.
pub fn printable(text: &str, lines: bool) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| c.is_control() && c != '\n') && (lines || !text.contains('\n')) {
        return text.into();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' if lines => out.push('\n'),
            '\n' => out.push(' '),
            c if c.is_control() => out.extend(c.escape_default()),
            c => out.push(c),
        }
    }
    out.into()
}

/// What `--max-features` and `--max-model-bytes` dropped and what it cost, as
/// `inspect` and `train` print it.
pub fn write_pruning(w: &mut impl Write, p: &leadscore::Pruning) -> io::Result<()> {
    let auc = |a: Option<f64>| a.map_or_else(|| "not measured (--cv 0)".to_owned(), fmt_metric);
    let limit = match (p.max_model_bytes, p.model_bytes) {
        (Some(max), Some(size)) => {
            format!("max {max} bytes ({size} used), {} features", p.max_features)
        }
        (Some(max), None) => format!("max {max} bytes, {} features", p.max_features),
        _ => format!("max {} features", p.max_features),
    };
    if p.dropped_count == 0 {
        return writeln!(
            w,
            "pruning      {limit}: {} used, nothing dropped",
            p.features_before
        );
    }
    let cost = match (p.cv_roc_auc_before, p.cv_roc_auc_after) {
        (None, None) => "CV ROC AUC not measured (--cv 0)".to_owned(),
        (b, a) => format!("CV ROC AUC {} before, {} after", auc(b), auc(a)),
    };
    writeln!(
        w,
        "pruning      {limit}: kept {} of {}, dropped {}; {cost}",
        p.features_after, p.features_before, p.dropped_count,
    )?;
    const SHOWN: usize = 12;
    let mut names: Vec<&str> = p.dropped.iter().take(SHOWN).map(String::as_str).collect();
    let more = p.dropped_count as usize - names.len().min(p.dropped_count as usize);
    let tail;
    if more > 0 {
        tail = format!("... and {more} more");
        names.push(&tail);
    }
    writeln!(w, "dropped      {}", names.join(", "))
}
