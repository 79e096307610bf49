//! DNS over UDP port 53 (RFC 1035), as two sans-IO state machines: an
//! authoritative server with an optional forwarder ([`server::DnsServer`],
//! for a home gateway's DNS proxy), and the stub resolver of a host
//! ([`resolver::Resolver`]). Messages are the [`crate::wire::dns`] ones.
//!
//! RFCs implemented:
//! - RFC 1034 §4.3.2 (simplified): answers from the zone, following CNAME
//!   chains inside it; RFC 1035 §4.1.1 rcodes NOERROR, FORMERR, SERVFAIL,
//!   NXDOMAIN, NOTIMP, REFUSED.
//! - RFC 2308 §3: NXDOMAIN and NODATA answers carry the zone's SOA in the
//!   authority section.
//! - RFC 4343: names compare case-insensitively.
//! - RFC 1123 §6.1.3.3 / RFC 1536: the stub resolver retransmits with a
//!   timeout, trying each server in turn (glibc's defaults: 5 s, 2 attempts).

pub mod resolver;
pub mod server;

#[cfg(test)]
mod tests;

pub use resolver::{ResolveError, Resolver, ResolverConfig, ResolverOutput};
pub use server::{DnsOutput, DnsServer, DnsServerConfig, DnsServerStats, ZoneData};

/// `name` in lower case without a trailing dot: the form names are compared in
/// (RFC 4343).
pub fn canonical(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `name` is `zone` or inside it (both canonical).
pub fn in_zone(name: &str, zone: &str) -> bool {
    zone.is_empty()
        || name == zone
        || name
            .strip_suffix(zone)
            .is_some_and(|head| head.ends_with('.'))
}

/// Whether `name` is a legal host name for a scenario: dot-separated labels
/// of letters, digits and hyphens (RFC 1123 §2.1), 1 to 63 bytes each, at
/// most 253 bytes in all, not all digits (so that it cannot be an address).
pub fn is_host_name(name: &str) -> bool {
    let name = name.strip_suffix('.').unwrap_or(name);
    !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        })
        && !name.bytes().all(|b| b.is_ascii_digit() || b == b'.')
}
