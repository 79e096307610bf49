//! DNS messages (RFC 1035 §4), with name compression (RFC 1035 §4.1.4).
//!
//! [`DnsRepr`] holds the header, the questions and all three record sections
//! (answer, authority, additional), so a parsed message re-emits whole.
//!
//! Names are text without the trailing dot (`server.example`; the root is the
//! empty string), in the RFC 1035 §5.1 presentation form: a label byte that is
//! `.`, `\` or not printable ASCII is written `\.`, `\\` or `\DDD`. Emit
//! accepts the same form (and a trailing dot), and refuses with `Malformed` an
//! empty label, a label over 63 bytes, a name over 255 bytes and non-ASCII
//! text (IDNs are punycode by then). Case is kept as given.
//!
//! Compression: parse follows pointers, each of which must point before the
//! name run that contains it (a pointer names a "prior occurrence", so this
//! also ends every loop); anything else is `Malformed`. Emit compresses every
//! owner name and the name in a CNAME against earlier names, matching suffixes
//! byte for byte (case-sensitively), so an answer for the question's name is
//! `c0 0c` as real servers send it.
//!
//! Deliberate simplifications:
//! - Record data is decoded for A (class IN) and CNAME only. Any other type is
//!   [`RecordData::Other`] with its RDATA bytes; for the RFC 1035 types whose
//!   RDATA holds names (NS, MD, MF, SOA, MB, MG, MR, PTR, MINFO, MX), parse
//!   expands those names, so the bytes never hold pointers into the original
//!   message (RFC 3597 §4), and emit writes them verbatim.
//! - The Z, AD and CD header bits (RFC 4035 §3.2) are ignored on parse and
//!   zero on emit. Any opcode parses (a server answers NotImp); EDNS (OPT) is
//!   an ordinary additional record with no meaning attached.
//! - Bytes after the last record are ignored.

use std::fmt;

use super::WireError;

mod name;
mod record;
#[cfg(test)]
mod tests;

use name::{Compressor, name_text, read_name};
pub use record::{DnsQuestion, DnsRecord, DnsType, RecordData};
use record::{put_record, read_records};

/// UDP port of DNS servers (RFC 1035 §4.2.1).
pub const SERVER_PORT: u16 = 53;
/// Length of the message header (RFC 1035 §4.1.1).
pub const HEADER_LEN: usize = 12;
/// Longest label, in bytes (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;
/// Longest name on the wire, length bytes and root included (RFC 1035 §2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// Largest message over UDP without EDNS; longer answers set TC (RFC 1035 §4.2.1).
pub const MAX_UDP_LEN: usize = 512;
/// The Internet class (RFC 1035 §3.2.4).
pub const CLASS_IN: u16 = 1;

// Header flag bits (RFC 1035 §4.1.1).
const FLAG_QR: u16 = 0x8000;
const FLAG_AA: u16 = 0x0400;
const FLAG_TC: u16 = 0x0200;
const FLAG_RD: u16 = 0x0100;
const FLAG_RA: u16 = 0x0080;

/// Response code (RFC 1035 §4.1.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DnsRcode {
    /// 0: no error.
    NoError,
    /// 1: the server could not interpret the query.
    FormErr,
    /// 2: the server failed.
    ServFail,
    /// 3: the name does not exist (authoritative answers only).
    NxDomain,
    /// 4: the server does not support this kind of query.
    NotImp,
    /// 5: the server refuses, for policy reasons.
    Refused,
    /// Anything else (4 bits on the wire).
    Unknown(u8),
}

impl From<u8> for DnsRcode {
    fn from(v: u8) -> Self {
        match v {
            0 => DnsRcode::NoError,
            1 => DnsRcode::FormErr,
            2 => DnsRcode::ServFail,
            3 => DnsRcode::NxDomain,
            4 => DnsRcode::NotImp,
            5 => DnsRcode::Refused,
            other => DnsRcode::Unknown(other),
        }
    }
}

impl From<DnsRcode> for u8 {
    fn from(r: DnsRcode) -> u8 {
        match r {
            DnsRcode::NoError => 0,
            DnsRcode::FormErr => 1,
            DnsRcode::ServFail => 2,
            DnsRcode::NxDomain => 3,
            DnsRcode::NotImp => 4,
            DnsRcode::Refused => 5,
            DnsRcode::Unknown(v) => v,
        }
    }
}

impl fmt::Display for DnsRcode {
    /// As tcpdump names them: `NoError`, `NXDomain`, ..., `Resp9`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DnsRcode::NoError => f.write_str("NoError"),
            DnsRcode::FormErr => f.write_str("FormErr"),
            DnsRcode::ServFail => f.write_str("ServFail"),
            DnsRcode::NxDomain => f.write_str("NXDomain"),
            DnsRcode::NotImp => f.write_str("NotImp"),
            DnsRcode::Refused => f.write_str("Refused"),
            DnsRcode::Unknown(v) => write!(f, "Resp{v}"),
        }
    }
}

/// A DNS message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRepr {
    /// Matches a response to its query.
    pub id: u16,
    /// QR: a response rather than a query.
    pub response: bool,
    /// OPCODE (4 bits): 0 is a standard query, the only kind this stack serves.
    pub opcode: u8,
    /// AA: the answer comes from an authority for the name.
    pub authoritative: bool,
    /// TC: the message was truncated to fit the transport.
    pub truncated: bool,
    /// RD: the client asks for recursion.
    pub recursion_desired: bool,
    /// RA: the server offers recursion.
    pub recursion_available: bool,
    /// RCODE (4 bits).
    pub rcode: DnsRcode,
    /// The question section.
    pub questions: Vec<DnsQuestion>,
    /// The answer section.
    pub answers: Vec<DnsRecord>,
    /// The authority section (the SOA of a negative answer, say).
    pub authority: Vec<DnsRecord>,
    /// The additional section (glue, EDNS OPT).
    pub additional: Vec<DnsRecord>,
}

impl DnsRepr {
    /// Parses a message (the UDP payload).
    pub fn parse(bytes: &[u8]) -> Result<DnsRepr, WireError> {
        let header = bytes.get(..HEADER_LEN).ok_or(WireError::Truncated)?;
        let word = |at: usize| u16::from_be_bytes([header[at], header[at + 1]]);
        let flags = word(2);
        let mut pos = HEADER_LEN;
        let mut questions = Vec::new();
        for _ in 0..word(4) {
            let (wire, next) = read_name(bytes, pos)?;
            let fixed = bytes.get(next..next + 4).ok_or(WireError::Truncated)?;
            questions.push(DnsQuestion {
                name: name_text(&wire),
                qtype: DnsType::from(u16::from_be_bytes([fixed[0], fixed[1]])),
                qclass: u16::from_be_bytes([fixed[2], fixed[3]]),
            });
            pos = next + 4;
        }
        let answers = read_records(bytes, &mut pos, word(6))?;
        let authority = read_records(bytes, &mut pos, word(8))?;
        let additional = read_records(bytes, &mut pos, word(10))?;
        Ok(DnsRepr {
            id: word(0),
            response: flags & FLAG_QR != 0,
            opcode: ((flags >> 11) & 0xf) as u8,
            authoritative: flags & FLAG_AA != 0,
            truncated: flags & FLAG_TC != 0,
            recursion_desired: flags & FLAG_RD != 0,
            recursion_available: flags & FLAG_RA != 0,
            rcode: DnsRcode::from((flags & 0xf) as u8),
            questions,
            answers,
            authority,
            additional,
        })
    }

    /// Appends the message to `buf`, compressing names.
    ///
    /// Returns `Malformed`, leaving `buf` as it was, when a name is not legal
    /// (see the module docs), `opcode` or `rcode` does not fit in 4 bits, a
    /// section has more than 65,535 entries, RDATA is over 65,535 bytes, or a
    /// record's `data` does not match its type.
    pub fn emit(&self, buf: &mut Vec<u8>) -> Result<(), WireError> {
        let start = buf.len();
        let result = self.emit_unchecked(buf, start);
        if result.is_err() {
            buf.truncate(start);
        }
        result
    }

    /// Length of the emitted message, or why it cannot be emitted.
    pub fn buffer_len(&self) -> Result<usize, WireError> {
        let mut buf = Vec::new();
        self.emit(&mut buf)?;
        Ok(buf.len())
    }

    fn emit_unchecked(&self, buf: &mut Vec<u8>, start: usize) -> Result<(), WireError> {
        let rcode = u8::from(self.rcode);
        if self.opcode > 0xf || rcode > 0xf {
            return Err(WireError::Malformed);
        }
        let bit = |on: bool, flag: u16| if on { flag } else { 0 };
        let flags = bit(self.response, FLAG_QR)
            | u16::from(self.opcode) << 11
            | bit(self.authoritative, FLAG_AA)
            | bit(self.truncated, FLAG_TC)
            | bit(self.recursion_desired, FLAG_RD)
            | bit(self.recursion_available, FLAG_RA)
            | u16::from(rcode);
        buf.extend_from_slice(&self.id.to_be_bytes());
        buf.extend_from_slice(&flags.to_be_bytes());
        for count in [
            self.questions.len(),
            self.answers.len(),
            self.authority.len(),
            self.additional.len(),
        ] {
            let count = u16::try_from(count).map_err(|_| WireError::Malformed)?;
            buf.extend_from_slice(&count.to_be_bytes());
        }
        let mut names = Compressor::new(start);
        for q in &self.questions {
            names.put(buf, &q.name)?;
            buf.extend_from_slice(&u16::from(q.qtype).to_be_bytes());
            buf.extend_from_slice(&q.qclass.to_be_bytes());
        }
        let records = self.answers.iter().chain(&self.authority);
        for rr in records.chain(&self.additional) {
            put_record(buf, &mut names, rr)?;
        }
        Ok(())
    }
}

impl fmt::Display for DnsRepr {
    /// As tcpdump prints it, after `DNS`: `DNS 4660+ A? server.example. (32)`
    /// for a query (`+`: recursion desired), `DNS 4660* 1/0/0 A 10.0.2.10 (48)`
    /// for a response (`*`: authoritative, `-`: no recursion available, `|`:
    /// truncated, then the rcode unless NoError, and answer/authority/additional
    /// counts). The last number is the message length.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DNS {}", self.id)?;
        match self.opcode {
            0 => {}
            1 => f.write_str(" inv_q")?,
            2 => f.write_str(" stat")?,
            4 => f.write_str(" notify")?,
            5 => f.write_str(" update")?,
            n => write!(f, " op{n}")?,
        }
        if self.response {
            if self.rcode != DnsRcode::NoError {
                write!(f, " {}", self.rcode)?;
            }
            let flag = |on: bool, c: &'static str| if on { c } else { "" };
            write!(
                f,
                "{}{}{}",
                flag(self.authoritative, "*"),
                flag(!self.recursion_available, "-"),
                flag(self.truncated, "|")
            )?;
            if self.questions.len() != 1 {
                write!(f, " [{}q]", self.questions.len())?;
            }
            write!(
                f,
                " {}/{}/{}",
                self.answers.len(),
                self.authority.len(),
                self.additional.len()
            )?;
            for (i, rr) in self.answers.iter().enumerate() {
                write!(f, "{} {rr}", if i == 0 { "" } else { "," })?;
            }
        } else {
            if self.recursion_desired {
                f.write_str("+")?;
            }
            let counts = [
                (self.questions.len(), "q", 1),
                (self.answers.len(), "a", 0),
                (self.authority.len(), "n", 0),
                (self.additional.len(), "au", 0),
            ];
            for (n, tag, usual) in counts {
                if n != usual {
                    write!(f, " [{n}{tag}]")?;
                }
            }
            if let Some(q) = self.questions.first() {
                write!(f, " {q}")?;
            }
        }
        match self.buffer_len() {
            Ok(len) => write!(f, " ({len})"),
            Err(_) => f.write_str(" (invalid)"),
        }
    }
}
