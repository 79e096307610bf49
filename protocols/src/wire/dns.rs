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

use std::collections::BTreeMap;
use std::fmt;
use std::fmt::Write as _;
use std::net::Ipv4Addr;

use super::WireError;

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

/// Compression pointers hold a 14-bit offset (RFC 1035 §4.1.4).
const MAX_POINTER: usize = 0x3fff;
/// Pointers followed while reading one name: a name has at most 127 labels,
/// so a longer chain is hostile, and this bounds the work per name.
const MAX_POINTER_HOPS: usize = 127;

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

/// Record type, also used as QTYPE (RFC 1035 §3.2.2, §3.2.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DnsType {
    /// 1: an IPv4 address.
    A,
    /// 2: an authoritative name server.
    Ns,
    /// 5: the canonical name for an alias.
    Cname,
    /// 6: start of a zone of authority.
    Soa,
    /// 12: a domain name pointer.
    Ptr,
    /// 15: mail exchange.
    Mx,
    /// 16: text strings.
    Txt,
    /// 28: an IPv6 address (RFC 3596).
    Aaaa,
    /// 33: service location (RFC 2782).
    Srv,
    /// 41: EDNS pseudo-record (RFC 6891).
    Opt,
    /// 255: QTYPE for all records.
    Any,
    /// Anything else.
    Unknown(u16),
}

impl From<u16> for DnsType {
    fn from(v: u16) -> Self {
        match v {
            1 => DnsType::A,
            2 => DnsType::Ns,
            5 => DnsType::Cname,
            6 => DnsType::Soa,
            12 => DnsType::Ptr,
            15 => DnsType::Mx,
            16 => DnsType::Txt,
            28 => DnsType::Aaaa,
            33 => DnsType::Srv,
            41 => DnsType::Opt,
            255 => DnsType::Any,
            other => DnsType::Unknown(other),
        }
    }
}

impl From<DnsType> for u16 {
    fn from(t: DnsType) -> u16 {
        match t {
            DnsType::A => 1,
            DnsType::Ns => 2,
            DnsType::Cname => 5,
            DnsType::Soa => 6,
            DnsType::Ptr => 12,
            DnsType::Mx => 15,
            DnsType::Txt => 16,
            DnsType::Aaaa => 28,
            DnsType::Srv => 33,
            DnsType::Opt => 41,
            DnsType::Any => 255,
            DnsType::Unknown(v) => v,
        }
    }
}

impl fmt::Display for DnsType {
    /// The mnemonic (`A`, `CNAME`, ...), or `Type65` for others.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            DnsType::A => "A",
            DnsType::Ns => "NS",
            DnsType::Cname => "CNAME",
            DnsType::Soa => "SOA",
            DnsType::Ptr => "PTR",
            DnsType::Mx => "MX",
            DnsType::Txt => "TXT",
            DnsType::Aaaa => "AAAA",
            DnsType::Srv => "SRV",
            DnsType::Opt => "OPT",
            DnsType::Any => "ANY",
            DnsType::Unknown(v) => return write!(f, "Type{v}"),
        };
        f.write_str(s)
    }
}

/// An entry of the question section (RFC 1035 §4.1.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsQuestion {
    /// The name asked about.
    pub name: String,
    /// The type asked for.
    pub qtype: DnsType,
    /// The class; [`CLASS_IN`] in practice.
    pub qclass: u16,
}

impl DnsQuestion {
    /// A question for `qtype` records of `name` in class IN.
    pub fn new(name: impl Into<String>, qtype: DnsType) -> DnsQuestion {
        DnsQuestion {
            name: name.into(),
            qtype,
            qclass: CLASS_IN,
        }
    }
}

impl fmt::Display for DnsQuestion {
    /// `A? server.example.`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}? {}", self.qtype, DisplayName(&self.name))
    }
}

/// A resource record (RFC 1035 §4.1.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DnsRecord {
    /// The owner name.
    pub name: String,
    /// The record type; must agree with `data` (see [`RecordData`]).
    pub rtype: DnsType,
    /// The class ([`CLASS_IN`]; the UDP payload size in an OPT record).
    pub class: u16,
    /// Seconds the record may be cached.
    pub ttl: u32,
    /// The RDATA.
    pub data: RecordData,
}

/// The RDATA of a record.
///
/// Parse produces `A` for type A in class IN, `Cname` for type CNAME and
/// `Other` for everything else; emit refuses (with `Malformed`) a record whose
/// `data` is not the variant parse would produce for its type and class.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordData {
    /// An IPv4 address (RFC 1035 §3.4.1).
    A(Ipv4Addr),
    /// The canonical name (RFC 1035 §3.3.1).
    Cname(String),
    /// Any other RDATA, with embedded names uncompressed.
    Other(Vec<u8>),
}

impl fmt::Display for DnsRecord {
    /// tcpdump's answer form: `A 10.0.2.10`, `CNAME www.example.`, `SOA`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.data {
            RecordData::A(ip) => write!(f, "{} {ip}", self.rtype),
            RecordData::Cname(name) => write!(f, "{} {}", self.rtype, DisplayName(name)),
            RecordData::Other(_) => write!(f, "{}", self.rtype),
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
        let mut names = Compressor {
            start,
            seen: BTreeMap::new(),
        };
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

fn put_record(buf: &mut Vec<u8>, names: &mut Compressor, rr: &DnsRecord) -> Result<(), WireError> {
    let is_a = rr.rtype == DnsType::A && rr.class == CLASS_IN;
    let is_cname = rr.rtype == DnsType::Cname;
    names.put(buf, &rr.name)?;
    buf.extend_from_slice(&u16::from(rr.rtype).to_be_bytes());
    buf.extend_from_slice(&rr.class.to_be_bytes());
    buf.extend_from_slice(&rr.ttl.to_be_bytes());
    let len_at = buf.len();
    buf.extend_from_slice(&[0, 0]);
    match &rr.data {
        RecordData::A(ip) if is_a => buf.extend_from_slice(&ip.octets()),
        RecordData::Cname(name) if is_cname => names.put(buf, name)?,
        RecordData::Other(data) if !is_a && !is_cname => buf.extend_from_slice(data),
        _ => return Err(WireError::Malformed),
    }
    let rdlen = u16::try_from(buf.len() - len_at - 2).map_err(|_| WireError::Malformed)?;
    buf[len_at..len_at + 2].copy_from_slice(&rdlen.to_be_bytes());
    Ok(())
}

/// Reads `count` records starting at `*pos`, advancing it.
fn read_records(msg: &[u8], pos: &mut usize, count: u16) -> Result<Vec<DnsRecord>, WireError> {
    let mut records = Vec::new();
    for _ in 0..count {
        let (wire, at) = read_name(msg, *pos)?;
        let fixed = msg.get(at..at + 10).ok_or(WireError::Truncated)?;
        let rtype = DnsType::from(u16::from_be_bytes([fixed[0], fixed[1]]));
        let class = u16::from_be_bytes([fixed[2], fixed[3]]);
        let ttl = u32::from_be_bytes([fixed[4], fixed[5], fixed[6], fixed[7]]);
        let start = at + 10;
        let end = start + usize::from(u16::from_be_bytes([fixed[8], fixed[9]]));
        let rdata = msg.get(start..end).ok_or(WireError::Truncated)?;
        let data = match rtype {
            DnsType::A if class == CLASS_IN => RecordData::A(
                <[u8; 4]>::try_from(rdata)
                    .map(Ipv4Addr::from)
                    .map_err(|_| WireError::Malformed)?,
            ),
            DnsType::Cname => {
                let (target, next) = read_name(msg, start)?;
                if next != end {
                    return Err(WireError::Malformed);
                }
                RecordData::Cname(name_text(&target))
            }
            _ => RecordData::Other(match rdata_layout(rtype) {
                Some(layout) => expand_rdata(msg, start, end, layout)?,
                None => rdata.to_vec(),
            }),
        };
        records.push(DnsRecord {
            name: name_text(&wire),
            rtype,
            class,
            ttl,
            data,
        });
        *pos = end;
    }
    Ok(records)
}

/// A piece of RDATA: a (possibly compressed) name, or so many plain bytes.
#[derive(Clone, Copy)]
enum Field {
    Name,
    Bytes(usize),
}

/// The layout of RDATA that may hold compressed names (RFC 1035 §3.3, RFC 3597 §4).
fn rdata_layout(rtype: DnsType) -> Option<&'static [Field]> {
    use Field::{Bytes, Name};
    match u16::from(rtype) {
        // NS, MD, MF, MB, MG, MR, PTR: one name.
        2 | 3 | 4 | 7 | 8 | 9 | 12 => Some(&[Name]),
        // SOA: MNAME, RNAME, SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM.
        6 => Some(&[Name, Name, Bytes(20)]),
        // MINFO: RMAILBX, EMAILBX.
        14 => Some(&[Name, Name]),
        // MX: PREFERENCE, EXCHANGE.
        15 => Some(&[Bytes(2), Name]),
        _ => None,
    }
}

/// The RDATA in `msg[start..end]` with every name in `layout` uncompressed.
fn expand_rdata(
    msg: &[u8],
    mut pos: usize,
    end: usize,
    layout: &[Field],
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::with_capacity(end - pos);
    for field in layout {
        match *field {
            Field::Name => {
                let (wire, next) = read_name(msg, pos)?;
                out.extend_from_slice(&wire);
                pos = next;
            }
            Field::Bytes(n) => {
                let bytes = msg.get(pos..pos + n).ok_or(WireError::Malformed)?;
                out.extend_from_slice(bytes);
                pos += n;
            }
        }
        if pos > end {
            return Err(WireError::Malformed);
        }
    }
    if pos != end {
        return Err(WireError::Malformed);
    }
    Ok(out)
}

/// Reads the name at `start` in `msg`, following compression pointers.
///
/// Returns the name's uncompressed wire form (labels and the root byte) and
/// the position just after it in the message (after the first pointer, if
/// any). A pointer must point before the run of labels it ends: pointers refer
/// to a prior occurrence (RFC 1035 §4.1.4), and since each run then starts
/// strictly earlier than the last, the walk cannot loop. At most
/// [`MAX_POINTER_HOPS`] pointers are followed.
fn read_name(msg: &[u8], start: usize) -> Result<(Vec<u8>, usize), WireError> {
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
fn name_text(wire: &[u8]) -> String {
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
fn labels(name: &str) -> Result<Vec<Vec<u8>>, WireError> {
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
struct Compressor {
    /// Where the message starts in the buffer: offsets count from here.
    start: usize,
    /// Wire form of each suffix written (labels, no root byte) → its offset.
    seen: BTreeMap<Vec<u8>, u16>,
}

impl Compressor {
    fn put(&mut self, buf: &mut Vec<u8>, name: &str) -> Result<(), WireError> {
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
struct DisplayName<'a>(&'a str);

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Query 0x1234, RD, for `server.example` A IN (hand-derived from RFC 1035 §4.1).
    const QUERY: [u8; 32] = [
        0x12, 0x34, 0x01, 0x00, // id, flags: RD
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // qd 1, an 0, ns 0, ar 0
        0x06, b's', b'e', b'r', b'v', b'e', b'r', // offset 12: "server"
        0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, // offset 19: "example", root
        0x00, 0x01, 0x00, 0x01, // A, IN
    ];

    /// Its answer: QR AA RD RA, 10.0.2.10 for 300 s, owner name compressed to
    /// a pointer at the question (`c0 0c`).
    const RESPONSE: [u8; 48] = [
        0x12, 0x34, 0x85, 0x80, // id, flags: QR AA RD RA, NoError
        0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // qd 1, an 1
        0x06, b's', b'e', b'r', b'v', b'e', b'r', // question
        0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, //
        0x00, 0x01, 0x00, 0x01, //
        0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, // -> offset 12, A, IN
        0x00, 0x00, 0x01, 0x2c, 0x00, 0x04, 10, 0, 2, 10, // ttl 300, rdlength 4, address
    ];

    /// NXDOMAIN for `nosuch.example` A, with the zone's SOA in the authority
    /// section (RFC 2308 §3): owner `example` compressed to its occurrence in
    /// the question (offset 19 = 0x13), RDATA names written out in full.
    const NXDOMAIN: [u8; 96] = [
        0x56, 0x78, 0x85, 0x83, // id, flags: QR AA RD RA, rcode 3
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, // qd 1, ns 1
        0x06, b'n', b'o', b's', b'u', b'c', b'h', // question
        0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, //
        0x00, 0x01, 0x00, 0x01, //
        0xc0, 0x13, 0x00, 0x06, 0x00, 0x01, // -> "example", SOA, IN
        0x00, 0x00, 0x01, 0x2c, 0x00, 0x34, // ttl 300, rdlength 52
        0x02, b'n', b's', 0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, // MNAME
        0x0a, b'h', b'o', b's', b't', b'm', b'a', b's', b't', b'e', b'r', // RNAME
        0x07, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 0x00, //
        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, // serial 1, refresh 3600
        0x00, 0x00, 0x02, 0x58, 0x00, 0x01, 0x51, 0x80, // retry 600, expire 86400
        0x00, 0x00, 0x01, 0x2c, // minimum 300
    ];

    fn query() -> DnsRepr {
        DnsRepr {
            id: 0x1234,
            response: false,
            opcode: 0,
            authoritative: false,
            truncated: false,
            recursion_desired: true,
            recursion_available: false,
            rcode: DnsRcode::NoError,
            questions: vec![DnsQuestion::new("server.example", DnsType::A)],
            answers: vec![],
            authority: vec![],
            additional: vec![],
        }
    }

    fn response() -> DnsRepr {
        DnsRepr {
            response: true,
            authoritative: true,
            recursion_available: true,
            answers: vec![DnsRecord {
                name: "server.example".into(),
                rtype: DnsType::A,
                class: CLASS_IN,
                ttl: 300,
                data: RecordData::A(Ipv4Addr::new(10, 0, 2, 10)),
            }],
            ..query()
        }
    }

    fn nxdomain() -> DnsRepr {
        DnsRepr {
            id: 0x5678,
            rcode: DnsRcode::NxDomain,
            questions: vec![DnsQuestion::new("nosuch.example", DnsType::A)],
            answers: vec![],
            authority: vec![DnsRecord {
                name: "example".into(),
                rtype: DnsType::Soa,
                class: CLASS_IN,
                ttl: 300,
                data: RecordData::Other(NXDOMAIN[44..].to_vec()),
            }],
            ..response()
        }
    }

    fn emitted(repr: &DnsRepr) -> Vec<u8> {
        let mut buf = Vec::new();
        repr.emit(&mut buf).unwrap();
        buf
    }

    #[test]
    fn query_emits_and_parses_golden() {
        assert_eq!(emitted(&query()), QUERY);
        assert_eq!(DnsRepr::parse(&QUERY).unwrap(), query());
        assert_eq!(query().to_string(), "DNS 4660+ A? server.example. (32)");
    }

    #[test]
    fn response_compresses_its_answer_to_the_question() {
        assert_eq!(emitted(&response()), RESPONSE);
        assert_eq!(DnsRepr::parse(&RESPONSE).unwrap(), response());
        assert_eq!(response().to_string(), "DNS 4660* 1/0/0 A 10.0.2.10 (48)");
    }

    #[test]
    fn nxdomain_emits_and_parses_golden() {
        assert_eq!(emitted(&nxdomain()), NXDOMAIN);
        assert_eq!(DnsRepr::parse(&NXDOMAIN).unwrap(), nxdomain());
        assert_eq!(nxdomain().to_string(), "DNS 22136 NXDomain* 0/1/0 (96)");
    }

    /// The same NXDOMAIN as BIND sends it, with the SOA's names compressed:
    /// parse expands them, so the RDATA no longer depends on the message.
    #[test]
    fn names_inside_soa_rdata_are_decompressed() {
        let mut b = NXDOMAIN[..42].to_vec();
        b.extend_from_slice(&[0x00, 0x26, 0x02, b'n', b's', 0xc0, 0x13, 0x0a]);
        b.extend_from_slice(b"hostmaster");
        b.extend_from_slice(&[0xc0, 0x13]);
        b.extend_from_slice(&NXDOMAIN[76..]);
        assert_eq!(b.len(), 82);
        assert_eq!(DnsRepr::parse(&b).unwrap(), nxdomain());
    }

    #[test]
    fn cname_chain_is_compressed_and_displayed() {
        let repr = DnsRepr {
            questions: vec![DnsQuestion::new("www.example", DnsType::A)],
            answers: vec![
                DnsRecord {
                    name: "www.example".into(),
                    rtype: DnsType::Cname,
                    class: CLASS_IN,
                    ttl: 60,
                    data: RecordData::Cname("server.example".into()),
                },
                DnsRecord {
                    name: "server.example".into(),
                    rtype: DnsType::A,
                    class: CLASS_IN,
                    ttl: 60,
                    data: RecordData::A(Ipv4Addr::new(10, 0, 2, 10)),
                },
            ],
            recursion_available: false,
            ..response()
        };
        let bytes = emitted(&repr);
        // Question at 12: 03 www | 07 example (16) | 00. CNAME: c0 0c ... then
        // rdata "server" + pointer to 16; the A record points at that rdata.
        let cname_rdata = 12 + 13 + 4 + 12;
        assert_eq!(&bytes[cname_rdata - 2..cname_rdata], &[0x00, 0x09]);
        assert_eq!(&bytes[cname_rdata..cname_rdata + 9], b"\x06server\xc0\x10");
        assert_eq!(&bytes[cname_rdata + 9..cname_rdata + 11], &[0xc0, 41]);
        assert_eq!(DnsRepr::parse(&bytes).unwrap(), repr);
        assert_eq!(
            repr.to_string(),
            "DNS 4660*- 2/0/0 CNAME server.example., A 10.0.2.10 (66)"
        );
    }

    /// `QUERY` with its name replaced by `name` (and the A IN after it).
    fn query_with_name(name: &[u8]) -> Vec<u8> {
        let mut b = QUERY[..12].to_vec();
        b.extend_from_slice(name);
        b.extend_from_slice(&[0x00, 0x01, 0x00, 0x01]);
        b
    }

    #[test]
    fn compression_loops_and_forward_pointers_are_malformed() {
        let cases: [&[u8]; 5] = [
            &[0xc0, 0x0c],                   // points at itself
            &[0x01, b'a', 0xc0, 0x0c],       // points back at its own run
            &[0xc0, 0x20],                   // points forward
            &[0x41, b'a'],                   // extended label type
            &[0x01, b'a', 0x81, 0x00, 0x00], // reserved label type
        ];
        for name in cases {
            assert_eq!(
                DnsRepr::parse(&query_with_name(name)),
                Err(WireError::Malformed),
                "{name:02x?}"
            );
        }
        // A pointer chain that goes strictly backwards is fine.
        let mut b = QUERY.to_vec();
        b[5] = 2; // two questions
        b.extend_from_slice(&[0x03, b'w', b'w', b'w', 0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01]);
        let parsed = DnsRepr::parse(&b).unwrap();
        assert_eq!(parsed.questions[1].name, "www.server.example");
    }

    #[test]
    fn names_over_255_bytes_are_malformed_even_through_pointers() {
        let label = |b: &mut Vec<u8>| {
            b.push(63);
            b.extend_from_slice(&[b'x'; 63]);
        };
        // Four 63-byte labels: 4 × 64 + 1 = 257 bytes.
        let mut name = Vec::new();
        (0..4).for_each(|_| label(&mut name));
        name.push(0);
        assert_eq!(
            DnsRepr::parse(&query_with_name(&name)),
            Err(WireError::Malformed)
        );
        // Three labels (193 bytes) are fine; one more in front through a pointer is not.
        let mut name = Vec::new();
        (0..3).for_each(|_| label(&mut name));
        name.push(0);
        let mut b = query_with_name(&name);
        assert!(DnsRepr::parse(&b).is_ok());
        b[5] = 2;
        label(&mut b);
        b.extend_from_slice(&[0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01]);
        assert_eq!(DnsRepr::parse(&b), Err(WireError::Malformed));
    }

    #[test]
    fn truncation_is_reported() {
        for len in [0, 11, 20, 31] {
            assert_eq!(
                DnsRepr::parse(&QUERY[..len]),
                Err(WireError::Truncated),
                "{len}"
            );
        }
        assert_eq!(DnsRepr::parse(&RESPONSE[..47]), Err(WireError::Truncated));
        let mut b = RESPONSE;
        b[43] = 5; // A record with 5 bytes of RDATA
        assert_eq!(DnsRepr::parse(&b), Err(WireError::Truncated));
        let mut b = RESPONSE.to_vec();
        b[43] = 5;
        b.push(0);
        assert_eq!(DnsRepr::parse(&b), Err(WireError::Malformed));
    }

    #[test]
    fn emit_refuses_illegal_names_and_leaves_the_buffer_alone() {
        let long_label = "x".repeat(64);
        let long_name = ["y".repeat(63).as_str(); 4].join(".");
        for name in [
            "a..b",
            ".a",
            long_label.as_str(),
            long_name.as_str(),
            "caf\u{e9}.example",
            "a\\256",
            "a\\1",
            "a\\",
        ] {
            let repr = DnsRepr {
                questions: vec![DnsQuestion::new(name, DnsType::A)],
                ..query()
            };
            let mut buf = vec![1, 2, 3];
            assert_eq!(repr.emit(&mut buf), Err(WireError::Malformed), "{name}");
            assert_eq!(buf, [1, 2, 3]);
            assert!(repr.to_string().ends_with("(invalid)"));
        }
        // 63-byte labels and 255-byte names are the legal maxima.
        let max = [
            "a".repeat(63).as_str(),
            &"b".repeat(63),
            &"c".repeat(63),
            &"d".repeat(61),
        ]
        .join(".");
        let repr = DnsRepr {
            questions: vec![DnsQuestion::new(max, DnsType::A)],
            ..query()
        };
        assert_eq!(repr.buffer_len(), Ok(12 + 255 + 4));
    }

    #[test]
    fn emit_refuses_data_that_does_not_match_the_type() {
        let mut bad = response();
        bad.answers[0].rtype = DnsType::Aaaa;
        assert_eq!(bad.buffer_len(), Err(WireError::Malformed));
        let mut bad = response();
        bad.answers[0].data = RecordData::Other(vec![10, 0, 2, 10]);
        assert_eq!(bad.buffer_len(), Err(WireError::Malformed));
        let mut bad = response();
        bad.opcode = 16;
        assert_eq!(bad.buffer_len(), Err(WireError::Malformed));
    }

    #[test]
    fn odd_label_bytes_round_trip_escaped() {
        let wire = b"\x04a.b\\\x03\x00 \xff\x00";
        let text = name_text(wire);
        assert_eq!(text, "a\\.b\\\\.\\000\\032\\255");
        let repr = DnsRepr {
            questions: vec![DnsQuestion::new(text, DnsType::Txt)],
            ..query()
        };
        let bytes = emitted(&repr);
        assert_eq!(&bytes[12..12 + wire.len()], wire);
        assert_eq!(DnsRepr::parse(&bytes).unwrap(), repr);
        assert_eq!(name_text(b"\x00"), "");
        assert_eq!(DisplayName("").to_string(), ".");
    }

    #[test]
    fn other_opcodes_and_rcodes_display_like_tcpdump() {
        let r = DnsRepr {
            opcode: 4,
            rcode: DnsRcode::Refused,
            truncated: true,
            questions: vec![],
            ..response()
        };
        assert_eq!(
            r.to_string(),
            "DNS 4660 notify Refused*| [0q] 1/0/0 A 10.0.2.10 (42)"
        );
        assert_eq!(DnsRepr::parse(&emitted(&r)).unwrap(), r);
    }

    fn label_strategy() -> impl Strategy<Value = String> {
        prop_oneof![
            3 => prop_oneof![Just("server"), Just("example"), Just("www"), Just("A")]
                .prop_map(String::from),
            1 => proptest::collection::vec(any::<u8>(), 1..=MAX_LABEL_LEN)
                .prop_map(|l| {
                    let mut wire = vec![l.len() as u8];
                    wire.extend_from_slice(&l);
                    wire.push(0);
                    name_text(&wire)
                }),
        ]
    }

    fn name_strategy() -> impl Strategy<Value = String> {
        proptest::collection::vec(label_strategy(), 0..4)
            .prop_map(|labels| labels.join("."))
            .prop_filter("fits in 255 bytes", |name| labels(name).is_ok())
    }

    fn record_strategy() -> impl Strategy<Value = DnsRecord> {
        let data = prop_oneof![
            any::<u32>().prop_map(|a| (DnsType::A, CLASS_IN, RecordData::A(a.into()))),
            name_strategy().prop_map(|n| (DnsType::Cname, CLASS_IN, RecordData::Cname(n))),
            name_strategy().prop_map(|n| {
                let mut wire: Vec<u8> = Vec::new();
                for l in labels(&n).unwrap() {
                    wire.push(l.len() as u8);
                    wire.extend_from_slice(&l);
                }
                wire.push(0);
                (DnsType::Ns, CLASS_IN, RecordData::Other(wire))
            }),
            (any::<u16>(), proptest::collection::vec(any::<u8>(), 0..40))
                .prop_map(|(c, d)| { (DnsType::Txt, c, RecordData::Other(d)) }),
        ];
        (name_strategy(), any::<u32>(), data).prop_map(|(name, ttl, (rtype, class, data))| {
            DnsRecord {
                name,
                rtype,
                class,
                ttl,
                data,
            }
        })
    }

    fn repr_strategy() -> impl Strategy<Value = DnsRepr> {
        let records = || proptest::collection::vec(record_strategy(), 0..4);
        let question =
            (name_strategy(), any::<u16>(), any::<u16>()).prop_map(|(name, t, qclass)| {
                DnsQuestion {
                    name,
                    qtype: t.into(),
                    qclass,
                }
            });
        (
            any::<(u16, bool, bool, bool, bool, bool)>(),
            0u8..=15,
            0u8..=5,
            proptest::collection::vec(question, 0..3),
            (records(), records(), records()),
        )
            .prop_map(
                |(h, opcode, rcode, questions, (answers, authority, additional))| DnsRepr {
                    id: h.0,
                    response: h.1,
                    opcode,
                    authoritative: h.2,
                    truncated: h.3,
                    recursion_desired: h.4,
                    recursion_available: h.5,
                    rcode: rcode.into(),
                    questions,
                    answers,
                    authority,
                    additional,
                },
            )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = DnsRepr::parse(&bytes);
        }

        /// Damaged real messages reach the name and pointer code far more often
        /// than random bytes do.
        #[test]
        fn parse_never_panics_on_damaged_messages(
            which in 0usize..3,
            damage in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6),
            cut in any::<usize>(),
        ) {
            let mut b = [&QUERY[..], &RESPONSE[..], &NXDOMAIN[..]][which].to_vec();
            for (at, v) in damage {
                let at = at % b.len();
                b[at] = v;
            }
            b.truncate(cut % (b.len() + 1));
            let _ = DnsRepr::parse(&b);
        }

        #[test]
        fn parse_inverts_emit(repr in repr_strategy()) {
            let bytes = emitted(&repr);
            prop_assert_eq!(DnsRepr::parse(&bytes), Ok(repr));
        }
    }
}
