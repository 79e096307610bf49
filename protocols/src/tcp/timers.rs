//! The timers of a [`Tcb`](super::Tcb), as data: one deadline per timer and
//! [`Timers::poll_at`], the earliest of them, which tells the caller when to
//! come back (as smoltcp's `poll_at`).
//!
//! The timers: retransmission (RFC 6298), delayed ACK (RFC 1122 §4.2.3.2,
//! RFC 5681 §4.2), persist (RFC 9293 §3.8.6.1, with the silly-window
//! override of §3.8.6.2.1 (4)), keepalive (RFC 1122 §4.2.3.6), TIME-WAIT's
//! 2 MSL (RFC 9293 §3.10.7.4) and the pacing release of `pacing.rs`. Besides
//! the deadlines this holds the two counters that shape the next deadline:
//! the persist backoff and the keepalive probes sent.
//!
//! When a timer is armed and what its expiry does are the connection's
//! decisions (`output.rs`, `input.rs`); every write of a deadline goes
//! through here. A timer is a deadline, not a callback: an expired one
//! ([`Timers::expired`]) is disarmed before it is handled.

use sim_core::{SimDuration, SimTime};

/// One of a connection's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Timer {
    /// Retransmission (RFC 6298).
    Retransmission,
    /// Delayed ACK (RFC 1122 §4.2.3.2).
    DelayedAck,
    /// Persist: a zero-window probe or the silly-window override (RFC 9293 §3.8.6).
    Persist,
    /// Keepalive (RFC 1122 §4.2.3.6).
    Keepalive,
    /// The 2 MSL of TIME-WAIT (RFC 9293 §3.10.7.4).
    TimeWait,
    /// Pacing holds the next data segment until then.
    Pacing,
}

/// How many [`Timer`]s there are.
const COUNT: usize = 6;

/// The longest persist interval (as BSD and Linux bound it).
const PERSIST_MAX: SimDuration = SimDuration::from_secs(60);

/// A connection's timer deadlines.
#[derive(Clone, Debug, Default)]
pub(super) struct Timers {
    /// Indexed by [`Timer`]; `None`: not armed.
    deadlines: [Option<SimTime>; COUNT],
    /// Unanswered window probes: each doubles the persist interval.
    persist_backoff: u32,
    /// Keepalive probes sent since the connection was last idle-timed.
    keepalive_probes: u32,
}

impl Timers {
    /// The earliest deadline armed, if any.
    pub(super) fn poll_at(&self) -> Option<SimTime> {
        self.deadlines.iter().flatten().min().copied()
    }

    /// Arms `timer` for `at`, replacing any earlier deadline.
    pub(super) fn arm(&mut self, timer: Timer, at: SimTime) {
        self.deadlines[timer as usize] = Some(at);
    }

    /// Arms `timer` for `at` unless it is running already (RFC 6298 §5.1 for
    /// the retransmission timer).
    pub(super) fn arm_if_idle(&mut self, timer: Timer, at: SimTime) {
        self.deadlines[timer as usize].get_or_insert(at);
    }

    /// Disarms `timer`.
    pub(super) fn cancel(&mut self, timer: Timer) {
        self.deadlines[timer as usize] = None;
    }

    /// Disarms every timer (the connection closed).
    pub(super) fn cancel_all(&mut self) {
        self.deadlines = [None; COUNT];
    }

    /// Whether `timer` is due at `now`; if so it is disarmed, to be handled.
    pub(super) fn expired(&mut self, timer: Timer, now: SimTime) -> bool {
        let due = self.deadlines[timer as usize].is_some_and(|t| t <= now);
        if due {
            self.cancel(timer);
        }
        due
    }

    /// The persist interval (RFC 9293 §3.8.6.1): the RTO, doubled per
    /// unanswered probe, at most 60 s.
    pub(super) fn persist_interval(&self, rto: SimDuration) -> SimDuration {
        rto.saturating_mul(1 << self.persist_backoff.min(16))
            .min(PERSIST_MAX)
    }

    /// A window probe went out unanswered so far: the next interval doubles.
    pub(super) fn back_off_persist(&mut self) {
        self.persist_backoff += 1;
    }

    /// The peer acknowledged new data: probing starts again from the RTO.
    pub(super) fn reset_persist_backoff(&mut self) {
        self.persist_backoff = 0;
    }

    /// The connection is idle from now on: the keepalive timer runs for the
    /// idle time `at`, and no probe has been sent.
    pub(super) fn restart_keepalive(&mut self, at: SimTime) {
        self.arm(Timer::Keepalive, at);
        self.keepalive_probes = 0;
    }

    /// Keepalive probes sent since the connection was last heard from.
    pub(super) fn keepalive_probes(&self) -> u32 {
        self.keepalive_probes
    }

    /// A keepalive probe went out; the next one is due at `next`.
    pub(super) fn keepalive_probe_sent(&mut self, next: SimTime) {
        self.keepalive_probes += 1;
        self.arm(Timer::Keepalive, next);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: u64) -> SimTime {
        SimTime::ZERO + SimDuration::from_millis(ms)
    }

    #[test]
    fn poll_at_is_the_earliest_armed_deadline() {
        let mut t = Timers::default();
        assert_eq!(t.poll_at(), None);
        t.arm(Timer::Keepalive, at(7200));
        t.arm(Timer::Retransmission, at(200));
        t.arm(Timer::DelayedAck, at(40));
        assert_eq!(t.poll_at(), Some(at(40)));
        t.cancel(Timer::DelayedAck);
        assert_eq!(t.poll_at(), Some(at(200)));
        t.cancel_all();
        assert_eq!(t.poll_at(), None);
    }

    #[test]
    fn arm_if_idle_keeps_a_running_timer() {
        let mut t = Timers::default();
        t.arm_if_idle(Timer::Retransmission, at(200));
        t.arm_if_idle(Timer::Retransmission, at(300));
        assert_eq!(t.poll_at(), Some(at(200)));
        t.arm(Timer::Retransmission, at(300));
        assert_eq!(t.poll_at(), Some(at(300)));
    }

    #[test]
    fn an_expired_timer_is_disarmed_once() {
        let mut t = Timers::default();
        t.arm(Timer::Persist, at(100));
        assert!(!t.expired(Timer::Persist, at(99)));
        assert_eq!(t.poll_at(), Some(at(100)));
        assert!(t.expired(Timer::Persist, at(100)));
        assert_eq!(t.poll_at(), None);
        assert!(!t.expired(Timer::Persist, at(100)));
    }

    #[test]
    fn persist_interval_doubles_per_probe_up_to_sixty_seconds() {
        let mut t = Timers::default();
        let rto = SimDuration::from_secs(1);
        assert_eq!(t.persist_interval(rto), rto);
        t.back_off_persist();
        t.back_off_persist();
        assert_eq!(t.persist_interval(rto), SimDuration::from_secs(4));
        for _ in 0..30 {
            t.back_off_persist();
        }
        assert_eq!(t.persist_interval(rto), PERSIST_MAX);
        t.reset_persist_backoff();
        assert_eq!(t.persist_interval(rto), rto);
    }
}
