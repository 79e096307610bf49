//! Egress queues. DropTail (tail drop) with a limit in packets or bytes.

use std::collections::VecDeque;

use crate::packet::Frame;

/// How much a queue holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueLimit {
    /// At most this many frames waiting.
    Packets(usize),
    /// At most this many bytes (of frames on the wire) waiting.
    Bytes(usize),
}

/// A FIFO that drops arrivals when full.
#[derive(Debug)]
pub struct DropTail {
    limit: QueueLimit,
    frames: VecDeque<Frame>,
    bytes: usize,
}

impl DropTail {
    /// An empty queue.
    pub fn new(limit: QueueLimit) -> DropTail {
        DropTail {
            limit,
            frames: VecDeque::new(),
            bytes: 0,
        }
    }

    /// The configured limit.
    pub fn limit(&self) -> QueueLimit {
        self.limit
    }

    /// Changes the limit; frames already queued stay.
    pub fn set_limit(&mut self, limit: QueueLimit) {
        self.limit = limit;
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

    /// Appends `frame`, or gives it back if it does not fit.
    pub fn push(&mut self, frame: Frame) -> Result<(), Frame> {
        let size = frame.wire_len();
        let fits = match self.limit {
            QueueLimit::Packets(n) => self.frames.len() < n,
            QueueLimit::Bytes(b) => self.bytes + size <= b,
        };
        if !fits {
            return Err(frame);
        }
        self.bytes += size;
        self.frames.push_back(frame);
        Ok(())
    }

    /// The most recently queued frame.
    pub fn back(&self) -> Option<&Frame> {
        self.frames.back()
    }

    /// Removes the head.
    pub fn pop(&mut self) -> Option<Frame> {
        let f = self.frames.pop_front()?;
        self.bytes -= f.wire_len();
        Some(f)
    }

    /// Removes everything.
    pub fn drain(&mut self) -> impl Iterator<Item = Frame> + '_ {
        self.bytes = 0;
        self.frames.drain(..)
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

    #[test]
    fn byte_limit_counts_wire_bytes() {
        // Each 1000-byte payload is 1018 bytes on the wire.
        let mut q = DropTail::new(QueueLimit::Bytes(3000));
        assert!(q.push(frame(1000)).is_ok());
        assert!(q.push(frame(1000)).is_ok());
        assert_eq!(q.bytes(), 2036);
        assert!(q.push(frame(1000)).is_err(), "3054 > 3000");
        assert!(q.push(frame(900)).is_ok(), "2036 + 918 = 2954 fits");
        q.pop();
        assert_eq!(q.bytes(), 1936);
    }

    #[test]
    fn fifo_order() {
        let mut q = DropTail::new(QueueLimit::Packets(3));
        for n in [10, 20, 30] {
            q.push(frame(n)).unwrap();
        }
        let sizes: Vec<usize> = std::iter::from_fn(|| q.pop())
            .map(|f| f.payload_len())
            .collect();
        assert_eq!(sizes, [10, 20, 30]);
    }
}
