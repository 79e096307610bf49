//! The IPv4 layer of a host or router (RFC 791, RFC 1812): input, forwarding,
//! output with fragmentation, and next-hop resolution through ARP.
//!
//! Rules implemented, by source:
//! - RFC 1812 §5.2.4.3: longest-prefix match ([`routing`]).
//! - RFC 1812 §5.3.1 / RFC 791: a router drops a datagram whose TTL would
//!   reach zero and sends ICMP time exceeded (code 0).
//! - RFC 1191 §4: DF set and larger than the egress MTU → ICMP destination
//!   unreachable, fragmentation needed, carrying the next-hop MTU.
//! - RFC 791 §3.2: fragments wait for the rest for [`REASSEMBLY_TIMEOUT`];
//!   a timeout after the first fragment came sends ICMP time exceeded (code 1).
//!
//! Every datagram this node originates gets its header in one place,
//! [`IpNode::originate`]: TTL, DF, TOS as its sender asks, the next
//! identification, protocol and length from the body.
//!
//! Simplifications: no IP options, no ICMP rate limiting, no redirects, one
//! address per interface.

pub mod arp;
pub mod frag;
mod icmp;
mod neighbour;
pub mod routing;

use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime};

use super::{IpNode, NodeOutput};
use crate::apps::Outgoing;
use crate::packet::{IpBody, Ipv4Packet};
use crate::topology::IfaceId;
use crate::trace::{DropReason, Dropped, Event, events};
use crate::wire::{IcmpRepr, IpProtocol, Ipv4Repr, UnreachableCode};
use frag::fragment;
use routing::NextHop;

/// The default TTL of datagrams a node originates (Linux `ip_default_ttl`).
pub const DEFAULT_TTL: u8 = 64;
/// How long fragments wait for the rest (Linux `ipfrag_time`).
pub const REASSEMBLY_TIMEOUT: SimDuration = SimDuration::from_secs(30);

impl IpNode {
    /// The next identification field (RFC 791 §3.2: unique per source,
    /// destination and protocol while the datagram may be alive; one counter
    /// per node, as Linux without per-destination counters).
    fn take_ident(&mut self) -> u16 {
        let id = self.next_ident;
        self.next_ident = self.next_ident.wrapping_add(1);
        id
    }

    /// A datagram this node originates: the one place an IPv4 header is
    /// written. Protocol and length follow from `body`.
    pub(super) fn originate(
        &mut self,
        src: Ipv4Addr,
        dst: Ipv4Addr,
        ttl: u8,
        tos: u8,
        dont_frag: bool,
        body: IpBody,
    ) -> Ipv4Packet {
        let header = Ipv4Repr {
            src,
            dst,
            protocol: IpProtocol::Unknown(0),
            ttl,
            tos,
            ident: self.take_ident(),
            dont_frag,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        Ipv4Packet::new(header, body)
    }

    /// The datagram an application asked for, from `src` unless it chose its
    /// own (spoofed) source.
    pub(super) fn datagram(&mut self, src: Ipv4Addr, o: Outgoing) -> Ipv4Packet {
        let src = o.src.unwrap_or(src);
        self.originate(src, o.dst, o.ttl, 0, o.dont_frag, o.body)
    }

    /// Sends a datagram an application asked for.
    pub(super) fn send_datagram(
        &mut self,
        now: SimTime,
        app: &'static str,
        o: Outgoing,
        out: &mut NodeOutput,
    ) {
        let Some(nh) = self.routes.lookup(o.dst) else {
            out.app(app, &format!("connect: Network is unreachable ({})", o.dst));
            return;
        };
        let src = self
            .iface(nh.iface)
            .addr
            .map_or(Ipv4Addr::UNSPECIFIED, |a| a.addr);
        let packet = self.datagram(src, o);
        if self.is_local(packet.header.dst) {
            self.deliver(now, None, packet, out);
        } else {
            self.transmit(now, nh, packet, None, out);
        }
    }

    /// A datagram arrived on `iface`: to its DHCP client, through NAT, to
    /// local delivery, forwarded, or dropped.
    pub(super) fn on_ipv4(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        packet: Ipv4Packet,
        out: &mut NodeOutput,
    ) {
        if self.dhcp_claims(iface, &packet) {
            self.dhcp_input(now, iface, packet, out);
            return;
        }
        let packet = match self.nat_inbound(now, iface, packet, out) {
            super::nat::NatIn::Pass(p) => p,
            super::nat::NatIn::Forward(p) => return self.forward(now, iface, p, out),
            super::nat::NatIn::Drop => return,
        };
        let dst = packet.header.dst;
        if self.is_local(dst) || self.is_broadcast(dst) {
            self.deliver(now, Some(iface), packet, out);
        } else if self.forwarding {
            self.forward(now, iface, packet, out);
        } else {
            out.drop(Some(iface), Dropped::Packet(&packet), &DropReason::NotForUs);
        }
    }

    fn forward(
        &mut self,
        now: SimTime,
        from: IfaceId,
        mut packet: Ipv4Packet,
        out: &mut NodeOutput,
    ) {
        // RFC 1812 §5.3.1: decrement TTL; if it reaches zero, drop and report.
        if packet.header.ttl <= 1 {
            out.drop(
                Some(from),
                Dropped::Packet(&packet),
                &DropReason::TtlExceeded,
            );
            let icmp = IcmpRepr::TimeExceeded {
                code: 0,
                original: packet.quote(),
            };
            self.icmp_error(now, &packet, icmp, out);
            return;
        }
        packet.header.ttl -= 1;
        let Some(nh) = self.routes.lookup(packet.header.dst) else {
            out.drop(Some(from), Dropped::Packet(&packet), &DropReason::NoRoute);
            let icmp = IcmpRepr::DstUnreachable {
                code: UnreachableCode::Net,
                next_hop_mtu: 0,
                original: packet.quote(),
            };
            self.icmp_error(now, &packet, icmp, out);
            return;
        };
        let Some(packet) = self.nat_outbound(now, from, nh.iface, packet, out) else {
            return;
        };
        let node = out.node;
        out.emit(Event::Forward(events::Forward {
            node,
            from,
            to: nh.iface,
            packet: &packet,
        }));
        self.transmit(now, nh, packet, Some(from), out);
    }

    /// Sends a datagram this node originates.
    pub(super) fn output(&mut self, now: SimTime, packet: Ipv4Packet, out: &mut NodeOutput) {
        if self.is_local(packet.header.dst) {
            self.deliver(now, None, packet, out);
            return;
        }
        match self.routes.lookup(packet.header.dst) {
            Some(nh) => self.transmit(now, nh, packet, None, out),
            None => out.drop(None, Dropped::Packet(&packet), &DropReason::NoRoute),
        }
    }

    /// MTU check, fragmentation, next-hop resolution.
    fn transmit(
        &mut self,
        now: SimTime,
        nh: NextHop,
        packet: Ipv4Packet,
        from: Option<IfaceId>,
        out: &mut NodeOutput,
    ) {
        let mtu = self.iface(nh.iface).mtu;
        if packet.len() <= mtu as usize {
            self.resolve_and_send(now, nh, packet, from, out);
            return;
        }
        if packet.header.dont_frag {
            // RFC 1191 §4: report the next-hop MTU.
            out.drop(
                Some(nh.iface),
                Dropped::Packet(&packet),
                &DropReason::FragmentationNeeded { mtu },
            );
            let icmp = IcmpRepr::DstUnreachable {
                code: UnreachableCode::FragNeeded,
                next_hop_mtu: mtu.min(u32::from(u16::MAX)) as u16,
                original: packet.quote(),
            };
            self.icmp_error(now, &packet, icmp, out);
            return;
        }
        let pieces = fragment(&packet, mtu);
        let node = out.node;
        out.emit(Event::Fragment(events::Fragment {
            node,
            iface: nh.iface,
            packet: &packet,
            fragments: &pieces,
            mtu,
        }));
        for p in pieces {
            self.resolve_and_send(now, nh, p, from, out);
        }
    }

    /// Reassembly buffers whose time ran out (RFC 791 §3.2; RFC 792 time
    /// exceeded, code 1, when the first fragment had arrived).
    pub(super) fn reassembly_timers(&mut self, now: SimTime, out: &mut NodeOutput) {
        if self.reasm.poll_at().is_none_or(|t| t > now) {
            return;
        }
        for expired in self.reasm.on_timer(now) {
            if let Some(first) = expired.first {
                out.drop(
                    None,
                    Dropped::Packet(&first),
                    &DropReason::ReassemblyTimeout,
                );
                self.icmp_error(
                    now,
                    &first,
                    IcmpRepr::TimeExceeded {
                        code: 1,
                        original: first.quote(),
                    },
                    out,
                );
            } else {
                let text = format!(
                    "reassembly timeout for a datagram from {} (first fragment never arrived)",
                    expired.src
                );
                out.app("ip", &text);
            }
        }
    }
}
