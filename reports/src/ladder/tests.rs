//! Ladders of hand-built event stories, checked line by line.

use std::sync::Arc;

use bytes::Bytes;
use protocols::packet::{Frame, FrameBody};
use protocols::tcp::{Endpoint, SendCause, State, TcpTrace};
use protocols::trace::events;
use protocols::trace::{DropReason, Event, TraceSink};
use sim_core::SimTime;

use super::{LadderOptions, LadderSink};
use crate::test_support::*;

use super::story::*;

#[test]
fn three_way_handshake() {
    let mut story = Story::default();
    handshake(&mut story);
    assert_eq!(
        story.render().lines().collect::<Vec<_>>(),
        [
            "TCP 10.0.1.10:40000 (h1) <-> 10.0.2.10:80 (h2)",
            "      time  h1                                                   h2            arrives",
            "            CLOSED                                               LISTEN",
            "  1.000000  SYN-SENT     --> <SEQ=100><CTL=SYN>              --> SYN-RECEIVED  1.000200",
            "  1.000200  ESTABLISHED  <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED  1.000400",
            "  1.000400  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=ACK>     --> ESTABLISHED   1.000600",
        ]
    );
}

#[test]
fn four_way_close_shows_close_wait_before_last_ack() {
    // RFC 9293 Figure 13: h2 acknowledges the FIN (CLOSE-WAIT), then its
    // application closes at the same instant (LAST-ACK).
    let fin = seg(A, 100, Some(300), "FIN", 0);
    let ack_of_fin = seg(B, 300, Some(101), "", 0);
    let fin_b = seg(B, 300, Some(101), "FIN", 0);
    let last_ack = seg(A, 101, Some(301), "", 0);
    let mut story = Story::default();
    story
        .at(0)
        .state(A, State::Established, State::FinWait1, "CLOSE")
        .send(fin, SendCause::NewData)
        .at(100)
        .arrive(fin)
        .state(B, State::Established, State::CloseWait, "rcv FIN")
        .send(ack_of_fin, SendCause::PureAck)
        .state(B, State::CloseWait, State::LastAck, "CLOSE")
        .announce(fin_b, SendCause::NewData)
        .at(101)
        .wire(fin_b)
        .at(200)
        .arrive(ack_of_fin)
        .state(A, State::FinWait1, State::FinWait2, "rcv ACK of FIN")
        .at(201)
        .arrive(fin_b)
        .state(A, State::FinWait2, State::TimeWait, "rcv FIN")
        .send(last_ack, SendCause::PureAck)
        .at(301)
        .arrive(last_ack)
        .state(B, State::LastAck, State::Closed, "rcv ACK of FIN")
        .at(2_000_201)
        .state(A, State::TimeWait, State::Closed, "2MSL timeout");
    assert_eq!(
        story.render().lines().collect::<Vec<_>>(),
        [
            "TCP 10.0.1.10:40000 (h1) <-> 10.0.2.10:80 (h2)",
            "      time  h1                                                   h2            arrives",
            "            ESTABLISHED                                          ESTABLISHED",
            "  1.000000  FIN-WAIT-1   --> <SEQ=100><ACK=300><CTL=FIN,ACK> --> CLOSE-WAIT    1.000100",
            "  1.000100  FIN-WAIT-2   <-- <SEQ=300><ACK=101><CTL=ACK>     <-- CLOSE-WAIT    1.000200",
            "  1.000101  TIME-WAIT    <-- <SEQ=300><ACK=101><CTL=FIN,ACK> <-- LAST-ACK      1.000201",
            "  1.000201  TIME-WAIT    --> <SEQ=101><ACK=301><CTL=ACK>     --> CLOSED        1.000301",
            "  3.000201  CLOSED           (2MSL timeout)",
        ]
    );
}

#[test]
fn simultaneous_open() {
    // RFC 9293 Figure 8: the SYNs cross, each side answers with a SYN,ACK.
    let syn_a = seg(A, 100, None, "SYN", 0);
    let syn_b = seg(B, 300, None, "SYN", 0);
    let syn_ack_a = seg(A, 100, Some(301), "SYN", 0);
    let syn_ack_b = seg(B, 300, Some(101), "SYN", 0);
    let mut story = Story::default();
    story
        .at(0)
        .state(A, State::Closed, State::SynSent, "OPEN (active)")
        .send(syn_a, SendCause::Syn)
        .at(10)
        .state(B, State::Closed, State::SynSent, "OPEN (active)")
        .send(syn_b, SendCause::Syn)
        .at(100)
        .arrive(syn_a)
        .state(
            B,
            State::SynSent,
            State::SynReceived,
            "rcv SYN (simultaneous open)",
        )
        .send(syn_ack_b, SendCause::SynAck)
        .at(110)
        .arrive(syn_b)
        .state(
            A,
            State::SynSent,
            State::SynReceived,
            "rcv SYN (simultaneous open)",
        )
        .send(syn_ack_a, SendCause::SynAck)
        .at(200)
        .arrive(syn_ack_b)
        .state(
            A,
            State::SynReceived,
            State::Established,
            "rcv SYN,ACK (simultaneous open)",
        )
        .at(210)
        .arrive(syn_ack_a)
        .state(
            B,
            State::SynReceived,
            State::Established,
            "rcv SYN,ACK (simultaneous open)",
        );
    assert_eq!(
        story.render().lines().collect::<Vec<_>>(),
        [
            "TCP 10.0.1.10:40000 (h1) <-> 10.0.2.10:80 (h2)",
            "      time  h1                                                   h2            arrives",
            "            CLOSED                                               CLOSED",
            "  1.000000  SYN-SENT     --> <SEQ=100><CTL=SYN>              --> SYN-RECEIVED  1.000100",
            "  1.000010  SYN-RECEIVED <-- <SEQ=300><CTL=SYN>              <-- SYN-SENT      1.000110",
            "  1.000100  ESTABLISHED  <-- <SEQ=300><ACK=101><CTL=SYN,ACK> <-- SYN-RECEIVED  1.000200",
            "  1.000110  SYN-RECEIVED --> <SEQ=100><ACK=301><CTL=SYN,ACK> --> ESTABLISHED   1.000210",
        ]
    );
}

#[test]
fn dropped_segments_end_in_an_x_and_say_why() {
    let data = seg(A, 101, Some(301), "PSH", 1000);
    let reply = seg(B, 301, Some(101), "PSH", 10);
    let corrupted = seg(A, 101, Some(301), "PSH", 500);
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
        .drop_at_r1(reply, DropReason::RandomLoss)
        .at(3_000)
        .send(corrupted, SendCause::NewData);
    // Damaged in the payload: h2 still reads the headers, but the FCS fails.
    let mut bytes = corrupted.frame().to_bytes();
    let fcs = Frame::fcs(&bytes);
    *bytes.last_mut().unwrap() ^= 0xff;
    let mut damaged = corrupted.frame();
    damaged.body = FrameBody::Corrupted {
        bytes: Bytes::from(bytes),
        fcs,
    };
    story
        .at(3_200)
        .push(Owned::Rx(H2_ETH0, damaged.clone()))
        .push(Owned::Drop(
            H2,
            Some(H2_ETH0),
            damaged,
            DropReason::FcsError,
        ));
    let text = story.render();
    let lines: Vec<&str> = text.lines().skip(6).collect();
    assert_eq!(
        lines,
        [
            "  1.001000  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=PSH,ACK><DATA=1000> ... X             (dropped at r1:eth1: queue full)",
            "  1.002000             X ... <SEQ=301><ACK=101><CTL=PSH,ACK><DATA=10>   <-- ESTABLISHED   (dropped at r1:eth0: random loss)",
            "  1.003000  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=PSH,ACK><DATA=500>  ... X             (dropped at h2:eth0: FCS error (corrupted on the link))",
        ]
    );
}

#[test]
fn retransmission_is_tagged_and_pairs_with_its_own_copy() {
    // The first copy is lost; the RTO resends the same bytes, which arrive.
    let data = seg(A, 101, Some(301), "PSH", 100);
    let ack = seg(B, 301, Some(201), "", 0);
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
        .arrive(data)
        .send(ack, SendCause::PureAck)
        .at(201_400)
        .arrive(ack);
    let text = story.render();
    let lines: Vec<&str> = text.lines().skip(6).collect();
    assert_eq!(
        lines,
        [
            "  1.001000  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100>                        ... X             (dropped at r1:eth1: random loss)",
            "  1.201000  ESTABLISHED  --> <SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100> [retransmission (RTO)] --> ESTABLISHED   1.201200",
            "  1.201200  ESTABLISHED  <-- <SEQ=301><ACK=201><CTL=ACK>                                      <-- ESTABLISHED   1.201400",
        ]
    );
}

/// h1's SYN reaches a port nobody listens on; h2 answers with a reset its
/// TCP never announces.
fn closed_port(story: &mut Story) {
    let syn = seg(A, 100, None, "SYN", 0);
    let rst = seg(B, 0, Some(101), "RST", 0);
    story
        .at(0)
        .state(A, State::Closed, State::SynSent, "OPEN (active)")
        .send(syn, SendCause::Syn)
        .at(200)
        .arrive(syn);
    let dropped = match syn.frame().body {
        FrameBody::Ipv4(p) => p,
        _ => unreachable!(),
    };
    // The stack drops the datagram (a packet, not a frame) and resets.
    story
        .push(Owned::DropPacket(
            H2,
            Some(H2_ETH0),
            dropped,
            DropReason::NoListener,
        ))
        .wire(rst)
        .at(400)
        .arrive(rst)
        .state(
            A,
            State::SynSent,
            State::Closed,
            "rcv RST (connection refused)",
        );
}

#[test]
fn closed_port_answers_with_a_reset() {
    let mut story = Story::default();
    closed_port(&mut story);
    assert_eq!(
        story.render().lines().collect::<Vec<_>>(),
        [
            "TCP 10.0.1.10:40000 (h1) <-> 10.0.2.10:80 (h2)",
            "      time  h1                                                 h2            arrives",
            "            CLOSED                                             CLOSED",
            "  1.000000  SYN-SENT     --> <SEQ=100><CTL=SYN>            ... X             (dropped at h2:eth0: no listener)",
            "  1.000200  CLOSED       <-- <SEQ=0><ACK=101><CTL=RST,ACK> <-- CLOSED        1.000400",
        ]
    );
}

#[test]
fn connections_get_a_block_each_in_order_of_appearance() {
    let mut story = Story::default();
    handshake(&mut story);
    let other = Endpoint {
        addr: "10.0.1.10".parse().unwrap(),
        port: 40001,
    };
    story.at(700).push(Owned::Tcp(
        H1,
        other,
        B.endpoint(),
        TcpTrace::State {
            from: State::Closed,
            to: State::SynSent,
            cause: "OPEN (active)",
        },
    ));
    let text = story.render();
    let heads: Vec<&str> = text.lines().filter(|l| l.starts_with("TCP")).collect();
    assert_eq!(
        heads,
        [
            "TCP 10.0.1.10:40000 (h1) <-> 10.0.2.10:80 (h2)",
            "TCP 10.0.1.10:40001 (h1) <-> 10.0.2.10:80 (h2)"
        ]
    );
    assert!(
        text.contains("\n\nTCP 10.0.1.10:40001"),
        "a blank line between blocks"
    );
    assert!(text.ends_with("  1.000700  SYN-SENT         (OPEN (active))\n"));
}

fn sink_output(story: &Story, max_segments: u64) -> Option<String> {
    let mut sink = LadderSink::echo(
        Vec::new(),
        Arc::new(router_topology()),
        LadderOptions::new(max_segments),
    );
    for (t, e) in story.events() {
        if e.detail() <= sink.detail() {
            sink.record(t, &e);
        }
    }
    sink.finish().unwrap();
    sink.into_output().map(|b| String::from_utf8(b).unwrap())
}

#[test]
fn sink_draws_up_to_the_limit() {
    let mut story = Story::default();
    handshake(&mut story);
    assert_eq!(
        sink_output(&story, 3),
        Some(format!("\n{}", story.render()))
    );
}

#[test]
fn sink_over_the_limit_prints_one_line_with_the_count() {
    let mut story = Story::default();
    handshake(&mut story);
    assert_eq!(
        sink_output(&story, 2).as_deref(),
        Some("\n(ladder not shown: 3 segments; raise outputs.ladder_limit)\n")
    );
    // Counting goes on past the limit, unannounced segments included, each once.
    let mut story = Story::default();
    closed_port(&mut story);
    handshake(&mut story);
    assert_eq!(
        sink_output(&story, 1).as_deref(),
        Some("\n(ladder not shown: 5 segments; raise outputs.ladder_limit)\n")
    );
}

#[test]
fn sink_without_tcp_writes_nothing() {
    let mut sink = LadderSink::echo(
        Vec::new(),
        Arc::new(router_topology()),
        LadderOptions::new(300),
    );
    let f = arp_request();
    sink.record(
        SimTime::ZERO,
        &Event::Tx(events::Tx {
            iface: H1_ETH0,
            frame: &f,
        }),
    );
    sink.finish().unwrap();
    assert!(sink.output().is_none());
}

#[test]
fn file_flavour_starts_with_the_provenance() {
    let mut sink = LadderSink::file(
        Vec::new(),
        None,
        Arc::new(router_topology()),
        LadderOptions::new(300),
        &provenance(),
    );
    let mut story = Story::default();
    handshake(&mut story);
    for (t, e) in story.events() {
        sink.record(t, &e);
    }
    sink.finish().unwrap();
    let text = String::from_utf8(sink.into_output().unwrap()).unwrap();
    assert_eq!(
        text,
        format!(
            "# netsim 0.1.0 scenario ping-router hash 3fa2c0de seed 1 run 0\n{}",
            story.render()
        )
    );
}
