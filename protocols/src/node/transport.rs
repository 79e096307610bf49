//! The node's glue between IP, TCP and applications: calling an application
//! with a handle on the host's TCP, and turning what TCP produced (segments,
//! trace records, application signals) into IP packets, notes and further
//! application calls.

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::SimTime;

use super::ip::{DEFAULT_TTL, Iface, IpNode};
use super::routing::RoutingTable;
use super::{NodeOutput, Note};
use crate::apps::{App, AppIo, Outgoing};
use crate::packet::{IpBody, Ipv4Packet};
use crate::tcp::{Endpoint, SocketId, Tcb, TcpConfig, TcpStack, TcpTrace};
use crate::trace::Detail;
use crate::wire::{IpProtocol, Ipv4Repr, TcpRepr};

/// An application's access to its host's TCP during one call.
pub struct TcpHandle<'a> {
    stack: &'a mut TcpStack,
    routes: &'a RoutingTable,
    ifaces: &'a [Iface],
    now: SimTime,
    owner: usize,
}

impl TcpHandle<'_> {
    /// The address and MTU this host would use to reach `dst`.
    fn source_for(&self, dst: Ipv4Addr) -> Option<(Ipv4Addr, u32)> {
        let nh = self.routes.lookup(dst)?;
        let iface = self.ifaces.iter().find(|i| i.id == nh.iface)?;
        Some((iface.addr?.addr, iface.mtu))
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
        let mtu = self.ifaces.iter().map(|i| i.mtu).max().unwrap_or(1500);
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

/// Upper bound on signal rounds in one node call, against applications that
/// answer every signal with another.
const MAX_SIGNAL_ROUNDS: usize = 100_000;

impl IpNode {
    /// Calls application `idx` through `f`, then sends what it asked for.
    pub(super) fn call_app<R>(
        &mut self,
        now: SimTime,
        idx: usize,
        out: &mut NodeOutput,
        f: impl FnOnce(&mut dyn App, &mut AppIo<'_>) -> R,
    ) -> R {
        self.tcp.tracing = out.wants(Detail::Summary);
        self.tcp.series = out.series;
        let (r, send, lines, binds, link) = {
            let handle = TcpHandle {
                stack: &mut self.tcp,
                routes: &self.routes,
                ifaces: &self.ifaces,
                now,
                owner: idx,
            };
            let mut io = AppIo::with_tcp(handle);
            io.dns_servers = &self.svc.dns_servers;
            let r = f(self.apps[idx].as_mut(), &mut io);
            (r, io.send, io.lines, io.udp_bind, io.link_send)
        };
        self.bind_udp(idx, binds);
        for ls in link {
            self.send_on_link(ls, out);
        }
        self.app_output(now, idx, send, lines, out);
        r
    }

    /// Sends TCP's segments, records its trace notes and delivers its signals
    /// to applications until nothing is left.
    pub(super) fn flush_tcp(&mut self, now: SimTime, out: &mut NodeOutput) {
        self.tcp.tracing = out.wants(Detail::Summary);
        self.tcp.series = out.series;
        for _ in 0..MAX_SIGNAL_ROUNDS {
            for t in std::mem::take(&mut self.tcp.transmits) {
                let packet = tcp_packet(
                    t.src,
                    t.dst,
                    t.segment.repr,
                    t.segment.payload,
                    self.take_ident(),
                    t.ect,
                );
                self.output(now, packet, out);
            }
            let mut traces = std::mem::take(&mut self.tcp.traces);
            for (local, remote, trace) in traces.drain(..) {
                let detail = match trace {
                    TcpTrace::Sample(_) if out.series => None,
                    TcpTrace::Sample(_) => continue,
                    TcpTrace::Sent { .. } => Some(crate::trace::tcp_detail(&trace)),
                    _ => Some(Detail::Summary),
                };
                let note = || Note::Tcp {
                    local,
                    remote,
                    trace,
                };
                match detail {
                    None => out.notes.push(note()),
                    Some(d) => out.note(d, note),
                }
            }
            // Keep the allocation: with tracing on, every round has traces.
            self.tcp.traces = traces;
            let signals = std::mem::take(&mut self.tcp.signals);
            if signals.is_empty() && self.tcp.transmits.is_empty() {
                return;
            }
            for (owner, sock, signal) in signals {
                if owner < self.apps.len() {
                    self.call_app(now, owner, out, |app, io| app.on_tcp(now, sock, signal, io));
                }
            }
        }
    }

    /// A TCP segment for this host: to its connection or listener, or the
    /// CLOSED-state reset. Returns whether TCP took it.
    pub(super) fn deliver_tcp(
        &mut self,
        now: SimTime,
        packet: &Ipv4Packet,
        out: &mut NodeOutput,
    ) -> bool {
        let IpBody::Tcp { header, payload } = &packet.body else {
            return false;
        };
        let h = &packet.header;
        // The ECN field says CE: a router on the way marked congestion (RFC 3168 §5).
        let ce = h.tos & 0b11 == 0b11;
        self.tcp.tracing = out.wants(Detail::Summary);
        self.tcp.series = out.series;
        let taken = self
            .tcp
            .on_segment(now, h.src, h.dst, header, payload.clone(), ce);
        self.flush_tcp(now, out);
        taken
    }

    /// Runs TCP's timers due at `now`.
    pub(super) fn tcp_timers(&mut self, now: SimTime, out: &mut NodeOutput) {
        if self.tcp.poll_at().is_some_and(|t| t <= now) {
            self.tcp.tracing = out.wants(Detail::Summary);
            self.tcp.series = out.series;
            self.tcp.on_timer(now);
            self.flush_tcp(now, out);
        }
    }

    /// Applications' datagrams and lines, after a call.
    fn app_output(
        &mut self,
        now: SimTime,
        idx: usize,
        send: Vec<Outgoing>,
        lines: Vec<String>,
        out: &mut NodeOutput,
    ) {
        let name = self.apps[idx].name();
        for text in lines {
            out.note(Detail::Summary, || Note::App { app: name, text });
        }
        for o in send {
            self.send_datagram(now, name, o, out);
        }
    }
}

/// An IP datagram carrying a TCP segment, as Linux sends one: TTL 64, DF set.
fn tcp_packet(
    src: Ipv4Addr,
    dst: Ipv4Addr,
    header: TcpRepr,
    payload: Bytes,
    ident: u16,
    ect: bool,
) -> Ipv4Packet {
    let ip = Ipv4Repr {
        src,
        dst,
        protocol: IpProtocol::Tcp,
        ttl: DEFAULT_TTL,
        // ECN field: ECT(0) for ECN-capable data (RFC 3168 §5).
        tos: if ect { 0b10 } else { 0 },
        ident,
        dont_frag: true,
        more_frags: false,
        frag_offset: 0,
        payload_len: 0,
    };
    Ipv4Packet::new(
        ip,
        IpBody::Tcp {
            header: Box::new(header),
            payload,
        },
    )
}
