//! Explicit congestion notification (RFC 3168 §6.1): negotiation in the
//! handshake, which segments are ECT(0), the receiver's ECE echo until CWR,
//! and the sender's reaction, once per window and never twice with a loss.

use super::recovery::{fast, new, s};
use super::*;
use crate::tcp::SendCause;

const ECE: TcpFlags = TcpFlags {
    ece: true,
    ..TcpFlags::NONE
};
const CWR: TcpFlags = TcpFlags {
    cwr: true,
    ..TcpFlags::NONE
};

fn ecn() -> TcpConfig {
    TcpConfig {
        ecn: true,
        ..config()
    }
}

/// Established with ECN: our ECN-setup SYN answered by `<CTL=SYN,ECE,ACK>`.
fn established_ecn(cfg: TcpConfig) -> Tcb {
    let tcb = established_by(
        cfg,
        TcpRepr {
            flags: SYN | ECE,
            ..syn_ack(300, 101)
        },
    );
    assert!(tcb.ecn_enabled());
    tcb
}

/// Like [`recv_data`], the IP packet CE-marked if `ce`; returns the
/// segments themselves.
fn arrive(tcb: &mut Tcb, t: u64, seg: TcpRepr, len: usize, ce: bool) -> Vec<Outgoing> {
    let first = seg.seq.0.wrapping_sub(tcb.irs.0.wrapping_add(1)) as usize;
    let payload: Bytes = (0..len).map(|k| peer_byte(first + k)).collect();
    let mut out = Vec::new();
    tcb.on_segment_ecn(ms(t), &seg, payload, ce, &mut out);
    out
}

fn strings(out: &[Outgoing]) -> Vec<String> {
    out.iter().map(show).collect()
}

#[test]
fn an_ecn_setup_syn_carries_ece_and_cwr() {
    // RFC 3168 §6.1.1; a SYN is never ECT.
    let mut out = Vec::new();
    let tcb = Tcb::connect(ms(0), ecn(), LOCAL, REMOTE, TcpSeq(OUR_ISS), MTU, &mut out);
    assert_eq!(
        strings(&out),
        ["<SEQ=100><CTL=SYN,ECE,CWR><WND=64000><MSS=1460> [syn]"]
    );
    assert!(!tcb.is_ect(&out[0]));
    // Without the setting: a plain SYN.
    let mut out = Vec::new();
    Tcb::connect(
        ms(0),
        config(),
        LOCAL,
        REMOTE,
        TcpSeq(OUR_ISS),
        MTU,
        &mut out,
    );
    assert_eq!(
        strings(&out),
        ["<SEQ=100><CTL=SYN><WND=64000><MSS=1460> [syn]"]
    );
}

#[test]
fn only_a_syn_ack_with_ece_alone_turns_ecn_on() {
    // §6.1.1: ECE without CWR accepts; §6.1.1.1: both set is a broken
    // middlebox's reflection, not acceptance; neither is a refusal.
    for (flags, on) in [(SYN | ECE, true), (SYN | ECE | CWR, false), (SYN, false)] {
        let tcb = established_by(
            ecn(),
            TcpRepr {
                flags,
                ..syn_ack(300, 101)
            },
        );
        assert_eq!(tcb.ecn_enabled(), on, "{flags:?}");
    }
    // And never when we did not offer it.
    let tcb = established_by(
        config(),
        TcpRepr {
            flags: SYN | ECE,
            ..syn_ack(300, 101)
        },
    );
    assert!(!tcb.ecn_enabled());
}

#[test]
fn a_passive_open_accepts_an_ecn_setup_syn_with_ece() {
    let ecn_syn = TcpRepr {
        flags: SYN | ECE | CWR,
        ..syn(PEER_ISS)
    };
    for (cfg, reply, on) in [
        (
            ecn(),
            "<SEQ=100><ACK=301><CTL=SYN,ECE,ACK><WND=64000><MSS=1460> [syn-ack]",
            true,
        ),
        (
            config(),
            "<SEQ=100><ACK=301><CTL=SYN,ACK><WND=64000><MSS=1460> [syn-ack]",
            false,
        ),
    ] {
        let mut out = Vec::new();
        let tcb = Tcb::accept(
            ms(0),
            cfg,
            LOCAL,
            REMOTE,
            TcpSeq(OUR_ISS),
            MTU,
            &ecn_syn,
            &mut out,
        );
        assert_eq!(strings(&out), [reply]);
        assert_eq!(tcb.ecn_enabled(), on);
        assert!(!tcb.is_ect(&out[0]), "§6.1.1: never a SYN-ACK");
    }
}

#[test]
fn new_data_is_ect_but_not_acks_retransmissions_or_probes() {
    let mut tcb = established_ecn(ecn());
    queue(&mut tcb, 2000);
    let mut out = Vec::new();
    tcb.output(ms(100), &mut out);
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|o| tcb.is_ect(o)), "§6.1.2: data is ECT(0)");
    // §6.1.4: a pure ACK is not.
    let ack = arrive(&mut tcb, 150, seg(301, 101), 100, false);
    assert_eq!(
        strings(&ack),
        ["<SEQ=2101><ACK=401><CTL=ACK><WND=63900> [ack]"]
    );
    assert!(!tcb.is_ect(&ack[0]));
    // §6.1.5: nor a retransmission.
    let mut out = Vec::new();
    tcb.on_timer(ms(1100), &mut out);
    assert_eq!(out[0].cause, SendCause::RtoRetransmission);
    assert!(!tcb.is_ect(&out[0]));
    // Without ECN nothing is.
    let mut plain = established(config());
    queue(&mut plain, 100);
    let mut out = Vec::new();
    plain.output(ms(100), &mut out);
    assert!(!plain.is_ect(&out[0]));
}

#[test]
fn a_ce_mark_is_echoed_on_every_ack_until_cwr() {
    // RFC 3168 §6.1.3.
    let mut tcb = established_ecn(ecn());
    let out = arrive(&mut tcb, 100, seg(301, 101), 100, true);
    assert_eq!(
        strings(&out),
        ["<SEQ=101><ACK=401><CTL=ECE,ACK><WND=63900> [ack]"]
    );
    let out = arrive(&mut tcb, 110, seg(401, 101), 100, false);
    assert_eq!(
        strings(&out),
        ["<SEQ=101><ACK=501><CTL=ECE,ACK><WND=63800> [ack]"]
    );
    // The peer reduced its window and says so: the echo stops.
    let cwr = TcpRepr {
        flags: CWR,
        ..seg(501, 101)
    };
    let out = arrive(&mut tcb, 120, cwr, 100, false);
    assert_eq!(
        strings(&out),
        ["<SEQ=101><ACK=601><CTL=ACK><WND=63700> [ack]"]
    );
    // A CWR packet that is itself CE-marked starts it again.
    let cwr = TcpRepr {
        flags: CWR,
        ..seg(601, 101)
    };
    let out = arrive(&mut tcb, 130, cwr, 100, true);
    assert_eq!(
        strings(&out),
        ["<SEQ=101><ACK=701><CTL=ECE,ACK><WND=63600> [ack]"]
    );
    // Without ECN negotiated a CE mark is not echoed.
    let mut plain = established(config());
    let out = arrive(&mut plain, 100, seg(301, 101), 100, true);
    assert_eq!(
        strings(&out),
        ["<SEQ=101><ACK=401><CTL=ACK><WND=63900> [ack]"]
    );
}

#[test]
fn ece_halves_the_window_once_per_window_and_the_next_data_carries_cwr() {
    // RFC 3168 §6.1.2.
    let mut tcb = established_ecn(ecn());
    assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), 10);
    let ece_ack = |k| TcpRepr {
        flags: ECE,
        ..seg(301, s(k))
    };
    // The first ECE: ssthresh = cwnd = 13140 in flight / 2, nothing resent.
    sent!(recv(&mut tcb, 200, ece_ack(1)), []);
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (6570, 6570));
    assert_eq!(tcb.recovery(), None);
    // More ECE in the same window: no second reduction, and no growth.
    // Room for three segments; the first new one carries CWR.
    sent!(
        recv(&mut tcb, 210, ece_ack(9)),
        [
            "<SEQ=14701><ACK=301><CTL=CWR,ACK><DATA=1460><WND=64000> [new data]".to_string(),
            new(11),
            new(12),
        ]
    );
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (6570, 6570));
    // ECE for data sent after the reduction: the next window, a new reduction.
    sent!(recv(&mut tcb, 220, ece_ack(11)), []);
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (2920, 2920));
    // The first new data after that reduction carries CWR too.
    sent!(
        recv(&mut tcb, 230, seg(301, s(12))),
        ["<SEQ=19081><ACK=301><CTL=CWR,ACK><DATA=1460><WND=64000> [new data]"]
    );
}

#[test]
fn an_ecn_echo_and_a_loss_in_one_window_reduce_once() {
    // Segment 0 lost, the duplicate ACKs carry ECE: the echo halves the
    // window, the fast retransmit follows without a second halving.
    let mut tcb = established_ecn(ecn());
    assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), 10);
    let dup = TcpRepr {
        flags: ECE,
        ..seg(301, 101)
    };
    sent!(recv(&mut tcb, 200, dup), []);
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (7300, 7300));
    sent!(recv(&mut tcb, 201, dup), []);
    sent!(recv(&mut tcb, 202, dup), [fast(0)]);
    assert_eq!((tcb.ssthresh(), tcb.cwnd()), (7300, 7300 + 3 * 1460));
}

#[test]
fn each_ecn_step_is_a_trace_note() {
    use crate::tcp::connection::EcnNote;
    // Receiver: the first CE mark starts the echo, a repeated one does not
    // note it again, the peer's CWR stops it.
    let mut rx = established_ecn(ecn());
    arrive(&mut rx, 100, seg(301, 101), 100, true);
    assert_eq!(notes(&mut rx), [TcpTrace::Ecn(EcnNote::CeReceived)]);
    arrive(&mut rx, 110, seg(401, 101), 100, true);
    assert_eq!(notes(&mut rx), []);
    let cwr = TcpRepr {
        flags: CWR,
        ..seg(501, 101)
    };
    arrive(&mut rx, 120, cwr, 100, false);
    assert_eq!(notes(&mut rx), [TcpTrace::Ecn(EcnNote::EchoStopped)]);
    // Sender: ECE halves the window (13 140 in flight: 6570), and the next
    // new data carries CWR.
    let mut tx = established_ecn(ecn());
    write(&mut tx, 100, 20 * 1460);
    let ece = |k| TcpRepr {
        flags: ECE,
        ..seg(301, s(k))
    };
    recv(&mut tx, 200, ece(1));
    assert_eq!(
        notes(&mut tx),
        [TcpTrace::Ecn(EcnNote::WindowReduced { cwnd: 6570 })]
    );
    recv(&mut tx, 210, ece(9));
    assert_eq!(notes(&mut tx), [TcpTrace::Ecn(EcnNote::CwrSent)]);
    // The trace lines.
    let line = |n: TcpTrace| n.describe();
    assert_eq!(
        line(TcpTrace::Ecn(EcnNote::CeReceived)),
        "CE-marked data: echoing ECE until CWR (RFC 3168 §6.1.3)"
    );
    assert_eq!(
        line(TcpTrace::Ecn(EcnNote::WindowReduced { cwnd: 6570 })),
        "ECE received: cwnd reduced to 6570, nothing retransmitted (RFC 3168 §6.1.2)"
    );
    assert_eq!(
        line(TcpTrace::Ecn(EcnNote::CwrSent)),
        "CWR sent: window reduced (RFC 3168 §6.1.2)"
    );
}
