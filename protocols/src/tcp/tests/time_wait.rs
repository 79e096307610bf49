//! TIME-WAIT (RFC 9293 §3.10.7.4 eighth, §3.10.8): 2 MSL, repeating the last ACK.

use super::*;

#[test]
fn time_wait_lasts_two_msl() {
    let mut tcb = time_wait(config());
    assert_eq!(
        tcb.poll_at(),
        Some(ms(60_040)),
        "entered at 40 ms, MSL 30 s"
    );
    let mut out = Vec::new();
    tcb.on_timer(ms(60_039), &mut out);
    assert_eq!(
        tcb.state(),
        State::TimeWait,
        "a spurious early timer changes nothing"
    );
    sent!(tick(&mut tcb, 60_040), []);
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(transitions(&mut tcb), ["TIME-WAIT -> CLOSED"]);
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: false }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn time_wait_follows_the_configured_msl() {
    let cfg = TcpConfig {
        msl: sim_core::SimDuration::from_secs(1),
        ..config()
    };
    let mut tcb = time_wait(cfg);
    sent!(tick(&mut tcb, 2040), []);
    assert_eq!(tcb.state(), State::Closed);
}

#[test]
fn retransmitted_fin_in_time_wait_restarts_the_timer() {
    // RFC 9293 §3.10.7.4 eighth, TIME-WAIT: acknowledge it, restart the 2 MSL timeout.
    let mut tcb = time_wait(config());
    let out = recv(
        &mut tcb,
        30_040,
        TcpRepr {
            flags: FIN,
            ..seg(301, 102)
        },
    );
    sent!(out, ["<SEQ=102><ACK=302><CTL=ACK><WND=63999> [ack]"]);
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(tcb.poll_at(), Some(ms(90_040)));
}

#[test]
fn rst_in_time_wait_closes() {
    // RFC 9293 §3.10.7.4 second, TIME-WAIT: enter CLOSED.
    let mut tcb = time_wait(config());
    sent!(
        recv(
            &mut tcb,
            50,
            TcpRepr {
                flags: RST,
                ..bare(302)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn syn_in_time_wait_draws_a_challenge_ack() {
    let mut tcb = time_wait(config());
    let out = recv(
        &mut tcb,
        50,
        TcpRepr {
            flags: SYN,
            ..bare(5000)
        },
    );
    sent!(
        out,
        ["<SEQ=102><ACK=302><CTL=ACK><WND=63999> [challenge ack]"]
    );
    assert_eq!(tcb.state(), State::TimeWait);
}

#[test]
fn abort_in_time_wait_sends_no_reset() {
    let mut tcb = time_wait(config());
    sent!(abort(&mut tcb), []);
    assert_eq!(tcb.state(), State::Closed);
}
