//! `make_sinks` end to end: a short ping story through every sink.

mod common;

use std::fs;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::*;
use protocols::trace::{ArpEvent, Detail, DropReason, Dropped, Event, Tracer, events};
use reports::{CaptureFilter, OutputConfig, make_sinks};
use sim_core::SimTime;

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "netsim-reports-outputs-{test}-{}",
        std::process::id()
    ));
    let _ = fs::remove_dir_all(&dir);
    dir
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    v.sort();
    v
}

/// h1 resolves r1, pings h2 through it, gets a reply line; a second ping is dropped.
fn ping_story(tracer: &mut Tracer) {
    let t = SimTime::from_nanos;
    let req = arp_request();
    let rep = arp_reply();
    let r1 = Ipv4Addr::new(10, 0, 1, 1);
    let at_h1 = ip_frame(H1_ETH0, R1_ETH0, echo_packet(64));
    let fwd = echo_packet(63);
    let at_r1 = ip_frame(R1_ETH1, H2_ETH0, fwd.clone());
    tracer.emit(
        t(1_000_000_000),
        Event::Arp(events::Arp {
            node: H1,
            iface: H1_ETH0,
            event: ArpEvent::Request { ip: r1, attempt: 1 },
        }),
    );
    tracer.emit(
        t(1_000_000_000),
        Event::Tx(events::Tx {
            iface: H1_ETH0,
            frame: &req,
        }),
    );
    tracer.emit(
        t(1_000_102_400),
        Event::Rx(events::Rx {
            iface: R1_ETH0,
            frame: &req,
        }),
    );
    tracer.emit(
        t(1_000_102_400),
        Event::Tx(events::Tx {
            iface: R1_ETH0,
            frame: &rep,
        }),
    );
    tracer.emit(
        t(1_000_204_800),
        Event::Rx(events::Rx {
            iface: H1_ETH0,
            frame: &rep,
        }),
    );
    tracer.emit(
        t(1_000_204_800),
        Event::Arp(events::Arp {
            node: H1,
            iface: H1_ETH0,
            event: ArpEvent::Resolved {
                ip: r1,
                mac: mac(R1_ETH0),
            },
        }),
    );
    tracer.emit(
        t(1_000_204_800),
        Event::Tx(events::Tx {
            iface: H1_ETH0,
            frame: &at_h1,
        }),
    );
    tracer.emit(
        t(1_001_234_000),
        Event::Rx(events::Rx {
            iface: R1_ETH0,
            frame: &at_h1,
        }),
    );
    tracer.emit(
        t(1_001_234_000),
        Event::Forward(events::Forward {
            node: R1,
            from: R1_ETH0,
            to: R1_ETH1,
            packet: &fwd,
        }),
    );
    tracer.emit(
        t(1_001_234_000),
        Event::Tx(events::Tx {
            iface: R1_ETH1,
            frame: &at_r1,
        }),
    );
    tracer.emit(
        t(1_002_000_000),
        Event::Rx(events::Rx {
            iface: H2_ETH0,
            frame: &at_r1,
        }),
    );
    tracer.emit(
        t(1_004_210_000),
        Event::App(events::App {
            node: H1,
            app: "ping",
            text: "64 bytes from 10.0.2.10: icmp_seq=1 ttl=63 time=4.21 ms",
        }),
    );
    tracer.emit(
        t(2_500_000_000),
        Event::Drop(events::Drop {
            node: R1,
            iface: Some(R1_ETH1),
            what: Dropped::Frame(&at_r1),
            reason: &DropReason::QueueFull,
        }),
    );
}

fn run(cfg: &OutputConfig) {
    let sinks = make_sinks(cfg, Arc::new(router_topology()), &provenance()).unwrap();
    let mut tracer = Tracer::new(sinks);
    ping_story(&mut tracer);
    for mut sink in tracer.into_sinks() {
        sink.finish().unwrap();
    }
}

const TRACE: &str = "\
# netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0
# time  node  iface  kind  summary; kinds: > sent, < received, + queued, x dropped, fwd forwarded, frag fragmented/reassembled, arp, mac learned, link, or the application
1.000000000  h1  eth0  arp  who-has 10.0.1.1
1.000000000  h1  eth0  >    ARP, Request who-has 10.0.1.1 tell 10.0.1.10
1.000102400  r1  eth0  <    ARP, Request who-has 10.0.1.1 tell 10.0.1.10
1.000102400  r1  eth0  >    ARP, Reply 10.0.1.1 is-at 02:00:00:00:00:02
1.000204800  h1  eth0  <    ARP, Reply 10.0.1.1 is-at 02:00:00:00:00:02
1.000204800  h1  eth0  arp  10.0.1.1 is-at 02:00:00:00:00:02
1.000204800  h1  eth0  >    IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 64, id 1
1.001234000  r1  eth0  <    IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 64, id 1
1.001234000  r1  eth1  fwd  IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63, id 1 (from eth0)
1.001234000  r1  eth1  >    IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63, id 1
1.002000000  h2  eth0  <    IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63, id 1
1.004210000  h1  *     ping 64 bytes from 10.0.2.10: icmp_seq=1 ttl=63 time=4.21 ms
2.500000000  r1  eth1  x    IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 1, seq 1, length 64, ttl 63, id 1 DROP: queue full
";

#[test]
fn every_output_is_written_and_nothing_else() {
    let dir = scratch("all");
    run(&OutputConfig::new(&dir));
    assert_eq!(
        names(&dir),
        [
            "captures.json",
            "events.jsonl",
            "h1-eth0.pcap",
            "h2-eth0.pcap",
            "plots.json",
            // The drop at the end of TRACE goes into the link's queue series
            // and gets a queue plot.
            "queue-l1-a_to_b.csv",
            "queue-l1-a_to_b.png",
            "queue-l1-a_to_b.svg",
            "r1-eth0.pcap",
            "r1-eth1.pcap",
            "series.json",
            "topology.svg",
            "trace.txt"
        ]
    );
    assert_eq!(fs::read_to_string(dir.join("trace.txt")).unwrap(), TRACE);

    let events = fs::read_to_string(dir.join("events.jsonl")).unwrap();
    let lines: Vec<serde_json::Value> = events
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1 + 13);
    assert_eq!(lines[0]["provenance"]["scenario"], "ping-router");
    let kinds: Vec<&str> = lines[1..]
        .iter()
        .map(|v| v["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "arp", "tx", "rx", "tx", "rx", "arp", "tx", "rx", "forward", "tx", "rx", "app", "drop"
        ]
    );
    assert_eq!(lines[13]["reason"], "queue-full");

    let manifest: reports::CaptureManifest =
        serde_json::from_str(&fs::read_to_string(dir.join("captures.json")).unwrap()).unwrap();
    let frames: Vec<(&str, u64)> = manifest
        .captures
        .iter()
        .map(|c| (c.file.as_str(), c.frames))
        .collect();
    assert_eq!(
        frames,
        [
            ("h1-eth0.pcap", 3),
            ("r1-eth0.pcap", 3),
            ("r1-eth1.pcap", 1),
            ("h2-eth0.pcap", 1)
        ]
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn summary_detail_thins_the_trace_but_not_the_captures() {
    let dir = scratch("summary");
    let cfg = OutputConfig {
        detail: Detail::Summary,
        capture: CaptureFilter::Ifaces(vec![R1_ETH1, R1_ETH1]),
        events: false,
        series_interval: None,
        plots: false,
        ..OutputConfig::new(&dir)
    };
    run(&cfg);
    assert_eq!(
        names(&dir),
        ["captures.json", "r1-eth1.pcap", "topology.svg", "trace.txt"]
    );
    let trace = fs::read_to_string(dir.join("trace.txt")).unwrap();
    let kinds: Vec<&str> = trace
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().nth(3).unwrap())
        .collect();
    assert_eq!(kinds, ["arp", "ping", "x"]);
    let pcap = fs::read(dir.join("r1-eth1.pcap")).unwrap();
    assert_eq!(
        pcap.len(),
        24 + 16 + 98,
        "header, one record header, one ping frame"
    );
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn trace_limit_applies_to_trace_and_events() {
    let dir = scratch("limit");
    let cfg = OutputConfig {
        trace_limit: 4,
        capture: CaptureFilter::Off,
        series_interval: None,
        plots: false,
        ..OutputConfig::new(&dir)
    };
    run(&cfg);
    assert_eq!(names(&dir), ["events.jsonl", "topology.svg", "trace.txt"]);
    let trace = fs::read_to_string(dir.join("trace.txt")).unwrap();
    let expected: Vec<&str> = TRACE.lines().take(2 + 4).collect();
    assert_eq!(
        trace,
        format!(
            "{}\n# trace truncated at 4 lines (raise outputs.trace_limit, 0 = unlimited)\n",
            expected.join("\n")
        )
    );
    let events = fs::read_to_string(dir.join("events.jsonl")).unwrap();
    assert_eq!(events.lines().count(), 1 + 4 + 1);
    assert_eq!(events.lines().last().unwrap(), r#"{"truncated_at":4}"#);
    fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn same_events_give_identical_bytes() {
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    run(&OutputConfig::new(&a));
    run(&OutputConfig::new(&b));
    for name in names(&a) {
        assert_eq!(
            fs::read(a.join(&name)).unwrap(),
            fs::read(b.join(&name)).unwrap(),
            "{name}"
        );
    }
    assert_eq!(names(&a), names(&b));
    fs::remove_dir_all(&a).unwrap();
    fs::remove_dir_all(&b).unwrap();
}

#[test]
fn a_run_that_never_finishes_leaves_an_empty_directory() {
    let dir = scratch("abandoned");
    let sinks = make_sinks(
        &OutputConfig::new(&dir),
        Arc::new(router_topology()),
        &provenance(),
    )
    .unwrap();
    let mut tracer = Tracer::new(sinks);
    ping_story(&mut tracer);
    drop(tracer);
    assert!(names(&dir).is_empty(), "left behind: {:?}", names(&dir));
    fs::remove_dir_all(&dir).unwrap();
}
