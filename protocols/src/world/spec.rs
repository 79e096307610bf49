//! A fully resolved description of a world, and the builder that turns it
//! into a running [`World`].
//!
//! The description names nothing: nodes, interfaces and links are ids into its
//! [`Topology`] (which also holds the MAC addresses and static addresses),
//! routes carry their egress interface, and every application and service
//! carries the configuration it runs with. The scenario loader resolves and
//! validates a scenario into one (a test may write one by hand), so building
//! the world cannot fail: a description that breaks its own invariants (an id
//! out of range, a list of the wrong length) is a bug in its maker and panics.

use std::net::Ipv4Addr;
use std::sync::Arc;

use sim_core::{RngStreams, SimDuration, SimTime};

use super::{NodeState, World};
use crate::apps::bulk::{BulkConfig, SinkConfig};
use crate::apps::http::{HttpClientConfig, HttpServerConfig};
use crate::apps::ping::PingConfig;
use crate::apps::synflood::SynFloodConfig;
use crate::apps::traceroute::TracerouteConfig;
use crate::dhcp::{ClientConfig, ServerConfig};
use crate::link::impair::{DropRule, Impairments, LossModel};
use crate::link::{Direction, Link, Queue, QueueConfig};
use crate::nat::NatConfig;
use crate::node::ipv4::arp::ArpConfig;
use crate::node::ipv4::routing::{Route, RouteKind};
use crate::node::switch::Switch;
use crate::node::{Iface, IpNode};
use crate::topology::{IfaceId, LinkId, NodeId, NodeKind, Topology};
use crate::trace::{TraceSink, Tracer};
use crate::wire::Ipv4Cidr;

/// A whole world.
#[derive(Clone, Debug, Default)]
pub struct WorldSpec {
    /// Master seed.
    pub seed: u64,
    /// Run index (repetitions of one experiment).
    pub run_index: u64,
    /// Names, kinds, ids, MAC and static addresses, and link parameters; the
    /// world and its trace sinks share it.
    pub topology: Arc<Topology>,
    /// The configuration of each node, by [`NodeId`]: as many as the
    /// topology has nodes.
    pub nodes: Vec<NodeSpec>,
    /// The queues and impairments of each link, by [`LinkId`]: as many as
    /// the topology has links.
    pub links: Vec<LinkSpec>,
    /// Timed actions.
    pub timeline: Vec<(SimTime, Action)>,
}

/// The configuration of one node; its name, kind and interfaces are in the
/// topology. A switch uses only `mac_ageing`.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    /// IP MTU of each of the node's interfaces, in the topology's order.
    pub mtu: Vec<u32>,
    /// Static routes, the default route last, after the connected ones.
    pub routes: Vec<RouteSpec>,
    /// Answer ARP for addresses routed through another interface (routers).
    pub proxy_arp: bool,
    /// ARP tunables.
    pub arp: ArpConfig,
    /// Applications.
    pub apps: Vec<AppSpec>,
    /// Switch table ageing time.
    pub mac_ageing: SimDuration,
    /// The interfaces configured by DHCP, with their clients' settings.
    pub dhcp: Vec<(IfaceId, ClientConfig)>,
    /// DNS servers the node is configured with (DHCP may add more).
    pub dns: Vec<Ipv4Addr>,
    /// Stub resolver settings of applications that name their target.
    pub resolver: crate::dns::ResolverConfig,
    /// Address translation (gateways).
    pub nat: Option<NatConfig>,
}

impl Default for NodeSpec {
    /// No interfaces, routes or applications; default ARP and resolver
    /// settings; the 802.1D switch ageing time of 300 s.
    fn default() -> NodeSpec {
        NodeSpec {
            mtu: Vec::new(),
            routes: Vec::new(),
            proxy_arp: false,
            arp: ArpConfig::default(),
            apps: Vec::new(),
            mac_ageing: SimDuration::from_secs(300),
            dhcp: Vec::new(),
            dns: Vec::new(),
            resolver: crate::dns::ResolverConfig::default(),
            nat: None,
        }
    }
}

/// A static route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RouteSpec {
    /// Destination prefix.
    pub dest: Ipv4Cidr,
    /// Gateway; `None` for on-link.
    pub via: Option<Ipv4Addr>,
    /// Egress interface.
    pub iface: IfaceId,
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
    /// DHCP server on one interface of the node.
    DhcpServer {
        /// The interface it serves (`config.addr` is its address).
        iface: IfaceId,
        /// The server's configuration.
        config: ServerConfig,
    },
    /// DNS server.
    DnsServer(crate::dns::DnsServerConfig),
    /// UDP constant-bit-rate or on/off sender (`src_port` assigned by the builder).
    UdpSend(crate::apps::udp::UdpSendConfig),
    /// UDP sink on a port.
    UdpSink(u16),
    /// UDP echo server on a port.
    UdpEcho(u16),
    /// An application whose target is a host name, resolved by DNS when it
    /// starts; the inner application's address is a placeholder. The inner
    /// application is one with a target: not a server, not another `Named`.
    Named {
        /// The host name.
        name: String,
        /// The application.
        app: Box<AppSpec>,
    },
}

/// The queues and impairments of one link (its ends, rate, delay and MTU
/// are in the topology).
#[derive(Clone, Debug)]
pub struct LinkSpec {
    /// Queue of a→b and b→a.
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

impl WorldSpec {
    /// Builds the world, feeding trace events to `sinks`.
    ///
    /// # Panics
    /// If the description breaks its invariants: `nodes`, `links` or a node's
    /// `mtu` not as long as the topology says, an id out of range, a `Named`
    /// application wrapping a server.
    pub fn build(self, sinks: Vec<Box<dyn TraceSink>>) -> World {
        let topo = self.topology;
        assert_eq!(self.nodes.len(), topo.nodes.len(), "one spec per node");
        assert_eq!(self.links.len(), topo.links.len(), "one spec per link");
        let streams = RngStreams::new(self.seed, self.run_index);
        let nodes = self
            .nodes
            .iter()
            .zip(&topo.nodes)
            .enumerate()
            .map(|(n, (spec, info))| match info.kind {
                NodeKind::Switch => {
                    NodeState::Switch(Switch::new(info.ifaces.clone(), spec.mac_ageing))
                }
                NodeKind::Host | NodeKind::Router => NodeState::Ip(Box::new(build_ip_node(
                    spec,
                    NodeId(n as u32),
                    &topo,
                    &streams,
                ))),
            })
            .collect();
        let links = self
            .links
            .iter()
            .zip(&topo.links)
            .map(|(spec, info)| {
                let params = info.params();
                let dir = |d: usize, name: &str| {
                    // A full-size frame's serialization time: RED's unit of idle time.
                    let packet_time = sim_core::SimDuration::transmission(
                        u64::from(params.mtu) + 18,
                        params.rate.bps(),
                    );
                    let queue = Queue::new(
                        spec.queue[d],
                        params.mtu,
                        packet_time,
                        streams.stream(&format!("link:{}:{name}:queue", info.name)),
                    );
                    Direction::new(
                        params,
                        queue,
                        spec.impair[d].clone(),
                        streams.stream(&format!("link:{}:{name}", info.name)),
                    )
                };
                Link {
                    name: info.name.clone(),
                    ends: info.ends,
                    up: true,
                    epoch: 0,
                    dirs: [dir(0, "a_to_b"), dir(1, "b_to_a")],
                }
            })
            .collect();
        World::new(topo, nodes, links, self.timeline, Tracer::new(sinks))
    }
}

fn build_ip_node(spec: &NodeSpec, id: NodeId, topo: &Topology, streams: &RngStreams) -> IpNode {
    let info = &topo.nodes[id.0 as usize];
    assert_eq!(spec.mtu.len(), info.ifaces.len(), "one MTU per interface");
    let ifaces = info
        .ifaces
        .iter()
        .zip(&spec.mtu)
        .map(|(&iface, &mtu)| {
            let i = topo.iface(iface);
            Iface {
                id: iface,
                mac: i.mac,
                addr: i.addr,
                mtu,
            }
        })
        .collect();
    let mut node = IpNode::new(
        id,
        info.kind == NodeKind::Router,
        ifaces,
        spec.arp,
        streams.stream(&format!("node:{}:tcp", info.name)),
    );
    node.proxy_arp = spec.proxy_arp;
    for r in &spec.routes {
        node.routes.add(Route {
            dest: r.dest,
            via: r.via,
            iface: r.iface,
            kind: RouteKind::Static,
        });
    }
    for (k, app) in spec.apps.iter().enumerate() {
        let app = super::build_apps::build_app(&info.name, spec, k, app, topo, streams);
        node.add_app(app);
    }
    super::build_apps::add_services(&mut node, &info.name, spec, topo, streams);
    node
}
