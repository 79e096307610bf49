//! The IPv4 stack of a host or router: Ethernet in and out, ARP (RFC 826),
//! IPv4 input, forwarding and output (RFC 791, RFC 1812), fragmentation and
//! reassembly, ICMP (RFC 792) echo and errors, and local delivery to apps.
//!
//! Rules implemented, by source:
//! - RFC 1812 §5.2.4.3: longest-prefix match ([`super::routing`]).
//! - RFC 1812 §5.3.1 / RFC 791: a router drops a datagram whose TTL would
//!   reach zero and sends ICMP time exceeded (code 0).
//! - RFC 1191 §4: DF set and larger than the egress MTU → ICMP destination
//!   unreachable, fragmentation needed, carrying the next-hop MTU.
//! - RFC 1812 §4.3.2.7: no ICMP error about an ICMP error, a broadcast, a
//!   non-initial fragment, or a datagram from 0.0.0.0.
//! - RFC 1122 §3.2.2.6: echo requests to a broadcast address are not answered.
//! - ARP failure after every retry → ICMP host unreachable to the source
//!   (delivered locally when the source is this node, as Linux does).
//! - RFC 9293 §3.10.7.1: a TCP segment no application takes is answered as by
//!   a closed port, with a reset ([`crate::tcp::rst_for`]); never a reset to a
//!   reset, and (RFC 1122 §4.2.3.10, as Linux) none for a segment sent to or
//!   from a broadcast address.
//!
//! Simplifications: no IP options, no ICMP rate limiting, no redirects, one
//! address per interface.

use std::net::Ipv4Addr;

use sim_core::{SimDuration, SimTime, StreamRng};

use super::arp::{ArpAction, ArpCache, ArpConfig, Lookup, Waiting};
use super::frag::{Reassembler, Reassembly, fragment};
use super::routing::{NextHop, Route, RouteKind, RoutingTable};
use super::{Dropped, NodeOutput, Note};
use crate::apps::{App, AppStats, Outgoing};
use crate::packet::{Frame, FrameBody, IpBody, Ipv4Packet};
use crate::tcp::{TcpStack, rst_for};
use crate::topology::{IfaceId, NodeId};
use crate::trace::{ArpEvent, Detail, DropReason};
use crate::wire::{
    ArpOperation, ArpRepr, EtherType, EthernetRepr, IcmpRepr, IpProtocol, Ipv4Cidr, Ipv4Repr,
    MacAddr, TcpRepr, UnreachableCode, WireError,
};

/// The default TTL of datagrams a node originates (Linux `ip_default_ttl`).
pub const DEFAULT_TTL: u8 = 64;
/// How long fragments wait for the rest (Linux `ipfrag_time`).
pub const REASSEMBLY_TIMEOUT: SimDuration = SimDuration::from_secs(30);

/// One interface as the stack sees it.
#[derive(Clone, Debug)]
pub struct Iface {
    /// Global interface id.
    pub id: IfaceId,
    /// Its MAC address.
    pub mac: MacAddr,
    /// Its address, if configured.
    pub addr: Option<Ipv4Cidr>,
    /// The MTU of the attached link (updated when the link changes).
    pub mtu: u32,
}

/// A host (forwarding off) or router (forwarding on).
pub struct IpNode {
    /// This node.
    pub id: NodeId,
    /// Whether it forwards datagrams not addressed to it.
    pub forwarding: bool,
    /// Whether it answers ARP requests for addresses it routes to elsewhere.
    pub proxy_arp: bool,
    /// Interfaces.
    pub ifaces: Vec<Iface>,
    /// The routing table.
    pub routes: RoutingTable,
    arp: ArpCache,
    reasm: Reassembler,
    next_ident: u16,
    pub(super) apps: Vec<Box<dyn App>>,
    pub(super) tcp: TcpStack,
    announce_at: Option<SimTime>,
    /// UDP sockets, DHCP clients, DNS servers, NAT ([`super::services`]).
    pub(super) svc: super::services::Services,
}

impl IpNode {
    /// A node with connected routes for every addressed interface.
    pub fn new(
        id: NodeId,
        forwarding: bool,
        ifaces: Vec<Iface>,
        arp: ArpConfig,
        tcp_rng: StreamRng,
    ) -> IpNode {
        let mut routes = RoutingTable::new();
        for i in &ifaces {
            if let Some(addr) = i.addr {
                routes.add(Route {
                    dest: addr,
                    via: None,
                    iface: i.id,
                    kind: RouteKind::Connected,
                });
            }
        }
        IpNode {
            id,
            forwarding,
            proxy_arp: false,
            ifaces,
            routes,
            announce_at: arp.gratuitous.then_some(SimTime::ZERO),
            arp: ArpCache::new(arp),
            reasm: Reassembler::new(REASSEMBLY_TIMEOUT),
            next_ident: 1,
            apps: Vec::new(),
            tcp: TcpStack::new(tcp_rng),
            svc: super::services::Services::default(),
        }
    }

    /// Adds an application.
    pub fn add_app(&mut self, app: Box<dyn App>) {
        self.apps.push(app);
    }

    /// End-of-run results of every application, in scenario order, then of
    /// the DHCP clients.
    pub fn app_stats(&self) -> Vec<AppStats> {
        self.apps
            .iter()
            .map(|a| a.stats())
            .chain(self.dhcp_stats().map(AppStats::DhcpClient))
            .collect()
    }

    /// Sets the MTU of an interface (its link changed).
    pub fn set_mtu(&mut self, iface: IfaceId, mtu: u32) {
        if let Some(i) = self.ifaces.iter_mut().find(|i| i.id == iface) {
            i.mtu = mtu;
        }
    }

    fn iface(&self, id: IfaceId) -> &Iface {
        self.ifaces
            .iter()
            .find(|i| i.id == id)
            .expect("own interface")
    }

    fn is_local(&self, ip: Ipv4Addr) -> bool {
        self.ifaces
            .iter()
            .any(|i| i.addr.is_some_and(|a| a.addr == ip))
    }

    fn is_broadcast(&self, ip: Ipv4Addr) -> bool {
        ip == Ipv4Addr::BROADCAST
            || self.ifaces.iter().any(|i| {
                i.addr
                    .is_some_and(|a| a.prefix_len < 31 && a.broadcast() == ip)
            })
    }

    /// When the node next needs [`IpNode::on_timer`].
    pub fn poll_at(&self) -> Option<SimTime> {
        let apps = if self.apps_held() {
            None
        } else {
            self.apps.iter().filter_map(|a| a.poll_at()).min()
        };
        [
            self.announce_at,
            self.arp.poll_at(),
            self.reasm.poll_at(),
            self.tcp.poll_at(),
            self.services_poll_at(),
            apps,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs everything due at `now`: announcements, ARP retries and expiry,
    /// reassembly timeouts, applications.
    pub fn on_timer(&mut self, now: SimTime, out: &mut NodeOutput) {
        if self.announce_at.is_some_and(|t| t <= now) {
            self.announce_at = None;
            for i in self.ifaces.clone() {
                if let Some(a) = i.addr {
                    self.send_arp(
                        &i,
                        ArpOperation::Request,
                        MacAddr::BROADCAST,
                        MacAddr::ZERO,
                        a.addr,
                        out,
                    );
                }
            }
        }
        if self.arp.poll_at().is_some_and(|t| t <= now) {
            for action in self.arp.on_timer(now) {
                self.arp_action(now, action, out);
            }
        }
        if self.reasm.poll_at().is_some_and(|t| t <= now) {
            for expired in self.reasm.on_timer(now) {
                if let Some(first) = expired.first {
                    out.drop(
                        None,
                        || Dropped::Packet(first.clone()),
                        DropReason::ReassemblyTimeout,
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
                    out.note(Detail::Summary, || Note::App {
                        app: "ip",
                        text: format!("reassembly timeout for a datagram from {} (first fragment never arrived)", expired.src),
                    });
                }
            }
        }
        self.services_timers(now, out);
        self.tcp_timers(now, out);
        for idx in 0..self.apps.len() {
            if self.apps_held() {
                break;
            }
            if self.apps[idx].poll_at().is_some_and(|t| t <= now) {
                self.call_app(now, idx, out, |app, io| app.on_timer(now, io));
                self.flush_tcp(now, out);
            }
        }
    }

    /// Sends a datagram an application asked for.
    pub(super) fn send_datagram(
        &mut self,
        now: SimTime,
        app: &'static str,
        o: Outgoing,
        out: &mut NodeOutput,
    ) {
        {
            let Some(nh) = self.routes.lookup(o.dst) else {
                out.note(Detail::Summary, || Note::App {
                    app,
                    text: format!("connect: Network is unreachable ({})", o.dst),
                });
                return;
            };
            let src = o.src.unwrap_or_else(|| {
                self.iface(nh.iface)
                    .addr
                    .map_or(Ipv4Addr::UNSPECIFIED, |a| a.addr)
            });
            let header = Ipv4Repr {
                src,
                dst: o.dst,
                protocol: IpProtocol::Unknown(0),
                ttl: o.ttl,
                tos: 0,
                ident: self.take_ident(),
                dont_frag: o.dont_frag,
                more_frags: false,
                frag_offset: 0,
                payload_len: 0,
            };
            let packet = Ipv4Packet::new(header, o.body);
            if self.is_local(o.dst) {
                self.deliver(now, None, packet, out);
            } else {
                self.transmit(now, nh, packet, None, out);
            }
        }
    }

    pub(super) fn take_ident(&mut self) -> u16 {
        let id = self.next_ident;
        self.next_ident = self.next_ident.wrapping_add(1);
        id
    }

    /// A frame arrived on `iface`.
    pub fn on_frame(&mut self, now: SimTime, iface: IfaceId, frame: Frame, out: &mut NodeOutput) {
        let frame = match frame.body {
            FrameBody::Corrupted { ref bytes, fcs } => {
                if Frame::fcs(bytes) != fcs {
                    out.drop(
                        Some(iface),
                        || Dropped::Frame(frame.clone()),
                        DropReason::FcsError,
                    );
                    return;
                }
                match Frame::parse(bytes) {
                    Ok(f) => f,
                    Err(e) => {
                        out.drop(
                            Some(iface),
                            || Dropped::Frame(frame.clone()),
                            DropReason::Malformed(e),
                        );
                        return;
                    }
                }
            }
            _ => frame,
        };
        let me = self.iface(iface).mac;
        if frame.eth.dst != me && !frame.eth.dst.is_broadcast() {
            out.drop(
                Some(iface),
                || Dropped::Frame(frame.clone()),
                DropReason::NotForUs,
            );
            return;
        }
        match frame.body {
            FrameBody::Arp(arp) => self.on_arp(now, iface, arp, out),
            FrameBody::Ipv4(packet) => self.on_ipv4(now, iface, packet, out),
            FrameBody::Raw(_) | FrameBody::Corrupted { .. } => {
                out.drop(
                    Some(iface),
                    || Dropped::Frame(frame.clone()),
                    DropReason::Malformed(WireError::Unsupported),
                );
            }
        }
    }

    fn on_arp(&mut self, now: SimTime, iface: IfaceId, arp: ArpRepr, out: &mut NodeOutput) {
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
                self.send_arp(
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
            out.frames
                .push((iface, arp_frame(me.mac, arp.sender_mac, reply)));
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
            out.note(Detail::Summary, || Note::Arp {
                iface,
                event: ArpEvent::Resolved { ip, mac },
            });
        }
        for w in released {
            out.frames
                .push((iface, ip_frame(self.iface(iface).mac, mac, w.packet)));
        }
    }

    /// Sends an ARP packet from `from`: a request (`target_ip` asked for, sent
    /// to `dst_mac`) or a reply to `target_mac`/`target_ip`.
    fn send_arp(
        &self,
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
            .push((from.id, arp_frame(from.mac, dst_mac, arp)));
    }

    fn arp_action(&mut self, now: SimTime, action: ArpAction, out: &mut NodeOutput) {
        match action {
            ArpAction::Request { iface, ip, attempt } => {
                let me = self.iface(iface).clone();
                self.send_arp(
                    &me,
                    ArpOperation::Request,
                    MacAddr::BROADCAST,
                    MacAddr::ZERO,
                    ip,
                    out,
                );
                out.note(Detail::Packets, || Note::Arp {
                    iface,
                    event: ArpEvent::Request { ip, attempt },
                });
            }
            ArpAction::Failed { iface, ip, waiting } => {
                out.note(Detail::Summary, || Note::Arp {
                    iface,
                    event: ArpEvent::Failed { ip },
                });
                for w in waiting {
                    out.drop(
                        Some(iface),
                        || Dropped::Packet(w.packet.clone()),
                        DropReason::ArpFailed,
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
                out.note(Detail::Full, || Note::Arp {
                    iface,
                    event: ArpEvent::Expired { ip },
                });
            }
        }
    }

    fn on_ipv4(&mut self, now: SimTime, iface: IfaceId, packet: Ipv4Packet, out: &mut NodeOutput) {
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
            out.drop(
                Some(iface),
                || Dropped::Packet(packet.clone()),
                DropReason::NotForUs,
            );
        }
    }

    /// Local delivery, reassembling fragments first.
    fn deliver(
        &mut self,
        now: SimTime,
        iface: Option<IfaceId>,
        packet: Ipv4Packet,
        out: &mut NodeOutput,
    ) {
        let packet = if packet.header.is_fragment() {
            let IpBody::Raw(data) = &packet.body else {
                unreachable!("fragments carry raw bytes")
            };
            match self.reasm.push(now, packet.header, data.clone()) {
                Reassembly::Incomplete => return,
                Reassembly::Malformed(e) => {
                    out.drop(
                        iface,
                        || Dropped::Packet(packet.clone()),
                        DropReason::Malformed(e),
                    );
                    return;
                }
                Reassembly::Complete(whole, n) => {
                    out.note(Detail::Packets, || Note::Reassembled {
                        packet: whole.clone(),
                        fragments: n,
                    });
                    whole
                }
            }
        } else {
            packet
        };
        let broadcast = self.is_broadcast(packet.header.dst);
        if let IpBody::Icmp(IcmpRepr::EchoRequest {
            ident,
            seq_no,
            data,
        }) = &packet.body
        {
            if broadcast {
                return; // RFC 1122 §3.2.2.6: may be ignored; Linux ignores by default.
            }
            let header = Ipv4Repr {
                src: packet.header.dst,
                dst: packet.header.src,
                ttl: DEFAULT_TTL,
                ident: self.take_ident(),
                dont_frag: false,
                ..packet.header
            };
            let reply = Ipv4Packet::new(
                header,
                IpBody::Icmp(IcmpRepr::EchoReply {
                    ident: *ident,
                    seq_no: *seq_no,
                    data: data.clone(),
                }),
            );
            self.output(now, reply, out);
            return;
        }
        if matches!(packet.body, IpBody::Tcp { .. }) && self.deliver_tcp(now, &packet, out) {
            return;
        }
        if let IpBody::Udp { .. } = &packet.body {
            // UDP goes to the socket bound to its port, if any.
            if self.deliver_udp(now, iface, &packet, broadcast, out) {
                return;
            }
        } else {
            for idx in 0..self.apps.len() {
                let taken = self.call_app(now, idx, out, |app, io| {
                    io.arrival = iface;
                    app.on_packet(now, &packet, io)
                });
                self.flush_tcp(now, out);
                if taken {
                    return;
                }
            }
        }
        let code = match &packet.body {
            IpBody::Udp { .. } => UnreachableCode::Port,
            IpBody::Raw(_) => UnreachableCode::Protocol,
            IpBody::Icmp(_) => {
                out.drop(
                    iface,
                    || Dropped::Packet(packet.clone()),
                    DropReason::NoListener,
                );
                return;
            }
            IpBody::Tcp { header, payload } => {
                out.drop(
                    iface,
                    || Dropped::Packet(packet.clone()),
                    DropReason::NoListener,
                );
                self.tcp_reset(now, &packet, header, payload.len(), out);
                return;
            }
        };
        out.drop(
            iface,
            || Dropped::Packet(packet.clone()),
            DropReason::NoListener,
        );
        let icmp = IcmpRepr::DstUnreachable {
            code,
            next_hop_mtu: 0,
            original: packet.quote(),
        };
        self.icmp_error(now, &packet, icmp, out);
    }

    /// Answers a TCP segment for which there is no connection and no listener
    /// (RFC 9293 §3.10.7.1, see [`rst_for`]).
    fn tcp_reset(
        &mut self,
        now: SimTime,
        packet: &Ipv4Packet,
        segment: &TcpRepr,
        payload_len: usize,
        out: &mut NodeOutput,
    ) {
        let h = &packet.header;
        if self.is_broadcast(h.dst) || self.is_broadcast(h.src) || h.src.is_unspecified() {
            return;
        }
        let Some(rst) = rst_for(segment, payload_len) else {
            return;
        };
        let header = Ipv4Repr {
            src: h.dst,
            dst: h.src,
            protocol: IpProtocol::Tcp,
            ttl: DEFAULT_TTL,
            tos: 0,
            ident: self.take_ident(),
            // Linux TCP output, resets included, sets DF (path MTU discovery).
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        let reply = Ipv4Packet::new(
            header,
            IpBody::Tcp {
                header: Box::new(rst),
                payload: bytes::Bytes::new(),
            },
        );
        self.output(now, reply, out);
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
                || Dropped::Packet(packet.clone()),
                DropReason::TtlExceeded,
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
            out.drop(
                Some(from),
                || Dropped::Packet(packet.clone()),
                DropReason::NoRoute,
            );
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
        out.note(Detail::Packets, || Note::Forward {
            from,
            to: nh.iface,
            packet: packet.clone(),
        });
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
            None => out.drop(
                None,
                || Dropped::Packet(packet.clone()),
                DropReason::NoRoute,
            ),
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
        if packet.len() > mtu as usize {
            if packet.header.dont_frag {
                // RFC 1191 §4: report the next-hop MTU.
                out.drop(
                    Some(nh.iface),
                    || Dropped::Packet(packet.clone()),
                    DropReason::FragmentationNeeded { mtu },
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
            out.note(Detail::Packets, || Note::Fragment {
                iface: nh.iface,
                packet: packet.clone(),
                sizes: pieces
                    .iter()
                    .map(|p| usize::from(p.header.payload_len))
                    .collect(),
                mtu,
            });
            for p in pieces {
                self.resolve_and_send(now, nh, p, from, out);
            }
        } else {
            self.resolve_and_send(now, nh, packet, from, out);
        }
    }

    fn resolve_and_send(
        &mut self,
        now: SimTime,
        nh: NextHop,
        packet: Ipv4Packet,
        from: Option<IfaceId>,
        out: &mut NodeOutput,
    ) {
        let me = self.iface(nh.iface).mac;
        if self.is_broadcast(packet.header.dst) || self.is_broadcast(nh.addr) {
            out.frames
                .push((nh.iface, ip_frame(me, MacAddr::BROADCAST, packet)));
            return;
        }
        if let Some(mac) = self.arp.get(now, nh.addr) {
            out.frames.push((nh.iface, ip_frame(me, mac, packet)));
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
                    || Dropped::Packet(w.packet.clone()),
                    DropReason::ArpQueueFull,
                );
            }
        }
    }

    /// Sends an ICMP error about `original` back to its source, unless RFC
    /// 1812 §4.3.2.7 forbids it.
    fn icmp_error(
        &mut self,
        now: SimTime,
        original: &Ipv4Packet,
        icmp: IcmpRepr,
        out: &mut NodeOutput,
    ) {
        let h = &original.header;
        if is_icmp_error(original)
            || h.frag_offset != 0
            || h.src.is_unspecified()
            || self.is_broadcast(h.src)
            || self.is_broadcast(h.dst)
        {
            return;
        }
        let src = if self.is_local(h.src) {
            h.src
        } else {
            match self
                .routes
                .lookup(h.src)
                .and_then(|nh| self.iface(nh.iface).addr)
            {
                Some(a) => a.addr,
                None => return,
            }
        };
        let header = Ipv4Repr {
            src,
            dst: h.src,
            protocol: IpProtocol::Icmp,
            ttl: DEFAULT_TTL,
            tos: 0,
            ident: self.take_ident(),
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        self.output(now, Ipv4Packet::new(header, IpBody::Icmp(icmp)), out);
    }
}

pub(super) fn arp_frame(src: MacAddr, dst: MacAddr, arp: ArpRepr) -> Frame {
    Frame {
        eth: EthernetRepr {
            src,
            dst,
            ethertype: EtherType::Arp,
        },
        body: FrameBody::Arp(arp),
    }
}

pub(super) fn ip_frame(src: MacAddr, dst: MacAddr, packet: Ipv4Packet) -> Frame {
    Frame {
        eth: EthernetRepr {
            src,
            dst,
            ethertype: EtherType::Ipv4,
        },
        body: FrameBody::Ipv4(packet),
    }
}

/// Whether `p` is (the first fragment of) an ICMP error message.
fn is_icmp_error(p: &Ipv4Packet) -> bool {
    match &p.body {
        IpBody::Icmp(i) => i.is_error(),
        // A first fragment: the ICMP type is the first payload byte.
        IpBody::Raw(b) => {
            p.header.protocol == IpProtocol::Icmp
                && b.first().is_some_and(|&t| matches!(t, 3 | 4 | 5 | 11 | 12))
        }
        IpBody::Udp { .. } | IpBody::Tcp { .. } => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{TcpFlags, TcpOptions, TcpSeq};
    use bytes::Bytes;

    const ME: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);
    const PEER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const IFACE: IfaceId = IfaceId(0);

    fn host() -> IpNode {
        let iface = Iface {
            id: IFACE,
            mac: MacAddr::local(2),
            addr: Some(Ipv4Cidr {
                addr: ME,
                prefix_len: 24,
            }),
            mtu: 1500,
        };
        IpNode::new(
            NodeId(0),
            false,
            vec![iface],
            ArpConfig::default(),
            sim_core::RngStreams::new(1, 0).stream("test"),
        )
    }

    fn tcp_frame(src: Ipv4Addr, dst: Ipv4Addr, segment: TcpRepr, payload: &'static [u8]) -> Frame {
        let header = Ipv4Repr {
            src,
            dst,
            protocol: IpProtocol::Tcp,
            ttl: 64,
            tos: 0,
            ident: 9,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        let body = IpBody::Tcp {
            header: Box::new(segment),
            payload: Bytes::from_static(payload),
        };
        ip_frame(
            MacAddr::local(1),
            MacAddr::local(2),
            Ipv4Packet::new(header, body),
        )
    }

    fn syn() -> TcpRepr {
        TcpRepr {
            src_port: 40000,
            dst_port: 80,
            seq: TcpSeq(100),
            flags: TcpFlags::SYN,
            window: 64240,
            options: TcpOptions {
                mss: Some(1460),
                ..TcpOptions::default()
            },
            ..TcpRepr::default()
        }
    }

    /// Delivers `frame`, then answers the ARP request it caused; returns the
    /// drop reasons noted and the frames released.
    fn deliver_and_resolve(node: &mut IpNode, frame: Frame) -> (Vec<DropReason>, Vec<Frame>) {
        let mut out = NodeOutput::new(Some(Detail::Summary));
        node.on_frame(SimTime::ZERO, IFACE, frame, &mut out);
        let drops = out
            .notes
            .iter()
            .filter_map(|n| match n {
                Note::Drop { reason, .. } => Some(reason.clone()),
                _ => None,
            })
            .collect();
        let mut sent = Vec::new();
        for (_, f) in out.frames {
            if let FrameBody::Arp(req) = f.body {
                let reply = ArpRepr {
                    operation: ArpOperation::Reply,
                    sender_mac: MacAddr::local(1),
                    sender_ip: req.target_ip,
                    target_mac: req.sender_mac,
                    target_ip: req.sender_ip,
                };
                let mut out = NodeOutput::new(None);
                node.on_frame(
                    SimTime::ZERO,
                    IFACE,
                    arp_frame(MacAddr::local(1), MacAddr::local(2), reply),
                    &mut out,
                );
                sent.extend(out.frames.into_iter().map(|(_, f)| f));
            } else {
                sent.push(f);
            }
        }
        (drops, sent)
    }

    #[test]
    fn syn_to_a_host_without_tcp_is_reset_like_a_closed_port() {
        let mut node = host();
        let (drops, sent) = deliver_and_resolve(&mut node, tcp_frame(PEER, ME, syn(), b""));
        assert_eq!(drops, [DropReason::NoListener]);
        assert_eq!(sent.len(), 1);
        let p = sent[0].ipv4().expect("an IP reply");
        assert_eq!((p.header.src, p.header.dst), (ME, PEER));
        let IpBody::Tcp { header, payload } = &p.body else {
            panic!("not TCP: {p}")
        };
        assert!(payload.is_empty());
        assert_eq!((header.src_port, header.dst_port), (80, 40000));
        assert_eq!(header.rfc_notation(0), "<SEQ=0><ACK=101><CTL=RST,ACK>");
        assert_eq!(
            p.to_string(),
            "IP 10.0.0.2.80 > 10.0.0.1.40000: Flags [R.], seq 0, ack 101, win 0, length 0, ttl 64, id 1 DF"
        );
    }

    #[test]
    fn data_with_ack_is_reset_at_its_ack_number() {
        let mut node = host();
        let seg = TcpRepr {
            seq: TcpSeq(101),
            ack: Some(TcpSeq(5000)),
            flags: TcpFlags::PSH,
            options: TcpOptions::default(),
            ..syn()
        };
        let (_, sent) = deliver_and_resolve(&mut node, tcp_frame(PEER, ME, seg, b"hello"));
        let IpBody::Tcp { header, .. } = &sent[0].ipv4().unwrap().body else {
            panic!("not TCP")
        };
        assert_eq!(header.rfc_notation(0), "<SEQ=5000><CTL=RST>");
    }

    #[test]
    fn a_reset_or_a_broadcast_segment_gets_no_answer() {
        let mut node = host();
        let rst = TcpRepr {
            flags: TcpFlags::RST,
            ..syn()
        };
        let (drops, sent) = deliver_and_resolve(&mut node, tcp_frame(PEER, ME, rst, b""));
        assert_eq!(drops, [DropReason::NoListener]);
        assert!(sent.is_empty());
        let broadcast = Ipv4Addr::new(10, 0, 0, 255);
        let (drops, sent) = deliver_and_resolve(&mut node, tcp_frame(PEER, broadcast, syn(), b""));
        assert_eq!(drops, [DropReason::NoListener]);
        assert!(sent.is_empty());
    }
}
