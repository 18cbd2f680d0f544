//! A small SVG writer for the report's charts: a plot box with axes, ticks and a
//! legend, and the marks the report draws (lines, points, bars). Every number is
//! written with a fixed number of decimals, so the same model gives the same bytes.
//!
//! Our own rather than a plotting crate: the report needs five chart shapes, inline
//! and deterministic, and a few hundred lines serve that without a font stack, a
//! raster backend or their build time in every binding.

use super::page::esc;
use std::fmt::Write;

/// The width of every chart's view box; charts scale to their container.
pub const WIDTH: f64 = 480.0;
/// Margins around the plot box: left, right, top, bottom.
const MARGIN: (f64, f64, f64, f64) = (52.0, 14.0, 12.0, 40.0);

/// The colours of the two classes and of the reference lines.
pub const POSITIVE: &str = "#d9480f";
/// The colour of the negative class.
pub const NEGATIVE: &str = "#1c7ed6";
/// The colour of random-guess and ideal lines.
pub const REFERENCE: &str = "#868e96";
/// The colour of the model's curve.
pub const MODEL: &str = "#2b8a3e";

/// A chart under construction: the plot box maps data `x` in `[x0, x1]` and `y` in
/// `[y0, y1]` onto the view box.
pub struct Chart {
    out: String,
    height: f64,
    x: (f64, f64),
    y: (f64, f64),
}

/// A number for SVG: two decimals (a hundredth of a view-box unit).
fn n(v: f64) -> String {
    if v.is_finite() {
        format!("{v:.2}")
    } else {
        "0".into()
    }
}

impl Chart {
    /// A chart `height` units tall over the data ranges `x` and `y`, titled `label`
    /// for screen readers, with axis titles `x_title` and `y_title`.
    pub fn new(
        height: f64,
        x: (f64, f64),
        y: (f64, f64),
        label: &str,
        x_title: &str,
        y_title: &str,
    ) -> Chart {
        let mut c = Chart {
            out: String::new(),
            height,
            x,
            y,
        };
        let _ = write!(
            c.out,
            "<svg class=\"ls-chart\" viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
            n(WIDTH),
            n(height),
            esc(label)
        );
        let (pl, pr, pt, pb) = c.plot_box();
        let _ = write!(
            c.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" class=\"ls-plot\"/>",
            n(pl),
            n(pt),
            n(pr - pl),
            n(pb - pt)
        );
        let _ = write!(
            c.out,
            "<text x=\"{}\" y=\"{}\" class=\"ls-axis-title\" text-anchor=\"middle\">{}</text>",
            n((pl + pr) / 2.0),
            n(height - 6.0),
            esc(x_title)
        );
        let _ = write!(
            c.out,
            "<text x=\"12\" y=\"{}\" class=\"ls-axis-title\" text-anchor=\"middle\" transform=\"rotate(-90 12 {})\">{}</text>",
            n((pt + pb) / 2.0),
            n((pt + pb) / 2.0),
            esc(y_title)
        );
        c
    }

    /// The plot box in view-box units: left, right, top, bottom.
    pub fn plot_box(&self) -> (f64, f64, f64, f64) {
        let (l, r, t, b) = MARGIN;
        (l, WIDTH - r, t, self.height - b)
    }

    /// The view-box x of data `x`.
    pub fn px(&self, x: f64) -> f64 {
        let (l, r, _, _) = self.plot_box();
        let span = self.x.1 - self.x.0;
        let f = if span > 0.0 {
            (x - self.x.0) / span
        } else {
            0.5
        };
        l + f.clamp(0.0, 1.0) * (r - l)
    }

    /// The view-box y of data `y`.
    pub fn py(&self, y: f64) -> f64 {
        let (_, _, t, b) = self.plot_box();
        let span = self.y.1 - self.y.0;
        let f = if span > 0.0 {
            (y - self.y.0) / span
        } else {
            0.5
        };
        b - f.clamp(0.0, 1.0) * (b - t)
    }

    /// Ticks on the x axis at `values`, labelled by `label`.
    pub fn x_ticks(&mut self, values: &[f64], label: impl Fn(f64) -> String) {
        let (_, _, t, b) = self.plot_box();
        for &v in values {
            let x = self.px(v);
            let _ = write!(
                self.out,
                "<line x1=\"{x}\" y1=\"{t}\" x2=\"{x}\" y2=\"{b}\" class=\"ls-grid\"/><text x=\"{x}\" y=\"{}\" class=\"ls-tick\" text-anchor=\"middle\">{}</text>",
                n(b + 14.0),
                esc(&label(v)),
                x = n(x),
                t = n(t),
                b = n(b),
            );
        }
    }

    /// Ticks on the y axis at `values`, labelled by `label`.
    pub fn y_ticks(&mut self, values: &[f64], label: impl Fn(f64) -> String) {
        let (l, r, _, _) = self.plot_box();
        for &v in values {
            let y = self.py(v);
            let _ = write!(
                self.out,
                "<line x1=\"{l}\" y1=\"{y}\" x2=\"{r}\" y2=\"{y}\" class=\"ls-grid\"/><text x=\"{}\" y=\"{}\" class=\"ls-tick\" text-anchor=\"end\">{}</text>",
                n(l - 5.0),
                n(y + 4.0),
                esc(&label(v)),
                l = n(l),
                r = n(r),
                y = n(y),
            );
        }
    }

    /// A polyline through `points` (data units), in `colour`, dashed when `dashed`.
    pub fn line(&mut self, points: &[(f64, f64)], colour: &str, dashed: bool) {
        if points.is_empty() {
            return;
        }
        let pts: Vec<String> = points
            .iter()
            .map(|&(x, y)| format!("{},{}", n(self.px(x)), n(self.py(y))))
            .collect();
        let _ = write!(
            self.out,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{}/>",
            pts.join(" "),
            if dashed {
                " stroke-dasharray=\"5 4\""
            } else {
                ""
            }
        );
    }

    /// A dot at (`x`, `y`) in data units; `class` lets the page's script find and
    /// move it.
    pub fn dot(&mut self, x: f64, y: f64, colour: &str, class: &str) {
        let _ = write!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{colour}\" stroke=\"#fff\" stroke-width=\"1.5\" class=\"{}\"/>",
            n(self.px(x)),
            n(self.py(y)),
            esc(class)
        );
    }

    /// A hollow ring at (`x`, `y`) in data units: a fixed mark (the stored cut).
    pub fn ring(&mut self, x: f64, y: f64, colour: &str) {
        let _ = write!(
            self.out,
            "<circle cx=\"{}\" cy=\"{}\" r=\"8\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"/>",
            n(self.px(x)),
            n(self.py(y))
        );
    }

    /// A vertical line across the plot box at data `x`, labelled `label` at its top.
    pub fn vline(&mut self, x: f64, colour: &str, class: &str, label: &str) {
        let (_, _, t, b) = self.plot_box();
        let px = self.px(x);
        let _ = write!(
            self.out,
            "<g class=\"{}\"><line x1=\"{px}\" y1=\"{}\" x2=\"{px}\" y2=\"{}\" stroke=\"{colour}\" stroke-width=\"2\" stroke-dasharray=\"4 3\"/><text x=\"{}\" y=\"{}\" class=\"ls-tick\">{}</text></g>",
            esc(class),
            n(t),
            n(b),
            n(px + 3.0),
            n(t + 11.0),
            esc(label),
            px = n(px),
        );
    }

    /// A bar from `x_from` to `x_to` and from `y_from` to `y_to` (data units), with a
    /// tooltip.
    pub fn bar(&mut self, x: (f64, f64), y: (f64, f64), colour: &str, title: &str) {
        let (x0, x1) = (self.px(x.0.min(x.1)), self.px(x.0.max(x.1)));
        let (y0, y1) = (self.py(y.0.max(y.1)), self.py(y.0.min(y.1)));
        let _ = write!(
            self.out,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{colour}\"><title>{}</title></rect>",
            n(x0),
            n(y0),
            n((x1 - x0).max(0.0)),
            n((y1 - y0).max(0.0)),
            esc(title)
        );
    }

    /// A text label at (`x`, `y`) in view-box units.
    pub fn text_at(&mut self, x: f64, y: f64, anchor: &str, text: &str) {
        let _ = write!(
            self.out,
            "<text x=\"{}\" y=\"{}\" class=\"ls-tick\" text-anchor=\"{anchor}\">{}</text>",
            n(x),
            n(y),
            esc(text)
        );
    }

    /// A legend of (colour, name) entries in the plot box's top-left corner
    /// (`right`: its top-right corner).
    pub fn legend(&mut self, entries: &[(&str, &str)], right: bool) {
        let (l, r, t, _) = self.plot_box();
        for (i, (colour, name)) in entries.iter().enumerate() {
            let y = t + 8.0 + 15.0 * i as f64;
            let x = if right { r - 120.0 } else { l + 8.0 };
            let _ = write!(
                self.out,
                "<rect x=\"{}\" y=\"{}\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"{}\" class=\"ls-tick\">{}</text>",
                n(x),
                n(y),
                n(x + 14.0),
                n(y + 9.0),
                esc(name)
            );
        }
    }

    /// The finished `<svg>` element.
    pub fn finish(mut self) -> String {
        self.out.push_str("</svg>");
        self.out
    }
}

/// Ticks at 0, 0.25, ..., 1.
pub const UNIT_TICKS: [f64; 5] = [0.0, 0.25, 0.5, 0.75, 1.0];

/// "nice" tick values from 0 to at least `max` (about five of them).
pub fn ticks_to(max: f64) -> Vec<f64> {
    if !(max.is_finite() && max > 0.0) {
        return vec![0.0, 1.0];
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| s * 4.0 >= max)
        .unwrap_or(10.0 * mag);
    let k = (max / step).ceil() as usize;
    (0..=k.min(10)).map(|i| i as f64 * step).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_cover_the_range() {
        for max in [0.3, 1.0, 7.0, 123.0, 4812.0] {
            let t = ticks_to(max);
            assert_eq!(t[0], 0.0);
            assert!(*t.last().unwrap() >= max, "{max}: {t:?}");
            assert!(t.len() <= 11);
        }
        assert_eq!(ticks_to(f64::NAN), vec![0.0, 1.0]);
    }

    #[test]
    fn a_chart_is_one_svg_element_with_escaped_text() {
        let mut c = Chart::new(200.0, (0.0, 1.0), (0.0, 1.0), "a<b", "x & y", "\"y\"");
        c.line(&[(0.0, 0.0), (1.0, 1.0)], MODEL, false);
        c.dot(0.5, 0.5, MODEL, "m");
        let s = c.finish();
        assert!(s.starts_with("<svg ") && s.ends_with("</svg>"));
        assert!(s.contains("a&lt;b") && s.contains("x &amp; y") && s.contains("&quot;y&quot;"));
        // Out-of-range data stays in the plot box.
        let c = Chart::new(200.0, (0.0, 1.0), (0.0, 1.0), "", "", "");
        assert_eq!(c.px(2.0), c.plot_box().1);
        assert_eq!(c.py(-1.0), c.plot_box().3);
    }
}
