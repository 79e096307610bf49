//! UDP header (RFC 768).
//!
//! The checksum always covers the IPv4 pseudo-header; a received checksum of
//! zero means "not computed" and is accepted (RFC 768).

use std::fmt;
use std::net::Ipv4Addr;

use super::WireError;
use super::checksum;

/// Length of the UDP header.
pub const HEADER_LEN: usize = 8;

/// A UDP header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
}

impl UdpRepr {
    /// Parses and verifies a datagram sent from `src` to `dst`; returns the
    /// header and exactly the payload the length field covers.
    pub fn parse(
        bytes: &[u8],
        src: Ipv4Addr,
        dst: Ipv4Addr,
    ) -> Result<(UdpRepr, &[u8]), WireError> {
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated);
        }
        let len = usize::from(u16::from_be_bytes([bytes[4], bytes[5]]));
        if len < HEADER_LEN {
            return Err(WireError::Malformed);
        }
        if bytes.len() < len {
            return Err(WireError::Truncated);
        }
        let bytes = &bytes[..len];
        let wire_sum = u16::from_be_bytes([bytes[6], bytes[7]]);
        if wire_sum != 0 {
            let sum =
                checksum::accumulate(checksum::pseudo_header(src, dst, 17, len as u16), bytes);
            if checksum::finish(sum) != 0 {
                return Err(WireError::Checksum);
            }
        }
        let repr = UdpRepr {
            src_port: u16::from_be_bytes([bytes[0], bytes[1]]),
            dst_port: u16::from_be_bytes([bytes[2], bytes[3]]),
        };
        Ok((repr, &bytes[HEADER_LEN..]))
    }

    /// Appends header and payload, with the checksum over the pseudo-header, to `buf`.
    pub fn emit(&self, buf: &mut Vec<u8>, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr) {
        let start = buf.len();
        let len = (HEADER_LEN + payload.len()) as u16;
        buf.extend_from_slice(&self.src_port.to_be_bytes());
        buf.extend_from_slice(&self.dst_port.to_be_bytes());
        buf.extend_from_slice(&len.to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(payload);
        let sum = checksum::finish(checksum::accumulate(
            checksum::pseudo_header(src, dst, 17, len),
            &buf[start..],
        ));
        // RFC 768: a computed zero is transmitted as all ones.
        let sum = if sum == 0 { 0xffff } else { sum };
        buf[start + 6..start + 8].copy_from_slice(&sum.to_be_bytes());
    }
}

impl fmt::Display for UdpRepr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UDP {} > {}", self.src_port, self.dst_port)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 1);
    const DST: Ipv4Addr = Ipv4Addr::new(192, 168, 1, 2);

    /// 1234 > 53, payload "hi". Checksum by hand: pseudo-header
    /// c0a8+0101+c0a8+0102+0011+000a = 0x1836e; header 04d2+0035+000a = 0x0511;
    /// payload 6869; total 0x1f0e8 -> f0e9 -> !f0e9 = 0f16.
    const GOLDEN: [u8; 10] = [0x04, 0xd2, 0x00, 0x35, 0x00, 0x0a, 0x0f, 0x16, b'h', b'i'];

    #[test]
    fn emit_and_parse_golden() {
        let repr = UdpRepr {
            src_port: 1234,
            dst_port: 53,
        };
        let mut buf = Vec::new();
        repr.emit(&mut buf, b"hi", SRC, DST);
        assert_eq!(buf, GOLDEN);
        let (parsed, payload) = UdpRepr::parse(&GOLDEN, SRC, DST).unwrap();
        assert_eq!(parsed, repr);
        assert_eq!(payload, b"hi");
    }

    #[test]
    fn checksum_covers_the_pseudo_header() {
        let other = Ipv4Addr::new(192, 168, 1, 3);
        assert_eq!(
            UdpRepr::parse(&GOLDEN, SRC, other),
            Err(WireError::Checksum)
        );
        let mut zero = GOLDEN;
        zero[6] = 0;
        zero[7] = 0;
        assert!(
            UdpRepr::parse(&zero, SRC, other).is_ok(),
            "zero means no checksum"
        );
    }

    #[test]
    fn length_field_is_checked() {
        let mut b = GOLDEN;
        b[5] = 20;
        assert_eq!(UdpRepr::parse(&b, SRC, DST), Err(WireError::Truncated));
        b[5] = 4;
        assert_eq!(UdpRepr::parse(&b, SRC, DST), Err(WireError::Malformed));
    }
}
