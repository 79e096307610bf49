//! The datagram quoted inside an ICMP error (RFC 792: its IP header and the
//! first 8 bytes of its payload), read and rewritten for translation (RFC
//! 5508 §4.2, RFC 3022 §4.3), with checksums kept valid (RFC 1624).

use std::net::{Ipv4Addr, SocketAddrV4};

use super::NatProto;
use crate::wire::checksum;

/// The protocol and the two ends (address and port, or echo identifier) of a
/// quoted datagram, if it is UDP, TCP or an ICMP echo.
pub(super) fn quoted_ends(quote: &[u8]) -> Option<(NatProto, SocketAddrV4, SocketAddrV4)> {
    let ihl = usize::from(*quote.first()? & 0x0f) * 4;
    if ihl < 20 || quote.len() < ihl + 4 {
        return None;
    }
    let ip = |at: usize| Ipv4Addr::new(quote[at], quote[at + 1], quote[at + 2], quote[at + 3]);
    let word = |at: usize| u16::from_be_bytes([quote[at], quote[at + 1]]);
    let (src, dst) = (ip(12), ip(16));
    match quote[9] {
        6 | 17 => {
            let proto = if quote[9] == 6 {
                NatProto::Tcp
            } else {
                NatProto::Udp
            };
            Some((
                proto,
                SocketAddrV4::new(src, word(ihl)),
                SocketAddrV4::new(dst, word(ihl + 2)),
            ))
        }
        1 if quote.len() >= ihl + 6 && matches!(quote[ihl], 0 | 8) => {
            let ident = word(ihl + 4);
            Some((
                NatProto::Icmp,
                SocketAddrV4::new(src, ident),
                SocketAddrV4::new(dst, ident),
            ))
        }
        _ => None,
    }
}

/// The quote with its source end (`src_side`) or destination end replaced by
/// `to`: address, port (or echo identifier), IP header checksum recomputed,
/// quoted UDP or ICMP checksum adjusted (RFC 1624). The quote must have
/// passed [`quoted_ends`].
pub(super) fn rewrite_quote(quote: &[u8], src_side: bool, to: SocketAddrV4) -> Vec<u8> {
    let mut q = quote.to_vec();
    let ihl = usize::from(q[0] & 0x0f) * 4;
    let ip_at = if src_side { 12 } else { 16 };
    let old_ip = [q[ip_at], q[ip_at + 1], q[ip_at + 2], q[ip_at + 3]];
    q[ip_at..ip_at + 4].copy_from_slice(&to.ip().octets());
    // The quoted IP header checksum, over the header as rewritten.
    q[10..12].copy_from_slice(&[0, 0]);
    let sum = checksum::checksum(&q[..ihl]);
    q[10..12].copy_from_slice(&sum.to_be_bytes());
    let port_at = match q[9] {
        1 => ihl + 4,
        _ if src_side => ihl,
        _ => ihl + 2,
    };
    let old_port = [q[port_at], q[port_at + 1]];
    q[port_at..port_at + 2].copy_from_slice(&to.port().to_be_bytes());
    match q[9] {
        // UDP: the checksum covers the pseudo-header (addresses) and the port.
        17 if q.len() >= ihl + 8 => {
            let at = ihl + 6;
            let old = u16::from_be_bytes([q[at], q[at + 1]]);
            if old != 0 {
                let mut old_words = old_ip.to_vec();
                old_words.extend_from_slice(&old_port);
                let mut new_words = to.ip().octets().to_vec();
                new_words.extend_from_slice(&to.port().to_be_bytes());
                let new = match adjust(old, &old_words, &new_words) {
                    0 => 0xffff,
                    s => s,
                };
                q[at..at + 2].copy_from_slice(&new.to_be_bytes());
            }
        }
        // ICMP echo: the checksum covers the identifier only (no pseudo-header).
        1 => {
            let at = ihl + 2;
            let old = u16::from_be_bytes([q[at], q[at + 1]]);
            let new = adjust(old, &old_port, &to.port().to_be_bytes());
            q[at..at + 2].copy_from_slice(&new.to_be_bytes());
        }
        // TCP's checksum is beyond the 8 quoted bytes.
        _ => {}
    }
    q
}

/// RFC 1624 eqn. 3: the checksum `sum` after the 16-bit words `old` became
/// `new` (both of even, equal length): `HC' = ~(~HC + ~m + m')`.
fn adjust(sum: u16, old: &[u8], new: &[u8]) -> u16 {
    let mut acc = u32::from(!sum);
    for (o, n) in old.chunks_exact(2).zip(new.chunks_exact(2)) {
        acc += u32::from(!u16::from_be_bytes([o[0], o[1]]));
        acc += u32::from(u16::from_be_bytes([n[0], n[1]]));
    }
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    !(acc as u16)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incremental_update_matches_a_full_recomputation() {
        let mut data = [0x12u8, 0x34, 0xab, 0xcd, 0x00, 0x01, 0xff, 0xfe];
        let before = checksum::checksum(&data);
        let after_words = [0xc0u8, 0xa8];
        let adjusted = adjust(before, &data[2..4], &after_words);
        data[2..4].copy_from_slice(&after_words);
        assert_eq!(adjusted, checksum::checksum(&data));
    }
}
