//! The static shape of a world: node, interface and link names and addresses.
//!
//! Trace sinks get a shared copy so that they can print names without asking
//! the running world. It is built once, by whoever describes the world (the
//! scenario builder, or a test by hand), with [`Topology::add_node`],
//! [`Topology::add_iface`] and [`Topology::add_link`], which hand out the ids
//! and MAC addresses.

use std::net::Ipv4Addr;

use sim_core::{DataRate, SimDuration};

use crate::wire::{Ipv4Cidr, MacAddr};

/// Index of a node in the world.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeId(pub u32);

/// Index of an interface (all nodes' interfaces share one index space).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IfaceId(pub u32);

/// Index of a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LinkId(pub u32);

/// What a node is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// An end system: does not forward IP.
    Host,
    /// A gateway: forwards IP between its interfaces.
    Router,
    /// A learning bridge: forwards Ethernet frames, no IP.
    Switch,
}

/// A node's name and interfaces.
#[derive(Clone, Debug)]
pub struct NodeInfo {
    /// Scenario name.
    pub name: String,
    /// Host, router or switch.
    pub kind: NodeKind,
    /// Its interfaces, in scenario order.
    pub ifaces: Vec<IfaceId>,
}

/// An interface's identity.
#[derive(Clone, Debug)]
pub struct IfaceInfo {
    /// Owning node.
    pub node: NodeId,
    /// Interface name, e.g. `eth0` (switch ports: `p0`, `p1`, ...).
    pub name: String,
    /// Its MAC address.
    pub mac: MacAddr,
    /// Its IPv4 address and prefix, if configured.
    pub addr: Option<Ipv4Cidr>,
    /// The link it is attached to.
    pub link: Option<LinkId>,
}

/// Rate, delay and MTU of one direction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkParams {
    /// Transmission rate.
    pub rate: DataRate,
    /// Propagation delay.
    pub delay: SimDuration,
    /// Largest IP datagram the link carries.
    pub mtu: u32,
}

/// A link's identity and initial parameters.
#[derive(Clone, Debug)]
pub struct LinkInfo {
    /// Scenario name.
    pub name: String,
    /// Endpoint `a` and endpoint `b`; direction 0 is a→b, 1 is b→a.
    pub ends: [IfaceId; 2],
    /// Initial rate.
    pub rate: DataRate,
    /// Initial propagation delay.
    pub delay: SimDuration,
    /// Initial IP MTU.
    pub mtu: u32,
}

impl LinkInfo {
    /// The initial rate, delay and MTU.
    pub fn params(&self) -> LinkParams {
        LinkParams {
            rate: self.rate,
            delay: self.delay,
            mtu: self.mtu,
        }
    }
}

/// Names and addresses of everything in a world.
#[derive(Clone, Debug, Default)]
pub struct Topology {
    /// Nodes by [`NodeId`].
    pub nodes: Vec<NodeInfo>,
    /// Interfaces by [`IfaceId`].
    pub ifaces: Vec<IfaceInfo>,
    /// Links by [`LinkId`].
    pub links: Vec<LinkInfo>,
}

impl Topology {
    /// Adds a node without interfaces; its id is its position.
    pub fn add_node(&mut self, name: &str, kind: NodeKind) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        self.nodes.push(NodeInfo {
            name: name.to_string(),
            kind,
            ifaces: Vec::new(),
        });
        id
    }

    /// Adds an interface to `node`, not yet attached to a link. Interfaces are
    /// numbered in the order they are added, across nodes; the MAC address is
    /// the locally administered `02:00:00:00:00:00` plus the id plus one.
    ///
    /// # Panics
    /// If `node` was not added.
    pub fn add_iface(&mut self, node: NodeId, name: &str, addr: Option<Ipv4Cidr>) -> IfaceId {
        let id = IfaceId(self.ifaces.len() as u32);
        self.nodes[node.0 as usize].ifaces.push(id);
        self.ifaces.push(IfaceInfo {
            node,
            name: name.to_string(),
            mac: MacAddr::local(id.0 + 1),
            addr,
            link: None,
        });
        id
    }

    /// Adds a link between two interfaces (direction 0 is `ends[0]` to `ends[1]`).
    ///
    /// # Panics
    /// If an end was not added or is attached to another link already.
    pub fn add_link(&mut self, name: &str, ends: [IfaceId; 2], params: LinkParams) -> LinkId {
        let id = LinkId(self.links.len() as u32);
        for e in ends {
            let iface = &mut self.ifaces[e.0 as usize];
            assert!(iface.link.is_none(), "{} is attached twice", iface.name);
            iface.link = Some(id);
        }
        self.links.push(LinkInfo {
            name: name.to_string(),
            ends,
            rate: params.rate,
            delay: params.delay,
            mtu: params.mtu,
        });
        id
    }

    /// A node's name.
    pub fn node_name(&self, n: NodeId) -> &str {
        &self.nodes[n.0 as usize].name
    }

    /// An interface's record.
    pub fn iface(&self, i: IfaceId) -> &IfaceInfo {
        &self.ifaces[i.0 as usize]
    }

    /// `node:iface`, e.g. `h1:eth0`.
    pub fn iface_label(&self, i: IfaceId) -> String {
        let info = self.iface(i);
        format!("{}:{}", self.node_name(info.node), info.name)
    }

    /// A link's name.
    pub fn link_name(&self, l: LinkId) -> &str {
        &self.links[l.0 as usize].name
    }

    /// The node owning an address, if any.
    pub fn node_with_addr(&self, ip: Ipv4Addr) -> Option<NodeId> {
        self.ifaces
            .iter()
            .find(|i| i.addr.is_some_and(|a| a.addr == ip))
            .map(|i| i.node)
    }
}
