//! Congestion control per connection: the controller chosen by `TcpConfig::cc`
//! and the window arithmetic each one does on a connection, worked out by
//! hand from RFC 5681 (with RFC 3465 byte counting), RFC 6582 and RFC 9438;
//! slow start after idle (RFC 5681 §4.1) and the initial window (RFC 6928).

use super::recovery::{new, s};
use super::*;
use crate::tcp::congestion::{CcAlgorithm, CubicConfig};

fn with(cc: CcAlgorithm) -> TcpConfig {
    TcpConfig {
        cc,
        limited_transmit: false,
        ..config()
    }
}

const ALL: [CcAlgorithm; 4] = [
    CcAlgorithm::Tahoe,
    CcAlgorithm::Reno,
    CcAlgorithm::NewReno,
    CcAlgorithm::Cubic(CubicConfig {
        c: 0.4,
        beta: 0.7,
        fast_convergence: true,
        hystart: false,
    }),
];

#[test]
fn each_connection_runs_the_configured_controller() {
    for cc in ALL {
        let tcb = established(with(cc));
        assert_eq!(tcb.cc_name(), cc.name());
        assert_eq!(tcb.cwnd(), 14_600, "{}: IW 10", cc.name());
        // After a lost SYN the same controller starts from one segment (RFC 5681 §3.1).
        let mut tcb = syn_sent(with(cc));
        tick(&mut tcb, 1000);
        recv(&mut tcb, 1100, syn_ack(300, 101));
        assert_eq!((tcb.cc_name(), tcb.cwnd()), (cc.name(), 1460));
    }
    assert_eq!(established(config()).cc_name(), "newreno", "the default");
}

#[test]
fn three_duplicates_cut_the_window_as_each_algorithm_says() {
    // 10 segments in flight (14600 bytes), segment 0 lost; then the ACK of all ten.
    //   NewReno, Reno: ssthresh = 14600 / 2, cwnd = ssthresh + 3 SMSS; full ACK: ssthresh.
    //   Tahoe: cwnd = 1 SMSS; the full ACK is slow start: + 1 SMSS.
    //   CUBIC: ssthresh = 0.7 · 14600 (RFC 9438 §4.6), + 3 SMSS; full ACK: ssthresh.
    let expect = [
        (7300, 1460, 2920),
        (7300, 7300 + 4380, 7300),
        (7300, 7300 + 4380, 7300),
        (10_220, 10_220 + 4380, 10_220),
    ];
    for (cc, (ssthresh, cwnd, after)) in ALL.into_iter().zip(expect) {
        let mut tcb = established(with(cc));
        assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), 10);
        for t in 200..203 {
            recv(&mut tcb, t, seg(301, 101));
        }
        assert_eq!(
            (tcb.ssthresh(), tcb.cwnd()),
            (ssthresh, cwnd),
            "{}",
            cc.name()
        );
        recv(&mut tcb, 300, seg(301, s(10)));
        assert_eq!(tcb.cwnd(), after, "{} after the full ACK", cc.name());
        assert_eq!(tcb.recovery(), None);
    }
}

#[test]
fn slow_start_counts_a_stretch_ack_up_to_two_segments() {
    // RFC 3465 §2.2, L = 2 SMSS: one ACK of four segments adds two, one of
    // one segment adds one (RFC 5681's min(N, SMSS) would add one each).
    let mut tcb = established(config());
    write(&mut tcb, 100, 10 * 1460);
    recv(&mut tcb, 110, seg(301, s(4)));
    assert_eq!(tcb.cwnd(), 14_600 + 2920);
    recv(&mut tcb, 111, seg(301, s(5)));
    assert_eq!(tcb.cwnd(), 14_600 + 2920 + 1460);
}

#[test]
fn congestion_avoidance_adds_one_segment_per_window_of_acks() {
    // After recovery cwnd = ssthresh = 7300: five ACKs of one segment (a
    // window's worth of bytes) add one SMSS (RFC 5681 §3.1, RFC 3465 §2.1).
    let mut tcb = established(with(CcAlgorithm::NewReno));
    write(&mut tcb, 100, 30 * 1460);
    for t in 200..203 {
        recv(&mut tcb, t, seg(301, 101));
    }
    recv(&mut tcb, 300, seg(301, s(10)));
    assert_eq!(tcb.cwnd(), 7300);
    for k in 11..15 {
        recv(&mut tcb, 300 + u64::from(k), seg(301, s(k)));
        assert_eq!(tcb.cwnd(), 7300);
    }
    recv(&mut tcb, 315, seg(301, s(15)));
    assert_eq!(tcb.cwnd(), 8760);
}

/// cwnd grown to 20440 (14 segments) by two rounds of slow start, nothing
/// outstanding, the last data sent at 120 ms.
fn grown(cfg: TcpConfig) -> Tcb {
    let mut tcb = established(cfg);
    write(&mut tcb, 100, 10 * 1460);
    recv(&mut tcb, 110, seg(301, s(10)));
    assert_eq!(write(&mut tcb, 120, 12 * 1460).len(), 12);
    recv(&mut tcb, 130, seg(301, s(22)));
    assert_eq!(tcb.cwnd(), 20_440);
    tcb
}

#[test]
fn slow_start_restarts_after_an_idle_period_longer_than_the_rto() {
    // RFC 5681 §4.1: cwnd = min(RW, cwnd), RW = IW = 10 segments; the RTO is 1 s.
    let mut tcb = grown(config());
    let out = write(&mut tcb, 1200, 20 * 1460);
    assert_eq!(out.len(), 10);
    assert_eq!(out[0], new(22));
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (14_600, usize::MAX));
}

#[test]
fn a_pause_shorter_than_the_rto_keeps_the_window() {
    let mut tcb = grown(config());
    assert_eq!(write(&mut tcb, 1100, 20 * 1460).len(), 14);
}

#[test]
fn slow_start_after_idle_can_be_turned_off() {
    let mut tcb = grown(TcpConfig {
        slow_start_after_idle: false,
        ..config()
    });
    assert_eq!(write(&mut tcb, 5000, 20 * 1460).len(), 14);
    assert_eq!(tcb.cwnd(), 20_440);
}

#[test]
fn the_initial_window_is_configurable() {
    // RFC 6928's 10 is the default; RFC 3390's min(4 MSS, ...) or 1 on request.
    for (iw, segments) in [(1, 1), (4, 4), (10, 10)] {
        let mut tcb = established(TcpConfig {
            initial_window: iw,
            ..config()
        });
        assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), segments);
        assert_eq!(tcb.cwnd(), segments * 1460);
    }
}
