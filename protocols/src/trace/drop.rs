//! Why a frame or packet was dropped ([`DropReason`]) and what it was ([`Dropped`]).

use std::fmt;

use crate::packet::{Frame, Ipv4Packet};
use crate::wire::WireError;

/// Why a frame or packet was dropped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DropReason {
    /// The egress queue was full (DropTail).
    QueueFull,
    /// RED dropped the arrival early (average queue between the thresholds).
    RedEarlyDrop,
    /// RED dropped the arrival because the average queue was too long.
    RedForcedDrop,
    /// CoDel dropped the packet at the head (it waited too long).
    CoDelDrop,
    /// The link was down.
    LinkDown,
    /// Random loss (Bernoulli).
    RandomLoss,
    /// Burst loss (Gilbert–Elliott, in the named state).
    BurstLoss {
        /// Whether the channel was in its bad state.
        bad_state: bool,
    },
    /// A deterministic teaching rule matched (the rule, as written).
    DropRule(String),
    /// The frame check sequence did not match: the frame was corrupted on the link.
    FcsError,
    /// A header did not parse.
    Malformed(WireError),
    /// TTL reached zero at a router.
    TtlExceeded,
    /// No route to the destination.
    NoRoute,
    /// ARP got no answer for the next hop.
    ArpFailed,
    /// Too many packets were waiting for ARP resolution.
    ArpQueueFull,
    /// Not all fragments arrived in time.
    ReassemblyTimeout,
    /// Larger than the egress MTU with DF set.
    FragmentationNeeded {
        /// The egress MTU.
        mtu: u32,
    },
    /// The frame was not addressed to this interface.
    NotForUs,
    /// No socket or handler for the protocol or port.
    NoListener,
    /// A switch had no port to send it to (it came back to where it would go).
    SameSegment,
    /// The receiving node is down.
    NodeDown,
    /// A broadcast datagram for a port nothing listens on (silently
    /// discarded, as every host discards the DHCP broadcasts of its neighbours).
    BroadcastNoListener,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DropReason::QueueFull => f.write_str("queue full"),
            DropReason::RedEarlyDrop => f.write_str("RED early drop"),
            DropReason::RedForcedDrop => f.write_str("RED forced drop"),
            DropReason::CoDelDrop => f.write_str("CoDel drop (sojourn above target)"),
            DropReason::LinkDown => f.write_str("link down"),
            DropReason::RandomLoss => f.write_str("random loss"),
            DropReason::BurstLoss { bad_state: true } => f.write_str("burst loss (bad state)"),
            DropReason::BurstLoss { bad_state: false } => f.write_str("burst loss (good state)"),
            DropReason::DropRule(rule) => write!(f, "drop rule {rule}"),
            DropReason::FcsError => f.write_str("FCS error (corrupted on the link)"),
            DropReason::Malformed(e) => write!(f, "malformed ({e})"),
            DropReason::TtlExceeded => f.write_str("TTL exceeded"),
            DropReason::NoRoute => f.write_str("no route"),
            DropReason::ArpFailed => f.write_str("ARP resolution failed"),
            DropReason::ArpQueueFull => f.write_str("ARP queue full"),
            DropReason::ReassemblyTimeout => f.write_str("reassembly timeout"),
            DropReason::FragmentationNeeded { mtu } => {
                write!(f, "needs fragmentation but DF set (mtu {mtu})")
            }
            DropReason::NotForUs => f.write_str("not addressed to us"),
            DropReason::NoListener => f.write_str("no listener"),
            DropReason::SameSegment => f.write_str("destination on the arrival port"),
            DropReason::NodeDown => f.write_str("node down"),
            DropReason::BroadcastNoListener => f.write_str("broadcast, no listener"),
        }
    }
}

impl DropReason {
    /// A short stable key for machine-readable outputs: `queue-full`, `fcs-error`, ...
    pub fn key(&self) -> &'static str {
        match self {
            DropReason::QueueFull => "queue-full",
            DropReason::RedEarlyDrop => "red-early",
            DropReason::RedForcedDrop => "red-forced",
            DropReason::CoDelDrop => "codel",
            DropReason::LinkDown => "link-down",
            DropReason::RandomLoss => "random-loss",
            DropReason::BurstLoss { .. } => "burst-loss",
            DropReason::DropRule(_) => "drop-rule",
            DropReason::FcsError => "fcs-error",
            DropReason::Malformed(_) => "malformed",
            DropReason::TtlExceeded => "ttl-exceeded",
            DropReason::NoRoute => "no-route",
            DropReason::ArpFailed => "arp-failed",
            DropReason::ArpQueueFull => "arp-queue-full",
            DropReason::ReassemblyTimeout => "reassembly-timeout",
            DropReason::FragmentationNeeded { .. } => "fragmentation-needed",
            DropReason::NotForUs => "not-for-us",
            DropReason::NoListener => "no-listener",
            DropReason::SameSegment => "same-segment",
            DropReason::NodeDown => "node-down",
            DropReason::BroadcastNoListener => "broadcast-no-listener",
        }
    }
}

/// What was dropped.
#[derive(Clone, Copy, Debug)]
pub enum Dropped<'a> {
    /// A whole frame (at a link, a queue or an interface).
    Frame(&'a Frame),
    /// An IP packet (inside a node's stack).
    Packet(&'a Ipv4Packet),
}
