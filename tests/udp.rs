//! UDP applications end to end: a constant-bit-rate sender into a sink across
//! a link that loses and delays, an on/off sender against an echo server, and
//! datagrams to a closed port answered with ICMP port unreachable.

use netsim::protocols::apps::udp::UdpSendStats;
use netsim::protocols::apps::udp_sink::UdpSinkStats;
use netsim::{AppStats, Loaded, RunOptions};

const UDP: &str = r#"Scenario(
    name: "udp",
    stop: "5s",
    nodes: [
        Host(name: "a", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")],
             apps: [
                 UdpCbr(to: "10.0.0.2:9", rate: "800kbps", size: 1000, count: 100),
                 UdpOnOff(to: "10.0.0.2:7", rate: "80kbps", size: 100, on: "100ms", off: "400ms", duration: "1s"),
                 UdpCbr(to: "10.0.0.2:5000", rate: "80kbps", size: 100, count: 3, start: "3s"),
             ]),
        Host(name: "b", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")],
             apps: [UdpSink(port: 9), UdpEcho(port: 7)]),
    ],
    links: [Link(a: "a:eth0", b: "b:eth0", rate: "100Mbps", delay: "2ms",
                 a_to_b: Direction(jitter: "500us", drop: [Nth(10), Nth(20), Nth(30)]))],
)"#;

fn stats() -> Vec<(String, AppStats)> {
    let loaded = Loaded::from_str(UDP, "udp.ron", &[]).unwrap();
    netsim::run(&loaded, &RunOptions::in_memory()).unwrap().apps
}

fn sender(apps: &[(String, AppStats)], k: usize) -> UdpSendStats {
    match &apps[k].1 {
        AppStats::UdpSend(s) => s.clone(),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_sink_counts_loss_and_measures_rfc3550_jitter() {
    let apps = stats();
    let cbr = sender(&apps, 0);
    assert_eq!((cbr.sent, cbr.bytes), (100, 100_000));
    let AppStats::UdpSink(UdpSinkStats {
        received,
        expected,
        lost,
        duplicates,
        jitter_ns,
        max_delay_ns,
        ..
    }) = apps[3].1.clone()
    else {
        panic!("{:?}", apps[3])
    };
    // The 10th, 20th and 30th frames on the link are dropped: the first is the
    // ARP request, so three datagrams of the first thirty are lost (the ARP
    // reply goes the other way).
    assert_eq!(expected, 100);
    assert_eq!((received, lost, duplicates), (97, 3, 0));
    // Jitter of up to 500 us on each datagram: the RFC 3550 estimate is well
    // above zero and below the jitter bound.
    assert!((50_001..500_000).contains(&jitter_ns), "{jitter_ns}");
    // The first datagram waited for ARP (a 2 ms round trip at least) on top of
    // its own 2 ms: the largest delay.
    assert!(
        (4_000_000..7_000_000).contains(&max_delay_ns),
        "{max_delay_ns}"
    );
}

#[test]
fn an_on_off_sender_gets_its_datagrams_echoed() {
    let apps = stats();
    let onoff = sender(&apps, 1);
    // Two on periods of 100 ms in one second at 100 datagrams per second.
    assert_eq!(onoff.sent, 20);
    let AppStats::UdpEcho { echoed } = apps[4].1 else {
        panic!()
    };
    assert_eq!(onoff.echoed, echoed);
    assert!(echoed >= 17, "{echoed}");
}

#[test]
fn datagrams_to_a_closed_port_get_port_unreachable() {
    let apps = stats();
    let closed = sender(&apps, 2);
    assert_eq!((closed.sent, closed.errors), (3, 3));
}
