//! One TCP connection (a TCB): the RFC 9293 state machine, sans-IO.
//!
//! Implements RFC 9293 §3.10 event processing (OPEN, SEND, RECEIVE, CLOSE,
//! ABORT, SEGMENT ARRIVES, timeouts) with RFC 5961 challenge ACKs (as RFC
//! 9293 §3.10.7.4 recommends), RFC 7323 window scaling and timestamps,
//! RFC 2018 SACK blocks on the receiving side, RFC 6298 retransmission timing,
//! loss recovery (RFC 5681 fast retransmit and recovery, RFC 3042 limited
//! transmit, RFC 6582 NewReno, RFC 6675 SACK-based recovery, RFC 6937
//! proportional rate reduction: `recovery.rs`), RFC 3168 ECN (`ecn.rs`),
//! RFC 1122 delayed ACKs and keepalive, RFC 9293 §3.8.6 silly-window
//! avoidance, and pacing at the rate a model-based congestion controller
//! asks for, with delivery-rate estimation for it
//! (draft-cheng-iccrg-delivery-rate-estimation, `rate.rs`).
//!
//! The caller feeds segments and timer expiries with the current time and
//! receives segments to send ([`Outgoing`]) and notes for the trace
//! ([`TcpTrace`]); [`Tcb::poll_at`] says when to come back. This file holds
//! the TCB, its constructors (OPEN) and the user calls; SEGMENT ARRIVES is in
//! `input.rs`, the sending half (output, retransmission, timers) in
//! [`super::output`]. State with an invariant of its own lives in a value
//! owned by the file that keeps it: the timer deadlines (`timers.rs`), loss
//! recovery (`recovery.rs`) and ECN (`ecn.rs`).
//!
//! Simplifications: no urgent data, no IP options, no path-MTU discovery.

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::SimTime;

use super::config::TcpConfig;
use super::congestion::CongestionControl;
use super::ecn::Ecn;
use super::rate::RateEstimator;
use super::recovery::LossRecovery;
use super::recv::RecvBuffer;
use super::rtt::RttEstimator;
use super::send::SendBuffer;
use super::state::State;
use super::timers::Timers;
use super::trace::TcpTrace;
use crate::wire::{TcpRepr, TcpSeq};

/// The default MSS when the peer announces none (RFC 9293 §3.7.1).
pub const DEFAULT_MSS: usize = 536;

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// Address.
    pub addr: Ipv4Addr,
    /// Port.
    pub port: u16,
}

impl std::fmt::Display for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.addr, self.port)
    }
}

/// Why a segment is sent, in Wireshark's `tcp.analysis` vocabulary where one applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendCause {
    /// The SYN of an active open.
    Syn,
    /// The SYN-ACK of a passive (or simultaneous) open.
    SynAck,
    /// New data, or a FIN after it.
    NewData,
    /// Retransmission after the retransmission timer expired (`retransmission`).
    RtoRetransmission,
    /// Retransmission on duplicate ACKs (`fast_retransmission`).
    FastRetransmission,
    /// A probe of a zero window (`zero_window_probe`).
    WindowProbe,
    /// A keepalive probe (`keep_alive`).
    Keepalive,
    /// An ACK sent at once (out-of-order data, a FIN, a handshake step).
    PureAck,
    /// An ACK sent when the delayed-ACK timer expired.
    DelayedAck,
    /// The receive window opened (`window_update`).
    WindowUpdate,
    /// A challenge ACK (RFC 5961).
    ChallengeAck,
    /// A reset.
    Reset,
}

impl SendCause {
    /// The name used in traces.
    pub fn name(self) -> &'static str {
        match self {
            SendCause::Syn => "syn",
            SendCause::SynAck => "syn-ack",
            SendCause::NewData => "new data",
            SendCause::RtoRetransmission => "retransmission (RTO)",
            SendCause::FastRetransmission => "fast retransmission",
            SendCause::WindowProbe => "zero window probe",
            SendCause::Keepalive => "keep-alive",
            SendCause::PureAck => "ack",
            SendCause::DelayedAck => "delayed ack",
            SendCause::WindowUpdate => "window update",
            SendCause::ChallengeAck => "challenge ack",
            SendCause::Reset => "reset",
        }
    }
}

/// A segment to send.
#[derive(Clone, Debug)]
pub struct Outgoing {
    /// Header.
    pub repr: TcpRepr,
    /// Data.
    pub payload: Bytes,
    /// Why.
    pub cause: SendCause,
}

/// Which loss recovery a connection runs (chosen by its congestion
/// controller's [`RecoveryStyle`](super::congestion::RecoveryStyle) and by
/// whether SACK was negotiated).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryKind {
    /// Tahoe: fast retransmit, then slow start from one segment (go-back-N).
    Tahoe,
    /// Reno fast recovery (RFC 5681 §3.2), ended by the first new ACK.
    Reno,
    /// NewReno fast recovery (RFC 6582), one hole per round trip.
    NewReno,
    /// SACK-based loss recovery (RFC 6675), several holes per round trip.
    Sack,
}

impl RecoveryKind {
    /// The name used in traces.
    pub fn name(self) -> &'static str {
        match self {
            RecoveryKind::Tahoe => "tahoe",
            RecoveryKind::Reno => "reno",
            RecoveryKind::NewReno => "newreno",
            RecoveryKind::Sack => "sack",
        }
    }

    /// What beginning it means, for the trace: `fast recovery begins (NewReno, RFC 6582)`.
    pub fn start_text(self) -> &'static str {
        match self {
            RecoveryKind::Tahoe => "fast retransmit, then slow start from one segment (Tahoe)",
            RecoveryKind::Reno => "fast recovery begins (Reno, RFC 5681 §3.2)",
            RecoveryKind::NewReno => "fast recovery begins (NewReno, RFC 6582)",
            RecoveryKind::Sack => "SACK-based loss recovery begins (RFC 6675)",
        }
    }
}

/// What ECN did (RFC 3168 §6.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EcnNote {
    /// Receiver: data arrived CE-marked; every ACK carries ECE until the
    /// peer's CWR (§6.1.3).
    CeReceived,
    /// Receiver: the peer's CWR arrived; ACKs stop carrying ECE (§6.1.3).
    EchoStopped,
    /// Sender: an ACK with ECE; the window was reduced, as for a loss,
    /// without retransmitting (§6.1.2).
    WindowReduced {
        /// cwnd after the reduction, bytes.
        cwnd: usize,
    },
    /// Sender: the first new data after a reduction carried CWR (§6.1.2).
    CwrSent,
}

impl std::fmt::Display for EcnNote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EcnNote::CeReceived => {
                f.write_str("CE-marked data: echoing ECE until CWR (RFC 3168 §6.1.3)")
            }
            EcnNote::EchoStopped => f.write_str("CWR received: ECE echo stops (RFC 3168 §6.1.3)"),
            EcnNote::WindowReduced { cwnd } => write!(
                f,
                "ECE received: cwnd reduced to {cwnd}, nothing retransmitted (RFC 3168 §6.1.2)"
            ),
            EcnNote::CwrSent => f.write_str("CWR sent: window reduced (RFC 3168 §6.1.2)"),
        }
    }
}

/// What the application is told.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AppSignal {
    /// The handshake completed.
    Connected,
    /// New data can be read.
    Readable,
    /// Space opened in the send buffer.
    Writable,
    /// The peer sent FIN: no more data will come.
    PeerClosed,
    /// The connection is gone (closed normally or aborted); carries whether it was a reset/abort.
    Closed {
        /// Whether it ended by reset, timeout or abort rather than a clean close.
        error: bool,
    },
}

/// A TCP connection.
pub struct Tcb {
    pub(super) state: State,
    pub(super) cfg: TcpConfig,
    /// Our end.
    pub local: Endpoint,
    /// The peer's end.
    pub remote: Endpoint,
    /// Whether this connection came from a listener (RST in SYN-RECEIVED returns to LISTEN).
    pub passive: bool,

    // Send sequence space (RFC 9293 §3.3.1).
    pub(super) iss: TcpSeq,
    pub(super) snd_una: TcpSeq,
    pub(super) snd_nxt: TcpSeq,
    /// Highest sequence number sent so far (snd_nxt falls back on timeout).
    pub(super) snd_max: TcpSeq,
    pub(super) snd_wnd: usize,
    pub(super) max_snd_wnd: usize,
    pub(super) snd_wl1: TcpSeq,
    pub(super) snd_wl2: TcpSeq,
    pub(super) snd_wscale: u8,
    /// End of the last segment shorter than the MSS that we sent (Minshall's
    /// refinement of Nagle's algorithm).
    pub(super) snd_sml: TcpSeq,
    /// End of the outstanding zero-window probe byte, if one is out. The probe
    /// is not counted in SND.NXT/`snd_max` (as in BSD, so that flight size and
    /// the sequence number of our ACKs stay those of the zero window), but an
    /// acknowledgment of it is acceptable.
    pub(super) snd_probe: Option<TcpSeq>,
    /// Sequence number of the first byte in the send buffer.
    pub(super) buf_seq: TcpSeq,
    pub(super) send: SendBuffer,
    pub(super) smss: usize,
    pub(super) announced_mss: u16,
    /// The application asked to close: a FIN follows the data.
    pub(super) fin_queued: bool,
    /// Sequence number of our FIN once it was sent.
    pub(super) fin_seq: Option<TcpSeq>,

    // Receive sequence space.
    pub(super) irs: TcpSeq,
    pub(super) recv: RecvBuffer,
    pub(super) rcv_wscale: u8,
    /// Right edge of the window last advertised.
    pub(super) rcv_adv: TcpSeq,
    /// The peer's FIN, once seen (possibly ahead of missing data).
    pub(super) rcv_fin: Option<TcpSeq>,
    pub(super) fin_received: bool,

    // Options in force.
    pub(super) ws_ok: bool,
    pub(super) sack_ok: bool,
    pub(super) ts_ok: bool,
    pub(super) ts_recent: u32,
    pub(super) last_ack_sent: TcpSeq,

    // Timing and recovery.
    pub(super) rtt: RttEstimator,
    /// Karn-safe RTT measurement without timestamps: (sequence to be acked, when sent).
    pub(super) rtt_probe: Option<(TcpSeq, SimTime)>,
    pub(super) cc: Box<dyn CongestionControl>,
    pub(super) retries: u32,
    /// Per-segment send state for delivery-rate samples, kept only for a
    /// rate-based controller.
    pub(super) rate: Option<RateEstimator>,
    /// Pacing: no data segment leaves before this time (the previous one's
    /// departure plus its length at the pacing rate).
    pub(super) pace_next: SimTime,

    /// Loss recovery (`recovery.rs`).
    pub(super) loss: LossRecovery,
    /// When data was last sent (RFC 5681 §4.1, restart after idle).
    pub(super) last_data_sent: Option<SimTime>,

    /// ECN (RFC 3168, `ecn.rs`).
    pub(super) ecn: Ecn,

    /// The timer deadlines (`timers.rs`).
    pub(super) timers: Timers,
    /// Full-sized segments received since the last ACK we sent.
    pub(super) unacked_segments: u32,
    pub(super) ack_now: bool,

    /// Notes for the trace, drained by the caller.
    pub notes: Vec<TcpTrace>,
    /// Signals for the application, drained by the caller.
    pub signals: Vec<AppSignal>,
}

impl Tcb {
    fn blank(
        cfg: TcpConfig,
        local: Endpoint,
        remote: Endpoint,
        iss: TcpSeq,
        mtu: u32,
        passive: bool,
    ) -> Tcb {
        let announced_mss = announced_mss(&cfg, mtu);
        let rcv_wscale = if cfg.window_scaling {
            window_shift(cfg.recv_buffer)
        } else {
            0
        };
        let mss = usize::from(announced_mss);
        let cc = cfg.cc.build(mss, cfg.initial_window, u64::from(iss.0));
        let rate = cc.rate_based().then(RateEstimator::new);
        Tcb {
            state: State::Closed,
            local,
            remote,
            passive,
            iss,
            snd_una: iss,
            snd_nxt: iss,
            snd_max: iss,
            snd_wnd: 0,
            max_snd_wnd: 0,
            snd_wl1: TcpSeq(0),
            snd_wl2: TcpSeq(0),
            snd_wscale: 0,
            snd_sml: iss,
            snd_probe: None,
            buf_seq: iss + 1,
            send: SendBuffer::new(cfg.send_buffer),
            smss: mss,
            announced_mss,
            fin_queued: false,
            fin_seq: None,
            irs: TcpSeq(0),
            recv: RecvBuffer::new(TcpSeq(0), cfg.recv_buffer),
            rcv_wscale,
            rcv_adv: TcpSeq(0),
            rcv_fin: None,
            fin_received: false,
            ws_ok: false,
            sack_ok: false,
            ts_ok: false,
            ts_recent: 0,
            last_ack_sent: TcpSeq(0),
            rtt: RttEstimator::new(cfg.rtt),
            rtt_probe: None,
            cc,
            retries: 0,
            rate,
            pace_next: SimTime::ZERO,
            loss: LossRecovery::new(iss),
            last_data_sent: None,
            ecn: Ecn::new(iss),
            timers: Timers::default(),
            unacked_segments: 0,
            ack_now: false,
            notes: Vec::new(),
            signals: Vec::new(),
            cfg,
        }
    }

    /// Active OPEN (RFC 9293 §3.10.1): sends a SYN and enters SYN-SENT.
    /// `mtu` is the egress interface's MTU (the MSS announced is MTU − 40).
    pub fn connect(
        now: SimTime,
        cfg: TcpConfig,
        local: Endpoint,
        remote: Endpoint,
        iss: TcpSeq,
        mtu: u32,
        out: &mut Vec<Outgoing>,
    ) -> Tcb {
        let mut t = Tcb::blank(cfg, local, remote, iss, mtu, false);
        t.set_state(State::SynSent, "OPEN (active)");
        t.send_syn(now, false, SendCause::Syn, out);
        t
    }

    /// A SYN arrived at a listener (RFC 9293 §3.10.7.2, LISTEN, third check):
    /// the new connection answers with SYN-ACK and enters SYN-RECEIVED.
    #[allow(clippy::too_many_arguments)] // the connection's identity, its settings and the SYN
    pub fn accept(
        now: SimTime,
        cfg: TcpConfig,
        local: Endpoint,
        remote: Endpoint,
        iss: TcpSeq,
        mtu: u32,
        syn: &TcpRepr,
        out: &mut Vec<Outgoing>,
    ) -> Tcb {
        let mut t = Tcb::blank(cfg, local, remote, iss, mtu, true);
        t.state = State::Listen;
        t.take_syn_options(syn);
        t.irs = syn.seq;
        t.recv = RecvBuffer::new(syn.seq + 1, t.cfg.recv_buffer);
        t.rcv_adv = syn.seq + 1;
        t.snd_wnd = usize::from(syn.window); // never scaled in a SYN (RFC 7323 §2.2)
        t.max_snd_wnd = t.snd_wnd;
        t.snd_wl1 = syn.seq;
        t.snd_wl2 = iss;
        t.set_state(State::SynReceived, "rcv SYN");
        t.send_syn(now, true, SendCause::SynAck, out);
        t
    }

    /// The connection state.
    pub fn state(&self) -> State {
        self.state
    }

    /// Effective send MSS (data bytes per full segment).
    pub fn mss(&self) -> usize {
        self.smss
    }

    /// Congestion window in bytes (including recovery inflation, or pipe +
    /// sndcnt with PRR).
    pub fn cwnd(&self) -> usize {
        match self.loss.window() {
            Some(w) if !self.cc.rate_based() => w,
            _ => self.cc.window(),
        }
    }

    /// The pacing rate in bytes per second, if the congestion controller paces.
    pub fn pacing_rate(&self) -> Option<u64> {
        self.cc.pacing_rate()
    }

    /// The congestion controller's name (`newreno`, `cubic`).
    pub fn cc_name(&self) -> &'static str {
        self.cc.name()
    }

    /// The loss recovery in progress, if any.
    pub fn recovery(&self) -> Option<RecoveryKind> {
        self.loss.kind()
    }

    /// The most recent loss recovery begun (the kind behind the last
    /// [`TcpTrace::RecoveryStart`] and [`TcpTrace::RecoveryEnd`]).
    pub fn last_recovery(&self) -> Option<RecoveryKind> {
        self.loss.last_kind()
    }

    /// Whether ECN (RFC 3168) was negotiated.
    pub fn ecn_enabled(&self) -> bool {
        self.ecn.enabled()
    }

    /// Slow-start threshold in bytes.
    pub fn ssthresh(&self) -> usize {
        self.cc.ssthresh()
    }

    /// The RTT estimator.
    pub fn rtt(&self) -> &RttEstimator {
        &self.rtt
    }

    /// Bytes sent and not yet acknowledged.
    pub fn bytes_in_flight(&self) -> usize {
        (self.snd_nxt - self.snd_una).max(0) as usize
    }

    /// Free space in the send buffer.
    pub fn send_capacity(&self) -> usize {
        if self.state.can_send() || matches!(self.state, State::SynSent | State::SynReceived) {
            if self.fin_queued { 0 } else { self.send.free() }
        } else {
            0
        }
    }

    /// Bytes the application can read.
    pub fn readable(&self) -> usize {
        self.recv.readable()
    }

    /// Whether the peer's FIN has been received (and all data before it).
    pub fn peer_closed(&self) -> bool {
        self.fin_received
    }

    /// SEND (RFC 9293 §3.10.2): queues as much of `data` as fits; returns how
    /// many bytes were taken. Call [`Tcb::output`] afterwards.
    pub fn write(&mut self, data: Bytes) -> usize {
        if self.send_capacity() == 0 {
            return 0;
        }
        // Whether the sender was waiting for the application (rate samples).
        self.check_app_limited();
        self.send.write(data)
    }

    /// RECEIVE (RFC 9293 §3.10.3): reads up to `max` bytes. Reading may open
    /// the window; call [`Tcb::output`] afterwards so a window update can go out.
    pub fn read(&mut self, max: usize) -> Vec<Bytes> {
        self.recv.read(max)
    }

    /// CLOSE (RFC 9293 §3.10.4): no more data from us; a FIN follows what is queued.
    pub fn close(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        match self.state {
            State::SynSent => {
                self.set_state(State::Closed, "CLOSE");
                self.clear_timers();
                self.signals.push(AppSignal::Closed { error: false });
            }
            State::SynReceived | State::Established | State::CloseWait if !self.fin_queued => {
                self.fin_queued = true;
                self.output(now, out);
            }
            _ => {}
        }
    }

    /// ABORT (RFC 9293 §3.10.5): sends `<SEQ=SND.NXT><CTL=RST>` in
    /// SYN-RECEIVED, ESTABLISHED, FIN-WAIT-1/2 and CLOSE-WAIT, nothing in
    /// CLOSING, LAST-ACK and TIME-WAIT, and closes.
    pub fn abort(&mut self, out: &mut Vec<Outgoing>) {
        if matches!(
            self.state,
            State::SynReceived
                | State::Established
                | State::FinWait1
                | State::FinWait2
                | State::CloseWait
        ) {
            let mut rst = self.header(self.snd_max);
            rst.ack = None;
            rst.flags.rst = true;
            rst.window = 0;
            rst.options = Default::default();
            out.push(Outgoing {
                repr: rst,
                payload: Bytes::new(),
                cause: SendCause::Reset,
            });
        }
        self.drop_connection("ABORT");
    }

    /// Enters CLOSED after an error, telling the application.
    pub(super) fn drop_connection(&mut self, why: &'static str) {
        if self.state != State::Closed {
            self.notes.push(TcpTrace::Aborted(why));
            self.set_state(State::Closed, why);
            self.signals.push(AppSignal::Closed { error: true });
        }
        self.clear_timers();
    }

    pub(super) fn clear_timers(&mut self) {
        self.timers.cancel_all();
    }

    /// A new congestion controller of the configured kind with an initial
    /// window of `initial_segments`, seeded by the ISS, and the delivery-rate
    /// state it needs.
    pub(super) fn rebuild_cc(&mut self, initial_segments: u32) {
        self.cc = self
            .cfg
            .cc
            .build(self.smss, initial_segments, u64::from(self.iss.0));
        self.rate = self.cc.rate_based().then(RateEstimator::new);
    }

    /// Moves what the congestion controller did into the trace notes.
    pub(super) fn take_cc_events(&mut self) {
        for e in self.cc.take_events() {
            self.notes.push(TcpTrace::Congestion(e));
        }
    }

    /// The single place where the state changes, so that every change is traced.
    pub(super) fn set_state(&mut self, to: State, cause: &'static str) {
        if self.state != to {
            self.notes.push(TcpTrace::State {
                from: self.state,
                to,
                cause,
            });
            self.state = to;
        }
    }

    /// Records the options of the peer's SYN (RFC 7323 §2.2, RFC 2018 §2, RFC 9293 §3.7.1).
    pub(super) fn take_syn_options(&mut self, syn: &TcpRepr) {
        let o = &syn.options;
        let peer_mss = o.mss.map_or(DEFAULT_MSS, usize::from);
        match o.window_scale {
            Some(shift) if self.cfg.window_scaling => {
                self.ws_ok = true;
                self.snd_wscale = shift.min(14); // RFC 7323 §2.3
            }
            _ => {
                self.ws_ok = false;
                self.snd_wscale = 0;
                self.rcv_wscale = 0;
            }
        }
        self.sack_ok = self.cfg.sack && o.sack_permitted;
        self.ts_ok = self.cfg.timestamps && o.timestamps.is_some();
        if let Some((tsval, _)) = o.timestamps {
            self.ts_recent = tsval;
        }
        // RFC 9293 §3.7.1: effective MSS = min(peer's MSS, ours) minus option bytes.
        let options = if self.ts_ok { 12 } else { 0 };
        self.smss = peer_mss.min(usize::from(self.announced_mss)) - options;
        self.rebuild_cc(self.cfg.initial_window);
        // RFC 3168 §6.1.1: ECN if both ends offer it.
        self.ecn.negotiate(self.cfg.ecn, syn);
    }
}

/// The MSS we announce: the configured one, else the interface MTU minus 40
/// bytes of IPv4 and TCP headers (RFC 9293 §3.7.1, RFC 879).
pub(super) fn announced_mss(cfg: &TcpConfig, mtu: u32) -> u16 {
    cfg.mss
        .unwrap_or(mtu.saturating_sub(40).min(u32::from(u16::MAX)) as u16)
}

/// The timestamp clock (RFC 7323 §5.4): one tick per millisecond of simulated time.
pub(super) fn ts_now(now: SimTime) -> u32 {
    (now.as_nanos() / 1_000_000) as u32
}

/// The smallest window-scale shift that lets `buffer` be advertised (RFC 7323 §2.3, at most 14).
fn window_shift(buffer: usize) -> u8 {
    let mut shift = 0;
    while shift < 14 && (buffer >> shift) > usize::from(u16::MAX) {
        shift += 1;
    }
    shift
}
