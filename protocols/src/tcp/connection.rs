//! One TCP connection (a TCB): the RFC 9293 state machine, sans-IO.
//!
//! Implements RFC 9293 §3.10 event processing (OPEN, SEND, RECEIVE, CLOSE,
//! ABORT, SEGMENT ARRIVES, timeouts) with RFC 5961 challenge ACKs (as RFC
//! 9293 §3.10.7.4 recommends), RFC 7323 window scaling and timestamps,
//! RFC 2018 SACK blocks on the receiving side, RFC 6298 retransmission timing,
//! RFC 5681 / RFC 6582 fast retransmit and NewReno recovery, RFC 1122 delayed
//! ACKs and keepalive, and RFC 9293 §3.8.6 silly-window avoidance.
//!
//! The caller feeds segments and timer expiries with the current time and
//! receives segments to send ([`Outgoing`]) and notes for the trace
//! ([`TcpNote`]); [`Tcb::poll_at`] says when to come back. The sending half
//! (output, retransmission, timers) lives in [`super::output`].
//!
//! Simplifications: no urgent data, no IP options, no path-MTU discovery;
//! sender-side SACK recovery is the congestion-control issue's work (the
//! receiver already generates SACK blocks).

use std::net::Ipv4Addr;

use bytes::Bytes;
use sim_core::{SimDuration, SimTime};

use super::config::TcpConfig;
use super::congestion::{CongestionControl, NewReno};
use super::recv::RecvBuffer;
use super::rtt::RttEstimator;
use super::send::SendBuffer;
use super::state::State;
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

/// Something the trace should show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TcpNote {
    /// The state changed.
    State {
        /// Old state.
        from: State,
        /// New state.
        to: State,
        /// What caused it, in RFC words (`rcv SYN,ACK`, `CLOSE`, `2MSL timeout`).
        cause: &'static str,
    },
    /// The retransmission timer expired.
    Timeout {
        /// The RTO that just expired.
        rto: SimDuration,
        /// Expiries in a row, from 1.
        count: u32,
    },
    /// Fast retransmit / recovery began (duplicate ACKs reached the threshold).
    RecoveryStart,
    /// Recovery ended with a full acknowledgment.
    RecoveryEnd,
    /// The connection was dropped (retransmission limit, keepalive, reset).
    Aborted(&'static str),
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
    pub(super) dupacks: u32,
    /// NewReno: recovery ends when this is acknowledged (RFC 6582 `recover`).
    pub(super) recover: Option<TcpSeq>,
    /// Window inflation during fast recovery (RFC 5681 §3.2 steps 3 and 4).
    pub(super) inflation: usize,
    /// A partial ACK during recovery asks for the next hole to be resent (RFC 6582 §3.2 step 5).
    pub(super) retransmit_head: bool,
    pub(super) retries: u32,

    // Timers (deadlines).
    pub(super) rto_at: Option<SimTime>,
    pub(super) delack_at: Option<SimTime>,
    pub(super) persist_at: Option<SimTime>,
    pub(super) persist_backoff: u32,
    pub(super) keepalive_at: Option<SimTime>,
    pub(super) keepalive_sent: u32,
    pub(super) timewait_at: Option<SimTime>,
    /// Full-sized segments received since the last ACK we sent.
    pub(super) unacked_segments: u32,
    pub(super) ack_now: bool,

    /// Notes for the trace, drained by the caller.
    pub notes: Vec<TcpNote>,
    /// Signals for the application, drained by the caller.
    pub signals: Vec<AppSignal>,
}

impl Tcb {
    fn blank(cfg: TcpConfig, local: Endpoint, remote: Endpoint, iss: TcpSeq, mtu: u32, passive: bool) -> Tcb {
        let announced_mss = cfg.mss.unwrap_or((mtu.saturating_sub(40)).min(u32::from(u16::MAX)) as u16);
        let rcv_wscale = if cfg.window_scaling { window_shift(cfg.recv_buffer) } else { 0 };
        let mss = usize::from(announced_mss);
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
            cc: Box::new(NewReno::new(mss, cfg.initial_window)),
            dupacks: 0,
            recover: None,
            inflation: 0,
            retransmit_head: false,
            retries: 0,
            rto_at: None,
            delack_at: None,
            persist_at: None,
            persist_backoff: 0,
            keepalive_at: None,
            keepalive_sent: 0,
            timewait_at: None,
            unacked_segments: 0,
            ack_now: false,
            notes: Vec::new(),
            signals: Vec::new(),
            cfg,
        }
    }

    /// Active OPEN (RFC 9293 §3.10.1): sends a SYN and enters SYN-SENT.
    /// `mtu` is the egress interface's MTU (the MSS announced is MTU − 40).
    pub fn connect(now: SimTime, cfg: TcpConfig, local: Endpoint, remote: Endpoint, iss: TcpSeq, mtu: u32, out: &mut Vec<Outgoing>) -> Tcb {
        let mut t = Tcb::blank(cfg, local, remote, iss, mtu, false);
        t.set_state(State::SynSent, "OPEN (active)");
        t.send_syn(now, false, out);
        t
    }

    /// A SYN arrived at a listener (RFC 9293 §3.10.7.2, LISTEN, third check):
    /// the new connection answers with SYN-ACK and enters SYN-RECEIVED.
    pub fn accept(now: SimTime, cfg: TcpConfig, local: Endpoint, remote: Endpoint, iss: TcpSeq, mtu: u32, syn: &TcpRepr, out: &mut Vec<Outgoing>) -> Tcb {
        let mut t = Tcb::blank(cfg, local, remote, iss, mtu, true);
        t.state = State::Listen;
        t.take_syn_options(syn);
        t.irs = syn.seq;
        t.recv = RecvBuffer::new(syn.seq + 1, t.cfg.recv_buffer);
        t.rcv_adv = syn.seq + 1;
        t.snd_wnd = usize::from(syn.window); // never scaled in a SYN (RFC 7323 §2.2)
        t.max_snd_wnd = t.snd_wnd;
        t.snd_wl1 = syn.seq;
        t.set_state(State::SynReceived, "rcv SYN");
        t.send_syn(now, true, out);
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

    /// Congestion window in bytes (including recovery inflation).
    pub fn cwnd(&self) -> usize {
        self.cc.window() + self.inflation
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
                self.signals.push(AppSignal::Closed { error: false });
            }
            State::SynReceived | State::Established | State::CloseWait => {
                if !self.fin_queued {
                    self.fin_queued = true;
                    self.output(now, out);
                }
            }
            _ => {}
        }
    }

    /// ABORT (RFC 9293 §3.10.5): sends a reset in synchronized states and closes.
    pub fn abort(&mut self, out: &mut Vec<Outgoing>) {
        if self.state.is_synchronized() || self.state == State::SynReceived {
            let mut rst = self.header(self.snd_nxt);
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
            self.notes.push(TcpNote::Aborted(why));
            self.set_state(State::Closed, why);
            self.signals.push(AppSignal::Closed { error: true });
        }
        self.clear_timers();
    }

    pub(super) fn clear_timers(&mut self) {
        self.rto_at = None;
        self.delack_at = None;
        self.persist_at = None;
        self.keepalive_at = None;
        self.timewait_at = None;
    }

    /// The single place where the state changes, so that every change is traced.
    pub(super) fn set_state(&mut self, to: State, cause: &'static str) {
        if self.state != to {
            self.notes.push(TcpNote::State {
                from: self.state,
                to,
                cause,
            });
            self.state = to;
        }
    }

    /// Records the options of the peer's SYN (RFC 7323 §2.2, RFC 2018 §2, RFC 9293 §3.7.1).
    fn take_syn_options(&mut self, syn: &TcpRepr) {
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
        self.cc = Box::new(NewReno::new(self.smss, self.cfg.initial_window));
    }

    /// SEGMENT ARRIVES (RFC 9293 §3.10.7) for this connection.
    pub fn on_segment(&mut self, now: SimTime, seg: &TcpRepr, payload: Bytes, out: &mut Vec<Outgoing>) {
        if let Some(ka) = self.cfg.keepalive {
            if self.state.is_synchronized() {
                self.keepalive_at = Some(now + ka.idle);
                self.keepalive_sent = 0;
            }
        }
        match self.state {
            State::Closed | State::Listen => {}
            State::SynSent => self.on_segment_syn_sent(now, seg, out),
            _ => self.on_segment_synchronized(now, seg, payload, out),
        }
        self.output(now, out);
        if self.ack_now {
            self.send_ack(now, SendCause::PureAck, out);
        }
    }

    /// RFC 9293 §3.10.7.3: SYN-SENT.
    fn on_segment_syn_sent(&mut self, now: SimTime, seg: &TcpRepr, out: &mut Vec<Outgoing>) {
        // First: the ACK bit.
        if let Some(ack) = seg.ack {
            if ack.le(self.iss) || ack.gt(self.snd_max) {
                // Unacceptable ACK: <SEQ=SEG.ACK><CTL=RST> unless it is itself a reset.
                if !seg.flags.rst {
                    self.push_rst(ack, out);
                }
                return;
            }
        }
        // Second: RST. Acceptable only with an acceptable ACK.
        if seg.flags.rst {
            if seg.ack.is_some() {
                self.notes.push(TcpNote::Aborted("connection refused"));
                self.set_state(State::Closed, "rcv RST (connection refused)");
                self.clear_timers();
                self.signals.push(AppSignal::Closed { error: true });
            }
            return;
        }
        // Fourth: SYN.
        if !seg.flags.syn {
            return;
        }
        self.take_syn_options(seg);
        self.irs = seg.seq;
        self.recv = RecvBuffer::new(seg.seq + 1, self.cfg.recv_buffer);
        self.rcv_adv = seg.seq + 1;
        if let Some(ack) = seg.ack {
            // Our SYN is acknowledged: ESTABLISHED, and ACK the peer's SYN.
            self.ack_advances(now, ack, seg);
            self.snd_wnd = usize::from(seg.window); // SYN windows are never scaled (RFC 7323 §2.2)
            self.max_snd_wnd = self.snd_wnd;
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = ack;
            self.set_state(State::Established, "rcv SYN,ACK");
            self.signals.push(AppSignal::Connected);
            self.arm_keepalive(now);
            self.ack_now = true;
        } else {
            // Simultaneous open (RFC 9293 Figure 8): SYN-RECEIVED, send SYN,ACK.
            self.snd_wnd = usize::from(seg.window);
            self.max_snd_wnd = self.snd_wnd;
            self.snd_wl1 = seg.seq;
            self.set_state(State::SynReceived, "rcv SYN (simultaneous open)");
            self.snd_nxt = self.iss;
            self.send_syn(now, true, out);
        }
    }

    /// RFC 9293 §3.10.7.4: every state from SYN-RECEIVED on.
    fn on_segment_synchronized(&mut self, now: SimTime, seg: &TcpRepr, payload: Bytes, out: &mut Vec<Outgoing>) {
        let seg_len = seg.segment_len(payload.len());
        // Simultaneous open, RFC 9293 Figure 8 line 6-7: a SYN,ACK in SYN-RECEIVED that
        // repeats the peer's SYN and acknowledges ours completes the handshake.
        if self.state == State::SynReceived && seg.flags.syn && seg.seq == self.irs {
            if let Some(ack) = seg.ack.filter(|a| a.gt(self.snd_una) && a.le(self.snd_max)) {
                self.ack_advances(now, ack, seg);
                self.update_window(seg, ack);
                self.set_state(State::Established, "rcv SYN,ACK (simultaneous open)");
                self.signals.push(AppSignal::Connected);
                self.arm_keepalive(now);
            }
            return;
        }
        // First: sequence number acceptability (four cases of §3.10.7.4).
        if !self.acceptable(seg.seq, seg_len) {
            if !seg.flags.rst {
                // RFC 9293: send <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK> and drop. In
                // TIME-WAIT this also acknowledges a retransmitted FIN.
                if self.state == State::TimeWait && seg.flags.fin {
                    self.timewait_at = Some(now + self.cfg.msl.saturating_mul(2));
                }
                self.ack_now = true;
            }
            return;
        }
        // Second: RST (RFC 5961 §3.2 as adopted by RFC 9293).
        if seg.flags.rst {
            if seg.seq != self.recv.rcv_nxt() {
                self.send_ack(now, SendCause::ChallengeAck, out);
                return;
            }
            if self.state == State::SynReceived && self.passive {
                self.set_state(State::Listen, "rcv RST (back to LISTEN)");
                self.clear_timers();
                return;
            }
            let why = match self.state {
                State::Closing | State::LastAck | State::TimeWait => "rcv RST",
                _ => "rcv RST (connection reset)",
            };
            self.notes.push(TcpNote::Aborted("connection reset by peer"));
            self.set_state(State::Closed, why);
            self.clear_timers();
            self.signals.push(AppSignal::Closed { error: true });
            return;
        }
        // Fourth: SYN in a synchronized state → challenge ACK (RFC 5961 §4).
        if seg.flags.syn {
            self.send_ack(now, SendCause::ChallengeAck, out);
            return;
        }
        // Fifth: the ACK field.
        let Some(ack) = seg.ack else {
            return;
        };
        if self.state == State::SynReceived {
            if ack.gt(self.snd_una) && ack.le(self.snd_max) {
                self.update_window(seg, ack);
                self.set_state(State::Established, "rcv ACK of SYN");
                self.signals.push(AppSignal::Connected);
                self.arm_keepalive(now);
            } else {
                self.push_rst(ack, out);
                return;
            }
        }
        if self.timestamps_in(seg) {
            // RFC 7323 §4.3: remember TSval if the segment covers Last.ACK.sent.
            if let Some((tsval, _)) = seg.options.timestamps {
                if seg.seq.le(self.last_ack_sent) {
                    self.ts_recent = tsval;
                }
            }
        }
        if ack.gt(self.snd_max) {
            // Acknowledges something not yet sent: ACK and drop.
            self.ack_now = true;
            return;
        }
        if ack.gt(self.snd_una) {
            self.ack_advances(now, ack, seg);
        } else if ack == self.snd_una {
            self.maybe_duplicate_ack(now, seg, payload.len(), out);
        }
        self.update_window(seg, ack);
        self.after_ack_state_changes(now);
        if self.state == State::Closed {
            return;
        }
        // Seventh: segment text.
        if !payload.is_empty() && self.state.can_receive() {
            let had_gap = self.recv.has_gap();
            let full = payload.len() >= self.smss;
            let accepted = self.recv.insert(seg.seq, payload);
            if accepted.in_order > 0 {
                self.signals.push(AppSignal::Readable);
            }
            if accepted.out_of_order || accepted.duplicate || had_gap {
                // RFC 5681 §4.2: ACK out-of-order data and gap fills at once.
                self.ack_now = true;
            } else if accepted.in_order > 0 {
                self.schedule_ack(now, full);
            }
        }
        // Eighth: FIN.
        if seg.flags.fin {
            self.rcv_fin = Some(seg.seq + payload_len_before_fin(seg, seg_len));
        }
        self.process_fin(now);
    }

    /// RFC 9293 §3.10.7.4, first check: is the segment inside the receive window?
    fn acceptable(&self, seq: TcpSeq, seg_len: usize) -> bool {
        let rcv_nxt = self.recv.rcv_nxt();
        let wnd = (self.rcv_adv - rcv_nxt).max(0) as usize;
        let in_window = |s: TcpSeq| s.ge(rcv_nxt) && s.lt(rcv_nxt + wnd);
        match (seg_len, wnd) {
            (0, 0) => seq == rcv_nxt,
            (0, _) => in_window(seq),
            (_, 0) => false,
            (n, _) => in_window(seq) || in_window(seq + (n - 1)),
        }
    }

    fn timestamps_in(&self, seg: &TcpRepr) -> bool {
        self.ts_ok && seg.options.timestamps.is_some()
    }

    /// The peer's FIN is processed once every byte before it has arrived.
    fn process_fin(&mut self, now: SimTime) {
        let Some(fin) = self.rcv_fin else { return };
        if self.fin_received || self.recv.rcv_nxt() != fin {
            return;
        }
        self.fin_received = true;
        self.recv.advance_for_fin();
        self.ack_now = true;
        self.signals.push(AppSignal::PeerClosed);
        match self.state {
            State::SynReceived | State::Established => self.set_state(State::CloseWait, "rcv FIN"),
            State::FinWait1 => {
                if self.fin_acked() {
                    self.enter_time_wait(now, "rcv FIN");
                } else {
                    self.set_state(State::Closing, "rcv FIN (simultaneous close)");
                }
            }
            State::FinWait2 => self.enter_time_wait(now, "rcv FIN"),
            _ => {}
        }
    }

    pub(super) fn fin_acked(&self) -> bool {
        self.fin_seq.is_some_and(|f| self.snd_una.gt(f))
    }

    fn enter_time_wait(&mut self, now: SimTime, cause: &'static str) {
        self.set_state(State::TimeWait, cause);
        self.rto_at = None;
        self.persist_at = None;
        self.keepalive_at = None;
        self.timewait_at = Some(now + self.cfg.msl.saturating_mul(2));
    }

    /// State changes that an acknowledgment of our FIN causes (RFC 9293 §3.10.7.4, fifth check).
    fn after_ack_state_changes(&mut self, now: SimTime) {
        if !self.fin_acked() {
            return;
        }
        match self.state {
            State::FinWait1 => self.set_state(State::FinWait2, "rcv ACK of FIN"),
            State::Closing => self.enter_time_wait(now, "rcv ACK of FIN"),
            State::LastAck => {
                self.set_state(State::Closed, "rcv ACK of FIN");
                self.clear_timers();
                self.signals.push(AppSignal::Closed { error: false });
            }
            _ => {}
        }
    }

    /// New data acknowledged: RFC 9293 §3.10.7.4 (SND.UNA < SEG.ACK =< SND.NXT).
    fn ack_advances(&mut self, now: SimTime, ack: TcpSeq, seg: &TcpRepr) {
        let acked = (ack - self.snd_una) as usize;
        let flight_before = self.bytes_in_flight();
        // Bytes of the send buffer now acknowledged (SYN and FIN occupy no buffer).
        let data_acked = ((ack - self.buf_seq).max(0) as usize).min(self.send.len());
        self.send.consume(data_acked);
        self.buf_seq += data_acked;
        if data_acked > 0 {
            self.signals.push(AppSignal::Writable);
        }
        self.snd_una = ack;
        if self.snd_nxt.lt(ack) {
            self.snd_nxt = ack;
        }
        // RTT: timestamps (RFC 7323 §4) or one timed segment at a time (Karn).
        let sample = match seg.options.timestamps {
            Some((_, tsecr)) if self.ts_ok && tsecr != 0 => {
                Some(SimDuration::from_millis(u64::from(ts_now(now).wrapping_sub(tsecr))))
            }
            _ => match self.rtt_probe {
                Some((seq, sent)) if ack.ge(seq) => {
                    self.rtt_probe = None;
                    Some(now - sent)
                }
                _ => None,
            },
        };
        if let Some(r) = sample {
            self.rtt.sample(r);
        }
        self.retries = 0;
        self.persist_backoff = 0;
        // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, else restart it.
        self.rto_at = (self.snd_una != self.snd_max).then(|| now + self.rtt.rto());
        match self.recover {
            Some(recover) if ack.lt(recover) => {
                // RFC 6582 §3.2 step 5: partial ACK: retransmit the next hole,
                // deflate by the amount acked, add back one SMSS.
                self.inflation = self.inflation.saturating_sub(acked).saturating_add(self.smss);
                self.retransmit_head = true;
            }
            Some(_) => {
                self.recover = None;
                self.inflation = 0;
                self.cc.on_recovery_exit(now);
                self.notes.push(TcpNote::RecoveryEnd);
            }
            None => {
                if self.state.is_synchronized() {
                    self.cc.on_ack(now, acked, sample, flight_before);
                }
            }
        }
        self.dupacks = 0;
    }

    /// RFC 5681 §2 duplicate ACK: no data, no SYN/FIN, same window, data outstanding.
    fn maybe_duplicate_ack(&mut self, now: SimTime, seg: &TcpRepr, payload_len: usize, out: &mut Vec<Outgoing>) {
        let same_window = (usize::from(seg.window) << self.snd_wscale) == self.snd_wnd;
        if payload_len != 0 || seg.flags.syn || seg.flags.fin || !same_window || self.snd_una == self.snd_max {
            return;
        }
        self.dupacks += 1;
        if self.recover.is_some() {
            // RFC 5681 §3.2 step 4: each further duplicate inflates the window.
            self.inflation += self.smss;
        } else if self.dupacks == self.cfg.dupack_threshold {
            // RFC 5681 §3.2 steps 2-3 (RFC 6582 §3.2 step 2).
            self.notes.push(TcpNote::RecoveryStart);
            self.cc.on_congestion_event(now, self.bytes_in_flight());
            self.inflation = self.cfg.dupack_threshold as usize * self.smss;
            self.recover = Some(self.snd_max);
            self.retransmit(now, self.snd_una, SendCause::FastRetransmission, out);
        }
    }

    /// RFC 9293 §3.10.7.4: update the send window if the segment is newer.
    fn update_window(&mut self, seg: &TcpRepr, ack: TcpSeq) {
        if self.snd_wl1.lt(seg.seq) || (self.snd_wl1 == seg.seq && self.snd_wl2.le(ack)) {
            let scale = if seg.flags.syn { 0 } else { self.snd_wscale };
            self.snd_wnd = usize::from(seg.window) << scale;
            self.max_snd_wnd = self.max_snd_wnd.max(self.snd_wnd);
            self.snd_wl1 = seg.seq;
            self.snd_wl2 = ack;
        }
    }
}

/// Sequence length of the data in a FIN segment (the FIN itself comes after it).
fn payload_len_before_fin(seg: &TcpRepr, seg_len: usize) -> usize {
    seg_len - usize::from(seg.flags.syn) - 1
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
