//! The node's glue between IP, TCP and applications: calling an application
//! with a handle on the host's TCP, and turning what TCP produced (segments,
//! trace records, application signals) into IP packets, notes and further
//! application calls.

use std::net::Ipv4Addr;

use sim_core::SimTime;

use super::ipv4::DEFAULT_TTL;
use super::ipv4::routing::RoutingTable;
use super::{Iface, IpNode, NodeOutput};
use crate::apps::{App, AppIo, Outgoing, Routing, TcpHandle};
use crate::packet::{IpBody, Ipv4Packet};
use crate::trace::{Event, events};

/// The node's routing as its sockets see it.
struct HostRouting<'a> {
    routes: &'a RoutingTable,
    ifaces: &'a [Iface],
}

impl Routing for HostRouting<'_> {
    fn source_for(&self, dst: Ipv4Addr) -> Option<(Ipv4Addr, u32)> {
        let nh = self.routes.lookup(dst)?;
        let iface = self.ifaces.iter().find(|i| i.id == nh.iface)?;
        Some((iface.addr?.addr, iface.mtu))
    }

    fn max_mtu(&self) -> u32 {
        self.ifaces.iter().map(|i| i.mtu).max().unwrap_or(1500)
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
        self.tcp.trace = out.level();
        let (r, send, lines, binds, link) = {
            let routing = HostRouting {
                routes: &self.routes,
                ifaces: &self.ifaces,
            };
            let mut io = AppIo::with_tcp(TcpHandle::new(&mut self.tcp, &routing, now, idx));
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

    /// Sends TCP's segments, emits its trace events and delivers its signals
    /// to applications until nothing is left.
    pub(super) fn flush_tcp(&mut self, now: SimTime, out: &mut NodeOutput) {
        self.tcp.trace = out.level();
        for _ in 0..MAX_SIGNAL_ROUNDS {
            for t in std::mem::take(&mut self.tcp.transmits) {
                // As Linux sends TCP: TTL 64, DF set (path MTU discovery),
                // ECT(0) on ECN-capable data (RFC 3168 §5).
                let packet = self.originate(
                    t.src,
                    t.dst,
                    DEFAULT_TTL,
                    if t.ect { 0b10 } else { 0 },
                    true,
                    IpBody::Tcp {
                        header: Box::new(t.segment.repr),
                        payload: t.segment.payload,
                    },
                );
                self.output(now, packet, out);
            }
            let mut traces = std::mem::take(&mut self.tcp.traces);
            for (local, remote, trace) in traces.drain(..) {
                out.emit(Event::Tcp(events::Tcp {
                    node: self.id,
                    local,
                    remote,
                    trace: &trace,
                }));
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
        self.tcp.trace = out.level();
        let taken = self
            .tcp
            .on_segment(now, h.src, h.dst, header, payload.clone(), ce);
        self.flush_tcp(now, out);
        taken
    }

    /// Runs TCP's timers due at `now`.
    pub(super) fn tcp_timers(&mut self, now: SimTime, out: &mut NodeOutput) {
        if self.tcp.poll_at().is_some_and(|t| t <= now) {
            self.tcp.trace = out.level();
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
        for text in &lines {
            out.app(name, text);
        }
        for o in send {
            self.send_datagram(now, name, o, out);
        }
    }
}
