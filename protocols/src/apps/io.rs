//! What an application sees of its node during one call: [`AppIo`], the
//! datagrams it asks to send ([`Outgoing`], [`LinkSend`]) and its handle on
//! the host's TCP ([`TcpHandle`]). The node fills these in and acts on them;
//! applications never see the node itself.

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::SimTime;

use crate::packet::IpBody;
use crate::tcp::{Endpoint, SocketId, Tcb, TcpConfig, TcpStack};
use crate::topology::IfaceId;
use crate::wire::MacAddr;

/// A datagram an application wants sent.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Source address; `None`: the egress interface's (set only to spoof).
    pub src: Option<Ipv4Addr>,
    /// Destination.
    pub dst: Ipv4Addr,
    /// Initial TTL.
    pub ttl: u8,
    /// Set DF (no fragmentation on the way).
    pub dont_frag: bool,
    /// ICMP or UDP body.
    pub body: IpBody,
}

/// A datagram sent straight out of one interface to a link-layer address,
/// bypassing routing and ARP: how a DHCP server answers a client that has no
/// address yet (RFC 2131 §4.1).
#[derive(Clone, Debug)]
pub struct LinkSend {
    /// The interface.
    pub iface: IfaceId,
    /// Ethernet destination (broadcast, or the client's hardware address).
    pub dst_mac: MacAddr,
    /// The datagram; its source defaults to the interface's address.
    pub datagram: Outgoing,
}

/// What an application asks of its node during one call.
#[derive(Default)]
pub struct AppIo<'a> {
    /// Datagrams to send, in order.
    pub send: Vec<Outgoing>,
    /// Lines the application prints (they go to the trace as `App` events).
    pub lines: Vec<String>,
    /// The host's TCP (absent in unit tests of datagram applications).
    pub tcp: Option<TcpHandle<'a>>,
    /// UDP ports to bind, each on one interface or (`None`) on all. A bound
    /// port delivers its datagrams to this application only; a datagram to a
    /// port nobody bound is answered with ICMP port unreachable.
    pub udp_bind: Vec<(u16, Option<IfaceId>)>,
    /// Datagrams to send on a link directly (see [`LinkSend`]).
    pub link_send: Vec<LinkSend>,
    /// Input: the host's DNS servers, configured or learned by DHCP.
    pub dns_servers: &'a [Ipv4Addr],
    /// Input, in [`App::on_packet`]: the interface the datagram arrived on
    /// (`None` when the host sent it to itself).
    pub arrival: Option<IfaceId>,
}

impl<'a> AppIo<'a> {
    /// An `AppIo` with access to the host's TCP.
    pub fn with_tcp(tcp: TcpHandle<'a>) -> AppIo<'a> {
        AppIo {
            tcp: Some(tcp),
            ..AppIo::default()
        }
    }
}

/// An application's access to its host's TCP during one call.
pub struct TcpHandle<'a> {
    stack: &'a mut TcpStack,
    routing: &'a dyn Routing,
    now: SimTime,
    owner: usize,
}

/// What a socket needs to know of its host's routing.
pub trait Routing {
    /// The source address and MTU the host would use to reach `dst`; `None`
    /// without a route (or without an address on the way out).
    fn source_for(&self, dst: Ipv4Addr) -> Option<(Ipv4Addr, u32)>;
    /// The largest MTU of the host's interfaces (a listener's MSS follows it).
    fn max_mtu(&self) -> u32;
}

impl<'a> TcpHandle<'a> {
    /// The handle of application `owner` on `stack` at `now`.
    pub(crate) fn new(
        stack: &'a mut TcpStack,
        routing: &'a dyn Routing,
        now: SimTime,
        owner: usize,
    ) -> TcpHandle<'a> {
        TcpHandle {
            stack,
            routing,
            now,
            owner,
        }
    }

    fn source_for(&self, dst: Ipv4Addr) -> Option<(Ipv4Addr, u32)> {
        self.routing.source_for(dst)
    }

    /// Active open to `remote` from an ephemeral port; `None` without a route.
    pub fn connect(&mut self, remote: Endpoint, cfg: TcpConfig) -> Option<SocketId> {
        let (src, mtu) = self.source_for(remote.addr)?;
        Some(
            self.stack
                .connect(self.now, self.owner, src, remote, cfg, mtu),
        )
    }

    /// Active open from a chosen local port (simultaneous open).
    pub fn connect_from(
        &mut self,
        local_port: u16,
        remote: Endpoint,
        cfg: TcpConfig,
    ) -> Option<SocketId> {
        let (src, mtu) = self.source_for(remote.addr)?;
        let local = Endpoint {
            addr: src,
            port: local_port,
        };
        Some(
            self.stack
                .open(self.now, self.owner, local, remote, cfg, mtu),
        )
    }

    /// Passive open on `port` with a listen backlog.
    pub fn listen(&mut self, port: u16, backlog: usize, syn_cookies: bool, cfg: TcpConfig) {
        let mtu = self.routing.max_mtu();
        self.stack
            .listen(self.owner, port, backlog, syn_cookies, cfg, mtu);
    }

    /// Queues data; returns how many bytes were taken.
    pub fn write(&mut self, sock: SocketId, data: Bytes) -> usize {
        self.stack.write(self.now, sock, data)
    }

    /// Reads up to `max` bytes.
    pub fn read(&mut self, sock: SocketId, max: usize) -> Vec<Bytes> {
        self.stack.read(self.now, sock, max)
    }

    /// Closes the sending direction.
    pub fn close(&mut self, sock: SocketId) {
        self.stack.close(self.now, sock);
    }

    /// Resets the connection.
    pub fn abort(&mut self, sock: SocketId) {
        self.stack.abort(self.now, sock);
    }

    /// The connection, while it exists.
    pub fn tcb(&self, sock: SocketId) -> Option<&Tcb> {
        self.stack.tcb(sock)
    }
}
