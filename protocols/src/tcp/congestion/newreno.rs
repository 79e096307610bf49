//! TCP NewReno (RFC 6582): the Reno family's window arithmetic
//! (`reno_family.rs`) with NewReno recovery, where partial ACKs keep fast
//! recovery going until everything outstanding at its start is
//! acknowledged, or, when SACK is negotiated, RFC 6675 SACK-based recovery.
//! The connection runs that recovery ([`RecoveryStyle::NewReno`]). The default.
//!
//! Parameters: none beyond the initial window (`TcpConfig::initial_window`).

use super::RecoveryStyle;
use super::reno_family::{LossResponse, RenoFamily};

/// NewReno.
pub type NewReno = RenoFamily<NewRenoLoss>;

/// NewReno's loss response: RFC 6582 fast recovery (RFC 6675 with SACK).
#[derive(Clone, Copy, Debug)]
pub enum NewRenoLoss {}

impl LossResponse for NewRenoLoss {
    const NAME: &'static str = "newreno";
    const RECOVERY: RecoveryStyle = RecoveryStyle::NewReno;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tcp::congestion::CongestionControl;
    use sim_core::SimTime;

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
