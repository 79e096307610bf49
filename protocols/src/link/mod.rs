//! Full-duplex point-to-point links.
//!
//! A link joins two interfaces. Each direction has its own egress queue, its
//! own transmitter (serialization delay = frame bits / rate, counting the
//! Ethernet header, padding and FCS), its own propagation delay and its own
//! [`impair::Channel`]. A frame's life in one direction:
//!
//! 1. [`Direction::offer`]: dropped if the link is down, the queue is full or
//!    its discipline (RED) refuses it, else queued (perhaps ECN-marked);
//! 2. [`Direction::start_next`]: when the transmitter is idle, the head of the
//!    queue starts serializing (this is when a capture at the sender sees it);
//! 3. [`Direction::finish_tx`]: serialization done; the channel decides whether
//!    it is lost on the wire and when it arrives at the far end.
//!
//! Taking a link down empties both queues and loses the frames on the wire.

pub mod aqm;
pub mod impair;
pub mod queue;

use sim_core::{SimDuration, SimTime, StreamRng};

use crate::packet::Frame;
use crate::topology::IfaceId;
pub use crate::topology::LinkParams;
use crate::trace::DropReason;
use impair::{Channel, Fate, Impairments};
pub use queue::{Admission, Discipline, Queue, QueueConfig, QueueLimit};

/// One direction of a link.
pub struct Direction {
    /// Rate, delay, MTU.
    pub params: LinkParams,
    /// The egress queue.
    pub queue: Queue,
    /// The wire's impairments.
    pub channel: Channel,
    sending: Option<Frame>,
    queue_drops: Vec<(Frame, DropReason)>,
}

impl Direction {
    /// An idle direction.
    pub fn new(params: LinkParams, queue: Queue, impair: Impairments, rng: StreamRng) -> Self {
        Direction {
            params,
            queue,
            channel: Channel::new(impair, rng),
            sending: None,
            queue_drops: Vec::new(),
        }
    }

    /// Packets the queue discipline dropped at the head (CoDel) since the last call.
    pub fn take_queue_drops(&mut self) -> Vec<(Frame, DropReason)> {
        std::mem::take(&mut self.queue_drops)
    }

    /// The frame most recently queued.
    pub fn queue_back(&self) -> Option<&Frame> {
        self.queue.back()
    }

    /// The frame being serialized.
    pub fn current(&self) -> Option<&Frame> {
        self.sending.as_ref()
    }

    /// Whether a frame is being serialized.
    pub fn is_busy(&self) -> bool {
        self.sending.is_some()
    }

    /// Queues `frame` for transmission at `now`; `Ok(true)` if it was
    /// ECN-marked on the way in; gives it back with a reason if dropped.
    pub fn offer(
        &mut self,
        now: SimTime,
        frame: Frame,
        up: bool,
    ) -> Result<bool, (Frame, DropReason)> {
        if !up {
            return Err((frame, DropReason::LinkDown));
        }
        match self.queue.push(now, frame) {
            Admission::Queued => Ok(false),
            Admission::Marked => Ok(true),
            Admission::Dropped(f, reason) => Err((f, reason)),
        }
    }

    /// Starts serializing the head of the queue if the transmitter is idle.
    /// Returns the frame (to trace and capture) and when serialization ends.
    pub fn start_next(&mut self, now: SimTime) -> Option<(&Frame, SimTime)> {
        if self.sending.is_some() {
            return None;
        }
        let frame = self.queue.pop(now, &mut self.queue_drops)?;
        let done = now + SimDuration::transmission(frame.wire_len() as u64, self.params.rate.bps());
        Some((self.sending.insert(frame), done))
    }

    /// Serialization of the current frame is done: what becomes of it.
    pub fn finish_tx(&mut self, now: SimTime) -> Option<Fate> {
        let frame = self.sending.take()?;
        Some(self.channel.transmit(now, frame, self.params.delay))
    }

    /// Empties the queue and abandons the frame being sent (the link went down).
    pub fn flush(&mut self) -> Vec<Frame> {
        let mut lost: Vec<Frame> = self.sending.take().into_iter().collect();
        lost.extend(self.queue.drain());
        lost
    }
}

/// A full-duplex link.
pub struct Link {
    /// Scenario name.
    pub name: String,
    /// Endpoint `a` and `b`. Direction 0 carries a→b, direction 1 b→a.
    pub ends: [IfaceId; 2],
    /// Whether the link carries frames.
    pub up: bool,
    /// Incremented each time the link goes down, so that frames already on
    /// the wire when it went down are recognised and lost on arrival.
    pub epoch: u32,
    /// The two directions.
    pub dirs: [Direction; 2],
}

impl Link {
    /// The direction that carries frames sent by `from`, and the far interface.
    pub fn direction_from(&self, from: IfaceId) -> (usize, IfaceId) {
        if self.ends[0] == from {
            (0, self.ends[1])
        } else {
            (1, self.ends[0])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::FrameBody;
    use crate::wire::{EtherType, EthernetRepr, MacAddr};
    use sim_core::DataRate;
    use sim_core::RngStreams;

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

    fn direction(limit: QueueLimit) -> Direction {
        Direction::new(
            LinkParams {
                rate: DataRate::from_bps(100_000_000),
                delay: SimDuration::from_millis(10),
                mtu: 1500,
            },
            Queue::drop_tail(limit),
            Impairments::default(),
            RngStreams::new(1, 0).stream("d"),
        )
    }

    #[test]
    fn a_full_size_frame_takes_its_serialization_time_then_the_delay() {
        let mut d = direction(QueueLimit::Packets(10));
        d.offer(SimTime::ZERO, frame(1500), true).unwrap();
        let (_, done) = d.start_next(SimTime::ZERO).unwrap();
        // 14 + 1500 + 4 = 1518 bytes = 12 144 bits at 100 Mbit/s = 121.44 us.
        assert_eq!(done, SimTime::from_nanos(121_440));
        assert!(d.start_next(SimTime::ZERO).is_none(), "transmitter busy");
        let Some(Fate::Deliver(v)) = d.finish_tx(done) else {
            panic!("lost")
        };
        assert_eq!(v[0].0, SimTime::from_nanos(10_121_440));
    }

    #[test]
    fn droptail_in_packets_drops_the_arrival_that_does_not_fit() {
        let mut d = direction(QueueLimit::Packets(2));
        assert!(d.offer(SimTime::ZERO, frame(100), true).is_ok());
        assert!(d.offer(SimTime::ZERO, frame(100), true).is_ok());
        let (_, reason) = d.offer(SimTime::ZERO, frame(100), true).unwrap_err();
        assert_eq!(reason, DropReason::QueueFull);
        // Once the head starts transmitting it leaves the queue: room for one more.
        d.start_next(SimTime::ZERO).unwrap();
        assert!(d.offer(SimTime::ZERO, frame(100), true).is_ok());
    }

    #[test]
    fn a_down_link_drops_and_flush_returns_everything() {
        let mut d = direction(QueueLimit::Packets(10));
        assert_eq!(
            d.offer(SimTime::ZERO, frame(10), false).unwrap_err().1,
            DropReason::LinkDown
        );
        d.offer(SimTime::ZERO, frame(10), true).unwrap();
        d.offer(SimTime::ZERO, frame(10), true).unwrap();
        d.start_next(SimTime::ZERO).unwrap();
        assert_eq!(d.flush().len(), 2);
        assert!(!d.is_busy());
        assert!(d.finish_tx(SimTime::ZERO).is_none());
    }
}
