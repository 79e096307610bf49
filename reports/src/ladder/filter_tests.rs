//! The ladder filter: one connection, a window of time, in the text and the
//! SVG alike, and a limit that counts only what passes.

use std::sync::Arc;

use protocols::tcp::SendCause;
use protocols::topology::NodeId;
use protocols::trace::TraceSink;
use sim_core::SimTime;

use super::story::*;
use super::{EndFilter, HostFilter, LadderFilter, LadderOptions, LadderSink};
use crate::test_support::*;

/// Two connections from h1 to h2:80: port 40000 at 1 s, port 40001 at 1.01 s,
/// then 40000 sends data at 1.02 s and 1.03 s.
fn two_connections() -> Story {
    let mut story = Story::default();
    handshake(&mut story);
    story.client_port(40001);
    handshake_at(&mut story, 10_000);
    story.client_port(40000);
    let d1 = seg(A, 101, Some(301), "PSH", 100);
    let d2 = seg(A, 201, Some(301), "PSH", 100);
    story
        .at(20_000)
        .send(d1, SendCause::NewData)
        .at(20_200)
        .arrive(d1)
        .at(30_000)
        .send(d2, SendCause::NewData)
        .at(30_200)
        .arrive(d2);
    story
}

fn node(n: u32, port: Option<u16>) -> EndFilter {
    EndFilter {
        host: HostFilter::Node(NodeId(n)),
        port,
    }
}

/// The text (`ladder.txt` flavour) and the SVG.
fn outputs(story: &Story, opts: LadderOptions) -> (String, Option<String>) {
    let mut sink = LadderSink::file(
        Vec::new(),
        Some(Vec::new()),
        Arc::new(router_topology()),
        opts,
        &provenance(),
    );
    for (t, e) in story.events() {
        sink.record(t, &e);
    }
    sink.finish().unwrap();
    let (text, svg) = sink.into_outputs();
    let utf8 = |b: Vec<u8>| String::from_utf8(b).unwrap();
    (utf8(text.unwrap()), svg.map(utf8))
}

fn only(filter: LadderFilter, limit: u64) -> LadderOptions {
    LadderOptions {
        limit,
        filter,
        path: false,
    }
}

#[test]
fn a_connection_filter_keeps_that_connection_only() {
    let filter = LadderFilter {
        // h2:80 first: either way round.
        conn: Some([node(H2.0, Some(80)), node(H1.0, Some(40001))]),
        label: "h2:80-h1:40001".into(),
        ..LadderFilter::default()
    };
    let (text, svg) = outputs(&two_connections(), only(filter, 300));
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[1], "# filter: connection h2:80-h1:40001");
    let heads: Vec<&&str> = lines.iter().filter(|l| l.starts_with("TCP")).collect();
    assert_eq!(heads, [&"TCP 10.0.1.10:40001 (h1) <-> 10.0.2.10:80 (h2)"]);
    // Provenance, filter, connection, column heads, first states, 3 segments.
    assert_eq!(lines.len(), 8);
    let svg = svg.expect("drawn");
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let titles: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .filter(|t| t.starts_with("TCP "))
        .collect();
    assert_eq!(titles, ["TCP h1 10.0.1.10:40001 \u{21c4} h2 10.0.2.10:80"]);
    assert!(svg.contains("Filter: connection h2:80-h1:40001."));
}

#[test]
fn a_time_window_keeps_the_segments_sent_in_it() {
    let filter = LadderFilter {
        from: Some(SimTime::from_nanos(1_000_400_000)),
        to: Some(SimTime::from_nanos(1_020_000_000)),
        ..LadderFilter::default()
    };
    let (text, svg) = outputs(&two_connections(), only(filter, 300));
    let rows: Vec<&str> = text.lines().filter(|l| l.starts_with("  1.")).collect();
    assert_eq!(
        rows,
        [
            "  1.000400  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=ACK>               --> ESTABLISHED   1.000600",
            "  1.020000  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100> --> ESTABLISHED   1.020200",
            "  1.010000  SYN-SENT     --> <SEQ=100><CTL=SYN>              --> SYN-RECEIVED  1.010200",
            "  1.010200  ESTABLISHED  <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED  1.010400",
            "  1.010400  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=ACK>     --> ESTABLISHED   1.010600",
        ]
    );
    // The first connection's block starts in the states of 1.0004 s.
    let first: Vec<&str> = text.lines().nth(4).unwrap().split_whitespace().collect();
    assert_eq!(first, ["SYN-SENT", "SYN-RECEIVED"]);
    let svg = svg.unwrap();
    assert!(svg.contains("segments sent from 1.000400 to 1.020000 s"));
    // Relative numbers still count from the SYN, sent before the window.
    assert!(svg.contains(">PSH,ACK seq=1 ack=1 len=100<"));
    assert!(!svg.contains(">1.030000<"));
}

#[test]
fn the_limit_counts_only_what_the_filter_lets_through() {
    let story = two_connections();
    // 8 segments in all, 3 on the second connection.
    let (text, svg) = outputs(&story, only(LadderFilter::default(), 3));
    assert!(text.ends_with("(ladder not shown: 8 segments; raise outputs.ladder_limit)\n"));
    assert!(svg.is_none(), "no SVG above the limit");
    let second = LadderFilter {
        conn: Some([node(H1.0, Some(40001)), node(H2.0, None)]),
        label: "h1:40001-h2".into(),
        ..LadderFilter::default()
    };
    let (text, svg) = outputs(&story, only(second, 3));
    assert!(text.contains("TCP 10.0.1.10:40001 (h1) <-> 10.0.2.10:80 (h2)"));
    assert!(svg.is_some());
}

#[test]
fn a_filter_that_matches_nothing_says_so() {
    let filter = LadderFilter {
        conn: Some([node(H1.0, Some(9)), node(H2.0, None)]),
        label: "h1:9-h2".into(),
        ..LadderFilter::default()
    };
    let (text, svg) = outputs(&two_connections(), only(filter, 300));
    assert!(
        text.ends_with(
            "# filter: connection h1:9-h2\n(ladder: no TCP segment matches the filter)\n"
        )
    );
    assert!(svg.is_none());
}
