//! SYN-SENT (RFC 9293 §3.10.7.3), the active side of the handshake, and the
//! options a SYN offers and a SYN,ACK confirms (RFC 9293 §3.7.1, RFC 7323,
//! RFC 2018).

use sim_core::SimDuration;

use super::*;
use crate::tcp::connection::DEFAULT_MSS;

fn all_options() -> TcpConfig {
    TcpConfig {
        window_scaling: true,
        sack: true,
        timestamps: true,
        // 256 KiB needs a shift of 3 to fit 16 bits (RFC 7323 §2.3).
        recv_buffer: 256 * 1024,
        ..config()
    }
}

/// Active open at `t` ms with our ISS 100.
fn connect(cfg: TcpConfig, t: u64) -> (Tcb, Vec<String>) {
    let mut out = Vec::new();
    let mut tcb = Tcb::connect(ms(t), cfg, LOCAL, REMOTE, TcpSeq(OUR_ISS), MTU, &mut out);
    let out = collect(&tcb, out);
    assert_eq!(transitions(&mut tcb), ["CLOSED -> SYN-SENT"]);
    (tcb, out)
}

#[test]
fn connect_sends_a_syn_announcing_our_mss() {
    // RFC 9293 Figure 7 line 2.
    let (tcb, out) = connect(config(), 0);
    sent!(out, ["<SEQ=100><CTL=SYN><WND=64000><MSS=1460> [syn]"]);
    assert_eq!(tcb.state(), State::SynSent);
    assert_eq!(
        tcb.poll_at(),
        Some(ms(1000)),
        "RFC 6298 §2.1: initial RTO 1 s"
    );
}

#[test]
fn syn_ack_with_acceptable_ack_establishes_and_acks() {
    // RFC 9293 Figure 7 lines 3-4.
    let mut tcb = syn_sent(config());
    let out = recv(&mut tcb, 10, syn_ack(300, 101));
    sent!(out, ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [ack]"]);
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(transitions(&mut tcb), ["SYN-SENT -> ESTABLISHED"]);
    assert_eq!(signals(&mut tcb), [AppSignal::Connected]);
    assert_eq!(tcb.rtt().srtt(), Some(SimDuration::from_millis(10)));
    assert_eq!(tcb.snd_wnd, usize::from(PEER_WINDOW));
    assert_eq!((tcb.mss(), tcb.cwnd()), (1460, 14_600), "IW 10 (RFC 6928)");
    assert_eq!(tcb.poll_at(), None, "nothing outstanding");
}

#[test]
fn syn_ack_with_unacceptable_ack_draws_a_reset() {
    // RFC 9293 §3.10.7.3 first: SEG.ACK =< ISS or SEG.ACK > SND.NXT: <SEQ=SEG.ACK><CTL=RST>.
    let mut tcb = syn_sent(config());
    sent!(
        recv(&mut tcb, 10, syn_ack(300, 100)),
        ["<SEQ=100><CTL=RST><WND=0> [reset]"]
    );
    sent!(
        recv(&mut tcb, 10, syn_ack(300, 102)),
        ["<SEQ=102><CTL=RST><WND=0> [reset]"]
    );
    assert_eq!(tcb.state(), State::SynSent);
    assert_eq!(tcb.poll_at(), Some(ms(1000)));
}

#[test]
fn rst_with_acceptable_ack_in_syn_sent_refuses_the_connection() {
    let mut tcb = syn_sent(config());
    // What a closed port answers (rst_for): <SEQ=0><ACK=101><CTL=RST,ACK>.
    sent!(
        recv(
            &mut tcb,
            10,
            TcpRepr {
                flags: RST,
                ..seg(0, 101)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Closed);
    assert!(notes(&mut tcb).contains(&TcpTrace::Aborted("connection refused")));
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn rst_with_unacceptable_ack_in_syn_sent_is_ignored() {
    let mut tcb = syn_sent(config());
    sent!(
        recv(
            &mut tcb,
            10,
            TcpRepr {
                flags: RST,
                ..seg(0, 500)
            }
        ),
        []
    );
    sent!(
        recv(
            &mut tcb,
            10,
            TcpRepr {
                flags: RST,
                ..bare(0)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::SynSent);
    assert_eq!(tcb.poll_at(), Some(ms(1000)));
}

#[test]
fn segment_with_neither_syn_nor_rst_is_dropped() {
    let mut tcb = syn_sent(config());
    sent!(recv(&mut tcb, 10, seg(300, 101)), []);
    sent!(recv_data(&mut tcb, 10, bare(300), 10), []);
    assert_eq!(tcb.state(), State::SynSent);
}

#[test]
fn simultaneous_open_goes_through_syn_received() {
    // RFC 9293 Figure 8, seen from TCP A.
    let mut tcb = syn_sent(config());
    let out = recv(&mut tcb, 5, syn(300));
    sent!(
        out,
        ["<SEQ=100><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]"]
    );
    assert_eq!(tcb.state(), State::SynReceived);
    sent!(recv(&mut tcb, 10, syn_ack(300, 101)), []);
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(
        transitions(&mut tcb),
        ["SYN-SENT -> SYN-RECEIVED", "SYN-RECEIVED -> ESTABLISHED"]
    );
    assert_eq!(signals(&mut tcb), [AppSignal::Connected]);
    // Our SYN and SYN,ACK share a sequence number: which one is acknowledged? (Karn)
    assert_eq!(tcb.rtt().srtt(), None);
    // Data flows normally afterwards.
    sent!(
        write(&mut tcb, 20, 10),
        ["<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=10><WND=64000> [new data]"]
    );
}

#[test]
fn simultaneous_open_also_completes_with_a_plain_ack() {
    let mut tcb = syn_sent(config());
    recv(&mut tcb, 5, syn(300));
    sent!(recv(&mut tcb, 10, seg(301, 101)), []);
    assert_eq!(tcb.state(), State::Established);
}

#[test]
fn close_in_syn_sent_deletes_the_connection() {
    let mut tcb = syn_sent(config());
    sent!(close(&mut tcb, 5), []);
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: false }]);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn data_written_before_the_handshake_rides_on_the_third_segment() {
    let mut tcb = syn_sent(config());
    sent!(write(&mut tcb, 5, 100), []);
    let out = recv(&mut tcb, 10, syn_ack(300, 101));
    sent!(
        out,
        ["<SEQ=101><ACK=301><CTL=PSH,ACK><DATA=100><WND=64000> [new data]"]
    );
}

#[test]
fn all_options_are_negotiated_when_both_ends_offer_them() {
    let (mut tcb, out) = connect(all_options(), 1000);
    // The SYN's window is never scaled (RFC 7323 §2.2): 256 KiB shows as 65535.
    sent!(
        out,
        ["<SEQ=100><CTL=SYN><WND=65535><MSS=1460><WS=3><SACKOK><TS=1000,0> [syn]"]
    );
    let answer = TcpRepr {
        window: 65535,
        options: TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((5000, 1000)),
            ..TcpOptions::default()
        },
        ..syn_ack(300, 101)
    };
    // Our window in the ACK is scaled: 262144 >> 3.
    sent!(
        recv(&mut tcb, 1010, answer),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=32768><TS=1010,5000> [ack]"]
    );
    assert_eq!((tcb.ws_ok, tcb.sack_ok, tcb.ts_ok), (true, true, true));
    // The SYN,ACK's window is not scaled either.
    assert_eq!(tcb.snd_wnd, 65535);
    // RFC 7323 §3.2 / RFC 9293 §3.7.1: 12 bytes of timestamps per segment.
    assert_eq!(tcb.mss(), 1448);
    // Later windows are scaled by the peer's shift: 100 << 7.
    let update = TcpRepr {
        window: 100,
        options: TcpOptions {
            timestamps: Some((5010, 1010)),
            ..TcpOptions::default()
        },
        ..seg(301, 101)
    };
    sent!(recv(&mut tcb, 1020, update), []);
    assert_eq!(tcb.snd_wnd, 12_800);
}

#[test]
fn window_scaling_is_off_unless_the_syn_ack_carries_it() {
    let mut tcb = syn_sent(all_options());
    // RFC 7323 §2.2: no WS in the SYN,ACK: neither side scales. Our 256 KiB
    // window is clamped to the 16-bit field.
    sent!(
        recv(&mut tcb, 10, syn_ack(300, 101)),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=65535> [ack]"]
    );
    assert_eq!((tcb.ws_ok, tcb.sack_ok, tcb.ts_ok), (false, false, false));
    assert_eq!(tcb.mss(), 1460);
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
    assert_eq!(tcb.snd_wnd, 100);
    // The peer may send up to 301 + 65535, not into the 256 KiB we could hold.
    sent!(
        recv_data(&mut tcb, 30, seg(301 + 65_535, 101), 1),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=65535> [ack]"]
    );
    assert_eq!(tcb.recv.out_of_order_bytes(), 0);
    sent!(
        recv_data(&mut tcb, 30, seg(301 + 65_534, 101), 1),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=65535> [ack]"]
    );
    assert_eq!(
        tcb.recv.out_of_order_bytes(),
        1,
        "the last byte of the window is accepted"
    );
}

#[test]
fn timestamps_and_sack_need_both_ends() {
    let mut tcb = syn_sent(all_options());
    let answer = TcpRepr {
        options: TcpOptions {
            mss: Some(1460),
            window_scale: Some(2),
            ..TcpOptions::default()
        },
        ..syn_ack(300, 101)
    };
    sent!(
        recv(&mut tcb, 10, answer),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=32768> [ack]"]
    );
    assert_eq!((tcb.ws_ok, tcb.sack_ok, tcb.ts_ok), (true, false, false));
    // No SACK blocks without SACK-permitted, even with a hole.
    sent!(
        recv_data(&mut tcb, 20, seg(1301, 101), 100),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=32768> [ack]"]
    );
}

#[test]
fn options_we_did_not_offer_stay_off() {
    // A SYN,ACK must not turn on what our SYN did not offer.
    let mut tcb = syn_sent(config());
    let answer = TcpRepr {
        options: TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((5000, 0)),
            ..TcpOptions::default()
        },
        ..syn_ack(300, 101)
    };
    sent!(
        recv(&mut tcb, 10, answer),
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [ack]"]
    );
    assert_eq!((tcb.ws_ok, tcb.sack_ok, tcb.ts_ok), (false, false, false));
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
    assert_eq!(tcb.snd_wnd, 100, "not scaled");
}

#[test]
fn the_peer_mss_limits_our_segments() {
    let mut tcb = established_by(
        config(),
        TcpRepr {
            options: mss_only(536),
            ..syn_ack(300, 101)
        },
    );
    assert_eq!(tcb.mss(), 536);
    sent!(
        write(&mut tcb, 20, 1000),
        [
            "<SEQ=101><ACK=301><CTL=ACK><DATA=536><WND=64000> [new data]",
            "<SEQ=637><ACK=301><CTL=PSH,ACK><DATA=464><WND=64000> [new data]",
        ]
    );
}

#[test]
fn a_syn_ack_without_mss_means_536() {
    // RFC 9293 §3.7.1: SendMSS defaults to 536 when no MSS option arrived.
    let tcb = established_by(
        config(),
        TcpRepr {
            options: TcpOptions::default(),
            ..syn_ack(300, 101)
        },
    );
    assert_eq!(tcb.mss(), DEFAULT_MSS);
    assert_eq!(tcb.cwnd(), 10 * DEFAULT_MSS);
}
