//! Domain names on the wire: reading them with compression pointers (RFC
//! 1035 §4.1.4), their presentation form (RFC 1035 §5.1), validation of label
//! and name lengths (RFC 1035 §2.3.4), and compression on emit.

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;

use super::{MAX_LABEL_LEN, MAX_NAME_LEN};
use crate::wire::WireError;

/// Compression pointers hold a 14-bit offset (RFC 1035 §4.1.4).
const MAX_POINTER: usize = 0x3fff;
/// Pointers followed while reading one name: a name has at most 127 labels,
/// so a longer chain is hostile, and this bounds the work per name.
const MAX_POINTER_HOPS: usize = 127;

/// Reads the name at `start` in `msg`, following compression pointers.
///
/// Returns the name's uncompressed wire form (labels and the root byte) and
/// the position just after it in the message (after the first pointer, if
/// any). A pointer must point before the run of labels it ends: pointers refer
/// to a prior occurrence (RFC 1035 §4.1.4), and since each run then starts
/// strictly earlier than the last, the walk cannot loop. At most
/// [`MAX_POINTER_HOPS`] pointers are followed.
pub(super) fn read_name(msg: &[u8], start: usize) -> Result<(Vec<u8>, usize), WireError> {
    let mut wire = Vec::new();
    let mut pos = start;
    let mut run_start = start;
    let mut after = None;
    let mut hops = 0;
    loop {
        let len = *msg.get(pos).ok_or(WireError::Truncated)?;
        match len & 0xc0 {
            0x00 if len == 0 => {
                wire.push(0);
                return Ok((wire, after.unwrap_or(pos + 1)));
            }
            0x00 => {
                let end = pos + 1 + usize::from(len);
                let label = msg.get(pos + 1..end).ok_or(WireError::Truncated)?;
                wire.push(len);
                wire.extend_from_slice(label);
                // The root byte is still to come.
                if wire.len() + 1 > MAX_NAME_LEN {
                    return Err(WireError::Malformed);
                }
                pos = end;
            }
            0xc0 => {
                let low = *msg.get(pos + 1).ok_or(WireError::Truncated)?;
                let target = usize::from(u16::from_be_bytes([len & 0x3f, low]));
                hops += 1;
                if target >= run_start || hops > MAX_POINTER_HOPS {
                    return Err(WireError::Malformed);
                }
                after.get_or_insert(pos + 2);
                pos = target;
                run_start = target;
            }
            // 0x40: extended label types (RFC 6891 §5 deprecates them); 0x80: reserved.
            _ => return Err(WireError::Malformed),
        }
    }
}

/// The presentation form of an uncompressed wire name (RFC 1035 §5.1).
pub(super) fn name_text(wire: &[u8]) -> String {
    let mut text = String::new();
    let mut rest = wire;
    while let [len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        if len == 0 {
            break;
        }
        if !text.is_empty() {
            text.push('.');
        }
        for &b in &tail[..len] {
            match b {
                b'.' | b'\\' => {
                    text.push('\\');
                    text.push(char::from(b));
                }
                0x21..=0x7e => text.push(char::from(b)),
                _ => {
                    let _ = write!(text, "\\{b:03}");
                }
            }
        }
        rest = &tail[len..];
    }
    text
}

/// The labels of a name in presentation form, validated for the wire.
pub(super) fn labels(name: &str) -> Result<Vec<Vec<u8>>, WireError> {
    let mut labels = Vec::new();
    if name.is_empty() || name == "." {
        return Ok(labels);
    }
    let bytes = name.as_bytes();
    let mut label = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'.' => {
                if label.is_empty() {
                    return Err(WireError::Malformed);
                }
                labels.push(std::mem::take(&mut label));
                i += 1;
            }
            b'\\' => match bytes.get(i + 1..) {
                Some([d0 @ b'0'..=b'9', d1 @ b'0'..=b'9', d2 @ b'0'..=b'9', ..]) => {
                    let value = [d0, d1, d2]
                        .iter()
                        .fold(0u32, |v, d| v * 10 + u32::from(**d - b'0'));
                    label.push(u8::try_from(value).map_err(|_| WireError::Malformed)?);
                    i += 4;
                }
                Some([c, ..]) if c.is_ascii() && !c.is_ascii_digit() => {
                    label.push(*c);
                    i += 2;
                }
                _ => return Err(WireError::Malformed),
            },
            b if b.is_ascii() => {
                label.push(b);
                i += 1;
            }
            _ => return Err(WireError::Malformed),
        }
        if label.len() > MAX_LABEL_LEN {
            return Err(WireError::Malformed);
        }
    }
    if !label.is_empty() {
        labels.push(label);
    }
    let wire_len: usize = labels.iter().map(|l| 1 + l.len()).sum::<usize>() + 1;
    if wire_len > MAX_NAME_LEN {
        return Err(WireError::Malformed);
    }
    Ok(labels)
}

/// Writes names, replacing any suffix already written with a pointer to it.
pub(super) struct Compressor {
    /// Where the message starts in the buffer: offsets count from here.
    start: usize,
    /// Wire form of each suffix written (labels, no root byte) → its offset.
    seen: BTreeMap<Vec<u8>, u16>,
}

impl Compressor {
    /// A compressor for a message that starts at `start` in the buffer.
    pub(super) fn new(start: usize) -> Compressor {
        Compressor {
            start,
            seen: BTreeMap::new(),
        }
    }

    pub(super) fn put(&mut self, buf: &mut Vec<u8>, name: &str) -> Result<(), WireError> {
        let labels = labels(name)?;
        for i in 0..labels.len() {
            let suffix: Vec<u8> = labels[i..]
                .iter()
                .flat_map(|l| std::iter::once(l.len() as u8).chain(l.iter().copied()))
                .collect();
            if let Some(&offset) = self.seen.get(&suffix) {
                buf.extend_from_slice(&(0xc000 | offset).to_be_bytes());
                return Ok(());
            }
            let offset = buf.len() - self.start;
            if offset <= MAX_POINTER {
                self.seen.insert(suffix, offset as u16);
            }
            buf.push(labels[i].len() as u8);
            buf.extend_from_slice(&labels[i]);
        }
        buf.push(0);
        Ok(())
    }
}

/// A name as tcpdump prints it: with the trailing dot; the root is `.`.
pub(super) struct DisplayName<'a>(pub(super) &'a str);

impl fmt::Display for DisplayName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.0;
        if name.ends_with('.') && !name.ends_with("\\.") {
            f.write_str(name)
        } else if name.is_empty() {
            f.write_str(".")
        } else {
            write!(f, "{name}.")
        }
    }
}
