//! The plot sink: gathers, during the run and in bounded memory, what the
//! plots need, and renders them when the run finishes.

use std::collections::{BTreeMap, BTreeSet};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use protocols::packet::{Frame, IpBody};
use protocols::tcp::{Endpoint, SendCause, TcpSample, TcpTrace};
use protocols::topology::{IfaceId, LinkId, NodeId, Topology};
use protocols::trace::{Detail, DropReason, Event, TraceSink, events};
use protocols::wire::{TcpRepr, TcpSeq};
use sim_core::SimTime;

use super::decimate::Decimated;
use super::tseq::{TseqAck, TseqSegment};
use super::window::TseqWindow;
use crate::provenance::Provenance;

/// What is kept of one TCP connection end.
#[derive(Debug, Default)]
pub(super) struct FlowRecord {
    /// Data bytes sent, retransmissions included.
    pub(super) data_bytes: u64,
    pub(super) first_time: Option<SimTime>,
    pub(super) last_time: Option<SimTime>,

    pub(super) cwnd: Decimated,
    pub(super) ssthresh: Decimated,
    pub(super) in_flight: Decimated,
    pub(super) srtt: Decimated,
    pub(super) rto: Decimated,
    pub(super) rtt: Decimated,
    pub(super) rtt_count: u64,
    /// Data bytes that left the sending host so far (retransmissions
    /// included), cumulative: what a capture there counts.
    pub(super) wire_bytes: u64,
    pub(super) wire_total: Decimated,
    /// Data bytes acknowledged so far, cumulative.
    pub(super) delivered_total: Decimated,

    pub(super) fast_retransmits: Vec<f64>,
    pub(super) rtos: Vec<f64>,
    pub(super) recoveries: Vec<(f64, Option<f64>)>,

    /// Our initial sequence number (from our SYN).
    isn: Option<TcpSeq>,
    /// Window scale we offered on our SYN; the peer's on its SYN.
    our_wscale: Option<u8>,
    peer_wscale: Option<u8>,
    /// The highest relative sequence number sent so far (end of data).
    high_seq: f64,
    /// What the time-sequence graph shows.
    pub(super) tseq: TseqWindow,
    last_ack: Option<(TcpSeq, u16)>,
    /// Fast retransmissions (all segments resent in recovery).
    pub(super) recovery_retransmits: u64,
    /// Whether the recovery begun last has not had its fast retransmit yet.
    awaiting_fast_retransmit: bool,
    /// Links the flow's first data segments crossed.
    pub(super) links: BTreeSet<LinkId>,
}

impl FlowRecord {
    fn touch(&mut self, time: SimTime) {
        self.first_time.get_or_insert(time);
        self.last_time = Some(time);
    }

    /// `seq` relative to our initial sequence number.
    fn relative(&self, seq: TcpSeq) -> Option<f64> {
        self.isn.map(|isn| f64::from(seq.0.wrapping_sub(isn.0)))
    }

    fn on_sample(&mut self, time: SimTime, s: &TcpSample) {
        let t = time.as_nanos();
        self.cwnd.push(t, s.cwnd as f64);
        if s.ssthresh != usize::MAX {
            self.ssthresh.push(t, s.ssthresh as f64);
        }
        self.in_flight.push(t, s.in_flight as f64);
        if let Some(srtt) = s.srtt {
            self.srtt.push(t, srtt.as_secs_f64());
        }
        self.rto.push(t, s.rto.as_secs_f64());
        if s.rtt_samples > self.rtt_count {
            if let Some(rtt) = s.rtt {
                self.rtt.push(t, rtt.as_secs_f64());
            }
            self.rtt_count = s.rtt_samples;
        }
        self.delivered_total.push(t, s.delivered as f64);
    }

    fn on_sent(&mut self, time: SimTime, repr: &TcpRepr, len: usize, cause: SendCause) {
        if repr.flags.syn {
            self.isn = Some(repr.seq);
            self.our_wscale = repr.options.window_scale;
        }
        if matches!(cause, SendCause::FastRetransmission) {
            self.recovery_retransmits += 1;
            // RFC 5681 §3.2 step 2: the fast retransmit is the first
            // retransmission of a recovery; the others are recovery's own.
            if std::mem::take(&mut self.awaiting_fast_retransmit) {
                self.fast_retransmits.push(time.as_secs_f64());
            }
        }
        if len == 0 {
            return;
        }
        self.data_bytes += len as u64;
        if self.isn.is_none() {
            // No SYN seen: count from just before the first data byte.
            self.isn = Some(TcpSeq(repr.seq.0.wrapping_sub(1)));
        }
        let Some(seq) = self.relative(repr.seq) else {
            return;
        };
        let len = len as f64;
        // As tcptrace: a segment resending bytes sent before is a
        // retransmission, whatever TCP called it; a zero-window probe
        // (RFC 9293 §3.8.6.1) is a probe, however often it is repeated.
        let probe = matches!(cause, SendCause::WindowProbe);
        let retransmit = !probe
            && (matches!(
                cause,
                SendCause::RtoRetransmission | SendCause::FastRetransmission
            ) || seq < self.high_seq);
        if !probe {
            // A probe's byte is sent again as data once the window opens.
            self.high_seq = self.high_seq.max(seq + len);
        }
        self.tseq.segment(TseqSegment {
            t: time.as_secs_f64(),
            seq,
            len,
            retransmit,
            probe,
        });
    }

    /// A segment from the peer arrived at our interface.
    fn on_arrival(&mut self, time: SimTime, repr: &TcpRepr, payload: usize) {
        if repr.flags.syn {
            self.peer_wscale = repr.options.window_scale;
        }
        let Some(ack) = repr.ack else {
            return;
        };
        let Some(rel) = self.relative(ack) else {
            return;
        };
        // RFC 7323 §2.3: the window of a SYN is never scaled; the others
        // are when both ends offered the option (the shift capped at 14).
        let shift = match (self.our_wscale, self.peer_wscale) {
            (Some(_), Some(peer)) if !repr.flags.syn => peer.min(14),
            _ => 0,
        };
        let window = f64::from(u32::from(repr.window) << shift);
        // RFC 5681 §2: a duplicate ACK carries no data, no SYN or FIN, the
        // same acknowledgment number and the same window as the previous one.
        let dup = payload == 0
            && !repr.flags.syn
            && !repr.flags.fin
            && self.last_ack == Some((ack, repr.window));
        self.last_ack = Some((ack, repr.window));
        let sack = repr
            .options
            .sack_blocks
            .iter()
            .filter_map(|&(l, r)| Some((self.relative(l)?, self.relative(r)?)))
            .collect();
        self.tseq.ack(TseqAck {
            t: time.as_secs_f64(),
            ack: rel,
            window_edge: rel + window,
            dup,
            sack,
        });
    }
}

/// What is kept of one link direction's queue.
#[derive(Debug, Default)]
pub(super) struct QueueRecord {
    pub(super) packets: Decimated,
    pub(super) drops: Decimated,
    pub(super) reasons: BTreeMap<&'static str, u64>,
    /// Whether a frame waited for a while (not just passed through).
    pub(super) queued: bool,
    last: Option<(SimTime, usize)>,
}

/// Gathers what the plots need and writes them, with `plots.json`, when the
/// run finishes.
pub struct PlotSink {
    pub(super) dir: PathBuf,
    pub(super) topo: Arc<Topology>,
    pub(super) prov: Provenance,
    /// Connection ends by (node, local, remote).
    pub(super) flows: BTreeMap<(NodeId, Endpoint, Endpoint), FlowRecord>,
    /// Window scale options of SYNs that arrived before their connection
    /// had a record (a passive open), by (local, remote).
    syn_wscale: BTreeMap<(Endpoint, Endpoint), Option<u8>>,
    /// The node of each connection end, by (local, remote).
    by_ends: BTreeMap<(Endpoint, Endpoint), NodeId>,
    /// Whether a node has a connection end (by node index): frames at the
    /// other nodes matter only while a path is being learnt.
    has_flows: Vec<bool>,
    /// Flows that sent data and still learn their path (first segments).
    learning_paths: usize,
    pub(super) queues: BTreeMap<(LinkId, u8), QueueRecord>,
    pub(super) end: SimTime,
}

/// The TCP header and payload length of a frame, with its addresses as endpoints.
fn tcp_of(frame: &Frame) -> Option<(Endpoint, Endpoint, &TcpRepr, usize)> {
    let ip = frame.ipv4()?;
    let IpBody::Tcp { header, payload } = &ip.body else {
        return None;
    };
    let src = Endpoint {
        addr: ip.header.src,
        port: header.src_port,
    };
    let dst = Endpoint {
        addr: ip.header.dst,
        port: header.dst_port,
    };
    Some((src, dst, header, payload.len()))
}

impl PlotSink {
    /// A sink writing into `dir` (which must exist) when the run finishes.
    pub fn new(dir: &Path, topo: Arc<Topology>, prov: &Provenance) -> PlotSink {
        PlotSink {
            dir: dir.to_path_buf(),
            has_flows: vec![false; topo.nodes.len()],
            learning_paths: 0,
            topo,
            prov: prov.clone(),
            flows: BTreeMap::new(),
            syn_wscale: BTreeMap::new(),
            by_ends: BTreeMap::new(),
            queues: BTreeMap::new(),
            end: SimTime::ZERO,
        }
    }

    fn flow(&mut self, node: NodeId, local: Endpoint, remote: Endpoint) -> &mut FlowRecord {
        let syn_wscale = &mut self.syn_wscale;
        let by_ends = &mut self.by_ends;
        if let Some(has) = self.has_flows.get_mut(node.0 as usize) {
            *has = true;
        }
        self.flows.entry((node, local, remote)).or_insert_with(|| {
            by_ends.insert((local, remote), node);
            let peer_wscale = syn_wscale.remove(&(local, remote)).flatten();
            FlowRecord {
                peer_wscale,
                ..FlowRecord::default()
            }
        })
    }

    fn on_tcp(
        &mut self,
        time: SimTime,
        node: NodeId,
        local: Endpoint,
        remote: Endpoint,
        trace: &TcpTrace,
    ) {
        let f = self.flow(node, local, remote);
        f.touch(time);
        let t = time.as_secs_f64();
        match trace {
            TcpTrace::Sample(s) => f.on_sample(time, s),
            TcpTrace::Sent { repr, len, cause } => {
                let (silent, head) = (f.data_bytes == 0, f.tseq.in_head());
                f.on_sent(time, repr, *len, *cause);
                // A flow learns its path from its first data segments.
                match (silent && f.data_bytes > 0, head && !f.tseq.in_head()) {
                    (true, false) => self.learning_paths += 1,
                    (false, true) => self.learning_paths -= 1,
                    _ => {}
                }
            }
            TcpTrace::RecoveryStart { .. } => {
                f.recoveries.push((t, None));
                f.awaiting_fast_retransmit = true;
            }
            TcpTrace::RecoveryEnd => {
                if let Some(open) = f.recoveries.last_mut().filter(|r| r.1.is_none()) {
                    open.1 = Some(t);
                }
            }
            TcpTrace::Timeout { .. } => f.rtos.push(t),
            _ => {}
        }
    }

    fn on_rx(&mut self, time: SimTime, iface: IfaceId, frame: &Frame) {
        let Some((src, dst, repr, payload)) = tcp_of(frame) else {
            return;
        };
        let node = self.topo.iface(iface).node;
        if !repr.flags.syn && !self.has_flows.get(node.0 as usize).is_some_and(|h| *h) {
            return;
        }
        match self.flows.get_mut(&(node, dst, src)) {
            Some(f) => f.on_arrival(time, repr, payload),
            // A passive open: the SYN comes before its connection's record.
            None if repr.flags.syn && self.syn_wscale.len() < 65_536 => {
                self.syn_wscale
                    .insert((dst, src), repr.options.window_scale);
            }
            None => {}
        }
    }

    fn on_tx(&mut self, time: SimTime, iface: IfaceId, frame: &Frame) {
        let Some((src, dst, _, payload)) = tcp_of(frame) else {
            return;
        };
        if payload == 0 {
            return;
        }
        let here = self.topo.iface(iface);
        if self.learning_paths == 0 && !self.has_flows.get(here.node.0 as usize).is_some_and(|h| *h)
        {
            return;
        }
        let Some(link) = here.link else {
            return;
        };
        // The data's path: any node may carry it, so find the flow by its ends.
        let Some(&node) = self.by_ends.get(&(src, dst)) else {
            return;
        };
        let Some(f) = self.flows.get_mut(&(node, src, dst)) else {
            return;
        };
        if f.tseq.in_head() {
            f.links.insert(link);
        }
        if here.node == node {
            f.wire_bytes += payload as u64;
            f.wire_total.push(time.as_nanos(), f.wire_bytes as f64);
        }
    }

    fn on_queue(&mut self, time: SimTime, link: LinkId, dir: u8, packets: usize) {
        let q = self.queues.entry((link, dir)).or_default();
        if let Some((t0, p0)) = q.last {
            if p0 > 0 && time > t0 {
                q.queued = true;
            }
        }
        q.last = Some((time, packets));
        q.packets.push(time.as_nanos(), packets as f64);
    }

    fn on_drop(&mut self, time: SimTime, iface: IfaceId, reason: &DropReason) {
        // Only drops at a direction's egress or on its wire.
        let egress = matches!(
            reason,
            DropReason::QueueFull
                | DropReason::RedEarlyDrop
                | DropReason::RedForcedDrop
                | DropReason::CoDelDrop
                | DropReason::LinkDown
                | DropReason::RandomLoss
                | DropReason::BurstLoss { .. }
                | DropReason::DropRule(_)
        );
        let Some(link) = self.topo.iface(iface).link.filter(|_| egress) else {
            return;
        };
        let dir = u8::from(self.topo.links[link.0 as usize].ends[0] != iface);
        let q = self.queues.entry((link, dir)).or_default();
        let packets = q.last.map_or(0, |l| l.1);
        q.drops.push(time.as_nanos(), packets as f64);
        *q.reasons.entry(reason.key()).or_default() += 1;
    }
}

impl TraceSink for PlotSink {
    fn detail(&self) -> Detail {
        // Segments sent and frames received are per-packet events.
        Detail::Packets
    }

    fn series(&self) -> bool {
        true
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        self.end = self.end.max(time);
        match *event {
            Event::Tcp(events::Tcp {
                node,
                local,
                remote,
                trace,
            }) => self.on_tcp(time, node, local, remote, trace),
            Event::Rx(events::Rx { iface, frame }) => self.on_rx(time, iface, frame),
            Event::Tx(events::Tx { iface, frame }) => self.on_tx(time, iface, frame),
            Event::QueueSample(events::QueueSample {
                link, dir, packets, ..
            }) => self.on_queue(time, link, dir, packets),
            Event::Drop(events::Drop {
                iface: Some(iface),
                reason,
                ..
            }) => self.on_drop(time, iface, reason),
            _ => {}
        }
    }

    fn finish(&mut self) -> io::Result<()> {
        super::assemble::write_plots(self)
    }
}
