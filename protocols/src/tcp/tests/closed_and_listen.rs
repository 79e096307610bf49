//! CLOSED and LISTEN at the level of a host's [`TcpStack`] (RFC 9293
//! §3.10.7.1-2): resets for closed ports, listeners creating SYN-RECEIVED
//! connections, the listen backlog and SYN cookies.

use bytes::Bytes;
use sim_core::RngStreams;

use super::*;
use crate::tcp::{TcpStack, TcpTrace, rst_for};

const SERVER: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const CLIENT: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

/// A host listening on port 80 with the test configuration.
fn server(backlog: usize, syn_cookies: bool) -> TcpStack {
    let mut stack = TcpStack::new(RngStreams::new(1, 0).stream("tcp"));
    stack.trace = crate::trace::TraceLevel {
        max: Some(crate::trace::Detail::Full),
        series: false,
    };
    stack.listen(7, 80, backlog, syn_cookies, config(), MTU);
    stack
}

/// A segment from the client's `port` to the server's port 80.
fn from(port: u16, seq: u32, ack: Option<u32>, flags: TcpFlags) -> TcpRepr {
    TcpRepr {
        src_port: port,
        dst_port: 80,
        seq: TcpSeq(seq),
        ack: ack.map(TcpSeq),
        flags,
        window: PEER_WINDOW,
        urgent: 0,
        options: mss_only(1460),
    }
}

/// Delivers `seg` with `len` bytes; returns whether the stack wanted it and what it sent.
fn deliver(stack: &mut TcpStack, t: u64, seg: TcpRepr, len: usize) -> (bool, Vec<String>) {
    let taken = stack.on_segment(
        ms(t),
        CLIENT,
        SERVER,
        &seg,
        Bytes::from(vec![0u8; len]),
        false,
    );
    let sent = std::mem::take(&mut stack.transmits)
        .into_iter()
        .map(|t| {
            assert_eq!((t.src, t.dst), (SERVER, CLIENT));
            assert_eq!(
                (t.segment.repr.src_port, t.segment.repr.dst_port),
                (80, seg.src_port)
            );
            show(&t.segment)
        })
        .collect();
    (taken, sent)
}

/// The sequence number in a `<SEQ=n>...` string.
fn seq_of(shown: &str) -> u32 {
    shown["<SEQ=".len()..shown.find('>').unwrap()]
        .parse()
        .unwrap()
}

/// The trace records other than sent segments.
fn traces(stack: &mut TcpStack) -> Vec<String> {
    std::mem::take(&mut stack.traces)
        .into_iter()
        .filter(|(_, _, t)| !matches!(t, TcpTrace::Sent { .. }))
        .map(|(_, _, t)| t.describe())
        .collect()
}

/// A SYN from `port` at `t` ms; returns the server's ISN from its SYN,ACK.
fn open(stack: &mut TcpStack, t: u64, port: u16) -> u32 {
    let (taken, sent) = deliver(stack, t, from(port, 300, None, SYN), 0);
    assert!(taken);
    assert_eq!(sent.len(), 1, "{sent:?}");
    let isn = seq_of(&sent[0]);
    assert_eq!(
        sent[0],
        format!("<SEQ={isn}><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]")
    );
    isn
}

#[test]
fn a_segment_to_a_closed_port_is_answered_by_the_closed_state_reset() {
    let mut stack = server(8, false);
    let syn = TcpRepr {
        dst_port: 81,
        ..from(40000, 300, None, SYN)
    };
    assert!(!stack.on_segment(ms(0), CLIENT, SERVER, &syn, Bytes::new(), false));
    assert_eq!(
        rst_for(&syn, 0).unwrap().rfc_notation(0),
        "<SEQ=0><ACK=301><CTL=RST,ACK>"
    );
    let data = TcpRepr {
        dst_port: 81,
        ..from(40000, 301, Some(5000), TcpFlags::PSH)
    };
    assert!(!stack.on_segment(
        ms(0),
        CLIENT,
        SERVER,
        &data,
        Bytes::from_static(b"0123456789"),
        false
    ));
    assert_eq!(
        rst_for(&data, 10).unwrap().rfc_notation(0),
        "<SEQ=5000><CTL=RST>"
    );
    assert!(stack.transmits.is_empty());
}

#[test]
fn an_ack_at_a_listener_is_answered_with_a_reset() {
    // RFC 9293 §3.10.7.2 second: any acknowledgment is bad in LISTEN.
    let mut stack = server(8, false);
    let (taken, sent) = deliver(
        &mut stack,
        0,
        from(40000, 301, Some(5000), TcpFlags::NONE),
        0,
    );
    assert!(!taken, "the caller answers with rst_for");
    assert_eq!(sent, Vec::<String>::new());
}

#[test]
fn a_reset_at_a_listener_is_ignored() {
    let mut stack = server(8, false);
    assert_eq!(
        deliver(&mut stack, 0, from(40000, 301, None, RST), 0),
        (true, vec![])
    );
    assert_eq!(
        deliver(&mut stack, 0, from(40000, 301, None, TcpFlags::NONE), 0),
        (true, vec![])
    );
}

#[test]
fn a_syn_at_a_listener_creates_a_syn_received_connection() {
    let mut stack = server(8, false);
    open(&mut stack, 0, 40000);
    let tcb = stack.tcb(0).expect("the new connection");
    assert_eq!(tcb.state(), State::SynReceived);
    assert!(tcb.passive);
    assert_eq!(
        (tcb.local.port, tcb.remote),
        (
            80,
            Endpoint {
                addr: CLIENT,
                port: 40000
            }
        )
    );
    assert_eq!(traces(&mut stack)[0], "LISTEN -> SYN-RECEIVED (rcv SYN)");
}

#[test]
fn the_ack_of_the_syn_ack_completes_the_passive_open() {
    let mut stack = server(8, false);
    let isn = open(&mut stack, 0, 40000);
    let (taken, sent) = deliver(
        &mut stack,
        10,
        from(40000, 301, Some(isn + 1), TcpFlags::NONE),
        0,
    );
    assert!(taken);
    assert_eq!(sent, Vec::<String>::new());
    assert_eq!(stack.tcb(0).unwrap().state(), State::Established);
    assert_eq!(stack.signals, [(7, 0, AppSignal::Connected)]);
}

#[test]
fn a_reset_in_syn_received_drops_the_embryo_and_the_listener_stays() {
    let mut stack = server(8, false);
    open(&mut stack, 0, 40000);
    assert_eq!(
        deliver(&mut stack, 10, from(40000, 301, None, RST), 0),
        (true, vec![])
    );
    assert!(stack.tcb(0).is_none());
    assert!(
        traces(&mut stack)
            .contains(&"SYN-RECEIVED -> LISTEN (rcv RST (back to LISTEN))".to_owned())
    );
    assert_eq!(stack.poll_at(), None);
    // The listener still answers the same client.
    open(&mut stack, 20, 40000);
    assert_eq!(stack.tcb(0).unwrap().state(), State::SynReceived);
}

#[test]
fn a_full_listen_queue_drops_the_syn() {
    let mut stack = server(1, false);
    let isn = open(&mut stack, 0, 40000);
    traces(&mut stack);
    assert_eq!(
        deliver(&mut stack, 10, from(40001, 300, None, SYN), 0),
        (true, vec![])
    );
    assert_eq!(traces(&mut stack), ["SYN dropped: listen queue full"]);
    assert!(stack.tcb(1).is_none());
    // Once the first connection is established, the queue has room again.
    deliver(
        &mut stack,
        20,
        from(40000, 301, Some(isn + 1), TcpFlags::NONE),
        0,
    );
    open(&mut stack, 30, 40001);
    assert_eq!(stack.tcb(1).unwrap().state(), State::SynReceived);
}

#[test]
fn a_syn_cookie_round_trip_creates_the_connection_from_the_ack() {
    let mut stack = server(1, true);
    open(&mut stack, 0, 40000);
    traces(&mut stack);
    // The queue is full: a stateless SYN,ACK whose ISN is the cookie.
    let (taken, sent) = deliver(&mut stack, 10, from(40001, 300, None, SYN), 0);
    assert!(taken);
    let cookie = seq_of(&sent[0]);
    assert_eq!(
        sent,
        [format!(
            "<SEQ={cookie}><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]"
        )]
    );
    assert_eq!(
        traces(&mut stack),
        ["listen queue full: SYN-ACK with a SYN cookie"]
    );
    assert!(stack.tcb(1).is_none(), "no state kept");
    // The client's ACK, with data, brings the cookie back.
    let (taken, sent) = deliver(
        &mut stack,
        60,
        from(40001, 301, Some(cookie.wrapping_add(1)), TcpFlags::PSH),
        100,
    );
    assert!(taken);
    assert_eq!(
        sent,
        [format!(
            "<SEQ={}><ACK=401><CTL=ACK><WND=63900> [ack]",
            cookie.wrapping_add(1)
        )]
    );
    let tcb = stack.tcb(1).expect("created from the cookie");
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(tcb.mss(), 1460);
    assert_eq!(tcb.readable(), 100);
    assert_eq!(
        tcb.rtt().srtt(),
        None,
        "no RTT sample: the SYN,ACK's time is unknown"
    );
    assert!(
        traces(&mut stack)
            .contains(&"ACK carries a valid SYN cookie: connection created".to_owned())
    );
    assert_eq!(
        stack.signals,
        [(7, 1, AppSignal::Connected), (7, 1, AppSignal::Readable)]
    );
}

#[test]
fn a_forged_or_stale_cookie_is_refused() {
    let mut stack = server(1, true);
    open(&mut stack, 0, 40000);
    let (_, sent) = deliver(&mut stack, 10, from(40001, 300, None, SYN), 0);
    let cookie = seq_of(&sent[0]);
    let ack = |n: u32| from(40001, 301, Some(n), TcpFlags::NONE);
    assert!(!deliver(&mut stack, 20, ack(cookie.wrapping_add(2)), 0).0);
    assert!(
        !deliver(
            &mut stack,
            20,
            TcpRepr {
                src_port: 40002,
                ..ack(cookie.wrapping_add(1))
            },
            0
        )
        .0
    );
    // Valid for two 64-second periods, not three.
    assert!(!deliver(&mut stack, 128_000, ack(cookie.wrapping_add(1)), 0).0);
    assert!(deliver(&mut stack, 127_999, ack(cookie.wrapping_add(1)), 0).0);
    assert!(stack.tcb(1).is_some());
}

#[test]
fn a_cookie_syn_ack_announces_our_mss_and_keeps_the_peers() {
    // The cookie encodes the peer's MSS (536 here); the SYN,ACK announces ours.
    let mut stack = server(0, true);
    let syn = TcpRepr {
        options: mss_only(536),
        ..from(40000, 300, None, SYN)
    };
    let (_, sent) = deliver(&mut stack, 0, syn, 0);
    let cookie = seq_of(&sent[0]);
    assert_eq!(
        sent,
        [format!(
            "<SEQ={cookie}><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]"
        )]
    );
    assert!(
        deliver(
            &mut stack,
            10,
            from(40000, 301, Some(cookie.wrapping_add(1)), TcpFlags::NONE),
            0
        )
        .0
    );
    assert_eq!(stack.tcb(0).unwrap().mss(), 536);
}
