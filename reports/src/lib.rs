//! # reports
//!
//! Consumers of netsim's trace stream ([`protocols::trace`]). Each output is a
//! [`TraceSink`](protocols::trace::TraceSink) that streams to disk as events
//! arrive and publishes its files atomically ([`AtomicFile`]) when the run
//! finishes:
//!
//! | file                 | sink            | what                                   |
//! |----------------------|-----------------|----------------------------------------|
//! | `trace.txt`          | [`TextSink`]    | one aligned, tcpdump-like line per event |
//! | `events.jsonl`       | [`JsonlSink`]   | one JSON object per event              |
//! | `<node>-<iface>.pcap`| [`PcapSink`]    | frames per interface, for Wireshark    |
//! | `captures.json`      | [`PcapSink`]    | manifest of the pcap files             |
//! | `ladder.txt`         | [`LadderSink`]  | TCP connections as RFC 9293 ladder diagrams |
//! | `ladder.svg`         | [`LadderSink`]  | the same ladders drawn: arrows slanted by transit time, losses crossed out |
//! | `topology.svg`       | [`TopologySink`] | nodes, links (rate, delay, MTU), interface addresses |
//! | `tcp-*.csv`, `queue-*.csv`, `series.json` | [`SeriesSink`] | cwnd, RTT, rates per connection; queue length and drops per link direction |
//! | `throughput`, `cwnd-*`, `tseq-*`, `rtt-*`, `queue-*` `.svg`/`.png`, `plots.json` | [`PlotSink`] | plots in the style of Wireshark's TCP stream graphs and tcptrace |
//! | `summary.json`       | [`SummarySink`] | per flow goodput, retransmissions, RTT, drops; per link direction utilisation and drops |
//!
//! Every output records the run's [`Provenance`]. [`make_sinks`] builds the set
//! an [`OutputConfig`] asks for, including the terminal echo.
//!
//! ## Writing a sink
//!
//! A sink says how much [`Detail`](protocols::trace::Detail) it wants and
//! records the events it is given; the [`Tracer`](protocols::trace::Tracer)
//! hands each event only to the sinks that want its detail. A sink that
//! counts drops by reason:
//!
//! ```
//! use std::cell::RefCell;
//! use std::collections::BTreeMap;
//! use std::rc::Rc;
//! use protocols::topology::NodeId;
//! use protocols::trace::{Detail, DropReason, Dropped, Event, TraceSink, Tracer, events};
//! use sim_core::SimTime;
//!
//! struct DropCounter(Rc<RefCell<BTreeMap<&'static str, u64>>>);
//!
//! impl TraceSink for DropCounter {
//!     fn detail(&self) -> Detail {
//!         Detail::Summary // drops are Summary events: no per-packet cost
//!     }
//!     fn record(&mut self, _time: SimTime, event: &Event<'_>) {
//!         if let Event::Drop(drop) = event {
//!             *self.0.borrow_mut().entry(drop.reason.key()).or_default() += 1;
//!         }
//!     }
//! }
//!
//! // In a run, `World` owns the tracer and its nodes and links emit into it.
//! let counts = Rc::new(RefCell::new(BTreeMap::new()));
//! let mut tracer = Tracer::new(vec![Box::new(DropCounter(counts.clone()))]);
//! let packet = protocols::packet::Ipv4Packet::new(
//!     protocols::wire::Ipv4Repr {
//!         src: "10.0.0.1".parse().unwrap(),
//!         dst: "10.0.0.2".parse().unwrap(),
//!         protocol: protocols::wire::IpProtocol::Unknown(253),
//!         ttl: 1,
//!         tos: 0,
//!         ident: 1,
//!         dont_frag: false,
//!         more_frags: false,
//!         frag_offset: 0,
//!         payload_len: 0,
//!     },
//!     protocols::packet::IpBody::Raw(bytes::Bytes::from_static(b"hi")),
//! );
//! for reason in [DropReason::TtlExceeded, DropReason::QueueFull, DropReason::TtlExceeded] {
//!     let drop = events::Drop { node: NodeId(0), iface: None, what: Dropped::Packet(&packet), reason: &reason };
//!     tracer.emit(SimTime::ZERO, Event::Drop(drop));
//! }
//! assert_eq!(*counts.borrow(), BTreeMap::from([("queue-full", 1), ("ttl-exceeded", 2)]));
//! // Nobody wants per-packet events: the world does not build them.
//! assert!(!tracer.wants(Detail::Packets));
//! ```
#![warn(missing_docs)]

#[cfg(test)]
extern crate self as reports;

pub mod atomic;
mod budget;
pub mod destination;
pub mod format;
pub mod html;
pub mod jsonl;
pub mod ladder;
pub mod outputs;
pub mod pcap;
pub mod plot;
pub mod provenance;
pub mod series;
pub mod summary;
pub mod text;
pub mod topology;

#[cfg(test)]
#[path = "../tests/common/mod.rs"]
mod test_support;

pub use atomic::AtomicFile;
pub use destination::Destination;
pub use format::{LineFormat, format_event};
pub use jsonl::{JsonlSink, event_json};
pub use ladder::{
    DEFAULT_LADDER_LIMIT, LADDER_FILE, LADDER_SVG_FILE, Ladder, LadderFilter, LadderOptions,
    LadderSink,
};
pub use outputs::{CaptureFilter, EVENTS_FILE, OutputConfig, TRACE_FILE, make_sinks};
pub use pcap::{CAPTURE_MANIFEST, CaptureEntry, CaptureManifest, MAX_SNAPLEN, PcapSink};
pub use plot::{PLOTS_MANIFEST, PlotEntry, PlotKind, PlotManifest, PlotSink};
pub use provenance::Provenance;
pub use series::{SERIES_MANIFEST, SeriesSink};
pub use summary::{FlowSummary, LinkSummary, RunSummary, SUMMARY_FILE, SummaryHandle, SummarySink};
pub use text::TextSink;
pub use topology::{TOPOLOGY_FILE, TopologySink};
