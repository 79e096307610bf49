//! `dhcpd`: the node glue of a [`DhcpServer`]. It binds UDP port 67 on its
//! interface, hands it every DHCP message that arrives there, and sends the
//! replies where RFC 2131 §4.1 says: broadcast on the link, unicast by
//! routing, or straight to the client's hardware address (a client without an
//! address cannot answer ARP, so the server does not ARP for it).

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::SimTime;

use super::{App, AppIo, AppStats, LinkSend, Outgoing};
use crate::dhcp::{DhcpServer, ReplyTo, ServerOutput};
use crate::packet::{IpBody, Ipv4Packet};
use crate::topology::IfaceId;
use crate::wire::dhcpv4::{CLIENT_PORT, SERVER_PORT};
use crate::wire::{DhcpRepr, MacAddr, UdpRepr};

/// A DHCP server answering on one interface.
pub struct DhcpServerApp {
    iface: IfaceId,
    addr: Ipv4Addr,
    server: DhcpServer,
    bound: bool,
}

impl DhcpServerApp {
    /// The server `server` on interface `iface`, whose address is `addr`.
    pub fn new(iface: IfaceId, addr: Ipv4Addr, server: DhcpServer) -> DhcpServerApp {
        DhcpServerApp {
            iface,
            addr,
            server,
            bound: false,
        }
    }

    fn output(&self, outputs: Vec<ServerOutput>, io: &mut AppIo<'_>) {
        for o in outputs {
            match o {
                ServerOutput::Log(line) => io.lines.push(line),
                ServerOutput::Reply { msg, to } => {
                    let (dst, mac) = match to {
                        ReplyTo::Broadcast => (Ipv4Addr::BROADCAST, Some(MacAddr::BROADCAST)),
                        ReplyTo::Link { mac, ip } => (ip, Some(mac)),
                        ReplyTo::Unicast(ip) => (ip, None),
                    };
                    let datagram = Outgoing {
                        src: Some(self.addr),
                        dst,
                        ttl: 64,
                        dont_frag: false,
                        body: dhcp_body(&msg, SERVER_PORT, CLIENT_PORT),
                    };
                    match mac {
                        Some(dst_mac) => io.link_send.push(LinkSend {
                            iface: self.iface,
                            dst_mac,
                            datagram,
                        }),
                        None => io.send.push(datagram),
                    }
                }
            }
        }
    }
}

/// A UDP body carrying `msg`.
pub fn dhcp_body(msg: &DhcpRepr, src_port: u16, dst_port: u16) -> IpBody {
    let mut buf = Vec::with_capacity(300);
    msg.emit(&mut buf);
    IpBody::Udp {
        header: UdpRepr { src_port, dst_port },
        payload: Bytes::from(buf),
    }
}

impl App for DhcpServerApp {
    fn name(&self) -> &'static str {
        "dhcpd"
    }

    fn poll_at(&self) -> Option<SimTime> {
        if self.bound {
            self.server.poll_at()
        } else {
            Some(SimTime::ZERO)
        }
    }

    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>) {
        if !self.bound {
            self.bound = true;
            io.udp_bind.push((SERVER_PORT, Some(self.iface)));
        }
        let out = self.server.on_timer(now);
        self.output(out, io);
    }

    fn on_packet(&mut self, now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool {
        let IpBody::Udp { header, payload } = &packet.body else {
            return false;
        };
        if header.dst_port != SERVER_PORT || io.arrival.is_some_and(|i| i != self.iface) {
            return false;
        }
        // Malformed messages are dropped (RFC 2131 does not answer them).
        if let Ok(msg) = DhcpRepr::parse(payload) {
            let out = self.server.on_message(now, &msg);
            self.output(out, io);
        }
        true
    }

    fn stats(&self) -> AppStats {
        AppStats::DhcpServer(self.server.stats())
    }
}
