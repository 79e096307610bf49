//! The round-trip-time plot of one flow: each RTT measurement (RFC 6298's
//! R), the smoothed RTT (SRTT, RFC 6298 §2) and the retransmission timeout
//! (RTO, with backoff, RFC 6298 §5.5), on a logarithmic millisecond axis so
//! that a 40 ms RTT and a 16 s backed-off RTO are both readable.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    self, ALERT, DrawResult, Figure, Marker, Swatch, chart_builder, draw_legend, draw_line,
    draw_markers, entry, format_secs, split_titled, steps, time_axis,
};

/// What the RTT plot shows. Times and durations in seconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RttPlot {
    /// The flow, for the title.
    pub(crate) flow: String,
    /// RTT measurements, when taken (decimated to the extremes per column).
    pub(crate) samples: Vec<(f64, f64)>,
    /// Measurements taken in all (before decimation).
    pub(crate) sample_count: u64,
    /// The smoothed RTT.
    pub(crate) srtt: Vec<(f64, f64)>,
    /// The retransmission timeout.
    pub(crate) rto: Vec<(f64, f64)>,
}

const SAMPLE: RGBColor = style::PALETTE[0];
const SRTT: RGBColor = style::PALETTE[2];

impl RttPlot {
    /// The figure's title.
    pub(crate) fn title(&self) -> String {
        format!("Round-trip time: {}", self.flow)
    }

    /// The time axis (seconds) and the duration axis (milliseconds, logarithmic).
    pub(crate) fn axes(&self) -> (Range<f64>, Range<f64>) {
        let all = || self.samples.iter().chain(&self.srtt).chain(&self.rto);
        let (lo, hi) = all().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let (min, max) = all()
            .map(|p| p.1 * 1e3)
            .filter(|ms| *ms > 0.0)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                (a.min(v), b.max(v))
            });
        let y = if min.is_finite() {
            min / 1.25..max * 1.25
        } else {
            1.0..1000.0
        };
        (time_axis(lo, hi), y)
    }
}

/// The multiples `m` of each power of ten within `range`.
fn decade_points(range: &Range<f64>, multiples: &[f64]) -> Vec<f64> {
    let mut out = Vec::new();
    let mut p = 10f64.powf(range.start.log10().floor());
    while p <= range.end {
        out.extend(
            multiples
                .iter()
                .map(|m| m * p)
                .filter(|v| range.contains(v)),
        );
        p *= 10.0;
    }
    out
}

impl Figure for RttPlot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) = split_titled(root, &self.title())?;
        let (x, y) = self.axes();
        let ms = |p: &(f64, f64)| (p.0, p.1 * 1e3);
        // Labels at 1, 2 and 5 times a power of ten, grid lines at every multiple.
        let labels = decade_points(&y, &[1.0, 2.0, 5.0]);
        let grid = decade_points(&y, &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0]);
        let y_axis = y
            .clone()
            .log_scale()
            .with_key_points(labels)
            .with_light_points(grid);
        let mut chart = chart_builder(&plot).build_cartesian_2d(x, y_axis)?;
        style::draw_mesh(&mut chart, "time (s)", "milliseconds (log scale)")?;
        let mut entries = Vec::new();
        if !self.rto.is_empty() {
            draw_line(
                &mut chart,
                steps(&self.rto).iter().map(ms).collect(),
                ALERT.stroke_width(2),
            )?;
            let max = self.rto.iter().map(|p| p.1).fold(0.0, f64::max);
            entries.push(entry(
                Swatch::Line(ALERT, 2, false),
                format!("RTO (up to {})", format_secs(max)),
            ));
        }
        if !self.srtt.is_empty() {
            draw_line(
                &mut chart,
                steps(&self.srtt).iter().map(ms).collect(),
                SRTT.stroke_width(2),
            )?;
            entries.push(entry(Swatch::Line(SRTT, 2, false), "SRTT"));
        }
        draw_markers(
            &mut chart,
            Marker::Circle,
            SAMPLE,
            self.samples.iter().map(ms),
        )?;
        if self.sample_count > 0 {
            let min = self
                .samples
                .iter()
                .map(|p| p.1)
                .fold(f64::INFINITY, f64::min);
            entries.push(entry(
                Swatch::Marker(Marker::Circle, SAMPLE),
                format!(
                    "RTT sample ({}, min {})",
                    self.sample_count,
                    format_secs(min)
                ),
            ));
        }
        draw_legend(&legend, &entries, &[])
    }
}
