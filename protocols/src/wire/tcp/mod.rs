//! TCP header (RFC 9293 §3.1) with its options: maximum segment size (RFC 9293
//! §3.2, §3.7.1), window scale and timestamps (RFC 7323 §2.2, §3.2),
//! SACK-permitted and SACK (RFC 2018 §2, §3); and sequence-number arithmetic
//! modulo 2^32 (RFC 9293 §3.4).
//!
//! [`TcpRepr`] holds the meaning of a header: flags as booleans, the
//! acknowledgment number only when ACK is set, the window as the raw 16-bit
//! field (scaling is the connection's business, RFC 7323 §2.3), and the options
//! netsim understands. On input, unknown options are skipped by their length,
//! reserved bits (including AccECN's AE bit) are ignored, and the checksum over
//! the IPv4 pseudo-header is always verified (TCP has no "no checksum" value).
//!
//! Options are emitted in the order and with the padding Linux uses
//! (`tcp_options_write`), so every option sits on its natural alignment, no EOL
//! is ever needed, and captures look like a Linux host's:
//!
//! ```text
//! MSS                       02 04 <mss>
//! SACK-permitted + TS       04 02 08 0a <TSval> <TSecr>   (01 01 08 0a ... without SACK-permitted)
//! SACK-permitted            01 01 04 02                   (only without timestamps)
//! window scale              01 03 03 <shift>
//! SACK                      01 01 05 <len> <left> <right> ...
//! ```
//!
//! The option space is 40 bytes: SACK blocks beyond what fits are not emitted
//! (4 blocks alone, 3 with timestamps, RFC 2018 §3), as Linux does.
//!
//! Simplifications: the urgent pointer is carried as a raw field with no
//! urgent-data semantics; no MD5/TCP-AO, Fast Open, multipath or AccECN options.

use std::fmt::{self, Write as _};
use std::net::Ipv4Addr;
use std::ops::BitOr;

use super::WireError;
use super::checksum;

mod options;
mod seq;
#[cfg(test)]
mod tests;

use options::parse_options;
pub use options::{SackBlock, SackBlocks, TcpOptions};
pub use seq::TcpSeq;

/// Length of an option-less TCP header (RFC 9293 §3.1).
pub const HEADER_LEN: usize = 20;
/// Largest header: a data offset of 15 words (RFC 9293 §3.1).
pub const MAX_HEADER_LEN: usize = 60;
/// Room for options after the fixed header.
pub const MAX_OPTIONS_LEN: usize = MAX_HEADER_LEN - HEADER_LEN;
/// At most four SACK blocks fit the option space (RFC 2018 §3).
pub const MAX_SACK_BLOCKS: usize = 4;
/// The IP protocol number of TCP.
const PROTOCOL: u8 = 6;

/// Byte ranges of the fixed header (RFC 9293 §3.1).
mod field {
    use std::ops::Range;

    pub(super) const SRC_PORT: Range<usize> = 0..2;
    pub(super) const DST_PORT: Range<usize> = 2..4;
    pub(super) const SEQ_NUM: Range<usize> = 4..8;
    pub(super) const ACK_NUM: Range<usize> = 8..12;
    /// Data offset in the high nibble (in 32-bit words).
    pub(super) const DATA_OFFSET: usize = 12;
    pub(super) const FLAGS: usize = 13;
    pub(super) const WINDOW: Range<usize> = 14..16;
    pub(super) const CHECKSUM: Range<usize> = 16..18;
    pub(super) const URGENT: Range<usize> = 18..20;
}

/// Control bits in the flags byte (RFC 9293 §3.1, RFC 3168 §6.1 for ECE/CWR).
mod bit {
    pub(super) const FIN: u8 = 0x01;
    pub(super) const SYN: u8 = 0x02;
    pub(super) const RST: u8 = 0x04;
    pub(super) const PSH: u8 = 0x08;
    pub(super) const ACK: u8 = 0x10;
    pub(super) const URG: u8 = 0x20;
    pub(super) const ECE: u8 = 0x40;
    pub(super) const CWR: u8 = 0x80;
}

/// The control bits other than ACK, whose presence is
/// [`TcpRepr::ack`]`.is_some()`. NS/AE and the reserved bits are not kept.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpFlags {
    /// Synchronize sequence numbers.
    pub syn: bool,
    /// No more data from sender.
    pub fin: bool,
    /// Reset the connection.
    pub rst: bool,
    /// Push function.
    pub psh: bool,
    /// Urgent pointer field is significant.
    pub urg: bool,
    /// ECN-Echo (RFC 3168 §6.1).
    pub ece: bool,
    /// Congestion Window Reduced (RFC 3168 §6.1).
    pub cwr: bool,
}

impl TcpFlags {
    /// No control bits.
    pub const NONE: TcpFlags = TcpFlags {
        syn: false,
        fin: false,
        rst: false,
        psh: false,
        urg: false,
        ece: false,
        cwr: false,
    };
    /// SYN alone.
    pub const SYN: TcpFlags = TcpFlags {
        syn: true,
        ..TcpFlags::NONE
    };
    /// FIN alone.
    pub const FIN: TcpFlags = TcpFlags {
        fin: true,
        ..TcpFlags::NONE
    };
    /// RST alone.
    pub const RST: TcpFlags = TcpFlags {
        rst: true,
        ..TcpFlags::NONE
    };
    /// PSH alone.
    pub const PSH: TcpFlags = TcpFlags {
        psh: true,
        ..TcpFlags::NONE
    };

    fn from_byte(b: u8) -> TcpFlags {
        TcpFlags {
            syn: b & bit::SYN != 0,
            fin: b & bit::FIN != 0,
            rst: b & bit::RST != 0,
            psh: b & bit::PSH != 0,
            urg: b & bit::URG != 0,
            ece: b & bit::ECE != 0,
            cwr: b & bit::CWR != 0,
        }
    }

    fn to_byte(self, ack: bool) -> u8 {
        [
            (self.fin, bit::FIN),
            (self.syn, bit::SYN),
            (self.rst, bit::RST),
            (self.psh, bit::PSH),
            (ack, bit::ACK),
            (self.urg, bit::URG),
            (self.ece, bit::ECE),
            (self.cwr, bit::CWR),
        ]
        .into_iter()
        .filter(|(set, _)| *set)
        .fold(0, |b, (_, v)| b | v)
    }
}

impl BitOr for TcpFlags {
    type Output = TcpFlags;

    fn bitor(self, o: TcpFlags) -> TcpFlags {
        TcpFlags {
            syn: self.syn || o.syn,
            fin: self.fin || o.fin,
            rst: self.rst || o.rst,
            psh: self.psh || o.psh,
            urg: self.urg || o.urg,
            ece: self.ece || o.ece,
            cwr: self.cwr || o.cwr,
        }
    }
}

/// A TCP header.
///
/// `Copy` and allocation-free (SACK blocks are inline), so segments in flight
/// and in retransmission queues are cheap.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Sequence number (of the SYN when SYN is set, else of the first data byte).
    pub seq: TcpSeq,
    /// Acknowledgment number; `Some` exactly when the ACK bit is set.
    pub ack: Option<TcpSeq>,
    /// Control bits other than ACK.
    pub flags: TcpFlags,
    /// The window field as sent (unscaled).
    pub window: u16,
    /// The urgent pointer field as sent.
    pub urgent: u16,
    /// Options.
    pub options: TcpOptions,
}

impl TcpRepr {
    /// Parses and verifies a segment sent from `src` to `dst`. `bytes` is the
    /// whole IP payload (TCP has no length field of its own); returns the
    /// header and the data after it.
    ///
    /// Errors: [`WireError::Truncated`] when the bytes are shorter than 20 or
    /// than the data offset says; [`WireError::Malformed`] for a data offset
    /// below 5, an option whose length is below 2 or runs past the header, or a
    /// known option of the wrong length; [`WireError::Checksum`] when the
    /// checksum over the pseudo-header does not verify.
    pub fn parse(
        bytes: &[u8],
        src: Ipv4Addr,
        dst: Ipv4Addr,
    ) -> Result<(TcpRepr, &[u8]), WireError> {
        if bytes.len() < HEADER_LEN {
            return Err(WireError::Truncated);
        }
        let Ok(seg_len) = u16::try_from(bytes.len()) else {
            return Err(WireError::Malformed);
        };
        let header_len = usize::from(bytes[field::DATA_OFFSET] >> 4) * 4;
        if header_len < HEADER_LEN {
            return Err(WireError::Malformed);
        }
        if bytes.len() < header_len {
            return Err(WireError::Truncated);
        }
        let sum = checksum::accumulate(checksum::pseudo_header(src, dst, PROTOCOL, seg_len), bytes);
        if checksum::finish(sum) != 0 {
            return Err(WireError::Checksum);
        }
        let be32 = |f: std::ops::Range<usize>| {
            u32::from_be_bytes(bytes[f].try_into().expect("four-byte field"))
        };
        let be16 = |f: std::ops::Range<usize>| {
            u16::from_be_bytes(bytes[f].try_into().expect("two-byte field"))
        };
        let flags = bytes[field::FLAGS];
        let repr = TcpRepr {
            src_port: be16(field::SRC_PORT),
            dst_port: be16(field::DST_PORT),
            seq: TcpSeq(be32(field::SEQ_NUM)),
            ack: (flags & bit::ACK != 0).then(|| TcpSeq(be32(field::ACK_NUM))),
            flags: TcpFlags::from_byte(flags),
            window: be16(field::WINDOW),
            urgent: be16(field::URGENT),
            options: parse_options(&bytes[HEADER_LEN..header_len])?,
        };
        Ok((repr, &bytes[header_len..]))
    }

    /// Appends header, options and `payload`, with the checksum over the
    /// pseudo-header, to `buf`. Options are laid out as Linux does (see the
    /// [module docs](self)); [`TcpRepr::header_len`] bytes of header.
    ///
    /// # Panics
    /// If header and payload exceed 65,535 bytes (no IPv4 datagram can carry them).
    pub fn emit(&self, buf: &mut Vec<u8>, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr) {
        let start = buf.len();
        let header_len = self.header_len();
        let seg_len = u16::try_from(header_len + payload.len()).expect("TCP segment over 64 KiB");
        buf.extend_from_slice(&self.src_port.to_be_bytes());
        buf.extend_from_slice(&self.dst_port.to_be_bytes());
        buf.extend_from_slice(&self.seq.0.to_be_bytes());
        buf.extend_from_slice(&self.ack.unwrap_or_default().0.to_be_bytes());
        buf.push(((header_len / 4) as u8) << 4);
        buf.push(self.flags.to_byte(self.ack.is_some()));
        buf.extend_from_slice(&self.window.to_be_bytes());
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&self.urgent.to_be_bytes());
        self.each_option(|o| o.emit(buf));
        debug_assert_eq!(buf.len() - start, header_len, "layout and header_len agree");
        buf.extend_from_slice(payload);
        let sum = checksum::finish(checksum::accumulate(
            checksum::pseudo_header(src, dst, PROTOCOL, seg_len),
            &buf[start..],
        ));
        buf[start + field::CHECKSUM.start..start + field::CHECKSUM.end]
            .copy_from_slice(&sum.to_be_bytes());
    }

    /// Length of the header [`TcpRepr::emit`] writes, options included.
    pub fn header_len(&self) -> usize {
        let (fixed, sack) = self.options_layout();
        HEADER_LEN + fixed + if sack > 0 { 4 + 8 * sack } else { 0 }
    }

    /// How many of the SACK blocks fit the option space next to the other
    /// options, and so are emitted: at most 4, 3 with timestamps (RFC 2018 §3).
    pub fn sack_blocks_sent(&self) -> usize {
        self.options_layout().1
    }

    /// The segment's length in sequence space, SEG.LEN (RFC 9293 §3.4): the
    /// data plus one for SYN and one for FIN.
    pub fn segment_len(&self, payload_len: usize) -> usize {
        payload_len + usize::from(self.flags.syn) + usize::from(self.flags.fin)
    }

    /// The control bits as tcpdump prints them between brackets: `S`, `S.`,
    /// `P.`, `F.`, `R`, ... (`.` is ACK), or `none`.
    pub fn flag_letters(&self) -> String {
        let f = self.flags;
        let letters: String = [
            (f.fin, 'F'),
            (f.syn, 'S'),
            (f.rst, 'R'),
            (f.psh, 'P'),
            (self.ack.is_some(), '.'),
            (f.urg, 'U'),
            (f.ece, 'E'),
            (f.cwr, 'W'),
        ]
        .into_iter()
        .filter_map(|(set, c)| set.then_some(c))
        .collect();
        if letters.is_empty() {
            "none".to_owned()
        } else {
            letters
        }
    }

    /// A tcpdump-like summary of this header carrying `payload_len` bytes of
    /// data: `Flags [P.], seq 101:1101, ack 301, win 502, options [nop,nop,TS
    /// val 2 ecr 1], length 1000`. Sequence numbers are absolute (`tcpdump
    /// -S`); as in tcpdump, `seq` is left out of a segment with no data and no
    /// SYN, FIN or RST.
    pub fn summary(&self, payload_len: usize) -> impl fmt::Display {
        Summary {
            repr: self,
            payload_len,
        }
    }

    /// The segment in the notation of the RFC 9293 figures:
    /// `<SEQ=100><ACK=301><CTL=SYN,ACK>`, `<SEQ=101><ACK=301><CTL=ACK><DATA=1000>`.
    /// `ACK` appears when the ACK bit is set, `CTL` when any control bit is,
    /// `DATA` (the byte count) when `payload_len > 0`.
    pub fn rfc_notation(&self, payload_len: usize) -> String {
        let mut s = format!("<SEQ={}>", self.seq);
        if let Some(ack) = self.ack {
            let _ = write!(s, "<ACK={ack}>");
        }
        let f = self.flags;
        let ctl: Vec<&str> = [
            (f.syn, "SYN"),
            (f.fin, "FIN"),
            (f.rst, "RST"),
            (f.psh, "PSH"),
            (f.urg, "URG"),
            (f.ece, "ECE"),
            (f.cwr, "CWR"),
            (self.ack.is_some(), "ACK"),
        ]
        .into_iter()
        .filter_map(|(set, name)| set.then_some(name))
        .collect();
        if !ctl.is_empty() {
            let _ = write!(s, "<CTL={}>", ctl.join(","));
        }
        if payload_len > 0 {
            let _ = write!(s, "<DATA={payload_len}>");
        }
        s
    }
}

/// See [`TcpRepr::summary`].
struct Summary<'a> {
    repr: &'a TcpRepr,
    payload_len: usize,
}

impl fmt::Display for Summary<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.repr;
        let len = self.payload_len;
        write!(f, "Flags [{}]", r.flag_letters())?;
        if len > 0 {
            write!(f, ", seq {}:{}", r.seq, r.seq + len)?;
        } else if r.flags.syn || r.flags.fin || r.flags.rst {
            write!(f, ", seq {}", r.seq)?;
        }
        if let Some(ack) = r.ack {
            write!(f, ", ack {ack}")?;
        }
        write!(f, ", win {}", r.window)?;
        if r.flags.urg {
            write!(f, ", urg {}", r.urgent)?;
        }
        if r.header_len() > HEADER_LEN {
            f.write_str(", options [")?;
            let mut first = true;
            let mut result = Ok(());
            r.each_option(|o| {
                let sep = if std::mem::take(&mut first) { "" } else { "," };
                result = result.and_then(|()| write!(f, "{sep}{o}"));
            });
            result?;
            f.write_str("]")?;
        }
        write!(f, ", length {len}")
    }
}

impl fmt::Display for TcpRepr {
    /// The header alone, as [`TcpRepr::summary`] prints it with no data.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.summary(0))
    }
}
