//! End-to-end tests of the TCP teaching scenarios: what a student would check
//! in the trace and in Wireshark.

mod common;

use common::{events, scratch, shipped, tcp_sent, tcp_states, tshark_fields};
use netsim::{AppStats, Loaded, RunOptions};

fn run(name: &str, overrides: &[&str]) -> (netsim::RunOutcome, std::path::PathBuf) {
    let out = scratch(&format!("tcp-{name}-{}", overrides.len()));
    let file = shipped(name);
    let overrides: Vec<String> = overrides.iter().map(|s| s.to_string()).collect();
    let loaded = Loaded::from_file(&file, &overrides).unwrap();
    let opts = RunOptions {
        out_dir: Some(out.clone()),
        write_outputs: true,
        ..RunOptions::default()
    };
    (netsim::run(&loaded, &opts).unwrap(), out)
}

fn app<'a>(o: &'a netsim::RunOutcome, node: &str) -> &'a AppStats {
    &o.apps.iter().find(|(n, _)| n == node).unwrap().1
}

#[test]
fn handshake_data_and_close_follow_the_rfc_figures() {
    let (o, out) = run("tcp-handshake", &[]);
    let ev = events(&out);
    assert_eq!(
        tcp_states(&ev, "client"),
        [
            "CLOSED -> SYN-SENT",
            "SYN-SENT -> ESTABLISHED",
            "ESTABLISHED -> FIN-WAIT-1",
            "FIN-WAIT-1 -> FIN-WAIT-2",
            "FIN-WAIT-2 -> TIME-WAIT",
            "TIME-WAIT -> CLOSED",
        ]
    );
    assert_eq!(
        tcp_states(&ev, "server"),
        [
            "LISTEN -> SYN-RECEIVED",
            "SYN-RECEIVED -> ESTABLISHED",
            "ESTABLISHED -> CLOSE-WAIT",
            "CLOSE-WAIT -> LAST-ACK",
            "LAST-ACK -> CLOSED",
        ]
    );
    // The three-way handshake: <SEQ=x><CTL=SYN>, <SEQ=y><ACK=x+1><CTL=SYN,ACK>, <SEQ=x+1><ACK=y+1><CTL=ACK>.
    let (c, s) = (tcp_sent(&ev, "client"), tcp_sent(&ev, "server"));
    let (x, y) = (c[0].0, s[0].0);
    assert_eq!((c[0].2.as_str(), c[0].1), ("S", -1));
    assert_eq!((s[0].2.as_str(), s[0].1), ("S.", (x + 1) as i64));
    assert_eq!(
        (c[1].0, c[1].1, c[1].2.as_str(), c[1].3),
        (x + 1, (y + 1) as i64, ".", 0)
    );
    // 1000 bytes each way, every byte checked.
    let AppStats::Bulk(b) = app(&o, "client") else {
        panic!()
    };
    assert_eq!(
        (b.bytes_written, b.bytes_received, b.mismatched, b.error),
        (1000, 1000, 0, false)
    );
    let AppStats::Sink(k) = app(&o, "server") else {
        panic!()
    };
    assert_eq!((k.bytes, k.mismatched, k.closed_cleanly), (1000, 0, 1));
    // Wireshark sees a clean connection: no analysis flag at all.
    let flagged = tshark_fields(
        &out.join("client-eth0.pcap"),
        "tcp.analysis.flags",
        &["frame.number"],
    );
    assert!(flagged.is_empty(), "tshark flags frames {flagged:?}");
}

#[test]
fn an_http_response_of_4960_bytes_leaves_as_1460_1460_1460_580() {
    let (o, out) = run("http-segmentation", &[]);
    let lens = tshark_fields(
        &out.join("server-eth0.pcap"),
        "tcp.srcport == 80 && tcp.len > 0",
        &["tcp.len"],
    );
    assert_eq!(lens, ["1460", "1460", "1460", "580"]);
    let AppStats::HttpClient(h) = app(&o, "client") else {
        panic!()
    };
    assert_eq!((h.completed, h.mismatched), (1, 0));
    // Wireshark decodes the HTTP exchange.
    let http = tshark_fields(
        &out.join("client-eth0.pcap"),
        "http",
        &["http.request.method", "http.response.code"],
    );
    assert_eq!(http, ["GET,", ",200"]);
    let flagged = tshark_fields(
        &out.join("client-eth0.pcap"),
        "tcp.analysis.flags",
        &["frame.number"],
    );
    assert!(flagged.is_empty(), "tshark flags frames {flagged:?}");
}

#[test]
fn a_lost_syn_is_retransmitted_after_the_initial_rto() {
    let (o, out) = run("tcp-lost-syn", &[]);
    let ev = events(&out);
    let syns: Vec<_> = tcp_sent(&ev, "client")
        .into_iter()
        .filter(|s| s.2 == "S")
        .collect();
    assert_eq!(syns.len(), 2);
    assert_eq!(syns[0].0, syns[1].0, "same ISN");
    assert_eq!(syns[1].4, "retransmission (RTO)");
    let times: Vec<f64> = ev
        .iter()
        .filter(|e| e["kind"] == "tcp" && e["tcp"] == "sent" && e["flags"] == "S")
        .map(|e| e["t_ns"].as_f64().unwrap() / 1e9)
        .collect();
    assert_eq!(times, [1.0, 2.0], "RFC 6298 §2.1: initial RTO of 1 s");
    // tshark sees the second SYN as a retransmission too.
    let flagged = tshark_fields(
        &out.join("client-eth0.pcap"),
        "tcp.analysis.retransmission",
        &["tcp.flags.syn"],
    );
    assert_eq!(flagged, ["1"]);
    let AppStats::Sink(k) = app(&o, "server") else {
        panic!()
    };
    assert_eq!((k.bytes, k.mismatched), (2000, 0));
}

#[test]
fn simultaneous_open_goes_through_syn_received_on_both_sides() {
    let (o, out) = run("tcp-simultaneous-open", &[]);
    let ev = events(&out);
    for node in ["a", "b"] {
        assert_eq!(
            tcp_states(&ev, node),
            [
                "CLOSED -> SYN-SENT",
                "SYN-SENT -> SYN-RECEIVED",
                "SYN-RECEIVED -> ESTABLISHED"
            ]
        );
        let AppStats::Bulk(b) = app(&o, node) else {
            panic!()
        };
        assert_eq!((b.bytes_written, b.error), (100, false));
    }
}

#[test]
fn simultaneous_close_goes_through_closing_on_both_sides() {
    let (_, out) = run("tcp-simultaneous-close", &[]);
    let ev = events(&out);
    for node in ["a", "b"] {
        let states = tcp_states(&ev, node);
        assert_eq!(
            &states[3..],
            [
                "ESTABLISHED -> FIN-WAIT-1",
                "FIN-WAIT-1 -> CLOSING",
                "CLOSING -> TIME-WAIT",
                "TIME-WAIT -> CLOSED"
            ]
        );
    }
}

#[test]
fn a_slow_reader_closes_the_window_and_the_sender_probes_with_backoff() {
    let (o, out) = run("tcp-zero-window", &[]);
    let ev = events(&out);
    let probes: Vec<f64> = ev
        .iter()
        .filter(|e| e["kind"] == "tcp" && e["cause"] == "zero window probe")
        .map(|e| e["t_ns"].as_f64().unwrap() / 1e9)
        .collect();
    assert!(probes.len() >= 3, "{probes:?}");
    // One probe per persist interval, the interval doubling: 2 s then 4 s apart.
    assert!((probes[1] - probes[0] - 2.0).abs() < 1e-9, "{probes:?}");
    assert!((probes[2] - probes[1] - 4.0).abs() < 1e-9, "{probes:?}");
    // Wireshark calls exactly those frames zero-window probes.
    let tshark_probes = tshark_fields(
        &out.join("sender-eth0.pcap"),
        "tcp.analysis.zero_window_probe",
        &["frame.number"],
    );
    assert_eq!(tshark_probes.len(), probes.len());
    let AppStats::Sink(k) = app(&o, "reader") else {
        panic!()
    };
    assert_eq!((k.bytes, k.mismatched), (6000, 0));
}

#[test]
fn a_syn_to_a_closed_port_is_refused_with_a_reset() {
    let (o, out) = run("tcp-closed-port", &[]);
    let rst = tshark_fields(
        &out.join("client-eth0.pcap"),
        "tcp.flags.reset == 1",
        &["tcp.seq_raw", "tcp.ack_raw", "tcp.flags.ack"],
    );
    let syn = tshark_fields(
        &out.join("client-eth0.pcap"),
        "tcp.flags.syn == 1",
        &["tcp.seq_raw"],
    );
    let isn: u64 = syn[0].parse().unwrap();
    // RFC 9293 §3.10.7.1: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
    assert_eq!(rst, [format!("0,{},1", isn + 1)]);
    assert_eq!(
        tcp_states(&events(&out), "client"),
        ["CLOSED -> SYN-SENT", "SYN-SENT -> CLOSED"]
    );
    let AppStats::Bulk(b) = app(&o, "client") else {
        panic!()
    };
    assert!(b.error);
}

#[test]
fn keepalive_probes_an_idle_connection_and_drops_it_when_the_peer_dies() {
    let (o, out) = run("tcp-keepalive", &[]);
    let ev = events(&out);
    let probes: Vec<f64> = ev
        .iter()
        .filter(|e| e["kind"] == "tcp" && e["cause"] == "keep-alive")
        .map(|e| e["t_ns"].as_f64().unwrap() / 1e9)
        .collect();
    // Two answered probes 20 s apart while the server lives, then three unanswered 5 s apart.
    assert_eq!(probes.len(), 5, "{probes:?}");
    assert!((probes[1] - probes[0] - 20.0).abs() < 0.1, "{probes:?}");
    assert!(
        (probes[3] - probes[2] - 5.0).abs() < 1e-9 && (probes[4] - probes[3] - 5.0).abs() < 1e-9,
        "{probes:?}"
    );
    let aborted: Vec<_> = ev
        .iter()
        .filter(|e| e["tcp"] == "aborted")
        .map(|e| e["cause"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(aborted, ["keepalive timeout"]);
    let tshark_ka = tshark_fields(
        &out.join("client-eth0.pcap"),
        "tcp.analysis.keep_alive",
        &["frame.number"],
    );
    assert_eq!(tshark_ka.len(), 5);
    let AppStats::Bulk(b) = app(&o, "client") else {
        panic!()
    };
    assert!(b.error);
}

#[test]
fn a_syn_flood_locks_out_the_client_unless_syn_cookies_are_on() {
    let (o, out) = run("syn-flood", &[]);
    let AppStats::Sink(k) = app(&o, "server") else {
        panic!()
    };
    assert_eq!(k.bytes, 0, "the legitimate client never gets in");
    let AppStats::Bulk(b) = app(&o, "client") else {
        panic!()
    };
    assert!(b.error && b.connected_at.is_none());
    let ev = events(&out);
    assert!(ev.iter().any(|e| e["tcp"] == "listen-queue-full"));

    let (o, out) = run("syn-flood", &["nodes.server.apps.0.syn_cookies=true"]);
    let AppStats::Sink(k) = app(&o, "server") else {
        panic!()
    };
    assert_eq!(
        (k.bytes, k.mismatched),
        (1000, 0),
        "with SYN cookies the client gets through"
    );
    let ev = events(&out);
    assert!(ev.iter().any(|e| e["tcp"] == "syn-cookie-accepted"));
}

#[test]
fn http11_reuses_one_connection_and_finishes_sooner() {
    let (o, _) = run("http10-vs-http11", &[]);
    let (AppStats::HttpClient(old), AppStats::HttpClient(new)) = (app(&o, "old"), app(&o, "new"))
    else {
        panic!()
    };
    assert_eq!((old.completed, old.connections), (5, 5));
    assert_eq!((new.completed, new.connections), (5, 1));
    assert_eq!(old.mismatched + new.mismatched, 0);
    let total = |h: &netsim::protocols::apps::http::HttpClientStats| {
        h.response_times.iter().map(|d| d.as_nanos()).sum::<u64>()
    };
    assert!(
        total(new) < total(old),
        "persistent connection is faster: {} vs {}",
        total(new),
        total(old)
    );
    // Later HTTP/1.1 responses skip the handshake: one RTT (40 ms) less than the first.
    assert!(new.response_times[1] < new.response_times[0]);
}

/// Every segment we label a retransmission, tshark flags as one too, in every
/// shipped scenario that carries TCP. (Wireshark calls a retransmission that
/// follows the previous segment by less than its out-of-order threshold
/// "out-of-order": SACK retransmissions sent back to back are flagged so.)
#[test]
fn tshark_agrees_with_our_retransmission_labels() {
    for scenario in common::shipped_scenarios() {
        let name = scenario.file_stem().unwrap().to_string_lossy().into_owned();
        let out = scratch(&format!("agree-{name}"));
        common::run_into(&scenario, &out, &[]);
        let ev = events(&out);
        let labelled: Vec<(String, u64, u64)> = ev
            .iter()
            .filter(|e| e["kind"] == "tcp" && e["tcp"] == "sent")
            .filter(|e| {
                e["cause"]
                    .as_str()
                    .is_some_and(|c| c.contains("retransmission"))
            })
            .map(|e| {
                (
                    e["node"].as_str().unwrap().to_string(),
                    e["seq"].as_u64().unwrap(),
                    e["payload_len"].as_u64().unwrap(),
                )
            })
            .collect();
        // One tshark run per capture: the (seq, len) of every frame it flags.
        let mut flagged: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (node, seq, len) in labelled {
            // Retransmissions are Summary events: scenarios that capture only
            // their bottleneck (the dumbbell) list them for uncaptured senders.
            let Some(pcap) = std::fs::read_dir(&out)
                .unwrap()
                .map(|e| e.unwrap().path())
                .find(|p| {
                    p.file_name()
                        .unwrap()
                        .to_string_lossy()
                        .starts_with(&format!("{node}-"))
                })
            else {
                continue;
            };
            let frames = flagged.entry(node.clone()).or_insert_with(|| {
                tshark_fields(
                    &pcap,
                    "tcp.analysis.retransmission || tcp.analysis.fast_retransmission || tcp.analysis.out_of_order",
                    &["tcp.seq_raw", "tcp.len"],
                )
            });
            assert!(
                frames.contains(&format!("{seq},{len}")),
                "{name}: {node} labels seq {seq} len {len} a retransmission; tshark does not"
            );
        }
    }
}

#[test]
fn time_series_record_the_connection_and_the_queue() {
    let (_, out) = run("tcp-lost-syn", &[]);
    let client = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tcp-client-")
        })
        .expect("a series file for the client's connection");
    let csv = std::fs::read_to_string(client).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next().unwrap(),
        "time_s,cwnd_bytes,ssthresh_bytes,in_flight_bytes,srtt_ms,rttvar_ms,rto_ms,sent_bytes,delivered_bytes,send_rate_bps,delivery_rate_bps,event"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let times: Vec<f64> = rows.iter().map(|r| r[0].parse().unwrap()).collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "time never goes back"
    );
    // RFC 5681 §3.1: after a lost SYN the initial window is one segment.
    assert_eq!(rows[0][1], "1460");
    // RFC 6298 §5.7: after a lost SYN the RTO is 3 s until the first sample.
    assert_eq!(rows[0][6], "3000.000");
    // By the end all 2000 bytes were sent and acknowledged.
    let last = rows.iter().rev().find(|r| !r[8].is_empty()).unwrap();
    assert_eq!((last[7], last[8]), ("2000", "2000"));
    // The queue of the client->server direction records the SYN lost to the drop rule.
    let q = std::fs::read_to_string(out.join("queue-client-server-a_to_b.csv")).unwrap();
    let drops: Vec<&str> = q.lines().filter(|l| l.ends_with(",drop-rule")).collect();
    assert_eq!(drops.len(), 1, "{q}");
    assert!(
        drops[0].starts_with("1.02"),
        "the SYN, sent at 1.02 s after ARP: {}",
        drops[0]
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("series.json")).unwrap()).unwrap();
    assert_eq!(manifest["tcp"].as_array().unwrap().len(), 2);
}

fn sent_with_cause(ev: &[serde_json::Value], node: &str, cause: &str) -> Vec<f64> {
    ev.iter()
        .filter(|e| {
            e["kind"] == "tcp" && e["tcp"] == "sent" && e["node"] == node && e["cause"] == cause
        })
        .map(|e| e["t_ns"].as_f64().unwrap() / 1e9)
        .collect()
}

#[test]
fn one_lost_segment_is_recovered_by_exactly_one_fast_retransmit() {
    let (o, out) = run("fast-retransmit", &[]);
    let ev = events(&out);
    assert_eq!(
        sent_with_cause(&ev, "sender", "fast retransmission").len(),
        1
    );
    assert!(
        sent_with_cause(&ev, "sender", "retransmission (RTO)").is_empty(),
        "no timeout"
    );
    assert_eq!(ev.iter().filter(|e| e["tcp"] == "timeout").count(), 0);
    assert_eq!(
        ev.iter().filter(|e| e["tcp"] == "recovery-start").count(),
        1
    );
    assert_eq!(ev.iter().filter(|e| e["tcp"] == "recovery-end").count(), 1);
    // The receiver sent three duplicate ACKs before the retransmission: tshark sees them.
    let dups = tshark_fields(
        &out.join("sender-eth0.pcap"),
        "tcp.analysis.duplicate_ack",
        &["frame.number"],
    );
    assert!(dups.len() >= 3, "{dups:?}");
    let fast = tshark_fields(
        &out.join("sender-eth0.pcap"),
        "tcp.analysis.fast_retransmission",
        &["tcp.len"],
    );
    assert_eq!(fast, ["1460"]);
    let AppStats::Sink(k) = app(&o, "receiver") else {
        panic!()
    };
    assert_eq!((k.bytes, k.mismatched), (30_000, 0));
}

#[test]
fn sack_recovers_three_losses_in_one_rtt_newreno_needs_three() {
    let (_, out) = run("sack-multiple-loss", &[]);
    let ev = events(&out);
    let span = |node: &str| {
        let t = sent_with_cause(&ev, node, "fast retransmission");
        assert_eq!(t.len(), 3, "{node}: {t:?}");
        t[2] - t[0]
    };
    let rtt = 0.040; // 2 × 20 ms
    assert!(
        span("sack-sender") < rtt,
        "SACK: all three holes within one RTT ({})",
        span("sack-sender")
    );
    assert!(
        span("reno-sender") >= 2.0 * rtt,
        "NewReno: one hole per RTT ({})",
        span("reno-sender")
    );
}

#[test]
fn the_rto_doubles_at_each_timeout_during_a_blackout() {
    let (o, out) = run("rto-backoff", &[]);
    let ev = events(&out);
    let t = sent_with_cause(&ev, "sender", "retransmission (RTO)");
    let first_per_timeout: Vec<f64> = ev
        .iter()
        .filter(|e| e["tcp"] == "timeout" && e["node"] == "sender")
        .map(|e| e["t_ns"].as_f64().unwrap() / 1e9)
        .collect();
    assert!(first_per_timeout.len() >= 4, "{first_per_timeout:?}");
    let gaps: Vec<f64> = first_per_timeout.windows(2).map(|w| w[1] - w[0]).collect();
    for g in gaps.windows(2) {
        assert!((g[1] / g[0] - 2.0).abs() < 1e-6, "gaps {gaps:?}");
    }
    assert!(!t.is_empty());
    let AppStats::Sink(k) = app(&o, "receiver") else {
        panic!()
    };
    assert_eq!(
        (k.bytes, k.mismatched),
        (2_000_000, 0),
        "the transfer completes after the blackout"
    );
}

#[test]
fn slow_start_doubles_the_window_every_round_trip() {
    let (_, out) = run("slow-start", &[]);
    let csv = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("tcp-sender-")
        })
        .unwrap();
    let rows: Vec<(f64, u64)> = std::fs::read_to_string(csv)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c[0].parse().unwrap(), c[1].parse().unwrap())
        })
        .collect();
    // cwnd in the middle of each round trip (100 ms) after the handshake:
    // 10, 20, 40, 80 segments.
    let start = rows[0].0;
    let at = |k: f64| {
        rows.iter()
            .rev()
            .find(|(t, _)| *t <= start + k * 0.1 + 0.05)
            .unwrap()
            .1
            / 1460
    };
    assert_eq!([at(0.0), at(1.0), at(2.0), at(3.0)], [10, 20, 40, 80]);
}
