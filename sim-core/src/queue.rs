//! The pending-event set.
//!
//! Events are ordered by `(time, seq)` where `seq` is the order in which they
//! were scheduled: events at equal times come out in the order they were
//! scheduled (FIFO), so a run never depends on how the structure breaks ties.
//! Scheduling before [`EventQueue::now`] is an error, never a clamp.
//!
//! # Structure: a radix heap keyed on time
//!
//! Because nothing may be scheduled in the past, every pending time is at least
//! the time of the last event popped: the queue is *monotone*, which is what a
//! radix heap (Ahuja, Mehlhorn, Orlin and Tarjan, 1990) needs. The queue keeps a
//! reference time `base` (the earliest pending time once it has been found,
//! never later than any pending event) and 65 buckets: bucket 0 holds the
//! entries at exactly `base`; bucket `b >= 1` holds the entries whose time first
//! differs from `base` at bit `b - 1`. Every time in bucket `b` is smaller than
//! every time in bucket `b + 1`. Popping takes the front of bucket 0; when that
//! is empty, the minimum of the lowest non-empty bucket (tracked per bucket)
//! becomes the new `base`, and that bucket's entries are redistributed into
//! lower buckets. An entry only ever moves down, so it moves at most as many
//! times as the index of the bucket it started in, and every move is part of a
//! sequential pass over a contiguous vector: no pointer chasing and no cache
//! miss per level, which is why this beats a binary heap by a wide margin with
//! a million events pending (see `benches/event_queue.rs`).
//!
//! FIFO at equal times needs no sequence number: all entries at one time sit in
//! the same bucket (the bucket is a function of the time), a new entry is
//! appended behind every entry already scheduled, and redistribution is a
//! stable partition into buckets that are empty at that moment. So within each
//! bucket, entries at equal times stay in scheduling order, and bucket 0 (all
//! at one time) pops front to back in exactly `(time, seq)` order.
//!
//! Cancellation is lazy and O(1): [`EventQueue::schedule`] returns an
//! [`EventKey`] naming a slot and its generation. Cancelling takes the payload
//! out of the slot and bumps the generation; the stale entry is skipped when it
//! reaches the front of bucket 0. TCP re-arms its retransmission timer on almost
//! every ACK, so this matters.
//!
//! # Complexity
//!
//! `D` is the index of the bucket an entry starts in: the number of significant
//! bits of `time XOR base` when it is scheduled, at most 64, about `log2` of how
//! far ahead it is scheduled in nanoseconds (around 20 for a millisecond).
//!
//! - [`EventQueue::schedule`]: O(1). One exception: after [`EventQueue::peek_time`]
//!   has looked ahead to time `t`, scheduling strictly between `now` and `t`
//!   merges the buckets below that time into one, O(entries merged), and those
//!   entries have to move down again. `Simulator::run` pops right after it
//!   peeks, so this happens at most once per run: when the caller schedules
//!   something after a run stopped at its stop time.
//! - [`EventQueue::pop`]: amortized O(D), plus skipped cancelled entries.
//! - [`EventQueue::peek_time`]: amortized O(D), the look-ahead work the next
//!   `pop` then does not repeat; O(1) when called again without changes.
//! - [`EventQueue::cancel`], [`EventQueue::len`], [`EventQueue::is_empty`],
//!   [`EventQueue::now`]: O(1).

use std::collections::VecDeque;

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

/// One scheduled event as the buckets see it: 16 bytes, the payload stays in its slot.
#[derive(Clone, Copy, Debug)]
struct Entry {
    /// Nanoseconds.
    time: u64,
    slot: u32,
    generation: u32,
}

struct Slot<E> {
    generation: u32,
    event: Option<E>,
}

/// Number of buckets above bucket 0: one per bit of a `u64` time.
const BITS: usize = u64::BITS as usize;

/// The bucket of `time` relative to `base`: 0 when equal, else one plus the
/// index of the highest bit in which they differ.
fn bucket_of(time: u64, base: u64) -> usize {
    (u64::BITS - (time ^ base).leading_zeros()) as usize
}

/// A priority queue of events ordered by `(time, insertion sequence)`.
pub struct EventQueue<E> {
    /// Bucket 0: entries at exactly `base`, in scheduling order.
    current: VecDeque<Entry>,
    /// `upper[b - 1]` is bucket `b`, for `b` in `1..=64`.
    upper: [Vec<Entry>; BITS],
    /// `upper_min[b - 1]` is the earliest time in bucket `b` (`u64::MAX` when empty),
    /// so that advancing needs one pass over a bucket, not two.
    upper_min: [u64; BITS],
    /// Bit `b - 1` is set exactly when bucket `b` is non-empty.
    occupied: u64,
    /// The reference time of the buckets: `now <= base <= every entry's time`.
    base: u64,
    slots: Vec<Slot<E>>,
    free: Vec<u32>,
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
            current: VecDeque::new(),
            upper: std::array::from_fn(|_| Vec::new()),
            upper_min: [u64::MAX; BITS],
            occupied: 0,
            base: 0,
            slots: Vec::new(),
            free: Vec::new(),
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

    /// Schedules `event` at `at`. O(1) (see the module doc for the one exception).
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
        let time = at.as_nanos();
        if time < self.base {
            self.lower_base(time);
        }
        self.push(Entry {
            time,
            slot,
            generation,
        });
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
    /// Amortized O(D) (see the module doc), plus skipped cancelled entries.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        loop {
            while let Some(entry) = self.current.pop_front() {
                let slot = &mut self.slots[entry.slot as usize];
                if slot.generation != entry.generation {
                    continue; // cancelled; the slot may already hold a newer event
                }
                let event = slot.event.take().expect("live slot holds an event");
                slot.generation = slot.generation.wrapping_add(1);
                self.free.push(entry.slot);
                self.live -= 1;
                self.now = SimTime::from_nanos(entry.time);
                return Some((self.now, event));
            }
            if !self.advance() {
                return None;
            }
        }
    }

    /// The time of the earliest pending event, dropping cancelled entries in front.
    /// Amortized O(D); the next [`EventQueue::pop`] does not repeat the work.
    pub fn peek_time(&mut self) -> Option<SimTime> {
        loop {
            while let Some(entry) = self.current.front() {
                if self.slots[entry.slot as usize].generation == entry.generation {
                    return Some(SimTime::from_nanos(entry.time));
                }
                self.current.pop_front();
            }
            if !self.advance() {
                return None;
            }
        }
    }

    /// Files `entry` (at or after `base`) into its bucket, behind the entries there.
    fn push(&mut self, entry: Entry) {
        match bucket_of(entry.time, self.base) {
            0 => self.current.push_back(entry),
            b => {
                self.upper[b - 1].push(entry);
                self.upper_min[b - 1] = self.upper_min[b - 1].min(entry.time);
                self.occupied |= 1 << (b - 1);
            }
        }
    }

    /// With bucket 0 empty: moves `base` to the earliest entry time and
    /// redistributes the lowest non-empty bucket, so that bucket 0 holds the
    /// entries at that time. Returns `false` if there are no entries at all.
    fn advance(&mut self) -> bool {
        debug_assert!(self.current.is_empty());
        if self.occupied == 0 {
            return false;
        }
        let index = self.occupied.trailing_zeros() as usize;
        self.occupied &= !(1 << index);
        let mut entries = std::mem::take(&mut self.upper[index]);
        self.base = std::mem::replace(&mut self.upper_min[index], u64::MAX);
        // Every entry lands in a bucket below this one, all of them empty now,
        // in its present order: equal times keep their scheduling order.
        for entry in entries.drain(..) {
            self.push(entry);
        }
        self.upper[index] = entries; // empty, keeps its capacity
        true
    }

    /// Moves `base` back to `time` (`now <= time < base`), which is only needed
    /// after [`EventQueue::peek_time`] looked ahead. With `d` the bucket of `time`
    /// relative to the old base, every entry in buckets `0..d` belongs to bucket
    /// `d` relative to `time`, entries above `d` keep their bucket, and bucket `d`
    /// itself is empty (an entry there would be earlier than the old base).
    fn lower_base(&mut self, time: u64) {
        debug_assert!(time < self.base);
        let d = bucket_of(time, self.base);
        debug_assert!(self.upper[d - 1].is_empty());
        let mut merged = std::mem::take(&mut self.upper[d - 1]);
        let mut merged_min = if self.current.is_empty() {
            u64::MAX
        } else {
            self.base
        };
        // Concatenating buckets keeps equal times in order: each time lives in one bucket.
        merged.extend(self.current.drain(..));
        for (bucket, min) in self.upper[..d - 1].iter_mut().zip(&mut self.upper_min) {
            merged.append(bucket);
            merged_min = merged_min.min(std::mem::replace(min, u64::MAX));
        }
        let below_d = (1u64 << (d - 1)) - 1;
        self.occupied &= !below_d;
        if !merged.is_empty() {
            self.occupied |= 1 << (d - 1);
        }
        self.upper[d - 1] = merged;
        self.upper_min[d - 1] = merged_min;
        self.base = time;
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
            vec![
                (t(10), "a1"),
                (t(10), "a2"),
                (t(10), "a3"),
                (t(20), "b"),
                (t(30), "c")
            ]
        );
        assert_eq!(q.now(), t(30));
    }

    #[test]
    fn scheduling_in_the_past_is_an_error() {
        let mut q = EventQueue::new();
        let _ = q.schedule(t(100), ()).unwrap();
        q.pop();
        assert_eq!(
            q.schedule(t(99), ()),
            Err(ScheduleInPast {
                at: t(99),
                now: t(100)
            })
        );
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

    #[test]
    fn scheduling_between_now_and_a_peeked_time_keeps_order() {
        // peek_time looks ahead to 1000; scheduling before that must still come first.
        let mut q = EventQueue::new();
        let _ = q.schedule(t(1000), "late1").unwrap();
        let _ = q.schedule(t(1000), "late2").unwrap();
        let _ = q.schedule(t(1 << 40), "far").unwrap();
        assert_eq!(q.peek_time(), Some(t(1000)));
        let _ = q.schedule(t(999), "early").unwrap();
        let _ = q.schedule(t(1000), "late3").unwrap();
        assert_eq!(q.peek_time(), Some(t(999)));
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            vec![
                (t(999), "early"),
                (t(1000), "late1"),
                (t(1000), "late2"),
                (t(1000), "late3"),
                (t(1 << 40), "far")
            ]
        );
    }

    #[test]
    fn the_end_of_time_is_a_valid_time() {
        let mut q = EventQueue::new();
        let _ = q.schedule(SimTime::MAX, 'z').unwrap();
        let _ = q.schedule(t(0), 'a').unwrap();
        let _ = q.schedule(SimTime::MAX, 'y').unwrap();
        assert_eq!(q.pop(), Some((t(0), 'a')));
        assert_eq!(q.pop(), Some((SimTime::MAX, 'z')));
        assert_eq!(q.pop(), Some((SimTime::MAX, 'y')));
        assert_eq!(q.pop(), None);
    }

    mod model {
        //! Random schedule/cancel/pop/peek sequences against a `BTreeMap<(time, seq), _>`.
        use std::collections::BTreeMap;

        use proptest::prelude::*;

        use super::*;

        #[derive(Clone, Debug)]
        enum Op {
            /// Schedule at `now + ahead` (saturating).
            Schedule {
                ahead: u64,
            },
            /// Schedule at `now - back` (an error unless `back` is 0).
            ScheduleBack {
                back: u64,
            },
            /// Cancel the key handed out by the `n`-th schedule (modulo their number).
            Cancel(usize),
            Pop,
            Peek,
        }

        fn op() -> impl Strategy<Value = Op> {
            let ahead = prop_oneof![
                6 => 0..4u64,            // many equal times
                3 => 0..1_000u64,
                1 => 0..(1u64 << 40),
                1 => any::<u64>(),       // up to SimTime::MAX
            ];
            prop_oneof![
                8 => ahead.prop_map(|ahead| Op::Schedule { ahead }),
                1 => (0..10u64).prop_map(|back| Op::ScheduleBack { back }),
                3 => any::<usize>().prop_map(Op::Cancel),
                5 => Just(Op::Pop),
                2 => Just(Op::Peek),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn pops_in_time_then_schedule_order(ops in proptest::collection::vec(op(), 0..300)) {
                let mut q = EventQueue::new();
                let mut model: BTreeMap<(SimTime, u64), u64> = BTreeMap::new();
                let mut keys: Vec<(EventKey, SimTime, u64)> = Vec::new();
                let mut seq = 0u64;
                let mut now = SimTime::ZERO;
                for op in ops {
                    match op {
                        Op::Schedule { ahead } => {
                            let at = SimTime::from_nanos(now.as_nanos().saturating_add(ahead));
                            let key = q.schedule(at, seq).unwrap();
                            model.insert((at, seq), seq);
                            keys.push((key, at, seq));
                            seq += 1;
                        }
                        Op::ScheduleBack { back } => {
                            let Some(ns) = now.as_nanos().checked_sub(back) else { continue };
                            let at = SimTime::from_nanos(ns);
                            if back == 0 {
                                let key = q.schedule(at, seq).unwrap();
                                model.insert((at, seq), seq);
                                keys.push((key, at, seq));
                                seq += 1;
                            } else {
                                prop_assert_eq!(q.schedule(at, seq), Err(ScheduleInPast { at, now }));
                            }
                        }
                        Op::Cancel(n) => {
                            if keys.is_empty() {
                                continue;
                            }
                            let (key, at, s) = keys[n % keys.len()];
                            prop_assert_eq!(q.cancel(key), model.remove(&(at, s)));
                        }
                        Op::Pop => {
                            let expected = model.pop_first().map(|((at, _), id)| (at, id));
                            prop_assert_eq!(q.pop(), expected);
                            if let Some((at, _)) = expected {
                                now = at;
                            }
                        }
                        Op::Peek => {
                            let expected = model.first_key_value().map(|(&(at, _), _)| at);
                            prop_assert_eq!(q.peek_time(), expected);
                        }
                    }
                    prop_assert_eq!(q.now(), now);
                    prop_assert_eq!(q.len(), model.len());
                    prop_assert_eq!(q.is_empty(), model.is_empty());
                }
                // Drain: everything left comes out in (time, seq) order.
                let rest: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
                let expected: Vec<_> = model.into_iter().map(|((at, _), id)| (at, id)).collect();
                prop_assert_eq!(rest, expected);
            }
        }
    }
}
