//! NewReno's window arithmetic (RFC 5681 §3.1, RFC 6582 §3.2), with
//! appropriate byte counting (RFC 3465) and restart after idle (RFC 5681
//! §4.1). The connection drives fast recovery itself (RFC 6582's partial
//! ACKs and window inflation, or RFC 6675 with SACK); this controller only
//! grows and cuts the window. [`super::Reno`] and [`super::Tahoe`] reuse it
//! and differ only in the recovery they ask for.
//!
//! Parameters (no settings of their own): the initial window (RFC 6928,
//! `TcpConfig::initial_window`), ssthresh initially "arbitrarily high" (RFC
//! 5681 §3.1), the ABC limit L = 2·SMSS ([`super::ABC_LIMIT_SEGMENTS`]).

use sim_core::{SimDuration, SimTime};

use super::{CongestionControl, slow_start_increase};

/// NewReno.
#[derive(Clone, Debug)]
pub struct NewReno {
    mss: usize,
    cwnd: usize,
    ssthresh: usize,
    /// Bytes acknowledged in congestion avoidance since cwnd last grew (RFC 3465 §2.1).
    bytes_acked: usize,
    /// In the slow start that follows a timeout (RFC 3465 §2.3: L = 1 SMSS).
    after_rto: bool,
}

impl NewReno {
    /// A controller for segments of `mss` bytes with an initial window of
    /// `initial_segments` (RFC 6928) and an "arbitrarily high" ssthresh (RFC 5681 §3.1).
    pub fn new(mss: usize, initial_segments: u32) -> NewReno {
        NewReno {
            mss,
            cwnd: mss * initial_segments as usize,
            ssthresh: usize::MAX,
            bytes_acked: 0,
            after_rto: false,
        }
    }

    /// RFC 5681 (4): ssthresh = max(FlightSize / 2, 2*SMSS).
    fn halve(&mut self, in_flight: usize) {
        self.ssthresh = (in_flight / 2).max(2 * self.mss);
    }
}

impl CongestionControl for NewReno {
    fn name(&self) -> &'static str {
        "newreno"
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
        // RFC 6582 §3.2 step 3 (full ACK): deflate to ssthresh.
        self.cwnd = self.ssthresh;
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
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1460;

    #[test]
    fn slow_start_grows_by_the_bytes_acked_then_linear() {
        let mut c = NewReno::new(MSS, 10);
        assert_eq!(c.window(), 14_600);
        for _ in 0..10 {
            c.on_ack(SimTime::ZERO, MSS, None, 0);
        }
        assert_eq!(c.window(), 29_200, "doubles in one round");
        c.on_congestion_event(SimTime::ZERO, 29_200);
        assert_eq!((c.ssthresh(), c.window()), (14_600, 14_600));
        // Congestion avoidance: one MSS per window of acked bytes.
        for _ in 0..9 {
            c.on_ack(SimTime::ZERO, MSS, None, 0);
        }
        assert_eq!(c.window(), 14_600);
        c.on_ack(SimTime::ZERO, MSS, None, 0);
        assert_eq!(c.window(), 16_060);
    }

    #[test]
    fn abc_counts_a_stretch_ack_up_to_two_segments_in_slow_start() {
        // RFC 3465 §2.2: an ACK of 4 segments grows cwnd by L = 2 SMSS, one
        // of 1000 bytes by 1000 (RFC 5681's min(N, SMSS) would give 1460 and 1000).
        let mut c = NewReno::new(MSS, 10);
        c.on_ack(SimTime::ZERO, 4 * MSS, None, 0);
        assert_eq!(c.window(), 14_600 + 2 * MSS);
        c.on_ack(SimTime::ZERO, 1000, None, 0);
        assert_eq!(c.window(), 14_600 + 2 * MSS + 1000);
    }

    #[test]
    fn after_a_timeout_slow_start_counts_one_segment_per_ack() {
        // RFC 3465 §2.3: L = 1 SMSS in the slow start that follows an RTO.
        let mut c = NewReno::new(MSS, 10);
        c.on_rto(SimTime::ZERO, 14_600);
        assert_eq!((c.window(), c.ssthresh()), (MSS, 7300));
        c.on_ack(SimTime::ZERO, 3 * MSS, None, 0);
        assert_eq!(c.window(), 2 * MSS);
        // Up to ssthresh (7300) one segment per ACK, then congestion avoidance.
        for expected in [4380, 5840, 7300, 7300] {
            c.on_ack(SimTime::ZERO, 3 * MSS, None, 0);
            assert_eq!(c.window(), expected);
        }
        // Out of that slow start the limit is 2 SMSS again: restarted after
        // idle at 2 segments, an ACK of 3 segments adds 2.
        c.on_idle_restart(SimTime::ZERO, 2 * MSS);
        c.on_ack(SimTime::ZERO, 3 * MSS, None, 0);
        assert_eq!(c.window(), 4 * MSS);
    }

    #[test]
    fn rto_resets_to_one_segment_and_ssthresh_never_below_two() {
        let mut c = NewReno::new(MSS, 10);
        c.on_rto(SimTime::ZERO, 2_000);
        assert_eq!((c.window(), c.ssthresh()), (MSS, 2 * MSS));
    }

    #[test]
    fn idle_restart_lowers_cwnd_to_the_restart_window_only() {
        // RFC 5681 §4.1: cwnd = min(RW, cwnd), RW = min(IW, cwnd).
        let mut c = NewReno::new(MSS, 10);
        for _ in 0..10 {
            c.on_ack(SimTime::ZERO, MSS, None, 0);
        }
        c.on_idle_restart(SimTime::ZERO, 14_600);
        assert_eq!((c.window(), c.ssthresh()), (14_600, usize::MAX));
        c.on_rto(SimTime::ZERO, 14_600);
        c.on_idle_restart(SimTime::ZERO, 14_600);
        assert_eq!(c.window(), MSS, "never raised");
    }
}
