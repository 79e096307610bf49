//! Network address and port translation (NAPT, RFC 3022 §2.2) for a home
//! gateway: datagrams forwarded from an inside interface out of the outside
//! interface get the outside address and a port of the gateway; answers to
//! that port are translated back and forwarded inside.
//!
//! Behaviour, by RFC:
//! - RFC 4787 REQ-1: endpoint-independent mapping (one outside port per inside
//!   address and port, whatever the remote); REQ-3: port preservation when
//!   the port is free; REQ-8: address-dependent filtering (inbound packets are
//!   let in only from remote addresses the mapping has sent to).
//! - RFC 4787 REQ-5: UDP mappings expire after an idle time (default 300 s);
//!   RFC 5382 REQ-5: TCP mappings of established connections after 7440 s,
//!   of connections opening or closing (SYN, FIN or RST seen) after 240 s;
//!   RFC 5508 REQ-1: ICMP query mappings after 60 s.
//! - RFC 5508 §4.2 / RFC 3022 §4.3: ICMP errors about translated packets are
//!   translated back: the outer destination and the quoted packet's source
//!   address and port, with the quoted IP header checksum recomputed and the
//!   quoted UDP and ICMP checksums adjusted (RFC 1624).
//!
//! Deliberate simplifications: no hairpinning; fragments are not translated
//! (dropped and traced); no ALGs; the gateway's own sockets share the port
//! space with mappings (a mapping never takes a port one of them has bound).

mod icmp;
mod table;

#[cfg(test)]
mod tests;

use std::fmt;
use std::net::{Ipv4Addr, SocketAddrV4};

use sim_core::SimDuration;

use crate::topology::IfaceId;

pub use table::{Inbound, Nat};

/// NAPT settings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatConfig {
    /// Interfaces whose traffic is translated when it leaves by `outside`.
    pub inside: Vec<IfaceId>,
    /// The interface whose address is shared.
    pub outside: IfaceId,
    /// Idle timeout of UDP mappings (RFC 4787 REQ-5: at least 2 min, 5 min recommended).
    pub udp_timeout: SimDuration,
    /// Idle timeout of established TCP mappings (RFC 5382 REQ-5: at least 2 h 4 min).
    pub tcp_timeout: SimDuration,
    /// Idle timeout of TCP mappings opening or closing (RFC 5382: 4 min).
    pub tcp_transitory_timeout: SimDuration,
    /// Idle timeout of ICMP query mappings (RFC 5508 REQ-1: 60 s).
    pub icmp_timeout: SimDuration,
    /// Outside ports (and ICMP identifiers) handed out, inclusive.
    pub ports: (u16, u16),
}

impl NatConfig {
    /// The RFC defaults for a gateway translating `inside` behind `outside`.
    pub fn new(inside: Vec<IfaceId>, outside: IfaceId) -> NatConfig {
        NatConfig {
            inside,
            outside,
            udp_timeout: SimDuration::from_secs(300),
            tcp_timeout: SimDuration::from_secs(7440),
            tcp_transitory_timeout: SimDuration::from_secs(240),
            icmp_timeout: SimDuration::from_secs(60),
            ports: (1024, 65535),
        }
    }
}

/// What a mapping translates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum NatProto {
    /// TCP ports.
    Tcp,
    /// UDP ports.
    Udp,
    /// ICMP echo identifiers.
    Icmp,
}

impl fmt::Display for NatProto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NatProto::Tcp => "TCP",
            NatProto::Udp => "UDP",
            NatProto::Icmp => "ICMP",
        })
    }
}

/// What the translator did, for the trace (one [`crate::trace::Event::Nat`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NatEvent {
    /// A datagram was translated: the inside and outside addresses of the
    /// gateway's side, and the remote end.
    Translated {
        /// Leaving (inside → outside) or arriving.
        outbound: bool,
        /// Protocol.
        proto: NatProto,
        /// The inside host's address and port (ICMP: echo identifier).
        inside: SocketAddrV4,
        /// The gateway's outside address and the mapped port.
        outside: SocketAddrV4,
        /// The remote end.
        remote: SocketAddrV4,
    },
    /// An ICMP error about a translated datagram was translated too.
    IcmpError {
        /// Leaving (from an inside host) or arriving (from the outside).
        outbound: bool,
        /// Protocol of the datagram the error is about.
        proto: NatProto,
        /// The inside end of that datagram.
        inside: SocketAddrV4,
        /// The outside end of that datagram.
        outside: SocketAddrV4,
        /// Who sent the error.
        reporter: Ipv4Addr,
        /// The error, as ping prints it.
        what: String,
    },
    /// A new mapping.
    Created {
        /// Protocol.
        proto: NatProto,
        /// Inside end.
        inside: SocketAddrV4,
        /// Outside end.
        outside: SocketAddrV4,
    },
    /// A mapping timed out.
    Expired {
        /// Protocol.
        proto: NatProto,
        /// Inside end.
        inside: SocketAddrV4,
        /// Outside end.
        outside: SocketAddrV4,
        /// How long it was idle.
        idle: SimDuration,
    },
    /// A datagram the translator would not pass.
    Dropped {
        /// Leaving or arriving.
        outbound: bool,
        /// The datagram, as the trace prints it.
        packet: String,
        /// Why.
        reason: &'static str,
    },
}

impl NatEvent {
    /// A stable key for machine-readable outputs.
    pub fn key(&self) -> &'static str {
        match self {
            NatEvent::Translated { .. } => "translated",
            NatEvent::IcmpError { .. } => "icmp-error",
            NatEvent::Created { .. } => "created",
            NatEvent::Expired { .. } => "expired",
            NatEvent::Dropped { .. } => "dropped",
        }
    }

    /// Whether this is a per-packet event (shown at `Packets` detail) rather
    /// than a mapping change or a drop (`Summary`).
    pub fn per_packet(&self) -> bool {
        matches!(self, NatEvent::Translated { .. })
    }

    /// The inside and outside ends, when the event has them.
    pub fn ends(&self) -> Option<(SocketAddrV4, SocketAddrV4)> {
        match self {
            NatEvent::Translated {
                inside, outside, ..
            }
            | NatEvent::IcmpError {
                inside, outside, ..
            }
            | NatEvent::Created {
                inside, outside, ..
            }
            | NatEvent::Expired {
                inside, outside, ..
            } => Some((*inside, *outside)),
            NatEvent::Dropped { .. } => None,
        }
    }
}

/// An end as the trace shows it: `192.168.1.100:40000`, or for ICMP echo
/// `192.168.1.100 id 1`.
struct End(NatProto, SocketAddrV4);

impl fmt::Display for End {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            NatProto::Icmp => write!(f, "{} id {}", self.1.ip(), self.1.port()),
            NatProto::Tcp | NatProto::Udp => write!(f, "{}", self.1),
        }
    }
}

impl fmt::Display for NatEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NatEvent::Translated {
                outbound,
                proto,
                inside,
                outside,
                remote,
            } => {
                let (i, o) = (End(*proto, *inside), End(*proto, *outside));
                let r: &dyn fmt::Display = match proto {
                    NatProto::Icmp => remote.ip(),
                    NatProto::Tcp | NatProto::Udp => remote,
                };
                if *outbound {
                    write!(f, "out {proto} {i} > {r} becomes {o} > {r}")
                } else {
                    write!(f, "in  {proto} {r} > {o} becomes {r} > {i}")
                }
            }
            NatEvent::IcmpError {
                outbound,
                proto,
                inside,
                outside,
                reporter,
                what,
            } => {
                let (i, o) = (End(*proto, *inside), End(*proto, *outside));
                if *outbound {
                    write!(
                        f,
                        "out ICMP {what} about {proto} to {i} becomes about {proto} to {o}"
                    )
                } else {
                    write!(
                        f,
                        "in  ICMP {what} from {reporter} about {proto} from {o} becomes about {proto} from {i}"
                    )
                }
            }
            NatEvent::Created {
                proto,
                inside,
                outside,
            } => write!(
                f,
                "new mapping {proto} {} <-> {}",
                End(*proto, *inside),
                End(*proto, *outside)
            ),
            NatEvent::Expired {
                proto,
                inside,
                outside,
                idle,
            } => write!(
                f,
                "mapping {proto} {} <-> {} expired after {idle} idle",
                End(*proto, *inside),
                End(*proto, *outside)
            ),
            NatEvent::Dropped {
                outbound,
                packet,
                reason,
            } => write!(
                f,
                "{} {packet} dropped: {reason}",
                if *outbound { "out" } else { "in " }
            ),
        }
    }
}
