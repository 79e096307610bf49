//! # scenarios
//!
//! The scenario schema of netsim (RON), loading with precise errors, semantic
//! validation and `--set` overrides. This crate is pure data: it knows nothing
//! of the protocol stack; the world builder turns a validated [`Scenario`] into
//! a running simulation.
//!
//! ```
//! let text = r#"Scenario(
//!     name: "two-hosts",
//!     nodes: [
//!         Host(name: "h1", interfaces: [Interface(name: "eth0", address: "10.0.0.1/24")],
//!              apps: [Ping(to: "10.0.0.2")]),
//!         Host(name: "h2", interfaces: [Interface(name: "eth0", address: "10.0.0.2/24")]),
//!     ],
//!     links: [Link(a: "h1:eth0", b: "h2:eth0", delay: "5ms")],
//! )"#;
//! let overrides = vec!["links.h1-h2.rate=10Mbps".to_string()];
//! let s = scenarios::load_str(text, "two-hosts.ron", &overrides).unwrap();
//! assert_eq!(s.links[0].name, "h1-h2");
//! assert_eq!(s.links[0].rate.bps(), 10_000_000);
//!
//! let err = scenarios::load_str("Scenario(name: \"x\", sede: 3)", "x.ron", &[]).unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "x.ron:1:21: unknown field \"sede\", did you mean \"seed\"? (expected one of: \
//!      name, description, seed, stop, max_events, nodes, links, timeline, outputs, generate, sweep, \
//!      expect)"
//! );
//! ```
#![warn(missing_docs)]

pub mod build;
pub mod error;
pub mod expect;
pub mod generate;
pub mod ladder;
pub mod link;
mod literal;
pub mod load;
mod locate;
pub mod overrides;
pub mod schema;
pub mod services;
pub mod sweep;
pub mod tcp;
pub mod validate;
pub mod values;

pub use error::{Location, Problem, ScenarioError};
pub use link::{Direction, DropRule, Link, LinkDirection, Loss, Queue, SetLink};
pub use load::{load_file, load_str, parse_str, scenario_hash, to_ron};
pub use overrides::apply_overrides;
pub use schema::{
    Action, App, Arp, BulkSend, Detail, Echo, Host, HttpClient, HttpServer, HttpVersion, Interface,
    Keepalive, Node, Outputs, Pcap, Ping, Route, Router, Scenario, Sink, Switch, SynFlood, Tcp,
    TimedAction, Traceroute,
};
pub use services::{
    AddrRange, Address, DhcpClient, DhcpServer, DnsServer, Nat, Record, Reservation, Resolver,
    UdpCbr, UdpEcho, UdpOnOff, UdpSink,
};
pub use validate::validate;
pub use values::{Endpoint, Ipv4Cidr, QueueLimit};
