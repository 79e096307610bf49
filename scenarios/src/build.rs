//! The world builder: resolves a validated [`Scenario`] into a
//! [`protocols::world::WorldSpec`], the world with every name looked up.
//!
//! In order: the [`Topology`] (node, interface and link ids, MAC addresses,
//! static addresses, link parameters), then each node's configuration (MTUs,
//! routes with their egress interface, applications and services, whose
//! interfaces, reservations and endpoints are resolved here), each link's
//! queues and impairments, and the timeline with its link and node ids.
//!
//! Interfaces get their ids in scenario order (each node's interfaces, then
//! its switch ports in link order), so MAC addresses are the same on every run.
//!
//! Validation has checked every name and every reference, so a lookup that
//! fails here is a bug in the validator: the builder panics.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use protocols::node::ipv4::arp::ArpConfig;
use protocols::topology::{IfaceId, LinkId, NodeId, NodeKind, Topology};
use protocols::wire;
use protocols::world::{self, NodeSpec, RouteSpec, WorldSpec};

use crate::schema::{Action, Address, Arp, Node, Scenario};
use crate::values::{Endpoint, Ipv4Cidr};

mod apps;
mod link;
mod services;

/// The world a validated scenario describes, for run `run_index` with `seed`.
///
/// # Panics
/// If the scenario was not validated (a link names a missing interface).
pub fn world_spec(s: &Scenario, seed: u64, run_index: u64) -> WorldSpec {
    let names = Names::new(s);
    let topo = topology(s, &names);
    let nodes = s
        .nodes
        .iter()
        .enumerate()
        .map(|(n, node)| node_spec(node, NodeId(n as u32), &topo, &names))
        .collect();
    let links = s.links.iter().map(link::link_spec).collect();
    let timeline = s
        .timeline
        .iter()
        .map(|t| {
            let action = match &t.action {
                Action::LinkDown { link } => world::Action::LinkDown(names.link(link)),
                Action::LinkUp { link } => world::Action::LinkUp(names.link(link)),
                Action::NodeDown { node } => world::Action::NodeDown(names.node(node)),
                Action::NodeUp { node } => world::Action::NodeUp(names.node(node)),
                Action::SetLink(set) => link::set_link(set, names.link(&set.link)),
            };
            (t.time, action)
        })
        .collect();
    WorldSpec {
        seed,
        run_index,
        topology: std::sync::Arc::new(topo),
        nodes,
        links,
        timeline,
    }
}

/// Node and link ids by name.
struct Names<'a> {
    nodes: BTreeMap<&'a str, NodeId>,
    links: BTreeMap<&'a str, LinkId>,
}

impl<'a> Names<'a> {
    fn new(s: &'a Scenario) -> Names<'a> {
        Names {
            nodes: (s.nodes.iter().enumerate())
                .map(|(n, node)| (node.name(), NodeId(n as u32)))
                .collect(),
            links: (s.links.iter().enumerate())
                .map(|(l, link)| (link.name.as_str(), LinkId(l as u32)))
                .collect(),
        }
    }

    fn node(&self, name: &str) -> NodeId {
        *self.nodes.get(name).expect("validated node")
    }

    fn link(&self, name: &str) -> LinkId {
        *self.links.get(name).expect("validated link")
    }
}

/// Interface `name` of `node`.
fn iface(topo: &Topology, node: NodeId, name: &str) -> IfaceId {
    topo.nodes[node.0 as usize]
        .ifaces
        .iter()
        .copied()
        .find(|&i| topo.iface(i).name == name)
        .unwrap_or_else(|| panic!("validated interface {}:{name}", topo.node_name(node)))
}

/// The interface a link endpoint names (loading numbers switch ports).
fn endpoint(topo: &Topology, names: &Names<'_>, e: &Endpoint) -> IfaceId {
    let port = e.port.as_deref().expect("loading numbers switch ports");
    iface(topo, names.node(&e.node), port)
}

/// Every node with its interfaces, then every link between them.
fn topology(s: &Scenario, names: &Names<'_>) -> Topology {
    // Switch ports come into being with the links that name them.
    let mut ports: Vec<Vec<&str>> = vec![Vec::new(); s.nodes.len()];
    for e in s.links.iter().flat_map(|l| [&l.a, &l.b]) {
        let n = names.node(&e.node).0 as usize;
        if let Node::Switch(_) = s.nodes[n] {
            ports[n].push(e.port.as_deref().expect("loading numbers switch ports"));
        }
    }
    let mut topo = Topology::default();
    for (node, ports) in s.nodes.iter().zip(ports) {
        let kind = match node {
            Node::Host(_) => NodeKind::Host,
            Node::Router(_) => NodeKind::Router,
            Node::Switch(_) => NodeKind::Switch,
        };
        let id = topo.add_node(node.name(), kind);
        for i in node.interfaces() {
            let addr = i.address.and_then(Address::static_cidr).map(cidr);
            topo.add_iface(id, &i.name, addr);
        }
        for port in ports {
            topo.add_iface(id, port, None);
        }
    }
    for l in &s.links {
        let ends = [endpoint(&topo, names, &l.a), endpoint(&topo, names, &l.b)];
        topo.add_link(&l.name, ends, link::params(l));
    }
    topo
}

fn cidr(c: Ipv4Cidr) -> wire::Ipv4Cidr {
    wire::Ipv4Cidr::new(c.addr(), c.prefix_len()).expect("validated prefix")
}

fn arp_config(a: &Arp) -> ArpConfig {
    ArpConfig {
        timeout: a.timeout,
        retries: a.retries,
        retry_interval: a.retry_interval,
        queue: a.queue as usize,
        gratuitous: a.gratuitous,
    }
}

fn node_spec(n: &Node, id: NodeId, topo: &Topology, names: &Names<'_>) -> NodeSpec {
    let ifaces = &topo.nodes[id.0 as usize].ifaces;
    let mut spec = NodeSpec {
        mtu: n
            .interfaces()
            .iter()
            .zip(ifaces)
            .map(|(i, &iface)| {
                let link_mtu = topo
                    .iface(iface)
                    .link
                    .map_or(1500, |l| topo.links[l.0 as usize].mtu);
                i.mtu.unwrap_or(link_mtu)
            })
            .collect(),
        routes: routes(n, id, topo),
        ..NodeSpec::default()
    };
    if let Some(arp) = n.arp() {
        spec.arp = arp_config(arp);
    }
    match n {
        Node::Router(r) => spec.proxy_arp = r.proxy_arp,
        Node::Switch(sw) => spec.mac_ageing = sw.mac_ageing,
        Node::Host(_) => {}
    }
    let host_tcp = n.tcp().cloned().unwrap_or_default();
    spec.apps = n
        .apps()
        .iter()
        .map(|a| {
            let app = match services::app_spec(a, n, id, topo, names) {
                Some(app) => app,
                None => apps::app_spec(a, &host_tcp),
            };
            services::named(a, app)
        })
        .collect();
    services::node_services(n, id, topo, &mut spec);
    spec
}

/// The static routes of `n`, then its default route, each with its egress
/// interface.
fn routes(n: &Node, id: NodeId, topo: &Topology) -> Vec<RouteSpec> {
    let ifaces = &topo.nodes[id.0 as usize].ifaces;
    // The interface whose connected subnet holds `via`: the longest prefix,
    // the last of equals (as the routing table chooses among connected routes).
    let towards = |via: Ipv4Addr| {
        ifaces
            .iter()
            .copied()
            .filter_map(|i| {
                topo.iface(i)
                    .addr
                    .filter(|a| a.contains(via))
                    .map(|a| (i, a))
            })
            .max_by_key(|(_, a)| a.prefix_len)
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("validated next hop {via} of {}", n.name()))
    };
    let mut out: Vec<RouteSpec> = n
        .routes()
        .iter()
        .map(|r| RouteSpec {
            dest: cidr(r.to),
            via: r.via,
            iface: match (r.via, &r.interface) {
                (Some(via), _) => towards(via),
                (None, Some(name)) => iface(topo, id, name),
                // Validated: the node has a single interface.
                (None, None) => ifaces[0],
            },
        })
        .collect();
    if let Some(gw) = n.gateway() {
        out.push(RouteSpec {
            dest: wire::Ipv4Cidr::new(Ipv4Addr::UNSPECIFIED, 0).expect("valid"),
            via: Some(gw),
            iface: towards(gw),
        });
    }
    out
}
