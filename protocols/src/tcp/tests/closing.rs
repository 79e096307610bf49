//! CLOSING: both sides closed at once; we wait for the ACK of our FIN (RFC
//! 9293 Figure 13).

use super::*;

#[test]
fn ack_of_the_fin_in_closing_enters_time_wait() {
    let mut tcb = closing(config());
    sent!(recv(&mut tcb, 40, seg(302, 102)), []);
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(tcb.poll_at(), Some(ms(60_040)));
}

#[test]
fn a_retransmitted_fin_in_closing_is_acknowledged() {
    let mut tcb = closing(config());
    let out = recv(
        &mut tcb,
        40,
        TcpRepr {
            flags: FIN,
            ..seg(301, 101)
        },
    );
    sent!(out, ["<SEQ=102><ACK=302><CTL=ACK><WND=63999> [ack]"]);
    assert_eq!(tcb.state(), State::Closing);
}

#[test]
fn our_fin_is_retransmitted_in_closing() {
    let mut tcb = closing(config());
    sent!(
        tick(&mut tcb, 1020),
        ["<SEQ=101><ACK=302><CTL=FIN,ACK><WND=63999> [retransmission (RTO)]"]
    );
    assert_eq!(tcb.state(), State::Closing);
    sent!(recv(&mut tcb, 1030, seg(302, 102)), []);
    assert_eq!(tcb.state(), State::TimeWait);
}
