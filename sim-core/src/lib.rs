//! # sim-core
//!
//! The deterministic discrete-event core of netsim. It knows nothing about
//! networks: simulated time ([`SimTime`], [`SimDuration`]), units ([`DataRate`],
//! [`ByteSize`]), the pending-event set ([`EventQueue`]), per-component random
//! streams ([`RngStreams`]) and the run loop ([`Simulator`]).
//!
//! ```
//! use sim_core::{Model, RunLimits, Scheduler, SimDuration, SimTime, Simulator};
//!
//! /// Counts down, one event per millisecond.
//! struct Countdown(u32);
//! impl Model for Countdown {
//!     type Event = ();
//!     fn handle(&mut self, _: (), sched: &mut Scheduler<()>) {
//!         if self.0 > 0 {
//!             self.0 -= 1;
//!             let _ = sched.after(SimDuration::from_millis(1), ());
//!         }
//!     }
//! }
//!
//! let mut sim = Simulator::new();
//! let _ = sim.scheduler().at(SimTime::ZERO, ()).unwrap();
//! let mut model = Countdown(3);
//! let limits = RunLimits { stop_at: SimTime::MAX, max_events: 1_000 };
//! let stats = sim.run(&mut model, limits, |_| {}).unwrap();
//! assert_eq!(stats.events, 4);
//! assert_eq!(stats.end, SimTime::from_nanos(3_000_000));
//! ```
#![warn(missing_docs)]

pub mod queue;
pub mod rng;
pub mod sim;
pub mod time;
pub mod units;

pub use queue::{EventKey, EventQueue, ScheduleInPast};
pub use rng::{RngStreams, StreamRng, stable_hash};
pub use sim::{Model, Progress, RunError, RunLimits, RunStats, Scheduler, Simulator};
pub use time::{ParseTimeError, SimDuration, SimTime};
pub use units::{ByteSize, DataRate, ParseUnitError};
