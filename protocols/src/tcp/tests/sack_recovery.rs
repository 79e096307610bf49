//! SACK-based loss recovery (RFC 6675): the scoreboard's holes retransmitted
//! several per round trip, recovery entered by IsLost, limited transmit by
//! the pipe, the rescue retransmission, a timeout clearing the scoreboard,
//! and PRR (RFC 6937) on top. The peer SACKs what it holds (RFC 2018).
//!
//! Our segments are numbered from 0: segment k starts at 101 + 1460·k.

use super::recovery::{data, fast, new, s};
use super::*;
use crate::tcp::congestion::CcAlgorithm;
use crate::tcp::connection::RecoveryKind;

/// SACK blocks covering our segments `[from, to)`.
fn segs(from: u32, to: u32) -> (u32, u32) {
    (s(from), s(to))
}

/// The peer's ACK of segment `k` with SACK blocks over our segments.
fn ack(tcb: &mut Tcb, t: u64, k: u32, blocks: &[(u32, u32)]) -> Vec<String> {
    let blocks: Vec<(u32, u32)> = blocks.iter().map(|&(a, b)| segs(a, b)).collect();
    recv(tcb, t, sack(s(k), &blocks))
}

/// Established with SACK, 20 segments written at 100 ms: 0-9 go.
fn ten_sent(cfg: TcpConfig) -> Tcb {
    let mut tcb = established_sack(cfg);
    assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), 10);
    tcb
}

#[test]
fn three_losses_in_one_window_are_retransmitted_within_one_round_trip() {
    // Segments 0, 2 and 4 lost. Every retransmission goes out on the
    // duplicate ACKs of the first round trip, before the first one can be
    // acknowledged (NewReno without SACK needs three round trips:
    // recovery.rs, newreno_retransmits_one_hole_per_round_trip).
    let mut tcb = ten_sent(config());
    // Limited transmit by the pipe (RFC 6675 §5 step 3): cwnd 14600, pipe 13140.
    sent!(ack(&mut tcb, 200, 0, &[(1, 2)]), [new(10)]);
    sent!(ack(&mut tcb, 201, 0, &[(3, 4), (1, 2)]), [new(11)]);
    // DupThresh: recovery, ssthresh = cwnd = 14600 / 2 (without the
    // limited-transmit segments), segment 0 retransmitted (4.3).
    sent!(ack(&mut tcb, 202, 0, &[(5, 6), (3, 4), (1, 2)]), [fast(0)]);
    assert_eq!(tcb.last_recovery(), Some(RecoveryKind::Sack));
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (7300, 7300));
    assert_eq!(
        notes(&mut tcb),
        [TcpTrace::RecoveryStart(RecoveryKind::Sack)]
    );
    // The pipe: segment 0 (resent) + 2, 4 (not yet lost) + 6..11 = 13140.
    assert_eq!(tcb.pipe(), 13_140);
    // Segment 6 arrives: segment 2 now IsLost (three segments SACKed above),
    // the pipe 10220 is still above cwnd.
    sent!(ack(&mut tcb, 203, 0, &[(5, 7), (3, 4), (1, 2)]), []);
    sent!(ack(&mut tcb, 204, 0, &[(5, 8), (3, 4), (1, 2)]), []);
    assert_eq!(tcb.pipe(), 7300);
    // Below cwnd: NextSeg() rule 1, the lowest lost hole, then the next.
    sent!(ack(&mut tcb, 205, 0, &[(5, 9), (3, 4), (1, 2)]), [fast(2)]);
    sent!(ack(&mut tcb, 206, 0, &[(5, 10), (3, 4), (1, 2)]), [fast(4)]);
    // No hole left below the highest SACK: rule 2, new data.
    sent!(ack(&mut tcb, 207, 0, &[(5, 11), (3, 4), (1, 2)]), [new(12)]);
    sent!(ack(&mut tcb, 208, 0, &[(5, 12), (3, 4), (1, 2)]), [new(13)]);
    // A round trip after the first retransmission: partial ACKs clock out
    // new data (the pipe stays at cwnd).
    sent!(ack(&mut tcb, 300, 2, &[(5, 12), (3, 4)]), [new(14)]);
    sent!(ack(&mut tcb, 301, 4, &[(5, 12)]), [new(15)]);
    assert_eq!(notes(&mut tcb), []);
    // All of segments 0-11 acknowledged: beyond RecoveryPoint (A), cwnd = ssthresh.
    sent!(recv(&mut tcb, 302, seg(301, s(12))), [new(16)]);
    assert_eq!(notes(&mut tcb), [TcpTrace::RecoveryEnd]);
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (7300, 7300));
}

#[test]
fn one_ack_showing_the_first_segment_lost_starts_recovery() {
    // RFC 6675 §5 step (2): a single ACK SACKing segments 1-4 (the others
    // lost) makes IsLost(HighACK + 1) true before DupThresh duplicates.
    let mut tcb = ten_sent(config());
    sent!(ack(&mut tcb, 200, 0, &[(1, 5)]), [fast(0)]);
    assert_eq!(tcb.loss.dupacks(), 1);
    assert_eq!(tcb.recovery(), Some(RecoveryKind::Sack));
}

#[test]
fn limited_transmit_with_sack_sends_what_the_pipe_allows() {
    // An ACK SACKing two segments (the ACK for the first was lost): the pipe
    // fell by two, so two new segments go, where RFC 3042 alone sends one.
    let mut tcb = ten_sent(config());
    sent!(ack(&mut tcb, 200, 0, &[(1, 3)]), [new(10), new(11)]);
    assert_eq!(tcb.cwnd(), 14_600);
    assert_eq!(tcb.recovery(), None);
}

#[test]
fn the_rescue_retransmission_recovers_a_lost_last_segment() {
    // Segments 0 and 9 lost, nothing more to send. Nothing is SACKed above
    // segment 9, so it never IsLost; RFC 6675 NextSeg() rule 4 resends it
    // once HighACK passes RescueRxt (the partial ACK), without a timeout.
    let mut tcb = established_sack(config());
    assert_eq!(write(&mut tcb, 100, 10 * 1460).len(), 10);
    sent!(ack(&mut tcb, 200, 0, &[(1, 2)]), []);
    sent!(ack(&mut tcb, 201, 0, &[(1, 3)]), []);
    sent!(ack(&mut tcb, 202, 0, &[(1, 4)]), [fast(0)]);
    for (t, k) in (203..).zip(5..10) {
        sent!(ack(&mut tcb, t, 0, &[(1, k)]), []);
    }
    // The retransmission arrives: ACK of 0-8.
    sent!(
        recv(&mut tcb, 300, seg(301, s(9))),
        ["<SEQ=13241><ACK=301><CTL=PSH,ACK><DATA=1460><WND=64000> [fast retransmission]"]
    );
    // Only once per recovery.
    sent!(recv(&mut tcb, 301, seg(301, s(9))), []);
    sent!(recv(&mut tcb, 310, seg(301, s(10))), []);
    assert!(notes(&mut tcb).ends_with(&[TcpTrace::RecoveryEnd]));
}

#[test]
fn a_timeout_clears_the_scoreboard_and_goes_back_to_snd_una() {
    // RFC 6675 §5.1, RFC 2018 §8: the receiver may have reneged; data it
    // SACKed is sent again.
    let mut tcb = ten_sent(TcpConfig {
        limited_transmit: false,
        ..config()
    });
    ack(&mut tcb, 200, 0, &[(1, 2)]);
    ack(&mut tcb, 201, 0, &[(1, 3)]);
    ack(&mut tcb, 202, 0, &[(1, 4)]);
    notes(&mut tcb);
    sent!(tick(&mut tcb, 1100), [data(0, "retransmission (RTO)")]);
    let n = notes(&mut tcb);
    assert!(
        matches!(n[..], [TcpTrace::Timeout { .. }, TcpTrace::RecoveryEnd]),
        "{n:?}"
    );
    assert!(tcb.loss.scoreboard().ranges().is_empty());
    // Slow start from one segment: the next ACK releases two, SACKed or not.
    sent!(
        recv(&mut tcb, 1200, seg(301, s(1))),
        [
            data(1, "retransmission (RTO)"),
            data(2, "retransmission (RTO)")
        ]
    );
}

/// RFC 6937 §3.1's scenario with SACK: 20 segments in flight (IW 20),
/// segment 0 lost, each later ACK SACKing one more segment. Returns what
/// ACKs 1-19 made us send.
fn rfc6937_single_loss(prr: bool) -> (Tcb, Vec<Vec<String>>) {
    let mut tcb = established_sack(TcpConfig {
        initial_window: 20,
        prr,
        ..config()
    });
    assert_eq!(write(&mut tcb, 100, 40 * 1460).len(), 20);
    let per_ack = (1..=19)
        .map(|k| ack(&mut tcb, 200 + u64::from(k), 0, &[(1, k + 1)]))
        .collect();
    (tcb, per_ack)
}

#[test]
fn prr_with_sack_sends_on_every_other_ack_rfc6937_section_3_1() {
    let (tcb, per_ack) = rfc6937_single_loss(true);
    let n = |k| vec![new(k)];
    let none = Vec::<String>::new;
    let expected = vec![
        n(20),         // 1: limited transmit, pipe 19 < cwnd 20
        n(21),         // 2: limited transmit
        vec![fast(0)], // 3: RecoverFS 20, ssthresh 10: CEIL(1 · 10 / 20) = 1
        none(),        // 4
        n(22),         // 5: CEIL(3 · 10 / 20) − 1 = 1
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
        n(28),         // 17
        none(),        // 18
        none(),        // 19: pipe = ssthresh
    ];
    assert_eq!(per_ack, expected);
    assert_eq!(tcb.pipe(), 10 * 1460);
}

#[test]
fn without_prr_sack_recovery_waits_for_the_pipe_to_fall_below_cwnd() {
    // RFC 6675 step (C) in the same scenario: after the retransmission
    // nothing goes until the pipe is below cwnd = ssthresh = 10 segments
    // (the "half-silent" round trip of RFC 6937 §3.1), then one segment per
    // ACK. The same eight segments in all.
    let (tcb, per_ack) = rfc6937_single_loss(false);
    let mut expected: Vec<Vec<String>> = vec![vec![new(20)], vec![new(21)], vec![fast(0)]];
    expected.extend((4..=12).map(|_| Vec::new()));
    expected.extend((13..=19).map(|k| vec![new(k + 9)]));
    assert_eq!(per_ack, expected);
    assert_eq!(tcb.pipe(), 10 * 1460);
}

#[test]
fn tahoe_and_reno_do_not_use_sack_information() {
    for (cc, kind) in [
        (CcAlgorithm::Tahoe, RecoveryKind::Tahoe),
        (CcAlgorithm::Reno, RecoveryKind::Reno),
    ] {
        let mut tcb = ten_sent(TcpConfig {
            cc,
            limited_transmit: false,
            ..config()
        });
        // One ACK SACKing four segments is one duplicate: no recovery yet.
        sent!(ack(&mut tcb, 200, 0, &[(1, 5)]), []);
        ack(&mut tcb, 201, 0, &[(1, 6)]);
        sent!(ack(&mut tcb, 202, 0, &[(1, 7)]), [fast(0)]);
        assert_eq!(tcb.last_recovery(), Some(kind));
    }
}
