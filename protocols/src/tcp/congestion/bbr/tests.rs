//! BBR's arithmetic worked out by hand from the draft, on hand-built
//! acknowledgments: SMSS 1000 bytes, an initial window of 10 segments, a
//! path of 1 000 000 B/s (8 Mbit/s) and 100 ms (BDP 100 000 bytes).

use super::*;

const MSS: usize = 1000;
const BW: u64 = 1_000_000;
const RTT: SimDuration = SimDuration::from_millis(100);

fn ms(t: u64) -> SimTime {
    SimTime::from_nanos(t * 1_000_000)
}

fn bbr() -> Bbr {
    Bbr::new(MSS, 10, BbrConfig::default(), 7)
}

/// An ACK that delivered `newly` bytes, `delivered` in all, with a sample of
/// `rate` B/s measured from data sent when `prior` bytes were delivered.
fn ack(newly: usize, delivered: u64, prior: u64, rate: u64, in_flight: usize) -> AckSample {
    AckSample {
        newly_delivered: newly,
        delivered,
        rate: Some(RateSample {
            prior_delivered: prior,
            delivered: delivered - prior,
            interval: RTT,
            delivery_rate: Some(rate),
            rtt: Some(RTT),
            is_app_limited: false,
        }),
        in_flight,
        prior_in_flight: in_flight + newly,
        srtt: Some(RTT),
        in_recovery: false,
    }
}

/// Rounds of Startup at a constant bandwidth until the pipe is full: round
/// k (from 1) ends at `k × 100 ms` with an ACK of 100 000 bytes. Returns
/// (time, delivered) after the last.
fn fill_the_pipe(b: &mut Bbr, in_flight: usize) -> (u64, u64) {
    let mut delivered = 0;
    let mut k = 0;
    while !b.filled_pipe() {
        k += 1;
        let prior = delivered;
        delivered += 100_000;
        b.on_delivery(ms(100 * k), &ack(100_000, delivered, prior, BW, in_flight));
        assert!(k <= 4, "the pipe is full after four rounds");
    }
    (100 * k, delivered)
}

fn states(b: &mut Bbr) -> Vec<(BbrState, BbrState)> {
    b.take_events()
        .into_iter()
        .map(|e| match e {
            CcEvent::BbrState { from, to, .. } => (from, to),
            other => panic!("{other:?}"),
        })
        .collect()
}

#[test]
fn startup_paces_at_the_high_gain_from_the_initial_window() {
    let mut b = bbr();
    assert_eq!((b.state(), b.window()), (BbrState::Startup, 10_000));
    // §4.2.1 before any RTT: 10 000 bytes per 1 ms = 10^7 B/s, × 2885/1000.
    assert_eq!(b.pacing_rate(), Some(28_850_000));
    // The handshake measured 100 ms: 10 000 B / 0.1 s = 100 000 B/s × 2.885.
    b.on_delivery(
        ms(100),
        &AckSample {
            srtt: Some(RTT),
            ..AckSample::default()
        },
    );
    assert_eq!(b.pacing_rate(), Some(288_500));
    assert_eq!(b.window(), 10_000, "nothing delivered: the window stays");
}

#[test]
fn startup_grows_the_window_by_what_is_delivered_up_to_the_target() {
    let mut b = bbr();
    b.on_delivery(ms(100), &ack(1000, 1000, 0, BW, 9000));
    // BtlBw 10^6 B/s: pacing 2 885 000 B/s (< 24 Mbit/s: quantum 2 SMSS).
    assert_eq!((b.btlbw(), b.rtprop()), (BW, Some(RTT)));
    assert_eq!(b.pacing_rate(), Some(2_885_000));
    // BDP = 10^6 × 0.1 = 100 000; target = 2.885 × BDP + 3 × 2000 = 294 500.
    assert_eq!(b.inflight(b.cfg.high_gain), 294_500);
    assert_eq!(b.window(), 11_000, "cwnd + delivered");
    b.on_delivery(ms(110), &ack(280_000, 281_000, 0, BW, 0));
    assert_eq!(b.window(), 291_000);
    // Below the target it still grows by all that is delivered, past it not.
    b.on_delivery(ms(120), &ack(10_000, 291_000, 0, BW, 0));
    assert_eq!(b.window(), 301_000);
    b.on_delivery(ms(130), &ack(10_000, 301_000, 0, BW, 0));
    assert_eq!(b.window(), 301_000);
}

#[test]
fn three_rounds_without_25_percent_growth_fill_the_pipe_then_drain_exits_at_one_bdp() {
    let mut b = bbr();
    // Round 1 sets full_bw = 10^6; rounds 2, 3 and 4 do not reach 1.25 × 10^6.
    let (t, delivered) = fill_the_pipe(&mut b, 200_000);
    assert_eq!(t, 400, "four rounds");
    assert_eq!(b.state(), BbrState::Drain);
    assert_eq!(states(&mut b), [(BbrState::Startup, BbrState::Drain)]);
    // Drain paces at 1000/2885 of BtlBw: 346 620 B/s (rounded down).
    assert_eq!(b.pacing_gain(), Gain::new(1000, 2885));
    assert_eq!(b.pacing_rate(), Some(346_620));
    // Still 106 001 bytes in flight: more than BBRInflight(1) = 100 000 +
    // 3 × 2000 = 106 000.
    b.on_delivery(
        ms(t + 10),
        &ack(1000, delivered + 1000, delivered, BW, 106_001),
    );
    assert_eq!(b.state(), BbrState::Drain);
    b.on_delivery(
        ms(t + 20),
        &ack(1000, delivered + 2000, delivered, BW, 106_000),
    );
    assert_eq!(b.state(), BbrState::ProbeBw);
    assert_eq!(states(&mut b), [(BbrState::Drain, BbrState::ProbeBw)]);
}

#[test]
fn probe_bw_sets_the_window_to_twice_the_bdp_plus_quanta() {
    let mut b = bbr();
    // Startup grows the window by 100 000 a round: 110 000, 210 000, 310 000;
    // the fourth round fills the pipe and the window is capped at Drain's
    // target, 2.885 × BDP + 3 × 2000 = 294 500.
    let (t, delivered) = fill_the_pipe(&mut b, 200_000);
    assert_eq!((b.state(), b.window()), (BbrState::Drain, 294_500));
    // In ProbeBW: cwnd = min(cwnd + delivered, 2 × 100 000 + 3 × 2000).
    b.on_delivery(ms(t + 10), &ack(1000, delivered + 1000, delivered, BW, 0));
    assert_eq!(b.state(), BbrState::ProbeBw);
    assert_eq!(b.inflight(b.cfg.cwnd_gain), 206_000);
    assert_eq!(b.window(), 206_000);
    // Pacing: the cycle's gain times BtlBw.
    let gain = b.pacing_gain();
    assert_eq!(b.pacing_rate(), Some(gain.apply(BW)));
}

#[test]
fn probe_bw_starts_at_a_random_phase_but_never_the_draining_one() {
    let start = |seed| {
        let mut b = Bbr::new(MSS, 10, BbrConfig::default(), seed);
        fill_the_pipe(&mut b, 0);
        assert_eq!(b.state(), BbrState::ProbeBw);
        b.cycle_index()
    };
    let mut seen = [false; 8];
    for seed in 0..64 {
        seen[start(seed)] = true;
        assert_eq!(start(seed), start(seed), "the same seed, the same phase");
    }
    // §4.3.4.2: any phase but the 3/4 one (index 1).
    assert_eq!(seen, [true, false, true, true, true, true, true, true]);
}

/// ProbeBW at phase `index`, its stamp at `t` ms; `delivered` so far.
fn in_phase(index: usize) -> (Bbr, u64, u64) {
    let mut b = bbr();
    let (t, delivered) = fill_the_pipe(&mut b, 0);
    // Put the cycle one phase before `index` and advance it at `t`.
    b.cycle_index = (index + 7) % 8;
    b.advance_cycle_phase(ms(t));
    (b, t, delivered)
}

#[test]
fn the_probing_phase_lasts_an_rtprop_and_until_the_extra_is_in_flight() {
    // Phase 0, gain 5/4: BBRInflight(5/4) = 125 000 + 3 × 2000 = 131 000
    // (pacing 1 250 000 B/s: quantum 2 SMSS).
    let (mut b, t, d) = in_phase(0);
    assert_eq!(b.pacing_gain(), Gain::new(5, 4));
    // 100 ms later: not *more* than RTprop.
    b.on_delivery(ms(t + 100), &ack(1000, d + 1000, d, BW, 200_000));
    assert_eq!(b.cycle_index(), 0);
    assert_eq!(b.pacing_rate(), Some(1_250_000));
    // More than RTprop, but 129 999 + 1000 < 131 000 was in flight before the ACK.
    b.on_delivery(ms(t + 101), &ack(1000, d + 2000, d, BW, 129_999));
    assert_eq!(b.cycle_index(), 0);
    b.on_delivery(ms(t + 102), &ack(1000, d + 3000, d, BW, 130_000));
    assert_eq!(b.cycle_index(), 1);
    assert_eq!(b.pacing_rate(), Some(750_000), "3/4 of BtlBw");
}

#[test]
fn the_draining_phase_ends_when_the_queue_is_gone_or_after_an_rtprop() {
    // Phase 1, gain 3/4: over as soon as in flight (before the ACK) is at
    // most BBRInflight(1) = 106 000.
    let (mut b, t, d) = in_phase(1);
    b.on_delivery(ms(t + 10), &ack(1000, d + 1000, d, BW, 105_001));
    assert_eq!(b.cycle_index(), 1, "106 001 before the ACK");
    b.on_delivery(ms(t + 20), &ack(1000, d + 2000, d, BW, 105_000));
    assert_eq!(b.cycle_index(), 2);
    // Phase 2, gain 1: exactly one RTprop (strictly more than 100 ms).
    b.on_delivery(ms(t + 120), &ack(1000, d + 3000, d, BW, 0));
    assert_eq!(b.cycle_index(), 2);
    b.on_delivery(ms(t + 121), &ack(1000, d + 4000, d, BW, 0));
    assert_eq!(b.cycle_index(), 3);
    // The 3/4 phase with a standing queue still ends after an RTprop.
    let (mut b, t, d) = in_phase(1);
    b.on_delivery(ms(t + 101), &ack(1000, d + 1000, d, BW, 500_000));
    assert_eq!(b.cycle_index(), 2);
}

#[test]
fn probe_rtt_after_ten_seconds_without_a_lower_rtt_for_200_ms_and_a_round() {
    let (mut b, t, mut d) = in_phase(2);
    b.take_events();
    let rtprop_stamp = 400; // set by the last 100 ms sample, at 400 ms
    assert_eq!(b.rtprop_stamp, Some(ms(rtprop_stamp)));
    let mut step = |b: &mut Bbr, at: u64, prior: u64, in_flight: usize, rtt_ms: u64| {
        d += 1000;
        let mut a = ack(1000, d, prior, BW, in_flight);
        if let Some(rs) = &mut a.rate {
            rs.rtt = Some(SimDuration::from_millis(rtt_ms));
        }
        b.on_delivery(ms(at), &a);
        d
    };
    // 10 s of samples of 120 ms, none as low as 100 ms.
    let mut now = t;
    while now < rtprop_stamp + 10_000 {
        now += 50;
        step(&mut b, now, 0, 100_000, 120);
    }
    assert_eq!(now, rtprop_stamp + 10_000);
    assert_eq!((b.state(), b.rtprop()), (BbrState::ProbeBw, Some(RTT)));
    // Now > stamp + 10 s: the RTprop estimate expired.
    let entry = now + 1;
    step(&mut b, entry, 0, 100_000, 120);
    assert_eq!(b.state(), BbrState::ProbeRtt);
    assert_eq!(states(&mut b), [(BbrState::ProbeBw, BbrState::ProbeRtt)]);
    // The expired estimate took the 120 ms sample; 4 segments of window.
    assert_eq!(b.rtprop(), Some(SimDuration::from_millis(120)));
    assert_eq!(b.window(), 4 * MSS);
    assert!(b.samples_app_limited());
    // The 200 ms start once in flight is down to 4 segments (at +50 ms),
    // with a round that starts with data delivered from then on.
    let low = entry + 50;
    let round_from = step(&mut b, low, 0, 4000, 101);
    assert_eq!(b.probe_rtt_done_stamp, Some(ms(low + 200)));
    // A round ends (a sample of data sent after `low`), but 200 ms have not passed.
    step(&mut b, low + 150, round_from, 4000, 100);
    assert_eq!(b.state(), BbrState::ProbeRtt);
    assert_eq!(b.rtprop(), Some(RTT), "the lower RTT is taken at once");
    step(&mut b, low + 200, round_from, 4000, 100);
    assert_eq!(b.state(), BbrState::ProbeRtt, "200 ms, not more");
    step(&mut b, low + 201, round_from, 4000, 100);
    assert_eq!(b.state(), BbrState::ProbeBw);
    assert_eq!(states(&mut b), [(BbrState::ProbeRtt, BbrState::ProbeBw)]);
    assert_eq!(b.rtprop_stamp, Some(ms(low + 201)));
    // The window from before ProbeRTT is back (2 × BDP + quanta).
    assert_eq!(b.window(), 206_000);
}

#[test]
fn recovery_conserves_packets_for_a_round_and_restores_the_window_after() {
    let (mut b, t, d) = in_phase(2);
    b.on_delivery(ms(t + 1), &ack(1000, d + 1000, d, BW, 100_000));
    assert_eq!(b.window(), 206_000);
    // Entering recovery with 150 000 bytes in flight and 1000 delivered:
    // cwnd = in flight + max(delivered, SMSS).
    let mut a = ack(1000, d + 2000, d, BW, 150_000);
    a.in_recovery = true;
    b.on_delivery(ms(t + 2), &a);
    assert_eq!(b.window(), 151_000);
    // Conservation: cwnd = max(cwnd, in flight + delivered).
    let mut a = ack(3000, d + 5000, d, BW, 149_000);
    a.in_recovery = true;
    b.on_delivery(ms(t + 3), &a);
    assert_eq!(b.window(), 152_000);
    // The round ends (data sent after recovery began is delivered): the
    // window grows by what is delivered again, up to the target.
    let mut a = ack(1000, d + 6000, d + 5000, BW, 100_000);
    a.in_recovery = true;
    b.on_delivery(ms(t + 200), &a);
    assert_eq!(b.window(), 153_000);
    // Leaving recovery restores the window saved when it began.
    b.on_delivery(ms(t + 300), &ack(1000, d + 7000, d + 5000, BW, 100_000));
    assert_eq!(b.window(), 206_000);
}

#[test]
fn a_timeout_leaves_one_segment_and_recovery_restores_the_window() {
    let (mut b, t, d) = in_phase(2);
    b.on_delivery(ms(t + 1), &ack(1000, d + 1000, d, BW, 100_000));
    b.on_rto(ms(t + 1000), 100_000);
    assert_eq!(b.window(), MSS);
    // In the recovery after the timeout the window grows by what is
    // delivered (never below 4 segments)...
    let mut a = ack(1000, d + 2000, d + 1000, BW, 0);
    a.in_recovery = true;
    b.on_delivery(ms(t + 1100), &a);
    assert_eq!(b.window(), 4 * MSS);
    // ... and the window from before comes back once it is over.
    b.on_delivery(ms(t + 1200), &ack(1000, d + 3000, d + 2000, BW, 0));
    assert_eq!(b.window(), 206_000);
}

#[test]
fn app_limited_samples_only_ever_raise_the_bandwidth_estimate() {
    let mut b = bbr();
    b.on_delivery(ms(100), &ack(1000, 1000, 0, BW, 0));
    let mut low = ack(1000, 2000, 1000, BW / 2, 0);
    if let Some(rs) = &mut low.rate {
        rs.is_app_limited = true;
    }
    b.on_delivery(ms(200), &low);
    assert_eq!(b.btlbw(), BW);
    let mut high = ack(1000, 3000, 2000, 2 * BW, 0);
    if let Some(rs) = &mut high.rate {
        rs.is_app_limited = true;
    }
    b.on_delivery(ms(300), &high);
    assert_eq!(b.btlbw(), 2 * BW);
}
