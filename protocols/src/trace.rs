//! Typed trace events and the sink interface.
//!
//! Every observable happening in a run is an [`Event`]. Sinks (text trace,
//! JSON lines, pcap, ...) live in the `reports` crate and receive events through
//! [`TraceSink`]. Each sink says how much [`Detail`] it wants; the world builds an
//! event only if some sink wants it, so a run with no sinks pays nothing.

use std::fmt;
use std::net::Ipv4Addr;

use sim_core::SimTime;

use crate::packet::{Frame, Ipv4Packet};
use crate::topology::{IfaceId, LinkId, NodeId};
use crate::wire::{MacAddr, WireError};

/// How much a sink wants to see. Ordered: `Summary < Packets < Full`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Detail {
    /// Application output, drops, link changes, ARP resolution.
    Summary,
    /// Plus every frame sent and received on every interface, forwarding,
    /// fragmentation and reassembly.
    Packets,
    /// Plus queueing and ARP cache bookkeeping.
    Full,
}

/// Why a frame or packet was dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The egress queue was full (DropTail).
    QueueFull,
    /// RED dropped the arrival early (average queue between the thresholds).
    RedEarlyDrop,
    /// RED dropped the arrival because the average queue was too long.
    RedForcedDrop,
    /// CoDel dropped the packet at the head (it waited too long).
    CoDelDrop,
    /// The link was down.
    LinkDown,
    /// Random loss (Bernoulli).
    RandomLoss,
    /// Burst loss (Gilbert–Elliott, in the named state).
    BurstLoss {
        /// Whether the channel was in its bad state.
        bad_state: bool,
    },
    /// A deterministic teaching rule matched (the rule, as written).
    DropRule(String),
    /// The frame check sequence did not match: the frame was corrupted on the link.
    FcsError,
    /// A header did not parse.
    Malformed(WireError),
    /// TTL reached zero at a router.
    TtlExceeded,
    /// No route to the destination.
    NoRoute,
    /// ARP got no answer for the next hop.
    ArpFailed,
    /// Too many packets were waiting for ARP resolution.
    ArpQueueFull,
    /// Not all fragments arrived in time.
    ReassemblyTimeout,
    /// Larger than the egress MTU with DF set.
    FragmentationNeeded {
        /// The egress MTU.
        mtu: u32,
    },
    /// The frame was not addressed to this interface.
    NotForUs,
    /// No socket or handler for the protocol or port.
    NoListener,
    /// A switch had no port to send it to (it came back to where it would go).
    SameSegment,
    /// The receiving node is down.
    NodeDown,
    /// A broadcast datagram for a port nothing listens on (silently
    /// discarded, as every host discards the DHCP broadcasts of its neighbours).
    BroadcastNoListener,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropReason::QueueFull => f.write_str("queue full"),
            DropReason::RedEarlyDrop => f.write_str("RED early drop"),
            DropReason::RedForcedDrop => f.write_str("RED forced drop"),
            DropReason::CoDelDrop => f.write_str("CoDel drop (sojourn above target)"),
            DropReason::LinkDown => f.write_str("link down"),
            DropReason::RandomLoss => f.write_str("random loss"),
            DropReason::BurstLoss { bad_state: true } => f.write_str("burst loss (bad state)"),
            DropReason::BurstLoss { bad_state: false } => f.write_str("burst loss (good state)"),
            DropReason::DropRule(rule) => write!(f, "drop rule {rule}"),
            DropReason::FcsError => f.write_str("FCS error (corrupted on the link)"),
            DropReason::Malformed(e) => write!(f, "malformed ({e})"),
            DropReason::TtlExceeded => f.write_str("TTL exceeded"),
            DropReason::NoRoute => f.write_str("no route"),
            DropReason::ArpFailed => f.write_str("ARP resolution failed"),
            DropReason::ArpQueueFull => f.write_str("ARP queue full"),
            DropReason::ReassemblyTimeout => f.write_str("reassembly timeout"),
            DropReason::FragmentationNeeded { mtu } => {
                write!(f, "needs fragmentation but DF set (mtu {mtu})")
            }
            DropReason::NotForUs => f.write_str("not addressed to us"),
            DropReason::NoListener => f.write_str("no listener"),
            DropReason::SameSegment => f.write_str("destination on the arrival port"),
            DropReason::NodeDown => f.write_str("node down"),
            DropReason::BroadcastNoListener => f.write_str("broadcast, no listener"),
        }
    }
}

impl DropReason {
    /// A short stable key for machine-readable outputs: `queue-full`, `fcs-error`, ...
    pub fn key(&self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue-full",
            DropReason::RedEarlyDrop => "red-early",
            DropReason::RedForcedDrop => "red-forced",
            DropReason::CoDelDrop => "codel",
            DropReason::LinkDown => "link-down",
            DropReason::RandomLoss => "random-loss",
            DropReason::BurstLoss { .. } => "burst-loss",
            DropReason::DropRule(_) => "drop-rule",
            DropReason::FcsError => "fcs-error",
            DropReason::Malformed(_) => "malformed",
            DropReason::TtlExceeded => "ttl-exceeded",
            DropReason::NoRoute => "no-route",
            DropReason::ArpFailed => "arp-failed",
            DropReason::ArpQueueFull => "arp-queue-full",
            DropReason::ReassemblyTimeout => "reassembly-timeout",
            DropReason::FragmentationNeeded { .. } => "fragmentation-needed",
            DropReason::NotForUs => "not-for-us",
            DropReason::NoListener => "no-listener",
            DropReason::SameSegment => "same-segment",
            DropReason::NodeDown => "node-down",
            DropReason::BroadcastNoListener => "broadcast-no-listener",
        }
    }
}

/// What was dropped.
#[derive(Clone, Copy, Debug)]
pub enum Dropped<'a> {
    /// A whole frame (at a link, a queue or an interface).
    Frame(&'a Frame),
    /// An IP packet (inside a node's stack).
    Packet(&'a Ipv4Packet),
}

/// ARP happenings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpEvent {
    /// A request went out (attempt number, from 1).
    Request {
        /// The address asked for.
        ip: Ipv4Addr,
        /// 1 for the first request, 2 for the first retry, ...
        attempt: u32,
    },
    /// The cache learned or refreshed an entry.
    Resolved {
        /// The address.
        ip: Ipv4Addr,
        /// Its MAC.
        mac: MacAddr,
    },
    /// No reply after every retry.
    Failed {
        /// The address asked for.
        ip: Ipv4Addr,
    },
    /// An entry aged out.
    Expired {
        /// The address.
        ip: Ipv4Addr,
    },
}

/// A change to a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkChange {
    /// The link went down.
    Down,
    /// The link came back up.
    Up,
    /// A parameter changed (described for the reader).
    Set(String),
}

/// One observable happening.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A frame left an interface (what a capture there shows as outgoing).
    Tx {
        /// The interface.
        iface: IfaceId,
        /// The frame.
        frame: &'a Frame,
    },
    /// A frame arrived at an interface (what a capture there shows as incoming).
    Rx {
        /// The interface.
        iface: IfaceId,
        /// The frame.
        frame: &'a Frame,
    },
    /// A frame joined an egress queue.
    Enqueue {
        /// The interface whose queue.
        iface: IfaceId,
        /// The frame.
        frame: &'a Frame,
        /// Frames in the queue after this one joined.
        backlog_packets: usize,
        /// Bytes in the queue after this one joined.
        backlog_bytes: usize,
    },
    /// A frame or packet was dropped.
    Drop {
        /// Where.
        node: NodeId,
        /// On which interface, if one applies.
        iface: Option<IfaceId>,
        /// What.
        what: Dropped<'a>,
        /// Why.
        reason: &'a DropReason,
    },
    /// A router forwarded a datagram (the packet as sent, TTL already decremented).
    Forward {
        /// The router.
        node: NodeId,
        /// Arrival interface.
        from: IfaceId,
        /// Departure interface.
        to: IfaceId,
        /// The datagram.
        packet: &'a Ipv4Packet,
    },
    /// A datagram was split to fit the egress MTU.
    Fragment {
        /// Where.
        node: NodeId,
        /// The egress interface.
        iface: IfaceId,
        /// The original datagram.
        packet: &'a Ipv4Packet,
        /// The fragments' payload sizes, in order.
        sizes: &'a [usize],
        /// The egress MTU.
        mtu: u32,
    },
    /// Fragments were put back together.
    Reassembled {
        /// Where.
        node: NodeId,
        /// The whole datagram.
        packet: &'a Ipv4Packet,
        /// How many fragments it came in.
        fragments: usize,
    },
    /// ARP activity.
    Arp {
        /// Where.
        node: NodeId,
        /// On which interface.
        iface: IfaceId,
        /// What happened.
        event: ArpEvent,
    },
    /// A link changed.
    Link {
        /// Which.
        link: LinkId,
        /// How.
        change: &'a LinkChange,
    },
    /// A link direction's queue changed length (time series only).
    QueueSample {
        /// The link.
        link: LinkId,
        /// 0: a→b, 1: b→a.
        dir: u8,
        /// Frames waiting.
        packets: usize,
        /// Bytes waiting.
        bytes: usize,
    },
    /// A node stopped (`up: false`) or resumed (`up: true`).
    NodePower {
        /// The node.
        node: NodeId,
        /// Whether it is running now.
        up: bool,
    },
    /// A switch learned where a MAC address lives.
    MacLearned {
        /// The switch.
        node: NodeId,
        /// The address.
        mac: MacAddr,
        /// The port it was seen on.
        port: IfaceId,
    },
    /// TCP activity on a connection: a state change, a segment sent with its
    /// cause, a timeout, recovery, a SYN-queue or SYN-cookie event.
    Tcp {
        /// The host.
        node: NodeId,
        /// Our end of the connection.
        local: crate::tcp::Endpoint,
        /// The peer's end.
        remote: crate::tcp::Endpoint,
        /// What happened.
        trace: &'a crate::tcp::TcpTrace,
    },
    /// A DHCP client's state change, configuration or address conflict.
    Dhcp {
        /// The host.
        node: NodeId,
        /// The interface the client configures.
        iface: IfaceId,
        /// What happened.
        event: &'a crate::dhcp::DhcpEvent,
    },
    /// Network address translation at a gateway: a datagram translated (with
    /// its inside and outside addresses), a mapping created or expired.
    Nat {
        /// The gateway.
        node: NodeId,
        /// What happened.
        event: &'a crate::nat::NatEvent,
    },
    /// An application's own output (a ping reply line, a summary).
    App {
        /// Where.
        node: NodeId,
        /// Which application (e.g. `ping`).
        app: &'a str,
        /// The line it prints.
        text: &'a str,
    },
}

impl Event<'_> {
    /// Whether this is a time-series sample, delivered only to sinks that
    /// want series ([`TraceSink::series`]), whatever their detail.
    pub fn is_series(&self) -> bool {
        matches!(
            self,
            Event::QueueSample { .. }
                | Event::Tcp {
                    trace: crate::tcp::TcpTrace::Sample(_),
                    ..
                }
        )
    }

    /// The least detail at which a sink sees this event.
    pub fn detail(&self) -> Detail {
        match self {
            Event::Drop {
                reason: DropReason::NotForUs | DropReason::BroadcastNoListener,
                ..
            } => Detail::Full,
            Event::Nat { event, .. } if event.per_packet() => Detail::Packets,
            Event::Dhcp { .. } | Event::Nat { .. } => Detail::Summary,
            Event::Drop { .. }
            | Event::Link { .. }
            | Event::NodePower { .. }
            | Event::App { .. } => Detail::Summary,
            Event::Tcp { trace, .. } => tcp_detail(trace),
            Event::Arp {
                event: ArpEvent::Resolved { .. } | ArpEvent::Failed { .. },
                ..
            } => Detail::Summary,
            Event::Tx { .. }
            | Event::Rx { .. }
            | Event::Forward { .. }
            | Event::Fragment { .. }
            | Event::Reassembled { .. }
            | Event::Arp {
                event: ArpEvent::Request { .. },
                ..
            } => Detail::Packets,
            Event::Enqueue { .. }
            | Event::MacLearned { .. }
            | Event::Arp { .. }
            | Event::QueueSample { .. } => Detail::Full,
        }
    }

    /// The node where the event happened, when the event names one directly.
    pub fn node(&self) -> Option<NodeId> {
        match self {
            Event::Drop { node, .. }
            | Event::Forward { node, .. }
            | Event::Fragment { node, .. }
            | Event::Reassembled { node, .. }
            | Event::Arp { node, .. }
            | Event::MacLearned { node, .. }
            | Event::Tcp { node, .. }
            | Event::NodePower { node, .. }
            | Event::Dhcp { node, .. }
            | Event::Nat { node, .. }
            | Event::App { node, .. } => Some(*node),
            Event::Tx { .. }
            | Event::Rx { .. }
            | Event::Enqueue { .. }
            | Event::Link { .. }
            | Event::QueueSample { .. } => None,
        }
    }
}

/// The least detail at which a sink sees a TCP trace event. Segments sent
/// are per-packet, except retransmissions and probes: they are rare and
/// significant (the flow summary counts them), so they are Summary events.
pub fn tcp_detail(trace: &crate::tcp::TcpTrace) -> Detail {
    use crate::tcp::{SendCause, TcpTrace};
    match trace {
        TcpTrace::Sent {
            cause:
                SendCause::RtoRetransmission
                | SendCause::FastRetransmission
                | SendCause::WindowProbe
                | SendCause::Keepalive,
            ..
        } => Detail::Summary,
        TcpTrace::Sent { .. } => Detail::Packets,
        _ => Detail::Summary,
    }
}

/// A consumer of trace events.
pub trait TraceSink {
    /// The most detail this sink wants; it is not called for finer events.
    fn detail(&self) -> Detail;
    /// Whether this sink wants time-series samples ([`Event::is_series`]).
    fn series(&self) -> bool {
        false
    }
    /// Whether, wanting series, it wants the queue samples too (one per
    /// enqueue and dequeue); the TCP samples alone are cheaper.
    fn queue_series(&self) -> bool {
        self.series()
    }
    /// Records one event.
    fn record(&mut self, time: SimTime, event: &Event<'_>);
    /// Flushes and closes the sink's outputs at the end of the run.
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The world's fan-out to its sinks.
#[derive(Default)]
pub struct Tracer {
    sinks: Vec<Box<dyn TraceSink>>,
    max: Option<Detail>,
    series: bool,
    queue_series: bool,
}

impl Tracer {
    /// A tracer feeding `sinks`.
    pub fn new(sinks: Vec<Box<dyn TraceSink>>) -> Tracer {
        let max = sinks.iter().map(|s| s.detail()).max();
        let series = sinks.iter().any(|s| s.series());
        let queue_series = sinks.iter().any(|s| s.series() && s.queue_series());
        Tracer {
            sinks,
            max,
            series,
            queue_series,
        }
    }

    /// Whether any sink wants time-series samples.
    #[inline]
    pub fn wants_series(&self) -> bool {
        self.series
    }

    /// Whether any sink wants queue-length samples.
    #[inline]
    pub fn wants_queue_series(&self) -> bool {
        self.queue_series
    }

    /// Whether any sink wants events of this detail: check before building one.
    #[inline]
    pub fn wants(&self, detail: Detail) -> bool {
        self.max.is_some_and(|m| detail <= m)
    }

    /// Hands `event` to every sink that wants it.
    pub fn emit(&mut self, time: SimTime, event: Event<'_>) {
        if event.is_series() {
            let queue = matches!(event, Event::QueueSample { .. });
            for s in self.sinks.iter_mut() {
                if s.series() && (!queue || s.queue_series()) {
                    s.record(time, &event);
                }
            }
            return;
        }
        let d = event.detail();
        for s in &mut self.sinks {
            if d <= s.detail() {
                s.record(time, &event);
            }
        }
    }

    /// Gives the sinks back (to flush and close them after the run).
    pub fn into_sinks(self) -> Vec<Box<dyn TraceSink>> {
        self.sinks
    }
}
