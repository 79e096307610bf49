//! DHCP options (RFC 2132 §2): their codes, walking the options field with
//! repeated instances concatenated (RFC 3396 §7), the decoders of the option
//! kinds this stack uses, and writing options split into instances (RFC 3396).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use crate::wire::WireError;

/// Option codes (RFC 2132).
pub mod option_code {
    /// Pad (RFC 2132 §3.1).
    pub const PAD: u8 = 0;
    /// Subnet mask (RFC 2132 §3.3).
    pub const SUBNET_MASK: u8 = 1;
    /// Router list (RFC 2132 §3.5).
    pub const ROUTER: u8 = 3;
    /// Domain name server list (RFC 2132 §3.8).
    pub const DNS_SERVERS: u8 = 6;
    /// Host name (RFC 2132 §3.14).
    pub const HOSTNAME: u8 = 12;
    /// Requested IP address (RFC 2132 §9.1).
    pub const REQUESTED_IP: u8 = 50;
    /// IP address lease time (RFC 2132 §9.2).
    pub const LEASE_TIME: u8 = 51;
    /// Option overload (RFC 2132 §9.3); not honoured here.
    pub const OVERLOAD: u8 = 52;
    /// DHCP message type (RFC 2132 §9.6).
    pub const MESSAGE_TYPE: u8 = 53;
    /// Server identifier (RFC 2132 §9.7).
    pub const SERVER_ID: u8 = 54;
    /// Parameter request list (RFC 2132 §9.8).
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    /// Message, e.g. why a NAK (RFC 2132 §9.9).
    pub const MESSAGE: u8 = 56;
    /// Renewal (T1) time value (RFC 2132 §9.11).
    pub const RENEWAL_T1: u8 = 58;
    /// Rebinding (T2) time value (RFC 2132 §9.12).
    pub const REBINDING_T2: u8 = 59;
    /// Client identifier (RFC 2132 §9.14).
    pub const CLIENT_ID: u8 = 61;
    /// End (RFC 2132 §3.2).
    pub const END: u8 = 255;
}

use option_code as code;

/// Option codes [`DhcpRepr`](super::DhcpRepr) decodes; all others are skipped.
const KNOWN: [u8; 13] = [
    code::SUBNET_MASK,
    code::ROUTER,
    code::DNS_SERVERS,
    code::HOSTNAME,
    code::REQUESTED_IP,
    code::LEASE_TIME,
    code::MESSAGE_TYPE,
    code::SERVER_ID,
    code::PARAMETER_REQUEST_LIST,
    code::MESSAGE,
    code::RENEWAL_T1,
    code::REBINDING_T2,
    code::CLIENT_ID,
];

/// Walks the options field (RFC 2132 §2) and returns the data of each known
/// option, concatenating repeated instances (RFC 3396 §7).
pub(super) fn collect_options(mut rest: &[u8]) -> Result<BTreeMap<u8, Vec<u8>>, WireError> {
    let mut found: BTreeMap<u8, Vec<u8>> = BTreeMap::new();
    loop {
        match rest {
            [] | [code::END, ..] => return Ok(found),
            [code::PAD, tail @ ..] => rest = tail,
            [c, len, tail @ ..] => {
                let data = tail.get(..usize::from(*len)).ok_or(WireError::Malformed)?;
                if KNOWN.contains(c) {
                    found.entry(*c).or_default().extend_from_slice(data);
                }
                rest = &tail[data.len()..];
            }
            [_] => return Err(WireError::Malformed),
        }
    }
}

/// An option holding exactly one address.
pub(super) fn addr(data: &[u8]) -> Result<Ipv4Addr, WireError> {
    <[u8; 4]>::try_from(data)
        .map(Ipv4Addr::from)
        .map_err(|_| WireError::Malformed)
}

/// An option holding one or more addresses (RFC 2132: length a multiple of 4, at least 4).
pub(super) fn addrs(data: &[u8]) -> Result<Vec<Ipv4Addr>, WireError> {
    if data.is_empty() || !data.len().is_multiple_of(4) {
        return Err(WireError::Malformed);
    }
    Ok(data
        .chunks_exact(4)
        .map(|a| Ipv4Addr::new(a[0], a[1], a[2], a[3]))
        .collect())
}

/// A 32-bit time value in seconds.
pub(super) fn seconds(data: &[u8]) -> Result<u32, WireError> {
    <[u8; 4]>::try_from(data)
        .map(u32::from_be_bytes)
        .map_err(|_| WireError::Malformed)
}

/// An NVT ASCII string of at least one byte (RFC 2132 §3.14, §9.9).
pub(super) fn text(data: &[u8]) -> Result<String, WireError> {
    if data.is_empty() {
        return Err(WireError::Malformed);
    }
    Ok(String::from_utf8_lossy(data).into_owned())
}

/// Writes option `c` with `data`, split into instances of at most 255 bytes
/// (RFC 3396); writes nothing for empty data.
pub(super) fn put_option(buf: &mut Vec<u8>, c: u8, data: &[u8]) {
    put_chunks(buf, c, data, usize::from(u8::MAX));
}

/// Writes an address list, split on address boundaries (252 = 63 × 4 bytes
/// per instance) so each instance is also a valid RFC 2132 list.
pub(super) fn put_addrs(buf: &mut Vec<u8>, c: u8, list: &[Ipv4Addr]) {
    let data: Vec<u8> = list.iter().flat_map(|a| a.octets()).collect();
    put_chunks(buf, c, &data, 252);
}

fn put_chunks(buf: &mut Vec<u8>, c: u8, data: &[u8], max: usize) {
    for chunk in data.chunks(max) {
        buf.push(c);
        buf.push(chunk.len() as u8);
        buf.extend_from_slice(chunk);
    }
}
