//! Hand-built event stories for the ladder tests: two hosts through r1, the
//! events in the order the world emits them.

use bytes::Bytes;
use protocols::packet::{Frame, IpBody, Ipv4Packet};
use protocols::tcp::{Endpoint, SendCause, State, TcpTrace};
use protocols::topology::{IfaceId, NodeId};
use protocols::trace::events;
use protocols::trace::{DropReason, Dropped, Event};
use protocols::wire::{IpProtocol, TcpFlags, TcpRepr, TcpSeq};
use sim_core::SimTime;

use super::render;
use crate::test_support::*;

/// The two hosts of [`router_topology`]: h1 (10.0.1.10) and h2 (10.0.2.10).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Host {
    H1,
    H2,
}
pub(super) use Host::{H1 as A, H2 as B};

impl Host {
    pub(super) fn endpoint(self) -> Endpoint {
        match self {
            A => Endpoint {
                addr: "10.0.1.10".parse().unwrap(),
                port: 40000,
            },
            B => Endpoint {
                addr: "10.0.2.10".parse().unwrap(),
                port: 80,
            },
        }
    }

    pub(super) fn node(self) -> NodeId {
        match self {
            A => H1,
            B => H2,
        }
    }

    pub(super) fn iface(self) -> IfaceId {
        match self {
            A => H1_ETH0,
            B => H2_ETH0,
        }
    }

    pub(super) fn peer(self) -> Host {
        match self {
            A => B,
            B => A,
        }
    }
}

/// A segment from `from` to its peer: `ctl` lists SYN, FIN, RST, PSH (ACK is
/// there exactly when `ack` is).
#[derive(Clone, Copy)]
pub(super) struct Seg {
    from: Host,
    seq: u32,
    ack: Option<u32>,
    ctl: &'static str,
    len: usize,
    /// h1's port.
    port: u16,
}

pub(super) fn seg(from: Host, seq: u32, ack: Option<u32>, ctl: &'static str, len: usize) -> Seg {
    Seg {
        from,
        seq,
        ack,
        ctl,
        len,
        port: 40000,
    }
}

impl Seg {
    pub(super) fn repr(self) -> TcpRepr {
        let has = |name: &str| self.ctl.split(',').any(|c| c == name);
        let (src_port, dst_port) = match self.from {
            A => (self.port, 80),
            B => (80, self.port),
        };
        TcpRepr {
            src_port,
            dst_port,
            seq: TcpSeq(self.seq),
            ack: self.ack.map(TcpSeq),
            flags: TcpFlags {
                syn: has("SYN"),
                fin: has("FIN"),
                rst: has("RST"),
                psh: has("PSH"),
                ..TcpFlags::NONE
            },
            window: 65535,
            ..TcpRepr::default()
        }
    }

    pub(super) fn frame(self) -> Frame {
        let mut header = ip_header(64, 1);
        header.src = self.from.endpoint().addr;
        header.dst = self.from.peer().endpoint().addr;
        header.protocol = IpProtocol::Tcp;
        let packet = Ipv4Packet::new(
            header,
            IpBody::Tcp {
                header: Box::new(self.repr()),
                payload: Bytes::from(vec![0x61; self.len]),
            },
        );
        ip_frame(self.from.iface(), self.from.peer().iface(), packet)
    }
}

/// An event that owns what it points at.
pub(super) enum Owned {
    Tx(IfaceId, Frame),
    Rx(IfaceId, Frame),
    Tcp(NodeId, Endpoint, Endpoint, TcpTrace),
    Drop(NodeId, Option<IfaceId>, Frame, DropReason),
    DropPacket(NodeId, Option<IfaceId>, Ipv4Packet, DropReason),
}

impl Owned {
    pub(super) fn event(&self) -> Event<'_> {
        match self {
            Owned::Tx(iface, frame) => Event::Tx(events::Tx {
                iface: *iface,
                frame,
            }),
            Owned::Rx(iface, frame) => Event::Rx(events::Rx {
                iface: *iface,
                frame,
            }),
            Owned::Tcp(node, local, remote, trace) => Event::Tcp(events::Tcp {
                node: *node,
                local: *local,
                remote: *remote,
                trace,
            }),
            Owned::Drop(node, iface, frame, reason) => Event::Drop(events::Drop {
                node: *node,
                iface: *iface,
                what: Dropped::Frame(frame),
                reason,
            }),
            Owned::DropPacket(node, iface, packet, reason) => Event::Drop(events::Drop {
                node: *node,
                iface: *iface,
                what: Dropped::Packet(packet),
                reason,
            }),
        }
    }
}

/// Events in the order the world would emit them; times in microseconds
/// after 1 s.
#[derive(Default)]
pub(super) struct Story {
    now: u64,
    events: Vec<(SimTime, Owned)>,
    /// h1's port from now on (0: 40000).
    port: u16,
}

impl Story {
    pub(super) fn at(&mut self, us: u64) -> &mut Story {
        self.now = us;
        self
    }

    pub(super) fn push(&mut self, e: Owned) -> &mut Story {
        let t = SimTime::from_nanos(1_000_000_000 + self.now * 1_000);
        self.events.push((t, e));
        self
    }

    /// Segments and TCP events from now on use `port` at h1.
    pub(super) fn client_port(&mut self, port: u16) -> &mut Story {
        self.port = port;
        self
    }

    fn ep(&self, h: Host) -> Endpoint {
        match (h, self.port) {
            (A, p) if p != 0 => Endpoint {
                port: p,
                ..h.endpoint()
            },
            _ => h.endpoint(),
        }
    }

    fn ported(&self, s: Seg) -> Seg {
        Seg {
            port: self.ep(A).port,
            ..s
        }
    }

    pub(super) fn tcp(&mut self, h: Host, trace: TcpTrace) -> &mut Story {
        let e = Owned::Tcp(h.node(), self.ep(h), self.ep(h.peer()), trace);
        self.push(e)
    }

    pub(super) fn state(
        &mut self,
        h: Host,
        from: State,
        to: State,
        cause: &'static str,
    ) -> &mut Story {
        self.tcp(h, TcpTrace::State { from, to, cause })
    }

    /// TCP sends the segment and it leaves the host.
    pub(super) fn send(&mut self, s: Seg, cause: SendCause) -> &mut Story {
        self.announce(s, cause).wire(s)
    }

    /// TCP hands the segment to IP.
    pub(super) fn announce(&mut self, s: Seg, cause: SendCause) -> &mut Story {
        let s = self.ported(s);
        let trace = TcpTrace::Sent {
            repr: s.repr(),
            len: s.len,
            cause,
        };
        self.tcp(s.from, trace)
    }

    /// The segment leaves its host.
    pub(super) fn wire(&mut self, s: Seg) -> &mut Story {
        let s = self.ported(s);
        self.push(Owned::Tx(s.from.iface(), s.frame()))
    }

    /// The segment crosses r1 and reaches its destination.
    pub(super) fn arrive(&mut self, s: Seg) -> &mut Story {
        let s = self.ported(s);
        let (into_r1, out_of_r1) = match s.from {
            A => (R1_ETH0, R1_ETH1),
            B => (R1_ETH1, R1_ETH0),
        };
        self.push(Owned::Rx(into_r1, s.frame()))
            .push(Owned::Tx(out_of_r1, s.frame()))
            .push(Owned::Rx(s.from.peer().iface(), s.frame()))
    }

    /// r1 drops the segment on its way out.
    pub(super) fn drop_at_r1(&mut self, s: Seg, reason: DropReason) -> &mut Story {
        let s = self.ported(s);
        let out_of_r1 = if s.from == A { R1_ETH1 } else { R1_ETH0 };
        self.push(Owned::Drop(R1, Some(out_of_r1), s.frame(), reason))
    }

    pub(super) fn events(&self) -> Vec<(SimTime, Event<'_>)> {
        self.events.iter().map(|(t, e)| (*t, e.event())).collect()
    }

    pub(super) fn render(&self) -> String {
        render(&router_topology(), &self.events())
    }
}

/// RFC 9293 Figure 7 with h1 as TCP Peer A (ISS 100) and h2 as TCP Peer B (ISS 300).
pub(super) fn handshake(story: &mut Story) {
    handshake_at(story, 0);
}

/// [`handshake`] starting `t0` microseconds after 1 s.
pub(super) fn handshake_at(story: &mut Story, t0: u64) {
    let syn = seg(A, 100, None, "SYN", 0);
    let syn_ack = seg(B, 300, Some(101), "SYN", 0);
    let ack = seg(A, 101, Some(301), "", 0);
    story
        .at(t0)
        .state(A, State::Closed, State::SynSent, "OPEN (active)")
        .send(syn, SendCause::Syn)
        .at(t0 + 200)
        .arrive(syn)
        .state(B, State::Listen, State::SynReceived, "rcv SYN")
        .send(syn_ack, SendCause::SynAck)
        .at(t0 + 400)
        .arrive(syn_ack)
        .state(A, State::SynSent, State::Established, "rcv SYN,ACK")
        .send(ack, SendCause::PureAck)
        .at(t0 + 600)
        .arrive(ack)
        .state(B, State::SynReceived, State::Established, "rcv ACK of SYN");
}
