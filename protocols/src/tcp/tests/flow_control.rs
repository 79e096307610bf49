//! Flow control (RFC 9293 §3.8.6): the receive window and its silly-window
//! avoidance, zero windows and the persist timer, window scaling (RFC 7323 §2).

use super::*;

fn small_buffer() -> Tcb {
    established(TcpConfig {
        recv_buffer: 4000,
        ..config()
    })
}

/// Established, 1000 bytes sent at 100 ms and acknowledged at 150 ms with a
/// zero window, then 500 more written at 200 ms.
fn zero_window() -> Tcb {
    let mut tcb = established(config());
    write(&mut tcb, 100, 1000);
    sent!(
        recv(
            &mut tcb,
            150,
            TcpRepr {
                window: 0,
                ..seg(301, 1101)
            }
        ),
        []
    );
    sent!(write(&mut tcb, 200, 500), []);
    tcb
}

#[test]
fn receive_window_shrinks_while_the_application_does_not_read() {
    let mut tcb = small_buffer();
    sent!(
        recv_data(&mut tcb, 100, seg(301, 101), 1460),
        ["<SEQ=101><ACK=1761><CTL=ACK><WND=2540> [ack]"]
    );
    sent!(
        recv_data(&mut tcb, 110, seg(1761, 101), 1460),
        ["<SEQ=101><ACK=3221><CTL=ACK><WND=1080> [ack]"]
    );
    sent!(
        recv_data(&mut tcb, 120, seg(3221, 101), 1080),
        ["<SEQ=101><ACK=4301><CTL=ACK><WND=0> [ack]"]
    );
    // A probe of the zero window is not accepted, only acknowledged.
    sent!(
        recv_data(&mut tcb, 130, seg(4301, 101), 1),
        ["<SEQ=101><ACK=4301><CTL=ACK><WND=0> [ack]"]
    );
    assert_eq!(tcb.readable(), 4000);
}

#[test]
fn reading_opens_the_window_by_at_least_an_mss_then_announces_it() {
    // RFC 9293 §3.8.6.2.2: the right edge moves by min(buffer/2, MSS) = 1460 or not at all.
    let mut tcb = small_buffer();
    recv_data(&mut tcb, 100, seg(301, 101), 1460);
    recv_data(&mut tcb, 110, seg(1761, 101), 1460);
    recv_data(&mut tcb, 120, seg(3221, 101), 1080);
    sent!(read(&mut tcb, 200, 1000, 1000), []);
    sent!(
        read(&mut tcb, 210, 500, 500),
        ["<SEQ=101><ACK=4301><CTL=ACK><WND=1500> [window update]"]
    );
    // The peer may fill those 1500 bytes.
    sent!(
        recv_data(&mut tcb, 220, seg(4301, 101), 1460),
        ["<SEQ=101><ACK=5761><CTL=ACK><WND=40> [ack]"]
    );
    sent!(
        recv_data(&mut tcb, 230, seg(5761, 101), 41),
        ["<SEQ=101><ACK=5801><CTL=ACK><WND=0> [ack]"]
    );
    sent!(
        read(&mut tcb, 240, 10_000, 4000),
        ["<SEQ=101><ACK=5801><CTL=ACK><WND=4000> [window update]"]
    );
}

#[test]
fn a_zero_window_is_probed_with_one_byte_after_the_rto() {
    let mut tcb = zero_window();
    assert_eq!(tcb.poll_at(), Some(ms(1200)));
    let probe = "<SEQ=1101><ACK=301><CTL=ACK><DATA=1><WND=64000> [zero window probe]";
    sent!(tick(&mut tcb, 1200), [probe]);
    // Still zero: the probe is not accepted; the next one comes after twice as long.
    sent!(
        recv(
            &mut tcb,
            1250,
            TcpRepr {
                window: 0,
                ..seg(301, 1101)
            }
        ),
        []
    );
    sent!(tick(&mut tcb, 3200), [probe]);
    assert_eq!(tcb.poll_at(), Some(ms(7200)));
    // The window opened and the probe's byte was taken: the rest follows.
    let out = recv(&mut tcb, 3250, seg(301, 1102));
    sent!(
        out,
        ["<SEQ=1102><ACK=301><CTL=PSH,ACK><DATA=499><WND=64000> [new data]"]
    );
    assert_eq!(
        tcb.poll_at(),
        Some(ms(4250)),
        "the retransmission timer, no more probes"
    );
    sent!(recv(&mut tcb, 3300, seg(301, 1601)), []);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn zero_window_probing_backs_off_to_a_minute_and_never_gives_up() {
    // RFC 9293 §3.8.6.1: the connection MUST stay open however long the window stays shut.
    let mut tcb = zero_window();
    let mut at = 1200;
    let mut gaps = Vec::new();
    for _ in 0..20 {
        sent!(
            tick(&mut tcb, at),
            ["<SEQ=1101><ACK=301><CTL=ACK><DATA=1><WND=64000> [zero window probe]"]
        );
        sent!(
            recv(
                &mut tcb,
                at + 50,
                TcpRepr {
                    window: 0,
                    ..seg(301, 1101)
                }
            ),
            []
        );
        let next = tcb.poll_at().unwrap().as_nanos() / 1_000_000;
        gaps.push((next - at) / 1000);
        at = next;
    }
    assert_eq!(&gaps[..8], [2, 4, 8, 16, 32, 60, 60, 60]);
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn pure_acks_while_probing_carry_the_next_sequence_number() {
    // The probe's byte is not counted as sent: an ACK we send meanwhile must
    // carry a sequence number the peer's zero window accepts (RCV.NXT).
    let mut tcb = zero_window();
    tick(&mut tcb, 1200);
    let out = recv_data(
        &mut tcb,
        1250,
        TcpRepr {
            window: 0,
            ..seg(301, 1101)
        },
        100,
    );
    sent!(out, ["<SEQ=1101><ACK=401><CTL=ACK><WND=63900> [ack]"]);
}

#[test]
fn a_window_update_ends_probing() {
    let mut tcb = zero_window();
    let out = recv(&mut tcb, 500, seg(301, 1101));
    sent!(
        out,
        ["<SEQ=1101><ACK=301><CTL=PSH,ACK><DATA=500><WND=64000> [new data]"]
    );
    assert_eq!(
        tcb.poll_at(),
        Some(ms(1500)),
        "the retransmission timer replaced the persist timer"
    );
}

#[test]
fn the_sender_does_not_fill_a_small_window_with_a_small_segment() {
    // RFC 9293 §3.8.6.2.1: send only a full segment, all that is queued, or at
    // least half the largest window the peer offered (50000 here).
    let mut tcb = established(config());
    sent!(
        recv(
            &mut tcb,
            50,
            TcpRepr {
                window: 1000,
                ..seg(301, 101)
            }
        ),
        []
    );
    sent!(write(&mut tcb, 100, 5000), []);
    // The window opens: full segments, then the rest (all that is queued).
    let out = recv(&mut tcb, 200, seg(301, 101));
    sent!(
        out,
        [
            "<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=1561><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=3021><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=4481><ACK=301><CTL=PSH,ACK><DATA=620><WND=64000> [new data]",
        ]
    );
}

#[test]
fn a_small_window_is_used_when_the_override_timer_expires() {
    // RFC 9293 §3.8.6.2.1 (4): the override timeout; without it a peer that
    // never opens its window further would stall the connection.
    let mut tcb = established(config());
    recv(
        &mut tcb,
        50,
        TcpRepr {
            window: 1000,
            ..seg(301, 101)
        },
    );
    sent!(write(&mut tcb, 100, 5000), []);
    sent!(
        tick(&mut tcb, 1100),
        ["<SEQ=101><ACK=301><CTL=ACK><DATA=1000><WND=64000> [new data]"]
    );
    assert_eq!(
        tcb.poll_at(),
        Some(ms(2100)),
        "now the retransmission timer"
    );
}

#[test]
fn window_fields_are_scaled_both_ways() {
    // RFC 7323 §2.3: our field is the window >> 3 (256 KiB buffer), the
    // peer's field is shifted left by its 7.
    let cfg = TcpConfig {
        window_scaling: true,
        recv_buffer: 256 * 1024,
        ..config()
    };
    let options = TcpOptions {
        window_scale: Some(7),
        ..mss_only(1460)
    };
    let mut tcb = established_by(
        cfg,
        TcpRepr {
            options,
            window: 65535,
            ..syn_ack(300, 101)
        },
    );
    assert_eq!(tcb.snd_wnd, 65535, "the SYN,ACK's field is not scaled");
    sent!(
        recv(
            &mut tcb,
            20,
            TcpRepr {
                window: 100,
                ..seg(301, 101)
            }
        ),
        []
    );
    assert_eq!(tcb.snd_wnd, 12_800);
    // 12800 bytes of window: eight full segments; the 1120 left is a silly window.
    let out = write(&mut tcb, 30, 20_000);
    assert_eq!(out.len(), 8);
    assert_eq!(
        out[7],
        "<SEQ=10321><ACK=301><CTL=ACK><DATA=1460><WND=32768> [new data]"
    );
    // 262144 - 1000 = 261144 free: the field says 261144 >> 3 = 32643.
    let out = recv_data(
        &mut tcb,
        40,
        TcpRepr {
            window: 100,
            ..seg(301, 101)
        },
        1000,
    );
    sent!(out, ["<SEQ=11781><ACK=1301><CTL=ACK><WND=32643> [ack]"]);
}

#[test]
fn a_probe_of_our_zero_window_still_acknowledges_our_data() {
    // RFC 9293 §3.10.7.4 first check: with a zero window, "special allowance
    // should be made to accept valid ACKs".
    let mut tcb = small_buffer();
    write(&mut tcb, 90, 1000);
    recv_data(&mut tcb, 100, seg(301, 101), 1460);
    recv_data(&mut tcb, 110, seg(1761, 101), 1460);
    sent!(
        recv_data(&mut tcb, 120, seg(3221, 101), 1080),
        ["<SEQ=1101><ACK=4301><CTL=ACK><WND=0> [ack]"]
    );
    // The peer's probe carries the acknowledgment of our 1000 bytes.
    let out = recv_data(&mut tcb, 130, seg(4301, 1101), 1);
    sent!(out, ["<SEQ=1101><ACK=4301><CTL=ACK><WND=0> [ack]"]);
    assert_eq!(tcb.bytes_in_flight(), 0);
    assert_eq!(tcb.poll_at(), None);
    assert_eq!(tcb.readable(), 4000, "the probe's byte is not taken");
}

#[test]
fn a_window_closed_on_outstanding_data_is_probed_forever() {
    // The peer took the first segment, dropped the second and closed its
    // window: the timer now probes; its expiries never abort the connection.
    let mut tcb = established(TcpConfig {
        data_retries: 2,
        ..config()
    });
    write(&mut tcb, 100, 2920);
    sent!(
        recv(
            &mut tcb,
            150,
            TcpRepr {
                window: 0,
                ..seg(301, 1561)
            }
        ),
        []
    );
    let again = "<SEQ=1561><ACK=301><CTL=PSH,ACK><DATA=1460><WND=64000> [retransmission (RTO)]";
    let mut at = 1150;
    for _ in 0..6 {
        sent!(tick(&mut tcb, at), [again]);
        sent!(
            recv(
                &mut tcb,
                at + 10,
                TcpRepr {
                    window: 0,
                    ..seg(301, 1561)
                }
            ),
            []
        );
        at = tcb.poll_at().unwrap().as_nanos() / 1_000_000;
    }
    assert_eq!(tcb.state(), State::Established);
    assert!(
        !notes(&mut tcb)
            .iter()
            .any(|n| matches!(n, TcpTrace::RecoveryStart(_))),
        "the answers are no duplicate ACKs to act on"
    );
    // The window opens: the rest goes at once.
    sent!(
        recv(&mut tcb, at, seg(301, 1561)),
        ["<SEQ=1561><ACK=301><CTL=PSH,ACK><DATA=1460><WND=64000> [retransmission (RTO)]"]
    );
}
