//! Expectations end to end: the table a run prints, the exit codes (0 all
//! met, 1 one failed, 2 invalid), the flow summary they read, and the
//! determinism check.

mod common;

use std::path::{Path, PathBuf};

use common::{netsim, root, scratch};
use netsim::{Loaded, RunOptions};

const PINNED: &str = "scenarios/ci/handshake-regression.ron";

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The table row of the expectation whose name starts with `name`.
fn row<'a>(text: &'a str, name: &str) -> &'a str {
    text.lines()
        .find(|l| l.starts_with(name))
        .unwrap_or_else(|| panic!("no row {name:?} in:\n{text}"))
}

fn run(args: &[&str], out: &Path) -> std::process::Output {
    let mut all = vec!["run"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    netsim(&all)
}

#[test]
fn met_expectations_print_a_table_and_exit_0() {
    let out = scratch("expect-pass");
    let o = run(&[PINNED], &out);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    let header = row(&text, "expectation");
    for column in ["observed", "expected", "result"] {
        assert!(header.contains(column), "{header}");
    }
    let handshake = row(&text, "handshake client->server:5001");
    assert!(handshake.contains("by 1.041000 s"), "{handshake}");
    assert!(handshake.ends_with("pass"), "{handshake}");
    assert!(text.contains("all 6 expectations met"), "{text}");
    // The flow and link tables come with it.
    assert!(row(&text, "flow").contains("goodput"), "{text}");
    assert!(row(&text, "client:").contains("1000 B"), "{text}");
    assert!(row(&text, "link").contains("utilisation"), "{text}");
}

#[test]
fn a_regressed_handshake_exits_1_and_shows_observed_and_expected() {
    // 15 ms instead of 10 ms each way: the handshake completes 20 ms later.
    let out = scratch("expect-fail");
    let o = run(&[PINNED, "--set", "links.0.delay=15ms"], &out);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}{}", stderr(&o));
    let handshake = row(&text, "handshake client->server:5001");
    let cells: Vec<&str> = handshake.split("  ").filter(|c| !c.is_empty()).collect();
    assert_eq!(
        cells.iter().map(|c| c.trim()).collect::<Vec<_>>()[1..],
        ["1.060214 s", "by 1.041000 s", "FAIL"],
        "{handshake}"
    );
    // What did not change still passes.
    assert!(row(&text, "no RTO").ends_with("pass"), "{text}");
    assert!(text.contains("expectations FAILED"), "{text}");
    // The outputs are written all the same.
    assert!(out.join("summary.json").exists());
    assert!(out.join("trace.txt").exists());
}

#[test]
fn a_tighter_goodput_bound_set_on_the_command_line_fails() {
    let out = scratch("expect-goodput");
    let o = run(
        &[
            "scenarios/teaching/fast-retransmit.ron",
            "--quiet",
            "--set",
            "expect.0=Goodput(flow: \"sender->receiver\", min: \"2Mbps\")",
        ],
        &out,
    );
    assert_eq!(o.status.code(), Some(1));
    // Quiet: nothing on standard output, the table on standard error.
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    let goodput = row(&err, "goodput sender->receiver");
    assert!(goodput.contains("1.8 Mbit/s"), "{goodput}");
    assert!(goodput.contains(">= 2.0 Mbit/s"), "{goodput}");
    assert!(goodput.ends_with("FAIL"), "{goodput}");
    assert!(err.contains("1 of 3 expectations FAILED"), "{err}");
}

/// `scenarios/ci/handshake-regression.ron` with `expect` replaced.
fn with_expect(name: &str, expect: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join(PINNED)).unwrap();
    let start = text.find("    expect: [").unwrap();
    let file = scratch(name).join("scenario.ron");
    std::fs::write(
        &file,
        format!("{}    expect: [\n{expect}\n    ],\n)\n", &text[..start]),
    )
    .unwrap();
    file
}

#[test]
fn an_expectation_naming_a_missing_node_is_invalid_input() {
    let file = with_expect(
        "expect-bad-node",
        "        HandshakeBy(flow: \"client->sever\", time: \"1s\"),",
    );
    let line = 1 + std::fs::read_to_string(&file)
        .unwrap()
        .lines()
        .position(|l| l.contains("sever"))
        .unwrap();
    let out = scratch("expect-bad-node-out").join("never");
    for args in [
        vec![
            "run",
            file.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        vec!["check", file.to_str().unwrap()],
    ] {
        let o = netsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = stderr(&o);
        assert!(
            err.contains(&format!("scenario.ron:{line}:27: expect[0] (HandshakeBy)")),
            "{err}"
        );
        assert!(
            err.contains("no node named \"sever\", did you mean \"server\"?"),
            "{err}"
        );
    }
    assert!(!out.exists(), "nothing is written for invalid input");
}

#[test]
fn a_malformed_expectation_is_invalid_input_with_its_position() {
    let file = with_expect(
        "expect-bad-syntax",
        "        QueueMax(link: \"client-server\", packets: 3),",
    );
    let o = netsim(&["check", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("scenario.ron:"), "{err}");
    assert!(
        err.contains("unknown field \"packets\"") && err.contains("max"),
        "{err}"
    );
}

#[test]
fn the_outcome_carries_the_verdicts_and_the_summary_in_memory_too() {
    let loaded = Loaded::from_file(&root().join(PINNED), &[]).unwrap();
    let outcome = netsim::run(&loaded, &RunOptions::in_memory()).unwrap();
    assert_eq!(outcome.expectations.len(), 6);
    assert!(outcome.expectations_met(), "{:#?}", outcome.expectations);
    // The summary runs without output files, and matches summary.json.
    let f = &outcome.summary.flows[0];
    assert_eq!((f.node.as_str(), f.peer.as_str()), ("client", "server"));
    assert_eq!(
        (f.bytes_sent, f.bytes_delivered, f.retransmits),
        (1000, 1000, 0)
    );
    let out = scratch("expect-summary-file");
    let written = netsim::run(
        &loaded,
        &RunOptions {
            out_dir: Some(out.clone()),
            write_outputs: true,
            ..RunOptions::default()
        },
    )
    .unwrap();
    let from_file = netsim::reports::summary::read_json(&out.join("summary.json")).unwrap();
    assert_eq!(from_file, written.summary);
    assert_eq!(from_file, outcome.summary);
}

#[test]
fn the_determinism_check_passes_on_a_shipped_scenario() {
    let out = scratch("expect-determinism");
    let o = run(&[PINNED, "--check-determinism"], &out);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}{}", stderr(&o));
    let line = text.lines().last().unwrap();
    let n: usize = line
        .strip_prefix("deterministic: ")
        .and_then(|r| r.strip_suffix(" files identical"))
        .unwrap_or_else(|| panic!("{text}"))
        .parse()
        .unwrap();
    // trace, events, two pcaps, their manifest, the summary, at least.
    assert!(n >= 6, "{text}");
    assert!(!out.join("determinism").exists(), "removed when identical");
}
