//! Round-trip time estimation and the retransmission timeout (RFC 6298).
//!
//! [`RttEstimator`] keeps SRTT and RTTVAR (§2), computes the RTO with its
//! bounds (§2.4, §2.5), and doubles it when the timer expires (§5.5). It holds
//! no timer itself: the connection arms its retransmission timer for
//! [`RttEstimator::rto`] and calls [`RttEstimator::back_off`] when it fires.
//!
//! Everything is integer nanoseconds. The smoothing divisions truncate toward
//! zero (at most 1 ns lost per sample, far below any clock granularity G).
//!
//! The caller's duties, not this module's:
//! - Karn's rule (§3, RFC 6298 after Karn & Partridge): never pass a sample
//!   taken from a segment that was retransmitted (unless timestamps
//!   disambiguate it, RFC 7323 §4).
//! - §5.7: if the SYN (or SYN-ACK) timed out and the RTO in use is below 3 s,
//!   re-initialise the RTO to 3 s when data transmission begins.
//! - Counting retransmissions to give up on a connection: the backoff exponent
//!   stops growing at `max_rto`, so [`RttEstimator::backoff_count`] is not a
//!   retry counter.

use sim_core::SimDuration;

/// Parameters of the RFC 6298 estimator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RttConfig {
    /// RTO before the first measurement: 1 s (RFC 6298 §2.1).
    pub initial_rto: SimDuration,
    /// Lower bound of a computed RTO: 1 s in RFC 6298 §2.4 ("SHOULD be rounded
    /// up to 1 second"). Linux uses 200 ms (`TCP_RTO_MIN`), which is what most
    /// measured traffic sees.
    pub min_rto: SimDuration,
    /// Upper bound of the RTO, backoff included: 60 s (RFC 6298 §2.5 allows a
    /// maximum "provided it is at least 60 seconds"; Linux uses 120 s).
    pub max_rto: SimDuration,
    /// Clock granularity G, the floor of the variance term: 1 ms (RFC 6298 §2,
    /// §4; Linux's jiffy-based clock is 1 ms to 4 ms).
    pub granularity: SimDuration,
}

impl Default for RttConfig {
    /// The RFC 6298 values: initial and minimum RTO 1 s, maximum 60 s, G = 1 ms.
    fn default() -> Self {
        RttConfig {
            initial_rto: SimDuration::from_secs(1),
            min_rto: SimDuration::from_secs(1),
            max_rto: SimDuration::from_secs(60),
            granularity: SimDuration::from_millis(1),
        }
    }
}

/// SRTT, RTTVAR and the retransmission timeout of one connection (RFC 6298).
#[derive(Clone, Debug)]
pub struct RttEstimator {
    cfg: RttConfig,
    /// Smoothed RTT and RTT variation, both set by the first sample (§2.2).
    smoothed: Option<Smoothed>,
    /// RTO before backoff: `initial_rto` until the first sample (§2.1).
    base_rto: SimDuration,
    /// How many times the RTO was doubled since the last sample (§5.5).
    backoff: u32,
    latest: Option<SimDuration>,
    min_rtt: Option<SimDuration>,
    /// Measurements taken so far.
    samples: u64,
}

#[derive(Clone, Copy, Debug)]
struct Smoothed {
    srtt: u64,
    rttvar: u64,
}

impl RttEstimator {
    /// An estimator with no measurement yet: the RTO is `cfg.initial_rto`.
    pub fn new(cfg: RttConfig) -> Self {
        RttEstimator {
            cfg,
            smoothed: None,
            base_rto: cfg.initial_rto,
            backoff: 0,
            latest: None,
            min_rtt: None,
            samples: 0,
        }
    }

    /// Takes a new measurement R and recomputes the RTO.
    ///
    /// Karn's rule is the caller's job: never pass a sample from a
    /// retransmitted segment.
    ///
    /// - First sample (§2.2): SRTT = R, RTTVAR = R/2.
    /// - Later samples (§2.3), in this order: RTTVAR = 3/4 RTTVAR + 1/4
    ///   |SRTT - R|, then SRTT = 7/8 SRTT + 1/8 R, computed as
    ///   `(3·RTTVAR + |SRTT - R|) / 4` and `(7·SRTT + R) / 8` in nanoseconds,
    ///   truncating.
    /// - RTO = SRTT + max(G, 4·RTTVAR) (§2.2, §2.3), clamped to
    ///   [`min_rto`, `max_rto`] (§2.4, §2.5; `max_rto` wins if they cross).
    ///
    /// A sample also clears the backoff: the doubled RTO of §5.5 holds only
    /// until a new measurement (§5.7 note).
    pub fn sample(&mut self, rtt: SimDuration) {
        let r = rtt.as_nanos();
        let smoothed = match self.smoothed {
            // §2.2: the first measurement.
            None => Smoothed {
                srtt: r,
                rttvar: r / 2,
            },
            // §2.3: RTTVAR first (it uses the old SRTT), then SRTT. u128 keeps
            // the weighted sums exact for any u64 input.
            Some(Smoothed { srtt, rttvar }) => {
                let rttvar = (3 * u128::from(rttvar) + u128::from(srtt.abs_diff(r))) / 4;
                let srtt = (7 * u128::from(srtt) + u128::from(r)) / 8;
                Smoothed {
                    srtt: srtt as u64,
                    rttvar: rttvar as u64,
                }
            }
        };
        self.smoothed = Some(smoothed);
        let variance = self
            .cfg
            .granularity
            .max(SimDuration::from_nanos(smoothed.rttvar).saturating_mul(4));
        let rto = SimDuration::from_nanos(smoothed.srtt).saturating_add(variance);
        self.base_rto = rto.max(self.cfg.min_rto).min(self.cfg.max_rto);
        self.backoff = 0;
        self.latest = Some(rtt);
        self.min_rtt = Some(self.min_rtt.map_or(rtt, |m| m.min(rtt)));
        self.samples += 1;
    }

    /// The RTO to arm the retransmission timer with: the base RTO × 2^backoff,
    /// at most `max_rto`.
    pub fn rto(&self) -> SimDuration {
        let factor = 1u64.checked_shl(self.backoff).unwrap_or(u64::MAX);
        self.base_rto.saturating_mul(factor).min(self.cfg.max_rto)
    }

    /// The retransmission timer expired: double the RTO (§5.5). Once the RTO
    /// has reached `max_rto` the exponent stops growing, so a long outage
    /// never overflows and the first sample afterwards starts from scratch.
    pub fn back_off(&mut self) {
        if self.rto() < self.cfg.max_rto {
            self.backoff += 1;
        }
    }

    /// How many times the RTO has been doubled since the last sample (it stops
    /// counting once the RTO reaches `max_rto`).
    pub fn backoff_count(&self) -> u32 {
        self.backoff
    }

    /// The smoothed round-trip time, once a sample was taken.
    pub fn srtt(&self) -> Option<SimDuration> {
        self.smoothed.map(|s| SimDuration::from_nanos(s.srtt))
    }

    /// The round-trip time variation, once a sample was taken.
    pub fn rttvar(&self) -> Option<SimDuration> {
        self.smoothed.map(|s| SimDuration::from_nanos(s.rttvar))
    }

    /// The last sample.
    pub fn latest(&self) -> Option<SimDuration> {
        self.latest
    }

    /// How many measurements have been taken.
    pub fn sample_count(&self) -> u64 {
        self.samples
    }

    /// The smallest sample seen.
    pub fn min_rtt(&self) -> Option<SimDuration> {
        self.min_rtt
    }

    /// The configuration in use.
    pub fn config(&self) -> &RttConfig {
        &self.cfg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> SimDuration {
        SimDuration::from_millis(n)
    }

    fn us(n: u64) -> SimDuration {
        SimDuration::from_micros(n)
    }

    fn linux_min() -> RttConfig {
        RttConfig {
            min_rto: ms(200),
            ..RttConfig::default()
        }
    }

    #[test]
    fn before_any_sample_the_rto_is_the_initial_one_second() {
        let est = RttEstimator::new(RttConfig::default());
        assert_eq!(est.rto(), ms(1000));
        assert_eq!(est.srtt(), None);
        assert_eq!(est.rttvar(), None);
        assert_eq!(est.latest(), None);
        assert_eq!(est.min_rtt(), None);
        assert_eq!(est.backoff_count(), 0);
    }

    #[test]
    fn first_sample_sets_srtt_and_half_rttvar() {
        // §2.2: SRTT = 100 ms, RTTVAR = 50 ms, RTO = 100 + 4·50 = 300 ms.
        let mut est = RttEstimator::new(RttConfig::default());
        est.sample(ms(100));
        assert_eq!(est.srtt(), Some(ms(100)));
        assert_eq!(est.rttvar(), Some(ms(50)));
        // §2.4: rounded up to the 1 s minimum.
        assert_eq!(est.rto(), ms(1000));

        let mut est = RttEstimator::new(linux_min());
        est.sample(ms(100));
        assert_eq!(est.rto(), ms(300));
    }

    #[test]
    fn second_sample_updates_rttvar_before_srtt() {
        let mut est = RttEstimator::new(linux_min());
        est.sample(ms(100));
        est.sample(ms(200));
        // RTTVAR = 3/4·50 + 1/4·|100 - 200| = 62.5 ms (uses the old SRTT).
        assert_eq!(est.rttvar(), Some(us(62_500)));
        // SRTT = 7/8·100 + 1/8·200 = 112.5 ms.
        assert_eq!(est.srtt(), Some(us(112_500)));
        // RTO = 112.5 + 4·62.5 = 362.5 ms.
        assert_eq!(est.rto(), us(362_500));
        assert_eq!(est.latest(), Some(ms(200)));
        assert_eq!(est.min_rtt(), Some(ms(100)));
    }

    #[test]
    fn smoothing_truncates_to_the_nanosecond() {
        let mut est = RttEstimator::new(linux_min());
        est.sample(SimDuration::from_nanos(3));
        // First sample: RTTVAR = 3/2 = 1 ns (truncated).
        assert_eq!(est.rttvar(), Some(SimDuration::from_nanos(1)));
        est.sample(SimDuration::from_nanos(10));
        // RTTVAR = (3·1 + 7) / 4 = 2 (2.5 truncated); SRTT = (21 + 10) / 8 = 3.
        assert_eq!(est.rttvar(), Some(SimDuration::from_nanos(2)));
        assert_eq!(est.srtt(), Some(SimDuration::from_nanos(3)));
    }

    #[test]
    fn granularity_floors_the_variance_term() {
        // Constant 10 ms samples drive RTTVAR toward 0: RTO = SRTT + G, then
        // the minimum applies.
        let cfg = RttConfig {
            min_rto: SimDuration::ZERO,
            ..RttConfig::default()
        };
        let mut est = RttEstimator::new(cfg);
        for _ in 0..100 {
            est.sample(ms(10));
        }
        assert_eq!(est.srtt(), Some(ms(10)));
        assert_eq!(est.rttvar(), Some(SimDuration::ZERO));
        assert_eq!(est.rto(), ms(11));
    }

    #[test]
    fn computed_rto_is_capped_at_max_rto() {
        let mut est = RttEstimator::new(RttConfig::default());
        est.sample(SimDuration::from_secs(40));
        // 40 + 4·20 = 120 s, capped at 60 s (§2.5).
        assert_eq!(est.rto(), SimDuration::from_secs(60));
    }

    #[test]
    fn backoff_doubles_up_to_sixty_seconds() {
        let mut est = RttEstimator::new(RttConfig::default());
        let mut seen = vec![est.rto().as_nanos() / 1_000_000_000];
        for _ in 0..8 {
            est.back_off();
            seen.push(est.rto().as_nanos() / 1_000_000_000);
        }
        assert_eq!(seen, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        // The exponent stopped growing once 60 s was reached (after 6 doublings).
        assert_eq!(est.backoff_count(), 6);
        for _ in 0..1000 {
            est.back_off();
        }
        assert_eq!(est.rto(), SimDuration::from_secs(60));
        assert_eq!(est.backoff_count(), 6);
    }

    #[test]
    fn a_sample_resets_the_backoff() {
        let mut est = RttEstimator::new(linux_min());
        est.sample(ms(100));
        est.back_off();
        est.back_off();
        assert_eq!(est.rto(), ms(1200));
        assert_eq!(est.backoff_count(), 2);
        est.sample(ms(100));
        // RTTVAR = 3/4·50 + 0 = 37.5 ms; SRTT = 100 ms; RTO = 100 + 150 ms.
        assert_eq!(est.backoff_count(), 0);
        assert_eq!(est.rto(), ms(250));
    }

    #[test]
    fn min_rtt_tracks_the_smallest_sample() {
        let mut est = RttEstimator::new(RttConfig::default());
        for r in [50, 30, 80, 40] {
            est.sample(ms(r));
        }
        assert_eq!(est.min_rtt(), Some(ms(30)));
        assert_eq!(est.latest(), Some(ms(40)));
    }

    #[test]
    fn huge_samples_do_not_overflow() {
        let mut est = RttEstimator::new(RttConfig::default());
        est.sample(SimDuration::MAX);
        est.sample(SimDuration::MAX);
        est.sample(SimDuration::ZERO);
        assert_eq!(est.rto(), SimDuration::from_secs(60));
    }
}
