//! The Reno family: one window arithmetic (RFC 5681 §3.1, with appropriate
//! byte counting, RFC 3465, and restart after idle, RFC 5681 §4.1) behind
//! three loss responses, [`super::Tahoe`], [`super::Reno`] and
//! [`super::NewReno`]. The connection drives loss recovery itself (the
//! [`RecoveryStyle`] a [`LossResponse`] names); this controller only grows
//! and cuts the window. What the response changes here is its name, the
//! recovery it asks for, and whether the end of recovery deflates the window
//! (fast recovery) or not (Tahoe, which has none).
//!
//! Parameters (no settings of their own): the initial window (RFC 6928,
//! `TcpConfig::initial_window`), ssthresh initially "arbitrarily high" (RFC
//! 5681 §3.1), the ABC limit L = 2·SMSS ([`super::ABC_LIMIT_SEGMENTS`]).

use std::marker::PhantomData;

use sim_core::{SimDuration, SimTime};

use super::{CongestionControl, RecoveryStyle, slow_start_increase};

/// What makes one member of the Reno family: how it recovers from a loss.
pub trait LossResponse {
    /// Short name for traces (`newreno`).
    const NAME: &'static str;
    /// The loss recovery the connection runs.
    const RECOVERY: RecoveryStyle;
}

/// RFC 5681 window arithmetic with the loss response `L`.
#[derive(Clone, Debug)]
pub struct RenoFamily<L> {
    mss: usize,
    cwnd: usize,
    ssthresh: usize,
    /// Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465 §2.1).
    bytes_acked: usize,
    /// In the slow start that follows a timeout (RFC 3465 §2.3: L = 1 SMSS).
    after_rto: bool,
    response: PhantomData<L>,
}

impl<L: LossResponse> RenoFamily<L> {
    /// A controller for segments of `mss` bytes with an initial window of
    /// `initial_segments` (RFC 6928) and an "arbitrarily high" ssthresh (RFC 5681 §3.1).
    pub fn new(mss: usize, initial_segments: u32) -> RenoFamily<L> {
        RenoFamily {
            mss,
            cwnd: mss * initial_segments as usize,
            ssthresh: usize::MAX,
            bytes_acked: 0,
            after_rto: false,
            response: PhantomData,
        }
    }

    /// RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS).
    fn halve(&mut self, in_flight: usize) {
        self.ssthresh = (in_flight / 2).max(2 * self.mss);
    }
}

impl<L: LossResponse> CongestionControl for RenoFamily<L> {
    fn name(&self) -> &'static str {
        L::NAME
    }

    fn on_ack(
        &mut self,
        _now: SimTime,
        acked: usize,
        _rtt: Option<SimDuration>,
        _in_flight: usize,
    ) {
        if self.cwnd < self.ssthresh {
            // RFC 5681 (2) slow start with RFC 3465 §2.2 byte counting:
            // cwnd += min(N, L) per ACK.
            self.cwnd += slow_start_increase(acked, self.mss, self.after_rto);
        } else {
            // RFC 5681 §3.1 with appropriate byte counting (RFC 3465 §2.1): one
            // SMSS per cwnd of acknowledged bytes.
            self.after_rto = false;
            self.bytes_acked += acked;
            if self.bytes_acked >= self.cwnd {
                self.bytes_acked -= self.cwnd;
                self.cwnd += self.mss;
            }
        }
    }

    fn on_congestion_event(&mut self, _now: SimTime, in_flight: usize) {
        self.halve(in_flight);
        // RFC 5681 §3.2 step 2: recovery starts at ssthresh (+3 SMSS of inflation,
        // which the connection adds while it is in recovery).
        self.cwnd = self.ssthresh;
        self.bytes_acked = 0;
    }

    fn on_rto(&mut self, _now: SimTime, in_flight: usize) {
        // RFC 5681 (4) and §3.1: loss window of one segment.
        self.halve(in_flight);
        self.cwnd = self.mss;
        self.bytes_acked = 0;
        self.after_rto = true;
    }

    fn on_recovery_exit(&mut self, _now: SimTime) {
        match L::RECOVERY {
            // No fast recovery, nothing to deflate: slow start continues.
            RecoveryStyle::Tahoe => {}
            // RFC 5681 §3.2 step 6, RFC 6582 §3.2 step 3 (full ACK): "set
            // cwnd to ssthresh" (deflating the window).
            RecoveryStyle::Reno | RecoveryStyle::NewReno => self.cwnd = self.ssthresh,
        }
    }

    fn on_idle_restart(&mut self, _now: SimTime, restart_window: usize) {
        // RFC 5681 §4.1: cwnd = min(RW, cwnd); ssthresh is kept.
        self.cwnd = self.cwnd.min(restart_window);
        self.bytes_acked = 0;
    }

    fn window(&self) -> usize {
        self.cwnd
    }

    fn ssthresh(&self) -> usize {
        self.ssthresh
    }

    fn recovery(&self) -> RecoveryStyle {
        L::RECOVERY
    }
}
