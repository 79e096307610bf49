//! TCP over a hostile link: random seeds with loss (up to 30%), duplication,
//! reordering and corruption in both directions. Whatever happens, the
//! receiver gets exactly the sender's bytes, in order, and the connection ends
//! in a defined state (closed, or dropped with a traced reason), never hung.

use netsim::{AppStats, Loaded, RunOptions};
use proptest::prelude::*;

fn scenario(loss: f64, dup: f64, reorder: f64, corrupt: f64, bytes: u32) -> String {
    let dir = format!(
        "Direction(loss: Bernoulli(p: {loss}), duplicate: {dup}, reorder: {reorder}, corrupt: {corrupt})"
    );
    format!(
        r#"Scenario(
    name: "lossy",
    stop: "1500s",
    nodes: [
        Host(name: "a", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")],
             apps: [BulkSend(to: "10.0.0.2:5001", bytes: "{bytes}B", start: "1s")],
             arp: Arp(timeout: "1h", retries: 20)),
        Host(name: "b", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")],
             apps: [Sink(port: 5001)], arp: Arp(timeout: "1h", retries: 20)),
    ],
    links: [Link(a: "a:eth0", b: "b:eth0", rate: "10Mbps", delay: "5ms", a_to_b: {dir}, b_to_a: {dir})],
)"#
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn delivered_stream_equals_sent_stream(
        seed in 1u64..10_000,
        loss in 0.0f64..0.3,
        dup in 0.0f64..0.05,
        reorder in 0.0f64..0.05,
        corrupt in 0.0f64..0.02,
        bytes in 1u32..60_000,
    ) {
        let text = scenario(loss, dup, reorder, corrupt, bytes);
        let loaded = Loaded::from_str(&text, "lossy.ron", &[]).unwrap();
        let opts = RunOptions { seed: Some(seed), ..RunOptions::in_memory() };
        let o = netsim::run(&loaded, &opts).unwrap();
        let AppStats::Bulk(a) = &o.apps[0].1 else { panic!() };
        let AppStats::Sink(b) = &o.apps[1].1 else { panic!() };
        prop_assert_eq!(b.mismatched, 0, "corrupted or misordered bytes reached the application");
        prop_assert!(b.bytes <= u64::from(bytes));
        // The sender's connection ended: closed normally or dropped with a reason.
        prop_assert!(a.closed_at.is_some(), "connection still open at the end: {:?}", a);
        if !a.error {
            prop_assert_eq!(b.bytes, u64::from(bytes), "a clean close means every byte arrived");
        }
    }
}
