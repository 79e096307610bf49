//! CUBIC (RFC 9438), with fast convergence (§4.7), the Reno-friendly region
//! (§4.3) and, as an option, HyStart++ slow start (RFC 9406).
//!
//! Windows are tracked in bytes and converted to segments for the cubic
//! function. Only IEEE-754 `+ - * /` are used (the cube root is Newton's
//! method, not `cbrt`), so results are identical on every platform.

use sim_core::{SimDuration, SimTime};

use super::{CcEvent, CongestionControl, slow_start_increase};

/// CUBIC settings.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CubicConfig {
    /// C, in segments/s³ (RFC 9438 §5.1: 0.4).
    pub c: f64,
    /// β_cubic, the multiplicative decrease factor (RFC 9438 §4.6: 0.7).
    pub beta: f64,
    /// Fast convergence (RFC 9438 §4.7). Default on.
    pub fast_convergence: bool,
    /// HyStart++ (RFC 9406) instead of plain slow start. Default off.
    pub hystart: bool,
}

impl Default for CubicConfig {
    fn default() -> Self {
        CubicConfig {
            c: 0.4,
            beta: 0.7,
            fast_convergence: true,
            hystart: false,
        }
    }
}

/// Cube root by Newton's method (deterministic: only `+ - * /`).
pub fn cube_root(x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    let mut y = if x > 1.0 { x / 3.0 } else { 1.0 };
    for _ in 0..200 {
        let next = (2.0 * y + x / (y * y)) / 3.0;
        if (next - y).abs() <= 1e-12 * next {
            return next;
        }
        y = next;
    }
    y
}

/// HyStart++ constants (RFC 9406 §4.3).
const MIN_RTT_THRESH: SimDuration = SimDuration::from_millis(4);
const MAX_RTT_THRESH: SimDuration = SimDuration::from_millis(16);
const N_RTT_SAMPLE: u32 = 8;
const CSS_GROWTH_DIVISOR: usize = 4;
const CSS_ROUNDS: u32 = 5;

#[derive(Clone, Debug, Default)]
struct HyStart {
    /// Bytes to be acknowledged before this round ends (cwnd at round start).
    round_left: usize,
    last_round_min: Option<SimDuration>,
    current_round_min: Option<SimDuration>,
    samples: u32,
    /// In conservative slow start: the round's baseline and rounds done.
    css: Option<(SimDuration, u32)>,
}

/// CUBIC.
#[derive(Clone, Debug)]
pub struct Cubic {
    cfg: CubicConfig,
    mss: usize,
    cwnd: usize,
    ssthresh: usize,
    /// W_max, segments.
    w_max: f64,
    /// Start of the current congestion-avoidance epoch.
    epoch_start: Option<SimTime>,
    /// K, seconds.
    k: f64,
    /// cwnd at the epoch start, segments.
    cwnd_epoch: f64,
    /// W_est of the Reno-friendly region, segments.
    w_est: f64,
    /// Fractional growth carried between ACKs, bytes.
    carry: f64,
    rtt: Option<SimDuration>,
    hystart: HyStart,
    /// In the slow start that follows a timeout (RFC 3465 §2.3: L = 1 SMSS).
    after_rto: bool,
    /// HyStart++'s decisions, for the trace.
    events: Vec<CcEvent>,
}

impl Cubic {
    /// CUBIC for `mss`-byte segments with an initial window of `initial_segments`.
    pub fn new(mss: usize, initial_segments: u32, cfg: CubicConfig) -> Cubic {
        let cwnd = mss * initial_segments as usize;
        Cubic {
            cfg,
            mss,
            cwnd,
            ssthresh: usize::MAX,
            w_max: 0.0,
            epoch_start: None,
            k: 0.0,
            cwnd_epoch: 0.0,
            w_est: 0.0,
            carry: 0.0,
            rtt: None,
            hystart: HyStart {
                round_left: cwnd,
                ..HyStart::default()
            },
            after_rto: false,
            events: Vec::new(),
        }
    }

    fn segments(&self) -> f64 {
        self.cwnd as f64 / self.mss as f64
    }

    /// W_cubic(t) = C·(t − K)³ + W_max, in segments, t in seconds (RFC 9438 §4.2).
    pub fn w_cubic(&self, t: f64) -> f64 {
        let d = t - self.k;
        self.cfg.c * d * d * d + self.w_max
    }

    /// K, seconds: the time to return to W_max.
    pub fn k(&self) -> f64 {
        self.k
    }

    /// W_max, segments.
    pub fn w_max(&self) -> f64 {
        self.w_max
    }

    fn start_epoch(&mut self, now: SimTime) {
        self.epoch_start = Some(now);
        self.cwnd_epoch = self.segments();
        // RFC 9438 §4.2, eq. 2: K = cbrt((W_max − cwnd_epoch) / C).
        self.k = if self.w_max > self.cwnd_epoch {
            cube_root((self.w_max - self.cwnd_epoch) / self.cfg.c)
        } else {
            0.0
        };
        self.w_est = self.cwnd_epoch;
        self.carry = 0.0;
    }

    fn congestion_avoidance(&mut self, now: SimTime, acked: usize) {
        if self.epoch_start.is_none() {
            self.start_epoch(now);
        }
        let start = self.epoch_start.expect("started");
        let rtt = self.rtt.unwrap_or(SimDuration::from_millis(100));
        let t = now.saturating_since(start).as_secs_f64();
        let cwnd_seg = self.segments();
        // §4.3: Reno-friendly estimate, alpha = 3(1-beta)/(1+beta).
        let alpha = 3.0 * (1.0 - self.cfg.beta) / (1.0 + self.cfg.beta);
        self.w_est += alpha * acked as f64 / self.cwnd as f64;
        // §4.4, §4.5: target = W_cubic(t + RTT), bounded to [cwnd, 1.5 cwnd].
        let target = self
            .w_cubic(t + rtt.as_secs_f64())
            .clamp(cwnd_seg, 1.5 * cwnd_seg);
        let growth_seg = if self.w_cubic(t) < self.w_est {
            // Reno-friendly region: follow W_est.
            (self.w_est - cwnd_seg).max(0.0)
        } else {
            // Concave or convex region: (target − cwnd)/cwnd per segment acked.
            (target - cwnd_seg) / cwnd_seg * (acked as f64 / self.mss as f64)
        };
        self.carry += growth_seg * self.mss as f64;
        let whole = self.carry.floor();
        if whole >= 1.0 {
            self.cwnd += whole as usize;
            self.carry -= whole;
        }
    }

    /// RFC 9406 §4.2: slow start, watching the RTT per round for a rise.
    fn slow_start(&mut self, acked: usize, rtt: Option<SimDuration>) {
        // RFC 9438 §4.10: standard slow start, here with RFC 3465 byte counting.
        let increase = slow_start_increase(acked, self.mss, self.after_rto);
        if !self.cfg.hystart {
            self.cwnd += increase;
            return;
        }
        let h = &mut self.hystart;
        if let Some(r) = rtt {
            h.current_round_min = Some(h.current_round_min.map_or(r, |m| m.min(r)));
            h.samples += 1;
        }
        let growth = match h.css {
            None => increase,
            Some(_) => increase / CSS_GROWTH_DIVISOR,
        };
        self.cwnd += growth;
        if h.css.is_none() && h.samples >= N_RTT_SAMPLE {
            if let (Some(last), Some(cur)) = (h.last_round_min, h.current_round_min) {
                let eta = SimDuration::from_nanos(last.as_nanos() / 8)
                    .clamp(MIN_RTT_THRESH, MAX_RTT_THRESH);
                if cur >= last + eta {
                    h.css = Some((cur, 0));
                    self.events.push(CcEvent::HystartCss {
                        last_round_min: last,
                        current_round_min: cur,
                    });
                }
            }
        }
        h.round_left = h.round_left.saturating_sub(acked);
        if h.round_left == 0 {
            // A round ended.
            if let Some((baseline, rounds)) = h.css {
                if h.current_round_min.is_some_and(|c| c < baseline) {
                    h.css = None; // the RTT rise was spurious: back to slow start
                    self.events.push(CcEvent::HystartResume);
                } else if rounds + 1 >= CSS_ROUNDS {
                    self.ssthresh = self.cwnd; // enter congestion avoidance
                    self.events.push(CcEvent::HystartExit { cwnd: self.cwnd });
                } else {
                    h.css = Some((baseline, rounds + 1));
                }
            }
            h.last_round_min = h.current_round_min;
            h.current_round_min = None;
            h.samples = 0;
            h.round_left = self.cwnd;
        }
    }
}

impl CongestionControl for Cubic {
    fn name(&self) -> &'static str {
        "cubic"
    }

    fn on_ack(&mut self, now: SimTime, acked: usize, rtt: Option<SimDuration>, _in_flight: usize) {
        if let Some(r) = rtt {
            self.rtt = Some(self.rtt.map_or(r, |m| m.min(r)));
        }
        if self.cwnd < self.ssthresh {
            self.slow_start(acked, rtt);
        } else {
            self.after_rto = false;
            self.congestion_avoidance(now, acked);
        }
    }

    fn on_congestion_event(&mut self, _now: SimTime, _in_flight: usize) {
        let cwnd_seg = self.segments();
        // §4.7 fast convergence: release bandwidth when the window did not regain W_max.
        self.w_max = if self.cfg.fast_convergence && cwnd_seg < self.w_max {
            cwnd_seg * (1.0 + self.cfg.beta) / 2.0
        } else {
            cwnd_seg
        };
        // §4.6: ssthresh = cwnd · β_cubic, at least 2 segments.
        self.ssthresh = ((self.cwnd as f64 * self.cfg.beta) as usize).max(2 * self.mss);
        self.cwnd = self.ssthresh;
        self.epoch_start = None;
    }

    fn on_rto(&mut self, now: SimTime, in_flight: usize) {
        // §4.8: as a congestion event, then one segment.
        self.on_congestion_event(now, in_flight);
        self.cwnd = self.mss;
        self.hystart.css = None;
        self.after_rto = true;
    }

    fn on_recovery_exit(&mut self, _now: SimTime) {
        self.cwnd = self.ssthresh;
    }

    fn on_idle_restart(&mut self, _now: SimTime, restart_window: usize) {
        // RFC 5681 §4.1 (RFC 9438 §4.10 keeps it): cwnd = min(RW, cwnd). The
        // idle time must not count as growth time: a new epoch starts at the
        // next ACK in congestion avoidance.
        self.cwnd = self.cwnd.min(restart_window);
        self.epoch_start = None;
    }

    fn window(&self) -> usize {
        self.cwnd
    }

    fn ssthresh(&self) -> usize {
        self.ssthresh
    }

    fn take_events(&mut self) -> Vec<CcEvent> {
        std::mem::take(&mut self.events)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1000;

    #[test]
    fn cube_root_is_exact_enough() {
        for x in [0.001, 1.0, 8.0, 27.0, 1000.0, 12345.678] {
            let y = cube_root(x);
            assert!((y * y * y - x).abs() <= 1e-9 * x.max(1.0), "{x}: {y}");
        }
        assert_eq!(cube_root(0.0), 0.0);
    }

    #[test]
    fn a_loss_sets_w_max_beta_and_k_as_the_rfc_says() {
        let mut c = Cubic::new(MSS, 100, CubicConfig::default()); // 100 segments
        c.ssthresh = 0; // congestion avoidance
        c.on_congestion_event(SimTime::ZERO, 100 * MSS);
        assert_eq!(c.w_max(), 100.0);
        assert_eq!(c.window(), 70 * MSS, "beta 0.7");
        c.on_ack(SimTime::ZERO, MSS, Some(SimDuration::from_millis(100)), 0);
        // K = cbrt((100 - 70) / 0.4) = cbrt(75) = 4.2172 s.
        assert!((c.k() - 4.217_163_3).abs() < 1e-6, "{}", c.k());
    }

    #[test]
    fn fast_convergence_lowers_w_max_when_the_window_did_not_recover() {
        let mut c = Cubic::new(MSS, 100, CubicConfig::default());
        c.on_congestion_event(SimTime::ZERO, 0); // W_max 100
        c.on_congestion_event(SimTime::ZERO, 0); // at 70 < 100: W_max = 70·1.7/2 = 59.5
        assert!((c.w_max() - 59.5).abs() < 1e-9);
    }

    /// The loss-free epoch after one loss follows W(t) = C(t−K)³ + W_max within 5 %.
    #[test]
    fn the_window_follows_the_cubic_curve() {
        let rtt = SimDuration::from_millis(100);
        let mut c = Cubic::new(MSS, 100, CubicConfig::default());
        c.ssthresh = 0;
        c.on_congestion_event(SimTime::ZERO, 0);
        let mut now = SimTime::ZERO;
        // Feed a window's worth of ACKs every RTT, as a sender limited by cwnd would.
        for round in 1..=80 {
            let acks = c.window() / MSS;
            for _ in 0..acks {
                c.on_ack(now, MSS, Some(rtt), 0);
            }
            now += rtt;
            if round % 10 == 0 {
                let t = now.as_secs_f64();
                // cwnd aims one RTT ahead: compare with W(t) (the RFC's target lags by an RTT).
                let expected = c.w_cubic(t).max(70.0);
                let got = c.window() as f64 / MSS as f64;
                assert!(
                    (got - expected).abs() <= 0.05 * expected,
                    "t={t}: cwnd {got} vs W(t) {expected}"
                );
            }
        }
    }

    #[test]
    fn reno_friendly_region_grows_at_least_like_reno_when_rtt_is_short() {
        // With a tiny RTT and a small window CUBIC's curve is flatter than Reno's line.
        let rtt = SimDuration::from_micros(500);
        let mut c = Cubic::new(MSS, 10, CubicConfig::default());
        c.ssthresh = 0;
        c.on_congestion_event(SimTime::ZERO, 0);
        let mut now = SimTime::ZERO;
        let start = c.window();
        for _ in 0..20 {
            for _ in 0..c.window() / MSS {
                c.on_ack(now, MSS, Some(rtt), 0);
            }
            now += rtt;
        }
        // alpha = 3·0.3/1.7 = 0.529 segments per RTT: about 10 segments in 20 RTTs.
        let grown = (c.window() - start) as f64 / MSS as f64;
        assert!((9.0..12.0).contains(&grown), "{grown}");
    }

    #[test]
    fn hystart_leaves_slow_start_when_the_rtt_rises() {
        let cfg = CubicConfig {
            hystart: true,
            ..CubicConfig::default()
        };
        let mut c = Cubic::new(MSS, 10, cfg);
        let mut rtt = SimDuration::from_millis(50);
        for _round in 0..12 {
            for _ in 0..c.window() / MSS {
                c.on_ack(SimTime::ZERO, MSS, Some(rtt), 0);
            }
            rtt += SimDuration::from_millis(10); // a queue builds up
        }
        assert!(c.ssthresh() != usize::MAX, "HyStart++ ended slow start");
        assert!(
            c.window() < (10 * MSS) << 12,
            "well before doubling 12 times"
        );
    }

    #[test]
    fn hystart_reports_conservative_slow_start_and_its_end() {
        // RFC 9406 §4.2 by hand, SMSS 1000, IW 10, one ACK per segment.
        // Round 1 (10 ACKs) at 50 ms; from round 2 on 60 ms, a rise of more
        // than eta = clamp(50/8 ms, 4 ms, 16 ms) = 6.25 ms: at the 8th sample
        // of round 2 (cwnd 20 000 + 8000) CSS begins, growing a quarter as
        // fast: +250 per ACK for the other 12 ACKs, 31 000 at round end.
        // CSS rounds of 31, 39 (38 750 bytes), 49 and 61 ACKs follow:
        // 38 750, 48 500, 60 750, 76 000, and after the fifth CSS round end
        // congestion avoidance starts at 76 000.
        let cfg = CubicConfig {
            hystart: true,
            ..CubicConfig::default()
        };
        let mut c = Cubic::new(MSS, 10, cfg);
        let mut acks = 0;
        while c.ssthresh() == usize::MAX {
            let rtt = SimDuration::from_millis(if acks < 10 { 50 } else { 60 });
            c.on_ack(SimTime::ZERO, MSS, Some(rtt), 0);
            acks += 1;
            assert!(acks <= 300);
        }
        assert_eq!(acks, 10 + 20 + 31 + 39 + 49 + 61);
        assert_eq!((c.window(), c.ssthresh()), (76_000, 76_000));
        assert_eq!(
            c.take_events(),
            [
                CcEvent::HystartCss {
                    last_round_min: SimDuration::from_millis(50),
                    current_round_min: SimDuration::from_millis(60),
                },
                CcEvent::HystartExit { cwnd: 76_000 },
            ]
        );
        assert_eq!(
            CcEvent::HystartCss {
                last_round_min: SimDuration::from_millis(50),
                current_round_min: SimDuration::from_millis(60),
            }
            .to_string(),
            "slow start ends: HyStart++ saw the RTT rise from 50ms to 60ms, \
             conservative slow start (RFC 9406 §4.2)"
        );
    }
}
