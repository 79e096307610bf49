//! Egress queues: a FIFO with a limit in packets or bytes, managed by one of
//! three disciplines: DropTail (drop arrivals that do not fit), RED (drop or
//! mark arrivals early, by the average queue) and CoDel (drop or mark at the
//! head, by how long packets waited). See [`super::aqm`] for RED and CoDel.
//!
//! Every discipline also drops an arrival that would exceed the limit.

use std::collections::VecDeque;

use sim_core::{SimDuration, SimTime, StreamRng};

use super::aqm::{CoDel, CoDelConfig, CoDelVerdict, Red, RedConfig, RedVerdict};
use crate::packet::{Frame, FrameBody};
use crate::trace::DropReason;

/// How much a queue holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueLimit {
    /// At most this many frames waiting.
    Packets(usize),
    /// At most this many bytes (of frames on the wire) waiting.
    Bytes(usize),
}

/// Which discipline manages a queue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Discipline {
    /// Tail drop only.
    DropTail,
    /// Random Early Detection.
    Red(RedConfig),
    /// Controlled Delay.
    CoDel(CoDelConfig),
}

/// A queue's configuration.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueConfig {
    /// Capacity.
    pub limit: QueueLimit,
    /// Discipline.
    pub discipline: Discipline,
}

impl QueueConfig {
    /// A DropTail queue of this limit.
    pub fn drop_tail(limit: QueueLimit) -> QueueConfig {
        QueueConfig {
            limit,
            discipline: Discipline::DropTail,
        }
    }
}

enum State {
    DropTail,
    Red(Box<Red>),
    CoDel(CoDel),
}

/// An egress queue.
pub struct Queue {
    config: QueueConfig,
    state: State,
    frames: VecDeque<(SimTime, Frame)>,
    bytes: usize,
    mtu: usize,
    rng: Option<StreamRng>,
    packet_time: SimDuration,
}

/// Whether an arrival was queued.
#[derive(Debug)]
pub enum Admission {
    /// Queued unchanged.
    Queued,
    /// Queued with its ECN field set to CE (congestion experienced).
    Marked,
    /// Refused.
    Dropped(Frame, DropReason),
}

/// Whether the frame carries an ECN-capable IP packet (ECT(0) or ECT(1), RFC 3168 §5).
pub fn is_ect(frame: &Frame) -> bool {
    frame
        .ipv4()
        .is_some_and(|p| matches!(p.header.tos & 0b11, 0b01 | 0b10))
}

/// Sets the ECN field to CE (RFC 3168 §5).
fn mark_ce(frame: &mut Frame) {
    if let FrameBody::Ipv4(p) = &mut frame.body {
        p.header.tos |= 0b11;
    }
}

impl Queue {
    /// An empty queue on a link with this MTU; `packet_time` is how long a
    /// full-size packet takes to send (RED decays its average over idle time in
    /// these units); `rng` draws RED's decisions.
    pub fn new(config: QueueConfig, mtu: u32, packet_time: SimDuration, rng: StreamRng) -> Queue {
        let mut q = Queue {
            config,
            state: State::DropTail,
            frames: VecDeque::new(),
            bytes: 0,
            mtu: mtu as usize,
            rng: Some(rng),
            packet_time,
        };
        q.set_config(config);
        q
    }

    /// A DropTail queue (for tests and simple links).
    pub fn drop_tail(limit: QueueLimit) -> Queue {
        let rng = sim_core::RngStreams::new(0, 0).stream("drop-tail");
        Queue::new(
            QueueConfig::drop_tail(limit),
            1500,
            SimDuration::from_micros(120),
            rng,
        )
    }

    /// The configuration.
    pub fn config(&self) -> QueueConfig {
        self.config
    }

    /// Changes the configuration (a timeline action); frames already queued
    /// stay; a new discipline starts from its initial state.
    pub fn set_config(&mut self, config: QueueConfig) {
        if config.discipline != self.config.discipline || matches!(self.state, State::DropTail) {
            self.state = match config.discipline {
                Discipline::DropTail => State::DropTail,
                Discipline::Red(cfg) => {
                    let rng = self.rng.take().expect("queue rng");
                    State::Red(Box::new(Red::new(cfg, self.packet_time, rng)))
                }
                Discipline::CoDel(cfg) => State::CoDel(CoDel::new(cfg)),
            };
        }
        self.config = config;
    }

    /// Frames waiting.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether nothing is waiting.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Bytes waiting (wire length of each frame).
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// The most recently queued frame.
    pub fn back(&self) -> Option<&Frame> {
        self.frames.back().map(|(_, f)| f)
    }

    fn fits(&self, size: usize) -> bool {
        match self.config.limit {
            QueueLimit::Packets(n) => self.frames.len() < n,
            QueueLimit::Bytes(b) => self.bytes + size <= b,
        }
    }

    /// Offers an arriving frame at `now`.
    pub fn push(&mut self, now: SimTime, mut frame: Frame) -> Admission {
        let size = frame.wire_len();
        let mut marked = false;
        if let State::Red(red) = &mut self.state {
            match red.on_arrival(now, self.frames.len(), is_ect(&frame)) {
                RedVerdict::Enqueue => {}
                RedVerdict::Mark => marked = true,
                RedVerdict::EarlyDrop => {
                    return Admission::Dropped(frame, DropReason::RedEarlyDrop);
                }
                RedVerdict::ForcedDrop => {
                    return Admission::Dropped(frame, DropReason::RedForcedDrop);
                }
            }
        }
        if !self.fits(size) {
            return Admission::Dropped(frame, DropReason::QueueFull);
        }
        if marked {
            mark_ce(&mut frame);
        }
        self.bytes += size;
        self.frames.push_back((now, frame));
        if marked {
            Admission::Marked
        } else {
            Admission::Queued
        }
    }

    /// Takes the head frame for transmission at `now`. CoDel may drop (or
    /// mark) frames at the head first: dropped ones are pushed to `dropped`.
    pub fn pop(&mut self, now: SimTime, dropped: &mut Vec<(Frame, DropReason)>) -> Option<Frame> {
        loop {
            let (enqueued, frame) = self.frames.pop_front()?;
            self.bytes -= frame.wire_len();
            let State::CoDel(codel) = &mut self.state else {
                return Some(self.after_pop(now, frame));
            };
            let sojourn = now.saturating_since(enqueued);
            match codel.on_head(now, sojourn, self.bytes, self.mtu) {
                CoDelVerdict::Deliver => return Some(self.after_pop(now, frame)),
                CoDelVerdict::Drop if codel.ecn() && is_ect(&frame) => {
                    let mut frame = frame;
                    mark_ce(&mut frame);
                    return Some(self.after_pop(now, frame));
                }
                CoDelVerdict::Drop => dropped.push((frame, DropReason::CoDelDrop)),
            }
        }
    }

    fn after_pop(&mut self, now: SimTime, frame: Frame) -> Frame {
        if self.frames.is_empty() {
            match &mut self.state {
                State::Red(red) => red.on_empty(now),
                State::CoDel(codel) => codel.on_empty(),
                State::DropTail => {}
            }
        }
        frame
    }

    /// Removes everything (the link went down).
    pub fn drain(&mut self) -> impl Iterator<Item = Frame> + '_ {
        self.bytes = 0;
        self.frames.drain(..).map(|(_, f)| f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::FrameBody;
    use crate::wire::{EtherType, EthernetRepr, MacAddr};

    fn frame(payload: usize) -> Frame {
        Frame {
            eth: EthernetRepr {
                src: MacAddr::local(1),
                dst: MacAddr::local(2),
                ethertype: EtherType::Unknown(0x88b5),
            },
            body: FrameBody::Raw(bytes::Bytes::from(vec![0u8; payload])),
        }
    }

    fn queued(a: Admission) -> bool {
        matches!(a, Admission::Queued)
    }

    #[test]
    fn byte_limit_counts_wire_bytes() {
        // Each 1000-byte payload is 1018 bytes on the wire.
        let mut q = Queue::drop_tail(QueueLimit::Bytes(3000));
        let t = SimTime::ZERO;
        assert!(queued(q.push(t, frame(1000))));
        assert!(queued(q.push(t, frame(1000))));
        assert_eq!(q.bytes(), 2036);
        assert!(
            matches!(
                q.push(t, frame(1000)),
                Admission::Dropped(_, DropReason::QueueFull)
            ),
            "3054 > 3000"
        );
        assert!(queued(q.push(t, frame(900))), "2036 + 918 = 2954 fits");
        q.pop(t, &mut Vec::new());
        assert_eq!(q.bytes(), 1936);
    }

    #[test]
    fn fifo_order() {
        let mut q = Queue::drop_tail(QueueLimit::Packets(3));
        for n in [10, 20, 30] {
            assert!(queued(q.push(SimTime::ZERO, frame(n))));
        }
        let sizes: Vec<usize> = std::iter::from_fn(|| q.pop(SimTime::ZERO, &mut Vec::new()))
            .map(|f| f.payload_len())
            .collect();
        assert_eq!(sizes, [10, 20, 30]);
    }

    #[test]
    fn codel_drops_at_the_head_once_packets_waited_too_long() {
        let cfg = QueueConfig {
            limit: QueueLimit::Packets(1000),
            discipline: Discipline::CoDel(CoDelConfig::default()),
        };
        let mut q = Queue::new(
            cfg,
            1500,
            SimDuration::from_micros(120),
            sim_core::RngStreams::new(1, 0).stream("q"),
        );
        for _ in 0..500 {
            assert!(queued(q.push(SimTime::ZERO, frame(1400))));
        }
        let mut dropped = Vec::new();
        // 50 ms of waiting: above target, the interval clock starts; nothing dropped yet.
        q.pop(SimTime::from_nanos(50_000_000), &mut dropped);
        assert!(dropped.is_empty());
        // 100 ms later the delay has stayed above target for one interval: a drop.
        q.pop(SimTime::from_nanos(150_000_000), &mut dropped);
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].1, DropReason::CoDelDrop);
    }
}
