//! The legend column beside a chart, and the markers shared by charts and
//! legends.

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::RGBAColor;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{DrawResult, small_font};

/// How a legend entry is drawn.
#[derive(Clone, Debug)]
pub(crate) enum Swatch {
    /// A line of this colour and width, dashed or not.
    Line(RGBColor, u32, bool),
    /// A filled marker.
    Marker(Marker, RGBColor),
    /// A translucent area.
    Band(RGBAColor),
}

/// Marker shapes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Marker {
    /// A filled circle.
    Circle,
    /// A filled triangle.
    Triangle,
    /// A cross.
    Cross,
    /// A short vertical tick.
    Tick,
}

/// One legend line: a swatch and its text.
#[derive(Clone, Debug)]
pub(crate) struct LegendEntry {
    /// What the entry shows.
    pub(crate) swatch: Swatch,
    /// Its text.
    pub(crate) label: String,
}

/// A legend entry.
pub(crate) fn entry(swatch: Swatch, label: impl Into<String>) -> LegendEntry {
    LegendEntry {
        swatch,
        label: label.into(),
    }
}

/// Draws a marker of a fixed size in pixels at each of `points` (chart
/// coordinates) on `chart`.
///
/// # Errors
/// Drawing failed.
pub(crate) fn draw_markers<DB, CT, I>(
    chart: &mut ChartContext<'_, DB, CT>,
    shape: Marker,
    color: RGBColor,
    points: I,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    CT: CoordTranslate,
    CT::From: Clone + 'static,
    I: IntoIterator<Item = CT::From>,
{
    let pts = points.into_iter();
    match shape {
        Marker::Circle => chart.draw_series(pts.map(|p| Circle::new(p, 3, color.filled())))?,
        Marker::Triangle => {
            chart.draw_series(pts.map(|p| TriangleMarker::new(p, 6, color.filled())))?
        }
        Marker::Cross => chart.draw_series(pts.map(|p| Cross::new(p, 4, color.stroke_width(2))))?,
        Marker::Tick => chart.draw_series(pts.map(|p| {
            EmptyElement::at(p) + PathElement::new(vec![(0, -5), (0, 5)], color.stroke_width(2))
        }))?,
    };
    Ok(())
}

/// Draws a marker centred at pixel `at` of `area` (as [`draw_markers`] does on a chart).
///
/// # Errors
/// Drawing failed.
pub(crate) fn draw_marker_px<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    shape: Marker,
    color: RGBColor,
    at: (i32, i32),
) -> DrawResult<DB> {
    match shape {
        Marker::Circle => area.draw(&Circle::new(at, 3, color.filled())),
        Marker::Triangle => area.draw(&TriangleMarker::new(at, 6, color.filled())),
        Marker::Cross => area.draw(&Cross::new(at, 4, color.stroke_width(2))),
        Marker::Tick => area.draw(&PathElement::new(
            vec![(at.0, at.1 - 5), (at.0, at.1 + 5)],
            color.stroke_width(2),
        )),
    }
}

/// Draws `entries` down the legend column, with an optional note below them
/// (wrapped at word boundaries).
///
/// # Errors
/// Drawing failed.
pub(crate) fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[LegendEntry],
    note: &[String],
) -> DrawResult<DB> {
    let font = small_font();
    let line_h = 20;
    let mut y = 16;
    let x = 4;
    for e in entries {
        let mid = y;
        match &e.swatch {
            Swatch::Line(c, w, dashed) => {
                let style = c.stroke_width(*w);
                if *dashed {
                    for k in 0..3 {
                        let x0 = x + k * 10;
                        area.draw(&PathElement::new(vec![(x0, mid), (x0 + 6, mid)], style))?;
                    }
                } else {
                    area.draw(&PathElement::new(vec![(x, mid), (x + 26, mid)], style))?;
                }
            }
            Swatch::Marker(m, c) => draw_marker_px(area, *m, *c, (x + 13, mid))?,
            Swatch::Band(c) => area.draw(&Rectangle::new(
                [(x, mid - 6), (x + 26, mid + 6)],
                c.filled(),
            ))?,
        }
        for (k, line) in wrap(&e.label, 27).into_iter().enumerate() {
            area.draw(&Text::new(
                line,
                (x + 34, mid + k as i32 * 16),
                font.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            if k > 0 {
                y += 16;
            }
        }
        y += line_h;
    }
    y += 6;
    let grey = font.color(&RGBColor(80, 80, 80));
    for para in note {
        for line in wrap(para, 32) {
            area.draw(&Text::new(
                line,
                (x, y),
                grey.pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
            y += 16;
        }
        y += 4;
    }
    Ok(())
}

/// Splits `text` into lines of at most about `width` characters, at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        if !cur.is_empty() && cur.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_legend_text_wraps_at_spaces() {
        assert_eq!(
            wrap("retransmission after a timeout (RTO)", 27),
            ["retransmission after a", "timeout (RTO)"]
        );
    }
}
