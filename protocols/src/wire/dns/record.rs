//! Questions and resource records (RFC 1035 §4.1.2, §4.1.3): record types,
//! RDATA decoding for A and CNAME, and the expansion of names inside the RDATA
//! of the other RFC 1035 types (RFC 3597 §4).

use std::fmt;
use std::net::Ipv4Addr;

use super::CLASS_IN;
use super::name::{Compressor, DisplayName, name_text, read_name};
use crate::wire::WireError;

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

pub(super) fn put_record(
    buf: &mut Vec<u8>,
    names: &mut Compressor,
    rr: &DnsRecord,
) -> Result<(), WireError> {
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
pub(super) fn read_records(
    msg: &[u8],
    pos: &mut usize,
    count: u16,
) -> Result<Vec<DnsRecord>, WireError> {
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
