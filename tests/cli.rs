//! The command line as a user meets it: exit codes, error messages for bad
//! input, determinism of every output, and captures that tshark accepts.

mod common;

use std::path::Path;

use common::{files, netsim, root, run_into, scratch, shipped_scenarios, tshark_frames};

#[test]
fn run_prints_the_trace_and_writes_outputs() {
    let out = scratch("cli-run");
    let o = netsim(&[
        "run",
        "scenarios/teaching/ping-router.ron",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    let stdout = String::from_utf8(o.stdout).unwrap();
    assert!(
        stdout.contains("ARP, Request who-has 10.0.1.1 tell 10.0.1.10"),
        "{stdout}"
    );
    assert!(
        stdout.contains("64 bytes from 10.0.2.10: icmp_seq=1 ttl=63"),
        "{stdout}"
    );
    assert!(
        stdout.contains("4 packets transmitted, 4 received, 0% packet loss"),
        "{stdout}"
    );
    let names: Vec<String> = files(&out).into_iter().map(|(n, _)| n).collect();
    assert_eq!(
        names,
        [
            "captures.json",
            "events.jsonl",
            "h1-eth0.pcap",
            "h2-eth0.pcap",
            "queue-h1-r1-a_to_b.csv",
            "queue-h1-r1-b_to_a.csv",
            "queue-r1-h2-a_to_b.csv",
            "queue-r1-h2-b_to_a.csv",
            "r1-eth0.pcap",
            "r1-eth1.pcap",
            "report.html",
            "series.json",
            "summary.json",
            "topology.svg",
            "trace.txt"
        ]
    );
}

#[test]
fn quiet_prints_nothing_and_check_validates_without_running() {
    let out = scratch("cli-quiet");
    let o = netsim(&[
        "run",
        "scenarios/teaching/ping-router.ron",
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert!(o.stdout.is_empty() && o.stderr.is_empty());
    let o = netsim(&["check", "scenarios/teaching/ping-router.ron"]);
    assert!(o.status.success());
    assert!(String::from_utf8(o.stdout).unwrap().contains("ok"));
}

#[test]
fn every_output_records_its_provenance() {
    let out = scratch("cli-provenance");
    run_into(
        &root().join("scenarios/teaching/ping-router.ron"),
        &out,
        &["--seed", "7"],
    );
    let trace = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    let first = trace.lines().next().unwrap();
    assert!(
        first.starts_with(&format!(
            "# netsim {} scenario ping-router hash ",
            env!("CARGO_PKG_VERSION")
        )),
        "{first}"
    );
    assert!(first.ends_with("seed 7 run 0"), "{first}");
    let events = std::fs::read_to_string(out.join("events.jsonl")).unwrap();
    let prov: serde_json::Value = serde_json::from_str(events.lines().next().unwrap()).unwrap();
    assert_eq!(prov["provenance"]["seed"], 7);
    assert_eq!(prov["provenance"]["run_index"], 0);
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("captures.json")).unwrap()).unwrap();
    assert_eq!(manifest["provenance"]["scenario"], "ping-router");
}

#[test]
fn until_and_set_change_the_run() {
    let out = scratch("cli-until");
    run_into(
        &root().join("scenarios/teaching/ping-router.ron"),
        &out,
        &["--until", "2.5s", "--set", "nodes.h1.apps.0.count=10"],
    );
    let trace = std::fs::read_to_string(out.join("trace.txt")).unwrap();
    assert!(trace.contains("icmp_seq=2 "));
    assert!(!trace.contains("icmp_seq=3 "), "stopped at 2.5 s");
}

/// Same scenario, same seed: byte-identical files, for every shipped scenario.
#[test]
fn every_shipped_scenario_is_deterministic() {
    for scenario in shipped_scenarios() {
        let name = scenario.file_stem().unwrap().to_string_lossy().into_owned();
        let a = scratch(&format!("det-a-{name}"));
        let b = scratch(&format!("det-b-{name}"));
        run_into(&scenario, &a, &[]);
        run_into(&scenario, &b, &[]);
        let (fa, fb) = (files(&a), files(&b));
        assert!(!fa.is_empty());
        assert_eq!(fa.len(), fb.len(), "{name}");
        for ((na, ba), (nb, bb)) in fa.iter().zip(&fb) {
            assert_eq!(na, nb);
            assert!(
                ba == bb,
                "{name}: {na} differs between two runs with the same seed"
            );
        }
    }
}

#[test]
fn a_different_seed_changes_a_lossy_run() {
    let lossy = [
        "--set",
        "links.0.a_to_b.loss=Bernoulli(p: 0.3)",
        "--set",
        "nodes.h1.apps.0.count=30",
        "--until",
        "40s",
        // 30% loss fails the scenario's expectation of every ping answered.
        "--set",
        "expect=[]",
    ];
    let trace = |seed: &str| {
        let out = scratch(&format!("seed-{seed}"));
        let mut args = lossy.to_vec();
        args.extend(["--seed", seed]);
        run_into(
            &root().join("scenarios/teaching/ping-router.ron"),
            &out,
            &args,
        );
        let t = std::fs::read_to_string(out.join("trace.txt")).unwrap();
        t.lines()
            .filter(|l| l.contains("DROP: random loss"))
            .map(|l| l[..12].to_string())
            .collect::<Vec<_>>()
    };
    let (one, two) = (trace("1"), trace("2"));
    assert!(
        !one.is_empty() && !two.is_empty(),
        "30% loss drops something"
    );
    assert_ne!(one, two, "other seed, other losses");
    assert_eq!(one, trace("1"), "same seed, same losses");
}

/// Every capture of every shipped scenario parses in tshark with checksum
/// validation on: no malformed frame, no expert error or warning.
#[test]
fn tshark_accepts_every_capture() {
    for scenario in shipped_scenarios() {
        let name = scenario.file_stem().unwrap().to_string_lossy().into_owned();
        let out = scratch(&format!("tshark-{name}"));
        run_into(&scenario, &out, &[]);
        let mut pcaps = 0;
        for (file, _) in files(&out) {
            if !file.ends_with(".pcap") {
                continue;
            }
            pcaps += 1;
            for line in tshark_frames(&out.join(&file)) {
                let cols: Vec<&str> = line.split('\t').collect();
                assert!(
                    cols.len() >= 2 && cols[1].starts_with("eth:ethertype:"),
                    "{name}/{file}: {line}"
                );
                let expert = cols.get(2).copied().unwrap_or("");
                let malformed = cols.get(3).copied().unwrap_or("");
                assert!(
                    malformed.is_empty(),
                    "{name}/{file}: malformed frame: {line}"
                );
                assert!(
                    !expert.contains("checksum") && !expert.contains("Malformed"),
                    "{name}/{file}: {line}"
                );
            }
        }
        assert!(pcaps > 0, "{name} wrote no capture");
    }
}

// ---- bad input: exit code 2, a message naming file, line and column, nothing written ----

fn bad(text: &str, name: &str) -> (String, std::path::PathBuf) {
    let dir = scratch(&format!("bad-{name}"));
    let file = dir.join(format!("{name}.ron"));
    std::fs::write(&file, text).unwrap();
    let out = dir.join("out");
    let o = netsim(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{name}: exit code");
    assert!(o.stdout.is_empty(), "{name}: nothing on stdout");
    assert!(!out.exists(), "{name}: no output directory");
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert!(
        !stderr.contains("panicked") && !stderr.contains("backtrace"),
        "{stderr}"
    );
    (stderr, file)
}

const GOOD: &str = r#"Scenario(
    name: "t",
    nodes: [
        Host(name: "h1", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")]),
        Host(name: "h2", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")]),
    ],
    links: [Link(a: "h1:eth0", b: "h2:eth0")],
)"#;

fn with(from: &str, to: &str) -> String {
    assert!(GOOD.contains(from), "{from}");
    GOOD.replacen(from, to, 1)
}

#[test]
fn the_valid_base_of_the_bad_input_tests_runs() {
    let dir = scratch("bad-base");
    let file = dir.join("t.ron");
    std::fs::write(&file, GOOD).unwrap();
    let o = netsim(&["check", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn syntax_error_names_line_and_column() {
    let (err, file) = bad(&with("links: [", "links: [[["), "syntax");
    assert!(
        err.starts_with(&format!("error: {}:7:", file.display())),
        "{err}"
    );
}

#[test]
fn unknown_field_suggests_the_right_one() {
    let (err, file) = bad(&with("Link(a:", "Link(dealy: \"1ms\", a:"), "unknown-field");
    assert!(err.contains(&format!("{}:7:", file.display())), "{err}");
    assert!(err.contains("links[0]"), "{err}");
    assert!(
        err.contains("unknown field \"dealy\", did you mean \"delay\"?"),
        "{err}"
    );
}

#[test]
fn bad_unit_names_the_field_and_what_was_expected() {
    let (err, _) = bad(&with("Link(a:", "Link(rate: \"100Mbs\", a:"), "bad-unit");
    assert!(err.contains(":7:"), "{err}");
    assert!(err.contains("links[0].rate"), "{err}");
    assert!(err.contains("Mbps"), "names the accepted units: {err}");
}

#[test]
fn zero_bandwidth_is_rejected() {
    let (err, _) = bad(&with("Link(a:", "Link(rate: \"0bps\", a:"), "zero-rate");
    assert!(err.contains("links[0]") && err.contains("rate"), "{err}");
}

#[test]
fn unknown_node_in_a_link_is_named() {
    let (err, _) = bad(&with("b: \"h2:eth0\"", "b: \"h3:eth0\""), "unknown-node");
    assert!(err.contains(":7:"), "{err}");
    assert!(err.contains("\"h3\""), "{err}");
    assert!(
        err.contains("did you mean \"h2\"") || err.contains("h1, h2"),
        "{err}"
    );
}

#[test]
fn unknown_interface_in_a_link_is_named() {
    let (err, _) = bad(&with("b: \"h2:eth0\"", "b: \"h2:eth9\""), "unknown-iface");
    assert!(err.contains("eth9"), "{err}");
}

#[test]
fn duplicate_address_is_named() {
    let (err, _) = bad(&with("10.0.0.2/24", "10.0.0.1/24"), "dup-addr");
    assert!(
        err.contains("10.0.0.1") && err.contains("h1") && err.contains("h2"),
        "{err}"
    );
}

#[test]
fn interface_on_two_links_is_named() {
    let (err, _) = bad(
        &with(
            "links: [Link(a: \"h1:eth0\", b: \"h2:eth0\")]",
            "links: [Link(a: \"h1:eth0\", b: \"h2:eth0\"), Link(name: \"again\", a: \"h1:eth0\", b: \"h2:eth0\")]",
        ),
        "iface-twice",
    );
    assert!(err.contains("h1:eth0"), "{err}");
    assert!(err.contains("again") || err.contains("links[1]"), "{err}");
}

#[test]
fn bad_override_is_usage_error_naming_the_path() {
    let out = scratch("bad-set");
    let o = netsim(&[
        "run",
        "scenarios/teaching/ping-router.ron",
        "--set",
        "links.h9.delay=1ms",
        "--out",
        out.join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("links.h9.delay"), "{err}");
    assert!(!out.join("o").exists());
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    let o = netsim(&["run", "no/such/file.ron"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8(o.stderr)
            .unwrap()
            .contains("no/such/file.ron")
    );
    let o = netsim(&["frobnicate"]);
    assert_eq!(o.status.code(), Some(2));
    let o = netsim(&[
        "run",
        "scenarios/teaching/ping-router.ron",
        "--until",
        "soon",
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_runaway_scenario_stops_at_its_event_budget() {
    let dir = scratch("runaway");
    let file = dir.join("t.ron");
    // A ping every microsecond with a tiny budget.
    let text = GOOD.replacen("name: \"t\",", "name: \"t\", max_events: 500,", 1).replacen(
        "Host(name: \"h1\", interfaces: [Interface(name: \"eth0\", address: \"10.0.0.1/24\")])",
        "Host(name: \"h1\", interfaces: [Interface(name: \"eth0\", address: \"10.0.0.1/24\")], apps: [Ping(to: \"10.0.0.2\", count: 0, interval: \"1us\")])",
        1,
    );
    std::fs::write(&file, text).unwrap();
    let o = netsim(&[
        "run",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        dir.join("o").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("event budget") && err.contains("500"), "{err}");
    assert!(
        Path::new(&dir.join("o/trace.txt")).exists(),
        "what ran is kept for debugging"
    );
}

#[test]
fn outputs_are_chosen_in_the_scenario_or_on_the_command_line() {
    let names = |extra: &[&str]| {
        let out = scratch(&format!("outputs-{}", extra.len()));
        run_into(
            &root().join("scenarios/teaching/ping-router.ron"),
            &out,
            extra,
        );
        files(&out).into_iter().map(|(n, _)| n).collect::<Vec<_>>()
    };
    assert_eq!(
        names(&[
            "--set",
            "outputs.pcap=Links([\"r1-h2\"])",
            "--set",
            "outputs.events=false",
            "--set",
            "outputs.series=None"
        ]),
        [
            "captures.json",
            "h2-eth0.pcap",
            "r1-eth1.pcap",
            "report.html",
            "summary.json",
            "topology.svg",
            "trace.txt"
        ]
    );
    assert_eq!(
        names(&[
            "--set",
            "outputs.pcap=Off",
            "--set",
            "outputs.trace=false",
            "--set",
            "outputs.detail=Summary",
            "--set",
            "outputs.series=None"
        ]),
        [
            "events.jsonl",
            "report.html",
            "summary.json",
            "topology.svg"
        ]
    );
    // A small capture limit and snap length: the manifest says what was cut.
    let out = scratch("outputs-limit");
    run_into(
        &root().join("scenarios/teaching/ping-router.ron"),
        &out,
        &[
            "--set",
            "outputs.capture_limit=3",
            "--set",
            "outputs.snaplen=64",
        ],
    );
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("captures.json")).unwrap()).unwrap();
    let h1 = m["captures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["iface"] == "h1:eth0")
        .unwrap();
    assert_eq!(h1["frames"], 3);
    assert_eq!(h1["truncated_at_limit"], true);
    let lens = common::tshark_fields(
        &out.join("h1-eth0.pcap"),
        "frame",
        &["frame.cap_len", "frame.len"],
    );
    assert_eq!(lens, ["60,60", "60,60", "64,98"]);
}

// ---- ladder diagrams and the topology drawing ----

/// The rows' times of a text ladder block (`  1.101399  ...`).
fn row_times(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| l.starts_with("  ") && l.trim_start().starts_with(|c: char| c.is_ascii_digit()))
        .map(|l| l.split_whitespace().next().unwrap().to_owned())
        .collect()
}

#[test]
fn ladder_filter_keeps_one_connection_and_a_time_window() {
    let out = scratch("cli-ladder-filter");
    let window = [
        "--ladder",
        "new-server:80",
        "--from",
        "1.1s",
        "--to",
        "1.15s",
    ];
    run_into(
        &root().join("scenarios/teaching/http10-vs-http11.ron"),
        &out,
        &window,
    );
    let text = std::fs::read_to_string(out.join("ladder.txt")).unwrap();
    assert!(text.lines().nth(1).unwrap().starts_with(
        "# filter: connection new-server:80, segments sent from 1.100000 to 1.150000 s"
    ));
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("TCP ")).collect();
    assert_eq!(heads.len(), 1, "{text}");
    assert!(
        heads[0].contains("(new) <-> 10.0.2.80:80 (server)"),
        "{text}"
    );
    let times = row_times(&text);
    assert!(times.len() >= 10, "{text}");
    assert!(
        times
            .iter()
            .all(|t| t.as_str() >= "1.100000" && t.as_str() <= "1.150000"),
        "{times:?}"
    );
    // The SVG draws the same connection and the same rows.
    let svg = std::fs::read_to_string(out.join("ladder.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("ladder.svg parses");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    let titles: Vec<&&str> = texts.iter().filter(|t| t.starts_with("TCP ")).collect();
    assert_eq!(titles.len(), 1);
    assert!(titles[0].starts_with("TCP new 10.0.1.11:"), "{titles:?}");
    let axis: Vec<String> = texts
        .iter()
        .filter(|t| {
            t.len() == 8 && t.starts_with("1.") && t[2..].bytes().all(|b| b.is_ascii_digit())
        })
        .map(|t| (*t).to_owned())
        .collect();
    assert_eq!(axis, times);
    // Without the filter: every connection, the whole run.
    let all = scratch("cli-ladder-all");
    run_into(
        &root().join("scenarios/teaching/http10-vs-http11.ron"),
        &all,
        &[],
    );
    let text = std::fs::read_to_string(all.join("ladder.txt")).unwrap();
    assert_eq!(text.lines().filter(|l| l.starts_with("TCP ")).count(), 6);
}

#[test]
fn ladder_usage_errors_exit_2_and_write_nothing() {
    let dir = scratch("cli-ladder-bad");
    let out = dir.join("out");
    for (args, message) in [
        (
            &["--ladder", "new-nobody"][..],
            "--ladder new-nobody: no node named \"nobody\"",
        ),
        (&["--ladder", "new"][..], "bad connection \"new\""),
        (&["--ladder", "new:http-server"][..], "bad connection"),
        (
            &["--from", "2s", "--to", "1s"][..],
            "--to 1s is before --from 2s",
        ),
    ] {
        let mut argv = vec![
            "run",
            "scenarios/teaching/http10-vs-http11.ron",
            "--quiet",
            "--out",
            out.to_str().unwrap(),
        ];
        argv.extend_from_slice(args);
        let o = netsim(&argv);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(!out.exists(), "{args:?}: nothing written");
    }
}

#[test]
fn ladder_in_the_scenario_is_validated_with_its_position() {
    let (err, file) = bad(
        &with(
            "links: [",
            "outputs: Outputs(ladder: \"h1-h9\"),\n    links: [",
        ),
        "ladder-node",
    );
    assert!(err.contains(&format!("{}:7:", file.display())), "{err}");
    assert!(
        err.contains("outputs.ladder") && err.contains("no node named \"h9\""),
        "{err}"
    );
    let (err, _) = bad(
        &with(
            "links: [",
            "outputs: Outputs(ladder: \"h1\"),\n    links: [",
        ),
        "ladder-syntax",
    );
    assert!(
        err.contains(":7:") && err.contains("outputs.ladder"),
        "{err}"
    );
    assert!(err.contains("node[:port]-node[:port]"), "{err}");
}

#[test]
fn topology_svg_names_every_node_and_link() {
    let out = scratch("cli-topology");
    run_into(
        &root().join("scenarios/teaching/home-gateway.ron"),
        &out,
        &[],
    );
    let svg = std::fs::read_to_string(out.join("topology.svg")).unwrap();
    let doc = roxmltree::Document::parse(&svg).expect("topology.svg parses");
    let texts: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .collect();
    for node in ["h1", "h2", "sw1", "gw", "isp", "sw2", "ns", "web"] {
        assert!(texts.contains(&node), "{node}");
    }
    assert!(
        texts.contains(&"gw-isp \u{b7} 20 Mbit/s \u{b7} 5 ms \u{b7} MTU 1500"),
        "{texts:?}"
    );
    // h1 and h2 get their addresses from the gateway's DHCP server.
    assert!(
        texts.iter().any(|t| t.starts_with("eth0 DHCP 192.168.1.")),
        "{texts:?}"
    );
    // The NAT gateway's two halves of the web connection are one ladder.
    let ladder = std::fs::read_to_string(out.join("ladder.txt")).unwrap();
    let heads: Vec<&str> = ladder.lines().filter(|l| l.starts_with("TCP ")).collect();
    assert_eq!(heads.len(), 1, "{ladder}");
    assert!(heads[0].contains("(h1) <-> 198.51.100.80:80 (web), h1 seen as 203.0.113.2:"));
    assert!(!ladder.contains("no arrival seen"), "{ladder}");
}
