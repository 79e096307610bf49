//! Loss recovery without SACK: limited transmit (RFC 3042), Tahoe, Reno
//! (RFC 5681 §3.2), NewReno (RFC 6582) with several losses in one window,
//! proportional rate reduction (RFC 6937), and a timeout during recovery.
//!
//! Our segments are numbered from 0: segment k starts at 101 + 1460·k.

use super::*;
use crate::tcp::congestion::CcAlgorithm;
use crate::tcp::connection::RecoveryKind;

/// Sequence number of our segment `k`.
pub(super) fn s(k: u32) -> u32 {
    101 + 1460 * k
}

/// Our segment `k`, full-sized, sent for `cause`.
pub(super) fn data(k: u32, cause: &str) -> String {
    format!(
        "<SEQ={}><ACK=301><CTL=ACK><DATA=1460><WND=64000> [{cause}]",
        s(k)
    )
}

pub(super) fn new(k: u32) -> String {
    data(k, "new data")
}

pub(super) fn fast(k: u32) -> String {
    data(k, "fast retransmission")
}

/// The peer's duplicate ACK of segment `k` (it still waits for it).
fn dup(tcb: &mut Tcb, t: u64, k: u32) -> Vec<String> {
    recv(tcb, t, seg(301, s(k)))
}

/// Established with `cfg`, 20 segments written at 100 ms: segments 0-9 go
/// (the initial window), 10-19 wait.
fn ten_sent(cfg: TcpConfig) -> Tcb {
    let mut tcb = established(cfg);
    assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), 10);
    tcb
}

fn no_limited_transmit() -> TcpConfig {
    TcpConfig {
        limited_transmit: false,
        ..config()
    }
}

#[test]
fn limited_transmit_sends_new_data_on_the_first_two_duplicates() {
    // RFC 3042: one new segment per duplicate ACK while the flight stays
    // within cwnd + 2 SMSS; cwnd does not change.
    let mut tcb = ten_sent(config());
    sent!(dup(&mut tcb, 200, 0), [new(10)]);
    assert_eq!((tcb.cwnd(), tcb.bytes_in_flight()), (14_600, 16_060));
    sent!(dup(&mut tcb, 201, 0), [new(11)]);
    assert_eq!((tcb.cwnd(), tcb.bytes_in_flight()), (14_600, 17_520));
    sent!(dup(&mut tcb, 202, 0), [fast(0)]);
    // RFC 5681 §3.2 step 2: ssthresh from the FlightSize without the two
    // limited-transmit segments: 14600 / 2, not 17520 / 2.
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (7300, 7300 + 3 * 1460));
}

#[test]
fn limited_transmit_needs_room_in_the_receive_window() {
    // The peer's window is exactly the 10 segments in flight.
    let syn_ack = TcpRepr {
        window: 14_600,
        ..syn_ack(300, 101)
    };
    let mut tcb = established_by(config(), syn_ack);
    assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), 10);
    let dup = TcpRepr {
        window: 14_600,
        ..seg(301, 101)
    };
    sent!(recv(&mut tcb, 200, dup), []);
    sent!(recv(&mut tcb, 201, dup), []);
    sent!(recv(&mut tcb, 202, dup), [fast(0)]);
}

#[test]
fn without_limited_transmit_the_first_two_duplicates_send_nothing() {
    let mut tcb = ten_sent(no_limited_transmit());
    sent!(dup(&mut tcb, 200, 0), []);
    sent!(dup(&mut tcb, 201, 0), []);
    sent!(dup(&mut tcb, 202, 0), [fast(0)]);
    assert_eq!(tcb.ssthresh(), 7300);
}

fn tahoe() -> TcpConfig {
    TcpConfig {
        cc: CcAlgorithm::Tahoe,
        ..no_limited_transmit()
    }
}

#[test]
fn tahoe_fast_retransmit_leaves_one_segment_and_slow_starts() {
    let mut tcb = ten_sent(tahoe());
    sent!(dup(&mut tcb, 200, 0), []);
    sent!(dup(&mut tcb, 201, 0), []);
    sent!(dup(&mut tcb, 202, 0), [fast(0)]);
    assert_eq!(
        notes(&mut tcb),
        [TcpTrace::RecoveryStart(RecoveryKind::Tahoe)]
    );
    assert_eq!(tcb.last_recovery(), Some(RecoveryKind::Tahoe));
    // ssthresh = max(FlightSize / 2, 2 SMSS), cwnd = 1 SMSS: no fast recovery.
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (7300, 1460));
    // No inflation: further duplicates send nothing.
    for t in 203..209 {
        sent!(dup(&mut tcb, t, 0), []);
    }
    assert_eq!(tcb.cwnd(), 1460);
    // The retransmission filled the only hole: slow start from one segment
    // (one SMSS per ACK after a loss, RFC 3465 §2.3).
    sent!(recv(&mut tcb, 220, seg(301, s(10))), [new(10), new(11)]);
    assert_eq!(tcb.cwnd(), 2920);
    assert_eq!(notes(&mut tcb), [TcpTrace::RecoveryEnd]);
    assert_eq!(tcb.recovery(), None);
}

#[test]
fn tahoe_goes_back_n_from_a_partial_ack() {
    // Segments 0 and 2 lost. After the fast retransmit of 0, slow start
    // resends from SND.UNA: the hole and the segment after it, which the
    // peer already holds (Fall & Floyd's Tahoe).
    let mut tcb = ten_sent(tahoe());
    for t in 200..208 {
        dup(&mut tcb, t, 0);
    }
    sent!(recv(&mut tcb, 220, seg(301, s(2))), [fast(2), fast(3)]);
    assert_eq!(tcb.cwnd(), 2920);
    assert_eq!(tcb.recovery(), Some(RecoveryKind::Tahoe));
    // The peer now has everything to segment 9: slow start goes on with new data.
    sent!(
        recv(&mut tcb, 230, seg(301, s(10))),
        [new(10), new(11), new(12)]
    );
    assert_eq!(tcb.cwnd(), 4380);
    assert!(notes(&mut tcb).ends_with(&[TcpTrace::RecoveryEnd]));
}

#[test]
fn reno_leaves_recovery_at_the_first_partial_ack() {
    // Segments 0 and 8 lost; limited transmit on.
    let mut tcb = ten_sent(TcpConfig {
        cc: CcAlgorithm::Reno,
        ..config()
    });
    sent!(dup(&mut tcb, 200, 0), [new(10)]);
    sent!(dup(&mut tcb, 201, 0), [new(11)]);
    sent!(dup(&mut tcb, 202, 0), [fast(0)]);
    assert_eq!(tcb.last_recovery(), Some(RecoveryKind::Reno));
    notes(&mut tcb);
    // Duplicates 4-7 (segments 4 to 7 arriving) inflate cwnd from
    // 7300 + 3 SMSS = 11680 by one SMSS each to the 17520 in flight; each
    // further one (segment 9, then the limited-transmit segments 10 and 11)
    // releases one new segment.
    for t in 203..207 {
        sent!(dup(&mut tcb, t, 0), []);
    }
    sent!(dup(&mut tcb, 207, 0), [new(12)]);
    sent!(dup(&mut tcb, 208, 0), [new(13)]);
    sent!(dup(&mut tcb, 209, 0), [new(14)]);
    assert_eq!(tcb.cwnd(), 7300 + 10 * 1460);
    // The retransmission arrives: ACK of segments 0-7. Reno ends recovery:
    // cwnd = ssthresh, and the second hole is not retransmitted (with 10220
    // in flight nothing may go).
    sent!(dup(&mut tcb, 300, 8), []);
    assert_eq!(notes(&mut tcb), [TcpTrace::RecoveryEnd]);
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (7300, 7300));
    // Only three more duplicates (segments 12-14 arriving) find it: a second
    // fast retransmit and a second recovery (RFC 5681 has no `recover`),
    // halving again: ssthresh = 10220 in flight / 2.
    sent!(dup(&mut tcb, 310, 8), []);
    sent!(dup(&mut tcb, 311, 8), []);
    sent!(dup(&mut tcb, 312, 8), [fast(8)]);
    assert_eq!(
        notes(&mut tcb),
        [TcpTrace::RecoveryStart(RecoveryKind::Reno)]
    );
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (5110, 5110 + 3 * 1460));
}

#[test]
fn newreno_retransmits_one_hole_per_round_trip() {
    // RFC 6582: segments 0, 2 and 4 lost in one window, no SACK.
    let mut tcb = ten_sent(config());
    sent!(dup(&mut tcb, 200, 0), [new(10)]);
    sent!(dup(&mut tcb, 201, 0), [new(11)]);
    sent!(dup(&mut tcb, 202, 0), [fast(0)]);
    assert_eq!(tcb.last_recovery(), Some(RecoveryKind::NewReno));
    // Duplicates from segments 5-9 inflate cwnd to 17520: the flight.
    for t in 203..207 {
        sent!(dup(&mut tcb, t, 0), []);
    }
    // Segments 10 and 11 arrive: two more duplicates, two new segments.
    sent!(dup(&mut tcb, 207, 0), [new(12)]);
    sent!(dup(&mut tcb, 208, 0), [new(13)]);
    notes(&mut tcb);
    // One round trip later the first retransmission is acknowledged with
    // segment 1: a partial ACK. Step 5: retransmit the next hole; cwnd
    // 20440 − 2920 + 1460 = 18980 lets one new segment go.
    sent!(dup(&mut tcb, 300, 2), [fast(2), new(14)]);
    assert_eq!(tcb.cwnd(), 18_980);
    // The third hole waits for the next partial ACK, another round trip.
    sent!(dup(&mut tcb, 400, 4), [fast(4), new(15)]);
    assert_eq!(tcb.cwnd(), 17_520);
    assert_eq!(notes(&mut tcb), []);
    // The full ACK (beyond `recover`, the end of segment 11) ends recovery.
    sent!(
        recv(&mut tcb, 500, seg(301, s(16))),
        [
            new(16),
            new(17),
            new(18),
            "<SEQ=27841><ACK=301><CTL=PSH,ACK><DATA=1460><WND=64000> [new data]",
        ]
    );
    assert_eq!(notes(&mut tcb), [TcpTrace::RecoveryEnd]);
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (7300, 7300));
}

#[test]
fn prr_spreads_the_reduction_over_the_round_trip_rfc6937_section_3_1() {
    // RFC 6937 §3.1: cwnd = FlightSize = 20 segments, segment 0 lost,
    // limited transmit, ssthresh 10. Without SACK, DeliveredData is one SMSS
    // per duplicate ACK (§2) and the pipe estimate follows.
    let mut tcb = established(TcpConfig {
        initial_window: 20,
        prr: true,
        ..config()
    });
    assert_eq!(write(&mut tcb, 100, 40 * 1460).len(), 20);
    let mut per_ack = Vec::new();
    for ack in 1..=19 {
        per_ack.push(dup(&mut tcb, 200 + ack, 0));
    }
    let n = |k| vec![new(k)];
    let none = Vec::<String>::new;
    let expected = vec![
        n(20),         // 1: limited transmit
        n(21),         // 2: limited transmit
        vec![fast(0)], // 3: recovery, sndcnt = CEIL(1 · 10 / 20) = 1
        none(),        // 4: CEIL(2 · 10 / 20) − 1 = 0
        n(22),         // 5
        none(),        // 6
        n(23),         // 7
        none(),        // 8
        n(24),         // 9
        none(),        // 10
        n(25),         // 11
        none(),        // 12
        n(26),         // 13
        none(),        // 14
        n(27),         // 15
        none(),        // 16
        n(28),         // 17: pipe 11 > 10, CEIL(15 · 10 / 20) − 7 = 1
        none(),        // 18: CEIL(16 · 10 / 20) − 8 = 0
        none(),        // 19: pipe 10 = ssthresh, reduction bound: 10 − 10 = 0
    ];
    assert_eq!(per_ack, expected);
    assert_eq!(tcb.pipe(), 10 * 1460, "the pipe has come down to ssthresh");
    assert_eq!(tcb.ssthresh(), 10 * 1460);
}

#[test]
fn a_timeout_during_recovery_ends_it() {
    let mut tcb = ten_sent(no_limited_transmit());
    for t in 200..203 {
        dup(&mut tcb, t, 0);
    }
    notes(&mut tcb);
    sent!(tick(&mut tcb, 1100), [data(0, "retransmission (RTO)")]);
    let n = notes(&mut tcb);
    assert!(
        matches!(n[..], [TcpTrace::Timeout { .. }, TcpTrace::RecoveryEnd]),
        "{n:?}"
    );
    assert_eq!(tcb.recovery(), None);
    // RFC 5681 §3.1 (held: recovery already set ssthresh from this flight).
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (1460, 7300));
}

#[test]
fn the_trace_names_the_recovery_that_begins() {
    let line = |k| crate::tcp::TcpTrace::RecoveryStart(k).describe();
    assert_eq!(
        line(RecoveryKind::NewReno),
        "fast recovery begins (NewReno, RFC 6582)"
    );
    assert_eq!(
        line(RecoveryKind::Reno),
        "fast recovery begins (Reno, RFC 5681 §3.2)"
    );
    assert_eq!(
        line(RecoveryKind::Sack),
        "SACK-based loss recovery begins (RFC 6675)"
    );
    assert_eq!(
        line(RecoveryKind::Tahoe),
        "fast retransmit, then slow start from one segment (Tahoe)"
    );
}
