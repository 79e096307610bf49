//! Pacing, and the plumbing between a [`Tcb`] and a rate-based congestion
//! controller (BBR): the per-segment send state of delivery-rate estimation
//! (draft-cheng-iccrg-delivery-rate-estimation, `rate.rs`), the
//! [`AckSample`] of every acknowledgment, and application-limited marking.
//!
//! Pacing (TCP owns it, the controller only names a rate): when the
//! controller gives a pacing rate, a data segment of `len` bytes that leaves
//! at `t` holds the next one back until `t + len / rate` (rounded up to the
//! nanosecond, so the rate is never exceeded). A segment that would leave
//! earlier waits; the release time becomes a timer ([`Tcb::poll_at`]) whose
//! expiry runs [`Tcb::output`] again. Pure ACKs are never paced, nor are the
//! first retransmission after a timeout, window probes and keepalives.
//! `len` is the segment's data: the rate is one of delivered data, as the
//! controller measures it. Without a pacing rate nothing here changes what
//! or when a connection sends.

use sim_core::{SimDuration, SimTime};

use super::congestion::AckSample;
use super::connection::{RecoveryKind, Tcb};
use super::rate::Delivery;
use super::timers::Timer;
use crate::wire::TcpSeq;

/// The time `len` bytes take at `rate` bytes per second, rounded up.
pub fn pacing_gap(len: usize, rate: u64) -> SimDuration {
    let rate = u128::from(rate.max(1));
    SimDuration::from_nanos(((len as u128 * 1_000_000_000).div_ceil(rate)) as u64)
}

impl Tcb {
    /// A data segment of `len` bytes from `seq` leaves at `now`: its send
    /// state for rate samples, and the pacing release time of the next one.
    pub(super) fn on_data_sent(&mut self, now: SimTime, seq: TcpSeq, len: usize) {
        let idle = self.snd_una == self.snd_max;
        if let Some(rate) = &mut self.rate {
            rate.on_send(now, seq, len, idle);
        }
        if let Some(r) = self.cc.pacing_rate() {
            self.pace_next = self.pace_next.max(now) + pacing_gap(len, r);
        }
    }

    /// Whether pacing holds the next data segment back at `now`; if so the
    /// pacing timer is set for its release.
    pub(super) fn pacing_holds(&mut self, now: SimTime) -> bool {
        if self.pace_next <= now {
            return false;
        }
        self.timers.arm(Timer::Pacing, self.pace_next);
        true
    }

    /// Bytes in flight as the window sees them: RFC 6675 `pipe` in SACK
    /// recovery, else SND.NXT − SND.UNA.
    fn cc_in_flight(&self) -> usize {
        if self.loss.kind() == Some(RecoveryKind::Sack) {
            self.pipe()
        } else {
            self.bytes_in_flight()
        }
    }

    /// Tells a rate-based controller what an acknowledgment delivered.
    pub(super) fn deliver_to_cc(&mut self, now: SimTime, d: Delivery) {
        let Some(delivered) = self.rate.as_ref().map(|r| r.delivered()) else {
            return;
        };
        let in_flight = self.cc_in_flight();
        let newly = d.newly_delivered as usize;
        let ack = AckSample {
            newly_delivered: newly,
            delivered,
            rate: d.sample,
            in_flight,
            prior_in_flight: in_flight + newly,
            srtt: self.rtt.srtt(),
            in_recovery: self.loss.in_loss_recovery(self.snd_una),
        };
        self.cc.on_delivery(now, &ack);
        if self.cc.samples_app_limited() {
            if let Some(rate) = &mut self.rate {
                rate.mark_app_limited(in_flight);
            }
        }
    }

    /// Marks the connection application-limited when it has less than a
    /// segment left to send, nothing to retransmit and room in the window
    /// (the delivery-rate draft's CheckIfApplicationLimited; "nothing to
    /// retransmit" read as: not in recovery nor resending after a timeout).
    pub(super) fn check_app_limited(&mut self) {
        if self.rate.is_none() {
            return;
        }
        let offset = (self.snd_nxt - self.buf_seq).max(0) as usize;
        let unsent = self.send.len().saturating_sub(offset);
        let in_flight = self.cc_in_flight();
        let limited = unsent < self.smss
            && self.loss.kind().is_none()
            && self.snd_nxt == self.snd_max
            && in_flight < self.cwnd();
        if limited {
            if let Some(rate) = &mut self.rate {
                rate.mark_app_limited(in_flight);
            }
        }
    }
}
