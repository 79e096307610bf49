//! The example scenarios under `tests/fixtures/` load, validate and come out
//! normalized; defaults are what the schema documents.

use std::net::Ipv4Addr;
use std::path::PathBuf;

use scenarios::{
    Action, App, Detail, DropRule, Endpoint, LinkDirection, Loss, Node, Pcap, Queue, QueueLimit,
    Scenario, load_file,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

#[track_caller]
fn load(name: &str) -> Scenario {
    load_file(&fixture(name), &[]).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn ping_router_loads() {
    let s = load("ping-router.ron");
    assert_eq!(s.name, "ping-router");
    assert_eq!(s.seed, 7);
    assert_eq!(s.stop.as_nanos(), 12_000_000_000);
    assert_eq!(s.max_events, 1_000_000);
    assert_eq!(s.nodes.len(), 3);
    assert_eq!(s.nodes[0].gateway(), Some(Ipv4Addr::new(10, 0, 1, 1)));
    // `Some(…)` and the implicit form both work.
    assert_eq!(s.nodes[2].gateway(), Some(Ipv4Addr::new(10, 0, 2, 1)));
    let App::Traceroute(tr) = &s.nodes[0].apps()[1] else {
        panic!("a traceroute")
    };
    assert_eq!((tr.max_hops, tr.probes), (8, 1));
    // The unnamed link got its derived name.
    assert_eq!(s.links[1].name, "r1-h2");
    assert_eq!(
        s.link("r1-h2").unwrap().b_to_a.drop,
        vec![DropRule::IcmpSeq(3)]
    );
    let Action::SetLink(set) = &s.timeline[2].action else {
        panic!("a SetLink")
    };
    assert_eq!(set.rate.map(|r| r.bps()), Some(1_000_000));
    assert_eq!(set.direction, None);
    assert_eq!(s.outputs.pcap, Pcap::Nodes(vec!["h1".into(), "r1".into()]));
}

#[test]
fn switched_lan_loads_and_numbers_switch_ports() {
    let s = load("switched-lan.ron");
    let ends: Vec<(String, String, String)> = s
        .links
        .iter()
        .map(|l| (l.name.clone(), l.a.to_string(), l.b.to_string()))
        .collect();
    let expected = [
        ("a-sw1", "a:eth0", "sw1:p0"),
        ("b-sw1", "b:eth0", "sw1:p2"),
        ("c-sw1", "c:eth0", "sw1:p1"),
        ("uplink", "gw:lan", "sw1:p3"),
        ("wan", "gw:wan", "isp:eth0"),
    ];
    let expected: Vec<(String, String, String)> = expected
        .iter()
        .map(|(n, a, b)| (n.to_string(), a.to_string(), b.to_string()))
        .collect();
    assert_eq!(ends, expected);
    let Node::Switch(sw) = &s.nodes[0] else {
        panic!("a switch")
    };
    assert_eq!(sw.mac_ageing.as_nanos(), 120_000_000_000);
    assert_eq!(s.nodes[3].interfaces()[0].address, None, "c is unnumbered");

    let wan = s.link("wan").unwrap();
    assert_eq!(
        wan.a_to_b.loss,
        Loss::GilbertElliott {
            p_good_to_bad: 0.01,
            p_bad_to_good: 0.3,
            loss_good: 0.0,
            loss_bad: 1.0
        }
    );
    assert_eq!(
        wan.queue_of(LinkDirection::AtoB),
        &Queue::DropTail {
            limit: QueueLimit::Packets(20)
        }
    );
    assert_eq!(
        wan.queue_of(LinkDirection::BtoA),
        &Queue::DropTail {
            limit: QueueLimit::Packets(100)
        }
    );
    assert_eq!(
        s.link("uplink").unwrap().queue,
        Queue::DropTail {
            limit: QueueLimit::Bytes(sim_core::ByteSize::from_bytes(65_536))
        }
    );
    let Action::SetLink(set) = &s.timeline[0].action else {
        panic!("a SetLink")
    };
    assert_eq!(set.direction, Some(LinkDirection::BtoA));
    assert_eq!(set.loss, Some(Loss::None), "Some(None) removes loss");
    assert_eq!(set.drop, Some(vec![]));
    assert_eq!(s.outputs.detail, Detail::Full);
    assert_eq!(
        s.outputs.pcap,
        Pcap::Interfaces(vec![Endpoint::new("gw", "wan"), Endpoint::new("sw1", "p3")])
    );
}

#[test]
fn defaults_are_the_documented_ones() {
    let text = r#"Scenario(
        name: "min",
        nodes: [
            Host(name: "h1", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")], apps: [Ping(to: "10.0.0.2")]),
            Host(name: "h2", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")]),
        ],
        links: [Link(a: "h1:eth0", b: "h2:eth0")],
    )"#;
    let s = scenarios::load_str(text, "min.ron", &[]).unwrap();
    assert_eq!(s.description, "");
    assert_eq!(s.seed, 1);
    assert_eq!(s.stop.as_nanos(), 60_000_000_000);
    assert_eq!(s.max_events, 100_000_000);
    let l = &s.links[0];
    assert_eq!(
        (l.rate.bps(), l.delay.as_nanos(), l.mtu),
        (100_000_000, 1_000_000, 1500)
    );
    assert_eq!(
        l.queue,
        Queue::DropTail {
            limit: QueueLimit::Packets(100)
        }
    );
    assert_eq!(l.a_to_b, scenarios::Direction::default());
    assert_eq!(l.a_to_b.loss, Loss::None);
    let Node::Host(h1) = &s.nodes[0] else {
        panic!("a host")
    };
    assert_eq!(h1.arp, scenarios::Arp::default());
    assert_eq!(h1.arp.timeout.as_nanos(), 60_000_000_000);
    assert_eq!(
        (h1.arp.retries, h1.arp.queue, h1.arp.gratuitous),
        (3, 16, false)
    );
    let App::Ping(p) = &h1.apps[0] else {
        panic!("a ping")
    };
    assert_eq!(
        (p.count, p.size, p.ttl, p.dont_fragment),
        (4, 56, 64, false)
    );
    assert_eq!(
        (
            p.interval.as_nanos(),
            p.start.as_nanos(),
            p.timeout.as_nanos()
        ),
        (1_000_000_000, 1_000_000_000, 1_000_000_000)
    );
    let o = &s.outputs;
    assert!(o.trace && o.events);
    assert_eq!(o.pcap, Pcap::All);
    assert_eq!(
        (o.snaplen, o.capture_limit, o.trace_limit, o.print_limit),
        (65_535, 10_000, 200_000, 300)
    );
    assert_eq!(o.detail, Detail::Packets);
}

#[test]
fn a_loaded_scenario_survives_a_json_round_trip() {
    for name in ["ping-router.ron", "switched-lan.ron"] {
        let s = load(name);
        let json = serde_json::to_string(&s).unwrap();
        let back: Scenario = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s, "{name}");
    }
}

#[test]
fn a_loaded_scenario_survives_a_ron_round_trip() {
    for name in ["ping-router.ron", "switched-lan.ron"] {
        let s = load(name);
        let text = scenarios::to_ron(&s);
        let back = scenarios::load_str(&text, name, &[]).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, s, "{name}");
    }
}

#[test]
fn loading_is_deterministic() {
    let text = std::fs::read_to_string(fixture("switched-lan.ron")).unwrap();
    let a = scenarios::load_str(&text, "x", &[]).unwrap();
    let b = scenarios::load_str(&text, "x", &[]).unwrap();
    assert_eq!(a, b);
    assert_eq!(
        scenarios::scenario_hash(&text, &[]),
        scenarios::scenario_hash(&text, &[])
    );
}
