//! CLOSE-WAIT: the peer closed its direction; ours stays open (half-close,
//! RFC 9293 §3.6).

use super::*;

#[test]
fn half_close_data_still_flows_in_close_wait() {
    let mut tcb = close_wait(config());
    sent!(
        write(&mut tcb, 30, 1000),
        ["<SEQ=101><ACK=302><CTL=PSH,ACK><DATA=1000><WND=63999> [new data]"]
    );
    sent!(recv(&mut tcb, 40, seg(302, 1101)), []);
    assert_eq!(tcb.bytes_in_flight(), 0);
    assert_eq!(tcb.state(), State::CloseWait);
    assert_eq!(signals(&mut tcb), [AppSignal::Writable]);
}

#[test]
fn close_in_close_wait_sends_the_fin_and_enters_last_ack() {
    let mut tcb = close_wait(config());
    sent!(
        close(&mut tcb, 30),
        ["<SEQ=101><ACK=302><CTL=FIN,ACK><WND=63999> [new data]"]
    );
    assert_eq!(tcb.state(), State::LastAck);
}

#[test]
fn text_after_the_fin_is_ignored() {
    // RFC 9293 §3.10.7.4 seventh, CLOSE-WAIT: "Ignore the segment text."
    let mut tcb = close_wait(config());
    sent!(recv_data(&mut tcb, 30, seg(302, 101), 10), []);
    assert_eq!(tcb.readable(), 0);
}

#[test]
fn a_retransmitted_fin_is_acknowledged_again() {
    let mut tcb = close_wait(config());
    let out = recv(
        &mut tcb,
        30,
        TcpRepr {
            flags: FIN,
            ..seg(301, 101)
        },
    );
    sent!(out, ["<SEQ=101><ACK=302><CTL=ACK><WND=63999> [ack]"]);
    assert_eq!(tcb.state(), State::CloseWait);
    assert_eq!(signals(&mut tcb), [], "PeerClosed is told once");
}
