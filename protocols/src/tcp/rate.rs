//! Delivery-rate estimation (draft-cheng-iccrg-delivery-rate-estimation-00),
//! the bandwidth samples a model-based controller (BBR) runs on.
//!
//! The sender remembers, for every segment it sends, the connection's
//! delivery state at that moment: how much had been delivered
//! (`P.delivered`), when the last delivery happened (`P.delivered_time`), when
//! the flight it belongs to began (`P.first_sent_time`) and whether the
//! application limited it (`P.is_app_limited`). When an ACK delivers segments
//! (cumulatively or by SACK: a SACKed segment is delivered when it is first
//! SACKed and never counted again), the most recently sent of them gives the
//! rate sample:
//!
//! ```text
//! RS.delivered    = C.delivered − P.delivered
//! RS.send_elapsed = P.sent_time − P.first_sent_time
//! RS.ack_elapsed  = C.delivered_time − P.delivered_time
//! RS.interval     = max(RS.send_elapsed, RS.ack_elapsed)
//! delivery_rate   = RS.delivered / RS.interval   (none if RS.interval < min RTT)
//! ```
//!
//! Taking the larger of the two intervals keeps ACK compression (ACKs
//! arriving faster than the data left) from overestimating the rate.
//!
//! Units: bytes of data (sequence space of payload; SYN and FIN are not
//! data) and nanoseconds; rates are bytes per second, computed in integers.
//!
//! Retransmissions: a retransmitted segment's send state is replaced by that
//! of its latest transmission, so its delivery is measured from then; its
//! RTT is ambiguous (Karn) and gives no RTT sample. Segments are tracked as
//! sent; a retransmission that covers part of a segment, or an ACK that
//! acknowledges part of one, splits it.
//!
//! Simplifications: a SACK block counts only the tracked segments it covers
//! entirely (receivers SACK whole segments); the minimum RTT that validates
//! an interval is the lowest RTT sample this estimator has seen (Linux keeps
//! a windowed minimum).

use std::collections::VecDeque;

use sim_core::{SimDuration, SimTime};

use crate::wire::{SackBlock, TcpSeq};

/// The send state of one segment as it was (last) sent: the draft's
/// per-packet state P.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Sent {
    /// First sequence number.
    start: TcpSeq,
    /// One past the last.
    end: TcpSeq,
    /// P.sent_time.
    sent_time: SimTime,
    /// P.delivered: C.delivered when it was sent.
    delivered: u64,
    /// P.delivered_time: C.delivered_time when it was sent.
    delivered_time: SimTime,
    /// P.first_sent_time: C.first_sent_time when it was sent.
    first_sent_time: SimTime,
    /// P.is_app_limited.
    is_app_limited: bool,
    /// Sent more than once: its RTT is ambiguous.
    retransmitted: bool,
    /// Delivered by a SACK already (counted once, when first SACKed).
    sacked: bool,
}

impl Sent {
    fn len(&self) -> u64 {
        (self.end - self.start).max(0) as u64
    }
}

/// A delivery-rate sample (the draft's RS), taken from one ACK.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateSample {
    /// RS.prior_delivered: C.delivered when the segment behind the sample was sent.
    pub prior_delivered: u64,
    /// RS.delivered: bytes delivered over the interval.
    pub delivered: u64,
    /// RS.interval = max(send_elapsed, ack_elapsed).
    pub interval: SimDuration,
    /// RS.delivered / RS.interval in bytes per second; `None` when the
    /// interval is zero or shorter than the minimum RTT (too short to trust).
    pub delivery_rate: Option<u64>,
    /// The RTT of the segment behind the sample; `None` if it was retransmitted.
    pub rtt: Option<SimDuration>,
    /// RS.is_app_limited: the segment was sent while the application, not the
    /// network, limited the sending.
    pub is_app_limited: bool,
}

/// What an ACK delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Delivery {
    /// Bytes newly delivered, cumulatively or by SACK.
    pub newly_delivered: u64,
    /// The rate sample, if any segment was delivered.
    pub sample: Option<RateSample>,
}

/// The connection's delivery state (the draft's C) and the send state of
/// every segment not yet cumulatively acknowledged.
#[derive(Clone, Debug, Default)]
pub struct RateEstimator {
    /// Segments from SND.UNA on, in sequence order.
    sent: VecDeque<Sent>,
    /// C.delivered.
    delivered: u64,
    /// C.delivered_time.
    delivered_time: SimTime,
    /// C.first_sent_time.
    first_sent_time: SimTime,
    /// C.app_limited: the C.delivered beyond which samples stop being
    /// application-limited; 0: not application-limited.
    app_limited: u64,
    /// The lowest RTT sample seen.
    min_rtt: Option<SimDuration>,
}

impl RateEstimator {
    /// An estimator with nothing sent.
    pub fn new() -> RateEstimator {
        RateEstimator::default()
    }

    /// C.delivered: bytes delivered so far.
    pub fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Whether the connection is marked application-limited (C.app_limited ≠ 0).
    pub fn is_app_limited(&self) -> bool {
        self.app_limited != 0
    }

    /// "Transmitting a data packet": `len` bytes from `seq` leave at `now`;
    /// `idle` if nothing was outstanding before them (SND.UNA = SND.MAX), which
    /// starts a new flight.
    pub fn on_send(&mut self, now: SimTime, seq: TcpSeq, len: usize, idle: bool) {
        if len == 0 {
            return;
        }
        if idle {
            self.first_sent_time = now;
            self.delivered_time = now;
        }
        let end = seq + len;
        let state = Sent {
            start: seq,
            end,
            sent_time: now,
            delivered: self.delivered,
            delivered_time: self.delivered_time,
            first_sent_time: self.first_sent_time,
            is_app_limited: self.app_limited != 0,
            retransmitted: false,
            sacked: false,
        };
        let top = self.sent.back().map(|s| s.end);
        let first_new = match top {
            Some(top) if seq.lt(top) => {
                // (Partly) a retransmission: refresh the segments it covers.
                self.split_at(seq);
                self.split_at(end);
                let from = self.sent.partition_point(|s| s.start.lt(seq));
                for s in self.sent.iter_mut().skip(from) {
                    if s.start.ge(end) {
                        break;
                    }
                    *s = Sent {
                        start: s.start,
                        end: s.end,
                        retransmitted: true,
                        sacked: s.sacked,
                        ..state
                    };
                }
                top
            }
            _ => seq,
        };
        if end.gt(first_new) {
            self.sent.push_back(Sent {
                start: first_new,
                ..state
            });
        }
    }

    /// Makes a segment boundary at `seq` if a tracked segment straddles it.
    fn split_at(&mut self, seq: TcpSeq) {
        let i = self.sent.partition_point(|s| s.start.lt(seq));
        if i == 0 {
            return;
        }
        let s = self.sent[i - 1];
        if s.end.gt(seq) {
            self.sent[i - 1].end = seq;
            self.sent.insert(i, Sent { start: seq, ..s });
        }
    }

    /// "Upon receiving an ACK": the cumulative acknowledgment is `snd_una`
    /// and `sack` the SACK blocks it carried (empty without SACK). Delivers
    /// what is newly acknowledged or SACKed and generates the rate sample
    /// from the most recently sent segment among them.
    pub fn on_ack(&mut self, now: SimTime, snd_una: TcpSeq, sack: &[SackBlock]) -> Delivery {
        let mut newest: Option<Sent> = None;
        let mut newly = 0;
        let mut deliver = |c: &mut RateEstimator, p: Sent, bytes: u64| {
            c.delivered += bytes;
            c.delivered_time = now;
            newly += bytes;
            let newer = newest.is_none_or(|n| {
                p.sent_time > n.sent_time || (p.sent_time == n.sent_time && p.end.gt(n.end))
            });
            if newer {
                newest = Some(p);
            }
        };
        // Cumulatively acknowledged segments leave; those SACKed before were
        // counted then.
        while let Some(&front) = self.sent.front() {
            if front.end.le(snd_una) {
                self.sent.pop_front();
                if !front.sacked {
                    deliver(self, front, front.len());
                }
            } else {
                if front.start.lt(snd_una) {
                    let acked = Sent {
                        end: snd_una,
                        ..front
                    };
                    if !front.sacked {
                        deliver(self, acked, acked.len());
                    }
                    self.sent[0].start = snd_una;
                }
                break;
            }
        }
        for &(left, right) in sack {
            let left = left.max(snd_una);
            let from = self.sent.partition_point(|s| s.start.lt(left));
            for i in from..self.sent.len() {
                let s = self.sent[i];
                if s.end.gt(right) {
                    break;
                }
                if !s.sacked {
                    self.sent[i].sacked = true;
                    deliver(self, s, s.len());
                }
            }
        }
        // An application-limited phase ends once its data is delivered.
        if self.app_limited != 0 && self.delivered > self.app_limited {
            self.app_limited = 0;
        }
        let sample = newest.map(|p| self.sample(now, p));
        Delivery {
            newly_delivered: newly,
            sample,
        }
    }

    /// The rate sample of an ACK whose most recently sent delivered segment is `p`.
    fn sample(&mut self, now: SimTime, p: Sent) -> RateSample {
        self.first_sent_time = p.sent_time;
        let rtt = (!p.retransmitted).then(|| now.saturating_since(p.sent_time));
        if let Some(r) = rtt {
            self.min_rtt = Some(self.min_rtt.map_or(r, |m| m.min(r)));
        }
        let send_elapsed = p.sent_time.saturating_since(p.first_sent_time);
        let ack_elapsed = self.delivered_time.saturating_since(p.delivered_time);
        let interval = send_elapsed.max(ack_elapsed);
        let delivered = self.delivered - p.delivered;
        let trusted = interval > SimDuration::ZERO && self.min_rtt.is_none_or(|m| interval >= m);
        let delivery_rate = trusted.then(|| {
            (u128::from(delivered) * 1_000_000_000 / u128::from(interval.as_nanos())) as u64
        });
        RateSample {
            prior_delivered: p.delivered,
            delivered,
            interval,
            delivery_rate,
            rtt,
            is_app_limited: p.is_app_limited,
        }
    }

    /// "Detecting application-limited phases": the sender has less than a
    /// segment to send, nothing to retransmit, and room in the window, so
    /// what is in flight now is what the application gave, not what the
    /// network would take. Samples stay application-limited until the data
    /// now in flight (`in_flight` bytes) is delivered.
    pub fn mark_app_limited(&mut self, in_flight: usize) {
        self.app_limited = (self.delivered + in_flight as u64).max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MSS: usize = 1000;

    fn ms(t: u64) -> SimTime {
        SimTime::from_nanos(t * 1_000_000)
    }

    fn seq(k: usize) -> TcpSeq {
        TcpSeq(1 + (k * MSS) as u32)
    }

    /// Four segments sent at 0, 1, 2, 3 ms from idle.
    fn four_sent() -> RateEstimator {
        let mut r = RateEstimator::new();
        for k in 0..4 {
            r.on_send(ms(k as u64), seq(k), MSS, k == 0);
        }
        r
    }

    #[test]
    fn a_flight_acknowledged_one_segment_at_a_time() {
        let mut r = four_sent();
        // Segment 0 (sent at 0 ms, in a flight that began at 0 ms) is ACKed
        // at 50 ms: delivered 1000 bytes; send_elapsed 0, ack_elapsed 50 ms.
        let d = r.on_ack(ms(50), seq(1), &[]);
        assert_eq!(d.newly_delivered, 1000);
        let s = d.sample.unwrap();
        assert_eq!(
            (s.prior_delivered, s.delivered, s.interval),
            (0, 1000, SimDuration::from_millis(50))
        );
        // 1000 B / 50 ms = 20 000 B/s.
        assert_eq!(s.delivery_rate, Some(20_000));
        assert_eq!(s.rtt, Some(SimDuration::from_millis(50)));
        // Segment 1 (sent at 1 ms with P.delivered = 0, P.delivered_time =
        // 0 ms) at 51 ms: 2000 bytes since it was sent, over
        // max(1 − 0, 51 − 0) = 51 ms: 39 215 B/s (integer division).
        let s = r.on_ack(ms(51), seq(2), &[]).sample.unwrap();
        assert_eq!(
            (s.delivered, s.interval),
            (2000, SimDuration::from_millis(51))
        );
        assert_eq!(s.delivery_rate, Some(39_215));
        // Segments 2 and 3 at once at 53 ms: the newest (3, sent at 3 ms) gives
        // the sample, 4000 bytes over 53 ms = 75 471 B/s.
        let d = r.on_ack(ms(53), seq(4), &[]);
        assert_eq!(d.newly_delivered, 2000);
        let s = d.sample.unwrap();
        assert_eq!((s.prior_delivered, s.delivered), (0, 4000));
        assert_eq!(s.delivery_rate, Some(75_471));
        assert_eq!(s.rtt, Some(SimDuration::from_millis(50)));
        assert_eq!(r.delivered(), 4000);
    }

    #[test]
    fn later_segments_carry_the_deliveries_before_them() {
        // Steady state: a segment sent after deliveries began carries them
        // (P.delivered, P.delivered_time), and its interval starts there.
        let mut r = RateEstimator::new();
        r.on_send(ms(0), seq(0), MSS, true);
        r.on_send(ms(1), seq(1), MSS, false);
        r.on_ack(ms(40), seq(1), &[]);
        // Sent at 40 ms: P.delivered = 1000, P.delivered_time = 40 ms,
        // P.first_sent_time = 0 ms (the send time of the last sample's segment).
        r.on_send(ms(40), seq(2), MSS, false);
        r.on_ack(ms(41), seq(2), &[]);
        let s = r.on_ack(ms(81), seq(3), &[]).sample.unwrap();
        // Delivered 3000 − 1000 = 2000 over max(40 − 0, 81 − 40) = 41 ms:
        // 48 780 B/s.
        assert_eq!((s.prior_delivered, s.delivered), (1000, 2000));
        assert_eq!(s.interval, SimDuration::from_millis(41));
        assert_eq!(s.delivery_rate, Some(48_780));
        assert_eq!(s.rtt, Some(SimDuration::from_millis(41)));
    }

    #[test]
    fn sacked_segments_count_once_when_first_sacked() {
        let mut r = four_sent();
        // Segment 0 lost; 1 and 2 SACKed at 52 ms.
        let d = r.on_ack(ms(52), seq(0), &[(seq(1), seq(3))]);
        assert_eq!(d.newly_delivered, 2000);
        let s = d.sample.unwrap();
        // Newest SACKed is segment 2 (sent at 2 ms): 2000 B over 52 ms.
        assert_eq!(
            (s.delivered, s.interval),
            (2000, SimDuration::from_millis(52))
        );
        assert_eq!(s.rtt, Some(SimDuration::from_millis(50)));
        // The same SACK again delivers nothing and gives no sample.
        let d = r.on_ack(ms(53), seq(0), &[(seq(1), seq(3))]);
        assert_eq!(d, Delivery::default());
        // The cumulative ACK of all four counts segments 0 and 3 only.
        let d = r.on_ack(ms(60), seq(4), &[]);
        assert_eq!(d.newly_delivered, 2000);
        assert_eq!(r.delivered(), 4000);
    }

    #[test]
    fn a_retransmission_is_measured_from_its_resend_without_rtt() {
        let mut r = four_sent();
        r.on_ack(ms(52), seq(0), &[(seq(1), seq(4))]); // 3000 delivered at 52 ms
        // Segment 0 resent at 60 ms: P.delivered = 3000, P.delivered_time = 52 ms.
        r.on_send(ms(60), seq(0), MSS, false);
        let d = r.on_ack(ms(110), seq(4), &[]);
        assert_eq!(d.newly_delivered, 1000);
        let s = d.sample.unwrap();
        assert_eq!(s.rtt, None, "Karn: a retransmission gives no RTT");
        // first_sent_time was set to 3 ms by the SACK's sample (segment 3):
        // send_elapsed 60 − 3 = 57 ms, ack_elapsed 110 − 52 = 58 ms.
        assert_eq!((s.prior_delivered, s.delivered), (3000, 1000));
        assert_eq!(s.interval, SimDuration::from_millis(58));
    }

    #[test]
    fn partial_retransmission_and_partial_ack_split_segments() {
        let mut r = RateEstimator::new();
        r.on_send(ms(0), seq(0), 2 * MSS, true); // one 2000-byte segment
        // Its second half resent at 10 ms, then an ACK of the first half.
        r.on_send(ms(10), seq(1), MSS, false);
        let s = r.on_ack(ms(40), seq(1), &[]).sample.unwrap();
        assert_eq!(
            (s.delivered, s.rtt),
            (1000, Some(SimDuration::from_millis(40)))
        );
        // The resent half carries P.delivered = 0 (nothing was delivered at
        // 10 ms): 2000 bytes delivered since, no RTT.
        let s = r.on_ack(ms(50), seq(2), &[]).sample.unwrap();
        assert_eq!((s.delivered, s.rtt), (2000, None));
        assert_eq!(r.delivered(), 2000);
    }

    #[test]
    fn intervals_shorter_than_the_minimum_rtt_give_no_rate() {
        let mut r = RateEstimator::new();
        r.on_send(ms(0), seq(0), MSS, true);
        r.on_ack(ms(50), seq(1), &[]); // min RTT 50 ms
        // A segment sent from idle at 60 ms, resent (spuriously) at 100 ms,
        // its first transmission ACKed at 105 ms: interval max(100 − 60,
        // 105 − 60) = 45 ms, shorter than 50 ms.
        r.on_send(ms(60), seq(1), MSS, true);
        r.on_send(ms(100), seq(1), MSS, false);
        let s = r.on_ack(ms(105), seq(2), &[]).sample.unwrap();
        assert_eq!(s.interval, SimDuration::from_millis(45));
        assert_eq!((s.delivery_rate, s.rtt), (None, None));
    }

    #[test]
    fn app_limited_marks_samples_until_its_data_is_delivered() {
        let mut r = RateEstimator::new();
        r.on_send(ms(0), seq(0), MSS, true);
        // The application has nothing more: samples are app-limited until
        // C.delivered passes 0 + the 1000 bytes in flight.
        r.mark_app_limited(MSS);
        assert!(r.is_app_limited());
        r.on_send(ms(1), seq(1), MSS, false);
        let s = r.on_ack(ms(50), seq(1), &[]).sample.unwrap();
        assert!(!s.is_app_limited, "sent before the mark");
        assert!(r.is_app_limited(), "1000 delivered, not beyond 1000");
        let s = r.on_ack(ms(51), seq(2), &[]).sample.unwrap();
        assert!(s.is_app_limited, "sent after the mark");
        assert!(!r.is_app_limited(), "2000 > 1000: the phase is over");
    }
}
