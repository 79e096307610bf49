//! Throughput and goodput of every flow over time, in one figure of two
//! panels sharing the time and rate axes: the sending rate (data leaving
//! the sending host, retransmissions included, as a capture there counts
//! it) above, the goodput (new data acknowledged) below. Each flow keeps its colour in both panels. Rates are
//! averages over fixed bins, drawn as steps.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    self, DrawResult, Figure, Scale, Swatch, chart_builder, draw_legend, draw_line, entry,
    format_secs, series_color, split_titled, time_axis, value_axis,
};

/// One flow's rates, one point per bin: (bin start in seconds, bits per second).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct FlowRate {
    /// The flow, for the legend.
    pub(crate) label: String,
    /// Data sent, retransmissions included.
    pub(crate) sending: Vec<(f64, f64)>,
    /// New data acknowledged.
    pub(crate) goodput: Vec<(f64, f64)>,
}

/// What the throughput figure shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct ThroughputPlot {
    /// Flows, in display order.
    pub(crate) flows: Vec<FlowRate>,
    /// The bin width, seconds.
    pub(crate) bin_s: f64,
}

impl ThroughputPlot {
    /// The figure's title.
    pub(crate) fn title(&self) -> String {
        "Throughput and goodput per flow".to_string()
    }

    /// The time axis (seconds), the rate axis (bit/s) and its unit.
    pub(crate) fn axes(&self) -> (Range<f64>, Range<f64>, Scale) {
        let pts = || {
            self.flows
                .iter()
                .flat_map(|f| f.sending.iter().chain(&f.goodput))
        };
        let (lo, hi) = pts().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0 + self.bin_s))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let y = value_axis(pts().map(|p| p.1).fold(0.0, f64::max));
        let scale = style::rate_scale(y.end);
        (time_axis(lo, hi), y, scale)
    }
}

/// Bins as a staircase: each rate holds over its bin.
fn bin_steps(points: &[(f64, f64)], bin: f64, div: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for &(t, r) in points {
        out.push((t, r / div));
        out.push((t + bin, r / div));
    }
    out
}

impl Figure for ThroughputPlot {
    fn size(&self) -> (u32, u32) {
        (style::SIZE.0, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) = split_titled(root, &self.title())?;
        let (x, y, scale) = self.axes();
        let top = y.end / scale.div;
        let (_, h) = plot.dim_in_pixel();
        let (upper, lower) = plot.split_vertically(h / 2);
        let panels = [(&upper, "sending rate", true), (&lower, "goodput", false)];
        for (area, what, sending) in panels {
            let mut chart = chart_builder(area)
                .caption(
                    if sending {
                        "data sent, retransmissions included"
                    } else {
                        "new data acknowledged"
                    },
                    style::small_font(),
                )
                .build_cartesian_2d(x.clone(), 0.0..top)?;
            style::draw_mesh(&mut chart, "time (s)", &format!("{what} ({})", scale.unit))?;
            for (i, f) in self.flows.iter().enumerate() {
                let pts = if sending { &f.sending } else { &f.goodput };
                draw_line(
                    &mut chart,
                    bin_steps(pts, self.bin_s, scale.div),
                    series_color(i).stroke_width(2),
                )?;
            }
        }
        let entries: Vec<_> = self
            .flows
            .iter()
            .enumerate()
            .map(|(i, f)| entry(Swatch::Line(series_color(i), 2, false), f.label.clone()))
            .collect();
        let note = vec![format!(
            "rates averaged over {} bins",
            format_secs(self.bin_s)
        )];
        draw_legend(&legend, &entries, &note)
    }
}
