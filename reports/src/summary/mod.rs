//! The flow summary of a run: per TCP flow, what a user asks first (bytes,
//! goodput, retransmissions by cause, timeouts, RTT, drops); per link
//! direction, utilisation, drops by reason and the longest queue.
//!
//! [`SummarySink`] collects it from the trace stream. It always runs, in-memory
//! runs included, so it is cheap by construction: it wants
//! [`Detail::Summary`](protocols::trace::Detail::Summary) events (state
//! changes, timeouts, recovery, drops, and the rare retransmitted and probe
//! segments) plus the TCP time-series samples, never every packet. The run's
//! link counters ([`DirStats`]) complete it when the run ends
//! ([`SummaryHandle::finish`]). [`RunSummary`] is written as `summary.json`
//! ([`write_json`]) and printed as two aligned tables ([`table`]).
//!
//! Deliberate simplifications:
//! - A *flow* is one end of a TCP connection that sent data, or an active
//!   open that never completed its handshake (so a failed handshake shows);
//!   receiving-only ends and half-open passive ends are left out. A connection
//!   is identified like the series CSVs: `<node>:<port> -> <peer>:<port>`,
//!   where the peer is named by the node owning its address (or the address,
//!   e.g. behind NAT or for a DHCP-configured host).
//! - Goodput is acknowledged bytes × 8 over the time from the first data byte
//!   sent to the last acknowledgment that advanced; RTT statistics are over
//!   the RFC 6298 measurements the connection took.
//! - Flow drops are the dropped packets this end sent (data, SYN, FIN), by
//!   reason; drops of translated packets (NAT) are not attributed to a flow.
//! - Utilisation uses the link rate configured at the start (a timeline
//!   `SetLink` that changes it is not accounted for), over the whole run.

mod sink;
pub mod table;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::atomic::AtomicFile;
use crate::provenance::Provenance;

pub use protocols::world::DirStats;
pub use sink::{SummaryHandle, SummarySink};

/// The summary's file name.
pub const SUMMARY_FILE: &str = "summary.json";

/// The flow and link summary of one run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// Simulated run time, seconds: the stop time, or the last event's
    /// time if the run ran out of events first.
    pub duration_s: f64,
    /// TCP flows, in the order their first event happened.
    pub flows: Vec<FlowSummary>,
    /// Every link direction, in scenario link order, `a_to_b` before `b_to_a`.
    pub links: Vec<LinkSummary>,
}

/// One TCP flow: one end of a connection and what it sent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FlowSummary {
    /// `<node>:<port> -> <peer>:<port>`, e.g. `s1:49152 -> d1:5001`.
    pub id: String,
    /// The node of this end.
    pub node: String,
    /// This end's address and port, `10.1.1.2:49152`.
    pub local: String,
    /// The peer's node name, or its address when no node owns it.
    pub peer: String,
    /// The peer's address and port, `10.2.1.2:5001`.
    pub remote: String,
    /// This end's port.
    pub local_port: u16,
    /// The peer's port.
    pub peer_port: u16,
    /// Whether this end opened the connection (sent the first SYN).
    pub active_open: bool,
    /// When the connection was opened (SYN sent or received), seconds.
    pub opened_s: Option<f64>,
    /// When the handshake completed (ESTABLISHED reached), seconds; `None`
    /// if it never did.
    pub established_s: Option<f64>,
    /// The last state the connection was in (`TIME-WAIT`, `CLOSED`, ...).
    pub final_state: String,
    /// Why the connection was dropped (retransmission limit, reset), if it was.
    pub aborted: Option<String>,
    /// New data sent, bytes (retransmissions not counted again).
    pub bytes_sent: u64,
    /// Data acknowledged by the peer, bytes.
    pub bytes_delivered: u64,
    /// From the first data byte sent to the last acknowledgment that
    /// advanced, seconds (0 when nothing was delivered).
    pub duration_s: f64,
    /// `bytes_delivered × 8 / duration_s`, bits per second (0 when the
    /// duration is 0).
    pub goodput_bps: f64,
    /// Segments retransmitted, all causes (`retransmits_rto + retransmits_fast`).
    pub retransmits: u64,
    /// Segments retransmitted because the retransmission timer expired.
    pub retransmits_rto: u64,
    /// Segments retransmitted by fast retransmit / loss recovery (duplicate
    /// ACKs or SACK).
    pub retransmits_fast: u64,
    /// Zero-window probes and keepalive probes sent.
    pub probes: u64,
    /// Retransmission timeouts (timer expiries).
    pub rtos: u64,
    /// Fast recovery episodes entered.
    pub recoveries: u64,
    /// RTT measurements taken (RFC 6298).
    pub rtt_samples: u64,
    /// Smallest RTT measured, milliseconds.
    pub rtt_min_ms: Option<f64>,
    /// Mean of the RTTs measured, milliseconds.
    pub rtt_mean_ms: Option<f64>,
    /// Largest RTT measured, milliseconds.
    pub rtt_max_ms: Option<f64>,
    /// Packets of this end dropped anywhere on the path, all reasons.
    pub drops: u64,
    /// The same by reason key (`queue-full`, `random-loss`, `drop-rule`, ...).
    pub drops_by_reason: BTreeMap<String, u64>,
}

/// One direction of one link.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LinkSummary {
    /// The link's name.
    pub link: String,
    /// `a_to_b` or `b_to_a`.
    pub direction: String,
    /// The sending end, `node:interface`.
    pub from: String,
    /// The receiving end, `node:interface`.
    pub to: String,
    /// The configured rate, bits per second.
    pub rate_bps: u64,
    /// Frames that finished serialization.
    pub frames: u64,
    /// Bytes that finished serialization (Ethernet header and FCS included).
    pub bytes: u64,
    /// `bytes × 8 / (rate_bps × run time)`, a fraction from 0 to 1.
    pub utilisation: f64,
    /// Frames lost on this direction: at the egress queue, on the wire, or
    /// because the link was down.
    pub drops: u64,
    /// The same by reason key (`queue-full`, `codel`, `random-loss`, ...).
    pub drops_by_reason: BTreeMap<String, u64>,
    /// Frames that arrived damaged (dropped by the receiver's FCS check).
    pub fcs_errors: u64,
    /// The longest the egress queue got, frames.
    pub max_queue_packets: usize,
    /// Packets marked CE (ECN) by the queue.
    pub ecn_marks: u64,
}

impl RunSummary {
    /// The flows a selector picks: those at `node` whose peer is `peer`
    /// (node name or address), with the ports when given.
    pub fn flows_between(
        &self,
        node: &str,
        local_port: Option<u16>,
        peer: &str,
        peer_port: Option<u16>,
    ) -> Vec<&FlowSummary> {
        self.flows
            .iter()
            .filter(|f| {
                f.node == node
                    && (f.peer == peer || f.remote.split(':').next() == Some(peer))
                    && local_port.is_none_or(|p| p == f.local_port)
                    && peer_port.is_none_or(|p| p == f.peer_port)
            })
            .collect()
    }

    /// The directions of the link called `name`.
    pub fn link_directions<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a LinkSummary> {
        self.links.iter().filter(move |l| l.link == name)
    }
}

#[derive(Serialize)]
struct SummaryFile<'a> {
    provenance: &'a Provenance,
    #[serde(flatten)]
    summary: &'a RunSummary,
}

/// Writes `summary.json` into `dir` atomically: the provenance, then the
/// summary's fields.
pub fn write_json(dir: &Path, summary: &RunSummary, prov: &Provenance) -> io::Result<PathBuf> {
    let mut file = AtomicFile::create(dir, SUMMARY_FILE)?;
    let doc = SummaryFile {
        provenance: prov,
        summary,
    };
    serde_json::to_writer_pretty(&mut file, &doc).map_err(io::Error::other)?;
    file.write_all(b"\n")?;
    file.commit()
}

/// Reads a `summary.json` back (the provenance is ignored).
pub fn read_json(path: &Path) -> io::Result<RunSummary> {
    let text = std::fs::read_to_string(path)?;
    serde_json::from_str(&text).map_err(io::Error::other)
}
