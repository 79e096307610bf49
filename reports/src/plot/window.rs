//! Which part of a long flow the time-sequence graph shows.
//!
//! Every segment of a 60-second 100 Mbit/s flow would be half a million bars:
//! unreadable and megabytes of SVG. A [`TseqWindow`] keeps at most
//! [`TSEQ_SEGMENTS`] consecutive segments (and the ACKs that arrived among
//! them), in bounded memory:
//!
//! - the flow's first segments (slow start), when they include a
//!   retransmission or when no retransmission comes later;
//! - otherwise the segments around the first retransmission after them
//!   (half before it, half from it on), where a reader looks first.

use std::collections::VecDeque;

use super::TSEQ_SEGMENTS;
use super::tseq::{TseqAck, TseqSegment};

/// Segments kept on each side of the first late retransmission.
const HALF: usize = TSEQ_SEGMENTS / 2;

/// The segments and ACKs a time-sequence graph shows.
#[derive(Debug, Default)]
pub(super) struct TseqWindow {
    head: Vec<TseqSegment>,
    head_acks: Vec<TseqAck>,
    head_has_loss: bool,
    ring: VecDeque<TseqSegment>,
    ring_acks: VecDeque<TseqAck>,
    /// Once the ring holds a retransmission: segments still to keep after it.
    after_loss: Option<usize>,
    /// Data segments sent in all.
    pub(super) total: u64,
}

/// What the window holds at the end.
pub(super) struct Shown {
    /// The segments, in the order sent.
    pub(super) segments: Vec<TseqSegment>,
    /// The ACKs, in the order they arrived.
    pub(super) acks: Vec<TseqAck>,
    /// Whether these are the segments around the first retransmission
    /// (rather than the first ones).
    pub(super) around_loss: bool,
}

impl TseqWindow {
    /// Whether the flow's first segments are still being kept.
    pub(super) fn in_head(&self) -> bool {
        self.head.len() < TSEQ_SEGMENTS
    }

    fn closed(&self) -> bool {
        !self.in_head() && (self.head_has_loss || self.after_loss == Some(0))
    }

    /// A data segment was sent.
    pub(super) fn segment(&mut self, s: TseqSegment) {
        self.total += 1;
        if self.in_head() {
            self.head_has_loss |= s.retransmit;
            self.head.push(s);
            return;
        }
        if self.closed() {
            return;
        }
        self.ring.push_back(s);
        match self.after_loss {
            Some(k) => self.after_loss = Some(k - 1),
            None if s.retransmit => self.after_loss = Some(HALF - 1),
            None => {
                while self.ring.len() > HALF {
                    self.ring.pop_front();
                }
                let first = self.ring.front().map_or(0.0, |s| s.t);
                while self.ring_acks.front().is_some_and(|a| a.t < first) {
                    self.ring_acks.pop_front();
                }
            }
        }
    }

    /// An ACK arrived.
    pub(super) fn ack(&mut self, a: TseqAck) {
        if self.in_head() {
            self.head_acks.push(a);
        } else if !self.closed() {
            self.ring_acks.push_back(a);
            // A peer may send many ACKs without us sending: stay bounded.
            while self.ring_acks.len() > 4 * TSEQ_SEGMENTS {
                self.ring_acks.pop_front();
            }
        }
    }

    /// What to draw.
    pub(super) fn shown(&self) -> Shown {
        if self.after_loss.is_some() {
            Shown {
                segments: self.ring.iter().copied().collect(),
                acks: self.ring_acks.iter().cloned().collect(),
                around_loss: true,
            }
        } else {
            Shown {
                segments: self.head.clone(),
                acks: self.head_acks.clone(),
                around_loss: false,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(k: usize, retransmit: bool) -> TseqSegment {
        TseqSegment {
            t: k as f64,
            seq: k as f64 * 1000.0,
            len: 1000.0,
            retransmit,
            probe: false,
        }
    }

    #[test]
    fn a_short_flow_is_shown_whole() {
        let mut w = TseqWindow::default();
        for k in 0..10 {
            w.segment(seg(k, k == 5));
        }
        let s = w.shown();
        assert_eq!(s.segments.len(), 10);
        assert!(!s.around_loss);
    }

    #[test]
    fn a_long_flow_without_loss_shows_its_start() {
        let mut w = TseqWindow::default();
        for k in 0..3 * TSEQ_SEGMENTS {
            w.segment(seg(k, false));
        }
        let s = w.shown();
        assert_eq!(s.segments.len(), TSEQ_SEGMENTS);
        assert_eq!(s.segments[0].t, 0.0);
        assert_eq!(w.total, 3 * TSEQ_SEGMENTS as u64);
    }

    #[test]
    fn a_late_first_loss_is_shown_in_the_middle_of_the_window() {
        let mut w = TseqWindow::default();
        let loss = 2 * TSEQ_SEGMENTS + 17;
        for k in 0..4 * TSEQ_SEGMENTS {
            w.segment(seg(k, k == loss || k == loss + 3 * TSEQ_SEGMENTS / 2));
            w.ack(TseqAck {
                t: k as f64 + 0.5,
                ack: 0.0,
                window_edge: 0.0,
                dup: false,
                sack: vec![],
            });
        }
        let s = w.shown();
        assert!(s.around_loss);
        assert_eq!(s.segments.len(), TSEQ_SEGMENTS);
        assert_eq!(s.segments[HALF].t, loss as f64, "the loss in the middle");
        assert_eq!(s.segments.iter().filter(|s| s.retransmit).count(), 1);
        let (first, last) = (s.segments[0].t, s.segments[TSEQ_SEGMENTS - 1].t);
        assert!(s.acks.iter().all(|a| a.t >= first && a.t <= last + 1.0));
        assert_eq!(s.acks.first().map(|a| a.t), Some(first + 0.5));
    }
}
