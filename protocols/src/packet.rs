//! Frames in flight.
//!
//! A frame travels as parsed headers plus reference-counted payload bytes, so a
//! hop costs no serialization. Bytes are produced at the edges: captures
//! ([`Frame::to_bytes`]), fragmentation, ICMP error quoting and corruption.
//! [`Frame::parse`] is the inverse, used for corrupted frames and in tests.

use std::fmt;

use bytes::Bytes;

use crate::wire::ethernet::{self, EtherType, EthernetRepr};
use crate::wire::{
    ArpRepr, IcmpRepr, IpProtocol, Ipv4Repr, TcpRepr, UdpRepr, WireError, ipv4, udp,
};

/// An Ethernet frame on a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    /// The Ethernet header.
    pub eth: EthernetRepr,
    /// What it carries.
    pub body: FrameBody,
}

/// The payload of a frame.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameBody {
    /// An ARP packet.
    Arp(ArpRepr),
    /// An IPv4 datagram or fragment.
    Ipv4(Ipv4Packet),
    /// Bytes damaged on the link: the whole frame as received, and the frame
    /// check sequence the sender computed over the undamaged frame.
    Corrupted {
        /// The received frame bytes (header included).
        bytes: Bytes,
        /// CRC-32 of the frame as sent.
        fcs: u32,
    },
    /// A payload this stack does not decode (unknown EtherType).
    Raw(Bytes),
}

/// An IPv4 datagram (or one fragment of one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ipv4Packet {
    /// The IP header; `payload_len` matches the body.
    pub header: Ipv4Repr,
    /// What it carries.
    pub body: IpBody,
}

/// The payload of an IPv4 datagram.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IpBody {
    /// An ICMP message.
    Icmp(IcmpRepr),
    /// A UDP datagram.
    Udp {
        /// Ports.
        header: UdpRepr,
        /// Application data.
        payload: Bytes,
    },
    /// A TCP segment.
    Tcp {
        /// The TCP header, options included. Boxed so that every frame stays
        /// small (a [`TcpRepr`] with its inline SACK blocks is 84 bytes, and
        /// frames move through queues and the arena by value).
        header: Box<TcpRepr>,
        /// The segment's data.
        payload: Bytes,
    },
    /// Undecoded bytes: a fragment, or a protocol this stack does not speak.
    Raw(Bytes),
}

impl IpBody {
    /// Length of the body on the wire.
    pub fn len(&self) -> usize {
        match self {
            IpBody::Icmp(icmp) => icmp.buffer_len(),
            IpBody::Udp { payload, .. } => udp::HEADER_LEN + payload.len(),
            IpBody::Tcp { header, payload } => header.header_len() + payload.len(),
            IpBody::Raw(b) => b.len(),
        }
    }

    /// Whether the body is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Ipv4Packet {
    /// A datagram with `header.payload_len` set from `body`.
    pub fn new(mut header: Ipv4Repr, body: IpBody) -> Ipv4Packet {
        header.payload_len = u16::try_from(body.len()).expect("IP payload over 64 KiB");
        header.protocol = match &body {
            IpBody::Icmp(_) => IpProtocol::Icmp,
            IpBody::Udp { .. } => IpProtocol::Udp,
            IpBody::Tcp { .. } => IpProtocol::Tcp,
            IpBody::Raw(_) => header.protocol,
        };
        Ipv4Packet { header, body }
    }

    /// Total length on the wire.
    pub fn len(&self) -> usize {
        self.header.total_len()
    }

    /// Always false: a datagram has at least its header.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The body's bytes (transport header and data, checksums computed).
    pub fn body_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(self.body.len());
        self.emit_body(&mut buf);
        buf
    }

    fn emit_body(&self, buf: &mut Vec<u8>) {
        match &self.body {
            IpBody::Icmp(icmp) => icmp.emit(buf),
            IpBody::Udp { header, payload } => {
                header.emit(buf, payload, self.header.src, self.header.dst)
            }
            IpBody::Tcp { header, payload } => {
                header.emit(buf, payload, self.header.src, self.header.dst)
            }
            IpBody::Raw(b) => buf.extend_from_slice(b),
        }
    }

    /// Appends the whole datagram to `buf`.
    pub fn emit(&self, buf: &mut Vec<u8>) {
        self.header.emit(buf);
        self.emit_body(buf);
    }

    /// The whole datagram as bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut buf = Vec::with_capacity(self.len());
        self.emit(&mut buf);
        buf
    }

    /// What an ICMP error quotes of this datagram: its header and the first
    /// eight bytes of its payload (RFC 792).
    pub fn quote(&self) -> Bytes {
        let mut bytes = self.to_bytes();
        bytes.truncate(ipv4::HEADER_LEN + 8);
        Bytes::from(bytes)
    }

    /// Parses a datagram. Fragments and unknown protocols keep their payload as
    /// [`IpBody::Raw`]; a transport checksum error is an error.
    pub fn parse(bytes: &[u8]) -> Result<Ipv4Packet, WireError> {
        let (header, payload) = Ipv4Repr::parse(bytes)?;
        let body = Self::parse_body(&header, payload)?;
        Ok(Ipv4Packet { header, body })
    }

    /// Decodes a (whole, reassembled) payload for `header`.
    pub fn parse_body(header: &Ipv4Repr, payload: &[u8]) -> Result<IpBody, WireError> {
        if header.is_fragment() {
            return Ok(IpBody::Raw(Bytes::copy_from_slice(payload)));
        }
        Ok(match header.protocol {
            IpProtocol::Icmp => IpBody::Icmp(IcmpRepr::parse(payload)?),
            IpProtocol::Udp => {
                let (h, data) = UdpRepr::parse(payload, header.src, header.dst)?;
                IpBody::Udp {
                    header: h,
                    payload: Bytes::copy_from_slice(data),
                }
            }
            IpProtocol::Tcp => {
                let (h, data) = TcpRepr::parse(payload, header.src, header.dst)?;
                IpBody::Tcp {
                    header: Box::new(h),
                    payload: Bytes::copy_from_slice(data),
                }
            }
            _ => IpBody::Raw(Bytes::copy_from_slice(payload)),
        })
    }
}

impl Frame {
    /// Length of the frame as captured: header and payload, padded to the
    /// 60-byte Ethernet minimum, without the FCS.
    pub fn capture_len(&self) -> usize {
        (ethernet::HEADER_LEN + self.payload_len()).max(ethernet::MIN_FRAME_LEN)
    }

    /// Bytes that occupy the wire, for serialization delay: the captured frame
    /// plus the 4-byte FCS (preamble and inter-frame gap are not modelled).
    pub fn wire_len(&self) -> usize {
        match &self.body {
            FrameBody::Corrupted { bytes, .. } => bytes.len() + ethernet::FCS_LEN,
            _ => self.capture_len() + ethernet::FCS_LEN,
        }
    }

    /// Length of the Ethernet payload (what the MTU limits).
    pub fn payload_len(&self) -> usize {
        match &self.body {
            FrameBody::Arp(_) => crate::wire::arp::PACKET_LEN,
            FrameBody::Ipv4(p) => p.len(),
            FrameBody::Corrupted { bytes, .. } => bytes.len().saturating_sub(ethernet::HEADER_LEN),
            FrameBody::Raw(b) => b.len(),
        }
    }

    /// The frame's bytes as a capture shows them (padded, no FCS).
    pub fn to_bytes(&self) -> Vec<u8> {
        if let FrameBody::Corrupted { bytes, .. } = &self.body {
            return bytes.to_vec();
        }
        let mut buf = Vec::with_capacity(self.capture_len());
        self.eth.emit(&mut buf);
        match &self.body {
            FrameBody::Arp(arp) => arp.emit(&mut buf),
            FrameBody::Ipv4(p) => p.emit(&mut buf),
            FrameBody::Raw(b) => buf.extend_from_slice(b),
            FrameBody::Corrupted { .. } => unreachable!("handled above"),
        }
        buf.resize(buf.len().max(ethernet::MIN_FRAME_LEN), 0);
        buf
    }

    /// The frame check sequence (CRC-32, IEEE 802.3) of the frame's bytes.
    pub fn fcs(bytes: &[u8]) -> u32 {
        crc32fast::hash(bytes)
    }

    /// Parses a frame from its bytes.
    pub fn parse(bytes: &[u8]) -> Result<Frame, WireError> {
        let (eth, payload) = EthernetRepr::parse(bytes)?;
        let body = match eth.ethertype {
            EtherType::Arp => FrameBody::Arp(ArpRepr::parse(payload)?),
            EtherType::Ipv4 => FrameBody::Ipv4(Ipv4Packet::parse(payload)?),
            EtherType::Unknown(_) => FrameBody::Raw(Bytes::copy_from_slice(payload)),
        };
        Ok(Frame { eth, body })
    }

    /// The IPv4 packet inside, if any.
    pub fn ipv4(&self) -> Option<&Ipv4Packet> {
        match &self.body {
            FrameBody::Ipv4(p) => Some(p),
            _ => None,
        }
    }
}

impl fmt::Display for Ipv4Packet {
    /// A tcpdump-like summary of the datagram.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let h = &self.header;
        let frag = if h.is_fragment() {
            format!(
                " (frag {}:{}@{}{})",
                h.ident,
                h.payload_len,
                h.frag_offset,
                if h.more_frags { "+" } else { "" }
            )
        } else {
            String::new()
        };
        let df = if h.dont_frag { " DF" } else { "" };
        match &self.body {
            IpBody::Icmp(icmp) => write!(
                f,
                "IP {} > {}: {icmp}, ttl {}, id {}{df}{frag}",
                h.src, h.dst, h.ttl, h.ident
            ),
            IpBody::Udp { header, payload } => write!(
                f,
                "IP {}.{} > {}.{}: {}, ttl {}, id {}{df}{frag}",
                h.src,
                header.src_port,
                h.dst,
                header.dst_port,
                udp_summary(header, payload),
                h.ttl,
                h.ident
            ),
            IpBody::Tcp { header, payload } => write!(
                f,
                "IP {}.{} > {}.{}: {}, ttl {}, id {}{df}{frag}",
                h.src,
                header.src_port,
                h.dst,
                header.dst_port,
                header.summary(payload.len()),
                h.ttl,
                h.ident
            ),
            IpBody::Raw(b) if h.is_fragment() => write!(
                f,
                "IP {} > {}: {} fragment, {} bytes, ttl {}, id {}{df}{frag}",
                h.src,
                h.dst,
                protocol_name(h.protocol),
                b.len(),
                h.ttl,
                h.ident
            ),
            IpBody::Raw(b) => write!(
                f,
                "IP {} > {}: {}, length {}, ttl {}, id {}{df}",
                h.src,
                h.dst,
                protocol_name(h.protocol),
                b.len(),
                h.ttl,
                h.ident
            ),
        }
    }
}

/// What a UDP payload is, as tcpdump decodes well-known ports: a DHCP
/// message (ports 67 and 68), a DNS message (port 53), or `UDP, length N`.
fn udp_summary(header: &UdpRepr, payload: &[u8]) -> String {
    let ports = [header.src_port, header.dst_port];
    let dhcp = [
        crate::wire::dhcpv4::SERVER_PORT,
        crate::wire::dhcpv4::CLIENT_PORT,
    ];
    if dhcp.contains(&ports[0]) && dhcp.contains(&ports[1]) {
        if let Ok(m) = crate::wire::DhcpRepr::parse(payload) {
            return format!("{m}, length {}", payload.len());
        }
    }
    if ports.contains(&crate::wire::dns::SERVER_PORT) {
        if let Ok(m) = crate::wire::DnsRepr::parse(payload) {
            return m.to_string();
        }
    }
    format!("UDP, length {}", payload.len())
}

fn protocol_name(p: IpProtocol) -> String {
    match p {
        IpProtocol::Icmp => "ICMP".into(),
        IpProtocol::Tcp => "TCP".into(),
        IpProtocol::Udp => "UDP".into(),
        IpProtocol::Unknown(n) => format!("ip-proto-{n}"),
    }
}

impl fmt::Display for Frame {
    /// A tcpdump-like one-line summary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.body {
            FrameBody::Arp(arp) => write!(f, "{arp}"),
            FrameBody::Ipv4(p) => write!(f, "{p}"),
            FrameBody::Corrupted { bytes, .. } => {
                write!(f, "{} (corrupted frame, {} bytes)", self.eth, bytes.len())
            }
            FrameBody::Raw(b) => write!(f, "{}, length {}", self.eth, b.len()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::{ArpOperation, MacAddr, TcpFlags, TcpOptions, TcpSeq};
    use std::net::Ipv4Addr;

    fn echo_frame() -> Frame {
        let header = Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 1, 10),
            dst: Ipv4Addr::new(10, 0, 2, 10),
            protocol: IpProtocol::Icmp,
            ttl: 64,
            tos: 0,
            ident: 1,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        let icmp = IcmpRepr::EchoRequest {
            ident: 7,
            seq_no: 1,
            data: Bytes::from(vec![0x61; 56]),
        };
        Frame {
            eth: EthernetRepr {
                src: MacAddr::local(1),
                dst: MacAddr::local(2),
                ethertype: EtherType::Ipv4,
            },
            body: FrameBody::Ipv4(Ipv4Packet::new(header, IpBody::Icmp(icmp))),
        }
    }

    #[test]
    fn ping_frame_is_98_bytes_and_round_trips() {
        let f = echo_frame();
        let bytes = f.to_bytes();
        assert_eq!(
            bytes.len(),
            98,
            "14 Ethernet + 20 IP + 8 ICMP + 56 data, like ping"
        );
        assert_eq!(f.wire_len(), 102);
        assert_eq!(Frame::parse(&bytes).unwrap(), f);
        assert_eq!(
            f.to_string(),
            "IP 10.0.1.10 > 10.0.2.10: ICMP echo request, id 7, seq 1, length 64, ttl 64, id 1"
        );
    }

    #[test]
    fn arp_frames_are_padded_to_60_bytes() {
        let f = Frame {
            eth: EthernetRepr {
                src: MacAddr::local(1),
                dst: MacAddr::BROADCAST,
                ethertype: EtherType::Arp,
            },
            body: FrameBody::Arp(ArpRepr {
                operation: ArpOperation::Request,
                sender_mac: MacAddr::local(1),
                sender_ip: Ipv4Addr::new(10, 0, 0, 1),
                target_mac: MacAddr::ZERO,
                target_ip: Ipv4Addr::new(10, 0, 0, 2),
            }),
        };
        let bytes = f.to_bytes();
        assert_eq!(bytes.len(), 60);
        assert_eq!(&bytes[42..], &[0u8; 18]);
        assert_eq!(Frame::parse(&bytes).unwrap(), f);
    }

    #[test]
    fn quote_is_header_plus_eight_bytes() {
        let f = echo_frame();
        let q = f.ipv4().unwrap().quote();
        assert_eq!(q.len(), 28);
        assert_eq!(&q[..], &f.to_bytes()[14..42]);
    }

    fn syn_frame() -> Frame {
        let header = Ipv4Repr {
            src: Ipv4Addr::new(10, 0, 0, 1),
            dst: Ipv4Addr::new(10, 0, 0, 2),
            protocol: IpProtocol::Unknown(0),
            ttl: 64,
            tos: 0,
            ident: 1,
            dont_frag: true,
            more_frags: false,
            frag_offset: 0,
            payload_len: 0,
        };
        let syn = TcpRepr {
            src_port: 5000,
            dst_port: 80,
            seq: TcpSeq(100),
            flags: TcpFlags::SYN,
            window: 64240,
            options: TcpOptions {
                mss: Some(1460),
                window_scale: Some(7),
                sack_permitted: true,
                timestamps: Some((1, 0)),
                ..TcpOptions::default()
            },
            ..TcpRepr::default()
        };
        Frame {
            eth: EthernetRepr {
                src: MacAddr::local(1),
                dst: MacAddr::local(2),
                ethertype: EtherType::Ipv4,
            },
            body: FrameBody::Ipv4(Ipv4Packet::new(
                header,
                IpBody::Tcp {
                    header: Box::new(syn),
                    payload: Bytes::new(),
                },
            )),
        }
    }

    #[test]
    fn tcp_syn_frame_is_74_bytes_and_round_trips() {
        let f = syn_frame();
        let p = f.ipv4().unwrap();
        assert_eq!(p.header.protocol, IpProtocol::Tcp);
        assert_eq!(p.header.payload_len, 40);
        let bytes = f.to_bytes();
        assert_eq!(
            bytes.len(),
            74,
            "14 Ethernet + 20 IP + 40 TCP, like a Linux SYN"
        );
        assert_eq!(bytes[14 + 9], 6, "IP protocol TCP");
        assert_eq!(Frame::parse(&bytes).unwrap(), f);
        assert_eq!(
            f.to_string(),
            "IP 10.0.0.1.5000 > 10.0.0.2.80: Flags [S], seq 100, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0, ttl 64, id 1 DF"
        );
    }

    #[test]
    fn tcp_data_segment_display_shows_the_sequence_range() {
        let mut f = syn_frame();
        let FrameBody::Ipv4(p) = &mut f.body else {
            unreachable!()
        };
        let data = TcpRepr {
            seq: TcpSeq(101),
            ack: Some(TcpSeq(301)),
            flags: TcpFlags::PSH,
            window: 502,
            options: TcpOptions {
                timestamps: Some((2, 1)),
                ..TcpOptions::default()
            },
            ..TcpRepr::default()
        };
        *p = Ipv4Packet::new(
            p.header,
            IpBody::Tcp {
                header: Box::new(TcpRepr {
                    src_port: 5000,
                    dst_port: 80,
                    ..data
                }),
                payload: Bytes::from_static(&[0x61; 1000]),
            },
        );
        assert_eq!(p.len(), 20 + 32 + 1000);
        assert_eq!(Ipv4Packet::parse(&p.to_bytes()).unwrap(), *p);
        assert_eq!(
            p.to_string(),
            "IP 10.0.0.1.5000 > 10.0.0.2.80: Flags [P.], seq 101:1101, ack 301, win 502, options [nop,nop,TS val 2 ecr 1], length 1000, ttl 64, id 1 DF"
        );
        let mut bytes = p.to_bytes();
        bytes[60] ^= 1;
        assert_eq!(Ipv4Packet::parse(&bytes), Err(WireError::Checksum));
    }

    #[test]
    fn a_frame_stays_small() {
        assert!(
            std::mem::size_of::<Frame>() <= 96,
            "Frame is {} bytes",
            std::mem::size_of::<Frame>()
        );
    }

    #[test]
    fn fcs_detects_a_flipped_bit() {
        let bytes = echo_frame().to_bytes();
        let fcs = Frame::fcs(&bytes);
        let mut bad = bytes.clone();
        bad[50] ^= 0x08;
        assert_ne!(Frame::fcs(&bad), fcs);
    }
}
