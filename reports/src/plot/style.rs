//! The shared look of netsim's plots, for every plotting module of the crate:
//! the bundled font, sizes, colours, a legend column beside the chart, unit
//! scaling, and rendering one [`Figure`] to both an SVG string and PNG bytes.
//!
//! Text is laid out, and rasterised in PNGs, with DejaVu Sans embedded in the
//! binary (`reports/assets/`, with its license), never a system font: the
//! same figure gives the same PNG bytes on every machine. SVGs name the
//! generic `sans-serif` family, so a browser draws their text with its own
//! sans-serif font, laid out as DejaVu Sans measures it.
//!
//! Using it from another plotting module:
//!
//! ```ignore
//! struct MyFigure { /* plain data */ }
//! impl Figure for MyFigure {
//!     fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
//!         let (plot, legend) = split_titled(root, "Goodput by queue size")?;
//!         let mut chart = chart_builder(&plot).build_cartesian_2d(x, y)?;
//!         // ... draw, then:
//!         draw_legend(&legend, &entries)
//!     }
//! }
//! let rendered = render(&MyFigure { .. }, &provenance.summary())?;
//! let (svg_name, png_name) = rendered.write(dir, "goodput")?;
//! ```

use std::io::{self, Write};
use std::ops::Range;
use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::coord::ranged1d::{Ranged, ValueFormatter};
use plotters::prelude::*;

use crate::atomic::AtomicFile;

// Legends, markers and lines are part of the style every plot shares.
pub(crate) use super::legend::{Marker, Swatch, draw_legend, draw_markers, entry};
pub(crate) use super::line::draw_line;

/// The font family every plot's text uses (registered with the bundled font).
pub(crate) const FONT: &str = "sans-serif";
/// DejaVu Sans 2.37 (Bitstream Vera license, see `assets/DejaVuSans-LICENSE.txt`).
static FONT_TTF: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");

/// Width and height of a figure, in pixels (SVG user units and PNG pixels).
pub(crate) const SIZE: (u32, u32) = (1000, 560);
/// Width of the legend column at the right of a figure.
pub(crate) const LEGEND_WIDTH: u32 = 240;
/// Pixel columns of a chart's plotting area, roughly (for de-cluttering markers).
pub(crate) const PLOT_COLUMNS: u32 = SIZE.0 - LEGEND_WIDTH - 90;

/// The result of drawing a figure.
pub(crate) type DrawResult<DB> =
    Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A picture drawn the same way on any plotters backend.
pub(crate) trait Figure {
    /// Size in pixels.
    fn size(&self) -> (u32, u32) {
        SIZE
    }

    /// Draws the figure on `root` (already filled white).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// One figure as SVG text and PNG bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Rendered {
    /// A self-contained SVG document with a `viewBox`.
    pub(crate) svg: String,
    /// An 8-bit RGB PNG.
    pub(crate) png: Vec<u8>,
}

/// Registers the bundled font under [`FONT`] (once per process).
///
/// # Panics
/// If the bundled font does not parse: a broken build, not bad input.
pub(crate) fn ensure_font() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if plotters::style::register_font(FONT, FontStyle::Normal, FONT_TTF).is_err() {
            panic!("the bundled DejaVu Sans font does not parse");
        }
    });
}

fn draw_error<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> io::Error {
    io::Error::other(format!("plot drawing failed: {e}"))
}

/// Renders `fig` to SVG and PNG. `note` (the run's provenance) goes into an
/// SVG comment and a PNG `Software` text chunk.
///
/// # Errors
/// Drawing or PNG encoding failed.
pub(crate) fn render(fig: &impl Figure, note: &str) -> io::Result<Rendered> {
    ensure_font();
    let (w, h) = fig.size();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        fig.draw(&root).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    // An XML comment may not contain "--".
    let comment = format!("<!-- {} -->\n", note.replace("--", "- -"));
    let at = svg.find('\n').map_or(svg.len(), |i| i + 1);
    svg.insert_str(at, &comment);

    let mut rgb = vec![0u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        fig.draw(&root).map_err(draw_error)?;
        root.present().map_err(draw_error)?;
    }
    let mut png = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut png, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.add_text_chunk("Software".to_string(), note.to_string())
            .map_err(io::Error::other)?;
        let mut writer = enc.write_header().map_err(io::Error::other)?;
        writer.write_image_data(&rgb).map_err(io::Error::other)?;
        writer.finish().map_err(io::Error::other)?;
    }
    Ok(Rendered { svg, png })
}

impl Rendered {
    /// Writes `<stem>.svg` and `<stem>.png` into `dir` atomically; returns
    /// their file names.
    ///
    /// # Errors
    /// A file cannot be written.
    pub(crate) fn write(&self, dir: &Path, stem: &str) -> io::Result<(String, String)> {
        let svg_name = format!("{stem}.svg");
        let png_name = format!("{stem}.png");
        for (name, bytes) in [(&svg_name, self.svg.as_bytes()), (&png_name, &self.png[..])] {
            let mut f = AtomicFile::create(dir, name)?;
            f.write_all(bytes)?;
            f.commit()?;
        }
        Ok((svg_name, png_name))
    }
}

/// The title's text style.
pub(crate) fn title_font() -> TextStyle<'static> {
    (FONT, 22).into_font().color(&BLACK)
}

/// Axis descriptions' text style.
pub(crate) fn axis_font() -> TextStyle<'static> {
    (FONT, 16).into_font().color(&BLACK)
}

/// Tick labels' text style.
pub(crate) fn tick_font() -> TextStyle<'static> {
    (FONT, 13).into_font().color(&RGBColor(40, 40, 40))
}

/// Legend and annotation text style.
pub(crate) fn small_font() -> TextStyle<'static> {
    (FONT, 13).into_font().color(&BLACK)
}

/// Ten distinct colours (Tableau 10), for one series each.
pub(crate) const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The colour of series number `i`.
pub(crate) fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// Grey for context lines (bytes in flight, ...).
pub(crate) const GREY: RGBColor = RGBColor(150, 150, 150);
/// Red for losses, drops and timeouts.
pub(crate) const ALERT: RGBColor = RGBColor(214, 39, 40);

/// A chart area and its legend column.
pub(crate) type ChartAndLegend<DB> = (DrawingArea<DB, Shift>, DrawingArea<DB, Shift>);

/// Splits `root` into a titled chart area (left) and a legend column (right).
///
/// # Errors
/// Drawing the title failed.
pub(crate) fn split_titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<ChartAndLegend<DB>, DrawingAreaErrorKind<DB::ErrorType>> {
    let body = root.margin(8, 4, 6, 6).titled(title, title_font())?;
    let (w, _) = body.dim_in_pixel();
    Ok(body.split_horizontally(w.saturating_sub(LEGEND_WIDTH)))
}

/// A chart builder with netsim's margins and label areas on `area`.
pub(crate) fn chart_builder<'a, 'b, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
) -> ChartBuilder<'a, 'b, DB> {
    let mut b = ChartBuilder::on(area);
    b.margin_top(6)
        .margin_right(12)
        .x_label_area_size(42)
        .y_label_area_size(72);
    b
}

/// Draws `chart`'s axes and grid in netsim's style: `x_desc` and `y_desc`
/// along the axes, tick labels by [`tick_number`].
///
/// # Errors
/// Drawing failed.
pub(crate) fn draw_mesh<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    draw_mesh_with(chart, x_desc, y_desc, &tick_number)
}

/// [`draw_mesh`] with tick labels by `ticks`.
///
/// # Errors
/// Drawing failed.
pub(crate) fn draw_mesh_with<DB, X, Y>(
    chart: &mut ChartContext<'_, DB, Cartesian2d<X, Y>>,
    x_desc: &str,
    y_desc: &str,
    ticks: &dyn Fn(&f64) -> String,
) -> DrawResult<DB>
where
    DB: DrawingBackend,
    X: Ranged<ValueType = f64> + ValueFormatter<f64>,
    Y: Ranged<ValueType = f64> + ValueFormatter<f64>,
{
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .x_label_formatter(ticks)
        .y_label_formatter(ticks)
        .label_style(tick_font())
        .axis_desc_style(axis_font())
        .light_line_style(RGBColor(238, 238, 238))
        .bold_line_style(RGBColor(215, 215, 215))
        .draw()
}

/// A unit to show values in: divide by `div`, name it `unit`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Scale {
    /// The divisor.
    pub(crate) div: f64,
    /// The unit's name.
    pub(crate) unit: &'static str,
}

/// Bytes, KB, MB or GB (powers of 1000) so that `max` reads well.
pub(crate) fn byte_scale(max: f64) -> Scale {
    match max {
        m if m >= 1e9 => Scale {
            div: 1e9,
            unit: "GB",
        },
        m if m >= 1e6 => Scale {
            div: 1e6,
            unit: "MB",
        },
        m if m >= 1e4 => Scale {
            div: 1e3,
            unit: "KB",
        },
        _ => Scale {
            div: 1.0,
            unit: "bytes",
        },
    }
}

/// bit/s, kbit/s, Mbit/s or Gbit/s so that `max_bps` reads well.
pub(crate) fn rate_scale(max_bps: f64) -> Scale {
    match max_bps {
        m if m >= 1e9 => Scale {
            div: 1e9,
            unit: "Gbit/s",
        },
        m if m >= 1e6 => Scale {
            div: 1e6,
            unit: "Mbit/s",
        },
        m if m >= 1e3 => Scale {
            div: 1e3,
            unit: "kbit/s",
        },
        _ => Scale {
            div: 1.0,
            unit: "bit/s",
        },
    }
}

/// `v` with three significant digits at most, no trailing zeros: `250`,
/// `1.5`, `0.042`.
pub(crate) fn short_number(v: f64) -> String {
    let digits = if v.abs() >= 100.0 {
        0
    } else if v.abs() >= 10.0 {
        1
    } else if v.abs() >= 1.0 {
        2
    } else {
        3
    };
    let s = format!("{v:.digits$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A tick label: the value with up to six decimals, trailing zeros cut
/// (`5`, `1.125`, `0.04`).
pub(crate) fn tick_number(v: &f64) -> String {
    let s = format!("{v:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" {
        "0".to_string()
    } else {
        s.to_string()
    }
}

/// A byte count for a reader: `250 KB`, `1.5 MB`, `900 bytes`.
pub(crate) fn format_bytes(bytes: f64) -> String {
    let (div, unit) = match bytes {
        b if b >= 1e9 => (1e9, "GB"),
        b if b >= 1e6 => (1e6, "MB"),
        b if b >= 1e3 => (1e3, "KB"),
        _ => (1.0, "bytes"),
    };
    format!("{} {unit}", short_number(bytes / div))
}

/// A rate for a reader: `10 Mbit/s`.
pub(crate) fn format_rate(bps: f64) -> String {
    let s = rate_scale(bps);
    format!("{} {}", short_number(bps / s.div), s.unit)
}

/// A duration in seconds for a reader: `40.7 ms`, `1.2 s`.
pub(crate) fn format_secs(s: f64) -> String {
    if s >= 1.0 {
        format!("{} s", short_number(s))
    } else {
        format!("{} ms", short_number(s * 1e3))
    }
}

/// The time axis for data spanning `lo..=hi` seconds: 2% of the span (at
/// least 1 ms) of room on each side.
pub(crate) fn time_axis(lo: f64, hi: f64) -> Range<f64> {
    let pad = ((hi - lo) * 0.02).max(0.001);
    (lo - pad).max(0.0)..hi + pad
}

/// A value axis from zero to a little above `max` (1 when `max` is not positive).
pub(crate) fn value_axis(max: f64) -> Range<f64> {
    if max > 0.0 { 0.0..max * 1.08 } else { 0.0..1.0 }
}

/// Keeps the first of `times` in each pixel column of an axis spanning
/// `axis` over [`PLOT_COLUMNS`] pixels, so that a thousand markers do not
/// become a thousand overlapping shapes.
pub(crate) fn one_per_column(times: &[f64], axis: &Range<f64>) -> Vec<f64> {
    let w = (axis.end - axis.start) / f64::from(PLOT_COLUMNS);
    let mut out: Vec<f64> = Vec::new();
    let mut last_col = None;
    for &t in times {
        let col = ((t - axis.start) / w).floor() as i64;
        if last_col != Some(col) {
            out.push(t);
            last_col = Some(col);
        }
    }
    out
}

/// Pixel rows of a chart's plotting area in a [`SIZE`] figure, roughly.
pub(crate) const PLOT_ROWS: u32 = SIZE.1 - 130;

/// Keeps those of `points` that are at least a cell of `cell` pixels (width,
/// height) away from every point kept before them, on a chart spanning `x`
/// and `y` over [`PLOT_COLUMNS`] × [`PLOT_ROWS`] pixels (on a grid of such
/// cells: a kept point's cell and its eight neighbours are taken), so that
/// marks never overlap.
pub(crate) fn one_per_cell(
    points: &[(f64, f64)],
    x: &Range<f64>,
    y: &Range<f64>,
    cell: (f64, f64),
) -> Vec<(f64, f64)> {
    let w = (x.end - x.start) / f64::from(PLOT_COLUMNS) * cell.0;
    let h = (y.end - y.start) / f64::from(PLOT_ROWS) * cell.1;
    let mut taken = std::collections::BTreeSet::new();
    points
        .iter()
        .filter(|p| {
            let (cx, cy) = (
                ((p.0 - x.start) / w).floor() as i64,
                ((p.1 - y.start) / h).floor() as i64,
            );
            let free = (-1..=1).all(|dx| (-1..=1).all(|dy| !taken.contains(&(cx + dx, cy + dy))));
            if free {
                taken.insert((cx, cy));
            }
            free
        })
        .copied()
        .collect()
}

/// The value of a step function given by `points` (time-ordered) at `t`:
/// the last point at or before `t`, else the first.
pub(crate) fn value_at(points: &[(f64, f64)], t: f64) -> Option<f64> {
    let i = points.partition_point(|p| p.0 <= t);
    points.get(i.saturating_sub(1)).map(|p| p.1)
}

/// `points` as a staircase: each value holds until the next point's time.
pub(crate) fn steps(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (k, &(t, v)) in points.iter().enumerate() {
        if k > 0 {
            out.push((t, points[k - 1].1));
        }
        out.push((t, v));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_read_well() {
        assert_eq!(format_bytes(250_000.0), "250 KB");
        assert_eq!(format_bytes(1_500_000.0), "1.5 MB");
        assert_eq!(format_bytes(900.0), "900 bytes");
        assert_eq!(format_bytes(14_600.0), "14.6 KB");
        assert_eq!(format_rate(10e6), "10 Mbit/s");
        assert_eq!(format_rate(2.5e9), "2.5 Gbit/s");
        assert_eq!(format_secs(0.0407), "40.7 ms");
        assert_eq!(format_secs(16.0), "16 s");
        assert_eq!(tick_number(&1.125), "1.125");
        assert_eq!(tick_number(&(1.1 + 2.2)), "3.3");
        assert_eq!(tick_number(&10.0), "10");
        assert_eq!(tick_number(&0.0), "0");
    }

    #[test]
    fn staircase_holds_each_value() {
        assert_eq!(
            steps(&[(0.0, 1.0), (1.0, 2.0), (2.0, 4.0)]),
            [(0.0, 1.0), (1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 4.0)]
        );
        let pts = [(1.0, 10.0), (2.0, 20.0)];
        assert_eq!(value_at(&pts, 1.5), Some(10.0));
        assert_eq!(value_at(&pts, 2.0), Some(20.0));
        assert_eq!(value_at(&pts, 0.5), Some(10.0));
    }

    #[test]
    fn markers_are_thinned_to_one_per_pixel_column() {
        let axis = 0.0..f64::from(PLOT_COLUMNS);
        assert_eq!(
            one_per_column(&[0.1, 0.2, 0.9, 1.0, 5.5], &axis),
            [0.1, 1.0, 5.5]
        );
    }

    #[test]
    fn overlapping_marks_are_drawn_once() {
        let x = 0.0..f64::from(PLOT_COLUMNS);
        let y = 0.0..f64::from(PLOT_ROWS);
        let pts = [
            (1.0, 1.0),
            (5.0, 5.0),
            (12.0, 1.0),
            (25.0, 1.0),
            (1.0, 23.0),
        ];
        assert_eq!(
            one_per_cell(&pts, &x, &y, (10.0, 10.0)),
            [(1.0, 1.0), (25.0, 1.0), (1.0, 23.0)]
        );
    }
}
