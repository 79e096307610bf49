//! # protocols
//!
//! netsim's network, stack below and applications above: wire formats
//! ([`wire`]), frames in flight ([`packet`]), links with queues and
//! impairments ([`link`]), the node stack (Ethernet, ARP, IPv4 with routing,
//! fragmentation and ICMP, in [`node`]), TCP ([`tcp`]), DHCP, DNS and NAT,
//! applications ([`apps`]), the world that ties them to the event engine
//! ([`world`]), and the typed trace events every report is built from
//! ([`trace`]).
//!
//! Protocol state machines are sans-IO: they take `(now, input)` and return
//! what to send and when to be called again. Only [`world`] talks to the
//! scheduler.
//!
//! ## A TCP header, on the wire and back
//!
//! Each [`wire`] module has a `Repr` that `emit`s bytes (checksums computed)
//! and `parse`s them (validated; never a panic on any input):
//!
//! ```
//! use std::net::Ipv4Addr;
//! use protocols::wire::{TcpFlags, TcpOptions, TcpRepr, TcpSeq};
//!
//! let (client, server) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
//! let syn = TcpRepr {
//!     src_port: 40000,
//!     dst_port: 80,
//!     seq: TcpSeq(1000),
//!     flags: TcpFlags::SYN,
//!     window: 64240,
//!     options: TcpOptions { mss: Some(1460), ..TcpOptions::default() },
//!     ..TcpRepr::default()
//! };
//! let mut bytes = Vec::new();
//! syn.emit(&mut bytes, b"", client, server);
//! assert_eq!(bytes.len(), 24); // 20-byte header + the 4-byte MSS option
//!
//! let (parsed, data) = TcpRepr::parse(&bytes, client, server).unwrap();
//! assert_eq!(parsed.rfc_notation(0), "<SEQ=1000><CTL=SYN>");
//! assert_eq!(parsed.options.mss, Some(1460));
//! assert!(data.is_empty());
//! // The checksum covers the pseudo-header: the same bytes from another host fail.
//! assert!(TcpRepr::parse(&bytes, server, server).is_err());
//! ```
//!
//! ## A three-way handshake between two TCP stacks
//!
//! A [`tcp::TcpStack`] is a host's TCP: give it segments and timer calls, and
//! it queues the segments to send in `transmits`. Two stacks wired back to
//! back go through RFC 9293's handshake:
//!
//! ```
//! use std::net::Ipv4Addr;
//! use protocols::tcp::{AppSignal, Endpoint, State, TcpConfig, TcpStack};
//! use sim_core::{RngStreams, SimTime};
//!
//! let rng = RngStreams::new(1, 0);
//! let (a, b) = (Ipv4Addr::new(10, 0, 0, 1), Ipv4Addr::new(10, 0, 0, 2));
//! let mut client = TcpStack::new(rng.stream("client"));
//! let mut server = TcpStack::new(rng.stream("server"));
//! server.listen(0, 80, 16, false, TcpConfig::default(), 1500);
//!
//! let t = SimTime::from_nanos(1_000_000);
//! let sock = client.connect(t, 0, a, Endpoint { addr: b, port: 80 }, TcpConfig::default(), 1500);
//! assert_eq!(client.tcb(sock).unwrap().state(), State::SynSent);
//!
//! // Hands every queued segment of `from` to `to`, as a wire would.
//! let deliver = |from: &mut TcpStack, to: &mut TcpStack| {
//!     for seg in std::mem::take(&mut from.transmits) {
//!         let s = seg.segment;
//!         assert!(to.on_segment(t, seg.src, seg.dst, &s.repr, s.payload, false));
//!     }
//! };
//! deliver(&mut client, &mut server); // SYN
//! deliver(&mut server, &mut client); // SYN-ACK
//! assert_eq!(client.tcb(sock).unwrap().state(), State::Established);
//! deliver(&mut client, &mut server); // ACK
//! assert!(server.signals.iter().any(|(_, _, s)| *s == AppSignal::Connected));
//! ```
//!
//! ## Where things live
//!
//! See `docs/ARCHITECTURE.md` in the repository for how a run flows and where
//! to add an application, a trace event, a congestion control, a wire format
//! or a scenario field.
#![warn(missing_docs)]

pub mod apps;
pub mod dhcp;
pub mod dns;
pub mod link;
pub mod nat;
pub mod node;
pub mod packet;
pub mod tcp;
pub mod topology;
pub mod trace;
pub mod wire;
pub mod world;
