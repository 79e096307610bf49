//! TCP Reno (RFC 5681 §3.2, 4.3BSD-Reno): slow start, congestion avoidance,
//! fast retransmit and fast recovery, where recovery ends at the first ACK
//! that acknowledges new data, full or partial.
//!
//! With several losses in one window, Reno leaves recovery at the first
//! partial ACK with cwnd = ssthresh; the next hole needs another three
//! duplicate ACKs (and another halving) or the retransmission timer, which is
//! the behaviour NewReno (RFC 6582) fixed. The connection implements that
//! recovery ([`RecoveryStyle::Reno`]); this controller is [`NewReno`]'s window
//! arithmetic under another name.
//!
//! Parameters: none beyond the initial window (`TcpConfig::initial_window`).

use sim_core::{SimDuration, SimTime};

use super::{CongestionControl, NewReno, RecoveryStyle};

/// Reno.
#[derive(Clone, Debug)]
pub struct Reno(NewReno);

impl Reno {
    /// A controller for segments of `mss` bytes with an initial window of
    /// `initial_segments`.
    pub fn new(mss: usize, initial_segments: u32) -> Reno {
        Reno(NewReno::new(mss, initial_segments))
    }
}

impl CongestionControl for Reno {
    fn name(&self) -> &'static str {
        "reno"
    }

    fn on_ack(&mut self, now: SimTime, acked: usize, rtt: Option<SimDuration>, in_flight: usize) {
        self.0.on_ack(now, acked, rtt, in_flight);
    }

    fn on_congestion_event(&mut self, now: SimTime, in_flight: usize) {
        self.0.on_congestion_event(now, in_flight);
    }

    fn on_rto(&mut self, now: SimTime, in_flight: usize) {
        self.0.on_rto(now, in_flight);
    }

    fn on_recovery_exit(&mut self, now: SimTime) {
        // RFC 5681 §3.2 step 6: "set cwnd to ssthresh" (deflating the window).
        self.0.on_recovery_exit(now);
    }

    fn on_idle_restart(&mut self, now: SimTime, restart_window: usize) {
        self.0.on_idle_restart(now, restart_window);
    }

    fn window(&self) -> usize {
        self.0.window()
    }

    fn ssthresh(&self) -> usize {
        self.0.ssthresh()
    }

    fn recovery(&self) -> RecoveryStyle {
        RecoveryStyle::Reno
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1000;

    #[test]
    fn fast_recovery_halves_and_the_exit_deflates_to_ssthresh() {
        // RFC 5681 §3.2 steps 2 and 6 for a flight of 12 segments.
        let mut c = Reno::new(MSS, 12);
        c.on_congestion_event(SimTime::ZERO, 12 * MSS);
        assert_eq!((c.window(), c.ssthresh()), (6 * MSS, 6 * MSS));
        c.on_recovery_exit(SimTime::ZERO);
        assert_eq!(c.window(), 6 * MSS);
        // Then congestion avoidance: 6 ACKs of one segment add one.
        for _ in 0..6 {
            c.on_ack(SimTime::ZERO, MSS, None, 0);
        }
        assert_eq!(c.window(), 7 * MSS);
    }
}
