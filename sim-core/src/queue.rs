//! The pending-event set.
//!
//! Events are ordered by `(time, seq)` where `seq` is a per-queue insertion
//! counter: events at equal times come out in the order they were scheduled
//! (FIFO), so a run never depends on how a heap breaks ties.
//!
//! Cancellation is lazy and O(1): [`EventQueue::schedule`] returns an
//! [`EventKey`] naming a slot and its generation. Cancelling takes the payload
//! out of the slot and bumps the generation; the stale heap entry is skipped
//! when it reaches the top. TCP re-arms its retransmission timer on almost every
//! ACK, so this matters.
//!
//! Complexity: `schedule` O(log n), `pop` O(log n) amortized (plus skipped stale
//! entries), `cancel` O(1), `peek_time` O(1) amortized.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::time::SimTime;

/// Names a scheduled event so that it can be cancelled.
#[must_use = "an EventKey is the only way to cancel the event"]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventKey {
    slot: u32,
    generation: u32,
}

/// Scheduling before the current time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cannot schedule an event at {at}, before the current time {now}")]
pub struct ScheduleInPast {
    /// The requested time.
    pub at: SimTime,
    /// The time of the last event popped.
    pub now: SimTime,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Entry {
    time: SimTime,
    seq: u64,
    slot: u32,
    generation: u32,
}

struct Slot<E> {
    generation: u32,
    event: Option<E>,
}

/// A priority queue of events ordered by `(time, insertion sequence)`.
pub struct EventQueue<E> {
    heap: BinaryHeap<Reverse<Entry>>,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
    next_seq: u64,
    now: SimTime,
    live: usize,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue at time zero.
    pub fn new() -> Self {
        EventQueue {
            heap: BinaryHeap::new(),
            slots: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
            now: SimTime::ZERO,
            live: 0,
        }
    }

    /// The time of the last event popped (zero before the first).
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Number of pending (scheduled and not cancelled) events. O(1).
    pub fn len(&self) -> usize {
        self.live
    }

    /// Whether no event is pending. O(1).
    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    /// Schedules `event` at `at`. O(log n).
    ///
    /// Returns an error if `at` is earlier than [`EventQueue::now`]; equal is fine
    /// and runs after everything already scheduled for that time.
    pub fn schedule(&mut self, at: SimTime, event: E) -> Result<EventKey, ScheduleInPast> {
        if at < self.now {
            return Err(ScheduleInPast { at, now: self.now });
        }
        let slot = match self.free.pop() {
            Some(i) => {
                self.slots[i as usize].event = Some(event);
                i
            }
            None => {
                let i = u32::try_from(self.slots.len()).expect("more than 2^32 pending events");
                self.slots.push(Slot {
                    generation: 0,
                    event: Some(event),
                });
                i
            }
        };
        let generation = self.slots[slot as usize].generation;
        self.heap.push(Reverse(Entry {
            time: at,
            seq: self.next_seq,
            slot,
            generation,
        }));
        self.next_seq += 1;
        self.live += 1;
        Ok(EventKey { slot, generation })
    }

    /// Cancels the event named by `key`. O(1). Returns the event if it was still
    /// pending, `None` if it already ran or was already cancelled.
    pub fn cancel(&mut self, key: EventKey) -> Option<E> {
        let slot = self.slots.get_mut(key.slot as usize)?;
        if slot.generation != key.generation {
            return None;
        }
        let event = slot.event.take()?;
        slot.generation = slot.generation.wrapping_add(1);
        self.free.push(key.slot);
        self.live -= 1;
        Some(event)
    }

    /// Removes and returns the earliest pending event, advancing [`EventQueue::now`].
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        while let Some(Reverse(entry)) = self.heap.pop() {
            let slot = &mut self.slots[entry.slot as usize];
            if slot.generation != entry.generation {
                continue; // cancelled; the slot may already hold a newer event
            }
            let event = slot.event.take().expect("live slot holds an event");
            slot.generation = slot.generation.wrapping_add(1);
            self.free.push(entry.slot);
            self.live -= 1;
            self.now = entry.time;
            return Some((entry.time, event));
        }
        None
    }

    /// The time of the earliest pending event, dropping cancelled entries on top.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        while let Some(Reverse(entry)) = self.heap.peek() {
            if self.slots[entry.slot as usize].generation == entry.generation {
                return Some(entry.time);
            }
            self.heap.pop();
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ns: u64) -> SimTime {
        SimTime::from_nanos(ns)
    }

    #[test]
    fn pops_in_time_order_and_fifo_at_equal_times() {
        let mut q = EventQueue::new();
        let _ = q.schedule(t(30), "c").unwrap();
        let _ = q.schedule(t(10), "a1").unwrap();
        let _ = q.schedule(t(20), "b").unwrap();
        let _ = q.schedule(t(10), "a2").unwrap();
        let _ = q.schedule(t(10), "a3").unwrap();
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![(t(10), "a1"), (t(10), "a2"), (t(10), "a3"), (t(20), "b"), (t(30), "c")]
        );
        assert_eq!(q.now(), t(30));
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut q = EventQueue::new();
        let _ = q.schedule(t(100), ()).unwrap();
        q.pop();
        assert_eq!(q.schedule(t(99), ()), Err(ScheduleInPast { at: t(99), now: t(100) }));
        assert!(q.schedule(t(100), ()).is_ok(), "now itself is allowed");
    }

    #[test]
    fn cancelled_events_never_run() {
        let mut q = EventQueue::new();
        let a = q.schedule(t(1), 'a').unwrap();
        let _ = q.schedule(t(2), 'b').unwrap();
        assert_eq!(q.len(), 2);
        assert_eq!(q.cancel(a), Some('a'));
        assert_eq!(q.cancel(a), None, "second cancel is a no-op");
        assert_eq!(q.len(), 1);
        assert_eq!(q.peek_time(), Some(t(2)));
        assert_eq!(q.pop(), Some((t(2), 'b')));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn a_stale_key_cannot_cancel_the_slot_reuser() {
        let mut q = EventQueue::new();
        let old = q.schedule(t(1), 1).unwrap();
        assert_eq!(q.pop(), Some((t(1), 1)));
        let _new = q.schedule(t(5), 2).unwrap(); // reuses the slot
        assert_eq!(q.cancel(old), None);
        assert_eq!(q.pop(), Some((t(5), 2)));
    }

    #[test]
    fn cancel_then_reschedule_keeps_order() {
        // The TCP timer pattern: cancel and re-arm many times.
        let mut q = EventQueue::new();
        let mut key = q.schedule(t(10), 0).unwrap();
        for i in 1..100 {
            q.cancel(key);
            key = q.schedule(t(10 + i), i).unwrap();
        }
        let _ = q.schedule(t(50), 1000).unwrap();
        assert_eq!(q.pop(), Some((t(50), 1000)));
        assert_eq!(q.pop(), Some((t(109), 99)));
        assert!(q.is_empty());
    }
}
