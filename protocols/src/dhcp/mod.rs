//! DHCP (RFC 2131, options of RFC 2132) as two sans-IO state machines: the
//! [`client::DhcpClient`] of an interface configured by DHCP and the
//! [`server::DhcpServer`] of one subnet. Neither touches a socket, a clock or a
//! global RNG: each takes `(now, input)` and returns messages to send, address
//! changes and trace events; `poll_at()` says when to call it again. The node
//! glue (`node/dhcp.rs` for the client, `apps/dhcpd.rs` for the server) does
//! the I/O.
//!
//! RFCs implemented, by section:
//! - RFC 2131 §3.1, §4.4 and Figure 5: client states INIT, SELECTING,
//!   REQUESTING, BOUND, RENEWING, REBINDING; §4.1 retransmission with
//!   randomized exponential backoff; §4.4.5 T1/T2 and the RENEWING/REBINDING
//!   retransmission rule; §3.1 step 5 DECLINE and the 10-second wait.
//! - RFC 2131 §4.3: server address selection, OFFER, ACK, NAK, DECLINE,
//!   RELEASE, INFORM; §4.1 where replies go (broadcast, unicast to `ciaddr`,
//!   unicast to `chaddr`/`yiaddr`).
//! - RFC 2132: options 1, 3, 6, 12, 50, 51, 53, 54, 55, 56, 58, 59, 61.
//! - RFC 5227 §2.1.1: the client probes the address it was given with ARP
//!   probes (sender IP 0.0.0.0) before using it, then announces it.
//!
//! Deliberate simplifications, module by module, are listed in each file.

pub mod client;
pub mod server;

#[cfg(test)]
mod client_tests;
#[cfg(test)]
mod server_tests;

use std::fmt;
use std::net::Ipv4Addr;

use sim_core::SimDuration;

use crate::wire::{Ipv4Cidr, MacAddr};

pub use client::{ClientConfig, ClientOutput, ClientState, DhcpClient, DhcpClientStats, Lease};
pub use server::{DhcpServer, DhcpServerStats, ReplyTo, ServerConfig, ServerOutput};

/// RFC 2131 §4.1: the first retransmission waits 4 s, each next one twice as
/// long...
pub const RETRANSMIT_FIRST: SimDuration = SimDuration::from_secs(4);
/// ... up to 64 s (RFC 2131 §4.1).
pub const RETRANSMIT_MAX: SimDuration = SimDuration::from_secs(64);
/// RFC 2131 §4.1: each delay is randomized by a uniform draw in −1 s ..= +1 s.
pub const RETRANSMIT_FUZZ: SimDuration = SimDuration::from_secs(1);
/// RFC 2131 §4.4.5: in RENEWING and REBINDING the client waits half the time
/// left, down to a minimum of 60 s, before retransmitting.
pub const RENEW_RETRANSMIT_MIN: SimDuration = SimDuration::from_secs(60);
/// RFC 2131 §3.1 step 5: after a DECLINE, wait at least 10 s before restarting.
pub const DECLINE_WAIT: SimDuration = SimDuration::from_secs(10);

/// RFC 5227 §1.1: wait a random time up to PROBE_WAIT before the first probe.
pub const PROBE_WAIT: SimDuration = SimDuration::from_secs(1);
/// RFC 5227 §1.1: number of probes.
pub const PROBE_NUM: u32 = 3;
/// RFC 5227 §1.1: minimum delay until the next probe.
pub const PROBE_MIN: SimDuration = SimDuration::from_secs(1);
/// RFC 5227 §1.1: maximum delay until the next probe.
pub const PROBE_MAX: SimDuration = SimDuration::from_secs(2);
/// RFC 5227 §1.1: delay after the last probe before the address is used.
pub const ANNOUNCE_WAIT: SimDuration = SimDuration::from_secs(2);
/// RFC 5227 §1.1: number of announcements.
pub const ANNOUNCE_NUM: u32 = 2;
/// RFC 5227 §1.1: time between announcements.
pub const ANNOUNCE_INTERVAL: SimDuration = SimDuration::from_secs(2);

/// An infinite lease (RFC 2131 §3.3: lease time 0xffffffff).
pub const INFINITE_LEASE: u32 = u32::MAX;

/// What a DHCP client did, for the trace (one [`crate::trace::Event::Dhcp`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DhcpEvent {
    /// The client changed state (RFC 2131 Figure 5).
    State {
        /// State before.
        from: ClientState,
        /// State after.
        to: ClientState,
        /// What caused it, as dhclient would log it.
        cause: String,
    },
    /// A server acknowledged the request; the client now checks the address
    /// with ARP probes before using it (RFC 5227 §2.1.1).
    Checking {
        /// The address acknowledged.
        addr: Ipv4Addr,
        /// The server.
        server: Ipv4Addr,
    },
    /// The interface got its address, mask, default route and DNS server.
    Configured {
        /// Address and prefix.
        addr: Ipv4Cidr,
        /// Default router, if the server gave one.
        router: Option<Ipv4Addr>,
        /// DNS servers.
        dns: Vec<Ipv4Addr>,
        /// Lease time in seconds.
        lease_secs: u32,
        /// Seconds until renewal (T1) from now.
        renew_in_secs: u64,
    },
    /// The interface lost its address (lease expired, NAK, release).
    Deconfigured {
        /// The address it had.
        addr: Ipv4Cidr,
        /// Why.
        cause: &'static str,
    },
    /// An ARP packet showed that someone else already uses the offered address.
    Conflict {
        /// The address.
        addr: Ipv4Addr,
        /// Who has it.
        by: MacAddr,
    },
}

impl DhcpEvent {
    /// A stable key for machine-readable outputs.
    pub fn key(&self) -> &'static str {
        match self {
            DhcpEvent::State { .. } => "state",
            DhcpEvent::Checking { .. } => "checking",
            DhcpEvent::Configured { .. } => "configured",
            DhcpEvent::Deconfigured { .. } => "deconfigured",
            DhcpEvent::Conflict { .. } => "conflict",
        }
    }

    /// The address the event is about, if any.
    pub fn addr(&self) -> Option<Ipv4Addr> {
        match self {
            DhcpEvent::State { .. } => None,
            DhcpEvent::Configured { addr, .. } | DhcpEvent::Deconfigured { addr, .. } => {
                Some(addr.addr)
            }
            DhcpEvent::Conflict { addr, .. } | DhcpEvent::Checking { addr, .. } => Some(*addr),
        }
    }
}

impl fmt::Display for DhcpEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DhcpEvent::State { from, to, cause } => write!(f, "{from} -> {to}: {cause}"),
            DhcpEvent::Checking { addr, server } => write!(
                f,
                "DHCPACK of {addr} from {server}: checking the address with {PROBE_NUM} ARP probes (RFC 5227)"
            ),
            DhcpEvent::Configured {
                addr,
                router,
                dns,
                lease_secs,
                renew_in_secs,
            } => {
                write!(f, "bound to {addr}")?;
                if let Some(r) = router {
                    write!(f, ", router {r}")?;
                }
                if !dns.is_empty() {
                    let list: Vec<String> = dns.iter().map(Ipv4Addr::to_string).collect();
                    write!(f, ", dns {}", list.join(" "))?;
                }
                if *lease_secs == INFINITE_LEASE {
                    write!(f, ", infinite lease")
                } else {
                    write!(
                        f,
                        ", lease {lease_secs}s -- renewal in {renew_in_secs} seconds."
                    )
                }
            }
            DhcpEvent::Deconfigured { addr, cause } => {
                write!(f, "address {addr} removed: {cause}")
            }
            DhcpEvent::Conflict { addr, by } => {
                write!(f, "address conflict: {addr} is in use by {by}")
            }
        }
    }
}

/// A uniform draw in `lo ..= hi` nanoseconds from `rng`.
pub(crate) fn uniform(
    rng: &mut sim_core::StreamRng,
    lo: SimDuration,
    hi: SimDuration,
) -> SimDuration {
    use rand::Rng;
    if hi <= lo {
        return lo;
    }
    SimDuration::from_nanos(rng.random_range(lo.as_nanos()..=hi.as_nanos()))
}
