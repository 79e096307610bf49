//! The congestion-window plot of one flow: cwnd and ssthresh (RFC 5681 §3.1)
//! over time, the bytes in flight, the bandwidth-delay product, and markers
//! for fast retransmit (RFC 5681 §3.2), the time spent in loss recovery (RFC
//! 6582 / RFC 6675) and retransmission timeouts (RFC 6298 §5).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    self, ALERT, DrawResult, Figure, GREY, Marker, Scale, Swatch, chart_builder, draw_legend,
    draw_line, draw_markers, entry, format_bytes, format_rate, format_secs, one_per_column,
    split_titled, steps, time_axis, value_at, value_axis,
};

/// The bandwidth-delay product of a flow's path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Bdp {
    /// The lowest link rate on the flow's data path, bits per second.
    pub(crate) rate_bps: f64,
    /// The lowest RTT the flow measured, seconds.
    pub(crate) min_rtt_s: f64,
}

impl Bdp {
    /// The product, in bytes.
    pub(crate) fn bytes(&self) -> f64 {
        self.rate_bps / 8.0 * self.min_rtt_s
    }
}

/// What the congestion-window plot shows. Times in seconds, sizes in bytes.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct CwndPlot {
    /// The flow, for the title: `sender:35407 → receiver:5001`.
    pub(crate) flow: String,
    /// The congestion window, a point per change (decimated).
    pub(crate) cwnd: Vec<(f64, f64)>,
    /// The slow-start threshold, from when it is first finite.
    pub(crate) ssthresh: Vec<(f64, f64)>,
    /// Bytes sent and not yet acknowledged.
    pub(crate) in_flight: Vec<(f64, f64)>,
    /// When a fast retransmit was sent (the first retransmission of a recovery).
    pub(crate) fast_retransmits: Vec<f64>,
    /// Segments retransmitted during recoveries, fast retransmits included.
    pub(crate) recovery_retransmits: u64,
    /// Loss recovery periods: entry, and exit if it ended.
    pub(crate) recoveries: Vec<(f64, Option<f64>)>,
    /// When the retransmission timer expired.
    pub(crate) rtos: Vec<f64>,
    /// The path's bandwidth-delay product, when rate and RTT are known.
    pub(crate) bdp: Option<Bdp>,
}

const CWND: RGBColor = style::PALETTE[0];
const SSTHRESH: RGBColor = style::PALETTE[1];
const BDP: RGBColor = style::PALETTE[2];
const FAST_RETRANSMIT: RGBColor = style::PALETTE[4];
const RECOVERY: RGBAColor = RGBAColor(255, 127, 14, 0.15);

impl CwndPlot {
    /// The figure's title.
    pub(crate) fn title(&self) -> String {
        format!("Congestion window: {}", self.flow)
    }

    fn series(&self) -> impl Iterator<Item = &(f64, f64)> {
        self.cwnd
            .iter()
            .chain(&self.ssthresh)
            .chain(&self.in_flight)
    }

    /// The time axis (seconds), the value axis (bytes) and the unit values are shown in.
    pub(crate) fn axes(&self) -> (Range<f64>, Range<f64>, Scale) {
        let times = self
            .series()
            .map(|p| p.0)
            .chain(self.fast_retransmits.iter().copied())
            .chain(self.rtos.iter().copied())
            .chain(
                self.recoveries
                    .iter()
                    .flat_map(|r| [Some(r.0), r.1])
                    .flatten(),
            );
        let (lo, hi) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let max = self
            .series()
            .map(|p| p.1)
            .chain(self.bdp.map(|b| b.bytes()))
            .fold(0.0, f64::max);
        let y = value_axis(max);
        (time_axis(lo, hi), y.clone(), style::byte_scale(y.end))
    }
}

impl Figure for CwndPlot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) = split_titled(root, &self.title())?;
        let (x, y, scale) = self.axes();
        let sc = |p: &(f64, f64)| (p.0, p.1 / scale.div);
        let top = y.end / scale.div;
        let mut chart = chart_builder(&plot).build_cartesian_2d(x.clone(), 0.0..top)?;
        style::draw_mesh(&mut chart, "time (s)", &format!("window ({})", scale.unit))?;
        let mut entries = Vec::new();

        let end = x.end;
        let bands = merge_bands(&self.recoveries, end, &x);
        chart.draw_series(
            bands
                .iter()
                .map(|&(a, b)| Rectangle::new([(a, 0.0), (b, top)], RECOVERY.filled())),
        )?;
        if !bands.is_empty() {
            entries.push(entry(Swatch::Band(RECOVERY), "in loss recovery"));
        }

        if !self.in_flight.is_empty() {
            draw_line(
                &mut chart,
                steps(&self.in_flight).iter().map(sc).collect(),
                GREY.stroke_width(1),
            )?;
            entries.push(entry(Swatch::Line(GREY, 1, false), "bytes in flight"));
        }
        if !self.ssthresh.is_empty() {
            let mut pts = steps(&self.ssthresh);
            if let (Some(&(t, v)), Some(&(last, _))) = (pts.last(), self.cwnd.last()) {
                if last > t {
                    pts.push((last, v));
                }
            }
            draw_line(
                &mut chart,
                pts.iter().map(sc).collect(),
                SSTHRESH.stroke_width(2),
            )?;
            entries.push(entry(Swatch::Line(SSTHRESH, 2, false), "ssthresh"));
        }
        draw_line(
            &mut chart,
            steps(&self.cwnd).iter().map(sc).collect(),
            CWND.stroke_width(2),
        )?;
        entries.push(entry(Swatch::Line(CWND, 2, false), "cwnd"));

        if let Some(bdp) = self.bdp {
            let v = bdp.bytes() / scale.div;
            chart.draw_series(DashedLineSeries::new(
                [(x.start, v), (x.end, v)],
                8,
                6,
                BDP.stroke_width(2),
            ))?;
            entries.push(entry(
                Swatch::Line(BDP, 2, true),
                format!(
                    "BDP {} ({} × {})",
                    format_bytes(bdp.bytes()),
                    format_rate(bdp.rate_bps),
                    format_secs(bdp.min_rtt_s)
                ),
            ));
        }

        let rtos = one_per_column(&self.rtos, &x);
        chart.draw_series(rtos.iter().map(|&t| {
            PathElement::new(vec![(t, 0.0), (t, top)], ALERT.mix(0.8).stroke_width(2))
        }))?;
        draw_markers(
            &mut chart,
            Marker::Cross,
            ALERT,
            rtos.iter().map(|&t| (t, top * 0.97)),
        )?;
        if !self.rtos.is_empty() {
            entries.push(entry(
                Swatch::Marker(Marker::Cross, ALERT),
                format!("retransmission timeout ({})", self.rtos.len()),
            ));
        }

        let frs = one_per_column(&self.fast_retransmits, &x);
        draw_markers(
            &mut chart,
            Marker::Triangle,
            FAST_RETRANSMIT,
            frs.iter()
                .map(|&t| (t, value_at(&self.cwnd, t).unwrap_or(0.0) / scale.div)),
        )?;
        if !self.fast_retransmits.is_empty() {
            entries.push(entry(
                Swatch::Marker(Marker::Triangle, FAST_RETRANSMIT),
                format!("fast retransmit ({})", self.fast_retransmits.len()),
            ));
        }
        let plural = |n: u64, what: &str| format!("{n} {what}{}", if n == 1 { "" } else { "s" });
        let mut note = Vec::new();
        if !self.recoveries.is_empty() {
            note.push(plural(self.recoveries.len() as u64, "recovery period"));
        }
        if self.recovery_retransmits > 0 {
            let n = self.recovery_retransmits;
            let segments = if n == 1 { "segment" } else { "segments" };
            note.push(format!("{n} {segments} retransmitted in recovery"));
        }
        draw_legend(&legend, &entries, &note)
    }
}

/// Recovery periods as bands on an axis `axis`: an open period runs to
/// `end`; bands closer than a pixel column merge.
fn merge_bands(periods: &[(f64, Option<f64>)], end: f64, axis: &Range<f64>) -> Vec<(f64, f64)> {
    let px = (axis.end - axis.start) / f64::from(style::PLOT_COLUMNS);
    let mut out: Vec<(f64, f64)> = Vec::new();
    for &(a, b) in periods {
        let b = b.unwrap_or(end).max(a + px);
        match out.last_mut() {
            Some(last) if a <= last.1 + px => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}
