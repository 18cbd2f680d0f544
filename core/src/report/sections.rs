//! The report's sections, each from what the model stores; a section whose data is
//! absent is left out.

use super::page::{esc, SCRIPT};
use super::svg::{self, Chart, NEGATIVE, POSITIVE, REFERENCE, UNIT_TICKS};
use crate::eval::{Evaluation, Metrics, ThresholdPoint};
use crate::model::Model;
use serde_json::Value;
use std::fmt::Write;

/// Coefficients listed in the full report and in the compact one.
const TOP_COEFFICIENTS: (usize, usize) = (30, 10);
/// Columns whose insights get a chart or table of their own (the strongest).
const DETAILED_COLUMNS: usize = 40;
/// Dropped features listed by the pruning section.
const DROPPED_SHOWN: usize = 100;

/// The report's root element.
pub fn body(model: &Model, title: &str, compact: bool) -> String {
    let mut h = String::with_capacity(64 << 10);
    let _ = writeln!(
        h,
        "<div class=\"ls-report{}\">",
        if compact { " ls-compact" } else { "" }
    );
    header(&mut h, model, title);
    summary(&mut h, model);
    let data = model.evaluation().map(|e| explorer(&mut h, model, e));
    if !compact {
        if let Some(m) = model.metrics() {
            lift(&mut h, m);
        }
        if let Some(e) = model.evaluation() {
            calibration(&mut h, e);
        }
    }
    coefficients(
        &mut h,
        model,
        if compact {
            TOP_COEFFICIENTS.1
        } else {
            TOP_COEFFICIENTS.0
        },
    );
    if !compact {
        pruning(&mut h, model);
        challenger(&mut h, model);
        insights(&mut h, model);
        settings(&mut h, model);
    }
    let _ = writeln!(
        h,
        "<p class=\"ls-note\">Made from the model file alone (format {}): it holds no data rows. {}</p>",
        model.format_version(),
        if data.is_some() {
            "The slider needs JavaScript; without it the figures are those at the stored cut."
        } else {
            ""
        }
    );
    if let Some(data) = data {
        // Numbers only, but `<` could never end the block early anyway.
        let _ = write!(
            h,
            "<script type=\"application/json\" class=\"ls-data\">{}</script>\n<script>{}</script>\n",
            data.to_string().replace('<', "\\u003c"),
            SCRIPT
        );
    }
    h.push_str("</div>");
    h
}

// ---------------------------------------------------------------------------------
// Formatting
// ---------------------------------------------------------------------------------

/// A share as a percentage with one decimal.
fn pct(x: f64) -> String {
    if x.is_finite() {
        format!("{:.1} %", 100.0 * x)
    } else {
        "–".into()
    }
}

/// A number with `d` decimals ("–" when not finite).
fn fixed(x: f64, d: usize) -> String {
    if x.is_finite() {
        format!("{x:.d$}")
    } else {
        "–".into()
    }
}

/// An optional number with `d` decimals.
fn opt(x: Option<f64>, d: usize) -> String {
    x.map_or_else(|| "–".into(), |v| fixed(v, d))
}

/// A count with thousands separated by commas.
fn count(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// The UTC date and time of a Unix time, `YYYY-MM-DD HH:MM UTC`.
fn utc(unix: u64) -> String {
    let days = (unix / 86_400) as i64;
    let secs = unix % 86_400;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        (secs % 3600) / 60
    )
}

/// A summary card: a figure and what it is.
fn card(h: &mut String, figure: &str, what: &str) {
    let _ = write!(
        h,
        "<div class=\"ls-card\"><b>{}</b><span>{}</span></div>",
        esc(figure),
        esc(what)
    );
}

/// A figure in a chart's `<figure>` with a caption.
fn figure(h: &mut String, caption: &str, svg: String) {
    let _ = write!(
        h,
        "<figure><figcaption>{}</figcaption>{svg}</figure>",
        esc(caption)
    );
}

/// The policy as a reader says it.
fn policy_words(policy: &str) -> String {
    match policy {
        "balanced" => "balanced (sensitivity = specificity on the training rows)".into(),
        "max_f1" => "max_f1 (the cut with the best F1)".into(),
        p => p.to_owned(),
    }
}

// ---------------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------------

fn header(h: &mut String, model: &Model, title: &str) {
    let m = model.meta();
    let _ = writeln!(
        h,
        "<header><h1>{}</h1><p class=\"ls-sub\">Predicts <b>{}</b> = “{}” (against “{}”) · trained on {} rows, {} positive ({}) · {} · leadscore {}</p></header>",
        esc(title),
        esc(&m.target),
        esc(&m.positive_label),
        esc(&m.negative_label),
        count(m.rows),
        count(m.positives),
        pct(m.positives as f64 / m.rows.max(1) as f64),
        utc(m.created_unix),
        esc(&m.leadscore_version)
    );
}

fn summary(h: &mut String, model: &Model) {
    let Some(mt) = model.metrics() else {
        h.push_str("<p class=\"ls-note\">Trained without held-out rows (cv 0): there are no held-out figures to show.</p>\n");
        return;
    };
    h.push_str("<section><h2>Summary</h2><div class=\"ls-cards\">");
    let held = match model.evaluation() {
        Some(e) if e.split == "time" => {
            format!("a time split: the latest {} rows", count(e.test_rows))
        }
        _ => format!("{}-fold cross-validation", mt.cv_folds),
    };
    card(
        h,
        &fixed(mt.roc_auc, 3),
        &format!("ROC AUC (random guess 0.500), {held}"),
    );
    card(
        h,
        &fixed(mt.pr_auc, 3),
        &format!("PR AUC (random guess {})", fixed(mt.baseline.pr_auc, 3)),
    );
    if let Some(top) = mt.deciles.first() {
        card(
            h,
            &format!("{}×", fixed(top.lift, 2)),
            "lift of the best-scored tenth over a random pick",
        );
    }
    card(
        h,
        &pct(mt.precision),
        &format!("precision at the cut {}", fixed(model.threshold(), 3)),
    );
    card(h, &pct(mt.recall), "recall at the cut");
    card(
        h,
        &fixed(mt.log_loss, 3),
        &format!(
            "log-loss (always the base rate: {})",
            fixed(mt.baseline.log_loss, 3)
        ),
    );
    h.push_str("</div>");
    if let Some(c) = model.evaluation().and_then(|e| e.challenger.as_ref()) {
        let _ = write!(
            h,
            "<p class=\"ls-verdict\"><b>Against a random forest:</b> {}</p>",
            esc(&c.verdict)
        );
    }
    h.push_str("</section>\n");
}

/// The threshold explorer; returns the data block its script reads.
fn explorer(h: &mut String, model: &Model, e: &Evaluation) -> Value {
    let table = &e.thresholds;
    let start = table
        .partition_point(|r| r.threshold < e.threshold)
        .min(table.len().saturating_sub(1));
    let at = &e.at_threshold;
    let policy_note = format!("the cut chosen by the policy {}", policy_words(&e.policy));
    h.push_str("<section><h2>Threshold explorer</h2>");
    let _ = write!(
        h,
        "<p>A lead is flagged when its probability is at least the cut. These figures are measured on {} held-out rows ({}); the model's cut is {} ({}).</p>",
        count(e.test_rows),
        if e.split == "time" {
            format!(
                "the latest by {} from {}",
                esc(e.time_column.as_deref().unwrap_or("?")),
                esc(e.test_from.as_deref().unwrap_or("?"))
            )
        } else {
            format!("out-of-fold predictions of {}-fold cross-validation", e.folds)
        },
        fixed(model.threshold(), 4),
        esc(&policy_words(&e.policy))
    );
    h.push_str("<div class=\"ls-explorer\">");
    let _ = write!(
        h,
        "<div class=\"ls-slider-row\"><span>Cut</span><input type=\"range\" class=\"ls-slider\" aria-label=\"Threshold\" min=\"0\" max=\"{}\" step=\"1\" value=\"{start}\"><b data-v=\"threshold\">{}</b></div>",
        table.len().saturating_sub(1),
        fixed(at.threshold, 4)
    );
    let _ = write!(
        h,
        "<p class=\"ls-nojs ls-note\">Cut {}: with JavaScript on, a slider moves it.</p>",
        fixed(at.threshold, 4)
    );
    let _ = write!(
        h,
        "<p class=\"ls-note\" data-v=\"at_policy\">{}</p>",
        esc(&policy_note)
    );
    h.push_str("<div class=\"ls-cards\">");
    for (name, what, value) in [
        (
            "precision",
            "precision: flagged leads that convert",
            pct(at.precision),
        ),
        ("recall", "recall: converting leads flagged", pct(at.recall)),
        (
            "false_positive_rate",
            "false-positive rate: other leads flagged",
            pct(at.false_positive_rate),
        ),
        ("f1", "F1", fixed(at.f1, 3)),
        (
            "flagged_per_1000",
            "leads flagged per 1000",
            fixed(at.flagged_per_1000, 0),
        ),
        (
            "share_flagged",
            "share of leads flagged",
            pct(at.share_flagged),
        ),
    ] {
        let _ = write!(
            h,
            "<div class=\"ls-card\"><b data-v=\"{name}\">{}</b><span>{}</span></div>",
            esc(&value),
            esc(what)
        );
    }
    h.push_str("</div>");
    let _ = write!(
        h,
        "<table class=\"ls-confusion\"><tr><th></th><th>flagged</th><th>not flagged</th></tr><tr><th>actually positive</th><td data-v=\"tp\">{}</td><td data-v=\"fn\">{}</td></tr><tr><th>actually negative</th><td data-v=\"fp\">{}</td><td data-v=\"tn\">{}</td></tr></table>",
        at.tp, at.fn_, at.fp, at.tn
    );
    h.push_str("</div><div class=\"ls-charts\">");
    let (roc, roc_box) = roc_chart(e, at);
    figure(
        h,
        &format!(
            "ROC curve (AUC {}; the dashed line is a random guess, the ring the stored cut)",
            model.metrics().map_or("–".into(), |m| fixed(m.roc_auc, 3))
        ),
        roc,
    );
    let base = (at.tp + at.fn_) as f64 / e.test_rows.max(1) as f64;
    let (pr, pr_box) = pr_chart(e, at, base);
    figure(
        h,
        &format!(
            "Precision against recall (a random guess has precision {}; the ring is the stored cut)",
            fixed(base, 3)
        ),
        pr,
    );
    let (hist, hist_box) = score_histogram(e);
    figure(
        h,
        "Held-out scores by class (share of each class's rows); the dashed line is the cut (grey: the stored one)",
        hist,
    );
    h.push_str("</div></section>\n");
    let rows: Vec<Value> = table.iter().map(row_json).collect();
    serde_json::json!({
        "table": rows,
        "start": start,
        "policy_note": policy_note,
        "roc": roc_box,
        "pr": pr_box,
        "histogram": hist_box,
    })
}

/// One threshold row as the script reads it.
fn row_json(r: &ThresholdPoint) -> Value {
    serde_json::json!([
        r.threshold,
        r.tp,
        r.fp,
        r.tn,
        r.fn_,
        r.precision,
        r.recall,
        r.false_positive_rate,
        r.f1,
        r.flagged_per_1000,
        r.share_flagged
    ])
}

/// A chart's plot box as the script maps data onto it (`[left, right, top, bottom]`,
/// data `[0, 1]` on both axes).
fn plot_box(c: &Chart) -> [f64; 4] {
    let (l, r, t, b) = c.plot_box();
    [l, r, t, b]
}

fn unit_chart(label: &str, x_title: &str, y_title: &str) -> Chart {
    let mut c = Chart::new(300.0, (0.0, 1.0), (0.0, 1.0), label, x_title, y_title);
    c.x_ticks(&UNIT_TICKS, |v| fixed(v, 2));
    c.y_ticks(&UNIT_TICKS, |v| fixed(v, 2));
    c
}

fn roc_chart(e: &Evaluation, at: &ThresholdPoint) -> (String, [f64; 4]) {
    let mut c = unit_chart(
        "ROC curve",
        "false-positive rate",
        "recall (true-positive rate)",
    );
    c.line(&[(0.0, 0.0), (1.0, 1.0)], REFERENCE, true);
    let mut pts = vec![(0.0, 0.0)];
    pts.extend(
        e.thresholds
            .iter()
            .rev()
            .map(|r| (r.false_positive_rate, r.recall)),
    );
    pts.push((1.0, 1.0));
    c.line(&pts, svg::MODEL, false);
    c.ring(at.false_positive_rate, at.recall, "#212529");
    c.dot(at.false_positive_rate, at.recall, POSITIVE, "ls-roc-dot");
    let b = plot_box(&c);
    (c.finish(), b)
}

fn pr_chart(e: &Evaluation, at: &ThresholdPoint, base: f64) -> (String, [f64; 4]) {
    let mut c = unit_chart("Precision-recall curve", "recall", "precision");
    c.line(&[(0.0, base), (1.0, base)], REFERENCE, true);
    let pts: Vec<(f64, f64)> = e
        .thresholds
        .iter()
        .rev()
        .filter(|r| r.tp + r.fp > 0)
        .map(|r| (r.recall, r.precision))
        .collect();
    c.line(&pts, svg::MODEL, false);
    c.ring(at.recall, at.precision, "#212529");
    c.dot(at.recall, at.precision, POSITIVE, "ls-pr-dot");
    let b = plot_box(&c);
    (c.finish(), b)
}

fn score_histogram(e: &Evaluation) -> (String, [f64; 4]) {
    let hist = &e.histogram;
    let bins = hist.positives.len().max(1);
    let total = |v: &[u64]| v.iter().sum::<u64>().max(1) as f64;
    let (tp, tn) = (total(&hist.positives), total(&hist.negatives));
    let share = |v: &[u64], t: f64| -> Vec<f64> { v.iter().map(|&k| k as f64 / t).collect() };
    let (sp, sn) = (share(&hist.positives, tp), share(&hist.negatives, tn));
    let top = sp.iter().chain(&sn).copied().fold(0.0, f64::max);
    let ticks = svg::ticks_to(top);
    let y_max = ticks.last().copied().unwrap_or(1.0);
    let mut c = Chart::new(
        300.0,
        (0.0, 1.0),
        (0.0, y_max),
        "Score histogram by class",
        "predicted probability",
        "share of the class",
    );
    c.x_ticks(&UNIT_TICKS, |v| fixed(v, 2));
    c.y_ticks(&ticks, |v| format!("{:.0} %", 100.0 * v));
    let w = 1.0 / bins as f64;
    for i in 0..bins {
        let x0 = i as f64 * w;
        let range = format!("{}–{}", fixed(x0, 2), fixed(x0 + w, 2));
        let (n_neg, n_pos) = (
            hist.negatives.get(i).copied().unwrap_or(0),
            hist.positives.get(i).copied().unwrap_or(0),
        );
        c.bar(
            (x0 + 0.08 * w, x0 + 0.5 * w),
            (0.0, sn.get(i).copied().unwrap_or(0.0)),
            NEGATIVE,
            &format!("negatives scored {range}: {n_neg}"),
        );
        c.bar(
            (x0 + 0.5 * w, x0 + 0.92 * w),
            (0.0, sp.get(i).copied().unwrap_or(0.0)),
            POSITIVE,
            &format!("positives scored {range}: {n_pos}"),
        );
    }
    c.legend(&[(NEGATIVE, "negative"), (POSITIVE, "positive")], true);
    c.vline(e.threshold, REFERENCE, "ls-policy-cut", "");
    c.vline(e.threshold, "#212529", "ls-slider-cut", "cut");
    let (l, r, t, b) = c.plot_box();
    (c.finish(), [l, r, t, b])
}

fn lift(h: &mut String, m: &Metrics) {
    if m.deciles.is_empty() {
        return;
    }
    h.push_str("<section><h2>Lift by decile</h2><p>Held-out leads ranked by score and cut into tenths: how many times the base rate each tenth converts at, and the share of all positives found by working down the list.</p><div class=\"ls-charts\">");
    let top = m.deciles.iter().map(|d| d.lift).fold(1.0, f64::max);
    let ticks = svg::ticks_to(top);
    let y_max = ticks.last().copied().unwrap_or(1.0);
    let n = m.deciles.len() as f64;
    let mut c = Chart::new(
        280.0,
        (0.0, n),
        (0.0, y_max),
        "Lift by decile",
        "decile (1 = best-scored tenth)",
        "lift over random",
    );
    c.y_ticks(&ticks, |v| format!("{}×", fixed(v, 1)));
    for d in &m.deciles {
        let x = f64::from(d.decile) - 1.0;
        c.bar(
            (x + 0.12, x + 0.88),
            (0.0, d.lift),
            svg::MODEL,
            &format!(
                "decile {}: {} rows, positive rate {}, lift {}",
                d.decile,
                d.rows,
                pct(d.positive_rate),
                fixed(d.lift, 2)
            ),
        );
        let (px, (_, _, _, b)) = (c.px(x + 0.5), c.plot_box());
        c.text_at(px, b + 14.0, "middle", &d.decile.to_string());
    }
    c.line(&[(0.0, 1.0), (n, 1.0)], REFERENCE, true);
    figure(
        h,
        "Lift by decile (the dashed line is a random pick)",
        c.finish(),
    );
    let mut g = unit_chart(
        "Cumulative gain",
        "share of leads worked, best first",
        "share of positives found",
    );
    g.line(&[(0.0, 0.0), (1.0, 1.0)], REFERENCE, true);
    let mut pts = vec![(0.0, 0.0)];
    pts.extend(
        m.deciles
            .iter()
            .map(|d| (f64::from(d.decile) / n, d.cumulative_capture)),
    );
    g.line(&pts, svg::MODEL, false);
    figure(
        h,
        "Cumulative gain (the dashed line is a random order)",
        g.finish(),
    );
    h.push_str("</div><div class=\"ls-scroll\"><table><tr><th class=\"ls-num\">Decile</th><th class=\"ls-num\">Rows</th><th class=\"ls-num\">Scores</th><th class=\"ls-num\">Positive rate</th><th class=\"ls-num\">Lift</th><th class=\"ls-num\">Positives found</th></tr>");
    for d in &m.deciles {
        let _ = write!(
            h,
            "<tr><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}–{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}×</td><td class=\"ls-num\">{}</td></tr>",
            d.decile,
            count(d.rows),
            fixed(d.p_min, 3),
            fixed(d.p_max, 3),
            pct(d.positive_rate),
            fixed(d.lift, 2),
            pct(d.cumulative_capture)
        );
    }
    h.push_str("</table></div></section>\n");
}

fn calibration(h: &mut String, e: &Evaluation) {
    let pts: Vec<(f64, f64)> = e
        .calibration
        .iter()
        .filter(|b| b.rows > 0)
        .map(|b| (b.mean_predicted, b.observed_rate))
        .collect();
    if pts.is_empty() {
        return;
    }
    h.push_str("<section><h2>Calibration</h2><p>Held-out leads grouped by predicted probability: the share that turned out positive against the mean prediction. A calibrated model stays on the diagonal; with upsampling the probabilities are corrected back to the real base rate.</p><div class=\"ls-charts\">");
    let mut c = unit_chart(
        "Calibration curve",
        "mean predicted probability",
        "observed positive rate",
    );
    c.line(&[(0.0, 0.0), (1.0, 1.0)], REFERENCE, true);
    c.line(&pts, svg::MODEL, false);
    for b in e.calibration.iter().filter(|b| b.rows > 0) {
        c.dot(b.mean_predicted, b.observed_rate, svg::MODEL, "ls-cal-dot");
    }
    figure(
        h,
        "Calibration (the dashed line is perfect calibration)",
        c.finish(),
    );
    h.push_str("<div class=\"ls-scroll\"><table><tr><th class=\"ls-num\">Probability</th><th class=\"ls-num\">Rows</th><th class=\"ls-num\">Mean predicted</th><th class=\"ls-num\">Observed</th></tr>");
    for b in e.calibration.iter().filter(|b| b.rows > 0) {
        let _ = write!(
            h,
            "<tr><td class=\"ls-num\">{}–{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td></tr>",
            fixed(b.lower, 1),
            fixed(b.upper, 1),
            count(b.rows),
            pct(b.mean_predicted),
            pct(b.observed_rate)
        );
    }
    h.push_str("</table></div></div></section>\n");
}

/// A small diverging bar for a coefficient, `max` the largest magnitude shown.
fn coef_bar(c: f64, max: f64) -> String {
    let half = 58.0 * (c.abs() / max.max(f64::MIN_POSITIVE)).min(1.0);
    let (x, colour) = if c >= 0.0 {
        (60.0, POSITIVE)
    } else {
        (60.0 - half, NEGATIVE)
    };
    format!(
        "<svg class=\"ls-bar\" viewBox=\"0 0 120 12\" aria-hidden=\"true\"><line x1=\"60\" y1=\"0\" x2=\"60\" y2=\"12\" stroke=\"#adb5bd\"/><rect x=\"{:.2}\" y=\"2\" width=\"{:.2}\" height=\"8\" fill=\"{colour}\"/></svg>",
        x, half
    )
}

fn coefficients(h: &mut String, model: &Model, top: usize) {
    let names = model.feature_names();
    let coef = model.coefficients();
    let mut idx: Vec<usize> = (0..coef.len()).filter(|&j| coef[j] != 0.0).collect();
    idx.sort_by(|&a, &b| coef[b].abs().total_cmp(&coef[a].abs()).then(a.cmp(&b)));
    let nonzero = idx.len();
    idx.truncate(top);
    let max = idx.first().map_or(1.0, |&j| coef[j].abs());
    let _ = write!(
        h,
        "<section><h2>What moves a score</h2><p>The {} strongest of {} coefficients ({} non-zero; intercept {}). A coefficient is the change in log-odds per unit of its feature (features are standardised by the recipe); positive ones raise the score. The odds factor is e<sup>coefficient</sup>.</p>",
        idx.len(),
        coef.len(),
        nonzero,
        fixed(model.intercept(), 4)
    );
    h.push_str("<div class=\"ls-scroll\"><table><tr><th>Feature</th><th class=\"ls-num\">Coefficient</th><th class=\"ls-num\">Odds factor</th><th></th></tr>");
    for &j in &idx {
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td class=\"ls-num\">{:+.4}</td><td class=\"ls-num\">×{}</td><td>{}</td></tr>",
            esc(names.get(j).map_or("?", String::as_str)),
            coef[j],
            fixed(coef[j].exp(), 3),
            coef_bar(coef[j], max)
        );
    }
    h.push_str("</table></div></section>\n");
}

fn pruning(h: &mut String, model: &Model) {
    let Some(p) = model.pruning() else {
        return;
    };
    let limit = match (p.max_model_bytes, p.model_bytes) {
        (Some(b), Some(size)) => format!(
            "<code>max_model_bytes = {}</code> left room for {} features (the file is {} bytes)",
            count(b),
            p.max_features,
            count(size)
        ),
        _ => format!("<code>max_features = {}</code>", p.max_features),
    };
    let _ = write!(
        h,
        "<section><h2>Pruning</h2><p>{limit}: the model keeps {} of {} features and dropped {}. Cross-validated ROC AUC before: {}, after: {}.</p>",
        p.features_after,
        p.features_before,
        p.dropped_count,
        opt(p.cv_roc_auc_before, 4),
        opt(p.cv_roc_auc_after, 4)
    );
    if !p.dropped.is_empty() {
        h.push_str("<details><summary>Dropped features</summary><p>");
        let shown: Vec<String> = p
            .dropped
            .iter()
            .take(DROPPED_SHOWN)
            .map(|d| format!("<code>{}</code>", esc(d)))
            .collect();
        h.push_str(&shown.join(", "));
        if p.dropped_count as usize > shown.len() {
            let _ = write!(h, " and {} more", p.dropped_count as usize - shown.len());
        }
        h.push_str("</p></details>");
    }
    h.push_str("</section>\n");
}

fn challenger(h: &mut String, model: &Model) {
    let Some(c) = model.evaluation().and_then(|e| e.challenger.as_ref()) else {
        return;
    };
    let _ = write!(
        h,
        "<section><h2>Against a random forest</h2><p class=\"ls-verdict\">{}</p><p>A {} of {} trees (depth up to {}) on the same {} features and held-out rows: ROC AUC {} against the logistic model's {} (difference {}{}).</p>",
        esc(&c.verdict),
        esc(&c.model.replace('_', " ")),
        c.trees,
        c.max_depth,
        c.features,
        fixed(c.roc_auc, 3),
        fixed(c.linear_roc_auc, 3),
        fixed(c.difference, 3),
        c.difference_se
            .map_or(String::new(), |s| format!(" ± {}", fixed(s, 3)))
    );
    if !c.top_features.is_empty() {
        h.push_str("<div class=\"ls-scroll\"><table><tr><th>Input the forest uses most</th><th class=\"ls-num\">Importance</th></tr>");
        for f in &c.top_features {
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td class=\"ls-num\">{}</td></tr>",
                esc(&f.name),
                fixed(f.importance, 3)
            );
        }
        h.push_str("</table></div>");
    }
    h.push_str("</section>\n");
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v.get(key).and_then(Value::as_str).unwrap_or("")
}

fn insights(h: &mut String, model: &Model) {
    let Ok(Some(ins)) = model.insights() else {
        return;
    };
    let Some(columns) = ins.get("columns").and_then(Value::as_array) else {
        return;
    };
    h.push_str("<section><h2>The training data, column by column</h2><p>Each input column's statistics on the training rows, strongest first by its ROC AUC alone (0.5: no signal; for categories, each level's positive rate orders them, which flatters them).</p>");
    if let Some(ws) = ins.get("warnings").and_then(Value::as_array) {
        if !ws.is_empty() {
            h.push_str("<ul>");
            for w in ws {
                let _ = write!(
                    h,
                    "<li class=\"ls-warn\"><b>{}</b> {}: {}</li>",
                    esc(text(w, "code")),
                    esc(text(w, "column")),
                    esc(text(w, "message"))
                );
            }
            h.push_str("</ul>");
        }
    }
    h.push_str("<div class=\"ls-scroll\"><table><tr><th>Column</th><th>Kind</th><th class=\"ls-num\">Missing</th><th class=\"ls-num\">Distinct</th><th class=\"ls-num\">AUC alone</th><th class=\"ls-num\">Pearson</th><th class=\"ls-num\">Kendall τ<sub>b</sub></th><th class=\"ls-num\">Mutual information</th></tr>");
    for col in columns {
        let a = col.get("association").filter(|a| !a.is_null());
        let auc = a.and_then(|a| a.get("roc_auc")).and_then(num);
        let dir = a
            .and_then(|a| a.get("higher_is_positive"))
            .and_then(Value::as_bool)
            .map_or("", |up| if up { " ↑" } else { " ↓" });
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td></tr>",
            esc(text(col, "name")),
            esc(text(col, "kind")),
            col.get("missing_share").and_then(num).map_or("–".into(), pct),
            col.get("distinct").and_then(Value::as_u64).map_or("–".into(), count),
            opt(auc, 3),
            if auc.is_some() { dir } else { "" },
            opt(a.and_then(|a| a.get("pearson")).and_then(num), 3),
            opt(a.and_then(|a| a.get("kendall_tau_b")).and_then(num), 3),
            opt(a.and_then(|a| a.get("mutual_information")).and_then(num), 4),
        );
    }
    h.push_str("</table></div>");
    if let Some(k) = ins.get("columns_omitted").and_then(Value::as_u64) {
        let _ = write!(
            h,
            "<p class=\"ls-note\">{k} weaker columns are not stored in the model.</p>"
        );
    }
    for col in columns.iter().take(DETAILED_COLUMNS) {
        column_detail(h, col);
    }
    if columns.len() > DETAILED_COLUMNS {
        let _ = write!(
            h,
            "<p class=\"ls-note\">Details of the {} strongest columns are shown.</p>",
            DETAILED_COLUMNS
        );
    }
    h.push_str("</section>\n");
}

/// The class counts of an insights bin, level or token.
fn class_counts(v: &Value) -> (u64, u64, Option<f64>) {
    (
        v.get("negatives").and_then(Value::as_u64).unwrap_or(0),
        v.get("positives").and_then(Value::as_u64).unwrap_or(0),
        v.get("positive_rate").and_then(num),
    )
}

fn column_detail(h: &mut String, col: &Value) {
    let name = text(col, "name");
    let numeric = col.get("numeric").filter(|v| !v.is_null());
    let levels = col.get("levels").filter(|v| !v.is_null());
    let tokens = col.get("tokens").filter(|v| !v.is_null());
    let coefs = col.get("top_coefficients").and_then(Value::as_array);
    if numeric.is_none() && levels.is_none() && tokens.is_none() {
        return;
    }
    let _ = write!(
        h,
        "<details><summary><code>{}</code> ({})</summary>",
        esc(name),
        esc(text(col, "kind"))
    );
    if let Some(nm) = numeric {
        let _ = write!(
            h,
            "<p>min {}, mean {}, max {}, standard deviation {}",
            opt(nm.get("min").and_then(num), 4),
            opt(nm.get("mean").and_then(num), 4),
            opt(nm.get("max").and_then(num), 4),
            opt(nm.get("std").and_then(num), 4)
        );
        if let Some(qs) = nm.get("quantiles").and_then(Value::as_array) {
            let parts: Vec<String> = qs
                .iter()
                .map(|q| {
                    format!(
                        "{} %: {}",
                        fixed(100.0 * q.get("q").and_then(num).unwrap_or(0.0), 0),
                        opt(q.get("value").and_then(num), 4)
                    )
                })
                .collect();
            let _ = write!(h, "; quantiles {}", esc(&parts.join(", ")));
        }
        h.push_str(".</p>");
        if let Some(bins) = nm
            .get("histogram")
            .and_then(|x| x.get("bins"))
            .and_then(Value::as_array)
        {
            figure(
                h,
                &format!("{name}: rows per bin by class, with each bin's positive rate"),
                column_histogram(name, bins),
            );
        }
    }
    if let Some(lv) = levels {
        h.push_str("<div class=\"ls-scroll\"><table><tr><th>Level</th><th class=\"ls-num\">Rows</th><th class=\"ls-num\">Positive rate</th><th></th></tr>");
        let mut rows: Vec<(String, &Value)> = lv
            .get("top")
            .and_then(Value::as_array)
            .map(|t| t.iter().map(|l| (text(l, "level").to_owned(), l)).collect())
            .unwrap_or_default();
        if let Some(o) = lv.get("other") {
            let k = lv.get("other_levels").and_then(Value::as_u64).unwrap_or(0);
            if k > 0 {
                rows.push((format!("({k} other levels)"), o));
            }
        }
        if let Some(m) = lv.get("missing") {
            rows.push(("(missing)".into(), m));
        }
        for (label, v) in rows {
            let (neg, pos, rate) = class_counts(v);
            if neg + pos == 0 {
                continue;
            }
            let _ = write!(
                h,
                "<tr><td>{}</td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td><td>{}</td></tr>",
                esc(&label),
                count(neg + pos),
                rate.map_or("–".into(), pct),
                rate_bar(rate.unwrap_or(0.0))
            );
        }
        h.push_str("</table></div>");
    }
    if let Some(tk) = tokens {
        let _ = write!(
            h,
            "<p>{} texts, {} distinct tokens.</p>",
            tk.get("documents")
                .and_then(Value::as_u64)
                .map_or("–".into(), count),
            tk.get("distinct")
                .and_then(Value::as_u64)
                .map_or("–".into(), count)
        );
        if let Some(top) = tk.get("top").and_then(Value::as_array) {
            h.push_str("<div class=\"ls-scroll\"><table><tr><th>Most frequent token</th><th class=\"ls-num\">Texts</th><th class=\"ls-num\">Positive rate</th><th></th></tr>");
            for t in top {
                let (neg, pos, rate) = class_counts(t);
                let _ = write!(
                    h,
                    "<tr><td><code>{}</code></td><td class=\"ls-num\">{}</td><td class=\"ls-num\">{}</td><td>{}</td></tr>",
                    esc(text(t, "token")),
                    count(neg + pos),
                    rate.map_or("–".into(), pct),
                    rate_bar(rate.unwrap_or(0.0))
                );
            }
            h.push_str("</table></div>");
        }
    }
    if let Some(cs) = coefs.filter(|c| !c.is_empty()) {
        let max = cs
            .iter()
            .filter_map(|c| c.get("coef").and_then(num))
            .fold(0.0, |m: f64, v| m.max(v.abs()));
        h.push_str("<div class=\"ls-scroll\"><table><tr><th>Term with the largest coefficient</th><th class=\"ls-num\">Coefficient</th><th></th></tr>");
        for c in cs {
            let v = c.get("coef").and_then(num).unwrap_or(0.0);
            let _ = write!(
                h,
                "<tr><td><code>{}</code></td><td class=\"ls-num\">{:+.4}</td><td>{}</td></tr>",
                esc(text(c, "feature")),
                v,
                coef_bar(v, max)
            );
        }
        h.push_str("</table></div>");
    }
    h.push_str("</details>\n");
}

/// A small bar for a positive rate in `[0, 1]`.
fn rate_bar(rate: f64) -> String {
    format!(
        "<svg class=\"ls-bar\" viewBox=\"0 0 120 12\" aria-hidden=\"true\"><rect x=\"0\" y=\"2\" width=\"{:.2}\" height=\"8\" fill=\"{POSITIVE}\"/></svg>",
        120.0 * rate.clamp(0.0, 1.0)
    )
}

/// A numeric column's histogram: rows per bin stacked by class, the positive rate
/// written above each bar.
fn column_histogram(name: &str, bins: &[Value]) -> String {
    let k = bins.len().max(1) as f64;
    let totals: Vec<(u64, u64, Option<f64>)> = bins.iter().map(class_counts).collect();
    let top = totals
        .iter()
        .map(|&(n, p, _)| (n + p) as f64)
        .fold(0.0, f64::max);
    let ticks = svg::ticks_to(top * 1.15);
    let y_max = ticks.last().copied().unwrap_or(1.0);
    let mut c = Chart::new(
        240.0,
        (0.0, k),
        (0.0, y_max),
        &format!("Histogram of {name} by class"),
        name,
        "rows",
    );
    c.y_ticks(&ticks, |v| count(v as u64));
    let label_every = (bins.len() / 6).max(1);
    for (i, (b, &(neg, pos, rate))) in bins.iter().zip(&totals).enumerate() {
        let x = i as f64;
        let lower = b.get("lower").and_then(num).unwrap_or(0.0);
        let upper = b.get("upper").and_then(num).unwrap_or(lower);
        let range = if lower == upper {
            short(lower)
        } else {
            format!("{}–{}", short(lower), short(upper))
        };
        c.bar(
            (x + 0.1, x + 0.9),
            (0.0, neg as f64),
            NEGATIVE,
            &format!("{range}: {neg} negative"),
        );
        c.bar(
            (x + 0.1, x + 0.9),
            (neg as f64, (neg + pos) as f64),
            POSITIVE,
            &format!("{range}: {pos} positive"),
        );
        let px = c.px(x + 0.5);
        let top_y = c.py((neg + pos) as f64) - 3.0;
        if let Some(r) = rate {
            c.text_at(px, top_y, "middle", &format!("{:.0}%", 100.0 * r));
        }
        if i % label_every == 0 {
            let (_, _, _, bottom) = c.plot_box();
            c.text_at(px, bottom + 14.0, "middle", &short(lower));
        }
    }
    c.legend(&[(NEGATIVE, "negative"), (POSITIVE, "positive")], true);
    c.finish()
}

/// A bin edge in at most four significant digits.
fn short(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    if x == x.trunc() && x.abs() < 1e7 {
        return format!("{x:.0}");
    }
    let digits = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.digits$}")
}

fn settings(h: &mut String, model: &Model) {
    let m = model.meta();
    h.push_str("<section><h2>How it was trained</h2><div class=\"ls-scroll\"><table>");
    let mut row = |k: &str, v: String| {
        let _ = write!(h, "<tr><th>{}</th><td>{}</td></tr>", esc(k), esc(&v));
    };
    row(
        "target",
        format!(
            "{} (positive “{}”, negative “{}”)",
            m.target, m.positive_label, m.negative_label
        ),
    );
    row(
        "rows",
        format!("{} ({} positive)", count(m.rows), count(m.positives)),
    );
    row(
        "penalty",
        match m.penalty.as_str() {
            "elasticnet" => format!("elasticnet (l1_ratio {})", m.l1_ratio),
            p => p.to_owned(),
        },
    );
    row(
        "C",
        format!(
            "{}{}",
            m.c_text(),
            if m.c_auto {
                " (chosen from the training rows)"
            } else {
                ""
            }
        ),
    );
    row("balance", m.balance.clone());
    row(
        "solver",
        format!(
            "{} iterations, {}",
            m.iterations,
            if m.converged {
                "converged"
            } else {
                "not converged"
            }
        ),
    );
    row("seed", m.seed.to_string());
    row("threshold", fixed(model.threshold(), 4));
    let inputs: Vec<String> = model
        .schema()
        .fields
        .iter()
        .map(|f| format!("{} ({})", f.name, f.kind.as_str()))
        .collect();
    row("inputs", inputs.join(", "));
    h.push_str("</table></div><h3>Recipe</h3>");
    if model.recipe().is_empty() {
        h.push_str("<p>The first release's automatic features (model format 1).</p>");
    } else {
        let _ = write!(h, "<pre>{}</pre>", esc(model.recipe()));
    }
    h.push_str("</section>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_counts_and_numbers() {
        assert_eq!(utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc(1_796_684_659), "2026-12-07 23:04 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00 UTC");
        assert_eq!(count(0), "0");
        assert_eq!(count(1234567), "1,234,567");
        assert_eq!(count(100), "100");
        assert_eq!(pct(0.1234), "12.3 %");
        assert_eq!(fixed(f64::NAN, 2), "–");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(0.012345), "0.01235");
        assert_eq!(short(-1234.5), "-1234");
    }
}
