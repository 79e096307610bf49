//! The queue plot of one link direction: frames waiting in the egress queue
//! over time, with every drop on that direction marked (queue overflow, AQM
//! drops, and losses on the wire, each counted by reason in the legend).

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style::{
    self, ALERT, DrawResult, Figure, Marker, Swatch, chart_builder, draw_legend, draw_line,
    draw_markers, entry, one_per_column, split_titled, steps, time_axis, value_at, value_axis,
};

/// What the queue plot shows. Times in seconds.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct QueuePlot {
    /// The direction, for the title: `bottleneck r1 → r2`.
    pub(crate) direction: String,
    /// Frames waiting, a point per change (decimated).
    pub(crate) packets: Vec<(f64, f64)>,
    /// When frames were dropped (decimated: the drops of one pixel column
    /// share a mark).
    pub(crate) drops: Vec<f64>,
    /// Drops by reason key (`queue-full`, `codel`, ...), in key order.
    pub(crate) drop_reasons: Vec<(String, u64)>,
}

const QUEUE: RGBColor = style::PALETTE[0];

impl QueuePlot {
    /// The figure's title.
    pub(crate) fn title(&self) -> String {
        format!("Queue: {}", self.direction)
    }

    /// The time axis (seconds) and the length axis (frames).
    pub(crate) fn axes(&self) -> (Range<f64>, Range<f64>) {
        let times = self
            .packets
            .iter()
            .map(|p| p.0)
            .chain(self.drops.iter().copied());
        let (lo, hi) = times.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), t| {
            (lo.min(t), hi.max(t))
        });
        let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
        let max = self.packets.iter().map(|p| p.1).fold(1.0, f64::max);
        (time_axis(lo, hi), value_axis(max))
    }
}

impl Figure for QueuePlot {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (plot, legend) = split_titled(root, &self.title())?;
        let (x, y) = self.axes();
        let mut chart = chart_builder(&plot).build_cartesian_2d(x.clone(), y)?;
        style::draw_mesh(&mut chart, "time (s)", "queue length (packets)")?;
        draw_line(&mut chart, steps(&self.packets), QUEUE.stroke_width(2))?;
        let mut entries = vec![entry(Swatch::Line(QUEUE, 2, false), "frames waiting")];
        let drops = one_per_column(&self.drops, &x);
        draw_markers(
            &mut chart,
            Marker::Cross,
            ALERT,
            drops
                .iter()
                .map(|&t| (t, value_at(&self.packets, t).unwrap_or(0.0))),
        )?;
        let total: u64 = self.drop_reasons.iter().map(|r| r.1).sum();
        if total > 0 {
            entries.push(entry(
                Swatch::Marker(Marker::Cross, ALERT),
                format!("drop ({total})"),
            ));
        }
        let note: Vec<String> = self
            .drop_reasons
            .iter()
            .map(|(reason, n)| format!("{n} × {reason}"))
            .collect();
        draw_legend(&legend, &entries, &note)
    }
}
