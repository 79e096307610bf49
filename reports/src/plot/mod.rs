//! Plots of a run, each as an SVG and a PNG, in the style of Wireshark's TCP
//! stream graphs and tcptrace, and a manifest `plots.json` listing them in
//! display order (the HTML report reads it and inlines the SVGs):
//!
//! | file | what |
//! |---|---|
//! | `throughput.svg/.png` | sending rate and goodput of every flow over time |
//! | `cwnd-<flow>.svg/.png` | cwnd, ssthresh, bytes in flight, the BDP; fast retransmits, recovery, RTOs |
//! | `tseq-<flow>.svg/.png` | time-sequence graph: segments, retransmissions (R), ACK and window lines, SACK blocks, duplicate ACKs |
//! | `rtt-<flow>.svg/.png` | RTT measurements, SRTT and RTO |
//! | `queue-<link>-<a_to_b\|b_to_a>.svg/.png` | queue length of a link direction, drops marked |
//!
//! A *flow* is a TCP connection end that sent data, named as in the series
//! CSVs: `<node>-<port>-<peer>-<port>`. Per-flow plots are drawn for the
//! [`MAX_FLOW_PLOTS`] flows that sent the most bytes; the throughput plot
//! shows every flow, and `plots.json` lists the flows left out. Queue plots
//! are drawn for the link directions whose queue held a frame for a while or
//! that dropped something, at most [`MAX_QUEUE_PLOTS`] of them (most drops
//! first, then longest queue); `plots.json` lists the others.
//!
//! What the sink keeps during a run is bounded whatever its length: lines are kept as the first, lowest, highest and last value
//! per time column, about two columns per pixel, so a 60-second 100 Mbit/s
//! flow draws as many points as a 1-second one. Deliberate simplifications:
//!
//! - The time-sequence graph of a long flow shows a readable window of
//!   [`TSEQ_SEGMENTS`] consecutive data segments: its first ones when they
//!   include a retransmission or when none comes later, otherwise those
//!   around the first retransmission; its legend says which part of the flow
//!   it covers. The other plots cover the whole flow.
//! - The bandwidth-delay product uses each link's initial rate (a timeline
//!   `SetLink` is not followed) on the links the flow's first data segments
//!   crossed, and the lowest RTT the flow measured.
//! - Drops are attributed to a link direction when they happen at its egress
//!   or on its wire (queue, AQM, impairments, link down); frames discarded on
//!   arrival (FCS errors) are not marked.
//! - Segments are placed at the time TCP sent them (`TcpTrace::Sent`); ACKs
//!   at the time they arrived at the sender's interface, as the sender's
//!   capture shows them.

mod assemble;
mod cwnd;
mod decimate;
mod legend;
mod line;
mod queue;
mod record;
mod rtt;
pub(crate) mod style;
pub mod sweep;
mod throughput;
mod tseq;
mod window;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::provenance::Provenance;

pub use record::PlotSink;

/// The manifest's file name.
pub const PLOTS_MANIFEST: &str = "plots.json";
/// Per-flow plots are drawn for at most this many flows (those that sent the most).
pub const MAX_FLOW_PLOTS: usize = 8;
/// Queue plots are drawn for at most this many link directions (those that
/// dropped the most, then those whose queue grew longest).
pub const MAX_QUEUE_PLOTS: usize = 6;
/// The time-sequence graph shows at most this many data segments.
pub const TSEQ_SEGMENTS: usize = 2000;

/// What a plot shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlotKind {
    /// Sending rate and goodput of every flow.
    Throughput,
    /// Congestion window of one flow.
    Cwnd,
    /// Time-sequence graph of one flow.
    Tseq,
    /// Round-trip times of one flow.
    Rtt,
    /// Queue length of one link direction.
    Queue,
}

/// One plot in the manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlotEntry {
    /// What it shows.
    pub kind: PlotKind,
    /// Its title, as drawn.
    pub title: String,
    /// The flow (`<node>-<port>-<peer>-<port>`), for per-flow plots.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub flow: Option<String>,
    /// The link, for queue plots.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub link: Option<String>,
    /// The link direction (`a_to_b` or `b_to_a`), for queue plots.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub direction: Option<String>,
    /// The SVG file's name.
    pub svg: String,
    /// The PNG file's name.
    pub png: String,
}

/// `plots.json`: every plot of the run in display order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlotManifest {
    /// The run.
    pub provenance: Provenance,
    /// The plots, in display order.
    pub plots: Vec<PlotEntry>,
    /// Flows without per-flow plots (beyond [`MAX_FLOW_PLOTS`]); they are
    /// in the throughput plot.
    pub flows_without_plots: Vec<String>,
    /// Busy link directions without a queue plot (beyond
    /// [`MAX_QUEUE_PLOTS`]), as `<link> <a_to_b|b_to_a>`.
    pub queues_without_plots: Vec<String>,
}
