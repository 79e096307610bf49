//! SYN-RECEIVED (RFC 9293 §3.10.7.4 for that state), reached from a listener
//! (passive open) or from SYN-SENT (simultaneous open), and the options a
//! SYN,ACK confirms.

use sim_core::SimDuration;

use super::*;

/// Passive open at `t` ms answering `syn`.
fn accept(cfg: TcpConfig, t: u64, syn: TcpRepr) -> (Tcb, Vec<String>) {
    let mut out = Vec::new();
    let tcb = Tcb::accept(
        ms(t),
        cfg,
        LOCAL,
        REMOTE,
        TcpSeq(OUR_ISS),
        MTU,
        &syn,
        &mut out,
    );
    let out = collect(&tcb, out);
    (tcb, out)
}

fn all_options() -> TcpConfig {
    TcpConfig {
        window_scaling: true,
        sack: true,
        timestamps: true,
        recv_buffer: 256 * 1024,
        ..config()
    }
}

fn syn_with_all_options() -> TcpRepr {
    TcpRepr {
        window: 65535,
        options: TcpOptions {
            mss: Some(1460),
            window_scale: Some(7),
            sack_permitted: true,
            timestamps: Some((7000, 0)),
            ..TcpOptions::default()
        },
        ..syn(300)
    }
}

#[test]
fn a_syn_at_a_listener_is_answered_with_a_syn_ack() {
    // RFC 9293 Figure 7 line 3, from TCP B's side.
    let (mut tcb, out) = accept(config(), 0, syn(300));
    sent!(
        out,
        ["<SEQ=100><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]"]
    );
    assert_eq!(tcb.state(), State::SynReceived);
    assert_eq!(transitions(&mut tcb), ["LISTEN -> SYN-RECEIVED"]);
    assert_eq!(tcb.poll_at(), Some(ms(1000)));
}

#[test]
fn ack_of_the_syn_ack_establishes() {
    // RFC 9293 Figure 7 line 4.
    let mut tcb = syn_received(config());
    sent!(recv(&mut tcb, 10, seg(301, 101)), []);
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(transitions(&mut tcb), ["SYN-RECEIVED -> ESTABLISHED"]);
    assert_eq!(signals(&mut tcb), [AppSignal::Connected]);
    assert_eq!(tcb.rtt().srtt(), Some(SimDuration::from_millis(10)));
    assert_eq!(tcb.snd_wnd, usize::from(PEER_WINDOW));
    // Acknowledging our SYN is not acknowledging data: the window stays at IW.
    assert_eq!(tcb.cwnd(), 14_600);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn ack_with_data_establishes_and_delivers_the_data() {
    // RFC 9293 Figure 7 line 5.
    let mut tcb = syn_received(config());
    let out = recv_data(&mut tcb, 10, seg(301, 101), 100);
    sent!(out, ["<SEQ=101><ACK=401><CTL=ACK><WND=63900> [ack]"]);
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(
        signals(&mut tcb),
        [AppSignal::Connected, AppSignal::Readable]
    );
    sent!(read(&mut tcb, 20, 1000, 100), []);
}

#[test]
fn unacceptable_ack_in_syn_received_draws_a_reset() {
    // RFC 9293 §3.10.7.4 fifth, SYN-RECEIVED: <SEQ=SEG.ACK><CTL=RST>.
    let mut tcb = syn_received(config());
    sent!(
        recv(&mut tcb, 10, seg(301, 105)),
        ["<SEQ=105><CTL=RST><WND=0> [reset]"]
    );
    sent!(
        recv(&mut tcb, 10, seg(301, 100)),
        ["<SEQ=100><CTL=RST><WND=0> [reset]"]
    );
    assert_eq!(tcb.state(), State::SynReceived);
}

#[test]
fn segment_without_ack_in_syn_received_is_dropped() {
    let mut tcb = syn_received(config());
    sent!(recv_data(&mut tcb, 10, bare(301), 10), []);
    assert_eq!(tcb.state(), State::SynReceived);
    assert_eq!(tcb.readable(), 0);
}

#[test]
fn rst_in_syn_received_returns_a_passive_connection_to_listen() {
    // RFC 9293 §3.10.7.4 second, SYN-RECEIVED, passive OPEN.
    let mut tcb = syn_received(config());
    sent!(
        recv(
            &mut tcb,
            10,
            TcpRepr {
                flags: RST,
                ..bare(301)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Listen);
    assert_eq!(signals(&mut tcb), []);
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn rst_in_syn_received_refuses_a_simultaneous_open() {
    // RFC 9293 §3.10.7.4 second, SYN-RECEIVED from an active OPEN: refused.
    let mut tcb = syn_sent(config());
    recv(&mut tcb, 5, syn(300));
    notes(&mut tcb);
    sent!(
        recv(
            &mut tcb,
            10,
            TcpRepr {
                flags: RST,
                ..bare(301)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Closed);
    assert_eq!(signals(&mut tcb), [AppSignal::Closed { error: true }]);
    assert!(notes(&mut tcb).contains(&TcpTrace::Aborted("connection refused")));
    assert_eq!(tcb.poll_at(), None);
}

#[test]
fn rst_in_window_but_not_exact_draws_a_challenge_ack() {
    // RFC 5961 §3.2.
    let mut tcb = syn_received(config());
    let out = recv(
        &mut tcb,
        10,
        TcpRepr {
            flags: RST,
            ..bare(400)
        },
    );
    sent!(
        out,
        ["<SEQ=101><ACK=301><CTL=ACK><WND=64000> [challenge ack]"]
    );
    assert_eq!(tcb.state(), State::SynReceived);
}

#[test]
fn a_retransmitted_syn_draws_the_syn_ack_again() {
    // The peer's SYN (sequence number IRS) was retransmitted because our SYN,ACK
    // was lost: answer it with the SYN,ACK at once, as Linux does, rather than
    // a bare ACK that SYN-SENT would drop.
    let mut tcb = syn_received(config());
    sent!(
        recv(&mut tcb, 500, syn(300)),
        ["<SEQ=100><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]"]
    );
    assert_eq!(tcb.state(), State::SynReceived);
    assert_eq!(
        tcb.poll_at(),
        Some(ms(1000)),
        "the retransmission timer keeps running"
    );
    sent!(recv(&mut tcb, 510, seg(301, 101)), []);
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(
        tcb.rtt().srtt(),
        None,
        "Karn: which SYN,ACK was acknowledged?"
    );
}

#[test]
fn a_new_syn_in_the_window_returns_a_passive_connection_to_listen() {
    // RFC 9293 §3.10.7.4 fourth, SYN-RECEIVED, passive OPEN.
    let mut tcb = syn_received(config());
    sent!(recv(&mut tcb, 10, syn(5000)), []);
    assert_eq!(tcb.state(), State::Listen);
}

#[test]
fn lost_syn_ack_is_retransmitted_with_backoff() {
    let mut tcb = syn_received(config());
    let syn_ack = "<SEQ=100><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [retransmission (RTO)]";
    sent!(tick(&mut tcb, 1000), [syn_ack]);
    sent!(tick(&mut tcb, 3000), [syn_ack]);
    assert_eq!(tcb.poll_at(), Some(ms(7000)));
    // Karn: the ACK of a retransmitted SYN,ACK gives no RTT sample.
    sent!(recv(&mut tcb, 3010, seg(301, 101)), []);
    assert_eq!(tcb.state(), State::Established);
    assert_eq!(tcb.rtt().srtt(), None);
    // RFC 5681 §3.1: after a lost SYN or SYN,ACK the initial window is one segment.
    assert_eq!(tcb.cwnd(), 1460);
}

#[test]
fn syn_ack_confirms_the_options_the_syn_offered() {
    let (tcb, out) = accept(all_options(), 1000, syn_with_all_options());
    sent!(
        out,
        [
            "<SEQ=100><ACK=301><CTL=SYN,ACK><WND=65535><MSS=1460><WS=3><SACKOK><TS=1000,7000> [syn-ack]"
        ]
    );
    assert_eq!((tcb.ws_ok, tcb.sack_ok, tcb.ts_ok), (true, true, true));
    assert_eq!(tcb.snd_wnd, 65535, "a SYN's window is never scaled");
    assert_eq!(tcb.mss(), 1448);
}

#[test]
fn syn_ack_offers_nothing_the_syn_did_not() {
    let (tcb, out) = accept(all_options(), 0, syn(300));
    sent!(
        out,
        ["<SEQ=100><ACK=301><CTL=SYN,ACK><WND=65535><MSS=1460> [syn-ack]"]
    );
    assert_eq!((tcb.ws_ok, tcb.sack_ok, tcb.ts_ok), (false, false, false));
}

#[test]
fn syn_ack_offers_nothing_we_turned_off() {
    let (tcb, out) = accept(config(), 0, syn_with_all_options());
    sent!(
        out,
        ["<SEQ=100><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]"]
    );
    assert_eq!((tcb.ws_ok, tcb.sack_ok, tcb.ts_ok), (false, false, false));
    assert_eq!(tcb.mss(), 1460);
}

#[test]
fn the_peer_may_not_send_beyond_the_window_of_the_syn_ack() {
    // Our SYN,ACK said 65535 (unscaled) although 256 KiB are free: until we
    // advertise more, a byte at 301 + 65535 is outside the window.
    let (mut tcb, _) = accept(all_options(), 0, syn_with_all_options());
    let ts = TcpOptions {
        timestamps: Some((7010, 0)),
        ..TcpOptions::default()
    };
    sent!(
        recv(
            &mut tcb,
            10,
            TcpRepr {
                options: ts,
                ..seg(301, 101)
            }
        ),
        []
    );
    assert_eq!(tcb.state(), State::Established);
    let out = recv_data(
        &mut tcb,
        20,
        TcpRepr {
            options: ts,
            ..seg(301 + 65_535, 101)
        },
        1,
    );
    sent!(
        out,
        ["<SEQ=101><ACK=301><CTL=ACK><WND=32768><TS=20,7010> [ack]"]
    );
    assert_eq!(tcb.recv.out_of_order_bytes(), 0);
}

#[test]
fn window_of_later_segments_is_scaled_by_the_peer_shift() {
    let (mut tcb, _) = accept(all_options(), 0, syn_with_all_options());
    let seg = TcpRepr {
        window: 3,
        options: TcpOptions {
            timestamps: Some((7010, 0)),
            ..TcpOptions::default()
        },
        ..seg(301, 101)
    };
    recv(&mut tcb, 10, seg);
    assert_eq!(tcb.snd_wnd, 3 << 7);
}

#[test]
fn close_in_syn_received_sends_the_fin_once_established() {
    // RFC 9293 §3.10.4, SYN-RECEIVED: the FIN waits for ESTABLISHED.
    let mut tcb = syn_received(config());
    sent!(close(&mut tcb, 5), []);
    assert_eq!(tcb.state(), State::SynReceived);
    sent!(
        recv(&mut tcb, 10, seg(301, 101)),
        ["<SEQ=101><ACK=301><CTL=FIN,ACK><WND=64000> [new data]"]
    );
    assert_eq!(
        transitions(&mut tcb),
        ["SYN-RECEIVED -> ESTABLISHED", "ESTABLISHED -> FIN-WAIT-1"]
    );
}
