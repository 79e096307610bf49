//! The node glue of the DHCP clients: it gives each client the DHCP messages
//! and ARP packets of its interface, sends what the client asks (messages
//! from 0.0.0.0 to the broadcast address before configuration, ARP probes and
//! announcements), and applies its leases: address and connected route,
//! default route via the lease's router, DNS servers.
//!
//! A client receives every datagram to UDP port 68 that arrives on its
//! interface, whatever its IP destination: before configuration a server
//! unicasts to the offered address (RFC 2131 §4.1), which the interface does
//! not have yet (real clients use a raw socket for this).

use std::net::Ipv4Addr;

use sim_core::SimTime;

use super::ethernet::eth_frame;
use super::ipv4::DEFAULT_TTL;
use super::ipv4::routing::{Route, RouteKind};
use super::services::DhcpIface;
use super::{IpNode, NodeOutput};
use crate::apps::dhcpd::dhcp_body;
use crate::dhcp::{ClientOutput, DhcpClient};
use crate::packet::{FrameBody, IpBody, Ipv4Packet};
use crate::topology::IfaceId;
use crate::trace::{Event, events};
use crate::wire::dhcpv4::{CLIENT_PORT, SERVER_PORT};
use crate::wire::{ArpOperation, ArpRepr, DhcpRepr, Ipv4Cidr, MacAddr};

impl IpNode {
    /// Lets `client` configure interface `iface` by DHCP.
    pub fn add_dhcp_client(&mut self, iface: IfaceId, client: DhcpClient) {
        self.svc.dhcp.push(DhcpIface {
            iface,
            client,
            dns: Vec::new(),
        });
    }

    /// End-of-run results of the DHCP clients, in interface order.
    pub(super) fn dhcp_stats(&self) -> impl Iterator<Item = crate::dhcp::DhcpClientStats> + '_ {
        self.svc.dhcp.iter().map(|c| c.client.stats())
    }

    pub(super) fn dhcp_timers(&mut self, now: SimTime, out: &mut NodeOutput) {
        for k in 0..self.svc.dhcp.len() {
            if self.svc.dhcp[k].client.poll_at().is_some_and(|t| t <= now) {
                let outputs = self.svc.dhcp[k].client.on_timer(now);
                self.dhcp_apply(now, k, outputs, out);
            }
        }
    }

    /// Whether a datagram that arrived on `iface` is for its DHCP client.
    pub(super) fn dhcp_claims(&self, iface: IfaceId, packet: &Ipv4Packet) -> bool {
        matches!(&packet.body, IpBody::Udp { header, .. }
            if header.dst_port == CLIENT_PORT && header.src_port == SERVER_PORT)
            && self.svc.dhcp.iter().any(|c| c.iface == iface)
    }

    /// A DHCP message for the client of `iface`.
    pub(super) fn dhcp_input(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        packet: Ipv4Packet,
        out: &mut NodeOutput,
    ) {
        let IpBody::Udp { payload, .. } = &packet.body else {
            return;
        };
        let Ok(msg) = DhcpRepr::parse(payload) else {
            return;
        };
        let Some(k) = self.svc.dhcp.iter().position(|c| c.iface == iface) else {
            return;
        };
        let outputs = self.svc.dhcp[k].client.on_message(now, &msg);
        self.dhcp_apply(now, k, outputs, out);
    }

    /// An ARP packet on `iface`: a conflict with an address being probed?
    pub(super) fn dhcp_on_arp(
        &mut self,
        now: SimTime,
        iface: IfaceId,
        arp: &ArpRepr,
        out: &mut NodeOutput,
    ) {
        let Some(k) = self.svc.dhcp.iter().position(|c| c.iface == iface) else {
            return;
        };
        if self.svc.dhcp[k].client.probing().is_some() {
            let outputs = self.svc.dhcp[k].client.on_arp(now, arp);
            self.dhcp_apply(now, k, outputs, out);
        }
    }

    fn dhcp_apply(
        &mut self,
        now: SimTime,
        k: usize,
        outputs: Vec<ClientOutput>,
        out: &mut NodeOutput,
    ) {
        let iface = self.svc.dhcp[k].iface;
        let Some(me) = self.ifaces.iter().find(|i| i.id == iface).cloned() else {
            return;
        };
        for o in outputs {
            match o {
                ClientOutput::Send { msg, src, dst } => {
                    let body = dhcp_body(&msg, CLIENT_PORT, SERVER_PORT);
                    let packet = self.originate(src, dst, DEFAULT_TTL, 0, false, body);
                    if dst == Ipv4Addr::BROADCAST {
                        out.frames.push((
                            iface,
                            eth_frame(me.mac, MacAddr::BROADCAST, FrameBody::Ipv4(packet)),
                        ));
                    } else {
                        self.output(now, packet, out);
                    }
                }
                ClientOutput::ArpProbe { target } => {
                    // RFC 5227 §2.1.1: sender IP zero, target hardware address zero.
                    let probe = ArpRepr {
                        operation: ArpOperation::Request,
                        sender_mac: me.mac,
                        sender_ip: Ipv4Addr::UNSPECIFIED,
                        target_mac: MacAddr::ZERO,
                        target_ip: target,
                    };
                    out.frames.push((
                        iface,
                        eth_frame(me.mac, MacAddr::BROADCAST, FrameBody::Arp(probe)),
                    ));
                }
                ClientOutput::ArpAnnounce { addr } => {
                    // RFC 5227 §2.3: sender and target IP both the address.
                    let announce = ArpRepr {
                        operation: ArpOperation::Request,
                        sender_mac: me.mac,
                        sender_ip: addr,
                        target_mac: MacAddr::ZERO,
                        target_ip: addr,
                    };
                    out.frames.push((
                        iface,
                        eth_frame(me.mac, MacAddr::BROADCAST, FrameBody::Arp(announce)),
                    ));
                }
                ClientOutput::Configure(lease) => {
                    self.unconfigure(iface);
                    self.configure(iface, lease.addr, lease.router);
                    self.svc.dhcp[k].dns = lease.dns.clone();
                    self.svc.configured = true;
                    self.refresh_dns();
                }
                ClientOutput::Deconfigure(_) => {
                    self.unconfigure(iface);
                    self.svc.dhcp[k].dns.clear();
                    self.refresh_dns();
                }
                ClientOutput::Event(event) => {
                    let node = out.node;
                    out.emit(Event::Dhcp(events::Dhcp {
                        node,
                        iface,
                        event: &event,
                    }));
                }
            }
        }
    }

    /// Gives `iface` its address, connected route and (via `router`) default route.
    fn configure(&mut self, iface: IfaceId, addr: Ipv4Cidr, router: Option<Ipv4Addr>) {
        if let Some(i) = self.ifaces.iter_mut().find(|i| i.id == iface) {
            i.addr = Some(addr);
        }
        self.routes.add(Route {
            dest: addr,
            via: None,
            iface,
            kind: RouteKind::Connected,
        });
        if let Some(gw) = router.filter(|gw| addr.contains(*gw) && *gw != addr.addr) {
            let default = Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid");
            self.routes.add(Route {
                dest: default,
                via: Some(gw),
                iface,
                kind: RouteKind::Static,
            });
        }
    }

    /// Removes the address of `iface` and every route through it.
    fn unconfigure(&mut self, iface: IfaceId) {
        if let Some(i) = self.ifaces.iter_mut().find(|i| i.id == iface) {
            i.addr = None;
        }
        self.routes.retain(|r| r.iface != iface);
    }
}
