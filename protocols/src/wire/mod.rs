//! Wire formats: one module per header.
//!
//! Each header has a `Repr` (the meaning of the header, as plain fields) with
//! `parse` (validates lengths and checksums, never panics on any input) and
//! `emit` (writes the bytes and computes checksums), a tcpdump-like `Display`,
//! and golden-bytes tests. Wire code never sees time.

pub mod arp;
pub mod checksum;
pub mod dhcpv4;
pub mod dns;
pub mod ethernet;
pub mod icmpv4;
pub mod ipv4;
pub mod tcp;
pub mod udp;

pub use arp::{ArpOperation, ArpRepr};
pub use dhcpv4::{DhcpMessageType, DhcpOp, DhcpRepr};
pub use dns::{DnsQuestion, DnsRcode, DnsRecord, DnsRepr, DnsType, RecordData};
pub use ethernet::{EtherType, EthernetRepr, MacAddr};
pub use icmpv4::{IcmpRepr, UnreachableCode};
pub use ipv4::{IpProtocol, Ipv4Cidr, Ipv4Repr};
pub use tcp::{SackBlock, SackBlocks, TcpFlags, TcpOptions, TcpRepr, TcpSeq};
pub use udp::UdpRepr;

/// Why bytes did not parse as a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    /// Fewer bytes than the header (or its length field) needs.
    #[error("truncated")]
    Truncated,
    /// A checksum did not verify.
    #[error("bad checksum")]
    Checksum,
    /// A field holds a value this implementation does not accept.
    #[error("malformed")]
    Malformed,
    /// A valid header of a kind this implementation does not handle.
    #[error("unsupported")]
    Unsupported,
}
