//! LAST-ACK: both FINs sent, we wait for the ACK of ours (RFC 9293 §3.10.7.4 fifth).

use super::*;

#[test]
fn ack_of_the_fin_in_last_ack_closes() {
    // RFC 9293 Figure 12 line 6, TCP B's side.
    let mut tcb = last_ack(config());
    sent!(recv(&mut tcb, 40, seg(302, 102)), []);
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(transitions(&mut tcb), ["LAST-ACK -> CLOSED"]);
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: false }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn the_fin_is_retransmitted_in_last_ack() {
    let mut tcb = last_ack(config());
    sent!(
        tick(&mut tcb, 1030),
        ["<SEQ=101><ACK=302><CTL=FIN,ACK><WND=63999> [retransmission (RTO)]"]
    );
    sent!(recv(&mut tcb, 1040, seg(302, 102)), []);
    assert_eq!(tcb.state(), State::Closed);
}

#[test]
fn an_ack_short_of_the_fin_keeps_last_ack() {
    let mut tcb = close_wait(config());
    write(&mut tcb, 30, 100);
    close(&mut tcb, 30);
    assert_eq!(tcb.state(), State::LastAck);
    sent!(recv(&mut tcb, 40, seg(302, 201)), []);
    assert_eq!(tcb.state(), State::LastAck);
    sent!(recv(&mut tcb, 50, seg(302, 202)), []);
    assert_eq!(tcb.state(), State::Closed);
}

#[test]
fn rst_in_last_ack_closes() {
    let mut tcb = last_ack(config());
    sent!(
        recv(
            &mut tcb,
            40,
            TcpRepr {
                flags: RST,
                ..bare(302)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Closed);
}

#[test]
fn abort_in_last_ack_sends_no_reset() {
    // RFC 9293 §3.10.5: CLOSING, LAST-ACK, TIME-WAIT: respond "ok", delete the TCB.
    let mut tcb = last_ack(config());
    sent!(abort(&mut tcb), []);
    assert_eq!(tcb.state(), State::Closed);
}
