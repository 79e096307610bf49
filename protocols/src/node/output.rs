//! What a node call produces: frames to hand to the links and notes for the
//! trace ([`NodeOutput`]).

use crate::packet::{Frame, Ipv4Packet};
use crate::topology::IfaceId;
use crate::trace::{ArpEvent, Detail, DropReason};

/// Something a node did that a trace may want to show. Owned, because the
/// packets it names may be gone by the time the world emits it.
#[derive(Debug)]
pub enum Note {
    /// A frame or packet was dropped.
    Drop {
        /// Interface, if one applies.
        iface: Option<IfaceId>,
        /// What.
        what: Dropped,
        /// Why.
        reason: DropReason,
    },
    /// A datagram was forwarded (as sent, TTL decremented).
    Forward {
        /// Arrival interface.
        from: IfaceId,
        /// Departure interface.
        to: IfaceId,
        /// The datagram.
        packet: Ipv4Packet,
    },
    /// A datagram was fragmented.
    Fragment {
        /// Egress interface.
        iface: IfaceId,
        /// The original datagram.
        packet: Ipv4Packet,
        /// Fragment payload sizes.
        sizes: Vec<usize>,
        /// Egress MTU.
        mtu: u32,
    },
    /// A datagram was reassembled.
    Reassembled {
        /// The datagram.
        packet: Ipv4Packet,
        /// Number of fragments.
        fragments: usize,
    },
    /// ARP activity.
    Arp {
        /// Interface.
        iface: IfaceId,
        /// What.
        event: ArpEvent,
    },
    /// A switch learned where a MAC address lives.
    MacLearned {
        /// The address.
        mac: crate::wire::MacAddr,
        /// The port it was seen on.
        port: IfaceId,
    },
    /// TCP activity on a connection.
    Tcp {
        /// Our end.
        local: crate::tcp::Endpoint,
        /// The peer's end.
        remote: crate::tcp::Endpoint,
        /// What happened.
        trace: crate::tcp::TcpTrace,
    },
    /// A DHCP client event.
    Dhcp {
        /// The interface.
        iface: IfaceId,
        /// What happened.
        event: crate::dhcp::DhcpEvent,
    },
    /// A NAT event.
    Nat(crate::nat::NatEvent),
    /// An application printed a line.
    App {
        /// Application name.
        app: &'static str,
        /// The line.
        text: String,
    },
}

/// An owned dropped frame or packet.
#[derive(Debug)]
pub enum Dropped {
    /// A whole frame.
    Frame(Frame),
    /// An IP datagram.
    Packet(Ipv4Packet),
}

/// What a node call produced.
#[derive(Debug, Default)]
pub struct NodeOutput {
    /// Frames to hand to the links, in order.
    pub frames: Vec<(IfaceId, Frame)>,
    /// Notes for the trace (only those at or below `detail`).
    pub notes: Vec<Note>,
    /// The most detail anyone wants; `None`: collect no notes.
    pub detail: Option<Detail>,
    /// Whether time-series samples are wanted.
    pub series: bool,
}

impl NodeOutput {
    /// An empty output collecting notes up to `detail`.
    pub fn new(detail: Option<Detail>) -> NodeOutput {
        NodeOutput {
            frames: Vec::new(),
            notes: Vec::new(),
            detail,
            series: false,
        }
    }

    /// Whether notes of `detail` are wanted.
    #[inline]
    pub fn wants(&self, detail: Detail) -> bool {
        self.detail.is_some_and(|d| detail <= d)
    }

    /// Records a note if its detail is wanted; `note` is only built then.
    #[inline]
    pub fn note(&mut self, detail: Detail, note: impl FnOnce() -> Note) {
        if self.wants(detail) {
            self.notes.push(note());
        }
    }

    /// Records a drop (Summary detail; `NotForUs` only at Full).
    pub fn drop(
        &mut self,
        iface: Option<IfaceId>,
        what: impl FnOnce() -> Dropped,
        reason: DropReason,
    ) {
        let detail = if matches!(
            reason,
            DropReason::NotForUs | DropReason::BroadcastNoListener
        ) {
            Detail::Full
        } else {
            Detail::Summary
        };
        if self.wants(detail) {
            self.notes.push(Note::Drop {
                iface,
                what: what(),
                reason,
            });
        }
    }
}
