//! The plots on small fixed inputs: the SVGs parse, the marks a reader looks
//! for are there exactly as often as the data says, axes cover the data, and
//! the same input gives the same bytes.

use std::path::PathBuf;
use std::sync::Arc;

use bytes::Bytes;
use protocols::packet::{Frame, IpBody, Ipv4Packet};
use protocols::tcp::{Endpoint, RecoveryKind, SendCause, TcpSample, TcpTrace};
use protocols::topology::LinkId;
use protocols::trace::{DropReason, Dropped, Event, TraceSink, events};
use protocols::wire::{IpProtocol, SackBlocks, TcpFlags, TcpOptions, TcpRepr, TcpSeq};
use sim_core::{SimDuration, SimTime};

use super::cwnd::{Bdp, CwndPlot};
use super::queue::QueuePlot;
use super::rtt::RttPlot;
use super::style::{self, Figure, Rendered};
use super::throughput::{FlowRate, ThroughputPlot};
use super::tseq::{TseqAck, TseqPlot, TseqSegment};
use super::{PLOTS_MANIFEST, PlotKind, PlotManifest, PlotSink};
use crate::test_support::*;

/// The texts of an SVG's `<text>` elements, trimmed; panics if it does not parse.
fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG parses");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    assert!(root.attribute("viewBox").is_some(), "has a viewBox");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

fn count(texts: &[String], wanted: &str) -> usize {
    texts.iter().filter(|t| *t == wanted).count()
}

/// Whether `wanted` appears in the text, legend lines wrapped or not.
fn has(texts: &[String], wanted: &str) -> bool {
    texts.join(" ").contains(wanted)
}

/// Width and height of a PNG, and whether any pixel is not white.
fn png_info(png: &[u8]) -> (u32, u32, bool) {
    let mut reader = png::Decoder::new(png).read_info().expect("PNG decodes");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let inked = buf[..info.buffer_size()].iter().any(|&b| b != 255);
    (info.width, info.height, inked)
}

fn render(fig: &impl Figure) -> Rendered {
    let r = style::render(fig, "netsim 0.1.0 scenario test hash 0 seed 1 run 0").unwrap();
    let (w, h, inked) = png_info(&r.png);
    assert_eq!((w, h), fig.size());
    assert!(inked, "the PNG shows something");
    assert_eq!(
        r,
        style::render(fig, "netsim 0.1.0 scenario test hash 0 seed 1 run 0").unwrap(),
        "same input, same bytes"
    );
    r
}

fn seg(t: f64, seq: f64, retransmit: bool) -> TseqSegment {
    TseqSegment {
        t,
        seq,
        len: 1000.0,
        retransmit,
        probe: false,
    }
}

fn ack(t: f64, ack: f64, dup: bool, sack: Vec<(f64, f64)>) -> TseqAck {
    TseqAck {
        t,
        ack,
        window_edge: ack + 4000.0,
        dup,
        sack,
    }
}

/// Five segments, the second lost, three duplicate ACKs with SACK blocks,
/// one fast retransmission.
fn tseq_fixture() -> TseqPlot {
    TseqPlot {
        flow: "h1:40000 → h2:80".into(),
        segments: vec![
            seg(1.000, 1.0, false),
            seg(1.001, 1001.0, false),
            seg(1.002, 2001.0, false),
            seg(1.003, 3001.0, false),
            seg(1.004, 4001.0, false),
            seg(1.046, 1001.0, true),
        ],
        acks: vec![
            ack(1.040, 1001.0, false, vec![]),
            ack(1.042, 1001.0, true, vec![(2001.0, 3001.0)]),
            ack(1.043, 1001.0, true, vec![(2001.0, 4001.0)]),
            ack(1.044, 1001.0, true, vec![(2001.0, 5001.0)]),
            ack(1.086, 5001.0, false, vec![]),
        ],
        window_note: None,
    }
}

#[test]
fn tseq_marks_the_one_retransmission_with_one_r() {
    let r = render(&tseq_fixture());
    let t = texts(&r.svg);
    assert_eq!(count(&t, "R"), 1, "{t:?}");
    assert!(has(&t, "retransmission, marked R (1)"), "{:?}", t);
    assert!(has(&t, "duplicate ACK (3)"), "{:?}", t);
    assert!(has(&t, "SACK block"), "{:?}", t);
    assert!(has(&t, "cumulative ACK"), "{:?}", t);
    assert!(t.iter().any(|s| s.starts_with("receive window edge")));
    assert!(t.contains(&"Time-sequence graph: h1:40000 → h2:80".to_string()));

    let mut clean = tseq_fixture();
    clean.segments.pop();
    let t = texts(&render(&clean).svg);
    assert_eq!(count(&t, "R"), 0, "no retransmission, no R");
    assert!(!t.iter().any(|s| s.starts_with("retransmission")));
}

#[test]
fn tseq_axes_cover_segments_acks_and_window() {
    let p = tseq_fixture();
    let (x, y, scale, clipped) = p.axes();
    assert!(x.start <= 1.000 && x.end >= 1.086, "{x:?}");
    assert!(y.start <= 0.0 && y.end >= 5001.0 + 4000.0, "{y:?}");
    assert!(!clipped, "a window near the data is shown whole");
    assert_eq!(scale.unit, "bytes");

    // A 4 MB window above 5 KB of data would squash it: the window line is
    // clipped at the top instead, and the legend says how far it goes.
    let mut wide = tseq_fixture();
    for a in &mut wide.acks {
        a.window_edge = a.ack + 4_000_000.0;
    }
    let (_, y, scale, clipped) = wide.axes();
    assert!(clipped);
    assert!(y.end >= 5001.0 && y.end < 10_000.0, "{y:?}");
    assert_eq!(scale.unit, "bytes");
    let t = texts(&render(&wide).svg);
    assert!(has(&t, "above the top, up to 4.01 MB"), "{t:?}");
}

fn cwnd_fixture() -> CwndPlot {
    CwndPlot {
        flow: "h1:40000 → h2:80".into(),
        cwnd: vec![
            (1.0, 14_600.0),
            (1.04, 29_200.0),
            (1.05, 14_600.0),
            (1.2, 1460.0),
        ],
        ssthresh: vec![(1.05, 14_600.0), (1.2, 7300.0)],
        in_flight: vec![(1.0, 0.0), (1.001, 14_600.0), (1.1, 0.0)],
        fast_retransmits: vec![1.05],
        recovery_retransmits: 1,
        recoveries: vec![(1.05, Some(1.09))],
        rtos: vec![1.2],
        bdp: Some(Bdp {
            rate_bps: 10e6,
            min_rtt_s: 0.04,
        }),
    }
}

#[test]
fn cwnd_shows_recovery_rto_fast_retransmit_and_bdp() {
    let p = cwnd_fixture();
    let t = texts(&render(&p).svg);
    for legend in [
        "cwnd",
        "ssthresh",
        "bytes in flight",
        "in loss recovery",
        "fast retransmit (1)",
        "retransmission timeout (1)",
        "BDP 50 KB (10 Mbit/s × 40 ms)",
    ] {
        assert!(has(&t, legend), "{legend}: {t:?}");
    }
    // The recovery band is a translucent orange rectangle.
    let svg = render(&p).svg;
    let bands = |svg: &str| {
        roxmltree::Document::parse(svg)
            .unwrap()
            .descendants()
            .filter(|n| n.has_tag_name("rect") && n.attribute("fill") == Some("#FF7F0E"))
            .count()
    };
    assert_eq!(bands(&svg), 2, "one band on the plot, one in the legend");

    let quiet = CwndPlot {
        fast_retransmits: vec![],
        recoveries: vec![],
        rtos: vec![],
        bdp: None,
        ..cwnd_fixture()
    };
    let svg = render(&quiet).svg;
    let t = texts(&svg);
    assert_eq!(bands(&svg), 0);
    for absent in [
        "in loss recovery",
        "fast retransmit (1)",
        "retransmission timeout (1)",
    ] {
        assert!(!has(&t, absent), "{absent}");
    }
    assert!(!t.iter().any(|s| s.starts_with("BDP")));
}

#[test]
fn cwnd_axes_cover_windows_markers_and_bdp() {
    let mut p = cwnd_fixture();
    let (x, y, scale) = p.axes();
    assert!(x.start <= 1.0 && x.end >= 1.2, "{x:?}");
    assert!(y.start <= 0.0 && y.end >= 50_000.0, "BDP included: {y:?}");
    assert_eq!(scale.unit, "KB");
    p.bdp = None;
    let (_, y, _) = p.axes();
    assert!(y.end >= 29_200.0 && y.end < 50_000.0, "{y:?}");
}

#[test]
fn rtt_axes_cover_samples_and_a_backed_off_rto() {
    let p = RttPlot {
        flow: "h1:40000 → h2:80".into(),
        samples: vec![(1.04, 0.040), (1.08, 0.041)],
        sample_count: 2,
        srtt: vec![(1.04, 0.040), (1.08, 0.0401)],
        rto: vec![(1.04, 1.0), (2.0, 2.0), (4.0, 16.0)],
    };
    let (x, y) = p.axes();
    assert!(x.start <= 1.04 && x.end >= 4.0, "{x:?}");
    assert!(y.start <= 40.0 && y.end >= 16_000.0, "milliseconds: {y:?}");
    let t = texts(&render(&p).svg);
    for legend in ["SRTT", "RTO (up to 16 s)", "RTT sample (2, min 40 ms)"] {
        assert!(has(&t, legend), "{legend}: {t:?}");
    }
}

#[test]
fn throughput_shows_every_flow_in_both_panels() {
    let flow = |label: &str, rate: f64| FlowRate {
        label: label.into(),
        sending: vec![(1.0, rate), (1.5, rate * 1.1)],
        goodput: vec![(1.0, rate * 0.9), (1.5, rate)],
    };
    let p = ThroughputPlot {
        flows: vec![flow("s1:1 → r1:2", 5e6), flow("s2:1 → r2:2", 4e6)],
        bin_s: 0.5,
    };
    let (x, y, scale) = p.axes();
    assert!(
        x.start <= 1.0 && x.end >= 2.0,
        "the last bin ends at 2 s: {x:?}"
    );
    assert!(y.end >= 5.5e6, "{y:?}");
    assert_eq!(scale.unit, "Mbit/s");
    let t = texts(&render(&p).svg);
    assert!(has(&t, "s1:1 → r1:2"), "{:?}", t);
    assert!(has(&t, "s2:1 → r2:2"), "{:?}", t);
    assert!(has(&t, "rates averaged over 500 ms bins"), "{:?}", t);
}

#[test]
fn queue_plot_marks_drops_by_reason() {
    let p = QueuePlot {
        direction: "l1 r1:eth1 → h2:eth0".into(),
        packets: vec![(1.0, 0.0), (1.1, 5.0), (1.2, 10.0), (1.3, 0.0)],
        drops: vec![1.2, 1.25],
        drop_reasons: vec![("queue-full".into(), 2)],
    };
    let (x, y) = p.axes();
    assert!(x.start <= 1.0 && x.end >= 1.3 && y.end >= 10.0);
    let svg = render(&p).svg;
    let t = texts(&svg);
    assert!(has(&t, "drop (2)"), "{t:?}");
    assert!(has(&t, "2 × queue-full"), "{:?}", t);
    // Each drop is a red cross: two strokes of the alert colour.
    let crosses = roxmltree::Document::parse(&svg)
        .unwrap()
        .descendants()
        .filter(|n| n.attribute("stroke") == Some("#D62728"))
        .count();
    assert_eq!(
        crosses,
        2 * 2 + 2,
        "two crosses on the plot, one in the legend"
    );

    let calm = QueuePlot {
        drops: vec![],
        drop_reasons: vec![],
        ..p
    };
    assert!(!has(&texts(&render(&calm).svg), "drop ("));
}

// ---------------------------------------------------------------------------
// The sink, fed a small connection story.

fn h1() -> Endpoint {
    Endpoint {
        addr: "10.0.1.10".parse().unwrap(),
        port: 40000,
    }
}

fn h2() -> Endpoint {
    Endpoint {
        addr: "10.0.2.10".parse().unwrap(),
        port: 80,
    }
}

fn repr(from_h1: bool, seq: u32, ack: Option<u32>, syn: bool, sack: &[(u32, u32)]) -> TcpRepr {
    let (src, dst) = if from_h1 { (h1(), h2()) } else { (h2(), h1()) };
    let mut blocks = SackBlocks::new();
    for &(l, r) in sack {
        assert!(blocks.push((TcpSeq(l), TcpSeq(r))));
    }
    TcpRepr {
        src_port: src.port,
        dst_port: dst.port,
        seq: TcpSeq(seq),
        ack: ack.map(TcpSeq),
        flags: TcpFlags {
            syn,
            ..TcpFlags::NONE
        },
        window: 512,
        options: TcpOptions {
            window_scale: syn.then_some(7),
            sack_blocks: blocks,
            ..TcpOptions::default()
        },
        ..TcpRepr::default()
    }
}

fn frame(from_h1: bool, repr: TcpRepr, len: usize) -> Frame {
    let mut header = ip_header(64, 1);
    if !from_h1 {
        std::mem::swap(&mut header.src, &mut header.dst);
    }
    header.protocol = IpProtocol::Tcp;
    let packet = Ipv4Packet::new(
        header,
        IpBody::Tcp {
            header: Box::new(repr),
            payload: Bytes::from(vec![0x61; len]),
        },
    );
    let (a, b) = if from_h1 {
        (H1_ETH0, R1_ETH0)
    } else {
        (H2_ETH0, R1_ETH1)
    };
    ip_frame(a, b, packet)
}

fn sample(cwnd: usize, ssthresh: usize, rtt_samples: u64, delivered: u64) -> TcpSample {
    TcpSample {
        cwnd,
        ssthresh,
        in_flight: 0,
        srtt: Some(SimDuration::from_millis(1)),
        rttvar: Some(SimDuration::from_micros(500)),
        rto: SimDuration::from_millis(200),
        sent: 0,
        delivered,
        rtt: Some(SimDuration::from_millis(1)),
        rtt_samples,
    }
}

/// Feeds a connection from h1 to h2 to a sink: the handshake, five data
/// segments of which the second is lost, three duplicate ACKs, one fast
/// retransmission and the ACK of everything; queue samples and one drop.
fn story(sink: &mut PlotSink) {
    const ISN: u32 = 1000;
    let ms = |m: u64| SimTime::from_nanos(1_000_000_000 + m * 100_000);
    let tcp = |sink: &mut PlotSink, t, node, trace: TcpTrace| {
        let (local, remote) = if node == H1 {
            (h1(), h2())
        } else {
            (h2(), h1())
        };
        sink.record(
            t,
            &Event::Tcp(events::Tcp {
                node,
                local,
                remote,
                trace: &trace,
            }),
        );
    };
    let sent = |sink: &mut PlotSink, t, r: TcpRepr, len, cause| {
        tcp(
            sink,
            t,
            H1,
            TcpTrace::Sent {
                repr: r,
                len,
                cause,
            },
        );
        let f = frame(true, r, len);
        sink.record(
            t,
            &Event::Tx(events::Tx {
                iface: H1_ETH0,
                frame: &f,
            }),
        );
        sink.record(
            t,
            &Event::Tx(events::Tx {
                iface: R1_ETH1,
                frame: &f,
            }),
        );
    };
    let arrives = |sink: &mut PlotSink, t, r: TcpRepr| {
        let f = frame(false, r, 0);
        sink.record(
            t,
            &Event::Rx(events::Rx {
                iface: H1_ETH0,
                frame: &f,
            }),
        );
    };
    let queue = |sink: &mut PlotSink, t, link, dir, packets| {
        sink.record(
            t,
            &Event::QueueSample(events::QueueSample {
                link: LinkId(link),
                dir,
                packets,
                bytes: packets * 1000,
            }),
        );
    };

    sent(
        sink,
        ms(0),
        repr(true, ISN, None, true, &[]),
        0,
        SendCause::Syn,
    );
    arrives(sink, ms(10), repr(false, 5000, Some(ISN + 1), true, &[]));
    tcp(
        sink,
        ms(10),
        H1,
        TcpTrace::Sample(sample(14_600, usize::MAX, 1, 0)),
    );
    tcp(
        sink,
        ms(10),
        H2,
        TcpTrace::Sample(sample(14_600, usize::MAX, 0, 0)),
    );
    for k in 0..5u32 {
        let t = ms(11 + u64::from(k));
        sent(
            sink,
            t,
            repr(true, ISN + 1 + 1000 * k, Some(5001), false, &[]),
            1000,
            SendCause::NewData,
        );
    }
    // Queue of h1's direction on l0: builds up while the burst leaves.
    queue(sink, ms(11), 0, 0, 0);
    queue(sink, ms(12), 0, 0, 3);
    queue(sink, ms(16), 0, 0, 0);
    // The reverse direction only passes ACKs through (never waits).
    queue(sink, ms(21), 0, 1, 1);
    queue(sink, ms(21), 0, 1, 0);
    // r1 drops the second segment on l1.
    let lost = frame(true, repr(true, ISN + 1001, Some(5001), false, &[]), 1000);
    sink.record(
        ms(12),
        &Event::Drop(events::Drop {
            node: R1,
            iface: Some(R1_ETH1),
            what: Dropped::Frame(&lost),
            reason: &DropReason::QueueFull,
        }),
    );
    arrives(
        sink,
        ms(21),
        repr(false, 5001, Some(ISN + 1001), false, &[]),
    );
    tcp(
        sink,
        ms(21),
        H1,
        TcpTrace::Sample(sample(16_060, usize::MAX, 2, 1000)),
    );
    for k in 0..3u32 {
        let sack = [(ISN + 2001, ISN + 3001 + 1000 * k)];
        arrives(
            sink,
            ms(22 + u64::from(k)),
            repr(false, 5001, Some(ISN + 1001), false, &sack),
        );
    }
    tcp(
        sink,
        ms(24),
        H1,
        TcpTrace::RecoveryStart(RecoveryKind::NewReno),
    );
    sent(
        sink,
        ms(24),
        repr(true, ISN + 1001, Some(5001), false, &[]),
        1000,
        SendCause::FastRetransmission,
    );
    tcp(
        sink,
        ms(24),
        H1,
        TcpTrace::Sample(sample(8030, 8030, 2, 1000)),
    );
    arrives(
        sink,
        ms(34),
        repr(false, 5001, Some(ISN + 5001), false, &[]),
    );
    tcp(sink, ms(34), H1, TcpTrace::RecoveryEnd);
    tcp(
        sink,
        ms(34),
        H1,
        TcpTrace::Sample(sample(8030, 8030, 3, 5000)),
    );
}

fn run_story(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("netsim-plot-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut sink = PlotSink::new(&dir, Arc::new(router_topology()), &provenance());
    story(&mut sink);
    sink.finish().unwrap();
    dir
}

#[test]
fn the_sink_writes_every_plot_and_the_manifest() {
    let dir = run_story("sink");
    let manifest: PlotManifest =
        serde_json::from_slice(&std::fs::read(dir.join(PLOTS_MANIFEST)).unwrap()).unwrap();
    assert_eq!(manifest.provenance, provenance());
    let listed: Vec<(PlotKind, &str)> = manifest
        .plots
        .iter()
        .map(|p| (p.kind, p.svg.as_str()))
        .collect();
    assert_eq!(
        listed,
        [
            (PlotKind::Throughput, "throughput.svg"),
            (PlotKind::Cwnd, "cwnd-h1-40000-h2-80.svg"),
            (PlotKind::Tseq, "tseq-h1-40000-h2-80.svg"),
            (PlotKind::Rtt, "rtt-h1-40000-h2-80.svg"),
            (PlotKind::Queue, "queue-l1-a_to_b.svg"),
            (PlotKind::Queue, "queue-l0-a_to_b.svg"),
        ],
        "h2 sent no data: no flow; the queue that dropped first; l0 b→a never held a frame: no plot"
    );
    assert!(manifest.flows_without_plots.is_empty());
    assert!(manifest.queues_without_plots.is_empty());
    assert_eq!(manifest.plots[1].flow.as_deref(), Some("h1-40000-h2-80"));
    assert_eq!(
        manifest.plots[1].title,
        "Congestion window: h1:40000 → h2:80"
    );
    assert_eq!(manifest.plots[4].link.as_deref(), Some("l1"));
    assert_eq!(manifest.plots[4].direction.as_deref(), Some("a_to_b"));
    for p in &manifest.plots {
        assert!(dir.join(&p.png).is_file(), "{}", p.png);
        let svg = std::fs::read_to_string(dir.join(&p.svg)).unwrap();
        let t = texts(&svg);
        assert_eq!(count(&t, &p.title), 1, "{} is titled", p.svg);
        assert!(
            svg.contains("<!-- netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0 -->")
        );
    }

    let tseq = texts(&std::fs::read_to_string(dir.join("tseq-h1-40000-h2-80.svg")).unwrap());
    assert_eq!(count(&tseq, "R"), 1, "one fast retransmission, one R");
    assert!(has(&tseq, "duplicate ACK (3)"), "{:?}", tseq);
    assert!(has(&tseq, "SACK block"), "{:?}", tseq);
    let cwnd = texts(&std::fs::read_to_string(dir.join("cwnd-h1-40000-h2-80.svg")).unwrap());
    assert!(has(&cwnd, "fast retransmit (1)"), "{:?}", cwnd);
    assert!(has(&cwnd, "in loss recovery"), "{:?}", cwnd);
    // Both links run at 100 Mbit/s and the lowest RTT was 1 ms.
    assert!(has(&cwnd, "BDP 12.5 KB (100 Mbit/s × 1 ms)"), "{cwnd:?}");
    let queue = texts(&std::fs::read_to_string(dir.join("queue-l1-a_to_b.svg")).unwrap());
    assert!(has(&queue, "1 × queue-full"), "{:?}", queue);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_same_story_gives_the_same_bytes() {
    let a = run_story("same-a");
    let b = run_story("same-b");
    let read = |dir: &PathBuf| {
        let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let p = e.unwrap().path();
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                )
            })
            .collect();
        v.sort();
        v
    };
    let (fa, fb) = (read(&a), read(&b));
    assert_eq!(
        fa.len(),
        6 * 2 + 1,
        "six plots, two files each, and the manifest"
    );
    assert_eq!(fa, fb);
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}

#[test]
fn per_flow_plots_stop_at_the_limit_and_the_manifest_says_who_is_left_out() {
    let dir = std::env::temp_dir().join(format!("netsim-plot-many-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut sink = PlotSink::new(&dir, Arc::new(router_topology()), &provenance());
    // Ten connections from h1; connection k sends k + 1 segments.
    for k in 0..10u16 {
        let local = Endpoint {
            port: 40000 + k,
            ..h1()
        };
        for n in 0..=u32::from(k) {
            let mut r = repr(true, 1 + 1000 * n, Some(1), false, &[]);
            r.src_port = local.port;
            let trace = TcpTrace::Sent {
                repr: r,
                len: 1000,
                cause: SendCause::NewData,
            };
            let t = SimTime::from_nanos(1_000_000_000 + u64::from(n) * 1_000_000);
            sink.record(
                t,
                &Event::Tcp(events::Tcp {
                    node: H1,
                    local,
                    remote: h2(),
                    trace: &trace,
                }),
            );
        }
    }
    sink.finish().unwrap();
    let manifest: PlotManifest =
        serde_json::from_slice(&std::fs::read(dir.join(PLOTS_MANIFEST)).unwrap()).unwrap();
    assert_eq!(
        manifest.flows_without_plots,
        ["h1-40000-h2-80", "h1-40001-h2-80"],
        "the two smallest"
    );
    let cwnd = manifest
        .plots
        .iter()
        .filter(|p| p.kind == PlotKind::Cwnd)
        .count();
    assert_eq!(cwnd, super::MAX_FLOW_PLOTS);
    let throughput = texts(&std::fs::read_to_string(dir.join("throughput.svg")).unwrap());
    assert!(
        has(&throughput, "h1:40000 → h2:80"),
        "every flow is in the throughput plot"
    );
    assert!(has(&throughput, "h1:40009 → h2:80"), "{:?}", throughput);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_run_without_tcp_or_queues_writes_no_plots() {
    let dir = std::env::temp_dir().join(format!("netsim-plot-none-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut sink = PlotSink::new(&dir, Arc::new(router_topology()), &provenance());
    sink.finish().unwrap();
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}
