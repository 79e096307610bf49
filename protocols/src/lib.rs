//! # protocols
//!
//! netsim's network: wire formats ([`wire`]), frames in flight ([`packet`]),
//! links with queues and impairments ([`link`]), the node stack (Ethernet,
//! ARP, IPv4 with routing, fragmentation and ICMP, in [`node`]), TCP
//! ([`tcp`]), applications ([`apps`]), the world that ties them to the event
//! engine ([`world`]), and the typed trace events every report is built from
//! ([`trace`]).
//!
//! Protocol state machines are sans-IO: they take `(now, input)` and return
//! what to send and when to be called again. Only [`world`] talks to the
//! scheduler.
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
