//! FIN-WAIT-1: we sent our FIN and wait for its ACK or the peer's FIN
//! (RFC 9293 §3.10.4 CLOSE, §3.10.7.4 fifth and eighth, Figures 12 and 13).

use super::*;

#[test]
fn close_sends_a_fin_and_enters_fin_wait_1() {
    // RFC 9293 Figure 12 line 2.
    let mut tcb = established(config());
    sent!(
        close(&mut tcb, 20),
        ["<SEQ=101><ACK=301><CTL=FIN,ACK><WND=64000> [new data]"]
    );
    assert_eq!(tcb.state(), State::FinWait1);
    assert_eq!(transitions(&mut tcb), ["ESTABLISHED -> FIN-WAIT-1"]);
    assert_eq!(
        tcb.poll_at(),
        Some(ms(1020)),
        "the FIN is retransmitted like data"
    );
    assert_eq!(tcb.send_capacity(), 0, "no more SENDs after CLOSE");
}

#[test]
fn the_fin_follows_queued_data() {
    let mut tcb = established(config());
    write(&mut tcb, 20, 100);
    // Nagle holds the next 50 bytes while the first 100 are unacknowledged...
    sent!(write(&mut tcb, 21, 50), []);
    // ...but not once the application closed: nothing more can be coalesced
    // with them (Linux pushes with Nagle off on close, too).
    let out = close(&mut tcb, 22);
    sent!(
        out,
        ["<SEQ=201><ACK=301><CTL=FIN,PSH,ACK><DATA=50><WND=64000> [new data]"]
    );
    assert_eq!(tcb.state(), State::FinWait1);
    sent!(recv(&mut tcb, 30, seg(301, 201)), []);
    assert_eq!(tcb.state(), State::FinWait1);
    sent!(recv(&mut tcb, 40, seg(301, 252)), []);
    assert_eq!(tcb.state(), State::FinWait2);
}

#[test]
fn ack_of_the_fin_goes_to_fin_wait_2() {
    // RFC 9293 Figure 12 line 3.
    let mut tcb = fin_wait_1(config());
    sent!(recv(&mut tcb, 30, seg(301, 102)), []);
    assert_eq!(tcb.state(), State::FinWait2);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn ack_short_of_the_fin_stays_in_fin_wait_1() {
    let mut tcb = established(config());
    write(&mut tcb, 20, 100);
    close(&mut tcb, 20);
    assert_eq!(tcb.state(), State::FinWait1);
    sent!(recv(&mut tcb, 30, seg(301, 201)), []);
    assert_eq!(tcb.state(), State::FinWait1);
    assert_eq!(tcb.poll_at(), Some(ms(1030)));
}

#[test]
fn fin_with_the_ack_of_our_fin_goes_to_time_wait() {
    // RFC 9293 §3.10.7.4 eighth, FIN-WAIT-1: "If our FIN has been ACKed
    // (perhaps in this segment), then enter TIME-WAIT".
    let mut tcb = fin_wait_1(config());
    let out = recv(
        &mut tcb,
        30,
        TcpRepr {
            flags: FIN,
            ..seg(301, 102)
        },
    );
    sent!(out, ["<SEQ=102><ACK=302><CTL=ACK><WND=63999> [ack]"]);
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(tcb.poll_at(), Some(ms(60_030)));
}

#[test]
fn simultaneous_close_goes_through_closing() {
    // RFC 9293 Figure 13, seen from one side.
    let mut tcb = fin_wait_1(config());
    let out = recv(
        &mut tcb,
        30,
        TcpRepr {
            flags: FIN,
            ..seg(301, 101)
        },
    );
    sent!(out, ["<SEQ=102><ACK=302><CTL=ACK><WND=63999> [ack]"]);
    assert_eq!(tcb.state(), State::Closing);
    sent!(recv(&mut tcb, 40, seg(302, 102)), []);
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(
        transitions(&mut tcb),
        ["FIN-WAIT-1 -> CLOSING", "CLOSING -> TIME-WAIT"]
    );
    assert_eq!(tcb.poll_at(), Some(ms(60_040)));
}

#[test]
fn data_still_arrives_in_fin_wait_1() {
    let mut tcb = fin_wait_1(config());
    let out = recv_data(&mut tcb, 30, seg(301, 101), 100);
    sent!(out, ["<SEQ=102><ACK=401><CTL=ACK><WND=63900> [ack]"]);
    assert_eq!(tcb.state(), State::FinWait1);
    sent!(read(&mut tcb, 40, 1000, 100), []);
}

#[test]
fn a_lost_fin_is_retransmitted() {
    let mut tcb = fin_wait_1(config());
    sent!(
        tick(&mut tcb, 1020),
        ["<SEQ=101><ACK=301><CTL=FIN,ACK><WND=64000> [retransmission (RTO)]"]
    );
    assert_eq!(tcb.poll_at(), Some(ms(3020)));
    sent!(recv(&mut tcb, 1030, seg(301, 102)), []);
    assert_eq!(tcb.state(), State::FinWait2);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn data_and_fin_go_back_together_after_a_timeout() {
    let mut tcb = established(config());
    write(&mut tcb, 20, 3000);
    close(&mut tcb, 20);
    // 1460 + 1460 + 80 and the FIN at 3101 went out; nothing is acknowledged.
    sent!(
        tick(&mut tcb, 1020),
        ["<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [retransmission (RTO)]"]
    );
    let out = recv(&mut tcb, 1030, seg(301, 1561));
    sent!(
        out,
        [
            "<SEQ=1561><ACK=301><CTL=ACK><DATA=1460><WND=64000> [retransmission (RTO)]",
            "<SEQ=3021><ACK=301><CTL=FIN,PSH,ACK><DATA=80><WND=64000> [retransmission (RTO)]",
        ]
    );
    // The receiver had everything but the first segment: it acknowledges the FIN.
    sent!(recv(&mut tcb, 1040, seg(301, 3102)), []);
    assert_eq!(tcb.state(), State::FinWait2);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn rst_in_fin_wait_1_resets() {
    let mut tcb = fin_wait_1(config());
    sent!(
        recv(
            &mut tcb,
            30,
            TcpRepr {
                flags: RST,
                ..bare(301)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
}
