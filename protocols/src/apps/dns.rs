//! `dns`: the node glue of a [`DnsServer`]: it binds UDP port 53 for queries
//! and, for forwarding, its own port for the upstream server's answers.

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::SimTime;

use super::{App, AppIo, AppStats, Outgoing};
use crate::dns::{DnsOutput, DnsServer};
use crate::packet::{IpBody, Ipv4Packet};
use crate::wire::dns::SERVER_PORT;
use crate::wire::{DnsRepr, UdpRepr};

/// A DNS server on port 53.
pub struct DnsServerApp {
    server: DnsServer,
    /// Local port of forwarded queries.
    upstream_port: u16,
    bound: bool,
}

impl DnsServerApp {
    /// `server`, forwarding (if it does) from `upstream_port`.
    pub fn new(server: DnsServer, upstream_port: u16) -> DnsServerApp {
        DnsServerApp {
            server,
            upstream_port,
            bound: false,
        }
    }

    fn output(&self, outputs: Vec<DnsOutput>, io: &mut AppIo<'_>) {
        for o in outputs {
            match o {
                DnsOutput::Log(line) => io.lines.push(line),
                DnsOutput::Reply { to, port, msg } => {
                    io.send.push(dns_datagram(&msg, to, SERVER_PORT, port));
                }
                DnsOutput::Forward { to, msg } => {
                    io.send
                        .push(dns_datagram(&msg, to, self.upstream_port, SERVER_PORT));
                }
            }
        }
    }
}

/// A datagram carrying `msg` to `dst`. A message that cannot be emitted
/// (a bad name: never the case for what servers and resolvers here build)
/// goes out empty.
pub fn dns_datagram(msg: &DnsRepr, dst: Ipv4Addr, src_port: u16, dst_port: u16) -> Outgoing {
    let mut buf = Vec::new();
    let _ = msg.emit(&mut buf);
    Outgoing {
        src: None,
        dst,
        ttl: 64,
        dont_frag: false,
        body: IpBody::Udp {
            header: UdpRepr { src_port, dst_port },
            payload: Bytes::from(buf),
        },
    }
}

impl App for DnsServerApp {
    fn name(&self) -> &'static str {
        "dns"
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
            io.udp_bind.push((SERVER_PORT, None));
            io.udp_bind.push((self.upstream_port, None));
        }
        let out = self.server.on_timer(now);
        self.output(out, io);
    }

    fn on_packet(&mut self, now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool {
        let IpBody::Udp { header, payload } = &packet.body else {
            return false;
        };
        let Ok(msg) = DnsRepr::parse(payload) else {
            // Not even a header: nothing to answer (RFC 1035 §4.1.1 FORMERR
            // needs the id, which such a message does not have).
            return header.dst_port == SERVER_PORT || header.dst_port == self.upstream_port;
        };
        let out = if header.dst_port == SERVER_PORT {
            self.server
                .on_query(now, packet.header.src, header.src_port, &msg)
        } else if header.dst_port == self.upstream_port && header.src_port == SERVER_PORT {
            self.server.on_response(packet.header.src, &msg)
        } else {
            return false;
        };
        self.output(out, io);
        true
    }

    fn stats(&self) -> AppStats {
        AppStats::DnsServer(self.server.stats())
    }
}
