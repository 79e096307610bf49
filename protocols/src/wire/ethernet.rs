//! Ethernet II framing (IEEE 802.3 with an EtherType, RFC 894).
//!
//! Simplifications: no VLAN tags, no 802.3 length frames. The frame check
//! sequence is not carried in captures (as on a real host), but is counted in
//! the serialization time of the link and modelled for corruption.

use std::fmt;

use super::WireError;

/// Length of the Ethernet II header: destination, source, EtherType.
pub const HEADER_LEN: usize = 14;
/// Minimum frame length without the FCS; shorter frames are padded (IEEE 802.3 §3.2.8).
pub const MIN_FRAME_LEN: usize = 60;
/// Frame check sequence length.
pub const FCS_LEN: usize = 4;

/// A 48-bit MAC address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MacAddr(pub [u8; 6]);

impl MacAddr {
    /// ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: MacAddr = MacAddr([0xff; 6]);
    /// 00:00:00:00:00:00 (the unknown target in an ARP request).
    pub const ZERO: MacAddr = MacAddr([0; 6]);

    /// Deterministic, locally administered unicast address for interface
    /// number `index` of the scenario: `02:00:00:xx:xx:xx`.
    pub fn local(index: u32) -> MacAddr {
        let b = index.to_be_bytes();
        MacAddr([0x02, 0x00, b[0], b[1], b[2], b[3]])
    }

    /// Whether this is the broadcast address.
    pub fn is_broadcast(self) -> bool {
        self == Self::BROADCAST
    }

    /// Whether the group bit is set (broadcast or multicast).
    pub fn is_multicast(self) -> bool {
        self.0[0] & 1 == 1
    }
}

impl fmt::Display for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for MacAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// The protocol carried in a frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EtherType {
    /// 0x0800.
    Ipv4,
    /// 0x0806.
    Arp,
    /// Anything else.
    Unknown(u16),
}

impl From<u16> for EtherType {
    fn from(v: u16) -> Self {
        match v {
            0x0800 => EtherType::Ipv4,
            0x0806 => EtherType::Arp,
            other => EtherType::Unknown(other),
        }
    }
}

impl From<EtherType> for u16 {
    fn from(t: EtherType) -> u16 {
        match t {
            EtherType::Ipv4 => 0x0800,
            EtherType::Arp => 0x0806,
            EtherType::Unknown(v) => v,
        }
    }
}

/// An Ethernet II header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EthernetRepr {
    /// Source address.
    pub src: MacAddr,
    /// Destination address.
    pub dst: MacAddr,
    /// Payload protocol.
    pub ethertype: EtherType,
}

impl EthernetRepr {
    /// Parses the header; returns it and the payload (which may include padding).
    pub fn parse(bytes: &[u8]) -> Result<(EthernetRepr, &[u8]), WireError> {
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated);
        }
        let mac = |r: std::ops::Range<usize>| {
            let mut m = [0u8; 6];
            m.copy_from_slice(&bytes[r]);
            MacAddr(m)
        };
        let repr = EthernetRepr {
            dst: mac(0..6),
            src: mac(6..12),
            ethertype: u16::from_be_bytes([bytes[12], bytes[13]]).into(),
        };
        Ok((repr, &bytes[HEADER_LEN..]))
    }

    /// Appends the 14 header bytes to `buf`.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        buf.extend_from_slice(&self.dst.0);
        buf.extend_from_slice(&self.src.0);
        buf.extend_from_slice(&u16::from(self.ethertype).to_be_bytes());
    }
}

impl fmt::Display for EthernetRepr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} > {}", self.src, self.dst)?;
        match self.ethertype {
            EtherType::Ipv4 => write!(f, ", IPv4"),
            EtherType::Arp => write!(f, ", ARP"),
            EtherType::Unknown(t) => write!(f, ", ethertype 0x{t:04x}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOLDEN: [u8; 14] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // src
        0x08, 0x06, // ARP
    ];

    #[test]
    fn parse_golden() {
        let mut bytes = GOLDEN.to_vec();
        bytes.extend_from_slice(&[0xaa, 0xbb]);
        let (repr, payload) = EthernetRepr::parse(&bytes).unwrap();
        assert_eq!(repr.dst, MacAddr::BROADCAST);
        assert_eq!(repr.src, MacAddr::local(1));
        assert_eq!(repr.ethertype, EtherType::Arp);
        assert_eq!(payload, &[0xaa, 0xbb]);
    }

    #[test]
    fn emit_golden() {
        let repr = EthernetRepr {
            src: MacAddr::local(1),
            dst: MacAddr::BROADCAST,
            ethertype: EtherType::Arp,
        };
        let mut buf = Vec::new();
        repr.emit(&mut buf);
        assert_eq!(buf, GOLDEN);
    }

    #[test]
    fn short_input_is_truncated() {
        assert_eq!(
            EthernetRepr::parse(&GOLDEN[..13]),
            Err(WireError::Truncated)
        );
    }

    #[test]
    fn mac_display_and_flags() {
        assert_eq!(MacAddr::local(0x0102).to_string(), "02:00:00:00:01:02");
        assert!(MacAddr::BROADCAST.is_broadcast());
        assert!(MacAddr::BROADCAST.is_multicast());
        assert!(!MacAddr::local(7).is_multicast());
        assert_eq!(EtherType::from(0x86dd), EtherType::Unknown(0x86dd));
    }
}
