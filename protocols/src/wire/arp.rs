//! ARP for IPv4 over Ethernet (RFC 826).
//!
//! Only hardware type 1 (Ethernet) and protocol type 0x0800 (IPv4) are
//! accepted; anything else is `Unsupported` and dropped by the caller.

use std::fmt;
use std::net::Ipv4Addr;

use super::WireError;
use super::ethernet::MacAddr;

/// Length of an Ethernet/IPv4 ARP packet.
pub const PACKET_LEN: usize = 28;

/// ARP opcode (RFC 826).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArpOperation {
    /// 1: who-has.
    Request,
    /// 2: is-at.
    Reply,
}

/// An Ethernet/IPv4 ARP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ArpRepr {
    /// Request or reply.
    pub operation: ArpOperation,
    /// Sender hardware address.
    pub sender_mac: MacAddr,
    /// Sender protocol address.
    pub sender_ip: Ipv4Addr,
    /// Target hardware address (zero in a request).
    pub target_mac: MacAddr,
    /// Target protocol address.
    pub target_ip: Ipv4Addr,
}

impl ArpRepr {
    /// Parses an ARP packet (trailing padding is ignored).
    pub fn parse(bytes: &[u8]) -> Result<ArpRepr, WireError> {
        if bytes.len() < PACKET_LEN {
            return Err(WireError::Truncated);
        }
        let htype = u16::from_be_bytes([bytes[0], bytes[1]]);
        let ptype = u16::from_be_bytes([bytes[2], bytes[3]]);
        if htype != 1 || ptype != 0x0800 || bytes[4] != 6 || bytes[5] != 4 {
            return Err(WireError::Unsupported);
        }
        let operation = match u16::from_be_bytes([bytes[6], bytes[7]]) {
            1 => ArpOperation::Request,
            2 => ArpOperation::Reply,
            _ => return Err(WireError::Malformed),
        };
        let mac = |at: usize| {
            let mut m = [0u8; 6];
            m.copy_from_slice(&bytes[at..at + 6]);
            MacAddr(m)
        };
        let ip = |at: usize| Ipv4Addr::new(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
        Ok(ArpRepr {
            operation,
            sender_mac: mac(8),
            sender_ip: ip(14),
            target_mac: mac(18),
            target_ip: ip(24),
        })
    }

    /// Appends the 28 bytes of the packet to `buf`.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&[0x00, 0x01, 0x08, 0x00, 6, 4]);
        let op: u16 = match self.operation {
            ArpOperation::Request => 1,
            ArpOperation::Reply => 2,
        };
        buf.extend_from_slice(&op.to_be_bytes());
        buf.extend_from_slice(&self.sender_mac.0);
        buf.extend_from_slice(&self.sender_ip.octets());
        buf.extend_from_slice(&self.target_mac.0);
        buf.extend_from_slice(&self.target_ip.octets());
    }

    /// Whether this is a gratuitous announcement (sender and target IP equal).
    pub fn is_gratuitous(&self) -> bool {
        self.sender_ip == self.target_ip
    }
}

impl fmt::Display for ArpRepr {
    /// As tcpdump prints it: `ARP, Request who-has 10.0.0.1 tell 10.0.0.2`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operation {
            ArpOperation::Request if self.is_gratuitous() => {
                write!(
                    f,
                    "ARP, Announcement {} is-at {}",
                    self.sender_ip, self.sender_mac
                )
            }
            ArpOperation::Request => {
                write!(
                    f,
                    "ARP, Request who-has {} tell {}",
                    self.target_ip, self.sender_ip
                )
            }
            ArpOperation::Reply => {
                write!(f, "ARP, Reply {} is-at {}", self.sender_ip, self.sender_mac)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Who-has 10.0.0.1 tell 10.0.0.2, from 02:00:00:00:00:02.
    const GOLDEN_REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, // htype, ptype, hlen, plen, op
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, 10, 0, 0, 2, // sender
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 0, 1, // target
    ];

    fn request() -> ArpRepr {
        ArpRepr {
            operation: ArpOperation::Request,
            sender_mac: MacAddr::local(2),
            sender_ip: Ipv4Addr::new(10, 0, 0, 2),
            target_mac: MacAddr::ZERO,
            target_ip: Ipv4Addr::new(10, 0, 0, 1),
        }
    }

    #[test]
    fn parse_and_emit_golden() {
        assert_eq!(ArpRepr::parse(&GOLDEN_REQUEST).unwrap(), request());
        let mut buf = Vec::new();
        request().emit(&mut buf);
        assert_eq!(buf, GOLDEN_REQUEST);
        assert_eq!(
            request().to_string(),
            "ARP, Request who-has 10.0.0.1 tell 10.0.0.2"
        );
    }

    #[test]
    fn rejects_other_hardware_and_bad_opcodes() {
        let mut b = GOLDEN_REQUEST;
        b[1] = 6; // IEEE 802 hardware type
        assert_eq!(ArpRepr::parse(&b), Err(WireError::Unsupported));
        let mut b = GOLDEN_REQUEST;
        b[7] = 9;
        assert_eq!(ArpRepr::parse(&b), Err(WireError::Malformed));
        assert_eq!(
            ArpRepr::parse(&GOLDEN_REQUEST[..27]),
            Err(WireError::Truncated)
        );
    }
}
