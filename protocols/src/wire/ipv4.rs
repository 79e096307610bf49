//! IPv4 header (RFC 791) and CIDR prefixes (RFC 4632).
//!
//! Header options are accepted on input (skipped) but never emitted: every
//! header netsim writes is 20 bytes.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use super::WireError;
use super::checksum;

/// Length of an option-less IPv4 header.
pub const HEADER_LEN: usize = 20;
/// The minimum MTU every IPv4 link must carry (RFC 791 §3.2).
pub const MIN_MTU: u32 = 68;

/// The protocol field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IpProtocol {
    /// 1.
    Icmp,
    /// 6.
    Tcp,
    /// 17.
    Udp,
    /// Anything else.
    Unknown(u8),
}

impl From<u8> for IpProtocol {
    fn from(v: u8) -> Self {
        match v {
            1 => IpProtocol::Icmp,
            6 => IpProtocol::Tcp,
            17 => IpProtocol::Udp,
            other => IpProtocol::Unknown(other),
        }
    }
}

impl From<IpProtocol> for u8 {
    fn from(p: IpProtocol) -> u8 {
        match p {
            IpProtocol::Icmp => 1,
            IpProtocol::Tcp => 6,
            IpProtocol::Udp => 17,
            IpProtocol::Unknown(v) => v,
        }
    }
}

/// An IPv4 header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ipv4Repr {
    /// Source address.
    pub src: Ipv4Addr,
    /// Destination address.
    pub dst: Ipv4Addr,
    /// Payload protocol.
    pub protocol: IpProtocol,
    /// Time to live.
    pub ttl: u8,
    /// Type of service byte (DSCP and ECN).
    pub tos: u8,
    /// Identification, shared by the fragments of one datagram.
    pub ident: u16,
    /// Don't Fragment.
    pub dont_frag: bool,
    /// More Fragments.
    pub more_frags: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
    /// Length of the payload (total length minus the header).
    pub payload_len: u16,
}

impl Ipv4Repr {
    /// Whether this header belongs to a fragment (not a whole datagram).
    pub fn is_fragment(&self) -> bool {
        self.more_frags || self.frag_offset != 0
    }

    /// Total length on the wire: header plus payload.
    pub fn total_len(&self) -> usize {
        HEADER_LEN + self.payload_len as usize
    }

    /// Parses and verifies a header; returns it and exactly its payload
    /// (link-layer padding beyond the total length is cut off).
    pub fn parse(bytes: &[u8]) -> Result<(Ipv4Repr, &[u8]), WireError> {
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated);
        }
        if bytes[0] >> 4 != 4 {
            return Err(WireError::Malformed);
        }
        let ihl = usize::from(bytes[0] & 0x0f) * 4;
        if ihl < HEADER_LEN {
            return Err(WireError::Malformed);
        }
        let total = usize::from(u16::from_be_bytes([bytes[2], bytes[3]]));
        if total < ihl {
            return Err(WireError::Malformed);
        }
        if bytes.len() < total {
            return Err(WireError::Truncated);
        }
        if checksum::checksum(&bytes[..ihl]) != 0 {
            return Err(WireError::Checksum);
        }
        let flags_frag = u16::from_be_bytes([bytes[6], bytes[7]]);
        if flags_frag & 0x8000 != 0 {
            return Err(WireError::Malformed); // reserved flag (RFC 791 §3.1)
        }
        let ip = |at: usize| Ipv4Addr::new(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
        let repr = Ipv4Repr {
            tos: bytes[1],
            ident: u16::from_be_bytes([bytes[4], bytes[5]]),
            dont_frag: flags_frag & 0x4000 != 0,
            more_frags: flags_frag & 0x2000 != 0,
            frag_offset: (flags_frag & 0x1fff) * 8,
            ttl: bytes[8],
            protocol: bytes[9].into(),
            src: ip(12),
            dst: ip(16),
            payload_len: (total - ihl) as u16,
        };
        Ok((repr, &bytes[ihl..total]))
    }

    /// Appends the 20-byte header, with its checksum, to `buf`.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        let total = self.total_len() as u16;
        let flags_frag = (u16::from(self.dont_frag) << 14)
            | (u16::from(self.more_frags) << 13)
            | (self.frag_offset / 8);
        buf.extend_from_slice(&[0x45, self.tos]);
        buf.extend_from_slice(&total.to_be_bytes());
        buf.extend_from_slice(&self.ident.to_be_bytes());
        buf.extend_from_slice(&flags_frag.to_be_bytes());
        buf.extend_from_slice(&[self.ttl, u8::from(self.protocol), 0, 0]);
        buf.extend_from_slice(&self.src.octets());
        buf.extend_from_slice(&self.dst.octets());
        let sum = checksum::checksum(&buf[start..start + HEADER_LEN]);
        buf[start + 10..start + 12].copy_from_slice(&sum.to_be_bytes());
    }
}

impl fmt::Display for Ipv4Repr {
    /// `IP 10.0.0.1 > 10.0.0.2: ttl 64, id 7, len 84` plus fragment flags when set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "IP {} > {}: ttl {}, id {}, len {}",
            self.src,
            self.dst,
            self.ttl,
            self.ident,
            self.total_len()
        )?;
        if self.dont_frag {
            write!(f, ", DF")?;
        }
        if self.is_fragment() {
            write!(
                f,
                ", frag {}:{}@{}{}",
                self.ident,
                self.payload_len,
                self.frag_offset,
                if self.more_frags { "+" } else { "" }
            )?;
        }
        Ok(())
    }
}

/// An IPv4 address with a prefix length, such as `10.0.1.1/24`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    /// The address (host bits may be set: it is an interface address).
    pub addr: Ipv4Addr,
    /// Prefix length, 0 to 32.
    pub prefix_len: u8,
}

impl Ipv4Cidr {
    /// A prefix; `None` if `prefix_len` > 32.
    pub fn new(addr: Ipv4Addr, prefix_len: u8) -> Option<Ipv4Cidr> {
        (prefix_len <= 32).then_some(Ipv4Cidr { addr, prefix_len })
    }

    /// The netmask, e.g. 255.255.255.0 for /24.
    pub fn netmask(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.mask_bits())
    }

    fn mask_bits(&self) -> u32 {
        if self.prefix_len == 0 {
            0
        } else {
            u32::MAX << (32 - u32::from(self.prefix_len))
        }
    }

    /// The network address (host bits cleared).
    pub fn network(&self) -> Ipv4Cidr {
        Ipv4Cidr {
            addr: Ipv4Addr::from(u32::from(self.addr) & self.mask_bits()),
            prefix_len: self.prefix_len,
        }
    }

    /// The directed broadcast address of the subnet.
    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask_bits())
    }

    /// Whether `ip` lies inside this prefix.
    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        (u32::from(ip) ^ u32::from(self.addr)) & self.mask_bits() == 0
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix_len)
    }
}

impl FromStr for Ipv4Cidr {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| format!("expected an IPv4 prefix like \"10.0.0.1/24\", got {s:?}"))?;
        let addr: Ipv4Addr = a
            .parse()
            .map_err(|_| format!("{a:?} is not an IPv4 address"))?;
        let prefix_len: u8 = p
            .parse()
            .ok()
            .filter(|&n| n <= 32)
            .ok_or_else(|| format!("prefix length {p:?} is not 0..=32"))?;
        Ok(Ipv4Cidr { addr, prefix_len })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of the IPv4 header checksum article on Wikipedia:
    /// UDP 192.168.0.1 > 192.168.0.199, ttl 64, DF, 115 bytes, checksum 0xb861.
    const GOLDEN: [u8; 20] = [
        0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8, 0x00,
        0x01, 0xc0, 0xa8, 0x00, 0xc7,
    ];

    fn repr() -> Ipv4Repr {
        Ipv4Repr {
            src: Ipv4Addr::new(192, 168, 0, 1),
            dst: Ipv4Addr::new(192, 168, 0, 199),
            protocol: IpProtocol::Udp,
            ttl: 64,
            tos: 0,
            ident: 0,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            payload_len: 95,
        }
    }

    #[test]
    fn emit_golden_with_checksum() {
        let mut buf = Vec::new();
        repr().emit(&mut buf);
        assert_eq!(buf, GOLDEN);
    }

    #[test]
    fn parse_golden_and_cut_padding() {
        let mut bytes = GOLDEN.to_vec();
        bytes.extend(std::iter::repeat_n(0xab, 95 + 6)); // payload + link padding
        let (r, payload) = Ipv4Repr::parse(&bytes).unwrap();
        assert_eq!(r, repr());
        assert_eq!(payload.len(), 95);
    }

    #[test]
    fn parse_rejects_bad_input() {
        let mut full = GOLDEN.to_vec();
        full.extend([0u8; 95]);
        let mut bad = full.clone();
        bad[10] ^= 1;
        assert_eq!(Ipv4Repr::parse(&bad), Err(WireError::Checksum));
        assert_eq!(Ipv4Repr::parse(&full[..60]), Err(WireError::Truncated));
        let mut v6 = full.clone();
        v6[0] = 0x65;
        assert_eq!(Ipv4Repr::parse(&v6), Err(WireError::Malformed));
        assert_eq!(Ipv4Repr::parse(&full[..19]), Err(WireError::Truncated));
    }

    #[test]
    fn fragment_fields_round_trip() {
        let r = Ipv4Repr {
            dont_frag: false,
            more_frags: true,
            frag_offset: 1480,
            payload_len: 1480,
            ..repr()
        };
        let mut buf = Vec::new();
        r.emit(&mut buf);
        buf.extend(vec![0u8; 1480]);
        assert_eq!(Ipv4Repr::parse(&buf).unwrap().0, r);
        assert_eq!(
            &buf[6..8],
            &[0x20, 0xb9],
            "MF set, offset 185 units of 8 bytes"
        );
        assert!(r.to_string().ends_with("frag 0:1480@1480+"));
    }

    #[test]
    fn cidr_arithmetic() {
        let c: Ipv4Cidr = "10.0.1.77/24".parse().unwrap();
        assert_eq!(c.netmask(), Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(c.network().to_string(), "10.0.1.0/24");
        assert_eq!(c.broadcast(), Ipv4Addr::new(10, 0, 1, 255));
        assert!(c.contains(Ipv4Addr::new(10, 0, 1, 1)));
        assert!(!c.contains(Ipv4Addr::new(10, 0, 2, 1)));
        let all: Ipv4Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(Ipv4Addr::new(8, 8, 8, 8)));
        assert!("10.0.0.1/33".parse::<Ipv4Cidr>().is_err());
        assert!("10.0.0.1".parse::<Ipv4Cidr>().is_err());
    }
}
