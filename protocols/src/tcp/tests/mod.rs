//! Segment-level tests of one connection, in the style of smoltcp's TCP tests:
//! put a [`Tcb`] in a state, feed it one segment (or a timer, or an
//! application call) at a given time, and assert exactly which segments come
//! out and which state it ends in. Grouped by state, named for the behaviour.
//!
//! Conventions, after the RFC 9293 figures: our ISS is 100 and the peer's is
//! 300; times are milliseconds; we are 10.0.0.1:49152, the peer 10.0.0.2:80.
//! Segments we send are compared as strings in the RFC notation, extended with
//! the window field, the options and the cause:
//! `<SEQ=101><ACK=301><CTL=ACK><DATA=1460><WND=64000> [new data]`.
//!
//! Every helper checks, for every segment we send, the ports and that each
//! data byte is the byte the application wrote at that sequence number, and
//! every read checks the bytes against what the peer sent.

mod close_wait;
mod closed_and_listen;
mod closing;
mod congestion;
mod ecn;
mod established;
mod fin_wait_1;
mod fin_wait_2;
mod flow_control;
mod last_ack;
mod pacing;
mod recovery;
mod retransmission;
mod sack_recovery;
mod syn_received;
mod syn_sent;
mod time_wait;
mod timers;

use std::fmt::Write as _;
use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::SimTime;

use super::connection::{AppSignal, Endpoint, Outgoing, Tcb};
use super::trace::TcpTrace;
use super::{State, TcpConfig};
use crate::wire::{SackBlocks, TcpFlags, TcpOptions, TcpRepr, TcpSeq};

/// Our initial send sequence number (RFC 9293 Figure 7).
pub(super) const OUR_ISS: u32 = 100;
/// The peer's initial sequence number.
pub(super) const PEER_ISS: u32 = 300;
/// Our end.
pub(super) const LOCAL: Endpoint = Endpoint {
    addr: Ipv4Addr::new(10, 0, 0, 1),
    port: 49152,
};
/// The peer's end.
pub(super) const REMOTE: Endpoint = Endpoint {
    addr: Ipv4Addr::new(10, 0, 0, 2),
    port: 80,
};
/// Our interface MTU: we announce MSS 1460.
pub(super) const MTU: u32 = 1500;
/// Our receive buffer in [`config`]: the window we advertise, unscaled.
pub(super) const RECV_BUFFER: usize = 64_000;
/// The window field of every segment the peer sends unless a test says otherwise.
pub(super) const PEER_WINDOW: u16 = 50_000;

/// The control bits used in the tests.
pub(super) const SYN: TcpFlags = TcpFlags::SYN;
pub(super) const FIN: TcpFlags = TcpFlags::FIN;
pub(super) const RST: TcpFlags = TcpFlags::RST;

/// The configuration of most tests: no delayed ACKs, no window scaling, SACK
/// or timestamps (each test about them turns them on), a 64000-byte receive
/// buffer; everything else as shipped (Nagle on, IW 10, RTO 1 s, MSL 30 s).
pub(super) fn config() -> TcpConfig {
    TcpConfig {
        recv_buffer: RECV_BUFFER,
        delayed_ack: false,
        window_scaling: false,
        sack: false,
        timestamps: false,
        ..TcpConfig::default()
    }
}

/// `t` milliseconds after the start.
pub(super) fn ms(t: u64) -> SimTime {
    SimTime::from_nanos(t * 1_000_000)
}

/// A segment from the peer: `<SEQ=seq><ACK=ack><CTL=ACK>` with [`PEER_WINDOW`].
/// Change fields with struct update syntax: `TcpRepr { flags: FIN, ..seg(301, 101) }`.
pub(super) fn seg(seq: u32, ack: u32) -> TcpRepr {
    TcpRepr {
        ack: Some(TcpSeq(ack)),
        ..bare(seq)
    }
}

/// A segment from the peer without the ACK bit.
pub(super) fn bare(seq: u32) -> TcpRepr {
    TcpRepr {
        src_port: REMOTE.port,
        dst_port: LOCAL.port,
        seq: TcpSeq(seq),
        ack: None,
        flags: TcpFlags::NONE,
        window: PEER_WINDOW,
        urgent: 0,
        options: TcpOptions::default(),
    }
}

/// The peer's SYN `<SEQ=seq><CTL=SYN>`, announcing MSS 1460 and nothing else.
pub(super) fn syn(seq: u32) -> TcpRepr {
    TcpRepr {
        flags: SYN,
        options: mss_only(1460),
        ..bare(seq)
    }
}

/// The peer's SYN,ACK `<SEQ=seq><ACK=ack><CTL=SYN,ACK>`, announcing MSS 1460.
pub(super) fn syn_ack(seq: u32, ack: u32) -> TcpRepr {
    TcpRepr {
        ack: Some(TcpSeq(ack)),
        ..syn(seq)
    }
}

/// The peer's ACK of `ack` carrying SACK blocks `[left, right)`, first block first.
pub(super) fn sack(ack: u32, blocks: &[(u32, u32)]) -> TcpRepr {
    let mut sack_blocks = SackBlocks::new();
    for &(l, r) in blocks {
        assert!(
            sack_blocks.push((TcpSeq(l), TcpSeq(r))),
            "at most four blocks"
        );
    }
    TcpRepr {
        options: TcpOptions {
            sack_blocks,
            ..TcpOptions::default()
        },
        ..seg(301, ack)
    }
}

/// Options carrying only an MSS.
pub(super) fn mss_only(mss: u16) -> TcpOptions {
    TcpOptions {
        mss: Some(mss),
        ..TcpOptions::default()
    }
}

/// The byte at stream offset `i` of what our application writes.
fn our_byte(i: usize) -> u8 {
    (i % 251) as u8
}

/// The byte at stream offset `i` of what the peer sends.
fn peer_byte(i: usize) -> u8 {
    (i.wrapping_mul(7) % 253) as u8
}

/// One segment we sent, in the notation of the tests.
pub(super) fn show(o: &Outgoing) -> String {
    let r = &o.repr;
    let mut s = r.rfc_notation(o.payload.len());
    let _ = write!(s, "<WND={}>", r.window);
    let opt = &r.options;
    if let Some(m) = opt.mss {
        let _ = write!(s, "<MSS={m}>");
    }
    if let Some(w) = opt.window_scale {
        let _ = write!(s, "<WS={w}>");
    }
    if opt.sack_permitted {
        s.push_str("<SACKOK>");
    }
    if let Some((val, ecr)) = opt.timestamps {
        let _ = write!(s, "<TS={val},{ecr}>");
    }
    if !opt.sack_blocks.is_empty() {
        let blocks: Vec<String> = opt
            .sack_blocks
            .iter()
            .map(|(l, r)| format!("{l}-{r}"))
            .collect();
        let _ = write!(s, "<SACK={}>", blocks.join(","));
    }
    let _ = write!(s, " [{}]", o.cause.name());
    s
}

/// Checks what a connection sent and turns it into strings.
#[track_caller]
fn collect(tcb: &Tcb, out: Vec<Outgoing>) -> Vec<String> {
    for o in &out {
        assert_eq!(
            (o.repr.src_port, o.repr.dst_port),
            (LOCAL.port, REMOTE.port),
            "ports of {}",
            show(o)
        );
        let offset = o.repr.seq.0.wrapping_sub(tcb.iss.0.wrapping_add(1)) as usize;
        for (k, &b) in o.payload.iter().enumerate() {
            assert_eq!(b, our_byte(offset + k), "byte {k} of {}", show(o));
        }
    }
    out.iter().map(show).collect()
}

/// The segment `seg` carrying `len` bytes of the peer's stream arrives at `t` ms.
#[track_caller]
pub(super) fn recv_data(tcb: &mut Tcb, t: u64, seg: TcpRepr, len: usize) -> Vec<String> {
    let first = seg.seq.0.wrapping_sub(tcb.irs.0.wrapping_add(1)) as usize;
    let payload: Bytes = (0..len).map(|k| peer_byte(first.wrapping_add(k))).collect();
    let mut out = Vec::new();
    tcb.on_segment(ms(t), &seg, payload, &mut out);
    collect(tcb, out)
}

/// The segment `seg` (no data) arrives at `t` ms.
#[track_caller]
pub(super) fn recv(tcb: &mut Tcb, t: u64, seg: TcpRepr) -> Vec<String> {
    recv_data(tcb, t, seg, 0)
}

/// The timers due at `t` ms run. Asserts that [`Tcb::poll_at`] asked for exactly `t`.
#[track_caller]
pub(super) fn tick(tcb: &mut Tcb, t: u64) -> Vec<String> {
    assert_eq!(
        tcb.poll_at(),
        Some(ms(t)),
        "poll_at before the tick at {t} ms"
    );
    let mut out = Vec::new();
    tcb.on_timer(ms(t), &mut out);
    collect(tcb, out)
}

/// The application writes `n` more bytes at `t` ms (all must fit), then the
/// connection sends what it may.
#[track_caller]
pub(super) fn write(tcb: &mut Tcb, t: u64, n: usize) -> Vec<String> {
    queue(tcb, n);
    let mut out = Vec::new();
    tcb.output(ms(t), &mut out);
    collect(tcb, out)
}

/// The application writes `n` more bytes (all must fit) without the
/// connection getting a chance to send them yet.
#[track_caller]
pub(super) fn queue(tcb: &mut Tcb, n: usize) {
    let start = tcb.buf_seq.0.wrapping_sub(tcb.iss.0.wrapping_add(1)) as usize + tcb.send.len();
    let data: Bytes = (start..start + n).map(our_byte).collect();
    assert_eq!(tcb.write(data), n, "the send buffer takes all {n} bytes");
}

/// The application reads up to `n` bytes at `t` ms (asserting how many come
/// and that they are the peer's bytes), then the connection sends what it may.
#[track_caller]
pub(super) fn read(tcb: &mut Tcb, t: u64, n: usize, expect: usize) -> Vec<String> {
    let fin = usize::from(tcb.fin_received);
    let delivered = tcb.recv.rcv_nxt().0.wrapping_sub(tcb.irs.0.wrapping_add(1)) as usize - fin;
    let first = delivered - tcb.readable();
    let data: Vec<u8> = tcb.read(n).iter().flat_map(|b| b.iter().copied()).collect();
    assert_eq!(data.len(), expect, "bytes read");
    for (k, &b) in data.iter().enumerate() {
        assert_eq!(
            b,
            peer_byte(first + k),
            "byte {} of the peer's stream",
            first + k
        );
    }
    let mut out = Vec::new();
    tcb.output(ms(t), &mut out);
    collect(tcb, out)
}

/// The application calls CLOSE at `t` ms.
#[track_caller]
pub(super) fn close(tcb: &mut Tcb, t: u64) -> Vec<String> {
    let mut out = Vec::new();
    tcb.close(ms(t), &mut out);
    collect(tcb, out)
}

/// The application calls ABORT.
#[track_caller]
pub(super) fn abort(tcb: &mut Tcb) -> Vec<String> {
    let mut out = Vec::new();
    tcb.abort(&mut out);
    collect(tcb, out)
}

/// Takes the trace notes so far.
pub(super) fn notes(tcb: &mut Tcb) -> Vec<TcpTrace> {
    std::mem::take(&mut tcb.notes)
}

/// Takes the application signals so far.
pub(super) fn signals(tcb: &mut Tcb) -> Vec<AppSignal> {
    std::mem::take(&mut tcb.signals)
}

/// The state-change notes so far, as `FROM -> TO` (other notes dropped).
pub(super) fn transitions(tcb: &mut Tcb) -> Vec<String> {
    notes(tcb)
        .into_iter()
        .filter_map(|n| match n {
            TcpTrace::State { from, to, .. } => Some(format!("{from} -> {to}")),
            _ => None,
        })
        .collect()
}

/// Forgets notes and signals (after a constructor set up the state).
fn settle(tcb: &mut Tcb) {
    tcb.notes.clear();
    tcb.signals.clear();
}

/// SYN-SENT with ISS `iss`: `connect` at 0 ms.
#[track_caller]
pub(super) fn syn_sent_with(cfg: TcpConfig, iss: u32) -> Tcb {
    let mut out = Vec::new();
    let mut tcb = Tcb::connect(ms(0), cfg, LOCAL, REMOTE, TcpSeq(iss), MTU, &mut out);
    assert_eq!(out.len(), 1, "one SYN");
    assert_eq!(tcb.state(), State::SynSent);
    settle(&mut tcb);
    tcb
}

/// SYN-SENT: `<SEQ=100><CTL=SYN>` went out at 0 ms.
#[track_caller]
pub(super) fn syn_sent(cfg: TcpConfig) -> Tcb {
    syn_sent_with(cfg, OUR_ISS)
}

/// ESTABLISHED by an active open: SYN at 0 ms, the peer's SYN,ACK (ISS
/// `irs`, MSS 1460, window [`PEER_WINDOW`]) at 10 ms, our ACK. SRTT is 10 ms,
/// the RTO 1 s (RFC 6298 §2.4 minimum).
#[track_caller]
pub(super) fn established_with(cfg: TcpConfig, iss: u32, irs: u32) -> Tcb {
    let mut tcb = syn_sent_with(cfg, iss);
    handshake(&mut tcb, syn_ack(irs, iss.wrapping_add(1)));
    tcb
}

/// ESTABLISHED by an active open (ISS 100) answered by `syn_ack` at 10 ms.
#[track_caller]
pub(super) fn established_by(cfg: TcpConfig, syn_ack: TcpRepr) -> Tcb {
    let mut tcb = syn_sent(cfg);
    handshake(&mut tcb, syn_ack);
    tcb
}

#[track_caller]
fn handshake(tcb: &mut Tcb, syn_ack: TcpRepr) {
    let out = recv(tcb, 10, syn_ack);
    assert_eq!(out.len(), 1, "the ACK of the SYN,ACK: {out:?}");
    assert_eq!(tcb.state(), State::Established);
    settle(tcb);
}

/// ESTABLISHED with SACK negotiated (`cfg.sack` on, the peer's SYN,ACK
/// offering it), ISSs 100 and 300.
#[track_caller]
pub(super) fn established_sack(cfg: TcpConfig) -> Tcb {
    let options = TcpOptions {
        sack_permitted: true,
        ..mss_only(1460)
    };
    let tcb = established_by(
        TcpConfig { sack: true, ..cfg },
        TcpRepr {
            options,
            ..syn_ack(300, 101)
        },
    );
    assert!(tcb.sack_ok, "SACK negotiated");
    tcb
}

/// ESTABLISHED with the ISSs of the RFC figures (ours 100, peer 300).
#[track_caller]
pub(super) fn established(cfg: TcpConfig) -> Tcb {
    established_with(cfg, OUR_ISS, PEER_ISS)
}

/// SYN-RECEIVED by a passive open: the peer's `<SEQ=300><CTL=SYN>` (MSS 1460)
/// arrived at a listener at 0 ms and we answered `<SEQ=100><ACK=301><CTL=SYN,ACK>`.
#[track_caller]
pub(super) fn syn_received(cfg: TcpConfig) -> Tcb {
    let mut out = Vec::new();
    let mut tcb = Tcb::accept(
        ms(0),
        cfg,
        LOCAL,
        REMOTE,
        TcpSeq(OUR_ISS),
        MTU,
        &syn(PEER_ISS),
        &mut out,
    );
    assert_eq!(out.len(), 1, "one SYN,ACK");
    assert_eq!(tcb.state(), State::SynReceived);
    settle(&mut tcb);
    tcb
}

/// FIN-WAIT-1: established, then CLOSE at 20 ms sent `<SEQ=101><ACK=301><CTL=FIN,ACK>`.
#[track_caller]
pub(super) fn fin_wait_1(cfg: TcpConfig) -> Tcb {
    let mut tcb = established(cfg);
    assert_eq!(close(&mut tcb, 20).len(), 1, "the FIN");
    assert_eq!(tcb.state(), State::FinWait1);
    settle(&mut tcb);
    tcb
}

/// FIN-WAIT-2: FIN-WAIT-1, then the peer's `<SEQ=301><ACK=102><CTL=ACK>` at 30 ms.
#[track_caller]
pub(super) fn fin_wait_2(cfg: TcpConfig) -> Tcb {
    let mut tcb = fin_wait_1(cfg);
    assert_eq!(recv(&mut tcb, 30, seg(301, 102)), Vec::<String>::new());
    assert_eq!(tcb.state(), State::FinWait2);
    settle(&mut tcb);
    tcb
}

/// TIME-WAIT: FIN-WAIT-2, then the peer's `<SEQ=301><ACK=102><CTL=FIN,ACK>` at 40 ms (we ACK it).
#[track_caller]
pub(super) fn time_wait(cfg: TcpConfig) -> Tcb {
    let mut tcb = fin_wait_2(cfg);
    assert_eq!(
        recv(
            &mut tcb,
            40,
            TcpRepr {
                flags: FIN,
                ..seg(301, 102)
            }
        )
        .len(),
        1,
        "the ACK of the FIN"
    );
    assert_eq!(tcb.state(), State::TimeWait);
    settle(&mut tcb);
    tcb
}

/// CLOSE-WAIT: established, then the peer's `<SEQ=301><ACK=101><CTL=FIN,ACK>` at 20 ms (we ACK it).
#[track_caller]
pub(super) fn close_wait(cfg: TcpConfig) -> Tcb {
    let mut tcb = established(cfg);
    assert_eq!(
        recv(
            &mut tcb,
            20,
            TcpRepr {
                flags: FIN,
                ..seg(301, 101)
            }
        )
        .len(),
        1,
        "the ACK of the FIN"
    );
    assert_eq!(tcb.state(), State::CloseWait);
    settle(&mut tcb);
    tcb
}

/// LAST-ACK: CLOSE-WAIT, then CLOSE at 30 ms sent `<SEQ=101><ACK=302><CTL=FIN,ACK>`.
#[track_caller]
pub(super) fn last_ack(cfg: TcpConfig) -> Tcb {
    let mut tcb = close_wait(cfg);
    assert_eq!(close(&mut tcb, 30).len(), 1, "the FIN");
    assert_eq!(tcb.state(), State::LastAck);
    settle(&mut tcb);
    tcb
}

/// CLOSING: FIN-WAIT-1, then the peer's own FIN `<SEQ=301><ACK=101><CTL=FIN,ACK>`
/// (not acknowledging ours) at 30 ms; we ACK it.
#[track_caller]
pub(super) fn closing(cfg: TcpConfig) -> Tcb {
    let mut tcb = fin_wait_1(cfg);
    assert_eq!(
        recv(
            &mut tcb,
            30,
            TcpRepr {
                flags: FIN,
                ..seg(301, 101)
            }
        )
        .len(),
        1,
        "the ACK of the FIN"
    );
    assert_eq!(tcb.state(), State::Closing);
    settle(&mut tcb);
    tcb
}

/// Asserts what a step sent, as a list of strings in the tests' notation.
macro_rules! sent {
    ($actual:expr, []) => {
        assert_eq!($actual, Vec::<String>::new(), "expected no segment")
    };
    ($actual:expr, [$($seg:expr),+ $(,)?]) => {
        assert_eq!($actual, vec![$(String::from($seg)),+])
    };
}
pub(super) use sent;
