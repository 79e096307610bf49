//! `topology.svg`: every node, link and address is there, placed as a reader
//! expects (a chain runs left to right, a dumbbell is a dumbbell).

use std::net::Ipv4Addr;
use std::sync::Arc;

use protocols::dhcp::DhcpEvent;
use protocols::topology::{
    IfaceId, IfaceInfo, LinkId, LinkInfo, NodeId, NodeInfo, NodeKind, Topology,
};
use protocols::trace::events;
use protocols::trace::{Event, TraceSink};
use protocols::wire::{Ipv4Cidr, MacAddr};
use sim_core::{DataRate, SimDuration, SimTime};

use super::layout::layout;
use super::{Leases, TopologySink, delay_text, rate_text, render};
use crate::test_support::*;

fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("well-formed XML");
    assert!(doc.root_element().attribute("viewBox").is_some());
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect()
}

#[test]
fn every_node_link_and_address_is_labelled() {
    let svg = render(&router_topology(), &Leases::new(), Some(&provenance()));
    let texts = texts(&svg);
    for t in [
        "h1",
        "r1",
        "h2",
        "l0 \u{b7} 100 Mbit/s \u{b7} 100 \u{b5}s \u{b7} MTU 1500",
        "l1 \u{b7} 100 Mbit/s \u{b7} 100 \u{b5}s \u{b7} MTU 1500",
        "eth0 10.0.1.10/24",
        "eth0 10.0.1.1/24",
        "eth1 10.0.2.1/24",
        "eth0 10.0.2.10/24",
        "Topology of ping-router",
        "netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0",
    ] {
        assert!(texts.iter().any(|x| x == t), "{t:?} missing from {texts:?}");
    }
    // Switch ports have no address: just their name.
    let texts = super::tests::texts(&render(&switch_topology(), &Leases::new(), None));
    assert!(texts.iter().any(|x| x == "p0") && texts.iter().any(|x| x == "p1"));
}

#[test]
fn shapes_by_kind() {
    let svg = render(&switch_topology(), &Leases::new(), None);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let fills: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("rect") || n.has_tag_name("circle"))
        .filter_map(|n| n.attribute("fill"))
        .filter(|f| *f != "#ffffff")
        .collect();
    // client and server hosts, sw1 a switch (in node order).
    assert_eq!(fills, ["#e0f2fe", "#ede9fe", "#e0f2fe"]);
    let svg = render(&router_topology(), &Leases::new(), None);
    assert_eq!(svg.matches("<circle").count(), 1, "one router");
}

#[test]
fn dhcp_interfaces_say_so_with_their_lease() {
    let topo = Arc::new(router_topology());
    let mut sink = TopologySink::new(Vec::new(), topo, &[H1_ETH0], &provenance());
    let lease = Ipv4Cidr::new(Ipv4Addr::new(10, 0, 1, 100), 24).unwrap();
    let configured = DhcpEvent::Configured {
        addr: lease,
        router: None,
        dns: Vec::new(),
        lease_secs: 60,
        renew_in_secs: 30,
    };
    sink.record(
        SimTime::ZERO,
        &Event::Dhcp(events::Dhcp {
            node: H1,
            iface: H1_ETH0,
            event: &configured,
        }),
    );
    sink.finish().unwrap();
    let svg = String::from_utf8(sink.into_output().unwrap()).unwrap();
    assert!(texts(&svg).iter().any(|t| t == "eth0 DHCP 10.0.1.100/24"));
    let no_lease = Leases::from([(H1_ETH0, None)]);
    let svg = render(&router_topology(), &no_lease, None);
    assert!(texts(&svg).iter().any(|t| t == "eth0 DHCP"));
}

#[test]
fn a_chain_runs_left_to_right() {
    let lay = layout(&router_topology());
    assert_eq!(lay.place, [(0, 0.0), (1, 0.0), (2, 0.0)]);
    let lay = layout(&switch_topology());
    assert_eq!(lay.place, [(0, 0.0), (1, 0.0), (2, 0.0)]);
}

/// `s1..sN -- r1 -- r2 -- d1..dN`, nodes in the generator's order.
fn dumbbell(n: u32) -> Topology {
    let mut t = Topology::default();
    let add_node = |t: &mut Topology, name: String, kind| {
        t.nodes.push(NodeInfo {
            name,
            kind,
            ifaces: Vec::new(),
        });
        NodeId(t.nodes.len() as u32 - 1)
    };
    let r1 = add_node(&mut t, "r1".into(), NodeKind::Router);
    let r2 = add_node(&mut t, "r2".into(), NodeKind::Router);
    let mut hosts = Vec::new();
    for i in 1..=n {
        hosts.push((add_node(&mut t, format!("s{i}"), NodeKind::Host), r1));
        hosts.push((add_node(&mut t, format!("d{i}"), NodeKind::Host), r2));
    }
    let link = |t: &mut Topology, a: NodeId, b: NodeId| {
        let mut end = |node: NodeId| {
            let id = IfaceId(t.ifaces.len() as u32);
            t.ifaces.push(IfaceInfo {
                node,
                name: format!("eth{}", t.nodes[node.0 as usize].ifaces.len()),
                mac: MacAddr::local(id.0 + 1),
                addr: None,
                link: Some(LinkId(t.links.len() as u32)),
            });
            t.nodes[node.0 as usize].ifaces.push(id);
            id
        };
        let ends = [end(a), end(b)];
        t.links.push(LinkInfo {
            name: format!("link{}", t.links.len()),
            ends,
            rate: DataRate::from_bps(1_000_000_000),
            delay: SimDuration::from_millis(1),
            mtu: 1500,
        });
    };
    for (h, r) in hosts {
        link(&mut t, h, r);
    }
    link(&mut t, r1, r2);
    t
}

#[test]
fn a_dumbbell_comes_out_as_a_dumbbell() {
    let t = dumbbell(20);
    let lay = layout(&t);
    assert_eq!((lay.columns, lay.rows), (4, 20));
    let col = |name: &str| {
        let k = t.nodes.iter().position(|n| n.name == name).unwrap();
        lay.place[k]
    };
    // Senders on the left, routers in the middle rows, receivers on the right.
    assert_eq!(col("s1"), (0, 0.0));
    assert_eq!(col("s20"), (0, 19.0));
    assert_eq!(col("r1"), (1, 9.5));
    assert_eq!(col("r2"), (2, 9.5));
    assert_eq!(col("d1"), (3, 0.0));
    assert_eq!(col("d20"), (3, 19.0));
    let svg = render(&t, &Leases::new(), None);
    let texts = texts(&svg);
    for i in 1..=20 {
        assert!(texts.contains(&format!("s{i}")) && texts.contains(&format!("d{i}")));
    }
    assert_eq!(
        texts
            .iter()
            .filter(|x| x.contains("1 Gbit/s \u{b7} 1 ms"))
            .count(),
        41
    );
}

#[test]
fn units_read_as_people_write_them() {
    assert_eq!(rate_text(DataRate::from_bps(100_000_000)), "100 Mbit/s");
    assert_eq!(rate_text(DataRate::from_bps(1_500_000)), "1.5 Mbit/s");
    assert_eq!(rate_text(DataRate::from_bps(10_000_000_000)), "10 Gbit/s");
    assert_eq!(rate_text(DataRate::from_bps(64_000)), "64 kbit/s");
    assert_eq!(delay_text(SimDuration::from_millis(20)), "20 ms");
    assert_eq!(delay_text(SimDuration::from_micros(1500)), "1.5 ms");
    assert_eq!(delay_text(SimDuration::from_micros(100)), "100 \u{b5}s");
    assert_eq!(delay_text(SimDuration::ZERO), "0 s");
}

#[test]
fn same_topology_same_bytes() {
    let t = dumbbell(5);
    assert_eq!(
        render(&t, &Leases::new(), Some(&provenance())),
        render(&t, &Leases::new(), Some(&provenance()))
    );
}
