//! SEGMENT ARRIVES (RFC 9293 §3.10.7) for a [`Tcb`]: the SYN-SENT rules
//! (§3.10.7.3) and the eight checks of every later state (§3.10.7.4), with
//! RFC 5961's challenge ACKs and acknowledgment range and RFC 7323's
//! TS.Recent. What an acknowledgment means for loss recovery and the
//! congestion window is `recovery.rs`'s, ECN marks `ecn.rs`'s. Each rule
//! carries its RFC section.

use std::ops::ControlFlow;

use bytes::Bytes;
use sim_core::{SimDuration, SimTime};

use super::connection::{AppSignal, Outgoing, SendCause, Tcb, ts_now};
use super::recovery::Advance;
use super::recv::RecvBuffer;
use super::rtt::{RttConfig, RttEstimator};
use super::state::State;
use super::timers::Timer;
use super::trace::TcpTrace;
use crate::wire::{TcpRepr, TcpSeq};

/// The RTO for data after a SYN (or SYN,ACK) timed out (RFC 6298 §5.7).
const SYN_TIMEOUT_RTO: SimDuration = SimDuration::from_secs(3);

impl Tcb {
    /// SEGMENT ARRIVES (RFC 9293 §3.10.7) for this connection, in an IP
    /// packet without a CE mark.
    pub fn on_segment(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        payload: Bytes,
        out: &mut Vec<Outgoing>,
    ) {
        self.on_segment_ecn(now, seg, payload, false, out);
    }

    /// SEGMENT ARRIVES, with the ECN field of the IP header that carried the
    /// segment: `ce` when it is CE, "congestion experienced" (RFC 3168 §5).
    pub fn on_segment_ecn(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        payload: Bytes,
        ce: bool,
        out: &mut Vec<Outgoing>,
    ) {
        if let Some(ka) = self.cfg.keepalive {
            if self.state.is_synchronized() {
                self.timers.restart_keepalive(now + ka.idle);
            }
        }
        match self.state {
            State::Closed | State::Listen => {}
            State::SynSent => self.on_segment_syn_sent(now, seg, out),
            _ => self.on_segment_synchronized(now, seg, payload, ce, out),
        }
        // Whatever the segment made possible or due: data, the FIN, an ACK.
        self.output(now, out);
        self.take_cc_events();
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
                self.notes.push(TcpTrace::Aborted("connection refused"));
                self.set_state(State::Closed, "rcv RST (connection refused)");
                self.clear_timers();
                self.signals.push(AppSignal::Closed { error: true });
            }
            return;
        }
        // Fourth: SYN. Fifth: neither SYN nor RST: drop.
        if !seg.flags.syn {
            return;
        }
        self.take_syn_options(seg);
        self.irs = seg.seq;
        self.recv = RecvBuffer::new(seg.seq + 1, self.cfg.recv_buffer);
        self.rcv_adv = seg.seq + 1;
        // SYN windows are never scaled (RFC 7323 §2.2).
        self.snd_wnd = usize::from(seg.window);
        self.max_snd_wnd = self.snd_wnd;
        self.snd_wl1 = seg.seq;
        if let Some(ack) = seg.ack {
            // Our SYN is acknowledged: ESTABLISHED, and ACK the peer's SYN
            // (Figure 7 line 4). Data in a SYN,ACK is not kept (simplification):
            // the peer retransmits it.
            self.snd_wl2 = ack;
            self.establish(now, "rcv SYN,ACK");
            self.ack_advances(now, ack, seg);
            // A rate-based controller learns the first RTT (nothing delivered yet).
            self.deliver_to_cc(now, Default::default());
            self.ack_now = true;
        } else {
            // Simultaneous open (RFC 9293 Figure 8): SYN-RECEIVED, send SYN,ACK.
            // It repeats our SYN's sequence number: the peer's ACK of it
            // cannot be timed (Karn).
            self.snd_wl2 = self.iss;
            self.set_state(State::SynReceived, "rcv SYN (simultaneous open)");
            self.rtt_probe = None;
            self.send_syn(now, true, SendCause::SynAck, out);
        }
    }

    /// The handshake completed: ESTABLISHED. If the SYN or SYN,ACK had to be
    /// retransmitted, the initial window is one segment (RFC 5681 §3.1) and
    /// an RTO below 3 s is re-initialized to 3 s (RFC 6298 §5.7).
    fn establish(&mut self, now: SimTime, cause: &'static str) {
        if self.retries > 0 {
            self.rebuild_cc(1);
            if self.rtt.rto() < SYN_TIMEOUT_RTO {
                self.rtt = RttEstimator::new(RttConfig {
                    initial_rto: SYN_TIMEOUT_RTO,
                    ..self.cfg.rtt
                });
            }
        }
        self.set_state(State::Established, cause);
        self.signals.push(AppSignal::Connected);
        self.arm_keepalive(now);
    }

    /// RFC 9293 §3.10.7.4: every state from SYN-RECEIVED on.
    fn on_segment_synchronized(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        payload: Bytes,
        ce: bool,
        out: &mut Vec<Outgoing>,
    ) {
        if self.state == State::SynReceived && seg.flags.syn && seg.seq == self.irs {
            return self.on_repeated_syn(now, seg, out);
        }
        let seg_len = seg.segment_len(payload.len());
        // With a zero receive window, "special allowance should be made to
        // accept valid ACKs, URGs, and RSTs": a segment at RCV.NXT (typically
        // the peer's window probe) still has its ACK field processed.
        let probe_of_zero_window = self.receive_window() == 0 && seg.seq == self.recv.rcv_nxt();
        if self
            .check_up_to_ack(now, seg, payload.len(), probe_of_zero_window, ce, out)
            .is_break()
        {
            return;
        }
        if probe_of_zero_window && !self.acceptable(seg.seq, seg_len) {
            // The text and FIN of a segment beyond a zero window are not
            // kept; the ACK says so.
            self.ack_now = true;
            return;
        }
        let payload_len = payload.len();
        self.segment_text(now, seg, payload);
        self.fin_bit(now, seg, payload_len);
    }

    /// The first five steps of §3.10.7.4, each of which may drop the segment.
    fn check_up_to_ack(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        payload_len: usize,
        probe_of_zero_window: bool,
        ce: bool,
        out: &mut Vec<Outgoing>,
    ) -> ControlFlow<()> {
        let seg_len = seg.segment_len(payload_len);
        self.check_sequence(now, seg, seg_len, probe_of_zero_window)?;
        self.check_rst(now, seg, out)?;
        self.check_syn(now, seg, out)?;
        // An acceptable segment: its CE mark and CWR bit (RFC 3168 §6.1.3).
        self.ecn_on_receive(seg, ce);
        self.check_ack(now, seg, payload_len, out)
    }

    /// SYN-RECEIVED gets the peer's SYN again: a simultaneous open's SYN,ACK,
    /// or a retransmitted SYN because our SYN,ACK was lost.
    fn on_repeated_syn(&mut self, now: SimTime, seg: &TcpRepr, out: &mut Vec<Outgoing>) {
        match seg.ack {
            // Simultaneous open, RFC 9293 Figure 8 line 6: a SYN,ACK that
            // repeats the peer's SYN and acknowledges ours completes the
            // handshake (Linux makes the same exception to RFC 5961 §4).
            Some(ack) => {
                if ack.gt(self.snd_una) && ack.le(self.snd_max) {
                    self.establish(now, "rcv SYN,ACK (simultaneous open)");
                    self.ack_advances(now, ack, seg);
                    self.update_window(seg, ack);
                }
            }
            // The peer's SYN again: our SYN,ACK was lost. Repeat it at once
            // (as Linux does) rather than the bare ACK of the first check,
            // which SYN-SENT would drop. Karn: no RTT sample from it.
            None => {
                self.rtt_probe = None;
                self.send_syn(now, true, SendCause::SynAck, out);
            }
        }
    }

    /// First: sequence number acceptability (the four cases of §3.10.7.4).
    fn check_sequence(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        seg_len: usize,
        probe_of_zero_window: bool,
    ) -> ControlFlow<()> {
        if self.acceptable(seg.seq, seg_len) || probe_of_zero_window {
            return ControlFlow::Continue(());
        }
        if !seg.flags.rst {
            // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>, and drop. A retransmitted
            // FIN in TIME-WAIT also restarts the 2 MSL timeout (eighth step).
            if self.state == State::TimeWait && seg.flags.fin {
                self.timers
                    .arm(Timer::TimeWait, now + self.cfg.msl.saturating_mul(2));
            }
            self.ack_now = true;
        }
        ControlFlow::Break(())
    }

    /// Second: RST (RFC 5961 §3.2 as adopted by RFC 9293).
    fn check_rst(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        out: &mut Vec<Outgoing>,
    ) -> ControlFlow<()> {
        if !seg.flags.rst {
            return ControlFlow::Continue(());
        }
        if self.state == State::TimeWait {
            // RFC 9293 §3.10.7.4: CLOSED (Linux's default too; RFC 1337 would
            // ignore it). The connection had completed: not an error.
            self.set_state(State::Closed, "rcv RST in TIME-WAIT");
            self.clear_timers();
            self.signals.push(AppSignal::Closed { error: false });
            return ControlFlow::Break(());
        }
        if seg.seq != self.recv.rcv_nxt() {
            self.send_ack(now, SendCause::ChallengeAck, out);
            return ControlFlow::Break(());
        }
        let why = match self.state {
            State::SynReceived if self.passive => {
                self.set_state(State::Listen, "rcv RST (back to LISTEN)");
                self.clear_timers();
                return ControlFlow::Break(());
            }
            State::SynReceived => {
                self.notes.push(TcpTrace::Aborted("connection refused"));
                "rcv RST (connection refused)"
            }
            State::Closing | State::LastAck | State::TimeWait => "rcv RST",
            _ => {
                self.notes
                    .push(TcpTrace::Aborted("connection reset by peer"));
                "rcv RST (connection reset)"
            }
        };
        self.set_state(State::Closed, why);
        self.clear_timers();
        self.signals.push(AppSignal::Closed { error: true });
        ControlFlow::Break(())
    }

    /// Fourth: SYN.
    fn check_syn(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        out: &mut Vec<Outgoing>,
    ) -> ControlFlow<()> {
        if !seg.flags.syn {
            return ControlFlow::Continue(());
        }
        if self.state == State::SynReceived && self.passive {
            // RFC 9293: a passive SYN-RECEIVED connection returns to LISTEN.
            self.set_state(State::Listen, "rcv SYN (back to LISTEN)");
            self.clear_timers();
        } else {
            // Synchronized states: challenge ACK (RFC 5961 §4.2).
            self.send_ack(now, SendCause::ChallengeAck, out);
        }
        ControlFlow::Break(())
    }

    /// Fifth: the ACK field. Without it, drop.
    fn check_ack(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        payload_len: usize,
        out: &mut Vec<Outgoing>,
    ) -> ControlFlow<()> {
        let Some(ack) = seg.ack else {
            return ControlFlow::Break(());
        };
        if self.state == State::SynReceived {
            if ack.gt(self.snd_una) && ack.le(self.snd_max) {
                self.establish(now, "rcv ACK of SYN");
            } else {
                self.push_rst(ack, out);
                return ControlFlow::Break(());
            }
        }
        if self.timestamps_in(seg) {
            // RFC 7323 §4.3: TS.Recent = SEG.TSval if SEG.TSval >= TS.Recent
            // and SEG.SEQ =< Last.ACK.sent.
            if let Some((tsval, _)) = seg.options.timestamps {
                if tsval.wrapping_sub(self.ts_recent) as i32 >= 0 && seg.seq.le(self.last_ack_sent)
                {
                    self.ts_recent = tsval;
                }
            }
        }
        if ack.gt(self.snd_top()) {
            // Acknowledges something not yet sent: ACK and drop.
            self.ack_now = true;
            return ControlFlow::Break(());
        }
        if ack.lt(self.snd_una - self.max_snd_wnd) {
            // RFC 5961 §5 (RFC 9293 §3.10.7.4 fifth): acceptable acknowledgments
            // lie in [SND.UNA - MAX.SND.WND, SND.NXT]; others are dropped with an ACK.
            self.ack_now = true;
            return ControlFlow::Break(());
        }
        if ack.gt(self.snd_una) {
            let advance = self.ack_advances(now, ack, seg);
            self.on_ack(now, seg, payload_len, Some(advance));
        } else if ack == self.snd_una {
            self.on_ack(now, seg, payload_len, None);
        }
        // "If SND.UNA =< SEG.ACK =< SND.NXT, the send window should be updated";
        // an older acknowledgment is ignored.
        if ack.ge(self.snd_una) {
            self.update_window(seg, ack);
        }
        self.after_ack_state_changes(now);
        if self.state == State::Closed {
            return ControlFlow::Break(());
        }
        ControlFlow::Continue(())
    }

    /// Seventh: segment text.
    fn segment_text(&mut self, now: SimTime, seg: &TcpRepr, payload: Bytes) {
        let payload_len = payload.len();
        if payload_len > 0 && self.state.can_receive() {
            let had_gap = self.recv.has_gap();
            let full = payload_len >= self.smss;
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
    }

    /// Eighth: FIN (not processed in CLOSED, LISTEN or SYN-SENT, which never
    /// get here), then the state changes a FIN brings.
    fn fin_bit(&mut self, now: SimTime, seg: &TcpRepr, payload_len: usize) {
        if seg.flags.fin {
            let fin = seg.seq + payload_len;
            if !self.fin_received {
                self.rcv_fin = Some(fin);
            }
            if fin.gt(self.recv.rcv_nxt()) {
                // Out of order: a duplicate ACK at once, as for data (RFC 5681 §4.2).
                self.ack_now = true;
            }
        }
        self.process_fin(now);
    }

    /// RCV.WND: the window we advertised, from RCV.NXT to its right edge.
    pub(super) fn receive_window(&self) -> usize {
        (self.rcv_adv - self.recv.rcv_nxt()).max(0) as usize
    }

    /// RFC 9293 §3.10.7.4, first check: is the segment inside the receive window?
    fn acceptable(&self, seq: TcpSeq, seg_len: usize) -> bool {
        let rcv_nxt = self.recv.rcv_nxt();
        let wnd = self.receive_window();
        let in_window = |s: TcpSeq| s.ge(rcv_nxt) && s.lt(rcv_nxt + wnd);
        match (seg_len, wnd) {
            (0, 0) => seq == rcv_nxt,
            (0, _) => in_window(seq),
            (_, 0) => false,
            (n, _) => in_window(seq) || in_window(seq + (n - 1)),
        }
    }

    /// The highest sequence number an acknowledgment may carry: SND.NXT, or
    /// one past an outstanding zero-window probe.
    pub(super) fn snd_top(&self) -> TcpSeq {
        match self.snd_probe {
            Some(p) if p.gt(self.snd_max) => p,
            _ => self.snd_max,
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
        self.timers.cancel(Timer::Retransmission);
        self.timers.cancel(Timer::Persist);
        self.timers.cancel(Timer::Keepalive);
        self.timers
            .arm(Timer::TimeWait, now + self.cfg.msl.saturating_mul(2));
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

    /// New data acknowledged: RFC 9293 §3.10.7.4 (SND.UNA < SEG.ACK =< SND.NXT):
    /// the send buffer, SND.UNA, the RTT sample and the timers. What it
    /// means for recovery and the window is [`Tcb::on_ack`]'s.
    fn ack_advances(&mut self, now: SimTime, ack: TcpSeq, seg: &TcpRepr) -> Advance {
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
        if self.snd_max.lt(ack) {
            // The acknowledgment of a zero-window probe's byte.
            self.snd_max = ack;
        }
        if self.snd_probe.is_some_and(|p| p.le(ack)) {
            self.snd_probe = None;
        }
        // RTT: timestamps (RFC 7323 §4) or one timed segment at a time (Karn).
        let sample = match seg.options.timestamps {
            Some((_, tsecr)) if self.ts_ok && tsecr != 0 => Some(SimDuration::from_millis(
                u64::from(ts_now(now).wrapping_sub(tsecr)),
            )),
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
        self.timers.reset_persist_backoff();
        // RFC 6298 §5.2/5.3: stop the timer when all is acknowledged, else restart it.
        if self.snd_una == self.snd_max {
            self.timers.cancel(Timer::Retransmission);
        } else {
            self.timers.arm(Timer::Retransmission, now + self.rtt.rto());
        }
        Advance {
            acked,
            data_acked,
            sample,
            flight_before,
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
