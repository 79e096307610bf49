//! The sweep plot: one metric against one swept parameter, one line per
//! combination of the other parameters' values, each point the mean over the
//! repetitions with its 95 % confidence interval as an error bar, and an
//! optional reference curve (a model such as Mathis et al.) drawn dashed.
//! Written as `<stem>.svg` and `<stem>.png` in the shared plot style.
//!
//! The figure knows nothing of sweeps' files: the caller (`netsim sweep`,
//! `netsim merge`) hands it the numbers, already in display units.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::coord::ranged1d::{
    AsRangedCoord, DefaultFormatting, KeyPointHint, Ranged, ValueFormatter,
};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::style::{
    self, DrawResult, Figure, Marker, Swatch, chart_builder, draw_legend, draw_markers, entry,
    series_color, short_number, split_titled,
};

/// One measured point: the mean of a metric at `x`, and the half-width of
/// its 95 % confidence interval (none for a single repetition).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// The swept parameter's value.
    pub x: f64,
    /// The mean over the repetitions.
    pub mean: f64,
    /// Half the width of the 95 % confidence interval.
    pub ci95: Option<f64>,
}

/// One line: the points of one combination of the other parameters' values.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Legend text, e.g. `cc=Cubic` (empty when nothing else is swept).
    pub label: String,
    /// The points, by increasing x.
    pub points: Vec<Point>,
}

/// A model curve.
#[derive(Clone, Debug, PartialEq)]
pub struct Curve {
    /// Legend text.
    pub label: String,
    /// `(x, y)` samples, by increasing x.
    pub points: Vec<(f64, f64)>,
}

/// What the sweep plot shows.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPlot {
    /// The figure's title.
    pub title: String,
    /// The x axis description.
    pub x_label: String,
    /// The y axis description (with its unit).
    pub y_label: String,
    /// A logarithmic x axis.
    pub log_x: bool,
    /// The measured lines.
    pub lines: Vec<Line>,
    /// The reference curve, if any.
    pub reference: Option<Curve>,
}

impl SweepPlot {
    /// The x range of the data, with some room on each side.
    fn x_range(&self) -> Range<f64> {
        let xs = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.x))
            .chain(
                self.reference
                    .iter()
                    .flat_map(|c| c.points.iter().map(|p| p.0)),
            );
        let (lo, hi) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
        if !lo.is_finite() {
            return if self.log_x { 0.1..10.0 } else { 0.0..1.0 };
        }
        if self.log_x {
            // A fifth of a decade beyond the extremes.
            lo / 1.6..hi * 1.6
        } else {
            let pad = ((hi - lo) * 0.05).max(hi.abs() * 0.05).max(1e-9);
            lo - pad..hi + pad
        }
    }

    /// The y range: zero to a little above the highest bar or curve point.
    fn y_range(&self) -> Range<f64> {
        let top = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.mean + p.ci95.unwrap_or(0.0)))
            .chain(
                self.reference
                    .iter()
                    .flat_map(|c| c.points.iter().map(|p| p.1)),
            )
            .filter(|y| y.is_finite())
            .fold(0.0, f64::max);
        style::value_axis(top)
    }

    fn draw_chart<DB, X>(&self, area: &DrawingArea<DB, Shift>, x: X) -> DrawResult<DB>
    where
        DB: DrawingBackend,
        X: AsRangedCoord<Value = f64>,
        X::CoordDescType: ValueFormatter<f64>,
    {
        let mut chart = chart_builder(area).build_cartesian_2d(x, self.y_range())?;
        style::draw_mesh_with(&mut chart, &self.x_label, &self.y_label, &|v| {
            short_number(*v)
        })?;
        if let Some(c) = &self.reference {
            chart.draw_series(DashedLineSeries::new(
                c.points.iter().copied(),
                8,
                5,
                style::GREY.stroke_width(2),
            ))?;
        }
        for (i, l) in self.lines.iter().enumerate() {
            let color = series_color(i);
            chart.draw_series(LineSeries::new(
                l.points.iter().map(|p| (p.x, p.mean)),
                color.stroke_width(2),
            ))?;
            for p in &l.points {
                if let Some(ci) = p.ci95 {
                    chart.draw_series(std::iter::once(PathElement::new(
                        vec![(p.x, p.mean - ci), (p.x, p.mean + ci)],
                        color.stroke_width(1),
                    )))?;
                    for y in [p.mean - ci, p.mean + ci] {
                        chart.draw_series(std::iter::once(
                            EmptyElement::at((p.x, y))
                                + PathElement::new(vec![(-5, 0), (5, 0)], color.stroke_width(1)),
                        ))?;
                    }
                }
                draw_markers(&mut chart, Marker::Circle, color, [(p.x, p.mean)])?;
            }
        }
        Ok(())
    }
}

/// An x coordinate with its ticks and grid lines at given values (the swept
/// values) and no minor grid lines.
struct Ticked<R> {
    inner: R,
    ticks: Vec<f64>,
}

impl<R: Ranged<ValueType = f64>> Ranged for Ticked<R> {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.inner.range()
    }

    fn axis_pixel_range(&self, limit: (i32, i32)) -> Range<i32> {
        self.inner.axis_pixel_range(limit)
    }
}

impl Figure for SweepPlot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (area, legend) = split_titled(root, &self.title)?;
        // Ticks at the swept values themselves.
        let mut ticks: Vec<f64> = self
            .lines
            .iter()
            .flat_map(|l| l.points.iter().map(|p| p.x))
            .collect();
        ticks.sort_by(f64::total_cmp);
        ticks.dedup();
        let x = self.x_range();
        if self.log_x {
            let inner: LogCoord<f64> = x.log_scale().into();
            self.draw_chart(&area, Ticked { inner, ticks })?;
        } else {
            let inner: RangedCoordf64 = x.into();
            self.draw_chart(&area, Ticked { inner, ticks })?;
        }
        let mut entries: Vec<_> = self
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let label = if l.label.is_empty() {
                    "mean over seeds".to_string()
                } else {
                    l.label.clone()
                };
                entry(Swatch::Line(series_color(i), 2, false), label)
            })
            .collect();
        if let Some(c) = &self.reference {
            entries.push(entry(Swatch::Line(style::GREY, 2, true), c.label.clone()));
        }
        let note = vec!["error bars: 95 % confidence interval of the mean over seeds".to_string()];
        draw_legend(&legend, &entries, &note)
    }
}

/// Draws `plot` and writes `<stem>.svg` and `<stem>.png` into `dir`
/// atomically; returns their paths. `note` (the sweep's provenance) goes into
/// an SVG comment and a PNG text chunk.
///
/// # Errors
/// Drawing failed or a file cannot be written.
pub fn write(dir: &Path, stem: &str, plot: &SweepPlot, note: &str) -> io::Result<Vec<PathBuf>> {
    let rendered = style::render(plot, note)?;
    let (svg, png) = rendered.write(dir, stem)?;
    Ok(vec![dir.join(svg), dir.join(png)])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plot(log_x: bool) -> SweepPlot {
        SweepPlot {
            title: "mathis: goodput against loss".into(),
            x_label: "loss probability p".into(),
            y_label: "goodput (Mbit/s)".into(),
            log_x,
            lines: vec![Line {
                label: String::new(),
                points: vec![
                    Point {
                        x: 0.001,
                        mean: 10.5,
                        ci95: Some(0.4),
                    },
                    Point {
                        x: 0.01,
                        mean: 3.3,
                        ci95: None,
                    },
                ],
            }],
            reference: Some(Curve {
                label: "Mathis model".into(),
                points: vec![(0.001, 10.7), (0.01, 3.39)],
            }),
        }
    }

    #[test]
    fn ranges_cover_the_error_bars_and_the_curve() {
        let p = plot(true);
        let x = p.x_range();
        assert!(x.start < 0.001 && x.end > 0.01 && x.start > 0.0);
        let y = p.y_range();
        assert_eq!(y.start, 0.0);
        assert!(y.end >= 10.9, "{y:?}");
        let lin = plot(false).x_range();
        assert!(lin.start < 0.001 && lin.end > 0.01);
    }

    #[test]
    fn the_figure_names_its_axes_and_reference_and_is_reproducible() {
        let a = style::render(&plot(true), "note").unwrap();
        assert!(a.svg.contains("loss probability p"));
        assert!(a.svg.contains("goodput (Mbit/s)"));
        assert!(a.svg.contains("Mathis model"));
        assert!(a.png.starts_with(b"\x89PNG"));
        assert_eq!(a, style::render(&plot(true), "note").unwrap());
        let linear = style::render(&plot(false), "note").unwrap();
        assert_ne!(a.svg, linear.svg, "the log axis changes the drawing");
    }
}
