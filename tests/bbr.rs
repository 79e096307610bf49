//! BBR v1 and HyStart++ end to end, on the dumbbell and in
//! `scenarios/experiments/bbr-vs-cubic.ron`: what the goodputs, the queueing delay a
//! ping sees next to the flows, and the trace show.
//!
//! The path of these tests: 10 Mbit/s and 20 ms one way at the bottleneck,
//! 1 Gbit/s and 1 ms on the access links, so the base RTT is 2 × 22 ms plus
//! serialization, about 42-46 ms, and the BDP is about 36 packets. Goodput
//! counts data: of every 1518 bytes on the bottleneck, 1460 are data, so a
//! full link carries 9.62 Mbit/s of goodput.

mod common;

use std::path::Path;

use common::{root, scratch};
use netsim::{AppStats, Loaded, RunOptions, RunOutcome};

/// Data goodput of a full 10 Mbit/s bottleneck, bit/s.
const FULL: f64 = 10e6 * 1460.0 / 1518.0;

fn load(file: &str, overrides: &[&str]) -> Loaded {
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    Loaded::from_file(&root().join(file), &overrides).unwrap()
}

fn run(file: &str, overrides: &[&str]) -> RunOutcome {
    netsim::run(&load(file, overrides), &RunOptions::in_memory()).unwrap()
}

/// Runs with every output file written into a scratch directory.
fn run_with_outputs(name: &str, file: &str, overrides: &[&str]) -> std::path::PathBuf {
    let out = scratch(name);
    let opts = RunOptions {
        out_dir: Some(out.clone()),
        write_outputs: true,
        ..RunOptions::default()
    };
    netsim::run(&load(file, overrides), &opts).unwrap();
    out
}

/// Bytes each sink received, in flow order.
fn sink_bytes(o: &RunOutcome) -> Vec<u64> {
    o.apps
        .iter()
        .filter_map(|(_, a)| match a {
            AppStats::Sink(k) => {
                assert_eq!(k.mismatched, 0, "every byte as sent");
                Some(k.bytes)
            }
            _ => None,
        })
        .collect()
}

/// The ping's RTTs in milliseconds, in the order answered.
fn ping_rtts_ms(o: &RunOutcome) -> Vec<f64> {
    o.apps
        .iter()
        .find_map(|(_, a)| match a {
            AppStats::Ping(p) => Some(p.rtts.iter().map(|d| d.as_nanos() as f64 / 1e6).collect()),
            _ => None,
        })
        .expect("the dumbbell's ping")
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// One flow for 10 s (from 1 s to 11 s) through a 1000-packet DropTail
/// queue, 28 times the BDP, with a ping every 100 ms beside it.
fn one_flow(cc: &str) -> RunOutcome {
    run(
        "scenarios/experiments/dumbbell.ron",
        &[
            &format!("cc={cc}"),
            "bottleneck_rate=10Mbps",
            "queue=DropTail(limit: \"1000p\")",
            "ping=true",
            "stop=11s",
        ],
    )
}

#[test]
fn bbr_fills_the_bottleneck_without_filling_the_buffer() {
    let bbr = one_flow("bbr");
    let cubic = one_flow("cubic");
    // BBR: at least 90% of the link over the 10 s, Startup and Drain
    // included (its Startup takes about 0.7 s).
    let goodput = sink_bytes(&bbr)[0] as f64 * 8.0 / 10.0;
    assert!(
        goodput >= 0.9 * FULL,
        "BBR goodput {goodput:.0} bit/s, {:.3} of the link",
        goodput / FULL
    );
    // The queueing delay the ping sees once both are past slow start (the
    // answers from 3 s on). BBR paces at its bandwidth estimate and keeps
    // in flight about one BDP (at most 5/4 of it while probing, a quarter
    // of a 42 ms RTT more): the mean RTT stays below 1.5 × the base RTT,
    // 65 ms. CUBIC grows its window until the 1000 packets are full, 1.2 s
    // of queue at 10 Mbit/s: its mean is above 5 × the base RTT, 210 ms.
    let late = |o: &RunOutcome| mean(&ping_rtts_ms(o)[20..]);
    let (rtt_bbr, rtt_cubic) = (late(&bbr), late(&cubic));
    assert!(rtt_bbr < 65.0, "BBR: mean ping RTT {rtt_bbr:.1} ms");
    assert!(rtt_cubic > 210.0, "CUBIC: mean ping RTT {rtt_cubic:.1} ms");
    // And BBR's largest queue on the bottleneck stays far below the buffer,
    // which CUBIC fills.
    let max_queue = |o: &RunOutcome| {
        o.links
            .iter()
            .find(|(name, _)| name == "bottleneck")
            .map(|(_, d)| d[0].max_queue)
            .unwrap()
    };
    assert!(max_queue(&bbr) < 150, "BBR queue {}", max_queue(&bbr));
    assert_eq!(max_queue(&cubic), 1000, "CUBIC fills the buffer");
}

#[test]
fn a_bbr_run_is_deterministic() {
    let a = one_flow("bbr");
    let b = one_flow("bbr");
    assert_eq!(a.stats.events, b.stats.events);
    assert_eq!(sink_bytes(&a), sink_bytes(&b));
    assert_eq!(ping_rtts_ms(&a), ping_rtts_ms(&b));
}

/// The trace lines of a run (events.jsonl), as (kind, tcp key, summary, time in ns).
fn events(out: &Path) -> Vec<(String, String, String, u64)> {
    std::fs::read_to_string(out.join("events.jsonl"))
        .unwrap()
        .lines()
        .skip(1)
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or("").to_string();
            (
                s("kind"),
                s("tcp"),
                s("summary"),
                e["t_ns"].as_u64().unwrap_or(0),
            )
        })
        .collect()
}

#[test]
fn hystart_ends_slow_start_before_the_deep_buffer_overflows() {
    // 4 s through the 1000-packet queue, timestamps on: HyStart++ needs an
    // RTT sample on (nearly) every ACK, 8 per round (RFC 9406 §4.3).
    let overrides = |cc: &'static str| {
        [
            cc,
            "bottleneck_rate=10Mbps",
            "queue=DropTail(limit: \"1000p\")",
            "tcp.timestamps=true",
            "stop=4s",
        ]
    };
    let out = run_with_outputs(
        "bbr-hystart",
        "scenarios/experiments/dumbbell.ron",
        &overrides("cc=cubic-hystart"),
    );
    let ev = events(&out);
    let notes: Vec<&(String, String, String, u64)> =
        ev.iter().filter(|e| e.0 == "tcp" && e.1 == "cc").collect();
    assert_eq!(notes.len(), 2, "{notes:?}");
    assert!(
        notes[0]
            .2
            .starts_with("slow start ends: HyStart++ saw the RTT rise"),
        "{}",
        notes[0].2
    );
    assert!(
        notes[1]
            .2
            .starts_with("HyStart++: conservative slow start done, congestion avoidance"),
        "{}",
        notes[1].2
    );
    // Within half a second of the start: a few round trips of slow start.
    assert!(notes[0].3 < 1_500_000_000, "at {} ns", notes[0].3);
    // Nothing was dropped or recovered in the whole run.
    assert!(!ev.iter().any(|e| e.0 == "drop"), "a drop with HyStart++");
    assert!(!ev.iter().any(|e| e.1 == "recovery-start"));

    // Plain slow start doubles until the buffer overflows: drops, then
    // SACK recovery, and no HyStart++ note.
    let out = run_with_outputs(
        "bbr-no-hystart",
        "scenarios/experiments/dumbbell.ron",
        &overrides("cc=cubic"),
    );
    let ev = events(&out);
    assert!(!ev.iter().any(|e| e.1 == "cc"));
    let first_drop = ev.iter().find(|e| e.0 == "drop").expect("a drop").3;
    let recovery = ev
        .iter()
        .find(|e| e.1 == "recovery-start")
        .expect("loss recovery");
    assert_eq!(recovery.2, "SACK-based loss recovery begins (RFC 6675)");
    assert!(first_drop < recovery.3);
}

/// Goodput of each flow of `bbr-vs-cubic.ron` over its own lifetime (flow 1
/// from 1 s, flow 2 from 6 s, to the end at 35 s), bit/s.
fn shares(o: &RunOutcome) -> (f64, f64) {
    let b = sink_bytes(o);
    (b[0] as f64 * 8.0 / 34.0, b[1] as f64 * 8.0 / 29.0)
}

#[test]
fn bbr_vs_cubic_cubic_takes_the_deep_buffer_bbr_the_shallow_one() {
    let o = run("scenarios/experiments/bbr-vs-cubic.ron", &[]);
    let (bbr, cubic) = shares(&o);
    // Deep buffer (300 packets, 8 BDP): CUBIC fills it and takes about two
    // thirds; BBR's window is capped at 2 × BtlBw × RTprop and gets the rest.
    assert!(cubic > 1.5 * bbr, "CUBIC {cubic:.0} vs BBR {bbr:.0} bit/s");
    assert!(bbr > 0.15 * FULL, "BBR is not starved: {bbr:.0}");
    assert!(bbr + cubic > 0.9 * FULL, "the link stays full");
    // The ping: BBR alone after its Startup (answers 20-49, 3 s to 6 s)
    // keeps the RTT near the base, below 1.5 × 42 ms as in the test above;
    // once CUBIC joins the queue stands at hundreds of ms (answers from
    // 11 s on, or a little earlier if pings were lost).
    let rtts = ping_rtts_ms(&o);
    let (alone, shared) = (mean(&rtts[20..50]), mean(&rtts[100..]));
    assert!(alone < 65.0, "BBR alone: {alone:.1} ms");
    assert!(shared > 200.0, "with CUBIC: {shared:.1} ms");
    // Shallow buffer (50 packets, 1.4 BDP): CUBIC's losses halve its window
    // again and again while BBR, which ignores loss, takes the larger share.
    let o = run(
        "scenarios/experiments/bbr-vs-cubic.ron",
        &["queue=DropTail(limit: \"50p\")"],
    );
    let (bbr, cubic) = shares(&o);
    assert!(bbr > 1.5 * cubic, "BBR {bbr:.0} vs CUBIC {cubic:.0} bit/s");
}
