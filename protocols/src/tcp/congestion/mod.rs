//! Congestion control behind a narrow trait (as quinn-proto does): TCP keeps
//! RTT estimation, loss detection, recovery and retransmission; a controller
//! only decides the congestion window.

pub mod cubic;
pub mod newreno;

use sim_core::{SimDuration, SimTime};

pub use newreno::NewReno;

/// A congestion controller.
pub trait CongestionControl {
    /// Short name for traces (`newreno`).
    fn name(&self) -> &'static str;
    /// `acked` new bytes were cumulatively acknowledged outside recovery.
    fn on_ack(&mut self, now: SimTime, acked: usize, rtt: Option<SimDuration>, in_flight: usize);
    /// Loss detected by duplicate ACKs or SACK: once per recovery episode.
    fn on_congestion_event(&mut self, now: SimTime, in_flight: usize);
    /// The retransmission timer expired.
    fn on_rto(&mut self, now: SimTime, in_flight: usize);
    /// Recovery ended with a full acknowledgment.
    fn on_recovery_exit(&mut self, now: SimTime);
    /// The congestion window, in bytes.
    fn window(&self) -> usize;
    /// The slow-start threshold, in bytes.
    fn ssthresh(&self) -> usize;
}
