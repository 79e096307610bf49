//! TCP Tahoe (Jacobson, "Congestion Avoidance and Control", 1988; 4.3BSD-Tahoe):
//! slow start, congestion avoidance and fast retransmit, but no fast recovery.
//!
//! After a fast retransmit Tahoe does what it does after a timeout:
//! ssthresh = max(FlightSize / 2, 2·SMSS), cwnd = 1 SMSS, and slow start from
//! SND.UNA. The connection implements that recovery ([`RecoveryStyle::Tahoe`]:
//! three duplicate ACKs are treated as a timeout that did not have to be
//! waited for, with go-back-N, as in the Tahoe of Fall & Floyd's 1996
//! simulations); the window arithmetic is the Reno family's
//! (`reno_family.rs`), without the deflation at the end of fast recovery,
//! which Tahoe does not have. An ECN echo (RFC 3168 §6.1.2) still halves
//! the window, as for a fast retransmit with fast recovery.
//!
//! Parameters: none beyond the initial window (`TcpConfig::initial_window`).

use super::RecoveryStyle;
use super::reno_family::{LossResponse, RenoFamily};

/// Tahoe.
pub type Tahoe = RenoFamily<TahoeLoss>;

/// Tahoe's loss response: fast retransmit, then slow start from one segment.
#[derive(Clone, Copy, Debug)]
pub enum TahoeLoss {}

impl LossResponse for TahoeLoss {
    const NAME: &'static str = "tahoe";
    const RECOVERY: RecoveryStyle = RecoveryStyle::Tahoe;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::congestion::CongestionControl;
    use sim_core::SimTime;

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
