//! Small value types written as strings in scenario files: IPv4 addresses with a
//! prefix length (`"10.0.1.10/24"`), link endpoints (`"h1:eth0"`, `"sw1"`) and
//! queue limits (`"100p"`, `"64KiB"`).
//!
//! Each parses with [`FromStr`], prints with [`Display`](fmt::Display) in the same
//! form, and (de)serializes through that string, so the messages a user sees for a
//! bad value are the ones written here.

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::ByteSize;

/// Implements `Serialize` via `Display` and `Deserialize` via `FromStr` (whose
/// error message becomes the serde error).
macro_rules! serde_via_str {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// An IPv4 address with a prefix length, as in `"10.0.1.10/24"`.
///
/// On an interface it is the interface's address and its connected subnet; as a
/// route destination it is a network (host bits zero, checked by validation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    addr: Ipv4Addr,
    prefix_len: u8,
}

impl Ipv4Cidr {
    /// `addr/prefix_len`, or `None` if `prefix_len > 32`.
    pub const fn new(addr: Ipv4Addr, prefix_len: u8) -> Option<Self> {
        if prefix_len > 32 {
            None
        } else {
            Some(Ipv4Cidr { addr, prefix_len })
        }
    }
    /// The address as written (for an interface: its own address).
    pub const fn addr(self) -> Ipv4Addr {
        self.addr
    }
    /// The prefix length, 0 to 32.
    pub const fn prefix_len(self) -> u8 {
        self.prefix_len
    }
    /// The subnet mask: `/24` is `255.255.255.0`.
    pub fn netmask(self) -> Ipv4Addr {
        Ipv4Addr::from(self.mask_bits())
    }
    /// The network address: the address with the host bits cleared.
    pub fn network(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) & self.mask_bits())
    }
    /// The directed broadcast address: the address with the host bits set.
    pub fn broadcast(self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask_bits())
    }
    /// The same prefix with the host bits cleared: `10.0.1.10/24` → `10.0.1.0/24`.
    pub fn trunc(self) -> Ipv4Cidr {
        Ipv4Cidr {
            addr: self.network(),
            prefix_len: self.prefix_len,
        }
    }
    /// Whether `addr` lies inside this prefix.
    pub fn contains(self, addr: Ipv4Addr) -> bool {
        u32::from(addr) & self.mask_bits() == u32::from(self.network())
    }
    fn mask_bits(self) -> u32 {
        u32::MAX
            .checked_shl(32 - u32::from(self.prefix_len))
            .unwrap_or(0)
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}/{}", self.addr, self.prefix_len))
    }
}

/// Why an `address/prefix` string did not parse. The message quotes the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an IPv4 address with prefix like \"10.0.0.1/24\", got {text:?}{hint}")]
pub struct ParseCidrError {
    text: String,
    hint: &'static str,
}

impl FromStr for Ipv4Cidr {
    type Err = ParseCidrError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = |hint| ParseCidrError {
            text: text.to_string(),
            hint,
        };
        let Some((addr, len)) = text.split_once('/') else {
            return Err(match text.parse::<Ipv4Addr>() {
                Ok(_) => err(" (add the prefix length, e.g. \"/24\")"),
                Err(_) => err(""),
            });
        };
        let addr: Ipv4Addr = addr.parse().map_err(|_| err(""))?;
        let len: u8 = match len.parse() {
            Ok(n) if n <= 32 && !len.starts_with('+') => n,
            _ => return Err(err(" (the prefix length is 0 to 32)")),
        };
        Ok(Ipv4Cidr {
            addr,
            prefix_len: len,
        })
    }
}

serde_via_str!(Ipv4Cidr);

/// Parses an IPv4 address with a message that quotes the offending text.
pub(crate) fn parse_ipv4(text: &str) -> Result<Ipv4Addr, String> {
    text.parse().map_err(|_| {
        let hint = if text.contains('/') {
            " (no prefix length here)"
        } else {
            ""
        };
        format!("expected an IPv4 address like \"10.0.0.1\", got {text:?}{hint}")
    })
}

/// Serde helpers for `Option<Ipv4Addr>` fields, with our error message.
pub(crate) mod opt_ipv4 {
    use super::*;

    struct Text(Ipv4Addr);

    impl<'de> Deserialize<'de> for Text {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let text = String::deserialize(d)?;
            parse_ipv4(&text)
                .map(Text)
                .map_err(serde::de::Error::custom)
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Ipv4Addr>, D::Error> {
        Ok(Option::<Text>::deserialize(d)?.map(|t| t.0))
    }

    pub(crate) fn serialize<S: Serializer>(v: &Option<Ipv4Addr>, s: S) -> Result<S::Ok, S::Error> {
        v.serialize(s)
    }
}

/// One end of a link: `"node:interface"`, or for a switch `"sw1"` (next free port)
/// or `"sw1:p3"`.
///
/// After loading, every endpoint names its port: [`load_str`](crate::load_str)
/// numbers the bare switch endpoints.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Endpoint {
    /// The node name.
    pub node: String,
    /// The interface (or switch port) name; `None` only for a bare switch endpoint
    /// before loading numbers it.
    pub port: Option<String>,
}

impl Endpoint {
    /// `node:port`.
    pub fn new(node: impl Into<String>, port: impl Into<String>) -> Self {
        Endpoint {
            node: node.into(),
            port: Some(port.into()),
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.port {
            Some(port) => f.pad(&format!("{}:{port}", self.node)),
            None => f.pad(&self.node),
        }
    }
}

/// Why an endpoint string did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a link endpoint like \"h1:eth0\" (node:interface) or \"sw1\", got {0:?}")]
pub struct ParseEndpointError(String);

impl FromStr for Endpoint {
    type Err = ParseEndpointError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let valid = |s: &str| !s.is_empty() && !s.contains(char::is_whitespace) && !s.contains(':');
        match text.split_once(':') {
            Some((node, port)) if valid(node) && valid(port) => Ok(Endpoint::new(node, port)),
            None if valid(text) => Ok(Endpoint {
                node: text.to_string(),
                port: None,
            }),
            _ => Err(ParseEndpointError(text.to_string())),
        }
    }
}

serde_via_str!(Endpoint);

/// The capacity of a queue: `"100p"` packets or a byte size such as `"64KiB"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum QueueLimit {
    /// At most this many packets.
    Packets(u32),
    /// At most this many bytes (counting whole frames).
    Bytes(ByteSize),
}

impl QueueLimit {
    /// Whether the limit admits nothing at all.
    pub fn is_zero(self) -> bool {
        match self {
            QueueLimit::Packets(n) => n == 0,
            QueueLimit::Bytes(b) => b.bytes() == 0,
        }
    }
}

impl fmt::Display for QueueLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QueueLimit::Packets(n) => f.pad(&format!("{n}p")),
            QueueLimit::Bytes(b) => fmt::Display::fmt(b, f),
        }
    }
}

/// Why a queue limit did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected a queue limit like \"100p\" (packets) or \"64KiB\" (bytes), got {0:?}")]
pub struct ParseQueueLimitError(String);

impl FromStr for QueueLimit {
    type Err = ParseQueueLimitError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || ParseQueueLimitError(text.to_string());
        let t = text.trim();
        if let Some(n) = t.strip_suffix('p') {
            return n.trim().parse().map(QueueLimit::Packets).map_err(|_| err());
        }
        // A bare number is ambiguous between packets and bytes: make the user say.
        if t.is_empty() || t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(err());
        }
        t.parse().map(QueueLimit::Bytes).map_err(|_| err())
    }
}

serde_via_str!(QueueLimit);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr_parses_and_computes_subnets() {
        let c: Ipv4Cidr = "10.0.1.10/24".parse().unwrap();
        assert_eq!(c.addr(), Ipv4Addr::new(10, 0, 1, 10));
        assert_eq!(c.prefix_len(), 24);
        assert_eq!(c.netmask(), Ipv4Addr::new(255, 255, 255, 0));
        assert_eq!(c.network(), Ipv4Addr::new(10, 0, 1, 0));
        assert_eq!(c.broadcast(), Ipv4Addr::new(10, 0, 1, 255));
        assert!(c.contains(Ipv4Addr::new(10, 0, 1, 1)));
        assert!(!c.contains(Ipv4Addr::new(10, 0, 2, 1)));
        assert_eq!(c.to_string(), "10.0.1.10/24");
        let all: Ipv4Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains(Ipv4Addr::new(192, 168, 7, 7)));
        assert_eq!(all.netmask(), Ipv4Addr::UNSPECIFIED);
    }

    #[test]
    fn cidr_errors_quote_the_text() {
        let e = "10.0.0.300/24".parse::<Ipv4Cidr>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected an IPv4 address with prefix like \"10.0.0.1/24\", got \"10.0.0.300/24\""
        );
        let e = "10.0.0.1".parse::<Ipv4Cidr>().unwrap_err();
        assert!(
            e.to_string()
                .ends_with("(add the prefix length, e.g. \"/24\")"),
            "{e}"
        );
        let e = "10.0.0.1/33".parse::<Ipv4Cidr>().unwrap_err();
        assert!(
            e.to_string().ends_with("(the prefix length is 0 to 32)"),
            "{e}"
        );
    }

    #[test]
    fn endpoints_parse() {
        assert_eq!(
            "h1:eth0".parse::<Endpoint>().unwrap(),
            Endpoint::new("h1", "eth0")
        );
        let sw: Endpoint = "sw1".parse().unwrap();
        assert_eq!((sw.node.as_str(), sw.port), ("sw1", None));
        for bad in ["", ":eth0", "h1:", "h1:eth0:x", "h 1"] {
            assert!(bad.parse::<Endpoint>().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn queue_limits_parse() {
        assert_eq!(
            "100p".parse::<QueueLimit>().unwrap(),
            QueueLimit::Packets(100)
        );
        assert_eq!(
            "64KiB".parse::<QueueLimit>().unwrap(),
            QueueLimit::Bytes(ByteSize::from_bytes(65_536))
        );
        assert_eq!("64KiB".parse::<QueueLimit>().unwrap().to_string(), "64KiB");
        assert_eq!(QueueLimit::Packets(7).to_string(), "7p");
        assert!("100".parse::<QueueLimit>().is_err());
        assert!("lots".parse::<QueueLimit>().is_err());
    }
}
