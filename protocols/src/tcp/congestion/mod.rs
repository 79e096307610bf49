//! Congestion control behind a narrow trait (as quinn-proto does): TCP keeps
//! RTT estimation, loss detection, loss recovery, retransmission and ECN
//! signalling; a controller only decides the congestion window and tells the
//! connection which style of loss recovery goes with it.
//!
//! One file per algorithm:
//!
//! - [`tahoe`]: fast retransmit, then slow start from one segment (Jacobson 1988);
//! - [`reno`]: RFC 5681 fast recovery, which ends at the first new ACK;
//! - [`newreno`]: RFC 5681 window arithmetic with RFC 6582 recovery (or RFC
//!   6675 SACK recovery when SACK is negotiated): the default;
//! - [`cubic`]: RFC 9438, optionally with HyStart++ (RFC 9406);
//! - [`bbr`]: BBR v1 (draft-cardwell-iccrg-bbr-congestion-control-00), a
//!   model-based controller that sets a pacing rate as well as a window.
//!
//! Tahoe, Reno and NewReno are one implementation, [`RenoFamily`] (RFC 5681
//! §3.1 with RFC 3465 byte counting), parameterised by its [`LossResponse`]:
//! what differs between them is recovery, which the connection runs
//! ([`CongestionControl::recovery`]).
//!
//! The loss-based controllers hear about acknowledgments through
//! [`CongestionControl::on_ack`]. A rate-based one ([`CongestionControl::rate_based`])
//! gets every acknowledgment that delivered data, in or out of recovery,
//! with its delivery-rate sample ([`CongestionControl::on_delivery`], samples
//! from [`super::rate`]), sets the window during loss recovery itself, and
//! may ask the connection to pace ([`CongestionControl::pacing_rate`]): the
//! connection then spaces data segments `len / rate` apart.

pub mod bbr;
pub mod cubic;
pub mod newreno;
pub mod reno;
pub mod reno_family;
pub mod tahoe;

use sim_core::{SimDuration, SimTime};

pub use bbr::{Bbr, BbrConfig, BbrState};
pub use cubic::{Cubic, CubicConfig};
pub use newreno::NewReno;
pub use reno::Reno;
pub use reno_family::{LossResponse, RenoFamily};
pub use tahoe::Tahoe;

use super::rate::RateSample;

/// RFC 3465 §2.2 (appropriate byte counting): in slow start cwnd grows by the
/// bytes acknowledged, at most L = 2·SMSS per ACK.
pub const ABC_LIMIT_SEGMENTS: usize = 2;

/// The slow-start increase for an ACK of `acked` new bytes (RFC 5681 (2) with
/// RFC 3465 §2.2): min(acked, L), L = 2·SMSS, or 1·SMSS in the slow start that
/// follows a retransmission timeout (RFC 3465 §2.3: such an ACK may cover a
/// burst the receiver held out of order).
pub fn slow_start_increase(acked: usize, smss: usize, after_rto: bool) -> usize {
    let limit = if after_rto { 1 } else { ABC_LIMIT_SEGMENTS };
    acked.min(limit * smss)
}

/// How the connection recovers from a loss that duplicate ACKs (or SACK) reveal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecoveryStyle {
    /// Fast retransmit, then cwnd = 1 SMSS and slow start from SND.UNA
    /// (go-back-N, as after a timeout); no fast recovery (4.3BSD-Tahoe, and
    /// the Tahoe of Fall & Floyd's simulations).
    Tahoe,
    /// RFC 5681 §3.2 fast recovery with window inflation, ended by the first
    /// ACK of new data, partial or not.
    Reno,
    /// RFC 6582 NewReno: partial ACKs keep recovery going until everything
    /// outstanding at its start is acknowledged. With SACK negotiated, RFC
    /// 6675 SACK-based recovery instead.
    NewReno,
}

/// Which congestion controller a connection runs.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub enum CcAlgorithm {
    /// [`Tahoe`].
    Tahoe,
    /// [`Reno`].
    Reno,
    /// [`NewReno`], the default.
    #[default]
    NewReno,
    /// [`Cubic`] with its settings.
    Cubic(CubicConfig),
    /// [`Bbr`] with its settings.
    Bbr(BbrConfig),
}

impl CcAlgorithm {
    /// A controller for segments of `smss` bytes with an initial window of
    /// `initial_segments` segments. `seed` feeds the controller's own random
    /// draws (BBR's ProbeBW start phase); the connection passes its ISS, so
    /// the draws are deterministic and differ between connections.
    pub fn build(
        &self,
        smss: usize,
        initial_segments: u32,
        seed: u64,
    ) -> Box<dyn CongestionControl> {
        match *self {
            CcAlgorithm::Tahoe => Box::new(Tahoe::new(smss, initial_segments)),
            CcAlgorithm::Reno => Box::new(Reno::new(smss, initial_segments)),
            CcAlgorithm::NewReno => Box::new(NewReno::new(smss, initial_segments)),
            CcAlgorithm::Cubic(cfg) => Box::new(Cubic::new(smss, initial_segments, cfg)),
            CcAlgorithm::Bbr(cfg) => Box::new(Bbr::new(smss, initial_segments, cfg, seed)),
        }
    }

    /// The controller's short name (`newreno`).
    pub fn name(&self) -> &'static str {
        match self {
            CcAlgorithm::Tahoe => "tahoe",
            CcAlgorithm::Reno => "reno",
            CcAlgorithm::NewReno => "newreno",
            CcAlgorithm::Cubic(_) => "cubic",
            CcAlgorithm::Bbr(_) => "bbr",
        }
    }
}

/// What one acknowledgment told the sender, for a rate-based controller
/// ([`CongestionControl::on_delivery`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct AckSample {
    /// Bytes this ACK newly delivered: cumulatively acknowledged or SACKed
    /// for the first time ("packets_delivered" of the BBR draft, in bytes).
    pub newly_delivered: usize,
    /// Every byte delivered so far on the connection (C.delivered).
    pub delivered: u64,
    /// The delivery-rate sample of this ACK, if it gave one.
    pub rate: Option<RateSample>,
    /// Bytes in flight after the ACK (RFC 6675 `pipe` in SACK recovery,
    /// else SND.NXT − SND.UNA).
    pub in_flight: usize,
    /// Bytes in flight before it: `in_flight + newly_delivered`.
    pub prior_in_flight: usize,
    /// The connection's smoothed RTT (RFC 6298), if measured.
    pub srtt: Option<SimDuration>,
    /// Whether the connection is in loss recovery: fast recovery, or after a
    /// retransmission timeout until everything then outstanding is acknowledged.
    pub in_recovery: bool,
}

/// Something a congestion controller did that the trace should show.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CcEvent {
    /// HyStart++ saw the round's minimum RTT rise by at least eta and left
    /// slow start for conservative slow start (RFC 9406 §4.2).
    HystartCss {
        /// The previous round's minimum RTT.
        last_round_min: SimDuration,
        /// This round's minimum RTT.
        current_round_min: SimDuration,
    },
    /// In conservative slow start the RTT fell below the baseline again: the
    /// rise was spurious, slow start resumes (RFC 9406 §4.2).
    HystartResume,
    /// Conservative slow start lasted CSS_ROUNDS rounds: congestion
    /// avoidance from this window (RFC 9406 §4.2).
    HystartExit {
        /// cwnd (= ssthresh), bytes.
        cwnd: usize,
    },
    /// BBR changed state (draft-cardwell-iccrg-bbr-congestion-control-00 §4.3).
    BbrState {
        /// The state left.
        from: BbrState,
        /// The state entered.
        to: BbrState,
        /// Why, in the draft's words.
        why: &'static str,
    },
}

impl std::fmt::Display for CcEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CcEvent::HystartCss {
                last_round_min,
                current_round_min,
            } => write!(
                f,
                "slow start ends: HyStart++ saw the RTT rise from {last_round_min} to \
                 {current_round_min}, conservative slow start (RFC 9406 §4.2)"
            ),
            CcEvent::HystartResume => write!(
                f,
                "HyStart++: the RTT fell back, the rise was spurious: slow start again (RFC 9406 §4.2)"
            ),
            CcEvent::HystartExit { cwnd } => write!(
                f,
                "HyStart++: conservative slow start done, congestion avoidance at cwnd {cwnd} (RFC 9406 §4.2)"
            ),
            CcEvent::BbrState { from, to, why } => write!(f, "BBR {from} -> {to} ({why})"),
        }
    }
}

/// A congestion controller.
pub trait CongestionControl {
    /// Short name for traces (`newreno`).
    fn name(&self) -> &'static str;
    /// `acked` new bytes were cumulatively acknowledged outside recovery.
    fn on_ack(&mut self, now: SimTime, acked: usize, rtt: Option<SimDuration>, in_flight: usize);
    /// Congestion was signalled (a loss found by duplicate ACKs or SACK, or
    /// an ECN echo), at most once per window: the multiplicative decrease.
    /// `in_flight` is the FlightSize to halve (RFC 5681 (4)).
    fn on_congestion_event(&mut self, now: SimTime, in_flight: usize);
    /// The retransmission timer expired (and, for Tahoe, a fast retransmit,
    /// which Tahoe treats as a timeout it did not have to wait for).
    fn on_rto(&mut self, now: SimTime, in_flight: usize);
    /// Recovery ended with a full acknowledgment.
    fn on_recovery_exit(&mut self, now: SimTime);
    /// The connection sent nothing for longer than the RTO (RFC 5681 §4.1):
    /// cwnd = min(cwnd, `restart_window`).
    fn on_idle_restart(&mut self, now: SimTime, restart_window: usize);
    /// The congestion window, in bytes.
    fn window(&self) -> usize;
    /// The slow-start threshold, in bytes.
    fn ssthresh(&self) -> usize;
    /// The loss recovery the connection runs with this controller. Default
    /// [`RecoveryStyle::NewReno`].
    fn recovery(&self) -> RecoveryStyle {
        RecoveryStyle::NewReno
    }
    /// Whether the controller runs on delivery-rate samples: the connection
    /// then keeps the per-segment send state of `rate.rs`, calls
    /// [`CongestionControl::on_delivery`] on every ACK that delivers data, in
    /// or out of recovery, and leaves the window to the controller during
    /// loss recovery too (no inflation, deflation or PRR). Default `false`.
    fn rate_based(&self) -> bool {
        false
    }
    /// An acknowledgment delivered data (or completed the handshake, with
    /// nothing delivered and the first RTT measured); only called if
    /// [`CongestionControl::rate_based`].
    fn on_delivery(&mut self, _now: SimTime, _ack: &AckSample) {}
    /// Whether data sent from now on gives application-limited rate samples
    /// whatever the application does (BBR's ProbeRTT, draft §4.3.5). Default `false`.
    fn samples_app_limited(&self) -> bool {
        false
    }
    /// The rate at which the connection should pace data segments, bytes per
    /// second; `None` (the default): no pacing, send as the window allows.
    fn pacing_rate(&self) -> Option<u64> {
        None
    }
    /// Takes what the controller did that the trace should show, oldest first.
    fn take_events(&mut self) -> Vec<CcEvent> {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_algorithm_builds_its_controller_and_recovery_style() {
        let cases = [
            (CcAlgorithm::Tahoe, "tahoe", RecoveryStyle::Tahoe),
            (CcAlgorithm::Reno, "reno", RecoveryStyle::Reno),
            (CcAlgorithm::NewReno, "newreno", RecoveryStyle::NewReno),
            (
                CcAlgorithm::Cubic(CubicConfig::default()),
                "cubic",
                RecoveryStyle::NewReno,
            ),
            (
                CcAlgorithm::Bbr(BbrConfig::default()),
                "bbr",
                RecoveryStyle::NewReno,
            ),
        ];
        for (alg, name, style) in cases {
            let cc = alg.build(1000, 4, 0);
            assert_eq!((cc.name(), alg.name()), (name, name));
            assert_eq!(cc.recovery(), style, "{name}");
            assert_eq!(cc.window(), 4000, "{name}: IW 4");
            assert_eq!(cc.ssthresh(), usize::MAX, "{name}");
        }
        assert_eq!(CcAlgorithm::default(), CcAlgorithm::NewReno);
    }

    #[test]
    fn abc_limits_slow_start_growth_per_ack() {
        // RFC 3465 §2.2: L = 2 SMSS; §2.3: 1 SMSS after a timeout.
        assert_eq!(slow_start_increase(500, 1000, false), 500);
        assert_eq!(slow_start_increase(5000, 1000, false), 2000);
        assert_eq!(slow_start_increase(5000, 1000, true), 1000);
    }
}
