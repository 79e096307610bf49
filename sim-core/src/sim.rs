//! The run loop: pops events in order and hands each to the model.

use crate::queue::{EventKey, EventQueue, ScheduleInPast};
use crate::time::{SimDuration, SimTime};

/// What the model sees of the engine while it handles an event: the clock and
/// the ability to schedule and cancel.
pub struct Scheduler<E> {
    queue: EventQueue<E>,
}

impl<E> Scheduler<E> {
    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.queue.now()
    }

    /// Schedules `event` at absolute time `at` (not before now).
    pub fn at(&mut self, at: SimTime, event: E) -> Result<EventKey, ScheduleInPast> {
        self.queue.schedule(at, event)
    }

    /// Schedules `event` after `delay` from now. Never fails.
    pub fn after(&mut self, delay: SimDuration, event: E) -> EventKey {
        let at = self.now().saturating_add(delay);
        self.queue
            .schedule(at, event)
            .expect("now + delay is not in the past")
    }

    /// Cancels a pending event; returns it if it had not run yet.
    pub fn cancel(&mut self, key: EventKey) -> Option<E> {
        self.queue.cancel(key)
    }

    /// Number of pending events.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }
}

/// A simulation model: the world that reacts to events.
pub trait Model {
    /// The event type the model schedules and handles.
    type Event;
    /// Handles one event at `sched.now()`.
    fn handle(&mut self, event: Self::Event, sched: &mut Scheduler<Self::Event>);
}

/// When a run stops.
#[derive(Clone, Copy, Debug)]
pub struct RunLimits {
    /// Events at or before this time run; later ones do not.
    pub stop_at: SimTime,
    /// A run that handles more events than this stops with [`RunError::EventBudget`].
    pub max_events: u64,
}

/// How a run ended without error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunStats {
    /// Events handled.
    pub events: u64,
    /// Simulated time at the end: the stop time, or the last event if the queue ran dry.
    pub end: SimTime,
    /// Whether the queue ran dry before the stop time.
    pub drained: bool,
}

/// Progress report for a long run (the CLI draws a progress bar from it).
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Current simulated time.
    pub now: SimTime,
    /// The stop time.
    pub stop_at: SimTime,
    /// Events handled so far.
    pub events: u64,
}

/// A run that could not finish.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// The event budget ran out: most likely a runaway loop in the scenario.
    #[error(
        "the run handled {events} events by simulated time {now} and hit its event budget; \
         a scenario that loops (for example a routing loop with a huge TTL) or a budget set too \
         low for the experiment (raise `max_events`)"
    )]
    EventBudget {
        /// Events handled.
        events: u64,
        /// Simulated time when it stopped.
        now: SimTime,
    },
}

/// The engine: a queue and a clock.
pub struct Simulator<E> {
    sched: Scheduler<E>,
}

impl<E> Default for Simulator<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Simulator<E> {
    /// An engine at time zero with nothing pending.
    pub fn new() -> Self {
        Simulator {
            sched: Scheduler {
                queue: EventQueue::new(),
            },
        }
    }

    /// The scheduler, for seeding initial events before the run.
    pub fn scheduler(&mut self) -> &mut Scheduler<E> {
        &mut self.sched
    }

    /// Runs `model` until the stop time, the queue runs dry, or the budget runs out.
    /// `progress` is called every `2^16` events.
    pub fn run<M: Model<Event = E>>(
        &mut self,
        model: &mut M,
        limits: RunLimits,
        mut progress: impl FnMut(Progress),
    ) -> Result<RunStats, RunError> {
        let mut events = 0u64;
        loop {
            match self.sched.queue.peek_time() {
                Some(t) if t <= limits.stop_at => {}
                Some(_) => {
                    return Ok(RunStats {
                        events,
                        end: limits.stop_at,
                        drained: false,
                    });
                }
                None => {
                    return Ok(RunStats {
                        events,
                        end: self.sched.now(),
                        drained: true,
                    });
                }
            }
            if events >= limits.max_events {
                return Err(RunError::EventBudget {
                    events,
                    now: self.sched.now(),
                });
            }
            let (_, event) = self.sched.queue.pop().expect("peeked");
            model.handle(event, &mut self.sched);
            events += 1;
            if events & 0xffff == 0 {
                progress(Progress {
                    now: self.sched.now(),
                    stop_at: limits.stop_at,
                    events,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pings itself every 10 ms and records when.
    struct Ticker {
        seen: Vec<SimTime>,
    }

    impl Model for Ticker {
        type Event = ();
        fn handle(&mut self, _: (), sched: &mut Scheduler<()>) {
            self.seen.push(sched.now());
            let _ = sched.after(SimDuration::from_millis(10), ());
        }
    }

    #[test]
    fn stops_at_the_stop_time_inclusive() {
        let mut sim = Simulator::new();
        let _ = sim.scheduler().at(SimTime::ZERO, ()).unwrap();
        let mut m = Ticker { seen: vec![] };
        let limits = RunLimits {
            stop_at: SimTime::from_nanos(30_000_000),
            max_events: 1000,
        };
        let stats = sim.run(&mut m, limits, |_| {}).unwrap();
        assert_eq!(m.seen.len(), 4, "0, 10, 20 and 30 ms");
        assert_eq!(stats.events, 4);
        assert!(!stats.drained);
    }

    #[test]
    fn a_runaway_run_hits_the_event_budget() {
        let mut sim = Simulator::new();
        let _ = sim.scheduler().at(SimTime::ZERO, ()).unwrap();
        let mut m = Ticker { seen: vec![] };
        let limits = RunLimits {
            stop_at: SimTime::MAX,
            max_events: 100,
        };
        let err = sim.run(&mut m, limits, |_| {}).unwrap_err();
        assert_eq!(
            err,
            RunError::EventBudget {
                events: 100,
                now: SimTime::from_nanos(990_000_000)
            }
        );
        assert!(err.to_string().contains("event budget"));
    }

    #[test]
    fn an_empty_queue_drains() {
        let mut sim: Simulator<()> = Simulator::new();
        let mut m = Ticker { seen: vec![] };
        let limits = RunLimits {
            stop_at: SimTime::MAX,
            max_events: 10,
        };
        let stats = sim.run(&mut m, limits, |_| {}).unwrap();
        assert!(stats.drained);
        assert_eq!(stats.events, 0);
    }
}
