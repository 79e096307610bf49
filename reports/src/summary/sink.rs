//! The sink that collects the flow summary during a run.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;
use std::sync::Arc;

use protocols::packet::{FrameBody, IpBody, Ipv4Packet};
use protocols::tcp::{Endpoint, SendCause, State, TcpSample, TcpTrace};
use protocols::topology::{IfaceId, NodeId, Topology};
use protocols::trace::events;
use protocols::trace::{Detail, DropReason, Dropped, Event, TraceSink};
use sim_core::{SimDuration, SimTime};

use super::{DirStats, FlowSummary, LinkSummary, RunSummary};

/// What one connection end did, as far as the summary cares.
struct Conn {
    node: NodeId,
    local: Endpoint,
    remote: Endpoint,
    active_open: bool,
    opened: Option<SimTime>,
    established: Option<SimTime>,
    state: State,
    aborted: Option<&'static str>,
    sent: u64,
    delivered: u64,
    first_send: Option<SimTime>,
    last_delivery: Option<SimTime>,
    retransmits_rto: u64,
    retransmits_fast: u64,
    probes: u64,
    rtos: u64,
    recoveries: u64,
    rtt_samples: u64,
    rtt_count: u64,
    rtt_sum_ns: u128,
    rtt_min: Option<SimDuration>,
    rtt_max: Option<SimDuration>,
    drops: BTreeMap<&'static str, u64>,
}

impl Conn {
    fn new(node: NodeId, local: Endpoint, remote: Endpoint) -> Conn {
        Conn {
            node,
            local,
            remote,
            active_open: false,
            opened: None,
            established: None,
            state: State::Closed,
            aborted: None,
            sent: 0,
            delivered: 0,
            first_send: None,
            last_delivery: None,
            retransmits_rto: 0,
            retransmits_fast: 0,
            probes: 0,
            rtos: 0,
            recoveries: 0,
            rtt_samples: 0,
            rtt_count: 0,
            rtt_sum_ns: 0,
            rtt_min: None,
            rtt_max: None,
            drops: BTreeMap::new(),
        }
    }

    fn on_sample(&mut self, time: SimTime, s: &TcpSample) {
        if s.sent > self.sent {
            self.first_send.get_or_insert(time);
            self.sent = s.sent;
        }
        if s.delivered > self.delivered {
            self.delivered = s.delivered;
            self.last_delivery = Some(time);
        }
        if s.rtt_samples > self.rtt_samples {
            self.rtt_samples = s.rtt_samples;
            if let Some(rtt) = s.rtt {
                self.rtt_count += 1;
                self.rtt_sum_ns += u128::from(rtt.as_nanos());
                self.rtt_min = Some(self.rtt_min.map_or(rtt, |m| m.min(rtt)));
                self.rtt_max = Some(self.rtt_max.map_or(rtt, |m| m.max(rtt)));
            }
        }
    }

    fn on_trace(&mut self, time: SimTime, trace: &TcpTrace) {
        match trace {
            TcpTrace::Sample(s) => self.on_sample(time, s),
            TcpTrace::State { from, to, .. } => {
                if *to == State::SynSent {
                    self.active_open = true;
                }
                if matches!(to, State::SynSent | State::SynReceived) && self.opened.is_none() {
                    self.opened = Some(time);
                }
                if *to == State::Established && !from.is_synchronized() {
                    self.established.get_or_insert(time);
                }
                // Our FIN acknowledged: every byte before it was delivered
                // (the stack samples no more once the connection is CLOSED).
                let fin_acked = matches!(to, State::FinWait2 | State::TimeWait)
                    || (*from == State::LastAck && *to == State::Closed);
                if fin_acked && self.delivered < self.sent {
                    self.delivered = self.sent;
                    self.last_delivery = Some(time);
                }
                self.state = *to;
            }
            TcpTrace::Timeout { .. } => self.rtos += 1,
            TcpTrace::RecoveryStart(_) => self.recoveries += 1,
            TcpTrace::Aborted(why) => self.aborted = Some(why),
            TcpTrace::Sent { cause, .. } => match cause {
                SendCause::RtoRetransmission => self.retransmits_rto += 1,
                SendCause::FastRetransmission => self.retransmits_fast += 1,
                SendCause::WindowProbe | SendCause::Keepalive => self.probes += 1,
                _ => {}
            },
            TcpTrace::RecoveryEnd
            | TcpTrace::Ecn(_)
            | TcpTrace::Congestion(_)
            | TcpTrace::ListenQueueFull
            | TcpTrace::SynCookieSent
            | TcpTrace::SynCookieAccepted => {}
        }
    }

    /// A flow is an end that sent data, or an active open that never got through.
    fn is_flow(&self) -> bool {
        self.sent > 0 || (self.active_open && self.established.is_none())
    }
}

/// What is collected during the run, shared between the sink and its handle.
struct Collector {
    topo: Arc<Topology>,
    conns: Vec<Conn>,
    by_end: BTreeMap<(NodeId, Endpoint, Endpoint), usize>,
    by_tuple: BTreeMap<(Endpoint, Endpoint), usize>,
    /// Per link direction: drops by reason key, FCS errors.
    link_drops: BTreeMap<(usize, usize), BTreeMap<&'static str, u64>>,
    fcs: BTreeMap<(usize, usize), u64>,
}

fn millis(d: SimDuration) -> f64 {
    d.as_nanos() as f64 / 1e6
}

/// The drops a link counts as its own (in [`DirStats::drops`]).
fn is_link_drop(reason: &DropReason) -> bool {
    matches!(
        reason,
        DropReason::QueueFull
            | DropReason::RedEarlyDrop
            | DropReason::RedForcedDrop
            | DropReason::CoDelDrop
            | DropReason::LinkDown
            | DropReason::RandomLoss
            | DropReason::BurstLoss { .. }
            | DropReason::DropRule(_)
    )
}

impl Collector {
    fn conn(&mut self, node: NodeId, local: Endpoint, remote: Endpoint) -> &mut Conn {
        let k = match self.by_end.get(&(node, local, remote)) {
            Some(&k) => k,
            None => {
                let k = self.conns.len();
                self.conns.push(Conn::new(node, local, remote));
                self.by_end.insert((node, local, remote), k);
                self.by_tuple.insert((local, remote), k);
                k
            }
        };
        &mut self.conns[k]
    }

    fn on_drop(&mut self, iface: Option<IfaceId>, what: &Dropped<'_>, reason: &DropReason) {
        let (packet, src_mac) = match what {
            Dropped::Frame(f) => match &f.body {
                FrameBody::Ipv4(p) => (Some(p), Some(f.eth.src)),
                _ => (None, Some(f.eth.src)),
            },
            Dropped::Packet(p) => (Some(*p), None),
        };
        if let Some(k) = packet.and_then(|p| self.flow_of(p)) {
            *self.conns[k].drops.entry(reason.key()).or_default() += 1;
        }
        let Some(iface) = iface else { return };
        let Some(link) = self.topo.iface(iface).link else {
            return;
        };
        let l = link.0 as usize;
        let ends = self.topo.links[l].ends;
        let here = usize::from(ends[0] != iface);
        // Drops are reported at the sending interface, except frames lost in
        // flight (link down) and damaged frames, reported where they arrive:
        // there the frame's source MAC is the far end's.
        let far_mac = self.topo.iface(ends[1 - here]).mac;
        let arrived = matches!(reason, DropReason::FcsError)
            || (matches!(reason, DropReason::LinkDown) && src_mac == Some(far_mac));
        let dir = if arrived { 1 - here } else { here };
        if matches!(reason, DropReason::FcsError) {
            *self.fcs.entry((l, dir)).or_default() += 1;
        } else if is_link_drop(reason) {
            *self
                .link_drops
                .entry((l, dir))
                .or_default()
                .entry(reason.key())
                .or_default() += 1;
        }
    }

    /// The connection end that sent `p`, if it is a known TCP segment.
    fn flow_of(&self, p: &Ipv4Packet) -> Option<usize> {
        let IpBody::Tcp { header, .. } = &p.body else {
            return None;
        };
        let src = Endpoint {
            addr: p.header.src,
            port: header.src_port,
        };
        let dst = Endpoint {
            addr: p.header.dst,
            port: header.dst_port,
        };
        self.by_tuple.get(&(src, dst)).copied()
    }

    fn flow_summary(&self, c: &Conn) -> FlowSummary {
        let node = self.topo.node_name(c.node).to_string();
        let peer = self.topo.node_with_addr(c.remote.addr).map_or_else(
            || c.remote.addr.to_string(),
            |n| self.topo.node_name(n).to_string(),
        );
        let duration = match (c.first_send, c.last_delivery) {
            (Some(a), Some(b)) => b.saturating_since(a),
            _ => SimDuration::ZERO,
        };
        let duration_s = duration.as_secs_f64();
        let goodput_bps = if duration_s > 0.0 {
            c.delivered as f64 * 8.0 / duration_s
        } else {
            0.0
        };
        FlowSummary {
            id: format!("{node}:{} -> {peer}:{}", c.local.port, c.remote.port),
            node,
            local: c.local.to_string(),
            peer,
            remote: c.remote.to_string(),
            local_port: c.local.port,
            peer_port: c.remote.port,
            active_open: c.active_open,
            opened_s: c.opened.map(SimTime::as_secs_f64),
            established_s: c.established.map(SimTime::as_secs_f64),
            final_state: c.state.to_string(),
            aborted: c.aborted.map(str::to_string),
            bytes_sent: c.sent,
            bytes_delivered: c.delivered,
            duration_s,
            goodput_bps,
            retransmits: c.retransmits_rto + c.retransmits_fast,
            retransmits_rto: c.retransmits_rto,
            retransmits_fast: c.retransmits_fast,
            probes: c.probes,
            rtos: c.rtos,
            recoveries: c.recoveries,
            rtt_samples: c.rtt_samples,
            rtt_min_ms: c.rtt_min.map(millis),
            rtt_mean_ms: (c.rtt_count > 0).then(|| c.rtt_sum_ns as f64 / c.rtt_count as f64 / 1e6),
            rtt_max_ms: c.rtt_max.map(millis),
            drops: c.drops.values().sum(),
            drops_by_reason: c.drops.iter().map(|(k, v)| (k.to_string(), *v)).collect(),
        }
    }

    fn link_summaries(&self, end: SimTime, stats: &[[DirStats; 2]]) -> Vec<LinkSummary> {
        let mut out = Vec::new();
        let run_s = end.as_secs_f64();
        for (l, (info, dirs)) in self.topo.links.iter().zip(stats).enumerate() {
            for (d, st) in dirs.iter().enumerate() {
                let rate_bps = info.rate.bps();
                let capacity = rate_bps as f64 * run_s;
                let drops_by_reason: BTreeMap<String, u64> = self
                    .link_drops
                    .get(&(l, d))
                    .map(|m| m.iter().map(|(k, v)| (k.to_string(), *v)).collect())
                    .unwrap_or_default();
                out.push(LinkSummary {
                    link: info.name.clone(),
                    direction: if d == 0 { "a_to_b" } else { "b_to_a" }.to_string(),
                    from: self.topo.iface_label(info.ends[d]),
                    to: self.topo.iface_label(info.ends[1 - d]),
                    rate_bps,
                    frames: st.frames_sent,
                    bytes: st.bytes_sent,
                    utilisation: if capacity > 0.0 {
                        st.bytes_sent as f64 * 8.0 / capacity
                    } else {
                        0.0
                    },
                    drops: st.drops,
                    drops_by_reason,
                    fcs_errors: self.fcs.get(&(l, d)).copied().unwrap_or(0),
                    max_queue_packets: st.max_queue,
                    ecn_marks: st.ecn_marks,
                });
            }
        }
        out
    }
}

/// Collects the flow summary from the trace (see the [module docs](super)).
/// Made with [`SummarySink::new`], which also returns the [`SummaryHandle`]
/// that produces the [`RunSummary`] once the run is over.
pub struct SummarySink {
    shared: Rc<RefCell<Collector>>,
}

/// Turns what a [`SummarySink`] collected into a [`RunSummary`].
pub struct SummaryHandle {
    shared: Rc<RefCell<Collector>>,
}

impl SummarySink {
    /// A sink for a run over `topo`, and the handle that reads it out.
    pub fn new(topo: Arc<Topology>) -> (SummarySink, SummaryHandle) {
        let shared = Rc::new(RefCell::new(Collector {
            topo,
            conns: Vec::new(),
            by_end: BTreeMap::new(),
            by_tuple: BTreeMap::new(),
            link_drops: BTreeMap::new(),
            fcs: BTreeMap::new(),
        }));
        (
            SummarySink {
                shared: shared.clone(),
            },
            SummaryHandle { shared },
        )
    }
}

impl TraceSink for SummarySink {
    fn detail(&self) -> Detail {
        // Retransmitted and probe segments are Summary events; other
        // segments are not needed (bytes come from the samples).
        Detail::Summary
    }

    fn series(&self) -> bool {
        true
    }

    fn queue_series(&self) -> bool {
        // The longest queue comes from the link counters.
        false
    }

    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        let mut c = self.shared.borrow_mut();
        match *event {
            Event::Tcp(events::Tcp {
                node,
                local,
                remote,
                trace,
            }) => {
                if matches!(
                    trace,
                    TcpTrace::ListenQueueFull
                        | TcpTrace::SynCookieSent
                        | TcpTrace::SynCookieAccepted
                ) {
                    return;
                }
                c.conn(node, local, remote).on_trace(time, trace);
            }
            Event::Drop(events::Drop {
                iface,
                ref what,
                reason,
                ..
            }) => c.on_drop(iface, what, reason),
            _ => {}
        }
    }
}

impl SummaryHandle {
    /// The summary of a run that ended at `end`, with the world's link
    /// counters `links` (one `[a→b, b→a]` pair per topology link).
    pub fn finish(self, end: SimTime, links: &[[DirStats; 2]]) -> RunSummary {
        let c = self.shared.borrow();
        RunSummary {
            duration_s: end.as_secs_f64(),
            flows: c
                .conns
                .iter()
                .filter(|k| k.is_flow())
                .map(|k| c.flow_summary(k))
                .collect(),
            links: c.link_summaries(end, links),
        }
    }
}
