//! Pacing (`pacing.rs`) and BBR on a connection: data segments leave exactly
//! `len / rate` apart, the release time is a timer, ACKs are not held back,
//! and BBR's first pacing rate and window come from the handshake's RTT and
//! the first delivery-rate sample, worked out by hand.

use sim_core::{SimDuration, SimTime};

use super::recovery::{new, s};
use super::*;
use crate::tcp::congestion::{BbrConfig, CcAlgorithm, CcEvent, CongestionControl, NewReno};
use crate::tcp::pacing_gap;

/// NewReno's window with a fixed pacing rate, bytes per second.
struct Paced(NewReno, u64);

impl CongestionControl for Paced {
    fn name(&self) -> &'static str {
        "paced"
    }
    fn on_ack(&mut self, now: SimTime, acked: usize, rtt: Option<SimDuration>, in_flight: usize) {
        self.0.on_ack(now, acked, rtt, in_flight);
    }
    fn on_congestion_event(&mut self, now: SimTime, in_flight: usize) {
        self.0.on_congestion_event(now, in_flight);
    }
    fn on_rto(&mut self, now: SimTime, in_flight: usize) {
        self.0.on_rto(now, in_flight);
    }
    fn on_recovery_exit(&mut self, now: SimTime) {
        self.0.on_recovery_exit(now);
    }
    fn on_idle_restart(&mut self, now: SimTime, restart_window: usize) {
        self.0.on_idle_restart(now, restart_window);
    }
    fn window(&self) -> usize {
        self.0.window()
    }
    fn ssthresh(&self) -> usize {
        self.0.ssthresh()
    }
    fn pacing_rate(&self) -> Option<u64> {
        Some(self.1)
    }
}

/// Established (SRTT 10 ms), then paced at `rate` bytes per second.
fn paced(rate: u64) -> Tcb {
    let mut tcb = established(config());
    tcb.cc = Box::new(Paced(NewReno::new(1460, 10), rate));
    tcb
}

/// The timers due at `at` run; asserts `poll_at` asked for exactly `at`.
#[track_caller]
fn tick_at(tcb: &mut Tcb, at: SimTime) -> Vec<String> {
    assert_eq!(tcb.poll_at(), Some(at), "poll_at");
    let mut out = Vec::new();
    tcb.on_timer(at, &mut out);
    collect(tcb, out)
}

#[test]
fn data_segments_leave_len_over_rate_apart() {
    // 1460 bytes at 1 460 000 B/s: one every millisecond.
    let mut tcb = paced(1_460_000);
    sent!(write(&mut tcb, 100, 20 * 1460), [new(0)]);
    for k in 1..10 {
        sent!(tick(&mut tcb, 100 + u64::from(k)), [new(k)]);
    }
    // The window (10 segments) is full: nothing waits for pacing now, the
    // next timer is the retransmission timer (RTO 1 s from the first segment).
    assert_eq!(tcb.poll_at(), Some(ms(1100)));
    // An ACK releases the next segment at once (the last left at 109 ms,
    // 1 ms before), the one after 1 ms later.
    sent!(recv(&mut tcb, 110, seg(301, s(2))), [new(10)]);
    assert_eq!(tcb.poll_at(), Some(ms(111)));
    sent!(tick(&mut tcb, 111), [new(11)]);
}

#[test]
fn the_gap_is_rounded_up_to_the_nanosecond() {
    // 1460 bytes at 3 000 000 B/s: 486 666.67 ns, so 486 667 ns: the rate
    // is never exceeded.
    assert_eq!(
        pacing_gap(1460, 3_000_000),
        SimDuration::from_nanos(486_667)
    );
    let mut tcb = paced(3_000_000);
    sent!(write(&mut tcb, 100, 20 * 1460), [new(0)]);
    let gap = SimDuration::from_nanos(486_667);
    sent!(tick_at(&mut tcb, ms(100) + gap), [new(1)]);
    sent!(tick_at(&mut tcb, ms(100) + gap + gap), [new(2)]);
}

#[test]
fn acks_are_not_paced() {
    let mut tcb = paced(1_460_000);
    sent!(write(&mut tcb, 100, 20 * 1460), [new(0)]);
    // Data from the peer while our next segment waits: the ACK goes at once.
    sent!(
        recv_data(&mut tcb, 100, seg(301, 101), 100),
        ["<SEQ=1561><ACK=401><CTL=ACK><WND=63900> [ack]"]
    );
    assert_eq!(tcb.poll_at(), Some(ms(101)));
}

#[test]
fn without_a_pacing_rate_the_window_goes_out_at_once() {
    let mut tcb = established(config());
    assert_eq!(tcb.pacing_rate(), None);
    assert_eq!(write(&mut tcb, 100, 20 * 1460).len(), 10);
}

fn bbr() -> TcpConfig {
    TcpConfig {
        cc: CcAlgorithm::Bbr(BbrConfig::default()),
        ..config()
    }
}

#[test]
fn bbr_paces_the_initial_window_at_2_885_times_iw_over_the_handshake_rtt() {
    // §4.2.1: nominal bandwidth = IW / SRTT = 14 600 B / 10 ms = 1 460 000
    // B/s; × 2885/1000 (Startup) = 4 212 100 B/s.
    let mut tcb = established(bbr());
    assert_eq!(tcb.cc_name(), "bbr");
    assert_eq!(tcb.pacing_rate(), Some(4_212_100));
    // 1460 B / 4 212 100 B/s = 346 620.2 ns: 346 621 ns apart.
    let gap = SimDuration::from_nanos(346_621);
    assert_eq!(pacing_gap(1460, 4_212_100), gap);
    sent!(write(&mut tcb, 100, 40 * 1460), [new(0)]);
    let mut at = ms(100);
    for k in 1..10 {
        at += gap;
        sent!(tick_at(&mut tcb, at), [new(k)]);
    }
    assert_eq!(at, ms(100) + SimDuration::from_nanos(9 * 346_621));
    assert_eq!(tcb.poll_at(), Some(ms(1100)), "the initial window is out");
}

#[test]
fn bbr_grows_the_startup_window_by_what_an_ack_delivers() {
    let mut tcb = established(bbr());
    sent!(write(&mut tcb, 100, 40 * 1460), [new(0)]);
    let gap = SimDuration::from_nanos(346_621);
    for k in 1..10u64 {
        tick_at(
            &mut tcb,
            ms(100) + SimDuration::from_nanos(k * gap.as_nanos()),
        );
    }
    // One ACK of all ten at 120 ms: the rate sample is from segment 9, sent
    // 3.119589 ms after the flight began: 14 600 bytes over max(3.119589 ms,
    // 20 ms) = 730 000 B/s. Startup: cwnd 14 600 + 14 600 delivered (below
    // the target 2.885 × BDP + 3 quanta).
    let out = recv(&mut tcb, 120, seg(301, s(10)));
    assert_eq!(tcb.cwnd(), 29_200);
    // Pacing never slows down in Startup (2.885 × 730 000 is less).
    assert_eq!(tcb.pacing_rate(), Some(4_212_100));
    // The pacing clock ran out at 103.47 ms: one segment at once, then paced.
    sent!(out, [new(10)]);
    assert_eq!(tcb.poll_at(), Some(ms(120) + gap));
    assert_eq!(notes(&mut tcb), [], "Startup continues");
}

#[test]
fn bbr_enters_sack_recovery_with_packet_conservation() {
    let mut tcb = established_sack(bbr());
    sent!(write(&mut tcb, 100, 40 * 1460), [new(0)]);
    let gap = SimDuration::from_nanos(346_621);
    for k in 1..10u64 {
        tick_at(
            &mut tcb,
            ms(100) + SimDuration::from_nanos(k * gap.as_nanos()),
        );
    }
    // Segment 0 lost. The first two SACKs each deliver a segment: Startup
    // grows cwnd by it, limited transmit (RFC 6675 §5 (3)) sends one more.
    sent!(recv(&mut tcb, 111, sack(101, &[(s(1), s(2))])), [new(10)]);
    sent!(recv(&mut tcb, 112, sack(101, &[(s(1), s(3))])), [new(11)]);
    // The third starts SACK recovery. §4.2.3.4: cwnd = in flight + max(
    // delivered, 1 SMSS) = pipe (segments 4-11, 8 × 1460; segment 0 is
    // lost) + 1460 = 13 140, so the retransmission alone fits.
    sent!(
        recv(&mut tcb, 113, sack(101, &[(s(1), s(4))])),
        [super::recovery::fast(0)]
    );
    assert_eq!(tcb.cwnd(), 13_140);
    assert_eq!(
        notes(&mut tcb)
            .into_iter()
            .filter(|n| matches!(n, TcpTrace::RecoveryStart(_)))
            .collect::<Vec<_>>(),
        [TcpTrace::RecoveryStart(crate::tcp::RecoveryKind::Sack)]
    );
    assert!(
        !tcb.cc
            .take_events()
            .iter()
            .any(|e| matches!(e, CcEvent::BbrState { .. })),
        "still Startup"
    );
}
