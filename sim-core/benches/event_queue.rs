//! Event-queue throughput under the classic *hold model*.
//!
//! The queue is pre-filled with `N` events at random times; then each hold
//! operation pops the earliest event and schedules one at its time plus an
//! exponentially distributed increment (mean 1 ms, integer nanoseconds, drawn
//! from a seeded ChaCha stream and precomputed outside the timed loop). `N`
//! stays constant, so this measures the steady state at 10^3 and 10^6 pending.
//!
//! Two implementations run side by side in the same process, so their ratio is
//! meaningful even on a noisy shared machine:
//! - `radix_heap`: [`sim_core::EventQueue`], the queue the simulator uses;
//! - `binary_heap_baseline`: a copy of the previous `EventQueue` (a binary heap of
//!   `(time, seq, slot, generation)` plus the same slab of slots), kept here only
//!   as the baseline.
//!
//! Run with `cargo bench -p sim-core --bench event_queue`. Throughput is reported
//! in hold operations per second ("elem/s").

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sim_core::{EventQueue, SimTime};

/// Hold operations per timed iteration.
const HOLDS_PER_ITER: u64 = 1_000;
/// Precomputed increments, cycled through (a power of two).
const INCREMENTS: usize = 1 << 16;
/// Mean of the exponential increment: 1 ms.
const MEAN_INCREMENT_NS: f64 = 1_000_000.0;
const SEED: u64 = 1;

/// What the hold model needs from a queue.
trait HoldQueue {
    fn schedule_at(&mut self, at: SimTime, event: u32);
    fn pop_earliest(&mut self) -> (SimTime, u32);
}

impl HoldQueue for EventQueue<u32> {
    fn schedule_at(&mut self, at: SimTime, event: u32) {
        let _key = self
            .schedule(at, event)
            .expect("hold never schedules in the past");
    }
    fn pop_earliest(&mut self) -> (SimTime, u32) {
        self.pop().expect("hold keeps the queue full")
    }
}

impl HoldQueue for baseline::EventQueue<u32> {
    fn schedule_at(&mut self, at: SimTime, event: u32) {
        let _key = self
            .schedule(at, event)
            .expect("hold never schedules in the past");
    }
    fn pop_earliest(&mut self) -> (SimTime, u32) {
        self.pop().expect("hold keeps the queue full")
    }
}

/// `count` exponential increments with mean 1 ms, in whole nanoseconds.
fn exponential_increments(rng: &mut ChaCha8Rng, count: usize) -> Vec<u64> {
    (0..count)
        .map(|_| {
            let u: f64 = rng.random(); // [0, 1)
            (-(1.0 - u).ln() * MEAN_INCREMENT_NS).round() as u64
        })
        .collect()
}

/// The steady state of a hold run: a queue of `n` events and a cursor into the increments.
struct Hold<Q> {
    queue: Q,
    increments: Vec<u64>,
    cursor: usize,
}

impl<Q: HoldQueue> Hold<Q> {
    /// Pre-fills `queue` with `n` events at exponentially distributed times after zero.
    fn new(mut queue: Q, n: usize) -> Self {
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        for (event, at) in exponential_increments(&mut rng, n).into_iter().enumerate() {
            queue.schedule_at(SimTime::from_nanos(at), event as u32);
        }
        let increments = exponential_increments(&mut rng, INCREMENTS);
        Hold {
            queue,
            increments,
            cursor: 0,
        }
    }

    /// `HOLDS_PER_ITER` hold operations: pop the earliest, reschedule it later.
    fn run(&mut self) {
        for _ in 0..HOLDS_PER_ITER {
            let (now, event) = self.queue.pop_earliest();
            let at = SimTime::from_nanos(now.as_nanos() + self.increments[self.cursor]);
            self.cursor = (self.cursor + 1) & (INCREMENTS - 1);
            self.queue.schedule_at(at, black_box(event));
        }
    }
}

fn hold(c: &mut Criterion) {
    let mut group = c.benchmark_group("hold");
    group
        .throughput(Throughput::Elements(HOLDS_PER_ITER))
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for n in [1_000usize, 1_000_000] {
        let mut radix = Hold::new(EventQueue::new(), n);
        group.bench_function(BenchmarkId::new("radix_heap", n), |b| {
            b.iter(|| radix.run())
        });
        drop(radix);
        let mut heap = Hold::new(baseline::EventQueue::new(), n);
        group.bench_function(BenchmarkId::new("binary_heap_baseline", n), |b| {
            b.iter(|| heap.run())
        });
    }
    group.finish();
}

criterion_group!(benches, hold);
criterion_main!(benches);

/// BASELINE ONLY: the binary-heap `EventQueue` that `sim_core::EventQueue`
/// replaced, so both run in one bench. `schedule` and `pop` are copied
/// unchanged; the parts the hold model does not use (`cancel`, `peek_time`,
/// `len`, docs, tests) are left out. Not used anywhere else.
mod baseline {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;

    use sim_core::{ScheduleInPast, SimTime};

    #[must_use = "an EventKey is the only way to cancel the event"]
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    pub(crate) struct EventKey {
        slot: u32,
        generation: u32,
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

    pub(crate) struct EventQueue<E> {
        heap: BinaryHeap<Reverse<Entry>>,
        slots: Vec<Slot<E>>,
        free: Vec<u32>,
        next_seq: u64,
        now: SimTime,
        live: usize,
    }

    impl<E> EventQueue<E> {
        pub(crate) fn new() -> Self {
            EventQueue {
                heap: BinaryHeap::new(),
                slots: Vec::new(),
                free: Vec::new(),
                next_seq: 0,
                now: SimTime::ZERO,
                live: 0,
            }
        }

        pub(crate) fn schedule(
            &mut self,
            at: SimTime,
            event: E,
        ) -> Result<EventKey, ScheduleInPast> {
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

        pub(crate) fn pop(&mut self) -> Option<(SimTime, E)> {
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
    }
}
