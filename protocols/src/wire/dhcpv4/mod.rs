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

use std::fmt;
use std::net::Ipv4Addr;

use super::WireError;
use super::ethernet::MacAddr;

mod options;
#[cfg(test)]
mod tests;

use option_code as code;
pub use options::option_code;
use options::{addr, addrs, collect_options, put_addrs, put_option, seconds, text};

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
