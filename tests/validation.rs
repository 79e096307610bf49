//! TCP against the published models, on the dumbbell (deterministic seeds).
//!
//! Mathis et al. (1997): goodput = MSS/RTT · C/√p. With appropriate byte
//! counting (RFC 3465, which netsim's TCP does, as Linux does) the window grows
//! by one segment per round trip whether or not ACKs are delayed, so C is
//! √(3/2) — the delayed-ACK constant √(3/4) applies to packet-counting TCPs.

use netsim::{AppStats, Loaded, RunOptions};

const MSS: f64 = 1460.0;

fn dumbbell(overrides: &[String]) -> netsim::RunOutcome {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments/dumbbell.ron");
    let loaded = Loaded::from_file(&file, overrides).unwrap();
    netsim::run(&loaded, &RunOptions::in_memory()).unwrap()
}

/// Goodput of each flow in bit/s over `secs` seconds of transfer.
fn goodputs(o: &netsim::RunOutcome, secs: f64) -> Vec<f64> {
    o.apps
        .iter()
        .filter_map(|(_, a)| match a {
            AppStats::Sink(k) => {
                assert_eq!(k.mismatched, 0);
                Some(k.bytes as f64 * 8.0 / secs)
            }
            _ => None,
        })
        .collect()
}

#[test]
fn newreno_goodput_follows_the_mathis_model() {
    // RTT: 2 × (20 ms bottleneck + 2 × 1 ms access) plus serialization ≈ 42.2 ms.
    let rtt = 0.0422;
    for p in [0.001, 0.005, 0.01] {
        let mut total = 0.0;
        let seeds = [1, 2, 3, 4];
        for seed in seeds {
            let o = dumbbell(&[
                format!("loss=Bernoulli(p: {p})"),
                format!("seed={seed}"),
                "stop=41s".into(),
            ]);
            total += goodputs(&o, 40.0)[0];
        }
        let mean = total / seeds.len() as f64;
        let mathis = MSS * 8.0 / rtt * (3.0_f64 / (2.0 * p)).sqrt();
        let ratio = mean / mathis;
        assert!(
            (0.8..=1.2).contains(&ratio),
            "p = {p}: goodput {mean:.0} bit/s is {ratio:.2} of Mathis {mathis:.0}"
        );
    }
}

#[test]
fn two_newreno_flows_share_fairly_and_fill_the_bottleneck() {
    // 20 Mbit/s, RTT 42 ms: BDP = 105 000 bytes = 72 packets of 1460; buffer = BDP.
    let o = dumbbell(&[
        "flows=2".into(),
        "bottleneck_rate=20Mbps".into(),
        "queue=DropTail(limit: \"72p\")".into(),
        "stop=61s".into(),
    ]);
    let g = goodputs(&o, 60.0);
    let (sum, sq): (f64, f64) = (g.iter().sum(), g.iter().map(|x| x * x).sum());
    let jain = sum * sum / (g.len() as f64 * sq);
    assert!(jain >= 0.95, "Jain fairness {jain:.3} for {g:?}");
    // Goodput excludes headers: 1460 of every 1518 bytes on the wire carry data.
    let utilisation = sum / 20e6 / (1460.0 / 1518.0);
    assert!(utilisation >= 0.95, "bottleneck {utilisation:.3} utilised");
}

#[test]
fn the_dumbbell_takes_flows_and_cc_from_the_command_line() {
    let o = dumbbell(&[
        "flows=4".into(),
        "cc=cubic".into(),
        "stop=6s".into(),
        "bottleneck_rate=20Mbps".into(),
    ]);
    let g = goodputs(&o, 5.0);
    assert_eq!(g.len(), 4, "four receivers");
    assert!(g.iter().all(|&x| x > 1e6), "every flow moves data: {g:?}");
    // Every sender names its congestion control in the trace of a real run; here
    // the in-memory run shows four bulk senders.
    let senders = o
        .apps
        .iter()
        .filter(|(_, a)| matches!(a, AppStats::Bulk(_)))
        .count();
    assert_eq!(senders, 4);
}

fn scenario(name: &str, overrides: &[&str]) -> netsim::RunOutcome {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("scenarios/teaching/{name}.ron"));
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = Loaded::from_file(&file, &overrides).unwrap();
    netsim::run(&loaded, &RunOptions::in_memory()).unwrap()
}

#[test]
fn cubic_takes_the_larger_share_from_reno() {
    let o = scenario("reno-vs-cubic", &["stop=31s"]);
    let g = goodputs(&o, 30.0);
    assert!(g[1] > 1.5 * g[0], "CUBIC {} against Reno {}", g[1], g[0]);
    assert!(g[0] > 5e6, "Reno is not starved: {}", g[0]);
}

#[test]
fn codel_keeps_the_queueing_delay_down_where_droptail_bloats() {
    let mean_rtt_ms = |overrides: &[&str]| {
        let o = scenario("bufferbloat", overrides);
        let p = o
            .apps
            .iter()
            .find_map(|(_, a)| match a {
                AppStats::Ping(p) => Some(p.clone()),
                _ => None,
            })
            .unwrap();
        // Skip the first 5 s (slow start fills the queue).
        let late: Vec<u64> = p.rtts.iter().skip(50).map(|d| d.as_nanos()).collect();
        late.iter().sum::<u64>() as f64 / late.len() as f64 / 1e6
    };
    let droptail = mean_rtt_ms(&["stop=20s"]);
    let codel = mean_rtt_ms(&["stop=20s", "queue=CoDel(limit: \"1000p\")"]);
    assert!(droptail > 200.0, "DropTail: mean RTT {droptail:.1} ms");
    assert!(codel < 80.0, "CoDel: mean RTT {codel:.1} ms");
}
