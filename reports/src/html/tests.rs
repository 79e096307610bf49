use std::fs;

use super::*;

fn input() -> ReportInput {
    ReportInput {
        provenance: Provenance {
            netsim_version: "0.1.0".into(),
            scenario: "demo <1>".into(),
            scenario_hash: "00ff".into(),
            seed: 7,
            run_index: 0,
        },
        end: "5.000000000".into(),
        events: 1234,
        expectations: vec![
            ExpectationRow {
                expectation: "no RTO".into(),
                observed: "0".into(),
                expected: "0".into(),
                passed: true,
            },
            ExpectationRow {
                expectation: "fast retransmits".into(),
                observed: "2".into(),
                expected: "1".into(),
                passed: false,
            },
        ],
    }
}

fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("netsim-html-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn the_page_inlines_every_figure_and_links_every_file() {
    let d = dir("full");
    fs::write(
        d.join("topology.svg"),
        "<?xml version=\"1.0\"?><svg id=\"t\"><marker id=\"m\"/></svg>",
    )
    .unwrap();
    fs::write(
        d.join("ladder.svg"),
        "<svg><marker id=\"m\"/><path marker-end=\"url(#m)\"/></svg>",
    )
    .unwrap();
    fs::write(d.join("cwnd-a.svg"), "<svg><text>cwnd</text></svg>").unwrap();
    fs::write(d.join("cwnd-a.png"), b"png").unwrap();
    fs::write(
        d.join("plots.json"),
        r#"{"plots":[{"title":"cwnd of a","svg":"cwnd-a.svg","png":"cwnd-a.png"}]}"#,
    )
    .unwrap();
    fs::write(d.join("h1-eth0.pcap"), b"").unwrap();
    fs::write(d.join("tcp-a.csv"), b"").unwrap();
    let path = write_report(&d, &input()).unwrap();
    let html = fs::read_to_string(&path).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    // Escaped scenario name in the title and the heading.
    assert!(html.contains("<title>netsim: demo &lt;1&gt;</title>"));
    assert!(html.contains("seed 7"));
    // Each figure's ids are its own: the two `m` markers no longer collide.
    assert!(html.contains("<marker id=\"topo-m\"/>"));
    assert!(html.contains("<marker id=\"ladder-m\"/>"));
    assert!(html.contains("url(#ladder-m)"));
    assert!(!html.contains("<?xml"));
    assert_eq!(html.matches("data-plot=\"cwnd-a.svg\"").count(), 1);
    assert!(html.contains("<a href=\"cwnd-a.png\">PNG</a>"));
    assert!(html.contains("<a href=\"h1-eth0.pcap\">h1-eth0.pcap</a>"));
    assert!(html.contains("<a href=\"tcp-a.csv\">tcp-a.csv</a>"));
    // The failed expectation is marked; the page says the run exits 1.
    assert!(html.contains("1 of 2 expectations hold; the run exits with code 1"));
    assert_eq!(html.matches("<tr class=\"fail\">").count(), 1);
    // Self-contained: nothing fetched.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src=\""));
    let without_namespaces = html.replace("\"http://www.w3.org/", "");
    assert!(!without_namespaces.contains("http://") && !without_namespaces.contains("https://"));
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn sections_without_inputs_are_left_out() {
    let d = dir("empty");
    let mut i = input();
    i.expectations.clear();
    let html = fs::read_to_string(write_report(&d, &i).unwrap()).unwrap();
    assert!(!html.contains("id=\"topology\""));
    assert!(!html.contains("id=\"plots\""));
    assert!(!html.contains("id=\"expectations\""));
    assert!(html.contains("id=\"files\""));
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn a_plot_listed_but_missing_is_an_error_not_a_silent_gap() {
    let d = dir("missing");
    fs::write(
        d.join("plots.json"),
        r#"{"plots":[{"title":"x","svg":"gone.svg"}]}"#,
    )
    .unwrap();
    let e = write_report(&d, &input()).unwrap_err();
    assert!(e.to_string().contains("gone.svg"), "{e}");
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let d = dir("same");
    fs::write(d.join("topology.svg"), "<svg/>").unwrap();
    let a = fs::read(write_report(&d, &input()).unwrap()).unwrap();
    let b = fs::read(write_report(&d, &input()).unwrap()).unwrap();
    assert_eq!(a, b);
    fs::remove_dir_all(&d).unwrap();
}

#[test]
fn the_summary_tables_show_every_flow_and_the_busy_links() {
    use crate::summary::{FlowSummary, LinkSummary, RunSummary, write_json};
    let d = dir("summary");
    let summary = RunSummary {
        duration_s: 2.0,
        flows: vec![FlowSummary {
            id: "s1:49152 -> d1:5001".into(),
            final_state: "TIME-WAIT".into(),
            bytes_delivered: 1_000_000,
            goodput_bps: 8_000_000.0,
            duration_s: 1.0,
            retransmits: 1,
            retransmits_fast: 1,
            ..FlowSummary::default()
        }],
        links: vec![
            LinkSummary {
                link: "bottleneck".into(),
                from: "r1:eth2".into(),
                to: "r2:eth2".into(),
                frames: 700,
                utilisation: 0.5,
                ..LinkSummary::default()
            },
            LinkSummary {
                link: "idle".into(),
                ..LinkSummary::default()
            },
        ],
    };
    write_json(&d, &summary, &input().provenance).unwrap();
    let html = fs::read_to_string(write_report(&d, &input()).unwrap()).unwrap();
    assert!(html.contains("<td class=\"l\">s1:49152 -&gt; d1:5001</td>"));
    assert!(html.contains("<td>1 (0 rto, 1 fast)</td>"));
    assert!(html.contains("<td class=\"l\">bottleneck</td>"));
    assert!(html.contains("<td>50.0 %</td>"));
    // A direction that carried nothing is left out.
    assert!(!html.contains(">idle<"));
    fs::remove_dir_all(&d).unwrap();
}
