//! DHCPv4 messages (RFC 2131 §2 message format, RFC 2132 options).
//!
//! A message is the fixed BOOTP part (RFC 951, 236 bytes), the magic cookie
//! 99.130.83.99 (RFC 2131 §3) and a list of options. [`DhcpRepr`] holds the
//! fixed fields and the options this stack uses; [`DhcpRepr::emit`] writes
//! option 53 first, the others in ascending code order, END, and zero padding
//! up to the 300-byte minimum BOOTP message (RFC 1542 §3.1.1).
//!
//! Deliberate simplifications:
//! - Only Ethernet hardware addresses (htype 1, hlen 6); anything else is
//!   `Unsupported`.
//! - `hops`, `sname` and `file` are written as zero and ignored on parse; option
//!   overload (52) is not honoured, so options inside `sname`/`file` are unseen.
//! - Unknown options are skipped. Repeated instances of an option are
//!   concatenated (RFC 3396), and emit splits data longer than one option can
//!   hold the same way, so long address lists and names survive.
//! - A known option whose length breaks RFC 2132 (an address that is not 4
//!   bytes, an empty list or name) is `Malformed`. A client identifier (61)
//!   that is not type 1 with a 6-byte MAC is ignored rather than rejected.
//! - Text options (hostname, message) are decoded as UTF-8, replacing invalid
//!   bytes; an empty string is not emitted (RFC 2132 requires length ≥ 1).
//! - A message that runs out without END is accepted.

use std::collections::BTreeMap;
use std::fmt;
use std::net::Ipv4Addr;

use super::WireError;
use super::ethernet::MacAddr;

/// UDP port of DHCP servers and relays (RFC 2131 §4.1).
pub const SERVER_PORT: u16 = 67;
/// UDP port of DHCP clients (RFC 2131 §4.1).
pub const CLIENT_PORT: u16 = 68;
/// Length of the fixed BOOTP part, `op` through `file` (RFC 2131 §2, Figure 1).
pub const FIXED_LEN: usize = 236;
/// The magic cookie that opens the options field (RFC 2131 §3, RFC 2132 §2).
pub const MAGIC_COOKIE: [u8; 4] = [99, 130, 83, 99];
/// Minimum length of a BOOTP message; emit pads to it (RFC 1542 §3.1.1).
pub const MIN_MESSAGE_LEN: usize = 300;
/// Hardware type of Ethernet (RFC 1700, "Hardware Type").
pub const HTYPE_ETHERNET: u8 = 1;

/// Where the options start: after the fixed part and the cookie.
const OPTIONS_START: usize = FIXED_LEN + MAGIC_COOKIE.len();
/// The BROADCAST bit of `flags` (RFC 2131 §2, Figure 2).
const FLAG_BROADCAST: u16 = 0x8000;

/// Option codes (RFC 2132).
pub mod option_code {
    /// Pad (RFC 2132 §3.1).
    pub const PAD: u8 = 0;
    /// Subnet mask (RFC 2132 §3.3).
    pub const SUBNET_MASK: u8 = 1;
    /// Router list (RFC 2132 §3.5).
    pub const ROUTER: u8 = 3;
    /// Domain name server list (RFC 2132 §3.8).
    pub const DNS_SERVERS: u8 = 6;
    /// Host name (RFC 2132 §3.14).
    pub const HOSTNAME: u8 = 12;
    /// Requested IP address (RFC 2132 §9.1).
    pub const REQUESTED_IP: u8 = 50;
    /// IP address lease time (RFC 2132 §9.2).
    pub const LEASE_TIME: u8 = 51;
    /// Option overload (RFC 2132 §9.3); not honoured here.
    pub const OVERLOAD: u8 = 52;
    /// DHCP message type (RFC 2132 §9.6).
    pub const MESSAGE_TYPE: u8 = 53;
    /// Server identifier (RFC 2132 §9.7).
    pub const SERVER_ID: u8 = 54;
    /// Parameter request list (RFC 2132 §9.8).
    pub const PARAMETER_REQUEST_LIST: u8 = 55;
    /// Message, e.g. why a NAK (RFC 2132 §9.9).
    pub const MESSAGE: u8 = 56;
    /// Renewal (T1) time value (RFC 2132 §9.11).
    pub const RENEWAL_T1: u8 = 58;
    /// Rebinding (T2) time value (RFC 2132 §9.12).
    pub const REBINDING_T2: u8 = 59;
    /// Client identifier (RFC 2132 §9.14).
    pub const CLIENT_ID: u8 = 61;
    /// End (RFC 2132 §3.2).
    pub const END: u8 = 255;
}

use option_code as code;

/// Option codes [`DhcpRepr`] decodes; all others are skipped.
const KNOWN: [u8; 13] = [
    code::SUBNET_MASK,
    code::ROUTER,
    code::DNS_SERVERS,
    code::HOSTNAME,
    code::REQUESTED_IP,
    code::LEASE_TIME,
    code::MESSAGE_TYPE,
    code::SERVER_ID,
    code::PARAMETER_REQUEST_LIST,
    code::MESSAGE,
    code::RENEWAL_T1,
    code::REBINDING_T2,
    code::CLIENT_ID,
];

/// BOOTP `op` (RFC 951, RFC 2131 §2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DhcpOp {
    /// 1: client to server.
    BootRequest,
    /// 2: server to client.
    BootReply,
}

/// DHCP message type, option 53 (RFC 2132 §9.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DhcpMessageType {
    /// 1: client looks for servers.
    Discover,
    /// 2: server offers an address.
    Offer,
    /// 3: client requests the offered address, or renews.
    Request,
    /// 4: client says the address is already in use.
    Decline,
    /// 5: server commits the lease.
    Ack,
    /// 6: server refuses the request.
    Nak,
    /// 7: client gives the address back.
    Release,
    /// 8: client asks for parameters only.
    Inform,
}

impl DhcpMessageType {
    /// The value carried in option 53.
    pub fn code(self) -> u8 {
        match self {
            DhcpMessageType::Discover => 1,
            DhcpMessageType::Offer => 2,
            DhcpMessageType::Request => 3,
            DhcpMessageType::Decline => 4,
            DhcpMessageType::Ack => 5,
            DhcpMessageType::Nak => 6,
            DhcpMessageType::Release => 7,
            DhcpMessageType::Inform => 8,
        }
    }

    /// The type for an option 53 value, if it is one of RFC 2132's eight.
    pub fn from_code(code: u8) -> Option<DhcpMessageType> {
        Some(match code {
            1 => DhcpMessageType::Discover,
            2 => DhcpMessageType::Offer,
            3 => DhcpMessageType::Request,
            4 => DhcpMessageType::Decline,
            5 => DhcpMessageType::Ack,
            6 => DhcpMessageType::Nak,
            7 => DhcpMessageType::Release,
            8 => DhcpMessageType::Inform,
            _ => return None,
        })
    }
}

impl fmt::Display for DhcpMessageType {
    /// The names tcpdump and Wireshark use: `Discover`, `ACK`, `NAK`, ...
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DhcpMessageType::Discover => "Discover",
            DhcpMessageType::Offer => "Offer",
            DhcpMessageType::Request => "Request",
            DhcpMessageType::Decline => "Decline",
            DhcpMessageType::Ack => "ACK",
            DhcpMessageType::Nak => "NAK",
            DhcpMessageType::Release => "Release",
            DhcpMessageType::Inform => "Inform",
        })
    }
}

/// A DHCP message: the BOOTP fields and the options this stack uses.
///
/// Every option except the message type is optional; an empty list means the
/// option is absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhcpRepr {
    /// Request (client) or reply (server).
    pub op: DhcpOp,
    /// Transaction id chosen by the client.
    pub xid: u32,
    /// Seconds since the client began acquiring or renewing.
    pub secs: u16,
    /// The BROADCAST flag: the client cannot receive unicast before it is configured.
    pub broadcast: bool,
    /// Client address, when the client already has one (renewing, INFORM).
    pub ciaddr: Ipv4Addr,
    /// "Your" address: the one the server offers or assigns.
    pub yiaddr: Ipv4Addr,
    /// Next server to use in bootstrap.
    pub siaddr: Ipv4Addr,
    /// Relay agent address.
    pub giaddr: Ipv4Addr,
    /// Client hardware address.
    pub chaddr: MacAddr,
    /// Option 53.
    pub message_type: DhcpMessageType,
    /// Option 1.
    pub subnet_mask: Option<Ipv4Addr>,
    /// Option 3, in order of preference.
    pub routers: Vec<Ipv4Addr>,
    /// Option 6, in order of preference.
    pub dns_servers: Vec<Ipv4Addr>,
    /// Option 12.
    pub hostname: Option<String>,
    /// Option 50.
    pub requested_ip: Option<Ipv4Addr>,
    /// Option 51, seconds.
    pub lease_time: Option<u32>,
    /// Option 54.
    pub server_id: Option<Ipv4Addr>,
    /// Option 55: the option codes the client asks for.
    pub parameter_request_list: Vec<u8>,
    /// Option 56: a human-readable reason (with a NAK, say).
    pub message: Option<String>,
    /// Option 58, seconds.
    pub renewal_t1: Option<u32>,
    /// Option 59, seconds.
    pub rebinding_t2: Option<u32>,
    /// Option 61 in its hardware form (type 1 and a MAC address).
    pub client_id: Option<MacAddr>,
}

impl DhcpRepr {
    /// A message with the given identity and every address zero, no flags
    /// and no options beyond the message type.
    pub fn new(op: DhcpOp, message_type: DhcpMessageType, xid: u32, chaddr: MacAddr) -> DhcpRepr {
        DhcpRepr {
            op,
            xid,
            secs: 0,
            broadcast: false,
            ciaddr: Ipv4Addr::UNSPECIFIED,
            yiaddr: Ipv4Addr::UNSPECIFIED,
            siaddr: Ipv4Addr::UNSPECIFIED,
            giaddr: Ipv4Addr::UNSPECIFIED,
            chaddr,
            message_type,
            subnet_mask: None,
            routers: Vec::new(),
            dns_servers: Vec::new(),
            hostname: None,
            requested_ip: None,
            lease_time: None,
            server_id: None,
            parameter_request_list: Vec::new(),
            message: None,
            renewal_t1: None,
            rebinding_t2: None,
            client_id: None,
        }
    }

    /// Parses a message (the UDP payload). Trailing padding is ignored.
    pub fn parse(bytes: &[u8]) -> Result<DhcpRepr, WireError> {
        if bytes.len() < OPTIONS_START {
            return Err(WireError::Truncated);
        }
        let op = match bytes[0] {
            1 => DhcpOp::BootRequest,
            2 => DhcpOp::BootReply,
            _ => return Err(WireError::Malformed),
        };
        if bytes[1] != HTYPE_ETHERNET {
            return Err(WireError::Unsupported);
        }
        if bytes[2] != 6 || bytes[FIXED_LEN..OPTIONS_START] != MAGIC_COOKIE {
            return Err(WireError::Malformed);
        }
        let ip = |at: usize| Ipv4Addr::new(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
        let mut chaddr = [0u8; 6];
        chaddr.copy_from_slice(&bytes[28..34]);

        let options = collect_options(&bytes[OPTIONS_START..])?;
        let get = |c: u8| options.get(&c).map(Vec::as_slice);
        let message_type = match get(code::MESSAGE_TYPE) {
            None => return Err(WireError::Malformed),
            Some(&[t]) => DhcpMessageType::from_code(t).ok_or(WireError::Unsupported)?,
            Some(_) => return Err(WireError::Malformed),
        };
        let client_id = match get(code::CLIENT_ID) {
            Some(&[HTYPE_ETHERNET, a, b, c, d, e, f]) => Some(MacAddr([a, b, c, d, e, f])),
            Some([]) => return Err(WireError::Malformed),
            _ => None,
        };
        Ok(DhcpRepr {
            op,
            xid: u32::from_be_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]),
            secs: u16::from_be_bytes([bytes[8], bytes[9]]),
            broadcast: u16::from_be_bytes([bytes[10], bytes[11]]) & FLAG_BROADCAST != 0,
            ciaddr: ip(12),
            yiaddr: ip(16),
            siaddr: ip(20),
            giaddr: ip(24),
            chaddr: MacAddr(chaddr),
            message_type,
            subnet_mask: get(code::SUBNET_MASK).map(addr).transpose()?,
            routers: get(code::ROUTER)
                .map(addrs)
                .transpose()?
                .unwrap_or_default(),
            dns_servers: get(code::DNS_SERVERS)
                .map(addrs)
                .transpose()?
                .unwrap_or_default(),
            hostname: get(code::HOSTNAME).map(text).transpose()?,
            requested_ip: get(code::REQUESTED_IP).map(addr).transpose()?,
            lease_time: get(code::LEASE_TIME).map(seconds).transpose()?,
            server_id: get(code::SERVER_ID).map(addr).transpose()?,
            parameter_request_list: match get(code::PARAMETER_REQUEST_LIST) {
                Some([]) => return Err(WireError::Malformed),
                Some(list) => list.to_vec(),
                None => Vec::new(),
            },
            message: get(code::MESSAGE).map(text).transpose()?,
            renewal_t1: get(code::RENEWAL_T1).map(seconds).transpose()?,
            rebinding_t2: get(code::REBINDING_T2).map(seconds).transpose()?,
            client_id,
        })
    }

    /// Appends the message to `buf`: the fixed part, the cookie, option 53,
    /// the other options in ascending code order, END, and zero padding up to
    /// [`MIN_MESSAGE_LEN`].
    pub fn emit(&self, buf: &mut Vec<u8>) {
        let start = buf.len();
        let op = match self.op {
            DhcpOp::BootRequest => 1,
            DhcpOp::BootReply => 2,
        };
        buf.extend_from_slice(&[op, HTYPE_ETHERNET, 6, 0]);
        buf.extend_from_slice(&self.xid.to_be_bytes());
        buf.extend_from_slice(&self.secs.to_be_bytes());
        let flags = if self.broadcast { FLAG_BROADCAST } else { 0 };
        buf.extend_from_slice(&flags.to_be_bytes());
        for a in [self.ciaddr, self.yiaddr, self.siaddr, self.giaddr] {
            buf.extend_from_slice(&a.octets());
        }
        buf.extend_from_slice(&self.chaddr.0);
        // chaddr padding (10), sname (64), file (128).
        buf.resize(start + FIXED_LEN, 0);
        buf.extend_from_slice(&MAGIC_COOKIE);

        // RFC 2131 §4.1 does not fix an order; 53 first is what clients and
        // servers in the wild do and what relays expect to find quickly.
        put_option(buf, code::MESSAGE_TYPE, &[self.message_type.code()]);
        if let Some(mask) = self.subnet_mask {
            put_option(buf, code::SUBNET_MASK, &mask.octets());
        }
        put_addrs(buf, code::ROUTER, &self.routers);
        put_addrs(buf, code::DNS_SERVERS, &self.dns_servers);
        if let Some(name) = &self.hostname {
            put_option(buf, code::HOSTNAME, name.as_bytes());
        }
        if let Some(ip) = self.requested_ip {
            put_option(buf, code::REQUESTED_IP, &ip.octets());
        }
        if let Some(secs) = self.lease_time {
            put_option(buf, code::LEASE_TIME, &secs.to_be_bytes());
        }
        if let Some(ip) = self.server_id {
            put_option(buf, code::SERVER_ID, &ip.octets());
        }
        put_option(
            buf,
            code::PARAMETER_REQUEST_LIST,
            &self.parameter_request_list,
        );
        if let Some(text) = &self.message {
            put_option(buf, code::MESSAGE, text.as_bytes());
        }
        if let Some(secs) = self.renewal_t1 {
            put_option(buf, code::RENEWAL_T1, &secs.to_be_bytes());
        }
        if let Some(secs) = self.rebinding_t2 {
            put_option(buf, code::REBINDING_T2, &secs.to_be_bytes());
        }
        if let Some(mac) = self.client_id {
            let mut id = [HTYPE_ETHERNET; 7];
            id[1..].copy_from_slice(&mac.0);
            put_option(buf, code::CLIENT_ID, &id);
        }
        buf.push(code::END);
        buf.resize(buf.len().max(start + MIN_MESSAGE_LEN), code::PAD);
    }
}

/// Walks the options field (RFC 2132 §2) and returns the data of each known
/// option, concatenating repeated instances (RFC 3396 §7).
fn collect_options(mut rest: &[u8]) -> Result<BTreeMap<u8, Vec<u8>>, WireError> {
    let mut found: BTreeMap<u8, Vec<u8>> = BTreeMap::new();
    loop {
        match rest {
            [] | [code::END, ..] => return Ok(found),
            [code::PAD, tail @ ..] => rest = tail,
            [c, len, tail @ ..] => {
                let data = tail.get(..usize::from(*len)).ok_or(WireError::Malformed)?;
                if KNOWN.contains(c) {
                    found.entry(*c).or_default().extend_from_slice(data);
                }
                rest = &tail[data.len()..];
            }
            [_] => return Err(WireError::Malformed),
        }
    }
}

/// An option holding exactly one address.
fn addr(data: &[u8]) -> Result<Ipv4Addr, WireError> {
    <[u8; 4]>::try_from(data)
        .map(Ipv4Addr::from)
        .map_err(|_| WireError::Malformed)
}

/// An option holding one or more addresses (RFC 2132: length a multiple of 4, at least 4).
fn addrs(data: &[u8]) -> Result<Vec<Ipv4Addr>, WireError> {
    if data.is_empty() || !data.len().is_multiple_of(4) {
        return Err(WireError::Malformed);
    }
    Ok(data
        .chunks_exact(4)
        .map(|a| Ipv4Addr::new(a[0], a[1], a[2], a[3]))
        .collect())
}

/// A 32-bit time value in seconds.
fn seconds(data: &[u8]) -> Result<u32, WireError> {
    <[u8; 4]>::try_from(data)
        .map(u32::from_be_bytes)
        .map_err(|_| WireError::Malformed)
}

/// An NVT ASCII string of at least one byte (RFC 2132 §3.14, §9.9).
fn text(data: &[u8]) -> Result<String, WireError> {
    if data.is_empty() {
        return Err(WireError::Malformed);
    }
    Ok(String::from_utf8_lossy(data).into_owned())
}

/// Writes option `c` with `data`, split into instances of at most 255 bytes
/// (RFC 3396); writes nothing for empty data.
fn put_option(buf: &mut Vec<u8>, c: u8, data: &[u8]) {
    put_chunks(buf, c, data, usize::from(u8::MAX));
}

/// Writes an address list, split on address boundaries (252 = 63 × 4 bytes
/// per instance) so each instance is also a valid RFC 2132 list.
fn put_addrs(buf: &mut Vec<u8>, c: u8, list: &[Ipv4Addr]) {
    let data: Vec<u8> = list.iter().flat_map(|a| a.octets()).collect();
    put_chunks(buf, c, &data, 252);
}

fn put_chunks(buf: &mut Vec<u8>, c: u8, data: &[u8], max: usize) {
    for chunk in data.chunks(max) {
        buf.push(c);
        buf.push(chunk.len() as u8);
        buf.extend_from_slice(chunk);
    }
}

impl fmt::Display for DhcpRepr {
    /// `DHCP Discover, xid 0x3903f326, chaddr 02:00:00:00:00:01`, followed by
    /// `ciaddr`, `yiaddr`, `server-id` and `requested` when set.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "DHCP {}, xid {:#x}, chaddr {}",
            self.message_type, self.xid, self.chaddr
        )?;
        if !self.ciaddr.is_unspecified() {
            write!(f, ", ciaddr {}", self.ciaddr)?;
        }
        if !self.yiaddr.is_unspecified() {
            write!(f, ", yiaddr {}", self.yiaddr)?;
        }
        if let Some(ip) = self.server_id {
            write!(f, ", server-id {ip}")?;
        }
        if let Some(ip) = self.requested_ip {
            write!(f, ", requested {ip}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const XID: u32 = 0x3903_f326;

    /// A golden message: the first 44 bytes (op through the MAC in chaddr),
    /// 192 zero bytes (rest of chaddr, sname, file), the cookie, `options`
    /// (END included), zero padding to 300.
    fn golden(head: [u8; 34], options: &[u8]) -> Vec<u8> {
        let mut m = head.to_vec();
        m.resize(FIXED_LEN, 0);
        m.extend_from_slice(&[0x63, 0x82, 0x53, 0x63]);
        m.extend_from_slice(options);
        m.resize(300, 0);
        m
    }

    /// DISCOVER from 02:00:00:00:00:01, broadcast flag, hostname "client",
    /// asking for mask, router, DNS, lease, T1, T2.
    fn discover_bytes() -> Vec<u8> {
        golden(
            [
                0x01, 0x01, 0x06, 0x00, // op, htype, hlen, hops
                0x39, 0x03, 0xf3, 0x26, // xid
                0x00, 0x00, 0x80, 0x00, // secs, flags (BROADCAST)
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // ci, yi, si, giaddr
                0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // chaddr
            ],
            &[
                0x35, 0x01, 0x01, // message type: Discover
                0x0c, 0x06, b'c', b'l', b'i', b'e', b'n', b't', // hostname
                0x37, 0x06, 0x01, 0x03, 0x06, 0x33, 0x3a, 0x3b, // parameter request list
                0x3d, 0x07, 0x01, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // client id
                0xff, // END
            ],
        )
    }

    fn discover() -> DhcpRepr {
        DhcpRepr {
            broadcast: true,
            hostname: Some("client".into()),
            parameter_request_list: vec![1, 3, 6, 51, 58, 59],
            client_id: Some(MacAddr::local(1)),
            ..DhcpRepr::new(
                DhcpOp::BootRequest,
                DhcpMessageType::Discover,
                XID,
                MacAddr::local(1),
            )
        }
    }

    /// ACK of 10.0.1.100/24 from server 10.0.1.1: router 10.0.1.1, DNS
    /// 10.0.2.53, lease 3600 s, T1 1800 s, T2 3150 s (RFC 2131 §4.4.5 defaults).
    fn ack_bytes() -> Vec<u8> {
        golden(
            [
                0x02, 0x01, 0x06, 0x00, // op, htype, hlen, hops
                0x39, 0x03, 0xf3, 0x26, // xid
                0x00, 0x00, 0x80, 0x00, // secs, flags (BROADCAST)
                0, 0, 0, 0, // ciaddr
                10, 0, 1, 100, // yiaddr
                0, 0, 0, 0, 0, 0, 0, 0, // siaddr, giaddr
                0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // chaddr
            ],
            &[
                0x35, 0x01, 0x05, // message type: ACK
                0x01, 0x04, 255, 255, 255, 0, // subnet mask
                0x03, 0x04, 10, 0, 1, 1, // router
                0x06, 0x04, 10, 0, 2, 53, // DNS server
                0x33, 0x04, 0x00, 0x00, 0x0e, 0x10, // lease 3600
                0x36, 0x04, 10, 0, 1, 1, // server id
                0x3a, 0x04, 0x00, 0x00, 0x07, 0x08, // T1 1800
                0x3b, 0x04, 0x00, 0x00, 0x0c, 0x4e, // T2 3150
                0xff, // END
            ],
        )
    }

    fn ack() -> DhcpRepr {
        DhcpRepr {
            broadcast: true,
            yiaddr: Ipv4Addr::new(10, 0, 1, 100),
            subnet_mask: Some(Ipv4Addr::new(255, 255, 255, 0)),
            routers: vec![Ipv4Addr::new(10, 0, 1, 1)],
            dns_servers: vec![Ipv4Addr::new(10, 0, 2, 53)],
            lease_time: Some(3600),
            server_id: Some(Ipv4Addr::new(10, 0, 1, 1)),
            renewal_t1: Some(1800),
            rebinding_t2: Some(3150),
            ..DhcpRepr::new(
                DhcpOp::BootReply,
                DhcpMessageType::Ack,
                XID,
                MacAddr::local(1),
            )
        }
    }

    fn emitted(repr: &DhcpRepr) -> Vec<u8> {
        let mut buf = Vec::new();
        repr.emit(&mut buf);
        buf
    }

    #[test]
    fn discover_emits_and_parses_golden() {
        let bytes = discover_bytes();
        assert_eq!(bytes.len(), 300);
        assert_eq!(emitted(&discover()), bytes);
        assert_eq!(DhcpRepr::parse(&bytes).unwrap(), discover());
        assert_eq!(
            discover().to_string(),
            "DHCP Discover, xid 0x3903f326, chaddr 02:00:00:00:00:01"
        );
    }

    #[test]
    fn ack_emits_and_parses_golden() {
        let bytes = ack_bytes();
        assert_eq!(emitted(&ack()), bytes);
        assert_eq!(DhcpRepr::parse(&bytes).unwrap(), ack());
        assert_eq!(
            ack().to_string(),
            "DHCP ACK, xid 0x3903f326, chaddr 02:00:00:00:00:01, \
             yiaddr 10.0.1.100, server-id 10.0.1.1"
        );
    }

    #[test]
    fn emit_appends_and_pads_only_its_own_message() {
        let mut buf = vec![0xaa; 3];
        ack().emit(&mut buf);
        assert_eq!(buf.len(), 303);
        assert_eq!(&buf[3..], ack_bytes());
    }

    #[test]
    fn long_messages_are_not_padded() {
        let repr = DhcpRepr {
            message: Some("x".repeat(100)),
            ..ack()
        };
        let bytes = emitted(&repr);
        // 240, 45 bytes of the ACK's options, 2 + 100 for the message, END.
        assert_eq!(bytes.len(), 240 + 45 + 102 + 1);
        assert_eq!(bytes.last(), Some(&code::END));
        assert_eq!(DhcpRepr::parse(&bytes).unwrap(), repr);
    }

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|b| u8::from_str_radix(b, 16).unwrap())
            .collect()
    }

    /// Options of frames 1 and 4 of Wireshark's SampleCaptures `dhcp.pcap`
    /// (a Windows-era client 00:0b:82:01:fc:42 and a server 192.168.0.1): real
    /// option orders, PAD after END, a zero requested address.
    #[test]
    fn parses_messages_from_a_reference_capture() {
        let head = |op: u8, xid: u8, yiaddr: [u8; 4]| {
            let mut h = [0u8; 34];
            h[..4].copy_from_slice(&[op, 1, 6, 0]);
            h[4..8].copy_from_slice(&[0, 0, 0x3d, xid]);
            h[16..20].copy_from_slice(&yiaddr);
            h[28..].copy_from_slice(&[0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
            h
        };
        let mut discover = golden(
            head(1, 0x1d, [0; 4]),
            &hex("35 01 01 3d 07 01 00 0b 82 01 fc 42 32 04 00 00 00 00 \
                  37 04 01 03 06 2a ff 00 00 00 00 00 00 00"),
        );
        discover.truncate(272);
        let mac = MacAddr([0x00, 0x0b, 0x82, 0x01, 0xfc, 0x42]);
        let d = DhcpRepr::parse(&discover).unwrap();
        assert_eq!(
            d,
            DhcpRepr {
                requested_ip: Some(Ipv4Addr::UNSPECIFIED),
                parameter_request_list: vec![1, 3, 6, 42],
                client_id: Some(mac),
                ..DhcpRepr::new(DhcpOp::BootRequest, DhcpMessageType::Discover, 0x3d1d, mac)
            }
        );
        let ack = golden(
            head(2, 0x1e, [192, 168, 0, 10]),
            &hex(
                "35 01 05 3a 04 00 00 07 08 3b 04 00 00 0c 4e 33 04 00 00 0e 10 \
                  36 04 c0 a8 00 01 01 04 ff ff ff 00 ff",
            ),
        );
        let a = DhcpRepr::parse(&ack).unwrap();
        assert_eq!(a.message_type, DhcpMessageType::Ack);
        assert_eq!(a.yiaddr, Ipv4Addr::new(192, 168, 0, 10));
        assert_eq!(a.subnet_mask, Some(Ipv4Addr::new(255, 255, 255, 0)));
        assert_eq!(
            (a.lease_time, a.renewal_t1, a.rebinding_t2),
            (Some(3600), Some(1800), Some(3150))
        );
        assert_eq!(a.server_id, Some(Ipv4Addr::new(192, 168, 0, 1)));
    }

    #[test]
    fn rejects_bad_fixed_fields() {
        let good = discover_bytes();
        assert_eq!(DhcpRepr::parse(&good[..239]), Err(WireError::Truncated));
        let mut b = good.clone();
        b[0] = 3;
        assert_eq!(DhcpRepr::parse(&b), Err(WireError::Malformed));
        let mut b = good.clone();
        b[1] = 6; // IEEE 802
        assert_eq!(DhcpRepr::parse(&b), Err(WireError::Unsupported));
        let mut b = good.clone();
        b[2] = 8;
        assert_eq!(DhcpRepr::parse(&b), Err(WireError::Malformed));
        let mut b = good;
        b[239] = 0x62;
        assert_eq!(DhcpRepr::parse(&b), Err(WireError::Malformed), "cookie");
    }

    /// A message with `options` after the cookie (no padding).
    fn with_options(options: &[u8]) -> Vec<u8> {
        let mut b = discover_bytes();
        b.truncate(OPTIONS_START);
        b.extend_from_slice(options);
        b
    }

    #[test]
    fn checks_option_lengths_and_message_type() {
        let cases: [(&[u8], WireError); 7] = [
            (&[0x0c, 0x02, b'a'], WireError::Malformed), // overrun
            (&[0x35, 0x01, 0x01, 0x0c], WireError::Malformed), // code without length
            (&[0x01, 0x04, 255, 255, 0, 0, 0xff], WireError::Malformed), // no type
            (&[0x35, 0x02, 0x01, 0x01, 0xff], WireError::Malformed), // type length 2
            (&[0x35, 0x01, 13, 0xff], WireError::Unsupported), // LEASEQUERY
            (
                &[0x35, 0x01, 0x01, 0x03, 0x06, 1, 2, 3, 4, 5, 6],
                WireError::Malformed,
            ),
            (
                &[0x35, 0x01, 0x01, 0x33, 0x02, 0, 1, 0xff],
                WireError::Malformed,
            ),
        ];
        for (options, err) in cases {
            assert_eq!(
                DhcpRepr::parse(&with_options(options)),
                Err(err),
                "{options:02x?}"
            );
        }
    }

    #[test]
    fn skips_pad_and_unknown_options_and_stops_at_end() {
        let b = with_options(&[
            0x00, 0x00, // PAD
            0x2b, 0x03, 1, 2, 3, // vendor specific (43): skipped
            0x35, 0x01, 0x03, // Request
            0xff, // END: what follows is not parsed
            0x01, 0x09,
        ]);
        let r = DhcpRepr::parse(&b).unwrap();
        assert_eq!(r.message_type, DhcpMessageType::Request);
        assert_eq!(r.subnet_mask, None);
        // Without END the options simply run to the end of the message.
        let r = DhcpRepr::parse(&with_options(&[0x35, 0x01, 0x07])).unwrap();
        assert_eq!(r.message_type, DhcpMessageType::Release);
    }

    #[test]
    fn long_options_are_split_and_concatenated() {
        let dns: Vec<Ipv4Addr> = (0..70).map(|i| Ipv4Addr::new(10, 0, 2, i)).collect();
        let repr = DhcpRepr {
            dns_servers: dns,
            hostname: Some("h".repeat(300)),
            ..discover()
        };
        let bytes = emitted(&repr);
        // 280 bytes of addresses: 252 + 28, split on an address boundary.
        let at = bytes
            .windows(2)
            .position(|w| w == [code::DNS_SERVERS, 252])
            .unwrap();
        assert_eq!(&bytes[at + 254..at + 256], &[code::DNS_SERVERS, 28]);
        assert_eq!(DhcpRepr::parse(&bytes).unwrap(), repr);
    }

    #[test]
    fn nak_message_and_other_client_ids() {
        let nak = DhcpRepr {
            message: Some("requested address not available".into()),
            server_id: Some(Ipv4Addr::new(10, 0, 1, 1)),
            ..DhcpRepr::new(
                DhcpOp::BootReply,
                DhcpMessageType::Nak,
                7,
                MacAddr::local(2),
            )
        };
        assert_eq!(DhcpRepr::parse(&emitted(&nak)).unwrap(), nak);
        assert_eq!(
            nak.to_string(),
            "DHCP NAK, xid 0x7, chaddr 02:00:00:00:00:02, server-id 10.0.1.1"
        );
        // An RFC 4361 client identifier (type 255, IAID, DUID) is not an error.
        let b = with_options(&[0x35, 0x01, 0x01, 0x3d, 0x05, 0xff, 0, 0, 0, 1, 0xff]);
        assert_eq!(DhcpRepr::parse(&b).unwrap().client_id, None);
    }

    fn addr_strategy() -> impl Strategy<Value = Ipv4Addr> {
        any::<u32>().prop_map(Ipv4Addr::from)
    }

    fn repr_strategy() -> impl Strategy<Value = DhcpRepr> {
        let fixed = (
            any::<bool>(),
            any::<u32>(),
            any::<u16>(),
            any::<bool>(),
            proptest::array::uniform4(addr_strategy()),
            any::<[u8; 6]>(),
            1u8..=8,
        );
        let options = (
            proptest::option::of(addr_strategy()),
            proptest::collection::vec(addr_strategy(), 0..70),
            proptest::collection::vec(addr_strategy(), 0..3),
            proptest::option::of("[a-z0-9-]{1,300}"),
            proptest::option::of(addr_strategy()),
            proptest::option::of(any::<u32>()),
            proptest::option::of(addr_strategy()),
            proptest::collection::vec(any::<u8>(), 0..300),
            proptest::option::of("\\PC{1,80}"),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<u32>()),
            proptest::option::of(any::<[u8; 6]>()),
        );
        (fixed, options).prop_map(|(f, o)| DhcpRepr {
            op: if f.0 {
                DhcpOp::BootRequest
            } else {
                DhcpOp::BootReply
            },
            xid: f.1,
            secs: f.2,
            broadcast: f.3,
            ciaddr: f.4[0],
            yiaddr: f.4[1],
            siaddr: f.4[2],
            giaddr: f.4[3],
            chaddr: MacAddr(f.5),
            message_type: DhcpMessageType::from_code(f.6).unwrap(),
            subnet_mask: o.0,
            routers: o.1,
            dns_servers: o.2,
            hostname: o.3,
            requested_ip: o.4,
            lease_time: o.5,
            server_id: o.6,
            parameter_request_list: o.7,
            message: o.8,
            renewal_t1: o.9,
            rebinding_t2: o.10,
            client_id: o.11.map(MacAddr),
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
            let _ = DhcpRepr::parse(&bytes);
        }

        /// Random options behind a valid fixed part, so parsing gets past the cookie.
        #[test]
        fn parse_never_panics_on_random_options(
            options in proptest::collection::vec(any::<u8>(), 0..400),
        ) {
            let _ = DhcpRepr::parse(&with_options(&options));
        }

        #[test]
        fn parse_inverts_emit(repr in repr_strategy()) {
            let bytes = emitted(&repr);
            prop_assert!(bytes.len() >= MIN_MESSAGE_LEN);
            prop_assert_eq!(DhcpRepr::parse(&bytes), Ok(repr));
        }
    }
}
