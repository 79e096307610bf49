//! FIN-WAIT-2: our FIN is acknowledged; we wait for the peer's (RFC 9293
//! §3.10.7.4 eighth, Figure 12).

use super::*;

#[test]
fn fin_in_fin_wait_2_is_acknowledged_and_enters_time_wait() {
    // RFC 9293 Figure 12 lines 4-5.
    let mut tcb = fin_wait_2(config());
    let out = recv(
        &mut tcb,
        40,
        TcpRepr {
            flags: FIN,
            ..seg(301, 102)
        },
    );
    sent!(out, ["<SEQ=102><ACK=302><CTL=ACK><WND=63999> [ack]"]);
    assert_eq!(tcb.state(), State::TimeWait);
    assert_eq!(signals(&mut tcb), [AppSignal::PeerClosed]);
    assert_eq!(tcb.poll_at(), Some(ms(60_040)), "2 MSL");
}

#[test]
fn the_whole_four_way_close() {
    // RFC 9293 Figure 12, TCP A's side, every transition.
    let mut tcb = established(config());
    sent!(
        close(&mut tcb, 20),
        ["<SEQ=101><ACK=301><CTL=FIN,ACK><WND=64000> [new data]"]
    );
    sent!(recv(&mut tcb, 30, seg(301, 102)), []);
    sent!(
        recv(
            &mut tcb,
            40,
            TcpRepr {
                flags: FIN,
                ..seg(301, 102)
            }
        ),
        ["<SEQ=102><ACK=302><CTL=ACK><WND=63999> [ack]"]
    );
    sent!(tick(&mut tcb, 60_040), []);
    assert_eq!(
        transitions(&mut tcb),
        [
            "ESTABLISHED -> FIN-WAIT-1",
            "FIN-WAIT-1 -> FIN-WAIT-2",
            "FIN-WAIT-2 -> TIME-WAIT",
            "TIME-WAIT -> CLOSED"
        ]
    );
    assert_eq!(
        signals(&mut tcb),
        [AppSignal::PeerClosed, AppSignal::Closed { error: false }]
    );
}

#[test]
fn data_still_arrives_in_fin_wait_2() {
    let mut tcb = fin_wait_2(config());
    let out = recv_data(&mut tcb, 40, seg(301, 102), 1000);
    sent!(out, ["<SEQ=102><ACK=1301><CTL=ACK><WND=63000> [ack]"]);
    assert_eq!(signals(&mut tcb), [AppSignal::Readable]);
    let out = recv_data(
        &mut tcb,
        50,
        TcpRepr {
            flags: FIN,
            ..seg(1301, 102)
        },
        10,
    );
    sent!(out, ["<SEQ=102><ACK=1312><CTL=ACK><WND=62989> [ack]"]);
    assert_eq!(tcb.state(), State::TimeWait);
    sent!(read(&mut tcb, 60, 5000, 1010), []);
}

#[test]
fn fin_wait_2_has_no_timer() {
    let tcb = fin_wait_2(config());
    assert_eq!(tcb.poll_at(), None);
}
