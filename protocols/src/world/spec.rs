//! A plain description of a world, filled in by the scenario loader (or by
//! hand in Rust), and the builder that turns it into a running [`World`].

use std::net::Ipv4Addr;
use std::sync::Arc;

use sim_core::{RngStreams, SimDuration, SimTime};

use super::{NodeState, World};
use crate::apps::bulk::{BulkConfig, SinkConfig};
use crate::apps::http::{HttpClientConfig, HttpServerConfig};
use crate::apps::ping::PingConfig;
use crate::apps::synflood::SynFloodConfig;
use crate::apps::traceroute::TracerouteConfig;
use crate::link::impair::{DropRule, Impairments, LossModel};
use crate::link::{Direction, Link, LinkParams, Queue, QueueConfig};
use crate::node::ipv4::arp::ArpConfig;
use crate::node::switch::Switch;
use crate::node::{Iface, IpNode};
use crate::topology::{IfaceId, IfaceInfo, LinkId, LinkInfo, NodeId, NodeInfo, NodeKind, Topology};
use crate::trace::{TraceSink, Tracer};
use crate::wire::{Ipv4Cidr, MacAddr};

/// A whole world.
#[derive(Clone, Debug, Default)]
pub struct WorldSpec {
    /// Master seed.
    pub seed: u64,
    /// Run index (repetitions of one experiment).
    pub run_index: u64,
    /// Nodes, in order (their ids are their positions).
    pub nodes: Vec<NodeSpec>,
    /// Links, in order.
    pub links: Vec<LinkSpec>,
    /// Timed actions.
    pub timeline: Vec<(SimTime, Action)>,
}

/// One node.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    /// Name.
    pub name: String,
    /// Host, router or switch.
    pub kind: NodeKind,
    /// Interfaces (switch ports have no address).
    pub ifaces: Vec<IfaceSpec>,
    /// Static routes.
    pub routes: Vec<RouteSpec>,
    /// Default gateway.
    pub gateway: Option<Ipv4Addr>,
    /// Answer ARP for addresses routed through another interface (routers).
    pub proxy_arp: bool,
    /// ARP tunables.
    pub arp: ArpConfig,
    /// Applications.
    pub apps: Vec<AppSpec>,
    /// Switch table ageing time.
    pub mac_ageing: SimDuration,
    /// Interfaces (by name) configured by DHCP.
    pub dhcp: Vec<String>,
    /// DHCP client settings of those interfaces.
    pub dhcp_client: DhcpClientSpec,
    /// DNS servers the node is configured with (DHCP may add more).
    pub dns: Vec<Ipv4Addr>,
    /// Stub resolver settings of applications that name their target.
    pub resolver: crate::dns::ResolverConfig,
    /// Address translation (gateways).
    pub nat: Option<NatSpec>,
}

impl NodeSpec {
    /// A node of `kind` with defaults everywhere else.
    pub fn new(name: &str, kind: NodeKind) -> NodeSpec {
        NodeSpec {
            name: name.to_string(),
            kind,
            ifaces: Vec::new(),
            routes: Vec::new(),
            gateway: None,
            proxy_arp: false,
            arp: ArpConfig::default(),
            apps: Vec::new(),
            mac_ageing: SimDuration::from_secs(300),
            dhcp: Vec::new(),
            dhcp_client: DhcpClientSpec::default(),
            dns: Vec::new(),
            resolver: crate::dns::ResolverConfig::default(),
            nat: None,
        }
    }
}

/// One interface.
#[derive(Clone, Debug)]
pub struct IfaceSpec {
    /// Name (`eth0`).
    pub name: String,
    /// Address and prefix.
    pub addr: Option<Ipv4Cidr>,
    /// IP MTU, overriding the link's.
    pub mtu: Option<u32>,
}

/// A static route.
#[derive(Clone, Debug)]
pub struct RouteSpec {
    /// Destination prefix.
    pub dest: Ipv4Cidr,
    /// Gateway; `None` for on-link (then `iface` is required).
    pub via: Option<Ipv4Addr>,
    /// Egress interface name.
    pub iface: Option<String>,
}

/// An application.
#[derive(Clone, Debug)]
pub enum AppSpec {
    /// ICMP echo (the `ident` field is assigned by the builder).
    Ping(PingConfig),
    /// UDP traceroute (the `src_port` field is assigned by the builder).
    Traceroute(TracerouteConfig),
    /// TCP bulk sender.
    BulkSend(BulkConfig),
    /// TCP sink or echo server.
    Sink(SinkConfig),
    /// HTTP client.
    HttpClient(HttpClientConfig),
    /// HTTP server.
    HttpServer(HttpServerConfig),
    /// SYN flooder.
    SynFlood(SynFloodConfig),
    /// DHCP server on one interface.
    DhcpServer(DhcpServerSpec),
    /// DNS server.
    DnsServer(crate::dns::DnsServerConfig),
    /// UDP constant-bit-rate or on/off sender (`src_port` assigned by the builder).
    UdpSend(crate::apps::udp::UdpSendConfig),
    /// UDP sink on a port.
    UdpSink(u16),
    /// UDP echo server on a port.
    UdpEcho(u16),
    /// An application whose target is a host name, resolved by DNS first; the
    /// inner application's address is a placeholder.
    Named {
        /// The host name.
        name: String,
        /// The application.
        app: Box<AppSpec>,
    },
}

/// One link.
#[derive(Clone, Debug)]
pub struct LinkSpec {
    /// Name.
    pub name: String,
    /// Endpoint a: (node index, interface index within the node).
    pub a: (usize, usize),
    /// Endpoint b.
    pub b: (usize, usize),
    /// Rate, delay, MTU (both directions).
    pub params: LinkParams,
    /// Queue limit of a→b and b→a.
    pub queue: [QueueConfig; 2],
    /// Impairments of a→b and b→a.
    pub impair: [Impairments; 2],
}

/// A timeline action.
#[derive(Clone, Debug)]
pub enum Action {
    /// Take a link down.
    LinkDown(LinkId),
    /// Bring a link up.
    LinkUp(LinkId),
    /// Stop a node dead (frames to it are dropped, its timers do not run).
    NodeDown(NodeId),
    /// Let a stopped node resume.
    NodeUp(NodeId),
    /// Change link parameters; `None` leaves a value as it is.
    SetLink {
        /// Which link.
        link: LinkId,
        /// Which directions: `[a→b, b→a]`.
        dirs: [bool; 2],
        /// New rate.
        rate: Option<sim_core::DataRate>,
        /// New propagation delay.
        delay: Option<SimDuration>,
        /// New MTU.
        mtu: Option<u32>,
        /// New queue limit (frames already queued stay).
        queue: Option<QueueConfig>,
        /// Impairment changes.
        impair: Box<ImpairChange>,
    },
}

/// Changes to a direction's impairments; `None` keeps the current value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImpairChange {
    /// New loss model (`Some(None)` removes loss).
    pub loss: Option<Option<LossModel>>,
    /// New drop rules (their counters restart).
    pub rules: Option<Vec<DropRule>>,
    /// New jitter.
    pub jitter: Option<SimDuration>,
    /// New duplication probability.
    pub duplicate: Option<f64>,
    /// New corruption probability.
    pub corrupt: Option<f64>,
    /// New reordering probability.
    pub reorder: Option<f64>,
}

impl ImpairChange {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        *self == ImpairChange::default()
    }

    /// `imp` with the changes applied.
    pub fn apply(&self, imp: &Impairments) -> Impairments {
        let mut imp = imp.clone();
        if let Some(l) = &self.loss {
            imp.loss = l.clone();
        }
        if let Some(r) = &self.rules {
            imp.rules = r.clone();
        }
        if let Some(j) = self.jitter {
            imp.jitter = j;
        }
        if let Some(p) = self.duplicate {
            imp.duplicate = p;
        }
        if let Some(p) = self.corrupt {
            imp.corrupt = p;
        }
        if let Some(p) = self.reorder {
            imp.reorder = p;
        }
        imp
    }

    /// A short description for the trace.
    pub fn describe(&self) -> Vec<String> {
        let mut what = Vec::new();
        if let Some(l) = &self.loss {
            what.push(match l {
                None => "no loss".to_string(),
                Some(LossModel::Bernoulli { p }) => format!("loss {p}"),
                Some(m) => format!("loss {m:?}"),
            });
        }
        if let Some(r) = &self.rules {
            let rules: Vec<String> = r.iter().map(|r| r.to_string()).collect();
            what.push(format!("drop rules [{}]", rules.join(", ")));
        }
        if let Some(j) = self.jitter {
            what.push(format!("jitter {j}"));
        }
        if let Some(p) = self.duplicate {
            what.push(format!("duplicate {p}"));
        }
        if let Some(p) = self.corrupt {
            what.push(format!("corrupt {p}"));
        }
        if let Some(p) = self.reorder {
            what.push(format!("reorder {p}"));
        }
        what
    }
}

/// Why a spec does not describe a runnable world (the scenario validator
/// normally catches these first, with file positions).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SpecError {
    /// A route's gateway is not on any connected subnet.
    #[error("node {node}: gateway {via} is not inside any of its interface subnets")]
    UnreachableGateway {
        /// Node name.
        node: String,
        /// The gateway.
        via: Ipv4Addr,
    },
    /// A route names an interface the node does not have, or has none and no gateway.
    #[error("node {node}: route to {dest} needs a gateway or an existing interface")]
    BadRoute {
        /// Node name.
        node: String,
        /// The destination.
        dest: Ipv4Cidr,
    },
    /// A link endpoint names a missing node or interface.
    #[error("link {0}: endpoint does not exist")]
    BadEndpoint(String),
    /// An application, DHCP or NAT setting names something missing.
    #[error("node {node}: {why}")]
    BadService {
        /// Node name.
        node: String,
        /// What is wrong.
        why: String,
    },
}

impl WorldSpec {
    /// Builds the world, feeding trace events to `sinks`.
    pub fn build(self, sinks: Vec<Box<dyn TraceSink>>) -> Result<World, SpecError> {
        let topo = Arc::new(self.topology()?);
        let streams = RngStreams::new(self.seed, self.run_index);
        let mut nodes = Vec::with_capacity(self.nodes.len());
        for (n, spec) in self.nodes.iter().enumerate() {
            let info = &topo.nodes[n];
            let state = match spec.kind {
                NodeKind::Switch => {
                    NodeState::Switch(Switch::new(info.ifaces.clone(), spec.mac_ageing))
                }
                NodeKind::Host | NodeKind::Router => {
                    NodeState::Ip(Box::new(build_ip_node(spec, n, &topo, &streams)?))
                }
            };
            nodes.push(state);
        }
        let links = self
            .links
            .iter()
            .enumerate()
            .map(|(l, spec)| {
                let info = &topo.links[l];
                let dir = |d: usize, name: &str| {
                    // A full-size frame's serialization time: RED's unit of idle time.
                    let packet_time = sim_core::SimDuration::transmission(
                        u64::from(spec.params.mtu) + 18,
                        spec.params.rate.bps(),
                    );
                    let queue = Queue::new(
                        spec.queue[d],
                        spec.params.mtu,
                        packet_time,
                        streams.stream(&format!("link:{}:{name}:queue", spec.name)),
                    );
                    Direction::new(
                        spec.params,
                        queue,
                        spec.impair[d].clone(),
                        streams.stream(&format!("link:{}:{name}", spec.name)),
                    )
                };
                Link {
                    name: spec.name.clone(),
                    ends: info.ends,
                    up: true,
                    epoch: 0,
                    dirs: [dir(0, "a_to_b"), dir(1, "b_to_a")],
                }
            })
            .collect();
        Ok(World::new(
            topo,
            nodes,
            links,
            self.timeline,
            Tracer::new(sinks),
        ))
    }

    /// Names, ids, MACs and addresses of everything.
    pub fn topology(&self) -> Result<Topology, SpecError> {
        let mut topo = Topology::default();
        for (n, spec) in self.nodes.iter().enumerate() {
            let mut ids = Vec::new();
            for i in &spec.ifaces {
                let id = IfaceId(topo.ifaces.len() as u32);
                topo.ifaces.push(IfaceInfo {
                    node: NodeId(n as u32),
                    name: i.name.clone(),
                    mac: MacAddr::local(id.0 + 1),
                    addr: i.addr,
                    link: None,
                });
                ids.push(id);
            }
            topo.nodes.push(NodeInfo {
                name: spec.name.clone(),
                kind: spec.kind,
                ifaces: ids,
            });
        }
        for (l, spec) in self.links.iter().enumerate() {
            let end = |(n, i): (usize, usize)| {
                topo.nodes
                    .get(n)
                    .and_then(|node| node.ifaces.get(i))
                    .copied()
                    .ok_or_else(|| SpecError::BadEndpoint(spec.name.clone()))
            };
            let ends = [end(spec.a)?, end(spec.b)?];
            for e in ends {
                topo.ifaces[e.0 as usize].link = Some(LinkId(l as u32));
            }
            topo.links.push(LinkInfo {
                name: spec.name.clone(),
                ends,
                rate: spec.params.rate,
                delay: spec.params.delay,
                mtu: spec.params.mtu,
            });
        }
        Ok(topo)
    }
}

fn build_ip_node(
    spec: &NodeSpec,
    n: usize,
    topo: &Topology,
    streams: &RngStreams,
) -> Result<IpNode, SpecError> {
    let info = &topo.nodes[n];
    let ifaces = info
        .ifaces
        .iter()
        .zip(&spec.ifaces)
        .map(|(&id, ispec)| {
            let i = topo.iface(id);
            let link_mtu = i.link.map_or(1500, |l| topo.links[l.0 as usize].mtu);
            let mtu = ispec.mtu.unwrap_or(link_mtu);
            Iface {
                id,
                mac: i.mac,
                addr: i.addr,
                mtu,
            }
        })
        .collect();
    let mut node = IpNode::new(
        NodeId(n as u32),
        spec.kind == NodeKind::Router,
        ifaces,
        spec.arp,
        streams.stream(&format!("node:{}:tcp", spec.name)),
    );
    node.proxy_arp = spec.proxy_arp;
    let bad_via = |via| SpecError::UnreachableGateway {
        node: spec.name.clone(),
        via,
    };
    for r in &spec.routes {
        match (r.via, &r.iface) {
            (Some(via), _) => {
                if !node.routes.add_via(r.dest, via) {
                    return Err(bad_via(via));
                }
            }
            (None, Some(name)) => {
                let iface = info
                    .ifaces
                    .iter()
                    .copied()
                    .find(|&i| topo.iface(i).name == *name)
                    .ok_or_else(|| SpecError::BadRoute {
                        node: spec.name.clone(),
                        dest: r.dest,
                    })?;
                node.routes.add(crate::node::ipv4::routing::Route {
                    dest: r.dest,
                    via: None,
                    iface,
                    kind: crate::node::ipv4::routing::RouteKind::Static,
                });
            }
            (None, None) => {
                return Err(SpecError::BadRoute {
                    node: spec.name.clone(),
                    dest: r.dest,
                });
            }
        }
    }
    if let Some(gw) = spec.gateway {
        let default = Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid");
        if !node.routes.add_via(default, gw) {
            return Err(bad_via(gw));
        }
    }
    for (k, app) in spec.apps.iter().enumerate() {
        let app = super::build_apps::build_app(spec, k, app, &info.ifaces, topo, streams)?;
        node.add_app(app);
    }
    super::build_apps::add_services(&mut node, spec, &info.ifaces, topo, streams)?;
    Ok(node)
}

/// DHCP client settings (RFC 2131 §4.4, RFC 5227).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhcpClientSpec {
    /// Check the offered address with ARP probes before use.
    pub arp_probe: bool,
    /// Random wait, up to this, before the first DISCOVER.
    pub init_delay: SimDuration,
    /// When to release the lease and stop.
    pub release_at: Option<SimTime>,
}

impl Default for DhcpClientSpec {
    /// Probing on, up to 1 s of initial wait, no release.
    fn default() -> Self {
        DhcpClientSpec {
            arp_probe: true,
            init_delay: SimDuration::from_secs(1),
            release_at: None,
        }
    }
}

/// A DHCP server on one of the node's interfaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DhcpServerSpec {
    /// The interface it serves (its address is the server identifier).
    pub iface: String,
    /// First and last pool address.
    pub pool: (Ipv4Addr, Ipv4Addr),
    /// Lease time.
    pub lease: SimDuration,
    /// T1; `None`: half the lease.
    pub renewal: Option<SimDuration>,
    /// T2; `None`: 7/8 of the lease.
    pub rebinding: Option<SimDuration>,
    /// Router option.
    pub router: Option<Ipv4Addr>,
    /// DNS servers option.
    pub dns: Vec<Ipv4Addr>,
    /// Static bindings: (node, interface or `""` for its first, address).
    pub reservations: Vec<(String, String, Ipv4Addr)>,
    /// How long an offer waits for the REQUEST.
    pub offer_hold: SimDuration,
    /// How long a declined address stays unused.
    pub decline_hold: SimDuration,
}

/// Address translation settings with interfaces by name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NatSpec {
    /// Inside interfaces.
    pub inside: Vec<String>,
    /// The outside interface.
    pub outside: String,
    /// UDP mapping idle timeout.
    pub udp_timeout: SimDuration,
    /// Established TCP mapping idle timeout.
    pub tcp_timeout: SimDuration,
    /// Transitory TCP mapping idle timeout.
    pub tcp_transitory_timeout: SimDuration,
    /// ICMP query mapping idle timeout.
    pub icmp_timeout: SimDuration,
}
