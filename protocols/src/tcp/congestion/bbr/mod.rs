//! BBR v1 (draft-cardwell-iccrg-bbr-congestion-control-00): congestion
//! control from a model of the path, its bottleneck bandwidth (BBR.BtlBw) and
//! round-trip propagation time (BBR.RTprop), measured with the delivery-rate
//! samples of [`crate::tcp::rate`]. BBR sets a pacing rate (pacing_gain ×
//! BtlBw) and a window (cwnd_gain × BDP + quanta) and cycles through the
//! states of §4.3:
//!
//! - Startup: pacing and cwnd gain 2/ln 2, doubling the rate every round,
//!   until BtlBw grows less than 25% in 3 rounds (the pipe is full);
//! - Drain: pacing gain ln 2 / 2 until what is in flight is back to one BDP;
//! - ProbeBW: pacing gain cycling 5/4, 3/4, 1, 1, 1, 1, 1, 1, one RTprop
//!   each, from a random phase, cwnd gain 2;
//! - ProbeRTT: after 10 s without a lower RTT sample, cwnd 4 segments for
//!   max(200 ms, one round) to measure RTprop again.
//!
//! Loss recovery (§4.2.3.4): on entering fast recovery, packet conservation
//! (cwnd = in flight + delivered) for one round; after a timeout cwnd is one
//! segment; leaving recovery restores the window from before it. The
//! connection runs the retransmissions (RFC 6675 with SACK, RFC 6582 without).
//!
//! All arithmetic is integer: bandwidth in bytes per second, gains as
//! rationals ([`Gain`]), windows in bytes (the draft's "packets" × SMSS).
//!
//! Simplifications: losses are not subtracted from cwnd during recovery
//! (the draft's `packets_lost` term), nor do they end a 5/4 ProbeBW phase
//! early; BBR v1 ignores ECN (an ECE changes nothing here); restart from idle
//! (§4.3.4.3) happens when the connection's RFC 5681 §4.1 idle restart
//! would, after an idle period longer than the RTO; no long-term bandwidth
//! (policer) sampling, which is Linux's and not the draft's.

pub mod filter;

use sim_core::{SimDuration, SimTime, StreamRng};

use rand::{Rng, SeedableRng};

use super::{AckSample, CcEvent, CongestionControl};
use crate::tcp::rate::RateSample;
use filter::WindowedMax;

/// A gain, the rational `num / den` (integer arithmetic, identical on every
/// platform).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gain {
    /// Numerator.
    pub num: u64,
    /// Denominator (not zero).
    pub den: u64,
}

impl Gain {
    /// `num / den`.
    pub const fn new(num: u64, den: u64) -> Gain {
        Gain { num, den }
    }

    /// 1.
    pub const UNITY: Gain = Gain::new(1, 1);

    /// `x × num / den`, rounded down.
    pub fn apply(self, x: u64) -> u64 {
        (u128::from(x) * u128::from(self.num) / u128::from(self.den)) as u64
    }

    fn cmp_unity(self) -> std::cmp::Ordering {
        self.num.cmp(&self.den)
    }
}

/// BBR's parameters, with the draft's values as defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BbrConfig {
    /// BBRHighGain, Startup's pacing and cwnd gain: 2/ln 2 = 2.885…, here
    /// 2885/1000 (§4.3.2: the smallest gain that doubles the delivery rate
    /// every round).
    pub high_gain: Gain,
    /// Drain's pacing gain, the inverse of Startup's: 1000/2885 (§4.3.3).
    pub drain_gain: Gain,
    /// ProbeBW's cwnd gain: 2 (§4.3.4).
    pub cwnd_gain: Gain,
    /// ProbeBW's pacing gain cycle: 5/4, 3/4, then six times 1 (§4.3.4).
    pub gain_cycle: [Gain; 8],
    /// BtlBwFilterLen: the BtlBw max filter's window, in round trips: 10 (§4.1.1.2).
    pub btlbw_filter_rounds: u64,
    /// RTpropFilterLen: how long an RTprop sample counts: 10 s (§4.1.2.2).
    pub rtprop_filter_len: SimDuration,
    /// ProbeRTTDuration: the least time spent in ProbeRTT: 200 ms (§4.3.5).
    pub probe_rtt_duration: SimDuration,
    /// BBRMinPipeCwnd: the smallest window, and ProbeRTT's, in segments: 4 (§4.2.3.3).
    pub min_pipe_segments: u32,
    /// The BtlBw growth per round below which Startup counts a round
    /// without growth: 5/4, 25% (§4.3.2.2).
    pub full_bw_growth: Gain,
    /// Rounds without that growth that mean the pipe is full: 3 (§4.3.2.2).
    pub full_bw_rounds: u32,
}

impl Default for BbrConfig {
    fn default() -> Self {
        let one = Gain::UNITY;
        BbrConfig {
            high_gain: Gain::new(2885, 1000),
            drain_gain: Gain::new(1000, 2885),
            cwnd_gain: Gain::new(2, 1),
            gain_cycle: [
                Gain::new(5, 4),
                Gain::new(3, 4),
                one,
                one,
                one,
                one,
                one,
                one,
            ],
            btlbw_filter_rounds: 10,
            rtprop_filter_len: SimDuration::from_secs(10),
            probe_rtt_duration: SimDuration::from_millis(200),
            min_pipe_segments: 4,
            full_bw_growth: Gain::new(5, 4),
            full_bw_rounds: 3,
        }
    }
}

/// The states of BBR's state machine (§4.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BbrState {
    /// Filling the pipe, doubling the rate each round.
    Startup,
    /// Draining the queue Startup built.
    Drain,
    /// Cycling the pacing gain around the bandwidth estimate.
    ProbeBw,
    /// Cutting what is in flight to re-measure RTprop.
    ProbeRtt,
}

impl std::fmt::Display for BbrState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            BbrState::Startup => "Startup",
            BbrState::Drain => "Drain",
            BbrState::ProbeBw => "ProbeBW",
            BbrState::ProbeRtt => "ProbeRTT",
        })
    }
}

/// The nominal bandwidth before any RTT is known: the initial window per
/// millisecond (§4.2.1: "or 1ms if SRTT is not yet available").
const NO_RTT_YET: SimDuration = SimDuration::from_millis(1);

/// BBR v1.
#[derive(Clone, Debug)]
pub struct Bbr {
    cfg: BbrConfig,
    mss: usize,
    /// InitialCwnd, bytes.
    initial_cwnd: usize,
    state: BbrState,
    pacing_gain: Gain,
    cwnd_gain: Gain,
    cwnd: usize,
    /// BBR.prior_cwnd: the window saved on entering recovery or ProbeRTT.
    prior_cwnd: usize,
    /// BBR.packet_conservation: the first round of fast recovery.
    packet_conservation: bool,
    /// Whether the last ACK found the connection in loss recovery.
    in_recovery: bool,
    /// BBR.BtlBwFilter, bytes per second over round counts.
    btlbw: WindowedMax,
    /// BBR.RTprop (`None`: infinite, not measured yet).
    rtprop: Option<SimDuration>,
    /// BBR.rtprop_stamp.
    rtprop_stamp: Option<SimTime>,
    /// BBR.rtprop_expired.
    rtprop_expired: bool,
    /// The pacing rate, bytes per second.
    pacing_rate: u64,
    /// Whether the pacing rate was initialized from a measured SRTT.
    has_seen_rtt: bool,
    /// BBR.send_quantum, bytes.
    send_quantum: usize,
    /// BBR.round_count, BBR.next_round_delivered, BBR.round_start (§4.1.1.3).
    round_count: u64,
    next_round_delivered: u64,
    round_start: bool,
    /// BBR.filled_pipe, BBR.full_bw, BBR.full_bw_count (§4.3.2.2).
    filled_pipe: bool,
    full_bw: u64,
    full_bw_count: u32,
    /// BBR.cycle_index and BBR.cycle_stamp (§4.3.4).
    cycle_index: usize,
    cycle_stamp: SimTime,
    /// BBR.probe_rtt_done_stamp and BBR.probe_rtt_round_done (§4.3.5).
    probe_rtt_done_stamp: Option<SimTime>,
    probe_rtt_round_done: bool,
    /// BBR.idle_restart (§4.3.4.3).
    idle_restart: bool,
    /// Draws the ProbeBW start phase (§4.3.4.2).
    rng: StreamRng,
    events: Vec<CcEvent>,
}

impl Bbr {
    /// BBR for `mss`-byte segments with an initial window of
    /// `initial_segments`; `seed` seeds the random ProbeBW start phase
    /// (§4.3.1, BBRInit).
    pub fn new(mss: usize, initial_segments: u32, cfg: BbrConfig, seed: u64) -> Bbr {
        let initial_cwnd = mss * initial_segments as usize;
        let mut bbr = Bbr {
            cfg,
            mss,
            initial_cwnd,
            state: BbrState::Startup,
            pacing_gain: cfg.high_gain,
            cwnd_gain: cfg.high_gain,
            cwnd: initial_cwnd,
            prior_cwnd: 0,
            packet_conservation: false,
            in_recovery: false,
            btlbw: WindowedMax::new(cfg.btlbw_filter_rounds),
            rtprop: None,
            rtprop_stamp: None,
            rtprop_expired: false,
            pacing_rate: 0,
            has_seen_rtt: false,
            send_quantum: mss,
            round_count: 0,
            next_round_delivered: 0,
            round_start: false,
            filled_pipe: false,
            full_bw: 0,
            full_bw_count: 0,
            cycle_index: 0,
            cycle_stamp: SimTime::ZERO,
            probe_rtt_done_stamp: None,
            probe_rtt_round_done: false,
            idle_restart: false,
            rng: StreamRng::seed_from_u64(seed),
            events: Vec::new(),
        };
        bbr.init_pacing_rate(NO_RTT_YET);
        bbr
    }

    /// The state.
    pub fn state(&self) -> BbrState {
        self.state
    }

    /// BBR.BtlBw, bytes per second.
    pub fn btlbw(&self) -> u64 {
        self.btlbw.get()
    }

    /// BBR.RTprop, if measured.
    pub fn rtprop(&self) -> Option<SimDuration> {
        self.rtprop
    }

    /// The current pacing gain.
    pub fn pacing_gain(&self) -> Gain {
        self.pacing_gain
    }

    /// The ProbeBW phase (index into the gain cycle).
    pub fn cycle_index(&self) -> usize {
        self.cycle_index
    }

    /// Whether Startup found the pipe full.
    pub fn filled_pipe(&self) -> bool {
        self.filled_pipe
    }

    /// §4.2.1 BBRInitPacingRate: nominal bandwidth = InitialCwnd / RTT, at
    /// the current pacing gain.
    fn init_pacing_rate(&mut self, rtt: SimDuration) {
        let nominal =
            (self.initial_cwnd as u128 * 1_000_000_000 / u128::from(rtt.as_nanos().max(1))) as u64;
        self.pacing_rate = self.pacing_gain.apply(nominal);
    }

    /// BBRInflight(gain) (§4.2.3.2): gain × BDP + 3 send quanta, or the
    /// initial window while RTprop is unknown.
    pub fn inflight(&self, gain: Gain) -> usize {
        let Some(rtprop) = self.rtprop else {
            return self.initial_cwnd;
        };
        let bdp = u128::from(self.btlbw()) * u128::from(rtprop.as_nanos()) / 1_000_000_000;
        gain.apply(bdp as u64) as usize + 3 * self.send_quantum
    }

    fn min_pipe_cwnd(&self) -> usize {
        self.cfg.min_pipe_segments as usize * self.mss
    }

    fn set_state(&mut self, to: BbrState, why: &'static str) {
        let from = self.state;
        self.state = to;
        self.events.push(CcEvent::BbrState { from, to, why });
    }

    fn enter_startup(&mut self, why: &'static str) {
        self.set_state(BbrState::Startup, why);
        self.pacing_gain = self.cfg.high_gain;
        self.cwnd_gain = self.cfg.high_gain;
    }

    /// §4.3.4: ProbeBW from a random phase other than the 3/4 one (§4.3.4.2:
    /// cycle_index = GainCycleLen − 1 − random(0..=GainCycleLen − 2), then
    /// advanced once).
    fn enter_probe_bw(&mut self, now: SimTime, why: &'static str) {
        self.set_state(BbrState::ProbeBw, why);
        self.pacing_gain = Gain::UNITY;
        self.cwnd_gain = self.cfg.cwnd_gain;
        let len = self.cfg.gain_cycle.len();
        self.cycle_index = len - 1 - self.rng.random_range(0..len as u32 - 1) as usize;
        self.advance_cycle_phase(now);
    }

    fn advance_cycle_phase(&mut self, now: SimTime) {
        self.cycle_stamp = now;
        self.cycle_index = (self.cycle_index + 1) % self.cfg.gain_cycle.len();
        self.pacing_gain = self.cfg.gain_cycle[self.cycle_index];
    }

    /// §4.1.1.3 BBRUpdateRound and §4.1.1.5 BBRUpdateBtlBw.
    fn update_btlbw(&mut self, rs: &RateSample, delivered: u64) {
        if rs.prior_delivered >= self.next_round_delivered {
            self.next_round_delivered = delivered;
            self.round_count += 1;
            self.round_start = true;
            // §4.2.3.4: packet conservation lasts one round.
            self.packet_conservation = false;
        } else {
            self.round_start = false;
        }
        // §4.1.1.4: an app-limited sample counts only if it raises the estimate.
        if let Some(rate) = rs.delivery_rate {
            if rate >= self.btlbw() || !rs.is_app_limited {
                self.btlbw.update(self.round_count, rate);
            }
        }
    }

    /// §4.3.4 BBRCheckCyclePhase / BBRIsNextCyclePhase.
    fn check_cycle_phase(&mut self, now: SimTime, ack: &AckSample) {
        if self.state != BbrState::ProbeBw {
            return;
        }
        let rtprop = self.rtprop.unwrap_or(SimDuration::ZERO);
        let full_length = now.saturating_since(self.cycle_stamp) > rtprop;
        let next = match self.pacing_gain.cmp_unity() {
            std::cmp::Ordering::Equal => full_length,
            // Probing: until the extra is in flight (or losses, not modelled).
            std::cmp::Ordering::Greater => {
                full_length && ack.prior_in_flight >= self.inflight(self.pacing_gain)
            }
            // Draining: a full RTprop, or as soon as the queue is gone.
            std::cmp::Ordering::Less => {
                full_length || ack.prior_in_flight <= self.inflight(Gain::UNITY)
            }
        };
        if next {
            self.advance_cycle_phase(now);
        }
    }

    /// §4.3.2.2 BBRCheckFullPipe.
    fn check_full_pipe(&mut self, rs: &RateSample) {
        if self.filled_pipe || !self.round_start || rs.is_app_limited {
            return;
        }
        if self.btlbw() >= self.cfg.full_bw_growth.apply(self.full_bw) {
            self.full_bw = self.btlbw();
            self.full_bw_count = 0;
            return;
        }
        self.full_bw_count += 1;
        if self.full_bw_count >= self.cfg.full_bw_rounds {
            self.filled_pipe = true;
        }
    }

    /// §4.3.3 BBRCheckDrain.
    fn check_drain(&mut self, now: SimTime, in_flight: usize) {
        if self.state == BbrState::Startup && self.filled_pipe {
            self.set_state(
                BbrState::Drain,
                "pipe full: bandwidth grew less than 25% in 3 rounds",
            );
            self.pacing_gain = self.cfg.drain_gain;
            self.cwnd_gain = self.cfg.high_gain;
        }
        if self.state == BbrState::Drain && in_flight <= self.inflight(Gain::UNITY) {
            self.enter_probe_bw(now, "queue drained: in flight down to one BDP");
        }
    }

    /// §4.1.2.3 BBRUpdateRTprop.
    fn update_rtprop(&mut self, now: SimTime, rtt: Option<SimDuration>) {
        self.rtprop_expired = self
            .rtprop_stamp
            .is_some_and(|s| now > s + self.cfg.rtprop_filter_len);
        if let Some(rtt) = rtt {
            if self.rtprop.is_none_or(|m| rtt <= m) || self.rtprop_expired {
                self.rtprop = Some(rtt);
                self.rtprop_stamp = Some(now);
            }
        }
    }

    /// §4.3.5 BBRCheckProbeRTT and BBRHandleProbeRTT.
    fn check_probe_rtt(&mut self, now: SimTime, ack: &AckSample) {
        if self.state != BbrState::ProbeRtt && self.rtprop_expired && !self.idle_restart {
            self.prior_cwnd = self.save_cwnd();
            self.set_state(
                BbrState::ProbeRtt,
                "no lower RTT sample for 10 s: re-measure RTprop",
            );
            self.pacing_gain = Gain::UNITY;
            self.cwnd_gain = Gain::UNITY;
            self.probe_rtt_done_stamp = None;
        }
        if self.state == BbrState::ProbeRtt {
            match self.probe_rtt_done_stamp {
                None if ack.in_flight <= self.min_pipe_cwnd() => {
                    self.probe_rtt_done_stamp = Some(now + self.cfg.probe_rtt_duration);
                    self.probe_rtt_round_done = false;
                    self.next_round_delivered = ack.delivered;
                }
                None => {}
                Some(done) => {
                    if self.round_start {
                        self.probe_rtt_round_done = true;
                    }
                    if self.probe_rtt_round_done && now > done {
                        self.rtprop_stamp = Some(now);
                        self.restore_cwnd();
                        if self.filled_pipe {
                            self.enter_probe_bw(
                                now,
                                "ProbeRTT done: 200 ms and a round at 4 segments",
                            );
                        } else {
                            self.enter_startup("ProbeRTT done, the pipe was not yet full");
                        }
                    }
                }
            }
        }
        self.idle_restart = false;
    }

    /// §4.2.3.4 BBRSaveCwnd.
    fn save_cwnd(&self) -> usize {
        if !self.in_recovery && self.state != BbrState::ProbeRtt {
            self.cwnd
        } else {
            self.prior_cwnd.max(self.cwnd)
        }
    }

    /// §4.2.3.4 BBRRestoreCwnd.
    fn restore_cwnd(&mut self) {
        self.cwnd = self.cwnd.max(self.prior_cwnd);
    }

    /// §4.2.1 BBRSetPacingRateWithGain: never below the current rate until
    /// the pipe is full.
    fn set_pacing_rate(&mut self) {
        let rate = self.pacing_gain.apply(self.btlbw());
        if rate > 0 && (self.filled_pipe || rate > self.pacing_rate) {
            self.pacing_rate = rate;
        }
    }

    /// §4.2.2 BBRSetSendQuantum: 1 SMSS below 1.2 Mbit/s, 2 below 24 Mbit/s,
    /// else a millisecond of data, at most 64 KB.
    fn set_send_quantum(&mut self) {
        self.send_quantum = if self.pacing_rate < 1_200_000 / 8 {
            self.mss
        } else if self.pacing_rate < 24_000_000 / 8 {
            2 * self.mss
        } else {
            ((self.pacing_rate / 1000) as usize).min(64 * 1024)
        };
    }

    /// §4.2.3.4 (loss recovery), §4.2.3.6 (core adjustment) and §4.2.3.5 (ProbeRTT).
    fn set_cwnd(&mut self, ack: &AckSample) {
        let target = self.inflight(self.cwnd_gain);
        let delivered = ack.newly_delivered;
        if ack.in_recovery && !self.in_recovery {
            // BBROnEnterFastRecovery: conservation for one round from now.
            self.prior_cwnd = self.save_cwnd();
            self.cwnd = ack.in_flight + delivered.max(self.mss);
            self.packet_conservation = true;
            self.next_round_delivered = ack.delivered;
        } else if !ack.in_recovery && self.in_recovery {
            // Leaving recovery: back to the best window known before it.
            self.packet_conservation = false;
            self.restore_cwnd();
        }
        self.in_recovery = ack.in_recovery;
        if self.packet_conservation {
            self.cwnd = self.cwnd.max(ack.in_flight + delivered);
        } else {
            if self.filled_pipe {
                self.cwnd = (self.cwnd + delivered).min(target);
            } else if self.cwnd < target || (ack.delivered as usize) < self.initial_cwnd {
                self.cwnd += delivered;
            }
            self.cwnd = self.cwnd.max(self.min_pipe_cwnd());
        }
        if self.state == BbrState::ProbeRtt {
            self.cwnd = self.cwnd.min(self.min_pipe_cwnd());
        }
    }
}

impl CongestionControl for Bbr {
    fn name(&self) -> &'static str {
        "bbr"
    }

    /// BBR runs on [`CongestionControl::on_delivery`].
    fn on_ack(&mut self, _: SimTime, _: usize, _: Option<SimDuration>, _: usize) {}

    /// BBR v1 does not cut its window on a congestion signal: losses go
    /// through recovery ([`CongestionControl::on_delivery`]), ECN is ignored.
    fn on_congestion_event(&mut self, _now: SimTime, _in_flight: usize) {}

    /// §4.2.3.4: "upon a retransmission timeout … BBR conservatively reduces
    /// cwnd to one packet"; the window before is restored when recovery ends.
    fn on_rto(&mut self, _now: SimTime, _in_flight: usize) {
        self.prior_cwnd = self.save_cwnd();
        self.in_recovery = true;
        self.packet_conservation = false;
        self.cwnd = self.mss;
    }

    fn on_recovery_exit(&mut self, _now: SimTime) {}

    /// §4.3.4.3 restart from idle: pace at BtlBw (gain 1) in ProbeBW, and
    /// keep the window.
    fn on_idle_restart(&mut self, _now: SimTime, _restart_window: usize) {
        self.idle_restart = true;
        if self.state == BbrState::ProbeBw {
            let rate = self.btlbw();
            if rate > 0 {
                self.pacing_rate = rate;
            }
        }
    }

    fn window(&self) -> usize {
        self.cwnd
    }

    /// BBR has no slow-start threshold.
    fn ssthresh(&self) -> usize {
        usize::MAX
    }

    fn rate_based(&self) -> bool {
        true
    }

    /// §4.2 BBRUpdateOnACK: the model and the state (BBRUpdateModelAndState),
    /// then the pacing rate, send quantum and window
    /// (BBRUpdateControlParameters).
    fn on_delivery(&mut self, now: SimTime, ack: &AckSample) {
        if !self.has_seen_rtt {
            if let Some(srtt) = ack.srtt {
                // The first RTT: the initial pacing rate from it (§4.2.1).
                self.has_seen_rtt = true;
                self.init_pacing_rate(srtt);
            }
        }
        if let Some(rs) = &ack.rate {
            self.update_btlbw(rs, ack.delivered);
            self.check_cycle_phase(now, ack);
            self.check_full_pipe(rs);
            self.check_drain(now, ack.in_flight);
            self.update_rtprop(now, rs.rtt);
            self.check_probe_rtt(now, ack);
        } else {
            self.round_start = false;
        }
        self.set_pacing_rate();
        self.set_send_quantum();
        if ack.newly_delivered > 0 || ack.in_recovery != self.in_recovery {
            self.set_cwnd(ack);
        }
    }

    /// §4.3.5: "ignore low rate samples during ProbeRTT".
    fn samples_app_limited(&self) -> bool {
        self.state == BbrState::ProbeRtt
    }

    fn pacing_rate(&self) -> Option<u64> {
        Some(self.pacing_rate)
    }

    fn take_events(&mut self) -> Vec<CcEvent> {
        std::mem::take(&mut self.events)
    }
}

#[cfg(test)]
mod tests;
