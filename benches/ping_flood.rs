//! A ping flood through a router: the per-packet path of the whole stack
//! (link serialization, ARP cache hit, forwarding with TTL decrement, ICMP echo).
//!
//! `cargo bench --bench ping_flood`. Reports simulated events per second of
//! wall time; the run writes no output files, as a sweep would not.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netsim::{Loaded, RunOptions};

/// h1 floods h2 through r1: 20 000 echo requests 10 us apart on 1 Gbit/s links.
const FLOOD: &str = r#"Scenario(
    name: "ping-flood",
    stop: "1s",
    nodes: [
        Host(name: "h1", interfaces: [Interface(name: "eth0", address: "10.0.1.10/24")],
             gateway: "10.0.1.1",
             apps: [Ping(to: "10.0.2.10", count: 20000, interval: "10us", start: "1ms", timeout: "100ms")]),
        Router(name: "r1", interfaces: [Interface(name: "eth0", address: "10.0.1.1/24"),
                                        Interface(name: "eth1", address: "10.0.2.1/24")]),
        Host(name: "h2", interfaces: [Interface(name: "eth0", address: "10.0.2.10/24")],
             gateway: "10.0.2.1"),
    ],
    links: [
        Link(a: "h1:eth0", b: "r1:eth0", rate: "1Gbps", delay: "50us"),
        Link(a: "r1:eth1", b: "h2:eth0", rate: "1Gbps", delay: "50us"),
    ],
)"#;

fn ping_flood(c: &mut Criterion) {
    let loaded = Loaded::from_str(FLOOD, "ping-flood.ron", &[]).expect("valid scenario");
    let events = netsim::run(&loaded, &RunOptions::in_memory())
        .expect("runs")
        .stats
        .events;
    let mut group = c.benchmark_group("ping_flood");
    group.throughput(Throughput::Elements(events));
    group.sample_size(20);
    group.bench_function("20k_pings_through_a_router", |b| {
        b.iter(|| netsim::run(&loaded, &RunOptions::in_memory()).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, ping_flood);
criterion_main!(benches);
