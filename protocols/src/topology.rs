//! The static shape of a world: node, interface and link names and addresses.
//!
//! Trace sinks get a shared copy so that they can print names without asking
//! the running world.

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
