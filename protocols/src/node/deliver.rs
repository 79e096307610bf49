//! Local delivery: a datagram for this node (reassembled first) goes to the
//! ICMP echo responder, TCP, the UDP socket bound to its port, or the
//! applications that take raw datagrams (ping, traceroute); what nobody takes
//! is answered as the RFCs say.
//!
//! - RFC 1122 §3.2.2.1 / RFC 792: a UDP datagram to a port nobody bound, or
//!   an unknown protocol, gets ICMP destination unreachable (port, protocol).
//! - RFC 9293 §3.10.7.1: a TCP segment no connection or listener takes is
//!   answered as by a closed port, with a reset ([`rst_for`]); never a reset
//!   to a reset, and (RFC 1122 §4.2.3.10, as Linux) none for a segment sent
//!   to or from a broadcast address.

use sim_core::SimTime;

use super::ipv4::DEFAULT_TTL;
use super::ipv4::frag::Reassembly;
use super::{IpNode, NodeOutput};
use crate::packet::{IpBody, Ipv4Packet};
use crate::tcp::rst_for;
use crate::topology::IfaceId;
use crate::trace::{DropReason, Dropped, Event, events};
use crate::wire::{IcmpRepr, TcpRepr, UnreachableCode};

impl IpNode {
    /// Local delivery, reassembling fragments first.
    pub(super) fn deliver(
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
                    out.drop(iface, Dropped::Packet(&packet), &DropReason::Malformed(e));
                    return;
                }
                Reassembly::Complete(whole, n) => {
                    let node = out.node;
                    out.emit(Event::Reassembled(events::Reassembled {
                        node,
                        packet: &whole,
                        fragments: n,
                    }));
                    whole
                }
            }
        } else {
            packet
        };
        let broadcast = self.is_broadcast(packet.header.dst);
        if self.echo_reply(now, &packet, broadcast, out) {
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
        out.drop(iface, Dropped::Packet(&packet), &DropReason::NoListener);
        let code = match &packet.body {
            IpBody::Udp { .. } => UnreachableCode::Port,
            IpBody::Raw(_) => UnreachableCode::Protocol,
            IpBody::Icmp(_) => return,
            IpBody::Tcp { header, payload } => {
                return self.tcp_reset(now, &packet, header, payload.len(), out);
            }
        };
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
        // Linux TCP output, resets included, sets DF (path MTU discovery).
        let reply = self.originate(
            h.dst,
            h.src,
            DEFAULT_TTL,
            0,
            true,
            IpBody::Tcp {
                header: Box::new(rst),
                payload: bytes::Bytes::new(),
            },
        );
        self.output(now, reply, out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::node::Iface;
    use crate::node::ethernet::eth_frame;
    use crate::node::ipv4::arp::ArpConfig;
    use crate::packet::{Frame, FrameBody};
    use crate::trace::{Detail, TraceSink, Tracer};
    use crate::wire::{ArpOperation, ArpRepr, IpProtocol, Ipv4Cidr, Ipv4Repr, MacAddr};
    use crate::wire::{TcpFlags, TcpOptions, TcpSeq};
    use bytes::Bytes;
    use std::cell::RefCell;
    use std::net::Ipv4Addr;
    use std::rc::Rc;

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
            crate::topology::NodeId(0),
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
        eth_frame(
            MacAddr::local(1),
            MacAddr::local(2),
            FrameBody::Ipv4(Ipv4Packet::new(header, body)),
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

    /// Keeps the reasons of the drops it sees.
    struct Drops(Rc<RefCell<Vec<DropReason>>>);

    impl TraceSink for Drops {
        fn detail(&self) -> Detail {
            Detail::Summary
        }
        fn record(&mut self, _: SimTime, event: &Event<'_>) {
            if let Event::Drop(d) = event {
                self.0.borrow_mut().push(d.reason.clone());
            }
        }
    }

    /// Delivers `frame`, then answers the ARP request it caused; returns the
    /// drop reasons traced and the frames released.
    fn deliver_and_resolve(node: &mut IpNode, frame: Frame) -> (Vec<DropReason>, Vec<Frame>) {
        let seen = Rc::new(RefCell::new(Vec::new()));
        let mut tracer = Tracer::new(vec![Box::new(Drops(seen.clone()))]);
        let mut out = NodeOutput::new(&mut tracer, node.id, SimTime::ZERO);
        node.on_frame(SimTime::ZERO, IFACE, frame, &mut out);
        let frames = out.into_frames();
        let drops = seen.borrow().clone();
        let mut sent = Vec::new();
        for (_, f) in frames {
            if let FrameBody::Arp(req) = f.body {
                let reply = ArpRepr {
                    operation: ArpOperation::Reply,
                    sender_mac: MacAddr::local(1),
                    sender_ip: req.target_ip,
                    target_mac: req.sender_mac,
                    target_ip: req.sender_ip,
                };
                let mut quiet = Tracer::default();
                let mut out = NodeOutput::new(&mut quiet, node.id, SimTime::ZERO);
                node.on_frame(
                    SimTime::ZERO,
                    IFACE,
                    eth_frame(MacAddr::local(1), MacAddr::local(2), FrameBody::Arp(reply)),
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
