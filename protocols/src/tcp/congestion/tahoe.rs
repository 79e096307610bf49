//! TCP Tahoe (Jacobson, "Congestion Avoidance and Control", 1988; 4.3BSD-Tahoe):
//! slow start, congestion avoidance and fast retransmit, but no fast recovery.
//!
//! After a fast retransmit Tahoe does what it does after a timeout:
//! ssthresh = max(FlightSize / 2, 2·SMSS), cwnd = 1 SMSS, and slow start from
//! SND.UNA. The connection implements that recovery ([`RecoveryStyle::Tahoe`]:
//! three duplicate ACKs are treated as a timeout that did not have to be
//! waited for, with go-back-N, as in the Tahoe of Fall & Floyd's 1996
//! simulations); this controller is [`NewReno`]'s window arithmetic under
//! another name.
//!
//! Parameters: none beyond the initial window (`TcpConfig::initial_window`).

use sim_core::{SimDuration, SimTime};

use super::{CongestionControl, NewReno, RecoveryStyle};

/// Tahoe.
#[derive(Clone, Debug)]
pub struct Tahoe(NewReno);

impl Tahoe {
    /// A controller for segments of `mss` bytes with an initial window of
    /// `initial_segments`.
    pub fn new(mss: usize, initial_segments: u32) -> Tahoe {
        Tahoe(NewReno::new(mss, initial_segments))
    }
}

impl CongestionControl for Tahoe {
    fn name(&self) -> &'static str {
        "tahoe"
    }

    fn on_ack(&mut self, now: SimTime, acked: usize, rtt: Option<SimDuration>, in_flight: usize) {
        self.0.on_ack(now, acked, rtt, in_flight);
    }

    fn on_congestion_event(&mut self, now: SimTime, in_flight: usize) {
        // Reached only by an ECN echo (RFC 3168 §6.1.2: halve, as for a
        // fast retransmit with fast recovery); losses go through `on_rto`.
        self.0.on_congestion_event(now, in_flight);
    }

    fn on_rto(&mut self, now: SimTime, in_flight: usize) {
        self.0.on_rto(now, in_flight);
    }

    fn on_recovery_exit(&mut self, _now: SimTime) {
        // No fast recovery, nothing to deflate: slow start continues.
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
        RecoveryStyle::Tahoe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1000;

    #[test]
    fn a_loss_means_one_segment_and_slow_start_up_to_half_the_flight() {
        let mut c = Tahoe::new(MSS, 10);
        c.on_rto(SimTime::ZERO, 10 * MSS);
        assert_eq!((c.window(), c.ssthresh()), (MSS, 5 * MSS));
        // Slow start from one segment (one SMSS per ACK after a loss, RFC 3465 §2.3).
        for w in [2, 3, 4, 5] {
            c.on_ack(SimTime::ZERO, MSS, None, 0);
            assert_eq!(c.window(), w * MSS);
        }
        // At ssthresh: congestion avoidance, one SMSS per window.
        for _ in 0..5 {
            c.on_ack(SimTime::ZERO, MSS, None, 0);
        }
        assert_eq!(c.window(), 6 * MSS);
        c.on_recovery_exit(SimTime::ZERO);
        assert_eq!(c.window(), 6 * MSS, "nothing to deflate");
    }
}
