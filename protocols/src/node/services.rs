//! Node services besides IP and TCP: the UDP socket table (port
//! demultiplexing, RFC 768 / RFC 1122 §4.1.3.1), datagrams sent straight onto
//! a link, the DNS servers a host knows, the DHCP clients of its interfaces
//! ([`super::dhcp`]) and network address translation ([`super::nat`]).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use sim_core::SimTime;

use super::ethernet::eth_frame;
use super::{IpNode, NodeOutput};
use crate::apps::LinkSend;
use crate::dhcp::DhcpClient;
use crate::nat::{Nat, NatProto};
use crate::packet::{FrameBody, IpBody, Ipv4Packet};
use crate::topology::IfaceId;
use crate::trace::{DropReason, Dropped};

/// The DHCP client of one interface, with what it configured.
pub(super) struct DhcpIface {
    pub(super) iface: IfaceId,
    pub(super) client: DhcpClient,
    /// DNS servers the lease gave.
    pub(super) dns: Vec<Ipv4Addr>,
}

/// The services of a node (see the module docs).
#[derive(Default)]
pub(crate) struct Services {
    /// Bound UDP ports: (port, interface or any) → application index.
    pub(super) udp: BTreeMap<(u16, Option<IfaceId>), usize>,
    /// DHCP clients, one per interface configured by DHCP.
    pub(super) dhcp: Vec<DhcpIface>,
    /// DNS servers configured on the node.
    pub(super) static_dns: Vec<Ipv4Addr>,
    /// DNS servers in use: the configured ones, then those learned by DHCP.
    pub(super) dns_servers: Vec<Ipv4Addr>,
    /// Whether a DHCP client has configured an interface yet.
    pub(super) configured: bool,
    /// Address translation, on a gateway.
    pub(super) nat: Option<Nat>,
}

impl IpNode {
    /// Sets the DNS servers the node is configured with.
    pub fn set_dns_servers(&mut self, servers: Vec<Ipv4Addr>) {
        self.svc.static_dns = servers;
        self.refresh_dns();
    }

    /// The DNS servers in use.
    pub fn dns_servers(&self) -> &[Ipv4Addr] {
        &self.svc.dns_servers
    }

    pub(super) fn refresh_dns(&mut self) {
        let mut all = self.svc.static_dns.clone();
        for d in self.svc.dhcp.iter().flat_map(|c| &c.dns) {
            if !all.contains(d) {
                all.push(*d);
            }
        }
        self.svc.dns_servers = all;
    }

    /// Whether applications wait: the node has DHCP interfaces and none has
    /// been configured yet. Applications start once the first lease is bound;
    /// one whose start time has passed by then starts at once.
    pub(super) fn apps_held(&self) -> bool {
        !self.svc.dhcp.is_empty() && !self.svc.configured
    }

    /// When the services next need a call.
    pub(super) fn services_poll_at(&self) -> Option<SimTime> {
        let dhcp = self
            .svc
            .dhcp
            .iter()
            .filter_map(|c| c.client.poll_at())
            .min();
        let nat = self.svc.nat.as_ref().and_then(Nat::poll_at);
        dhcp.into_iter().chain(nat).min()
    }

    /// Runs the services' timers due at `now`.
    pub(super) fn services_timers(&mut self, now: SimTime, out: &mut NodeOutput) {
        self.dhcp_timers(now, out);
        self.nat_timers(now, out);
    }

    /// The application that bound UDP `port` on `iface` (or on all interfaces).
    pub(super) fn udp_owner(&self, port: u16, iface: Option<IfaceId>) -> Option<usize> {
        iface
            .and_then(|i| self.svc.udp.get(&(port, Some(i))))
            .or_else(|| self.svc.udp.get(&(port, None)))
            .copied()
    }

    /// Whether a port of the node's own is in use (NAT must not map onto it).
    pub(super) fn port_in_use(&self, proto: NatProto, port: u16) -> bool {
        match proto {
            NatProto::Udp => self.svc.udp.keys().any(|(p, _)| *p == port),
            NatProto::Tcp | NatProto::Icmp => false,
        }
    }

    /// Records the ports application `idx` bound (the first binder keeps a port).
    pub(super) fn bind_udp(&mut self, idx: usize, binds: Vec<(u16, Option<IfaceId>)>) {
        for key in binds {
            self.svc.udp.entry(key).or_insert(idx);
        }
    }

    /// Delivers a UDP datagram to the application bound to its port. Returns
    /// `false` for a unicast datagram nobody listens to (the caller answers
    /// with ICMP port unreachable); a broadcast nobody listens to is dropped
    /// quietly, as every host drops its neighbours' DHCP broadcasts.
    pub(super) fn deliver_udp(
        &mut self,
        now: SimTime,
        iface: Option<IfaceId>,
        packet: &Ipv4Packet,
        broadcast: bool,
        out: &mut NodeOutput,
    ) -> bool {
        let IpBody::Udp { header, .. } = &packet.body else {
            return false;
        };
        match self.udp_owner(header.dst_port, iface) {
            Some(idx) => {
                self.call_app(now, idx, out, |app, io| {
                    io.arrival = iface;
                    app.on_packet(now, packet, io)
                });
                self.flush_tcp(now, out);
                true
            }
            None if broadcast => {
                out.drop(
                    iface,
                    Dropped::Packet(packet),
                    &DropReason::BroadcastNoListener,
                );
                true
            }
            None => false,
        }
    }

    /// Sends a datagram straight out of an interface to a MAC address.
    pub(super) fn send_on_link(&mut self, ls: LinkSend, out: &mut NodeOutput) {
        let Some(me) = self.ifaces.iter().find(|i| i.id == ls.iface).cloned() else {
            return;
        };
        let src = me.addr.map_or(Ipv4Addr::UNSPECIFIED, |a| a.addr);
        let packet = self.datagram(src, ls.datagram);
        out.frames.push((
            me.id,
            eth_frame(me.mac, ls.dst_mac, FrameBody::Ipv4(packet)),
        ));
    }
}
