//! Applications running on hosts and routers.
//!
//! An application is a sans-IO state machine: the node calls it when its
//! deadline ([`App::poll_at`]) comes or a packet for it arrives, and it answers
//! by filling an [`AppIo`] with datagrams to send and lines to print, and
//! works its TCP connections through the [`TcpHandle`] in it. Those two are
//! all an application sees of its node.

pub mod bulk;
pub mod dhcpd;
pub mod dns;
pub mod http;
pub mod ping;
pub mod resolve;
pub mod synflood;
pub mod traceroute;
pub mod udp;
pub mod udp_sink;

mod io;

use std::net::Ipv4Addr;

use sim_core::SimTime;

use crate::packet::Ipv4Packet;
use crate::tcp::{AppSignal, SocketId};

pub use io::{AppIo, LinkSend, Outgoing, Routing, TcpHandle};

/// Results an application reports at the end of a run (for tests, summaries
/// and expectations).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AppStats {
    /// A ping's counters.
    Ping(ping::PingStats),
    /// A traceroute's hops.
    Traceroute(traceroute::TracerouteStats),
    /// A TCP bulk sender.
    Bulk(bulk::BulkStats),
    /// A TCP sink or echo server.
    Sink(bulk::SinkStats),
    /// An HTTP client.
    HttpClient(http::HttpClientStats),
    /// An HTTP server.
    HttpServer {
        /// Responses sent.
        served: u32,
    },
    /// A SYN flooder.
    SynFlood {
        /// Spoofed SYNs sent.
        sent: u32,
    },
    /// The DHCP client of an interface (listed after the host's applications).
    DhcpClient(crate::dhcp::DhcpClientStats),
    /// A DHCP server.
    DhcpServer(crate::dhcp::DhcpServerStats),
    /// A DNS server.
    DnsServer(crate::dns::DnsServerStats),
    /// A UDP constant-bit-rate or on/off sender.
    UdpSend(udp::UdpSendStats),
    /// A UDP sink.
    UdpSink(udp_sink::UdpSinkStats),
    /// A UDP echo server.
    UdpEcho {
        /// Datagrams sent back.
        echoed: u64,
    },
    /// An application whose target name did not resolve.
    Unresolved {
        /// The application (`ping`, `http`, ...).
        app: &'static str,
        /// The name.
        name: String,
        /// Why, as `getaddrinfo` says it.
        error: String,
    },
}

/// An application.
pub trait App {
    /// Short name used in trace lines (`ping`, `traceroute`).
    fn name(&self) -> &'static str;
    /// When it next wants [`App::on_timer`], if ever.
    fn poll_at(&self) -> Option<SimTime>;
    /// Its deadline came.
    fn on_timer(&mut self, now: SimTime, io: &mut AppIo<'_>);
    /// A datagram was delivered to this node; returns whether it was for this app.
    fn on_packet(&mut self, now: SimTime, packet: &Ipv4Packet, io: &mut AppIo<'_>) -> bool;
    /// Something happened on one of its TCP connections.
    fn on_tcp(&mut self, now: SimTime, sock: SocketId, signal: AppSignal, io: &mut AppIo<'_>) {
        let _ = (now, sock, signal, io);
    }
    /// End-of-run results.
    fn stats(&self) -> AppStats;
}

/// Reads the ports of the UDP header quoted in an ICMP error (the offending
/// datagram's IP header plus its first eight bytes). Returns
/// `(ip destination, source port, destination port)`.
pub fn quoted_udp(quote: &[u8]) -> Option<(Ipv4Addr, u16, u16)> {
    let ihl = usize::from(*quote.first()? & 0x0f) * 4;
    if quote.len() < ihl + 4 || *quote.get(9)? != 17 {
        return None;
    }
    let dst = Ipv4Addr::new(quote[16], quote[17], quote[18], quote[19]);
    let sport = u16::from_be_bytes([quote[ihl], quote[ihl + 1]]);
    let dport = u16::from_be_bytes([quote[ihl + 2], quote[ihl + 3]]);
    Some((dst, sport, dport))
}

/// Reads the identifier and sequence number of the ICMP echo request quoted in
/// an ICMP error.
pub fn quoted_echo(quote: &[u8]) -> Option<(u16, u16)> {
    let ihl = usize::from(*quote.first()? & 0x0f) * 4;
    if quote.len() < ihl + 8 || *quote.get(9)? != 1 || quote[ihl] != 8 {
        return None;
    }
    let ident = u16::from_be_bytes([quote[ihl + 4], quote[ihl + 5]]);
    let seq = u16::from_be_bytes([quote[ihl + 6], quote[ihl + 7]]);
    Some((ident, seq))
}
