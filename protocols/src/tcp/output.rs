//! The sending half of a connection: segmentation, Nagle and silly-window
//! avoidance, ACK policy, retransmission, restart after idle (RFC 5681
//! §4.1), and the timers (RFC 9293 §3.8, §3.10.8; RFC 6298; RFC 1122
//! §4.2.3; the pacing release time of `pacing.rs`). What loss recovery
//! sends is decided in `recovery.rs`.

use bytes::Bytes;
use sim_core::SimTime;

use super::connection::{AppSignal, EcnNote, Outgoing, SendCause, Tcb, ts_now};
use super::state::State;
use super::timers::Timer;
use super::trace::TcpTrace;
use crate::wire::{SackBlocks, TcpFlags, TcpOptions, TcpRepr, TcpSeq};

impl Tcb {
    /// A header from our end with the current ACK, window and options.
    pub(super) fn header(&mut self, seq: TcpSeq) -> TcpRepr {
        let ack = (self.state != State::SynSent).then(|| self.recv.rcv_nxt());
        let mut options = TcpOptions::default();
        if self.ts_ok {
            options.timestamps = Some((0, self.ts_recent));
        }
        if self.sack_ok && self.recv.has_gap() {
            let max = if self.ts_ok { 3 } else { 4 };
            let mut blocks = SackBlocks::new();
            for b in self.recv.sack_blocks(max) {
                let _ = blocks.push(b);
            }
            options.sack_blocks = blocks;
        }
        TcpRepr {
            src_port: self.local.port,
            dst_port: self.remote.port,
            seq,
            ack,
            flags: TcpFlags::NONE,
            window: self.advertise_window(),
            urgent: 0,
            options,
        }
    }

    /// The window field to send, with receiver-side silly-window avoidance
    /// (RFC 9293 §3.8.6.2.2): the right edge moves forward only by at least
    /// min(buffer/2, MSS), and never moves back. The right edge we remember
    /// (`rcv_adv`, which decides what is acceptable) is never beyond what the
    /// 16-bit field can say: 65535 << our shift (RFC 7323 §2.3).
    fn advertise_window(&mut self) -> u16 {
        let rcv_nxt = self.recv.rcv_nxt();
        let right = rcv_nxt + self.recv.window();
        let threshold = (self.recv.capacity() / 2).min(self.smss);
        if right - self.rcv_adv >= threshold as i32 || self.rcv_adv.lt(rcv_nxt) {
            self.rcv_adv = right;
        }
        let most = usize::from(u16::MAX) << self.rcv_wscale;
        if self.receive_window() > most {
            self.rcv_adv = rcv_nxt + most;
        }
        (self.receive_window() >> self.rcv_wscale) as u16
    }

    fn emit(
        &mut self,
        now: SimTime,
        mut repr: TcpRepr,
        payload: Bytes,
        cause: SendCause,
        out: &mut Vec<Outgoing>,
    ) {
        if let Some((_, echo)) = repr.options.timestamps {
            repr.options.timestamps = Some((ts_now(now), echo));
        }
        if let Some(ack) = repr.ack {
            self.last_ack_sent = ack;
            self.timers.cancel(Timer::DelayedAck);
            self.unacked_segments = 0;
            self.ack_now = false;
            // RFC 3168 §6.1.3: ECE on every ACK until the peer's CWR.
            repr.flags.ece |= self.ecn.echoing();
        }
        if !payload.is_empty() {
            self.last_data_sent = Some(now);
            self.on_data_sent(now, repr.seq, payload.len());
        }
        out.push(Outgoing {
            repr,
            payload,
            cause,
        });
    }

    /// Sends our SYN (active open) or SYN-ACK (passive or simultaneous open),
    /// with the options we offer (RFC 9293 §3.7.1, RFC 7323 §2.2, RFC 2018 §2).
    /// `cause` tells a first transmission (`Syn`, `SynAck`) from a timeout's.
    pub(super) fn send_syn(
        &mut self,
        now: SimTime,
        with_ack: bool,
        cause: SendCause,
        out: &mut Vec<Outgoing>,
    ) {
        let mut repr = self.header(self.iss);
        repr.flags.syn = true;
        // The window in a SYN is never scaled (RFC 7323 §2.2).
        let window = self.recv.window().min(usize::from(u16::MAX));
        repr.window = window as u16;
        // A SYN offers what we are configured for; a SYN-ACK confirms only what
        // the peer's SYN offered (RFC 7323 §2.2, RFC 2018 §2).
        let offer_ws = if with_ack {
            self.ws_ok
        } else {
            self.cfg.window_scaling
        };
        repr.options = TcpOptions {
            mss: Some(self.announced_mss),
            window_scale: offer_ws.then_some(self.rcv_wscale),
            sack_permitted: if with_ack {
                self.sack_ok
            } else {
                self.cfg.sack
            },
            sack_blocks: SackBlocks::new(),
            timestamps: if with_ack {
                self.ts_ok.then_some((ts_now(now), self.ts_recent))
            } else {
                self.cfg.timestamps.then_some((ts_now(now), 0))
            },
        };
        // RFC 3168 §6.1.1: an ECN-setup SYN or SYN-ACK.
        self.ecn.syn_flags(self.cfg.ecn, with_ack, &mut repr.flags);
        if with_ack {
            // What the peer may send until we advertise again.
            self.rcv_adv = self.recv.rcv_nxt() + window;
            self.last_ack_sent = self.recv.rcv_nxt();
        } else {
            repr.ack = None;
        }
        if self.snd_max == self.iss {
            // The first SYN (or SYN-ACK) is timed; a repeated one never is (Karn).
            self.rtt_probe = Some((self.iss + 1, now));
        }
        self.snd_nxt = self.iss + 1;
        self.snd_max = self.iss + 1;
        out.push(Outgoing {
            repr,
            payload: Bytes::new(),
            cause,
        });
        self.timers
            .arm_if_idle(Timer::Retransmission, now + self.rtt.rto());
    }

    /// A pure ACK, `<SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>`. The RFC's SND.NXT
    /// is our `snd_max`: our `snd_nxt` moves back to SND.UNA when the
    /// retransmission timer expires (go-back-N), while the peer may well
    /// have received everything up to `snd_max` and would find an older
    /// sequence number outside its window. (BSD does the same.)
    pub(super) fn send_ack(&mut self, now: SimTime, cause: SendCause, out: &mut Vec<Outgoing>) {
        if matches!(self.state, State::Closed | State::Listen | State::SynSent) {
            return;
        }
        let repr = self.header(self.snd_max);
        self.emit(now, repr, Bytes::new(), cause, out);
    }

    /// `<SEQ=seq><CTL=RST>`.
    pub(super) fn push_rst(&mut self, seq: TcpSeq, out: &mut Vec<Outgoing>) {
        out.push(Outgoing {
            repr: TcpRepr {
                src_port: self.local.port,
                dst_port: self.remote.port,
                seq,
                ack: None,
                flags: TcpFlags::RST,
                window: 0,
                urgent: 0,
                options: TcpOptions::default(),
            },
            payload: Bytes::new(),
            cause: SendCause::Reset,
        });
    }

    /// In-order data arrived: ACK every second full-sized segment at once,
    /// otherwise within the delayed-ACK time (RFC 5681 §4.2, RFC 1122 §4.2.3.2).
    pub(super) fn schedule_ack(&mut self, now: SimTime, full_sized: bool) {
        if !self.cfg.delayed_ack {
            self.ack_now = true;
            return;
        }
        if full_sized {
            self.unacked_segments += 1;
        }
        if self.unacked_segments >= 2 {
            self.ack_now = true;
        } else {
            self.timers
                .arm_if_idle(Timer::DelayedAck, now + self.cfg.delayed_ack_timeout);
        }
    }

    pub(super) fn arm_keepalive(&mut self, now: SimTime) {
        if let Some(ka) = self.cfg.keepalive {
            self.timers.restart_keepalive(now + ka.idle);
        }
    }

    /// Resends one segment starting at `seq`: at most `max_len` and one MSS
    /// of data, with the FIN if that is what follows. Returns the sequence
    /// space it covers (0: nothing was there to resend).
    pub(super) fn retransmit(
        &mut self,
        now: SimTime,
        seq: TcpSeq,
        max_len: usize,
        cause: SendCause,
        out: &mut Vec<Outgoing>,
    ) -> usize {
        let offset = (seq - self.buf_seq).max(0) as usize;
        let len = self
            .send
            .len()
            .saturating_sub(offset)
            .min(self.smss)
            .min(max_len);
        let fin = self.fin_seq.is_some_and(|f| seq + len == f);
        if len == 0 && !fin {
            return 0;
        }
        let mut repr = self.header(seq);
        repr.flags.fin = fin;
        repr.flags.psh = len > 0 && offset + len == self.send.len();
        let payload = self.send.slice(offset, len);
        // Karn's rule: a retransmitted segment gives no RTT sample.
        self.rtt_probe = None;
        self.emit(now, repr, payload, cause, out);
        self.timers
            .arm_if_idle(Timer::Retransmission, now + self.rtt.rto());
        len + usize::from(fin)
    }

    /// Sends what the windows, Nagle and silly-window avoidance allow (RFC 9293
    /// §3.7.4, §3.8.6.2.1), the FIN once all data is out, a window update when
    /// the receive window opened, and any ACK that is due.
    pub fn output(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        let sent_before = out.len();
        if matches!(
            self.state,
            State::Established
                | State::CloseWait
                | State::FinWait1
                | State::Closing
                | State::LastAck
        ) {
            self.transmit(now, out);
        }
        if self.ack_now {
            self.send_ack(now, SendCause::PureAck, out);
        } else if out.len() == sent_before && self.state.is_synchronized() && self.window_opened() {
            self.send_ack(now, SendCause::WindowUpdate, out);
        }
    }

    /// Whether reading made the advertised window worth announcing again: it
    /// was below one MSS and can now grow by the silly-window threshold.
    fn window_opened(&self) -> bool {
        let advertised = self.receive_window();
        let threshold = (self.recv.capacity() / 2).min(self.smss);
        advertised < self.smss && self.recv.window() >= advertised + threshold && !self.fin_received
    }

    /// Sends new data (or, after a timeout, data again from `snd_nxt`) and the
    /// FIN; returns the sequence space sent. With `force` (the persist timer's
    /// override of silly-window avoidance, RFC 9293 §3.8.6.2.1 (4)) the first
    /// segment goes out however small the window. `budget`, when given,
    /// replaces what the congestion window allows (recovery and limited
    /// transmit decide it); the receive window always applies.
    pub(super) fn send_data(
        &mut self,
        now: SimTime,
        mut force: bool,
        mut budget: Option<usize>,
        out: &mut Vec<Outgoing>,
    ) -> usize {
        self.restart_after_idle(now);
        let mut sent = 0;
        loop {
            let offset = (self.snd_nxt - self.buf_seq).max(0) as usize;
            let unsent = self.send.len().saturating_sub(offset);
            let fin_due = self.fin_queued && self.fin_seq.is_none_or(|f| self.snd_nxt.le(f));
            let flight = self.bytes_in_flight();
            let usable = match budget {
                Some(b) => self.snd_wnd.saturating_sub(flight).min(b),
                None => self.snd_wnd.min(self.cwnd()).saturating_sub(flight),
            };
            let len = unsent.min(usable).min(self.smss);
            // The FIN goes with the last byte, or alone once everything was sent.
            let fin = fin_due && offset + len == self.send.len();
            let new_data = self.snd_nxt.ge(self.snd_max);
            let hold = if len == 0 {
                !fin
            } else {
                len < self.smss
                    && new_data
                    && !force
                    && !self.may_send_small(len, unsent, flight, fin)
            };
            if hold {
                if unsent > 0 && flight == 0 {
                    // Nothing in flight will bring an ACK: the persist timer
                    // probes a zero window (RFC 9293 §3.8.6.1) or overrides
                    // silly-window avoidance (§3.8.6.2.1 (4)).
                    let interval = self.timers.persist_interval(self.rtt.rto());
                    self.timers.arm_if_idle(Timer::Persist, now + interval);
                }
                return sent;
            }
            if !force && self.pacing_holds(now) {
                return sent;
            }
            force = false;
            let seq = self.snd_nxt;
            let mut repr = self.header(seq);
            repr.flags.fin = fin;
            repr.flags.psh = len > 0 && offset + len == self.send.len();
            if new_data && len > 0 && self.ecn.take_cwr() {
                // RFC 3168 §6.1.2: CWR on the first new data after a reduction.
                repr.flags.cwr = true;
                self.notes.push(TcpTrace::Ecn(EcnNote::CwrSent));
            }
            let payload = self.send.slice(offset, len);
            let cause = if new_data {
                SendCause::NewData
            } else {
                self.loss.resend_cause()
            };
            if new_data && self.rtt_probe.is_none() && len > 0 {
                self.rtt_probe = Some((seq + len, now));
            }
            if new_data && len > 0 && len < self.smss {
                self.snd_sml = seq + len;
            }
            self.emit(now, repr, payload, cause, out);
            sent += len + usize::from(fin);
            if let Some(b) = &mut budget {
                *b = b.saturating_sub(len);
            }
            self.snd_nxt = seq + len + usize::from(fin);
            if self.snd_nxt.gt(self.snd_max) {
                self.snd_max = self.snd_nxt;
            }
            if fin && self.fin_seq.is_none() {
                self.fin_seq = Some(seq + len);
                match self.state {
                    State::Established | State::SynReceived => {
                        self.set_state(State::FinWait1, "CLOSE")
                    }
                    State::CloseWait => self.set_state(State::LastAck, "CLOSE"),
                    _ => {}
                }
            }
            self.timers
                .arm_if_idle(Timer::Retransmission, now + self.rtt.rto());
            self.timers.cancel(Timer::Persist);
            if fin {
                return sent;
            }
        }
    }

    /// RFC 5681 §4.1: before sending data after more than an RTO without
    /// sending any, cwnd = min(cwnd, RW), RW = min(IW, cwnd).
    fn restart_after_idle(&mut self, now: SimTime) {
        let idle = self.snd_una == self.snd_max
            && self.loss.kind().is_none()
            && self
                .last_data_sent
                .is_some_and(|t| now.saturating_since(t) > self.rtt.rto());
        if self.cfg.slow_start_after_idle && idle {
            let iw = self.smss * self.cfg.initial_window as usize;
            self.cc.on_idle_restart(now, iw);
            // Counted from here: what follows is not idle again until it is.
            self.last_data_sent = Some(now);
        }
    }

    /// Whether a segment of new data shorter than the MSS may go now (`len`
    /// bytes of the `unsent`, `flight` bytes unacknowledged, `fin`: it carries
    /// the FIN). Sender silly-window avoidance (RFC 9293 §3.8.6.2.1): all that
    /// is queued, or at least half the largest window the peer offered. Nagle
    /// (RFC 9293 §3.7.4) with Minshall's refinement, as Linux: hold it while a
    /// previous short segment is unacknowledged, unless the application
    /// closed (nothing more will come to fill it).
    fn may_send_small(&self, len: usize, unsent: usize, flight: usize, fin: bool) -> bool {
        let all = len == unsent;
        let nagle_ok = !self.cfg.nagle || flight == 0 || self.snd_sml.le(self.snd_una) || fin;
        let big = self.max_snd_wnd > 0 && len >= self.max_snd_wnd / 2;
        (all && nagle_ok) || big
    }

    /// When the connection next needs [`Tcb::on_timer`].
    pub fn poll_at(&self) -> Option<SimTime> {
        self.timers.poll_at()
    }

    /// Handles every timer due at `now`.
    pub fn on_timer(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        if self.timers.expired(Timer::TimeWait, now) {
            self.set_state(State::Closed, "2MSL timeout");
            self.clear_timers();
            self.signals.push(AppSignal::Closed { error: false });
            return;
        }
        if self.timers.expired(Timer::Retransmission, now) {
            self.on_rto(now, out);
        }
        if self.timers.expired(Timer::Pacing, now) {
            // Pacing released the next segment.
            self.output(now, out);
        }
        if self.timers.expired(Timer::Persist, now) {
            self.window_probe(now, out);
        }
        if self.timers.expired(Timer::DelayedAck, now) {
            self.send_ack(now, SendCause::DelayedAck, out);
        }
        if self.timers.expired(Timer::Keepalive, now) {
            self.on_keepalive(now, out);
        }
        self.take_cc_events();
    }

    /// RFC 6298 §5.4-5.7: the retransmission timer expired (and was disarmed).
    fn on_rto(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        let handshake = matches!(self.state, State::SynSent | State::SynReceived);
        let limit = if handshake {
            self.cfg.syn_retries
        } else {
            self.cfg.data_retries
        };
        // A window closed on outstanding data makes the retransmissions zero
        // window probes: they do not count toward giving up (RFC 9293
        // §3.8.6.1, RFC 1122 §4.2.2.17: the connection stays open while the
        // peer answers; Linux does the same).
        let zero_window = !handshake && self.snd_wnd == 0;
        if self.retries >= limit && !zero_window {
            self.drop_connection(if handshake {
                "handshake timed out (SYN retries exhausted)"
            } else {
                "retransmission limit reached"
            });
            return;
        }
        self.notes.push(TcpTrace::Timeout {
            rto: self.rtt.rto(),
            count: self.retries + 1,
        });
        let repeated = self.retries > 0;
        self.retries += 1;
        self.rtt.back_off();
        self.rtt_probe = None;
        match self.state {
            State::SynSent => self.send_syn(now, false, SendCause::RtoRetransmission, out),
            State::SynReceived => self.send_syn(now, true, SendCause::RtoRetransmission, out),
            _ => {
                if !repeated {
                    // RFC 5681 (4) and §3.1: ssthresh = max(FlightSize / 2, 2 SMSS),
                    // cwnd = 1 SMSS. When the same data times out again, ssthresh
                    // is held (and cwnd is still one segment: nothing was acknowledged).
                    self.cc.on_rto(now, self.bytes_in_flight());
                }
                // Any recovery ends; recover = the highest sequence number
                // sent (RFC 6582 §4, RFC 6675 §5.1).
                self.recovery_on_timeout(now);
                // RFC 3168 §6.1.2: CWR after any reduction, and no ECN
                // reduction again for this window.
                self.ecn.on_timeout(self.snd_max);
                // Go back to the first unacknowledged byte (RFC 5681 §3.1 after a timeout).
                self.snd_nxt = self.snd_una;
                self.send_data(now, false, None, out);
                if self.snd_nxt == self.snd_una {
                    // Nothing fit (the window shrank to zero): resend the head
                    // anyway, as Linux does; the timer keeps watching it.
                    self.retransmit(
                        now,
                        self.snd_una,
                        self.smss,
                        SendCause::RtoRetransmission,
                        out,
                    );
                }
                self.timers.cancel(Timer::Persist);
            }
        }
        self.timers.arm(Timer::Retransmission, now + self.rtt.rto());
    }

    /// The persist timer expired (RFC 9293 §3.8.6.1): with a zero window, a
    /// probe of one byte beyond it; otherwise the silly-window override, what
    /// the small window allows.
    fn window_probe(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        if self.snd_wnd > 0 {
            self.send_data(now, true, None, out);
            return;
        }
        let offset = (self.snd_nxt - self.buf_seq).max(0) as usize;
        if offset >= self.send.len() {
            return;
        }
        let repr = self.header(self.snd_nxt);
        let payload = self.send.slice(offset, 1);
        self.emit(now, repr, payload, SendCause::WindowProbe, out);
        self.snd_probe = Some(self.snd_nxt + 1);
        self.timers.back_off_persist();
        let interval = self.timers.persist_interval(self.rtt.rto());
        self.timers.arm(Timer::Persist, now + interval);
    }

    /// Keepalive (RFC 1122 §4.2.3.6): `<SEQ=SND.NXT-1>` with no data draws an
    /// ACK. The timer expired and was disarmed.
    fn on_keepalive(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        let Some(ka) = self.cfg.keepalive else {
            return;
        };
        if !matches!(self.state, State::Established | State::CloseWait)
            || self.snd_una != self.snd_max
        {
            self.timers.arm(Timer::Keepalive, now + ka.idle);
            return;
        }
        if self.timers.keepalive_probes() >= ka.probes {
            self.drop_connection("keepalive timeout");
            return;
        }
        let repr = self.header(self.snd_max - 1);
        self.emit(now, repr, Bytes::new(), SendCause::Keepalive, out);
        self.timers.keepalive_probe_sent(now + ka.interval);
    }
}
