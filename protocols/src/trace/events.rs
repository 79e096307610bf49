//! The trace events, one type each. Every event knows the least [`Detail`] at
//! which a sink sees it, its line in the text trace and its fields in
//! `events.jsonl` ([`Describe`]); adding an event is adding a type here and
//! its variant in [`super::Event`].
//!
//! Events borrow what they describe (the frame in the queue, the packet being
//! forwarded): they are built where the thing happens and handed to the sinks
//! at once, so a run with no sink that wants them builds nothing costly.

use std::fmt::Write as _;

use super::fields::{Field, Fields, Line, Value};
use super::{ArpEvent, Detail, DropReason, Dropped, LinkChange};
use crate::dhcp::DhcpEvent;
use crate::nat::NatEvent;
use crate::packet::{Frame, Ipv4Packet};
use crate::tcp::{Endpoint, TcpTrace};
use crate::topology::{IfaceId, LinkId, NodeId, Topology};
use crate::wire::MacAddr;

/// What every event says of itself.
pub trait Describe {
    /// Its `kind` in `events.jsonl`: `tx`, `drop`, `tcp`, ...
    fn kind(&self) -> &'static str;
    /// The least detail at which a sink sees it.
    fn detail(&self) -> Detail;
    /// Its line in the text trace.
    fn line(&self, topo: &Topology) -> Line<'_>;
    /// Its fields in `events.jsonl`, besides time and kind.
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>);
}

/// The line of a frame seen on an interface: on the interface's node.
fn frame_line<'a>(topo: &Topology, iface: IfaceId, kind: &'a str, summary: String) -> Line<'a> {
    Line {
        node: Some(topo.iface(iface).node),
        iface: Some(iface),
        kind,
        summary,
    }
}

/// The fields of a frame seen on an interface.
fn frame_fields<'a>(topo: &'a Topology, iface: IfaceId, frame: &'a Frame, f: &mut Fields<'a>) {
    f.str(Field::Node, topo.node_name(topo.iface(iface).node));
    f.text(Field::Iface, topo.iface_label(iface));
    f.frame(frame);
}

/// A frame left an interface (what a capture there shows as outgoing).
#[derive(Clone, Copy, Debug)]
pub struct Tx<'a> {
    /// The interface.
    pub iface: IfaceId,
    /// The frame.
    pub frame: &'a Frame,
}

impl Describe for Tx<'_> {
    fn kind(&self) -> &'static str {
        "tx"
    }
    fn detail(&self) -> Detail {
        Detail::Packets
    }
    fn line(&self, topo: &Topology) -> Line<'_> {
        frame_line(topo, self.iface, ">", self.frame.to_string())
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        frame_fields(topo, self.iface, self.frame, f);
    }
}

/// A frame arrived at an interface (what a capture there shows as incoming).
#[derive(Clone, Copy, Debug)]
pub struct Rx<'a> {
    /// The interface.
    pub iface: IfaceId,
    /// The frame.
    pub frame: &'a Frame,
}

impl Describe for Rx<'_> {
    fn kind(&self) -> &'static str {
        "rx"
    }
    fn detail(&self) -> Detail {
        Detail::Packets
    }
    fn line(&self, topo: &Topology) -> Line<'_> {
        frame_line(topo, self.iface, "<", self.frame.to_string())
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        frame_fields(topo, self.iface, self.frame, f);
    }
}

/// A frame joined an egress queue.
#[derive(Clone, Copy, Debug)]
pub struct Enqueue<'a> {
    /// The interface whose queue.
    pub iface: IfaceId,
    /// The frame.
    pub frame: &'a Frame,
    /// Frames in the queue after this one joined.
    pub backlog_packets: usize,
    /// Bytes in the queue after this one joined.
    pub backlog_bytes: usize,
}

impl Describe for Enqueue<'_> {
    fn kind(&self) -> &'static str {
        "enqueue"
    }
    fn detail(&self) -> Detail {
        Detail::Full
    }
    fn line(&self, topo: &Topology) -> Line<'_> {
        let summary = format!(
            "{} (backlog {} pkts, {} bytes)",
            self.frame, self.backlog_packets, self.backlog_bytes
        );
        frame_line(topo, self.iface, "+", summary)
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.uint(Field::BacklogPackets, self.backlog_packets as u64);
        f.uint(Field::BacklogBytes, self.backlog_bytes as u64);
        frame_fields(topo, self.iface, self.frame, f);
    }
}

/// A frame or packet was dropped.
#[derive(Clone, Copy, Debug)]
pub struct Drop<'a> {
    /// Where.
    pub node: NodeId,
    /// On which interface, if one applies.
    pub iface: Option<IfaceId>,
    /// What.
    pub what: Dropped<'a>,
    /// Why.
    pub reason: &'a DropReason,
}

impl Describe for Drop<'_> {
    fn kind(&self) -> &'static str {
        "drop"
    }
    fn detail(&self) -> Detail {
        match self.reason {
            // Every host discards frames for others and its neighbours'
            // broadcasts: bookkeeping, not news.
            DropReason::NotForUs | DropReason::BroadcastNoListener => Detail::Full,
            _ => Detail::Summary,
        }
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        let what = match self.what {
            Dropped::Frame(f) => f.to_string(),
            Dropped::Packet(p) => p.to_string(),
        };
        Line {
            node: Some(self.node),
            iface: self.iface,
            kind: "x",
            summary: format!("{what} DROP: {}", self.reason),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        if let Some(i) = self.iface {
            f.text(Field::Iface, topo.iface_label(i));
        }
        f.str(Field::Reason, self.reason.key());
        f.text(Field::ReasonText, self.reason);
        match self.what {
            Dropped::Frame(fr) => f.frame(fr),
            Dropped::Packet(p) => f.packet(p),
        }
    }
}

/// A router forwarded a datagram (the packet as sent, TTL already decremented).
#[derive(Clone, Copy, Debug)]
pub struct Forward<'a> {
    /// The router.
    pub node: NodeId,
    /// Arrival interface.
    pub from: IfaceId,
    /// Departure interface.
    pub to: IfaceId,
    /// The datagram.
    pub packet: &'a Ipv4Packet,
}

impl Describe for Forward<'_> {
    fn kind(&self) -> &'static str {
        "forward"
    }
    fn detail(&self) -> Detail {
        Detail::Packets
    }
    fn line(&self, topo: &Topology) -> Line<'_> {
        Line {
            node: Some(self.node),
            iface: Some(self.to),
            kind: "fwd",
            summary: format!("{} (from {})", self.packet, topo.iface(self.from).name),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.text(Field::Iface, topo.iface_label(self.to));
        f.text(Field::From, topo.iface_label(self.from));
        f.packet(self.packet);
    }
}

/// A datagram was split to fit the egress MTU.
#[derive(Clone, Copy, Debug)]
pub struct Fragment<'a> {
    /// Where.
    pub node: NodeId,
    /// The egress interface.
    pub iface: IfaceId,
    /// The original datagram.
    pub packet: &'a Ipv4Packet,
    /// The fragments, in order.
    pub fragments: &'a [Ipv4Packet],
    /// The egress MTU.
    pub mtu: u32,
}

impl Fragment<'_> {
    /// The fragments' payload sizes, in order.
    pub fn sizes(&self) -> Vec<usize> {
        self.fragments
            .iter()
            .map(|p| usize::from(p.header.payload_len))
            .collect()
    }
}

impl Describe for Fragment<'_> {
    fn kind(&self) -> &'static str {
        "fragment"
    }
    fn detail(&self) -> Detail {
        Detail::Packets
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        let mut list = String::new();
        for (i, s) in self.sizes().iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(list, "{sep}{s}");
        }
        Line {
            node: Some(self.node),
            iface: Some(self.iface),
            kind: "frag",
            summary: format!(
                "{}, split into {} fragments of {list} bytes for mtu {}",
                self.packet,
                self.fragments.len(),
                self.mtu
            ),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.text(Field::Iface, topo.iface_label(self.iface));
        f.uint(Field::Mtu, self.mtu);
        f.set(Field::Sizes, Value::Sizes(self.sizes()));
        f.packet(self.packet);
    }
}

/// Fragments were put back together.
#[derive(Clone, Copy, Debug)]
pub struct Reassembled<'a> {
    /// Where.
    pub node: NodeId,
    /// The whole datagram.
    pub packet: &'a Ipv4Packet,
    /// How many fragments it came in.
    pub fragments: usize,
}

impl Describe for Reassembled<'_> {
    fn kind(&self) -> &'static str {
        "reassembled"
    }
    fn detail(&self) -> Detail {
        Detail::Packets
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        Line {
            node: Some(self.node),
            iface: None,
            kind: "frag",
            summary: format!(
                "{}, reassembled from {} fragments",
                self.packet, self.fragments
            ),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.uint(Field::Fragments, self.fragments as u64);
        f.packet(self.packet);
    }
}

/// ARP activity on an interface.
#[derive(Clone, Copy, Debug)]
pub struct Arp {
    /// Where.
    pub node: NodeId,
    /// On which interface.
    pub iface: IfaceId,
    /// What happened.
    pub event: ArpEvent,
}

impl Describe for Arp {
    fn kind(&self) -> &'static str {
        "arp"
    }
    fn detail(&self) -> Detail {
        match self.event {
            ArpEvent::Resolved { .. } | ArpEvent::Failed { .. } => Detail::Summary,
            ArpEvent::Request { .. } => Detail::Packets,
            ArpEvent::Expired { .. } => Detail::Full,
        }
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        let summary = match self.event {
            ArpEvent::Request { ip, attempt: 1 } => format!("who-has {ip}"),
            ArpEvent::Request { ip, attempt } => format!("who-has {ip} (attempt {attempt})"),
            ArpEvent::Resolved { ip, mac } => format!("{ip} is-at {mac}"),
            ArpEvent::Failed { ip } => format!("{ip} unresolved: no reply"),
            ArpEvent::Expired { ip } => format!("{ip} expired from the cache"),
        };
        Line {
            node: Some(self.node),
            iface: Some(self.iface),
            kind: "arp",
            summary,
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.text(Field::Iface, topo.iface_label(self.iface));
        let (what, ip) = match self.event {
            ArpEvent::Request { ip, attempt } => {
                f.uint(Field::Attempt, attempt);
                ("request", ip)
            }
            ArpEvent::Resolved { ip, mac } => {
                f.text(Field::Mac, mac);
                ("resolved", ip)
            }
            ArpEvent::Failed { ip } => ("failed", ip),
            ArpEvent::Expired { ip } => ("expired", ip),
        };
        f.str(Field::Arp, what);
        f.set(Field::Ip, Value::Ip(ip));
    }
}

/// A link changed.
#[derive(Clone, Copy, Debug)]
pub struct Link<'a> {
    /// Which.
    pub link: LinkId,
    /// How.
    pub change: &'a LinkChange,
}

impl Describe for Link<'_> {
    fn kind(&self) -> &'static str {
        "link"
    }
    fn detail(&self) -> Detail {
        Detail::Summary
    }
    fn line(&self, topo: &Topology) -> Line<'_> {
        let name = topo.link_name(self.link);
        let summary = match self.change {
            LinkChange::Down => format!("{name} down"),
            LinkChange::Up => format!("{name} up"),
            LinkChange::Set(what) => format!("{name} {what}"),
        };
        Line {
            node: None,
            iface: None,
            kind: "link",
            summary,
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Link, topo.link_name(self.link));
        let change = match self.change {
            LinkChange::Down => "down",
            LinkChange::Up => "up",
            LinkChange::Set(what) => {
                f.str(Field::Setting, what);
                "set"
            }
        };
        f.str(Field::Change, change);
    }
}

/// A link direction's queue changed length (time series only).
#[derive(Clone, Copy, Debug)]
pub struct QueueSample {
    /// The link.
    pub link: LinkId,
    /// 0: a→b, 1: b→a.
    pub dir: u8,
    /// Frames waiting.
    pub packets: usize,
    /// Bytes waiting.
    pub bytes: usize,
}

impl Describe for QueueSample {
    fn kind(&self) -> &'static str {
        "queue-sample"
    }
    fn detail(&self) -> Detail {
        Detail::Full
    }
    fn line(&self, topo: &Topology) -> Line<'_> {
        Line {
            node: None,
            iface: None,
            kind: "queue",
            summary: format!(
                "{} {}: {} packets, {} bytes",
                topo.link_name(self.link),
                if self.dir == 0 { "a->b" } else { "b->a" },
                self.packets,
                self.bytes
            ),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Link, topo.link_name(self.link));
        f.uint(Field::BacklogPackets, self.packets as u64);
        f.uint(Field::BacklogBytes, self.bytes as u64);
        let dir = if self.dir == 0 { "a_to_b" } else { "b_to_a" };
        f.str(Field::Direction, dir);
    }
}

/// A node stopped (`up: false`) or resumed (`up: true`).
#[derive(Clone, Copy, Debug)]
pub struct NodePower {
    /// The node.
    pub node: NodeId,
    /// Whether it is running now.
    pub up: bool,
}

impl Describe for NodePower {
    fn kind(&self) -> &'static str {
        "node"
    }
    fn detail(&self) -> Detail {
        Detail::Summary
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        Line {
            node: Some(self.node),
            iface: None,
            kind: "node",
            summary: if self.up {
                "resumes".to_string()
            } else {
                "stops (powered off)".to_string()
            },
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.str(Field::Change, if self.up { "up" } else { "down" });
    }
}

/// A switch learned where a MAC address lives.
#[derive(Clone, Copy, Debug)]
pub struct MacLearned {
    /// The switch.
    pub node: NodeId,
    /// The address.
    pub mac: MacAddr,
    /// The port it was seen on.
    pub port: IfaceId,
}

impl Describe for MacLearned {
    fn kind(&self) -> &'static str {
        "mac-learned"
    }
    fn detail(&self) -> Detail {
        Detail::Full
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        Line {
            node: Some(self.node),
            iface: Some(self.port),
            kind: "mac",
            summary: format!("learned {}", self.mac),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.text(Field::Iface, topo.iface_label(self.port));
        f.text(Field::Mac, self.mac);
    }
}

/// TCP activity on a connection: a state change, a segment sent with its
/// cause, a timeout, recovery, a SYN-queue or SYN-cookie event, a sample.
#[derive(Clone, Copy, Debug)]
pub struct Tcp<'a> {
    /// The host.
    pub node: NodeId,
    /// Our end of the connection.
    pub local: Endpoint,
    /// The peer's end.
    pub remote: Endpoint,
    /// What happened.
    pub trace: &'a TcpTrace,
}

impl Describe for Tcp<'_> {
    fn kind(&self) -> &'static str {
        "tcp"
    }
    fn detail(&self) -> Detail {
        self.trace.detail()
    }
    fn line(&self, topo: &Topology) -> Line<'_> {
        let peer = topo.node_with_addr(self.remote.addr).map_or_else(
            || self.remote.addr.to_string(),
            |n| topo.node_name(n).to_string(),
        );
        Line {
            node: Some(self.node),
            iface: None,
            kind: "tcp",
            summary: format!(
                ":{} > {peer}:{}  {}",
                self.local.port,
                self.remote.port,
                self.trace.describe()
            ),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.text(Field::Local, self.local);
        f.text(Field::Remote, self.remote);
        f.str(Field::Tcp, self.trace.key());
        f.set(Field::Summary, Value::Text(self.trace.describe()));
        match self.trace {
            TcpTrace::State { from, to, cause } => {
                f.text(Field::StateFrom, from);
                f.text(Field::StateTo, to);
                f.str(Field::Cause, cause);
            }
            TcpTrace::Timeout { rto, count } => {
                f.uint(Field::RtoNs, rto.as_nanos());
                f.uint(Field::Attempt, *count);
            }
            TcpTrace::Aborted(why) => f.str(Field::Cause, why),
            TcpTrace::RecoveryStart(kind) => f.str(Field::Cause, kind.name()),
            TcpTrace::Sent { repr, len, cause } => {
                f.segment(repr, *len);
                f.str(Field::Cause, cause.name());
            }
            _ => {}
        }
    }
}

/// A DHCP client's state change, configuration or address conflict.
#[derive(Clone, Copy, Debug)]
pub struct Dhcp<'a> {
    /// The host.
    pub node: NodeId,
    /// The interface the client configures.
    pub iface: IfaceId,
    /// What happened.
    pub event: &'a DhcpEvent,
}

impl Describe for Dhcp<'_> {
    fn kind(&self) -> &'static str {
        "dhcp"
    }
    fn detail(&self) -> Detail {
        Detail::Summary
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        Line {
            node: Some(self.node),
            iface: Some(self.iface),
            kind: "dhcp",
            summary: self.event.to_string(),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.text(Field::Iface, topo.iface_label(self.iface));
        f.str(Field::Dhcp, self.event.key());
        f.text(Field::Summary, self.event);
        if let Some(ip) = self.event.addr() {
            f.set(Field::Ip, Value::Ip(ip));
        }
        match self.event {
            DhcpEvent::State { from, to, cause } => {
                f.text(Field::StateFrom, from);
                f.text(Field::StateTo, to);
                f.str(Field::Text, cause.as_str());
            }
            DhcpEvent::Conflict { by, .. } => f.text(Field::Mac, by),
            DhcpEvent::Configured { .. }
            | DhcpEvent::Deconfigured { .. }
            | DhcpEvent::Checking { .. } => {}
        }
    }
}

/// Network address translation at a gateway: a datagram translated (with its
/// inside and outside addresses), a mapping created or expired.
#[derive(Clone, Copy, Debug)]
pub struct Nat<'a> {
    /// The gateway.
    pub node: NodeId,
    /// What happened.
    pub event: &'a NatEvent,
}

impl Describe for Nat<'_> {
    fn kind(&self) -> &'static str {
        "nat"
    }
    fn detail(&self) -> Detail {
        if self.event.per_packet() {
            Detail::Packets
        } else {
            Detail::Summary
        }
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        Line {
            node: Some(self.node),
            iface: None,
            kind: "nat",
            summary: self.event.to_string(),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.str(Field::Nat, self.event.key());
        f.text(Field::Summary, self.event);
        if let Some((inside, outside)) = self.event.ends() {
            f.text(Field::Inside, inside);
            f.text(Field::Outside, outside);
        }
    }
}

/// An application's own output (a ping reply line, a summary).
#[derive(Clone, Copy, Debug)]
pub struct App<'a> {
    /// Where.
    pub node: NodeId,
    /// Which application (e.g. `ping`).
    pub app: &'a str,
    /// The line it prints.
    pub text: &'a str,
}

impl Describe for App<'_> {
    fn kind(&self) -> &'static str {
        "app"
    }
    fn detail(&self) -> Detail {
        Detail::Summary
    }
    fn line(&self, _: &Topology) -> Line<'_> {
        Line {
            node: Some(self.node),
            iface: None,
            kind: self.app,
            summary: self.text.to_owned(),
        }
    }
    fn fields<'a>(&'a self, topo: &'a Topology, f: &mut Fields<'a>) {
        f.str(Field::Node, topo.node_name(self.node));
        f.str(Field::App, self.app);
        f.str(Field::Text, self.text);
    }
}
