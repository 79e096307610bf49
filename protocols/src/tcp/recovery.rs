//! Loss recovery for a [`Tcb`]: what each acknowledgment means for the
//! congestion window, duplicate ACKs and fast retransmit (RFC 5681 §3.2),
//! limited transmit (RFC 3042), the recovery style of the congestion
//! controller (Tahoe; Reno, RFC 5681 §3.2; NewReno, RFC 6582), SACK-based
//! loss recovery (RFC 6675, scoreboard in `sack.rs`) and proportional rate
//! reduction (RFC 6937, `prr.rs`).
//!
//! Which recovery runs: the controller's [`RecoveryStyle`]; `NewReno` means
//! RFC 6675 when SACK was negotiated, RFC 6582 otherwise. Tahoe and Reno
//! ignore SACK information (they predate it).
//!
//! The order of events on an ACK: `input.rs` moves SND.UNA
//! ([`Advance`]), [`Tcb::on_ack`] updates the scoreboard, counts duplicate
//! ACKs, enters, continues or ends recovery and computes PRR's sndcnt; the
//! segments it makes due go out at the end of SEGMENT ARRIVES, in
//! [`Tcb::transmit`] (RFC 6675 step (C), NewReno's retransmissions, limited
//! transmit), each segment when pacing lets it go (`pacing.rs`). A
//! rate-based controller (BBR) hears of every ACK last, with the delivery
//! it measured and whether recovery is on, and sets the window in recovery
//! itself: no inflation, deflation or PRR for it.
//!
//! Simplifications: PRR uses the slow-start reduction bound only (PRR-SSRB);
//! without SACK its DeliveredData and pipe are the RFC 6937 §2 estimates
//! (one SMSS per duplicate ACK); the SACK scoreboard is cleared after a
//! timeout (RFC 2018 §8) rather than used to skip SACKed data.

use sim_core::{SimDuration, SimTime};

use super::congestion::RecoveryStyle;
use super::connection::{Outgoing, RecoveryKind, SendCause, Tcb};
use super::prr::Prr;
use super::sack::{NextSeg, Scoreboard};
use super::trace::TcpTrace;
use crate::wire::{TcpRepr, TcpSeq};

/// A connection's loss-recovery state, from the duplicate-ACK count to
/// limited transmit. Only this file changes it: the rest of the connection
/// reads it through the methods below.
#[derive(Debug)]
pub(super) struct LossRecovery {
    /// Duplicate ACKs since the last cumulative acknowledgment (RFC 5681 §2;
    /// with SACK recovery, RFC 6675 §2's definition).
    dupacks: u32,
    /// RFC 6582 `recover` / RFC 6675 RecoveryPoint: the highest sequence
    /// number sent when recovery began or the retransmission timer last
    /// expired (ISS at first). Reno's recovery does not set it.
    recover: TcpSeq,
    /// The recovery in progress, if any.
    kind: Option<RecoveryKind>,
    /// The most recent recovery begun.
    last_kind: Option<RecoveryKind>,
    /// The congestion window while in fast recovery: with its inflation and
    /// deflation (RFC 5681 §3.2 steps 3-4, RFC 6582 §3.2 step 5), or pipe +
    /// sndcnt with PRR (RFC 6937), or ssthresh with SACK (RFC 6675 (4.2)).
    cwnd: usize,
    /// The first unacknowledged segment is to be retransmitted: at the start
    /// of recovery (RFC 5681 §3.2 step 3, RFC 6675 (4.3)) or after a partial
    /// ACK (RFC 6582 §3.2 step 5).
    retransmit_head: bool,
    /// The SACK scoreboard (RFC 6675), used when SACK recovery is.
    scoreboard: Scoreboard,
    /// Proportional rate reduction in this recovery (RFC 6937), if configured.
    prr: Option<Prr>,
    /// A duplicate ACK allows limited transmit (RFC 3042) at the next output.
    limited_transmit_due: bool,
    /// Bytes limited transmit sent since the last cumulative ACK, left out of
    /// the FlightSize that sets ssthresh (RFC 5681 §3.2 step 2).
    limited_transmit_bytes: usize,
    /// The cause of data sent again from below `snd_max` by go-back-N: after
    /// a timeout, or after a Tahoe fast retransmit.
    resend_cause: SendCause,
}

impl LossRecovery {
    /// No loss yet on a connection whose ISS is `iss`.
    pub(super) fn new(iss: TcpSeq) -> LossRecovery {
        LossRecovery {
            dupacks: 0,
            recover: iss,
            kind: None,
            last_kind: None,
            cwnd: 0,
            retransmit_head: false,
            scoreboard: Scoreboard::new(),
            prr: None,
            limited_transmit_due: false,
            limited_transmit_bytes: 0,
            resend_cause: SendCause::RtoRetransmission,
        }
    }

    /// The recovery in progress, if any.
    pub(super) fn kind(&self) -> Option<RecoveryKind> {
        self.kind
    }

    /// The most recent recovery begun.
    pub(super) fn last_kind(&self) -> Option<RecoveryKind> {
        self.last_kind
    }

    /// The congestion window that fast recovery sets while it runs (Reno,
    /// NewReno and SACK recovery; Tahoe has none).
    pub(super) fn window(&self) -> Option<usize> {
        match self.kind {
            Some(RecoveryKind::Reno | RecoveryKind::NewReno | RecoveryKind::Sack) => {
                Some(self.cwnd)
            }
            Some(RecoveryKind::Tahoe) | None => None,
        }
    }

    /// In loss recovery with SND.UNA at `snd_una`: fast recovery, or after a
    /// timeout until SND.UNA passes what was outstanding then (`recover`,
    /// RFC 6582 §4).
    pub(super) fn in_loss_recovery(&self, snd_una: TcpSeq) -> bool {
        self.kind.is_some() || snd_una.le(self.recover)
    }

    /// Why data below `snd_max` is being sent again (go-back-N).
    pub(super) fn resend_cause(&self) -> SendCause {
        self.resend_cause
    }

    /// Duplicate ACKs since the last cumulative acknowledgment.
    #[cfg(test)]
    pub(super) fn dupacks(&self) -> u32 {
        self.dupacks
    }

    /// The SACK scoreboard.
    #[cfg(test)]
    pub(super) fn scoreboard(&self) -> &Scoreboard {
        &self.scoreboard
    }

    /// RFC 5681 §3.2, RFC 6675 §5: a cumulative ACK resets DupAcks, and
    /// limited transmit counts afresh.
    fn on_cumulative_ack(&mut self) {
        self.dupacks = 0;
        self.limited_transmit_bytes = 0;
    }

    /// The retransmission timer expired with SND.UNA at `snd_una` and
    /// `snd_max` the highest sequence number sent (recovery has ended).
    fn on_timeout(&mut self, snd_una: TcpSeq, snd_max: TcpSeq) {
        // RFC 6582 §3.2 step 1 and §4, RFC 6675 §5.1: recover
        // (RecoveryPoint) = the highest sequence number sent.
        self.recover = snd_max - 1;
        self.dupacks = 0;
        self.limited_transmit_due = false;
        self.limited_transmit_bytes = 0;
        // RFC 2018 §8, RFC 6675 §5.1: the receiver may have reneged:
        // forget what was SACKed.
        self.scoreboard.clear();
        self.scoreboard.high_rxt = snd_una;
        // Go-back-N from SND.UNA resends as RTO retransmissions.
        self.resend_cause = SendCause::RtoRetransmission;
    }
}

/// What a cumulative acknowledgment did (SND.UNA < SEG.ACK).
#[derive(Clone, Copy, Debug)]
pub(super) struct Advance {
    /// Sequence space acknowledged (SYN and FIN included).
    pub acked: usize,
    /// Bytes of the send buffer acknowledged.
    pub data_acked: usize,
    /// An RTT sample it gave.
    pub sample: Option<SimDuration>,
    /// Bytes in flight before it.
    pub flight_before: usize,
}

impl Tcb {
    /// Whether SACK-based recovery (RFC 6675) is in use.
    pub(super) fn sack_recovery(&self) -> bool {
        self.sack_ok && self.cc.recovery() == RecoveryStyle::NewReno
    }

    /// The sender's estimate of the bytes in the network: RFC 6675
    /// `SetPipe()` with SACK; without, the flight less one SMSS per duplicate
    /// ACK and less a first segment presumed lost and not yet resent
    /// (RFC 6937 §2's estimate).
    pub fn pipe(&self) -> usize {
        let dupthresh = self.cfg.dupack_threshold;
        if self.sack_recovery() {
            return self
                .loss
                .scoreboard
                .pipe(self.snd_una, self.snd_max, dupthresh, self.smss);
        }
        let flight = (self.snd_max - self.snd_una).max(0) as usize;
        let lost = if self.loss.retransmit_head {
            self.smss
        } else {
            0
        };
        flight.saturating_sub(self.loss.dupacks as usize * self.smss + lost)
    }

    /// RFC 5681 §2 duplicate ACK: no data, no SYN/FIN, same window, data outstanding.
    fn is_duplicate_ack(&self, seg: &TcpRepr, payload_len: usize) -> bool {
        let same_window = (usize::from(seg.window) << self.snd_wscale) == self.snd_wnd;
        payload_len == 0
            && !seg.flags.syn
            && !seg.flags.fin
            && same_window
            && self.snd_una != self.snd_max
    }

    /// An acceptable acknowledgment, SND.UNA =< SEG.ACK, after `advance`
    /// moved SND.UNA (if SEG.ACK was beyond it).
    pub(super) fn on_ack(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        payload_len: usize,
        advance: Option<Advance>,
    ) {
        let sack = self.sack_recovery();
        // What the ACK delivered, for a rate-based controller's samples.
        let blocks: &[_] = if self.sack_ok {
            &seg.options.sack_blocks
        } else {
            &[]
        };
        let delivery = self
            .rate
            .as_mut()
            .map(|r| r.on_ack(now, self.snd_una, blocks));
        // DeliveredData (RFC 6937 §2): the change in SND.UNA plus the change
        // in SACKed bytes; without SACK, one SMSS per duplicate ACK, taken
        // back from the next cumulative ACK.
        let mut delivered = 0;
        if let Some(a) = advance {
            let counted = if sack {
                self.loss.scoreboard.advance(self.snd_una)
            } else {
                self.loss.dupacks as usize * self.smss
            };
            delivered = a.acked.saturating_sub(counted);
            self.loss.on_cumulative_ack();
        }
        let duplicate = if sack {
            // RFC 6675 §3 Update(); §2: a duplicate ACK is one that SACKs
            // new data ("regardless of its status as a cumulative acknowledgment").
            let newly =
                self.loss
                    .scoreboard
                    .update(self.snd_una, self.snd_max, &seg.options.sack_blocks);
            delivered += newly;
            newly > 0
        } else {
            let duplicate = advance.is_none() && self.is_duplicate_ack(seg, payload_len);
            if duplicate {
                delivered += self.smss;
            }
            duplicate
        };
        if duplicate {
            self.loss.dupacks += 1;
        }
        match self.loss.kind {
            Some(kind) => self.ack_in_recovery(now, kind, advance, delivered, duplicate),
            None => self.ack_outside_recovery(now, seg, advance, delivered, duplicate),
        }
        if let Some(d) = delivery {
            self.deliver_to_cc(now, d);
        }
    }

    fn ack_outside_recovery(
        &mut self,
        now: SimTime,
        seg: &TcpRepr,
        advance: Option<Advance>,
        delivered: usize,
        duplicate: bool,
    ) {
        // RFC 3168 §6.1.2: ECE halves the window once per window of data,
        // and no ACK that carries it grows the window.
        let ece = self.ecn.is_echo(&seg.flags);
        let ecn_echo = ece && self.ecn.beyond_last_reduction(self.snd_una);
        if let Some(a) = advance {
            if !ece && self.state.is_synchronized() && a.data_acked > 0 {
                self.cc.on_ack(now, a.data_acked, a.sample, a.flight_before);
            }
        }
        let dupthresh = self.cfg.dupack_threshold;
        let outstanding = self.snd_una != self.snd_max;
        // RFC 6675 §5 step (2): IsLost(HighACK + 1) starts recovery too.
        let lost = self.sack_recovery()
            && outstanding
            && self
                .loss
                .scoreboard
                .is_lost(self.snd_una, dupthresh, self.smss);
        // RFC 5681 §3.2 step 2, RFC 6675 §5 step (1): DupThresh duplicates.
        // RFC 6582 §3.2 step 2 and §4, RFC 6675 §5.1: not for data sent before
        // the last recovery or timeout began (SND.UNA must pass `recover`).
        if ((duplicate && self.loss.dupacks >= dupthresh) || lost)
            && self.snd_una.gt(self.loss.recover)
        {
            self.enter_recovery(now, delivered);
        } else if duplicate && self.loss.dupacks < dupthresh && self.cfg.limited_transmit {
            // RFC 3042, RFC 6675 §5 step (3): sent by `transmit`.
            self.loss.limited_transmit_due = true;
        }
        if ecn_echo && self.loss.kind.is_none() {
            self.ecn_reduce(now);
        }
    }

    /// Loss detected: the start of recovery in the controller's style.
    fn enter_recovery(&mut self, now: SimTime, delivered: usize) {
        let sack = self.sack_recovery();
        let kind = match self.cc.recovery() {
            RecoveryStyle::Tahoe => RecoveryKind::Tahoe,
            RecoveryStyle::Reno => RecoveryKind::Reno,
            RecoveryStyle::NewReno if sack => RecoveryKind::Sack,
            RecoveryStyle::NewReno => RecoveryKind::NewReno,
        };
        self.notes.push(TcpTrace::RecoveryStart(kind));
        self.loss.kind = Some(kind);
        self.loss.last_kind = Some(kind);
        self.loss.limited_transmit_due = false;
        let outstanding = (self.snd_max - self.snd_una).max(0) as usize;
        // RFC 5681 §3.2 step 2: ssthresh from the FlightSize without what
        // limited transmit sent.
        let flight = outstanding.saturating_sub(self.loss.limited_transmit_bytes);
        // Not twice in one window: an ECN echo may have reduced it already
        // (RFC 3168 §6.1.2). (A loss after a loss is reduced again: Reno's
        // second fast retransmit halves again.)
        let reduce = self.ecn.on_loss(self.snd_una, self.snd_max);
        let dupthresh = self.cfg.dupack_threshold;
        match kind {
            RecoveryKind::Tahoe => {
                // Tahoe: a timeout that need not be waited for. ssthresh =
                // max(FlightSize / 2, 2 SMSS), cwnd = 1 SMSS, and slow start
                // from SND.UNA, the first segment a fast retransmission.
                self.cc.on_rto(now, flight);
                self.loss.recover = self.snd_max - 1;
                self.snd_nxt = self.snd_una;
                self.loss.resend_cause = SendCause::FastRetransmission;
                return;
            }
            RecoveryKind::Reno | RecoveryKind::NewReno => {
                if reduce {
                    self.cc.on_congestion_event(now, flight);
                }
                if kind == RecoveryKind::NewReno {
                    // RFC 6582 §3.2 step 2: recover = the highest sequence number sent.
                    self.loss.recover = self.snd_max - 1;
                }
                // RFC 5681 §3.2 step 3: retransmit, cwnd = ssthresh + 3 SMSS.
                self.loss.cwnd = self.cc.window() + dupthresh as usize * self.smss;
            }
            RecoveryKind::Sack => {
                // RFC 6675 §5 (4.1) RecoveryPoint = HighData; (4.2) ssthresh =
                // cwnd = FlightSize / 2 (the controller's decrease).
                if reduce {
                    self.cc.on_congestion_event(now, flight);
                }
                self.loss.recover = self.snd_max - 1;
                self.loss.scoreboard.high_rxt = self.snd_una;
                self.loss.scoreboard.rescue_rxt = None;
                self.loss.cwnd = self.cc.window();
            }
        }
        // RFC 5681 §3.2 step 3, RFC 6675 (4.3): the first segment, at once.
        self.loss.retransmit_head = true;
        // A rate-based controller sets the window in recovery itself.
        if self.cfg.prr && !self.cc.rate_based() {
            // RFC 6937 §3: RecoverFS, the flight at the start of recovery,
            // without what the peer had SACKed before this ACK (RFC 9937).
            let sacked = if sack {
                self.loss.scoreboard.sacked_bytes()
            } else {
                self.loss.dupacks as usize * self.smss
            };
            self.loss.prr = Some(Prr::new(outstanding.saturating_sub(sacked) + delivered));
            self.prr_on_ack(delivered);
        }
    }

    /// An ACK while recovery is in progress.
    fn ack_in_recovery(
        &mut self,
        now: SimTime,
        kind: RecoveryKind,
        advance: Option<Advance>,
        delivered: usize,
        duplicate: bool,
    ) {
        match kind {
            RecoveryKind::Tahoe => {
                // Slow start goes on (dupacks change nothing); the episode
                // ends once everything sent before it is acknowledged.
                if let Some(a) = advance {
                    if a.data_acked > 0 {
                        self.cc.on_ack(now, a.data_acked, a.sample, a.flight_before);
                    }
                    if self.snd_una.gt(self.loss.recover) {
                        self.end_recovery(now, false);
                    }
                }
            }
            RecoveryKind::Reno => {
                if advance.is_some() {
                    // RFC 5681 §3.2 step 6: the first ACK of new data ends
                    // recovery and deflates cwnd to ssthresh.
                    self.end_recovery(now, true);
                } else if duplicate {
                    self.inflate(delivered);
                }
            }
            RecoveryKind::NewReno => match advance {
                Some(_) if self.snd_una.gt(self.loss.recover) => {
                    // RFC 6582 §3.2 step 3: a full acknowledgment; cwnd = ssthresh.
                    self.end_recovery(now, true);
                }
                Some(a) => {
                    // RFC 6582 §3.2 step 5: a partial acknowledgment: retransmit
                    // the next hole, deflate cwnd by the amount acknowledged,
                    // and add back one SMSS if at least one SMSS was acknowledged.
                    let back = if a.acked >= self.smss { self.smss } else { 0 };
                    self.loss.cwnd = self.loss.cwnd.saturating_sub(a.acked) + back;
                    self.loss.retransmit_head = true;
                    self.prr_on_ack(delivered);
                }
                None if duplicate => self.inflate(delivered),
                None => {}
            },
            RecoveryKind::Sack => {
                if advance.is_some() && self.snd_una.gt(self.loss.recover) {
                    // RFC 6675 §5 (A): a cumulative ACK beyond RecoveryPoint
                    // ends recovery (cwnd = ssthresh). The scoreboard is kept.
                    self.end_recovery(now, true);
                } else {
                    // (B): Update() was done; SetPipe() and step (C) are
                    // `transmit`'s, PRR's sndcnt is computed here.
                    self.prr_on_ack(delivered);
                }
            }
        }
    }

    /// A duplicate ACK in Reno or NewReno recovery: RFC 5681 §3.2 step 4,
    /// cwnd += SMSS (inflation), or PRR's share of what it delivered.
    fn inflate(&mut self, delivered: usize) {
        if self.loss.prr.is_some() {
            self.prr_on_ack(delivered);
        } else {
            self.loss.cwnd += self.smss;
        }
    }

    /// RFC 6937 §3 on an ACK in recovery: sndcnt from DeliveredData and the pipe.
    fn prr_on_ack(&mut self, delivered: usize) {
        let pipe = self.pipe();
        let ssthresh = self.cc.ssthresh();
        let smss = self.smss;
        if let Some(prr) = &mut self.loss.prr {
            let sndcnt = prr.on_ack(delivered, pipe, ssthresh, smss);
            self.loss.cwnd = pipe + sndcnt;
        }
    }

    /// RFC 6298 §5.5-5.6 for loss recovery: the retransmission timer expired.
    /// RFC 6675 §5.1: a timeout ends any recovery (without deflating: cwnd
    /// is one segment now), and go-back-N follows from SND.UNA.
    pub(super) fn recovery_on_timeout(&mut self, now: SimTime) {
        self.end_recovery(now, false);
        self.loss.on_timeout(self.snd_una, self.snd_max);
    }

    /// Recovery ended; `deflate`: cwnd = ssthresh (not for Tahoe, nor after a timeout).
    fn end_recovery(&mut self, now: SimTime, deflate: bool) {
        if self.loss.kind.take().is_none() {
            return;
        }
        if deflate {
            self.cc.on_recovery_exit(now);
        }
        self.loss.prr = None;
        self.loss.retransmit_head = false;
        self.notes.push(TcpTrace::RecoveryEnd);
    }

    /// Bytes sent during recovery count toward PRR's prr_out.
    fn prr_sent(&mut self, bytes: usize) {
        if let Some(prr) = &mut self.loss.prr {
            prr.on_send(bytes);
        }
    }

    /// Sends what recovery and the congestion window allow (called by
    /// `output` in the states that send data).
    pub(super) fn transmit(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        match self.loss.kind {
            Some(RecoveryKind::Sack) => self.transmit_sack(now, out),
            Some(RecoveryKind::Reno | RecoveryKind::NewReno) => {
                if self.loss.retransmit_head {
                    if self.pacing_holds(now) {
                        return;
                    }
                    // RFC 5681 §3.2 step 3 / RFC 6582 §3.2 step 5 (PRR counts
                    // it, RFC 6937 §3: prr_out += data sent).
                    self.loss.retransmit_head = false;
                    let n = self.retransmit(
                        now,
                        self.snd_una,
                        self.smss,
                        SendCause::FastRetransmission,
                        out,
                    );
                    self.prr_sent(n);
                }
                let budget = self.loss.prr.as_ref().map(|p| p.budget(self.smss));
                let n = self.send_data(now, false, budget, out);
                self.prr_sent(n);
            }
            Some(RecoveryKind::Tahoe) | None => {
                self.send_data(now, false, None, out);
                if std::mem::take(&mut self.loss.limited_transmit_due) {
                    self.limited_transmit(now, out);
                }
            }
        }
        self.check_app_limited();
    }

    /// Limited transmit on the first and second duplicate ACK: RFC 3042
    /// (one new segment if the flight stays within cwnd + 2 SMSS), or with
    /// SACK RFC 6675 §5 step (3) (HighRxt = HighACK; new data while cwnd −
    /// pipe >= 1 SMSS). cwnd itself does not change.
    fn limited_transmit(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        if self.snd_nxt != self.snd_max {
            return; // go-back-N after a timeout: only new data qualifies
        }
        let budget = if self.sack_recovery() {
            self.loss.scoreboard.high_rxt = self.snd_una;
            let room = self.cc.window().saturating_sub(self.pipe());
            if room < self.smss {
                return;
            }
            room
        } else {
            let flight = self.bytes_in_flight();
            (self.cc.window() + 2 * self.smss)
                .saturating_sub(flight)
                .min(self.smss)
        };
        let n = self.send_data(now, false, Some(budget), out);
        self.loss.limited_transmit_bytes += n;
    }

    /// RFC 6675 §5: the head retransmission of (4.3), then step (C): while
    /// cwnd − pipe >= 1 SMSS (or, with PRR, while sndcnt allows), send what
    /// `NextSeg()` picks.
    fn transmit_sack(&mut self, now: SimTime, out: &mut Vec<Outgoing>) {
        let (dupthresh, smss) = (self.cfg.dupack_threshold, self.smss);
        if self.loss.retransmit_head {
            if self.pacing_holds(now) {
                return;
            }
            self.loss.retransmit_head = false;
            // (4.3): the segment at HighACK + 1, not into SACKed data; HighRxt
            // and RescueRxt to its end.
            let holes = self.loss.scoreboard.holes(self.snd_una, self.snd_max);
            let len = holes
                .first()
                .map_or(smss, |&(a, b)| ((b - a) as usize).min(smss));
            let n = self.retransmit(now, self.snd_una, len, SendCause::FastRetransmission, out);
            self.loss.scoreboard.high_rxt = self.snd_una + n;
            self.loss.scoreboard.rescue_rxt = Some(self.snd_una + n);
            self.prr_sent(n);
        }
        loop {
            let pipe = self.pipe();
            let budget = match &self.loss.prr {
                Some(prr) => prr.budget(smss),
                None => self.cc.window().saturating_sub(pipe),
            };
            if self.loss.prr.is_none() && budget < smss {
                break;
            }
            let new_len = self.new_data_len();
            let next = self.loss.scoreboard.next_seg(
                self.snd_una,
                self.snd_max,
                new_len > 0,
                dupthresh,
                smss,
            );
            let n = match next {
                NextSeg::Retransmit { seq, len } if len <= budget => {
                    if self.pacing_holds(now) {
                        break;
                    }
                    let n = self.retransmit(now, seq, len, SendCause::FastRetransmission, out);
                    self.loss.scoreboard.high_rxt = seq + n;
                    n
                }
                NextSeg::NewData if new_len <= budget => {
                    self.send_data(now, false, Some(new_len), out)
                }
                NextSeg::Rescue { seq, len } if len <= budget => {
                    if self.pacing_holds(now) {
                        break;
                    }
                    // Rule (4): RescueRxt = RecoveryPoint; HighRxt unchanged.
                    let n = self.retransmit(now, seq, len, SendCause::FastRetransmission, out);
                    self.loss.scoreboard.rescue_rxt = Some(self.loss.recover + 1);
                    n
                }
                _ => 0,
            };
            if n == 0 {
                break;
            }
            self.prr_sent(n);
        }
    }

    /// The sequence space the next segment of new data would take: at most
    /// SMSS, within the receive window; 1 for a FIN alone; 0 if none.
    fn new_data_len(&self) -> usize {
        if self.snd_nxt != self.snd_max {
            return 0;
        }
        let offset = (self.snd_nxt - self.buf_seq).max(0) as usize;
        let unsent = self.send.len().saturating_sub(offset);
        let room = self.snd_wnd.saturating_sub(self.bytes_in_flight());
        let len = unsent.min(room).min(self.smss);
        let fin_due = self.fin_queued && self.fin_seq.is_none();
        if len == 0 && fin_due && unsent == 0 {
            1
        } else {
            len
        }
    }
}
