//! Timers that are not about retransmission: keepalive (RFC 1122 §4.2.3.6,
//! RFC 9293 §3.8.4), the delayed ACK, and spurious expiries.

use sim_core::SimDuration;

use super::*;
use crate::tcp::KeepaliveConfig;

fn keepalive() -> TcpConfig {
    TcpConfig {
        keepalive: Some(KeepaliveConfig {
            idle: SimDuration::from_secs(10),
            interval: SimDuration::from_secs(1),
            probes: 3,
        }),
        ..config()
    }
}

const PROBE: &str = "<SEQ=100><ACK=301><CTL=ACK><WND=64000> [keep-alive]";

#[test]
fn keepalive_is_off_by_default() {
    let tcb = established(config());
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn keepalive_probes_after_the_idle_time_then_every_interval_then_aborts() {
    // Established at 10 ms: idle until 10.010 s. Probes are <SEQ=SND.NXT-1>.
    let mut tcb = established(keepalive());
    sent!(tick(&mut tcb, 10_010), [PROBE]);
    sent!(tick(&mut tcb, 11_010), [PROBE]);
    sent!(tick(&mut tcb, 12_010), [PROBE]);
    sent!(tick(&mut tcb, 13_010), []);
    assert_eq!(tcb.state(), State::Closed);
    assert!(notes(&mut tcb).contains(&TcpTrace::Aborted("keepalive timeout")));
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn an_answered_keepalive_resets_the_idle_timer() {
    let mut tcb = established(keepalive());
    sent!(tick(&mut tcb, 10_010), [PROBE]);
    sent!(tick(&mut tcb, 11_010), [PROBE]);
    // The peer answers <SEQ=RCV.NXT><ACK=SND.NXT>.
    sent!(recv(&mut tcb, 11_020, seg(301, 101)), []);
    assert_eq!(tcb.poll_at(), Some(ms(21_020)));
    // A full set of probes again before giving up.
    for at in [21_020, 22_020, 23_020] {
        sent!(tick(&mut tcb, at), [PROBE]);
    }
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn any_segment_from_the_peer_defers_keepalive() {
    let mut tcb = established(keepalive());
    recv_data(&mut tcb, 5000, seg(301, 101), 10);
    assert_eq!(tcb.poll_at(), Some(ms(15_000)));
}

#[test]
fn keepalive_waits_while_data_is_outstanding() {
    // The retransmission timer watches the connection then.
    let mut tcb = established(TcpConfig {
        data_retries: 20,
        ..keepalive()
    });
    write(&mut tcb, 9_000, 100);
    let again = "<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100><WND=64000> [retransmission (RTO)]";
    sent!(tick(&mut tcb, 10_000), [again]);
    sent!(tick(&mut tcb, 10_010), []);
    sent!(tick(&mut tcb, 12_000), [again]);
    sent!(tick(&mut tcb, 16_000), [again]);
    sent!(tick(&mut tcb, 20_010), []);
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn a_spurious_timer_is_a_no_op() {
    let mut tcb = established(TcpConfig {
        delayed_ack: true,
        ..config()
    });
    write(&mut tcb, 100, 100);
    recv_data(&mut tcb, 110, seg(301, 101), 10);
    assert_eq!(tcb.poll_at(), Some(ms(150)), "the delayed ACK");
    let mut out = Vec::new();
    tcb.on_timer(ms(120), &mut out);
    assert!(out.is_empty());
    assert_eq!(tcb.poll_at(), Some(ms(150)));
    sent!(
        tick(&mut tcb, 150),
        ["<SEQ=201><ACK=311><CTL=ACK><WND=63990> [delayed ack]"]
    );
    assert_eq!(tcb.poll_at(), Some(ms(1100)));
}

#[test]
fn a_keepalive_from_the_peer_draws_an_ack() {
    // <SEQ=RCV.NXT-1> is outside the window: the first check answers it.
    let mut tcb = established(config());
    sent!(
        recv(&mut tcb, 5000, seg(300, 101)),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [ack]"]
    );
}
