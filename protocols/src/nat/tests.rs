//! Address translation at packet level: a datagram in, the translated datagram
//! (or nothing) and the trace events out.

use std::net::{Ipv4Addr, SocketAddrV4};

use bytes::Bytes;
use sim_core::{SimDuration, SimTime};

use super::*;
use crate::packet::{IpBody, Ipv4Packet};
use crate::topology::IfaceId;
use crate::wire::{
    IcmpRepr, IpProtocol, Ipv4Repr, TcpFlags, TcpRepr, TcpSeq, UdpRepr, UnreachableCode,
};

const H1: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 100);
const H2: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 101);
const OUTSIDE: Ipv4Addr = Ipv4Addr::new(203, 0, 113, 2);
const REMOTE: Ipv4Addr = Ipv4Addr::new(198, 51, 100, 10);

fn s(n: u64) -> SimTime {
    SimTime::from_nanos(n * 1_000_000_000)
}

fn nat() -> Nat {
    Nat::new(NatConfig::new(vec![IfaceId(0)], IfaceId(1)))
}

fn header(src: Ipv4Addr, dst: Ipv4Addr) -> Ipv4Repr {
    Ipv4Repr {
        src,
        dst,
        protocol: IpProtocol::Unknown(0),
        ttl: 63,
        tos: 0,
        ident: 7,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        payload_len: 0,
    }
}

fn udp(src: SocketAddrV4, dst: SocketAddrV4) -> Ipv4Packet {
    Ipv4Packet::new(
        header(*src.ip(), *dst.ip()),
        IpBody::Udp {
            header: UdpRepr {
                src_port: src.port(),
                dst_port: dst.port(),
            },
            payload: Bytes::from_static(b"hello"),
        },
    )
}

fn tcp(src: SocketAddrV4, dst: SocketAddrV4, flags: TcpFlags, ack: bool) -> Ipv4Packet {
    Ipv4Packet::new(
        header(*src.ip(), *dst.ip()),
        IpBody::Tcp {
            header: Box::new(TcpRepr {
                src_port: src.port(),
                dst_port: dst.port(),
                seq: TcpSeq(1),
                ack: ack.then_some(TcpSeq(1)),
                flags,
                window: 1000,
                ..TcpRepr::default()
            }),
            payload: Bytes::new(),
        },
    )
}

fn sa(ip: Ipv4Addr, port: u16) -> SocketAddrV4 {
    SocketAddrV4::new(ip, port)
}

fn out(n: &mut Nat, t: SimTime, p: Ipv4Packet) -> (Option<Ipv4Packet>, Vec<NatEvent>) {
    let mut ev = Vec::new();
    let p = n.outbound(t, p, OUTSIDE, &|_, _| false, &mut ev);
    (p, ev)
}

fn inb(n: &mut Nat, t: SimTime, p: Ipv4Packet) -> (Inbound, Vec<NatEvent>) {
    let mut ev = Vec::new();
    let r = n.inbound(t, p, OUTSIDE, &mut ev);
    (r, ev)
}

fn ports(p: &Ipv4Packet) -> (u16, u16) {
    match &p.body {
        IpBody::Udp { header, .. } => (header.src_port, header.dst_port),
        IpBody::Tcp { header, .. } => (header.src_port, header.dst_port),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_outbound_datagram_takes_the_outside_address_and_keeps_its_port() {
    let mut n = nat();
    let (p, ev) = out(&mut n, s(1), udp(sa(H1, 40000), sa(REMOTE, 53)));
    let p = p.unwrap();
    assert_eq!((p.header.src, p.header.dst), (OUTSIDE, REMOTE));
    assert_eq!(ports(&p), (40000, 53), "RFC 4787 REQ-3: port preserved");
    assert_eq!(
        ev,
        [
            NatEvent::Created {
                proto: NatProto::Udp,
                inside: sa(H1, 40000),
                outside: sa(OUTSIDE, 40000)
            },
            NatEvent::Translated {
                outbound: true,
                proto: NatProto::Udp,
                inside: sa(H1, 40000),
                outside: sa(OUTSIDE, 40000),
                remote: sa(REMOTE, 53)
            }
        ]
    );
    assert_eq!(
        ev[1].to_string(),
        "out UDP 192.168.1.100:40000 > 198.51.100.10:53 becomes 203.0.113.2:40000 > 198.51.100.10:53"
    );
}

#[test]
fn a_second_host_on_the_same_port_gets_another_outside_port() {
    let mut n = nat();
    out(&mut n, s(1), udp(sa(H1, 40000), sa(REMOTE, 53)));
    let (p, _) = out(&mut n, s(1), udp(sa(H2, 40000), sa(REMOTE, 53)));
    let (sport, _) = ports(&p.unwrap());
    assert_ne!(sport, 40000);
    // Endpoint-independent mapping (RFC 4787 REQ-1): same port to another remote.
    let (p, _) = out(
        &mut n,
        s(2),
        udp(sa(H1, 40000), sa(Ipv4Addr::new(9, 9, 9, 9), 53)),
    );
    assert_eq!(ports(&p.unwrap()).0, 40000);
    assert_eq!(n.len(), 2);
}

#[test]
fn the_answer_is_translated_back_and_strangers_are_filtered() {
    let mut n = nat();
    out(&mut n, s(1), udp(sa(H1, 40000), sa(REMOTE, 53)));
    let (r, ev) = inb(&mut n, s(2), udp(sa(REMOTE, 53), sa(OUTSIDE, 40000)));
    let Inbound::Translated(p) = r else {
        panic!("{r:?}")
    };
    assert_eq!(
        (p.header.src, p.header.dst, ports(&p)),
        (REMOTE, H1, (53, 40000))
    );
    assert_eq!(
        ev[0].to_string(),
        "in  UDP 198.51.100.10:53 > 203.0.113.2:40000 becomes 198.51.100.10:53 > 192.168.1.100:40000"
    );
    // RFC 4787 REQ-8, address-dependent filtering: a host never sent to is refused.
    let (r, ev) = inb(
        &mut n,
        s(2),
        udp(sa(Ipv4Addr::new(9, 9, 9, 9), 53), sa(OUTSIDE, 40000)),
    );
    assert!(matches!(r, Inbound::Dropped));
    assert!(matches!(
        ev[..],
        [NatEvent::Dropped {
            outbound: false,
            ..
        }]
    ));
    // A port with no mapping is for the gateway itself.
    let (r, ev) = inb(&mut n, s(2), udp(sa(REMOTE, 53), sa(OUTSIDE, 41000)));
    assert!(matches!(r, Inbound::NotTranslated(_)) && ev.is_empty());
}

#[test]
fn pings_are_translated_by_echo_identifier() {
    let mut n = nat();
    let echo = |src, dst, ident| {
        Ipv4Packet::new(
            header(src, dst),
            IpBody::Icmp(IcmpRepr::EchoRequest {
                ident,
                seq_no: 1,
                data: Bytes::from_static(b"x"),
            }),
        )
    };
    let (p, _) = out(&mut n, s(1), echo(H1, REMOTE, 1));
    assert_eq!(p.unwrap().header.src, OUTSIDE);
    let (p, _) = out(&mut n, s(1), echo(H2, REMOTE, 1));
    let IpBody::Icmp(IcmpRepr::EchoRequest { ident, .. }) = p.unwrap().body else {
        panic!()
    };
    assert_ne!(ident, 1, "the second host's identifier is remapped");
    let reply = Ipv4Packet::new(
        header(REMOTE, OUTSIDE),
        IpBody::Icmp(IcmpRepr::EchoReply {
            ident,
            seq_no: 1,
            data: Bytes::from_static(b"x"),
        }),
    );
    let (Inbound::Translated(p), _) = inb(&mut n, s(2), reply) else {
        panic!()
    };
    assert_eq!(p.header.dst, H2);
    assert!(matches!(
        p.body,
        IpBody::Icmp(IcmpRepr::EchoReply { ident: 1, .. })
    ));
}

#[test]
fn an_icmp_error_about_a_translated_datagram_is_translated_back_with_valid_checksums() {
    let mut n = nat();
    // H2's port 40000 maps to another outside port, so both address and port change.
    out(&mut n, s(1), udp(sa(H1, 40000), sa(REMOTE, 33434)));
    let inside = udp(sa(H2, 40000), sa(REMOTE, 33434));
    let (translated, _) = out(&mut n, s(1), inside.clone());
    let translated = translated.unwrap();
    let outside_port = ports(&translated).0;
    // The remote answers port unreachable, quoting what it received.
    let error = Ipv4Packet::new(
        header(REMOTE, OUTSIDE),
        IpBody::Icmp(IcmpRepr::DstUnreachable {
            code: UnreachableCode::Port,
            next_hop_mtu: 0,
            original: translated.quote(),
        }),
    );
    let (r, ev) = inb(&mut n, s(2), error);
    let Inbound::Translated(p) = r else {
        panic!("{r:?}")
    };
    assert_eq!(p.header.dst, H2);
    let IpBody::Icmp(IcmpRepr::DstUnreachable { original, .. }) = &p.body else {
        panic!()
    };
    // RFC 5508 §4.2: H2 sees exactly the quote of the datagram it sent: address,
    // port, IP header checksum and UDP checksum all restored.
    assert_eq!(original, &inside.quote());
    assert_eq!(
        ev[0],
        NatEvent::IcmpError {
            outbound: false,
            proto: NatProto::Udp,
            inside: sa(H2, 40000),
            outside: sa(OUTSIDE, outside_port),
            reporter: REMOTE,
            what: "port unreachable".into()
        }
    );
}

#[test]
fn an_idle_udp_mapping_expires_and_traffic_keeps_it_alive() {
    let mut n = nat();
    out(&mut n, s(0), udp(sa(H1, 40000), sa(REMOTE, 53)));
    out(&mut n, s(200), udp(sa(H1, 40000), sa(REMOTE, 53)));
    // The first deadline (300 s) comes early: the mapping was used at 200 s.
    assert_eq!(n.poll_at(), Some(s(300)));
    assert!(n.on_timer(s(300)).is_empty());
    assert_eq!(n.poll_at(), Some(s(500)));
    let ev = n.on_timer(s(500));
    assert_eq!(
        ev,
        [NatEvent::Expired {
            proto: NatProto::Udp,
            inside: sa(H1, 40000),
            outside: sa(OUTSIDE, 40000),
            idle: SimDuration::from_secs(300)
        }]
    );
    assert!(n.is_empty());
    let (r, _) = inb(&mut n, s(501), udp(sa(REMOTE, 53), sa(OUTSIDE, 40000)));
    assert!(matches!(r, Inbound::NotTranslated(_)));
}

#[test]
fn tcp_mappings_use_the_established_and_transitory_timeouts() {
    let mut n = nat();
    let (c, r) = (sa(H1, 50000), sa(REMOTE, 80));
    let o = sa(OUTSIDE, 50000);
    out(&mut n, s(0), tcp(c, r, TcpFlags::SYN, false));
    assert_eq!(n.poll_at(), Some(s(240)), "opening: transitory, 240 s");
    inb(&mut n, s(1), tcp(r, o, TcpFlags::SYN, true));
    out(&mut n, s(1), tcp(c, r, TcpFlags::NONE, true));
    n.on_timer(s(240));
    assert_eq!(
        n.poll_at(),
        Some(s(7441)),
        "established: 7440 s after the last segment"
    );
    out(
        &mut n,
        s(10),
        tcp(
            c,
            r,
            TcpFlags {
                fin: true,
                ..TcpFlags::NONE
            },
            true,
        ),
    );
    assert_eq!(
        n.poll_at(),
        Some(s(250)),
        "closing: transitory again, brought forward"
    );
    assert!(matches!(n.on_timer(s(250))[..], [NatEvent::Expired { .. }]));
}

#[test]
fn fragments_are_not_translated() {
    let mut n = nat();
    let mut h = header(H1, REMOTE);
    h.protocol = IpProtocol::Udp;
    h.more_frags = true;
    let frag = Ipv4Packet::new(h, IpBody::Raw(Bytes::from_static(&[0; 16])));
    let (p, ev) = out(&mut n, s(1), frag);
    assert!(p.is_none());
    assert!(matches!(
        &ev[..],
        [NatEvent::Dropped {
            reason: "fragments are not translated",
            ..
        }]
    ));
}
