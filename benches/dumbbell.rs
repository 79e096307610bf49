//! The dumbbell experiment of `scenarios/experiments/dumbbell.ron`, 60 simulated seconds at
//! 100 Mbit/s, with 1 flow and with 10 flows (NewReno), and with 1 BBR flow
//! (paced, with delivery-rate samples), without output files (as a sweep
//! runs it). Reports simulated events per second of wall time; the wall time
//! per run is criterion's "time".
//!
//! `cargo bench --bench dumbbell`

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use netsim::{Loaded, RunOptions};

fn dumbbell(c: &mut Criterion) {
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/experiments/dumbbell.ron");
    let mut group = c.benchmark_group("dumbbell_60s");
    group.sample_size(10);
    let cases = [
        ("1_flows", vec!["flows=1"]),
        ("10_flows", vec!["flows=10"]),
        ("1_flow_bbr", vec!["flows=1", "cc=bbr"]),
    ];
    for (name, overrides) in cases {
        let overrides: Vec<String> = overrides.into_iter().map(String::from).collect();
        let loaded = Loaded::from_file(&file, &overrides).expect("valid scenario");
        let events = netsim::run(&loaded, &RunOptions::in_memory())
            .expect("runs")
            .stats
            .events;
        group.throughput(Throughput::Elements(events));
        group.bench_function(name, |b| {
            b.iter(|| netsim::run(&loaded, &RunOptions::in_memory()).expect("runs"))
        });
    }
    group.finish();
}

criterion_group!(benches, dumbbell);
criterion_main!(benches);
