//! The scenario schema: what a `.ron` scenario file may say.
//!
//! Every struct rejects unknown fields; every field but the names, the link
//! endpoints, route destinations and app targets has a default, documented on the
//! field. Enums are externally tagged, so in RON a node reads `Host(name: "h1", …)`
//! and a loss model `Bernoulli(p: 0.01)`. Quantities with units are strings:
//! times and durations (`"20ms"`, `"1.5s"`), rates (`"100Mbps"`), sizes
//! (`"64KiB"`), queue limits (`"100p"`).
//!
//! Files are read with two RON extensions always on (see [`crate::load`]):
//! `implicit_some`, so an optional field is written `gateway: "10.0.1.1"` rather
//! than `gateway: Some("10.0.1.1")` (both work), and `unwrap_variant_newtypes`, so
//! `Host(name: "h1")` needs no inner parentheses.
//!
//! Link parameters and impairments live in [`crate::link`].

use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};
use sim_core::{SimDuration, SimTime};

use crate::link::Link;
pub use crate::link::{Direction, DropRule, LinkDirection, Loss, Queue, SetLink};
pub use crate::services::{
    AddrRange, Address, DhcpClient, DhcpServer, DnsServer, Nat, Record, Reservation, Resolver,
    UdpCbr, UdpEcho, UdpOnOff, UdpSink,
};
pub use crate::tcp::{
    BulkSend, Echo, HttpClient, HttpServer, HttpVersion, Keepalive, Sink, SynFlood, Tcp,
};
use crate::values::{Endpoint, Ipv4Cidr};

/// A whole scenario: the network, what runs on it, what changes over time and
/// what is written out.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Required. Names the default output directory `out/<name>/`.
    pub name: String,
    /// Free text shown in reports. Default `""`.
    #[serde(default)]
    pub description: String,
    /// Master seed of every random stream in the run. Default `1`.
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Simulated time at which the run stops; events at exactly this time still
    /// run. Default `"60s"`.
    #[serde(default = "default_stop")]
    pub stop: SimTime,
    /// Event budget: a run that handles more events stops with an error, so a
    /// runaway scenario (a forwarding loop, a broadcast storm) cannot run forever.
    /// Default `100_000_000`.
    #[serde(default = "default_max_events")]
    pub max_events: u64,
    /// Hosts, routers and switches. Default `[]`.
    #[serde(default)]
    pub nodes: Vec<Node>,
    /// Cables between node interfaces. Default `[]`.
    #[serde(default)]
    pub links: Vec<Link>,
    /// Actions at given times, in any order. Default `[]`.
    #[serde(default)]
    pub timeline: Vec<TimedAction>,
    /// What the run writes. Default: see [`Outputs`].
    #[serde(default)]
    pub outputs: Outputs,
    /// A topology generator that adds nodes, links and flows when the scenario
    /// is loaded (see [`crate::generate`]). Default `None`.
    #[serde(default)]
    pub generate: Option<crate::generate::Generate>,
    /// A parameter sweep for `netsim sweep` (see [`crate::sweep`]). `netsim run`
    /// ignores it and runs the scenario as written, the sweep's base point.
    /// Default `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sweep: Option<crate::sweep::Sweep>,
    /// Assertions on the results, checked when the run ends; `netsim run`
    /// exits with code 1 when one fails. See [`crate::expect`], e.g.
    /// `expect: [HandshakeBy(flow: "client->server", time: "1.1s"), NoRto()]`.
    /// Default `[]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect: Vec<crate::expect::Expect>,
}

fn default_seed() -> u64 {
    1
}
fn default_stop() -> SimTime {
    SimTime::from_nanos(SimDuration::from_secs(60).as_nanos())
}
fn default_max_events() -> u64 {
    100_000_000
}

impl Scenario {
    /// The node called `name`.
    pub fn node(&self, name: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.name() == name)
    }
    /// The link called `name` (after loading, every link has a name).
    pub fn link(&self, name: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.name == name)
    }
}

/// A node of the network.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Node {
    /// An end system: IP forwarding off.
    Host(Host),
    /// An IP router: forwarding on, sends ICMP errors (time exceeded, unreachable).
    Router(Router),
    /// A learning Ethernet switch with ports `p0`, `p1`, … created by the links
    /// that name it.
    Switch(Switch),
}

impl Node {
    /// The node's name.
    pub fn name(&self) -> &str {
        match self {
            Node::Host(h) => &h.name,
            Node::Router(r) => &r.name,
            Node::Switch(s) => &s.name,
        }
    }
    /// `"host"`, `"router"` or `"switch"`, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Host(_) => "host",
            Node::Router(_) => "router",
            Node::Switch(_) => "switch",
        }
    }
    /// The IP interfaces (none for a switch: its ports come from links).
    pub fn interfaces(&self) -> &[Interface] {
        match self {
            Node::Host(h) => &h.interfaces,
            Node::Router(r) => &r.interfaces,
            Node::Switch(_) => &[],
        }
    }
    /// The static routes (none for a switch).
    pub fn routes(&self) -> &[Route] {
        match self {
            Node::Host(h) => &h.routes,
            Node::Router(r) => &r.routes,
            Node::Switch(_) => &[],
        }
    }
    /// The default route's next hop, if any.
    pub fn gateway(&self) -> Option<Ipv4Addr> {
        match self {
            Node::Host(h) => h.gateway,
            Node::Router(r) => r.gateway,
            Node::Switch(_) => None,
        }
    }
    /// The applications (none for a switch).
    pub fn apps(&self) -> &[App] {
        match self {
            Node::Host(h) => &h.apps,
            Node::Router(r) => &r.apps,
            Node::Switch(_) => &[],
        }
    }
    /// The host-level TCP settings (none for a switch).
    pub fn tcp(&self) -> Option<&Tcp> {
        match self {
            Node::Host(h) => Some(&h.tcp),
            Node::Router(r) => Some(&r.tcp),
            Node::Switch(_) => None,
        }
    }
    /// The ARP settings (none for a switch).
    pub fn arp(&self) -> Option<&Arp> {
        match self {
            Node::Host(h) => Some(&h.arp),
            Node::Router(r) => Some(&r.arp),
            Node::Switch(_) => None,
        }
    }
    /// The DNS servers configured on the node (hosts only).
    pub fn dns(&self) -> &[Ipv4Addr] {
        match self {
            Node::Host(h) => &h.dns,
            Node::Router(_) | Node::Switch(_) => &[],
        }
    }
    /// The address translation of a router.
    pub fn nat(&self) -> Option<&Nat> {
        match self {
            Node::Router(r) => r.nat.as_ref(),
            Node::Host(_) | Node::Switch(_) => None,
        }
    }
    /// Whether an interface of the node is configured by DHCP.
    pub fn uses_dhcp(&self) -> bool {
        self.interfaces()
            .iter()
            .any(|i| i.address == Some(Address::Dhcp))
    }
}

/// An end system.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Host {
    /// Required, unique among nodes.
    pub name: String,
    /// Network interfaces. Default `[]`.
    #[serde(default)]
    pub interfaces: Vec<Interface>,
    /// Next hop of the default route (`0.0.0.0/0`); must lie in a connected
    /// subnet. Default `None` (no default route).
    #[serde(default, with = "crate::values::opt_ipv4")]
    pub gateway: Option<Ipv4Addr>,
    /// Static routes besides the connected subnets and the default route.
    /// Default `[]`.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Applications. Default `[]`.
    #[serde(default)]
    pub apps: Vec<App>,
    /// ARP settings. Default: see [`Arp`].
    #[serde(default)]
    pub arp: Arp,
    /// TCP settings for this host's connections (each app may override). Default: see [`Tcp`].
    #[serde(default)]
    pub tcp: Tcp,
    /// DNS servers (as `nameserver` lines in `resolv.conf`), asked first;
    /// DHCP adds those of its leases. Default `[]`.
    #[serde(default, with = "crate::services::vec_ipv4")]
    pub dns: Vec<Ipv4Addr>,
    /// DHCP client settings of the `Dhcp` interfaces. Default: see [`DhcpClient`].
    #[serde(default)]
    pub dhcp: DhcpClient,
    /// Stub resolver settings. Default: see [`Resolver`].
    #[serde(default)]
    pub resolver: Resolver,
}

/// An IP router.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Router {
    /// Required, unique among nodes.
    pub name: String,
    /// Network interfaces. Default `[]`.
    #[serde(default)]
    pub interfaces: Vec<Interface>,
    /// Static routes besides the connected subnets and the default route.
    /// Default `[]`.
    #[serde(default)]
    pub routes: Vec<Route>,
    /// Next hop of the default route; must lie in a connected subnet.
    /// Default `None`.
    #[serde(default, with = "crate::values::opt_ipv4")]
    pub gateway: Option<Ipv4Addr>,
    /// Answer ARP requests for addresses the router has a route to through
    /// another interface (RFC 1027). Default `false`.
    #[serde(default)]
    pub proxy_arp: bool,
    /// ARP settings. Default: see [`Arp`].
    #[serde(default)]
    pub arp: Arp,
    /// Applications. Default `[]`.
    #[serde(default)]
    pub apps: Vec<App>,
    /// TCP settings for this router's connections. Default: see [`Tcp`].
    #[serde(default)]
    pub tcp: Tcp,
    /// Address and port translation between LAN and WAN interfaces (a home
    /// gateway). Default `None`.
    #[serde(default)]
    pub nat: Option<Nat>,
}

/// A learning Ethernet switch (IEEE 802.1D forwarding, no spanning tree).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Switch {
    /// Required, unique among nodes.
    pub name: String,
    /// How long a learned MAC address stays in the forwarding table without
    /// being seen again. Default `"300s"` (the 802.1D default).
    #[serde(default = "default_mac_ageing")]
    pub mac_ageing: SimDuration,
}

fn default_mac_ageing() -> SimDuration {
    SimDuration::from_secs(300)
}

/// A network interface of a host or router.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Interface {
    /// Required, unique within the node, e.g. `"eth0"`.
    pub name: String,
    /// The interface's address and connected subnet, e.g. `"10.0.1.10/24"`,
    /// or `Dhcp` to get address, subnet, default route and DNS server from a
    /// DHCP server (hosts only). Default `None` (unnumbered).
    #[serde(default)]
    pub address: Option<Address>,
    /// IP MTU of this interface, overriding the link's. Default `None` (the
    /// link's `mtu`).
    #[serde(default)]
    pub mtu: Option<u32>,
}

/// A static route.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Required. The destination network, host bits zero, e.g. `"10.9.0.0/16"`.
    pub to: Ipv4Cidr,
    /// Next-hop router; must lie in a connected subnet. Default `None`: the
    /// destination is on-link (reached directly through `interface`).
    #[serde(default, with = "crate::values::opt_ipv4")]
    pub via: Option<Ipv4Addr>,
    /// Outgoing interface. Default `None`: the interface whose subnet holds
    /// `via`; required for an on-link route when the node has several interfaces.
    #[serde(default)]
    pub interface: Option<String>,
}

/// ARP (RFC 826) settings of a node.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Arp {
    /// How long a resolved entry stays in the cache. Default `"60s"`.
    #[serde(default = "default_arp_timeout")]
    pub timeout: SimDuration,
    /// Requests re-sent for an unanswered resolution before the queued packets
    /// are dropped (host unreachable). Default `3`.
    #[serde(default = "default_arp_retries")]
    pub retries: u32,
    /// Time between requests for one address. Default `"1s"`.
    #[serde(default = "default_one_second")]
    pub retry_interval: SimDuration,
    /// Packets held per unresolved address while waiting for a reply; more are
    /// dropped. Default `16`.
    #[serde(default = "default_arp_queue")]
    pub queue: u32,
    /// Announce each interface's address with a gratuitous ARP when it comes up
    /// (RFC 5227 announcement). Default `false`, as Linux (`arp_notify` 0).
    #[serde(default)]
    pub gratuitous: bool,
}

impl Default for Arp {
    fn default() -> Self {
        Arp {
            timeout: default_arp_timeout(),
            retries: default_arp_retries(),
            retry_interval: default_one_second(),
            queue: default_arp_queue(),
            gratuitous: false,
        }
    }
}

fn default_arp_timeout() -> SimDuration {
    SimDuration::from_secs(60)
}
fn default_arp_retries() -> u32 {
    3
}
fn default_arp_queue() -> u32 {
    16
}
pub(crate) fn default_true() -> bool {
    true
}
fn default_one_second() -> SimDuration {
    SimDuration::from_secs(1)
}
fn default_app_start() -> SimTime {
    SimTime::from_nanos(SimDuration::from_secs(1).as_nanos())
}

/// An application running on a host or router.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum App {
    /// ICMP echo requests (RFC 792), like `ping`.
    Ping(Ping),
    /// Probes with increasing TTL that collect ICMP time-exceeded replies, like
    /// `traceroute`.
    Traceroute(Traceroute),
    /// A TCP sender of a checked byte pattern.
    BulkSend(BulkSend),
    /// A TCP receiver that checks every byte.
    Sink(Sink),
    /// A TCP echo server (RFC 862).
    Echo(Echo),
    /// HTTP/1.0 or HTTP/1.1 requests over TCP.
    HttpClient(HttpClient),
    /// An HTTP server.
    HttpServer(HttpServer),
    /// Spoofed SYNs against a listener (an attack, for the SYN-flood lesson).
    SynFlood(SynFlood),
    /// A DHCP server on one interface (RFC 2131).
    DhcpServer(DhcpServer),
    /// A DNS server: authoritative for its records, optionally forwarding.
    DnsServer(DnsServer),
    /// A constant-bit-rate UDP sender.
    UdpCbr(UdpCbr),
    /// An on/off UDP sender.
    UdpOnOff(UdpOnOff),
    /// A UDP receiver measuring loss and jitter.
    UdpSink(UdpSink),
    /// A UDP echo server (RFC 862).
    UdpEcho(UdpEcho),
}

impl App {
    /// The target as written: an IPv4 address or host name (ping,
    /// traceroute), an `address:port` or `name:port` (TCP and UDP clients),
    /// or `None` for servers.
    pub fn target(&self) -> Option<&str> {
        match self {
            App::Ping(p) => Some(&p.to),
            App::Traceroute(t) => Some(&t.to),
            App::BulkSend(b) => Some(&b.to),
            App::HttpClient(h) => Some(&h.to),
            App::SynFlood(f) => Some(&f.to),
            App::UdpCbr(u) => Some(&u.to),
            App::UdpOnOff(u) => Some(&u.to),
            App::Sink(_)
            | App::Echo(_)
            | App::HttpServer(_)
            | App::DhcpServer(_)
            | App::DnsServer(_)
            | App::UdpSink(_)
            | App::UdpEcho(_) => None,
        }
    }

    /// Whether the target names a port too (`address:port`).
    pub fn target_has_port(&self) -> bool {
        matches!(
            self,
            App::BulkSend(_)
                | App::HttpClient(_)
                | App::SynFlood(_)
                | App::UdpCbr(_)
                | App::UdpOnOff(_)
        )
    }
    /// When the application starts.
    pub fn start(&self) -> SimTime {
        match self {
            App::Ping(p) => p.start,
            App::Traceroute(t) => t.start,
            App::BulkSend(b) => b.start,
            App::HttpClient(h) => h.start,
            App::SynFlood(f) => f.start,
            App::UdpCbr(u) => u.start,
            App::UdpOnOff(u) => u.start,
            App::Sink(_)
            | App::Echo(_)
            | App::HttpServer(_)
            | App::DhcpServer(_)
            | App::DnsServer(_)
            | App::UdpSink(_)
            | App::UdpEcho(_) => SimTime::ZERO,
        }
    }
    /// `"Ping"` or `"Traceroute"`, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            App::Ping(_) => "Ping",
            App::Traceroute(_) => "Traceroute",
            App::BulkSend(_) => "BulkSend",
            App::Sink(_) => "Sink",
            App::Echo(_) => "Echo",
            App::HttpClient(_) => "HttpClient",
            App::HttpServer(_) => "HttpServer",
            App::SynFlood(_) => "SynFlood",
            App::DhcpServer(_) => "DhcpServer",
            App::DnsServer(_) => "DnsServer",
            App::UdpCbr(_) => "UdpCbr",
            App::UdpOnOff(_) => "UdpOnOff",
            App::UdpSink(_) => "UdpSink",
            App::UdpEcho(_) => "UdpEcho",
        }
    }
}

/// Sends ICMP echo requests and matches the replies.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Ping {
    /// Required. The destination: an IPv4 address such as `"10.0.2.10"`, or a
    /// host name such as `"server.example"`, resolved by DNS when the ping starts.
    pub to: String,
    /// Echo requests to send; `0` means until the scenario stops. Default `4`.
    #[serde(default = "default_ping_count")]
    pub count: u32,
    /// Time between requests. Default `"1s"`.
    #[serde(default = "default_one_second")]
    pub interval: SimDuration,
    /// ICMP payload bytes (the ICMP header's 8 bytes come on top), like
    /// `ping -s`. Default `56`.
    #[serde(default = "default_ping_size")]
    pub size: u32,
    /// When the first request is sent. Default `"1s"`, which leaves the first
    /// second for address configuration.
    #[serde(default = "default_app_start")]
    pub start: SimTime,
    /// IP time to live of the requests. Default `64`.
    #[serde(default = "default_ttl")]
    pub ttl: u8,
    /// Set the IP Don't Fragment flag, like `ping -M do`. Default `false`.
    #[serde(default)]
    pub dont_fragment: bool,
    /// How long to wait for each reply before counting it lost. Default `"1s"`.
    #[serde(default = "default_one_second")]
    pub timeout: SimDuration,
}

fn default_ping_count() -> u32 {
    4
}
fn default_ping_size() -> u32 {
    56
}
fn default_ttl() -> u8 {
    64
}

/// Discovers the routers on the path to a destination.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Traceroute {
    /// Required. The destination, an IPv4 address or a host name.
    pub to: String,
    /// When the first probe is sent. Default `"1s"`.
    #[serde(default = "default_app_start")]
    pub start: SimTime,
    /// Largest TTL probed. Default `30`.
    #[serde(default = "default_max_hops")]
    pub max_hops: u8,
    /// Probes per TTL. Default `3`.
    #[serde(default = "default_probes")]
    pub probes: u8,
    /// How long to wait for the answer to one probe. Default `"1s"`.
    #[serde(default = "default_one_second")]
    pub timeout: SimDuration,
}

fn default_max_hops() -> u8 {
    30
}
fn default_probes() -> u8 {
    3
}

/// One timeline entry: `At(time: "5s", action: LinkDown(link: "h1-r1"))`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename = "At", deny_unknown_fields)]
pub struct TimedAction {
    /// Required. When the action happens; at most the scenario's `stop`.
    pub time: SimTime,
    /// Required. What happens.
    pub action: Action,
}

/// A change to the running network.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Action {
    /// Take a link down in both directions: frames in flight are lost, queued
    /// frames are dropped, new frames are dropped at egress.
    LinkDown {
        /// Required. The link's name.
        link: String,
    },
    /// Bring a link back up.
    LinkUp {
        /// Required. The link's name.
        link: String,
    },
    /// Change link parameters.
    SetLink(Box<SetLink>),
    /// A node stops dead (power failure): it neither receives, sends nor runs
    /// timers; frames reaching it are dropped. Its state is frozen, not lost.
    NodeDown {
        /// Required. The node's name.
        node: String,
    },
    /// A stopped node resumes where it stopped.
    NodeUp {
        /// Required. The node's name.
        node: String,
    },
}

impl Action {
    /// The name of the link (or, for node actions, the node) the action acts on.
    pub fn link(&self) -> &str {
        match self {
            Action::LinkDown { link } | Action::LinkUp { link } => link,
            Action::SetLink(s) => &s.link,
            Action::NodeDown { node } | Action::NodeUp { node } => node,
        }
    }
}

/// What a run writes to its output directory.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// Write the human-readable `trace.txt`. Default `true`.
    #[serde(default = "default_true")]
    pub trace: bool,
    /// Write the machine-readable `events.jsonl`. Default `true`.
    #[serde(default = "default_true")]
    pub events: bool,
    /// Which interfaces get a pcap capture. Default `All`.
    #[serde(default)]
    pub pcap: Pcap,
    /// Bytes of each frame kept in captures. Default `65535`.
    #[serde(default = "default_snaplen")]
    pub snaplen: u32,
    /// Frames written per pcap file, `0` for unlimited. Default `10000`, so a
    /// long fast run does not write gigabytes unless asked.
    #[serde(default = "default_capture_limit")]
    pub capture_limit: u64,
    /// Lines written to `trace.txt` and to `events.jsonl`, `0` for unlimited.
    /// Default `200000`.
    #[serde(default = "default_trace_limit")]
    pub trace_limit: u64,
    /// Trace lines echoed to the terminal. Default `300`.
    #[serde(default = "default_print_limit")]
    pub print_limit: u64,
    /// TCP segments up to which the ladder diagram (`ladder.txt`, and on the
    /// terminal) is drawn; above it the ladder is left out. `0`: no ladder.
    /// Default `300`.
    #[serde(default = "default_ladder_limit")]
    pub ladder_limit: u64,
    /// Draw only this TCP connection in the ladder diagrams (`ladder.txt`,
    /// `ladder.svg`, the terminal): `"node[:port]-node[:port]"`, each end a
    /// node name or an address, e.g. `"h1:5000-h2:80"` (see
    /// [`crate::ladder`]). Default `None`: every connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder: Option<crate::ladder::ConnSpec>,
    /// Draw only the segments TCP sent at or after this time (and state
    /// changes from then on). Default `None`: from the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder_from: Option<SimTime>,
    /// Draw only the segments TCP sent at or before this time. Default
    /// `None`: to the end of the run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ladder_to: Option<SimTime>,
    /// In `ladder.svg`, one lifeline per node the connection's segments cross
    /// (hosts, routers, switches, in path order) instead of one per endpoint.
    /// Default `false`.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub ladder_path: bool,
    /// Write time series (CSV per TCP connection and per link direction):
    /// at most one row per this much simulated time; `None`: no series.
    /// Default `"1ms"`.
    #[serde(default = "default_series")]
    pub series: Option<SimDuration>,
    /// Draw plots (SVG and PNG: throughput, cwnd, time-sequence graph and
    /// RTT per flow, queue length per busy link direction) and `plots.json`.
    /// Default `true`.
    #[serde(default = "default_true")]
    pub plots: bool,
    /// How much each trace line says. Default `Packets`.
    #[serde(default)]
    pub detail: Detail,
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs {
            trace: true,
            events: true,
            pcap: Pcap::All,
            snaplen: default_snaplen(),
            capture_limit: default_capture_limit(),
            trace_limit: default_trace_limit(),
            print_limit: default_print_limit(),
            ladder_limit: default_ladder_limit(),
            ladder: None,
            ladder_from: None,
            ladder_to: None,
            ladder_path: false,
            series: default_series(),
            plots: true,
            detail: Detail::Packets,
        }
    }
}

fn default_snaplen() -> u32 {
    65_535
}
fn default_capture_limit() -> u64 {
    10_000
}
fn default_trace_limit() -> u64 {
    200_000
}
fn default_print_limit() -> u64 {
    300
}
fn default_ladder_limit() -> u64 {
    300
}
fn default_series() -> Option<SimDuration> {
    Some(SimDuration::from_millis(1))
}

/// Which interfaces are captured to pcap files.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub enum Pcap {
    /// Every interface and switch port.
    #[default]
    All,
    /// No captures.
    Off,
    /// Every interface of the named nodes.
    Nodes(Vec<String>),
    /// The named interfaces, as `"node:interface"`.
    Interfaces(Vec<Endpoint>),
    /// Both ends of the named links.
    Links(Vec<String>),
}

/// How much a trace line says.
#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub enum Detail {
    /// Application and connection events only.
    Summary,
    /// Also one line per packet sent, received or dropped.
    #[default]
    Packets,
    /// Also every header field and protocol-internal event (timers, windows).
    Full,
}
