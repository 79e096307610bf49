//! Nodes: the IP stack of hosts and routers ([`IpNode`]) and learning
//! switches ([`switch::Switch`]).
//!
//! A node never touches the scheduler: each call takes `now` and fills a
//! [`NodeOutput`] with frames to transmit and, when tracing wants them, notes
//! of what happened. [`IpNode::poll_at`] says when to call it again.
//!
//! The stack is split by layer, each file one concern, so that a second
//! network layer (IPv6, with neighbour discovery in place of ARP) can stand
//! beside [`ipv4`] rather than inside it:
//!
//! | file | concern |
//! |---|---|
//! | `mod.rs` | the node: interfaces, applications, `poll_at`, timer dispatch |
//! | [`ethernet`](self) `ethernet.rs` | link-layer glue: FCS check, MAC filter, demux by EtherType, frame building |
//! | [`ipv4`] | IPv4 input, forwarding and output; the one place a header is written |
//! | `ipv4/neighbour.rs` | ARP glue: answering, learning, resolving next hops ([`ipv4::arp`] is the cache) |
//! | `ipv4/icmp.rs` | ICMP errors and echo replies |
//! | [`ipv4::frag`], [`ipv4::routing`] | fragmentation and reassembly; the routing table |
//! | `deliver.rs` | local delivery: echo, TCP, UDP, raw to applications, unreachables |
//! | `transport.rs` | TCP glue: segments out, trace notes, signals to applications |
//! | `services.rs`, `dhcp.rs`, `nat.rs` | UDP sockets, DHCP clients, address translation |
//! | [`switch`] | learning bridges |
//!
//! Applications see the stack only through [`crate::apps::AppIo`] and the
//! socket handle beside it; they never import the node.

mod deliver;
mod dhcp;
mod ethernet;
pub mod ipv4;
mod nat;
mod output;
mod services;
pub mod switch;
mod transport;

use std::net::Ipv4Addr;

use sim_core::{SimTime, StreamRng};

use crate::apps::{App, AppStats};
use crate::tcp::TcpStack;
use crate::topology::{IfaceId, NodeId};
use crate::wire::{Ipv4Cidr, MacAddr};
use ipv4::arp::{ArpCache, ArpConfig};
use ipv4::frag::Reassembler;
use ipv4::routing::{Route, RouteKind, RoutingTable};

pub use ipv4::{DEFAULT_TTL, REASSEMBLY_TIMEOUT};
pub use output::NodeOutput;

/// One interface as the stack sees it.
#[derive(Clone, Debug)]
pub struct Iface {
    /// Global interface id.
    pub id: IfaceId,
    /// Its MAC address.
    pub mac: MacAddr,
    /// Its address, if configured.
    pub addr: Option<Ipv4Cidr>,
    /// The MTU of the attached link (updated when the link changes).
    pub mtu: u32,
}

/// A host (forwarding off) or router (forwarding on).
pub struct IpNode {
    /// This node.
    pub id: NodeId,
    /// Whether it forwards datagrams not addressed to it.
    pub forwarding: bool,
    /// Whether it answers ARP requests for addresses it routes to elsewhere.
    pub proxy_arp: bool,
    /// Interfaces.
    pub ifaces: Vec<Iface>,
    /// The routing table.
    pub routes: RoutingTable,
    arp: ArpCache,
    reasm: Reassembler,
    next_ident: u16,
    apps: Vec<Box<dyn App>>,
    tcp: TcpStack,
    /// When the interfaces announce themselves (gratuitous ARP), if they do.
    announce_at: Option<SimTime>,
    /// UDP sockets, DHCP clients, DNS servers, NAT ([`services`]).
    svc: services::Services,
}

impl IpNode {
    /// A node with connected routes for every addressed interface.
    pub fn new(
        id: NodeId,
        forwarding: bool,
        ifaces: Vec<Iface>,
        arp: ArpConfig,
        tcp_rng: StreamRng,
    ) -> IpNode {
        let mut routes = RoutingTable::new();
        for i in &ifaces {
            if let Some(addr) = i.addr {
                routes.add(Route {
                    dest: addr,
                    via: None,
                    iface: i.id,
                    kind: RouteKind::Connected,
                });
            }
        }
        IpNode {
            id,
            forwarding,
            proxy_arp: false,
            ifaces,
            routes,
            announce_at: arp.gratuitous.then_some(SimTime::ZERO),
            arp: ArpCache::new(arp),
            reasm: Reassembler::new(REASSEMBLY_TIMEOUT),
            next_ident: 1,
            apps: Vec::new(),
            tcp: TcpStack::new(tcp_rng),
            svc: services::Services::default(),
        }
    }

    /// Adds an application.
    pub fn add_app(&mut self, app: Box<dyn App>) {
        self.apps.push(app);
    }

    /// End-of-run results of every application, in scenario order, then of
    /// the DHCP clients.
    pub fn app_stats(&self) -> Vec<AppStats> {
        self.apps
            .iter()
            .map(|a| a.stats())
            .chain(self.dhcp_stats().map(AppStats::DhcpClient))
            .collect()
    }

    /// Sets the MTU of an interface (its link changed).
    pub fn set_mtu(&mut self, iface: IfaceId, mtu: u32) {
        if let Some(i) = self.ifaces.iter_mut().find(|i| i.id == iface) {
            i.mtu = mtu;
        }
    }

    fn iface(&self, id: IfaceId) -> &Iface {
        self.ifaces
            .iter()
            .find(|i| i.id == id)
            .expect("own interface")
    }

    fn is_local(&self, ip: Ipv4Addr) -> bool {
        self.ifaces
            .iter()
            .any(|i| i.addr.is_some_and(|a| a.addr == ip))
    }

    fn is_broadcast(&self, ip: Ipv4Addr) -> bool {
        ip == Ipv4Addr::BROADCAST
            || self.ifaces.iter().any(|i| {
                i.addr
                    .is_some_and(|a| a.prefix_len < 31 && a.broadcast() == ip)
            })
    }

    /// When the node next needs [`IpNode::on_timer`].
    pub fn poll_at(&self) -> Option<SimTime> {
        let apps = if self.apps_held() {
            None
        } else {
            self.apps.iter().filter_map(|a| a.poll_at()).min()
        };
        [
            self.announce_at,
            self.arp.poll_at(),
            self.reasm.poll_at(),
            self.tcp.poll_at(),
            self.services_poll_at(),
            apps,
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// Runs everything due at `now`: announcements, ARP retries and expiry,
    /// reassembly timeouts, services, TCP timers, applications.
    pub fn on_timer(&mut self, now: SimTime, out: &mut NodeOutput) {
        if self.announce_at.is_some_and(|t| t <= now) {
            self.announce_at = None;
            self.announce(out);
        }
        self.arp_timers(now, out);
        self.reassembly_timers(now, out);
        self.services_timers(now, out);
        self.tcp_timers(now, out);
        for idx in 0..self.apps.len() {
            if self.apps_held() {
                break;
            }
            if self.apps[idx].poll_at().is_some_and(|t| t <= now) {
                self.call_app(now, idx, out, |app, io| app.on_timer(now, io));
                self.flush_tcp(now, out);
            }
        }
    }
}
