//! TCP options: their kinds, how they are parsed (RFC 9293 §3.2), and the
//! order and padding in which they are emitted (Linux's `tcp_options_write`,
//! see the [parent module](super)): maximum segment size (RFC 9293 §3.7.1),
//! window scale and timestamps (RFC 7323 §2.2, §3.2), SACK-permitted and SACK
//! (RFC 2018 §2, §3).

use std::fmt;
use std::ops::Deref;

use super::{MAX_OPTIONS_LEN, MAX_SACK_BLOCKS, TcpRepr, TcpSeq};
use crate::wire::WireError;

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

/// One option as laid out on the wire.
#[derive(Clone, Copy)]
pub(super) enum WireOption<'a> {
    Nop,
    Mss(u16),
    SackPermitted,
    Timestamps(u32, u32),
    WindowScale(u8),
    Sack(&'a [SackBlock]),
}

impl WireOption<'_> {
    pub(super) fn emit(self, buf: &mut Vec<u8>) {
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
    /// Bytes of options other than SACK blocks, and how many SACK blocks fit
    /// after them. Mirrors [`TcpRepr::each_option`].
    pub(super) fn options_layout(&self) -> (usize, usize) {
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
    pub(super) fn each_option(&self, mut visit: impl FnMut(WireOption<'_>)) {
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
pub(super) fn parse_options(mut bytes: &[u8]) -> Result<TcpOptions, WireError> {
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
