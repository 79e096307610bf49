//! Retransmission: the RFC 6298 timer and its backoff for SYNs and data,
//! Karn's rule, timestamps (RFC 7323 §4), retry limits, and fast retransmit
//! with NewReno recovery (RFC 5681 §3.2, RFC 6582).

use sim_core::SimDuration;

use super::*;
use crate::tcp::connection::RecoveryKind;

fn secs(s: u64) -> SimDuration {
    SimDuration::from_secs(s)
}

fn timeouts(tcb: &mut Tcb) -> Vec<(SimDuration, u32)> {
    notes(tcb)
        .into_iter()
        .filter_map(|n| match n {
            TcpTrace::Timeout { rto, count } => Some((rto, count)),
            _ => None,
        })
        .collect()
}

/// Established, ten full segments (101..14701) sent at 100 ms: the whole
/// initial window.
fn ten_segments() -> Tcb {
    let mut tcb = established(config());
    assert_eq!(write(&mut tcb, 100, 14_600).len(), 10);
    tcb
}

/// `n` ACKs of `ack` at `at`, `at` + 1, ... ms; returns what was sent.
fn dupacks(tcb: &mut Tcb, at: u64, n: u64, ack: u32) -> Vec<String> {
    (0..n)
        .flat_map(|k| recv(tcb, at + k, seg(301, ack)))
        .collect()
}

#[test]
fn a_lost_syn_is_retransmitted_with_exponential_backoff() {
    // RFC 6298 §5.5: 1, 2, 4, 8 s ...
    let mut tcb = syn_sent(config());
    let syn = "<SEQ=100><CTL=SYN><WND=64000><MSS=1460> [retransmission (RTO)]";
    for at in [1000, 3000, 7000, 15_000] {
        sent!(tick(&mut tcb, at), [syn]);
    }
    assert_eq!(
        timeouts(&mut tcb),
        [(secs(1), 1), (secs(2), 2), (secs(4), 3), (secs(8), 4)]
    );
    assert_eq!(tcb.poll_at(), Some(ms(31_000)));
    assert_eq!(tcb.state(), State::SynSent);
}

#[test]
fn the_handshake_gives_up_after_syn_retries() {
    let mut tcb = syn_sent(TcpConfig {
        syn_retries: 2,
        ..config()
    });
    tick(&mut tcb, 1000);
    tick(&mut tcb, 3000);
    sent!(tick(&mut tcb, 7000), []);
    assert_eq!(tcb.state(), State::Closed);
    assert!(notes(&mut tcb).contains(&TcpTrace::Aborted(
        "handshake timed out (SYN retries exhausted)"
    )));
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn a_syn_ack_to_a_retransmitted_syn_gives_no_rtt_sample_and_a_one_segment_window() {
    let mut tcb = syn_sent(config());
    tick(&mut tcb, 1000);
    sent!(
        recv(&mut tcb, 1100, syn_ack(300, 101)),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [ack]"]
    );
    // Karn: which SYN does it answer?
    assert_eq!(tcb.rtt().srtt(), None);
    // RFC 5681 §3.1: after a lost SYN the initial window is one segment.
    assert_eq!(tcb.cwnd(), 1460);
    sent!(
        write(&mut tcb, 1200, 2920),
        ["<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]"]
    );
    // RFC 6298 §5.7: the RTO (2 s after one backoff) is re-initialized to 3 s.
    assert_eq!(tcb.rtt().rto(), secs(3));
    assert_eq!(tcb.poll_at(), Some(ms(4200)));
}

#[test]
fn a_data_timeout_goes_back_to_snd_una() {
    let mut tcb = established(config());
    write(&mut tcb, 100, 2920);
    // RFC 5681 §3.1: one segment, ssthresh = max(FlightSize / 2, 2 SMSS).
    sent!(
        tick(&mut tcb, 1100),
        ["<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [retransmission (RTO)]"]
    );
    assert_eq!(timeouts(&mut tcb), [(secs(1), 1)]);
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (1460, 2920));
    assert_eq!(tcb.poll_at(), Some(ms(3100)), "backed off to 2 s");
    // Slow start again: the next ACK releases the second segment, resent.
    let out = recv(&mut tcb, 1200, seg(301, 1561));
    sent!(
        out,
        ["<SEQ=1561><ACK=301><CTL=PSH,ACK><DATA=1460><WND=64000> [retransmission (RTO)]"]
    );
    assert_eq!(tcb.cwnd(), 2920);
    assert_eq!(tcb.poll_at(), Some(ms(3200)));
    sent!(recv(&mut tcb, 1300, seg(301, 3021)), []);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn karn_no_rtt_sample_from_a_retransmitted_segment() {
    let mut tcb = established(config());
    write(&mut tcb, 100, 1000);
    tick(&mut tcb, 1100);
    recv(&mut tcb, 1150, seg(301, 1101));
    assert_eq!(
        tcb.rtt().latest(),
        Some(SimDuration::from_millis(10)),
        "only the handshake's sample"
    );
    // The next new segment is timed again.
    write(&mut tcb, 1200, 1000);
    recv(&mut tcb, 1230, seg(301, 2101));
    assert_eq!(tcb.rtt().latest(), Some(SimDuration::from_millis(30)));
}

#[test]
fn timestamps_give_rtt_samples_even_for_retransmissions() {
    // RFC 7323 §4: the echoed TSval says which transmission is acknowledged.
    let cfg = TcpConfig {
        timestamps: true,
        ..config()
    };
    let options = TcpOptions {
        timestamps: Some((5000, 0)),
        ..mss_only(1460)
    };
    let mut tcb = established_by(
        cfg,
        TcpRepr {
            options,
            ..syn_ack(300, 101)
        },
    );
    assert_eq!(tcb.mss(), 1448);
    sent!(
        write(&mut tcb, 100, 1000),
        ["<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=1000><WND=64000><TS=100,5000> [new data]"]
    );
    sent!(
        tick(&mut tcb, 1100),
        [
            "<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=1000><WND=64000><TS=1100,5000> [retransmission (RTO)]"
        ]
    );
    let ts = TcpOptions {
        timestamps: Some((5100, 1100)),
        ..TcpOptions::default()
    };
    sent!(
        recv(
            &mut tcb,
            1150,
            TcpRepr {
                options: ts,
                ..seg(301, 1101)
            }
        ),
        []
    );
    assert_eq!(tcb.rtt().latest(), Some(SimDuration::from_millis(50)));
}

#[test]
fn the_retry_limit_aborts_the_connection() {
    let mut tcb = established(TcpConfig {
        data_retries: 2,
        ..config()
    });
    write(&mut tcb, 100, 100);
    let again = "<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100><WND=64000> [retransmission (RTO)]";
    sent!(tick(&mut tcb, 1100), [again]);
    sent!(tick(&mut tcb, 3100), [again]);
    sent!(tick(&mut tcb, 7100), []);
    assert_eq!(tcb.state(), State::Closed);
    assert!(notes(&mut tcb).contains(&TcpTrace::Aborted("retransmission limit reached")));
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn repeated_timeouts_of_one_segment_keep_ssthresh() {
    // RFC 5681 §3.1: "the value of ssthresh is held constant" when a segment
    // already retransmitted by the timer times out again.
    let mut tcb = ten_segments();
    tick(&mut tcb, 1100);
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (1460, 7300));
    tick(&mut tcb, 3100);
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (1460, 7300));
}

#[test]
fn fast_retransmit_after_three_duplicate_acks() {
    let mut tcb = ten_segments();
    sent!(dupacks(&mut tcb, 200, 2, 101), []);
    sent!(
        recv(&mut tcb, 202, seg(301, 101)),
        ["<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [fast retransmission]"]
    );
    assert_eq!(
        notes(&mut tcb),
        [TcpTrace::RecoveryStart(RecoveryKind::NewReno)]
    );
    // RFC 5681 §3.2 step 2-3: ssthresh = max(14600 / 2, 2 SMSS), cwnd = ssthresh + 3 SMSS.
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (7300, 7300 + 3 * 1460));
    // Step 4: each further duplicate inflates by one SMSS; no second retransmission.
    sent!(recv(&mut tcb, 203, seg(301, 101)), []);
    assert_eq!(tcb.cwnd(), 7300 + 4 * 1460);
    assert_eq!(
        tcb.poll_at(),
        Some(ms(1100)),
        "the retransmission timer was not restarted"
    );
}

#[test]
fn acks_with_data_or_a_new_window_are_not_duplicates() {
    // RFC 5681 §2 "DUPLICATE ACKNOWLEDGMENT".
    let mut tcb = ten_segments();
    recv_data(&mut tcb, 200, seg(301, 101), 10);
    recv(
        &mut tcb,
        201,
        TcpRepr {
            window: 40_000,
            ..seg(311, 101)
        },
    );
    recv(
        &mut tcb,
        202,
        TcpRepr {
            window: 40_000,
            ..seg(311, 101)
        },
    );
    assert_eq!(tcb.loss.dupacks(), 1);
    assert!(
        !notes(&mut tcb)
            .iter()
            .any(|n| matches!(n, TcpTrace::RecoveryStart(_)))
    );
}

#[test]
fn inflation_releases_new_data_during_recovery() {
    // Without limited transmit, which would send the two waiting segments on
    // the first two duplicates (see recovery.rs).
    let mut tcb = established(TcpConfig {
        limited_transmit: false,
        ..config()
    });
    assert_eq!(
        write(&mut tcb, 100, 17_520).len(),
        10,
        "IW 10, two segments wait"
    );
    let out = dupacks(&mut tcb, 200, 5, 101);
    assert_eq!(
        out,
        ["<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [fast retransmission]"]
    );
    // cwnd 7300 + 6 SMSS = 16060 > 14600 in flight: one new segment per duplicate.
    sent!(
        recv(&mut tcb, 205, seg(301, 101)),
        ["<SEQ=14701><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]"]
    );
    sent!(
        recv(&mut tcb, 206, seg(301, 101)),
        ["<SEQ=16161><ACK=301><CTL=PSH,ACK><DATA=1460><WND=64000> [new data]"]
    );
}

#[test]
fn a_partial_ack_retransmits_the_next_hole_and_a_full_ack_ends_recovery() {
    // RFC 6582 §3.2 steps 3 and 5.
    let mut tcb = ten_segments();
    dupacks(&mut tcb, 200, 3, 101);
    notes(&mut tcb);
    let out = recv(&mut tcb, 300, seg(301, 5941));
    sent!(
        out,
        ["<SEQ=5941><ACK=301><CTL=ACK><DATA=1460><WND=64000> [fast retransmission]"]
    );
    // Deflate by the 5840 bytes acknowledged, add back one SMSS: 11680 - 5840 + 1460.
    assert_eq!(tcb.cwnd(), 7300);
    assert_eq!(notes(&mut tcb), []);
    sent!(recv(&mut tcb, 400, seg(301, 14_701)), []);
    assert_eq!(notes(&mut tcb), [TcpTrace::RecoveryEnd]);
    assert_eq!((tcb.cwnd(), tcb.ssthresh()), (7300, 7300));
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn a_partial_ack_of_less_than_an_mss_adds_nothing_back() {
    let mut tcb = ten_segments();
    dupacks(&mut tcb, 200, 3, 101);
    // 100 bytes acknowledged: 11680 - 100, no SMSS added (RFC 6582 §3.2 step 5).
    let out = recv(&mut tcb, 300, seg(301, 201));
    sent!(
        out,
        ["<SEQ=201><ACK=301><CTL=ACK><DATA=1460><WND=64000> [fast retransmission]"]
    );
    assert_eq!(tcb.cwnd(), 11_580);
}

#[test]
fn no_fast_retransmit_for_duplicates_of_data_sent_before_a_timeout() {
    // RFC 6582 §3.2 step 2 and §4: after a timeout, recover = the highest
    // sequence number sent; duplicate ACKs below it start no recovery.
    let mut tcb = ten_segments();
    tick(&mut tcb, 1100);
    let out = recv(&mut tcb, 1200, seg(301, 4481));
    sent!(
        out,
        [
            "<SEQ=4481><ACK=301><CTL=ACK><DATA=1460><WND=64000> [retransmission (RTO)]",
            "<SEQ=5941><ACK=301><CTL=ACK><DATA=1460><WND=64000> [retransmission (RTO)]",
        ]
    );
    notes(&mut tcb);
    sent!(dupacks(&mut tcb, 1300, 3, 4481), []);
    assert_eq!(notes(&mut tcb), []);
    assert_eq!(tcb.ssthresh(), 7300);
}

#[test]
fn fast_retransmit_works_again_once_the_timeout_is_recovered() {
    let mut tcb = established(config());
    write(&mut tcb, 100, 1460);
    tick(&mut tcb, 1100);
    recv(&mut tcb, 1200, seg(301, 1561));
    // Slow start from one segment: cwnd 2920, then congestion avoidance (ssthresh 2920).
    assert_eq!(write(&mut tcb, 1300, 2920).len(), 2);
    recv(&mut tcb, 1400, seg(301, 4481));
    assert_eq!(tcb.cwnd(), 4380);
    assert_eq!(write(&mut tcb, 1500, 5840).len(), 3);
    let out = dupacks(&mut tcb, 1600, 3, 4481);
    // The first duplicate releases the waiting segment (limited transmit,
    // RFC 3042); the third retransmits. ssthresh = max(4380 / 2, 2 SMSS) =
    // 2920 (the FlightSize without the limited-transmit segment, RFC 5681
    // §3.2 step 2), cwnd = 2920 + 3 SMSS = 7300.
    assert_eq!(
        out,
        [
            "<SEQ=8861><ACK=301><CTL=PSH,ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=4481><ACK=301><CTL=ACK><DATA=1460><WND=64000> [fast retransmission]",
        ]
    );
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (2920, 7300));
}

#[test]
fn a_fast_retransmission_of_the_last_segment_carries_the_fin() {
    let mut tcb = established(config());
    queue(&mut tcb, 7300);
    let out = close(&mut tcb, 100);
    assert_eq!(out.len(), 5);
    assert_eq!(
        out[4],
        "<SEQ=5941><ACK=301><CTL=FIN,PSH,ACK><DATA=1460><WND=64000> [new data]"
    );
    dupacks(&mut tcb, 200, 3, 101);
    // Partial ACK: everything but the last segment (and its FIN) arrived.
    let out = recv(&mut tcb, 300, seg(301, 5941));
    sent!(
        out,
        ["<SEQ=5941><ACK=301><CTL=FIN,PSH,ACK><DATA=1460><WND=64000> [fast retransmission]"]
    );
    sent!(recv(&mut tcb, 400, seg(301, 7402)), []);
    assert_eq!(tcb.state(), State::FinWait2);
}

#[test]
fn a_partial_ack_can_leave_only_the_fin_to_retransmit() {
    let mut tcb = established(config());
    assert_eq!(write(&mut tcb, 100, 5840).len(), 4);
    sent!(
        close(&mut tcb, 100),
        ["<SEQ=5941><ACK=301><CTL=FIN,ACK><WND=64000> [new data]"]
    );
    dupacks(&mut tcb, 200, 3, 101);
    let out = recv(&mut tcb, 300, seg(301, 5941));
    sent!(
        out,
        ["<SEQ=5941><ACK=301><CTL=FIN,ACK><WND=64000> [fast retransmission]"]
    );
    sent!(recv(&mut tcb, 400, seg(301, 5942)), []);
    assert_eq!(tcb.state(), State::FinWait2);
    assert!(notes(&mut tcb).contains(&TcpTrace::RecoveryEnd));
}
