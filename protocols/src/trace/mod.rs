//! Typed trace events and the sink interface.
//!
//! Every observable happening in a run is one [`Event`], built where it
//! happens (a node, a link, TCP) from references to what it describes and
//! handed straight to the [`Tracer`], which gives it to each sink that wants
//! its [`Detail`]. Sinks (text trace, JSON lines, pcap, plots, ...) live in
//! the `reports` crate and receive events through [`TraceSink`]. Each event
//! type ([`events`]) says of itself how much detail it is, what its text-trace
//! line reads and which fields it has ([`Describe`]); a sink that prints
//! every event asks it, and only sinks that treat an event specially match on
//! its variant.
//!
//! One path: TCP records its happenings as [`crate::tcp::TcpTrace`] values, one type for the connection and the stack alike
//! (when [`TraceLevel`] says someone wants them), the node emits each as
//! [`Event::Tcp`], the tracer filters once and fans out.

mod drop;
pub mod events;
mod fields;

use std::net::Ipv4Addr;

use sim_core::SimTime;

use crate::wire::MacAddr;

pub use drop::{DropReason, Dropped};
pub use events::Describe;
pub use fields::{Field, Fields, Line, Value};

/// How much a sink wants to see. Ordered: `Summary < Packets < Full`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Detail {
    /// Application output, drops, link changes, ARP resolution.
    Summary,
    /// Plus every frame sent and received on every interface, forwarding,
    /// fragmentation and reassembly.
    Packets,
    /// Plus queueing and ARP cache bookkeeping.
    Full,
}

/// ARP happenings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpEvent {
    /// A request went out (attempt number, from 1).
    Request {
        /// The address asked for.
        ip: Ipv4Addr,
        /// 1 for the first request, 2 for the first retry, ...
        attempt: u32,
    },
    /// The cache learned or refreshed an entry.
    Resolved {
        /// The address.
        ip: Ipv4Addr,
        /// Its MAC.
        mac: MacAddr,
    },
    /// No reply after every retry.
    Failed {
        /// The address asked for.
        ip: Ipv4Addr,
    },
    /// An entry aged out.
    Expired {
        /// The address.
        ip: Ipv4Addr,
    },
}

/// A change to a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LinkChange {
    /// The link went down.
    Down,
    /// The link came back up.
    Up,
    /// A parameter changed (described for the reader).
    Set(String),
}

/// One observable happening: one variant per event type of [`events`], each
/// of which knows its detail, its text and its fields ([`Describe`]).
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// A frame left an interface.
    Tx(events::Tx<'a>),
    /// A frame arrived at an interface.
    Rx(events::Rx<'a>),
    /// A frame joined an egress queue.
    Enqueue(events::Enqueue<'a>),
    /// A frame or packet was dropped.
    Drop(events::Drop<'a>),
    /// A router forwarded a datagram.
    Forward(events::Forward<'a>),
    /// A datagram was fragmented.
    Fragment(events::Fragment<'a>),
    /// A datagram was reassembled.
    Reassembled(events::Reassembled<'a>),
    /// ARP activity.
    Arp(events::Arp),
    /// A link changed.
    Link(events::Link<'a>),
    /// A queue's length (time series only).
    QueueSample(events::QueueSample),
    /// A node stopped or resumed.
    NodePower(events::NodePower),
    /// A switch learned a MAC address.
    MacLearned(events::MacLearned),
    /// TCP activity on a connection.
    Tcp(events::Tcp<'a>),
    /// A DHCP client event.
    Dhcp(events::Dhcp<'a>),
    /// Address translation at a gateway.
    Nat(events::Nat<'a>),
    /// An application's own output.
    App(events::App<'a>),
}

impl Event<'_> {
    /// What the event says of itself.
    pub fn describe(&self) -> &dyn Describe {
        match self {
            Event::Tx(e) => e,
            Event::Rx(e) => e,
            Event::Enqueue(e) => e,
            Event::Drop(e) => e,
            Event::Forward(e) => e,
            Event::Fragment(e) => e,
            Event::Reassembled(e) => e,
            Event::Arp(e) => e,
            Event::Link(e) => e,
            Event::QueueSample(e) => e,
            Event::NodePower(e) => e,
            Event::MacLearned(e) => e,
            Event::Tcp(e) => e,
            Event::Dhcp(e) => e,
            Event::Nat(e) => e,
            Event::App(e) => e,
        }
    }

    /// Whether this is a time-series sample, delivered only to sinks that
    /// want series ([`TraceSink::series`]), whatever their detail.
    pub fn is_series(&self) -> bool {
        matches!(
            self,
            Event::QueueSample(_)
                | Event::Tcp(events::Tcp {
                    trace: crate::tcp::TcpTrace::Sample(_),
                    ..
                })
        )
    }

    /// The least detail at which a sink sees this event.
    pub fn detail(&self) -> Detail {
        self.describe().detail()
    }
}

/// Which events anyone wants: the most detail of any sink, and whether any
/// wants time series. A producer that buffers events (TCP) asks this before
/// recording one; [`Tracer::emit`] then asks the sinks one by one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TraceLevel {
    /// The most detail any sink wants; `None`: no sink wants events.
    pub max: Option<Detail>,
    /// Whether a sink wants time-series samples.
    pub series: bool,
}

impl TraceLevel {
    /// Whether events of `detail` are wanted.
    #[inline]
    pub fn wants(&self, detail: Detail) -> bool {
        self.max.is_some_and(|m| detail <= m)
    }
}

/// A consumer of trace events.
pub trait TraceSink {
    /// The most detail this sink wants; it is not called for finer events.
    fn detail(&self) -> Detail;
    /// Whether this sink wants time-series samples ([`Event::is_series`]).
    fn series(&self) -> bool {
        false
    }
    /// Whether, wanting series, it wants the queue samples too (one per
    /// enqueue and dequeue); the TCP samples alone are cheaper.
    fn queue_series(&self) -> bool {
        self.series()
    }
    /// Records one event.
    fn record(&mut self, time: SimTime, event: &Event<'_>);
    /// Flushes and closes the sink's outputs at the end of the run.
    fn finish(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The world's fan-out to its sinks.
#[derive(Default)]
pub struct Tracer {
    sinks: Vec<Box<dyn TraceSink>>,
    level: TraceLevel,
    queue_series: bool,
}

impl Tracer {
    /// A tracer feeding `sinks`.
    pub fn new(sinks: Vec<Box<dyn TraceSink>>) -> Tracer {
        let level = TraceLevel {
            max: sinks.iter().map(|s| s.detail()).max(),
            series: sinks.iter().any(|s| s.series()),
        };
        let queue_series = sinks.iter().any(|s| s.series() && s.queue_series());
        Tracer {
            sinks,
            level,
            queue_series,
        }
    }

    /// What the sinks want, as a value producers can keep.
    #[inline]
    pub fn level(&self) -> TraceLevel {
        self.level
    }

    /// Whether any sink wants queue-length samples.
    #[inline]
    pub fn wants_queue_series(&self) -> bool {
        self.queue_series
    }

    /// Whether any sink wants events of this detail: ask before building an
    /// event that costs something to build.
    #[inline]
    pub fn wants(&self, detail: Detail) -> bool {
        self.level.wants(detail)
    }

    /// Hands `event` to every sink that wants it: the one place events are
    /// filtered by detail.
    pub fn emit(&mut self, time: SimTime, event: Event<'_>) {
        if event.is_series() {
            if !self.level.series {
                return;
            }
            let queue = matches!(event, Event::QueueSample(_));
            for s in self.sinks.iter_mut() {
                if s.series() && (!queue || s.queue_series()) {
                    s.record(time, &event);
                }
            }
            return;
        }
        let d = event.detail();
        if !self.level.wants(d) {
            return;
        }
        for s in &mut self.sinks {
            if d <= s.detail() {
                s.record(time, &event);
            }
        }
    }

    /// Gives the sinks back (to flush and close them after the run).
    pub fn into_sinks(self) -> Vec<Box<dyn TraceSink>> {
        self.sinks
    }
}
