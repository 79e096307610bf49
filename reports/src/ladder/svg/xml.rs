//! Writing SVG elements into a string: attributes in the order given,
//! coordinates with at most one decimal, text escaped (quick-xml), so the
//! same drawing is always the same bytes.
//!
//! The drawings are meant to be inlined into an HTML page next to others, so
//! they use presentation attributes only: no `<style>`, no `id`s to collide.

use std::fmt::{Display, Write as _};

use quick_xml::escape::escape;

/// Monospace text: advance of one character, in em (a fair guess for the
/// usual monospace fonts, used to keep labels inside the drawing).
const MONO_ADVANCE: f64 = 0.6;

/// The width of `text` in a monospace font of `size` px.
pub(crate) fn mono_width(text: &str, size: f64) -> f64 {
    text.chars().count() as f64 * size * MONO_ADVANCE
}

/// A coordinate or length: one decimal, no trailing `.0`.
pub(crate) fn num(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    if tenths % 10 == 0 {
        format!("{}", tenths / 10)
    } else {
        format!("{:.1}", tenths as f64 / 10.0)
    }
}

/// One element being written.
#[must_use = "an element is written by `empty` or `text`"]
pub(crate) struct El {
    start: String,
}

impl El {
    /// `<name`.
    pub(crate) fn new(name: &str) -> El {
        El {
            start: format!("<{name}"),
        }
    }

    /// ` key="value"`, the value escaped.
    pub(crate) fn attr(mut self, key: &str, value: impl Display) -> El {
        let value = value.to_string();
        let _ = write!(self.start, " {key}=\"{}\"", escape(value.as_str()));
        self
    }

    /// A coordinate or length attribute.
    pub(crate) fn num(self, key: &str, v: f64) -> El {
        self.attr(key, num(v))
    }

    /// `points="x,y x,y ..."`.
    pub(crate) fn points(self, pts: &[(f64, f64)]) -> El {
        let list: Vec<String> = pts
            .iter()
            .map(|&(x, y)| format!("{},{}", num(x), num(y)))
            .collect();
        self.attr("points", list.join(" "))
    }

    /// Writes `<name ... />` and a newline.
    pub(crate) fn empty(self, out: &mut String) {
        out.push_str(&self.start);
        out.push_str("/>\n");
    }

    /// Writes `<name ...>text</name>` and a newline, the text escaped.
    pub(crate) fn text(self, text: &str, out: &mut String) {
        let name = element_name(&self.start);
        out.push_str(&self.start);
        out.push('>');
        out.push_str(&escape(text));
        let _ = writeln!(out, "</{name}>");
    }

    /// Writes `<name ...>`, children to follow; close with `</name>`.
    pub(crate) fn open(self, out: &mut String) {
        out.push_str(&self.start);
        out.push_str(">\n");
    }
}

fn element_name(start: &str) -> &str {
    let name = &start[1..];
    name.split(' ').next().unwrap_or(name)
}

/// A `<tspan>` run inside a `<text>`: the text escaped, an optional fill.
pub(crate) fn tspan(text: &str, fill: Option<&str>) -> String {
    match fill {
        Some(f) => format!("<tspan fill=\"{f}\">{}</tspan>", escape(text)),
        None => escape(text).into_owned(),
    }
}

/// Writes a `<text>` made of `runs` (already built with [`tspan`]).
pub(crate) fn rich_text(el: El, runs: &[String], out: &mut String) {
    out.push_str(&el.start);
    out.push('>');
    for r in runs {
        out.push_str(r);
    }
    out.push_str("</text>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_escaping() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.25), "12.3");
        assert_eq!(num(-0.04), "0");
        let mut out = String::new();
        El::new("text")
            .num("x", 1.5)
            .attr("fill", "#123")
            .text("a<b & \"c\"", &mut out);
        assert_eq!(
            out,
            "<text x=\"1.5\" fill=\"#123\">a&lt;b &amp; &quot;c&quot;</text>\n"
        );
    }
}
