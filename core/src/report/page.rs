//! The page around the report's sections: HTML escaping, the style sheet, the
//! threshold slider's script and the document skeleton. Everything is inline (no
//! network, no external script or font), and every style rule is scoped to
//! `.ls-report` so the compact form can sit inside a Jupyter notebook.

/// `text` escaped for HTML text and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters from names in the model file are shown, not sent.
            c if c.is_control() && c != '\n' && c != '\t' => {
                out.push_str(&format!("\\u{{{:x}}}", c as u32));
            }
            c => out.push(c),
        }
    }
    out
}

/// The style sheet: readable without the script and on a phone-width screen.
pub const STYLE: &str = r#"
.ls-report{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:#212529;line-height:1.45;max-width:1000px;margin:0 auto;padding:12px;box-sizing:border-box;font-size:15px}
.ls-report *{box-sizing:border-box}
.ls-report h1{font-size:1.5em;margin:0 0 4px}
.ls-report h2{font-size:1.2em;margin:28px 0 8px;border-bottom:1px solid #dee2e6;padding-bottom:4px}
.ls-report h3{font-size:1em;margin:14px 0 6px}
.ls-report .ls-sub{color:#495057;margin:0 0 8px}
.ls-report .ls-note{color:#495057;font-size:.9em}
.ls-report .ls-cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(145px,1fr));gap:8px;margin:10px 0}
.ls-report .ls-card{border:1px solid #dee2e6;border-radius:6px;padding:8px 10px;background:#f8f9fa}
.ls-report .ls-card b{display:block;font-size:1.35em}
.ls-report .ls-card span{color:#495057;font-size:.85em}
.ls-report .ls-charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:12px}
.ls-report figure{margin:0}
.ls-report figcaption{font-size:.9em;color:#495057;margin-bottom:2px}
.ls-report .ls-chart{width:100%;height:auto;display:block}
.ls-report .ls-chart text{font-size:11px;fill:#343a40}
.ls-report .ls-plot{fill:#fff;stroke:#adb5bd}
.ls-report .ls-grid{stroke:#e9ecef}
.ls-report .ls-axis-title{font-size:11px;fill:#495057}
.ls-report .ls-scroll{overflow-x:auto;max-width:100%}
.ls-report table{border-collapse:collapse;font-size:.9em;margin:6px 0}
.ls-report th,.ls-report td{border-bottom:1px solid #e9ecef;padding:3px 8px;text-align:left;vertical-align:top}
.ls-report td.ls-num,.ls-report th.ls-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.ls-report .ls-bar{width:120px;height:12px;display:block}
.ls-report .ls-warn{color:#c92a2a}
.ls-report .ls-verdict{border-left:4px solid #2b8a3e;padding:4px 10px;background:#ebfbee}
.ls-report .ls-explorer{border:1px solid #dee2e6;border-radius:6px;padding:10px;margin:8px 0}
.ls-report .ls-slider-row{display:none;align-items:center;gap:10px;margin:6px 0 10px}
.ls-report.ls-js .ls-slider-row{display:flex}
.ls-report.ls-js .ls-nojs{display:none}
.ls-report .ls-slider{flex:1;min-width:0}
.ls-report .ls-confusion td{text-align:right;font-variant-numeric:tabular-nums}
.ls-report pre{background:#f8f9fa;border:1px solid #dee2e6;padding:8px;overflow-x:auto;font-size:.85em}
.ls-report details{margin:6px 0;border:1px solid #e9ecef;border-radius:6px;padding:4px 8px}
.ls-report summary{cursor:pointer}
.ls-report code{font-size:.92em}
@media (max-width:520px){.ls-report{font-size:14px;padding:8px}.ls-report .ls-cards{grid-template-columns:repeat(2,1fr)}}
"#;

/// The slider's script: reads the threshold table from the report's data block and
/// updates the figures, the confusion matrix and the chart markers as the slider
/// moves. It finds its own report through `document.currentScript`, so several
/// reports can share a page (a notebook).
pub const SCRIPT: &str = r#"
(function () {
  var me = document.currentScript;
  var root = me && me.closest ? me.closest('.ls-report') : null;
  if (!root) { return; }
  var block = root.querySelector('.ls-data');
  var slider = root.querySelector('.ls-slider');
  if (!block || !slider) { return; }
  var d = JSON.parse(block.textContent);
  var rows = d.table;
  if (!rows || !rows.length) { return; }
  function pct(x) { return (100 * x).toFixed(1) + ' %'; }
  function set(name, text) {
    var found = root.querySelectorAll('[data-v="' + name + '"]');
    for (var i = 0; i < found.length; i++) { found[i].textContent = text; }
  }
  function place(box, x, y) {
    return [box[0] + x * (box[1] - box[0]), box[3] - y * (box[3] - box[2])];
  }
  function dot(cls, box, x, y) {
    var c = root.querySelector('.' + cls);
    if (!c || !box) { return; }
    var p = place(box, x, y);
    c.setAttribute('cx', p[0].toFixed(2));
    c.setAttribute('cy', p[1].toFixed(2));
  }
  function cut(t) {
    var g = root.querySelector('.ls-slider-cut');
    if (!g || !d.histogram) { return; }
    var x = place(d.histogram, Math.min(Math.max(t, 0), 1), 0)[0];
    var line = g.querySelector('line');
    var label = g.querySelector('text');
    line.setAttribute('x1', x.toFixed(2));
    line.setAttribute('x2', x.toFixed(2));
    label.setAttribute('x', (x + 3).toFixed(2));
  }
  function show(i) {
    var r = rows[i];
    set('threshold', r[0].toFixed(4));
    set('tp', String(r[1]));
    set('fp', String(r[2]));
    set('tn', String(r[3]));
    set('fn', String(r[4]));
    set('precision', pct(r[5]));
    set('recall', pct(r[6]));
    set('false_positive_rate', pct(r[7]));
    set('f1', r[8].toFixed(3));
    set('flagged_per_1000', r[9].toFixed(0));
    set('share_flagged', pct(r[10]));
    set('at_policy', i === d.start ? d.policy_note : '');
    dot('ls-roc-dot', d.roc, r[7], r[6]);
    dot('ls-pr-dot', d.pr, r[6], r[5]);
    cut(r[0]);
  }
  slider.addEventListener('input', function () { show(Number(slider.value)); });
  root.classList.add('ls-js');
})();
"#;

/// A whole page around `body` (the report's root element).
pub fn document(title: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 512);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    // Nothing may load from anywhere: the page is the file.
    out.push_str("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n");
    out.push_str("<title>");
    out.push_str(&esc(title));
    out.push_str("</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("body{margin:0;background:#fff}\n</style>\n</head>\n<body>\n");
    out.push_str(body);
    out.push_str("\n</body>\n</html>\n");
    out
}

/// The compact form: the report's root element with its own scoped style, for a
/// notebook's output cell.
pub fn fragment(body: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + 32);
    out.push_str("<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n");
    out.push_str(body);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_covers_markup_quotes_and_controls() {
        assert_eq!(
            esc("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(esc("a\u{1b}b"), "a\\u{1b}b");
        assert_eq!(esc("Москва"), "Москва");
    }

    #[test]
    fn every_style_rule_is_scoped() {
        for rule in STYLE.split('}').map(str::trim).filter(|r| !r.is_empty()) {
            let selector = rule.split('{').next().unwrap_or("");
            assert!(
                selector.contains(".ls-report") || selector.starts_with("@media"),
                "unscoped rule: {rule}"
            );
        }
    }
}
