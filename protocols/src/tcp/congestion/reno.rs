//! TCP Reno (RFC 5681 §3.2, 4.3BSD-Reno): slow start, congestion avoidance,
//! fast retransmit and fast recovery, where recovery ends at the first ACK
//! that acknowledges new data, full or partial.
//!
//! With several losses in one window, Reno leaves recovery at the first
//! partial ACK with cwnd = ssthresh; the next hole needs another three
//! duplicate ACKs (and another halving) or the retransmission timer, which is
//! the behaviour NewReno (RFC 6582) fixed. The connection implements that
//! recovery ([`RecoveryStyle::Reno`]); the window arithmetic is the Reno
//! family's (`reno_family.rs`).
//!
//! Parameters: none beyond the initial window (`TcpConfig::initial_window`).

use super::RecoveryStyle;
use super::reno_family::{LossResponse, RenoFamily};

/// Reno.
pub type Reno = RenoFamily<RenoLoss>;

/// Reno's loss response: RFC 5681 §3.2 fast recovery, ended by the first new ACK.
#[derive(Clone, Copy, Debug)]
pub enum RenoLoss {}

impl LossResponse for RenoLoss {
    const NAME: &'static str = "reno";
    const RECOVERY: RecoveryStyle = RecoveryStyle::Reno;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::congestion::CongestionControl;
    use sim_core::SimTime;

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
