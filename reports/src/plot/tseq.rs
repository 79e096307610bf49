//! The time-sequence graph of one flow, in the style of tcptrace and
//! Wireshark's "Stevens/tcptrace" TCP stream graphs, as the sender's capture
//! sees it: every data segment a vertical bar from its sequence number to
//! the end of its data at the time it was sent, retransmissions in red and
//! marked `R`; the cumulative acknowledgment (RFC 9293 §3.4) as it arrives,
//! the right edge of the advertised receive window above it (acknowledgment
//! plus window, scaled per RFC 7323 §2.3), SACK blocks (RFC 2018 §3) as
//! purple bars, a tick on each duplicate acknowledgment (RFC 5681 §2) and a
//! dot on each zero-window probe (RFC 9293 §3.8.6.1). As in tcptrace, a
//! segment that resends bytes sent before (probe bytes excepted) is a
//! retransmission, whatever its cause.
//!
//! Sequence numbers are relative to the sender's initial sequence number.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::style::{
    self, ALERT, DrawResult, Figure, Marker, Scale, Swatch, chart_builder, draw_legend, draw_line,
    draw_markers, entry, format_bytes, one_per_cell, split_titled, steps, time_axis, value_axis,
};

/// A data segment as sent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct TseqSegment {
    /// When it was sent, seconds.
    pub(crate) t: f64,
    /// Its first byte, relative to the initial sequence number.
    pub(crate) seq: f64,
    /// Its data bytes.
    pub(crate) len: f64,
    /// Whether it resent data sent before.
    pub(crate) retransmit: bool,
    /// Whether it probed a zero window.
    pub(crate) probe: bool,
}

/// An acknowledgment as it arrived at the sender.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct TseqAck {
    /// When it arrived, seconds.
    pub(crate) t: f64,
    /// The cumulative acknowledgment, relative.
    pub(crate) ack: f64,
    /// The right edge of the receive window: ack plus the (scaled) window.
    pub(crate) window_edge: f64,
    /// Whether it repeated the previous acknowledgment without data or a
    /// window change (a duplicate ACK).
    pub(crate) dup: bool,
    /// Its SACK blocks, relative.
    pub(crate) sack: Vec<(f64, f64)>,
}

/// What the time-sequence graph shows.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TseqPlot {
    /// The flow, for the title.
    pub(crate) flow: String,
    /// Data segments in the order sent.
    pub(crate) segments: Vec<TseqSegment>,
    /// Acknowledgments in the order they arrived.
    pub(crate) acks: Vec<TseqAck>,
    /// When only the start of the flow is shown, a sentence saying so.
    pub(crate) window_note: Option<String>,
}

const DATA: RGBColor = RGBColor(30, 30, 30);
const ACK: RGBColor = style::PALETTE[2];
const RWND: RGBColor = RGBColor(190, 170, 0);
const SACK: RGBAColor = RGBAColor(148, 103, 189, 0.55);
const DUPACK: RGBColor = RGBColor(20, 110, 20);
const PROBE: RGBColor = style::PALETTE[1];
/// Up to this many segments, each bar gets tcptrace's end ticks.
const TICKED_SEGMENTS: usize = 400;

impl TseqPlot {
    /// The figure's title.
    pub(crate) fn title(&self) -> String {
        format!("Time-sequence graph: {}", self.flow)
    }

    /// The time axis (seconds), the sequence axis (bytes), the unit shown,
    /// and whether the receive-window line goes beyond the top.
    pub(crate) fn axes(&self) -> (Range<f64>, Range<f64>, Scale, bool) {
        let times = self
            .segments
            .iter()
            .map(|s| s.t)
            .chain(self.acks.iter().map(|a| a.t));
        let (lo, hi) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let data_max = self
            .segments
            .iter()
            .map(|s| s.seq + s.len)
            .chain(self.acks.iter().map(|a| a.ack))
            .chain(self.acks.iter().flat_map(|a| a.sack.iter().map(|b| b.1)))
            .fold(0.0, f64::max);
        let edge_max = self.acks.iter().map(|a| a.window_edge).fold(0.0, f64::max);
        // A receive window far above the data would squash the graph: then
        // the window line is clipped at the top and the legend says so.
        let clipped = edge_max > 2.0 * data_max.max(1.0);
        let max = if clipped {
            data_max
        } else {
            data_max.max(edge_max)
        };
        let y = value_axis(max);
        let scale = style::byte_scale(y.end);
        (time_axis(lo, hi), y, scale, clipped)
    }
}

impl Figure for TseqPlot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) = split_titled(root, &self.title())?;
        let (x, y, scale, clipped) = self.axes();
        let top = y.end / scale.div;
        let v = |b: f64| (b / scale.div).min(top);
        let mut chart = chart_builder(&plot).build_cartesian_2d(x.clone(), 0.0..top)?;
        style::draw_mesh(
            &mut chart,
            "time (s)",
            &format!("relative sequence number ({})", scale.unit),
        )?;
        let mut entries = Vec::new();

        if !self.acks.is_empty() {
            let edge: Vec<(f64, f64)> = self.acks.iter().map(|a| (a.t, a.window_edge)).collect();
            // Where the window edge is above the top, its line is left out.
            let mut run: Vec<(f64, f64)> = Vec::new();
            for (t, b) in steps(&edge) {
                if b / scale.div <= top {
                    run.push((t, b / scale.div));
                } else if !run.is_empty() {
                    draw_line(&mut chart, std::mem::take(&mut run), RWND.stroke_width(2))?;
                }
            }
            if !run.is_empty() {
                draw_line(&mut chart, run, RWND.stroke_width(2))?;
            }
            let max_edge = edge.iter().map(|p| p.1).fold(0.0, f64::max);
            entries.push(entry(
                Swatch::Line(RWND, 2, false),
                if clipped {
                    format!(
                        "receive window edge (ack + window; above the top, up to {})",
                        format_bytes(max_edge)
                    )
                } else {
                    "receive window edge (ack + window)".to_string()
                },
            ));
            let acks: Vec<(f64, f64)> = self.acks.iter().map(|a| (a.t, a.ack)).collect();
            draw_line(
                &mut chart,
                steps(&acks).into_iter().map(|(t, b)| (t, v(b))).collect(),
                ACK.stroke_width(2),
            )?;
            entries.push(entry(Swatch::Line(ACK, 2, false), "cumulative ACK"));
        }

        let sacked = self.acks.iter().any(|a| !a.sack.is_empty());
        chart.draw_series(self.acks.iter().flat_map(|a| {
            a.sack.iter().map(move |&(l, r)| {
                PathElement::new(vec![(a.t, v(l)), (a.t, v(r))], SACK.stroke_width(2))
            })
        }))?;
        if sacked {
            entries.push(entry(Swatch::Band(SACK), "SACK block"));
        }

        let dups = self.acks.iter().filter(|a| a.dup).count();
        let ticks: Vec<(f64, f64)> = self
            .acks
            .iter()
            .filter(|a| a.dup)
            .map(|a| (a.t, v(a.ack)))
            .collect();
        let y_shown = 0.0..top;
        draw_markers(
            &mut chart,
            Marker::Tick,
            DUPACK,
            one_per_cell(&ticks, &x, &y_shown, (2.0, 2.0)),
        )?;
        if dups > 0 {
            entries.push(entry(
                Swatch::Marker(Marker::Tick, DUPACK),
                format!("duplicate ACK ({dups})"),
            ));
        }

        let ticked = self.segments.len() <= TICKED_SEGMENTS;
        for (retransmit, color) in [(false, DATA), (true, ALERT)] {
            let segs = self.segments.iter().filter(|s| s.retransmit == retransmit);
            let width = if retransmit { 2 } else { 1 };
            chart.draw_series(segs.clone().map(|s| {
                PathElement::new(
                    vec![(s.t, v(s.seq)), (s.t, v(s.seq + s.len))],
                    color.stroke_width(width),
                )
            }))?;
            if ticked {
                chart.draw_series(segs.flat_map(|s| {
                    [s.seq, s.seq + s.len].map(|b| {
                        EmptyElement::at((s.t, v(b)))
                            + PathElement::new(vec![(-3, 0), (3, 0)], color.stroke_width(1))
                    })
                }))?;
            }
        }
        if self.segments.iter().any(|s| !s.retransmit) {
            entries.push(entry(Swatch::Line(DATA, 1, false), "data segment"));
        }
        let probes: Vec<(f64, f64)> = self
            .segments
            .iter()
            .filter(|s| s.probe)
            .map(|s| (s.t, v(s.seq + s.len)))
            .collect();
        draw_markers(&mut chart, Marker::Circle, PROBE, probes.iter().copied())?;
        if !probes.is_empty() {
            entries.push(entry(
                Swatch::Marker(Marker::Circle, PROBE),
                format!("zero-window probe ({})", probes.len()),
            ));
        }
        let retransmits: Vec<(f64, f64)> = self
            .segments
            .iter()
            .filter(|s| s.retransmit)
            .map(|s| (s.t, v(s.seq + s.len)))
            .collect();
        // One R per retransmission, unless R marks would overlap.
        let marks = one_per_cell(&retransmits, &x, &y_shown, (12.0, 16.0));
        chart.draw_series(marks.iter().map(|&at| {
            EmptyElement::at(at)
                + Text::new(
                    "R",
                    (0, -4),
                    style::small_font()
                        .color(&ALERT)
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
        }))?;
        if !retransmits.is_empty() {
            entries.push(entry(
                Swatch::Line(ALERT, 2, false),
                format!("retransmission, marked R ({})", retransmits.len()),
            ));
        }
        if marks.len() < retransmits.len() {
            entries.push(entry(
                Swatch::Line(WHITE, 1, false),
                "(R marks that would overlap are left out)",
            ));
        }
        let note: Vec<String> = self.window_note.iter().cloned().collect();
        draw_legend(&legend, &entries, &note)
    }
}
