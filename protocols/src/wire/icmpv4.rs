//! ICMP for IPv4 (RFC 792), with the fragmentation-needed next-hop MTU of
//! RFC 1191 §4.
//!
//! Supported messages: echo request/reply, destination unreachable (net, host,
//! protocol, port, fragmentation needed), time exceeded (TTL, reassembly).
//! Error messages carry the offending datagram's IP header and the first eight
//! bytes of its payload (RFC 792; RFC 1812 §4.3.2.3 allows more, we send the minimum).

use std::fmt;

use bytes::Bytes;

use super::WireError;
use super::checksum;

/// Length of the fixed ICMP header (type, code, checksum, rest of header).
pub const HEADER_LEN: usize = 8;

/// Destination-unreachable codes (RFC 792, RFC 1191).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnreachableCode {
    /// 0: no route to the network.
    Net,
    /// 1: the host did not answer ARP.
    Host,
    /// 2: no handler for the IP protocol.
    Protocol,
    /// 3: no socket on the UDP port.
    Port,
    /// 4: the datagram needs fragmenting but DF is set.
    FragNeeded,
}

impl UnreachableCode {
    fn code(self) -> u8 {
        match self {
            UnreachableCode::Net => 0,
            UnreachableCode::Host => 1,
            UnreachableCode::Protocol => 2,
            UnreachableCode::Port => 3,
            UnreachableCode::FragNeeded => 4,
        }
    }

    fn from_code(c: u8) -> Option<Self> {
        Some(match c {
            0 => UnreachableCode::Net,
            1 => UnreachableCode::Host,
            2 => UnreachableCode::Protocol,
            3 => UnreachableCode::Port,
            4 => UnreachableCode::FragNeeded,
            _ => return None,
        })
    }
}

impl fmt::Display for UnreachableCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnreachableCode::Net => "net",
            UnreachableCode::Host => "host",
            UnreachableCode::Protocol => "protocol",
            UnreachableCode::Port => "port",
            UnreachableCode::FragNeeded => "need to frag",
        })
    }
}

/// An ICMP message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IcmpRepr {
    /// Type 8.
    EchoRequest {
        /// Identifier (the pinging process).
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data echoed back.
        data: Bytes,
    },
    /// Type 0.
    EchoReply {
        /// Identifier copied from the request.
        ident: u16,
        /// Sequence number copied from the request.
        seq_no: u16,
        /// Data copied from the request.
        data: Bytes,
    },
    /// Type 3.
    DstUnreachable {
        /// Why.
        code: UnreachableCode,
        /// Next-hop MTU for `FragNeeded` (RFC 1191), zero otherwise.
        next_hop_mtu: u16,
        /// The offending datagram's IP header and first 8 payload bytes.
        original: Bytes,
    },
    /// Type 11.
    TimeExceeded {
        /// 0: TTL exceeded in transit; 1: fragment reassembly time exceeded.
        code: u8,
        /// The offending datagram's IP header and first 8 payload bytes.
        original: Bytes,
    },
}

impl IcmpRepr {
    /// Length of the message on the wire.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self {
                IcmpRepr::EchoRequest { data, .. } | IcmpRepr::EchoReply { data, .. } => data.len(),
                IcmpRepr::DstUnreachable { original, .. }
                | IcmpRepr::TimeExceeded { original, .. } => original.len(),
            }
    }

    /// Whether this is an error message (never sent in reply to another error,
    /// RFC 1812 §4.3.2.7).
    pub fn is_error(&self) -> bool {
        matches!(
            self,
            IcmpRepr::DstUnreachable { .. } | IcmpRepr::TimeExceeded { .. }
        )
    }

    /// Parses and verifies a message.
    pub fn parse(bytes: &[u8]) -> Result<IcmpRepr, WireError> {
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated);
        }
        if checksum::checksum(bytes) != 0 {
            return Err(WireError::Checksum);
        }
        let word = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
        let rest = Bytes::copy_from_slice(&bytes[HEADER_LEN..]);
        match (bytes[0], bytes[1]) {
            (8, 0) => Ok(IcmpRepr::EchoRequest {
                ident: word(4),
                seq_no: word(6),
                data: rest,
            }),
            (0, 0) => Ok(IcmpRepr::EchoReply {
                ident: word(4),
                seq_no: word(6),
                data: rest,
            }),
            (3, code) => Ok(IcmpRepr::DstUnreachable {
                code: UnreachableCode::from_code(code).ok_or(WireError::Unsupported)?,
                next_hop_mtu: word(6),
                original: rest,
            }),
            (11, code @ (0 | 1)) => Ok(IcmpRepr::TimeExceeded {
                code,
                original: rest,
            }),
            _ => Err(WireError::Unsupported),
        }
    }

    /// Appends the message, with its checksum, to `buf`.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        let (ty, code, w1, w2, body): (u8, u8, u16, u16, &Bytes) = match self {
            IcmpRepr::EchoRequest {
                ident,
                seq_no,
                data,
            } => (8, 0, *ident, *seq_no, data),
            IcmpRepr::EchoReply {
                ident,
                seq_no,
                data,
            } => (0, 0, *ident, *seq_no, data),
            IcmpRepr::DstUnreachable {
                code,
                next_hop_mtu,
                original,
            } => (3, code.code(), 0, *next_hop_mtu, original),
            IcmpRepr::TimeExceeded { code, original } => (11, *code, 0, 0, original),
        };
        buf.extend_from_slice(&[ty, code, 0, 0]);
        buf.extend_from_slice(&w1.to_be_bytes());
        buf.extend_from_slice(&w2.to_be_bytes());
        buf.extend_from_slice(body);
        let sum = checksum::checksum(&buf[start..]);
        buf[start + 2..start + 4].copy_from_slice(&sum.to_be_bytes());
    }
}

impl fmt::Display for IcmpRepr {
    /// As tcpdump: `ICMP echo request, id 1, seq 2, length 64`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let len = self.buffer_len();
        match self {
            IcmpRepr::EchoRequest { ident, seq_no, .. } => {
                write!(
                    f,
                    "ICMP echo request, id {ident}, seq {seq_no}, length {len}"
                )
            }
            IcmpRepr::EchoReply { ident, seq_no, .. } => {
                write!(f, "ICMP echo reply, id {ident}, seq {seq_no}, length {len}")
            }
            IcmpRepr::DstUnreachable {
                code: UnreachableCode::FragNeeded,
                next_hop_mtu,
                ..
            } => write!(
                f,
                "ICMP unreachable - need to frag (mtu {next_hop_mtu}), length {len}"
            ),
            IcmpRepr::DstUnreachable { code, .. } => {
                write!(f, "ICMP {code} unreachable, length {len}")
            }
            IcmpRepr::TimeExceeded { code: 0, .. } => {
                write!(f, "ICMP time exceeded in-transit, length {len}")
            }
            IcmpRepr::TimeExceeded { .. } => {
                write!(f, "ICMP ip reassembly time exceeded, length {len}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Echo request id 0x1234 seq 1 with data "abcd"; checksum by hand:
    /// 0800 + 1234 + 0001 + 6162 + 6364 = 0xdefb -> !defb = 2104.
    const GOLDEN_ECHO: [u8; 12] = [
        8, 0, 0x21, 0x04, 0x12, 0x34, 0x00, 0x01, b'a', b'b', b'c', b'd',
    ];

    #[test]
    fn echo_request_golden() {
        let repr = IcmpRepr::EchoRequest {
            ident: 0x1234,
            seq_no: 1,
            data: Bytes::from_static(b"abcd"),
        };
        let mut buf = Vec::new();
        repr.emit(&mut buf);
        assert_eq!(buf, GOLDEN_ECHO);
        assert_eq!(IcmpRepr::parse(&GOLDEN_ECHO).unwrap(), repr);
        assert_eq!(
            repr.to_string(),
            "ICMP echo request, id 4660, seq 1, length 12"
        );
    }

    #[test]
    fn frag_needed_carries_the_mtu() {
        let repr = IcmpRepr::DstUnreachable {
            code: UnreachableCode::FragNeeded,
            next_hop_mtu: 1400,
            original: Bytes::from(vec![0x45; 28]),
        };
        let mut buf = Vec::new();
        repr.emit(&mut buf);
        assert_eq!(&buf[..2], &[3, 4]);
        assert_eq!(&buf[6..8], &1400u16.to_be_bytes());
        assert_eq!(IcmpRepr::parse(&buf).unwrap(), repr);
        assert!(repr.is_error());
    }

    #[test]
    fn time_exceeded_round_trips() {
        let repr = IcmpRepr::TimeExceeded {
            code: 0,
            original: Bytes::from(vec![1; 28]),
        };
        let mut buf = Vec::new();
        repr.emit(&mut buf);
        assert_eq!(IcmpRepr::parse(&buf).unwrap(), repr);
    }

    #[test]
    fn rejects_bad_checksum_and_unknown_types() {
        let mut b = GOLDEN_ECHO;
        b[9] ^= 0x40;
        assert_eq!(IcmpRepr::parse(&b), Err(WireError::Checksum));
        let mut t = vec![13, 0, 0, 0, 0, 0, 0, 0]; // timestamp request
        let sum = checksum::checksum(&t);
        t[2..4].copy_from_slice(&sum.to_be_bytes());
        assert_eq!(IcmpRepr::parse(&t), Err(WireError::Unsupported));
        assert_eq!(IcmpRepr::parse(&b[..7]), Err(WireError::Truncated));
    }
}
