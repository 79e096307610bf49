//! End-to-end runs of hand-built worlds: what a user of the library sees.

use std::cell::RefCell;
use std::net::Ipv4Addr;
use std::rc::Rc;
use std::sync::Arc;

use protocols::apps::AppStats;
use protocols::apps::ping::PingConfig;
use protocols::link::impair::{DropRule, Impairments};
use protocols::link::{LinkParams, QueueConfig, QueueLimit};
use protocols::topology::{IfaceId, LinkId, NodeKind, Topology};
use protocols::trace::{Detail, Event, TraceSink, events};
use protocols::world::{Action, AppSpec, LinkSpec, NodeSpec, RouteSpec, RunReport, WorldSpec};
use sim_core::{DataRate, RunLimits, SimDuration, SimTime};

/// Collects a one-line description of every event.
struct Lines(Rc<RefCell<Vec<String>>>);

impl TraceSink for Lines {
    fn detail(&self) -> Detail {
        Detail::Packets
    }
    fn record(&mut self, time: SimTime, event: &Event<'_>) {
        let s = match event {
            Event::Tx(events::Tx { iface, frame }) => format!("{time} tx {} {frame}", iface.0),
            Event::Rx(events::Rx { iface, frame }) => format!("{time} rx {} {frame}", iface.0),
            Event::Drop(events::Drop { reason, .. }) => format!("{time} drop {reason}"),
            Event::Forward(events::Forward { packet, .. }) => format!("{time} fwd {packet}"),
            Event::App(events::App { text, .. }) => format!("{time} app {text}"),
            Event::Fragment(f) => format!("{time} frag {:?}", f.sizes()),
            Event::Reassembled(events::Reassembled { fragments, .. }) => {
                format!("{time} reasm {fragments}")
            }
            other => format!("{time} {other:?}"),
        };
        self.0.borrow_mut().push(s);
    }
}

fn cidr(s: &str) -> Option<protocols::wire::Ipv4Cidr> {
    Some(s.parse().unwrap())
}

fn params(mtu: u32) -> LinkParams {
    LinkParams {
        rate: DataRate::from_bps(100_000_000),
        delay: SimDuration::from_millis(1),
        mtu,
    }
}

fn link() -> LinkSpec {
    LinkSpec {
        queue: [QueueConfig::drop_tail(QueueLimit::Packets(100)); 2],
        impair: [Impairments::default(), Impairments::default()],
    }
}

fn ping(dst: &str, count: u32, size: usize) -> AppSpec {
    AppSpec::Ping(PingConfig {
        dst: dst.parse().unwrap(),
        count,
        interval: SimDuration::from_secs(1),
        size,
        start: SimTime::from_nanos(1_000_000_000),
        ttl: 64,
        dont_frag: false,
        timeout: SimDuration::from_secs(1),
        ident: 0,
    })
}

/// The default route of a node via `gw` out of `iface`.
fn default_route(gw: [u8; 4], iface: IfaceId) -> RouteSpec {
    RouteSpec {
        dest: "0.0.0.0/0".parse().unwrap(),
        via: Some(Ipv4Addr::from(gw)),
        iface,
    }
}

/// h1 (10.0.1.10/24, `h1_addr`) — r1 — h2 (10.0.2.10/24).
fn ping_router_from(h1_addr: &str, count: u32, size: usize, mtu2: u32) -> WorldSpec {
    let mut topo = Topology::default();
    let h1 = topo.add_node("h1", NodeKind::Host);
    let h1_eth0 = topo.add_iface(h1, "eth0", cidr(h1_addr));
    let r1 = topo.add_node("r1", NodeKind::Router);
    let r1_eth0 = topo.add_iface(r1, "eth0", cidr("10.0.1.1/24"));
    let r1_eth1 = topo.add_iface(r1, "eth1", cidr("10.0.2.1/24"));
    let h2 = topo.add_node("h2", NodeKind::Host);
    let h2_eth0 = topo.add_iface(h2, "eth0", cidr("10.0.2.10/24"));
    topo.add_link("h1-r1", [h1_eth0, r1_eth0], params(1500));
    topo.add_link("r1-h2", [r1_eth1, h2_eth0], params(mtu2));
    let h1 = NodeSpec {
        mtu: vec![1500],
        routes: vec![default_route([10, 0, 1, 1], h1_eth0)],
        apps: vec![ping("10.0.2.10", count, size)],
        ..NodeSpec::default()
    };
    let r1 = NodeSpec {
        mtu: vec![1500, mtu2],
        ..NodeSpec::default()
    };
    let h2 = NodeSpec {
        mtu: vec![mtu2],
        routes: vec![default_route([10, 0, 2, 1], h2_eth0)],
        ..NodeSpec::default()
    };
    WorldSpec {
        seed: 1,
        run_index: 0,
        topology: Arc::new(topo),
        nodes: vec![h1, r1, h2],
        links: vec![link(), link()],
        timeline: vec![],
    }
}

fn ping_router(count: u32, size: usize, mtu2: u32) -> WorldSpec {
    ping_router_from("10.0.1.10/24", count, size, mtu2)
}

fn run(spec: WorldSpec, stop_s: u64) -> (RunReport, Vec<String>) {
    let lines = Rc::new(RefCell::new(Vec::new()));
    let world = spec.build(vec![Box::new(Lines(lines.clone()))]);
    let limits = RunLimits {
        stop_at: SimTime::from_nanos(stop_s * 1_000_000_000),
        max_events: 1_000_000,
    };
    let report = world.run(limits, |_| {}).map_err(|(e, _)| e).unwrap();
    let lines = lines.borrow().clone();
    (report, lines)
}

fn ping_stats(report: &RunReport) -> protocols::apps::ping::PingStats {
    match &report.apps[0].1 {
        AppStats::Ping(p) => p.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_ping_crosses_the_router_with_ttl_63() {
    let (report, lines) = run(ping_router(3, 56, 1500), 10);
    let p = ping_stats(&report);
    assert_eq!((p.transmitted, p.received, p.errors), (3, 3, 0));
    assert_eq!(p.reply_ttls, [63, 63, 63]);
    // First ping: ARP for the gateway, then for h2 at the router: 4 link crossings
    // of 1 ms each way plus ARP exchanges; later pings only the 4 crossings.
    assert!(p.rtts[1] < p.rtts[0]);
    assert!(p.rtts[1] > SimDuration::from_millis(4));
    assert!(p.rtts[1] < SimDuration::from_micros(4100));
    let text = lines.join("\n");
    assert!(
        text.contains("ARP, Request who-has 10.0.1.1 tell 10.0.1.10"),
        "{text}"
    );
    assert!(
        text.contains(
            "fwd IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63"
        ),
        "{text}"
    );
    assert!(
        text.contains("3 packets transmitted, 3 received, 0% packet loss"),
        "{text}"
    );
}

#[test]
fn a_4000_byte_ping_is_fragmented_in_three_and_reassembled() {
    let (report, lines) = run(ping_router(1, 3972, 1500), 5);
    assert_eq!(ping_stats(&report).received, 1);
    let text = lines.join("\n");
    assert!(text.contains("frag [1480, 1480, 1020]"), "{text}");
    assert!(text.contains("reasm 3"), "{text}");
}

#[test]
fn ttl_expiry_and_link_failure_produce_icmp_errors_and_timeouts() {
    let mut spec = ping_router(4, 56, 1500);
    // The r1-h2 link goes down after the first ping and returns after the third.
    spec.timeline = vec![
        (
            SimTime::from_nanos(1_500_000_000),
            Action::LinkDown(LinkId(1)),
        ),
        (
            SimTime::from_nanos(3_500_000_000),
            Action::LinkUp(LinkId(1)),
        ),
    ];
    let (report, lines) = run(spec, 10);
    let p = ping_stats(&report);
    assert_eq!(p.transmitted, 4);
    assert_eq!(p.received, 2, "{}", lines.join("\n"));
    assert!(lines.iter().any(|l| l.contains("drop link down")));
}

#[test]
fn a_drop_rule_loses_exactly_one_request() {
    let mut spec = ping_router(3, 56, 1500);
    spec.links[1].impair[0].rules.push(DropRule::IcmpSeq(2));
    let (report, lines) = run(spec, 10);
    let p = ping_stats(&report);
    assert_eq!((p.transmitted, p.received), (3, 2));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("no answer yet for icmp_seq=2"))
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("drop drop rule IcmpSeq(2)"))
    );
}

#[test]
fn df_over_a_small_mtu_reports_frag_needed() {
    let mut spec = ping_router(1, 1400, 1000);
    if let AppSpec::Ping(p) = &mut spec.nodes[0].apps[0] {
        p.dont_frag = true;
    }
    let (report, lines) = run(spec, 5);
    let p = ping_stats(&report);
    assert_eq!((p.received, p.errors), (0, 1));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("From 10.0.1.1 icmp_seq=1 Frag needed and DF set (mtu = 1000)")),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn corrupted_frames_fail_the_fcs_check_and_are_dropped() {
    let mut spec = ping_router(3, 56, 1500);
    spec.links[1].impair[0].corrupt = 1.0; // every frame r1 -> h2 is damaged
    let (report, lines) = run(spec, 10);
    assert_eq!(ping_stats(&report).received, 0);
    let fcs = lines
        .iter()
        .filter(|l| l.contains("drop FCS error"))
        .count();
    // The ARP request and three echo requests, each retried ARP included: at least 4.
    assert!(fcs >= 4, "{}", lines.join("\n"));
    // A damaged frame never reaches h2's stack (no rx line at h2's interface, id 3).
    assert!(
        !lines.iter().any(|l| l.contains(" rx 3 ")),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn duplicated_frames_produce_dup_replies() {
    let mut spec = ping_router(2, 56, 1500);
    spec.links[0].impair[1].duplicate = 1.0; // r1 -> h1 doubles everything
    let (report, lines) = run(spec, 5);
    let p = ping_stats(&report);
    assert_eq!((p.received, p.duplicates), (2, 2));
    assert!(lines.iter().any(|l| l.ends_with("(DUP!)")));
}

#[test]
fn no_route_at_the_router_sends_net_unreachable() {
    let spec = {
        let mut s = ping_router(1, 56, 1500);
        if let AppSpec::Ping(p) = &mut s.nodes[0].apps[0] {
            p.dst = Ipv4Addr::new(192, 0, 2, 1);
        }
        s
    };
    let (report, lines) = run(spec, 5);
    assert_eq!(ping_stats(&report).errors, 1);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("From 10.0.1.1 icmp_seq=1 Destination Net Unreachable")),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn ttl_one_expires_at_the_first_router() {
    let mut spec = ping_router(1, 56, 1500);
    if let AppSpec::Ping(p) = &mut spec.nodes[0].apps[0] {
        p.ttl = 1;
    }
    let (_, lines) = run(spec, 5);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("From 10.0.1.1 icmp_seq=1 Time to live exceeded")),
        "{}",
        lines.join("\n")
    );
    assert!(lines.iter().any(|l| l.contains("drop TTL exceeded")));
}

#[test]
fn proxy_arp_lets_a_host_without_gateway_reach_the_other_subnet() {
    // h1 believes everything is on-link (/8) and has no gateway; r1 answers its
    // ARP for 10.0.2.10 with its own MAC (RFC 1027).
    let mut spec = ping_router_from("10.0.1.10/8", 1, 56, 1500);
    spec.nodes[0].routes.clear();
    spec.nodes[1].proxy_arp = true;
    let (report, lines) = run(spec.clone(), 5);
    assert_eq!(ping_stats(&report).received, 1, "{}", lines.join("\n"));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("ARP, Reply 10.0.2.10 is-at 02:00:00:00:00:02"))
    );
    // Without proxy ARP nobody answers and the ping fails locally.
    spec.nodes[1].proxy_arp = false;
    let (report, lines) = run(spec, 8);
    let p = ping_stats(&report);
    assert_eq!((p.received, p.errors), (0, 1));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("From 10.0.1.10 icmp_seq=1 Destination Host Unreachable")),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn a_rate_change_on_the_timeline_slows_later_pings() {
    let mut spec = ping_router(3, 1000, 1500);
    spec.timeline = vec![(
        SimTime::from_nanos(2_500_000_000),
        Action::SetLink {
            link: LinkId(1),
            dirs: [true, true],
            rate: Some(DataRate::from_bps(1_000_000)),
            delay: None,
            mtu: None,
            queue: None,
            impair: Box::default(),
        },
    )];
    let (report, lines) = run(spec, 10);
    let p = ping_stats(&report);
    // 1046-byte frames (1000 data + 8 ICMP + 20 IP + 14 Ethernet + 4 FCS) at 1 Mbit/s
    // take 8.368 ms each way on r1-h2, instead of 83.68 us at 100 Mbit/s.
    let before = p.rtts[1].as_nanos();
    let after = p.rtts[2].as_nanos();
    assert_eq!(after - before, 2 * (8_368_000 - 83_680));
    assert!(
        lines
            .iter()
            .any(|l| l.contains("Link") && l.contains("rate 1Mbps")),
        "{}",
        lines.join("\n")
    );
}

#[test]
fn gratuitous_arp_announces_every_address_at_start() {
    let mut spec = ping_router(1, 56, 1500);
    for n in &mut spec.nodes {
        n.arp.gratuitous = true;
    }
    let (_, lines) = run(spec, 3);
    let announcements = lines
        .iter()
        .filter(|l| l.starts_with("0.000000000 tx") && l.contains("Announcement"))
        .count();
    assert_eq!(announcements, 4, "{}", lines.join("\n"));
}
