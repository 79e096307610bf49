//! # scenarios
//!
//! Scenario files of netsim, from text to the world description the
//! simulator runs. In order, for one run:
//!
//! 1. [`load`] reads and parses the RON text against the [`schema`] (every
//!    struct rejects unknown fields, with a "did you mean"); errors carry
//!    `file:line:column` and the field path ([`error`]).
//! 2. [`overrides`] applies the `--set PATH=VALUE` overrides.
//! 3. [`validate()`] expands the topology generators ([`generate`]), checks the
//!    semantics once (names resolve and are unique, addresses, gateways and
//!    routes are reachable, numbers are in range, the timeline, outputs and
//!    expectations name what exists), reporting every problem at once, and
//!    normalizes: links get their derived names, bare switch endpoints their
//!    ports.
//! 4. [`build`] resolves the validated scenario into a
//!    [`protocols::world::WorldSpec`]: the topology (node, interface and link
//!    ids, MAC and static addresses), each node's routes with their egress
//!    interface, and each application's and service's configuration with its
//!    interfaces, reservations and endpoints looked up. No names are left, and
//!    `protocols` builds the running world from it without checking again.
//!
//! Beside that path: [`expect`] holds the end-of-run assertions (checked in
//! step 3, evaluated by `netsim` after the run), [`sweep`] expands a
//! parameter sweep into runs, and [`ladder`] names one TCP connection for the
//! ladder diagrams.
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
