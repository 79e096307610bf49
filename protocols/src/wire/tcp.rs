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
use std::ops::{Add, AddAssign, BitOr, Deref, Sub};

use super::WireError;
use super::checksum;

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

/// Option kinds (RFC 9293 §3.2, RFC 7323 §2.2 and §3.2, RFC 2018 §2 and §3).
mod kind {
    pub(super) const EOL: u8 = 0;
    pub(super) const NOP: u8 = 1;
    pub(super) const MSS: u8 = 2;
    pub(super) const WINDOW_SCALE: u8 = 3;
    pub(super) const SACK_PERMITTED: u8 = 4;
    pub(super) const SACK: u8 = 5;
    pub(super) const TIMESTAMPS: u8 = 8;
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

/// A sequence (or acknowledgment) number, with arithmetic modulo 2^32 (RFC
/// 9293 §3.4).
///
/// `seq + n` and `seq - n` wrap; `a - b` is the signed distance from `b` to
/// `a`. The comparisons [`lt`](TcpSeq::lt), [`le`](TcpSeq::le),
/// [`gt`](TcpSeq::gt) and [`ge`](TcpSeq::ge) use that signed 32-bit distance,
/// as every TCP does, so they are only meaningful for numbers within 2^31 of
/// each other. That relation is not transitive over the whole space, which is
/// why `TcpSeq` deliberately implements neither `PartialOrd` nor `Ord`: sorting
/// or keying an ordered map by it would silently misbehave.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct TcpSeq(pub u32);

impl TcpSeq {
    /// `self` comes before `other` (`self - other < 0`).
    pub fn lt(self, other: TcpSeq) -> bool {
        self - other < 0
    }

    /// `self` comes before or is `other`.
    pub fn le(self, other: TcpSeq) -> bool {
        self - other <= 0
    }

    /// `self` comes after `other` (`self - other > 0`).
    pub fn gt(self, other: TcpSeq) -> bool {
        self - other > 0
    }

    /// `self` comes after or is `other`.
    pub fn ge(self, other: TcpSeq) -> bool {
        self - other >= 0
    }

    /// The later of the two (`self` when equal).
    pub fn max(self, other: TcpSeq) -> TcpSeq {
        if other.gt(self) { other } else { self }
    }

    /// The earlier of the two (`self` when equal).
    pub fn min(self, other: TcpSeq) -> TcpSeq {
        if other.lt(self) { other } else { self }
    }
}

impl Add<usize> for TcpSeq {
    type Output = TcpSeq;

    /// Advances by `n` modulo 2^32.
    fn add(self, n: usize) -> TcpSeq {
        TcpSeq(self.0.wrapping_add(n as u32))
    }
}

impl AddAssign<usize> for TcpSeq {
    fn add_assign(&mut self, n: usize) {
        *self = *self + n;
    }
}

impl Sub<usize> for TcpSeq {
    type Output = TcpSeq;

    /// Goes back by `n` modulo 2^32.
    fn sub(self, n: usize) -> TcpSeq {
        TcpSeq(self.0.wrapping_sub(n as u32))
    }
}

impl Sub<TcpSeq> for TcpSeq {
    type Output = i32;

    /// The signed distance from `other` to `self`: positive when `self` is later.
    fn sub(self, other: TcpSeq) -> i32 {
        self.0.wrapping_sub(other.0) as i32
    }
}

impl fmt::Display for TcpSeq {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
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

/// One SACK block: `(left edge, right edge)`, the right edge being the
/// sequence number just after the block (RFC 2018 §3).
pub type SackBlock = (TcpSeq, TcpSeq);

/// Up to [`MAX_SACK_BLOCKS`] SACK blocks, stored inline so that a segment
/// costs no allocation. Dereferences to a slice of the blocks present, first
/// block first (RFC 2018 §4: the most recently received).
#[derive(Clone, Copy, Default)]
pub struct SackBlocks {
    len: u8,
    blocks: [SackBlock; MAX_SACK_BLOCKS],
}

impl SackBlocks {
    /// No blocks.
    pub const fn new() -> SackBlocks {
        SackBlocks {
            len: 0,
            blocks: [(TcpSeq(0), TcpSeq(0)); MAX_SACK_BLOCKS],
        }
    }

    /// Appends a block; returns false (and changes nothing) when all
    /// [`MAX_SACK_BLOCKS`] are taken.
    #[must_use]
    pub fn push(&mut self, block: SackBlock) -> bool {
        let Some(slot) = self.blocks.get_mut(usize::from(self.len)) else {
            return false;
        };
        *slot = block;
        self.len += 1;
        true
    }

    /// The blocks present.
    pub fn as_slice(&self) -> &[SackBlock] {
        &self.blocks[..usize::from(self.len)]
    }
}

impl<const N: usize> From<[SackBlock; N]> for SackBlocks {
    /// The blocks of an array of at most [`MAX_SACK_BLOCKS`] (checked at compile time).
    fn from(blocks: [SackBlock; N]) -> SackBlocks {
        const { assert!(N <= MAX_SACK_BLOCKS, "at most four SACK blocks") };
        let mut s = SackBlocks::new();
        s.blocks[..N].copy_from_slice(&blocks);
        s.len = N as u8;
        s
    }
}

impl Deref for SackBlocks {
    type Target = [SackBlock];

    fn deref(&self) -> &[SackBlock] {
        self.as_slice()
    }
}

impl PartialEq for SackBlocks {
    fn eq(&self, other: &SackBlocks) -> bool {
        self.as_slice() == other.as_slice()
    }
}

impl Eq for SackBlocks {}

impl fmt::Debug for SackBlocks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.as_slice()).finish()
    }
}

/// The options of a segment that netsim understands.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TcpOptions {
    /// Maximum segment size (kind 2; meaningful on SYNs, RFC 9293 §3.7.1).
    pub mss: Option<u16>,
    /// Window scale shift count as sent (kind 3, RFC 7323 §2). Not clamped
    /// here: the receiving TCP uses 14 for anything larger (RFC 7323 §2.3).
    pub window_scale: Option<u8>,
    /// SACK-permitted (kind 4, RFC 2018 §2).
    pub sack_permitted: bool,
    /// SACK blocks (kind 5, RFC 2018 §3).
    pub sack_blocks: SackBlocks,
    /// Timestamps `(TSval, TSecr)` (kind 8, RFC 7323 §3).
    pub timestamps: Option<(u32, u32)>,
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

/// One option as laid out on the wire.
#[derive(Clone, Copy)]
enum WireOption<'a> {
    Nop,
    Mss(u16),
    SackPermitted,
    Timestamps(u32, u32),
    WindowScale(u8),
    Sack(&'a [SackBlock]),
}

impl WireOption<'_> {
    fn emit(self, buf: &mut Vec<u8>) {
        match self {
            WireOption::Nop => buf.push(kind::NOP),
            WireOption::Mss(mss) => {
                buf.extend_from_slice(&[kind::MSS, 4]);
                buf.extend_from_slice(&mss.to_be_bytes());
            }
            WireOption::SackPermitted => buf.extend_from_slice(&[kind::SACK_PERMITTED, 2]),
            WireOption::Timestamps(val, ecr) => {
                buf.extend_from_slice(&[kind::TIMESTAMPS, 10]);
                buf.extend_from_slice(&val.to_be_bytes());
                buf.extend_from_slice(&ecr.to_be_bytes());
            }
            WireOption::WindowScale(shift) => {
                buf.extend_from_slice(&[kind::WINDOW_SCALE, 3, shift]);
            }
            WireOption::Sack(blocks) => {
                buf.extend_from_slice(&[kind::SACK, 2 + 8 * blocks.len() as u8]);
                for (left, right) in blocks {
                    buf.extend_from_slice(&left.0.to_be_bytes());
                    buf.extend_from_slice(&right.0.to_be_bytes());
                }
            }
        }
    }
}

impl fmt::Display for WireOption<'_> {
    /// As tcpdump prints it inside `options [...]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            WireOption::Nop => f.write_str("nop"),
            WireOption::Mss(mss) => write!(f, "mss {mss}"),
            WireOption::SackPermitted => f.write_str("sackOK"),
            WireOption::Timestamps(val, ecr) => write!(f, "TS val {val} ecr {ecr}"),
            WireOption::WindowScale(shift) => write!(f, "wscale {shift}"),
            WireOption::Sack(blocks) => {
                write!(f, "sack {} ", blocks.len())?;
                for (left, right) in blocks {
                    write!(f, "{{{left}:{right}}}")?;
                }
                Ok(())
            }
        }
    }
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
        let header_len = usize::from(bytes[12] >> 4) * 4;
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
        let be32 = |at: usize| {
            u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
        };
        let be16 = |at: usize| u16::from_be_bytes([bytes[at], bytes[at + 1]]);
        let flags = bytes[13];
        let repr = TcpRepr {
            src_port: be16(0),
            dst_port: be16(2),
            seq: TcpSeq(be32(4)),
            ack: (flags & bit::ACK != 0).then(|| TcpSeq(be32(8))),
            flags: TcpFlags::from_byte(flags),
            window: be16(14),
            urgent: be16(18),
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
        buf[start + 16..start + 18].copy_from_slice(&sum.to_be_bytes());
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

    /// Bytes of options other than SACK blocks, and how many SACK blocks fit
    /// after them. Mirrors [`TcpRepr::each_option`].
    fn options_layout(&self) -> (usize, usize) {
        let o = &self.options;
        let fixed = if o.mss.is_some() { 4 } else { 0 }
            + if o.timestamps.is_some() { 12 } else { 0 }
            + if o.sack_permitted && o.timestamps.is_none() {
                4
            } else {
                0
            }
            + if o.window_scale.is_some() { 4 } else { 0 };
        let room = (MAX_OPTIONS_LEN - fixed).saturating_sub(4) / 8;
        (fixed, o.sack_blocks.len().min(room))
    }

    /// Calls `visit` with each option in Linux's order and padding.
    fn each_option(&self, mut visit: impl FnMut(WireOption<'_>)) {
        let o = &self.options;
        if let Some(mss) = o.mss {
            visit(WireOption::Mss(mss));
        }
        match (o.timestamps, o.sack_permitted) {
            (Some((val, ecr)), true) => {
                visit(WireOption::SackPermitted);
                visit(WireOption::Timestamps(val, ecr));
            }
            (Some((val, ecr)), false) => {
                visit(WireOption::Nop);
                visit(WireOption::Nop);
                visit(WireOption::Timestamps(val, ecr));
            }
            (None, true) => {
                visit(WireOption::Nop);
                visit(WireOption::Nop);
                visit(WireOption::SackPermitted);
            }
            (None, false) => {}
        }
        if let Some(shift) = o.window_scale {
            visit(WireOption::Nop);
            visit(WireOption::WindowScale(shift));
        }
        let sack = self.sack_blocks_sent();
        if sack > 0 {
            visit(WireOption::Nop);
            visit(WireOption::Nop);
            visit(WireOption::Sack(&o.sack_blocks[..sack]));
        }
    }
}

/// Parses the option bytes after the fixed header (RFC 9293 §3.2: kinds 0
/// and 1 are single bytes; every other option has a length byte counting
/// kind and length).
fn parse_options(mut bytes: &[u8]) -> Result<TcpOptions, WireError> {
    let mut o = TcpOptions::default();
    while let Some((&k, rest)) = bytes.split_first() {
        match k {
            kind::EOL => break,
            kind::NOP => {
                bytes = rest;
                continue;
            }
            _ => {}
        }
        let len = usize::from(*rest.first().ok_or(WireError::Malformed)?);
        if len < 2 || len > bytes.len() {
            return Err(WireError::Malformed);
        }
        let data = &bytes[2..len];
        let be32 =
            |at: usize| u32::from_be_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]]);
        match (k, len) {
            (kind::MSS, 4) => o.mss = Some(u16::from_be_bytes([data[0], data[1]])),
            (kind::WINDOW_SCALE, 3) => o.window_scale = Some(data[0]),
            (kind::SACK_PERMITTED, 2) => o.sack_permitted = true,
            (kind::TIMESTAMPS, 10) => o.timestamps = Some((be32(0), be32(4))),
            (kind::SACK, _) if len >= 10 && (len - 2) % 8 == 0 => {
                let mut blocks = SackBlocks::new();
                for at in (0..data.len()).step_by(8) {
                    if !blocks.push((TcpSeq(be32(at)), TcpSeq(be32(at + 4)))) {
                        return Err(WireError::Malformed);
                    }
                }
                o.sack_blocks = blocks;
            }
            (
                kind::MSS
                | kind::WINDOW_SCALE
                | kind::SACK_PERMITTED
                | kind::TIMESTAMPS
                | kind::SACK,
                _,
            ) => return Err(WireError::Malformed),
            _ => {} // An option we do not know: skipped by its length.
        }
        bytes = &bytes[len..];
    }
    Ok(o)
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const A: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
    const B: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

    fn syn() -> TcpRepr {
        TcpRepr {
            src_port: 5000,
            dst_port: 80,
            seq: TcpSeq(100),
            ack: None,
            flags: TcpFlags::SYN,
            window: 64240,
            urgent: 0,
            options: TcpOptions {
                mss: Some(1460),
                window_scale: Some(7),
                sack_permitted: true,
                sack_blocks: SackBlocks::new(),
                timestamps: Some((1, 0)),
            },
        }
    }

    /// 10.0.0.1.5000 > 10.0.0.2.80, SYN, seq 100, win 64240, options [mss
    /// 1460,sackOK,TS val 1 ecr 0,nop,wscale 7]: Linux's SYN layout.
    ///
    /// Checksum (RFC 1071, 16-bit words): pseudo-header 0a00+0001+0a00+0002+
    /// 0006+0028 = 0x1431; segment with a zero checksum field: 1388+0050+0000+
    /// 0064+0000+0000+a002+faf0+0000+0000 + 0204+05b4+0402+080a+0000+0001+
    /// 0000+0000+0103+0307 = 0x1c6fd; total 0x1db2e, folded 0xdb2f, complement
    /// 0x24d0. tshark 4 agrees (`tcp.checksum.status` Good) and decodes "MSS=1460
    /// SACK_PERM TSval=1 TSecr=0 WS=128".
    const GOLDEN_SYN: [u8; 40] = [
        0x13, 0x88, 0x00, 0x50, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0xa0, 0x02, 0xfa,
        0xf0, 0x24, 0xd0, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4, 0x04, 0x02, 0x08, 0x0a, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x03, 0x03, 0x07,
    ];

    fn data() -> TcpRepr {
        TcpRepr {
            src_port: 5000,
            dst_port: 80,
            seq: TcpSeq(101),
            ack: Some(TcpSeq(301)),
            flags: TcpFlags::PSH,
            window: 502,
            urgent: 0,
            options: TcpOptions {
                timestamps: Some((2, 1)),
                ..TcpOptions::default()
            },
        }
    }

    /// 10.0.0.1.5000 > 10.0.0.2.80, Flags [P.], seq 101:106, ack 301, win 502,
    /// options [nop,nop,TS val 2 ecr 1], payload "hello" (odd length: the last
    /// byte is padded with zero for the sum).
    ///
    /// Checksum: pseudo-header 0a00+0001+0a00+0002+0006+0025 = 0x142e;
    /// segment 1388+0050+0000+0065+0000+012d+8018+01f6+0000+0000 + 0101+080a+
    /// 0000+0002+0000+0001 + 6865+6c6c+6f00 = 0x1e457; total 0x1f885, folded
    /// 0xf886, complement 0x0779. tshark agrees.
    const GOLDEN_DATA: [u8; 37] = [
        0x13, 0x88, 0x00, 0x50, 0x00, 0x00, 0x00, 0x65, 0x00, 0x00, 0x01, 0x2d, 0x80, 0x18, 0x01,
        0xf6, 0x07, 0x79, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00,
        0x00, 0x01, b'h', b'e', b'l', b'l', b'o',
    ];

    fn sack_ack() -> TcpRepr {
        TcpRepr {
            src_port: 80,
            dst_port: 5000,
            seq: TcpSeq(301),
            ack: Some(TcpSeq(1101)),
            flags: TcpFlags::NONE,
            window: 509,
            urgent: 0,
            options: TcpOptions {
                timestamps: Some((7, 6)),
                sack_blocks: SackBlocks::from([(TcpSeq(2101), TcpSeq(3101))]),
                ..TcpOptions::default()
            },
        }
    }

    /// 10.0.0.2.80 > 10.0.0.1.5000, Flags [.], ack 1101, win 509, options
    /// [nop,nop,TS val 7 ecr 6,nop,nop,sack 1 {2101:3101}].
    ///
    /// Checksum: pseudo-header 0a00+0002+0a00+0001+0006+002c = 0x1435;
    /// segment 0050+1388+0000+012d+0000+044d+b010+01fd+0000+0000 + 0101+080a+
    /// 0000+0007+0000+0006 + 0101+050a+0000+0835+0000+0c1d = 0xeed4; total
    /// 0x10309, folded 0x030a, complement 0xfcf5. tshark agrees (SLE=2101 SRE=3101).
    const GOLDEN_SACK: [u8; 44] = [
        0x00, 0x50, 0x13, 0x88, 0x00, 0x00, 0x01, 0x2d, 0x00, 0x00, 0x04, 0x4d, 0xb0, 0x10, 0x01,
        0xfd, 0xfc, 0xf5, 0x00, 0x00, 0x01, 0x01, 0x08, 0x0a, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
        0x00, 0x06, 0x01, 0x01, 0x05, 0x0a, 0x00, 0x00, 0x08, 0x35, 0x00, 0x00, 0x0c, 0x1d,
    ];

    fn emit(repr: &TcpRepr, payload: &[u8], src: Ipv4Addr, dst: Ipv4Addr) -> Vec<u8> {
        let mut buf = Vec::new();
        repr.emit(&mut buf, payload, src, dst);
        assert_eq!(buf.len(), repr.header_len() + payload.len());
        buf
    }

    #[test]
    fn seq_arithmetic_wraps_around() {
        let near_end = TcpSeq(0xffff_fff0);
        let wrapped = near_end + 0x20;
        assert_eq!(wrapped, TcpSeq(0x10));
        assert_eq!(wrapped - near_end, 0x20);
        assert_eq!(near_end - wrapped, -0x20);
        assert_eq!(wrapped - 0x20usize, near_end);
        assert!(wrapped.gt(near_end) && wrapped.ge(near_end));
        assert!(near_end.lt(wrapped) && near_end.le(wrapped));
        assert!(!wrapped.lt(near_end) && !near_end.gt(wrapped));
        assert!(wrapped.le(wrapped) && wrapped.ge(wrapped) && !wrapped.lt(wrapped));
        assert_eq!(near_end.max(wrapped), wrapped);
        assert_eq!(wrapped.min(near_end), near_end);
        let mut s = TcpSeq(u32::MAX);
        s += 1;
        assert_eq!(s, TcpSeq(0));
    }

    #[test]
    fn seq_comparison_flips_at_half_the_space() {
        let zero = TcpSeq(0);
        assert!((zero + 0x7fff_ffff).gt(zero), "2^31 - 1 ahead is later");
        assert!((zero + 0x8000_0001).lt(zero), "2^31 + 1 ahead is earlier");
    }

    #[test]
    fn syn_golden_bytes() {
        assert_eq!(emit(&syn(), &[], A, B), GOLDEN_SYN);
        assert_eq!(syn().header_len(), 40);
        let (parsed, payload) = TcpRepr::parse(&GOLDEN_SYN, A, B).unwrap();
        assert_eq!(parsed, syn());
        assert!(payload.is_empty());
    }

    #[test]
    fn data_golden_bytes() {
        assert_eq!(emit(&data(), b"hello", A, B), GOLDEN_DATA);
        assert_eq!(data().header_len(), 32);
        let (parsed, payload) = TcpRepr::parse(&GOLDEN_DATA, A, B).unwrap();
        assert_eq!(parsed, data());
        assert_eq!(payload, b"hello");
    }

    #[test]
    fn sack_golden_bytes() {
        assert_eq!(emit(&sack_ack(), &[], B, A), GOLDEN_SACK);
        assert_eq!(TcpRepr::parse(&GOLDEN_SACK, B, A).unwrap().0, sack_ack());
    }

    #[test]
    fn syn_without_timestamps_uses_linux_nop_padding() {
        let mut r = syn();
        r.options.timestamps = None;
        let bytes = emit(&r, &[], A, B);
        assert_eq!(
            &bytes[HEADER_LEN..],
            [
                0x02, 0x04, 0x05, 0xb4, 0x01, 0x01, 0x04, 0x02, 0x01, 0x03, 0x03, 0x07
            ]
        );
        assert_eq!(
            r.to_string(),
            "Flags [S], seq 100, win 64240, options [mss 1460,nop,nop,sackOK,nop,wscale 7], length 0"
        );
        assert_eq!(TcpRepr::parse(&bytes, A, B).unwrap().0, r);
    }

    #[test]
    fn every_flipped_bit_fails_the_checksum() {
        for (golden, src, dst) in [
            (&GOLDEN_SYN[..], A, B),
            (&GOLDEN_DATA[..], A, B),
            (&GOLDEN_SACK[..], B, A),
        ] {
            for bit in 0..golden.len() * 8 {
                // Flipping a data-offset bit may change the length check first.
                if bit / 8 == 12 && bit % 8 < 4 {
                    continue;
                }
                let mut bad = golden.to_vec();
                bad[bit / 8] ^= 0x80 >> (bit % 8);
                assert_eq!(
                    TcpRepr::parse(&bad, src, dst),
                    Err(WireError::Checksum),
                    "bit {bit}"
                );
            }
        }
    }

    #[test]
    fn checksum_covers_the_pseudo_header() {
        let other = Ipv4Addr::new(10, 0, 0, 3);
        assert_eq!(
            TcpRepr::parse(&GOLDEN_DATA, A, other),
            Err(WireError::Checksum)
        );
        // A zero checksum is not "none" in TCP.
        let mut zero = GOLDEN_DATA;
        zero[16] = 0;
        zero[17] = 0;
        assert_eq!(TcpRepr::parse(&zero, A, B), Err(WireError::Checksum));
    }

    /// `header` with `options` (already padded to a multiple of 4) and a valid checksum.
    fn with_options(options: &[u8]) -> Vec<u8> {
        let mut bytes = GOLDEN_DATA[..HEADER_LEN].to_vec();
        bytes[12] = (((HEADER_LEN + options.len()) / 4) as u8) << 4;
        bytes.extend_from_slice(options);
        fix_checksum(&mut bytes, A, B);
        bytes
    }

    fn fix_checksum(bytes: &mut [u8], src: Ipv4Addr, dst: Ipv4Addr) {
        bytes[16] = 0;
        bytes[17] = 0;
        let sum = checksum::finish(checksum::accumulate(
            checksum::pseudo_header(src, dst, PROTOCOL, bytes.len() as u16),
            bytes,
        ));
        bytes[16..18].copy_from_slice(&sum.to_be_bytes());
    }

    #[test]
    fn unknown_options_are_skipped_and_eol_ends_the_list() {
        // Kind 30 (MPTCP), 6 bytes; then MSS; then EOL followed by garbage.
        let bytes = with_options(&[30, 6, 1, 2, 3, 4, 2, 4, 0x05, 0xb4, 0, 0xff]);
        let (r, payload) = TcpRepr::parse(&bytes, A, B).unwrap();
        assert_eq!(r.options.mss, Some(1460));
        assert!(payload.is_empty());
    }

    #[test]
    fn malformed_options_are_rejected() {
        for options in [
            &[2, 4, 5, 0xb4, 30, 1, 1, 1][..], // length below 2
            &[1, 1, 1, 30, 6, 0, 0, 0],        // runs past the header
            &[1, 1, 1, 2],                     // no length byte
            &[2, 3, 5, 1],                     // MSS of length 3
            &[3, 4, 7, 0],                     // window scale of length 4
            &[1, 1, 5, 2],                     // SACK with no block
            &[5, 7, 0, 0, 0, 0, 0, 0],         // SACK of a length not 2 + 8n
            &[8, 8, 0, 0, 0, 0, 0, 0],         // timestamps of length 8
        ] {
            assert_eq!(
                TcpRepr::parse(&with_options(options), A, B),
                Err(WireError::Malformed),
                "{options:?}"
            );
        }
    }

    #[test]
    fn lengths_are_checked() {
        assert_eq!(
            TcpRepr::parse(&GOLDEN_SYN[..19], A, B),
            Err(WireError::Truncated)
        );
        assert_eq!(
            TcpRepr::parse(&GOLDEN_SYN[..36], A, B),
            Err(WireError::Truncated),
            "data offset says 40"
        );
        let mut b = GOLDEN_SYN;
        b[12] = 0x40;
        assert_eq!(TcpRepr::parse(&b, A, B), Err(WireError::Malformed));
    }

    #[test]
    fn ack_field_is_ignored_without_the_ack_bit() {
        let mut b = GOLDEN_SYN;
        b[8..12].copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        fix_checksum(&mut b, A, B);
        assert_eq!(TcpRepr::parse(&b, A, B).unwrap().0, syn());
    }

    #[test]
    fn sack_blocks_are_limited_by_the_option_space() {
        let blocks = [
            (TcpSeq(10), TcpSeq(20)),
            (TcpSeq(30), TcpSeq(40)),
            (TcpSeq(50), TcpSeq(60)),
            (TcpSeq(70), TcpSeq(80)),
        ];
        let mut r = sack_ack();
        r.options.sack_blocks = SackBlocks::from(blocks);
        r.options.timestamps = None;
        assert_eq!((r.sack_blocks_sent(), r.header_len()), (4, 56));
        assert_eq!(
            emit(&r, &[], B, A)[HEADER_LEN..HEADER_LEN + 4],
            [1, 1, 5, 34]
        );
        assert_eq!(TcpRepr::parse(&emit(&r, &[], B, A), B, A).unwrap().0, r);
        r.options.timestamps = Some((7, 6));
        assert_eq!((r.sack_blocks_sent(), r.header_len()), (3, 60));
        let (parsed, _) = TcpRepr::parse(&emit(&r, &[], B, A), B, A).unwrap();
        assert_eq!(parsed.options.sack_blocks.as_slice(), &blocks[..3]);
        assert_eq!(
            r.to_string(),
            "Flags [.], ack 1101, win 509, options [nop,nop,TS val 7 ecr 6,nop,nop,sack 3 {10:20}{30:40}{50:60}], length 0"
        );
    }

    #[test]
    fn sack_blocks_hold_four() {
        let mut s = SackBlocks::new();
        for i in 0..4 {
            assert!(s.push((TcpSeq(i), TcpSeq(i + 1))));
        }
        assert!(!s.push((TcpSeq(9), TcpSeq(10))));
        assert_eq!(s.len(), 4);
        assert_eq!(s[3], (TcpSeq(3), TcpSeq(4)));
    }

    #[test]
    fn display_is_tcpdump_like() {
        let mut syn_ack = syn();
        syn_ack.ack = Some(TcpSeq(301));
        syn_ack.window = 65535;
        assert_eq!(
            syn_ack.to_string(),
            "Flags [S.], seq 100, ack 301, win 65535, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 7], length 0"
        );
        assert_eq!(
            data().summary(5).to_string(),
            "Flags [P.], seq 101:106, ack 301, win 502, options [nop,nop,TS val 2 ecr 1], length 5"
        );
        let rst = TcpRepr {
            seq: TcpSeq(7),
            flags: TcpFlags::RST,
            ..TcpRepr::default()
        };
        assert_eq!(rst.to_string(), "Flags [R], seq 7, win 0, length 0");
        let odd = TcpRepr {
            flags: TcpFlags {
                urg: true,
                ece: true,
                cwr: true,
                ..TcpFlags::FIN
            },
            urgent: 3,
            ..TcpRepr::default()
        };
        assert_eq!(
            odd.to_string(),
            "Flags [FUEW], seq 0, win 0, urg 3, length 0"
        );
        assert_eq!(TcpRepr::default().flag_letters(), "none");
    }

    #[test]
    fn rfc_notation() {
        let mut syn_ack = syn();
        syn_ack.ack = Some(TcpSeq(301));
        assert_eq!(syn_ack.rfc_notation(0), "<SEQ=100><ACK=301><CTL=SYN,ACK>");
        assert_eq!(syn().rfc_notation(0), "<SEQ=100><CTL=SYN>");
        let mut d = data();
        d.flags = TcpFlags::NONE;
        assert_eq!(
            d.rfc_notation(1000),
            "<SEQ=101><ACK=301><CTL=ACK><DATA=1000>"
        );
        let rst_ack = TcpRepr {
            ack: Some(TcpSeq(101)),
            flags: TcpFlags::RST,
            ..TcpRepr::default()
        };
        assert_eq!(rst_ack.rfc_notation(0), "<SEQ=0><ACK=101><CTL=RST,ACK>");
    }

    #[test]
    fn segment_len_counts_syn_and_fin() {
        assert_eq!(syn().segment_len(0), 1);
        assert_eq!(data().segment_len(5), 5);
        let fin = TcpRepr {
            flags: TcpFlags::FIN | TcpFlags::SYN,
            ..TcpRepr::default()
        };
        assert_eq!(fin.segment_len(10), 12);
    }

    fn seq() -> impl Strategy<Value = TcpSeq> {
        any::<u32>().prop_map(TcpSeq)
    }

    prop_compose! {
        fn arb_repr()(
            ports in any::<(u16, u16)>(),
            seq in seq(),
            ack in proptest::option::of(seq()),
            bits in any::<u8>(),
            window in any::<u16>(),
            urgent in any::<u16>(),
            mss in proptest::option::of(any::<u16>()),
            window_scale in proptest::option::of(any::<u8>()),
            sack_permitted in any::<bool>(),
            blocks in proptest::collection::vec((seq(), seq()), 0..=4),
            timestamps in proptest::option::of(any::<(u32, u32)>()),
        ) -> TcpRepr {
            let mut sack_blocks = SackBlocks::new();
            for b in blocks {
                assert!(sack_blocks.push(b));
            }
            TcpRepr {
                src_port: ports.0,
                dst_port: ports.1,
                seq,
                ack,
                flags: TcpFlags::from_byte(bits),
                window,
                urgent,
                options: TcpOptions { mss, window_scale, sack_permitted, sack_blocks, timestamps },
            }
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..100)) {
            let _ = TcpRepr::parse(&bytes, A, B);
        }

        /// Arbitrary option bytes behind a valid checksum reach the option parser.
        #[test]
        fn option_parsing_never_panics(
            offset in 5u8..=15,
            options in proptest::collection::vec(any::<u8>(), 0..48),
        ) {
            let mut bytes = GOLDEN_DATA[..HEADER_LEN].to_vec();
            bytes[12] = offset << 4;
            bytes.extend_from_slice(&options);
            fix_checksum(&mut bytes, A, B);
            if let Ok((_, payload)) = TcpRepr::parse(&bytes, A, B) {
                prop_assert_eq!(payload.len(), bytes.len() - usize::from(offset) * 4);
            }
        }

        #[test]
        fn parse_inverts_emit(
            repr in arb_repr(),
            payload in proptest::collection::vec(any::<u8>(), 0..64),
        ) {
            let bytes = emit(&repr, &payload, A, B);
            let (parsed, data) = TcpRepr::parse(&bytes, A, B).unwrap();
            let mut expected = repr;
            let mut sent = SackBlocks::new();
            for &b in &repr.options.sack_blocks[..repr.sack_blocks_sent()] {
                prop_assert!(sent.push(b));
            }
            expected.options.sack_blocks = sent;
            prop_assert_eq!(parsed, expected);
            prop_assert_eq!(data, &payload[..]);
        }
    }
}
