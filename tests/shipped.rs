//! One end-to-end test per shipped scenario, checking what a student would
//! check: replies received, TTLs, fragment sizes, what each capture shows.

mod common;

use common::{root, run_into, scratch, shipped, tshark_fields};
use netsim::{AppStats, Loaded, RunOptions};

fn run(name: &str) -> (netsim::RunOutcome, std::path::PathBuf) {
    let out = scratch(&format!("shipped-{name}"));
    let file = shipped(name);
    let loaded = Loaded::from_file(&file, &[]).unwrap();
    let opts = RunOptions {
        out_dir: Some(out.clone()),
        write_outputs: true,
        ..RunOptions::default()
    };
    (netsim::run(&loaded, &opts).unwrap(), out)
}

fn ping(o: &netsim::RunOutcome, k: usize) -> &netsim::protocols::apps::ping::PingStats {
    match &o.apps[k].1 {
        AppStats::Ping(p) => p,
        other => panic!("app {k} is {other:?}"),
    }
}

#[test]
fn ping_router_crosses_the_gateway_with_ttl_decremented() {
    let (o, out) = run("ping-router");
    let p = ping(&o, 0);
    assert_eq!((p.transmitted, p.received, p.errors), (4, 4, 0));
    assert_eq!(p.reply_ttls, [63; 4], "one router on the way back");
    // Four 1 ms hops plus serialization of four 102-byte frames (98 captured + FCS)
    // at 100 Mbit/s: 816 bits / 1e8 = 8.16 us each.
    assert_eq!(p.rtts[1].as_nanos(), 4_000_000 + 4 * 8_160);

    // h1's capture starts with the ARP for its gateway, never for h2.
    let arps = tshark_fields(
        &out.join("h1-eth0.pcap"),
        "arp.opcode == 1 && arp.src.proto_ipv4 == 10.0.1.10",
        &["arp.dst.proto_ipv4"],
    );
    assert_eq!(arps, ["10.0.1.1"]);
    // The router forwarded the requests with TTL 63 onto the second subnet.
    let ttls = tshark_fields(&out.join("r1-eth1.pcap"), "icmp.type == 8", &["ip.ttl"]);
    assert_eq!(ttls, ["63"; 4]);
    let ttls = tshark_fields(&out.join("h1-eth0.pcap"), "icmp.type == 8", &["ip.ttl"]);
    assert_eq!(ttls, ["64"; 4]);
    // One capture per interface.
    for f in [
        "h1-eth0.pcap",
        "r1-eth0.pcap",
        "r1-eth1.pcap",
        "h2-eth0.pcap",
    ] {
        assert!(out.join(f).exists(), "{f}");
    }
}

#[test]
fn ping_lan_floods_the_first_arp_and_then_switches() {
    let (o, out) = run("ping-lan");
    let (to_h2, to_h3) = (ping(&o, 0), ping(&o, 1));
    assert_eq!((to_h2.received, to_h3.received), (3, 1));
    assert!(
        to_h2.reply_ttls.iter().all(|&t| t == 64),
        "nothing forwards on a LAN"
    );
    // h3 sees h1's broadcast ARP for h2 (flooded) but none of the h1<->h2 echoes.
    let h3 = out.join("h3-eth0.pcap");
    assert_eq!(
        tshark_fields(
            &h3,
            "arp.dst.proto_ipv4 == 10.0.0.2 && arp.opcode == 1",
            &["frame.number"]
        )
        .len(),
        1
    );
    assert!(tshark_fields(&h3, "icmp && ip.addr == 10.0.0.2", &["frame.number"]).is_empty());
    // Switch ports are captured too.
    assert!(out.join("sw1-p0.pcap").exists());
}

#[test]
fn fragmentation_splits_4000_bytes_into_three_fragments() {
    let (o, out) = run("fragmentation");
    let p = ping(&o, 0);
    assert_eq!((p.transmitted, p.received), (1, 1));
    let h1 = out.join("h1-eth0.pcap");
    // Fragments of the request as they leave h1: offset (tshark counts 8-byte
    // units: 185 x 8 = 1480, 370 x 8 = 2960), more-fragments flag, IP total length.
    let frags = tshark_fields(
        &h1,
        "ip.src == 10.0.1.10",
        &["ip.frag_offset", "ip.flags.mf", "ip.len"],
    );
    assert_eq!(frags, ["0,1,1500", "185,1,1500", "370,0,1040"]);
    // tshark reassembles them into one 3980-byte ICMP echo request (8 + 3972 data).
    let whole = tshark_fields(&h1, "icmp.type == 8", &["ip.reassembled.length"]);
    assert_eq!(whole, ["3980"]);
    // The router forwarded fragments without reassembling them.
    assert_eq!(
        tshark_fields(
            &out.join("r1-eth1.pcap"),
            "ip.src == 10.0.1.10",
            &["ip.len"]
        )
        .len(),
        3
    );
    let events = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
    let reassembled = events
        .lines()
        .filter(|l| l.contains("\"kind\":\"reassembled\""))
        .count();
    assert_eq!(reassembled, 2, "h2 reassembles the request, h1 the reply");
}

#[test]
fn link_failure_loses_pings_then_recovers() {
    let (o, out) = run("link-failure");
    let p = ping(&o, 0);
    assert_eq!(p.transmitted, 10);
    // Pings 1-3 before the failure and 8-10 after it succeed.
    assert_eq!(p.received, 6);
    // While the link is down r1 cannot resolve h2 and says so.
    assert!(p.errors >= 1);
    // ip.src lists the outer header (the router) and the quoted one (h1's request).
    let unreachable = tshark_fields(
        &out.join("h1-eth0.pcap"),
        "icmp.type == 3 && icmp.code == 1",
        &["ip.src"],
    );
    assert_eq!(
        unreachable, ["10.0.1.1,10.0.1.10"; 4],
        "one per ping lost to the failed ARP"
    );
    let trace = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    assert!(trace.contains("link r1-h2 down"));
    assert!(trace.contains("link r1-h2 up"));
    assert!(trace.contains("icmp_seq=10 ttl=63"));
}

#[test]
fn traceroute_lists_each_router_on_the_path() {
    // Not a shipped file of its own: ping-router with a traceroute added by override.
    let out = scratch("traceroute");
    run_into(
        &root().join("scenarios/teaching/ping-router.ron"),
        &out,
        &[
            "--set",
            "nodes.h1.apps.0=Traceroute(to: \"10.0.2.10\", probes: 2)",
            // Without the ping, its expectation would fail.
            "--set",
            "expect=[]",
        ],
    );
    let trace = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    assert!(
        trace.contains("traceroute to 10.0.2.10 (10.0.2.10), 30 hops max, 60 byte packets"),
        "{trace}"
    );
    let hop = |n: &str| {
        trace
            .lines()
            .find(|l| l.contains("traceroute") && l.trim_end().contains(n))
            .map(str::to_string)
    };
    assert!(hop(" 1  10.0.1.1").is_some(), "{trace}");
    assert!(hop(" 2  10.0.2.10").is_some(), "{trace}");
    let probes = tshark_fields(
        &out.join("h1-eth0.pcap"),
        "udp.dstport >= 33434 && !icmp",
        &["ip.ttl", "udp.dstport"],
    );
    assert_eq!(probes, ["1,33434", "1,33435", "2,33436", "2,33437"]);
}

#[test]
fn every_shipped_scenario_has_an_end_to_end_test() {
    // tests/tcp.rs covers the TCP scenarios.
    let tested = [
        "ping-router",
        "ping-lan",
        "fragmentation",
        "link-failure",
        "tcp-handshake",
        "http-segmentation",
        "tcp-lost-syn",
        "tcp-simultaneous-open",
        "tcp-simultaneous-close",
        "tcp-zero-window",
        "tcp-closed-port",
        "tcp-keepalive",
        "syn-flood",
        "http10-vs-http11",
        // tests/dhcp.rs covers the DHCP, DNS and NAT scenarios.
        "dhcp-boot",
        "dhcp-exhaustion",
        "dhcp-lease",
        "dhcp-conflict",
        "home-gateway",
        // tests/tcp.rs and tests/validation.rs cover loss recovery and the dumbbell.
        "fast-retransmit",
        "sack-multiple-loss",
        "rto-backoff",
        "slow-start",
        "dumbbell",
        "reno-vs-cubic",
        "bufferbloat",
        // tests/bbr.rs covers BBR.
        "bbr-vs-cubic",
        // tests/sweep.rs covers the Mathis sweep (netsim sweep, and netsim run on its base point).
        "mathis-sweep",
        // The CI scenarios (scenarios/ci/), below; tests/expect.rs runs the first from the CLI.
        "handshake-regression",
        "dumbbell-fairness",
    ];
    for f in common::shipped_scenarios() {
        let name = f.file_stem().unwrap().to_string_lossy().into_owned();
        assert!(
            tested.contains(&name.as_str()),
            "{name}.ron has no end-to-end test"
        );
    }
}

/// A CI scenario (`scenarios/ci/`), run in memory with `overrides`.
fn ci(name: &str, overrides: &[&str]) -> netsim::RunOutcome {
    let file = root().join("scenarios/ci").join(format!("{name}.ron"));
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = Loaded::from_file(&file, &overrides).unwrap();
    netsim::run(&loaded, &RunOptions::in_memory()).unwrap()
}

/// The expectations that failed, by name.
fn failed(o: &netsim::RunOutcome) -> Vec<&str> {
    o.expectations
        .iter()
        .filter(|e| !e.passed)
        .map(|e| e.expectation.as_str())
        .collect()
}

#[test]
fn handshake_regression_pins_the_handshake_and_fails_when_it_moves() {
    let o = ci("handshake-regression", &[]);
    assert!(o.expectations_met(), "{:#?}", o.expectations);
    // Four 10 ms crossings, plus serialization at 10 Mbit/s of two 64-byte
    // ARP frames (51.2 us each) and two 70-byte SYNs (56 us each).
    assert_eq!(o.summary.flows[0].established_s, Some(1.0402144));
    // The SYN (the second frame) lost: sent again when the 1 s RTO that
    // started with it at 1 s expires, answered 20.112 ms later.
    let o = ci("handshake-regression", &["links.0.a_to_b.drop=[Nth(2)]"]);
    assert_eq!(
        failed(&o),
        [
            "handshake client->server:5001",
            "no RTO (all flows)",
            "retransmits (all flows)",
            "frames client-server a_to_b",
        ]
    );
    let handshake = &o.expectations[0];
    assert_eq!(
        (handshake.observed.as_str(), handshake.expected.as_str()),
        ("2.020112 s", "by 1.041000 s")
    );
    assert_eq!(o.expectations[4].observed, "7", "the SYN went twice");
}

#[test]
fn dumbbell_fairness_holds_for_two_newreno_flows_but_not_reno_against_cubic() {
    let o = ci("dumbbell-fairness", &[]);
    assert!(o.expectations_met(), "{:#?}", o.expectations);
    assert_eq!(o.expectations[0].observed, "0.983 over 2 flows");
    assert_eq!(o.expectations[1].observed, "98.0 %");
    // Jain's index from the summary's goodputs, by its formula.
    let x: Vec<f64> = o.summary.flows.iter().map(|f| f.goodput_bps).collect();
    let jain = (x[0] + x[1]).powi(2) / (2.0 * (x[0] * x[0] + x[1] * x[1]));
    assert_eq!(format!("{jain:.3}"), "0.983");
    // CUBIC takes more than its share from Reno: the check fails.
    let o = ci("dumbbell-fairness", &["cc_mix=[Reno, Cubic]"]);
    assert_eq!(failed(&o), ["Jain fairness s1->d1, s2->d2"]);
}
