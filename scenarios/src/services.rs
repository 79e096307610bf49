//! The DHCP, DNS, NAT and UDP part of the schema: how an interface gets its
//! address, a host's DHCP client and resolver settings, the DHCP and DNS
//! servers, the UDP applications and a gateway's address translation.
//!
//! ```ron
//! Host(name: "h1", interfaces: [Interface(name: "eth0", address: Dhcp)],
//!      apps: [Ping(to: "server.example")]),
//! Router(name: "gw",
//!     interfaces: [Interface(name: "lan0", address: "192.168.1.1/24"),
//!                  Interface(name: "wan0", address: "203.0.113.2/24")],
//!     nat: Nat(inside: ["lan0"], outside: "wan0"),
//!     apps: [DhcpServer(interface: "lan0", pool: "192.168.1.100-192.168.1.199",
//!                       dns: ["192.168.1.1"]),
//!            DnsServer(forward_to: "198.51.100.53")]),
//! ```

use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use sim_core::{DataRate, SimDuration, SimTime};

use crate::values::{Ipv4Cidr, parse_ipv4};

/// How an interface gets its address: written `"10.0.1.10/24"` (static) or
/// `Dhcp` (configured by the host's DHCP client, see [`DhcpClient`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Address {
    /// A fixed address and its connected subnet.
    Static(Ipv4Cidr),
    /// Address, mask, default route and DNS servers come from a DHCP server
    /// (RFC 2131).
    Dhcp,
}

impl Address {
    /// The static address, if it is one.
    pub fn static_cidr(self) -> Option<Ipv4Cidr> {
        match self {
            Address::Static(c) => Some(c),
            Address::Dhcp => None,
        }
    }
}

impl fmt::Display for Address {
    /// `10.0.1.10/24` or `Dhcp`, as written in scenarios.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Address::Static(c) => fmt::Display::fmt(c, f),
            Address::Dhcp => f.pad("Dhcp"),
        }
    }
}

impl Serialize for Address {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Address::Static(c) => s.collect_str(c),
            Address::Dhcp => s.serialize_unit_variant("Address", 0, "Dhcp"),
        }
    }
}

impl<'de> Deserialize<'de> for Address {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Untagged, so that RON hands over a bare identifier (`Dhcp`) as text,
        // as JSON (for `--set`) does.
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Text(String),
        }
        let expected = "expected an IPv4 address with prefix like \"10.0.0.1/24\", or Dhcp";
        let Ok(Raw::Text(text)) = Raw::deserialize(d) else {
            return Err(D::Error::custom(expected));
        };
        if text == "Dhcp" {
            return Ok(Address::Dhcp);
        }
        text.parse().map(Address::Static).map_err(|e| {
            if text.starts_with(|c: char| c.is_ascii_digit()) {
                // Meant as an address: say what is wrong with it.
                D::Error::custom(e)
            } else {
                D::Error::custom(format!("{expected}, got {text:?}"))
            }
        })
    }
}

/// Serde helpers for required `Ipv4Addr` fields, with our error message.
pub(crate) mod ipv4 {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Ipv4Addr, D::Error> {
        let text = String::deserialize(d)?;
        parse_ipv4(&text).map_err(D::Error::custom)
    }

    pub(crate) fn serialize<S: Serializer>(v: &Ipv4Addr, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
}

/// Serde helpers for lists of `Ipv4Addr`, with our error message.
pub(crate) mod vec_ipv4 {
    use super::*;

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Ipv4Addr>, D::Error> {
        let texts = Vec::<String>::deserialize(d)?;
        texts
            .iter()
            .map(|t| parse_ipv4(t).map_err(D::Error::custom))
            .collect()
    }

    pub(crate) fn serialize<S: Serializer>(v: &[Ipv4Addr], s: S) -> Result<S::Ok, S::Error> {
        let texts: Vec<String> = v.iter().map(Ipv4Addr::to_string).collect();
        texts.serialize(s)
    }
}

/// A range of addresses, `"10.0.1.100-10.0.1.199"` (both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AddrRange {
    /// First address.
    pub first: Ipv4Addr,
    /// Last address.
    pub last: Ipv4Addr,
}

impl AddrRange {
    /// How many addresses (0 if `last` comes before `first`).
    pub fn len(self) -> u64 {
        (u64::from(u32::from(self.last)) + 1).saturating_sub(u64::from(u32::from(self.first)))
    }
    /// Whether the range holds no address.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
    /// Whether `ip` is in the range.
    pub fn contains(self, ip: Ipv4Addr) -> bool {
        (u32::from(self.first)..=u32::from(self.last)).contains(&u32::from(ip))
    }
}

impl fmt::Display for AddrRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&format!("{}-{}", self.first, self.last))
    }
}

/// Why an address range did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an address range like \"10.0.1.100-10.0.1.199\", got {0:?}")]
pub struct ParseRangeError(String);

impl FromStr for AddrRange {
    type Err = ParseRangeError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || ParseRangeError(text.to_string());
        let (a, b) = text.split_once('-').ok_or_else(err)?;
        Ok(AddrRange {
            first: a.trim().parse().map_err(|_| err())?,
            last: b.trim().parse().map_err(|_| err())?,
        })
    }
}

impl Serialize for AddrRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for AddrRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(D::Error::custom)
    }
}

fn default_true() -> bool {
    true
}
fn secs(n: u64) -> SimDuration {
    SimDuration::from_secs(n)
}
fn default_one_second() -> SimDuration {
    secs(1)
}
fn default_start() -> SimTime {
    SimTime::from_nanos(1_000_000_000)
}

/// A host's DHCP client settings (RFC 2131 §4.4), for its `Dhcp` interfaces.
///
/// Applications of a host with `Dhcp` interfaces wait until the first lease
/// is bound: an application whose `start` has passed by then starts at once.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DhcpClient {
    /// Check the offered address with ARP probes before using it, then
    /// announce it (RFC 5227: 3 probes 1–2 s apart, 2 s wait, so about 4–7 s).
    /// Default `true`.
    #[serde(default = "default_true")]
    pub arp_probe: bool,
    /// The first DISCOVER waits a random time up to this, so hosts booting
    /// together do not all talk at once (RFC 2131 §4.4.1). Default `"1s"`.
    #[serde(default = "default_one_second")]
    pub init_delay: SimDuration,
    /// Give the lease back (DHCPRELEASE) at this time and stop. Default `None`.
    #[serde(default)]
    pub release_at: Option<SimTime>,
}

impl Default for DhcpClient {
    fn default() -> Self {
        DhcpClient {
            arp_probe: true,
            init_delay: default_one_second(),
            release_at: None,
        }
    }
}

fn default_resolver_timeout() -> SimDuration {
    secs(5)
}
fn default_attempts() -> u32 {
    2
}

/// A host's stub resolver (glibc `resolv.conf` options), used by
/// applications that name their target.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Resolver {
    /// How long to wait for each answer. Default `"5s"`.
    #[serde(default = "default_resolver_timeout")]
    pub timeout: SimDuration,
    /// Rounds over the DNS servers before giving up. Default `2`.
    #[serde(default = "default_attempts")]
    pub attempts: u32,
}

impl Default for Resolver {
    fn default() -> Self {
        Resolver {
            timeout: default_resolver_timeout(),
            attempts: default_attempts(),
        }
    }
}

fn default_lease() -> SimDuration {
    secs(3600)
}
fn default_offer_hold() -> SimDuration {
    secs(60)
}

/// A DHCP server (RFC 2131) answering on one interface of its node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DhcpServer {
    /// Required. The interface it serves; it needs a static address, which
    /// is the server identifier, and whose subnet the pool must lie in.
    pub interface: String,
    /// Required. Addresses to lease, `"10.0.1.100-10.0.1.199"`.
    pub pool: AddrRange,
    /// Lease time (option 51). Default `"1h"`.
    #[serde(default = "default_lease")]
    pub lease: SimDuration,
    /// Renewal time T1 (option 58). Default `None`: half the lease.
    #[serde(default)]
    pub renewal: Option<SimDuration>,
    /// Rebinding time T2 (option 59). Default `None`: 7/8 of the lease.
    #[serde(default)]
    pub rebinding: Option<SimDuration>,
    /// Default router given to clients (option 3). Default `None`: the
    /// interface's address when the server runs on a router, none on a host.
    #[serde(default, with = "crate::values::opt_ipv4")]
    pub router: Option<Ipv4Addr>,
    /// DNS servers given to clients (option 6). Default `[]`.
    #[serde(default, with = "vec_ipv4")]
    pub dns: Vec<Ipv4Addr>,
    /// Static bindings: a host's interface always gets the same address
    /// (it may lie outside the pool, inside the subnet). Default `[]`.
    #[serde(default)]
    pub reservations: Vec<Reservation>,
    /// How long an offered address waits for the client's REQUEST. Default `"60s"`.
    #[serde(default = "default_offer_hold")]
    pub offer_hold: SimDuration,
    /// How long an address a client declined (found in use) stays out of the
    /// pool. Default `None`: the lease time.
    #[serde(default)]
    pub decline_hold: Option<SimDuration>,
}

/// A static binding: `Reservation(host: "printer", address: "10.0.1.5")`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Reservation {
    /// Required. The host, `"printer"` (its first interface) or `"printer:eth0"`.
    pub host: String,
    /// Required. The address it always gets.
    #[serde(with = "ipv4")]
    pub address: Ipv4Addr,
}

fn default_dns_ttl() -> u32 {
    300
}
fn default_forward_timeout() -> SimDuration {
    secs(5)
}

/// A DNS server on UDP port 53: authoritative for its records' zones, and a
/// forwarder for other names when `forward_to` is set (as a home gateway's
/// DNS proxy), refusing them otherwise.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DnsServer {
    /// Records it serves with authority. Default `[]`.
    #[serde(default)]
    pub records: Vec<Record>,
    /// Zones it is authoritative for (names inside them that have no record
    /// get NXDOMAIN). Default `[]`: the parent domain of each record's name
    /// (`example` for `server.example`).
    #[serde(default)]
    pub zones: Vec<String>,
    /// TTL of the records, in seconds. Default `300`.
    #[serde(default = "default_dns_ttl")]
    pub ttl: u32,
    /// Upstream server for names outside its zones. Default `None` (REFUSED).
    #[serde(default, with = "crate::values::opt_ipv4")]
    pub forward_to: Option<Ipv4Addr>,
    /// How long to wait for the upstream server before answering SERVFAIL.
    /// Default `"5s"`.
    #[serde(default = "default_forward_timeout")]
    pub forward_timeout: SimDuration,
}

/// A DNS record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Record {
    /// `A(name: "server.example", address: "10.0.2.10")`.
    A {
        /// Required. The owner name.
        name: String,
        /// Required. Its IPv4 address.
        #[serde(with = "ipv4")]
        address: Ipv4Addr,
    },
    /// `Cname(name: "www.example", target: "server.example")`.
    Cname {
        /// Required. The alias.
        name: String,
        /// Required. The canonical name.
        target: String,
    },
}

impl Record {
    /// The owner name.
    pub fn name(&self) -> &str {
        match self {
            Record::A { name, .. } | Record::Cname { name, .. } => name,
        }
    }
}

fn default_rate() -> DataRate {
    DataRate::from_bps(1_000_000)
}
fn default_size() -> u32 {
    1000
}

/// Sends UDP datagrams at a constant bit rate (payload bits, as `iperf -u -b`).
/// Each carries a sequence number and its send time, for a [`UdpSink`].
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UdpCbr {
    /// Required. The receiver, `"10.0.2.10:9"` or `"server.example:9"`.
    pub to: String,
    /// Payload bit rate. Default `"1Mbps"`.
    #[serde(default = "default_rate")]
    pub rate: DataRate,
    /// Payload bytes per datagram, 12 to 65507. Default `1000`.
    #[serde(default = "default_size")]
    pub size: u32,
    /// When the first datagram leaves. Default `"1s"`.
    #[serde(default = "default_start")]
    pub start: SimTime,
    /// How long to send. Default `None`: until the scenario stops.
    #[serde(default)]
    pub duration: Option<SimDuration>,
    /// Datagrams to send. Default `None`: no limit.
    #[serde(default)]
    pub count: Option<u64>,
}

/// Sends like [`UdpCbr`] during "on" periods and nothing during "off" periods.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UdpOnOff {
    /// Required. The receiver, `"10.0.2.10:9"`.
    pub to: String,
    /// Payload bit rate while on. Default `"1Mbps"`.
    #[serde(default = "default_rate")]
    pub rate: DataRate,
    /// Payload bytes per datagram. Default `1000`.
    #[serde(default = "default_size")]
    pub size: u32,
    /// Length of each on period. Default `"1s"`.
    #[serde(default = "default_one_second")]
    pub on: SimDuration,
    /// Length of each off period. Default `"1s"`.
    #[serde(default = "default_one_second")]
    pub off: SimDuration,
    /// When the first on period begins. Default `"1s"`.
    #[serde(default = "default_start")]
    pub start: SimTime,
    /// How long to run. Default `None`: until the scenario stops.
    #[serde(default)]
    pub duration: Option<SimDuration>,
    /// Datagrams to send. Default `None`: no limit.
    #[serde(default)]
    pub count: Option<u64>,
}

/// Receives UDP datagrams on a port and measures loss, duplicates,
/// reordering and RFC 3550 jitter.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UdpSink {
    /// Required. The port.
    pub port: u16,
}

fn default_echo_port() -> u16 {
    7
}

/// Sends every UDP datagram back to its sender (RFC 862).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UdpEcho {
    /// The port. Default `7`.
    #[serde(default = "default_echo_port")]
    pub port: u16,
}

fn default_udp_timeout() -> SimDuration {
    secs(300)
}
fn default_tcp_timeout() -> SimDuration {
    secs(7440)
}
fn default_tcp_transitory() -> SimDuration {
    secs(240)
}
fn default_icmp_timeout() -> SimDuration {
    secs(60)
}

/// Network address and port translation on a router (a home gateway):
/// datagrams from the inside interfaces leave the outside one with its
/// address and a port of the router's; answers are translated back.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Nat {
    /// Required. The LAN side: interfaces whose traffic is translated.
    pub inside: Vec<String>,
    /// Required. The WAN side: the interface whose (static) address is shared.
    pub outside: String,
    /// Idle time after which a UDP mapping expires (RFC 4787 REQ-5). Default `"300s"`.
    #[serde(default = "default_udp_timeout")]
    pub udp_timeout: SimDuration,
    /// Idle time after which an established TCP mapping expires (RFC 5382
    /// REQ-5). Default `"7440s"` (2 h 4 min).
    #[serde(default = "default_tcp_timeout")]
    pub tcp_timeout: SimDuration,
    /// The same for a TCP connection opening or closing. Default `"240s"`.
    #[serde(default = "default_tcp_transitory")]
    pub tcp_transitory_timeout: SimDuration,
    /// The same for ICMP echo (RFC 5508 REQ-1). Default `"60s"`.
    #[serde(default = "default_icmp_timeout")]
    pub icmp_timeout: SimDuration,
}
