//! The summary sink on a hand-made story: h1 sends 3000 bytes to h2 through
//! r1, with a fast retransmission, a timeout and two drops.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use protocols::packet::{Frame, IpBody, Ipv4Packet};
use protocols::tcp::{Endpoint, RecoveryKind, SendCause, State, TcpSample, TcpTrace};
use protocols::topology::{IfaceId, NodeId};
use protocols::trace::events;
use protocols::trace::{DropReason, Dropped, Event, TraceSink};
use protocols::wire::{IpProtocol, TcpRepr};
use sim_core::{SimDuration, SimTime};

use super::{DirStats, SummarySink};
use crate::test_support::*;

fn at_ms(ms: u64) -> SimTime {
    SimTime::from_nanos(ms * 1_000_000)
}

fn end(addr: &str, port: u16) -> Endpoint {
    Endpoint {
        addr: addr.parse().unwrap(),
        port,
    }
}

fn h1(port: u16) -> Endpoint {
    end("10.0.1.10", port)
}

fn h2() -> Endpoint {
    end("10.0.2.10", 80)
}

fn sample(sent: u64, delivered: u64, rtt_ms: u64, rtt_samples: u64) -> TcpTrace {
    TcpTrace::Sample(TcpSample {
        cwnd: 14_600,
        ssthresh: usize::MAX,
        in_flight: (sent - delivered) as usize,
        srtt: None,
        rttvar: None,
        rto: SimDuration::from_secs(1),
        sent,
        delivered,
        rtt: Some(SimDuration::from_millis(rtt_ms)),
        rtt_samples,
    })
}

fn state(from: State, to: State) -> TcpTrace {
    TcpTrace::State {
        from,
        to,
        cause: "test",
    }
}

fn resent(cause: SendCause) -> TcpTrace {
    TcpTrace::Sent {
        repr: TcpRepr::default(),
        len: 1000,
        cause,
    }
}

/// A data segment from h1:40000 to h2:80, as a frame leaving `src` for `dst`.
fn data_frame(src: IfaceId, dst: IfaceId) -> Frame {
    let mut header = ip_header(64, 1);
    header.src = h1(40000).addr;
    header.dst = h2().addr;
    header.protocol = IpProtocol::Tcp;
    let tcp = TcpRepr {
        src_port: 40000,
        dst_port: 80,
        ..TcpRepr::default()
    };
    let packet = Ipv4Packet::new(
        header,
        IpBody::Tcp {
            header: Box::new(tcp),
            payload: Bytes::from(vec![0x61; 1000]),
        },
    );
    ip_frame(src, dst, packet)
}

fn tcp(sink: &mut SummarySink, ms: u64, node: NodeId, local: Endpoint, trace: TcpTrace) {
    let remote = if node == H1 { h2() } else { h1(40000) };
    sink.record(
        at_ms(ms),
        &Event::Tcp(events::Tcp {
            node,
            local,
            remote,
            trace: &trace,
        }),
    );
}

fn drop(
    sink: &mut SummarySink,
    ms: u64,
    node: NodeId,
    iface: IfaceId,
    frame: &Frame,
    why: DropReason,
) {
    sink.record(
        at_ms(ms),
        &Event::Drop(events::Drop {
            node,
            iface: Some(iface),
            what: Dropped::Frame(frame),
            reason: &why,
        }),
    );
}

#[test]
fn a_flow_shows_its_goodput_retransmissions_rtt_and_drops() {
    let (mut sink, handle) = SummarySink::new(Arc::new(router_topology()));
    let s = &mut sink;
    let a = h1(40000);
    tcp(s, 1000, H1, a, state(State::Closed, State::SynSent));
    tcp(s, 1010, H1, a, state(State::SynSent, State::Established));
    // The receiving end: a connection, but no flow (it sends no data).
    tcp(s, 1005, H2, h2(), state(State::Listen, State::SynReceived));
    tcp(
        s,
        1010,
        H2,
        h2(),
        state(State::SynReceived, State::Established),
    );
    tcp(s, 1010, H1, a, sample(1000, 0, 10, 1));
    tcp(s, 1030, H1, a, sample(3000, 1000, 20, 2));
    // Queue full at r1 towards h2 (a→b of link l1), and a frame lost in flight
    // when the link went down, reported where it would have arrived (h2).
    let frame = data_frame(R1_ETH1, H2_ETH0);
    drop(s, 1031, R1, R1_ETH1, &frame, DropReason::QueueFull);
    drop(s, 1032, H2, H2_ETH0, &frame, DropReason::LinkDown);
    tcp(
        s,
        1035,
        H1,
        a,
        TcpTrace::RecoveryStart(RecoveryKind::NewReno),
    );
    tcp(s, 1035, H1, a, resent(SendCause::FastRetransmission));
    let rto = TcpTrace::Timeout {
        rto: SimDuration::from_secs(1),
        count: 1,
    };
    tcp(s, 1040, H1, a, rto);
    tcp(s, 1040, H1, a, resent(SendCause::RtoRetransmission));
    tcp(s, 1050, H1, a, sample(3000, 3000, 99, 2));
    // A second connection whose SYN is never answered.
    tcp(s, 1100, H1, h1(40001), state(State::Closed, State::SynSent));

    let mut links = [[DirStats::default(); 2]; 2];
    links[1][0] = DirStats {
        frames_sent: 10,
        bytes_sent: 12_500_000,
        frames_delivered: 8,
        drops: 2,
        max_queue: 7,
        ecn_marks: 0,
    };
    let summary = handle.finish(at_ms(2000), &links);

    assert_eq!(summary.flows.len(), 2, "{:#?}", summary.flows);
    let f = &summary.flows[0];
    assert_eq!(f.id, "h1:40000 -> h2:80");
    assert_eq!((f.opened_s, f.established_s), (Some(1.0), Some(1.01)));
    assert_eq!((f.bytes_sent, f.bytes_delivered), (3000, 3000));
    // 3000 bytes from the first data (1.010 s) to the last ACK (1.050 s).
    assert!((f.duration_s - 0.040).abs() < 1e-12);
    assert!((f.goodput_bps - 600_000.0).abs() < 1e-6);
    assert_eq!(
        (f.retransmits, f.retransmits_rto, f.retransmits_fast),
        (2, 1, 1)
    );
    assert_eq!((f.rtos, f.recoveries), (1, 1));
    // Two measurements, 10 and 20 ms; the last sample carried no new one.
    assert_eq!(f.rtt_samples, 2);
    assert_eq!(
        (f.rtt_min_ms, f.rtt_mean_ms, f.rtt_max_ms),
        (Some(10.0), Some(15.0), Some(20.0))
    );
    assert_eq!(f.drops, 2);
    let by: BTreeMap<String, u64> =
        [("link-down".to_string(), 1), ("queue-full".to_string(), 1)].into();
    assert_eq!(f.drops_by_reason, by);

    let syn = &summary.flows[1];
    assert_eq!(syn.id, "h1:40001 -> h2:80");
    assert_eq!(
        (syn.established_s, syn.final_state.as_str()),
        (None, "SYN-SENT")
    );

    assert_eq!(summary.links.len(), 4);
    let l = &summary.links[2];
    assert_eq!(
        (
            l.link.as_str(),
            l.direction.as_str(),
            l.from.as_str(),
            l.to.as_str()
        ),
        ("l1", "a_to_b", "r1:eth1", "h2:eth0")
    );
    // 12.5 MB at 100 Mbit/s over 2 s: half the capacity.
    assert_eq!(l.utilisation, 0.5);
    assert_eq!((l.drops, l.max_queue_packets), (2, 7));
    assert_eq!(l.drops_by_reason, by);
    assert!(summary.links[3].drops_by_reason.is_empty());
}

#[test]
fn an_acknowledged_fin_means_every_byte_was_delivered() {
    // The stack stops sampling at CLOSED: the ACK of data and FIN in
    // LAST-ACK shows only as the state change.
    let (mut sink, handle) = SummarySink::new(Arc::new(router_topology()));
    let b = h2();
    tcp(
        &mut sink,
        1000,
        H2,
        b,
        state(State::CloseWait, State::LastAck),
    );
    tcp(&mut sink, 1000, H2, b, sample(1000, 0, 10, 1));
    tcp(&mut sink, 1020, H2, b, state(State::LastAck, State::Closed));
    let summary = handle.finish(at_ms(2000), &[[DirStats::default(); 2]; 2]);
    let f = &summary.flows[0];
    assert_eq!(
        (f.bytes_delivered, f.final_state.as_str()),
        (1000, "CLOSED")
    );
    assert!((f.goodput_bps - 400_000.0).abs() < 1e-6, "1000 B in 20 ms");
}

#[test]
fn the_summary_reads_back_from_its_json_file() {
    let (mut sink, handle) = SummarySink::new(Arc::new(router_topology()));
    tcp(&mut sink, 1000, H1, h1(40000), sample(1000, 1000, 10, 1));
    let summary = handle.finish(at_ms(2000), &[[DirStats::default(); 2]; 2]);
    let dir = std::env::temp_dir().join(format!("netsim-summary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = super::write_json(&dir, &summary, &provenance()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("\"scenario_hash\""),
        "provenance first: {text}"
    );
    assert_eq!(super::read_json(&path).unwrap(), summary);
    std::fs::remove_dir_all(&dir).unwrap();
}
