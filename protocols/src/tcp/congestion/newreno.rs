//! Reno/NewReno window arithmetic (RFC 5681 §3.1, RFC 6582 §3.2). The
//! connection drives fast recovery itself (RFC 6582's partial ACKs and window
//! inflation); this controller only grows and cuts the window.

use sim_core::{SimDuration, SimTime};

use super::CongestionControl;

/// NewReno.
#[derive(Clone, Debug)]
pub struct NewReno {
    mss: usize,
    cwnd: usize,
    ssthresh: usize,
    /// Bytes acknowledged in congestion avoidance since cwnd last grew.
    bytes_acked: usize,
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
            // RFC 5681 (2): slow start, cwnd += min(N, SMSS) per ACK.
            self.cwnd += acked.min(self.mss);
        } else {
            // RFC 5681 §3.1 with appropriate byte counting (RFC 3465): one SMSS
            // per cwnd of acknowledged bytes.
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
    }

    fn on_recovery_exit(&mut self, _now: SimTime) {
        // RFC 6582 §3.2 step 3 (full ACK): deflate to ssthresh.
        self.cwnd = self.ssthresh;
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
    fn slow_start_grows_one_mss_per_ack_then_linear() {
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
    fn rto_resets_to_one_segment_and_ssthresh_never_below_two() {
        let mut c = NewReno::new(MSS, 10);
        c.on_rto(SimTime::ZERO, 2_000);
        assert_eq!((c.window(), c.ssthresh()), (MSS, 2 * MSS));
    }
}
