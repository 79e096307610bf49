//! `ladder.svg` of hand-built stories: it parses, and it shows what the text
//! ladder says, in the places a reader looks for it.

use protocols::tcp::SendCause;
use protocols::trace::DropReason;

use super::super::Ladder;
use super::super::story::*;
use super::render;
use crate::test_support::*;

fn svg_of(story: &Story, path: bool) -> String {
    let topo = router_topology();
    let mut ladder = Ladder::new(&topo);
    for (t, e) in story.events() {
        ladder.record(t, &e);
    }
    render(&topo, &ladder, path, Some(&provenance())).expect("a TCP story draws")
}

/// Every `<text>`'s content (tspans joined), with its fill.
fn texts(doc: &roxmltree::Document<'_>) -> Vec<(String, String)> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| {
            let text: String = n
                .descendants()
                .filter(|d| d.is_text())
                .filter_map(|d| d.text())
                .collect();
            (text, n.attribute("fill").unwrap_or("").to_owned())
        })
        .collect()
}

/// (x1, y1, x2, y2) of every `<line>` with this stroke.
fn lines(doc: &roxmltree::Document<'_>, stroke: &str) -> Vec<[f64; 4]> {
    doc.descendants()
        .filter(|n| n.has_tag_name("line") && n.attribute("stroke") == Some(stroke))
        .map(|n| ["x1", "y1", "x2", "y2"].map(|a| n.attribute(a).unwrap().parse().unwrap()))
        .collect()
}

/// The x of each vertical lifeline, left to right.
fn lifelines(doc: &roxmltree::Document<'_>) -> Vec<f64> {
    let mut xs: Vec<f64> = lines(doc, "#9ca3af")
        .into_iter()
        .filter(|l| l[0] == l[2] && l[0] > 150.0)
        .map(|l| l[0])
        .collect();
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    xs
}

#[test]
fn handshake_parses_with_relative_numbers_and_states() {
    let mut story = Story::default();
    handshake(&mut story);
    let svg = svg_of(&story, false);
    let doc = roxmltree::Document::parse(&svg).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert!(
        root.attribute("viewBox")
            .is_some_and(|v| v.starts_with("0 0 "))
    );
    assert_eq!(
        doc.descendants()
            .filter(|n| n.attribute("id").is_some())
            .count(),
        0
    );
    let texts = texts(&doc);
    let has = |t: &str| texts.iter().any(|(x, _)| x == t);
    // h1's ISN is 100, h2's 300: relative numbers from 0.
    for label in [
        "SYN seq=0 len=0",
        "SYN,ACK seq=0 ack=1 len=0",
        "ACK seq=1 ack=1 len=0",
    ] {
        assert!(has(label), "{label} in {texts:?}");
    }
    assert!(has("TCP h1 10.0.1.10:40000 \u{21c4} h2 10.0.2.10:80"));
    assert!(
        texts
            .iter()
            .any(|(t, _)| t.contains("(ISN h1 100, h2 300)"))
    );
    // States where they change, in the state colour: h1 CLOSED, SYN-SENT,
    // ESTABLISHED; h2 LISTEN, SYN-RECEIVED, ESTABLISHED.
    let states: Vec<&str> = texts
        .iter()
        .filter(|(_, fill)| fill == "#1d4ed8")
        .map(|(t, _)| t.as_str())
        .collect();
    assert_eq!(
        states,
        [
            "CLOSED",
            "LISTEN",
            "SYN-SENT",
            "SYN-RECEIVED",
            "ESTABLISHED",
            "ESTABLISHED"
        ]
    );
    // One arrowhead per segment, each row's time on the axis.
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("polygon"))
            .count(),
        3
    );
    for t in ["1.000000", "1.000200", "1.000400"] {
        assert!(has(t), "{t}");
    }
    assert!(has(
        "netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0"
    ));
}

#[test]
fn arrows_slant_down_to_where_they_arrive() {
    let mut story = Story::default();
    handshake(&mut story);
    let svg = svg_of(&story, false);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let arrows = lines(&doc, "#1f2937");
    assert_eq!(arrows.len(), 3);
    // Each segment arrives when the next one leaves: it ends one band (24 px)
    // below where it started, at the other lifeline.
    for a in &arrows[..2] {
        assert_eq!(a[3] - a[1], 24.0, "{a:?}");
    }
    let x = lifelines(&doc);
    assert_eq!((arrows[0][0], arrows[0][2]), (x[0], x[1]), "h1 to h2");
    assert_eq!((arrows[1][0], arrows[1][2]), (x[1], x[0]), "h2 to h1");
}

#[test]
fn each_lost_segment_ends_in_a_cross_with_its_reason() {
    let data = seg(A, 101, Some(301), "PSH", 1000);
    let reply = seg(B, 301, Some(101), "PSH", 10);
    let mut story = Story::default();
    handshake(&mut story);
    story
        .at(1_000)
        .send(data, SendCause::NewData)
        .at(1_100)
        .drop_at_r1(data, DropReason::QueueFull)
        .at(2_000)
        .send(reply, SendCause::NewData)
        .at(2_100)
        .drop_at_r1(reply, DropReason::RandomLoss);
    let svg = svg_of(&story, false);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let red = lines(&doc, "#dc2626");
    assert_eq!(red.len(), 4, "two strokes per cross, one cross per loss");
    let reasons: Vec<String> = texts(&doc)
        .into_iter()
        .filter(|(_, fill)| fill == "#dc2626")
        .map(|(t, _)| t)
        .collect();
    assert_eq!(reasons, ["queue full at r1:eth1", "random loss at r1:eth0"]);
    // r1 is half way along the path h1, r1, h2: the crosses are mid-way.
    let x = lifelines(&doc);
    for cross in red.chunks(2) {
        let centre = (cross[0][0] + cross[0][2]) / 2.0;
        assert_eq!(centre, (x[0] + x[1]) / 2.0);
    }
    // The lost segments' arrows are dashed and stop at their cross.
    let dashed = doc
        .descendants()
        .filter(|n| n.attribute("stroke-dasharray").is_some())
        .count();
    assert_eq!(dashed, 2);
}

#[test]
fn retransmissions_have_their_own_colour_and_tag() {
    let data = seg(A, 101, Some(301), "PSH", 100);
    let mut story = Story::default();
    handshake(&mut story);
    story
        .at(1_000)
        .send(data, SendCause::NewData)
        .at(1_100)
        .drop_at_r1(data, DropReason::RandomLoss)
        .at(201_000)
        .send(data, SendCause::RtoRetransmission)
        .at(201_200)
        .arrive(data);
    let svg = svg_of(&story, false);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let amber = lines(&doc, "#d97706");
    assert_eq!(amber.len(), 1, "the retransmission, and only it");
    let tagged: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("tspan") && n.attribute("fill") == Some("#d97706"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    assert_eq!(
        tagged,
        ["PSH,ACK seq=1 ack=1 len=100 ", "[retransmission (RTO)]"]
    );
}

#[test]
fn the_path_view_has_a_lifeline_per_node_and_an_arrow_per_link() {
    let mut story = Story::default();
    handshake(&mut story);
    let svg = svg_of(&story, true);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let heads: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("text") && n.attribute("font-weight") == Some("bold"))
        .filter(|n| n.attribute("font-size") == Some("12"))
        .filter_map(|n| n.text().map(str::to_owned))
        .collect();
    assert_eq!(heads, ["h1", "r1", "h2"]);
    assert_eq!(lifelines(&doc).len(), 3);
    // Three segments, two links each.
    assert_eq!(
        doc.descendants()
            .filter(|n| n.has_tag_name("polygon"))
            .count(),
        6
    );
}

#[test]
fn same_story_same_bytes() {
    let mut story = Story::default();
    handshake(&mut story);
    assert_eq!(svg_of(&story, false), svg_of(&story, false));
    assert_eq!(svg_of(&story, true), svg_of(&story, true));
}
