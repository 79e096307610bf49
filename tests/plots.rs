//! Plots as a user finds them after a run: every plot listed in `plots.json`
//! is there as SVG and PNG, and the time-sequence graph of the
//! fast-retransmit scenario marks its single retransmission once.

mod common;

use common::{root, run_into, scratch};

/// The `<text>` elements of an SVG whose content is exactly `text`.
fn text_elements(svg: &str, text: &str) -> usize {
    svg.matches(&format!(">\n{text}\n</text>")).count()
}

#[test]
fn fast_retransmit_writes_its_plots_and_one_r() {
    let out = scratch("plots-fast-retransmit");
    run_into(
        &root().join("scenarios/teaching/fast-retransmit.ron"),
        &out,
        &[],
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("plots.json")).unwrap()).unwrap();
    assert_eq!(manifest["provenance"]["scenario"], "fast-retransmit");
    let plots = manifest["plots"].as_array().unwrap();
    let kinds: Vec<&str> = plots.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds[..4],
        ["throughput", "cwnd", "tseq", "rtt"],
        "one flow (the receiver sends no data), then its queues: {kinds:?}"
    );
    assert!(kinds[4..].iter().all(|k| *k == "queue") && kinds.len() > 4);
    for p in plots {
        let svg = std::fs::read_to_string(out.join(p["svg"].as_str().unwrap())).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("viewBox=\"0 0 "));
        assert_eq!(
            text_elements(&svg, p["title"].as_str().unwrap()),
            1,
            "{} carries its title",
            p["svg"]
        );
        let png = std::fs::read(out.join(p["png"].as_str().unwrap())).unwrap();
        assert_eq!(png[..8], *b"\x89PNG\r\n\x1a\n");
    }

    let flow = plots[2]["flow"].as_str().unwrap();
    assert!(
        flow.starts_with("sender-") && flow.ends_with("-receiver-5001"),
        "{flow}"
    );
    let tseq = std::fs::read_to_string(out.join(format!("tseq-{flow}.svg"))).unwrap();
    assert_eq!(
        text_elements(&tseq, "R"),
        1,
        "one fast retransmission, one R"
    );
    let cwnd = std::fs::read_to_string(out.join(format!("cwnd-{flow}.svg"))).unwrap();
    assert_eq!(text_elements(&cwnd, "fast retransmit (1)"), 1);
    assert_eq!(text_elements(&cwnd, "in loss recovery"), 1);
    let queue = plots
        .iter()
        .find(|p| p["svg"] == "queue-sender-receiver-a_to_b.svg")
        .expect("the data direction queued and dropped");
    let svg = std::fs::read_to_string(out.join(queue["svg"].as_str().unwrap())).unwrap();
    assert_eq!(
        text_elements(&svg, "drop (1)"),
        1,
        "the dropped segment is marked"
    );
}

#[test]
fn plots_can_be_switched_off() {
    let out = scratch("plots-off");
    run_into(
        &root().join("scenarios/teaching/fast-retransmit.ron"),
        &out,
        &["--set", "outputs.plots=false"],
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        !names
            .iter()
            .any(|n| n == "plots.json" || n.ends_with(".png")),
        "{names:?}"
    );
    assert!(
        !names
            .iter()
            .any(|n| n.starts_with("cwnd-") || n.starts_with("tseq-"))
    );
}
