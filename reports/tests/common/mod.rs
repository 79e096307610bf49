//! Hand-made topology, frames and provenance for the reports tests.
//!
//! Shared by the unit tests (through `#[path]`) and the integration tests.
#![allow(dead_code)]

use std::net::Ipv4Addr;

use bytes::Bytes;
use protocols::packet::{Frame, FrameBody, IpBody, Ipv4Packet};
use protocols::topology::{
    IfaceId, IfaceInfo, LinkId, LinkInfo, NodeId, NodeInfo, NodeKind, Topology,
};
use protocols::wire::{
    ArpOperation, ArpRepr, EtherType, EthernetRepr, IcmpRepr, IpProtocol, Ipv4Cidr, Ipv4Repr,
    MacAddr, UdpRepr,
};
use reports::Provenance;
use sim_core::{DataRate, SimDuration};

/// h1:eth0 (10.0.1.10/24).
pub(crate) const H1_ETH0: IfaceId = IfaceId(0);
/// r1:eth0 (10.0.1.1/24).
pub(crate) const R1_ETH0: IfaceId = IfaceId(1);
/// r1:eth1 (10.0.2.1/24).
pub(crate) const R1_ETH1: IfaceId = IfaceId(2);
/// h2:eth0 (10.0.2.10/24).
pub(crate) const H2_ETH0: IfaceId = IfaceId(3);
/// h1.
pub(crate) const H1: NodeId = NodeId(0);
/// r1.
pub(crate) const R1: NodeId = NodeId(1);
/// h2.
pub(crate) const H2: NodeId = NodeId(2);

/// The MAC of interface `i`: `02:00:00:00:00:0<i+1>`.
pub(crate) fn mac(i: IfaceId) -> MacAddr {
    MacAddr::local(i.0 + 1)
}

fn iface(node: u32, name: &str, index: u32, addr: Option<(Ipv4Addr, u8)>, link: u32) -> IfaceInfo {
    IfaceInfo {
        node: NodeId(node),
        name: name.into(),
        mac: MacAddr::local(index + 1),
        addr: addr.map(|(a, p)| Ipv4Cidr::new(a, p).unwrap()),
        link: Some(LinkId(link)),
    }
}

fn link(name: &str, a: u32, b: u32) -> LinkInfo {
    LinkInfo {
        name: name.into(),
        ends: [IfaceId(a), IfaceId(b)],
        rate: DataRate::from_bps(100_000_000),
        delay: SimDuration::from_micros(100),
        mtu: 1500,
    }
}

fn node(name: &str, kind: NodeKind, ifaces: &[u32]) -> NodeInfo {
    NodeInfo {
        name: name.into(),
        kind,
        ifaces: ifaces.iter().map(|&i| IfaceId(i)).collect(),
    }
}

/// `h1 -- r1 -- h2`: two /24 subnets joined by a router.
pub(crate) fn router_topology() -> Topology {
    Topology {
        nodes: vec![
            node("h1", NodeKind::Host, &[0]),
            node("r1", NodeKind::Router, &[1, 2]),
            node("h2", NodeKind::Host, &[3]),
        ],
        ifaces: vec![
            iface(0, "eth0", 0, Some((Ipv4Addr::new(10, 0, 1, 10), 24)), 0),
            iface(1, "eth0", 1, Some((Ipv4Addr::new(10, 0, 1, 1), 24)), 0),
            iface(1, "eth1", 2, Some((Ipv4Addr::new(10, 0, 2, 1), 24)), 1),
            iface(2, "eth0", 3, Some((Ipv4Addr::new(10, 0, 2, 10), 24)), 1),
        ],
        links: vec![link("l0", 0, 1), link("l1", 2, 3)],
    }
}

/// `client -- sw1 -- server` on one segment: longer names, switch ports.
pub(crate) fn switch_topology() -> Topology {
    Topology {
        nodes: vec![
            node("client", NodeKind::Host, &[0]),
            node("sw1", NodeKind::Switch, &[1, 2]),
            node("server", NodeKind::Host, &[3]),
        ],
        ifaces: vec![
            iface(0, "eth0", 0, Some((Ipv4Addr::new(10, 0, 0, 1), 24)), 0),
            iface(1, "p0", 1, None, 0),
            iface(1, "p1", 2, None, 1),
            iface(2, "eth0", 3, Some((Ipv4Addr::new(10, 0, 0, 2), 24)), 1),
        ],
        links: vec![link("client-sw1", 0, 1), link("sw1-server", 2, 3)],
    }
}

/// The provenance every test output carries.
pub(crate) fn provenance() -> Provenance {
    Provenance {
        netsim_version: "0.1.0".into(),
        scenario: "ping-router".into(),
        scenario_hash: "3fa2c0de".into(),
        seed: 1,
        run_index: 0,
    }
}

/// h1 asks who has r1's address.
pub(crate) fn arp_request() -> Frame {
    Frame {
        eth: EthernetRepr {
            src: mac(H1_ETH0),
            dst: MacAddr::BROADCAST,
            ethertype: EtherType::Arp,
        },
        body: FrameBody::Arp(ArpRepr {
            operation: ArpOperation::Request,
            sender_mac: mac(H1_ETH0),
            sender_ip: Ipv4Addr::new(10, 0, 1, 10),
            target_mac: MacAddr::ZERO,
            target_ip: Ipv4Addr::new(10, 0, 1, 1),
        }),
    }
}

/// r1 answers h1.
pub(crate) fn arp_reply() -> Frame {
    Frame {
        eth: EthernetRepr {
            src: mac(R1_ETH0),
            dst: mac(H1_ETH0),
            ethertype: EtherType::Arp,
        },
        body: FrameBody::Arp(ArpRepr {
            operation: ArpOperation::Reply,
            sender_mac: mac(R1_ETH0),
            sender_ip: Ipv4Addr::new(10, 0, 1, 1),
            target_mac: mac(H1_ETH0),
            target_ip: Ipv4Addr::new(10, 0, 1, 10),
        }),
    }
}

/// An IPv4 header from h1 to h2 with the given TTL and ident.
pub(crate) fn ip_header(ttl: u8, ident: u16) -> Ipv4Repr {
    Ipv4Repr {
        src: Ipv4Addr::new(10, 0, 1, 10),
        dst: Ipv4Addr::new(10, 0, 2, 10),
        protocol: IpProtocol::Icmp,
        ttl,
        tos: 0,
        ident,
        dont_frag: false,
        more_frags: false,
        frag_offset: 0,
        payload_len: 0,
    }
}

/// A 64-byte ICMP echo request from h1 to h2, like `ping` sends.
pub(crate) fn echo_packet(ttl: u8) -> Ipv4Packet {
    let icmp = IcmpRepr::EchoRequest {
        ident: 1,
        seq_no: 1,
        data: Bytes::from((0u8..56).collect::<Vec<u8>>()),
    };
    Ipv4Packet::new(ip_header(ttl, 1), IpBody::Icmp(icmp))
}

/// A UDP datagram from h1:5000 to h2:7 carrying `data`.
pub(crate) fn udp_packet(data: &'static [u8]) -> Ipv4Packet {
    Ipv4Packet::new(
        ip_header(64, 2),
        IpBody::Udp {
            header: UdpRepr {
                src_port: 5000,
                dst_port: 7,
            },
            payload: Bytes::from_static(data),
        },
    )
}

/// `packet` in a frame from `src` to `dst`.
pub(crate) fn ip_frame(src: IfaceId, dst: IfaceId, packet: Ipv4Packet) -> Frame {
    Frame {
        eth: EthernetRepr {
            src: mac(src),
            dst: mac(dst),
            ethertype: EtherType::Ipv4,
        },
        body: FrameBody::Ipv4(packet),
    }
}
