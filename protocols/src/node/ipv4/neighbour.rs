//! Neighbour resolution for IPv4: the node's side of ARP (RFC 826), with the
//! cache itself in [`super::arp`]. Answers requests for our addresses (and,
//! with proxy ARP, RFC 1027, for addresses routed elsewhere), learns senders
//! by RFC 826's merge rule, resolves next hops for outgoing datagrams, and
//! announces interfaces with a gratuitous request.
//!
//! When resolution fails after every retry, the waiting datagrams are dropped
//! and their sources get ICMP host unreachable (delivered locally when the
//! source is this node, as Linux does).

use std::net::Ipv4Addr;

use sim_core::SimTime;

use super::arp::{ArpAction, Lookup, Waiting};
use super::routing::NextHop;
use crate::node::ethernet::eth_frame;
use crate::node::{Iface, IpNode, NodeOutput};
use crate::packet::{FrameBody, Ipv4Packet};
use crate::topology::IfaceId;
use crate::trace::{ArpEvent, DropReason, Dropped, Event, events};
use crate::wire::{ArpOperation, ArpRepr, IcmpRepr, MacAddr, UnreachableCode};

impl IpNode {
    /// An ARP packet arrived on `iface`.
    pub(in crate::node) fn on_arp(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        arp: ArpRepr,
        out: &mut NodeOutput,
    ) {
        self.dhcp_on_arp(now, iface, &arp, out);
        let me = self.iface(iface).clone();
        let Some(my) = me.addr else {
            return;
        };
        let sender_valid = !arp.sender_ip.is_unspecified() && arp.sender_ip != my.addr;
        // RFC 826 "merge": refresh a sender we already know.
        let mut merged = false;
        if sender_valid && self.arp.knows(arp.sender_ip) {
            merged = true;
            self.learn(now, iface, arp.sender_ip, arp.sender_mac, out);
        }
        if arp.target_ip == my.addr {
            if sender_valid && !merged {
                self.learn(now, iface, arp.sender_ip, arp.sender_mac, out);
            }
            if arp.operation == ArpOperation::Request {
                send_arp(
                    &me,
                    ArpOperation::Reply,
                    arp.sender_mac,
                    arp.sender_mac,
                    arp.sender_ip,
                    out,
                );
            }
        } else if self.proxy_arp
            && arp.operation == ArpOperation::Request
            && !arp.is_gratuitous()
            && self
                .routes
                .lookup(arp.target_ip)
                .is_some_and(|nh| nh.iface != iface)
        {
            // Proxy ARP (RFC 1027): answer for a host we reach through another interface.
            let reply = ArpRepr {
                operation: ArpOperation::Reply,
                sender_mac: me.mac,
                sender_ip: arp.target_ip,
                target_mac: arp.sender_mac,
                target_ip: arp.sender_ip,
            };
            out.frames.push((
                iface,
                eth_frame(me.mac, arp.sender_mac, FrameBody::Arp(reply)),
            ));
        }
    }

    /// A gratuitous ARP request from every addressed interface.
    pub(in crate::node) fn announce(&self, out: &mut NodeOutput) {
        for i in &self.ifaces {
            if let Some(a) = i.addr {
                send_arp(
                    i,
                    ArpOperation::Request,
                    MacAddr::BROADCAST,
                    MacAddr::ZERO,
                    a.addr,
                    out,
                );
            }
        }
    }

    /// ARP retries, failures and expiries due at `now`.
    pub(in crate::node) fn arp_timers(&mut self, now: SimTime, out: &mut NodeOutput) {
        if self.arp.poll_at().is_some_and(|t| t <= now) {
            for action in self.arp.on_timer(now) {
                self.arp_action(now, action, out);
            }
        }
    }

    fn learn(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        ip: Ipv4Addr,
        mac: MacAddr,
        out: &mut NodeOutput,
    ) {
        let was = self.arp.get(now, ip);
        let released = self.arp.learn(now, iface, ip, mac);
        if was != Some(mac) {
            out.emit(Event::Arp(events::Arp {
                node: self.id,
                iface,
                event: ArpEvent::Resolved { ip, mac },
            }));
        }
        let me = self.iface(iface).mac;
        for w in released {
            out.frames
                .push((iface, eth_frame(me, mac, FrameBody::Ipv4(w.packet))));
        }
    }

    fn arp_action(&mut self, now: SimTime, action: ArpAction, out: &mut NodeOutput) {
        match action {
            ArpAction::Request { iface, ip, attempt } => {
                send_arp(
                    self.iface(iface),
                    ArpOperation::Request,
                    MacAddr::BROADCAST,
                    MacAddr::ZERO,
                    ip,
                    out,
                );
                out.emit(Event::Arp(events::Arp {
                    node: self.id,
                    iface,
                    event: ArpEvent::Request { ip, attempt },
                }));
            }
            ArpAction::Failed { iface, ip, waiting } => {
                out.emit(Event::Arp(events::Arp {
                    node: self.id,
                    iface,
                    event: ArpEvent::Failed { ip },
                }));
                for w in waiting {
                    out.drop(
                        Some(iface),
                        Dropped::Packet(&w.packet),
                        &DropReason::ArpFailed,
                    );
                    let icmp = IcmpRepr::DstUnreachable {
                        code: UnreachableCode::Host,
                        next_hop_mtu: 0,
                        original: w.packet.quote(),
                    };
                    self.icmp_error(now, &w.packet, icmp, out);
                }
            }
            ArpAction::Expired { iface, ip } => {
                out.emit(Event::Arp(events::Arp {
                    node: self.id,
                    iface,
                    event: ArpEvent::Expired { ip },
                }));
            }
        }
    }

    /// Sends `packet` to its next hop: broadcast, from the cache, or after
    /// resolution (queued meanwhile).
    pub(super) fn resolve_and_send(
        &mut self,
        now: SimTime,
        nh: NextHop,
        packet: Ipv4Packet,
        from: Option<IfaceId>,
        out: &mut NodeOutput,
    ) {
        let me = self.iface(nh.iface).mac;
        if self.is_broadcast(packet.header.dst) || self.is_broadcast(nh.addr) {
            out.frames.push((
                nh.iface,
                eth_frame(me, MacAddr::BROADCAST, FrameBody::Ipv4(packet)),
            ));
            return;
        }
        if let Some(mac) = self.arp.get(now, nh.addr) {
            out.frames
                .push((nh.iface, eth_frame(me, mac, FrameBody::Ipv4(packet))));
            return;
        }
        match self
            .arp
            .resolve(now, nh.iface, nh.addr, Waiting { packet, from })
        {
            Lookup::Queued { request } => {
                if let Some(r) = request {
                    self.arp_action(now, r, out);
                }
            }
            Lookup::QueueFull(w) => {
                out.drop(
                    Some(nh.iface),
                    Dropped::Packet(&w.packet),
                    &DropReason::ArpQueueFull,
                );
            }
        }
    }
}

/// Sends an ARP packet from `from`: a request (`target_ip` asked for, sent
/// to `dst_mac`) or a reply to `target_mac`/`target_ip`.
fn send_arp(
    from: &Iface,
    op: ArpOperation,
    dst_mac: MacAddr,
    target_mac: MacAddr,
    target_ip: Ipv4Addr,
    out: &mut NodeOutput,
) {
    let Some(addr) = from.addr else { return };
    let arp = ArpRepr {
        operation: op,
        sender_mac: from.mac,
        sender_ip: addr.addr,
        target_mac,
        target_ip,
    };
    out.frames
        .push((from.id, eth_frame(from.mac, dst_mac, FrameBody::Arp(arp))));
}
