//! ESTABLISHED (RFC 9293 §3.10.7.4): data both ways, acknowledgments and
//! their policy (RFC 5681 §4.2, RFC 1122 §4.2.3.2), Nagle (RFC 9293 §3.7.4),
//! RFC 5961 protections, the FIN, ABORT, and sequence-number wraparound.

use sim_core::SimDuration;

use super::*;

fn with_sack() -> Tcb {
    let cfg = TcpConfig {
        sack: true,
        ..config()
    };
    let options = TcpOptions {
        sack_permitted: true,
        ..mss_only(1460)
    };
    established_by(
        cfg,
        TcpRepr {
            options,
            ..syn_ack(300, 101)
        },
    )
}

fn delayed() -> TcpConfig {
    TcpConfig {
        delayed_ack: true,
        ..config()
    }
}

#[test]
fn data_is_cut_into_segments_of_the_mss() {
    let mut tcb = established(config());
    sent!(
        write(&mut tcb, 100, 4960),
        [
            "<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=1561><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=3021><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=4481><ACK=301><CTL=PSH,ACK><DATA=580><WND=64000> [new data]",
        ]
    );
    assert_eq!(tcb.bytes_in_flight(), 4960);
    assert_eq!(tcb.poll_at(), Some(ms(1100)), "RTO armed (RFC 6298 §5.1)");
}

#[test]
fn ack_of_everything_stops_the_timer_and_grows_the_window() {
    let mut tcb = established(config());
    write(&mut tcb, 100, 4960);
    sent!(recv(&mut tcb, 150, seg(301, 5061)), []);
    assert_eq!(tcb.bytes_in_flight(), 0);
    assert_eq!(tcb.poll_at(), None, "RFC 6298 §5.2");
    // RFC 5681 (2) with RFC 3465 §2.2 byte counting: slow start grows by
    // min(N, L) per ACK, L = 2 SMSS.
    assert_eq!(tcb.cwnd(), 14_600 + 2920);
    // The first segment was timed: 50 ms.
    assert_eq!(tcb.rtt().latest(), Some(SimDuration::from_millis(50)));
    assert_eq!(signals(&mut tcb), [AppSignal::Writable]);
}

#[test]
fn in_order_data_is_acknowledged() {
    let mut tcb = established(config());
    let out = recv_data(&mut tcb, 100, seg(301, 101), 1000);
    sent!(out, ["<SEQ=101><ACK=1301><CTL=ACK><WND=63000> [ack]"]);
    assert_eq!(signals(&mut tcb), [AppSignal::Readable]);
    sent!(read(&mut tcb, 110, 5000, 1000), []);
}

#[test]
fn out_of_window_segment_draws_an_ack() {
    // RFC 9293 §3.10.7.4 first: <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, then drop.
    let mut tcb = established(config());
    let ack = "<SEQ=101><ACK=301><CTL=ACK><WND=64000> [ack]";
    sent!(recv_data(&mut tcb, 100, seg(301 + 64_000, 101), 100), [ack]);
    sent!(recv_data(&mut tcb, 100, seg(201, 101), 100), [ack]);
    sent!(recv(&mut tcb, 100, seg(300, 101)), [ack]);
    assert_eq!((tcb.readable(), tcb.recv.out_of_order_bytes()), (0, 0));
}

#[test]
fn out_of_order_segment_draws_an_immediate_duplicate_ack_with_sack() {
    // RFC 5681 §4.2 (at once, even with delayed ACKs), RFC 2018 §4.
    let mut tcb = with_sack();
    tcb.cfg.delayed_ack = true;
    let out = recv_data(&mut tcb, 100, seg(1761, 101), 1460);
    sent!(
        out,
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000><SACK=1761-3221> [ack]"]
    );
    // The most recent block comes first.
    let out = recv_data(&mut tcb, 101, seg(4681, 101), 1460);
    sent!(
        out,
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000><SACK=4681-6141,1761-3221> [ack]"]
    );
    // Filling the first hole is acknowledged at once too.
    let out = recv_data(&mut tcb, 102, seg(301, 101), 1460);
    sent!(
        out,
        ["<SEQ=101><ACK=3221><CTL=ACK><WND=61080><SACK=4681-6141> [ack]"]
    );
    let out = recv_data(&mut tcb, 103, seg(3221, 101), 1460);
    sent!(out, ["<SEQ=101><ACK=6141><CTL=ACK><WND=58160> [ack]"]);
    sent!(read(&mut tcb, 104, 10_000, 5840), []);
}

#[test]
fn every_second_full_segment_is_acknowledged_at_once() {
    // RFC 5681 §4.2: an ACK at least for every second full-sized segment.
    let mut tcb = established(delayed());
    sent!(recv_data(&mut tcb, 100, seg(301, 101), 1460), []);
    assert_eq!(tcb.poll_at(), Some(ms(140)));
    sent!(
        recv_data(&mut tcb, 110, seg(1761, 101), 1460),
        ["<SEQ=101><ACK=3221><CTL=ACK><WND=61080> [ack]"]
    );
    assert_eq!(tcb.poll_at(), None);
    sent!(recv_data(&mut tcb, 120, seg(3221, 101), 1460), []);
    sent!(
        recv_data(&mut tcb, 130, seg(4681, 101), 1460),
        ["<SEQ=101><ACK=6141><CTL=ACK><WND=58160> [ack]"]
    );
}

#[test]
fn delayed_ack_timer_acknowledges_a_lone_segment() {
    let mut tcb = established(delayed());
    sent!(recv_data(&mut tcb, 100, seg(301, 101), 500), []);
    sent!(
        tick(&mut tcb, 140),
        ["<SEQ=101><ACK=801><CTL=ACK><WND=63500> [delayed ack]"]
    );
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn data_carries_the_delayed_ack() {
    let mut tcb = established(delayed());
    sent!(recv_data(&mut tcb, 100, seg(301, 101), 500), []);
    sent!(
        write(&mut tcb, 120, 100),
        ["<SEQ=101><ACK=801><CTL=PSH,ACK><DATA=100><WND=63500> [new data]"]
    );
    assert_eq!(
        tcb.poll_at(),
        Some(ms(1120)),
        "only the retransmission timer is left"
    );
}

#[test]
fn nagle_holds_a_small_segment_while_a_small_one_is_unacknowledged() {
    let mut tcb = established(config());
    sent!(
        write(&mut tcb, 100, 100),
        ["<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100><WND=64000> [new data]"]
    );
    sent!(write(&mut tcb, 110, 100), []);
    sent!(write(&mut tcb, 120, 50), []);
    // The ACK releases what accumulated, as one segment.
    let out = recv(&mut tcb, 150, seg(301, 201));
    sent!(
        out,
        ["<SEQ=201><ACK=301><CTL=PSH,ACK><DATA=150><WND=64000> [new data]"]
    );
}

#[test]
fn nagle_never_holds_a_full_segment() {
    let mut tcb = established(config());
    write(&mut tcb, 100, 100);
    sent!(
        write(&mut tcb, 110, 1500),
        ["<SEQ=201><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]"]
    );
}

#[test]
fn without_nagle_small_segments_go_at_once() {
    let mut tcb = established(TcpConfig {
        nagle: false,
        ..config()
    });
    sent!(
        write(&mut tcb, 100, 100),
        ["<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100><WND=64000> [new data]"]
    );
    sent!(
        write(&mut tcb, 110, 100),
        ["<SEQ=201><ACK=301><CTL=PSH,ACK><DATA=100><WND=64000> [new data]"]
    );
}

#[test]
fn rst_in_window_but_not_exact_draws_a_challenge_ack() {
    // RFC 5961 §3.2.
    let mut tcb = established(config());
    let out = recv(
        &mut tcb,
        100,
        TcpRepr {
            flags: RST,
            ..bare(302)
        },
    );
    sent!(
        out,
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [challenge ack]"]
    );
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn rst_at_rcv_nxt_resets_the_connection() {
    let mut tcb = established(config());
    write(&mut tcb, 100, 100);
    sent!(
        recv(
            &mut tcb,
            110,
            TcpRepr {
                flags: RST,
                ..bare(301)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Closed);
    assert!(notes(&mut tcb).contains(&TcpTrace::Aborted("connection reset by peer")));
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn rst_outside_the_window_is_dropped_silently() {
    let mut tcb = established(config());
    sent!(
        recv(
            &mut tcb,
            100,
            TcpRepr {
                flags: RST,
                ..bare(301 + 64_000)
            }
        ),
        []
    );
    sent!(
        recv(
            &mut tcb,
            100,
            TcpRepr {
                flags: RST,
                ..bare(300)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn syn_in_established_draws_a_challenge_ack() {
    // RFC 5961 §4.2, adopted by RFC 9293 §3.10.7.4 fourth.
    let mut tcb = established(config());
    let out = recv(
        &mut tcb,
        100,
        TcpRepr {
            flags: SYN,
            ..bare(1000)
        },
    );
    sent!(
        out,
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [challenge ack]"]
    );
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn ack_of_unsent_data_draws_an_ack_and_the_segment_is_dropped() {
    // RFC 9293 §3.10.7.4 fifth: SEG.ACK > SND.NXT.
    let mut tcb = established(config());
    write(&mut tcb, 100, 100);
    let out = recv_data(&mut tcb, 110, seg(301, 500), 10);
    sent!(out, ["<SEQ=201><ACK=301><CTL=ACK><WND=64000> [ack]"]);
    assert_eq!(tcb.readable(), 0);
    assert_eq!(tcb.bytes_in_flight(), 100);
}

#[test]
fn ack_too_far_below_snd_una_draws_an_ack_and_the_segment_is_dropped() {
    // RFC 5961 §5 (RFC 9293 §3.10.7.4 fifth): acceptable acknowledgments are
    // SND.UNA - MAX.SND.WND =< SEG.ACK =< SND.NXT.
    let mut tcb = established(config());
    write(&mut tcb, 100, 4960);
    recv(&mut tcb, 150, seg(301, 5061));
    let blind = 5061u32.wrapping_sub(u32::from(PEER_WINDOW) + 1);
    let out = recv_data(&mut tcb, 160, seg(301, blind), 10);
    sent!(out, ["<SEQ=5061><ACK=301><CTL=ACK><WND=64000> [ack]"]);
    assert_eq!(tcb.readable(), 0);
    // An old but plausible acknowledgment is ignored and the data accepted.
    let out = recv_data(
        &mut tcb,
        170,
        seg(301, 5061u32.wrapping_sub(u32::from(PEER_WINDOW))),
        10,
    );
    sent!(out, ["<SEQ=5061><ACK=311><CTL=ACK><WND=63990> [ack]"]);
}

#[test]
fn an_old_acknowledgment_does_not_move_the_send_window() {
    // RFC 9293 §3.10.7.4 fifth: the window is updated only if SND.UNA =< SEG.ACK.
    let mut tcb = established(config());
    write(&mut tcb, 100, 2920);
    recv(&mut tcb, 150, seg(301, 1561));
    // A newer sequence number but an old acknowledgment, announcing a zero window.
    recv_data(
        &mut tcb,
        160,
        TcpRepr {
            window: 0,
            ..seg(311, 101)
        },
        10,
    );
    assert_eq!(tcb.snd_wnd, usize::from(PEER_WINDOW));
}

#[test]
fn fin_in_established_goes_to_close_wait_and_acks() {
    // RFC 9293 Figure 12 line 3, from TCP B's side.
    let mut tcb = established(config());
    let out = recv(
        &mut tcb,
        100,
        TcpRepr {
            flags: FIN,
            ..seg(301, 101)
        },
    );
    // The FIN took a sequence number but no buffer: the right edge stays put.
    sent!(out, ["<SEQ=101><ACK=302><CTL=ACK><WND=63999> [ack]"]);
    assert_eq!(tcb.state(), State::CloseWait);
    assert_eq!(signals(&mut tcb), [AppSignal::PeerClosed]);
    assert!(tcb.peer_closed());
}

#[test]
fn fin_with_data_acknowledges_both() {
    let mut tcb = established(delayed());
    let out = recv_data(
        &mut tcb,
        100,
        TcpRepr {
            flags: FIN,
            ..seg(301, 101)
        },
        100,
    );
    sent!(out, ["<SEQ=101><ACK=402><CTL=ACK><WND=63899> [ack]"]);
    assert_eq!(tcb.state(), State::CloseWait);
    assert_eq!(tcb.poll_at(), None, "no delayed ACK left behind");
    sent!(read(&mut tcb, 110, 1000, 100), []);
}

#[test]
fn out_of_order_fin_waits_for_the_missing_data() {
    let mut tcb = established(config());
    // The FIN at 401 arrives before the data 301..401: a duplicate ACK at once.
    let out = recv(
        &mut tcb,
        100,
        TcpRepr {
            flags: FIN,
            ..seg(401, 101)
        },
    );
    sent!(out, ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [ack]"]);
    assert_eq!(tcb.state(), State::Established);
    let out = recv_data(&mut tcb, 110, seg(301, 101), 100);
    sent!(out, ["<SEQ=101><ACK=402><CTL=ACK><WND=63899> [ack]"]);
    assert_eq!(tcb.state(), State::CloseWait);
}

#[test]
fn abort_sends_a_reset() {
    // RFC 9293 §3.10.5: <SEQ=SND.NXT><CTL=RST>.
    let mut tcb = established(config());
    write(&mut tcb, 100, 100);
    sent!(abort(&mut tcb), ["<SEQ=201><CTL=RST><WND=0> [reset]"]);
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn sequence_numbers_wrap_around() {
    // Our ISS 2^32 - 1000, the peer's 2^32 - 500: both streams cross zero.
    let iss = u32::MAX - 999;
    let irs = u32::MAX - 499;
    let cfg = TcpConfig {
        sack: true,
        ..config()
    };
    let options = TcpOptions {
        sack_permitted: true,
        ..mss_only(1460)
    };
    let mut tcb = syn_sent_with(cfg, iss);
    recv(
        &mut tcb,
        10,
        TcpRepr {
            options,
            ..syn_ack(irs, iss.wrapping_add(1))
        },
    );
    sent!(
        write(&mut tcb, 100, 4960),
        [
            "<SEQ=4294966297><ACK=4294966797><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=461><ACK=4294966797><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=1921><ACK=4294966797><CTL=ACK><DATA=1460><WND=64000> [new data]",
            "<SEQ=3381><ACK=4294966797><CTL=PSH,ACK><DATA=580><WND=64000> [new data]",
        ]
    );
    let out = recv_data(&mut tcb, 150, seg(irs + 1, 1921), 1000);
    sent!(out, ["<SEQ=3961><ACK=501><CTL=ACK><WND=63000> [ack]"]);
    assert_eq!(tcb.bytes_in_flight(), 2040);
    sent!(recv(&mut tcb, 160, seg(501, 3961)), []);
    assert_eq!(tcb.poll_at(), None);
    sent!(read(&mut tcb, 170, 5000, 1000), []);
    // An out-of-order segment past zero is held and reported.
    // (Reading 1000 bytes did not move the right edge: less than one MSS,
    // RFC 9293 §3.8.6.2.2.)
    let out = recv_data(&mut tcb, 180, seg(1501, 3961), 100);
    sent!(
        out,
        ["<SEQ=3961><ACK=501><CTL=ACK><WND=63000><SACK=1501-1601> [ack]"]
    );
    let out = recv_data(&mut tcb, 190, seg(501, 3961), 1000);
    sent!(out, ["<SEQ=3961><ACK=1601><CTL=ACK><WND=61900> [ack]"]);
}

#[test]
fn a_segment_without_ack_is_dropped() {
    // RFC 9293 §3.10.7.4 fifth: "if the ACK bit is off, drop the segment".
    let mut tcb = established(config());
    sent!(recv_data(&mut tcb, 100, bare(301), 10), []);
    assert_eq!(tcb.readable(), 0);
}

#[test]
fn a_segment_overlapping_received_data_delivers_only_the_new_bytes() {
    let mut tcb = established(config());
    recv_data(&mut tcb, 100, seg(301, 101), 100);
    sent!(
        recv_data(&mut tcb, 110, seg(351, 101), 100),
        ["<SEQ=101><ACK=451><CTL=ACK><WND=63850> [ack]"]
    );
    sent!(read(&mut tcb, 120, 1000, 150), []);
}

#[test]
fn abort_after_a_timeout_resets_at_the_highest_sequence_number_sent() {
    // The peer may hold everything sent; a reset below its RCV.NXT would only
    // draw a challenge ACK (RFC 5961 §3.2).
    let mut tcb = established(config());
    write(&mut tcb, 100, 2920);
    tick(&mut tcb, 1100);
    sent!(abort(&mut tcb), ["<SEQ=3021><CTL=RST><WND=0> [reset]"]);
}

#[test]
fn an_older_timestamp_does_not_replace_ts_recent() {
    // RFC 7323 §4.3: TS.Recent takes SEG.TSval only if it is not older.
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
    let ts = |val| TcpOptions {
        timestamps: Some((val, 10)),
        ..TcpOptions::default()
    };
    let out = recv_data(
        &mut tcb,
        20,
        TcpRepr {
            options: ts(6000),
            ..seg(301, 101)
        },
        10,
    );
    sent!(
        out,
        ["<SEQ=101><ACK=311><CTL=ACK><WND=63990><TS=20,6000> [ack]"]
    );
    let out = recv_data(
        &mut tcb,
        30,
        TcpRepr {
            options: ts(5500),
            ..seg(311, 101)
        },
        10,
    );
    sent!(
        out,
        ["<SEQ=101><ACK=321><CTL=ACK><WND=63980><TS=30,6000> [ack]"]
    );
}
