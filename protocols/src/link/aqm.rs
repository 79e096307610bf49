//! Active queue management: RED with the gentle variant (Floyd and Jacobson
//! 1993, RFC 2309, Floyd's "gentle RED" 2000) and CoDel (RFC 8289), both able
//! to mark ECN-capable packets instead of dropping them (RFC 3168 §5, §7).
//!
//! These are decision machines: the queue asks them what to do with an
//! arrival (RED) or with the packet at the head (CoDel) and acts on the
//! answer. All arithmetic that decides drops is deterministic: RED's averaging
//! uses plain IEEE multiplications (no `powf`), CoDel's control law an integer
//! square root.
//!
//! Simplification: RED thresholds count packets (not bytes), as in the
//! original paper's packet mode.

use rand::Rng;
use sim_core::{SimDuration, SimTime, StreamRng};

/// RED settings (defaults from Floyd's recommendations).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RedConfig {
    /// Average queue (packets) below which nothing is dropped. Default 5.
    pub min_th: f64,
    /// Average queue above which everything is dropped (or, gentle, the
    /// probability climbs to 1 at twice this). Default 15.
    pub max_th: f64,
    /// Drop probability at `max_th`. Default 0.1.
    pub max_p: f64,
    /// Weight of the queue average. Default 0.002.
    pub w_q: f64,
    /// Gentle RED: between `max_th` and `2·max_th` the probability rises linearly
    /// from `max_p` to 1 instead of jumping to 1. Default on.
    pub gentle: bool,
    /// Mark ECN-capable packets instead of dropping them (RFC 3168). Default off.
    pub ecn: bool,
}

impl Default for RedConfig {
    fn default() -> Self {
        RedConfig {
            min_th: 5.0,
            max_th: 15.0,
            max_p: 0.1,
            w_q: 0.002,
            gentle: true,
            ecn: false,
        }
    }
}

/// What to do with an arriving packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RedVerdict {
    /// Queue it.
    Enqueue,
    /// Queue it with the CE mark.
    Mark,
    /// Drop it early (probabilistically).
    EarlyDrop,
    /// Drop it: the average is past the point of no return.
    ForcedDrop,
}

/// RED's state.
#[derive(Clone, Debug)]
pub struct Red {
    cfg: RedConfig,
    avg: f64,
    /// Packets since the last drop or mark (`-1`: below min_th).
    count: i64,
    idle_since: Option<SimTime>,
    /// Transmission time of a typical packet, for decaying the average over idle time.
    packet_time: SimDuration,
    rng: StreamRng,
}

impl Red {
    /// RED for a link that sends a typical packet in `packet_time`.
    pub fn new(cfg: RedConfig, packet_time: SimDuration, rng: StreamRng) -> Red {
        Red {
            cfg,
            avg: 0.0,
            count: -1,
            idle_since: Some(SimTime::ZERO),
            packet_time,
            rng,
        }
    }

    /// The current average queue length, in packets.
    pub fn average(&self) -> f64 {
        self.avg
    }

    /// The queue became empty at `now` (the average decays while it stays so).
    pub fn on_empty(&mut self, now: SimTime) {
        self.idle_since = Some(now);
    }

    /// Decides about an arrival when `queue_len` packets are waiting;
    /// `ect`: the packet is ECN-capable.
    pub fn on_arrival(&mut self, now: SimTime, queue_len: usize, ect: bool) -> RedVerdict {
        let w = self.cfg.w_q;
        match self.idle_since.take() {
            Some(since) if queue_len == 0 => {
                // Floyd & Jacobson §4: as if m small packets had arrived to an empty queue.
                let m = now.saturating_since(since).as_nanos() / self.packet_time.as_nanos().max(1);
                let mut decay = 1.0;
                for _ in 0..m.min(100_000) {
                    decay *= 1.0 - w;
                }
                self.avg *= decay;
            }
            _ => self.avg = (1.0 - w) * self.avg + w * queue_len as f64,
        }
        let (min, max, max_p) = (self.cfg.min_th, self.cfg.max_th, self.cfg.max_p);
        let pb = if self.avg < min {
            self.count = -1;
            return RedVerdict::Enqueue;
        } else if self.avg < max {
            max_p * (self.avg - min) / (max - min)
        } else if self.cfg.gentle && self.avg < 2.0 * max {
            max_p + (1.0 - max_p) * (self.avg - max) / max
        } else {
            self.count = 0;
            return RedVerdict::ForcedDrop;
        };
        self.count += 1;
        // Spread drops evenly: pa = pb / (1 - count·pb).
        let denom = 1.0 - self.count as f64 * pb;
        let pa = if denom <= 0.0 {
            1.0
        } else {
            (pb / denom).min(1.0)
        };
        if self.rng.random::<f64>() < pa {
            self.count = 0;
            if self.cfg.ecn && ect && self.avg < max {
                RedVerdict::Mark
            } else {
                RedVerdict::EarlyDrop
            }
        } else {
            RedVerdict::Enqueue
        }
    }
}

/// CoDel settings (RFC 8289 §4.2, §4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoDelConfig {
    /// Acceptable standing queue delay. Default 5 ms.
    pub target: SimDuration,
    /// Window over which the delay must stay above target. Default 100 ms.
    pub interval: SimDuration,
    /// Mark ECN-capable packets instead of dropping them. Default off.
    pub ecn: bool,
}

impl Default for CoDelConfig {
    fn default() -> Self {
        CoDelConfig {
            target: SimDuration::from_millis(5),
            interval: SimDuration::from_millis(100),
            ecn: false,
        }
    }
}

/// CoDel's state (RFC 8289 §5 pseudocode).
#[derive(Clone, Debug)]
pub struct CoDel {
    cfg: CoDelConfig,
    first_above_time: Option<SimTime>,
    drop_next: SimTime,
    count: u64,
    lastcount: u64,
    dropping: bool,
}

/// What CoDel says about the packet at the head of the queue.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CoDelVerdict {
    /// Send it.
    Deliver,
    /// Drop it (or mark it, if ECN is on and it is capable) and look at the next.
    Drop,
}

impl CoDel {
    /// CoDel in its initial state.
    pub fn new(cfg: CoDelConfig) -> CoDel {
        CoDel {
            cfg,
            first_above_time: None,
            drop_next: SimTime::ZERO,
            count: 0,
            lastcount: 0,
            dropping: false,
        }
    }

    /// Whether ECN marking replaces drops.
    pub fn ecn(&self) -> bool {
        self.cfg.ecn
    }

    /// `t + interval / sqrt(count)` in integer arithmetic (RFC 8289 §5.5).
    fn control_law(&self, t: SimTime, count: u64) -> SimTime {
        let interval = u128::from(self.cfg.interval.as_nanos());
        // interval / sqrt(count) = interval · 2^32 / sqrt(count · 2^64)
        let root = (u128::from(count.max(1)) << 64).isqrt().max(1);
        t + SimDuration::from_nanos(((interval << 32) / root) as u64)
    }

    /// RFC 8289 `dodequeue`: whether the head packet, which has waited
    /// `sojourn`, is eligible for dropping; `backlog_bytes` is what remains
    /// queued behind it, `mtu` the link's MTU.
    fn ok_to_drop(
        &mut self,
        now: SimTime,
        sojourn: SimDuration,
        backlog_bytes: usize,
        mtu: usize,
    ) -> bool {
        if sojourn < self.cfg.target || backlog_bytes <= mtu {
            self.first_above_time = None;
            return false;
        }
        match self.first_above_time {
            None => {
                self.first_above_time = Some(now + self.cfg.interval);
                false
            }
            Some(t) => now >= t,
        }
    }

    /// The queue is empty.
    pub fn on_empty(&mut self) {
        self.first_above_time = None;
    }

    /// Decides about the head packet at dequeue time (RFC 8289 `dequeue`).
    /// Called repeatedly while it answers [`CoDelVerdict::Drop`], each time
    /// with the new head.
    pub fn on_head(
        &mut self,
        now: SimTime,
        sojourn: SimDuration,
        backlog_bytes: usize,
        mtu: usize,
    ) -> CoDelVerdict {
        let ok = self.ok_to_drop(now, sojourn, backlog_bytes, mtu);
        if self.dropping {
            if !ok {
                self.dropping = false;
                return CoDelVerdict::Deliver;
            }
            if now >= self.drop_next {
                self.count += 1;
                self.drop_next = self.control_law(self.drop_next, self.count);
                return CoDelVerdict::Drop;
            }
            return CoDelVerdict::Deliver;
        }
        if ok {
            // Enter the dropping state; restart from the previous count if we
            // were dropping recently (RFC 8289 §5.6).
            self.dropping = true;
            let delta = self.count.saturating_sub(self.lastcount);
            self.count = if delta > 1
                && now.saturating_since(self.drop_next) < self.cfg.interval.saturating_mul(16)
            {
                delta
            } else {
                1
            };
            self.drop_next = self.control_law(now, self.count);
            self.lastcount = self.count;
            return CoDelVerdict::Drop;
        }
        CoDelVerdict::Deliver
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sim_core::RngStreams;

    fn red(cfg: RedConfig) -> Red {
        Red::new(
            cfg,
            SimDuration::from_micros(120),
            RngStreams::new(1, 0).stream("red"),
        )
    }

    #[test]
    fn red_average_is_an_ewma_of_the_queue() {
        let mut r = red(RedConfig::default());
        let t = SimTime::from_nanos(1);
        // First arrival to an empty queue after idle time 1 ns: no decay, avg stays 0.
        assert_eq!(r.on_arrival(t, 0, false), RedVerdict::Enqueue);
        assert_eq!(r.on_arrival(t, 10, false), RedVerdict::Enqueue);
        assert!((r.average() - 0.02).abs() < 1e-12, "0.998·0 + 0.002·10");
        r.on_arrival(t, 10, false);
        assert!((r.average() - (0.998 * 0.02 + 0.02)).abs() < 1e-12);
    }

    #[test]
    fn red_drops_nothing_below_min_and_everything_far_above_max() {
        let mut r = red(RedConfig {
            w_q: 1.0, // the average is the instantaneous queue
            ..RedConfig::default()
        });
        let t = SimTime::from_nanos(1);
        r.on_arrival(t, 1, false);
        assert!((0..100).all(|_| r.on_arrival(t, 4, false) == RedVerdict::Enqueue));
        assert!((0..100).all(|_| r.on_arrival(t, 30, false) == RedVerdict::ForcedDrop));
    }

    #[test]
    fn gentle_red_drop_rate_rises_between_max_and_twice_max() {
        let rate = |q: usize, gentle: bool| {
            let mut r = red(RedConfig {
                w_q: 1.0,
                gentle,
                ..RedConfig::default()
            });
            let t = SimTime::from_nanos(1);
            r.on_arrival(t, 1, false);
            (0..20_000)
                .filter(|_| r.on_arrival(t, q, false) != RedVerdict::Enqueue)
                .count() as f64
                / 20_000.0
        };
        // With drops spaced by pa = pb/(1 - count·pb), the gap between drops is
        // uniform over 1..1/pb packets: a rate of about 2/(1/pb + 1).
        let at_10 = rate(10, true); // pb = 0.05: 2/21 = 0.095
        assert!((0.085..0.105).contains(&at_10), "{at_10}");
        // Gentle: pb = 0.1 + 0.9·5/15 = 0.4, so pa = 0.4/0.6 = 2/3 for the first
        // packet after a drop and 1 for the second: mean gap 4/3, rate 0.75.
        let at_20 = rate(20, true);
        assert!((0.72..0.78).contains(&at_20), "{at_20}");
        assert_eq!(
            rate(20, false),
            1.0,
            "without gentle everything above max_th drops"
        );
    }

    #[test]
    fn red_marks_ect_packets_instead_of_dropping_when_ecn_is_on() {
        let mut r = red(RedConfig {
            w_q: 1.0,
            ecn: true,
            ..RedConfig::default()
        });
        let t = SimTime::from_nanos(1);
        r.on_arrival(t, 1, true);
        let verdicts: Vec<_> = (0..2000).map(|_| r.on_arrival(t, 12, true)).collect();
        assert!(verdicts.contains(&RedVerdict::Mark));
        assert!(!verdicts.contains(&RedVerdict::EarlyDrop));
    }

    #[test]
    fn red_average_decays_over_idle_time() {
        let mut r = red(RedConfig {
            w_q: 0.5,
            ..RedConfig::default()
        });
        let t = SimTime::from_nanos(1);
        r.on_arrival(t, 1, false);
        r.on_arrival(t, 8, false);
        let before = r.average();
        r.on_empty(t);
        // Two typical packet times idle: avg · 0.5².
        r.on_arrival(SimTime::from_nanos(1 + 240_000), 0, false);
        assert!((r.average() - before * 0.25).abs() < 1e-12);
    }

    const MS: u64 = 1_000_000;

    fn ms(n: u64) -> SimTime {
        SimTime::from_nanos(n * MS)
    }

    #[test]
    fn codel_drops_after_a_standing_queue_of_one_interval_then_faster() {
        let mut c = CoDel::new(CoDelConfig::default());
        let sojourn = SimDuration::from_millis(20); // well above the 5 ms target
        let backlog = 100_000;
        // First packet above target starts the interval clock (drop at 100 ms).
        assert_eq!(
            c.on_head(ms(0), sojourn, backlog, 1500),
            CoDelVerdict::Deliver
        );
        assert_eq!(
            c.on_head(ms(99), sojourn, backlog, 1500),
            CoDelVerdict::Deliver
        );
        assert_eq!(
            c.on_head(ms(100), sojourn, backlog, 1500),
            CoDelVerdict::Drop
        );
        // Next drop one interval later (count 1), then interval/sqrt(2), interval/sqrt(3).
        assert_eq!(
            c.on_head(ms(199), sojourn, backlog, 1500),
            CoDelVerdict::Deliver
        );
        assert_eq!(
            c.on_head(ms(200), sojourn, backlog, 1500),
            CoDelVerdict::Drop
        );
        assert_eq!(c.drop_next, SimTime::from_nanos(200 * MS + 70_710_678));
        assert_eq!(
            c.on_head(SimTime::from_nanos(270_710_678), sojourn, backlog, 1500),
            CoDelVerdict::Drop
        );
        assert_eq!(c.drop_next, SimTime::from_nanos(270_710_678 + 57_735_026));
    }

    #[test]
    fn codel_stops_dropping_when_the_delay_falls_below_target() {
        let mut c = CoDel::new(CoDelConfig::default());
        let high = SimDuration::from_millis(20);
        c.on_head(ms(0), high, 100_000, 1500);
        assert_eq!(c.on_head(ms(100), high, 100_000, 1500), CoDelVerdict::Drop);
        assert_eq!(
            c.on_head(ms(150), SimDuration::from_millis(2), 100_000, 1500),
            CoDelVerdict::Deliver
        );
        assert!(!c.dropping);
        // A queue of at most one MTU is never dropped from, whatever its delay.
        assert_eq!(c.on_head(ms(400), high, 1500, 1500), CoDelVerdict::Deliver);
    }
}
